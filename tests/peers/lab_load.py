"""Load client for the lab: N concurrent sessions of EHLO, STARTTLS, EHLO,
AUTH PLAIN and QUIT against one lab port (python3 stdlib, asyncio).
Usage: lab_load.py PORT [SESSIONS] [USER] [PASSWORD]
Prints "sessions=N ok=K failed=F seconds=S rate=R" and exits 1 unless all
sessions completed."""
import asyncio
import base64
import ssl
import sys
import time

PORT = int(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 500
USER = sys.argv[3] if len(sys.argv) > 3 else "labuser"
PASSWORD = sys.argv[4] if len(sys.argv) > 4 else "Lab-Pass-1234"
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


async def reply(r):
    while True:
        line = await r.readline()
        if not line:
            raise ConnectionError("closed")
        if len(line) < 4 or line[3:4] != b"-":
            return line.decode("latin-1").rstrip()


async def cmd(r, w, text, want):
    w.write(text.encode() + b"\r\n")
    await w.drain()
    line = await reply(r)
    if not line.startswith(want):
        raise RuntimeError("%s -> %s" % (text.split()[0], line))
    return line


async def session(start_gate):
    await start_gate.wait()
    r, w = await asyncio.open_connection("127.0.0.1", PORT, limit=65536)
    try:
        if not (await reply(r)).startswith("220"):
            raise RuntimeError("no 220 greeting")
        await cmd(r, w, "EHLO load.test", "250")
        await cmd(r, w, "STARTTLS", "220")
        await w.start_tls(CTX)
        await cmd(r, w, "EHLO load.test", "250")
        token = base64.b64encode(b"\0" + USER.encode() + b"\0" + PASSWORD.encode()).decode()
        await cmd(r, w, "AUTH PLAIN " + token, "235")
        await cmd(r, w, "QUIT", "221")
    finally:
        w.close()
        try:
            await w.wait_closed()
        except (ConnectionError, ssl.SSLError):
            pass


async def main():
    gate = asyncio.Event()
    tasks = [asyncio.create_task(asyncio.wait_for(session(gate), 50)) for _ in range(N)]
    t0 = time.monotonic()
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    dt = time.monotonic() - t0
    errors = [r for r in results if isinstance(r, BaseException)]
    ok = N - len(errors)
    print("sessions=%d ok=%d failed=%d seconds=%.2f rate=%.0f" % (N, ok, len(errors), dt, N / dt))
    kinds = {}
    for e in errors:
        k = "%s: %s" % (type(e).__name__, e)
        kinds[k] = kinds.get(k, 0) + 1
    for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:5]:
        print("  %d x %s" % (v, k))
    return 0 if not errors else 1


sys.exit(asyncio.run(main()))
