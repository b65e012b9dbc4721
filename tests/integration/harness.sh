#!/bin/sh
# The test harness itself, on throwaway scripts in $T: a test that is
# signalled stops (it does not resume) and stops its servers.
. "$TOP/tests/lib.sh"

# 1. lib.sh: INT and TERM end a test with 130 / 143 after cleanup (its
#    background processes killed, its scratch directory gone).  dash resumes
#    a script whose trap only cleans up.
for sig in INT TERM; do
    cat >"$T/sig.sh" <<EOF
. "\$TOP/tests/lib.sh"
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
echo "harness: ok"
