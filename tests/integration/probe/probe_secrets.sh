#!/bin/sh
# The password never leaves smtpwiz except inside the TLS-protected AUTH
# exchange: not in stdout or stderr, human or JSON, whether it came from
# --password-file, SMTPWIZ_PASSWORD or the terminal prompt, right or wrong;
# nor in any base64 form the SASL exchange would carry (the password, the
# PLAIN blob, the LOGIN user name).  The command line has no way to give it.
. "$TOP/tests/lib/lib.sh"
PEER_USER=alice
PEER_PASSWORD='Zq9-unique-P4ss!w0rd'
. "$TOP/tests/lib/aiosmtpd.sh"
need_aiosmtpd
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
WRONG='Wr0ng-guess-7781xyz'

make_cert withip DNS:localhost,IP:127.0.0.1
start_aiosmtpd withip
printf '%s\n' "$WRONG" > "$T/wrong.password"

n=0
# probe NAME [env VAR=...] -- ARGS: one run, output in $T/NAME.{out,err,rc}
probe() {
    name=$1; shift
    env -u SMTPWIZ_PASSWORD "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    echo $? > "$T/$name.rc"
    n=$((n + 1))
}
P="$SMTPWIZ probe 127.0.0.1 -p $PEER_PORT --timeout 5 --user $PEER_USER --cafile $T/withip.pem"

probe file_json   timeout 60 $P --json --password-file "$PEER_PWFILE"
probe file_human  timeout 60 $P --password-file "$PEER_PWFILE"
probe env_json    SMTPWIZ_PASSWORD="$PEER_PASSWORD" timeout 60 $P --json
probe env_human   SMTPWIZ_PASSWORD="$PEER_PASSWORD" timeout 60 $P
probe plain_json  timeout 60 $P --json --mech PLAIN --password-file "$PEER_PWFILE"
probe login_human timeout 60 $P --mech LOGIN --password-file "$PEER_PWFILE"
probe wrong_json  timeout 60 $P --json --password-file "$T/wrong.password"
probe wrong_human SMTPWIZ_PASSWORD="$WRONG" timeout 60 $P
# No TLS: AUTH is not offered in clear by this peer, but nothing may leak either.
probe never_human timeout 60 $P --starttls never --password-file "$PEER_PWFILE"
# The command line refuses a password, and does not echo it back.
probe argv_sep    timeout 10 $P --password "$PEER_PASSWORD"
probe argv_eq     timeout 10 $P "--password=$PEER_PASSWORD" --json

# The terminal prompt: the password typed must not echo.
python3 - "$T/tty" "$PEER_PASSWORD" $P <<'PY'
import os, pty, select, sys, time
out, password, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
env = {k: v for k, v in os.environ.items() if k != "SMTPWIZ_PASSWORD"}
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(argv[0], argv, env)
buf, sent, end, status = b"", False, time.time() + 40, None
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:          # EIO: the child is gone and the pty closed
            chunk = b""
        if not chunk:
            break
        buf += chunk
    if not sent and b"assword" in buf:
        time.sleep(0.2)   # let the no-echo mode take effect before typing
        os.write(fd, password.encode() + b"\n")
        sent = True
while status is None and time.time() < end:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
    else:
        time.sleep(0.05)
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    status = 124
open(out + ".out", "wb").write(buf)
open(out + ".rc", "w").write(str(status))
open(out + ".err", "w").write("" if sent else "no password prompt seen\n")
PY

python3 - "$T" "$PEER_USER" "$PEER_PASSWORD" "$WRONG" <<'PY'
import base64, json, os, sys
T, user, password, wrong = sys.argv[1:5]
bad = []

def forms(pw):
    """The secret and every base64 form SASL PLAIN/LOGIN would put on the wire
    (with and without padding, which a substring search must not depend on)."""
    raw = [pw.encode(), f"\0{user}\0{pw}".encode(), f"{user}\0{user}\0{pw}".encode()]
    out = {pw: "the password"}
    for r in raw:
        b = base64.b64encode(r).decode()
        out[b.rstrip("=")] = f"base64 of {r!r}"
    return out

secret = forms(password)
secret[base64.b64encode(user.encode()).decode().rstrip("=")] = "base64 of the user name (LOGIN)"
wrong_forms = forms(wrong)
names = sorted({f[:-3] for f in os.listdir(T) if f.endswith(".rc")})
expect = {"file_json": 0, "file_human": 0, "env_json": 0, "env_human": 0, "plain_json": 0,
          "login_human": 0, "wrong_json": 2, "wrong_human": 2, "argv_sep": 3, "argv_eq": 3,
          "tty": 0}
for name in names:
    rc = int(open(f"{T}/{name}.rc").read())
    if name in expect and rc != expect[name]:
        bad.append(f"{name}: exit {rc}, want {expect[name]}; stderr: "
                   + open(f"{T}/{name}.err", errors="replace").read()[:500])
    for stream in ("out", "err"):
        data = open(f"{T}/{name}.{stream}", "rb").read().decode("utf-8", "replace")
        for needle, what in list(secret.items()) + list(wrong_forms.items()):
            if needle in data:
                at = data.index(needle)
                bad.append(f"{name}: std{stream} holds {what}: ...{data[max(0, at - 60):at + 60]!r}...")
    if name.endswith("_json"):
        try:
            j = json.load(open(f"{T}/{name}.out"))
        except ValueError as e:
            bad.append(f"{name}: stdout is not JSON: {e}")
            continue
        auth = next((p for p in j.get("probes", []) if p.get("name") == "auth"), {})
        want = "fail" if name.startswith("wrong") else "pass"
        if auth.get("status") != want:
            bad.append(f"{name}: auth {auth.get('status')} ({auth.get('summary')}), want {want}: "
                       "the run must really have sent the password for this test to mean anything")
for name in ("argv_sep", "argv_eq"):
    err = open(f"{T}/{name}.err", errors="replace").read()
    if "password-file" not in err and "SMTPWIZ_PASSWORD" not in err:
        bad.append(f"{name}: the refusal does not say how to give a password: {err!r}")
if open(f"{T}/tty.err").read():
    bad.append("tty: " + open(f"{T}/tty.err").read().strip()
               + "; output: " + open(f"{T}/tty.out", "rb").read()[:300].decode("utf-8", "replace"))
if len(names) < 12:
    bad.append(f"only {len(names)} runs recorded: {names}")
if bad:
    print("\n".join("FAIL: " + b for b in bad), file=sys.stderr)
    sys.exit(1)
print(f"probe_secrets: {len(names)} runs, no secret in any output")
PY
