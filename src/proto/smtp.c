/* smtp: see smtp.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/smtp.h"
#include "base/util.h"

net_err smtp_connect(const char *host, const char *port, const net_opts *o,
                     transcript *tr, smtp_session **sess, char **err)
{
    conn *c = NULL;
    *sess = NULL;
    net_err e = net_connect(host, port, o, &c, err);
    if (e != NET_OK) {
        tr_note(tr, false, "connect to %s port %s failed: %s", host, port, *err);
        return e;
    }
    smtp_session *s = xcalloc(1, sizeof *s);
    s->c = c;
    s->tr = tr;
    ehlo_caps_init(&s->caps);
    tr_note(tr, false, "connected to %s port %d in %.1f ms", net_peer_addr(c),
            net_peer_port(c), net_connect_ms(c));
    *sess = s;
    return NET_OK;
}

void smtp_close(smtp_session *s)
{
    if (!s)
        return;
    net_close(s->c);
    ehlo_caps_free(&s->caps);
    tls_info_free(&s->tls_info);
    free(s);
}

void smtp_quit(smtp_session *s)
{
    if (!s)
        return;
    if (!s->broken) {
        smtp_reply r;
        char *err = NULL;
        smtp_reply_init(&r);
        int saved = net_timeout_ms(s->c);
        /* A polite QUIT must not hold up the run: at most 2 s for it. */
        net_set_timeout(s->c, saved < 2000 ? saved : 2000);
        smtp_cmd(s, "QUIT", &r, &err);
        free(err);
        smtp_reply_free(&r);
    }
    smtp_close(s);
}

/* How much of a refused line, of unsolicited data or of a partial reply a
 * message quotes. */
#define SMTP_QUOTE_MAX 120

/* Read one reply with a deadline on the whole reply, not only each line:
 * a server dripping one line just inside each timeout must still stop. */
smtp_err smtp_read_reply(smtp_session *s, smtp_reply *r, char **err)
{
    char line[SMTP_LINE_MAX + 1];
    int timeout = net_timeout_ms(s->c);
    double deadline = util_now_ms() + timeout;
    smtp_err result = SMTP_OK;
    size_t bytes = 0;          /* of this reply so far, lines with their CRLF */
    s->last_err = SMTP_OK;
    smtp_reply_free(r);
    for (;;) {
        double left = deadline - util_now_ms();
        size_t len = 0;
        net_err ne = NET_ETIMEOUT;
        line[0] = '\0';
        if (left > 0) {
            net_set_timeout(s->c, (int)left + 1);
            ne = net_read_line(s->c, line, SMTP_LINE_MAX + 1, &len, err);
        }
        if (ne == NET_ETIMEOUT) {
            /* Say how long was waited and what did come: a server that
             * drips its reply is not one that said nothing. */
            free(*err);
            bytes += len;
            if (bytes) {
                char *q = util_escape_capped(line, len, SMTP_QUOTE_MAX);
                *err = xasprintf("no complete reply within %.1f s: %zu bytes received%s%s%s",
                                 timeout / 1000.0, bytes, len ? ", the last line so far \"" : "",
                                 len ? q : "", len ? "\"" : "");
                free(q);
            } else {
                *err = xasprintf("no reply within %.1f s", timeout / 1000.0);
            }
        }
        if (ne != NET_OK) {
            s->last_net = ne;
            result = ne == NET_ETOOLONG ? SMTP_EPROTO : SMTP_ENET;
            break;
        }
        bytes += len + 2;
        tr_add(s->tr, TR_SERVER, s->tls, line, len);
        reply_status rs = smtp_reply_feed(r, line, len, err);
        if (rs == REPLY_DONE)
            break;
        if (rs < 0) {
            result = SMTP_EPROTO;
            break;
        }
    }
    net_set_timeout(s->c, timeout);
    s->last_err = result;
    if (result != SMTP_OK) {
        s->broken = true;
        tr_note(s->tr, s->tls, "%s", *err);
    }
    return result;
}


