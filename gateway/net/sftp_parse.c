/*
 * sftp_parse.c — what the SFTP client (sftp.h) reads without a library: a
 * folder listing as libcurl prints it, and the algorithm of a private key.
 * Kept apart from sftp.c so the fuzz targets and unit tests link it
 * alone. The wire itself (libcurl) is in sftp.c.
 */
#include "gateway/net/sftp.h"
#include "edi/edi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the listing --------------------------------------------------------------------------- */

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* The next blank-separated token of [*p, end): its start and length; the
 * cursor moves past it (not past the blanks after it). 0 when none. */
static int next_token(const char **p, const char *end, const char **tok, size_t *n)
{
    const char *s = *p;

    while (s < end && is_blank(*s))
        s++;
    if (s == end)
        return 0;
    *tok = s;
    while (s < end && !is_blank(*s))
        s++;
    *n = (size_t)(s - *tok);
    *p = s;
    return 1;
}

/* A decimal of at most 19 digits (so no uint64 overflow). */
static int decimal(uint64_t *v, const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > 19)
        return -1;
    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (uint64_t)(s[i] - '0');
    }
    return 0;
}

/* One line into e (name borrowed from the line: copied by the caller); 0,
 * or -1 when it is not an entry wharf takes as one. */
static int parse_line(struct gw_sftp_entry *e, const char **name, size_t *nlen, const char *s, const char *end)
{
    const char *p = s, *tok;
    size_t n, i;
    uint64_t v;

    /* TYPE+MODE: "-rw-r--r--" and the like (a trailing '+' or '@' for
     * ACLs and attributes on some servers) */
    if (!next_token(&p, end, &tok, &n) || n < 10 || strchr("-dlcbps", tok[0]) == NULL)
        return -1;
    e->type = tok[0] == '-' || tok[0] == 'd' || tok[0] == 'l' ? tok[0] : '?';
    /* LINKS OWNER GROUP: anything */
    for (i = 0; i < 3; i++)
        if (!next_token(&p, end, &tok, &n))
            return -1;
    if (!next_token(&p, end, &tok, &n) || decimal(&v, tok, n) < 0)
        return -1;
    e->size = v;
    /* MONTH DAY TIME-OR-YEAR: the server's locale, so not read */
    for (i = 0; i < 3; i++)
        if (!next_token(&p, end, &tok, &n))
            return -1;
    /* one blank, then the name to the end of the line */
    if (p == end || !is_blank(*p) || p + 1 == end)
        return -1;
    p++;
    *name = p;
    *nlen = (size_t)(end - p);
    if (e->type == 'l') {
        /* libcurl writes a link as "NAME -> TARGET" */
        const char *arrow;

        for (arrow = p; arrow + 4 <= end; arrow++)
            if (memcmp(arrow, " -> ", 4) == 0) {
                *nlen = (size_t)(arrow - p);
                break;
            }
    }
    if (*nlen == 0 || (*nlen == 1 && p[0] == '.') || (*nlen == 2 && p[0] == '.' && p[1] == '.'))
        return -1;
    for (i = 0; i < *nlen; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f || p[i] == '/')
            return -1;
    return 0;
}

int gw_sftp_parse_listing(struct gw_sftp_entry **out, size_t *n, size_t *skipped, const char *text, size_t len,
                          struct edi_err *err)
{
    struct gw_sftp_entry *v = NULL;
    size_t k = 0, cap = 0, skip = 0;
    const char *p = text, *end = text + len;

    *out = NULL;
    *n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *name = NULL;
        struct gw_sftp_entry e;
        size_t nlen = 0;

