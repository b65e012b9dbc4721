#!/bin/sh
# kdc-time against a real MIT KDC (tests/lib/kdc.sh): the KDC's clock is
# read from the KRB-ERROR a bare AS-REQ draws, with no credentials.  Pins:
# within 2 s of ours on a normal KDC; a failure of about 600 s with the KDC
# under libfaketime +10 minutes; an error (not a crash) when nothing answers.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/kdc.sh"
need_kdc
need_faketime
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
kdc_create
NOSMTP=$(free_port)   # the SMTP side is not under test: nothing listens there

# run NAME DC ARGS...: kdc-time only, JSON in $T/NAME.json, exit status in $T/NAME.rc
run() {
    name=$1 dc=$2; shift 2
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$NOSMTP" --timeout 3 --json --only kdc-time \
        --dc "$dc" "$@" >"$T/$name.json" 2>"$T/$name.err"
    echo $? > "$T/$name.rc"
    sanitizer_check "$name"
}

# 1. A KDC with the right clock.
kdc_start
run good "127.0.0.1:$KDC_PORT" --realm "$KRB_REALM"
[ "$(pfield good kdc-time status)" = pass ] || { cat "$T/good.json"; fail "kdc-time did not pass on a KDC with our clock"; }
between good kdc-time skew_local_s -2 2   # a KDC sharing our clock
[ "$(pfact good kdc-time krb_error)" = KDC_ERR_C_PRINCIPAL_UNKNOWN ] ||
    fail "expected the made-up principal to be unknown, got $(pfact good kdc-time krb_error)"
[ "$(pfact good kdc-time kdc_realm)" = "$KRB_REALM" ] || fail "realm in the KRB-ERROR: $(pfact good kdc-time kdc_realm)"
grep -q 'CLIENT_NOT_FOUND: smtpwiz-clock-probe@SMTPWIZ.TEST' "$KDC_DIR/kdc.log" ||
    fail "the KDC's log does not show our AS-REQ"
[ "$(cat "$T/good.rc")" = 0 ] || fail "exit status $(cat "$T/good.rc") for a pass"

# 1b. Two domain controllers, the first down: the clock comes from the one
#     that answers (only the first was ever asked).
DOWN=$(free_port)
run two "127.0.0.1:$DOWN 127.0.0.1:$KDC_PORT" --realm "$KRB_REALM"
[ "$(pfield two kdc-time status)" = pass ] || { cat "$T/two.json"; fail "two DCs, the first down: $(pfield two kdc-time summary)"; }
[ "$(pfact two kdc-time kdc_port)" = "$KDC_PORT" ] || fail "two DCs: read from port $(pfact two kdc-time kdc_port)"

# 2. No realm given and nothing to derive it from: any realm still draws a KRB-ERROR.
run norealm "127.0.0.1:$KDC_PORT"
[ "$(pfield norealm kdc-time status)" = pass ] || { cat "$T/norealm.json"; fail "kdc-time without --realm"; }
kdc_stop

# 3. The same KDC 10 minutes ahead (libfaketime on krb5kdc only).
kdc_start +10m
run skew "127.0.0.1:$KDC_PORT" --realm "$KRB_REALM"
[ "$(pfield skew kdc-time status)" = fail ] || { cat "$T/skew.json"; fail "a KDC 10 minutes ahead did not fail"; }
between skew kdc-time skew_local_s 590 610   # the KDC at +10 min
pfield skew kdc-time summary | grep -q "is 60[0-9] s ahead of this machine's: beyond Kerberos's 5-minute limit" ||
    fail "summary: $(pfield skew kdc-time summary)"
[ "$(cat "$T/skew.rc")" = 2 ] || fail "exit status $(cat "$T/skew.rc") for a failure"
kdc_stop

# 4. The first UDP datagram lost (a relay drops it; TCP is refused there, so
#    the probe falls back to UDP and sends again at half the timeout): the
#    clock and round trip count from the datagram that was answered, not
#    from the lost one (that put the KDC's clock a quarter of the timeout
#    off and the round trip at half of it: 0.5 s and 1000 ms with
#    --timeout 2, well beyond the bounds below).
kdc_start
RELAY=$(free_port)
python3 "$TOP/tests/peers/udp_drop_first.py" "$RELAY" "$KDC_PORT" >"$T/relay.out" 2>&1 &
PIDS="$PIDS $!"
i=0; until grep -q ready "$T/relay.out"; do i=$((i+1)); [ $i -le 50 ] || fail "relay not ready"; sleep 0.1; done
timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$NOSMTP" --timeout 2 --json --only kdc-time \
    --dc "127.0.0.1:$RELAY" --realm "$KRB_REALM" >"$T/lost.json" 2>"$T/lost.err"
echo $? >"$T/lost.rc"
sanitizer_check lost
[ "$(pfact lost kdc-time transport)" = udp ] || { cat "$T/lost.json"; fail "lost: not answered over UDP"; }
between lost kdc-time skew_local_s -0.25 0.25
between lost kdc-time rtt_ms 0 250
kdc_stop

# 5. Nothing listens on the KDC port: an error saying so, quickly.
run dead "127.0.0.1:$KDC_PORT" --realm "$KRB_REALM"
[ "$(pfield dead kdc-time status)" = error ] || { cat "$T/dead.json"; fail "no KDC should be an error"; }
[ "$(pfact dead kdc-time kdc_answered)" = False ] || fail "kdc_answered should be false"
pfield dead kdc-time summary | grep -q 'refused' || fail "summary: $(pfield dead kdc-time summary)"
echo "kdc-time: ok"
