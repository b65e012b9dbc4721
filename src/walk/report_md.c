/* report_md: the diagnose reports.  The Markdown one is meant to be pasted
 * into a ticket as is: target, the path with each probe's finding, the
 * conclusion and its fix, what stayed unanswered, the redacted transcript. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "walk/report.h"
#include "walk/report_md.h"
#include "base/util.h"

#define MD_MAX_UNANSWERED 64

/* Summaries and errors quote the server: the characters that can open
 * Markdown inline markup (link or image brackets, emphasis, code span,
 * strikethrough, table cell, HTML, entity) are backslash-escaped, so a reply
 * such as "![x](http://evil.example/t.png)" stays text in the ticket; '#'
 * and '>' only where a line starts.  No more than that: the report is also
 * read raw.  '<' becomes an entity, which keeps "<server>" from vanishing. */
static void md_char(FILE *out, char c, bool line_start)
{
    if (c == '<')
        fputs("&lt;", out);
    else if (strchr("\\`*_[]|~&", c) || (line_start && (c == '#' || c == '>')))
        fprintf(out, "\\%c", c);
    else
        fputc(c, out);
}

/* Every text goes through report_text first (controls, bidi, invalid
 * UTF-8 escaped; newlines kept), the Markdown escaping on top. */

/* Text in a table cell or a line: one line. */
static void md_inline(FILE *out, const char *raw)
{
    char *s = report_text(raw, false);
    for (const char *p = s; *p; p++) {
        if (*p == '\n')
            fputc(' ', out);
        else
            md_char(out, *p, p == s);
    }
    free(s);
}

/* Multi-line text (KB paragraphs, the walk's error) as a paragraph; a blank
 * line stays a paragraph break. */
static void md_block(FILE *out, const char *raw)
{
    char *s = report_text(raw, false);
    for (const char *p = s; *p; p++) {
        if (*p == '\n')
            fputc(*p, out);
        else
            md_char(out, *p, p == s || p[-1] == '\n');
    }
    fputc('\n', out);
    free(s);
}

/* A code span (host, user name): backslashes are literal there, so no
 * escaping; the delimiter is one backtick longer than any run inside. */
