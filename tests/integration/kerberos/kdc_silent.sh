#!/bin/sh
# A silent domain controller costs one timeout, not one per check: TCP 88
# accepts and reads, UDP 88 reads and drops, TCP 464 accepts
# (tests/peers/kdc_silent.py).  kdc-time and kerberos-ports together must
# end within one --timeout plus a second (they once took four timeouts,
# 8 s at --timeout 2), each check must reach the wire once (kerberos-ports
# takes kdc-time's measurements and says so), and the findings stay what
# they were: silent, filtered, open.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
KPORT=$(free_port)
KPW=$(free_port)
NOSMTP=$(free_port)
python3 "$TOP/tests/peers/kdc_silent.py" "$KPORT" "$KPW" >"$T/peer.out" 2>&1 &
PIDS="$PIDS $!"
i=0; until grep -q ready "$T/peer.out"; do i=$((i+1)); [ $i -le 50 ] || fail "silent KDC not ready"; sleep 0.1; done

ms() { echo $(( $(date +%s%N) / 1000000 )); }
run() { # NAME PROBES
    _t0=$(ms)
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$NOSMTP" --timeout 2 --json --only "$2" \
        --dc "127.0.0.1:$KPORT,$KPW" >"$T/$1.json" 2>"$T/$1.err"
    echo $? >"$T/$1.rc"
    echo $(( $(ms) - _t0 )) >"$T/$1.ms"
    echo "$1 ($2): exit $(cat "$T/$1.rc") in $(cat "$T/$1.ms") ms"
    sanitizer_check "$1"
}

# 1. Both probes: one timeout (2 s) plus a margin of 1 s.
run both kdc-time,kerberos-ports
[ "$(cat "$T/both.ms")" -le 3000 ] || fail "kdc-time + kerberos-ports took $(cat "$T/both.ms") ms (bound 3000)"
[ "$(pfact both kdc-time kdc_answered)" = False ] || fail "kdc_answered: $(pfact both kdc-time kdc_answered)"
[ "$(pfact both kerberos-ports kdc_tcp)" = silent ] || fail "kdc_tcp: $(pfact both kerberos-ports kdc_tcp)"
[ "$(pfact both kerberos-ports kdc_udp)" = filtered ] || fail "kdc_udp: $(pfact both kerberos-ports kdc_udp)"
[ "$(pfact both kerberos-ports kpasswd_tcp)" = open ] || fail "kpasswd_tcp: $(pfact both kerberos-ports kpasswd_tcp)"
[ "$(pfact both kerberos-ports blocked)" = True ] || fail "blocked: $(pfact both kerberos-ports blocked)"
pfact both kerberos-ports checks | grep -q 'measured by kdc-time' ||
    fail "the reused checks do not say who measured them: $(pfact both kerberos-ports checks)"
# On the wire: one connection to each TCP port, the AS-REQ twice over UDP
# (sent again halfway), nothing more.
[ "$(grep -c "^tcp-accept $KPORT\$" "$T/peer.out")" = 1 ] || { cat "$T/peer.out"; fail "TCP 88 asked more than once"; }
[ "$(grep -c "^tcp-accept $KPW\$" "$T/peer.out")" = 1 ] || { cat "$T/peer.out"; fail "TCP 464 asked more than once"; }
[ "$(grep -c "^udp $KPORT " "$T/peer.out")" = 2 ] || { cat "$T/peer.out"; fail "UDP 88: not exactly two datagrams"; }

# 2. kerberos-ports alone: its three checks at once, one timeout.
run ports kerberos-ports
[ "$(cat "$T/ports.ms")" -le 3000 ] || fail "kerberos-ports took $(cat "$T/ports.ms") ms (bound 3000)"
[ "$(pfact ports kerberos-ports kdc_tcp)" = silent ] && [ "$(pfact ports kerberos-ports kdc_udp)" = filtered ] ||
    fail "kerberos-ports alone: $(pfact ports kerberos-ports checks)"
pfact ports kerberos-ports checks | grep -q 'measured by kdc-time' &&
    fail "kerberos-ports alone claims kdc-time's measurements"
echo "kdc_silent: ok"
