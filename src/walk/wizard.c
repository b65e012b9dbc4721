/* wizard: walk an article's tree.  Each probe runs at most once per walk,
 * on one probe_ctx, so later steps and conditions reuse what earlier ones
 * learned.  Conditions are pure (kb_cond_eval): when one names a probe that
 * has not run yet, the walker runs it here and asks again. */
#include "config.h"

#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "base/exitcode.h"
#include "base/util.h"
#include "probe/run.h"
#include "walk/evidence.h"
#include "walk/wizard.h"

struct wiz {
    const kb_article *kb;
    probe_ctx ctx;
    probe_runs runs;          /* every probe result of the walk, in run order */
    wiz_visit *path;
    size_t npath, cappath;
    const kb_step *cur;       /* NULL when done or failed */
    size_t step_first_res;    /* results the last wiz_run_probe started with,
                               * or SIZE_MAX once a question moved on */
    wiz_state state;
    char *error;
};

static void wiz_enter(wiz *w, const kb_step *s);

static void wiz_go(wiz *w, const char *target);

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
    probe_runs_free(&w->runs);
    for (size_t i = 0; i < w->npath; i++)
        free(w->path[i].outcome);
    free(w->path);
    probe_ctx_free(&w->ctx);
    free(w->error);
    free(w);
}

const probe_result *wiz_result(const wiz *w, const char *probe)
{
    return probe_runs_get(&w->runs, probe);
}

const probe_result *wiz_visit_result(const wiz *w, const wiz_visit *v)
{
    return v->step->kind == KB_PROBE && v->step->probe ? wiz_result(w, v->step->probe) : NULL;
}

/* For kb_cond_eval: results only, nothing runs from inside a condition. */
static const probe_result *wiz_lookup(const void *user, const char *probe)
{
    return wiz_result(user, probe);
}

/* The first `when` of s that holds, running the probes its conditions
 * need (each at most once per walk) until every one can be decided. */
static const kb_when *wiz_first_when(wiz *w, const kb_step *s)
{
    for (size_t i = 0; i < s->nwhens; i++) {
        const char *needs = NULL;
        kb_truth t;
        while ((t = kb_when_eval(&s->whens[i], wiz_lookup, w, &needs)) == KB_NEEDS)
            if (probe_runs_ensure(&w->runs, &w->ctx, needs) < 0)
                break;   /* kb_validate refused an unknown probe already */
        if (t == KB_TRUE)
            return &s->whens[i];
    }
    return NULL;
}

static void wiz_push(wiz *w, const kb_step *s, char *outcome, const kb_branch *br,
                     ev_basis basis)
{
    if (w->npath == w->cappath) {
        w->cappath = w->cappath ? w->cappath * 2 : 16;
        w->path = xrealloc(w->path, w->cappath * sizeof *w->path);
    }
    w->path[w->npath++] = (wiz_visit){.step = s, .outcome = outcome, .br = br, .basis = basis};
}

/* Make the target of a branch current; a conclusion ends the walk at once,
 * as evidence.h's rules judge it. */
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
        ev_outcome o = ev_judge(w->kb, w->path, w->npath, s);
        wiz_push(w, s, xstrdup("reached"), NULL, EV_REACHED);
        w->state = o == EV_CONCLUSION ? WIZ_DONE : WIZ_INCONCLUSIVE;
    } else {
        w->state = s->kind == KB_PROBE ? WIZ_AT_PROBE : WIZ_AT_QUESTION;
    }
}

/* The reserved target "inconclusive": the walk ends without a conclusion. */
static void wiz_go(wiz *w, const char *target)
{
    if (strcmp(target, KB_INCONCLUSIVE) == 0) {
        w->cur = NULL;
        w->state = WIZ_INCONCLUSIVE;
        return;
    }
    wiz_enter(w, kb_step_find(w->kb, target));
}

