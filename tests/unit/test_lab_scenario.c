/* lab_scenario: well-formed scenario files load with their defaults, and
 * malformed ones are refused with "file:line: reason".  Fixtures are written
 * to temporary files in each test. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/lab_scenario.h"

static char *write_fixture(const char *text)
{
    char tmpl[] = "/tmp/test_lab_scenario.XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return strdup(tmpl);
}

/* Load text; expect a refusal at line `line` whose reason contains `why`. */
static void refused(const char *text, int line, const char *why)
{
    char *path = write_fixture(text), *err = NULL;
    lab_scenario *s = lab_scenario_load(path, &err);
    if (s)
        fail_msg("accepted a malformed file:\n%s", text);
    assert_non_null(err);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, why))
        fail_msg("got \"%s\", expected \"%s...%s\"", err, prefix, why);
    free(err);
    unlink(path);
    free(path);
}

#define HEAD "[scenario]\ndescription = test\nproduct = exchange-2007+\nhostname = mail1.fabrikam.com\n"

static void test_valid_defaults(void **state)
{
    (void)state;
    char *path = write_fixture(HEAD "clock_offset = -420\n[auth]\nafter_tls = ntlm, login\n"
                                    "exps_gssapi = 454\n[account bob]\npassword = x\nxexch50 = 504\n");
    char *err = NULL;
    lab_scenario *s = lab_scenario_load(path, &err);
    assert_null(err);
    assert_non_null(s);
    assert_int_equal(s->product, LAB_E2007);
    assert_int_equal(s->clock_offset, -420);
    assert_int_equal(s->auth_after, LAB_M_NTLM | LAB_M_LOGIN);
    assert_int_equal(s->exps_default[3], LAB_ANS_454);
    assert_int_equal(s->xexch50_unauth, LAB_ANS_504);
    assert_int_equal(s->xexch50_auth, LAB_ANS_354);
    assert_string_equal(s->nb_computer, "MAIL1");
    assert_string_equal(s->nb_domain, "FABRIKAM");
    assert_true(s->tls);
    const lab_account *lab = lab_scenario_account(s, "labuser");
    assert_non_null(lab);   /* every scenario has the shared lab account */
    assert_string_equal(lab->password, "Lab-Pass-1234");
    assert_int_equal(lab_scenario_account(s, "bob")->xexch50, LAB_ANS_504);
    lab_scenario_free(s);
    unlink(path);
    free(path);
}

static void test_unknown_key(void **state)
{
    (void)state;
    refused(HEAD "colour = blue\n", 5, "unknown key 'colour'");
}

static void test_bad_product(void **state)
{
    (void)state;
    refused("[scenario]\ndescription = x\nproduct = exchange-2019\n", 3, "unknown product");
}

static void test_missing_product(void **state)
{
    (void)state;
    refused("; comment\n[scenario]\ndescription = x\nhostname = a.b\n", 3, "needs a product");
}

static void test_bad_answer(void **state)
{
    (void)state;
    refused(HEAD "[auth]\nexps_ntlm = 250\n", 6, "must be 235, 535, 454 or 504");
    refused(HEAD "[xexch50]\nunauth = 235\n", 6, "must be 354, 504, 505 or 500");
}

static void test_bad_mechanism(void **state)
{
    (void)state;
    refused(HEAD "[auth]\nbefore_tls = NTLM CRAM-MD5\n", 6, "unknown or repeated mechanism");
    refused(HEAD "[auth]\nbefore_tls = NTLM NTLM\n", 6, "unknown or repeated mechanism");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    refused(HEAD "hostname = other.example\n", 5, "set twice");
}

static void test_syntax_error(void **state)
{
    (void)state;
    refused(HEAD "this line has no equals sign\n", 5, "not INI syntax");
}

/* libinih's line buffer is 200 bytes: a longer line is refused as one line
 * with its own number, not split into pieces parsed (and counted) apart. */
