/* lab_scenario: kb/labs/NAME.ini -> lab_scenario, through libinih.
 * The file is read with ini_parse_stream() and our own line reader so that
 * every refusal can name the line it is about ("file:line: reason").  Unknown
 * sections and keys are refused too: a typo in a lab must not silently give a
 * healthy server. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "kb/kb.h"
#include "lab/lab_scenario.h"
#include "base/names.h"
#include "base/util.h"


static const char *const mech_names[LAB_NMECH] = {"PLAIN", "LOGIN", "NTLM", "GSSAPI", "EXCHANGEAUTH"};

int lab_mech_index(const char *name)
{
    for (int i = 0; i < LAB_NMECH; i++)
        if (util_strieq(name, mech_names[i]))
            return i;
    return -1;
}

const char *lab_mech_name(int index)
{
    return index >= 0 && index < LAB_NMECH ? mech_names[index] : "?";
}

typedef struct load_ctx {
    lab_scenario *s;
    FILE *f;
    char *buf;           /* getline()'s buffer */
    size_t bufcap;
    int line;            /* line the reader returned last */
    int scenario_line;   /* first line seen in [scenario], for missing keys */
    char *reason;        /* first error */
    int err_line;
    strbuf seen;         /* "\nsection\nkey\n" pairs already set */
    bool have_product;
} load_ctx;

static int bad(load_ctx *c, const char *fmt, const char *a, const char *b)
{
    if (!c->reason) {
        c->reason = xasprintf(fmt, a, b);
        c->err_line = c->line;
    }
    return 0;
}

/* libinih reads into a buffer of num bytes (INI_MAX_LINE, 200 in its default
 * build): fgets() into it would split a longer line, and inih would count
 * and parse each piece as a line of its own.  Read whole lines instead and
 * refuse a line that does not fit, naming it. */
static char *reader(char *str, int num, void *stream)
{
    load_ctx *c = stream;
    ssize_t n = getline(&c->buf, &c->bufcap, c->f);
    if (n < 0)
        return NULL;
    c->line++;
    /* inih needs no line end (it strips trailing space itself) */
    if (n && c->buf[n - 1] == '\n')
        n--;
    if (n && c->buf[n - 1] == '\r')
        n--;
    if (n >= num) {
        char max[24];
        snprintf(max, sizeof max, "%d", num - 1);
        bad(c, "line longer than %s characters%s", max, "");
        return NULL;
    }
    memcpy(str, c->buf, (size_t)n);
    str[n] = '\0';
    return str;
}

static bool parse_bool(const char *v, bool *out)
{
    if (util_strieq(v, "yes") || util_strieq(v, "true") || util_strieq(v, "on") || !strcmp(v, "1"))
        *out = true;
    else if (util_strieq(v, "no") || util_strieq(v, "false") || util_strieq(v, "off") || !strcmp(v, "0"))
        *out = false;
    else
        return false;
    return true;
}

static bool parse_long(const char *v, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

/* "235", "ok", ... for AUTH-like answers; "354", ... for XEXCH50. */
static lab_answer parse_answer(const char *v, bool xexch50)
{
    static const struct { const char *word; lab_answer a; bool x; } t[] = {
        {"235", LAB_ANS_235, false}, {"ok", LAB_ANS_235, false},
        {"535", LAB_ANS_535, false}, {"denied", LAB_ANS_535, false},
        {"454", LAB_ANS_454, false}, {"tempfail", LAB_ANS_454, false},
        {"504", LAB_ANS_504, false}, {"unrecognized", LAB_ANS_504, false},
        {"354", LAB_ANS_354, true}, {"accept", LAB_ANS_354, true},
        {"504", LAB_ANS_504, true}, {"need-auth", LAB_ANS_504, true},
        {"505", LAB_ANS_505, true}, {"500", LAB_ANS_500, true}, {"not-enabled", LAB_ANS_500, true},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].x == xexch50 && util_strieq(v, t[i].word))
            return t[i].a;
    return LAB_ANS_UNSET;
}

