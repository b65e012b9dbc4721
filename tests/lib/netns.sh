# Run the sourcing test inside namespaces of its own (POSIX sh), where the
# only network is loopback and DNS is a peer the test starts.  Source it
# FIRST, before tests/lib/lib.sh:   . "$TOP/tests/lib/netns.sh"
#
# Outside, it re-runs the test under unshare and exits with its status: a
# user, network and mount namespace (unshare -rnm); as root where
# unprivileged user namespaces are off, network and mount only
# (unshare -nm); skip (77) if neither can be made.  Inside, lo is up
# (127.0.0.1 and ::1 only: nothing else can be reached), and
#
#   netns_dns NAME ARGS...   tests/peers/dns_peer.py on 127.0.0.1:53 with
#                            ARGS (--silent, --a N=IP, --srv N=T:PORT), its
#                            query log in $T/NAME.dns, and private copies of
#                            /etc/resolv.conf (that server only, the stock
#                            timeout:5 attempts:2) and /etc/hosts (localhost,
#                            hosts-only.test) bind-mounted over the system's
#                            in this mount namespace.  DNSPID is in PIDS.
#   netns_dns_stop           stop it (to start another)
if [ "${SMTPWIZ_NETNS:-}" != inside ]; then
    command -v unshare >/dev/null 2>&1 ||
        { echo "SKIP: unshare not installed (util-linux)" >&2; exit 77; }
    if unshare -rnm true 2>/dev/null; then
        _ns=-rnm
    elif [ "$(id -u)" = 0 ] && unshare -nm true 2>/dev/null; then
        _ns=-nm
    else
        echo "SKIP: cannot create a network namespace (unshare -rnm / -nm)" >&2
        exit 77
    fi
    SMTPWIZ_NETNS=inside exec unshare "$_ns" sh "$0" "$@"
fi

# lo comes up down in a new network namespace.
if command -v ip >/dev/null 2>&1; then
    ip link set lo up || { echo "FAIL: cannot bring lo up" >&2; exit 1; }
else
    python3 -c '
import fcntl, socket, struct
s = socket.socket()
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))' ||
        { echo "FAIL: cannot bring lo up" >&2; exit 1; }
fi

DNSPID=""
netns_dns() {
    _dn=$1
    shift
    if [ ! -f "$T/resolv.conf" ]; then
        printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:2\n' >"$T/resolv.conf"
        printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 hosts-only.test\n' >"$T/hosts"
        mount --bind "$T/resolv.conf" /etc/resolv.conf &&
            mount --bind "$T/hosts" /etc/hosts ||
            fail "cannot bind-mount a private resolv.conf and hosts"
    fi
    python3 "$TOP/tests/peers/dns_peer.py" 53 "$@" >"$T/$_dn.dns" 2>&1 &
    DNSPID=$!
    PIDS="$PIDS $DNSPID"
    _i=0
    until grep -q '^ready' "$T/$_dn.dns"; do
        _i=$((_i + 1))
        [ "$_i" -le 50 ] || { cat "$T/$_dn.dns" >&2; fail "the DNS peer did not start"; }
        sleep 0.1
    done
}
netns_dns_stop() {
    kill "$DNSPID" 2>/dev/null
    wait "$DNSPID" 2>/dev/null
    PIDS=$(echo " $PIDS " | sed "s/ $DNSPID / /")
}
