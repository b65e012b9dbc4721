/* engine: binds the screens to the decision-tree engine (src/wizard.h over
 * the articles of src/kb.h) and the Markdown report.
 *
 * The wizard moves on as soon as a probe ran; the screens first show the
 * finding, then the next step on Enter.  So the adapter keeps a display
 * cursor: `shown` is the index in the wizard's path of the probe visit
 * whose finding is on screen, or -1 when the wizard's current step (or its
 * conclusion) is.  While the worker thread runs a probe, the UI thread
 * only sees a snapshot (uw_get) and never touches the wizard. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/engine.h"
#include "kb/kb.h"
#include "walk/report.h"
#include "walk/report_md.h"
#include "kb/triage.h"
#include "base/util.h"
#include "walk/wizard.h"

#define MAX_ARTS 32

struct uw {
    kb_article *arts[MAX_ARTS];
    uw_article av[MAX_ARTS];
    int narts;
    char *dir;                 /* the knowledge base's directory (labs/ in it) */
    char *note;                /* the first article that did not load, and why */
    int nnotes;                /* how many did not */
    const kb_article *art;     /* the walk's article */
    probe_opts o;
    wiz *w;
    bool busy;                 /* the worker runs: the wizard is its alone */
    bool rerun;
    long shown;                /* path index of the finding on screen, or -1 */
    uw_view snap;              /* what uw_get returns while busy */
    char *path, *ask, *manual, *verdict, *why, *cause, *action;
    char *symptoms[MAX_ARTS];
    char **facts;
    size_t nfacts;
    char *visited;             /* per article step: on the path ('*'), shown ('>') */
};

/* The KB files wrap their texts at 100 columns; the screens wrap to the
 * terminal: a single line break becomes a space, a blank line stays. */
static char *reflow(const char *s)
{
    if (!s)
        return NULL;
    char *r = xstrdup(s), *o = r;
    for (const char *p = s; *p; p++) {
        if (*p == '\n' && p[1] != '\n' && (p == s || p[-1] != '\n'))
            *o++ = ' ';
        else
            *o++ = *p;
    }
    *o = '\0';
    return r;
}

static void set_text(char **slot, const char *s)
{
    free(*slot);
    *slot = reflow(s);
}

/* ---- loading the articles ---- */

static int kb_filter(const struct dirent *de)
{
    return kb_is_article_file(de->d_name);
}

/* What did not load: the first reason is kept, the others counted. */
static void note_add(uw *e, char *why)
{
    if (e->nnotes++ == 0)
        e->note = why;
    else
        free(why);
}

static void kb_load_one(uw *e, const char *dir, const char *name)
{
    if (e->narts == MAX_ARTS) {
        note_add(e, xasprintf("%s: past the %d articles the wizard takes", name, MAX_ARTS));
        return;
    }
    char *path = xasprintf("%s/%s", dir, name);
    kb_errors errs = { 0 };
    kb_article *a = kb_load(path, &errs);
    if (a && errs.n == 0) {
        e->arts[e->narts] = a;
        e->symptoms[e->narts] = reflow(a->symptoms);
        e->av[e->narts] = (uw_article){ a->id, a->title, e->symptoms[e->narts] };
        e->narts++;
    } else {
        /* "DIR/kb1.ini:3: reason" -> "kb1.ini:3: reason": the line is short. */
        const char *m = errs.n ? errs.v[0] : path;
        size_t dl = strlen(dir);
        if (strncmp(m, dir, dl) == 0 && m[dl] == '/')
            m += dl + 1;
        note_add(e, errs.n ? xstrdup(m) : xasprintf("%s: cannot be read", m));
        kb_free(a);
    }
    kb_errors_free(&errs);
    free(path);
}