bool smtp_line_check(const char *line, size_t len, bool quote, char **err)
{
    const char *what = NULL;
    for (size_t i = 0; i < len && !what; i++) {
        if (line[i] == '\r' || line[i] == '\n')
            what = "a line break taken from the server (or from an option): a CR or LF there "
                   "would end the command early and make the rest a command of its own";
        else if (line[i] == '\0')
            what = "a NUL byte: the server would see the command cut there";
    }
    if (!what)
        return true;
    char *q = quote ? util_escape_capped(line, len, SMTP_QUOTE_MAX) : NULL;
    *err = q ? xasprintf("refused to send a command holding %s: \"%s\"", what, q)
             : xasprintf("refused to send a command holding %s", what);
    free(q);
    return false;
}

smtp_err smtp_line_build(char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = xvasprintf(fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    *out = NULL;
    if (!smtp_line_check(line, len, true, err)) {
        free(line);
        return SMTP_EREFUSED;
    }
    if (len > SMTP_CMD_MAX) {
        char *q = util_escape_capped(line, len, SMTP_QUOTE_MAX);
        *err = xasprintf("refused to send a command of %zu bytes, over SMTP's %d (a name taken "
                         "from the server is too long): \"%s\"", len, SMTP_CMD_MAX, q);
        free(q);
        free(line);
        return SMTP_EREFUSED;
    }
    *out = line;
    return SMTP_OK;
}

/* Data the server sent before this command: shown in the transcript as it
 * came, and the session ended.  Returns true if there was any. */
static bool unsolicited(smtp_session *s, char **err)
{
    const char *data;
    size_t len;
    net_read_nowait(s->c, &data, &len);
    if (len == 0)
        return false;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
        size_t body = n && data[i + n - 1] == '\r' ? n - 1 : n;
        tr_add(s->tr, TR_SERVER, s->tls, data + i, body);
        i += n + (nl ? 1 : 0);
    }
    char *q = util_escape_capped(data, len, SMTP_QUOTE_MAX);
    *err = xasprintf("the server sends unsolicited replies: \"%s\" arrived before the next "
                     "command was sent (smtpwiz never pipelines), so no later reply can be "
                     "matched to its command; this session is ended", q);
    free(q);
    s->unsolicited = true;
    s->broken = true;
    tr_note(s->tr, s->tls, "%s", *err);
    return true;
}

/* Before anything goes out: not on a broken session, not over data the
 * server sent unasked. */
static smtp_err may_send(smtp_session *s, char **err)
{
    if (s->broken) {
        /* A late reply to the failed command would be read as this one's. */
        *err = xstrdup("the session is out of step after an earlier error; not sending more");
        return SMTP_EPROTO;
    }
    return unsolicited(s, err) ? SMTP_EUNSOLICITED : SMTP_OK;
}

static smtp_err put(smtp_session *s, const void *data, size_t len, char **err)
{
    net_err e = net_write(s->c, data, len, err);
    if (e == NET_OK)
        return SMTP_OK;
    s->last_net = e;
    s->broken = true;
    tr_note(s->tr, s->tls, "%s", *err);
    return SMTP_ENET;
}

smtp_err smtp_send(smtp_session *s, const char *line, int secret, size_t shown, char **err)
{
    s->last_err = SMTP_OK;
    if (s->broken)
        return may_send(s, err);
    size_t len = strlen(line);
    if (!smtp_line_check(line, len, secret != SMTP_SECRET, err)) {
        tr_note(s->tr, s->tls, "%s", *err);
        return s->last_err = SMTP_EREFUSED;
    }
    smtp_err ok = may_send(s, err);
    if (ok != SMTP_OK)
        return s->last_err = ok;
    if (secret == SMTP_SECRET) {
        if (shown > len)
            shown = len;
        char *red = tr_redacted(len - shown);
        char *vis = xasprintf("%.*s%s", (int)shown, line, red);
        tr_add(s->tr, TR_CLIENT, s->tls, vis, strlen(vis));
        free(vis);
        free(red);
    } else {
        tr_add(s->tr, TR_CLIENT, s->tls, line, len);
    }
    char *wire = xmalloc(len + 3);
    memcpy(wire, line, len);
    memcpy(wire + len, "\r\n", 3);
    smtp_err e = put(s, wire, len + 2, err);
    /* The wire copy may hold a secret: wipe it before freeing. */
    OPENSSL_cleanse(wire, len + 2);
    free(wire);
    return s->last_err = e;
}

