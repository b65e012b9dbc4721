/* walkview: the screens' view model, and ui/'s one bridge to src/.  It
 * binds the screens to the walk (walk/wizard.h over the articles of
 * kb/kb_catalog.h), the Markdown report, triage and the practice labs
 * (lab/lab.h).  No curses here: tests/unit/test_walkview.c drives it.
 *
 * The wizard moves on as soon as a probe ran; the screens first show the
 * finding, then the next step on Enter.  So the adapter keeps a display
 * cursor: `shown` is the index in the wizard's path of the probe visit
 * whose finding is on screen, or -1 when the wizard's current step (or its
 * conclusion) is.  While the worker thread runs a probe, the UI thread
 * only sees a snapshot (wv_get) and never touches the wizard. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui/walkview.h"
#include "kb/kb.h"
#include "kb/kb_catalog.h"
#include "lab/lab.h"
#include "walk/report.h"
#include "walk/report_md.h"
#include "kb/triage.h"
#include "base/names.h"
#include "base/util.h"
#include "walk/wizard.h"
#include "proto/tls.h"
#include "walk/advice.h"
#include "kb/kb_text.h"

/* ---- closing a walk off the UI thread ----
 * Freeing a walk sends QUIT on its open session and reads the reply (up to
 * smtp_quit's own limit against a server that went silent).  The UI thread
 * never does that: a walk it lets go of is freed on a detached thread of
 * its own; wv_free waits a bounded time for those at exit. */
static pthread_mutex_t closer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t closer_cv = PTHREAD_COND_INITIALIZER;
static int closers;

static void *closer_main(void *arg)
{
    wiz_free(arg);
    tls_thread_done();       /* detached: its OpenSSL state goes now, not at exit */
    pthread_mutex_lock(&closer_mu);
    closers--;
    pthread_cond_broadcast(&closer_cv);
    pthread_mutex_unlock(&closer_mu);
    return NULL;
}

static void walk_dispose(wiz *w)
{
    if (!w)
        return;
    pthread_attr_t at;
    pthread_t th;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&closer_mu);
    closers++;
    pthread_mutex_unlock(&closer_mu);
    if (pthread_create(&th, &at, closer_main, w) != 0)
        closer_main(w);     /* no thread: free it here rather than leak it */
    pthread_attr_destroy(&at);
}

/* Wait at most ms for the walks being closed; false if one still runs. */
static bool closers_wait(int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&closer_mu);
    int rc = 0;
    while (closers > 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&closer_cv, &closer_mu, &until);
    bool done = closers == 0;
    pthread_mutex_unlock(&closer_mu);
    return done;
}

struct wv {
    kb_catalog cat;            /* the articles, as every command loads them */
    wv_article av[KB_CATALOG_MAX];
    char *symptoms[KB_CATALOG_MAX];
    char *note;                /* the first article that did not load, and why */
    const kb_article *art;     /* the walk's article */
    probe_opts o;
    wiz *w;
    bool busy;                 /* the worker runs: the wizard is its alone */
    bool rerun;
    long shown;                /* path index of the finding on screen, or -1 */
    wv_view snap;              /* what wv_get returns while busy */
    char *path, *ask, *manual, *verdict, *why, *cause, *action;
    char **facts;
    size_t nfacts;
    char *visited;             /* per article step: on the path ('*'), shown ('>') */
    char *labs_dir;            /* the scenarios: labs/ of the articles' directory */
    lab_scenario_info *labs;   /* read when first asked for */
    char **lab_groups;         /* "KB843106: title", one per article, NULL after */
    char *mark_text;
    const transcript *tr;      /* the walk's transcript (tr_copy reads it live) */
    wv_lab *lv;
    int nlabs;
    bool labs_loaded;
    lab_server *lab;           /* the lab that runs, or NULL */
    char lab_name[64];         /* its scenario, for the walk's probe_opts.lab */
};

/* The KB files wrap their prose at 100 columns; the screens wrap it to the
 * terminal (paragraphs separated by a blank line).  A command line
 * (kb/kb_text.h) stays a line of its own, WV_CMD first, and the
 * placeholders (<server>, <fqdn>, <domain>, <dc>) are filled in with the
 * names the walk measured and validated (walk/advice.h). */
