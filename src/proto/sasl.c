/* sasl: see sasl.h.  Cyrus SASL does the mechanism; this file carries its
 * messages over SMTP as RFC 4954 describes, for AUTH and X-EXPS alike. */
#include "config.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sasl/sasl.h>

#include "proto/ntlm.h"
#include "proto/sasl.h"
#include "base/util.h"

#define SASL_MAX_ROUNDS 12
/* Cyrus stores every callback as int (*)(void); going through the generic
 * void (*)(void) keeps -Wcast-function-type quiet about that convention. */
#define SASL_FN(f) ((int (*)(void))(void (*)(void))(f))

static bool sasl_ready;

static int log_cb(void *ctx, int level, const char *msg)
{
    /* Cyrus logs to syslog by default; a probe never prints, so the text is
     * dropped here and the error detail comes from sasl_errdetail(). */
    (void)ctx, (void)level, (void)msg;
    return SASL_OK;
}

/* The plugins of the mechanisms smtpwiz tests; the library loads every
 * file of its plugin directory otherwise (the server-side sasldb with
 * Berkeley DB, SCRAM, OTP ...), which costs start-up time and memory for
 * mechanisms no Exchange server offers. */
static const char *const tested_plugins[] = {"libplain.", "liblogin.", "libntlm.", "libgssapiv2.",
                                             NULL};

bool sasl_mech_tested(const char *mech)
{
    return util_strieq(mech, "PLAIN") || util_strieq(mech, "LOGIN") ||
           util_strieq(mech, "NTLM") || util_strieq(mech, "GSSAPI");
}

/* sasl_only's plugin, or NULL for all of tested_plugins; every plugin
 * when --mech names another mechanism (the user asked for it). */
static const char *only_plugin;
static bool every_plugin;

void sasl_only(const char *mech)
{
    static const char *const names[][2] = {{"PLAIN", "libplain."}, {"LOGIN", "liblogin."},
                                           {"NTLM", "libntlm."}, {"GSSAPI", "libgssapiv2."}};
    if (sasl_ready)
        return;
    every_plugin = true;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (util_strieq(mech, names[i][0])) {
            only_plugin = names[i][1];
            every_plugin = false;
        }
}

static int verifyfile_cb(void *ctx, const char *file, sasl_verify_type_t type)
{
    (void)ctx;
    if (type != SASL_VRFY_PLUGIN || every_plugin)
        return SASL_OK;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    for (size_t i = 0; tested_plugins[i]; i++)
        if (strncmp(base, tested_plugins[i], strlen(tested_plugins[i])) == 0 &&
            (!only_plugin || strcmp(only_plugin, tested_plugins[i]) == 0))
            return SASL_OK;
    return SASL_CONTINUE;   /* not loaded */
}

/* Real locks for the library: the probes run sessions on several threads
 * at once (one per family of mechanisms), and Cyrus's own default locks do
 * nothing. */
static void *mutex_alloc(void)
{
    pthread_mutex_t *m = xmalloc(sizeof *m);
    pthread_mutex_init(m, NULL);
    return m;
}

static int mutex_lock(void *m) { return pthread_mutex_lock(m) == 0 ? SASL_OK : SASL_FAIL; }
static int mutex_unlock(void *m) { return pthread_mutex_unlock(m) == 0 ? SASL_OK : SASL_FAIL; }

static void mutex_free(void *m)
{
    pthread_mutex_destroy(m);
    free(m);
}

int sasl_global_init(char **err)
{
    if (sasl_ready)
        return 0;
    sasl_set_mutex(mutex_alloc, mutex_lock, mutex_unlock, mutex_free);
    static sasl_callback_t global[] = {
        {SASL_CB_LOG, SASL_FN(log_cb), NULL},
        {SASL_CB_VERIFYFILE, SASL_FN(verifyfile_cb), NULL},
        {SASL_CB_LIST_END, NULL, NULL},
    };
    int rc = sasl_client_init(global);
    if (rc != SASL_OK) {
        *err = xasprintf("the Cyrus SASL library did not start: %s", sasl_errstring(rc, NULL, NULL));
        return -1;
    }
    sasl_ready = true;
    return 0;
}

bool sasl_mech_available(const char *mech)
{
    /* The list belongs to the library and lives until sasl_client_done,
     * which nothing calls (sasl.h). */
    static const char **plugins;
    static bool asked;
    if (!asked) {
        char *err = NULL;
        if (sasl_global_init(&err) != 0) {
            free(err);
            return false;
        }
        plugins = sasl_global_listmech();
        asked = true;
    }
    for (const char **m = plugins; m && *m; m++)
        if (util_strieq(*m, mech))
            return true;
    return false;
}

