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
#include "proto/sasl.h"
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
    struct probe_budget *budget;       /* owned by policy.c: the run's limits */
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
/* The same, its lines going to tr instead of the run's transcript: a
 * session on another thread keeps its own (tr_merge adds it after). */
smtp_session *probe_session_new_tr(probe_ctx *ctx, transcript *tr, char **err);
/* Drop the shared session (after a probe left it in an unknown state). */
void probe_session_drop(probe_ctx *ctx);
/* Forget that connecting failed, so the next probe tries again (a re-run
 * after a cancel or after the admin fixed something).  What was learnt
 * (banner, capabilities, NTLM) is kept. */
void probe_ctx_reset_session(probe_ctx *ctx);

/* What the shared session learnt; NULL / false until it got that far. */
const banner_info *probe_banner_info(const probe_ctx *ctx);
const smtp_reply *probe_greeting(const probe_ctx *ctx);
const ehlo_caps *probe_caps_plain(const probe_ctx *ctx);   /* EHLO before TLS */
const ehlo_caps *probe_caps_tls(const probe_ctx *ctx);     /* EHLO after TLS */
/* Why STARTTLS failed under --starttls auto (the session went on plain), or NULL. */
const char *probe_tls_error(const probe_ctx *ctx);
/* Why STARTTLS, offered, did not complete in this run (any policy; kept
 * across probe_ctx_reset_session), or NULL: then no credentials go out on
 * a session without TLS (policy.c). */
const char *probe_tls_failure(const probe_ctx *ctx);
/* The shared session's later waits end by deadline_ms (util_now_ms clock). */
void probe_session_set_deadline(probe_ctx *ctx, double deadline_ms);
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

/* ---- the names the server announced (server_names.c) ---- */

/* Where a name comes from, and so which rule it must pass (base/names.h). */
typedef enum {
    PROBE_NAME_HELLO,          /* EHLO's "250-<name> Hello": a host name */
    PROBE_NAME_BANNER,         /* the greeting's first word: a host name */
    PROBE_NAME_NTLM_DNS_COMPUTER,   /* NTLM type-2 AV pairs: a host name */
    PROBE_NAME_NTLM_DNS_DOMAIN,     /* a DNS domain */
    PROBE_NAME_NTLM_DNS_TREE,       /* a DNS domain */
    PROBE_NAME_NTLM_NB_COMPUTER,    /* a NetBIOS name */
    PROBE_NAME_NTLM_NB_DOMAIN,      /* a NetBIOS name */
    PROBE_NAME_COUNT
} probe_name_src;

/* The name the run holds from src, if valid for its kind (allocated,
 * without a trailing dot), else NULL.  An address (a banner's "[10.0.0.1]")
 * is no name and no finding.  With why, an invalid name sets *why
 * (allocated): "the server announces an invalid DNS domain: \"...\"
 * (reason), in its NTLM challenge", escaped.  Reads only what the session
 * already learnt. */
char *probe_server_name(const probe_ctx *ctx, probe_name_src src, char **why);
/* Each invalid name from srcs (n of them) as one sentence, into *out
 * (allocated array of allocated strings); returns how many. */
size_t probe_invalid_names(const probe_ctx *ctx, const probe_name_src *srcs, size_t n,
                           char ***out);
void probe_invalid_names_free(char **v, size_t n);

/* ---- the run's limits and the credentials' policy (policy.c) ---- */

/* SMTP connections per run, every probe together (each AUTH mechanism after
 * the first needs one of its own). */
#define PROBE_MAX_CONNECTIONS 8

void probe_budget_init(probe_ctx *ctx);    /* probe_ctx_init */
void probe_budget_free(probe_ctx *ctx);    /* probe_ctx_free */
void probe_budget_reset(probe_ctx *ctx);   /* probe_ctx_reset_session: time and connections */
/* Around each probe (run.c).  start counts the probe's time from now, sets
 * the deadline of its waits and caps ctx->o.timeout_ms by the time left;
 * false when nothing is left (the probe must not run). */
bool probe_budget_start(probe_ctx *ctx);
void probe_budget_stop(probe_ctx *ctx);
double probe_budget_left_ms(const probe_ctx *ctx);
char *probe_budget_expired_text(const probe_ctx *ctx);   /* allocated sentence */
/* The options of a new connection: the timeout capped by the time left,
 * the cancel descriptor, the run's deadline. */
net_opts probe_net_opts(const probe_ctx *ctx);
/* One of the run's connections, taken just before connecting: false with
 * *why (allocated) when the deadline passed or all PROBE_MAX_CONNECTIONS
 * are used. */
bool probe_conn_take(probe_ctx *ctx, char **why);
int probe_conns_used(const probe_ctx *ctx);
int probe_conns_refused(const probe_ctx *ctx);   /* asked for past the cap or deadline */

typedef enum {
    PROBE_FAM_PASSWORD = 0,    /* PLAIN, LOGIN */
    PROBE_FAM_NTLM,
    PROBE_FAM_KERBEROS,        /* GSSAPI, GSS-SPNEGO, GS2-* */
    PROBE_FAM_OTHER,           /* CRAM-MD5, DIGEST-MD5, SCRAM-*, ... */
    PROBE_NFAMILIES
} probe_family;
probe_family probe_mech_family(const char *mech);
const char *probe_family_name(probe_family f);
/* Whether one more logon with mech may be made: false with *why
 * (allocated) once a logon of its family failed in this run. */
bool probe_logon_allowed(const probe_ctx *ctx, const char *mech, char **why);
/* A logon was made (credentials went out): ok, or refused with reply. */
void probe_logon_record(probe_ctx *ctx, const char *verb, const char *mech, bool ok,
                        const char *reply);
/* Whether credentials for mech may go out on a session with (tls) or
 * without TLS: false with *why (allocated, says how to allow it if it can
 * be) when STARTTLS failed in this run, or for PLAIN and LOGIN without
 * --allow-plaintext-auth. */
bool probe_creds_allowed(const probe_ctx *ctx, bool tls, const char *mech, char **why);
/* The run's credentials with that policy for sasl_authenticate. */
sasl_creds probe_sasl_creds(const probe_ctx *ctx);

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
void probe_caps_facts(probe_result *r, const ehlo_caps *c, const char *suffix);

#endif
