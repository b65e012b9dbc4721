/* Unit tests for the escaping of untrusted bytes (base/escape.h), class by
 * class in raw and UTF-8 form, the cap, the flags, and the JSON writer fed
 * arbitrary bytes (checked with a strict UTF-8 decoder of the test's own). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "walk/report.h"
#include "base/util.h"

/* util_escape of a string literal (its length, NULs included) is want. */
#define EXPECT(lit, want) expect_esc(lit, sizeof lit - 1, want)

static void expect_esc(const char *in, size_t len, const char *want)
{
    char *got = util_escape(in, len);
    if (strcmp(got, want) != 0)
        fail_msg("escape: got \"%s\", want \"%s\"", got, want);
    free(got);
}

static void test_kept(void **state)
{
    (void)state;
    EXPECT("250 mail.example.com ESMTP ready", "250 mail.example.com ESMTP ready");
    EXPECT("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
    /* Boundaries that stay: NBSP, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+10000, U+10FFFF. */
    EXPECT("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
           "\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
    /* A backslash is kept as it is. */
    EXPECT("a\\xb", "a\\xb");
    EXPECT("", "");
}

static void test_c0_del(void **state)
{
    (void)state;
    EXPECT("a\x1b[2Jb", "a\\e[2Jb");
    EXPECT("\x01\t\r\n\x07\x08\x1f", "\\x01\\x09\\x0D\\x0A\\x07\\x08\\x1F");
    EXPECT("x\0y", "x\\x00y");
    EXPECT("\x7f", "\\x7F");
}

static void test_c1(void **state)
{
    (void)state;
    /* Raw C1 bytes are not UTF-8: one \xNN each. */
    EXPECT("\x9b" "2J\x85\x80\x9f", "\\x9B2J\\x85\\x80\\x9F");
    /* Their UTF-8 forms are code points U+0080..U+009F. */
    EXPECT("\xc2\x9b" "2J\xc2\x85\xc2\x80\xc2\x9f", "\\u{009B}2J\\u{0085}\\u{0080}\\u{009F}");
}

static void test_bidi_and_format(void **state)
{
    (void)state;
    /* Bidi: U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C. */
    EXPECT("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae",
           "\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{202E}");
    EXPECT("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
           "\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{200E}\\u{200F}\\u{061C}");
    /* Invisible: U+200B-U+200D, U+2060-U+2064, U+FEFF, U+00AD. */
    EXPECT("\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xe2\x81\xa4\xef\xbb\xbf\xc2\xad",
           "\\u{200B}\\u{200C}\\u{200D}\\u{2060}\\u{2064}\\u{FEFF}\\u{00AD}");
    /* The rest of Cf: U+0600, U+06DD, U+070F, U+180E, U+FFF9, U+110BD,
     * U+1D173, U+E0001, U+E0041 (a tag letter). */
    EXPECT("\xd8\x80\xdb\x9d\xdc\x8f\xe1\xa0\x8e\xef\xbf\xb9\xf0\x91\x82\xbd\xf0\x9d\x85\xb3"
           "\xf3\xa0\x80\x81\xf3\xa0\x81\x81",
           "\\u{0600}\\u{06DD}\\u{070F}\\u{180E}\\u{FFF9}\\u{110BD}\\u{1D173}\\u{E0001}\\u{E0041}");
    /* Line and paragraph separators. */
    EXPECT("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u{2028}b\\u{2029}");
    /* Neighbours that are ordinary text stay. */
    EXPECT("\xe2\x80\x90\xe2\x80\xaf\xe2\x81\xb0", "\xe2\x80\x90\xe2\x80\xaf\xe2\x81\xb0");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    EXPECT("\xc0\xaf\xc1\xbf", "\\xC0\\xAF\\xC1\\xBF");                 /* overlong 2 */
    EXPECT("\xe0\x80\xaf\xe0\x9f\xbf", "\\xE0\\x80\\xAF\\xE0\\x9F\\xBF"); /* overlong 3 */
    EXPECT("\xf0\x80\x80\xaf\xf0\x8f\xbf\xbf", "\\xF0\\x80\\x80\\xAF\\xF0\\x8F\\xBF\\xBF");
    EXPECT("\xed\xa0\x80\xed\xbf\xbf", "\\xED\\xA0\\x80\\xED\\xBF\\xBF"); /* surrogates */
    EXPECT("\xf4\x90\x80\x80\xf5\x80\x80\x80", "\\xF4\\x90\\x80\\x80\\xF5\\x80\\x80\\x80");
    EXPECT("\xf8\x88\x80\x80\x80\xfe\xff", "\\xF8\\x88\\x80\\x80\\x80\\xFE\\xFF");
    EXPECT("ab\xe2\x82", "ab\\xE2\\x82");                            /* truncated at the end */
    EXPECT("\xe2\x82" "A\xf0\x9f\x98" "B", "\\xE2\\x82A\\xF0\\x9F\\x98B"); /* cut by ASCII */
    EXPECT("\x80\xbf", "\\x80\\xBF");                                /* lone continuations */
    EXPECT("\xc3\xa9\xc3", "\xc3\xa9\\xC3");
}

static void test_ascii_and_newlines(void **state)
{
    (void)state;
    static const char in[] = "caf\xc3\xa9\n\xf0\x9f\x98\x80\x1b\xe2\x80\xae";
    char *a = util_escape_ex(in, sizeof in - 1, SIZE_MAX, UTIL_ESC_ASCII);
    assert_string_equal(a, "caf\\u{00E9}\\x0A\\u{1F600}\\e\\u{202E}");
    free(a);
    a = util_escape_ex(in, sizeof in - 1, SIZE_MAX, UTIL_ESC_ASCII | UTIL_ESC_KEEP_NL);
    assert_string_equal(a, "caf\\u{00E9}\n\\u{1F600}\\e\\u{202E}");
    free(a);
    a = util_escape_ex(in, sizeof in - 1, SIZE_MAX, UTIL_ESC_KEEP_NL);
    assert_string_equal(a, "caf\xc3\xa9\n\xf0\x9f\x98\x80\\e\\u{202E}");
    free(a);
    /* Escaping what was escaped changes nothing. */
    char *once = util_escape(in, sizeof in - 1);
    char *twice = util_escape(once, strlen(once));
    assert_string_equal(once, twice);
    free(once);
    free(twice);
}

static void test_cap(void **state)
{
    (void)state;
    char ctl[100];
    memset(ctl, 0x01, sizeof ctl);
    char *s = util_escape_capped(ctl, sizeof ctl, 20);
    assert_string_equal(s, "\\x01\\x01\\x01\\x01\\x01 ... (95 more bytes)");
    free(s);
    /* A token is never cut: 22 bytes still hold 5 of them. */
    s = util_escape_capped(ctl, sizeof ctl, 22);
    assert_string_equal(s, "\\x01\\x01\\x01\\x01\\x01 ... (95 more bytes)");
    free(s);
    /* Nor a UTF-8 sequence. */
    s = util_escape_capped("ab\xe6\x97\xa5" "c", 6, 4);
    assert_string_equal(s, "ab ... (4 more bytes)");
    free(s);
    /* What fits is not marked. */
    s = util_escape_capped("hello", 5, 5);
    assert_string_equal(s, "hello");
    free(s);
    s = util_escape_capped("hello", 5, 0);
    assert_string_equal(s, " ... (5 more bytes)");
    free(s);
    /* A 64 KiB control-byte line stays within the cap. */
    char *big = malloc(65536);
    memset(big, 0x9b, 65536);
    s = util_escape_capped(big, 65536, 2048);
    assert_true(strlen(s) <= 2048 + 32);
    assert_non_null(strstr(s, "(65024 more bytes)"));
    free(s);
    free(big);
}

/* The test's own strict UTF-8 check (RFC 3629), independent of escape.c. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], need, min;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) { need = 1; min = 0x80; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { need = 2; min = 0x800; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { need = 3; min = 0x10000; cp = c & 0x07; }
        else return 0;
        if (i + need >= n)
            return 0;
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* A JSON string (RFC 8259) and nothing else; returns its decoded bytes
 * (UTF-8) in out.  Fails the test on any raw control or bad escape. */
static size_t json_decode(const char *j, char *out)
{
    size_t n = strlen(j), o = 0;
    assert_true(n >= 2 && j[0] == '"' && j[n - 1] == '"');
    for (size_t i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)j[i];
        assert_true(c >= 0x20 && c != '"');
        if (c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        c = (unsigned char)j[++i];
        assert_true(i < n - 1);
        const char *simple = strchr("\"\\/bfnrt", c);
        if (simple && c) {
            out[o++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        assert_int_equal(c, 'u');
        unsigned cp = (unsigned)strtoul((char[5]){j[i + 1], j[i + 2], j[i + 3], j[i + 4], 0}, NULL, 16);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            assert_true(j[i + 1] == '\\' && j[i + 2] == 'u');
            unsigned lo = (unsigned)strtoul((char[5]){j[i + 3], j[i + 4], j[i + 5], j[i + 6], 0}, NULL, 16);
            assert_true(lo >= 0xDC00 && lo <= 0xDFFF);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        }
        if (cp < 0x80) { out[o++] = (char)cp; }
        else if (cp < 0x800) { out[o++] = (char)(0xC0 | cp >> 6); out[o++] = (char)(0x80 | (cp & 0x3F)); }
        else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | cp >> 12); out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | cp >> 18); out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return o;
}

/* The JSON text holds no raw bidi or format character either. */
static void assert_no_hidden(const char *j)
{
    const unsigned char *u = (const unsigned char *)j;
    for (size_t i = 0, n = strlen(j); i < n;) {
        uint32_t cp;
        size_t k = util_utf8_decode(u + i, n - i, &cp);
        assert_true(k > 0);
        assert_false(util_cp_hidden(cp));
        i += k;
    }
}

static uint32_t rng = 12345;
static unsigned next_byte(void)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) & 0xFF;
}

