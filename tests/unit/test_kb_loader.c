/* Unit tests for the knowledge-base loader: one broken fixture per
 * validation rule (written to a temp file, as a user's edit would be), the
 * shipped articles, and the conditions on probe facts. */
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

#include <netinet/in.h>
#include <sys/socket.h>

#include "kb/kb.h"
#include "base/util.h"
#include "walk/wizard.h"

#define HEAD "[article]\nid = 1\ntitle = T\nsource = S\nstart = a\n"          /* lines 1-5 */
#define CONC(id) "[step " id "]\nkind = conclusion\ntitle = C\nmeans = M\nfix = F\n"
/* An all-clear and an expected condition: conclusions that are not causes. */
#define CONC_OK(id) CONC(id) "severity = ok\n"
#define CONC_WARN(id) CONC(id) "severity = warn\n"
#define B "because = B\n"

static char fixture[64];

static int setup(void **state)
{
    (void)state;
    strcpy(fixture, "/tmp/smtpwiz-kb-XXXXXX");
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

static kb_article *load_text(const char *text, kb_errors *errs)
{
    FILE *f = fopen(fixture, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return kb_load(fixture, errs);
}

/* The load must report "fixture:line: ...reason...". */
static void expect_error(const char *text, int line, const char *reason)
{
    kb_errors errs = {0};
    kb_article *a = load_text(text, &errs);
    char *prefix = xasprintf("%s:%d: ", fixture, line);
    bool found = false;
    for (size_t i = 0; i < errs.n; i++)
        if (strncmp(errs.v[i], prefix, strlen(prefix)) == 0 && strstr(errs.v[i], reason))
            found = true;
    if (!found) {
        for (size_t i = 0; i < errs.n; i++)
            print_message("  got: %s\n", errs.v[i]);
        fail_msg("expected %s%s", prefix, reason);
    }
    free(prefix);
    kb_free(a);
    kb_errors_free(&errs);
}

static const char valid[] =
    HEAD
    "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = first line\n  second line\n  .\n"
    "  after a break\nwhen = ehlo.keywords has XEXCH50 -> c\n" B "default = b\n" B
    "[step b]\nkind = question\ntitle = B\nwhy = W\nask = Q\nhow = H\nyes = c\nno = c\nunknown = c\n"
    CONC_OK("c")
    "[triage t]\nmatch = 504 need\nstep = a\nwhat = W\n";

static void test_valid(void **state)
{
    (void)state;
    kb_errors errs = {0};
    kb_article *a = load_text(valid, &errs);
    for (size_t i = 0; i < errs.n; i++)
        print_message("%s\n", errs.v[i]);
    assert_int_equal(errs.n, 0);
    assert_int_equal(a->nsteps, 3);
    const kb_step *s = kb_step_find(a, "a");
    assert_string_equal(s->why, "first line\nsecond line\n\nafter a break");
    assert_int_equal(s->line, 6);
    assert_int_equal(s->nwhens, 1);
    assert_string_equal(s->whens[0].br.target, "c");
    assert_string_equal(s->whens[0].br.because, "B");
    assert_string_equal(kb_step_route(s, ST_FAIL)->target, "b");
    assert_null(kb_step_route(s, ST_ERROR));   /* no error branch: the walk stops */
    assert_int_equal(a->npatterns, 1);
    kb_free(a);
}

static void test_parse_error(void **state)
{
    (void)state;
    expect_error(HEAD "this is not a key\n", 6, "not a `key = value` line");
}

static void test_long_line(void **state)
{
    (void)state;
    char *text = xasprintf(HEAD "[step a]\nkind = conclusion\ntitle = %0250d\n", 7);
    expect_error(text, 8, "longer than");
    free(text);
}

static void test_unknown_probe(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = telnet\ntitle = A\nwhy = W\ndefault = c\n"
                 CONC("c"), 8, "unknown probe \"telnet\"");
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "when = finger.x = 1 -> c\ndefault = c\n" CONC("c"), 11, "unknown probe \"finger\"");
}

static void test_unknown_fact(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "when = ehlo.colour = red -> c\ndefault = c\n" CONC("c"), 11,
                 "has no fact \"colour\"");
}

static void test_bad_condition(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "when = ehlo.keywords ~ ([ -> c\ndefault = c\n" CONC("c"), 11,
                 "bad regular expression");
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "when = ehlo.keywords likes X -> c\ndefault = c\n" CONC("c"), 11, "unknown operator");
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "when = ehlo.keywords has X\ndefault = c\n" CONC("c"), 11, "needs `-> STEP`");
}

static void test_missing_step(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "pass = c\ndefault = nowhere\n" CONC("c"), 12, "branch to missing step \"nowhere\"");
    expect_error("[article]\nid = 1\ntitle = T\nsource = S\nstart = zz\n" CONC("c"), 5,
                 "start step \"zz\" does not exist");
}

