"""What `smtpwiz probe --json` must report against each lab scenario.

Usage: lab_expect.py SCENARIO PROBE.json ELAPSED_S TIMEOUT_S [PROBE.txt]
PROBE.txt is the plain-text output of the same probe (no --json, stdout and
stderr), required for the hostile scenarios: it goes to a terminal, so it
must hold no raw control bytes.  Exits 1 with one line per broken expectation.  The facts
follow from the scenario files in kb/labs/ (see kb/labs/README.md)."""
import json
import re
import sys

sc, path, elapsed, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
text_path = sys.argv[5] if len(sys.argv) > 5 else None
raw = open(path, "rb").read()
j = json.loads(raw)
P = {p["name"]: p for p in j["probes"]}
F = {n: p.get("facts", {}) for n, p in P.items()}
st = {n: p["status"] for n, p in P.items()}
bad = []


def want(cond, what):
    if not cond:
        bad.append(what)


def kw():
    return F.get("ehlo", {}).get("keywords", [])


def fact(probe, key, default=""):
    return F.get(probe, {}).get(key, default)


# C0 controls but tab and newline, DEL, C1 controls (U+009B is CSI to a
# terminal), and U+DC80..U+DCFF: bytes that are not UTF-8 at all.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\udc80-\udcff]")


def controls_in(text):
    """The control characters in text, named: U+001B, byte 0x9B (not UTF-8)."""
    return sorted({"byte 0x%02X" % (ord(c) - 0xDC00) if ord(c) >= 0xDC80 else "U+%04X" % ord(c)
                   for c in CONTROL.findall(text)})


def report_json_strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from report_json_strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from report_json_strings(x)


HOSTILE = {"ansi-banner", "endless-line", "slow-drip", "huge-ehlo", "early-close",
           "tls-garbage", "never-greets"}
E2007 = ["SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "X-ANONYMOUSTLS",
         "AUTH", "X-EXPS", "8BITMIME", "BINARYMIME", "CHUNKING", "XEXCH50", "XRDST"]

# The scenarios that make the probe wait out its timeout: it must give up at
# that timeout, not before and not after a second one.
WAITS = {"slow-drip", "never-greets"}

if sc in HOSTILE:
    # 1.2 x the timeout + 0.5 s (start-up, output): with the short timeouts
    # the test gives, still less than two timeouts in a row.
    want(elapsed <= 1.2 * timeout + 0.5,
         "took %.2f s, more than 1.2 x the %g s timeout + 0.5 s" % (elapsed, timeout))
    # tls-garbage breaks TLS only: under --starttls auto the probes go on in
    # plain text, so starttls fails and nothing needs to error.
    want(sc == "tls-garbage" or "error" in st.values(),
         "no probe reports status error: %s" % st)
    # json.loads has already refused raw control bytes; escaped ones
    # (\u001b) would reach whoever prints the decoded strings.
    bad_json = sorted({c for s in report_json_strings(j) for c in controls_in(s)})
    want(not bad_json, "control characters in the JSON strings: %s" % ", ".join(bad_json))
    want(text_path is not None, "no plain-text probe output to check for raw control bytes")
    want(len(raw) < 2 * 1024 * 1024, "output of %d bytes is not bounded" % len(raw))
    if sc in WAITS:
        want(elapsed >= 0.9 * timeout, "gave up after %.2f s, before its %g s timeout" % (elapsed, timeout))
        summ = P.get("banner", {}).get("summary", "")
        want(st.get("banner") == "error" and re.search(r"(no|no complete) reply within [0-9.]+ s", summ),
             "the banner should fail on the timeout: %s %r" % (st.get("banner"), summ))
else:
    want(st.get("connect") == "pass", "connect did not pass")
    want(elapsed <= timeout * 3, "took %.1f s" % elapsed)
if text_path is not None:
    text = open(text_path, "rb").read().decode("utf-8", "surrogateescape")
    want(not controls_in(text), "raw control bytes in the plain-text output: %s"
         % ", ".join(controls_in(text)))

if sc == "e2010-healthy":
    want(fact("banner", "product") == "exchange-2007+", "banner product")
    want(fact("banner", "masked") is False, "banner masked")
    want(kw() == E2007, "EHLO keywords %s" % kw())
    want(st["auth"] == "pass" and st["exps"] == "pass", "auth/exps should pass")
    want(fact("xexch50", "reply_unauth").startswith("504 5.7.1"), "xexch50 reply_unauth")
    # labuser is an ordinary account: a healthy Exchange refuses it XEXCH50
    # (only the servers' identities may use it), and the probe says so.
    want(fact("xexch50", "reply_auth").startswith("504"), "xexch50 reply_auth")
    want(st["xexch50"] == "warn", "xexch50 should warn (an ordinary account)")
    want(fact("ntlm-info", "dns_computer") == "mail1.fabrikam.com", "ntlm dns_computer")
    want(fact("ntlm-info", "netbios_domain") == "FABRIKAM", "ntlm netbios_domain")
    want(fact("ntlm-info", "os_version") == "6.1.7601", "ntlm os_version")
    want(st["clock"] == "pass" and abs(fact("clock", "skew_s", 99)) <= 2, "clock")
    want(fact("starttls", "protocol", "").startswith("TLS"), "starttls protocol")
elif sc == "e2003-healthy":
    want(fact("banner", "product") == "exchange-2003", "banner product")
    want("X-LINK2STATE" in kw() and "XEXCH50" in kw(), "EHLO keywords %s" % kw())
    want(fact("xexch50", "reply_unauth") == "504 Need to authenticate first ", "reply_unauth")
    want(fact("xexch50", "reply_auth").startswith("504"), "reply_auth (an ordinary account)")
    want(st["xexch50"] == "warn", "xexch50 should warn (an ordinary account)")
    want(fact("ntlm-info", "os_version") == "5.2.3790", "ntlm os_version")
    want(st["clock"] == "pass", "clock")
