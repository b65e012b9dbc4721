/* creds: where a password may come from - a file, the SMTPWIZ_PASSWORD
 * environment variable, or a no-echo prompt on the terminal; never argv. */
#ifndef SMTPWIZ_CREDS_H
#define SMTPWIZ_CREDS_H

#include <stdbool.h>

/* Returns an allocated password, or NULL: *err set (allocated) if a source
 * was named but failed, else no source gave one.  Release with creds_free. */
char *creds_password(const char *password_file, const char *user, bool may_prompt, char **err);
void creds_free(char *password);   /* wipes, then frees */

#endif
