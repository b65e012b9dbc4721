/* policy: the run's limits and where credentials may go (probe.h, "the
 * run's limits").  A hostile or broken server must not turn one run into
 * hundreds of connections, minutes of waiting, a locked-out account or a
 * password sent in clear:
 *  - at most PROBE_MAX_CONNECTIONS SMTP connections per run, every probe
 *    together;
 *  - a deadline for the whole run (--deadline), checked before each probe
 *    and each connection; it also ends every network wait on the way
 *    (net_opts.deadline_ms), and caps the Kerberos probes' timeout;
 *  - at most one failed logon per family of mechanisms and run (PLAIN and
 *    LOGIN are one family, NTLM one, GSSAPI and the other Kerberos ones one,
 *    the remaining challenge-response mechanisms one), AUTH and X-EXPS
 *    together: at most three wrong passwords (GSSAPI uses a ticket), so an
 *    account that locks out after five is not locked by one run.  The one
 *    repeat: xexch50 logs on again with the mechanism the auth probe saw
 *    succeed (at worst one failure more);
 *  - no credentials at all on a session without TLS once STARTTLS was
 *    offered and failed in the run (someone on the path may have broken it
 *    on purpose), and PLAIN and LOGIN never without TLS unless
 *    --allow-plaintext-auth; sasl.c enforces the same at the last step.
 * The time counted is the time spent inside probes, so the wizard waiting
 * for the admin between steps does not use the run up.  A re-run of a step
 * (probe_ctx_reset_session) starts time and connections afresh; failed
 * logons are never forgotten within a run. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"

struct probe_budget {
    double budget_ms;          /* --deadline */
    double spent_ms;           /* inside probes, before the current one */
    double probe_t0;           /* when the current probe began, or 0 */
    double until_ms;           /* the current probe's deadline (util_now_ms clock) */
    int timeout_ms;            /* the run's own --timeout */
    int conns;                 /* SMTP connections opened */
    int conns_refused;         /* asked for after the cap or the deadline */
    char *failure[PROBE_NFAMILIES];   /* the failed logon of each family, or NULL */
    pthread_mutex_t mu;        /* conns, conns_refused and failure: AUTH's mechanism
                                * families run in sessions of their own, at once */
};

void probe_budget_init(probe_ctx *ctx)
{
    struct probe_budget *b = ctx->budget = xcalloc(1, sizeof *ctx->budget);
    b->budget_ms = ctx->o.deadline_ms > 0 ? ctx->o.deadline_ms : PROBE_DEADLINE_MS_DEFAULT;
    b->timeout_ms = ctx->o.timeout_ms;
    b->until_ms = util_now_ms() + b->budget_ms;
    pthread_mutex_init(&b->mu, NULL);
}

void probe_budget_free(probe_ctx *ctx)
{
    struct probe_budget *b = ctx->budget;
    if (!b)
        return;
    for (int i = 0; i < PROBE_NFAMILIES; i++)
        free(b->failure[i]);
    pthread_mutex_destroy(&b->mu);
    free(b);
    ctx->budget = NULL;
}

void probe_budget_reset(probe_ctx *ctx)
{
    struct probe_budget *b = ctx->budget;
    b->spent_ms = 0;
    b->conns = b->conns_refused = 0;
    b->until_ms = util_now_ms() + b->budget_ms;
}

double probe_budget_left_ms(const probe_ctx *ctx)
{
    double left = ctx->budget->until_ms - util_now_ms();
    return left > 0 ? left : 0;
}

bool probe_budget_start(probe_ctx *ctx)
{
    struct probe_budget *b = ctx->budget;
    b->probe_t0 = util_now_ms();
    double left = b->budget_ms - b->spent_ms;
    b->until_ms = b->probe_t0 + (left > 0 ? left : 0);
    /* Every wait of this probe ends by the deadline: the Kerberos probes'
     * through the timeout they read, the SMTP ones through the connection. */
    int cap = left >= 1 ? (left < b->timeout_ms ? (int)left : b->timeout_ms) : 1;
    ctx->o.timeout_ms = cap;
    probe_session_set_deadline(ctx, b->until_ms);
    return left >= 1;
}

void probe_budget_stop(probe_ctx *ctx)
{
    struct probe_budget *b = ctx->budget;
    if (b->probe_t0 > 0)
        b->spent_ms += util_now_ms() - b->probe_t0;
    b->probe_t0 = 0;
}

char *probe_budget_expired_text(const probe_ctx *ctx)
{
    return xasprintf("the run's deadline of %g s has passed (--deadline S sets it)",
                     ctx->budget->budget_ms / 1000.0);
}

