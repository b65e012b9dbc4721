/* report_md: a finished diagnose walk rendered for a ticket (Markdown), for
 * scripts (JSON) and for the terminal (text).  The wizard's "save" key
 * reuses report_markdown.  Everything printed comes from the redacted
 * transcript and the probes' escaped findings: no password can appear. */
#ifndef SMTPWIZ_REPORT_MD_H
#define SMTPWIZ_REPORT_MD_H

#include <stdio.h>

#include "walk/wizard.h"

void report_markdown(FILE *out, const wiz *w);
void report_diag_json(FILE *out, const wiz *w);
void report_diag_text(FILE *out, const wiz *w);

#endif
