# Shared helpers for integration tests (POSIX sh).  Source it:  . "$TOP/tests/lib.sh"
set -u
: "${TOP:?run through tests/run or set TOP}"
: "${SMTPWIZ:=$TOP/smtpwiz}"
T=$(mktemp -d "$TOP/tests/tmp/$(basename "$0" .sh).XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
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
