#!/bin/sh
# The wizard in tmux, driven as a new user would: start screen -> practice
# lab sendas-denied (which illustrates KB843106: the wizard picks the
# article) -> every step to the sendas-denied conclusion.  Mid-walk the window is resized to 100x30 and 60x20 and the
# step and its key footer must still show.  At the end `s` saves the report:
# it names the conclusion and never holds the password.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
ARTICLE=${UI_ARTICLE:-843106}
CONCL=${UI_CONCL:-sendas-denied}
. "$TOP/tests/lib/tmux.sh"
# Move the list cursor (the row drawn with the arrow) onto a row matching REGEX.
select_row() {
    i=0
    while shot; ! grep -Eq "^ (›|>) +$1" "$T/screen"; do
        i=$((i + 1)); [ "$i" -le 40 ] || { cat "$T/screen"; fail "no list row /$1/"; }
        tm send-keys -t w Down
        sleep 0.05
    done
}
tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
tm send-keys -t w "clear; $SMTPWIZ; echo rc=\$?" Enter
wait_for 'What do you want to do'
select_row 'Practice lab'
tm send-keys -t w Enter
wait_for 'Pick a scenario'
select_row 'sendas-denied'
tm send-keys -t w Enter
wait_drawn 'Which server'
head -n 1 "$T/screen" | grep -q "$ARTICLE" || { cat "$T/screen"; fail "the lab did not choose article $ARTICLE"; }
grep -q 'Lab-Pass' "$T/screen" && fail "the password is drawn on the form"
tm send-keys -t w F10

# Walk: Enter after each finished probe, y to questions, until the conclusion.
n=0 resized=0
while wait_for 'r +re-run|y/n/d|Conclusion:' 30; ! grep -q 'Conclusion:' "$T/screen"; do
    n=$((n + 1)); [ "$n" -le 30 ] || fail "no conclusion after 30 steps"
    if [ "$resized" -eq 0 ]; then
        resized=1
        title=$(sed -n 4p "$T/screen" | sed 's/^ *//' | cut -c1-30)
        for size in "100 30" "60 20" "80 24"; do
            set -- $size
            tm resize-window -t w -x "$1" -y "$2"
            # Redrawn at the new width (the rule under the step spans it),
            # with the step's title and the footer.
            end=$(( $(date +%s) + 15 ))
            until shot && LC_ALL=C.UTF-8 grep -Eq "^(─|-){$1}\$" "$T/screen" &&
                  grep -q "step [0-9]" "$T/screen" && grep -q 'q quit' "$T/screen" &&
                  grep -qF "$title" "$T/screen"; do
                [ "$(date +%s)" -lt "$end" ] || { cat "$T/screen"; fail "step or footer gone at $1x$2"; }
                sleep 0.1
            done
        done
    fi
    settle
    next_step y
done
[ "$resized" -eq 1 ] || fail "the walk ended before a resize could be tried"
grep -q "$CONCL" "$T/screen" || { cat "$T/screen"; fail "did not conclude $CONCL"; }

save_report
grep -q "$CONCL" "$f" || fail "report lacks the conclusion id $CONCL"
grep -q 'Lab-Pass-1234' "$f" && fail "report holds the password"
tm send-keys -t w q
wait_for 'rc=0'
exit 0
