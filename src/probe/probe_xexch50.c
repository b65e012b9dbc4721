/* probe xexch50: would the server take Exchange's XEXCH50 blob from us?
 * MAIL FROM:<>, RCPT TO:<postmaster@...>, then "XEXCH50 <n> 2"; after a 354
 * exactly n raw bytes.  Never DATA or BDAT: RSET, so nothing is delivered.
 * Tried unauthenticated and, with credentials, after AUTH (KB843106). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "probe/probe_krb.h"
#include "proto/sasl.h"
#include "base/util.h"

#define BLOB_BYTES 64   /* > 4, as Exchange requires; content is irrelevant */

/* postmaster of the server's own domain (mail1.fabrikam.com -> fabrikam.com),
 * as the Kerberos probes find it: NTLM's DNS domain, the EHLO or banner
 * name, never an address's last octets.  A one-label domain is no mail
 * domain: then the server's own name.  Call while the shared session is up. */
static char *default_rcpt(probe_ctx *ctx)
{
    char *dom = probe_krb_domain(ctx);
    if (dom && !strchr(dom, '.')) {
        free(dom);
        dom = probe_krb_fqdn(ctx);
    }
    char *rcpt = dom ? xasprintf("postmaster@%s", dom) : xstrdup("postmaster");
    free(dom);
    return rcpt;
}

/* The envelope and the verb on session s; returns the XEXCH50 reply line
 * (allocated) or NULL with *why set. */
static char *xexch50_on(smtp_session *s, const char *rcpt, probe_result *r, const char *tag,
                        char **why)
{
    smtp_reply rep;
    char *err = NULL, *out = NULL;
    smtp_reply_init(&rep);
    char *rcpt_cmd = xasprintf("RCPT TO:<%s>", rcpt);
    const char *steps[] = {"MAIL FROM:<>", rcpt_cmd};
    for (int i = 0; i < 2; i++) {
        if (smtp_cmd(s, steps[i], &rep, &err) != SMTP_OK)
            goto neterr;
        if (rep.code != 250) {
            char *l = smtp_reply_line(&rep);
            char key[32];
            snprintf(key, sizeof key, "%s_%s", i ? "rcpt" : "mail", tag);
            fact_str(r, key, l);
            free(l);
            break;   /* still send XEXCH50: the server's 503 says it all */
        }
    }
    char *cmd = xasprintf("XEXCH50 %d 2", BLOB_BYTES);
    smtp_err e = smtp_cmd(s, cmd, &rep, &err);
    free(cmd);
    if (e != SMTP_OK)
        goto neterr;
    out = smtp_reply_line(&rep);
    if (rep.code == 354) {
        unsigned char blob[BLOB_BYTES] = {0};
        tr_note(s->tr, s->tls, "sending the %d-byte XEXCH50 blob", BLOB_BYTES);
        net_err ne = net_write(s->c, blob, sizeof blob, &err);
        if (ne != NET_OK || smtp_read_reply(s, &rep, &err) != SMTP_OK)
            goto neterr;
        char *after = smtp_reply_line(&rep);
        char key[32];
        snprintf(key, sizeof key, "blob_reply_%s", tag);
        fact_str(r, key, after);
        free(after);
    }
    smtp_cmd(s, "RSET", &rep, &err);
    goto done;
neterr:
    *why = smtp_describe(s, SMTP_ENET, err);
    free(out);
    out = NULL;
done:
    free(err);
    free(rcpt_cmd);
    smtp_reply_free(&rep);
    return out;
}

/* The mechanism to authenticate with: the one the auth probe succeeded
 * with, else the first the server offers that may be tried here (only
 * --mech, if given).  NULL with *why (allocated) if there is none. */
static const char *pick_mech(probe_ctx *ctx, const smtp_session *s, char **why)
{
    if (ctx->auth_ok_mech)
        return ctx->auth_ok_mech;
    bool ccache = probe_krb_have_ccache(NULL);
    for (size_t i = 0; i < s->caps.nauth; i++)
        if (probe_auth_usable(ctx, s->caps.auth_mechs[i], ccache))
            return s->caps.auth_mechs[i];
    if (!s->caps.nauth)
        *why = xstrdup("the server offers no AUTH mechanism");
    else if (ctx->o.mech && !smtp_caps_has_mech(s->caps.auth_mechs, s->caps.nauth, ctx->o.mech))
        *why = xasprintf("the server does not offer --mech %s under AUTH", ctx->o.mech);
    else if (ctx->o.mech)
        *why = xasprintf("--mech %s needs a Kerberos ticket: run kinit here first", ctx->o.mech);
    else
        *why = xstrdup("no AUTH mechanism the server offers can be tried from here");
    return NULL;
}

/* A new session, authenticated as the auth probe found works.  Never with
 * credentials the auth probe saw refused: each attempt is one more failed
 * logon towards an Active Directory lockout. */
