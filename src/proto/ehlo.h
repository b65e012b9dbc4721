/* ehlo: the EHLO capability parser (RFC 5321 4.1.1.1 plus Exchange's own
 * keywords).  Pure: takes a parsed reply, fills a caps struct it owns.
 * Mechanism names become fact keys and AUTH commands: only valid SASL names
 * (base/names.h) are kept, at most EHLO_MECHS_MAX per list; the words
 * dropped are counted, so a finding can say so. */
#ifndef SMTPWIZ_EHLO_H
#define SMTPWIZ_EHLO_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/reply.h"

/* No real server offers more than a handful of mechanisms. */
#define EHLO_MECHS_MAX 16

enum smtp_cap {
    CAP_STARTTLS       = 1u << 0,
    CAP_AUTH           = 1u << 1,   /* AUTH or old AUTH= form */
    CAP_X_EXPS         = 1u << 2,   /* X-EXPS or X-EXPS= form */
    CAP_XEXCH50        = 1u << 3,
    CAP_X_ANONYMOUSTLS = 1u << 4,
    CAP_X_EXCHANGEAUTH = 1u << 5,
    CAP_X_LINK2STATE   = 1u << 6,
    CAP_XRDST          = 1u << 7,
    CAP_PIPELINING     = 1u << 8,
    CAP_SIZE           = 1u << 9,
    CAP_8BITMIME       = 1u << 10,
    CAP_BINARYMIME     = 1u << 11,
    CAP_CHUNKING       = 1u << 12,
    CAP_DSN            = 1u << 13,
    CAP_ENHANCEDSTATUSCODES = 1u << 14,
    CAP_SMTPUTF8       = 1u << 15,
    CAP_TURN           = 1u << 16,
    CAP_ETRN           = 1u << 17,
    CAP_VRFY           = 1u << 18,
};

typedef struct ehlo_caps {
    unsigned flags;        /* enum smtp_cap bits */
    char *hello_name;      /* first word of the first line ("mail1.fabrikam.com"), or NULL */
    char *hello_text;      /* whole first line */
    char **keywords;       /* upper case, first word of each later line, in order, no duplicates */
    size_t nkeywords;
    char **auth_mechs;     /* upper case, union of AUTH and AUTH= lines, no duplicates,
                              valid SASL names only, at most EHLO_MECHS_MAX */
    size_t nauth;
    char **exps_mechs;     /* upper case, union of X-EXPS and X-EXPS= lines, the same */
    size_t nexps;
    size_t auth_invalid;   /* AUTH words dropped: not a SASL name (RFC 4422 3.1) */
    size_t auth_over;      /* AUTH names dropped: past EHLO_MECHS_MAX */
    size_t exps_invalid;   /* the same for X-EXPS */
    size_t exps_over;
    long long size_limit;  /* SIZE parameter, -1 if absent or not a number */
    size_t masked_lines;   /* lines that look masked by a middlebox ("XXXXXXXA", "****") */
} ehlo_caps;

void ehlo_caps_init(ehlo_caps *c);
void ehlo_caps_free(ehlo_caps *c);
/* Parse a 250 EHLO reply.  Returns 0, or -1 if the reply is not a 250. */
int ehlo_caps_parse(const smtp_reply *r, ehlo_caps *c);
bool ehlo_caps_has_keyword(const ehlo_caps *c, const char *kw);   /* case-insensitive */
bool ehlo_caps_has_mech(char *const *mechs, size_t n, const char *mech);
/* True if a line's keyword looks masked by a PIX/ASA fixup: made only of X
 * (any case) or '*', optionally ending in one other letter ("XXXXXXXA"). */
bool smtp_keyword_is_masked(const char *kw);

#endif
