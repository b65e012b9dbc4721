/* Unit tests for triage: the exact event and queue texts of KB843106,
 * KB979174 and the wire reference lead to the right article and entry step,
 * with their fields found and their error codes decoded. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "kb/triage.h"
#include "base/util.h"

static kb_article *kbs[2];

static int load(void **state)
{
    (void)state;
    const char *top = getenv("TOP") ? getenv("TOP") : ".";
    const char *ids[] = {"kb843106.ini", "kb979174.ini"};
    for (int i = 0; i < 2; i++) {
        char *path = xasprintf("%s/kb/%s", top, ids[i]);
        kb_errors errs = {0};
        kbs[i] = kb_load(path, &errs);
        int bad = errs.n != 0 || !kbs[i];
        kb_errors_free(&errs);
        free(path);
        if (bad)
            return -1;
    }
    return 0;
}

static int unload(void **state)
{
    (void)state;
    kb_free(kbs[0]);
    kb_free(kbs[1]);
    return 0;
}

/* Triage text; check article, step and up to two fields (name, value). */
static void expect(const char *text, const char *kb, const char *step, const char *f1,
                   const char *v1, const char *f2, const char *v2)
{
    triage_result r;
    triage_run(text, kbs, 2, &r);
    assert_true(r.matched);
    assert_string_equal(r.kb->id, kb);
    assert_string_equal(r.step->id, step);
    if (f1) {
        assert_non_null(triage_field_get(&r, f1));
        assert_string_equal(triage_field_get(&r, f1), v1);
    }
    if (f2) {
        assert_non_null(triage_field_get(&r, f2));
        assert_string_equal(triage_field_get(&r, f2), v2);
    }
    triage_result_free(&r);
}

static void test_event_7004(void **state)
{
    (void)state;
    const char *t =
        "Event Type: Error\nEvent Source: MSExchangeTransport\nEvent Category: SMTP Protocol\n"
        "Event ID: 7004\n\nDate: 1/13/2004\nDescription: This is an SMTP protocol error log for "
        "virtual server ID 1, connection #29. The remote host \"E2k3server1.contoso.com\", "
        "responded to the SMTP command \"xexch50\" with \"504 Need to authenticate first \". The "
        "full command sent was \"XEXCH50 2336 3 \". This will probably cause the connection to fail.";
    expect(t, "843106", "xexch50-repro", "remote_host", "E2k3server1.contoso.com", "event_id", "7004");
    expect(t, "843106", "xexch50-repro", "command", "xexch50", "reply", "504 Need to authenticate first ");
    expect(t, "843106", "xexch50-repro", "full_command", "XEXCH50 2336 3 ", NULL, NULL);
}

static void test_event_7010(void **state)
{
    (void)state;
    const char *t =
        "Description: This is an SMTP protocol log for virtual server ID 1, connection #30. The "
        "client at \"6.5.2.4\" sent a \"xexch50\" command, and the SMTP server responded with "
        "\"504 Need to authenticate first \". The full command sent was \"xexch50 1092 2\". This "
        "will probably cause the connection to fail.";
    expect(t, "843106", "xexch50-repro", "client_ip", "6.5.2.4", "event_id", "7010");
    expect(t, "843106", "xexch50-repro", "command", "xexch50", "full_command", "xexch50 1092 2");
}

static void test_event_7004_505(void **state)
{
    (void)state;
    expect("The remote host \"ims.litwareinc.com\", responded to the SMTP command \"xexch50\" with "
           "\"505 Authentication required\".", "843106", "ims-version", "reply",
           "505 Authentication required", NULL, NULL);
}

static void test_event_1706(void **state)
{
    (void)state;
    const char *t =
        "Event Type: Warning\nEvent Source: MSExchangeTransport Event\nCategory: SMTP Protocol\n"
        "Event ID: 1706\nDescription:\nEXPS is temporarily unable to provide protocol security with\n"
        "\"<ServerName>.<Domain>.com\". \"CSessionContext::OnEXPSInNegotiate\" called\n"
        "\"HrServerNegotiateAuth\" which failed with error code 0x8009030c\n"
        "( i:\\transmt\\src\\smtpsink\\exps\\expslib\\context.cpp@1462 ).\nData: 0000:\n0c 03 09 80 ...?";
    expect(t, "843106", "exps", "error_code", "0x8009030c", "exps_peer", "<ServerName>.<Domain>.com");
    assert_non_null(strstr(triage_decode("0x8009030c"), "SEC_E_LOGON_DENIED"));
    assert_non_null(strstr(triage_decode("0x8009030C"), "SEC_E_LOGON_DENIED"));
}

static void test_event_1035(void **state)
{
    (void)state;
    const char *t =
        "Event Type: Error Event Source: MSExchangeTransport Event Category: SmtpReceive Event ID: "
        "1035 Description: Inbound authentication failed with error IllegalMessage for Receive "
        "connector Default <Server>. The authentication mechanism is ExchangeAuth. The source IP "
        "address of the client who tried to authenticate to Microsoft Exchange is [10.1.2.3].";
    expect(t, "979174", "clock", "source_ip", "10.1.2.3", "error_name", "IllegalMessage");
    expect(t, "979174", "clock", "mechanism", "ExchangeAuth", "event_id", "1035");
    assert_non_null(strstr(triage_decode("IllegalMessage"), "SEC_E_ILLEGAL_MESSAGE"));
}

