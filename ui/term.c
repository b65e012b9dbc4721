/* term: the terminal itself.  Starts and ends curses, puts the terminal
 * back on every way out (normal exit, atexit, fatal signal), decides colour
 * and glyphs from NO_COLOR / the terminal / the locale, and draws untrusted
 * text safely: control bytes and bad UTF-8 become visible escapes. */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "ui/ui_int.h"

#include <term.h>          /* after: its capability macros (lines, ...) are short names */

static struct termios saved_tio;
static bool have_tio;
static volatile sig_atomic_t curses_on;
static SCREEN *screen;
static int clip_top = 0, clip_bot = 1 << 20;

void ui_clip(int top, int bot)
{
    clip_top = top;
    clip_bot = bot;
}

ui_look ui_look_g;

/* Best effort from a fatal signal: only async-signal-safe calls. */
static void term_fatal(int sig)
{
    if (curses_on && have_tio) {
        static const char leave[] = "\033[?2004l\033[?1049l\033[?25h\033[0m\r\n";
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
        if (write(STDOUT_FILENO, leave, sizeof leave - 1) < 0) { /* nothing to do */ }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void term_atexit(void)
{
    term_end();
}

static void look_init(void)
{
    const char *cs = nl_langinfo(CODESET);
    ui_look *l = &ui_look_g;
    l->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    const char *nc = getenv("NO_COLOR");
    l->color = has_colors() && !(nc && *nc);
    if (l->color) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_GREEN, -1);
        init_pair(2, COLOR_YELLOW, -1);
        init_pair(3, COLOR_RED, -1);
        init_pair(4, COLOR_CYAN, -1);
    }
    l->hline = l->utf8 ? "\u2500" : "-";
    l->arrow = l->utf8 ? "\u203a" : ">";
}

int term_check(void)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fputs("smtpwiz: the wizard needs a terminal (try: smtpwiz probe HOST)\n", stderr);
        return -1;
    }
    /* A terminal that cannot address the cursor (TERM=dumb, a bare serial
     * line) would show a blank screen: say so instead.  An unknown TERM is
     * term_start's to report. */
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) == OK) {
        const char *cup = tigetstr("cup");
        bool can = cup && cup != (const char *)-1;
        const char *t = getenv("TERM");
        del_curterm(cur_term);
        cur_term = NULL;
        if (!can) {
            fprintf(stderr, "smtpwiz: TERM=%s cannot move the cursor; the wizard needs a\n"
                    "full-screen terminal.  Set TERM to your terminal's type (for example\n"
                    "xterm-256color), or use the command line:\n"
                    "  smtpwiz diagnose HOST --kb 843106\n", t && *t ? t : "(unset)");
            return -1;
        }
    }
    return 0;
}

/* Home and End as terminals send them whatever terminfo says: tmux and
 * screen send ESC [ 1 ~ / ESC [ 4 ~ under a TERM of xterm's, rxvt ESC [ 7 ~
 * / ESC [ 8 ~, others ESC [ H / ESC [ F or ESC O H / ESC O F. */
static void keys_init(void)
{
    static const struct { const char *seq; int key; } k[] = {
        {"\033[1~", KEY_HOME}, {"\033[4~", KEY_END}, {"\033[7~", KEY_HOME},
        {"\033[8~", KEY_END}, {"\033[H", KEY_HOME}, {"\033[F", KEY_END},
        {"\033OH", KEY_HOME}, {"\033OF", KEY_END},
    };
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (key_defined(k[i].seq) == 0)
            define_key(k[i].seq, k[i].key);
}

int term_start(void)
{
    setlocale(LC_ALL, "");
    have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
    if (!getenv("ESCDELAY"))
        set_escdelay(25);
    /* Not initscr: on a terminal type it does not know, it prints its own
     * message and exits; newterm returns NULL and lets us say why.  Asked
     * first through setupterm, which fails cleanly (newterm's failure leaks
     * the SCREEN it began). */
    int tc_err = 0;
    bool known = setupterm(NULL, STDOUT_FILENO, &tc_err) == OK;
    if (known)
        del_curterm(cur_term);
    screen = known ? newterm(NULL, stdout, stdin) : NULL;
    if (!screen) {
        const char *t = getenv("TERM");
        fprintf(stderr, "smtpwiz: cannot start curses for TERM=%s: is TERM set to a "
                "terminal type this system knows?\n", t && *t ? t : "(unset)");
        return -1;
    }
    curses_on = 1;
    atexit(term_atexit);
    signal(SIGSEGV, term_fatal);
    signal(SIGBUS, term_fatal);
    signal(SIGABRT, term_fatal);
    signal(SIGFPE, term_fatal);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    keys_init();
    /* Bracketed paste: a pasted text comes between ESC [ 200 ~ and
     * ESC [ 201 ~, so its line breaks are text, not Enter. */
    if (write(STDOUT_FILENO, "\033[?2004h", 8) < 0) { /* a terminal without it ignores it */ }
    nodelay(stdscr, TRUE);
    curs_set(0);
    look_init();
    return 0;
}

