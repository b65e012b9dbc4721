/* ui_int: what the ui/ files share.  One ui_state for the whole session;
 * one ui_screen (draw + key) per screen in the ncdu manner; keys become an
 * action enum in one place (loop.c) as mtr does. */
#ifndef SMTPWIZ_UI_INT_H
#define SMTPWIZ_UI_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "ui/walkview.h"
#include "ui/ui.h"

typedef enum {
    ACT_NONE = 0, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END,
    ACT_ENTER, ACT_BACK, ACT_RERUN, ACT_TRANSCRIPT, ACT_OUTLINE, ACT_SAVE,
    ACT_HELP, ACT_QUIT, ACT_CANCEL, ACT_YES, ACT_NO, ACT_UNKNOWN, ACT_LAB, ACT_COMMANDS,
} ui_action;

/* Keys of our own beside curses': a bracketed paste's start and end. */
#define UI_KEY_PASTE_BEGIN 0x10001     /* past every curses KEY_ code */
#define UI_KEY_PASTE_END 0x10002

typedef enum { SCR_START, SCR_ARTICLES, SCR_LABS, SCR_TRIAGE, SCR_TARGET, SCR_STEP,
               SCR_CONCL, SCR_COUNT } ui_screen_id;

typedef enum { OV_NONE, OV_HELP, OV_TRANSCRIPT, OV_OUTLINE, OV_QUIT, OV_SAVE, OV_UNSAVED,
               OV_COMMANDS } ui_overlay;

enum { UI_ST_PASS, UI_ST_WARN, UI_ST_FAIL, UI_ST_SKIP, UI_ST_ERROR };

typedef struct ui_look {
    bool utf8, color;
    const char *hline, *arrow;
} ui_look;
extern ui_look ui_look_g;

/* A background job: one blocking call on a thread, its end signalled
 * through a pipe the loop polls; cancel through the probe's cancel_fd. */
typedef struct ui_worker {
    pthread_t th;
    bool running;
    bool stuck;              /* a thread ignored the cancel and was left running */
    int done_fd[2];
    int cancel_fd[2];
    void (*fn)(void *);
    void *arg;
    double t0_ms;
} ui_worker;

#define UI_FIELD_MAX 256
typedef struct ui_form {
    char host[UI_FIELD_MAX], port[16], user[UI_FIELD_MAX], pass[UI_FIELD_MAX], dc[UI_FIELD_MAX];
    char timeout[16];         /* seconds, as --timeout */
    int tls;                 /* 0 auto, 1 always, 2 never */
    bool plain_auth;         /* PLAIN/LOGIN may go out without TLS (--allow-plaintext-auth) */
    int focus;
    char err[160];
} ui_form;

typedef struct ui_state ui_state;

typedef struct ui_screen {
    void (*draw)(ui_state *u);
    /* ch: the raw key (text entry); a: what it means elsewhere. */
    void (*key)(ui_state *u, int ch, ui_action a);
} ui_screen;

struct ui_state {
    const ui_args *args;
    wv *eng;
    ui_screen_id scr;
    ui_overlay ov;
    bool quit;
    int exit_code;
    int sel, top;            /* list cursor and scroll for list screens */
    int scroll;              /* step/conclusion scroll (clamped when drawn) */
    int ov_scroll;           /* the overlay's scroll (0 when one opens) */
    int ov_sel;              /* the outline's cursor (-1 when it opens: the current step) */
    int ov_hscroll;          /* the transcript's sideways scroll, in bytes */
    bool tr_searching;       /* the transcript's / prompt is open */
    char tr_find[64];        /* what / looks for */
    char *article;           /* chosen article id, NULL until chosen */
    char *entry;             /* entry step from triage, or NULL */
    char *triage_note;       /* what triage said, shown on the step screen */
    bool have_target;
    ui_form form;
    char triage[8192];
    size_t triage_len;
    char *lab_name;          /* the scenario that runs (wv_lab_running), or NULL */
    const wv_lab *labs;      /* the scenarios (wv_labs), when the lab screen opened */
    int nlabs;
    ui_worker w;
    int spin;
    char msg[256];           /* one-line status message (saved report, errors) */
    char save_path[1024];    /* the report's file, as the save box edits it */
    bool save_done;          /* the save box shows the path written */
    bool saved;              /* this walk's report was saved */
    bool quit_asked;         /* quit asked once about an unsaved report */
    bool closing;            /* the worker closes the ended walk's session */
    bool cancelled;          /* Esc cancelled the probe that runs */
    bool in_paste;           /* inside a bracketed paste */
    double triage_key_ms;    /* when the paste box's last key came */
    bool msg_err;
};

