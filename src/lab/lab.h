/* lab: the built-in training server that plays a broken Exchange server.
 * `smtpwiz lab` (cli/cli_lab.c) runs it in the foreground; the wizard embeds
 * it through lab_server_start(), which runs the same poll loop in one
 * background thread.  Scenarios are kb/labs/NAME.ini files (see
 * kb/labs/README.md).  Strings returned are owned by the server or the list. */
#ifndef SMTPWIZ_LAB_H
#define SMTPWIZ_LAB_H

#include <stddef.h>

#include "lab/lab_scenario.h"

#define LAB_DEFAULT_SCENARIO "e2010-healthy"

typedef struct lab_server lab_server;

typedef struct lab_server_opts {
    const char *scenario;      /* NULL: LAB_DEFAULT_SCENARIO */
    const char *scenarios_dir; /* NULL: the usual lookup, see lab_scenarios_dir() */
    const char *listen;        /* "ADDR:PORT" on loopback; NULL: 127.0.0.1, a free port */
    const char *cert, *key;    /* PEM files; NULL: a throwaway self-signed certificate */
    const char *log;           /* append one line per event; NULL: no log */
    const char *keytab;        /* Kerberos mode; NULL: the scenario decides GSSAPI */
} lab_server_opts;

/* Load the scenario, listen and get ready; NULL with *err allocated. */
lab_server *lab_server_new(const lab_server_opts *o, char **err);
/* Serve in the calling thread until lab_server_interrupt(). */
void lab_server_run(lab_server *ls);
/* Ask lab_server_run to return; async-signal-safe. */
void lab_server_interrupt(lab_server *ls);
void lab_server_free(lab_server *ls);

/* lab_server_new, then serve from a background thread. */
lab_server *lab_server_start(const lab_server_opts *o, char **err);
/* Stops the thread, closes every session and frees everything. */
void lab_server_stop(lab_server *ls);

const char *lab_server_host(const lab_server *ls);
int lab_server_port(const lab_server *ls);
const char *lab_server_scenario(const lab_server *ls);      /* its name */
/* The running scenario's description, and the article it plays or NULL. */
const char *lab_server_description(const lab_server *ls);
const char *lab_server_article(const lab_server *ls);

typedef struct lab_scenario_info {
    char *name;
    char *description;
    char *article;             /* "843106", or NULL (healthy and hostile scenarios) */
    bool hostile;              /* a robustness fixture, not an Exchange server */
} lab_scenario_info;

/* Every loadable scenario in dir (NULL: the usual lookup), sorted by name.
 * Returns the count (>= 0) and *out (free with lab_scenario_list_free), or
 * -1 with *err allocated if the directory cannot be read. */
int lab_scenario_list(const char *dir, lab_scenario_info **out, char **err);
void lab_scenario_list_free(lab_scenario_info *list, int n);

#endif
