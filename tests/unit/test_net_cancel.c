/* net's cancel descriptor: readable, or no longer usable (its write end
 * closed, the descriptor itself closed), the wait ends at once with
 * NET_ECANCEL.  A closed cancel fd once made poll() return POLLNVAL at
 * once, which the wait ignored: it spun until the timeout (the wizard
 * closed its cancel pipe before the engine sent QUIT).
 * The run's deadline (net_opts.deadline_ms): a wait ends at the sooner of
 * its own timeout and the deadline, reads and the KDC checks alike, and
 * says which ended it; the KDC checks are cancelled like a read. */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/krb_kdc.h"
#include "proto/net.h"
#include "base/util.h"

#define TIMEOUT_MS 1500

/* A socket of type bound on 127.0.0.1 that never answers (a TCP one
 * listens): *port gets its port. */
static int silent_socket(int type, char *port, size_t cap)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    if (type == SOCK_STREAM)
        assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(port, cap, "%d", ntohs(sa.sin_port));
    return fd;
}

static int listener(char *port, size_t cap)
{
    return silent_socket(SOCK_STREAM, port, cap);
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

/* Read a line from a silent server under o: how it ended and how long it took. */
static net_err silent_read(const net_opts *o, double *took, char **err)
{
    char port[16], line[64];
    size_t len;
    int lfd = listener(port, sizeof port);
    conn *c = NULL;
    assert_int_equal(net_connect("127.0.0.1", port, o, &c, err), NET_OK);
    double t0 = util_now_ms();
    net_err e = net_read_line(c, line, sizeof line, &len, err);
    *took = util_now_ms() - t0;
    net_close(c);
    close(lfd);
    return e;
}

static void test_deadline_ends_read(void **state)
{
    (void)state;
    net_opts o = {.timeout_ms = 5000, .cancel_fd = -1, .deadline_ms = util_now_ms() + 300};
    double took;
    char *err = NULL;
    assert_int_equal(silent_read(&o, &took, &err), NET_ETIMEOUT);
    assert_true(took >= 250 && took < 1500);
    assert_non_null(strstr(err, "deadline"));
    free(err);
}

static void test_timeout_before_deadline(void **state)
{
    (void)state;
    net_opts o = {.timeout_ms = 300, .cancel_fd = -1, .deadline_ms = util_now_ms() + 60000};
    double took;
    char *err = NULL;
    assert_int_equal(silent_read(&o, &took, &err), NET_ETIMEOUT);
    assert_true(took >= 250 && took < 1500);
    assert_string_equal(err, "no answer before the timeout");
    free(err);
}

/* The UDP check of kdc_check_run against the sink under o. */
static kdc_outcome kdc_udp_silent(const net_opts *o, double *took, char **why)
{
    char port[16];
    int sink = silent_socket(SOCK_DGRAM, port, sizeof port);
    kdc_target t = {"127.0.0.1", port, NULL};
    bool want[KDC_NCHECKS] = {false, true, false};
    kdc_reply r[KDC_NCHECKS];
    static const unsigned char req[] = {0x6a, 0x00};
    double t0 = util_now_ms();
    kdc_check_run(&t, req, sizeof req, o, want, NULL, NULL, r);
    *took = util_now_ms() - t0;
    kdc_outcome out = r[KDC_CHECK_UDP].outcome;
    *why = r[KDC_CHECK_UDP].why ? xstrdup(r[KDC_CHECK_UDP].why) : NULL;
    assert_int_equal(r[KDC_CHECK_TCP].outcome, KDC_PENDING);
    for (int i = 0; i < KDC_NCHECKS; i++)
        kdc_reply_free(&r[i]);
    close(sink);
    return out;
}

static void test_deadline_ends_kdc_check(void **state)
{
    (void)state;
    net_opts o = {.timeout_ms = 5000, .cancel_fd = -1, .deadline_ms = util_now_ms() + 400};
    double took;
    char *why = NULL;
    assert_int_equal(kdc_udp_silent(&o, &took, &why), KDC_FILTERED);
    assert_true(took >= 350 && took < 1500);
    assert_non_null(strstr(why, "the run reached its deadline"));
    free(why);
}

static void *cancel_later(void *p)
{
    usleep(150 * 1000);
    assert_int_equal(write(*(int *)p, "x", 1), 1);
    return NULL;
}

static void test_cancel_kdc_check(void **state)
{
    (void)state;
    int cancel[2];
    assert_int_equal(pipe(cancel), 0);
    net_opts o = {.timeout_ms = 3000, .cancel_fd = cancel[0]};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, cancel_later, &cancel[1]), 0);
    double took;
    char *why = NULL;
    assert_int_equal(kdc_udp_silent(&o, &took, &why), KDC_CANCELLED);
    assert_true(took < 1000);
    pthread_join(th, NULL);
    free(why);
    close(cancel[0]);
    close(cancel[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_written),
        cmocka_unit_test(test_cancel_hangup),
        cmocka_unit_test(test_cancel_fd_closed),
        cmocka_unit_test(test_deadline_ends_read),
        cmocka_unit_test(test_timeout_before_deadline),
        cmocka_unit_test(test_deadline_ends_kdc_check),
        cmocka_unit_test(test_cancel_kdc_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
