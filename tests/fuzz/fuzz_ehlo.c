/* libFuzzer target: EHLO capability parsing of any reply the reply parser
 * accepts (complete or not). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proto/ehlo.h"
#include "proto/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smtp_reply r;
    char *err = NULL;
    size_t used = 0;
    smtp_reply_init(&r);
    smtp_reply_parse((const char *)data, size, &r, &used, &err);
    free(err);
    ehlo_caps c;
    if (ehlo_caps_parse(&r, &c) == 0) {
        for (size_t i = 0; i < c.nkeywords; i++)
            if (!ehlo_caps_has_keyword(&c, c.keywords[i]))
                abort();
        ehlo_caps_has_mech(c.auth_mechs, c.nauth, "NTLM");
        ehlo_caps_has_mech(c.exps_mechs, c.nexps, "GSSAPI");
    }
    ehlo_caps_free(&c);
    smtp_reply_free(&r);
    return 0;
}
