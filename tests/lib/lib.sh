# Shared helpers for integration tests (POSIX sh).  Source it:  . "$TOP/tests/lib/lib.sh"
set -u
: "${TOP:?run through tests/run or set TOP}"
: "${SMTPWIZ:=$TOP/smtpwiz}"
# Each test's scratch directory; never empty (every path below hangs off it).
mkdir -p "$TOP/tests/tmp" &&
    T=$(mktemp -d "$TOP/tests/tmp/$(basename "$0" .sh).XXXXXX") && [ -d "$T" ] ||
    { echo "FAIL: cannot create a scratch directory under $TOP/tests/tmp" >&2; exit 1; }
PIDS=""
cleanup() {
    # CONT before TERM: a peer a test stopped (SIGSTOP) must still end, and
    # a CONT that came during the exit would upset LeakSanitizer's tracer
    # (under make check-asan the lab then spins at its exit)
    for p in $PIDS; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
# cleanup runs on every exit.  INT and TERM must end the script as well: a
# trap that only cleaned up would let dash carry on after the signal.  Their
# exit runs the EXIT trap, so cleanup runs once.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed (scripts/bootstrap installs it)"; }
# A free TCP port on 127.0.0.1 (the kernel picks it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Wait until 127.0.0.1:$1 accepts, at most $2 seconds (default 10).
wait_port() {
    python3 - "$1" "${2:-10}" <<'PY' || fail "nothing listens on 127.0.0.1:$1"
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}
# jq-free JSON queries: jget FILE 'python expression over j'
jget() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# On the --json output of a run saved as $T/NAME.json:
#   pfield NAME PROBE KEY   a field of that probe's result (status, summary ...)
#   pfact NAME PROBE FACT   one of its facts (None when the probe has not got it)
#   concl NAME              diagnose's conclusion id, or ERROR
#   outcome NAME STEP       the outcome of STEP on diagnose's path, or absent
pfield() { jget "$T/$1.json" "[p for p in j['probes'] if p['name'] == '$2'][0]['$3']"; }
pfact() { jget "$T/$1.json" "[p for p in j['probes'] if p['name'] == '$2'][0]['facts'].get('$3')"; }
concl() { jget "$T/$1.json" 'j["conclusion"]["id"] if j["conclusion"] else "ERROR"'; }
outcome() { jget "$T/$1.json" "([p['outcome'] for p in j['path'] if p['step'] == '$2'] + ['absent'])[0]"; }
#   because NAME STEP       the sentence of the branch STEP took (its `because`)
because() { jget "$T/$1.json" "([p.get('because', '').replace(chr(10), ' ') for p in j['path'] if p['step'] == '$2'] + ['absent'])[0]"; }
# in_range VALUE LOW HIGH: VALUE is a number in [LOW, HIGH].
in_range() {
    python3 -c 'import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= v <= hi)' \
        "$1" "$2" "$3" 2>/dev/null
}
# between NAME PROBE FACT LOW HIGH: that numeric fact lies in [LOW, HIGH].
between() {
    _v=$(pfact "$1" "$2" "$3")
    in_range "$_v" "$4" "$5" || fail "$1: $2 $3 = $_v, want $4..$5"
}
# Under make check-asan a report makes smtpwiz exit 86/87: fail on it here,
# since the checks after a run mostly read its JSON.
sanitizer_check() { # NAME (reads $T/NAME.rc and $T/NAME.err)
    case $(cat "$T/$1.rc") in 86|87) cat "$T/$1.err" >&2; fail "$1: sanitizer report" ;; esac
    if grep -q 'Sanitizer' "$T/$1.err"; then cat "$T/$1.err" >&2; fail "$1: sanitizer report"; fi
}
# start_lab NAME SCENARIO [LAB ARGS...]: `smtpwiz lab` in the background on a
# free loopback port with the scenarios of kb/labs; stdout in $T/NAME.out,
# stderr in $T/NAME-lab.err.  Sets PORT and LABPID (LABPID is in PIDS, so
# cleanup stops it).  $LAB_ENV, if set, holds VAR=value words for the lab's
# environment only (libfaketime for one process, say).
start_lab() {
    _name=$1 _sc=$2
    shift 2
    # Empty the file here, not only in the background job's redirection: a
    # NAME started again (a scenario in two rows) must not read the port
    # the last lab of that NAME printed before the new one has begun.
    : >"$T/$_name.out"
    # shellcheck disable=SC2086 # LAB_ENV is a list of words by design
    env ${LAB_ENV:-} "$SMTPWIZ" lab --scenarios "$TOP/kb/labs" --scenario "$_sc" "$@" \
        >"$T/$_name.out" 2>"$T/$_name-lab.err" &
    LABPID=$!
    PIDS="$PIDS $LABPID"
    # The lab prints its port within milliseconds: poll often (10 s at most;
    # the first look may come before its shell has created the file).
    _i=0
    while [ "$_i" -lt 500 ]; do
        PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) scenario .*/\1/p' "$T/$_name.out" 2>/dev/null)
        [ -n "$PORT" ] && return 0
        kill -0 "$LABPID" 2>/dev/null || break
        sleep 0.02
        _i=$((_i + 1))
    done
    cat "$T/$_name.out" "$T/$_name-lab.err" >&2
    fail "the lab $_name (scenario $_sc) did not print its port"
}
# stop_lab NAME: SIGTERM the lab that start_lab NAME started and wait for
# it.  SIGTERM is a clean stop (exit 0); any other status fails the test: a
# sanitizer report (86/87, or one printed on the way out), a crash, a lab
# that had died already.  The status is kept in $T/NAME-lab.rc.
stop_lab() {
    kill "$LABPID" 2>/dev/null
    wait "$LABPID"
    echo $? >"$T/$1-lab.rc"
    # Reaped: cleanup must not signal the pid again (it may be reused).
    PIDS=$(echo " $PIDS " | sed "s/ $LABPID / /")
    sanitizer_check "$1-lab"
    [ "$(cat "$T/$1-lab.rc")" = 0 ] ||
        { tail -n 30 "$T/$1-lab.err" >&2; fail "$1: the lab exited $(cat "$T/$1-lab.rc")"; }
}
