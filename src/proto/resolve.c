/* resolve: see resolve.h.  One c-ares channel per lookup (so resolv.conf is
 * read afresh and threads share nothing), driven by a poll loop that also
 * watches the cancel descriptor and ends at the caller's deadline whatever
 * c-ares's own timers say. */
#include "config.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/resolve.h"
#include "base/names.h"
#include "base/util.h"

enum { KIND_HOST, KIND_SRV };

typedef struct lookup {
    bool done;
    int status;                  /* ARES_* */
    struct ares_addrinfo *ai;    /* KIND_HOST */
    resolve_srv_list srv;        /* KIND_SRV */
} lookup;

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_status;

static void lib_init(void)
{
    lib_status = ares_library_init(ARES_LIB_INIT_ALL);
}

/* c-ares retries each server once (tries 2) with its timeout doubled the
 * second time: a third of the time left for the first try lets both fit,
 * and the poll loop's deadline holds whatever the server count. */
static resolve_err channel_open(const resolve_wait *w, ares_channel *ch, char **err)
{
    pthread_once(&lib_once, lib_init);
    double left = w->until_ms - util_now_ms();
    struct ares_options opt;
    memset(&opt, 0, sizeof opt);
    opt.timeout = left / 3 < 1 ? 1 : left / 3 > INT_MAX ? INT_MAX : (int)(left / 3);
    opt.tries = 2;
    int rc = lib_status;
    if (rc == ARES_SUCCESS)
        rc = ares_init_options(ch, &opt, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (rc != ARES_SUCCESS) {
        *err = xasprintf("the resolver cannot start (%s): is /etc/resolv.conf readable?",
                         ares_strerror(rc));
        return RESOLVE_EIO;
    }
    return RESOLVE_OK;
}

/* A cancel descriptor that cannot be read any more cancels too (as in net.c). */
static bool cancelled(const struct pollfd *p)
{
    return p->revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL);
}

/* Drive the channel until the callback set *done, the deadline or a cancel. */
static resolve_err run(ares_channel ch, const bool *done, const resolve_wait *w)
{
    while (!*done) {
        double left = w->until_ms - util_now_ms();
        if (left <= 0)
            return RESOLVE_ETIMEOUT;
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        struct pollfd p[ARES_GETSOCK_MAXNUM + 1];
        /* The bits by hand: ARES_GETSOCK_WRITABLE shifts a signed 1 into
         * the sign bit for the last socket. */
        unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
        int n = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            short ev = (short)((bits >> i & 1u ? POLLIN : 0) |
                               (bits >> (i + ARES_GETSOCK_MAXNUM) & 1u ? POLLOUT : 0));
            if (ev)
                p[n++] = (struct pollfd){.fd = socks[i], .events = ev};
        }
        int ncancel = w->cancel_fd >= 0 ? 1 : 0;
        p[n] = (struct pollfd){.fd = w->cancel_fd, .events = POLLIN};
        struct timeval maxtv = {(time_t)(left / 1000), (suseconds_t)((long)left % 1000 * 1000)};
        struct timeval tv, *tvp = ares_timeout(ch, &maxtv, &tv);
        int ms = (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) + 1;
        int rc = poll(p, (nfds_t)(n + ncancel), ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return RESOLVE_EIO;
        if (ncancel && cancelled(&p[n]))
            return RESOLVE_ECANCEL;
        if (rc == 0)
            ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);   /* c-ares's timers */
        for (int i = 0; i < n && rc > 0; i++) {
            if (!p[i].revents)
                continue;
            bool rd = p[i].revents & (POLLIN | POLLERR | POLLHUP);
            ares_process_fd(ch, rd ? p[i].fd : ARES_SOCKET_BAD,
                            p[i].revents & POLLOUT ? p[i].fd : ARES_SOCKET_BAD);
        }
    }
    return RESOLVE_OK;
}

static resolve_err from_ares(int status)
{
    switch (status) {
    case ARES_SUCCESS: return RESOLVE_OK;
    case ARES_ENOTFOUND: return RESOLVE_ENONAME;
    case ARES_ENODATA: return RESOLVE_ENODATA;
    case ARES_ETIMEOUT: return RESOLVE_ETIMEOUT;
    case ARES_ESERVFAIL: case ARES_EREFUSED: case ARES_EFORMERR: case ARES_ENOTIMP:
    case ARES_EBADRESP: case ARES_ECONNREFUSED: return RESOLVE_ESERVER;
    case ARES_ECANCELLED: return RESOLVE_ECANCEL;
    default: return RESOLVE_EIO;
    }
}

