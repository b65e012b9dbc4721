#!/bin/sh
# The target form at 80x24, as a user fills it in:
#  - the cursor starts on the first field still empty: the password of the
#    --user named (what is typed goes there), on the Start button in a lab;
#  - the timeout is a field (default 10 s), --timeout fills it in, only
#    digits and a point go in, and a value out of 0.1..3600 is refused with
#    the reason, the cursor on the field;
#  - the walk waits as long as the form says: against a server that went
#    silent (SIGSTOP), the banner step says "no reply within 0.5 s".
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
focused() { # LABEL: the field drawn as focused (bold label, underscored value)
    shot
    grep -q "^  $1" "$T/screen" || { cat "$T/screen"; fail "no field $1"; }
}

# ---- a lab: every field filled in, the cursor on the button ----
tm new-session -d -x 80 -y 24 -s w -c "$T" \
    "env LANG=C.UTF-8 TERM=xterm-256color $SMTPWIZ --lab sendas-denied; echo rc=\$?; sleep 60"
wait_drawn 'Which server'
grep -q 'Timeout (seconds) *10 *$' "$T/screen" || { cat "$T/screen"; fail "no timeout field with the default 10"; }
grep -q 'Start the walk' "$T/screen" || { cat "$T/screen"; fail "no Start button"; }
# Enter on the button starts the walk at once (no field to walk through).
tm send-keys -t w Enter
wait_for 'step 1'
quit_wizard
tm_stop; SOCK=$SOCK-n   # a fresh tmux server for the next part

# ---- a real target named with --user: the cursor on the password ----
start_lab silent e2010-healthy
tm new-session -d -x 80 -y 24 -s w -c "$T" \
    "env LANG=C.UTF-8 TERM=xterm-256color $SMTPWIZ --kb 843106 --host 127.0.0.1 -p $PORT --user labuser --timeout 2; echo rc=\$?; sleep 60"
wait_drawn 'Which server'
grep -q 'Password *(none)' "$T/screen" || { cat "$T/screen"; fail "a password before any was typed"; }
grep -q 'Timeout (seconds) *2 *$' "$T/screen" || { cat "$T/screen"; fail "--timeout 2 did not fill in the form"; }
tm send-keys -t w -l 'Lab-Pass-1'
wait_for 'Password *\(set, hidden\)'
# Down past the domain controller to the timeout: letters never go in; 0
# is refused with its reason and the cursor stays on the field.
tm send-keys -t w Down Down BSpace
tm send-keys -t w -l 'x0y'
wait_for 'Timeout \(seconds\) *0[ _]*$'
tm send-keys -t w F10
wait_for 'timeout must be a number of seconds from 0.1 to 3600'
tm send-keys -t w BSpace
tm send-keys -t w -l '0.5'
wait_for 'Timeout \(seconds\) *0\.5[ _]*$'
kill -STOP "$LABPID"
tm send-keys -t w F10
# "don't know" to the questions, Enter past the connect probe: the banner
# probe must give up on the silent server after the form's half second.
end=$(( $(date +%s) + 20 ))
while shot; ! grep -q 'no reply within 0\.5 s' "$T/screen"; do
    [ "$(date +%s)" -lt "$end" ] || { cat "$T/screen"; kill -CONT "$LABPID"; fail "no 'no reply within 0.5 s'"; }
    if grep -q 'y/n/d' "$T/screen"; then tm send-keys -t w d; sleep 0.3
    elif grep -Eq 'r +re-run' "$T/screen"; then tm send-keys -t w Enter; sleep 0.3; fi
    sleep 0.05
done
kill -CONT "$LABPID"
quit_wizard
stop_lab silent
echo "ui_form: the cursor starts on the first empty field, the timeout is the form's"
