/* libFuzzer target: pasted text through triage, against the shipped
 * articles (loaded once from kb/, or $SMTPWIZ_KBDIR): the fields it pulls
 * out are escaped text, a match names an article and a step of it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb_catalog.h"
#include "kb/triage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kb_catalog cat;
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loaded) {
        kb_catalog_open(&cat, getenv("SMTPWIZ_KBDIR") ? NULL : "kb");
        loaded = 1;
    }
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    triage_result r;
    triage_run(text, cat.v, cat.n, &r);
    if (r.matched && (!r.kb || !r.step || !r.pattern))
        abort();
    for (size_t i = 0; i < r.nfields; i++) {
        for (const unsigned char *p = (const unsigned char *)r.fields[i].value; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                abort();
        if (strstr(r.fields[i].name, "error"))
            triage_decode(r.fields[i].value);
    }
    triage_result_free(&r);
    free(text);
    return 0;
}
