/* opts: what the caller asks of a probe run - the target, the STARTTLS
 * policy, the credentials, the timeouts.  Free of net and TLS headers: the
 * CLI, the walk and ui/ fill one in.  Every string is borrowed and must
 * outlive the run. */
#ifndef SMTPWIZ_PROBE_OPTS_H
#define SMTPWIZ_PROBE_OPTS_H

#include <stdbool.h>

typedef enum { TLS_AUTO = 0, TLS_ALWAYS, TLS_NEVER } tls_policy;

#define PROBE_TIMEOUT_MS_DEFAULT 10000
/* The whole run: the time its probes may take together (README, "Limits"). */
#define PROBE_DEADLINE_MS_DEFAULT 120000

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
    int timeout_ms;            /* each network wait; default PROBE_TIMEOUT_MS_DEFAULT */
    int deadline_ms;           /* the time the run's probes may take in all (checked before
                                  each probe and each connection, and no wait goes past
                                  it); 0: PROBE_DEADLINE_MS_DEFAULT */
    bool allow_plaintext_auth; /* PLAIN and LOGIN (which carry the password itself) may go
                                  out on a session without TLS; never after STARTTLS was
                                  offered and failed in the run */
    const char *cafile;
    int cancel_fd;             /* -1: none */
    const char *dc;            /* KDC: HOST[:PORT[,KPASSWD_PORT]]; NULL: DNS SRV;
                                  "none": no DC, no DNS lookup (labs, tests) */
    const char *realm;         /* Kerberos realm; NULL: from the NTLM/DNS domain */
    const char *domain;        /* the admin's organisation (AD DNS or NetBIOS domain), or
                                  NULL: the account's domain, else a question */
    const char *lab;           /* the practice lab scenario the target is, or NULL (a real
                                  server): reports say so */
    const char *as;            /* whose identity the credentials are: "server" (an Exchange
                                  server's, e.g. its computer account NAME$) or "user";
                                  NULL: "server" for a NAME$ account, else "user" */
} probe_opts;

#endif
