/* commands: the commands of the screen shown whole.  On a step or a
 * conclusion a command stands on a line of its own and is cut with an
 * ellipsis where it is wider than the screen; c opens this overlay, where
 * each one is drawn in full (rows of the box's width, one after the other,
 * a blank row between two commands) and scrolls like the help. */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "ui/ui_int.h"

/* Whether the view has a command (a WV_CMD line) at all. */
bool commands_any(const wv_view *v)
{
    const char *c;
    size_t l;
    return commands_of(v, &c, &l, 1) > 0;
}

/* The WV_CMD lines of the view's texts, in screen order, each once.
 * Returns how many; at most max (pointers into the view's strings). */
size_t commands_of(const wv_view *v, const char **cmd, size_t *len, size_t max)
{
    const char *texts[] = { v->why, v->question, v->manual, v->summary, v->verdict,
                            v->cause, v->action };
    size_t n = 0;
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        for (const char *p = texts[t]; p && *p; ) {
            size_t l = strcspn(p, "\n");
            if (p[0] == WV_CMD && l > 1) {
                bool seen = false;
                for (size_t i = 0; i < n && !seen; i++)
                    seen = len[i] == l - 1 && memcmp(cmd[i], p + 1, l - 1) == 0;
                if (!seen && n < max) {
                    cmd[n] = p + 1;
                    len[n++] = l - 1;
                }
            }
            p += l + (p[l] == '\n');
        }
    }
    return n;
}

/* Draw (or with draw false, count) the rows command s takes at width w. */
static int cmd_rows(int y, int x, int w, const char *s, size_t n, bool draw)
{
    int rows = 0;
    while (n > 0) {
        size_t k = ui_text_fit(s, n, w);
        if (draw)
            ui_putn(y + rows, x, w, s, k, A_BOLD);
        rows++;
        s += k;
        n -= k;
    }
    return rows;
}

void commands_draw(ui_state *u)
{
    wv_view v;
    wv_get(u->eng, &v);
    const char *cmd[32];
    size_t len[32];
    size_t nc = commands_of(&v, cmd, len, 32);
    int h = LINES - 2, w = COLS, x = 0;
    int iw = ui_box(1, x, h, w, " Commands, whole ");
    static const char note[] = "A long command goes on in the next row; the saved report (s) "
                               "has each on one line.";
    int head = ui_wrap(0, 0, iw, 0, 0, note, 0) + 1;
    int total = head;
    for (size_t i = 0; i < nc; i++)
        total += cmd_rows(0, 0, iw, cmd[i], len[i], false) + 1;
    int room = h - 2;
    if (u->ov_scroll > total - room)
        u->ov_scroll = total > room ? total - room : 0;
    ui_clip(2, h - 1);
    int y = 2 - u->ov_scroll;
    y += ui_wrap(y, x + 2, iw, 0, 1000, note, A_DIM) + 1;
    for (size_t i = 0; i < nc; i++)
        y += cmd_rows(y, x + 2, iw, cmd[i], len[i], true) + 1;
    ui_clip(0, 1 << 20);
    if (total - u->ov_scroll > room)
        ui_put(h, x + w - 14, 12, " PgDn more ", A_DIM);
}
