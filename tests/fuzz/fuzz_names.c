/* libFuzzer target: the name validators.  Invariants asserted: a name that
 * validates holds only the characters its kind allows and respects its
 * lengths (labels 1-63 without a hyphen at either end, 253 in all; NetBIOS
 * 1-15; SASL 1-20); a name that fails gets a sentence that is valid UTF-8
 * with no control, bidi or format character in it; a valid host name always
 * fits in a recipient command. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/smtp.h"
#include "base/names.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void check_why(char *why)
{
    const unsigned char *u = (const unsigned char *)why;
    size_t n = strlen(why);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = util_utf8_decode(u + i, n - i, &cp);
        if (k == 0 || util_cp_hidden(cp))
            abort();
        i += k;
    }
    free(why);
}

/* The DNS rules, checked the slow way. */
static void check_dns(const char *s, size_t len, int upper)
{
    size_t n = names_trim_dot(s, len);
    if (n == 0 || n > NAMES_DNS_MAX || (upper && n != len))
        abort();
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : '.';
        if (c == '.') {
            if (label == 0 || label > NAMES_LABEL_MAX || s[i - label] == '-' || s[i - 1] == '-')
                abort();
            label = 0;
        } else if ((!is_alnum(c) && c != '-') || (upper && c >= 'a' && c <= 'z')) {
            abort();
        } else {
            label++;
        }
    }
}

static void check_word(const char *s, size_t len, size_t max, int upper, int netbios)
{
    if (len == 0 || len > max || (netbios && s[0] == '-'))
        abort();
    for (size_t i = 0; i < len; i++)
        if ((!is_alnum(s[i]) && s[i] != '-' && s[i] != '_') || (upper && s[i] >= 'a' && s[i] <= 'z'))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *why = NULL;
    if (names_host(s, size, &why)) {
        check_dns(s, size, 0);
        /* A valid name is a C string and fits in a recipient: the builder agrees. */
        char *name = malloc(size + 1), *cmd = NULL, *err = NULL;
        memcpy(name, s, size);
        name[size] = '\0';
        if (smtp_line_build(&cmd, &err, "RCPT TO:<postmaster@%s>", name) != SMTP_OK)
            abort();
        free(cmd);
        free(name);
    } else {
        check_why(why);
    }
    why = NULL;
    if (names_domain(s, size, &why)) check_dns(s, size, 0); else check_why(why);
    why = NULL;
    if (names_realm(s, size, &why)) check_dns(s, size, 1); else check_why(why);
    why = NULL;
    if (names_netbios(s, size, &why)) check_word(s, size, NAMES_NETBIOS_MAX, 0, 1); else check_why(why);
    why = NULL;
    if (names_sasl_mech(s, size, &why)) check_word(s, size, NAMES_SASL_MAX, 1, 0); else check_why(why);
    return 0;
}
