/* net: see net.h.  Every socket is non-blocking; every wait is a poll() on
 * the socket and the cancel descriptor with the time left to the sooner of
 * the wait's own timeout and the run's deadline. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "proto/net.h"
#include "base/util.h"

#define NET_BUF 8192

struct conn {
    int fd;
    const net_transport *tp;
    void *tp_state;     /* owned: tp->free at close */
    net_opts o;
    char addr[64];
    int port;
    double connect_ms;
    char buf[NET_BUF];
    size_t off, len;    /* unread bytes are buf[off .. off+len) */
};

const char *net_err_name(net_err e)
{
    static const char *const names[] = {
        "ok", "name does not resolve", "refused", "timeout", "unreachable",
        "closed by peer", "cancelled", "line too long", "TLS failure", "I/O error",
    };
    return (unsigned)e < sizeof names / sizeof *names ? names[e] : "unknown";
}

double net_opts_until(const net_opts *o)
{
    double until = util_now_ms() + o->timeout_ms;
    return o->deadline_ms > 0 && o->deadline_ms < until ? o->deadline_ms : until;
}

char *net_timeout_text(const net_opts *o, double until_ms)
{
    if (o->deadline_ms > 0 && until_ms >= o->deadline_ms)
        return xstrdup("the run reached its deadline before an answer came");
    return xstrdup("no answer before the timeout");
}

static int ms_left(double until)
{
    double left = until - util_now_ms();
    return left <= 0 ? 0 : (int)left + 1;
}

/* Wait for events on fd until `until` (already clamped to the deadline). */
static net_err wait_fd(int fd, short events, const net_opts *o, double until, char **err)
{
    int cancel_fd = o->cancel_fd;
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = cancel_fd, .events = POLLIN}};
        int timeout = ms_left(until);
        if (timeout == 0) {
            *err = net_timeout_text(o, until);
            return NET_ETIMEOUT;
        }
        int n = poll(p, cancel_fd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = xasprintf("poll failed: %s", strerror(errno));
            return NET_EIO;
        }
        /* A cancel fd that cannot be read any more (closed: POLLNVAL, or its
         * writer gone) cancels too: ignored, poll would return at once and
         * this loop spin until the deadline. */
        if (cancel_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
            *err = xstrdup("cancelled");
            return NET_ECANCEL;
        }
        if (p[0].revents)
            return NET_OK;
    }
}

net_err net_wait(conn *c, net_want want, double until_ms, char **err)
{
    if (c->o.deadline_ms > 0 && c->o.deadline_ms < until_ms)
        until_ms = c->o.deadline_ms;
    /* Waiting for a reply: acknowledge what arrives at once.  After a TLS
     * 1.3 handshake the server sends its session tickets just after our
     * first command; left to the delayed-ACK timer (40 ms on Linux), the
     * ticket's ACK holds back the reply behind the server's Nagle.  The
     * kernel may leave quick-ACK mode again, so it is set before each wait. */
    if (want == NET_WANT_READ) {
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    return wait_fd(c->fd, want == NET_WANT_READ ? POLLIN : POLLOUT, &c->o, until_ms, err);
}

net_err net_errno(int e)
{
    switch (e) {
    case ECONNREFUSED: return NET_EREFUSED;
    case ETIMEDOUT: return NET_ETIMEOUT;
    case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN:
    case EADDRNOTAVAIL: return NET_EUNREACH;
    case ECONNRESET: case EPIPE: return NET_ECLOSED;
    default: return NET_EIO;
    }
}

net_err net_socket_connect(const resolve_addr *a, int type, int *fd_out, bool *pending,
                           char **err)
{
    *pending = false;
    int fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int saved = errno;   /* xasprintf may change errno */
        *err = xasprintf("cannot create a socket: %s", strerror(saved));
        return net_errno(saved);
    }
    if (connect(fd, (const struct sockaddr *)&a->sa, a->len) < 0) {
        int saved = errno;
        if (saved == EINPROGRESS) {
            *pending = true;
        } else {
            *err = xstrdup(strerror(saved));
            close(fd);
            return net_errno(saved);
        }
    }
    *fd_out = fd;
    return NET_OK;
}

