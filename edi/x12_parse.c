/*
 * x12_parse.c — X12 envelopes: ISA/IEA, GS/GE, ST/SE. Checks control numbers
 * and counts, collects each transaction set into an arena and hands it to
 * the handler, and turns every envelope problem into a finding with the
 * TA1 / AK9 / AK5 code it deserves.
 *
 * Validation of the set's contents against a guide is in guide.c.
 */
#include "edi/x12.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_OUT, ST_ISA, ST_GS, ST_TX };

/* ---- findings ------------------------------------------------------------ */

void edi_findings_init(struct edi_findings *f, size_t max)
{
    memset(f, 0, sizeof(*f));
    f->max = max ? max : 1000;
}

void edi_findings_dispose(struct edi_findings *f)
{
    free(f->v);
    memset(f, 0, sizeof(*f));
}

void edi_findings_reset(struct edi_findings *f)
{
    f->n = 0;
    f->dropped = 0;
}

struct edi_finding *edi_findings_add(struct edi_findings *f, const char *code,
                                     enum edi_level level)
{
    static struct edi_finding scratch;
    struct edi_finding *fd;

    if (f->n >= f->max) {
        f->dropped++;
        fd = &scratch;
    } else {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 8;
            f->v = edi_xrealloc(f->v, f->cap * sizeof(*f->v));
        }
        fd = &f->v[f->n++];
    }
    memset(fd, 0, sizeof(*fd));
    fd->code = code;
    fd->level = level;
    return fd;
}

void edi_finding_msg(struct edi_finding *fd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(fd->msg, sizeof(fd->msg), fmt, ap);
    va_end(ap);
}

void edi_finding_value(struct edi_finding *fd, struct edi_str v)
{
    edi_str_copy(fd->value, sizeof(fd->value), v);
}

size_t edi_findings_errors(const struct edi_findings *f)
{
    size_t i, n = 0;

    for (i = 0; i < f->n; i++)
        n += f->v[i].severity == EDI_SEV_ERROR;
    return n + f->dropped;
}

static void at_seg(struct edi_finding *fd, const struct edi_seg *s)
{
    if (s == NULL)
        return;   /* the caller places it at the end of the input */
    edi_str_copy(fd->seg_id, sizeof(fd->seg_id), s->el[0]);
    fd->offset = s->offset;
    fd->seg_index = s->index;
}

/* ---- transaction-set arena ------------------------------------------------- */

static void tx_reset(struct edi_tx *tx)
{
    tx->set_id[0] = tx->control[0] = tx->impl[0] = '\0';
    tx->nseg = 0;
    tx->complete = 0;
    tx->mem_n = 0;
    tx->els_n = 0;
    edi_findings_reset(&tx->findings);
}

static void tx_dispose(struct edi_tx *tx)
{
    free(tx->seg);
    free(tx->mem);
    free(tx->els);
    edi_findings_dispose(&tx->findings);
    memset(tx, 0, sizeof(*tx));
}

/* Appends a segment; element slices are stored as offsets into tx->mem and
 * become pointers in tx_seal, since mem may move while the set grows. */
