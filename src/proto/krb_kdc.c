/* krb_kdc: domain controller names, from --dc or from DNS SRV (the checks
 * themselves are in krb_kdc_io.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/krb_kdc.h"
#include "proto/net.h"
#include "base/util.h"

const char *kdc_outcome_name(kdc_outcome o)
{
    static const char *const n[] = {"answered", "open", "silent", "refused", "filtered",
                                    "unreachable", "unresolved", "bad-reply", "cancelled",
                                    "error", "pending"};
    return (unsigned)o < sizeof n / sizeof *n ? n[o] : "error";
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

void kdc_reply_free(kdc_reply *r)
{
    free(r->buf);
    free(r->why);
    memset(r, 0, sizeof *r);
}

/* The first KDC_SRV_MAX targets, already in priority order. */
static int from_srv(const resolve_srv_list *srv, kdc_list *out)
{
    size_t n = srv->n < KDC_SRV_MAX ? srv->n : KDC_SRV_MAX;
    for (size_t i = 0; i < n; i++)
        list_add(out, xstrdup(srv->v[i].target), xasprintf("%u", srv->v[i].port),
                 xstrdup("464"));
    return (int)n;
}

int kdc_srv_parse(const unsigned char *ans, int len, kdc_list *out)
{
    resolve_srv_list srv;
    resolve_srv_parse(ans, len, &srv);
    int n = from_srv(&srv, out);
    resolve_srv_list_free(&srv);
    return n;
}

int kdc_list_from_srv(const char *domain, const net_opts *o, kdc_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    char *name = xasprintf("_kerberos._tcp.%s", domain);
    resolve_wait w = {net_opts_until(o), o->cancel_fd};
    resolve_srv_list srv;
    char *why = NULL;
    resolve_err e = resolve_srv(name, &w, &srv, &why);
    if (e == RESOLVE_OK)
        from_srv(&srv, out);
    resolve_srv_list_free(&srv);
    if (e == RESOLVE_ENONAME || e == RESOLVE_ENODATA || (e == RESOLVE_OK && out->n == 0))
        *err = xasprintf("DNS has no usable SRV record %s (no domain controller advertised); "
                         "name one with --dc HOST", name);
    else if (e == RESOLVE_ECANCEL)
        *err = xstrdup("cancelled");
    else if (e != RESOLVE_OK)
        *err = xasprintf("the domain controllers could not be looked up: %s; name one with "
                         "--dc HOST", why);
    free(why);
    if (out->n == 0) {
        free(name);
        kdc_list_free(out);
        return -1;
    }
    out->source = xasprintf("DNS SRV %s", name);
    free(name);
    return 0;
}