elif sc == "iwa-disabled":
    mechs = fact("ehlo", "auth_mechs", []) + fact("ehlo", "exps_mechs", [])
    want(not {"GSSAPI", "NTLM"} & set(mechs), "GSSAPI/NTLM offered: %s" % mechs)
    want(st["auth"] == "pass", "auth should pass (basic)")
    want(fact("xexch50", "reply_auth").startswith("504"), "reply_auth")
elif sc == "sendas-denied":
    want(st["auth"] == "pass", "auth should pass")
    want(fact("xexch50", "reply_auth").startswith("504"), "reply_auth should be 504")
    # labuser is an ordinary account: Exchange refuses it XEXCH50 whatever
    # the SendAs rights, so the probe says so instead of failing.
    want(st["xexch50"] == "warn", "xexch50 should warn (an ordinary account)")
elif sc == "tls-without-auth":
    want(not fact("ehlo", "auth_mechs", []), "AUTH offered before TLS")
    want("LOGIN" in fact("starttls", "auth_mechs_after", []), "no AUTH after TLS")
    want(fact("xexch50", "reply_unauth").startswith("504"), "reply_unauth")
    want(st["auth"] == "pass", "auth after TLS should pass")
elif sc == "exps-logon-denied":
    want(st["auth"] == "pass", "auth should pass")
    want(st["exps"] == "fail", "exps should fail")
    want(fact("exps", "NTLM").startswith("535"), "X-EXPS NTLM should get 535")
    want(fact("xexch50", "reply_auth").startswith("504"), "reply_auth")
elif sc == "firewall-fixup":
    want(fact("banner", "masked") is True, "banner not masked")
    want(fact("xexch50", "reply_unauth").startswith("500"), "reply_unauth should be 500")
    want("STARTTLS" not in kw(), "STARTTLS still offered")
    want(fact("ehlo", "masked_lines", 0) > 0, "no masked EHLO lines")
elif sc == "legacy-ims":
    want(fact("banner", "product") == "exchange-5.5", "banner product")
    want(fact("xexch50", "reply_unauth").startswith("505"), "reply_unauth should be 505")
    want("XEXCH50" not in kw(), "XEXCH50 offered")
elif sc == "cross-org":
    want(st["exps"] == "fail" and fact("exps", "NTLM").startswith("504"), "X-EXPS should be refused")
    want(fact("ntlm-info", "dns_computer") == "mail.tailspintoys.com", "dns_computer")
    want(fact("xexch50", "reply_auth").startswith("504"), "reply_auth")
elif sc == "clock-skew":
    want(st["clock"] == "fail", "clock probe should fail")
    want(abs(fact("clock", "skew_s", 0) - 480) <= 2, "skew_s %s not within 2 s of 480" % fact("clock", "skew_s"))
    want(fact("exps", "NTLM").startswith("454 4.7.0"), "X-EXPS NTLM should get 454 4.7.0")
elif sc == "no-exchangeauth":
    for k in ("X-ANONYMOUSTLS", "X-EXPS", "XEXCH50", "XRDST"):
        want(k not in kw(), "%s offered" % k)
    want(st["auth"] == "pass", "auth should pass")
elif sc == "tls-garbage":
    want(st.get("starttls") == "fail", "starttls should fail")
    summ = P.get("starttls", {}).get("summary", "")
    want(summ.startswith("STARTTLS failed: ") and summ.count("STARTTLS failed") == 1,
         "starttls summary %r" % summ)
    for p in ("ntlm-info", "xexch50"):
        want(st.get(p) in ("pass", "fail", "warn"),
             "%s should run without TLS, not %s" % (p, st.get(p)))
    # STARTTLS was offered and broke: no credentials go out in clear after that.
    want(st.get("auth") == "skip" and "did not complete" in P.get("auth", {}).get("summary", ""),
         "auth should not send credentials without TLS: %s" % P.get("auth", {}).get("summary"))
    want(fact("xexch50", "reply_unauth").startswith("504"), "xexch50 reply_unauth")
elif sc in ("postfix-internet", "exim-internet", "sendmail-internet"):
    # Another product: no Exchange verbs, and the probe knows it is not Exchange.
    want(fact("banner", "product") == sc.split("-")[0], "banner product %s" % fact("banner", "product"))
    want("XEXCH50" not in kw() and "X-EXPS" not in " ".join(kw()), "Exchange verbs offered: %s" % kw())
    want(st["auth"] == "pass", "auth after TLS should pass")
elif sc == "e2013-frontend":
    want("XEXCH50" not in kw(), "XEXCH50 offered by a 2013+ front end")
    want(st["auth"] == "pass", "auth should pass")
    # X-EXPS is for the servers' identities only: labuser is refused.
    want(st["exps"] != "pass", "X-EXPS should refuse an ordinary account: %s" % st["exps"])
elif sc == "back-pressure":
    want(fact("xexch50", "mail_unauth", "").startswith("452 4.3.1"), "MAIL FROM should get 452")
    want(st["xexch50"] == "skip" and fact("xexch50", "untested"), "xexch50 should be untested")
elif sc == "greeting-421":
    want(st.get("banner") in ("fail", "error"), "banner should fail on 421: %s" % st.get("banner"))
elif sc == "spn-missing":
    want(st["clock"] == "pass", "clock should pass")
    want(fact("exps", "NTLM").startswith("235"), "X-EXPS NTLM should succeed")

for b in bad:
    print("%s: %s" % (sc, b))
sys.exit(1 if bad else 0)
