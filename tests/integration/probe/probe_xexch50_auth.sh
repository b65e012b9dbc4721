#!/bin/sh
# xexch50's authenticated attempt follows what the auth probe found: the
# mechanism that worked, else --mech; never the credentials AUTH saw refused
# (each retry is one more failed logon towards an AD lockout), and its
# summary says why it was not tried instead of asking for credentials that
# were given.  Counted on the lab's own log of AUTH commands.
. "$TOP/tests/lib/lib.sh"
need python3

probe() { # NAME PASSWORD PROBE-ARGS... (lab on $PORT)
    _n=$1 _pw=$2
    shift 2
    SMTPWIZ_PASSWORD=$_pw timeout 30 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --user "${AS_USER:-labuser}" \
        --json --timeout 5 "$@" >"$T/$_n.json" 2>"$T/$_n.err"
    [ -s "$T/$_n.json" ] || { cat "$T/$_n.err" >&2; fail "$_n: no JSON"; }
}
auths() { grep -c ' C: AUTH ' "$T/$1.log"; }

# 1. --mech PLAIN with a wrong password: AUTH PLAIN once (the auth probe),
#    never NTLM (which the lab would accept unverified) or PLAIN again.
start_lab plain e2010-healthy --log "$T/plain.log"
probe plain wrong-password --only auth,xexch50 --mech PLAIN
[ "$(pfield plain auth status)" = fail ] || fail "plain: auth $(pfield plain auth status)"
[ "$(auths plain)" -eq 1 ] || { cat "$T/plain.log"; fail "plain: $(auths plain) AUTH commands, want 1"; }
grep -q ' C: AUTH NTLM' "$T/plain.log" && fail "plain: xexch50 ignored --mech and tried NTLM"
[ "$(pfact plain xexch50 reply_auth)" = None ] || fail "plain: reply_auth $(pfact plain xexch50 reply_auth)"
s=$(pfield plain xexch50 summary)
case $s in *"give credentials"*) fail "plain: summary asks for credentials: $s" ;; esac
case $s in *"AUTH was refused"*) ;; *) fail "plain: summary does not say AUTH was refused: $s" ;; esac
kill "$LABPID"

# 2. Every mechanism refused (IWA off: LOGIN and PLAIN only): one AUTH
#    command from the auth probe (LOGIN and PLAIN are one family: one failed
#    logon per family and run), none from xexch50.
start_lab iwa iwa-disabled --log "$T/iwa.log"
probe iwa wrong-password --only auth,xexch50
[ "$(auths iwa)" -eq 1 ] || { cat "$T/iwa.log"; fail "iwa: $(auths iwa) AUTH commands, want 1"; }
case $(pfact iwa auth PLAIN)$(pfact iwa auth LOGIN) in *"already failed in this run"*) ;;
    *) fail "iwa: the second of LOGIN/PLAIN does not say why it was not tried" ;; esac
[ "$(pfield iwa xexch50 status)" = warn ] || fail "iwa: xexch50 $(pfield iwa xexch50 status)"
kill "$LABPID"

# 3. xexch50 alone with --mech PLAIN and the right password: PLAIN, not the
#    first mechanism offered (NTLM).  As the server account EXCH02$, the one
#    identity a healthy Exchange accepts XEXCH50 from.
start_lab only e2010-healthy --log "$T/only.log"
AS_USER='EXCH02$' probe only Lab-Pass-1234 --only xexch50 --mech PLAIN
grep -q ' C: AUTH PLAIN' "$T/only.log" || { cat "$T/only.log"; fail "only: no AUTH PLAIN"; }
grep -q ' C: AUTH NTLM' "$T/only.log" && fail "only: AUTH NTLM despite --mech PLAIN"
case $(pfact only xexch50 reply_auth) in 354*) ;; *) fail "only: reply_auth $(pfact only xexch50 reply_auth)" ;; esac

# 4. The one rule of what auth/exps try: a --mech the server does not offer
#    is named; GSSAPI is not tried on a password without a ticket cache.
probe mech Lab-Pass-1234 --only auth --mech CRAM-MD5
case $(pfield mech auth summary) in *"--mech CRAM-MD5 is not offered"*) ;;
    *) fail "mech: summary $(pfield mech auth summary)" ;; esac
KRB5CCNAME="FILE:$T/no-such-ccache" probe gss Lab-Pass-1234 --only exps
case $(pfact gss exps GSSAPI) in "not tried: no Kerberos ticket"*) ;;
    *) fail "gss: X-EXPS GSSAPI $(pfact gss exps GSSAPI)" ;; esac
[ "$(pfield gss exps status)" = pass ] || fail "gss: exps $(pfield gss exps status) (NTLM should pass)"
echo "probe_xexch50_auth: --mech and AUTH refusals respected"
