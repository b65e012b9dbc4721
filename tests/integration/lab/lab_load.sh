#!/bin/sh
# 500 concurrent sessions (EHLO, STARTTLS, EHLO, AUTH PLAIN, QUIT) against one
# lab process: all complete, in bounded time; prints sessions/s and the lab's
# peak RSS (VmHWM).
. "$TOP/tests/lib/lib.sh"
need python3
N=${LAB_LOAD_SESSIONS:-500}
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -gt $((N + 50)) ] || skip "open-file limit $(ulimit -n) too low for $N sessions"

start_lab lab e2010-healthy

start=$(date +%s)
timeout 60 python3 "$TOP/tests/peers/lab_load.py" "$PORT" "$N" >"$T/load.txt" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
cat "$T/load.txt"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$LABPID/status")
echo "lab peak RSS (VmHWM): $hwm"
[ "$rc" -eq 0 ] || fail "not every session completed (client exit $rc)"
[ "$secs" -lt 60 ] || fail "$N sessions took $secs s (limit 60)"
kill -0 "$LABPID" 2>/dev/null || fail "the lab died under load"
# a second wave on the same process: nothing leaked that breaks it
timeout 60 python3 "$TOP/tests/peers/lab_load.py" "$PORT" 50 >"$T/load2.txt" 2>&1 \
    || { cat "$T/load2.txt"; fail "the lab did not serve a second wave"; }
hwm_kb=${hwm% kB}
[ "${hwm_kb:-0}" -lt 512000 ] || fail "peak RSS $hwm is not bounded (over 500 MB)"
kill "$LABPID"
wait "$LABPID"
lrc=$?
[ "$lrc" -eq 0 ] || { tail -n 30 "$T/lab-lab.err"; fail "the lab exited $lrc after SIGTERM (sanitizer report above?)"; }
