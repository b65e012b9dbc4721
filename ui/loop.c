/* loop: the one poll loop (mtr's ui/select.c shape).  It waits on the
 * keyboard, the signal self-pipe and the worker's done pipe; keys become
 * ui_action values here and nowhere else; signal handlers only set a flag
 * and write a byte.  Redraws are capped and only happen when something
 * changed, or on the spinner tick while a probe runs. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ui/ui_int.h"
#include "base/util.h"

#define TICK_MS 100          /* spinner and elapsed time while a probe runs */
#define MIN_FRAME_MS 30      /* at most ~30 frames a second, sustained */
#define FRAME_BURST 3        /* frames drawn at once before that limit applies: a key
                              * and the probe it starts are drawn without waiting */

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_winch, sig_end;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGWINCH)
        sig_winch = 1;
    else
        sig_end = sig;
    char c = (char)sig;
    if (write(sig_pipe[1], &c, 1) < 0) { /* full: a wake-up is already pending */ }
    errno = saved;
}

int loop_signals(void)
{
    if (pipe(sig_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

void loop_signals_close(void)
{
    if (sig_pipe[0] >= 0) {
        close(sig_pipe[0]);
        close(sig_pipe[1]);
        sig_pipe[0] = sig_pipe[1] = -1;
    }
}

ui_action ui_key_action(int ch)
{
    switch (ch) {
    case KEY_UP: case 'k': return ACT_UP;
    case KEY_DOWN: case 'j': return ACT_DOWN;
    case KEY_PPAGE: return ACT_PGUP;
    case KEY_NPAGE: case ' ': return ACT_PGDN;
    case KEY_HOME: case 'g': return ACT_HOME;
    case KEY_END: case 'G': return ACT_END;
    case '\r': case '\n': case KEY_ENTER: return ACT_ENTER;
    case 'b': case KEY_LEFT: case KEY_BACKSPACE: case 127: return ACT_BACK;
    case 'r': return ACT_RERUN;
    case 't': return ACT_TRANSCRIPT;
    case 'o': return ACT_OUTLINE;
    case 's': return ACT_SAVE;
    case '?': case KEY_F(1): case 'h': return ACT_HELP;
    case 'q': case 'Q': return ACT_QUIT;
    case 27: return ACT_CANCEL;
    case 'y': case 'Y': return ACT_YES;
    case 'n': case 'N': return ACT_NO;
    case 'd': case 'D': case 'u': case 'U': return ACT_UNKNOWN;
    case 'l': case 'L': return ACT_LAB;
    case 'c': case 'C': return ACT_COMMANDS;
    default: return ACT_NONE;
    }
}

static const ui_screen *screen_of(ui_screen_id s)
{
    static const ui_screen *const all[SCR_COUNT] = {
        [SCR_START] = &ui_start_screen, [SCR_ARTICLES] = &ui_articles_screen,
        [SCR_LABS] = &ui_labs_screen, [SCR_TRIAGE] = &ui_triage_screen,
        [SCR_TARGET] = &ui_target_screen, [SCR_STEP] = &ui_step_screen,
        [SCR_CONCL] = &ui_concl_screen,
    };
    return all[s];
}

static void draw(ui_state *u)
{
    erase();
    if (LINES >= 3 && COLS >= 20) {
        screen_of(u->scr)->draw(u);
        if (u->ov == OV_HELP)
            help_draw(u);
        else if (u->ov == OV_TRANSCRIPT)
            transcript_draw(u);
        else if (u->ov == OV_OUTLINE)
            outline_draw(u);
        else if (u->ov == OV_QUIT)
            quit_draw();
        else if (u->ov == OV_SAVE)
            save_draw(u);
        else if (u->ov == OV_UNSAVED)
            unsaved_draw();
        else if (u->ov == OV_COMMANDS)
            commands_draw(u);
    } else {
        ui_put(0, 0, COLS, "smtpwiz: terminal too small", A_BOLD);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

static void key_dispatch(ui_state *u, int ch)
{
    ui_action a = ui_key_action(ch);
    if (ch == KEY_RESIZE)
        return;
    if (u->ov == OV_SAVE) {
        save_key(u, ch, a);       /* text entry: the raw key */
        return;
    }
    if (u->ov == OV_UNSAVED) {
        unsaved_key(u, a);
        return;
    }
    if (u->ov == OV_TRANSCRIPT && transcript_key(u, ch, a))
        return;
    if (u->ov != OV_NONE) {
        overlay_key(u, a);
        return;
    }
    if (u->w.running && a == ACT_CANCEL) {
        u->cancelled = true;
        worker_cancel(&u->w);
        ui_msg(u, false, "Cancelling the probe...");
        return;
    }
    if (ch == KEY_F(1)) {
        u->ov = OV_HELP;
        return;
    }
    screen_of(u->scr)->key(u, ch, a);
}

static void on_key(ui_state *u, int ch)
{
    /* A key while the worker closes an ended walk's session (a QUIT, which
     * a live server answers at once): cut it short, never wait it out. */
    if (u->closing) {
        worker_cancel(&u->w);
        if (worker_stop(&u->w, 50) || !u->w.running)
            step_close_done(u);
    }
    ui_overlay was = u->ov;
    key_dispatch(u, ch);
    if (u->ov != was) {
        u->ov_scroll = 0;    /* an overlay opens at its top */
        u->ov_sel = -1;
        u->ov_hscroll = 0;
        u->tr_searching = false;
    }
}

static void on_resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
}

static void drain_signals(ui_state *u)
{
    char buf[32];
    while (read(sig_pipe[0], buf, sizeof buf) > 0)
        ;
    if (sig_winch) {
        sig_winch = 0;
        on_resize();
    }
    if (sig_end) {
        u->quit = true;
        u->exit_code = 128 + sig_end;
    }
}

/* After an ESC: the rest of an escape sequence curses did not know (a key
 * this terminfo lacks) is in the input already: read it to its final byte
 * and drop it (0), rather than take it as Esc and then '[', '1', '~'.  The
 * bracketed paste's ESC [ 200 ~ and ESC [ 201 ~ become UI_KEY_PASTE_BEGIN
 * and _END.  27 for a lone Esc (nothing, or another key, follows). */
static int escape_sequence(void)
{
    int c = getch();
    if (c == ERR)
        return 27;
    if (c != '[' && c != 'O') {
        ungetch(c);
        return 27;
    }
    char seq[20];
    size_t n = 0;
    for (int i = 0; i < 16 && (c = getch()) != ERR; i++) {
        if (n + 1 < sizeof seq && c < 0x80)
            seq[n++] = (char)c;
        if (c >= 0x40 && c <= 0x7e)
            break;
    }
    seq[n] = '\0';
    return !strcmp(seq, "200~") ? UI_KEY_PASTE_BEGIN : !strcmp(seq, "201~") ? UI_KEY_PASTE_END : 0;
}

int loop_run(ui_state *u)
{
    /* A token bucket of frames: FRAME_BURST at once, refilled at one per
     * MIN_FRAME_MS, so a burst of events (key repeat, a resize storm) is
     * bounded while a single key or a finished probe is drawn at once. */
    double credit = FRAME_BURST, credit_at = util_now_ms();
    bool dirty = true;
    while (!u->quit) {
        double now = util_now_ms();
        credit += (now - credit_at) / MIN_FRAME_MS;
        credit_at = now;
        if (credit > FRAME_BURST)
            credit = FRAME_BURST;
        if (dirty && credit >= 1) {
            draw(u);
            credit -= 1;
            dirty = false;
        }
        int tmo = dirty ? (int)((1 - credit) * MIN_FRAME_MS) + 1 : (u->w.running ? TICK_MS : -1);
        struct pollfd p[3] = {
            { .fd = STDIN_FILENO, .events = POLLIN },
            { .fd = sig_pipe[0], .events = POLLIN },
            { .fd = u->w.done_fd[0], .events = POLLIN },
        };
        int n = poll(p, 3, tmo);
        if (n < 0 && errno != EINTR)
            break;
        if (n == 0 && u->w.running) {
            u->spin++;
            dirty = true;
        }
        if (p[1].revents) {
            drain_signals(u);
            dirty = true;
        }
        if (p[2].revents && worker_reap(&u->w)) {
            if (u->closing)
                step_close_done(u);
            else
                step_probe_done(u);
            dirty = true;
        }
        if (p[0].revents & (POLLHUP | POLLERR)) {
            u->quit = true;     /* the terminal went away */
            u->exit_code = 129;
        }
        for (int ch; !u->quit && (ch = getch()) != ERR; dirty = true) {
            if (ch == 27 && (ch = escape_sequence()) == 0)
                continue;
            on_key(u, ch);
        }
    }
    return u->exit_code;
}
