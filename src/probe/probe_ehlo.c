/* probe ehlo: what the server offers before TLS, read the way an Exchange
 * admin needs it (Exchange Server authentication keywords, IWA mechanisms). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "base/util.h"

void probe_caps_facts(probe_result *r, const smtp_caps *c, const char *suffix)
{
    char key[64];
    snprintf(key, sizeof key, "keywords%s", suffix);
    fact_list(r, key, c->keywords, c->nkeywords);
    snprintf(key, sizeof key, "auth_mechs%s", suffix);
    fact_list(r, key, c->auth_mechs, c->nauth);
    snprintf(key, sizeof key, "exps_mechs%s", suffix);
    fact_list(r, key, c->exps_mechs, c->nexps);
}

probe_status probe_ehlo(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_EHLO, &why);
    if (!s || !ctx->have_caps_plain) {
        probe_summary(r, "EHLO could not be done: %s", why ? why : "unknown");
        return ST_ERROR;
    }
    fact_bool(r, "used_helo", s->used_helo);
    if (s->used_helo) {
        fact_list(r, "keywords", NULL, 0);
        probe_summary(r, "The server refused EHLO and only speaks HELO: no extensions "
                         "(no STARTTLS, AUTH or XEXCH50) are possible");
        return ST_FAIL;
    }
    const smtp_caps *c = &ctx->caps_plain;
    fact_str(r, "hello_name", c->hello_name ? c->hello_name : "");
    probe_caps_facts(r, c, "");
    bool exchange_auth = (c->flags & (CAP_X_EXPS | CAP_X_ANONYMOUSTLS | CAP_XEXCH50)) != 0;
    fact_bool(r, "exchange_auth", exchange_auth);
    fact_num(r, "masked_lines", (double)c->masked_lines);
    if (c->masked_lines) {
        probe_summary(r, "%zu EHLO lines are masked (XXXX): a firewall's SMTP inspection "
                         "is rewriting the server's extensions", c->masked_lines);
        return ST_WARN;
    }
    probe_summary(r, "%zu extensions%s%s", c->nkeywords,
                  exchange_auth ? "; Exchange Server authentication keywords present" : "",
                  (c->flags & CAP_AUTH) ? "" : "; no AUTH offered before TLS");
    return ST_PASS;
}
