/* Unit tests for the name validators (base/names.h): good and bad host
 * names, DNS domains, realms, NetBIOS and SASL names, the length limits at
 * their edges, the trailing dot, and the finding's sentence. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "base/util.h"

typedef bool (*validator)(const char *, size_t, char **);

static void good(validator v, const char *s)
{
    char *why = NULL;
    if (!v(s, strlen(s), &why))
        fail_msg("\"%s\" refused: %s", s, why);
    assert_null(why);
}

/* Refused, with a sentence that names the reason. */
static void bad(validator v, const char *s, size_t len, const char *reason)
{
    char *why = NULL;
    if (v(s, len, &why))
        fail_msg("\"%.*s\" accepted", (int)len, s);
    assert_non_null(why);
    if (!strstr(why, reason))
        fail_msg("\"%s\" does not say \"%s\"", why, reason);
    assert_false(v(s, len, NULL));   /* and without a sentence */
    free(why);
}

/* A name of n characters: labels of `label` 'a's joined by dots. */
static char *name_of(size_t n, size_t label)
{
    char *s = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (i + 1) % (label + 1) == 0 ? '.' : 'a';
    s[n] = '\0';
    return s;
}

/* One case: the name (its length, NULs included), and the reason it is
 * refused (NULL: accepted). */
typedef struct name_case {
    const char *s;
    size_t len;
    const char *refused;
} name_case;

#define OK(lit) {lit, sizeof lit - 1, NULL}
#define NO(lit, why) {lit, sizeof lit - 1, why}

static void run_cases(validator v, const name_case *c, size_t n, const char *kind)
{
    for (size_t i = 0; i < n; i++) {
        if (!c[i].refused)
            good(v, c[i].s);
        else
            bad(v, c[i].s, c[i].len, c[i].refused);
    }
    char *why = NULL;
    assert_false(v("a b", 3, &why));
    assert_non_null(strstr(why, kind));
    free(why);
}

static void test_host_and_domain_good(void **state)
{
    (void)state;
    const char *names[] = {"mail1.fabrikam.com", "MAIL1", "a", "x-1.example-2.org", "1.2.3.4",
                           "mail.example.com.", "xn--bcher-kva.example"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        good(names_host, names[i]);
        good(names_domain, names[i]);
    }
    char *s = name_of(253, 63);
    good(names_domain, s);
    s = xrealloc(s, 255);
    strcpy(s + 253, ".");                 /* 253 and the trailing dot */
    good(names_domain, s);
    free(s);
    char label[64];
    memset(label, 'b', 63);
    label[63] = '\0';
    good(names_host, label);
    assert_int_equal(names_trim_dot("a.b.", 4), 3);
    assert_int_equal(names_trim_dot("a.b", 3), 3);
    assert_int_equal(names_trim_dot(".", 1), 1);
}

static void test_host_and_domain_bad(void **state)
{
    (void)state;
#define CHARS "it holds a character other than"
    static const name_case c[] = {
        NO("example.com\r\nDATA", CHARS), NO("example.com\rDATA", CHARS), NO("a\0b", CHARS),
        NO("ex ample.com", CHARS), NO("x;id", CHARS), NO("$(id).example", CHARS),
        NO("a_b.example", CHARS), NO("caf\xc3\xa9.example", CHARS),
        NO("", "it is empty"), NO(".", "it is empty"), NO("..", "it is empty"),
        NO(".example.com", "empty label"), NO("a..b", "empty label"), NO("a.b..", "empty label"),
        NO("-a.example", "begins with a hyphen"), NO("a-.example", "ends with a hyphen"),
        NO("a.example-", "ends with a hyphen"),
    };
#undef CHARS
    run_cases(names_domain, c, sizeof c / sizeof *c, "invalid DNS domain");
    char *s = name_of(254, 63);
    bad(names_domain, s, 254, "longer than 253");
    free(s);
    char label[65];
    memset(label, 'b', 64);
    label[64] = '\0';
    bad(names_host, label, 64, "longer than 63");
}

static void test_messages(void **state)
{
    (void)state;
    char *why = NULL;
    assert_false(names_domain("example.com\r\nDATA\x1b[2J", 21, &why));
    assert_string_equal(why, "the server announces an invalid DNS domain: "
                             "\"example.com\\x0D\\x0ADATA\\e[2J\" (it holds a character other than "
                             "a letter, a digit, a hyphen or a dot)");
    free(why);
    assert_false(names_host("\xe2\x80\xae" "moc.evil", 11, &why));
    assert_non_null(strstr(why, "invalid host name: \"\\u{202E}moc.evil\""));
    free(why);
    /* A long bad name is quoted only in part. */
    char big[600];
    memset(big, '\x01', sizeof big);
    assert_false(names_domain(big, sizeof big, &why));
    assert_true(strlen(why) < 250);
    assert_non_null(strstr(why, "more bytes"));
    free(why);
}

static void test_realm(void **state)
{
    (void)state;
    static const name_case c[] = {
        OK("FABRIKAM.COM"), OK("EXAMPLE"), OK("AD-1.EXAMPLE.ORG"),
        NO("fabrikam.com", "lower-case"), NO("FABRIKAM.COM.", "ends with a dot"),
        NO("FAB\rRIKAM", "character other than"), NO("FAB@RIKAM", "character other than"),
        NO("", "empty"),
    };
    run_cases(names_realm, c, sizeof c / sizeof *c, "invalid Kerberos realm");
}

static void test_netbios(void **state)
{
    (void)state;
    static const name_case c[] = {
        OK("MAIL1"), OK("FABRIKAM"), OK("EX_2003-SRV"), OK("ABCDEFGHIJKLMNO"),
        NO("ABCDEFGHIJKLMNOP", "longer than 15"), NO("", "empty"),
        NO("-L", "begins with a hyphen"), NO("MAIL\r\nRSET", "character other than"),
        NO("A&B", "character other than"), NO("A$B", "character other than"),
        NO("A.B", "character other than"), NO("A^B", "character other than"),
    };
    run_cases(names_netbios, c, sizeof c / sizeof *c, "invalid NetBIOS name");
}

static void test_sasl(void **state)
{
    (void)state;
    static const name_case c[] = {
        OK("PLAIN"), OK("CRAM-MD5"), OK("GSS-SPNEGO"), OK("SCRAM-SHA-256"), OK("X_1"),
        OK("ABCDEFGHIJKLMNOPQRST"),
        NO("ABCDEFGHIJKLMNOPQRSTU", "longer than 20"), NO("", "empty"),
        NO("plain", "other than an upper-case letter"), NO("NTLM;X", "other than"),
        NO("A B", "other than"), NO("\x1b[2J", "other than"),
    };
    run_cases(names_sasl_mech, c, sizeof c / sizeof *c, "invalid SASL mechanism name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_and_domain_good),
        cmocka_unit_test(test_host_and_domain_bad),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_realm),
        cmocka_unit_test(test_netbios),
        cmocka_unit_test(test_sasl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
