#!/bin/sh
# The wizard's keys as a junior meets them (issue 13), in tmux at 80x24:
#  - TERM=dumb: a clear message and exit 3, not a blank screen;
#  - the lab picker: grouped by article, hostile fixtures last under their
#    own heading, a letter jumps to a scenario;
#  - ? on a question opens the help and answers nothing (d is don't know);
#  - b on a probe's finding goes to the screen before it (no probe runs
#    again), Home and End scroll instead of acting as Esc;
#  - at 60x20 the footer keeps the keys that move the walk;
#  - the outline's Enter goes back to a step the walk passed;
#  - from the conclusion, n starts a new walk and l opens the labs;
#  - against a server that went silent (SIGSTOP), a new walk and quit do
#    not wait on the old session's QUIT.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
export SMTPWIZ_DC=none

# ---- TERM=dumb ----
tm new-session -d -x 80 -y 24 -s w -c "$T" "env TERM=dumb $SMTPWIZ --lab; echo rc=\$?; sleep 60"
wait_for 'rc=[0-9]'
grep -q 'rc=3' "$T/screen" || { cat "$T/screen"; fail "TERM=dumb: want exit 3"; }
grep -q 'cannot move the cursor' "$T/screen" || { cat "$T/screen"; fail "TERM=dumb: no message"; }
tm_stop; SOCK=$SOCK-n   # a fresh tmux server for the next part

# ---- the lab picker ----
tm new-session -d -x 80 -y 24 -s w -c "$T" \
    "env LANG=C.UTF-8 TERM=xterm-256color $SMTPWIZ --lab; echo rc=\$?; sleep 60"
wait_for 'Pick a scenario'
row=$(grep -n '^ KB843106' "$T/screen" | head -n 1 | cut -d: -f1)
[ "$row" = 5 ] || { cat "$T/screen"; fail "the picker does not open on KB843106's heading"; }
sed -n 6p "$T/screen" | grep -q '› ' || { cat "$T/screen"; fail "the cursor is not on the first scenario"; }
sed -n 6p "$T/screen" | grep -q 'Hostile' && fail "the first scenario is a hostile fixture"
grep -q '↓' "$T/screen" || { cat "$T/screen"; fail "no sign that more scenarios are below"; }
grep -q '…' "$T/screen" || { cat "$T/screen"; fail "a cut description has no ellipsis"; }
tm send-keys -t w End
wait_for '› tls-garbage'
grep -q '^ Robustness fixtures' "$T/screen" || { cat "$T/screen"; fail "no heading over the hostile fixtures"; }
# every row under that heading is a hostile one
awk '/^ Robustness fixtures/ { on = 1; next } on && /^ +[›]? *[a-z]/ && !/Hostile/ { bad = 1 } END { exit bad }' \
    "$T/screen" || { cat "$T/screen"; fail "a scenario that is not hostile under the fixtures' heading"; }
tm send-keys -t w Home s
wait_for '› sendas-denied'
tm send-keys -t w Enter
wait_for 'Which server'
tm send-keys -t w F10

# ---- a question: ? is help, Esc closes it, the question is still there ----
wait_for 'y/n/d|r +re-run' 20
step_of() { head -n 1 "$T/screen" | grep -o 'step [0-9]*'; }
while ! grep -q 'y/n/d' "$T/screen"; do
    tm send-keys -t w Enter
    sleep 0.1
    wait_for 'y/n/d|r +re-run' 20
done
q=$(step_of)
tm send-keys -t w '?'
wait_for 'Help'
wait_for "d don't know|y n d" 5   # the help names d for don't know
tm send-keys -t w Escape
wait_for 'y/n/d'
[ "$(step_of)" = "$q" ] || { cat "$T/screen"; fail "? answered the question ($q became $(step_of))"; }
tm send-keys -t w n

# ---- two probe findings in a row, then b ----
settle 20
wait_for 'r +re-run|y/n/d' 20
f1=""
for i in 1 2 3 4 5 6 7 8 9 10; do
    settle 20 'Conclusion:'
    if grep -q 'Conclusion:' "$T/screen"; then break; fi
    if grep -q 'y/n/d' "$T/screen"; then tm send-keys -t w n; f1=""; continue; fi
    if [ -n "$f1" ]; then break; fi        # a finding right after a finding
    f1=$(step_of) f1title=$(sed -n 4p "$T/screen")
    tm send-keys -t w Enter
done
grep -Eq 'r +re-run' "$T/screen" && [ -n "$f1" ] || { cat "$T/screen"; fail "no two findings in a row"; }
f2=$(step_of)
tm send-keys -t w Home
sleep 0.3
shot
grep -q "$f2" "$T/screen" || { cat "$T/screen"; fail "Home left the step ($f2)"; }
tm send-keys -t w End
sleep 0.3
shot
grep -q "$f2" "$T/screen" || { cat "$T/screen"; fail "End left the step ($f2)"; }
tm send-keys -t w b
wait_for "$f1"
settle 10
grep -Eq 'r +re-run' "$T/screen" || { cat "$T/screen"; fail "b did not show the finding of $f1"; }
[ "$(sed -n 4p "$T/screen")" = "$f1title" ] || { cat "$T/screen"; fail "b showed another step than $f1"; }

