#!/bin/sh
# Credentials never travel where TLS was expected and failed.  The peer
# (tests/peers/policy_smtp.py) offers STARTTLS and AUTH PLAIN LOGIN NTLM,
# welcomes every logon, and breaks STARTTLS in each of the ways a path can:
# a 454 or 421 answer, a reset, a stalled handshake, a closed one, plain text
# after the 220, pipelined data after the 220.  Under --starttls auto (which
# once reconnected without TLS and sent AUTH PLAIN with the password) and
# always, with --allow-plaintext-auth too, the peer must see no PLAIN/LOGIN,
# no NTLM type-3 and never the password; the findings say why.  Under never
# STARTTLS is not tried: NTLM may run in clear (it does not carry the
# password) and says so, PLAIN and LOGIN still do not.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
USER_=carol.policy
PASS_='Pol1cy-Secret-9x'
export SMTPWIZ_PASSWORD="$PASS_"
for mode in tls_454 tls_421 tls_reset tls_stall tls_close tls_plain tls_pipelined; do
    start_policy "$mode"
    for pol in auto always never auto-allow; do
        n="$mode-$pol"
        : >"$HLOG"
        case $pol in
        auto-allow) set -- --starttls auto --allow-plaintext-auth ;;
        *) set -- --starttls "$pol" ;;
        esac
        run "$n" timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$HPORT" --timeout 1 --user "$USER_" \
            --json "$@"
        cp "$T/$n.out" "$T/$n.json"
        check json "$T/$n.out"
        check secrets "$USER_" "$PASS_" "$T/$n.out" "$T/$n.err"
        grep -q "^b'EHLO" "$HLOG" || { cat "$T/$n.err"; fail "$n: the peer saw no EHLO"; }
        if [ "$pol" = never ]; then
            grep -q "^b'STARTTLS" "$HLOG" && fail "$n: STARTTLS sent under --starttls never"
            check creds "$HLOG" "$USER_" "$PASS_" ntlm
            pfact "$n" auth unencrypted | grep -q NTLM ||
                fail "$n: NTLM's plain session is not reported: $(pfield "$n" auth summary)"
            pfield "$n" auth summary | grep -q 'without TLS: unencrypted' ||
                fail "$n: the auth summary does not say NTLM went unencrypted: $(pfield "$n" auth summary)"
            pfact "$n" auth PLAIN | grep -q 'allow-plaintext-auth' ||
                fail "$n: AUTH PLAIN does not say how to allow it: $(pfact "$n" auth PLAIN)"
            continue
        fi
        grep -q "^b'STARTTLS" "$HLOG" || fail "$n: STARTTLS was never tried"
        check creds "$HLOG" "$USER_" "$PASS_"
        a=$(pfield "$n" auth summary)
        if [ "$pol" = always ]; then
            [ "$(pfield "$n" auth status)" = error ] || fail "$n: auth $(pfield "$n" auth status): $a"
            case $a in *"STARTTLS is required"*) ;; *) fail "$n: auth summary: $a" ;; esac
        else
            [ "$(pfield "$n" auth status)" = skip ] || fail "$n: auth $(pfield "$n" auth status): $a"
            case $a in *"STARTTLS was offered but did not complete"*"--starttls never"*) ;;
                *) fail "$n: the auth summary does not say why and what to do: $a" ;; esac
            case $(pfield "$n" exps summary) in *"did not complete"*) ;;
                *) fail "$n: exps summary: $(pfield "$n" exps summary)" ;; esac
        fi
        s=$(pfield "$n" starttls summary)
        case $mode in
        tls_454) case $s in *'454 4.7.0 TLS not available'*) ;; *) fail "$n: starttls: $s" ;; esac ;;
        tls_421) case $s in *'421 4.3.2 Service shutting down'*) ;; *) fail "$n: starttls: $s" ;; esac ;;
        esac
    done
done
echo "policy_starttls: 7 STARTTLS failures x 4 policies, no credentials in clear"
