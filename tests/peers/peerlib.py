# What the hostile test peers (hostile_smtp.py, policy_smtp.py) share: the
# log of the wire (every line the client sent, repr of the raw bytes, one a
# line, and LOG.conns with a line per connection), an NTLM type-2 builder,
# and the accept loop.  Python's standard library only.
import struct
import socket
import threading

_lock = threading.Lock()


class Wire:
    """The log the tests read (tests/lib/hostile_check.py)."""

    def __init__(self, path):
        self.path = path

    def line(self, data):
        with _lock, open(self.path, "a") as f:
            f.write(repr(data) + "\n")

    def connection(self):
        with _lock, open(self.path + ".conns", "a") as f:
            f.write("connect\n")


def av(av_id, text):
    v = text.encode("utf-16-le")
    return struct.pack("<HH", av_id, len(v)) + v


def ntlm_type2(nb_computer, nb_domain, dns_computer, dns_domain, dns_tree, extra_flags=0):
    """An MS-NLMP CHALLENGE (raw bytes) with these names in its AV pairs and
    the NetBIOS domain as its target name."""
    info = (av(1, nb_computer) + av(2, nb_domain) + av(3, dns_computer) + av(4, dns_domain) +
            av(5, dns_tree) + struct.pack("<HH", 0, 0))
    target = nb_domain.encode("utf-16-le")
    flags = 0x00000001 | 0x00000004 | 0x00000200 | 0x00800000 | 0x00010000 | extra_flags
    head = 48
    return (b"NTLMSSP\x00" + struct.pack("<I", 2) +
            struct.pack("<HHI", len(target), len(target), head) + struct.pack("<I", flags) +
            b"\x11\x22\x33\x44\x55\x66\x77\x88" + b"\x00" * 8 +
            struct.pack("<HHI", len(info), len(info), head + len(target)) + target + info)


def serve_forever(port, wire, session, timeout=20, errors=(OSError, ValueError)):
    """Accept on 127.0.0.1:port until killed; session(conn) runs in a thread
    of its own per connection, which wire counts."""
    def one(conn):
        conn.settimeout(timeout)
        wire.connection()
        try:
            session(conn)
        except errors:
            pass
        finally:
            conn.close()

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()
