/* lab_session: the SMTP command state machine of one lab client.  It plays
 * the scenario's product: the same reply texts, the same 503 sequencing
 * errors, XEXCH50 with its raw blob, and never accepts mail (DATA and BDAT
 * get 554 5.6.0).  The hostile scenarios misbehave here on purpose. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "lab/lab_int.h"

#define LAB_NO_MAIL "554 5.6.0 This is a smtpwiz lab server: it never accepts mail"

void lab_session_reset(lab_session *s)
{
    s->mail = false;
    s->rcpts = 0;
}

void lab_session_greet(lab_session *s)
{
    const lab_scenario *sc = s->srv->sc;
    switch (sc->hostile) {
    case LAB_HOSTILE_NEVER_GREETS:
        return;
    case LAB_HOSTILE_ENDLESS_LINE:
        lab_out_raw(s, "220 ", 4);
        s->gen = GEN_ENDLESS;
        s->gen_left = 64LL * 1024 * 1024;
        return;
    case LAB_HOSTILE_ANSI_BANNER: {
        static const char evil[] =
            "220-\x1b[2J\x1b[H\x1b[1;31mWARNING\x1b[0m \x1b]0;pwned by the lab\x07 NUL:\0:NUL\r\n"
            "220-\x1b[5m\x1b[?1049hterminal takeover attempt\x1b[6n\x9b" "31m\r\n";
        lab_out_raw(s, evil, sizeof evil - 1);
        break;
    }
    default:
        break;
    }
    char *b = lab_banner(sc);
    lab_out(s, "%s", b);
    free(b);
    if (sc->greet_421)
        s->closing = true;
}

/* Refill the output of a hostile generator once it drained. */
void lab_session_gen(lab_session *s)
{
    char chunk[16384];
    if (s->gen == GEN_ENDLESS) {
        memset(chunk, 'A', sizeof chunk);
        lab_out_raw(s, chunk, sizeof chunk);
        s->gen_left -= (long long)sizeof chunk;
    } else if (s->gen == GEN_HUGE_EHLO) {
        for (int i = 0; i < 500 && s->gen_left > 0; i++, s->gen_left--)
            lab_out(s, "250-X-LAB-FILLER-%06lld", s->gen_left);
        if (s->gen_left == 0)
            lab_out(s, "250 OK");
    } else if (s->gen == GEN_GARBAGE) {
        RAND_bytes((unsigned char *)chunk, 2048);
        memcpy(chunk, "\x16\x03\x01\x7f\xff\x1b[2J\0", 10);
        lab_out_raw(s, chunk, 2048);
        s->gen_left -= 2048;
    }
    if (s->gen_left <= 0) {
        s->gen = GEN_NONE;
        if (s->srv->sc->hostile != LAB_HOSTILE_HUGE_EHLO)
            s->closing = true;
    }
}

static void cmd_ehlo(lab_session *s, const char *arg, bool ehlo)
{
    const lab_scenario *sc = s->srv->sc;
    if (!*arg) {
        lab_out(s, "501 5.5.4 Invalid domain name");
        return;
    }
    lab_session_reset(s);
    s->helo = ehlo ? 2 : 1;
    size_t n = 0;
    for (const char *p = arg; *p && *p != ' ' && n + 1 < sizeof s->helo_arg; p++)
        s->helo_arg[n++] = *p > 0x20 && *p < 0x7f ? *p : '?';
    s->helo_arg[n] = '\0';
    if (sc->hostile == LAB_HOSTILE_ANSI_BANNER) {
        lab_out(s, "421 4.3.2 \x1b[31mService not available\x1b[0m\x1b]2;lab\x07, closing");
        s->closing = true;
        return;
    }
    if (sc->hostile == LAB_HOSTILE_EARLY_CLOSE) {
        char *b = xasprintf("250-%s Hello [%s]\r\n250-SIZE 37748736\r\n250-PIPE", sc->hostname, s->peer);
        lab_out_raw(s, b, strlen(b));
        free(b);
        s->closing = true;
        return;
    }
    if (!ehlo) {
        if (!LAB_IS_EXCHANGE(sc->product))
            lab_out(s, "250 %s", sc->hostname);
        else
            lab_out(s, "250 %s Hello [%s]", sc->hostname, s->peer);
        return;
    }
    lab_ehlo_reply(s);
}

static void cmd_starttls(lab_session *s, bool anonymous)
{
    const lab_scenario *sc = s->srv->sc;
    bool offered = anonymous ? sc->anonymous_tls : sc->tls;
    if (!offered) {
        lab_out(s, "%s", lab_text(sc, LAB_T_UNKNOWN));
        return;
    }
    if (s->tls == TLS_UP) {
        lab_out(s, "503 5.5.2 Command not allowed, TLS already active");
        return;
    }
    if (!s->helo) {
        lab_out(s, "503 5.5.2 Send hello first");
        return;
    }
    lab_out(s, "%s", lab_text(sc, LAB_T_STARTTLS));
    if (sc->hostile == LAB_HOSTILE_TLS_GARBAGE) {
        s->gen = GEN_GARBAGE;
        s->gen_left = 8192;
        return;
    }
    s->anon_tls = anonymous;
    s->tls = TLS_PENDING;
}

