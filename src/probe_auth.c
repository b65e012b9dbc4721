/* probes auth and exps: the SASL exchange per mechanism, under AUTH (RFC
 * 4954) and under Exchange's X-EXPS.  Each mechanism after the first gets a
 * fresh session: a refusal may end the connection (454 then disconnect). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "probe_krb.h"
#include "sasl.h"
#include "util.h"

typedef struct attempt_tally {
    int ok, refused, failed;
    char *first_ok;
    char *last_refusal;
} attempt_tally;

/* One mechanism on session s; records the reply line as a fact. */
static void try_mech(probe_ctx *ctx, smtp_session *s, const char *verb, const char *mech,
                     probe_result *r, attempt_tally *t)
{
    sasl_creds cr = {.user = ctx->o.user, .password = ctx->o.password};
    smtp_reply fin;
    char *err = NULL;
    smtp_reply_init(&fin);
    const char *fqdn = s->caps.hello_name ? s->caps.hello_name : ctx->o.host;
    sasl_result res = sasl_authenticate(s, verb, mech, fqdn, &cr, &fin, &err);
    if (res == SASL_DONE) {
        char *line = smtp_reply_line(&fin);
        fact_str(r, mech, line);
        if (fin.code == 235) {
            t->ok++;
            if (!t->first_ok)
                t->first_ok = xstrdup(mech);
        } else {
            t->refused++;
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

/* Without a password only GSSAPI can run, and only with a ticket cache. */
static bool usable(const probe_ctx *ctx, const char *mech, bool ccache)
{
    if (ctx->o.mech && !util_strieq(ctx->o.mech, mech))
        return false;
    return probe_have_creds(ctx) || (ccache && util_strieq(mech, "GSSAPI"));
}

/* Run every usable mechanism of mechs (or only --mech). */
static void try_all(probe_ctx *ctx, const char *verb, char *const *mechs, size_t n,
                    probe_result *r, attempt_tally *t)
{
    bool first = true;
    bool ccache = probe_krb_have_ccache(NULL);
    for (size_t i = 0; i < n; i++) {
        if (!usable(ctx, mechs[i], ccache))
            continue;
        const char *why = NULL;
        char *why2 = NULL;
        smtp_session *s = first ? probe_session(ctx, &why) : probe_session_new(ctx, &why2);
        if (!s) {
            char *v = xasprintf("not tried: %s", why ? why : why2);
            fact_str(r, mechs[i], v);
            free(v);
            free(why2);
            t->failed++;
            break;
        }
        try_mech(ctx, s, verb, mechs[i], r, t);
        if (first)
            probe_session_drop(ctx);   /* authenticated or refused: not reusable */
        else
            smtp_quit(s);
        first = false;
    }
}

static probe_status tally_status(probe_result *r, const char *verb, attempt_tally *t)
{
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
static const smtp_caps *current_caps(probe_ctx *ctx, const char **why)
{
    smtp_session *s = probe_session(ctx, why);
    return s ? &s->caps : NULL;
}

/* Without a password only GSSAPI from a ticket cache can run. */
static bool can_try(const probe_ctx *ctx, char *const *mechs, size_t n)
{
    return probe_have_creds(ctx) ||
           (smtp_caps_has_mech(mechs, n, "GSSAPI") && probe_krb_have_ccache(NULL));
}

/* Try the mechanisms under verb.  They are copied first: the session that
 * owns the list is dropped after the first attempt. */
static probe_status run_verb(probe_ctx *ctx, probe_result *r, const char *verb,
                             char *const *list, size_t n)
{
    char **mechs = xcalloc(n, sizeof *mechs);
    for (size_t i = 0; i < n; i++)
        mechs[i] = xstrdup(list[i]);
    attempt_tally t = {0};
    try_all(ctx, verb, mechs, n, r, &t);
    if (t.first_ok && strcmp(verb, "AUTH") == 0) {
        free(ctx->auth_ok_mech);
        ctx->auth_ok_mech = xstrdup(t.first_ok);
        ctx->auth_ok = true;
    }
    for (size_t i = 0; i < n; i++)
        free(mechs[i]);
    free(mechs);
    return tally_status(r, verb, &t);
}

probe_status probe_auth(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    const smtp_caps *c = current_caps(ctx, &why);
    if (!c) {
        probe_summary(r, "Not tested: %s", why);
        return ST_ERROR;
    }
    fact_list(r, "mechanisms", c->auth_mechs, c->nauth);
    if (!c->nauth) {
        probe_summary(r, "The server offers no AUTH%s", ctx->sess && ctx->sess->tls ? "" : " (before TLS)");
        return ST_SKIP;
    }
    if (!can_try(ctx, c->auth_mechs, c->nauth)) {
        probe_summary(r, "Not tested: give --user and a password (--password-file, "
                         "SMTPWIZ_PASSWORD or the prompt) to test AUTH");
        return ST_SKIP;
    }
    return run_verb(ctx, r, "AUTH", c->auth_mechs, c->nauth);
}

probe_status probe_exps(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    const smtp_caps *c = current_caps(ctx, &why);
    if (!c) {
        probe_summary(r, "Not tested: %s", why);
        return ST_ERROR;
    }
    fact_list(r, "mechanisms", c->exps_mechs, c->nexps);
    if (!c->nexps) {
        probe_summary(r, "The server does not offer X-EXPS: Exchange Server authentication is "
                         "off on this connector, or this is not an Exchange server");
        return ST_SKIP;
    }
    if (!can_try(ctx, c->exps_mechs, c->nexps)) {
        probe_summary(r, "Not tested: X-EXPS needs an account of the Exchange organisation "
                         "(--user and a password), or a Kerberos ticket (kinit) for GSSAPI");
        return ST_SKIP;
    }
    return run_verb(ctx, r, "X-EXPS", c->exps_mechs, c->nexps);
}
