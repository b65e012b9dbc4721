/* Unit tests for creds: the password file is read whole or refused, never
 * cut short (a cut password fails AUTH and sends the admin after a fault
 * that is not there). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/creds.h"
#include "base/util.h"

/* Writes len bytes to a fresh temporary file; returns its path. */
static char *temp_file(const char *data, size_t len)
{
    char *path = xstrdup("/tmp/smtpwiz-creds-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* The password read from a file holding data, or NULL with *err. */
static char *from_file(const char *data, size_t len, char **err)
{
    char *path = temp_file(data, len);
    char *p = creds_password(path, "u", false, err);
    unlink(path);
    free(path);
    return p;
}

static void test_first_line(void **state)
{
    (void)state;
    char *err = NULL;
    char *p = from_file("Lab-Pass-1234\r\nsecond line\n", 28, &err);
    assert_non_null(p);
    assert_string_equal(p, "Lab-Pass-1234");
    assert_null(err);
    creds_free(p);
}

static void test_refused_not_cut(void **state)
{
    (void)state;
    char big[1500], *err = NULL;
    memset(big, 'x', sizeof big);
    assert_null(from_file(big, sizeof big, &err));
    assert_non_null(strstr(err, "longer than 1024 bytes"));
    free(err);
    err = NULL;
    /* exactly 1024 bytes and a CRLF: legal */
    big[1024] = '\r';
    big[1025] = '\n';
    char *p = from_file(big, 1026, &err);
    assert_non_null(p);
    assert_int_equal(strlen(p), 1024);
    creds_free(p);
    assert_null(from_file("pa\0ss\n", 6, &err));
    assert_non_null(strstr(err, "NUL"));
    free(err);
    err = NULL;
    assert_null(from_file("\n", 1, &err));
    assert_non_null(strstr(err, "empty"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_line),
        cmocka_unit_test(test_refused_not_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
