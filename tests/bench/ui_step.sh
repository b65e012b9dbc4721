#!/bin/sh
# make bench: how fast the wizard moves from one step to the next (issue
# 14).  The wizard runs in tmux at 80x24 against the built-in lab; every
# byte it writes to the terminal is time-stamped as tmux reads it
# (pipe-pane into a stamping filter).  For each step of a walk to the
# conclusion: the time from just before `tmux send-keys` (Enter on a
# finished probe, y to a question) to the last byte of the redraw, and the
# bytes written.  Steps that run a probe are reported apart from questions.
# Goal: every transition under 50 ms from key to last byte drawn; the run
# fails beyond BENCH_SLACK (default 2) times the goal.
# Usage: sh tests/bench/ui_step.sh [SCENARIO...]
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
export TOP
mkdir -p "$TOP/tests/tmp"
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
SOCK=smtpwiz-bench-$$
trap 'for s in "$@"; do tmux -L "$SOCK-$s" kill-server 2>/dev/null; done; cleanup' EXIT
[ $# -gt 0 ] || set -- sendas-denied spn-missing e2010-healthy
python3 - "$SMTPWIZ" "$T" "$SOCK" "${BENCH_SLACK:-2}" "$@" <<'PY'
import os, statistics, subprocess, sys, time
smtpwiz, T, sock, slack = sys.argv[1:5]
slack = float(slack)
scenarios = sys.argv[5:]
stamp = os.path.join(T, "stamp.py")
with open(stamp, "w") as f:
    f.write("import os, sys, time\n"
            "out = open(sys.argv[1], 'w', buffering=1)\n"
            "while True:\n"
            "    b = os.read(0, 65536)\n"
            "    if not b: break\n"
            "    out.write(f'{time.monotonic_ns()} {len(b)}\\n')\n")


cur = {"sock": sock}


def tm(*args, capture=False):
    return subprocess.run(["tmux", "-L", cur["sock"], "-f", "/dev/null", *args], check=True,
                          stdout=subprocess.PIPE if capture else None).stdout


def screen():
    return tm("capture-pane", "-p", "-t", "w", capture=True).decode("utf-8", "replace")


def stamps(log):
    try:
        with open(log) as f:
            return [tuple(map(int, line.split())) for line in f if line.count(" ") == 1]
    except FileNotFoundError:
        return []


def quiet(log, since, idle_ms=400, limit_s=20):
    """Wait until the wizard wrote something after `since` and then nothing
    for idle_ms; the stamps written after `since`."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        s = [x for x in stamps(log) if x[0] >= since]
        if s and time.monotonic_ns() - s[-1][0] > idle_ms * 1_000_000:
            return s
        time.sleep(0.02)
    sys.exit(f"the wizard never went quiet ({len(s)} writes)")


rows = []   # (scenario, step, kind, ms, bytes)
for sc in scenarios:
    log = os.path.join(T, f"{sc}.stamps")
    cur["sock"] = f"{sock}-{sc}"      # a tmux server per walk
    tm("new-session", "-d", "-x", "80", "-y", "24", "-s", "w",
       f"env SMTPWIZ_DC=none LANG=C.UTF-8 TERM=xterm-256color {smtpwiz} --lab {sc}; sleep 60")
    end = time.monotonic() + 15
    while "Which server" not in screen():
        # a scenario that belongs to no one article (a healthy server)
        # asks for the article first: take the first one
        if "choose an article" in screen():
            tm("send-keys", "-t", "w", "Enter")
            time.sleep(0.2)
        if time.monotonic() > end:
            sys.exit(f"{sc}: no target form:\n{screen()}")
        time.sleep(0.05)
    tm("pipe-pane", "-t", "w", "-o", f"python3 -u {stamp} {log}")
    time.sleep(0.3)
    key, kind, step = "F10", "probe", "start"
    for n in range(40):
        t0 = time.monotonic_ns()
        tm("send-keys", "-t", "w", key)
        s = quiet(log, t0)
        rows.append((sc, step, kind, (s[-1][0] - t0) / 1e6, sum(b for _, b in s)))
        scr = screen()
        if "Conclusion:" in scr or "nconclusive" in scr.splitlines()[0:3].__str__():
            break
        first = scr.splitlines()[0] if scr else ""
        step = first.split("›")[-1].split("lab:")[0].strip() if "›" in first else "?"
        question = "y yes" in scr or "y/n" in scr
        # the key that leaves this screen, and what the next one will be
        key = "y" if question else "Enter"
        kind = "after a question" if question else "after a probe"
    else:
        sys.exit(f"{sc}: no conclusion after 40 steps")
    tm("kill-server")

print(f"{'scenario':15s} {'from':22s} {'kind':17s} {'ms':>6s} {'bytes':>6s}")
for r in rows:
    print(f"{r[0]:15s} {r[1][:22]:22s} {r[2]:17s} {r[3]:6.1f} {r[4]:6d}")
ms = [r[3] for r in rows]
probe_ms = [r[3] for r in rows if r[2] != "after a question"]
print(f"{len(rows)} transitions in {len(scenarios)} walks at 80x24: key to last byte drawn "
      f"median {statistics.median(ms):.1f} ms, largest {max(ms):.1f} ms (goal < 50); "
      f"bytes per transition median {int(statistics.median(r[4] for r in rows))}, "
      f"largest {max(r[4] for r in rows)}")
if max(ms) > 50 * slack:
    print(f"FAIL: a step transition took {max(ms):.1f} ms, beyond {slack:g} x the goal 50 ms")
    sys.exit(1)
PY
