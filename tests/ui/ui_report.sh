#!/bin/sh
# `s` saves the Markdown report.  Pressed three times within a second it
# gives three files (the name holds the time to the second: a report is
# never overwritten), and when the write fails (a file size limit of 0, the
# SIGXFSZ it raises ignored) the wizard says so and keeps running: fclose's
# failure once freed the FILE twice and aborted.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
# start_walk [SHELL PREFIX]: the wizard on the sendas-denied lab, up to the
# first finished step.
start_walk() {
    tm send-keys -t w "clear; (${1:-} exec $SMTPWIZ --lab sendas-denied --kb 843106); echo rc=\$?" Enter
    wait_for 'lab: sendas-denied'
    tm send-keys -t w F10
    wait_for 'r +re-run|y/n/d'
}

start_walk
for i in 1 2 3; do
    tm send-keys -t w s
    wait_for 'Save the report'
    tm send-keys -t w Enter
    wait_for 'Written to'
    tm send-keys -t w Enter
done
wait_for 'Report saved to' 5
n=$(ls "$T" | grep -c '^smtpwiz-.*\.md$')
[ "$n" -eq 3 ] || { ls -l "$T"; fail "three saves gave $n report files"; }
for f in "$T"/smtpwiz-*.md; do
    grep -q '^# ' "$f" || fail "$f is not a report"
done
tm send-keys -t w q
wait_for 'rc=0'

rm -f "$T"/smtpwiz-*.md
start_walk "trap '' XFSZ; ulimit -f 0;"
tm send-keys -t w s
wait_for 'Save the report'
tm send-keys -t w Enter
wait_for 'Could not write .*smtpwiz-' 5
ls "$T" | grep -q '^smtpwiz-.*\.md$' && { ls -l "$T"; fail "a failed save left a partial file"; }
tm send-keys -t w q
wait_for 'rc=0'
exit 0