/* The user cancelled the run (the cancel pipe holds a byte). */
static bool wiz_cancelled(const wiz *w)
{
    struct pollfd p = { .fd = w->ctx.o.cancel_fd, .events = POLLIN };
    return w->ctx.o.cancel_fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void wiz_stop(wiz *w, const kb_step *s, const probe_result *r)
{
    free(w->error);
    if (wiz_cancelled(w)) {
        w->error = xasprintf("step \"%s\" (%s): the %s probe was cancelled before it finished, "
                             "so this step decides nothing yet; r runs it again",
                             s->id, s->title ? s->title : s->id, r ? r->name : "?");
        w->cur = NULL;
        w->state = WIZ_FAILED;
        return;
    }
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
    w->step_first_res = w->runs.n;
    int ri = probe_runs_ensure(&w->runs, &w->ctx, s->probe);
    probe_status st = ri >= 0 ? w->runs.v[ri].status : ST_ERROR;
    const kb_when *hit = ri >= 0 ? wiz_first_when(w, s) : NULL;
    const kb_branch *br = hit ? &hit->br : kb_step_route(s, st);
    /* A status branch for skip or error rests on nothing measured; so does
     * the default standing in for them. */
    /* So does a branch that says the server refused before the test. */
    ev_basis basis = (hit || st < ST_SKIP) && !(br && br->untested) ? EV_MEASURED : EV_UNTESTED;
    wiz_push(w, s, xstrdup(probe_status_name(st)), br, basis);
    if (!br || strcmp(br->target, KB_STOP) == 0)
        wiz_stop(w, s, wiz_result(w, s->probe));
    else
        wiz_go(w, br->target);
    return 0;
}

int wiz_answer(wiz *w, wiz_reply a)
{
    const kb_step *s = w->cur;
    if (w->state != WIZ_AT_QUESTION || !s)
        return -1;
    const kb_branch *br = a == WIZ_YES ? &s->yes : a == WIZ_NO ? &s->no : &s->unknown;
    ev_basis basis = a == WIZ_YES ? EV_ANSWER_YES : a == WIZ_NO ? EV_ANSWER_NO : EV_ANSWER_UNKNOWN;
    w->step_first_res = SIZE_MAX;
    wiz_push(w, s, xstrdup(wiz_reply_name(a)), br, basis);
    wiz_go(w, br->target);
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
        while (w->step_first_res != SIZE_MAX && w->runs.n > w->step_first_res)
            probe_runs_forget(&w->runs, w->runs.v[w->runs.n - 1].name);
    } else if (w->state == WIZ_AT_PROBE && w->cur) {
        s = w->cur;
    }
    if (!s)
        return -1;
    w->cur = s;
    w->state = WIZ_AT_PROBE;
    free(w->error);
    w->error = NULL;
    probe_runs_forget(&w->runs, s->probe);
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

int wiz_back_step(wiz *w)
{
    /* The walk's end (a conclusion visit) goes first, with the step before
     * it: from an end, back shows the last step that decided. */
    if (w->npath && w->path[w->npath - 1].step->kind == KB_CONCLUSION)
        free(w->path[--w->npath].outcome);
    if (!w->npath)
        return -1;
    const kb_step *s = w->path[--w->npath].step;
    free(w->path[w->npath].outcome);
    w->step_first_res = SIZE_MAX;
    w->cur = s;
    w->state = s->kind == KB_QUESTION ? WIZ_AT_QUESTION : WIZ_AT_PROBE;
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

const kb_step *wiz_suspected(const wiz *w)
{
    if (w->state != WIZ_INCONCLUSIVE || !w->npath)
        return NULL;
    const kb_step *c = w->path[w->npath - 1].step;
    return c->kind == KB_CONCLUSION && kb_is_finding(c) ? c : NULL;
}

const kb_step *wiz_premise_open(const wiz *w)
{
    return ev_premise_open(w->path, w->npath);
}

size_t wiz_open(const wiz *w, const kb_step **out, size_t cap)
{
    return ev_open_causes(w->kb, w->path, w->npath, out, cap);
}

size_t wiz_untested(const wiz *w, const wiz_visit **out, size_t cap)
{
    return ev_untested(w->path, w->npath, out, cap);
}

const char *wiz_outcome_name(const wiz *w)
{
    switch (w->state) {
    case WIZ_DONE: return "conclusion";
    case WIZ_INCONCLUSIVE: return "inconclusive";
    case WIZ_FAILED: return "error";
    default: return "in progress";
    }
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
    rr->o = &w->ctx.o;
    rr->tr = &w->ctx.tr;
    rr->results = w->runs.v;
    rr->nresults = w->runs.n;
}

void wiz_finish(wiz *w)
{
    probe_session_drop(&w->ctx);
}

int wiz_exit_status(const wiz *w)
{
    if (w->state == WIZ_INCONCLUSIVE)
        return SMTPWIZ_EXIT_INCONCLUSIVE;
    const kb_step *c = wiz_conclusion(w);
    if (!c)
        return SMTPWIZ_EXIT_UNKNOWN;
    if (c->severity && strcmp(c->severity, "ok") == 0)
        return SMTPWIZ_EXIT_OK;
    return c->severity && strcmp(c->severity, "warn") == 0 ? SMTPWIZ_EXIT_WARN : SMTPWIZ_EXIT_FAULT;
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
