/* probe clock: how far the server's clock is from ours.  Kerberos refuses
 * tickets beyond 5 minutes of skew (KB979174 step 1), and Exchange
 * authentication between servers rides on Kerberos. */
#include "config.h"

#include <math.h>   /* fabs, isfinite: built in, no libm */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"

#define SKEW_FAIL_S 300.0
#define SKEW_WARN_S 120.0

static probe_status clock_verdict(probe_ctx *ctx, probe_result *r, const char *nwhy)
{
    double skew_b = 0, skew = 0;
    const char *src = NULL;
    if (probe_banner_skew(ctx, &skew_b))
        fact_num(r, "skew_banner_s", util_round(skew_b, 0));
    if (!probe_server_skew(ctx, &skew, &src)) {
        probe_summary(r, "The server's clock cannot be read: its greeting has no date and %s",
                      nwhy ? nwhy : "it gives no NTLM challenge");
        return ST_SKIP;
    }
    if (strcmp(src, "ntlm") == 0)
        fact_num(r, "skew_ntlm_s", util_round(skew, 1));
    fact_num(r, "skew_s", util_round(skew, 0));
    fact_str(r, "source", src);
    double a = fabs(skew);
    const char *dir = skew > 0 ? "ahead of" : "behind";
    if (a > SKEW_FAIL_S) {
        probe_summary(r, "The server's clock is %.0f s %s this machine's: beyond Kerberos's "
                      "5-minute limit: one of the two clocks is wrong (a domain controller's clock "
                      "tells which; kdc-time)", a, dir);
        return ST_FAIL;
    }
    if (a > SKEW_WARN_S) {
        probe_summary(r, "The server's clock is %.0f s %s this machine's: close to Kerberos's "
                      "5-minute limit", a, dir);
        return ST_WARN;
    }
    probe_summary(r, "Clocks agree within %.0f s (Kerberos allows 300 s)", a < 1 ? 1 : a);
    return ST_PASS;
}

static probe_status probe_clock(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    if (!probe_banner_info(ctx) && !probe_session_stage(ctx, PROBE_STAGE_GREETED, &why)) {
        probe_summary(r, "Not measured: %s", why);
        free(why);
        return ST_ERROR;
    }
    /* Fetched here, so the server's best clock reading is NTLM's. */
    char *nwhy = NULL;
    probe_ntlm(ctx, &nwhy);
    probe_status st = clock_verdict(ctx, r, nwhy);
    free(nwhy);
    return st;
}

static const probe_fact_decl facts[] = {
    {"skew_s", FACT_NUM, "the server's clock minus this machine's, in seconds"},
    {"skew_banner_s", FACT_NUM, "the same from the greeting's date"},
    {"skew_ntlm_s", FACT_NUM, "the same from the NTLM timestamp"},
    {"source", FACT_STR, "where skew_s comes from: ntlm or banner"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_clock = {
    .name = "clock", .title = "Clock skew", .fn = probe_clock, .facts = facts,
};
