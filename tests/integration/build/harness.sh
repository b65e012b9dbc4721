#!/bin/sh
# The test harness itself, on throwaway scripts and stubs in $T:
#   lib.sh      a test that is signalled stops (it does not resume) and stops
#               its servers; stop_lab fails on a lab that does not stop cleanly
#   tests/run   a failure, a hang (its servers stopped too) and, under CI, a
#               skip each fail the run
#   .ci/run     sets CI=true and stops at the first failing step
. "$TOP/tests/lib/lib.sh"

# 1. lib.sh: INT and TERM end a test with 130 / 143 after cleanup (its
#    background processes killed, its scratch directory gone).  dash resumes
#    a script whose trap only cleans up.
for sig in INT TERM; do
    cat >"$T/sig.sh" <<EOF
. "\$TOP/tests/lib/lib.sh"
# (ready once exec'd: a TERM before that could land in dash's forked copy)
sh -c 'touch "\$1"; exec sleep 60' sh "\$T/ready" &
PIDS="\$PIDS \$!"
echo "\$! \$T" >"$T/sig.state"
until [ -f "\$T/ready" ]; do sleep 0.05; done
kill -$sig \$\$
echo resumed
EOF
    # timeout: bounds it, and its exec gives sh a default SIGINT even when
    # this script was started with SIGINT ignored (an async list's lot).
    timeout 30 sh "$T/sig.sh" >"$T/sig.out" 2>&1
    rc=$?
    read -r child dir <"$T/sig.state"
    want=130; [ $sig = TERM ] && want=143
    [ "$rc" = "$want" ] || { cat "$T/sig.out"; fail "SIG$sig: exit $rc, want $want"; }
    grep -q resumed "$T/sig.out" && fail "SIG$sig: the script went on after the signal"
    kill -0 "$child" 2>/dev/null && { kill "$child"; fail "SIG$sig: cleanup left its child running"; }
    [ -d "$dir" ] && fail "SIG$sig: cleanup left $dir"
done

# 2. tests/run on a copy of the tree holding four scripts.
mkdir -p "$T/top/tests/integration/x" "$T/top/tests/lib" "$T/top/build"
cp "$TOP/tests/run" "$T/top/tests/"
cp "$TOP/tests/lib/lib.sh" "$T/top/tests/lib/"
echo 'exit 0' >"$T/top/tests/integration/x/pass.sh"
echo 'echo broken; exit 1' >"$T/top/tests/integration/x/fail.sh"
echo 'exit 77' >"$T/top/tests/integration/x/skip.sh"
cat >"$T/top/tests/integration/x/hang.sh" <<EOS
. "\$TOP/tests/lib/lib.sh"
sleep 300 &
echo \$! >"$T/hang.pid"
sleep 300
EOS
suite() { # CI TESTS: tests/run on the copy, 2 s per test; output in $T/suite.out
    CI=$1 TESTS=$2 TEST_TIMEOUT=2 timeout 60 sh "$T/top/tests/run" >"$T/suite.out" 2>&1
}
verdict() { # REGEX: tests/run printed a line starting so
    grep -Eq "^$1" "$T/suite.out" || { cat "$T/suite.out"; fail "tests/run did not print /$1/"; }
}
suite true pass || { cat "$T/suite.out"; fail "tests/run failed a passing test"; }
suite true fail && { cat "$T/suite.out"; fail "tests/run passed a failing test"; }
verdict 'FAIL +integration/x/fail +rc=1'
suite true hang && { cat "$T/suite.out"; fail "tests/run passed a hanging test"; }
verdict 'FAIL +integration/x/hang +timed out after 2 s'
hung=$(cat "$T/hang.pid")
kill -0 "$hung" 2>/dev/null && { kill "$hung"; fail "the hanging test's background process outlived it"; }
suite true skip && { cat "$T/suite.out"; fail "tests/run passed a skip under CI=true"; }
verdict 'FAIL +integration/x/skip +\(skipped under CI\)'
suite false skip   # (a run of nothing but skips fails anyway: nothing ran)
verdict 'SKIP +integration/x/skip'

