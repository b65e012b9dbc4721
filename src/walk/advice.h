/* advice: the placeholders of the knowledge base's commands (`<server>`,
 * `<fqdn>`, `<domain>`, `<dc>`) filled in with what the walk measured, so
 * that a junior admin can copy `setspn -L MAIL1` as it stands.  Only a name
 * that passes base/names.h's validation is filled in: a server that
 * announces an invalid name leaves the placeholder, and a note says why -
 * a name holding `;`, `&` or `$( )` never reaches a command to paste.
 * Strings returned are allocated; the caller frees them. */
#ifndef SMTPWIZ_WALK_ADVICE_H
#define SMTPWIZ_WALK_ADVICE_H

#include "walk/wizard.h"

typedef struct advice_names {
    char *server;     /* NetBIOS computer name (NTLM), else the FQDN's first label */
    char *fqdn;       /* the EHLO Hello name, else NTLM's DNS computer name, else the banner's */
    char *domain;     /* NTLM's DNS domain, else --domain, else the FQDN minus its first label */
    char *dc;         /* the first domain controller of --dc */
    char *notes;      /* "the server announces an invalid ...; left as <fqdn>", or NULL */
} advice_names;

/* What the walk measured so far, validated. */
void advice_names_get(const wiz *w, advice_names *n);
void advice_names_free(advice_names *n);
/* text with each placeholder that has a validated value replaced. */
char *advice_fill(const advice_names *n, const char *text);

#endif
