/* secret: see secret.h.  A handful of needles searched with memmem: a run
 * registers one password (the wizard perhaps a few), so no index is needed. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/secret.h"
#include "base/util.h"

typedef struct needle {
    char *data;
    size_t len;
} needle;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static needle *needles;
static size_t nneedles;

/* Under the lock. */
static void add_needle(const char *data, size_t len)
{
    if (len == 0)
        return;
    for (size_t i = 0; i < nneedles; i++)
        if (needles[i].len == len && memcmp(needles[i].data, data, len) == 0)
            return;
    needles = xrealloc(needles, (nneedles + 1) * sizeof *needles);
    char *copy = xmalloc(len);
    memcpy(copy, data, len);
    needles[nneedles++] = (needle){.data = copy, .len = len};
}

/* The base64 of data[0..len), padded and not (under the lock). */
static void add_b64(const char *data, size_t len)
{
    char *b = util_b64_encode(data, len);
    size_t n = strlen(b);
    add_needle(b, n);
    while (n && b[n - 1] == '=')
        n--;
    add_needle(b, n);
    OPENSSL_cleanse(b, strlen(b));
    free(b);
}

void secret_add(const char *user, const char *password)
{
    if (!password || !*password)
        return;
    size_t pl = strlen(password), ul = user ? strlen(user) : 0;
    pthread_mutex_lock(&lock);
    add_needle(password, pl);
    add_b64(password, pl);
    if (user) {
        /* "user\0user\0password"; its tail is "\0user\0password". */
        size_t n = ul + 1 + ul + 1 + pl;
        char *blob = xmalloc(n);
        memcpy(blob, user, ul);
        blob[ul] = '\0';
        memcpy(blob + ul + 1, user, ul);
        blob[2 * ul + 1] = '\0';
        memcpy(blob + 2 * ul + 2, password, pl);
        add_b64(blob, n);
        add_b64(blob + ul, n - ul);
        OPENSSL_cleanse(blob, n);
        free(blob);
    }
    pthread_mutex_unlock(&lock);
}

void secret_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nneedles; i++) {
        OPENSSL_cleanse(needles[i].data, needles[i].len);
        free(needles[i].data);
    }
    free(needles);
    needles = NULL;
    nneedles = 0;
    pthread_mutex_unlock(&lock);
}

bool secret_active(void)
{
    pthread_mutex_lock(&lock);
    bool any = nneedles > 0;
    pthread_mutex_unlock(&lock);
    return any;
}

static int span_cmp(const void *a, const void *b)
{
    const secret_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Every occurrence of every needle, overlapping ones included (a password
 * "abab" in "ababab" occurs twice): each start position is tried. */
static size_t collect(const char *s, size_t len, secret_span **out)
{
    size_t n = 0, cap = 0;
    for (size_t k = 0; k < nneedles; k++) {
        const needle *nd = &needles[k];
        const char *p = s, *end = s + len;
        while ((size_t)(end - p) >= nd->len) {
            const char *hit = memmem(p, (size_t)(end - p), nd->data, nd->len);
            if (!hit)
                break;
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            (*out)[n++] = (secret_span){(size_t)(hit - s), (size_t)(hit - s) + nd->len};
            p = hit + 1;
        }
    }
    return n;
}

size_t secret_find(const char *s, size_t len, secret_span **spans)
{
    *spans = NULL;
    pthread_mutex_lock(&lock);
    size_t n = nneedles ? collect(s, len, spans) : 0;
    pthread_mutex_unlock(&lock);
    if (n == 0)
        return 0;
    qsort(*spans, n, sizeof **spans, span_cmp);
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if ((*spans)[i].start <= (*spans)[m].end) {
            if ((*spans)[i].end > (*spans)[m].end)
                (*spans)[m].end = (*spans)[i].end;
        } else {
            (*spans)[++m] = (*spans)[i];
        }
    }
    return m + 1;
}
