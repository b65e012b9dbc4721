#!/bin/sh
# MIT krb5 is loaded only when a Kerberos step runs (src/proto/krb5_lib.h):
#   link     the binary names none of the krb5 libraries as NEEDED
#   no krb   a probe of banner, EHLO and STARTTLS against the lab never
#            loads libkrb5 or libgssapi_krb5 (ld.so's own LD_DEBUG=files log)
#   spn      the spn step (with a DC given as 127.0.0.1, which it never
#            reaches) loads libkrb5 and, with no ticket cache, is skipped
#            with the commands to run, as it was when the library was linked
. "$TOP/tests/lib/lib.sh"
need readelf
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
readelf -d "$SMTPWIZ" | grep NEEDED >"$T/needed"
grep -q 'libssl' "$T/needed" || { cat "$T/needed"; fail "readelf shows no NEEDED libssl: the check cannot work"; }
if grep -E 'libkrb5|libgssapi|libk5crypto|libcom_err' "$T/needed"; then
    fail "the binary links the krb5 libraries at start"
fi
echo "krb5_lazy: no krb5 library among $(wc -l <"$T/needed") NEEDED"

start_lab lab e2010-healthy
LD_DEBUG=files timeout 20 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --only banner,ehlo,starttls \
    --dc none --json --timeout 5 >"$T/tls.json" 2>"$T/tls.ld"
rc=$?
[ "$rc" -le 2 ] || { tail -5 "$T/tls.ld"; fail "probe exit $rc"; }
grep -q 'file=libssl.so.3' "$T/tls.ld" || fail "LD_DEBUG=files logged no libssl: the check cannot work"
pfact tls starttls protocol | grep -q "^TLSv1" || fail "no TLS session: $(pfield tls starttls summary)"
if grep -E 'file=(libkrb5|libgssapi_krb5)\.so' "$T/tls.ld"; then
    fail "a probe without Kerberos loaded krb5"
fi
echo "krb5_lazy: banner, ehlo, starttls loaded no krb5"

KDC=$(free_port)
KRB5CCNAME=FILE:$T/no-such-cache LD_DEBUG=files timeout 20 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" \
    --only spn --dc "127.0.0.1:$KDC" --json --timeout 5 >"$T/spn.json" 2>"$T/spn.ld"
rc=$?
[ "$rc" -le 3 ] || { tail -5 "$T/spn.ld"; fail "spn probe exit $rc"; }
grep -q 'file=libkrb5.so.3' "$T/spn.ld" || fail "the spn step did not load libkrb5"
[ "$(pfield spn spn status)" = skip ] || fail "spn status $(pfield spn spn status), want skip"
pfield spn spn summary | grep -qi 'ticket\|kinit\|cache' ||
    fail "spn's skip does not say a ticket cache is missing: $(pfield spn spn summary)"
echo "krb5_lazy: spn loaded libkrb5 and skipped without a cache: $(pfield spn spn summary)"
stop_lab lab
exit 0
