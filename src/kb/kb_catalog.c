/* kb_catalog: see kb_catalog.h. */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kb/kb_catalog.h"

static int article_filter(const struct dirent *de)
{
    return kb_is_article_file(de->d_name);
}

const char *kb_id_number(const char *id)
{
    return strncmp(id, "kb", 2) == 0 || strncmp(id, "KB", 2) == 0 ? id + 2 : id;
}

static void catalog_load_one(kb_catalog *c, const char *name)
{
    char *path = xasprintf("%s/%s", c->dir, name);
    if (c->n == KB_CATALOG_MAX) {
        c->nbroken++;
        kb_errors_add(&c->problems, path, 0, "past the %d articles smtpwiz takes", KB_CATALOG_MAX);
        free(path);
        return;
    }
    kb_errors errs = {0};
    kb_article *a = kb_load(path, &errs);
    if (a && errs.n == 0 && !kb_catalog_find(c, a->id)) {
        c->v[c->n++] = a;
    } else {
        if (a && errs.n == 0)
            kb_errors_add(&errs, path, 0, "a second article KB%s (the first one is used)", a->id);
        c->nbroken++;
        /* Moved over as they are: each already reads "file:line: reason". */
        c->problems.v = xrealloc(c->problems.v, (c->problems.n + errs.n) * sizeof *errs.v);
        for (size_t i = 0; i < errs.n; i++)
            c->problems.v[c->problems.n++] = errs.v[i];
        errs.n = 0;
        kb_free(a);
    }
    kb_errors_free(&errs);
    free(path);
}

void kb_catalog_open(kb_catalog *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    c->dir = kb_dir_find(dir);
    struct dirent **names = NULL;
    int n = scandir(c->dir, &names, article_filter, alphasort);
    if (n < 0)
        kb_errors_add(&c->problems, c->dir, 0, "cannot be read (set SMTPWIZ_KBDIR to the "
                                                "directory holding the kb*.ini articles)");
    for (int i = 0; i < n; i++) {
        catalog_load_one(c, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    if (n == 0)
        kb_errors_add(&c->problems, c->dir, 0, "holds no kb*.ini article (set SMTPWIZ_KBDIR)");
}

void kb_catalog_free(kb_catalog *c)
{
    for (size_t i = 0; i < c->n; i++)
        kb_free(c->v[i]);
    kb_errors_free(&c->problems);
    free(c->dir);
    memset(c, 0, sizeof *c);
}

const kb_article *kb_catalog_find(const kb_catalog *c, const char *id)
{
    const char *num = kb_id_number(id);
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i]->id, num) == 0)
            return c->v[i];
    return NULL;
}

char *kb_catalog_ids(const kb_catalog *c)
{
    strbuf sb = {0};
    for (size_t i = 0; i < c->n; i++)
        sb_printf(&sb, "%s%s", i ? " " : "", c->v[i]->id);
    return sb_steal(&sb);
}
