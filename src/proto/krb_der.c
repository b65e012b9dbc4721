/* krb_der: bare AS-REQ encoder and bounded KRB-ERROR decoder (RFC 4120 5.4.1,
 * 5.9.1).  The encoder writes into fixed buffers: every input is length-checked
 * first, so the message never exceeds them.  The decoder reads one level of
 * fields at a time, never recursing, and checks every length against what is
 * left of its input. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/krb_der.h"
#include "base/util.h"

/* ---- encoder ---------------------------------------------------------- */

enum { DBUF_CAP = 1200 };   /* two names of KRB_NAME_MAX, twice, plus framing */

typedef struct dbuf {
    unsigned char b[DBUF_CAP];
    size_t n;
    bool over;
} dbuf;

static void put_raw(dbuf *d, const void *p, size_t n)
{
    if (d->over || n > DBUF_CAP - d->n) {
        d->over = true;
        return;
    }
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

static void put_tlv(dbuf *d, unsigned char tag, const void *p, size_t n)
{
    unsigned char h[4] = {tag};
    size_t hn;
    if (n < 0x80) {
        h[1] = (unsigned char)n;
        hn = 2;
    } else if (n < 0x100) {
        h[1] = 0x81, h[2] = (unsigned char)n;
        hn = 3;
    } else {
        h[1] = 0x82, h[2] = (unsigned char)(n >> 8), h[3] = (unsigned char)n;
        hn = 4;
    }
    put_raw(d, h, hn);
    put_raw(d, p, n);
}

static void put_wrap(dbuf *d, unsigned char tag, const dbuf *inner)
{
    if (inner->over)
        d->over = true;
    put_tlv(d, tag, inner->b, inner->n);
}

/* [ctx] INTEGER v, for the non-negative values of a request. */
static void put_ctx_uint(dbuf *d, unsigned ctx, uint32_t v)
{
    unsigned char num[5];
    size_t n = 0;
    for (int shift = 24; shift >= 0; shift -= 8)
        if (n || (v >> shift) || shift == 0)
            num[n++] = (unsigned char)(v >> shift);
    if (num[0] & 0x80) {   /* keep it positive in two's complement */
        memmove(num + 1, num, n++);
        num[0] = 0;
    }
    dbuf i = {.n = 0};
    put_tlv(&i, 0x02, num, n);
    put_wrap(d, (unsigned char)(0xa0 | ctx), &i);
}

static void put_ctx_string(dbuf *d, unsigned ctx, const char *s)
{
    dbuf i = {.n = 0};
    put_tlv(&i, 0x1b, s, strlen(s));   /* GeneralString */
    put_wrap(d, (unsigned char)(0xa0 | ctx), &i);
}

/* [ctx] PrincipalName { name-type [0], name-string [1] SEQUENCE OF } */
static void put_principal(dbuf *d, unsigned ctx, uint32_t type, const char *a, const char *b)
{
    dbuf strs = {.n = 0}, seq = {.n = 0}, names = {.n = 0}, pn = {.n = 0};
    put_tlv(&strs, 0x1b, a, strlen(a));
    if (b)
        put_tlv(&strs, 0x1b, b, strlen(b));
    put_wrap(&seq, 0x30, &strs);
    put_ctx_uint(&names, 0, type);
    put_wrap(&names, 0xa1, &seq);
    put_wrap(&pn, 0x30, &names);
    put_wrap(d, (unsigned char)(0xa0 | ctx), &pn);
}

static void put_req_body(dbuf *d, const char *realm, const char *client, uint32_t nonce)
{
    static const unsigned char no_options[] = {0x03, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const char till[] = "20370913024805Z";
    static const uint32_t etypes[] = {18, 17, 23};   /* aes256, aes128, rc4-hmac */
    dbuf body = {.n = 0}, t = {.n = 0}, et = {.n = 0}, ets = {.n = 0};
    put_tlv(&body, 0xa0, no_options, sizeof no_options);
    put_principal(&body, 1, 1, client, NULL);          /* NT-PRINCIPAL */
    put_ctx_string(&body, 2, realm);
    put_principal(&body, 3, 2, "krbtgt", realm);       /* NT-SRV-INST */
    put_tlv(&t, 0x18, till, sizeof till - 1);
    put_wrap(&body, 0xa5, &t);
    put_ctx_uint(&body, 7, nonce & 0x7fffffffu);
    for (size_t i = 0; i < sizeof etypes / sizeof *etypes; i++) {
        unsigned char v = (unsigned char)etypes[i];
        put_tlv(&et, 0x02, &v, 1);
    }
    put_wrap(&ets, 0x30, &et);
    put_wrap(&body, 0xa8, &ets);
    put_wrap(d, 0x30, &body);
}

unsigned char *krb_as_req_build(const char *realm, const char *client, uint32_t nonce,
                                size_t *len)
{
    size_t rl = strlen(realm), cl = strlen(client);
    if (!rl || !cl || rl > KRB_NAME_MAX || cl > KRB_NAME_MAX)
        return NULL;
    dbuf body = {.n = 0}, req = {.n = 0}, seq = {.n = 0}, out = {.n = 0};
    put_req_body(&body, realm, client, nonce);
    put_ctx_uint(&req, 1, 5);     /* pvno */
    put_ctx_uint(&req, 2, 10);    /* msg-type AS-REQ */
    put_wrap(&req, 0xa4, &body);
    put_wrap(&seq, 0x30, &req);
    put_tlv(&out, 0x6a, seq.b, seq.n);   /* [APPLICATION 10] */
    if (seq.over || out.over)
        return NULL;
    unsigned char *m = xmalloc(out.n);
    memcpy(m, out.b, out.n);
    *len = out.n;
    return m;
}

/* ---- decoder ---------------------------------------------------------- */

typedef struct der {
    const unsigned char *p;
    size_t n;
} der;

/* One TLV off the front of d.  Single-byte tags, definite lengths up to
 * 2^24 - 1, and the value must fit in what is left. */
static int der_get(der *d, unsigned char *tag, der *val)
{
    if (d->n < 2 || (d->p[0] & 0x1f) == 0x1f)
        return -1;
    size_t i = 2, len = d->p[1];
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 3 || d->n - 2 < k)
            return -1;
        len = 0;
        while (k--)
            len = len << 8 | d->p[i++];
    }
    if (d->n - i < len)
        return -1;
    *tag = d->p[0];
    val->p = d->p + i;
    val->n = len;
    d->p += i + len;
    d->n -= i + len;
    return 0;
}

