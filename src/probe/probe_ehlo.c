/* probe ehlo: what the server offers before TLS, read the way an Exchange
 * admin needs it (Exchange Server authentication keywords, IWA mechanisms). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"

void probe_caps_facts(probe_result *r, const ehlo_caps *c, const char *suffix)
{
    char key[64];
    snprintf(key, sizeof key, "keywords%s", suffix);
    fact_list(r, key, c->keywords, c->nkeywords);
    snprintf(key, sizeof key, "auth_mechs%s", suffix);
    fact_list(r, key, c->auth_mechs, c->nauth);
    snprintf(key, sizeof key, "exps_mechs%s", suffix);
    fact_list(r, key, c->exps_mechs, c->nexps);
}

/* Mechanism words EHLO offered that were dropped (not a SASL name, or past
 * EHLO_MECHS_MAX): facts, and a sentence for the summary (allocated), or
 * NULL when none were. */
static char *dropped_mechs(probe_result *r, const ehlo_caps *c)
{
    fact_num(r, "auth_mechs_invalid", (double)c->auth_invalid);
    fact_num(r, "auth_mechs_over", (double)c->auth_over);
    fact_num(r, "exps_mechs_invalid", (double)c->exps_invalid);
    fact_num(r, "exps_mechs_over", (double)c->exps_over);
    size_t invalid = c->auth_invalid + c->exps_invalid, over = c->auth_over + c->exps_over;
    if (!invalid && !over)
        return NULL;
    strbuf sb = {0};
    if (invalid)
        sb_printf(&sb, "%zu offered mechanism name%s (AUTH %zu, X-EXPS %zu) %s no SASL name "
                  "and never sent", invalid, invalid == 1 ? "" : "s", c->auth_invalid,
                  c->exps_invalid, invalid == 1 ? "is" : "are");
    if (over)
        sb_printf(&sb, "%s%zu mechanism%s past the first %d of a list (AUTH %zu, X-EXPS %zu) "
                  "ignored: no real server offers that many", invalid ? "; " : "", over,
                  over == 1 ? "" : "s", EHLO_MECHS_MAX, c->auth_over, c->exps_over);
    return sb_steal(&sb);
}

static probe_status probe_ehlo(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_EHLO, &why);
    const ehlo_caps *c = probe_caps_plain(ctx);
    if (!s || !c) {
        probe_summary(r, "EHLO could not be done: %s", why ? why : "unknown");
        free(why);
        return ST_ERROR;
    }
    fact_bool(r, "used_helo", s->used_helo);
    if (s->used_helo) {
        fact_list(r, "keywords", NULL, 0);
        probe_summary(r, "The server refused EHLO and only speaks HELO: no extensions "
                         "(no STARTTLS, AUTH or XEXCH50) are possible");
        return ST_FAIL;
    }
    fact_str(r, "hello_name", c->hello_name ? c->hello_name : "");
    char *bad_name = NULL;
    free(probe_server_name(ctx, PROBE_NAME_HELLO, &bad_name));
    if (bad_name)
        fact_str(r, "hello_name_invalid", bad_name);
    char *dropped = dropped_mechs(r, c);
    probe_caps_facts(r, c, "");
    bool exchange_auth = (c->flags & (CAP_X_EXPS | CAP_X_ANONYMOUSTLS | CAP_XEXCH50)) != 0;
    fact_bool(r, "exchange_auth", exchange_auth);
    fact_num(r, "masked_lines", (double)c->masked_lines);
    probe_status st = ST_PASS;
    if (c->masked_lines) {
        probe_summary(r, "%zu EHLO lines are masked (XXXX): a firewall's SMTP inspection "
                         "is rewriting the server's extensions", c->masked_lines);
        st = ST_WARN;
    } else {
        probe_summary(r, "%zu extensions%s%s", c->nkeywords,
                      exchange_auth ? "; Exchange Server authentication keywords present" : "",
                      (c->flags & CAP_AUTH) ? "" : "; no AUTH offered before TLS");
    }
    /* What the server said that smtpwiz will not use: findings of their own. */
    if (bad_name || dropped) {
        char *sum = xstrdup(r->summary);
        probe_summary(r, "%s; %s%s%s", sum, bad_name ? bad_name : "",
                      bad_name && dropped ? "; " : "", dropped ? dropped : "");
        free(sum);
        st = ST_WARN;
    }
    free(bad_name);
    free(dropped);
    return st;
}

static const probe_fact_decl facts[] = {
    {"used_helo", FACT_BOOL, "EHLO was refused and HELO answered"},
    {"hello_name", FACT_STR, "the name on the server's 250 Hello line"},
    {"keywords", FACT_LIST, "the EHLO keywords, upper case, in order"},
    {"auth_mechs", FACT_LIST, "the AUTH mechanisms offered before TLS"},
    {"exps_mechs", FACT_LIST, "the X-EXPS mechanisms offered before TLS"},
    {"exchange_auth", FACT_BOOL, "X-EXPS, X-ANONYMOUSTLS or XEXCH50 is offered (Exchange "
                                 "Server authentication on the connector)"},
    {"masked_lines", FACT_NUM, "EHLO lines masked by a middlebox (XXXX)"},
    {"hello_name_invalid", FACT_STR, "why the hello name is not a valid host name (it is not used)"},
    {"auth_mechs_invalid", FACT_NUM, "AUTH words dropped: not a SASL mechanism name"},
    {"auth_mechs_over", FACT_NUM, "AUTH names dropped: past the first 16"},
    {"exps_mechs_invalid", FACT_NUM, "X-EXPS words dropped: not a SASL mechanism name"},
    {"exps_mechs_over", FACT_NUM, "X-EXPS names dropped: past the first 16"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_ehlo = {
    .name = "ehlo", .title = "EHLO capabilities", .fn = probe_ehlo, .facts = facts,
};
