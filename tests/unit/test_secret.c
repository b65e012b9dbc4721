/* Unit tests for the secret registry (base/secret.h): every form of the
 * password is cut from escaped text and JSON, overlapping and adjacent
 * occurrences, a password that escaping would change, a cut never showing
 * part of one, and use from several threads at once. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk/report.h"
#include "base/secret.h"
#include "base/util.h"

#define USER "alice"
#define PASS "Zq9-unique-P4ss!w0rd"

static int teardown(void **state)
{
    (void)state;
    secret_clear();
    return 0;
}

static void expect_esc(const char *in, size_t len, const char *want)
{
    char *got = util_escape(in, len);
    if (strcmp(got, want) != 0)
        fail_msg("escape: got \"%s\", want \"%s\"", got, want);
    free(got);
}

/* The base64 of data[0..n), as the test computes it. */
static char *b64(const char *data, size_t n)
{
    return util_b64_encode(data, n);
}

static void test_every_form(void **state)
{
    (void)state;
    secret_add(USER, PASS);
    assert_true(secret_active());
    static const char plain1[] = "\0" USER "\0" PASS, plain2[] = USER "\0" USER "\0" PASS;
    char *forms[] = {
        xstrdup(PASS), b64(PASS, strlen(PASS)),
        b64(plain1, sizeof plain1 - 1), b64(plain2, sizeof plain2 - 1),
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char *line = xasprintf("535 5.7.8 failed for %s, sorry", forms[i]);
        expect_esc(line, strlen(line), "535 5.7.8 failed for <redacted>, sorry");
        /* Without its padding too, as a server may strip it. */
        size_t n = strlen(forms[i]);
        while (n && forms[i][n - 1] == '=')
            forms[i][--n] = '\0';
        free(line);
        line = xasprintf("334 %s", forms[i]);
        expect_esc(line, strlen(line), "334 <redacted>");
        free(line);
        free(forms[i]);
    }
    /* LOGIN's base64 of the user name alone is not a secret. */
    char *u = b64(USER, strlen(USER));
    expect_esc(u, strlen(u), u);
    free(u);
    secret_clear();
    assert_false(secret_active());
    expect_esc(PASS, strlen(PASS), PASS);
}

static void test_overlapping_and_adjacent(void **state)
{
    (void)state;
    secret_add(NULL, "abab");
    expect_esc("xababab y", 9, "x<redacted> y");          /* overlapping: 1-5 and 3-7 */
    expect_esc("ababababZ", 9, "<redacted>Z");            /* adjacent */
    expect_esc("abaXabab", 8, "abaX<redacted>");
    secret_span *sp = NULL;
    assert_int_equal(secret_find("ab ababab abab", 14, &sp), 2);
    assert_int_equal(sp[0].start, 3);
    assert_int_equal(sp[0].end, 9);
    assert_int_equal(sp[1].start, 10);
    assert_int_equal(sp[1].end, 14);
    free(sp);
    assert_int_equal(secret_find("nothing here", 12, &sp), 0);
    assert_null(sp);
    /* Adding it again changes nothing. */
    secret_add(NULL, "abab");
    expect_esc("xababab y", 9, "x<redacted> y");
}

/* Found in the raw bytes, before escaping would change them. */
static void test_escaped_characters(void **state)
{
    (void)state;
    static const char pw[] = "p\x1b[w\t\xc3\xa9\xe2\x80\xae!";
    secret_add("bob", pw);
    char *line = xasprintf("535 %s end", pw);
    expect_esc(line, strlen(line), "535 <redacted> end");
    free(line);
    /* Not a prefix of it either side of a control byte. */
    expect_esc("p\x1b[w", 4, "p\\e[w");
}

/* A cut never shows part of a secret: they are found before the cut. */
static void test_cap_never_shows_part(void **state)
{
    (void)state;
    secret_add(USER, PASS);
    char line[128];
    for (size_t cap = 0; cap < 48; cap++) {
        snprintf(line, sizeof line, "0123456789%s tail", PASS);
        char *s = util_escape_capped(line, strlen(line), cap);
        assert_null(strstr(s, "Zq9"));
        assert_null(strstr(s, "w0rd"));
        free(s);
    }
}

static void test_json_redacts(void **state)
{
    (void)state;
    secret_add(USER, PASS);
    strbuf sb = {0};
    char *b = b64(PASS, strlen(PASS));
    char *in = xasprintf("%s and %s", PASS, b);
    report_json_string(&sb, in);
    assert_string_equal(sb.buf, "\"<redacted> and <redacted>\"");
    sb_free(&sb);
    free(in);
    free(b);
}

static void test_empty_and_null(void **state)
{
    (void)state;
    secret_add("u", NULL);
    secret_add("u", "");
    assert_false(secret_active());
    expect_esc("u", 1, "u");
}

/* Escaping on several threads while another registers and forgets other
 * passwords: every line keeps its redaction (ASan/UBSan watch the rest). */
#define THREADS 4
#define ROUNDS 2000

static void *escaper(void *arg)
{
    (void)arg;
    char line[] = "334 " PASS " echoed";
    for (int i = 0; i < ROUNDS; i++) {
        char *s = util_escape(line, sizeof line - 1);
        if (strcmp(s, "334 <redacted> echoed") != 0) {
            free(s);
            return (void *)1;
        }
        free(s);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    secret_add(USER, PASS);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, escaper, NULL), 0);
    for (int i = 0; i < 50; i++) {
        char other[32];
        snprintf(other, sizeof other, "other-%d", i);
        secret_add("carol", other);
    }
    void *res;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], &res), 0);
        assert_null(res);
    }
    expect_esc("other-7 x", 9, "<redacted> x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_form, teardown),
        cmocka_unit_test_teardown(test_overlapping_and_adjacent, teardown),
        cmocka_unit_test_teardown(test_escaped_characters, teardown),
        cmocka_unit_test_teardown(test_cap_never_shows_part, teardown),
        cmocka_unit_test_teardown(test_json_redacts, teardown),
        cmocka_unit_test_teardown(test_empty_and_null, teardown),
        cmocka_unit_test_teardown(test_threads, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
