/* ntlm: the NTLMSSP messages smtpwiz reads without credentials (MS-NLMP 2.2):
 * the fixed type-1 NEGOTIATE it sends, and a bounds-checked decoder of the
 * type-2 CHALLENGE (server names, OS version, server clock).  Also the type-2
 * builder the lab server answers with. */
#ifndef SMTPWIZ_NTLM_H
#define SMTPWIZ_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "NTLMSSP\0", type 1, flags 0xA0088207, empty domain and workstation. */
#define NTLM_TYPE1_B64 "TlRMTVNTUAABAAAAB4IIoAAAAAAAAAAAAAAAAAAAAAA="

typedef struct ntlm_challenge {
    uint32_t flags;
    uint8_t challenge[8];
    char *target_name;      /* UTF-8, or NULL */
    char *nb_computer;      /* AV 1 */
    char *nb_domain;        /* AV 2 */
    char *dns_computer;     /* AV 3 */
    char *dns_domain;       /* AV 4 */
    char *dns_tree;         /* AV 5 */
    bool has_timestamp;     /* AV 7 */
    uint64_t filetime;
    long long unix_time;    /* filetime / 10^7 - 11644473600 */
    bool has_version;
    unsigned ver_major, ver_minor, ver_build;
} ntlm_challenge;

void ntlm_challenge_init(ntlm_challenge *c);
void ntlm_challenge_free(ntlm_challenge *c);
/* Decode a raw (already base64-decoded) type-2 message.  Returns 0, or -1
 * with *err set (allocated) if anything is out of bounds or malformed. */
int ntlm_parse_type2(const unsigned char *msg, size_t len, ntlm_challenge *out, char **err);

/* Build a type-2 message for the lab (names may be NULL).  Returns the
 * allocated message and its length in *len. */
unsigned char *ntlm_build_type2(const ntlm_challenge *c, size_t *len);

#endif
