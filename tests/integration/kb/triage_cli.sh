#!/bin/sh
# smtpwiz triage from the command line: a text of neither article exits 1,
# says so, and guesses no article (it once printed "Closest article ... next:
# smtpwiz diagnose" for a DNS failure); a Kerberos event of KB979174's causes
# enters its step with the error decoded; JSON has no article when unmatched.
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
printf '%s\n' '451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain' >"$T/dns.txt"
"$SMTPWIZ" triage "$T/dns.txt" >"$T/dns.out" 2>&1
rc=$?
[ "$rc" = 1 ] || { cat "$T/dns.out"; fail "an unrelated text exited $rc, want 1"; }
grep -q 'matches neither KB843106 nor KB979174' "$T/dns.out" || { cat "$T/dns.out"; fail "no 'matches neither'"; }
grep -qi 'closest\|smtpwiz diagnose' "$T/dns.out" && { cat "$T/dns.out"; fail "an unrelated text got a guess"; }
"$SMTPWIZ" triage --json "$T/dns.txt" >"$T/dns.json" 2>&1
[ "$(jget "$T/dns.json" 'j["kb"]')" = None ] || { cat "$T/dns.json"; fail "JSON names an article"; }
printf '%s\n' 'The Kerberos client received a KRB_AP_ERR_MODIFIED error from the server MAIL1$.' \
    'The target name used was SMTPSVC/mail1.fabrikam.com.' >"$T/krb.txt"
"$SMTPWIZ" triage "$T/krb.txt" >"$T/krb.out" 2>&1 || { cat "$T/krb.out"; fail "the Kerberos event did not match"; }
grep -q 'Article: KB979174' "$T/krb.out" && grep -q 'Start at: spn-dupes' "$T/krb.out" ||
    { cat "$T/krb.out"; fail "KRB_AP_ERR_MODIFIED did not enter KB979174 at spn-dupes"; }
grep -q 'KRB_AP_ERR_MODIFIED (41)' "$T/krb.out" || { cat "$T/krb.out"; fail "the error was not decoded"; }
exit 0
