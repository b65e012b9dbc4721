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
    const char *chars = "it holds a character other than";
    bad(names_domain, "example.com\r\nDATA", 17, chars);
    bad(names_domain, "example.com\rDATA", 16, chars);
    bad(names_domain, "a\0b", 3, chars);
    bad(names_domain, "ex ample.com", 12, chars);
    bad(names_domain, "x;id", 4, chars);
    bad(names_domain, "$(id).example", 13, chars);
    bad(names_domain, "a_b.example", 11, chars);
    bad(names_domain, "caf\xc3\xa9.example", 13, chars);
    bad(names_domain, "", 0, "it is empty");
    bad(names_domain, ".", 1, "it is empty");
    bad(names_domain, "..", 2, "it is empty");
    bad(names_domain, ".example.com", 12, "empty label");
    bad(names_domain, "a..b", 4, "empty label");
    bad(names_domain, "a.b..", 5, "empty label");
    bad(names_domain, "-a.example", 10, "begins with a hyphen");
    bad(names_domain, "a-.example", 10, "ends with a hyphen");
    bad(names_domain, "a.example-", 10, "ends with a hyphen");
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
    good(names_realm, "FABRIKAM.COM");
    good(names_realm, "EXAMPLE");
    good(names_realm, "AD-1.EXAMPLE.ORG");
    bad(names_realm, "fabrikam.com", 12, "lower-case");
    bad(names_realm, "FABRIKAM.COM.", 13, "ends with a dot");
    bad(names_realm, "FAB\rRIKAM", 9, "character other than");
    bad(names_realm, "FAB@RIKAM", 9, "character other than");
    bad(names_realm, "", 0, "empty");
    char *why = NULL;
    assert_false(names_realm("a", 1, &why));
    assert_non_null(strstr(why, "invalid Kerberos realm"));
    free(why);
}

static void test_netbios(void **state)
{
    (void)state;
    good(names_netbios, "MAIL1");
    good(names_netbios, "FABRIKAM");
    good(names_netbios, "EX_2003-SRV");
    good(names_netbios, "ABCDEFGHIJKLMNO");         /* 15 */
    bad(names_netbios, "ABCDEFGHIJKLMNOP", 16, "longer than 15");
    bad(names_netbios, "", 0, "empty");
    bad(names_netbios, "-L", 2, "begins with a hyphen");
    bad(names_netbios, "MAIL\r\nRSET", 10, "character other than");
    bad(names_netbios, "A&B", 3, "character other than");
    bad(names_netbios, "A$B", 3, "character other than");
    bad(names_netbios, "A.B", 3, "character other than");
    char *why = NULL;
    assert_false(names_netbios("A^B", 3, &why));
    assert_non_null(strstr(why, "invalid NetBIOS name"));
    free(why);
}

static void test_sasl(void **state)
{
    (void)state;
    good(names_sasl_mech, "PLAIN");
    good(names_sasl_mech, "CRAM-MD5");
    good(names_sasl_mech, "GSS-SPNEGO");
    good(names_sasl_mech, "SCRAM-SHA-256");
    good(names_sasl_mech, "X_1");
    good(names_sasl_mech, "ABCDEFGHIJKLMNOPQRST");   /* 20 */
    bad(names_sasl_mech, "ABCDEFGHIJKLMNOPQRSTU", 21, "longer than 20");
    bad(names_sasl_mech, "", 0, "empty");
    bad(names_sasl_mech, "plain", 5, "other than an upper-case letter");
    bad(names_sasl_mech, "NTLM;X", 6, "other than");
    bad(names_sasl_mech, "A B", 3, "other than");
    bad(names_sasl_mech, "\x1b[2J", 4, "other than");
    char *why = NULL;
    assert_false(names_sasl_mech("a", 1, &why));
    assert_non_null(strstr(why, "invalid SASL mechanism name"));
    free(why);
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
