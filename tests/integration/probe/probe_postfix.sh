#!/bin/sh
# smtpwiz probe against a real Debian postfix: STARTTLS, Cyrus SASL PLAIN and
# LOGIN from a sasldb of its own, AUTH only inside TLS.  The test runs
# postfix's master in the foreground with a config directory, queue and SASL
# database under $T, listening on 127.0.0.1 only; nothing of the system's
# postfix set-up is read or changed (master -c DIR needs no
# alternate_config_directories, unlike the postfix command).
# Skips (77) when postfix is not installed.
. "$TOP/tests/lib/lib.sh"
MASTER=/usr/lib/postfix/sbin/master
[ -x "$MASTER" ] || skip "postfix not installed (scripts/bootstrap installs it)"
need saslpasswd2
need swaks
need openssl
[ "$(id -u)" = 0 ] || skip "postfix's master must start as root"
id postfix >/dev/null 2>&1 || skip "no postfix user"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"

USER_=alice
PASSWORD='p0stfix-Test-pw'
PORT=$(free_port)
C=$T/conf Q=$T/queue
# postfix's daemons run as the postfix user: they must reach into $T.
chmod 711 "$T"
mkdir -p "$C/sasl" "$Q"
printf '%s\n' "$PASSWORD" > "$T/password"
printf 'wrong-%s\n' "$PASSWORD" > "$T/wrong"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$C/key.pem" -out "$C/cert.pem" >"$T/openssl.log" 2>&1 || fail "openssl: $(cat "$T/openssl.log")"

printf '%s' "$PASSWORD" | saslpasswd2 -p -c -f "$C/sasl/sasldb2" -u smtpwiz.test "$USER_" ||
    fail "saslpasswd2 failed"
chown postfix "$C/sasl/sasldb2"
cat > "$C/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $C/sasl/sasldb2
mech_list: PLAIN LOGIN
EOF

cat > "$C/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $Q
data_directory = $Q/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.smtpwiz.test
mydomain = smtpwiz.test
myorigin = smtpwiz.test
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = $T/maillog
maillog_file_prefixes = $T
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
smtpd_error_sleep_time = 0s
smtpd_tls_cert_file = $C/cert.pem
smtpd_tls_key_file = $C/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $C/sasl
smtpd_sasl_local_domain = smtpwiz.test
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
EOF
# Only what an SMTP session up to RCPT needs; no queue manager, no delivery.
cat > "$C/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
rewrite   unix - - n - - trivial-rewrite
anvil     unix - - n - 1 anvil
tlsmgr    unix - - n 1000? 1 tlsmgr
proxymap  unix - - n - - proxymap
postlog   unix-dgram n - n - 1 postlogd
EOF
for d in pid; do mkdir -p "$Q/$d"; done
for d in private public incoming active deferred defer bounce trace hold maildrop corrupt saved flush data; do
    mkdir -p "$Q/$d"; chown postfix "$Q/$d"; chmod 700 "$Q/$d"
done
chgrp postdrop "$Q/public"; chmod 710 "$Q/public"

MAIL_CONFIG=$C timeout 120 "$MASTER" -c "$C" -d >"$T/master.log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$PORT" 15

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
