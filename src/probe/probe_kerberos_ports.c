/* probe kerberos-ports: can this machine reach each domain controller's
 * Kerberos services (KB979174: "Kerberos ports blocked")?  TCP 88 and UDP 88
 * are asked a real AS-REQ, so "answered" means a KDC spoke, not merely that
 * a port was open; TCP 464 (kpasswd) is a connection only.  Each result is
 * one of answered / refused (nothing listens) / filtered (silently dropped). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/krb_der.h"
#include "probe/probe_krb.h"
#include "base/util.h"

typedef struct ports_run {
    strbuf lines_bad;        /* sentences for the summary */
    strbuf unresolved;       /* the domain controllers whose name does not resolve */
    size_t nunresolved;
    char **lines;            /* one per check, for the fact list */
    size_t nlines;
    bool kdc_bad, kpasswd_bad;
    kdc_outcome worst[3];    /* kdc tcp, kdc udp, kpasswd tcp (first bad seen) */
} ports_run;

static const char *meaning(kdc_outcome o)
{
    switch (o) {
    case KDC_REFUSED: return "refused: nothing listens there";
    case KDC_FILTERED: return "filtered: no answer at all, the packets are dropped on the way";
    case KDC_SILENT: return "connected but no Kerberos answer";
    case KDC_UNREACH: return "unreachable: no route to the host";
    case KDC_UNRESOLVED: return "the name does not resolve";
    case KDC_BADREPLY: return "answered with something that is not Kerberos";
    default: return kdc_outcome_name(o);
    }
}

static const char *const check_proto[KDC_NCHECKS] = {"TCP", "UDP", "TCP"};

/* One check's line; reused: when and by whom it was measured. */
static void record(ports_run *pr, kdc_check slot, const kdc_target *t, const kdc_reply *rep,
                   double age_ms)
{
    kdc_outcome o = rep->outcome;
    const char *port = slot == KDC_CHECK_KPASSWD ? t->kpasswd_port : t->port;
    char *when = age_ms >= 0 ? xasprintf(", measured by kdc-time %.1f s before", age_ms / 1000)
                             : xstrdup("");
    pr->lines = xrealloc(pr->lines, (pr->nlines + 1) * sizeof *pr->lines);
    pr->lines[pr->nlines++] = xasprintf("%s %s/%s: %s (%.0f ms%s)", t->host, check_proto[slot],
                                        port, kdc_outcome_name(o), rep->rtt_ms, when);
    free(when);
    bool ok = o == KDC_ANSWERED || (slot == KDC_CHECK_KPASSWD && o == KDC_OPEN);
    if (ok)
        return;
    if (pr->worst[slot] == KDC_ANSWERED)
        pr->worst[slot] = o;
    if (o == KDC_UNRESOLVED || o == KDC_CANCELLED)
        return;   /* nothing was measured: not a blocked port */
    *(slot == KDC_CHECK_KPASSWD ? &pr->kpasswd_bad : &pr->kdc_bad) = true;
    sb_printf(&pr->lines_bad, "%s%s %s %s is %s", pr->lines_bad.len ? "; " : "", t->host,
              check_proto[slot], port, meaning(o));
}

/* The three checks at once, less those kdc-time already made of this
 * domain controller in this run.  An answer counts only if it is a
 * Kerberos message. */
static void check_target(probe_ctx *ctx, ports_run *pr, const kdc_target *t,
                         const unsigned char *req, size_t len)
{
    kdc_reply seen[KDC_NCHECKS], now[KDC_NCHECKS];
    double age = probe_krb_recall(ctx, t, seen);
    bool want[KDC_NCHECKS];
    for (int i = 0; i < KDC_NCHECKS; i++)
        want[i] = seen[i].outcome == KDC_PENDING && (i != KDC_CHECK_KPASSWD || t->kpasswd_port);
    net_opts no = probe_krb_net_opts(ctx);
    kdc_check_run(t, req, len, &no, want, NULL, NULL, now);
    for (int i = 0; i < KDC_NCHECKS; i++) {
        bool reused = !want[i] && seen[i].outcome != KDC_PENDING;
        kdc_reply *rep = reused ? &seen[i] : &now[i];
        if (i == KDC_CHECK_KPASSWD && !t->kpasswd_port)
            continue;
        if (i != KDC_CHECK_KPASSWD && rep->outcome == KDC_ANSWERED &&
            krb_msg_type(rep->buf, rep->len) < 0)
            rep->outcome = KDC_BADREPLY;
        record(pr, (kdc_check)i, t, rep, reused ? age : -1);
        if (i == KDC_CHECK_TCP && rep->outcome == KDC_UNRESOLVED)
            sb_printf(&pr->unresolved, "%s%s", pr->nunresolved++ ? "; " : "", rep->why);
        kdc_reply_free(&seen[i]);
        kdc_reply_free(&now[i]);
    }
}

