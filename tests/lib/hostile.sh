# Helpers for the hostile-peer tests (source after lib.sh):
#   start_hostile SCENARIO [CERT KEY]   tests/peers/hostile_smtp.py on a free
#                                       port; sets HPORT, and HLOG (the lines
#                                       the peer received, one repr a line)
#   start_policy SCENARIO [CERT KEY]    tests/peers/policy_smtp.py the same way;
#                                       $HLOG.conns gets a line per connection
#   conns                               connections the peer took since the
#                                       last call (the first: since it began)
#   run NAME CMD...                     CMD with stdout, stderr and the exit
#                                       status in $T/NAME.{out,err,rc}; fails
#                                       on a sanitizer report
#   hprobe NAME [ARGS]                  run NAME: smtpwiz probe of the peer
#                                       (--timeout 5); with --json among ARGS
#                                       the output is also $T/NAME.json, for
#                                       pfield and pfact
#   check WHAT ARGS...                  tests/lib/hostile_check.py WHAT ARGS
#   measure NAME ARGS...                smtpwiz ARGS under tests/lib/measure.py
#                                       (timeout 120), out/err/rc in $T/NAME.*
#                                       (and NAME.json); sets RSS (KiB), WALL (s)
#                                       and CONNS (the peer's); fails over
#                                       RSS_MAX KiB (32 MiB, 128 under ASan)
#   make_evil_cert NAME                 $T/NAME.pem and $T/NAME.key: self-signed,
#                                       escapes in its subject and a SAN
#   make_meta_cert NAME                 the same with shell metacharacters
need python3
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
start_peer() { # PEER SCENARIO [CERT KEY]
    HPORT=$(free_port)
    HLOG="$T/wire-$2.log"
    : >"$HLOG"
    rm -f "$HLOG.conns" "$HLOG.seen"
    python3 "$TOP/tests/peers/$1" "$2" "$HPORT" "$HLOG" ${3:+"$3"} ${4:+"$4"} \
        2>"$T/peer-$2.err" &
    PIDS="$PIDS $!"
    wait_port "$HPORT"
    sleep 0.2           # wait_port's own connection is counted; conns skips it
    conns >/dev/null
}
start_hostile() { start_peer hostile_smtp.py "$@"; }
start_policy() { start_peer policy_smtp.py "$@"; }
conns() { # (in $(...) too: the count so far is kept in a file)
    _now=$(cat "$HLOG.conns" 2>/dev/null | wc -l)
    _seen=$(cat "$HLOG.seen" 2>/dev/null || echo 0)
    echo "$_now" >"$HLOG.seen"
    echo $((_now - _seen))
}
run() {
    _n=$1
    shift
    "$@" </dev/null >"$T/$_n.out" 2>"$T/$_n.err"
    echo $? >"$T/$_n.rc"
    sanitizer_check "$_n"
}
hprobe() {
    _h=$1
    shift
    run "$_h" timeout 60 "$SMTPWIZ" probe 127.0.0.1 -p "$HPORT" --timeout 5 "$@"
    cp "$T/$_h.out" "$T/$_h.json"
}
RSS_MAX=32768
# A sanitizer build gets more: ASan's shadow and quarantine are not the program's.
if ldd "$SMTPWIZ" 2>/dev/null | grep -q 'libasan'; then RSS_MAX=131072; fi
measure() {
    _n=$1
    shift
    set -- $(python3 "$TOP/tests/lib/measure.py" "$T/$_n.out" "$T/$_n.err" timeout 120 "$SMTPWIZ" "$@")
    echo "$3" >"$T/$_n.rc"
    sanitizer_check "$_n"
    cp "$T/$_n.out" "$T/$_n.json"
    RSS=$1 WALL=$2 CONNS=$(conns)
    echo "$_n: peak RSS $RSS KiB, $WALL s, $(wc -c <"$T/$_n.out") bytes of output, $CONNS connections"
    [ "$RSS" -le "$RSS_MAX" ] || fail "$_n: peak RSS $RSS KiB, over $RSS_MAX KiB"
}
check() {
    python3 "$TOP/tests/lib/hostile_check.py" "$@" || fail "hostile_check $1 failed"
}
make_cert() { # NAME SUBJECT SAN-DNS-NAMES
    need openssl
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -utf8 -subj "$2" \
        -addext "subjectAltName=${3}DNS:localhost,IP:127.0.0.1" \
        -keyout "$T/$1.key" -out "$T/$1.pem" >/dev/null 2>&1 ||
        fail "openssl could not make the test certificate"
}
make_evil_cert() {
    make_cert "$1" "$(printf '/CN=evil\033[2J\302\233\342\200\256moc.lab/O=Org\342\201\246\007X\357\273\277')" \
        "$(printf 'DNS:evil\033]0;t\007.example,')"
}
# make_meta_cert NAME: $T/NAME.pem and .key, shell metacharacters (; & $( )
# backquotes |) in the subject's CN and a SAN DNS name ("\$" is OpenSSL's
# escape for "$" in -addext).
make_meta_cert() {
    make_cert "$1" '/CN=mail;$(id)&`x`.example/O=Org' 'DNS:mx|y;z\$(reboot)&.example,'
}
# A plain certificate for 127.0.0.1 (the echo peer's TLS).
make_plain_cert() { make_cert "$1" /CN=localhost ""; }
