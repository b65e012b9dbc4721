/* report_md, report_walk: a diagnose walk rendered for a ticket (Markdown,
 * report_md.c), for scripts (JSON) and for the terminal (text,
 * report_walk.c).  The wizard's "save" key
 * reuses report_markdown.  Everything printed comes from the redacted
 * transcript and the probes' escaped findings: no password can appear. */
#ifndef SMTPWIZ_REPORT_MD_H
#define SMTPWIZ_REPORT_MD_H

#include <stdio.h>

#include "walk/wizard.h"

/* At most this many open causes (and checks per cause) are listed. */
#define REPORT_MAX_OPEN 64

void report_markdown(FILE *out, const wiz *w);
void report_diag_json(FILE *out, const wiz *w);
void report_diag_text(FILE *out, const wiz *w);

#endif
