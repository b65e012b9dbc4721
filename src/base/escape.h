/* escape: untrusted bytes made safe to show or store - on a terminal, in a
 * log, a JSON or a Markdown file - whatever the locale.  Part of util (the
 * util_ prefix); base/util.h includes this header.  Every char * returned is
 * allocated and owned by the caller (free()); none is ever NULL.
 *
 * Notation (documented for the reader of a transcript):
 *   kept        printable ASCII, and valid UTF-8 of a printable code point
 *   \e          ESC (0x1B)
 *   \xNN        any other C0 control byte (TAB included), DEL (0x7F), and
 *               every byte that does not begin a valid shortest-form UTF-8
 *               sequence: raw C1 bytes 0x80-0x9F, overlong forms (C0, C1,
 *               E0 80-9F, F0 80-8F), surrogates (ED A0-BF), code points over
 *               U+10FFFF (F4 90-, F5-FF), truncated or cut sequences; one
 *               \xNN per byte
 *   \u{XXXX}    a valid UTF-8 sequence whose code point util_cp_hidden
 *               names (C1 controls, bidi and format characters, line and
 *               paragraph separators); with UTIL_ESC_ASCII every non-ASCII
 *               code point
 *   <redacted>  a registered secret (base/secret.h), found in the raw bytes
 *               before anything is escaped
 * A backslash in the input is kept as it is. */
#ifndef SMTPWIZ_ESCAPE_H
#define SMTPWIZ_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    UTIL_ESC_ASCII = 1u << 0,    /* the output is 7-bit ASCII: for a terminal
                                    whose charset is not known */
    UTIL_ESC_KEEP_NL = 1u << 1,  /* LF is kept (multi-line text) */
};

/* The whole of s[0..len) escaped. */
char *util_escape(const char *s, size_t len);
/* At most cap bytes of escaped text; what does not fit is counted, not
 * shown: " ... (N more bytes)" (N input bytes).  Secrets are looked for in
 * the whole input before it is cut, so a cut never shows part of one. */
char *util_escape_capped(const char *s, size_t len, size_t cap);
char *util_escape_ex(const char *s, size_t len, size_t cap, unsigned flags);

/* One UTF-8 sequence at s (left bytes, left > 0): its length (1-4) with the
 * code point in *cp, or 0 if the bytes there are not a valid, shortest-form
 * sequence of a Unicode scalar value. */
size_t util_utf8_decode(const unsigned char *s, size_t left, uint32_t *cp);
/* True for the code points that are never shown as themselves: C0 controls,
 * DEL, C1 controls (U+0080-U+009F), the whole Unicode general category Cf
 * as of Unicode 15 (U+00AD, U+0600-U+0605, U+061C, U+06DD, U+070F,
 * U+0890-U+0891, U+08E2, U+180E, U+200B-U+200F, U+202A-U+202E,
 * U+2060-U+206F (U+2065 unassigned, taken too), U+FEFF, U+FFF9-U+FFFB,
 * U+110BD, U+110CD, U+13430-U+1343F, U+1BCA0-U+1BCA3, U+1D173-U+1D17A,
 * U+E0001, U+E0020-U+E007F), and the separators U+2028 and U+2029. */
bool util_cp_hidden(uint32_t cp);

#endif
