#!/bin/sh
# The diagnosis matrix (issue 11): every lab scenario walked with both
# articles, with no answers, with truthful answers (tests/lib/truth.sh) and
# with "don't know" to every question.  Prints the table of outcomes and
# exit statuses and fails on any unsound walk:
#  - a false fault: a fault conclusion from no answers or "don't know"
#    (but the one a scenario shows by evidence alone: firewall-fixup's
#    masked path), or, with truthful answers, a fault other than the one
#    the scenario plays;
#  - a false all-clear: no-fault-found with nothing answered, or with
#    truthful answers where the scenario plays a fault of that article;
#  - with truthful answers, any outcome but the table's where it has one.
# Expected conditions (not Exchange, another organisation), inconclusive
# and error outcomes are otherwise allowed.
# MATRIX_CLIENT=BINARY MATRIX_KBDIR=DIR run another build's diagnose (and
# its articles) against these labs, for a before-and-after count;
# MATRIX_NO_DOMAIN=1 leaves out --domain, which older builds lack.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/truth.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
need python3
CLIENT=${MATRIX_CLIENT:-$SMTPWIZ}
KBDIR=${MATRIX_KBDIR:-$TOP/kb}
export SMTPWIZ_PASSWORD=Lab-Pass-1234
export KRB5CCNAME="FILE:$T/no-such-ccache"
unknown_to() { for q in $1; do printf -- '--answer %s=unknown ' "$q"; done; }
truth_rows >"$T/truth"

# truthful SCENARIO KB: "WANT|ARGS", the table's row, or for an article the
# table has no row for: every question answered no, with the scenario's
# organisation (want ANY: whatever is not a fault).
truthful() {
    row=$(grep "^$1|$2|" "$T/truth" | head -n 1)
    if [ -n "$row" ]; then
        printf '%s\n' "$row" | cut -d'|' -f3-
        return
    fi
    dom=$(grep "^$1|" "$T/truth" | head -n 1 | cut -d'|' -f4 | grep -o -- '--domain [^ ]*')
    if [ -z "$(grep "^$1|" "$T/truth" | head -n 1 | cut -d'|' -f4)" ]; then
        echo "ANY|"            # a hostile fixture: no answers at all
    elif [ "$2" = 843106 ]; then
        echo "ANY|$dom $NO843106"
    else
        echo "ANY|$dom $NO979174"
    fi
}

# known_only KB ARGS...: ARGS without the --answer of questions that
# another build's article (MATRIX_KBDIR) does not have: it refuses them.
known_only() {
    kq=" $(awk '/^\[step /{id=$2; sub(/\]$/, "", id)} /^kind = question/{printf "%s ", id}' \
        "$KBDIR/kb$1.ini") "
    shift
    while [ $# -gt 0 ]; do
        if [ "$1" = --answer ]; then
            case $kq in *" ${2%%=*} "*) printf -- '--answer %s ' "$2" ;; esac
            shift 2
        else
            printf '%s ' "$1"
            shift
        fi
    done
}

one() { # SCENARIO: its lab, six walks, one line each in $T/SCENARIO.rows
    sc=$1
    # The lab takes a port the kernel gives it (start_lab): a port picked
    # free and then bound could meanwhile go to another test's lab, and the
    # walks would examine that one.
    start_lab "lab-$sc" "$sc"
    port=$PORT pid=$LABPID
    for kb in 843106 979174; do
        [ $kb = 843106 ] && qs=$Q843 || qs=$Q979
        for mode in none truthful unknown; do
            a="" want=-
            [ $mode = unknown ] && a=$(unknown_to "$qs")
            if [ $mode = truthful ]; then
                t=$(truthful "$sc" $kb)
                want=${t%%|*} a=${t#*|}
                [ -z "${MATRIX_NO_DOMAIN:-}" ] || a=$(printf '%s' "$a" | sed 's/--domain [^ ]*//')
            fi
            [ -z "${MATRIX_CLIENT:-}" ] || a=$(known_only $kb $a)
            # shellcheck disable=SC2086
            timeout 60 "$CLIENT" diagnose 127.0.0.1 -p "$port" --dc none --kb "$KBDIR/kb$kb.ini" \
                --user labuser --timeout 1.5 --json $a >"$T/$sc-$kb-$mode.json" 2>"$T/$sc-$kb-$mode.err"
            rc=$?
            r=$(jget "$T/$sc-$kb-$mode.json" \
                '(j["conclusion"]["id"] + ":" + j["conclusion"].get("severity", "")) if j.get("conclusion") else j.get("outcome", "?")' \
                2>/dev/null || echo nojson)
            echo "$sc $kb $mode $r $rc $want"
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
bad=0 faults=0 clears=0
printf '%-22s %-6s %-8s %-34s %-4s %s\n' scenario kb answers outcome exit verdict
while read -r sc kb mode r rc want; do
    verdict=ok id=${r%%:*}
    case $mode:$r in
    none:no-fault-found:*|unknown:no-fault-found:*)
        verdict="FALSE ALL-CLEAR (nothing was answered)" clears=$((clears + 1)) ;;
    none:*:fail|unknown:*:fail)
        case $sc:$id in
        firewall-fixup:firewall-interference) ;;
        *) verdict="FALSE FAULT (a fault from no answers)" faults=$((faults + 1)) ;;
        esac ;;
    truthful:*)
        case $want:$r in
        ANY:*:fail) verdict="FALSE FAULT (truthful answers)" faults=$((faults + 1)) ;;
        ANY:*) ;;
        *)
            w=$(printf '%s' "$want" | tr 'A-Z' 'a-z')
            if [ "$id" = "$w" ]; then :
            elif [ "$id" = no-fault-found ]; then verdict="FALSE ALL-CLEAR (want $want)" clears=$((clears + 1))
            elif [ "${r##*:}" = fail ]; then verdict="FALSE FAULT (want $want)" faults=$((faults + 1))
            else verdict="WRONG (want $want)"; fi ;;
        esac ;;
    esac
    case $r in nojson) verdict="NO JSON (exit $rc)" ;; esac
    printf '%-22s %-6s %-8s %-34s %-4s %s\n' "$sc" "$kb" "$mode" "$r" "$rc" "$verdict"
    [ "$verdict" = ok ] && continue
    bad=$((bad + 1))
    # what the walk rested on
    python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
for p in j.get("path", []):
    print("      ", p.get("step"), p.get("outcome"), (p.get("finding") or "")[:160])' \
        "$T/$sc-$kb-$mode.json" 2>&1 | head -20
done <"$T/table"
n=$(wc -l <"$T/table")
want=$(( $(wc -l <"$T/scenarios") * 6 ))
[ "$n" -eq "$want" ] || fail "$n walks, want $want"
echo "$n walks: $bad unsound ($faults false faults, $clears false all-clears)"
[ "$bad" -eq 0 ] || fail "$bad walks concluded what the evidence and answers do not support"
exit 0
