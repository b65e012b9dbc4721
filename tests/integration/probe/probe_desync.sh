#!/bin/sh
# A reply that arrives after the timeout must not answer the next command.
# The server (tests/peers/late_reply.py) answers the NTLM type-1 message
# 2.5 s late; with --timeout 1, ntlm-info gives up, and xexch50 must then see
# the server's real 504 to XEXCH50 on a fresh session, not the late 334 read
# as its reply (which once showed as "accepted without authentication").
. "$TOP/tests/lib/lib.sh"
need python3
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
P=$(free_port)
python3 "$TOP/tests/peers/late_reply.py" "$P" 2.5 & PIDS="$PIDS $!"
wait_port "$P"
timeout 30 "$SMTPWIZ" probe 127.0.0.1 -p "$P" --timeout 1 --starttls never --json \
    --only ntlm-info,xexch50 >"$T/run.json" 2>"$T/run.err"
echo $? >"$T/run.rc"
case $(cat "$T/run.rc") in 86|87) cat "$T/run.err"; fail "sanitizer report" ;; esac
[ "$(pfield run ntlm-info status)" = error ] ||
    { cat "$T/run.json"; fail "ntlm-info did not time out: $(pfield run ntlm-info summary)"; }
pfact run xexch50 reply_unauth | grep -q '^504 ' ||
    { cat "$T/run.json"; fail "xexch50 read '$(pfact run xexch50 reply_unauth)' as the reply to XEXCH50, not the server's 504"; }
[ "$(pfield run xexch50 status)" != pass ] || fail "xexch50 passed against a server that answers 504"
# 2. An AUTH challenge that is not base64: the client cancels with "*" and
#    must read the server's answer to it at once (it was left unread, to be
#    taken as the reply to whatever came next).
P2=$(free_port)
python3 "$TOP/tests/peers/bad_challenge.py" "$P2" & PIDS="$PIDS $!"
wait_port "$P2"
SMTPWIZ_PASSWORD=pw timeout 30 "$SMTPWIZ" probe 127.0.0.1 -p "$P2" --timeout 3 --starttls never \
    --allow-plaintext-auth --json --user u --only auth >"$T/cancel.json" 2>"$T/cancel.err"
echo $? >"$T/cancel.rc"
case $(cat "$T/cancel.rc") in 86|87) cat "$T/cancel.err"; fail "sanitizer report" ;; esac
jget "$T/cancel.json" "[t['line'] for t in j['transcript'] if t['dir'] in 'CS']" >"$T/lines"
jget "$T/cancel.json" "(lambda l: l[l.index('*') + 1])([t['line'] for t in j['transcript'] if t['dir'] in 'CS'])" |
    grep -q '^501 5.7.0' || { cat "$T/lines"; fail "the reply to '*' was not read right after it"; }
echo "probe_desync: ok"
