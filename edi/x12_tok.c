/*
 * x12_tok.c — the X12 streaming tokenizer: finds the delimiters in each ISA,
 * splits segments and elements, and resynchronises after bad bytes.
 *
 * It knows nothing of envelopes or guides (x12_parse.c, guide.c). Components
 * and repetitions are split later, by whoever needs them.
 */
#include "edi/x12.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SPEC: X12.5 ISA is fixed-length: 106 bytes with the segment terminator;
 * these are the byte offsets of its 16 element separators. */
static const unsigned short isa_seps[16] = {3, 6, 17, 20, 31, 34, 50, 53,
                                            69, 76, 81, 83, 89, 99, 101, 103};
static const unsigned char isa_widths[16] = {2, 10, 2, 10, 2, 15, 2, 15,
                                             6, 4, 1, 5, 9, 1, 1, 1};
#define ISA_LEN 106

void edi_tok_init(struct edi_tok *t, const struct edi_limits *lim)
{
    memset(t, 0, sizeof(*t));
    if (lim)
        t->lim = *lim;
    else
        edi_limits_default(&t->lim);
}

void edi_tok_borrow(struct edi_tok *t, const char *p, size_t n)
{
    if (!t->borrowed)
        free(t->buf);
    t->buf = (char *)p;   /* never written while borrowed */
    t->len = t->cap = n;
    t->pos = 0;
    t->borrowed = 1;
    t->eof = 1;
}

void edi_tok_dispose(struct edi_tok *t)
{
    if (!t->borrowed)
        free(t->buf);
    free(t->els);
    memset(t, 0, sizeof(*t));
}

static void compact(struct edi_tok *t)
{
    if (t->pos == 0 || t->borrowed)
        return;
    memmove(t->buf, t->buf + t->pos, t->len - t->pos);
    t->base += t->pos;
    t->len -= t->pos;
    t->pos = 0;
}

char *edi_tok_space(struct edi_tok *t, size_t want, size_t *avail)
{
    if (t->borrowed) {
        /* more input after borrowed memory: copy what is left first */
        size_t left = t->len - t->pos;
        char *own = edi_xmalloc(left + 1);

        memcpy(own, t->buf + t->pos, left);
        t->base += t->pos;
        t->buf = own;
        t->len = t->cap = left;
        t->pos = 0;
        t->borrowed = 0;
    }
    compact(t);
    /* an empty tokenizer has no buffer yet: never offset a NULL pointer */
    if (t->buf == NULL || t->cap - t->len < want) {
        size_t cap = t->cap ? t->cap : 65536;

        while (cap - t->len < want)
            cap *= 2;
        t->buf = edi_xrealloc(t->buf, cap);
        t->cap = cap;
    }
    *avail = t->cap - t->len;
    return t->buf + t->len;
}

void edi_tok_commit(struct edi_tok *t, size_t n)
{
    t->len += n;
}

void edi_tok_feed(struct edi_tok *t, const char *p, size_t n)
{
    size_t avail;
    char *dst = edi_tok_space(t, n, &avail);

    if (n)
        memcpy(dst, p, n);
    edi_tok_commit(t, n);
}

void edi_tok_finish(struct edi_tok *t)
{
    t->eof = 1;
}

static int bad_delim(unsigned char c)
{
    return isalnum(c) || c == ' ';
}

/* Skips the line ends that may follow a terminator ("~\n", "~\r\n"), and
 * blank lines where the newline is the terminator. */
static void skip_line_ends(struct edi_tok *t)
{
    while (t->pos < t->len) {
        unsigned char c = (unsigned char)t->buf[t->pos];

        if (c == '\r' || c == '\n' || (c == t->d.seg && t->have_delims))
            t->pos++;
        else
            break;
    }
}

/* "ISA" and a plausible element separator: where an interchange may start.
 * The same test decides both when reading and when resynchronising, so
 * the outcome never depends on how the input was cut into pieces. */
static int isa_start(const char *q)
{
    return q[0] == 'I' && q[1] == 'S' && q[2] == 'A' && !bad_delim((unsigned char)q[3]) &&
           q[3] != '\r' && q[3] != '\n';
}

/* Finds the next isa_start at or after p. */
static const char *find_isa(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 3 < n; i++) {
        const char *q = memchr(p + i, 'I', n - i - 3);

        if (q == NULL)
            return NULL;
        i = (size_t)(q - p);
        if (isa_start(q))
            return q;
    }
    return NULL;
}

/* Reads the delimiters from the ISA at t->pos. Returns EDI_OK, EDI_EMORE,
 * or EDI_ESYNTAX (no usable ISA: the caller resynchronises). */
