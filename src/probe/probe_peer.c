/* probe peer: who is on the other end, settled from evidence before any
 * step blames it - the product and version (greeting, EHLO keywords, the
 * NTLM challenge's Windows version), whether it is an Exchange server at
 * all, whether it belongs to the admin's organisation (the NTLM domain
 * against --domain or the account's domain), for Exchange 2013+ whether the
 * port is a front-end or a back-end receive connector, and whose identity
 * the run's credentials are (an Exchange server's or an ordinary account).
 * Each answer is "unknown" where the evidence is missing: the knowledge
 * base then asks instead of assuming. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"

/* The account part of DOMAIN\name or name@domain. */
static const char *account_name(const char *user)
{
    const char *bs = strrchr(user, '\\');
    return bs ? bs + 1 : user;
}

const char *probe_identity(const probe_ctx *ctx, const char **why)
{
    const char *u = ctx->o.user;
    if (ctx->o.as) {
        *why = "as --as says";
        return ctx->o.as;
    }
    if (!u) {
        *why = "no account was given";
        return "none";
    }
    const char *name = account_name(u);
    size_t n = strcspn(name, "@");
    if (n && name[n - 1] == '$') {
        *why = "the account name ends in $: a computer account";
        return "server";
    }
    *why = "an ordinary account (give --as server for an Exchange server's credentials)";
    return "user";
}

char *probe_account_domain(const probe_ctx *ctx)
{
    const char *u = ctx->o.user;
    if (!u)
        return NULL;
    const char *bs = strrchr(u, '\\');
    if (bs && bs > u)
        return xstrndup(u, (size_t)(bs - u));
    const char *at = strrchr(u, '@');
    return at && at[1] ? xstrdup(at + 1) : NULL;
}

/* dom is name or a subdomain of it (contoso.com, sales.contoso.com). */
static bool in_domain(const char *dom, const char *name)
{
    if (!dom || !name || !*dom || !*name)
        return false;
    size_t a = strlen(dom), b = strlen(name);
    if (a == b)
        return util_strieq(dom, name);
    return a > b && dom[a - b - 1] == '.' && util_strieq(dom + a - b, name);
}

/* The server's Windows domain against the organisation's. */
static const char *organisation(const ntlm_challenge *c, const char *org, strbuf *ev)
{
    if (!c) {
        sb_printf(ev, "The server shows no Windows domain (it answers no NTLM challenge)\n");
        return "unknown";
    }
    if (!org) {
        sb_printf(ev, "The server's Windows domain is %s (%s); no domain of yours to compare "
                      "with (give --domain, or --user DOMAIN\\name)\n",
                  c->dns_domain ? c->dns_domain : "?", c->nb_domain ? c->nb_domain : "?");
        return "unknown";
    }
    bool same = (c->nb_domain && util_strieq(c->nb_domain, org)) || in_domain(c->dns_domain, org) ||
                in_domain(c->dns_tree, org) || in_domain(org, c->dns_tree);
    sb_printf(ev, "The server's Windows domain %s (%s, forest %s) %s your domain %s\n",
              c->dns_domain ? c->dns_domain : "?", c->nb_domain ? c->nb_domain : "?",
              c->dns_tree ? c->dns_tree : "?", same ? "is in" : "is not", org);
    return same ? "same" : "other";
}

static bool has_exchange_keywords(const ehlo_caps *c)
{
    return c && (c->flags & (CAP_X_EXPS | CAP_XEXCH50 | CAP_X_ANONYMOUSTLS | CAP_X_LINK2STATE |
                             CAP_X_EXCHANGEAUTH));
}

/* Exchange Online answers from Microsoft's own hosts. */
static bool is_online_host(const char *h)
{
    return h && (in_domain(h, "outlook.com") || in_domain(h, "office365.com") ||
                 in_domain(h, "outlook.cn") || in_domain(h, "office365.us"));
}

typedef struct peer_view {
    const char *product, *exchange, *version, *role;
} peer_view;

/* Exchange 2007 and later from the Windows build under it: Server 2008 and
 * 2008 R2 (6.0, 6.1) carry 2007/2010, 2012 and later 2013+. */
static const char *modern_version(const ntlm_challenge *c, const smtp_reply *greeting)
{
    if (c && c->has_version)
        return c->ver_major > 6 || (c->ver_major == 6 && c->ver_minor >= 2) ? "2013+" : "2007-2010";
    if (greeting && greeting->nlines && strstr(greeting->lines[0], "MICROSOFT ESMTP MAIL SERVICE"))
        return "2013+";
    return "2007+";
}

