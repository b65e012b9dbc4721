/* Unit tests of walk/advice.c: placeholders of the knowledge base's commands
 * filled in only with validated names, from a real walk of the in-process
 * lab; the filling itself on hostile values. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb_catalog.h"
#include "lab/lab.h"
#include "walk/advice.h"

static void test_fill(void **state)
{
    (void)state;
    advice_names n = {.server = "MAIL1", .fqdn = "mail1.fabrikam.com"};
    char *s = advice_fill(&n, "setspn -S SMTPSVC/<fqdn> <server> (in <domain>) <dc> <other>");
    assert_string_equal(s, "setspn -S SMTPSVC/mail1.fabrikam.com MAIL1 (in <domain>) <dc> <other>");
    free(s);
    s = advice_fill(&n, NULL);
    assert_string_equal(s, "");
    free(s);
}

/* A walk of the healthy 2010 lab: its names, as the lab plays them. */
static void test_names_from_walk(void **state)
{
    (void)state;
    char *err = NULL;
    lab_server_opts lo = {.scenario = "e2010-healthy", .scenarios_dir = "kb/labs"};
    lab_server *ls = lab_server_start(&lo, &err);
    assert_non_null(ls);
    char port[16];
    snprintf(port, sizeof port, "%d", lab_server_port(ls));
    kb_catalog c;
    kb_catalog_open(&c, "kb");
    const kb_article *a = kb_catalog_find(&c, "979174");
    assert_non_null(a);
    probe_opts o = {.host = "127.0.0.1", .port = port, .timeout_ms = 3000, .cancel_fd = -1,
                    .dc = "none", .domain = "fabrikam.com"};
    wiz *w = wiz_new(a, &o);
    while (wiz_get_state(w) == WIZ_AT_PROBE || wiz_get_state(w) == WIZ_AT_QUESTION) {
        if (wiz_get_state(w) == WIZ_AT_PROBE)
            wiz_run_probe(w);
        else
            wiz_answer(w, WIZ_NO);
    }
    advice_names n;
    advice_names_get(w, &n);
    assert_string_equal(n.fqdn, "mail1.fabrikam.com");
    assert_string_equal(n.server, "MAIL1");
    assert_string_equal(n.domain, "fabrikam.com");
    assert_null(n.dc);
    assert_null(n.notes);
    advice_names_free(&n);
    wiz_free(w);
    kb_catalog_free(&c);
    lab_server_stop(ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_names_from_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
