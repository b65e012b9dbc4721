/* krb_kdc_io: the checks of one domain controller, all at once.  TCP
 * connects without blocking (net.c's helpers tell a refusal from silence);
 * UDP uses a connected datagram socket so that an ICMP port-unreachable
 * comes back as ECONNREFUSED: that is how "refused" differs from
 * "filtered".  One poll loop drives every check, so a silent domain
 * controller costs one timeout, not one per check. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/krb_kdc.h"
#include "base/util.h"

typedef enum { S_IDLE, S_CONNECT, S_WRITE, S_READ, S_DONE } check_step;

typedef struct check {
    kdc_check kind;
    kdc_reply *r;
    check_step st;
    bool told;               /* enough() has seen it end */
    int fd;
    const char *port;
    unsigned portnum;
    size_t ai;               /* TCP: the address being tried */
    char *last_err;          /* TCP: why the previous address failed */
    size_t outoff;           /* TCP: bytes of the framed request sent */
    unsigned char hdr[4];    /* TCP: the reply's length prefix */
    size_t hdrgot, got;      /* TCP: prefix and body bytes read */
    double t0;               /* this check's start */
    double sent;             /* the (last) request sent */
    double resend_at;        /* UDP: when to send again (0: done) */
} check;

typedef struct kdc_run {
    const kdc_target *t;
    const unsigned char *req;
    size_t len;
    unsigned char *framed;   /* TCP: 4-byte length prefix + req */
    resolve_list addrs;
    const net_opts *o;
    double until;
    check c[KDC_NCHECKS];
} kdc_run;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static kdc_outcome from_net(net_err e)
{
    switch (e) {
    case NET_OK: return KDC_OPEN;
    case NET_EREFUSED: return KDC_REFUSED;
    case NET_ETIMEOUT: return KDC_FILTERED;
    case NET_EUNREACH: return KDC_UNREACH;
    case NET_ERESOLVE: return KDC_UNRESOLVED;
    case NET_ECANCEL: return KDC_CANCELLED;
    default: return KDC_IOERR;
    }
}

static void end(check *c, kdc_outcome o, char *why)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->st = S_DONE;
    c->r->outcome = o;
    free(c->r->why);
    c->r->why = why;
    if (o != KDC_ANSWERED && o != KDC_OPEN)
        c->r->rtt_ms = util_now_ms() - c->t0;
}

static bool active(const check *c)
{
    return c->st != S_IDLE && c->st != S_DONE;
}

/* The address a check talks to, with its port. */
static resolve_addr addr_of(const kdc_run *R, const check *c, size_t i)
{
    resolve_addr a = R->addrs.v[i];
    resolve_addr_set_port(&a, c->portnum);
    return a;
}

/* Connected (TCP): kpasswd is done; the KDC port gets the request. */
static void connected(kdc_run *R, check *c)
{
    resolve_addr a = addr_of(R, c, c->ai);
    resolve_addr_text(&a, c->r->addr, sizeof c->r->addr);
    if (c->kind == KDC_CHECK_KPASSWD) {
        c->r->rtt_ms = util_now_ms() - c->t0;
        end(c, KDC_OPEN, NULL);
        return;
    }
    c->st = S_WRITE;
    c->r->sent_wall = wall_now();
    c->sent = util_now_ms();
}

/* Connect to the next address that does not refuse at once. */
static void tcp_start(kdc_run *R, check *c)
{
    net_err e = NET_EIO;
    for (; c->ai < R->addrs.n; c->ai++) {
        resolve_addr a = addr_of(R, c, c->ai);
        char *err = NULL, text[64];
        bool pending = false;
        e = net_socket_connect(&a, SOCK_STREAM, &c->fd, &pending, &err);
        if (e == NET_OK) {
            c->st = S_CONNECT;
            if (!pending)
                connected(R, c);
            return;
        }
        resolve_addr_text(&a, text, sizeof text);
        free(c->last_err);
        c->last_err = xasprintf("%s port %s: %s", text, c->port, err);
        free(err);
    }
    end(c, from_net(e), c->last_err);
    c->last_err = NULL;
}

