/* save: the report's file.  s opens a box with a path to edit: a new file
 * in $XDG_DOCUMENTS_DIR, else the home directory, else the current one
 * (never a work tree by surprise); Enter writes it (an existing file is
 * never replaced: the next free "-N" name is taken) and the box shows the
 * full path written.  Quitting after a conclusion whose report was not
 * saved asks once. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ui/ui_int.h"

static bool is_dir(const char *p)
{
    struct stat st;
    return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where a report goes unless the user types another path. */
static const char *report_dir(void)
{
    const char *d = getenv("XDG_DOCUMENTS_DIR");
    if (is_dir(d))
        return d;
    d = getenv("HOME");
    return is_dir(d) ? d : ".";
}

/* Create a new file for the report: "wx" never replaces an existing one (a
 * second save in the same second, or a name someone planted), so a clash
 * takes the next free "-N" suffix.  NULL with errno set on failure. */
static FILE *report_create(const char *stem, char *name, size_t cap)
{
    for (int i = 1; i < 100; i++) {
        if (i == 1)
            snprintf(name, cap, "%s.md", stem);
        else
            snprintf(name, cap, "%s-%d.md", stem, i);
        FILE *f = fopen(name, "wx");
        if (f || errno != EEXIST)
            return f;
    }
    return NULL;
}

