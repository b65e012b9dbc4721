#!/bin/sh
# Every reply 64 KB of control bytes (16 lines of 4 KB), and 64 mechanisms
# under AUTH and X-EXPS: escaping grows such text 4x, and it once made one
# probe run 70-150 MB of RSS and 65-85 MB of output over 131 connections.  Now each output stays
# under 4 MiB and the probe's peak RSS under 32 MiB (a sanitizer build gets
# more: ASan's shadow and quarantine are not the program's).
. "$TOP/tests/lib/lib.sh"
. "$TOP/tests/lib/hostile.sh"
start_hostile flood
RSS_MAX=32768
if ldd "$SMTPWIZ" 2>/dev/null | grep -q 'libasan'; then RSS_MAX=131072; fi
export SMTPWIZ_PASSWORD='Flood-Test-Pass-1'
C="127.0.0.1 -p $HPORT --timeout 5 --user u"
# measure NAME ARGS...: one run under tests/lib/measure.py.
measure() {
    _n=$1
    shift
    set -- $(python3 "$TOP/tests/lib/measure.py" "$T/$_n.out" "$T/$_n.err" timeout 120 "$SMTPWIZ" "$@")
    echo "$3" >"$T/$_n.rc"
    sanitizer_check "$_n"
    _c=$(conns)
    echo "$_n: peak RSS $1 KiB, $2 s, $(wc -c <"$T/$_n.out") bytes of output, $_c connections"
    [ "$1" -le "$RSS_MAX" ] || fail "$_n: peak RSS $1 KiB, over $RSS_MAX KiB"
    # 64 + 64 mechanisms once meant 131 connections: at most 8 per run now.
    [ "$_c" -le 8 ] || fail "$_n: $_c connections, at most 8"
}
measure text probe $C
measure json probe $C --json
measure djson diagnose $C --kb 843106 --json
measure md diagnose $C --kb 843106 --markdown
check size 4194304 "$T/text.out" "$T/json.out" "$T/djson.out" "$T/md.out"
check shown "$T/text.out" "$T/md.out"
check json "$T/json.out" "$T/djson.out"
# The floods were there, and were elided with a count.
grep -qE 'bytes not kept\)|more bytes\)' "$T/text.out" || fail "no elision note in the transcript"
grep -qF '\x01\x02\x03' "$T/text.out" || fail "the control bytes are not in the output at all"
echo "hostile_flood: ok"