static void test_long_line(void **state)
{
    (void)state;
    char text[1024], desc[256];
    memset(desc, 'd', 190);
    desc[190] = '\0';
    snprintf(text, sizeof text, "[scenario]\ndescription = %s\nproduct = exchange-2007+\n"
             "hostname = mail1.fabrikam.com\n", desc);
    refused(text, 2, "line longer than 199 characters");
    /* the first error is the one reported */
    snprintf(text, sizeof text, HEAD "oops\n; %s\n", desc);
    refused(text, 5, "not INI syntax");
    /* 199 characters fit */
    desc[199 - strlen("description = ")] = '\0';
    snprintf(text, sizeof text, "[scenario]\r\ndescription = %s\r\nproduct = exchange-2007+\r\n"
             "hostname = mail1.fabrikam.com\r\n", desc);
    char *path = write_fixture(text), *err = NULL;
    lab_scenario *s = lab_scenario_load(path, &err);
    if (!s)
        fail_msg("%s", err);
    assert_int_equal(strlen(s->description), 199 - strlen("description = "));
    assert_string_equal(s->hostname, "mail1.fabrikam.com");
    lab_scenario_free(s);
    unlink(path);
    free(path);
}

static void test_unknown_section(void **state)
{
    (void)state;
    refused(HEAD "[smtp]\nbanner = x\n", 6, "unknown section [smtp]");
}

static void test_bad_numbers(void **state)
{
    (void)state;
    refused(HEAD "clock_offset = 5 minutes\n", 5, "clock_offset");
    refused(HEAD "idle_timeout = 0\n", 5, "idle_timeout");
    refused(HEAD "os_version = 6.1\n", 5, "os_version");
    refused(HEAD "timezone = 0700\n", 5, "timezone");
    refused(HEAD "[tls]\nstarttls = maybe\n", 6, "yes or no");
}

static void test_inconsistent(void **state)
{
    (void)state;
    refused(HEAD "[tls]\nstarttls = no\n[auth]\nafter_tls = LOGIN\n", 2, "tls is off");
    refused("[scenario]\ndescription = x\nproduct = exchange-2003\nhostname = a.b\n"
            "[tls]\nanonymous_tls = yes\n", 2, "only on exchange-2007+");
    refused(HEAD "[account eve]\nxexch50 = 504\n", 2, "has no password");
    /* X-EXPS failures on 2007+ are 454 then a disconnect (reference: X-EXPS) */
    refused(HEAD "[auth]\nexps_ntlm = 535\n", 2, "never 535");
    refused(HEAD "[account bob]\npassword = x\nexps_gssapi = denied\n", 2, "never 535");
    /* a 504 answers the command, before any account is known */
    refused(HEAD "[account bob]\npassword = x\nexps_ntlm = 504\n", 7, "set it in [auth]");
}

static void test_bad_names(void **state)
{
    (void)state;
    refused("[scenario]\ndescription = x\nhostname = bad host\n", 3, "not a DNS name");
    refused(HEAD "netbios_domain = MUCH-TOO-LONG-FOR-NETBIOS\n", 5, "NetBIOS");
    refused(HEAD "hostile = sneaky\n", 5, "unknown hostile");
}

static void test_missing_file(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(lab_scenario_load("/nonexistent/lab.ini", &err));
    assert_non_null(strstr(err, "/nonexistent/lab.ini:0: cannot open"));
    free(err);
}

static void test_shipped_scenarios_load(void **state)
{
    (void)state;
    static const char *const names[] = {
        "e2003-healthy", "e2010-healthy", "iwa-disabled", "sendas-denied", "tls-without-auth",
        "exps-logon-denied", "firewall-fixup", "legacy-ims", "cross-org", "clock-skew",
        "no-exchangeauth", "spn-missing", "ansi-banner", "endless-line", "slow-drip",
        "huge-ehlo", "early-close", "tls-garbage", "never-greets"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256], *err = NULL;
        const char *top = getenv("TOP");   /* tests/run sets it; make check runs from the top */
        snprintf(path, sizeof path, "%s/kb/labs/%s.ini", top ? top : ".", names[i]);
        lab_scenario *s = lab_scenario_load(path, &err);
        if (!s)
            fail_msg("%s", err);
        assert_string_equal(s->name, names[i]);
        lab_scenario_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_defaults),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_bad_product),
        cmocka_unit_test(test_missing_product),
        cmocka_unit_test(test_bad_answer),
        cmocka_unit_test(test_bad_mechanism),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_unknown_section),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_inconsistent),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_shipped_scenarios_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
