/* More unit tests of the wizard's view model (ui/walkview.h; see also
 * test_walkview.c), without a terminal:
 * the article catalog and the lab list the screens show, and a whole walk
 * of KB843106 against the built-in lab (sendas-denied, on loopback, started
 * through the view model as the wizard does): the step number and path
 * that the header draws, going back a screen, what a report saved
 * mid-walk says, and the conclusion the answers lead to. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/walkview.h"

static char kbdir[512];

static void test_catalog(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open(kbdir, &err);
    if (!e)
        fail_msg("%s", err);
    const wv_article *a;
    int n = wv_articles(e, &a);
    assert_int_equal(n, 2);
    bool seen843 = false, seen979 = false;
    for (int i = 0; i < n; i++) {
        seen843 |= strcmp(a[i].id, "843106") == 0;
        seen979 |= strcmp(a[i].id, "979174") == 0;
        assert_true(a[i].title && strlen(a[i].title) > 5);
    }
    assert_true(seen843 && seen979);
    const wv_lab *labs;
    int nl = wv_labs(e, &labs, &err);
    assert_true(nl >= 29);
    bool hostile = false, healthy_hostile = false;
    for (int i = 0; i < nl; i++) {
        if (i && labs[i - 1].group_no == labs[i].group_no)
            assert_true(strcmp(labs[i - 1].name, labs[i].name) < 0);   /* by name in a group */
        if (strcmp(labs[i].name, "never-greets") == 0)
            hostile = labs[i].hostile;
        if (strcmp(labs[i].name, "e2010-healthy") == 0)
            healthy_hostile = labs[i].hostile;
    }
    assert_true(hostile);
    assert_false(healthy_hostile);
    wv_free(e);
}

/* The truthful answers for sendas-denied: no to every question but the
 * SendAs right on the receiving server. */
static int answer_for(const char *step)
{
    return strcmp(step, "sendas-ace") == 0 ? 'y' : 'n';
}

static void test_walk(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open(kbdir, &err);
    if (!e)
        fail_msg("%s", err);
    wv_lab_target t;
    if (!wv_lab_start(e, "sendas-denied", &t, &err))
        fail_msg("%s", err);
    assert_true(wv_lab_running(e));
    assert_string_equal(t.article, "843106");
    char port[16];
    snprintf(port, sizeof port, "%d", t.port);
    probe_opts o = {.host = t.host, .port = port, .user = t.user, .password = t.password,
                    .timeout_ms = 5000, .cancel_fd = -1, .dc = "none",
                    .domain = "contoso.com", .lab = "sendas-denied"};
    if (!wv_begin(e, "843106", NULL, &o, &err))
        fail_msg("%s", err);
    assert_true(wv_started(e));

    wv_view v;
    int last_no = 0;
    bool went_back = false, reported = false;
    for (int guard = 0; guard < 60; guard++) {
        wv_get(e, &v);
        if (v.kind == WV_CONCLUSION || v.stopped || v.inconclusive)
            break;
        /* The header's step number counts the screens walked so far. */
        assert_true(v.step_no >= last_no);
        assert_non_null(v.step_id);
        assert_non_null(v.path);
        if (v.kind == WV_PROBE) {
            if (!v.have_result) {
                wv_probe_begin(e, false);
                wv_probe(e);
                wv_probe_end(e);
                continue;
            }
            if (!reported) {
                /* A report saved mid-walk says the walk is in progress, not
                 * that the server could not be examined. */
                char *md = wv_report(e);
                assert_non_null(md);
                if (strstr(md, "could not be examined") || !strstr(md, "in progress"))
                    fail_msg("mid-walk report:\n%s", md);
                free(md);
                reported = true;
            }
            last_no = v.step_no;
            assert_true(wv_next(e));
            continue;
        }
        /* A question: the first time, go back one screen and return. */
        if (!went_back && v.step_no > 1) {
            int here = v.step_no;
            char *id = strdup(v.step_id);
            assert_true(wv_back(e));
            wv_get(e, &v);
            assert_true(v.step_no < here);
            assert_string_not_equal(v.step_id, id);
            went_back = true;
            last_no = v.step_no;
            free(id);
            continue;
        }
        last_no = v.step_no;
        assert_true(wv_answer(e, answer_for(v.step_id)));
    }
    wv_get(e, &v);
    if (v.kind != WV_CONCLUSION || !v.concl_id)
        fail_msg("the walk did not conclude (stopped %d, inconclusive %d): %s", v.stopped,
                 v.inconclusive, v.verdict ? v.verdict : "");
    assert_string_equal(v.concl_id, "sendas-denied");
    assert_true(went_back);
    assert_true(reported);
    wv_lab_stop(e);
    assert_false(wv_lab_running(e));
    wv_free(e);
}

int main(void)
{
    const char *top = getenv("TOP");
    snprintf(kbdir, sizeof kbdir, "%s/kb", top ? top : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
