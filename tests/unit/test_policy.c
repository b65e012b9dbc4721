/* Unit tests for the run's limits and the credentials' policy
 * (probe/policy.c): the families of mechanisms, one failed logon per family,
 * where credentials may go (after a failed STARTTLS, PLAIN and LOGIN in
 * clear), the connection cap and the deadline, the Cyrus plugin list, and
 * the names the server announces (probe/server_names.c). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The session state is session.c's own: reach it as the probes never do. */
#include "probe/session.c"

static probe_ctx *new_ctx(int deadline_ms, bool allow)
{
    static probe_ctx ctx;
    probe_opts o = {.host = "127.0.0.1", .helo = "test.invalid", .cancel_fd = -1,
                    .deadline_ms = deadline_ms, .allow_plaintext_auth = allow,
                    .timeout_ms = 5000};
    probe_ctx_init(&ctx, &o);
    return &ctx;
}

static void test_families(void **state)
{
    (void)state;
    assert_int_equal(probe_mech_family("PLAIN"), PROBE_FAM_PASSWORD);
    assert_int_equal(probe_mech_family("LOGIN"), PROBE_FAM_PASSWORD);
    assert_int_equal(probe_mech_family("NTLM"), PROBE_FAM_NTLM);
    assert_int_equal(probe_mech_family("GSSAPI"), PROBE_FAM_KERBEROS);
    assert_int_equal(probe_mech_family("GS2-KRB5"), PROBE_FAM_KERBEROS);
    assert_int_equal(probe_mech_family("GSS-SPNEGO"), PROBE_FAM_KERBEROS);
    assert_int_equal(probe_mech_family("CRAM-MD5"), PROBE_FAM_OTHER);
    assert_int_equal(probe_mech_family("SCRAM-SHA-256"), PROBE_FAM_OTHER);
}

static void test_one_failure_per_family(void **state)
{
    (void)state;
    probe_ctx *ctx = new_ctx(0, false);
    char *why = NULL;
    assert_true(probe_logon_allowed(ctx, "PLAIN", &why));
    probe_logon_record(ctx, "AUTH", "PLAIN", true, "235 ok");      /* a success costs nothing */
    assert_true(probe_logon_allowed(ctx, "LOGIN", &why));
    probe_logon_record(ctx, "AUTH", "LOGIN", false, "535 5.7.8 bad");
    assert_false(probe_logon_allowed(ctx, "PLAIN", &why));
    assert_non_null(strstr(why, "AUTH LOGIN: 535 5.7.8 bad"));
    free(why);
    why = NULL;
    /* AUTH and X-EXPS share the family; other families are untouched. */
    assert_false(probe_logon_allowed(ctx, "LOGIN", &why));
    free(why);
    why = NULL;
    assert_true(probe_logon_allowed(ctx, "NTLM", &why));
    /* A re-run in the wizard starts time and connections afresh, not logons. */
    probe_ctx_reset_session(ctx);
    assert_false(probe_logon_allowed(ctx, "PLAIN", &why));
    free(why);
    probe_ctx_free(ctx);
}

static void test_creds_policy(void **state)
{
    (void)state;
    probe_ctx *ctx = new_ctx(0, false);
    char *why = NULL;
    assert_true(probe_creds_allowed(ctx, true, "PLAIN", &why));
    assert_true(probe_creds_allowed(ctx, false, "NTLM", &why));
    assert_false(probe_creds_allowed(ctx, false, "LOGIN", &why));
    assert_non_null(strstr(why, "--allow-plaintext-auth"));
    free(why);
    why = NULL;
    sasl_creds cr = probe_sasl_creds(ctx);
    assert_false(cr.plaintext_ok);
    assert_false(cr.tls_required);
    /* STARTTLS failed once in the run: nothing in clear, whatever was allowed. */
    ctx->ss->tls_failure = xstrdup("the server answered \"454 4.7.0 TLS not available\"");
    ctx->o.allow_plaintext_auth = true;
    assert_false(probe_creds_allowed(ctx, false, "NTLM", &why));
    assert_non_null(strstr(why, "454 4.7.0"));
    free(why);
    why = NULL;
    assert_true(probe_creds_allowed(ctx, true, "PLAIN", &why));   /* inside TLS it may */
    cr = probe_sasl_creds(ctx);
    assert_false(cr.plaintext_ok);
    assert_true(cr.tls_required);
    /* ... and a re-run does not forget it. */
    probe_ctx_reset_session(ctx);
    assert_non_null(probe_tls_failure(ctx));
    probe_ctx_free(ctx);
    ctx = new_ctx(0, true);
    assert_true(probe_creds_allowed(ctx, false, "PLAIN", &why));
    assert_true(probe_sasl_creds(ctx).plaintext_ok);
    probe_ctx_free(ctx);
}

