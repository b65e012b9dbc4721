/* evidence: what a walk's path establishes, and the rule that turns the
 * conclusion a walk reached into its outcome.
 *
 *   - A finding (a fault or an expected condition) rests on evidence (a
 *     probe measured it) or on a "yes"; kb check refuses a tree that would
 *     reach one from "don't know" or from a probe that did not test it.
 *   - The all-clear (no-fault-found) needs every cause of the article ruled
 *     out, by evidence or by a "no" (the branches' rules_out); else the walk
 *     is inconclusive, and the causes still open are listed with the manual
 *     checks that settle them.
 *   - A fault of the server itself needs the walk to know who the server
 *     is: "don't know" to a premise question (is it an Exchange server of
 *     this organisation?) turns such a conclusion into an inconclusive
 *     outcome that names it as suspected.
 * Pure: it reads the article and the path, nothing else, so unit tests
 * check the rules without a server. */
#ifndef SMTPWIZ_WALK_EVIDENCE_H
#define SMTPWIZ_WALK_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "kb/kb.h"

/* What a visit rests on. */
typedef enum {
    EV_MEASURED = 0,   /* a probe's result decided the branch */
    EV_UNTESTED,       /* the probe skipped or could not run: nothing was measured */
    EV_ANSWER_YES,
    EV_ANSWER_NO,
    EV_ANSWER_UNKNOWN, /* "don't know", or no answer given */
    EV_REACHED,        /* a conclusion or an end of the walk */
} ev_basis;

typedef struct wiz_visit {
    const kb_step *step;
    char *outcome;             /* "pass" ... "error"; "yes" "no" "unknown"; "reached" */
    const kb_branch *br;       /* the branch taken, or NULL (a conclusion, a stop) */
    ev_basis basis;
} wiz_visit;

typedef enum { EV_CONCLUSION, EV_INCONCLUSIVE } ev_outcome;

/* Some visit's branch rules cause out. */
bool ev_ruled_out(const wiz_visit *path, size_t n, const char *cause);
/* The premise question answered "don't know" that no later "no" to a
 * premise question settled, or NULL when the walk knows who the server is. */
const kb_step *ev_premise_open(const wiz_visit *path, size_t n);
/* What reaching conclusion c of a after path means (c is not on the path). */
ev_outcome ev_judge(const kb_article *a, const wiz_visit *path, size_t n, const kb_step *c);
/* The causes of a (its fail conclusions) that path did not rule out, in
 * file order; returns the count (more than cap are counted, not stored). */
size_t ev_open_causes(const kb_article *a, const wiz_visit *path, size_t n,
                      const kb_step **out, size_t cap);
/* The visits whose branch says the server refused before the test could be
 * made (`untested = yes`): each keeps the all-clear out of reach; count as
 * ev_open_causes. */
size_t ev_untested(const wiz_visit *path, size_t n, const wiz_visit **out, size_t cap);
/* The questions of a whose "no" rules cause out: the manual checks that
 * settle it; count as ev_open_causes. */
size_t ev_checks_for(const kb_article *a, const kb_step *cause, const kb_step **out, size_t cap);
const char *ev_basis_name(ev_basis b);   /* "measured", "not tested", "yes" ... */

/* What a visit means for the diagnosis, for the mark a reader sees (the
 * probe's own status is secondary to it): its branch concludes a finding,
 * rules a cause out, tested nothing, could not run (the walk stopped on
 * it), was answered "don't know", or was checked and led on. */
typedef enum {
    EV_MARK_FOUND = 0, EV_MARK_RULED_OUT, EV_MARK_NOT_TESTED, EV_MARK_NOT_RUN,
    EV_MARK_NOT_KNOWN, EV_MARK_CHECKED,
} ev_mark;
ev_mark ev_visit_mark(const kb_article *a, const wiz_visit *v);
const char *ev_mark_name(ev_mark m);   /* "fault found here", "ruled out" ... */

#endif
