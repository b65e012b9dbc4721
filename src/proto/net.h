/* net: TCP connections with a deadline on everything.  Resolves every
 * address of a host (v4 and v6, through resolve.c) and tries each with a
 * non-blocking connect; reads and writes poll with a timeout, the run's
 * deadline and an optional cancel descriptor.  Bytes move through a
 * transport: plain send/recv, or the one a layer above installs on the
 * connection (tls.c, once its handshake is done); net.c knows nothing of it.
 * Error messages (char **err) are allocated sentences the caller frees. */
#ifndef SMTPWIZ_NET_H
#define SMTPWIZ_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/resolve.h"

typedef enum {
    NET_OK = 0,
    NET_ERESOLVE,      /* name does not resolve (or DNS did not answer) */
    NET_EREFUSED,      /* RST: nothing listens there */
    NET_ETIMEOUT,      /* no answer in time (filtered, dead host, silent peer),
                          or the run's deadline passed */
    NET_EUNREACH,      /* no route / network or host unreachable */
    NET_ECLOSED,       /* the peer closed the connection */
    NET_ECANCEL,       /* cancelled through the cancel descriptor */
    NET_ETOOLONG,      /* a line over the caller's limit */
    NET_ETLS,          /* TLS-level failure */
    NET_EIO,           /* anything else */
} net_err;

typedef struct net_opts {
    int timeout_ms;    /* name resolution, connect, and each read/write */
    int cancel_fd;     /* readable, hung up or closed => NET_ECANCEL; -1 for none */
    double deadline_ms;   /* the end of the whole run, absolute on util_now_ms()'s
                             clock (0: none): no wait goes past it */
} net_opts;

typedef struct conn conn;

const char *net_err_name(net_err e);  /* "refused", "timeout", ... */
/* When a wait of o->timeout_ms that starts now must end: the sooner of
 * now + timeout and the deadline. */
double net_opts_until(const net_opts *o);
/* A sentence for a wait that ran out at until_ms: the timeout's, or the
 * deadline's when that is what ended it. */
char *net_timeout_text(const net_opts *o, double until_ms);

net_err net_connect(const char *host, const char *port, const net_opts *o,
                    conn **out, char **err);
void net_close(conn *c);
const char *net_peer_addr(const conn *c);   /* numeric "127.0.0.1" or "::1" */
int net_peer_port(const conn *c);
double net_connect_ms(const conn *c);       /* SYN to established */
int net_timeout_ms(const conn *c);
void net_set_timeout(conn *c, int timeout_ms);
/* A new run deadline for the connection's later waits (net_opts.deadline_ms). */
void net_set_deadline(conn *c, double deadline_ms);
double net_until(const conn *c);            /* net_opts_until of the connection */

/* One line, CRLF or LF stripped, into buf (cap bytes incl. NUL).  A line
 * longer than cap-1 bytes (its CRLF not counted) is NET_ETOOLONG (the rest
 * is not read).  *len is the
 * byte count (the line may hold NULs). */
/* One line without its CRLF, NUL-terminated, in buf.  On an error (a
 * timeout, a close) buf and *len hold what came of the line before it. */
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

/* ---- for the layers above (tls.c) and the KDC checks ---------------- */

typedef enum { NET_WANT_READ, NET_WANT_WRITE } net_want;

/* How bytes move over a connection.  read: at least one byte into buf
 * (*got), write: at least one byte of buf (*put), each by until_ms (never
 * past the run's deadline: they wait with net_wait). */
typedef struct net_transport {
    net_err (*read)(conn *c, void *state, void *buf, size_t cap, size_t *got,
                    double until_ms, char **err);
    net_err (*write)(conn *c, void *state, const void *buf, size_t len, size_t *put,
                     double until_ms, char **err);
    void (*free)(void *state);   /* at net_close */
} net_transport;

/* Move the connection's bytes through t from now on; the connection owns
 * state (t->free(state) at net_close). */
void net_set_transport(conn *c, const net_transport *t, void *state);
/* The socket, for a transport to hand to its library. */
int net_fd(const conn *c);
/* Wait until the socket can be read or written, by until_ms (and the
 * deadline), or the cancel descriptor fires. */
net_err net_wait(conn *c, net_want want, double until_ms, char **err);

/* A non-blocking socket of type (SOCK_STREAM, SOCK_DGRAM) connecting to a.
 * *fd on NET_OK; *pending when a TCP connect is still under way (poll for
 * writable, then net_connect_result). */
net_err net_socket_connect(const resolve_addr *a, int type, int *fd, bool *pending,
                           char **err);
/* How a pending non-blocking connect ended. */
net_err net_connect_result(int fd, char **err);
net_err net_errno(int e);   /* ECONNREFUSED => NET_EREFUSED ... */

#endif