# ---- 60x20: the footer keeps Enter and b ----
tm resize-window -t w -x 60 -y 20
sleep 0.4
shot
tail -n 1 "$T/screen" | grep -q 'Enter next' || { cat "$T/screen"; fail "60x20: no Enter in the footer"; }
tail -n 1 "$T/screen" | grep -q 'b back' || { cat "$T/screen"; fail "60x20: no b in the footer"; }
tm resize-window -t w -x 80 -y 24
sleep 0.3

# ---- the transcript: / finds a line, Right scrolls sideways ----
tm send-keys -t w t
wait_for 'Transcript'
wait_for '[0-9]\.[0-9] ms <-  220 ' 5   # drawn as smtpwiz probe prints it
tm send-keys -t w /; tm send-keys -t w -l 'NoSuchWord'
wait_for '/NoSuchWord'
tm send-keys -t w Enter
wait_for '"NoSuchWord" is not in the transcript'
tm send-keys -t w /; tm send-keys -t w -l 'esmtp'
tm send-keys -t w Enter
settle 5
grep -q 'is not in the transcript' "$T/screen" && grep -q '"esmtp"' "$T/screen" &&
    { cat "$T/screen"; fail "/ did not find a line that is there"; }
tm send-keys -t w Right
settle 5
grep -Eq 'ms <-  …' "$T/screen" || { cat "$T/screen"; fail "Right did not scroll the lines sideways"; }
tm send-keys -t w Escape
settle 5

# ---- the outline: Enter on the first step goes back to it ----
tm send-keys -t w o
wait_for 'Outline'
tm send-keys -t w Home Enter
settle 10
first=$(step_of)
[ "$first" = "step 1" ] || { cat "$T/screen"; fail "the outline's Enter did not go to the first step ($first)"; }

# ---- to the conclusion (n to every question), then n and l ----
to_conclusion() {
    for i in $(seq 1 40); do
        settle 20 'Conclusion:|nconclusive'
        grep -Eq 'Conclusion:|nconclusive' "$T/screen" && return 0
        if grep -q 'y/n/d' "$T/screen"; then tm send-keys -t w n; else tm send-keys -t w Enter; fi
    done
    cat "$T/screen"
    fail "no conclusion"
}
to_conclusion
grep -q 'n new walk' "$T/screen" || { cat "$T/screen"; fail "the conclusion's footer has no n"; }
# q with the report unsaved asks once; s from there proposes a file in
# $XDG_DOCUMENTS_DIR (tmux.sh points it at $T), and the report says it
# was a practice lab.
tm send-keys -t w q
wait_for 'report of this walk is not saved'
tm send-keys -t w s
wait_for 'Save the report'
wait_for "$(basename "$T")/smtpwiz-843106-" 5   # a file in XDG_DOCUMENTS_DIR
tm send-keys -t w C-u
settle 5
grep -q "smtpwiz-843106-" "$T/screen" && { cat "$T/screen"; fail "Ctrl-U did not clear the file name"; }
tm send-keys -t w -l "$T/mine.md"
tm send-keys -t w Enter
wait_for 'Written to'
[ -f "$T/mine.md" ] || { ls "$T"; fail "the report was not written where typed"; }
grep -q 'Practice lab' "$T/mine.md" || fail "the report does not say it was a practice lab"
tm send-keys -t w Enter
tm send-keys -t w n
wait_for 'step 1'
to_conclusion
tm send-keys -t w l
wait_for 'Pick a scenario'
tm send-keys -t w q
wait_for 'rc=0'
tm_stop; SOCK=$SOCK-n   # a fresh tmux server for the next part

# ---- a server that went silent: a new walk and quit do not wait ----
start_lab silent e2010-healthy
tm new-session -d -x 80 -y 24 -s w -c "$T" \
    "env LANG=C.UTF-8 TERM=xterm-256color $SMTPWIZ --kb 843106 --host 127.0.0.1 -p $PORT --user labuser; echo rc=\$?; sleep 60"
wait_for 'Which server'
tm send-keys -t w F10
to_conclusion
kill -STOP "$LABPID"
ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
t0=$(ms)
tm send-keys -t w n
while shot; ! grep -q 'step 1' "$T/screen"; do
    [ $(( $(ms) - t0 )) -lt 5000 ] || { cat "$T/screen"; kill -CONT "$LABPID"; fail "n did not start a new walk"; }
done
new_ms=$(( $(ms) - t0 ))
t0=$(ms)
tm send-keys -t w q
while shot; ! grep -q 'rc=' "$T/screen"; do
    [ $(( $(ms) - t0 )) -lt 5000 ] || { cat "$T/screen"; kill -CONT "$LABPID"; fail "q did not quit"; }
    grep -q 'Quit?' "$T/screen" && tm send-keys -t w y
done
quit_ms=$(( $(ms) - t0 ))
kill -CONT "$LABPID"
echo "against a silent server: new walk drawn after $new_ms ms, quit after $quit_ms ms"
# The old session's QUIT used to be sent from the UI thread: up to 2 s.
[ "$new_ms" -lt 1000 ] || fail "a new walk waited $new_ms ms on the silent server"
[ "$quit_ms" -lt 1500 ] || fail "quit waited $quit_ms ms on the silent server"
tm_stop; SOCK=$SOCK-n   # a fresh tmux server for the next part
stop_lab silent
exit 0
