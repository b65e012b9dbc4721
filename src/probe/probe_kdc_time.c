/* probe kdc-time: the KDC's clock, read with no credentials.  A bare AS-REQ
 * for a made-up principal draws a KRB-ERROR, and every KRB-ERROR carries the
 * KDC's time (stime, susec).  Kerberos refuses tickets beyond 5 minutes of
 * skew (KB979174 step 1): what matters for Exchange is the SMTP server's
 * clock against the KDC's, so that is compared too when the server shows
 * its clock (greeting date or NTLM timestamp). */
#include "config.h"

#include <math.h>   /* fabs, isfinite: built in, no libm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/krb_der.h"
#include "probe/probe_krb.h"
#include "base/util.h"

#define SKEW_FAIL_S 300.0
#define SKEW_WARN_S 120.0
#define PROBE_CLIENT "smtpwiz-clock-probe"

typedef struct kdc_clock {
    kdc_reply rep;
    krb_error_msg msg;
    const char *transport;   /* "tcp" / "udp" */
    double skew;             /* KDC minus local, seconds */
} kdc_clock;

/* What the checks of one KDC found while they ran: the first KRB-ERROR
 * that parses gives the clock and ends the others. */
typedef struct clock_wait {
    krb_error_msg *msg;
    kdc_check which;
    bool ok;
    char *perr[KDC_NCHECKS];   /* an answer that is not a KRB-ERROR */
} clock_wait;

static bool got_clock(const kdc_reply *r, kdc_check which, void *arg)
{
    clock_wait *cw = arg;
    if (cw->ok || which == KDC_CHECK_KPASSWD || r->outcome != KDC_ANSWERED)
        return cw->ok;
    if (krb_error_parse(r->buf, r->len, cw->msg, &cw->perr[which]) == 0) {
        cw->ok = true;
        cw->which = which;
    } else {
        krb_error_msg_free(cw->msg);
    }
    return cw->ok;
}

/* "TCP: why; UDP: why" for a KDC that gave no clock. */
static char *no_clock(const kdc_reply r[KDC_NCHECKS], char *const perr[KDC_NCHECKS])
{
    strbuf notes = {0};
    for (int i = KDC_CHECK_TCP; i <= KDC_CHECK_UDP; i++) {
        const char *w = perr[i] ? perr[i] : r[i].why ? r[i].why : kdc_outcome_name(r[i].outcome);
        sb_printf(&notes, "%s%s: %s", notes.len ? "; " : "", i == KDC_CHECK_TCP ? "TCP" : "UDP",
                  w);
    }
    return sb_steal(&notes);
}

/* TCP and UDP at once (and kpasswd, for kerberos-ports to reuse): true
 * once a KRB-ERROR with a clock came back; else *why says what went wrong
 * on each, or only why the name does not resolve (*unresolved). */
static bool read_kdc_clock(probe_ctx *ctx, const kdc_target *t, const char *realm,
                           kdc_clock *kc, char **why, bool *unresolved)
{
    size_t len = 0;
    uint32_t nonce = (uint32_t)getpid() ^ (uint32_t)(probe_wall_now() * 1000);
    unsigned char *req = krb_as_req_build(realm, PROBE_CLIENT, nonce, &len);
    if (!req) {
        *why = xasprintf("the realm \"%s\" is empty or too long", realm);
        return false;
    }
    kdc_reply r[KDC_NCHECKS];
    bool want[KDC_NCHECKS] = {true, true, t->kpasswd_port != NULL};
    clock_wait cw = {.msg = &kc->msg};
    net_opts no = probe_krb_net_opts(ctx);
    kdc_check_run(t, req, len, &no, want, got_clock, &cw, r);
    free(req);
    probe_krb_remember(ctx, t, r);
    *unresolved = r[KDC_CHECK_TCP].outcome == KDC_UNRESOLVED;
    if (cw.ok) {
        kc->rep = r[cw.which];
        memset(&r[cw.which], 0, sizeof r[cw.which]);
        kc->transport = cw.which == KDC_CHECK_TCP ? "tcp" : "udp";
        double mid = (kc->rep.sent_wall + kc->rep.recv_wall) / 2;
        kc->skew = (double)kc->msg.stime + kc->msg.susec / 1e6 - mid;
    } else {
        *why = *unresolved ? xstrdup(r[KDC_CHECK_TCP].why) : no_clock(r, cw.perr);
    }
    for (int i = 0; i < KDC_NCHECKS; i++) {
        kdc_reply_free(&r[i]);
        free(cw.perr[i]);
    }
    return cw.ok;
}

