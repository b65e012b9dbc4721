/* cli_triage: `smtpwiz triage [FILE|-] [--json]` - read pasted text and
 * say which article and step to start from, with what the text contains. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exitcode.h"
#include "cli/cli.h"
#include "cli/cli_opts.h"
#include "kb/kb.h"
#include "kb/kb_catalog.h"
#include "walk/report.h"
#include "kb/triage.h"
#include "base/util.h"

#define TRIAGE_MAX_INPUT (1024 * 1024)

static void triage_usage(FILE *f)
{
    fputs("usage: smtpwiz triage [FILE|-] [--json]\n"
          "Reads an event description (7004, 7010, 1706, 1035, 2017), a Queue Viewer or\n"
          "Get-Queue last error, or a bare SMTP reply, from FILE or standard input, and\n"
          "names the article (KB843106 or KB979174) and the step to start from.\n"
          "Then run: smtpwiz diagnose HOST --kb ARTICLE\n"
          "A text that matches neither article gets no guess.\n"
          "Exit status: 0 matched, 1 nothing matched, 3 could not run.\n", f);
}

/* At most TRIAGE_MAX_INPUT bytes of f; *cut says whether more followed.
 * NULL if reading failed (a directory, an I/O error): errno says why. */
static char *read_all(FILE *f, size_t *len, bool *cut)
{
    strbuf sb = {0};
    char buf[4096];
    size_t n;
    *cut = false;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (sb.len + n > TRIAGE_MAX_INPUT) {
            sb_append(&sb, buf, TRIAGE_MAX_INPUT - sb.len);
            *cut = true;
            break;
        }
        sb_append(&sb, buf, n);
    }
    if (ferror(f)) {
        sb_free(&sb);
        return NULL;
    }
    *len = sb.len;
    return sb_steal(&sb);
}

static void print_text(const triage_result *r)
{
    if (r->matched) {
        printf("Article: KB%s - %s\nStart at: %s (%s)\nBecause: %s\n", r->kb->id, r->kb->title,
               r->step->id, r->step->title, r->pattern->what);
    } else {
        printf("This text matches neither KB843106 nor KB979174: no event, queue error or reply\n"
               "of theirs was recognised, so smtpwiz does not guess an article.\n");
    }
    if (r->nfields)
        printf("\nFound:\n");
    for (size_t i = 0; i < r->nfields; i++) {
        printf("  %-16s %s\n", r->fields[i].name, r->fields[i].value);
        const char *d = strstr(r->fields[i].name, "error") ? triage_decode(r->fields[i].value) : NULL;
        if (d)
            printf("  %-16s %s\n", "", d);
    }
    if (r->matched)
        printf("\nNext: smtpwiz diagnose HOST --kb %s\n", r->kb->id);
}

static void print_json(const triage_result *r)
{
    strbuf sb = {0};
    sb_printf(&sb, "{\"matched\":%s,\"kb\":", r->matched ? "true" : "false");
    if (r->matched) report_json_string(&sb, r->kb->id); else sb_puts(&sb, "null");
    sb_puts(&sb, ",\"step\":");
    if (r->matched) report_json_string(&sb, r->step->id); else sb_puts(&sb, "null");
    sb_puts(&sb, ",\"pattern\":");
    if (r->matched) report_json_string(&sb, r->pattern->name); else sb_puts(&sb, "null");
    sb_puts(&sb, ",\"what\":");
    if (r->matched) report_json_string(&sb, r->pattern->what); else sb_puts(&sb, "null");
    sb_puts(&sb, ",\"fields\":{");
    for (size_t i = 0; i < r->nfields; i++) {
        sb_puts(&sb, i ? "," : "");
        report_json_string(&sb, r->fields[i].name);
        sb_puts(&sb, ":");
        report_json_string(&sb, r->fields[i].value);
    }
    sb_puts(&sb, "},\"decoded\":{");
    int first = 1;
    for (size_t i = 0; i < r->nfields; i++) {
        const char *d = strstr(r->fields[i].name, "error") ? triage_decode(r->fields[i].value) : NULL;
        if (!d)
            continue;
        sb_puts(&sb, first ? "" : ",");
        first = 0;
        report_json_string(&sb, r->fields[i].value);
        sb_puts(&sb, ":");
        report_json_string(&sb, d);
    }
    sb_puts(&sb, "}}\n");
    fputs(sb.buf, stdout);
    sb_free(&sb);
}

int cli_triage_main(int argc, char **argv)
{
    const char *file = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            triage_usage(stdout);
            return 0;
        } else if (!file && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) file = argv[i];
        else {
            if (argv[i][0] == '-')
                fprintf(stderr, "smtpwiz triage: unknown option '%s'\n", argv[i]);
            else
                fprintf(stderr, "smtpwiz triage: one FILE only (\"%s\" is one too many)\n",
                        argv[i]);
            cli_usage_hint("smtpwiz triage");
            return SMTPWIZ_EXIT_UNKNOWN;
        }
    }
    FILE *f = !file || strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!f) {
        perror(file);
        fprintf(stderr, "smtpwiz triage: cannot read %s; give a readable file, or - and paste\n", file);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    size_t len;
    bool cut;
    char *text = read_all(f, &len, &cut);
    int read_errno = errno;
    if (f != stdin)
        fclose(f);
    if (!text) {
        fprintf(stderr, "smtpwiz triage: cannot read %s: %s\n", file ? file : "standard input",
                strerror(read_errno));
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    if (cut)
        fprintf(stderr, "smtpwiz triage: the input is longer than %d MiB: only its first "
                        "%d MiB was read\n", TRIAGE_MAX_INPUT >> 20, TRIAGE_MAX_INPUT >> 20);
    kb_catalog kbs;
    kb_catalog_open(&kbs, NULL);
    for (size_t i = 0; i < kbs.problems.n; i++)
        fprintf(stderr, "smtpwiz triage: skipping an article: %s\n", kbs.problems.v[i]);
    if (kbs.n == 0) {
        fprintf(stderr, "smtpwiz triage: no knowledge base loaded; set SMTPWIZ_KBDIR to the "
                        "directory holding the kb*.ini articles\n");
        kb_catalog_free(&kbs);
        free(text);
        return SMTPWIZ_EXIT_UNKNOWN;
    }
    triage_result r;
    triage_run(text, kbs.v, kbs.n, &r);
    if (json) print_json(&r); else print_text(&r);
    int rc = r.matched ? 0 : 1;
    triage_result_free(&r);
    kb_catalog_free(&kbs);
    free(text);
    return rc;
}