static void tcp_connect_done(kdc_run *R, check *c)
{
    char *err = NULL, text[64];
    net_err e = net_connect_result(c->fd, &err);
    if (e == NET_OK) {
        connected(R, c);
        return;
    }
    resolve_addr a = addr_of(R, c, c->ai);
    resolve_addr_text(&a, text, sizeof text);
    free(c->last_err);
    c->last_err = xasprintf("%s port %s: %s", text, c->port, err);
    free(err);
    close(c->fd);
    c->fd = -1;
    if (++c->ai < R->addrs.n) {
        tcp_start(R, c);
    } else {
        end(c, from_net(e), c->last_err);
        c->last_err = NULL;
    }
}

static void tcp_write(kdc_run *R, check *c)
{
    size_t total = R->len + 4;
    ssize_t n = send(c->fd, R->framed + c->outoff, total - c->outoff, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        end(c, KDC_SILENT, xasprintf("the connection was accepted but sending the request "
                                     "failed: %s", strerror(errno)));
        return;
    }
    c->outoff += (size_t)n;
    if (c->outoff == total)
        c->st = S_READ;
}

/* The length prefix, then the reply itself (at most KDC_REPLY_MAX bytes). */
static void tcp_read(check *c)
{
    kdc_reply *r = c->r;
    bool body = c->hdrgot == 4;
    size_t want = body ? r->len - c->got : 4 - c->hdrgot;
    ssize_t k = read(c->fd, body ? r->buf + c->got : c->hdr + c->hdrgot, want);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (k <= 0) {
        end(c, KDC_SILENT, xasprintf("TCP port %s accepted the connection but closed it "
                                     "without a Kerberos reply", c->port));
        return;
    }
    if (body) {
        c->got += (size_t)k;
    } else if ((c->hdrgot += (size_t)k) == 4) {
        size_t n = (size_t)c->hdr[0] << 24 | (size_t)c->hdr[1] << 16 |
                   (size_t)c->hdr[2] << 8 | c->hdr[3];
        if (n == 0 || n > KDC_REPLY_MAX) {
            end(c, KDC_BADREPLY, xasprintf("the reply announces %zu bytes: not a Kerberos "
                                           "reply", n));
            return;
        }
        r->buf = xmalloc(n);
        r->len = n;
    }
    if (body && c->got == r->len) {
        r->recv_wall = wall_now();
        r->rtt_ms = util_now_ms() - c->sent;
        end(c, KDC_ANSWERED, NULL);
    }
}

static kdc_outcome from_errno(int e)
{
    if (e == ECONNREFUSED)
        return KDC_REFUSED;
    if (e == EHOSTUNREACH || e == ENETUNREACH)
        return KDC_UNREACH;
    return KDC_IOERR;
}

static void udp_failed(kdc_run *R, check *c, int e)
{
    kdc_outcome o = from_errno(e);
    end(c, o, o == KDC_REFUSED
        ? xasprintf("UDP port %s on %s is refused (ICMP port unreachable): no KDC listens "
                    "there", c->port, R->t->host)
        : xasprintf("UDP port %s on %s: %s", c->port, R->t->host, strerror(e)));
}

/* Each send restarts the clock reading and the round trip: the first
 * datagram was most likely the one lost, and timing from it would put the
 * KDC's clock up to half the timeout off. */
static void udp_send(kdc_run *R, check *c)
{
    c->r->sent_wall = wall_now();
    c->sent = util_now_ms();
    if (send(c->fd, R->req, R->len, 0) < 0)
        udp_failed(R, c, errno);
}

