/* krb_kdc: domain controller names and one request/reply with a KDC.
 * TCP goes through net.c (its connect already tells refused from timeout);
 * UDP uses a connected datagram socket so that an ICMP port-unreachable
 * comes back as ECONNREFUSED: that is how "refused" differs from "filtered". */
#include "config.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/krb_kdc.h"
#include "proto/net.h"
#include "base/util.h"

const char *kdc_outcome_name(kdc_outcome o)
{
    static const char *const n[] = {"answered", "open", "silent", "refused", "filtered",
                                    "unreachable", "unresolved", "bad-reply", "cancelled",
                                    "error"};
    return (unsigned)o < sizeof n / sizeof *n ? n[o] : "error";
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- names ------------------------------------------------------------ */

void kdc_list_free(kdc_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].host);
        free(l->v[i].port);
        free(l->v[i].kpasswd_port);
    }
    free(l->v);
    free(l->source);
    memset(l, 0, sizeof *l);
}

static void list_add(kdc_list *l, char *host, char *port, char *kpasswd)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (kdc_target){host, port, kpasswd};
}

static bool valid_port(const char *s)
{
    return util_parse_port(s, 1) > 0;
}

/* One domain controller: HOST, HOST:PORT or HOST:PORT,KPASSWD_PORT (an
 * IPv6 address in brackets).  Added to out; false if it does not parse. */
static bool parse_one(const char *spec, kdc_list *out)
{
    char *host, *rest = NULL;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || (close[1] && close[1] != ':'))
            return false;
        host = xstrndup(spec + 1, (size_t)(close - spec - 1));
        rest = close[1] ? xstrdup(close + 2) : NULL;
    } else {
        const char *colon = strchr(spec, ':');
        host = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
        rest = colon ? xstrdup(colon + 1) : NULL;
    }
    char *kp = rest ? strchr(rest, ',') : NULL;
    if (kp)
        *kp++ = '\0';
    if (!*host || (rest && !valid_port(rest)) || (kp && !valid_port(kp))) {
        free(host);
        free(rest);
        return false;
    }
    /* A KDC on another port than 88 says nothing about where kpasswd is. */
    char *kpasswd = kp ? xstrdup(kp) : rest ? NULL : xstrdup("464");
    list_add(out, host, rest ? xstrdup(rest) : xstrdup("88"), kpasswd);
    free(rest);
    return true;
}

int kdc_list_from_spec(const char *spec, kdc_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    char *copy = xstrdup(spec), *save = NULL;
    bool ok = true;
    for (char *w = strtok_r(copy, " \t", &save); w && ok; w = strtok_r(NULL, " \t", &save))
        ok = parse_one(w, out);
    free(copy);
    if (!ok || out->n == 0) {
        kdc_list_free(out);
        *err = xasprintf("--dc takes one or more of HOST, HOST:PORT or HOST:PORT,KPASSWD_PORT "
                         "separated by spaces, not \"%s\"", spec);
        return -1;
    }
    out->source = xstrdup("--dc");
    return 0;
}

typedef struct srv_rr {
    unsigned prio, weight, port;
    char target[NS_MAXDNAME];
} srv_rr;

static int srv_cmp(const void *a, const void *b)
{
    const srv_rr *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio < y->prio ? -1 : 1;
    return x->weight > y->weight ? -1 : x->weight < y->weight;
}

int kdc_srv_parse(const unsigned char *ans, int len, kdc_list *out)
{
    ns_msg msg;
    if (len <= 0 || ns_initparse(ans, len, &msg) != 0)
        return 0;
    srv_rr *rr = xcalloc(KDC_SRV_MAX, sizeof *rr);
    size_t n = 0;
    int count = ns_msg_count(msg, ns_s_an);
    for (int i = 0; i < count && n < KDC_SRV_MAX; i++) {
        ns_rr r;
        if (ns_parserr(&msg, ns_s_an, i, &r) != 0 || ns_rr_type(r) != ns_t_srv ||
            ns_rr_rdlen(r) < 7)
            continue;
        const unsigned char *d = ns_rr_rdata(r);
        rr[n].prio = ns_get16(d);
        rr[n].weight = ns_get16(d + 2);
        rr[n].port = ns_get16(d + 4);
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), d + 6, rr[n].target,
                      sizeof rr[n].target) < 0 || !rr[n].target[0] || rr[n].port == 0)
            continue;   /* "." means: no KDC here */
        n++;
    }
    qsort(rr, n, sizeof *rr, srv_cmp);
    for (size_t i = 0; i < n; i++)
        list_add(out, xstrdup(rr[i].target), xasprintf("%u", rr[i].port), xstrdup("464"));
    free(rr);
    return (int)n;
}

