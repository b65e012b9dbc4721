/* kb_text: see kb_text.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kb/kb_text.h"

static void push(kb_part **v, size_t *n, kb_part_kind k, char *text)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (kb_part){k, text};
}

size_t kb_text_split(const char *text, kb_part **out)
{
    kb_part *v = NULL;
    size_t n = 0;
    strbuf para = {0};
    for (const char *p = text ? text : ""; *p;) {
        size_t len = strcspn(p, "\n");
        const char *line = p;
        p += len + (p[len] == '\n');
        bool cmd = strncmp(line, KB_CMD_MARK, strlen(KB_CMD_MARK)) == 0;
        if ((cmd || len == 0) && para.len) {
            push(&v, &n, KB_PART_PROSE, sb_steal(&para));
            sb_free(&para);
        }
        if (cmd)
            push(&v, &n, KB_PART_COMMAND,
                 xstrndup(line + strlen(KB_CMD_MARK), len - strlen(KB_CMD_MARK)));
        else if (len)
            sb_printf(&para, "%s%.*s", para.len ? " " : "", (int)len, line);
    }
    if (para.len)
        push(&v, &n, KB_PART_PROSE, sb_steal(&para));
    sb_free(&para);
    *out = v;
    return n;
}

void kb_parts_free(kb_part *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}

bool kb_text_looks_like_command(const char *line)
{
    static const char *const words[] = {
        "setspn ", "repadmin ", "w32tm ", "nltest ", "netdom ", "dsquery ", "dsget ", "tracert ",
        "telnet ", "portqry ", "Test-NetConnection ", "Get-", "Set-", "New-", "Remove-",
        "chronyc ", "ntpdate ", "kinit ", "klist ", "no fixup ", "no inspect ", "smtpwiz diagnose",
        "smtpwiz triage", "smtpwiz probe", "timedatectl ",
        "regedit", "HKEY_", NULL,
    };
    line += strspn(line, " \t");
    for (size_t i = 0; words[i]; i++)
        if (strncmp(line, words[i], strlen(words[i])) == 0)
            return true;
    return false;
}
