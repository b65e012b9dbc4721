/* Unit tests of the wizard's view model (ui/walkview.c) without a terminal:
 * the articles as the catalog loads them (a broken one is named, not
 * dropped), the lab list with the article each scenario plays, and whole
 * walks through the view against the real in-process lab, the way the
 * screens drive it (probe begin/run/end, next, answer, back). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui/walkview.h"

static void test_articles(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    assert_non_null(e);
    const wv_article *a;
    int n = wv_articles(e, &a);
    assert_true(n >= 2);
    bool k843 = false, k979 = false;
    for (int i = 0; i < n; i++) {
        k843 |= strcmp(a[i].id, "843106") == 0;
        k979 |= strcmp(a[i].id, "979174") == 0;
        assert_non_null(a[i].symptom);
    }
    assert_true(k843 && k979);
    int more = -1;
    assert_null(wv_load_note(e, &more));
    assert_int_equal(more, 0);
    wv_free(e);
}

/* A broken article beside a good one: the good one loads, the broken one
 * is named with its line. */
static void test_broken_article(void **state)
{
    (void)state;
    char dir[] = "tests/tmp/walkview.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/kb999.ini", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[article]\nid = 999\n", f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp kb/kb843106.ini %s/", dir);
    assert_int_equal(system(cmd), 0);
    char *err = NULL;
    wv *e = wv_open(dir, &err);
    assert_non_null(e);
    const wv_article *a;
    assert_int_equal(wv_articles(e, &a), 1);
    int more = -1;
    const char *note = wv_load_note(e, &more);
    assert_non_null(note);
    assert_non_null(strstr(note, "kb999.ini"));
    assert_null(strstr(note, dir));   /* shortened to the file name */
    wv_free(e);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_labs(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    const wv_lab *labs;
    int n = wv_labs(e, &labs, &err);
    assert_true(n > 10);
    bool saw_sendas = false, saw_hostile = false;
    for (int i = 0; i < n; i++) {
        if (strcmp(labs[i].name, "sendas-denied") == 0) {
            saw_sendas = true;
            assert_string_equal(labs[i].article, "843106");
            assert_false(labs[i].hostile);
        }
        if (strcmp(labs[i].name, "never-greets") == 0) {
            saw_hostile = true;
            assert_true(labs[i].hostile);
            assert_null(labs[i].article);
        }
    }
    assert_true(saw_sendas && saw_hostile);
    /* grouped: never a hostile fixture first, all of them last, groups in
     * order and by name within one */
    assert_false(labs[0].hostile);
    for (int i = 1; i < n; i++) {
        assert_true(labs[i - 1].group_no <= labs[i].group_no);
        assert_false(labs[i - 1].hostile && !labs[i].hostile);
        if (labs[i - 1].group_no == labs[i].group_no)
            assert_true(strcmp(labs[i - 1].name, labs[i].name) < 0);
        assert_non_null(labs[i].group);
    }
    assert_true(labs[n - 1].hostile);
    assert_string_equal(labs[0].article, "843106");
    /* A lab of one article names the article's own resolution step (KB843106
     * numbers 1-5, KB979174 1-6) or says it is one of its other scenarios. */
    for (int i = 0; i < n; i++) {
        const char *a = labs[i].article;
        if (!a || labs[i].hostile)
            continue;
        char want[16];
        snprintf(want, sizeof want, "KB%s ", a);
        const char *d = labs[i].description;
        int step = 0;
        if (strncmp(d, want, strlen(want)) != 0)
            fail_msg("lab %s: its description does not start with %s", labs[i].name, want);
        if (sscanf(d + strlen(want), "step %d", &step) == 1)
            assert_in_range(step, 1, strcmp(a, "843106") == 0 ? 5 : 6);
        else if (strncmp(d + strlen(want), "other scenarios:", 16) != 0)
            fail_msg("lab %s: neither an article step nor an other scenario: %s", labs[i].name, d);
    }
    wv_free(e);
}

/* Walk to the end through the view as the screens do: each probe step
 * first shows the step, then (after the probe) its finding, and Enter
 * moves on; questions take the given answer.  Returns the conclusion id
 * (static copy) or "" if the walk stopped. */
