/* lab: the built-in training server that plays a broken Exchange server.
 * `smtpwiz lab` runs it in the foreground; the wizard embeds it through
 * lab_server_start(), which runs the same poll loop in one background thread.
 * Scenarios are kb/labs/NAME.ini files (see kb/labs/README.md). */
#ifndef SMTPWIZ_LAB_H
#define SMTPWIZ_LAB_H

#include <stddef.h>

/* `smtpwiz lab ...`: returns the process exit status. */
int lab_main(int argc, char **argv);

typedef struct lab_server lab_server;

/* Load scenario_name from scenarios_dir (NULL: the usual lookup, see
 * lab_scenarios_dir()), listen on listen ("ADDR:PORT", NULL: 127.0.0.1:0)
 * and serve from a background thread.  Returns NULL with *err allocated. */
lab_server *lab_server_start(const char *scenario_name, const char *scenarios_dir,
                             const char *listen, char **err);
int lab_server_port(const lab_server *ls);
/* The running scenario's description (owned by the server). */
const char *lab_server_description(const lab_server *ls);
/* Stops the thread, closes every session and frees everything. */
void lab_server_stop(lab_server *ls);

typedef struct lab_scenario_info {
    char *name;
    char *description;
} lab_scenario_info;

/* Every loadable scenario in dir (NULL: the usual lookup), sorted by name.
 * Returns the count (>= 0) and *out (free with lab_scenario_list_free), or
 * -1 with *err allocated if the directory cannot be read. */
int lab_scenario_list(const char *dir, lab_scenario_info **out, char **err);
void lab_scenario_list_free(lab_scenario_info *list, int n);

#endif
