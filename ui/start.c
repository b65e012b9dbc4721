/* start: the first screens.  The start menu (article, paste an error,
 * practice lab), the article list with one-line symptoms, the lab scenario
 * list and the triage box where an admin pastes an error text. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_int.h"
#include "base/util.h"

/* ---- start menu ---- */

static const char *const start_items[][2] = {
    { "Choose an article", "walk a KB article's steps against your server" },
    { "Paste an error text", "an NDR, an event log entry or a server reply: find the step" },
    { "Practice lab", "a built-in broken Exchange on 127.0.0.1 to learn on" },
};

static const char *start_label(ui_state *u, int i, const char **desc)
{
    (void)u;
    *desc = start_items[i][1];
    return start_items[i][0];
}

static void start_draw(ui_state *u)
{
    ui_title(u, "start");
    int y = 2;
    y += ui_wrap(y, 2, COLS - 4, 0, 3, "Exchange SMTP authentication failures (KB843106, "
                 "KB979174): each step probes the real server and shows the evidence.",
                 0) + 1;
    ui_put(y++, 2, COLS - 4, "What do you want to do?", A_BOLD);
    ui_list(u, y + 1, ui_body_rows() - y, 3, start_label);
    static const char *const keys[] = { "Enter", "choose", "?", "help", "q", "quit", NULL };
    ui_footer(keys);
}

static void start_key(ui_state *u, int ch, ui_action a)
{
    (void)ch;
    if (ui_list_move(u, a, 3))
        return;
    if (a == ACT_QUIT) {
        u->quit = true;
    } else if (a == ACT_HELP) {
        u->ov = OV_HELP;
    } else if (a == ACT_ENTER) {
        static const ui_screen_id next[] = { SCR_ARTICLES, SCR_TRIAGE, SCR_LABS };
        ui_go(u, next[u->sel]);
    }
}

const ui_screen ui_start_screen = { start_draw, start_key };

/* ---- article list ---- */

static const char *article_label(ui_state *u, int i, const char **desc)
{
    const wv_article *v;
    wv_articles(u->eng, &v);
    *desc = v[i].title;
    return v[i].id;
}

static void articles_draw(ui_state *u)
{
    const wv_article *v;
    int n = wv_articles(u->eng, &v);
    ui_title(u, "choose an article");
    ui_put(2, 2, COLS - 4, "Which symptom matches what you see?", A_BOLD);
    ui_list(u, 4, ui_body_rows() - 4, n, article_label);
    if (n > 0 && u->sel < n && LINES > 12) {
        int y = 4 + n + 1, rows = LINES - 3 - y;
        if (rows > 0)
            ui_wrap(y, 2, COLS - 4, 0, rows, v[u->sel].symptom, A_DIM);
    }
    static const char *const keys[] = { "Enter", "choose", "b", "back", "?", "help",
                                        "q", "quit", NULL };
    ui_footer(keys);
}

/* Back, quit and help, as every list screen after the start screen has them. */
static void list_common_key(ui_state *u, ui_action a)
{
    if (a == ACT_BACK || a == ACT_CANCEL)
        ui_go(u, SCR_START);
    else if (a == ACT_QUIT)
        u->quit = true;
    else if (a == ACT_HELP)
        u->ov = OV_HELP;
}

static void articles_key(ui_state *u, int ch, ui_action a)
{
    const wv_article *v;
    int n = wv_articles(u->eng, &v);
    (void)ch;
    if (ui_list_move(u, a, n))
        return;
    if (a == ACT_ENTER && n > 0) {
        free(u->article);
        u->article = xstrdup(v[u->sel].id);
        free(u->entry);
        u->entry = NULL;
        ui_advance(u);
    } else {
        list_common_key(u, a);
    }
}

const ui_screen ui_articles_screen = { articles_draw, articles_key };

/* ---- lab scenarios ---- */

/* The list's rows: a heading above the first scenario of each group
 * (wv_labs orders them), then the scenarios.  Row of scenario i. */