void lab_session_tls_up(lab_session *s)
{
    s->helo = 0;
    s->authed = false;
    s->acct = NULL;
    lab_session_reset(s);
}

static bool parse_count(const char *p, long long *out, const char **end)
{
    if (!isdigit((unsigned char)*p))
        return false;
    long long n = 0;
    while (isdigit((unsigned char)*p)) {
        if (n > LAB_BLOB_MAX * 10)
            return false;
        n = n * 10 + (*p++ - '0');
    }
    *out = n;
    *end = p;
    return true;
}

static void cmd_xexch50(lab_session *s, const char *arg)
{
    const lab_scenario *sc = s->srv->sc;
    if (!sc->xexch50_offered) {
        lab_out(s, "%s", lab_xexch50_text(sc, sc->product == LAB_E55 ? LAB_ANS_505 : LAB_ANS_500));
        return;
    }
    if (!s->helo) {
        lab_out(s, "503 5.5.2 Send hello first");
        return;
    }
    if (!s->mail) {
        lab_out(s, "503 5.5.2 Need mail command");
        return;
    }
    if (!s->rcpts) {
        lab_out(s, "503 5.5.2 Need rcpt command");
        return;
    }
    long long size, n;
    const char *p = arg, *end;
    bool ok = parse_count(p, &size, &end) && *end == ' ';
    if (ok) {
        p = end + 1;
        ok = parse_count(p, &n, &end) && (*end == '\0' || *end == ' ') &&
             size > 4 && size <= LAB_BLOB_MAX &&
             (sc->product != LAB_E2007 || n == s->rcpts + 1) && n >= 1;
    }
    if (!ok) {
        lab_out(s, "501 5.5.4 XEXCH50 Invalid command format");
        return;
    }
    lab_answer a = s->authed ? lab_scenario_xexch50_after_auth(sc, s->acct) : sc->xexch50_unauth;
    lab_out(s, "%s", lab_xexch50_text(sc, a));
    if (a == LAB_ANS_354) {
        s->raw = RAW_XEXCH50;
        s->raw_left = size;
    }
}

void lab_session_raw_done(lab_session *s)
{
    if (s->raw == RAW_XEXCH50)
        lab_out(s, "250 2.0.0 XEXCH50 OK");
    else
        lab_out(s, LAB_NO_MAIL);
    lab_log(s, "raw blob read");
    s->raw = RAW_NONE;
}

static void cmd_data(lab_session *s, const char *arg, bool bdat)
{
    if (!s->helo)
        lab_out(s, "503 5.5.2 Send hello first");
    else if (!s->mail)
        lab_out(s, "503 5.5.2 Need mail command");
    else if (!s->rcpts)
        lab_out(s, "503 5.5.2 Need rcpt command");
    else if (bdat) {
        long long n;
        const char *end;
        if (!parse_count(arg, &n, &end) || n > LAB_BLOB_MAX) {
            lab_out(s, "501 5.5.4 Invalid arguments");
            return;
        }
        if (n == 0) {
            lab_out(s, LAB_NO_MAIL);
            return;
        }
        s->raw = RAW_BDAT;   /* swallow the chunk, then refuse it */
        s->raw_left = n;
    } else {
        lab_out(s, LAB_NO_MAIL);
    }
}

static void cmd_mail(lab_session *s, const char *arg, bool rcpt)
{
    const lab_scenario *sc = s->srv->sc;
    const char *want = rcpt ? "TO:" : "FROM:";
    if (!s->helo) {
        lab_out(s, "503 5.5.2 Send hello first");
    } else if (!util_strnieq(arg, want, strlen(want))) {
        lab_out(s, "501 5.5.4 Invalid arguments");
    } else if (rcpt) {
        if (!s->mail)
            lab_out(s, "503 5.5.2 Need mail command");
        else if (s->rcpts >= 5000)
            lab_out(s, "452 4.5.3 Too many recipients");
        else {
            s->rcpts++;
            lab_out(s, "%s", lab_text(sc, LAB_T_RCPT_OK));
        }
    } else if (s->mail) {
        lab_out(s, "503 5.5.2 Sender already specified");
    } else if (sc->back_pressure) {
        /* Exchange 2007+ back pressure: the transport is short of disk or
         * memory and takes no new mail until it recovers */
        lab_out(s, "452 4.3.1 Insufficient system resources");
    } else {
        s->mail = true;
        lab_out(s, "%s", lab_text(sc, LAB_T_MAIL_OK));
    }
}