void term_end(void)
{
    if (!curses_on)
        return;
    curses_on = 0;
    if (write(STDOUT_FILENO, "\033[?2004l", 8) < 0) { /* nothing to do */ }
    endwin();
    delscreen(screen);
    screen = NULL;
    if (have_tio)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
    fflush(stdout);
}

int ui_status_attr(int st)
{
    static const short pair[] = { 1, 2, 3, 0, 3 };
    int a = st == UI_ST_PASS ? 0 : A_BOLD;
    if (ui_look_g.color && st >= 0 && st < 5 && pair[st])
        a |= COLOR_PAIR(pair[st]);
    return a;
}

const char *ui_status_mark(int st)
{
    static const char *u[] = { "\u2714 PASS", "\u25b2 WARN", "\u2718 FAIL", "- SKIP", "! ERROR" };
    static const char *a[] = { "[PASS]", "[WARN]", "[FAIL]", "[SKIP]", "[ERROR]" };
    if (st < 0 || st > 4)
        return "?";
    return ui_look_g.utf8 ? u[st] : a[st];
}

/* Length in bytes of one printable character at s, or 0 if it must be
 * escaped; *cols gets its width. */
static size_t char_len(const char *s, size_t n, int *cols)
{
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f) {
        *cols = 1;
        return 1;
    }
    if (c < 0x80)
        return 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t k = mbrtowc(&wc, s, n, &st);
    if (k == (size_t)-1 || k == (size_t)-2 || k == 0 || !iswprint((wint_t)wc))
        return 0;
    int w = wcwidth(wc);
    if (w < 0)
        return 0;
    *cols = w;
    return k;
}

size_t ui_text_fit(const char *s, size_t n, int w)
{
    int cols = 0;
    size_t i = 0;
    while (i < n && s[i]) {
        int cw = 0;
        size_t k = char_len(s + i, n - i, &cw);
        if (k == 0) {
            cw = s[i] == '\033' ? 2 : 4;   /* drawn escaped, as ui_text_cols counts it */
            k = 1;
        }
        if (i > 0 && cols + cw > w)
            break;
        cols += cw;
        i += k;
    }
    return i;
}

int ui_text_cols(const char *s, size_t n)
{
    int cols = 0;
    size_t i = 0;
    while (i < n && s[i]) {
        int w = 0;
        size_t k = char_len(s + i, n - i, &w);
        if (k == 0) {
            cols += s[i] == '\033' ? 2 : 4;
            k = 1;
        } else {
            cols += w;
        }
        i += k;
    }
    return cols;
}

int ui_putn(int y, int x, int maxw, const char *s, size_t n, int attr)
{
    int used = 0;
    size_t i = 0;
    if (maxw <= 0 || y < 0 || y >= LINES || y < clip_top || y > clip_bot)
        return 0;
    attron(attr);
    move(y, x);
    /* Text wider than maxw is cut with a visible marker in its last cell
     * (an ellipsis, or ~ without UTF-8), never silently. */
    int cols = ui_text_cols(s, n);
    bool cut = cols > maxw;
    int room = cut ? maxw - 1 : maxw;
    while (i < n && s[i]) {
        int w = 0;
        size_t k = char_len(s + i, n - i, &w);
        char esc[8];
        const char *out = s + i;
        if (k == 0) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\033')
                snprintf(esc, sizeof esc, "\\e");
            else
                snprintf(esc, sizeof esc, "\\x%02X", c);
            out = esc;
            w = (int)strlen(esc);
            k = 1;
        }
        if (used + w > room)
            break;
        addnstr(out, out == esc ? w : (int)k);
        used += w;
        i += k;
    }
    if (cut) {
        addstr(ui_look_g.utf8 ? "\u2026" : "~");
        used++;
    }
    attroff(attr);
    return used;
}

int ui_put(int y, int x, int maxw, const char *s, int attr)
{
    return ui_putn(y, x, maxw, s ? s : "", s ? strlen(s) : 0, attr);
}

void ui_hline(int y)
{
    if (y < 0 || y >= LINES || y < clip_top || y > clip_bot)
        return;
    move(y, 0);
    for (int i = 0; i < COLS; i++)
        addstr(ui_look_g.hline);
}

/* A full-width bar (title or footer) in reverse video. */
void ui_bar(int y, const char *left, const char *right)
{
    if (y < 0 || y >= LINES)
        return;
    attron(A_REVERSE);
    mvhline(y, 0, ' ', COLS);
    attroff(A_REVERSE);
    int rw = right ? ui_text_cols(right, strlen(right)) : 0;
    if (rw > COLS - 1)
        rw = 0;
    ui_put(y, 1, COLS - 2 - (rw ? rw + 1 : 0), left, A_REVERSE | A_BOLD);
    if (rw)
        ui_put(y, COLS - 1 - rw, rw, right, A_REVERSE);
}
