/* probe: the common shape of every probe, and the run context they share.
 * A probe is one function filling one probe_result: a status, a one-line
 * summary a junior admin understands, typed facts, the elapsed time and the
 * slice of the run's transcript it produced.  A probe never prints. */
#ifndef SMTPWIZ_PROBE_H
#define SMTPWIZ_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/banner.h"
#include "proto/ntlm.h"
#include "proto/smtp.h"
#include "proto/transcript.h"

typedef enum { ST_PASS = 0, ST_WARN, ST_FAIL, ST_SKIP, ST_ERROR } probe_status;

typedef enum { FACT_STR, FACT_NUM, FACT_BOOL, FACT_LIST } fact_type;

typedef struct fact {
    char *key;
    fact_type type;
    char *str;         /* FACT_STR */
    double num;        /* FACT_NUM */
    bool b;            /* FACT_BOOL */
    char **list;       /* FACT_LIST */
    size_t nlist;
} fact;

typedef struct probe_result {
    const char *name;  /* static */
    probe_status status;
    char *summary;
    double elapsed_ms;
    fact *facts;
    size_t nfacts;
    size_t tr_first, tr_count;   /* slice of the run's transcript */
    bool could_not_run;          /* not the server's fault: e.g. the name does not resolve */
} probe_result;

typedef enum { TLS_AUTO = 0, TLS_ALWAYS, TLS_NEVER } tls_policy;

typedef struct probe_opts {
    const char *host;
    const char *port;          /* default "25" */
    tls_policy starttls;
    const char *user;
    const char *password;      /* NULL: no credentials (auth skips) */
    const char *mech;          /* only this mechanism, or NULL for all offered */
    const char *rcpt;          /* RCPT for xexch50; default postmaster@<domain> */
    const char *helo;          /* EHLO name; default the local host name
                                  (probe_ctx_init looks it up) */
    int timeout_ms;
    const char *cafile;
    int cancel_fd;             /* -1: none */
    const char *dc;            /* KDC: HOST[:PORT[,KPASSWD_PORT]]; NULL: DNS SRV;
                                  "none": no DC, no DNS lookup (labs, tests) */
    const char *realm;         /* Kerberos realm; NULL: from the NTLM/DNS domain */
} probe_opts;

/* What the probes learn and hand on to each other. */
typedef struct probe_ctx {
    probe_opts o;
    char *helo_default;        /* o.helo when none was given (owned) */
    transcript tr;
    smtp_session *sess;        /* shared session: greeted, EHLO done, TLS per policy */
    bool sess_failed;          /* connecting or greeting failed: later probes error out */
    net_err connect_err;       /* how the TCP connect failed (NET_OK if it did not) */
    char *sess_error;          /* why, for their summaries */
    smtp_reply greeting;
    banner_info banner;
    bool have_banner;
    double connect_ms;         /* TCP handshake time, for the clock correction */
    int stage;                 /* how far the shared session got (probe.c) */
    bool tls_broken;           /* STARTTLS failed under "auto": later sessions stay plain */
    char *tls_error;           /* why it failed (for the starttls summary) */
    double greet_wall;         /* local wall clock (Unix s) when the greeting arrived */
    smtp_caps caps_plain;      /* EHLO before TLS */
    bool have_caps_plain;
    smtp_caps caps_tls;        /* EHLO after TLS */
    bool have_caps_tls;
    ntlm_challenge ntlm;
    bool have_ntlm;
    bool ntlm_tried;
    double ntlm_rtt_ms;        /* type-1 sent to type-2 received */
    double ntlm_wall;          /* local wall clock (Unix s) when the type-2 arrived */
    char *ntlm_error;
    bool auth_ok;              /* some mechanism authenticated */
    char *auth_ok_mech;
    char *auth_refusal;        /* no mechanism authenticated and this was the last
                                  refusal: the credentials are not to be tried
                                  again (each failure counts towards an AD lockout) */
    struct probe_krb_memo *krb_memo;   /* probe_krb.c: kdc-time's checks for kerberos-ports */
} probe_ctx;

typedef probe_status (*probe_fn)(probe_ctx *ctx, probe_result *r);

typedef struct probe_def {
    const char *name;
    const char *title;         /* "Greeting banner" */
    probe_fn fn;
} probe_def;

extern const probe_def probe_table[];   /* in run order, NULL-terminated */
const probe_def *probe_find(const char *name);
const char *probe_status_name(probe_status s);   /* "pass" ... */

