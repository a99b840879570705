/*
 * readback.c — partners' 997/999 and 864 read back onto the documents we
 * sent (readback.h). Reading a set into plain words is here; the state
 * changes, the invoice that follows an 810 and the documents' history are
 * the store's (store.c); the set was validated against its guide before
 * it gets here (pipeline.c), so a field that is missing is a partner's
 * oddity to log, never a crash.
 */
#include "gateway/flow/readback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LIMIT: the plain-words detail of one set, and a document's text */
#define DETAIL_MAX 4096
#define TEXT_MAX 65536
/* LIMIT: the newest documents an 864's references are looked for in */
#define LOOKUP_MAX 5000

struct code_name {
    const char *code, *name;
};

/* SPEC: X12 element 720 (AK304) and 620 (IK304) */
static const struct code_name SEG_CODES[] = {
    {"1", "unrecognized segment id"},
    {"2", "unexpected segment"},
    {"3", "mandatory segment missing"},
    {"4", "loop occurs over maximum times"},
    {"5", "segment exceeds maximum use"},
    {"6", "segment not in defined transaction set"},
    {"7", "segment not in proper sequence"},
    {"8", "segment has data element errors"},
    {"I4", "implementation \"not used\" segment present"},
    {"I6", "implementation dependent segment missing"},
    {"I7", "implementation loop occurs under minimum times"},
    {"I8", "implementation segment below minimum use"},
    {"I9", "implementation dependent \"not used\" segment present"},
    {NULL, NULL},
};

/* SPEC: X12 element 723 (AK403) and 621 (IK403) */
static const struct code_name ELEM_CODES[] = {
    {"1", "mandatory data element missing"},
    {"2", "conditional required data element missing"},
    {"3", "too many data elements"},
    {"4", "data element too short"},
    {"5", "data element too long"},
    {"6", "invalid character in data element"},
    {"7", "invalid code value"},
    {"8", "invalid date"},
    {"9", "invalid time"},
    {"10", "exclusion condition violated"},
    {"12", "too many repetitions"},
    {"13", "too many components"},
    {"I6", "code value not used in implementation"},
    {"I9", "implementation dependent data element missing"},
    {"I10", "implementation \"not used\" data element present"},
    {"I11", "implementation too few repetitions"},
    {"I12", "implementation pattern match failure"},
    {"I13", "implementation dependent \"not used\" data element present"},
    {NULL, NULL},
};

/* SPEC: X12 element 718 (AK502-AK506) and 618 (IK502-IK506) */
static const struct code_name SET_CODES[] = {
    {"1", "transaction set not supported"},
    {"2", "transaction set trailer missing"},
    {"3", "transaction set control number in header and trailer do not match"},
    {"4", "number of included segments does not match actual count"},
    {"5", "one or more segments in error"},
    {"6", "missing or invalid transaction set identifier"},
    {"7", "missing or invalid transaction set control number"},
    {"18", "transaction set not in functional group"},
    {"19", "invalid transaction set implementation convention reference"},
    {"23", "transaction set control number not unique within the functional group"},
    {"I5", "implementation one or more segments in error"},
    {"I6", "implementation convention not supported"},
    {NULL, NULL},
};

/* SPEC: X12 element 716 (AK905-AK909) */
static const struct code_name GROUP_CODES[] = {
    {"1", "functional group not supported"},
    {"2", "functional group version not supported"},
    {"3", "functional group trailer missing"},
    {"4", "group control number in the functional group header and trailer do not agree"},
    {"5", "number of included transaction sets does not match actual count"},
    {"6", "group control number violates syntax"},
    {"19", "functional group control number not unique within interchange"},
    {NULL, NULL},
};

/* SPEC: X12 element 717 (AK501, IK501) and 715 (AK901) */
static const struct code_name STATUS_CODES[] = {
    {"A", "accepted"},
    {"E", "accepted but errors were noted"},
    {"M", "rejected, message authentication code failed"},
    {"P", "partially accepted, at least one transaction set was rejected"},
    {"R", "rejected"},
    {"W", "rejected, assurance failed validity tests"},
    {"X", "rejected, content after decryption could not be analyzed"},
    {NULL, NULL},
};

