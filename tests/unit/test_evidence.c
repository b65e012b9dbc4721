/* Unit tests of the evidence rules (walk/evidence.h, and kb check's part of
 * them), on articles of questions only so that no server is needed:
 *   - kb check refuses a tree that would conclude a finding from "don't
 *     know", from a probe that did not test it, or from a "no"; a branch
 *     that rules a cause out on anything but evidence or a "no"; a cause
 *     that nothing can rule out; a probe branch without its sentence;
 *   - "don't know" never yields a fault, and a walk with an unanswered
 *     check never yields the all-clear: every combination of answers of a
 *     small article is walked and its outcome checked against the rules;
 *   - a fault of the server itself waits for the premise (who the server
 *     is) to be settled. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "kb/kb.h"
#include "walk/evidence.h"
#include "walk/wizard.h"

#define HEAD "[article]\nid = 1\ntitle = T\nsource = S\nstart = q1\n"
#define Q(id, yes, no, unknown, extra) \
    "[step " id "]\nkind = question\ntitle = " id "\nwhy = W\nask = A " id "?\nhow = H\n" \
    extra "yes = " yes "\nno = " no "\n" unknown
#define CONC(id, sev) "[step " id "]\nkind = conclusion\ntitle = C " id "\nmeans = M\nfix = F\n" \
    "severity = " sev "\n"

static char fixture[64];

static int setup(void **state)
{
    (void)state;
    strcpy(fixture, "/tmp/smtpwiz-ev-XXXXXX");
    int fd = mkstemp(fixture);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(fixture);
    return 0;
}

static kb_article *load(const char *text, kb_errors *errs)
{
    FILE *f = fopen(fixture, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return kb_load(fixture, errs);
}

static void expect_error(const char *text, const char *reason)
{
    kb_errors errs = {0};
    kb_article *a = load(text, &errs);
    bool found = false;
    for (size_t i = 0; i < errs.n; i++)
        found |= strstr(errs.v[i], reason) != NULL;
    if (!found) {
        for (size_t i = 0; i < errs.n; i++)
            print_message("  got: %s\n", errs.v[i]);
        fail_msg("expected an error with \"%s\"", reason);
    }
    kb_free(a);
    kb_errors_free(&errs);
}

static kb_article *load_clean(const char *text)
{
    kb_errors errs = {0};
    kb_article *a = load(text, &errs);
    for (size_t i = 0; i < errs.n; i++)
        print_message("%s\n", errs.v[i]);
    assert_int_equal(errs.n, 0);
    return a;
}

static void test_check_rules(void **state)
{
    (void)state;
    /* "don't know" concludes a fault */
    expect_error(HEAD Q("q1", "x", "ok", "unknown = x\n", "") CONC("x", "fail") CONC("ok", "ok"),
                 "concludes \"x\" from \"don't know\"");
    /* ... or an expected condition */
    expect_error(HEAD Q("q1", "ok", "ok", "unknown = e\n", "") CONC("e", "warn") CONC("ok", "ok"),
                 "concludes \"e\" from \"don't know\"");
    /* "no" concludes a finding */
    expect_error(HEAD Q("q1", "ok", "x", "unknown = ok\n", "") CONC("x", "fail") CONC("ok", "ok"),
                 "phrase the question so that yes is the finding");
    /* a probe that skipped concludes a fault, through its skip branch or the default */
    expect_error(HEAD "[step q1]\nkind = probe\nprobe = ehlo\ntitle = P\nwhy = W\n"
                 "pass = ok\nbecause = B\nwarn = ok\nbecause = B\nfail = ok\nbecause = B\n"
                 "skip = x\nbecause = B\n" CONC("x", "fail") CONC("ok", "ok"),
                 "concludes \"x\" from a probe that did not test it");
    expect_error(HEAD "[step q1]\nkind = probe\nprobe = ehlo\ntitle = P\nwhy = W\n"
                 "pass = ok\nbecause = B\ndefault = x\nbecause = B\n" CONC("x", "fail")
                 CONC("ok", "ok"), "concludes \"x\" from a probe that did not test it");
    /* a probe branch without its sentence */
    expect_error(HEAD "[step q1]\nkind = probe\nprobe = ehlo\ntitle = P\nwhy = W\n"
                 "default = ok\n" CONC("ok", "ok"), "has no `because = ...`");
    /* rules_out on a yes, on a don't know, of a non-cause, and a cause never ruled out */
    expect_error(HEAD Q("q1", "x", "ok", "unknown = ok\n", "") "rules_out = x\n"
                 CONC("x", "fail") CONC("ok", "ok"), "cannot rule \"x\" out");
    expect_error(HEAD Q("q1", "x", "ok", "unknown = ok\nrules_out = x\n", "")
                 CONC("x", "fail") CONC("ok", "ok"), "cannot rule \"x\" out");
    expect_error(HEAD Q("q1", "x", "ok", "rules_out = ok\nunknown = ok\n", "")
                 CONC("x", "fail") CONC("ok", "ok"), "not a fault conclusion");
    expect_error(HEAD Q("q1", "x", "ok", "unknown = ok\n", "") CONC("x", "fail") CONC("ok", "ok"),
                 "no branch rules out \"x\"");
    /* `because` with no branch above it */
    expect_error(HEAD "[step q1]\nkind = probe\nprobe = ehlo\ntitle = P\nwhy = W\nbecause = B\n"
                 "default = ok\nbecause = B\n" CONC("ok", "ok"), "must follow the branch");
    /* a command left in the prose of a manual check */
    expect_error(HEAD "[step q1]\nkind = question\ntitle = Q\nwhy = W\nask = A?\n"
                 "how = Run this:\n  setspn -L <server>\nyes = ok\nno = ok\nunknown = ok\n"
                 CONC("ok", "ok"), "has a command in its prose");
    /* the reserved target is accepted */
    kb_article *a = load_clean(HEAD Q("q1", "x", "ok", "rules_out = x\nunknown = inconclusive\n",
                                      "") CONC("x", "fail") CONC("ok", "ok"));
    kb_free(a);
}

