/* transcript: see transcript.h. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/transcript.h"
#include "base/util.h"

/* One lock for every transcript: the wizard's screen reads a transcript
 * while its worker appends to it (tr_copy).  Held only around each change. */
static pthread_mutex_t tr_mu = PTHREAD_MUTEX_INITIALIZER;

void tr_init(transcript *t)
{
    memset(t, 0, sizeof *t);
    t->t0 = util_now_ms();
}

void tr_free(transcript *t)
{
    pthread_mutex_lock(&tr_mu);
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].line);
    free(t->v);
    memset(t, 0, sizeof *t);
    pthread_mutex_unlock(&tr_mu);
}

size_t tr_copy(const transcript *t, size_t from, size_t max, tr_entry *out, size_t *dropped)
{
    pthread_mutex_lock(&tr_mu);
    size_t n = t->n;
    for (size_t i = 0; i < max && from + i < n; i++) {
        out[i] = t->v[from + i];
        out[i].line = xstrdup(t->v[from + i].line ? t->v[from + i].line : "");
    }
    if (dropped)
        *dropped = t->dropped;
    pthread_mutex_unlock(&tr_mu);
    return n;
}

static void tr_append(transcript *t, tr_dir dir, bool tls, char *line)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (tr_entry){
        .t_ms = util_now_ms() - t->t0, .dir = (char)dir, .tls = tls, .line = line,
    };
}

/* A line over the budget: counted in the note that stands in its place
 * (a new note if the last entry is not one), or only counted once even
 * when the entries are used up. */
static void tr_elide(transcript *t, bool tls, size_t raw_len)
{
    t->dropped++;
    t->dropped_bytes += raw_len;
    if (t->elide_at == 0 || t->elide_at != t->n) {
        if (t->n >= TR_MAX_ENTRIES)
            return;
        t->elide_lines = t->elide_bytes = 0;
        tr_append(t, TR_NOTE, tls, NULL);
        t->elide_at = t->n;
    }
    t->elide_lines++;
    t->elide_bytes += raw_len;
    tr_entry *e = &t->v[t->elide_at - 1];
    free(e->line);
    e->line = xasprintf("(%zu line%s, %zu bytes not kept)", t->elide_lines,
                        t->elide_lines == 1 ? "" : "s", t->elide_bytes);
}

static void tr_push(transcript *t, tr_dir dir, bool tls, const char *raw, size_t len)
{
    size_t budget = dir == TR_SERVER ? TR_BUDGET : TR_BUDGET + TR_RESERVE;
    /* Bounded: a server flooding replies cannot grow memory without end. */
    if (t->n >= TR_MAX_ENTRIES || t->bytes >= budget) {
        tr_elide(t, tls, len);
        return;
    }
    char *line = util_escape_capped(raw, len, TR_LINE_SHOWN);
    size_t n = strlen(line);
    if (n > budget - t->bytes) {
        free(line);
        tr_elide(t, tls, len);
        return;
    }
    t->bytes += n;
    tr_append(t, dir, tls, line);
}

void tr_add(transcript *t, tr_dir dir, bool tls, const char *line, size_t len)
{
    pthread_mutex_lock(&tr_mu);
    tr_push(t, dir, tls, line, len);
    pthread_mutex_unlock(&tr_mu);
}

void tr_note(transcript *t, bool tls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&tr_mu);
    tr_push(t, TR_NOTE, tls, raw, strlen(raw));
    pthread_mutex_unlock(&tr_mu);
    free(raw);
}

void tr_merge(transcript *dst, transcript *src)
{
    pthread_mutex_lock(&tr_mu);
    double shift = src->t0 - dst->t0;
    for (size_t i = 0; i < src->n; i++) {
        tr_entry *e = &src->v[i];
        size_t n = e->line ? strlen(e->line) : 0;
        size_t budget = e->dir == TR_SERVER ? TR_BUDGET : TR_BUDGET + TR_RESERVE;
        if (dst->n >= TR_MAX_ENTRIES || n > budget - (dst->bytes < budget ? dst->bytes : budget)) {
            tr_elide(dst, e->tls, n);
            free(e->line);
            continue;
        }
        if (dst->n == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 64;
            dst->v = xrealloc(dst->v, dst->cap * sizeof *dst->v);
        }
        dst->bytes += n;
        dst->v[dst->n++] = (tr_entry){.t_ms = e->t_ms + shift, .dir = e->dir, .tls = e->tls,
                                      .line = e->line};
    }
    dst->dropped += src->dropped;
    dst->dropped_bytes += src->dropped_bytes;
    free(src->v);
    double t0 = src->t0;
    memset(src, 0, sizeof *src);
    src->t0 = t0;
    pthread_mutex_unlock(&tr_mu);
}

char *tr_redacted(size_t len)
{
    return xasprintf("<redacted: %zu bytes>", len);
}
