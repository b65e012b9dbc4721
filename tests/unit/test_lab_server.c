/* The in-process lab the wizard embeds: lab_server_start() serves from a
 * background thread on 127.0.0.1:0, lab_server_stop() frees everything (the
 * ASan build checks for leaks), and lab_scenario_list() sees every file. */
#include "config.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "lab/lab.h"

/* lab_server_start with the three options these tests vary. */
static lab_server *start_lab(const char *scenario, const char *dir, const char *listen, char **err)
{
    lab_server_opts o = {.scenario = scenario, .scenarios_dir = dir, .listen = listen};
    return lab_server_start(&o, err);
}

static char dir[512];

static int talk(int port, const char *send, char *buf, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    size_t n = 0;
    ssize_t r = recv(fd, buf, cap - 1, 0);   /* the greeting */
    if (r > 0 && send) {
        if (write(fd, send, strlen(send)) < 0)
            r = -1;
        usleep(200000);
        n = 0;
        r = recv(fd, buf, cap - 1, 0);
    }
    n = r > 0 ? (size_t)r : 0;
    buf[n] = '\0';
    close(fd);
    return (int)n;
}

static void test_start_stop(void **state)
{
    (void)state;
    char *err = NULL, buf[8192];
    lab_server *ls = start_lab("e2003-healthy", dir, NULL, &err);
    if (!ls)
        fail_msg("%s", err);
    int port = lab_server_port(ls);
    assert_true(port > 0);
    assert_true(talk(port, NULL, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "220 e2k3server1.contoso.com Microsoft ESMTP MAIL Service, Version: "));
    assert_non_null(strstr(buf, " ready at  "));   /* two spaces, as the Windows SMTP service */
    assert_true(talk(port, "EHLO t\r\nMAIL FROM:<>\r\nXEXCH50 64 2\r\n", buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "250-8bitmime\r\n"));
    assert_non_null(strstr(buf, "503 5.5.2 Need rcpt command\r\n"));
    lab_server_stop(ls);
    /* a second lab in the same process (the wizard switches scenarios) */
    ls = start_lab("clock-skew", dir, "127.0.0.1:0", &err);
    assert_non_null(ls);
    lab_server_stop(ls);
}

/* A lab on a one-file scenario directory made from text: returns the server,
 * the directory in tdir (remove it with drop_scenario). */
