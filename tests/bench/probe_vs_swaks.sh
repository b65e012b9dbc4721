#!/bin/sh
# Wall time of `smtpwiz probe --only connect,banner,ehlo,starttls,auth` versus
# `swaks --tls --quit-after AUTH` against the same aiosmtpd server on
# 127.0.0.1, RUNS runs each (default 20); prints the medians in ms.
# Not part of `make check`.   Usage: sh tests/bench/probe_vs_swaks.sh [RUNS]
# (TOP and SMTPWIZ default to this checkout and its ./smtpwiz)
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
export TOP
mkdir -p "$TOP/tests/tmp"
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
need_aiosmtpd
need swaks
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
RUNS=${1:-20}

make_cert withip DNS:localhost,IP:127.0.0.1
start_aiosmtpd withip

python3 - "$RUNS" "$SMTPWIZ" "$PEER_PORT" "$PEER_USER" "$PEER_PWFILE" "$T/withip.pem" <<'PY'
import os, statistics, subprocess, sys, time
runs, smtpwiz, port, user, pwfile, ca = sys.argv[1:7]
runs = int(runs)
password = open(pwfile).readline().rstrip("\n")
env = {k: v for k, v in os.environ.items() if k != "SMTPWIZ_PASSWORD"}
probe = [smtpwiz, "probe", "127.0.0.1", "-p", port, "--timeout", "5", "--user", user,
         "--password-file", pwfile, "--cafile", ca, "--only", "connect,banner,ehlo,starttls,auth"]
cases = [
    ("smtpwiz probe (AUTH: every mechanism)", probe, {0}),
    ("smtpwiz probe --mech LOGIN", probe + ["--mech", "LOGIN"], {0}),
    ("swaks --tls --quit-after AUTH --auth LOGIN",
     ["swaks", "--server", f"127.0.0.1:{port}", "--tls", "--quit-after", "AUTH",
      "--auth", "LOGIN", "--auth-user", user, "--auth-password", password], {0}),
]
print(f"{runs} runs each against aiosmtpd on 127.0.0.1:{port}")
for name, argv, ok in cases:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=env, timeout=60)
        times.append((time.perf_counter() - t0) * 1000)
        if p.returncode not in ok:
            sys.exit(f"{name}: exit {p.returncode}; the bench needs a clean run")
    print(f"  {name:45s} median {statistics.median(times):7.1f} ms"
          f"  (min {min(times):.1f}, max {max(times):.1f})")
PY
