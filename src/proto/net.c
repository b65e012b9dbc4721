/* net: see net.h.  Every socket is non-blocking; every wait is a poll() on
 * the socket and the cancel descriptor with the time left to the deadline. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>

#include "proto/net.h"
#include "base/util.h"

#define NET_BUF 8192

struct conn {
    int fd;
    SSL *ssl;
    net_opts o;
    char addr[INET6_ADDRSTRLEN];
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

static int ms_left(double deadline)
{
    double left = deadline - util_now_ms();
    return left <= 0 ? 0 : (int)left + 1;
}

/* Wait for events on fd until the deadline; NET_OK when ready. */
static net_err wait_fd(int fd, short events, int cancel_fd, double deadline, char **err)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = cancel_fd, .events = POLLIN}};
        int timeout = ms_left(deadline);
        if (timeout == 0) {
            *err = xstrdup("no answer before the timeout");
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

static net_err errno_to_net(int e)
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

/* One address: non-blocking connect, wait for writability, read SO_ERROR. */
static net_err connect_one(const struct addrinfo *ai, const net_opts *o, double deadline,
                           int *fd_out, char **err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        int saved = errno;   /* xasprintf may change errno */
        *err = xasprintf("cannot create a socket: %s", strerror(saved));
        return errno_to_net(saved);
    }
    net_err e = NET_OK;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            int saved = errno;
            *err = xstrdup(strerror(saved));
            e = errno_to_net(saved);
            goto out;
        }
        e = wait_fd(fd, POLLOUT, o->cancel_fd, deadline, err);
        if (e != NET_OK)
            goto out;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr) {
            *err = xstrdup(strerror(soerr));
            e = errno_to_net(soerr);
            goto out;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
out:
    if (e != NET_OK)
        close(fd);
    else
        *fd_out = fd;
    return e;
}

static void fill_peer(conn *c, const struct addrinfo *ai)
{
    if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const void *)ai->ai_addr;
        inet_ntop(AF_INET6, &s6->sin6_addr, c->addr, sizeof c->addr);
        c->port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const void *)ai->ai_addr;
        inet_ntop(AF_INET, &s4->sin_addr, c->addr, sizeof c->addr);
        c->port = ntohs(s4->sin_port);
    }
}

/* Try every address in turn; report the most telling failure. */
net_err net_connect(const char *host, const char *port, const net_opts *o,
                    conn **out, char **err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_ADDRCONFIG}, *res = NULL;
    *out = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai == EAI_ADDRFAMILY || gai == EAI_NODATA) {
        hints.ai_flags = 0;
        gai = getaddrinfo(host, port, &hints, &res);
    }
    if (gai != 0) {
        *err = xasprintf("the name %s does not resolve (%s)", host, gai_strerror(gai));
        return NET_ERESOLVE;
    }
    net_err best = NET_EIO;
    char *msg = NULL;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        conn tmp = {0};
        fill_peer(&tmp, ai);
        double start = util_now_ms();
        double deadline = start + o->timeout_ms;
        int fd = -1;
        char *e1 = NULL;
        net_err e = connect_one(ai, o, deadline, &fd, &e1);
        if (e == NET_OK) {
            conn *c = xcalloc(1, sizeof *c);
            *c = tmp;
            c->fd = fd;
            c->o = *o;
            c->connect_ms = util_now_ms() - start;
            *out = c;
            free(msg);
            freeaddrinfo(res);
            return NET_OK;
        }
        free(msg);
        msg = xasprintf("%s port %s: %s", tmp.addr, port, e1);
        free(e1);
        best = e;
        if (e == NET_ECANCEL)
            break;
    }
    freeaddrinfo(res);
    *err = msg ? msg : xasprintf("%s has no usable address", host);
    return best;
}

void net_close(conn *c)
{
    if (!c)
        return;
    if (c->ssl) {
        SSL_set_quiet_shutdown(c->ssl, 1);
        SSL_free(c->ssl);
    }
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
size_t net_pending(const conn *c) { return c->len; }

void net_read_nowait(conn *c, const char **data, size_t *len)
{
    if (c->len == 0)
        c->off = 0;
    size_t end = c->off + c->len;
    if (end < NET_BUF) {
        if (c->ssl) {
            ERR_clear_error();
            int n = SSL_read(c->ssl, c->buf + end, (int)(NET_BUF - end));
            if (n > 0)
                c->len += (size_t)n;
            ERR_clear_error();   /* a failure shows at the next read or write */
        } else {
            ssize_t n = recv(c->fd, c->buf + end, NET_BUF - end, MSG_DONTWAIT);
            if (n > 0)
                c->len += (size_t)n;
        }
    }
    *data = c->buf + c->off;
    *len = c->len;
}

void net_attach_ssl(conn *c, SSL *ssl)
{
    c->ssl = ssl;
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

net_err net_wait_ssl(conn *c, SSL *ssl, int ssl_ret, double deadline_ms, char **err)
{
    int e = SSL_get_error(ssl, ssl_ret);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        return wait_fd(c->fd, POLLIN, c->o.cancel_fd, deadline_ms, err);
    case SSL_ERROR_WANT_WRITE:
        return wait_fd(c->fd, POLLOUT, c->o.cancel_fd, deadline_ms, err);
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

/* Refill the buffer (after compacting it) with whatever arrives first. */
static net_err fill(conn *c, double deadline, char **err)
{
    if (c->off) {
        memmove(c->buf, c->buf + c->off, c->len);
        c->off = 0;
    }
    for (;;) {
        size_t room = NET_BUF - c->len;
        if (c->ssl) {
            ERR_clear_error();
            errno = 0;
            int n = SSL_read(c->ssl, c->buf + c->len, (int)room);
            if (n > 0) {
                c->len += (size_t)n;
                return NET_OK;
            }
            net_err e = net_wait_ssl(c, c->ssl, n, deadline, err);
            if (e != NET_OK)
                return e;
            continue;
        }
        ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
        if (n > 0) {
            c->len += (size_t)n;
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
            return errno_to_net(saved);
        }
        net_err e = wait_fd(c->fd, POLLIN, c->o.cancel_fd, deadline, err);
        if (e != NET_OK)
            return e;
    }
}

net_err net_read_line(conn *c, char *buf, size_t cap, size_t *len, char **err)
{
    double deadline = util_now_ms() + c->o.timeout_ms;
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
        net_err e = fill(c, deadline, err);
        if (e != NET_OK) {
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
    double deadline = util_now_ms() + c->o.timeout_ms;
    const char *p = data;
    while (len) {
        if (c->ssl) {
            ERR_clear_error();
            errno = 0;
            int n = SSL_write(c->ssl, p, (int)len);
            if (n > 0) {
                p += n;
                len -= (size_t)n;
                continue;
            }
            net_err e = net_wait_ssl(c, c->ssl, n, deadline, err);
            if (e != NET_OK)
                return e;
            continue;
        }
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n >= 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            int saved = errno;
            *err = xasprintf("sending failed: %s", strerror(saved));
            return errno_to_net(saved);
        }
        net_err e = wait_fd(c->fd, POLLOUT, c->o.cancel_fd, deadline, err);
        if (e != NET_OK)
            return e;
    }
    return NET_OK;
}
