/* lab_sasl: AUTH PLAIN and LOGIN checked through the Cyrus SASL *server*
 * API against the scenario's lab accounts, and - in Kerberos mode (--keytab)
 * - AUTH and X-EXPS GSSAPI through the GSSAPI plugin and acceptor credentials
 * imported from the keytab at start (service "smtp" for AUTH, "SMTPSVC" for
 * X-EXPS, as Exchange).
 * The password check is our own SASL_CB_SERVER_USERDB_CHECKPASS callback;
 * pwcheck_method and auxprop_plugin name verifiers that do not exist, so
 * libsasl2 never falls back to the system's /etc/sasldb2, saslauthd or PAM. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sasl/sasl.h>

#include "lab/lab_int.h"
#include "proto/krb5_lib.h"

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static int getopt_cb(void *context, const char *plugin, const char *option,
                     const char **result, unsigned *len)
{
    (void)context;
    (void)plugin;
    const char *v = NULL;
    if (!strcmp(option, "mech_list"))
        v = "PLAIN LOGIN GSSAPI";   /* GSSAPI is only started in Kerberos mode */
    else if (!strcmp(option, "pwcheck_method"))
        v = "smtpwiz-lab-callback-only";
    else if (!strcmp(option, "auxprop_plugin"))
        v = "smtpwiz-lab-none";
    else if (!strcmp(option, "log_level"))
        v = "2";   /* SASL_LOG_FAIL: what log_cb keeps for lab_sasl_detail() */
    if (!v)
        return SASL_FAIL;
    *result = v;
    if (len)
        *len = (unsigned)strlen(v);
    return SASL_OK;
}

/* The GSSAPI plugin reports the GSS major/minor text (clock skew, wrong
 * key...) only through the log callback; sasl_errdetail() then says just
 * "gss_accept_sec_context".  Each lab runs its sessions on one thread, so
 * the last failure logged on this thread belongs to the step just made. */
static _Thread_local char last_failure[512];

static int log_cb(void *context, int level, const char *message)
{
    (void)context;
    if (level <= SASL_LOG_FAIL && message)
        snprintf(last_failure, sizeof last_failure, "%s", message);
    return SASL_OK;   /* the lab logs its own lines */
}

typedef int (*sasl_cb_fn)(void);
/* libsasl2 stores every callback as int (*)(void); going through void (*)(void) says so. */
#define CB(f) ((sasl_cb_fn)(void (*)(void))(f))

