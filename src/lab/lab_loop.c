/* lab_loop: the lab's single poll() loop.  Non-blocking sockets, one state
 * machine per client (lab_session.c), bounded buffers both ways, timers for
 * the slow-drip and idle clients.  A client that vanishes, sends garbage or
 * never reads costs one session, never the server. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "lab/lab_int.h"

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* "127.0.0.1:2525", "127.0.0.1", ":0" ... loopback only: a lab is no server
 * to expose to a network. */
int lab_listen(struct lab_server *srv, const char *listen_on, char **err)
{
    char host[64] = "127.0.0.1";
    int port = 0;
    if (listen_on && *listen_on) {
        const char *colon = strrchr(listen_on, ':');
        size_t hl = colon ? (size_t)(colon - listen_on) : strlen(listen_on);
        if (hl >= sizeof host) {
            *err = xasprintf("--listen %s: address too long", listen_on);
            return -1;
        }
        if (hl) {
            memcpy(host, listen_on, hl);
            host[hl] = '\0';
        }
        if (colon && (port = util_parse_port(colon + 1, 0)) < 0) {
            *err = xasprintf("--listen %s: the port must be 0-65535", listen_on);
            return -1;
        }
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        *err = xasprintf("--listen %s: the lab only listens on a loopback address (127.x.x.x)",
                         listen_on);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0) {
        *err = xasprintf("cannot create a socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0 || set_nonblock(fd) < 0) {
        *err = xasprintf("cannot listen on %s:%d: %s (is another server using that port?)",
                         host, port, strerror(errno));
        close(fd);
        return -1;
    }
    srv->lfd = fd;
    srv->port = ntohs(sa.sin_port);
    snprintf(srv->host, sizeof srv->host, "%s", host);
    return 0;
}

/* Progress either way (a read, a write) keeps a session from the idle
 * timeout: a slow-drip reply is no idle client. */
static void touch(lab_session *s)
{
    s->idle_deadline = util_now_ms() + (double)s->srv->sc->idle_timeout * 1000.0;
}

void lab_out_raw(lab_session *s, const void *data, size_t len)
{
    if (s->dead)
        return;
    if (s->out.len - s->outoff + len > LAB_OUT_MAX) {
        lab_log(s, "output backlog over %d bytes: the client does not read, dropping it",
                LAB_OUT_MAX);
        s->dead = true;
        return;
    }
    sb_append(&s->out, data, len);
}

void lab_out(lab_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = xvasprintf(fmt, ap);
    va_end(ap);
    lab_out_raw(s, line, strlen(line));
    lab_out_raw(s, "\r\n", 2);
    free(line);
}

void lab_log(lab_session *s, const char *fmt, ...)
{
    struct lab_server *srv = s->srv;
    if (!srv->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    char ts[32];
    util_iso8601((long long)time(NULL), ts, sizeof ts);
    fprintf(srv->log, "%s #%lu %s\n", ts, s->id, msg);
    fflush(srv->log);
    free(msg);
}

static void session_free(lab_session *s)
{
    lab_log(s, "closed");
    lab_auth_end(s);
    if (s->ssl) {
        if (s->tls == TLS_UP)
            SSL_shutdown(s->ssl);
        SSL_free(s->ssl);
    }
    close(s->fd);
    sb_free(&s->out);
    free(s);
}

static void accept_all(struct lab_server *srv)
{
    for (int i = 0; i < 64; i++) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(srv->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            /* out of descriptors: stop polling the listener for a moment
             * rather than spin on a socket that stays readable */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                srv->accept_pause_until = util_now_ms() + 100.0;
            return;
        }
        if (srv->nsess >= LAB_MAX_SESSIONS) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        lab_session *s = xcalloc(1, sizeof *s);
        s->srv = srv;
        s->fd = fd;
        s->id = ++srv->next_id;
        inet_ntop(AF_INET, &sa.sin_addr, s->peer, sizeof s->peer);
        touch(s);
        if (srv->nsess == srv->cap) {
            srv->cap = srv->cap ? srv->cap * 2 : 64;
            srv->sess = xrealloc(srv->sess, srv->cap * sizeof *srv->sess);
        }
        srv->sess[srv->nsess++] = s;
        lab_log(s, "connect from %s:%u", s->peer, ntohs(sa.sin_port));
        lab_session_greet(s);
    }
}

/* Hand complete lines (and raw XEXCH50/BDAT bytes) to the state machine. */
static void process_input(lab_session *s)
{
    size_t pos = 0;
    while (pos < s->inlen && !s->dead && !s->closing && (s->tls == TLS_NONE || s->tls == TLS_UP) &&
           s->out.len - s->outoff < LAB_OUT_BACKLOG) {
        if (s->raw != RAW_NONE) {
            size_t take = s->inlen - pos;
            if ((long long)take > s->raw_left)
                take = (size_t)s->raw_left;
            s->raw_left -= (long long)take;
            pos += take;
            if (s->raw_left == 0)
                lab_session_raw_done(s);
            continue;
        }
        char *lf = memchr(s->in + pos, '\n', s->inlen - pos);
        if (!lf)
            break;
        size_t len = (size_t)(lf - (s->in + pos));
        char *line = s->in + pos;
        pos += len + 1;
        if (s->skipping) {
            s->skipping = false;
            continue;
        }
        if (len && line[len - 1] == '\r')
            len--;
        line[len] = '\0';
        lab_session_line(s, line, len);
    }
    memmove(s->in, s->in + pos, s->inlen - pos);
    s->inlen -= pos;
    if (s->tls == TLS_PENDING)
        s->inlen = 0;   /* RFC 3207: nothing pipelined after STARTTLS survives */
    if (s->inlen == LAB_IN_MAX && s->raw == RAW_NONE && !memchr(s->in, '\n', s->inlen)) {
        /* a line longer than any SMTP command: answer once, skip to its end */
        if (!s->skipping)
            lab_out(s, "500 5.5.2 Line too long");
        s->skipping = true;
        s->inlen = 0;
    }
}

static void do_handshake(lab_session *s)
{
    ERR_clear_error();
    int rc = SSL_accept(s->ssl);
    if (rc == 1) {
        s->tls = TLS_UP;
        s->ssl_events = 0;
        lab_log(s, "TLS up: %s %s", SSL_get_version(s->ssl), SSL_get_cipher_name(s->ssl));
        lab_session_tls_up(s);
        return;
    }
    int e = SSL_get_error(s->ssl, rc);
    if (e == SSL_ERROR_WANT_READ)
        s->ssl_events = POLLIN;
    else if (e == SSL_ERROR_WANT_WRITE)
        s->ssl_events = POLLOUT;
    else {
        lab_log(s, "TLS handshake failed");
        s->dead = true;
    }
}

/* "220 2.0.0 SMTP server ready" is out: the handshake begins.  Without an
 * SSL object (OpenSSL out of memory) the session cannot go on: it is closed,
 * the client sees the connection drop where the handshake should be. */
static void start_tls(lab_session *s)
{
    ERR_clear_error();
    s->ssl = SSL_new(s->srv->ssl_ctx);
    if (!s->ssl || SSL_set_fd(s->ssl, s->fd) != 1) {
        char why[256] = "unknown error";
        unsigned long e = ERR_get_error();
        if (e)
            ERR_error_string_n(e, why, sizeof why);
        ERR_clear_error();
        lab_log(s, "cannot start TLS: %s", why);
        s->dead = true;
        return;
    }
    s->tls = TLS_HANDSHAKE;
    do_handshake(s);
}

static void do_read(lab_session *s)
{
    for (;;) {
        size_t room = LAB_IN_MAX - s->inlen;
        if (room == 0 || s->dead || s->closing)
            return;
        ssize_t n;
        if (s->tls == TLS_UP) {
            ERR_clear_error();
            int rc = SSL_read(s->ssl, s->in + s->inlen, (int)room);
            if (rc <= 0) {
                int e = SSL_get_error(s->ssl, rc);
                if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                    s->dead = true;
                return;
            }
            n = rc;
        } else {
            n = read(s->fd, s->in + s->inlen, room);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                s->dead = true;
                return;
            }
            if (n < 0)
                return;
        }
        s->inlen += (size_t)n;
        touch(s);
        process_input(s);
        if (s->tls == TLS_PENDING)
            return;
    }
}

