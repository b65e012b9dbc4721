/* kb_catalog: the one list of articles every tool uses - the wizard, diagnose,
 * triage and kb check all load the kb*.ini files of one directory
 * (kb_dir_find) the same way, so a new kb900001.ini is seen by all of them.
 * An article that does not load is kept as problems ("file:line: reason"),
 * never dropped silently.  The catalog owns its articles and strings. */
#ifndef SMTPWIZ_KB_CATALOG_H
#define SMTPWIZ_KB_CATALOG_H

#include <stddef.h>

#include "kb/kb.h"

#define KB_CATALOG_MAX 32      /* articles one catalog takes */

typedef struct kb_catalog {
    char *dir;                 /* where the articles came from (labs/ is in it) */
    kb_article *v[KB_CATALOG_MAX];
    size_t n;                  /* loaded clean, sorted by file name */
    kb_errors problems;        /* each file that did not load, and the reason */
    size_t nbroken;            /* files that did not load (or past the maximum) */
} kb_catalog;

/* Load every article file of dir (NULL: kb_dir_find(NULL)).  Never fails:
 * an unreadable directory is one problem. */
void kb_catalog_open(kb_catalog *c, const char *dir);
void kb_catalog_free(kb_catalog *c);
/* "843106", "KB843106" or "kb843106": the article of that id, or NULL. */
const kb_article *kb_catalog_find(const kb_catalog *c, const char *id);
/* The article number without a "KB" prefix (points into id). */
const char *kb_id_number(const char *id);
/* The ids of the catalog as "843106 979174" (allocated), for messages. */
char *kb_catalog_ids(const kb_catalog *c);

#endif