        if (le > p && le[-1] == '\r')
            le--;
        memset(&e, 0, sizeof(e));
        if (le > p && parse_line(&e, &name, &nlen, p, le) == 0) {
            /* LIMIT: GW_SFTP_MAX_ENTRIES */
            if (k == GW_SFTP_MAX_ENTRIES) {
                gw_sftp_entries_free(v, k);
                return edi_fail(err, EDI_ELIMIT, "the folder lists more than %d entries", GW_SFTP_MAX_ENTRIES);
            }
            if (k == cap) {
                cap = cap ? cap * 2 : 16;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            e.name = edi_xstrndup(name, nlen);
            v[k++] = e;
        } else if (le > p) {
            skip++;
        }
        p = nl ? nl + 1 : end;
    }
    *out = v;
    *n = k;
    if (skipped)
        *skipped = skip;
    return 0;
}

void gw_sftp_entries_free(struct gw_sftp_entry *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* ---- private keys -------------------------------------------------------------------------- */

static int b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* Base64 of [s, end) (blanks and line ends skipped, '=' ends it) into
 * out[cap]: the bytes decoded, at most cap. */
static size_t b64_decode(unsigned char *out, size_t cap, const char *s, const char *end)
{
    unsigned acc = 0;
    int bits = 0;
    size_t k = 0;

    for (; s < end && *s != '=' && *s != '-'; s++) {
        int v = b64_value((unsigned char)*s);

        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (k == cap)
                return k;
            out[k++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return k;
}

/* An SSH string (uint32 length, bytes) at *p of [*p, end): its start and
 * length, the cursor past it; -1 when it does not fit. */
static int ssh_string(const unsigned char **p, const unsigned char *end, const unsigned char **s, size_t *n)
{
    uint32_t len;

    if (end - *p < 4)
        return -1;
    len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];
    if ((size_t)(end - *p - 4) < len)
        return -1;
    *s = *p + 4;
    *n = len;
    *p += 4 + len;
    return 0;
}

static const char *find(const char *s, size_t n, const char *what)
{
    size_t w = strlen(what);

    return w <= n ? memmem(s, n, what, w) : NULL;
}

int gw_sftp_key_type(char *out, size_t cap, const char *key, size_t n)
{
    static const char openssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const char *b;

    if (cap > 0)
        out[0] = '\0';
    if ((b = find(key, n, openssh)) != NULL) {
        /* SPEC: OpenSSH PROTOCOL.key — "openssh-key-v1\0", string
         * ciphername, string kdfname, string kdfoptions, uint32 number of
         * keys, string publickey (whose first string is the key type) */
        unsigned char blob[512];
        const unsigned char *p = blob, *end, *cipher, *s;
        size_t len, clen, sn;

        len = b64_decode(blob, sizeof(blob), b + sizeof(openssh) - 1, key + n);
        end = blob + len;
        if (len < 15 || memcmp(blob, "openssh-key-v1", 15) != 0)
            return 0;
        p += 15;
        if (ssh_string(&p, end, &cipher, &clen) < 0 || ssh_string(&p, end, &s, &sn) < 0 ||
            ssh_string(&p, end, &s, &sn) < 0 || end - p < 8)
            return 0;
        /* the number of keys, the public key's length (a long RSA key
         * does not fit the buffer, its type at the front does) */
        p += 8;
        if (ssh_string(&p, end, &s, &sn) == 0 && sn < cap && sn > 0) {
            memcpy(out, s, sn);
            out[sn] = '\0';
        }
        return !(clen == 4 && memcmp(cipher, "none", 4) == 0);
    }
    if (find(key, n, "-----BEGIN RSA PRIVATE KEY-----"))
        snprintf(out, cap, "ssh-rsa");
    else if (find(key, n, "-----BEGIN EC PRIVATE KEY-----"))
        snprintf(out, cap, "ecdsa");
    else if (find(key, n, "-----BEGIN DSA PRIVATE KEY-----"))
        snprintf(out, cap, "ssh-dss");
    else if (find(key, n, "-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        return 1;
    /* PKCS#8 "BEGIN PRIVATE KEY": the type is inside the ASN.1, not read */
    return find(key, n, "Proc-Type: 4,ENCRYPTED") != NULL;
}
