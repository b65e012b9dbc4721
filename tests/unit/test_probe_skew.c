/* Unit tests for the server clock reading shared by the clock and kdc-time
 * probes: NTLM's FILETIME (sub-second) first, else the greeting's date,
 * each corrected by half the round trip that carried it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "probe.h"

#define T_2016 1470439481LL              /* 2016-08-05T23:24:41Z */
#define FILETIME_OF(unix_s) (((uint64_t)(unix_s) + 11644473600ULL) * 10000000ULL)

static void with_banner(probe_ctx *ctx)
{
    ctx->have_banner = true;
    ctx->banner.has_date = true;
    ctx->banner.date_utc = T_2016;
    ctx->connect_ms = 100;                    /* 50 ms each way */
    ctx->greet_wall = (double)T_2016 + 100 + 0.05;
}

static void test_banner_only(void **state)
{
    (void)state;
    probe_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    with_banner(&ctx);
    double skew = 0, b = 0;
    const char *src = NULL;
    assert_true(probe_banner_skew(&ctx, &b));
    assert_true(probe_server_skew(&ctx, &skew, &src));
    assert_string_equal(src, "banner");
    assert_true(skew > -100.0001 && skew < -99.9999);
    assert_true(b == skew);
}

static void test_ntlm_first(void **state)
{
    (void)state;
    probe_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    with_banner(&ctx);
    ctx.have_ntlm = true;
    ctx.ntlm.has_timestamp = true;
    ctx.ntlm.filetime = FILETIME_OF(T_2016) + 2500000;   /* .25 s */
    ctx.ntlm.unix_time = T_2016;
    ctx.ntlm_rtt_ms = 200;
    ctx.ntlm_wall = (double)T_2016 + 0.25 + 10 + 0.1;    /* 10 s ahead of the server */
    double skew = 0;
    const char *src = NULL;
    assert_true(probe_server_skew(&ctx, &skew, &src));
    assert_string_equal(src, "ntlm");
    assert_true(skew > -10.001 && skew < -9.999);
}

static void test_nothing(void **state)
{
    (void)state;
    probe_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    double skew = 0;
    const char *src = NULL;
    assert_false(probe_server_skew(&ctx, &skew, &src));
    ctx.have_banner = true;          /* a greeting without a date */
    assert_false(probe_banner_skew(&ctx, &skew));
    assert_false(probe_server_skew(&ctx, &skew, &src));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banner_only),
        cmocka_unit_test(test_ntlm_first),
        cmocka_unit_test(test_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
