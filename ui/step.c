/* step: one step of the walk.  Breadcrumb, the step's title and why, then
 * either the probe (spinner and elapsed time while it runs on the worker,
 * then its finding and what the wizard concludes) or, for a question step,
 * the manual check and y / n / ?.  The probe never runs on this thread. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_int.h"
#include "base/secret.h"
#include "base/util.h"

static void probe_thread(void *arg)
{
    wv_probe(arg);
}

static void probe_start(ui_state *u, bool rerun)
{
    if (u->w.running)
        return;
    u->msg[0] = '\0';
    wv_probe_begin(u->eng, rerun);
    worker_start(&u->w, probe_thread, u->eng);
    if (!u->w.running)
        step_probe_done(u);
}

void step_run_probe(ui_state *u)
{
    probe_start(u, false);
}

static void close_thread(void *arg)
{
    wv_close(arg);
}

/* Show whatever the engine now stands on; run its probe if it has none
 * (a step gone back to decides again from its kept result).  A walk that
 * ended has its session closed by the worker, never on this thread. */
void step_show(ui_state *u)
{
    wv_view v;
    wv_get(u->eng, &v);
    ui_go(u, v.kind == WV_CONCLUSION ? SCR_CONCL : SCR_STEP);
    if (v.kind == WV_PROBE && !v.have_result) {
        step_run_probe(u);
    } else if (v.kind == WV_CONCLUSION && !u->w.running) {
        wv_close_begin(u->eng);
        u->closing = true;
        worker_start(&u->w, close_thread, u->eng);
        if (!u->w.running)
            step_close_done(u);
    }
}

void step_close_done(ui_state *u)
{
    wv_close_end(u->eng);
    u->closing = false;
}

void step_probe_done(ui_state *u)
{
    wv_probe_end(u->eng);
    wv_view v;
    wv_get(u->eng, &v);
    bool cancelled = u->cancelled;
    u->cancelled = false;
    if (v.stopped && cancelled)
        ui_msg(u, false, "Cancelled: the probe did not finish. r runs it again.");
    else if (v.stopped)
        ui_msg(u, true, "No conclusion: the server could not be examined. r runs the probe again.");
    else if (v.have_result && v.status == UI_ST_ERROR)
        ui_msg(u, true, "The probe could not finish: r runs it again, Enter goes on anyway.");
}

void step_begin(ui_state *u)
{
    probe_opts o;            /* wv_begin copies it; the strings are the form's */
    ui_form *f = &u->form;
    memset(&o, 0, sizeof o);
    o.host = f->host;
    o.port = f->port;
    o.starttls = f->tls == 1 ? TLS_ALWAYS : f->tls == 2 ? TLS_NEVER : TLS_AUTO;
    o.allow_plaintext_auth = f->plain_auth;   /* the form's "Plain-text AUTH" */
    o.user = f->user[0] ? f->user : NULL;
    o.password = f->user[0] && f->pass[0] ? f->pass : NULL;
    secret_add(o.user, o.password);   /* cut from the transcript, facts, report */
    /* Used by the Kerberos probes.  A lab's domain (fabrikam.com) is real on
     * the Internet: unless a DC is named (typed in, --dc or $SMTPWIZ_DC), a
     * practice run asks none and never looks one up in DNS. */
    o.dc = f->dc[0] ? f->dc : (wv_lab_running(u->eng) ? "none" : NULL);
    int ms = target_timeout_ms(f);   /* checked when the form was sent */
    o.timeout_ms = ms > 0 ? ms : 0;
    o.cancel_fd = u->w.cancel_fd[0];
    char *err = NULL;
    u->saved = u->quit_asked = false;     /* a new walk, a new report */
    if (!wv_begin(u->eng, u->article, u->entry, &o, &err)) {
        ui_msg(u, true, "Cannot start %s: %s", u->article, err ? err : "unknown article");
        free(err);
        free(u->article);
        u->article = NULL;
        ui_go(u, SCR_ARTICLES);
        return;
    }
    step_show(u);
}

