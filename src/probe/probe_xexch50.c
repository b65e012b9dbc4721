/* probe xexch50: would the server take Exchange's XEXCH50 blob from us?
 * MAIL FROM:<>, RCPT TO:<postmaster@...>, then "XEXCH50 <n> 2"; after a 354
 * exactly n raw bytes.  Never DATA or BDAT: RSET, so nothing is delivered.
 * Tried unauthenticated and, with credentials, after AUTH (KB843106). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "probe/probe.h"
#include "probe/probe_krb.h"
#include "proto/sasl.h"

#define BLOB_BYTES 64   /* > 4, as Exchange requires; content is irrelevant */

/* The names a recipient's domain may come from. */
static const probe_name_src rcpt_sources[] = {
    PROBE_NAME_NTLM_DNS_DOMAIN, PROBE_NAME_HELLO, PROBE_NAME_BANNER,
};
#define NRCPT_SOURCES (sizeof rcpt_sources / sizeof *rcpt_sources)

/* postmaster of the server's own domain (mail1.fabrikam.com -> fabrikam.com),
 * as the Kerberos probes find it: NTLM's DNS domain, the EHLO or banner
 * name, each only if valid (base/names.h), never an address's last octets.
 * A one-label domain is no mail domain: then the server's own name.  With
 * no name at all, the bare "postmaster" every server must take (RFC 5321
 * 4.5.1); but when the server announced names and none is valid, NULL: a
 * recipient it did not name would not be the test the admin asked for.
 * Call while the shared session is up. */
static char *default_rcpt(probe_ctx *ctx, size_t nbad)
{
    char *dom = probe_krb_domain(ctx);
    if (dom && !strchr(dom, '.')) {
        free(dom);
        dom = probe_krb_fqdn(ctx);
    }
    char *rcpt = dom ? xasprintf("postmaster@%s", dom) : nbad ? NULL : xstrdup("postmaster");
    free(dom);
    return rcpt;
}

/* The findings on the names the recipient could not be built from: a fact,
 * and the summary's last sentence. */
static void name_findings(probe_result *r, char **bad, size_t nbad, const char *rcpt)
{
    if (!nbad)
        return;
    fact_list(r, "invalid_names", bad, nbad);
    char *sum = xstrdup(r->summary ? r->summary : "");
    probe_summary(r, "%s. Not used for the recipient: %s%s%s%s", sum, bad[0],
                  nbad > 1 ? " (and more: see invalid_names)" : "",
                  rcpt ? "; RCPT went to " : "", rcpt ? rcpt : "");
    free(sum);
}

/* The envelope and the verb on session s; returns the XEXCH50 reply line
 * (allocated) or NULL with *why set.  A refused MAIL or RCPT (back
 * pressure, greylisting, a policy) means XEXCH50 is not tested at all:
 * *untested is set and the refusal recorded as mail_TAG / rcpt_TAG. */
