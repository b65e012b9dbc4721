/* ui: the ncurses wizard.  The only entry point main.c needs; this header
 * must not include <curses.h> (src/ never sees curses). */
#ifndef SMTPWIZ_UI_H
#define SMTPWIZ_UI_H

#include <stdbool.h>

typedef struct ui_args {
    bool lab;                /* --lab [SCENARIO] */
    const char *scenario;    /* NULL: pick one on screen */
    const char *kb_id;       /* --kb ID: straight to an article */
    const char *host;        /* --host H */
    const char *port;        /* -p PORT */
    const char *user;        /* --user U: the AUTH account on the form */
    const char *dc;          /* --dc SPEC: the form's domain controller */
    const char *timeout;     /* --timeout S: the form's timeout, in seconds */
    const char *kb_dir;      /* --kb-dir DIR (tests); NULL: the usual lookup */
} ui_args;

/* Parse `smtpwiz [--lab [SCENARIO]] [--kb ID --host H [-p PORT]] [--user U]
 * [--dc SPEC] [--timeout S]`, then run the wizard.  Returns the process exit status. */
int ui_main_argv(int argc, char **argv);
/* Run the wizard until the user quits (0) or a signal ends it (128+sig). */
int ui_main(const ui_args *a);

#endif
