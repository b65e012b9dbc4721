/* kb: the knowledge base - one troubleshooting article (KB843106, KB979174)
 * loaded from an INI file into a decision tree of probe, question and
 * conclusion steps, plus the triage patterns that lead pasted text into it.
 * kb/README.md documents the file format.
 *
 * Loading validates the tree (unknown probe or fact, a branch to a missing
 * step, unreachable steps, cycles, a walk that could end without a
 * conclusion, duplicate ids).  Every problem is one allocated message
 * "file:line: reason" in kb_errors; the caller owns the article and frees
 * it with kb_free.  Strings inside an article belong to it. */
#ifndef SMTPWIZ_KB_H
#define SMTPWIZ_KB_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "probe/catalog.h"
#include "probe/result.h"

/* The reserved branch targets: "stop" ends the walk with an error outcome
 * (the server could not be examined), "inconclusive" ends it without a
 * conclusion because what is known does not settle the cause; neither is
 * ever a wrong conclusion. */
#define KB_STOP "stop"
#define KB_INCONCLUSIVE "inconclusive"

typedef enum { KB_NONE = 0, KB_PROBE, KB_QUESTION, KB_CONCLUSION } kb_kind;

typedef enum {
    KB_OP_HAS, KB_OP_LACKS, KB_OP_MATCH, KB_OP_NOMATCH, KB_OP_EQ, KB_OP_NE,
    KB_OP_LT, KB_OP_GT, KB_OP_LE, KB_OP_GE, KB_OP_EMPTY, KB_OP_NONEMPTY,
    KB_OP_EXISTS, KB_OP_MISSING,
} kb_op;

/* One test on one fact: "xexch50.reply_auth ~ ^504". */
typedef struct kb_cond {
    char *probe;
    char *fact;        /* a probe's fact, or the pseudo-facts status / summary */
    kb_op op;
    char *value;       /* NULL for the unary operators */
    regex_t re;        /* KB_OP_MATCH / KB_OP_NOMATCH */
    bool has_re;
} kb_cond;

/* One way out of a step: where it goes, the sentence that says why (shown
 * to the admin instead of the rule: `because = ...` right after it) and the
 * causes taking it rules out (`rules_out = ID ...`). */
typedef struct kb_branch {
    char *target;      /* NULL: not given */
    int line;
    char *because;
    char **rules_out;  /* conclusion ids */
    size_t nrules_out;
    bool untested;     /* `untested = yes`: the server refused before the step's
                        * test could be made, so the branch measured nothing
                        * and the all-clear stays out of reach */
} kb_branch;

/* "when = COND [and COND ...] -> STEP": tried in file order, before the
 * status branches. */
typedef struct kb_when {
    char *text;        /* the condition as written, for kb check's messages */
    kb_cond *conds;
    size_t nconds;
    kb_branch br;
} kb_when;

enum { KB_NSTATUS = 5 };   /* pass warn fail skip error, as probe_status */

typedef struct kb_step {
    char *id;
    kb_kind kind;
    int line;          /* of its [step ...] header */
    char *title;
    char *why;         /* what is checked and what the result means */
    /* probe step */
    char *probe;
    int probe_line;
    kb_branch on[KB_NSTATUS];  /* per probe status (target NULL: none) */
    kb_branch dflt;            /* "default = STEP" */
    kb_when *whens;
    size_t nwhens;
    /* question step */
    char *ask;
    char *how;         /* exact manual instructions */
    kb_branch yes, no, unknown;
    bool premise;      /* question: it settles who the server is ("don't know"
                        * here leaves every server fault unproven); conclusion:
                        * it blames the server itself (see needs_premise) */
    bool premise_set;  /* `premise` was given */
    /* conclusion step: the id is the stable conclusion id */
    char *means;
    char *fix;
    char *severity;    /* ok | warn | fail (default fail) */
} kb_step;

