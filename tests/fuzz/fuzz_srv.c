/* libFuzzer target: a DNS answer to an SRV query (_kerberos._tcp.<domain>)
 * as the server's DNS sends it, through resolve_srv_parse (c-ares parses;
 * our part validates, copies and sorts).  Every kept target is a valid host
 * name; the count matches the list. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "proto/resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65535)
        return 0;
    resolve_srv_list l;
    memset(&l, 0, sizeof l);
    size_t n = resolve_srv_parse(data, (int)size, &l);
    if (n != l.n)
        abort();
    for (size_t i = 0; i < l.n; i++)
        if (!l.v[i].target || !names_host(l.v[i].target, strlen(l.v[i].target), NULL))
            abort();
    resolve_srv_list_free(&l);
    return 0;
}
