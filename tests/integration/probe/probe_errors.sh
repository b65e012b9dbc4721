#!/bin/sh
# smtpwiz probe against peers that fail or misbehave: every fault is reported
# as a fault, in bounded time, with no crash and no terminal control bytes
# passed through.  Each of these peers cannot be examined (no connection, no
# usable greeting or EHLO): exit 3, as diagnose has it.  Also: a name that
# does not resolve and usage errors exit 3.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
TMO=2                  # --timeout given to smtpwiz
LIMIT=$((TMO + 2))     # the whole run must end within this many seconds
# The silent peer is the one run that waits out its timeout: a short one,
# and it must end after it (1.2 x + 0.5 s: less than two timeouts in a row).
SILENT_MS=1000

# A misbehaving SMTP peer: one MODE per process, every connection served the
# same way, on 127.0.0.1:PORT.  Prints "ready" once listening.
cat > "$T/badpeer.py" <<'PY'
import socket, sys, threading, time
mode, port = sys.argv[1], int(sys.argv[2])

def smtp_loop(c, ehlo_lines):
    f = c.makefile("rb")
    for line in f:
        verb = line.split(b" ")[0].strip().upper()
        if verb in (b"EHLO", b"HELO"):
            c.sendall(ehlo_lines)
        elif verb == b"QUIT":
            c.sendall(b"221 2.0.0 bye\r\n")
            return
        else:
            c.sendall(b"502 5.5.2 not here\r\n")

def serve(c):
    try:
        if mode == "silent":
            time.sleep(60)
        elif mode == "longline":
            c.sendall(b"220 " + b"x" * 5000 + b"\r\n")
            time.sleep(60)
        elif mode == "endless":
            c.sendall(b"220 ")
            end = time.time() + 60
            while time.time() < end:
                c.sendall(b"y" * 1024)
        elif mode == "manylines":
            c.sendall(b"".join(b"220-line %d\r\n" % i for i in range(2000)) + b"220 end\r\n")
            time.sleep(60)
        elif mode == "bigreply":
            c.sendall(b"".join(b"220-" + b"z" * 900 + b"\r\n" for i in range(100)) + b"220 end\r\n")
            time.sleep(60)
        elif mode == "midreply":
            c.sendall(b"220-mx.example.test first line\r\n220-second li")
        elif mode == "ehlo_endless":
            c.sendall(b"220 mx.example.test ESMTP\r\n")
            f = c.makefile("rb")
            f.readline()
            end = time.time() + 60
            while time.time() < end:
                c.sendall(b"250-SIZE 1000\r\n" * 64)
        elif mode == "controls":
            c.sendall(b"220 mx.example.test \x1b[31mESMTP\x1b]0;pwned\x07 \x00nul\x08\x7f\r\n")
            smtp_loop(c, b"250-mx.example.test hi \x1b[2J\r\n250-SIZE \x1b[5m1000\r\n"
                         b"250 8BITMIME\x00\x1b[0m\r\n")
    except OSError:
        pass
    finally:
        c.close()

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY

start_bad() { # MODE -> BAD_PORT
    BAD_PORT=$(free_port)
    python3 "$T/badpeer.py" "$1" "$BAD_PORT" >"$T/bad-$1.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_port "$BAD_PORT" 10
}

# run NAME ARGS...: smtpwiz probe ARGS, bounded; $T/NAME.{out,err,rc,ms}
run() {
    name=$1; shift
    t0=$(date +%s%N)
    timeout 30 "$SMTPWIZ" probe "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    echo $? > "$T/$name.rc"
    echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$T/$name.ms"
}

# Refused: a port nobody listens on (bound then closed, so it is free).
REFUSED=$(free_port)
run refused 127.0.0.1 -p "$REFUSED" --timeout $TMO --json
run refused_h 127.0.0.1 -p "$REFUSED" --timeout $TMO

for mode in silent longline endless manylines bigreply midreply ehlo_endless controls; do
    start_bad $mode
    tmo=$TMO
    [ $mode = silent ] && tmo=$((SILENT_MS / 1000)).$((SILENT_MS % 1000 / 100))
    run $mode 127.0.0.1 -p "$BAD_PORT" --timeout $tmo --json
    run ${mode}_h 127.0.0.1 -p "$BAD_PORT" --timeout $tmo