static int draw_header(ui_state *u, const wv_view *v)
{
    int y = 1 - u->scroll;
    /* The breadcrumb: at most two rows, the most recent part of the path. */
    int total = ui_wrap(0, 0, COLS - 2, 0, 0, v->path, 0);
    int skip = total > 2 ? total - 2 : 0;
    y += ui_wrap(y, 1, COLS - 2, skip, 2, v->path, A_DIM) - skip;
    y++;
    ui_put(y++, 1, COLS - 2, v->title, A_BOLD);
    y += ui_wrap(y, 2, COLS - 4, 0, 1000, v->why, 0);
    return y;
}

static const char *spinner(ui_state *u)
{
    static const char *const uni[] = { "\u280b", "\u2819", "\u2839", "\u2838", "\u283c",
                                       "\u2834", "\u2826", "\u2827", "\u2807", "\u280f" };
    static const char *const asc[] = { "|", "/", "-", "\\" };
    return ui_look_g.utf8 ? uni[u->spin % 10] : asc[u->spin % 4];
}

static int draw_probe(ui_state *u, const wv_view *v, int y)
{
    char line[160];
    if (u->w.running) {
        snprintf(line, sizeof line, "%s Probing %s ... %.1f s  (Esc cancels)", spinner(u),
                 v->probe ? v->probe : "", (util_now_ms() - u->w.t0_ms) / 1000.0);
        ui_put(y++, 2, COLS - 4, line, A_BOLD);
        return y;
    }
    if (!v->have_result) {
        ui_put(y++, 2, COLS - 4, "Not probed yet: press r to run the probe.", 0);
        return y;
    }
    /* First what the finding means for the diagnosis; the probe's own
     * status after it, secondary. */
    static const char *const glyph_u[] = { " ", "\u00b7", "\u2714", "\u2718", "\u25cf",
                                           "\u2714", "?", "!" };
    static const char *const glyph_a[] = { " ", "-", "+", "X", "*", "+", "?", "!" };
    static const int st_of[] = { UI_ST_SKIP, UI_ST_SKIP, UI_ST_PASS, UI_ST_FAIL, UI_ST_WARN,
                                 UI_ST_PASS, UI_ST_WARN, UI_ST_ERROR };
    int m = v->mark >= 0 && v->mark <= WV_MARK_NOT_RUN ? (int)v->mark : 0;
    int attr = ui_status_attr(st_of[m]) | A_BOLD;
    int x = 2 + ui_put(y, 2, 2, ui_look_g.utf8 ? glyph_u[m] : glyph_a[m], attr);
    x += 1 + ui_put(y, x + 1, COLS - x - 3, v->mark_text ? v->mark_text : "", attr);
    char tech[96];
    snprintf(tech, sizeof tech, "(%s probe: %s)", v->probe ? v->probe : "?",
             ui_status_mark(v->status));
    if (x + 3 < COLS - 2)
        ui_put(y, x + 2, COLS - x - 4, tech, A_DIM);
    y++;
    y += ui_wrap(y, 4, COLS - 6, 0, 1000, v->summary, 0);
    for (size_t i = 0; i < v->nfacts; i++)
        y += ui_wrap(y, 6, COLS - 8, 0, 1000, v->facts[i], A_DIM);
    if (v->verdict && *v->verdict) {
        y++;
        ui_put(y, 2, 2, ui_look_g.arrow, A_BOLD);
        y += ui_wrap(y, 4, COLS - 6, 0, 1000, v->verdict, A_BOLD);
    }
    return y;
}

