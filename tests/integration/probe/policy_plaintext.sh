#!/bin/sh
# PLAIN and LOGIN carry the password itself: never on a session without
# TLS unless the admin says so (--allow-plaintext-auth).  The peer offers no
# STARTTLS and welcomes every logon.  Without the option the peer sees no
# PLAIN/LOGIN and never the password, the facts say how to allow them, and
# NTLM (which does not carry the password) runs and is reported as
# unencrypted; with it, PLAIN goes out and the summary says so.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
USER_=carol.policy
PASS_='Pol1cy-Secret-9x'
export SMTPWIZ_PASSWORD="$PASS_"
start_policy plain_auth
hprobe refuse --user "$USER_" --json
check json "$T/refuse.out"
check secrets "$USER_" "$PASS_" "$T/refuse.out" "$T/refuse.err"
check creds "$HLOG" "$USER_" "$PASS_" ntlm
for m in PLAIN LOGIN; do
    pfact refuse auth "$m" | grep -q 'not encrypted; give --allow-plaintext-auth' ||
        fail "refuse: AUTH $m: $(pfact refuse auth "$m")"
done
pfact refuse exps LOGIN | grep -q 'allow-plaintext-auth' || fail "refuse: X-EXPS LOGIN: $(pfact refuse exps LOGIN)"
[ "$(pfield refuse auth status)" = pass ] || fail "refuse: auth $(pfield refuse auth status): NTLM should pass"
pfield refuse auth summary | grep -q 'NTLM ran on a session without TLS: unencrypted' ||
    fail "refuse: the summary does not say NTLM went unencrypted: $(pfield refuse auth summary)"
pfield refuse auth summary | grep -q 'PLAIN, LOGIN not tried: .*allow-plaintext-auth' ||
    fail "refuse: the summary does not say PLAIN/LOGIN were not tried and how to allow them"
grep -q "^b'AUTH NTLM [A-Za-z0-9+/=]" "$HLOG" || fail "refuse: NTLM was never tried"

: >"$HLOG"
hprobe allow --user "$USER_" --json --allow-plaintext-auth
check json "$T/allow.out"
check secrets "$USER_" "$PASS_" "$T/allow.out" "$T/allow.err"
grep -q "^b'AUTH PLAIN [A-Za-z0-9+/=]" "$HLOG" || { cat "$HLOG"; fail "allow: AUTH PLAIN was not sent"; }
case $(pfact allow auth PLAIN) in 235*) ;; *) fail "allow: AUTH PLAIN $(pfact allow auth PLAIN)" ;; esac
pfact allow auth unencrypted | grep -q PLAIN || fail "allow: PLAIN not listed as unencrypted"
pfield allow auth summary | grep -q 'PLAIN.* ran on a session without TLS: unencrypted' ||
    fail "allow: the summary does not say PLAIN went unencrypted: $(pfield allow auth summary)"
echo "policy_plaintext: PLAIN/LOGIN only with --allow-plaintext-auth, and said to be unencrypted"
