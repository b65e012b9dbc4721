/* target: the form for the server under test.  Host, port, STARTTLS
 * policy, whether PLAIN and LOGIN may go out without TLS, user, password
 * (no echo, never drawn: only whether one is set), an optional domain
 * controller and the timeout of each network wait.  Enter on the "Start"
 * button below them (or F10 anywhere) starts the walk; the cursor starts
 * on the first field still empty, else on the button. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ui/ui_int.h"
#include "base/util.h"

enum { F_HOST, F_PORT, F_TLS, F_PLAIN, F_USER, F_PASS, F_DC, F_TIMEOUT, F_START, F_COUNT };

static const char *const labels[F_COUNT] = {
    "Server host", "Port", "STARTTLS", "Plain-text AUTH", "User", "Password", "Domain controller",
    "Timeout (seconds)", "",
};
static const char *const hints[F_COUNT] = {
    "name or address of the Exchange server to test",
    "25 for server-to-server SMTP, 587 for submission",
    "Left/Right or Space: auto uses TLS when offered",
    "Left/Right or Space: PLAIN and LOGIN send the password itself; refuse keeps them off "
    "any session without TLS (none is sent in clear after STARTTLS failed, whatever this says)",
    "account to test AUTH with (DOMAIN\\user or user@domain); empty: no AUTH",
    "typed without echo and never shown again; Ctrl-U clears it",
    "optional (used by Kerberos checks): a domain controller as HOST[:PORT]; empty: DNS",
    "how long each wait for the server may take before the probe says so and stops, "
    "as --timeout on the command line (0.1 to 3600)",
    "Enter (or F10 on any field) starts the walk with the values above",
};
static const char *const tls_names[] = { "auto", "always", "never" };

static char *field_buf(ui_form *f, int i, size_t *cap)
{
    switch (i) {
    case F_HOST: *cap = sizeof f->host; return f->host;
    case F_PORT: *cap = sizeof f->port; return f->port;
    case F_USER: *cap = sizeof f->user; return f->user;
    case F_PASS: *cap = sizeof f->pass; return f->pass;
    case F_DC: *cap = sizeof f->dc; return f->dc;
    case F_TIMEOUT: *cap = sizeof f->timeout; return f->timeout;
    default: *cap = 0; return NULL;
    }
}

/* The cursor starts where typing is still wanted: the host, else the user,
 * else the password of a user named; with those filled in (a practice lab
 * fills in all of them), on the Start button.  The domain controller is
 * optional and a lab asks none: never the first stop. */
void target_prefill(ui_state *u)
{
    ui_form *f = &u->form;
    f->focus = !f->host[0] ? F_HOST : !f->user[0] ? F_USER : !f->pass[0] ? F_PASS : F_START;
    if (!f->timeout[0])
        snprintf(f->timeout, sizeof f->timeout, "%d", PROBE_TIMEOUT_MS_DEFAULT / 1000);
    f->err[0] = '\0';
}

/* The form's timeout in milliseconds, or -1 when it is not a number of
 * seconds from 0.1 to 3600 (digits, a point, up to three decimals; read by
 * hand: strtod would take the locale's decimal comma instead). */
int target_timeout_ms(const ui_form *f)
{
    const char *p = f->timeout;
    long ms = 0;
    int digits = 0, decimals = -1;
    for (; *p; p++) {
        if (*p == '.' && decimals < 0) {
            decimals = 0;
        } else if (*p >= '0' && *p <= '9' && digits < 7 && decimals < 3) {
            ms = ms * 10 + (*p - '0');
            digits++;
            if (decimals >= 0)
                decimals++;
        } else {
            return -1;
        }
    }
    if (digits == 0)
        return -1;
    for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
        ms *= 10;
    return ms >= 100 && ms <= 3600000 ? (int)ms : -1;
}

static void field_draw(ui_state *u, int i, int y)
{
    ui_form *f = &u->form;
    bool foc = f->focus == i;
    if (i == F_START) {
        ui_put(y, 2, COLS - 4, "[ Start the walk ]", foc ? A_REVERSE | A_BOLD : A_BOLD);
        return;
    }
    int lw = 19;
    ui_put(y, 2, lw, labels[i], foc ? A_BOLD : 0);
    int x = 2 + lw + 1, w = COLS - x - 2;
    if (w < 4)
        return;
    size_t cap;
    const char *val = field_buf(f, i, &cap);
    char shown[64];
    if (i == F_TLS || i == F_PLAIN) {
        snprintf(shown, sizeof shown, "< %s >",
                 i == F_TLS ? tls_names[f->tls] : f->plain_auth ? "allow" : "refuse");
        val = shown;
    } else if (i == F_PASS) {
        val = f->pass[0] ? "(set, hidden)" : "(none)";
    } else if (i == F_DC && !f->dc[0] && !foc) {
        val = wv_lab_running(u->eng) ? "(none: a practice lab asks none)"
                                     : "(used by Kerberos checks)";
    }
    mvhline(y, x, foc ? '_' : ' ', w);
    int used = ui_put(y, x, w, val, foc ? A_UNDERLINE | A_BOLD : A_UNDERLINE);
    if (foc && i != F_TLS && i != F_PLAIN && i != F_PASS && used < w)
        ui_put(y, x + used, 1, " ", A_REVERSE);   /* the cursor */
}

