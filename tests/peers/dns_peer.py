# A DNS server for the resolver tests, on 127.0.0.1 UDP PORT (inside a
# network namespace the test made, so port 53 and resolv.conf can point at
# it).  --silent reads every query and never answers (a DNS server that is
# down or filtered).  Otherwise it answers A for each --a NAME=IPV4 and SRV
# for each --srv NAME=TARGET:PORT[:PRIORITY:WEIGHT], NOERROR with no record
# for another type of a known name, NXDOMAIN for the rest.  Every query is
# logged on stdout as "query NAME TYPE" after a first line "ready".
# Standard library only; the wire format is RFC 1035 / RFC 2782.
import argparse
import socket
import struct

TYPES = {1: "A", 28: "AAAA", 33: "SRV"}


def parse_question(msg):
    """(id, flags, name, qtype, end of question) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    labels, i = [], 12
    while i < len(msg) and msg[i] != 0:
        n = msg[i]
        if n > 63 or i + 1 + n > len(msg):
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 5 > len(msg):
        return None
    qtype, _qclass = struct.unpack("!HH", msg[i + 1:i + 5])
    return qid, flags, ".".join(labels).lower(), qtype, i + 5


def encode_name(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def answer(msg, a, srv):
    q = parse_question(msg)
    if q is None:
        return None, None
    qid, flags, name, qtype, end = q
    records = []
    if qtype == 1 and name in a:
        records.append((1, socket.inet_aton(a[name])))
    if qtype == 33 and name in srv:
        for target, port, prio, weight in srv[name]:
            records.append((33, struct.pack("!HHH", prio, weight, port) + encode_name(target)))
    known = name in a or name in srv
    rcode = 0 if known else 3
    head = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode, 1, len(records), 0, 0)
    body = msg[12:end]
    for rtype, rdata in records:
        body += struct.pack("!HHHIH", 0xC00C, rtype, 1, 60, len(rdata)) + rdata
    return head + body, (name, TYPES.get(qtype, str(qtype)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--a", action="append", default=[])
    ap.add_argument("--srv", action="append", default=[])
    args = ap.parse_args()
    a = {}
    for item in args.a:
        name, ip = item.split("=", 1)
        a[name.lower().strip(".")] = ip
    srv = {}
    for item in args.srv:
        name, spec = item.split("=", 1)
        parts = spec.split(":")
        target, port = parts[0], int(parts[1])
        prio, weight = (int(parts[2]), int(parts[3])) if len(parts) == 4 else (0, 100)
        srv.setdefault(name.lower().strip("."), []).append((target, port, prio, weight))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", args.port))
    print("ready", flush=True)
    while True:
        msg, client = s.recvfrom(4096)
        reply, what = answer(msg, a, srv)
        if what:
            print("query", what[0], what[1], flush=True)
        if reply and not args.silent:
            s.sendto(reply, client)


if __name__ == "__main__":
    main()
