#!/bin/sh
# Bounded work against a server that offers 64 AUTH and 64 X-EXPS names
# (every plugin Cyrus SASL ships, then junk): only what the local library
# has is tried; one run opens at most 8 connections, every probe together
# (the peer counts them), and makes at most one failed logon per family of
# mechanisms, AUTH and X-EXPS together (an account that locks out after 5
# bad attempts is not locked by one run); it ends within its deadline and
# stays under 32 MiB.  Once: 131 connections, 242 s at --timeout 2.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
USER_=carol.policy
PASS_='Pol1cy-Secret-9x'
export SMTPWIZ_PASSWORD="$PASS_"
RSS_MAX=32768
if ldd "$SMTPWIZ" 2>/dev/null | grep -q 'libasan'; then RSS_MAX=131072; fi
make_plain_cert mechs
# measure NAME ARGS...: smtpwiz under tests/lib/measure.py; sets RSS WALL.
measure() {
    _n=$1
    shift
    set -- $(python3 "$TOP/tests/lib/measure.py" "$T/$_n.out" "$T/$_n.err" timeout 120 "$SMTPWIZ" "$@")
    echo "$3" >"$T/$_n.rc"
    sanitizer_check "$_n"
    cp "$T/$_n.out" "$T/$_n.json"
    RSS=$1 WALL=$2
    echo "$_n: peak RSS $RSS KiB, $WALL s, $(conns) connections"
    [ "$RSS" -le "$RSS_MAX" ] || fail "$_n: peak RSS $RSS KiB, over $RSS_MAX KiB"
}

# Every logon refused: one per family, and no more than 8 connections.
start_policy mechs_refuse "$T/mechs.pem" "$T/mechs.key"
C="127.0.0.1 -p $HPORT --timeout 2 --user $USER_ --cafile $T/mechs.pem --deadline 30 --json"
measure refuse probe $C
n=$(cat "$HLOG.conns" | wc -l)
[ "$n" -le 9 ] || fail "refuse: $((n - 1)) connections, at most 8"
in_range "$WALL" 0 30 || fail "refuse: $WALL s, over the deadline"
check logons "$HLOG" 1
check json "$T/refuse.out"
check secrets "$USER_" "$PASS_" "$T/refuse.out" "$T/refuse.err"
grep -q "^b'AUTH PLAIN" "$HLOG" || fail "refuse: PLAIN was not tried inside TLS"
pfact refuse auth LOGIN | grep -q 'already failed in this run' ||
    fail "refuse: AUTH LOGIN after PLAIN's refusal: $(pfact refuse auth LOGIN)"
pfact refuse exps NTLM | grep -q 'already failed in this run' ||
    fail "refuse: X-EXPS NTLM after AUTH NTLM's refusal: $(pfact refuse exps NTLM)"
pfact refuse auth JUNK-00 | grep -q 'no plugin' || fail "refuse: JUNK-00: $(pfact refuse auth JUNK-00)"
pfield refuse auth summary | grep -q 'not tried: a PLAIN/LOGIN logon already failed' ||
    fail "refuse: the summary does not say what the family rule left out: $(pfield refuse auth summary)"
grep -q "^b'AUTH JUNK" "$HLOG" && fail "refuse: a mechanism without a local plugin was sent"

# Every logon accepted: the family rule does not stop it, the cap does.
start_policy mechs_accept "$T/mechs.pem" "$T/mechs.key"
C="127.0.0.1 -p $HPORT --timeout 2 --user $USER_ --cafile $T/mechs.pem --deadline 30 --json"
measure accept probe $C
n=$(cat "$HLOG.conns" | wc -l)
[ "$n" -le 9 ] || fail "accept: $((n - 1)) connections, at most 8"
in_range "$WALL" 0 30 || fail "accept: $WALL s, over the deadline"
check json "$T/accept.out"
jget "$T/accept.json" "' '.join(p['summary'] for p in j['probes'] if p['name'] in ('auth', 'exps', 'xexch50'))" |
    grep -q 'used its 8 connections' || fail "accept: no summary says the connection cap stopped it"
measure daccept diagnose 127.0.0.1 -p "$HPORT" --timeout 2 --user "$USER_" --cafile "$T/mechs.pem" \
    --deadline 30 --kb 843106 --json
check json "$T/daccept.out"
echo "policy_bounds: at most 8 connections, one failed logon per family"
