/* probe ntlm-info: an NTLM type-1 needs no credentials, and the type-2 the
 * server answers names the machine and domain and carries its clock. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "base/util.h"

/* The verb that offers NTLM on this session: AUTH first, else X-EXPS. */
static const char *ntlm_verb(const smtp_caps *c)
{
    if (smtp_caps_has_mech(c->auth_mechs, c->nauth, "NTLM"))
        return "AUTH";
    if (smtp_caps_has_mech(c->exps_mechs, c->nexps, "NTLM"))
        return "X-EXPS";
    return NULL;
}

/* Send type-1, read type-2; the server's first 334 may be a bare
 * "NTLM supported" before it takes the type-1. */
static bool exchange_type1(probe_ctx *ctx, smtp_session *s, const char *verb, char **why)
{
    smtp_reply rep;
    char *err = NULL;
    smtp_reply_init(&rep);
    char *cmd = xasprintf("%s NTLM", verb);
    smtp_err e = smtp_cmd(s, cmd, &rep, &err);
    free(cmd);
    double t0 = 0;
    if (e == SMTP_OK && rep.code == 334) {
        t0 = util_now_ms();
        e = smtp_cmd(s, NTLM_TYPE1_B64, &rep, &err);
    }
    bool ok = false;
    if (e != SMTP_OK) {
        *why = smtp_describe(s, e, err);
    } else if (rep.code != 334 || !rep.nlines) {
        char *l = smtp_reply_line(&rep);
        *why = xasprintf("%s NTLM was answered \"%s\"", verb, l);
        free(l);
    } else {
        ctx->ntlm_wall = probe_wall_now();
        ctx->ntlm_rtt_ms = util_now_ms() - t0;
        unsigned char *msg = NULL;
        const char *b64 = rep.lines[0];
        long n = util_b64_decode(b64, strlen(b64), &msg);
        if (n < 0)
            *why = xstrdup("the NTLM challenge is not valid base64");
        else if (ntlm_parse_type2(msg, (size_t)n, &ctx->ntlm, why) == 0)
            ok = true;
        free(msg);
    }
    if (e == SMTP_OK) {
        /* RFC 4954: "*" cancels; the session stays usable. */
        char *ign = NULL;
        smtp_cmd(s, "*", &rep, &ign);
        free(ign);
    }
    smtp_reply_free(&rep);
    free(err);
    return ok;
}

bool probe_ntlm_fetch(probe_ctx *ctx, const char **why)
{
    if (ctx->ntlm_tried) {
        *why = ctx->ntlm_error;
        return ctx->have_ntlm;
    }
    ctx->ntlm_tried = true;
    const char *swhy = NULL;
    smtp_session *s = probe_session(ctx, &swhy);
    char *err = NULL;
    const char *verb = s ? ntlm_verb(&s->caps) : NULL;
    if (!s)
        err = xstrdup(swhy);
    else if (!verb)
        err = xstrdup("the server offers NTLM neither in AUTH nor in X-EXPS");
    else if (exchange_type1(ctx, s, verb, &err))
        ctx->have_ntlm = true;
    ctx->ntlm_error = err;
    *why = err;
    return ctx->have_ntlm;
}

probe_status probe_ntlm_info(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    if (!probe_ntlm_fetch(ctx, &why)) {
        probe_summary(r, "No NTLM challenge: %s", why ? why : "unknown");
        return why && strstr(why, "offers NTLM neither") ? ST_SKIP : ST_ERROR;
    }
    const ntlm_challenge *c = &ctx->ntlm;
    struct { const char *key; const char *val; } names[] = {
        {"netbios_computer", c->nb_computer}, {"netbios_domain", c->nb_domain},
        {"dns_computer", c->dns_computer}, {"dns_domain", c->dns_domain},
        {"dns_tree", c->dns_tree}, {"target_name", c->target_name},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].val)
            fact_str(r, names[i].key, names[i].val);
    if (c->has_version) {
        char v[48];
        snprintf(v, sizeof v, "%u.%u.%u", c->ver_major, c->ver_minor, c->ver_build);
        fact_str(r, "os_version", v);
    }
    if (c->has_timestamp) {
        char iso[32];
        util_iso8601(c->unix_time, iso, sizeof iso);
        fact_str(r, "server_time", iso);
    }
    probe_summary(r, "The server is %s in domain %s%s", c->dns_computer ? c->dns_computer :
                  (c->nb_computer ? c->nb_computer : "(unnamed)"),
                  c->dns_domain ? c->dns_domain : (c->nb_domain ? c->nb_domain : "(none)"),
                  c->has_timestamp ? "; its clock is readable" : "");
    return ST_PASS;
}
