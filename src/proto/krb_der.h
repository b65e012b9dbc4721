/* krb_der: the two Kerberos messages smtpwiz handles without credentials
 * (RFC 4120): a bare AS-REQ for a made-up principal, and a bounded decoder of
 * the KRB-ERROR a KDC answers with.  Any KRB-ERROR carries the KDC's clock
 * (stime, susec), which is how kdc-time measures skew with no account.
 * MIT's krb5_rd_error() decodes the same message, but needs a krb5 context
 * and gives no way to build the request without a configured realm; these
 * two small functions keep the probe independent of krb5.conf.
 * Strings returned are allocated and owned by the caller. */
#ifndef SMTPWIZ_KRB_DER_H
#define SMTPWIZ_KRB_DER_H

#include <stddef.h>
#include <stdint.h>

#define KRB_MSG_AS_REP    11
#define KRB_MSG_ERROR     30
#define KRB_NAME_MAX      255    /* longest realm / principal part we encode */
#define KRB_ETEXT_MAX     1024   /* e-text beyond this is cut */

/* RFC 4120 7.5.9 codes the probes name. */
enum {
    KRB_ERR_C_PRINCIPAL_UNKNOWN = 6,
    KRB_ERR_S_PRINCIPAL_UNKNOWN = 7,
    KRB_ERR_PREAUTH_REQUIRED = 25,
    KRB_ERR_AP_SKEW = 37,
    KRB_ERR_RESPONSE_TOO_BIG = 52,
    KRB_ERR_WRONG_REALM = 68,
};

typedef struct krb_error_msg {
    int32_t error_code;
    long long stime;        /* KDC clock, Unix seconds */
    long susec;             /* 0..999999 */
    char *realm;            /* or NULL */
    char *e_text;           /* or NULL; raw bytes up to the first NUL, cut at KRB_ETEXT_MAX */
} krb_error_msg;

void krb_error_msg_init(krb_error_msg *m);
void krb_error_msg_free(krb_error_msg *m);

/* The AS-REQ for client@realm (krbtgt/realm as server), no pre-auth.  Returns
 * an allocated message and its length in *len, or NULL if a name is empty or
 * longer than KRB_NAME_MAX. */
unsigned char *krb_as_req_build(const char *realm, const char *client, uint32_t nonce,
                                size_t *len);

/* The message type of a KDC reply (KRB_MSG_ERROR, KRB_MSG_AS_REP, ...) from
 * its outer application tag, or -1 if it is not a Kerberos message. */
int krb_msg_type(const unsigned char *buf, size_t len);

/* Decode a KRB-ERROR.  Returns 0, or -1 with *err set (allocated) when the
 * message is malformed, truncated or not a KRB-ERROR. */
int krb_error_parse(const unsigned char *buf, size_t len, krb_error_msg *out, char **err);

/* "KDC_ERR_C_PRINCIPAL_UNKNOWN", ... or "KRB error N" form in buf. */
const char *krb_error_name(int32_t code, char *buf, size_t cap);

#endif