static void do_write(lab_session *s)
{
    double now = util_now_ms();
    while (s->out.len > s->outoff && !s->dead) {
        size_t want = s->out.len - s->outoff;
        if (s->srv->sc->hostile == LAB_HOSTILE_SLOW_DRIP) {
            if (now < s->drip_next)
                return;
            want = 1;
            s->drip_next = now + 1000.0;
        }
        ssize_t n;
        if (s->tls == TLS_UP) {
            ERR_clear_error();
            int rc = SSL_write(s->ssl, s->out.buf + s->outoff, (int)(want > 65536 ? 65536 : want));
            if (rc <= 0) {
                int e = SSL_get_error(s->ssl, rc);
                if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ)
                    s->dead = true;
                return;
            }
            n = rc;
        } else {
            n = send(s->fd, s->out.buf + s->outoff, want, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                    s->dead = true;
                return;
            }
        }
        s->outoff += (size_t)n;
        if (n > 0)
            touch(s);
        if (s->outoff == s->out.len) {
            s->out.len = s->outoff = 0;
            if (s->gen != GEN_NONE)
                lab_session_gen(s);
        }
    }
    if (s->out.len == s->outoff) {
        if (s->closing)
            s->dead = true;
        else if (s->tls == TLS_PENDING)
            start_tls(s);
        else if (s->out.cap > 16384) {
            sb_free(&s->out);   /* keep idle sessions small */
            s->outoff = 0;
        }
    }
}

