/* conclusion: where the walk ends.  The cause, what to do about it, and
 * the evidence path that led here; s saves it all as the Markdown report. */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "ui/ui_int.h"

static void concl_draw(ui_state *u)
{
    wv_view v;
    wv_get(u->eng, &v);
    char what[128];
    snprintf(what, sizeof what, "%s %s conclusion", v.article_id ? v.article_id : "",
             ui_look_g.arrow);
    ui_title(u, what);
    ui_clip(1, LINES - 3);
    int y = 2 - u->scroll;
    ui_put(y, 1, COLS - 2, "Conclusion:", A_BOLD);
    ui_put(y++, 13, COLS - 14, v.concl_id, A_BOLD | A_UNDERLINE);
    y += ui_wrap(y, 2, COLS - 4, 0, 1000, v.title, A_BOLD);
    y++;
    ui_put(y++, 1, COLS - 2, "Cause", A_BOLD);
    y += ui_wrap(y, 3, COLS - 5, 0, 1000, v.cause, 0);
    y++;
    ui_put(y++, 1, COLS - 2, "What to do", A_BOLD);
    y += ui_wrap(y, 3, COLS - 5, 0, 1000, v.action, 0);
    y++;
    ui_put(y++, 1, COLS - 2, "Evidence path", A_BOLD);
    y += ui_wrap(y, 3, COLS - 5, 0, 1000, v.path, A_DIM);
    ui_clip(0, 1 << 20);
    if (!ui_scroll_end(u, y)) {
        erase();
        concl_draw(u);   /* once more: the scroll is within the text now */
        return;
    }
    static const char *const keys[] = { "s", "save report", "n", "new walk", "l", "labs",
                                        "b", "back", "t", "transcript", "o", "outline",
                                        "?", "help", "q", "quit", NULL };
    ui_footer_plus(keys, commands_any(&v) ? "c" : NULL, "commands");
}

static void concl_key(ui_state *u, int ch, ui_action a)
{
    (void)ch;
    if (step_common_key(u, a))
        return;
    if (a == ACT_HELP) {
        u->ov = OV_HELP;
    } else if (a == ACT_NO) {            /* n: the same article and target again */
        ui_msg(u, false, "A new walk of the same server.");
        step_begin(u);
    } else if (a == ACT_LAB) {           /* l: another practice lab */
        ui_go(u, SCR_LABS);
    } else if (a == ACT_CANCEL) {        /* Esc: the start menu */
        ui_go(u, SCR_START);
    }
}

const ui_screen ui_concl_screen = { concl_draw, concl_key };
