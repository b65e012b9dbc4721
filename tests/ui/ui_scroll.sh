#!/bin/sh
# Scrolling a step taller than the window (KB843106's first question at
# 80x14, where the rule under its header scrolls past the top): the title bar stays on row 1 at every scroll position (the rule
# under the step's header once overwrote it), scrolling stops where the
# text ends (the body is never scrolled off into blank rows) and
# "(more: PgDn)" shows only while there is more below.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
tm new-session -d -x 80 -y 14 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
tm send-keys -t w "clear; $SMTPWIZ --lab sendas-denied --kb 843106; echo rc=\$?" Enter
wait_for 'lab: sendas-denied'
tm send-keys -t w F10
wait_for 'y/n/d'
wait_for '\(more: PgDn' 5   # the step does not fit: something to scroll
last=
i=0
while [ "$i" -lt 30 ]; do
    i=$((i + 1))
    tm send-keys -t w Down
    settle 5
    head -n 1 "$T/screen" | grep -q '^ smtpwiz .* step 1 ' ||
        { cat "$T/screen"; fail "title bar overwritten after $i lines of scrolling"; }
    cmp -s "$T/screen" "$T/last" && break   # the end: Down changes nothing
    cp "$T/screen" "$T/last"
done
[ "$i" -lt 30 ] || { cat "$T/screen"; fail "Down still scrolled after 30 lines"; }
# At the end: the text reaches the bottom row of the body, and no "more".
sed -n 12p "$T/screen" | grep -q '[[:alpha:]]' ||
    { cat "$T/screen"; fail "scrolled past the end of the text"; }
grep -q '(more: PgDn' "$T/screen" && { cat "$T/screen"; fail "(more: PgDn) at the end"; }
# PgUp all the way back: the first line of the header shows again.
tm send-keys -t w PPage PPage PPage PPage
settle 5
grep -q 'accompanying-symptoms' "$T/screen" || { cat "$T/screen"; fail "PgUp did not return to the top"; }
tm send-keys -t w q
wait_for 'rc=0'
exit 0
