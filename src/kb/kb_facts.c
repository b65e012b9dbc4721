/* kb_facts: the conditions on facts ("ehlo.keywords has XEXCH50",
 * "xexch50.reply_auth ~ ^504"), checked at load time against the probes'
 * own declarations (probe/catalog.h), so that a knowledge-base file naming
 * a fact no probe produces is refused instead of silently never matching. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "base/util.h"

/* Every probe also has the pseudo-facts "status" and "summary". */
bool kb_fact_known(const char *probe, const char *name)
{
    const probe_decl *p = probe_find(probe);
    if (!p)
        return false;
    return strcmp(name, "status") == 0 || strcmp(name, "summary") == 0 ||
           probe_fact_find(p, name) != NULL;
}

char *kb_facts_list(const char *probe)
{
    const probe_decl *p = probe_find(probe);
    if (!p)
        return xstrdup("");
    char *facts = probe_facts_list(p);
    char *out = xasprintf("status summary %s", facts);
    free(facts);
    return out;
}

static const struct { const char *name; kb_op op; bool unary; } kb_ops[] = {
    {"has", KB_OP_HAS, false}, {"lacks", KB_OP_LACKS, false}, {"~", KB_OP_MATCH, false},
    {"!~", KB_OP_NOMATCH, false}, {"=", KB_OP_EQ, false}, {"!=", KB_OP_NE, false},
    {"<", KB_OP_LT, false}, {">", KB_OP_GT, false}, {"<=", KB_OP_LE, false},
    {">=", KB_OP_GE, false}, {"empty", KB_OP_EMPTY, true}, {"nonempty", KB_OP_NONEMPTY, true},
    {"exists", KB_OP_EXISTS, true}, {"missing", KB_OP_MISSING, true},
};

/* Split "probe.fact op value" at blanks; the value is the rest of the line. */
static bool split_cond(const char *text, char **subject, char **op, char **value)
{
    const char *p = text + strspn(text, " \t");
    size_t n = strcspn(p, " \t");
    if (!n)
        return false;
    *subject = xstrndup(p, n);
    p += n;
    p += strspn(p, " \t");
    n = strcspn(p, " \t");
    *op = xstrndup(p, n);
    p += n;
    p += strspn(p, " \t");
    size_t vlen = strlen(p);
    while (vlen && (p[vlen - 1] == ' ' || p[vlen - 1] == '\t'))
        vlen--;
    *value = vlen ? xstrndup(p, vlen) : NULL;
    return true;
}

static bool cond_fill(kb_cond *c, char *subject, const char *op, char **value, char **why)
{
    char *dot = strchr(subject, '.');
    if (!dot || dot == subject || !dot[1]) {
        *why = xasprintf("\"%s\" is not PROBE.FACT (e.g. ehlo.keywords)", subject);
        return false;
    }
    c->probe = xstrndup(subject, (size_t)(dot - subject));
    c->fact = xstrdup(dot + 1);
    for (size_t i = 0; i < sizeof kb_ops / sizeof kb_ops[0]; i++) {
        if (strcmp(op, kb_ops[i].name) != 0)
            continue;
        c->op = kb_ops[i].op;
        if (kb_ops[i].unary != (*value == NULL)) {
            *why = xasprintf("operator \"%s\" %s", op, kb_ops[i].unary ? "takes no value"
                                                                        : "needs a value after it");
            return false;
        }
        c->value = *value;
        *value = NULL;
        return true;
    }
    *why = xasprintf("unknown operator \"%s\" (use has lacks ~ !~ = != < > <= >= empty nonempty "
                     "exists missing)", op);
    return false;
}

bool kb_cond_parse(const char *text, kb_cond *c, char **why)
{
    memset(c, 0, sizeof *c);
    char *subject = NULL, *op = NULL, *value = NULL;
    bool ok = split_cond(text, &subject, &op, &value);
    if (!ok)
        *why = xstrdup("empty condition: write PROBE.FACT OPERATOR [VALUE]");
    else
        ok = cond_fill(c, subject, op, &value, why);
    if (ok && (c->op == KB_OP_MATCH || c->op == KB_OP_NOMATCH)) {
        int rc = regcomp(&c->re, c->value, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0) {
            char buf[128];
            regerror(rc, &c->re, buf, sizeof buf);
            *why = xasprintf("bad regular expression \"%s\": %s", c->value, buf);
            ok = false;
        } else
            c->has_re = true;
    }
    free(subject);
    free(op);
    free(value);
    if (!ok)
        kb_cond_free(c);
    return ok;
}

