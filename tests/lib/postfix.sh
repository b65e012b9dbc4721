# A real Debian postfix for tests (POSIX sh).  Source it after lib.sh:
#   . "$TOP/tests/lib/postfix.sh"
#
#   need_postfix        skip (77) unless postfix, saslpasswd2 and openssl are
#                       there and this runs as root (master starts as root)
#   start_postfix       postfix's master in the foreground with a config
#                       directory, queue and SASL database under $T, on
#                       127.0.0.1:$PORT only: STARTTLS with a throwaway
#                       certificate ($C/cert.pem), Cyrus SASL PLAIN and LOGIN
#                       from a sasldb of its own (account $USER_, password
#                       $PASSWORD, also in $T/password; $T/wrong holds a
#                       wrong one), AUTH only inside TLS.  Nothing of the
#                       system's postfix set-up is read or changed (master -c
#                       DIR needs no alternate_config_directories, unlike the
#                       postfix command).  Its log is $T/maillog.
need_postfix() {
    MASTER=/usr/lib/postfix/sbin/master
    [ -x "$MASTER" ] || skip "postfix not installed (scripts/bootstrap installs it)"
    need saslpasswd2
    need openssl
    [ "$(id -u)" = 0 ] || skip "postfix's master must start as root"
    id postfix >/dev/null 2>&1 || skip "no postfix user"
}

start_postfix() {
    USER_=alice
    PASSWORD='p0stfix-Test-pw'
    PORT=$(free_port)
    C=$T/conf Q=$T/queue
    # postfix's daemons run as the postfix user: they must reach into $T.
    chmod 711 "$T"
    mkdir -p "$C/sasl" "$Q"
    printf '%s\n' "$PASSWORD" > "$T/password"
    printf 'wrong-%s\n' "$PASSWORD" > "$T/wrong"

    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$C/key.pem" -out "$C/cert.pem" >"$T/openssl.log" 2>&1 || fail "openssl: $(cat "$T/openssl.log")"

    printf '%s' "$PASSWORD" | saslpasswd2 -p -c -f "$C/sasl/sasldb2" -u smtpwiz.test "$USER_" ||
        fail "saslpasswd2 failed"
    chown postfix "$C/sasl/sasldb2"
    cat > "$C/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $C/sasl/sasldb2
mech_list: PLAIN LOGIN
EOF

    cat > "$C/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $Q
data_directory = $Q/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.smtpwiz.test
mydomain = smtpwiz.test
myorigin = smtpwiz.test
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = $T/maillog
maillog_file_prefixes = $T
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
smtpd_error_sleep_time = 0s
smtpd_tls_cert_file = $C/cert.pem
smtpd_tls_key_file = $C/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $C/sasl
smtpd_sasl_local_domain = smtpwiz.test
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
EOF
    # Only what an SMTP session up to RCPT needs; no queue manager, no delivery.
    cat > "$C/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
rewrite   unix - - n - - trivial-rewrite
anvil     unix - - n - 1 anvil
tlsmgr    unix - - n 1000? 1 tlsmgr
proxymap  unix - - n - - proxymap
postlog   unix-dgram n - n - 1 postlogd
EOF
    for d in pid; do mkdir -p "$Q/$d"; done
    for d in private public incoming active deferred defer bounce trace hold maildrop corrupt saved flush data; do
        mkdir -p "$Q/$d"; chown postfix "$Q/$d"; chmod 700 "$Q/$d"
    done
    chgrp postdrop "$Q/public"; chmod 710 "$Q/public"

    MAIL_CONFIG=$C timeout 120 "$MASTER" -c "$C" -d >"$T/master.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_port "$PORT" 15
}