static char *reflow(wv *e, const char *s)
{
    if (!s)
        return NULL;
    advice_names names = {0};
    if (e && e->w)
        advice_names_get(e->w, &names);
    kb_part *parts;
    size_t n = kb_text_split(s, &parts);
    strbuf sb = {0};
    for (size_t i = 0; i < n; i++) {
        bool cmd = parts[i].kind == KB_PART_COMMAND;
        if (i)
            sb_puts(&sb, cmd || parts[i - 1].kind == KB_PART_COMMAND ? "\n" : "\n\n");
        char *t = e && e->w ? advice_fill(&names, parts[i].text) : xstrdup(parts[i].text);
        if (cmd)
            sb_printf(&sb, "%c", WV_CMD);
        sb_puts(&sb, t);
        free(t);
    }
    kb_parts_free(parts, n);
    advice_names_free(&names);
    return sb.buf ? sb_steal(&sb) : xstrdup("");
}

static void set_text(wv *e, char **slot, const char *s)
{
    free(*slot);
    *slot = reflow(e, s);
}

/* ---- loading the articles ---- */

wv *wv_open(const char *kb_dir, char **err)
{
    wv *e = xcalloc(1, sizeof *e);
    e->shown = -1;
    kb_catalog_open(&e->cat, kb_dir);
    if (e->cat.n == 0) {
        *err = xstrdup(e->cat.problems.n ? e->cat.problems.v[0] : "no article");
        kb_catalog_free(&e->cat);
        free(e);
        return NULL;
    }
    for (size_t i = 0; i < e->cat.n; i++) {
        const kb_article *a = e->cat.v[i];
        e->symptoms[i] = reflow(NULL, a->symptoms);
        e->av[i] = (wv_article){ a->id, a->title, e->symptoms[i] };
    }
    if (e->cat.problems.n) {
        /* "DIR/kb1.ini:3: reason" -> "kb1.ini:3: reason": the line is short. */
        const char *m = e->cat.problems.v[0];
        size_t dl = strlen(e->cat.dir);
        if (strncmp(m, e->cat.dir, dl) == 0 && m[dl] == '/')
            m += dl + 1;
        e->note = xstrdup(m);
    }
    e->labs_dir = xasprintf("%s/labs", e->cat.dir);
    return e;
}

const char *wv_load_note(const wv *e, int *more)
{
    *more = e->cat.nbroken > 1 ? (int)e->cat.nbroken - 1 : 0;
    return e->note;
}

static void facts_free(wv *e)
{
    for (size_t i = 0; i < e->nfacts; i++)
        free(e->facts[i]);
    free(e->facts);
    e->facts = NULL;
    e->nfacts = 0;
}

void wv_free(wv *e)
{
    if (!e)
        return;
    walk_dispose(e->w);
    e->w = NULL;
    /* The lab must outlive the QUIT sent to it; the exit path has written
     * the cancel pipe, so a silent server does not hold this up. */
    closers_wait(2500);
    wv_lab_stop(e);
    for (size_t i = 0; i < e->cat.n; i++)
        free(e->symptoms[i]);
    kb_catalog_free(&e->cat);
    lab_scenario_list_free(e->labs, e->nlabs);
    free(e->lv);
    for (size_t i = 0; e->lab_groups && e->lab_groups[i]; i++)
        free(e->lab_groups[i]);
    free(e->lab_groups);
    facts_free(e);
    free(e->why);
    free(e->cause);
    free(e->action);
    free(e->path);
    free(e->ask);
    free(e->manual);
    free(e->verdict);
    free(e->mark_text);
    free(e->visited);
    free(e->note);
    free(e->labs_dir);
    free(e);
}

int wv_articles(wv *e, const wv_article **out)
{
    *out = e->av;
    return (int)e->cat.n;
}

