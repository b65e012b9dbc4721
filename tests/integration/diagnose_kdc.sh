#!/bin/sh
# diagnose --kb 979174 with a real MIT KDC (tests/kdc/realm.sh) beside the
# e2010-healthy lab: the Kerberos probe steps of the tree conclude from real
# evidence.  The lab itself is healthy; the faults are on the KDC side:
#   KDC clock +10 min (libfaketime)        -> clock-skew (kdc-time, not a question)
#   nothing listens on the KDC port        -> kerberos-ports-blocked
#   ticket cache, SPNs not in the KDC      -> spn-missing, quoting the KDC
#   SPNs registered, kpasswd up, all no    -> no-fault-found, the probes passing
. "$TOP/tests/lib.sh"
. "$TOP/tests/kdc/realm.sh"
need_kdc
need_faketime
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
"$SMTPWIZ" lab --help >/dev/null 2>&1 || skip "this smtpwiz has no lab"
[ -f "$TOP/kb/labs/e2010-healthy.ini" ] || skip "no lab scenario e2010-healthy"
export SMTPWIZ_PASSWORD=Lab-Pass-1234
kdc_create          # exports KRB5_CONFIG, KRB5CCNAME (no cache yet) in $T
LABHOST=mail1.fabrikam.com   # the e2010-healthy lab's EHLO name

"$SMTPWIZ" lab --scenario e2010-healthy >"$T/lab.out" 2>&1 &
PIDS="$PIDS $!"
i=0
until LABPORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/lab.out") &&
      [ -n "$LABPORT" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { cat "$T/lab.out"; fail "the lab did not start"; }
    sleep 0.1
done

# run NAME DC ARGS...: diagnose JSON in $T/NAME.json, exit status in $T/NAME.rc
run() {
    name=$1 dc=$2; shift 2
    timeout 120 "$SMTPWIZ" diagnose 127.0.0.1 -p "$LABPORT" --kb "$TOP/kb/kb979174.ini" \
        --user labuser --timeout 3 --json --dc "$dc" --realm "$KRB_REALM" "$@" \
        >"$T/$name.json" 2>"$T/$name.err"
    echo $? > "$T/$name.rc"
    sanitizer_check "$name"
}
concl() { jget "$T/$1.json" 'j["conclusion"]["id"] if j["conclusion"] else "ERROR"'; }
# outcome NAME STEP: the outcome of STEP on the path, or "absent"
outcome() { jget "$T/$1.json" "([p['outcome'] for p in j['path'] if p['step'] == '$2'] + ['absent'])[0]"; }
pfact() { jget "$T/$1.json" "[p for p in j['probes'] if p['name'] == '$2'][0]['facts'].get('$3')"; }
want() { # NAME CONCLUSION RC
    got=$(concl "$1" 2>/dev/null || echo "no JSON")
    [ "$got" = "$2" ] || { cat "$T/$1.json" "$T/$1.err"; fail "$1: expected $2, got $got"; }
    [ "$(cat "$T/$1.rc")" = "$3" ] || fail "$1: exit status $(cat "$T/$1.rc"), want $3"
}
NO="--answer clock-dc=no --answer replication=no --answer spn-list=no --answer spn-dupes=no"
NO="$NO --answer kerberos-ports=no --answer kerberos-log=no --answer kerberos-log-spn=no"

# 1. The KDC 10 minutes ahead: the SMTP-side clock check agrees with ours,
#    kdc-time sees the server 600 s behind the KDC.  All questions answered no,
#    so only the probe can lead to clock-skew.
kdc_start +10m
# shellcheck disable=SC2086
run skew "127.0.0.1:$KDC_PORT" $NO
want skew clock-skew 2
[ "$(outcome skew clock)" = pass ] || fail "skew: the SMTP-side clock step: $(outcome skew clock)"
outcome skew kdc-clock | grep -q 'skew_server_s < -300' ||
    fail "skew: kdc-clock outcome: $(outcome skew kdc-clock)"
jget "$T/skew.json" "-610 <= [p for p in j['probes'] if p['name'] == 'kdc-time'][0]['facts']['skew_server_s'] <= -590" |
    grep -qx True || fail "skew: skew_server_s $(pfact skew kdc-time skew_server_s), want about -600"
[ "$(outcome skew clock-dc)" = absent ] || fail "skew: the clock-dc question was still asked"
kdc_stop

# 2. Nothing listens where the KDC should be: kdc-time errors (falls back to
#    the clock question), the ports step finds port 88 refused.
CLOSED=$(free_port)
run closed "127.0.0.1:$CLOSED"
want closed kerberos-ports-blocked 2
[ "$(outcome closed kdc-clock)" = error ] || fail "closed: kdc-clock: $(outcome closed kdc-clock)"
[ "$(outcome closed clock-dc)" = unknown ] || fail "closed: clock-dc: $(outcome closed clock-dc)"
[ "$(outcome closed spn-lookup)" = skip ] || fail "closed: spn-lookup: $(outcome closed spn-lookup)"
outcome closed kdc-ports | grep -q 'kdc_tcp' || fail "closed: kdc-ports: $(outcome closed kdc-ports)"
[ "$(pfact closed kerberos-ports kdc_tcp)" = refused ] ||
    fail "closed: kdc_tcp $(pfact closed kerberos-ports kdc_tcp)"
[ "$(outcome closed kerberos-ports)" = absent ] || fail "closed: the ports question was still asked"

# 3. A normal KDC and a ticket cache, but no SPN for the lab host: spn-missing
#    from the KDC's own answer, even though spn-list is answered no.
kdc_start
kdc_start_kadmind
kdc_kinit
# shellcheck disable=SC2086
run nospn "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" $NO
want nospn spn-missing 2
outcome nospn spn-lookup | grep -q 'spn_smtpsvc = missing' ||
    fail "nospn: spn-lookup: $(outcome nospn spn-lookup)"
pfact nospn spn evidence | grep -qi 'not found in Kerberos database' ||
    fail "nospn: evidence: $(pfact nospn spn evidence)"
[ "$(outcome nospn spn-list)" = absent ] || fail "nospn: the spn-list question was still asked"

# 4. The SPNs registered, kpasswd up, every question no: no fault, and the
#    probes, not the questions, cleared SPNs and ports.
kdc_addspn "$LABHOST"
# shellcheck disable=SC2086
run healthy "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" $NO
want healthy no-fault-found 0
[ "$(outcome healthy kdc-clock)" = pass ] || fail "healthy: kdc-clock: $(outcome healthy kdc-clock)"
[ "$(outcome healthy spn-lookup)" = pass ] || fail "healthy: spn-lookup: $(outcome healthy spn-lookup)"
[ "$(outcome healthy kdc-ports)" = pass ] || fail "healthy: kdc-ports: $(outcome healthy kdc-ports)"
for q in spn-list kerberos-ports; do
    [ "$(outcome healthy $q)" = absent ] || fail "healthy: question $q was asked"
done
grep -q "Lab-Pass-1234" "$T"/*.json && fail "the password appears in a JSON report"
echo "diagnose with a KDC: ok"
