/* wizard: walk an article's tree.  Each probe runs at most once per walk,
 * on one probe_ctx, so later steps and conditions reuse what earlier ones
 * learned; a condition naming a probe that has not run yet runs it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "walk/wizard.h"

struct wiz {
    const kb_article *kb;
    probe_ctx ctx;
    probe_result *res;        /* run order */
    size_t nres, capres;
    wiz_visit *path;
    size_t npath, cappath;
    const kb_step *cur;       /* NULL when done or failed */
    size_t step_first_res;    /* results the last wiz_run_probe started with,
                               * or SIZE_MAX once a question moved on */
    wiz_state state;
    char *error;
};

/* A probe that reads what another left in the context: xexch50
 * authenticates with the mechanism the auth probe found working. */
static const struct { const char *probe, *needs; } wiz_prereq[] = {
    {"xexch50", "auth"},
    {NULL, NULL},
};

static void wiz_enter(wiz *w, const kb_step *s);

wiz *wiz_new_at(const kb_article *kb, const probe_opts *o, const char *step_id)
{
    const kb_step *s = kb_step_find(kb, step_id ? step_id : kb->start);
    if (step_id && !s)
        return NULL;
    wiz *w = xcalloc(1, sizeof *w);
    w->kb = kb;
    w->step_first_res = SIZE_MAX;
    probe_ctx_init(&w->ctx, o);
    wiz_enter(w, s);
    return w;
}

wiz *wiz_new(const kb_article *kb, const probe_opts *o)
{
    return wiz_new_at(kb, o, NULL);
}

void wiz_free(wiz *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nres; i++)
        probe_result_free(&w->res[i]);
    free(w->res);
    for (size_t i = 0; i < w->npath; i++)
        free(w->path[i].outcome);
    free(w->path);
    probe_ctx_free(&w->ctx);
    free(w->error);
    free(w);
}

static int result_index(const wiz *w, const char *probe)
{
    for (size_t i = 0; i < w->nres; i++)
        if (strcmp(w->res[i].name, probe) == 0)
            return (int)i;
    return -1;
}

const probe_result *wiz_result(const wiz *w, const char *probe)
{
    int i = result_index(w, probe);
    return i < 0 ? NULL : &w->res[i];
}

/* Run a probe once (its prerequisites first); returns its result index. */
static int wiz_ensure(wiz *w, const char *probe)
{
    int i = result_index(w, probe);
    if (i >= 0)
        return i;
    const probe_def *p = probe_find(probe);
    if (!p)
        return -1;   /* kb_validate refused such a file already */
    for (size_t k = 0; wiz_prereq[k].probe; k++)
        if (strcmp(wiz_prereq[k].probe, probe) == 0)
            wiz_ensure(w, wiz_prereq[k].needs);
    if (w->nres == w->capres) {
        w->capres = w->capres ? w->capres * 2 : 8;
        w->res = xrealloc(w->res, w->capres * sizeof *w->res);
    }
    probe_run(&w->ctx, p, &w->res[w->nres]);
    /* Visits whose result was forgotten by wiz_rerun_current see the new one. */
    for (size_t k = 0; k < w->npath; k++)
        if (w->path[k].result < 0 && w->path[k].step->kind == KB_PROBE &&
            strcmp(w->path[k].step->probe, probe) == 0)
            w->path[k].result = (int)w->nres;
    return (int)w->nres++;
}

/* Drop a probe's result; the visits that showed it wait for the re-run. */
static void wiz_forget(wiz *w, const char *probe)
{
    int ri = result_index(w, probe);
    if (ri < 0)
        return;
    probe_result_free(&w->res[ri]);
    memmove(&w->res[ri], &w->res[ri + 1], (w->nres - (size_t)ri - 1) * sizeof *w->res);
    w->nres--;
    for (size_t k = 0; k < w->npath; k++) {
        if (w->path[k].result == ri)
            w->path[k].result = -1;
        else if (w->path[k].result > ri)
            w->path[k].result--;
    }
}

