#!/bin/sh
# Escapes from the server - C0 and C1 controls (raw and in UTF-8), DEL, bidi
# and format characters, separators, invalid UTF-8 - in the banner, EHLO
# keywords and values, 334 challenges, the XEXCH50 reply, a certificate's
# subject and SAN, and NTLM's names: nothing reaches the output raw (text,
# --json, --markdown), keys included, and --json is strict UTF-8 JSON.
# (Whether a name from NTLM or the certificate is refused before it goes
# into a command or advice is the probes' part; here only what is shown.)
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
export SMTPWIZ_PASSWORD='Esc-Test-Pass-1'
# runs SCENARIO: probe text and JSON, diagnose JSON and Markdown.
runs() {
    _s=$1
    shift
    _c="127.0.0.1 -p $HPORT --timeout 5 --user u $*"
    run "$_s-text" timeout 60 "$SMTPWIZ" probe $_c
    run "$_s-json" timeout 60 "$SMTPWIZ" probe $_c --json
    cp "$T/$_s-json.out" "$T/$_s-json.json"   # for pfield and pfact
    run "$_s-djson" timeout 60 "$SMTPWIZ" diagnose $_c --kb 843106 --json
    run "$_s-md" timeout 60 "$SMTPWIZ" diagnose $_c --kb 843106 --markdown
    run "$_s-dtext" timeout 60 "$SMTPWIZ" diagnose $_c --kb 979174
    check shown "$T/$_s-text.out" "$T/$_s-md.out" "$T/$_s-dtext.out" "$T/$_s-text.err" \
        "$T/$_s-json.err" "$T/$_s-md.err"
    check json "$T/$_s-json.out" "$T/$_s-djson.out"
}
start_hostile escapes
runs escapes
# The hostile text did reach the output, escaped: the test saw it.
for want in '\e[2J' '\x9B' '\u{009B}' '\u{202E}' '\u{2066}' '\u{FEFF}' '\u{00AD}' '\u{2028}' \
        '\x7F' '\xC0\xAF' '\xED\xA0\x80'; do
    grep -qF "$want" "$T/escapes-text.out" || fail "the text output lacks $want (escaped)"
done
for p in banner xexch50; do
    jget "$T/escapes-json.out" "[p for p in j['probes'] if p['name'] == '$p'][0]" | grep -qF '\\u{202E}' ||
        fail "$p: the JSON does not show the bidi override escaped"
done
# EHLO values are in the transcript; its keywords (one holds ESC) are a fact.
[ "$(jget "$T/escapes-json.out" "len([t for t in j['transcript'] if t['line'].startswith('250-') and r'\\u{202E}' in t['line']])")" -ge 4 ] ||
    fail "the EHLO lines are not in the transcript with the bidi override escaped"
pfact escapes-json ehlo keywords | grep -qF '\\e[2J' || fail "the EHLO keyword with ESC is not shown escaped"
jget "$T/escapes-json.out" "[t['line'] for t in j['transcript'] if t['line'].startswith('334 ')]" |
    grep -qF '\\e[2J' || fail "no escaped 334 challenge in the transcript"
grep -qF '\u{202E}' "$T/escapes-md.out" || fail "the Markdown report lacks the escaped bidi override"

make_evil_cert evil
start_hostile tls_cert "$T/evil.pem" "$T/evil.key"
runs tls_cert --cafile "$T/evil.pem"
[ "$(pfield tls_cert-json starttls status)" != error ] ||
    fail "STARTTLS did not complete: $(pfield tls_cert-json starttls summary)"
pfact tls_cert-json starttls subject | grep -qF '\u{202E}' ||
    fail "the certificate subject is not shown escaped: $(pfact tls_cert-json starttls subject)"
pfact tls_cert-json starttls san | grep -qF '\e]0;t' ||
    fail "the certificate SAN is not shown escaped: $(pfact tls_cert-json starttls san)"

# The certificate's names are validated: each invalid one is a finding
# (escaped), none is reused, nothing of them reaches the wire.
pfact tls_cert-json starttls invalid_names | grep -q 'invalid host name.*in its certificate' ||
    fail "the certificate's invalid names are not reported: $(pfact tls_cert-json starttls invalid_names)"
make_meta_cert meta
start_hostile tls_cert "$T/meta.pem" "$T/meta.key"
runs meta --cafile "$T/meta.pem"
check meta "$HLOG"
[ "$(pfield meta-json starttls status)" = warn ] ||
    fail "meta: starttls $(pfield meta-json starttls status): $(pfield meta-json starttls summary)"
# (The CN as tls.c shows the subject, RFC 2253: its ";" escaped as "\;".)
for want in 'mail\;$(id)&`x`.example' 'mx|y;z$(reboot)&.example'; do
    jget "$T/meta-json.json" "'\\n'.join([p for p in j['probes'] if p['name'] == 'starttls'][0]['facts']['invalid_names'])" |
        grep -qF "invalid host name: \"$want\"" || fail "meta: the certificate name $want is not reported"
done
pfield meta-json starttls summary | grep -q 'the certificate holds 2 invalid host names' ||
    fail "meta: starttls summary: $(pfield meta-json starttls summary)"

start_hostile ntlm_names
runs ntlm_names
pfact ntlm_names-json ntlm-info dns_domain | grep -qF 'EXAMPLE.COM\x0D\x0ADATA' ||
    fail "the NTLM DNS domain is not shown escaped: $(pfact ntlm_names-json ntlm-info dns_domain)"
echo "hostile_escapes: banner, EHLO, 334, XEXCH50, certificate and NTLM escapes never shown raw"
