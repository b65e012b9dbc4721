/* probe spn: are SMTPSVC/<fqdn> and SMTP/<fqdn> registered in the KDC
 * (KB979174: a missing or duplicate SPN breaks Exchange's Kerberos)?  With
 * the admin's ticket cache (kinit done beforehand) it asks the KDC for a
 * service ticket to each; "Server not found in Kerberos database"
 * (KDC_ERR_S_PRINCIPAL_UNKNOWN) is the evidence of a missing SPN.  Uses MIT
 * krb5, the library Cyrus SASL's GSSAPI plugin already loads.  The lookups
 * run on a private MEMORY copy of the cache's ticket-granting tickets, so the
 * KDC answers each one (a service ticket cached earlier, by X-EXPS GSSAPI say,
 * would hide an SPN deleted since) and nothing is stored back.
 * With --dc, libkrb5 does not reach the KDC itself (its own schedule takes
 * up to 3 s per UDP server and pass plus 14 s, and 10 s more per TCP
 * connection, whatever --timeout says, and ignores Esc): a pre-send hook
 * hands each request for the realm to the named domain controllers through
 * krb_kdc_io.c, within the timeout and cancellable. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proto/krb5_lib.h"
#include "proto/krb_der.h"
#include "probe/probe_krb.h"
#include "base/names.h"
#include "base/util.h"

static const char *const services[] = {"SMTPSVC", "SMTP"};
enum { NSVC = 2 };

typedef enum { SPN_FOUND, SPN_MISSING, SPN_NOCREDS, SPN_SKEW, SPN_ERROR } spn_state;

typedef struct spn_run {
    krb5_context kc;
    krb5_ccache cc;          /* the admin's cache, then the TGT-only copy */
    bool private_cc;         /* cc is the MEMORY copy: destroy it */
    krb5_principal me;
    char *realm;
    char *fqdn;
    spn_state st[NSVC];
    char *msg[NSVC];       /* krb5's own message for each failure */
    probe_ctx *ctx;
    kdc_list dcs;            /* --dc: where the send hook takes requests */
    bool unreach;            /* a request found no KDC */
} spn_run;

#define KRB_ERR_RESPONSE_TOO_BIG 52

/* An answer is taken over TCP always, over UDP unless it says "too big for
 * UDP" (TCP then carries the real one). */
static bool kdc_answered(const kdc_reply *r, kdc_check which, void *arg)
{
    (void)arg;
    if (which == KDC_CHECK_KPASSWD || r->outcome != KDC_ANSWERED)
        return false;
    if (which == KDC_CHECK_TCP)
        return true;
    krb_error_msg m;
    char *err = NULL;
    bool big = krb_error_parse(r->buf, r->len, &m, &err) == 0 &&
               m.error_code == KRB_ERR_RESPONSE_TOO_BIG;
    krb_error_msg_free(&m);
    free(err);
    return !big;
}

/* libkrb5's pre-send hook: the request goes to the --dc controllers in
 * turn, each within one timeout; requests for another realm (a referral)
 * are left to libkrb5. */
static krb5_error_code KRB5_CALLCONV send_hook(krb5_context kc, void *data,
                                               const krb5_data *realm,
                                               const krb5_data *message,
                                               krb5_data **new_message, krb5_data **reply)
{
    (void)new_message;
    spn_run *s = data;
    if (realm->length != strlen(s->realm) || memcmp(realm->data, s->realm, realm->length) != 0)
        return 0;
    net_opts no = probe_krb_net_opts(s->ctx);
    strbuf why = {0};
    krb5_error_code ret = KRB5_KDC_UNREACH;
    for (size_t i = 0; i < s->dcs.n && ret; i++) {
        kdc_reply r[KDC_NCHECKS];
        bool want[KDC_NCHECKS] = {true, true, false};
        kdc_check_run(&s->dcs.v[i], (const unsigned char *)message->data, message->length,
                      &no, want, kdc_answered, NULL, r);
        for (int k = KDC_CHECK_TCP; k <= KDC_CHECK_UDP && ret; k++)
            if (kdc_answered(&r[k], (kdc_check)k, NULL)) {
                krb5_data got = {.magic = KV5M_DATA, .length = (unsigned)r[k].len,
                                 .data = (char *)r[k].buf};
                ret = krb5_copy_data(kc, &got, reply);
            }
        if (ret)
            sb_printf(&why, "%s%s port %s: TCP: %s; UDP: %s", why.len ? "; " : "",
                      s->dcs.v[i].host, s->dcs.v[i].port,
                      r[0].why ? r[0].why : kdc_outcome_name(r[0].outcome),
                      r[1].why ? r[1].why : kdc_outcome_name(r[1].outcome));
        for (int k = 0; k < KDC_NCHECKS; k++)
            kdc_reply_free(&r[k]);
    }
    if (ret)
        krb5_set_error_message(kc, ret, "no domain controller answered the ticket request: %s",
                               why.buf);
    sb_free(&why);
    return ret;
}

