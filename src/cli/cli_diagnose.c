/* cli_diagnose: `smtpwiz diagnose HOST --kb 843106|979174 ...` - walk one
 * article's tree against a live server without curses.  Questions take
 * their answers from --answer STEP=yes|no|unknown; an unanswered one counts
 * as "don't know" and is listed, so the walk still ends somewhere useful. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/exitcode.h"
#include "cli/cli.h"
#include "cli/cli_opts.h"
#include "kb/kb_catalog.h"
#include "walk/report.h"
#include "walk/report_md.h"
#include "base/util.h"
#include "walk/wizard.h"

#define DIAG_MAX_ANSWERS 64

typedef struct diag_args {
    cli_target t;
    const char *kb;
    const char *answers[DIAG_MAX_ANSWERS];   /* "STEP=yes" as given */
    size_t nanswers;
    int json, markdown;
} diag_args;

/* Each article's question ids, from the articles themselves: the
 * --answer interface cannot drift from the knowledge base. */
static void diag_usage_questions(FILE *f)
{
    kb_catalog c;
    kb_catalog_open(&c, NULL);
    for (size_t i = 0; i < c.n; i++) {
        fprintf(f, "Questions of KB%s:", c.v[i]->id);
        int col = 19;
        for (size_t k = 0; k < c.v[i]->nsteps; k++) {
            const kb_step *s = &c.v[i]->steps[k];
            if (s->kind != KB_QUESTION)
                continue;
            int w = (int)strlen(s->id) + 1;
            if (col + w > 78) {
                fputs("\n ", f);
                col = 1;
            }
            fprintf(f, " %s", s->id);
            col += w;
        }
        fputc('\n', f);
    }
    kb_catalog_free(&c);
}

static void diag_usage(FILE *f)
{
    fputs("usage: smtpwiz diagnose HOST --kb 843106|979174\n"
          "  [--answer STEP=yes|no|unknown ...] [--json | --markdown]\n" CLI_TARGET_USAGE
          "Walks the article's decision tree with live probes of HOST. A question without\n"
          "--answer counts as \"don't know\" and is listed as unanswered; \"don't know\"\n"
          "never concludes a fault, and the all-clear needs every cause ruled out.\n"
          "--kb also takes a path to an article file.\n"
          "Exit status: 0 no fault found, 1 an expected condition, 2 a fault concluded,\n"
          "3 the server could not be examined or bad usage, 4 inconclusive.\n", f);
    diag_usage_questions(f);
}

static int diag_option(int c, diag_args *a)
{
    int done = cli_target_option("smtpwiz diagnose", c, optarg, &a->t);
    if (done != 0)
        return done < 0 ? -1 : 0;
    switch (c) {
    case 'k': a->kb = optarg; break;
    case 'j': a->json = 1; break;
    case 'M': a->markdown = 1; break;
    case 'a':
        if (a->nanswers == DIAG_MAX_ANSWERS) {
            fprintf(stderr, "smtpwiz diagnose: at most %d --answer options\n", DIAG_MAX_ANSWERS);
            return -1;
        }
        a->answers[a->nanswers++] = optarg;
        break;
    default: cli_usage_hint("smtpwiz diagnose"); return -1;
    }
    return 0;
}

