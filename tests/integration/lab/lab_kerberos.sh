#!/bin/sh
# The lab in Kerberos mode (--keytab) against a throwaway MIT KDC: X-EXPS
# GSSAPI is verified for real by the lab's Cyrus SASL server, so the faults of
# KB979174 are real ones.
#   healthy      kinit, probe exps: X-EXPS GSSAPI 235 over the real exchange
#                (SMTPSVC/<fqdn>); AUTH GSSAPI 235 too (smtp/<fqdn>)
#   spn-missing  SMTPSVC/<fqdn> deleted from the KDC: the client gets no
#                ticket ("not found in Kerberos database"), spn fails
#   clock-skew   the lab process under libfaketime +8 min: its acceptor rejects
#                the authenticator (454 4.7.0), clock and kdc-time see ~480 s
#   client skew  smtpwiz itself 8 min behind: X-EXPS GSSAPI fails on the
#                client with the GSS minor text "Clock skew too great"
#   stale key    the SPN re-keyed in the KDC, the lab's keytab not: the lab
#                cannot decrypt the ticket and answers 454 4.7.0
#   no DNS       the lab, under strace with MIT's default DNS settings,
#                never looks its host name up while it accepts GSSAPI
#                (left out without strace)
# Everything on 127.0.0.1 and under $T; lib.sh's cleanup kills the lab and KDC.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/kdc.sh"
need_kdc
need python3
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
need_gssapi_plugin
FQDN=mail1.fabrikam.com   # the hostname of every lab scenario used here
kdc_create
kdc_addspn "$FQDN"
kdc_start
kdc_kinit

# (tests/lib/lsan.supp, which tests/run gives every process, suppresses the one
# third-party leak these GSSAPI runs meet: cyrusimap/cyrus-sasl#843.)
probe() { # NAME ONLY [ARGS...]
    name=$1 only=$2
    shift 2
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --timeout 5 --json --only "$only" "$@" \
        >"$T/$name.json" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
    sanitizer_check "$name"
}

# 1. Healthy: the lab accepts the admin's service ticket for SMTPSVC/<fqdn>.
kdc_lab healthy e2010-healthy "$FQDN"
probe healthy ehlo,exps
[ "$(pfield healthy exps status)" = pass ] || { cat "$T/healthy.json"; fail "healthy: exps did not pass"; }
pfact healthy exps GSSAPI | grep -q '^235' || fail "healthy: X-EXPS GSSAPI: $(pfact healthy exps GSSAPI)"
grep -q 'X-EXPS GSSAPI as admin: 235' "$T/healthy.log" ||
    { cat "$T/healthy.log"; fail "healthy: the lab did not log the verified principal"; }
grep -q "TGS_REQ.*SMTPSVC/$FQDN@$KRB_REALM" "$KDC_DIR/kdc.log" ||
    fail "healthy: the KDC never issued a ticket for SMTPSVC/$FQDN"
# AUTH: Kerberos mode offers GSSAPI beside NTLM.  The probe's auth wants a
# password before it tries anything; GSSAPI itself never uses it.
SMTPWIZ_PASSWORD=unused
export SMTPWIZ_PASSWORD
probe healthy-auth ehlo,auth --user admin --mech GSSAPI
unset SMTPWIZ_PASSWORD
pfact healthy-auth auth GSSAPI | grep -q '^235' ||
    { cat "$T/healthy-auth.json"; fail "healthy: AUTH GSSAPI: $(pfact healthy-auth auth GSSAPI)"; }
grep -q 'AUTH GSSAPI as admin: 235' "$T/healthy.log" || fail "healthy: the lab did not verify AUTH GSSAPI"
stop_lab healthy

# 2. spn-missing: the SPN is gone from the KDC (the lab keeps its keytab).
# A fresh cache: GSSAPI kept the service ticket of step 1 in the admin's.
kdc_delspn "$FQDN"
kdc_kinit
kdc_lab spnmiss spn-missing "$FQDN"
probe spnmiss ehlo,exps,spn --dc "127.0.0.1:$KDC_PORT"
[ "$(pfield spnmiss exps status)" != pass ] || fail "spn-missing: exps passed"
pfact spnmiss exps GSSAPI | grep -q 'not found in Kerberos database' ||
    { cat "$T/spnmiss.json"; fail "spn-missing: X-EXPS GSSAPI lacks the KDC's evidence: $(pfact spnmiss exps GSSAPI)"; }
[ "$(pfield spnmiss spn status)" = fail ] || fail "spn-missing: spn is $(pfield spnmiss spn status)"
[ "$(pfact spnmiss spn spn_smtpsvc)" = missing ] || fail "spn-missing: SMTPSVC $(pfact spnmiss spn spn_smtpsvc)"
stop_lab spnmiss
kdc_addspn "$FQDN"   # a fresh key: re-exported to the lab's keytab
kdc_kinit

# 3. clock-skew: only the lab's clock is 8 minutes ahead.
need_faketime
# shellcheck disable=SC2046 # the assignments are words by design
kdc_lab skew clock-skew "$FQDN" $(lab_faketime_env +480)
probe skew ehlo,exps,banner,clock,kdc-time --dc "127.0.0.1:$KDC_PORT" --realm "$KRB_REALM"
pfact skew exps GSSAPI | grep -q '^454 4\.7\.0' ||
    { cat "$T/skew.json"; fail "clock-skew: X-EXPS GSSAPI: $(pfact skew exps GSSAPI)"; }
