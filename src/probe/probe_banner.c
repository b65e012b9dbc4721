/* probe banner: the 220 greeting - product, version, server clock, and
 * whether a firewall's SMTP inspection masked it (KB843106 step 5). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "base/util.h"

probe_status probe_banner(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_GREETED, &why);
    if (!ctx->have_banner) {
        fact_str(r, "error", why);
        /* why reads "no greeting: ..." already: say it once, as a sentence. */
        why = why ? why : "no greeting";
        probe_summary(r, "%c%s", toupper((unsigned char)why[0]), why + 1);
        return ST_ERROR;
    }
    const banner_info *b = &ctx->banner;
    char *line = smtp_reply_line(&ctx->greeting);
    fact_str(r, "greeting", line);
    fact_str(r, "product", b->product);
    if (b->host)
        fact_str(r, "host", b->host);
    if (b->version)
        fact_str(r, "version", b->version);
    fact_bool(r, "masked", b->masked);
    if (b->has_date) {
        char iso[32];
        util_iso8601(b->date_utc, iso, sizeof iso);
        fact_str(r, "server_time", iso);
        fact_num(r, "tz_offset_min", b->tz_offset_min);
    }
    probe_status st = ST_PASS;
    if (!s) {
        probe_summary(r, "The server refused the session: %s", why);
        st = ST_FAIL;
    } else if (b->masked) {
        probe_summary(r, "The greeting is masked with '*': a firewall's SMTP inspection "
                         "(Cisco PIX/ASA fixup) sits in the path and may rewrite commands");
        st = ST_WARN;
    } else {
        probe_summary(r, "Greeting from %s (%s)%s", b->host ? b->host : "an unnamed host",
                      b->product, b->has_date ? ", server clock readable" : "");
    }
    free(line);
    return st;
}
