#!/bin/sh
# The later TLS sessions of a run resume the first one (issue 14): against
# the lab (OpenSSL server, stateless TLS 1.3 tickets) the default probe
# opens several sessions (AUTH families, X-EXPS, XEXCH50); every one after
# the first must say "(the earlier session resumed)".  openssl s_client
# checks independently that the lab hands out a resumable session, so a
# failure here is smtpwiz's, not the peer's.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
need openssl
start_lab lab e2010-healthy
printf '%s\n' Lab-Pass-1234 >"$T/pw"

# The peer: a second s_client session resumes the first one's.
(sleep 0.3; echo QUIT) | timeout 10 openssl s_client -starttls smtp -connect "127.0.0.1:$PORT" \
    -sess_out "$T/sess" >"$T/s1.out" 2>&1
[ -s "$T/sess" ] || { cat "$T/s1.out"; fail "the lab handed out no TLS session to resume"; }
(sleep 0.3; echo QUIT) | timeout 10 openssl s_client -starttls smtp -connect "127.0.0.1:$PORT" \
    -sess_in "$T/sess" >"$T/s2.out" 2>&1
grep -q '^Reused' "$T/s2.out" || { cat "$T/s2.out"; fail "openssl s_client did not resume against the lab"; }

timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --timeout 5 --user labuser \
    --password-file "$T/pw" >"$T/probe.out" 2>"$T/probe.err"
echo $? >"$T/probe.rc"
sanitizer_check probe
grep '=== TLS started' "$T/probe.out" >"$T/tls"
n=$(wc -l <"$T/tls")
r=$(grep -c 'the earlier session resumed' "$T/tls")
[ "$n" -ge 3 ] || { cat "$T/probe.out"; fail "expected several TLS sessions, saw $n"; }
head -n 1 "$T/tls" | grep -q resumed && fail "the first session cannot resume anything"
[ "$r" -eq $((n - 1)) ] || { cat "$T/tls"; fail "$r of the $((n - 1)) later TLS sessions resumed"; }
echo "tls_resume: ok ($n TLS sessions, $r resumed)"
