/* advice: see advice.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "base/util.h"
#include "walk/advice.h"

static const char *fact_of(const wiz *w, const char *probe, const char *key)
{
    return fact_get_str(wiz_result(w, probe), key);
}

/* The first candidate that is a valid name of its kind; an invalid one is
 * noted and skipped (a later, valid one may still serve). */
typedef bool (*name_check)(const char *s, size_t len, char **why);

static char *pick(const char *const *cands, size_t n, name_check ok, const char *ph,
                  strbuf *notes)
{
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || !*cands[i])
            continue;
        char *why = NULL;
        size_t len = strlen(cands[i]);
        if (ok(cands[i], len, &why))
            return xstrndup(cands[i], names_trim_dot(cands[i], len));
        sb_printf(notes, "%s%s: not used for %s", notes->len ? "\n" : "", why, ph);
        free(why);
    }
    return NULL;
}

static char *first_label(const char *fqdn)
{
    return fqdn ? xstrndup(fqdn, strcspn(fqdn, ".")) : NULL;
}

void advice_names_get(const wiz *w, advice_names *n)
{
    memset(n, 0, sizeof *n);
    strbuf notes = {0};
    run_report rr;
    wiz_run_report(w, &rr);
    const char *fq[] = {fact_of(w, "ehlo", "hello_name"), fact_of(w, "ntlm-info", "dns_computer"),
                        fact_of(w, "banner", "host")};
    n->fqdn = pick(fq, 3, names_host, "<fqdn>", &notes);
    char *label = first_label(n->fqdn);
    const char *sv[] = {fact_of(w, "peer", "server_name"), fact_of(w, "ntlm-info", "netbios_computer"),
                        label};
    n->server = pick(sv, 3, names_netbios, "<server>", &notes);
    free(label);
    const char *dot = n->fqdn ? strchr(n->fqdn, '.') : NULL;
    const char *dm[] = {fact_of(w, "peer", "server_domain"), fact_of(w, "ntlm-info", "dns_domain"),
                        rr.o->domain, dot && dot[1] ? dot + 1 : NULL};
    n->domain = pick(dm, 4, names_domain, "<domain>", &notes);
    if (rr.o->dc && strcmp(rr.o->dc, "none") != 0) {
        char *dc = xstrndup(rr.o->dc, strcspn(rr.o->dc, " :,"));
        const char *d[] = {dc};
        n->dc = pick(d, 1, names_host, "<dc>", &notes);
        free(dc);
    }
    n->notes = notes.len ? sb_steal(&notes) : NULL;
    sb_free(&notes);
}

void advice_names_free(advice_names *n)
{
    free(n->server);
    free(n->fqdn);
    free(n->domain);
    free(n->dc);
    free(n->notes);
    memset(n, 0, sizeof *n);
}

char *advice_fill(const advice_names *n, const char *text)
{
    static const char *const ph[] = {"<server>", "<fqdn>", "<domain>", "<dc>"};
    const char *val[] = {n->server, n->fqdn, n->domain, n->dc};
    strbuf sb = {0};
    for (const char *p = text ? text : ""; *p;) {
        size_t i = 0;
        while (i < 4 && !(val[i] && strncmp(p, ph[i], strlen(ph[i])) == 0))
            i++;
        if (i < 4) {
            sb_puts(&sb, val[i]);
            p += strlen(ph[i]);
        } else {
            sb_putc(&sb, *p++);
        }
    }
    return sb_steal(&sb);
}
