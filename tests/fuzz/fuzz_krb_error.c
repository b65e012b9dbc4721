/* libFuzzer target: the KRB-ERROR decoder on arbitrary bytes (what a KDC, or
 * anything on port 88, may send), and the AS-REQ builder on names cut from
 * the same bytes.  Whatever the decoder accepts must hold its invariants. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/krb_der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const uint8_t *data, size_t size)
{
    krb_error_msg m;
    char *err = NULL;
    (void)krb_msg_type(data, size);
    if (krb_error_parse(data, size, &m, &err) != 0) {
        if (!err || m.realm || m.e_text)
            abort();
        free(err);
        return;
    }
    if (err || m.susec < 0 || m.susec > 999999)
        abort();
    if ((m.e_text && strlen(m.e_text) > KRB_ETEXT_MAX) ||
        (m.realm && strlen(m.realm) > KRB_NAME_MAX))
        abort();
    if (krb_msg_type(data, size) != KRB_MSG_ERROR)
        abort();
    krb_error_msg_free(&m);
}

/* Names from the input: first byte splits it into realm and client. */
static void check_as_req(const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    size_t cut = data[0] % size, rest = size - 1;
    if (cut > rest)
        cut = rest;
    char *realm = strndup((const char *)data + 1, cut);
    char *client = strndup((const char *)data + 1 + cut, rest - cut);
    size_t len = 0;
    unsigned char *req = krb_as_req_build(realm, client, (uint32_t)size, &len);
    bool fits = *realm && *client && strlen(realm) <= KRB_NAME_MAX &&
                strlen(client) <= KRB_NAME_MAX;
    if (!req != !fits)
        abort();
    if (req && krb_msg_type(req, len) != 10)
        abort();
    free(req);
    free(realm);
    free(client);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_error(data, size);
    check_as_req(data, size);
    return 0;
}
