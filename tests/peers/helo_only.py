# A pre-ESMTP server for tests: refuses EHLO, greets HELO, then QUIT.
# Serves connections one after another until killed.
import socket
import sys

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(8)
while True:
    c, _ = srv.accept()
    c.settimeout(10)
    try:
        f = c.makefile("rb")
        c.sendall(b"220 old.example ESMTP Sendmail 8.6\r\n")
        for line in f:
            verb = (line.split() or [b""])[0].upper()
            if verb == b"EHLO":
                c.sendall(b"500 5.5.1 Command unrecognized\r\n")
            elif verb == b"HELO":
                c.sendall(b"250 old.example hello\r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET"):
                c.sendall(b"250 ok\r\n")   # so xexch50 gets as far as RCPT
            elif verb == b"QUIT":
                c.sendall(b"221 bye\r\n")
                break
            else:
                c.sendall(b"502 5.5.2 not implemented\r\n")
    except OSError:
        pass
    finally:
        c.close()