/* "GSSAPI NTLM LOGIN" -> bits. */
static bool parse_mechs(const char *v, unsigned *bits)
{
    *bits = 0;
    if (util_strieq(v, "none") || !*v)
        return true;
    char *copy = xstrdup(v), *save = NULL;
    bool ok = true;
    for (char *tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
        int i = lab_mech_index(tok);
        if (i < 0 || (*bits & (1u << i))) {
            ok = false;
            break;
        }
        *bits |= 1u << i;
    }
    free(copy);
    return ok;
}

/* The names the lab announces pass the checks the probes apply to them. */
static bool valid_hostname(const char *v)
{
    return names_host(v, strlen(v), NULL);
}

static bool valid_netbios(const char *v)
{
    size_t n = strlen(v);
    if (!n || n > 15)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
            return false;
    return true;
}


static char **str_slot(lab_scenario *s, const char *name)
{
    static const struct { const char *key; size_t off; } t[] = {
        {"description", offsetof(lab_scenario, description)},
        {"hostname", offsetof(lab_scenario, hostname)},
        {"netbios_computer", offsetof(lab_scenario, nb_computer)},
        {"netbios_domain", offsetof(lab_scenario, nb_domain)},
        {"dns_domain", offsetof(lab_scenario, dns_domain)},
        {"dns_tree", offsetof(lab_scenario, dns_tree)},
        {"smtp_version", offsetof(lab_scenario, smtp_version)},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(name, t[i].key))
            return (char **)((char *)s + t[i].off);
    return NULL;
}

static int key_scenario_str(load_ctx *c, const char *name, const char *value, char **slot)
{
    if (!*value)
        return bad(c, "'%s' is empty%s", name, "");
    if (!strcmp(name, "hostname") || !strcmp(name, "dns_domain") || !strcmp(name, "dns_tree")) {
        if (!valid_hostname(value))
            return bad(c, "'%s' is not a DNS name: %s", name, value);
    } else if (!strncmp(name, "netbios_", 8) && !valid_netbios(value)) {
        return bad(c, "'%s' is not a NetBIOS name (1-15 letters, digits, - or _): %s", name, value);
    }
    *slot = xstrdup(value);
    return 1;
}