net_opts probe_net_opts(const probe_ctx *ctx)
{
    double left = probe_budget_left_ms(ctx);
    int t = ctx->o.timeout_ms;
    if (left < t)
        t = left >= 1 ? (int)left : 1;
    return (net_opts){.timeout_ms = t, .cancel_fd = ctx->o.cancel_fd,
                      .deadline_ms = ctx->budget->until_ms};
}

bool probe_conn_take(probe_ctx *ctx, char **why)
{
    struct probe_budget *b = ctx->budget;
    bool ok = false;
    pthread_mutex_lock(&b->mu);
    if (probe_budget_left_ms(ctx) < 1) {
        b->conns_refused++;
        *why = probe_budget_expired_text(ctx);
    } else if (b->conns >= PROBE_MAX_CONNECTIONS) {
        b->conns_refused++;
        *why = xasprintf("the run has used its %d connections (smtpwiz opens at most %d per "
                         "run, so that no server can make one run open hundreds)",
                         PROBE_MAX_CONNECTIONS, PROBE_MAX_CONNECTIONS);
    } else {
        b->conns++;
        ok = true;
    }
    pthread_mutex_unlock(&b->mu);
    return ok;
}

int probe_conns_used(const probe_ctx *ctx) { return ctx->budget->conns; }
int probe_conns_refused(const probe_ctx *ctx) { return ctx->budget->conns_refused; }

/* ---- logons ---- */

probe_family probe_mech_family(const char *mech)
{
    if (sasl_mech_is_plaintext(mech))
        return PROBE_FAM_PASSWORD;
    if (util_strieq(mech, "NTLM"))
        return PROBE_FAM_NTLM;
    if (util_strieq(mech, "GSSAPI") || util_strieq(mech, "GSS-SPNEGO") ||
        strncmp(mech, "GS2-", 4) == 0)
        return PROBE_FAM_KERBEROS;
    return PROBE_FAM_OTHER;
}

const char *probe_family_name(probe_family f)
{
    static const char *const names[PROBE_NFAMILIES] = {
        "PLAIN/LOGIN", "NTLM", "GSSAPI (Kerberos)", "challenge-response (CRAM-MD5, SCRAM ...)",
    };
    return names[f];
}

bool probe_logon_allowed(const probe_ctx *ctx, const char *mech, char **why)
{
    probe_family f = probe_mech_family(mech);
    struct probe_budget *b = ctx->budget;
    pthread_mutex_lock(&b->mu);
    const char *failed = b->failure[f];
    if (failed)
        *why = xasprintf("a %s logon already failed in this run (%s), and smtpwiz makes at most "
                         "one failed logon per kind of mechanism and run, so that a run cannot "
                         "lock the account out", probe_family_name(f), failed);
    pthread_mutex_unlock(&b->mu);
    return !failed;
}

void probe_logon_record(probe_ctx *ctx, const char *verb, const char *mech, bool ok,
                        const char *reply)
{
    probe_family f = probe_mech_family(mech);
    struct probe_budget *b = ctx->budget;
    pthread_mutex_lock(&b->mu);
    if (!ok && !b->failure[f])
        b->failure[f] = xasprintf("%s %s: %s", verb, mech, reply ? reply : "not completed");
    pthread_mutex_unlock(&b->mu);
}

/* ---- where credentials may go ---- */

bool probe_creds_allowed(const probe_ctx *ctx, bool tls, const char *mech, char **why)
{
    if (tls)
        return true;
    const char *broken = probe_tls_failure(ctx);
    if (broken) {
        *why = xasprintf("STARTTLS was offered but did not complete (%s), and after that smtpwiz "
                         "sends no credentials in clear: someone on the path may have broken "
                         "TLS on purpose. Fix STARTTLS (see the starttls finding); to test "
                         "without TLS anyway, run again with --starttls never", broken);
        return false;
    }
    if (sasl_mech_is_plaintext(mech) && !ctx->o.allow_plaintext_auth) {
        *why = xstrdup("PLAIN and LOGIN send the password itself, and this session is not "
                       "encrypted; give --allow-plaintext-auth (in the wizard: \"Plain-text "
                       "AUTH\" allowed) to send it anyway");
        return false;
    }
    return true;
}

sasl_creds probe_sasl_creds(const probe_ctx *ctx)
{
    bool broken = probe_tls_failure(ctx) != NULL;
    return (sasl_creds){.user = ctx->o.user, .password = ctx->o.password,
                        .plaintext_ok = ctx->o.allow_plaintext_auth && !broken,
                        .tls_required = broken};
}
