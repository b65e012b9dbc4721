#!/bin/sh
# The wizard without a usable terminal: exit 3 with smtpwiz's own message.
# Not a terminal: said before anything is loaded (a bad --kb-dir is not
# even looked at, no lab starts).  A TERM curses does not know: newterm
# fails and smtpwiz says so (initscr printed ncurses' message and exited 1).
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"

rc=0
"$SMTPWIZ" --kb-dir "$T/no-such-dir" --lab sendas-denied </dev/null >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 3 ] || { cat "$T/err"; fail "no terminal: exit $rc, not 3"; }
grep -q 'needs a terminal' "$T/err" || { cat "$T/err"; fail "no terminal: no message"; }
grep -q 'knowledge base\|lab' "$T/err" && { cat "$T/err"; fail "the KB or the lab was loaded without a terminal"; }

. "$TOP/tests/lib/tmux.sh"
tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
tm send-keys -t w "clear; TERM=no-such-terminal $SMTPWIZ; echo rc=\$?" Enter
wait_for 'rc=[0-9]+'
grep -q 'rc=3' "$T/screen" || { cat "$T/screen"; fail "unknown TERM: not exit 3"; }
grep -q '^smtpwiz: .*TERM' "$T/screen" || { cat "$T/screen"; fail "unknown TERM: not smtpwiz's message"; }
exit 0
