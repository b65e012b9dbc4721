#!/bin/sh
# The command line's one style (issue 13): every command takes --help
# (exit 0, usage first, no line over 80 columns); a usage error names the
# problem on its first line and points at --help, in at most three lines,
# exit 3; a server that cannot be examined (nothing listens) is exit 3 for
# probe and diagnose alike; probe prints its findings before the
# transcript, and -q the findings only.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
bad=0
for c in "" probe diagnose triage kb "kb check" lab; do
    # shellcheck disable=SC2086
    "$SMTPWIZ" $c --help >"$T/help" 2>&1
    rc=$?
    w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/help")
    first=$(head -n 1 "$T/help")
    echo "smtpwiz $c --help: exit $rc, widest $w, $(wc -l <"$T/help") lines"
    [ "$rc" -eq 0 ] || { echo "FAIL exit $rc"; bad=$((bad + 1)); }
    [ "$w" -le 80 ] || { echo "FAIL a line of $w columns"; bad=$((bad + 1)); }
    case $first in "usage: smtpwiz"*) ;; *) echo "FAIL first line: $first"; bad=$((bad + 1)) ;; esac
done
# usage errors: COMMAND LINE | what the first line must say
while IFS='|' read -r args want; do
    # shellcheck disable=SC2086
    "$SMTPWIZ" $args >"$T/out" 2>"$T/err"
    rc=$?
    first=$(head -n 1 "$T/err")
    echo "smtpwiz $args: exit $rc: $first"
    [ "$rc" -eq 3 ] || { echo "FAIL exit $rc, want 3"; bad=$((bad + 1)); }
    printf '%s\n' "$first" | grep -q -- "$want" || { echo "FAIL want /$want/"; bad=$((bad + 1)); }
    [ "$(wc -l <"$T/err")" -le 3 ] || { cat "$T/err"; echo "FAIL more than 3 lines"; bad=$((bad + 1)); }
    [ -s "$T/out" ] && { echo "FAIL a usage error wrote to stdout"; bad=$((bad + 1)); }
    grep -q -- "--help" "$T/err" || { echo "FAIL no pointer to --help"; bad=$((bad + 1)); }
done <<'EOT'
bogus|unknown command "bogus"
probe|which server
probe a b|one HOST only
probe --bogus x|unrecognized option
diagnose|which server
diagnose 127.0.0.1|which article
diagnose 127.0.0.1 --kb 843106 --bogus|unrecognized option
triage --bogus|unknown option
triage a b|one FILE only
kb bogus|unknown action
lab --bogus|unknown option
EOT
"$SMTPWIZ" diagnose 127.0.0.1 --kb 1234 --dc none 2>"$T/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q '843106 979174' "$T/err" ||
    { cat "$T/err"; echo "FAIL --kb 1234: exit $rc, or the valid ids not listed"; bad=$((bad + 1)); }

# nothing listens: could not examine, 3 from both
port=$(free_port)
"$SMTPWIZ" probe 127.0.0.1 -p "$port" --timeout 2 >"$T/probe.out" 2>&1
prc=$?
"$SMTPWIZ" diagnose 127.0.0.1 -p "$port" --kb 843106 --dc none --timeout 2 >"$T/diag.out" 2>&1
drc=$?
echo "refused port: probe exit $prc, diagnose exit $drc"
[ "$prc" -eq 3 ] && [ "$drc" -eq 3 ] || { echo "FAIL want 3 from both"; bad=$((bad + 1)); }

# findings first, then the transcript; -q: the findings only
start_lab order e2003-healthy
"$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --only connect,banner,ehlo >"$T/full.out" 2>&1
"$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --only connect,banner,ehlo -q >"$T/quiet.out" 2>&1
stop_lab order
f=$(grep -n '^Findings' "$T/full.out" | cut -d: -f1)
t=$(grep -n '^Transcript' "$T/full.out" | cut -d: -f1)
[ -n "$f" ] && [ -n "$t" ] && [ "$f" -lt "$t" ] ||
    { cat "$T/full.out"; echo "FAIL the findings do not come before the transcript"; bad=$((bad + 1)); }
grep -q 'banner' "$T/quiet.out" && ! grep -q '^Transcript' "$T/quiet.out" && ! grep -q 'EHLO ' "$T/quiet.out" ||
    { cat "$T/quiet.out"; echo "FAIL -q is not the findings only"; bad=$((bad + 1)); }
[ "$bad" -eq 0 ] || fail "$bad problems"
exit 0
