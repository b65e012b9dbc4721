#!/bin/sh
# Real mail servers that are not Exchange, walked with both articles: a
# Debian Postfix (tests/lib/postfix.sh) and aiosmtpd.  Whatever the answers
# (none, truthful, all "don't know"), the walk never names a fault of the
# server: it ends at the expected condition (cross-org-expected,
# not-internal-exchange) or inconclusive.  It used to end at iwa-disabled
# (KB843106) and exchangeauth-disabled (KB979174).
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/postfix.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
need_postfix
need_aiosmtpd
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
start_postfix
make_cert peer DNS:localhost,IP:127.0.0.1
start_aiosmtpd peer
# questions KB: that article's question ids, from diagnose --help
questions() {
    "$SMTPWIZ" diagnose --help | awk -v kb="KB$1:" '
        /^Questions of / { on = ($3 == kb); sub(/^Questions of KB[0-9]+:/, ""); if (on) print; next }
        /^  / { if (on) print; next } { on = 0 }' | tr -s ' \n' ' '
}
answers() { # MODE KB: none | truthful | unknown
    ALLQ=$(questions "$2")
    [ -n "$ALLQ" ] || fail "diagnose --help lists no question of KB$2"
    case $1 in
    none) ;;
    # The truth about a server that is not Exchange: it is outside the
    # organisation; nothing of Exchange's is wrong on it.
    truthful) for q in $ALLQ; do
                  case $q in other-org|not-offered|other-org-confirm|internal-exchange)
                      printf -- '--answer %s=yes ' "$q" ;;
                  *) printf -- '--answer %s=no ' "$q" ;;
                  esac
              done ;;
    unknown) for q in $ALLQ; do printf -- '--answer %s=unknown ' "$q"; done ;;
    esac
}
bad=0
for peer in postfix aiosmtpd; do
    if [ $peer = postfix ]; then port=$PORT cred="--user $USER_ --password-file $T/password"
    else port=$PEER_PORT cred="--user $PEER_USER --password-file $PEER_PWFILE"; fi
    for kb in 843106 979174; do
        for mode in none truthful unknown; do
            n=$peer-$kb-$mode
            # shellcheck disable=SC2046,SC2086
            timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$port" --kb "$kb" --dc none --timeout 3 \
                $cred --json $(answers $mode $kb) >"$T/$n.json" 2>"$T/$n.err"
            echo $? >"$T/$n.rc"
            sanitizer_check "$n"
            got=$(jget "$T/$n.json" 'j["conclusion"]["id"] if j["conclusion"] else j["outcome"]') ||
                { cat "$T/$n.err"; fail "$n: no JSON (exit $(cat "$T/$n.rc"))"; }
            sev=$(jget "$T/$n.json" 'j["conclusion"]["severity"] if j["conclusion"] else "-"')
            echo "$peer KB$kb $mode: $got (exit $(cat "$T/$n.rc"))"
            if [ "$sev" = fail ] || [ "$got" = no-fault-found ]; then
                echo "FAIL $peer KB$kb $mode: $got is a conclusion about a server that is not Exchange"
                bad=$((bad + 1))
            fi
        done
    done
done
[ $bad -eq 0 ] || fail "$bad walks blamed a server that is not Exchange"
exit 0
