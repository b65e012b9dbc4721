/* smtpwiz: entry point.  Dispatches the subcommands; with no subcommand (or
 * only options) it opens the ncurses wizard in ui/. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/exitcode.h"
#include "cli/cli.h"
#include "ui/ui.h"

static void usage(FILE *f)
{
    fputs("usage: smtpwiz [COMMAND] [options]     each command takes --help\n"
          "\n"
          "  (no command)     the interactive wizard; options:\n"
          "                   [--lab [SCENARIO]] [--kb ID] [--host HOST] [-p PORT]\n"
          "                   [--user U] [--dc DC] [--timeout S]\n"
          "  probe HOST       probe an SMTP server: banner, EHLO, TLS, AUTH, XEXCH50 ...\n"
          "  diagnose HOST    walk a KB article (--kb 843106|979174) with live probes\n"
          "  triage [FILE|-]  which article and step a pasted event or error leads to\n"
          "  kb check [FILE]  validate knowledge-base files\n"
          "  lab              run the built-in lab server (a broken Exchange to learn on)\n"
          "  --version        the version\n"
          "\n"
          "Exit status: 0 no fault, 1 a warning or an expected condition, 2 a fault,\n"
          "3 the server could not be examined or bad usage, 4 inconclusive (diagnose).\n",
          f);
}

int main(int argc, char **argv)
{
    /* A peer that closes mid-TLS must be an error we report, not a signal
     * that kills us: OpenSSL writes with write(), not send(MSG_NOSIGNAL). */
    signal(SIGPIPE, SIG_IGN);
    /* Before any other OpenSSL call: no OPENSSL_cleanup at exit.  Freeing
     * every provider, name map and cipher table took longer than a probe's
     * AUTH; the process is ending, and the secrets are wiped where they
     * are used (base/secret.c), not by OpenSSL's cleanup. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    if (argc >= 2 && strcmp(argv[1], "probe") == 0)
        return cli_probe_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "diagnose") == 0)
        return cli_diagnose_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "triage") == 0)
        return cli_triage_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "kb") == 0)
        return cli_kb_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "lab") == 0)
        return cli_lab_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        puts("smtpwiz " PACKAGE_VERSION);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    /* Options without a subcommand are the wizard's (it rejects unknown ones). */
    if (argc == 1 || argv[1][0] == '-')
        return ui_main_argv(argc, argv);
    fprintf(stderr, "smtpwiz: unknown command \"%s\"; the commands are probe, diagnose, "
            "triage,\nkb and lab (smtpwiz --help lists them)\n", argv[1]);
    return SMTPWIZ_EXIT_UNKNOWN;
}
