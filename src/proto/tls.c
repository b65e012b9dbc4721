/* tls: see tls.h.  Once the handshake is done, the connection's bytes move
 * through the transport below (SSL_read / SSL_write), which waits with
 * net_wait like every other read and write. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <pthread.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto/tls.h"
#include "base/util.h"

void tls_info_free(tls_info *i)
{
    free(i->protocol);
    free(i->cipher);
    free(i->subject);
    free(i->issuer);
    free(i->san);
    free(i->not_before);
    free(i->not_after);
    free(i->key_type);
    free(i->verify_error);
    memset(i, 0, sizeof *i);
}

static char *name_oneline(const X509_NAME *n)
{
    BIO *b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *data = NULL;
    long len = BIO_get_mem_data(b, &data);
    char *out = util_escape(data ? data : "", (size_t)(len > 0 ? len : 0));
    BIO_free(b);
    return out;
}

static char *asn1_time_iso(const ASN1_TIME *t)
{
    struct tm tm;
    char buf[32];
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return xstrdup("unknown");
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(buf);
}

static char *san_list(X509 *cert)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (!names)
        return NULL;
    strbuf sb = {0};
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (sb.len)
            sb_puts(&sb, ", ");
        if (g->type == GEN_DNS) {
            const ASN1_IA5STRING *s = g->d.dNSName;
            char *e = util_escape((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
            sb_printf(&sb, "DNS:%s", e);
            free(e);
        } else if (g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *ip = g->d.iPAddress;
            const unsigned char *p = ASN1_STRING_get0_data(ip);
            if (ASN1_STRING_length(ip) == 4)
                sb_printf(&sb, "IP:%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
            else
                sb_puts(&sb, "IP:(v6)");
        } else {
            sb_puts(&sb, "(other)");
        }
    }
    GENERAL_NAMES_free(names);
    return sb_steal(&sb);
}

static void fill_cert(X509 *cert, tls_info *info)
{
    info->subject = name_oneline(X509_get_subject_name(cert));
    info->issuer = name_oneline(X509_get_issuer_name(cert));
    info->san = san_list(cert);
    info->not_before = asn1_time_iso(X509_get0_notBefore(cert));
    info->not_after = asn1_time_iso(X509_get0_notAfter(cert));
    info->expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
    info->self_signed = X509_check_issued(cert, cert) == X509_V_OK;
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    if (pk) {
        info->key_bits = EVP_PKEY_get_bits(pk);
        const char *tn = EVP_PKEY_get0_type_name(pk);
        info->key_type = xstrdup(tn ? tn : "unknown");
    }
}

/* Check the name we were asked to reach: DNS names per RFC 6125, IP
 * literals against IP SANs. */
static bool host_matches(X509 *cert, const char *host)
{
    if (!host || !*host)
        return false;
    if (X509_check_ip_asc(cert, host, 0) == 1)
        return true;
    return X509_check_host(cert, host, 0, 0, NULL) == 1;
}

static bool is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* ---- one context and the sessions to resume, per process ---- */

#define TLS_SESSIONS_MAX 16

static pthread_mutex_t tls_mu = PTHREAD_MUTEX_INITIALIZER;
static SSL_CTX *tls_ctx;
static char *tls_ctx_cafile;
static struct { char *peer; SSL_SESSION *sess; } tls_sessions[TLS_SESSIONS_MAX];
static size_t tls_nsessions;
static int tls_peer_index = -1;   /* SSL ex_data: the peer key of a connection */

static void sessions_clear(void)
{
    for (size_t i = 0; i < tls_nsessions; i++) {
        free(tls_sessions[i].peer);
        SSL_SESSION_free(tls_sessions[i].sess);
    }
    tls_nsessions = 0;
}

/* OpenSSL hands over a session (TLS 1.3: with each ticket, after the
 * handshake): keep the newest per peer, the oldest peer going first. */
static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    const char *peer = SSL_get_ex_data(ssl, tls_peer_index);
    if (!peer)
        return 0;
    pthread_mutex_lock(&tls_mu);
    size_t i = 0;
    while (i < tls_nsessions && strcmp(tls_sessions[i].peer, peer) != 0)
        i++;
    if (i == tls_nsessions && i == TLS_SESSIONS_MAX) {
        free(tls_sessions[0].peer);
        SSL_SESSION_free(tls_sessions[0].sess);
        memmove(tls_sessions, tls_sessions + 1, (TLS_SESSIONS_MAX - 1) * sizeof *tls_sessions);
        i = --tls_nsessions;
    }
    if (i == tls_nsessions) {
        tls_sessions[i].peer = xstrdup(peer);
        tls_sessions[i].sess = NULL;
        tls_nsessions++;
    }
    SSL_SESSION_free(tls_sessions[i].sess);
    tls_sessions[i].sess = sess;   /* the reference OpenSSL passed */
    pthread_mutex_unlock(&tls_mu);
    return 1;
}

