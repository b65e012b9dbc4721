/* probe_krb: names for the Kerberos probes, taken from what the SMTP side
 * already told us (EHLO name, banner, NTLM) so no extra input is needed
 * beyond --dc / --realm when DNS cannot answer. */
#include "config.h"

#include <arpa/inet.h>
#include <krb5.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_krb.h"
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
    char *why = NULL;
    probe_session_stage(ctx, PROBE_STAGE_EHLO, &why);
    free(why);
    const smtp_caps *c = probe_caps_plain(ctx);
    const banner_info *b = probe_banner_info(ctx);
    if (c && is_fqdn(c->hello_name))
        return xstrdup(c->hello_name);
    if (b && is_fqdn(b->host))
        return xstrdup(b->host);
    return NULL;
}

char *probe_krb_domain(probe_ctx *ctx)
{
    const ntlm_challenge *n = probe_ntlm_seen(ctx);
    if (n && n->dns_domain && n->dns_domain[0])
        return xstrdup(n->dns_domain);
    char *fqdn = probe_krb_fqdn(ctx);
    if (!fqdn && is_fqdn(ctx->o.host))
        fqdn = xstrdup(ctx->o.host);
    char *dom = NULL;
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
    return dom;
}

int probe_krb_targets(probe_ctx *ctx, kdc_list *out, char **why)
{
    if (ctx->o.dc && strcmp(ctx->o.dc, "none") == 0) {
        /* The lab plays real-looking domains (fabrikam.com): never let a
         * practice run look their domain controllers up on the Internet. */
        memset(out, 0, sizeof *out);
        *why = xstrdup("no domain controller is to be asked (--dc none)");
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
    int rc = kdc_list_from_srv(dom, out, why);
    free(dom);
    return rc;
}

bool probe_krb_have_ccache(char **principal)
{
    krb5_context kc;
    krb5_ccache cc = NULL;
    krb5_principal me = NULL;
    if (krb5_init_context(&kc) != 0)
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
