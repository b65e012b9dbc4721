/* cli_opts: see cli_opts.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_opts.h"
#include "cli/creds.h"
#include "base/secret.h"
#include "base/util.h"

void cli_target_init(cli_target *t)
{
    memset(t, 0, sizeof *t);
    t->o.cancel_fd = -1;
    /* A site (or a test suite) can name its DC once, or forbid DNS lookups
     * with "none"; --dc on the command line wins. */
    const char *dc = getenv("SMTPWIZ_DC");
    if (dc && *dc)
        t->o.dc = dc;
}

static int bad_number(const char *prog, const char *opt, const char *arg, double lo, double hi,
                      double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (*end || end == arg || v < lo || v > hi) {
        fprintf(stderr, "%s: %s takes a number from %g to %g, not \"%s\"\n", prog, opt, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int set_policy(const char *prog, const char *arg, tls_policy *p)
{
    if (strcmp(arg, "auto") == 0) *p = TLS_AUTO;
    else if (strcmp(arg, "always") == 0) *p = TLS_ALWAYS;
    else if (strcmp(arg, "never") == 0) *p = TLS_NEVER;
    else {
        fprintf(stderr, "%s: --starttls takes auto, always or never, not \"%s\"\n", prog, arg);
        return -1;
    }
    return 0;
}

int cli_target_option(const char *prog, int c, const char *arg, cli_target *t)
{
    double v;
    switch (c) {
    case 'p':
        /* Passed on as typed (to getaddrinfo): digits only, so "27027.0"
         * or "0x6b93" is refused here rather than "does not resolve". */
        if (util_parse_port(arg, 1) < 0) {
            fprintf(stderr, "%s: -p takes a port number from 1 to 65535, not \"%s\"\n", prog, arg);
            return -1;
        }
        t->o.port = arg;
        return 1;
    case 't':
        if (bad_number(prog, "--timeout", arg, 0.001, 3600, &v) != 0)
            return -1;
        t->o.timeout_ms = (int)(v * 1000);
        return 1;
    case CLI_OPT_DEADLINE:
        if (bad_number(prog, "--deadline", arg, 1, 3600, &v) != 0)
            return -1;
        t->o.deadline_ms = (int)(v * 1000);
        return 1;
    case CLI_OPT_PLAINTEXT: t->o.allow_plaintext_auth = true; return 1;
    case 's': return set_policy(prog, arg, &t->o.starttls) == 0 ? 1 : -1;
    case 'u': t->o.user = arg; return 1;
    case 'P': t->password_file = arg; return 1;
    case 'm': t->o.mech = arg; return 1;
    case 'r': t->o.rcpt = arg; return 1;
    case 'H': t->o.helo = arg; return 1;
    case 'c': t->o.cafile = arg; return 1;
    case 'D': t->o.dc = arg; return 1;
    case 'R': t->o.realm = arg; return 1;
    case 'O': t->o.domain = arg; return 1;
    case 'A':
        if (strcmp(arg, "server") != 0 && strcmp(arg, "user") != 0) {
            fprintf(stderr, "%s: --as takes server (the credentials are an Exchange server's, "
                            "such as its computer account NAME$) or user, not \"%s\"\n", prog, arg);
            return -1;
        }
        t->o.as = arg;
        return 1;
    case 'X':
        fprintf(stderr, "%s: a password on the command line would show in ps and shell "
                        "history; use --password-file F or SMTPWIZ_PASSWORD\n", prog);
        return -1;
    default:
        return 0;
    }
}

int cli_target_finish(const char *prog, cli_target *t, bool may_prompt)
{
    char *err = NULL;
    t->password = creds_password(t->password_file, t->o.user, may_prompt, &err);
    if (err) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(err);
        return -1;
    }
    t->o.password = t->password;
    /* Whoever sends it back (a server echoing AUTH), it is cut from all output. */
    secret_add(t->o.user, t->password);
    /* The EHLO name's default is probe_ctx_init's (the wizard's too). */
    return 0;
}

void cli_target_free(cli_target *t)
{
    creds_free(t->password);
    secret_clear();
    free(t->helo);
    memset(t, 0, sizeof *t);
}

void cli_usage_hint(const char *prog)
{
    fprintf(stderr, "Try '%s --help'.\n", prog);
}
