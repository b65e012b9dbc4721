/* secret: the registry of the run's secrets - the password and every form
 * of it SASL PLAIN and LOGIN put on the wire - so that text coming from
 * outside (a server that echoes the client's AUTH payload, say) has them cut
 * out before it is stored or shown.  util_escape and its variants, and the
 * JSON writer, consult it; nothing else needs to.
 *
 * Thread-safe: the wizard escapes on its worker thread and on the UI thread
 * while the form may register a new password.  The registry owns its copies
 * and wipes them (OPENSSL_cleanse) in secret_clear. */
#ifndef SMTPWIZ_SECRET_H
#define SMTPWIZ_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* The marker a secret is replaced with. */
#define SECRET_MARK "<redacted>"

/* Registers password (nothing if NULL or empty) with its base64, and, when
 * user is given, the base64 of PLAIN's "\0user\0password" and of
 * "user\0user\0password"; each base64 also without its '=' padding.  The
 * base64 of the user name alone (LOGIN's first answer) is not a secret.
 * Adding the same password again changes nothing. */
void secret_add(const char *user, const char *password);
/* Forgets every secret, wiping the copies. */
void secret_clear(void);
/* True if any secret is registered (a cheap check before a scan). */
bool secret_active(void);

typedef struct secret_span {
    size_t start, end;    /* s[start .. end) is covered by a secret */
} secret_span;

/* Where the registered secrets occur in s[0..len): overlapping and adjacent
 * occurrences merged, in order.  Returns the number of spans; *spans is
 * allocated (caller frees) when it is not 0, else NULL. */
size_t secret_find(const char *s, size_t len, secret_span **spans);

#endif