static void test_unreachable(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\ndefault = c\n"
                 CONC("c") CONC("orphan"), 17, "step \"orphan\" is unreachable");
}

static void test_cycle(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\ndefault = b\n"
                 "[step b]\nkind = question\ntitle = B\nwhy = W\nask = Q\nhow = H\n"
                 "yes = a\nno = c\nunknown = c\n" CONC("c"), 18, "cycle: a -> b -> a");
}

/* A cycle behind many branches: the 70th `when` of step a leads back to a.
 * (Branches past the 64th were once left out of the checks, and this file
 * passed kb check and then looped for ever.) */
static void test_cycle_many_whens(void **state)
{
    (void)state;
    strbuf sb = {0};
    sb_puts(&sb, HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n");
    for (int i = 0; i < 69; i++)
        sb_puts(&sb, "when = ehlo.keywords has X -> c\n");
    sb_puts(&sb, "when = ehlo.keywords has Y -> a\ndefault = c\n" CONC("c"));
    /* HEAD is 5 lines, the step's head 5 more, then 69 whens: line 80. */
    expect_error(sb.buf, 80, "cycle: a -> a");
    sb_free(&sb);
    expect_error(HEAD "[step a]\nkind = probe\nprobe = telnet\ntitle = A\nwhy = W\ndefault = c\n"
                 CONC("c"), 8, "known: connect banner ehlo starttls peer auth exps ntlm-info "
                 "xexch50 clock kdc-time kerberos-ports spn");
}

static void test_no_conclusion(void **state)
{
    (void)state;
    /* A probe status with no branch: the walk would stop without a conclusion. */
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\n"
                 "pass = c\nfail = c\nwarn = c\n" CONC("c"), 6, "no branch for status skip");
    /* A question without its "don't know" branch. */
    expect_error(HEAD "[step a]\nkind = question\ntitle = A\nwhy = W\nask = Q\nhow = H\n"
                 "yes = c\nno = c\n" CONC("c"), 6, "needs yes, no and unknown");
    /* A step of no kind leads nowhere. */
    expect_error(HEAD "[step a]\ntitle = A\nwhy = W\n", 6, "has no kind");
}

static void test_duplicate(void **state)
{
    (void)state;
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\ndefault = c\n"
                 CONC("c") CONC("c"), 17, "duplicate step id \"c\" (first at line 12)");
    expect_error(HEAD "[step a]\nkind = probe\nprobe = ehlo\ntitle = A\nwhy = W\ndefault = c\n"
                 CONC("c") "[triage t]\nmatch = x\nstep = a\nwhat = W\n"
                 "[triage t]\nmatch = y\nstep = a\nwhat = W\n", 21, "duplicate triage pattern");
}

static void test_missing_file(void **state)
{
    (void)state;
    kb_errors errs = {0};
    assert_null(kb_load("/nonexistent/kb.ini", &errs));
    assert_int_equal(errs.n, 1);
    assert_non_null(strstr(errs.v[0], "cannot open"));
    kb_errors_free(&errs);
}

/* The shipped articles load cleanly and carry exactly the conclusion ids
 * that scripts and training material rely on. */
static void check_article(const char *file, const char *ids)
{
    const char *top = getenv("TOP") ? getenv("TOP") : ".";
    char *path = xasprintf("%s/kb/%s", top, file);
    kb_errors errs = {0};
    kb_article *a = kb_load(path, &errs);
    assert_non_null(a);
    for (size_t i = 0; i < errs.n; i++)
        print_message("%s\n", errs.v[i]);
    assert_int_equal(errs.n, 0);
    strbuf sb = {0};
    for (size_t i = 0; i < a->nsteps; i++)
        if (a->steps[i].kind == KB_CONCLUSION)
            sb_printf(&sb, "%s%s", sb.len ? " " : "", a->steps[i].id);
    assert_string_equal(sb.buf, ids);
    sb_free(&sb);
    kb_free(a);
    free(path);
}

static void test_shipped(void **state)
{
    (void)state;
    check_article("kb843106.ini", "iwa-disabled sendas-denied tls-without-auth exps-auth-failed "
                                  "firewall-interference cross-org-expected legacy-ims no-fault-found");
    check_article("kb979174.ini", "clock-skew local-clock dc-replication spn-missing "
                                  "spn-duplicate kerberos-ports-blocked exchangeauth-disabled "
                                  "not-internal-exchange "
                                  "no-fault-found");
}

static const probe_result *fake_get(const void *user, const char *probe)
{
    const probe_result *r = user;
    return strcmp(probe, r->name) == 0 ? r : NULL;
}

