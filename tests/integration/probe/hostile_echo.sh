#!/bin/sh
# A server that echoes the client's AUTH payload back, in a 334 challenge and
# in its 535 reply (as sent, and decoded): neither the password nor any of
# its base64 forms may appear in anything smtpwiz prints - probe's text and
# --json, diagnose's text, --json and --markdown.  The exchange runs inside
# STARTTLS, so that it happens whatever the plain-text policy for PLAIN and
# LOGIN is.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
USER_=alice
PASS_='Zq9-unique-P4ss!w0rd'
make_plain_cert echo
start_hostile echo "$T/echo.pem" "$T/echo.key"
COMMON="127.0.0.1 -p $HPORT --timeout 5 --user $USER_ --cafile $T/echo.pem"
export SMTPWIZ_PASSWORD="$PASS_"
run probe_text timeout 60 "$SMTPWIZ" probe $COMMON
run probe_json timeout 60 "$SMTPWIZ" probe $COMMON --json
run diag_text timeout 60 "$SMTPWIZ" diagnose $COMMON --kb 843106
run diag_json timeout 60 "$SMTPWIZ" diagnose $COMMON --kb 843106 --json
run diag_md timeout 60 "$SMTPWIZ" diagnose $COMMON --kb 843106 --markdown
# PLAIN and LOGIN are one family: after PLAIN's refusal a run does not try
# LOGIN (one failed logon per family), so LOGIN gets a run of its own.
run login_text timeout 60 "$SMTPWIZ" probe $COMMON --mech LOGIN
run login_json timeout 60 "$SMTPWIZ" probe $COMMON --mech LOGIN --json
unset SMTPWIZ_PASSWORD
# The test means something only if the payloads went out and came back.
grep -q "^b'AUTH PLAIN [A-Za-z0-9+/=]" "$HLOG" || { cat "$HLOG"; fail "AUTH PLAIN was never sent"; }
grep -q "^b'AUTH LOGIN" "$HLOG" || { cat "$HLOG"; fail "AUTH LOGIN was never sent"; }
jget "$T/probe_json.out" "[t['line'] for t in j['transcript'] if t['dir'] == 'S' and t['line'].startswith('334 ')]" |
    grep -q "334 <redacted>" || fail "no echoed 334 challenge in the transcript: $(cat "$T/probe_json.out")"
jget "$T/probe_json.out" "[t['line'] for t in j['transcript'] if t['dir'] == 'S' and t['line'].startswith('535 ')]" |
    grep -q "<redacted>" || fail "no echoed 535 reply in the transcript"
O="$T/probe_text.out $T/probe_json.out $T/diag_text.out $T/diag_json.out $T/diag_md.out"
O="$O $T/login_text.out $T/login_json.out"
E="$T/probe_text.err $T/probe_json.err $T/diag_text.err $T/diag_json.err $T/diag_md.err"
E="$E $T/login_text.err $T/login_json.err"
# shellcheck disable=SC2086 # lists of files
check secrets "$USER_" "$PASS_" $O $E
# shellcheck disable=SC2086
check shown $O
check json "$T/probe_json.out" "$T/diag_json.out" "$T/login_json.out"
echo "hostile_echo: no secret in 7 outputs of a server that echoes AUTH"
