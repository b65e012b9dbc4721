/* lab_auth: AUTH (RFC 4954) and Exchange's X-EXPS as the lab answers them.
 * PLAIN and LOGIN go through Cyrus SASL (lab_sasl.c) and the scenario's
 * accounts; NTLM gets a real type-2 challenge carrying the scenario's names,
 * OS version and clock; EXCHANGEAUTH tokens are not verified - the scenario
 * decides the answer, per account or per mechanism.  GSSAPI is the same
 * unless the lab runs in Kerberos mode (--keytab): then the Cyrus GSSAPI
 * plugin verifies the ticket and the exchange itself decides, 235 or
 * Exchange's 454 4.7.0 and a disconnect. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "lab/lab_int.h"
#include "proto/ntlm.h"

#define M_PLAIN 0
#define M_LOGIN 1
#define M_NTLM 2
#define M_GSSAPI 3
#define M_EXCHANGEAUTH 4

void lab_auth_end(lab_session *s)
{
    lab_sasl_conn_free(s->sasl);
    s->sasl = NULL;
    s->flow = FLOW_NONE;
}

/* A failed exchange (wrong password, bad ticket, malformed message): X-EXPS
 * on 2007+ and Kerberos mode answer as Exchange does, 454 and a disconnect. */
static lab_answer failure(const lab_session *s)
{
    if (s->flow_mech == M_GSSAPI && s->srv->kerberos)
        return LAB_ANS_454;
    return s->flow_exps && s->srv->sc->product == LAB_E2007 ? LAB_ANS_454 : LAB_ANS_535;
}

/* The answer the scenario gives once the exchange is complete. */
static lab_answer scenario_answer(lab_session *s, const lab_account *a, bool pw_ok)
{
    const lab_scenario *sc = s->srv->sc;
    int m = s->flow_mech;
    bool password_mech = m == M_PLAIN || m == M_LOGIN;
    bool real_ticket = m == M_GSSAPI && s->srv->kerberos;
    if ((password_mech || real_ticket) && !pw_ok)
        return failure(s);
    /* a front end on port 25 lets only the servers' identities use X-EXPS */
    if (s->flow_exps && !lab_scenario_exps_allowed(sc, a))
        return failure(s);
    if (real_ticket)
        return LAB_ANS_235;
    if (s->flow_exps) {
        if (a && a->exps[m])
            return a->exps[m];
        return sc->exps_default[m];
    }
    if (password_mech)
        return a && a->auth ? a->auth : LAB_ANS_235;
    if (a && a->mech[m])
        return a->mech[m];
    return sc->mech_default[m];
}

static void conclude(lab_session *s, const char *user, const lab_account *a, lab_answer ans)
{
    char *u = user ? util_escape(user, strlen(user)) : xstrdup("(unknown)");
    lab_log(s, "%s %s as %s: %s", s->flow_exps ? "X-EXPS" : "AUTH", lab_mech_name(s->flow_mech),
            u, lab_answer_text(ans));
    free(u);
    lab_auth_end(s);
    lab_out(s, "%s", ans == LAB_ANS_235 ? lab_text(s->srv->sc, LAB_T_AUTH_OK)
                     : ans == LAB_ANS_535 ? lab_text(s->srv->sc, LAB_T_AUTH_FAIL)
                     : lab_answer_text(ans));
    if (ans == LAB_ANS_235) {
        s->authed = true;
        s->acct = a;
    } else if (ans == LAB_ANS_454) {
        s->closing = true;
    } else if (++s->auth_failures >= 3) {
        lab_out(s, "421 4.7.0 Too many errors on this connection, closing transmission channel");
        s->closing = true;
    }
}

/* The exchange is complete: the password (PLAIN, LOGIN, Kerberos mode's
 * GSSAPI) was right or not; for the rest the scenario decides. */
static void finish(lab_session *s, const char *user, bool pw_ok)
{
    const lab_account *a = lab_scenario_logon(s->srv->sc, user);
    conclude(s, user, a, scenario_answer(s, a, pw_ok));
}

