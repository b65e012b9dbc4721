/* probe: the run context the probes share and the shared SMTP session.
 *
 * A probe is one function that fills one probe_result (probe/result.h); it
 * is declared once, in its own file, as a probe_decl (probe/catalog.h).  A
 * probe never prints.  What the probes share has one owner each:
 *   - the options (probe_opts) belong to the caller and are read only;
 *   - the transcript (ctx->tr) is appended to by the SMTP layer;
 *   - the shared session and what it learnt on the way (greeting, banner,
 *     EHLO capabilities, STARTTLS outcome, the NTLM challenge) belong to
 *     session.c and are read through the accessors below;
 *   - what one probe concluded for another (auth -> xexch50) is read from
 *     that probe's declared result (probe_prior), never from a free field.
 * Allocated messages (char **err) belong to the caller. */
#ifndef SMTPWIZ_PROBE_H
#define SMTPWIZ_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/catalog.h"
#include "probe/opts.h"
#include "probe/result.h"
#include "proto/banner.h"
#include "proto/ntlm.h"
#include "proto/smtp.h"
#include "proto/transcript.h"

typedef struct probe_sess probe_sess;   /* session.c's */
typedef struct probe_runs probe_runs;   /* run.c's */

typedef struct probe_ctx {
    probe_opts o;
    char *helo_default;        /* o.helo when none was given (owned) */
    transcript tr;
    probe_sess *ss;            /* owned by session.c */
    const probe_runs *runs;    /* the results so far (set by probe_runs_ensure) */
    struct probe_krb_memo *krb_memo;   /* owned by probe_krb.c: what kdc-time measured of
                                        * each KDC, for kerberos-ports */
} probe_ctx;

void probe_ctx_init(probe_ctx *ctx, const probe_opts *o);
void probe_ctx_free(probe_ctx *ctx);   /* QUITs and closes any session */

/* The result of a probe that ran earlier in this run (one of the caller's
 * declared needs), or NULL. */
const probe_result *probe_prior(const probe_ctx *ctx, const char *name);

/* ---- the shared session (session.c) ---- */

/* Stages: 1 connected, 2 greeted, 3 EHLO done, 4 ready (TLS per policy). */
enum { PROBE_STAGE_NONE = 0, PROBE_STAGE_CONNECTED, PROBE_STAGE_GREETED, PROBE_STAGE_EHLO,
       PROBE_STAGE_READY };
/* The shared session taken as far as stage, opened on first use.  NULL if
 * that failed; *err (allocated) then says why. */
smtp_session *probe_session_stage(probe_ctx *ctx, int stage, char **err);
smtp_session *probe_session(probe_ctx *ctx, char **err);   /* PROBE_STAGE_READY */
/* A fresh session in the same state, for probes that may spoil one (a
 * failed AUTH, X-EXPS 454 then disconnect).  Caller smtp_quit()s it. */
smtp_session *probe_session_new(probe_ctx *ctx, char **err);
/* Drop the shared session (after a probe left it in an unknown state). */
void probe_session_drop(probe_ctx *ctx);
/* Forget that connecting failed, so the next probe tries again (a re-run
 * after a cancel or after the admin fixed something).  What was learnt
 * (banner, capabilities, NTLM) is kept. */
void probe_ctx_reset_session(probe_ctx *ctx);

/* What the shared session learnt; NULL / false until it got that far. */
const banner_info *probe_banner_info(const probe_ctx *ctx);
const smtp_reply *probe_greeting(const probe_ctx *ctx);
const smtp_caps *probe_caps_plain(const probe_ctx *ctx);   /* EHLO before TLS */
const smtp_caps *probe_caps_tls(const probe_ctx *ctx);     /* EHLO after TLS */
/* Why STARTTLS failed under --starttls auto (the session went on plain), or NULL. */
const char *probe_tls_error(const probe_ctx *ctx);
net_err probe_connect_error(const probe_ctx *ctx);         /* NET_OK if it did not fail */
double probe_connect_ms(const probe_ctx *ctx);
/* Connecting or greeting failed: why (borrowed), else NULL. */
const char *probe_session_failure(const probe_ctx *ctx);

/* The NTLM type-2, fetched once per run on the shared session (ntlm-info,
 * clock and the Kerberos names share it).  NULL with *err (allocated) if
 * there is none. */
const ntlm_challenge *probe_ntlm(probe_ctx *ctx, char **err);
/* The NTLM challenge if the run already holds one (no network). */
const ntlm_challenge *probe_ntlm_seen(const probe_ctx *ctx);

/* Local wall clock in Unix seconds with a fraction. */
double probe_wall_now(void);
/* The SMTP server's clock minus this machine's, in seconds, from what the
 * run already holds, each reading taken half a round trip before it
 * reached us.  probe_banner_skew: the greeting's date (whole seconds).
 * probe_server_skew: the best there is, the NTLM type-2 timestamp
 * (sub-second) else the greeting's date; *source "ntlm" or "banner".
 * false if the run has no such clock reading. */
bool probe_banner_skew(const probe_ctx *ctx, double *skew);
bool probe_server_skew(const probe_ctx *ctx, double *skew, const char **source);

/* ---- shared by several probes ---- */

/* The run's password was given (creds usable). */
bool probe_have_creds(const probe_ctx *ctx);
/* Whether mechanism mech can be tried from here (probe_auth.c): only --mech
 * if given; GSSAPI only from a ticket cache (ccache: probe_krb_have_ccache),
 * any other only with a password. */
bool probe_auth_usable(const probe_ctx *ctx, const char *mech, bool ccache);
/* Whose identity the credentials are (probe_peer.c): "server" (an Exchange
 * server's: --as server, or an account name ending in $), "user" or "none"
 * (no account); *why says on what ground (static). */
const char *probe_identity(const probe_ctx *ctx, const char **why);
/* The domain of --user (DOMAIN\name or name@domain), allocated, or NULL. */
char *probe_account_domain(const probe_ctx *ctx);
/* Capabilities as facts keywords<suffix>, auth_mechs<suffix>,
 * exps_mechs<suffix> (probe_ehlo.c; starttls uses "_after"). */
void probe_caps_facts(probe_result *r, const smtp_caps *c, const char *suffix);

#endif
