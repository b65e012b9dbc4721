# A domain controller that takes everything and answers nothing: TCP PORT
# accepts and reads, UDP PORT reads and drops, TCP KPASSWD accepts (a kpasswd
# port that is open).  One line per event on stdout ("tcp-accept PORT",
# "tcp-bytes PORT N", "udp PORT N"), "ready" first, so a test can tell what
# reached the wire.  Usage: PORT KPASSWD.  Binds 127.0.0.1 only.
import selectors
import socket
import sys

port, kport = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()


def listen(p):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.listen(16)
    sel.register(s, selectors.EVENT_READ, ("listen", p))


listen(port)
listen(kport)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", port))
sel.register(u, selectors.EVENT_READ, ("udp", port))
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        kind, p = key.data
        if kind == "listen":
            c, _ = key.fileobj.accept()
            print("tcp-accept", p, flush=True)
            sel.register(c, selectors.EVENT_READ, ("conn", p))
        elif kind == "udp":
            data, _ = u.recvfrom(65536)
            print("udp", p, len(data), flush=True)
        else:
            data = key.fileobj.recv(65536)
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
            else:
                print("tcp-bytes", p, len(data), flush=True)
