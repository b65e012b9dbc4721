/* transcript: see transcript.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/transcript.h"
#include "base/util.h"

void tr_init(transcript *t)
{
    memset(t, 0, sizeof *t);
    t->t0 = util_now_ms();
}

void tr_free(transcript *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].line);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static void tr_push(transcript *t, tr_dir dir, bool tls, char *line)
{
    if (t->n >= TR_MAX_ENTRIES) {
        /* Bounded: a server flooding replies cannot grow memory without end. */
        t->dropped++;
        free(line);
        return;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (tr_entry){
        .t_ms = util_now_ms() - t->t0, .dir = (char)dir, .tls = tls, .line = line,
    };
}

void tr_add(transcript *t, tr_dir dir, bool tls, const char *line, size_t len)
{
    tr_push(t, dir, tls, util_escape(line, len));
}

void tr_note(transcript *t, bool tls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    tr_push(t, TR_NOTE, tls, util_escape(raw, strlen(raw)));
    free(raw);
}

char *tr_redacted(size_t len)
{
    return xasprintf("<redacted: %zu bytes>", len);
}