static char *xexch50_authenticated(probe_ctx *ctx, const char *rcpt, const char *fqdn,
                                   probe_result *r, char **why)
{
    if (!ctx->auth_ok_mech && ctx->auth_refusal) {
        *why = xasprintf("AUTH was refused (%s), so it was not tried again",
                         ctx->auth_refusal);
        return NULL;
    }
    smtp_session *s = probe_session_new(ctx, why);
    if (!s)
        return NULL;
    const char *mech = pick_mech(ctx, s, why);
    char *out = NULL;
    if (mech) {
        sasl_creds cr = {.user = ctx->o.user, .password = ctx->o.password};
        smtp_reply fin;
        smtp_reply_init(&fin);
        sasl_result res = sasl_authenticate(s, "AUTH", mech, fqdn, &cr, &fin, why);
        if (res == SASL_DONE && fin.code == 235) {
            out = xexch50_on(s, rcpt, r, "auth", why);
        } else if (!*why) {
            char *l = smtp_reply_line(&fin);
            *why = xasprintf("AUTH %s failed: %s", mech, l);
            free(l);
        }
        smtp_reply_free(&fin);
    }
    smtp_quit(s);
    return out;
}

/* au: the reply after AUTH, or NULL; then auth_err says why it was not
 * tried (NULL: no credentials were given). */
static probe_status judge(probe_result *r, bool offered, bool mangled, const char *un,
                          const char *au, const char *auth_err)
{
    const char *last = au ? au : un;
    int code = atoi(last);
    if (code == 354 || code / 100 == 2) {
        probe_summary(r, "XEXCH50 is accepted%s", au ? " after AUTH" : " without authentication");
        return ST_PASS;
    }
    if (code == 504 && au) {
        probe_summary(r, "Authenticated, yet XEXCH50 is refused (%s): the session is not accepted "
                         "as an Exchange server of this organisation (SendAs right, KB843106)", au);
        return ST_FAIL;
    }
    if (code == 504 && auth_err) {
        probe_summary(r, "XEXCH50 needs authentication first (%s); it was not tested after "
                         "AUTH: %s", un, auth_err);
        return ST_WARN;
    }
    if (code == 504) {
        probe_summary(r, "XEXCH50 needs authentication first (%s); give credentials to test "
                         "it after AUTH", un);
        return ST_WARN;
    }
    if (code == 505) {
        probe_summary(r, "\"%s\": an Exchange 5.5 IMS of another e-mail domain, which does not "
                         "speak XEXCH50", last);
        return ST_FAIL;
    }
    /* Offered, or the path masked, yet refused as an unknown verb: something
     * between rewrote it.  A fact, so the KB does not match summary words. */
    fact_bool(r, "verb_rewritten", (code == 500 || code == 502) && (mangled || offered));
    if ((code == 500 || code == 502) && mangled) {
        probe_summary(r, "XEXCH50 came back unrecognised (%s) and the greeting or EHLO is "
                         "masked: a firewall's SMTP inspection rewrote the verb", last);
        return ST_FAIL;
    }
    if ((code == 500 || code == 502) && offered) {
        probe_summary(r, "XEXCH50 is offered in EHLO but the verb came back unrecognised (%s): "
                         "something in the path rewrote it", last);
        return ST_FAIL;
    }
    if (!offered) {
        probe_summary(r, "The server does not offer XEXCH50 (%s)", last);
        return ST_SKIP;
    }
    probe_summary(r, "XEXCH50 refused: %s", last);
    return ST_FAIL;
}

probe_status probe_xexch50(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    smtp_session *s = probe_session(ctx, &why);
    if (!s) {
        probe_summary(r, "Not tested: %s", why);
        return ST_ERROR;
    }
    bool offered = (s->caps.flags & CAP_XEXCH50) != 0;
    fact_bool(r, "offered", offered);
    /* Names from the shared session while it is up: the authenticated
     * attempt runs on a session of its own. */
    char *rcpt = ctx->o.rcpt ? xstrdup(ctx->o.rcpt) : default_rcpt(ctx);
    char *fqdn = probe_krb_fqdn(ctx);
    if (!fqdn)
        fqdn = xstrdup(ctx->o.host);
    char *err = NULL;
    char *un = xexch50_on(s, rcpt, r, "unauth", &err);
    if (!un) {
        probe_session_drop(ctx);
        probe_summary(r, "XEXCH50 could not be tried: %s", err);
        free(err);
        free(rcpt);
        free(fqdn);
        return ST_ERROR;
    }
    fact_str(r, "reply_unauth", un);
    /* Close this one before the authenticated session opens, so the
     * transcript reads as one conversation after another. */
    probe_session_drop(ctx);
    char *au = NULL;
    if (ctx->auth_ok_mech || probe_have_creds(ctx)) {
        au = xexch50_authenticated(ctx, rcpt, fqdn, r, &err);
        if (au)
            fact_str(r, "reply_auth", au);
        else
            fact_str(r, "auth_error", err ? err : "unknown");
    }
    /* A masked banner or EHLO means a middlebox hid the keyword itself. */
    bool mangled = ctx->banner.masked || ctx->caps_plain.masked_lines > 0;
    fact_bool(r, "path_masked", mangled);
    probe_status st = judge(r, offered, mangled, un, au, au ? NULL : err);
    free(err);
    free(un);
    free(au);
    free(rcpt);
    free(fqdn);
    return st;
}