/* The session last kept for peer, a reference for the caller, or NULL. */
static SSL_SESSION *session_for(const char *peer)
{
    SSL_SESSION *s = NULL;
    pthread_mutex_lock(&tls_mu);
    for (size_t i = 0; i < tls_nsessions && !s; i++)
        if (strcmp(tls_sessions[i].peer, peer) == 0 && SSL_SESSION_is_resumable(tls_sessions[i].sess)) {
            s = tls_sessions[i].sess;
            SSL_SESSION_up_ref(s);
        }
    pthread_mutex_unlock(&tls_mu);
    return s;
}

static void peer_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    free(ptr);
}

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_init_once(void)
{
    tls_peer_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, peer_free);
}

static SSL_CTX *client_ctx_new(const tls_opts *o, char **err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        *err = xstrdup("cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    /* A diagnostic client must reach the old servers these articles are
     * about (Exchange 2003: TLS 1.0, SHA-1): OpenSSL 3's default security
     * level refuses them before any finding.  Nothing is trusted blindly -
     * verification and an obsolete protocol are reported, not enforced. */
    SSL_CTX_set_min_proto_version(ctx, 0);
    SSL_CTX_set_security_level(ctx, 0);
    if (o->cafile) {
        if (SSL_CTX_load_verify_file(ctx, o->cafile) != 1) {
            *err = xasprintf("cannot read CA file %s", o->cafile);
            SSL_CTX_free(ctx);
            return NULL;
        }
    } else {
        /* The hashed directory is searched lazily, for the issuers a chain
         * needs; loading the whole bundle would cost ~25 ms at every start. */
        SSL_CTX_load_verify_dir(ctx, X509_get_default_cert_dir());
    }
    /* Sessions are kept here (tls_sessions), not in OpenSSL's cache: the
     * later sessions of a run to the same server resume the first one. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    return ctx;
}

/* The context of the run, made once per CA file (a wizard may change it
 * between walks); a new reference for the caller. */
static SSL_CTX *client_ctx(const tls_opts *o, char **err)
{
    pthread_mutex_lock(&tls_mu);
    const char *want = o->cafile ? o->cafile : "";
    if (!tls_ctx || strcmp(tls_ctx_cafile, want) != 0) {
        SSL_CTX *ctx = client_ctx_new(o, err);
        if (!ctx) {
            pthread_mutex_unlock(&tls_mu);
            return NULL;
        }
        sessions_clear();
        SSL_CTX_free(tls_ctx);   /* sessions in flight hold their own reference */
        free(tls_ctx_cafile);
        tls_ctx = ctx;
        tls_ctx_cafile = xstrdup(want);
    }
    SSL_CTX_up_ref(tls_ctx);
    SSL_CTX *ctx = tls_ctx;
    pthread_mutex_unlock(&tls_mu);
    return ctx;
}

static char *ssl_errors(void)
{
    strbuf sb = {0};
    unsigned long e;
    char one[256];
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, one, sizeof one);
        if (sb.len)
            sb_puts(&sb, "; ");
        sb_puts(&sb, one);
    }
    return sb.len ? sb_steal(&sb) : xstrdup("unknown TLS error");
}

/* After an SSL call returned ret <= 0: wait for what it wants, or say why
 * the session is over. */
static net_err ssl_wait(conn *c, SSL *ssl, int ret, double until, char **err)
{
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return net_wait(c, NET_WANT_READ, until, err);
    case SSL_ERROR_WANT_WRITE:
        return net_wait(c, NET_WANT_WRITE, until, err);
    case SSL_ERROR_ZERO_RETURN:
        *err = xstrdup("the server closed the TLS session");
        return NET_ECLOSED;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            *err = xstrdup(errno ? strerror(errno) : "the server closed the connection");
            return errno && errno != ECONNRESET && errno != EPIPE ? NET_EIO : NET_ECLOSED;
        }
        /* fall through */
    default:
        *err = ssl_errors();
        return NET_ETLS;
    }
}

/* One SSL_read or SSL_write that moves at least a byte, waiting as the
 * library asks (never past until_ms or the run's deadline). */
