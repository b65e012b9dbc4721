# Helpers for the hostile-peer tests (source after lib.sh):
#   start_hostile SCENARIO [CERT KEY]   tests/peers/hostile_smtp.py on a free
#                                       port; sets HPORT, and HLOG (the lines
#                                       the peer received, one repr a line)
#   run NAME CMD...                     CMD with stdout, stderr and the exit
#                                       status in $T/NAME.{out,err,rc}; fails
#                                       on a sanitizer report
#   hprobe NAME [ARGS]                  run NAME: smtpwiz probe of the peer
#                                       (--timeout 5); with --json among ARGS
#                                       the output is also $T/NAME.json, for
#                                       pfield and pfact
#   check WHAT ARGS...                  tests/lib/hostile_check.py WHAT ARGS
#   make_evil_cert NAME                 $T/NAME.pem and $T/NAME.key: self-signed,
#                                       escapes in its subject and a SAN
need python3
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
start_hostile() {
    HPORT=$(free_port)
    HLOG="$T/wire-$1.log"
    : >"$HLOG"
    python3 "$TOP/tests/peers/hostile_smtp.py" "$1" "$HPORT" "$HLOG" ${2:+"$2"} ${3:+"$3"} \
        2>"$T/peer-$1.err" &
    PIDS="$PIDS $!"
    wait_port "$HPORT"
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
check() {
    python3 "$TOP/tests/lib/hostile_check.py" "$@" || fail "hostile_check $1 failed"
}
make_evil_cert() {
    need openssl
    _subj=$(printf '/CN=evil\033[2J\302\233\342\200\256moc.lab/O=Org\342\201\246\007X\357\273\277')
    _san=$(printf 'subjectAltName=DNS:evil\033]0;t\007.example,DNS:localhost,IP:127.0.0.1')
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -utf8 -subj "$_subj" -addext "$_san" \
        -keyout "$T/$1.key" -out "$T/$1.pem" >/dev/null 2>&1 ||
        fail "openssl could not make the test certificate"
}
# A plain certificate for 127.0.0.1 (the echo peer's TLS).
make_plain_cert() {
    need openssl
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$T/$1.key" -out "$T/$1.pem" >/dev/null 2>&1 ||
        fail "openssl could not make the test certificate"
}
