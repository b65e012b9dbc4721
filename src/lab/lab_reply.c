/* lab_reply: the words the lab says as the product it plays - banners, the
 * EHLO keyword list in each product's exact order (reference: "EHLO
 * replies"), the fixed reply texts, and what a Cisco PIX/ASA "fixup" in
 * front of the server does to all of that. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab/lab_int.h"

const char *lab_answer_text(lab_answer a)
{
    switch (a) {
    case LAB_ANS_235: return "235 2.7.0 Authentication successful";
    case LAB_ANS_535: return "535 5.7.3 Authentication unsuccessful";
    case LAB_ANS_454: return "454 4.7.0 Temporary authentication failure";
    case LAB_ANS_504: return "504 5.7.4 Unrecognized authentication type";
    default: return "535 5.7.3 Authentication unsuccessful";
    }
}

/* The same replies in the words of the other products the lab plays
 * (Debian 12's Postfix 3.7, Exim 4.96 and Sendmail 8.17 with their
 * defaults); Exchange's in the first column. */
const char *lab_text(const lab_scenario *sc, lab_text_id id)
{
    static const char *const t[LAB_T_COUNT][4] = {
        [LAB_T_UNKNOWN] = {"500 5.3.3 Unrecognized command", "500 5.5.2 Error: command not recognized",
                           "500 unrecognized command", "500 5.5.1 Command unrecognized"},
        [LAB_T_STARTTLS] = {"220 2.0.0 SMTP server ready", "220 2.0.0 Ready to start TLS",
                            "220 TLS go ahead", "220 2.0.0 Ready to start TLS"},
        [LAB_T_AUTH_OK] = {"235 2.7.0 Authentication successful", "235 2.7.0 Authentication successful",
                           "235 Authentication succeeded", "235 2.0.0 OK Authenticated"},
        [LAB_T_AUTH_FAIL] = {"535 5.7.3 Authentication unsuccessful",
                             "535 5.7.8 Error: authentication failed: authentication failure",
                             "535 Incorrect authentication data", "535 5.7.0 authentication failed"},
        [LAB_T_MAIL_OK] = {"250 2.1.0 Sender OK", "250 2.1.0 Ok", "250 OK", "250 2.1.0 <>... Sender ok"},
        [LAB_T_RCPT_OK] = {"250 2.1.5 Recipient OK", "250 2.1.5 Ok", "250 Accepted",
                           "250 2.1.5 Recipient ok"},
        [LAB_T_QUIT] = {"221 2.0.0 Service closing transmission channel", "221 2.0.0 Bye",
                        "221 closing connection", "221 2.0.0 closing connection"},
    };
    int col = sc->product == LAB_POSTFIX ? 1 : sc->product == LAB_EXIM ? 2
            : sc->product == LAB_SENDMAIL ? 3 : 0;
    return (unsigned)id < LAB_T_COUNT ? t[id][col] : t[LAB_T_UNKNOWN][col];
}

const char *lab_xexch50_text(const lab_scenario *sc, lab_answer a)
{
    switch (a) {
    case LAB_ANS_354: return "354 Send binary data";
    case LAB_ANS_504:
        return sc->product == LAB_E2003 ? "504 Need to authenticate first " : "504 5.7.1 Not authorized";
    case LAB_ANS_505: return "505 Authentication required";
    default: return "500 5.5.1 Not enabled";
    }
}

/* RFC 5322 date of the lab's clock (real time + clock_offset) in its zone,
 * day without a leading zero: "Fri, 5 Aug 2016 16:24:41 -0700". */
static void lab_date(const lab_scenario *sc, char *buf, size_t cap)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = time(NULL) + sc->clock_offset + (time_t)sc->tz_offset_min * 60;
    struct tm tm;
    gmtime_r(&t, &tm);
    int z = sc->tz_offset_min < 0 ? -sc->tz_offset_min : sc->tz_offset_min;
    snprintf(buf, cap, "%s, %d %s %d %02d:%02d:%02d %c%02d%02d", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
             sc->tz_offset_min < 0 ? '-' : '+', z / 60, z % 60);
}

