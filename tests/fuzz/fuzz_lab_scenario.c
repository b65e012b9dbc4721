/* libFuzzer target: a lab scenario file through its loader: refused with
 * file:line, or a scenario whose names are valid (the lab prints them in
 * its banner and NTLM challenge). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/names.h"
#include "lab/lab_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/smtpwiz-fuzz-lab-%d.ini", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    char *err = NULL;
    lab_scenario *s = lab_scenario_load(path, &err);
    if (s && !names_host(s->hostname, strlen(s->hostname), NULL))
        abort();
    if (!s && !err)
        abort();
    lab_scenario_free(s);
    free(err);
    return 0;
}
