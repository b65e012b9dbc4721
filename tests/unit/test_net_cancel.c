/* net's cancel descriptor: readable, or no longer usable (its write end
 * closed, the descriptor itself closed), the wait ends at once with
 * NET_ECANCEL.  A closed cancel fd once made poll() return POLLNVAL at
 * once, which the wait ignored: it spun until the timeout (the wizard
 * closed its cancel pipe before the engine sent QUIT). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/net.h"
#include "base/util.h"

#define TIMEOUT_MS 1500

/* A silent server on 127.0.0.1: *port gets its port. */
static int listener(char *port, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(port, cap, "%d", ntohs(sa.sin_port));
    return fd;
}

/* Connect with cancel_fd, let spoil() break it, read a line that never
 * comes: the read must be cancelled, not time out. */
static void expect_cancel(void (*spoil)(int cancel[2]))
{
    char port[16];
    int lfd = listener(port, sizeof port);
    int cancel[2];
    assert_int_equal(pipe(cancel), 0);
    net_opts o = {.timeout_ms = TIMEOUT_MS, .cancel_fd = cancel[0]};
    conn *c = NULL;
    char *err = NULL;
    assert_int_equal(net_connect("127.0.0.1", port, &o, &c, &err), NET_OK);
    int sfd = accept(lfd, NULL, NULL);   /* before spoil: no fd number reused */
    assert_true(sfd >= 0);
    spoil(cancel);
    char line[64];
    size_t len;
    double t0 = util_now_ms();
    net_err e = net_read_line(c, line, sizeof line, &len, &err);
    double took = util_now_ms() - t0;
    assert_int_equal(e, NET_ECANCEL);
    assert_true(took < TIMEOUT_MS / 3);
    free(err);
    net_close(c);
    close(sfd);
    close(lfd);
    if (cancel[0] >= 0)
        close(cancel[0]);
    if (cancel[1] >= 0)
        close(cancel[1]);
}

static void spoil_write(int cancel[2])
{
    assert_int_equal(write(cancel[1], "x", 1), 1);
}

static void spoil_hangup(int cancel[2])
{
    close(cancel[1]);
    cancel[1] = -1;
}

static void spoil_closed(int cancel[2])
{
    close(cancel[0]);
    cancel[0] = -1;
}

static void test_cancel_written(void **state)
{
    (void)state;
    expect_cancel(spoil_write);
}

static void test_cancel_hangup(void **state)
{
    (void)state;
    expect_cancel(spoil_hangup);
}

static void test_cancel_fd_closed(void **state)
{
    (void)state;
    expect_cancel(spoil_closed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_written),
        cmocka_unit_test(test_cancel_hangup),
        cmocka_unit_test(test_cancel_fd_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