static const char *walk_all(wv *e, int answer, int *steps)
{
    static char concl[64];
    wv_view v;
    for (*steps = 0; *steps < 100; (*steps)++) {
        wv_get(e, &v);
        if (v.kind == WV_CONCLUSION) {
            snprintf(concl, sizeof concl, "%s", v.concl_id);
            return concl;
        }
        if (v.stopped)
            return "";
        if (v.kind == WV_QUESTION) {
            assert_non_null(v.question);
            assert_non_null(v.manual);
            assert_true(wv_answer(e, answer));
            continue;
        }
        if (!v.have_result) {
            wv_probe_begin(e, false);
            wv_get(e, &v);              /* a snapshot while the probe runs */
            assert_false(v.have_result);
            wv_probe(e);
            wv_probe_end(e);
            wv_get(e, &v);
            assert_true(v.have_result);
            assert_non_null(v.summary);
            assert_non_null(v.verdict);
            if (v.stopped)
                return "";
        }
        assert_true(wv_next(e));
    }
    fail_msg("the walk did not end in 100 steps");
    return NULL;
}

static void start(wv *e, const char *lab, const char *article, probe_opts *o,
                  wv_lab_target *t)
{
    char *err = NULL;
    if (!wv_lab_start(e, lab, t, &err))
        fail_msg("lab %s: %s", lab, err);
    assert_true(wv_lab_running(e));
    assert_string_equal(t->host, "127.0.0.1");
    assert_true(t->port > 0);
    static char port[16];
    snprintf(port, sizeof port, "%d", t->port);
    *o = (probe_opts){.host = t->host, .port = port, .user = t->user, .password = t->password,
                      .timeout_ms = 3000, .cancel_fd = -1, .dc = "none"};
    if (!article)
        article = t->article;
    assert_non_null(article);
    if (!wv_begin(e, article, NULL, o, &err))
        fail_msg("begin %s: %s", article, err);
    assert_true(wv_started(e));
}

static void test_walk_lab(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    probe_opts o;
    wv_lab_target t;
    start(e, "iwa-disabled", NULL, &o, &t);
    assert_string_equal(t.article, "843106");
    int steps = 0;
    const char *c = walk_all(e, 'n', &steps);
    assert_true(steps > 3);
    assert_string_equal(c, "iwa-disabled");
    const transcript *tr = wv_transcript(e);
    assert_non_null(tr);
    assert_true(tr->n > 0);
    char *md = wv_report(e);
    assert_non_null(strstr(md, "iwa-disabled"));
    free(md);
    size_t n = 0;
    int cur = -2;
    char **outline = wv_outline(e, &n, &cur);
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++)
        free(outline[i]);
    free(outline);
    wv_lab_stop(e);
    assert_false(wv_lab_running(e));
    wv_free(e);
}

/* Back from a question goes to the previous question answered; answers
 * change the path. */
static void test_back(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    probe_opts o;
    wv_lab_target t;
    start(e, "e2003-healthy", "843106", &o, &t);
    wv_view v;
    wv_get(e, &v);
    assert_int_equal(v.kind, WV_QUESTION);   /* accompanying-symptoms */
    const char *first = v.step_id;
    assert_true(wv_answer(e, 'y'));
    wv_get(e, &v);
    assert_int_equal(v.kind, WV_PROBE);
    assert_true(wv_back(e));
    wv_get(e, &v);
    assert_int_equal(v.kind, WV_QUESTION);
    assert_string_equal(v.step_id, first);
    wv_free(e);
}

static void run_probe(wv *e)
{
    wv_probe_begin(e, false);
    wv_probe(e);
    wv_probe_end(e);
}

/* Back goes one screen at a time, probe findings included, to the walk's
 * first screen: each screen is the one shown going forward, a question is
 * unanswered again, and no probe talks to the server again (the transcript
 * does not grow).  The outline's Enter goes back to a step passed. */
