/* libFuzzer target: the type-2 decoder on arbitrary bytes; whatever it
 * accepts must survive a build and parse back to the same names. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ntlm_challenge c, back;
    char *err = NULL;
    if (ntlm_parse_type2(data, size, &c, &err) != 0) {
        if (!err)
            abort();
        free(err);
        return 0;
    }
    size_t len = 0;
    unsigned char *msg = ntlm_build_type2(&c, &len);
    if (ntlm_parse_type2(msg, len, &back, &err) != 0)
        abort();
    /* Names decoded once are valid UTF-8 without NULs, so they must
     * survive re-encoding unchanged (up to the builder's length cap). */
    if (strlen(c.nb_computer ? c.nb_computer : "") < 1000 &&
        (!same(c.nb_computer, back.nb_computer) || c.filetime != back.filetime))
        abort();
    ntlm_challenge_free(&back);
    ntlm_challenge_free(&c);
    free(msg);
    return 0;
}
