/* server_names: the names a server announces (EHLO hello name, greeting
 * host, the NTLM challenge's names), each checked with base/names.h before
 * a probe puts it into a recipient, a principal, an SPN or advice to paste.
 * Nothing is stored: the session keeps the raw names (probe.h), and this
 * file judges them when asked, so every use goes through the same rule. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "base/util.h"
#include "probe/probe.h"

typedef bool (*name_rule)(const char *s, size_t len, char **why);

static const struct {
    name_rule ok;
    const char *where;
} sources[PROBE_NAME_COUNT] = {
    [PROBE_NAME_HELLO] = {names_host, "in its EHLO reply"},
    [PROBE_NAME_BANNER] = {names_host, "in its greeting"},
    [PROBE_NAME_NTLM_DNS_COMPUTER] = {names_host, "as its DNS name in the NTLM challenge"},
    [PROBE_NAME_NTLM_DNS_DOMAIN] = {names_domain, "in its NTLM challenge"},
    [PROBE_NAME_NTLM_DNS_TREE] = {names_domain, "as its forest in the NTLM challenge"},
    [PROBE_NAME_NTLM_NB_COMPUTER] = {names_netbios, "as its computer name in the NTLM challenge"},
    [PROBE_NAME_NTLM_NB_DOMAIN] = {names_netbios, "as its domain in the NTLM challenge"},
};

static const char *raw_name(const probe_ctx *ctx, probe_name_src src)
{
    const ehlo_caps *c = probe_caps_plain(ctx);
    const banner_info *b = probe_banner_info(ctx);
    const ntlm_challenge *n = probe_ntlm_seen(ctx);
    switch (src) {
    case PROBE_NAME_HELLO: return c ? c->hello_name : NULL;
    case PROBE_NAME_BANNER: return b ? b->host : NULL;
    case PROBE_NAME_NTLM_DNS_COMPUTER: return n ? n->dns_computer : NULL;
    case PROBE_NAME_NTLM_DNS_DOMAIN: return n ? n->dns_domain : NULL;
    case PROBE_NAME_NTLM_DNS_TREE: return n ? n->dns_tree : NULL;
    case PROBE_NAME_NTLM_NB_COMPUTER: return n ? n->nb_computer : NULL;
    case PROBE_NAME_NTLM_NB_DOMAIN: return n ? n->nb_domain : NULL;
    default: return NULL;
    }
}

/* An address where a name may stand ("10.0.0.1", "[10.0.0.1]",
 * "[IPv6:::1]"): no name, and nothing wrong with it. */
static bool is_address(const char *s)
{
    char buf[64];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return false;
    if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
        if (n > 5 && strncmp(s, "IPv6:", 5) == 0)
            s += 5, n -= 5;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    unsigned char a[16];
    return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

char *probe_server_name(const probe_ctx *ctx, probe_name_src src, char **why)
{
    if ((unsigned)src >= PROBE_NAME_COUNT)
        return NULL;
    const char *s = raw_name(ctx, src);
    if (!s || !*s || is_address(s))
        return NULL;
    size_t len = strlen(s);
    char *bad = NULL;
    if (sources[src].ok(s, len, why ? &bad : NULL))
        return xstrndup(s, names_trim_dot(s, len));
    if (why)
        *why = xasprintf("%s, %s", bad, sources[src].where);
    free(bad);
    return NULL;
}

size_t probe_invalid_names(const probe_ctx *ctx, const probe_name_src *srcs, size_t n,
                           char ***out)
{
    char **v = xcalloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char *why = NULL;
        free(probe_server_name(ctx, srcs[i], &why));
        if (why)
            v[k++] = why;
    }
    *out = v;
    return k;
}

void probe_invalid_names_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