/* ---- reading a set into plain words ------------------------------------------------ */

/* Element k of a segment, trimmed; empty when the segment is shorter. */
static struct edi_str el(const struct edi_txseg *s, uint32_t k)
{
    return k <= s->n ? edi_str_trim(s->el[k]) : EDI_STR_NULL;
}

/* Input as text a person reads in a log line: no control bytes. */
static void put_safe(struct edi_buf *b, struct edi_str v)
{
    size_t i;

    for (i = 0; i < v.n; i++) {
        unsigned char ch = (unsigned char)v.p[i];

        edi_buf_putc(b, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
    }
}

static const char *name_of(const struct code_name *t, struct edi_str code)
{
    size_t i;

    for (i = 0; t[i].code; i++)
        if (edi_str_eq(code, t[i].code))
            return t[i].name;
    return NULL;
}

/* "8 segment has data element errors"; an unknown code alone. */
static void put_code(struct edi_buf *b, const struct code_name *t, struct edi_str code)
{
    const char *name = name_of(t, code);

    put_safe(b, code);
    if (name)
        edi_buf_printf(b, " %s", name);
}

static void sep(struct edi_buf *b)
{
    if (b->n)
        edi_buf_puts(b, "; ");
}

/* "AK3 N1 at segment 12 (loop N1): 8 segment has data element errors" */
static void put_seg_note(struct edi_buf *b, const struct edi_txseg *s)
{
    struct edi_str loop = el(s, 3), code = el(s, 4);

    sep(b);
    put_safe(b, s->el[0]);
    edi_buf_putc(b, ' ');
    put_safe(b, el(s, 1));
    edi_buf_puts(b, " at segment ");
    put_safe(b, el(s, 2));
    if (loop.n) {
        edi_buf_puts(b, " (loop ");
        put_safe(b, loop);
        edi_buf_putc(b, ')');
    }
    if (code.n) {
        edi_buf_puts(b, ": ");
        put_code(b, SEG_CODES, code);
    }
}

/* C030 "4>2>1": "element 4 component 2 repetition 1". */
static void put_position(struct edi_buf *b, struct edi_str c030, unsigned char comp)
{
    static const char *const words[] = {"element", "component", "repetition"};
    size_t i, start = 0, k = 0;

    for (i = 0; i <= c030.n && k < 3; i++) {
        struct edi_str part;

        if (i < c030.n && (unsigned char)c030.p[i] != comp)
            continue;
        part.p = c030.p + start;
        part.n = i - start;
        if (part.n) {
            edi_buf_printf(b, "%s%s ", k ? " " : "", words[k]);
            put_safe(b, part);
        }
        k++;
        start = i + 1;
    }
}

/* "AK4 element 4 (ref 67): 7 invalid code value 'XX'" */
static void put_elem_note(struct edi_buf *b, const struct edi_txseg *s, unsigned char comp)
{
    struct edi_str ref = el(s, 2), code = el(s, 3), bad = el(s, 4);

    sep(b);
    put_safe(b, s->el[0]);
    edi_buf_putc(b, ' ');
    put_position(b, el(s, 1), comp);
    if (ref.n) {
        edi_buf_puts(b, " (ref ");
        put_safe(b, ref);
        edi_buf_putc(b, ')');
    }
    if (code.n) {
        edi_buf_puts(b, ": ");
        put_code(b, ELEM_CODES, code);
    }
    if (bad.n) {
        edi_buf_puts(b, " '");
        put_safe(b, bad);
        edi_buf_putc(b, '\'');
    }
}

/* "AK5 R: rejected, 5 one or more segments in error" (AK5, IK5, AK9:
 * the codes from element first on). */
static void put_verdict(struct edi_buf *b, const struct edi_txseg *s, uint32_t first,
                        const struct code_name *codes)
{
    struct edi_str st = el(s, 1);
    const char *name = name_of(STATUS_CODES, st);
    uint32_t k;

    sep(b);
    put_safe(b, s->el[0]);
    edi_buf_putc(b, ' ');
    put_safe(b, st);
    edi_buf_printf(b, ": %s", name ? name : "unknown status");
    for (k = first; k <= s->n; k++) {
        if (el(s, k).n == 0)
            continue;
        edi_buf_puts(b, ", ");
        put_code(b, codes, el(s, k));
    }
}

/* A verdict with nothing to say: accepted, no codes. */
static int plain_accept(const struct edi_txseg *s, uint32_t first)
{
    uint32_t k;

    if (!edi_str_eq(el(s, 1), "A"))
        return 0;
    for (k = first; k <= s->n; k++)
        if (el(s, k).n)
            return 0;
    return 1;
}

static char *take(struct edi_buf *b)
{
    char *r = b->n ? edi_xstrdup(edi_buf_cstr(b)) : NULL;

    edi_buf_reset(b);
    return r;
}

static void fa_add_set(struct gw_fa *fa, size_t *cap, const struct edi_txseg *s)
{
    struct gw_fa_set *x;

    if (fa->nsets == *cap) {
        *cap = *cap ? 2 * *cap : 4;
        fa->sets = edi_xrealloc(fa->sets, *cap * sizeof(*fa->sets));
    }
    x = &fa->sets[fa->nsets++];
    memset(x, 0, sizeof(*x));
    edi_str_copy(x->set_id, sizeof(x->set_id), el(s, 1));
    edi_str_copy(x->control, sizeof(x->control), el(s, 2));
}

static int is_seg(struct edi_str id, const char *a, const char *b)
{
    return edi_str_eq(id, a) || edi_str_eq(id, b);
}

int gw_fa_read(struct gw_fa *fa, const struct edi_tx *tx, struct edi_err *err)
{
    struct edi_buf d;
    struct gw_fa_set *cur = NULL;
    size_t cap = 0;
    uint32_t i;
    int rc = 0;

    memset(fa, 0, sizeof(*fa));
    snprintf(fa->kind, sizeof(fa->kind), "%s", tx->set_id);
    edi_buf_init(&d, DETAIL_MAX);
    for (i = 0; i < tx->nseg; i++) {
        const struct edi_txseg *s = &tx->seg[i];
        struct edi_str id = s->el[0];

        if (edi_str_eq(id, "AK1")) {
            edi_str_copy(fa->func_id, sizeof(fa->func_id), el(s, 1));
            edi_str_copy(fa->group, sizeof(fa->group), el(s, 2));
        } else if (edi_str_eq(id, "AK2")) {
            if (cur)
                cur->detail = take(&d);
            fa_add_set(fa, &cap, s);
            cur = &fa->sets[fa->nsets - 1];
        } else if (cur && is_seg(id, "AK3", "IK3")) {
            put_seg_note(&d, s);
        } else if (cur && is_seg(id, "AK4", "IK4")) {
            put_elem_note(&d, s, tx->d.comp);
        } else if (cur && is_seg(id, "AK5", "IK5")) {
            cur->status = el(s, 1).n ? el(s, 1).p[0] : 0;
            if (!plain_accept(s, 2))
                put_verdict(&d, s, 2, SET_CODES);
        } else if (edi_str_eq(id, "AK9")) {
            if (cur)
                cur->detail = take(&d);
            cur = NULL;
            fa->group_status = el(s, 1).n ? el(s, 1).p[0] : 0;
            if (!plain_accept(s, 5))
                put_verdict(&d, s, 5, GROUP_CODES);
            fa->group_detail = take(&d);
        }
    }
    if (cur)
        cur->detail = take(&d);
    if (fa->group[0] == '\0')
        rc = edi_fail(err, EDI_ESYNTAX, "%s %s has no AK1 group control number", tx->set_id,
                      tx->control);
    edi_buf_dispose(&d);
    return rc;
}

void gw_fa_dispose(struct gw_fa *fa)
{
    size_t i;

    for (i = 0; i < fa->nsets; i++)
        free(fa->sets[i].detail);
    free(fa->sets);
    free(fa->group_detail);
    memset(fa, 0, sizeof(*fa));
}

/* The order references are tried in: the ones naming one document first
 * (invoice, shipment), then the PO, the message's own reference, others. */
static int ref_rank(const char *qual)
{
    static const char *const order[] = {"IV", "SI", "BM", "PO", "MIT"};
    int i;

    for (i = 0; i < 5; i++)
        if (strcmp(qual, order[i]) == 0)
            return i;
    return 5;
}

static void msg_add_ref(struct gw_textmsg *m, size_t *cap, struct edi_str qual, struct edi_str v)
{
    struct gw_msg_ref r;
    size_t k;

    if (v.n == 0)
        return;
    edi_str_copy(r.qual, sizeof(r.qual), qual);
    edi_str_copy(r.value, sizeof(r.value), v);
    if (m->nrefs == *cap) {
        *cap = *cap ? 2 * *cap : 4;
        m->refs = edi_xrealloc(m->refs, *cap * sizeof(*m->refs));
    }
    /* insertion keeps the rank order, and the set's order within a rank */
    for (k = m->nrefs; k > 0 && ref_rank(m->refs[k - 1].qual) > ref_rank(r.qual); k--)
        m->refs[k] = m->refs[k - 1];
    m->refs[k] = r;
    m->nrefs++;
}

static void put_line(struct edi_buf *b, struct edi_str v)
{
    if (v.n == 0)
        return;
    if (b->n)
        edi_buf_putc(b, '\n');
    put_safe(b, v);
}

int gw_textmsg_read(struct gw_textmsg *m, const struct edi_tx *tx, struct edi_err *err)
{
    struct edi_buf text;
    size_t cap = 0;
    uint32_t i;

    memset(m, 0, sizeof(*m));
    edi_buf_init(&text, TEXT_MAX);
    for (i = 0; i < tx->nseg; i++) {
        const struct edi_txseg *s = &tx->seg[i];
        struct edi_str id = s->el[0];

        if (edi_str_eq(id, "MIT")) {
            msg_add_ref(m, &cap, edi_str_c("MIT"), el(s, 1));
            put_line(&text, el(s, 2));
        } else if (edi_str_eq(id, "MSG")) {
            put_line(&text, el(s, 1));
        } else if (edi_str_eq(id, "REF")) {
            msg_add_ref(m, &cap, el(s, 1), el(s, 2));
        }
    }
    m->text = take(&text);
    edi_buf_dispose(&text);
    return 0;
}

void gw_textmsg_dispose(struct gw_textmsg *m)
{
    free(m->text);
    free(m->refs);
    memset(m, 0, sizeof(*m));
}

/* ---- 997 and 999: our documents accepted or rejected ------------------------------- */

struct fa_run {
    struct gw_ctx *c;
    const char *partner;
    const struct gw_fa *fa;
    const char *control;       /* the acknowledgment's own ST02, for the log */
    char group[24];            /* AK102 as we write GS06 */
    struct edi_buf text;       /* the acknowledgment's document text: a line per set */
    int64_t first;             /* the first document matched */
    unsigned matched;
    struct edi_err *err;
};

/* Our GS06 has no leading zeros; a partner may send some. */
static void norm_group(char *out, size_t cap, const char *v)
{
    uint64_t n;

    if (edi_str_to_u64(&n, edi_str_c(v)) == 0)
        snprintf(out, cap, "%llu", (unsigned long long)n);
    else
        snprintf(out, cap, "%s", v);
}

/* Our ST02 is at least four digits (outbound.c). */
static void norm_set(char *out, size_t cap, const char *v)
{
    uint64_t n;

    if (edi_str_to_u64(&n, edi_str_c(v)) == 0)
        snprintf(out, cap, "%04llu", (unsigned long long)n);
    else
        snprintf(out, cap, "%s", v);
}

/* SPEC: X12 GS01 — the functional id each of our kinds goes out under;
 * NULL for a kind this does not know (then AK101 is not checked). */
static const char *func_of(const char *kind)
{
    static const char *const map[][2] = {
        {"855", "PR"}, {"856", "SH"}, {"810", "IN"}, {"846", "IB"}, {"860", "PC"},
    };
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(kind, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* SPEC: X12 AK501/AK901 — A and E accepted; R, M, W, X rejected. */
static const char *state_of(char status)
{
    if (status == 'A' || status == 'E')
        return "accepted";
    if (status == 'R' || status == 'M' || status == 'W' || status == 'X')
        return "rejected";
    return NULL;
}

/* The key a line of an acknowledgment's text starts with for document d. */
static void doc_key(struct edi_buf *b, const struct gw_document *d)
{
    edi_buf_printf(b, "%s %s GS %s ST %s", d->kind ? d->kind : "?", d->ref ? d->ref : "-",
                   d->group_control ? d->group_control : "?", d->set_control ? d->set_control : "?");
}

static void text_line(struct fa_run *r, const struct gw_document *d, const char *what,
                      const char *detail)
{
    if (r->text.n)
        edi_buf_putc(&r->text, '\n');
    doc_key(&r->text, d);
    edi_buf_printf(&r->text, " %s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

/* The partner's verdict on one of our documents. A document already in
 * that state is left as it is: the same acknowledgment read again changes
 * nothing. */
static int apply_doc(struct fa_run *r, const struct gw_document *d, char status, const char *detail)
{
    const char *state = state_of(status);
    const char *ref = d->ref ? d->ref : d->set_control;
    int same, rc = 0;

    r->matched++;
    if (r->first == 0)
        r->first = d->id;
    if (state == NULL) {
        text_line(r, d, "left as it is: unknown status code", NULL);
        gw_log(r->c, "warn", "%s: %s %s group %s: unknown status '%c' for %s %s: left %s", r->partner,
               r->fa->kind, r->control, r->group, status ? status : '?', d->kind, ref, d->state);
        return 0;
    }
    same = d->state && strcmp(d->state, state) == 0;
    text_line(r, d, state, detail);
    if (!same)
        rc = gw_store_set_document_state(r->c->store, d->id, state, detail, r->c->now, r->err);
    if (rc == 0 && strcmp(state, "rejected") == 0)
        gw_log(r->c, "warn", "%s: %s %s rejected by the partner's %s %s%s: %s", r->partner, d->kind,
               ref, r->fa->kind, r->control, same ? " (again)" : "", detail ? detail : "no detail");
    else if (rc == 0)
        gw_log(r->c, "info", "%s: %s %s accepted by the partner's %s %s%s%s%s", r->partner, d->kind,
               ref, r->fa->kind, r->control, same ? " (again)" : "", detail ? ": " : "",
               detail ? detail : "");
    return rc;
}

/* AK101 must name the group we sent. */
static int func_fits(struct fa_run *r, const struct gw_document *d)
{
    const char *want = func_of(d->kind ? d->kind : "");

    if (want == NULL || r->fa->func_id[0] == '\0' || strcmp(want, r->fa->func_id) == 0)
        return 1;
    text_line(r, d, "left as it is: AK1 names another functional group", NULL);
    gw_log(r->c, "warn", "%s: %s %s: AK1 says %s group %s, but our group %s was %s (%s): not applied",
           r->partner, r->fa->kind, r->control, r->fa->func_id, r->group, r->group, want, d->kind);
    return 0;
}

/* One AK2 loop: the set it names, in the group. */
static int apply_set(struct fa_run *r, const struct gw_fa_set *s)
{
    struct gw_document *v = NULL;
    char ctl[24];
    size_t n = 0, k, used = 0;
    int rc;

    norm_set(ctl, sizeof(ctl), s->control);
    if ((rc = gw_store_outbound_by_group(&v, &n, r->c->store, r->partner, r->group, ctl, r->err)) < 0)
        return rc;
    for (k = 0; k < n && rc == 0; k++) {
        if (s->set_id[0] && strcmp(v[k].kind, s->set_id) != 0) {
            gw_log(r->c, "warn", "%s: %s %s: AK2 names %s %s in group %s, but we sent a %s there: not applied",
                   r->partner, r->fa->kind, r->control, s->set_id, s->control, r->group, v[k].kind);
            continue;
        }
        if (!func_fits(r, &v[k]))
            continue;
        used++;
        rc = apply_doc(r, &v[k], s->status, s->detail);
    }
    if (rc == 0 && used == 0) {
        if (r->text.n)
            edi_buf_putc(&r->text, '\n');
        edi_buf_printf(&r->text, "%s - GS %s ST %s: nothing we sent matches", s->set_id, r->group, ctl);
        gw_log(r->c, "warn", "%s: %s %s names set %s %s of group %s, which matches nothing we sent",
               r->partner, r->fa->kind, r->control, s->set_id, s->control, r->group);
    }
    gw_documents_free(v, n);
    return rc;
}

/* Named by an AK2 of this acknowledgment. */
static int listed(const struct gw_fa *fa, const char *set_control)
{
    char ctl[24];
    size_t i;

    for (i = 0; i < fa->nsets; i++) {
        norm_set(ctl, sizeof(ctl), fa->sets[i].control);
        if (set_control && strcmp(ctl, set_control) == 0)
            return 1;
    }
    return 0;
}

/* SPEC: X12 997 — without an AK2 for a set, the AK9 verdict on the group
 * is the verdict on the set. P (partially accepted) says some set was
 * rejected without saying which: such a set is left as it is. */
static int apply_group(struct fa_run *r)
{
    struct gw_document *v = NULL;
    size_t n = 0, k;
    int rc;

    if (r->fa->group_status == 0)
        return 0;
    if ((rc = gw_store_outbound_by_group(&v, &n, r->c->store, r->partner, r->group, NULL, r->err)) < 0)
        return rc;
    for (k = 0; k < n && rc == 0; k++) {
        if (listed(r->fa, v[k].set_control) || !func_fits(r, &v[k]))
            continue;
        if (r->fa->group_status == 'P') {
            r->matched++;
            if (r->first == 0)
                r->first = v[k].id;
            text_line(r, &v[k], "left as it is: AK9 P names no set", NULL);
            gw_log(r->c, "warn", "%s: %s %s: group %s partially accepted without an AK2 for %s %s: left %s",
                   r->partner, r->fa->kind, r->control, r->group, v[k].kind,
                   v[k].ref ? v[k].ref : v[k].set_control, v[k].state);
            continue;
        }
        rc = apply_doc(r, &v[k], r->fa->group_status, r->fa->group_detail);
    }
    gw_documents_free(v, n);
    return rc;
}

static int read_fa(struct gw_ctx *c, const char *partner, int64_t doc_id, const struct edi_tx *tx,
                   struct edi_err *err)
{
    struct gw_fa fa;
    struct fa_run r;
    struct edi_err e;
    size_t i;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.c = c;
    r.partner = partner;
    r.fa = &fa;
    r.control = tx->control;
    r.err = err;
    edi_buf_init(&r.text, TEXT_MAX);
    if (gw_fa_read(&fa, tx, &e) < 0) {
        gw_log(c, "warn", "%s: %s: kept, not applied", partner, e.msg);
        goto out;
    }
    norm_group(r.group, sizeof(r.group), fa.group);
    for (i = 0; i < fa.nsets && rc == 0; i++)
        rc = apply_set(&r, &fa.sets[i]);
    if (rc == 0)
        rc = apply_group(&r);
    if (rc < 0)
        goto out;
    if (r.matched == 0) {
        if (r.text.n)
            edi_buf_putc(&r.text, '\n');
        edi_buf_printf(&r.text, "group %s: nothing we sent matches", r.group);
        gw_log(c, "warn", "%s: %s %s acknowledges group %s (%s), which matches nothing we sent: kept",
               partner, fa.kind, tx->control, fa.group, fa.func_id[0] ? fa.func_id : "?");
    }
    rc = gw_store_document_about(c->store, doc_id, r.first, edi_buf_cstr(&r.text), err);
out:
    gw_fa_dispose(&fa);
    edi_buf_dispose(&r.text);
    return rc;
}

/* ---- 864: a text message about one of our documents -------------------------------- */

/* The kind a reference qualifier usually names (what we send with that ref). */
static const char *kind_for(const char *qual)
{
    if (strcmp(qual, "IV") == 0)
        return "810";
    if (strcmp(qual, "SI") == 0 || strcmp(qual, "BM") == 0)
        return "856";
    if (strcmp(qual, "PO") == 0)
        return "855";
    return NULL;
}

static int is_readback(const char *kind)
{
    return kind && (strcmp(kind, "997") == 0 || strcmp(kind, "999") == 0 ||
                    strcmp(kind, "864") == 0);
}

/* The document the first reference that names one is about: the kind the
 * qualifier names first, what we sent before what we received, the newest
 * first. -1 when none. */
static long find_ref(const struct gw_document *v, size_t n, const struct gw_msg_ref *ref, int64_t self)
{
    const char *want = kind_for(ref->qual);
    long best = -1;
    int best_score = -1;
    size_t k;

    for (k = 0; k < n; k++) {
        int score;

        if (v[k].id == self || v[k].ref == NULL || strcmp(v[k].ref, ref->value) != 0 ||
            is_readback(v[k].kind))
            continue;
        score = (want && v[k].kind && strcmp(v[k].kind, want) == 0 ? 2 : 0) +
                (v[k].direction && strcmp(v[k].direction, "in") != 0);
        if (score > best_score) {
            best = (long)k;
            best_score = score;
        }
    }
    return best;
}

static void first_line(char *out, size_t cap, const char *text)
{
    size_t n = text ? strcspn(text, "\n") : 0;

    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), text ? text : "");
}

static int read_864(struct gw_ctx *c, const char *partner, int64_t doc_id, const struct edi_tx *tx,
                    struct edi_err *err)
{
    struct gw_textmsg m;
    struct gw_document *v = NULL;
    size_t n = 0, i;
    long hit = -1;
    char line[120];
    int rc;

    if ((rc = gw_textmsg_read(&m, tx, err)) < 0)
        goto out;
    if (m.nrefs &&
        (rc = gw_store_documents(&v, &n, c->store, partner, NULL, NULL, 0, LOOKUP_MAX, err)) < 0)
        goto out;
    for (i = 0; i < m.nrefs && hit < 0; i++)
        hit = find_ref(v, n, &m.refs[i], doc_id);
    if ((rc = gw_store_document_about(c->store, doc_id, hit >= 0 ? v[hit].id : 0, m.text, err)) < 0)
        goto out;
    first_line(line, sizeof(line), m.text);
    if (hit >= 0)
        gw_log(c, "info", "%s: 864 %s about %s %s (%s): %s", partner, tx->control, v[hit].kind,
               v[hit].ref, v[hit].state, line);
    else
        gw_log(c, "info", "%s: 864 %s about %s%s%s, which matches nothing we know: kept: %s", partner,
               tx->control, m.nrefs ? m.refs[0].qual : "no reference", m.nrefs ? " " : "",
               m.nrefs ? m.refs[0].value : "", line);
out:
    gw_documents_free(v, n);
    gw_textmsg_dispose(&m);
    return rc;
}

/* ---- entry points ------------------------------------------------------------------ */

int gw_readback_set(struct gw_ctx *c, const char *partner, int64_t doc_id, const struct edi_tx *tx,
                    struct edi_err *err)
{
    if (strcmp(tx->set_id, "997") == 0 || strcmp(tx->set_id, "999") == 0)
        return read_fa(c, partner, doc_id, tx, err);
    if (strcmp(tx->set_id, "864") == 0)
        return read_864(c, partner, doc_id, tx, err);
    return 0;
}

/* The line of text that starts with key and a space, after it. */
static char *line_after(const char *text, const char *key)
{
    size_t kn = strlen(key);
    const char *p = text;

    while (p && *p) {
        size_t ln = strcspn(p, "\n");

        if (ln > kn && strncmp(p, key, kn) == 0 && p[kn] == ' ')
            return edi_xstrndup(p + kn + 1, ln - kn - 1);
        p = p[ln] ? p + ln + 1 : NULL;
    }
    return NULL;
}

int gw_readback_why(char **out, struct gw_store *s, const struct gw_document *d,
                    struct edi_err *err)
{
    struct gw_document *v = NULL;
    struct edi_buf key;
    size_t n = 0, k;
    int rc;

    *out = NULL;
    /* LIMIT: the newest 50 documents about d */
    if ((rc = gw_store_documents(&v, &n, s, d->partner, NULL, NULL, d->id, 50, err)) < 0)
        return rc;
    edi_buf_init(&key, 0);
    doc_key(&key, d);
    for (k = 0; k < n && *out == NULL; k++)
        if (v[k].id != d->id && v[k].text && v[k].kind &&
            (strcmp(v[k].kind, "997") == 0 || strcmp(v[k].kind, "999") == 0))
            *out = line_after(v[k].text, edi_buf_cstr(&key));
    edi_buf_dispose(&key);
    gw_documents_free(v, n);
    return 0;
}
