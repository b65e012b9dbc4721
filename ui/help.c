/* help: the help overlay, the quit confirmation while a probe runs, the
 * box every overlay is drawn in, and the keys all overlays share. */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "ui/ui_int.h"

static const char help_text[] =
    "smtpwiz walks a Microsoft KB article (KB843106, KB979174) one step at a time. "
    "Each step probes your server and shows what it found and what that means; "
    "Enter follows the branch the result chose.\n"
    "\n"
    "Enter      next step (along the branch the probe chose)\n"
    "b Left     back to the previous screen; a question gone back past is\n"
    "           unanswered again, findings are kept (r runs a probe again)\n"
    "r          run the step's probe again, in a fresh SMTP session\n"
    "Esc        cancel a running probe\n"
    "y n d      answer a question step (yes, no, don't know; u too)\n"
    "t          transcript of the SMTP session (secrets redacted)\n"
    "o          outline of the article, with the path taken; Enter there goes\n"
    "           back to a step the walk passed\n"
    "s          save the Markdown report to a file\n"
    "c          the commands of the screen, whole (a wide one is cut on it)\n"
    "n l        on the conclusion: a new walk of the same server, another lab\n"
    "Esc        on the conclusion: back to the start menu\n"
    "Up/Down PgUp/PgDn   scroll\n"
    "F1 or ?    this help\n"
    "q          quit (asks first while a probe runs)\n"
    "\n"
    "Nothing here changes your server: the probes only talk SMTP, and the "
    "password is never shown or saved.";

/* A cleared, bordered box over the screen; returns the inner width. */
int ui_box(int y, int x, int h, int w, const char *title)
{
    const char *hl = ui_look_g.hline;
    const char *vl = ui_look_g.utf8 ? "\u2502" : "|";
    const char *c[4] = { "+", "+", "+", "+" };
    if (ui_look_g.utf8) {
        c[0] = "\u250c"; c[1] = "\u2510"; c[2] = "\u2514"; c[3] = "\u2518";
    }
    for (int r = 0; r < h; r++) {
        mvhline(y + r, x, ' ', w);
        const char *l = r == 0 ? c[0] : r == h - 1 ? c[2] : vl;
        const char *rr = r == 0 ? c[1] : r == h - 1 ? c[3] : vl;
        mvaddstr(y + r, x, l);
        if (r == 0 || r == h - 1)
            for (int i = 1; i < w - 1; i++)
                addstr(hl);
        mvaddstr(y + r, x + w - 1, rr);
    }
    if (title)
        ui_put(y, x + 2, w - 4, title, A_BOLD);
    return w - 4;
}

void quit_draw(void)
{
    int w = COLS < 50 ? COLS : 50, x = (COLS - w) / 2, y = LINES / 2 - 2;
    ui_box(y, x, 5, w, " Quit? ");
    ui_put(y + 1, x + 2, w - 4, "A probe is still running.", 0);
    ui_put(y + 3, x + 2, w - 4, "y quit now    n keep going", A_BOLD);
}

void help_draw(ui_state *u)
{
    int h = LINES - 2, w = COLS < 76 ? COLS : 76;
    int x = (COLS - w) / 2;
    int iw = ui_box(1, x, h, w, " Help ");
    int n = ui_wrap(0, 0, iw, 0, 0, help_text, 0);
    if (u->ov_scroll > n - (h - 2))
        u->ov_scroll = n > h - 2 ? n - (h - 2) : 0;
    ui_clip(2, h - 1);
    ui_wrap(2, x + 2, iw, u->ov_scroll, h - 2, help_text, 0);
    ui_clip(0, 1 << 20);
    if (n - u->ov_scroll > h - 2)
        ui_put(h, x + w - 14, 12, " PgDn more ", A_DIM);
}

void overlay_key(ui_state *u, ui_action a)
{
    if (u->ov == OV_QUIT) {
        if (a == ACT_YES || a == ACT_QUIT) {
            worker_stop(&u->w, 1000);
            u->quit = true;
        } else if (a == ACT_NO || a == ACT_CANCEL) {
            u->ov = OV_NONE;
        }
        return;
    }
    if (u->ov == OV_OUTLINE && outline_key(u, a))
        return;
    int page = ui_body_rows() - 2;
    switch (a) {
    case ACT_UP: u->ov_scroll--; break;
    case ACT_DOWN: u->ov_scroll++; break;
    case ACT_PGUP: u->ov_scroll -= page; break;
    case ACT_PGDN: u->ov_scroll += page; break;
    case ACT_HOME: u->ov_scroll = 0; break;
    case ACT_END: u->ov_scroll = 1 << 20; break;
    case ACT_TRANSCRIPT: u->ov = u->ov == OV_TRANSCRIPT ? OV_NONE : OV_TRANSCRIPT; break;
    case ACT_OUTLINE: u->ov = u->ov == OV_OUTLINE ? OV_NONE : OV_OUTLINE; break;
    case ACT_COMMANDS: if (u->ov == OV_COMMANDS) u->ov = OV_NONE; break;
    /* Esc closes the overlay only: a running probe is cancelled by an Esc
     * on the step itself, where its spinner shows. */
    case ACT_CANCEL: case ACT_QUIT: case ACT_HELP: case ACT_ENTER: case ACT_BACK:
        u->ov = OV_NONE;
        break;
    default: break;
    }
    if (u->ov_scroll < 0)
        u->ov_scroll = 0;
}
