/* Unit tests for the two guards of the SMTP layer (proto/smtp.h): the line
 * check and the command builder (no CR, LF or NUL inside a line; nothing
 * sent, the session still usable), and the detection of unsolicited
 * replies before a command (after the greeting, a doubled reply, inside
 * TLS), which must not mistake TLS 1.3 session tickets for data.  The peer
 * is a thread of this test on 127.0.0.1. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proto/smtp.h"
#include "base/util.h"

static void test_line_check(void **state)
{
    (void)state;
    char *err = NULL;
    assert_true(smtp_line_check("MAIL FROM:<>", 12, true, &err));
    assert_null(err);
    static const char *const bad[] = {"RCPT TO:<a\r\nDATA>", "EHLO x\rDATA", "EHLO x\n", "\r"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(smtp_line_check(bad[i], strlen(bad[i]), true, &err));
        assert_non_null(strstr(err, "refused to send a command holding a line break taken "
                                    "from the server"));
        assert_null(strchr(err, '\r'));
        assert_null(strchr(err, '\n'));
        free(err);
        err = NULL;
    }
    assert_false(smtp_line_check("AUTH\0X", 6, true, &err));
    assert_non_null(strstr(err, "NUL byte"));
    assert_non_null(strstr(err, "\"AUTH\\x00X\""));
    free(err);
    /* A secret line is never quoted. */
    assert_false(smtp_line_check("c2VjcmV0\r\n", 10, false, &err));
    assert_null(strstr(err, "c2VjcmV0"));
    free(err);
}

static void test_line_build(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(smtp_line_build(&out, &err, "RCPT TO:<postmaster@%s>", "fabrikam.com"), SMTP_OK);
    assert_string_equal(out, "RCPT TO:<postmaster@fabrikam.com>");
    assert_null(err);
    free(out);
    assert_int_equal(smtp_line_build(&out, &err, "RCPT TO:<postmaster@%s>",
                                     "example.com\r\nDATA\r\n.\r\n"), SMTP_EREFUSED);
    assert_null(out);
    assert_non_null(strstr(err, "\\x0D\\x0ADATA"));
    free(err);
    char name[600];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_int_equal(smtp_line_build(&out, &err, "EHLO %s", name), SMTP_EREFUSED);
    assert_null(out);
    assert_non_null(strstr(err, "over SMTP's 510"));
    free(err);
    name[SMTP_CMD_MAX - 5] = '\0';      /* "EHLO " + 505 = 510: allowed */
    assert_int_equal(smtp_line_build(&out, &err, "EHLO %s", name), SMTP_OK);
    free(out);
}

/* --- a peer on a thread --------------------------------------------- */

typedef struct peer {
    int lfd, fd;
    const char *script;     /* written right after accept */
    char got[4096];         /* everything received before the client closed */
    size_t ngot;
    pthread_t th;
    int tls;                /* 1: after "STARTTLS" answer 220 and do TLS; 2: also send data */
    SSL_CTX *ctx;
    int tls13, tickets;
} peer;

static EVP_PKEY *pkey;
static X509 *cert;

static void make_cert(void)
{
    if (cert)
        return;
    pkey = EVP_EC_gen("P-256");
    assert_non_null(pkey);
    cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, pkey);
    X509_NAME *n = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(cert, n);
    assert_true(X509_sign(cert, pkey, EVP_sha256()) > 0);
}

static void recv_all(peer *p, SSL *ssl)
{
    for (;;) {
        int n = ssl ? SSL_read(ssl, p->got + p->ngot, (int)(sizeof p->got - 1 - p->ngot))
                    : (int)recv(p->fd, p->got + p->ngot, sizeof p->got - 1 - p->ngot, 0);
        if (n <= 0)
            break;
        p->ngot += (size_t)n;
        p->got[p->ngot] = '\0';
        if (p->tls && !ssl && strstr(p->got, "STARTTLS\r\n"))
            return;
    }
}

