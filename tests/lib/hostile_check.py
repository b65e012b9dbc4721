# Checks for the hostile-peer tests (tests/integration/probe/hostile_*.sh):
# what smtpwiz printed and what the peer (tests/peers/hostile_smtp.py) saw.
#
#   hostile_check.py shown FILE...        text or Markdown output: valid UTF-8,
#                                         no control byte but LF, no DEL, no C1,
#                                         no bidi, format or separator character
#   hostile_check.py json FILE...         strict UTF-8 JSON (no lone surrogate),
#                                         and no such character in any key or value
#   hostile_check.py secrets USER PASSWORD FILE...
#                                         neither the password nor its base64
#                                         forms (PLAIN's too; padded or not)
#   hostile_check.py wire LOG             every command the peer received was one
#                                         line: no CR or LF inside; no DATA or BDAT
#   hostile_check.py size LIMIT FILE...   each file at most LIMIT bytes
#   hostile_check.py creds LOG USER PASSWORD [ntlm]
#                                         no AUTH or X-EXPS PLAIN/LOGIN reached the
#                                         peer, nor the password (raw or in any
#                                         base64 form), nor the user name in
#                                         base64 (LOGIN's first answer); no NTLM
#                                         type-3 either, unless "ntlm" (NTLM may
#                                         run without TLS when none was offered)
#   hostile_check.py logons LOG MAX       at most MAX AUTH/X-EXPS logons per
#                                         family of mechanisms (PLAIN+LOGIN, NTLM,
#                                         Kerberos, the rest); a bare AUTH NTLM is
#                                         ntlm-info's anonymous type-1, not one
#   hostile_check.py meta LOG             no command carried ; & $( ` | (shell
#                                         metacharacters from the server's names)
# Exit 0 if all hold, else 1 with one line per problem on stderr.
import ast
import base64
import json
import os
import sys
import unicodedata

problems = []


def hidden(ch, keep_lf=True):
    """True for a character that must never reach a terminal or file raw."""
    o = ord(ch)
    if ch == "\n" and keep_lf:
        return False
    return (o < 0x20 or 0x7F <= o <= 0x9F or ch in "\u2028\u2029"
            or unicodedata.category(ch) == "Cf")


def where(text, i):
    return repr(text[max(0, i - 40):i + 40])


def check_shown(path):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        problems.append(f"{path}: not valid UTF-8 at byte {e.start}: {data[max(0, e.start - 40):e.start + 40]!r}")
        return
    for i, ch in enumerate(text):
        if hidden(ch):
            problems.append(f"{path}: raw U+{ord(ch):04X} at {i}: {where(text, i)}")
            return


def walk(v, path, trail):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(k, path, trail + ["key"])
            walk(x, path, trail + [k])
    elif isinstance(v, list):
        for n, x in enumerate(v):
            walk(x, path, trail + [str(n)])
    elif isinstance(v, str):
        try:
            v.encode("utf-8", "strict")
        except UnicodeEncodeError:
            problems.append(f"{path}: {'/'.join(trail)}: a lone surrogate: {v[:80]!r}")
            return
        for i, ch in enumerate(v):
            if hidden(ch, keep_lf=trail[-1:] in (["means"], ["fix"], ["error"], ["because"],
                                                 ["ask"], ["how"])):
                problems.append(f"{path}: {'/'.join(trail)}: U+{ord(ch):04X} in {where(v, i)}")
                return


def check_json(path):
    data = open(path, "rb").read()
    try:
        j = json.loads(data.decode("utf-8", "strict"))
    except (UnicodeDecodeError, ValueError) as e:
        problems.append(f"{path}: not strict UTF-8 JSON: {e}")
        return
    check_shown(path)
    walk(j, path, [])


