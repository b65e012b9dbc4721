/* session: the run context and the shared session (probe.h).  The shared
 * session is opened in stages (connect, greeting, EHLO, TLS) so that each
 * probe's slice of the transcript holds exactly its own lines; what it
 * learns on the way is kept here, in probe_sess, and read through
 * probe.h's accessors.  Every connection of the run is opened here, each
 * one counted against the run's limits (policy.c). */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "probe/probe.h"
#include "probe/probe_krb.h"
#include "probe/run.h"
#include "proto/sasl.h"

struct probe_sess {
    smtp_session *sess;        /* greeted, EHLO done, TLS per policy */
    int stage;                 /* how far it got (PROBE_STAGE_*) */
    bool failed;               /* connecting or greeting failed: later probes error out */
    char *error;               /* why, for their summaries */
    net_err connect_err;       /* how the TCP connect failed (NET_OK if it did not) */
    double connect_ms;         /* TCP handshake time, for the clock correction */
    smtp_reply greeting;
    banner_info banner;
    bool have_banner;
    double greet_wall;         /* local wall clock (Unix s) when the greeting arrived */
    bool tls_broken;           /* STARTTLS failed under "auto": later sessions stay plain */
    char *tls_error;           /* why it failed (for the starttls summary) */
    char *tls_failure;         /* why STARTTLS, offered, did not complete in this run (any
                                * policy, kept over a reset): no credentials in clear */
    ehlo_caps caps_plain;      /* EHLO before TLS */
    bool have_caps_plain;
    ehlo_caps caps_tls;        /* EHLO after TLS */
    bool have_caps_tls;
    ntlm_challenge ntlm;
    bool have_ntlm, ntlm_tried;
    double ntlm_rtt_ms;        /* type-1 sent to type-2 received */
    double ntlm_wall;          /* local wall clock (Unix s) when the type-2 arrived */
    char *ntlm_error;
    pthread_mutex_t mu;        /* tls_broken, tls_error, tls_failure: AUTH's mechanism
                                * families open sessions at once (probe_auth.c) */
};

double probe_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool probe_banner_skew(const probe_ctx *ctx, double *skew)
{
    const probe_sess *ss = ctx->ss;
    if (!ss || !ss->have_banner || !ss->banner.has_date)
        return false;
    *skew = (double)ss->banner.date_utc - (ss->greet_wall - ss->connect_ms / 2000.0);
    return true;
}

bool probe_server_skew(const probe_ctx *ctx, double *skew, const char **source)
{
    const probe_sess *ss = ctx->ss;
    if (ss && ss->have_ntlm && ss->ntlm.has_timestamp) {
        /* unix_time is whole seconds; FILETIME counts 100 ns. */
        double server = (double)ss->ntlm.unix_time + (double)(ss->ntlm.filetime % 10000000u) / 1e7;
        *skew = server - (ss->ntlm_wall - ss->ntlm_rtt_ms / 2000.0);
        *source = "ntlm";
        return true;
    }
    *source = "banner";
    return probe_banner_skew(ctx, skew);
}

bool probe_have_creds(const probe_ctx *ctx)
{
    return ctx->o.user && ctx->o.password;
}

const probe_result *probe_prior(const probe_ctx *ctx, const char *name)
{
    return probe_runs_get(ctx->runs, name);
}

void probe_ctx_init(probe_ctx *ctx, const probe_opts *o)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->o = *o;
    /* STARTTLS is likely: OpenSSL starts up meanwhile. */
    if (o->starttls != TLS_NEVER)
        tls_prewarm(o->cafile);
    /* --mech: the other SASL plugins need not be loaded at all. */
    if (o->mech)
        sasl_only(o->mech);
    if (!ctx->o.port)
        ctx->o.port = "25";
    if (ctx->o.timeout_ms <= 0)
        ctx->o.timeout_ms = PROBE_TIMEOUT_MS_DEFAULT;
    if (!ctx->o.helo) {
        /* Here, not in the CLI, so the wizard says the same name. */
        char name[256] = "";
        bool ok = gethostname(name, sizeof name - 1) == 0 && name[0];
        ctx->helo_default = xstrdup(ok ? name : "smtpwiz.invalid");
        ctx->o.helo = ctx->helo_default;
    }
    tr_init(&ctx->tr);
    probe_budget_init(ctx);
    probe_sess *ss = ctx->ss = xcalloc(1, sizeof *ctx->ss);
    smtp_reply_init(&ss->greeting);
    banner_info_init(&ss->banner);
    ehlo_caps_init(&ss->caps_plain);
    ehlo_caps_init(&ss->caps_tls);
    ntlm_challenge_init(&ss->ntlm);
    pthread_mutex_init(&ss->mu, NULL);
}