static void test_json_any_bytes(void **state)
{
    (void)state;
    char in[96], dec[96 * 4];
    for (int round = 0; round < 20000; round++) {
        size_t n = next_byte() % 64;
        for (size_t i = 0; i < n; i++) {
            unsigned b = next_byte();
            /* Bias towards the interesting ranges. */
            in[i] = (char)(b % 3 == 0 ? 0x80 + next_byte() % 0x40 : b % 3 == 1 ? 0xC0 + next_byte() % 0x40 : b);
            if (!in[i])
                in[i] = 'x';
        }
        in[n] = '\0';
        strbuf sb = {0};
        report_json_string(&sb, in);
        assert_true(utf8_valid((const unsigned char *)sb.buf, sb.len));
        assert_no_hidden(sb.buf);
        size_t dn = json_decode(sb.buf, dec);
        if (utf8_valid((const unsigned char *)in, n)) {
            /* Valid text keeps its value exactly. */
            assert_int_equal(dn, n);
            assert_memory_equal(dec, in, n);
        }
        sb_free(&sb);
    }
}

static void test_json_forms(void **state)
{
    (void)state;
    strbuf sb = {0};
    report_json_string(&sb, "a\"b\\c\n\x01\x7f\xc2\x9b\xe2\x80\xae\xf3\xa0\x80\x81\x9b\xc3\xa9");
    assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\\u007f\\u009b\\u202e\\udb40\\udc01\\\\x9B\xc3\xa9\"");
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept),
        cmocka_unit_test(test_c0_del),
        cmocka_unit_test(test_c1),
        cmocka_unit_test(test_bidi_and_format),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_ascii_and_newlines),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_json_any_bytes),
        cmocka_unit_test(test_json_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
