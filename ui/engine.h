/* engine: the one place ui/ binds to the wizard engine (src/kb.h,
 * src/wizard.h, src/triage.h, the Markdown report); the lab itself is
 * src/lab.h's (ui.c), the article a scenario illustrates is here.  The
 * screens only see these small views; every pointer in a view is owned by
 * the uw and stays valid until the next call that changes the walk. */
#ifndef SMTPWIZ_UI_ENGINE_H
#define SMTPWIZ_UI_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/probe.h"

typedef struct uw uw;

typedef struct uw_article {
    const char *id, *title, *symptom;
} uw_article;

typedef enum { UW_PROBE, UW_QUESTION, UW_CONCLUSION } uw_kind;

typedef struct uw_view {
    uw_kind kind;
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
    bool stopped;                /* the walk ended without a conclusion (verdict says why) */
    const char *concl_id, *cause, *action;   /* conclusions */
} uw_view;

/* Load the articles of kb_dir (NULL: kb_dir_find's lookup). */
uw *uw_open(const char *kb_dir, char **err);
void uw_free(uw *e);
/* The first article file that did not load and why ("kb1.ini:3: reason"),
 * *more how many others did not; NULL when all did. */
const char *uw_load_note(const uw *e, int *more);
/* The directory the articles came from; the lab scenarios are in its labs/. */
const char *uw_kb_dir(const uw *e);
int uw_articles(uw *e, const uw_article **out);
/* Start a walk of article (at entry, or its first step). */
bool uw_begin(uw *e, const char *article, const char *entry, const probe_opts *o, char **err);
bool uw_started(const uw *e);
void uw_get(uw *e, uw_view *v);
/* The blocking probe of the current step (the worker thread calls this).
 * The UI thread calls uw_probe_begin before starting the worker (rerun:
 * the probe whose result is shown, or that stopped the walk, runs again on a
 * fresh session: wiz_rerun_current) and uw_probe_end after joining it; in
 * between uw_get returns a snapshot and nothing else touches the walk. */
void uw_probe_begin(uw *e, bool rerun);
void uw_probe(uw *e);
void uw_probe_end(uw *e);
/* Enter after a probe: follow the branch its result chose. */
bool uw_next(uw *e);
/* Question steps: 'y', 'n' or '?'. */
bool uw_answer(uw *e, int yn);
bool uw_back(uw *e);
const transcript *uw_transcript(uw *e);
/* The article's steps as lines, the path taken marked: allocated array of
 * allocated strings; *cur the index of the current step. */
char **uw_outline(uw *e, size_t *n, int *cur);
/* Triage pasted text: article and entry step (allocated) and a one-line
 * explanation; false if nothing matched (*why says so). */
bool uw_triage(uw *e, const char *text, char **article, char **entry, char **why);
/* The Markdown report of the walk so far, allocated. */
char *uw_report(uw *e);

/* The article a lab scenario illustrates ("KB843106 step 2: ..."), or NULL
 * (healthy and hostile scenarios: the user chooses). */
const char *uw_article_for_lab(uw *e, const char *description);

#endif