static int read_isa(struct edi_tok *t, struct edi_err *err)
{
    const unsigned char *q = (const unsigned char *)t->buf + t->pos;
    size_t avail = t->len - t->pos;
    unsigned char sep;
    size_t i, k = 0, nsep = 0, seps[16];

    if (avail < ISA_LEN && !t->eof)
        return EDI_EMORE;
    if (avail < 4)
        goto truncated;
    sep = q[3];
    t->isa_bad = 0;
    t->isa_problem[0] = '\0';
    /* The lenient scan: where are the 16 separators really? */
    for (i = 3; i < avail && i < 400 && nsep < 16; i++) {
        if (q[i] == sep)
            seps[nsep++] = i;
        else if (q[i] == '\r' || q[i] == '\n')
            break;
    }
    if (nsep < 16) {
        if (!t->eof && avail < 400 && i >= avail)
            return EDI_EMORE;
        goto truncated;
    }
    k = seps[15];
    if (k + 2 >= avail) {
        if (!t->eof)
            return EDI_EMORE;
        goto truncated;
    }
    for (i = 0; i < 16; i++) {
        size_t w = (i < 15 ? seps[i + 1] : k + 2) - seps[i] - 1;

        if (seps[i] != isa_seps[i] || w != isa_widths[i]) {
            t->isa_bad = (int)i + 1;
            snprintf(t->isa_problem, sizeof(t->isa_problem),
                     "ISA is %zu bytes, must be 106: ISA%02zu is %zu characters, must be %u",
                     k + 3, i + 1, w, isa_widths[i]);
            break;
        }
    }
    t->d.elem = sep;
    t->d.comp = q[k + 1];
    t->d.seg = q[k + 2];
    t->d.rep = 0;
    /* line ends may terminate segments, never separate elements */
    if (bad_delim(sep) || bad_delim(t->d.seg) || t->d.seg == sep || t->d.comp == sep ||
        t->d.comp == t->d.seg || t->d.comp == '\r' || t->d.comp == '\n') {
        err->offset = t->base + t->pos;
        return edi_fail(err, EDI_ESYNTAX,
                        "ISA at byte %llu has unusable delimiters (element '%c', component '%c', segment 0x%02x)",
                        (unsigned long long)err->offset, sep, t->d.comp, t->d.seg);
    }
    /* SPEC: X12 00402+: ISA11 is the repetition separator. */
    {
        const unsigned char *v12 = q + seps[11] + 1, *v11 = q + seps[10] + 1;
        size_t w12 = seps[12] - seps[11] - 1, w11 = seps[11] - seps[10] - 1;

        if (w11 == 1 && w12 == 5 && memcmp(v12, "00402", 5) >= 0 && !bad_delim(*v11) &&
            *v11 != sep && *v11 != t->d.comp && *v11 != t->d.seg)
            t->d.rep = *v11;
    }
    t->have_delims = 1;
    /* the ISA ends where its 16th element does, whatever bytes came before */
    t->isa_term = t->base + t->pos + k + 2;
    return EDI_OK;

truncated:
    err->offset = t->base + t->pos;
    return edi_fail(err, EDI_ESYNTAX,
                    "ISA at byte %llu is cut short: %zu bytes, must be 106",
                    (unsigned long long)err->offset, avail);
}

/* Drops bytes up to the next "ISA" (or all but a possible partial one). */
static void resync(struct edi_tok *t)
{
    const char *q = find_isa(t->buf + t->pos + 1, t->len - t->pos - 1);

    t->have_delims = 0;
    if (q)
        t->pos = (size_t)(q - t->buf);
    else if (t->eof)
        t->pos = t->len;
    else
        t->pos = t->len > 3 && t->len - 3 > t->pos ? t->len - 3 : t->pos;
}

static int split(struct edi_seg *seg, struct edi_tok *t, const char *p, size_t n,
                 struct edi_err *err)
{
    const char sep = (char)t->d.elem;
    size_t k = 0, i, from = 0;

    /* elements are short: a plain loop beats a memchr call per element */
    for (i = 0; i <= n; i++) {
        if (i < n && p[i] != sep)
            continue;
        /* LIMIT: max_elements, on every element: checking only when the
         * array grows let a segment run to the next power of two */
        if (k > t->lim.max_elements)
            return edi_fail(err, EDI_ELIMIT, "segment at byte %llu has more than %zu elements",
                            (unsigned long long)seg->offset, t->lim.max_elements);
        if (k == t->els_cap) {
            t->els_cap = t->els_cap ? t->els_cap * 2 : 64;
            t->els = edi_xrealloc(t->els, t->els_cap * sizeof(*t->els));
        }
        t->els[k].p = p + from;
        t->els[k].n = i - from;
        k++;
        from = i + 1;
    }
    seg->el = t->els;
    seg->n = k - 1;
    return EDI_OK;
}

