#!/bin/sh
# swaks and smtpwiz, run against the same aiosmtpd server, agree on the EHLO
# keywords (first word of each 250 line after the hello line) before and
# after STARTTLS, and on the AUTH mechanisms offered.  Two servers: AUTH only
# inside TLS (aiosmtpd's default), and AUTH offered in clear too.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
need_aiosmtpd
need swaks
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"

make_cert withip DNS:localhost,IP:127.0.0.1
start_aiosmtpd withip;                 PORT_TLSAUTH=$PEER_PORT
start_aiosmtpd withip --auth-anywhere; PORT_ANYAUTH=$PEER_PORT

for port in $PORT_TLSAUTH $PORT_ANYAUTH; do
    timeout 30 swaks --server "127.0.0.1:$port" --helo smtpwiz.test --quit-after EHLO \
        >"$T/swaks-plain-$port.txt" 2>&1 || fail "swaks (plain) failed: $(cat "$T/swaks-plain-$port.txt")"
    timeout 30 swaks --server "127.0.0.1:$port" --helo smtpwiz.test --tls --quit-after AUTH \
        --auth LOGIN --auth-user "$PEER_USER" --auth-password "$PEER_PASSWORD" \
        >"$T/swaks-tls-$port.txt" 2>&1 || fail "swaks (tls) failed: $(cat "$T/swaks-tls-$port.txt")"
    grep -q '^<~  235' "$T/swaks-tls-$port.txt" || fail "swaks could not AUTH: $(cat "$T/swaks-tls-$port.txt")"
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$port" --timeout 5 --helo smtpwiz.test --json \
        --cafile "$T/withip.pem" --only connect,banner,ehlo,starttls,auth \
        >"$T/smtpwiz-$port.json" 2>"$T/smtpwiz-$port.err"
    echo $? > "$T/smtpwiz-$port.rc"
    sanitizer_check "smtpwiz-$port"
done

python3 - "$T" "$PORT_TLSAUTH" "$PORT_ANYAUTH" <<'PY'
import json, re, sys
T, ports = sys.argv[1], sys.argv[2:]
bad = []

def swaks_ehlo(path, tls):
    """Keywords of the EHLO reply swaks printed: inside TLS ('<~') or not ('<-')."""
    arrow_c, arrow_s = (" ~> ", "<~  ") if tls else (" -> ", "<-  ")
    lines = open(path, errors="replace").read().splitlines()
    for i, l in enumerate(lines):
        if l.startswith(arrow_c + "EHLO"):
            block = []
            for r in lines[i + 1:]:
                if not r.startswith(arrow_s + "250"):
                    break
                block.append(r[len(arrow_s):])
                if r[len(arrow_s) + 3:len(arrow_s) + 4] == " ":
                    break
            return [b[4:].split()[0].upper() for b in block[1:] if b[4:].split()]
    return None

def auth_mechs(path, tls):
    arrow_s = "<~  " if tls else "<-  "
    for l in open(path, errors="replace").read().splitlines():
        m = re.match(re.escape(arrow_s) + r"250[- ]AUTH[ =](.*)", l, re.I)
        if m:
            return sorted(x.upper() for x in m.group(1).split())
    return []

for port in ports:
    rc = int(open(f"{T}/smtpwiz-{port}.rc").read())
    if rc not in (0, 1, 2):
        bad.append(f"{port}: smtpwiz exited {rc}")
    try:
        j = json.load(open(f"{T}/smtpwiz-{port}.json"))
    except ValueError as e:
        bad.append(f"{port}: smtpwiz --json is not JSON ({e}), exit {rc}: "
                   + open(f"{T}/smtpwiz-{port}.err", errors="replace").read()[:500])
        continue
    P = {p["name"]: p for p in j.get("probes", [])}
    mine_plain = P.get("ehlo", {}).get("facts", {}).get("keywords")
    mine_tls = P.get("starttls", {}).get("facts", {}).get("keywords_after")
    sw_plain = swaks_ehlo(f"{T}/swaks-plain-{port}.txt", False)
    sw_tls = swaks_ehlo(f"{T}/swaks-tls-{port}.txt", True)
    if not sw_plain or not sw_tls:
        bad.append(f"{port}: could not read swaks's EHLO replies: {sw_plain!r} {sw_tls!r}")
        continue
    if "STARTTLS" not in sw_plain or "AUTH" not in sw_tls:
        bad.append(f"{port}: the peer is not what this test needs: {sw_plain} / {sw_tls}")
    if mine_plain != sw_plain:
        bad.append(f"{port}: before TLS smtpwiz says {mine_plain}, swaks says {sw_plain}")
    if mine_tls != sw_tls:
        bad.append(f"{port}: after TLS smtpwiz says {mine_tls}, swaks says {sw_tls}")
    # AUTH mechanisms in force on the session smtpwiz authenticates on.
    mine_mechs = sorted(P.get("auth", {}).get("facts", {}).get("mechanisms") or [])
    sw_mechs = auth_mechs(f"{T}/swaks-tls-{port}.txt", True)
    if mine_mechs != sw_mechs:
        bad.append(f"{port}: AUTH mechanisms after TLS: smtpwiz {mine_mechs}, swaks {sw_mechs}")
    # And the same against smtpwiz's own transcript of the wire.
    tr = j.get("transcript", [])
    wire = [e["line"] for e in tr if e.get("dir") == "S" and not e.get("tls")]
    if not any(w.startswith("250-STARTTLS") for w in wire):
        bad.append(f"{port}: smtpwiz's transcript lacks the 250-STARTTLS line")

if bad:
    print("\n".join("FAIL: " + b for b in bad), file=sys.stderr)
    sys.exit(1)
print("probe_swaks_agree: swaks and smtpwiz agree")
PY
