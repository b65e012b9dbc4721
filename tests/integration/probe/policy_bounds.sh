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
make_plain_cert mechs
# bounded NAME: a probe run against policy_smtp.py's scenario mechs_NAME:
# at most 8 connections, within its deadline, valid JSON, no secret shown.
bounded() {
    start_policy "mechs_$1" "$T/mechs.pem" "$T/mechs.key"
    measure "$1" probe 127.0.0.1 -p "$HPORT" --timeout 2 --user "$USER_" --cafile "$T/mechs.pem" \
        --deadline 30 --json
    [ "$CONNS" -le 8 ] || fail "$1: $CONNS connections, at most 8"
    in_range "$WALL" 0 30 || fail "$1: $WALL s, over the deadline"
    check json "$T/$1.out"
    check secrets "$USER_" "$PASS_" "$T/$1.out" "$T/$1.err"
    grep -q "^b'AUTH PLAIN" "$HLOG" || fail "$1: PLAIN was not tried inside TLS"
    grep -q "^b'AUTH JUNK" "$HLOG" && fail "$1: a mechanism without a local plugin was sent"
    pfact "$1" auth JUNK-00 | grep -Eq 'no plugin|tests the mechanisms Exchange' || fail "$1: JUNK-00: $(pfact "$1" auth JUNK-00)"
}

# Every logon refused: one per family, AUTH and X-EXPS together.
bounded refuse
check logons "$HLOG" 1
pfact refuse auth LOGIN | grep -q 'already failed in this run' ||
    fail "refuse: AUTH LOGIN after PLAIN's refusal: $(pfact refuse auth LOGIN)"
pfact refuse exps NTLM | grep -q 'already failed in this run' ||
    fail "refuse: X-EXPS NTLM after AUTH NTLM's refusal: $(pfact refuse exps NTLM)"
pfield refuse auth summary | grep -q 'not tried: a PLAIN/LOGIN logon already failed' ||
    fail "refuse: the summary does not say what the family rule left out: $(pfield refuse auth summary)"

# Every logon accepted: the family rule does not stop it.  Only the four
# mechanisms smtpwiz tests (GSSAPI NTLM LOGIN PLAIN) are tried, so the run
# fits in its 8 connections; were it to need more, a summary says the cap
# stopped it (the cap itself: tests/unit/test_policy.c).
bounded accept
[ "$CONNS" -le 8 ] || fail "accept: $CONNS connections, at most 8"
for m in PLAIN LOGIN NTLM; do
    grep -q "^b'AUTH $m" "$HLOG" || fail "accept: AUTH $m was not tried though every logon succeeds"
done
if [ "$CONNS" -eq 8 ] && pfield accept auth summary | grep -q 'not tried'; then
    jget "$T/accept.json" "' '.join(p['summary'] for p in j['probes'] if p['name'] in ('auth', 'exps', 'xexch50'))" |
        grep -q 'used its 8 connections' || fail "accept: something was left out and no summary says why"
fi
measure daccept diagnose 127.0.0.1 -p "$HPORT" --timeout 2 --user "$USER_" --cafile "$T/mechs.pem" \
    --deadline 30 --kb 843106 --json
[ "$CONNS" -le 8 ] || fail "daccept: $CONNS connections, at most 8"
check json "$T/daccept.out"
echo "policy_bounds: at most 8 connections, one failed logon per family"