static kb_truth eval3(probe_result *r, const char *text)
{
    kb_cond c;
    char *why = NULL;
    if (!kb_cond_parse(text, &c, &why))
        fail_msg("%s: %s", text, why);
    kb_truth v = kb_cond_eval(&c, fake_get, r);
    kb_cond_free(&c);
    return v;
}

static bool eval(probe_result *r, const char *text)
{
    kb_truth v = eval3(r, text);
    assert_true(v != KB_NEEDS);
    return v == KB_TRUE;
}

static void test_conditions(void **state)
{
    (void)state;
    probe_result r = {.name = "xexch50", .status = ST_FAIL};
    char *kw[] = {"XEXCH50", "AUTH"};
    fact_list(&r, "keywords", kw, 2);
    fact_list(&r, "none", NULL, 0);
    fact_str(&r, "reply_auth", "504 Need to authenticate first ");
    fact_bool(&r, "path_masked", false);
    fact_num(&r, "skew_s", 480);
    assert_true(eval(&r, "xexch50.keywords has xexch50"));
    assert_true(eval(&r, "xexch50.keywords lacks STARTTLS"));
    assert_true(eval(&r, "xexch50.reply_auth ~ ^504"));
    assert_false(eval(&r, "xexch50.reply_auth ~ ^505"));
    assert_true(eval(&r, "xexch50.path_masked = false"));
    assert_true(eval(&r, "xexch50.skew_s > 300"));
    assert_false(eval(&r, "xexch50.skew_s <= 300"));
    assert_true(eval(&r, "xexch50.none empty"));
    assert_true(eval(&r, "xexch50.keywords nonempty"));
    assert_true(eval(&r, "xexch50.status = fail"));
    assert_true(eval(&r, "xexch50.reply_unauth missing"));
    /* A probe that has not run: the condition says so and runs nothing. */
    assert_int_equal(eval3(&r, "ehlo.keywords has XEXCH50"), KB_NEEDS);
    assert_int_equal(eval3(&r, "ehlo.keywords missing"), KB_NEEDS);
    probe_result_free(&r);
}

