#!/bin/sh
# Names from the server that must never reach a command or advice: a bare CR
# (and "DATA") in the EHLO hello name, CR/LF with "DATA", "." and "QUIT" in
# the names of an NTLM type-2, shell and cmd.exe metacharacters (; & $( )
# backquotes) in the greeting's host, the hello name and every NTLM name.
# xexch50 builds its recipient from them; such a name once ended the RCPT
# line early and the rest went out as commands of their own, DATA and a
# message included.  Every name is validated before use: an invalid one is
# reported ("the server announces an invalid ..."), escaped, and not used -
# xexch50 falls back to a valid name of the server's, or sends no envelope
# at all; the spn advice (kinit, setspn) shows <realm> / <server> instead.
# The peer logs every line it receives: no command may carry a CR or LF
# inside it (nor a metacharacter), and DATA must never arrive.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
# plist NAME PROBE FACT: a list fact, one item a line, as printed (no repr).
plist() { jget "$T/$1.json" "'\\n'.join([p for p in j['probes'] if p['name'] == '$2'][0]['facts'].get('$3') or [])"; }
for sc in crlf_helo ntlm_names meta_names; do
    start_hostile "$sc"
    hprobe "$sc" --json
    run "$sc-md" timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$HPORT" --timeout 5 --kb 843106 --markdown
    run "$sc-d979" timeout 60 "$SMTPWIZ" diagnose 127.0.0.1 -p "$HPORT" --timeout 5 --kb 979174 --json
    check wire "$T/wire-$sc.log"
    check meta "$T/wire-$sc.log"
    check json "$T/$sc.out" "$T/$sc-d979.out"
    check shown "$T/$sc-md.out"
    [ "$(pfield "$sc" xexch50 status)" != pass ] || [ "$sc" != meta_names ] ||
        fail "$sc: xexch50 passed without a recipient"
    plist "$sc" xexch50 invalid_names | grep -q 'the server announces an invalid' ||
        fail "$sc: xexch50 does not report the invalid name: $(pfield "$sc" xexch50 summary)"
    pfield "$sc" xexch50 summary | grep -q 'the server announces an invalid' ||
        fail "$sc: the xexch50 summary does not name it: $(pfield "$sc" xexch50 summary)"
done
# The hello name: reported by ehlo, skipped for the banner's valid name.
pfact crlf_helo ehlo hello_name_invalid | grep -qF 'invalid host name: "evil.example.test\x0DDATA"' ||
    fail "crlf_helo: ehlo: $(pfact crlf_helo ehlo hello_name_invalid)"
grep -q "^b'RCPT TO:<postmaster@example.test>" "$T/wire-crlf_helo.log" ||
    fail "crlf_helo: RCPT did not go to the banner's domain: $(grep RCPT "$T/wire-crlf_helo.log")"
# NTLM's DNS domain: "the server announces an invalid DNS domain", the EHLO
# name's domain instead.
plist ntlm_names xexch50 invalid_names | grep -qF 'invalid DNS domain: "EXAMPLE.COM\x0D\x0ADATA' ||
    fail "ntlm_names: $(plist ntlm_names xexch50 invalid_names)"
grep -q "^b'RCPT TO:<postmaster@example.test>" "$T/wire-ntlm_names.log" ||
    fail "ntlm_names: RCPT did not go to the hello name's domain: $(grep RCPT "$T/wire-ntlm_names.log")"
[ "$(pfield ntlm_names ntlm-info status)" = warn ] ||
    fail "ntlm_names: ntlm-info: $(pfield ntlm_names ntlm-info summary)"
plist ntlm_names ntlm-info invalid_names | grep -q 'invalid DNS domain' ||
    fail "ntlm_names: ntlm-info does not report the names: $(plist ntlm_names ntlm-info invalid_names)"
# Metacharacters everywhere: no valid name at all, so no envelope is sent,
# and the advice keeps its placeholders.
grep -q "^b'\(MAIL\|RCPT\)" "$T/wire-meta_names.log" && fail "meta_names: an envelope was sent"
pfield meta_names xexch50 summary | grep -q 'no recipient could be built' ||
    fail "meta_names: xexch50: $(pfield meta_names xexch50 summary)"
pfact meta_names ehlo hello_name_invalid | grep -qF 'mx$(id);y&z`w`|v.example.test' ||
    fail "meta_names: ehlo: $(pfact meta_names ehlo hello_name_invalid)"
[ "$(pfact meta_names spn kinit)" = 'kinit administrator@<realm>' ] ||
    fail "meta_names: spn kinit: $(pfact meta_names spn kinit)"
[ "$(pfact meta_names spn setspn)" = 'setspn -L <server>' ] ||
    fail "meta_names: spn setspn: $(pfact meta_names spn setspn)"
pfield meta_names spn summary | grep -q '<server>: the server.s computer name; it announced no valid one' ||
    fail "meta_names: spn does not explain the placeholder: $(pfield meta_names spn summary)"
pfield meta_names spn summary | grep -q 'the server announces an invalid host name' ||
    fail "meta_names: spn does not name the invalid name: $(pfield meta_names spn summary)"
echo "hostile_crlf: no line break or metacharacter inside a command, no DATA; invalid names reported"