void probe_ctx_free(probe_ctx *ctx)
{
    tls_prewarm_join();
    probe_sess *ss = ctx->ss;
    if (ss) {
        probe_session_drop(ctx);
        smtp_reply_free(&ss->greeting);
        banner_info_free(&ss->banner);
        ehlo_caps_free(&ss->caps_plain);
        ehlo_caps_free(&ss->caps_tls);
        ntlm_challenge_free(&ss->ntlm);
        free(ss->error);
        free(ss->tls_error);
        free(ss->tls_failure);
        free(ss->ntlm_error);
        pthread_mutex_destroy(&ss->mu);
        free(ss);
        ctx->ss = NULL;
    }
    probe_budget_free(ctx);
    probe_krb_forget(ctx);   /* what kdc-time kept for kerberos-ports */
    free(ctx->helo_default);
    tr_free(&ctx->tr);
}

const banner_info *probe_banner_info(const probe_ctx *ctx)
{
    return ctx->ss->have_banner ? &ctx->ss->banner : NULL;
}

const smtp_reply *probe_greeting(const probe_ctx *ctx)
{
    return ctx->ss->have_banner ? &ctx->ss->greeting : NULL;
}

const ehlo_caps *probe_caps_plain(const probe_ctx *ctx)
{
    return ctx->ss->have_caps_plain ? &ctx->ss->caps_plain : NULL;
}

const ehlo_caps *probe_caps_tls(const probe_ctx *ctx)
{
    return ctx->ss->have_caps_tls ? &ctx->ss->caps_tls : NULL;
}

const char *probe_tls_error(const probe_ctx *ctx) { return ctx->ss->tls_error; }
/* Set once in a run and kept until probe_ctx_free: the pointer stays valid. */
const char *probe_tls_failure(const probe_ctx *ctx)
{
    pthread_mutex_lock(&ctx->ss->mu);
    const char *f = ctx->ss->tls_failure;
    pthread_mutex_unlock(&ctx->ss->mu);
    return f;
}

static bool tls_is_broken(probe_sess *ss)
{
    pthread_mutex_lock(&ss->mu);
    bool b = ss->tls_broken;
    pthread_mutex_unlock(&ss->mu);
    return b;
}
net_err probe_connect_error(const probe_ctx *ctx) { return ctx->ss->connect_err; }
double probe_connect_ms(const probe_ctx *ctx) { return ctx->ss->connect_ms; }

const char *probe_session_failure(const probe_ctx *ctx)
{
    return ctx->ss->failed ? ctx->ss->error : NULL;
}

static void sess_fail(probe_sess *ss, char *why)
{
    ss->failed = true;
    free(ss->error);
    ss->error = why;
}

/* Greeting: record it (shared session) and require a 220. */
static bool do_greet(probe_sess *ss, smtp_session *s, bool shared, char **why)
{
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    smtp_err e = smtp_read_reply(s, &r, &err);
    bool ok = e == SMTP_OK && r.code == 220;
    if (e != SMTP_OK) {
        char *d = smtp_describe(s, e, err);
        *why = xasprintf("no greeting: %s", d);
        free(d);
    } else if (!ok) {
        char *l = smtp_reply_line(&r);
        *why = xasprintf("the server greeted with \"%s\" instead of 220", l);
        free(l);
    }
    if (shared && e == SMTP_OK) {
        ss->greet_wall = probe_wall_now();
        smtp_reply_free(&ss->greeting);
        ss->greeting = r;
        char *text = smtp_reply_text(&r);
        banner_info_free(&ss->banner);
        banner_parse(text, &ss->banner);
        ss->have_banner = true;
        free(text);
    } else {
        smtp_reply_free(&r);
    }
    free(err);
    return ok;
}

