/* run: see run.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/run.h"

/* A recorded fact its probe does not declare, or declares with another
 * type, is a programming error the tests must catch. */
static void check_facts(const probe_decl *p, const probe_result *r)
{
    static int strict = -1;
    if (strict < 0)
        strict = getenv("SMTPWIZ_CHECK_FACTS") != NULL;
    if (!strict)
        return;
    for (size_t i = 0; i < r->nfacts; i++) {
        const probe_fact_decl *d = probe_fact_find(p, r->facts[i].key);
        if (d && d->type == r->facts[i].type)
            continue;
        fprintf(stderr, "smtpwiz: probe %s recorded fact \"%s\" (%s) that its declaration %s\n",
                p->name, r->facts[i].key, fact_type_name(r->facts[i].type),
                d ? "gives another type" : "does not list");
        abort();
    }
}

void probe_run(probe_ctx *ctx, const probe_decl *p, probe_result *r)
{
    memset(r, 0, sizeof *r);
    r->name = p->name;
    r->tr_first = ctx->tr.n;
    double t0 = util_now_ms();
    /* The run's deadline is checked before every probe (probe/policy.c). */
    if (probe_budget_start(ctx)) {
        r->status = p->fn(ctx, r);
    } else {
        char *why = probe_budget_expired_text(ctx);
        probe_summary(r, "Not run: %s", why);
        free(why);
        r->status = ST_ERROR;
        r->could_not_run = true;
    }
    probe_budget_stop(ctx);
    r->elapsed_ms = util_now_ms() - t0;
    r->tr_count = ctx->tr.n - r->tr_first;
    if (!r->summary)
        r->summary = xstrdup(probe_status_name(r->status));
    check_facts(p, r);
}

int probe_runs_index(const probe_runs *rs, const char *name)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->v[i].name, name) == 0)
            return (int)i;
    return -1;
}

const probe_result *probe_runs_get(const probe_runs *rs, const char *name)
{
    int i = rs ? probe_runs_index(rs, name) : -1;
    return i < 0 ? NULL : &rs->v[i];
}

int probe_runs_ensure(probe_runs *rs, probe_ctx *ctx, const char *name)
{
    int i = probe_runs_index(rs, name);
    if (i >= 0)
        return i;
    const probe_decl *p = probe_find(name);
    if (!p)
        return -1;
    for (size_t k = 0; p->needs[k]; k++)
        probe_runs_ensure(rs, ctx, p->needs[k]);
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    /* The probe reads earlier results through ctx->runs; nothing moves the
     * array while it runs (its needs ran above). */
    ctx->runs = rs;
    probe_run(ctx, p, &rs->v[rs->n]);
    return (int)rs->n++;
}

void probe_runs_forget(probe_runs *rs, const char *name)
{
    int i = probe_runs_index(rs, name);
    if (i < 0)
        return;
    probe_result_free(&rs->v[i]);
    memmove(&rs->v[i], &rs->v[i + 1], (rs->n - (size_t)i - 1) * sizeof *rs->v);
    rs->n--;
}

void probe_runs_free(probe_runs *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        probe_result_free(&rs->v[i]);
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}
