/* ui: the wizard session.  Parses the wizard's command line, sets up the
 * engine, the lab, the worker and the terminal, runs the loop and takes it
 * all down again in reverse order.  Also the moves between screens. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/exitcode.h"
#include "ui/ui_int.h"
#include "base/secret.h"
#include "base/util.h"

static void usage(FILE *f)
{
    fputs("usage: smtpwiz                          open the wizard\n"
          "       smtpwiz --lab [SCENARIO]         practise on the built-in lab\n"
          "       smtpwiz --kb ID --host H [-p PORT]   go straight to an article\n"
          "options that fill in the target form: --host H, -p PORT, --user U,\n"
          "  --dc HOST[:PORT][,KPASSWD_PORT] (the domain controller the Kerberos checks\n"
          "  ask; \"none\" asks none; default $SMTPWIZ_DC, else DNS), --timeout S (each\n"
          "  network wait, in seconds; default 10)\n", f);
}

int ui_main_argv(int argc, char **argv)
{
    ui_args a;
    memset(&a, 0, sizeof a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(s, "--lab") == 0) {
            a.lab = true;
            if (v && v[0] != '-') { a.scenario = v; i++; }
        } else if (strcmp(s, "--kb") == 0 && v) {
            a.kb_id = v; i++;
        } else if ((strcmp(s, "--host") == 0 || strcmp(s, "-H") == 0) && v) {
            a.host = v; i++;
        } else if ((strcmp(s, "-p") == 0 || strcmp(s, "--port") == 0) && v) {
            a.port = v; i++;
        } else if (strcmp(s, "--user") == 0 && v) {
            a.user = v; i++;
        } else if (strcmp(s, "--dc") == 0 && v) {
            a.dc = v; i++;
        } else if (strcmp(s, "--timeout") == 0 && v) {
            a.timeout = v; i++;
        } else if (strcmp(s, "--kb-dir") == 0 && v) {
            a.kb_dir = v; i++;
        } else {
            fprintf(stderr, "smtpwiz: unknown or incomplete option '%s'\n", s);
            usage(stderr);
            return SMTPWIZ_EXIT_UNKNOWN;
        }
    }
    return ui_main(&a);
}

/* The scenario list is read only when it is needed (startup stays fast). */
static void labs_load(ui_state *u)
{
    char *err = NULL;
    u->nlabs = wv_labs(u->eng, &u->labs, &err);
    if (u->nlabs < 0) {
        u->nlabs = 0;
        u->labs = NULL;
        ui_msg(u, true, "Cannot list the lab scenarios: %s", err ? err : "?");
        free(err);
    }
}

void ui_go(ui_state *u, ui_screen_id s)
{
    if (s == SCR_LABS)
        labs_load(u);
    if (s == SCR_TRIAGE) {     /* a fresh box each time */
        u->triage_len = 0;
        u->triage[0] = '\0';
        u->in_paste = false;
    }
    u->scr = s;
    u->sel = u->top = u->scroll = u->ov_scroll = 0;
    u->ov = OV_NONE;
}

/* The next thing still missing: an article, then a target, then the walk. */
void ui_advance(ui_state *u)
{
    if (!u->article) {
        ui_go(u, SCR_ARTICLES);
    } else if (!u->have_target) {
        target_prefill(u);
        ui_go(u, SCR_TARGET);
    } else {
        step_begin(u);
    }
}

