/* cli_opts: the target options `smtpwiz probe` and `smtpwiz diagnose` share
 * (host, port, STARTTLS policy, credentials, Kerberos target): one table of
 * long options, one parser, one place that fetches the password. */
#ifndef SMTPWIZ_CLI_OPTS_H
#define SMTPWIZ_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "probe/opts.h"

/* getopt_long entries; the codes p s u P m r H t c D R O A X and
 * CLI_OPT_DEADLINE, CLI_OPT_PLAINTEXT are taken. */
enum { CLI_OPT_DEADLINE = 0x100, CLI_OPT_PLAINTEXT };
#define CLI_TARGET_LONGOPTS \
    {"port", required_argument, NULL, 'p'}, {"starttls", required_argument, NULL, 's'}, \
    {"user", required_argument, NULL, 'u'}, {"password-file", required_argument, NULL, 'P'}, \
    {"mech", required_argument, NULL, 'm'}, {"rcpt", required_argument, NULL, 'r'}, \
    {"helo", required_argument, NULL, 'H'}, {"timeout", required_argument, NULL, 't'}, \
    {"cafile", required_argument, NULL, 'c'}, {"dc", required_argument, NULL, 'D'}, \
    {"realm", required_argument, NULL, 'R'}, {"password", required_argument, NULL, 'X'}, \
    {"domain", required_argument, NULL, 'O'}, {"as", required_argument, NULL, 'A'}, \
    {"deadline", required_argument, NULL, CLI_OPT_DEADLINE}, \
    {"allow-plaintext-auth", no_argument, NULL, CLI_OPT_PLAINTEXT}

#define CLI_TARGET_USAGE \
    "  [-p PORT] [--starttls auto|always|never] [--user U] [--password-file F]\n" \
    "  [--mech M] [--rcpt ADDR] [--helo NAME] [--timeout S] [--cafile F]\n" \
    "  [--dc HOST[:PORT[,KPASSWD_PORT]] | --dc none] [--realm REALM]\n" \
    "  [--domain DOMAIN] [--as server|user] [--deadline S] [--allow-plaintext-auth]\n" \
    "--domain names your organisation's Windows domain (DNS or NetBIOS), to tell\n" \
    "your servers from others; default the domain of --user (DOMAIN\\name or\n" \
    "name@domain).  --as says whose credentials --user are: server (an Exchange\n" \
    "server's, e.g. its computer account NAME$: default for a name ending in $)\n" \
    "or user (an ordinary account, which Exchange refuses XEXCH50 and X-EXPS).\n" \
    "--dc takes several domain controllers separated by spaces (quote them).\n" \
    "Without --dc the Kerberos probes find domain controllers through DNS SRV\n" \
    "records of the server's domain; --dc none skips what needs one.  The\n" \
    "SMTPWIZ_DC environment variable sets the default for --dc.\n" \
    "The password comes from --password-file, the SMTPWIZ_PASSWORD environment\n" \
    "variable, or a prompt on the terminal; never from the command line.\n" \
    "Credentials never go out in clear once STARTTLS was offered and failed; PLAIN\n" \
    "and LOGIN (the password itself) not without TLS unless --allow-plaintext-auth.\n" \
    "A run opens at most 8 connections, makes at most one failed logon per kind of\n" \
    "mechanism and ends by --deadline (default 120 s); --timeout bounds each wait.\n"

typedef struct cli_target {
    probe_opts o;              /* cancel_fd -1 after cli_target_init */
    const char *password_file;
    char *password;            /* owned, wiped by cli_target_free */
    char *helo;                /* owned default HELO name */
} cli_target;

void cli_target_init(cli_target *t);
/* After a usage error has been named on stderr: where the usage is. */
void cli_usage_hint(const char *prog);
/* Apply option c.  1: applied; 0: not a target option; -1: a bad value
 * (the message, naming prog, is printed). */
int cli_target_option(const char *prog, int c, const char *arg, cli_target *t);
/* Once parsing is done: the password (if any source gives one) and the
 * default HELO name.  0, or -1 with the message printed. */
int cli_target_finish(const char *prog, cli_target *t, bool may_prompt);
void cli_target_free(cli_target *t);

#endif
