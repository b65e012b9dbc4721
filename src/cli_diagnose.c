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

#include "cli.h"
#include "creds.h"
#include "report.h"
#include "report_md.h"
#include "util.h"
#include "wizard.h"

#define EXIT_USAGE 3
#define DIAG_MAX_ANSWERS 64

typedef struct diag_args {
    probe_opts o;
    const char *password_file;
    const char *kb;
    const char *answers[DIAG_MAX_ANSWERS];   /* "STEP=yes" as given */
    size_t nanswers;
    int json, markdown;
} diag_args;

static void diag_usage(FILE *f)
{
    fputs("usage: smtpwiz diagnose HOST --kb 843106|979174 [-p PORT] [--starttls auto|always|never]\n"
          "                        [--user U] [--password-file F] [--mech M] [--rcpt ADDR]\n"
          "                        [--helo NAME] [--timeout S] [--cafile F]\n"
          "                        [--answer STEP=yes|no|unknown ...] [--json | --markdown]\n"
          "Walks the article's decision tree with live probes of HOST. A question without\n"
          "--answer counts as \"don't know\" and is listed as unanswered.\n"
          "--kb also takes a path to an article file. The password comes from --password-file,\n"
          "SMTPWIZ_PASSWORD or a prompt; never from the command line.\n"
          "Exit status: 0 no fault found, 1 an expected condition, 2 a fault concluded,\n"
          "3 the server could not be examined or bad usage.\n", f);
}

static int diag_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (*end || end == arg || v < lo || v > hi) {
        fprintf(stderr, "smtpwiz diagnose: %s takes a number from %g to %g, not \"%s\"\n", opt, lo,
                hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int diag_option(int c, diag_args *a)
{
    double v;
    switch (c) {
    case 'p':
        if (diag_number("-p", optarg, 1, 65535, &v) != 0) return -1;
        a->o.port = optarg;
        break;
    case 's':
        if (strcmp(optarg, "auto") == 0) a->o.starttls = TLS_AUTO;
        else if (strcmp(optarg, "always") == 0) a->o.starttls = TLS_ALWAYS;
        else if (strcmp(optarg, "never") == 0) a->o.starttls = TLS_NEVER;
        else {
            fprintf(stderr, "smtpwiz diagnose: --starttls takes auto, always or never\n");
            return -1;
        }
        break;
    case 't':
        if (diag_number("--timeout", optarg, 0.001, 3600, &v) != 0) return -1;
        a->o.timeout_ms = (int)(v * 1000);
        break;
    case 'u': a->o.user = optarg; break;
    case 'P': a->password_file = optarg; break;
    case 'm': a->o.mech = optarg; break;
    case 'r': a->o.rcpt = optarg; break;
    case 'H': a->o.helo = optarg; break;
    case 'c': a->o.cafile = optarg; break;
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
    case 'X':
        fprintf(stderr, "smtpwiz diagnose: a password on the command line would show in ps and "
                        "shell history; use --password-file F or SMTPWIZ_PASSWORD\n");
        return -1;
    default: diag_usage(stderr); return -1;
    }
    return 0;
}

static int diag_parse(int argc, char **argv, diag_args *a)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'}, {"starttls", required_argument, NULL, 's'},
        {"user", required_argument, NULL, 'u'}, {"password-file", required_argument, NULL, 'P'},
        {"mech", required_argument, NULL, 'm'}, {"rcpt", required_argument, NULL, 'r'},
        {"helo", required_argument, NULL, 'H'}, {"timeout", required_argument, NULL, 't'},
        {"cafile", required_argument, NULL, 'c'}, {"kb", required_argument, NULL, 'k'},
        {"answer", required_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'},
        {"markdown", no_argument, NULL, 'M'}, {"help", no_argument, NULL, 'h'},
        {"password", required_argument, NULL, 'X'}, {NULL, 0, NULL, 0},
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
        fprintf(stderr, "smtpwiz diagnose: give one HOST and --kb 843106 or --kb 979174\n");
        diag_usage(stderr);
        return -1;
    }
    if (a->json && a->markdown) {
        fprintf(stderr, "smtpwiz diagnose: choose --json or --markdown, not both\n");
        return -1;
    }
    a->o.host = argv[optind];
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

static char *diag_default_helo(void)
{
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) != 0 || !name[0])
        return xstrdup("smtpwiz.invalid");
    return xstrdup(name);
}

static kb_article *diag_load_kb(const char *name)
{
    char *path = kb_path_for(name);
    kb_errors errs = {0};
    kb_article *kb = kb_load(path, &errs);
    for (size_t i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.v[i]);
    if (errs.n) {
        fprintf(stderr, "smtpwiz diagnose: the knowledge base %s cannot be used (see above); "
                        "smtpwiz kb check %s shows the same\n", path, path);
        kb_free(kb);
        kb = NULL;
    }
    kb_errors_free(&errs);
    free(path);
    return kb;
}

int cli_diagnose_main(int argc, char **argv)
{
    diag_args a = {.o = {.cancel_fd = -1}};
    if (diag_parse(argc, argv, &a) != 0)
        return EXIT_USAGE;
    kb_article *kb = diag_load_kb(a.kb);
    if (!kb || diag_check_answers(&a, kb) != 0) {
        kb_free(kb);
        return EXIT_USAGE;
    }
    char *err = NULL;
    char *password = creds_password(a.password_file, a.o.user, !a.json && !a.markdown, &err);
    if (err) {
        fprintf(stderr, "smtpwiz diagnose: %s\n", err);
        free(err);
        kb_free(kb);
        return EXIT_USAGE;
    }
    a.o.password = password;
    char *helo = a.o.helo ? NULL : diag_default_helo();
    if (helo)
        a.o.helo = helo;
    wiz *w = wiz_new(kb, &a.o);
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
    creds_free(password);
    free(helo);
    return rc;
}