uw *uw_open(const char *kb_dir, char **err)
{
    uw *e = xcalloc(1, sizeof *e);
    e->shown = -1;
    char *dir = kb_dir_find(kb_dir);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, kb_filter, alphasort);
    for (int i = 0; i < n; i++) {
        kb_load_one(e, dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    if (e->narts == 0) {
        *err = e->note ? xasprintf("%s/%s", dir, e->note)
                       : xasprintf("no kb*.ini article in %s (set SMTPWIZ_KBDIR)", dir);
        free(e->note);
        free(dir);
        free(e);
        return NULL;
    }
    e->dir = dir;   /* a broken article: the others still work (uw_load_note) */
    return e;
}

const char *uw_load_note(const uw *e, int *more)
{
    *more = e->nnotes > 1 ? e->nnotes - 1 : 0;
    return e->note;
}

static void facts_free(uw *e)
{
    for (size_t i = 0; i < e->nfacts; i++)
        free(e->facts[i]);
    free(e->facts);
    e->facts = NULL;
    e->nfacts = 0;
}

void uw_free(uw *e)
{
    if (!e)
        return;
    wiz_free(e->w);
    for (int i = 0; i < e->narts; i++) {
        kb_free(e->arts[i]);
        free(e->symptoms[i]);
    }
    facts_free(e);
    free(e->why);
    free(e->cause);
    free(e->action);
    free(e->path);
    free(e->ask);
    free(e->manual);
    free(e->verdict);
    free(e->visited);
    free(e->dir);
    free(e->note);
    free(e);
}

const char *uw_kb_dir(const uw *e)
{
    return e->dir;
}

int uw_articles(uw *e, const uw_article **out)
{
    *out = e->av;
    return e->narts;
}

static const kb_article *article_find(const uw *e, const char *id)
{
    if (strncmp(id, "kb", 2) == 0 || strncmp(id, "KB", 2) == 0)
        id += 2;
    for (int i = 0; i < e->narts; i++)
        if (strcmp(e->arts[i]->id, id) == 0)
            return e->arts[i];
    return NULL;
}

bool uw_begin(uw *e, const char *article, const char *entry, const probe_opts *o, char **err)
{
    const kb_article *a = article_find(e, article);
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
    wiz_free(e->w);
    e->w = wiz_new_at(a, &e->o, s ? s->id : NULL);
    e->shown = -1;
    free(e->visited);
    e->visited = xcalloc(e->art->nsteps + 1, 1);
    return true;
}

bool uw_started(const uw *e)
{
    return e->w != NULL;
}

/* ---- the view ---- */

static void path_build(uw *e, const wiz_visit *p, size_t n, const kb_step *here)
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

static void fact_lines(uw *e, const probe_result *r)
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

static void view_step(uw *e, uw_view *v, const kb_step *s)
{
    v->kind = s->kind == KB_QUESTION ? UW_QUESTION : UW_PROBE;
    v->step_id = s->id;
    v->title = s->title ? s->title : s->id;
    set_text(&e->why, s->why);
    v->why = e->why;
    v->probe = s->probe;
    if (s->kind == KB_QUESTION) {
        set_text(&e->ask, s->ask ? s->ask : v->title);
        set_text(&e->manual, s->how ? s->how : "(no instructions)");
        v->question = e->ask;
        v->manual = e->manual;
    }
}

/* What the finding of visit i means: where the walk goes, or why it stops. */
static const char *verdict_of(uw *e, const wiz_visit *p, size_t n, size_t i)
{
    free(e->verdict);
    const kb_step *next = i + 1 < n ? p[i + 1].step : wiz_current_step(e->w);
    if (wiz_get_state(e->w) == WIZ_FAILED && i + 1 == n)
        e->verdict = xasprintf("The walk stops here: %s. r runs the probe again.",
                               wiz_error(e->w) ? wiz_error(e->w) : "no conclusion");
    else if (next && next->kind == KB_CONCLUSION)
        e->verdict = xasprintf("Result %s: this points to the cause \"%s\". Enter shows it.",
                               p[i].outcome, next->title ? next->title : next->id);
    else if (next)
        e->verdict = xasprintf("Result %s. Next: %s. Enter goes on.", p[i].outcome,
                               next->title ? next->title : next->id);
    else
        e->verdict = xasprintf("Result %s.", p[i].outcome);
    return e->verdict;
}

static void view_result(uw *e, uw_view *v, const wiz_visit *p, size_t n, size_t i)
{
    view_step(e, v, p[i].step);
    v->kind = UW_PROBE;
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
}

static void view_conclusion(uw *e, uw_view *v, const kb_step *c)
{
    v->kind = UW_CONCLUSION;
    v->concl_id = c->id;
    v->step_id = c->id;
    v->title = c->title ? c->title : c->id;
    set_text(&e->cause, c->means);
    set_text(&e->action, c->fix);
    v->cause = e->cause;
    v->action = e->action;
}

void uw_get(uw *e, uw_view *v)
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
    const kb_step *cur = st == WIZ_DONE ? wiz_conclusion(e->w) : wiz_current_step(e->w);
    path_build(e, p, st == WIZ_DONE && n ? n - 1 : n, cur);
    v->path = e->path;
    v->step_no = (int)n + (st == WIZ_DONE ? 0 : 1);
    if (st == WIZ_DONE) {
        view_conclusion(e, v, cur);
    } else if (cur) {
        view_step(e, v, cur);
    } else {
        v->stopped = true;
        v->title = "The walk stopped";
        v->verdict = wiz_error(e->w);
    }
}

