/* wizard: the UI-free walker of one knowledge-base article.  It holds the
 * walk (the steps visited and what came of each), one probe_ctx shared by
 * every probe of the walk, and the probe results.  The ncurses UI and the
 * batch command `smtpwiz diagnose` drive the same state machine:
 *
 *   while state is WIZ_AT_PROBE     -> wiz_run_probe()  (blocking; may run
 *                                      on a worker thread: no globals)
 *   while state is WIZ_AT_QUESTION  -> wiz_answer(), or wiz_back()
 *   WIZ_DONE                        -> wiz_conclusion(): a finding, or the
 *                                      all-clear with every cause ruled out
 *   WIZ_INCONCLUSIVE                -> what is known does not settle the
 *                                      cause: wiz_suspected(), wiz_open()
 *   WIZ_FAILED                      -> wiz_error(): a probe could not examine
 *                                      the server, so there is no conclusion.
 * The rules that decide between a conclusion and inconclusive are
 * walk/evidence.h's.
 *
 * The article and the probe_opts strings are borrowed and must outlive the
 * wizard.  Everything returned is owned by the wizard. */
#ifndef SMTPWIZ_WIZARD_H
#define SMTPWIZ_WIZARD_H

#include <stdbool.h>
#include <stddef.h>

#include "kb/kb.h"
#include "walk/evidence.h"
#include "probe/opts.h"
#include "walk/report.h"

typedef enum { WIZ_YES = 0, WIZ_NO, WIZ_UNKNOWN } wiz_reply;
typedef enum { WIZ_AT_PROBE, WIZ_AT_QUESTION, WIZ_DONE, WIZ_INCONCLUSIVE, WIZ_FAILED } wiz_state;

typedef struct wiz wiz;

wiz *wiz_new(const kb_article *kb, const probe_opts *o);
/* Start the walk at step_id instead of the article's start (a triage entry
 * step); NULL step_id is the start.  NULL if the article has no such step. */
wiz *wiz_new_at(const kb_article *kb, const probe_opts *o, const char *step_id);
void wiz_free(wiz *w);

wiz_state wiz_get_state(const wiz *w);
const kb_step *wiz_current_step(const wiz *w);   /* NULL when done or failed */
const kb_article *wiz_article(const wiz *w);
/* The current step is a probe step (its probe may already have run for an
 * earlier step: then wiz_run_probe only decides the branch). */
bool wiz_step_needs_probe(const wiz *w);
/* Run the current step's probe (and any its conditions need), take the
 * branch, and move on.  0, or -1 if the current step is not a probe step. */
int wiz_run_probe(wiz *w);
/* Answer the current question.  0, or -1 if it is not a question step. */
int wiz_answer(wiz *w, wiz_reply a);
/* Make the probe step whose result was seen last run again: the last probe
 * step on the path, if no question was answered after it (the path is cut
 * back to it, the conclusion or stop it led to is dropped), or else the
 * current step if it is a probe step.  Its probe's result is forgotten, and
 * so are the results of the probes that step's conditions or prerequisites
 * ran first (a cancel may have cut them short); results of earlier steps
 * are kept.  The shared session is reset
 * (probe_ctx_reset_session), so the next wiz_run_probe runs that one probe
 * again on a fresh connection.  0, or -1 if there is no such step. */
int wiz_rerun_current(wiz *w);
/* Go back to the last question answered (probe results are kept).
 * 0, or -1 if no question was answered yet. */
int wiz_back(wiz *w);
/* Go back one step: the last visit is undone (a question is unanswered, a
 * probe step will decide again from its kept result; a conclusion or an end
 * is left).  0, or -1 at the first step. */
int wiz_back_step(wiz *w);

const wiz_visit *wiz_path(const wiz *w, size_t *n);
const kb_step *wiz_conclusion(const wiz *w);    /* NULL unless WIZ_DONE */
/* WIZ_INCONCLUSIVE: the finding the walk reached but could not stand by
 * (the server's identity is not settled), or NULL (causes left open). */
const kb_step *wiz_suspected(const wiz *w);
/* The premise question whose "don't know" left the server's identity open. */
const kb_step *wiz_premise_open(const wiz *w);
/* The causes not ruled out so far (see ev_open_causes). */
size_t wiz_open(const wiz *w, const kb_step **out, size_t cap);
/* The visits whose test the server refused before it could be made
 * (evidence.h's ev_untested); count as wiz_open. */
size_t wiz_untested(const wiz *w, const wiz_visit **out, size_t cap);
/* "conclusion", "inconclusive", "error" or "in progress". */
const char *wiz_outcome_name(const wiz *w);
const char *wiz_error(const wiz *w);            /* why WIZ_FAILED, else NULL */
/* Question ids that were answered "unknown" on the path, in order. */
size_t wiz_unanswered(const wiz *w, const char **ids, size_t cap);

const probe_result *wiz_result(const wiz *w, const char *probe);
/* The result a probe step's visit shows (NULL for other steps, or while a
 * re-run waits). */
const probe_result *wiz_visit_result(const wiz *w, const wiz_visit *v);
/* The results in run order and the shared context, for report_*(). */
void wiz_run_report(const wiz *w, run_report *rr);
/* Close the shared session (the walk is finished). */
void wiz_finish(wiz *w);
/* Exit status (base/exitcode.h): 0 no fault (every cause ruled out), 1 an
 * expected condition, 2 a fault concluded, 3 the server could not be
 * examined, 4 inconclusive. */
int wiz_exit_status(const wiz *w);
const char *wiz_reply_name(wiz_reply a);
int wiz_reply_parse(const char *s, wiz_reply *a);   /* yes|no|unknown; -1 else */

#endif