/* "127.0.0.1" or "127.0.0.1, ::1": the servers the channel asks. */
static char *servers_text(ares_channel ch)
{
    struct ares_addr_node *list = NULL;
    strbuf sb = {0};
    if (ares_get_servers(ch, &list) == ARES_SUCCESS) {
        for (const struct ares_addr_node *s = list; s; s = s->next) {
            char a[INET6_ADDRSTRLEN] = "?";
            inet_ntop(s->family, &s->addr, a, sizeof a);
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", a);
        }
        ares_free_data(list);
    }
    return sb.len ? sb_steal(&sb) : xstrdup("none configured");
}

static const char *server_failure(int status)
{
    switch (status) {
    case ARES_ESERVFAIL: return "reported a server failure (SERVFAIL)";
    case ARES_EREFUSED: return "refused to answer (REFUSED)";
    case ARES_ECONNREFUSED: return "cannot be reached (nothing answers on its port 53)";
    default: return "sent an answer that is not usable DNS";
    }
}

/* A sentence for a failed lookup, in the words of someone reading it. */
static char *describe(int kind, const char *name, resolve_err e, int status, ares_channel ch,
                      double waited_ms)
{
    const char *what = kind == KIND_HOST ? "the name" : "the SRV record";
    char *srv = servers_text(ch), *out;
    double s = (double)(long)(waited_ms / 100 + 0.5) / 10;
    bool many = strchr(srv, ',') != NULL;
    switch (e) {
    case RESOLVE_ENONAME:
        out = xasprintf("%s %s does not %s (no such domain)", what, name,
                        kind == KIND_HOST ? "resolve" : "exist");
        break;
    case RESOLVE_ENODATA:
        out = kind == KIND_HOST
            ? xasprintf("the name %s does not resolve (it has no IPv4 or IPv6 address)", name)
            : xasprintf("the SRV record %s does not exist (the name has no SRV record)", name);
        break;
    case RESOLVE_ETIMEOUT:
        out = xasprintf("%s %s could not be looked up: the DNS server%s (%s) did not answer "
                        "within %g s", what, name, many ? "s" : "", srv, s);
        break;
    case RESOLVE_ESERVER:
        out = xasprintf("%s %s could not be looked up: the DNS server%s (%s) %s", what, name,
                        many ? "s" : "", srv, server_failure(status));
        break;
    case RESOLVE_ECANCEL:
        out = xstrdup("cancelled");
        break;
    default:
        out = xasprintf("%s %s could not be looked up (%s)", what, name, ares_strerror(status));
        break;
    }
    free(srv);
    return out;
}

/* Run one query already started on ch; its outcome from lk, or the loop's. */
static resolve_err finish(int kind, const char *name, ares_channel ch, lookup *lk,
                          const resolve_wait *w, double t0, char **err)
{
    resolve_err e = run(ch, &lk->done, w);
    int status = e == RESOLVE_OK ? lk->status : ARES_ECANCELLED;
    if (e == RESOLVE_OK)
        e = from_ares(lk->status);
    if (e != RESOLVE_OK)
        *err = describe(kind, name, e, status, ch, util_now_ms() - t0);
    return e;
}

/* ---- host names -------------------------------------------------------- */

void resolve_addr_set_port(resolve_addr *a, unsigned port)
{
    if (a->family == AF_INET6)
        ((struct sockaddr_in6 *)&a->sa)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)&a->sa)->sin_port = htons((uint16_t)port);
}

static void add_addr(resolve_list *l, const struct sockaddr *sa, socklen_t len, unsigned port)
{
    if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) || len > sizeof l->v->sa)
        return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    resolve_addr *a = &l->v[l->n++];
    memset(a, 0, sizeof *a);
    memcpy(&a->sa, sa, len);
    a->len = len;
    a->family = sa->sa_family;
    resolve_addr_set_port(a, port);
}

/* getaddrinfo's AI_NUMERICHOST parses the literal (scope ids included)
 * without any lookup. */
static bool numeric(const char *host, unsigned port, resolve_list *out)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
        add_addr(out, ai->ai_addr, ai->ai_addrlen, port);
    freeaddrinfo(res);
    return out->n > 0;
}

/* AI_ADDRCONFIG as glibc does it: a family counts when the machine has an
 * address of it other than 127.0.0.1 or ::1; with one family only, ask
 * for that one. */
static int configured_family(void)
{
    struct ifaddrs *ifs = NULL;
    bool v4 = false, v6 = false;
    if (getifaddrs(&ifs) != 0)
        return AF_UNSPEC;
    for (const struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET)
            v4 |= ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr !=
                  htonl(INADDR_LOOPBACK);
        else if (i->ifa_addr->sa_family == AF_INET6)
            v6 |= !IN6_IS_ADDR_LOOPBACK(
                &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr);
    }
    freeifaddrs(ifs);
    return v4 == v6 ? AF_UNSPEC : v4 ? AF_INET : AF_INET6;
}

