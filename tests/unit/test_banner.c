/* Unit tests for the greeting reader: products, versions, the clock in the
 * banner (the Kerberos skew check depends on it to the second) and PIX
 * masking. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proto/banner.h"

/* 2016-08-05 23:24:41 UTC, i.e. "Fri, 5 Aug 2016 16:24:41 -0700". */
#define T_2016 1470439481LL
/* 2009-12-02 21:56:01 UTC. */
#define T_2009 1259790961LL

static void test_exchange_2016(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("mail1.fabrikam.com Microsoft ESMTP MAIL Service ready at "
                 "Fri, 5 Aug 2016 16:24:41 -0700", &b);
    assert_string_equal(b.product, "exchange-2007+");
    assert_string_equal(b.host, "mail1.fabrikam.com");
    assert_null(b.version);
    assert_true(b.has_date);
    assert_int_equal(b.date_utc, T_2016);
    assert_int_equal(b.tz_offset_min, -420);
    assert_false(b.masked);
    banner_info_free(&b);
    assert_null(b.host);
    assert_string_equal(b.product, "other");
}

/* A refusal's enhanced status code is not the host, nor the word after it
 * ("421 4.3.2 Service not available"); a name after a code is, and a
 * code-like name with more parts is kept. */
static void test_status_code_not_host(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("4.3.2 Service not available, closing transmission channel", &b);
    assert_null(b.host);
    banner_info_free(&b);
    banner_parse("2.0.0 mx.example.test ESMTP Postfix", &b);
    assert_string_equal(b.host, "mx.example.test");
    assert_string_equal(b.product, "postfix");
    banner_info_free(&b);
    banner_parse("4.3.2.1 mail ready", &b);
    assert_string_equal(b.host, "4.3.2.1");
    banner_info_free(&b);
}

static void test_exchange_upper_case_o365(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("AM0PR01MB1234.eurprd01.prod.outlook.com MICROSOFT ESMTP MAIL SERVICE "
                 "READY AT SAT, 6 AUG 2016 00:24:41 +0000", &b);
    assert_string_equal(b.product, "exchange-2007+");
    assert_true(b.has_date);
    assert_int_equal(b.date_utc, T_2016 + 3600);
    assert_int_equal(b.tz_offset_min, 0);
    banner_info_free(&b);
}

static void test_exchange_2003(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("HOST Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at  "
                 "Sun, 2 Dec 2009 21:56:01 +0000", &b);
    assert_string_equal(b.product, "exchange-2003");
    assert_string_equal(b.version, "6.0.3790.3959");
    assert_string_equal(b.host, "HOST");
    assert_true(b.has_date);
    assert_int_equal(b.date_utc, T_2009);
    banner_info_free(&b);
}

static void test_exchange_55(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("old.contoso.com Microsoft Exchange Internet Mail Service 5.5.2657.72 ready",
                 &b);
    assert_string_equal(b.product, "exchange-5.5");
    assert_string_equal(b.version, "5.5.2657.72");
    assert_false(b.has_date);
    banner_info_free(&b);
    banner_parse("x Microsoft Exchange Internet Mail Service 5.0.1460 ready", &b);
    assert_string_equal(b.product, "other");
    assert_string_equal(b.version, "5.0.1460");
    banner_info_free(&b);
}

static void test_unix_mtas(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("mx.example.org ESMTP Postfix (Debian/GNU)", &b);
    assert_string_equal(b.product, "postfix");
    assert_null(b.version);
    banner_info_free(&b);
    banner_parse("mx.example.org ESMTP Exim 4.94.2 Tue, 02 Mar 2021 10:00:00 +0100", &b);
    assert_string_equal(b.product, "exim");
    assert_string_equal(b.version, "4.94.2");
    assert_true(b.has_date);
    assert_int_equal(b.date_utc, 1614675600LL);
    assert_int_equal(b.tz_offset_min, 60);
    banner_info_free(&b);
    banner_parse("mx.example.org ESMTP Sendmail 8.15.2/8.15.2; Tue, 2 Mar 2021 "
                 "10:00:00 -0500 (EST)", &b);
    assert_string_equal(b.product, "sendmail");
    assert_string_equal(b.version, "8.15.2");
    assert_int_equal(b.date_utc, 1614697200LL);
    banner_info_free(&b);
}

static void test_admin_banner(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("SMTP Server Ready", &b);
    assert_string_equal(b.product, "other");
    assert_false(b.has_date);
    assert_false(b.masked);
    assert_string_equal(b.host, "SMTP");
    banner_info_free(&b);
    banner_parse("", &b);
    assert_null(b.host);
    banner_info_free(&b);
    banner_parse(NULL, &b);
    assert_string_equal(b.product, "other");
    banner_info_free(&b);
}

