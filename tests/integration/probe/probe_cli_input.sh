#!/bin/sh
# Input the CLI cannot use is refused with a message and exit 3, never
# mistaken for an empty answer: triage of a directory (fread fails), an
# empty --only selection; and input triage cuts is said to be cut.
. "$TOP/tests/lib/lib.sh"
export SMTPWIZ_KBDIR="$TOP/kb"

# triage of a directory: a read error (3), not "No known event" (1)
"$SMTPWIZ" triage "$T" >"$T/dir.out" 2>"$T/dir.err"
rc=$?
[ "$rc" -eq 3 ] || fail "triage DIR: exit $rc, want 3; stdout: $(cat "$T/dir.out")"
grep -q "cannot read" "$T/dir.err" || fail "triage DIR: no read error on stderr: $(cat "$T/dir.err")"
[ -s "$T/dir.out" ] && fail "triage DIR: printed a result: $(cat "$T/dir.out")"

# over 1 MiB: triage still answers, and says the input was cut
python3 -c 'import sys; sys.stdout.write("x" * (1024 * 1024 + 10) + "\n")' >"$T/big.txt"
"$SMTPWIZ" triage "$T/big.txt" >"$T/big.out" 2>"$T/big.err"
rc=$?
[ "$rc" -eq 1 ] || fail "triage BIG: exit $rc, want 1 (nothing matched)"
grep -q "only its first 1 MiB" "$T/big.err" || fail "triage BIG: the cut is not reported: $(cat "$T/big.err")"
# exactly 1 MiB is not cut
python3 -c 'import sys; sys.stdout.write("x" * (1024 * 1024))' >"$T/edge.txt"
"$SMTPWIZ" triage "$T/edge.txt" >/dev/null 2>"$T/edge.err"
grep -q "MiB" "$T/edge.err" && fail "triage EDGE: 1 MiB exactly reported as cut"
echo "probe_cli_input: unusable input refused"
