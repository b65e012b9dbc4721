/* probe starttls: the TLS session a sending server would get, and what the
 * server offers before versus after TLS (KB843106 step 3 turns on that). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "base/util.h"
#include "probe/probe.h"

static void diff_keywords(probe_result *r, const ehlo_caps *a, const ehlo_caps *b)
{
    char **added = xcalloc(b->nkeywords + 1, sizeof *added);
    char **removed = xcalloc(a->nkeywords + 1, sizeof *removed);
    size_t na = 0, nr = 0;
    for (size_t i = 0; i < b->nkeywords; i++)
        if (!ehlo_caps_has_keyword(a, b->keywords[i]))
            added[na++] = b->keywords[i];
    for (size_t i = 0; i < a->nkeywords; i++)
        if (!ehlo_caps_has_keyword(b, a->keywords[i]))
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

/* One name of the certificate, judged as a host name (a leading "*." is a
 * wildcard's, not part of the name); an invalid one is added to bad. */
static void judge_cert_name(const char *name, size_t len, char ***bad, size_t *nbad)
{
    const char *n = name;
    size_t l = len;
    if (l > 2 && n[0] == '*' && n[1] == '.')
        n += 2, l -= 2;
    char *why = NULL;
    if (l == 0 || names_host(n, l, &why))
        return;
    *bad = xrealloc(*bad, (*nbad + 1) * sizeof **bad);
    (*bad)[(*nbad)++] = xasprintf("%s, in its certificate", why);
    free(why);
}

/* The certificate's names (the subject's CN, the SAN's DNS entries), each
 * validated.  smtpwiz reuses none of them (SNI and the name check use the
 * host asked for); an invalid one is a finding all the same: the fact
 * invalid_names, and the count for the summary.  The texts are tls.c's,
 * already escaped: escaping only adds backslashes, so a valid name stays
 * valid and an invalid one invalid. */
static size_t cert_names(probe_result *r, const tls_info *t)
{
    char **bad = NULL;
    size_t nbad = 0;
    for (const char *p = t->subject; p && (p = strstr(p, "CN=")) != NULL; p += 3) {
        if (p != t->subject && p[-1] != ',')
            continue;
        const char *v = p + 3, *e = v;
        while (*e && !(*e == ',' && e[-1] != '\\'))
            e++;
        judge_cert_name(v, (size_t)(e - v), &bad, &nbad);
    }
    for (const char *p = t->san; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n > 4 && strncmp(p, "DNS:", 4) == 0)
            judge_cert_name(p + 4, n - 4, &bad, &nbad);
        p += n;
        p += strspn(p, ", ");
    }
    if (nbad)
        fact_list(r, "invalid_names", bad, nbad);
    for (size_t i = 0; i < nbad; i++)
        free(bad[i]);
    free(bad);
    return nbad;
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

static probe_status probe_starttls(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    const ehlo_caps *plain = probe_session_stage(ctx, PROBE_STAGE_EHLO, &why)
                             ? probe_caps_plain(ctx) : NULL;
    if (!plain) {
        probe_summary(r, "Not tested: %s", why ? why : "EHLO did not complete");
        free(why);
        return ST_ERROR;
    }
    bool offered = (plain->flags & CAP_STARTTLS) != 0;
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
        if (probe_tls_error(ctx))
            probe_summary(r, "STARTTLS failed: %s%s", probe_tls_error(ctx),
                          s ? "; the other probes go on without TLS, and none sends "
                              "credentials without it in this run" : "");
        else
            probe_summary(r, "%s", why ? why : "STARTTLS failed: the handshake did not complete");
        free(why);
        return ST_FAIL;
    }
    cert_facts(r, &s->tls_info);
    size_t nbad = cert_names(r, &s->tls_info);
    const ehlo_caps *after = probe_caps_tls(ctx);
    if (after) {
        probe_caps_facts(r, after, "_after");
        diff_keywords(r, plain, after);
    }
    probe_status st = verdict(ctx, r, &s->tls_info);
    if (nbad) {
        char *sum = xstrdup(r->summary);
        probe_summary(r, "%s; the certificate holds %zu invalid host name%s (see invalid_names; "
                      "smtpwiz uses none of its names)", sum, nbad, nbad == 1 ? "" : "s");
        free(sum);
        if (st == ST_PASS)
            st = ST_WARN;
    }
    return st;
}

static const probe_fact_decl facts[] = {
    {"offered", FACT_BOOL, "STARTTLS is offered in EHLO"},
    {"verified", FACT_BOOL, "the certificate chain and host name both verify"},
    {"protocol", FACT_STR, "the TLS protocol version"},
    {"cipher", FACT_STR, "the cipher suite"},
    {"subject", FACT_STR, "the certificate's subject"},
    {"issuer", FACT_STR, "the certificate's issuer"},
    {"san", FACT_STR, "the certificate's subject alternative names"},
    {"not_before", FACT_STR, "start of validity, ISO 8601 UTC"},
    {"not_after", FACT_STR, "end of validity, ISO 8601 UTC"},
    {"key_type", FACT_STR, "the public key's type"},
    {"key_bits", FACT_NUM, "the public key's size in bits"},
    {"self_signed", FACT_BOOL, "the certificate signs itself"},
    {"expired", FACT_BOOL, "the certificate has expired"},
    {"chain_ok", FACT_BOOL, "the chain verifies against the trust store"},
    {"hostname_ok", FACT_BOOL, "the certificate names the host asked for"},
    {"verify_error", FACT_STR, "why the chain does not verify"},
    {"keywords_after", FACT_LIST, "the EHLO keywords inside TLS"},
    {"auth_mechs_after", FACT_LIST, "the AUTH mechanisms inside TLS"},
    {"exps_mechs_after", FACT_LIST, "the X-EXPS mechanisms inside TLS"},
    {"added_after_tls", FACT_LIST, "keywords offered only inside TLS"},
    {"removed_after_tls", FACT_LIST, "keywords offered only before TLS"},
    {"invalid_names", FACT_LIST, "the certificate's names (subject CN, SAN DNS) that are no "
                                 "valid host name"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_starttls = {
    .name = "starttls", .title = "STARTTLS", .fn = probe_starttls, .facts = facts,
};
