/* probe ntlm-info: an NTLM type-1 needs no credentials, and the type-2 the
 * server answers names the machine and domain and carries its clock.  The
 * exchange itself is the session's (probe_ntlm): clock and the Kerberos
 * probes use the same challenge. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"

static probe_status probe_ntlm_info(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    const ntlm_challenge *c = probe_ntlm(ctx, &why);
    if (!c) {
        probe_summary(r, "No NTLM challenge: %s", why ? why : "unknown");
        probe_status st = why && strstr(why, "offers NTLM neither") ? ST_SKIP : ST_ERROR;
        free(why);
        return st;
    }
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
    /* Shown escaped here; the probes that reuse a name (recipient, realm,
     * SPN, advice) take only the valid ones. */
    static const probe_name_src srcs[] = {
        PROBE_NAME_NTLM_DNS_COMPUTER, PROBE_NAME_NTLM_DNS_DOMAIN, PROBE_NAME_NTLM_DNS_TREE,
        PROBE_NAME_NTLM_NB_COMPUTER, PROBE_NAME_NTLM_NB_DOMAIN,
    };
    char **bad = NULL;
    size_t nbad = probe_invalid_names(ctx, srcs, sizeof srcs / sizeof *srcs, &bad);
    if (nbad)
        fact_list(r, "invalid_names", bad, nbad);
    probe_summary(r, "The server is %s in domain %s%s%s%s", c->dns_computer ? c->dns_computer :
                  (c->nb_computer ? c->nb_computer : "(unnamed)"),
                  c->dns_domain ? c->dns_domain : (c->nb_domain ? c->nb_domain : "(none)"),
                  c->has_timestamp ? "; its clock is readable" : "", nbad ? "; " : "",
                  nbad ? bad[0] : "");
    probe_invalid_names_free(bad, nbad);
    return nbad ? ST_WARN : ST_PASS;
}

static const probe_fact_decl facts[] = {
    {"netbios_computer", FACT_STR, "the server's NetBIOS computer name"},
    {"netbios_domain", FACT_STR, "the NetBIOS name of its Windows domain"},
    {"dns_computer", FACT_STR, "the server's DNS name"},
    {"dns_domain", FACT_STR, "the DNS name of its Windows domain"},
    {"dns_tree", FACT_STR, "the DNS name of its forest"},
    {"target_name", FACT_STR, "the challenge's target name"},
    {"os_version", FACT_STR, "the Windows version, MAJOR.MINOR.BUILD"},
    {"server_time", FACT_STR, "the challenge's timestamp in ISO 8601 UTC"},
    {"invalid_names", FACT_LIST, "the names of the challenge that are not valid (never reused)"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_ntlm_info = {
    .name = "ntlm-info", .title = "NTLM challenge", .fn = probe_ntlm_info, .facts = facts,
};
