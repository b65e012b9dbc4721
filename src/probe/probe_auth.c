/* probes auth and exps: the SASL exchange per mechanism, under AUTH (RFC
 * 4954) and under Exchange's X-EXPS.  Each mechanism after the first gets a
 * fresh session: a refusal may end the connection (454 then disconnect).
 * The families of mechanisms (PLAIN/LOGIN, NTLM, Kerberos) run at once,
 * each on a thread with a transcript of its own, added after the run's
 * when all are done: one block per family, facts in the server's order.
 * Only mechanisms the local Cyrus library has are tried, and only as the
 * run's rules allow (policy.c): no credentials in clear after a failed
 * STARTTLS, PLAIN and LOGIN not in clear without --allow-plaintext-auth, one
 * failed logon per family, the connection cap.  What they left untried is
 * said in the summary and in each mechanism's fact. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"
#include "probe/probe_krb.h"
#include "proto/sasl.h"

/* Mechanisms not tried for one reason (the policy, the family rule, the
 * connection cap): said once in the summary, with every mechanism it hit. */
typedef struct untried {
    char *why;
    strbuf mechs;
} untried;

#define UNTRIED_MAX 6

typedef struct attempt_tally {
    int ok, refused, failed;
    char *first_ok;
    char *last_refusal;
    char **refusals;          /* each refused mechanism's reply line */
    char **clear;             /* mechanisms that ran on a session without TLS */
    size_t nclear;
    untried skip[UNTRIED_MAX];
    size_t nskip;
    char *stop;               /* no more sessions: why (the cap, the deadline) */
} attempt_tally;

/* mech was not tried because of why (taken). */
static void not_tried(probe_result *r, attempt_tally *t, const char *mech, char *why)
{
    char *v = xasprintf("not tried: %s", why);
    fact_str(r, mech, v);
    free(v);
    size_t i = 0;
    while (i < t->nskip && strcmp(t->skip[i].why, why) != 0)
        i++;
    if (i == t->nskip && t->nskip < UNTRIED_MAX)
        t->skip[t->nskip++].why = xstrdup(why);
    if (i < t->nskip)
        sb_printf(&t->skip[i].mechs, "%s%s", t->skip[i].mechs.len ? ", " : "", mech);
    free(why);
}

static void refused(attempt_tally *t, const char *verb, const char *mech, const char *line)
{
    t->refusals = xrealloc(t->refusals, ((size_t)t->refused + 1) * sizeof *t->refusals);
    t->refusals[t->refused++] = xstrdup(line);
    free(t->last_refusal);
    t->last_refusal = xasprintf("%s %s: %s", verb, mech, line);
}

/* What became of one offered mechanism.  The session that tries it sets
 * it, on whichever thread; the facts and the summary are made from these
 * afterwards, in the order the server offered the mechanisms. */
typedef enum { OUT_NONE, OUT_FACT, OUT_NOT_TRIED, OUT_OK, OUT_REFUSED, OUT_FAILED } out_kind;

typedef struct outcome {
    out_kind kind;
    char *text;        /* the fact, the reply line, or (OUT_NOT_TRIED) why */
    bool clear;        /* credentials may have gone out on a session without TLS */
    bool counts;       /* counts as a mechanism that could not be completed */
    bool stop;         /* no session could be had: text is why */
} outcome;

static void set_out(outcome *o, out_kind kind, char *text)
{
    free(o->text);
    o->kind = kind;
    o->text = text;
}

/* One mechanism on session s; records the logon in the run's tally of
 * failed logons (policy.c) at once, for the family rule. */
static void try_mech(probe_ctx *ctx, smtp_session *s, const char *verb, const char *mech,
                     const char *fqdn, outcome *o)
{
    sasl_creds cr = probe_sasl_creds(ctx);
    smtp_reply fin;
    char *err = NULL;
    smtp_reply_init(&fin);
    sasl_result res = sasl_authenticate(s, verb, mech, fqdn, &cr, &fin, &err);
    if (res == SASL_EPOLICY) {
        set_out(o, OUT_NOT_TRIED, err);   /* nothing was sent */
        smtp_reply_free(&fin);
        return;
    }
    /* Whether credentials may have gone out: the logon counts. */
    bool sent = res == SASL_DONE || res == SASL_ESMTP || res == SASL_EABORTED;
    o->clear = !s->tls && sent;
    if (res == SASL_DONE) {
        char *line = smtp_reply_line(&fin);
        probe_logon_record(ctx, verb, mech, fin.code == 235, line);
        set_out(o, fin.code == 235 ? OUT_OK : OUT_REFUSED, line);
    } else {
        char *v = xasprintf("not completed: %s", err ? err : "unknown error");
        if (sent)
            probe_logon_record(ctx, verb, mech, false, v);
        set_out(o, OUT_FAILED, v);
        o->counts = res != SASL_ENOMECH;
    }
    free(err);
    smtp_reply_free(&fin);
}

