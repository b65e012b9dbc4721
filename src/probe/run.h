/* run: running probes and keeping their results for one run.  Each probe
 * runs at most once per run, its declared needs first (probe/catalog.h),
 * so `smtpwiz probe --only xexch50` and a walk of the wizard spend the same
 * logon attempts.  In test runs (SMTPWIZ_CHECK_FACTS set in the
 * environment, as tests/run does) every fact a probe records is checked
 * against its declaration and a mismatch aborts: declarations cannot drift.
 * A probe_runs owns its results (probe_runs_free). */
#ifndef SMTPWIZ_PROBE_RUN_H
#define SMTPWIZ_PROBE_RUN_H

#include <stddef.h>

#include "probe/probe.h"

struct probe_runs {
    probe_result *v;           /* in run order */
    size_t n, cap;
};

/* Run one probe (nothing else): times it, slices the transcript. */
void probe_run(probe_ctx *ctx, const probe_decl *p, probe_result *r);

/* The result of name in rs, or NULL if it has not run. */
const probe_result *probe_runs_get(const probe_runs *rs, const char *name);
int probe_runs_index(const probe_runs *rs, const char *name);   /* -1 if absent */
/* Run name unless it ran already, its needs first.  Returns its index in
 * rs->v (the array may have moved), or -1 for an unknown probe. */
int probe_runs_ensure(probe_runs *rs, probe_ctx *ctx, const char *name);
/* Forget name's result (a re-run); indexes after it shift down by one. */
void probe_runs_forget(probe_runs *rs, const char *name);
void probe_runs_free(probe_runs *rs);

#endif
