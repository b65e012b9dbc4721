/* outline: the article's decision tree as a list, with the path taken so
 * far marked and the current step highlighted.  A cursor moves over it;
 * Enter goes back to the step under it if the walk passed it. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>

#include "ui/ui_int.h"

static int outline_rows(void)
{
    return LINES - 4;
}

void outline_draw(ui_state *u)
{
    size_t n = 0;
    int cur = -1;
    char **lines = wv_outline(u->eng, &n, &cur);
    int h = LINES - 2, w = COLS;
    int iw = ui_box(1, 0, h, w, " Outline (* path taken, > you are here, Enter goes there) ");
    int rows = outline_rows();
    if (u->ov_sel < 0)
        u->ov_sel = cur >= 0 ? cur : 0;
    if (n && u->ov_sel >= (int)n)
        u->ov_sel = (int)n - 1;
    /* keep the cursor in view */
    if (u->ov_sel < u->ov_scroll)
        u->ov_scroll = u->ov_sel;
    if (u->ov_sel >= u->ov_scroll + rows)
        u->ov_scroll = u->ov_sel - rows + 1;
    int max = (int)n > rows ? (int)n - rows : 0;
    if (u->ov_scroll > max)
        u->ov_scroll = max;
    if (n == 0)
        ui_put(2, 2, iw, "Choose an article first.", A_DIM);
    for (int r = 0; r < rows && (size_t)(u->ov_scroll + r) < n; r++) {
        int i = u->ov_scroll + r;
        int attr = (i == cur ? A_BOLD : 0) | (i == u->ov_sel ? A_REVERSE : 0);
        ui_put(2 + r, 2, iw, lines[i], attr);
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

bool outline_key(ui_state *u, ui_action a)
{
    size_t n = 0;
    int cur = -1;
    char **lines = wv_outline(u->eng, &n, &cur);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    if (u->ov_sel < 0)
        u->ov_sel = cur >= 0 ? cur : 0;
    int page = outline_rows();
    switch (a) {
    case ACT_UP: u->ov_sel--; break;
    case ACT_DOWN: u->ov_sel++; break;
    case ACT_PGUP: u->ov_sel -= page; break;
    case ACT_PGDN: u->ov_sel += page; break;
    case ACT_HOME: u->ov_sel = 0; break;
    case ACT_END: u->ov_sel = (int)n - 1; break;
    case ACT_ENTER:
        if (u->w.running) {
            ui_msg(u, false, "A probe is running: Esc cancels it first.");
        } else if (wv_goto_step(u->eng, u->ov_sel)) {
            u->ov = OV_NONE;
            step_show(u);
        } else {
            ui_msg(u, false, "The walk has not passed that step: only steps marked * or > "
                   "can be gone back to.");
        }
        return true;
    default:
        return false;
    }
    if (u->ov_sel >= (int)n)
        u->ov_sel = (int)n - 1;
    if (u->ov_sel < 0)
        u->ov_sel = 0;
    return true;
}
