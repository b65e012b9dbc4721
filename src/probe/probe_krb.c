/* probe_krb: names for the Kerberos probes, taken from what the SMTP side
 * already told us (EHLO name, banner, NTLM) so no extra input is needed
 * beyond --dc / --realm when DNS cannot answer. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "proto/krb5_lib.h"
#include "probe/probe_krb.h"
#include "base/names.h"
#include "base/util.h"

static bool is_address(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* A host name with at least one dot that is not an address. */
static bool is_fqdn(const char *s)
{
    return s && strchr(s, '.') && !is_address(s) && s[strlen(s) - 1] != '.';
}

char *probe_krb_fqdn(probe_ctx *ctx)
{
    /* The names the run learnt already do: a connection only to read them
     * again would count against the run's cap. */
    if (!probe_caps_plain(ctx)) {
        char *why = NULL;
        probe_session_stage(ctx, PROBE_STAGE_EHLO, &why);
        free(why);
    }
    /* Only a name that passes base/names.h goes into a principal, an SPN or
     * a recipient: the EHLO name, else the banner's, whichever is valid. */
    static const probe_name_src from[] = {PROBE_NAME_HELLO, PROBE_NAME_BANNER};
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        char *name = probe_server_name(ctx, from[i], NULL);
        if (name && strchr(name, '.'))
            return name;
        free(name);
    }
    return NULL;
}

char *probe_krb_domain(probe_ctx *ctx)
{
    char *dom = probe_server_name(ctx, PROBE_NAME_NTLM_DNS_DOMAIN, NULL);
    if (dom)
        return dom;
    char *fqdn = probe_krb_fqdn(ctx);
    if (!fqdn && is_fqdn(ctx->o.host) && names_host(ctx->o.host, strlen(ctx->o.host), NULL))
        fqdn = xstrdup(ctx->o.host);
    if (fqdn && strchr(fqdn, '.')[1])
        dom = xstrdup(strchr(fqdn, '.') + 1);
    free(fqdn);
    return dom;
}

char *probe_krb_realm(probe_ctx *ctx)
{
    if (ctx->o.realm)
        return xstrdup(ctx->o.realm);
    char *dom = probe_krb_domain(ctx);
    if (dom)
        util_upper(dom);
    if (dom && !names_realm(dom, strlen(dom), NULL)) {
        free(dom);
        dom = NULL;
    }
    return dom;
}

/* ---- what one probe learnt for the next -------------------------------- */

typedef struct kdc_seen {
    char *host, *port, *kpasswd;
    kdc_reply r[KDC_NCHECKS];
    double at_ms;
} kdc_seen;

struct probe_krb_memo {
    kdc_seen *v;
    size_t n;
    char *srv_domain;        /* the SRV lookup kdc-time made, NULL if none */
    kdc_list srv;
    char *srv_why;           /* why it failed, or NULL */
    double srv_at_ms;
};

static struct probe_krb_memo *memo(probe_ctx *ctx)
{
    if (!ctx->krb_memo)
        ctx->krb_memo = xcalloc(1, sizeof *ctx->krb_memo);
    return ctx->krb_memo;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void seen_free(kdc_seen *s)
{
    free(s->host);
    free(s->port);
    free(s->kpasswd);
    for (int i = 0; i < KDC_NCHECKS; i++)
        kdc_reply_free(&s->r[i]);
}

static kdc_seen *seen_find(struct probe_krb_memo *m, const kdc_target *t)
{
    for (size_t i = 0; i < m->n; i++)
        if (same_str(m->v[i].host, t->host) && same_str(m->v[i].port, t->port) &&
            same_str(m->v[i].kpasswd, t->kpasswd_port))
            return &m->v[i];
    return NULL;
}

static void seen_drop(struct probe_krb_memo *m, kdc_seen *s)
{
    seen_free(s);
    *s = m->v[--m->n];
}

static void reply_copy(kdc_reply *to, const kdc_reply *from)
{
    *to = *from;
    to->buf = from->buf ? xmalloc(from->len) : NULL;
    if (from->buf)
        memcpy(to->buf, from->buf, from->len);
    to->why = from->why ? xstrdup(from->why) : NULL;
}

void probe_krb_remember(probe_ctx *ctx, const kdc_target *t, const kdc_reply r[KDC_NCHECKS])
{
    struct probe_krb_memo *m = memo(ctx);
    kdc_seen *s = seen_find(m, t);
    if (s)
        seen_drop(m, s);
    m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
    s = &m->v[m->n++];
    memset(s, 0, sizeof *s);
    s->host = xstrdup(t->host);
    s->port = t->port ? xstrdup(t->port) : NULL;
    s->kpasswd = t->kpasswd_port ? xstrdup(t->kpasswd_port) : NULL;
    s->at_ms = util_now_ms();
    for (int i = 0; i < KDC_NCHECKS; i++) {
        if (r[i].outcome == KDC_PENDING || r[i].outcome == KDC_CANCELLED)
            s->r[i].outcome = KDC_PENDING;   /* not measured: nothing to hand on */
        else
            reply_copy(&s->r[i], &r[i]);
    }
}

double probe_krb_recall(probe_ctx *ctx, const kdc_target *t, kdc_reply r[KDC_NCHECKS])
{
    for (int i = 0; i < KDC_NCHECKS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].outcome = KDC_PENDING;
    }
    kdc_seen *s = ctx->krb_memo ? seen_find(ctx->krb_memo, t) : NULL;
    if (!s)
        return -1;
    double age = util_now_ms() - s->at_ms;
    if (age <= PROBE_KRB_RECALL_MS)
        for (int i = 0; i < KDC_NCHECKS; i++) {
            r[i] = s->r[i];
            memset(&s->r[i], 0, sizeof s->r[i]);
        }
    seen_drop(ctx->krb_memo, s);
    return age <= PROBE_KRB_RECALL_MS ? age : -1;
}

