#!/bin/sh
# Commands to copy, in the wizard at 80x24:
#  - spn-missing (KB979174), "no" to the questions up to spn-list: the
#    manual check's `setspn -L MAIL1` is a row of its own, filled in with the
#    server's name the walk measured, never run into the prose;
#  - no-exchangeauth, to its conclusion: the Get-ReceiveConnector command
#    stands whole on its row, the wider Set-ReceiveConnector one is cut with
#    an ellipsis, the footer offers c, and c shows it whole (its rows joined
#    give the full command, placeholders filled in); c again closes.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
# walk LAB STOP: start the lab, answer n (Enter after probes) until the
# regex STOP shows.
walk() {
    tm new-session -d -x 80 -y 24 -s w -c "$T" \
        "env LANG=C.UTF-8 TERM=xterm-256color $SMTPWIZ --lab $1 --kb 979174; echo rc=\$?; sleep 60"
    wait_for 'Which server'
    tm send-keys -t w F10
    n=0
    while wait_for 'r +re-run|y/n/d|Conclusion:' 30; ! grep -Eq -- "$2" "$T/screen"; do
        n=$((n + 1)); [ "$n" -le 40 ] || { cat "$T/screen"; fail "$1: never reached /$2/"; }
        next_step n "$2"
    done
    settle 5
}

walk spn-missing 'spn-list$'
grep -Eq '^ {4,}setspn -L MAIL1 *$' "$T/screen" || { cat "$T/screen"; fail "setspn -L MAIL1 is not a row of its own"; }
grep -q '<server>' "$T/screen" && { cat "$T/screen"; fail "a placeholder left where the walk knows the name"; }
grep -q 'c commands' "$T/screen" || { cat "$T/screen"; fail "the footer does not offer c"; }
tm_stop; SOCK=$SOCK-n   # a fresh tmux server for the next part

full='Set-ReceiveConnector "MAIL1\Default MAIL1" -AuthMechanism Tls,Integrated,BasicAuth,BasicAuthRequireTLS,ExchangeServer'
walk no-exchangeauth 'Conclusion:'
grep -q 'exchangeauth-disabled' "$T/screen" || { cat "$T/screen"; fail "no-exchangeauth: another conclusion"; }
grep -Eq '^ {4,}Get-ReceiveConnector "MAIL1\\Default MAIL1" \| Format-List AuthMechanism *$' "$T/screen" ||
    { cat "$T/screen"; fail "the Get-ReceiveConnector command is not whole on its row"; }
grep -Eq '^ {4,}Set-ReceiveConnector "MAIL1\\Default MAIL1" -AuthMechanism .*…$' "$T/screen" ||
    { cat "$T/screen"; fail "the wide Set-ReceiveConnector command is not cut with an ellipsis"; }
tm send-keys -t w c
wait_for 'Commands, whole'
# The overlay's rows, borders off; the command's rows run from its first
# to the next blank row.
sed -n 's/^│ \(.*\) │$/\1/p' "$T/screen" | sed 's/ *$//' |
    awk '/^Set-ReceiveConnector/ { on = 1 } on && $0 == "" { exit } on { printf "%s", $0 }' >"$T/joined"
[ "$(cat "$T/joined")" = "$full" ] || { cat "$T/screen"; echo "joined: $(cat "$T/joined")"; fail "c does not show the command whole"; }
tm send-keys -t w c
wait_for 'Conclusion:' 5
grep -q 'Commands, whole' "$T/screen" && { cat "$T/screen"; fail "c did not close the overlay"; }
echo "ui_commands: commands on rows of their own, filled in, whole under c"
