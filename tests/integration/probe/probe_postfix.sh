#!/bin/sh
# smtpwiz probe against a real Debian postfix (tests/lib/postfix.sh):
# STARTTLS, Cyrus SASL PLAIN and LOGIN from a sasldb of its own, AUTH only
# inside TLS.  Skips (77) when postfix is not installed.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/postfix.sh"
need_postfix
need swaks
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
start_postfix

run() { # NAME ARGS...
    name=$1; shift
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --timeout 5 --json --cafile "$C/cert.pem" "$@" \
        </dev/null >"$T/$name.out" 2>"$T/$name.err"
    echo $? > "$T/$name.rc"
}
run good --user "$USER_" --password-file "$T/password"
run wrong --user "$USER_" --password-file "$T/wrong"
run none
timeout 30 swaks --server "127.0.0.1:$PORT" --helo smtpwiz.test --quit-after EHLO >"$T/swaks-plain.txt" 2>&1
timeout 30 swaks --server "127.0.0.1:$PORT" --helo smtpwiz.test --tls --quit-after EHLO >"$T/swaks-tls.txt" 2>&1

python3 - "$T" "$PASSWORD" <<'PY' || { echo "--- postfix log:" >&2; tail -n 30 "$T/maillog" "$T/master.log" >&2; exit 1; }
import json, sys
T, password = sys.argv[1:3]
bad = []

def load(name):
    rc = int(open(f"{T}/{name}.rc").read())
    out = open(f"{T}/{name}.out").read()
    if password in out + open(f"{T}/{name}.err").read():
        bad.append(f"{name}: the password is in the output")
    try:
        j = json.loads(out)
    except ValueError as e:
        bad.append(f"{name}: not JSON ({e}), exit {rc}: {out[:300]!r}")
        return rc, {}
    return rc, {p["name"]: p for p in j["probes"]}

def swaks(path, tls):
    c, s = (" ~> ", "<~  ") if tls else (" -> ", "<-  ")
    lines = open(path, errors="replace").read().splitlines()
    for i, l in enumerate(lines):
        if l.startswith(c + "EHLO"):
            block = []
            for r in lines[i + 1:]:
                if not r.startswith(s + "250"):
                    break
                block.append(r[len(s) + 4:])
            return [b.split()[0].upper() for b in block[1:]]
    return None

rc, P = load("good")
f = lambda n: P.get(n, {}).get("facts", {})
st = lambda n: P.get(n, {}).get("status")
if f("banner").get("product") != "postfix":
    bad.append(f"good: banner product {f('banner').get('product')!r}, want postfix")
kw, ka = f("ehlo").get("keywords") or [], f("starttls").get("keywords_after") or []
if "STARTTLS" not in kw or "AUTH" in kw:
    bad.append(f"good: keywords before TLS {kw}: want STARTTLS and no AUTH (smtpd_tls_auth_only)")
if "AUTH" not in ka or "STARTTLS" in ka:
    bad.append(f"good: keywords after TLS {ka}: want AUTH and no STARTTLS")
sp, stl = swaks(f"{T}/swaks-plain.txt", False), swaks(f"{T}/swaks-tls.txt", True)
if kw != sp or ka != stl:
    bad.append(f"good: smtpwiz {kw} / {ka} but swaks {sp} / {stl}")
if f("starttls").get("verified") is not True or not str(f("starttls").get("protocol", "")).startswith("TLSv1."):
    bad.append(f"good: starttls verified {f('starttls').get('verified')!r} protocol {f('starttls').get('protocol')!r}")
if sorted(f("auth").get("mechanisms") or []) != ["LOGIN", "PLAIN"]:
    bad.append(f"good: auth mechanisms {f('auth').get('mechanisms')!r}")
for m in ("PLAIN", "LOGIN"):
    if not str(f("auth").get(m, "")).startswith("235 "):
        bad.append(f"good: AUTH {m} -> {f('auth').get(m)!r}, want 235")
x = f("xexch50")
# Postfix refuses RCPT TO:<postmaster@> of a domain it does not serve
# (relay denied): then XEXCH50 is reported as not tested, with that reply,
# never as accepted; else its answer to the unknown verb is a 5xx.
refused = "refused RCPT TO (5" in str(x.get("untested", ""))
replied = str(x.get("reply_unauth", "")).startswith("5") and str(x.get("reply_auth", "")).startswith("5")
if not (refused or replied) or x.get("offered") is not False:
    bad.append(f"good: xexch50 {x!r}: want a 5xx to RCPT or to XEXCH50, and offered false")
if st("xexch50") != "skip":
    bad.append(f"good: xexch50 {st('xexch50')} on a server that does not offer it")
if rc != 0:
    bad.append(f"good: exit {rc}, want 0: " + ", ".join(f"{k}={v['status']}" for k, v in P.items()))

rc, P = load("wrong")
# One failed logon per family and run: the first of PLAIN and LOGIN gets 535,
# the other is not tried (an account that locks out must not be locked).
af = P.get("auth", {}).get("facts", {})
got = [str(af.get(m, "")) for m in ("PLAIN", "LOGIN")]
if sum(g.startswith("535 ") for g in got) != 1 or not any("already failed" in g for g in got):
    bad.append(f"wrong: AUTH PLAIN/LOGIN -> {got!r}, want one 535 and one not tried")
if P.get("auth", {}).get("status") != "fail" or rc != 2:
    bad.append(f"wrong: auth {P.get('auth', {}).get('status')}, exit {rc}; want fail, 2")

rc, P = load("none")
if P.get("auth", {}).get("status") != "skip" or rc != 0:
    bad.append(f"none: auth {P.get('auth', {}).get('status')}, exit {rc}; want skip, 0")

if bad:
    print("\n".join("FAIL: " + b for b in bad), file=sys.stderr)
    sys.exit(1)
print("probe_postfix: all assertions hold")
PY