/* The SMTP server's clock minus ours, as the clock probe measures it
 * (greeting the server first if nothing has yet). */
static bool server_skew(probe_ctx *ctx, double *skew, const char **source)
{
    char *why = NULL;
    if (!probe_banner_info(ctx) && !probe_session_failure(ctx))
        probe_session_stage(ctx, PROBE_STAGE_GREETED, &why);
    free(why);
    return probe_server_skew(ctx, skew, source);
}

static void clock_facts(probe_result *r, const kdc_target *t, const kdc_clock *kc)
{
    char iso[32], nb[48];
    util_iso8601(kc->msg.stime, iso, sizeof iso);
    fact_str(r, "kdc", t->host);
    fact_str(r, "kdc_addr", kc->rep.addr);
    fact_str(r, "kdc_port", t->port);
    fact_str(r, "transport", kc->transport);
    fact_str(r, "kdc_time", iso);
    fact_num(r, "rtt_ms", util_round(kc->rep.rtt_ms, 1));
    fact_num(r, "skew_local_s", util_round(kc->skew, 1));
    fact_num(r, "krb_error_code", kc->msg.error_code);
    fact_str(r, "krb_error", krb_error_name(kc->msg.error_code, nb, sizeof nb));
    if (kc->msg.realm)
        fact_str(r, "kdc_realm", kc->msg.realm);
    if (kc->msg.e_text)
        fact_str(r, "e_text", kc->msg.e_text);
}

static probe_status grade(double skew)
{
    double a = fabs(skew);
    return a > SKEW_FAIL_S ? ST_FAIL : a > SKEW_WARN_S ? ST_WARN : ST_PASS;
}

static const char *verdict(probe_status s)
{
    return s == ST_FAIL ? ": beyond Kerberos's 5-minute limit"
         : s == ST_WARN ? ": close to Kerberos's 5-minute limit" : "";
}

/* One sentence per clock pair; the worse comes first. */
static probe_status conclude(probe_result *r, const kdc_target *t, double local, bool have_srv,
                             double srv)
{
    probe_status sl = grade(local), ss = have_srv ? grade(srv) : ST_PASS;
    char *a = xasprintf("The KDC's clock (%s) is %.0f s %s this machine's%s", t->host,
                        fabs(local), local >= 0 ? "ahead of" : "behind", verdict(sl));
    char *b = have_srv ? xasprintf("the SMTP server's clock is %.0f s %s the KDC's%s%s",
                                   fabs(srv), srv >= 0 ? "ahead of" : "behind", verdict(ss),
                                   ss == ST_FAIL ? ", so Exchange's Kerberos authentication "
                                   "fails (KRB_AP_ERR_SKEW)" : "")
                       : xstrdup("the SMTP server shows no clock to compare");
    if (sl == ST_PASS && ss == ST_PASS)
        probe_summary(r, "The KDC's clock (%s) agrees with this machine's within %.0f s and "
                      "%s (Kerberos allows 300 s)", t->host, fabs(local) < 1 ? 1 : fabs(local),
                      have_srv ? "with the SMTP server's" : "the SMTP server shows no clock");
    else if (ss > sl && ss != ST_SKIP)
        probe_summary(r, "T%s; %s", b + 1, a);   /* b starts "the ..." */
    else
        probe_summary(r, "%s; %s", a, b);
    free(a);
    free(b);
    return ss > sl ? ss : sl;
}

/* The first domain controller that answers: one that is down must not
 * hide the clock of the others (kerberos-ports reports each of them).
 * NULL if none did; *notes says why for each, *nunresolved counts those
 * whose name does not resolve. */
