/*
 * mime.c — the MIME reader and base64 of mime.h. libc only, and no
 * allocation except into the caller's edi_buf: the fuzz target
 * (tests/fuzz/fuzz_mime.c) runs it on anything.
 *
 * Not here: what the parts mean (cms.c unwraps AS2 messages and MDNs).
 */
#include "gateway/net/mime.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Where a failure is, for err->offset (err may be NULL). */
static void at(struct edi_err *err, size_t offset)
{
    if (err != NULL)
        err->offset = offset;
}

/* The end of the line that starts at i: the index of its LF, or n. */
static size_t line_end(const char *p, size_t n, size_t i)
{
    const char *lf = i < n ? memchr(p + i, '\n', n - i) : NULL;

    return lf ? (size_t)(lf - p) : n;
}

/* The length of the line without its CR before the LF. */
static size_t line_len(const char *p, size_t start, size_t end)
{
    return end > start && p[end - 1] == '\r' ? end - start - 1 : end - start;
}

int gw_mime_entity_parse(struct gw_mime_entity *e, const char *p, size_t n, struct edi_err *err)
{
    size_t i = 0;

    memset(e, 0, sizeof(*e));
    while (i < n) {
        size_t end = line_end(p, n, i), len = line_len(p, i, end);
        const char *colon;

        if (end == n) {
            at(err, i);
            return edi_fail(err, EDI_ESYNTAX, "MIME headers end at byte %zu without a blank line", n);
        }
        if (len == 0) {
            e->head = (struct edi_str){p, end + 1};
            e->body = (struct edi_str){p + end + 1, n - end - 1};
            return 0;
        }
        if ((p[i] == ' ' || p[i] == '\t') && e->nh > 0) {
            /* SPEC: RFC 5322 §2.2.3: a folded header continues here */
            struct gw_mime_hdr *h = &e->h[e->nh - 1];

            h->value.n = (size_t)(p + i + len - h->value.p);
            i = end + 1;
            continue;
        }
        colon = memchr(p + i, ':', len);
        if (colon == NULL || colon == p + i) {
            at(err, i);
            return edi_fail(err, EDI_ESYNTAX, "MIME header line at byte %zu has no name and colon", i);
        }
        if (e->nh == GW_MIME_MAX_HEADERS) {
            at(err, i);
            return edi_fail(err, EDI_ESYNTAX, "more than %d MIME headers (byte %zu)", GW_MIME_MAX_HEADERS, i);
        }
        e->h[e->nh].name = edi_str_trim((struct edi_str){p + i, (size_t)(colon - (p + i))});
        e->h[e->nh].value = (struct edi_str){colon + 1, (size_t)(p + i + len - colon - 1)};
        e->nh++;
        i = end + 1;
    }
    at(err, n);
    return edi_fail(err, EDI_ESYNTAX, "MIME headers end at byte %zu without a blank line", n);
}

int gw_mime_get(char *buf, size_t cap, const struct gw_mime_entity *e, const char *name)
{
    size_t k, nn = strlen(name);

    for (k = 0; k < e->nh; k++) {
        struct edi_str v = e->h[k].value;
        size_t j, o = 0;
        int space = 0;

        if (e->h[k].name.n != nn || strncasecmp(e->h[k].name.p, name, nn) != 0)
            continue;
        /* unfold: CR and LF go, runs of white space become one space */
        for (j = 0; j < v.n; j++) {
            char ch = v.p[j];

            if (ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t') {
                space = o > 0;
                continue;
            }
            if (o + (size_t)space + 1 >= cap)
                return -1;
            if (space)
                buf[o++] = ' ';
            space = 0;
            buf[o++] = ch;
        }
        if (cap == 0)
            return -1;
        buf[o] = '\0';
        return (int)o;
    }
    return -1;
}

static int is_tspecial(int ch)
{
    return strchr("()<>@,;:\\\"/[]?=", ch) != NULL;
}

static int is_token(int ch)
{
    return ch > 32 && ch < 127 && !is_tspecial(ch);
}

int gw_mime_ct_parse(struct gw_mime_ct *ct, const char *value, struct edi_err *err)
{
    const char *s = value;
    size_t o = 0;

    memset(ct, 0, sizeof(*ct));
    while (*s == ' ' || *s == '\t')
        s++;
    /* type/subtype (or a lone disposition type) as tokens */
    while (is_token((unsigned char)*s) || *s == '/') {
        if (o + 1 >= sizeof(ct->type))
            return edi_fail(err, EDI_ESYNTAX, "MIME type too long");
        ct->type[o++] = (char)tolower((unsigned char)*s++);
    }
    ct->type[o] = '\0';
    if (o == 0)
        return edi_fail(err, EDI_ESYNTAX, "no MIME type in \"%.60s\"", value);
    for (;;) {
        struct gw_mime_param *pm;

        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            return 0;
        if (*s != ';')
            return edi_fail(err, EDI_ESYNTAX, "unexpected '%c' at %zu in \"%.60s\"", *s,
                            (size_t)(s - value), value);
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == ';')
            continue;   /* a stray or trailing ';' (IBM Sterling writes one) */
        if (ct->np == GW_MIME_MAX_PARAMS)
            return edi_fail(err, EDI_ESYNTAX, "more than %d MIME parameters", GW_MIME_MAX_PARAMS);
        pm = &ct->p[ct->np];
        for (o = 0; is_token((unsigned char)*s); s++) {
            if (o + 1 >= sizeof(pm->name))
                return edi_fail(err, EDI_ESYNTAX, "MIME parameter name too long");
            pm->name[o++] = (char)tolower((unsigned char)*s);
        }
        pm->name[o] = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (o == 0 || *s != '=')
            return edi_fail(err, EDI_ESYNTAX, "MIME parameter without a name and '=' at %zu in \"%.60s\"",
                            (size_t)(s - value), value);
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        o = 0;
        if (*s == '"') {
            for (s++; *s != '"'; s++) {
                if (*s == '\0')
                    return edi_fail(err, EDI_ESYNTAX, "unterminated quoted MIME parameter value");
                if (*s == '\\' && s[1] != '\0')
                    s++;
                if (o + 1 >= sizeof(pm->value))
                    return edi_fail(err, EDI_ESYNTAX, "MIME parameter value too long");
                pm->value[o++] = *s;
            }
            s++;
        } else {
            /* lenient: anything up to ';' (Mendelson writes '/' and '=' bare) */
            while (*s != '\0' && *s != ';' && *s != ' ' && *s != '\t') {
                if (o + 1 >= sizeof(pm->value))
                    return edi_fail(err, EDI_ESYNTAX, "MIME parameter value too long");
                pm->value[o++] = *s++;
            }
        }
        pm->value[o] = '\0';
        ct->np++;
    }
}