/* Two causes, a premise question first, then one check per cause. */
static const char two_causes[] =
    HEAD
    Q("q1", "away", "q2", "unknown = q2\n", "premise = yes\n")
    Q("q2", "x", "q3", "rules_out = x\nunknown = q3\n", "")
    Q("q3", "y", "ok", "rules_out = y\nunknown = ok\n", "")
    CONC("x", "fail") CONC("y", "fail") CONC("away", "warn") CONC("ok", "ok");

typedef struct walk_out {
    wiz_state state;
    const char *id;          /* conclusion, or suspected */
    size_t nopen;
} walk_out;

static walk_out walk(const kb_article *a, const wiz_reply *answers, size_t n)
{
    probe_opts o = {.host = "127.0.0.1", .cancel_fd = -1};
    wiz *w = wiz_new(a, &o);
    for (size_t i = 0; wiz_get_state(w) == WIZ_AT_QUESTION; i++)
        assert_int_equal(wiz_answer(w, i < n ? answers[i] : WIZ_UNKNOWN), 0);
    walk_out r = {.state = wiz_get_state(w)};
    const kb_step *c = wiz_conclusion(w) ? wiz_conclusion(w) : wiz_suspected(w);
    static char id[32];
    snprintf(id, sizeof id, "%s", c ? c->id : "");
    r.id = id;
    r.nopen = wiz_open(w, NULL, 0);
    assert_int_equal(wiz_exit_status(w), r.state == WIZ_INCONCLUSIVE ? 4
                     : !c ? 3 : !strcmp(c->severity, "ok") ? 0 : !strcmp(c->severity, "warn") ? 1 : 2);
    wiz_free(w);
    return r;
}

static void test_named_walks(void **state)
{
    (void)state;
    kb_article *a = load_clean(two_causes);
    wiz_reply all_no[] = {WIZ_NO, WIZ_NO, WIZ_NO};
    walk_out r = walk(a, all_no, 3);
    assert_int_equal(r.state, WIZ_DONE);
    assert_string_equal(r.id, "ok");
    /* nothing answered: inconclusive, both causes open */
    r = walk(a, NULL, 0);
    assert_int_equal(r.state, WIZ_INCONCLUSIVE);
    assert_int_equal(r.nopen, 2);
    /* a yes with the premise settled: the fault */
    wiz_reply found[] = {WIZ_NO, WIZ_YES};
    r = walk(a, found, 2);
    assert_int_equal(r.state, WIZ_DONE);
    assert_string_equal(r.id, "x");
    /* the same yes with the premise unknown: suspected, not concluded */
    wiz_reply unsure[] = {WIZ_UNKNOWN, WIZ_YES};
    r = walk(a, unsure, 2);
    assert_int_equal(r.state, WIZ_INCONCLUSIVE);
    assert_string_equal(r.id, "x");
    /* an expected condition from a yes */
    wiz_reply away[] = {WIZ_YES};
    r = walk(a, away, 1);
    assert_int_equal(r.state, WIZ_DONE);
    assert_string_equal(r.id, "away");
    /* one check unanswered: no all-clear */
    wiz_reply one_open[] = {WIZ_NO, WIZ_NO, WIZ_UNKNOWN};
    r = walk(a, one_open, 3);
    assert_int_equal(r.state, WIZ_INCONCLUSIVE);
    assert_int_equal(r.nopen, 1);
    kb_free(a);
}

/* Every combination of answers (3^3): a fault needs a yes on its own
 * check and a settled premise; the all-clear needs every check a no. */