void kb_cond_free(kb_cond *c)
{
    if (c->has_re)
        regfree(&c->re);
    free(c->probe);
    free(c->fact);
    free(c->value);
    memset(c, 0, sizeof *c);
}

/* One scalar against the condition (lists test each item). */
static bool scalar_test(const kb_cond *c, const char *s)
{
    char *end;
    double want, got;
    switch (c->op) {
    case KB_OP_HAS: return util_stristr(s, c->value) != NULL;
    case KB_OP_LACKS: return util_stristr(s, c->value) == NULL;
    case KB_OP_MATCH: return regexec(&c->re, s, 0, NULL, 0) == 0;
    case KB_OP_NOMATCH: return regexec(&c->re, s, 0, NULL, 0) != 0;
    case KB_OP_EQ: return util_strieq(s, c->value);
    case KB_OP_NE: return !util_strieq(s, c->value);
    case KB_OP_EMPTY: return *s == '\0';
    case KB_OP_NONEMPTY: return *s != '\0';
    default: break;
    }
    got = strtod(s, &end);
    if (end == s)
        return false;
    want = strtod(c->value, &end);
    switch (c->op) {
    case KB_OP_LT: return got < want;
    case KB_OP_GT: return got > want;
    case KB_OP_LE: return got <= want;
    case KB_OP_GE: return got >= want;
    default: return false;
    }
}

static bool list_test(const kb_cond *c, const fact *f)
{
    bool neg = c->op == KB_OP_LACKS || c->op == KB_OP_NOMATCH || c->op == KB_OP_NE;
    if (c->op == KB_OP_EMPTY || c->op == KB_OP_NONEMPTY)
        return (f->nlist == 0) == (c->op == KB_OP_EMPTY);
    /* has / = on a list: some item equals; lacks / != : no item equals. */
    for (size_t i = 0; i < f->nlist; i++) {
        bool hit;
        if (c->op == KB_OP_HAS || c->op == KB_OP_LACKS || c->op == KB_OP_EQ || c->op == KB_OP_NE)
            hit = util_strieq(f->list[i], c->value);
        else if (c->op == KB_OP_MATCH || c->op == KB_OP_NOMATCH)
            hit = regexec(&c->re, f->list[i], 0, NULL, 0) == 0;
        else
            hit = scalar_test(c, f->list[i]);
        if (hit)
            return !neg;
    }
    return neg;
}

kb_truth kb_cond_eval(const kb_cond *c, kb_result_fn get, const void *user)
{
    const probe_result *r = get(user, c->probe);
    if (!r)
        return KB_NEEDS;
    if (strcmp(c->fact, "status") == 0)
        return c->op == KB_OP_EXISTS || (c->op != KB_OP_MISSING &&
                                          scalar_test(c, probe_status_name(r->status)));
    if (strcmp(c->fact, "summary") == 0)
        return c->op == KB_OP_EXISTS || (c->op != KB_OP_MISSING &&
                                          scalar_test(c, r->summary ? r->summary : ""));
    const fact *f = fact_get(r, c->fact);
    if (c->op == KB_OP_EXISTS || c->op == KB_OP_MISSING)
        return (f != NULL) == (c->op == KB_OP_EXISTS);
    if (!f)
        return KB_FALSE;
    char num[64];
    switch (f->type) {
    case FACT_LIST: return list_test(c, f);
    case FACT_BOOL:
        if (c->op == KB_OP_EMPTY || c->op == KB_OP_NONEMPTY)
            return f->b == (c->op == KB_OP_NONEMPTY);
        return scalar_test(c, f->b ? "true" : "false");
    case FACT_NUM:
        snprintf(num, sizeof num, "%.15g", f->num);
        return scalar_test(c, num);
    default:
        return scalar_test(c, f->str ? f->str : "");
    }
}

kb_truth kb_when_eval(const kb_when *w, kb_result_fn get, const void *user, const char **needs)
{
    for (size_t j = 0; j < w->nconds; j++) {
        kb_truth t = kb_cond_eval(&w->conds[j], get, user);
        if (t == KB_NEEDS)
            *needs = w->conds[j].probe;
        if (t != KB_TRUE)
            return t;
    }
    return KB_TRUE;
}
