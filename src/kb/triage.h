/* triage: from text an admin pastes (an event 7004/7010/1706/1035/2017
 * description, a Queue Viewer or Get-Queue last error, a bare SMTP reply) to
 * the article and the step to start from, with the fields found in it and
 * the Windows / Kerberos error codes decoded.  The patterns live in the
 * articles' [triage] sections; the field extractors are here.
 * A triage_result owns its strings; free it with triage_result_free. */
#ifndef SMTPWIZ_TRIAGE_H
#define SMTPWIZ_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "kb/kb.h"

#define TRIAGE_MAX_FIELDS 24

typedef struct triage_field {
    const char *name;    /* static: "remote_host", "error_code" ... */
    char *value;
} triage_field;

typedef struct triage_result {
    bool matched;
    const kb_article *kb;        /* borrowed from the caller's list */
    const kb_step *step;         /* entry step */
    const kb_pattern *pattern;
    triage_field fields[TRIAGE_MAX_FIELDS];
    size_t nfields;
} triage_result;

/* Match text against every article's patterns (the highest weight wins,
 * then file order) and extract fields.  Never fails. */
void triage_run(const char *text, kb_article *const *kbs, size_t nkbs, triage_result *out);
void triage_result_free(triage_result *r);
const char *triage_field_get(const triage_result *r, const char *name);
/* "0x8009030c", "LogonDenied", "KRB_AP_ERR_SKEW", "-1765328347" -> a line
 * naming and explaining it; NULL if unknown.  Static string. */
const char *triage_decode(const char *code);

#endif
