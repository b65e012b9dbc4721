/* util: allocation wrappers that never return NULL, a growable string buffer,
 * a monotonic clock, and (escape.c, escape.h) escaping of untrusted bytes.
 * Every char * returned here is allocated and owned by the caller (free()). */
#ifndef SMTPWIZ_UTIL_H
#define SMTPWIZ_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/escape.h"   /* util_escape and its variants */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* x rounded to `decimals` places, halves away from zero (a value too large
 * or not a number is returned as it is).  Without libm: nothing else
 * needed it, and a library less is a smaller, quicker start. */
double util_round(double x, int decimals);

/* Milliseconds on the monotonic clock (for deadlines and elapsed times). */
double util_now_ms(void);

typedef struct strbuf {
    char *buf;   /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} strbuf;

/* Room for extra more bytes (and the NUL) without another allocation. */
void sb_reserve(strbuf *sb, size_t extra);
void sb_append(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_putc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_steal(strbuf *sb); /* returns the buffer ("" if empty), resets sb */
void sb_free(strbuf *sb);


/* ASCII case-insensitive helpers that do not depend on the locale. */
bool util_strieq(const char *a, const char *b);
bool util_strnieq(const char *a, const char *b, size_t n);
const char *util_stristr(const char *hay, const char *needle);
void util_upper(char *s);

/* Base64 (OpenSSL EVP): encode never fails; decode returns -1 on bad input,
 * else the decoded length, with *out allocated and NUL-terminated. */
char *util_b64_encode(const void *data, size_t len);
long util_b64_decode(const char *text, size_t len, unsigned char **out);

/* A TCP port as the user typed it: decimal digits only, no sign, no
 * leading zero, no "27027.0" or "0x6b93", in lo..65535 (lo is 1, or 0
 * where the kernel may pick).  Returns the port, or -1. */
int util_parse_port(const char *s, int lo);

/* Render a UTC time as ISO 8601 "2016-08-05T23:24:41Z" into buf (>= 21 bytes). */
void util_iso8601(long long unix_time, char *buf, size_t cap);

#endif