static int tx_add(struct edi_x12_parser *p, const struct edi_seg *s)
{
    struct edi_tx *tx = &p->tx;
    struct edi_txseg *ts;
    size_t i;

    if (p->tx_overflow)
        return 0;
    /* LIMIT: a set larger than max_tx_bytes / max_tx_segments is rejected */
    if (tx->nseg >= p->lim.max_tx_segments || tx->mem_n + s->raw.n > p->lim.max_tx_bytes) {
        struct edi_finding *fd = edi_findings_add(&tx->findings, "set-too-large", EDI_LV_SET);

        at_seg(fd, s);
        fd->seg_pos = tx->nseg + 1;
        strcpy(fd->set_code, "5");
        edi_finding_msg(fd, "transaction set %s is larger than the limit (%zu segments, %zu bytes); the rest is not kept",
                        tx->control, p->lim.max_tx_segments, p->lim.max_tx_bytes);
        p->tx_overflow = 1;
        return 0;
    }
    if (tx->nseg == tx->seg_cap) {
        tx->seg_cap = tx->seg_cap ? tx->seg_cap * 2 : 64;
        tx->seg = edi_xrealloc(tx->seg, tx->seg_cap * sizeof(*tx->seg));
    }
    if (tx->mem_cap - tx->mem_n < s->raw.n + 1) {
        while (tx->mem_cap - tx->mem_n < s->raw.n + 1)
            tx->mem_cap = tx->mem_cap ? tx->mem_cap * 2 : 8192;
        tx->mem = edi_xrealloc(tx->mem, tx->mem_cap);
    }
    if (tx->els_cap - tx->els_n < s->n + 1) {
        while (tx->els_cap - tx->els_n < s->n + 1)
            tx->els_cap = tx->els_cap ? tx->els_cap * 2 : 512;
        tx->els = edi_xrealloc(tx->els, tx->els_cap * sizeof(*tx->els));
    }
    ts = &tx->seg[tx->nseg++];
    ts->n = (uint32_t)s->n;
    ts->pos = tx->nseg;
    ts->offset = s->offset;
    ts->index = s->index;
    ts->el = (struct edi_str *)(uintptr_t)tx->els_n;   /* an index until sealed */
    memcpy(tx->mem + tx->mem_n, s->raw.p, s->raw.n);
    for (i = 0; i <= s->n; i++) {
        tx->els[tx->els_n + i].p = (const char *)(uintptr_t)(tx->mem_n + (size_t)(s->el[i].p - s->raw.p));
        tx->els[tx->els_n + i].n = s->el[i].n;
    }
    tx->els_n += s->n + 1;
    tx->mem_n += s->raw.n;
    return 0;
}

static void tx_seal(struct edi_tx *tx)
{
    uint32_t i;
    size_t k;

    for (k = 0; k < tx->els_n; k++)
        tx->els[k].p = tx->mem + (uintptr_t)tx->els[k].p;
    for (i = 0; i < tx->nseg; i++)
        tx->seg[i].el = tx->els + (uintptr_t)tx->seg[i].el;
}

/* ---- parser ------------------------------------------------------------------ */

void edi_x12_parser_init(struct edi_x12_parser *p, const struct edi_limits *lim,
                         const struct edi_x12_handler *h)
{
    memset(p, 0, sizeof(*p));
    if (lim)
        p->lim = *lim;
    else
        edi_limits_default(&p->lim);
    edi_tok_init(&p->tok, &p->lim);
    if (h)
        p->h = *h;
    edi_findings_init(&p->ichg_f, p->lim.max_findings);
    edi_findings_init(&p->group_f, p->lim.max_findings);
    edi_findings_init(&p->stream_f, p->lim.max_findings);
    edi_findings_init(&p->tx.findings, p->lim.max_findings);
}

/* ST02s of the current group, as 64-bit hashes in an open-addressed table:
 * duplicate detection in constant time per set. */
static uint64_t hash_str(struct edi_str v)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    size_t i;

    for (i = 0; i < v.n; i++)
        h = (h ^ (unsigned char)v.p[i]) * 1099511628211ULL;
    return h | 1;   /* 0 marks an empty slot */
}

static void seen_clear(struct edi_x12_parser *p)
{
    if (p->seen_st && p->nseen_st)
        memset(p->seen_st, 0, p->seen_cap * sizeof(*p->seen_st));
    p->nseen_st = 0;
}