static short session_events(lab_session *s, double now, double *timeout)
{
    if (s->tls == TLS_HANDSHAKE)
        return (short)s->ssl_events;
    short ev = 0;
    bool pending = s->out.len > s->outoff || s->gen != GEN_NONE;
    if (pending) {
        if (s->srv->sc->hostile == LAB_HOSTILE_SLOW_DRIP && now < s->drip_next) {
            if (s->drip_next - now < *timeout)
                *timeout = s->drip_next - now;
        } else {
            ev |= POLLOUT;
        }
    }
    if (!s->closing && s->tls != TLS_PENDING && s->out.len - s->outoff < LAB_OUT_BACKLOG)
        ev |= POLLIN;
    if (s->idle_deadline - now < *timeout)
        *timeout = s->idle_deadline - now;
    return ev;
}

static void reap(struct lab_server *srv)
{
    size_t j = 0;
    for (size_t i = 0; i < srv->nsess; i++) {
        if (srv->sess[i]->dead)
            session_free(srv->sess[i]);
        else
            srv->sess[j++] = srv->sess[i];
    }
    srv->nsess = j;
}

static void service(lab_session *s, short re, double now)
{
    if (now >= s->idle_deadline) {
        lab_log(s, "idle timeout");
        s->dead = true;
        return;
    }
    if (s->tls == TLS_HANDSHAKE) {
        if (re)
            do_handshake(s);
        return;
    }
    if (re & (POLLIN | POLLHUP | POLLERR))
        do_read(s);
    /* TLS may hold decrypted bytes poll() cannot see */
    if (s->tls == TLS_UP && !s->dead && SSL_pending(s->ssl) && s->inlen < LAB_IN_MAX)
        do_read(s);
    if (!s->dead && (re & POLLOUT || s->out.len > s->outoff || s->gen != GEN_NONE))
        do_write(s);
    /* lines held back while the output backlog was high */
    if (!s->dead && !s->closing && s->inlen && (s->tls == TLS_NONE || s->tls == TLS_UP))
        process_input(s);
}

int lab_loop_run(struct lab_server *srv)
{
    struct pollfd *pfd = NULL;
    size_t pcap = 0;
    while (!atomic_load(&srv->stop)) {
        size_t n = srv->nsess + 2;
        if (n > pcap) {
            pcap = n * 2;
            pfd = xrealloc(pfd, pcap * sizeof *pfd);
        }
        double now = util_now_ms(), timeout = 1000.0;
        bool paused = now < srv->accept_pause_until;
        if (paused && srv->accept_pause_until - now < timeout)
            timeout = srv->accept_pause_until - now;
        pfd[0] = (struct pollfd){.fd = srv->lfd, .events = paused ? 0 : POLLIN};
        pfd[1] = (struct pollfd){.fd = srv->wake[0], .events = POLLIN};
        for (size_t i = 0; i < srv->nsess; i++)
            pfd[i + 2] = (struct pollfd){.fd = srv->sess[i]->fd,
                                         .events = session_events(srv->sess[i], now, &timeout)};
        int rc = poll(pfd, n, timeout < 0 ? 0 : (int)timeout + 1);
        if (rc < 0 && errno != EINTR)
            break;
        now = util_now_ms();
        size_t nbefore = srv->nsess;
        for (size_t i = 0; i < nbefore; i++)
            service(srv->sess[i], rc > 0 ? pfd[i + 2].revents : 0, now);
        if (rc > 0 && (pfd[0].revents & POLLIN))
            accept_all(srv);
        reap(srv);
    }
    free(pfd);
    for (size_t i = 0; i < srv->nsess; i++)
        session_free(srv->sess[i]);
    free(srv->sess);
    srv->sess = NULL;
    srv->nsess = srv->cap = 0;
    return 0;
}
