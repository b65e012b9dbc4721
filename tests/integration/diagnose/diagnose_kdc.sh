#!/bin/sh
# diagnose --kb 979174 against the lab in Kerberos mode (smtpwiz lab --keytab,
# its GSSAPI verified by Cyrus SASL with a real keytab) and a throwaway MIT KDC
# (tests/lib/kdc.sh).  Every fault is real, none is a scenario's canned reply:
#   KDC port closed, no ticket cache   -> kerberos-ports-blocked (kdc_tcp refused)
#   clock-skew lab under libfaketime   -> clock-skew: clock fails, and the KDC's
#     +8 min, the KDC on time             clock blames the server, not this machine
#   this machine -8 min (faketime on   -> local-clock, not clock-skew: the KDC
#     smtpwiz), the lab and KDC on time   agrees with the server
#   kadmind down: TCP 464 refused      -> kerberos-ports-blocked (kpasswd_tcp)
#   the KDC and kpasswd up, every      -> no-fault-found, with X-EXPS GSSAPI 235
#     question answered no                over a real Kerberos exchange
#   spn-missing lab, its SPNs deleted  -> spn-missing, quoting the KDC
#     from the KDC
#   the KDC 10 min ahead (faketime)    -> clock-skew from the KDC's clock alone
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/kdc.sh"
need_kdc
need_faketime
need python3
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
"$SMTPWIZ" lab --help >/dev/null 2>&1 || fail "smtpwiz lab --help failed"
need_gssapi_plugin
export SMTPWIZ_PASSWORD=Lab-Pass-1234
LABHOST=mail1.fabrikam.com   # the EHLO name of the scenarios used here
kdc_create          # exports KRB5_CONFIG, KRB5CCNAME (no cache yet) in $T
kdc_addspn "$LABHOST"
kdc_start

# run NAME DC ARGS...: diagnose JSON in $T/NAME.json, exit status in $T/NAME.rc
run() {
    name=$1 dc=$2
    shift 2
    timeout 120 "$SMTPWIZ" diagnose 127.0.0.1 -p "$PORT" --kb "$TOP/kb/kb979174.ini" \
        --user labuser --domain fabrikam.com --timeout 3 --json --dc "$dc" --realm "$KRB_REALM" "$@" \
        >"$T/$name.json" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
    sanitizer_check "$name"
}
want() { # NAME CONCLUSION RC
    got=$(concl "$1" 2>/dev/null || echo "no JSON")
    [ "$got" = "$2" ] || { cat "$T/$1.json" "$T/$1.err"; fail "$1: expected $2, got $got"; }
    [ "$(cat "$T/$1.rc")" = "$3" ] || fail "$1: exit status $(cat "$T/$1.rc"), want $3"
}
asked_not() { # NAME QUESTION...: the probes settled these, no question was asked
    r=$1
    shift
    for q in "$@"; do
        [ "$(outcome "$r" "$q")" = absent ] || fail "$r: the question $q was still asked"
    done
}
NO="--answer clock-dc=no --answer replication=no --answer spn-list=no --answer spn-dupes=no"
NO="$NO --answer kerberos-ports=no --answer kerberos-log=no --answer kerberos-log-spn=no"
NO="$NO --answer clock-which=no --answer clock-here=no --answer exchangeauth-check=no"

# 1. Nothing listens where the DC should be and there is no ticket cache:
#    kdc-time errors (the clock question follows), spn skips with its
#    instructions, the ports step finds port 88 refused.
kdc_lab closed e2010-healthy "$LABHOST"
CLOSED=$(free_port)
run closed "127.0.0.1:$CLOSED"
want closed kerberos-ports-blocked 2
[ "$(outcome closed kdc-clock)" = error ] || fail "closed: kdc-clock: $(outcome closed kdc-clock)"
[ "$(outcome closed clock-dc)" = unknown ] || fail "closed: clock-dc: $(outcome closed clock-dc)"
[ "$(outcome closed spn-lookup)" = skip ] || fail "closed: spn-lookup: $(outcome closed spn-lookup)"
pfact closed spn kinit | grep -q '^kinit ' || fail "closed: spn gives no kinit command"
[ "$(pfact closed kerberos-ports kdc_tcp)" = refused ] ||
    fail "closed: kdc_tcp $(pfact closed kerberos-ports kdc_tcp)"
