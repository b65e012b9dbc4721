# A hostile SMTP server for the probe-level rules of issue 10: where
# credentials may go, how many connections and logons one run may cost, and
# how long it may take.  It lures credentials out: every AUTH and X-EXPS is
# welcome (PLAIN, LOGIN and NTLM offered before and after TLS, a real NTLM
# type-2 so that a client would answer with its type-3), and STARTTLS fails
# in the way the scenario says.  One scenario per run; every line the client
# sends is logged to LOG (repr of the raw bytes, one per line), and each
# connection accepted adds a line to LOG.conns.
#
# Usage: policy_smtp.py SCENARIO PORT LOG [CERT KEY]
#   tls_454        STARTTLS offered, answered 454 (the session goes on)
#   tls_421        STARTTLS answered 421, then the connection is closed
#   tls_reset      220 to STARTTLS, then a TCP reset
#   tls_stall      220 to STARTTLS, then silence (the handshake stalls)
#   tls_close      220 to STARTTLS, then a clean close (FIN)
#   tls_plain      220 to STARTTLS, then plain text instead of TLS
#   tls_pipelined  220 to STARTTLS with more SMTP lines in the same write
#   plain_auth     no STARTTLS; AUTH PLAIN LOGIN NTLM accepted with 235
#   mechs_refuse   64 AUTH + 64 X-EXPS names (every plugin Cyrus ships,
#                  then junk), STARTTLS with CERT/KEY; every logon gets 535
#   mechs_accept   the same, every logon gets 235 at once
#   slow           every reply comes DELAY seconds late (SMTPWIZ_PEER_DELAY,
#                  default 1.5): just inside the client's --timeout
#   auth_slow      STARTTLS with CERT/KEY, AUTH NTLM LOGIN PLAIN accepted,
#                  each logon's final reply DELAY seconds late; LOG.active
#                  gets the mechanisms inside a logon at that moment, one
#                  line each time that set changes (which ran at once)
import base64
import os
import socket
import ssl
import struct
import sys
import threading
import time

from peerlib import Wire, ntlm_type2 as build_type2, serve_forever

scenario, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cert = sys.argv[4] if len(sys.argv) > 5 else None
key = sys.argv[5] if len(sys.argv) > 5 else None
DELAY = float(os.environ.get("SMTPWIZ_PEER_DELAY", "1.5"))
wire = Wire(log_path)
active = []                   # mechanisms inside a logon now (auth_slow)
active_lock = threading.Lock()


def log_active():
    with open(log_path + ".active", "a") as f:
        f.write(",".join(sorted(m.decode() for m in active)) + "\n")

REAL = [b"PLAIN", b"LOGIN", b"NTLM", b"CRAM-MD5", b"DIGEST-MD5", b"SCRAM-SHA-1",
        b"SCRAM-SHA-256", b"SCRAM-SHA-512", b"GSSAPI", b"GSS-SPNEGO", b"GS2-KRB5",
        b"ANONYMOUS", b"EXTERNAL"]
MECHS = b" ".join(REAL + [b"JUNK-%02d" % i for i in range(64 - len(REAL))])


def ntlm_type2():
    """An ordinary CHALLENGE a client can answer with a type-3."""
    return base64.b64encode(build_type2("MAIL1", "EXAMPLE", "mail1.example.test",
                                        "example.test", "example.test", 0x00080000))


def ehlo_reply(tls):
    name = scenario.replace("_", "-").encode() + b".example.test"
    if scenario.startswith("mechs"):
        lines = [name, b"AUTH " + MECHS, b"X-EXPS " + MECHS, b"XEXCH50"]
        if not tls:
            lines.insert(1, b"STARTTLS")
    else:
        lines = [name, b"AUTH PLAIN LOGIN NTLM", b"X-EXPS NTLM LOGIN", b"XEXCH50"]
        if scenario != "plain_auth" and not tls:
            lines.insert(1, b"STARTTLS")
    return b"".join(b"250-" + x + b"\r\n" for x in lines[:-1]) + b"250 " + lines[-1] + b"\r\n"


