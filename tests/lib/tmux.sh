# Helpers for the tmux-driven wizard tests (POSIX sh).  Source it after
# tests/lib/lib.sh:   . "$TOP/tests/lib/tmux.sh"
# Each test gets a private tmux server, killed at exit with the rest.
SOCK=smtpwiz-$$
# Reports the wizard saves go to the scratch directory, not $HOME.
XDG_DOCUMENTS_DIR=$T
export XDG_DOCUMENTS_DIR
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
# tm_stop: end this tmux server.  A wizard still running in a pane gets
# SIGTERM first and up to 5 s to exit as it does on q: killing the server
# under it would hang up its terminal (SIGHUP and SIGCONT), and under
# make check-asan LeakSanitizer can then spin at the wizard's exit.
tm_stop() {
    _panes=$(tm list-panes -a -F '#{pane_pid}' 2>/dev/null)
    for _p in $_panes; do pkill -TERM -x smtpwiz -s "$_p" 2>/dev/null; done
    _i=0
    while [ "$_i" -lt 100 ]; do
        _left=
        for _p in $_panes; do pgrep -x smtpwiz -s "$_p" >/dev/null 2>&1 && _left=1; done
        [ -z "$_left" ] && break
        sleep 0.05
        _i=$((_i + 1))
    done
    tm kill-server 2>/dev/null
}
trap 'tm_stop; cleanup' EXIT   # lib.sh's INT/TERM traps exit into it
shot() { tm capture-pane -p -t w > "$T/screen"; }
# wait_for REGEX [SECONDS]: poll the screen until it matches (default 15 s),
# every 50 ms (a capture costs a few ms).
wait_for() {
    end=$(( $(date +%s) + ${2:-15} ))
    while shot; ! grep -Eq -- "$1" "$T/screen"; do
        [ "$(date +%s)" -ge "$end" ] && { cat "$T/screen"; fail "screen never showed /$1/"; }
        sleep 0.05
    done
}
# wait_drawn REGEX [SECONDS]: wait_for REGEX, then settle (5 s): a frame
# shows its first rows before its last, so a check of the whole screen
# (a field further down, or something that must not be drawn) waits for it.
wait_drawn() { wait_for "$@"; settle 5; }
# settle [SECONDS] [STOP]: until two captures 0.15 s apart agree (no frame
# half drawn, no probe running), at most SECONDS (default 30); at once when
# the regex STOP shows.
settle() {
    end=$(( $(date +%s) + ${1:-30} ))
    shot; cp "$T/screen" "$T/prev"
    while { [ -z "${2:-}" ] || ! grep -Eq -- "$2" "$T/screen"; } &&
          sleep 0.15 && shot && ! cmp -s "$T/screen" "$T/prev"; do
        [ "$(date +%s)" -lt "$end" ] || { cat "$T/screen"; fail "the screen never settled"; }
        cp "$T/screen" "$T/prev"
    done
}
# next_step YES [STOP]: answer the step on screen (YES, y or n, to a
# question, Enter to a finished probe) and wait (15 s) until another step,
# a conclusion or the regex STOP shows.
next_step() {
    was=$(grep -o 'step [0-9]*' "$T/screen" | head -n 1)
    [ -n "$was" ] || { cat "$T/screen"; fail "no step number on screen"; }
    if grep -q 'y/n/d' "$T/screen"; then tm send-keys -t w "$1"; else tm send-keys -t w Enter; fi
    end=$(( $(date +%s) + 15 ))
    while shot; grep -q "$was\$\|$was " "$T/screen" &&
          ! grep -Eq -- "Conclusion:${2:+|$2}" "$T/screen"; do
        [ "$(date +%s)" -lt "$end" ] || { cat "$T/screen"; fail "stuck on $was"; }
        sleep 0.05
    done
}
# save_report: s, then Enter in the save box; sets f to the file written
# and fails unless the box shows its name.
save_report() {
    tm send-keys -t w s
    wait_for 'Save the report'
    tm send-keys -t w Enter
    wait_for 'Report saved'
    f=$(ls -t "$T"/smtpwiz-*.md 2>/dev/null | head -n 1)
    [ -f "$f" ] || fail "no report file in $T"
    grep -q "$(basename "$f")" "$T/screen" || { cat "$T/screen"; fail "the box does not show the path written"; }
    tm send-keys -t w Enter
}
# quit_wizard: q, y if it asks (a probe runs), q again if it says the
# report is not saved; the shell line after the wizard must show rc=0.
quit_wizard() {
    tm send-keys -t w q
    wait_for 'Quit\?|is not saved|rc=' 5
    if grep -q 'Quit?' "$T/screen"; then tm send-keys -t w y
    elif grep -q 'is not saved' "$T/screen"; then tm send-keys -t w q; fi
    wait_for 'rc=0'
}