static const probe_result *wiz_lookup(void *user, const char *probe)
{
    wiz *w = user;
    int i = wiz_ensure(w, probe);
    return i < 0 ? NULL : &w->res[i];
}

static void wiz_push(wiz *w, const kb_step *s, char *outcome, int result)
{
    if (w->npath == w->cappath) {
        w->cappath = w->cappath ? w->cappath * 2 : 16;
        w->path = xrealloc(w->path, w->cappath * sizeof *w->path);
    }
    w->path[w->npath++] = (wiz_visit){.step = s, .outcome = outcome, .result = result};
}

/* Make s current; a conclusion ends the walk at once. */
static void wiz_enter(wiz *w, const kb_step *s)
{
    w->cur = s;
    if (!s) {
        w->state = WIZ_FAILED;
        free(w->error);
        w->error = xstrdup("the knowledge base sent the walk to a step that does not exist "
                           "(run smtpwiz kb check)");
        return;
    }
    if (s->kind == KB_CONCLUSION) {
        wiz_push(w, s, xstrdup("reached"), -1);
        w->state = WIZ_DONE;
    } else {
        w->state = s->kind == KB_PROBE ? WIZ_AT_PROBE : WIZ_AT_QUESTION;
    }
}

static void wiz_stop(wiz *w, const kb_step *s, const probe_result *r)
{
    free(w->error);
    w->error = xasprintf("step \"%s\" (%s): the %s probe ended with %s: %s. The server could not "
                         "be examined this far, so smtpwiz draws no conclusion; fix what the "
                         "finding says, or check the transcript, and run it again",
                         s->id, s->title ? s->title : s->id, r ? r->name : "?",
                         r ? probe_status_name(r->status) : "error",
                         r && r->summary ? r->summary : "no result");
    w->cur = NULL;
    w->state = WIZ_FAILED;
}

bool wiz_step_needs_probe(const wiz *w)
{
    return w->state == WIZ_AT_PROBE;
}

int wiz_run_probe(wiz *w)
{
    const kb_step *s = w->cur;
    if (w->state != WIZ_AT_PROBE || !s)
        return -1;
    w->step_first_res = w->nres;
    int ri = wiz_ensure(w, s->probe);
    /* Only the index and the status are kept: the conditions below may run
     * more probes (wiz_lookup), which can move the results array. */
    probe_status st = ri >= 0 ? w->res[ri].status : ST_ERROR;
    const char *target = NULL;
    char *outcome = NULL;
    for (size_t i = 0; ri >= 0 && i < s->nwhens && !target; i++) {
        bool all = true;
        for (size_t j = 0; j < s->whens[i].nconds && all; j++)
            all = kb_cond_eval(&s->whens[i].conds[j], wiz_lookup, w);
        if (all) {
            target = s->whens[i].target;
            outcome = xasprintf("%s, and %s", probe_status_name(st), s->whens[i].text);
        }
    }
    const probe_result *r = ri >= 0 ? &w->res[ri] : NULL;
    if (!target) {
        target = kb_step_route(s, st);
        outcome = xstrdup(probe_status_name(st));
    }
    wiz_push(w, s, outcome, ri);
    if (!target || strcmp(target, KB_STOP) == 0)
        wiz_stop(w, s, r);
    else
        wiz_enter(w, kb_step_find(w->kb, target));
    return 0;
}

int wiz_answer(wiz *w, wiz_reply a)
{
    const kb_step *s = w->cur;
    if (w->state != WIZ_AT_QUESTION || !s)
        return -1;
    const char *target = a == WIZ_YES ? s->yes : a == WIZ_NO ? s->no : s->unknown;
    w->step_first_res = SIZE_MAX;
    wiz_push(w, s, xstrdup(wiz_reply_name(a)), -1);
    wiz_enter(w, kb_step_find(w->kb, target));
    return 0;
}

