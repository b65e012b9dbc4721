#!/bin/sh
# Reply lines at the edge of the limits, through the real read path
# (net_read_line, smtp_read_reply, smtp_reply_feed):
#   a greeting line of exactly 4096 bytes (SMTP_LINE_MAX) plus CRLF is legal;
#   a 1105-byte greeting with a NUL in it is within the limits (the NUL is
#   escaped for display after the limits are checked, not before: it was
#   once measured as the 4405-byte escaped text and refused);
#   4097 bytes is refused as too long.
. "$TOP/tests/lib/lib.sh"
need python3
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
greet() { # NAME PYTHON-BYTES-EXPR: one server that greets with that line
    p=$(free_port)
    python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
line = eval(sys.argv[2])
while True:
    c, _ = s.accept()
    try:   # wait_port connects and closes at once: a reset is normal
        c.sendall(line + b"\r\n")
        for l in c.makefile("rb"):
            quit = l.upper().startswith(b"QUIT")
            c.sendall(b"221 bye\r\n" if quit else b"250 ok\r\n")
            if quit:
                break
    except OSError:
        pass
    c.close()
' "$p" "$2" & PIDS="$PIDS $!"
    wait_port "$p"
    timeout 30 "$SMTPWIZ" probe 127.0.0.1 -p "$p" --timeout 3 --json --only banner \
        >"$T/$1.json" 2>"$T/$1.err"
    echo $? >"$T/$1.rc"
    case $(cat "$T/$1.rc") in 86|87) cat "$T/$1.err"; fail "$1: sanitizer report" ;; esac
}
greet max 'b"220 " + b"a" * 4092'
[ "$(pfield max banner status)" != error ] || { cat "$T/max.json"; fail "a 4096-byte line was refused"; }
greet nul 'b"220 mail.example " + b"x" * 500 + b"\0" + b"y" * 586'
[ "$(pfield nul banner status)" != error ] || { cat "$T/nul.json"; fail "a 1105-byte line with a NUL was refused"; }
jget "$T/nul.json" "'\\\\x00' in [p for p in j['probes'] if p['name'] == 'banner'][0]['facts']['greeting']" |
    grep -qx True || fail "the NUL is not shown escaped in the greeting fact"
greet over 'b"220 " + b"a" * 4093'
[ "$(pfield over banner status)" = error ] || { cat "$T/over.json"; fail "a 4097-byte line was accepted"; }
pfield over banner summary | grep -q 'longer than 4096' || fail "over: $(pfield over banner summary)"
echo "reply_limits: ok"
