#!/bin/sh
# Names with line breaks, from the server: a bare CR (and "DATA") in the EHLO
# hello name, CR/LF with "DATA", "." and "QUIT" in the names of an NTLM
# type-2.  xexch50 builds its recipient from them; such a name once ended
# the RCPT line early and the rest went out as commands of their own, DATA
# and a message included.  The peer logs every line it receives: no command
# may carry a CR or LF inside it, DATA must never arrive, and the refusal is
# reported.  (Validating the names, and reporting them as invalid, is the
# probes' part: here only the line check at the SMTP layer.)
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
for sc in crlf_helo ntlm_names; do
    start_hostile "$sc"
    hprobe "$sc" --json
    run "$sc-md" timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$HPORT" --timeout 5 --kb 843106 --markdown
    check wire "$T/wire-$sc.log"
    grep -q "^b'MAIL FROM:<>" "$T/wire-$sc.log" || fail "$sc: xexch50 never got as far as MAIL"
    pfield "$sc" xexch50 summary | grep -q 'refused to send a command holding a line break' ||
        fail "$sc: the refusal is not reported: $(pfield "$sc" xexch50 summary)"
    [ "$(pfield "$sc" xexch50 status)" != pass ] || fail "$sc: xexch50 passed"
    check json "$T/$sc.out"
    check shown "$T/$sc-md.out"
done
pfield ntlm_names ntlm-info status | grep -q pass ||
    fail "ntlm_names: the type-2 was not decoded: $(pfield ntlm_names ntlm-info summary)"
echo "hostile_crlf: no line break inside a command, no DATA"