/* Returns 1 when v was seen before in this group, else records it. */
static int seen_add(struct edi_x12_parser *p, struct edi_str v)
{
    uint64_t h = hash_str(v);
    size_t i, mask;

    /* LIMIT: duplicate detection covers the first 2^20 sets of a group */
    if (p->nseen_st >= (1u << 20))
        return 0;
    if (2 * (p->nseen_st + 1) > p->seen_cap) {
        size_t cap = p->seen_cap ? p->seen_cap * 2 : 1024, k;
        uint64_t *old = p->seen_st, *nt = edi_xcalloc(cap, sizeof(*nt));

        for (k = 0; k < p->seen_cap; k++) {
            if (old[k] == 0)
                continue;
            for (i = old[k] & (cap - 1); nt[i]; i = (i + 1) & (cap - 1))
                ;
            nt[i] = old[k];
        }
        free(old);
        p->seen_st = nt;
        p->seen_cap = cap;
    }
    mask = p->seen_cap - 1;
    for (i = h & mask; p->seen_st[i]; i = (i + 1) & mask)
        if (p->seen_st[i] == h)
            return 1;
    p->seen_st[i] = h;
    p->nseen_st++;
    return 0;
}

void edi_x12_parser_dispose(struct edi_x12_parser *p)
{
    seen_clear(p);
    free(p->seen_st);
    edi_tok_dispose(&p->tok);
    tx_dispose(&p->tx);
    edi_findings_dispose(&p->ichg_f);
    edi_findings_dispose(&p->group_f);
    edi_findings_dispose(&p->stream_f);
    memset(p, 0, sizeof(*p));
}

static struct edi_str el(const struct edi_seg *s, size_t i)
{
    return i <= s->n ? s->el[i] : EDI_STR_NULL;
}

static int all_digits(struct edi_str v)
{
    size_t i;

    for (i = 0; i < v.n; i++)
        if (!isdigit((unsigned char)v.p[i]))
            return 0;
    return v.n > 0;
}

static struct edi_finding *ichg_finding(struct edi_x12_parser *p, const char *code,
                                        const char *ta1, const struct edi_seg *s)
{
    struct edi_finding *fd = edi_findings_add(&p->ichg_f, code, EDI_LV_INTERCHANGE);

    snprintf(fd->ta1_code, sizeof(fd->ta1_code), "%s", ta1);
    at_seg(fd, s);
    return fd;
}

static struct edi_finding *group_finding(struct edi_x12_parser *p, const char *code,
                                         const char *ak905, const struct edi_seg *s)
{
    struct edi_finding *fd = edi_findings_add(&p->group_f, code, EDI_LV_GROUP);

    snprintf(fd->group_code, sizeof(fd->group_code), "%s", ak905);
    at_seg(fd, s);
    return fd;
}

static struct edi_finding *set_finding(struct edi_x12_parser *p, const char *code,
                                       const char *ak502, const struct edi_seg *s)
{
    struct edi_finding *fd = edi_findings_add(&p->tx.findings, code, EDI_LV_SET);

    snprintf(fd->set_code, sizeof(fd->set_code), "%s", ak502);
    at_seg(fd, s);
    fd->seg_pos = p->tx.nseg + (s != NULL);
    return fd;
}

static void copy_trim(char *dst, size_t cap, struct edi_str v)
{
    edi_str_copy(dst, cap, edi_str_trim(v));
}

