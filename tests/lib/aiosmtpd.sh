# Start tests/peers/aiosmtpd_peer.py for an integration test (POSIX sh).
# Source it after tests/lib/lib.sh:   . "$TOP/tests/lib/aiosmtpd.sh"
#
#   need_aiosmtpd                 skip (77) unless python3-aiosmtpd and openssl are there
#   make_cert NAME SAN            self-signed $T/NAME.pem + $T/NAME.key, CN=localhost,
#                                 subjectAltName=SAN (e.g. DNS:localhost,IP:127.0.0.1)
#   start_aiosmtpd NAME [ARGS]    the peer on 127.0.0.1:$PEER_PORT with cert NAME,
#                                 account $PEER_USER / first line of $PEER_PWFILE
#
# The peer runs under Debian's /usr/bin/python3: python3-aiosmtpd is a Debian
# package, invisible to another python3 that may come first on PATH.
PEER_PY=/usr/bin/python3
: "${PEER_USER:=alice}"
: "${PEER_PASSWORD:=Tr0ub4dor&3-s3cr3t}"
PEER_PWFILE=$T/peer.password

need_aiosmtpd() {
    need openssl
    "$PEER_PY" -c 'import aiosmtpd' 2>/dev/null ||
        skip "python3-aiosmtpd not installed (scripts/bootstrap installs it)"
}

make_cert() { # NAME SAN
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=$2" -keyout "$T/$1.key" -out "$T/$1.pem" \
        >"$T/openssl-$1.log" 2>&1 || { cat "$T/openssl-$1.log" >&2; fail "openssl req failed"; }
}

start_aiosmtpd() { # CERTNAME [peer args...]
    cert=$1; shift
    [ -f "$PEER_PWFILE" ] || printf '%s\n' "$PEER_PASSWORD" > "$PEER_PWFILE"
    PEER_PORT=$(free_port)
    out=$T/peer-$PEER_PORT.out
    "$PEER_PY" "$TOP/tests/peers/aiosmtpd_peer.py" "$PEER_PORT" \
        --cert "$T/$cert.pem" --key "$T/$cert.key" \
        --user "$PEER_USER" --password-file "$PEER_PWFILE" "$@" >"$out" 2>&1 &
    PEER_PID=$!
    PIDS="$PIDS $PEER_PID"
    i=0
    until grep -q '^ready$' "$out" 2>/dev/null; do
        kill -0 "$PEER_PID" 2>/dev/null || { cat "$out" >&2; fail "aiosmtpd peer died at start"; }
        i=$((i + 1))
        [ "$i" -le 100 ] || { cat "$out" >&2; fail "aiosmtpd peer not ready after 10 s"; }
        sleep 0.1
    done
}