/* term.c */
/* stdin and stdout are a terminal; else says so (-1).  Checked first, before
 * the knowledge base loads or a lab starts. */
int term_check(void);
int term_start(void);
void term_end(void);
int ui_put(int y, int x, int maxw, const char *s, int attr);
int ui_putn(int y, int x, int maxw, const char *s, size_t n, int attr);
int ui_text_cols(const char *s, size_t n);
/* How many bytes of s[0..n) fit in w columns, whole characters only and at
 * least one (a row never stalls on a character wider than it). */
size_t ui_text_fit(const char *s, size_t n, int w);
void ui_hline(int y);
/* Rows outside [top, bot] are not drawn (scrolling panes); ui_clip(0, 1<<20) resets. */
void ui_clip(int top, int bot);
void ui_bar(int y, const char *left, const char *right);
int ui_status_attr(int st);
const char *ui_status_mark(int st);

/* draw.c */
/* Word-wrap text into width columns from row y, skipping the first `skip`
 * wrapped lines and drawing at most maxrows; returns the wrapped line count. */
int ui_wrap(int y, int x, int width, int skip, int maxrows, const char *text, int attr);
void ui_footer(const char *const *keys);   /* {"Enter","next", ..., NULL} */
void ui_footer_plus(const char *const *keys, const char *key, const char *what);
void ui_title(ui_state *u, const char *what);
void ui_msg(ui_state *u, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_list(ui_state *u, int y0, int rows, int n, const char *(*label)(ui_state *, int, const char **));
bool ui_list_move(ui_state *u, ui_action a, int n);
int ui_body_rows(void);     /* rows between the title and the footer */
/* A scrolling body (rows 1 .. ui_body_rows()) was drawn down to row y,
 * the row after its last line: "(more: PgDn)" if it goes on below.  False
 * if u->scroll was past its end (after a resize, say): then it is clamped
 * and the caller draws again. */
bool ui_scroll_end(ui_state *u, int y);

/* worker.c */
int worker_init(ui_worker *w);
void worker_free(ui_worker *w);
void worker_start(ui_worker *w, void (*fn)(void *), void *arg);
void worker_cancel(ui_worker *w);
/* The exit: cancel whatever waits on the cancel pipe, the walks being
 * closed on their own threads (walkview) too, running probe or not. */
void worker_cancel_all(ui_worker *w);
/* The done fd became readable: join the thread.  Returns true if it ended. */
bool worker_reap(ui_worker *w);
/* Cancel and wait at most ms for the thread (exit paths).  False if it did
 * not end: it was detached (w->stuck) and may still use its argument. */
bool worker_stop(ui_worker *w, int ms);

/* Screens. */
extern const ui_screen ui_start_screen, ui_articles_screen, ui_labs_screen,
    ui_triage_screen, ui_target_screen, ui_step_screen, ui_concl_screen;
void ui_go(ui_state *u, ui_screen_id s);
/* Choose what comes next once an article or a target was chosen. */
void ui_advance(ui_state *u);
void step_begin(ui_state *u);
void step_run_probe(ui_state *u);
void step_probe_done(ui_state *u);
void step_show(ui_state *u);
void step_close_done(ui_state *u);   /* the worker closed the ended walk's session */
void ui_save_report(ui_state *u);
int ui_lab_start(ui_state *u, const char *name);
void target_prefill(ui_state *u);
int target_timeout_ms(const ui_form *f);

/* loop.c */
int loop_signals(void);
void loop_signals_close(void);
int loop_run(ui_state *u);
ui_action ui_key_action(int ch);
/* Keys shared by the step and conclusion screens (step.c). */
bool step_common_key(ui_state *u, ui_action a);

/* Overlays (help.c, transcript.c, outline.c). */
int ui_box(int y, int x, int h, int w, const char *title);
void help_draw(ui_state *u);
/* The commands of the screen, whole (c). */
size_t commands_of(const wv_view *v, const char **cmd, size_t *len, size_t max);
bool commands_any(const wv_view *v);
void commands_draw(ui_state *u);
void quit_draw(void);        /* q while a probe runs: quit now? */
void transcript_draw(ui_state *u);
void outline_draw(ui_state *u);
void overlay_key(ui_state *u, ui_action a);
/* save.c: the save box and the unsaved-report question. */
void save_draw(ui_state *u);
void save_key(ui_state *u, int ch, ui_action a);
void unsaved_draw(void);
void unsaved_key(ui_state *u, ui_action a);
/* The transcript's own keys (/, n, Left/Right); false for the shared ones. */
bool transcript_key(ui_state *u, int ch, ui_action a);
/* The outline's own keys (cursor, Enter jumps); false for the shared ones. */
bool outline_key(ui_state *u, ui_action a);

#endif
