#!/bin/sh
# smtpwiz probe against a real third-party server: python3-aiosmtpd with
# STARTTLS (self-signed certificate) and AUTH PLAIN/LOGIN after TLS.
# Pins the JSON contract of issue 2: banner product, EHLO keywords before and
# after TLS, certificate verification (chain and host name), AUTH per
# mechanism with the right and a wrong password, XEXCH50 on a server that is
# not Exchange, the transcript's TLS marker and redaction, and exit statuses.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
need_aiosmtpd
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"

# Two certificates, both CN=localhost: one names only DNS:localhost, so it
# does not cover the address 127.0.0.1 we connect to; the other also has
# IP:127.0.0.1 and so must verify.
make_cert dnsonly DNS:localhost
make_cert withip DNS:localhost,IP:127.0.0.1
start_aiosmtpd dnsonly;  PORT_DNS=$PEER_PORT
start_aiosmtpd withip;   PORT_IP=$PEER_PORT
printf 'not-the-password\n' > "$T/wrong.password"

# run NAME PORT ARGS...: smtpwiz probe 127.0.0.1, output in $T/NAME.{out,err,rc}
run() {
    name=$1 port=$2; shift 2
    timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$port" --timeout 5 "$@" \
        >"$T/$name.out" 2>"$T/$name.err"
    echo $? > "$T/$name.rc"
}
certfor() { [ "$1" = "$PORT_IP" ] && echo "$T/withip.pem" || echo "$T/dnsonly.pem"; }
run_json() { # NAME PORT ARGS...
    name=$1 port=$2; shift 2
    run "$name" "$port" --json --user "$PEER_USER" --cafile "$(certfor "$port")" "$@"
}

run_json good_ip   "$PORT_IP"  --password-file "$PEER_PWFILE"
run_json good_dns  "$PORT_DNS" --password-file "$PEER_PWFILE"
run_json wrong     "$PORT_IP"  --password-file "$T/wrong.password"
run_json notls     "$PORT_IP"  --password-file "$PEER_PWFILE" --starttls never
run_json always    "$PORT_IP"  --password-file "$PEER_PWFILE" --starttls always --mech PLAIN
run_json nocreds   "$PORT_IP"  --only connect,banner,ehlo,starttls,auth
run human "$PORT_IP" --user "$PEER_USER" --password-file "$PEER_PWFILE" --cafile "$T/withip.pem"
# Without --cafile the self-signed chain cannot be trusted from the system store.
timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT_IP" --timeout 5 --json \
    --only connect,banner,ehlo,starttls >"$T/nocafile.out" 2>"$T/nocafile.err"
echo $? > "$T/nocafile.rc"

python3 - "$T" "$PORT_IP" "$PORT_DNS" <<'PY'
import json, os, re, sys

T, PORT_IP, PORT_DNS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bad = []
STATUSES = {"pass", "warn", "fail", "skip", "error"}
EXIT_OF = {"pass": 0, "skip": 0, "warn": 1, "fail": 2, "error": 2}

def check(cond, what):
    if not cond:
        bad.append(what)
    return cond

def load(name):
    rc = int(open(f"{T}/{name}.rc").read())
    text = open(f"{T}/{name}.out").read()
    err = open(f"{T}/{name}.err").read()
    try:
        j = json.loads(text)
    except ValueError as e:
        bad.append(f"{name}: stdout is not one JSON object ({e}); rc={rc}\n"
                   f"stdout: {text[:2000]}\nstderr: {err[:2000]}")
        return rc, None, {}
    probes = {p.get("name"): p for p in j.get("probes", [])}
    return rc, j, probes

def facts(probes, name):
    return probes.get(name, {}).get("facts", {}) or {}

def status(probes, name):
    return probes.get(name, {}).get("status")

