/* result: what one probe found, in a form every layer above can read
 * without the network stack: a status, a one-line summary a junior admin
 * understands, typed facts, the elapsed time and the slice of the run's
 * transcript it produced.  Free of net, TLS and SASL headers on purpose:
 * the knowledge base, the walk, the reports and ui/ include this, not the
 * session.  A probe_result owns all its strings (probe_result_free). */
#ifndef SMTPWIZ_PROBE_RESULT_H
#define SMTPWIZ_PROBE_RESULT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { ST_PASS = 0, ST_WARN, ST_FAIL, ST_SKIP, ST_ERROR } probe_status;
#define PROBE_NSTATUS 5

typedef enum { FACT_STR, FACT_NUM, FACT_BOOL, FACT_LIST } fact_type;

typedef struct fact {
    char *key;
    fact_type type;
    char *str;         /* FACT_STR */
    double num;        /* FACT_NUM */
    bool b;            /* FACT_BOOL */
    char **list;       /* FACT_LIST */
    size_t nlist;
} fact;

typedef struct probe_result {
    const char *name;  /* static: the probe's declared name */
    probe_status status;
    char *summary;
    double elapsed_ms;
    fact *facts;
    size_t nfacts;
    size_t tr_first, tr_count;   /* slice of the run's transcript */
    bool could_not_run;          /* not the server's fault: e.g. the name does not resolve */
} probe_result;

const char *probe_status_name(probe_status s);   /* "pass" ... */
/* "pass" ... -> the status; -1 for anything else. */
int probe_status_parse(const char *name);
void probe_result_free(probe_result *r);

/* For probe implementations: every text is escaped (it may quote the
 * server) before it is stored. */
void probe_summary(probe_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fact_str(probe_result *r, const char *key, const char *val);
void fact_num(probe_result *r, const char *key, double val);
void fact_bool(probe_result *r, const char *key, bool val);
void fact_list(probe_result *r, const char *key, char *const *items, size_t n);
const fact *fact_get(const probe_result *r, const char *key);
/* A string fact's text, or NULL when the fact is missing or not a string. */
const char *fact_get_str(const probe_result *r, const char *key);
/* A fact's value as text for people (allocated): lists of words joined by a
 * space, lists of sentences by "; ", an empty list "(none)". */
char *fact_text(const fact *f);

#endif