static void pix_mask(char *text)
{
    for (char *p = text; *p; p++)
        if (*p != '2' && *p != '0')
            *p = '*';
}

/* The whole greeting line, without CRLF. */
char *lab_banner(const lab_scenario *sc)
{
    char date[64];
    lab_date(sc, date, sizeof date);
    char *text;
    if (sc->greet_421)
        /* a receive connector that takes no sessions now (Exchange's words) */
        return xasprintf("421 4.3.2 Service not available, closing transmission channel");
    if (sc->product == LAB_POSTFIX)
        text = xasprintf("%s ESMTP Postfix (Debian/GNU)", sc->hostname);
    else if (sc->product == LAB_EXIM) {
        /* Exim's own date: the day with its leading zero */
        char d2[64];
        snprintf(d2, sizeof d2, "%s", date);
        char *sp = strchr(d2, ' ');
        if (sp && sp[2] == ' ')
            memmove(sp + 2, sp + 1, strlen(sp + 1) + 1), sp[1] = '0';
        text = xasprintf("%s ESMTP Exim %s %s", sc->hostname, sc->smtp_version, d2);
    } else if (sc->product == LAB_SENDMAIL)
        text = xasprintf("%s ESMTP Sendmail %s; %s", sc->hostname, sc->smtp_version, date);
    else if (sc->product == LAB_E2003)
        text = xasprintf("%s Microsoft ESMTP MAIL Service, Version: %s ready at  %s",
                         sc->hostname, sc->smtp_version, date);
    else if (sc->product == LAB_E55)
        text = xasprintf("%s ESMTP Server (Microsoft Exchange Internet Mail Service %s) ready",
                         sc->hostname, sc->smtp_version);
    else
        text = xasprintf("%s %s %s", sc->hostname,
                         sc->upper_banner ? "MICROSOFT ESMTP MAIL SERVICE READY AT"
                                          : "Microsoft ESMTP MAIL Service ready at", date);
    if (sc->pix_fixup)
        pix_mask(text);
    char *line = xasprintf("220 %s", text);
    free(text);
    return line;
}

/* Keywords an ASA's default ESMTP inspection lets through unmasked. */
static bool pix_known(const char *kw)
{
    static const char *const ok[] = {"SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                                     "8BITMIME", "BINARYMIME", "CHUNKING", "AUTH", "ETRN",
                                     "VRFY", "TURN", "HELP", "DELIVERBY", "EXPN", "OK"};
    size_t n = strcspn(kw, " =");
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && util_strnieq(kw, ok[i], n))
            return true;
    return false;
}

static void add_kw(strbuf *lines, const lab_scenario *sc, const char *kw)
{
    if (sc->pix_fixup && !strcmp(kw, "STARTTLS"))
        return;   /* the ASA strips it */
    if (sc->pix_fixup && !pix_known(kw)) {
        size_t n = strlen(kw);
        for (size_t i = 0; i + 1 < n; i++)
            sb_putc(lines, 'X');
        sb_putc(lines, 'A');
        sb_putc(lines, '\n');
        return;
    }
    sb_puts(lines, kw);
    sb_putc(lines, '\n');
}

/* What the session is offered for AUTH (exps false) or X-EXPS now: the
 * scenario's list for before or after TLS, without EXCHANGEAUTH unless TLS
 * came from X-ANONYMOUSTLS (reference: "What the keywords mean").  EHLO and
 * lab_auth_start() both ask here, so what is listed is what is accepted. */
unsigned lab_offered(const lab_session *s, bool exps)
{
    const lab_scenario *sc = s->srv->sc;
    bool tls = s->tls == TLS_UP;
    unsigned bits = exps ? (tls ? sc->exps_after : sc->exps_before)
                         : (tls ? sc->auth_after : sc->auth_before);
    if (!s->anon_tls)
        bits &= ~(unsigned)LAB_M_EXCHANGEAUTH;
    return bits;
}

/* "VERB MECH..." in Exchange's order - EXCHANGEAUTH GSSAPI NTLM LOGIN PLAIN,
 * the reverse of the bit order - and Exchange 2003's extra "VERB=LOGIN". */
