/* cli: the subcommands that run without curses. */
#ifndef SMTPWIZ_CLI_H
#define SMTPWIZ_CLI_H

int cli_probe_main(int argc, char **argv);
int cli_diagnose_main(int argc, char **argv);
int cli_triage_main(int argc, char **argv);
int cli_kb_main(int argc, char **argv);
int cli_lab_main(int argc, char **argv);

#endif
