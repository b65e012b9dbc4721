/* banner: reads the 220 greeting - which product answers, its host name and
 * version, the server clock from the greeting date, and PIX/ASA masking. */
#ifndef SMTPWIZ_BANNER_H
#define SMTPWIZ_BANNER_H

#include <stdbool.h>

typedef struct banner_info {
    const char *product;   /* static: "exchange-2003", "exchange-2007+", "exchange-5.5",
                              "postfix", "exim", "sendmail", "other" */
    char *host;            /* first word after the code (NULL if masked/absent) */
    char *version;         /* "6.0.3790.3959", "5.5.2657.72", ... or NULL */
    bool has_date;
    long long date_utc;    /* server time as Unix seconds (UTC) */
    int tz_offset_min;     /* offset printed in the banner, minutes east of UTC */
    bool masked;           /* looks like a PIX/ASA fixup banner ("****0**2****") */
} banner_info;

void banner_info_init(banner_info *b);
void banner_info_free(banner_info *b);
/* text: the greeting's text (all lines joined with '\n', codes removed). */
void banner_parse(const char *text, banner_info *b);
/* Find and parse an RFC 5322 date ("Fri, 5 Aug 2016 16:24:41 -0700", weekday
 * optional, one or more spaces anywhere, zone as +hhmm/-hhmm or UT/GMT/Z or
 * US zone names) anywhere in s.  Returns true and sets *utc and *tz_min. */
bool banner_find_date(const char *s, long long *utc, int *tz_min);

#endif