/* SPEC: X12.5 ISA field checks, each with its TA105 note code. */
static void check_isa(struct edi_x12_parser *p, const struct edi_seg *s)
{
    struct edi_ichg *ic = &p->ichg;
    struct edi_str v;

    if (p->tok.isa_bad) {
        static const char *codes[16] = {"010", "011", "012", "013", "005", "006", "007", "008",
                                        "014", "015", "016", "017", "018", "019", "020", "027"};
        struct edi_finding *fd = ichg_finding(p, "isa-malformed", codes[p->tok.isa_bad - 1], s);

        fd->el_pos = (uint16_t)p->tok.isa_bad;
        edi_finding_msg(fd, "%s", p->tok.isa_problem);
        ic->rejected = 1;
    }
    if (s->n < 16) {
        struct edi_finding *fd = ichg_finding(p, "isa-malformed", "022", s);

        edi_finding_msg(fd, "ISA has %zu elements, must have 16", s->n);
        ic->rejected = 1;
        return;
    }
    v = el(s, 9);
    if (!all_digits(v) || v.n != 6 ||
        (v.p[2] - '0') * 10 + (v.p[3] - '0') < 1 || (v.p[2] - '0') * 10 + (v.p[3] - '0') > 12 ||
        (v.p[4] - '0') * 10 + (v.p[5] - '0') < 1 || (v.p[4] - '0') * 10 + (v.p[5] - '0') > 31) {
        struct edi_finding *fd = ichg_finding(p, "isa-date", "014", s);

        fd->el_pos = 9;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ISA09 '%.*s' is not a date YYMMDD", (int)v.n, v.p);
        ic->rejected = 1;
    }
    v = el(s, 10);
    if (!all_digits(v) || v.n != 4 || (v.p[0] - '0') * 10 + (v.p[1] - '0') > 23 ||
        (v.p[2] - '0') * 10 + (v.p[3] - '0') > 59) {
        struct edi_finding *fd = ichg_finding(p, "isa-time", "015", s);

        fd->el_pos = 10;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ISA10 '%.*s' is not a time HHMM", (int)v.n, v.p);
        ic->rejected = 1;
    }
    v = el(s, 12);
    if (!all_digits(v) || v.n != 5 || memcmp(v.p, "00200", 5) < 0 || memcmp(v.p, "00801", 5) > 0) {
        struct edi_finding *fd = ichg_finding(p, "isa-version", "017", s);

        fd->el_pos = 12;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ISA12 '%.*s' is not a supported interchange version", (int)v.n, v.p);
        ic->rejected = 1;
    }
    v = el(s, 13);
    if (!all_digits(v) || v.n != 9) {
        struct edi_finding *fd = ichg_finding(p, "isa-control", "018", s);

        fd->el_pos = 13;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ISA13 '%.*s' is not a 9-digit control number", (int)v.n, v.p);
        ic->rejected = 1;
    }
    v = el(s, 14);
    if (!edi_str_eq(v, "0") && !edi_str_eq(v, "1")) {
        struct edi_finding *fd = ichg_finding(p, "isa-ack-requested", "019", s);

        fd->el_pos = 14;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ISA14 '%.*s' must be 0 or 1", (int)v.n, v.p);
        ic->rejected = 1;
    }
    v = el(s, 15);
    if (!edi_str_eq(v, "P") && !edi_str_eq(v, "T") && !edi_str_eq(v, "I")) {
        struct edi_finding *fd = ichg_finding(p, "isa-usage", "020", s);

        fd->el_pos = 15;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ISA15 '%.*s' must be P (production), T (test) or I", (int)v.n, v.p);
        ic->rejected = 1;
    }
}

static int begin_ichg(struct edi_x12_parser *p, const struct edi_seg *s)
{
    struct edi_ichg *ic = &p->ichg;

    memset(ic, 0, sizeof(*ic));
    edi_findings_reset(&p->ichg_f);
    copy_trim(ic->auth_qual, sizeof(ic->auth_qual), el(s, 1));
    copy_trim(ic->auth, sizeof(ic->auth), el(s, 2));
    copy_trim(ic->sec_qual, sizeof(ic->sec_qual), el(s, 3));
    copy_trim(ic->sec, sizeof(ic->sec), el(s, 4));
    copy_trim(ic->sender_qual, sizeof(ic->sender_qual), el(s, 5));
    copy_trim(ic->sender, sizeof(ic->sender), el(s, 6));
    copy_trim(ic->receiver_qual, sizeof(ic->receiver_qual), el(s, 7));
    copy_trim(ic->receiver, sizeof(ic->receiver), el(s, 8));
    copy_trim(ic->date, sizeof(ic->date), el(s, 9));
    copy_trim(ic->time, sizeof(ic->time), el(s, 10));
    copy_trim(ic->standards, sizeof(ic->standards), el(s, 11));
    copy_trim(ic->version, sizeof(ic->version), el(s, 12));
    copy_trim(ic->control, sizeof(ic->control), el(s, 13));
    copy_trim(ic->ack_requested, sizeof(ic->ack_requested), el(s, 14));
    copy_trim(ic->usage, sizeof(ic->usage), el(s, 15));
    ic->d = p->tok.d;
    ic->offset = s->offset;
    check_isa(p, s);
    p->state = ST_ISA;
    p->nichg++;
    return p->h.ichg_begin ? p->h.ichg_begin(p->h.ctx, ic) : 0;
}