bool probe_auth_usable(const probe_ctx *ctx, const char *mech, bool ccache)
{
    if (ctx->o.mech && !util_strieq(ctx->o.mech, mech))
        return false;
    /* Only what the local library can speak: a server's list of names is
     * never a reason to open a session. */
    if (!sasl_mech_available(mech))
        return false;
    /* ANONYMOUS and EXTERNAL log on with no account: nothing to test. */
    if (util_strieq(mech, "ANONYMOUS") || util_strieq(mech, "EXTERNAL"))
        return false;
    /* GSSAPI (and its kin) never uses the password: it needs a ticket (kinit). */
    if (probe_mech_family(mech) == PROBE_FAM_KERBEROS)
        return ccache;
    return probe_have_creds(ctx);
}

/* Why mech is not tried before any session is opened for it (allocated),
 * or NULL: the rules of the run, in the order an admin can act on them.
 * tls: whether the sessions of this verb have TLS; stop: why no more
 * sessions can be had, if so. */
static char *rule_out(probe_ctx *ctx, const char *mech, bool tls, const char *stop)
{
    char *why = NULL;
    if (!probe_creds_allowed(ctx, tls, mech, &why))
        return why;
    if (!probe_logon_allowed(ctx, mech, &why))
        return why;
    if (stop)
        return xstrdup(stop);
    return NULL;
}

/* The mechanisms of one family (PLAIN/LOGIN, NTLM, Kerberos ...), tried one
 * after the other in a session each: whether the next may be tried depends
 * on how the last went (one failed logon per family and run).  Families do
 * not depend on each other, so each runs at the same time as the others,
 * on a thread with a transcript of its own; the first runs on the caller's
 * thread, into the run's transcript, and begins on the shared session. */
typedef struct auth_job {
    probe_ctx *ctx;
    const char *verb, *fqdn;
    char *const *mechs;
    bool tls;
    size_t idx[EHLO_MECHS_MAX];   /* this family's mechanisms, in offer order */
    size_t n;
    smtp_session *shared;   /* the run's shared session for its first attempt, or NULL */
    transcript tr;          /* a thread's own lines */
    transcript *trp;        /* where this job's lines go */
    outcome *out;           /* indexed like mechs */
    pthread_t thread;
    bool started;
} auth_job;

static void run_job(auth_job *j)
{
    probe_ctx *ctx = j->ctx;
    char *stop = NULL;
    for (size_t k = 0; k < j->n; k++) {
        const char *mech = j->mechs[j->idx[k]];
        outcome *o = &j->out[j->idx[k]];
        char *why = rule_out(ctx, mech, j->tls, stop);
        if (why) {
            set_out(o, OUT_NOT_TRIED, why);
            continue;
        }
        smtp_session *s = j->shared;
        if (!s)
            s = probe_session_new_tr(ctx, j->trp, &why);
        if (!s) {
            free(stop);
            stop = xstrdup(why ? why : "no session");
            set_out(o, OUT_NOT_TRIED, why ? why : xstrdup("no session"));
            o->counts = o->stop = true;
            continue;
        }
        /* This session's own TLS state decides (TLS may have broken on it). */
        if (!probe_creds_allowed(ctx, s->tls, mech, &why))
            set_out(o, OUT_NOT_TRIED, why);
        else
            try_mech(ctx, s, j->verb, mech, j->fqdn, o);
        if (s == j->shared) {
            probe_session_drop(ctx);   /* authenticated or refused: not reusable */
            j->shared = NULL;
        } else {
            smtp_quit(s);
        }
    }
    free(stop);
}

static void *job_main(void *arg)
{
    run_job(arg);
    return NULL;
}

/* Run every usable mechanism of mechs (or only --mech), each family in
 * sessions of its own and all families at once; then say what became of
 * each, in the server's order, and add each thread's transcript after the
 * run's, one block per family. */