bool wv_begin(wv *e, const char *article, const char *entry, const probe_opts *o, char **err)
{
    const kb_article *a = kb_catalog_find(&e->cat, article);
    if (!a) {
        *err = xasprintf("no article '%s' in the knowledge base", article);
        return false;
    }
    const kb_step *s = entry ? kb_step_find(a, entry) : NULL;
    if (entry && !s) {
        *err = xasprintf("article %s has no step '%s'", a->id, entry);
        return false;
    }
    e->art = a;
    e->o = *o;
    if (e->lab) {            /* the probes' hints speak of the lab, not of --dc */
        snprintf(e->lab_name, sizeof e->lab_name, "%s", lab_server_scenario(e->lab));
        e->o.lab = e->lab_name;
    }
    walk_dispose(e->w);      /* the old walk's QUIT goes out on its own thread */
    e->w = wiz_new_at(a, &e->o, s ? s->id : NULL);
    run_report rr;
    wiz_run_report(e->w, &rr);
    e->tr = rr.tr;
    e->shown = -1;
    free(e->visited);
    e->visited = xcalloc(e->art->nsteps + 1, 1);
    return true;
}

bool wv_started(const wv *e)
{
    return e->w != NULL;
}

/* ---- the view ---- */

static void path_build(wv *e, const wiz_visit *p, size_t n, const kb_step *here)
{
    strbuf sb = { 0 };
    memset(e->visited, ' ', e->art->nsteps);
    for (size_t i = 0; i < n; i++) {
        sb_printf(&sb, "%s%s (%s)", i ? " > " : "", p[i].step->id, p[i].outcome);
        e->visited[p[i].step - e->art->steps] = '*';
    }
    if (here) {
        sb_printf(&sb, "%s%s", n ? " > " : "", here->id);
        e->visited[here - e->art->steps] = '>';
    }
    free(e->path);
    e->path = sb_steal(&sb);
}

static void fact_lines(wv *e, const probe_result *r)
{
    facts_free(e);
    e->facts = xcalloc(r->nfacts + 1, sizeof *e->facts);
    for (size_t i = 0; i < r->nfacts; i++) {
        char *v = fact_text(&r->facts[i]);
        e->facts[i] = xasprintf("%s: %s", r->facts[i].key, v);
        free(v);
    }
    e->nfacts = r->nfacts;
}

static void view_step(wv *e, wv_view *v, const kb_step *s)
{
    v->kind = s->kind == KB_QUESTION ? WV_QUESTION : WV_PROBE;
    v->step_id = s->id;
    v->title = s->title ? s->title : s->id;
    set_text(e, &e->why, s->why);
    v->why = e->why;
    v->probe = s->probe;
    if (s->kind == KB_QUESTION) {
        set_text(e, &e->ask, s->ask ? s->ask : v->title);
        set_text(e, &e->manual, s->how ? s->how : "(no instructions)");
        v->question = e->ask;
        v->manual = e->manual;
    }
}

/* What the finding of visit i means: where the walk goes, or why it stops. */
/* What the finding of visit i means, in the branch's own sentence, and
 * where the walk goes, or why it stops. */
static const char *verdict_of(wv *e, const wiz_visit *p, size_t n, size_t i)
{
    free(e->verdict);
    const kb_step *next = i + 1 < n ? p[i + 1].step : wiz_current_step(e->w);
    char *because = reflow(e, p[i].br && p[i].br->because ? p[i].br->because : "");
    const char *sep = *because ? " " : "";
    if (wiz_get_state(e->w) == WIZ_FAILED && i + 1 == n)
        e->verdict = xasprintf("%s%sThe walk stops here: %s. r runs the probe again.", because,
                               sep, wiz_error(e->w) ? wiz_error(e->w) : "no conclusion");
    else if (wiz_get_state(e->w) == WIZ_INCONCLUSIVE && i + 1 >= n)
        e->verdict = xasprintf("%s%sThat does not settle the cause. Enter shows what is still "
                               "open.", because, sep);
    else if (next && next->kind == KB_CONCLUSION)
        e->verdict = xasprintf("%s%sThis points to \"%s\". Enter shows it.", because, sep,
                               next->title ? next->title : next->id);
    else if (next)
        e->verdict = xasprintf("%s%sNext: %s. Enter goes on.", because, sep,
                               next->title ? next->title : next->id);
    else
        e->verdict = xstrdup(*because ? because : "The walk ends here.");
    free(because);
    return e->verdict;
}