static void log_command(lab_session *s, const char *verb, const char *line, size_t len)
{
    bool secret = s->flow != FLOW_NONE;
    if (!secret && (util_strieq(verb, "AUTH") || util_strieq(verb, "X-EXPS"))) {
        /* keep "AUTH PLAIN", redact the initial response */
        const char *sp = strchr(line, ' ');
        const char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
        if (sp2) {
            char *head = util_escape(line, (size_t)(sp2 - line));
            lab_log(s, "C: %s <redacted: %zu bytes>", head, len - (size_t)(sp2 + 1 - line));
            free(head);
            return;
        }
    }
    if (secret) {
        lab_log(s, "C: <redacted: %zu bytes>", len);
        return;
    }
    char *esc = util_escape(line, len);
    lab_log(s, "C: %s", esc);
    free(esc);
}

/* An unknown verb, in the product's words; Sendmail quotes the line. */
static void unknown(lab_session *s, const char *line)
{
    const lab_scenario *sc = s->srv->sc;
    if (sc->product != LAB_SENDMAIL) {
        lab_out(s, "%s", lab_text(sc, LAB_T_UNKNOWN));
        return;
    }
    size_t n = strlen(line);
    char *esc = util_escape(line, n > 100 ? 100 : n);
    lab_out(s, "%s: \"%s\"", lab_text(sc, LAB_T_UNKNOWN), esc);
    free(esc);
}

/* One command line (CRLF removed, NUL-terminated; may hold NULs). */
void lab_session_line(lab_session *s, char *line, size_t len)
{
    const lab_scenario *sc = s->srv->sc;
    char verb[16];
    size_t vl = strcspn(line, " ");
    snprintf(verb, sizeof verb, "%.*s", (int)(vl < sizeof verb ? vl : sizeof verb - 1), line);
    log_command(s, verb, line, len);
    if (s->flow != FLOW_NONE) {
        lab_auth_continue(s, line, len);
        return;
    }
    if (sc->pix_fixup && lab_pix_rewrite(line)) {
        /* The ASA strips TLS from the session: it answers STARTTLS itself
         * (reference: PIX/ASA).  Other verbs reach the server as X's. */
        if (util_strieq(verb, "STARTTLS")) {
            lab_log(s, "pix-fixup answered STARTTLS itself");
            lab_out(s, "500 #5.5.1 command not recognized");
            return;
        }
        lab_log(s, "pix-fixup rewrote the verb to %.*s", (int)vl, line);
        memcpy(verb, line, vl < sizeof verb ? vl : sizeof verb - 1);
    }
    const char *arg = line[vl] ? line + vl + 1 : "";
    bool exchange_verb = util_strieq(verb, "X-EXPS") || util_strieq(verb, "XEXCH50") ||
                         util_strieq(verb, "X-ANONYMOUSTLS");
    if (strlen(line) != len) {
        lab_out(s, "500 5.5.2 Syntax error, command unrecognized");
    } else if (exchange_verb && !LAB_IS_EXCHANGE(sc->product)) {
        unknown(s, line);
    } else if (util_strieq(verb, "EHLO") || util_strieq(verb, "HELO")) {
        cmd_ehlo(s, arg, util_strieq(verb, "EHLO"));
    } else if (util_strieq(verb, "MAIL") || util_strieq(verb, "RCPT")) {
        cmd_mail(s, arg, util_strieq(verb, "RCPT"));
    } else if (util_strieq(verb, "AUTH") || util_strieq(verb, "X-EXPS")) {
        lab_auth_start(s, util_strieq(verb, "X-EXPS"), line + vl);
    } else if (util_strieq(verb, "STARTTLS") || util_strieq(verb, "X-ANONYMOUSTLS")) {
        cmd_starttls(s, util_strieq(verb, "X-ANONYMOUSTLS"));
    } else if (util_strieq(verb, "XEXCH50")) {
        cmd_xexch50(s, arg);
    } else if (util_strieq(verb, "DATA") || util_strieq(verb, "BDAT")) {
        cmd_data(s, arg, util_strieq(verb, "BDAT"));
    } else if (util_strieq(verb, "RSET")) {
        lab_session_reset(s);
        lab_out(s, "250 2.0.0 Resetting");
    } else if (util_strieq(verb, "NOOP")) {
        lab_out(s, "250 2.0.0 OK");
    } else if (util_strieq(verb, "VRFY")) {
        lab_out(s, "252 2.1.5 Cannot VRFY user");
    } else if (util_strieq(verb, "HELP")) {
        lab_out(s, "214 2.0.0 smtpwiz lab playing %s", sc->name);
    } else if (util_strieq(verb, "QUIT")) {
        lab_out(s, "%s", lab_text(sc, LAB_T_QUIT));
        s->closing = true;
    } else {
        unknown(s, line);
    }
}
