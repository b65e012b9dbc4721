#!/bin/sh
# The diagnosis matrix (issue 11): every lab scenario walked with both
# articles, once with no answers and once with "don't know" to every
# question.  With nothing answered the walk may conclude only from evidence:
# never the all-clear (no-fault-found), never a fault but the one a scenario
# shows by evidence alone (firewall-fixup's masked path); expected
# conditions (not Exchange, another organisation) are allowed, as are
# inconclusive and error outcomes.  The truthful answers are
# diagnose_lab.sh's table.  Prints the table of outcomes.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
need python3
export SMTPWIZ_PASSWORD=Lab-Pass-1234
export KRB5CCNAME="FILE:$T/no-such-ccache"
Q843="accompanying-symptoms other-org not-offered iwa-setting sendas-ace sendas-sender tls-sender exps-events firewall-between firewall-bypass other-org-confirm ims-confirm"
Q979="internal-exchange clock-which clock-here clock-dc replication spn-list spn-dupes kerberos-ports exchangeauth-check kerberos-log kerberos-log-spn"
unknown_to() { for q in $1; do printf -- '--answer %s=unknown ' "$q"; done; }

one() { # SCENARIO: its lab, four walks, one line each in $T/SCENARIO.rows
    sc=$1
    port=$(free_port)
    "$SMTPWIZ" lab --scenario "$sc" --scenarios "$TOP/kb/labs" --listen "127.0.0.1:$port" \
        >"$T/$sc.lab" 2>&1 &
    pid=$!
    wait_port "$port" 15
    for kb in 843106 979174; do
        [ $kb = 843106 ] && qs=$Q843 || qs=$Q979
        for mode in none unknown; do
            a=""
            [ $mode = unknown ] && a=$(unknown_to "$qs")
            # shellcheck disable=SC2086
            timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$port" --dc none --kb "$TOP/kb/kb$kb.ini" \
                --user labuser --timeout 1.5 --json $a >"$T/$sc-$kb-$mode.json" 2>"$T/$sc-$kb-$mode.err"
            rc=$?
            r=$(jget "$T/$sc-$kb-$mode.json" \
                '(j["conclusion"]["id"] + ":" + j["conclusion"].get("severity", "")) if j["conclusion"] else j["outcome"]' \
                2>/dev/null || echo nojson)
            echo "$sc $kb $mode $r $rc"
        done
    done >"$T/$sc.rows"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

for f in "$TOP"/kb/labs/*.ini; do basename "$f" .ini; done >"$T/scenarios"
[ -s "$T/scenarios" ] || fail "no lab scenarios"
# Two labs at a time: most of a walk waits on its lab.
export T TOP SMTPWIZ
while read -r sc; do
    one "$sc" &
    [ $(( $(jobs -p | wc -l) )) -lt 3 ] || wait -n 2>/dev/null || wait
done <"$T/scenarios"
wait
cat "$T"/*.rows | sort >"$T/table"
bad=0
printf '%-24s %-7s %-8s %s\n' scenario kb answers outcome
while read -r sc kb mode r rc; do
    verdict=ok
    case $r in
    no-fault-found:*) verdict="FALSE ALL-CLEAR (nothing was answered)" ;;
    *:fail)
        case $sc:${r%%:*} in
        firewall-fixup:firewall-interference) ;;
        *) verdict="FALSE FAULT (a fault from no answers)" ;;
        esac ;;
    nojson) verdict="NO JSON (exit $rc)" ;;
    esac
    printf '%-24s %-7s %-8s %-32s %s\n' "$sc" "$kb" "$mode" "$r" "$verdict"
    [ "$verdict" = ok ] || bad=$((bad + 1))
done <"$T/table"
n=$(wc -l <"$T/table")
want=$(( $(wc -l <"$T/scenarios") * 4 ))
[ "$n" -eq "$want" ] || fail "$n walks, want $want"
echo "$n walks: $bad unsound"
[ "$bad" -eq 0 ] || fail "$bad walks concluded what nothing answered supports"
exit 0
