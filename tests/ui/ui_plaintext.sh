#!/bin/sh
# The target form's "Plain-text AUTH" choice: shown, refuse by default, and
# it decides what the walk sends.  Against a server without STARTTLS that
# welcomes every logon (tests/peers/policy_smtp.py plain_auth), a walk of
# KB843106 with the default sends no AUTH PLAIN or LOGIN and never the
# password; with the choice set to allow, AUTH PLAIN goes out.
. "$TOP/tests/lib/lib.sh"
need tmux
. "$TOP/tests/lib/hostile.sh"
. "$TOP/tests/lib/tmux.sh"
PASS_='Pol1cy-Secret-9x'
start_policy plain_auth
# walk CHOICE: one walk of the wizard with the form's choice (refuse|allow).
walk() {
    : >"$HLOG"
    tm_stop; SOCK=$SOCK-n   # a fresh server: a dying one may refuse the new session
    tm new-session -d -x 100 -y 30 -s w -c "$T" "env PS1='ready\$ ' LANG=C.UTF-8 SMTPWIZ_DC=none sh"
    wait_for 'ready\$'
    tm send-keys -t w "clear; $SMTPWIZ --kb 843106 --host 127.0.0.1 -p $HPORT --user carol.policy; echo rc=\$?" Enter
    wait_drawn 'Which server'
    grep -q 'Plain-text AUTH *< refuse >' "$T/screen" || { cat "$T/screen"; fail "no Plain-text AUTH choice, or not refuse"; }
    # The cursor starts on the first empty field, the password: type it,
    # then up past the user to the choice.
    tm send-keys -t w -l "$PASS_"
    tm send-keys -t w Up Up
    if [ "$1" = allow ]; then
        tm send-keys -t w Space
        wait_for 'Plain-text AUTH *< allow >'
    fi
    tm send-keys -t w F10
    n=0
    # d (not known) to each question: the path diagnose takes by default.
    while wait_for 'r +re-run|y/n/d|Conclusion:|No conclusion' 40; ! grep -Eq 'Conclusion:|No conclusion' "$T/screen"; do
        n=$((n + 1)); [ "$n" -le 30 ] || { cat "$T/screen"; fail "$1: no end after 30 steps"; }
        if grep -q 'y/n/d' "$T/screen"; then tm send-keys -t w d; else tm send-keys -t w Enter; fi
        sleep 0.3
    done
    tm send-keys -t w q
}
walk refuse
grep -q "^b'AUTH NTLM [A-Za-z0-9+/=]" "$HLOG" || { cat "$HLOG"; fail "refuse: the walk never authenticated"; }
python3 "$TOP/tests/lib/hostile_check.py" creds "$HLOG" carol.policy "$PASS_" ntlm ||
    fail "refuse: PLAIN/LOGIN or the password went out without TLS"
walk allow
grep -q "^b'AUTH PLAIN [A-Za-z0-9+/=]" "$HLOG" || { cat "$HLOG"; fail "allow: no AUTH PLAIN"; }
echo "ui_plaintext: the form's choice decides whether PLAIN goes out without TLS"
