/* Unit tests for the probes' run context: the server clock reading shared
 * by the clock and kdc-time probes (NTLM's FILETIME, sub-second, first,
 * else the greeting's date, each corrected by half the round trip that
 * carried it), and the defaults probe_ctx_init fills in. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

/* The session state is session.c's own: reach it as the probes never do. */
#include "probe/session.c"

#define T_2016 1470439481LL              /* 2016-08-05T23:24:41Z */
#define FILETIME_OF(unix_s) (((uint64_t)(unix_s) + 11644473600ULL) * 10000000ULL)

static void with_banner(probe_ctx *ctx)
{
    ctx->ss->have_banner = true;
    ctx->ss->banner.has_date = true;
    ctx->ss->banner.date_utc = T_2016;
    ctx->ss->connect_ms = 100;                    /* 50 ms each way */
    ctx->ss->greet_wall = (double)T_2016 + 100 + 0.05;
}

static probe_sess sess_zero;

static void ctx_zero(probe_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    memset(&sess_zero, 0, sizeof sess_zero);
    ctx->ss = &sess_zero;
}

static void test_banner_only(void **state)
{
    (void)state;
    probe_ctx ctx;
    ctx_zero(&ctx);
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
    ctx_zero(&ctx);
    with_banner(&ctx);
    ctx.ss->have_ntlm = true;
    ctx.ss->ntlm.has_timestamp = true;
    ctx.ss->ntlm.filetime = FILETIME_OF(T_2016) + 2500000;   /* .25 s */
    ctx.ss->ntlm.unix_time = T_2016;
    ctx.ss->ntlm_rtt_ms = 200;
    ctx.ss->ntlm_wall = (double)T_2016 + 0.25 + 10 + 0.1;    /* 10 s ahead of the server */
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
    ctx_zero(&ctx);
    double skew = 0;
    const char *src = NULL;
    assert_false(probe_server_skew(&ctx, &skew, &src));
    ctx.ss->have_banner = true;          /* a greeting without a date */
    assert_false(probe_banner_skew(&ctx, &skew));
    assert_false(probe_server_skew(&ctx, &skew, &src));
}

/* The EHLO name defaults to the local host name for every caller (the
 * wizard sent smtpwiz.invalid while the CLI sent the host name). */
static void test_ctx_defaults(void **state)
{
    (void)state;
    char name[256] = "";
    assert_int_equal(gethostname(name, sizeof name - 1), 0);
    probe_opts o = {.host = "127.0.0.1", .cancel_fd = -1};
    probe_ctx ctx;
    probe_ctx_init(&ctx, &o);
    assert_string_equal(ctx.o.helo, name[0] ? name : "smtpwiz.invalid");
    assert_string_equal(ctx.o.port, "25");
    assert_int_equal(ctx.o.timeout_ms, 10000);
    probe_ctx_free(&ctx);
    o.helo = "relay.example.test";
    probe_ctx_init(&ctx, &o);
    assert_string_equal(ctx.o.helo, "relay.example.test");
    probe_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banner_only),
        cmocka_unit_test(test_ntlm_first),
        cmocka_unit_test(test_nothing),
        cmocka_unit_test(test_ctx_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
