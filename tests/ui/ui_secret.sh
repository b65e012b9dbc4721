#!/bin/sh
# The password typed on the target form does not outlive its overwrite:
# starting a lab puts the lab's password in the field, and the rest of what
# was typed must be wiped too, not left after the new string's NUL (it
# was written with snprintf over the old one).  The wizard's memory is read
# through /proc/PID/mem (root, or ptrace rights over the child).
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
MARK=TAILMARKERQJX
# in_memory PID: is $MARK anywhere in the process's writable memory?
in_memory() {
    python3 - "$1" "$MARK" <<'PY'
import re, sys
pid, mark = sys.argv[1], sys.argv[2].encode()
found = False
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        if "w" not in perms:
            continue
        lo, hi = (int(x, 16) for x in addr.split("-"))
        if hi - lo > 1 << 28:   # ASan's shadow: reserved, not the wizard's data
            continue
        try:
            mem.seek(lo)
            if mark in mem.read(hi - lo):
                found = True
                break
        except OSError:
            pass
sys.exit(0 if found else 1)
PY
}
tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 sh"
wait_for 'ready\$'
sh_pid=$(tm display-message -p -t w '#{pane_pid}')
tm send-keys -t w "clear; $SMTPWIZ --lab sendas-denied --kb 843106; echo rc=\$?" Enter
wait_for 'Which server'
wiz=
for st in /proc/[0-9]*/status; do
    grep -q "^PPid:[[:space:]]*$sh_pid\$" "$st" 2>/dev/null && grep -q '^Name:[[:space:]]*smtpwiz' "$st" &&
        wiz=$(sed -n 's/^Pid:[[:space:]]*//p' "$st")
done
[ -n "$wiz" ] || fail "no wizard process under the pane's shell"
# Up from the Start button past the timeout and the domain controller to
# the password; Ctrl-U clears the lab's, then a long one is typed.
tm send-keys -t w Up Up Up C-u
tm send-keys -t w -l "0123456789abcdefghij$MARK"
settle 5
in_memory "$wiz" || fail "the typed password is not in the wizard's memory: the check sees nothing"
# Another lab: its password replaces the typed one.
tm send-keys -t w Escape
wait_for 'What do you want to do'
tm send-keys -t w Down Down Enter
wait_for 'Pick a scenario'
tm send-keys -t w Home Enter
wait_for 'Which server'
head -n 1 "$T/screen" | grep -q 'lab: sendas-denied' && { cat "$T/screen"; fail "the lab did not change"; }
settle 5
in_memory "$wiz" && fail "the typed password's tail is still in memory after the lab replaced it"
tm send-keys -t w Escape q
wait_for 'rc=0'
exit 0
