/* smtp: an SMTP client session over net (and tls) - commands out, bounded
 * replies in, every line written to the run's transcript.  Secrets never
 * reach the transcript: callers mark payload lines with SMTP_SECRET.
 *
 * Two checks guard what leaves and what is believed:
 *  - every line sent goes through smtp_line_check: a CR, LF or NUL inside a
 *    line (a name taken from the server, pasted into a command) would end
 *    the command early and make the rest a command of its own; such a line
 *    is refused (SMTP_EREFUSED), nothing is sent and the session stays
 *    usable.  Commands that carry names are built with smtp_line_build.
 *  - we never pipeline, so data that arrived before a command was sent is an
 *    unsolicited reply: the command is not sent (SMTP_EUNSOLICITED) and the
 *    session is broken, since no later reply could be matched to its
 *    command. */
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
    SMTP_EREFUSED,     /* we refused to send a line (line break inside, too long) */
    SMTP_EUNSOLICITED, /* the server sent data before our command */
} smtp_err;

/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
#define SMTP_CMD_MAX 510

typedef struct smtp_session {
    conn *c;
    transcript *tr;    /* borrowed */
    bool tls;          /* TLS is on */
    bool ehlo_done;
    bool used_helo;    /* EHLO was refused and HELO answered */
    ehlo_caps caps;    /* from the last EHLO */
    tls_info tls_info;
    net_err last_net;
    bool broken;       /* a read or write failed: replies may be out of step
                        * with commands, so nothing more is sent */
    bool unsolicited;  /* the server sent data before a command (then broken) */
    smtp_err last_err; /* of the last send or read: EREFUSED and EUNSOLICITED
                        * are described as such by smtp_describe */
} smtp_session;

enum { SMTP_PLAIN = 0, SMTP_SECRET = 1 };

/* Connect and do nothing else.  *sess allocated on success. */
net_err smtp_connect(const char *host, const char *port, const net_opts *o,
                     transcript *tr, smtp_session **sess, char **err);
void smtp_close(smtp_session *s);  /* sends nothing; closes and frees */
/* QUIT politely (bounded), then close and free. */
void smtp_quit(smtp_session *s);

/* True if line[0..len) may be sent: no CR, LF or NUL inside.  Else false
 * with *err (allocated) saying what was refused and why; with quote, the
 * line is quoted (escaped) in it - never for a line that holds a secret. */
bool smtp_line_check(const char *line, size_t len, bool quote, char **err);
/* A command formatted as printf does, into *out (allocated), and checked:
 * SMTP_EREFUSED with *err, *out NULL, if it holds a CR or LF (from a name
 * the server chose) or is longer than SMTP_CMD_MAX bytes. */
smtp_err smtp_line_build(char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Read one whole reply (bounded as reply.h says). */
smtp_err smtp_read_reply(smtp_session *s, smtp_reply *r, char **err);
/* Send one line (CRLF added).  Refused on a broken session, for a line that
 * fails smtp_line_check (SMTP_EREFUSED: nothing sent, the session stays
 * usable), and when data from the server is already waiting
 * (SMTP_EUNSOLICITED: nothing sent, the session is broken).  With
 * SMTP_SECRET, the transcript shows the first `shown` bytes followed by
 * "<redacted: N bytes>" for the rest of the line. */
smtp_err smtp_send(smtp_session *s, const char *line, int secret, size_t shown, char **err);
/* Send raw bytes that are no command line (XEXCH50's blob after its 354):
 * the same refusals as smtp_send for a broken session and for data already
 * waiting from the server (SMTP_EUNSOLICITED), no line check, nothing in the
 * transcript (the caller notes what it sends). */
smtp_err smtp_send_raw(smtp_session *s, const void *data, size_t len, char **err);
/* Send a plain command and read its reply. */
smtp_err smtp_cmd(smtp_session *s, const char *line, smtp_reply *r, char **err);
/* EHLO, falling back to HELO on a 5xx; fills s->caps.  r gets the reply. */
smtp_err smtp_ehlo(smtp_session *s, const char *helo, smtp_reply *r, char **err);
/* STARTTLS (or X-ANONYMOUSTLS with verb), handshake, then EHLO again.
 * r gets the reply to the verb; on a non-220 reply returns SMTP_OK with TLS off. */
smtp_err smtp_starttls(smtp_session *s, const char *verb, const tls_opts *o,
                       const char *helo, smtp_reply *r, char **err);
/* Human sentence for a failure of the last operation (allocated).  A
 * refusal or an unsolicited reply is described as such whatever e says. */
char *smtp_describe(smtp_session *s, smtp_err e, const char *err);

#endif
