/* cli_lab: `smtpwiz lab ...` - the lab server in the foreground, until
 * SIGINT or SIGTERM (a clean stop, exit 0), or `--list` of the scenarios. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exitcode.h"
#include "cli/cli.h"
#include "cli/cli_opts.h"
#include "lab/lab.h"

static lab_server *volatile cli_srv;

static void on_signal(int sig)
{
    (void)sig;
    lab_server *srv = cli_srv;
    if (srv)
        lab_server_interrupt(srv);
}

static void usage(FILE *f)
{
    fputs("usage: smtpwiz lab [--scenario NAME] [--listen ADDR:PORT] [--scenarios DIR]\n"
          "                   [--cert FILE --key FILE] [--log FILE] [--keytab FILE]\n"
          "       smtpwiz lab --list [--scenarios DIR]\n"
          "Plays a (broken) Exchange server for training labs and tests, on a loopback\n"
          "address only (default 127.0.0.1, a free port).  It never accepts mail.\n"
          "Every scenario has the account " LAB_USER ", password " LAB_PASSWORD ".\n"
          "--keytab turns on Kerberos mode: AUTH and X-EXPS GSSAPI are verified for real\n"
          "against the keytab: SMTPSVC/<hostname> for X-EXPS, smtp/<hostname> for AUTH\n"
          "(MIT names are case-sensitive; Active Directory's are not).\n", f);
}

static int list_scenarios(const char *dir)
{
    lab_scenario_info *list;
    char *err = NULL;
    int n = lab_scenario_list(dir, &list, &err);
    if (n < 0) {
        fprintf(stderr, "smtpwiz lab: %s\n", err);
        free(err);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    for (int i = 0; i < n; i++)
        printf("%-20s %s\n", list[i].name, list[i].description);
    lab_scenario_list_free(list, n);
    return n ? 0 : SMTPWIZ_EXIT_UNKNOWN;
}

/* argv into o; 1 for --list, 0 to serve, -1 on a usage error (printed),
 * 2 for --help (printed). */
static int parse(int argc, char **argv, lab_server_opts *o)
{
    int list = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--scenario") ? &o->scenario
                          : !strcmp(a, "--listen") ? &o->listen
                          : !strcmp(a, "--scenarios") ? &o->scenarios_dir
                          : !strcmp(a, "--cert") ? &o->cert : !strcmp(a, "--key") ? &o->key
                          : !strcmp(a, "--log") ? &o->log : !strcmp(a, "--keytab") ? &o->keytab
                          : NULL;
        if (slot && i + 1 < argc) {
            *slot = argv[++i];
        } else if (!strcmp(a, "--list")) {
            list = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 2;
        } else {
            fprintf(stderr, "smtpwiz lab: %s '%s'\n", slot ? "missing value after" : "unknown option", a);
            cli_usage_hint("smtpwiz lab");
            return -1;
        }
    }
    return list;
}

int cli_lab_main(int argc, char **argv)
{
    lab_server_opts o = {0};
    int p = parse(argc, argv, &o);
    if (p < 0)
        return SMTPWIZ_EXIT_UNKNOWN;
    if (p == 2)
        return 0;
    if (p == 1)
        return list_scenarios(o.scenarios_dir);
    char *err = NULL;
    lab_server *srv = lab_server_new(&o, &err);
    if (!srv) {
        fprintf(stderr, "smtpwiz lab: %s\n", err);
        free(err);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    cli_srv = srv;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("listening on %s:%d scenario %s\n", lab_server_host(srv), lab_server_port(srv),
           lab_server_scenario(srv));
    fflush(stdout);
    lab_server_run(srv);
    cli_srv = NULL;
    lab_server_free(srv);
    return 0;
}
