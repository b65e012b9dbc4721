/* report: a finished run rendered for people (transcript with swaks-style
 * arrows, then a findings table) and for scripts (one JSON object).
 * Everything it prints was escaped and redacted on the way in, and is
 * escaped again on the way out: the text output is 7-bit ASCII whatever the
 * locale, the JSON output valid UTF-8 whatever the bytes. */
#ifndef SMTPWIZ_REPORT_H
#define SMTPWIZ_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/util.h"
#include "probe/opts.h"
#include "probe/result.h"
#include "proto/transcript.h"

typedef struct run_report {
    const probe_opts *o;       /* the target */
    const transcript *tr;
    const probe_result *results;
    size_t nresults;
} run_report;

/* The findings, then (with_transcript) the session's transcript. */
void report_human(FILE *out, const run_report *rr, bool with_transcript);
void report_json(FILE *out, const run_report *rr);
/* Pieces for other reports (diagnose): JSON of the probes array and of the
 * transcript array, and a transcript in text. */
void report_json_probes(strbuf *sb, const run_report *rr);
void report_json_transcript(strbuf *sb, const transcript *tr);
void report_transcript_text(FILE *out, const transcript *tr);   /* 7-bit ASCII */
/* The transcript in text; ascii false keeps printable UTF-8 (for a file). */
void report_transcript_lines(FILE *out, const transcript *tr, bool ascii);
/* s escaped for a text report (allocated): newlines kept; with ascii, every
 * non-ASCII character as \u{XXXX}.  NULL gives "". */
char *report_text(const char *s, bool ascii);
/* The address connected to (the connect probe's fact), or NULL. */
const char *report_target_address(const run_report *rr);
void report_json_string(strbuf *sb, const char *s);
/* Exit status of a run (monitoring-plugins convention): 0 all pass (skips
 * allowed), 1 a warning, 2 a failure, 3 could not run - a probe that could
 * not, or a server that could not be examined (connect or banner failed, EHLO
 * broke the protocol),
 * as diagnose has it. */
int report_exit_status(const run_report *rr);

#endif
