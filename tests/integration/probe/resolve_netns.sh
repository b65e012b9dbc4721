#!/bin/sh
# Name resolution obeys --timeout: in namespaces of the test's own (the only
# network is loopback, resolv.conf names a DNS peer on 127.0.0.1 with the
# stock timeout:5 attempts:2), a DNS server that never answers costs one
# timeout, not the resolver's 2 x 5 s per name, and the sentence says the
# DNS server did not answer; a --dc name that does not resolve is
# "unresolved" with a sentence naming the controller, never "Kerberos is
# blocked".  numeric addresses, localhost and /etc/hosts names need no DNS.
# Then a DNS peer that answers: A and SRV through c-ares for real, the SRV
# target a throwaway MIT KDC on loopback.
. "$TOP/tests/lib/netns.sh"
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/kdc.sh"
need_kdc
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
export SMTPWIZ_DC=none

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# run NAME ARGS...: smtpwiz probe ARGS --json; $T/NAME.{json,err,rc,ms}.
# $DC, if set, is the run's SMTPWIZ_DC ("" to let DNS SRV name the KDC).
run() {
    _n=$1
    shift
    _t0=$(ms)
    env SMTPWIZ_DC="${DC-none}" timeout 60 "$SMTPWIZ" probe "$@" --json >"$T/$_n.json" 2>"$T/$_n.err"
    echo $? >"$T/$_n.rc"
    echo $(( $(ms) - _t0 )) >"$T/$_n.ms"
    echo "$_n: exit $(cat "$T/$_n.rc") in $(cat "$T/$_n.ms") ms"
    sanitizer_check "$_n"
}
within() { # NAME MS: the run took at most MS milliseconds
    [ "$(cat "$T/$1.ms")" -le "$2" ] || fail "$1 took $(cat "$T/$1.ms") ms (bound $2 ms)"
}
rc_is() { # NAME RC
    [ "$(cat "$T/$1.rc")" = "$2" ] ||
        { cat "$T/$1.json" "$T/$1.err" >&2; fail "$1: exit $(cat "$T/$1.rc"), want $2"; }
}

# 1. A silent DNS server: the SMTP host's name, --timeout 2, ends in 3 s.
netns_dns silent --silent
run silent name.invalid --timeout 2
rc_is silent 3
within silent 3000
pfield silent connect summary | grep -q 'the DNS server (127.0.0.1) did not answer within 2 s' ||
    fail "connect summary: $(pfield silent connect summary)"
[ "$(pfact silent connect failure)" = "name does not resolve" ] ||
    fail "connect failure: $(pfact silent connect failure)"
grep -q '^query name.invalid A' "$T/silent.dns" || fail "the DNS peer was never asked"

# 2. A --dc name that does not resolve (the SMTP side a lab on loopback):
#    one timeout for both Kerberos probes (kerberos-ports takes kdc-time's
#    lookup), unresolved, the controller named, exit 3.
start_lab lab e2010-healthy
run dc 127.0.0.1 -p "$PORT" --dc dc.invalid --only kdc-time,kerberos-ports --timeout 2
rc_is dc 3
within dc 3000
for f in kdc_tcp kdc_udp kpasswd_tcp; do
    [ "$(pfact dc kerberos-ports $f)" = unresolved ] || fail "kerberos-ports $f: $(pfact dc kerberos-ports $f)"
done
[ "$(pfact dc kerberos-ports blocked)" = False ] || fail "an unresolved DC counted as blocked"
for p in kdc-time kerberos-ports; do
    s=$(pfield dc $p summary)
    echo "$s" | grep -q "domain controller's name does not resolve" || fail "$p: $s"
    echo "$s" | grep -q 'the name dc.invalid could not be looked up: the DNS server (127.0.0.1) did not answer within 2 s' ||
        fail "$p: $s"
    echo "$s" | grep -q 'Kerberos is blocked' && fail "$p blames the ports: $s"
done
[ "$(grep -c '^query dc.invalid' "$T/silent.dns")" -ge 1 ] || fail "dc.invalid was never asked"

# 3. Numeric addresses, localhost and a name of /etc/hosts: no DNS at all,
#    at once, while the DNS server is still silent.
for h in 127.0.0.1 localhost hosts-only.test; do
    run "h-$h" "$h" -p "$PORT" --only connect --timeout 2
    rc_is "h-$h" 0
    within "h-$h" 1000
    [ "$(pfact "h-$h" connect address)" = 127.0.0.1 ] || fail "$h: $(pfact "h-$h" connect address)"
done
grep -Eq '^query (localhost|hosts-only\.test|127\.0\.0\.1)' "$T/silent.dns" &&
    { cat "$T/silent.dns"; fail "DNS was asked for a numeric address or a hosts name"; }
netns_dns_stop

# 4. A DNS server that answers: A for the SMTP host and the KDC, SRV
#    _kerberos._tcp.smtpwiz.test -> kdc.smtpwiz.test:KDC_PORT (a real KDC).
kdc_create
kdc_start
netns_dns live --a mail.smtpwiz.test=127.0.0.1 --a kdc.smtpwiz.test=127.0.0.1 \
    --srv "_kerberos._tcp.smtpwiz.test=kdc.smtpwiz.test:$KDC_PORT"
run a mail.smtpwiz.test -p "$PORT" --only connect,banner --timeout 2
rc_is a 0
[ "$(pfact a connect address)" = 127.0.0.1 ] || fail "A: $(pfact a connect address)"
# The SMTP port shut: the domain comes from the host name; the KDC from SRV.
NOSMTP=$(free_port)
DC=''
run srv mail.smtpwiz.test -p "$NOSMTP" --only kdc-time,kerberos-ports \
    --realm "$KRB_REALM" --timeout 2
[ "$(pfield srv kdc-time status)" = pass ] || { cat "$T/srv.json"; fail "kdc-time over SRV"; }
[ "$(pfact srv kdc-time dc_source)" = "DNS SRV _kerberos._tcp.smtpwiz.test" ] ||
    fail "dc_source: $(pfact srv kdc-time dc_source)"
[ "$(pfact srv kdc-time kdc)" = kdc.smtpwiz.test ] || fail "kdc: $(pfact srv kdc-time kdc)"
[ "$(pfact srv kdc-time kdc_port)" = "$KDC_PORT" ] || fail "kdc_port: $(pfact srv kdc-time kdc_port)"
[ "$(pfact srv kdc-time kdc_addr)" = 127.0.0.1 ] || fail "kdc_addr: $(pfact srv kdc-time kdc_addr)"
[ "$(pfact srv kerberos-ports kdc_tcp)" = answered ] || fail "kdc_tcp: $(pfact srv kerberos-ports kdc_tcp)"
[ "$(pfact srv kerberos-ports kdc_udp)" = answered ] || fail "kdc_udp: $(pfact srv kerberos-ports kdc_udp)"
unset DC
# One SRV lookup for both probes.
[ "$(grep -c '^query _kerberos._tcp.smtpwiz.test SRV' "$T/live.dns")" = 1 ] ||
    { cat "$T/live.dns"; fail "the SRV record was not asked exactly once"; }
grep -q '^query kdc.smtpwiz.test A' "$T/live.dns" || fail "the SRV target was not resolved"
# A name the server does not know: NXDOMAIN, said as such, at once.
run nx nothere.smtpwiz.test -p "$PORT" --only connect --timeout 2
rc_is nx 3
within nx 1000
pfield nx connect summary | grep -q 'the name nothere.smtpwiz.test does not resolve (no such domain)' ||
    fail "NXDOMAIN: $(pfield nx connect summary)"
stop_lab lab
echo "resolve_netns: ok"
