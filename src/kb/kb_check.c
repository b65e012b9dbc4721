/* kb_check: the checks that make a loaded article safe to walk.  A walk
 * must never meet a step that does not exist, loop, or run out of branches
 * before a conclusion; a tree that could is refused with file:line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "kb/kb_text.h"
#include "base/util.h"

/* What a branch of a probe step rests on, for the evidence rules. */
typedef enum { EDGE_MEASURED, EDGE_UNTESTED, EDGE_ANSWER_YES, EDGE_ANSWER_NO,
               EDGE_ANSWER_UNKNOWN } edge_basis;

typedef struct kb_edge {
    const kb_branch *br;
    const char *name;      /* "when", "pass" ... "default", "yes" ... for messages */
    edge_basis basis;
} kb_edge;

static bool is_reserved(const char *t)
{
    return strcmp(t, KB_STOP) == 0 || strcmp(t, KB_INCONCLUSIVE) == 0;
}

/* Every branch of a step, in a fixed order (allocated: a step may have any
 * number of `when` lines, and a branch left out would escape the checks).
 * The default counts as untested when it stands in for skip or error. */
static kb_edge *step_edges(const kb_step *s, size_t *count)
{
    static const char *const st[KB_NSTATUS] = {"pass", "warn", "fail", "skip", "error"};
    kb_edge *out = xcalloc(s->nwhens + KB_NSTATUS + 4, sizeof *out);
    size_t n = 0;
#define EDGE(b, nm, bs) do { if ((b)->target) out[n++] = (kb_edge){(b), (nm), (bs)}; } while (0)
    for (size_t i = 0; i < s->nwhens; i++)
        EDGE(&s->whens[i].br, "when", EDGE_MEASURED);
    for (int i = 0; i < KB_NSTATUS; i++)
        EDGE(&s->on[i], st[i], i >= ST_SKIP ? EDGE_UNTESTED : EDGE_MEASURED);
    EDGE(&s->dflt, "default", s->on[ST_SKIP].target ? EDGE_MEASURED : EDGE_UNTESTED);
    EDGE(&s->yes, "yes", EDGE_ANSWER_YES);
    EDGE(&s->no, "no", EDGE_ANSWER_NO);
    EDGE(&s->unknown, "unknown", EDGE_ANSWER_UNKNOWN);
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
                kb_errors_add(e, a->file, s->whens[i].br.line, "unknown probe \"%s\" in a condition",
                              c->probe);
            } else if (!kb_fact_known(c->probe, c->fact)) {
                char *known = kb_facts_list(c->probe);
                kb_errors_add(e, a->file, s->whens[i].br.line,
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
        if (!s->on[i].target && !s->dflt.target)
            kb_errors_add(e, a->file, s->line,
                          "step \"%s\" has no branch for status %s: that walk would end without a "
                          "conclusion (add `%s = STEP` or `default = STEP`)", s->id, names[i], names[i]);
    check_conds(a, s, e);
    if (s->ask || s->yes.target || s->no.target || s->unknown.target || s->means || s->fix)
        kb_errors_add(e, a->file, s->line, "probe step \"%s\" has question or conclusion keys", s->id);
}

/* A command a junior would copy must stand on a line of its own, marked
 * "$ ", or the screens would wrap it into the prose around it. */
static void check_commands(const kb_article *a, const kb_step *s, kb_errors *e)
{
    const struct { const char *key, *text; } t[] = {
        {"why", s->why}, {"ask", s->ask}, {"how", s->how}, {"means", s->means}, {"fix", s->fix},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        for (const char *p = t[i].text; p && *p;) {
            size_t len = strcspn(p, "\n");
            char *line = xstrndup(p, len);
            if (strncmp(line, KB_CMD_MARK, strlen(KB_CMD_MARK)) != 0 &&
                kb_text_looks_like_command(line))
                kb_errors_add(e, a->file, s->line, "the `%s` of step \"%s\" has a command in its "
                              "prose (\"%.40s\"): put it on a line of its own that starts with "
                              "\"%s\"", t[i].key, s->id, line, KB_CMD_MARK);
            free(line);
            p += len + (p[len] == '\n');
        }
    }
}

static void check_step(const kb_article *a, const kb_step *s, kb_errors *e)
{
    check_commands(a, s, e);
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
        if (!s->yes.target || !s->no.target || !s->unknown.target)
            kb_errors_add(e, a->file, s->line, "question \"%s\" needs yes, no and unknown branches: "
                          "otherwise a walk can end without a conclusion", s->id);
        if (s->probe || s->nwhens || s->dflt.target)
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
            if (!is_reserved(ed[j].br->target) && !kb_step_find(a, ed[j].br->target))
                kb_errors_add(e, a->file, ed[j].br->line, "branch to missing step \"%s\"",
                              ed[j].br->target);
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
        const kb_step *t = kb_step_find(a, ed[j].br->target);
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
            kb_errors_add(e, a->file, ed[j].br->line, "cycle: %s (a walk would never end)", sb.buf);
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

/* The evidence rules: a finding needs evidence or a "yes"; a branch
 * explains itself; what it rules out is a cause of this article. */
static void check_edge(const kb_article *a, const kb_step *s, const kb_edge *ed, kb_errors *e)
{
    const kb_branch *b = ed->br;
    const kb_step *t = kb_step_find(a, b->target);
    if (s->kind == KB_PROBE && !b->because)
        kb_errors_add(e, a->file, b->line, "the %s branch of \"%s\" has no `because = ...` "
                      "line after it: the sentence the admin reads instead of the rule", ed->name,
                      s->id);
    if (t && kb_is_finding(t) && (ed->basis == EDGE_UNTESTED || ed->basis == EDGE_ANSWER_UNKNOWN))
        kb_errors_add(e, a->file, b->line, "the %s branch of \"%s\" concludes \"%s\" from %s: "
                      "a finding needs evidence or a yes (send it to the next check, or to %s)",
                      ed->name, s->id, t->id, ed->basis == EDGE_UNTESTED
                      ? "a probe that did not test it" : "\"don't know\"", KB_INCONCLUSIVE);
    if (t && kb_is_finding(t) && b->untested)
        kb_errors_add(e, a->file, b->line, "the %s branch of \"%s\" is untested, yet concludes "
                      "\"%s\": a test the server refused proves nothing", ed->name, s->id, t->id);
    if (t && kb_is_finding(t) && ed->basis == EDGE_ANSWER_NO)
        kb_errors_add(e, a->file, b->line, "the no branch of \"%s\" concludes \"%s\": phrase "
                      "the question so that yes is the finding", s->id, t->id);
    for (size_t k = 0; k < b->nrules_out; k++) {
        const kb_step *c = kb_step_find(a, b->rules_out[k]);
        if (!c || !kb_is_cause(c))
            kb_errors_add(e, a->file, b->line, "rules_out names \"%s\", which is not a fault "
                          "conclusion of this article", b->rules_out[k]);
        if (ed->basis == EDGE_UNTESTED || ed->basis == EDGE_ANSWER_UNKNOWN ||
            ed->basis == EDGE_ANSWER_YES || b->untested)
            kb_errors_add(e, a->file, b->line, "the %s branch of \"%s\" cannot rule \"%s\" out: "
                          "only evidence or a no can", ed->name, s->id, b->rules_out[k]);
    }
}

/* no-fault-found needs every cause ruled out: a cause no branch can rule
 * out would make the all-clear unreachable by honest means. */
static void check_causes(const kb_article *a, kb_errors *e)
{
    for (size_t i = 0; i < a->nsteps; i++) {
        const kb_step *c = &a->steps[i];
        if (!kb_is_cause(c))
            continue;
        bool ruled = false;
        for (size_t j = 0; j < a->nsteps && !ruled; j++) {
            size_t n;
            kb_edge *ed = step_edges(&a->steps[j], &n);
            for (size_t k = 0; k < n && !ruled; k++)
                ruled = kb_branch_rules_out(ed[k].br, c->id);
            free(ed);
        }
        if (!ruled)
            kb_errors_add(e, a->file, c->line, "no branch rules out \"%s\" (add `rules_out = %s` "
                          "after the branch that shows it is not the cause)", c->id, c->id);
    }
}

static void check_evidence(const kb_article *a, kb_errors *e)
{
    for (size_t i = 0; i < a->nsteps; i++) {
        size_t n;
        kb_edge *ed = step_edges(&a->steps[i], &n);
        for (size_t j = 0; j < n; j++)
            check_edge(a, &a->steps[i], &ed[j], e);
        free(ed);
    }
    check_causes(a, e);
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
    check_evidence(a, e);
}
