#!/bin/sh
# The test harness itself, on throwaway scripts and stubs in $T:
#   lib.sh      a test that is signalled stops (it does not resume) and stops
#               its servers; stop_lab fails on a lab that does not stop cleanly
#   tests/run   a failure, a hang (its servers stopped too) and, under CI, a
#               skip each fail the run; JOBS tests run at once, a hang fails
#               alone, a signal stops them all; longest first
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
X=$T/top/tests/integration
mkdir -p "$X/x" "$X/par" "$X/mix" "$X/stop" "$X/order" "$T/top/tests/lib" "$T/top/build"
cp "$TOP/tests/run" "$T/top/tests/"
cp "$TOP/tests/lib/lib.sh" "$T/top/tests/lib/"
echo 'exit 0' >"$X/x/pass.sh"
echo 'echo broken; exit 1' >"$X/x/fail.sh"
echo 'exit 77' >"$X/x/skip.sh"
hang() { # NAME: a test that starts a server (its pid in $T/NAME.pid) and hangs
    cat <<EOS
. "\$TOP/tests/lib/lib.sh"
sleep 300 &
echo \$! >"$T/$1.pid"
sleep 300
EOS
}
hang hang >"$X/mix/hang.sh"
# outlives PID: the process still runs 2 s on.  Its TERM came with its
# test's, but nothing waits for it: it may take a moment to die, and as a
# zombie (state Z, until init reaps it) it has.
outlives() {
    _n=0
    while [ -d "/proc/$1" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'; do
        _n=$((_n + 1)); [ $_n -le 40 ] || return 0
        sleep 0.05
    done
    return 1
}
suite() { # CI TESTS [VAR=value...]: tests/run on the copy, 5 s per test; output in $T/suite.out
    _ci=$1 _tests=$2
    shift 2
    env CI="$_ci" TESTS="$_tests" TEST_TIMEOUT=5 JOBS=2 "$@" timeout 60 sh "$T/top/tests/run" >"$T/suite.out" 2>&1
}
verdict() { # REGEX: tests/run printed a line starting so
    grep -Eq "^$1" "$T/suite.out" || { cat "$T/suite.out"; fail "tests/run did not print /$1/"; }
}
suite true x/pass || { cat "$T/suite.out"; fail "tests/run failed a passing test"; }
suite true x/fail && { cat "$T/suite.out"; fail "tests/run passed a failing test"; }
verdict 'FAIL +integration/x/fail +rc=1'
suite true x/skip && { cat "$T/suite.out"; fail "tests/run passed a skip under CI=true"; }
verdict 'FAIL +integration/x/skip +\(skipped under CI\)'
suite false x/skip   # (a run of nothing but skips fails anyway: nothing ran)
verdict 'SKIP +integration/x/skip'
# JOBS: twice the number of cores unless given; a number from 1 or nothing runs.
(unset JOBS; CI=true TESTS=x/pass timeout 60 sh "$T/top/tests/run" >"$T/suite.out" 2>&1)
verdict "1 tests in .* $(( $(getconf _NPROCESSORS_ONLN) * 2 )) at a time"
suite true x/pass JOBS=0 && { cat "$T/suite.out"; fail "tests/run ran with JOBS=0"; }
verdict 'tests/run: JOBS must be'

# 2b. JOBS=2: two tests that each pass only once the other has started
#     really run at the same time; under JOBS=1 they cannot.
for m in 1 2; do
    printf '%s\n' "touch '$T/meet$m'; i=0" \
        "until [ -f '$T/meet$((3 - m))' ]; do i=\$((i + 1)); [ \$i -le 20 ] || exit 1; sleep 0.05; done" \
        >"$X/par/meet$m.sh"
done
suite true par/ || { cat "$T/suite.out"; fail "JOBS=2 did not run two tests at once"; }
rm -f "$T/meet1" "$T/meet2"
suite true par/ JOBS=1 && { cat "$T/suite.out"; fail "JOBS=1 ran two tests at once"; }

# 2c. A hang beside other tests (1 s each): it times out, its server is
#     stopped too, and it fails alone; the others finish and are reported
#     as they finish, each failure's output in one block.
echo 'exit 0' >"$X/mix/quick.sh"
for n in 1 2; do
    # shellcheck disable=SC2016 # the script's own $i
    printf 'i=0; while [ $i -lt 80 ]; do echo "noisy%s line $i"; i=$((i + 1)); done; exit 1\n' "$n" \
        >"$X/mix/noisy$n.sh"
done
suite true mix/ TEST_TIMEOUT=1 && { cat "$T/suite.out"; fail "tests/run passed a hanging test"; }
verdict 'FAIL +integration/mix/hang +timed out after 1 s'
verdict 'PASS +integration/mix/quick '
verdict 'FAIL +integration/mix/noisy1 +rc=1'
verdict 'FAIL +integration/mix/noisy2 +rc=1'
hung=$(cat "$T/hang.pid")
outlives "$hung" && { kill "$hung"; fail "the hanging test's background process outlived it"; }
grep -n 'integration/mix/quick\|integration/mix/hang' "$T/suite.out" | head -n 1 | grep -q quick ||
    { cat "$T/suite.out"; fail "the quick test was reported after the hang (it waited for it)"; }
# The 60 lines after each noisy test's verdict are its own (its last 60).
for n in 1 2; do
    sed -n "/^FAIL  integration\/mix\/noisy$n /,\$p" "$T/suite.out" | sed -n 2,61p >"$T/block$n"
    [ "$(grep -c "^    | noisy$n line" "$T/block$n")" = 60 ] && grep -q "noisy$n line 79" "$T/block$n" ||
        { cat "$T/suite.out"; fail "noisy$n: its output is not one block of its last 60 lines"; }
done

# 2d. INT or TERM to tests/run stops every running test (and its servers)
#     at once and exits 130 / 143.  (timeout: its exec gives tests/run a
#     default SIGINT; it passes the signal on to tests/run's whole process
#     group, as a terminal's Ctrl-C does.)
hang stop1 >"$X/stop/hang1.sh"
hang stop2 >"$X/stop/hang2.sh"
for sig in INT TERM; do
    rm -f "$T/stop1.pid" "$T/stop2.pid"
    CI=true TESTS=stop/ TEST_TIMEOUT=60 JOBS=2 timeout 60 sh "$T/top/tests/run" >"$T/suite.out" 2>&1 &
    runner=$!
    i=0
    until [ -s "$T/stop1.pid" ] && [ -s "$T/stop2.pid" ]; do
        i=$((i + 1)); [ $i -le 100 ] || { kill "$runner"; fail "SIG$sig: the two hanging tests did not both start"; }
        sleep 0.05
    done
    t0=$(date +%s)
    kill -$sig "$runner"
    wait "$runner"
    rc=$?
    want=130; [ $sig = TERM ] && want=143
    [ "$rc" = "$want" ] || { cat "$T/suite.out"; fail "SIG$sig: tests/run exited $rc, want $want"; }
    [ $(($(date +%s) - t0)) -le 5 ] || fail "SIG$sig: tests/run took more than 5 s to stop"
    for p in stop1 stop2; do
        outlives "$(cat "$T/$p.pid")" && { kill "$(cat "$T/$p.pid")"; fail "SIG$sig: $p's server outlived tests/run"; }
    done
    verdict "stopped by SIG$sig"
done

# 2e. Longest first: by the times tests/tmp/timings keeps (a test with none
#     counts as 1 s), then by name; each run records the times it took.
for n in a b c; do echo 'exit 0' >"$X/order/$n.sh"; done
mkdir -p "$T/top/tests/tmp"
printf '%s\n' 'integration/order/c 3.5' 'integration/order/a 0.5' 'integration/order/b 1' >"$T/top/tests/tmp/timings"
printf '%s\n' 'integration/x/pass 2' >>"$T/top/tests/tmp/timings"
suite true order/ JOBS=1 || { cat "$T/suite.out"; fail "the order/ tests failed"; }
[ "$(sed -n 's/^PASS  integration\/order\/\([abc]\) .*/\1/p' "$T/suite.out" | tr -d '\n')" = cba ] ||
    { cat "$T/suite.out"; fail "not run longest first (c, b, a)"; }
for n in a b c; do
    grep -Eq "^integration/order/$n [0-9]+\.[0-9]+\$" "$T/top/tests/tmp/timings" ||
        { cat "$T/top/tests/tmp/timings"; fail "no new time recorded for order/$n"; }
done
grep -qx 'integration/x/pass 2' "$T/top/tests/tmp/timings" ||
    { cat "$T/top/tests/tmp/timings"; fail "the time of a test that did not run was lost"; }

# 3. .ci/run in a stub tree: bootstrap, configure and make only leave marks.
mkdir -p "$T/ci/.ci" "$T/ci/scripts"
cp "$TOP/.ci/run" "$T/ci/.ci/run"
printf '#!/bin/sh\n[ ! -f fail-bootstrap ]\n' >"$T/ci/scripts/bootstrap"
printf '#!/bin/sh\n' >"$T/ci/configure"
chmod +x "$T/ci/scripts/bootstrap" "$T/ci/configure"
# shellcheck disable=SC2016 # make's $$CI, expanded by make's shell
printf '%s\n' 'check:' '	echo "CI=$$CI" >ran; test ! -f fail-check' \
    'check-asan:' '	echo check-asan >>ran' 'fuzz-run:' '	echo fuzz-run >>ran' \
    'bench:' '	echo bench >>ran' >"$T/ci/Makefile"
ci() { # ci: run the copy with CI unset; what ran in $T/ci/ran
    rm -f "$T/ci/ran"
    (cd "$T/ci" && env -u CI -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 60 sh .ci/run) >"$T/ci.out" 2>&1
}
ci || { cat "$T/ci.out"; fail ".ci/run failed with every step passing"; }
[ "$(cat "$T/ci/ran")" = "$(printf 'CI=true\ncheck-asan\nfuzz-run\nbench')" ] ||
    { cat "$T/ci/ran"; fail ".ci/run did not run make check with CI=true, then check-asan, fuzz-run and bench"; }
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
