/* names: see names.h.  Each validator returns the first rule the name
 * breaks; the sentence is only built on failure. */
#include "config.h"

#include <stdlib.h>

#include "base/names.h"
#include "base/util.h"

/* How much of a bad name a finding quotes. */
#define NAMES_QUOTE_MAX 80

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool fail(char **why, const char *what, const char *s, size_t len, const char *reason)
{
    if (why) {
        char *q = util_escape_capped(s, len, NAMES_QUOTE_MAX);
        *why = xasprintf("the server announces an invalid %s: \"%s\" (%s)", what, q, reason);
        free(q);
    }
    return false;
}

size_t names_trim_dot(const char *s, size_t len)
{
    return len > 1 && s[len - 1] == '.' ? len - 1 : len;
}

/* The rules shared by host names, domains and realms. */
static bool dns_name(const char *s, size_t len, bool upper_only, const char *what, char **why)
{
    size_t n = names_trim_dot(s, len);
    if (n == 0 || (n == 1 && s[0] == '.'))
        return fail(why, what, s, len, "it is empty");
    if (n > NAMES_DNS_MAX)
        return fail(why, what, s, len, "it is longer than 253 characters");
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : '.';
        if (c == '.') {
            if (label == 0)
                return fail(why, what, s, len, "it has an empty label (a leading dot or two dots)");
            if (s[i - 1] == '-')
                return fail(why, what, s, len, "a label ends with a hyphen");
            label = 0;
            continue;
        }
        if (upper_only && c >= 'a' && c <= 'z')
            return fail(why, what, s, len, "it holds a lower-case letter; realms are upper case");
        if (!is_alpha(c) && !is_digit(c) && c != '-')
            return fail(why, what, s, len,
                        "it holds a character other than a letter, a digit, a hyphen or a dot");
        if (c == '-' && label == 0)
            return fail(why, what, s, len, "a label begins with a hyphen");
        if (++label > NAMES_LABEL_MAX)
            return fail(why, what, s, len, "a label is longer than 63 characters");
    }
    return true;
}

bool names_host(const char *s, size_t len, char **why)
{
    return dns_name(s, len, false, "host name", why);
}

bool names_domain(const char *s, size_t len, char **why)
{
    return dns_name(s, len, false, "DNS domain", why);
}

bool names_realm(const char *s, size_t len, char **why)
{
    if (len > 0 && s[len - 1] == '.')
        return fail(why, "Kerberos realm", s, len, "it ends with a dot");
    return dns_name(s, len, true, "Kerberos realm", why);
}

/* A one-word name (NetBIOS, SASL): letters (upper case only if upper),
 * digits, hyphens and underscores, 1-max of them. */
typedef struct word_rule {
    const char *what;
    size_t max;
    bool upper, no_leading_hyphen;
    const char *too_long, *bad_char;
} word_rule;

static bool word_name(const char *s, size_t len, const word_rule *w, char **why)
{
    if (len == 0)
        return fail(why, w->what, s, len, "it is empty");
    if (len > w->max)
        return fail(why, w->what, s, len, w->too_long);
    if (w->no_leading_hyphen && s[0] == '-')
        return fail(why, w->what, s, len, "it begins with a hyphen");
    for (size_t i = 0; i < len; i++) {
        bool letter = w->upper ? is_upper(s[i]) : is_alpha(s[i]);
        if (!letter && !is_digit(s[i]) && s[i] != '-' && s[i] != '_')
            return fail(why, w->what, s, len, w->bad_char);
    }
    return true;
}

bool names_netbios(const char *s, size_t len, char **why)
{
    static const word_rule rule = {
        "NetBIOS name", NAMES_NETBIOS_MAX, false, true, "it is longer than 15 characters",
        "it holds a character other than a letter, a digit, a hyphen or an underscore",
    };
    return word_name(s, len, &rule, why);
}

bool names_sasl_mech(const char *s, size_t len, char **why)
{
    static const word_rule rule = {
        "SASL mechanism name", NAMES_SASL_MAX, true, false, "it is longer than 20 characters",
        "it holds a character other than an upper-case letter, a digit, a hyphen or an "
        "underscore",
    };
    return word_name(s, len, &rule, why);
}
