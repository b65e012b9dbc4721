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
/* Why nothing asks a domain controller when --dc is "none": in a practice
 * lab (probe_opts.lab) the lab has none, else the user said so. */
const char *probe_krb_no_dc(const probe_ctx *ctx);
/* --dc, else DNS SRV for the domain (what kdc-time looked up is taken
 * once by the next caller instead of asking DNS again).  0, or -1 with
 * *why (allocated). */
int probe_krb_targets(probe_ctx *ctx, kdc_list *out, char **why);
/* The network options of the Kerberos probes: the run's timeout and
 * cancel descriptor. */
net_opts probe_krb_net_opts(const probe_ctx *ctx);

/* What kdc-time measured of a domain controller, for kerberos-ports: the
 * same checks (an AS-REQ over TCP and UDP, a connection to kpasswd) in the
 * same run, so a silent domain controller costs one timeout, not two.
 * remember copies the checks of r that ended (not KDC_PENDING); recall
 * moves them into r once (the record is dropped: a re-run measures again),
 * if at most PROBE_KRB_RECALL_MS old, and returns their age in ms, else -1
 * with r all KDC_PENDING.  probe_krb_forget frees the records (at
 * probe_ctx_free). */
#define PROBE_KRB_RECALL_MS 120000
void probe_krb_remember(probe_ctx *ctx, const kdc_target *t, const kdc_reply r[KDC_NCHECKS]);
double probe_krb_recall(probe_ctx *ctx, const kdc_target *t, kdc_reply r[KDC_NCHECKS]);
void probe_krb_forget(probe_ctx *ctx);

#endif