static spn_state classify(krb5_error_code e)
{
    switch (e) {
    case 0: return SPN_FOUND;
    case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN: return SPN_MISSING;
    case KRB5KRB_AP_ERR_SKEW: return SPN_SKEW;
    case KRB5KRB_AP_ERR_TKT_EXPIRED:
    case KRB5_CC_NOTFOUND:
    case KRB5_FCC_NOFILE: return SPN_NOCREDS;
    default: return SPN_ERROR;
    }
}

static void ask_spn(spn_run *s, int i)
{
    krb5_principal sp = NULL;
    krb5_creds in, *out = NULL;
    krb5_error_code e = krb5_build_principal(s->kc, &sp, (unsigned)strlen(s->realm), s->realm,
                                             services[i], s->fqdn, (char *)NULL);
    if (e == 0) {
        memset(&in, 0, sizeof in);
        in.client = s->me;
        in.server = sp;
        e = krb5_get_credentials(s->kc, KRB5_GC_NO_STORE, s->cc, &in, &out);
    }
    s->st[i] = classify(e);
    s->unreach |= e == KRB5_KDC_UNREACH;
    if (e) {
        const char *m = krb5_get_error_message(s->kc, e);
        s->msg[i] = xstrdup(m);
        krb5_free_error_message(s->kc, m);
    }
    krb5_free_creds(s->kc, out);
    krb5_free_principal(s->kc, sp);
}

static bool is_tgt(krb5_const_principal p)
{
    return p && p->length == 2 && p->data[0].length == 6 &&
           memcmp(p->data[0].data, "krbtgt", 6) == 0;
}

/* Replace s->cc by a MEMORY cache holding only its ticket-granting tickets. */
static krb5_error_code tgt_only_cache(spn_run *s)
{
    krb5_ccache mem = NULL;
    krb5_cc_cursor cur;
    krb5_creds c;
    krb5_error_code e = krb5_cc_new_unique(s->kc, "MEMORY", NULL, &mem);
    if (!e)
        e = krb5_cc_initialize(s->kc, mem, s->me);
    if (!e)
        e = krb5_cc_start_seq_get(s->kc, s->cc, &cur);
    if (e) {
        if (mem)
            krb5_cc_destroy(s->kc, mem);
        return e;
    }
    while (krb5_cc_next_cred(s->kc, s->cc, &cur, &c) == 0) {
        if (is_tgt(c.server))
            (void)krb5_cc_store_cred(s->kc, mem, &c);   /* none stored: "no credentials" */
        krb5_free_cred_contents(s->kc, &c);
    }
    krb5_cc_end_seq_get(s->kc, s->cc, &cur);
    /* The realm the TGT was got in, when it is not the client's (MIT 1.17+
     * looks the TGT up by it). */
    krb5_data d;
    if (krb5_cc_get_config(s->kc, s->cc, NULL, "start_realm", &d) == 0) {
        (void)krb5_cc_set_config(s->kc, mem, NULL, "start_realm", &d);
        krb5_free_data_contents(s->kc, &d);
    }
    krb5_cc_close(s->kc, s->cc);
    s->cc = mem;
    s->private_cc = true;
    return 0;
}

/* SETSPN's account argument: the NetBIOS name, the FQDN's first label. */
static char *netbios_name(const char *fqdn)
{
    char *host = xstrndup(fqdn, strcspn(fqdn, "."));
    util_upper(host);
    return host;
}

/* The commands an admin runs to give us a ticket cache and to look.  Only
 * validated names go into them (fqdn comes from probe_krb_fqdn, the realm
 * from probe_krb_realm or --realm, checked here again): a name the server
 * announced that is not valid leaves a placeholder, <realm> or <server>,
 * and the summary says why, so that nothing it chose runs when pasted. */
