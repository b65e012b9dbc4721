/* cli_probe: `smtpwiz probe HOST ...` - run probes, print the transcript and
 * findings (or JSON), exit with the monitoring-plugins status. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/exitcode.h"
#include "cli/cli.h"
#include "cli/cli_opts.h"
#include "probe/probe.h"
#include "probe/run.h"
#include "walk/report.h"
#include "proto/sasl.h"
#include "base/util.h"


static void usage(FILE *f)
{
    fputs("usage: smtpwiz probe HOST [--only a,b,...] [--json | -q]\n" CLI_TARGET_USAGE
          "probes: connect banner ehlo starttls auth exps ntlm-info xexch50 clock\n"
          "        kdc-time kerberos-ports spn\n"
          "Prints the findings, then the SMTP transcript (secrets cut out); -q, --quiet\n"
          "prints the findings only.\n"
          "Exit status: 0 all passed, 1 a warning, 2 a failure, 3 could not run (the\n"
          "server could not be examined, or bad usage).\n", f);
}

typedef struct probe_args {
    cli_target t;
    const char *only;
    int json;
    bool quiet;
} probe_args;

static int parse_args(int argc, char **argv, probe_args *a)
{
    static const struct option opts[] = {
        CLI_TARGET_LONGOPTS,
        {"only", required_argument, NULL, 'o'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    argv[0] = "smtpwiz probe";   /* getopt names the program in its messages */
    while ((c = getopt_long(argc, argv, "p:hq", opts, NULL)) != -1) {
        int done = cli_target_option(argv[0], c, optarg, &a->t);
        if (done < 0)
            return -1;
        if (done)
            continue;
        switch (c) {
        case 'o': a->only = optarg; break;
        case 'j': a->json = 1; break;
        case 'q': a->quiet = true; break;
        case 'h': usage(stdout); exit(0);
        default: cli_usage_hint("smtpwiz probe"); return -1;
        }
    }
    if (optind != argc - 1) {
        if (optind == argc)
            fputs("smtpwiz probe: which server? give its HOST\n", stderr);
        else
            fprintf(stderr, "smtpwiz probe: one HOST only (\"%s\" is one too many)\n",
                    argv[optind + 1]);
        cli_usage_hint("smtpwiz probe");
        return -1;
    }
    a->t.o.host = argv[optind];
    return 0;
}

/* --only list -> which catalog entries were asked for (in catalog order;
 * their declared needs run too, first). */
static int select_probes(const char *only, bool *want)
{
    size_t n = probe_count();
    for (size_t i = 0; i < n; i++)
        want[i] = only == NULL;
    if (!only)
        return 0;
    char *copy = xstrdup(only), *save = NULL;
    bool any = false;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const probe_decl *p = probe_find(tok);
        if (!p) {
            fprintf(stderr, "smtpwiz probe: no probe named \"%s\"\n", tok);
            free(copy);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (probe_catalog[i] == p)
                want[i] = any = true;
    }
    free(copy);
    /* "--only ," or "--only ''" would run nothing and exit 0: a pass. */
    if (!any) {
        char *names = probe_names_list();
        fprintf(stderr, "smtpwiz probe: --only names no probe; give one or more of: %s\n", names);
        free(names);
        return -1;
    }
    return 0;
}

int cli_probe_main(int argc, char **argv)
{
    probe_args a = {0};
    cli_target_init(&a.t);
    bool *want = xcalloc(probe_count(), sizeof *want);
    if (parse_args(argc, argv, &a) != 0 || select_probes(a.only, want) != 0 ||
        cli_target_finish("smtpwiz probe", &a.t, !a.json) != 0) {
        free(want);
        cli_target_free(&a.t);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    probe_ctx ctx;
    probe_ctx_init(&ctx, &a.t.o);
    probe_runs runs = {0};
    for (size_t i = 0; probe_catalog[i]; i++)
        if (want[i])
            probe_runs_ensure(&runs, &ctx, probe_catalog[i]->name);
    probe_session_drop(&ctx);
    run_report rr = {.o = &ctx.o, .tr = &ctx.tr, .results = runs.v, .nresults = runs.n};
    if (a.json)
        report_json(stdout, &rr);
    else
        report_human(stdout, &rr, !a.quiet);
    int rc = report_exit_status(&rr);
    probe_runs_free(&runs);
    probe_ctx_free(&ctx);
    free(want);
    cli_target_free(&a.t);
    return rc;
}
