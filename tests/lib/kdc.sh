# A throwaway MIT Kerberos realm for integration tests (POSIX sh).
# Source it after tests/lib/lib.sh:   . "$TOP/tests/lib/kdc.sh"
#
#   need_kdc                 skip (77) unless krb5-kdc, krb5-user are installed
#   need_gssapi_plugin       skip (77) unless Cyrus SASL's GSSAPI plugin is
#                            installed (the lab's Kerberos mode needs it)
#   need_faketime            skip (77) unless libfaketime is installed
#   kdc_create               realm $KRB_REALM in $T/kdc: database, stash, admin
#                            principal (keytab $KDC_DIR/admin.keytab); exports
#                            KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME,
#                            KRB5RCACHEDIR (all in $T)
#   kdc_addspn HOST          SMTPSVC/HOST and SMTP/HOST principals, and
#                            smtp/HOST (AUTH GSSAPI's RFC 4954 service name:
#                            MIT names are case-sensitive, AD's are not),
#                            keytab $KDC_DIR/HOST.keytab
#   kdc_delspn HOST          remove them from the KDC again (the keytab stays:
#                            a server whose SPN was never registered or was
#                            lost, KB979174 cause 3)
#   kdc_kinit_user USER      a principal USER with a random key and a ticket
#                            cache for it in $KRB5CCNAME
#   lab_faketime_env OFFSET  prints the env assignments that run one process
#                            under libfaketime (for the lab: env $(...) smtpwiz)
#   kdc_lab NAME SCENARIO HOST [ENV...]
#                            start_lab (tests/lib/lib.sh) in Kerberos mode with
#                            HOST's keytab, session log $T/NAME.log, the ENV
#                            assignments (lab_faketime_env) for the lab only
#   kdc_start [FAKETIME]     krb5kdc on 127.0.0.1:$KDC_PORT (TCP and UDP),
#                            optionally under libfaketime (e.g. +10m) - the KDC
#                            process only; stopped by lib.sh's cleanup
#   kdc_start_kadmind        kadmind with kpasswd on 127.0.0.1:$KPASSWD_PORT
#                            (TCP and UDP) and kadmin on $KADMIN_PORT
#   kdc_stop                 stop it now
#   kdc_kinit                a ticket cache for admin@$KRB_REALM in $KRB5CCNAME
#
# Nothing outside $T is read or written: no system krb5.conf, no /var/lib/krb5kdc.
KRB_REALM=SMTPWIZ.TEST
KDC_DIR=$T/kdc
KDC_PID=""
PATH=$PATH:/usr/sbin:/sbin
FAKETIME_LIB=""
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
    [ -f "$f" ] && { FAKETIME_LIB=$f; break; }
done

need_kdc() {
    for c in krb5kdc kdb5_util kadmin.local kinit klist; do
        command -v "$c" >/dev/null 2>&1 ||
            skip "$c not installed (scripts/bootstrap installs krb5-kdc and krb5-user)"
    done
}

# The lab's Kerberos mode verifies GSSAPI through Cyrus SASL's plugin.
need_gssapi_plugin() {
    [ -n "$(ls /usr/lib/*/sasl2/libgssapiv2.so* 2>/dev/null)" ] ||
        skip "the Cyrus SASL GSSAPI plugin is not installed (scripts/bootstrap installs libsasl2-modules-gssapi-mit)"
}

need_faketime() {
    [ -n "$FAKETIME_LIB" ] || skip "libfaketime not installed (scripts/bootstrap installs faketime)"
}

kdc_create() {
    mkdir -p "$KDC_DIR"
    # UDP and TCP on the same number: free_port checks TCP; a UDP clash is
    # caught by krb5kdc failing to start.
    KDC_PORT=$(free_port)
    KPASSWD_PORT=$(free_port)
    KADMIN_PORT=$(free_port)
    cat > "$KDC_DIR/kdc.conf" <<CONF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$KDC_PORT
    kdc_tcp_listen = 127.0.0.1:$KDC_PORT
[realms]
    $KRB_REALM = {
        database_name = $KDC_DIR/principal
        key_stash_file = $KDC_DIR/stash
        acl_file = $KDC_DIR/kadm5.acl
        max_life = 1h
        kpasswd_listen = 127.0.0.1:$KPASSWD_PORT
        kadmind_listen = 127.0.0.1:$KADMIN_PORT
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }
[logging]
    kdc = FILE:$KDC_DIR/kdc.log
    admin_server = FILE:$KDC_DIR/kadmin.log
    default = FILE:$KDC_DIR/krb5.log
CONF
    cat > "$KDC_DIR/krb5.conf" <<CONF
[libdefaults]
    default_realm = $KRB_REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    ignore_acceptor_hostname = true
[realms]
    $KRB_REALM = {
        kdc = 127.0.0.1:$KDC_PORT
    }
[domain_realm]
    .smtpwiz.test = $KRB_REALM
    smtpwiz.test = $KRB_REALM
    .fabrikam.com = $KRB_REALM
    fabrikam.com = $KRB_REALM
CONF
    : > "$KDC_DIR/kadm5.acl"
    KRB5_CONFIG=$KDC_DIR/krb5.conf
    KRB5_KDC_PROFILE=$KDC_DIR/kdc.conf
    KRB5CCNAME=FILE:$KDC_DIR/ccache
    # The lab's GSSAPI acceptor keeps a replay cache: by default one file in
    # /var/tmp for every process of this user, every test's included.
    KRB5RCACHEDIR=$KDC_DIR
    export KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME KRB5RCACHEDIR
    kdb5_util create -s -r "$KRB_REALM" -P "master-$$-pw" >"$KDC_DIR/create.log" 2>&1 ||
        { cat "$KDC_DIR/create.log" >&2; fail "kdb5_util create failed"; }
    kadm "addprinc -randkey admin@$KRB_REALM"
    kadm "ktadd -k $KDC_DIR/admin.keytab admin@$KRB_REALM"
}

