/* kb: load an article file with libinih.  Debian's libinih is built
 * without INI_HANDLER_LINENO, so the handler cannot be told the line: we
 * feed inih through our own fgets-style reader, which counts lines and
 * remembers whether the last one was indented (a continuation line). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb/kb.h"
#include "base/util.h"

typedef struct kb_loader {
    kb_article *a;
    kb_errors *errs;
    FILE *f;
    int lineno;          /* of the line inih is handling */
    bool cont;           /* that line was indented: a continuation */
    char section[128];
    long step;           /* index of the current [step], -1 if none */
    long pat;            /* index of the current [triage], -1 if none */
    int headers;         /* [section] lines read so far */
    int opened;          /* sections the handler has opened */
    int header_line;     /* line of the last [section] */
    /* The branch `because` and `rules_out` belong to: the last branch key
     * of the current step (kept as where, not a pointer: whens move). */
    enum { LB_NONE, LB_WHEN, LB_STATUS, LB_DEFAULT, LB_YES, LB_NO, LB_UNKNOWN } last;
    size_t last_i;
} kb_loader;

void kb_errors_add(kb_errors *e, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
    e->v[e->n++] = line > 0 ? xasprintf("%s:%d: %s", file, line, msg) : xasprintf("%s: %s", file, msg);
    free(msg);
}

void kb_errors_free(kb_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
    e->v = NULL;
    e->n = 0;
}

/* inih reads at most INI_MAX_LINE (200) bytes per call: a longer line
 * would come back in pieces and be misread, so we say so instead. */
static char *kb_reader(char *str, int num, void *stream)
{
    kb_loader *L = stream;
    if (!fgets(str, num, L->f))
        return NULL;
    L->lineno++;
    L->cont = str[0] == ' ' || str[0] == '\t';
    /* Two sections of the same name in a row reach the handler as one:
     * count the headers here so that a repeated [step x] is still seen. */
    if (str[0] == '[') {
        L->headers++;
        L->header_line = L->lineno;
    }
    size_t len = strlen(str);
    if (len == (size_t)num - 1 && str[len - 1] != '\n') {
        int c;
        while ((c = fgetc(L->f)) != EOF && c != '\n')
            ;
        kb_errors_add(L->errs, L->a->file, L->lineno,
                      "line longer than %d characters; continue the text on an indented "
                      "next line", num - 2);
    }
    return str;
}

/* Text values may continue on indented lines; a lone "." is an empty line. */
static void set_text(char **slot, const char *value, bool cont)
{
    if (!cont || !*slot) {
        free(*slot);
        *slot = xstrdup(value);
        return;
    }
    char *joined = xasprintf("%s\n%s", *slot, strcmp(value, ".") == 0 ? "" : value);
    free(*slot);
    *slot = joined;
}

static void set_target(kb_loader *L, kb_branch *b, const char *value)
{
    if (b->target)
        kb_errors_add(L->errs, L->a->file, L->lineno, "this branch is given twice (first at line %d)",
                      b->line);
    free(b->target);
    b->target = xstrdup(value);
    b->line = L->lineno;
}

static void branch_free(kb_branch *b)
{
    free(b->target);
    free(b->because);
    for (size_t i = 0; i < b->nrules_out; i++)
        free(b->rules_out[i]);
    free(b->rules_out);
}

static kb_branch *last_branch(kb_loader *L, kb_step *s)
{
    switch (L->last) {
    case LB_WHEN: return L->last_i < s->nwhens ? &s->whens[L->last_i].br : NULL;
    case LB_STATUS: return &s->on[L->last_i];
    case LB_DEFAULT: return &s->dflt;
    case LB_YES: return &s->yes;
    case LB_NO: return &s->no;
    case LB_UNKNOWN: return &s->unknown;
    default: return NULL;
    }
}

/* `because = ...`, `rules_out = ID ...` and `untested = yes` describe the
 * branch above them. */
static void branch_note(kb_loader *L, kb_step *s, const char *k, const char *v)
{
    kb_branch *b = last_branch(L, s);
    if (!b) {
        kb_errors_add(L->errs, L->a->file, L->lineno, "`%s` must follow the branch it describes "
                      "(a when, pass ... default, yes, no or unknown line)", k);
        return;
    }
    if (strcmp(k, "because") == 0) {
        set_text(&b->because, v, L->cont);
        return;
    }
    if (strcmp(k, "untested") == 0) {
        if (strcmp(v, "yes") && strcmp(v, "no"))
            kb_errors_add(L->errs, L->a->file, L->lineno, "untested is yes or no, not \"%s\"", v);
        b->untested = strcmp(v, "yes") == 0;
        return;
    }
    char *copy = xstrdup(v), *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        b->rules_out = xrealloc(b->rules_out, (b->nrules_out + 1) * sizeof *b->rules_out);
        b->rules_out[b->nrules_out++] = xstrdup(w);
    }
    free(copy);
}

