/* triage: which article a pasted text belongs to, and what it says.
 * Matching uses the articles' own patterns, so the knowledge base decides
 * where a text enters; this file only knows how to pull fields out of the
 * usual Exchange texts and what their error codes mean. */
#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "kb/triage.h"
#include "base/util.h"

/* Windows SSPI and Kerberos codes seen in Exchange's authentication events
 * (MS-ERREF, RFC 4120 7.5.9; MIT's com_err value is code - 1765328384). */
static const struct { const char *keys; const char *text; } triage_codes[] = {
    {"0x8009030c LogonDenied SEC_E_LOGON_DENIED",
     "SEC_E_LOGON_DENIED: the logon was denied - the server refused the credentials "
     "(computer account password, secure channel: nltest /sc_verify)"},
    {"0x80090308 InvalidToken SEC_E_INVALID_TOKEN",
     "SEC_E_INVALID_TOKEN: the authentication token was refused as invalid - often a ticket "
     "for the wrong account (duplicate or misplaced SPN) or a stale computer password"},
    {"0x8009030e NoCredentials SEC_E_NO_CREDENTIALS",
     "SEC_E_NO_CREDENTIALS: no credentials were available - the sending service could not "
     "get a ticket (SPN, domain controller reachable, the computer account's password)"},
    {"0x80090303 TargetUnknown SEC_E_TARGET_UNKNOWN",
     "SEC_E_TARGET_UNKNOWN: no account holds the target's SPN (setspn -L <server>)"},
    {"0x80090311 NoAuthenticatingAuthority SEC_E_NO_AUTHENTICATING_AUTHORITY",
     "SEC_E_NO_AUTHENTICATING_AUTHORITY: no domain controller could be reached to "
     "authenticate (Kerberos ports 88/464, DC availability)"},
    {"0x80090322 WrongPrincipal SEC_E_WRONG_PRINCIPAL",
     "SEC_E_WRONG_PRINCIPAL: the ticket was issued for another account - a duplicate or "
     "misplaced SPN (setspn -X)"},
    {"0x80090324 TimeSkew SEC_E_TIME_SKEW",
     "SEC_E_TIME_SKEW: the clocks differ by more than Kerberos allows (5 minutes)"},
    {"0x80090326 IllegalMessage SEC_E_ILLEGAL_MESSAGE",
     "SEC_E_ILLEGAL_MESSAGE: the authentication message was refused as malformed; with "
     "ExchangeAuth typically clock skew, SPN or replication trouble (KB979174)"},
    {"KRB_AP_ERR_SKEW 0x25 -1765328347",
     "KRB_AP_ERR_SKEW (37): clock skew too great - more than 5 minutes"},
    {"KDC_ERR_S_PRINCIPAL_UNKNOWN -1765328377",
     "KDC_ERR_S_PRINCIPAL_UNKNOWN (7): the KDC knows no account with that SPN"},
    {"KDC_ERR_C_PRINCIPAL_UNKNOWN -1765328378",
     "KDC_ERR_C_PRINCIPAL_UNKNOWN (6): the client's account is unknown to the KDC"},
    {"KDC_ERR_PREAUTH_REQUIRED -1765328359",
     "KDC_ERR_PREAUTH_REQUIRED (25): pre-authentication required (normal first answer)"},
    {"KRB_AP_ERR_MODIFIED 0x29 -1765328343",
     "KRB_AP_ERR_MODIFIED (41): the ticket did not decrypt on the server - the SPN is on "
     "another account (duplicate: setspn -X) or the server's key changed (replication)"},
    {"KRB_AP_ERR_BAD_INTEGRITY -1765328353",
     "KRB_AP_ERR_BAD_INTEGRITY (31): the ticket did not decrypt - a stale password or key"},
    {"KDC_ERR_WRONG_REALM -1765328316", "KDC_ERR_WRONG_REALM (68): wrong realm (domain)"},
    {NULL, NULL},
};

