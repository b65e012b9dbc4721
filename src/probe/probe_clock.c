/* probe clock: how far the server's clock is from ours.  Kerberos refuses
 * tickets beyond 5 minutes of skew (KB979174 step 1), and Exchange
 * authentication between servers rides on Kerberos. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "base/util.h"

#define SKEW_FAIL_S 300.0
#define SKEW_WARN_S 120.0

probe_status probe_clock(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    if (!ctx->have_banner && !probe_session_stage(ctx, PROBE_STAGE_GREETED, &why)) {
        probe_summary(r, "Not measured: %s", why);
        return ST_ERROR;
    }
    /* Fetched here, so the server's best clock reading is NTLM's. */
    const char *nwhy = NULL;
    probe_ntlm_fetch(ctx, &nwhy);
    double skew_b = 0, skew = 0;
    const char *src = NULL;
    if (probe_banner_skew(ctx, &skew_b))
        fact_num(r, "skew_banner_s", round(skew_b));
    if (!probe_server_skew(ctx, &skew, &src)) {
        probe_summary(r, "The server's clock cannot be read: its greeting has no date and %s",
                      nwhy ? nwhy : "it gives no NTLM challenge");
        return ST_SKIP;
    }
    if (strcmp(src, "ntlm") == 0)
        fact_num(r, "skew_ntlm_s", round(skew * 10) / 10);
    fact_num(r, "skew_s", round(skew));
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
