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

# Truthful answers: what the admin of each lab's servers would answer.
# Every question of an article answered no (a healthy environment), then
# the scenario's own fault answered yes; --domain names the organisation the
# labs' servers belong to (contoso.com for the 2003 ones, fabrikam.com for
# the 2010 ones), as an admin would give it.
Q843="accompanying-symptoms other-org not-offered iwa-setting sendas-ace sendas-sender tls-sender exps-events firewall-between firewall-bypass other-org-confirm ims-confirm"
Q979="internal-exchange clock-which clock-here clock-dc replication spn-list spn-dupes kerberos-ports exchangeauth-check kerberos-log kerberos-log-spn"
no_to() { for q in $1; do printf -- '--answer %s=no ' "$q"; done; }
NO843106=$(no_to "$Q843")
NO979174=$(no_to "$Q979")
C="--domain contoso.com"
F="--domain fabrikam.com"

# scenario | kb | expected conclusion id, INCONCLUSIVE or ERROR | extra arguments
# (a later --answer for the same question wins)
cat >"$T/table" <<EOT
e2003-healthy|843106|no-fault-found|$C $NO843106
e2010-healthy|843106|no-fault-found|$F $NO843106
e2010-healthy|979174|no-fault-found|$F $NO979174
e2010-healthy|843106|INCONCLUSIVE|$F
iwa-disabled|843106|iwa-disabled|$C $NO843106
sendas-denied|843106|sendas-denied|$C $NO843106 --answer sendas-ace=yes
tls-without-auth|843106|tls-without-auth|$C $NO843106 --answer tls-sender=yes
exps-logon-denied|843106|exps-auth-failed|$C $NO843106 --answer exps-events=yes
firewall-fixup|843106|firewall-interference|$C $NO843106
legacy-ims|843106|legacy-ims|$C $NO843106 --answer ims-confirm=yes
cross-org|843106|cross-org-expected|$C $NO843106
clock-skew|979174|clock-skew|$F $NO979174 --answer clock-which=yes
no-exchangeauth|979174|exchangeauth-disabled|$F $NO979174
spn-missing|979174|spn-missing|$F $NO979174 --answer spn-list=yes
back-pressure|843106|INCONCLUSIVE|$F $NO843106
dc-replication|979174|dc-replication|$F $NO979174 --answer replication=yes
e2013-frontend|843106|no-fault-found|$F $NO843106
e2013-frontend|979174|no-fault-found|$F $NO979174
exim-internet|843106|cross-org-expected|$C $NO843106
exim-internet|979174|not-internal-exchange|$C $NO979174
postfix-internet|843106|cross-org-expected|$C $NO843106
postfix-internet|979174|not-internal-exchange|$C $NO979174
sendmail-internet|843106|cross-org-expected|$C
sendmail-internet|979174|not-internal-exchange|$C
greeting-421|843106|ERROR|$F $NO843106
greeting-421|979174|ERROR|$F $NO979174
kerberos-ports-blocked|979174|kerberos-ports-blocked|$F $NO979174 --answer kerberos-ports=yes
local-clock|979174|local-clock|$F $NO979174 --answer clock-here=yes
spn-duplicate|979174|spn-duplicate|$F $NO979174 --answer spn-dupes=yes
ansi-banner|843106|ERROR|
endless-line|979174|ERROR|
slow-drip|843106|ERROR|
huge-ehlo|979174|ERROR|
early-close|843106|ERROR|
tls-garbage|843106|INCONCLUSIVE|
tls-garbage|979174|ERROR|
never-greets|979174|ERROR|
EOT

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

[ $errors -eq 0 ] || fail "$errors scenario(s) did not reach their conclusion"
exit 0