static int key_scenario(load_ctx *c, const char *name, const char *value)
{
    lab_scenario *s = c->s;
    char **slot = str_slot(s, name);
    long long n;
    if (slot)
        return key_scenario_str(c, name, value, slot);
    if (!strcmp(name, "product")) {
        if (!strcmp(value, "exchange-2003"))
            s->product = LAB_E2003;
        else if (!strcmp(value, "exchange-2007+"))
            s->product = LAB_E2007;
        else if (!strcmp(value, "exchange-5.5"))
            s->product = LAB_E55;
        else if (!strcmp(value, "postfix"))
            s->product = LAB_POSTFIX;
        else if (!strcmp(value, "exim"))
            s->product = LAB_EXIM;
        else if (!strcmp(value, "sendmail"))
            s->product = LAB_SENDMAIL;
        else
            return bad(c, "unknown product '%s'%s (exchange-2003, exchange-2007+, exchange-5.5, "
                          "postfix, exim, sendmail)", value, "");
        c->have_product = true;
    } else if (!strcmp(name, "article")) {
        if (strcmp(value, "none") != 0 &&
            (strlen(value) < 4 || strlen(value) > 8 || strspn(value, "0123456789") != strlen(value)))
            return bad(c, "article is the number of the KB article the scenario plays "
                          "(843106), or none, not '%s'%s", value, "");
        free(s->article);
        s->article = strcmp(value, "none") ? xstrdup(value) : NULL;
    } else if (!strcmp(name, "os_version")) {
        unsigned a, b, d;
        char extra;
        if (sscanf(value, "%u.%u.%u%c", &a, &b, &d, &extra) != 3 || a > 255 || b > 255 || d > 65535)
            return bad(c, "os_version must be MAJOR.MINOR.BUILD (like 6.1.7601), not '%s'%s", value, "");
        s->os_major = a, s->os_minor = b, s->os_build = d;
    } else if (!strcmp(name, "clock_offset")) {
        if (!parse_long(value, -315360000, 315360000, &n))
            return bad(c, "clock_offset must be whole seconds within +-10 years, not '%s'%s", value, "");
        s->clock_offset = (long)n;
    } else if (!strcmp(name, "idle_timeout")) {
        if (!parse_long(value, 1, 86400, &n))
            return bad(c, "idle_timeout must be whole seconds, 1 to 86400, not '%s'%s", value, "");
        s->idle_timeout = (long)n;
    } else if (!strcmp(name, "timezone")) {
        int sign = value[0] == '-' ? -1 : 1;
        if ((value[0] != '+' && value[0] != '-') || strlen(value) != 5 ||
            strspn(value + 1, "0123456789") != 4)
            return bad(c, "timezone must look like +0000 or -0700, not '%s'%s", value, "");
        int hh = (value[1] - '0') * 10 + (value[2] - '0'), mm = (value[3] - '0') * 10 + (value[4] - '0');
        if (hh > 14 || mm > 59)
            return bad(c, "timezone out of range: %s%s", value, "");
        s->tz_offset_min = sign * (hh * 60 + mm);
    } else if (!strcmp(name, "banner_case")) {
        if (strcmp(value, "upper") && strcmp(value, "normal"))
            return bad(c, "banner_case is 'normal' or 'upper', not '%s'%s", value, "");
        s->upper_banner = !strcmp(value, "upper");
    } else if (!strcmp(name, "middlebox")) {
        if (strcmp(value, "none") && strcmp(value, "pix-fixup"))
            return bad(c, "unknown middlebox '%s'%s (none or pix-fixup)", value, "");
        s->pix_fixup = !strcmp(value, "pix-fixup");
    } else if (!strcmp(name, "greeting")) {
        if (strcmp(value, "220") && strcmp(value, "421"))
            return bad(c, "greeting is 220 (ready) or 421 (service not available), not '%s'%s",
                       value, "");
        s->greet_421 = !strcmp(value, "421");
    } else if (!strcmp(name, "back_pressure")) {
        if (!parse_bool(value, &s->back_pressure))
            return bad(c, "'%s' must be yes or no, not '%s'", name, value);
    } else if (!strcmp(name, "hostile")) {
        static const char *const h[] = {"none", "ansi-banner", "endless-line", "slow-drip",
                                        "huge-ehlo", "early-close", "tls-garbage", "never-greets"};
        for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
            if (!strcmp(value, h[i])) {
                s->hostile = (lab_hostile)i;
                return 1;
            }
        return bad(c, "unknown hostile behaviour '%s'%s", value, "");
    } else {
        return bad(c, "unknown key '%s' in [%s]", name, "scenario");
    }
    return 1;
}

static int key_tls(load_ctx *c, const char *name, const char *value)
{
    bool b;
    bool *slot = !strcmp(name, "starttls") ? &c->s->tls
               : !strcmp(name, "anonymous_tls") ? &c->s->anonymous_tls : NULL;
    if (!slot)
        return bad(c, "unknown key '%s' in [%s]", name, "tls");
    if (!parse_bool(value, &b))
        return bad(c, "'%s' must be yes or no, not '%s'", name, value);
    *slot = b;
    return 1;
}