static net_err tls_io(conn *c, SSL *ssl, bool wr, void *buf, size_t len, size_t *done,
                      double until, char **err)
{
    int n = len > INT_MAX ? INT_MAX : (int)len;
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int k = wr ? SSL_write(ssl, buf, n) : SSL_read(ssl, buf, n);
        if (k > 0) {
            *done = (size_t)k;
            return NET_OK;
        }
        net_err e = ssl_wait(c, ssl, k, until, err);
        if (e != NET_OK)
            return e;
    }
}

static net_err tls_read(conn *c, void *state, void *buf, size_t cap, size_t *got,
                        double until, char **err)
{
    return tls_io(c, state, false, buf, cap, got, until, err);
}

static net_err tls_write(conn *c, void *state, const void *buf, size_t len, size_t *put,
                         double until, char **err)
{
    return tls_io(c, state, true, (void *)buf, len, put, until, err);
}

static void tls_free(void *state)
{
    /* Closed without a close_notify of ours (the server has had QUIT or is
     * gone); marked as shut down so that OpenSSL does not void the session
     * the next connection of the run resumes. */
    SSL_set_quiet_shutdown(state, 1);
    SSL_set_shutdown(state, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(state);
}

static const net_transport tls_transport = {tls_read, tls_write, tls_free};

/* ---- making the context ahead of time ---- */

static pthread_mutex_t prewarm_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t prewarm_thread;
static bool prewarm_running;
static tls_opts prewarm_opts;

static void *prewarm_main(void *arg)
{
    (void)arg;
    char *err = NULL;
    SSL_CTX *ctx = client_ctx(&prewarm_opts, &err);
    SSL_CTX_free(ctx);   /* the cache keeps its own reference */
    free(err);           /* the handshake makes it again, and says why */
    return NULL;
}

void tls_prewarm(const char *cafile)
{
    pthread_mutex_lock(&prewarm_mu);
    if (!prewarm_running) {
        pthread_once(&tls_once, tls_init_once);
        prewarm_opts.cafile = cafile;
        prewarm_running = pthread_create(&prewarm_thread, NULL, prewarm_main, NULL) == 0;
    }
    pthread_mutex_unlock(&prewarm_mu);
}

void tls_thread_done(void)
{
    OPENSSL_thread_stop();
}

void tls_prewarm_join(void)
{
    pthread_mutex_lock(&prewarm_mu);
    if (prewarm_running)
        pthread_join(prewarm_thread, NULL);
    prewarm_running = false;
    pthread_mutex_unlock(&prewarm_mu);
}

net_err tls_client_start(conn *c, const tls_opts *o, tls_info *info, char **err)
{
    memset(info, 0, sizeof *info);
    ERR_clear_error();
    pthread_once(&tls_once, tls_init_once);
    SSL_CTX *ctx = client_ctx(o, err);
    if (!ctx)
        return NET_ETLS;
    SSL *ssl = SSL_new(ctx);
    SSL_CTX_free(ctx);   /* the SSL holds its own reference */
    SSL_set_fd(ssl, net_fd(c));
    /* The same server (address, port, name) resumes the run's session. */
    char *peer = xasprintf("%s|%d|%s", net_peer_addr(c), net_peer_port(c), o->sni ? o->sni : "");
    SSL_SESSION *prev = session_for(peer);
    if (prev) {
        SSL_set_session(ssl, prev);
        SSL_SESSION_free(prev);
    }
    SSL_set_ex_data(ssl, tls_peer_index, peer);   /* the SSL frees it */
    /* RFC 6066: SNI carries host names only, never an address literal. */
    if (o->sni && !is_ip_literal(o->sni))
        SSL_set_tlsext_host_name(ssl, o->sni);
    double until = net_until(c);
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int rc = SSL_connect(ssl);
        if (rc == 1)
            break;
        net_err e = ssl_wait(c, ssl, rc, until, err);
        if (e != NET_OK) {
            SSL_free(ssl);
            return e == NET_ECLOSED ? NET_ETLS : e;
        }
    }
    info->protocol = xstrdup(SSL_get_version(ssl));
    info->cipher = xstrdup(SSL_get_cipher_name(ssl));
    info->resumed = SSL_session_reused(ssl) == 1;
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert) {
        fill_cert(cert, info);
        long vr = SSL_get_verify_result(ssl);
        info->chain_ok = vr == X509_V_OK;
        if (!info->chain_ok)
            info->verify_error = xstrdup(X509_verify_cert_error_string(vr));
        info->hostname_ok = host_matches(cert, o->sni);
        X509_free(cert);
    } else {
        info->verify_error = xstrdup("the server sent no certificate");
    }
    info->verified = info->chain_ok && info->hostname_ok;
    net_set_transport(c, &tls_transport, ssl);
    return NET_OK;
}
