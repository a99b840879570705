/*
 * guide.c — validation of one X12 transaction set against a compiled guide:
 * segment order, usage, max use and loop repeats by walking the structure;
 * elements (type, length, codes, dates, times), syntax rules, partner
 * conditions, <require> occurrences and the HL hierarchy.
 *
 * Every problem becomes a finding with its position and its 997 (AK304 /
 * AK403) or 999 (IK304 / IK403) code; nothing here stops at the first one.
 * After a segment that has no place in the structure the walk stays where
 * it was, so one stray segment gives one finding, not a cascade.
 * Loading guides is guide_load.c; envelopes are x12_parse.c.
 */
#include "edi/guide.h"
#include "edi/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 24
#define MAX_COMP 64
#define MAX_REP 128

struct frame {
    const struct edi_gnode *loop;
    uint32_t cur;
    uint32_t iter;
    uint32_t *count;
    int heap;               /* count is edi_xcalloc'd, not from the walk's */
};

#define NCOUNT 512          /* the walk's counts, frames' in stack order */
#define NREQ 64

struct hl {
    char id[13];
    char level[4];
};

struct walk {
    const struct edi_guide *g;
    const struct edi_tx *tx;
    struct edi_findings *out;
    const struct edi_walk_cb *cb;
    int elements;                        /* element checks (findings kept) */
    int rc;                              /* a code list could not be read */
    struct edi_err *err;
    struct frame st[MAX_DEPTH];
    int depth;
    uint8_t *req_met;
    uint8_t bad[256];                    /* bytes check_value looks at twice */
    uint32_t ncount;
    uint32_t counts[NCOUNT];
    uint8_t req_buf[NREQ];
    struct hl *hl;
    size_t nhl, hlcap;
    const struct edi_glevel *hl_level;   /* level of the open HL */
    const struct edi_txseg *hl_seg;
    uint64_t hl_seen;                    /* bit i: require[i] seen */
};

#define CODE(w, c4, c5) ((w)->g->v5010 ? (c5) : (c4))

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* v (at most 7 bytes) packed, zero-padded, with its length: keys compare
 * as the codes do */
static uint64_t code_key(struct edi_str v)
{
    uint64_t k = 0;
    size_t i;

    for (i = 0; i < v.n; i++)
        k = (k << 8) | (unsigned char)v.p[i];
    k <<= 8 * (7 - v.n);
    return (k << 8) | v.n;
}

static size_t hash_slot(uint64_t k, unsigned bits)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static int key_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

