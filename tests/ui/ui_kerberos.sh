#!/bin/sh
# The wizard's KB979174 walk with a real domain controller: the lab in
# Kerberos mode (--keytab) and a throwaway MIT KDC with kpasswd
# (tests/lib/kdc.sh), the admin's ticket cache from kinit.  The wizard is
# started as an admin would, `smtpwiz --kb 979174 --host H -p P --dc DC`,
# and walked at 80x24 answering every question no.  The KDC's clock, the
# SPN lookup and the Kerberos ports must each be drawn as the finding of
# their step, the walk must end at no-fault-found, and the saved report
# must carry the same three findings.  A second walk, with the SPNs deleted
# from the KDC, must stop at spn-missing with the KDC's own words on screen.
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/kdc.sh"
need tmux
need_kdc
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
need_gssapi_plugin
. "$TOP/tests/lib/tmux.sh"
LABHOST=mail1.fabrikam.com
kdc_create
kdc_addspn "$LABHOST"
kdc_start
kdc_start_kadmind
kdc_kinit
DC="127.0.0.1:$KDC_PORT,$KPASSWD_PORT"

# Every screen of the walk is appended to $T/walk-NAME.
walk() { # NAME SCENARIO: start the lab and the wizard, walk to the conclusion
    w=$1
    kdc_lab "$w" "$2" "$LABHOST"
    : >"$T/walk-$w"
    tm new-session -d -x 80 -y 24 -s w -c "$T" \
        "env LANG=C.UTF-8 KRB5_CONFIG=$KRB5_CONFIG KRB5CCNAME=$KRB5CCNAME SMTPWIZ_DC= $SMTPWIZ --kb 979174 --host 127.0.0.1 -p $PORT --dc $DC; echo rc=\$?; sleep 60"
    wait_drawn 'Which server'
    grep -qF "$DC" "$T/screen" || { cat "$T/screen"; fail "$w: --dc did not fill in the form"; }
    tm send-keys -t w F10
    n=0
    while wait_for 'r +re-run|y/n/d|Conclusion:' 60; ! grep -q 'Conclusion:' "$T/screen"; do
        n=$((n + 1)); [ "$n" -le 40 ] || fail "$w: no conclusion after 40 steps"
        settle
        # The finding may run below the window: page down to record it all.
        cat "$T/screen" >>"$T/walk-$w"
        tm send-keys -t w NPage; settle; cat "$T/screen" >>"$T/walk-$w"
        next_step n
    done
    settle
    cat "$T/screen" >>"$T/walk-$w"
}
seen() { # NAME REGEX WHAT: the walk drew REGEX (a finding may wrap: joined lines)
    tr -s ' \n' ' ' <"$T/walk-$1" | grep -Eq "$2" || { cat "$T/walk-$1"; fail "$1: the walk never showed $3 (/$2/)"; }
}

# 1. Healthy: the three Kerberos findings, each from its probe.
walk healthy e2010-healthy
grep -q 'no-fault-found' "$T/screen" || { cat "$T/screen"; fail "healthy: did not conclude no-fault-found"; }
seen healthy "KDC's clock \(127\.0\.0\.1\) agrees with this machine's" "the KDC time finding"
seen healthy "SMTPSVC/$LABHOST and SMTP/$LABHOST are registered in realm $KRB_REALM" "the SPN lookup"
seen healthy "Kerberos answers on 127\.0\.0\.1" "the Kerberos ports finding"
seen healthy "kpasswd TCP port accepts" "the kpasswd port"
save_report
# Each finding's own sentence (the step ids and probe names are always there).
for p in "KDC's clock (127.0.0.1) agrees" "are registered in realm $KRB_REALM" \
         "Kerberos answers on 127.0.0.1"; do
    grep -qF "$p" "$f" || { cat "$f"; fail "the report lacks the finding \"$p\""; }
done
tm send-keys -t w q
wait_for 'rc=0'
tm_stop; SOCK=$SOCK-n   # a fresh server: a dying one may refuse the new session
stop_lab healthy

# 2. The SPNs gone from the KDC: the walk stops at spn-missing and the step
#    shows the KDC's refusal.
kdc_delspn "$LABHOST"
kdc_kinit
walk spnmiss spn-missing
grep -q 'spn-missing' "$T/screen" || { cat "$T/screen"; fail "spnmiss: did not conclude spn-missing"; }
seen spnmiss "not found in Kerberos database" "the KDC's answer"
tm send-keys -t w q
wait_for 'report of this walk is not saved'
tm send-keys -t w q
wait_for 'rc=0'
echo "ui_kerberos: ok"
