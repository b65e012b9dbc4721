/* Unit tests of kb/kb_text.c: a knowledge-base text split into prose
 * paragraphs and command lines, and what kb check takes for a command left
 * in the prose. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb_text.h"

static void test_split(void **state)
{
    (void)state;
    kb_part *v;
    size_t n = kb_text_split("On a domain controller, as a domain admin:\n"
                             "$ repadmin /syncall /AdeP\n$ repadmin /replsummary\n"
                             "Any failure or a large delta\nis a yes.\n\nA second paragraph.", &v);
    assert_int_equal(n, 5);
    assert_int_equal(v[0].kind, KB_PART_PROSE);
    assert_string_equal(v[0].text, "On a domain controller, as a domain admin:");
    assert_int_equal(v[1].kind, KB_PART_COMMAND);
    assert_string_equal(v[1].text, "repadmin /syncall /AdeP");
    assert_int_equal(v[2].kind, KB_PART_COMMAND);
    assert_string_equal(v[3].text, "Any failure or a large delta is a yes.");
    assert_string_equal(v[4].text, "A second paragraph.");
    kb_parts_free(v, n);
    n = kb_text_split("$ setspn -X", &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].kind, KB_PART_COMMAND);
    kb_parts_free(v, n);
    assert_int_equal(kb_text_split(NULL, &v), 0);
    kb_parts_free(v, 0);
}

static void test_looks_like_command(void **state)
{
    (void)state;
    assert_true(kb_text_looks_like_command("setspn -L MAIL1"));
    assert_true(kb_text_looks_like_command("  Get-ReceiveConnector | fl"));
    assert_true(kb_text_looks_like_command("w32tm /resync. Give the PDC a source."));
    assert_false(kb_text_looks_like_command("smtpwiz could not tell from the wire"));
    assert_false(kb_text_looks_like_command("Check the setspn output."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_looks_like_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
