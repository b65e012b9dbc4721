/* Wire samples several unit tests parse: exact replies from
 * ../shared/reference/exchange-smtp-wire.md. */
#ifndef SMTPWIZ_TEST_WIRE_SAMPLES_H
#define SMTPWIZ_TEST_WIRE_SAMPLES_H

/* Exchange 2016's EHLO reply on its default receive connector. */
static const char ehlo_2016[] =
    "250-mail1.fabrikam.com Hello [172.16.0.5]\r\n"
    "250-SIZE 37748736\r\n"
    "250-PIPELINING\r\n"
    "250-DSN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-STARTTLS\r\n"
    "250-X-ANONYMOUSTLS\r\n"
    "250-AUTH NTLM\r\n"
    "250-X-EXPS GSSAPI NTLM\r\n"
    "250-8BITMIME\r\n"
    "250-BINARYMIME\r\n"
    "250-CHUNKING\r\n"
    "250 XRDST\r\n";

#endif