static void udp_start(kdc_run *R, check *c)
{
    resolve_addr a = addr_of(R, c, 0);
    char *err = NULL;
    bool pending = false;
    net_err e = net_socket_connect(&a, SOCK_DGRAM, &c->fd, &pending, &err);
    if (e != NET_OK) {
        end(c, from_net(e), xasprintf("no UDP socket to %s port %s: %s", R->t->host, c->port,
                                      err));
        free(err);
        return;
    }
    resolve_addr_text(&a, c->r->addr, sizeof c->r->addr);
    c->st = S_READ;
    c->resend_at = c->t0 + (R->until - c->t0) / 2;
    udp_send(R, c);
}

static void udp_read(kdc_run *R, check *c)
{
    unsigned char *buf = xmalloc(KDC_REPLY_MAX);
    ssize_t k = recv(c->fd, buf, KDC_REPLY_MAX, 0);
    if (k > 0) {
        c->r->recv_wall = wall_now();
        c->r->rtt_ms = util_now_ms() - c->sent;
        c->r->buf = xrealloc(buf, (size_t)k);
        c->r->len = (size_t)k;
        end(c, KDC_ANSWERED, NULL);
        return;
    }
    free(buf);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (k < 0)
        udp_failed(R, c, errno);
    else
        end(c, KDC_BADREPLY, xasprintf("UDP port %s on %s sent an empty datagram", c->port,
                                       R->t->host));
}

static void step(kdc_run *R, check *c, short revents)
{
    if (c->kind == KDC_CHECK_UDP)
        udp_read(R, c);
    else if (c->st == S_CONNECT)
        tcp_connect_done(R, c);
    else if (c->st == S_WRITE)
        tcp_write(R, c);
    else if (c->st == S_READ && (revents & (POLLIN | POLLHUP | POLLERR)))
        tcp_read(c);
}

/* What the time running out means for a check still under way. */
static void expire(kdc_run *R, check *c)
{
    double s = (util_now_ms() - c->t0) / 1000.0;
    const char *dl = R->o->deadline_ms > 0 && R->until >= R->o->deadline_ms
                   ? " (the run reached its deadline)" : "";
    if (c->kind == KDC_CHECK_UDP)
        end(c, KDC_FILTERED, xasprintf("UDP port %s on %s gave no answer within %.1f s%s: the "
                                       "datagrams are dropped on the way (a firewall) or the "
                                       "KDC is not serving", c->port, R->t->host, s, dl));
    else if (c->st == S_CONNECT)
        end(c, KDC_FILTERED, xasprintf("%s port %s: no answer to the connection within "
                                       "%.1f s%s", R->t->host, c->port, s, dl));
    else
        end(c, KDC_SILENT, xasprintf("TCP port %s accepted the connection but sent no "
                                     "Kerberos reply within %.1f s%s", c->port, s, dl));
}

static short events_of(const check *c)
{
    return c->st == S_CONNECT || c->st == S_WRITE ? POLLOUT : POLLIN;
}

/* Tell enough() of every check that ended since; true when it has enough. */
static bool had_enough(kdc_run *R, kdc_enough_fn enough, void *arg)
{
    bool stop = false;
    for (int i = 0; i < KDC_NCHECKS; i++) {
        check *c = &R->c[i];
        if (c->st != S_DONE || c->told)
            continue;
        c->told = true;
        if (enough && enough(c->r, c->kind, arg))
            stop = true;
    }
    return stop;
}

/* Poll every check under way until all end, the time runs out, a cancel,
 * or enough(). */