int wiz_rerun_current(wiz *w)
{
    size_t q = w->npath;
    while (q > 0 && w->path[q - 1].step->kind == KB_CONCLUSION)
        q--;
    const kb_step *s = NULL;
    if (q > 0 && w->path[q - 1].step->kind == KB_PROBE) {
        s = w->path[q - 1].step;
        while (w->npath >= q)
            free(w->path[--w->npath].outcome);
        /* The probes that step's conditions and prerequisites ran (a cancel
         * may have cut them short) run again with it. */
        while (w->step_first_res != SIZE_MAX && w->nres > w->step_first_res)
            wiz_forget(w, w->res[w->nres - 1].name);
    } else if (w->state == WIZ_AT_PROBE && w->cur) {
        s = w->cur;
    }
    if (!s)
        return -1;
    w->cur = s;
    w->state = WIZ_AT_PROBE;
    free(w->error);
    w->error = NULL;
    wiz_forget(w, s->probe);
    w->step_first_res = SIZE_MAX;
    probe_ctx_reset_session(&w->ctx);
    return 0;
}

int wiz_back(wiz *w)
{
    size_t q = w->npath;
    while (q > 0 && w->path[q - 1].step->kind != KB_QUESTION)
        q--;
    if (q == 0)
        return -1;
    const kb_step *s = w->path[q - 1].step;
    while (w->npath >= q)
        free(w->path[--w->npath].outcome);
    w->step_first_res = SIZE_MAX;
    w->cur = s;
    w->state = WIZ_AT_QUESTION;
    free(w->error);
    w->error = NULL;
    return 0;
}

wiz_state wiz_get_state(const wiz *w) { return w->state; }
const kb_article *wiz_article(const wiz *w) { return w->kb; }

const kb_step *wiz_current_step(const wiz *w)
{
    return w->state == WIZ_AT_PROBE || w->state == WIZ_AT_QUESTION ? w->cur : NULL;
}

const wiz_visit *wiz_path(const wiz *w, size_t *n)
{
    *n = w->npath;
    return w->path;
}

const kb_step *wiz_conclusion(const wiz *w)
{
    return w->state == WIZ_DONE && w->npath ? w->path[w->npath - 1].step : NULL;
}

const char *wiz_error(const wiz *w)
{
    return w->state == WIZ_FAILED ? w->error : NULL;
}

size_t wiz_unanswered(const wiz *w, const char **ids, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < w->npath; i++)
        if (w->path[i].step->kind == KB_QUESTION && strcmp(w->path[i].outcome, "unknown") == 0) {
            if (n < cap)
                ids[n] = w->path[i].step->id;
            n++;
        }
    return n;
}

void wiz_run_report(const wiz *w, run_report *rr)
{
    rr->ctx = &w->ctx;
    rr->results = w->res;
    rr->nresults = w->nres;
}

void wiz_finish(wiz *w)
{
    probe_session_drop(&w->ctx);
}

int wiz_exit_status(const wiz *w)
{
    const kb_step *c = wiz_conclusion(w);
    if (!c)
        return 3;
    if (c->severity && strcmp(c->severity, "ok") == 0)
        return 0;
    return c->severity && strcmp(c->severity, "warn") == 0 ? 1 : 2;
}

const char *wiz_reply_name(wiz_reply a)
{
    return a == WIZ_YES ? "yes" : a == WIZ_NO ? "no" : "unknown";
}

int wiz_reply_parse(const char *s, wiz_reply *a)
{
    if (util_strieq(s, "yes") || util_strieq(s, "y")) *a = WIZ_YES;
    else if (util_strieq(s, "no") || util_strieq(s, "n")) *a = WIZ_NO;
    else if (util_strieq(s, "unknown") || util_strieq(s, "dontknow") || util_strieq(s, "?")) *a = WIZ_UNKNOWN;
    else return -1;
    return 0;
}