static int lab_row(ui_state *u, int i)
{
    int row = 0;
    for (int k = 0; k <= i && k < u->nlabs; k++)
        row += (k == 0 || u->labs[k].group_no != u->labs[k - 1].group_no) + (k < i);
    return row;
}

static void labs_draw(ui_state *u)
{
    ui_title(u, "practice lab");
    ui_put(2, 2, COLS - 4, "Pick a scenario: the lab plays that server on 127.0.0.1.", A_BOLD);
    if (u->nlabs == 0)
        ui_put(4, 2, COLS - 4, "No lab scenarios found (kb/labs/*.ini).", 0);
    int y0 = 4, rows = ui_body_rows() - y0 + 1;
    if (u->sel >= u->nlabs)
        u->sel = u->nlabs - 1;
    if (u->sel < 0)
        u->sel = 0;
    int total = u->nlabs ? lab_row(u, u->nlabs - 1) + 1 : 0;
    int at = u->nlabs ? lab_row(u, u->sel) : 0;
    /* keep the cursor in view, with its group's heading when it is the first */
    bool first = u->sel == 0 || u->labs[u->sel].group_no != u->labs[u->sel - 1].group_no;
    if (at - first < u->top)
        u->top = at - first;
    if (at >= u->top + rows)
        u->top = at - rows + 1;
    if (u->top < 0)
        u->top = 0;
    for (int i = 0, row = 0; i < u->nlabs; i++) {
        if (i == 0 || u->labs[i].group_no != u->labs[i - 1].group_no) {
            int r = row++ - u->top;
            if (r >= 0 && r < rows)
                ui_put(y0 + r, 1, COLS - 2, u->labs[i].group, A_BOLD | A_UNDERLINE);
        }
        int r = row++ - u->top;
        if (r < 0 || r >= rows)
            continue;
        int attr = i == u->sel ? (int)A_REVERSE : 0;
        if (attr)
            mvhline(y0 + r, 0, ' ', COLS);
        ui_put(y0 + r, 1, 2, i == u->sel ? ui_look_g.arrow : " ", attr);
        ui_put(y0 + r, 3, 23, u->labs[i].name, attr | A_BOLD);
        ui_put(y0 + r, 27, COLS - 28, u->labs[i].description, attr);
    }
    /* where the view is in the list */
    if (total > rows) {
        char where[48];
        snprintf(where, sizeof where, "%s %d-%d of %d rows %s", u->top > 0 ? "\u2191" : " ",
                 u->top + 1, u->top + rows < total ? u->top + rows : total, total,
                 u->top + rows < total ? "\u2193" : " ");
        if (!ui_look_g.utf8)
            snprintf(where, sizeof where, "%s%d-%d of %d rows%s", u->top > 0 ? "^ " : "",
                     u->top + 1, u->top + rows < total ? u->top + rows : total, total,
                     u->top + rows < total ? " v" : "");
        int w = ui_text_cols(where, strlen(where));
        ui_put(3, COLS - w - 1, w, where, A_DIM);
    }
    static const char *const keys[] = { "Enter", "start lab", "b", "back", "a-z", "jump",
                                        "?", "help", "q", "quit", NULL };
    ui_footer(keys);
}

/* A letter no list key uses jumps to the next scenario whose name starts
 * with it (round the list). */
static bool labs_jump(ui_state *u, int ch, ui_action a)
{
    if (ch < 'a' || ch > 'z' || a == ACT_UP || a == ACT_DOWN || a == ACT_HOME ||
        a == ACT_END || a == ACT_BACK || a == ACT_QUIT || a == ACT_HELP)
        return false;
    for (int k = 1; k <= u->nlabs; k++) {
        int i = (u->sel + k) % u->nlabs;
        if (u->labs[i].name[0] == ch) {
            u->sel = i;
            return true;
        }
    }
    ui_msg(u, false, "No scenario starts with '%c'.", ch);
    return true;
}