def check_secrets(user, password, paths):
    raws = [password.encode(), b"\0" + user.encode() + b"\0" + password.encode(),
            user.encode() + b"\0" + user.encode() + b"\0" + password.encode()]
    needles = {password: "the password"}
    for r in raws:
        needles[base64.b64encode(r).decode().rstrip("=")] = f"the base64 of {r!r}"
    for path in paths:
        text = open(path, "rb").read().decode("utf-8", "replace")
        for n, what in needles.items():
            if n in text:
                problems.append(f"{path}: holds {what}: {where(text, text.index(n))}")


def check_wire(path):
    lines = [ast.literal_eval(x) for x in open(path).read().splitlines() if x]
    if not lines:
        problems.append(f"{path}: the peer received nothing")
    for line in lines:
        body = line[:-2] if line.endswith(b"\r\n") else line
        if b"\r" in body or b"\n" in body:
            problems.append(f"{path}: a command carried a line break inside it: {line!r}")
        verb = (body.split() or [b""])[0].upper()
        if verb in (b"DATA", b"BDAT"):
            problems.append(f"{path}: {verb.decode()} reached the server: {line!r}")


def wire_lines(path):
    return [ast.literal_eval(x) for x in open(path).read().splitlines() if x]


def auth_mech(line):
    words = line.split()
    if len(words) >= 2 and words[0].upper() in (b"AUTH", b"X-EXPS"):
        return words[1].upper().decode("ascii", "replace")
    return None


def check_creds(path, user, password, ntlm_ok):
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=").encode()
    needles = {password.encode(): "the password", b64(password.encode()): "the password in base64",
               b64(user.encode()): "the user name in base64 (LOGIN)",
               b64(b"\0" + user.encode() + b"\0" + password.encode()): "PLAIN's payload"}
    for line in wire_lines(path):
        mech = auth_mech(line)
        if mech in ("PLAIN", "LOGIN"):
            problems.append(f"{path}: {mech} reached the server: {line[:60]!r}")
        if not ntlm_ok and line.startswith(b"TlRMTVNTUAAD"):
            problems.append(f"{path}: an NTLM type-3 (a logon) reached the server")
        for n, what in needles.items():
            if n in line:
                problems.append(f"{path}: {what} reached the server: {line[:60]!r}")


def family(mech):
    if mech in ("PLAIN", "LOGIN"):
        return "PLAIN/LOGIN"
    if mech == "NTLM":
        return "NTLM"
    if mech in ("GSSAPI", "GSS-SPNEGO") or mech.startswith("GS2-"):
        return "Kerberos"
    return "other"


def check_logons(path, most):
    count = {}
    for line in wire_lines(path):
        mech = auth_mech(line)
        # A bare AUTH NTLM is ntlm-info's anonymous type-1 (no account); a
        # logon under AUTH always carries Cyrus' initial response.
        if mech == "NTLM" and line.split()[0].upper() == b"AUTH" and len(line.split()) == 2:
            continue
        if mech:
            count[family(mech)] = count.get(family(mech), 0) + 1
    for fam, n in count.items():
        if n > most:
            problems.append(f"{path}: {n} {fam} logons, at most {most} allowed")


def check_meta(path):
    for line in wire_lines(path):
        for m in (b";", b"&", b"$(", b"`", b"|"):
            if m in line:
                problems.append(f"{path}: a command carried {m!r}: {line[:80]!r}")
                break


def check_size(limit, paths):
    for path in paths:
        n = os.path.getsize(path)
        if n > limit:
            problems.append(f"{path}: {n} bytes, over {limit}")


cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "shown":
    for p in args:
        check_shown(p)
elif cmd == "json":
    for p in args:
        check_json(p)
elif cmd == "secrets":
    check_secrets(args[0], args[1], args[2:])
elif cmd == "wire":
    check_wire(args[0])
elif cmd == "size":
    check_size(int(args[0]), args[1:])
elif cmd == "creds":
    check_creds(args[0], args[1], args[2], args[3:] == ["ntlm"])
elif cmd == "logons":
    check_logons(args[0], int(args[1]))
elif cmd == "meta":
    check_meta(args[0])
else:
    sys.exit(f"unknown check {cmd}")
for p in problems:
    print("FAIL: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
