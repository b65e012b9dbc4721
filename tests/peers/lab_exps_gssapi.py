"""X-EXPS GSSAPI against a lab port, without Kerberos: print the final reply.
The lab does not verify the token; the scenario decides the answer."""
import base64
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
f = s.makefile("rb")


def reply():
    while True:
        line = f.readline().decode("latin-1").rstrip("\r\n")
        if len(line) < 4 or line[3] != "-":
            return line


reply()
s.sendall(b"EHLO lab-test\r\n"); reply()
s.sendall(b"X-EXPS GSSAPI\r\n"); first = reply()
if not first.startswith("334 GSSAPI supported"):
    print(first); sys.exit(0)
s.sendall(base64.b64encode(b"\x60\x82 not a real kerberos token") + b"\r\n")
print(reply())