bool sasl_mech_is_plaintext(const char *mech)
{
    return util_strieq(mech, "PLAIN") || util_strieq(mech, "LOGIN");
}

/* No security layer (smtpwiz never wraps SMTP in one: the library's own
 * default for a connection without SASL_SECURITY_LAYER), and without TLS
 * no mechanism that sends the password in clear, unless allowed. */
static void set_secprops(sasl_conn_t *sc, bool no_plaintext)
{
    sasl_security_properties_t sp;
    memset(&sp, 0, sizeof sp);
    sp.security_flags = no_plaintext ? SASL_SEC_NOPLAINTEXT : 0;
    sasl_setprop(sc, SASL_SEC_PROPS, &sp);
}

typedef struct cb_ctx {
    const sasl_creds *cr;
    sasl_secret_t *secret;
} cb_ctx;

static int simple_cb(void *context, int id, const char **result, unsigned *len)
{
    const cb_ctx *c = context;
    const char *v = NULL;
    if (id == SASL_CB_USER)
        v = "";                       /* no authorization identity */
    else if (id == SASL_CB_AUTHNAME)
        v = c->cr->user;
    if (!v)
        return SASL_FAIL;
    *result = v;
    if (len)
        *len = (unsigned)strlen(v);
    return SASL_OK;
}

static int pass_cb(sasl_conn_t *sc, void *context, int id, sasl_secret_t **psecret)
{
    cb_ctx *c = context;
    (void)sc;
    if (id != SASL_CB_PASS || !c->cr->password)
        return SASL_FAIL;
    if (!c->secret) {
        size_t n = strlen(c->cr->password);
        c->secret = xcalloc(1, sizeof(sasl_secret_t) + n + 1);
        c->secret->len = n;
        memcpy(c->secret->data, c->cr->password, n);
    }
    *psecret = c->secret;
    return SASL_OK;
}

static int realm_cb(void *context, int id, const char **avail, const char **result)
{
    const cb_ctx *c = context;
    (void)id;
    *result = c->cr->realm ? c->cr->realm : (avail && *avail ? *avail : "");
    return SASL_OK;
}

/* Send one client payload: base64, redacted in the transcript. */
static smtp_err send_payload(smtp_session *s, const char *prefix, const char *data,
                             unsigned len, char **err)
{
    char *b64 = len ? util_b64_encode(data, len) : xstrdup(prefix ? "=" : "");
    char *line = prefix ? xasprintf("%s %s", prefix, b64) : xstrdup(b64);
    size_t shown = prefix ? strlen(prefix) + 1 : 0;
    smtp_err e = smtp_send(s, line, SMTP_SECRET, shown, err);
    OPENSSL_cleanse(line, strlen(line));
    OPENSSL_cleanse(b64, strlen(b64));
    free(line);
    free(b64);
    return e;
}

/* An NTLM type-2 is not secret, and its names help: note it decoded. */
static void note_ntlm(smtp_session *s, const unsigned char *msg, size_t len)
{
    ntlm_challenge ch;
    char *err = NULL;
    ntlm_challenge_init(&ch);
    if (ntlm_parse_type2(msg, len, &ch, &err) == 0)
        tr_note(s->tr, s->tls, "NTLM challenge: computer %s, domain %s, DNS name %s",
                ch.nb_computer ? ch.nb_computer : "?", ch.nb_domain ? ch.nb_domain : "?",
                ch.dns_computer ? ch.dns_computer : "?");
    free(err);
    ntlm_challenge_free(&ch);
}

typedef struct exchange {
    smtp_session *s;
    sasl_conn_t *sc;
    const char *mech;
    const char *pending;      /* initial response not yet sent */
    unsigned pending_len;
    bool pending_set;
} exchange;

/* RFC 4954 "*": abandon the exchange, and read the server's answer to it,
 * or that answer would be taken as the reply to the next command. */
static void cancel_exchange(exchange *x, smtp_reply *final)
{
    char *ignored = NULL;
    if (smtp_send(x->s, "*", SMTP_PLAIN, 0, &ignored) == SMTP_OK) {
        free(ignored);
        ignored = NULL;
        smtp_read_reply(x->s, final, &ignored);
    }
    free(ignored);
}

