/* transcript: the scrollable pane over the SMTP session.  The engine
 * stores every line escaped and redacted already; ui_put escapes again
 * anything that could still reach the terminal.  Lines sent or received
 * inside TLS carry a TLS mark, as swaks marks them. */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "ui/ui_int.h"

static const char *dir_mark(char dir)
{
    switch (dir) {
    case TR_CLIENT: return "->";
    case TR_SERVER: return "<-";
    default: return "**";
    }
}

static void entry_draw(const tr_entry *e, int y, int x, int w)
{
    char head[40];
    snprintf(head, sizeof head, "%8.1f %s %s ", e->t_ms, e->tls ? "TLS" : "   ",
             dir_mark(e->dir));
    int attr = e->dir == TR_NOTE ? A_DIM : e->dir == TR_CLIENT ? A_BOLD : 0;
    int used = ui_put(y, x, w, head, A_DIM);
    ui_put(y, x + used, w - used, e->line, attr);
}

void transcript_draw(ui_state *u)
{
    const transcript *tr = wv_transcript(u->eng);
    int h = LINES - 2, w = COLS;
    int iw = ui_box(1, 0, h, w, " Transcript (redacted; TLS marks lines inside TLS) ");
    int rows = h - 2;
    size_t n = tr ? tr->n : 0;
    int max = (int)n > rows ? (int)n - rows : 0;
    if (u->ov_scroll > max)
        u->ov_scroll = max;
    if (u->w.running)      /* the probe's thread appends to it meanwhile */
        ui_put(2, 2, iw, "A probe is running: the transcript shows when the probe ends.", A_DIM);
    else if (n == 0)
        ui_put(2, 2, iw, "Nothing sent or received yet.", A_DIM);
    for (int r = 0; r < rows && (size_t)(u->ov_scroll + r) < n; r++)
        entry_draw(&tr->v[u->ov_scroll + r], 2 + r, 2, iw);
    char pos[64];
    if (tr)
        snprintf(pos, sizeof pos, " %zu lines%s  Esc/t close ", n,
                 tr->dropped ? ", some dropped" : "");
    else
        snprintf(pos, sizeof pos, " Esc/t close ");
    ui_put(h, 2, iw, pos, A_DIM);
}