int ui_lab_start(ui_state *u, const char *name)
{
    char *err = NULL;
    wv_lab_target t;
    if (!wv_lab_start(u->eng, name, &t, &err)) {
        ui_msg(u, true, "The lab '%s' did not start: %s", name, err ? err : "unknown error");
        free(err);
        return -1;
    }
    u->have_target = false;
    free(u->lab_name);
    u->lab_name = xstrdup(name);
    if (!u->article && t.article)
        u->article = xstrdup(t.article);
    ui_form *f = &u->form;
    snprintf(f->host, sizeof f->host, "%s", t.host);
    snprintf(f->port, sizeof f->port, "%d", t.port);
    snprintf(f->user, sizeof f->user, "%s", t.user);
    OPENSSL_cleanse(f->pass, sizeof f->pass);   /* all of it: the tail too */
    snprintf(f->pass, sizeof f->pass, "%s", t.password);
    f->tls = 0;
    ui_msg(u, false, "Lab '%s' listening on %s:%d (account %s).", name, t.host, t.port, t.user);
    return 0;
}

static int session_init(ui_state *u, const ui_args *a)
{
    char *err = NULL;
    memset(u, 0, sizeof *u);
    u->args = a;
    u->eng = wv_open(a->kb_dir, &err);
    if (!u->eng) {
        fprintf(stderr, "smtpwiz: cannot load the knowledge base: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    int more;
    const char *note = wv_load_note(u->eng, &more);
    if (note) {
        char also[32] = "";
        if (more)
            snprintf(also, sizeof also, " (and %d more)", more);
        ui_msg(u, true, "Not loaded: %s%s", note, also);
    }
    if (worker_init(&u->w) != 0) {
        perror("smtpwiz: pipe");
        wv_free(u->eng);
        return -1;
    }
    snprintf(u->form.port, sizeof u->form.port, "%s", a->port ? a->port : "25");
    if (a->host)
        snprintf(u->form.host, sizeof u->form.host, "%s", a->host);
    if (a->user)
        snprintf(u->form.user, sizeof u->form.user, "%s", a->user);
    if (a->timeout)           /* checked with the rest of the form */
        snprintf(u->form.timeout, sizeof u->form.timeout, "%s", a->timeout);
    /* The same default as the command-line tools: --dc, else $SMTPWIZ_DC. */
    const char *dc = a->dc ? a->dc : getenv("SMTPWIZ_DC");
    if (dc)
        snprintf(u->form.dc, sizeof u->form.dc, "%s", dc);
    return 0;
}

static void session_free(ui_state *u)
{
    /* Stop the worker, then free the view model (a walk still open sends
     * QUIT, whose wait polls the cancel pipe and, on a lab, needs the lab,
     * which wv_free stops last), and only then close the pipes.  A probe
     * that ignored the cancel still runs on its detached thread over the
     * walk: leak it deliberately rather than free it under the thread (the
     * process is about to exit). */
    if (worker_stop(&u->w, 1000)) {
        worker_cancel_all(&u->w);   /* a QUIT to a silent server: do not wait it out */
        wv_free(u->eng);
    }
    worker_free(&u->w);
    free(u->lab_name);
    free(u->article);
    free(u->entry);
    free(u->triage_note);
    OPENSSL_cleanse(u->form.pass, sizeof u->form.pass);
    secret_clear();
}

/* Where the session opens, from the command line. */
static int session_open(ui_state *u, const ui_args *a)
{
    if (a->kb_id)
        u->article = xstrdup(a->kb_id);
    if (a->lab && a->scenario && ui_lab_start(u, a->scenario) != 0) {
        fprintf(stderr, "smtpwiz: %s\n", u->msg);
        return -1;
    }
    if (a->lab && !a->scenario)
        ui_go(u, SCR_LABS);
    else if (a->lab || a->kb_id)
        ui_advance(u);
    else
        ui_go(u, SCR_START);
    return 0;
}

int ui_main(const ui_args *a)
{
    static ui_state u;
    if (term_check() != 0 || session_init(&u, a) != 0)
        return SMTPWIZ_EXIT_UNKNOWN;
    int rc = 3;
    if (session_open(&u, a) == 0 && loop_signals() == 0 && term_start() == 0) {
        rc = loop_run(&u);
        worker_stop(&u.w, 1000);
        term_end();
    }
    loop_signals_close();
    session_free(&u);
    return rc;
}
