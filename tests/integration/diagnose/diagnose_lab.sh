#!/bin/sh
# diagnose against every lab scenario with truthful answers: each reaches
# the conclusion the scenario stands for; healthy servers end at
# no-fault-found when the questions are answered no, and inconclusive when
# they are not answered; hostile ones end in an error (or, where only TLS
# broke, an inconclusive) outcome, never a
# conclusion.  The Markdown report names the conclusion and no password.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
"$SMTPWIZ" lab --help >/dev/null 2>&1 || fail "smtpwiz lab --help failed"
export SMTPWIZ_PASSWORD=Lab-Pass-1234
# KB979174's Kerberos probe steps must fall through to their questions here:
# --dc none (the lab's domains are real Internet domains: never look their
# DCs up) and no ticket cache for the spn probe.
export KRB5CCNAME="FILE:$T/no-such-ccache"

. "$TOP/tests/lib/truth.sh"
truth_rows >"$T/table"

[ -f "$TOP/kb/labs/e2003-healthy.ini" ] || fail "no lab scenarios in kb/labs"
# Every scenario must have its expected outcome here: a new one fails until added.
for f in "$TOP"/kb/labs/*.ini; do
    s=$(basename "$f" .ini)
    grep -q "^$s|" "$T/table" || fail "lab scenario $s has no expected outcome in this table"
done
errors=0
while IFS='|' read -r scen kb want extra; do
    # A row whose scenario is gone is a failure: the table names what must exist.
    [ -f "$TOP/kb/labs/$scen.ini" ] || { echo "FAIL no scenario file for $scen"; errors=$((errors + 1)); continue; }
    start_lab "lab-$scen" "$scen"
    out="$T/$scen-$kb.json"
    # The scenarios that make diagnose wait out its timeout get a short one
    # (slow-drip: longer than its byte a second, so bytes keep coming while
    # the greeting never ends) and must end after that one timeout.
    case $scen in never-greets) to_ms=1000 ;; slow-drip) to_ms=1500 ;; *) to_ms=3000 ;; esac
    to=$((to_ms / 1000)).$((to_ms % 1000 / 100))
    t0=$(date +%s%N)
    # timeout: a hostile scenario that hangs diagnose fails the row (exit
    # 124, not 3) instead of the whole suite.
    # shellcheck disable=SC2086
    timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$PORT" --dc none --kb "$TOP/kb/kb$kb.ini" --user labuser \
        --timeout "$to" --json $extra >"$out" 2>"$T/$scen-$kb.err"
    rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    echo "$rc" >"$T/$scen-$kb.rc"
    sanitizer_check "$scen-$kb"
    stop_lab "lab-$scen"
    got=$(jget "$out" 'j["conclusion"]["id"] if j["conclusion"] else j["outcome"].upper()' 2>/dev/null ||
          echo "no JSON")
    if [ "$got" != "$want" ]; then
        echo "FAIL $scen (KB$kb): expected $want, got $got (exit $rc)"
        sed 's/^/    /' "$T/$scen-$kb.err" | tail -5
        # what the walk said: its error and the steps it took
        python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print("    error:", j.get("error"), "| outcome:", j.get("outcome"))
for p in j.get("path", [])[-4:]:
    print("    ", p.get("step"), p.get("outcome"), (p.get("finding") or "")[:150])' "$out" 2>&1 | head -8
        errors=$((errors + 1))
    else
        echo "ok   $scen (KB$kb): $got (exit $rc, $ms ms)"
    fi
    case $scen in never-greets|slow-drip)
        # 1.2 x the timeout + 0.5 s: less than two timeouts in a row
        [ "$ms" -le $((to_ms * 12 / 10 + 500)) ] ||
            { echo "  took $ms ms with --timeout $to"; errors=$((errors + 1)); } ;;
    esac
    case $want in
    no-fault-found) [ $rc -eq 0 ] || { echo "  exit $rc, want 0"; errors=$((errors + 1)); } ;;
    ERROR) [ $rc -eq 3 ] || { echo "  exit $rc, want 3"; errors=$((errors + 1)); } ;;
    INCONCLUSIVE) [ $rc -eq 4 ] || { echo "  exit $rc, want 4"; errors=$((errors + 1)); } ;;
    *) [ $rc -eq 1 ] || [ $rc -eq 2 ] || { echo "  exit $rc, want 1 or 2"; errors=$((errors + 1)); } ;;
    esac
done <"$T/table"

# The ticket report: conclusion, fix, path, transcript, and no password.
start_lab lab-report sendas-denied
# shellcheck disable=SC2086
timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$PORT" --dc none --kb "$TOP/kb/kb843106.ini" --user labuser --markdown \
    $C $NO843106 --answer sendas-ace=yes \
    >"$T/report.md" 2>"$T/report.err"
echo $? >"$T/report.rc"
sanitizer_check report
stop_lab lab-report
[ "$(cat "$T/report.rc")" = 1 ] || [ "$(cat "$T/report.rc")" = 2 ] ||
    { cat "$T/report.err"; fail "diagnose --markdown exited $(cat "$T/report.rc"), want 1 or 2 (a conclusion)"; }
grep -q '^## Conclusion: `sendas-denied`' "$T/report.md" || { cat "$T/report.md"; fail "markdown lacks the conclusion"; }
grep -q '^\*\*What to do' "$T/report.md" || fail "markdown lacks the fix"
grep -q '^## Transcript' "$T/report.md" || fail "markdown lacks the transcript"
grep -q 'XEXCH50' "$T/report.md" || fail "markdown lacks the XEXCH50 exchange"
grep -q "Lab-Pass-1234" "$T/report.md" && fail "the password appears in the markdown report"
b64=$(printf '%s' 'Lab-Pass-1234' | base64)
grep -q "$b64" "$T/report.md" && fail "the base64 password appears in the markdown report"
grep -q "Lab-Pass-1234" "$T"/*.json && fail "the password appears in a JSON report"

# Commands in the report are fenced code blocks, with the names the walk
# measured filled in (never run into the prose, never Markdown-escaped).
start_lab lab-cmds spn-missing
# shellcheck disable=SC2086
timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$PORT" --dc none --kb "$TOP/kb/kb979174.ini" --user labuser \
    --markdown $F $NO979174 --answer spn-list=yes >"$T/cmds.md" 2>"$T/cmds.err"
sanitizer_check cmds
stop_lab lab-cmds
python3 - "$T/cmds.md" <<'PY' || { cat "$T/cmds.md"; fail "the report's commands are not fenced and filled in"; }
import re, sys
md = open(sys.argv[1]).read()
blocks = re.findall(r"^```\n(.*?)^```$", md, re.S | re.M)
cmds = [l for b in blocks for l in b.splitlines()]
assert "setspn -S SMTPSVC/mail1.fabrikam.com MAIL1" in cmds, cmds
assert "setspn -L MAIL1" in cmds, cmds
fix = md.split("**What to do.**", 1)[1].split("**Not ruled out", 1)[0]
outside = re.sub(r"^```\n.*?^```$", "", fix, flags=re.S | re.M)
assert "setspn" not in outside, outside
PY

[ $errors -eq 0 ] || fail "$errors scenario(s) did not reach their conclusion"
exit 0