/* fact_text: what the wizard and the text report draw for each fact. */
static void test_fact_text(void **state)
{
    (void)state;
    probe_result r = {.name = "spn", .status = ST_FAIL};
    char *kw[] = {"XEXCH50", "AUTH"};
    char *ev[] = {"Server SMTPSVC/a not found", "Server SMTP/a not found"};
    fact_list(&r, "keywords", kw, 2);
    fact_list(&r, "evidence", ev, 2);
    fact_list(&r, "none", NULL, 0);
    fact_num(&r, "skew_s", -480.5);
    fact_bool(&r, "blocked", true);
    static const char *const want[][2] = {
        {"keywords", "XEXCH50 AUTH"},
        {"evidence", "Server SMTPSVC/a not found; Server SMTP/a not found"},
        {"none", "(none)"},
        {"skew_s", "-480.5"},
        {"blocked", "yes"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *t = fact_text(fact_get(&r, want[i][0]));
        assert_string_equal(t, want[i][1]);
        free(t);
    }
    probe_result_free(&r);
}

/* wiz_new_at (the triage entry) and wiz_rerun_current (the UI's re-run).
 * The probe is connect, to a loopback port bound but not listening, so it
 * fails at once and the walk goes on to the question. */
static const char rerun_kb[] =
    HEAD
    "[step a]\nkind = probe\nprobe = connect\ntitle = A\nwhy = W\ndefault = a2\n" B "error = a2\n" B
    "[step a2]\nkind = probe\nprobe = connect\ntitle = A2\nwhy = W\ndefault = b\n" B "error = b\n" B
    "[step b]\nkind = question\ntitle = B\nwhy = W\nask = Q\nhow = H\nyes = c\nno = d\n"
    "rules_out = c\nunknown = d\n"
    CONC("c") CONC_OK("d");

/* A step whose conditions run nine more probes: the results array grows
 * under the walk (it once read the step's result from the freed copy). */
static const char many_kb[] =
    HEAD
    "[step a]\nkind = probe\nprobe = connect\ntitle = A\nwhy = W\n"
    "when = banner.status = pass -> c\n" B "when = ehlo.status = pass -> c\n" B
    "when = starttls.status = pass -> c\n" B "when = auth.status = pass -> c\n" B
    "when = exps.status = pass -> c\n" B "when = ntlm-info.status = pass -> c\n" B
    "when = xexch50.status = pass -> c\n" B "when = clock.status = pass -> c\n" B
    "when = kdc-time.status exists -> d\nbecause = the KDC probe ran\ndefault = c\n" B
    "error = c\n" B
    CONC_OK("c") CONC_WARN("d");

static void test_wizard_many_probes(void **state)
{
    (void)state;
    kb_errors errs = {0};
    kb_article *a = load_text(many_kb, &errs);
    for (size_t i = 0; i < errs.n; i++)
        print_message("%s\n", errs.v[i]);
    assert_int_equal(errs.n, 0);
    /* Port 1 on loopback: refused at once, every probe ends quickly. */
    probe_opts o = {.host = "127.0.0.1", .port = "1", .timeout_ms = 2000, .cancel_fd = -1,
                    .dc = "none"};
    wiz *w = wiz_new(a, &o);
    assert_int_equal(wiz_run_probe(w), 0);
    assert_int_equal(wiz_get_state(w), WIZ_DONE);
    assert_string_equal(wiz_conclusion(w)->id, "d");
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    assert_true(n >= 1);
    assert_string_equal(p[0].outcome, "fail");
    assert_string_equal(p[0].br->because, "the KDC probe ran");
    assert_int_equal(p[0].basis, EV_MEASURED);
    wiz_free(w);
    kb_free(a);
}

static void test_wizard_entry_rerun(void **state)
{
    (void)state;
    kb_errors errs = {0};
    kb_article *a = load_text(rerun_kb, &errs);
    for (size_t i = 0; i < errs.n; i++)
        print_message("%s\n", errs.v[i]);
    assert_int_equal(errs.n, 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sin;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
    char port[16];
    snprintf(port, sizeof port, "%u", (unsigned)ntohs(sin.sin_port));
    probe_opts o = {.host = "127.0.0.1", .port = port, .timeout_ms = 3000, .cancel_fd = -1};
    size_t n;

    assert_null(wiz_new_at(a, &o, "nope"));
    wiz *w = wiz_new_at(a, &o, "b");
    assert_int_equal(wiz_get_state(w), WIZ_AT_QUESTION);
    assert_string_equal(wiz_current_step(w)->id, "b");
    assert_int_equal(wiz_rerun_current(w), -1);   /* no probe step to run again */
    assert_int_equal(wiz_answer(w, WIZ_YES), 0);
    assert_string_equal(wiz_conclusion(w)->id, "c");
    wiz_free(w);
    /* Entering at the all-clear rules nothing out: the walk cannot stand by it. */
    w = wiz_new_at(a, &o, "d");
    assert_int_equal(wiz_get_state(w), WIZ_INCONCLUSIVE);
    assert_null(wiz_conclusion(w));
    const kb_step *open[4];
    assert_int_equal(wiz_open(w, open, 4), 1);
    assert_string_equal(open[0]->id, "c");
    wiz_free(w);

    w = wiz_new(a, &o);
    assert_string_equal(wiz_current_step(w)->id, "a");
    assert_int_equal(wiz_run_probe(w), 0);
    assert_string_equal(wiz_current_step(w)->id, "a2");
    assert_int_equal(wiz_run_probe(w), 0);   /* reuses the result */
    assert_int_equal(wiz_get_state(w), WIZ_AT_QUESTION);
    const wiz_visit *p = wiz_path(w, &n);
    assert_int_equal(n, 2);
    assert_ptr_equal(wiz_visit_result(w, &p[0]), wiz_result(w, "connect"));
    assert_ptr_equal(wiz_visit_result(w, &p[1]), wiz_result(w, "connect"));
    /* Re-run a2: the path is cut back to it, connect's result forgotten. */
    assert_int_equal(wiz_rerun_current(w), 0);
    assert_int_equal(wiz_get_state(w), WIZ_AT_PROBE);
    assert_string_equal(wiz_current_step(w)->id, "a2");
    p = wiz_path(w, &n);
    assert_int_equal(n, 1);
    assert_null(wiz_visit_result(w, &p[0]));
    assert_null(wiz_result(w, "connect"));
    assert_int_equal(wiz_run_probe(w), 0);
    p = wiz_path(w, &n);
    assert_int_equal(n, 2);
    /* the earlier visit sees the new result */
    assert_non_null(wiz_visit_result(w, &p[0]));
    assert_ptr_equal(wiz_visit_result(w, &p[1]), wiz_result(w, "connect"));
    assert_non_null(wiz_result(w, "connect"));
    run_report rr;
    wiz_run_report(w, &rr);
    assert_int_equal(rr.nresults, 1);
    /* After an answer, nothing to re-run: the question stays answered. */
    assert_int_equal(wiz_answer(w, WIZ_NO), 0);
    assert_string_equal(wiz_conclusion(w)->id, "d");
    assert_int_equal(wiz_rerun_current(w), -1);
    wiz_free(w);
    close(fd);
    kb_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_fact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_condition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle_many_whens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_conclusion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_fact_text),
        cmocka_unit_test_setup_teardown(test_wizard_entry_rerun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wizard_many_probes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
