/* cli_probe: `smtpwiz probe HOST ...` - run probes, print the transcript and
 * findings (or JSON), exit with the monitoring-plugins status. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "creds.h"
#include "probe.h"
#include "report.h"
#include "sasl.h"
#include "util.h"

#define EXIT_USAGE 3

static void usage(FILE *f)
{
    fputs("usage: smtpwiz probe HOST [-p PORT] [--starttls auto|always|never]\n"
          "                     [--user U] [--password-file F] [--mech M] [--rcpt ADDR]\n"
          "                     [--helo NAME] [--timeout S] [--cafile F] [--only a,b,...] [--json]\n"
          "                     [--dc HOST[:PORT[,KPASSWD_PORT]]] [--realm REALM]\n"
          "probes: connect banner ehlo starttls auth exps ntlm-info xexch50 clock\n"
          "        kdc-time kerberos-ports spn\n"
          "The password comes from --password-file, the SMTPWIZ_PASSWORD environment\n"
          "variable, or a prompt; never from the command line.\n"
          "Exit status: 0 all passed, 1 a warning, 2 a failure, 3 could not run.\n", f);
}

typedef struct probe_args {
    probe_opts o;
    const char *password_file;
    const char *only;
    int json;
} probe_args;

static int parse_policy(const char *s, tls_policy *p)
{
    if (strcmp(s, "auto") == 0) *p = TLS_AUTO;
    else if (strcmp(s, "always") == 0) *p = TLS_ALWAYS;
    else if (strcmp(s, "never") == 0) *p = TLS_NEVER;
    else return -1;
    return 0;
}

static int parse_args(int argc, char **argv, probe_args *a)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'}, {"starttls", required_argument, NULL, 's'},
        {"user", required_argument, NULL, 'u'}, {"password-file", required_argument, NULL, 'P'},
        {"mech", required_argument, NULL, 'm'}, {"rcpt", required_argument, NULL, 'r'},
        {"helo", required_argument, NULL, 'H'}, {"timeout", required_argument, NULL, 't'},
        {"cafile", required_argument, NULL, 'c'}, {"only", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
        {"password", required_argument, NULL, 'X'}, {"dc", required_argument, NULL, 'D'},
        {"realm", required_argument, NULL, 'R'}, {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    optind = 1;
    argv[0] = "smtpwiz probe";   /* getopt names the program in its messages */
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': {
            long port = strtol(optarg, &end, 10);
            if (*end || end == optarg || port < 1 || port > 65535) {
                fprintf(stderr, "smtpwiz probe: -p takes a port number from 1 to 65535, not \"%s\"\n",
                        optarg);
                return -1;
            }
            a->o.port = optarg;
            break;
        }
        case 's':
            if (parse_policy(optarg, &a->o.starttls) != 0) {
                fprintf(stderr, "smtpwiz probe: --starttls takes auto, always or never\n");
                return -1;
            }
            break;
        case 'u': a->o.user = optarg; break;
        case 'P': a->password_file = optarg; break;
        case 'm': a->o.mech = optarg; break;
        case 'r': a->o.rcpt = optarg; break;
        case 'H': a->o.helo = optarg; break;
        case 't': {
            double t = strtod(optarg, &end);
            if (*end || t <= 0 || t > 3600) {
                fprintf(stderr, "smtpwiz probe: --timeout takes seconds between 0 and 3600\n");
                return -1;
            }
            a->o.timeout_ms = (int)(t * 1000);
            break;
        }
        case 'c': a->o.cafile = optarg; break;
        case 'o': a->only = optarg; break;
        case 'D': a->o.dc = optarg; break;
        case 'R': a->o.realm = optarg; break;
        case 'j': a->json = 1; break;
        case 'h': usage(stdout); exit(0);
        case 'X':
            fprintf(stderr, "smtpwiz probe: a password on the command line would show in ps "
                            "and shell history; use --password-file F or SMTPWIZ_PASSWORD\n");
            return -1;
        default: usage(stderr); return -1;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return -1;
    }
    a->o.host = argv[optind];
    return 0;
}

/* --only list -> which table entries run (in table order). */
static int select_probes(const char *only, bool *want)
{
    size_t n = 0;
    for (const probe_def *p = probe_table; p->name; p++)
        want[n++] = only == NULL;
    if (!only)
        return 0;
    char *copy = xstrdup(only), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const probe_def *p = probe_find(tok);
        if (!p) {
            fprintf(stderr, "smtpwiz probe: no probe named \"%s\"\n", tok);
            free(copy);
            return -1;
        }
        want[p - probe_table] = true;
    }
    free(copy);
    return 0;
}

static char *default_helo(void)
{
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) != 0 || !name[0])
        return xstrdup("smtpwiz.invalid");
    return xstrdup(name);
}

int cli_probe_main(int argc, char **argv)
{
    probe_args a = {.o = {.cancel_fd = -1}};
    size_t ntable = 0;
    while (probe_table[ntable].name)
        ntable++;
    bool *want = xcalloc(ntable, sizeof *want);
    if (parse_args(argc, argv, &a) != 0 || select_probes(a.only, want) != 0) {
        free(want);
        return EXIT_USAGE;
    }
    char *err = NULL;
    char *password = creds_password(a.password_file, a.o.user, !a.json, &err);
    if (err) {
        fprintf(stderr, "smtpwiz probe: %s\n", err);
        free(err);
        free(want);
        return EXIT_USAGE;
    }
    a.o.password = password;
    char *helo = a.o.helo ? NULL : default_helo();
    if (helo)
        a.o.helo = helo;
    probe_ctx ctx;
    probe_ctx_init(&ctx, &a.o);
    probe_result *results = xcalloc(ntable, sizeof *results);
    size_t n = 0;
    for (const probe_def *p = probe_table; p->name; p++)
        if (want[p - probe_table])
            probe_run(&ctx, p, &results[n++]);
    probe_session_drop(&ctx);
    run_report rr = {.ctx = &ctx, .results = results, .nresults = n};
    if (a.json)
        report_json(stdout, &rr);
    else
        report_human(stdout, &rr);
    int rc = report_exit_status(&rr);
    for (size_t i = 0; i < n; i++)
        probe_result_free(&results[i]);
    probe_ctx_free(&ctx);
    free(results);
    free(want);
    creds_free(password);
    free(helo);
    return rc;
}