void ui_save_report(ui_state *u)
{
    if (!wv_started(u->eng)) {
        ui_msg(u, true, "Nothing to save yet: start a walk first.");
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    const char *dir = report_dir();
    snprintf(u->save_path, sizeof u->save_path, "%s%ssmtpwiz-%s-%04d%02d%02d-%02d%02d%02d.md",
             strcmp(dir, ".") ? dir : "", strcmp(dir, ".") ? "/" : "",
             u->article ? u->article : "report", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    u->save_done = false;
    u->ov = OV_SAVE;
}

static void save_write(ui_state *u)
{
    char stem[sizeof u->save_path], name[sizeof u->save_path + 16];
    snprintf(stem, sizeof stem, "%s", u->save_path);
    size_t n = strlen(stem);
    if (n > 3 && strcmp(stem + n - 3, ".md") == 0)
        stem[n - 3] = '\0';
    if (!*stem) {
        ui_msg(u, true, "Type a file name first.");
        return;
    }
    FILE *f = report_create(stem, name, sizeof name);
    if (!f) {
        ui_msg(u, true, "Could not create %s: %s.", name, strerror(errno));
        return;
    }
    char *md = wv_report(u->eng);
    /* fclose frees the FILE whether or not its flush failed: once only. */
    bool ok = fputs(md, f) != EOF;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    free(md);
    if (!ok) {
        unlink(name);   /* a truncated report would read as a whole one */
        ui_msg(u, true, "Could not write %s: %s.", name, strerror(saved));
        u->ov = OV_NONE;
        return;
    }
    char *full = realpath(name, NULL);
    const char *shown = full ? full : name;
    size_t len = strlen(shown);
    if (len >= sizeof u->save_path)
        len = sizeof u->save_path - 1;
    memcpy(u->save_path, shown, len);
    u->save_path[len] = '\0';
    free(full);
    u->saved = true;
    u->save_done = true;
    ui_msg(u, false, "Report saved to %s", u->save_path);
}

/* How many bytes of P the row starting there takes, at most W columns: a
 * path is broken after a '/' where one fits, so a name is never split
 * unless it is wider than the row on its own. */
static size_t path_row(const char *p, int w)
{
    size_t n = strlen(p), fit = ui_text_fit(p, n, w);
    if (fit < n) {
        size_t cut = fit;
        while (cut > 0 && p[cut - 1] != '/')
            cut--;
        if (cut > 0)
            fit = cut;
    }
    return fit;
}

static int path_rows(const char *p, int w)
{
    int rows = 0;
    for (size_t k; *p; p += k, rows++)
        k = path_row(p, w);
    return rows;
}

/* The path written, on at most ROWS rows of W columns, broken at its
 * slashes; a path too long for them loses leading directories (shown as
 * an ellipsis), never its file name. */
static void path_draw(int y, int x, int w, int rows, const char *p)
{
    const char *dots = ui_look_g.utf8 ? "\u2026" : "...";
    bool cut = false;
    while (path_rows(p, w - (cut ? ui_text_cols(dots, strlen(dots)) : 0)) > rows) {
        const char *next = strchr(p + 1, '/');
        if (!next)
            break;
        p = next;
        cut = true;
    }
    int lead = cut ? ui_put(y, x, w, dots, A_DIM) : 0;
    for (int r = 0; r < rows && *p; r++) {
        size_t k = path_row(p, w - lead);
        ui_putn(y + r, x + lead, w - lead, p, k, 0);
        p += k;
        lead = 0;
    }
}

void save_draw(ui_state *u)
{
    int w = COLS < 78 ? COLS : 78, x = (COLS - w) / 2, h = 9, y = (LINES - h) / 2;
    if (y < 1)
        y = 1;
    int iw = ui_box(y, x, h, w, u->save_done ? " Report saved " : " Save the report ");
    if (u->save_done) {
        ui_put(y + 2, x + 2, iw, "Written to:", A_BOLD);
        path_draw(y + 3, x + 2, iw, 3, u->save_path);
        ui_put(y + h - 2, x + 2, iw, "Enter closes", A_DIM);
        return;
    }
    ui_put(y + 2, x + 2, iw, "File (an existing one is never replaced):", A_BOLD);
    /* the field: its end, where the cursor is, stays in view */
    const char *p = u->save_path;
    int cols = ui_text_cols(p, strlen(p));
    bool cut = cols > iw - 1;
    while (ui_text_cols(p, strlen(p)) > iw - 2)
        p++;
    if (cut)
        ui_put(y + 4, x + 2, 1, ui_look_g.utf8 ? "\u2026" : "<", A_DIM);
    int used = ui_put(y + 4, x + 2 + cut, iw - cut, p, A_UNDERLINE);
    ui_put(y + 4, x + 2 + cut + used, 1, "_", A_BLINK);
    ui_put(y + h - 2, x + 2, iw, "Enter saves   Ctrl-U clears   Esc cancels", A_DIM);
}

void save_key(ui_state *u, int ch, ui_action a)
{
    if (u->save_done) {
        if (a == ACT_ENTER || a == ACT_CANCEL || a == ACT_QUIT)
            u->ov = OV_NONE;
        return;
    }
    size_t n = strlen(u->save_path);
    if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
        save_write(u);
    } else if (ch == 27) {
        u->ov = OV_NONE;
        ui_msg(u, false, "Not saved.");
    } else if (ch == 21) {                     /* Ctrl-U */
        u->save_path[0] = '\0';
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        while (n > 0 && ((unsigned char)u->save_path[n - 1] & 0xC0) == 0x80)
            n--;               /* a UTF-8 character's continuation bytes */
        if (n > 0)
            n--;
        u->save_path[n] = '\0';
    } else if (ch >= 0x20 && ch < 0x100 && ch != 127 && n + 1 < sizeof u->save_path) {
        u->save_path[n] = (char)ch;
        u->save_path[n + 1] = '\0';
    }
}

void unsaved_draw(void)
{
    int w = COLS < 56 ? COLS : 56, x = (COLS - w) / 2, y = LINES / 2 - 3;
    ui_box(y, x, 6, w, " Quit? ");
    ui_put(y + 1, x + 2, w - 4, "The report of this walk is not saved.", 0);
    ui_put(y + 3, x + 2, w - 4, "s save it   q quit anyway   Esc stay", A_BOLD);
}

void unsaved_key(ui_state *u, ui_action a)
{
    if (a == ACT_SAVE) {
        u->ov = OV_NONE;
        ui_save_report(u);
    } else if (a == ACT_QUIT || a == ACT_YES) {
        u->quit = true;
    } else if (a == ACT_CANCEL || a == ACT_NO) {
        u->ov = OV_NONE;
    }
}
