/* banner: product, version, clock and masking from the 220 greeting.  The
 * server's clock is the reason this file exists: Kerberos fails beyond five
 * minutes of skew, and the Exchange banner prints the local time with its
 * zone, so the date is converted to UTC here with plain calendar arithmetic
 * rather than mktime(), which would depend on this machine's TZ. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto/banner.h"
#include "base/util.h"

void banner_info_init(banner_info *b)
{
    memset(b, 0, sizeof *b);
    b->product = "other";
}

void banner_info_free(banner_info *b)
{
    free(b->host);
    free(b->version);
    banner_info_init(b);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static const char *skip_ws(const char *p)
{
    while (is_ws(*p))
        p++;
    return p;
}

/* Reads min..max digits not followed by another digit. */
static bool take_num(const char **pp, int min, int max, int *out)
{
    const char *p = *pp;
    int n = 0, v = 0;
    while (n < max && is_digit(p[n])) {
        v = v * 10 + (p[n] - '0');
        n++;
    }
    if (n < min || is_digit(p[n]))
        return false;
    *pp = p + n;
    *out = v;
    return true;
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic
 * Gregorian calendar, exact for every year we accept. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

static int take_month(const char **pp)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = *pp;
    if (!is_alpha(p[0]) || !is_alpha(p[1]) || !is_alpha(p[2]) || is_alpha(p[3]))
        return 0;
    for (int m = 0; m < 12; m++) {
        if (util_strnieq(p, names + 3 * m, 3)) {
            *pp = p + 3;
            return m + 1;
        }
    }
    return 0;
}

/* Zone as minutes east of UTC: +hhmm/-hhmm, UT/UTC/GMT/Z or a US name. */
static bool take_zone(const char *p, int *tz)
{
    static const struct { const char *name; int min; } zones[] = {
        {"UT", 0}, {"UTC", 0}, {"GMT", 0}, {"Z", 0},
        {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
        {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420},
    };
    if (*p == '+' || *p == '-') {
        int hhmm;
        const char *q = p + 1;
        if (!take_num(&q, 4, 4, &hhmm) || hhmm / 100 > 23 || hhmm % 100 > 59)
            return false;
        int min = hhmm / 100 * 60 + hhmm % 100;
        *tz = *p == '-' ? -min : min;
        return true;
    }
    size_t n = 0;
    while (n < 4 && is_alpha(p[n]))
        n++;
    if (n == 0 || is_alpha(p[n]))
        return false;
    for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
        if (strlen(zones[i].name) == n && util_strnieq(p, zones[i].name, n)) {
            *tz = zones[i].min;
            return true;
        }
    }
    return false;
}

/* "hh:mm[:ss]", with optional blanks around the colons (RFC 5322 FWS). */
static bool take_time(const char **pp, int *h, int *mi, int *sec)
{
    const char *p = *pp;
    *sec = 0;
    if (!take_num(&p, 1, 2, h))
        return false;
    p = skip_ws(p);
    if (*p++ != ':')
        return false;
    p = skip_ws(p);
    if (!take_num(&p, 2, 2, mi))
        return false;
    const char *q = skip_ws(p);
    if (*q == ':') {
        q = skip_ws(q + 1);
        if (!take_num(&q, 2, 2, sec))
            return false;
        p = q;
    }
    *pp = p;
    return *h < 24 && *mi < 60 && *sec <= 60;
}

/* One date starting at the day number: "5 Aug 2016 16:24:41 -0700". */
static bool parse_date_at(const char *p, long long *utc, int *tz_min)
{
    int d, m, y, h, mi, sec, tz;
    if (!take_num(&p, 1, 2, &d) || !is_ws(*p))
        return false;
    p = skip_ws(p);
    if (!(m = take_month(&p)) || !is_ws(*p))
        return false;
    p = skip_ws(p);
    if (!take_num(&p, 4, 4, &y) || !is_ws(*p))
        return false;
    p = skip_ws(p);
    if (!take_time(&p, &h, &mi, &sec) || !is_ws(*p))
        return false;
    p = skip_ws(p);
    if (!take_zone(p, &tz))
        return false;
    if (y < 1970 || d < 1 || d > days_in_month(y, m))
        return false;
    *utc = days_from_civil(y, m, d) * 86400LL + h * 3600LL + mi * 60LL + sec - tz * 60LL;
    *tz_min = tz;
    return true;
}

