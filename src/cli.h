/* cli: the subcommands that run without curses. */
#ifndef SMTPWIZ_CLI_H
#define SMTPWIZ_CLI_H

int cli_probe_main(int argc, char **argv);

#endif
