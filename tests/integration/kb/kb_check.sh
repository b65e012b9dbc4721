#!/bin/sh
# smtpwiz kb check: the shipped articles pass; a broken file fails non-zero
# and names file:line for each problem.
. "$TOP/tests/lib/lib.sh"

"$SMTPWIZ" kb check "$TOP"/kb/kb*.ini >"$T/ok.out" 2>&1 || { cat "$T/ok.out"; fail "kb check rejects the shipped articles"; }
grep -q "kb843106.ini: ok" "$T/ok.out" || fail "no ok line for kb843106.ini"
grep -q "kb979174.ini: ok" "$T/ok.out" || fail "no ok line for kb979174.ini"

cat >"$T/broken.ini" <<'INI'
[article]
id = 1
title = Broken
source = test
start = a

[step a]
kind = probe
probe = ehlo
title = A
why = W
when = ehlo.nosuch has X -> b
default = nowhere

[step b]
kind = conclusion
title = B
means = M
fix = F
INI
if "$SMTPWIZ" kb check "$T/broken.ini" >"$T/bad.out" 2>&1; then
    fail "kb check accepted a broken file"
fi
grep -q "^$T/broken.ini:12: probe \"ehlo\" has no fact \"nosuch\"" "$T/bad.out" || { cat "$T/bad.out"; fail "no file:line for the unknown fact"; }
grep -q "^$T/broken.ini:13: branch to missing step \"nowhere\"" "$T/bad.out" || { cat "$T/bad.out"; fail "no file:line for the missing step"; }
"$SMTPWIZ" kb check /nonexistent.ini >/dev/null 2>&1 && fail "kb check accepted a missing file"
exit 0