static int end_ichg(struct edi_x12_parser *p, const struct edi_seg *iea)
{
    struct edi_ichg *ic = &p->ichg;
    int rc;

    if (iea == NULL) {
        struct edi_finding *fd = ichg_finding(p, "iea-missing", "023", NULL);

        fd->offset = p->tok.base + p->tok.pos;
        edi_finding_msg(fd, "interchange %s has no IEA trailer", ic->control);
    } else {
        uint64_t n;
        struct edi_str v = el(iea, 1);

        if (edi_str_to_u64(&n, v) < 0 || n != ic->ngroups) {
            struct edi_finding *fd = ichg_finding(p, "iea-count", "021", iea);

            fd->el_pos = 1;
            edi_finding_value(fd, v);
            edi_finding_msg(fd, "IEA01 says %.*s groups, interchange %s has %u",
                            (int)v.n, v.p, ic->control, ic->ngroups);
        }
        v = edi_str_trim(el(iea, 2));
        if (!edi_str_eq(v, ic->control)) {
            struct edi_finding *fd = ichg_finding(p, "iea-control", "001", iea);

            fd->el_pos = 2;
            edi_finding_value(fd, v);
            edi_finding_msg(fd, "IEA02 %.*s does not match ISA13 %s", (int)v.n, v.p, ic->control);
        }
    }
    p->state = ST_OUT;
    rc = p->h.ichg_end ? p->h.ichg_end(p->h.ctx, ic, &p->ichg_f) : 0;
    edi_findings_reset(&p->ichg_f);
    return rc;
}

static int begin_group(struct edi_x12_parser *p, const struct edi_seg *s)
{
    struct edi_group *g = &p->group;
    struct edi_str v;

    memset(g, 0, sizeof(*g));
    edi_findings_reset(&p->group_f);
    seen_clear(p);
    copy_trim(g->func_id, sizeof(g->func_id), el(s, 1));
    copy_trim(g->sender, sizeof(g->sender), el(s, 2));
    copy_trim(g->receiver, sizeof(g->receiver), el(s, 3));
    copy_trim(g->date, sizeof(g->date), el(s, 4));
    copy_trim(g->time, sizeof(g->time), el(s, 5));
    copy_trim(g->control, sizeof(g->control), el(s, 6));
    copy_trim(g->agency, sizeof(g->agency), el(s, 7));
    copy_trim(g->version, sizeof(g->version), el(s, 8));
    g->offset = s->offset;
    p->ichg.ngroups++;
    p->state = ST_GS;
    v = el(s, 6);
    if (!all_digits(v) || v.n > 9) {
        struct edi_finding *fd = group_finding(p, "gs-control", "6", s);

        fd->el_pos = 6;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "GS06 '%.*s' is not a control number of 1 to 9 digits", (int)v.n, v.p);
    }
    v = el(s, 8);
    if (v.n < 6 || !all_digits((struct edi_str){v.p, 6})) {
        struct edi_finding *fd = group_finding(p, "gs-version", "2", s);

        fd->el_pos = 8;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "GS08 '%.*s' is not an X12 version such as 004010", (int)v.n, v.p);
    }
    return p->h.group_begin ? p->h.group_begin(p->h.ctx, g) : 0;
}

