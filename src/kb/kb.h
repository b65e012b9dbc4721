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

/* The reserved branch target: end the walk with an error outcome (the
 * server could not be examined), never a wrong conclusion. */
#define KB_STOP "stop"

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

/* "when = COND [and COND ...] -> STEP": tried in file order, before the
 * status branches. */
typedef struct kb_when {
    char *text;        /* the condition as written, for the path report */
    kb_cond *conds;
    size_t nconds;
    char *target;
    int line;
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
    char *on[KB_NSTATUS];      /* target per probe status, or NULL */
    int on_line[KB_NSTATUS];
    char *dflt;                /* "default = STEP" */
    int dflt_line;
    kb_when *whens;
    size_t nwhens;
    /* question step */
    char *ask;
    char *how;         /* exact manual instructions */
    char *yes, *no, *unknown;
    int yes_line, no_line, unknown_line;
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
/* The step's status target after the default: NULL if neither is set. */
const char *kb_step_route(const kb_step *s, probe_status st);
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
