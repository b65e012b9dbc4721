/* evidence: see evidence.h. */
#include "config.h"

#include <string.h>

#include "walk/evidence.h"

bool ev_ruled_out(const wiz_visit *path, size_t n, const char *cause)
{
    for (size_t i = 0; i < n; i++)
        if (path[i].br && kb_branch_rules_out(path[i].br, cause))
            return true;
    return false;
}

const kb_step *ev_premise_open(const wiz_visit *path, size_t n)
{
    const kb_step *open = NULL;
    for (size_t i = 0; i < n; i++) {
        const kb_step *s = path[i].step;
        if (s->kind != KB_QUESTION || !s->premise)
            continue;
        if (path[i].basis == EV_ANSWER_UNKNOWN && !open)
            open = s;
        else if (path[i].basis == EV_ANSWER_NO)
            open = NULL;   /* a later answer settled it */
    }
    return open;
}

ev_outcome ev_judge(const kb_article *a, const wiz_visit *path, size_t n, const kb_step *c)
{
    if (kb_is_finding(c))
        return kb_needs_premise(c) && ev_premise_open(path, n) ? EV_INCONCLUSIVE : EV_CONCLUSION;
    /* The all-clear: only when nothing is left open, and no test the server
     * refused before it could be made stands in for a result. */
    if (ev_untested(path, n, NULL, 0))
        return EV_INCONCLUSIVE;
    return ev_open_causes(a, path, n, NULL, 0) ? EV_INCONCLUSIVE : EV_CONCLUSION;
}

size_t ev_untested(const wiz_visit *path, size_t n, const wiz_visit **out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!path[i].br || !path[i].br->untested)
            continue;
        if (k < cap)
            out[k] = &path[i];
        k++;
    }
    return k;
}

size_t ev_open_causes(const kb_article *a, const wiz_visit *path, size_t n,
                      const kb_step **out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < a->nsteps; i++) {
        const kb_step *c = &a->steps[i];
        if (!kb_is_cause(c) || ev_ruled_out(path, n, c->id))
            continue;
        if (k < cap)
            out[k] = c;
        k++;
    }
    return k;
}

size_t ev_checks_for(const kb_article *a, const kb_step *cause, const kb_step **out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < a->nsteps; i++) {
        const kb_step *s = &a->steps[i];
        if (s->kind != KB_QUESTION || !kb_branch_rules_out(&s->no, cause->id))
            continue;
        if (k < cap)
            out[k] = s;
        k++;
    }
    return k;
}

const char *ev_basis_name(ev_basis b)
{
    static const char *const n[] = {"measured", "not tested", "yes", "no", "unknown", "reached"};
    return (unsigned)b < sizeof n / sizeof *n ? n[b] : "?";
}

ev_mark ev_visit_mark(const kb_article *a, const wiz_visit *v)
{
    if (v->basis == EV_REACHED)
        return kb_is_finding(v->step) ? EV_MARK_FOUND : EV_MARK_CHECKED;
    if (!v->br || strcmp(v->br->target, KB_STOP) == 0)
        return EV_MARK_NOT_RUN;
    const kb_step *t = kb_step_find(a, v->br->target);
    if (t && kb_is_finding(t))
        return EV_MARK_FOUND;
    if (v->br->nrules_out)
        return EV_MARK_RULED_OUT;
    if (v->basis == EV_UNTESTED)
        return EV_MARK_NOT_TESTED;
    if (v->basis == EV_ANSWER_UNKNOWN)
        return EV_MARK_NOT_KNOWN;
    return EV_MARK_CHECKED;
}

const char *ev_mark_name(ev_mark m)
{
    static const char *const n[] = {"fault found here", "ruled out", "not tested",
                                    "could not run", "not known", "checked"};
    return (unsigned)m < sizeof n / sizeof *n ? n[m] : "?";
}
