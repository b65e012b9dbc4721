/* reply: the SMTP reply parser (RFC 5321 4.2), pure and bounded.
 * A reply is fed one line at a time (without CRLF); the network reader in
 * smtp.c enforces the per-line limit before feeding.  Also used directly by
 * the unit tests and the fuzzer. */
#ifndef SMTPWIZ_REPLY_H
#define SMTPWIZ_REPLY_H

#include <stddef.h>

#define SMTP_LINE_MAX        4096   /* bytes in one reply line, CRLF excluded */
#define SMTP_REPLY_MAX_BYTES 65536  /* bytes in one whole reply */
#define SMTP_REPLY_MAX_LINES 1000   /* lines in one whole reply */

typedef struct smtp_reply {
    int code;            /* 3-digit code, 0 before the first line */
    char enhanced[16];   /* RFC 3463 "x.y.z" from the first line, or "" */
    char **lines;        /* text after "NNN-"/"NNN " per line, raw bytes, NUL-terminated */
    size_t nlines;
    size_t bytes;        /* bytes consumed so far, for the 64 KiB bound */
    int complete;        /* 1 once the last ("NNN ") line was fed */
} smtp_reply;

typedef enum {
    REPLY_MORE = 0,      /* line accepted, more lines follow */
    REPLY_DONE = 1,      /* line accepted, reply complete */
    REPLY_EBADLINE = -1, /* not "NNN", "NNN-text" or "NNN text" */
    REPLY_ECODE = -2,    /* code out of 200..599 or differs from the first line's */
    REPLY_ELINE = -3,    /* line over SMTP_LINE_MAX */
    REPLY_EBIG = -4,     /* reply over SMTP_REPLY_MAX_BYTES or _LINES */
} reply_status;

void smtp_reply_init(smtp_reply *r);
void smtp_reply_free(smtp_reply *r);    /* frees lines, re-inits */
/* Feed one line (no CRLF).  On error *err gets an allocated message. */
reply_status smtp_reply_feed(smtp_reply *r, const char *line, size_t len, char **err);
/* Parse a whole buffer of CRLF- or LF-terminated lines.  Returns REPLY_DONE
 * with *consumed set, REPLY_MORE if the buffer ends before the reply does,
 * or an error. */
reply_status smtp_reply_parse(const char *buf, size_t len, smtp_reply *r,
                              size_t *consumed, char **err);
/* All text lines joined with "\n" (allocated). */
char *smtp_reply_text(const smtp_reply *r);
/* "NNN text" of the last line, or of the only line (allocated) - the form
 * scripts compare against ("504 5.7.1 Not authorized"). */
char *smtp_reply_line(const smtp_reply *r);

#endif
