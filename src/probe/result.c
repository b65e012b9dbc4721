/* result: see result.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/result.h"

const char *probe_status_name(probe_status s)
{
    static const char *const n[PROBE_NSTATUS] = {"pass", "warn", "fail", "skip", "error"};
    return (unsigned)s < PROBE_NSTATUS ? n[s] : "error";
}

int probe_status_parse(const char *name)
{
    for (int i = 0; i < PROBE_NSTATUS; i++)
        if (strcmp(name, probe_status_name((probe_status)i)) == 0)
            return i;
    return -1;
}

void probe_result_free(probe_result *r)
{
    for (size_t i = 0; i < r->nfacts; i++) {
        fact *f = &r->facts[i];
        free(f->key);
        free(f->str);
        for (size_t j = 0; j < f->nlist; j++)
            free(f->list[j]);
        free(f->list);
    }
    free(r->facts);
    free(r->summary);
    memset(r, 0, sizeof *r);
}

void probe_summary(probe_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    free(r->summary);
    /* Summaries quote server text: escaped, and bounded (a 64 KiB reply). */
    r->summary = util_escape_capped(raw, strlen(raw), 2048);
    free(raw);
}

/* Replace a fact of the same key, else append. */
static fact *fact_slot(probe_result *r, const char *key)
{
    for (size_t i = 0; i < r->nfacts; i++) {
        fact *f = &r->facts[i];
        if (strcmp(f->key, key) == 0) {
            free(f->str);
            for (size_t j = 0; j < f->nlist; j++)
                free(f->list[j]);
            free(f->list);
            char *k = f->key;
            memset(f, 0, sizeof *f);
            f->key = k;
            return f;
        }
    }
    r->facts = xrealloc(r->facts, (r->nfacts + 1) * sizeof *r->facts);
    fact *f = &r->facts[r->nfacts++];
    memset(f, 0, sizeof *f);
    f->key = xstrdup(key);
    return f;
}

void fact_str(probe_result *r, const char *key, const char *val)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_STR;
    f->str = util_escape_capped(val ? val : "", val ? strlen(val) : 0, 2048);
}

void fact_num(probe_result *r, const char *key, double val)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_NUM;
    f->num = val;
}

void fact_bool(probe_result *r, const char *key, bool val)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_BOOL;
    f->b = val;
}

void fact_list(probe_result *r, const char *key, char *const *items, size_t n)
{
    /* Bounded: 512 bytes an item, and the items past 16 KiB in all are
     * only counted, in a last item. */
    enum { ITEM_CAP = 512, LIST_CAP = 16384 };
    fact *f = fact_slot(r, key);
    f->type = FACT_LIST;
    f->list = xcalloc(n ? n + 1 : 1, sizeof *f->list);
    size_t total = 0, i = 0;
    for (; i < n && total < LIST_CAP; i++) {
        f->list[i] = util_escape_capped(items[i], strlen(items[i]), ITEM_CAP);
        total += strlen(f->list[i]);
    }
    f->nlist = i;
    if (i < n)
        f->list[f->nlist++] = xasprintf("(%zu more not kept)", n - i);
}

char *fact_text(const fact *f)
{
    switch (f->type) {
    case FACT_STR: return xstrdup(f->str ? f->str : "");
    case FACT_NUM: return xasprintf("%g", f->num);
    case FACT_BOOL: return xstrdup(f->b ? "yes" : "no");
    case FACT_LIST: break;
    }
    if (f->nlist == 0)
        return xstrdup("(none)");
    bool sentences = false;
    for (size_t k = 0; k < f->nlist && !sentences; k++)
        sentences = strchr(f->list[k], ' ') != NULL;
    strbuf sb = {0};
    for (size_t k = 0; k < f->nlist; k++)
        sb_printf(&sb, "%s%s", k ? (sentences ? "; " : " ") : "", f->list[k]);
    return sb_steal(&sb);
}

const fact *fact_get(const probe_result *r, const char *key)
{
    for (size_t i = 0; i < r->nfacts; i++)
        if (strcmp(r->facts[i].key, key) == 0)
            return &r->facts[i];
    return NULL;
}

const char *fact_get_str(const probe_result *r, const char *key)
{
    const fact *f = r ? fact_get(r, key) : NULL;
    return f && f->type == FACT_STR ? f->str : NULL;
}
