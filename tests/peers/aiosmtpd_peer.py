#!/usr/bin/python3
"""A third-party SMTP server for smtpwiz's integration tests: Debian's
python3-aiosmtpd with STARTTLS and AUTH PLAIN/LOGIN for one account.

Run it with the Debian interpreter (/usr/bin/python3), which is the one that
has python3-aiosmtpd:

    /usr/bin/python3 tests/peers/aiosmtpd_peer.py PORT --cert C --key K \
        --user U --password-file F [--auth-anywhere] [--hostname NAME]

It listens on 127.0.0.1 only, prints "ready" once the socket listens, and
exits on SIGTERM or SIGINT.  It accepts envelopes but delivers nothing: DATA
is refused with 554 (smtpwiz never sends DATA; if it ever did, the test sees
that 554 in the transcript).  The password is compared, never printed.
"""
import argparse
import asyncio
import hmac
import signal
import ssl
import warnings
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class NoDelivery:
    """Handler: every envelope is welcome, no message is ever stored."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        return "554 5.3.0 this test peer never accepts a message"


class OneAccount:
    """Authenticator for aiosmtpd: PLAIN and LOGIN for a single account."""

    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = hmac.compare_digest(auth_data.login, self.user) and \
            hmac.compare_digest(auth_data.password, self.password)
        return AuthResult(success=ok, handled=False)


def read_password(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\r\n")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("port", type=int)
    p.add_argument("--cert", required=True, help="PEM certificate for STARTTLS")
    p.add_argument("--key", required=True, help="PEM private key for STARTTLS")
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True, help="first line is the password")
    p.add_argument("--auth-anywhere", action="store_true",
                   help="offer AUTH before STARTTLS too (auth_require_tls=False)")
    p.add_argument("--hostname", default="mx.smtpwiz.test",
                   help="name in the greeting and the EHLO reply")
    p.add_argument("--tls1-only", action="store_true",
                   help="speak TLS 1.0 only, as an Exchange 2003 server does")
    return p.parse_args(argv)


def tls_context(cert, key, tls1_only=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if tls1_only:
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    return ctx


async def serve(args):
    loop = asyncio.get_running_loop()
    ctx = tls_context(args.cert, args.key, args.tls1_only)
    auth = OneAccount(args.user, read_password(args.password_file))
    handler = NoDelivery()

    def factory():
        return SMTP(handler, hostname=args.hostname, tls_context=ctx,
                    require_starttls=False, auth_require_tls=not args.auth_anywhere,
                    authenticator=auth, timeout=30, loop=loop)

    server = await loop.create_server(factory, host="127.0.0.1", port=args.port)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    print("ready", flush=True)
    await stop
    server.close()
    await server.wait_closed()


def main(argv):
    args = parse_args(argv)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