/* "when = COND [and COND]... -> STEP" */
static void add_when(kb_loader *L, kb_step *s, const char *value)
{
    const char *arrow = strstr(value, "->");
    if (!arrow) {
        kb_errors_add(L->errs, L->a->file, L->lineno,
                      "a `when` needs `-> STEP` after its condition, e.g. "
                      "`when = xexch50.reply_auth ~ ^504 -> sendas`");
        return;
    }
    kb_when w = {.text = xstrndup(value, (size_t)(arrow - value)), .br.line = L->lineno};
    char *t = w.text + strlen(w.text);
    while (t > w.text && (t[-1] == ' ' || t[-1] == '\t'))
        *--t = '\0';
    const char *tg = arrow + 2;
    tg += strspn(tg, " \t");
    w.br.target = xstrdup(tg);
    char *copy = xstrdup(w.text), *p = copy;
    while (p) {
        char *next = strstr(p, " and ");
        if (next)
            *next = '\0';
        char *why = NULL;
        w.conds = xrealloc(w.conds, (w.nconds + 1) * sizeof *w.conds);
        if (kb_cond_parse(p, &w.conds[w.nconds], &why))
            w.nconds++;
        else {
            kb_errors_add(L->errs, L->a->file, L->lineno, "%s", why);
            free(why);
        }
        p = next ? next + 5 : NULL;
    }
    free(copy);
    s->whens = xrealloc(s->whens, (s->nwhens + 1) * sizeof *s->whens);
    L->last = LB_WHEN;
    L->last_i = s->nwhens;
    s->whens[s->nwhens++] = w;
}

static int status_index(const char *name)
{
    static const char *const n[KB_NSTATUS] = {"pass", "warn", "fail", "skip", "error"};
    for (int i = 0; i < KB_NSTATUS; i++)
        if (strcmp(name, n[i]) == 0)
            return i;
    return -1;
}

static bool step_text_key(kb_loader *L, kb_step *s, const char *k, const char *v)
{
    char **slot = NULL;
    if (strcmp(k, "title") == 0) slot = &s->title;
    else if (strcmp(k, "why") == 0) slot = &s->why;
    else if (strcmp(k, "ask") == 0) slot = &s->ask;
    else if (strcmp(k, "how") == 0) slot = &s->how;
    else if (strcmp(k, "means") == 0) slot = &s->means;
    else if (strcmp(k, "fix") == 0) slot = &s->fix;
    else if (strcmp(k, "because") == 0) {
        branch_note(L, s, k, v);
        return true;
    }
    if (!slot)
        return false;
    set_text(slot, v, L->cont);
    return true;
}

static kb_kind kind_from(const char *v)
{
    if (strcmp(v, "probe") == 0) return KB_PROBE;
    if (strcmp(v, "question") == 0) return KB_QUESTION;
    if (strcmp(v, "conclusion") == 0) return KB_CONCLUSION;
    return KB_NONE;
}

static void step_key(kb_loader *L, kb_step *s, const char *k, const char *v)
{
    int si;
    if (step_text_key(L, s, k, v))
        return;
    if (L->cont) {
        kb_errors_add(L->errs, L->a->file, L->lineno,
                      "`%s` takes one line; only text keys (title why ask how means fix) continue", k);
    } else if (strcmp(k, "kind") == 0) {
        s->kind = kind_from(v);
        if (s->kind == KB_NONE)
            kb_errors_add(L->errs, L->a->file, L->lineno,
                          "unknown kind \"%s\": use probe, question or conclusion", v);
    } else if (strcmp(k, "probe") == 0) {
        free(s->probe);
        s->probe = xstrdup(v);
        s->probe_line = L->lineno;
    } else if ((si = status_index(k)) >= 0) {
        set_target(L, &s->on[si], v);
        L->last = LB_STATUS, L->last_i = (size_t)si;
    } else if (strcmp(k, "default") == 0) {
        set_target(L, &s->dflt, v);
        L->last = LB_DEFAULT;
    } else if (strcmp(k, "when") == 0) {
        add_when(L, s, v);
    } else if (strcmp(k, "yes") == 0) {
        set_target(L, &s->yes, v);
        L->last = LB_YES;
    } else if (strcmp(k, "no") == 0) {
        set_target(L, &s->no, v);
        L->last = LB_NO;
    } else if (strcmp(k, "unknown") == 0) {
        set_target(L, &s->unknown, v);
        L->last = LB_UNKNOWN;
    } else if (strcmp(k, "rules_out") == 0 || strcmp(k, "untested") == 0) {
        branch_note(L, s, k, v);
    } else if (strcmp(k, "premise") == 0) {
        if (strcmp(v, "yes") && strcmp(v, "no"))
            kb_errors_add(L->errs, L->a->file, L->lineno, "premise is yes or no, not \"%s\"", v);
        s->premise = strcmp(v, "yes") == 0;
        s->premise_set = true;
    } else if (strcmp(k, "severity") == 0) {
        free(s->severity);
        s->severity = xstrdup(v);
        if (strcmp(v, "ok") && strcmp(v, "warn") && strcmp(v, "fail"))
            kb_errors_add(L->errs, L->a->file, L->lineno, "severity is ok, warn or fail, not \"%s\"", v);
    } else {
        kb_errors_add(L->errs, L->a->file, L->lineno, "unknown key \"%s\" in a step", k);
    }
}