static void host_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    lookup *lk = arg;
    lk->status = status;
    lk->ai = res;
    lk->done = true;
}

static resolve_err lookup_host(const char *host, int family, unsigned port,
                               const resolve_wait *w, resolve_list *out, char **err)
{
    double t0 = util_now_ms();
    ares_channel ch;
    resolve_err e = channel_open(w, &ch, err);
    if (e != RESOLVE_OK)
        return e;
    struct ares_addrinfo_hints hints = {.ai_family = family, .ai_socktype = SOCK_STREAM};
    lookup lk = {0};
    ares_getaddrinfo(ch, host, NULL, &hints, host_cb, &lk);
    e = finish(KIND_HOST, host, ch, &lk, w, t0, err);
    if (e == RESOLVE_OK && lk.ai)
        for (const struct ares_addrinfo_node *n = lk.ai->nodes; n; n = n->ai_next)
            add_addr(out, n->ai_addr, n->ai_addrlen, port);
    if (e == RESOLVE_OK && out->n == 0) {
        e = RESOLVE_ENODATA;
        *err = describe(KIND_HOST, host, e, ARES_ENODATA, ch, 0);
    }
    ares_destroy(ch);   /* a query still running calls host_cb: lk is still here */
    if (lk.ai)
        ares_freeaddrinfo(lk.ai);
    return e;
}

resolve_err resolve_host(const char *host, unsigned port, const resolve_wait *w,
                         resolve_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (numeric(host, port, out))
        return RESOLVE_OK;
    int family = configured_family();
    resolve_err e = lookup_host(host, family, port, w, out, err);
    /* As the old getaddrinfo fallback: a name with addresses of the other
     * family only is still worth trying. */
    if ((e == RESOLVE_ENODATA || e == RESOLVE_ENONAME) && family != AF_UNSPEC) {
        free(*err);
        *err = NULL;
        e = lookup_host(host, AF_UNSPEC, port, w, out, err);
    }
    return e;
}

int resolve_addr_text(const resolve_addr *a, char *buf, size_t cap)
{
    if (a->family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const void *)&a->sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)cap);
        return ntohs(s6->sin6_port);
    }
    const struct sockaddr_in *s4 = (const void *)&a->sa;
    inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)cap);
    return ntohs(s4->sin_port);
}

void resolve_list_free(resolve_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- SRV --------------------------------------------------------------- */

static int srv_cmp(const void *a, const void *b)
{
    const resolve_srv_rr *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio < y->prio ? -1 : 1;
    return x->weight > y->weight ? -1 : x->weight < y->weight;
}

size_t resolve_srv_parse(const unsigned char *ans, int len, resolve_srv_list *out)
{
    struct ares_srv_reply *list = NULL;
    memset(out, 0, sizeof *out);
    if (len <= 0 || ares_parse_srv_reply(ans, len, &list) != ARES_SUCCESS)
        return 0;
    for (const struct ares_srv_reply *r = list; r && out->n < RESOLVE_SRV_MAX; r = r->next) {
        if (!r->host || !r->host[0] || strcmp(r->host, ".") == 0 || r->port == 0)
            continue;   /* "." means: no such service here */
        /* A target the DNS server made up (control bytes, c-ares's \DDD
         * escapes, overlong labels) is no host to connect to or to show. */
        if (!names_host(r->host, strlen(r->host), NULL))
            continue;
        out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
        out->v[out->n++] = (resolve_srv_rr){xstrdup(r->host), r->priority, r->weight, r->port};
    }
    ares_free_data(list);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, srv_cmp);
    return out->n;
}

void resolve_srv_list_free(resolve_srv_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].target);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    (void)timeouts;
    lookup *lk = arg;
    lk->status = status;
    if (status == ARES_SUCCESS && resolve_srv_parse(abuf, alen, &lk->srv) == 0)
        lk->status = ARES_ENODATA;
    lk->done = true;
}

resolve_err resolve_srv(const char *name, const resolve_wait *w, resolve_srv_list *out,
                        char **err)
{
    memset(out, 0, sizeof *out);
    double t0 = util_now_ms();
    ares_channel ch;
    resolve_err e = channel_open(w, &ch, err);
    if (e != RESOLVE_OK)
        return e;
    lookup lk = {0};
    ares_query(ch, name, 1 /* C_IN */, 33 /* T_SRV */, srv_cb, &lk);
    e = finish(KIND_SRV, name, ch, &lk, w, t0, err);
    ares_destroy(ch);
    if (e == RESOLVE_OK)
        *out = lk.srv;
    else
        resolve_srv_list_free(&lk.srv);
    return e;
}