static int key_ehlo(load_ctx *c, const char *name, const char *value)
{
    bool b;
    long long n;
    if (!strcmp(name, "size")) {
        if (!parse_long(value, 0, 2147483647LL, &n))
            return bad(c, "'%s' must be a byte count, not '%s'", name, value);
        c->s->size_limit = n;
        return 1;
    }
    bool *slot = !strcmp(name, "xrdst") ? &c->s->xrdst
               : !strcmp(name, "link2state") ? &c->s->link2state
               : !strcmp(name, "exchangeauth") ? &c->s->exchangeauth : NULL;
    if (!slot)
        return bad(c, "unknown key '%s' in [%s]", name, "ehlo");
    if (!parse_bool(value, &b))
        return bad(c, "'%s' must be yes or no, not '%s'", name, value);
    *slot = b;
    return 1;
}

/* "auth_ntlm" / "exps_gssapi" -> the slot in an answer table. */
static lab_answer *mech_answer_slot(const char *name, lab_answer *auth, lab_answer *exps)
{
    lab_answer *tab = !strncmp(name, "auth_", 5) ? auth : !strncmp(name, "exps_", 5) ? exps : NULL;
    if (!tab)
        return NULL;
    int i = lab_mech_index(name + 5);
    if (i < 0 || (tab == auth && (i == 0 || i == 1)))
        return NULL;   /* AUTH PLAIN/LOGIN answers come from the password check */
    return &tab[i];
}

static int key_auth(load_ctx *c, const char *name, const char *value)
{
    lab_scenario *s = c->s;
    struct { const char *key; unsigned *bits; } lists[] = {
        {"before_tls", &s->auth_before},
        {"after_tls", &s->auth_after},
        {"exps_before_tls", &s->exps_before},
        {"exps_after_tls", &s->exps_after},
    };
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(name, lists[i].key)) {
            if (!parse_mechs(value, lists[i].bits))
                return bad(c, "'%s': unknown or repeated mechanism in '%s' "
                              "(known: PLAIN LOGIN NTLM GSSAPI EXCHANGEAUTH, or none)", name, value);
            return 1;
        }
    if (!strcmp(name, "exps_accounts")) {
        if (strcmp(value, "any") && strcmp(value, "server"))
            return bad(c, "exps_accounts is 'any' or 'server', not '%s'%s", value, "");
        s->exps_server_only = !strcmp(value, "server");
        return 1;
    }
    lab_answer *slot = mech_answer_slot(name, s->mech_default, s->exps_default);
    if (!slot)
        return bad(c, "unknown key '%s' in [%s]", name, "auth");
    if ((*slot = parse_answer(value, false)) == LAB_ANS_UNSET)
        return bad(c, "'%s' must be 235, 535, 454 or 504, not '%s'", name, value);
    return 1;
}

static int key_xexch50(load_ctx *c, const char *name, const char *value)
{
    lab_scenario *s = c->s;
    if (!strcmp(name, "offered")) {
        if (!parse_bool(value, &s->xexch50_offered))
            return bad(c, "'%s' must be yes or no, not '%s'", name, value);
        return 1;
    }
    lab_answer *slot = !strcmp(name, "unauth") ? &s->xexch50_unauth
                     : !strcmp(name, "auth") ? &s->xexch50_auth : NULL;
    if (!slot)
        return bad(c, "unknown key '%s' in [%s]", name, "xexch50");
    if ((*slot = parse_answer(value, true)) == LAB_ANS_UNSET)
        return bad(c, "'%s' must be 354, 504, 505 or 500, not '%s'", name, value);
    return 1;
}

