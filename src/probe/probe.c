/* probe: the run context, the shared session and the result helpers.
 * The shared session is opened in stages (connect, greeting, EHLO, TLS) so
 * that each probe's slice of the transcript holds exactly its own lines. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe.h"
#include "probe/probe_krb.h"
#include "base/util.h"

const probe_def probe_table[] = {
    {"connect", "TCP connection", probe_connect},
    {"banner", "Greeting banner", probe_banner},
    {"ehlo", "EHLO capabilities", probe_ehlo},
    {"starttls", "STARTTLS", probe_starttls},
    {"auth", "AUTH", probe_auth},
    {"exps", "X-EXPS (Exchange authentication)", probe_exps},
    {"ntlm-info", "NTLM challenge", probe_ntlm_info},
    {"xexch50", "XEXCH50", probe_xexch50},
    {"clock", "Clock skew", probe_clock},
    {"kdc-time", "KDC clock (Kerberos)", probe_kdc_time},
    {"kerberos-ports", "Kerberos ports", probe_kerberos_ports},
    {"spn", "SMTP service principal names", probe_spn},
    {NULL, NULL, NULL},
};

const probe_def *probe_find(const char *name)
{
    for (const probe_def *p = probe_table; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

const char *probe_status_name(probe_status s)
{
    static const char *const n[] = {"pass", "warn", "fail", "skip", "error"};
    return (unsigned)s < 5 ? n[s] : "error";
}

double probe_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool probe_banner_skew(const probe_ctx *ctx, double *skew)
{
    if (!ctx->have_banner || !ctx->banner.has_date)
        return false;
    *skew = (double)ctx->banner.date_utc - (ctx->greet_wall - ctx->connect_ms / 2000.0);
    return true;
}

bool probe_server_skew(const probe_ctx *ctx, double *skew, const char **source)
{
    if (ctx->have_ntlm && ctx->ntlm.has_timestamp) {
        /* unix_time is whole seconds; FILETIME counts 100 ns. */
        double server = (double)ctx->ntlm.unix_time + (double)(ctx->ntlm.filetime % 10000000u) / 1e7;
        *skew = server - (ctx->ntlm_wall - ctx->ntlm_rtt_ms / 2000.0);
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

void probe_ctx_init(probe_ctx *ctx, const probe_opts *o)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->o = *o;
    if (!ctx->o.port)
        ctx->o.port = "25";
    if (ctx->o.timeout_ms <= 0)
        ctx->o.timeout_ms = 10000;
    if (!ctx->o.helo) {
        /* Here, not in the CLI, so the wizard says the same name. */
        char name[256] = "";
        bool ok = gethostname(name, sizeof name - 1) == 0 && name[0];
        ctx->helo_default = xstrdup(ok ? name : "smtpwiz.invalid");
        ctx->o.helo = ctx->helo_default;
    }
    tr_init(&ctx->tr);
    smtp_reply_init(&ctx->greeting);
    banner_info_init(&ctx->banner);
    smtp_caps_init(&ctx->caps_plain);
    smtp_caps_init(&ctx->caps_tls);
    ntlm_challenge_init(&ctx->ntlm);
}

void probe_ctx_free(probe_ctx *ctx)
{
    probe_session_drop(ctx);
    smtp_reply_free(&ctx->greeting);
    banner_info_free(&ctx->banner);
    smtp_caps_free(&ctx->caps_plain);
    smtp_caps_free(&ctx->caps_tls);
    ntlm_challenge_free(&ctx->ntlm);
    free(ctx->helo_default);
    free(ctx->sess_error);
    free(ctx->tls_error);
    free(ctx->ntlm_error);
    free(ctx->auth_ok_mech);
    free(ctx->auth_refusal);
    probe_krb_forget(ctx);
    tr_free(&ctx->tr);
}

static void sess_fail(probe_ctx *ctx, char *why)
{
    ctx->sess_failed = true;
    free(ctx->sess_error);
    ctx->sess_error = why;
}

static const char *helo_name(const probe_ctx *ctx)
{
    return ctx->o.helo;   /* probe_ctx_init set a default */
}

/* Greeting: record it (shared session) and require a 220. */
static bool do_greet(probe_ctx *ctx, smtp_session *s, bool shared, char **why)
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
        ctx->greet_wall = probe_wall_now();
        smtp_reply_free(&ctx->greeting);
        ctx->greeting = r;
        char *text = smtp_reply_text(&r);
        banner_info_free(&ctx->banner);
        banner_parse(text, &ctx->banner);
        ctx->have_banner = true;
        free(text);
    } else {
        smtp_reply_free(&r);
    }
    free(err);
    return ok;
}

static bool do_ehlo(probe_ctx *ctx, smtp_session *s, smtp_caps *save, bool *have, char **why)
{
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    smtp_err e = smtp_ehlo(s, helo_name(ctx), &r, &err);
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
        smtp_caps_free(save);
        smtp_caps_parse(&r, save);
        *have = true;
    }
    smtp_reply_free(&r);
    free(err);
    return ok;
}

