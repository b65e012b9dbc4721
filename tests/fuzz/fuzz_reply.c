/* libFuzzer target: the reply parser on arbitrary bytes, both as one buffer
 * and fed line by line, then every accessor on whatever was kept. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use(const smtp_reply *r)
{
    free(smtp_reply_text(r));
    free(smtp_reply_line(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    smtp_reply_init(&r);
    reply_status st = smtp_reply_parse(buf, size, &r, &used, &err);
    if (used > size || (st >= 0 && err) || (st < 0 && !err))
        abort();
    use(&r);
    free(err);
    err = NULL;
    smtp_reply_free(&r);

    /* Fed raw: no line splitting, so NULs and CRs reach feed() itself. */
    smtp_reply_init(&r);
    st = smtp_reply_feed(&r, buf, size, &err);
    if (st >= 0 && r.nlines != 1)
        abort();
    use(&r);
    free(err);
    smtp_reply_free(&r);
    return 0;
}
