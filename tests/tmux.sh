# Helpers for the tmux-driven wizard tests (POSIX sh).  Source it after
# tests/lib.sh:   . "$TOP/tests/tmux.sh"
# Each test gets a private tmux server, killed at exit with the rest.
SOCK=smtpwiz-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT INT TERM
shot() { tm capture-pane -p -t w > "$T/screen"; }
# wait_for REGEX [SECONDS]: poll the screen until it matches (default 15 s).
wait_for() {
    end=$(( $(date +%s) + ${2:-15} ))
    while shot; ! grep -Eq -- "$1" "$T/screen"; do
        [ "$(date +%s)" -ge "$end" ] && { cat "$T/screen"; fail "screen never showed /$1/"; }
        sleep 0.1
    done
}
