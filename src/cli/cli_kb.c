/* cli_kb: `smtpwiz kb check [FILE...]` - load and validate knowledge-base
 * files the way diagnose and triage will, so an editing mistake shows up
 * as file:line before a junior admin meets it in the middle of a walk. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exitcode.h"
#include "cli/cli.h"
#include "kb/kb.h"
#include "kb/kb_catalog.h"
#include "cli/cli_opts.h"
#include "base/util.h"

static void kb_usage(FILE *f)
{
    fputs("usage: smtpwiz kb check [FILE...]\n"
          "Loads each knowledge-base file and reports every problem as file:line: reason.\n"
          "Without FILE it checks every kb*.ini article of the knowledge-base directory\n"
          "($SMTPWIZ_KBDIR, ./kb, or the installed one), as the other commands load them.\n"
          "Exit status: 0 all files are valid, 1 a file has errors, 3 usage.\n", f);
}

static void kb_ok_line(const kb_article *a)
{
    size_t conclusions = 0;
    for (size_t i = 0; i < a->nsteps; i++)
        conclusions += a->steps[i].kind == KB_CONCLUSION;
    printf("%s: ok (KB%s, %zu steps, %zu conclusions, %zu triage patterns)\n", a->file, a->id,
           a->nsteps, conclusions, a->npatterns);
}

/* One file: print its errors, or a one-line summary when it is clean. */
static int kb_check_file(const char *path)
{
    kb_article *a = kb_load_reported(path, stderr);
    if (!a)
        return 1;
    kb_ok_line(a);
    kb_free(a);
    return 0;
}

/* The knowledge base as every command loads it (kb_catalog). */
static int kb_check_catalog(void)
{
    kb_catalog c;
    kb_catalog_open(&c, NULL);
    for (size_t i = 0; i < c.n; i++)
        kb_ok_line(c.v[i]);
    for (size_t i = 0; i < c.problems.n; i++)
        fprintf(stderr, "%s\n", c.problems.v[i]);
    int bad = c.problems.n > 0;
    kb_catalog_free(&c);
    return bad;
}

int cli_kb_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        kb_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? SMTPWIZ_EXIT_UNKNOWN : 0;
    }
    if (strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "smtpwiz kb: unknown action \"%s\"; the only action is check\n", argv[1]);
        cli_usage_hint("smtpwiz kb");
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        kb_usage(stdout);
        return 0;
    }
    int bad = 0;
    if (argc == 2)
        bad = kb_check_catalog();
    for (int i = 2; i < argc; i++)
        bad |= kb_check_file(argv[i]);
    if (bad)
        fprintf(stderr, "smtpwiz kb check: errors found; fix each file:line above (kb/README.md "
                        "describes the format) and run the check again\n");
    return bad ? 1 : 0;
}
