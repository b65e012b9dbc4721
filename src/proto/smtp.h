/* smtp: an SMTP client session over net (and tls) - commands out, bounded
 * replies in, every line written to the run's transcript.  Secrets never
 * reach the transcript: callers mark payload lines with SMTP_SECRET. */
#ifndef SMTPWIZ_SMTP_H
#define SMTPWIZ_SMTP_H

#include <stdbool.h>

#include "proto/ehlo.h"
#include "proto/net.h"
#include "proto/reply.h"
#include "proto/tls.h"
#include "proto/transcript.h"

typedef enum {
    SMTP_OK = 0,
    SMTP_ENET,         /* see net_err in the session's last_net */
    SMTP_EPROTO,       /* a reply that breaks the protocol or a bound */
} smtp_err;

typedef struct smtp_session {
    conn *c;
    transcript *tr;    /* borrowed */
    bool tls;          /* TLS is on */
    bool ehlo_done;
    bool used_helo;    /* EHLO was refused and HELO answered */
    smtp_caps caps;    /* from the last EHLO */
    tls_info tls_info;
    net_err last_net;
    bool broken;       /* a read or write failed: replies may be out of step
                        * with commands, so nothing more is sent */
} smtp_session;

enum { SMTP_PLAIN = 0, SMTP_SECRET = 1 };

/* Connect and do nothing else.  *sess allocated on success. */
net_err smtp_connect(const char *host, const char *port, const net_opts *o,
                     transcript *tr, smtp_session **sess, char **err);
void smtp_close(smtp_session *s);  /* sends nothing; closes and frees */
/* QUIT politely (bounded), then close and free. */
void smtp_quit(smtp_session *s);

/* Read one whole reply (bounded as reply.h says). */
smtp_err smtp_read_reply(smtp_session *s, smtp_reply *r, char **err);
/* Send one line (CRLF added); refused on a broken session.  With SMTP_SECRET, the transcript shows
 * prefix_shown followed by "<redacted: N bytes>" for the rest of the line. */
smtp_err smtp_send(smtp_session *s, const char *line, int secret, size_t shown, char **err);
/* Send a plain command and read its reply. */
smtp_err smtp_cmd(smtp_session *s, const char *line, smtp_reply *r, char **err);
/* EHLO, falling back to HELO on a 5xx; fills s->caps.  r gets the reply. */
smtp_err smtp_ehlo(smtp_session *s, const char *helo, smtp_reply *r, char **err);
/* STARTTLS (or X-ANONYMOUSTLS with verb), handshake, then EHLO again.
 * r gets the reply to the verb; on a non-220 reply returns SMTP_OK with TLS off. */
smtp_err smtp_starttls(smtp_session *s, const char *verb, const tls_opts *o,
                       const char *helo, smtp_reply *r, char **err);
/* Human sentence for a failure of the last operation (allocated). */
char *smtp_describe(smtp_session *s, smtp_err e, const char *err);

#endif