done

run unresolvable no-such-host.invalid --timeout $TMO
run unresolvable_j no-such-host.invalid --timeout $TMO --json

# Usage errors: none of these may contact anything.
printf 'x\n' > "$T/pw"
P=$(free_port)
run u_nohost
run u_twohosts 127.0.0.1 127.0.0.2 -p "$P"
run u_policy 127.0.0.1 -p "$P" --starttls sometimes
run u_timeout0 127.0.0.1 -p "$P" --timeout 0
run u_timeoutx 127.0.0.1 -p "$P" --timeout soon
run u_only 127.0.0.1 -p "$P" --only banner,nosuchprobe
run u_onlyempty 127.0.0.1 -p "$P" --only ,
run u_unknown 127.0.0.1 -p "$P" --frobnicate
run u_portmiss 127.0.0.1 -p
run u_portbig 127.0.0.1 -p 99999
run u_portword 127.0.0.1 -p notaport
run u_portfloat 127.0.0.1 -p 27027.0
run u_porthex 127.0.0.1 -p 0x6b93
run u_password 127.0.0.1 -p "$P" --password hunter2
run u_pwfile 127.0.0.1 -p "$P" --user u --password-file "$T/does-not-exist"

python3 - "$T" "$LIMIT" "$SILENT_MS" <<'PY'
import json, os, re, sys
T, LIMIT, SILENT_MS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bad = []

def get(name):
    rc = int(open(f"{T}/{name}.rc").read())
    ms = int(open(f"{T}/{name}.ms").read())
    out = open(f"{T}/{name}.out", "rb").read()
    err = open(f"{T}/{name}.err", "rb").read()
    return rc, ms, out, err

def no_crash(name, rc, ms, out, err, limit_ms=None):
    limit_ms = LIMIT * 1000 if limit_ms is None else limit_ms
    if rc == 124:
        bad.append(f"{name}: still running after 30 s (killed by timeout)")
    elif rc >= 80:   # 86/87 sanitizer reports, 128+n signals
        bad.append(f"{name}: exit {rc} (crash or sanitizer report): {err[-1500:].decode('utf-8', 'replace')}")
    if ms > limit_ms:
        bad.append(f"{name}: took {ms} ms, more than {limit_ms} ms")
    for stream, data in (("stdout", out), ("stderr", err)):
        m = re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", data.replace(b"\r\n", b"\n"))
        if m:
            at = m.start()
            bad.append(f"{name}: raw control byte {data[at:at+1]!r} in {stream}: {data[max(0, at-40):at+40]!r}")

def probes(name, out):
    try:
        j = json.loads(out)
    except ValueError as e:
        bad.append(f"{name}: stdout is not one JSON object: {e}: {out[:300]!r}")
        return {}
    return {p["name"]: p for p in j.get("probes", [])}

def fault(name, probe, pattern, statuses=("error", "fail"), rc_want=3, limit_ms=None):
    """A JSON run where PROBE must report a fault whose summary matches pattern."""
    rc, ms, out, err = get(name)
    no_crash(name, rc, ms, out, err, limit_ms)
    P = probes(name, out)
    p = P.get(probe)
    if not p:
        bad.append(f"{name}: no {probe} result; probes: {list(P)}")
    else:
        if p.get("status") not in statuses:
            bad.append(f"{name}: {probe} status {p.get('status')!r}, want one of {statuses}: {p.get('summary')!r}")
        if not re.search(pattern, p.get("summary", ""), re.I):
            bad.append(f"{name}: {probe} summary {p.get('summary')!r} does not match /{pattern}/")
    if rc != rc_want:
        bad.append(f"{name}: exit {rc}, want {rc_want}")
    # The human run of the same peer: same exit, no crash, bounded.
    hname = name + "_h"
    if os.path.exists(f"{T}/{hname}.rc"):
        hrc, hms, hout, herr = get(hname)
        no_crash(hname, hrc, hms, hout, herr, limit_ms)
        if hrc != rc_want:
            bad.append(f"{hname}: exit {hrc}, want {rc_want}")
    return P

