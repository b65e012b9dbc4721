/* smtpwiz: entry point.  Dispatches the subcommands; with no subcommand it
 * will open the ncurses wizard (not built yet). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lab.h"

static void usage(FILE *f)
{
    fputs("usage: smtpwiz probe HOST [options]   probe an SMTP server (see smtpwiz probe --help)\n"
          "       smtpwiz diagnose HOST --kb 843106|979174 [options]   walk a KB article with live probes\n"
          "       smtpwiz triage [FILE|-]          which article and step a pasted event or error text leads to\n"
          "       smtpwiz kb check [FILE...]       validate knowledge-base files\n"
          "       smtpwiz lab [options]          run the built-in lab server (a broken Exchange)\n"
          "       smtpwiz --version\n"
          "The interactive wizard (smtpwiz with no arguments, smtpwiz --lab) is not built yet.\n",
          f);
}

int main(int argc, char **argv)
{
    /* A peer that closes mid-TLS must be an error we report, not a signal
     * that kills us: OpenSSL writes with write(), not send(MSG_NOSIGNAL). */
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "probe") == 0)
        return cli_probe_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "diagnose") == 0)
        return cli_diagnose_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "triage") == 0)
        return cli_triage_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "kb") == 0)
        return cli_kb_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "lab") == 0)
        return lab_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        puts("smtpwiz " PACKAGE_VERSION);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 1 || strcmp(argv[1], "--lab") == 0) {
        fputs("smtpwiz: the interactive wizard is not built yet. Today you can run\n"
              "  smtpwiz lab --list              the lab scenarios\n"
              "  smtpwiz probe HOST -p PORT      probe a server\n"
              "  smtpwiz diagnose HOST --kb ID   walk an article with live probes\n", stderr);
        return 3;
    }
    usage(stderr);
    return 3;
}
