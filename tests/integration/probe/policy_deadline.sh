#!/bin/sh
# Every run has a deadline (--deadline, default 120 s).  The peer answers
# every command 0.7 s late, just inside --timeout 1, so no single wait times
# out and only the deadline can end the run: probe and diagnose end within
# --deadline 3 and a small margin, and the probes that did not get to run say
# why.  Without a deadline such a server kept a run going for minutes.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
export SMTPWIZ_PASSWORD='Pol1cy-Secret-9x' SMTPWIZ_PEER_DELAY=0.7
start_policy slow
for cmd in probe diagnose; do
    extra=
    [ "$cmd" = diagnose ] && extra="--kb 843106"
    set -- $(python3 "$TOP/tests/lib/measure.py" "$T/$cmd.out" "$T/$cmd.err" timeout 60 "$SMTPWIZ" \
        $cmd 127.0.0.1 -p "$HPORT" --timeout 1 --deadline 3 --user carol.policy --json $extra)
    echo "$3" >"$T/$cmd.rc"
    sanitizer_check "$cmd"
    echo "$cmd: $2 s, $1 KiB, exit $3"
    in_range "$2" 2.5 4.5 || fail "$cmd: $2 s with --deadline 3 (want 3 and a small margin)"
    check json "$T/$cmd.out"
done
cp "$T/probe.out" "$T/probe.json"
jget "$T/probe.json" "[p['summary'] for p in j['probes'] if p['status'] == 'error']" |
    grep -q "Not run: the run's deadline of 3 s has passed" ||
    fail "no probe says the deadline stopped it: $(jget "$T/probe.json" "[(p['name'], p['summary']) for p in j['probes']]")"
[ "$(cat "$T/probe.rc")" = 3 ] || fail "probe: exit $(cat "$T/probe.rc"), want 3 (could not run)"
echo "policy_deadline: the run ends by its deadline"