static void step_draw(ui_state *u)
{
    wv_view v;
    wv_get(u->eng, &v);
    char what[128];
    snprintf(what, sizeof what, "%s %s step %d", v.article_id ? v.article_id : "",
             ui_look_g.arrow, v.step_no);
    ui_title(u, what);
    ui_clip(1, LINES - 3);
    int y = draw_header(u, &v);
    ui_hline(y++);
    if (v.kind == WV_QUESTION) {
        y += ui_wrap(y, 2, COLS - 4, 0, 1000, v.question, A_BOLD);
        ui_put(y++, 2, COLS - 4, "y yes   n no   d don't know", A_REVERSE);
        y++;
        ui_put(y++, 2, COLS - 4, "How to check by hand:", A_BOLD);
        y += ui_wrap(y, 4, COLS - 6, 0, 1000, v.manual, 0);
    } else {
        y = draw_probe(u, &v, y);
    }
    ui_clip(0, 1 << 20);
    if (!ui_scroll_end(u, y)) {
        erase();
        step_draw(u);    /* once more: the scroll is within the text now */
        return;
    }
    static const char *const run[] = { "Esc", "cancel", "t", "transcript", "o", "outline",
                                       "F1", "help", "q", "quit", NULL };
    static const char *const done[] = { "Enter", "next", "b", "back", "r", "re-run",
                                        "t", "transcript", "o", "outline", "s", "save",
                                        "?", "help", "q", "quit", NULL };
    static const char *const ask[] = { "y/n/d", "answer", "b", "back", "t", "transcript",
                                       "o", "outline", "s", "save", "?", "help", "q", "quit",
                                       NULL };
    static const char *const stop[] = { "r", "re-run", "b", "back", "t", "transcript",
                                        "o", "outline", "s", "save", "?", "help", "q", "quit",
                                        NULL };
    bool cmds = !u->w.running && commands_any(&v);
    ui_footer_plus(u->w.running ? run : v.kind == WV_QUESTION ? ask : v.stopped ? stop : done,
                   cmds ? "c" : NULL, "commands");
}

/* The end is clamped when drawn (ui_scroll_end): only the draw knows the
 * height of the text at this width. */
static void step_scroll(ui_state *u, ui_action a)
{
    int page = ui_body_rows() / 2;
    if (a == ACT_HOME || a == ACT_END) {
        u->scroll = a == ACT_HOME ? 0 : 1 << 20;   /* the end: clamped when drawn */
        return;
    }
    u->scroll += a == ACT_DOWN ? 1 : a == ACT_UP ? -1 : a == ACT_PGDN ? page : -page;
    if (u->scroll < 0)
        u->scroll = 0;
}

/* Keys shared by the step and conclusion screens. */
bool step_common_key(ui_state *u, ui_action a)
{
    switch (a) {
    case ACT_UP: case ACT_DOWN: case ACT_PGUP: case ACT_PGDN: case ACT_HOME: case ACT_END:
        step_scroll(u, a);
        return true;
    case ACT_TRANSCRIPT: u->ov = OV_TRANSCRIPT; return true;
    case ACT_OUTLINE: u->ov = OV_OUTLINE; return true;
    case ACT_COMMANDS: {
        wv_view v;
        wv_get(u->eng, &v);
        if (commands_any(&v))
            u->ov = OV_COMMANDS;
        else
            ui_msg(u, false, "This screen has no commands to run.");
        return true;
    }
    case ACT_QUIT:
        if (u->w.running) {
            u->ov = OV_QUIT;
        } else if (u->scr == SCR_CONCL && !u->saved && !u->quit_asked) {
            u->ov = OV_UNSAVED;   /* once: a second q quits */
            u->quit_asked = true;
        } else {
            u->quit = true;
        }
        return true;
    case ACT_SAVE: if (!u->w.running) ui_save_report(u); return true;
    case ACT_BACK:
        if (!u->w.running && wv_back(u->eng))
            step_show(u);
        else if (!u->w.running)
            ui_msg(u, false, "This is the first step of the walk.");
        return true;
    default: return false;
    }
}

static void step_key(ui_state *u, int ch, ui_action a)
{
    wv_view v;
    wv_get(u->eng, &v);
    bool question = v.kind == WV_QUESTION;
    (void)ch;
    if (question && !u->w.running && (a == ACT_YES || a == ACT_NO || a == ACT_UNKNOWN)) {
        if (wv_answer(u->eng, a == ACT_YES ? 'y' : a == ACT_NO ? 'n' : '?'))
            step_show(u);
        return;
    }
    if (step_common_key(u, a) || u->w.running)
        return;
    if (a == ACT_HELP) {
        u->ov = OV_HELP;
    } else if (a == ACT_RERUN && !question) {
        probe_start(u, v.have_result || v.stopped);
    } else if (a == ACT_ENTER && !question) {
        if (!v.have_result && !v.stopped)
            step_run_probe(u);
        else if (wv_next(u->eng))
            step_show(u);
        else if (v.stopped)
            ui_msg(u, true, "The walk stopped here: r runs the probe again, s saves the report.");
    }
}

const ui_screen ui_step_screen = { step_draw, step_key };
