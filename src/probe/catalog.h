/* catalog: the one declaration of every probe - its name, what it is
 * called on screen, the facts it records (with their types and meaning),
 * the probes it needs before it and whether it spends a logon attempt.
 * Everything else is derived from here: the knowledge base's fact checks
 * (kb/kb_facts.c), the order and prerequisites of `probe --only` and of a
 * walk (probe/run.c), the help text.  Each probe file defines its own
 * `const probe_decl probe_decl_NAME`; catalog.c lists them in run order.
 * Free of net, TLS and SASL headers: kb/ and ui/ include it. */
#ifndef SMTPWIZ_PROBE_CATALOG_H
#define SMTPWIZ_PROBE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/result.h"

struct probe_ctx;
typedef probe_status (*probe_fn)(struct probe_ctx *ctx, probe_result *r);

/* The fact name PROBE_FACT_PER_MECH stands for one fact per SASL mechanism
 * name the server offers ("NTLM", "GSSAPI" ...). */
#define PROBE_FACT_PER_MECH "MECHANISM"

typedef struct probe_fact_decl {
    const char *name;
    fact_type type;
    const char *meaning;
} probe_fact_decl;

#define PROBE_MAX_NEEDS 2

typedef struct probe_decl {
    const char *name;          /* "banner" */
    const char *title;         /* "Greeting banner" */
    probe_fn fn;
    const char *needs[PROBE_MAX_NEEDS + 1];   /* run first; NULL-terminated */
    bool authenticates;        /* sends credentials: each refusal counts toward a lockout */
    const probe_fact_decl *facts;             /* ends with a NULL name */
} probe_decl;

/* Every probe in run order, NULL-terminated. */
extern const probe_decl *const probe_catalog[];
size_t probe_count(void);
const probe_decl *probe_find(const char *name);
/* The declaration of fact name of p (per-mechanism names included), or NULL. */
const probe_fact_decl *probe_fact_find(const probe_decl *p, const char *name);
/* A SASL mechanism name (RFC 4422): 1-20 of A-Z 0-9 - _. */
bool probe_is_mech_name(const char *s);
/* p's facts as "a b c" (allocated), for messages. */
char *probe_facts_list(const probe_decl *p);
/* Names of every probe as "a b c" (allocated), for messages. */
char *probe_names_list(void);
const char *fact_type_name(fact_type t);   /* "string", "number", "yes/no", "list" */

#endif
