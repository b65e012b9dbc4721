/* Unit tests for the SMTP reply parser: the shapes servers really send,
 * and the malformed and oversized replies a hostile one could. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proto/reply.h"
#include "base/util.h"
#include "wire_samples.h"

/* Parses a NUL-terminated text; returns the status and keeps r. */
static reply_status parse_str(const char *s, smtp_reply *r, size_t *consumed, char **err)
{
    smtp_reply_init(r);
    return smtp_reply_parse(s, strlen(s), r, consumed, err);
}

static void test_single_line(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    assert_int_equal(parse_str("220 mail1.fabrikam.com ready\r\n", &r, &used, &err), REPLY_DONE);
    assert_int_equal(used, 30);
    assert_int_equal(r.code, 220);
    assert_int_equal(r.nlines, 1);
    assert_int_equal(r.complete, 1);
    assert_string_equal(r.lines[0], "mail1.fabrikam.com ready");
    assert_string_equal(r.enhanced, "");
    assert_null(err);
    smtp_reply_free(&r);
    assert_int_equal(r.nlines, 0);
    assert_null(r.lines);
}

static void test_bare_code_is_final(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_feed(&r, "250", 3, &err), REPLY_DONE);
    assert_int_equal(r.code, 250);
    assert_string_equal(r.lines[0], "");
    char *l = smtp_reply_line(&r);
    assert_string_equal(l, "250");
    free(l);
    smtp_reply_free(&r);
}

static void test_ehlo_2016_crlf(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    assert_int_equal(parse_str(ehlo_2016, &r, &used, &err), REPLY_DONE);
    assert_int_equal(used, strlen(ehlo_2016));
    assert_int_equal(r.nlines, 13);
    assert_string_equal(r.lines[0], "mail1.fabrikam.com Hello [172.16.0.5]");
    assert_string_equal(r.lines[12], "XRDST");
    char *l = smtp_reply_line(&r);
    assert_string_equal(l, "250 XRDST");
    free(l);
    smtp_reply_free(&r);
}

static void test_bare_lf_and_text(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    assert_int_equal(parse_str("250-a\n250-b c\n250 d\nNEXT", &r, &used, &err), REPLY_DONE);
    assert_int_equal(used, 20);
    char *t = smtp_reply_text(&r);
    assert_string_equal(t, "a\nb c\nd");
    free(t);
    smtp_reply_free(&r);
}

static void test_enhanced_codes(void **state)
{
    (void)state;
    static const struct { const char *line; const char *enh; } cases[] = {
        {"504 5.7.1 Not authorized", "5.7.1"},
        {"250 2.0.0 XEXCH50 OK", "2.0.0"},
        {"451 4.4.0 Primary target IP address responded", "4.4.0"},
        {"550 5.123.456 x", "5.123.456"},
        {"250 2.0.0", "2.0.0"},
        {"250 OK", ""},
        {"250 2.0.0x", ""},
        {"250 2.1000.0 x", ""},
        {"250 6.0.0 x", ""},
        {"250 2..0 x", ""},
        {"250 2.0. x", ""},
        {"500 #5.5.1 command not recognized", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        smtp_reply r;
        char *err = NULL;
        smtp_reply_init(&r);
        assert_int_equal(smtp_reply_feed(&r, cases[i].line, strlen(cases[i].line), &err),
                         REPLY_DONE);
        assert_string_equal(r.enhanced, cases[i].enh);
        smtp_reply_free(&r);
    }
}

static void test_enhanced_from_first_line_only(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    assert_int_equal(parse_str("250-hello\r\n250 2.0.0 OK\r\n", &r, NULL, &err), REPLY_DONE);
    assert_string_equal(r.enhanced, "");
    smtp_reply_free(&r);
}

static void test_trailing_space_kept(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    assert_int_equal(parse_str("504 Need to authenticate first \r\n", &r, NULL, &err),
                     REPLY_DONE);
    char *l = smtp_reply_line(&r);
    assert_string_equal(l, "504 Need to authenticate first ");
    free(l);
    smtp_reply_free(&r);
}

static void expect_error(const char *line, reply_status want)
{
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_feed(&r, line, strlen(line), &err), want);
    assert_non_null(err);
    assert_int_equal(r.nlines, 0);
    free(err);
    smtp_reply_free(&r);
}

static void test_bad_codes(void **state)
{
    (void)state;
    expect_error("2x0 hello", REPLY_EBADLINE);
    expect_error("25", REPLY_EBADLINE);
    expect_error("", REPLY_EBADLINE);
    expect_error("250x", REPLY_EBADLINE);
    expect_error("250:hi", REPLY_EBADLINE);
    expect_error(" 250 hi", REPLY_EBADLINE);
    expect_error("600 x", REPLY_ECODE);
    expect_error("199 x", REPLY_ECODE);
    expect_error("260 x", REPLY_ECODE);
    expect_error("099", REPLY_ECODE);
}

static void test_bad_line_message(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_feed(&r, "2x0 \x1b[2J", 8, &err), REPLY_EBADLINE);
    assert_string_equal(err, "reply line 1 is not an SMTP reply line (\"NNN text\" or "
                             "\"NNN-text\"): \"2x0 \\e[2J\"");
    free(err);
    smtp_reply_free(&r);
}

static void test_mismatched_codes(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    size_t used = 99;
    assert_int_equal(parse_str("250-a\r\n250-b\r\n451 c\r\n", &r, &used, &err), REPLY_ECODE);
    assert_string_equal(err, "reply line 3 has code 451 but the reply began with 250");
    assert_int_equal(used, 14);
    assert_int_equal(r.nlines, 2);
    assert_int_equal(r.complete, 0);
    free(err);
    smtp_reply_free(&r);
}

