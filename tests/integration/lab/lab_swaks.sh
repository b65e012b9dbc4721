#!/bin/sh
# swaks, an independent SMTP client, against the lab's healthy scenarios:
# EHLO, STARTTLS and AUTH LOGIN/PLAIN complete, a wrong password is refused,
# and the EHLO keywords swaks sees are those the scenario file implies.
. "$TOP/tests/lib/lib.sh"
need swaks
perl -MNet::SSLeay -e1 2>/dev/null || skip "swaks needs Net::SSLeay for --tls (Debian: libnet-ssleay-perl)"

# Keywords (first word of each 250 line after the Hello line), in order.
keywords() { sed -n "s/^$1  *250[- ]//p" | sed 1d | awk '{print $1}' | tr '\n' ' '; }

check() { # scenario expected-before expected-after-tls
    sc=$1
    start_lab "$sc" "$sc" --log "$T/$sc.log"
    for mech in LOGIN PLAIN; do
        swaks --server "127.0.0.1:$PORT" --tls --auth "$mech" --auth-user labuser \
              --auth-password Lab-Pass-1234 --quit-after AUTH --timeout 10 >"$T/$sc-$mech.txt" 2>&1 \
            || { cat "$T/$sc-$mech.txt"; fail "$sc: swaks --tls --auth $mech failed"; }
        grep -q '^<~  235 2.7.0 Authentication successful' "$T/$sc-$mech.txt" \
            || fail "$sc: AUTH $mech did not get 235 under TLS"
    done
    before=$(keywords '<-' <"$T/$sc-LOGIN.txt")
    after=$(keywords '<~' <"$T/$sc-LOGIN.txt")
    [ "$before" = "$2" ] || fail "$sc: EHLO before TLS: got '$before', the scenario implies '$2'"
    [ "$after" = "$3" ] || fail "$sc: EHLO after TLS: got '$after', the scenario implies '$3'"
    if swaks --server "127.0.0.1:$PORT" --tls --auth LOGIN --auth-user labuser \
             --auth-password wrong --quit-after AUTH --timeout 10 >"$T/$sc-bad.txt" 2>&1; then
        fail "$sc: a wrong password was accepted"
    fi
    grep -q '535 5.7.3 Authentication unsuccessful' "$T/$sc-bad.txt" || fail "$sc: wrong password not answered 535 5.7.3"
    # the session log has the commands but never the secrets
    grep -q 'AUTH LOGIN' "$T/$sc.log" || fail "$sc: --log has no AUTH line"
    if grep -q 'TGFiLVBhc3MtMTIzNA==' "$T/$sc.log"; then fail "$sc: the log leaks the password"; fi
    grep -q '<redacted: ' "$T/$sc.log" || fail "$sc: the log does not redact AUTH payloads"
    stop_lab "$sc"
    echo "ok: $sc"
}

# e2010-healthy.ini: exchange-2007+, STARTTLS, X-ANONYMOUSTLS, AUTH NTLM before /
# NTLM LOGIN PLAIN after TLS, X-EXPS GSSAPI NTLM (EXCHANGEAUTH only after
# X-ANONYMOUSTLS), XEXCH50 offered, XRDST with Exchange Server authentication.
check e2010-healthy \
  "SIZE PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH X-EXPS 8BITMIME BINARYMIME CHUNKING XEXCH50 XRDST " \
  "SIZE PIPELINING DSN ENHANCEDSTATUSCODES AUTH X-EXPS 8BITMIME BINARYMIME CHUNKING XEXCH50 XRDST "
# e2003-healthy.ini: the Windows SMTP service list verbatim, TLS/STARTTLS after VRFY.
check e2003-healthy \
  "TURN SIZE ETRN PIPELINING DSN ENHANCEDSTATUSCODES 8bitmime BINARYMIME CHUNKING VRFY TLS STARTTLS X-EXPS X-EXPS=LOGIN AUTH AUTH=LOGIN X-LINK2STATE XEXCH50 OK " \
  "TURN SIZE ETRN PIPELINING DSN ENHANCEDSTATUSCODES 8bitmime BINARYMIME CHUNKING VRFY X-EXPS X-EXPS=LOGIN AUTH AUTH=LOGIN X-LINK2STATE XEXCH50 OK "
grep -q '^<~  250-AUTH NTLM LOGIN PLAIN$' "$T/e2010-healthy-LOGIN.txt" || fail "e2010-healthy: AUTH line after TLS"
grep -q '^<-  250-X-EXPS GSSAPI NTLM LOGIN$' "$T/e2003-healthy-LOGIN.txt" || fail "e2003-healthy: X-EXPS line"
grep -q '^<-  220 e2k3server1.contoso.com Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at  [A-Z][a-z][a-z], [1-9][0-9]* ' \
    "$T/e2003-healthy-LOGIN.txt" || fail "e2003-healthy: banner is not the Windows SMTP form (two spaces after 'at')"
