# Runs a command with stdout and stderr to files and prints "RSS WALL RC":
# its peak RSS in KiB, its wall time in seconds and its exit status.  The
# peak comes from GNU time (/usr/bin/time) when it is installed; else from
# getrusage, where a child forked from this Python starts with Python's own
# pages, so the figure is only an upper bound (still good for "at most").
# Usage: measure.py OUT ERR CMD...
import os
import resource
import subprocess
import sys
import tempfile
import time

out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
gnu_time = os.access("/usr/bin/time", os.X_OK)
fd, rss_file = tempfile.mkstemp()
os.close(fd)
if gnu_time:
    cmd = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file] + cmd
t0 = time.monotonic()
with open(out, "wb") as o, open(err, "wb") as e:
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
wall = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if gnu_time:
    lines = open(rss_file).read().split()
    rss = int(lines[-1]) if lines and lines[-1].isdigit() else rss
os.unlink(rss_file)
print(rss, f"{wall:.2f}", rc)