bool banner_find_date(const char *s, long long *utc, int *tz_min)
{
    if (!s)
        return false;
    /* The weekday is optional and never checked, so a date is found by
     * its day number: a digit that starts a word. */
    for (size_t i = 0; s[i]; i++) {
        if (!is_digit(s[i]) || (i > 0 && (is_digit(s[i - 1]) || is_alpha(s[i - 1]))))
            continue;
        if (parse_date_at(s + i, utc, tz_min))
            return true;
    }
    return false;
}

/* PIX/ASA fixup replaces every character but '2', '0' and blanks by '*'.
 * Punctuation is left out of the count so that a banner only partly
 * rewritten still reads as masked, while letters or other digits among the
 * stars mean a real banner that happens to contain some. */
static bool looks_masked(const char *s)
{
    size_t stars = 0, alnum = 0;
    for (; *s; s++) {
        if (*s == '*')
            stars++;
        else if ((is_alpha(*s) || is_digit(*s)) && *s != '2' && *s != '0')
            alnum++;
    }
    return stars >= 4 && stars >= 9 * alnum;
}

/* A dotted version right after p ("5.5.2657.72", "8.15.2"), or NULL. */
static char *version_after(const char *p)
{
    p = skip_ws(p);
    size_t n = 0;
    while (is_digit(p[n]) || (n > 0 && p[n] == '.'))
        n++;
    while (n > 0 && p[n - 1] == '.')
        n--;
    return n > 0 ? xstrndup(p, n) : NULL;
}

static void find_product(const char *text, banner_info *b)
{
    static const struct { const char *mark; const char *product; } unix_mtas[] = {
        {"ESMTP Postfix", "postfix"}, {"ESMTP Exim", "exim"}, {"ESMTP Sendmail", "sendmail"},
    };
    const char *svc = "Microsoft ESMTP MAIL Service";
    const char *p;
    if ((p = util_stristr(text, svc)) != NULL) {
        p += strlen(svc);
        /* Exchange 2000/2003 ride on the Windows SMTP service, which
         * prints its own build; 2007+ prints none. */
        if (util_strnieq(p, ", Version:", 10)) {
            b->product = "exchange-2003";
            b->version = version_after(p + 10);
        } else {
            b->product = "exchange-2007+";
        }
        return;
    }
    if ((p = util_stristr(text, "Internet Mail Service")) != NULL) {
        char *v = version_after(p + strlen("Internet Mail Service"));
        if (v && !strncmp(v, "5.5.", 4))
            b->product = "exchange-5.5";
        b->version = v;
        return;
    }
    for (size_t i = 0; i < sizeof unix_mtas / sizeof *unix_mtas; i++) {
        if ((p = util_stristr(text, unix_mtas[i].mark)) != NULL) {
            b->product = unix_mtas[i].product;
            b->version = version_after(p + strlen(unix_mtas[i].mark));
            return;
        }
    }
}

/* An enhanced status code (RFC 3463: class.subject.detail, class 2, 4 or
 * 5, each part of 1-3 digits) is the whole of the n bytes at p. */
static bool is_status_code(const char *p, size_t n)
{
    if (n < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
        return false;
    size_t i = 2;
    for (int part = 0; part < 2; part++) {
        size_t d = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && d < 4)
            i++, d++;
        if (d < 1 || d > 3)
            return false;
        if (part == 0) {
            if (i >= n || p[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

void banner_parse(const char *text, banner_info *b)
{
    banner_info_init(b);
    if (!text)
        return;
    if (looks_masked(text)) {
        b->masked = true;
        return;
    }
    const char *p = skip_ws(text);
    size_t n = 0;
    while (p[n] && !is_ws(p[n]) && p[n] != '\n' && p[n] != '\r')
        n++;
    if (is_status_code(p, n)) {
        /* "421 4.3.2 Service not available": a reply's text, not a name;
         * the word after the code is the host only if it has a dot */
        p = skip_ws(p + n);
        n = 0;
        while (p[n] && !is_ws(p[n]) && p[n] != '\n' && p[n] != '\r')
            n++;
        if (!memchr(p, '.', n))
            n = 0;
    }
    if (n > 0)
        b->host = xstrndup(p, n);
    find_product(text, b);
    b->has_date = banner_find_date(text, &b->date_utc, &b->tz_offset_min);
}
