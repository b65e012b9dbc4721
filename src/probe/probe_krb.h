/* probe_krb: what the Kerberos probes (kdc-time, kerberos-ports, spn) share:
 * the server's DNS domain and FQDN as the SMTP side reveals them, the realm,
 * and the domain controllers to ask.  Returned strings are allocated and
 * owned by the caller. */
#ifndef SMTPWIZ_PROBE_KRB_H
#define SMTPWIZ_PROBE_KRB_H

#include "proto/krb_kdc.h"
#include "probe/probe.h"

/* The server's FQDN from its "250-<fqdn> Hello" line, else its banner name.
 * Opens the shared session as far as EHLO.  NULL if neither names it. */
char *probe_krb_fqdn(probe_ctx *ctx);
/* The AD domain: NTLM's DNS domain (if the run already has it), else the
 * server's FQDN minus its first label.  NULL if unknown. */
char *probe_krb_domain(probe_ctx *ctx);
/* --realm, else the domain in upper case, else NULL. */
char *probe_krb_realm(probe_ctx *ctx);
/* True if the default ticket cache holds a principal (kinit was done): then
 * GSSAPI needs no password.  *principal (allocated) names it, if wanted. */
bool probe_krb_have_ccache(char **principal);
/* --dc, else DNS SRV for the domain.  0, or -1 with *why (allocated). */
int probe_krb_targets(probe_ctx *ctx, kdc_list *out, char **why);

#endif