static void product_view(probe_ctx *ctx, const ntlm_challenge *c, bool helo_only, peer_view *v,
                         strbuf *ev)
{
    const banner_info *b = probe_banner_info(ctx);
    const ehlo_caps *caps = probe_caps_plain(ctx);
    const char *bp = b ? b->product : "other";
    *v = (peer_view){.product = bp, .exchange = "unknown", .version = "", .role = "none"};
    if (b && is_online_host(b->host)) {
        v->product = "exchange-online", v->exchange = "online";
        sb_printf(ev, "The greeting comes from %s: Exchange Online, Microsoft's service\n", b->host);
    } else if (strncmp(bp, "exchange-", 9) == 0 || has_exchange_keywords(caps)) {
        v->exchange = "yes";
        sb_printf(ev, "%s\n", strncmp(bp, "exchange-", 9) == 0
                  ? "The greeting is Microsoft Exchange's"
                  : "EHLO offers Exchange's own keywords (X-EXPS, XEXCH50, X-ANONYMOUSTLS ...)");
    } else if (!strcmp(bp, "postfix") || !strcmp(bp, "exim") || !strcmp(bp, "sendmail")) {
        v->exchange = "no";
        sb_printf(ev, "The greeting names %s, not Exchange\n", bp);
    } else if (helo_only && b && !b->masked) {
        v->exchange = "no";
        sb_printf(ev, "The server speaks only HELO: no Exchange server does\n");
    } else {
        sb_printf(ev, "Neither the greeting%s nor EHLO names the product\n",
                  b && b->masked ? " (masked by a firewall)" : "");
    }
    if (!strcmp(bp, "exchange-2003"))
        v->version = "2003";
    else if (!strcmp(bp, "exchange-5.5"))
        v->version = "5.5";
    else if (!strcmp(v->exchange, "yes"))
        v->version = modern_version(c, probe_greeting(ctx));
    if (!strcmp(v->version, "2013+")) {
        bool xexch50 = caps && (caps->flags & CAP_XEXCH50);
        v->role = xexch50 ? "backend" : "frontend";
        sb_printf(ev, "Exchange 2013+ %s: %s\n", xexch50 ? "back end" : "front end",
                  xexch50 ? "the connector offers XEXCH50"
                          : "no XEXCH50, as on the default front-end connector on port 25");
    }
}

static probe_status probe_peer(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_EHLO, &why);
    if (!s && !probe_banner_info(ctx)) {
        probe_summary(r, "Not settled: %s", why);
        free(why);
        return ST_ERROR;
    }
    bool helo_only = s && s->used_helo;
    free(why);
    why = NULL;
    const ntlm_challenge *c = probe_ntlm(ctx, &why);
    free(why);
    strbuf ev = {0};
    peer_view v;
    product_view(ctx, c, helo_only, &v, &ev);
    char *acct_dom = probe_account_domain(ctx);
    const char *org_dom = ctx->o.domain ? ctx->o.domain : acct_dom;
    const char *org = !strcmp(v.exchange, "online") ? "other" : organisation(c, org_dom, &ev);
    const char *idwhy = NULL;
    const char *id = probe_identity(ctx, &idwhy);
    sb_printf(&ev, "smtpwiz's credentials: %s (%s)\n", id, idwhy);
    fact_str(r, "product", v.product);
    fact_str(r, "exchange", v.exchange);
    fact_str(r, "version", v.version);
    fact_str(r, "role", v.role);
    fact_str(r, "organisation", org);
    fact_str(r, "identity", id);
    if (c && (c->dns_domain || c->nb_domain))
        fact_str(r, "server_domain", c->dns_domain ? c->dns_domain : c->nb_domain);
    if (c && c->nb_computer)
        fact_str(r, "server_name", c->nb_computer);
    if (acct_dom)
        fact_str(r, "account_domain", acct_dom);
    char **lines = NULL;
    size_t nl = 0;
    for (char *p = ev.buf, *nlp; p && *p; p = nlp + 1) {
        nlp = strchr(p, '\n');
        *nlp = '\0';
        lines = xrealloc(lines, (nl + 1) * sizeof *lines);
        lines[nl++] = p;
    }
    fact_list(r, "evidence", lines, nl);
    free(lines);
    sb_free(&ev);
    free(acct_dom);
    char exch[48];
    snprintf(exch, sizeof exch, "An Exchange %s%sserver", v.version, *v.version ? " " : "");
    const char *what = !strcmp(v.exchange, "yes") ? exch
                     : !strcmp(v.exchange, "no") ? "A server that is not Exchange"
                     : !strcmp(v.exchange, "online") ? "Exchange Online" : "A server of unknown product";
    const char *whose = !strcmp(org, "same") ? "of your organisation"
                      : !strcmp(org, "other") ? "of another organisation"
                      : "of an organisation not yet known";
    const char *cred = !strcmp(id, "server") ? "a server identity"
                     : !strcmp(id, "user") ? "an ordinary account" : "no credentials";
    probe_summary(r, "%s %s; smtpwiz uses %s", what, whose, cred);
    /* Whatever it found, this is an answer, not a fault: the facts carry it. */
    return ST_PASS;
}

static const probe_fact_decl facts[] = {
    {"product", FACT_STR, "exchange-2003, exchange-2007+, exchange-5.5, exchange-online, "
                          "postfix, exim, sendmail or other"},
    {"exchange", FACT_STR, "yes, no, online (Exchange Online) or unknown"},
    {"version", FACT_STR, "2003, 2007-2010, 2013+, 2007+, 5.5, or empty"},
    {"role", FACT_STR, "Exchange 2013+: frontend or backend; else none"},
    {"organisation", FACT_STR, "same, other or unknown: the server's Windows domain against "
                               "yours (--domain, or the account's)"},
    {"identity", FACT_STR, "whose credentials the run uses: server, user or none"},
    {"server_domain", FACT_STR, "the server's Windows domain (NTLM)"},
    {"server_name", FACT_STR, "the server's NetBIOS computer name (NTLM)"},
    {"account_domain", FACT_STR, "the domain of --user (DOMAIN\\name or name@domain)"},
    {"evidence", FACT_LIST, "what each answer rests on, one sentence each"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_peer = {
    .name = "peer", .title = "Who is on the other end", .fn = probe_peer, .facts = facts,
};
