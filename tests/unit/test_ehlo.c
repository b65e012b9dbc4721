/* Unit tests for the EHLO capability parser, fed the exact Exchange 2003 and
 * 2016 replies and what a PIX/ASA fixup makes of them. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ehlo.h"
#include "proto/reply.h"
#include "wire_samples.h"

static const char ehlo_2003[] =
    "250-HOST Hello [10.0.0.5]\r\n"
    "250-TURN\r\n"
    "250-SIZE\r\n"
    "250-ETRN\r\n"
    "250-PIPELINING\r\n"
    "250-DSN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8bitmime\r\n"
    "250-BINARYMIME\r\n"
    "250-CHUNKING\r\n"
    "250-VRFY\r\n"
    "250-X-EXPS GSSAPI NTLM LOGIN\r\n"
    "250-X-EXPS=LOGIN\r\n"
    "250-AUTH GSSAPI NTLM LOGIN\r\n"
    "250-AUTH=LOGIN\r\n"
    "250-X-LINK2STATE\r\n"
    "250-XEXCH50\r\n"
    "250 OK\r\n";

/* The 2016 reply after an ASA's default ESMTP map. */
static const char ehlo_asa[] =
    "250-mail1.fabrikam.com Hello [172.16.0.5]\r\n"
    "250-SIZE 37748736\r\n"
    "250-PIPELINING\r\n"
    "250-DSN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-XXXXXXXA\r\n"
    "250-XXXXXXXXXXXXXX\r\n"
    "250-AUTH NTLM\r\n"
    "250-XXXXXXXXXXXXXXXXXXXX\r\n"
    "250-8BITMIME\r\n"
    "250-BINARYMIME\r\n"
    "250-CHUNKING\r\n"
    "250 ****\r\n";

static void parse_caps(const char *text, ehlo_caps *c, int want)
{
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_parse(text, strlen(text), &r, &used, &err), REPLY_DONE);
    assert_int_equal(ehlo_caps_parse(&r, c), want);
    smtp_reply_free(&r);
}

static void assert_list(char **got, size_t n, const char *const *want, size_t nwant)
{
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], want[i]);
}

static void test_exchange_2003(void **state)
{
    (void)state;
    static const char *const kws[] = {
        "TURN", "SIZE", "ETRN", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "8BITMIME",
        "BINARYMIME", "CHUNKING", "VRFY", "X-EXPS", "X-EXPS=LOGIN", "AUTH", "AUTH=LOGIN",
        "X-LINK2STATE", "XEXCH50", "OK",
    };
    static const char *const mechs[] = {"GSSAPI", "NTLM", "LOGIN"};
    ehlo_caps c;
    parse_caps(ehlo_2003, &c, 0);
    assert_string_equal(c.hello_name, "HOST");
    assert_string_equal(c.hello_text, "HOST Hello [10.0.0.5]");
    assert_list(c.keywords, c.nkeywords, kws, sizeof kws / sizeof *kws);
    assert_list(c.auth_mechs, c.nauth, mechs, 3);
    assert_list(c.exps_mechs, c.nexps, mechs, 3);
    unsigned want = CAP_TURN | CAP_SIZE | CAP_ETRN | CAP_PIPELINING | CAP_DSN |
                    CAP_ENHANCEDSTATUSCODES | CAP_8BITMIME | CAP_BINARYMIME | CAP_CHUNKING |
                    CAP_VRFY | CAP_X_EXPS | CAP_AUTH | CAP_X_LINK2STATE | CAP_XEXCH50;
    assert_int_equal(c.flags, want);
    assert_int_equal(c.size_limit, -1);
    assert_int_equal(c.masked_lines, 0);
    assert_true(ehlo_caps_has_keyword(&c, "8bitmime"));
    assert_true(ehlo_caps_has_keyword(&c, "xexch50"));
    assert_false(ehlo_caps_has_keyword(&c, "STARTTLS"));
    assert_true(ehlo_caps_has_mech(c.exps_mechs, c.nexps, "ntlm"));
    assert_false(ehlo_caps_has_mech(c.auth_mechs, c.nauth, "PLAIN"));
    ehlo_caps_free(&c);
    assert_null(c.keywords);
    assert_int_equal(c.size_limit, -1);
}

