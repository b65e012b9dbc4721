#!/bin/sh
# Esc cancels a probe that waits on name resolution: the wizard in tmux at
# 80x24, in namespaces of the test's own where resolv.conf names a DNS
# server that never answers (the stock timeout:5 attempts:2: the system
# resolver would hold the probe 10 s and ignore Esc).  Once the spinner
# shows, Esc must bring the cancelled probe on screen within 300 ms
# (timestamps around capture-pane polling), and the DNS server must have
# been asked (the wait was resolution, not something else).
. "$TOP/tests/lib/netns.sh"
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
netns_dns dns --silent
ms() { echo $(( $(date +%s%N) / 1000000 )); }

tm new-session -d -x 80 -y 24 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 SMTPWIZ_DC=none sh"
wait_for 'ready\$'
tm send-keys -t w "clear; $SMTPWIZ --kb 843106 --host slow.invalid; echo rc=\$?" Enter
wait_for 'Server host +slow\.invalid'
tm send-keys -t w F10   # starts the walk (the cursor is on the empty User field)
# Answer the questions before the first probe step; stop once it probes.
i=0
probing='Probing .* s'
while wait_for "$probing|y/n/d" && ! grep -Eq "$probing" "$T/screen"; do
    i=$((i + 1)); [ "$i" -le 8 ] || fail "no step probed the server"
    next_step y "$probing"
done
grep -q '^query slow.invalid' "$T/dns.dns" || { cat "$T/dns.dns"; fail "the probe is not resolving"; }

t0=$(ms)
tm send-keys -t w Escape
until shot; grep -q 'cancelled' "$T/screen" && ! grep -q 'Probing' "$T/screen"; do
    [ $(( $(ms) - t0 )) -lt 5000 ] || { cat "$T/screen"; fail "Esc did not cancel the resolution"; }
    sleep 0.02
done
took=$(( $(ms) - t0 ))
echo "cancelled drawn ${took} ms after Esc"
[ "$took" -le 300 ] || { cat "$T/screen"; fail "the cancel took $took ms (bound 300 ms)"; }
grep -Eq 'r +re-run' "$T/screen" || { cat "$T/screen"; fail "no re-run offered after the cancel"; }
tm send-keys -t w q
wait_for 'rc=0'
exit 0
