/* probe connect: can we open TCP to the server at all, and how fast. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "probe/probe.h"
#include "base/util.h"

probe_status probe_connect(probe_ctx *ctx, probe_result *r)
{
    const char *why = NULL;
    smtp_session *s = probe_session_stage(ctx, PROBE_STAGE_CONNECTED, &why);
    fact_str(r, "host", ctx->o.host);
    fact_str(r, "port", ctx->o.port);
    if (s) {
        fact_str(r, "address", net_peer_addr(s->c));
        fact_num(r, "connect_ms", round(ctx->connect_ms * 100) / 100);
        probe_summary(r, "TCP connection to %s port %d opened in %.1f ms",
                      net_peer_addr(s->c), net_peer_port(s->c), ctx->connect_ms);
        return ST_PASS;
    }
    fact_str(r, "error", why);
    fact_str(r, "failure", net_err_name(ctx->connect_err));
    /* The kind of failure says where to look: DNS, a service that is down,
     * or a firewall that drops packets. */
    const char *hint = "";
    switch (ctx->connect_err) {
    case NET_ERESOLVE: hint = " Check the name, or give the server's IP address."; break;
    case NET_EREFUSED:
        hint = " Nothing listens there: is the SMTP service running, and is this the right port?";
        break;
    case NET_ETIMEOUT:
        hint = " No answer at all: a firewall may be dropping the packets, or the host is down.";
        break;
    case NET_EUNREACH: hint = " There is no route to that address from here."; break;
    default: break;
    }
    probe_summary(r, "Cannot connect: %s.%s", why, hint);
    /* An unresolvable name says nothing about the server: we could not run. */
    r->could_not_run = ctx->connect_err == NET_ERESOLVE;
    return r->could_not_run ? ST_ERROR : ST_FAIL;
}