kadm() { # one kadmin.local query
    kadmin.local -r "$KRB_REALM" -q "$1" >>"$KDC_DIR/kadmin.out" 2>&1 ||
        { tail -n 20 "$KDC_DIR/kadmin.out" >&2; fail "kadmin.local: $1"; }
}

kdc_addspn() { # HOST
    kadm "addprinc -randkey SMTPSVC/$1@$KRB_REALM"
    kadm "addprinc -randkey SMTP/$1@$KRB_REALM"
    kadm "addprinc -randkey smtp/$1@$KRB_REALM"
    kadm "ktadd -k $KDC_DIR/$1.keytab SMTPSVC/$1@$KRB_REALM SMTP/$1@$KRB_REALM smtp/$1@$KRB_REALM"
}

kdc_delspn() { # HOST
    kadm "delprinc -force SMTPSVC/$1@$KRB_REALM"
    kadm "delprinc -force SMTP/$1@$KRB_REALM"
    kadm "delprinc -force smtp/$1@$KRB_REALM"
}

kdc_kinit_user() { # USER
    kadm "addprinc -randkey $1@$KRB_REALM"
    kadm "ktadd -k $KDC_DIR/$1.keytab $1@$KRB_REALM"
    kinit -k -t "$KDC_DIR/$1.keytab" "$1@$KRB_REALM" >"$KDC_DIR/kinit.out" 2>&1 ||
        { cat "$KDC_DIR/kinit.out" >&2; fail "kinit $1@$KRB_REALM failed"; }
}

# FAKETIME_NO_CACHE so the offset holds at once; DONT_FAKE_MONOTONIC keeps
# poll timeouts real; ASan must tolerate a preload that comes before it.
lab_faketime_env() { # OFFSET
    need_faketime
    echo "LD_PRELOAD=$FAKETIME_LIB FAKETIME=$1 FAKETIME_NO_CACHE=1 DONT_FAKE_MONOTONIC=1" \
         "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}

kdc_lab() { # NAME SCENARIO HOST [ENV...] -> PORT, LABPID
    _kn=$1 _ks=$2 _kh=$3
    shift 3
    LAB_ENV="$*"
    start_lab "$_kn" "$_ks" --keytab "$KDC_DIR/$_kh.keytab" --log "$T/$_kn.log"
    LAB_ENV=""
}

kdc_start() { # [FAKETIME offset]
    log=$KDC_DIR/krb5kdc.out
    if [ -n "${1:-}" ]; then
        need_faketime
        # libfaketime on krb5kdc only; FAKETIME_NO_CACHE so the offset holds at once.
        env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$1" FAKETIME_NO_CACHE=1 \
            krb5kdc -n -r "$KRB_REALM" >"$log" 2>&1 &
    else
        krb5kdc -n -r "$KRB_REALM" >"$log" 2>&1 &
    fi
    KDC_PID=$!
    PIDS="$PIDS $KDC_PID"
    i=0
    until grep -q 'commencing operation' "$KDC_DIR/kdc.log" 2>/dev/null; do
        kill -0 "$KDC_PID" 2>/dev/null || { cat "$log" "$KDC_DIR/kdc.log" >&2; fail "krb5kdc died at start"; }
        i=$((i + 1))
        [ "$i" -le 100 ] || { cat "$log" >&2; fail "krb5kdc not ready after 10 s"; }
        sleep 0.1
    done
    wait_port "$KDC_PORT"
}

kdc_start_kadmind() {
    kadmind -nofork -r "$KRB_REALM" -P "$KDC_DIR/kadmind.pid" >"$KDC_DIR/kadmind.out" 2>&1 &
    PIDS="$PIDS $!"
    wait_port "$KPASSWD_PORT"
}

kdc_stop() {
    [ -n "$KDC_PID" ] || return 0
    kill "$KDC_PID" 2>/dev/null
    wait "$KDC_PID" 2>/dev/null
    KDC_PID=""
}

kdc_kinit() {
    kinit -k -t "$KDC_DIR/admin.keytab" "admin@$KRB_REALM" >"$KDC_DIR/kinit.out" 2>&1 ||
        { cat "$KDC_DIR/kinit.out" >&2; fail "kinit with the admin keytab failed"; }
}
