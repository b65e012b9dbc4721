#!/bin/sh
# Replies out of step: lines the server sends straight after its greeting,
# a doubled reply to MAIL, and a 354 to XEXCH50 followed at once by another
# reply (the blob, raw bytes, once went out over it unchecked).  Read as the answers to later commands, they
# once gave "XEXCH50 is accepted without authentication".  Now the tool says
# the server sends unsolicited replies, ends that session, and builds no
# finding on them; the peer sees nothing sent after the data arrived.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
for sc in unsolicited double_mail blob_unsolicited; do
    start_hostile "$sc"
    hprobe "$sc" --json
    hprobe "$sc-text"
    grep -q 'the server sends unsolicited replies' "$T/$sc-text.out" ||
        { cat "$T/$sc-text.out"; fail "$sc: the unsolicited replies are not reported"; }
    ! grep -q 'XEXCH50 is accepted' "$T/$sc-text.out" "$T/$sc.out" ||
        fail "$sc: a finding was built on a reply out of step: $(pfield "$sc" xexch50 summary)"
    [ "$(pfield "$sc" xexch50 status)" != pass ] || fail "$sc: xexch50 passed"
    check json "$T/$sc.out"
    check shown "$T/$sc-text.out"
done
pfield unsolicited ehlo summary | grep -q 'unsolicited replies: "250 2.0.0 unsolicited' ||
    fail "unsolicited: the ehlo summary does not quote the unsolicited lines: $(pfield unsolicited ehlo summary)"
# Nothing at all was sent after a greeting followed by unsolicited lines.
[ ! -s "$T/wire-unsolicited.log" ] || { cat "$T/wire-unsolicited.log"; fail "unsolicited: commands were sent"; }
pfield double_mail xexch50 summary | grep -q 'unsolicited replies: "250 2.1.0 Sender OK' ||
    fail "double_mail: xexch50 does not say why: $(pfield double_mail xexch50 summary)"
# After the doubled reply to MAIL, that session sent nothing more: no RCPT.
! grep -q "^b'RCPT" "$T/wire-double_mail.log" ||
    { cat "$T/wire-double_mail.log"; fail "double_mail: RCPT was sent after the doubled reply"; }
grep -q "^b'MAIL FROM:<>" "$T/wire-double_mail.log" || fail "double_mail: MAIL was never sent"
# The reply after the 354 arrived before the blob: the blob is not sent.
grep -q "^b'XEXCH50 64 2" "$T/wire-blob_unsolicited.log" || fail "blob_unsolicited: XEXCH50 never sent"
! grep -q "^b'BLOB:" "$T/wire-blob_unsolicited.log" ||
    { cat "$T/wire-blob_unsolicited.log"; fail "blob_unsolicited: the blob went out over an unsolicited reply"; }
pfield blob_unsolicited xexch50 summary | grep -q 'unsolicited replies: "250 2.0.0 XEXCH50 OK' ||
    fail "blob_unsolicited: xexch50 does not say why: $(pfield blob_unsolicited xexch50 summary)"
echo "hostile_desync: ok"