static void test_exchange_2016(void **state)
{
    (void)state;
    static const char *const kws[] = {
        "SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "X-ANONYMOUSTLS",
        "AUTH", "X-EXPS", "8BITMIME", "BINARYMIME", "CHUNKING", "XRDST",
    };
    static const char *const auth[] = {"NTLM"};
    static const char *const exps[] = {"GSSAPI", "NTLM"};
    ehlo_caps c;
    parse_caps(ehlo_2016, &c, 0);
    assert_string_equal(c.hello_name, "mail1.fabrikam.com");
    assert_list(c.keywords, c.nkeywords, kws, sizeof kws / sizeof *kws);
    assert_list(c.auth_mechs, c.nauth, auth, 1);
    assert_list(c.exps_mechs, c.nexps, exps, 2);
    assert_int_equal(c.size_limit, 37748736);
    unsigned want = CAP_SIZE | CAP_PIPELINING | CAP_DSN | CAP_ENHANCEDSTATUSCODES |
                    CAP_STARTTLS | CAP_X_ANONYMOUSTLS | CAP_AUTH | CAP_X_EXPS |
                    CAP_8BITMIME | CAP_BINARYMIME | CAP_CHUNKING | CAP_XRDST;
    assert_int_equal(c.flags, want);
    assert_int_equal(c.masked_lines, 0);
    ehlo_caps_free(&c);
}

static void test_asa_masked(void **state)
{
    (void)state;
    ehlo_caps c;
    parse_caps(ehlo_asa, &c, 0);
    assert_int_equal(c.masked_lines, 4);
    assert_int_equal(c.nkeywords, 12);
    assert_string_equal(c.keywords[4], "XXXXXXXA");
    assert_string_equal(c.keywords[11], "****");
    assert_false(c.flags & CAP_STARTTLS);
    assert_false(c.flags & CAP_X_EXPS);
    assert_true(c.flags & CAP_AUTH);
    ehlo_caps_free(&c);
}

static void test_keyword_is_masked(void **state)
{
    (void)state;
    assert_true(smtp_keyword_is_masked("XXXXXXXA"));
    assert_true(smtp_keyword_is_masked("XXXXXXXXXXXXXX"));
    assert_true(smtp_keyword_is_masked("xxxxb"));
    assert_true(smtp_keyword_is_masked("****"));
    assert_false(smtp_keyword_is_masked("XEXCH50"));
    assert_false(smtp_keyword_is_masked("XRDST"));
    assert_false(smtp_keyword_is_masked("X-EXPS"));
    assert_false(smtp_keyword_is_masked("X"));
    assert_false(smtp_keyword_is_masked("XXXXAB"));
    assert_false(smtp_keyword_is_masked("XXXX1"));
    assert_false(smtp_keyword_is_masked(""));
}

static void test_old_auth_forms(void **state)
{
    (void)state;
    static const char text[] =
        "250-host\r\n250-AUTH=LOGIN PLAIN\r\n250-auth cram-md5 login\r\n"
        "250-X-EXPS=LOGIN\r\n250-AUTH=\r\n250 SIZE 10x\r\n";
    static const char *const auth[] = {"LOGIN", "PLAIN", "CRAM-MD5"};
    static const char *const exps[] = {"LOGIN"};
    static const char *const kws[] = {"AUTH=LOGIN", "AUTH", "X-EXPS=LOGIN", "AUTH=", "SIZE"};
    ehlo_caps c;
    parse_caps(text, &c, 0);
    assert_list(c.auth_mechs, c.nauth, auth, 3);
    assert_list(c.exps_mechs, c.nexps, exps, 1);
    assert_list(c.keywords, c.nkeywords, kws, 5);
    assert_true(c.flags & CAP_AUTH);
    assert_true(c.flags & CAP_X_EXPS);
    assert_true(c.flags & CAP_SIZE);
    assert_int_equal(c.size_limit, -1);
    ehlo_caps_free(&c);
}

static void test_size_values(void **state)
{
    (void)state;
    ehlo_caps c;
    parse_caps("250-h\r\n250 SIZE 0\r\n", &c, 0);
    assert_int_equal(c.size_limit, 0);
    ehlo_caps_free(&c);
    parse_caps("250-h\r\n250 SIZE 99999999999999999999999\r\n", &c, 0);
    assert_int_equal(c.size_limit, -1);
    ehlo_caps_free(&c);
    parse_caps("250-h\r\n250-SIZE 52428800\r\n250 SIZE 1\r\n", &c, 0);
    assert_int_equal(c.size_limit, 52428800);
    assert_int_equal(c.nkeywords, 1);
    ehlo_caps_free(&c);
}