static void try_all(probe_ctx *ctx, const char *verb, char *const *mechs, size_t n,
                    bool ccache, bool tls, const char *fqdn, probe_result *r, attempt_tally *t)
{
    if (n > EHLO_MECHS_MAX)
        n = EHLO_MECHS_MAX;
    outcome *out = xcalloc(n ? n : 1, sizeof *out);
    auth_job jobs[PROBE_NFAMILIES];
    int family_job[PROBE_NFAMILIES];
    size_t njobs = 0;
    for (int f = 0; f < PROBE_NFAMILIES; f++)
        family_job[f] = -1;
    for (size_t i = 0; i < n; i++) {
        /* A name that is no SASL mechanism name is never sent nor recorded. */
        if (!probe_is_mech_name(mechs[i]))
            continue;
        if (!probe_auth_usable(ctx, mechs[i], ccache)) {
            if (!ctx->o.mech && !sasl_mech_tested(mechs[i]))
                set_out(&out[i], OUT_FACT, xstrdup("not tried: smtpwiz tests the mechanisms "
                                                   "Exchange servers use (GSSAPI NTLM LOGIN "
                                                   "PLAIN)"));
            else if (!ctx->o.mech && !sasl_mech_available(mechs[i]))
                set_out(&out[i], OUT_FACT, xstrdup("not tried: the local Cyrus SASL library "
                                                   "has no plugin for it"));
            else if (util_strieq(mechs[i], "GSSAPI") && !ctx->o.mech)
                set_out(&out[i], OUT_FACT, xstrdup("not tried: no Kerberos ticket here (kinit)"));
            continue;
        }
        char *why = rule_out(ctx, mechs[i], tls, NULL);
        if (why) {
            set_out(&out[i], OUT_NOT_TRIED, why);
            continue;
        }
        probe_family f = probe_mech_family(mechs[i]);
        if (family_job[f] < 0) {
            auth_job *j = &jobs[njobs];
            memset(j, 0, sizeof *j);
            *j = (auth_job){.ctx = ctx, .verb = verb, .fqdn = fqdn, .mechs = mechs, .tls = tls,
                            .out = out};
            tr_init(&j->tr);
            j->tr.t0 = ctx->tr.t0;
            j->trp = njobs == 0 ? &ctx->tr : &j->tr;
            family_job[f] = (int)njobs++;
        }
        auth_job *j = &jobs[family_job[f]];
        j->idx[j->n++] = i;
    }
    if (njobs) {
        char *why = NULL;
        jobs[0].shared = probe_session(ctx, &why);
        free(why);
    }
    for (size_t k = 1; k < njobs; k++) {
        strbuf names = {0};
        for (size_t m = 0; m < jobs[k].n; m++)
            sb_printf(&names, "%s%s", m ? ", " : "", mechs[jobs[k].idx[m]]);
        tr_note(&jobs[k].tr, false, "%s %s: in session%s of %s own, at the same time as the "
                "sessions above", verb, names.buf, jobs[k].n > 1 ? "s" : "",
                jobs[k].n > 1 ? "their" : "its");
        sb_free(&names);
        jobs[k].started = pthread_create(&jobs[k].thread, NULL, job_main, &jobs[k]) == 0;
    }
    if (njobs)
        run_job(&jobs[0]);
    for (size_t k = 1; k < njobs; k++) {
        if (jobs[k].started)
            pthread_join(jobs[k].thread, NULL);
        else
            run_job(&jobs[k]);   /* no thread to be had: after the others */
        tr_merge(&ctx->tr, &jobs[k].tr);
    }
    for (size_t k = 0; k < njobs; k++)
        tr_free(&jobs[k].tr);
    /* What became of each mechanism, in the server's order. */
    for (size_t i = 0; i < n; i++) {
        outcome *o = &out[i];
        if (o->clear) {
            t->clear = xrealloc(t->clear, (t->nclear + 1) * sizeof *t->clear);
            t->clear[t->nclear++] = xstrdup(mechs[i]);
        }
        switch (o->kind) {
        case OUT_NONE: break;
        case OUT_FACT: fact_str(r, mechs[i], o->text); break;
        case OUT_NOT_TRIED:
            if (o->stop && !t->stop)
                t->stop = xstrdup(o->text);
            not_tried(r, t, mechs[i], o->text);
            o->text = NULL;
            break;
        case OUT_OK:
            fact_str(r, mechs[i], o->text);
            t->ok++;
            if (!t->first_ok)
                t->first_ok = xstrdup(mechs[i]);
            break;
        case OUT_REFUSED:
            fact_str(r, mechs[i], o->text);
            refused(t, verb, mechs[i], o->text);
            break;
        case OUT_FAILED: fact_str(r, mechs[i], o->text); break;
        }
        if (o->counts)
            t->failed++;
        free(o->text);
    }
    free(out);
}

