/* kb_check: the checks that make a loaded article safe to walk.  A walk
 * must never meet a step that does not exist, loop, or run out of branches
 * before a conclusion; a tree that could is refused with file:line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "base/util.h"

typedef struct kb_edge {
    const char *target;
    int line;
} kb_edge;

/* Every branch of a step, in a fixed order (allocated: a step may have any
 * number of `when` lines, and a branch left out would escape the checks). */
static kb_edge *step_edges(const kb_step *s, size_t *count)
{
    kb_edge *out = xcalloc(s->nwhens + KB_NSTATUS + 4, sizeof *out);
    size_t n = 0;
#define EDGE(t, l) do { if (t) { out[n].target = (t); out[n].line = (l); n++; } } while (0)
    for (size_t i = 0; i < s->nwhens; i++)
        EDGE(s->whens[i].target, s->whens[i].line);
    for (int i = 0; i < KB_NSTATUS; i++)
        EDGE(s->on[i], s->on_line[i]);
    EDGE(s->dflt, s->dflt_line);
    EDGE(s->yes, s->yes_line);
    EDGE(s->no, s->no_line);
    EDGE(s->unknown, s->unknown_line);
#undef EDGE
    *count = n;
    return out;
}

static void check_conds(const kb_article *a, const kb_step *s, kb_errors *e)
{
    for (size_t i = 0; i < s->nwhens; i++) {
        for (size_t j = 0; j < s->whens[i].nconds; j++) {
            const kb_cond *c = &s->whens[i].conds[j];
            if (!probe_find(c->probe)) {
                kb_errors_add(e, a->file, s->whens[i].line, "unknown probe \"%s\" in a condition",
                              c->probe);
            } else if (!kb_fact_known(c->probe, c->fact)) {
                char *known = kb_facts_list(c->probe);
                kb_errors_add(e, a->file, s->whens[i].line,
                              "probe \"%s\" has no fact \"%s\" (it has: %s)", c->probe, c->fact, known);
                free(known);
            }
        }
    }
}

static void check_probe_step(const kb_article *a, const kb_step *s, kb_errors *e)
{
    static const char *const names[] = {"pass", "warn", "fail", "skip"};
    if (!s->probe) {
        kb_errors_add(e, a->file, s->line, "probe step \"%s\" names no probe (add `probe = NAME`)",
                      s->id);
    } else if (!probe_find(s->probe)) {
        char *known = probe_names_list();
        kb_errors_add(e, a->file, s->probe_line, "unknown probe \"%s\" (known: %s)", s->probe,
                      known);
        free(known);
    }
    for (int i = 0; i < 4; i++)
        if (!s->on[i] && !s->dflt)
            kb_errors_add(e, a->file, s->line,
                          "step \"%s\" has no branch for status %s: that walk would end without a "
                          "conclusion (add `%s = STEP` or `default = STEP`)", s->id, names[i], names[i]);
    check_conds(a, s, e);
    if (s->ask || s->yes || s->no || s->unknown || s->means || s->fix)
        kb_errors_add(e, a->file, s->line, "probe step \"%s\" has question or conclusion keys", s->id);
}

static void check_step(const kb_article *a, const kb_step *s, kb_errors *e)
{
    if (strcmp(s->id, KB_STOP) == 0)
        kb_errors_add(e, a->file, s->line, "\"%s\" is reserved (it ends a walk with an error outcome)",
                      KB_STOP);
    /* A conclusion's `means` is its why. */
    if (!s->why && s->kind != KB_CONCLUSION)
        kb_errors_add(e, a->file, s->line, "step \"%s\" has no `why` (what it checks, what the "
                      "result means)", s->id);
    if (!s->title)
        kb_errors_add(e, a->file, s->line, "step \"%s\" has no title", s->id);
    switch (s->kind) {
    case KB_PROBE:
        check_probe_step(a, s, e);
        break;
    case KB_QUESTION:
        if (!s->ask || !s->how)
            kb_errors_add(e, a->file, s->line, "question \"%s\" needs `ask` and `how` (the exact "
                          "manual check)", s->id);
        if (!s->yes || !s->no || !s->unknown)
            kb_errors_add(e, a->file, s->line, "question \"%s\" needs yes, no and unknown branches: "
                          "otherwise a walk can end without a conclusion", s->id);
        if (s->probe || s->nwhens || s->dflt)
            kb_errors_add(e, a->file, s->line, "question \"%s\" has probe keys", s->id);
        break;
    case KB_CONCLUSION: {
        size_t n;
        free(step_edges(s, &n));
        if (!s->means || !s->fix)
            kb_errors_add(e, a->file, s->line, "conclusion \"%s\" needs `means` and `fix`", s->id);
        if (n || s->probe)
            kb_errors_add(e, a->file, s->line, "conclusion \"%s\" must not branch", s->id);
        break;
    }
    default:
        kb_errors_add(e, a->file, s->line, "step \"%s\" has no kind (probe, question or conclusion)",
                      s->id);
    }
}

