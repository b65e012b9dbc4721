# An SMTP server for tests whose AUTH LOGIN challenge is not base64.  The
# client should cancel with "*" and read the 501 that answers it before it
# sends anything else.  Usage: bad_challenge.py PORT.  Serves until killed.
import socketserver
import sys


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def handle(self):
        w = self.wfile.write
        w(b"220 odd.example ESMTP\r\n")
        for line in self.rfile:
            verb = (line.split() or [b""])[0].upper()
            if verb == b"EHLO":
                w(b"250-odd.example Hello\r\n250 AUTH LOGIN\r\n")
            elif verb == b"AUTH":
                w(b"334 %%% not base64 %%%\r\n")
            elif verb == b"*":
                w(b"501 5.7.0 Authentication cancelled\r\n")
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


Server(("127.0.0.1", int(sys.argv[1])), Session).serve_forever()
