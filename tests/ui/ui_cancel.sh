#!/bin/sh
# The wizard in tmux against the lab's never-greets server: the probe shows
# a spinner and a running time while it waits, Esc cancels it at once, and
# both q and Ctrl-C during a probe leave the terminal as they found it
# (stty -a in the same pane: echo and icanon on).  While the probe waits,
# its thread and the lab's block the signals the main loop handles, and Esc
# in the transcript overlay closes it without cancelling the probe.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
run_wizard() {
    tm send-keys -t w "clear; $SMTPWIZ --lab never-greets --kb ${UI_ARTICLE:-843106}; echo rc=\$?" Enter
    wait_for 'lab: never-greets'
    tm send-keys -t w F10
    # Walk on through steps that finish (answering questions yes) until one
    # waits on the silent server (half a second on loopback means it is).
    i=0
    slow='Probing .* ([1-9][0-9]*\.[0-9]|0\.[5-9]) s'
    while wait_for "$slow|r +re-run|y/n/d" && settle 30 "$slow" && ! grep -Eq "$slow" "$T/screen"; do
        i=$((i + 1)); [ "$i" -le 8 ] || fail "no step waited on the server"
        next_step y "$slow"   # until the step changes or the slow probe shows
    done
}
check_stty() { # what
    # (the marker line: grep writes its lines one by one to the tty)
    tm send-keys -t w "clear; stty -a | tr ' ' '\n' | grep -Ex -e '-?(echo|icanon)'; echo stty-done" Enter
    wait_for '^stty-done'
    grep -qx 'echo' "$T/screen" && grep -qx 'icanon' "$T/screen" ||
        { cat "$T/screen"; fail "terminal not restored after $1"; }
}

# Progress: the elapsed time moves while the probe waits on a silent server.
run_wizard
t1=$(grep -Eo '[0-9]+\.[0-9] s' "$T/screen" | head -n 1)
wait_for "Probing" 5
sleep 0.5
shot
t2=$(grep -Eo '[0-9]+\.[0-9] s' "$T/screen" | head -n 1)
[ -n "$t2" ] && [ "$t1" != "$t2" ] || { cat "$T/screen"; fail "no progress shown ($t1 then $t2)"; }

# Every thread but the main one (the probe's worker, the lab) blocks the
# signals the loop handles: they must wake the main thread's poll.
sh_pid=$(tm display-message -p -t w '#{pane_pid}')
wiz=
for st in /proc/[0-9]*/status; do
    grep -q "^PPid:[[:space:]]*$sh_pid\$" "$st" 2>/dev/null && grep -q '^Name:[[:space:]]*smtpwiz' "$st" &&
        wiz=$(sed -n 's/^Pid:[[:space:]]*//p' "$st")
done
[ -n "$wiz" ] && [ -d "/proc/$wiz/task" ] || fail "no wizard process under the pane's shell"
threads=0
for task in /proc/"$wiz"/task/*; do
    [ "${task##*/}" = "$wiz" ] && continue
    threads=$((threads + 1))
    blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$task/status")
    # SIGINT (2), SIGTERM (15), SIGWINCH (28): bits 1, 14, 27
    [ $(( 0x$blk & 0x08004002 )) -eq $(( 0x08004002 )) ] ||
        fail "thread ${task##*/} of the wizard does not block SIGINT/SIGTERM/SIGWINCH (SigBlk $blk)"
done
[ "$threads" -ge 2 ] || fail "expected the lab's and the probe's threads, saw $threads"

# t while the probe runs: the transcript shows the session so far, live,
# as smtpwiz probe prints it (milliseconds, swaks's arrows); Esc then
# closes the overlay only, the probe goes on.
tm send-keys -t w t
wait_for 'lines, live' 5
# the transcript shows a line while the probe runs (the overlay's frame
# may be drawn before its lines: wait for one)
wait_for '^│? +[0-9]+\.[0-9] ms (===|<-|->|<~| ~>) | [0-9]+\.[0-9] ms (===|<-| ->)' 5
tm send-keys -t w Escape
wait_for "$slow" 5
sleep 0.3
wait_for "$slow" 1
grep -q 'Transcript' "$T/screen" && { cat "$T/screen"; fail "Esc did not close the transcript"; }

# Esc cancels: the spinner goes away long before the 15 s probe timeout.
tm send-keys -t w Escape
start=$(date +%s)
wait_for 'r +re-run' 5
grep -q 'Probing' "$T/screen" && { cat "$T/screen"; fail "still probing after Esc"; }
[ $(( $(date +%s) - start )) -le 3 ] || fail "cancel took too long"
# and it says it was cancelled, not that the server could not be examined
settle 5
grep -q 'Cancelled' "$T/screen" && grep -q 'was cancelled' "$T/screen" ||
    { cat "$T/screen"; fail "a cancelled probe does not say it was cancelled"; }
grep -q 'could not be examined' "$T/screen" && { cat "$T/screen"; fail "a cancel reads as a server fault"; }

# r after the cancel runs the probe again in a fresh session: it waits on
# the silent server again (not the cancelled session's error at once), and
# Esc cancels it again.
tm send-keys -t w r
wait_for "$slow" 10
tm send-keys -t w Escape
wait_for 'r +re-run' 5

# q while a probe runs asks first; y quits; the terminal is restored.
tm send-keys -t w q
wait_for 'rc=0'
run_wizard
tm send-keys -t w q
wait_for 'Quit\?'
tm send-keys -t w y
wait_for 'rc=0'
check_stty "q"

# Ctrl-C during a probe: exit 130, terminal restored.
run_wizard
tm send-keys -t w C-c
wait_for 'rc=130'
check_stty "Ctrl-C"
exit 0