static probe_status conclude(probe_result *r, ports_run *pr, const kdc_list *dcs)
{
    static const char *const keys[] = {"kdc_tcp", "kdc_udp", "kpasswd_tcp"};
    for (int i = 0; i < 3; i++)
        fact_str(r, keys[i], i == 2 && !dcs->v[0].kpasswd_port ? "not-checked"
                 : kdc_outcome_name(pr->worst[i] == KDC_ANSWERED && i == 2 ? KDC_OPEN
                                    : pr->worst[i]));
    fact_list(r, "checks", pr->lines, pr->nlines);
    fact_bool(r, "blocked", pr->kdc_bad);
    const char *who = dcs->n == 1 ? dcs->v[0].host : "the domain controllers";
    if (pr->nunresolved == dcs->n) {
        probe_summary(r, "Kerberos ports were not checked: the domain controller's name does "
                      "not resolve (%s). Check the name%s, or give the controller's IP address",
                      pr->unresolved.buf, strcmp(dcs->source, "--dc") == 0 ?
                      " given with --dc" : "");
        r->could_not_run = true;
        return ST_ERROR;
    }
    if (pr->kdc_bad) {
        probe_summary(r, "Kerberos is blocked between this machine and %s: %s. Exchange "
                      "servers then fall back from Kerberos or fail to authenticate; open "
                      "TCP and UDP 88 (and TCP 464) to every domain controller", who,
                      pr->lines_bad.buf);
        return ST_FAIL;
    }
    if (pr->kpasswd_bad) {
        probe_summary(r, "The KDC answers on %s, but kpasswd does not: %s (password changes "
                      "over Kerberos fail)", who, pr->lines_bad.buf);
        return ST_WARN;
    }
    if (pr->nunresolved) {
        probe_summary(r, "Kerberos answers on the domain controllers whose names resolve, but "
                      "not on all of them: %s", pr->unresolved.buf);
        return ST_WARN;
    }
    probe_summary(r, "Kerberos answers on %s: TCP and UDP %s answered an AS-REQ%s", who,
                  dcs->v[0].port, dcs->v[0].kpasswd_port ? ", kpasswd TCP port accepts" :
                  " (kpasswd not checked: --dc named a non-standard KDC port)");
    return ST_PASS;
}

static probe_status probe_kerberos_ports(probe_ctx *ctx, probe_result *r)
{
    kdc_list dcs;
    char *why = NULL;
    if (probe_krb_targets(ctx, &dcs, &why) != 0) {
        probe_summary(r, "Kerberos ports were not checked: %s", why);
        free(why);
        return ST_SKIP;
    }
    char *realm = probe_krb_realm(ctx);
    size_t len = 0;
    unsigned char *req = krb_as_req_build(realm ? realm : "SMTPWIZ.INVALID",
                                          "smtpwiz-port-probe", (uint32_t)getpid(), &len);
    if (!req) {   /* a realm taken from a hostile or odd EHLO name */
        probe_summary(r, "Kerberos ports were not checked: the realm \"%s\" is empty or too "
                      "long for a Kerberos request (give one with --realm)", realm);
        free(realm);
        kdc_list_free(&dcs);
        return ST_ERROR;
    }
    ports_run pr = {0};
    char **names = xcalloc(dcs.n, sizeof *names);
    for (size_t i = 0; i < dcs.n; i++) {
        names[i] = dcs.v[i].host;
        check_target(ctx, &pr, &dcs.v[i], req, len);
    }
    fact_list(r, "dcs", names, dcs.n);
    fact_str(r, "dc_source", dcs.source);
    probe_status st = conclude(r, &pr, &dcs);
    for (size_t i = 0; i < pr.nlines; i++)
        free(pr.lines[i]);
    free(pr.lines);
    sb_free(&pr.lines_bad);
    sb_free(&pr.unresolved);
    free(names);
    free(req);
    free(realm);
    kdc_list_free(&dcs);
    return st;
}

static const probe_fact_decl facts[] = {
    {"dcs", FACT_LIST, "the domain controllers checked"},
    {"dc_source", FACT_STR, "where they come from: --dc or DNS SRV"},
    {"kdc_tcp", FACT_STR, "TCP 88: answered open refused filtered unreachable unresolved "
                          "not-checked ..."},
    {"kdc_udp", FACT_STR, "UDP 88, the same outcomes"},
    {"kpasswd_tcp", FACT_STR, "TCP 464, the same outcomes"},
    {"blocked", FACT_BOOL, "some port is refused, filtered or unreachable"},
    {"checks", FACT_LIST, "one sentence per port and domain controller"},
    {NULL, FACT_STR, NULL},
};

const probe_decl probe_decl_kerberos_ports = {
    .name = "kerberos-ports", .title = "Kerberos ports", .fn = probe_kerberos_ports,
    .facts = facts,
};