static const sasl_callback_t global_cbs[] = {
    {SASL_CB_GETOPT, CB(getopt_cb), NULL},
    {SASL_CB_LOG, CB(log_cb), NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

/* Once per process: the server side then stays initialised to the end.  A
 * second lab (the wizard restarts them) reuses it, and sasl_server_done()
 * would unload the plugins while some of their allocations are still alive,
 * which leak checkers then report against an unknown module. */
int lab_sasl_init(char **err)
{
    int rc = SASL_OK;
    pthread_mutex_lock(&init_lock);
    static bool initialised;
    if (!initialised)
        rc = sasl_server_init(global_cbs, "smtpwiz-lab");
    if (rc == SASL_OK)
        initialised = true;
    pthread_mutex_unlock(&init_lock);
    if (rc != SASL_OK) {
        *err = xasprintf("Cyrus SASL server initialisation failed: %s (is libsasl2-modules "
                         "installed?)", sasl_errstring(rc, NULL, NULL));
        return -1;
    }
    return 0;
}

bool lab_sasl_has_mech(const char *mech)
{
    const char **list = sasl_global_listmech();
    for (size_t i = 0; list && list[i]; i++)
        if (!strcasecmp(list[i], mech))
            return true;
    return false;
}

typedef struct lab_sasl {
    sasl_conn_t *conn;
    sasl_callback_t cbs[2];
    bool started;
    const char *no_cred;           /* Kerberos mode: why there is no acceptor key */
    char detail[1024];
} lab_sasl;

/* ---- Kerberos mode's acceptor credentials ----
 * Left to itself the GSSAPI plugin acquires the acceptor credential for the
 * host-based name service@hostname in every exchange, and MIT, under its
 * default dns_canonicalize_hostname = true, then looks the scenario's
 * (made-up) host name up in DNS - on the lab's only thread, every session
 * waiting (tests/integration/lab_kerberos.sh saw it with strace).  So the
 * lab imports each credential once, at start, from the keytab for the
 * principal service/hostname as MIT would have built it (lower-case host,
 * host-based, empty realm: any realm in the keytab matches) but with no
 * lookup, and hands it to the plugin (SASL_GSS_CREDS). */

enum { KRB_EXPS, KRB_AUTH };
static const char *const krb_service[] = {[KRB_EXPS] = "SMTPSVC", [KRB_AUTH] = "smtp"};

typedef struct lab_krb {
    krb5_context ctx;
    krb5_keytab kt;
    gss_cred_id_t cred[2];
    char *why[2];                  /* no credential: why (the GSS error text) */
} lab_krb;

/* "major text: minor text" of a GSS status. */
static char *gss_text(OM_uint32 major, OM_uint32 minor)
{
    strbuf sb = {0};
    for (int mech = 0; mech < 2; mech++) {
        OM_uint32 more = 0, st;
        if (mech && !minor)
            break;
        do {
            gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
            if (GSS_ERROR(gss_display_status(&st, mech ? minor : major,
                                             mech ? GSS_C_MECH_CODE : GSS_C_GSS_CODE,
                                             GSS_C_NO_OID, &more, &b)))
                break;
            sb_printf(&sb, "%s%.*s", sb.len ? ": " : "", (int)b.length, (const char *)b.value);
            gss_release_buffer(&st, &b);
        } while (more);
    }
    return sb.len ? sb_steal(&sb) : xstrdup("unknown GSS error");
}

static void krb_acquire(lab_krb *k, int which, const char *host)
{
    krb5_principal p = NULL;
    char *lower = xstrdup(host);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    krb5_error_code code = krb5_build_principal(k->ctx, &p, 0, "", krb_service[which], lower,
                                                (char *)NULL);
    OM_uint32 major = GSS_S_FAILURE, minor = (OM_uint32)code;
    if (!code) {
        p->type = KRB5_NT_SRV_HST;
        major = gss_krb5_import_cred(&minor, NULL, p, k->kt, &k->cred[which]);
    }
    if (GSS_ERROR(major)) {
        char *t = gss_text(major, minor);
        k->why[which] = xasprintf("no acceptor key for %s/%s in the keytab: %s",
                                  krb_service[which], lower, t);
        free(t);
        k->cred[which] = GSS_C_NO_CREDENTIAL;
    }
    krb5_free_principal(k->ctx, p);
    free(lower);
}

int lab_sasl_kerberos(struct lab_server *srv, const char *keytab, char **err)
{
    const char *nolib = NULL;
    if (!krb5_lib_open(&nolib)) {
        *err = xstrdup(nolib);
        return -1;
    }
    lab_krb *k = xcalloc(1, sizeof *k);
    krb5_error_code code = krb5_init_context(&k->ctx);
    if (code) {
        const char *msg = krb5_get_error_message(NULL, code);
        *err = xasprintf("cannot start libkrb5: %s", msg);
        krb5_free_error_message(NULL, msg);
        free(k);
        return -1;
    }
    char *name = xasprintf("FILE:%s", keytab);
    code = krb5_kt_resolve(k->ctx, name, &k->kt);
    free(name);
    if (code) {
        const char *msg = krb5_get_error_message(k->ctx, code);
        *err = xasprintf("cannot open the keytab %s: %s", keytab, msg);
        krb5_free_error_message(k->ctx, msg);
        krb5_free_context(k->ctx);
        free(k);
        return -1;
    }
    /* A key missing for one service is no reason to refuse to start: that
     * verb's GSSAPI then fails with the reason, in the log. */
    krb_acquire(k, KRB_EXPS, srv->sc->hostname);
    krb_acquire(k, KRB_AUTH, srv->sc->hostname);
    srv->krb = k;
    return 0;
}

void lab_sasl_kerberos_free(struct lab_server *srv)
{
    lab_krb *k = srv->krb;
    if (!k)
        return;
    for (int i = 0; i < 2; i++) {
        OM_uint32 minor;
        if (k->cred[i] != GSS_C_NO_CREDENTIAL)
            gss_release_cred(&minor, &k->cred[i]);
        free(k->why[i]);
    }
    krb5_kt_close(k->ctx, k->kt);
    krb5_free_context(k->ctx);
    free(k);
    srv->krb = NULL;
}

static int checkpass_cb(sasl_conn_t *conn, void *context, const char *user, const char *pass,
                        unsigned passlen, struct propctx *propctx)
{
    (void)conn;
    (void)propctx;
    const lab_scenario *sc = context;
    size_t ul = strcspn(user, "@");   /* a realm may have been appended */
    for (size_t i = 0; i < sc->naccounts; i++) {
        const lab_account *a = &sc->accounts[i];
        if (strlen(a->user) == ul && !strncmp(a->user, user, ul) &&
            strlen(a->password) == passlen && !memcmp(a->password, pass, passlen))
            return SASL_OK;
    }
    return SASL_BADAUTH;
}

void *lab_sasl_conn(lab_session *s)
{
    lab_sasl *ls = xcalloc(1, sizeof *ls);
    ls->cbs[0] = (sasl_callback_t){SASL_CB_SERVER_USERDB_CHECKPASS, CB(checkpass_cb),
                                   s->srv->sc};
    ls->cbs[1] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};
    /* The service is the first half of the acceptor's principal:
     * SMTPSVC/<fqdn> for X-EXPS, smtp/<fqdn> for AUTH. */
    const char *service = s->flow_exps ? "SMTPSVC" : "smtp";
    /* No SASL security layer: Exchange never wraps SMTP after GSSAPI, and the
     * lab would not unwrap the commands that follow. */
    sasl_security_properties_t sp = {.min_ssf = 0, .max_ssf = 0};
    if (sasl_server_new(service, s->srv->sc->hostname, NULL, NULL, NULL, ls->cbs, 0, &ls->conn)
        != SASL_OK || sasl_setprop(ls->conn, SASL_SEC_PROPS, &sp) != SASL_OK) {
        if (ls->conn)
            sasl_dispose(&ls->conn);
        free(ls);
        return NULL;
    }
    lab_krb *k = s->srv->krb;
    if (k) {
        int which = s->flow_exps ? KRB_EXPS : KRB_AUTH;
        if (k->cred[which] == GSS_C_NO_CREDENTIAL)
            ls->no_cred = k->why[which];
        else if (sasl_setprop(ls->conn, SASL_GSS_CREDS, k->cred[which]) != SASL_OK) {
            sasl_dispose(&ls->conn);
            free(ls);
            return NULL;
        }
    }
    return ls;
}

void lab_sasl_conn_free(void *conn)
{
    lab_sasl *ls = conn;
    if (!ls)
        return;
    sasl_dispose(&ls->conn);
    free(ls);
}

int lab_sasl_step(lab_session *s, const char *mech, const char *in, unsigned inlen, bool start,
                  const char **out, unsigned *outlen, const char **user)
{
    lab_sasl *ls = s->sasl;
    *out = NULL;
    *outlen = 0;
    start = start || !ls->started;
    ls->started = true;
    last_failure[0] = '\0';
    if (ls->no_cred && !strcasecmp(mech, "GSSAPI")) {
        snprintf(ls->detail, sizeof ls->detail, "%s", ls->no_cred);
        return -1;
    }
    int rc = start ? sasl_server_start(ls->conn, mech, in, inlen, out, outlen)
                   : sasl_server_step(ls->conn, in, inlen, out, outlen);
    if (rc == SASL_CONTINUE)
        return 0;
    if (rc != SASL_OK) {
        const char *d = sasl_errdetail(ls->conn);
        snprintf(ls->detail, sizeof ls->detail, "%s%s%s", d ? d : "",
                 *last_failure && d ? ": " : "", last_failure);
        return -1;
    }
    const void *u = NULL;
    if (sasl_getprop(ls->conn, SASL_USERNAME, &u) != SASL_OK || !u)
        return -1;
    *user = u;
    return 1;
}

const char *lab_sasl_detail(lab_session *s)
{
    lab_sasl *ls = s->sasl;
    return ls ? ls->detail : "";
}
