/* report_walk: a finished diagnose walk for the terminal (text) and for
 * scripts (JSON): the outcome - a conclusion, or inconclusive with the
 * causes still open and the checks that settle them - and the path with
 * what each step rested on (measured, not tested, or an answer) and why
 * it went where it went. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "walk/report.h"
#include "walk/report_md.h"

static void json_step_ref(strbuf *sb, const kb_step *s)
{
    sb_puts(sb, "{\"id\":");
    report_json_string(sb, s->id);
    sb_puts(sb, ",\"title\":");
    report_json_string(sb, s->title ? s->title : s->id);
}

static void json_conclusion(strbuf *sb, const wiz *w)
{
    const kb_step *c = wiz_conclusion(w);
    if (!c) {
        sb_puts(sb, "null");
        return;
    }
    json_step_ref(sb, c);
    sb_puts(sb, ",\"means\":");
    report_json_string(sb, c->means);
    sb_puts(sb, ",\"fix\":");
    report_json_string(sb, c->fix);
    sb_puts(sb, ",\"severity\":");
    report_json_string(sb, c->severity ? c->severity : "fail");
    sb_puts(sb, "}");
}

/* The causes not ruled out, each with its manual checks. */
static void json_open(strbuf *sb, const wiz *w)
{
    const kb_step *open[REPORT_MAX_OPEN], *checks[REPORT_MAX_OPEN];
    size_t n = wiz_open(w, open, REPORT_MAX_OPEN);
    sb_puts(sb, "[");
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        sb_puts(sb, i ? ",\n  " : "\n  ");
        json_step_ref(sb, open[i]);
        sb_puts(sb, ",\"checks\":[");
        size_t k = ev_checks_for(wiz_article(w), open[i], checks, REPORT_MAX_OPEN);
        for (size_t j = 0; j < k && j < REPORT_MAX_OPEN; j++) {
            sb_puts(sb, j ? "," : "");
            sb_puts(sb, "{\"step\":");
            report_json_string(sb, checks[j]->id);
            sb_puts(sb, ",\"ask\":");
            report_json_string(sb, checks[j]->ask);
            sb_puts(sb, ",\"how\":");
            report_json_string(sb, checks[j]->how);
            sb_puts(sb, "}");
        }
        sb_puts(sb, "]}");
    }
    sb_puts(sb, "]");
}

/* The tests the server refused before they could be made. */
static void json_untested(strbuf *sb, const wiz *w)
{
    const wiz_visit *u[REPORT_MAX_OPEN];
    size_t n = wiz_untested(w, u, REPORT_MAX_OPEN);
    sb_puts(sb, "[");
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        const probe_result *r = wiz_visit_result(w, u[i]);
        sb_puts(sb, i ? "," : "");
        sb_puts(sb, "{\"step\":");
        report_json_string(sb, u[i]->step->id);
        sb_puts(sb, ",\"why\":");
        report_json_string(sb, r && r->summary ? r->summary : u[i]->br->because);
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]");
}

static void json_path(strbuf *sb, const wiz *w)
{
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    sb_puts(sb, "[");
    for (size_t i = 0; i < n; i++) {
        sb_puts(sb, i ? ",\n  {\"step\":" : "\n  {\"step\":");
        report_json_string(sb, p[i].step->id);
        sb_printf(sb, ",\"kind\":\"%s\",\"outcome\":", kb_kind_name(p[i].step->kind));
        report_json_string(sb, p[i].outcome);
        sb_printf(sb, ",\"basis\":\"%s\"", ev_basis_name(p[i].basis));
        if (p[i].br && p[i].br->because) {
            sb_puts(sb, ",\"because\":");
            report_json_string(sb, p[i].br->because);
        }
        const probe_result *r = wiz_visit_result(w, &p[i]);
        if (r) {
            sb_puts(sb, ",\"probe\":");
            report_json_string(sb, r->name);
            sb_printf(sb, ",\"status\":\"%s\",\"summary\":", probe_status_name(r->status));
            report_json_string(sb, r->summary);
        }
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]");
}

static void json_outcome(strbuf *sb, const wiz *w)
{
    sb_printf(sb, "\"outcome\":\"%s\",\"conclusion\":", wiz_outcome_name(w));
    json_conclusion(sb, w);
    const kb_step *sus = wiz_suspected(w), *prem = wiz_premise_open(w);
    sb_puts(sb, ",\"suspected\":");
    if (sus) {
        json_step_ref(sb, sus);
        sb_puts(sb, "}");
    } else {
        sb_puts(sb, "null");
    }
    sb_puts(sb, ",\"premise_open\":");
    if (prem)
        report_json_string(sb, prem->id);
    else
        sb_puts(sb, "null");
    sb_puts(sb, ",\"error\":");
    if (wiz_error(w))
        report_json_string(sb, wiz_error(w));
    else
        sb_puts(sb, "null");
}

