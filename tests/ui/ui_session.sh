#!/bin/sh
# The wizard closes the walk's SMTP session as soon as the walk concludes
# (as diagnose does), not when it exits: walking KB843106 against the
# exps-logon-denied lab (answering as its admin would: only the event log
# shows the failure), whose last probe leaves the shared session open,
# QUIT is the last command in the transcript on the conclusion screen.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
tm new-session -d -x 100 -y 40 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
tm send-keys -t w "clear; $SMTPWIZ --lab exps-logon-denied --kb 843106; echo rc=\$?" Enter
wait_for 'lab: exps-logon-denied'
tm send-keys -t w F10
n=0
while wait_for 'r +re-run|y/n/d|Conclusion:' 30; ! grep -q 'Conclusion:' "$T/screen"; do
    n=$((n + 1)); [ "$n" -le 30 ] || fail "no conclusion after 30 steps"
    settle
    # The truthful answers for this lab: its event log shows the X-EXPS
    # failures (1704/1706), nothing else is wrong.
    ans=n
    grep -q '1704 or 1706' "$T/screen" && ans=y
    next_step "$ans"
done
grep -q 'exps-auth-failed' "$T/screen" || { cat "$T/screen"; fail "did not conclude exps-auth-failed"; }
tm send-keys -t w t End
wait_for 'Transcript' 5
settle 5
grep -E -- ' (->|~>) ' "$T/screen" | tail -n 1 | grep -q 'QUIT' ||
    { cat "$T/screen"; fail "the session was still open at the conclusion"; }
tm send-keys -t w Escape q
# the report of this walk was not saved: quit asks once
wait_for 'report of this walk is not saved'
tm send-keys -t w q
wait_for 'rc=0'
exit 0