void probe_krb_forget(probe_ctx *ctx)
{
    struct probe_krb_memo *m = ctx->krb_memo;
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        seen_free(&m->v[i]);
    free(m->v);
    free(m->srv_domain);
    kdc_list_free(&m->srv);
    free(m->srv_why);
    free(m);
    ctx->krb_memo = NULL;
}

net_opts probe_krb_net_opts(const probe_ctx *ctx)
{
    return probe_net_opts(ctx);   /* the SMTP side's timeout, cancel fd and the run's deadline */
}

static void list_copy(kdc_list *to, const kdc_list *from)
{
    memset(to, 0, sizeof *to);
    to->v = xcalloc(from->n ? from->n : 1, sizeof *to->v);
    for (size_t i = 0; i < from->n; i++) {
        const kdc_target *t = &from->v[i];
        to->v[i] = (kdc_target){xstrdup(t->host), xstrdup(t->port),
                                t->kpasswd_port ? xstrdup(t->kpasswd_port) : NULL};
    }
    to->n = from->n;
    to->source = from->source ? xstrdup(from->source) : NULL;
}

/* The SRV lookup of the domain: taken once from the previous probe's if
 * recent, else asked now and kept for the next. */
static int srv_targets(probe_ctx *ctx, const char *dom, kdc_list *out, char **why)
{
    struct probe_krb_memo *m = memo(ctx);
    if (m->srv_domain && strcmp(m->srv_domain, dom) == 0 &&
        util_now_ms() - m->srv_at_ms <= PROBE_KRB_RECALL_MS) {
        int rc = m->srv_why ? -1 : 0;
        if (rc == 0)
            list_copy(out, &m->srv);
        else
            *why = xstrdup(m->srv_why);
        if (rc != 0)
            memset(out, 0, sizeof *out);
        free(m->srv_domain);
        m->srv_domain = NULL;
        return rc;
    }
    net_opts no = probe_krb_net_opts(ctx);
    int rc = kdc_list_from_srv(dom, &no, out, why);
    free(m->srv_domain);
    kdc_list_free(&m->srv);
    free(m->srv_why);
    m->srv_why = NULL;
    m->srv_domain = xstrdup(dom);
    m->srv_at_ms = util_now_ms();
    if (rc == 0)
        list_copy(&m->srv, out);
    else
        m->srv_why = xstrdup(*why);
    return rc;
}

const char *probe_krb_no_dc(const probe_ctx *ctx)
{
    return ctx->o.lab ? "this practice lab has no domain controller to ask"
                      : "no domain controller is to be asked (--dc none or SMTPWIZ_DC=none)";
}

int probe_krb_targets(probe_ctx *ctx, kdc_list *out, char **why)
{
    if (ctx->o.dc && strcmp(ctx->o.dc, "none") == 0) {
        /* The lab plays real-looking domains (fabrikam.com): never let a
         * practice run look their domain controllers up on the Internet. */
        memset(out, 0, sizeof *out);
        *why = xstrdup(probe_krb_no_dc(ctx));
        return -1;
    }
    if (ctx->o.dc)
        return kdc_list_from_spec(ctx->o.dc, out, why);
    char *dom = probe_krb_domain(ctx);
    if (!dom) {
        memset(out, 0, sizeof *out);
        *why = xstrdup("no domain controller is known: the server does not name its domain "
                       "(EHLO, banner, NTLM); give one with --dc HOST");
        return -1;
    }
    int rc = srv_targets(ctx, dom, out, why);
    free(dom);
    return rc;
}

bool probe_krb_have_ccache(char **principal)
{
    krb5_context kc;
    krb5_ccache cc = NULL;
    krb5_principal me = NULL;
    if (!krb5_lib_open(NULL) || krb5_init_context(&kc) != 0)
        return false;
    bool ok = krb5_cc_default(kc, &cc) == 0 && krb5_cc_get_principal(kc, cc, &me) == 0;
    char *name = NULL;
    if (ok && principal && krb5_unparse_name(kc, me, &name) == 0) {
        *principal = xstrdup(name);
        krb5_free_unparsed_name(kc, name);
    }
    if (me)
        krb5_free_principal(kc, me);
    if (cc)
        krb5_cc_close(kc, cc);
    krb5_free_context(kc);
    return ok;
}