net_err net_connect_result(int fd, char **err)
{
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        soerr = errno;
    if (soerr) {
        *err = xstrdup(strerror(soerr));
        return net_errno(soerr);
    }
    return NET_OK;
}

/* One address: non-blocking connect, wait for writability, read SO_ERROR. */
static net_err connect_one(const resolve_addr *a, const net_opts *o, double until,
                           int *fd_out, char **err)
{
    int fd = -1;
    bool pending = false;
    net_err e = net_socket_connect(a, SOCK_STREAM, &fd, &pending, err);
    if (e != NET_OK)
        return e;
    if (pending) {
        e = wait_fd(fd, POLLOUT, o, until, err);
        if (e == NET_OK)
            e = net_connect_result(fd, err);
    }
    if (e != NET_OK) {
        close(fd);
        return e;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return NET_OK;
}

static net_err plain_read(conn *c, void *state, void *buf, size_t cap, size_t *got,
                          double until, char **err);
static net_err plain_write(conn *c, void *state, const void *buf, size_t len, size_t *put,
                           double until, char **err);
static const net_transport plain = {plain_read, plain_write, NULL};

static conn *conn_new(int fd, const resolve_addr *a, const net_opts *o, double connect_ms)
{
    conn *c = xcalloc(1, sizeof *c);
    c->fd = fd;
    c->tp = &plain;
    c->o = *o;
    c->port = resolve_addr_text(a, c->addr, sizeof c->addr);
    c->connect_ms = connect_ms;
    return c;
}

/* Resolve (within the timeout), then try every address in turn; report
 * the most telling failure. */
net_err net_connect(const char *host, const char *port, const net_opts *o,
                    conn **out, char **err)
{
    *out = NULL;
    int pnum = util_parse_port(port, 1);
    if (pnum < 0) {
        *err = xasprintf("\"%s\" is not a port number", port);
        return NET_EIO;
    }
    resolve_wait w = {net_opts_until(o), o->cancel_fd};
    resolve_list addrs;
    resolve_err re = resolve_host(host, (unsigned)pnum, &w, &addrs, err);
    if (re != RESOLVE_OK)
        return re == RESOLVE_ECANCEL ? NET_ECANCEL : NET_ERESOLVE;
    net_err best = NET_EIO;
    char *msg = NULL;
    for (size_t i = 0; i < addrs.n; i++) {
        char text[64];
        resolve_addr_text(&addrs.v[i], text, sizeof text);
        double start = util_now_ms();
        int fd = -1;
        char *e1 = NULL;
        net_err e = connect_one(&addrs.v[i], o, net_opts_until(o), &fd, &e1);
        if (e == NET_OK) {
            *out = conn_new(fd, &addrs.v[i], o, util_now_ms() - start);
            free(msg);
            resolve_list_free(&addrs);
            return NET_OK;
        }
        free(msg);
        msg = xasprintf("%s port %s: %s", text, port, e1);
        free(e1);
        best = e;
        if (e == NET_ECANCEL)
            break;
    }
    resolve_list_free(&addrs);
    *err = msg ? msg : xasprintf("%s has no usable address", host);
    return best;
}

void net_close(conn *c)
{
    if (!c)
        return;
    if (c->tp->free)
        c->tp->free(c->tp_state);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

int net_fd(const conn *c) { return c->fd; }
const char *net_peer_addr(const conn *c) { return c->addr; }
int net_peer_port(const conn *c) { return c->port; }
double net_connect_ms(const conn *c) { return c->connect_ms; }
int net_timeout_ms(const conn *c) { return c->o.timeout_ms; }
void net_set_timeout(conn *c, int timeout_ms) { c->o.timeout_ms = timeout_ms; }
void net_set_deadline(conn *c, double deadline_ms) { c->o.deadline_ms = deadline_ms; }
double net_until(const conn *c) { return net_opts_until(&c->o); }
size_t net_pending(const conn *c) { return c->len; }

void net_read_nowait(conn *c, const char **data, size_t *len)
{
    if (c->len == 0)
        c->off = 0;
    size_t end = c->off + c->len;
    if (end < NET_BUF) {
        /* The transport's read with no time to wait: what has arrived, if
         * any (TLS: application data only; a session ticket is consumed). */
        size_t got = 0;
        char *err = NULL;
        if (c->tp->read(c, c->tp_state, c->buf + end, NET_BUF - end, &got, util_now_ms(),
                        &err) == NET_OK)
            c->len += got;
        free(err);   /* a failure shows at the next read or write */
    }
    *data = c->buf + c->off;
    *len = c->len;
}

void net_set_transport(conn *c, const net_transport *t, void *state)
{
    if (c->tp->free)
        c->tp->free(c->tp_state);
    c->tp = t;
    c->tp_state = state;
}

static net_err plain_read(conn *c, void *state, void *buf, size_t cap, size_t *got,
                          double until, char **err)
{
    (void)state;
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return NET_OK;
        }
        if (n == 0) {
            *err = xstrdup("the server closed the connection");
            return NET_ECLOSED;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            int saved = errno;
            *err = xasprintf("reading failed: %s", strerror(saved));
            return net_errno(saved);
        }
        net_err e = net_wait(c, NET_WANT_READ, until, err);
        if (e != NET_OK)
            return e;
    }
}