/* The single universal TLV inside an explicit [n] field. */
static int der_inner(der field, unsigned char want, der *val)
{
    unsigned char tag;
    if (der_get(&field, &tag, val) != 0 || tag != want || field.n != 0)
        return -1;
    return 0;
}

static int der_int(der field, long long *v)
{
    der val;
    if (der_inner(field, 0x02, &val) != 0 || val.n < 1 || val.n > 8)
        return -1;
    unsigned long long u = (val.p[0] & 0x80) ? ~0ULL : 0;
    for (size_t i = 0; i < val.n; i++)
        u = u << 8 | val.p[i];
    *v = (long long)u;
    return 0;
}

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* KerberosTime: GeneralizedTime "YYYYMMDDHHMMSSZ", no fraction (5.2.3). */
static int der_time(der field, long long *t)
{
    der val;
    if (der_inner(field, 0x18, &val) != 0 || val.n != 15 || val.p[14] != 'Z')
        return -1;
    unsigned f[7];   /* YYYY as two pairs, then MM DD hh mm ss */
    for (size_t i = 0; i < 7; i++) {
        unsigned char a = val.p[2 * i], b = val.p[2 * i + 1];
        if (a < '0' || a > '9' || b < '0' || b > '9')
            return -1;
        f[i] = (unsigned)(a - '0') * 10 + (unsigned)(b - '0');
    }
    unsigned year = f[0] * 100 + f[1];
    if (f[2] < 1 || f[2] > 12 || f[3] < 1 || f[3] > 31 || f[4] > 23 || f[5] > 59 || f[6] > 60)
        return -1;
    *t = days_from_civil(year, f[2], f[3]) * 86400 + f[4] * 3600 + f[5] * 60 + f[6];
    return 0;
}

/* KerberosString: GeneralString (MS also sends UTF8String / IA5String). */
static int der_string(der field, size_t cap, char **s)
{
    unsigned char tag;
    der val;
    if (der_get(&field, &tag, &val) != 0 || field.n != 0)
        return -1;
    if (tag != 0x1b && tag != 0x0c && tag != 0x16)
        return -1;
    free(*s);
    *s = xstrndup((const char *)val.p, val.n < cap ? val.n : cap);
    return 0;
}

int krb_msg_type(const unsigned char *buf, size_t len)
{
    der d = {buf, len}, v;
    unsigned char tag;
    if (der_get(&d, &tag, &v) != 0 || (tag & 0xe0) != 0x60)
        return -1;
    return tag & 0x1f;
}