class Session:
    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile("rb")
        self.auth = None
        self.tls = False
        self.mech = None

    def send(self, data):
        if scenario == "slow":
            time.sleep(DELAY)
        self.sock.sendall(data)

    def starttls(self):
        """STARTTLS failing as the scenario says; False: the session ends."""
        if scenario == "tls_454":
            self.send(b"454 4.7.0 TLS not available due to temporary reason\r\n")
            return True
        if scenario == "tls_421":
            self.send(b"421 4.3.2 Service shutting down, closing transmission channel\r\n")
            return False
        if scenario == "tls_pipelined":
            self.send(b"220 2.0.0 Ready to start TLS\r\n250 2.0.0 injected\r\n")
            time.sleep(1)
            return False
        self.send(b"220 2.0.0 Ready to start TLS\r\n")
        if scenario == "tls_reset":
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if scenario == "tls_stall":
            time.sleep(30)
            return False
        if scenario == "tls_plain":
            self.sock.recv(4096)      # the ClientHello, answered in plain text
            self.send(b"250 2.0.0 OK, go ahead in plain text\r\n")
            time.sleep(1)
            return False
        if scenario == "tls_close":
            return False
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.sock = ctx.wrap_socket(self.sock, server_side=True)
        self.f = self.sock.makefile("rb")
        self.tls = True
        return True

    def leave(self):
        if self.mech:
            with active_lock:
                active.remove(self.mech)
                log_active()
            self.mech = None

    def final(self):
        if scenario == "auth_slow" and self.mech:
            time.sleep(DELAY)
            self.leave()
        if scenario == "mechs_refuse":
            return b"535 5.7.8 Authentication credentials invalid\r\n"
        return b"235 2.7.0 Authentication successful\r\n"

    def auth_start(self, words):
        mech = words[1].upper() if len(words) > 1 else b""
        if scenario == "auth_slow":
            self.mech = mech
            with active_lock:
                active.append(mech)
                log_active()
        if scenario.startswith("mechs"):
            self.send(self.final())
        elif mech == b"NTLM":
            self.auth = b"NTLM"
            self.send(b"334 " + (ntlm_type2() if len(words) > 2 else b"") + b"\r\n")
        elif mech == b"LOGIN":
            self.auth = b"LOGIN1"
            self.send(b"334 VXNlcm5hbWU6\r\n")
        elif mech == b"PLAIN" and len(words) > 2:
            self.send(self.final())
        elif mech == b"PLAIN":
            self.auth = b"PLAIN"
            self.send(b"334 \r\n")
        else:
            self.send(b"504 5.7.4 Unrecognized authentication type\r\n")

    def auth_step(self, line):
        data = line.strip()
        if data == b"*":
            self.auth = None
            self.leave()
            self.send(b"501 5.7.0 Authentication cancelled\r\n")
        elif self.auth == b"LOGIN1":
            self.auth = b"LOGIN2"
            self.send(b"334 UGFzc3dvcmQ6\r\n")
        elif self.auth == b"NTLM" and data.startswith(b"TlRMTVNTUAAB"):
            self.send(b"334 " + ntlm_type2() + b"\r\n")
        else:
            self.auth = None
            self.send(self.final())

    def command(self, line):
        words = line.split()
        verb = (words or [b""])[0].upper()
        if verb in (b"EHLO", b"HELO"):
            self.send(ehlo_reply(self.tls))
        elif verb == b"QUIT":
            self.send(b"221 2.0.0 Bye\r\n")
            return False
        elif verb in (b"AUTH", b"X-EXPS"):
            self.auth_start(words)
        elif verb == b"STARTTLS" and not self.tls:
            return self.starttls()
        elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            self.send(b"250 2.0.0 OK\r\n")
        elif verb == b"XEXCH50":
            self.send(b"504 5.7.4 Need to authenticate first\r\n")
        elif verb in (b"DATA", b"BDAT"):
            self.send(b"354 Start mail input\r\n")
        else:
            self.send(b"502 5.5.2 Command not implemented\r\n")
        return True

    def run(self):
        self.send(b"220 " + scenario.replace("_", "-").encode() + b".example.test ESMTP\r\n")
        try:
            while True:
                line = self.f.readline()
                if not line:
                    break
                wire.line(line)
                if self.auth:
                    self.auth_step(line)
                elif not self.command(line):
                    break
        finally:
            self.leave()


serve_forever(port, wire, lambda conn: Session(conn).run(), timeout=40,
              errors=(OSError, ssl.SSLError, ValueError))