static void test_line_length_bound(void **state)
{
    (void)state;
    char *line = xmalloc(SMTP_LINE_MAX + 2);
    memset(line, 'a', SMTP_LINE_MAX + 1);
    memcpy(line, "250 ", 4);
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_feed(&r, line, SMTP_LINE_MAX + 1, &err), REPLY_ELINE);
    assert_string_equal(err, "reply line 1 is 4097 bytes long; SMTP allows at most 4096");
    free(err);
    err = NULL;
    assert_int_equal(smtp_reply_feed(&r, line, SMTP_LINE_MAX, &err), REPLY_DONE);
    assert_int_equal(strlen(r.lines[0]), SMTP_LINE_MAX - 4);
    smtp_reply_free(&r);
    free(line);
}

static void test_unterminated_overlong_tail(void **state)
{
    (void)state;
    size_t n = SMTP_LINE_MAX + 10;
    char *buf = xmalloc(n);
    memset(buf, 'a', n);
    memcpy(buf, "250 ", 4);
    smtp_reply r;
    char *err = NULL;
    size_t used = 1;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_parse(buf, n, &r, &used, &err), REPLY_ELINE);
    assert_int_equal(used, 0);
    free(err);
    smtp_reply_free(&r);
    free(buf);
}

static reply_status feed_many(size_t nlines, size_t width, char **err)
{
    char *line = xmalloc(width);
    memset(line, 'x', width);
    memcpy(line, "250-", 4);
    smtp_reply r;
    smtp_reply_init(&r);
    reply_status st = REPLY_MORE;
    for (size_t i = 0; i < nlines && st == REPLY_MORE; i++) {
        line[3] = i + 1 == nlines ? ' ' : '-';
        st = smtp_reply_feed(&r, line, width, err);
    }
    smtp_reply_free(&r);
    free(line);
    return st;
}

static void test_line_count_bound(void **state)
{
    (void)state;
    char *err = NULL;
    assert_int_equal(feed_many(1000, 8, &err), REPLY_DONE);
    assert_null(err);
    assert_int_equal(feed_many(1001, 8, &err), REPLY_EBIG);
    assert_non_null(err);
    free(err);
}

static void test_byte_bound(void **state)
{
    (void)state;
    char *err = NULL;
    /* 16 lines of 4000 (+CRLF) = 64 KiB - 1 KiB fits; 17 lines = 65+ KiB does not. */
    assert_int_equal(feed_many(16, 4000, &err), REPLY_DONE);
    assert_int_equal(feed_many(17, 4000, &err), REPLY_EBIG);
    assert_string_equal(err, "the reply is larger than 65536 bytes; the server is not "
                             "speaking SMTP sensibly");
    free(err);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_feed(&r, "250-a\0b", 7, &err), REPLY_MORE);
    assert_string_equal(r.lines[0], "a\\x00b");   /* kept whole, the NUL shown escaped */
    assert_int_equal(smtp_reply_feed(&r, "25\0 x", 5, &err), REPLY_EBADLINE);
    free(err);
    smtp_reply_free(&r);
    static const char buf[] = "250-x\0y\r\n250 z\r\n";
    size_t used = 0;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_parse(buf, sizeof buf - 1, &r, &used, &err), REPLY_DONE);
    assert_int_equal(used, sizeof buf - 1);
    assert_string_equal(r.lines[1], "z");
    smtp_reply_free(&r);
}

static void test_incremental_parse(void **state)
{
    (void)state;
    static const char buf[] = "250-a\r\n250 b";
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_parse(buf, strlen(buf), &r, &used, &err), REPLY_MORE);
    assert_int_equal(used, 7);
    assert_int_equal(r.nlines, 1);
    assert_int_equal(smtp_reply_parse("250 b\r\n", 7, &r, &used, &err), REPLY_DONE);
    assert_int_equal(used, 7);
    assert_int_equal(r.nlines, 2);
    assert_int_equal(smtp_reply_parse("", 0, &r, &used, &err), REPLY_DONE);
    assert_int_equal(smtp_reply_feed(&r, "250 again", 9, &err), REPLY_EBADLINE);
    free(err);
    smtp_reply_free(&r);
}

static void test_cr_stripped_in_feed(void **state)
{
    (void)state;
    smtp_reply r;
    char *err = NULL;
    smtp_reply_init(&r);
    assert_int_equal(smtp_reply_feed(&r, "334 TlRMTVNTUAAC\r", 17, &err), REPLY_DONE);
    assert_string_equal(r.lines[0], "TlRMTVNTUAAC");
    smtp_reply_free(&r);
    char *t = smtp_reply_text(&r);
    assert_string_equal(t, "");
    free(t);
    char *l = smtp_reply_line(&r);
    assert_string_equal(l, "");
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_line),
        cmocka_unit_test(test_bare_code_is_final),
        cmocka_unit_test(test_ehlo_2016_crlf),
        cmocka_unit_test(test_bare_lf_and_text),
        cmocka_unit_test(test_enhanced_codes),
        cmocka_unit_test(test_enhanced_from_first_line_only),
        cmocka_unit_test(test_trailing_space_kept),
        cmocka_unit_test(test_bad_codes),
        cmocka_unit_test(test_bad_line_message),
        cmocka_unit_test(test_mismatched_codes),
        cmocka_unit_test(test_line_length_bound),
        cmocka_unit_test(test_unterminated_overlong_tail),
        cmocka_unit_test(test_line_count_bound),
        cmocka_unit_test(test_byte_bound),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_incremental_parse),
        cmocka_unit_test(test_cr_stripped_in_feed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