static void article_key(kb_loader *L, const char *k, const char *v)
{
    kb_article *a = L->a;
    if (strcmp(k, "id") == 0) set_text(&a->id, v, false);
    else if (strcmp(k, "title") == 0) set_text(&a->title, v, L->cont);
    else if (strcmp(k, "source") == 0) set_text(&a->source, v, L->cont);
    else if (strcmp(k, "symptoms") == 0) set_text(&a->symptoms, v, L->cont);
    else if (strcmp(k, "start") == 0) {
        set_text(&a->start, v, false);
        a->start_line = L->lineno;
    } else
        kb_errors_add(L->errs, a->file, L->lineno, "unknown key \"%s\" in [article]", k);
}

static void pattern_key(kb_loader *L, kb_pattern *p, const char *k, const char *v)
{
    if (strcmp(k, "match") == 0) {
        set_text(&p->match, v, false);
        if (p->has_re)
            regfree(&p->re);
        int rc = regcomp(&p->re, v, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
        p->has_re = rc == 0;
        if (rc != 0) {
            char buf[128];
            regerror(rc, &p->re, buf, sizeof buf);
            kb_errors_add(L->errs, L->a->file, L->lineno, "bad regular expression: %s", buf);
        }
    } else if (strcmp(k, "step") == 0) set_text(&p->step, v, false);
    else if (strcmp(k, "what") == 0) set_text(&p->what, v, L->cont);
    else if (strcmp(k, "weight") == 0) p->weight = atoi(v);
    else
        kb_errors_add(L->errs, L->a->file, L->lineno, "unknown key \"%s\" in a [triage] pattern", k);
}

/* A new [section]: an article header, a step, or a triage pattern. */
static void open_section(kb_loader *L, const char *section)
{
    kb_article *a = L->a;
    snprintf(L->section, sizeof L->section, "%s", section);
    L->step = L->pat = -1;
    if (strncmp(section, "step ", 5) == 0 && section[5]) {
        a->steps = xrealloc(a->steps, (a->nsteps + 1) * sizeof *a->steps);
        kb_step *s = &a->steps[a->nsteps];
        memset(s, 0, sizeof *s);
        L->last = LB_NONE;
        s->id = xstrdup(section + 5);
        s->line = L->header_line;
        L->step = (long)a->nsteps++;
    } else if (strncmp(section, "triage ", 7) == 0 && section[7]) {
        a->patterns = xrealloc(a->patterns, (a->npatterns + 1) * sizeof *a->patterns);
        kb_pattern *p = &a->patterns[a->npatterns];
        memset(p, 0, sizeof *p);
        p->name = xstrdup(section + 7);
        p->line = L->header_line;
        p->weight = 1;
        L->pat = (long)a->npatterns++;
    } else if (strcmp(section, "article") != 0) {
        kb_errors_add(L->errs, a->file, L->header_line,
                      "unknown section [%s]: use [article], [step ID] or [triage NAME]", section);
    }
}

static int kb_handler(void *user, const char *section, const char *name, const char *value)
{
    kb_loader *L = user;
    /* inih has no callback for a section header: its first key opens it. */
    if (L->opened != L->headers) {
        L->opened = L->headers;
        open_section(L, section);
    }
    if (L->step >= 0)
        step_key(L, &L->a->steps[L->step], name, value);
    else if (L->pat >= 0)
        pattern_key(L, &L->a->patterns[L->pat], name, value);
    else if (strcmp(section, "article") == 0)
        article_key(L, name, value);
    else if (!*section)
        kb_errors_add(L->errs, L->a->file, L->lineno, "key \"%s\" before any [section]", name);
    return 1;
}

kb_article *kb_load(const char *path, kb_errors *errs)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        kb_errors_add(errs, path, 0, "cannot open the knowledge-base file: %s (check the path, "
                      "or set SMTPWIZ_KBDIR to the directory holding kb843106.ini)", strerror(errno));
        return NULL;
    }
    kb_article *a = xcalloc(1, sizeof *a);
    a->file = xstrdup(path);
    kb_loader L = {.a = a, .errs = errs, .f = f, .step = -1, .pat = -1};
    int rc = ini_parse_stream(kb_reader, &L, kb_handler, &L);
    if (rc > 0)
        kb_errors_add(errs, path, rc, "not a `key = value` line, a [section] or an indented "
                      "continuation line");
    else if (rc != 0 || ferror(f))
        kb_errors_add(errs, path, 0, "could not read the file");
    fclose(f);
    kb_validate(a, errs);
    return a;
}