const char *gw_mime_ct_param(const struct gw_mime_ct *ct, const char *name)
{
    size_t k;

    for (k = 0; k < ct->np; k++)
        if (strcmp(ct->p[k].name, name) == 0)
            return ct->p[k].value;
    return NULL;
}

/* 0 when the line p[start .. end) (no line break) is "--boundary" with
 * only white space after, 1 when "--boundary--", -1 otherwise. */
static int delimiter(const char *p, size_t start, size_t end, const char *b, size_t bn)
{
    size_t i = start + 2 + bn;
    int close = 0;

    if (end - start < 2 + bn || p[start] != '-' || p[start + 1] != '-' || memcmp(p + start + 2, b, bn) != 0)
        return -1;
    if (end - i >= 2 && p[i] == '-' && p[i + 1] == '-') {
        close = 1;
        i += 2;
    }
    for (; i < end; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return -1;
    return close;
}

int gw_mime_multipart(struct edi_str *parts, size_t max, size_t *nparts, struct edi_str body,
                      const char *boundary, struct edi_err *err)
{
    const char *p = body.p;
    size_t n = body.n, bn = strlen(boundary), i = 0, part_start = 0;
    int open = 0;

    *nparts = 0;
    if (bn == 0 || bn > 70)   /* SPEC: RFC 2046 §5.1.1: 1 to 70 characters */
        return edi_fail(err, EDI_ESYNTAX, "multipart boundary of %zu characters", bn);
    while (i < n) {
        size_t end = line_end(p, n, i), len = line_len(p, i, end);
        int d = delimiter(p, i, i + len, boundary, bn);

        if (d >= 0) {
            if (open) {
                /* the line break before the delimiter belongs to it */
                size_t stop = i;

                if (stop > part_start && p[stop - 1] == '\n')
                    stop--;
                if (stop > part_start && p[stop - 1] == '\r')
                    stop--;
                if (*nparts == max) {
                    at(err, i);
                    return edi_fail(err, EDI_ESYNTAX, "more than %zu parts in a multipart", max);
                }
                parts[(*nparts)++] = (struct edi_str){p + part_start, stop - part_start};
            }
            if (d == 1) {
                if (!open) {
                    at(err, i);
                    return edi_fail(err, EDI_ESYNTAX, "multipart closes at byte %zu before any part", i);
                }
                return 0;
            }
            open = 1;
            part_start = end < n ? end + 1 : n;
        }
        i = end + 1;
    }
    at(err, n);
    return edi_fail(err, EDI_ESYNTAX, open ? "multipart has no closing delimiter (cut short?)"
                                           : "multipart has no delimiter \"--%.70s\"", boundary);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void gw_b64_encode(struct edi_buf *out, const void *p, size_t n, int wrap)
{
    const unsigned char *s = p;
    size_t i, col = 0;

    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        char q[4];

        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        q[0] = b64[(v >> 18) & 63];
        q[1] = b64[(v >> 12) & 63];
        q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? b64[v & 63] : '=';
        edi_buf_put(out, q, 4);
        col += 4;
        if (wrap && col == 76 && i + 3 < n) {
            edi_buf_put(out, "\r\n", 2);
            col = 0;
        }
    }
}

int gw_b64_decode(struct edi_buf *out, const char *p, size_t n, struct edi_err *err)
{
    unsigned v = 0;
    size_t i, k = 0, pad = 0;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        const char *hit;

        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (ch == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || ch == '\0' || (hit = strchr(b64, ch)) == NULL) {
            at(err, i);
            return edi_fail(err, EDI_ESYNTAX, "not base64 at byte %zu", i);
        }
        v = (v << 6) | (unsigned)(hit - b64);
        if (++k == 4) {
            char b[3] = {(char)(v >> 16), (char)(v >> 8), (char)v};

            edi_buf_put(out, b, 3);
            k = 0;
            v = 0;
        }
    }
    if (k == 1 || pad > 2 || (k == 0 && pad > 0) || (k > 0 && pad > 0 && k + pad != 4)) {
        at(err, n);
        return edi_fail(err, EDI_ESYNTAX, "base64 ends with a broken group");
    }
    if (k == 2) {
        char b = (char)(v >> 4);

        edi_buf_put(out, &b, 1);
    } else if (k == 3) {
        char b[2] = {(char)(v >> 10), (char)(v >> 2)};

        edi_buf_put(out, b, 2);
    }
    return out->err ? edi_fail(err, EDI_ELIMIT, "decoded base64 over %zu bytes", out->max) : 0;
}

int gw_mime_value_ok(const char *s, size_t max)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if ((unsigned char)s[i] < 32 || (unsigned char)s[i] > 126 || i >= max)
            return 0;
    return i > 0;
}
