/* probe connect: can we open TCP to the server at all, and how fast. */
#include "config.h"

#include <math.h>   /* fabs, isfinite: built in, no libm */
#include <stdlib.h>

#include "base/util.h"
#include "probe/probe.h"

/* The kind of failure says where to look: DNS, a service that is down, or
 * a firewall that drops packets. */
static const char *connect_hint(net_err e)
{
    switch (e) {
    case NET_ERESOLVE: return " Check the name, or give the server's IP address.";
    case NET_EREFUSED:
        return " Nothing listens there: is the SMTP service running, and is this the right port?";
    case NET_ETIMEOUT:
        return " No answer at all: a firewall may be dropping the packets, or the host is down.";
    case NET_EUNREACH: return " There is no route to that address from here.";
    default: return "";
    }
}

static probe_status probe_connect(probe_ctx *ctx, probe_result *r)
{
    char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_CONNECTED, &why);
    fact_str(r, "host", ctx->o.host);
    fact_str(r, "port", ctx->o.port);
    if (s) {
        double ms = probe_connect_ms(ctx);
        fact_str(r, "address", net_peer_addr(s->c));
        fact_num(r, "connect_ms", util_round(ms, 2));
        probe_summary(r, "TCP connection to %s port %d opened in %.1f ms",
                      net_peer_addr(s->c), net_peer_port(s->c), ms);
        return ST_PASS;
    }
    net_err e = probe_connect_error(ctx);
    fact_str(r, "error", why);
    fact_str(r, "failure", net_err_name(e));
    probe_summary(r, "Cannot connect: %s.%s", why, connect_hint(e));
    free(why);
    /* An unresolvable name says nothing about the server: we could not run. */
    r->could_not_run = e == NET_ERESOLVE;
    return r->could_not_run ? ST_ERROR : ST_FAIL;
}

static const probe_fact_decl facts[] = {
    {"host", FACT_STR, "the name or address asked for"},
    {"port", FACT_STR, "the TCP port asked for"},
    {"address", FACT_STR, "the address the connection reached"},
    {"connect_ms", FACT_NUM, "TCP handshake time in milliseconds"},
    {"error", FACT_STR, "why no connection opened"},
    {"failure", FACT_STR, "the kind of failure: name does not resolve, refused, timeout, "
                          "unreachable, ..."},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_connect = {
    .name = "connect", .title = "TCP connection", .fn = probe_connect, .facts = facts,
};
