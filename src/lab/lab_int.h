/* lab_int: what the lab's modules share - the server, the per-client session
 * and the functions that cross files.  Not for use outside src/lab*.c.
 * Ownership: the server owns its scenario, sessions, SSL_CTX and log file;
 * a session owns its SSL, its SASL connection and its output buffer. */
#ifndef SMTPWIZ_LAB_INT_H
#define SMTPWIZ_LAB_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <pthread.h>

#include <openssl/ssl.h>

#include "lab/lab.h"
#include "lab/lab_scenario.h"
#include "base/util.h"

#define LAB_IN_MAX        4096              /* one command line, CRLF included */
#define LAB_OUT_BACKLOG   (64 * 1024)       /* stop reading commands above this */
#define LAB_OUT_MAX       (1024 * 1024)     /* drop a client that lets more pile up */
#define LAB_BLOB_MAX      (64LL * 1024 * 1024)
#define LAB_MAX_SESSIONS  4000

typedef enum { TLS_NONE, TLS_PENDING, TLS_HANDSHAKE, TLS_UP } lab_tls_state;
/* An AUTH/X-EXPS exchange: none, the next line is the client's next message,
 * or it is NTLM's type-3 (after our type-2). */
typedef enum { FLOW_NONE, FLOW_MORE, FLOW_NTLM3 } lab_flow;
typedef enum { GEN_NONE, GEN_ENDLESS, GEN_HUGE_EHLO, GEN_GARBAGE } lab_gen;
typedef enum { RAW_NONE, RAW_XEXCH50, RAW_BDAT } lab_raw;

typedef struct lab_session {
    struct lab_server *srv;
    unsigned long id;
    int fd;
    char peer[64];                 /* "127.0.0.1" */
    SSL *ssl;
    lab_tls_state tls;
    bool anon_tls;                 /* TLS came from X-ANONYMOUSTLS */
    int ssl_events;                /* POLLIN/POLLOUT the handshake waits for */
    char in[LAB_IN_MAX + 1];
    size_t inlen;
    bool skipping;                 /* inside an overlong line: drop to LF */
    lab_raw raw;                   /* reading a raw blob, not lines */
    long long raw_left;
    strbuf out;
    size_t outoff;
    bool closing;                  /* close once out is flushed */
    bool dead;                     /* close now */
    int helo;                      /* 0 none, 1 HELO, 2 EHLO */
    char helo_arg[72];             /* the client's EHLO name, printable ASCII */
    bool mail;
    int rcpts;
    bool authed;
    const lab_account *acct;
    int auth_failures;
    lab_flow flow;
    int flow_mech;
    bool flow_exps;
    void *sasl;                    /* sasl_conn_t * */
    lab_gen gen;
    long long gen_left;
    double drip_next;              /* slow-drip: when the next byte may go */
    double idle_deadline;
} lab_session;

struct lab_server {
    lab_scenario *sc;
    int lfd;
    int port;
    char host[64];
    int wake[2];                   /* lab_server_stop() writes here */
    atomic_int stop;
    SSL_CTX *ssl_ctx;
    FILE *log;                     /* written by the loop thread only */
    lab_session **sess;
    size_t nsess, cap;
    unsigned long next_id;
    double accept_pause_until;     /* EMFILE back-off */
    pthread_t thread;
    bool threaded;
    bool kerberos;                 /* --keytab: GSSAPI verified for real */
    void *krb;                     /* its acceptor credentials (lab_sasl.c) */
};

/* lab_loop.c */
int lab_listen(struct lab_server *srv, const char *listen, char **err);
int lab_loop_run(struct lab_server *srv);            /* until srv->stop */
void lab_out(lab_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lab_out_raw(lab_session *s, const void *data, size_t len);
void lab_log(lab_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* lab_session.c */
void lab_session_greet(lab_session *s);
void lab_session_line(lab_session *s, char *line, size_t len);
void lab_session_raw_done(lab_session *s);
void lab_session_gen(lab_session *s);              /* refill a hostile generator */
void lab_session_tls_up(lab_session *s);
void lab_session_reset(lab_session *s);

/* lab_reply.c: banner, EHLO list, firewall masking */
typedef enum {
    LAB_T_UNKNOWN, LAB_T_STARTTLS, LAB_T_AUTH_OK, LAB_T_AUTH_FAIL, LAB_T_MAIL_OK, LAB_T_RCPT_OK,
    LAB_T_QUIT, LAB_T_COUNT
} lab_text_id;
const char *lab_text(const lab_scenario *sc, lab_text_id id);   /* in the product's words */
char *lab_banner(const lab_scenario *sc);
void lab_ehlo_reply(lab_session *s);
unsigned lab_offered(const lab_session *s, bool exps);   /* LAB_M_* bits, AUTH or X-EXPS */
bool lab_pix_rewrite(char *line);   /* NUL-terminated: the verb ends at NUL too */
const char *lab_xexch50_text(const lab_scenario *sc, lab_answer a);
const char *lab_answer_text(lab_answer a);

/* lab_auth.c */
void lab_auth_start(lab_session *s, bool exps, char *args);
void lab_auth_continue(lab_session *s, char *line, size_t len);
void lab_auth_end(lab_session *s);

/* lab_tls.c */
SSL_CTX *lab_tls_ctx(const char *cert, const char *key, const char *cn, char **err);

/* lab_sasl.c */
int lab_sasl_init(char **err);                      /* once per process, kept to its end */
bool lab_sasl_has_mech(const char *mech);           /* a plugin for it is loaded */
/* Kerberos mode: the acceptor credentials of SMTPSVC/<hostname> (X-EXPS) and
 * smtp/<hostname> (AUTH), imported from the keytab once, at start. */
int lab_sasl_kerberos(struct lab_server *srv, const char *keytab, char **err);
void lab_sasl_kerberos_free(struct lab_server *srv);
void *lab_sasl_conn(lab_session *s);
void lab_sasl_conn_free(void *conn);
/* One step; returns 1 done ok (user in *user), 0 continue (out, outlen),
 * -1 failed (bad password, bad ticket or malformed).  The first call on a
 * connection always starts the mechanism, whatever start says. */
int lab_sasl_step(lab_session *s, const char *mech, const char *in, unsigned inlen, bool start,
                  const char **out, unsigned *outlen, const char **user);
/* Why the last step failed (libsasl2's detail, for GSSAPI the GSS major and
 * minor text), owned by the connection; "" if none. */
const char *lab_sasl_detail(lab_session *s);

#endif