static void labs_key(ui_state *u, int ch, ui_action a)
{
    if (ui_list_move(u, a, u->nlabs) || (u->nlabs > 0 && labs_jump(u, ch, a)))
        return;
    if (a == ACT_ENTER && u->nlabs > 0) {
        const char *name = u->labs[u->sel].name;
        if (wv_lab_running(u->eng) && u->lab_name && strcmp(u->lab_name, name) == 0) {
            ui_advance(u);
            return;
        }
        if (!u->args->kb_id) {     /* the scenario says which article it illustrates */
            free(u->article);
            u->article = NULL;
        }
        if (ui_lab_start(u, name) == 0)
            ui_advance(u);
    } else {
        list_common_key(u, a);
    }
}

const ui_screen ui_labs_screen = { labs_draw, labs_key };

/* ---- triage: paste an error text ---- */

static void triage_draw(ui_state *u)
{
    ui_title(u, "paste an error text");
    int y = 2;
    y += ui_wrap(y, 2, COLS - 4, 0, 3, "Paste the NDR, event log entry or server reply "
                 "below (the terminal's paste works here), then press Enter.", 0);
    ui_hline(++y);
    int rows = ui_body_rows() - y - 1;
    int total = ui_wrap(0, 0, COLS - 4, 0, 0, u->triage, 0);
    int skip = total > rows ? total - rows : 0;
    ui_wrap(y + 1, 2, COLS - 4, skip, rows, u->triage, 0);
    if (u->triage_len == 0)
        ui_put(y + 1, 2, COLS - 4, "(nothing pasted yet)", A_DIM);
    static const char *const keys[] = { "Enter", "analyse", "Esc", "back", "Ctrl-U", "clear",
                                        "F1", "help", NULL };
    ui_footer(keys);
}

static void triage_run(ui_state *u)
{
    char *art = NULL, *entry = NULL, *why = NULL, *host = NULL;
    if (!wv_triage(u->eng, u->triage, &art, &entry, &why, &host)) {
        ui_msg(u, true, "%s", why ? why : "Nothing in that text matched an article.");
        free(why);
        return;
    }
    free(u->article);
    free(u->entry);
    free(u->triage_note);
    u->article = art;
    u->entry = entry;
    u->triage_note = why;
    if (host && !u->form.host[0] && !wv_lab_running(u->eng))
        snprintf(u->form.host, sizeof u->form.host, "%s", host);   /* validated by wv */
    free(host);
    ui_msg(u, false, "%s", why ? why : "");
    ui_advance(u);
}

/* Enter analyses, unless it is a line break of a paste: inside a bracketed
 * paste, or (a terminal without bracketed paste) within a few milliseconds
 * of the key before it, as a paste's keys come. */
static void triage_key(ui_state *u, int ch, ui_action a)
{
    (void)a;
    double now = util_now_ms();
    bool burst = now - u->triage_key_ms < 15;
    u->triage_key_ms = now;
    bool enter = ch == '\r' || ch == '\n' || ch == KEY_ENTER;
    if (ch == UI_KEY_PASTE_BEGIN) {
        u->in_paste = true;
    } else if (ch == UI_KEY_PASTE_END) {
        u->in_paste = false;
        u->triage_key_ms = 0;    /* the next Enter is a key of its own */
    } else if (ch == 4 || ch == KEY_F(2) || (enter && !u->in_paste && !burst && u->triage_len)) {
        triage_run(u);
    } else if (ch == 27) {
        ui_go(u, SCR_START);
    } else if (ch == 21) {                   /* Ctrl-U */
        u->triage_len = 0;
        u->triage[0] = '\0';
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (u->triage_len > 0)
            u->triage[--u->triage_len] = '\0';
    } else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER || ch == '\t' ||
               (ch >= 0x20 && ch < 0x100 && ch != 0x7f)) {
        if (u->triage_len + 1 < sizeof u->triage) {
            u->triage[u->triage_len++] = ch == '\r' || ch == KEY_ENTER ? '\n'
                                       : ch == '\t' ? ' ' : (char)ch;
            u->triage[u->triage_len] = '\0';
        }
    }
}

const ui_screen ui_triage_screen = { triage_draw, triage_key };
