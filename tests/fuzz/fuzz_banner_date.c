/* libFuzzer target: the greeting date finder and the whole banner reader
 * on arbitrary text. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/banner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    long long utc = 0;
    int tz = 0;
    if (banner_find_date(s, &utc, &tz)) {
        /* Years 1970..9999 and zones within a day: anything else is a bug. */
        if (utc < -86400 || utc > 253402387200LL || tz <= -1440 || tz >= 1440)
            abort();
    }
    banner_info b;
    banner_parse(s, &b);
    if (!b.product || (b.has_date && b.date_utc != utc))
        abort();
    banner_info_free(&b);
    free(s);
    return 0;
}
