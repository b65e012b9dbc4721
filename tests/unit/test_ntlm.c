/* Unit tests for the NTLM type-2 decoder and builder: a hand-made Exchange
 * challenge, byte by byte as MS-NLMP lays it out, then every way a hostile
 * or broken server could get the lengths and offsets wrong. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ntlm.h"
#include "base/util.h"

/* 2016-08-05 23:24:41.1234567 UTC as a FILETIME. */
#define FT_2016 (131149130810000000ULL + 1234567ULL)
#define T_2016  1470439481LL

typedef struct {
    unsigned char b[1024];
    size_t n;
} msgbuf;

static void put(msgbuf *m, const void *p, size_t n)
{
    assert_true(m->n + n <= sizeof m->b);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put16(msgbuf *m, unsigned v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(m, b, 2);
}

static void put32(msgbuf *m, uint32_t v)
{
    put16(m, v & 0xFFFF);
    put16(m, v >> 16);
}

static void set16(msgbuf *m, size_t at, unsigned v)
{
    m->b[at] = (unsigned char)v;
    m->b[at + 1] = (unsigned char)(v >> 8);
}

static void set32(msgbuf *m, size_t at, uint32_t v)
{
    set16(m, at, v & 0xFFFF);
    set16(m, at + 2, v >> 16);
}

/* ASCII as UTF-16LE. */
static void put_u16s(msgbuf *m, const char *s)
{
    for (; *s; s++)
        put16(m, (unsigned char)*s);
}

static void put_av(msgbuf *m, unsigned id, const char *s)
{
    put16(m, id);
    put16(m, (unsigned)(2 * strlen(s)));
    put_u16s(m, s);
}

/* ntlm_parse_type2 on the first len bytes of msg, copied to a heap buffer of
 * exactly that size: a read past the message is then an ASan report, where
 * in the 1024-byte msgbuf it would quietly see the bytes beyond len. */
static int parse(const unsigned char *msg, size_t len, ntlm_challenge *c, char **err)
{
    unsigned char *copy = xmalloc(len ? len : 1);
    if (len)
        memcpy(copy, msg, len);
    int r = ntlm_parse_type2(copy, len, c, err);
    free(copy);
    return r;
}

/* Offsets inside the crafted message, for the tests that break it. */
enum { NAME_AT = 56, NAME_LEN = 16, TI_AT = NAME_AT + NAME_LEN };
static size_t ti_len;

/* What Exchange 2016 on Windows Server 2019 (10.0.17763) answers. */
static void craft_exchange(msgbuf *m)
{
    memset(m, 0, sizeof *m);
    put(m, "NTLMSSP", 8);
    put32(m, 2);
    put16(m, NAME_LEN);
    put16(m, NAME_LEN);
    put32(m, NAME_AT);
    put32(m, 0xE2898215u);
    put(m, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    put(m, "\0\0\0\0\0\0\0\0", 8);
    size_t ti_hdr = m->n;
    put16(m, 0);
    put16(m, 0);
    put32(m, TI_AT);
    put(m, "\x0a\x00\x63\x45\x00\x00\x00\x0f", 8);
    put_u16s(m, "FABRIKAM");
    put_av(m, 2, "FABRIKAM");
    put_av(m, 1, "MAIL1");
    put_av(m, 4, "fabrikam.com");
    put_av(m, 3, "mail1.fabrikam.com");
    put_av(m, 5, "fabrikam.com");
    put16(m, 7);
    put16(m, 8);
    put32(m, (uint32_t)(FT_2016 & 0xFFFFFFFFu));
    put32(m, (uint32_t)(FT_2016 >> 32));
    put16(m, 0);
    put16(m, 0);
    ti_len = m->n - TI_AT;
    set16(m, ti_hdr, (unsigned)ti_len);
    set16(m, ti_hdr + 2, (unsigned)ti_len);
}

static void test_exchange_challenge(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    ntlm_challenge c;
    char *err = NULL;
    assert_int_equal(parse(m.b, m.n, &c, &err), 0);
    assert_null(err);
    assert_int_equal(c.flags, 0xE2898215u);
    assert_memory_equal(c.challenge, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    assert_string_equal(c.target_name, "FABRIKAM");
    assert_string_equal(c.nb_computer, "MAIL1");
    assert_string_equal(c.nb_domain, "FABRIKAM");
    assert_string_equal(c.dns_computer, "mail1.fabrikam.com");
    assert_string_equal(c.dns_domain, "fabrikam.com");
    assert_string_equal(c.dns_tree, "fabrikam.com");
    assert_true(c.has_timestamp);
    assert_true(c.filetime == FT_2016);
    assert_int_equal(c.unix_time, T_2016);
    assert_true(c.has_version);
    assert_int_equal(c.ver_major, 10);
    assert_int_equal(c.ver_minor, 0);
    assert_int_equal(c.ver_build, 17763);
    ntlm_challenge_free(&c);
    assert_null(c.target_name);
}

static void expect_fail(const msgbuf *m, size_t len, const char *want_err)
{
    ntlm_challenge c;
    char *err = NULL;
    assert_int_equal(parse(m->b, len, &c, &err), -1);
    assert_non_null(err);
    if (want_err)
        assert_string_equal(err, want_err);
    assert_null(c.target_name);
    assert_null(c.nb_computer);
    free(err);
}

static void test_truncated(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    expect_fail(&m, 0, "the NTLM challenge is only 0 bytes; a type-2 message has at least 32");
    expect_fail(&m, 31, NULL);
    expect_fail(&m, 40, "the NTLM challenge's target name (16 bytes at offset 56) runs "
                        "past the end of the 40-byte message");
    expect_fail(&m, m.n - 1, "the NTLM challenge's target information (146 bytes at offset "
                             "72) runs past the end of the 217-byte message");
    ntlm_challenge c;
    char *err = NULL;
    assert_int_equal(ntlm_parse_type2(NULL, 0, &c, &err), -1);
    free(err);
}

static void test_bad_header(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    m.b[7] = 'X';
    expect_fail(&m, m.n, NULL);
    craft_exchange(&m);
    set32(&m, 8, 3);
    expect_fail(&m, m.n, "the server's NTLM message is of type 3, not a type-2 challenge");
}

static void test_bad_offsets(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    set32(&m, 16, 0xFFFFFFF0u);
    expect_fail(&m, m.n, NULL);
    craft_exchange(&m);
    set16(&m, 40, 0xFFFF);
    expect_fail(&m, m.n, NULL);
    craft_exchange(&m);
    set32(&m, 44, (uint32_t)m.n);        /* offset at the end, length > 0 */
    expect_fail(&m, m.n, NULL);
    craft_exchange(&m);
    set32(&m, 16, 8);                     /* name inside the header */
    expect_fail(&m, m.n, "the NTLM challenge's target name starts at offset 8, inside the "
                         "message header");
    craft_exchange(&m);
    set16(&m, 12, 15);                    /* odd UTF-16 length */
    expect_fail(&m, m.n, NULL);
}

static void test_bad_av_pairs(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    set16(&m, TI_AT + 2, 200);            /* first pair runs past TargetInfo */
    expect_fail(&m, m.n, "the NTLM challenge's target information field 2 (200 bytes) runs "
                         "past the end of the target information");
    craft_exchange(&m);
    set16(&m, TI_AT + 2, 15);             /* odd name length */
    expect_fail(&m, m.n, NULL);
    craft_exchange(&m);
    size_t ts = m.n - 4 - 12;             /* the timestamp pair */
    assert_int_equal(m.b[ts], 7);
    set16(&m, ts + 2, 4);
    expect_fail(&m, m.n, NULL);
}

static void test_missing_eol_is_ok(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    set16(&m, 40, (unsigned)ti_len - 4);
    ntlm_challenge c;
    char *err = NULL;
    assert_int_equal(parse(m.b, m.n - 4, &c, &err), 0);
    assert_string_equal(c.dns_tree, "fabrikam.com");
    assert_true(c.has_timestamp);
    ntlm_challenge_free(&c);
    /* Two stray bytes after the last pair: stop there, keep what was read. */
    set16(&m, 40, (unsigned)ti_len - 2);
    assert_int_equal(parse(m.b, m.n - 2, &c, &err), 0);
    assert_true(c.has_timestamp);
    ntlm_challenge_free(&c);
}

static void test_version_rules(void **state)
{
    (void)state;
    msgbuf m;
    ntlm_challenge c;
    char *err = NULL;
    craft_exchange(&m);
    set32(&m, 20, 0xE2898215u & ~0x02000000u);
    assert_int_equal(parse(m.b, m.n, &c, &err), 0);
    assert_false(c.has_version);
    ntlm_challenge_free(&c);
    /* A 48-byte header: the name begins where the version would be. */
    craft_exchange(&m);
    set32(&m, 16, 48);
    set16(&m, 12, 8);
    set16(&m, 14, 8);
    memcpy(m.b + 48, "F\0A\0B\0R\0", 8);
    assert_int_equal(parse(m.b, m.n, &c, &err), 0);
    assert_false(c.has_version);
    assert_string_equal(c.target_name, "FABR");
    ntlm_challenge_free(&c);
}

static void test_legacy_32_bytes(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    set16(&m, 12, 0);
    set32(&m, 16, 0);
    ntlm_challenge c;
    char *err = NULL;
    assert_int_equal(parse(m.b, 32, &c, &err), 0);
    assert_null(c.target_name);
    assert_null(c.nb_computer);
    assert_false(c.has_timestamp);
    assert_false(c.has_version);
    assert_int_equal(c.challenge[7], 0xef);
    ntlm_challenge_free(&c);
}

static void test_utf16_conversion(void **state)
{
    (void)state;
    msgbuf m;
    craft_exchange(&m);
    /* "é€😀", a lone high surrogate, U+0000, a lone low surrogate. */
    static const unsigned char name[16] = {
        0xE9, 0x00, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
        0x3D, 0xD8, 0x00, 0x00, 0x00, 0xDC, 0x41, 0x00,
    };
    memcpy(m.b + NAME_AT, name, sizeof name);
    ntlm_challenge c;
    char *err = NULL;
    assert_int_equal(parse(m.b, m.n, &c, &err), 0);
    assert_string_equal(c.target_name, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
                                       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "A");
    ntlm_challenge_free(&c);
    /* Without NTLMSSP_NEGOTIATE_UNICODE the name is OEM bytes. */
    craft_exchange(&m);
    set32(&m, 20, 0xE2898214u);
    memcpy(m.b + NAME_AT, "FABRIKAM\x80\0\0\0\0\0\0\0", 16);
    set16(&m, 12, 9);
    assert_int_equal(parse(m.b, m.n, &c, &err), 0);
    assert_string_equal(c.target_name, "FABRIKAM\xEF\xBF\xBD");
    ntlm_challenge_free(&c);
}

static void assert_same_str(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void roundtrip(const ntlm_challenge *in)
{
    size_t len = 0;
    unsigned char *msg = ntlm_build_type2(in, &len);
    ntlm_challenge out;
    char *err = NULL;
    assert_int_equal(parse(msg, len, &out, &err), 0);
    assert_int_equal(out.flags, in->flags);
    assert_memory_equal(out.challenge, in->challenge, 8);
    assert_same_str(out.target_name, in->target_name);
    assert_same_str(out.nb_computer, in->nb_computer);
    assert_same_str(out.nb_domain, in->nb_domain);
    assert_same_str(out.dns_computer, in->dns_computer);
    assert_same_str(out.dns_domain, in->dns_domain);
    assert_same_str(out.dns_tree, in->dns_tree);
    assert_int_equal(out.has_timestamp, in->has_timestamp);
    assert_true(out.filetime == in->filetime);
    assert_int_equal(out.unix_time, in->unix_time);
    assert_int_equal(out.has_version, in->has_version);
    assert_int_equal(out.ver_major, in->ver_major);
    assert_int_equal(out.ver_minor, in->ver_minor);
    assert_int_equal(out.ver_build, in->ver_build);
    ntlm_challenge_free(&out);
    free(msg);
}

static void test_roundtrip(void **state)
{
    (void)state;
    ntlm_challenge c;
    ntlm_challenge_init(&c);
    c.flags = 0xE2898215u;
    memcpy(c.challenge, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    c.target_name = "FABRIKAM";
    c.nb_computer = "MAIL1";
    c.nb_domain = "FABRIKAM";
    c.dns_computer = "mail1.fabrikam.com";
    c.dns_domain = "fabrikam.com";
    c.dns_tree = "fabrikam.com";
    c.has_timestamp = true;
    c.filetime = FT_2016;
    c.unix_time = T_2016;
    c.has_version = true;
    c.ver_major = 10;
    c.ver_build = 17763;
    roundtrip(&c);
    /* Non-ASCII names, some absent, no clock, no version. */
    c.flags = 0x00808201u;
    c.target_name = NULL;
    c.nb_computer = "M\xC3\x9CNCHEN\xF0\x9F\x98\x80";
    c.dns_tree = NULL;
    c.has_timestamp = false;
    c.filetime = 0;
    c.unix_time = 0;
    c.has_version = false;
    c.ver_major = c.ver_build = 0;
    roundtrip(&c);
}

static void test_builder_layout(void **state)
{
    (void)state;
    ntlm_challenge c;
    ntlm_challenge_init(&c);
    c.flags = 0x00000200u;            /* builder adds UNICODE, TARGET_INFO, VERSION */
    c.target_name = "AB";
    c.has_version = true;
    c.ver_major = 6;
    c.ver_minor = 3;
    c.ver_build = 9600;
    size_t len = 0;
    unsigned char *m = ntlm_build_type2(&c, &len);
    /* 56 header + 4 name + 4 EOL */
    assert_int_equal(len, 64);
    assert_memory_equal(m, "NTLMSSP\0\x02\0\0\0\x04\0\x04\0\x38\0\0\0", 20);
    assert_memory_equal(m + 20, "\x01\x02\x80\x02", 4);
    assert_memory_equal(m + 40, "\x04\0\x04\0\x3c\0\0\0", 8);
    assert_memory_equal(m + 48, "\x06\x03\x80\x25\0\0\0\x0f", 8);
    assert_memory_equal(m + 56, "A\0B\0\0\0\0\0", 8);
    free(m);
}

static void test_type1_constant(void **state)
{
    (void)state;
    unsigned char *raw = NULL;
    long n = util_b64_decode(NTLM_TYPE1_B64, strlen(NTLM_TYPE1_B64), &raw);
    assert_int_equal(n, 32);
    assert_memory_equal(raw, "NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa0", 16);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_challenge),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_offsets),
        cmocka_unit_test(test_bad_av_pairs),
        cmocka_unit_test(test_missing_eol_is_ok),
        cmocka_unit_test(test_version_rules),
        cmocka_unit_test(test_legacy_32_bytes),
        cmocka_unit_test(test_utf16_conversion),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_builder_layout),
        cmocka_unit_test(test_type1_constant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