static net_err plain_write(conn *c, void *state, const void *buf, size_t len, size_t *put,
                           double until, char **err)
{
    (void)state;
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            *put = (size_t)n;
            return NET_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            int saved = errno;
            *err = xasprintf("sending failed: %s", strerror(saved));
            return net_errno(saved);
        }
        net_err e = net_wait(c, NET_WANT_WRITE, until, err);
        if (e != NET_OK)
            return e;
    }
}

/* Refill the buffer (after compacting it) with whatever arrives first. */
static net_err fill(conn *c, double until, char **err)
{
    if (c->off) {
        memmove(c->buf, c->buf + c->off, c->len);
        c->off = 0;
    }
    size_t got = 0;
    net_err e = c->tp->read(c, c->tp_state, c->buf + c->len, NET_BUF - c->len, &got, until, err);
    if (e == NET_OK)
        c->len += got;
    return e;
}

net_err net_read_line(conn *c, char *buf, size_t cap, size_t *len, char **err)
{
    double until = net_until(c);
    size_t got = 0;
    for (;;) {
        char *nl = memchr(c->buf + c->off, '\n', c->len);
        size_t take = nl ? (size_t)(nl - (c->buf + c->off)) : c->len;
        /* The CR before the LF is part of the terminator: not counted. */
        size_t body = nl && take && nl[-1] == '\r' ? take - 1 : take;
        if (got + body + 1 > cap) {
            *err = xasprintf("the server sent a line longer than %zu bytes", cap - 1);
            return NET_ETOOLONG;
        }
        memcpy(buf + got, c->buf + c->off, body);
        got += body;
        c->off += take + (nl ? 1 : 0);
        c->len -= take + (nl ? 1 : 0);
        if (nl) {
            if (got && buf[got - 1] == '\r')
                got--;
            buf[got] = '\0';
            *len = got;
            return NET_OK;
        }
        net_err e = fill(c, until, err);
        if (e != NET_OK) {
            /* What did come of the line, for the caller to quote. */
            buf[got] = '\0';
            *len = got;
            if (e == NET_ECLOSED && got) {
                free(*err);
                *err = xstrdup("the server closed the connection in the middle of a line");
            }
            return e;
        }
    }
}

net_err net_write(conn *c, const void *data, size_t len, char **err)
{
    double until = net_until(c);
    const char *p = data;
    while (len) {
        size_t put = 0;
        net_err e = c->tp->write(c, c->tp_state, p, len, &put, until, err);
        if (e != NET_OK)
            return e;
        p += put;
        len -= put;
    }
    return NET_OK;
}