const char *triage_decode(const char *code)
{
    size_t n = strlen(code);
    for (size_t i = 0; n && triage_codes[i].keys; i++) {
        for (const char *p = triage_codes[i].keys; (p = util_stristr(p, code)) != NULL; p += n)
            if ((p == triage_codes[i].keys || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                return triage_codes[i].text;
    }
    return NULL;
}

/* Field extractors: the first capture group of the first matching regex. */
static const struct { const char *name; const char *re; int group; } triage_extract[] = {
    {"event_id", "Event ID:?[[:space:]]*([0-9]{3,5})", 1},
    {"remote_host", "remote host \"([^\"]+)\"", 1},
    {"client_ip", "client at \"([^\"]+)\"", 1},
    {"source_ip", "source IP address of the client[^[]*\\[([^]]+)\\]", 1},
    {"command", "SMTP command \"([^\"]+)\"", 1},
    {"command", "sent an? \"([^\"]+)\" command", 1},
    {"reply", "with \"([2-5][0-9][0-9][^\"]*)\"", 1},
    {"reply", "responded with:? \"([2-5][0-9][0-9][^\"]*)\"", 1},
    {"reply", "(^|[^0-9.])([2-5][0-9][0-9][ -][2-5]\\.[0-9]{1,3}\\.[0-9]{1,3}[^\"\n]*)", 2},
    {"reply", "^[[:space:]]*([2-5][0-9][0-9][ -][^\n]*)", 1},
    {"full_command", "full command sent was \"([^\"]+)\"", 1},
    {"exps_peer", "protocol security with[[:space:]]+\"([^\"]+)\"", 1},
    {"error_code", "(0x[0-9a-fA-F]{8})", 1},
    {"error_name", "failed with error ([A-Za-z]+)[[:space:]]+for", 1},
    {"connector", "((Receive|Send) connector [^.\n]+)\\.", 1},
    {"mechanism", "authentication mechanism is ([A-Za-z]+)", 1},
    {"target_spn", "target is ([A-Za-z]+/[^[:space:]]*[^.[:space:]])", 1},
    {"last_endpoint", "last endpoint attempted was ([^[:space:]]*[^.[:space:]])", 1},
    {"queue_last_error", "\\{LED=([^}]*)\\}", 1},
    {"queue_fqdn", "\\{FQDN=([^}]*)\\}", 1},
    {"queue_ip", "\\{IP=([^}]*)\\}", 1},
    {"queue_retry", "\\{LRT=([^}]*)\\}", 1},
    {"kerberos_error", "(KRB_AP_ERR_[A-Z_]+|KDC_ERR_[A-Z_]+)", 1},
    {NULL, NULL, 0},
};

const char *triage_field_get(const triage_result *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, name) == 0)
            return r->fields[i].value;
    return NULL;
}

static void add_field(triage_result *r, const char *name, const char *s, size_t n)
{
    if (r->nfields == TRIAGE_MAX_FIELDS || triage_field_get(r, name))
        return;
    char *raw = xstrndup(s, n);
    /* Pasted text may hold anything: keep it printable. */
    r->fields[r->nfields].name = name;
    r->fields[r->nfields].value = util_escape(raw, strlen(raw));
    r->nfields++;
    free(raw);
}

static void extract_fields(const char *text, triage_result *r)
{
    for (size_t i = 0; triage_extract[i].name; i++) {
        if (triage_field_get(r, triage_extract[i].name))
            continue;
        regex_t re;
        if (regcomp(&re, triage_extract[i].re, REG_EXTENDED | REG_ICASE | REG_NEWLINE) != 0)
            continue;
        regmatch_t m[3];
        if (regexec(&re, text, 3, m, 0) == 0) {
            int g = triage_extract[i].group;
            if (m[g].rm_so >= 0)
                add_field(r, triage_extract[i].name, text + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        }
        regfree(&re);
    }
}

/* Event texts often lack the "Event ID:" line: name the event by its words. */
static void infer_event(const char *text, triage_result *r)
{
    static const struct { const char *words, *id; } ev[] = {
        {"responded to the SMTP command", "7004"}, {"sent a \"", "7010"},
        {"EXPS is temporarily unable", "1706"}, {"Inbound authentication failed", "1035"},
        {"Outbound authentication failed", "2017"}, {NULL, NULL},
    };
    if (triage_field_get(r, "event_id"))
        return;
    for (size_t i = 0; ev[i].words; i++)
        if (util_stristr(text, ev[i].words)) {
            add_field(r, "event_id", ev[i].id, strlen(ev[i].id));
            return;
        }
}

void triage_run(const char *text, kb_article *const *kbs, size_t nkbs, triage_result *out)
{
    memset(out, 0, sizeof *out);
    int best = -1;
    for (size_t k = 0; k < nkbs; k++) {
        for (size_t i = 0; i < kbs[k]->npatterns; i++) {
            const kb_pattern *p = &kbs[k]->patterns[i];
            if (!p->has_re || p->weight <= best || regexec(&p->re, text, 0, NULL, 0) != 0)
                continue;
            best = p->weight;
            out->kb = kbs[k];
            out->pattern = p;
            out->step = kb_step_find(kbs[k], p->step);
        }
    }
    /* No pattern, no article: a guess from shared words would send an
     * admin down an article that does not apply. */
    out->matched = out->pattern != NULL;
    extract_fields(text, out);
    infer_event(text, out);
}

void triage_result_free(triage_result *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i].value);
    memset(r, 0, sizeof *r);
}
