/* probes auth and exps: the SASL exchange per mechanism, under AUTH (RFC
 * 4954) and under Exchange's X-EXPS.  Each mechanism after the first gets a
 * fresh session: a refusal may end the connection (454 then disconnect). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"
#include "probe/probe_krb.h"
#include "proto/sasl.h"

typedef struct attempt_tally {
    int ok, refused, failed;
    char *first_ok;
    char *last_refusal;
    char **refusals;          /* each refused mechanism's reply line */
} attempt_tally;

/* One mechanism on session s; records the reply line as a fact. */
static void try_mech(probe_ctx *ctx, smtp_session *s, const char *verb, const char *mech,
                     const char *fqdn, probe_result *r, attempt_tally *t)
{
    sasl_creds cr = {.user = ctx->o.user, .password = ctx->o.password};
    smtp_reply fin;
    char *err = NULL;
    smtp_reply_init(&fin);
    sasl_result res = sasl_authenticate(s, verb, mech, fqdn, &cr, &fin, &err);
    if (res == SASL_DONE) {
        char *line = smtp_reply_line(&fin);
        fact_str(r, mech, line);
        if (fin.code == 235) {
            t->ok++;
            if (!t->first_ok)
                t->first_ok = xstrdup(mech);
        } else {
            t->refusals = xrealloc(t->refusals, ((size_t)t->refused + 1) * sizeof *t->refusals);
            t->refusals[t->refused++] = xstrdup(line);
            free(t->last_refusal);
            t->last_refusal = xasprintf("%s %s: %s", verb, mech, line);
        }
        free(line);
    } else {
        char *v = xasprintf("not completed: %s", err ? err : "unknown error");
        fact_str(r, mech, v);
        free(v);
        if (res != SASL_ENOMECH)
            t->failed++;
    }
    free(err);
    smtp_reply_free(&fin);
}

bool probe_auth_usable(const probe_ctx *ctx, const char *mech, bool ccache)
{
    if (ctx->o.mech && !util_strieq(ctx->o.mech, mech))
        return false;
    /* GSSAPI never uses the password: it needs a ticket (kinit). */
    if (util_strieq(mech, "GSSAPI"))
        return ccache;
    return probe_have_creds(ctx);
}

/* Run every usable mechanism of mechs (or only --mech). */
static void try_all(probe_ctx *ctx, const char *verb, char *const *mechs, size_t n,
                    bool ccache, const char *fqdn, probe_result *r, attempt_tally *t)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        /* A name that is no SASL mechanism name is never sent nor recorded. */
        if (!probe_is_mech_name(mechs[i]))
            continue;
        if (!probe_auth_usable(ctx, mechs[i], ccache)) {
            if (util_strieq(mechs[i], "GSSAPI") && !ctx->o.mech)
                fact_str(r, mechs[i], "not tried: no Kerberos ticket here (kinit)");
            continue;
        }
        char *why = NULL;
        smtp_session *s = first ? probe_session(ctx, &why) : probe_session_new(ctx, &why);
        if (!s) {
            char *v = xasprintf("not tried: %s", why ? why : "no session");
            fact_str(r, mechs[i], v);
            free(v);
            free(why);
            t->failed++;
            break;
        }
        try_mech(ctx, s, verb, mechs[i], fqdn, r, t);
        if (first)
            probe_session_drop(ctx);   /* authenticated or refused: not reusable */
        else
            smtp_quit(s);
        first = false;
    }
}

static probe_status tally_status(probe_result *r, const char *verb, attempt_tally *t)
{
    /* The refusals as one fact, so that the knowledge base branches on the
     * server's replies and not on the wording of the summary; what worked
     * and the last refusal for the probes that authenticate after this one
     * (xexch50 never sends refused credentials again). */
    fact_list(r, "refusals", t->refusals, (size_t)t->refused);
    if (t->first_ok)
        fact_str(r, "succeeded_with", t->first_ok);
    if (t->last_refusal)
        fact_str(r, "refused_last", t->last_refusal);
    for (int i = 0; i < t->refused; i++)
        free(t->refusals[i]);
    free(t->refusals);
    probe_status st;
    if (t->ok) {
        probe_summary(r, "%s succeeded with %s%s", verb, t->first_ok,
                      t->refused ? " (other mechanisms were refused)" : "");
        st = ST_PASS;
    } else if (t->refused) {
        probe_summary(r, "%s was refused: %s", verb, t->last_refusal);
        st = ST_FAIL;
    } else if (t->failed) {
        probe_summary(r, "%s could not be completed (see the facts per mechanism)", verb);
        st = ST_ERROR;
    } else {
        probe_summary(r, "No mechanism the server offers could be tried from here");
        st = ST_SKIP;
    }
    free(t->first_ok);
    free(t->last_refusal);
    return st;
}

/* The capabilities in force on the shared session (after TLS if used). */
static const smtp_caps *current_caps(probe_ctx *ctx, char **why)
{
    smtp_session *s = probe_session(ctx, why);
    return s ? &s->caps : NULL;
}

static bool any_usable(const probe_ctx *ctx, char *const *mechs, size_t n, bool ccache)
{
    for (size_t i = 0; i < n; i++)
        if (probe_auth_usable(ctx, mechs[i], ccache))
            return true;
    return false;
}

