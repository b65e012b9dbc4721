#!/bin/sh
# An Exchange 2003-era server speaks TLS 1.0 only.  The probe must still
# reach it (OpenSSL 3's default security level refused the handshake with
# "legacy sigalg disallowed or unsupported", so nothing after STARTTLS was
# examined) and report the obsolete protocol as a warning.  The peer is
# aiosmtpd restricted to TLS 1.0 (tests/peers/aiosmtpd_peer.py --tls1-only).
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/aiosmtpd.sh"
need_aiosmtpd
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
make_cert old DNS:localhost,IP:127.0.0.1
start_aiosmtpd old --tls1-only
timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PEER_PORT" --timeout 5 --json --only ehlo,starttls \
    >"$T/old.json" 2>"$T/old.err"
echo $? >"$T/old.rc"
case $(cat "$T/old.rc") in 86|87) cat "$T/old.err"; fail "sanitizer report" ;; esac
[ "$(pfact old starttls protocol)" = TLSv1 ] ||
    { cat "$T/old.json"; fail "no TLS 1.0 session: $(pfield old starttls summary)"; }
[ "$(pfield old starttls status)" = warn ] || fail "TLS 1.0 should warn: $(pfield old starttls status)"
pfield old starttls summary | grep -q 'obsolete protocol' || fail "summary: $(pfield old starttls summary)"
echo "tls_legacy: ok"