/* ---- moving ---- */

void uw_probe_begin(uw *e, bool rerun)
{
    uw_get(e, &e->snap);
    /* A re-run frees the finding shown (wiz_rerun_current): drop it. */
    e->snap.have_result = false;
    e->snap.summary = e->snap.verdict = NULL;
    e->snap.facts = NULL;
    e->snap.nfacts = 0;
    e->snap.kind = UW_PROBE;
    e->rerun = rerun;
    e->busy = true;
}

void uw_probe_end(uw *e)
{
    e->busy = false;
    e->rerun = false;
}

/* A walk that concluded or stopped needs the server no more: close the
 * shared session now (QUIT), as diagnose does, rather than hold it open
 * until the wizard exits.  b or r reopens one when a probe needs it. */
static void finish_if_over(uw *e)
{
    wiz_state st = wiz_get_state(e->w);
    if (st == WIZ_DONE || st == WIZ_FAILED)
        wiz_finish(e->w);
}

static void run_current(uw *e)
{
    size_t n;
    wiz_path(e->w, &n);
    if (wiz_get_state(e->w) != WIZ_AT_PROBE)
        return;
    wiz_run_probe(e->w);
    e->shown = (long)n;
    finish_if_over(e);
}

void uw_probe(uw *e)
{
    if (!e->w)
        return;
    /* Re-run: only the probe whose finding is shown (or that stopped the
     * walk) runs again, on a fresh session; the other results stay. */
    if (e->rerun && wiz_rerun_current(e->w) == 0)
        e->shown = -1;
    run_current(e);
}

bool uw_next(uw *e)
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

bool uw_answer(uw *e, int yn)
{
    if (e->busy || !e->w || e->shown >= 0 || wiz_get_state(e->w) != WIZ_AT_QUESTION)
        return false;
    wiz_reply a = yn == 'y' ? WIZ_YES : yn == 'n' ? WIZ_NO : WIZ_UNKNOWN;
    if (wiz_answer(e->w, a) != 0)
        return false;
    /* On this thread: the session is idle and its server answered the last
     * probe, so the QUIT is quick (and at most smtp_quit's 2 s). */
    finish_if_over(e);
    return true;
}

bool uw_back(uw *e)
{
    if (e->busy || !e->w || wiz_back(e->w) != 0)
        return false;
    e->shown = -1;
    return true;
}

const transcript *uw_transcript(uw *e)
{
    if (e->busy || !e->w)
        return NULL;   /* the worker appends to it */
    run_report rr;
    wiz_run_report(e->w, &rr);
    return &rr.ctx->tr;
}

char **uw_outline(uw *e, size_t *n, int *cur)
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
bool uw_triage(uw *e, const char *text, char **article, char **entry, char **why)
{
    triage_result r;
    triage_run(text, e->arts, (size_t)e->narts, &r);
    if (!r.matched || !r.kb || !r.step) {
        *why = r.suggest ? xasprintf("No known error in that text; the closest article is "
                                     "KB%s: choose it from the list.", r.suggest->id)
                         : xstrdup("Nothing in that text matched an article: choose one "
                                   "from the list.");
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
    *why = sb_steal(&sb);
    triage_result_free(&r);
    return true;
}

char *uw_report(uw *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = e->w ? open_memstream(&buf, &len) : NULL;
    if (!f)
        return xstrdup("# smtpwiz report\n\n(no walk)\n");
    report_markdown(f, e->w);
    fclose(f);
    return buf;
}

const char *uw_article_for_lab(uw *e, const char *description)
{
    const char *s = description ? strstr(description, "KB") : NULL;
    if (!s || s[2] < '0' || s[2] > '9')
        return NULL;
    char id[16];
    size_t n = 0;
    for (s += 2; *s >= '0' && *s <= '9' && n + 1 < sizeof id; s++)
        id[n++] = *s;
    id[n] = '\0';
    const kb_article *a = article_find(e, id);
    return a ? a->id : NULL;
}
