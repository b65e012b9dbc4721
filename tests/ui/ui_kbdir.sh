#!/bin/sh
# One knowledge-base directory for the articles and the lab scenarios (its
# labs/): --kb-dir reaches the wizard's lab list and lab, $SMTPWIZ_KBDIR
# moves both for the wizard and for `smtpwiz lab` (which read $SMTPWIZ_KB,
# and the wizard's lab calls got no directory at all).  The copy here has
# one scenario, under a name the shipped kb/labs does not have.  --lab NAME
# reads only that scenario's file.  Articles that are not loaded (broken,
# or past the 32 the wizard takes) are named on the start screen.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
K=$T/kbcopy
mkdir -p "$K/labs"
cp "$TOP"/kb/kb*.ini "$K/"
cp "$TOP/kb/labs/sendas-denied.ini" "$K/labs/copied-sendas.ini"

# smtpwiz lab --list
SMTPWIZ_KBDIR=$K "$SMTPWIZ" lab --list >"$T/list" 2>&1 || { cat "$T/list"; fail "lab --list failed"; }
[ "$(wc -l <"$T/list")" -eq 1 ] && grep -q '^copied-sendas ' "$T/list" ||
    { cat "$T/list"; fail "lab --list did not read \$SMTPWIZ_KBDIR/labs"; }

. "$TOP/tests/lib/tmux.sh"
tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
# lab_list HOW...: the wizard's lab screen lists the copy's one scenario,
# and Enter starts it (the article comes from its description).
lab_list() {
    tm send-keys -t w "clear; $* --lab; echo rc=\$?" Enter
    wait_for 'Pick a scenario'
    settle 5
    grep -q 'copied-sendas' "$T/screen" && ! grep -q 'clock-skew' "$T/screen" ||
        { cat "$T/screen"; fail "$*: the lab screen did not list the copy's scenarios"; }
    tm send-keys -t w Enter
    wait_for 'Which server'
    head -n 1 "$T/screen" | grep -q '843106.*lab: copied-sendas' ||
        { cat "$T/screen"; fail "$*: the copy's lab did not start"; }
    tm send-keys -t w Escape q
    wait_for 'rc=0'
}
lab_list "$SMTPWIZ --kb-dir $K"
lab_list "SMTPWIZ_KBDIR=$K $SMTPWIZ"
# --lab NAME with --kb-dir: the lab starts from the copy too, reading that
# one scenario only (a FIFO among the others would block a reader: the
# scenario list was once loaded just for this one's description).
mkfifo "$K/labs/blocks-a-reader.ini"
# (lab-rc: the rc=0 of the walk before stays on screen until clear runs)
tm send-keys -t w "clear; $SMTPWIZ --kb-dir $K --lab copied-sendas; echo lab-rc=\$?" Enter
wait_for 'lab: copied-sendas|lab-rc=[0-9]' 10
grep -q 'lab: copied-sendas' "$T/screen" || { cat "$T/screen"; fail "--lab NAME ignored --kb-dir"; }
tm send-keys -t w Escape q
wait_for 'lab-rc=0'

# An article that does not load, and articles past the 32 the wizard
# takes, are named on the start screen (they were dropped silently).
rm -f "$K/labs/blocks-a-reader.ini"
printf '[article]\nid = 999\n' > "$K/kb999.ini"
tm send-keys -t w "clear; $SMTPWIZ --kb-dir $K; echo rc=\$?" Enter
wait_for 'What do you want to do'
wait_for 'kb999\.ini' 5
tm send-keys -t w q
wait_for 'rc=0'
rm "$K/kb999.ini"
# A second article of the same id is named (diagnose --kb must find one).
cp "$K/kb843106.ini" "$K/kb9dup.ini"
tm send-keys -t w "clear; $SMTPWIZ --kb-dir $K; echo rc=\$?" Enter
wait_for 'Not loaded: kb9dup\.ini: a second article KB843106' 5
tm send-keys -t w q
wait_for 'rc=0'
rm "$K/kb9dup.ini"
# Each copy is an article of its own.
i=100
while [ "$i" -lt 133 ]; do sed "s/^id = 843106\$/id = 900$i/" "$K/kb843106.ini" >"$K/kb$i.ini"; i=$((i + 1)); done
tm send-keys -t w "clear; $SMTPWIZ --kb-dir $K; echo rc=\$?" Enter
wait_for 'What do you want to do'
wait_for 'Not loaded: kb132\.ini: past the 32 articles.*\(and 2 more\)' 5
tm send-keys -t w q
wait_for 'rc=0'
exit 0