P = fault("refused", "connect", r"refused")
if P.get("banner", {}).get("status") == "pass":
    bad.append("refused: banner passed without a connection")
fault("silent", "banner", r"tim(e|ed) ?out|no (answer|reply|greeting)|did not (answer|greet|reply|send)|silent",
      limit_ms=SILENT_MS * 1.2 + 500)
for name in ("silent", "silent_h"):
    if get(name)[1] < SILENT_MS * 0.9:
        bad.append(f"{name}: gave up after {get(name)[1]} ms, before its {SILENT_MS} ms timeout")
fault("longline", "banner", r"long|4 ?KiB|4096|bytes|line")
fault("endless", "banner", r"long|4 ?KiB|4096|bytes|line|end")
fault("manylines", "banner", r"lines|1,?000|too (many|long|big)")
fault("bigreply", "banner", r"64 ?KiB|65536|bytes|too (long|big|large)|size|lines")
fault("midreply", "banner", r"clos|disconnect|hung up|reset|end")
fault("ehlo_endless", "ehlo", r"lines|1,?000|64 ?KiB|too (many|long|big)|bytes")

# Control bytes in the greeting and EHLO reply: shown, but defanged.
rc, ms, out, err = get("controls")
no_crash("controls", rc, ms, out, err)
P = probes("controls", out)
if P.get("banner", {}).get("status") not in ("pass", "warn"):
    bad.append(f"controls: banner {P.get('banner', {}).get('status')}: a greeting with odd bytes is still a greeting")
if b"ESMTP" not in out:
    bad.append("controls: the greeting's text is not shown at all")
try:
    j = json.loads(out)
    greet = next(e["line"] for e in j["transcript"] if e["dir"] == "S")
    fact = P.get("banner", {}).get("facts", {}).get("greeting")
    if fact is not None and fact != greet:
        bad.append(f"controls: banner fact greeting {fact!r} is not the greeting received {greet!r} "
                   "(cut at the NUL byte?)")
except (ValueError, StopIteration, KeyError) as e:
    bad.append(f"controls: no greeting in the JSON transcript ({e!r})")
rc, ms, out, err = get("controls_h")
no_crash("controls_h", rc, ms, out, err)
if b"ESMTP" not in out:
    bad.append("controls_h: the greeting's text is not shown at all")

# A name that does not resolve: could not run (3), and says why.
for name in ("unresolvable", "unresolvable_j"):
    rc, ms, out, err = get(name)
    no_crash(name, rc, ms, out, err, limit_ms=20000)   # the resolver may be slow
    if rc != 3:
        bad.append(f"{name}: exit {rc}, want 3")
    if not re.search(rb"does not resolve|not resolve|cannot be resolved|no such (host|name)", out + err, re.I):
        bad.append(f"{name}: does not say the name does not resolve: {(out + err)[:400]!r}")
    if name == "unresolvable_j":
        P = probes(name, out)
        if P.get("connect", {}).get("status") not in ("error", "fail"):
            bad.append(f"{name}: connect status {P.get('connect', {}).get('status')!r}")

# Usage errors: exit 3, a message on stderr, nothing on stdout, fast.
for name in sorted(f[:-3] for f in os.listdir(T) if f.startswith("u_") and f.endswith(".rc")):
    rc, ms, out, err = get(name)
    no_crash(name, rc, ms, out, err)
    if rc != 3:
        bad.append(f"{name}: exit {rc}, want 3 (could not run); stderr {err[:300]!r}")
    if not err.strip():
        bad.append(f"{name}: no message on stderr")
    if ms > 2000:
        bad.append(f"{name}: a usage error took {ms} ms")
    # refused as a port, not passed on to fail as "does not resolve"
    if name.startswith("u_port") and name != "u_portmiss" and b"-p takes" not in err:
        bad.append(f"{name}: stderr does not refuse the port: {err[:300]!r}")
if b"hunter2" in open(f"{T}/u_password.err", "rb").read() + open(f"{T}/u_password.out", "rb").read():
    bad.append("u_password: the refused password is echoed back")

if bad:
    print("\n".join("FAIL: " + b for b in bad), file=sys.stderr)
    sys.exit(1)
print("probe_errors: all faults reported, bounded, no crash")
PY
