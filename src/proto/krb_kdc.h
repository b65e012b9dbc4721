/* krb_kdc: reaching a KDC without a krb5 context.  Names the domain
 * controllers (`--dc HOST[:PORT[,KPASSWD_PORT]]`, or DNS SRV
 * _kerberos._tcp.<domain> through resolve.c), and checks one of them: one
 * message over TCP (4-byte length prefix) and over UDP, and a connection to
 * kpasswd, all at once in one poll loop within one timeout, saying what
 * happened in the terms an admin checks a firewall with: answered,
 * refused, silent (filtered).  krb_kdc.c holds the names, krb_kdc_io.c the
 * checks.  Every char * here is allocated and owned by the caller or the
 * struct. */
#ifndef SMTPWIZ_KRB_KDC_H
#define SMTPWIZ_KRB_KDC_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/net.h"

#define KDC_REPLY_MAX 65536   /* a larger TCP length prefix is a bad reply */
#define KDC_SRV_MAX   8       /* domain controllers taken from DNS */

typedef enum {
    KDC_ANSWERED = 0,  /* a Kerberos message came back */
    KDC_OPEN,          /* TCP connected (no message sent) */
    KDC_SILENT,        /* TCP connected, but nothing came back in time */
    KDC_REFUSED,       /* RST / ICMP port unreachable: nothing listens */
    KDC_FILTERED,      /* no answer at all in time: dropped on the way */
    KDC_UNREACH,       /* no route to the host */
    KDC_UNRESOLVED,    /* the name does not resolve */
    KDC_BADREPLY,      /* an answer that is not Kerberos */
    KDC_CANCELLED,
    KDC_IOERR,
    KDC_PENDING,       /* not run, or still running when the caller had enough */
} kdc_outcome;

typedef struct kdc_target {
    char *host;
    char *port;          /* KDC port, "88" by default */
    char *kpasswd_port;  /* "464", or NULL when --dc named another KDC port alone */
} kdc_target;

typedef struct kdc_list {
    kdc_target *v;
    size_t n;
    char *source;        /* "--dc" or "DNS SRV _kerberos._tcp.<domain>" */
} kdc_list;

typedef struct kdc_reply {
    kdc_outcome outcome;
    unsigned char *buf;  /* the reply message (no TCP prefix), or NULL */
    size_t len;
    double sent_wall;    /* Unix seconds when the request left */
    double recv_wall;    /* ... and when the reply arrived */
    double rtt_ms;
    char addr[64];       /* numeric peer address, "" if none */
    char *why;           /* a sentence when outcome is not ANSWERED/OPEN */
} kdc_reply;

const char *kdc_outcome_name(kdc_outcome o);   /* "answered", "refused", ... */

void kdc_list_free(kdc_list *l);
/* HOST, HOST:PORT, HOST:PORT,KPASSWD or [v6]:PORT into a one-entry list. */
int kdc_list_from_spec(const char *spec, kdc_list *out, char **err);
/* DNS SRV _kerberos._tcp.<domain>, within o's timeout and deadline,
 * cancellable.  0, or -1 with *err set. */
/* Decode an SRV answer into the list (split out for tests): the count kept. */
int kdc_srv_parse(const unsigned char *ans, int len, kdc_list *out);
int kdc_list_from_srv(const char *domain, const net_opts *o, kdc_list *out, char **err);

/* The checks of one domain controller. */
typedef enum { KDC_CHECK_TCP = 0, KDC_CHECK_UDP, KDC_CHECK_KPASSWD, KDC_NCHECKS } kdc_check;

/* Told of each check as it ends; true stops the others (left KDC_PENDING). */
typedef bool (*kdc_enough_fn)(const kdc_reply *r, kdc_check which, void *arg);

/* Run the wanted checks of t at once: TCP and UDP to t->port send req and
 * wait for a reply (UDP sends again halfway), TCP to t->kpasswd_port only
 * connects.  The name is resolved once, and all of it ends within one
 * o->timeout_ms (never past o->deadline_ms); o->cancel_fd cancels.  r[i]
 * is filled in always: KDC_PENDING for a check not wanted or stopped by
 * enough (which may be NULL). */
void kdc_check_run(const kdc_target *t, const unsigned char *req, size_t len,
                   const net_opts *o, const bool want[KDC_NCHECKS], kdc_enough_fn enough,
                   void *arg, kdc_reply r[KDC_NCHECKS]);
void kdc_reply_free(kdc_reply *r);

#endif