static void test_back_screens(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    probe_opts o;
    wv_lab_target t;
    start(e, "sendas-denied", "843106", &o, &t);
    char *ids[64];
    int kinds[64], n = 0;
    wv_view v;
    for (;;) {
        wv_get(e, &v);
        if (v.kind == WV_CONCLUSION || v.stopped)
            break;
        if (v.kind == WV_PROBE && !v.have_result) {
            run_probe(e);
            continue;
        }
        assert_true(n < 64);
        ids[n] = strdup(v.step_id);
        kinds[n++] = v.kind;
        if (v.kind == WV_PROBE)
            assert_true(wv_next(e));
        else
            assert_true(wv_answer(e, 'n'));
    }
    assert_int_equal(v.kind, WV_CONCLUSION);
    char *concl = strdup(v.concl_id);
    assert_true(n > 4);
    size_t lines = wv_transcript(e)->n;
    int probes_seen = 0;
    for (int i = n - 1; i >= 0; i--) {
        assert_true(wv_back(e));
        wv_get(e, &v);
        if (v.kind == WV_PROBE && !v.have_result) {
            run_probe(e);            /* decides again from the kept result */
            wv_get(e, &v);
            assert_true(v.have_result);
            probes_seen++;
        }
        if (strcmp(v.step_id, ids[i]) != 0 || (int)v.kind != kinds[i])
            fail_msg("back to screen %d: %s (kind %d), want %s (kind %d)", i, v.step_id,
                     v.kind, ids[i], kinds[i]);
        if (v.kind == WV_QUESTION)
            assert_false(v.have_result);
    }
    assert_true(probes_seen > 2);
    assert_false(wv_back(e));        /* the first screen: nothing before it */
    assert_int_equal(wv_transcript(e)->n, lines);
    /* forward again with the same answers: the same conclusion */
    int steps = 0;
    assert_string_equal(walk_all(e, 'n', &steps), concl);
    assert_int_equal(wv_transcript(e)->n, lines);
    /* the outline: Enter on the third screen's step goes back to it */
    size_t nl = 0;
    int cur = -1, line = -1;
    char **ol = wv_outline(e, &nl, &cur);
    char want[80];
    snprintf(want, sizeof want, " %s ", ids[2]);
    for (size_t i = 0; i < nl; i++) {
        if (line < 0 && strstr(ol[i], want))
            line = (int)i;
        free(ol[i]);
    }
    free(ol);
    assert_true(line >= 0);
    assert_true(wv_goto_step(e, line));
    wv_get(e, &v);
    if (v.kind == WV_PROBE && !v.have_result)
        run_probe(e);
    wv_get(e, &v);
    assert_string_equal(v.step_id, ids[2]);
    /* a step the walk never passed cannot be gone to */
    ol = wv_outline(e, &nl, &cur);
    int never = -1;
    for (size_t i = 0; i < nl; i++) {
        if (never < 0 && ol[i][0] == ' ')
            never = (int)i;
        free(ol[i]);
    }
    free(ol);
    assert_true(never >= 0);
    assert_false(wv_goto_step(e, never));
    for (int i = 0; i < n; i++)
        free(ids[i]);
    free(concl);
    wv_free(e);
}

/* Commands stay lines of their own, with the walk's names filled in: the
 * spn-missing lab (mail1.fabrikam.com, NetBIOS MAIL1 by NTLM) walked to its
 * conclusion shows `setspn -S SMTPSVC/mail1.fabrikam.com MAIL1` as one
 * command line, never wrapped into the prose around it. */
static void test_commands(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    probe_opts o;
    wv_lab_target t;
    start(e, "spn-missing", "979174", &o, &t);
    wv_view v;
    for (int i = 0; i < 60; i++) {
        wv_get(e, &v);
        if (v.kind == WV_CONCLUSION || v.stopped)
            break;
        if (v.kind == WV_QUESTION) {
            /* the manual check's commands are lines of their own too */
            if (strstr(v.manual, "setspn") && !strstr(v.manual, "\x01setspn"))
                fail_msg("a setspn command run into prose: %s", v.manual);
            assert_true(wv_answer(e, strcmp(v.step_id, "spn-list") == 0 ? 'y' : 'n'));
        } else if (!v.have_result) {
            run_probe(e);
        } else {
            assert_true(wv_next(e));
        }
    }
    assert_int_equal(v.kind, WV_CONCLUSION);
    assert_string_equal(v.concl_id, "spn-missing");
    const char *want = "\n\x01setspn -S SMTPSVC/mail1.fabrikam.com MAIL1\n";
    if (!strstr(v.action, want))
        fail_msg("no filled-in command line in: %s", v.action);
    assert_null(strstr(v.action, "<server>"));
    assert_null(strstr(v.action, "$ "));
    wv_free(e);
}

/* The mark a reader sees is the finding's meaning for the diagnosis: in
 * the iwa-disabled lab the step that points to the fault says "fault found
 * here: iwa-disabled" whatever the probe's own status; no step before it
 * says so. */
