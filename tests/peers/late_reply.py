# An SMTP server for tests whose answer to the NTLM type-1 message comes
# late (after DELAY seconds), as a loaded Exchange server's can: a client
# that times out must not take that late 334 as the reply to its next
# command.  XEXCH50 without authentication gets 504, as on Exchange.
# Usage: late_reply.py PORT DELAY.  Serves until killed.
import socketserver
import sys
import time

PORT, DELAY = int(sys.argv[1]), float(sys.argv[2])
TYPE2 = b"334 TlRMTVNTUAACAAAAAAAAADgAAAAFgomiESIzRFVmd4gAAAAAAAAAAAAAAAAAAAAA\r\n"


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def handle(self):
        w = self.wfile.write
        w(b"220 late.example ESMTP\r\n")
        in_ntlm = False
        for line in self.rfile:
            verb = (line.split() or [b""])[0].upper()
            if in_ntlm:
                in_ntlm = False
                if verb == b"*":
                    w(b"501 5.0.0 Authentication cancelled\r\n")
                else:
                    time.sleep(DELAY)
                    w(TYPE2)
            elif verb == b"EHLO":
                w(b"250-late.example Hello\r\n250-AUTH NTLM\r\n250 XEXCH50\r\n")
            elif verb == b"AUTH":
                in_ntlm = True
                w(b"334 \r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET"):
                w(b"250 2.0.0 OK\r\n")
            elif verb == b"XEXCH50":
                w(b"504 5.7.4 Need to authenticate first\r\n")
            elif verb == b"QUIT":
                w(b"221 2.0.0 Bye\r\n")
                return
            else:
                w(b"502 5.5.2 Command not implemented\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass   # wait_port connects and closes at once: not worth a traceback


Server(("127.0.0.1", PORT), Session).serve_forever()
