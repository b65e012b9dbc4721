#!/bin/sh
# A timeout says how long was waited and what did come (issue 13): the
# slow-drip lab drips its greeting a byte a second, so after 1.5 s the
# banner finding names the timeout and the bytes received so far, quoted;
# never-greets sends nothing: "no reply within 1.0 s".
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
# banner NAME SCENARIO TIMEOUT: the banner finding of one probe of the lab
# SCENARIO, in s.
banner() {
    start_lab "$1" "$2"
    "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --only banner --timeout "$3" --json >"$T/$1.json"
    echo "$2: exit $?"
    stop_lab "$1"
    s=$(jget "$T/$1.json" '[p for p in j["probes"] if p["name"] == "banner"][0]["summary"]')
    echo "  $s"
}
banner drip slow-drip 1.5
printf '%s\n' "$s" | grep -Eq 'no complete reply within 1\.5 s: [1-9][0-9]* bytes received, the last line so far "2' ||
    fail "slow-drip: the finding does not name the timeout and the bytes received"
banner mute never-greets 1
printf '%s\n' "$s" | grep -q 'no reply within 1\.0 s' || fail "never-greets: the finding does not name the timeout"
exit 0
