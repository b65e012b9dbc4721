/* Unit tests for krb_der (bare AS-REQ, KRB-ERROR decoder) and the name
 * handling of krb_kdc (--dc specs, DNS SRV answers).  KRB-ERRORs come from
 * three places: one captured from a real MIT KDC, ones MIT's own encoder
 * (krb5_mk_error) writes with chosen fields, and hand-broken ones. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <krb5.h>
#include <stdlib.h>
#include <string.h>

#include "proto/krb_der.h"
#include "proto/krb_kdc.h"
#include "base/util.h"

/* krb5kdc 1.20 answering AS-REQ smtpwiz-clock-probe@SMTPWIZ.TEST at
 * 2026-11-23T10:31:00.846290Z: KDC_ERR_C_PRINCIPAL_UNKNOWN. */
static const unsigned char mit_error[] = {
    0x7e, 0x81, 0xa5, 0x30, 0x81, 0xa2, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e,
    0xa4, 0x11, 0x18, 0x0f, 0x32, 0x30, 0x32, 0x36, 0x31, 0x31, 0x32, 0x33, 0x31, 0x30, 0x33, 0x31,
    0x30, 0x30, 0x5a, 0xa5, 0x05, 0x02, 0x03, 0x0c, 0xe9, 0xd2, 0xa6, 0x03, 0x02, 0x01, 0x06, 0xa7,
    0x0e, 0x1b, 0x0c, 0x53, 0x4d, 0x54, 0x50, 0x57, 0x49, 0x5a, 0x2e, 0x54, 0x45, 0x53, 0x54, 0xa8,
    0x20, 0x30, 0x1e, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x17, 0x30, 0x15, 0x1b, 0x13, 0x73, 0x6d,
    0x74, 0x70, 0x77, 0x69, 0x7a, 0x2d, 0x63, 0x6c, 0x6f, 0x63, 0x6b, 0x2d, 0x70, 0x72, 0x6f, 0x62,
    0x65, 0xa9, 0x0e, 0x1b, 0x0c, 0x53, 0x4d, 0x54, 0x50, 0x57, 0x49, 0x5a, 0x2e, 0x54, 0x45, 0x53,
    0x54, 0xaa, 0x21, 0x30, 0x1f, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x18, 0x30, 0x16, 0x1b, 0x06,
    0x6b, 0x72, 0x62, 0x74, 0x67, 0x74, 0x1b, 0x0c, 0x53, 0x4d, 0x54, 0x50, 0x57, 0x49, 0x5a, 0x2e,
    0x54, 0x45, 0x53, 0x54, 0xab, 0x12, 0x1b, 0x10, 0x43, 0x4c, 0x49, 0x45, 0x4e, 0x54, 0x5f, 0x4e,
    0x4f, 0x54, 0x5f, 0x46, 0x4f, 0x55, 0x4e, 0x44,
};

static void test_real_mit_error(void **state)
{
    (void)state;
    krb_error_msg m;
    char *err = NULL;
    assert_int_equal(krb_msg_type(mit_error, sizeof mit_error), KRB_MSG_ERROR);
    assert_int_equal(krb_error_parse(mit_error, sizeof mit_error, &m, &err), 0);
    assert_null(err);
    assert_int_equal(m.error_code, KRB_ERR_C_PRINCIPAL_UNKNOWN);
    assert_int_equal(m.stime, 1795429860LL);
    assert_int_equal(m.susec, 846290);
    assert_string_equal(m.realm, "SMTPWIZ.TEST");
    assert_string_equal(m.e_text, "CLIENT_NOT_FOUND");
    krb_error_msg_free(&m);
}

/* Every strict prefix is refused with a message, never read past. */
static void test_truncations(void **state)
{
    (void)state;
    for (size_t n = 0; n < sizeof mit_error; n++) {
        unsigned char *copy = xmalloc(n ? n : 1);   /* exact size: ASan sees overreads */
        memcpy(copy, mit_error, n);
        krb_error_msg m;
        char *err = NULL;
        assert_int_equal(krb_error_parse(copy, n, &m, &err), -1);
        assert_non_null(err);
        assert_null(m.realm);
        free(err);
        free(copy);
    }
}

static void expect_bad(const unsigned char *b, size_t n, const char *why_part)
{
    krb_error_msg m;
    char *err = NULL;
    assert_int_equal(krb_error_parse(b, n, &m, &err), -1);
    assert_non_null(err);
    if (why_part && !strstr(err, why_part))
        fail_msg("error \"%s\" lacks \"%s\"", err, why_part);
    free(err);
}

