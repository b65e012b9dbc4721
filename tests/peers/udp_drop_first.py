# A UDP relay for tests: drops the first datagram it receives and forwards
# the rest to 127.0.0.1:TARGET, relaying the answers back - a KDC whose
# first reply was lost on the way.  Prints "ready".  Usage: PORT TARGET.
import socket
import sys

port, target = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
print("ready", flush=True)
seen = 0
while True:
    data, client = s.recvfrom(65536)
    seen += 1
    if seen == 1:
        continue
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(5)
    up.sendto(data, ("127.0.0.1", target))
    try:
        s.sendto(up.recv(65536), client)
    except OSError:
        pass
    up.close()