def common(name, rc, j, probes, port):
    """The shape every --json run must have."""
    check(j.get("tool") == "smtpwiz", f"{name}: tool is {j.get('tool')!r}")
    check(isinstance(j.get("version"), str) and j["version"], f"{name}: no version")
    tg = j.get("target", {})
    check(tg.get("host") == "127.0.0.1", f"{name}: target.host {tg.get('host')!r}")
    check(tg.get("port") == port, f"{name}: target.port {tg.get('port')!r} != {port}")
    check(tg.get("address") == "127.0.0.1", f"{name}: target.address {tg.get('address')!r}")
    worst = 0
    for p in j.get("probes", []):
        n = p.get("name")
        check(p.get("status") in STATUSES, f"{name}: probe {n} status {p.get('status')!r}")
        check(isinstance(p.get("summary"), str) and p["summary"].strip(),
              f"{name}: probe {n} has no summary")
        check(isinstance(p.get("elapsed_ms"), (int, float)) and p["elapsed_ms"] >= 0,
              f"{name}: probe {n} elapsed_ms {p.get('elapsed_ms')!r}")
        check(isinstance(p.get("facts"), dict), f"{name}: probe {n} facts not an object")
        worst = max(worst, EXIT_OF.get(p.get("status"), 0))
    # Exit status is the monitoring-plugins summary of the statuses.
    check(rc == worst, f"{name}: exit {rc} but the worst probe status means {worst}: "
          + ", ".join(f"{p.get('name')}={p.get('status')}" for p in j.get("probes", [])))
    tr = j.get("transcript", [])
    check(len(tr) > 0, f"{name}: empty transcript")
    last = -1.0
    for e in tr:
        check(e.get("dir") in ("S", "C", "*"), f"{name}: transcript dir {e.get('dir')!r}")
        check(isinstance(e.get("tls"), bool), f"{name}: transcript tls {e.get('tls')!r}")
        check(isinstance(e.get("line"), str), f"{name}: transcript line {e.get('line')!r}")
        t = e.get("t_ms")
        if check(isinstance(t, (int, float)), f"{name}: transcript t_ms {t!r}"):
            check(t >= last, f"{name}: transcript time goes backwards at {e}")
            last = t
    return tr

def tls_marker(name, tr):
    """Before the first STARTTLS everything is plain; the EHLO right after
    the 220 to STARTTLS is inside TLS; a line inside TLS never precedes one."""
    idx = [i for i, e in enumerate(tr) if e["dir"] == "C" and e["line"].upper() == "STARTTLS"]
    if not check(idx, f"{name}: no STARTTLS command in the transcript"):
        return
    first = idx[0]
    check(not any(e["tls"] for e in tr[:first + 1]),
          f"{name}: a line before STARTTLS is marked tls")
    after = [e for e in tr[first + 1:] if e["dir"] in ("S", "C")]
    check(after and after[0]["dir"] == "S" and after[0]["line"].startswith("220")
          and not after[0]["tls"], f"{name}: STARTTLS not answered by a plain 220: {after[:1]}")
    nxt = [e for e in after[1:] if e["dir"] == "C"]
    check(nxt and nxt[0]["tls"] and nxt[0]["line"].upper().startswith("EHLO"),
          f"{name}: the EHLO after STARTTLS is not marked tls: {nxt[:1]}")

def redaction(name, tr):
    """AUTH payloads only as <redacted: N bytes>."""
    in_auth = False
    seen = 0
    for e in tr:
        line = e["line"]
        if e["dir"] == "C" and line.upper().startswith("AUTH "):
            words = line.split(" ", 2)
            if len(words) > 2:
                check(re.fullmatch(r"<redacted: [1-9]\d* bytes>", words[2]),
                      f"{name}: AUTH initial response not redacted: {line!r}")
                seen += 1
            in_auth = True
        elif in_auth and e["dir"] == "C":
            check(re.fullmatch(r"<redacted: [1-9]\d* bytes>", line) or line == "*",
                  f"{name}: AUTH payload not redacted: {line!r}")
            seen += 1
        elif e["dir"] == "S" and not line.startswith("334"):
            in_auth = False
    check(seen > 0, f"{name}: no redacted AUTH payload in the transcript")