/* The mark of visit i's finding, from the branch it took. */
static void mark_of(wv *e, wv_view *v, const wiz_visit *p, size_t n, size_t i)
{
    const kb_step *next = i + 1 < n ? p[i + 1].step : wiz_current_step(e->w);
    const kb_branch *br = p[i].br;
    free(e->mark_text);
    e->mark_text = NULL;
    if (wiz_get_state(e->w) == WIZ_FAILED && i + 1 == n) {
        v->mark = WV_MARK_NOT_RUN;
        e->mark_text = xstrdup("could not run: nothing decided");
    } else if (p[i].basis == EV_UNTESTED) {
        v->mark = WV_MARK_UNTESTED;
        e->mark_text = xstrdup("not tested: the server refused first");
    } else if (next && next->kind == KB_CONCLUSION) {
        const char *sev = next->severity ? next->severity : "fail";
        v->mark = !strcmp(sev, "ok") ? WV_MARK_CLEAR : !strcmp(sev, "warn") ? WV_MARK_EXPECTED
                                                                             : WV_MARK_FAULT;
        e->mark_text = xasprintf("%s: %s", v->mark == WV_MARK_CLEAR ? "all clear"
                                 : v->mark == WV_MARK_EXPECTED ? "expected condition"
                                 : "fault found here", next->id);
    } else if (br && br->nrules_out) {
        strbuf sb = {0};
        sb_puts(&sb, "ruled out: ");
        for (size_t k = 0; k < br->nrules_out; k++)
            sb_printf(&sb, "%s%s", k ? ", " : "", br->rules_out[k]);
        v->mark = WV_MARK_RULED_OUT;
        e->mark_text = sb_steal(&sb);
    } else {
        v->mark = WV_MARK_NOTED;
        e->mark_text = xstrdup("noted: the walk goes on");
    }
    v->mark_text = e->mark_text;
}

static void view_result(wv *e, wv_view *v, const wiz_visit *p, size_t n, size_t i)
{
    view_step(e, v, p[i].step);
    v->kind = WV_PROBE;
    const probe_result *r = p[i].step->probe ? wiz_result(e->w, p[i].step->probe) : NULL;
    if (r) {
        v->have_result = true;
        v->status = (int)r->status;
        v->summary = r->summary;
        fact_lines(e, r);
        v->facts = (const char *const *)e->facts;
        v->nfacts = e->nfacts;
    }
    v->verdict = verdict_of(e, p, n, i);
    v->stopped = wiz_get_state(e->w) == WIZ_FAILED && i + 1 == n;
    mark_of(e, v, p, n, i);
}

/* Inconclusive: what it points to (if anything) and every cause still open
 * with the manual checks that settle it. */
static void view_inconclusive(wv *e, wv_view *v)
{
    const kb_step *sus = wiz_suspected(e->w), *prem = wiz_premise_open(e->w);
    v->kind = WV_CONCLUSION;
    v->inconclusive = true;
    v->concl_id = "inconclusive";
    v->step_id = "inconclusive";
    v->title = "Inconclusive: what is known does not settle the cause yet";
    free(e->cause);
    if (sus)
        e->cause = xasprintf("The evidence points to \"%s\" (%s), but the walk does not know yet "
                             "that the server is an Exchange server of your organisation%s%s%s.",
                             sus->title, sus->id, prem ? ": answer \"" : "",
                             prem ? prem->title : "", prem ? "\" first (b goes back to it)" : "");
    else
        e->cause = xstrdup("Some causes of the article were neither measured nor ruled out by "
                           "an answer. The checks below settle them; answer them by hand, then "
                           "walk again.");
    strbuf sb = {0};
    const kb_step *open[REPORT_MAX_OPEN], *checks[REPORT_MAX_OPEN];
    size_t n = wiz_open(e->w, open, REPORT_MAX_OPEN);
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        sb_printf(&sb, "%sNot ruled out: %s (%s)", i ? "\n\n" : "", open[i]->title, open[i]->id);
        size_t k = ev_checks_for(wiz_article(e->w), open[i], checks, REPORT_MAX_OPEN);
        for (size_t j = 0; j < k && j < REPORT_MAX_OPEN; j++)
            sb_printf(&sb, "\n\nCheck: %s\n\n%s", checks[j]->ask, checks[j]->how);
    }
    free(e->action);
    e->action = n ? reflow(e, sb.buf) : xstrdup("Nothing is open: answer the question above.");
    sb_free(&sb);
    v->cause = e->cause;
    v->action = e->action;
}

