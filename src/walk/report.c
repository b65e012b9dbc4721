/* report: see report.h. */
#include "config.h"

#include <math.h>   /* fabs, isfinite: built in, no libm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exitcode.h"
#include "walk/report.h"
#include "base/secret.h"
#include "base/util.h"

/* One code point as JSON escapes: a UTF-16 surrogate pair past the BMP. */
static void json_u(strbuf *sb, uint32_t cp)
{
    if (cp < 0x10000) {
        sb_printf(sb, "\\u%04x", (unsigned)cp);
    } else {
        cp -= 0x10000;
        sb_printf(sb, "\\u%04x\\u%04x", 0xD800 + (unsigned)(cp >> 10),
                  0xDC00 + (unsigned)(cp & 0x3FF));
    }
}

/* Valid UTF-8 JSON whatever the bytes: printable text as it is; controls,
 * DEL, C1, bidi and format characters as \u escapes (the value kept, the
 * file free of them); a byte that is not valid UTF-8 as the text "\xNN"
 * (JSON cannot carry it); a registered secret as <redacted>. */
void report_json_string(strbuf *sb, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), k = 0;
    secret_span *sp = NULL;
    size_t nsp = secret_find(s, len, &sp);
    sb_putc(sb, '"');
    for (size_t i = 0; i < len;) {
        if (k < nsp && i >= sp[k].start) {
            sb_puts(sb, SECRET_MARK);
            i = sp[k++].end;
            continue;
        }
        uint32_t cp;
        size_t n = util_utf8_decode(u + i, (k < nsp ? sp[k].start : len) - i, &cp);
        if (n == 0)
            sb_printf(sb, "\\\\x%02X", u[i]);
        else if (cp == '"' || cp == '\\')
            sb_printf(sb, "\\%c", (char)cp);
        else if (cp == '\n')
            sb_puts(sb, "\\n");
        else if (util_cp_hidden(cp))
            json_u(sb, cp);
        else
            sb_append(sb, s + i, n);
        i += n ? n : 1;
    }
    sb_putc(sb, '"');
    free(sp);
}

static void json_number(strbuf *sb, double v)
{
    if (!isfinite(v))
        sb_puts(sb, "null");
    else if (fabs(v) < 1e15 && v == (double)(long long)v)
        sb_printf(sb, "%.0f", v);
    else
        sb_printf(sb, "%.3f", v);
}

static void json_fact(strbuf *sb, const fact *f)
{
    report_json_string(sb, f->key);
    sb_putc(sb, ':');
    switch (f->type) {
    case FACT_STR: report_json_string(sb, f->str); break;
    case FACT_NUM: json_number(sb, f->num); break;
    case FACT_BOOL: sb_puts(sb, f->b ? "true" : "false"); break;
    case FACT_LIST:
        sb_putc(sb, '[');
        for (size_t i = 0; i < f->nlist; i++) {
            if (i)
                sb_putc(sb, ',');
            report_json_string(sb, f->list[i]);
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
        report_json_string(sb, r->name);
        sb_puts(sb, ",\"status\":");
        report_json_string(sb, probe_status_name(r->status));
        sb_puts(sb, ",\"summary\":");
        report_json_string(sb, r->summary);
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
        report_json_string(sb, e->line);
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
    report_json_string(&sb, rr->o->host);
    sb_printf(&sb, ",\"port\":%d,\"address\":", atoi(rr->o->port));
    const char *addr = report_target_address(rr);
    if (addr)
        report_json_string(&sb, addr);
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

char *report_text(const char *s, bool ascii)
{
    return util_escape_ex(s ? s : "", s ? strlen(s) : 0, SIZE_MAX,
                          UTIL_ESC_KEEP_NL | (ascii ? UTIL_ESC_ASCII : 0));
}

/* fputs of report_text(s, true). */
static void put_text(FILE *out, const char *s)
{
    char *t = report_text(s, true);
    fputs(t, out);
    free(t);
}

void report_transcript_lines(FILE *out, const transcript *tr, bool ascii)
{
    for (size_t i = 0; i < tr->n; i++) {
        const tr_entry *e = &tr->v[i];
        /* swaks draws "<-" / " ->" in clear and "<~" / " ~>" inside TLS. */
        const char *arrow = e->dir == TR_SERVER ? (e->tls ? "<~ " : "<- ")
                          : e->dir == TR_CLIENT ? (e->tls ? " ~>" : " ->") : "===";
        char *line = util_escape_ex(e->line, strlen(e->line), SIZE_MAX,
                                    ascii ? UTIL_ESC_ASCII : 0);
        fprintf(out, "%8.1f ms %s %s\n", e->t_ms, arrow, line);
        free(line);
    }
    if (tr->dropped)
        fprintf(out, "(%zu transcript lines, %zu bytes, were not kept in all)\n", tr->dropped,
                tr->dropped_bytes);
}

void report_transcript_text(FILE *out, const transcript *tr)
{
    report_transcript_lines(out, tr, true);
}

static const char *status_label(probe_status s)
{
    static const char *const l[] = {"PASS", "WARN", "FAIL", "SKIP", "ERROR"};
    return (unsigned)s < 5 ? l[s] : "ERROR";
}

/* Keys too: a key may have been made of a server's word. */
static void human_facts(FILE *out, const probe_result *r)
{
    for (size_t j = 0; j < r->nfacts; j++) {
        char *k = report_text(r->facts[j].key, true);
        char *v = fact_text(&r->facts[j]);
        char *vt = report_text(v, true);
        fprintf(out, "    %-18s %s\n", k, vt);
        free(vt);
        free(v);
        free(k);
    }
}

/* The terminal's charset is not known (nor trusted): the text output is
 * 7-bit ASCII, every non-ASCII character in the \u{XXXX} notation. */
void report_human(FILE *out, const run_report *rr, bool with_transcript)
{
    fputs("Findings (", out);
    put_text(out, rr->o->host);
    fprintf(out, " port %s)\n", rr->o->port);
    for (size_t i = 0; i < rr->nresults; i++) {
        const probe_result *r = &rr->results[i];
        char *sum = report_text(r->summary, true);
        fprintf(out, "  %-5s %-10s %s (%.0f ms)\n", status_label(r->status), r->name,
                sum, r->elapsed_ms);
        free(sum);
        human_facts(out, r);
    }
    if (!with_transcript)
        return;
    fputs("\nTranscript\n", out);
    report_transcript_text(out, rr->tr);
}

int report_exit_status(const run_report *rr)
{
    /* One rule with diagnose: a server that could not be examined (no
     * connection, no usable greeting, an EHLO reply that broke the
     * protocol) is 3, not a failure of the server's configuration.  An EHLO
     * refused (HELO only) is a finding: 2. */
    for (size_t i = 0; i < rr->nresults; i++) {
        const probe_result *r = &rr->results[i];
        bool reach = strcmp(r->name, "connect") == 0 || strcmp(r->name, "banner") == 0;
        if ((reach && (r->status == ST_FAIL || r->status == ST_ERROR)) ||
            (strcmp(r->name, "ehlo") == 0 && r->status == ST_ERROR))
            return SMTPWIZ_EXIT_UNKNOWN;
    }
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