static void step_free(kb_step *s)
{
    free(s->id);
    free(s->title);
    free(s->why);
    free(s->probe);
    for (int i = 0; i < KB_NSTATUS; i++)
        branch_free(&s->on[i]);
    branch_free(&s->dflt);
    for (size_t i = 0; i < s->nwhens; i++) {
        for (size_t j = 0; j < s->whens[i].nconds; j++)
            kb_cond_free(&s->whens[i].conds[j]);
        free(s->whens[i].conds);
        free(s->whens[i].text);
        branch_free(&s->whens[i].br);
    }
    free(s->whens);
    free(s->ask);
    free(s->how);
    branch_free(&s->yes);
    branch_free(&s->no);
    branch_free(&s->unknown);
    free(s->means);
    free(s->fix);
    free(s->severity);
}

void kb_free(kb_article *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nsteps; i++)
        step_free(&a->steps[i]);
    free(a->steps);
    for (size_t i = 0; i < a->npatterns; i++) {
        kb_pattern *p = &a->patterns[i];
        if (p->has_re)
            regfree(&p->re);
        free(p->name);
        free(p->match);
        free(p->step);
        free(p->what);
    }
    free(a->patterns);
    free(a->file);
    free(a->id);
    free(a->title);
    free(a->source);
    free(a->symptoms);
    free(a->start);
    free(a);
}

const kb_step *kb_step_find(const kb_article *a, const char *id)
{
    for (size_t i = 0; id && i < a->nsteps; i++)
        if (strcmp(a->steps[i].id, id) == 0)
            return &a->steps[i];
    return NULL;
}

const char *kb_kind_name(kb_kind k)
{
    switch (k) {
    case KB_PROBE: return "probe";
    case KB_QUESTION: return "question";
    case KB_CONCLUSION: return "conclusion";
    default: return "none";
    }
}

const kb_branch *kb_step_route(const kb_step *s, probe_status st)
{
    if ((unsigned)st < KB_NSTATUS && s->on[st].target)
        return &s->on[st];
    if (st == ST_ERROR)
        return NULL;   /* a probe that could not run stops the walk, unless told */
    return s->dflt.target ? &s->dflt : NULL;
}

bool kb_is_cause(const kb_step *s)
{
    return s->kind == KB_CONCLUSION && (!s->severity || strcmp(s->severity, "fail") == 0);
}

bool kb_is_finding(const kb_step *s)
{
    return s->kind == KB_CONCLUSION && !(s->severity && strcmp(s->severity, "ok") == 0);
}

bool kb_needs_premise(const kb_step *s)
{
    return kb_is_cause(s) && (!s->premise_set || s->premise);
}

bool kb_branch_rules_out(const kb_branch *b, const char *cause)
{
    for (size_t i = 0; i < b->nrules_out; i++)
        if (strcmp(b->rules_out[i], cause) == 0)
            return true;
    return false;
}

bool kb_is_article_file(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "kb", 2) == 0 && n > 6 && strcmp(name + n - 4, ".ini") == 0;
}

static bool dir_has_kb(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    for (struct dirent *de; !found && (de = readdir(d));)
        found = kb_is_article_file(de->d_name);
    closedir(d);
    return found;
}

char *kb_dir_find(const char *explicit_dir)
{
    if (explicit_dir)
        return xstrdup(explicit_dir);
    const char *env = getenv("SMTPWIZ_KBDIR");
    if (env && *env)
        return xstrdup(env);
    if (dir_has_kb("kb"))
        return xstrdup("kb");
    /* kb/ beside the binary, or one up (build-asan/smtpwiz): a source tree. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    for (int up = 0; n > 0 && up < 2; up++) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = '\0';
        n = slash - exe;
        char *d = xasprintf("%s/kb", exe);
        if (dir_has_kb(d))
            return d;
        free(d);
    }
    return xstrdup(SMTPWIZ_KBDIR);
}

kb_article *kb_load_reported(const char *path, FILE *err)
{
    kb_errors errs = {0};
    kb_article *a = kb_load(path, &errs);
    for (size_t i = 0; i < errs.n; i++)
        fprintf(err, "%s\n", errs.v[i]);
    if (errs.n) {
        kb_free(a);
        a = NULL;
    }
    kb_errors_free(&errs);
    return a;
}