static void view_conclusion(wv *e, wv_view *v, const kb_step *c)
{
    v->kind = WV_CONCLUSION;
    v->concl_id = c->id;
    v->step_id = c->id;
    v->title = c->title ? c->title : c->id;
    set_text(e, &e->cause, c->means);
    set_text(e, &e->action, c->fix);
    v->cause = e->cause;
    v->action = e->action;
}

void wv_get(wv *e, wv_view *v)
{
    if (e->busy) {
        *v = e->snap;
        return;
    }
    memset(v, 0, sizeof *v);
    if (!e->w)
        return;
    v->article_id = e->art->id;
    size_t n;
    const wiz_visit *p = wiz_path(e->w, &n);
    wiz_state st = wiz_get_state(e->w);
    if (e->shown >= 0 && (size_t)e->shown < n) {
        size_t i = (size_t)e->shown;
        path_build(e, p, i, p[i].step);
        v->path = e->path;
        v->step_no = (int)i + 1;
        view_result(e, v, p, n, i);
        return;
    }
    bool ended = st == WIZ_DONE || st == WIZ_INCONCLUSIVE;
    bool end_visit = ended && n && p[n - 1].step->kind == KB_CONCLUSION;
    const kb_step *cur = st == WIZ_DONE ? wiz_conclusion(e->w) : wiz_current_step(e->w);
    path_build(e, p, end_visit ? n - 1 : n, cur);
    v->path = e->path;
    v->step_no = (int)n + (ended ? 0 : 1);
    if (st == WIZ_DONE) {
        view_conclusion(e, v, cur);
    } else if (st == WIZ_INCONCLUSIVE) {
        view_inconclusive(e, v);
    } else if (cur) {
        view_step(e, v, cur);
    } else {
        v->stopped = true;
        v->title = "The walk stopped";
        v->verdict = wiz_error(e->w);
    }
}

/* ---- moving ---- */

void wv_probe_begin(wv *e, bool rerun)
{
    wv_get(e, &e->snap);
    /* A re-run frees the finding shown (wiz_rerun_current): drop it. */
    e->snap.have_result = false;
    e->snap.summary = e->snap.verdict = NULL;
    e->snap.facts = NULL;
    e->snap.nfacts = 0;
    e->snap.kind = WV_PROBE;
    e->rerun = rerun;
    e->busy = true;
}

void wv_probe_end(wv *e)
{
    e->busy = false;
    e->rerun = false;
}

/* A walk that concluded or stopped needs the server no more: close the
 * shared session now (QUIT), as diagnose does, rather than hold it open
 * until the wizard exits.  b or r reopens one when a probe needs it. */
static void finish_if_over(wv *e)
{
    wiz_state st = wiz_get_state(e->w);
    if (st == WIZ_DONE || st == WIZ_INCONCLUSIVE || st == WIZ_FAILED)
        wiz_finish(e->w);
}

static void run_current(wv *e)
{
    size_t n;
    wiz_path(e->w, &n);
    if (wiz_get_state(e->w) != WIZ_AT_PROBE)
        return;
    wiz_run_probe(e->w);
    e->shown = (long)n;
    finish_if_over(e);
}

void wv_probe(wv *e)
{
    if (!e->w)
        return;
    /* Re-run: only the probe whose finding is shown (or that stopped the
     * walk) runs again, on a fresh session; the other results stay. */
    if (e->rerun && wiz_rerun_current(e->w) == 0)
        e->shown = -1;
    run_current(e);
}

void wv_close_begin(wv *e)
{
    wv_get(e, &e->snap);     /* the conclusion stays on screen meanwhile */
    e->busy = true;
}

void wv_close(wv *e)
{
    if (e->w)
        finish_if_over(e);
}

void wv_close_end(wv *e)
{
    e->busy = false;
}

bool wv_next(wv *e)
{
    if (e->busy || !e->w || e->shown < 0)
        return false;
    size_t n;
    wiz_path(e->w, &n);
    if (wiz_get_state(e->w) == WIZ_FAILED && (size_t)e->shown + 1 >= n)
        return false;
    e->shown = -1;
    return true;
}

