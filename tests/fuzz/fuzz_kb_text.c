/* libFuzzer target: a knowledge-base text split into prose and command
 * lines.  Parts are never empty, commands never hold a newline, and no byte
 * of the input is invented. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    kb_part *v;
    size_t n = kb_text_split(text, &v);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind == KB_PART_COMMAND && strchr(v[i].text, '\n'))
            abort();
        if (v[i].kind == KB_PART_PROSE && !*v[i].text)
            abort();
        total += strlen(v[i].text);
        kb_text_looks_like_command(v[i].text);
    }
    if (total > strlen(text))
        abort();
    kb_parts_free(v, n);
    free(text);
    return 0;
}
