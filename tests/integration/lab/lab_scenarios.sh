#!/bin/sh
# Every lab scenario against `smtpwiz probe --json`: the facts each scenario
# implies (tests/lib/lab_expect.py), and for the hostile ones a timely error,
# bounded output and no raw control bytes.  The lab must outlive each of them.
. "$TOP/tests/lib/lib.sh"
need python3
TIMEOUT=5
# The two that make the probe wait out its --timeout get a short one (each
# probe runs twice): never-greets is silent; slow-drip sends a byte a second,
# so 1.5 s still sees bytes arrive within the timeout while the greeting
# never ends - a per-read timer would never fire, only the deadline does.
timeout_for() { # SCENARIO
    case $1 in never-greets) echo 1 ;; slow-drip) echo 1.5 ;; *) echo "$TIMEOUT" ;; esac
}

"$SMTPWIZ" lab --list --scenarios "$TOP/kb/labs" >"$T/list" || fail "smtpwiz lab --list failed"
n=0
failed=""
for sc in e2003-healthy e2010-healthy iwa-disabled sendas-denied tls-without-auth \
          exps-logon-denied firewall-fixup legacy-ims cross-org clock-skew no-exchangeauth \
          spn-missing ansi-banner endless-line slow-drip huge-ehlo early-close tls-garbage \
          never-greets e2013-frontend postfix-internet exim-internet sendmail-internet \
          greeting-421 back-pressure dc-replication spn-duplicate kerberos-ports-blocked \
          local-clock; do
    grep -q "^$sc " "$T/list" || fail "smtpwiz lab --list does not show $sc"
    start_lab "$sc" "$sc"
    to=$(timeout_for "$sc")
    t0=$(date +%s.%N)
    SMTPWIZ_PASSWORD=Lab-Pass-1234 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --user labuser \
        --json --timeout "$to" >"$T/$sc.json" 2>"$T/$sc.stderr"
    rc=$?
    t1=$(date +%s.%N)
    elapsed=$(python3 -c "print('%.2f' % ($t1 - $t0))")
    case $rc in
    0|1|2|3) ;;
    *) echo "$sc: the probe died with status $rc"; failed="$failed $sc"; kill "$LABPID"; continue ;;
    esac
    # The plain-text report too: what a terminal shows must hold no raw
    # control bytes from a hostile server.
    SMTPWIZ_PASSWORD=Lab-Pass-1234 timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --user labuser \
        --timeout "$to" >"$T/$sc.txt" 2>&1
    if ! python3 "$TOP/tests/lib/lab_expect.py" "$sc" "$T/$sc.json" "$elapsed" "$to" "$T/$sc.txt"; then
        failed="$failed $sc"
    fi
    case $sc in
    spn-missing|clock-skew)
        r=$(python3 "$TOP/tests/peers/lab_exps_gssapi.py" "$PORT")
        case $r in "454 4.7.0 Temporary authentication failure") ;;
        *) echo "$sc: X-EXPS GSSAPI answered '$r', expected 454 4.7.0"; failed="$failed $sc" ;; esac ;;
    e2010-healthy)
        r=$(python3 "$TOP/tests/peers/lab_exps_gssapi.py" "$PORT")
        case $r in 235*) ;; *) echo "$sc: X-EXPS GSSAPI answered '$r'"; failed="$failed $sc" ;; esac ;;
    esac
    # The sending server's own identity (a computer account, --as server by
    # its $): a healthy server accepts XEXCH50 from it, sendas-denied still
    # refuses it - the fault the article's SendAs step is about.
    case $sc in
    e2003-healthy|e2010-healthy|sendas-denied)
        SMTPWIZ_PASSWORD=Lab-Pass-1234 "$SMTPWIZ" probe 127.0.0.1 -p "$PORT" --user 'EXCH02$' \
            --json --timeout "$to" >"$T/$sc-server.json" 2>"$T/$sc-server.stderr"
        r=$(jget "$T/$sc-server.json" "[p for p in j['probes'] if p['name'] == 'xexch50'][0]['facts'].get('reply_auth', '')")
        st=$(jget "$T/$sc-server.json" "[p for p in j['probes'] if p['name'] == 'xexch50'][0]['status']")
        case $sc:$st:$r in
        *-healthy:pass:354*|sendas-denied:fail:504*) ;;
        *) echo "$sc as EXCH02\$: xexch50 $st, '$r'"; failed="$failed $sc" ;;
        esac ;;
    esac
    kill -0 "$LABPID" 2>/dev/null || { echo "$sc: the lab died"; failed="$failed $sc"; }
    kill "$LABPID"
    wait "$LABPID"
    lrc=$?
    # SIGTERM is a clean stop: 0, or the sanitizer's status with its report
    if [ "$lrc" -ne 0 ]; then
        echo "$sc: the lab exited $lrc after SIGTERM"; tail -n 20 "$T/$sc-lab.err"; failed="$failed $sc"
    fi
    n=$((n + 1))
    echo "checked $sc (probe exit $rc, $elapsed s, --timeout $to)"
done
[ -z "$failed" ] || fail "scenarios not as implied:$failed"