static void add_mechs(strbuf *lines, const lab_scenario *sc, const char *verb, unsigned bits,
                      bool old_style_login)
{
    if (!bits)
        return;
    strbuf kw = {0};
    sb_puts(&kw, verb);
    for (int i = LAB_NMECH - 1; i >= 0; i--)
        if (bits & (1u << i))
            sb_printf(&kw, " %s", lab_mech_name(i));
    add_kw(lines, sc, kw.buf);
    sb_free(&kw);
    if (old_style_login && (bits & LAB_M_LOGIN)) {
        char *old = xasprintf("%s=LOGIN", verb);
        add_kw(lines, sc, old);
        free(old);
    }
}

static void ehlo_2003(strbuf *l, const lab_session *s, bool tls)
{
    const lab_scenario *sc = s->srv->sc;
    static const char *const head[] = {"TURN", "SIZE", "ETRN", "PIPELINING", "DSN",
                                       "ENHANCEDSTATUSCODES", "8bitmime", "BINARYMIME",
                                       "CHUNKING", "VRFY"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        add_kw(l, sc, head[i]);
    if (sc->tls && !tls) {
        add_kw(l, sc, "TLS");
        add_kw(l, sc, "STARTTLS");
    }
    add_mechs(l, sc, "X-EXPS", lab_offered(s, true), true);
    add_mechs(l, sc, "AUTH", lab_offered(s, false), true);
    if (sc->link2state)
        add_kw(l, sc, "X-LINK2STATE");
    if (sc->xexch50_offered)
        add_kw(l, sc, "XEXCH50");
    add_kw(l, sc, "OK");
}

static void ehlo_2007(strbuf *l, const lab_session *s, bool tls)
{
    const lab_scenario *sc = s->srv->sc;
    char size[40];
    snprintf(size, sizeof size, "SIZE %lld", sc->size_limit);
    add_kw(l, sc, sc->size_limit > 0 ? size : "SIZE");
    add_kw(l, sc, "PIPELINING");
    add_kw(l, sc, "DSN");
    add_kw(l, sc, "ENHANCEDSTATUSCODES");
    if (sc->tls && !tls)
        add_kw(l, sc, "STARTTLS");
    if (sc->anonymous_tls && !tls)
        add_kw(l, sc, "X-ANONYMOUSTLS");
    add_mechs(l, sc, "AUTH", lab_offered(s, false), false);
    add_mechs(l, sc, "X-EXPS", lab_offered(s, true), false);
    if (sc->exchangeauth && s->anon_tls)
        add_kw(l, sc, "X-EXCHANGEAUTH SHA256");
    add_kw(l, sc, "8BITMIME");
    add_kw(l, sc, "BINARYMIME");
    add_kw(l, sc, "CHUNKING");
    if (sc->xexch50_offered)
        add_kw(l, sc, "XEXCH50");
    if (sc->xrdst)
        add_kw(l, sc, "XRDST");
}

static void ehlo_55(strbuf *l, const lab_session *s, bool tls)
{
    const lab_scenario *sc = s->srv->sc;
    if (sc->xexch50_offered)
        add_kw(l, sc, "XEXCH50");
    add_kw(l, sc, "HELP");
    add_kw(l, sc, "ETRN");
    add_kw(l, sc, "DSN");
    add_kw(l, sc, "SIZE 0");
    if (sc->tls && !tls)
        add_kw(l, sc, "STARTTLS");
    add_mechs(l, sc, "AUTH", lab_offered(s, false), true);
}

/* The Internet servers' lists, with their defaults on Debian 12 (Postfix:
 * postconf -d; Exim: exim4-config; Sendmail: sendmail.mc). */
static void ehlo_other(strbuf *l, const lab_session *s, bool tls)
{
    const lab_scenario *sc = s->srv->sc;
    unsigned m = lab_offered(s, false);
    const char *auth = (m & LAB_M_PLAIN) && (m & LAB_M_LOGIN) ? "AUTH PLAIN LOGIN"
                     : (m & LAB_M_PLAIN) ? "AUTH PLAIN" : (m & LAB_M_LOGIN) ? "AUTH LOGIN" : NULL;
    bool starttls = sc->tls && !tls;
    if (sc->product == LAB_POSTFIX) {
        static const char *const tail[] = {"ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8",
                                           "CHUNKING"};
        add_kw(l, sc, "PIPELINING");
        add_kw(l, sc, "SIZE 10240000");
        add_kw(l, sc, "VRFY");
        add_kw(l, sc, "ETRN");
        if (starttls)
            add_kw(l, sc, "STARTTLS");
        if (auth)
            add_kw(l, sc, auth);
        for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
            add_kw(l, sc, tail[i]);
    } else if (sc->product == LAB_EXIM) {
        add_kw(l, sc, "SIZE 52428800");
        add_kw(l, sc, "8BITMIME");
        add_kw(l, sc, "PIPELINING");
        if (auth)
            add_kw(l, sc, auth);
        add_kw(l, sc, "CHUNKING");
        if (starttls)
            add_kw(l, sc, "STARTTLS");
        add_kw(l, sc, "PRDR");
        add_kw(l, sc, "HELP");
    } else {
        static const char *const head[] = {"ENHANCEDSTATUSCODES", "PIPELINING", "EXPN", "VERB",
                                           "8BITMIME", "SIZE", "DSN", "ETRN"};
        for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
            add_kw(l, sc, head[i]);
        /* sendmail lists LOGIN before PLAIN (Cyrus's order) */
        if (auth)
            add_kw(l, sc, (m & LAB_M_PLAIN) && (m & LAB_M_LOGIN) ? "AUTH LOGIN PLAIN" : auth);
        if (starttls)
            add_kw(l, sc, "STARTTLS");
        add_kw(l, sc, "DELIVERBY");
        add_kw(l, sc, "HELP");
    }
}

/* The Hello line: Postfix gives its name alone, Exim the client's EHLO
 * name, Sendmail the client's reverse-DNS name. */
static void hello_line(strbuf *l, const lab_session *s)
{
    const lab_scenario *sc = s->srv->sc;
    if (sc->product == LAB_POSTFIX)
        sb_printf(l, "%s\n", sc->hostname);
    else if (sc->product == LAB_EXIM)
        sb_printf(l, "%s Hello %s [%s]\n", sc->hostname, s->helo_arg, s->peer);
    else if (sc->product == LAB_SENDMAIL)
        sb_printf(l, "%s Hello localhost [%s], pleased to meet you\n", sc->hostname, s->peer);
    else
        sb_printf(l, "%s Hello [%s]\n", sc->hostname, s->peer);
}

/* The multi-line 250 answer to EHLO (or a huge one for huge-ehlo). */
void lab_ehlo_reply(lab_session *s)
{
    const lab_scenario *sc = s->srv->sc;
    strbuf l = {0};
    hello_line(&l, s);
    bool tls = s->tls == TLS_UP;
    if (!LAB_IS_EXCHANGE(sc->product))
        ehlo_other(&l, s, tls);
    else if (sc->product == LAB_E2003)
        ehlo_2003(&l, s, tls);
    else if (sc->product == LAB_E55)
        ehlo_55(&l, s, tls);
    else
        ehlo_2007(&l, s, tls);
    char *save = NULL;
    char *text = sb_steal(&l);
    char *line = strtok_r(text, "\n", &save);
    while (line) {
        char *next = strtok_r(NULL, "\n", &save);
        if (sc->hostile == LAB_HOSTILE_HUGE_EHLO && !next) {
            lab_out(s, "250-%s", line);
            s->gen = GEN_HUGE_EHLO;
            s->gen_left = 100000;
            break;
        }
        lab_out(s, "250%c%s", next ? '-' : ' ', line);
        line = next;
    }
    free(text);
}

/* PIX fixup: a verb outside the allowed list becomes X's of the same length.
 * Returns true if the line was rewritten. */
bool lab_pix_rewrite(char *line)
{
    static const char *const allowed[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP",
                                          "QUIT", "AUTH", "ETRN", "VRFY", "HELP", "EXPN", "SAML",
                                          "SEND", "SOML", "TURN"};
    size_t n = strcspn(line, " ");
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (n == 4 && util_strnieq(line, allowed[i], 4))
            return false;
    for (size_t i = 0; i < n; i++)
        line[i] = 'X';
    return n > 0;
}