static bool do_ehlo(const probe_ctx *ctx, smtp_session *s, ehlo_caps *save, bool *have,
                    char **why)
{
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    smtp_err e = smtp_ehlo(s, ctx->o.helo, &r, &err);
    bool ok = e == SMTP_OK && s->ehlo_done;
    if (e != SMTP_OK) {
        char *d = smtp_describe(s, e, err);
        *why = xasprintf("EHLO failed: %s", d);
        free(d);
    } else if (!ok) {
        char *l = smtp_reply_line(&r);
        *why = xasprintf("the server refused EHLO and HELO: \"%s\"", l);
        free(l);
    }
    if (ok && save) {
        ehlo_caps_free(save);
        ehlo_caps_parse(&r, save);
        *have = true;
    }
    smtp_reply_free(&r);
    free(err);
    return ok;
}

/* STARTTLS did not complete although offered (or required): the run
 * remembers it (no credentials in clear from now on), and under "auto"
 * later sessions skip it.  The session is lost only when the server said
 * 421 or the exchange broke; a 454 leaves it usable in plain text. */
static bool tls_failed(probe_ctx *ctx, smtp_session *s, const char *fail, char **why)
{
    probe_sess *ss = ctx->ss;
    pthread_mutex_lock(&ss->mu);
    if (!ss->tls_failure)   /* the first failure stands: readers keep its pointer */
        ss->tls_failure = xstrdup(fail);
    pthread_mutex_unlock(&ss->mu);
    tr_note(s->tr, false, "STARTTLS did not complete: no credentials are sent without TLS "
            "in this run");
    if (ctx->o.starttls == TLS_ALWAYS) {
        *why = xasprintf("STARTTLS is required (--starttls always) but %s", fail);
        return false;
    }
    pthread_mutex_lock(&ss->mu);
    ss->tls_broken = true;
    free(ss->tls_error);
    ss->tls_error = xstrdup(fail);
    pthread_mutex_unlock(&ss->mu);
    if (s->broken) {
        *why = xasprintf("STARTTLS failed: %s", fail);
        return false;
    }
    return true;
}

/* STARTTLS as the policy says.  Returns false only when the session is lost. */
static bool do_tls(probe_ctx *ctx, smtp_session *s, bool shared, char **why)
{
    probe_sess *ss = ctx->ss;
    tls_policy pol = ctx->o.starttls;
    if (pol == TLS_NEVER || tls_is_broken(ss))
        return true;
    if (pol == TLS_AUTO && !(s->caps.flags & CAP_STARTTLS))
        return true;
    smtp_reply r;
    char *err = NULL, *fail = NULL;
    smtp_reply_init(&r);
    tls_opts to = {.sni = ctx->o.host, .cafile = ctx->o.cafile};
    smtp_err e = smtp_starttls(s, "STARTTLS", &to, ctx->o.helo, &r, &err);
    bool ok = true;
    if (e != SMTP_OK) {
        fail = smtp_describe(s, e, err);
    } else if (!s->tls) {
        char *l = smtp_reply_line(&r);
        fail = xasprintf("the server answered \"%s\"", l);
        free(l);
        /* 421: the server is closing the connection; nothing more goes on it. */
        if (r.code == 421)
            s->broken = true;
    }
    if (fail && e != SMTP_OK && s->last_net == NET_ECANCEL) {
        *why = xasprintf("STARTTLS failed: %s", fail);   /* the admin's cancel, not the server */
        ok = false;
    } else if (fail) {
        ok = tls_failed(ctx, s, fail, why);
    }
    if (ok && shared && s->tls) {
        ehlo_caps_free(&ss->caps_tls);
        ehlo_caps_parse(&r, &ss->caps_tls);
        ss->have_caps_tls = r.code == 250;
    }
    free(fail);
    smtp_reply_free(&r);
    free(err);
    return ok;
}

/* A new connection, counted against the run's limits, its lines going to tr. */
static net_err open_conn(probe_ctx *ctx, transcript *tr, smtp_session **s, char **why)
{
    if (!probe_conn_take(ctx, why))
        return probe_budget_left_ms(ctx) < 1 ? NET_ETIMEOUT : NET_EIO;
    net_opts no = probe_net_opts(ctx);
    return smtp_connect(ctx->o.host, ctx->o.port, &no, tr, s, why);
}

