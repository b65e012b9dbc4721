/* walkview: the screens' view model and the one place ui/ binds to src/:
 * the articles (kb/kb_catalog.h), the walk (walk/wizard.h), triage, the
 * Markdown report and the practice labs (lab/lab.h).  The screens only see
 * these small views; every pointer in a view is owned by the wv and stays
 * valid until the next call that changes the walk.  No curses, no socket:
 * tests/unit/test_walkview.c drives it without a terminal. */
#ifndef SMTPWIZ_UI_WALKVIEW_H
#define SMTPWIZ_UI_WALKVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/opts.h"
#include "proto/transcript.h"

typedef struct wv wv;

/* In a view's texts, a line that starts with this byte is a command to
 * copy: drawn as it stands, one line, never wrapped into prose. */
#define WV_CMD '\x01'

typedef struct wv_article {
    const char *id, *title, *symptom;
} wv_article;

typedef enum { WV_PROBE, WV_QUESTION, WV_CONCLUSION } wv_kind;

/* What a probe step's finding means for the diagnosis: the mark a reader
 * sees first (the probe's own pass/fail is secondary). */
typedef enum {
    WV_MARK_NONE = 0,        /* no finding yet */
    WV_MARK_NOTED,           /* a fact for the walk: neither fault nor all-clear */
    WV_MARK_RULED_OUT,       /* causes ruled out here */
    WV_MARK_FAULT,           /* points to a fault conclusion */
    WV_MARK_EXPECTED,        /* points to an expected condition */
    WV_MARK_CLEAR,           /* points to the all-clear */
    WV_MARK_UNTESTED,        /* the server refused before the test */
    WV_MARK_NOT_RUN,         /* the probe could not run (or was cancelled) */
} wv_mark;

typedef struct wv_view {
    wv_kind kind;
    const char *article_id;
    int step_no;                 /* 1-based position in the path */
    const char *path;            /* "banner > ehlo > auth" so far */
    const char *step_id, *title, *why;
    const char *question;        /* question steps: what is asked */
    const char *manual;          /* question steps: how to check it by hand */
    const char *probe;           /* probe steps: the probe's name */
    bool have_result;            /* the probe ran */
    int status;                  /* UI_ST_* */
    const char *summary;
    const char *const *facts;    /* "key: value" lines */
    size_t nfacts;
    const char *verdict;         /* what the wizard concludes from the result */
    wv_mark mark;                /* the verdict's mark */
    const char *mark_text;       /* "fault found here", "ruled out: spn-missing" ... */
    bool stopped;                /* the walk ended without a conclusion (verdict says why) */
    bool inconclusive;           /* the walk ended inconclusive (cause: what it points to;
                                  * action: the causes still open and their checks) */
    const char *concl_id, *cause, *action;   /* conclusions */
} wv_view;

/* Load the articles of kb_dir (NULL: kb_dir_find's lookup). */
wv *wv_open(const char *kb_dir, char **err);
void wv_free(wv *e);
/* The first article file that did not load and why ("kb1.ini:3: reason"),
 * *more how many others did not; NULL when all did. */
const char *wv_load_note(const wv *e, int *more);
int wv_articles(wv *e, const wv_article **out);
/* Start a walk of article (at entry, or its first step). */
bool wv_begin(wv *e, const char *article, const char *entry, const probe_opts *o, char **err);
bool wv_started(const wv *e);
void wv_get(wv *e, wv_view *v);
/* The blocking probe of the current step (the worker thread calls this).
 * The UI thread calls wv_probe_begin before starting the worker (rerun:
 * the probe whose result is shown, or that stopped the walk, runs again on a
 * fresh session: wiz_rerun_current) and wv_probe_end after joining it; in
 * between wv_get returns a snapshot and nothing else touches the walk. */
void wv_probe_begin(wv *e, bool rerun);
void wv_probe(wv *e);
void wv_probe_end(wv *e);
/* Enter after a probe: follow the branch its result chose. */
bool wv_next(wv *e);
/* Question steps: 'y', 'n' or '?'. */
bool wv_answer(wv *e, int yn);
/* A walk that ended on an answer still holds its session: the worker
 * closes it (QUIT) between wv_close_begin and wv_close_end, as it runs a
 * probe; meanwhile wv_get shows the conclusion as it was. */
void wv_close_begin(wv *e);
void wv_close(wv *e);
void wv_close_end(wv *e);
/* Back one screen: to the finding or question shown before this one.
 * Going back past a question un-answers it; probe results are kept (a probe
 * step shown again decides from its kept result when wv_probe runs).
 * False on the walk's first screen. */
bool wv_back(wv *e);
/* The outline's line (an article step): go back to that step if the walk
 * passed it (its last visit); false if it did not (or it is ahead). */
bool wv_goto_step(wv *e, int line);
const transcript *wv_transcript(wv *e);
/* The transcript's entries [from, from + max) into out (lines allocated),
 * also while a probe runs and appends to it; returns how many there are. */
size_t wv_transcript_lines(wv *e, size_t from, size_t max, tr_entry *out, size_t *dropped);
/* The article's steps as lines, the path taken marked: allocated array of
 * allocated strings; *cur the index of the current step. */
char **wv_outline(wv *e, size_t *n, int *cur);
/* Triage pasted text: article and entry step (allocated) and a one-line
 * explanation; false if nothing matched (*why says so).  *host: the server
 * the text names, if it is a valid host name (allocated), else NULL. */
bool wv_triage(wv *e, const char *text, char **article, char **entry, char **why,
               char **host);
/* The Markdown report of the walk so far, allocated. */
char *wv_report(wv *e);

/* ---- practice labs ---- */

typedef struct wv_lab {
    const char *name, *description;
    const char *article;         /* the article it plays, or NULL */
    bool hostile;                /* a robustness fixture */
    const char *group;           /* the heading it is listed under */
    int group_no;                /* that heading's place in the list, from 0 */
} wv_lab;
/* The scenarios (read on the first call), grouped: the ones of each
 * article in the catalog's order, then those that fit either (healthy
 * servers, servers that are not Exchange), the robustness fixtures (hostile
 * servers) last; by name within a group.  -1 with *err. */
int wv_labs(wv *e, const wv_lab **out, char **err);

typedef struct wv_lab_target {
    const char *host;            /* where the lab listens */
    int port;
    const char *user, *password; /* the lab account */
    const char *article;         /* the article it plays (one that loaded), or NULL */
} wv_lab_target;
/* Start scenario name in the background (stopping the lab that ran); the
 * strings in *t stay valid while the lab runs.  false with *err. */
bool wv_lab_start(wv *e, const char *name, wv_lab_target *t, char **err);
void wv_lab_stop(wv *e);
bool wv_lab_running(const wv *e);

#endif
