/* probe banner: the 220 greeting - product, version, server clock, and
 * whether a firewall's SMTP inspection masked it (KB843106 step 5). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"

static void banner_facts(probe_result *r, const smtp_reply *greeting, const banner_info *b)
{
    char *line = smtp_reply_line(greeting);
    fact_str(r, "greeting", line);
    free(line);
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
}

static probe_status probe_banner(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_GREETED, &why);
    const banner_info *b = probe_banner_info(ctx);
    probe_status st = ST_PASS;
    if (!b) {
        fact_str(r, "error", why);
        /* why reads "no greeting: ..." already: say it once, as a sentence. */
        const char *w = why ? why : "no greeting";
        probe_summary(r, "%c%s", toupper((unsigned char)w[0]), w + 1);
        st = ST_ERROR;
    } else {
        banner_facts(r, probe_greeting(ctx), b);
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
    }
    free(why);
    return st;
}

static const probe_fact_decl facts[] = {
    {"greeting", FACT_STR, "the last line of the 220 greeting"},
    {"product", FACT_STR, "exchange-2003, exchange-2007+, exchange-5.5, postfix, exim, "
                          "sendmail or other"},
    {"host", FACT_STR, "the host name the greeting gives"},
    {"version", FACT_STR, "the version the greeting gives"},
    {"masked", FACT_BOOL, "the greeting is masked with '*' (PIX/ASA SMTP inspection)"},
    {"server_time", FACT_STR, "the greeting's date in ISO 8601 UTC"},
    {"tz_offset_min", FACT_NUM, "the greeting's time zone in minutes east of UTC"},
    {"error", FACT_STR, "why there is no greeting"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_banner = {
    .name = "banner", .title = "Greeting banner", .fn = probe_banner, .facts = facts,
};