static void *peer_main(void *arg)
{
    peer *p = arg;
    p->fd = accept(p->lfd, NULL, NULL);
    if (p->fd < 0)
        return NULL;
    if (send(p->fd, p->script, strlen(p->script), 0) < 0)
        return NULL;
    recv_all(p, NULL);
    if (p->tls) {
        if (send(p->fd, "220 go\r\n", 8, 0) < 0)
            return NULL;
        SSL *ssl = SSL_new(p->ctx);
        SSL_set_fd(ssl, p->fd);
        if (SSL_accept(ssl) == 1) {
            p->tls13 = SSL_version(ssl) == TLS1_3_VERSION;
            p->tickets = (int)SSL_get_num_tickets(ssl);
            if (p->tls == 2)
                SSL_write(ssl, "250 extra\r\n", 11);
            recv_all(p, ssl);
        }
        SSL_free(ssl);
    }
    close(p->fd);
    return NULL;
}

static smtp_session *start(peer *p, const char *script, int tls, transcript *tr)
{
    memset(p, 0, sizeof *p);
    p->script = script;
    p->tls = tls;
    if (tls) {
        make_cert();
        p->ctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_use_certificate(p->ctx, cert);
        SSL_CTX_use_PrivateKey(p->ctx, pkey);
        SSL_CTX_set_min_proto_version(p->ctx, TLS1_3_VERSION);
    }
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(p->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(p->lfd, 1), 0);
    assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&sa, &sl), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
    assert_int_equal(pthread_create(&p->th, NULL, peer_main, p), 0);
    tr_init(tr);
    net_opts o = {.timeout_ms = 3000, .cancel_fd = -1};
    smtp_session *s = NULL;
    char *err = NULL;
    assert_int_equal(smtp_connect("127.0.0.1", port, &o, tr, &s, &err), NET_OK);
    smtp_reply r;
    smtp_reply_init(&r);
    assert_int_equal(smtp_read_reply(s, &r, &err), SMTP_OK);
    assert_int_equal(r.code, 220);
    smtp_reply_free(&r);
    /* Whatever the script sends after the greeting has arrived by now. */
    usleep(100 * 1000);
    return s;
}

/* Closes the client, waits for the peer; p->got holds what it received. */
static void finish(peer *p, smtp_session *s, transcript *tr)
{
    smtp_close(s);
    pthread_join(p->th, NULL);
    close(p->lfd);
    if (p->ctx)
        SSL_CTX_free(p->ctx);
    tr_free(tr);
}

static bool tr_has(const transcript *tr, char dir, const char *text)
{
    for (size_t i = 0; i < tr->n; i++)
        if (tr->v[i].dir == dir && strstr(tr->v[i].line, text))
            return true;
    return false;
}

static void test_send_refuses_line_break(void **state)
{
    (void)state;
    peer p;
    transcript tr;
    smtp_session *s = start(&p, "220 hi\r\n", 0, &tr);
    char *err = NULL;
    assert_int_equal(smtp_send(s, "RCPT TO:<postmaster@a\r\nDATA>", SMTP_PLAIN, 0, &err),
                     SMTP_EREFUSED);
    assert_non_null(strstr(err, "refused to send a command holding a line break"));
    char *d = smtp_describe(s, SMTP_ENET, err);
    assert_string_equal(d, err);
    free(d);
    free(err);
    err = NULL;
    assert_false(s->broken);
    assert_false(tr_has(&tr, TR_CLIENT, "DATA"));
    assert_true(tr_has(&tr, TR_NOTE, "refused to send"));
    /* The EHLO name goes through the same check. */
    smtp_reply r;
    smtp_reply_init(&r);
    assert_int_equal(smtp_ehlo(s, "host\rDATA", &r, &err), SMTP_EREFUSED);
    free(err);
    err = NULL;
    /* Still usable: the next line goes out, and it is the only one. */
    assert_int_equal(smtp_send(s, "NOOP", SMTP_PLAIN, 0, &err), SMTP_OK);
    finish(&p, s, &tr);
    assert_string_equal(p.got, "NOOP\r\n");
}