/* What was not tried, and why, for the end of the summary (allocated). */
static char *untried_text(attempt_tally *t)
{
    strbuf sb = {0};
    for (size_t i = 0; i < t->nskip; i++) {
        sb_printf(&sb, "%s%s not tried: %s", i ? "; " : "", t->skip[i].mechs.buf,
                  t->skip[i].why);
        free(t->skip[i].why);
        sb_free(&t->skip[i].mechs);
    }
    t->nskip = 0;
    return sb_steal(&sb);
}

static probe_status tally_status(probe_result *r, const char *verb, attempt_tally *t)
{
    /* The refusals as one fact, so that the knowledge base branches on the
     * server's replies and not on the wording of the summary; what worked
     * and the last refusal for the probes that authenticate after this one
     * (xexch50 never sends refused credentials again). */
    fact_list(r, "refusals", t->refusals, (size_t)t->refused);
    fact_list(r, "unencrypted", t->clear, t->nclear);
    if (t->first_ok)
        fact_str(r, "succeeded_with", t->first_ok);
    if (t->last_refusal)
        fact_str(r, "refused_last", t->last_refusal);
    for (int i = 0; i < t->refused; i++)
        free(t->refusals[i]);
    free(t->refusals);
    strbuf clear = {0};
    for (size_t i = 0; i < t->nclear; i++) {
        sb_printf(&clear, "%s%s", i ? ", " : "", t->clear[i]);
        free(t->clear[i]);
    }
    free(t->clear);
    char *skipped = untried_text(t);
    char *tail = xasprintf("%s%s%s%s%s", clear.len ? " (" : "", clear.len ? clear.buf : "",
                           clear.len ? " ran on a session without TLS: unencrypted)" : "",
                           *skipped ? "; " : "", skipped);
    probe_status st;
    if (t->ok) {
        probe_summary(r, "%s succeeded with %s%s%s", verb, t->first_ok,
                      t->refused ? " (other mechanisms were refused)" : "", tail);
        st = ST_PASS;
    } else if (t->refused) {
        probe_summary(r, "%s was refused: %s%s", verb, t->last_refusal, tail);
        st = ST_FAIL;
    } else if (t->failed) {
        probe_summary(r, "%s could not be completed (see the facts per mechanism)%s", verb, tail);
        st = ST_ERROR;
    } else if (*skipped) {
        probe_summary(r, "%s was not tried: %s", verb, skipped);
        st = ST_SKIP;
    } else {
        probe_summary(r, "No mechanism the server offers could be tried from here");
        st = ST_SKIP;
    }
    sb_free(&clear);
    free(skipped);
    free(tail);
    free(t->first_ok);
    free(t->last_refusal);
    free(t->stop);
    return st;
}

static bool any_usable(const probe_ctx *ctx, char *const *mechs, size_t n, bool ccache)
{
    for (size_t i = 0; i < n; i++)
        if (probe_auth_usable(ctx, mechs[i], ccache))
            return true;
    return false;
}

/* The summary when no offered mechanism can be tried (the rule of
 * probe_auth_usable, said the way the admin can act on it). */
static void why_untried(const probe_ctx *ctx, probe_result *r, const char *verb,
                        char *const *mechs, size_t n)
{
    if (ctx->o.mech && !ehlo_caps_has_mech(mechs, n, ctx->o.mech)) {
        strbuf sb = {0};
        for (size_t i = 0; i < n; i++)
            sb_printf(&sb, "%s%s", i ? " " : "", mechs[i]);
        probe_summary(r, "Not tested: --mech %s is not offered under %s (the server offers %s)",
                      ctx->o.mech, verb, sb.len ? sb.buf : "none");
        sb_free(&sb);
    } else if (ctx->o.mech && !sasl_mech_available(ctx->o.mech)) {
        probe_summary(r, "Not tested: the local Cyrus SASL library has no plugin for %s "
                         "(Debian: libsasl2-modules, libsasl2-modules-gssapi-mit)", ctx->o.mech);
    } else if ((ctx->o.mech || probe_have_creds(ctx)) && ehlo_caps_has_mech(mechs, n, "GSSAPI") &&
               sasl_mech_available("GSSAPI")) {
        /* Only GSSAPI is left (asked for, or all else has no plugin here). */
        probe_summary(r, "Not tested: %s GSSAPI needs a Kerberos ticket: run kinit here first",
                      verb);
    } else if (ctx->o.mech || probe_have_creds(ctx)) {
        probe_summary(r, "Not tested: the local Cyrus SASL library has no plugin for any "
                         "mechanism the server offers under %s", verb);
    } else if (strcmp(verb, "AUTH") == 0) {
        probe_summary(r, "Not tested: give --user and a password (--password-file, "
                         "SMTPWIZ_PASSWORD or the prompt) to test AUTH");
    } else {
        probe_summary(r, "Not tested: X-EXPS needs an account of the Exchange organisation "
                         "(--user and a password), or a Kerberos ticket (kinit) for GSSAPI");
    }
}