void report_diag_json(FILE *out, const wiz *w)
{
    run_report rr;
    wiz_run_report(w, &rr);
    strbuf sb = {0};
    sb_puts(&sb, "{\"tool\":\"smtpwiz\",\"kb\":");
    report_json_string(&sb, wiz_article(w)->id);
    sb_puts(&sb, ",\"target\":{\"host\":");
    report_json_string(&sb, rr.o->host);
    sb_printf(&sb, ",\"port\":%d},\n ", atoi(rr.o->port));
    json_outcome(&sb, w);
    sb_puts(&sb, ",\n \"open\":");
    json_open(&sb, w);
    sb_puts(&sb, ",\n \"untested\":");
    json_untested(&sb, w);
    sb_puts(&sb, ",\n \"path\":");
    json_path(&sb, w);
    sb_puts(&sb, ",\n \"unanswered\":[");
    const char *ids[REPORT_MAX_OPEN];
    size_t n = wiz_unanswered(w, ids, REPORT_MAX_OPEN);
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        if (i)
            sb_puts(&sb, ",");
        report_json_string(&sb, ids[i]);
    }
    sb_puts(&sb, "],\n \"probes\":");
    report_json_probes(&sb, &rr);
    sb_puts(&sb, ",\n \"transcript\":");
    report_json_transcript(&sb, rr.tr);
    sb_puts(&sb, "}\n");
    fputs(sb.buf, out);
    sb_free(&sb);
}

/* ---- text ---- */

/* fputs of s as the text output shows it: 7-bit ASCII (report_text), since
 * the terminal's charset is neither known nor trusted. */
static void put_text(FILE *out, const char *s)
{
    char *t = report_text(s ? s : "", true);
    fputs(t, out);
    free(t);
}

/* "  LABEL TEXT\n" with TEXT through put_text. */
static void put_line(FILE *out, const char *label, const char *text)
{
    fputs(label, out);
    put_text(out, text);
    fputc('\n', out);
}

static void text_untested(FILE *out, const wiz *w)
{
    const wiz_visit *u[REPORT_MAX_OPEN];
    size_t n = wiz_untested(w, u, REPORT_MAX_OPEN);
    if (!n)
        return;
    fputs("\nNot tested (the server refused before the test; run again once it accepts):\n", out);
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        const probe_result *r = wiz_visit_result(w, u[i]);
        fprintf(out, "  %s: ", u[i]->step->id);
        put_line(out, "", r && r->summary ? r->summary : u[i]->br->because);
    }
}

static void text_open(FILE *out, const wiz *w)
{
    const kb_step *open[REPORT_MAX_OPEN], *checks[REPORT_MAX_OPEN];
    text_untested(out, w);
    size_t n = wiz_open(w, open, REPORT_MAX_OPEN);
    if (!n)
        return;
    fputs("\nNot ruled out yet (each check settles one; answer with --answer STEP=yes|no):\n",
          out);
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        fprintf(out, "  %s: ", open[i]->id);
        put_line(out, "", open[i]->title);
        size_t k = ev_checks_for(wiz_article(w), open[i], checks, REPORT_MAX_OPEN);
        for (size_t j = 0; j < k && j < REPORT_MAX_OPEN; j++) {
            fprintf(out, "    %s: ", checks[j]->id);
            put_line(out, "", checks[j]->ask);
        }
    }
}

static void text_outcome(FILE *out, const wiz *w)
{
    const kb_step *c = wiz_conclusion(w);
    if (wiz_get_state(w) == WIZ_INCONCLUSIVE) {
        const kb_step *sus = wiz_suspected(w), *prem = wiz_premise_open(w);
        fputs("\nOutcome: inconclusive\n", out);
        if (sus) {
            fprintf(out, "The walk points to %s (", sus->id);
            put_text(out, sus->title);
            fprintf(out, "), but it does not know yet that the server is an Exchange server of "
                         "your organisation%s%s%s.\n", prem ? ": answer " : "",
                    prem ? prem->id : "", prem ? " to settle it" : "");
        } else
            fputs("What smtpwiz measured and your answers do not settle the cause yet.\n", out);
        text_open(out, w);
        return;
    }
    if (!c) {
        put_line(out, "\nNo conclusion: ", wiz_error(w) ? wiz_error(w) : "the walk did not finish");
        return;
    }
    fprintf(out, "\nConclusion: %s - ", c->id);
    put_line(out, "", c->title);
    put_line(out, "\n", c->means);
    put_line(out, "\nWhat to do:\n", c->fix);
    if (kb_is_finding(c))
        text_open(out, w);
}

void report_diag_text(FILE *out, const wiz *w)
{
    run_report rr;
    wiz_run_report(w, &rr);
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    fprintf(out, "KB%s: ", wiz_article(w)->id);
    put_line(out, "", wiz_article(w)->title);
    put_text(out, "Target: ");
    put_text(out, rr.o->host);
    fprintf(out, " port %s\n\nPath:\n", rr.o->port);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%3zu. %-22s %-10s %s\n", i + 1, p[i].step->id, ev_basis_name(p[i].basis),
                p[i].outcome);
        const probe_result *r = wiz_visit_result(w, &p[i]);
        if (r) {
            fprintf(out, "     %s: ", r->name);
            put_line(out, "", r->summary);
        }
        if (p[i].br && p[i].br->because)
            put_line(out, "     -> ", p[i].br->because);
    }
    text_outcome(out, w);
}