static char *xexch50_on(smtp_session *s, const char *rcpt, probe_result *r, const char *tag,
                        bool *untested, char **why)
{
    smtp_reply rep;
    char *err = NULL, *out = NULL;
    smtp_reply_init(&rep);
    char *rcpt_cmd = NULL;
    /* --rcpt is the admin's, the rest validated names; built and checked
     * all the same, before MAIL, so a bad one sends no envelope at all. */
    if (smtp_line_build(&rcpt_cmd, &err, "RCPT TO:<%s>", rcpt) != SMTP_OK) {
        *why = xasprintf("the recipient cannot be sent: %s", err);
        goto done;
    }
    const char *steps[] = {"MAIL FROM:<>", rcpt_cmd};
    for (int i = 0; i < 2; i++) {
        smtp_err e = smtp_cmd(s, steps[i], &rep, &err);
        if (e != SMTP_OK) {
            *why = smtp_describe(s, e, err);
            goto done;
        }
        if (rep.code != 250) {
            char *l = smtp_reply_line(&rep);
            char key[32];
            snprintf(key, sizeof key, "%s_%s", i ? "rcpt" : "mail", tag);
            fact_str(r, key, l);
            *why = xasprintf("the server refused %s (%s) before XEXCH50 could be tried",
                             i ? "RCPT TO" : "MAIL FROM:<>", l);
            *untested = true;
            free(l);
            smtp_cmd(s, "RSET", &rep, &err);
            goto done;
        }
    }
    char *cmd = xasprintf("XEXCH50 %d 2", BLOB_BYTES);
    smtp_err e = smtp_cmd(s, cmd, &rep, &err);
    free(cmd);
    if (e != SMTP_OK) {
        *why = smtp_describe(s, e, err);
        goto done;
    }
    out = smtp_reply_line(&rep);
    if (rep.code == 354) {
        unsigned char blob[BLOB_BYTES] = {0};
        tr_note(s->tr, s->tls, "sending the %d-byte XEXCH50 blob", BLOB_BYTES);
        /* Raw bytes, but checked like a command: not over data the server
         * sent unasked (a 354 followed by more would be out of step). */
        smtp_err be = smtp_send_raw(s, blob, sizeof blob, &err);
        if (be != SMTP_OK) {
            *why = smtp_describe(s, be, err);
            free(out);
            out = NULL;
            goto done;
        }
        if (smtp_read_reply(s, &rep, &err) != SMTP_OK)
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

/* Why the authenticated attempt is not made, from the auth probe's result
 * (allocated), or NULL when it is: only with the mechanism that probe saw
 * succeed, never with credentials it saw refused (each attempt is one more
 * failed logon towards an Active Directory lockout). */
static char *not_authenticating(const probe_result *auth)
{
    if (!auth)
        return xstrdup("the auth probe did not run");
    if (fact_get_str(auth, "succeeded_with"))
        return NULL;
    const char *refused = fact_get_str(auth, "refused_last");
    if (refused)
        return xasprintf("AUTH was refused (%s), so it was not tried again", refused);
    return xasprintf("AUTH did not succeed: %s", auth->summary ? auth->summary : "not tried");
}

/* A new session, authenticated with the mechanism the auth probe found to
 * work; the XEXCH50 reply line (allocated) or NULL with *why. */
static char *xexch50_authenticated(probe_ctx *ctx, const char *mech, const char *rcpt,
                                   const char *fqdn, probe_result *r, char **why)
{
    /* This repeats the logon the auth probe just made successfully, so the
     * rule of one failed logon per family (policy.c) does not stop it, even
     * after X-EXPS failed with the same mechanism: at worst one failure
     * more per run.  Credentials still go only where they may. */
    smtp_session *s = probe_session_new(ctx, why);
    if (!s)
        return NULL;
    char *out = NULL;
    if (!probe_creds_allowed(ctx, s->tls, mech, why)) {
        smtp_quit(s);
        return NULL;
    }
    sasl_creds cr = probe_sasl_creds(ctx);
    smtp_reply fin;
    smtp_reply_init(&fin);
    sasl_result res = sasl_authenticate(s, "AUTH", mech, fqdn, &cr, &fin, why);
    bool untested = false;
    char *l = smtp_reply_line(&fin);
    if (res == SASL_DONE || res == SASL_ESMTP || res == SASL_EABORTED)
        probe_logon_record(ctx, "AUTH", mech, res == SASL_DONE && fin.code == 235,
                           res == SASL_DONE ? l : *why);
    if (res == SASL_DONE && fin.code == 235) {
        out = xexch50_on(s, rcpt, r, "auth", &untested, why);
    } else if (!*why) {
        *why = xasprintf("AUTH %s failed: %s", mech, l);
    }
    free(l);
    smtp_reply_free(&fin);
    smtp_quit(s);
    return out;
}

/* au: the reply after AUTH, or NULL; then auth_err says why it was not
 * tried (NULL: no credentials were given).  server: the credentials are an
 * Exchange server's; only then does a 504 after AUTH say anything about the
 * right to send XEXCH50 (Exchange refuses it to every other account). */
static probe_status judge(probe_result *r, bool offered, bool mangled, const char *un,
                          const char *au, const char *auth_err, bool server)
{
    const char *last = au ? au : un;
    int code = atoi(last);
    if (code == 354 || code / 100 == 2) {
        probe_summary(r, "XEXCH50 is accepted%s", au ? " after AUTH" : " without authentication");
        return ST_PASS;
    }
    if (code == 504 && au && server) {
        probe_summary(r, "Authenticated with a server identity, yet XEXCH50 is refused (%s)", au);
        return ST_FAIL;
    }
    if (code == 504 && au) {
        probe_summary(r, "Authenticated with an ordinary account, XEXCH50 is refused (%s), as every "
                         "Exchange server refuses it to accounts that are not an Exchange "
                         "server's: this does not test the sending server's rights", au);
        return ST_WARN;
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
        probe_summary(r, "XEXCH50 is answered \"%s\", the reply of an Exchange 5.5 Internet Mail "
                         "Service", last);
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

/* The attempt after AUTH, when the auth probe authenticated; its reply
 * line (allocated) or NULL with *why (NULL too when no credentials were
 * given: then there is nothing to say). */
static char *after_auth(probe_ctx *ctx, const char *rcpt, const char *fqdn, probe_result *r,
                        char **why)
{
    const probe_result *auth = probe_prior(ctx, "auth");
    const char *mech = fact_get_str(auth, "succeeded_with");
    if (!mech && !probe_have_creds(ctx))
        return NULL;
    char *no = not_authenticating(auth);
    if (no) {
        *why = no;
        return NULL;
    }
    return xexch50_authenticated(ctx, mech, rcpt, fqdn, r, why);
}

/* Both attempts once the unauthenticated one has a reply (un), judged. */
static probe_status with_reply(probe_ctx *ctx, probe_result *r, bool offered, const char *un,
                               const char *rcpt, const char *fqdn, char **err)
{
    fact_str(r, "reply_unauth", un);
    char *au = after_auth(ctx, rcpt, fqdn, r, err);
    if (au)
        fact_str(r, "reply_auth", au);
    else if (*err)
        fact_str(r, "auth_error", *err);
    /* A masked banner or EHLO means a middlebox hid the keyword itself. */
    const banner_info *b = probe_banner_info(ctx);
    const ehlo_caps *pc = probe_caps_plain(ctx);
    bool mangled = (b && b->masked) || (pc && pc->masked_lines > 0);
    fact_bool(r, "path_masked", mangled);
    const char *idwhy;
    bool server = strcmp(probe_identity(ctx, &idwhy), "server") == 0;
    probe_status st = judge(r, offered, mangled, un, au, au ? NULL : *err, server);
    free(au);
    return st;
}

static probe_status probe_xexch50(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session(ctx, &why);
    if (!s) {
        probe_summary(r, "Not tested: %s", why);
        free(why);
        return ST_ERROR;
    }
    bool offered = (s->caps.flags & CAP_XEXCH50) != 0;
    fact_bool(r, "offered", offered);
    /* Names from the shared session while it is up: the authenticated
     * attempt runs on a session of its own. */
    char **bad = NULL;
    size_t nbad = ctx->o.rcpt ? 0 : probe_invalid_names(ctx, rcpt_sources, NRCPT_SOURCES, &bad);
    char *rcpt = ctx->o.rcpt ? xstrdup(ctx->o.rcpt) : default_rcpt(ctx, nbad);
    char *fqdn = probe_krb_fqdn(ctx);
    char *err = NULL, *un = NULL;
    bool untested = !rcpt;
    if (rcpt)
        un = xexch50_on(s, rcpt, r, "unauth", &untested, &err);
    else
        err = xasprintf("no recipient could be built from the server's names (%s); give "
                        "--rcpt ADDR to test XEXCH50", bad[0]);
    /* Close this one before the authenticated session opens, so the
     * transcript reads as one conversation after another. */
    probe_session_drop(ctx);
    probe_status st = ST_ERROR;
    if (!un && untested) {
        /* Never read as accepted: the line of the walk ends "not tested". */
        fact_str(r, "untested", err);
        probe_summary(r, "XEXCH50 was not tested: %s", err);
        st = ST_SKIP;
    } else if (!un) {
        probe_summary(r, "XEXCH50 could not be tried: %s", err);
    } else {
        st = with_reply(ctx, r, offered, un, rcpt, fqdn ? fqdn : ctx->o.host, &err);
    }
    if (rcpt)
        name_findings(r, bad, nbad, rcpt);
    else
        fact_list(r, "invalid_names", bad, nbad);
    probe_invalid_names_free(bad, nbad);
    free(err);
    free(un);
    free(rcpt);
    free(fqdn);
    return st;
}

static const probe_fact_decl facts[] = {
    {"offered", FACT_BOOL, "XEXCH50 is offered in EHLO"},
    {"untested", FACT_STR, "why XEXCH50 was not tried: the server refused MAIL or RCPT first, "
                           "or announced no valid name to build the recipient from"},
    {"invalid_names", FACT_LIST, "the names the server announced that are not valid, so not "
                                 "used for the recipient"},
    {"reply_unauth", FACT_STR, "the reply to XEXCH50 without authentication"},
    {"reply_auth", FACT_STR, "the reply to XEXCH50 after AUTH"},
    {"auth_error", FACT_STR, "why it was not tried after AUTH"},
    {"path_masked", FACT_BOOL, "the greeting or EHLO is masked by a middlebox"},
    {"verb_rewritten", FACT_BOOL, "XEXCH50 came back unrecognised although offered or masked"},
    {"blob_reply_unauth", FACT_STR, "the reply after the blob, without authentication"},
    {"blob_reply_auth", FACT_STR, "the reply after the blob, after AUTH"},
    {"mail_unauth", FACT_STR, "a refusal of MAIL FROM without authentication"},
    {"rcpt_unauth", FACT_STR, "a refusal of RCPT TO without authentication"},
    {"mail_auth", FACT_STR, "a refusal of MAIL FROM after AUTH"},
    {"rcpt_auth", FACT_STR, "a refusal of RCPT TO after AUTH"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_xexch50 = {
    .name = "xexch50", .title = "XEXCH50", .fn = probe_xexch50, .needs = {"auth"},
    .authenticates = true, .facts = facts,
};
