# A hostile SMTP server for the text- and protocol-layer tests: it tries to
# make the client send what it did not mean to, print what it must not, and
# take replies out of step.  One scenario per run; every line the client sends
# is logged (repr of the raw bytes, one per line) to LOG, so that the test
# can check the wire: no CR or LF inside a command, no DATA, no password;
# each connection adds a line to LOG.conns.
#
# Usage: hostile_smtp.py SCENARIO PORT LOG [CERT KEY]
#   echo         AUTH PLAIN/LOGIN offered in clear; every client payload is
#                echoed back in a 334 challenge and in the 535 reply, both as
#                sent (base64) and decoded.
#   escapes      C0, C1 (raw and UTF-8), DEL, bidi, format characters and
#                invalid UTF-8 in the banner, EHLO keywords and values, the
#                334 challenge to AUTH and the XEXCH50 reply.
#   flood        every reply is 64 KB of control bytes (16 lines of 4 KB).
#   unsolicited  two reply lines straight after the greeting, in the same write.
#   double_mail  MAIL is answered twice (in one write); XEXCH50 gets 504.
#   crlf_helo    the EHLO hello name holds a bare CR and "DATA".
#   ntlm_names   an NTLM type-2 whose names hold CR/LF, "DATA" and escapes.
#   meta_names   shell and cmd.exe metacharacters (; & $( ) backquotes) in
#                the greeting's host, the EHLO hello name and every name of
#                an NTLM type-2: names that advice would paste into a shell.
#   blob_unsolicited  XEXCH50 is answered 354 and, in the same write, a
#                second reply: the blob must not be sent over it.  Bytes
#                that arrive after the 354 are logged as one b'BLOB:...' line.
#   tls_cert     STARTTLS with CERT/KEY (a certificate with escapes in its
#                subject), then an ordinary server.
# With CERT and KEY, every scenario offers STARTTLS (before TLS) and serves
# TLS with that certificate: the echo scenario is then run inside TLS, as
# the client's policy may require for PLAIN and LOGIN.
import base64
import ssl
import sys

from peerlib import Wire, ntlm_type2 as build_type2, serve_forever

scenario, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cert = sys.argv[4] if len(sys.argv) > 5 else None
key = sys.argv[5] if len(sys.argv) > 5 else None
wire = Wire(log_path)

# Text that must never reach a terminal or a file raw.
NASTY = (b"C0:\x07\x08\x1b[2J\x1b]0;pwned\x07 C1raw:\x9b\x85\x90 C1utf8:\xc2\x9b\xc2\x85 DEL:\x7f "
         b"bidi:\xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f\xd8\x9c fmt:\xe2\x80\x8b\xef\xbb\xbf\xc2\xad "
         b"sep:\xe2\x80\xa8 bad:\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82")
