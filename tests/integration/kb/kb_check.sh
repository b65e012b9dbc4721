#!/bin/sh
# smtpwiz kb check: the shipped articles pass; a broken file fails non-zero
# and names file:line for each problem.  One catalog: a new article in the
# knowledge-base directory is seen by kb check, triage and diagnose alike
# (they used a built-in list of two ids while the wizard scanned the
# directory); a fact a probe declares (connect.failure) is accepted.
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

# A new article beside the shipped ones.
K=$T/kb
mkdir -p "$K"
cp "$TOP"/kb/kb*.ini "$K/"
cat >"$K/kb900001.ini" <<'INI'
[article]
id = 900001
title = A local article
source = this test
start = reach

[step reach]
kind = probe
probe = connect
title = Reach
why = W
when = connect.failure = refused -> refused
because = Nothing listens on that port.
default = fine
because = Something answered.
error = fine
because = The connection could not be tried.

[step refused]
kind = conclusion
title = Refused
means = M
fix = F
severity = warn

[step fine]
kind = conclusion
title = Fine
means = M
fix = F
severity = ok

[triage local-marker]
match = zz-local-marker-42
step = reach
what = The local article's marker
weight = 50
INI
SMTPWIZ_KBDIR=$K "$SMTPWIZ" kb check >"$T/cat.out" 2>&1 || { cat "$T/cat.out"; fail "kb check (the catalog) failed"; }
grep -q "kb900001.ini: ok (KB900001" "$T/cat.out" || { cat "$T/cat.out"; fail "kb check did not see the new article"; }
echo "error zz-local-marker-42 here" | SMTPWIZ_KBDIR=$K "$SMTPWIZ" triage - >"$T/tri.out" 2>&1 ||
    { cat "$T/tri.out"; fail "triage did not match the new article's pattern"; }
grep -q "900001" "$T/tri.out" || { cat "$T/tri.out"; fail "triage did not name KB900001"; }
# diagnose --kb 900001: a refused port (nothing listens there) takes the
# connect.failure branch.
port=$(free_port)
SMTPWIZ_KBDIR=$K "$SMTPWIZ" diagnose 127.0.0.1 -p "$port" --kb KB900001 --timeout 2 --json \
    >"$T/d.json" 2>"$T/d.err"
[ "$(concl d)" = refused ] || { cat "$T/d.json" "$T/d.err"; fail "diagnose --kb 900001 did not take connect.failure"; }
SMTPWIZ_KBDIR=$K "$SMTPWIZ" diagnose 127.0.0.1 -p "$port" --kb 12345 >"$T/n.out" 2>&1 &&
    fail "diagnose accepted an unknown article"
grep -q "the articles are: 843106 900001 979174" "$T/n.out" || { cat "$T/n.out"; fail "no list of the articles"; }
exit 0
