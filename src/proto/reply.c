/* reply: the SMTP reply parser.  Every input byte comes from the network,
 * so each line is checked against the bounds in reply.h before it is kept,
 * and all scanning is length-based: embedded NULs never cause a read past
 * the caller's buffer. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto/reply.h"
#include "base/util.h"

/* How much of a bad line goes into an error message: enough to recognise
 * it, not enough to flood a terminal. */
#define REPLY_QUOTE_MAX 80

void smtp_reply_init(smtp_reply *r)
{
    memset(r, 0, sizeof *r);
}

void smtp_reply_free(smtp_reply *r)
{
    for (size_t i = 0; i < r->nlines; i++)
        free(r->lines[i]);
    free(r->lines);
    smtp_reply_init(r);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* An allocated, terminal-safe copy of the start of a bad line. */
static char *quote_line(const char *line, size_t len)
{
    /* Cut after escaping, not before: a secret is found in the whole line. */
    char *esc = util_escape_capped(line, len, REPLY_QUOTE_MAX);
    char *q = xasprintf("\"%s\"", esc);
    free(esc);
    return q;
}

static void set_err(char **err, char *msg)
{
    if (err)
        *err = msg;
    else
        free(msg);
}

/* RFC 3463 "class.subject.detail" at the start of the first line's text:
 * class 2, 4 or 5, subject and detail 1-3 digits, then a space or the end. */
static void take_enhanced(smtp_reply *r, const char *t, size_t n)
{
    size_t i = 0;
    if (n < 5 || (t[0] != '2' && t[0] != '4' && t[0] != '5') || t[1] != '.')
        return;
    i = 2;
    for (int part = 0; part < 2; part++) {
        size_t start = i;
        while (i < n && is_digit(t[i]) && i - start < 4)
            i++;
        if (i == start || i - start > 3)
            return;
        if (part == 0) {
            if (i >= n || t[i] != '.')
                return;
            i++;
        }
    }
    if (i < n && t[i] != ' ')
        return;
    memcpy(r->enhanced, t, i);
    r->enhanced[i] = '\0';
}

/* Checks "NNN", "NNN-..." or "NNN ...": returns the code, 0 for a line that
 * is not shaped like a reply, -1 for a code outside 2xx..5xx. */
static int line_code(const char *line, size_t len)
{
    if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]))
        return 0;
    if (len > 3 && line[3] != '-' && line[3] != ' ')
        return 0;
    if (line[0] < '2' || line[0] > '5' || line[1] > '5')
        return -1;
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

static reply_status check_limits(const smtp_reply *r, size_t len, char **err)
{
    if (r->complete) {
        set_err(err, xstrdup("a line arrived after the SMTP reply was already complete"));
        return REPLY_EBADLINE;
    }
    if (len > SMTP_LINE_MAX) {
        set_err(err, xasprintf("reply line %zu is %zu bytes long; SMTP allows at most %d",
                               r->nlines + 1, len, SMTP_LINE_MAX));
        return REPLY_ELINE;
    }
    if (r->nlines >= SMTP_REPLY_MAX_LINES) {
        set_err(err, xasprintf("the reply goes on for more than %d lines; "
                               "the server is not speaking SMTP sensibly",
                               SMTP_REPLY_MAX_LINES));
        return REPLY_EBIG;
    }
    /* Counted as on the wire, CRLF included. */
    if (r->bytes + len + 2 > SMTP_REPLY_MAX_BYTES) {
        set_err(err, xasprintf("the reply is larger than %d bytes; "
                               "the server is not speaking SMTP sensibly",
                               SMTP_REPLY_MAX_BYTES));
        return REPLY_EBIG;
    }
    return REPLY_MORE;
}

static reply_status check_code(const smtp_reply *r, const char *line, size_t len, char **err)
{
    int code = line_code(line, len);
    if (code == 0) {
        char *q = quote_line(line, len);
        set_err(err, xasprintf("reply line %zu is not an SMTP reply line "
                               "(\"NNN text\" or \"NNN-text\"): %s", r->nlines + 1, q));
        free(q);
        return REPLY_EBADLINE;
    }
    if (code < 0) {
        char *q = quote_line(line, 3);
        set_err(err, xasprintf("reply line %zu has code %s, outside the SMTP range 200-559",
                               r->nlines + 1, q));
        free(q);
        return REPLY_ECODE;
    }
    if (r->nlines > 0 && code != r->code) {
        set_err(err, xasprintf("reply line %zu has code %d but the reply began with %d",
                               r->nlines + 1, code, r->code));
        return REPLY_ECODE;
    }
    return REPLY_MORE;
}

reply_status smtp_reply_feed(smtp_reply *r, const char *line, size_t len, char **err)
{
    /* A reader that left the CR in place must not change the text kept. */
    if (len > 0 && line[len - 1] == '\r')
        len--;
    reply_status st = check_limits(r, len, err);
    if (st == REPLY_MORE)
        st = check_code(r, line, len, err);
    if (st != REPLY_MORE)
        return st;

    const char *text = len > 4 ? line + 4 : "";
    size_t tlen = len > 4 ? len - 4 : 0;
    if (r->nlines == 0) {
        r->code = line_code(line, len);
        take_enhanced(r, text, tlen);
    }
    r->lines = xrealloc(r->lines, (r->nlines + 1) * sizeof *r->lines);
    char *copy;
    if (memchr(text, '\0', tlen)) {
        /* Lines are kept as C strings, and a NUL would hide what follows it.
         * Reply text only ever serves display and matching: escape it (after
         * the limits, which count the bytes the server sent). */
        copy = util_escape(text, tlen);
    } else {
        copy = xmalloc(tlen + 1);
        memcpy(copy, text, tlen);
        copy[tlen] = '\0';
    }
    r->lines[r->nlines++] = copy;
    r->bytes += len + 2;
    if (len == 3 || line[3] == ' ') {
        r->complete = 1;
        return REPLY_DONE;
    }
    return REPLY_MORE;
}

reply_status smtp_reply_parse(const char *buf, size_t len, smtp_reply *r,
                              size_t *consumed, char **err)
{
    size_t pos = 0;
    reply_status st = r->complete ? REPLY_DONE : REPLY_MORE;
    while (pos < len && st == REPLY_MORE) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl) {
            /* An unterminated tail may still grow; refuse it only once it
             * can no longer be a legal line. */
            if (len - pos > SMTP_LINE_MAX + 1)
                st = smtp_reply_feed(r, buf + pos, len - pos, err);
            break;
        }
        size_t llen = (size_t)(nl - (buf + pos));
        st = smtp_reply_feed(r, buf + pos, llen, err);
        if (st >= 0)
            pos += llen + 1;
    }
    if (consumed)
        *consumed = pos;
    return st;
}

char *smtp_reply_text(const smtp_reply *r)
{
    strbuf sb = {0};
    for (size_t i = 0; i < r->nlines; i++) {
        if (i > 0)
            sb_putc(&sb, '\n');
        sb_puts(&sb, r->lines[i]);
    }
    return sb_steal(&sb);
}

char *smtp_reply_line(const smtp_reply *r)
{
    if (r->nlines == 0)
        return r->code ? xasprintf("%03d", r->code) : xstrdup("");
    const char *last = r->lines[r->nlines - 1];
    if (!*last)
        return xasprintf("%03d", r->code);
    return xasprintf("%03d %s", r->code, last);
}