# --- good password, certificate names 127.0.0.1 -----------------------------
rc, j, P = load("good_ip")
if j:
    tr = common("good_ip", rc, j, P, PORT_IP)
    for n in ("connect", "banner", "ehlo", "starttls", "auth", "exps", "ntlm-info", "xexch50", "clock"):
        check(n in P, f"good_ip: probe {n} missing (all nine run without --only)")
    b = facts(P, "banner")
    check(b.get("product") == "other", f"good_ip: banner product {b.get('product')!r} (aiosmtpd is 'other')")
    check("server_time" not in b, f"good_ip: banner server_time {b.get('server_time')!r} "
          "but aiosmtpd's greeting has no date")
    check(b.get("masked") is False, f"good_ip: banner masked {b.get('masked')!r}")
    check(status(P, "banner") == "pass", f"good_ip: banner {status(P, 'banner')}")
    kw = facts(P, "ehlo").get("keywords")
    check(kw == ["SIZE", "8BITMIME", "STARTTLS", "HELP"],
          f"good_ip: ehlo keywords {kw!r} (aiosmtpd offers SIZE 8BITMIME STARTTLS HELP before TLS)")
    s = facts(P, "starttls")
    check(status(P, "starttls") == "pass", f"good_ip: starttls {status(P, 'starttls')}: {P.get('starttls', {}).get('summary')}")
    check(s.get("offered") is True, f"good_ip: starttls offered {s.get('offered')!r}")
    check(s.get("verified") is True, f"good_ip: verified {s.get('verified')!r} with --cafile and IP SAN 127.0.0.1")
    check(str(s.get("protocol", "")).startswith("TLSv1."), f"good_ip: protocol {s.get('protocol')!r}")
    ka = s.get("keywords_after")
    check(ka == ["SIZE", "8BITMIME", "AUTH", "HELP"], f"good_ip: keywords_after {ka!r}")
    a = facts(P, "auth")
    check(status(P, "auth") == "pass", f"good_ip: auth {status(P, 'auth')}: {P.get('auth', {}).get('summary')}")
    check(sorted(a.get("mechanisms") or []) == ["LOGIN", "PLAIN"], f"good_ip: auth mechanisms {a.get('mechanisms')!r}")
    for m in ("PLAIN", "LOGIN"):
        check(str(a.get(m, "")).startswith("235 "), f"good_ip: AUTH {m} -> {a.get(m)!r}, want 235")
    x = facts(P, "xexch50")
    check(str(x.get("reply_unauth", "")).startswith("5"), f"good_ip: xexch50 reply_unauth {x.get('reply_unauth')!r}")
    check(str(x.get("reply_auth", "")).startswith("5"), f"good_ip: xexch50 reply_auth {x.get('reply_auth')!r} "
          "(credentials work, so XEXCH50 must be tried after AUTH too)")
    check(x.get("offered") is False, f"good_ip: xexch50 offered {x.get('offered')!r}")
    # Not offered and answered 500: not applicable to this server, not a fault.
    check(status(P, "xexch50") == "skip", f"good_ip: xexch50 {status(P, 'xexch50')}: {P.get('xexch50', {}).get('summary')}")
    for n in ("exps", "ntlm-info", "clock"):
        check(status(P, n) == "skip", f"good_ip: {n} is {status(P, n)} on a server without X-EXPS, NTLM "
              f"or a dated greeting: {P.get(n, {}).get('summary')}")
    check("skew_s" not in facts(P, "clock"), "good_ip: clock skew_s without any time source")
    check(rc == 0, f"good_ip: exit {rc}, want 0 (all pass or skip)")
    check(not any(e["dir"] == "C" and e["line"].upper().startswith(("DATA", "BDAT")) for e in tr),
          "good_ip: the probe sent DATA or BDAT")
    tls_marker("good_ip", tr)
    redaction("good_ip", tr)

# --- certificate names only DNS:localhost, we connect to 127.0.0.1 --------------
rc, j, P = load("good_dns")
if j:
    tr = common("good_dns", rc, j, P, PORT_DNS)
    s = facts(P, "starttls")
    check(s.get("chain_ok") is True, f"good_dns: chain_ok {s.get('chain_ok')!r} (--cafile is the cert itself)")
    check(s.get("hostname_ok") is False, f"good_dns: hostname_ok {s.get('hostname_ok')!r}: "
          "a certificate for DNS:localhost does not name 127.0.0.1")
    check(s.get("verified") is False, f"good_dns: verified {s.get('verified')!r}, must be false")
    check(status(P, "starttls") == "warn", f"good_dns: starttls {status(P, 'starttls')} (a verification failure is a warning)")
    check("127.0.0.1" in P.get("starttls", {}).get("summary", ""),
          f"good_dns: starttls summary does not say which name failed: {P.get('starttls', {}).get('summary')!r}")
    check(status(P, "auth") == "pass", f"good_dns: auth {status(P, 'auth')}")
    check(rc == 1, f"good_dns: exit {rc}, want 1 (one warning)")

# --- no --cafile: self-signed, not trusted -------------------------------------
rc, j, P = load("nocafile")
if j:
    common("nocafile", rc, j, P, PORT_IP)
    s = facts(P, "starttls")
    check(s.get("chain_ok") is False and s.get("verified") is False,
          f"nocafile: chain_ok {s.get('chain_ok')!r} verified {s.get('verified')!r} for a self-signed cert")
    check(status(P, "starttls") == "warn", f"nocafile: starttls {status(P, 'starttls')}")
    check(rc == 1, f"nocafile: exit {rc}, want 1")
    check([p["name"] for p in j["probes"]] == ["connect", "banner", "ehlo", "starttls"],
          f"nocafile: --only ran {[p['name'] for p in j['probes']]}")