/* A message the lab cannot use: never the scenario's (successful) answer. */
static void fail_exchange(lab_session *s)
{
    conclude(s, NULL, NULL, failure(s));
}

/* Answer a decoded NTLM type-1 with our type-2. */
static void ntlm_type2(lab_session *s, const unsigned char *msg, long len)
{
    const lab_scenario *sc = s->srv->sc;
    if (len < 16 || memcmp(msg, "NTLMSSP\0", 8) || msg[8] != 1) {
        fail_exchange(s);
        return;
    }
    ntlm_challenge c;
    ntlm_challenge_init(&c);
    c.flags = 0xE2898215u;
    RAND_bytes(c.challenge, sizeof c.challenge);
    c.target_name = sc->nb_domain;
    c.nb_computer = sc->nb_computer;
    c.nb_domain = sc->nb_domain;
    c.dns_computer = sc->hostname;
    c.dns_domain = sc->dns_domain;
    c.dns_tree = sc->dns_tree;
    long long now = (long long)time(NULL) + sc->clock_offset;
    c.has_timestamp = true;
    c.unix_time = now;
    c.filetime = ((uint64_t)now + 11644473600ULL) * 10000000ULL;
    c.has_version = true;
    c.ver_major = sc->os_major;
    c.ver_minor = sc->os_minor;
    c.ver_build = sc->os_build;
    size_t tlen = 0;
    unsigned char *t2 = ntlm_build_type2(&c, &tlen);
    char *b64 = util_b64_encode(t2, tlen);
    lab_out(s, "334 %s", b64);
    free(b64);
    free(t2);
    s->flow = FLOW_NTLM3;
}

