/* probe clock: how far the server's clock is from ours.  Kerberos refuses
 * tickets beyond 5 minutes of skew (KB979174 step 1), and Exchange
 * authentication between servers rides on Kerberos. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "util.h"

#define SKEW_FAIL_S 300.0
#define SKEW_WARN_S 120.0

probe_status probe_clock(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    if (!ctx->have_banner && !probe_session_stage(ctx, PROBE_STAGE_GREETED, &why)) {
        probe_summary(r, "Not measured: %s", why);
        return ST_ERROR;
    }
    bool have_b = ctx->have_banner && ctx->banner.has_date;
    const char *nwhy = NULL;
    bool have_n = probe_ntlm_fetch(ctx, &nwhy) && ctx->ntlm.has_timestamp;
    double skew_b = 0, skew_n = 0;
    /* The server stamped its answer about half a round trip before it
     * reached us. */
    if (have_b) {
        double local = ctx->greet_wall - ctx->connect_ms / 2000.0;
        skew_b = (double)ctx->banner.date_utc - local;
        fact_num(r, "skew_banner_s", round(skew_b));
    }
    if (have_n) {
        double local = ctx->ntlm_wall - ctx->ntlm_rtt_ms / 2000.0;
        skew_n = (double)ctx->ntlm.filetime / 1e7 - 11644473600.0 - local;
        fact_num(r, "skew_ntlm_s", round(skew_n * 10) / 10);
    }
    if (!have_b && !have_n) {
        probe_summary(r, "The server's clock cannot be read: its greeting has no date and %s",
                      nwhy ? nwhy : "it gives no NTLM challenge");
        return ST_SKIP;
    }
    /* NTLM's timestamp has sub-second resolution; the banner only seconds. */
    double skew = have_n ? skew_n : skew_b;
    fact_num(r, "skew_s", round(skew));
    fact_str(r, "source", have_n ? "ntlm" : "banner");
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