static void drive(kdc_run *R, kdc_enough_fn enough, void *arg)
{
    while (!had_enough(R, enough, arg)) {
        struct pollfd p[KDC_NCHECKS + 1];
        check *who[KDC_NCHECKS];
        int n = 0;
        double now = util_now_ms(), wake = R->until;
        for (int i = 0; i < KDC_NCHECKS; i++) {
            check *c = &R->c[i];
            if (active(c) && now >= R->until)
                expire(R, c);
            if (active(c) && c->resend_at > 0 && now >= c->resend_at) {
                c->resend_at = 0;
                udp_send(R, c);
            }
            if (!active(c))
                continue;
            if (c->resend_at > 0 && c->resend_at < wake)
                wake = c->resend_at;
            p[n] = (struct pollfd){.fd = c->fd, .events = events_of(c)};
            who[n++] = c;
        }
        if (n == 0) {
            had_enough(R, enough, arg);
            break;
        }
        int nc = R->o->cancel_fd >= 0;
        p[n] = (struct pollfd){.fd = R->o->cancel_fd, .events = POLLIN};
        int rc = poll(p, (nfds_t)(n + nc), (int)(wake - now) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (nc && (p[n].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
            for (int i = 0; i < n; i++)
                end(who[i], KDC_CANCELLED, xstrdup("cancelled"));
            continue;
        }
        for (int i = 0; i < n && rc > 0; i++)
            if (p[i].revents)
                step(R, who[i], p[i].revents);
    }
}

/* Every wanted check fails alike when the name does not resolve. */
static bool resolve(kdc_run *R, double t0)
{
    resolve_wait w = {R->until, R->o->cancel_fd};
    char *why = NULL;
    resolve_err e = resolve_host(R->t->host, 0, &w, &R->addrs, &why);
    if (e == RESOLVE_OK)
        return true;
    for (int i = 0; i < KDC_NCHECKS; i++) {
        check *c = &R->c[i];
        if (c->st == S_IDLE)
            continue;
        c->t0 = t0;
        end(c, e == RESOLVE_ECANCEL ? KDC_CANCELLED : KDC_UNRESOLVED, xstrdup(why));
    }
    free(why);
    return false;
}

void kdc_check_run(const kdc_target *t, const unsigned char *req, size_t len,
                   const net_opts *o, const bool want[KDC_NCHECKS], kdc_enough_fn enough,
                   void *arg, kdc_reply r[KDC_NCHECKS])
{
    kdc_run R = {.t = t, .req = req, .len = len, .o = o, .until = net_opts_until(o)};
    const char *ports[KDC_NCHECKS] = {t->port, t->port, t->kpasswd_port};
    double t0 = util_now_ms();
    for (int i = 0; i < KDC_NCHECKS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].outcome = KDC_PENDING;
        R.c[i] = (check){.kind = (kdc_check)i, .r = &r[i], .fd = -1, .port = ports[i],
                         .st = want[i] && ports[i] ? S_CONNECT : S_IDLE};
        if (ports[i])
            R.c[i].portnum = (unsigned)util_parse_port(ports[i], 1);
    }
    bool any = false;
    for (int i = 0; i < KDC_NCHECKS; i++)
        any |= R.c[i].st != S_IDLE;
    if (any && resolve(&R, t0)) {
        R.framed = xmalloc(len + 4);
        R.framed[0] = (unsigned char)(len >> 24);
        R.framed[1] = (unsigned char)(len >> 16);
        R.framed[2] = (unsigned char)(len >> 8);
        R.framed[3] = (unsigned char)len;
        memcpy(R.framed + 4, req, len);
        for (int i = 0; i < KDC_NCHECKS; i++) {
            check *c = &R.c[i];
            c->t0 = util_now_ms();
            if (c->st == S_CONNECT && c->kind == KDC_CHECK_UDP)
                udp_start(&R, c);
            else if (c->st == S_CONNECT)
                tcp_start(&R, c);
        }
    }
    drive(&R, enough, arg);
    for (int i = 0; i < KDC_NCHECKS; i++) {   /* stopped by enough(): not measured */
        check *c = &R.c[i];
        if (active(c)) {
            close(c->fd);
            free(r[i].buf);
            memset(&r[i], 0, sizeof r[i]);
            r[i].outcome = KDC_PENDING;
        }
        free(c->last_err);
    }
    free(R.framed);
    resolve_list_free(&R.addrs);
}