static lab_server *start_text(const char *text, char *tdir, size_t cap)
{
    snprintf(tdir, cap, "/tmp/test_lab_server.XXXXXX");
    assert_non_null(mkdtemp(tdir));
    char path[600];
    snprintf(path, sizeof path, "%s/t.ini", tdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    char *err = NULL;
    lab_server *ls = start_lab("t", tdir, NULL, &err);
    if (!ls)
        fail_msg("%s", err);
    return ls;
}

static void drop_scenario(lab_server *ls, const char *tdir)
{
    lab_server_stop(ls);
    char path[600];
    snprintf(path, sizeof path, "%s/t.ini", tdir);
    unlink(path);
    rmdir(tdir);
}

/* EHLO lists the mechanisms in Exchange's order whatever order the file has,
 * and never lists EXCHANGEAUTH before X-ANONYMOUSTLS - wherever the file
 * puts it (it once vanished only as the first word). */
static void test_mech_lists(void **state)
{
    (void)state;
    char tdir[64], buf[8192];
    lab_server *ls = start_text("[scenario]\ndescription = mechanism order\n"
                                "product = exchange-2007+\nhostname = mail1.fabrikam.com\n"
                                "[tls]\nanonymous_tls = yes\n"
                                "[auth]\nbefore_tls = PLAIN NTLM\n"
                                "exps_before_tls = NTLM EXCHANGEAUTH GSSAPI\n",
                                tdir, sizeof tdir);
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nX-EXPS EXCHANGEAUTH\r\n", buf, sizeof buf) > 0);
    if (!strstr(buf, "250-X-ANONYMOUSTLS\r\n250-AUTH NTLM PLAIN\r\n250-X-EXPS GSSAPI NTLM\r\n"))
        fail_msg("EHLO:\n%s", buf);
    assert_non_null(strstr(buf, "504 5.7.4 Unrecognized authentication type\r\n"));
    drop_scenario(ls, tdir);
}

/* A scenario's 504 refuses X-EXPS at the command (no 334, no token read);
 * a token the lab cannot read is a failure, never the scenario's 235. */
static void test_auth_answers(void **state)
{
    (void)state;
    char *err = NULL, buf[8192];
    lab_server *ls = start_lab("cross-org", dir, NULL, &err);
    if (!ls)
        fail_msg("%s", err);
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nX-EXPS GSSAPI\r\nX-EXPS NTLM\r\n", buf,
                     sizeof buf) > 0);
    const char *first = strstr(buf, "504 5.7.4 Unrecognized authentication type\r\n");
    if (!first || !strstr(first + 1, "504 5.7.4 Unrecognized authentication type\r\n") ||
        strstr(buf, "334"))
        fail_msg("X-EXPS against cross-org:\n%s", buf);
    lab_server_stop(ls);
    ls = start_lab("e2010-healthy", dir, NULL, &err);
    assert_non_null(ls);
    /* "foo" is no NTLM type-1 */
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nAUTH NTLM Zm9v\r\n", buf, sizeof buf) > 0);
    if (!strstr(buf, "535 5.7.3 Authentication unsuccessful\r\n"))
        fail_msg("AUTH NTLM with a malformed type-1:\n%s", buf);
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nX-EXPS NTLM Zm9v\r\n", buf, sizeof buf) > 0);
    if (!strstr(buf, "454 4.7.0 Temporary authentication failure\r\n"))
        fail_msg("X-EXPS NTLM with a malformed type-1:\n%s", buf);
    lab_server_stop(ls);
}

/* Exchange accepts XEXCH50 only from an identity with the Exchange servers'
 * rights: a healthy lab answers 504 to the ordinary labuser after AUTH and
 * 354 to the server account EXCH02$ (same password). */
static void test_identity(void **state)
{
    (void)state;
    char *err = NULL, buf[8192];
    lab_server *ls = start_lab("e2003-healthy", dir, NULL, &err);
    if (!ls)
        fail_msg("%s", err);
    /* base64 of "\0labuser\0Lab-Pass-1234" and "\0EXCH02$\0Lab-Pass-1234" */
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nAUTH PLAIN AGxhYnVzZXIATGFiLVBhc3MtMTIzNA==\r\n"
                     "MAIL FROM:<>\r\nRCPT TO:<a@contoso.com>\r\nXEXCH50 64 2\r\n", buf, sizeof buf) > 0);
    if (!strstr(buf, "235 ") || !strstr(buf, "\r\n504 "))
        fail_msg("XEXCH50 after AUTH as labuser:\n%s", buf);
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nAUTH PLAIN AEVYQ0gwMiQATGFiLVBhc3MtMTIzNA==\r\n"
                     "MAIL FROM:<>\r\nRCPT TO:<a@contoso.com>\r\nXEXCH50 64 2\r\n", buf, sizeof buf) > 0);
    if (!strstr(buf, "235 ") || !strstr(buf, "\r\n354 "))
        fail_msg("XEXCH50 after AUTH as EXCH02$:\n%s", buf);
    lab_server_stop(ls);
}

/* Behind the PIX/ASA fixup, STARTTLS is answered by the firewall itself
 * (reference: "500 #5.5.1 command not recognized"), XEXCH50 by the server
 * that saw X's. */
static void test_pix_fixup(void **state)
{
    (void)state;
    char *err = NULL, buf[8192];
    lab_server *ls = start_lab("firewall-fixup", dir, NULL, &err);
    if (!ls)
        fail_msg("%s", err);
    assert_true(talk(lab_server_port(ls), "EHLO t\r\nSTARTTLS\r\nXEXCH50 64 2\r\n", buf,
                     sizeof buf) > 0);
    if (!strstr(buf, "\r\n500 #5.5.1 command not recognized\r\n500 5.3.3 Unrecognized command\r\n"))
        fail_msg("behind the fixup:\n%s", buf);
    lab_server_stop(ls);
}