void probe_ctx_init(probe_ctx *ctx, const probe_opts *o);
void probe_ctx_free(probe_ctx *ctx);   /* QUITs and closes any session */
/* Run one probe: times it, slices the transcript. */
void probe_run(probe_ctx *ctx, const probe_def *p, probe_result *r);
void probe_result_free(probe_result *r);

/* For probe implementations. */
void probe_summary(probe_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fact_str(probe_result *r, const char *key, const char *val);
void fact_num(probe_result *r, const char *key, double val);
void fact_bool(probe_result *r, const char *key, bool val);
void fact_list(probe_result *r, const char *key, char *const *items, size_t n);
const fact *fact_get(const probe_result *r, const char *key);
/* A fact's value as text for people (allocated): lists of words joined by a
 * space, lists of sentences by "; ", an empty list "(none)". */
char *fact_text(const fact *f);
/* The shared session, opened (connect, greeting, EHLO, STARTTLS per policy)
 * on first use.  NULL if that failed; *why then says why (borrowed). */
smtp_session *probe_session(probe_ctx *ctx, const char **why);
/* The shared session taken only as far as a stage (for the probes that
 * measure the stages themselves).  Stages: 1 connected, 2 greeted, 3 EHLO
 * done, 4 ready (TLS per policy). */
enum { PROBE_STAGE_NONE = 0, PROBE_STAGE_CONNECTED, PROBE_STAGE_GREETED, PROBE_STAGE_EHLO,
       PROBE_STAGE_READY };
smtp_session *probe_session_stage(probe_ctx *ctx, int stage, const char **why);
/* A fresh session in the same state, for probes that may spoil one
 * (failed AUTH, X-EXPS 454 then disconnect).  Caller smtp_quit()s it. */
smtp_session *probe_session_new(probe_ctx *ctx, char **why);
/* Drop the shared session (after a probe left it in an unknown state). */
void probe_session_drop(probe_ctx *ctx);
/* Forget that connecting failed, so the next probe tries again (a re-run
 * after a cancel or after the admin fixed something).  Facts already
 * learnt (banner, capabilities, NTLM) are kept. */
void probe_ctx_reset_session(probe_ctx *ctx);
/* Local wall clock in Unix seconds with a fraction. */
double probe_wall_now(void);
/* Fetch the NTLM type-2 once per run (ntlm-info and clock share it). */
bool probe_ntlm_fetch(probe_ctx *ctx, const char **why);
/* The SMTP server's clock minus this machine's, in seconds, from what the
 * run already holds, each reading taken half a round trip before it
 * reached us.  probe_banner_skew: the greeting's date (whole seconds).
 * probe_server_skew: the best there is, the NTLM type-2 timestamp
 * (sub-second) else the greeting's date; *source "ntlm" or "banner".
 * false if the run has no such clock reading. */
bool probe_banner_skew(const probe_ctx *ctx, double *skew);
bool probe_server_skew(const probe_ctx *ctx, double *skew, const char **source);
/* The run's password was given (creds usable). */
bool probe_have_creds(const probe_ctx *ctx);
/* Whether mechanism mech can be tried from here (probe_auth.c): only --mech
 * if given; GSSAPI only from a ticket cache (ccache: probe_krb_have_ccache),
 * any other only with a password. */
bool probe_auth_usable(const probe_ctx *ctx, const char *mech, bool ccache);

/* Capabilities as facts keywords<suffix>, auth_mechs<suffix>,
 * exps_mechs<suffix> (probe_ehlo.c; starttls uses "_after"). */
void probe_caps_facts(probe_result *r, const smtp_caps *c, const char *suffix);

/* The probes (src/probe_*.c). */
probe_status probe_connect(probe_ctx *ctx, probe_result *r);
probe_status probe_banner(probe_ctx *ctx, probe_result *r);
probe_status probe_ehlo(probe_ctx *ctx, probe_result *r);
probe_status probe_starttls(probe_ctx *ctx, probe_result *r);
probe_status probe_auth(probe_ctx *ctx, probe_result *r);
probe_status probe_exps(probe_ctx *ctx, probe_result *r);
probe_status probe_ntlm_info(probe_ctx *ctx, probe_result *r);
probe_status probe_xexch50(probe_ctx *ctx, probe_result *r);
probe_status probe_clock(probe_ctx *ctx, probe_result *r);
probe_status probe_kdc_time(probe_ctx *ctx, probe_result *r);
probe_status probe_kerberos_ports(probe_ctx *ctx, probe_result *r);
probe_status probe_spn(probe_ctx *ctx, probe_result *r);

#endif