static void test_malformed(void **state)
{
    (void)state;
    unsigned char b[sizeof mit_error];
    memcpy(b, mit_error, sizeof b);
    b[0] = 0x6b;   /* AS-REP tag */
    expect_bad(b, sizeof b, "not a KRB-ERROR");
    memcpy(b, mit_error, sizeof b);
    b[1] = 0x80;   /* indefinite length */
    expect_bad(b, sizeof b, "not a complete DER");
    memcpy(b, mit_error, sizeof b);
    b[1] = 0x84;   /* 4-byte length: over our limit */
    expect_bad(b, sizeof b, NULL);
    memcpy(b, mit_error, sizeof b);
    b[16] = 0xa3;  /* stime re-tagged as cusec [3], which we skip */
    expect_bad(b, sizeof b, "lacks a required field");   /* so stime is missing */
    memcpy(b, mit_error, sizeof b);
    b[0x2a] = 0xa5;   /* error-code tagged [5] again: duplicate / out of order */
    expect_bad(b, sizeof b, "unexpected field tag");
    memcpy(b, mit_error, sizeof b);
    b[0x14] = 'x';    /* a letter in the time */
    expect_bad(b, sizeof b, "[4]");
    memcpy(b, mit_error, sizeof b);
    b[0x0a] = 0x04;   /* pvno 4 */
    expect_bad(b, sizeof b, "[0]");
    unsigned char extra[sizeof mit_error + 1];
    memcpy(extra, mit_error, sizeof mit_error);
    extra[sizeof mit_error] = 0;
    expect_bad(extra, sizeof extra, "not a complete DER");
}

/* MIT's encoder writes the message; ours must read back what it was given. */
static void mk_and_parse(krb5_context kc, krb5_timestamp stime, krb5_int32 susec,
                         krb5_ui_4 code, const char *text)
{
    krb5_error e;
    memset(&e, 0, sizeof e);
    e.stime = stime;
    e.susec = susec;
    e.error = code;
    assert_int_equal(krb5_parse_name(kc, "krbtgt/EXAMPLE.COM@EXAMPLE.COM", &e.server), 0);
    if (text) {
        e.text.data = (char *)text;
        e.text.length = (unsigned)strlen(text);
    }
    krb5_data out;
    assert_int_equal(krb5_mk_error(kc, &e, &out), 0);
    krb_error_msg m;
    char *err = NULL;
    assert_int_equal(krb_error_parse((unsigned char *)out.data, out.length, &m, &err), 0);
    assert_int_equal(m.stime, (long long)(uint32_t)stime);
    assert_int_equal(m.susec, susec);
    assert_int_equal(m.error_code, (int32_t)code);
    assert_string_equal(m.realm, "EXAMPLE.COM");
    if (text && *text)
        assert_string_equal(m.e_text, text);
    else
        assert_null(m.e_text);   /* MIT leaves an empty e-text out */
    krb_error_msg_free(&m);
    krb5_free_data_contents(kc, &out);
    krb5_free_principal(kc, e.server);
}

static void test_mit_encoder_roundtrip(void **state)
{
    (void)state;
    setenv("KRB5_CONFIG", "/dev/null", 1);
    krb5_context kc;
    assert_int_equal(krb5_init_context(&kc), 0);
    mk_and_parse(kc, 0, 0, KRB_ERR_AP_SKEW, "Clock skew too great");
    mk_and_parse(kc, 1470439481, 999999, KRB_ERR_S_PRINCIPAL_UNKNOWN, NULL);
    mk_and_parse(kc, (krb5_timestamp)4102444800u, 1, KRB_ERR_WRONG_REALM, "");  /* 2100-01-01 */
    mk_and_parse(kc, 951782400, 500000, KRB_ERR_PREAUTH_REQUIRED, "29 Feb 2000");
    krb5_free_context(kc);
}

static void test_etext_cut(void **state)
{
    (void)state;
    setenv("KRB5_CONFIG", "/dev/null", 1);
    krb5_context kc;
    assert_int_equal(krb5_init_context(&kc), 0);
    char *big = xmalloc(5000);
    memset(big, 'A', 4999);
    big[4999] = 0;
    krb5_error e;
    memset(&e, 0, sizeof e);
    e.error = 60;
    assert_int_equal(krb5_parse_name(kc, "krbtgt/X@X", &e.server), 0);
    e.text.data = big;
    e.text.length = 4999;
    krb5_data out;
    assert_int_equal(krb5_mk_error(kc, &e, &out), 0);
    krb_error_msg m;
    char *err = NULL;
    assert_int_equal(krb_error_parse((unsigned char *)out.data, out.length, &m, &err), 0);
    assert_int_equal(strlen(m.e_text), KRB_ETEXT_MAX);
    krb_error_msg_free(&m);
    krb5_free_data_contents(kc, &out);
    krb5_free_principal(kc, e.server);
    krb5_free_context(kc);
    free(big);
}