asked_not closed kerberos-ports
stop_lab closed

# The admin's ticket cache from here on.
kdc_kinit

# 2. The lab's own clock 8 minutes ahead, the KDC on time.  This machine sees
#    the server off (clock fails); the KDC's clock settles that the server,
#    not this machine, is wrong.  (lab_kerberos.sh shows its acceptor then
#    really refuses the admin's ticket.)
# shellcheck disable=SC2046 # the assignments are words by design
kdc_lab skew clock-skew "$LABHOST" $(lab_faketime_env +480)
# shellcheck disable=SC2086
run skew "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" $NO
want skew clock-skew 2
[ "$(outcome skew clock)" = fail ] || fail "skew: the clock step: $(outcome skew clock)"
between skew clock skew_s 470 490
because skew kdc-clock | grep -q "clock is more than 5 minutes ahead of the domain controller's" ||
    fail "skew: kdc-clock: $(because skew kdc-clock)"
between skew kdc-time skew_server_s 470 490
between skew kdc-time skew_local_s -5 5
asked_not skew clock-dc
stop_lab skew

# 2b. The other way round: this machine's clock 8 minutes behind, the lab
#    and the KDC on time.  clock fails as before, but the KDC agrees with the
#    server: the walk blames this machine (local-clock), not the server.
kdc_lab local e2010-healthy "$LABHOST"
# shellcheck disable=SC2046,SC2086
env $(lab_faketime_env -480) timeout 120 "$SMTPWIZ" diagnose 127.0.0.1 -p "$PORT" --kb "$TOP/kb/kb979174.ini" \
    --user labuser --timeout 3 --json --dc "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" --realm "$KRB_REALM" $NO \
    >"$T/local.json" 2>"$T/local.err"
echo $? >"$T/local.rc"
sanitizer_check local
[ "$(outcome local clock)" = fail ] || fail "local: the clock step: $(outcome local clock)"
between local kdc-time skew_local_s 470 490
between local kdc-time skew_server_s -10 10
want local local-clock 1
because local kdc-clock | grep -q 'this machine is more than 5 minutes behind both' ||
    fail "local: kdc-clock: $(because local kdc-clock)"
stop_lab local

# 3. The SPNs registered, but kadmind (kpasswd, TCP 464) is not running: the
#    DC's password port is refused.
kdc_lab ports e2010-healthy "$LABHOST"
# shellcheck disable=SC2086
run ports "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" $NO
want ports kerberos-ports-blocked 2
[ "$(outcome ports kdc-clock)" = pass ] || fail "ports: kdc-clock: $(outcome ports kdc-clock)"
[ "$(outcome ports spn-lookup)" = pass ] || fail "ports: spn-lookup: $(outcome ports spn-lookup)"
[ "$(pfact ports kerberos-ports kdc_tcp)" = answered ] || fail "ports: kdc_tcp $(pfact ports kerberos-ports kdc_tcp)"
[ "$(pfact ports kerberos-ports kdc_udp)" = answered ] || fail "ports: kdc_udp $(pfact ports kerberos-ports kdc_udp)"
[ "$(pfact ports kerberos-ports kpasswd_tcp)" = refused ] ||
    fail "ports: kpasswd_tcp $(pfact ports kerberos-ports kpasswd_tcp)"
asked_not ports kerberos-ports spn-list

# 4. kpasswd up: no fault.  The probes, not the questions, cleared clocks,
#    SPNs and ports, and X-EXPS GSSAPI went through the lab's real acceptor.
kdc_start_kadmind
# shellcheck disable=SC2086
run healthy "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" $NO
want healthy no-fault-found 0
for s in clock kdc-clock spn-lookup kdc-ports; do
    [ "$(outcome healthy $s)" = pass ] || fail "healthy: $s: $(outcome healthy $s)"