int edi_tok_next(struct edi_seg *seg, struct edi_tok *t, struct edi_err *err)
{
    struct edi_err scratch;
    int rc;

    if (err == NULL)
        err = &scratch;
    for (;;) {
        const char *p, *term;
        size_t n, start;

        if (t->skipping) {
            term = t->pos < t->len ? memchr(t->buf + t->pos, t->d.seg, t->len - t->pos) : NULL;
            if (term == NULL) {
                t->pos = t->len;
                if (t->eof)
                    return EDI_DONE;
                return EDI_EMORE;
            }
            t->pos = (size_t)(term - t->buf) + 1;
            t->skipping = 0;
        }
        if (!t->have_delims) {
            /* between interchanges: white space, then an ISA */
            if (t->base + t->pos == 0 && t->len < 3 && !t->eof)
                return EDI_EMORE;   /* a byte-order mark may be arriving */
            if (t->base + t->pos == 0 && t->len >= 3 && memcmp(t->buf, "\xef\xbb\xbf", 3) == 0)
                t->pos = 3;
            while (t->pos < t->len && strchr(" \t\r\n", t->buf[t->pos]) && t->buf[t->pos])
                t->pos++;
            if (t->pos == t->len)
                return t->eof ? EDI_DONE : EDI_EMORE;
            if (t->len - t->pos < 4 && !t->eof)
                return EDI_EMORE;
            if (t->len - t->pos < 4 || !isa_start(t->buf + t->pos)) {
                size_t at = t->pos, k, shown;
                char what[48];

                if (t->in_garbage) {
                    /* still the same run of bad bytes: one report is enough */
                    resync(t);
                    if (t->pos == t->len)
                        return t->eof ? EDI_DONE : EDI_EMORE;
                    continue;
                }
                t->in_garbage = 1;
                for (k = shown = 0; at + k < t->len && k < 12 && shown + 5 < sizeof(what); k++) {
                    unsigned char c = (unsigned char)t->buf[at + k];

                    if (c >= 0x20 && c < 0x7f)
                        what[shown++] = (char)c;
                    else
                        shown += (size_t)snprintf(what + shown, sizeof(what) - shown, "\\x%02x", c);
                }
                what[shown] = '\0';

                err->offset = t->base + at;
                rc = edi_fail(err, EDI_ESYNTAX,
                              "expected an ISA segment at byte %llu, found \"%s\"",
                              (unsigned long long)err->offset, what);
                resync(t);
                return rc;
            }
            t->in_garbage = 0;
            rc = read_isa(t, err);
            if (rc == EDI_EMORE)
                return rc;
            if (rc < 0) {
                /* what follows a broken ISA, up to the next one, is part of
                 * the same problem: reported once */
                t->in_garbage = 1;
                resync(t);
                return rc;
            }
        }
        skip_line_ends(t);
        if (t->pos == t->len)
            return t->eof ? EDI_DONE : EDI_EMORE;
        start = t->pos;
        p = t->buf + start;
        if (t->isa_term > t->base + start && t->isa_term < t->base + t->len)
            term = t->buf + (t->isa_term - t->base);
        else
            term = memchr(p, t->d.seg, t->len - start);
        t->isa_term = 0;
        if (term == NULL) {
            if (t->len - start > t->lim.max_segment) {
                err->offset = t->base + start;
                t->skipping = 1;
                t->pos = t->len;
                return edi_fail(err, EDI_ELIMIT,
                                "segment at byte %llu is longer than %zu bytes",
                                (unsigned long long)err->offset, t->lim.max_segment);
            }
            if (!t->eof)
                return EDI_EMORE;
            /* the input ends inside a segment */
            err->offset = t->base + start;
            t->pos = t->len;
            t->have_delims = 0;
            return edi_fail(err, EDI_ESYNTAX,
                            "input ends inside a segment at byte %llu: '%.*s' has no terminator",
                            (unsigned long long)err->offset,
                            (int)(t->len - start < 20 ? t->len - start : 20), p);
        }
        n = (size_t)(term - p);
        t->pos = start + n + 1;
        if (n > t->lim.max_segment) {
            err->offset = t->base + start;
            return edi_fail(err, EDI_ELIMIT, "segment at byte %llu is longer than %zu bytes",
                            (unsigned long long)err->offset, t->lim.max_segment);
        }
        while (t->d.seg == '\n' && n && p[n - 1] == '\r')
            n--;   /* CR LF line ends, however many CRs */
        if (n == 0)
            continue;
        /* A new ISA inside an interchange: its delimiters may differ. */
        if (n >= 4 && isa_start(p) && (unsigned char)p[3] != t->d.elem && t->nseg > 0) {
            t->have_delims = 0;
            t->pos = start;
            continue;
        }
        seg->offset = t->base + start;
        seg->raw.p = p;
        seg->raw.n = n;
        if ((rc = split(seg, t, p, n, err)) < 0)
            return rc;
        seg->index = ++t->nseg;
        /* any IEA ends the interchange, a bare one too: the writer drops
         * trailing empty elements, so "IEA*" writes back as "IEA", and both
         * must read alike (parse, write, parse is the identity) */
        if (edi_str_eq(seg->el[0], "IEA"))
            t->have_delims = 0;
        return EDI_OK;
    }
}
