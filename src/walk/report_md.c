/* report_md: the Markdown report, meant to be pasted into a ticket as is:
 * target, the outcome (a conclusion and its fix, or inconclusive with the
 * checks still open), the path with what each step rested on and each
 * probe's finding, the redacted transcript. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "walk/report.h"
#include "walk/report_md.h"
#include "walk/advice.h"
#include "kb/kb_text.h"
#include "base/util.h"


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

/* A knowledge-base text (kb/kb_text.h): its prose as paragraphs, its
 * command lines in fenced code blocks (one block for commands in a row),
 * copied as they stand but for the placeholders the walk could fill in
 * with validated names (walk/advice.h). */
static void md_kb_text(FILE *out, const wiz *w, const char *raw)
{
    advice_names names = {0};
    advice_names_get(w, &names);
    kb_part *parts;
    size_t n = kb_text_split(raw, &parts);
    for (size_t i = 0; i < n; i++) {
        if (parts[i].kind == KB_PART_PROSE) {
            if (i)
                fputc('\n', out);
            char *t = advice_fill(&names, parts[i].text);
            md_block(out, t);
            free(t);
            continue;
        }
        size_t j = i, longest = 2;
        char *lines[64];
        size_t k = 0;
        for (; j < n && parts[j].kind == KB_PART_COMMAND && k < 64; j++, k++) {
            char *f = advice_fill(&names, parts[j].text);
            lines[k] = report_text(f, false);
            free(f);
            size_t run = 0;
            for (const char *p = lines[k]; *p; p++)
                if ((run = *p == '`' ? run + 1 : 0) > longest)
                    longest = run;
        }
        if (i)
            fputc('\n', out);
        for (size_t b = 0; b <= longest; b++)
            fputc('`', out);
        fputc('\n', out);
        for (size_t m = 0; m < k; m++) {
            for (const char *p = lines[m]; *p; p++)
                fputc(*p == '\n' ? ' ' : *p, out);
            fputc('\n', out);
            free(lines[m]);
        }
        for (size_t b = 0; b <= longest; b++)
            fputc('`', out);
        fputc('\n', out);
        i = j - 1;
    }
    kb_parts_free(parts, n);
    advice_names_free(&names);
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
    md_code(out, rr->o->host);
    fprintf(out, " port %s", rr->o->port);
    const char *addr = report_target_address(rr);
    if (addr)
        fprintf(out, " (%s)", addr);
    fprintf(out, "  \n**Run:** %s by smtpwiz %s", when, PACKAGE_VERSION);
    if (rr->o->user) {
        fputs(", authenticated as ", out);
        md_code(out, rr->o->user);
        fputs(" (password not recorded)", out);
    } else {
        fputs(", without credentials", out);
    }
    fputs("\n\n", out);
}

/* The causes still open, each with the manual checks that settle it. */
static void md_open(FILE *out, const wiz *w)
{
    const kb_step *open[REPORT_MAX_OPEN], *checks[REPORT_MAX_OPEN];
    const wiz_visit *u[REPORT_MAX_OPEN];
    size_t nu = wiz_untested(w, u, REPORT_MAX_OPEN);
    if (nu) {
        fputs("**Not tested** (the server refused before the test; run again once it "
              "accepts):\n\n", out);
        for (size_t i = 0; i < nu && i < REPORT_MAX_OPEN; i++) {
            const probe_result *r = wiz_visit_result(w, u[i]);
            fprintf(out, "- `%s`: ", u[i]->step->id);
            md_inline(out, r && r->summary ? r->summary : u[i]->br->because);
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    size_t n = wiz_open(w, open, REPORT_MAX_OPEN);
    if (!n)
        return;
    fputs("**Not ruled out yet** (each check below settles one):\n\n", out);
    for (size_t i = 0; i < n && i < REPORT_MAX_OPEN; i++) {
        fprintf(out, "- `%s`: ", open[i]->id);
        md_inline(out, open[i]->title);
        fputc('\n', out);
        size_t k = ev_checks_for(wiz_article(w), open[i], checks, REPORT_MAX_OPEN);
        for (size_t j = 0; j < k && j < REPORT_MAX_OPEN; j++) {
            fprintf(out, "  - `%s`: ", checks[j]->id);
            md_inline(out, checks[j]->ask);
            fputc('\n', out);
        }
    }
    fputc('\n', out);
}

static void md_finding(FILE *out, const wiz *w, const kb_step *c)
{
    fputs("**What it means.**\n", out);
    md_kb_text(out, w, c->means);
    fputs("\n**What to do.**\n", out);
    md_kb_text(out, w, c->fix);
    fputc('\n', out);
}

static void md_outcome(FILE *out, const wiz *w)
{
    const kb_step *c = wiz_conclusion(w);
    wiz_state st = wiz_get_state(w);
    if (st == WIZ_INCONCLUSIVE) {
        const kb_step *sus = wiz_suspected(w), *prem = wiz_premise_open(w);
        fputs("## Outcome: inconclusive\n\n", out);
        if (sus) {
            fprintf(out, "The walk points to `%s` (", sus->id);
            md_inline(out, sus->title);
            fputs("), but it does not know yet that the server is an Exchange server of your "
                  "organisation", out);
            if (prem)
                fprintf(out, ": answer `%s` (`--answer %s=yes|no`) to settle it", prem->id, prem->id);
            fputs(".\n\n", out);
        } else {
            fputs("What smtpwiz measured and your answers do not settle the cause yet.\n\n", out);
        }
        md_open(out, w);
        return;
    }
    if (!c) {
        fputs(st == WIZ_FAILED ? "## Outcome: the server could not be examined\n\n"
                               : "## Outcome: walk in progress\n\n", out);
        md_block(out, wiz_error(w) ? wiz_error(w) : "The walk has not reached its end yet.");
        fputc('\n', out);
        return;
    }
    fprintf(out, "## Conclusion: `%s`: ", c->id);
    md_inline(out, c->title);
    fputs("\n\n", out);
    md_finding(out, w, c);
    if (kb_is_finding(c))
        md_open(out, w);
}

static void md_path(FILE *out, const wiz *w, const run_report *rr)
{
    size_t n;
    const wiz_visit *p = wiz_path(w, &n);
    fputs("## Path taken\n\n| # | Step | Basis | Why | Finding |\n|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        const kb_step *s = p[i].step;
        fprintf(out, "| %zu | ", i + 1);
        md_inline(out, s->title ? s->title : s->id);
        fprintf(out, " (`%s`) | %s | ", s->id, ev_basis_name(p[i].basis));
        md_inline(out, p[i].br && p[i].br->because ? p[i].br->because : "");
        fputs(" | ", out);
        const probe_result *r = wiz_visit_result(w, &p[i]);
        if (r) {
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
    report_transcript_lines(mem, rr->tr, false);   /* a file: UTF-8 kept */
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