/* A triage pattern: pasted text matching re enters the article at step. */
typedef struct kb_pattern {
    char *name;
    char *match;
    regex_t re;
    bool has_re;
    char *step;
    char *what;        /* what the text is, in a sentence */
    int weight;        /* the more specific pattern wins */
    int line;
} kb_pattern;

typedef struct kb_article {
    char *file;
    char *id;          /* "843106" */
    char *title;
    char *source;      /* "Microsoft KB843106" */
    char *symptoms;
    char *start;
    int start_line;
    kb_step *steps;
    size_t nsteps;
    kb_pattern *patterns;
    size_t npatterns;
} kb_article;

typedef struct kb_errors {
    char **v;          /* "file:line: reason", allocated */
    size_t n;
} kb_errors;

/* Load and validate one file.  Returns NULL only if the file cannot be
 * opened or read (then one error says so); otherwise an article, which is
 * usable only when errs->n did not grow. */
kb_article *kb_load(const char *path, kb_errors *errs);
void kb_free(kb_article *a);
void kb_errors_add(kb_errors *e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kb_errors_free(kb_errors *e);
/* kb_load for a command: every error printed to err, one a line.  The
 * article only if it loaded clean, else NULL. */
kb_article *kb_load_reported(const char *path, FILE *err);

const kb_step *kb_step_find(const kb_article *a, const char *id);
const char *kb_kind_name(kb_kind k);
/* The branch for a probe status, the default's if it has none; NULL if
 * neither is set (for error that means stop). */
const kb_branch *kb_step_route(const kb_step *s, probe_status st);
/* A conclusion that names a fault (severity fail): a cause the article
 * must rule out before it finds no fault. */
bool kb_is_cause(const kb_step *s);
/* A conclusion that ends a walk with a finding: a cause or an expected
 * condition (anything but the all-clear, severity ok). */
bool kb_is_finding(const kb_step *s);
bool kb_branch_rules_out(const kb_branch *b, const char *cause);
/* A conclusion that blames the server itself, so that the walk must first
 * have settled that it is an Exchange server of this organisation: every
 * cause unless its step says `premise = no` (a fault of the path). */
bool kb_needs_premise(const kb_step *s);
/* The knowledge-base directory, the one lookup for the articles and the lab
 * scenarios (its labs/): explicit_dir (--kb-dir) if non-NULL, else
 * $SMTPWIZ_KBDIR, else ./kb when it holds a kb*.ini article, else kb/ next
 * to the executable or one level up (a build directory) when it does, else
 * the installed SMTPWIZ_KBDIR.  Allocated. */
char *kb_dir_find(const char *explicit_dir);
/* "kb843106.ini": the file name of an article. */
bool kb_is_article_file(const char *name);

/* kb_check.c: the tree checks run by kb_load. */
void kb_validate(const kb_article *a, kb_errors *errs);

/* kb_facts.c: which facts each probe yields, and the conditions on them. */
bool kb_fact_known(const char *probe, const char *name);
char *kb_facts_list(const char *probe);   /* "a b c", allocated */
/* Parse "probe.fact op [value]"; on failure returns false, *why allocated. */
bool kb_cond_parse(const char *text, kb_cond *c, char **why);
void kb_cond_free(kb_cond *c);
/* Conditions are evaluated without side effects: a condition on a probe
 * that has not run yet answers KB_NEEDS (the walker runs that probe and
 * asks again); nothing here ever starts a probe. */
typedef enum { KB_FALSE = 0, KB_TRUE = 1, KB_NEEDS = 2 } kb_truth;
/* A finished probe's result by name, or NULL if it has not run. */
typedef const probe_result *(*kb_result_fn)(const void *user, const char *probe);
kb_truth kb_cond_eval(const kb_cond *c, kb_result_fn get, const void *user);
/* All conditions of w: KB_TRUE, KB_FALSE, or KB_NEEDS with *needs the
 * first probe still to run (a false condition before it settles KB_FALSE). */
kb_truth kb_when_eval(const kb_when *w, kb_result_fn get, const void *user, const char **needs);

#endif