static int end_group(struct edi_x12_parser *p, const struct edi_seg *ge)
{
    struct edi_group *g = &p->group;
    int rc;

    if (ge == NULL) {
        struct edi_finding *fd = group_finding(p, "ge-missing", "3", NULL);

        fd->offset = p->tok.base + p->tok.pos;
        edi_finding_msg(fd, "group %s has no GE trailer", g->control);
    } else {
        uint64_t n;
        struct edi_str v = el(ge, 1);

        if (edi_str_to_u64(&n, v) < 0 || n != g->nsets) {
            struct edi_finding *fd = group_finding(p, "ge-count", "5", ge);

            fd->el_pos = 1;
            edi_finding_value(fd, v);
            edi_finding_msg(fd, "GE01 says %.*s transaction sets, group %s has %u",
                            (int)v.n, v.p, g->control, g->nsets);
        }
        v = el(ge, 2);
        if (!edi_str_eq(v, g->control)) {
            struct edi_finding *fd = group_finding(p, "ge-control", "4", ge);

            fd->el_pos = 2;
            edi_finding_value(fd, v);
            edi_finding_msg(fd, "GE02 %.*s does not match GS06 %s", (int)v.n, v.p, g->control);
        }
    }
    p->state = ST_ISA;
    rc = p->h.group_end ? p->h.group_end(p->h.ctx, g, &p->group_f) : 0;
    edi_findings_reset(&p->group_f);
    return rc;
}

static int begin_tx(struct edi_x12_parser *p, const struct edi_seg *s)
{
    struct edi_tx *tx = &p->tx;
    struct edi_str v = el(s, 2);

    tx_reset(tx);
    p->tx_overflow = 0;
    edi_str_copy(tx->set_id, sizeof(tx->set_id), el(s, 1));
    edi_str_copy(tx->control, sizeof(tx->control), v);
    edi_str_copy(tx->impl, sizeof(tx->impl), el(s, 3));
    tx->d = p->tok.d;
    tx->ichg = &p->ichg;
    tx->group = &p->group;
    p->group.nsets++;
    p->state = ST_TX;
    tx_add(p, s);
    if (v.n < 4 || v.n > 9) {
        struct edi_finding *fd = set_finding(p, "st-control", "7", s);

        fd->seg_pos = 1;
        fd->el_pos = 2;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ST02 '%.*s' must be 4 to 9 characters", (int)v.n, v.p);
    }
    if (seen_add(p, v)) {
        struct edi_finding *fd = set_finding(p, "st-control-duplicate", "23", s);

        fd->seg_pos = 1;
        fd->el_pos = 2;
        edi_finding_value(fd, v);
        edi_finding_msg(fd, "ST02 %.*s is used twice in group %s", (int)v.n, v.p, p->group.control);
    }
    return 0;
}

static int end_tx(struct edi_x12_parser *p, const struct edi_seg *se)
{
    struct edi_tx *tx = &p->tx;

    if (se == NULL) {
        struct edi_finding *fd = set_finding(p, "se-missing", "2", NULL);

        fd->offset = p->tok.base + p->tok.pos;
        fd->seg_pos = tx->nseg;
        edi_finding_msg(fd, "transaction set %s %s has no SE trailer", tx->set_id, tx->control);
    } else {
        uint64_t n;
        struct edi_str v = el(se, 1);

        tx_add(p, se);
        tx->complete = 1;
        /* a set cut short by the size limit was counted only as far as it was kept */
        if (!p->tx_overflow && (edi_str_to_u64(&n, v) < 0 || n != tx->nseg + 0ULL)) {
            struct edi_finding *fd = set_finding(p, "se-count", "4", se);

            fd->seg_pos = tx->nseg;
            fd->el_pos = 1;
            edi_finding_value(fd, v);
            edi_finding_msg(fd, "SE01 says %.*s segments, transaction set %s has %u",
                            (int)v.n, v.p, tx->control, tx->nseg);
        }
        v = el(se, 2);
        if (!edi_str_eq(v, tx->control)) {
            struct edi_finding *fd = set_finding(p, "se-control", "3", se);

            fd->seg_pos = tx->nseg;
            fd->el_pos = 2;
            edi_finding_value(fd, v);
            edi_finding_msg(fd, "SE02 %.*s does not match ST02 %s", (int)v.n, v.p, tx->control);
        }
    }
    p->state = ST_GS;
    tx_seal(tx);
    return p->h.tx ? p->h.tx(p->h.ctx, tx) : 0;
}