static void skip_with_steps(probe_result *r, probe_ctx *ctx, const char *fqdn, const char *why)
{
    char *realm = probe_krb_realm(ctx);
    if (realm && !names_realm(realm, strlen(realm), NULL)) {
        free(realm);
        realm = NULL;
    }
    char *host = fqdn && names_host(fqdn, strlen(fqdn), NULL) ? netbios_name(fqdn) : NULL;
    char *kinit = xasprintf("kinit administrator@%s", realm ? realm : "<realm>");
    char *setspn = xasprintf("setspn -L %s", host ? host : "<server>");
    char *note = xasprintf("%s%s", realm ? "" : " (<realm>: your Kerberos realm in upper "
                           "case; the server announced no valid one)", host ? "" : " (<server>: "
                           "the server's computer name; it announced no valid one)");
    const char *f = host ? fqdn : "<fqdn>";
    /* A lab gives no ticket: "kinit, then smtpwiz again" cannot help there. */
    char *first = ctx->o.lab ? xstrdup("At a real server: ")
                : xasprintf("Run `%s` here (any domain account will do), then run smtpwiz "
                            "again; ", kinit);
    probe_summary(r, "SPNs not checked: %s. %son a domain controller, `%s` must list SMTPSVC/%s "
                  "and SMTP/%s, and `setspn -X` must show no duplicates%s", why, first, setspn,
                  f, f, note);
    free(first);
    fact_str(r, "kinit", kinit);
    fact_str(r, "setspn", setspn);
    free(note);
    free(kinit);
    free(setspn);
    free(host);
    free(realm);
}

static void spn_facts(probe_result *r, const spn_run *s)
{
    static const char *const keys[] = {"spn_smtpsvc", "spn_smtp"};
    static const char *const names[] = {"found", "missing", "no-credentials", "clock-skew",
                                        "error"};
    char *ev[NSVC];
    size_t nev = 0;
    for (int i = 0; i < NSVC; i++) {
        fact_str(r, keys[i], names[s->st[i]]);
        if (s->msg[i])
            ev[nev++] = s->msg[i];
    }
    fact_list(r, "evidence", ev, nev);
    fact_str(r, "fqdn", s->fqdn);
    fact_str(r, "realm", s->realm);
}

static probe_status conclude(probe_result *r, probe_ctx *ctx, spn_run *s)
{
    spn_facts(r, s);
    for (int i = 0; i < NSVC; i++)
        if (s->st[i] == SPN_NOCREDS) {
            skip_with_steps(r, ctx, s->fqdn, s->msg[i]);
            return ST_SKIP;
        }
    strbuf missing = {0};
    for (int i = 0; i < NSVC; i++)
        if (s->st[i] == SPN_MISSING)
            sb_printf(&missing, "%s%s/%s", missing.len ? " and " : "", services[i], s->fqdn);
    probe_status st = ST_PASS;
    if (missing.len) {
        /* s->fqdn is probe_krb_fqdn's: a validated host name. */
        char *host = netbios_name(s->fqdn);
        probe_summary(r, "%s not registered in realm %s (the KDC says \"%s\"): Exchange "
                      "cannot get a Kerberos ticket for this server. Register them on its "
                      "computer account: `setspn -S SMTPSVC/%s %s` and `setspn -S SMTP/%s %s`",
                      missing.buf, s->realm, s->msg[s->st[0] == SPN_MISSING ? 0 : 1], s->fqdn,
                      host, s->fqdn, host);
        free(host);
        st = ST_FAIL;
    } else if (s->st[0] == SPN_SKEW || s->st[1] == SPN_SKEW) {
        probe_summary(r, "The KDC refused the ticket request for clock skew: %s (check "
                      "kdc-time)", s->msg[s->st[0] == SPN_SKEW ? 0 : 1]);
        st = ST_FAIL;
    } else if (s->st[0] == SPN_ERROR || s->st[1] == SPN_ERROR) {
        probe_summary(r, "The SPN lookup failed: %s", s->msg[s->st[0] == SPN_ERROR ? 0 : 1]);
        st = ST_ERROR;
    } else {
        probe_summary(r, "SMTPSVC/%s and SMTP/%s are registered in realm %s: the KDC issued "
                      "tickets for both", s->fqdn, s->fqdn, s->realm);
    }
    sb_free(&missing);
    return st;
}

/* Context, cache and its principal; false (with *why) if there is no cache. */
static bool open_cache(spn_run *s, probe_ctx *ctx, char **why)
{
    const char *nolib = NULL;
    if (!krb5_lib_open(&nolib)) {
        *why = xstrdup(nolib);
        return false;
    }
    krb5_error_code e = krb5_init_context(&s->kc);
    if (e) {
        *why = xstrdup("the Kerberos library cannot start (is krb5.conf readable?)");
        return false;
    }
    e = krb5_cc_default(s->kc, &s->cc);
    if (!e)
        e = krb5_cc_get_principal(s->kc, s->cc, &s->me);
    bool have_cache = !e;
    if (!e)
        e = tgt_only_cache(s);
    if (e) {
        const char *m = krb5_get_error_message(s->kc, e);
        *why = have_cache ? xasprintf("the ticket cache's TGTs could not be read (%s)", m)
                          : xasprintf("no Kerberos ticket cache (%s)", m);
        krb5_free_error_message(s->kc, m);
        return false;
    }
    if (ctx->o.realm)
        s->realm = xstrdup(ctx->o.realm);
    else
        s->realm = xstrndup(s->me->realm.data, s->me->realm.length);
    return true;
}

