# An SMTP server whose replies carry Markdown: an image pointing at an
# outside host, a link, emphasis, a code span, HTML.  For the --markdown
# report, which must show them as text.  MODE: "xexch50" (a 504 with the
# payload to XEXCH50) or "greet" (a 554 greeting with it, so the walk stops
# on an error that quotes it).  Serves connections until killed.
# Usage: md_hostile.py MODE PORT
import socket
import sys
import threading

PAYLOAD = (b"![x](http://evil.example/t.png) [click](http://evil.example/) *bold* _em_ "
           b"`code` <img src=http://evil.example/i.png> ~~gone~~ | cell")
mode, port = sys.argv[1], int(sys.argv[2])


def serve(c):
    c.settimeout(10)
    try:
        if mode == "greet":
            c.sendall(b"554 " + PAYLOAD + b"\r\n")
        else:
            c.sendall(b"220 mx.example.test ESMTP\r\n")
        f = c.makefile("rb")
        for line in f:
            verb = (line.split() or [b""])[0].upper()
            if verb == b"EHLO":
                c.sendall(b"250-mx.example.test Hello\r\n250-XEXCH50\r\n250 AUTH NTLM\r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET"):
                c.sendall(b"250 2.0.0 OK\r\n")
            elif verb == b"XEXCH50":
                c.sendall(b"504 " + PAYLOAD + b"\r\n")
            elif verb == b"QUIT":
                c.sendall(b"221 bye\r\n")
                break
            else:
                c.sendall(b"502 5.5.2 not implemented\r\n")
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
