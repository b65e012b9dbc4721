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

static const char *lab_label(ui_state *u, int i, const char **desc)
{
    *desc = u->labs[i].description;
    return u->labs[i].name;
}

static void labs_draw(ui_state *u)
{
    ui_title(u, "practice lab");
    ui_put(2, 2, COLS - 4, "Pick a scenario: the lab server plays that broken Exchange.",
           A_BOLD);
    if (u->nlabs == 0)
        ui_put(4, 2, COLS - 4, "No lab scenarios found (kb/labs/*.ini).", 0);
    ui_list(u, 4, ui_body_rows() - 4, u->nlabs, lab_label);
    static const char *const keys[] = { "Enter", "start lab", "b", "back", "?", "help",
                                        "q", "quit", NULL };
    ui_footer(keys);
}

static void labs_key(ui_state *u, int ch, ui_action a)
{
    (void)ch;
    if (ui_list_move(u, a, u->nlabs))
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
                 "below (the terminal's paste works here), then press Ctrl-D.", 0);
    ui_hline(++y);
    int rows = ui_body_rows() - y - 1;
    int total = ui_wrap(0, 0, COLS - 4, 0, 0, u->triage, 0);
    int skip = total > rows ? total - rows : 0;
    ui_wrap(y + 1, 2, COLS - 4, skip, rows, u->triage, 0);
    if (u->triage_len == 0)
        ui_put(y + 1, 2, COLS - 4, "(nothing pasted yet)", A_DIM);
    static const char *const keys[] = { "Ctrl-D", "analyse", "Esc", "back", "F1", "help",
                                        NULL };
    ui_footer(keys);
}

static void triage_run(ui_state *u)
{
    char *art = NULL, *entry = NULL, *why = NULL;
    if (!wv_triage(u->eng, u->triage, &art, &entry, &why)) {
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
    ui_msg(u, false, "%s", why ? why : "");
    ui_advance(u);
}

static void triage_key(ui_state *u, int ch, ui_action a)
{
    (void)a;
    if (ch == 4 || ch == KEY_F(2)) {
        triage_run(u);
    } else if (ch == 27) {
        ui_go(u, SCR_START);
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
