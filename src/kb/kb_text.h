/* kb_text: a knowledge-base text (why, ask, how, means, fix) as its parts:
 * paragraphs of prose, which a screen may reflow, and command lines, which
 * are copied as they stand and never wrapped into prose.  In a file, a
 * command is a continuation line that starts with "$ " (the marker is not
 * part of the command):
 *
 *     how = On the destination server:
 *       $ Get-ReceiveConnector | Format-List Identity,AuthMechanism
 *       The connector bound to port 25 must list ExchangeServer.
 *
 * Prose lines are joined into paragraphs (a lone "." line, stored as an
 * empty line, separates paragraphs).  The caller owns the parts. */
#ifndef SMTPWIZ_KB_TEXT_H
#define SMTPWIZ_KB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define KB_CMD_MARK "$ "

typedef enum { KB_PART_PROSE = 0, KB_PART_COMMAND } kb_part_kind;

typedef struct kb_part {
    kb_part_kind kind;
    char *text;          /* a paragraph (lines joined by spaces), or one command */
} kb_part;

/* Split text; returns the count and *out (free with kb_parts_free). */
size_t kb_text_split(const char *text, kb_part **out);
void kb_parts_free(kb_part *v, size_t n);
/* A line of prose that looks like a command a junior would copy (it starts
 * with a command word such as setspn, repadmin, w32tm, nltest, Get-...), so
 * kb check can ask for the "$ " marker. */
bool kb_text_looks_like_command(const char *line);

#endif