static void test_hello_only_and_bare(void **state)
{
    (void)state;
    ehlo_caps c;
    parse_caps("250 mail.example.org\r\n", &c, 0);
    assert_string_equal(c.hello_name, "mail.example.org");
    assert_int_equal(c.nkeywords, 0);
    assert_int_equal(c.flags, 0);
    ehlo_caps_free(&c);
    parse_caps("250-\r\n250-\r\n250\r\n", &c, 0);
    assert_null(c.hello_name);
    assert_string_equal(c.hello_text, "");
    assert_int_equal(c.nkeywords, 0);
    ehlo_caps_free(&c);
}

static void test_not_250(void **state)
{
    (void)state;
    ehlo_caps c;
    parse_caps("500 5.3.3 Unrecognized command\r\n", &c, -1);
    assert_null(c.hello_name);
    assert_int_equal(c.nkeywords, 0);
    ehlo_caps_free(&c);
    parse_caps("554 5.7.1 go away\r\n", &c, -1);
    ehlo_caps_free(&c);
    smtp_reply empty;
    smtp_reply_init(&empty);
    assert_int_equal(ehlo_caps_parse(&empty, &c), -1);
    ehlo_caps_free(&c);
}

/* Mechanism names become fact keys and AUTH commands: a word that is not a
 * SASL name (RFC 4422: A-Z 0-9 - _, 1-20) is dropped and counted. */
static void test_mechs_invalid_dropped(void **state)
{
    (void)state;
    static const char text[] =
        "250-host\r\n"
        "250-AUTH PLAIN \x1b]0;title\x07 LOGIN \xc2\x9b" "2J NTLM;rm A.B "
        "ABCDEFGHIJKLMNOPQRSTU ABCDEFGHIJKLMNOPQRST gss_spnego\r\n"
        "250 X-EXPS GSSAPI $(id) NTLM\r\n";
    static const char *const auth[] = {"PLAIN", "LOGIN", "ABCDEFGHIJKLMNOPQRST", "GSS_SPNEGO"};
    static const char *const exps[] = {"GSSAPI", "NTLM"};
    ehlo_caps c;
    parse_caps(text, &c, 0);
    assert_list(c.auth_mechs, c.nauth, auth, 4);
    assert_list(c.exps_mechs, c.nexps, exps, 2);
    /* ESC..BEL, the C1 CSI, "NTLM;rm", "A.B", the 21-character name. */
    assert_int_equal(c.auth_invalid, 5);
    assert_int_equal(c.auth_over, 0);
    assert_int_equal(c.exps_invalid, 1);
    assert_int_equal(c.exps_over, 0);
    ehlo_caps_free(&c);
}

/* At most EHLO_MECHS_MAX names per list; the rest counted, duplicates not. */
static void test_mechs_capped(void **state)
{
    (void)state;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "250-host\r\n250-AUTH");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " M%02d", i);
    n += (size_t)snprintf(text + n, sizeof text - n, " M00 m01\r\n250 X-EXPS=");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%sX%02d", i ? " " : "", i);
    snprintf(text + n, sizeof text - n, "\r\n");
    ehlo_caps c;
    parse_caps(text, &c, 0);
    assert_int_equal(c.nauth, EHLO_MECHS_MAX);
    assert_string_equal(c.auth_mechs[0], "M00");
    assert_string_equal(c.auth_mechs[EHLO_MECHS_MAX - 1], "M15");
    assert_int_equal(c.auth_over, 64 - EHLO_MECHS_MAX);
    assert_int_equal(c.auth_invalid, 0);
    assert_int_equal(c.nexps, EHLO_MECHS_MAX);
    assert_int_equal(c.exps_over, 20 - EHLO_MECHS_MAX);
    assert_true(c.flags & CAP_AUTH);
    assert_true(c.flags & CAP_X_EXPS);
    ehlo_caps_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_2003),
        cmocka_unit_test(test_exchange_2016),
        cmocka_unit_test(test_asa_masked),
        cmocka_unit_test(test_keyword_is_masked),
        cmocka_unit_test(test_old_auth_forms),
        cmocka_unit_test(test_size_values),
        cmocka_unit_test(test_hello_only_and_bare),
        cmocka_unit_test(test_not_250),
        cmocka_unit_test(test_mechs_invalid_dropped),
        cmocka_unit_test(test_mechs_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
