/* Unit tests for util: the port parser every port option goes through
 * (-p, --dc HOST:PORT, --listen, the wizard's port field). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/util.h"

static void test_port_accepted(void **state)
{
    (void)state;
    assert_int_equal(util_parse_port("25", 1), 25);
    assert_int_equal(util_parse_port("1", 1), 1);
    assert_int_equal(util_parse_port("27027", 1), 27027);
    assert_int_equal(util_parse_port("65535", 1), 65535);
    assert_int_equal(util_parse_port("0", 0), 0);   /* the lab: the kernel picks */
}

static void test_port_rejected(void **state)
{
    (void)state;
    const char *bad[] = {"", "0", "65536", "99999", "100000", "27027.0", "0x6b93", "2.5e4",
                         "+25", "-25", " 25", "25 ", "025", "00", "25a", "1e3", "inf", "nan",
                         "4294967321", "18446744073709551641"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (util_parse_port(bad[i], 1) != -1)
            fail_msg("\"%s\" accepted as a port", bad[i]);
    }
    assert_int_equal(util_parse_port(NULL, 1), -1);
    assert_int_equal(util_parse_port("00", 0), -1);
    assert_int_equal(util_parse_port("-0", 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_accepted),
        cmocka_unit_test(test_port_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