/* The user name of a type-3 AUTHENTICATE message (ASCII only), or NULL. */
static char *ntlm_type3_user(const unsigned char *m, long len)
{
    if (len < 52 || memcmp(m, "NTLMSSP\0", 8) || m[8] != 3)
        return NULL;
    unsigned ul = m[36] | m[37] << 8;
    unsigned long off = m[40] | m[41] << 8 | (unsigned long)m[42] << 16 | (unsigned long)m[43] << 24;
    if (ul == 0 || ul > 256 || off > (unsigned long)len || ul > (unsigned long)len - off)
        return NULL;
    bool unicode = len >= 64 && (m[60] & 1);
    char *u = xcalloc(ul + 1, 1);
    size_t n = 0;
    for (unsigned i = 0; i < ul; i += unicode ? 2 : 1) {
        unsigned char ch = m[off + i];
        if (unicode && i + 1 < ul && m[off + i + 1])
            ch = '?';
        u[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    return u;
}

static void sasl_round(lab_session *s, const unsigned char *in, unsigned inlen, bool start)
{
    const char *out = NULL, *user = NULL;
    unsigned outlen = 0;
    int rc = lab_sasl_step(s, lab_mech_name(s->flow_mech), (const char *)in, inlen, start,
                           &out, &outlen, &user);
    if (rc == 0) {
        char *b64 = util_b64_encode(out ? out : "", outlen);
        lab_out(s, "334 %s", b64);
        free(b64);
        s->flow = FLOW_MORE;
    } else if (rc == 1) {
        char *u = xstrndup(user, strcspn(user, "@"));
        finish(s, u, true);
        free(u);
    } else {
        if (s->flow_mech == M_GSSAPI)   /* the GSS error says which Kerberos fault */
            lab_log(s, "%s GSSAPI: %s", s->flow_exps ? "X-EXPS" : "AUTH", lab_sasl_detail(s));
        fail_exchange(s);
    }
}

static bool real_gssapi(const lab_session *s)
{
    return s->flow_mech == M_GSSAPI && s->srv->kerberos;
}

/* Continue the exchange with a decoded client message (NULL: none yet). */
static void step(lab_session *s, const unsigned char *msg, long len, bool start)
{
    switch (s->flow_mech) {
    case M_PLAIN:
    case M_LOGIN:
        sasl_round(s, msg, (unsigned)(msg ? len : 0), start);
        return;
    case M_NTLM:
        if (!msg) {
            lab_out(s, "334 NTLM supported");
            s->flow = FLOW_MORE;
        } else if (s->flow == FLOW_NTLM3) {
            char *u = ntlm_type3_user(msg, len);
            finish(s, u, false);
            free(u);
        } else {
            ntlm_type2(s, msg, len);
        }
        return;
    default:
        if (msg && real_gssapi(s)) {
            sasl_round(s, msg, (unsigned)len, start);
            return;
        }
        if (!msg) {
            lab_out(s, "334 %s", s->flow_mech == M_GSSAPI ? "GSSAPI supported" : "");
            s->flow = FLOW_MORE;
        } else {
            finish(s, NULL, false);
        }
    }
}

void lab_auth_start(lab_session *s, bool exps, char *args)
{
    while (*args == ' ')
        args++;
    char *mech = args, *initial = NULL;
    char *sp = strchr(args, ' ');
    if (sp) {
        *sp = '\0';
        initial = sp + 1;
    }
    if (!s->helo) {
        lab_out(s, "503 5.5.2 Send hello first");
        return;
    }
    if (s->authed) {
        lab_out(s, "503 5.5.2 Auth command already specified");
        return;
    }
    if (s->mail) {
        lab_out(s, "503 5.5.2 Not allowed during a mail transaction");
        return;
    }
    int m = lab_mech_index(mech);
    if (!*mech || m < 0 || !(lab_offered(s, exps) & (1u << m))) {
        lab_out(s, "504 5.7.4 Unrecognized authentication type");
        return;
    }
    /* A scenario's 504 refuses the command itself (reference: X-EXPS): no
     * 334, no exchange - in Kerberos mode too, since it is the connector
     * saying no, not a verdict on a ticket. */
    if ((exps ? s->srv->sc->exps_default[m] : s->srv->sc->mech_default[m]) == LAB_ANS_504) {
        lab_log(s, "%s %s: %s", exps ? "X-EXPS" : "AUTH", lab_mech_name(m),
                lab_answer_text(LAB_ANS_504));
        lab_out(s, "%s", lab_answer_text(LAB_ANS_504));
        return;
    }
    s->flow_mech = m;
    s->flow_exps = exps;
    if ((m == M_PLAIN || m == M_LOGIN || real_gssapi(s)) && !(s->sasl = lab_sasl_conn(s))) {
        lab_out(s, "454 4.7.0 Temporary authentication failure");
        return;
    }
    if (m == M_EXCHANGEAUTH && initial) {   /* "X-EXPS EXCHANGEAUTH SHA256 <blob>" */
        finish(s, NULL, false);
        return;
    }
    if (!initial) {
        step(s, NULL, 0, true);
        return;
    }
    unsigned char *msg = NULL;
    long len = strcmp(initial, "=") ? util_b64_decode(initial, strlen(initial), &msg) : 0;
    if (len < 0) {
        lab_auth_end(s);
        lab_out(s, "501 5.5.2 Cannot Base64-decode Client responses");
    } else {
        step(s, msg ? msg : (const unsigned char *)"", len, true);
    }
    free(msg);
}

void lab_auth_continue(lab_session *s, char *line, size_t len)
{
    if (len == 1 && line[0] == '*') {
        lab_auth_end(s);
        lab_out(s, "501 5.7.0 Authentication aborted");
        return;
    }
    unsigned char *msg = NULL;
    long n = len ? util_b64_decode(line, len, &msg) : 0;
    if (n < 0) {
        lab_auth_end(s);
        lab_out(s, "501 5.5.2 Cannot Base64-decode Client responses");
        free(msg);
        return;
    }
    step(s, msg ? msg : (const unsigned char *)"", n, false);
    free(msg);
}