static void md_code(FILE *out, const char *raw)
{
    char *s = report_text(raw, false);
    size_t run = 0, longest = 0;
    for (const char *p = s; p && *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
    fputs(longest ? " " : "", out);
    for (const char *p = s; *p; p++)
        fputc(*p == '\n' ? ' ' : *p, out);
    fputs(longest ? " " : "", out);
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
    free(s);
}

static void md_header(FILE *out, const wiz *w, const run_report *rr)
{
    const kb_article *kb = wiz_article(w);
    char when[32];
    util_iso8601((long long)time(NULL), when, sizeof when);
    fprintf(out, "# smtpwiz diagnosis: KB%s\n\n", kb->id);
    fputs("**Article:** ", out);
    md_inline(out, kb->title);
    fputs(" (", out);
    md_inline(out, kb->source);
    fputs(")  \n**Target:** ", out);
    md_code(out, rr->ctx->o.host);
    fprintf(out, " port %s", rr->ctx->o.port);
    const char *addr = report_target_address(rr);
    if (addr)
        fprintf(out, " (%s)", addr);
    fprintf(out, "  \n**Run:** %s by smtpwiz %s", when, PACKAGE_VERSION);
    if (rr->ctx->o.user) {
        fputs(", authenticated as ", out);
        md_code(out, rr->ctx->o.user);
        fputs(" (password not recorded)", out);
    } else {
        fputs(", without credentials", out);
    }
    fputs("\n\n", out);
}

static void md_outcome(FILE *out, const wiz *w)
{
    const kb_step *c = wiz_conclusion(w);
    if (!c) {
        fputs("## Outcome: the server could not be examined\n\n", out);
        md_block(out, wiz_error(w) ? wiz_error(w) : "The walk did not finish.");
        fputc('\n', out);
        return;
    }
    fprintf(out, "## Conclusion: `%s`: ", c->id);
    md_inline(out, c->title);
    fputs("\n\n**What it means.**\n", out);
    md_block(out, c->means);
    fputs("\n**What to do.**\n", out);
    md_block(out, c->fix);
    fputc('\n', out);
    const char *ids[MD_MAX_UNANSWERED];
    size_t n = wiz_unanswered(w, ids, MD_MAX_UNANSWERED);
    if (n) {
        fputs("**Provisional:** these questions were not answered, so the walk took the "
              "\"don't know\" branch. Answer them (`--answer STEP=yes|no`) to confirm:", out);
        for (size_t i = 0; i < n && i < MD_MAX_UNANSWERED; i++)
            fprintf(out, "%s `%s`", i ? "," : "", ids[i]);
        fputs("\n\n", out);
    }
}

static void md_path(FILE *out, const wiz *w, const run_report *rr)
{
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    fputs("## Path taken\n\n| # | Step | Kind | Outcome | Finding |\n|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        const kb_step *s = p[i].step;
        fprintf(out, "| %zu | ", i + 1);
        md_inline(out, s->title ? s->title : s->id);
        fprintf(out, " (`%s`) | %s | ", s->id, kb_kind_name(s->kind));
        md_inline(out, p[i].outcome);
        fputs(" | ", out);
        if (p[i].result >= 0 && (size_t)p[i].result < rr->nresults) {
            const probe_result *r = &rr->results[p[i].result];
            fprintf(out, "%s: ", r->name);
            md_inline(out, r->summary);
        } else if (s->kind == KB_QUESTION) {
            md_inline(out, s->ask);
        }
        fputs(" |\n", out);
    }
    fputs("\n## All probe findings\n\n| Probe | Status | Finding |\n|---|---|---|\n", out);
    for (size_t i = 0; i < rr->nresults; i++) {
        fprintf(out, "| %s | %s | ", rr->results[i].name, probe_status_name(rr->results[i].status));
        md_inline(out, rr->results[i].summary);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

/* The transcript in a fence longer than any backtick run inside it, so a
 * hostile server cannot close the code block and inject Markdown. */
static void md_transcript(FILE *out, const run_report *rr)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return;
    report_transcript_lines(mem, &rr->ctx->tr, false);   /* a file: UTF-8 kept */
    fclose(mem);
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = text[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    size_t fence = longest >= 3 ? longest + 1 : 3;
    fputs("## Transcript (secrets redacted)\n\n", out);
    for (size_t i = 0; i < fence; i++)
        fputc('`', out);
    fputs("text\n", out);
    fputs(text, out);
    for (size_t i = 0; i < fence; i++)
        fputc('`', out);
    fputc('\n', out);
    free(text);
}

void report_markdown(FILE *out, const wiz *w)
{
    run_report rr;
    wiz_run_report(w, &rr);
    md_header(out, w, &rr);
    md_outcome(out, w);
    md_path(out, w, &rr);
    md_transcript(out, &rr);
}

static void json_conclusion(strbuf *sb, const wiz *w)
{
    const kb_step *c = wiz_conclusion(w);
    if (!c) {
        sb_puts(sb, "null,\"error\":");
        json_string(sb, wiz_error(w) ? wiz_error(w) : "the walk did not finish");
        return;
    }
    sb_puts(sb, "{\"id\":");
    json_string(sb, c->id);
    sb_puts(sb, ",\"title\":");
    json_string(sb, c->title);
    sb_puts(sb, ",\"means\":");
    json_string(sb, c->means);
    sb_puts(sb, ",\"fix\":");
    json_string(sb, c->fix);
    sb_puts(sb, ",\"severity\":");
    json_string(sb, c->severity ? c->severity : "fail");
    sb_puts(sb, "},\"error\":null");
}

static void json_path(strbuf *sb, const wiz *w, const run_report *rr)
{
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    sb_puts(sb, "[");
    for (size_t i = 0; i < n; i++) {
        sb_puts(sb, i ? ",\n  {\"step\":" : "\n  {\"step\":");
        json_string(sb, p[i].step->id);
        sb_printf(sb, ",\"kind\":\"%s\",\"outcome\":", kb_kind_name(p[i].step->kind));
        json_string(sb, p[i].outcome);
        if (p[i].result >= 0 && (size_t)p[i].result < rr->nresults) {
            const probe_result *r = &rr->results[p[i].result];
            sb_puts(sb, ",\"probe\":");
            json_string(sb, r->name);
            sb_printf(sb, ",\"status\":\"%s\",\"summary\":", probe_status_name(r->status));
            json_string(sb, r->summary);
        }
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]");
}

void report_diag_json(FILE *out, const wiz *w)
{
    run_report rr;
    wiz_run_report(w, &rr);
    strbuf sb = {0};
    sb_puts(&sb, "{\"tool\":\"smtpwiz\",\"kb\":");
    json_string(&sb, wiz_article(w)->id);
    sb_puts(&sb, ",\"target\":{\"host\":");
    json_string(&sb, rr.ctx->o.host);
    sb_printf(&sb, ",\"port\":%d},\n \"outcome\":\"%s\",\"conclusion\":", atoi(rr.ctx->o.port),
              wiz_conclusion(w) ? "conclusion" : "error");
    json_conclusion(&sb, w);
    sb_puts(&sb, ",\n \"path\":");
    json_path(&sb, w, &rr);
    sb_puts(&sb, ",\n \"unanswered\":[");
    const char *ids[MD_MAX_UNANSWERED];
    size_t n = wiz_unanswered(w, ids, MD_MAX_UNANSWERED);
    for (size_t i = 0; i < n && i < MD_MAX_UNANSWERED; i++) {
        if (i)
            sb_puts(&sb, ",");
        json_string(&sb, ids[i]);
    }
    sb_puts(&sb, "],\n \"probes\":");
    report_json_probes(&sb, &rr);
    sb_puts(&sb, ",\n \"transcript\":");
    report_json_transcript(&sb, &rr.ctx->tr);
    sb_puts(&sb, "}\n");
    fputs(sb.buf, out);
    sb_free(&sb);
}

/* fputs of s as the text output shows it: 7-bit ASCII (report_text). */
static void put_text(FILE *out, const char *s)
{
    char *t = report_text(s, true);
    fputs(t, out);
    free(t);
}

static void diag_text_path(FILE *out, const wiz *w, const run_report *rr)
{
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    for (size_t i = 0; i < n; i++) {
        char *id = report_text(p[i].step->id, true), *oc = report_text(p[i].outcome, true);
        fprintf(out, "%3zu. %-22s %-10s %s\n", i + 1, id, kb_kind_name(p[i].step->kind), oc);
        free(id);
        free(oc);
        if (p[i].result >= 0 && (size_t)p[i].result < rr->nresults) {
            fprintf(out, "     %s: ", rr->results[p[i].result].name);
            put_text(out, rr->results[p[i].result].summary);
            fputc('\n', out);
        }
    }
}

/* The terminal: the path as numbered lines, then the conclusion. */
void report_diag_text(FILE *out, const wiz *w)
{
    run_report rr;
    wiz_run_report(w, &rr);
    fprintf(out, "KB%s: ", wiz_article(w)->id);
    put_text(out, wiz_article(w)->title);
    fputs("\nTarget: ", out);
    put_text(out, rr.ctx->o.host);
    fprintf(out, " port %s\n\nPath:\n", rr.ctx->o.port);
    diag_text_path(out, w, &rr);
    const kb_step *c = wiz_conclusion(w);
    if (!c) {
        fputs("\nNo conclusion: ", out);
        put_text(out, wiz_error(w) ? wiz_error(w) : "the walk did not finish");
        fputc('\n', out);
        return;
    }
    const char *parts[] = {"\nConclusion: ", c->id, " - ", c->title, "\n\n", c->means,
                           "\n\nWhat to do:\n", c->fix, "\n"};
    /* Our own words at even places, the article's text at odd ones. */
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        if (i % 2)
            put_text(out, parts[i]);
        else
            fputs(parts[i], out);
    }
    const char *ids[MD_MAX_UNANSWERED];
    size_t nu = wiz_unanswered(w, ids, MD_MAX_UNANSWERED);
    if (nu) {
        fputs("\nUnanswered (taken as \"don't know\"; answer with --answer STEP=yes|no):", out);
        for (size_t i = 0; i < nu && i < MD_MAX_UNANSWERED; i++) {
            fputc(' ', out);
            put_text(out, ids[i]);
        }
        fputc('\n', out);
    }
}