static int diag_parse(int argc, char **argv, diag_args *a)
{
    static const struct option opts[] = {
        CLI_TARGET_LONGOPTS,
        {"kb", required_argument, NULL, 'k'}, {"answer", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'}, {"markdown", no_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    argv[0] = "smtpwiz diagnose";
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        if (c == 'h') {
            diag_usage(stdout);
            exit(0);
        }
        if (diag_option(c, a) != 0)
            return -1;
    }
    if (optind != argc - 1 || !a->kb) {
        if (optind == argc)
            fputs("smtpwiz diagnose: which server? give its HOST\n", stderr);
        else if (optind < argc - 1)
            fprintf(stderr, "smtpwiz diagnose: one HOST only (\"%s\" is one too many)\n",
                    argv[optind + 1]);
        else
            fputs("smtpwiz diagnose: which article? give --kb 843106 or --kb 979174\n", stderr);
        cli_usage_hint("smtpwiz diagnose");
        return -1;
    }
    if (a->json && a->markdown) {
        fprintf(stderr, "smtpwiz diagnose: choose --json or --markdown, not both\n");
        return -1;
    }
    a->t.o.host = argv[optind];
    return 0;
}

/* Every --answer must name a question of this article: a typo would
 * otherwise silently become "don't know". */
static int diag_check_answers(const diag_args *a, const kb_article *kb)
{
    for (size_t i = 0; i < a->nanswers; i++) {
        const char *eq = strchr(a->answers[i], '=');
        char *id = eq ? xstrndup(a->answers[i], (size_t)(eq - a->answers[i])) : NULL;
        const kb_step *s = id ? kb_step_find(kb, id) : NULL;
        wiz_reply r;
        int bad = !s || s->kind != KB_QUESTION || wiz_reply_parse(eq + 1, &r) != 0;
        if (bad) {
            fprintf(stderr, "smtpwiz diagnose: --answer \"%s\" is not QUESTION=yes|no|unknown "
                            "for a question of KB%s. Its questions are:", a->answers[i], kb->id);
            for (size_t k = 0; k < kb->nsteps; k++)
                if (kb->steps[k].kind == KB_QUESTION)
                    fprintf(stderr, " %s", kb->steps[k].id);
            fputc('\n', stderr);
        }
        free(id);
        if (bad)
            return -1;
    }
    return 0;
}

static wiz_reply diag_answer_for(const diag_args *a, const char *id)
{
    size_t n = strlen(id);
    wiz_reply r = WIZ_UNKNOWN;
    for (size_t i = 0; i < a->nanswers; i++)
        if (strncmp(a->answers[i], id, n) == 0 && a->answers[i][n] == '=')
            wiz_reply_parse(a->answers[i] + n + 1, &r);   /* the last one given wins */
    return r;
}

/* Batch walk: probes run, questions take the given answers. */
static void diag_walk(wiz *w, const diag_args *a)
{
    for (;;) {
        wiz_state st = wiz_get_state(w);
        if (st == WIZ_AT_PROBE) {
            const kb_step *s = wiz_current_step(w);
            if (!a->json && !a->markdown)
                fprintf(stderr, "... %s (%s)\n", s->title, s->probe);
            wiz_run_probe(w);
        } else if (st == WIZ_AT_QUESTION) {
            wiz_answer(w, diag_answer_for(a, wiz_current_step(w)->id));
        } else {
            break;
        }
    }
    wiz_finish(w);
}

/* --kb ID from the catalog every command uses, or --kb FILE.  NULL with
 * the reason printed. */
static kb_article *diag_load_kb(const char *name)
{
    if (strchr(name, '/') || strstr(name, ".ini")) {
        kb_article *kb = kb_load_reported(name, stderr);
        if (!kb)
            fprintf(stderr, "smtpwiz diagnose: the knowledge base %s cannot be used (see above); "
                            "smtpwiz kb check %s shows the same\n", name, name);
        return kb;
    }
    kb_catalog c;
    kb_catalog_open(&c, NULL);
    kb_article *kb = NULL;
    const kb_article *found = kb_catalog_find(&c, name);
    for (size_t i = 0; i < c.n; i++)
        if (c.v[i] == found) {
            kb = c.v[i];
            c.v[i] = c.v[--c.n];   /* taken out: the catalog frees the rest */
        }
    if (!kb) {
        char *ids = kb_catalog_ids(&c);
        fprintf(stderr, "smtpwiz diagnose: no article KB%s in %s; the articles are: %s\n",
                kb_id_number(name), c.dir, ids[0] ? ids : "(none)");
        for (size_t i = 0; i < c.problems.n; i++)
            fprintf(stderr, "  not loaded: %s\n", c.problems.v[i]);
        free(ids);
    }
    kb_catalog_free(&c);
    return kb;
}

int cli_diagnose_main(int argc, char **argv)
{
    diag_args a = {0};
    cli_target_init(&a.t);
    if (diag_parse(argc, argv, &a) != 0)
        return SMTPWIZ_EXIT_UNKNOWN;
    kb_article *kb = diag_load_kb(a.kb);
    if (!kb || diag_check_answers(&a, kb) != 0) {
        kb_free(kb);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    if (cli_target_finish("smtpwiz diagnose", &a.t, !a.json && !a.markdown) != 0) {
        kb_free(kb);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    wiz *w = wiz_new(kb, &a.t.o);
    diag_walk(w, &a);
    if (a.json)
        report_diag_json(stdout, w);
    else if (a.markdown)
        report_markdown(stdout, w);
    else
        report_diag_text(stdout, w);
    int rc = wiz_exit_status(w);
    wiz_free(w);
    kb_free(kb);
    cli_target_free(&a.t);
    return rc;
}
