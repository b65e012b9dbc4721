#!/bin/sh
# kerberos-ports against a real MIT KDC and kadmind (kpasswd): answered,
# refused (nothing listens) and filtered (a UDP socket bound but never read,
# so the datagram is swallowed and nothing ever comes back).
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/kdc.sh"
need_kdc
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
kdc_create
kdc_start
kdc_start_kadmind
NOSMTP=$(free_port)

run() { # NAME DC [TIMEOUT, default 2 s]
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$NOSMTP" --timeout "${3:-2}" --json \
        --only kerberos-ports --realm "$KRB_REALM" --dc "$2" >"$T/$1.json" 2>"$T/$1.err"
    echo $? > "$T/$1.rc"
    sanitizer_check "$1"
}

# 1. The KDC and kpasswd: everything answers.
run good "127.0.0.1:$KDC_PORT,$KPASSWD_PORT"
[ "$(pfield good kerberos-ports status)" = pass ] || { cat "$T/good.json"; fail "kerberos-ports did not pass on a live KDC"; }
[ "$(pfact good kerberos-ports kdc_tcp)" = answered ] || fail "TCP: $(pfact good kerberos-ports kdc_tcp)"
[ "$(pfact good kerberos-ports kdc_udp)" = answered ] || fail "UDP: $(pfact good kerberos-ports kdc_udp)"
[ "$(pfact good kerberos-ports kpasswd_tcp)" = open ] || fail "kpasswd: $(pfact good kerberos-ports kpasswd_tcp)"
[ "$(pfact good kerberos-ports blocked)" = False ] || fail "blocked should be false"

# 2. A closed port: refused on both transports, a failure.
CLOSED=$(free_port)
run closed "127.0.0.1:$CLOSED"
[ "$(pfield closed kerberos-ports status)" = fail ] || { cat "$T/closed.json"; fail "a closed port did not fail"; }
[ "$(pfact closed kerberos-ports kdc_tcp)" = refused ] || fail "TCP on a closed port: $(pfact closed kerberos-ports kdc_tcp)"
[ "$(pfact closed kerberos-ports kdc_udp)" = refused ] || fail "UDP on a closed port: $(pfact closed kerberos-ports kdc_udp)"
pfield closed kerberos-ports summary | grep -q 'refused: nothing listens there' || fail "summary: $(pfield closed kerberos-ports summary)"
[ "$(cat "$T/closed.rc")" = 2 ] || fail "exit status $(cat "$T/closed.rc") for a failure"

# 3. A UDP socket bound and never read: filtered, within 1.5 x the timeout
#    (the one run here that waits it out: 1 s).
DROP=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
time.sleep(120)' "$DROP" >"$T/drop.out" 2>&1 &
PIDS="$PIDS $!"
i=0; until grep -q ready "$T/drop.out"; do i=$((i+1)); [ $i -le 50 ] || fail "UDP sink not ready"; sleep 0.1; done
run drop "127.0.0.1:$DROP" 1
[ "$(pfield drop kerberos-ports status)" = fail ] || { cat "$T/drop.json"; fail "a silent UDP port did not fail"; }
[ "$(pfact drop kerberos-ports kdc_udp)" = filtered ] || fail "UDP to a sink: $(pfact drop kerberos-ports kdc_udp)"
pfield drop kerberos-ports summary | grep -q 'filtered: no answer at all' || fail "summary: $(pfield drop kerberos-ports summary)"
in_range "$(pfield drop kerberos-ports elapsed_ms)" 0 1500 ||
    fail "filtered took $(pfield drop kerberos-ports elapsed_ms) ms with a 1 s timeout"

# 4. kpasswd stopped while the KDC answers: a warning, not a block.
run nokpw "127.0.0.1:$KDC_PORT,$CLOSED"
[ "$(pfield nokpw kerberos-ports status)" = warn ] || { cat "$T/nokpw.json"; fail "kpasswd refused should warn"; }
[ "$(pfact nokpw kerberos-ports kpasswd_tcp)" = refused ] || fail "kpasswd: $(pfact nokpw kerberos-ports kpasswd_tcp)"
# 5. A realm too long for a Kerberos request (a hostile EHLO name becomes the
#    realm): an error that says so, never a crash or a pass.
LONG=$(python3 -c 'print("R" * 300)')
timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$NOSMTP" --timeout 2 --json --only kerberos-ports \
    --realm "$LONG" --dc "127.0.0.1:$KDC_PORT" >"$T/long.json" 2>"$T/long.err"
echo $? >"$T/long.rc"
sanitizer_check long
[ "$(pfield long kerberos-ports status)" = error ] ||
    { cat "$T/long.json" "$T/long.err"; fail "a 300-byte realm: exit $(cat "$T/long.rc")"; }
pfield long kerberos-ports summary | grep -q 'too long for a Kerberos request' ||
    fail "a 300-byte realm: $(pfield long kerberos-ports summary)"
echo "kerberos-ports: ok"