/* STARTTLS as the policy says.  Returns false only when the session is lost. */
static bool do_tls(probe_ctx *ctx, smtp_session *s, bool shared, char **why)
{
    tls_policy pol = ctx->o.starttls;
    if (pol == TLS_NEVER || ctx->tls_broken)
        return true;
    if (pol == TLS_AUTO && !(s->caps.flags & CAP_STARTTLS))
        return true;
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    tls_opts to = {.sni = ctx->o.host, .cafile = ctx->o.cafile};
    smtp_err e = smtp_starttls(s, "STARTTLS", &to, helo_name(ctx), &r, &err);
    bool ok = true;
    if (e != SMTP_OK) {
        char *d = smtp_describe(s, e, err);
        *why = xasprintf("STARTTLS failed: %s", d);
        ok = false;
        /* Under "auto" a broken STARTTLS costs TLS, not the server: the
         * caller starts over in plain text (unless the admin cancelled). */
        if (pol == TLS_AUTO && s->last_net != NET_ECANCEL) {
            ctx->tls_broken = true;
            free(ctx->tls_error);
            ctx->tls_error = d;
            d = NULL;
        }
        free(d);
    } else if (!s->tls && pol == TLS_ALWAYS) {
        char *l = smtp_reply_line(&r);
        *why = xasprintf("STARTTLS is required (--starttls always) but the server answered \"%s\"", l);
        free(l);
        ok = false;
    }
    if (ok && shared && s->tls) {
        smtp_caps_free(&ctx->caps_tls);
        smtp_caps_parse(&r, &ctx->caps_tls);
        ctx->have_caps_tls = r.code == 250;
    }
    smtp_reply_free(&r);
    free(err);
    return ok;
}

static bool advance(probe_ctx *ctx, int target)
{
    char *why = NULL;
    net_opts no = {.timeout_ms = ctx->o.timeout_ms, .cancel_fd = ctx->o.cancel_fd};
    while (ctx->stage < target && !ctx->sess_failed) {
        bool ok = true;
        switch (ctx->stage) {
        case PROBE_STAGE_NONE:
            ctx->connect_err = smtp_connect(ctx->o.host, ctx->o.port, &no, &ctx->tr,
                                            &ctx->sess, &why);
            ok = ctx->connect_err == NET_OK;
            if (ok)
                ctx->connect_ms = net_connect_ms(ctx->sess->c);
            break;
        case PROBE_STAGE_CONNECTED:
            ok = do_greet(ctx, ctx->sess, true, &why);
            break;
        case PROBE_STAGE_GREETED:
            ok = do_ehlo(ctx, ctx->sess, &ctx->caps_plain, &ctx->have_caps_plain, &why);
            break;
        case PROBE_STAGE_EHLO:
            ok = do_tls(ctx, ctx->sess, true, &why);
            if (!ok && ctx->tls_broken) {
                /* do_tls skips TLS from now on: reopen from the start. */
                tr_note(&ctx->tr, false, "STARTTLS failed under --starttls auto: "
                        "reconnecting without TLS");
                free(why);
                why = NULL;
                smtp_close(ctx->sess);
                ctx->sess = NULL;
                ctx->stage = PROBE_STAGE_NONE;
                continue;
            }
            break;
        }
        if (!ok) {
            sess_fail(ctx, why);
            why = NULL;
            smtp_close(ctx->sess);
            ctx->sess = NULL;
            break;
        }
        ctx->stage++;
    }
    return !ctx->sess_failed;
}

/* For connect/banner/ehlo/starttls: reach one stage and no further. */

smtp_session *probe_session_stage(probe_ctx *ctx, int stage, const char **why)
{
    /* A probe that met a timeout or a bad reply leaves the shared session
     * out of step (a late reply would answer the next command): start over. */
    if (ctx->sess && ctx->sess->broken)
        probe_session_drop(ctx);
    if (!advance(ctx, stage)) {
        *why = ctx->sess_error;
        return NULL;
    }
    return ctx->sess;
}

smtp_session *probe_session(probe_ctx *ctx, const char **why)
{
    return probe_session_stage(ctx, PROBE_STAGE_READY, why);
}

smtp_session *probe_session_new(probe_ctx *ctx, char **why)
{
    if (ctx->sess_failed) {
        *why = xstrdup(ctx->sess_error);
        return NULL;
    }
    net_opts no = {.timeout_ms = ctx->o.timeout_ms, .cancel_fd = ctx->o.cancel_fd};
    /* A second round only when STARTTLS broke under "auto" in the first
     * (do_tls then skips it). */
    for (int round = 0; round < 2; round++) {
        bool was_broken = ctx->tls_broken;
        smtp_session *s = NULL;
        if (smtp_connect(ctx->o.host, ctx->o.port, &no, &ctx->tr, &s, why) != NET_OK)
            return NULL;
        if (do_greet(ctx, s, false, why) && do_ehlo(ctx, s, NULL, NULL, why) &&
            do_tls(ctx, s, false, why))
            return s;
        smtp_quit(s);
        if (was_broken || !ctx->tls_broken)
            break;
        tr_note(&ctx->tr, false, "STARTTLS failed under --starttls auto: reconnecting without TLS");
        free(*why);
        *why = NULL;
    }
    return NULL;
}