/* The 334 rounds until the server gives a final reply. */
static sasl_result rounds(exchange *x, smtp_reply *final, char **err)
{
    for (int round = 0; round < SASL_MAX_ROUNDS; round++) {
        if (smtp_read_reply(x->s, final, err) != SMTP_OK)
            return SASL_ESMTP;
        if (final->code != 334)
            return SASL_DONE;
        const char *text = final->nlines ? final->lines[0] : "";
        const char *out = NULL;
        unsigned outlen = 0;
        if (x->pending_set) {
            /* Client-first mechanism under a verb that took no initial
             * response: the first 334 ("NTLM supported") only says go on. */
            out = x->pending, outlen = x->pending_len;
            x->pending_set = false;
        } else {
            unsigned char *in = NULL;
            long inlen = util_b64_decode(text, strlen(text), &in);
            if (inlen < 0) {
                *err = xasprintf("the server's challenge is not base64: %s", text);
                free(in);
                cancel_exchange(x, final);
                return SASL_ESMTP;
            }
            if (util_strieq(x->mech, "NTLM"))
                note_ntlm(x->s, in, (size_t)inlen);
            sasl_interact_t *ia = NULL;
            int rc = sasl_client_step(x->sc, (const char *)in, (unsigned)inlen, &ia, &out, &outlen);
            free(in);
            if (rc != SASL_OK && rc != SASL_CONTINUE) {
                *err = xasprintf("the SASL %s mechanism could not answer: %s", x->mech,
                                 sasl_errdetail(x->sc));
                cancel_exchange(x, final);
                return SASL_EABORTED;
            }
        }
        if (send_payload(x->s, NULL, out, outlen, err) != SMTP_OK)
            return SASL_ESMTP;
    }
    *err = xstrdup("the server kept asking for more SASL rounds");
    return SASL_ESMTP;
}

sasl_result sasl_authenticate(smtp_session *s, const char *verb, const char *mech,
                              const char *server_fqdn, const sasl_creds *cr,
                              smtp_reply *final, char **err)
{
    if (sasl_global_init(err) != 0)
        return SASL_ECLIENT;
    if (cr->tls_required && !s->tls) {
        *err = xasprintf("%s %s was not started: this session is not encrypted", verb, mech);
        return SASL_EPOLICY;
    }
    cb_ctx cbc = {.cr = cr};
    sasl_callback_t cbs[] = {
        {SASL_CB_USER, SASL_FN(simple_cb), &cbc},
        {SASL_CB_AUTHNAME, SASL_FN(simple_cb), &cbc},
        {SASL_CB_PASS, SASL_FN(pass_cb), &cbc},
        {SASL_CB_GETREALM, SASL_FN(realm_cb), &cbc},
        {SASL_CB_LIST_END, NULL, NULL},
    };
    sasl_conn_t *sc = NULL;
    sasl_result res = SASL_ECLIENT;
    /* Exchange registers SMTPSVC/<fqdn> and authenticates X-EXPS peers
     * against it; plain AUTH uses the RFC 4954 service name. */
    const char *service = util_strieq(verb, "X-EXPS") ? "SMTPSVC" : "smtp";
    int rc = sasl_client_new(service, server_fqdn, NULL, NULL, cbs, 0, &sc);
    if (rc != SASL_OK) {
        *err = xasprintf("cannot start a SASL client: %s", sasl_errstring(rc, NULL, NULL));
        goto out;
    }
    bool no_plaintext = !s->tls && !cr->plaintext_ok;
    set_secprops(sc, no_plaintext);
    sasl_interact_t *ia = NULL;
    const char *out = NULL, *chosen = NULL;
    unsigned outlen = 0;
    rc = sasl_client_start(sc, mech, &ia, &out, &outlen, &chosen);
    if (rc == SASL_NOMECH && no_plaintext && sasl_mech_available(mech)) {
        *err = xasprintf("%s %s was not started: it sends the password itself, and this "
                         "session is not encrypted", verb, mech);
        res = SASL_EPOLICY;
        goto out;
    }
    if (rc == SASL_NOMECH) {
        *err = xasprintf("no Cyrus SASL plugin for %s is installed here", mech);
        res = SASL_ENOMECH;
        goto out;
    }
    if (rc != SASL_OK && rc != SASL_CONTINUE) {
        *err = xasprintf("the SASL %s mechanism could not start: %s", mech, sasl_errdetail(sc));
        goto out;
    }
    exchange x = {.s = s, .sc = sc, .mech = mech};
    char *cmd = xasprintf("%s %s", verb, mech);
    smtp_err se;
    if (out && util_strieq(verb, "AUTH")) {
        se = send_payload(s, cmd, out, outlen, err);
    } else {
        /* X-EXPS (and a client-first mechanism without an initial response)
         * starts bare: Exchange answers "334 <MECH> supported" first. */
        if (out) {
            x.pending = out, x.pending_len = outlen, x.pending_set = true;
        }
        se = smtp_send(s, cmd, SMTP_PLAIN, 0, err);
    }
    free(cmd);
    res = se != SMTP_OK ? SASL_ESMTP : rounds(&x, final, err);
out:
    if (sc)
        sasl_dispose(&sc);
    if (cbc.secret) {
        OPENSSL_cleanse(cbc.secret->data, cbc.secret->len);
        free(cbc.secret);
    }
    return res;
}
