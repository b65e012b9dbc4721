/* catalog: see catalog.h.  A new probe: its file defines probe_decl_NAME,
 * and one line here puts it in run order. */
#include "config.h"

#include <string.h>

#include "base/util.h"
#include "probe/catalog.h"

extern const probe_decl probe_decl_connect, probe_decl_banner, probe_decl_ehlo,
    probe_decl_starttls, probe_decl_peer, probe_decl_auth, probe_decl_exps, probe_decl_ntlm_info,
    probe_decl_xexch50, probe_decl_clock, probe_decl_kdc_time, probe_decl_kerberos_ports,
    probe_decl_spn;

const probe_decl *const probe_catalog[] = {
    &probe_decl_connect, &probe_decl_banner, &probe_decl_ehlo, &probe_decl_starttls,
    &probe_decl_peer, &probe_decl_auth, &probe_decl_exps, &probe_decl_ntlm_info, &probe_decl_xexch50,
    &probe_decl_clock, &probe_decl_kdc_time, &probe_decl_kerberos_ports, &probe_decl_spn,
    NULL,
};

size_t probe_count(void)
{
    size_t n = 0;
    while (probe_catalog[n])
        n++;
    return n;
}

const probe_decl *probe_find(const char *name)
{
    for (size_t i = 0; probe_catalog[i]; i++)
        if (strcmp(probe_catalog[i]->name, name) == 0)
            return probe_catalog[i];
    return NULL;
}

bool probe_is_mech_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 20)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

const probe_fact_decl *probe_fact_find(const probe_decl *p, const char *name)
{
    const probe_fact_decl *per_mech = NULL;
    for (const probe_fact_decl *f = p->facts; f->name; f++) {
        if (strcmp(f->name, name) == 0)
            return f;
        if (strcmp(f->name, PROBE_FACT_PER_MECH) == 0)
            per_mech = f;
    }
    return per_mech && probe_is_mech_name(name) ? per_mech : NULL;
}

char *probe_facts_list(const probe_decl *p)
{
    strbuf sb = {0};
    for (const probe_fact_decl *f = p->facts; f->name; f++)
        sb_printf(&sb, "%s%s", sb.len ? " " : "", f->name);
    return sb_steal(&sb);
}

char *probe_names_list(void)
{
    strbuf sb = {0};
    for (size_t i = 0; probe_catalog[i]; i++)
        sb_printf(&sb, "%s%s", i ? " " : "", probe_catalog[i]->name);
    return sb_steal(&sb);
}

const char *fact_type_name(fact_type t)
{
    switch (t) {
    case FACT_STR: return "string";
    case FACT_NUM: return "number";
    case FACT_BOOL: return "yes/no";
    case FACT_LIST: return "list";
    }
    return "?";
}
