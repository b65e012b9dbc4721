/* net: TCP connections with a deadline on everything.  Resolves every
 * address of a host (v4 and v6) and tries each with a non-blocking connect;
 * reads and writes poll with a timeout and an optional cancel descriptor.
 * Once tls.c attaches an SSL object, reads and writes go through it.
 * Error messages (char **err) are allocated sentences the caller frees. */
#ifndef SMTPWIZ_NET_H
#define SMTPWIZ_NET_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

typedef enum {
    NET_OK = 0,
    NET_ERESOLVE,      /* name does not resolve */
    NET_EREFUSED,      /* RST: nothing listens there */
    NET_ETIMEOUT,      /* no answer in time (filtered, dead host, silent peer) */
    NET_EUNREACH,      /* no route / network or host unreachable */
    NET_ECLOSED,       /* the peer closed the connection */
    NET_ECANCEL,       /* cancelled through the cancel descriptor */
    NET_ETOOLONG,      /* a line over the caller's limit */
    NET_ETLS,          /* TLS-level failure */
    NET_EIO,           /* anything else */
} net_err;

typedef struct net_opts {
    int timeout_ms;    /* connect and each read/write */
    int cancel_fd;     /* readable, hung up or closed => NET_ECANCEL; -1 for none */
} net_opts;

typedef struct conn conn;

const char *net_err_name(net_err e);  /* "refused", "timeout", ... */
net_err net_connect(const char *host, const char *port, const net_opts *o,
                    conn **out, char **err);
void net_close(conn *c);
int net_fd(const conn *c);
const char *net_peer_addr(const conn *c);   /* numeric "127.0.0.1" or "::1" */
int net_peer_port(const conn *c);
double net_connect_ms(const conn *c);       /* SYN to established */
int net_timeout_ms(const conn *c);
void net_set_timeout(conn *c, int timeout_ms);

/* One line, CRLF or LF stripped, into buf (cap bytes incl. NUL).  A line
 * longer than cap-1 bytes (its CRLF not counted) is NET_ETOOLONG (the rest
 * is not read).  *len is the
 * byte count (the line may hold NULs). */
net_err net_read_line(conn *c, char *buf, size_t cap, size_t *len, char **err);
net_err net_write(conn *c, const void *data, size_t len, char **err);
/* Bytes already buffered but not yet returned (a STARTTLS reply followed by
 * pipelined data must not be mixed with the TLS stream). */
size_t net_pending(const conn *c);
/* Without waiting: pulls in whatever has already arrived (one recv, or one
 * SSL_read, that never blocks), then points *data at the unread bytes the
 * connection holds (*len of them; valid until the next read).  TLS records
 * that carry no application data (TLS 1.3 session tickets, key updates) are
 * consumed by OpenSSL and not counted.  A closed or failed connection is not
 * reported here: the next read or write reports it. */
void net_read_nowait(conn *c, const char **data, size_t *len);

/* TLS plumbing for tls.c: wait for the fd per SSL_get_error, honouring the
 * deadline and cancel fd; attach/detach the SSL object. */
net_err net_wait_ssl(conn *c, SSL *ssl, int ssl_ret, double deadline_ms, char **err);
void net_attach_ssl(conn *c, SSL *ssl);     /* conn takes ownership */

#endif