static const kdc_target *first_clock(probe_ctx *ctx, const kdc_list *dcs, const char *realm,
                                     kdc_clock *kc, strbuf *notes, size_t *nunresolved)
{
    for (size_t i = 0; i < dcs->n; i++) {
        bool unresolved = false;
        char *why = NULL;
        kdc_reply_free(&kc->rep);
        krb_error_msg_free(&kc->msg);
        memset(kc, 0, sizeof *kc);
        if (read_kdc_clock(ctx, &dcs->v[i], realm, kc, &why, &unresolved))
            return &dcs->v[i];
        if (unresolved)
            sb_printf(notes, "%s%s", notes->len ? "; " : "", why);
        else
            sb_printf(notes, "%s%s port %s: %s", notes->len ? "; " : "", dcs->v[i].host,
                      dcs->v[i].port, why);
        *nunresolved += unresolved;
        free(why);
    }
    return NULL;
}

static probe_status probe_kdc_time(probe_ctx *ctx, probe_result *r)
{
    kdc_list dcs;
    char *why = NULL;
    if (probe_krb_targets(ctx, &dcs, &why) != 0) {
        probe_summary(r, "The KDC's clock was not read: %s", why);
        free(why);
        return ST_SKIP;
    }
    char *realm = probe_krb_realm(ctx);
    if (!realm)
        realm = xstrdup("SMTPWIZ.INVALID");   /* any realm draws a KRB-ERROR with stime */
    fact_str(r, "realm", realm);
    fact_str(r, "dc_source", dcs.source);
    kdc_clock kc = {0};
    probe_status st = ST_ERROR;
    strbuf notes = {0};
    size_t nunresolved = 0;
    const kdc_target *t = first_clock(ctx, &dcs, realm, &kc, &notes, &nunresolved);
    if (!t && nunresolved == dcs.n) {
        /* Not the KDC's fault, nor a firewall's: its name is the problem. */
        fact_bool(r, "kdc_answered", false);
        probe_summary(r, "The KDC's clock was not read: the domain controller's name does not "
                      "resolve (%s). Check the name%s, or give the controller's IP address",
                      notes.buf, strcmp(dcs.source, "--dc") == 0 ? " given with --dc" : "");
        r->could_not_run = true;
    } else if (!t) {
        fact_bool(r, "kdc_answered", false);
        probe_summary(r, "No KDC answered the clock request: %s", notes.buf);
    } else {
        fact_bool(r, "kdc_answered", true);
        clock_facts(r, t, &kc);
        double srv = 0;
        const char *src = NULL;
        bool have_srv = server_skew(ctx, &srv, &src);
        if (have_srv) {
            fact_num(r, "skew_server_s", util_round(srv - kc.skew, 1));
            fact_str(r, "server_clock_source", src);
        }
        st = conclude(r, t, kc.skew, have_srv, srv - kc.skew);
    }
    sb_free(&notes);
    kdc_reply_free(&kc.rep);
    krb_error_msg_free(&kc.msg);
    kdc_list_free(&dcs);
    free(realm);
    return st;
}

static const probe_fact_decl facts[] = {
    {"realm", FACT_STR, "the realm asked for"},
    {"dc_source", FACT_STR, "where the domain controllers come from: --dc or DNS SRV"},
    {"kdc_answered", FACT_BOOL, "a KDC answered the clock request"},
    {"kdc", FACT_STR, "the KDC that answered"},
    {"kdc_addr", FACT_STR, "its address"},
    {"kdc_port", FACT_STR, "its port"},
    {"transport", FACT_STR, "udp or tcp"},
    {"kdc_time", FACT_STR, "the KDC's clock, ISO 8601 UTC"},
    {"rtt_ms", FACT_NUM, "round trip of the request in milliseconds"},
    {"skew_local_s", FACT_NUM, "the KDC's clock minus this machine's, in seconds"},
    {"skew_server_s", FACT_NUM, "the SMTP server's clock minus the KDC's (only when the server "
                                "shows a clock)"},
    {"server_clock_source", FACT_STR, "where the server's clock comes from: ntlm or banner"},
    {"krb_error_code", FACT_NUM, "the KRB-ERROR code of the answer"},
    {"krb_error", FACT_STR, "its name"},
    {"kdc_realm", FACT_STR, "the realm the KDC names in its answer"},
    {"e_text", FACT_STR, "the KDC's error text"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_kdc_time = {
    .name = "kdc-time", .title = "KDC clock (Kerberos)", .fn = probe_kdc_time, .facts = facts,
};
