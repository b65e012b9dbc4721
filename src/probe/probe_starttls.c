/* probe starttls: the TLS session a sending server would get, and what the
 * server offers before versus after TLS (KB843106 step 3 turns on that). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "base/util.h"

static void diff_keywords(probe_result *r, const smtp_caps *a, const smtp_caps *b)
{
    char **added = xcalloc(b->nkeywords + 1, sizeof *added);
    char **removed = xcalloc(a->nkeywords + 1, sizeof *removed);
    size_t na = 0, nr = 0;
    for (size_t i = 0; i < b->nkeywords; i++)
        if (!smtp_caps_has_keyword(a, b->keywords[i]))
            added[na++] = b->keywords[i];
    for (size_t i = 0; i < a->nkeywords; i++)
        if (!smtp_caps_has_keyword(b, a->keywords[i]))
            removed[nr++] = a->keywords[i];
    fact_list(r, "added_after_tls", added, na);
    fact_list(r, "removed_after_tls", removed, nr);
    free(added);
    free(removed);
}

static void cert_facts(probe_result *r, const tls_info *t)
{
    fact_str(r, "protocol", t->protocol);
    fact_str(r, "cipher", t->cipher);
    fact_str(r, "subject", t->subject);
    fact_str(r, "issuer", t->issuer);
    if (t->san)
        fact_str(r, "san", t->san);
    fact_str(r, "not_before", t->not_before);
    fact_str(r, "not_after", t->not_after);
    if (t->key_type)
        fact_str(r, "key_type", t->key_type);
    fact_num(r, "key_bits", t->key_bits);
    fact_bool(r, "self_signed", t->self_signed);
    fact_bool(r, "expired", t->expired);
    fact_bool(r, "chain_ok", t->chain_ok);
    fact_bool(r, "hostname_ok", t->hostname_ok);
    fact_bool(r, "verified", t->verified);
    if (t->verify_error)
        fact_str(r, "verify_error", t->verify_error);
}

/* Protocols no current client should need: reported, never refused. */
static bool obsolete_protocol(const char *p)
{
    return p && (strcmp(p, "SSLv3") == 0 || strcmp(p, "TLSv1") == 0 || strcmp(p, "TLSv1.1") == 0);
}

static probe_status verdict(probe_ctx *ctx, probe_result *r, const tls_info *t)
{
    if (obsolete_protocol(t->protocol)) {
        probe_summary(r, "TLS works only as far as %s (%s), an obsolete protocol that current "
                      "Exchange and Windows releases turn off; the certificate is %s",
                      t->protocol, t->cipher, t->verified ? "trusted" : "not trusted");
        return ST_WARN;
    }
    if (t->verified) {
        probe_summary(r, "TLS works (%s, %s) and the certificate is trusted for %s",
                      t->protocol, t->cipher, ctx->o.host);
        return ST_PASS;
    }
    if (!t->chain_ok)
        probe_summary(r, "TLS works (%s) but the certificate is not trusted: %s%s", t->protocol,
                      t->verify_error ? t->verify_error : "unknown reason",
                      t->expired ? " (it has expired)" : "");
    else
        probe_summary(r, "TLS works (%s) but the certificate does not name %s", t->protocol,
                      ctx->o.host);
    return ST_WARN;
}

probe_status probe_starttls(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    if (!probe_session_stage(ctx, PROBE_STAGE_EHLO, &why)) {
        probe_summary(r, "Not tested: %s", why);
        return ST_ERROR;
    }
    bool offered = (ctx->caps_plain.flags & CAP_STARTTLS) != 0;
    fact_bool(r, "offered", offered);
    if (ctx->o.starttls == TLS_NEVER) {
        probe_summary(r, "Not tested (--starttls never)%s", offered ? "; the server offers it" : "");
        return ST_SKIP;
    }
    if (!offered && ctx->o.starttls == TLS_AUTO) {
        fact_bool(r, "verified", false);
        probe_summary(r, "The server does not offer STARTTLS: mail to it travels unencrypted "
                         "(a firewall's SMTP inspection can also remove it)");
        return ST_WARN;
    }
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_READY, &why);
    if (!s || !s->tls) {
        fact_bool(r, "verified", false);
        /* Under "auto" the session went on in plain text: the TLS error is
         * kept apart.  Otherwise why already says "STARTTLS ...". */
        if (ctx->tls_error)
            probe_summary(r, "STARTTLS failed: %s%s", ctx->tls_error,
                          s ? "; the other probes go on without TLS" : "");
        else
            probe_summary(r, "%s", why ? why : "STARTTLS failed: the handshake did not complete");
        return ST_FAIL;
    }
    cert_facts(r, &s->tls_info);
    if (ctx->have_caps_tls) {
        probe_caps_facts(r, &ctx->caps_tls, "_after");
        diff_keywords(r, &ctx->caps_plain, &ctx->caps_tls);
    }
    return verdict(ctx, r, &s->tls_info);
}
