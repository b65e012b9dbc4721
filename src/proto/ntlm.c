/* ntlm: the type-2 CHALLENGE decoder and builder (MS-NLMP 2.2.1.2).  The
 * decoder reads a message an untrusted server chose, so every security
 * buffer is checked against the message length (without overflow) before a
 * byte of it is read, and names are converted from UTF-16LE by hand so that
 * bad surrogates become U+FFFD instead of depending on iconv and the locale. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto/ntlm.h"
#include "base/util.h"

#define NTLM_SIG              "NTLMSSP"   /* plus its NUL: 8 bytes */
#define NTLM_FLAG_UNICODE     0x00000001u
#define NTLM_FLAG_TARGET_INFO 0x00800000u
#define NTLM_FLAG_VERSION     0x02000000u
#define NTLM_MIN_LEN          32          /* through the server challenge */
#define NTLM_TI_HDR_END       48          /* through the TargetInfo field */
#define NTLM_VER_HDR_END      56          /* through the Version field */
#define NTLM_NTLM_REVISION    0x0F
/* FILETIME counts 100 ns since 1601-01-01; Unix time starts 1970-01-01. */
#define NTLM_EPOCH_DIFF       11644473600LL
/* Longest name the builder writes, in UTF-16 units: keeps every u16 length
 * field far from overflow. */
#define NTLM_NAME_MAX_UNITS   1024

enum { AV_EOL = 0, AV_NB_COMPUTER = 1, AV_NB_DOMAIN = 2, AV_DNS_COMPUTER = 3,
       AV_DNS_DOMAIN = 4, AV_DNS_TREE = 5, AV_TIMESTAMP = 7 };

void ntlm_challenge_init(ntlm_challenge *c)
{
    memset(c, 0, sizeof *c);
}

void ntlm_challenge_free(ntlm_challenge *c)
{
    free(c->target_name);
    free(c->nb_computer);
    free(c->nb_domain);
    free(c->dns_computer);
    free(c->dns_domain);
    free(c->dns_tree);
    ntlm_challenge_init(c);
}

static unsigned rd16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void put_utf8(strbuf *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_append(sb, b, n);
}

/* UTF-16LE (even length) to UTF-8.  Lone surrogates and U+0000 become
 * U+FFFD: a NUL would silently cut the C string the caller sees. */