# 3. .ci/run in a stub tree: bootstrap, configure and make only leave marks.
mkdir -p "$T/ci/.ci" "$T/ci/scripts"
cp "$TOP/.ci/run" "$T/ci/.ci/run"
printf '#!/bin/sh\n[ ! -f fail-bootstrap ]\n' >"$T/ci/scripts/bootstrap"
printf '#!/bin/sh\n' >"$T/ci/configure"
chmod +x "$T/ci/scripts/bootstrap" "$T/ci/configure"
# shellcheck disable=SC2016 # make's $$CI, expanded by make's shell
printf '%s\n' 'check:' '	echo "CI=$$CI" >ran; test ! -f fail-check' \
    'check-asan:' '	echo check-asan >>ran' 'fuzz-run:' '	echo fuzz-run >>ran' >"$T/ci/Makefile"
ci() { # ci: run the copy with CI unset; what ran in $T/ci/ran
    rm -f "$T/ci/ran"
    (cd "$T/ci" && env -u CI -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 60 sh .ci/run) >"$T/ci.out" 2>&1
}
ci || { cat "$T/ci.out"; fail ".ci/run failed with every step passing"; }
[ "$(cat "$T/ci/ran")" = "$(printf 'CI=true\ncheck-asan\nfuzz-run')" ] ||
    { cat "$T/ci/ran"; fail ".ci/run did not run make check with CI=true, then check-asan and fuzz-run"; }
touch "$T/ci/fail-check"
ci && { cat "$T/ci.out"; fail ".ci/run passed with make check failing"; }
[ "$(cat "$T/ci/ran")" = CI=true ] || { cat "$T/ci/ran"; fail ".ci/run went on after make check failed"; }
rm "$T/ci/fail-check"; touch "$T/ci/fail-bootstrap"
ci && { cat "$T/ci.out"; fail ".ci/run passed with scripts/bootstrap failing"; }
[ ! -f "$T/ci/ran" ] || { cat "$T/ci/ran"; fail ".ci/run went on after scripts/bootstrap failed"; }

# 4. lib.sh's stop_lab: a lab that stops cleanly passes; one that exits 86,
#    prints a sanitizer report on its way out, or exits 3 fails the test.
cat >"$T/fakewiz" <<'EOS'
#!/bin/sh
# `smtpwiz lab` as start_lab sees it; on TERM: $FAKE_ERR on stderr, exit $FAKE_RC
trap 'echo "$FAKE_ERR" >&2; exit "$FAKE_RC"' TERM
echo "listening on 127.0.0.1:1 scenario x"
while :; do sleep 0.1; done
EOS
chmod +x "$T/fakewiz"
# shellcheck disable=SC2016 # expanded by stop.sh
printf '%s\n' '. "$TOP/tests/lib/lib.sh"' 'start_lab x x' 'stop_lab x' 'echo stopped' >"$T/stop.sh"
stop() { # RC ERR: exit status of stop.sh, its output in $T/stop.out
    SMTPWIZ="$T/fakewiz" FAKE_RC=$1 FAKE_ERR=$2 timeout 30 sh "$T/stop.sh" >"$T/stop.out" 2>&1
}
stop 0 "" || { cat "$T/stop.out"; fail "stop_lab failed a clean stop"; }
stop 86 "" && fail "stop_lab passed a lab that exited 86"
grep -q 'FAIL: x-lab: sanitizer report' "$T/stop.out" || { cat "$T/stop.out"; fail "stop_lab: no sanitizer verdict for 86"; }
stop 0 "==1==ERROR: LeakSanitizer: detected memory leaks" && fail "stop_lab passed a sanitizer report"
stop 3 "" && fail "stop_lab passed a lab that exited 3"
grep -q 'FAIL: x: the lab exited 3' "$T/stop.out" || { cat "$T/stop.out"; fail "stop_lab: no verdict for exit 3"; }
echo "harness: ok"