# 4 KB of control bytes for one reply line (no CR, LF or space: one word).
CTRL = bytes(b for b in list(range(1, 32)) + list(range(127, 160)) if b not in (10, 13, 32))
FLOOD_LINE = (CTRL * (4090 // len(CTRL) + 1))[:4090]


# 64 mechanism names under AUTH and under X-EXPS: one session per name
# would be 131 connections of 64 KB replies each.
MECHS = b" ".join([b"PLAIN", b"LOGIN", b"NTLM"] + [b"FLOOD-%02d" % i for i in range(61)])


def flood(code, extra=b""):
    """A 64 KB reply (just under the client's 65536-byte bound); extra lines
    (CRLF-terminated, without their code) go before the last one."""
    lines = [code + b"-" + FLOOD_LINE for _ in range(15 if not extra else 14)]
    lines += [code + b"-" + x for x in extra.split(b"\r\n") if x]
    return b"\r\n".join(lines) + b"\r\n" + code + b" " + FLOOD_LINE[:2000] + b"\r\n"


# Names that run something else when pasted into sh or cmd.exe.
META_HOST = b"mail;id$(touch${IFS}pwned)&`reboot`.example.test"
META_HELLO = b"mx$(id);y&z`w`|v.example.test"


def ntlm_type2():
    """MS-NLMP CHALLENGE with hostile names in every AV pair."""
    evil = "EXAMPLE.COM\r\nDATA\r\n.\r\nQUIT\x1b[2J\u202e\u0085"
    nb_c, nb_d = "MAIL1\r\nRSET\x1b]0;x\x07", "EXAMPLE\r\n\u2066DATA"
    if scenario == "meta_names":
        evil = "corp.example;rm -rf ~&$(id)`x`"
        nb_c, nb_d = "MAIL$(ID)&X", "CORP;DEL`X`"
    return base64.b64encode(build_type2(nb_c, nb_d, "mail1." + evil, evil, evil))


def log(line):
    wire.line(line)


def ehlo_reply(tls):
    if cert and not tls:
        return b"250-" + scenario.encode() + b".example.test\r\n250-STARTTLS\r\n250 XEXCH50\r\n"
    if scenario == "echo":
        return b"250-echo.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 XEXCH50\r\n"
    if scenario == "escapes":
        return (b"250-esc.example.test " + NASTY + b"\r\n250-AUTH NTLM PLAIN " + NASTY +
                b"\r\n250-X-EXPS GSSAPI " + NASTY + b"\r\n250-" + NASTY +
                b"\r\n250-SIZE " + NASTY + b"\r\n250 XEXCH50\r\n")
    if scenario == "flood":
        return flood(b"250", b"AUTH " + MECHS + b"\r\nX-EXPS " + MECHS + b"\r\nXEXCH50\r\n")
    if scenario == "crlf_helo":
        return b"250-evil.example.test\rDATA\r\n250-AUTH NTLM\r\n250 XEXCH50\r\n"
    if scenario == "ntlm_names":
        return b"250-ntlm.example.test\r\n250-AUTH NTLM\r\n250 XEXCH50\r\n"
    if scenario == "meta_names":
        return b"250-" + META_HELLO + b" Hello\r\n250-AUTH NTLM\r\n250 XEXCH50\r\n"
    return b"250-hostile.example.test\r\n250-AUTH NTLM\r\n250 XEXCH50\r\n"


class Session:
    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile("rb")
        self.auth = None        # the mechanism of an exchange in progress
        self.payloads = []
        self.tls = False

    def send(self, data):
        self.sock.sendall(data)

    def greet(self):
        if scenario == "escapes":
            self.send(b"220 esc.example.test ESMTP " + NASTY + b"\r\n")
        elif scenario == "flood":
            self.send(flood(b"220"))
        elif scenario == "meta_names":
            self.send(b"220 " + META_HOST + b" ESMTP\r\n")
        elif scenario == "unsolicited":
            self.send(b"220 hostile.example.test ESMTP\r\n250 2.0.0 unsolicited\r\n"
                      b"354 go ahead\r\n")
        else:
            self.send(b"220 hostile.example.test ESMTP\r\n")

    def auth_step(self, line):
        """One client line inside an AUTH exchange."""
        data = line.strip()
        if data == b"*":
            self.auth = None
            self.send(b"501 5.7.0 Authentication cancelled\r\n")
            return
        if scenario == "escapes":
            self.auth = None
            self.send(b"535 5.7.8 " + NASTY + b"\r\n")
            return
        self.payloads.append(data)
        try:
            decoded = base64.b64decode(data)
        except ValueError:
            decoded = b"?"
        decoded = decoded.replace(b"\x00", b" ")
        if self.auth == b"LOGIN" and len(self.payloads) == 1:
            # Echo the user name in the next challenge, as a careless server would.
            self.send(b"334 " + base64.b64encode(b"Password for " + decoded + b":") + b"\r\n")
            return
        self.auth = None
        # The whole payload back: in a 334 line and in the 535 that follows.
        self.send(b"334 " + data + b"\r\n")
        answer = self.f.readline()
        log(answer)
        self.send(b"535 5.7.8 Authentication failed for " + b" ".join(self.payloads) +
                  b" (" + decoded + b")\r\n")

    def auth_start(self, words):
        mech = words[1].upper() if len(words) > 1 else b""
        if scenario == "escapes":
            self.auth = mech
            self.send(b"334 " + NASTY + b"\r\n")
            return
        if scenario == "flood":
            self.send(flood(b"535"))
            return
        if mech == b"NTLM" and scenario in ("ntlm_names", "meta_names"):
            self.auth = None
            if len(words) > 2:
                self.send(b"334 " + ntlm_type2() + b"\r\n")
                self.auth = b"NTLM2"
            else:
                self.send(b"334 \r\n")
                self.auth = b"NTLM1"
            return
        if mech not in (b"PLAIN", b"LOGIN") or scenario != "echo":
            self.send(b"504 5.7.4 Unrecognized authentication type\r\n")
            return
        self.auth = mech
        self.payloads = []
        if len(words) > 2:
            self.auth_step(words[2])
        elif mech == b"LOGIN":
            self.send(b"334 VXNlcm5hbWU6\r\n")
        else:
            self.send(b"334 \r\n")

    def ntlm_step(self, line):
        if line.strip() == b"*":
            self.auth = None
            self.send(b"501 5.7.0 Authentication cancelled\r\n")
        elif self.auth == b"NTLM1":
            self.auth = b"NTLM2"
            self.send(b"334 " + ntlm_type2() + b"\r\n")
        else:
            self.auth = None
            self.send(b"535 5.7.8 Authentication failed\r\n")

    def starttls(self):
        self.send(b"220 2.0.0 Ready to start TLS\r\n")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.sock = ctx.wrap_socket(self.sock, server_side=True)
        self.f = self.sock.makefile("rb")
        self.tls = True

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
        elif scenario == "flood":
            self.send(flood(b"504" if verb == b"XEXCH50" else b"250"))
        elif verb == b"STARTTLS" and cert and not self.tls:
            self.starttls()
        elif verb == b"MAIL" and scenario == "double_mail":
            self.send(b"250 2.1.0 Sender OK\r\n250 2.1.0 Sender OK\r\n")
        elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            self.send(b"250 2.0.0 OK\r\n")
        elif verb == b"XEXCH50":
            self.xexch50()
        elif verb == b"DATA":
            self.send(b"354 Start mail input\r\n")
        else:
            self.send(b"502 5.5.2 Command not implemented\r\n")
        return True

    def xexch50(self):
        if scenario == "escapes":
            self.send(b"504 5.7.4 " + NASTY + b"\r\n")
        elif scenario == "double_mail":
            self.send(b"504 5.7.4 Need to authenticate first\r\n")
        elif scenario == "blob_unsolicited":
            self.send(b"354 Send binary data\r\n250 2.0.0 XEXCH50 OK\r\n")
            self.sock.settimeout(2)
            try:
                data = self.sock.recv(4096)
            except OSError:
                data = b""
            self.sock.settimeout(20)
            if data:
                log(b"BLOB:" + data)
        else:
            self.send(b"354 Send binary data\r\n")
            self.f.read(64)
            self.send(b"250 2.0.0 XEXCH50 OK\r\n")

    def run(self):
        self.greet()
        while True:
            line = self.f.readline()   # self.f changes with STARTTLS
            if not line:
                break
            log(line)
            if self.auth in (b"NTLM1", b"NTLM2"):
                self.ntlm_step(line)
            elif self.auth:
                self.auth_step(line)
            elif not self.command(line):
                break


serve_forever(port, wire, lambda conn: Session(conn).run(), errors=(OSError, ssl.SSLError, ValueError))