static char *utf16le_to_utf8(const unsigned char *p, size_t len)
{
    strbuf sb = {0};
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint32_t u = rd16(p + i);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
            uint32_t lo = rd16(p + i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                put_utf8(&sb, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (u == 0 || (u >= 0xD800 && u <= 0xDFFF))
            u = 0xFFFD;
        put_utf8(&sb, u);
    }
    return sb_steal(&sb);
}

/* OEM strings are in an unknown code page: keep ASCII, mark the rest. */
static char *oem_to_utf8(const unsigned char *p, size_t len)
{
    strbuf sb = {0};
    for (size_t i = 0; i < len; i++)
        put_utf8(&sb, p[i] > 0 && p[i] < 0x80 ? p[i] : 0xFFFD);
    return sb_steal(&sb);
}

/* Reads a security buffer at msg+at and checks it lies inside the message
 * and after the fixed header it belongs to. */
static int secbuf(const unsigned char *msg, size_t len, size_t at, size_t hdr_min,
                  const char *what, size_t *off, size_t *blen, char **err)
{
    *blen = rd16(msg + at);
    *off = rd32(msg + at + 4);
    if (*blen == 0)
        return 0;
    if (*off > len || *blen > len - *off) {
        *err = xasprintf("the NTLM challenge's %s (%zu bytes at offset %zu) runs past the "
                         "end of the %zu-byte message", what, *blen, *off, len);
        return -1;
    }
    if (*off < hdr_min) {
        *err = xasprintf("the NTLM challenge's %s starts at offset %zu, inside the "
                         "message header", what, *off);
        return -1;
    }
    return 0;
}

static char **av_slot(ntlm_challenge *c, unsigned id)
{
    switch (id) {
    case AV_NB_COMPUTER: return &c->nb_computer;
    case AV_NB_DOMAIN: return &c->nb_domain;
    case AV_DNS_COMPUTER: return &c->dns_computer;
    case AV_DNS_DOMAIN: return &c->dns_domain;
    case AV_DNS_TREE: return &c->dns_tree;
    default: return NULL;
    }
}

/* One AV pair's value; the first occurrence of an id wins. */
static int take_av(ntlm_challenge *c, unsigned id, const unsigned char *v, size_t vlen,
                   char **err)
{
    char **slot = av_slot(c, id);
    if (slot) {
        if (vlen % 2) {
            *err = xasprintf("the NTLM challenge's name field %u has an odd length (%zu "
                             "bytes), impossible for UTF-16", id, vlen);
            return -1;
        }
        if (!*slot)
            *slot = utf16le_to_utf8(v, vlen);
    } else if (id == AV_TIMESTAMP) {
        if (vlen != 8) {
            *err = xasprintf("the NTLM challenge's timestamp is %zu bytes long, not 8", vlen);
            return -1;
        }
        if (!c->has_timestamp) {
            c->has_timestamp = true;
            c->filetime = rd64(v);
            c->unix_time = (long long)(c->filetime / 10000000u) - NTLM_EPOCH_DIFF;
        }
    }
    return 0;
}

/* Walks the AV_PAIR list; a list without MsvAvEOL simply ends with the
 * buffer, which some servers do and which loses nothing. */
static int parse_target_info(ntlm_challenge *c, const unsigned char *ti, size_t len, char **err)
{
    size_t pos = 0;
    while (len - pos >= 4) {
        unsigned id = rd16(ti + pos), vlen = rd16(ti + pos + 2);
        if (id == AV_EOL)
            return 0;
        if (vlen > len - pos - 4) {
            *err = xasprintf("the NTLM challenge's target information field %u (%u bytes) "
                             "runs past the end of the target information", id, vlen);
            return -1;
        }
        if (take_av(c, id, ti + pos + 4, vlen, err) < 0)
            return -1;
        pos += 4 + (size_t)vlen;
    }
    return 0;
}

static int check_header(const unsigned char *msg, size_t len, char **err)
{
    if (len < NTLM_MIN_LEN) {
        *err = xasprintf("the NTLM challenge is only %zu bytes; a type-2 message has "
                         "at least %d", len, NTLM_MIN_LEN);
        return -1;
    }
    if (memcmp(msg, NTLM_SIG, sizeof NTLM_SIG) != 0) {
        *err = xstrdup("the server's NTLM answer does not start with \"NTLMSSP\": it is "
                       "not an NTLM message (a proxy or a broken server?)");
        return -1;
    }
    uint32_t type = rd32(msg + 8);
    if (type != 2) {
        *err = xasprintf("the server's NTLM message is of type %lu, not a type-2 challenge",
                         (unsigned long)type);
        return -1;
    }
    return 0;
}

/* Everything after the fixed fields: names, target info, version. */
static int parse_payload(const unsigned char *msg, size_t len, ntlm_challenge *out,
                         char **err)
{
    size_t name_off, name_len, ti_off = 0, ti_len = 0;
    if (secbuf(msg, len, 12, NTLM_MIN_LEN, "target name", &name_off, &name_len, err) < 0)
        return -1;
    /* The header ends where the first payload begins: older servers send
     * shorter headers, and then the later fields are payload bytes. */
    size_t hdr_end = name_len && name_off < len ? name_off : len;
    if (hdr_end >= NTLM_TI_HDR_END) {
        if (secbuf(msg, len, 40, NTLM_TI_HDR_END, "target information", &ti_off, &ti_len,
                   err) < 0)
            return -1;
        if (ti_len && ti_off < hdr_end)
            hdr_end = ti_off;
    }
    if (name_len) {
        bool unicode = out->flags & NTLM_FLAG_UNICODE;
        if (unicode && name_len % 2) {
            *err = xasprintf("the NTLM challenge's target name has an odd length (%zu "
                             "bytes), impossible for UTF-16", name_len);
            return -1;
        }
        out->target_name = unicode ? utf16le_to_utf8(msg + name_off, name_len)
                                   : oem_to_utf8(msg + name_off, name_len);
    }
    if (ti_len && parse_target_info(out, msg + ti_off, ti_len, err) < 0)
        return -1;
    if ((out->flags & NTLM_FLAG_VERSION) && hdr_end >= NTLM_VER_HDR_END) {
        out->has_version = true;
        out->ver_major = msg[48];
        out->ver_minor = msg[49];
        out->ver_build = rd16(msg + 50);
    }
    return 0;
}

int ntlm_parse_type2(const unsigned char *msg, size_t len, ntlm_challenge *out, char **err)
{
    char *why = NULL;
    ntlm_challenge_init(out);
    if (!msg || check_header(msg, len, &why) < 0) {
        if (!why)
            why = xstrdup("no NTLM challenge to decode");
        goto fail;
    }
    out->flags = rd32(msg + 20);
    memcpy(out->challenge, msg + 24, sizeof out->challenge);
    if (parse_payload(msg, len, out, &why) == 0)
        return 0;
fail:
    ntlm_challenge_free(out);
    if (err)
        *err = why;
    else
        free(why);
    return -1;
}

static void put16(strbuf *sb, unsigned v)
{
    char b[2] = {(char)(v & 0xFF), (char)(v >> 8 & 0xFF)};
    sb_append(sb, b, 2);
}

static void put32(strbuf *sb, uint32_t v)
{
    put16(sb, v & 0xFFFF);
    put16(sb, v >> 16);
}

/* Decodes one UTF-8 sequence at s (NUL-terminated); invalid -> U+FFFD. */
static uint32_t utf8_next(const unsigned char **sp)
{
    const unsigned char *s = *sp;
    uint32_t cp;
    int more;
    if (s[0] < 0x80) { cp = s[0]; more = 0; }
    else if ((s[0] & 0xE0) == 0xC0) { cp = s[0] & 0x1F; more = 1; }
    else if ((s[0] & 0xF0) == 0xE0) { cp = s[0] & 0x0F; more = 2; }
    else if ((s[0] & 0xF8) == 0xF0) { cp = s[0] & 0x07; more = 3; }
    else { *sp = s + 1; return 0xFFFD; }
    for (int i = 1; i <= more; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *sp = s + i;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    *sp = s + more + 1;
    bool overlong = (more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
                    (more == 3 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    return cp;
}

/* UTF-8 to UTF-16LE appended to sb, at most NTLM_NAME_MAX_UNITS units. */
static void put_utf16(strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t units = 0;
    while (*p && units + 2 <= NTLM_NAME_MAX_UNITS) {
        uint32_t cp = utf8_next(&p);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put16(sb, 0xD800 + (cp >> 10));
            put16(sb, 0xDC00 + (cp & 0x3FF));
            units += 2;
        } else {
            put16(sb, cp);
            units++;
        }
    }
}

static void put_av_name(strbuf *sb, unsigned id, const char *name)
{
    if (!name)
        return;
    strbuf v = {0};
    put_utf16(&v, name);
    put16(sb, id);
    put16(sb, (unsigned)v.len);
    if (v.len)
        sb_append(sb, v.buf, v.len);
    sb_free(&v);
}

static void build_target_info(strbuf *ti, const ntlm_challenge *c)
{
    put_av_name(ti, AV_NB_DOMAIN, c->nb_domain);
    put_av_name(ti, AV_NB_COMPUTER, c->nb_computer);
    put_av_name(ti, AV_DNS_DOMAIN, c->dns_domain);
    put_av_name(ti, AV_DNS_COMPUTER, c->dns_computer);
    put_av_name(ti, AV_DNS_TREE, c->dns_tree);
    if (c->has_timestamp) {
        put16(ti, AV_TIMESTAMP);
        put16(ti, 8);
        put32(ti, (uint32_t)(c->filetime & 0xFFFFFFFFu));
        put32(ti, (uint32_t)(c->filetime >> 32));
    }
    put16(ti, AV_EOL);
    put16(ti, 0);
}

unsigned char *ntlm_build_type2(const ntlm_challenge *c, size_t *len)
{
    strbuf name = {0}, ti = {0}, m = {0};
    if (c->target_name)
        put_utf16(&name, c->target_name);
    build_target_info(&ti, c);
    /* The flags must describe what is actually in the message. */
    uint32_t flags = (c->flags | NTLM_FLAG_UNICODE | NTLM_FLAG_TARGET_INFO) & ~NTLM_FLAG_VERSION;
    if (c->has_version)
        flags |= NTLM_FLAG_VERSION;
    sb_append(&m, NTLM_SIG, sizeof NTLM_SIG);
    put32(&m, 2);
    put16(&m, (unsigned)name.len);
    put16(&m, (unsigned)name.len);
    put32(&m, NTLM_VER_HDR_END);
    put32(&m, flags);
    sb_append(&m, (const char *)c->challenge, sizeof c->challenge);
    sb_append(&m, "\0\0\0\0\0\0\0\0", 8);
    put16(&m, (unsigned)ti.len);
    put16(&m, (unsigned)ti.len);
    put32(&m, (uint32_t)(NTLM_VER_HDR_END + name.len));
    char ver[8] = {(char)(c->has_version ? c->ver_major : 0),
                   (char)(c->has_version ? c->ver_minor : 0),
                   (char)(c->has_version ? c->ver_build & 0xFF : 0),
                   (char)(c->has_version ? c->ver_build >> 8 & 0xFF : 0),
                   0, 0, 0, NTLM_NTLM_REVISION};
    sb_append(&m, ver, sizeof ver);
    if (name.len)
        sb_append(&m, name.buf, name.len);
    sb_append(&m, ti.buf, ti.len);
    sb_free(&name);
    sb_free(&ti);
    *len = m.len;
    return (unsigned char *)sb_steal(&m);
}
