/* transcript: every line sent and received in a run, with its time offset,
 * direction and whether it went inside TLS.  Lines are stored already
 * escaped (util_escape) and already redacted: nothing secret ever enters.
 *
 * Bounded whatever the server sends: each line keeps at most TR_LINE_SHOWN
 * bytes of escaped text (then "... (N more bytes)"); the transcript keeps
 * TR_BUDGET bytes of text in all, after which the server's lines are
 * elided: one note in their place counts them, "(N lines, M bytes not
 * kept)".  Our own lines and notes get TR_RESERVE more, so that what
 * smtpwiz did and concluded stays readable after a flood. */
#ifndef SMTPWIZ_TRANSCRIPT_H
#define SMTPWIZ_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#define TR_MAX_ENTRIES 20000
#define TR_LINE_SHOWN 2048            /* escaped bytes kept of one line */
#define TR_BUDGET (1024 * 1024)       /* escaped bytes kept in all */
#define TR_RESERVE (64 * 1024)        /* more for our own lines and notes */

typedef enum {
    TR_CLIENT = 'C',   /* we sent it */
    TR_SERVER = 'S',   /* the server sent it */
    TR_NOTE   = '*',   /* our own remark: connected, TLS started, decoded NTLM ... */
} tr_dir;

typedef struct tr_entry {
    double t_ms;       /* since transcript start */
    char dir;          /* tr_dir */
    bool tls;
    char *line;        /* escaped, redacted, owned */
} tr_entry;

typedef struct transcript {
    tr_entry *v;
    size_t n, cap;
    double t0;
    size_t bytes;      /* escaped text kept, elision notes not counted */
    size_t dropped;    /* lines not kept (budget or TR_MAX_ENTRIES) */
    size_t dropped_bytes;  /* their raw bytes */
    size_t elide_at;   /* index + 1 of the elision note being counted, or 0 */
    size_t elide_lines, elide_bytes;   /* what that note counts */
} transcript;

void tr_init(transcript *t);
void tr_free(transcript *t);
/* Entries [from, from + max) copied (each line allocated: the caller frees
 * them) while another thread may append; returns how many entries there
 * are, and *dropped (if not NULL) how many lines were not kept. */
size_t tr_copy(const transcript *t, size_t from, size_t max, tr_entry *out, size_t *dropped);
/* Raw bytes; escaped (and capped) on the way in. */
void tr_add(transcript *t, tr_dir dir, bool tls, const char *line, size_t len);
void tr_note(transcript *t, bool tls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Move every line of src to the end of dst, in order, with its time
 * (both count from their own t0), under dst's budget; src is left empty. */
void tr_merge(transcript *dst, transcript *src);
/* The redaction marker for a secret payload: "<redacted: 24 bytes>". */
char *tr_redacted(size_t len);

#endif