static void test_as_req(void **state)
{
    (void)state;
    size_t n = 0;
    unsigned char *m = krb_as_req_build("SMTPWIZ.TEST", "smtpwiz-clock-probe", 12345, &n);
    assert_non_null(m);
    assert_int_equal(krb_msg_type(m, n), 10);
    assert_int_equal(m[0], 0x6a);
    assert_int_equal(n, 0x9a);   /* 0x97 bytes after a 3-byte header: as the KDC accepted */
    assert_non_null(memmem(m, n, "\x1b\x13smtpwiz-clock-probe", 21));
    assert_non_null(memmem(m, n, "\x1b\x06krbtgt\x1b\x0cSMTPWIZ.TEST", 22));
    assert_non_null(memmem(m, n, "\xa7\x04\x02\x02\x30\x39", 6));   /* nonce 12345 */
    free(m);
    /* A nonce with the top bit set stays a positive 31-bit INTEGER. */
    m = krb_as_req_build("R", "c", 0xffffffffu, &n);
    assert_non_null(memmem(m, n, "\xa7\x06\x02\x04\x7f\xff\xff\xff", 8));
    free(m);
    char longname[KRB_NAME_MAX + 2];
    memset(longname, 'R', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_null(krb_as_req_build(longname, "c", 1, &n));
    assert_null(krb_as_req_build("", "c", 1, &n));
    longname[KRB_NAME_MAX] = 0;   /* exactly the limit: fits, long-form lengths */
    m = krb_as_req_build(longname, longname, 1, &n);
    assert_non_null(m);
    assert_int_equal(krb_msg_type(m, n), 10);
    free(m);
}

static void test_dc_spec(void **state)
{
    (void)state;
    kdc_list l;
    char *err = NULL;
    assert_int_equal(kdc_list_from_spec("dc1.contoso.com", &l, &err), 0);
    assert_string_equal(l.v[0].host, "dc1.contoso.com");
    assert_string_equal(l.v[0].port, "88");
    assert_string_equal(l.v[0].kpasswd_port, "464");
    kdc_list_free(&l);
    assert_int_equal(kdc_list_from_spec("127.0.0.1:41088", &l, &err), 0);
    assert_string_equal(l.v[0].port, "41088");
    assert_null(l.v[0].kpasswd_port);
    kdc_list_free(&l);
    assert_int_equal(kdc_list_from_spec("[::1]:88,464", &l, &err), 0);
    assert_string_equal(l.v[0].host, "::1");
    assert_string_equal(l.v[0].kpasswd_port, "464");
    kdc_list_free(&l);
    const char *bad[] = {"", ":88", "h:0", "h:99999", "h:88,", "[::1", "[::1]x", "h:8a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(kdc_list_from_spec(bad[i], &l, &err), -1);
        assert_non_null(strstr(err, "--dc takes"));
        free(err);
        err = NULL;
    }
}

/* _kerberos._tcp.contoso.com: two SRV answers, priority 10 and 0, the
 * second target through a compression pointer. */
static void test_srv_parse(void **state)
{
    (void)state;
    static const unsigned char ans[] = {
        0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        /* question @12 */
        9, '_', 'k', 'e', 'r', 'b', 'e', 'r', 'o', 's', 4, '_', 't', 'c', 'p',
        7, 'c', 'o', 'n', 't', 'o', 's', 'o', 3, 'c', 'o', 'm', 0, 0x00, 0x21, 0x00, 0x01,
        /* answer 1: prio 10 weight 0 port 88 dc2.contoso.com */
        0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0, 0, 0x0e, 0x10, 0x00, 0x0c,
        0x00, 0x0a, 0x00, 0x00, 0x00, 0x58, 3, 'd', 'c', '2', 0xc0, 0x1b,
        /* answer 2: prio 0 weight 100 port 88 dc1.contoso.com */
        0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0, 0, 0x0e, 0x10, 0x00, 0x0c,
        0x00, 0x00, 0x00, 0x64, 0x00, 0x58, 3, 'd', 'c', '1', 0xc0, 0x1b,
    };
    kdc_list l = {0};
    assert_int_equal(kdc_srv_parse(ans, (int)sizeof ans, &l), 2);
    assert_string_equal(l.v[0].host, "dc1.contoso.com");
    assert_string_equal(l.v[1].host, "dc2.contoso.com");
    assert_string_equal(l.v[0].port, "88");
    kdc_list_free(&l);
    for (size_t n = 0; n < sizeof ans; n++) {   /* truncated answers: no crash, fewer hits */
        unsigned char *copy = xmalloc(n ? n : 1);
        memcpy(copy, ans, n);
        kdc_list t = {0};
        assert_true(kdc_srv_parse(copy, (int)n, &t) <= 1);
        kdc_list_free(&t);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_mit_error),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_mit_encoder_roundtrip),
        cmocka_unit_test(test_etext_cut),
        cmocka_unit_test(test_as_req),
        cmocka_unit_test(test_dc_spec),
        cmocka_unit_test(test_srv_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
