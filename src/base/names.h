/* names: validators for the names a server announces (EHLO and banner host
 * names, NTLM's DNS and NetBIOS names, certificate names, realms derived from
 * them, SASL mechanism names from EHLO), before such a name goes into a
 * command, a recipient, a principal, an SPN or advice that gets pasted into a
 * shell.  Pure functions: no allocation unless the name fails and why is not
 * NULL; then *why is a sentence for a finding, with the name escaped
 * ("the server announces an invalid DNS domain: \"a\x0Db\" (...)"), that the
 * caller frees.
 *
 * Host names and DNS domains (RFC 1123 2.1, RFC 1035 2.3.4): letters,
 * digits, hyphens and dots; labels of 1-63 characters that neither begin nor
 * end with a hyphen; at most 253 characters.  One trailing dot (the absolute
 * form "mail.example.com.") is accepted and not counted; names_trim_dot
 * gives the length without it, which is what a command or a realm takes.
 * Kerberos realms: the same rules, upper case only (as the probes derive
 * them from a DNS domain), and no trailing dot.  NetBIOS names: 1-15
 * letters, digits, hyphens or underscores, not beginning with a hyphen (the
 * wider set Windows allows holds $ & ( ) ' ^ and others that a shell or
 * cmd.exe would act on).  SASL mechanism names (RFC 4422 3.1): 1-20
 * upper-case letters, digits, hyphens or underscores. */
#ifndef SMTPWIZ_NAMES_H
#define SMTPWIZ_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define NAMES_DNS_MAX 253
#define NAMES_LABEL_MAX 63
#define NAMES_NETBIOS_MAX 15
#define NAMES_SASL_MAX 20

bool names_host(const char *s, size_t len, char **why);
bool names_domain(const char *s, size_t len, char **why);
bool names_realm(const char *s, size_t len, char **why);
bool names_netbios(const char *s, size_t len, char **why);
bool names_sasl_mech(const char *s, size_t len, char **why);
/* len without one trailing dot. */
size_t names_trim_dot(const char *s, size_t len);

#endif