static int key_account(load_ctx *c, const char *user, const char *name, const char *value)
{
    lab_scenario *s = c->s;
    if (!*user || strlen(user) > 64 || strpbrk(user, " \t:"))
        return bad(c, "bad account name '%s'%s", user, "");
    lab_account *a = (lab_account *)lab_scenario_account(s, user);
    if (!a) {
        s->accounts = xrealloc(s->accounts, (s->naccounts + 1) * sizeof *s->accounts);
        a = &s->accounts[s->naccounts++];
        memset(a, 0, sizeof *a);
        a->user = xstrdup(user);
    }
    if (!strcmp(name, "password")) {
        if (!*value || strlen(value) > 128)
            return bad(c, "account '%s': the password must be 1-128 characters%s", user, "");
        a->password = xstrdup(value);
        return 1;
    }
    if (!strcmp(name, "server")) {
        if (!parse_bool(value, &a->server))
            return bad(c, "'%s' must be yes or no, not '%s'", name, value);
        return 1;
    }
    bool x = !strcmp(name, "xexch50");
    lab_answer *slot = x ? &a->xexch50 : !strcmp(name, "auth") ? &a->auth
                     : mech_answer_slot(name, a->mech, a->exps);
    if (!slot)
        return bad(c, "unknown key '%s' in [account %s]", name, user);
    if ((*slot = parse_answer(value, x)) == LAB_ANS_UNSET)
        return bad(c, "'%s' has an answer this key does not take: '%s'", name, value);
    if (!x && *slot == LAB_ANS_504)
        return bad(c, "'%s' = 504: 504 refuses the AUTH/X-EXPS command before any account is "
                      "known; set it in [auth]%s", name, "");
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *c = user;
    if (c->reason)
        return 0;
    char *tag = xasprintf("\n%s\n%s\n", section, name);
    bool dup = c->seen.buf && strstr(c->seen.buf, tag);
    sb_puts(&c->seen, tag);
    free(tag);
    if (dup)
        return bad(c, "key '%s' is set twice in [%s]", name, section);
    if (!strcmp(section, "scenario")) {
        if (!c->scenario_line)
            c->scenario_line = c->line;
        return key_scenario(c, name, value);
    }
    if (!strcmp(section, "tls"))
        return key_tls(c, name, value);
    if (!strcmp(section, "ehlo"))
        return key_ehlo(c, name, value);
    if (!strcmp(section, "auth"))
        return key_auth(c, name, value);
    if (!strcmp(section, "xexch50"))
        return key_xexch50(c, name, value);
    if (!strncmp(section, "account ", 8))
        return key_account(c, section + 8, name, value);
    return bad(c, "unknown section [%s]%s", section,
               " (known: scenario, tls, ehlo, auth, xexch50, account NAME)");
}

static void set_defaults(lab_scenario *s)
{
    s->tls = true;
    s->size_limit = -1;
    s->idle_timeout = 120;
    for (int i = 0; i < LAB_NMECH; i++)
        s->mech_default[i] = s->exps_default[i] = LAB_ANS_235;
    s->xexch50_offered = true;
}

static void add_account(lab_scenario *s, const char *user, bool server)
{
    s->accounts = xrealloc(s->accounts, (s->naccounts + 1) * sizeof *s->accounts);
    lab_account *a = &s->accounts[s->naccounts++];
    memset(a, 0, sizeof *a);
    a->user = xstrdup(user);
    a->password = xstrdup(LAB_PASSWORD);
    a->server = server;
}