void krb_error_msg_init(krb_error_msg *m)
{
    memset(m, 0, sizeof *m);
}

void krb_error_msg_free(krb_error_msg *m)
{
    free(m->realm);
    free(m->e_text);
    krb_error_msg_init(m);
}

/* One field [n] of KRB-ERROR into out. */
static int error_field(unsigned n, der val, krb_error_msg *out)
{
    long long v = 0;
    switch (n) {
    case 0:   /* pvno */
        return der_int(val, &v) == 0 && v == 5 ? 0 : -1;
    case 1:   /* msg-type */
        return der_int(val, &v) == 0 && v == KRB_MSG_ERROR ? 0 : -1;
    case 4:
        return der_time(val, &out->stime);
    case 5:
        if (der_int(val, &v) != 0 || v < 0 || v > 999999)
            return -1;
        out->susec = (long)v;
        return 0;
    case 6:
        if (der_int(val, &v) != 0 || v < INT32_MIN || v > INT32_MAX)
            return -1;
        out->error_code = (int32_t)v;
        return 0;
    case 9:
        return der_string(val, KRB_NAME_MAX, &out->realm);
    case 11:
        return der_string(val, KRB_ETEXT_MAX, &out->e_text);
    default:  /* ctime, cusec, crealm, cname, sname, e-data: not needed */
        return 0;
    }
}

static int error_fields(der seq, krb_error_msg *out, char **err)
{
    unsigned seen = 0;
    int last = -1;
    while (seq.n) {
        unsigned char tag;
        der val;
        if (der_get(&seq, &tag, &val) != 0) {
            *err = xstrdup("a KRB-ERROR field runs past the end of the message");
            return -1;
        }
        unsigned n = tag & 0x1f;
        if ((tag & 0xe0) != 0xa0 || n > 12 || (int)n <= last) {
            *err = xasprintf("unexpected field tag 0x%02x in a KRB-ERROR", tag);
            return -1;
        }
        last = (int)n;
        if (error_field(n, val, out) != 0) {
            *err = xasprintf("KRB-ERROR field [%u] is malformed", n);
            return -1;
        }
        seen |= 1u << n;
    }
    const unsigned need = 1u << 0 | 1u << 1 | 1u << 4 | 1u << 5 | 1u << 6;
    if ((seen & need) != need) {
        *err = xstrdup("the KRB-ERROR lacks a required field (pvno, msg-type, stime, susec or error-code)");
        return -1;
    }
    return 0;
}

int krb_error_parse(const unsigned char *buf, size_t len, krb_error_msg *out, char **err)
{
    krb_error_msg_init(out);
    der d = {buf, len}, app, seq;
    unsigned char tag;
    if (der_get(&d, &tag, &app) != 0 || d.n != 0) {
        *err = xstrdup("the reply is not a complete DER message");
        return -1;
    }
    if (tag != 0x7e) {
        *err = xasprintf("the reply is not a KRB-ERROR (tag 0x%02x)", tag);
        return -1;
    }
    if (der_get(&app, &tag, &seq) != 0 || tag != 0x30 || app.n != 0) {
        *err = xstrdup("the KRB-ERROR does not hold one SEQUENCE");
        return -1;
    }
    if (error_fields(seq, out, err) != 0) {
        krb_error_msg_free(out);
        return -1;
    }
    return 0;
}

const char *krb_error_name(int32_t code, char *buf, size_t cap)
{
    switch (code) {
    case KRB_ERR_C_PRINCIPAL_UNKNOWN: return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
    case KRB_ERR_S_PRINCIPAL_UNKNOWN: return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case KRB_ERR_PREAUTH_REQUIRED: return "KDC_ERR_PREAUTH_REQUIRED";
    case 31: return "KRB_AP_ERR_BAD_INTEGRITY";
    case KRB_ERR_AP_SKEW: return "KRB_AP_ERR_SKEW";
    case KRB_ERR_RESPONSE_TOO_BIG: return "KRB_ERR_RESPONSE_TOO_BIG";
    case KRB_ERR_WRONG_REALM: return "KDC_ERR_WRONG_REALM";
    case 14: return "KDC_ERR_ETYPE_NOSUPP";
    case 18: return "KDC_ERR_CLIENT_REVOKED";
    default:
        snprintf(buf, cap, "KRB error %ld", (long)code);
        return buf;
    }
}