static void test_marks(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    probe_opts o;
    wv_lab_target t;
    start(e, "iwa-disabled", "843106", &o, &t);
    wv_view v;
    int faults = 0, last_mark = -1, others = 0;
    char last_text[128] = "";
    for (int i = 0; i < 60; i++) {
        wv_get(e, &v);
        if (v.kind == WV_CONCLUSION || v.stopped)
            break;
        if (v.kind == WV_QUESTION) {
            assert_true(wv_answer(e, 'n'));
        } else if (!v.have_result) {
            run_probe(e);
        } else {
            assert_non_null(v.mark_text);
            assert_true(v.mark != WV_MARK_NONE);
            faults += v.mark == WV_MARK_FAULT;
            others += v.mark == WV_MARK_NOTED || v.mark == WV_MARK_RULED_OUT;
            last_mark = (int)v.mark;
            snprintf(last_text, sizeof last_text, "%s", v.mark_text);
            assert_true(wv_next(e));
        }
    }
    assert_int_equal(v.kind, WV_CONCLUSION);
    assert_string_equal(v.concl_id, "iwa-disabled");
    assert_int_equal(faults, 1);
    assert_int_equal(last_mark, WV_MARK_FAULT);
    assert_string_equal(last_text, "fault found here: iwa-disabled");
    assert_true(others > 0);
    wv_free(e);
}

/* Text a screen shows may not be rule syntax ("ehlo.exchange_auth = false",
 * "xexch50.reply_auth ~ ^504"): every non-hostile lab walked with both
 * articles ("no" to every question), every view's texts checked. */
static bool rule_syntax(const char *s)
{
    if (!s)
        return false;
    regex_t re;
    assert_int_equal(regcomp(&re, "[a-z0-9_-]+\\.[a-z_]+ (=|!=|~|!~|<|>|<=|>=|has|lacks) ",
                             REG_EXTENDED | REG_NOSUB), 0);
    bool hit = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

/* Every screen of every lab walk (both articles, "no" and "don't know"
 * to every question) explains itself in sentences: no rule syntax.  And
 * its hints fit a practice lab: nothing tells the user to run kinit and
 * smtpwiz again or cites a --dc none the user never typed. */
static void test_no_rule_syntax(void **state)
{
    (void)state;
    char *err = NULL;
    wv *e = wv_open("kb", &err);
    const wv_lab *labs;
    int nl = wv_labs(e, &labs, &err);
    assert_true(nl > 10);
    int screens = 0, spn_skips = 0;
    static const char *const not_in_lab[] = { "kinit", "--dc none", "smtpwiz again" };
    for (int l = 0; l < nl; l++) {
        if (labs[l].hostile)
            continue;
        for (int k = 0; k < 4; k++) {
            const char *art = k & 1 ? "979174" : "843106";
            int answer = k & 2 ? 'd' : 'n';
            probe_opts o;
            wv_lab_target t;
            start(e, labs[l].name, art, &o, &t);
            wv_view v;
            for (int i = 0; i < 80; i++) {
                wv_get(e, &v);
                const char *texts[] = { v.title, v.why, v.question, v.manual, v.summary,
                                        v.verdict, v.mark_text, v.cause, v.action };
                for (size_t j = 0; j < sizeof texts / sizeof *texts; j++) {
                    if (rule_syntax(texts[j]))
                        fail_msg("%s (KB%s), step %s: rule syntax on screen: %s", labs[l].name,
                                 art, v.step_id, texts[j]);
                    /* what the probe found and what to do (the step's own
                     * prose may explain how the probe works anywhere) */
                    for (size_t h = 0; j >= 4 && texts[j] && h < sizeof not_in_lab / sizeof *not_in_lab; h++)
                        if (strstr(texts[j], not_in_lab[h]))
                            fail_msg("%s (KB%s), step %s: a hint that cannot help in a lab "
                                     "(\"%s\"): %s", labs[l].name, art, v.step_id,
                                     not_in_lab[h], texts[j]);
                }
                if (v.summary && strstr(v.summary, "SPNs not checked: this practice lab"))
                    spn_skips++;
                screens++;
                if (v.kind == WV_CONCLUSION || v.stopped)
                    break;
                if (v.kind == WV_QUESTION)
                    assert_true(wv_answer(e, answer));
                else if (!v.have_result)
                    run_probe(e);
                else
                    assert_true(wv_next(e));
            }
        }
    }
    assert_true(screens > 400);
    assert_true(spn_skips > 0);   /* the lab's own hint was seen at least once */
    wv_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_articles),
        cmocka_unit_test(test_broken_article),
        cmocka_unit_test(test_labs),
        cmocka_unit_test(test_walk_lab),
        cmocka_unit_test(test_back),
        cmocka_unit_test(test_back_screens),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_no_rule_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