static void test_event_2017(void **state)
{
    (void)state;
    expect("Outbound authentication failed with error TargetUnknown for Send connector To Hub. "
           "The authentication mechanism is ExchangeAuth. The target is SMTPSVC/mail1.fabrikam.com.",
           "979174", "spn-list", "target_spn", "SMTPSVC/mail1.fabrikam.com", "event_id", "2017");
    expect("Outbound authentication failed with error TimeSkew for Send connector X. The "
           "authentication mechanism is ExchangeAuth. The target is SMTPSVC/h.example.com.",
           "979174", "clock", "error_name", "TimeSkew", NULL, NULL);
    expect("Outbound authentication failed with error NoAuthenticatingAuthority for Send connector "
           "X. The authentication mechanism is ExchangeAuth.", "979174", "kerberos-ports", NULL,
           NULL, NULL, NULL);
    assert_non_null(strstr(triage_decode("0x80090324"), "SEC_E_TIME_SKEW"));
    assert_non_null(strstr(triage_decode("WrongPrincipal"), "SEC_E_WRONG_PRINCIPAL"));
    assert_non_null(strstr(triage_decode("-1765328347"), "KRB_AP_ERR_SKEW"));
    assert_null(triage_decode("0x12345678"));
}

static void test_queue_viewer(void **state)
{
    (void)state;
    expect("451 4.4.0 Primary target IP address responded with: \"454 4.7.0 Temporary "
           "authentication failure.\" Attempted failover to alternate host, but that did not "
           "succeed. Either there are no alternate hosts, or delivery failed to all alternate "
           "hosts. The last endpoint attempted was 10.0.0.5:25", "979174", "clock", "reply",
           "454 4.7.0 Temporary authentication failure.", "last_endpoint", "10.0.0.5:25");
}

static void test_get_queue(void **state)
{
    (void)state;
    expect("[{LRT=3/1/2024 10:15:02 AM};{LED=451 4.4.0 Primary target IP address responded with: "
           "\"454 4.7.0 Temporary authentication failure.\" Attempted failover to alternate host, "
           "but that did not succeed.};{FQDN=mail1.fabrikam.com};{IP=10.0.0.5}]", "979174", "clock",
           "queue_fqdn", "mail1.fabrikam.com", "queue_ip", "10.0.0.5");
}

static void test_bare_replies(void **state)
{
    (void)state;
    expect("504 Need to authenticate first ", "843106", "xexch50-repro", "reply",
           "504 Need to authenticate first ", NULL, NULL);
    expect("504 5.7.1 Not authorized", "843106", "xexch50-repro", NULL, NULL, NULL, NULL);
    expect("505 Authentication required", "843106", "ims-version", NULL, NULL, NULL, NULL);
    expect("454 4.7.0 Temporary authentication failure", "979174", "clock", "reply",
           "454 4.7.0 Temporary authentication failure", NULL, NULL);
    expect("451 5.7.3 Cannot achieve Exchange Server authentication", "843106", "firewall", NULL,
           NULL, NULL, NULL);
}

/* The Kerberos errors KB979174's causes produce, and the SSPI status codes
 * of Exchange's authentication events, by name. */
static void test_kerberos_errors(void **state)
{
    (void)state;
    expect("The Kerberos client received a KRB_AP_ERR_MODIFIED error from the server MAIL1$. "
           "The target name used was SMTPSVC/mail1.fabrikam.com.", "979174", "spn-dupes",
           "kerberos_error", "KRB_AP_ERR_MODIFIED", NULL, NULL);
    expect("KRB_AP_ERR_SKEW", "979174", "clock", NULL, NULL, NULL, NULL);
    expect("KDC_ERR_S_PRINCIPAL_UNKNOWN for SMTPSVC/mail1", "979174", "spn-list", NULL, NULL,
           NULL, NULL);
    const char *codes[][2] = {
        {"0x8009030C", "SEC_E_LOGON_DENIED"}, {"0x80090308", "SEC_E_INVALID_TOKEN"},
        {"0x80090311", "SEC_E_NO_AUTHENTICATING_AUTHORITY"}, {"0x80090322", "SEC_E_WRONG_PRINCIPAL"},
        {"0x8009030E", "SEC_E_NO_CREDENTIALS"}, {"KRB_AP_ERR_MODIFIED", "KRB_AP_ERR_MODIFIED"},
    };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        const char *d = triage_decode(codes[i][0]);
        if (!d || !strstr(d, codes[i][1]))
            fail_msg("%s decodes as %s", codes[i][0], d ? d : "nothing");
    }
}

static void test_no_match(void **state)
{
    (void)state;
    triage_result r;
    /* Unrelated texts match nothing and get no guess at an article: a DNS
     * failure, an NDR for a client that did not authenticate, vague words. */
    const char *unrelated[] = {
        "The printer on floor 3 is out of paper.",
        "Kerberos tickets fail and the queue grows",
        "451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; "
        "nonexistent domain",
        "550 5.7.1 Client was not authenticated to send anonymous mail during MAIL FROM",
    };
    for (size_t i = 0; i < sizeof unrelated / sizeof *unrelated; i++) {
        triage_run(unrelated[i], kbs, 2, &r);
        assert_false(r.matched);
        assert_null(r.kb);
        triage_result_free(&r);
    }
    triage_run("", kbs, 2, &r);
    assert_false(r.matched);
    triage_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_7004), cmocka_unit_test(test_event_7010),
        cmocka_unit_test(test_event_7004_505), cmocka_unit_test(test_event_1706),
        cmocka_unit_test(test_event_1035), cmocka_unit_test(test_event_2017),
        cmocka_unit_test(test_queue_viewer), cmocka_unit_test(test_get_queue),
        cmocka_unit_test(test_kerberos_errors),
        cmocka_unit_test(test_bare_replies), cmocka_unit_test(test_no_match),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
