/* Unit tests for the transcript's bounds (proto/transcript.h): one line
 * keeps TR_LINE_SHOWN bytes of escaped text; past TR_BUDGET the server's
 * lines are elided with a count, while our own notes still fit. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/transcript.h"
#include "base/util.h"

static void test_line_cap(void **state)
{
    (void)state;
    transcript t;
    tr_init(&t);
    char line[4096];
    memset(line, 0x9b, sizeof line);
    tr_add(&t, TR_SERVER, false, line, sizeof line);
    assert_int_equal(t.n, 1);
    assert_true(strlen(t.v[0].line) <= TR_LINE_SHOWN + 32);
    /* 512 bytes shown as \x9B, 4 characters each. */
    assert_non_null(strstr(t.v[0].line, "... (3584 more bytes)"));
    tr_add(&t, TR_SERVER, false, "250 OK", 6);
    assert_string_equal(t.v[1].line, "250 OK");
    tr_free(&t);
}

static void test_budget(void **state)
{
    (void)state;
    transcript t;
    tr_init(&t);
    char line[4000];
    memset(line, 0x01, sizeof line);
    size_t lines = 2000;     /* 2000 x ~2 KiB stored: about 4 MiB without a budget */
    for (size_t i = 0; i < lines; i++)
        tr_add(&t, TR_SERVER, false, line, sizeof line);
    size_t kept = 0, text = 0;
    for (size_t i = 0; i < t.n; i++) {
        text += strlen(t.v[i].line);
        kept += t.v[i].dir == TR_SERVER;
    }
    assert_true(text <= TR_BUDGET + 64);
    assert_int_equal(kept + t.dropped, lines);
    assert_int_equal(t.dropped_bytes, t.dropped * sizeof line);
    /* One note stands for the whole run of elided lines. */
    const tr_entry *last = &t.v[t.n - 1];
    assert_int_equal(last->dir, TR_NOTE);
    char want[64];
    snprintf(want, sizeof want, "(%zu lines, %zu bytes not kept)", t.dropped, t.dropped * sizeof line);
    assert_string_equal(last->line, want);
    /* Our notes still fit, and the next elided line opens a new count. */
    tr_note(&t, false, "TLS handshake failed: %s", "reset");
    assert_string_equal(t.v[t.n - 1].line, "TLS handshake failed: reset");
    tr_add(&t, TR_SERVER, false, line, sizeof line);
    assert_string_equal(t.v[t.n - 1].line, "(1 line, 4000 bytes not kept)");
    tr_free(&t);
}

static void test_entries_bound(void **state)
{
    (void)state;
    transcript t;
    tr_init(&t);
    for (size_t i = 0; i < TR_MAX_ENTRIES + 10; i++)
        tr_add(&t, TR_CLIENT, false, "NOOP", 4);
    assert_int_equal(t.n, TR_MAX_ENTRIES);
    assert_int_equal(t.dropped, 10);
    assert_int_equal(t.dropped_bytes, 40);
    tr_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_cap),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_entries_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