smtp_err smtp_send_raw(smtp_session *s, const void *data, size_t len, char **err)
{
    s->last_err = SMTP_OK;
    smtp_err e = may_send(s, err);
    if (e == SMTP_OK)
        e = put(s, data, len, err);
    return s->last_err = e;
}

/* EHLO or HELO with the name: built and checked like any command. */
static smtp_err greet_cmd(smtp_session *s, const char *verb, const char *helo, smtp_reply *r,
                          char **err)
{
    char *cmd = NULL;
    if (smtp_line_build(&cmd, err, "%s %s", verb, helo) != SMTP_OK) {
        tr_note(s->tr, s->tls, "%s", *err);
        return s->last_err = SMTP_EREFUSED;
    }
    smtp_err e = smtp_cmd(s, cmd, r, err);
    free(cmd);
    return e;
}

smtp_err smtp_cmd(smtp_session *s, const char *line, smtp_reply *r, char **err)
{
    smtp_err e = smtp_send(s, line, SMTP_PLAIN, 0, err);
    return e != SMTP_OK ? e : smtp_read_reply(s, r, err);
}

smtp_err smtp_ehlo(smtp_session *s, const char *helo, smtp_reply *r, char **err)
{
    smtp_err e = greet_cmd(s, "EHLO", helo, r, err);
    if (e != SMTP_OK)
        return e;
    ehlo_caps_free(&s->caps);
    ehlo_caps_init(&s->caps);
    s->used_helo = false;
    if (r->code == 250) {
        ehlo_caps_parse(r, &s->caps);
        s->ehlo_done = true;
        return SMTP_OK;
    }
    if (r->code >= 500 && r->code <= 502) {
        /* An old or locked-down server: HELO still greets, with no extensions. */
        e = greet_cmd(s, "HELO", helo, r, err);
        if (e == SMTP_OK && r->code == 250) {
            s->used_helo = true;
            s->ehlo_done = true;
        }
    }
    return e;
}

smtp_err smtp_starttls(smtp_session *s, const char *verb, const tls_opts *o,
                       const char *helo, smtp_reply *r, char **err)
{
    smtp_err e = smtp_cmd(s, verb, r, err);
    if (e != SMTP_OK || r->code != 220)
        return e;
    if (net_pending(s->c)) {
        /* Bytes after the 220 and before the handshake would be injected
         * into the TLS session (CVE-2011-0411 style): refuse to go on. */
        *err = xstrdup("the server sent data after its 220 reply to STARTTLS, before TLS began");
        tr_note(s->tr, false, "%s", *err);
        s->last_net = NET_ETLS;
        s->broken = true;
        return SMTP_EPROTO;
    }
    tls_info_free(&s->tls_info);
    net_err ne = tls_client_start(s->c, o, &s->tls_info, err);
    if (ne != NET_OK) {
        s->last_net = ne;
        s->broken = true;
        tr_note(s->tr, false, "TLS handshake failed: %s", *err);
        return SMTP_ENET;
    }
    s->tls = true;
    tr_note(s->tr, true, "TLS started: %s, %s%s", s->tls_info.protocol, s->tls_info.cipher,
            s->tls_info.resumed ? " (the earlier session resumed)" : "");
    s->ehlo_done = false;
    return smtp_ehlo(s, helo, r, err);
}

char *smtp_describe(smtp_session *s, smtp_err e, const char *err)
{
    /* These messages are whole sentences already. */
    if (e == SMTP_EREFUSED || e == SMTP_EUNSOLICITED ||
        (s && (s->last_err == SMTP_EREFUSED || s->last_err == SMTP_EUNSOLICITED)))
        return xstrdup(err ? err : "a command was not sent");
    if (e == SMTP_EPROTO)
        return xasprintf("the server broke the SMTP protocol: %s", err ? err : "bad reply");
    switch (s ? s->last_net : NET_EIO) {
    case NET_ETIMEOUT:
        return xasprintf("the server stopped answering (%s)", err ? err : "timeout");
    case NET_ECLOSED:
        return xasprintf("the server closed the connection (%s)", err ? err : "closed");
    case NET_ECANCEL:
        return xstrdup("cancelled");
    case NET_ETLS:
        return xasprintf("TLS failed: %s", err ? err : "unknown");
    default:
        return xasprintf("network error: %s", err ? err : "unknown");
    }
}
