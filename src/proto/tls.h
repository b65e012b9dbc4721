/* tls: the client side of STARTTLS with OpenSSL - handshake on an existing
 * connection, then what an admin needs to know about it: protocol, cipher,
 * certificate names and dates, key size, chain and hostname verification.
 * A failed verification is reported in tls_info, never as an error: the
 * session goes on so the other probes still see the server. */
#ifndef SMTPWIZ_TLS_H
#define SMTPWIZ_TLS_H

#include <stdbool.h>

#include "proto/net.h"

typedef struct tls_opts {
    const char *sni;       /* host name for SNI and the hostname check (NULL: none) */
    const char *cafile;    /* PEM bundle; NULL: the system store */
} tls_opts;

typedef struct tls_info {
    char *protocol;        /* "TLSv1.3" */
    char *cipher;          /* "TLS_AES_256_GCM_SHA384" */
    bool resumed;          /* the run's earlier session to this server was resumed */
    char *subject;         /* one-line RFC 2253 */
    char *issuer;
    char *san;             /* "DNS:a, DNS:b, IP:1.2.3.4", or NULL */
    char *not_before;      /* ISO 8601 UTC */
    char *not_after;
    char *key_type;        /* "RSA", "EC", "ED25519" ... */
    int key_bits;
    bool self_signed;
    bool expired;
    bool chain_ok;         /* chain verified against the store */
    bool hostname_ok;      /* sni matched the certificate (false if no sni) */
    bool verified;         /* chain_ok && hostname_ok */
    char *verify_error;    /* X509 verify error text if !chain_ok, else NULL */
} tls_info;

void tls_info_free(tls_info *i);
/* Handshake as a client on c (after the server said 220 to STARTTLS or
 * X-ANONYMOUSTLS).  On success the connection reads and writes through TLS.
 * One TLS context serves the whole process; a later session to the same
 * server (address, port, name) resumes the session the first one got. */
net_err tls_client_start(conn *c, const tls_opts *o, tls_info *info, char **err);
/* Make the TLS context (OpenSSL's start-up: about 1.5 ms) on a thread of
 * its own while the connection and the greeting go on; tls_client_start
 * waits for it if it has not finished.  tls_prewarm_join before the
 * process exits (OpenSSL's clean-up must not meet its start-up). */
void tls_prewarm(const char *cafile);
void tls_prewarm_join(void);
/* A thread that is not joined (detached) calls this last: OpenSSL's state
 * of the thread (its error queue) is freed now, not by a destructor that
 * may not have run when the process exits. */
void tls_thread_done(void);

#endif
