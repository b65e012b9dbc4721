/* resolve: host names (A/AAAA) and SRV records through c-ares, within the
 * caller's time and cancellable through its cancel descriptor.  The stock
 * resolver takes its own 2 x 5 s per name whatever the caller's timeout and
 * cannot be interrupted; here every lookup is a poll loop over c-ares's
 * sockets and the cancel descriptor that ends by the caller's deadline.
 * /etc/hosts and /etc/resolv.conf are read as the system reads them (c-ares
 * does both, so localhost works with no DNS at all); numeric addresses never
 * reach c-ares.  Addresses come in getaddrinfo's order (RFC 6724 sorting),
 * limited to the address families this machine has configured, as
 * AI_ADDRCONFIG does, unless that leaves none.
 * Lists and messages (char **err) are allocated and owned by the caller. */
#ifndef SMTPWIZ_RESOLVE_H
#define SMTPWIZ_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef enum {
    RESOLVE_OK = 0,
    RESOLVE_ENONAME,   /* no such domain (NXDOMAIN), not in /etc/hosts either */
    RESOLVE_ENODATA,   /* the name exists but has no record of that kind */
    RESOLVE_ETIMEOUT,  /* the DNS server did not answer in time */
    RESOLVE_ESERVER,   /* the DNS server failed, refused, or cannot be reached */
    RESOLVE_ECANCEL,   /* cancelled through the cancel descriptor */
    RESOLVE_EIO,       /* anything else (no resolver, a bad name, out of memory) */
} resolve_err;

/* When a lookup must end: an absolute time on util_now_ms()'s clock, and a
 * descriptor that cancels it once readable, hung up or closed (-1: none). */
typedef struct resolve_wait {
    double until_ms;
    int cancel_fd;
} resolve_wait;

typedef struct resolve_addr {
    struct sockaddr_storage sa;   /* the port is filled in */
    socklen_t len;
    int family;                   /* AF_INET or AF_INET6 */
} resolve_addr;

typedef struct resolve_list {
    resolve_addr *v;
    size_t n;
} resolve_list;

typedef struct resolve_srv {
    char *target;
    unsigned prio, weight, port;
} resolve_srv_rr;

typedef struct resolve_srv_list {
    resolve_srv_rr *v;               /* by priority, then the heaviest weight first */
    size_t n;
} resolve_srv_list;

#define RESOLVE_SRV_MAX 64        /* records kept from one answer */

/* The addresses of host (a name or a numeric address) with port set. */
resolve_err resolve_host(const char *host, unsigned port, const resolve_wait *w,
                         resolve_list *out, char **err);
void resolve_list_free(resolve_list *l);
void resolve_addr_set_port(resolve_addr *a, unsigned port);
/* The address as numeric text ("127.0.0.1", "::1") into buf; returns its port. */
int resolve_addr_text(const resolve_addr *a, char *buf, size_t cap);

/* The SRV records of name (e.g. "_kerberos._tcp.contoso.com"); records
 * whose target is "." or whose port is 0 ("no service here") are left out.
 * RESOLVE_ENODATA when none is left. */
resolve_err resolve_srv(const char *name, const resolve_wait *w, resolve_srv_list *out,
                        char **err);
/* Decode a DNS answer holding SRV records (split out for tests): the count
 * kept, 0 for an answer that does not parse.  Only targets that are valid
 * host names (base/names.h) are kept. */
size_t resolve_srv_parse(const unsigned char *ans, int len, resolve_srv_list *out);
void resolve_srv_list_free(resolve_srv_list *l);

#endif
