/* sasl: Cyrus SASL on an SMTP session, for both AUTH (RFC 4954) and
 * Exchange's X-EXPS, which uses the same exchange under its own verb.
 * Every client payload goes to the transcript redacted; server challenges
 * are shown (an NTLM type-2 is noted decoded). */
#ifndef SMTPWIZ_SASL_H
#define SMTPWIZ_SASL_H

#include "proto/reply.h"
#include "proto/smtp.h"

typedef struct sasl_creds {
    const char *user;      /* authentication id */
    const char *password;  /* NUL-terminated; never logged */
    const char *realm;     /* NTLM domain / Kerberos realm, or NULL */
} sasl_creds;

typedef enum {
    SASL_DONE = 0,         /* exchange finished; look at final->code */
    SASL_ENOMECH,          /* no Cyrus plugin for that mechanism here */
    SASL_ECLIENT,          /* the local SASL library failed (message in err) */
    SASL_ESMTP,            /* network or protocol failure mid-exchange */
} sasl_result;

/* Once per process; lazily called by sasl_authenticate.  Nothing calls
 * sasl_client_done() before exit: in libsasl2 2.1.28 it unloads the plugins
 * while a plugin allocation is still referenced, which LeakSanitizer then
 * reports from an unknown module.  Left initialised, the library's state
 * stays reachable until the process ends. */
int sasl_global_init(char **err);
/* Run verb ("AUTH" or "X-EXPS") with mech.  final gets the last reply
 * (235 success, 535, 454, 504 ...). */
sasl_result sasl_authenticate(smtp_session *s, const char *verb, const char *mech,
                              const char *server_fqdn, const sasl_creds *cr,
                              smtp_reply *final, char **err);

#endif