static struct edi_finding *stray(struct edi_x12_parser *p, const char *code, const struct edi_seg *s)
{
    struct edi_finding *fd;

    if (p->state == ST_OUT) {
        fd = edi_findings_add(&p->stream_f, code, EDI_LV_INTERCHANGE);
        strcpy(fd->ta1_code, "022");
    } else {
        fd = ichg_finding(p, code, "024", s);
    }
    at_seg(fd, s);
    return fd;
}

static int on_segment(struct edi_x12_parser *p, const struct edi_seg *s)
{
    struct edi_str id = s->el[0];
    int rc = 0;

    for (;;) {
        switch (p->state) {
        case ST_OUT:
            if (edi_str_eq(id, "ISA"))
                return begin_ichg(p, s);
            edi_finding_msg(stray(p, "outside-interchange", s),
                            "segment %.*s at byte %llu is outside an interchange (no ISA before it)",
                            (int)id.n, id.p, (unsigned long long)s->offset);
            return 0;
        case ST_ISA:
            if (edi_str_eq(id, "GS"))
                return begin_group(p, s);
            if (edi_str_eq(id, "IEA"))
                return end_ichg(p, s);
            if (edi_str_eq(id, "ISA")) {
                if ((rc = end_ichg(p, NULL)) < 0)
                    return rc;
                continue;
            }
            /* SPEC: X12.5 TA1 segments stand between ISA and the first GS */
            if (edi_str_eq(id, "TA1") && p->ichg.ngroups == 0)
                return 0;
            edi_finding_msg(stray(p, "outside-group", s),
                            "segment %.*s at byte %llu is outside a functional group (no GS before it)",
                            (int)id.n, id.p, (unsigned long long)s->offset);
            return 0;
        case ST_GS:
            if (edi_str_eq(id, "ST"))
                return begin_tx(p, s);
            if (edi_str_eq(id, "GE"))
                return end_group(p, s);
            if (edi_str_eq(id, "GS") || edi_str_eq(id, "IEA") || edi_str_eq(id, "ISA")) {
                if ((rc = end_group(p, NULL)) < 0)
                    return rc;
                continue;
            }
            {
                struct edi_finding *fd = group_finding(p, "outside-set", "", s);

                fd->severity = EDI_SEV_ERROR;
                edi_finding_msg(fd, "segment %.*s at byte %llu is outside a transaction set (no ST before it)",
                                (int)id.n, id.p, (unsigned long long)s->offset);
            }
            return 0;
        case ST_TX:
            if (edi_str_eq(id, "SE"))
                return end_tx(p, s);
            if (edi_str_eq(id, "ST") || edi_str_eq(id, "GE") || edi_str_eq(id, "GS") ||
                edi_str_eq(id, "IEA") || edi_str_eq(id, "ISA")) {
                if ((rc = end_tx(p, NULL)) < 0)
                    return rc;
                continue;
            }
            return tx_add(p, s);
        }
        return EDI_ERR;
    }
}

