/* report: see report.h. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exitcode.h"
#include "walk/report.h"
#include "base/util.h"

void json_string(strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(sb, "\\%c", *p);
        else if (*p < 0x20)
            sb_printf(sb, "\\u%04x", *p);
        else
            sb_putc(sb, (char)*p);
    }
    sb_putc(sb, '"');
}

static void json_number(strbuf *sb, double v)
{
    if (!isfinite(v))
        sb_puts(sb, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        sb_printf(sb, "%.0f", v);
    else
        sb_printf(sb, "%.3f", v);
}

static void json_fact(strbuf *sb, const fact *f)
{
    json_string(sb, f->key);
    sb_putc(sb, ':');
    switch (f->type) {
    case FACT_STR: json_string(sb, f->str); break;
    case FACT_NUM: json_number(sb, f->num); break;
    case FACT_BOOL: sb_puts(sb, f->b ? "true" : "false"); break;
    case FACT_LIST:
        sb_putc(sb, '[');
        for (size_t i = 0; i < f->nlist; i++) {
            if (i)
                sb_putc(sb, ',');
            json_string(sb, f->list[i]);
        }
        sb_putc(sb, ']');
        break;
    }
}

void report_json_probes(strbuf *sb, const run_report *rr)
{
    sb_putc(sb, '[');
    for (size_t i = 0; i < rr->nresults; i++) {
        const probe_result *r = &rr->results[i];
        sb_puts(sb, i ? ",\n  {" : "\n  {");
        sb_puts(sb, "\"name\":");
        json_string(sb, r->name);
        sb_puts(sb, ",\"status\":");
        json_string(sb, probe_status_name(r->status));
        sb_puts(sb, ",\"summary\":");
        json_string(sb, r->summary);
        sb_printf(sb, ",\"elapsed_ms\":%.1f,\"facts\":{", r->elapsed_ms);
        for (size_t j = 0; j < r->nfacts; j++) {
            if (j)
                sb_putc(sb, ',');
            json_fact(sb, &r->facts[j]);
        }
        sb_puts(sb, "}}");
    }
    sb_puts(sb, "]");
}

void report_json_transcript(strbuf *sb, const transcript *tr)
{
    sb_putc(sb, '[');
    for (size_t i = 0; i < tr->n; i++) {
        const tr_entry *e = &tr->v[i];
        sb_printf(sb, "%s{\"t_ms\":%.1f,\"dir\":\"%c\",\"tls\":%s,\"line\":", i ? ",\n  " : "\n  ",
                  e->t_ms, e->dir, e->tls ? "true" : "false");
        json_string(sb, e->line);
        sb_putc(sb, '}');
    }
    sb_puts(sb, "]");
}

const char *report_target_address(const run_report *rr)
{
    for (size_t i = 0; i < rr->nresults; i++) {
        const fact *f = fact_get(&rr->results[i], "address");
        if (f && f->type == FACT_STR)
            return f->str;
    }
    return NULL;
}

void report_json(FILE *out, const run_report *rr)
{
    strbuf sb = {0};
    sb_puts(&sb, "{\"tool\":\"smtpwiz\",\"version\":\"" PACKAGE_VERSION "\",\"target\":{\"host\":");
    json_string(&sb, rr->o->host);
    sb_printf(&sb, ",\"port\":%d,\"address\":", atoi(rr->o->port));
    const char *addr = report_target_address(rr);
    if (addr)
        json_string(&sb, addr);
    else
        sb_puts(&sb, "null");
    sb_puts(&sb, "},\n \"probes\":");
    report_json_probes(&sb, rr);
    sb_puts(&sb, ",\n \"transcript\":");
    report_json_transcript(&sb, rr->tr);
    sb_puts(&sb, "}\n");
    fputs(sb.buf, out);
    sb_free(&sb);
}

void report_transcript_text(FILE *out, const transcript *tr)
{
    for (size_t i = 0; i < tr->n; i++) {
        const tr_entry *e = &tr->v[i];
        /* swaks draws "<-" / " ->" in clear and "<~" / " ~>" inside TLS. */
        const char *arrow = e->dir == TR_SERVER ? (e->tls ? "<~ " : "<- ")
                          : e->dir == TR_CLIENT ? (e->tls ? " ~>" : " ->") : "===";
        fprintf(out, "%8.1f ms %s %s\n", e->t_ms, arrow, e->line);
    }
    if (tr->dropped)
        fprintf(out, "(%zu more transcript lines were not kept)\n", tr->dropped);
}

static const char *status_label(probe_status s)
{
    static const char *const l[] = {"PASS", "WARN", "FAIL", "SKIP", "ERROR"};
    return (unsigned)s < 5 ? l[s] : "ERROR";
}

static void human_facts(FILE *out, const probe_result *r)
{
    for (size_t j = 0; j < r->nfacts; j++) {
        char *v = fact_text(&r->facts[j]);
        fprintf(out, "    %-18s %s\n", r->facts[j].key, v);
        free(v);
    }
}

void report_human(FILE *out, const run_report *rr)
{
    fprintf(out, "Transcript (%s port %s)\n", rr->o->host, rr->o->port);
    report_transcript_text(out, rr->tr);
    fputs("\nFindings\n", out);
    for (size_t i = 0; i < rr->nresults; i++) {
        const probe_result *r = &rr->results[i];
        fprintf(out, "  %-5s %-10s %s (%.0f ms)\n", status_label(r->status), r->name,
                r->summary, r->elapsed_ms);
        human_facts(out, r);
    }
}

int report_exit_status(const run_report *rr)
{
    int worst = 0;
    for (size_t i = 0; i < rr->nresults; i++) {
        const probe_result *r = &rr->results[i];
        int v = r->could_not_run ? SMTPWIZ_EXIT_UNKNOWN
              : r->status == ST_WARN ? SMTPWIZ_EXIT_WARN
              : (r->status == ST_FAIL || r->status == ST_ERROR) ? SMTPWIZ_EXIT_FAULT
              : SMTPWIZ_EXIT_OK;
        if (v > worst)
            worst = v;
    }
    return worst;
}
