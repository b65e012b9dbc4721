#!/bin/sh
# make bench: how fast and how small a probe is, side by side in one run.
#   1. Against a real Postfix (tests/lib/postfix.sh), alternating runs of
#      the same steps: smtpwiz probe (connect, greeting, EHLO, STARTTLS,
#      AUTH LOGIN), swaks --tls --auth LOGIN --quit-after AUTH, and
#      openssl s_client -starttls smtp (which stops after the handshake).
#      Medians of the pairwise ratios of wall times, peak RSS from
#      /usr/bin/time.  Goals: <= 0.12x swaks, < 0.25x s_client, < 8 MiB.
#   2. The gap between each command and its reply in smtpwiz's --json
#      transcript, 20 runs each against Postfix, the lab and aiosmtpd: the
#      40 ms stall after the TLS 1.3 handshake (delayed ACK meeting the
#      server's Nagle) must not come back.  Goal: no gap over 10 ms.
# Figures are printed; the run fails beyond BENCH_SLACK (default 2) times a
# goal.  Usage: sh tests/bench/probe_bench.sh [RUNS]
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
export TOP
mkdir -p "$TOP/tests/tmp"
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/postfix.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
need_postfix
need_aiosmtpd
need swaks
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
[ -x /usr/bin/time ] || skip "no /usr/bin/time (Debian package time)"
RUNS=${1:-20}
start_postfix
PF_PORT=$PORT
start_lab lab e2010-healthy
LAB_PORT=$PORT
make_cert peer DNS:localhost,IP:127.0.0.1
start_aiosmtpd peer
printf '%s\n' Lab-Pass-1234 >"$T/labpw"

python3 - "$RUNS" "$SMTPWIZ" "$PF_PORT" "$T" "$C/cert.pem" "$LAB_PORT" "$PEER_PORT" \
    "$PEER_USER" "$PEER_PWFILE" "${BENCH_SLACK:-2}" <<'PY'
import json, os, statistics, subprocess, sys, threading, time
runs, smtpwiz, pf, T, ca, lab, peer, puser, ppw, slack = sys.argv[1:11]
runs, slack = int(runs), float(slack)
env = {k: v for k, v in os.environ.items() if k != "SMTPWIZ_PASSWORD"}
env["SMTPWIZ_DC"] = "none"
password = open(f"{T}/password").readline().rstrip("\n")
probe = [smtpwiz, "probe", "127.0.0.1", "-p", pf, "--timeout", "5", "--user", "alice",
         "--password-file", f"{T}/password", "--cafile", ca, "--mech", "LOGIN",
         "--only", "connect,banner,ehlo,starttls,auth"]
swaks = ["swaks", "--server", f"127.0.0.1:{pf}", "--tls", "--quit-after", "AUTH", "--auth",
         "LOGIN", "--auth-user", "alice", "--auth-password", password]
sclient = ["openssl", "s_client", "-starttls", "smtp", "-connect", f"127.0.0.1:{pf}", "-quiet"]


def timed(argv, stdin=None):
    """Wall ms of one run, and its peak RSS KiB from a second run under
    /usr/bin/time (whose own fork would weigh on the short wall times)."""
    # Postfix hands a connection to an idle smtpd, or forks one when the
    # last is still busy closing: a pause keeps every tool on an idle one.
    time.sleep(0.05)
    # No timeout= here: with one, Python polls for the child's exit with
    # sleeps of 0.5, 1, 2, 4, 8 ... ms, which rounds a 10 ms run up to 16 ms.
    # A blocking wait is exact; a timer kills a run that hangs.
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    guard = threading.Timer(60, p.kill)
    guard.start()
    if stdin:
        p.stdin.write(stdin)
        p.stdin.close()
    p.wait()
    wall = (time.perf_counter() - t0) * 1000
    guard.cancel()
    time.sleep(0.05)
    q = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, input=stdin, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    rss = int(q.stderr.decode().strip().splitlines()[-1])
    return wall, rss, p.returncode


tools = {"smtpwiz": (probe, None), "swaks": (swaks, None), "s_client": (sclient, b"QUIT\n")}
walls = {k: [] for k in tools}
rss = {k: [] for k in tools}
order = list(tools)
for i in range(runs):
    for name in order[i % 3:] + order[:i % 3]:        # who goes first rotates
        argv, stdin = tools[name]
        w, r, rc = timed(argv, stdin)
        if name == "smtpwiz" and rc != 0:
            sys.exit(f"smtpwiz probe exited {rc}: the bench needs a clean run")
        walls[name].append(w)
        rss[name].append(r)
r_sw = statistics.median(a / b for a, b in zip(walls["smtpwiz"], walls["swaks"]))
r_sc = statistics.median(a / b for a, b in zip(walls["smtpwiz"], walls["s_client"]))
peak = max(rss["smtpwiz"]) / 1024
print(f"{runs} alternating runs each against Postfix on 127.0.0.1:{pf}")
for k in tools:
    print(f"  {k:9s} median {statistics.median(walls[k]):6.1f} ms  (min {min(walls[k]):.1f}, "
          f"max {max(walls[k]):.1f})  peak RSS {max(rss[k]) / 1024:.1f} MiB")
print(f"  smtpwiz / swaks     median of pairwise ratios {r_sw:.3f}  (goal <= 0.12)")
print(f"  smtpwiz / s_client  median of pairwise ratios {r_sc:.3f}  (goal < 0.25)")
print(f"  smtpwiz peak RSS    {peak:.2f} MiB  (goal < 8)")


def gaps(port, extra):
    """The largest command-to-reply gap of each of 20 runs."""
    worst = []
    for _ in range(20):
        p = subprocess.run([smtpwiz, "probe", "127.0.0.1", "-p", port, "--timeout", "5", "--json",
                            "--only", "connect,banner,ehlo,starttls,auth"] + extra,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
        tr = json.loads(p.stdout)["transcript"]
        g = [b["t_ms"] - a["t_ms"] for a, b in zip(tr, tr[1:])
             if a["dir"] == "C" and b["dir"] == "S"]
        worst.append(max(g) if g else 0)
    return worst


targets = {
    "Postfix": (pf, ["--user", "alice", "--password-file", f"{T}/password", "--cafile", ca]),
    "the lab": (lab, ["--user", "labuser", "--password-file", f"{T}/labpw"]),
    "aiosmtpd": (peer, ["--user", puser, "--password-file", ppw]),
}
gapmax = 0
for name, (port, extra) in targets.items():
    w = gaps(port, extra)
    gapmax = max(gapmax, max(w))
    print(f"  command-to-reply gap, 20 runs against {name:9s} largest {max(w):5.1f} ms, "
          f"median of the runs' largest {statistics.median(w):4.1f} ms  (goal <= 10)")

bad = []
if r_sw > 0.12 * slack:
    bad.append(f"{r_sw:.3f}x swaks is beyond {slack:g} x the goal 0.12")
if r_sc > 0.25 * slack:
    bad.append(f"{r_sc:.3f}x s_client is beyond {slack:g} x the goal 0.25")
if peak > 8 * slack:
    bad.append(f"peak RSS {peak:.2f} MiB is beyond {slack:g} x the goal 8 MiB")
if gapmax > 10 * slack:
    bad.append(f"a command waited {gapmax:.1f} ms for its reply (beyond {slack:g} x 10 ms)")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
