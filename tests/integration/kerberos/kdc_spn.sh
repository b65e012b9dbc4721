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
echo "spn: ok"
