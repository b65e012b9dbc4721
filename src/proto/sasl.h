/* sasl: Cyrus SASL on an SMTP session, for both AUTH (RFC 4954) and
 * Exchange's X-EXPS, which uses the same exchange under its own verb.
 * Every client payload goes to the transcript redacted; server challenges
 * are shown (an NTLM type-2 is noted decoded).
 *
 * Where credentials may go is decided here, at the last step before they
 * leave, by the library itself: on a session without TLS, Cyrus is told
 * SASL_SEC_NOPLAINTEXT unless the caller allows it, so PLAIN and LOGIN
 * (which carry the password itself) cannot start; with tls_required no
 * mechanism starts without TLS. */
#ifndef SMTPWIZ_SASL_H
#define SMTPWIZ_SASL_H

#include <stdbool.h>

#include "proto/reply.h"
#include "proto/smtp.h"

typedef struct sasl_creds {
    const char *user;      /* authentication id */
    const char *password;  /* NUL-terminated; never logged */
    const char *realm;     /* NTLM domain / Kerberos realm, or NULL */
    bool plaintext_ok;     /* PLAIN and LOGIN may run on a session without TLS */
    bool tls_required;     /* no mechanism runs on a session without TLS */
} sasl_creds;

typedef enum {
    SASL_DONE = 0,         /* exchange finished; look at final->code */
    SASL_ENOMECH,          /* no Cyrus plugin for that mechanism here */
    SASL_ECLIENT,          /* the local SASL library failed before anything was sent
                              (message in err) */
    SASL_EABORTED,         /* the library could not answer a challenge mid-exchange: the
                              exchange was cancelled ("*"), after credentials may have
                              gone out */
    SASL_ESMTP,            /* network or protocol failure mid-exchange */
    SASL_EPOLICY,          /* not started: the session is not encrypted and the
                              credentials' policy (plaintext_ok, tls_required) says no;
                              nothing was sent */
} sasl_result;

/* Once per process; lazily called by sasl_authenticate.  Nothing calls
 * sasl_client_done() before exit: in libsasl2 2.1.28 it unloads the plugins
 * while a plugin allocation is still referenced, which LeakSanitizer then
 * reports from an unknown module.  Left initialised, the library's state
 * stays reachable until the process ends. */
int sasl_global_init(char **err);
/* The mechanisms smtpwiz tests (GSSAPI NTLM LOGIN PLAIN: what Exchange
 * servers use); only their plugins are loaded. */
bool sasl_mech_tested(const char *mech);
/* Before the library starts: load only mech's plugin (a run with --mech;
 * every plugin when mech is none of those smtpwiz tests). */
void sasl_only(const char *mech);
/* Whether the local Cyrus SASL library has a client plugin for mech (asked
 * once per process, sasl_global_listmech).  False if the library did not
 * start. */
bool sasl_mech_available(const char *mech);
/* PLAIN and LOGIN: the mechanisms that send the password itself. */
bool sasl_mech_is_plaintext(const char *mech);
/* Run verb ("AUTH" or "X-EXPS") with mech.  final gets the last reply
 * (235 success, 535, 454, 504 ...). */
sasl_result sasl_authenticate(smtp_session *s, const char *verb, const char *mech,
                              const char *server_fqdn, const sasl_creds *cr,
                              smtp_reply *final, char **err);

#endif
