#!/bin/sh
# AUTH's families of mechanisms run at the same time: the peer (auth_slow)
# answers each logon DELAY seconds late and logs which mechanisms are
# inside a logon at once.  NTLM must overlap PLAIN/LOGIN; PLAIN and LOGIN
# (one family: at most one failed logon per run) never overlap each other;
# the run stays within its 8 connections; the transcript keeps one block
# per session (a session's lines never interleave with another's) and the
# facts keep the server's order.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
USER_=carol.policy
PASS_='Pol1cy-Secret-9x'
export SMTPWIZ_PASSWORD="$PASS_"
export SMTPWIZ_PEER_DELAY=0.3
make_plain_cert slow
start_policy auth_slow "$T/slow.pem" "$T/slow.key"
measure run probe 127.0.0.1 -p "$HPORT" --timeout 5 --user "$USER_" --cafile "$T/slow.pem" \
    --only auth --json
[ "$(pfield run auth status)" = pass ] || fail "auth: $(pfield run auth status): $(pfield run auth summary)"
[ "$CONNS" -le 8 ] || fail "$CONNS connections, at most 8"
check json "$T/run.out"
check secrets "$USER_" "$PASS_" "$T/run.out" "$T/run.err"
for m in NTLM LOGIN PLAIN; do
    case $(pfact run auth "$m") in 235*) ;; *) fail "AUTH $m: $(pfact run auth "$m")" ;; esac
done
A="$HLOG.active"
[ -s "$A" ] || fail "the peer saw no logon"
grep -Eq '(^|,)NTLM(,|$)' "$A" && grep -Eq '^(LOGIN|PLAIN),NTLM$|^NTLM,(LOGIN|PLAIN)$' "$A" ||
    { cat "$A" >&2; fail "NTLM never ran at the same time as PLAIN or LOGIN"; }
grep -Eq 'LOGIN.*PLAIN|PLAIN.*LOGIN' "$A" && { cat "$A" >&2; fail "PLAIN and LOGIN ran at once (one family)"; }
# One block per session: between two "connected" notes, AUTH lines name one
# family only; the facts in the order the server offered the mechanisms.
jget "$T/run.json" "0" >/dev/null
python3 - "$T/run.json" <<'PY' || { jget "$T/run.json" "chr(10).join(e[\"line\"][:60] for e in j[\"transcript\"])" >&2; fail "the transcript mixes sessions"; }
import json, re, sys
j = json.load(open(sys.argv[1]))
auth = [p for p in j["probes"] if p["name"] == "auth"][0]
blocks, cur = [], []
for e in j["transcript"]:
    if e["dir"] == "*" and e["line"].startswith("connected to") and cur:
        blocks.append(cur)
        cur = []
    if e["dir"] == "C":
        cur.append(e["line"])
blocks.append(cur)
fam = lambda m: "pw" if m in ("PLAIN", "LOGIN") else m
for b in blocks:
    f = {fam(m) for l in b for m in re.findall(r"^AUTH (\w+)", l)}
    if len(f) > 1:
        sys.exit("a block holds AUTH of several families: %s" % f)
keys = [k for k in auth["facts"] if k in ("NTLM", "LOGIN", "PLAIN")]
if keys != ["PLAIN", "LOGIN", "NTLM"]:
    sys.exit("facts out of the server's order: %s" % keys)
PY
echo "auth_concurrent: $(sort -u "$A" | tr '\n' ' ')in $WALL s, $CONNS connections"