void probe_session_drop(probe_ctx *ctx)
{
    if (ctx->sess)
        smtp_quit(ctx->sess);
    ctx->sess = NULL;
    if (!ctx->sess_failed)
        ctx->stage = PROBE_STAGE_NONE;
}

void probe_ctx_reset_session(probe_ctx *ctx)
{
    probe_session_drop(ctx);
    ctx->sess_failed = false;
    free(ctx->sess_error);
    ctx->sess_error = NULL;
    ctx->stage = PROBE_STAGE_NONE;
    ctx->tls_broken = false;
    free(ctx->tls_error);
    ctx->tls_error = NULL;
    ctx->connect_err = NET_OK;
    /* NTLM is fetched once per run; a cancelled fetch may be tried again. */
    if (!ctx->have_ntlm) {
        ctx->ntlm_tried = false;
        free(ctx->ntlm_error);
        ctx->ntlm_error = NULL;
    }
}

void probe_run(probe_ctx *ctx, const probe_def *p, probe_result *r)
{
    memset(r, 0, sizeof *r);
    r->name = p->name;
    r->tr_first = ctx->tr.n;
    double t0 = util_now_ms();
    r->status = p->fn(ctx, r);
    r->elapsed_ms = util_now_ms() - t0;
    r->tr_count = ctx->tr.n - r->tr_first;
    if (!r->summary)
        r->summary = xstrdup(probe_status_name(r->status));
}

void probe_result_free(probe_result *r)
{
    for (size_t i = 0; i < r->nfacts; i++) {
        fact *f = &r->facts[i];
        free(f->key);
        free(f->str);
        for (size_t j = 0; j < f->nlist; j++)
            free(f->list[j]);
        free(f->list);
    }
    free(r->facts);
    free(r->summary);
    memset(r, 0, sizeof *r);
}

void probe_summary(probe_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    free(r->summary);
    /* Summaries quote server text: keep them free of control bytes. */
    r->summary = util_escape(raw, strlen(raw));
    free(raw);
}

/* Replace a fact of the same key, else append. */
static fact *fact_slot(probe_result *r, const char *key)
{
    for (size_t i = 0; i < r->nfacts; i++) {
        fact *f = &r->facts[i];
        if (strcmp(f->key, key) == 0) {
            free(f->str);
            for (size_t j = 0; j < f->nlist; j++)
                free(f->list[j]);
            free(f->list);
            char *k = f->key;
            memset(f, 0, sizeof *f);
            f->key = k;
            return f;
        }
    }
    r->facts = xrealloc(r->facts, (r->nfacts + 1) * sizeof *r->facts);
    fact *f = &r->facts[r->nfacts++];
    memset(f, 0, sizeof *f);
    f->key = xstrdup(key);
    return f;
}

void fact_str(probe_result *r, const char *key, const char *val)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_STR;
    f->str = util_escape(val ? val : "", val ? strlen(val) : 0);
}

void fact_num(probe_result *r, const char *key, double val)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_NUM;
    f->num = val;
}

void fact_bool(probe_result *r, const char *key, bool val)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_BOOL;
    f->b = val;
}

void fact_list(probe_result *r, const char *key, char *const *items, size_t n)
{
    fact *f = fact_slot(r, key);
    f->type = FACT_LIST;
    f->list = xcalloc(n ? n : 1, sizeof *f->list);
    for (size_t i = 0; i < n; i++)
        f->list[i] = util_escape(items[i], strlen(items[i]));
    f->nlist = n;
}

char *fact_text(const fact *f)
{
    switch (f->type) {
    case FACT_STR: return xstrdup(f->str ? f->str : "");
    case FACT_NUM: return xasprintf("%g", f->num);
    case FACT_BOOL: return xstrdup(f->b ? "yes" : "no");
    case FACT_LIST: break;
    }
    if (f->nlist == 0)
        return xstrdup("(none)");
    bool sentences = false;
    for (size_t k = 0; k < f->nlist && !sentences; k++)
        sentences = strchr(f->list[k], ' ') != NULL;
    strbuf sb = {0};
    for (size_t k = 0; k < f->nlist; k++)
        sb_printf(&sb, "%s%s", k ? (sentences ? "; " : " ") : "", f->list[k]);
    return sb_steal(&sb);
}

const fact *fact_get(const probe_result *r, const char *key)
{
    for (size_t i = 0; i < r->nfacts; i++)
        if (strcmp(r->facts[i].key, key) == 0)
            return &r->facts[i];
    return NULL;
}