int edi_codes_has(const struct edi_codes *c, struct edi_str v)
{
    size_t lo = 0, hi;

    if (c == NULL)
        return 1;
    hi = c->n;
    if (c->keys) {
        uint64_t k;

        if (v.n > 7)
            return 0;
        k = code_key(v);
        if (c->hash) {
            size_t mask = ((size_t)1 << c->hbits) - 1, h;

            for (h = hash_slot(k, c->hbits); c->hash[h]; h = (h + 1) & mask)
                if (c->hash[h] == k)
                    return 1;
            return 0;
        }
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;

            if (c->keys[mid] == k)
                return 1;
            if (c->keys[mid] < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        return 0;
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = c->v[mid];
        size_t mn = strlen(m);
        int r = memcmp(m, v.p, mn < v.n ? mn : v.n);

        if (r == 0)
            r = mn < v.n ? -1 : mn > v.n;
        if (r == 0)
            return 1;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

const struct edi_gseg *edi_guide_seg(const struct edi_guide *g, struct edi_str id)
{
    size_t lo = 0, hi = g->nsegs;
    uint32_t k = edi_seg_key(id);

    if (k == 0)
        return NULL;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (g->segs[mid].key == k)
            return &g->segs[mid];
        if (g->segs[mid].key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- findings --------------------------------------------------------------- */

static const char *loop_of(const struct walk *w)
{
    return w->depth > 0 ? w->st[w->depth].loop->id : "";
}

static struct edi_finding *seg_finding(struct walk *w, const struct edi_txseg *s,
                                       const char *seg_id, const char *code, const char *xcode)
{
    struct edi_finding *fd = edi_findings_add(w->out, code, EDI_LV_SEGMENT);

    snprintf(fd->seg_id, sizeof(fd->seg_id), "%s", seg_id);
    snprintf(fd->seg_code, sizeof(fd->seg_code), "%s", xcode);
    snprintf(fd->loop_id, sizeof(fd->loop_id), "%s", loop_of(w));
    if (s) {
        fd->seg_pos = s->pos;
        fd->offset = s->offset;
        fd->seg_index = s->index;
    }
    return fd;
}

static struct edi_finding *el_finding(struct walk *w, const struct edi_txseg *s,
                                      const struct edi_gel *d, unsigned elp, unsigned cp,
                                      unsigned rp, const char *code, const char *xcode,
                                      struct edi_str v)
{
    char id[4];
    struct edi_finding *fd =
        seg_finding(w, s, edi_str_copy(id, sizeof(id), s->el[0]), code, "8");

    fd->level = EDI_LV_ELEMENT;
    fd->el_pos = (uint16_t)elp;
    fd->comp_pos = (uint16_t)cp;
    fd->rep_pos = (uint16_t)rp;
    snprintf(fd->el_code, sizeof(fd->el_code), "%s", xcode);
    if (d)
        snprintf(fd->el_ref, sizeof(fd->el_ref), "%s", d->ref);
    edi_finding_value(fd, v);
    return fd;
}

static void name_el(char *buf, size_t cap, const struct edi_txseg *s, unsigned elp, unsigned cp)
{
    if (cp)
        snprintf(buf, cap, "%.*s%02u-%u", (int)s->el[0].n, s->el[0].p, elp, cp);
    else
        snprintf(buf, cap, "%.*s%02u", (int)s->el[0].n, s->el[0].p, elp);
}

/* ---- elements ------------------------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned num(const char *p, size_t n)
{
    unsigned v = 0;

    while (n--)
        v = v * 10 + (unsigned)(*p++ - '0');
    return v;
}

static int valid_date(struct edi_str v)
{
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d;
    size_t i;

    if (v.n != 6 && v.n != 8)
        return 0;
    for (i = 0; i < v.n; i++)
        if (!is_digit(v.p[i]))
            return 0;
    y = v.n == 8 ? num(v.p, 4) : 2000 + num(v.p, 2);
    m = num(v.p + v.n - 4, 2);
    d = num(v.p + v.n - 2, 2);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    return !(m == 2 && d == 29 && !leap(y));
}

static int valid_time(struct edi_str v)
{
    size_t i;

    if (v.n < 4 || v.n > 8)
        return 0;
    for (i = 0; i < v.n; i++)
        if (!is_digit(v.p[i]))
            return 0;
    if (num(v.p, 2) > 23 || num(v.p + 2, 2) > 59)
        return 0;
    return v.n < 6 || num(v.p + 4, 2) <= 59;
}

/* Checks the characters of a numeric value; returns its significant length
 * (digits only), or -1 when a character is not allowed. */
static long numeric_len(struct edi_str v, int decimal)
{
    size_t i = 0, digits = 0;
    int dot = 0;

    if (v.n && v.p[0] == '-')
        i = 1;
    for (; i < v.n; i++) {
        if (is_digit(v.p[i]))
            digits++;
        else if (decimal && v.p[i] == '.' && !dot)
            dot = 1;
        else
            return -1;
    }
    return digits ? (long)digits : -1;
}

struct eff {
    char usage;
    uint32_t min, max;
    uint8_t charset;
    const struct edi_codes *pcodes;
    const char *note;
};

static inline void effective(struct eff *e, const struct edi_gel *d,
                             const struct edi_gcond *const *conds, size_t nconds, unsigned elp,
                             unsigned cp)
{
    size_t i;

    e->usage = d->usage;
    e->min = d->min;
    e->max = d->max;
    e->charset = d->charset;
    e->pcodes = d->pcodes;
    e->note = NULL;
    for (i = 0; i < nconds; i++) {
        const struct edi_gcond *c = conds[i];

        if (c->pos != elp || c->comp != cp)
            continue;
        if (c->usage)
            e->usage = c->usage;
        if (c->min)
            e->min = c->min;
        if (c->max)
            e->max = c->max;
        if (c->charset)
            e->charset = c->charset;
        if (c->codes)
            e->pcodes = c->codes;
        e->note = c->note;
    }
}

static int charset_ok(uint8_t cs, struct edi_str v)
{
    size_t i;

    for (i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];

        if (cs == EDI_CS_DIGITS && !is_digit((char)c))
            return 0;
        if (cs == EDI_CS_ALNUM && !(is_digit((char)c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
        if (cs == EDI_CS_UPPER && c >= 'a' && c <= 'z')
            return 0;
    }
    return 1;
}

/* One non-empty simple value against its definition: at most one finding,
 * the first problem in the order a person would fix them. */
static void check_value(struct walk *w, const struct edi_txseg *s, const struct edi_gel *d,
                        const struct eff *e, struct edi_str v, unsigned elp, unsigned cp,
                        unsigned rp)
{
    char nm[16];
    long len = (long)v.n;
    size_t i;
    struct edi_finding *fd;
    const struct edi_codes *codes;

    /* the element's name is made only for a finding: this is the hot path */
#define NM (name_el(nm, sizeof(nm), s, elp, cp), nm)
    if (e->usage == 'N') {
        fd = el_finding(w, s, d, elp, cp, rp, "element-not-used", CODE(w, "3", "I10"), v);
        edi_finding_msg(fd, "%s '%.*s' is not used in this guide%s%s", NM, (int)v.n, v.p,
                        e->note ? ": " : "", e->note ? e->note : "");
        return;
    }
    if (d->type == 'N' || d->type == 'R') {
        len = numeric_len(v, d->type == 'R');
        if (len < 0) {
            fd = el_finding(w, s, d, elp, cp, rp, "element-not-numeric", "6", v);
            edi_finding_msg(fd, "%s '%.*s' is not a %s number", NM, (int)v.n, v.p,
                            d->type == 'R' ? "decimal" : "whole");
            return;
        }
    } else {
        int decoded = 0;

        for (i = 0; i < v.n; i++) {
            unsigned char c = (unsigned char)v.p[i];

            if (!w->bad[c])
                continue;
            if (c < 0x20 || c == 0x7f || c == w->tx->d.comp) {
                fd = el_finding(w, s, d, elp, cp, rp, "element-invalid-character", "6", v);
                edi_finding_msg(fd, "%s has the character 0x%02x at offset %zu", NM, c, i + 1);
                return;
            }
            if (c >= 0x80 && !decoded) {
                size_t bad;
                const char *why;

                /* a value that cannot be decoded is refused, never kept empty */
                if (edi_text_decode_kind(v, (enum edi_text_in)w->tx->text, &bad, &why) < 0) {
                    fd = el_finding(w, s, d, elp, cp, rp, "element-invalid-character", "6", v);
                    edi_finding_msg(fd, "%s cannot be decoded: byte 0x%02x at offset %zu is %s", NM,
                                    (unsigned char)v.p[bad], bad + 1, why);
                    return;
                }
                decoded = 1;
            }
        }
    }
    if (d->type == 'D' && !valid_date(v)) {
        fd = el_finding(w, s, d, elp, cp, rp, "element-invalid-date", "8", v);
        edi_finding_msg(fd, "%s '%.*s' is not a valid date (%s)", NM, (int)v.n, v.p,
                        d->max == 6 ? "YYMMDD" : "CCYYMMDD");
        return;
    }
    if (d->type == 'T' && !valid_time(v)) {
        fd = el_finding(w, s, d, elp, cp, rp, "element-invalid-time", "9", v);
        edi_finding_msg(fd, "%s '%.*s' is not a valid time (HHMM[SS[D[D]]])", NM, (int)v.n, v.p);
        return;
    }
    if ((uint32_t)len < e->min) {
        fd = el_finding(w, s, d, elp, cp, rp, "element-too-short", "4", v);
        edi_finding_msg(fd, "%s '%.*s' is %ld characters, at least %u required%s%s", NM,
                        (int)v.n, v.p, len, e->min, e->note ? ": " : "", e->note ? e->note : "");
        return;
    }
    if ((uint32_t)len > e->max) {
        fd = el_finding(w, s, d, elp, cp, rp, "element-too-long", "5", v);
        edi_finding_msg(fd, "%s '%.*s' is %ld characters, at most %u allowed%s%s", NM,
                        (int)v.n > 35 ? 35 : (int)v.n, v.p, len, e->max, e->note ? ": " : "",
                        e->note ? e->note : "");
        return;
    }
    if (e->charset && !charset_ok(e->charset, v)) {
        static const char *names[] = {"", "digits", "letters and digits", "upper case"};

        fd = el_finding(w, s, d, elp, cp, rp, "element-pattern", CODE(w, "6", "I12"), v);
        edi_finding_msg(fd, "%s '%.*s' must be %s only%s%s", NM, (int)v.n, v.p, names[e->charset],
                        e->note ? ": " : "", e->note ? e->note : "");
        return;
    }
    codes = d->codes;
    /* the element's file is read when a value first needs it */
    if (codes == NULL && d->file && w->rc == 0 && (w->rc = edi_codefile_get(&codes, d->file, w->err)) < 0)
        return;
    if (codes && !edi_codes_has(codes, v)) {
        fd = el_finding(w, s, d, elp, cp, rp, "element-invalid-code", "7", v);
        edi_finding_msg(fd, "%s '%.*s' is not a valid code%s%s", NM, (int)v.n, v.p,
                        d->name ? " for " : "", d->name ? d->name : "");
        return;
    }
    if (e->pcodes && !edi_codes_has(e->pcodes, v)) {
        struct edi_buf b;
        size_t k;

        edi_buf_init(&b, 120);
        for (k = 0; k < e->pcodes->n; k++)
            edi_buf_printf(&b, "%s%s", k ? ", " : "", e->pcodes->v[k]);
        fd = el_finding(w, s, d, elp, cp, rp, "element-code-not-allowed", CODE(w, "7", "I6"), v);
        edi_finding_msg(fd, "%s '%.*s' is not allowed by this guide (allowed: %s)%s%s", NM,
                        (int)v.n, v.p, b.err ? "..." : edi_buf_cstr(&b), e->note ? ": " : "",
                        e->note ? e->note : "");
        edi_buf_dispose(&b);
    }
#undef NM
}

static size_t split_on(struct edi_str *parts, size_t max, struct edi_str v, unsigned char sep)
{
    size_t k = 0;
    const char *p = v.p, *end = v.p + v.n;

    for (;;) {
        const char *q = sep ? memchr(p, sep, (size_t)(end - p)) : NULL;

        if (k < max) {
            parts[k].p = p;
            parts[k].n = (size_t)((q ? q : end) - p);
        }
        k++;
        if (q == NULL)
            return k;
        p = q + 1;
    }
}

static void check_rules(struct walk *w, const struct edi_txseg *s, const struct edi_grule *rules,
                        size_t nrules, const struct edi_str *vals, size_t nvals, unsigned elp,
                        const struct edi_gel *defs, size_t ndefs)
{
    size_t r, i;
    char a[16], b[16];
    uint64_t have = 0;          /* bit k: value k is present */

    for (i = 0; i < nvals && i < 63; i++)
        if (vals[i].n)
            have |= 1ULL << (i + 1);
    for (r = 0; r < nrules; r++) {
        const struct edi_grule *ru = &rules[r];
        int present[12], npresent = 0;

        /* the common case, a rule that holds, from the bits alone */
        if (ru->mask) {
            uint64_t m = have & ru->mask, first = 1ULL << ru->pos[0];
            int holds = 0;

            switch (ru->kind) {
            case 'P': holds = m == 0 || m == ru->mask; break;
            case 'R': holds = m != 0; break;
            case 'E': holds = (m & (m - 1)) == 0; break;
            case 'C': holds = !(m & first) || m == ru->mask; break;
            case 'L': holds = !(m & first) || (m & ~first) != 0; break;
            }
            if (holds)
                continue;
        }

        for (i = 0; i < ru->n; i++) {
            size_t k = ru->pos[i];

            present[i] = k >= 1 && k <= nvals && vals[k - 1].n > 0;
            npresent += present[i];
        }
        for (i = 0; i < ru->n; i++) {
            unsigned pi = ru->pos[i];
            const struct edi_gel *d = pi >= 1 && pi <= ndefs ? &defs[pi - 1] : NULL;
            unsigned ep = elp ? elp : pi, cp = elp ? pi : 0;
            struct edi_finding *fd;

#define NAMES (name_el(a, sizeof(a), s, ep, cp), \
               name_el(b, sizeof(b), s, elp ? elp : ru->pos[0], elp ? ru->pos[0] : 0))
            if ((ru->kind == 'P' && npresent > 0 && !present[i]) ||
                (ru->kind == 'C' && present[0] && i > 0 && !present[i])) {
                fd = el_finding(w, s, d, ep, cp, 0, "rule-required", "2", EDI_STR_NULL);
                NAMES;
                edi_finding_msg(fd, "%s is required when %s is present (syntax rule %c)", a,
                                ru->kind == 'P' ? "any of its pair" : b, ru->kind);
            } else if (ru->kind == 'R' && npresent == 0 && i == 0) {
                fd = el_finding(w, s, d, ep, cp, 0, "rule-required", "2", EDI_STR_NULL);
                NAMES;
                edi_finding_msg(fd, "at least one of %u elements starting at %s is required (syntax rule R)",
                                ru->n, a);
            } else if (ru->kind == 'L' && present[0] && npresent == 1 && i == 1) {
                fd = el_finding(w, s, d, ep, cp, 0, "rule-required", "2", EDI_STR_NULL);
                NAMES;
                edi_finding_msg(fd, "%s (or another element of the rule) is required when %s is present (syntax rule L)",
                                a, b);
            } else if (ru->kind == 'E' && npresent > 1 && present[i] && i > 0) {
                size_t first = 0;

                while (!present[first])
                    first++;
                if (first == i)
                    continue;
                fd = el_finding(w, s, d, ep, cp, 0, "rule-exclusion", "10",
                                ep <= nvals && !elp ? vals[ep - 1] : EDI_STR_NULL);
                NAMES;
                edi_finding_msg(fd, "%s may not be present together with another element of its exclusion rule", a);
                break;
            }
#undef NAMES
        }
    }
}

static __attribute__((noinline)) void check_element_slow(struct walk *w, const struct edi_txseg *s, const struct edi_gel *d,
                          struct edi_str v, unsigned elp, const struct edi_gcond *const *conds,
                          size_t nconds)
{
    struct edi_str reps[MAX_REP], comps[MAX_COMP];
    size_t nrep = 1, r, c, ncomp;
    unsigned char rep = w->tx->d.rep;
    char nm[16];
    struct eff e;

    effective(&e, d, conds, nconds, elp, 0);
    if (v.n == 0) {
        if (e.usage == 'M') {
            struct edi_finding *fd = el_finding(w, s, d, elp, 0, 0, "element-missing", "1", v);

            name_el(nm, sizeof(nm), s, elp, 0);
            edi_finding_msg(fd, "%s%s%s%s is required%s%s", nm, d->name ? " (" : "",
                            d->name ? d->name : "", d->name ? ")" : "", e.note ? ": " : "",
                            e.note ? e.note : "");
        }
        return;
    }
    if (rep && d->type != 'B')
        nrep = split_on(reps, MAX_REP, v, rep);
    else
        reps[0] = v;
    if (nrep > (d->repeat ? d->repeat : 1)) {
        struct edi_finding *fd = el_finding(w, s, d, elp, 0, 0, "element-too-many-repeats",
                                            CODE(w, "3", "12"), v);

        name_el(nm, sizeof(nm), s, elp, 0);
        edi_finding_msg(fd, "%s repeats %zu times, at most %u allowed", nm, nrep,
                        d->repeat ? d->repeat : 1);
        nrep = 1;
    }
    if (nrep > MAX_REP)
        nrep = MAX_REP;
    for (r = 0; r < nrep; r++) {
        unsigned rp = nrep > 1 ? (unsigned)r + 1 : 0;

        if (d->ncomp == 0) {
            check_value(w, s, d, &e, reps[r], elp, 0, rp);
            continue;
        }
        if (e.usage == 'N') {
            check_value(w, s, d, &e, reps[r], elp, 0, rp);
            continue;
        }
        ncomp = split_on(comps, MAX_COMP, reps[r], w->tx->d.comp);
        if (ncomp > d->ncomp) {
            struct edi_finding *fd = el_finding(w, s, d, elp, (unsigned)d->ncomp + 1, rp,
                                                "element-too-many-components",
                                                CODE(w, "3", "13"), reps[r]);

            name_el(nm, sizeof(nm), s, elp, 0);
            edi_finding_msg(fd, "%s has %zu components, at most %u allowed", nm, ncomp, d->ncomp);
            ncomp = d->ncomp;
        }
        for (c = 0; c < d->ncomp; c++) {
            const struct edi_gel *cd = &d->comp[c];
            struct edi_str cv = c < ncomp ? comps[c] : EDI_STR_NULL;
            struct eff ce;

            effective(&ce, cd, conds, nconds, elp, (unsigned)c + 1);
            if (cv.n == 0) {
                if (ce.usage == 'M') {
                    struct edi_finding *fd = el_finding(w, s, cd, elp, (unsigned)c + 1, rp,
                                                        "element-missing", "1", cv);
                    char cn[16];

                    name_el(cn, sizeof(cn), s, elp, (unsigned)c + 1);
                    edi_finding_msg(fd, "%s%s%s%s is required", cn, cd->name ? " (" : "",
                                    cd->name ? cd->name : "", cd->name ? ")" : "");
                }
                continue;
            }
            check_value(w, s, cd, &ce, cv, elp, (unsigned)c + 1, rp);
        }
        if (d->nrules)
            check_rules(w, s, d->rules, d->nrules, comps, ncomp < MAX_COMP ? ncomp : MAX_COMP,
                        elp, d->comp, d->ncomp);
    }
}

/* The common case first: a simple element, no repetition separator in it. */
static void check_element(struct walk *w, const struct edi_txseg *s, const struct edi_gel *d,
                          struct edi_str v, unsigned elp, const struct edi_gcond *const *conds,
                          size_t nconds)
{
    struct eff e;

    effective(&e, d, conds, nconds, elp, 0);
    if (v.n == 0) {
        if (e.usage == 'M')
            check_element_slow(w, s, d, v, elp, conds, nconds);
        return;
    }
    if (d->ncomp || (w->tx->d.rep && memchr(v.p, w->tx->d.rep, v.n))) {
        check_element_slow(w, s, d, v, elp, conds, nconds);
        return;
    }
    check_value(w, s, d, &e, v, elp, 0, 0);
}

static void check_segment(struct walk *w, const struct edi_txseg *s, const struct edi_gseg *gs)
{
    const struct edi_gcond *conds[16];
    size_t nconds = 0, i, n = s->n;

    for (i = 0; i < gs->nconds && nconds < 16; i++) {
        const struct edi_gcond *c = &gs->conds[i];

        if (c->when_pos == 0 ||
            (c->when_pos <= n && edi_str_eq(s->el[c->when_pos], c->when_val)))
            conds[nconds++] = c;
    }
    /* past the values, only a mandatory element can have a finding
     * (without conditions, which may make one mandatory) */
    size_t upto = n > gs->nel ? n : gs->nel;

    if (nconds == 0 && upto > n && upto > gs->last_m)
        upto = n > gs->last_m ? n : gs->last_m;
    for (i = 1; i <= upto; i++) {
        struct edi_str v = i <= n ? s->el[i] : EDI_STR_NULL;

        if (i > gs->nel) {
            if (v.n) {
                char nm[16];
                struct edi_finding *fd = el_finding(w, s, NULL, (unsigned)i, 0, 0,
                                                    "element-too-many", "3", v);

                name_el(nm, sizeof(nm), s, (unsigned)i, 0);
                edi_finding_msg(fd, "%s: segment %s has only %u elements", nm, gs->id, gs->nel);
            }
            continue;
        }
        check_element(w, s, &gs->el[i - 1], v, (unsigned)i, conds, nconds);
    }
    if (gs->nrules)
        check_rules(w, s, gs->rules, gs->nrules, s->el + 1, n, 0, gs->el, gs->nel);
}

/* ---- HL hierarchy ------------------------------------------------------------------- */

static void hl_close(struct walk *w)
{
    const struct edi_glevel *lv = w->hl_level;
    size_t i;

    if (lv == NULL || lv->require == NULL)
        return;
    for (i = 0; i < lv->require->n && i < 64; i++) {
        if (!(w->hl_seen & (1ULL << i))) {
            struct edi_finding *fd = seg_finding(w, w->hl_seg, lv->require->v[i],
                                                 "hl-level-segment-missing", "3");

            edi_finding_msg(fd, "HL %.*s (level %s) has no %s segment, which that level requires",
                            (int)w->hl_seg->el[1].n, w->hl_seg->el[1].p, lv->code,
                            lv->require->v[i]);
        }
    }
    w->hl_level = NULL;
}

static void hl_seen(struct walk *w, struct edi_str id)
{
    const struct edi_glevel *lv = w->hl_level;
    size_t i;

    if (lv == NULL || lv->require == NULL)
        return;
    for (i = 0; i < lv->require->n && i < 64; i++)
        if (edi_str_eq(id, lv->require->v[i]))
            w->hl_seen |= 1ULL << i;
}

static void hl_open(struct walk *w, const struct edi_txseg *s)
{
    const struct edi_guide *g = w->g;
    struct edi_str id = s->n >= 1 ? s->el[1] : EDI_STR_NULL;
    struct edi_str parent = s->n >= 2 ? s->el[2] : EDI_STR_NULL;
    struct edi_str code = s->n >= 3 ? s->el[3] : EDI_STR_NULL;
    const struct edi_glevel *lv = NULL;
    const struct hl *ph = NULL;
    char want[16];
    size_t i;
    struct edi_finding *fd;

    hl_close(w);
    snprintf(want, sizeof(want), "%zu", w->nhl + 1);
    if (id.n && !edi_str_eq(id, want)) {
        fd = el_finding(w, s, NULL, 1, 0, 0, "hl-sequence", "7", id);
        edi_finding_msg(fd, "HL01 '%.*s' must be %s: HL ids count up from 1", (int)id.n, id.p, want);
    }
    if (parent.n) {
        for (i = 0; i < w->nhl; i++)
            if (edi_str_eq(parent, w->hl[i].id))
                ph = &w->hl[i];
        if (ph == NULL) {
            fd = el_finding(w, s, NULL, 2, 0, 0, "hl-parent-unknown", "7", parent);
            edi_finding_msg(fd, "HL02 '%.*s' names no earlier HL", (int)parent.n, parent.p);
        }
    }
    for (i = 0; i < g->nlevels; i++)
        if (edi_str_eq(code, g->levels[i].code))
            lv = &g->levels[i];
    if (code.n && lv == NULL) {
        struct edi_buf b;

        edi_buf_init(&b, 100);
        for (i = 0; i < g->nlevels; i++)
            edi_buf_printf(&b, "%s%s", i ? ", " : "", g->levels[i].code);
        fd = el_finding(w, s, NULL, 3, 0, 0, "hl-level-unknown", CODE(w, "7", "I6"), code);
        edi_finding_msg(fd, "HL03 level '%.*s' is not allowed here (allowed: %s)", (int)code.n,
                        code.p, edi_buf_cstr(&b));
        edi_buf_dispose(&b);
    } else if (lv) {
        int only_top = lv->parents == NULL || lv->parents->n == 0;
        int may_top = only_top || edi_codes_has(lv->parents, edi_str_c("top"));

        if (only_top && parent.n) {
            fd = el_finding(w, s, NULL, 2, 0, 0, "hl-parent-level", "7", parent);
            edi_finding_msg(fd, "HL level %s is the top of the hierarchy: HL02 must be empty", lv->code);
        } else if (!may_top && parent.n == 0) {
            fd = el_finding(w, s, NULL, 2, 0, 0, "hl-parent-missing", "1", parent);
            edi_finding_msg(fd, "HL level %s needs a parent (HL02)", lv->code);
        } else if (!only_top && ph && !edi_codes_has(lv->parents, edi_str_c(ph->level))) {
            fd = el_finding(w, s, NULL, 3, 0, 0, "hl-parent-level", "7", code);
            edi_finding_msg(fd, "HL level %s may not be under level %s (HL %s)", lv->code,
                            ph->level, ph->id);
        }
    }
    if (w->nhl == w->hlcap) {
        w->hlcap = w->hlcap ? w->hlcap * 2 : 32;
        w->hl = edi_xrealloc(w->hl, w->hlcap * sizeof(*w->hl));
    }
    edi_str_copy(w->hl[w->nhl].id, sizeof(w->hl[w->nhl].id), id);
    edi_str_copy(w->hl[w->nhl].level, sizeof(w->hl[w->nhl].level), code);
    w->nhl++;
    w->hl_level = lv;
    w->hl_seg = s;
    w->hl_seen = 0;
}

/* ---- structure walk ------------------------------------------------------------------- */

/* key: edi_seg_key of the id, made once per segment */
static int seg_is(const struct edi_gnode *n, uint32_t key)
{
    return n->seg && n->seg->key == key;
}

/* Zeroed counts for n kids: from the walk's while they fit, as frames
 * come and go in stack order. */
static void counts_of(struct walk *w, struct frame *f, uint32_t n)
{
    if (n <= NCOUNT - w->ncount) {
        f->count = w->counts + w->ncount;
        memset(f->count, 0, n * sizeof(uint32_t));
        w->ncount += n;
        f->heap = 0;
    } else {
        f->count = edi_xcalloc(n, sizeof(uint32_t));
        f->heap = 1;
    }
}

static void counts_free(struct walk *w, struct frame *f, uint32_t n)
{
    if (f->heap)
        free(f->count);
    else
        w->ncount -= n;
    f->count = NULL;
}

static void push(struct walk *w, const struct edi_gnode *loop)
{
    struct frame *f = &w->st[++w->depth];

    f->loop = loop;
    f->cur = 0;
    f->iter = 1;
    counts_of(w, f, loop->nkid);
    f->count[0] = 1;
}

/* Mandatory kids of frame f in [from, to) that never occurred. */
static void missing(struct walk *w, struct frame *f, uint32_t from, uint32_t to,
                    const struct edi_txseg *at)
{
    const uint32_t *next_m = f->loop->next_m;
    uint32_t k;

    if (from > f->loop->nkid)
        return;
    /* the mandatory kids only, from the loop's index */
    for (k = next_m[from]; k < to; k = next_m[k + 1]) {
        const struct edi_gnode *n = &f->loop->kid[k];
        struct edi_finding *fd;

        if (f->count[k])
            continue;
        fd = seg_finding(w, at, n->seg ? n->seg->id : n->id, "segment-missing", "3");
        snprintf(fd->loop_id, sizeof(fd->loop_id), "%s", n->loop ? n->id : loop_of(w));
        edi_finding_msg(fd, "mandatory %s %s%s%s%s is missing before segment %u%s%s",
                        n->loop ? "loop" : "segment", n->seg ? n->seg->id : n->id,
                        n->seg && n->seg->name ? " (" : "",
                        n->seg && n->seg->name ? n->seg->name : "",
                        n->seg && n->seg->name ? ")" : "", at ? at->pos : 0,
                        n->note ? ": " : "", n->note ? n->note : "");
    }
}

static void pop(struct walk *w, const struct edi_txseg *at)
{
    struct frame *f = &w->st[w->depth];

    missing(w, f, f->cur + 1, f->loop->nkid, at);
    if (w->cb && w->cb->leave)
        w->cb->leave(w->cb->ctx, f->loop);
    counts_free(w, f, f->loop->nkid);
    w->depth--;
}

/* Where does a segment with this id fit? Innermost frame first. */
static int locate(const struct walk *w, struct edi_str id, int *d_out, uint32_t *j_out, int *newiter)
{
    uint32_t key = edi_seg_key(id);
    int d;

    for (d = w->depth; d >= 0; d--) {
        const struct frame *f = &w->st[d];
        uint32_t j = f->cur;

        if (d > 0 && j == 0)
            j = 1;
        /* the first kid at or after j with this segment, from the index */
        {
            const struct edi_gfirst *fi = f->loop->first;
            size_t lo = 0, hi = f->loop->nfirst;

            while (lo < hi) {
                size_t mid = (lo + hi) / 2;

                if (fi[mid].key < key)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < f->loop->nfirst && fi[lo].key == key) {
                uint32_t k = fi[lo].kid;

                while (k < j)
                    k = f->loop->next_same[k];
                if (k < f->loop->nkid) {
                    *d_out = d;
                    *j_out = k;
                    *newiter = 0;
                    return 1;
                }
            }
        }
        if (d > 0 && seg_is(f->loop, key)) {
            *d_out = d;
            *j_out = 0;
            *newiter = 1;
            return 1;
        }
    }
    return 0;
}

static int in_tree(const struct edi_gnode *n, uint32_t key)
{
    uint32_t k;

    if (!n->loop)
        return seg_is(n, key);
    for (k = 0; k < n->nkid; k++)
        if (in_tree(&n->kid[k], key))
            return 1;
    return 0;
}

static void stray(struct walk *w, const struct edi_txseg *s)
{
    struct edi_str id = s->el[0];
    char sid[4];
    struct edi_finding *fd;
    int d, earlier = 0;

    edi_str_copy(sid, sizeof(sid), id);
    if (edi_guide_seg(w->g, id) == NULL) {
        fd = seg_finding(w, s, sid, "segment-unknown", "1");
        edi_finding_msg(fd, "segment %u '%.*s' is not a known X12 %s segment", s->pos,
                        (int)(id.n > 8 ? 8 : id.n), id.p, w->g->version);
        return;
    }
    if (!in_tree(&w->g->root, edi_seg_key(id))) {
        fd = seg_finding(w, s, sid, "segment-not-in-set", "6");
        edi_finding_msg(fd, "segment %u %s is not part of transaction set %s in this guide", s->pos,
                        sid, w->g->set);
        return;
    }
    for (d = w->depth; d >= 0 && !earlier; d--) {
        const struct frame *f = &w->st[d];
        uint32_t k;

        for (k = 0; k <= f->cur && k < f->loop->nkid; k++)
            if (in_tree(&f->loop->kid[k], edi_seg_key(id)))
                earlier = 1;
    }
    if (earlier) {
        fd = seg_finding(w, s, sid, "segment-out-of-order", "7");
        edi_finding_msg(fd, "segment %u %s is out of order: it belongs before the segment preceding it%s%s",
                        s->pos, sid, w->depth ? " in loop " : "", w->depth ? loop_of(w) : "");
    } else {
        fd = seg_finding(w, s, sid, "segment-unexpected", "2");
        edi_finding_msg(fd, "segment %u %s is not expected here%s%s", s->pos, sid,
                        w->depth ? " in loop " : "", w->depth ? loop_of(w) : "");
    }
}

static void check_req(struct walk *w, const struct edi_gnode *n, const struct edi_txseg *s)
{
    uint16_t i;

    for (i = 0; i < n->nreq; i++) {
        const struct edi_greq *r = &n->req[i];

        if (r->pos <= s->n && edi_codes_has(r->values, s->el[r->pos]))
            w->req_met[r->index] = 1;
    }
}

static void missing_reqs(struct walk *w, const struct edi_gnode *n, const struct edi_txseg *at)
{
    uint32_t k;
    uint16_t i;

    for (i = 0; i < n->nreq; i++) {
        const struct edi_greq *r = &n->req[i];

        if (!w->req_met[r->index]) {
            struct edi_finding *fd = seg_finding(w, at, n->seg ? n->seg->id : n->id,
                                                 "qualified-segment-missing", "3");
            struct edi_buf b;
            size_t c;

            edi_buf_init(&b, 100);
            for (c = 0; c < r->values->n; c++)
                edi_buf_printf(&b, "%s%s", c ? " or " : "", r->values->v[c]);
            edi_finding_msg(fd, "a %s %s with %s%02u = %s is required%s%s",
                            n->seg ? n->seg->id : n->id, n->loop ? "loop" : "segment",
                            n->seg ? n->seg->id : n->id, r->pos, edi_buf_cstr(&b),
                            r->note ? ": " : "", r->note ? r->note : "");
            edi_buf_dispose(&b);
        }
    }
    if (n->loop)
        for (k = 0; k < n->nkid; k++)
            missing_reqs(w, &n->kid[k], at);
}

static void walk_segment(struct walk *w, const struct edi_txseg *s)
{
    struct edi_str id = s->el[0];
    const struct edi_gnode *n;
    struct frame *f;
    int d, newiter;
    uint32_t j;

    if (!locate(w, id, &d, &j, &newiter)) {
        stray(w, s);
        if (w->cb && w->cb->segment)
            w->cb->segment(w->cb->ctx, s, NULL);
        return;
    }
    while (w->depth > d)
        pop(w, s);
    f = &w->st[w->depth];
    if (newiter) {
        missing(w, f, f->cur + 1, f->loop->nkid, s);
        if (w->cb && w->cb->leave)
            w->cb->leave(w->cb->ctx, f->loop);
        f->iter++;
        memset(f->count, 0, f->loop->nkid * sizeof(uint32_t));
        f->cur = 0;
        f->count[0] = 1;
        n = f->loop;
        if (n->max && f->iter == n->max + 1) {
            struct edi_finding *fd = seg_finding(w, s, n->seg->id, "loop-over-max", "4");

            snprintf(fd->loop_id, sizeof(fd->loop_id), "%s", n->id);
            edi_finding_msg(fd, "loop %s occurs more than %u times%s%s", n->id, n->max,
                            n->note ? ": " : "", n->note ? n->note : "");
        }
        if (w->cb && w->cb->enter)
            w->cb->enter(w->cb->ctx, n);
    } else {
        missing(w, f, f->cur + (f->count[f->cur] ? 1 : 0), j, s);
        f->cur = j;
        f->count[j]++;
        n = &f->loop->kid[j];
        if (n->loop) {
            push(w, n);
            if (w->cb && w->cb->enter)
                w->cb->enter(w->cb->ctx, n);
        } else if (n->max && f->count[j] == n->max + 1) {
            struct edi_finding *fd = seg_finding(w, s, n->seg->id, "segment-over-max", "5");

            edi_finding_msg(fd, "segment %s occurs more than %u times here%s%s", n->seg->id, n->max,
                            n->note ? ": " : "", n->note ? n->note : "");
        }
    }
    if (n->usage == 'N') {
        struct edi_finding *fd = seg_finding(w, s, n->seg->id, n->loop ? "loop-not-used" : "segment-not-used",
                                             CODE(w, "2", "I4"));

        edi_finding_msg(fd, "%s %s is not used in this guide%s%s", n->loop ? "loop" : "segment",
                        n->id, n->note ? ": " : "", n->note ? n->note : "");
    }
    if (n->nreq)
        check_req(w, n, s);
    if (w->cb && w->cb->segment)
        w->cb->segment(w->cb->ctx, s, n);
    if (w->g->nlevels) {
        if (edi_str_eq(id, "HL"))
            hl_open(w, s);
        else
            hl_seen(w, id);
    }
    if (w->elements)
        check_segment(w, s, n->seg);
}

int edi_validate(struct edi_findings *out, const struct edi_guide *g, const struct edi_tx *tx,
                 const struct edi_walk_cb *cb, struct edi_err *err)
{
    struct walk w;
    struct edi_findings scratch;
    uint32_t i;
    const struct edi_txseg *last;

    if (tx->nseg == 0)
        return 0;
    memset(&w, 0, sizeof(w));
    if (out == NULL) {
        edi_findings_init(&scratch, 1);
        out = &scratch;
    }
    w.g = g;
    w.tx = tx;
    w.out = out;
    w.cb = cb;
    w.elements = out != &scratch;
    w.err = err;
    w.req_met = g->nreq < NREQ ? w.req_buf : edi_xcalloc(g->nreq + 1, 1);
    w.st[0].loop = &g->root;
    counts_of(&w, &w.st[0], g->root.nkid + 1);
    w.st[0].count[0] = 1;
    if (w.elements) {
        /* control characters, DEL, bytes of 0x80 and above, the
         * component separator: the rest needs no second look */
        memset(w.bad, 1, 0x20);
        memset(w.bad + 0x7f, 1, 0x81);
        w.bad[(unsigned char)tx->d.comp] = 1;
    }
    if (cb && cb->segment)
        cb->segment(cb->ctx, &tx->seg[0], &g->root.kid[0]);
    if (w.elements)
        check_segment(&w, &tx->seg[0], g->root.kid[0].seg);
    for (i = 1; i < tx->nseg && w.rc == 0; i++) {
        if (w.depth + 1 >= MAX_DEPTH) {
            stray(&w, &tx->seg[i]);
            continue;
        }
        walk_segment(&w, &tx->seg[i]);
    }
    last = &tx->seg[tx->nseg - 1];
    hl_close(&w);
    while (w.depth > 0)
        pop(&w, last);
    /* the SE is reported by the envelope when it is missing */
    missing(&w, &w.st[0], w.st[0].cur + 1, g->root.nkid - (tx->complete ? 0 : 1), last);
    if (g->nreq)
        missing_reqs(&w, &g->root, last);
    counts_free(&w, &w.st[0], g->root.nkid + 1);
    if (w.req_met != w.req_buf)
        free(w.req_met);
    free(w.hl);
    if (out == &scratch)
        edi_findings_dispose(&scratch);
    return w.rc;
}

void edi_codes_sort(struct edi_codes *c, struct edi_pool *pl)
{
    size_t i;

    /* the code files are kept sorted: check before sorting (a start-up
     * reads a dozen lists of hundreds of codes) */
    for (i = 1; i < c->n && strcmp(c->v[i - 1], c->v[i]) <= 0; i++)
        ;
    if (i < c->n)
        qsort(c->v, c->n, sizeof(*c->v), str_cmp);
    c->keys = NULL;
    c->hash = NULL;
    c->hbits = 0;
    for (i = 0; i < c->n && strlen(c->v[i]) <= 7; i++)
        ;
    if (i < c->n || c->n == 0)
        return;
    c->keys = edi_pool_alloc(pl, c->n * sizeof(*c->keys));
    for (i = 0; i < c->n; i++)
        c->keys[i] = code_key(edi_str_c(c->v[i]));
    for (i = 1; i < c->n && c->keys[i - 1] <= c->keys[i]; i++)
        ;
    if (i < c->n)
        qsort(c->keys, c->n, sizeof(*c->keys), key_cmp);
    /* a longer list is looked up in a table of twice its size or more
     * (an empty code would be the empty slot's key: binary search then) */
    if (c->n >= 8 && c->keys[0] != 0) {
        size_t mask;

        for (c->hbits = 4; ((size_t)1 << c->hbits) < 2 * c->n; c->hbits++)
            ;
        mask = ((size_t)1 << c->hbits) - 1;
        c->hash = edi_pool_alloc(pl, ((size_t)1 << c->hbits) * sizeof(*c->hash));
        for (i = 0; i < c->n; i++) {
            size_t h = hash_slot(c->keys[i], c->hbits);

            while (c->hash[h] && c->hash[h] != c->keys[i])
                h = (h + 1) & mask;
            c->hash[h] = c->keys[i];
        }
    }
}
