#!/bin/sh
# A timeout says how long was waited and what did come (issue 13): the
# slow-drip lab drips its greeting a byte a second, so after 1.5 s the
# banner finding names the timeout and the bytes received so far, quoted;
# never-greets sends nothing: "no reply within 1.0 s".
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
start_lab drip slow-drip
"$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --only banner --timeout 1.5 --json >"$T/drip.json"
echo "slow-drip: exit $?"
stop_lab drip
s=$(jget "$T/drip.json" '[p for p in j["probes"] if p["name"] == "banner"][0]["summary"]')
echo "  $s"
printf '%s\n' "$s" | grep -Eq 'no complete reply within 1\.5 s: [1-9][0-9]* bytes received, the last line so far "2' ||
    fail "slow-drip: the finding does not name the timeout and the bytes received"
start_lab mute never-greets
"$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --only banner --timeout 1 --json >"$T/mute.json"
echo "never-greets: exit $?"
stop_lab mute
s=$(jget "$T/mute.json" '[p for p in j["probes"] if p["name"] == "banner"][0]["summary"]')
echo "  $s"
printf '%s\n' "$s" | grep -q 'no reply within 1\.0 s' || fail "never-greets: the finding does not name the timeout"
exit 0
