#!/bin/sh
# Every reply 64 KB of control bytes (16 lines of 4 KB), and 64 mechanisms
# under AUTH and X-EXPS: escaping grows such text 4x, and it once made one
# probe run 70-150 MB of RSS and 65-85 MB of output over 131 connections.  Now each output stays
# under 4 MiB and the probe's peak RSS under 32 MiB (a sanitizer build gets
# more: ASan's shadow and quarantine are not the program's).
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
start_hostile flood
export SMTPWIZ_PASSWORD='Flood-Test-Pass-1'
C="127.0.0.1 -p $HPORT --timeout 5 --user u"
for run in "text probe $C" "json probe $C --json" "djson diagnose $C --kb 843106 --json" \
        "md diagnose $C --kb 843106 --markdown"; do
    measure $run
    # 64 + 64 mechanisms once meant 131 connections: at most 8 per run now.
    [ "$CONNS" -le 8 ] || fail "${run%% *}: $CONNS connections, at most 8"
done
check size 4194304 "$T/text.out" "$T/json.out" "$T/djson.out" "$T/md.out"
check shown "$T/text.out" "$T/md.out"
check json "$T/json.out" "$T/djson.out"
# The floods were there, and were elided with a count.
grep -qE 'bytes not kept\)|more bytes\)' "$T/text.out" || fail "no elision note in the transcript"
grep -qF '\x01\x02\x03' "$T/text.out" || fail "the control bytes are not in the output at all"
echo "hostile_flood: ok"