/* Try the mechanisms under verb.  They are copied first: the session that
 * owns the list is dropped after the first attempt. */
static probe_status run_verb(probe_ctx *ctx, probe_result *r, const char *verb,
                             char *const *list, size_t n, bool tls)
{
    /* The ticket cache matters only to a Kerberos mechanism that may be
     * tried: the Kerberos library stays unread otherwise. */
    bool kerberos = false;
    for (size_t i = 0; i < n && !kerberos; i++)
        kerberos = probe_mech_family(list[i]) == PROBE_FAM_KERBEROS &&
                   (!ctx->o.mech || util_strieq(ctx->o.mech, list[i]));
    bool ccache = kerberos && probe_krb_have_ccache(NULL);
    if (!any_usable(ctx, list, n, ccache)) {
        why_untried(ctx, r, verb, list, n);
        return ST_SKIP;
    }
    char **mechs = xcalloc(n, sizeof *mechs);
    for (size_t i = 0; i < n; i++)
        mechs[i] = xstrdup(list[i]);
    /* The server's name for GSSAPI's service principal, taken while the
     * shared session is still up (the first attempt drops it). */
    char *fqdn = probe_krb_fqdn(ctx);
    attempt_tally t = {0};
    try_all(ctx, verb, mechs, n, ccache, tls, fqdn ? fqdn : ctx->o.host, r, &t);
    free(fqdn);
    for (size_t i = 0; i < n; i++)
        free(mechs[i]);
    free(mechs);
    return tally_status(r, verb, &t);
}

static probe_status probe_auth(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session(ctx, &why);
    if (!s) {
        probe_summary(r, "Not tested: %s", why);
        free(why);
        return ST_ERROR;
    }
    const ehlo_caps *c = &s->caps;
    fact_list(r, "mechanisms", c->auth_mechs, c->nauth);
    if (!c->nauth) {
        probe_summary(r, "The server offers no AUTH%s", s->tls ? "" : " (before TLS)");
        return ST_SKIP;
    }
    return run_verb(ctx, r, "AUTH", c->auth_mechs, c->nauth, s->tls);
}

static probe_status probe_exps(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session(ctx, &why);
    const ehlo_caps *c = s ? &s->caps : NULL;
    if (!c) {
        probe_summary(r, "Not tested: %s", why);
        free(why);
        return ST_ERROR;
    }
    fact_list(r, "mechanisms", c->exps_mechs, c->nexps);
    if (!c->nexps) {
        probe_summary(r, "The server does not offer X-EXPS: Exchange Server authentication is "
                         "off on this connector, or this is not an Exchange server");
        return ST_SKIP;
    }
    return run_verb(ctx, r, "X-EXPS", c->exps_mechs, c->nexps, s->tls);
}

static const probe_fact_decl auth_facts[] = {
    {"mechanisms", FACT_LIST, "the AUTH mechanisms of the session (after TLS if it started)"},
    {"refusals", FACT_LIST, "the reply line of each refused mechanism"},
    {"succeeded_with", FACT_STR, "the first mechanism that authenticated"},
    {"refused_last", FACT_STR, "the last refusal, \"AUTH MECH: reply\""},
    {"unencrypted", FACT_LIST, "the mechanisms that ran on a session without TLS"},
    {PROBE_FACT_PER_MECH, FACT_STR, "per mechanism: the final reply, or why it was not tried"},
    {NULL, FACT_STR, NULL},
};

static const probe_fact_decl exps_facts[] = {
    {"mechanisms", FACT_LIST, "the X-EXPS mechanisms of the session (after TLS if it started)"},
    {"refusals", FACT_LIST, "the reply line of each refused mechanism"},
    {"succeeded_with", FACT_STR, "the first mechanism that authenticated"},
    {"refused_last", FACT_STR, "the last refusal, \"X-EXPS MECH: reply\""},
    {"unencrypted", FACT_LIST, "the mechanisms that ran on a session without TLS"},
    {PROBE_FACT_PER_MECH, FACT_STR, "per mechanism: the final reply, or why it was not tried"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_auth = {
    .name = "auth", .title = "AUTH", .fn = probe_auth, .authenticates = true, .facts = auth_facts,
};

const probe_decl probe_decl_exps = {
    .name = "exps", .title = "X-EXPS (Exchange authentication)", .fn = probe_exps,
    .authenticates = true, .facts = exps_facts,
};