bool wv_answer(wv *e, int yn)
{
    if (e->busy || !e->w || e->shown >= 0 || wiz_get_state(e->w) != WIZ_AT_QUESTION)
        return false;
    wiz_reply a = yn == 'y' ? WIZ_YES : yn == 'n' ? WIZ_NO : WIZ_UNKNOWN;
    /* A walk that ends here keeps its session open: closing it sends QUIT,
     * which is a network wait the UI thread never makes; the walk's
     * disposal (a new walk, the exit) closes it on another thread. */
    return wiz_answer(e->w, a) == 0;
}

/* The screens of a walk are its visits in order (a probe visit shows its
 * finding, a question visit the question), then the current step or the
 * end.  Index of the screen on view. */
static size_t screen_index(wv *e)
{
    size_t n;
    const wiz_visit *p = wiz_path(e->w, &n);
    if (e->shown >= 0 && (size_t)e->shown < n)
        return (size_t)e->shown;
    while (n > 0 && p[n - 1].step->kind == KB_CONCLUSION)
        n--;
    return n;
}

/* Show screen i (< the one on view): the visits from i on are undone.  A
 * question there is unanswered again; a probe step decides again from its
 * kept result when the worker runs it (no probe runs again: r does that). */
static bool go_to_screen(wv *e, size_t i)
{
    size_t n;
    for (wiz_path(e->w, &n); n > i; wiz_path(e->w, &n))
        if (wiz_back_step(e->w) != 0)
            return false;
    e->shown = -1;
    return true;
}

bool wv_back(wv *e)
{
    if (e->busy || !e->w)
        return false;
    size_t here = screen_index(e);
    return here > 0 && go_to_screen(e, here - 1);
}

bool wv_goto_step(wv *e, int line)
{
    if (e->busy || !e->w || !e->art || line < 0 || (size_t)line >= e->art->nsteps)
        return false;
    const kb_step *s = &e->art->steps[line];
    size_t n, here = screen_index(e);
    const wiz_visit *p = wiz_path(e->w, &n);
    for (size_t i = here < n ? here + 1 : n; i-- > 0;)
        if (p[i].step == s)
            return i == here ? true : go_to_screen(e, i);
    return false;
}

size_t wv_transcript_lines(wv *e, size_t from, size_t max, tr_entry *out, size_t *dropped)
{
    if (dropped)
        *dropped = 0;
    return e->w && e->tr ? tr_copy(e->tr, from, max, out, dropped) : 0;
}

const transcript *wv_transcript(wv *e)
{
    if (e->busy || !e->w)
        return NULL;   /* the worker appends to it */
    run_report rr;
    wiz_run_report(e->w, &rr);
    return rr.tr;
}

char **wv_outline(wv *e, size_t *n, int *cur)
{
    *n = 0;
    *cur = -1;
    if (!e->art || !e->visited)
        return NULL;
    const kb_article *a = e->art;
    char **v = xcalloc(a->nsteps + 1, sizeof *v);
    for (size_t i = 0; i < a->nsteps; i++) {
        const kb_step *s = &a->steps[i];
        char mark = e->visited[i] ? e->visited[i] : ' ';
        v[i] = xasprintf("%c %-10s %-22s %s", mark, kb_kind_name(s->kind), s->id,
                         s->title ? s->title : "");
        if (mark == '>')
            *cur = (int)i;
    }
    *n = a->nsteps;
    return v;
}

/* Triage (src/triage.h): the article and entry step, and in the note
 * what the text is and the fields found in it (remote host, error code). */
bool wv_triage(wv *e, const char *text, char **article, char **entry, char **why,
               char **host_out)
{
    *host_out = NULL;
    triage_result r;
    triage_run(text, e->cat.v, e->cat.n, &r);
    if (!r.matched || !r.kb || !r.step) {
        *why = xstrdup("That text matches neither article (no event, queue error or reply "
                       "of theirs was recognised): choose one from the list if you know it.");
        triage_result_free(&r);
        return false;
    }
    strbuf sb = { 0 };
    sb_printf(&sb, "%s: KB%s, step %s.",
              r.pattern && r.pattern->what ? r.pattern->what : "Recognised", r.kb->id,
              r.step->id);
    const char *host = triage_field_get(&r, "remote_host");
    const char *code = triage_field_get(&r, "error_code");
    if (host)
        sb_printf(&sb, " Server: %s.", host);
    if (code)
        sb_printf(&sb, " %s", triage_decode(code) ? triage_decode(code) : code);
    *article = xstrdup(r.kb->id);
    *entry = xstrdup(r.step->id);
    char *bad = NULL;
    if (host && names_host(host, strlen(host), &bad))
        *host_out = xstrdup(host);
    free(bad);
    *why = sb_steal(&sb);
    triage_result_free(&r);
    return true;
}