/* The summary when no offered mechanism can be tried (the rule of
 * probe_auth_usable, said the way the admin can act on it). */
static void why_untried(const probe_ctx *ctx, probe_result *r, const char *verb,
                        char *const *mechs, size_t n)
{
    if (ctx->o.mech && !smtp_caps_has_mech(mechs, n, ctx->o.mech)) {
        strbuf sb = {0};
        for (size_t i = 0; i < n; i++)
            sb_printf(&sb, "%s%s", i ? " " : "", mechs[i]);
        probe_summary(r, "Not tested: --mech %s is not offered under %s (the server offers %s)",
                      ctx->o.mech, verb, sb.len ? sb.buf : "none");
        sb_free(&sb);
    } else if (ctx->o.mech || probe_have_creds(ctx)) {
        /* Only GSSAPI is left (asked for, or all the server offers). */
        probe_summary(r, "Not tested: %s GSSAPI needs a Kerberos ticket: run kinit here first",
                      verb);
    } else if (strcmp(verb, "AUTH") == 0) {
        probe_summary(r, "Not tested: give --user and a password (--password-file, "
                         "SMTPWIZ_PASSWORD or the prompt) to test AUTH");
    } else {
        probe_summary(r, "Not tested: X-EXPS needs an account of the Exchange organisation "
                         "(--user and a password), or a Kerberos ticket (kinit) for GSSAPI");
    }
}

/* Try the mechanisms under verb.  They are copied first: the session that
 * owns the list is dropped after the first attempt. */
static probe_status run_verb(probe_ctx *ctx, probe_result *r, const char *verb,
                             char *const *list, size_t n)
{
    bool ccache = probe_krb_have_ccache(NULL);
    if (!any_usable(ctx, list, n, ccache)) {
        why_untried(ctx, r, verb, list, n);
        return ST_SKIP;
    }
    char **mechs = xcalloc(n, sizeof *mechs);
    for (size_t i = 0; i < n; i++)
        mechs[i] = xstrdup(list[i]);
    /* The server's name for GSSAPI's service principal, taken while the
     * shared session is still up (the first attempt drops it). */
    char *fqdn = probe_krb_fqdn(ctx);
    attempt_tally t = {0};
    try_all(ctx, verb, mechs, n, ccache, fqdn ? fqdn : ctx->o.host, r, &t);
    free(fqdn);
    for (size_t i = 0; i < n; i++)
        free(mechs[i]);
    free(mechs);
    return tally_status(r, verb, &t);
}

static probe_status probe_auth(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session(ctx, &why);
    if (!s) {
        probe_summary(r, "Not tested: %s", why);
        free(why);
        return ST_ERROR;
    }
    const smtp_caps *c = &s->caps;
    fact_list(r, "mechanisms", c->auth_mechs, c->nauth);
    if (!c->nauth) {
        probe_summary(r, "The server offers no AUTH%s", s->tls ? "" : " (before TLS)");
        return ST_SKIP;
    }
    return run_verb(ctx, r, "AUTH", c->auth_mechs, c->nauth);
}

static probe_status probe_exps(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    const smtp_caps *c = current_caps(ctx, &why);
    if (!c) {
        probe_summary(r, "Not tested: %s", why);
        free(why);
        return ST_ERROR;
    }
    fact_list(r, "mechanisms", c->exps_mechs, c->nexps);
    if (!c->nexps) {
        probe_summary(r, "The server does not offer X-EXPS: Exchange Server authentication is "
                         "off on this connector, or this is not an Exchange server");
        return ST_SKIP;
    }
    return run_verb(ctx, r, "X-EXPS", c->exps_mechs, c->nexps);
}

static const probe_fact_decl auth_facts[] = {
    {"mechanisms", FACT_LIST, "the AUTH mechanisms of the session (after TLS if it started)"},
    {"refusals", FACT_LIST, "the reply line of each refused mechanism"},
    {"succeeded_with", FACT_STR, "the first mechanism that authenticated"},
    {"refused_last", FACT_STR, "the last refusal, \"AUTH MECH: reply\""},
    {PROBE_FACT_PER_MECH, FACT_STR, "per mechanism: the final reply, or why it was not tried"},
    {NULL, FACT_STR, NULL},
};

static const probe_fact_decl exps_facts[] = {
    {"mechanisms", FACT_LIST, "the X-EXPS mechanisms of the session (after TLS if it started)"},
    {"refusals", FACT_LIST, "the reply line of each refused mechanism"},
    {"succeeded_with", FACT_STR, "the first mechanism that authenticated"},
    {"refused_last", FACT_STR, "the last refusal, \"X-EXPS MECH: reply\""},
    {PROBE_FACT_PER_MECH, FACT_STR, "per mechanism: the final reply, or why it was not tried"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_auth = {
    .name = "auth", .title = "AUTH", .fn = probe_auth, .authenticates = true, .facts = auth_facts,
};

const probe_decl probe_decl_exps = {
    .name = "exps", .title = "X-EXPS (Exchange authentication)", .fn = probe_exps,
    .authenticates = true, .facts = exps_facts,
};