int kdc_list_from_srv(const char *domain, kdc_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    char *name = xasprintf("_kerberos._tcp.%s", domain);
    unsigned char *ans = xmalloc(NS_PACKETSZ * 16);
    int len = res_query(name, ns_c_in, ns_t_srv, ans, NS_PACKETSZ * 16);
    int n = len > 0 ? kdc_srv_parse(ans, len, out) : 0;
    free(ans);
    if (n == 0) {
        *err = xasprintf("DNS has no usable SRV record %s (no domain controller advertised); "
                         "name one with --dc HOST", name);
        free(name);
        kdc_list_free(out);
        return -1;
    }
    out->source = xasprintf("DNS SRV %s", name);
    free(name);
    return 0;
}

/* ---- exchanges -------------------------------------------------------- */

void kdc_reply_free(kdc_reply *r)
{
    free(r->buf);
    free(r->why);
    memset(r, 0, sizeof *r);
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

/* Wait for fd readable before the deadline: 1 ready, 0 timeout, -1 cancel. */
static int wait_in(int fd, int cancel_fd, double deadline)
{
    for (;;) {
        double left = deadline - util_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p[2] = {{fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
        int rc = poll(p, cancel_fd >= 0 ? 2 : 1, (int)left + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return 1;   /* let the read report it */
        if (cancel_fd >= 0 && p[1].revents)
            return -1;
        if (rc > 0)
            return 1;
    }
}

/* Exactly n bytes: 0 ok, else the outcome that stopped it. */
static kdc_outcome read_exact(int fd, int cancel_fd, unsigned char *buf, size_t n,
                              double deadline)
{
    size_t got = 0;
    while (got < n) {
        int w = wait_in(fd, cancel_fd, deadline);
        if (w <= 0)
            return w < 0 ? KDC_CANCELLED : KDC_SILENT;
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0)
            return KDC_SILENT;   /* closed: the service did not answer */
        got += (size_t)k;
    }
    return KDC_ANSWERED;
}

static void tcp_exchange(const char *host, const char *port, const unsigned char *req,
                         size_t len, const net_opts *no, kdc_reply *r)
{
    conn *c = NULL;
    char *err = NULL;
    net_err e = net_connect(host, port, no, &c, &err);
    if (e != NET_OK) {
        r->outcome = from_net(e);
        r->why = err;
        return;
    }
    snprintf(r->addr, sizeof r->addr, "%s", net_peer_addr(c));
    unsigned char pre[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len};
    r->sent_wall = wall_now();
    double t0 = util_now_ms(), deadline = t0 + no->timeout_ms;
    if (net_write(c, pre, 4, &err) != NET_OK || net_write(c, req, len, &err) != NET_OK) {
        r->outcome = KDC_SILENT;
        r->why = xasprintf("the connection was accepted but sending the request failed: %s", err);
        free(err);
        net_close(c);
        return;
    }
    unsigned char got[4];
    r->outcome = read_exact(net_fd(c), no->cancel_fd, got, 4, deadline);
    size_t n = (size_t)got[0] << 24 | (size_t)got[1] << 16 | (size_t)got[2] << 8 | got[3];
    if (r->outcome == KDC_ANSWERED && (n == 0 || n > KDC_REPLY_MAX)) {
        r->outcome = KDC_BADREPLY;
        r->why = xasprintf("the reply announces %zu bytes: not a Kerberos reply", n);
    } else if (r->outcome == KDC_ANSWERED) {
        r->buf = xmalloc(n);
        r->len = n;
        r->outcome = read_exact(net_fd(c), no->cancel_fd, r->buf, n, deadline);
    }
    r->recv_wall = wall_now();
    r->rtt_ms = util_now_ms() - t0;
    if (r->outcome == KDC_SILENT)
        r->why = xasprintf("TCP port %s accepted the connection but sent no Kerberos reply "
                           "within %.1f s", port, no->timeout_ms / 1000.0);
    net_close(c);
}

void kdc_tcp_open(const char *host, const char *port, int timeout_ms, int cancel_fd,
                  kdc_reply *r)
{
    memset(r, 0, sizeof *r);
    net_opts no = {.timeout_ms = timeout_ms, .cancel_fd = cancel_fd};
    conn *c = NULL;
    double t0 = util_now_ms();
    net_err e = net_connect(host, port, &no, &c, &r->why);
    r->rtt_ms = util_now_ms() - t0;
    r->outcome = from_net(e);
    if (c)
        snprintf(r->addr, sizeof r->addr, "%s", net_peer_addr(c));
    net_close(c);
}

static kdc_outcome from_errno(int e)
{
    if (e == ECONNREFUSED)
        return KDC_REFUSED;
    if (e == EHOSTUNREACH || e == ENETUNREACH)
        return KDC_UNREACH;
    return KDC_IOERR;
}

/* A connected UDP socket to the first address of host:port, or -1. */
static int udp_socket(const char *host, const char *port, kdc_reply *r)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        r->outcome = KDC_UNRESOLVED;
        r->why = xasprintf("the name %s does not resolve (%s)", host, gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        r->outcome = from_errno(errno);
        r->why = xasprintf("no UDP socket to %s port %s: %s", host, port, strerror(errno));
    } else {
        getnameinfo(res->ai_addr, res->ai_addrlen, r->addr, sizeof r->addr, NULL, 0,
                    NI_NUMERICHOST);
    }
    freeaddrinfo(res);
    return fd;
}

/* Send (twice: at 0 and at half the timeout) and take the first datagram.
 * The clock reading and the round trip count from the last send: the first
 * datagram was most likely the one lost, and timing from it would put the
 * KDC's clock up to half the timeout off. */
static void udp_wait(int fd, const unsigned char *req, size_t len, int timeout_ms,
                     int cancel_fd, kdc_reply *r)
{
    double t0 = util_now_ms(), deadline = t0 + timeout_ms, sent = t0;
    unsigned char *buf = xmalloc(KDC_REPLY_MAX);
    for (int round = 0; round < 2 && r->outcome == KDC_FILTERED; round++) {
        r->sent_wall = wall_now();
        sent = util_now_ms();
        if (send(fd, req, len, 0) < 0) {
            r->outcome = from_errno(errno);
            break;
        }
        double until = round == 0 ? t0 + timeout_ms / 2.0 : deadline;
        int w = wait_in(fd, cancel_fd, until);
        if (w < 0)
            r->outcome = KDC_CANCELLED;
        if (w <= 0)
            continue;
        ssize_t k = recv(fd, buf, KDC_REPLY_MAX, 0);
        if (k > 0) {
            r->outcome = KDC_ANSWERED;
            r->recv_wall = wall_now();
            r->buf = xmalloc((size_t)k);
            memcpy(r->buf, buf, (size_t)k);
            r->len = (size_t)k;
        } else {
            r->outcome = k < 0 ? from_errno(errno) : KDC_BADREPLY;
        }
    }
    r->rtt_ms = util_now_ms() - sent;
    free(buf);
}

static void udp_exchange(const char *host, const char *port, const unsigned char *req,
                         size_t len, int timeout_ms, int cancel_fd, kdc_reply *r)
{
    int fd = udp_socket(host, port, r);
    if (fd < 0)
        return;
    r->outcome = KDC_FILTERED;
    udp_wait(fd, req, len, timeout_ms, cancel_fd, r);
    close(fd);
    if (r->outcome == KDC_FILTERED)
        r->why = xasprintf("UDP port %s on %s gave no answer within %.1f s: the datagrams "
                           "are dropped on the way (a firewall) or the KDC is not serving",
                           port, host, timeout_ms / 1000.0);
    else if (r->outcome == KDC_REFUSED)
        r->why = xasprintf("UDP port %s on %s is refused (ICMP port unreachable): "
                           "no KDC listens there", port, host);
    else if (r->outcome != KDC_ANSWERED && !r->why)
        r->why = xasprintf("UDP port %s on %s: %s", port, host, kdc_outcome_name(r->outcome));
}

void kdc_exchange(const char *host, const char *port, bool tcp, const unsigned char *req,
                  size_t len, int timeout_ms, int cancel_fd, kdc_reply *r)
{
    memset(r, 0, sizeof *r);
    if (tcp) {
        net_opts no = {.timeout_ms = timeout_ms, .cancel_fd = cancel_fd};
        tcp_exchange(host, port, req, len, &no, r);
    } else {
        udp_exchange(host, port, req, len, timeout_ms, cancel_fd, r);
    }
}
