/* libFuzzer target: a knowledge-base file as an instructor may write it
 * (or break it), through the loader and every check of kb check.  The
 * loader either reports problems or gives an article whose branches all
 * lead to existing steps. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/smtpwiz-fuzz-kb-%d.ini", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    kb_errors errs = {0};
    kb_article *a = kb_load(path, &errs);
    if (a && errs.n == 0) {
        for (size_t i = 0; i < a->nsteps; i++) {
            const kb_branch *b = kb_step_route(&a->steps[i], ST_PASS);
            if (b && strcmp(b->target, KB_STOP) && strcmp(b->target, KB_INCONCLUSIVE) &&
                !kb_step_find(a, b->target))
                abort();
        }
    }
    kb_free(a);
    kb_errors_free(&errs);
    return 0;
}
