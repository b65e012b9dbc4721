#!/bin/sh
# spn against a real MIT KDC: the admin's ticket cache asks for service
# tickets to SMTPSVC/<fqdn> and SMTP/<fqdn>, the fqdn taken from the SMTP
# server's EHLO line (python3-aiosmtpd with --hostname).  Registered passes;
# unregistered fails with the KDC's "not found in Kerberos database"; no
# ticket cache skips with the kinit and setspn -L commands to run.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
. "$TOP/tests/lib/kdc.sh"
need_kdc
need_aiosmtpd
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
kdc_create
kdc_addspn mail.smtpwiz.test
kdc_start
make_cert peer DNS:localhost,IP:127.0.0.1
start_aiosmtpd peer --hostname mail.smtpwiz.test;  PORT_REG=$PEER_PORT
start_aiosmtpd peer --hostname nospn.smtpwiz.test; PORT_MISSING=$PEER_PORT

run() { # NAME PORT
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$2" --timeout 5 --json --only spn \
        --dc "127.0.0.1:$KDC_PORT" --starttls never >"$T/$1.json" 2>"$T/$1.err"
    echo $? > "$T/$1.rc"
    sanitizer_check "$1"
}

# 1. No ticket cache yet: skip, with the commands to run.
run nocache "$PORT_REG"
[ "$(pfield nocache spn status)" = skip ] || { cat "$T/nocache.json"; fail "no ticket cache should skip"; }
s=$(pfield nocache spn summary)
echo "$s" | grep -q "kinit administrator@SMTPWIZ.TEST" || fail "no kinit command in: $s"
echo "$s" | grep -q "setspn -L MAIL" || fail "no setspn -L command in: $s"
echo "$s" | grep -q "SMTPSVC/mail.smtpwiz.test" || fail "no SPN named in: $s"

kdc_kinit
# 2. Both SPNs registered.
run reg "$PORT_REG"
[ "$(pfield reg spn status)" = pass ] || { cat "$T/reg.json"; fail "registered SPNs did not pass"; }
[ "$(pfact reg spn spn_smtpsvc)" = found ] && [ "$(pfact reg spn spn_smtp)" = found ] ||
    fail "SPN states: $(pfact reg spn spn_smtpsvc) $(pfact reg spn spn_smtp)"
[ "$(pfact reg spn client)" = "admin@$KRB_REALM" ] || fail "client: $(pfact reg spn client)"
grep -q 'TGS_REQ.*SMTPSVC/mail.smtpwiz.test@SMTPWIZ.TEST' "$KDC_DIR/kdc.log" ||
    fail "the KDC never saw a TGS-REQ for SMTPSVC/mail.smtpwiz.test"
# The probe's tickets are not stored in the admin's cache.
klist | grep -q SMTPSVC && fail "the probe stored a service ticket in the admin's cache"

# 3. A host the KDC does not know.
run missing "$PORT_MISSING"
[ "$(pfield missing spn status)" = fail ] || { cat "$T/missing.json"; fail "a missing SPN did not fail"; }
[ "$(pfact missing spn spn_smtpsvc)" = missing ] || fail "SMTPSVC: $(pfact missing spn spn_smtpsvc)"
pfield missing spn summary | grep -q "not found in Kerberos database" ||
    fail "summary lacks the KDC's evidence: $(pfield missing spn summary)"
jget "$T/missing.json" "any('not found in Kerberos database' in e for e in j['probes'][0]['facts']['evidence'])" |
    grep -qx True || fail "evidence: $(pfact missing spn evidence)"
[ "$(cat "$T/missing.rc")" = 2 ] || fail "exit status $(cat "$T/missing.rc") for a failure"

# 4. --dc none asks no domain controller, the KDC of krb5.conf included: a
#    skip that says so, and no TGS-REQ reaches the KDC.
before=$(grep -c TGS_REQ "$KDC_DIR/kdc.log")
timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT_MISSING" --timeout 5 --json --only spn \
    --dc none --starttls never >"$T/nodc.json" 2>"$T/nodc.err"
echo $? >"$T/nodc.rc"
sanitizer_check nodc
[ "$(pfield nodc spn status)" = skip ] || { cat "$T/nodc.json"; fail "--dc none did not skip"; }
pfield nodc spn summary | grep -q -- '--dc none' || fail "summary: $(pfield nodc spn summary)"
[ "$(grep -c TGS_REQ "$KDC_DIR/kdc.log")" = "$before" ] || fail "--dc none still asked the KDC"

# 5. --dc names a controller that never answers (TCP accepts and reads, UDP
#    drops): the requests go there, not to libkrb5's own KDC of krb5.conf,
#    and end within one timeout (libkrb5 alone would take 3 s per UDP pass
#    plus 14 s, and 10 s more per TCP connection), saying so.
SILENT=$(free_port)
SILENT_KPW=$(free_port)
python3 "$TOP/tests/peers/kdc_silent.py" "$SILENT" "$SILENT_KPW" >"$T/silent.out" 2>&1 &
PIDS="$PIDS $!"
i=0; until grep -q ready "$T/silent.out"; do i=$((i+1)); [ $i -le 50 ] || fail "silent KDC not ready"; sleep 0.1; done
before=$(grep -c TGS_REQ "$KDC_DIR/kdc.log")
t0=$(( $(date +%s%N) / 1000000 ))
timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT_REG" --timeout 2 --json --only spn \
    --dc "127.0.0.1:$SILENT" --starttls never >"$T/silent.json" 2>"$T/silent.err"
echo $? >"$T/silent.rc"
took=$(( $(date +%s%N) / 1000000 - t0 ))
echo "spn against a silent --dc: $took ms"
sanitizer_check silent
[ "$(pfield silent spn status)" = error ] || { cat "$T/silent.json"; fail "a silent DC: $(pfield silent spn status)"; }
pfield silent spn summary | grep -q 'no domain controller answered the ticket request' ||
    fail "summary: $(pfield silent spn summary)"
[ "$took" -le 3500 ] || fail "spn against a silent DC took $took ms (bound 3500 ms at --timeout 2)"
grep -q "^tcp-bytes $SILENT " "$T/silent.out" || fail "the request never reached the --dc controller"
[ "$(grep -c TGS_REQ "$KDC_DIR/kdc.log")" = "$before" ] || fail "libkrb5 asked its own KDC anyway"
echo "spn: ok"