/* One stage further on the shared session; false (with *why) if it failed. */
static bool advance_one(probe_ctx *ctx, char **why)
{
    probe_sess *ss = ctx->ss;
    switch (ss->stage) {
    case PROBE_STAGE_NONE:
        ss->connect_err = open_conn(ctx, &ctx->tr, &ss->sess, why);
        if (ss->connect_err == NET_OK)
            ss->connect_ms = net_connect_ms(ss->sess->c);
        return ss->connect_err == NET_OK;
    case PROBE_STAGE_CONNECTED:
        return do_greet(ss, ss->sess, true, why);
    case PROBE_STAGE_GREETED:
        return do_ehlo(ctx, ss->sess, &ss->caps_plain, &ss->have_caps_plain, why);
    default:
        return do_tls(ctx, ss->sess, true, why);
    }
}

static bool advance(probe_ctx *ctx, int target)
{
    probe_sess *ss = ctx->ss;
    char *why = NULL;
    while (ss->stage < target && !ss->failed) {
        bool ok = advance_one(ctx, &why);
        if (!ok && ss->stage == PROBE_STAGE_EHLO && tls_is_broken(ss)) {
            /* do_tls skips TLS from now on: reopen from the start. */
            tr_note(&ctx->tr, false, "STARTTLS failed under --starttls auto: "
                    "reconnecting without TLS");
            free(why);
            why = NULL;
            smtp_close(ss->sess);
            ss->sess = NULL;
            ss->stage = PROBE_STAGE_NONE;
            continue;
        }
        if (!ok) {
            sess_fail(ss, why);
            why = NULL;
            smtp_close(ss->sess);
            ss->sess = NULL;
            break;
        }
        ss->stage++;
    }
    return !ss->failed;
}

smtp_session *probe_session_stage(probe_ctx *ctx, int stage, char **err)
{
    probe_sess *ss = ctx->ss;
    /* A probe that met a timeout or a bad reply leaves the shared session
     * out of step (a late reply would answer the next command): start over. */
    if (ss->sess && ss->sess->broken)
        probe_session_drop(ctx);
    if (!advance(ctx, stage)) {
        *err = xstrdup(ss->error ? ss->error : "the session could not be opened");
        return NULL;
    }
    return ss->sess;
}

smtp_session *probe_session(probe_ctx *ctx, char **err)
{
    return probe_session_stage(ctx, PROBE_STAGE_READY, err);
}

smtp_session *probe_session_new_tr(probe_ctx *ctx, transcript *tr, char **why)
{
    probe_sess *ss = ctx->ss;
    if (ss->failed) {
        *why = xstrdup(ss->error);
        return NULL;
    }
    /* A second round only when STARTTLS broke under "auto" in the first
     * (do_tls then skips it). */
    for (int round = 0; round < 2; round++) {
        bool was_broken = tls_is_broken(ss);
        smtp_session *s = NULL;
        if (open_conn(ctx, tr, &s, why) != NET_OK)
            return NULL;
        if (do_greet(ss, s, false, why) && do_ehlo(ctx, s, NULL, NULL, why) &&
            do_tls(ctx, s, false, why))
            return s;
        smtp_quit(s);
        if (was_broken || !tls_is_broken(ss))
            break;
        tr_note(tr, false, "STARTTLS failed under --starttls auto: reconnecting without TLS");
        free(*why);
        *why = NULL;
    }
    return NULL;
}

smtp_session *probe_session_new(probe_ctx *ctx, char **why)
{
    return probe_session_new_tr(ctx, &ctx->tr, why);
}

void probe_session_drop(probe_ctx *ctx)
{
    probe_sess *ss = ctx->ss;
    if (ss->sess)
        smtp_quit(ss->sess);
    ss->sess = NULL;
    if (!ss->failed)
        ss->stage = PROBE_STAGE_NONE;
}

void probe_session_set_deadline(probe_ctx *ctx, double deadline_ms)
{
    if (ctx->ss && ctx->ss->sess)
        net_set_deadline(ctx->ss->sess->c, deadline_ms);
}

