/* transcript: every line sent and received in a run, with its time offset,
 * direction and whether it went inside TLS.  Lines are stored already
 * escaped (util_escape) and already redacted: nothing secret ever enters. */
#ifndef SMTPWIZ_TRANSCRIPT_H
#define SMTPWIZ_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#define TR_MAX_ENTRIES 20000

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
    size_t dropped;    /* entries not kept past TR_MAX_ENTRIES */
} transcript;

void tr_init(transcript *t);
void tr_free(transcript *t);
/* Raw bytes; escaped on the way in. */
void tr_add(transcript *t, tr_dir dir, bool tls, const char *line, size_t len);
void tr_note(transcript *t, bool tls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The redaction marker for a secret payload: "<redacted: 24 bytes>". */
char *tr_redacted(size_t len);

#endif
