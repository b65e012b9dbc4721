# A server that refuses EHLO: smtpwiz falls back to HELO and reports that no
# extension is possible (ehlo fails), instead of an error or an empty pass.
. "$TOP/tests/lib/lib.sh"
P=$(free_port)
python3 "$TOP/tests/peers/helo_only.py" "$P" & PIDS="$PIDS $!"
wait_port "$P"
timeout 20 "$SMTPWIZ" probe 127.0.0.1 -p "$P" --only banner,ehlo --json --timeout 5 > "$T/out.json"
rc=$?
[ "$rc" -eq 2 ] || fail "exit $rc, want 2 (ehlo fails)"
[ "$(jget "$T/out.json" '[p for p in j["probes"] if p["name"]=="ehlo"][0]["status"]')" = fail ] || fail "ehlo status"
[ "$(jget "$T/out.json" '[p for p in j["probes"] if p["name"]=="ehlo"][0]["facts"]["used_helo"]')" = True ] || fail "used_helo"
[ "$(jget "$T/out.json" '[p for p in j["probes"] if p["name"]=="banner"][0]["facts"]["product"]')" = sendmail ] || fail "product"
grep -q '"line":"HELO ' "$T/out.json" || fail "no HELO in the transcript"
echo "probe_helo: HELO fallback reported"
# xexch50's default recipient against an address with a HELO-only server:
# postmaster of the banner's name, never of the address's last octets
# (it was RCPT TO:<postmaster@0.0.1>).
timeout 20 "$SMTPWIZ" probe 127.0.0.1 -p "$P" --only xexch50 --json --timeout 5 > "$T/x.json"
grep -q '"line":"RCPT TO:<postmaster@old.example>"' "$T/x.json" ||
    { grep -o '"line":"RCPT[^"]*"' "$T/x.json"; fail "xexch50 RCPT not postmaster@old.example"; }
echo "probe_helo: xexch50 recipient from the banner name"
