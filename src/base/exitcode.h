/* exitcode: the exit statuses of every smtpwiz command, in the
 * monitoring-plugins convention (README.md, "Exit status").  One place, so
 * that probe, diagnose, triage, kb, lab and the wizard say the same. */
#ifndef SMTPWIZ_EXITCODE_H
#define SMTPWIZ_EXITCODE_H

enum {
    SMTPWIZ_EXIT_OK = 0,       /* all passed / no fault found */
    SMTPWIZ_EXIT_WARN = 1,     /* a warning / an expected condition / triage matched nothing */
    SMTPWIZ_EXIT_FAULT = 2,    /* a failure / a fault concluded */
    SMTPWIZ_EXIT_UNKNOWN = 3,  /* could not run: usage error, the server could not be examined */
    SMTPWIZ_EXIT_INCONCLUSIVE = 4,   /* diagnose: what is known does not settle the cause */
};

#endif