done
asked_not healthy spn-list kerberos-ports
pfact healthy exps GSSAPI | grep -q '^235' || fail "healthy: X-EXPS GSSAPI: $(pfact healthy exps GSSAPI)"
grep -q 'X-EXPS GSSAPI as admin: 235' "$T/ports.log" ||   # the lab of step 3 still runs
    { cat "$T/ports.log"; fail "healthy: the lab did not verify the admin's ticket"; }
stop_lab ports

# 5. spn-missing: the lab's SPNs are gone from the KDC (the lab keeps its
#    keytab).  The admin's cache still holds the SMTPSVC ticket that step 4's
#    X-EXPS GSSAPI stored: the spn probe must ask the KDC, not the cache.
kdc_delspn "$LABHOST"
klist 2>/dev/null | grep -q "SMTPSVC/$LABHOST" || fail "spnmiss: no cached SMTPSVC ticket to test with"
kdc_lab spnmiss spn-missing "$LABHOST"
# shellcheck disable=SC2086
run spnmiss "127.0.0.1:$KDC_PORT,$KPASSWD_PORT" $NO
want spnmiss spn-missing 2
because spnmiss spn-lookup | grep -q 'no SMTPSVC/ principal' ||
    fail "spnmiss: spn-lookup: $(because spnmiss spn-lookup)"
pfact spnmiss spn evidence | grep -qi 'not found in Kerberos database' ||
    fail "spnmiss: evidence: $(pfact spnmiss spn evidence)"
[ "$(outcome spnmiss kdc-clock)" = pass ] || fail "spnmiss: kdc-clock: $(outcome spnmiss kdc-clock)"
asked_not spnmiss spn-list
stop_lab spnmiss
kdc_addspn "$LABHOST"

# 6. The KDC 10 minutes ahead, the lab and this machine on time: the
#    SMTP-side clock agrees with ours, only kdc-time sees the server 600 s
#    behind the KDC.
kdc_stop
kdc_start +10m
kdc_lab kdcskew e2010-healthy "$LABHOST"
# shellcheck disable=SC2086
run kdcskew "127.0.0.1:$KDC_PORT" $NO
want kdcskew clock-skew 2
[ "$(outcome kdcskew clock)" = pass ] || fail "kdcskew: the SMTP-side clock step: $(outcome kdcskew clock)"
because kdcskew kdc-clock | grep -q "clock is more than 5 minutes behind the domain controller's" ||
    fail "kdcskew: kdc-clock: $(because kdcskew kdc-clock)"
between kdcskew kdc-time skew_server_s -610 -590
asked_not kdcskew clock-dc
stop_lab kdcskew

# 7. The KDC still 10 minutes ahead, and a server that shows no clock at all
#    (aiosmtpd: no date in its greeting, no NTLM): this machine and the DC
#    disagree, but nothing says which is wrong, so no local-clock either.
. "$TOP/tests/lib/aiosmtpd.sh"
need_aiosmtpd
make_cert peer DNS:localhost,IP:127.0.0.1
start_aiosmtpd peer --hostname "$LABHOST"
PORT=$PEER_PORT
# shellcheck disable=SC2086
run noclock "127.0.0.1:$KDC_PORT" $NO
[ "$(outcome noclock clock)" = skip ] || fail "noclock: the clock step: $(outcome noclock clock)"
[ "$(pfact noclock kdc-time skew_server_s)" = None ] || fail "noclock: a server clock appeared"
between noclock kdc-time skew_local_s 590 610
c=$(concl noclock)
case $c in clock-skew|local-clock) cat "$T/noclock.json"; fail "noclock: concluded $c without the server's clock" ;; esac
[ "$(outcome noclock clock-dc)" = no ] || fail "noclock: the clock question was not asked: $(outcome noclock clock-dc)"

grep -q "Lab-Pass-1234" "$T"/*.json && fail "the password appears in a JSON report"
echo "diagnose against the Kerberos-mode lab: ok"