static void test_pix_masked(void **state)
{
    (void)state;
    banner_info b;
    banner_parse("****0**2****0*****************************2*0**2*****0*0****2***", &b);
    assert_true(b.masked);
    assert_null(b.host);
    assert_string_equal(b.product, "other");
    assert_false(b.has_date);
    banner_info_free(&b);
    /* The 2003 banner through a PIX: only 2s, 0s and blanks survive. */
    banner_parse("**** ********* ***** **** *******, ********: *.0.****.**** ***** **  "
                 "***, 2 *** 200* 2*:**:0* +0000", &b);
    assert_true(b.masked);
    banner_info_free(&b);
    banner_parse("*** Not masked, just a banner with stars ***", &b);
    assert_false(b.masked);
    banner_info_free(&b);
}

static void test_dates_variants(void **state)
{
    (void)state;
    long long t;
    int tz;
    assert_true(banner_find_date("Fri, 5 Aug 2016 16:24:41 -0700", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_true(banner_find_date("5 Aug 2016 16:24:41 -0700", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_true(banner_find_date("at   05   aug   2016   23:24:41   GMT", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_int_equal(tz, 0);
    assert_true(banner_find_date("5 Aug 2016 23:24:41 UT", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_true(banner_find_date("5 Aug 2016 23:24:41 Z", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_true(banner_find_date("5 Aug 2016 16:24:41 PDT", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_int_equal(tz, -420);
    assert_true(banner_find_date("5 Aug 2016 15:24:41 PST", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_true(banner_find_date("5 Aug 2016 19:24:41 EDT", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_true(banner_find_date("6 Aug 2016 05:54:41 +0630", &t, &tz));
    assert_int_equal(t, T_2016);
    assert_int_equal(tz, 390);
    assert_true(banner_find_date("5 Aug 2016 23:24 +0000", &t, &tz));
    assert_int_equal(t, T_2016 - 41);
    assert_true(banner_find_date("1 Jan 1970 00:00:00 +0000", &t, &tz));
    assert_int_equal(t, 0);
    assert_true(banner_find_date("29 Feb 2000 12:00:00 +0000", &t, &tz));
    assert_int_equal(t, 951825600LL);
    assert_true(banner_find_date("31 Dec 9999 23:59:60 +0000", &t, &tz));
    assert_int_equal(t, 253402300800LL);
}

static void test_dates_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "5 Aug 2016 16:24:41",            /* no zone */
        "5 Aug 2016 16:24:41 XYZ",
        "5 Aug 2016 16:24:41 GMTX",
        "5 Aux 2016 16:24:41 +0000",
        "32 Aug 2016 16:24:41 +0000",
        "0 Aug 2016 16:24:41 +0000",
        "29 Feb 2100 16:24:41 +0000",
        "31 Apr 2016 16:24:41 +0000",
        "5 Aug 1969 16:24:41 +0000",
        "5 Aug 16 16:24:41 +0000",
        "5 Aug 20160 16:24:41 +0000",
        "5 Aug 2016 24:00:00 +0000",
        "5 Aug 2016 16:60:00 +0000",
        "5 Aug 2016 16:24:61 +0000",
        "5 Aug 2016 16:24:41 +07000",
        "5 Aug 2016 16:24:41 +2400",
        "5 Aug 2016 16:24:41 +0060",
        "5Aug 2016 16:24:41 +0000",
        "105 Aug 2016 16:24:41 +0000",
        "", "5", "5 Aug", "5 Aug 2016 16:",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        long long t = 7;
        int tz = 7;
        if (banner_find_date(bad[i], &t, &tz))
            fail_msg("accepted bad date \"%s\"", bad[i]);
        assert_int_equal(t, 7);
    }
    long long t;
    int tz;
    assert_false(banner_find_date(NULL, &t, &tz));
}

static void test_date_after_noise(void **state)
{
    (void)state;
    long long t;
    int tz;
    /* A bogus early candidate must not hide the real date later on. */
    assert_true(banner_find_date("v 1 2 33 Aug ready\nFri, 5 Aug 2016 16:24:41 -0700",
                                 &t, &tz));
    assert_int_equal(t, T_2016);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_2016),
        cmocka_unit_test(test_exchange_upper_case_o365),
        cmocka_unit_test(test_exchange_2003),
        cmocka_unit_test(test_exchange_55),
        cmocka_unit_test(test_unix_mtas),
        cmocka_unit_test(test_admin_banner),
        cmocka_unit_test(test_pix_masked),
        cmocka_unit_test(test_dates_variants),
        cmocka_unit_test(test_dates_rejected),
        cmocka_unit_test(test_date_after_noise),
        cmocka_unit_test(test_status_code_not_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
