/* transcript: the scrollable pane over the SMTP session, drawn as
 * `smtpwiz probe` prints it (milliseconds since the run began, swaks's
 * arrows: <- received, -> sent, <~ and ~> inside TLS, === notes).  Lines
 * appear while a probe runs (tr_copy reads the worker's transcript under
 * its lock).  Left/Right scroll long lines sideways; / searches, n finds
 * the next match.  The engine stores every line escaped and redacted
 * already; ui_put escapes again anything that could still reach the
 * terminal. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_int.h"
#include "base/util.h"

#define TR_VIEW_MAX 256      /* rows drawn at most */

static const char *arrow(const tr_entry *e)
{
    return e->dir == TR_SERVER ? (e->tls ? "<~ " : "<- ")
         : e->dir == TR_CLIENT ? (e->tls ? " ~>" : " ->") : "===";
}

static void entry_draw(const tr_entry *e, int y, int x, int w, int hscroll)
{
    char head[40];
    snprintf(head, sizeof head, "%8.1f ms %s ", e->t_ms, arrow(e));
    int attr = e->dir == TR_NOTE ? A_DIM : e->dir == TR_CLIENT ? A_BOLD : 0;
    int used = ui_put(y, x, w, head, A_DIM);
    const char *line = e->line;
    size_t len = strlen(line);
    if (hscroll > 0) {
        size_t skip = (size_t)hscroll < len ? (size_t)hscroll : len;
        line += skip;
        if (skip)
            used += ui_put(y, x + used, w - used, ui_look_g.utf8 ? "\u2026" : "<", A_DIM);
    }
    ui_put(y, x + used, w - used, line, attr);
}

static size_t tr_count(ui_state *u)
{
    return wv_transcript_lines(u->eng, 0, 0, NULL, NULL);
}

void transcript_draw(ui_state *u)
{
    int h = LINES - 2, w = COLS;
    int iw = ui_box(1, 0, h, w, " Transcript (redacted; <~ ~> inside TLS) ");
    bool note = u->tr_searching || u->msg[0];   /* the prompt, or what / found */
    int rows = h - 2 - (note ? 1 : 0);
    if (rows > TR_VIEW_MAX)
        rows = TR_VIEW_MAX;
    size_t n = tr_count(u);
    int max = (int)n > rows ? (int)n - rows : 0;
    if (u->ov_scroll > max)
        u->ov_scroll = max;
    if (rows < 1)
        return;
    tr_entry v[TR_VIEW_MAX];
    size_t dropped = 0;
    n = wv_transcript_lines(u->eng, (size_t)u->ov_scroll, (size_t)rows, v, &dropped);
    size_t got = n > (size_t)u->ov_scroll ? n - (size_t)u->ov_scroll : 0;
    if (got > (size_t)rows)
        got = (size_t)rows;
    if (n == 0)
        ui_put(2, 2, iw, u->w.running ? "A probe is running: its lines appear here as they come."
                                       : "Nothing sent or received yet.", A_DIM);
    for (size_t r = 0; r < got; r++) {
        entry_draw(&v[r], 2 + (int)r, 2, iw, u->ov_hscroll);
        free(v[r].line);
    }
    if (u->tr_searching) {
        char q[96];
        snprintf(q, sizeof q, "/%s", u->tr_find);
        ui_put(h - 1, 2, iw, q, A_BOLD);
    } else if (u->msg[0]) {
        ui_put(h - 1, 2, iw, u->msg, A_BOLD);
    }
    char pos[96];
    snprintf(pos, sizeof pos, " %zu lines%s%s  / find  Left/Right  Esc close ", n,
             dropped ? ", some not kept" : "", u->w.running ? ", live" : "");
    ui_put(h, 2, iw, pos, A_DIM);
}

/* The next entry after the top row (or from the top) holding u->tr_find,
 * case-insensitive; false if none. */
static bool find_next(ui_state *u, bool from_top)
{
    size_t n = tr_count(u);
    for (size_t i = from_top ? 0 : (size_t)u->ov_scroll + 1; i < n; i++) {
        tr_entry e;
        wv_transcript_lines(u->eng, i, 1, &e, NULL);
        bool hit = util_stristr(e.line, u->tr_find) != NULL;
        free(e.line);
        if (hit) {
            u->ov_scroll = (int)i;
            return true;
        }
    }
    return false;
}

bool transcript_key(ui_state *u, int ch, ui_action a)
{
    if (u->tr_searching) {
        size_t n = strlen(u->tr_find);
        if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
            u->tr_searching = false;
            if (n && !find_next(u, true))
                ui_msg(u, false, "\"%s\" is not in the transcript.", u->tr_find);
        } else if (ch == 27) {
            u->tr_searching = false;
        } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            if (n)
                u->tr_find[n - 1] = '\0';
        } else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof u->tr_find) {
            u->tr_find[n] = (char)ch;
            u->tr_find[n + 1] = '\0';
        }
        return true;
    }
    if (ch == '/') {
        u->msg[0] = '\0';
        u->tr_searching = true;
        u->tr_find[0] = '\0';
        return true;
    }
    if (ch == 'n' && u->tr_find[0]) {
        if (!find_next(u, false))
            ui_msg(u, false, "No more \"%s\" below.", u->tr_find);
        return true;
    }
    if (ch == KEY_LEFT || ch == KEY_RIGHT) {
        u->ov_hscroll += ch == KEY_RIGHT ? 20 : -20;
        if (u->ov_hscroll < 0)
            u->ov_hscroll = 0;
        return true;
    }
    (void)a;
    return false;
}