static void product_defaults(lab_scenario *s, const char *seen)
{
    static const struct { unsigned maj, min, build; const char *ver; } d[] = {
        [LAB_E2003] = {5, 2, 3790, "6.0.3790.3959"},
        [LAB_E2007] = {6, 1, 7601, "14.3.123.4"},
        [LAB_E55] = {4, 0, 1381, "5.5.2657.72"},
        [LAB_POSTFIX] = {0, 0, 0, "3.7.11"},
        [LAB_EXIM] = {0, 0, 0, "4.96"},
        [LAB_SENDMAIL] = {0, 0, 0, "8.17.1.9/8.17.1.9/Debian-2+deb12u2"},
    };
    /* Other products know nothing of Exchange's verbs */
    if (!LAB_IS_EXCHANGE(s->product))
        s->xexch50_offered = false;   /* check() refused an explicit yes */
    if (!s->os_major && !s->os_minor && !s->os_build) {
        s->os_major = d[s->product].maj;
        s->os_minor = d[s->product].min;
        s->os_build = d[s->product].build;
    }
    if (!s->xexch50_unauth)
        s->xexch50_unauth = s->product == LAB_E55 ? LAB_ANS_505 : LAB_ANS_504;
    if (!s->xexch50_auth)
        s->xexch50_auth = s->product == LAB_E55 ? LAB_ANS_505 : LAB_ANS_354;
    if (s->product == LAB_E55 && !(seen && strstr(seen, "\nxexch50\noffered\n")))
        s->xexch50_offered = false;
    /* XRDST comes with Exchange Server authentication on the connector */
    if (s->product == LAB_E2007 && !(seen && strstr(seen, "\nehlo\nxrdst\n")))
        s->xrdst = s->xexch50_offered || s->anonymous_tls || s->exps_before || s->exps_after;
    if (s->product == LAB_E2003 && !(seen && strstr(seen, "\nehlo\nlink2state\n")))
        s->link2state = true;
    if (!s->smtp_version)
        s->smtp_version = xstrdup(d[s->product].ver);
    if (s->size_limit < 0)
        s->size_limit = s->product == LAB_E2007 ? 37748736 : 0;
    if (!s->nb_computer) {
        size_t n = strcspn(s->hostname, ".");
        s->nb_computer = xstrndup(s->hostname, n > 15 ? 15 : n);
        util_upper(s->nb_computer);
    }
    const char *dot = strchr(s->hostname, '.');
    if (!s->dns_domain)
        s->dns_domain = xstrdup(dot ? dot + 1 : s->hostname);
    if (!s->dns_tree)
        s->dns_tree = xstrdup(s->dns_domain);
    if (!s->nb_domain) {
        size_t n = strcspn(s->dns_domain, ".");
        s->nb_domain = xstrndup(s->dns_domain, n > 15 ? 15 : n);
        util_upper(s->nb_domain);
    }
    if (!lab_scenario_account(s, LAB_USER))
        add_account(s, LAB_USER, false);
    if (!lab_scenario_account(s, LAB_SERVER_USER))
        add_account(s, LAB_SERVER_USER, true);
}

static const char *check(const lab_scenario *s, bool have_product, const char *seen)
{
    if (!s->description)
        return "[scenario] needs a description";
    if (!have_product)
        return "[scenario] needs a product (exchange-2003, exchange-2007+ or exchange-5.5)";
    if (!s->hostname)
        return "[scenario] needs a hostname";
    if (!s->tls && (s->auth_after || s->exps_after || s->anonymous_tls))
        return "tls is off, yet mechanisms after TLS or anonymous_tls are set";
    if (s->anonymous_tls && s->product != LAB_E2007)
        return "anonymous_tls (X-ANONYMOUSTLS) exists only on exchange-2007+";
    if (!LAB_IS_EXCHANGE(s->product)) {
        bool xexch50 = s->xexch50_offered && seen && strstr(seen, "\nxexch50\noffered\n");
        if (s->exps_before || s->exps_after || xexch50 || s->exchangeauth)
            return "X-EXPS, XEXCH50 and X-EXCHANGEAUTH exist only on Exchange products";
        if ((s->auth_before | s->auth_after) & ~(unsigned)(LAB_M_PLAIN | LAB_M_LOGIN))
            return "postfix, exim and sendmail play AUTH PLAIN and LOGIN only";
        if (s->pix_fixup || s->back_pressure)
            return "middlebox and back_pressure are played in front of Exchange products only";
    }
    if ((s->exps_before | s->exps_after) & (1u << 4) && s->product != LAB_E2007)
        return "X-EXPS EXCHANGEAUTH exists only on exchange-2007+";
    for (size_t i = 0; i < s->naccounts; i++)
        if (!s->accounts[i].password)
            return "an [account NAME] section has no password";
    if (s->product == LAB_E2007)
        for (int m = 0; m < LAB_NMECH; m++) {
            bool denied = s->exps_default[m] == LAB_ANS_535;
            for (size_t i = 0; i < s->naccounts; i++)
                denied |= s->accounts[i].exps[m] == LAB_ANS_535;
            if (denied)
                return "exchange-2007+ answers a failed X-EXPS with 454 4.7.0 and a disconnect, "
                       "never 535 (exps_* = 454)";
        }
    return NULL;
}