static void test_unsolicited_after_greeting(void **state)
{
    (void)state;
    peer p;
    transcript tr;
    smtp_session *s = start(&p, "220 hi\r\n250 2.0.0 unsolicited\r\n354 go ahead\r\n", 0, &tr);
    char *err = NULL;
    assert_int_equal(smtp_send(s, "EHLO me", SMTP_PLAIN, 0, &err), SMTP_EUNSOLICITED);
    assert_true(s->broken);
    assert_true(s->unsolicited);
    char *d = smtp_describe(s, SMTP_EUNSOLICITED, err);
    assert_non_null(strstr(d, "the server sends unsolicited replies: \"250 2.0.0 unsolicited"
                              "\\x0D\\x0A354 go ahead\\x0D\\x0A\""));
    free(d);
    free(err);
    err = NULL;
    assert_true(tr_has(&tr, TR_SERVER, "250 2.0.0 unsolicited"));
    assert_true(tr_has(&tr, TR_SERVER, "354 go ahead"));
    /* Broken: nothing more goes out. */
    assert_int_equal(smtp_send(s, "QUIT", SMTP_PLAIN, 0, &err), SMTP_EPROTO);
    free(err);
    finish(&p, s, &tr);
    assert_string_equal(p.got, "");
}

static void test_doubled_reply(void **state)
{
    (void)state;
    peer p;
    transcript tr;
    /* The greeting's "250" arrives as if it answered MAIL, then MAIL's own. */
    smtp_session *s = start(&p, "220 hi\r\n", 0, &tr);
    char *err = NULL;
    smtp_reply r;
    smtp_reply_init(&r);
    /* The peer answers nothing on its own: feed the doubled reply by hand. */
    int sfd = p.fd;
    assert_int_equal(smtp_send(s, "MAIL FROM:<>", SMTP_PLAIN, 0, &err), SMTP_OK);
    assert_int_equal(send(sfd, "250 2.1.0 OK\r\n250 2.1.0 OK\r\n", 28, 0), 28);
    assert_int_equal(smtp_read_reply(s, &r, &err), SMTP_OK);
    assert_int_equal(r.code, 250);
    usleep(50 * 1000);
    assert_int_equal(smtp_send(s, "RCPT TO:<postmaster>", SMTP_PLAIN, 0, &err), SMTP_EUNSOLICITED);
    assert_non_null(strstr(err, "\"250 2.1.0 OK\\x0D\\x0A\""));
    free(err);
    smtp_reply_free(&r);
    finish(&p, s, &tr);
    assert_string_equal(p.got, "MAIL FROM:<>\r\n");
}

/* TLS 1.3 sends session tickets after the handshake: records that are not
 * application data must not count as an unsolicited reply. */
static void tls_session(int mode, smtp_err want)
{
    peer p;
    transcript tr;
    smtp_session *s = start(&p, "220 hi\r\n", mode, &tr);
    char *err = NULL;
    smtp_reply r;
    smtp_reply_init(&r);
    assert_int_equal(smtp_cmd(s, "STARTTLS", &r, &err), SMTP_OK);
    assert_int_equal(r.code, 220);
    tls_opts to = {.sni = "localhost"};
    assert_int_equal(tls_client_start(s->c, &to, &s->tls_info, &err), NET_OK);
    s->tls = true;
    usleep(200 * 1000);   /* the tickets (and mode 2's data) are here by now */
    assert_int_equal(smtp_send(s, "EHLO me", SMTP_PLAIN, 0, &err), want);
    free(err);
    smtp_reply_free(&r);
    finish(&p, s, &tr);
    assert_true(p.tls13);
    assert_int_equal(p.tickets, 2);
    assert_string_equal(p.got, want == SMTP_OK ? "STARTTLS\r\nEHLO me\r\n" : "STARTTLS\r\n");
}

static void test_tls_tickets_are_not_replies(void **state)
{
    (void)state;
    tls_session(1, SMTP_OK);
}

static void test_tls_unsolicited(void **state)
{
    (void)state;
    tls_session(2, SMTP_EUNSOLICITED);
}

static int cleanup(void **state)
{
    (void)state;
    X509_free(cert);
    EVP_PKEY_free(pkey);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_check),
        cmocka_unit_test(test_line_build),
        cmocka_unit_test(test_send_refuses_line_break),
        cmocka_unit_test(test_unsolicited_after_greeting),
        cmocka_unit_test(test_doubled_reply),
        cmocka_unit_test(test_tls_tickets_are_not_replies),
        cmocka_unit_test(test_tls_unsolicited),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
