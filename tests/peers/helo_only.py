# A pre-ESMTP server for tests: refuses EHLO, greets HELO, then QUIT.
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(1)
c,_=s.accept(); f=c.makefile("rwb")
c.sendall(b"220 old.example ESMTP Sendmail 8.6\r\n")
for line in f:
    v=line.split()[0].upper()
    if v==b"EHLO": c.sendall(b"500 5.5.1 Command unrecognized\r\n")
    elif v==b"HELO": c.sendall(b"250 old.example hello\r\n")
    elif v==b"QUIT": c.sendall(b"221 bye\r\n"); break
    else: c.sendall(b"502 no\r\n")