lab_scenario *lab_scenario_load(const char *path, char **err)
{
    load_ctx c = {0};
    c.f = fopen(path, "r");
    if (!c.f) {
        *err = xasprintf("%s:0: cannot open the scenario: %s", path, strerror(errno));
        return NULL;
    }
    lab_scenario *s = xcalloc(1, sizeof *s);
    c.s = s;
    set_defaults(s);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    s->name = xstrndup(base, blen > 4 && !strcmp(base + blen - 4, ".ini") ? blen - 4 : blen);
    int rc = ini_parse_stream(reader, &c, handler, &c);
    fclose(c.f);
    free(c.buf);
    const char *why = NULL;
    if (rc == 0 && !c.reason)
        why = check(s, c.have_product, c.seen.buf);
    if (rc != 0 || c.reason || why) {
        /* the first error wins: inih's rc is the first line it refused, ours
         * or its own syntax error */
        bool syntax = rc > 0 && (!c.reason || rc < c.err_line);
        int line = syntax ? rc : c.reason ? c.err_line : c.scenario_line ? c.scenario_line : 1;
        *err = xasprintf("%s:%d: %s", path, line,
                         !syntax && c.reason ? c.reason : !syntax && why ? why
                         : "not INI syntax (expected [section] or key = value)");
        free(c.reason);
        sb_free(&c.seen);
        lab_scenario_free(s);
        return NULL;
    }
    product_defaults(s, c.seen.buf);
    sb_free(&c.seen);
    return s;
}

const lab_account *lab_scenario_account(const lab_scenario *s, const char *user)
{
    for (size_t i = 0; i < s->naccounts; i++)
        if (!strcmp(s->accounts[i].user, user))
            return &s->accounts[i];
    return NULL;
}

const lab_account *lab_scenario_logon(const lab_scenario *s, const char *user)
{
    if (!user)
        return NULL;
    const char *bs = strrchr(user, '\\');
    const char *name = bs ? bs + 1 : user;
    size_t n = strcspn(name, "@");
    for (size_t i = 0; i < s->naccounts; i++)
        if (strlen(s->accounts[i].user) == n && util_strnieq(s->accounts[i].user, name, n))
            return &s->accounts[i];
    return NULL;
}

lab_answer lab_scenario_xexch50_after_auth(const lab_scenario *s, const lab_account *a)
{
    if (a && a->xexch50)
        return a->xexch50;
    if (a && a->server)
        return s->xexch50_auth;
    /* Exchange grants XEXCH50 to its servers' identities only */
    return s->xexch50_auth == LAB_ANS_354 ? LAB_ANS_504 : s->xexch50_auth;
}

bool lab_scenario_exps_allowed(const lab_scenario *s, const lab_account *a)
{
    return !s->exps_server_only || (a && a->server);
}

void lab_scenario_free(lab_scenario *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->description);
    free(s->article);
    free(s->hostname);
    free(s->nb_computer);
    free(s->nb_domain);
    free(s->dns_domain);
    free(s->dns_tree);
    free(s->smtp_version);
    for (size_t i = 0; i < s->naccounts; i++) {
        free(s->accounts[i].user);
        free(s->accounts[i].password);
    }
    free(s->accounts);
    free(s);
}

/* The scenarios live in the knowledge base's labs/: one lookup (kb.c) for
 * the articles and the labs, so --kb-dir and $SMTPWIZ_KBDIR move both. */
char *lab_scenarios_dir(const char *explicit_dir)
{
    if (explicit_dir)
        return xstrdup(explicit_dir);
    char *kb = kb_dir_find(NULL);
    char *d = xasprintf("%s/labs", kb);
    free(kb);
    return d;
}
