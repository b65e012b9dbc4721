/* ehlo: turns a 250 EHLO reply into capability flags and lists.  The input
 * is bounded by reply.c (1000 lines, 64 KiB); the mechanism lists get their
 * own cap (ehlo.h) so that a hostile server cannot make de-duplication
 * quadratic, nor the probes open one session per name it invents. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ehlo.h"
#include "base/names.h"
#include "base/util.h"

static const struct {
    const char *kw;
    unsigned flag;
} cap_names[] = {
    {"STARTTLS", CAP_STARTTLS},
    {"AUTH", CAP_AUTH},
    {"X-EXPS", CAP_X_EXPS},
    {"XEXCH50", CAP_XEXCH50},
    {"X-ANONYMOUSTLS", CAP_X_ANONYMOUSTLS},
    {"X-EXCHANGEAUTH", CAP_X_EXCHANGEAUTH},
    {"X-LINK2STATE", CAP_X_LINK2STATE},
    {"XRDST", CAP_XRDST},
    {"PIPELINING", CAP_PIPELINING},
    {"SIZE", CAP_SIZE},
    {"8BITMIME", CAP_8BITMIME},
    {"BINARYMIME", CAP_BINARYMIME},
    {"CHUNKING", CAP_CHUNKING},
    {"DSN", CAP_DSN},
    {"ENHANCEDSTATUSCODES", CAP_ENHANCEDSTATUSCODES},
    {"SMTPUTF8", CAP_SMTPUTF8},
    {"TURN", CAP_TURN},
    {"ETRN", CAP_ETRN},
    {"VRFY", CAP_VRFY},
};

void ehlo_caps_init(ehlo_caps *c)
{
    memset(c, 0, sizeof *c);
    c->size_limit = -1;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void ehlo_caps_free(ehlo_caps *c)
{
    free(c->hello_name);
    free(c->hello_text);
    free_list(c->keywords, c->nkeywords);
    free_list(c->auth_mechs, c->nauth);
    free_list(c->exps_mechs, c->nexps);
    ehlo_caps_init(c);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool listed(char *const *list, size_t count, const char *word)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(list[i], word))
            return true;
    return false;
}

/* Appends an upper-cased copy of word[0..n) unless it is already listed. */
static void list_add(char ***list, size_t *count, const char *word, size_t n)
{
    char *up = xstrndup(word, n);
    util_upper(up);
    if (listed(*list, *count, up)) {
        free(up);
        return;
    }
    *list = xrealloc(*list, (*count + 1) * sizeof **list);
    (*list)[(*count)++] = up;
}

typedef struct mech_list {
    char ***names;
    size_t *count, *invalid, *over;
} mech_list;

/* One word of an AUTH or X-EXPS line: kept if it is a SASL name, new, and
 * there is room; otherwise counted.  Names are matched in upper case (RFC
 * 4954 clients upper-case what the server sends). */
static void mech_add(const mech_list *m, const char *word, size_t n)
{
    char up[NAMES_SASL_MAX + 1];
    if (n > NAMES_SASL_MAX) {
        (*m->invalid)++;
        return;
    }
    memcpy(up, word, n);
    up[n] = '\0';
    util_upper(up);
    if (!names_sasl_mech(up, n, NULL))
        (*m->invalid)++;
    else if (listed(*m->names, *m->count, up))
        return;
    else if (*m->count >= EHLO_MECHS_MAX)
        (*m->over)++;
    else
        list_add(m->names, m->count, up, n);
}

/* Adds the words of s (space separated) to a mechanism list. */
static void add_mechs(const mech_list *m, const char *s)
{
    while (*s) {
        while (is_space(*s))
            s++;
        size_t n = 0;
        while (s[n] && !is_space(s[n]))
            n++;
        if (n > 0)
            mech_add(m, s, n);
        s += n;
    }
}

/* SIZE's optional parameter: a plain decimal that fits, else -1. */
static long long parse_size(const char *s)
{
    while (is_space(*s))
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    long long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (LLONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return (*s == '\0' || is_space(*s)) ? v : -1;
}

/* The mechanism lists a keyword feeds: AUTH and AUTH=, X-EXPS and X-EXPS=. */
static void take_mechs(ehlo_caps *c, const char *kw, const char *line, size_t kwlen)
{
    bool auth = !strncmp(kw, "AUTH", 4) && (kw[4] == '\0' || kw[4] == '=');
    bool exps = !strncmp(kw, "X-EXPS", 6) && (kw[6] == '\0' || kw[6] == '=');
    if (!auth && !exps)
        return;
    size_t eq = auth ? 4 : 6;
    /* "AUTH=LOGIN PLAIN": the first mechanism is glued to the keyword. */
    const char *rest = kw[eq] == '=' ? line + eq + 1 : line + kwlen;
    mech_list m = auth ? (mech_list){&c->auth_mechs, &c->nauth, &c->auth_invalid, &c->auth_over}
                       : (mech_list){&c->exps_mechs, &c->nexps, &c->exps_invalid, &c->exps_over};
    c->flags |= auth ? CAP_AUTH : CAP_X_EXPS;
    add_mechs(&m, rest);
}

static void take_line(ehlo_caps *c, const char *line)
{
    while (is_space(*line))
        line++;
    size_t n = 0;
    while (line[n] && !is_space(line[n]))
        n++;
    if (n == 0)
        return;
    char *kw = xstrndup(line, n);
    util_upper(kw);
    if (smtp_keyword_is_masked(kw))
        c->masked_lines++;
    list_add(&c->keywords, &c->nkeywords, kw, n);
    for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
        if (!strcmp(kw, cap_names[i].kw))
            c->flags |= cap_names[i].flag;
    if (!strcmp(kw, "SIZE") && c->size_limit < 0)
        c->size_limit = parse_size(line + n);
    take_mechs(c, kw, line, n);
    free(kw);
}

int ehlo_caps_parse(const smtp_reply *r, ehlo_caps *c)
{
    ehlo_caps_init(c);
    if (r->code != 250 || r->nlines == 0)
        return -1;
    const char *hello = r->lines[0];
    c->hello_text = xstrdup(hello);
    while (is_space(*hello))
        hello++;
    size_t n = 0;
    while (hello[n] && !is_space(hello[n]))
        n++;
    if (n > 0)
        c->hello_name = xstrndup(hello, n);
    for (size_t i = 1; i < r->nlines; i++)
        take_line(c, r->lines[i]);
    return 0;
}

bool ehlo_caps_has_keyword(const ehlo_caps *c, const char *kw)
{
    for (size_t i = 0; i < c->nkeywords; i++)
        if (util_strieq(c->keywords[i], kw))
            return true;
    return false;
}

bool ehlo_caps_has_mech(char *const *mechs, size_t n, const char *mech)
{
    for (size_t i = 0; i < n; i++)
        if (util_strieq(mechs[i], mech))
            return true;
    return false;
}

bool smtp_keyword_is_masked(const char *kw)
{
    size_t masks = 0;
    const char *p = kw;
    while (*p == 'X' || *p == 'x' || *p == '*') {
        masks++;
        p++;
    }
    /* Two mask characters at least: a lone "X" could be a real keyword. */
    if (masks < 2)
        return false;
    if (*p == '\0')
        return true;
    bool letter = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
    return letter && p[1] == '\0';
}
