/* escape: see escape.h.  The input is scanned once for secrets (their spans
 * are skipped as a whole), then token by token: one byte, or one UTF-8
 * sequence, becomes either itself or its escape. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/secret.h"
#include "base/util.h"

size_t util_utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    /* The second byte's range rules out overlong forms, surrogates and
     * code points past U+10FFFF (RFC 3629 section 4). */
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) { n = 2; *cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; *cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; *cp = c & 0x07; }
    else return 0;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (n > left || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    return n;
}

bool util_cp_hidden(uint32_t cp)
{
    static const struct { uint32_t lo, hi; } hidden[] = {
        {0x0000, 0x001F}, {0x007F, 0x009F}, {0x00AD, 0x00AD}, {0x0600, 0x0605},
        {0x061C, 0x061C}, {0x06DD, 0x06DD}, {0x070F, 0x070F}, {0x0890, 0x0891},
        {0x08E2, 0x08E2}, {0x180E, 0x180E}, {0x200B, 0x200F}, {0x2028, 0x202E},
        {0x2060, 0x206F}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB}, {0x110BD, 0x110BD},
        {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
        {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    };
    if (cp >= 0x20 && cp < 0x7F)
        return false;
    for (size_t i = 0; i < sizeof hidden / sizeof *hidden; i++)
        if (cp >= hidden[i].lo && cp <= hidden[i].hi)
            return true;
    return false;
}

/* The escape of the token at u (left > 0 bytes): returns how many input
 * bytes it covers; the text to output is either the input itself (*tok
 * empty, *copy the byte count) or tok. */
static size_t token(const unsigned char *u, size_t left, unsigned flags, char tok[16],
                    size_t *copy)
{
    uint32_t cp;
    size_t n = util_utf8_decode(u, left, &cp);
    *copy = 0;
    tok[0] = '\0';
    if (n == 0) {
        snprintf(tok, 16, "\\x%02X", u[0]);
        return 1;
    }
    if (cp == 0x1B)
        snprintf(tok, 16, "\\e");
    else if (cp == '\n' && (flags & UTIL_ESC_KEEP_NL))
        *copy = 1;
    else if (cp < 0x20 || cp == 0x7F)
        snprintf(tok, 16, "\\x%02X", (unsigned)cp);
    else if (util_cp_hidden(cp) || (cp >= 0x80 && (flags & UTIL_ESC_ASCII)))
        snprintf(tok, 16, "\\u{%04X}", (unsigned)cp);
    else
        *copy = n;
    return n;
}

char *util_escape_ex(const char *s, size_t len, size_t cap, unsigned flags)
{
    secret_span *sp = NULL;
    size_t nsp = secret_find(s, len, &sp), k = 0;
    const unsigned char *u = (const unsigned char *)s;
    strbuf sb = {0};
    sb_reserve(&sb, len < cap ? len : cap);
    size_t i = 0;
    while (i < len) {
        char tok[16];
        size_t copy = 0, adv;
        const char *out = tok;
        if (k < nsp && i >= sp[k].start) {
            out = SECRET_MARK;
            adv = sp[k++].end - i;
        } else {
            /* A sequence never runs into a secret: cut there, its bytes
             * are escaped one by one. */
            size_t stop = k < nsp ? sp[k].start : len;
            adv = token(u + i, stop - i, flags, tok, &copy);
            if (copy)
                out = s + i;
        }
        size_t olen = copy ? copy : strlen(out);
        if (olen > cap - sb.len)
            break;
        sb_append(&sb, out, olen);
        i += adv;
    }
    if (i < len)
        sb_printf(&sb, " ... (%zu more bytes)", len - i);
    free(sp);
    return sb_steal(&sb);
}

char *util_escape_capped(const char *s, size_t len, size_t cap)
{
    return util_escape_ex(s, len, cap, 0);
}

char *util_escape(const char *s, size_t len)
{
    return util_escape_ex(s, len, SIZE_MAX, 0);
}