# --- wrong password ----------------------------------------------------------------
rc, j, P = load("wrong")
if j:
    tr = common("wrong", rc, j, P, PORT_IP)
    a = facts(P, "auth")
    check(status(P, "auth") == "fail", f"wrong: auth {status(P, 'auth')}, want fail")
    # One failed logon per family and run: PLAIN and LOGIN are one.
    got = [str(a.get(m, "")) for m in ("PLAIN", "LOGIN")]
    check(sum(g.startswith("535 ") for g in got) == 1 and any("already failed" in g for g in got),
          f"wrong: AUTH PLAIN/LOGIN -> {got!r}, want one 535 and one not tried")
    check("reply_auth" not in facts(P, "xexch50"), "wrong: xexch50 reply_auth without a working AUTH")
    check(rc == 2, f"wrong: exit {rc}, want 2")
    redaction("wrong", tr)

# --- --starttls never --------------------------------------------------------------
rc, j, P = load("notls")
if j:
    tr = common("notls", rc, j, P, PORT_IP)
    check("STARTTLS" in (facts(P, "ehlo").get("keywords") or []), "notls: ehlo keywords lack STARTTLS")
    check(status(P, "starttls") == "skip", f"notls: starttls {status(P, 'starttls')}")
    check(not any(e["tls"] for e in tr), "notls: a transcript line is marked tls")
    check(not any(e["dir"] == "C" and e["line"].upper() == "STARTTLS" for e in tr), "notls: sent STARTTLS")
    # aiosmtpd offers AUTH only inside TLS.
    check(status(P, "auth") == "skip", f"notls: auth {status(P, 'auth')}: {P.get('auth', {}).get('summary')}")
    check(not any(e["dir"] == "C" and e["line"].upper().startswith("AUTH") for e in tr), "notls: sent AUTH in clear")

# --- --starttls always --mech PLAIN --------------------------------------------------
rc, j, P = load("always")
if j:
    tr = common("always", rc, j, P, PORT_IP)
    a = facts(P, "auth")
    check(str(a.get("PLAIN", "")).startswith("235 "), f"always: AUTH PLAIN -> {a.get('PLAIN')!r}")
    check("LOGIN" not in a, f"always: --mech PLAIN but LOGIN was tried: {a.get('LOGIN')!r}")
    check(not any(e["dir"] == "C" and e["line"].upper().startswith("AUTH LOGIN") for e in tr),
          "always: --mech PLAIN but AUTH LOGIN was sent")
    check(rc == 0, f"always: exit {rc}")

# --- no credentials: auth is skipped, never attempted ------------------------------------
rc, j, P = load("nocreds")
if j:
    tr = common("nocreds", rc, j, P, PORT_IP)
    check(status(P, "auth") == "skip", f"nocreds: auth {status(P, 'auth')}")
    check(sorted(facts(P, "auth").get("mechanisms") or []) == ["LOGIN", "PLAIN"],
          f"nocreds: auth mechanisms {facts(P, 'auth').get('mechanisms')!r}")
    check(not any(e["dir"] == "C" and e["line"].upper().startswith("AUTH") for e in tr), "nocreds: sent AUTH")
    check(rc == 0, f"nocreds: exit {rc}")

# --- human output ------------------------------------------------------------------
rc = int(open(f"{T}/human.rc").read())
h = open(f"{T}/human.out", errors="replace").read()
check(rc == 0, f"human: exit {rc}, want 0 like the JSON run")
check("220 mx.smtpwiz.test" in h, "human: transcript lacks the greeting")
check("STARTTLS" in h and "235 " in h, "human: transcript lacks STARTTLS or the 235")
check(re.search(r"<redacted: \d+ bytes>", h), "human: no redacted AUTH payload shown")
# The findings come first, before the transcript.
findings = h[:h.find("\nTranscript")]
for n in ("connect", "banner", "ehlo", "starttls", "auth", "xexch50"):
    check(re.search(rf"^.*\b{re.escape(n)}\b", findings, re.M), f"human: findings lack {n}")

if bad:
    print("\n".join("FAIL: " + b for b in bad), file=sys.stderr)
    sys.exit(1)
print("probe_aiosmtpd: all assertions hold")
PY
