/* libFuzzer target: the SMTP line check and command builder, and the
 * escaping their messages use.  Invariants asserted: a line passes the check
 * exactly when it holds no CR, LF or NUL; a built command never holds one,
 * is what the format says, and is at most SMTP_CMD_MAX bytes; an error
 * message and any escaped text hold no control byte, no bidi or format
 * character and only valid UTF-8. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/smtp.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Shown text: valid UTF-8 with nothing hidden in it (newlines only if nl). */
static void check_shown(const char *s, int nl)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = util_utf8_decode(u + i, n - i, &cp);
        if (k == 0 || (util_cp_hidden(cp) && !(nl && cp == '\n')))
            abort();
        i += k;
    }
}

static void check_line(const char *line, size_t len)
{
    char *err = NULL;
    int has = memchr(line, '\r', len) || memchr(line, '\n', len) || memchr(line, '\0', len);
    if (smtp_line_check(line, len, true, &err) == !!has)
        abort();
    if (err) {
        check_shown(err, 0);
        free(err);
    }
}

static void check_build(const char *arg)
{
    char *out = NULL, *err = NULL;
    smtp_err e = smtp_line_build(&out, &err, "RCPT TO:<postmaster@%s>", arg);
    size_t want = strlen("RCPT TO:<postmaster@>") + strlen(arg);
    int bad = strchr(arg, '\r') || strchr(arg, '\n') || want > SMTP_CMD_MAX;
    if (e == SMTP_OK) {
        if (bad || !out || err || strchr(out, '\r') || strchr(out, '\n') ||
            strlen(out) != want || strncmp(out + 20, arg, strlen(arg)) != 0)
            abort();
        free(out);
    } else {
        if (!bad || out || !err || e != SMTP_EREFUSED)
            abort();
        check_shown(err, 0);
        free(err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_line(s, size);
    char *arg = malloc(size + 1);
    memcpy(arg, data, size);
    arg[size] = '\0';              /* up to the first NUL, as a C string */
    check_build(arg);
    free(arg);
    size_t cap = size ? data[0] * 16u : 0;
    char *e = util_escape_capped(s, size, cap);
    check_shown(e, 0);
    if (strlen(e) > cap + 32)
        abort();
    free(e);
    e = util_escape_ex(s, size, SIZE_MAX, UTIL_ESC_ASCII | UTIL_ESC_KEEP_NL);
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p >= 0x7F || ((unsigned char)*p < 0x20 && *p != '\n'))
            abort();
    free(e);
    return 0;
}
