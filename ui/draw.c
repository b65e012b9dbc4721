/* draw: the pieces every screen is made of.  Row 0 is the title bar, the
 * last row the key footer, the one above it a status message; the rest is
 * the body.  Everything goes through ui_put (term.c), which escapes. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui/ui_int.h"

int ui_body_rows(void)
{
    return LINES - 3 > 0 ? LINES - 3 : 0;
}

bool ui_scroll_end(ui_state *u, int y)
{
    int rows = ui_body_rows();
    int max = y - 1 + u->scroll - rows;    /* the body's height less the rows shown */
    if (u->scroll > 0 && u->scroll > max) {
        u->scroll = max > 0 ? max : 0;
        return false;
    }
    /* More below: the body's last row is the marker's alone (the line it
     * hides comes up with the next Down), never drawn over text. */
    if (y - 1 > rows && COLS > 14) {
        move(rows, 0);
        clrtoeol();
        ui_put(rows, COLS - 13, 12, "(more: PgDn)", A_DIM);
    }
    return true;
}

/* End of the next wrapped line of s[0..n) in width columns; *next is where
 * the line after it starts (past the break's spaces). */
static size_t wrap_line(const char *s, size_t n, int width, size_t *next)
{
    size_t i = 0, brk = 0;
    int cols = 0;
    while (i < n && s[i] != '\n') {
        size_t k = 1;
        while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k++;
        int w = ui_text_cols(s + i, k);
        if (cols + w > width)
            break;
        if (s[i] == ' ')
            brk = i;
        cols += w;
        i += k;
    }
    if (i >= n || s[i] == '\n') {
        *next = i < n ? i + 1 : n;
        return i;
    }
    if (brk == 0 || s[i] == ' ')
        brk = i;
    size_t j = brk;
    while (j < n && s[j] == ' ')
        j++;
    if (j == 0)
        j = 1;      /* never stall on a zero-width remainder */
    *next = j;
    return brk;
}

int ui_wrap(int y, int x, int width, int skip, int maxrows, const char *text, int attr)
{
    if (!text || width < 1)
        return 0;
    size_t n = strlen(text), pos = 0;
    int line = 0;
    while (pos < n) {
        size_t next;
        if (text[pos] == WV_CMD) {
            /* a command: its own line, indented, never wrapped (cut with an
             * ellipsis when wider than the screen; the saved report has it whole) */
            size_t len = strcspn(text + pos + 1, "\n");
            if (line >= skip && line - skip < maxrows)
                ui_putn(y + line - skip, x + 2, width - 2, text + pos + 1, len,
                        attr | A_BOLD);
            line++;
            pos += 1 + len + (text[pos + 1 + len] == '\n');
            continue;
        }
        size_t end = wrap_line(text + pos, n - pos, width, &next);
        if (line >= skip && line - skip < maxrows)
            ui_putn(y + line - skip, x, width, text + pos, end, attr);
        line++;
        pos += next;
    }
    return line;
}

/* keys with one more pair (KEY, WHAT) after its first two (the keys that
 * move the walk), so that it is the last of the others to drop; none if
 * key is NULL. */
void ui_footer_plus(const char *const *keys, const char *key, const char *what)
{
    const char *k[34];
    size_t n = 0;
    while (keys[n] && n < 28)
        n++;
    if (!key || n < 4) {
        ui_footer(keys);
        return;
    }
    memcpy(k, keys, 4 * sizeof *k);
    k[4] = key;
    k[5] = what;
    memcpy(k + 6, keys + 4, (n - 4) * sizeof *k);
    k[n + 2] = NULL;
    ui_footer(k);
}

/* As many key hints as fit; the rest are dropped from the right, "q quit"
 * and "? help" kept last so they survive on a narrow terminal. */
void ui_footer(const char *const *keys)
{
    int y = LINES - 1;
    if (y < 1)
        return;
    move(y, 0);
    clrtoeol();
    int x = 0, nk = 0;
    while (keys[nk * 2])
        nk++;
    int widths[32], total = 0;
    for (int i = 0; i < nk && i < 32; i++) {
        widths[i] = (int)(strlen(keys[2 * i]) + strlen(keys[2 * i + 1])) + 3;
        total += widths[i];
    }
    /* Priority: the first two keys move the walk (Enter next, b back, the
     * answers) and the last two are help and quit; they stay.  The others
     * drop from the right until the line fits. */
    bool drop[32] = { false };
    for (int i = nk - 3; i >= 2 && total > COLS + 1; i--) {
        drop[i] = true;
        total -= widths[i];
    }
    for (int i = 0; i < nk && i < 32; i++) {
        if (drop[i])
            continue;
        if (x + widths[i] > COLS + 1)
            break;
        x += ui_put(y, x, COLS - x, keys[2 * i], A_REVERSE | A_BOLD);
        x += ui_put(y, x, COLS - x, " ", 0);
        x += ui_put(y, x, COLS - x, keys[2 * i + 1], 0);
        x += ui_put(y, x, COLS - x, "  ", 0);
    }
}

void ui_title(ui_state *u, const char *what)
{
    char right[96] = "";
    if (u->lab_name)
        snprintf(right, sizeof right, "lab: %s", u->lab_name);
    char left[160];
    snprintf(left, sizeof left, "smtpwiz %s %s", ui_look_g.arrow, what);
    ui_bar(0, left, right);
    if (LINES >= 3 && u->msg[0])
        ui_put(LINES - 2, 1, COLS - 2, u->msg, u->msg_err ? ui_status_attr(UI_ST_FAIL) : (int)A_BOLD);
}

void ui_msg(ui_state *u, bool err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_err = err;
}

/* A selectable list in the body: label(u, i, &desc) for each row. */
void ui_list(ui_state *u, int y0, int rows, int n, const char *(*label)(ui_state *, int, const char **))
{
    if (rows < 1)
        return;
    if (u->sel >= n)
        u->sel = n - 1;
    if (u->sel < 0)
        u->sel = 0;
    if (u->sel < u->top)
        u->top = u->sel;
    if (u->sel >= u->top + rows)
        u->top = u->sel - rows + 1;
    for (int r = 0; r < rows && u->top + r < n; r++) {
        int i = u->top + r;
        const char *desc = NULL;
        const char *name = label(u, i, &desc);
        int attr = i == u->sel ? (int)A_REVERSE : 0;
        if (attr)
            mvhline(y0 + r, 0, ' ', COLS);
        int x = ui_put(y0 + r, 1, COLS - 2, i == u->sel ? ui_look_g.arrow : " ", attr);
        x += 2;
        x += ui_put(y0 + r, x, COLS - x - 1, name, attr | A_BOLD);
        if (desc && x + 2 < COLS - 1)
            ui_put(y0 + r, x + 2, COLS - x - 3, desc, attr);
    }
}

/* List movement shared by the list screens; true if a moves the cursor. */
bool ui_list_move(ui_state *u, ui_action a, int n)
{
    int page = ui_body_rows() > 4 ? ui_body_rows() - 4 : 1;
    switch (a) {
    case ACT_UP: u->sel--; break;
    case ACT_DOWN: u->sel++; break;
    case ACT_PGUP: u->sel -= page; break;
    case ACT_PGDN: u->sel += page; break;
    case ACT_HOME: u->sel = 0; break;
    case ACT_END: u->sel = n - 1; break;
    default: return false;
    }
    if (u->sel >= n)
        u->sel = n - 1;
    if (u->sel < 0)
        u->sel = 0;
    return true;
}
