#!/bin/sh
# Triage in the wizard: paste the event 7004 text from KB843106 into the
# start screen's "Paste an error text" box, Ctrl-D, and the walk opens in
# article 843106 at the step triage chose (STEP, a regex on the step screen), against a lab server playing sendas-denied.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
ARTICLE=843106
# triage's event-7004-504 pattern enters at step xexch50-repro.
STEP="Reproduce the XEXCH50 refusal"
STEP_ID=xexch50-repro
. "$TOP/tests/lib/tmux.sh"
start_lab triage sendas-denied
port=$PORT

tm new-session -d -x 80 -y 24 -s w -c "$T" "env LANG=C.UTF-8 $SMTPWIZ --host 127.0.0.1 -p $port"
wait_for 'What do you want to do'
tm send-keys -t w Down Enter
wait_for 'Enter +analyse'
# The event as an admin copies it from Event Viewer, line breaks included.
tm send-keys -t w -l 'Event Type: Error
Event Source: MSExchangeTransport
Event Category: SMTP Protocol
Event ID: 7004
Description: This is an SMTP protocol error log for virtual server ID 1, connection #29. The remote host "E2k3server1.contoso.com", responded to the SMTP command "xexch50" with "504 Need to authenticate first ". The full command sent was "XEXCH50 2336 3 ". This will probably cause the connection to fail.'
wait_for 'cause the connection'
tm send-keys -t w C-d
wait_for 'Which server'
tm send-keys -t w F10
wait_for "$ARTICLE .* step [0-9]"
wait_for "$STEP"
# The breadcrumb starts at the entry step.
wait_for "^ +$STEP_ID *\$" 10
tm_stop; SOCK=$SOCK-2

# A bracketed paste (tmux paste-buffer -p): its line breaks are text, the
# Enter after it analyses, and the host the text names fills the form.  The
# box is fresh each time it opens; Ctrl-U clears it.
tm new-session -d -x 80 -y 24 -s w -c "$T" "env LANG=C.UTF-8 $SMTPWIZ; sleep 60"
wait_for 'What do you want to do'
tm send-keys -t w Down Enter
wait_for 'nothing pasted yet'
tm send-keys -t w -l 'some text'
wait_for 'some text'
tm send-keys -t w C-u
wait_for 'nothing pasted yet'
tm send-keys -t w -l 'more text'
wait_for 'more text'
tm send-keys -t w Escape
wait_for 'What do you want to do'
tm send-keys -t w Down Enter
wait_for 'nothing pasted yet'
printf '%s\n%s\n%s' 'Event ID: 7004' \
    'Description: The remote host "E2k3server1.contoso.com", responded to the SMTP command "xexch50" with "504 Need to authenticate first ".' \
    'This will probably cause the connection to fail.' >"$T/paste"
tm load-buffer "$T/paste"
tm paste-buffer -p -t w
wait_for 'cause the connection'
grep -q 'Which server' "$T/screen" && { cat "$T/screen"; fail "the paste's line breaks submitted it"; }
tm send-keys -t w Enter
wait_drawn 'Which server'
grep -q 'E2k3server1.contoso.com' "$T/screen" || { cat "$T/screen"; fail "the host triage found is not in the form"; }
stop_lab triage
exit 0