static void test_connection_cap(void **state)
{
    (void)state;
    probe_ctx *ctx = new_ctx(0, false);
    char *why = NULL;
    for (int i = 0; i < PROBE_MAX_CONNECTIONS; i++)
        assert_true(probe_conn_take(ctx, &why));
    assert_false(probe_conn_take(ctx, &why));
    assert_non_null(strstr(why, "used its 8 connections"));
    free(why);
    assert_int_equal(probe_conns_used(ctx), PROBE_MAX_CONNECTIONS);
    assert_int_equal(probe_conns_refused(ctx), 1);
    probe_ctx_reset_session(ctx);
    assert_true(probe_conn_take(ctx, &why));
    probe_ctx_free(ctx);
}

static void test_deadline(void **state)
{
    (void)state;
    probe_ctx *ctx = new_ctx(300, false);
    assert_true(probe_budget_start(ctx));
    /* The time left caps each wait, the Kerberos probes' timeout too. */
    assert_true(ctx->o.timeout_ms <= 300);
    net_opts no = probe_net_opts(ctx);
    assert_true(no.timeout_ms <= 300 && no.deadline_ms > 0);
    usleep(320 * 1000);
    probe_budget_stop(ctx);
    char *why = NULL;
    assert_false(probe_conn_take(ctx, &why));
    assert_non_null(strstr(why, "deadline of 0.3 s"));
    free(why);
    assert_false(probe_budget_start(ctx));
    probe_budget_stop(ctx);
    probe_ctx_free(ctx);
    /* Only time inside probes counts: a wizard waiting for the admin does
     * not use the run up. */
    ctx = new_ctx(300, false);
    assert_true(probe_budget_start(ctx));
    probe_budget_stop(ctx);
    usleep(320 * 1000);
    assert_true(probe_budget_start(ctx));
    probe_budget_stop(ctx);
    probe_ctx_free(ctx);
}

static void test_plugins(void **state)
{
    (void)state;
    assert_true(sasl_mech_available("PLAIN"));
    assert_true(sasl_mech_available("ntlm"));
    assert_false(sasl_mech_available("FLOOD-00"));
    assert_false(sasl_mech_available("EXCHANGEAUTH"));
}

static void test_server_names(void **state)
{
    (void)state;
    probe_ctx *ctx = new_ctx(0, false);
    probe_sess *ss = ctx->ss;
    ss->have_caps_plain = true;
    ss->caps_plain.hello_name = xstrdup("mx$(id);y.example.test");
    ss->have_banner = true;
    ss->banner.host = xstrdup("mail1.example.test.");
    ss->have_ntlm = true;
    ss->ntlm.dns_domain = xstrdup("EXAMPLE.COM\r\nDATA");
    ss->ntlm.nb_computer = xstrdup("MAIL1");
    char *why = NULL;
    assert_null(probe_server_name(ctx, PROBE_NAME_HELLO, &why));
    assert_non_null(strstr(why, "invalid host name: \"mx$(id);y.example.test\""));
    assert_non_null(strstr(why, "in its EHLO reply"));
    free(why);
    why = NULL;
    char *b = probe_server_name(ctx, PROBE_NAME_BANNER, &why);
    assert_string_equal(b, "mail1.example.test");    /* the trailing dot is not kept */
    assert_null(why);
    free(b);
    assert_null(probe_server_name(ctx, PROBE_NAME_NTLM_DNS_DOMAIN, &why));
    assert_non_null(strstr(why, "invalid DNS domain: \"EXAMPLE.COM\\x0D\\x0ADATA\""));
    free(why);
    char *nb = probe_server_name(ctx, PROBE_NAME_NTLM_NB_COMPUTER, NULL);
    assert_string_equal(nb, "MAIL1");
    free(nb);
    /* Absent is no finding; an address is no name. */
    why = NULL;
    assert_null(probe_server_name(ctx, PROBE_NAME_NTLM_DNS_TREE, &why));
    assert_null(why);
    free(ss->banner.host);
    ss->banner.host = xstrdup("[10.0.0.1]");
    assert_null(probe_server_name(ctx, PROBE_NAME_BANNER, &why));
    assert_null(why);
    static const probe_name_src all[] = {PROBE_NAME_HELLO, PROBE_NAME_BANNER,
                                         PROBE_NAME_NTLM_DNS_DOMAIN};
    char **bad = NULL;
    size_t n = probe_invalid_names(ctx, all, 3, &bad);
    assert_int_equal(n, 2);
    probe_invalid_names_free(bad, n);
    probe_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_one_failure_per_family),
        cmocka_unit_test(test_creds_policy),
        cmocka_unit_test(test_connection_cap),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_plugins),
        cmocka_unit_test(test_server_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