char *wv_report(wv *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = e->w ? open_memstream(&buf, &len) : NULL;
    if (!f)
        return xstrdup("# smtpwiz report\n\n(no walk)\n");
    report_markdown(f, e->w);
    fclose(f);
    if (!e->lab || !buf)
        return buf;
    /* A practice run says so under the title, so that a report pasted into
     * a ticket is never taken for a real server's. */
    const char *nl = strchr(buf, '\n');
    size_t head = nl ? (size_t)(nl - buf) + 1 : strlen(buf);
    char *r = xasprintf("%.*s\n> **Practice lab:** the target is smtpwiz's built-in lab server "
                        "playing the scenario `%s`, not a real server.\n%s", (int)head, buf,
                        lab_server_scenario(e->lab), buf + head);
    free(buf);
    return r;
}

/* ---- the practice labs (src/lab) ---- */

static int lab_order(const void *a, const void *b)
{
    const wv_lab *x = a, *y = b;
    if (x->group_no != y->group_no)
        return x->group_no < y->group_no ? -1 : 1;
    return strcmp(x->name, y->name);
}

int wv_labs(wv *e, const wv_lab **out, char **err)
{
    if (!e->labs_loaded) {
        e->labs_loaded = true;
        e->nlabs = lab_scenario_list(e->labs_dir, &e->labs, err);
        if (e->nlabs < 0) {
            e->nlabs = 0;
            e->labs = NULL;
            return -1;
        }
        e->lv = xcalloc((size_t)e->nlabs + 1, sizeof *e->lv);
        e->lab_groups = xcalloc(e->cat.n + 2, sizeof *e->lab_groups);
        for (size_t k = 0; k < e->cat.n; k++)
            e->lab_groups[k] = xasprintf("KB%s: %s", e->cat.v[k]->id,
                                         e->cat.v[k]->title ? e->cat.v[k]->title : "");
        for (int i = 0; i < e->nlabs; i++) {
            const lab_scenario_info *s = &e->labs[i];
            size_t k = e->cat.n;    /* either article */
            for (size_t j = 0; s->article && j < e->cat.n; j++)
                if (strcmp(e->cat.v[j]->id, s->article) == 0)
                    k = j;
            e->lv[i] = (wv_lab){s->name, s->description, s->article, s->hostile,
                                s->hostile ? "Robustness fixtures: hostile servers, for testing"
                                : k < e->cat.n ? e->lab_groups[k]
                                : "Either article: healthy servers, servers that are not Exchange",
                                s->hostile ? (int)e->cat.n + 1 : (int)k};
        }
        qsort(e->lv, (size_t)e->nlabs, sizeof *e->lv, lab_order);
    }
    *out = e->lv;
    return e->nlabs;
}

bool wv_lab_start(wv *e, const char *name, wv_lab_target *t, char **err)
{
    lab_server_opts lo = {.scenario = name, .scenarios_dir = e->labs_dir};
    lab_server *ls = lab_server_start(&lo, err);
    if (!ls)
        return false;
    wv_lab_stop(e);   /* another scenario: the worker is idle here */
    e->lab = ls;
    const char *art = lab_server_article(ls);
    *t = (wv_lab_target){.host = lab_server_host(ls), .port = lab_server_port(ls),
                         .user = LAB_USER, .password = LAB_PASSWORD,
                         .article = art && kb_catalog_find(&e->cat, art) ? art : NULL};
    return true;
}

void wv_lab_stop(wv *e)
{
    if (e->lab)
        lab_server_stop(e->lab);
    e->lab = NULL;
}

bool wv_lab_running(const wv *e)
{
    return e->lab != NULL;
}