static void check_targets(const kb_article *a, kb_errors *e)
{
    for (size_t i = 0; i < a->nsteps; i++) {
        size_t n;
        kb_edge *ed = step_edges(&a->steps[i], &n);
        for (size_t j = 0; j < n; j++)
            if (strcmp(ed[j].target, KB_STOP) != 0 && !kb_step_find(a, ed[j].target))
                kb_errors_add(e, a->file, ed[j].line, "branch to missing step \"%s\"", ed[j].target);
        free(ed);
    }
    for (size_t i = 0; i < a->npatterns; i++) {
        const kb_pattern *p = &a->patterns[i];
        if (!p->match || !p->step || !p->what)
            kb_errors_add(e, a->file, p->line, "triage pattern \"%s\" needs match, step and what",
                          p->name);
        else if (!kb_step_find(a, p->step))
            kb_errors_add(e, a->file, p->line, "triage pattern \"%s\" enters missing step \"%s\"",
                          p->name, p->step);
    }
}

static void check_duplicates(const kb_article *a, kb_errors *e)
{
    for (size_t i = 0; i < a->nsteps; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->steps[i].id, a->steps[j].id) == 0) {
                kb_errors_add(e, a->file, a->steps[i].line, "duplicate step id \"%s\" (first at line %d)",
                              a->steps[i].id, a->steps[j].line);
                break;
            }
    for (size_t i = 0; i < a->npatterns; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->patterns[i].name, a->patterns[j].name) == 0) {
                kb_errors_add(e, a->file, a->patterns[i].line,
                              "duplicate triage pattern \"%s\" (first at line %d)",
                              a->patterns[i].name, a->patterns[j].line);
                break;
            }
}

enum { WHITE, GREY, BLACK };

/* Depth-first from the start: marks what is reachable and reports the
 * first edge that closes a cycle, naming the loop. */
static void dfs(const kb_article *a, size_t i, int *color, size_t *stack, size_t depth, kb_errors *e)
{
    color[i] = GREY;
    stack[depth] = i;
    size_t n;
    kb_edge *ed = step_edges(&a->steps[i], &n);
    for (size_t j = 0; j < n; j++) {
        const kb_step *t = kb_step_find(a, ed[j].target);
        if (!t)
            continue;
        size_t ti = (size_t)(t - a->steps);
        if (color[ti] == GREY) {
            strbuf sb = {0};
            size_t k = depth;
            while (k > 0 && stack[k] != ti)
                k--;
            for (; k <= depth; k++)
                sb_printf(&sb, "%s -> ", a->steps[stack[k]].id);
            sb_puts(&sb, t->id);
            kb_errors_add(e, a->file, ed[j].line, "cycle: %s (a walk would never end)", sb.buf);
            sb_free(&sb);
        } else if (color[ti] == WHITE) {
            dfs(a, ti, color, stack, depth + 1, e);
        }
    }
    free(ed);
    color[i] = BLACK;
}

static void check_graph(const kb_article *a, kb_errors *e)
{
    const kb_step *start = kb_step_find(a, a->start);
    if (!a->start) {
        kb_errors_add(e, a->file, 1, "[article] has no `start = STEP`");
        return;
    }
    if (!start) {
        kb_errors_add(e, a->file, a->start_line, "start step \"%s\" does not exist", a->start);
        return;
    }
    int *color = xcalloc(a->nsteps, sizeof *color);
    size_t *stack = xcalloc(a->nsteps + 1, sizeof *stack);
    dfs(a, (size_t)(start - a->steps), color, stack, 0, e);
    for (size_t i = 0; i < a->nsteps; i++)
        if (color[i] == WHITE && kb_step_find(a, a->steps[i].id) == &a->steps[i])
            kb_errors_add(e, a->file, a->steps[i].line,
                          "step \"%s\" is unreachable from the start step \"%s\"", a->steps[i].id,
                          a->start);
    free(color);
    free(stack);
}

void kb_validate(const kb_article *a, kb_errors *e)
{
    if (!a->id || !a->title || !a->source)
        kb_errors_add(e, a->file, 1, "[article] needs id, title and source");
    check_duplicates(a, e);
    for (size_t i = 0; i < a->nsteps; i++)
        check_step(a, &a->steps[i], e);
    check_targets(a, e);
    check_graph(a, e);
}