grep -qi 'skew' "$T/skew.log" || { cat "$T/skew.log"; fail "clock-skew: the lab did not log the skew error"; }
between skew clock skew_s 470 490
between skew kdc-time skew_server_s 470 490
stop_lab skew

# 4. This machine's clock 8 minutes behind (smtpwiz under libfaketime): the
#    client's own GSS failure is reported with its minor text.  A fresh cache,
#    so the KDC judges the skew (a cached service ticket would only be "not
#    yet valid").
kdc_kinit
kdc_lab cskew e2010-healthy "$FQDN"
# shellcheck disable=SC2046 # the assignments are words by design
env $(lab_faketime_env -480) timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --timeout 5 --json --only ehlo,exps \
    >"$T/cskew.json" 2>"$T/cskew.err"
echo $? >"$T/cskew.rc"
sanitizer_check cskew
pfact cskew exps GSSAPI | grep -q 'Clock skew too great' ||
    { cat "$T/cskew.json"; fail "client skew: X-EXPS GSSAPI lacks the GSS text: $(pfact cskew exps GSSAPI)"; }
stop_lab cskew

# 5. The lab's key is stale (its SPN re-keyed in the KDC, as after a password
#    reset that the keytab never saw): the KDC issues a ticket, the lab's
#    acceptor cannot decrypt it, and the client gets KB979174's 454 4.7.0.
cp "$KDC_DIR/$FQDN.keytab" "$T/stale.keytab"
kdc_delspn "$FQDN"
kdc_addspn "$FQDN"
kdc_kinit
start_lab stale e2010-healthy --keytab "$T/stale.keytab" --log "$T/stale.log"
probe stale ehlo,exps
pfact stale exps GSSAPI | grep -q '^454 4\.7\.0' ||
    { cat "$T/stale.json"; fail "stale key: X-EXPS GSSAPI: $(pfact stale exps GSSAPI)"; }
grep -q 'cannot decrypt ticket' "$T/stale.log" ||
    { cat "$T/stale.log"; fail "stale key: the lab did not log the acceptor's error"; }
stop_lab stale

# 6. No DNS on the lab's only thread: MIT's default dns_canonicalize_hostname
#    = true made every GSSAPI exchange look the scenario's host name up first.
#    The lab runs under strace with a krb5.conf that leaves every DNS setting
#    at its default; connect() is made to fail, so a lookup it attempts never
#    leaves the machine, yet shows in the trace.
if command -v strace >/dev/null 2>&1 && command -v ps >/dev/null 2>&1; then
    grep -v '^ *\(dns_canonicalize_hostname\|ignore_acceptor_hostname\|rdns\|dns_lookup_kdc\|dns_lookup_realm\) *=' \
        "$KRB5_CONFIG" >"$T/default-krb5.conf"
    printf '#!/bin/sh\nexec strace -f -qq -o "%s" -e trace=connect,accept4 -e inject=connect:error=ENETUNREACH "%s" "$@"\n' \
        "$T/dns.strace" "$SMTPWIZ" >"$T/strace-lab"
    chmod +x "$T/strace-lab"
    kdc_kinit
    real=$SMTPWIZ SMTPWIZ=$T/strace-lab
    # LeakSanitizer cannot run under ptrace: the other labs keep it
    LAB_ENV="KRB5_CONFIG=$T/default-krb5.conf ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    start_lab dns e2010-healthy --keytab "$KDC_DIR/$FQDN.keytab" --log "$T/dns.log"
    SMTPWIZ=$real LAB_ENV=""
    probe dns ehlo,exps
    SMTPWIZ_PASSWORD=unused
    export SMTPWIZ_PASSWORD
    probe dns-auth ehlo,auth --user admin --mech GSSAPI
    unset SMTPWIZ_PASSWORD
    # stop the lab itself: strace then exits with its status
    kill $(ps -o pid= --ppid "$LABPID")
    wait "$LABPID"
    echo $? >"$T/dns-lab.rc"
    sanitizer_check dns-lab
    [ "$(cat "$T/dns-lab.rc")" = 0 ] || { cat "$T/dns-lab.err" >&2; fail "no DNS: the lab exited $(cat "$T/dns-lab.rc")"; }
    pfact dns exps GSSAPI | grep -q '^235' || { cat "$T/dns.json"; fail "no DNS: X-EXPS GSSAPI: $(pfact dns exps GSSAPI)"; }
    pfact dns-auth auth GSSAPI | grep -q '^235' || fail "no DNS: AUTH GSSAPI: $(pfact dns-auth auth GSSAPI)"
    grep -q 'accept4(' "$T/dns.strace" || fail "no DNS: strace saw nothing of the lab"
    if grep -q 'htons(53)' "$T/dns.strace"; then
        grep 'htons(53)' "$T/dns.strace" | head -n 3 >&2
        fail "no DNS: the lab looked its host name up in DNS while accepting GSSAPI"
    fi
elif [ "${CI:-}" = true ]; then
    fail "strace or ps not installed (scripts/bootstrap installs strace and procps): the no-DNS check cannot run"
else
    echo "lab_kerberos: strace or ps not installed, the no-DNS check is left out"
fi
echo "lab_kerberos: ok"