static void test_every_combination(void **state)
{
    (void)state;
    kb_article *a = load_clean(two_causes);
    for (int code = 0; code < 27; code++) {
        wiz_reply ans[3];
        for (int i = 0, c = code; i < 3; i++, c /= 3)
            ans[i] = (wiz_reply)(c % 3);
        walk_out r = walk(a, ans, 3);
        bool premise_no = ans[0] == WIZ_NO;
        if (r.state == WIZ_DONE && !strcmp(r.id, "x"))
            assert_true(ans[1] == WIZ_YES && premise_no);
        if (r.state == WIZ_DONE && !strcmp(r.id, "y"))
            assert_true(ans[2] == WIZ_YES && ans[1] != WIZ_YES && premise_no);
        if (r.state == WIZ_DONE && !strcmp(r.id, "ok"))
            assert_true(ans[1] == WIZ_NO && ans[2] == WIZ_NO);
        if (r.state == WIZ_DONE && !strcmp(r.id, "away"))
            assert_true(ans[0] == WIZ_YES);
        /* "don't know" on a check never concludes its cause */
        if (ans[1] == WIZ_UNKNOWN && r.state == WIZ_DONE)
            assert_true(strcmp(r.id, "x") != 0 && strcmp(r.id, "ok") != 0);
    }
    kb_free(a);
}

/* The shipped articles obey the rules as loaded (kb check passes), and the
 * manual checks of each cause are found (the inconclusive report lists them). */
/* A branch that says the server refused before the test (`untested = yes`)
 * keeps the all-clear out of reach even when every cause is ruled out, and
 * kb check refuses one that rules out or concludes anything. */
static void test_untested(void **state)
{
    (void)state;
    const char *art = HEAD "[step q1]\nkind = question\ntitle = q1\nwhy = W\nask = A?\nhow = H\n"
                      "yes = x\nno = ok\nrules_out = x\nunknown = ok\n" CONC("x", "fail") CONC("ok", "ok");
    kb_article *a = load_clean(art);
    const kb_step *q1 = kb_step_find(a, "q1"), *ok = kb_step_find(a, "ok");
    wiz_visit path[2] = {{.step = q1, .outcome = "no", .br = &q1->no, .basis = EV_ANSWER_NO}};
    assert_int_equal(ev_judge(a, path, 1, ok), EV_CONCLUSION);
    kb_branch refused = {.target = "q1", .because = "B", .untested = true};
    path[1] = (wiz_visit){.step = q1, .outcome = "skip", .br = &refused, .basis = EV_UNTESTED};
    assert_int_equal(ev_untested(path, 2, NULL, 0), 1);
    assert_int_equal(ev_judge(a, path, 2, ok), EV_INCONCLUSIVE);
    kb_free(a);
    expect_error(HEAD "[step q1]\nkind = question\ntitle = q1\nwhy = W\nask = A?\nhow = H\n"
                 "yes = x\nuntested = yes\nno = ok\nrules_out = x\nunknown = ok\n"
                 CONC("x", "fail") CONC("ok", "ok"), "is untested, yet concludes \"x\"");
    expect_error(HEAD "[step q1]\nkind = question\ntitle = q1\nwhy = W\nask = A?\nhow = H\n"
                 "yes = x\nno = ok\nrules_out = x\nuntested = yes\nunknown = ok\n"
                 CONC("x", "fail") CONC("ok", "ok"), "cannot rule \"x\" out");
    expect_error(HEAD "[step q1]\nkind = question\ntitle = q1\nwhy = W\nask = A?\nhow = H\n"
                 "yes = x\nno = ok\nrules_out = x\nuntested = maybe\nunknown = ok\n"
                 CONC("x", "fail") CONC("ok", "ok"), "untested is yes or no");
}

static void test_shipped_checks(void **state)
{
    (void)state;
    const char *top = getenv("TOP") ? getenv("TOP") : ".";
    const char *files[] = {"kb843106.ini", "kb979174.ini"};
    for (size_t f = 0; f < 2; f++) {
        char *path = xasprintf("%s/kb/%s", top, files[f]);
        kb_errors errs = {0};
        kb_article *a = kb_load(path, &errs);
        for (size_t i = 0; i < errs.n; i++)
            print_message("%s\n", errs.v[i]);
        assert_int_equal(errs.n, 0);
        for (size_t i = 0; i < a->nsteps; i++) {
            if (!kb_is_cause(&a->steps[i]))
                continue;
            const kb_step *checks[8];
            size_t n = ev_checks_for(a, &a->steps[i], checks, 8);
            if (n == 0)
                fail_msg("%s: no question settles %s by hand", files[f], a->steps[i].id);
        }
        kb_free(a);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_check_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_walks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_combination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untested, setup, teardown),
        cmocka_unit_test(test_shipped_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