static void close_run(spn_run *s)
{
    for (int i = 0; i < NSVC; i++)
        free(s->msg[i]);
    if (s->me)
        krb5_free_principal(s->kc, s->me);
    if (s->cc && s->private_cc)
        krb5_cc_destroy(s->kc, s->cc);
    else if (s->cc)
        krb5_cc_close(s->kc, s->cc);
    if (s->kc)
        krb5_free_context(s->kc);
    free(s->realm);
    free(s->fqdn);
    kdc_list_free(&s->dcs);
}

static probe_status probe_spn(probe_ctx *ctx, probe_result *r)
{
    spn_run s = {0};
    s.fqdn = probe_krb_fqdn(ctx);
    if (!s.fqdn) {
        static const probe_name_src names[] = {PROBE_NAME_HELLO, PROBE_NAME_BANNER};
        char **bad = NULL;
        size_t nbad = probe_invalid_names(ctx, names, 2, &bad);
        const char *why = probe_session_failure(ctx) ? probe_session_failure(ctx)
                        : nbad ? bad[0] : "its EHLO and greeting give no FQDN";
        char *unknown = xasprintf("the server's name is unknown (%s)", why);
        skip_with_steps(r, ctx, NULL, unknown);
        free(unknown);
        probe_invalid_names_free(bad, nbad);
        close_run(&s);
        return ST_ERROR;
    }
    for (char *p = s.fqdn; *p; p++)   /* SPN host parts are lower case by convention */
        *p = (char)tolower((unsigned char)*p);
    char *why = NULL;
    probe_status st;
    if (ctx->o.dc && strcmp(ctx->o.dc, "none") == 0) {
        /* The lookup goes to the KDC krb5.conf names for the ticket's realm:
         * still a domain controller, so --dc none rules it out too. */
        skip_with_steps(r, ctx, s.fqdn, probe_krb_no_dc(ctx));
        fact_str(r, "fqdn", s.fqdn);
        st = ST_SKIP;
    } else if (!open_cache(&s, ctx, &why)) {
        skip_with_steps(r, ctx, s.fqdn, why);
        fact_str(r, "fqdn", s.fqdn);
        st = ST_SKIP;
    } else {
        char *client = NULL, *dcwhy = NULL;
        s.ctx = ctx;
        if (ctx->o.dc && kdc_list_from_spec(ctx->o.dc, &s.dcs, &dcwhy) == 0)
            krb5_set_kdc_send_hook(s.kc, send_hook, &s);
        free(dcwhy);
        if (krb5_unparse_name(s.kc, s.me, &client) == 0) {
            fact_str(r, "client", client);
            krb5_free_unparsed_name(s.kc, client);
        }
        for (int i = 0; i < NSVC; i++) {
            /* No controller answered the first: the second would wait as long. */
            if (i > 0 && s.dcs.n && s.unreach) {
                s.st[i] = SPN_ERROR;
                s.msg[i] = xstrdup(s.msg[0]);
                continue;
            }
            ask_spn(&s, i);
        }
        st = conclude(r, ctx, &s);
    }
    free(why);
    close_run(&s);
    return st;
}

static const probe_fact_decl facts[] = {
    {"spn_smtpsvc", FACT_STR, "SMTPSVC/<fqdn>: found missing no-credentials clock-skew error"},
    {"spn_smtp", FACT_STR, "SMTP/<fqdn>: the same outcomes"},
    {"evidence", FACT_LIST, "what the KDC answered, one sentence per SPN"},
    {"fqdn", FACT_STR, "the server name the SPNs were asked for"},
    {"realm", FACT_STR, "the realm asked"},
    {"client", FACT_STR, "the principal of the ticket cache"},
    {"kinit", FACT_STR, "the kinit command to run first, without a ticket cache"},
    {"setspn", FACT_STR, "the setspn command that lists the SPNs by hand"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_spn = {
    .name = "spn", .title = "SMTP service principal names", .fn = probe_spn, .facts = facts,
};