static void tok_error(struct edi_x12_parser *p, const struct edi_err *e)
{
    struct edi_finding *fd;

    if (p->state == ST_TX) {
        fd = set_finding(p, e->rc == EDI_ELIMIT ? "segment-too-long" : "syntax", "2", NULL);
        fd->seg_pos = p->tx.nseg + 1;
    } else if (p->state == ST_OUT) {
        fd = edi_findings_add(&p->stream_f, "not-x12", EDI_LV_INTERCHANGE);
        strcpy(fd->ta1_code, "022");
    } else {
        fd = ichg_finding(p, "syntax", "022", NULL);
    }
    fd->offset = e->offset;
    edi_finding_msg(fd, "%s", e->msg);
}

static int drain(struct edi_x12_parser *p, struct edi_err *err)
{
    struct edi_seg s;
    struct edi_err e;
    int rc;

    e.offset = 0;
    for (;;) {
        e.rc = 0;
        rc = edi_tok_next(&s, &p->tok, &e);
        if (rc == EDI_EMORE || rc == EDI_DONE)
            return 0;
        if (rc < 0) {
            tok_error(p, &e);
            continue;
        }
        if (p->h.segment && (rc = p->h.segment(p->h.ctx, &s,
                                               p->state == ST_TX ? 3 : (int)p->state)) < 0)
            return edi_fail(err, rc, "stopped by handler");
        if ((rc = on_segment(p, &s)) < 0) {
            p->stopped = 1;
            return edi_fail(err, rc, "stopped by handler");
        }
    }
}

int edi_x12_parser_feed(struct edi_x12_parser *p, const char *data, size_t n,
                        struct edi_err *err)
{
    if (p->stopped)
        return EDI_ERR;
    edi_tok_feed(&p->tok, data, n);
    return drain(p, err);
}

int edi_x12_parser_finish(struct edi_x12_parser *p, struct edi_err *err)
{
    int rc;

    if (p->stopped)
        return EDI_ERR;
    edi_tok_finish(&p->tok);
    if ((rc = drain(p, err)) < 0)
        return rc;
    if (p->state == ST_TX && (rc = end_tx(p, NULL)) < 0)
        return rc;
    if (p->state == ST_GS && (rc = end_group(p, NULL)) < 0)
        return rc;
    if (p->state == ST_ISA && (rc = end_ichg(p, NULL)) < 0)
        return rc;
    if (p->nichg == 0 && p->stream_f.n == 0) {
        struct edi_finding *fd = edi_findings_add(&p->stream_f, "empty", EDI_LV_INTERCHANGE);

        strcpy(fd->ta1_code, "023");
        edi_finding_msg(fd, "the input holds no interchange (%llu bytes)",
                        (unsigned long long)(p->tok.base + p->tok.len));
    }
    return 0;
}

int edi_x12_parse_mem(struct edi_x12_parser *p, const char *data, size_t n, struct edi_err *err)
{
    int rc;

    if (p->stopped)
        return EDI_ERR;
    edi_tok_borrow(&p->tok, data, n);
    if ((rc = drain(p, err)) < 0)
        return rc;
    return edi_x12_parser_finish(p, err);
}

int edi_x12_parse_file(struct edi_x12_parser *p, const char *path, struct edi_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    int rc = 0;

    if (f == NULL) {
        rc = edi_fail(err, EDI_EIO, "cannot open %s: %s", path, strerror(errno));
        if (err)
            err->sys = errno;
        return rc;
    }
    for (;;) {
        size_t avail, got;
        char *dst = edi_tok_space(&p->tok, 1u << 18, &avail);

        got = fread(dst, 1, avail, f);
        if (got == 0)
            break;
        edi_tok_commit(&p->tok, got);
        if ((rc = drain(p, err)) < 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = edi_fail(err, EDI_EIO, "cannot read %s: %s", path, strerror(errno));
    if (f != stdin)
        fclose(f);
    if (rc == 0)
        rc = edi_x12_parser_finish(p, err);
    return rc;
}
