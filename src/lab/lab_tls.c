/* lab_tls: the lab's server-side SSL_CTX.  Without --cert/--key it makes a
 * self-signed EC P-256 certificate in memory at start (cheap handshakes: the
 * load test runs hundreds at once); nothing is written to disk. */
#include "config.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lab/lab_int.h"

static char *ssl_err(const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "unknown OpenSSL error";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return xasprintf("%s: %s", what, buf);
}

static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    if (!x)
        return NULL;
    X509_set_version(x, 2);
    uint64_t serial = 1;
    RAND_bytes((unsigned char *)&serial, sizeof serial);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"smtpwiz lab", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    char *san = xasprintf("DNS:%s", cn);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
    free(san);
    if (ext) {
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (!X509_sign(x, key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int generated_cert(SSL_CTX *ctx, const char *cn, char **err)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (!key) {
        *err = ssl_err("cannot generate the lab's EC P-256 key");
        return -1;
    }
    X509 *x = self_signed(key, cn);
    int rc = 0;
    if (!x || SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
        *err = ssl_err("cannot make the lab's self-signed certificate");
        rc = -1;
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

SSL_CTX *lab_tls_ctx(const char *cert, const char *key, const char *cn, char **err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        *err = ssl_err("cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    /* No session cache: one stateless TLS 1.3 ticket per handshake, which
     * costs the lab no memory however many sessions it holds, and lets a
     * client resume as it would against Exchange (Schannel resumes). */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 1);
    int rc;
    if (cert || key) {
        rc = -1;
        if (!cert || !key)
            *err = xstrdup("--cert and --key go together: give both or neither");
        else if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
            *err = ssl_err(cert);
        else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
            *err = ssl_err(key);
        else if (SSL_CTX_check_private_key(ctx) != 1)
            *err = ssl_err("the --key does not match the --cert");
        else
            rc = 0;
    } else {
        rc = generated_cert(ctx, cn, err);
    }
    if (rc < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}