static void target_draw(ui_state *u)
{
    ui_form *f = &u->form;
    ui_title(u, u->article ? u->article : "target");
    int y = 2;
    ui_put(y, 2, COLS - 4, "Which server should the wizard test?", A_BOLD);
    /* a blank row between fields where the fields, the button's row and a
     * two-row hint fit so */
    int gap = LINES - 3 - (y + 2) - 2 >= 2 * F_COUNT ? 2 : 1;
    y += 2;
    for (int i = 0; i < F_COUNT && y < LINES - 3; i++, y += gap) {
        if (i == F_START && gap == 1)
            y++;   /* the button apart from the fields */
        field_draw(u, i, y);
    }
    const char *hint = hints[f->focus];
    if (wv_lab_running(u->eng) && f->focus == F_DC)
        hint = "a practice lab asks no domain controller and never looks one up in DNS: "
               "leave it empty; every other field is filled in, F10 starts the walk";
    else if (wv_lab_running(u->eng) && f->focus == F_HOST)
        hint = "every field is filled in for the practice lab: F10 starts the walk";
    if (gap == 1)
        y++;
    if (y < LINES - 3)
        ui_wrap(y, 4, COLS - 6, 0, LINES - 3 - y, hint, A_DIM);
    if (f->err[0] && LINES > 4)
        ui_put(LINES - 3, 2, COLS - 4, f->err, ui_status_attr(UI_ST_FAIL));
    static const char *const keys[] = { "Tab", "next field", "Enter", "next/start",
                                        "F10", "start", "Esc", "back", "F1", "help", NULL };
    ui_footer(keys);
}

static bool target_valid(ui_form *f)
{
    if (!f->host[0]) {
        snprintf(f->err, sizeof f->err, "Enter the server's host name or address.");
        f->focus = F_HOST;
    } else if (util_parse_port(f->port, 1) < 0) {
        snprintf(f->err, sizeof f->err, "The port must be a number from 1 to 65535.");
        f->focus = F_PORT;
    } else if (target_timeout_ms(f) < 0) {
        snprintf(f->err, sizeof f->err, "The timeout must be a number of seconds from 0.1 to 3600.");
        f->focus = F_TIMEOUT;
    } else {
        f->err[0] = '\0';
        return true;
    }
    return false;
}

static void target_submit(ui_state *u)
{
    if (!target_valid(&u->form))
        return;
    u->have_target = true;
    ui_advance(u);
}

static void field_edit(ui_form *f, int ch)
{
    size_t cap;
    char *b = field_buf(f, f->focus, &cap);
    if (f->focus == F_TLS) {
        if (ch == KEY_LEFT)
            f->tls = (f->tls + 2) % 3;
        else if (ch == KEY_RIGHT || ch == ' ')
            f->tls = (f->tls + 1) % 3;
        return;
    }
    if (f->focus == F_PLAIN) {
        if (ch == KEY_LEFT || ch == KEY_RIGHT || ch == ' ')
            f->plain_auth = !f->plain_auth;
        return;
    }
    if (f->focus == F_START)
        return;               /* the button takes no text */
    if (f->focus == F_TIMEOUT && ch >= 0x20 && ch != 0x7f && ch < 0x100 &&
        !(ch >= '0' && ch <= '9') && ch != '.')
        return;               /* seconds: digits and a point */
    size_t n = strlen(b);
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n > 0)
            b[n - 1] = '\0';
    } else if (ch == 21) {           /* Ctrl-U: wiped, as creds.c wipes */
        OPENSSL_cleanse(b, cap);
    } else if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && n + 1 < cap) {
        b[n] = (char)ch;
        b[n + 1] = '\0';
    }
}

static void target_key(ui_state *u, int ch, ui_action a)
{
    ui_form *f = &u->form;
    if (ch == '\t' || ch == KEY_DOWN) {
        f->focus = (f->focus + 1) % F_COUNT;
    } else if (ch == KEY_BTAB || ch == KEY_UP) {
        f->focus = (f->focus + F_COUNT - 1) % F_COUNT;
    } else if (ch == KEY_F(10)) {
        target_submit(u);
    } else if (a == ACT_ENTER || (ch == ' ' && f->focus == F_START)) {
        if (f->focus == F_START)
            target_submit(u);
        else
            f->focus++;
    } else if (ch == 27) {
        ui_go(u, u->article && !wv_lab_running(u->eng) ? SCR_ARTICLES : SCR_START);
    } else {
        field_edit(f, ch);
    }
}

const ui_screen ui_target_screen = { target_draw, target_key };
