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
    fputs("usage: smtpwiz probe HOST [options]   probe an SMTP server (see smtpwiz probe --help)\n"
          "       smtpwiz diagnose HOST --kb 843106|979174 [options]   walk a KB article with live probes\n"
          "       smtpwiz triage [FILE|-]          which article and step a pasted event or error text leads to\n"
          "       smtpwiz kb check [FILE...]       validate knowledge-base files\n"
          "       smtpwiz lab [options]          run the built-in lab server (a broken Exchange)\n"
          "       smtpwiz [--lab [SCENARIO]] [--kb ID] [--host HOST] [-p PORT] [--user U] [--dc DC]\n"
          "                                      the interactive wizard\n"
          "       smtpwiz --version\n",
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
    usage(stderr);
    return SMTPWIZ_EXIT_UNKNOWN;
}