void probe_ctx_reset_session(probe_ctx *ctx)
{
    probe_sess *ss = ctx->ss;
    probe_session_drop(ctx);
    probe_budget_reset(ctx);
    ss->failed = false;
    free(ss->error);
    ss->error = NULL;
    ss->stage = PROBE_STAGE_NONE;
    ss->tls_broken = false;
    free(ss->tls_error);
    ss->tls_error = NULL;
    ss->connect_err = NET_OK;
    /* NTLM is fetched once per run; a cancelled fetch may be tried again. */
    if (!ss->have_ntlm) {
        ss->ntlm_tried = false;
        free(ss->ntlm_error);
        ss->ntlm_error = NULL;
    }
}

/* ---- the NTLM challenge, once per run ---- */

/* The verb that offers NTLM on this session: AUTH first, else X-EXPS. */
static const char *ntlm_verb(const ehlo_caps *c)
{
    if (ehlo_caps_has_mech(c->auth_mechs, c->nauth, "NTLM"))
        return "AUTH";
    if (ehlo_caps_has_mech(c->exps_mechs, c->nexps, "NTLM"))
        return "X-EXPS";
    return NULL;
}

/* Keep the type-2 of a 334 reply, with the times the clock reading needs. */
static bool take_type2(probe_sess *ss, const smtp_reply *rep, double t0, char **why)
{
    ss->ntlm_wall = probe_wall_now();
    ss->ntlm_rtt_ms = util_now_ms() - t0;
    unsigned char *msg = NULL;
    const char *b64 = rep->lines[0];
    long n = util_b64_decode(b64, strlen(b64), &msg);
    bool ok = false;
    if (n < 0)
        *why = xstrdup("the NTLM challenge is not valid base64");
    else
        ok = ntlm_parse_type2(msg, (size_t)n, &ss->ntlm, why) == 0;
    free(msg);
    return ok;
}

/* Send type-1, read type-2; the server's first 334 may be a bare
 * "NTLM supported" before it takes the type-1. */
static bool exchange_type1(probe_sess *ss, smtp_session *s, const char *verb, char **why)
{
    smtp_reply rep;
    char *err = NULL;
    smtp_reply_init(&rep);
    char *cmd = xasprintf("%s NTLM", verb);
    smtp_err e = smtp_cmd(s, cmd, &rep, &err);
    free(cmd);
    double t0 = 0;
    if (e == SMTP_OK && rep.code == 334) {
        t0 = util_now_ms();
        e = smtp_cmd(s, NTLM_TYPE1_B64, &rep, &err);
    }
    bool ok = false;
    if (e != SMTP_OK) {
        *why = smtp_describe(s, e, err);
    } else if (rep.code != 334 || !rep.nlines) {
        char *l = smtp_reply_line(&rep);
        *why = xasprintf("%s NTLM was answered \"%s\"", verb, l);
        free(l);
    } else {
        ok = take_type2(ss, &rep, t0, why);
    }
    if (e == SMTP_OK) {
        /* RFC 4954: "*" cancels; the session stays usable. */
        char *ign = NULL;
        smtp_cmd(s, "*", &rep, &ign);
        free(ign);
    }
    smtp_reply_free(&rep);
    free(err);
    return ok;
}

const ntlm_challenge *probe_ntlm(probe_ctx *ctx, char **err)
{
    probe_sess *ss = ctx->ss;
    if (!ss->ntlm_tried) {
        ss->ntlm_tried = true;
        char *why = NULL;
        smtp_session *s = probe_session(ctx, &why);
        const char *verb = s ? ntlm_verb(&s->caps) : NULL;
        if (s && !verb)
            why = xstrdup("the server offers NTLM neither in AUTH nor in X-EXPS");
        else if (s && exchange_type1(ss, s, verb, &why))
            ss->have_ntlm = true;
        ss->ntlm_error = why;
    }
    if (ss->have_ntlm)
        return &ss->ntlm;
    *err = xstrdup(ss->ntlm_error ? ss->ntlm_error : "no NTLM challenge");
    return NULL;
}

const ntlm_challenge *probe_ntlm_seen(const probe_ctx *ctx)
{
    return ctx->ss->have_ntlm ? &ctx->ss->ntlm : NULL;
}