/* This binary's SSL_new() comes before libssl's: it fails while
 * fail_ssl_new is set, as it does when OpenSSL runs out of memory. */
static volatile int fail_ssl_new;

SSL *SSL_new(SSL_CTX *ctx)
{
    static SSL *(*real)(SSL_CTX *);
    if (fail_ssl_new)
        return NULL;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "SSL_new");
    return real(ctx);
}

/* SSL_new failing after "220 2.0.0 SMTP server ready" costs that session
 * (closed), never the lab (it used to pass NULL on to SSL_set_fd). */
static void test_ssl_new_fails(void **state)
{
    (void)state;
    char *err = NULL, buf[8192];
    lab_server *ls = start_lab("e2010-healthy", dir, NULL, &err);
    if (!ls)
        fail_msg("%s", err);
    fail_ssl_new = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)lab_server_port(ls))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    const char *cmds = "EHLO t\r\nSTARTTLS\r\n";
    assert_int_equal(write(fd, cmds, strlen(cmds)), (ssize_t)strlen(cmds));
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = recv(fd, buf + n, sizeof buf - 1 - n, 0)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
    fail_ssl_new = 0;
    if (!strstr(buf, "220 2.0.0 SMTP server ready\r\n") || r != 0)
        fail_msg("expected 220 then a close (recv %zd):\n%s", r, buf);
    /* the lab still serves */
    assert_true(talk(lab_server_port(ls), NULL, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "220 mail1.fabrikam.com "));
    lab_server_stop(ls);
}

/* slow-drip sends a byte a second: a session whose reply is still going out
 * is not idle, however long the reply takes (it was closed idle_timeout
 * seconds after the client's last line, mid-reply). */
static void test_slow_reply_not_idle(void **state)
{
    (void)state;
    char tdir[64], buf[256];
    lab_server *ls = start_text("[scenario]\ndescription = drip\nproduct = exchange-2007+\n"
                                "hostname = mail1.fabrikam.com\nhostile = slow-drip\n"
                                "idle_timeout = 2\n", tdir, sizeof tdir);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)lab_server_port(ls))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 1, .tv_usec = 500000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    size_t n = 0;
    for (int i = 0; i < 5; i++) {   /* about 5 s: 2.5 idle timeouts */
        ssize_t r = recv(fd, buf + n, sizeof buf - 1 - n, 0);
        if (r == 0)
            fail_msg("closed after %zu bytes of the greeting", n);
        if (r > 0)
            n += (size_t)r;
    }
    close(fd);
    assert_true(n >= 4);
    drop_scenario(ls, tdir);
}

static void test_refusals(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(start_lab("../etc/passwd", dir, NULL, &err));
    assert_non_null(strstr(err, "not a scenario name"));
    free(err);
    err = NULL;
    assert_null(start_lab("no-such-scenario", dir, NULL, &err));
    assert_non_null(strstr(err, "no scenario 'no-such-scenario'"));
    free(err);
    err = NULL;
    assert_null(start_lab("e2010-healthy", dir, "0.0.0.0:0", &err));
    assert_non_null(strstr(err, "loopback"));
    free(err);
}

static void test_list(void **state)
{
    (void)state;
    lab_scenario_info *list = NULL;
    char *err = NULL;
    int n = lab_scenario_list(dir, &list, &err);
    assert_int_equal(n, 29);
    assert_string_equal(list[0].name, "ansi-banner");
    for (int i = 0; i < n; i++)
        assert_true(strlen(list[i].description) > 10);
    lab_scenario_list_free(list, n);
}

int main(void)
{
    const char *top = getenv("TOP");
    snprintf(dir, sizeof dir, "%s/kb/labs", top ? top : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_stop),
        cmocka_unit_test(test_mech_lists),
        cmocka_unit_test(test_auth_answers),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_pix_fixup),
        cmocka_unit_test(test_ssl_new_fails),
        cmocka_unit_test(test_slow_reply_not_idle),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
