/* libFuzzer target: the type-2 decoder on arbitrary bytes; whatever it
 * accepts must survive a build and parse back to the same names. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ntlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Names decoded once are valid UTF-8 without NULs, so they must survive
 * re-encoding unchanged - up to the builder's cap of 1024 UTF-16 units,
 * which a name under 1000 bytes never reaches. */
static int same_name(const char *a, const char *b)
{
    return (a && strlen(a) >= 1000) || same(a, b);
}

static int same_names(const ntlm_challenge *a, const ntlm_challenge *b)
{
    return same_name(a->target_name, b->target_name) &&
           same_name(a->nb_computer, b->nb_computer) &&
           same_name(a->nb_domain, b->nb_domain) &&
           same_name(a->dns_computer, b->dns_computer) &&
           same_name(a->dns_domain, b->dns_domain) &&
           same_name(a->dns_tree, b->dns_tree);
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
    if (!same_names(&c, &back) || c.filetime != back.filetime)
        abort();
    ntlm_challenge_free(&back);
    ntlm_challenge_free(&c);
    free(msg);
    return 0;
}
