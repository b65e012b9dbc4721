/* outline: the article's decision tree as a list, with the path taken so
 * far marked and the current step highlighted. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>

#include "ui/ui_int.h"

void outline_draw(ui_state *u)
{
    size_t n = 0;
    int cur = -1;
    char **lines = wv_outline(u->eng, &n, &cur);
    int h = LINES - 2, w = COLS;
    int iw = ui_box(1, 0, h, w, " Outline (* path taken, > you are here) ");
    int rows = h - 2;
    int max = (int)n > rows ? (int)n - rows : 0;
    if (u->ov_scroll > max)
        u->ov_scroll = max;
    if (n == 0)
        ui_put(2, 2, iw, "Choose an article first.", A_DIM);
    for (int r = 0; r < rows && (size_t)(u->ov_scroll + r) < n; r++) {
        int i = u->ov_scroll + r;
        ui_put(2 + r, 2, iw, lines[i], i == cur ? A_REVERSE | A_BOLD : 0);
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}
