/* resolve.c against a DNS server that never answers, in namespaces this
 * test makes for itself (user + network + mount, or network + mount as
 * root): only loopback exists, and a private resolv.conf (the stock
 * timeout:5 attempts:2) names 127.0.0.1, where this test holds UDP port 53
 * open and never reads it.  A lookup ends at the caller's deadline, or at
 * once through the cancel descriptor; numeric addresses and localhost
 * never ask DNS; net_connect's resolution obeys the run's deadline. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "proto/net.h"
#include "proto/resolve.h"
#include "base/util.h"

static int dns_fd = -1;   /* 127.0.0.1:53, never read by the server side */

static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    if (fd >= 0)
        close(fd);
    return ok;
}

static bool lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    bool ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP;
    ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    if (s >= 0)
        close(s);
    return ok;
}

/* The namespaces, the private resolv.conf, the silent port 53. */
static bool enter_namespace(void)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) == 0) {
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        if (!write_file("/proc/self/uid_map", map))
            return false;
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        if (!write_file("/proc/self/gid_map", map))
            return false;
    } else if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        return false;
    }
    char conf[] = "/tmp/smtpwiz-resolv-XXXXXX";
    int fd = mkstemp(conf);
    if (fd < 0)
        return false;
    close(fd);
    bool ok = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 && lo_up() &&
              write_file(conf, "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n") &&
              mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) == 0;
    unlink(conf);
    if (!ok)
        return false;
    dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return dns_fd >= 0 && bind(dns_fd, (struct sockaddr *)&sa, sizeof sa) == 0;
}

/* Queries that reached the DNS server since the last call. */
static int queries(void)
{
    char buf[4096];
    int n = 0;
    while (recv(dns_fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
        n++;
    return n;
}

static void test_deadline(void **state)
{
    (void)state;
    queries();
    resolve_wait w = {util_now_ms() + 500, -1};
    resolve_list l;
    char *err = NULL;
    double t0 = util_now_ms();
    assert_int_equal(resolve_host("slow.invalid", 25, &w, &l, &err), RESOLVE_ETIMEOUT);
    double took = util_now_ms() - t0;
    assert_true(took >= 450 && took < 1200);
    assert_string_equal(err, "the name slow.invalid could not be looked up: the DNS server "
                             "(127.0.0.1) did not answer within 0.5 s");
    assert_true(queries() >= 1);   /* it did ask */
    free(err);
    resolve_list_free(&l);
}

static void *cancel_later(void *p)
{
    usleep(150 * 1000);
    assert_int_equal(write(*(int *)p, "x", 1), 1);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    int cancel[2];
    assert_int_equal(pipe(cancel), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, cancel_later, &cancel[1]), 0);
    resolve_wait w = {util_now_ms() + 5000, cancel[0]};
    resolve_list l;
    char *err = NULL;
    double t0 = util_now_ms();
    assert_int_equal(resolve_host("slow.invalid", 25, &w, &l, &err), RESOLVE_ECANCEL);
    double took = util_now_ms() - t0;
    assert_true(took >= 100 && took < 450);
    assert_string_equal(err, "cancelled");
    pthread_join(th, NULL);
    free(err);
    /* The write end gone: cancelled at once. */
    close(cancel[1]);
    err = NULL;
    t0 = util_now_ms();
    assert_int_equal(resolve_srv("_kerberos._tcp.slow.invalid", &w, &(resolve_srv_list){0}, &err),
                     RESOLVE_ECANCEL);
    assert_true(util_now_ms() - t0 < 200);
    free(err);
    close(cancel[0]);
}

static void test_no_dns_needed(void **state)
{
    (void)state;
    const char *names[] = {"127.0.0.1", "::1", "localhost"};
    queries();
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        resolve_wait w = {util_now_ms() + 3000, -1};
        resolve_list l;
        char *err = NULL, text[64];
        double t0 = util_now_ms();
        assert_int_equal(resolve_host(names[i], 587, &w, &l, &err), RESOLVE_OK);
        assert_true(util_now_ms() - t0 < 200);
        assert_true(l.n >= 1);
        assert_int_equal(resolve_addr_text(&l.v[0], text, sizeof text), 587);
        resolve_list_free(&l);
    }
    assert_int_equal(queries(), 0);
}

static void test_net_connect_deadline(void **state)
{
    (void)state;
    net_opts o = {.timeout_ms = 5000, .cancel_fd = -1, .deadline_ms = util_now_ms() + 300};
    conn *c = NULL;
    char *err = NULL;
    double t0 = util_now_ms();
    assert_int_equal(net_connect("slow.invalid", "25", &o, &c, &err), NET_ERESOLVE);
    double took = util_now_ms() - t0;
    assert_true(took >= 250 && took < 1000);
    assert_non_null(strstr(err, "did not answer within 0.3 s"));
    assert_null(c);
    free(err);
}

int main(void)
{
    if (!enter_namespace()) {
        fprintf(stderr, "SKIP: cannot create the namespaces this test needs (%s)\n",
                strerror(errno));
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_no_dns_needed),
        cmocka_unit_test(test_net_connect_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
