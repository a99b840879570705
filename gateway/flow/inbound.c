/*
 * inbound.c — the inbound flow (inbound.h). A partner's transport lands
 * each message in the store; here one received message is one store
 * transaction: its interchanges and documents, the acknowledgment queued
 * in the outbox with control numbers from the store, the sales orders it
 * creates or changes and its verdict either all land or none do; the
 * transport is told the verdict only after.
 *
 * Order states and the store are store/; what the maps do is mappings/;
 * what a partner's 997/999/864 does to the documents we sent, readback.c;
 * what the ERP is sent, erp/.
 */
#include "gateway/flow/inbound.h"
#include "edi/text.h"

#include "gateway/docs/canon.h"
#include "gateway/docs/cdoc.h"
#include "gateway/docs/mapdoc.h"
#include "gateway/erp/erp.h"
#include "gateway/flow/ack.h"
#include "gateway/flow/invoice.h"
#include "gateway/flow/mappool.h"
#include "gateway/flow/readback.h"
#include "gateway/transport/transport.h"

#include "edi/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>

/* ---- one message -------------------------------------------------------------------------- */

struct pending_map {
    size_t index;          /* the set's place in the file */
    int64_t doc_id;
    uint64_t ichg;         /* its interchange's offset: dropped if that is refused */
};

/* A rejected set kept for quarantine/ when the file's work is done. */
struct kept_set {
    char *base, *reason;
    struct edi_buf text;
};

struct file_run {
    struct gw_ctx *c;
    const struct gw_partner *p;
    const struct gw_transport_type *tt;
    struct gw_transport *t;   /* keeps refused sets */
    struct gw_stats *st;
    const char *name;      /* the message's name (its file's) */
    struct edi_err *err;
    int rc;                /* sticky: the first store error */
    int64_t raw_id, ichg_id;
    char ichg_control[16];
    char **dups;           /* interchange control numbers seen before */
    size_t ndups;
    int ichg_dup;
    size_t index;
    struct edi_buf findings;  /* the current set's, one per line */
    struct pending_map *maps;
    size_t nmaps, cap;
    unsigned accepted, rejected;
    struct edi_buf foreign;   /* why interchanges were refused (their ids), for .reason */
    int spapi;             /* an SP-API order (JSON), not X12 */
    struct kept_set *kept; /* rejected sets, quarantined just before the commit */
    size_t nkept, capkept;
    size_t stored;         /* orders stored (order_store) */
};

static int store_ctl(void *ctx, char kind, uint64_t *out)
{
    struct file_run *f = ctx;

    return gw_store_next_control(out, f->c->store, f->p->id, kind, f->err);
}

static const char *guide_for(void *ctx, const struct edi_group *g, const struct edi_tx *tx)
{
    struct file_run *f = ctx;
    char version[7];
    const struct gw_guide_ref *ref;

    snprintf(version, sizeof(version), "%.6s", g->version);
    ref = gw_partner_guide(f->p, tx->set_id, version);
    return ref ? ref->name : NULL;
}

static void on_finding(void *ctx, const struct edi_finding *fd, const struct edi_where *w)
{
    struct file_run *f = ctx;

    if (w->tx == NULL && w->ichg && strncmp(fd->code, "unexpected-", 11) == 0) {
        /* an interchange not from the partner to us: nothing of it is
         * kept (its orders included, from groups before a wrong GS) and
         * the file goes to quarantine/ with the ids found and expected */
        size_t i, k = 0;

        if (f->foreign.n == 0)
            edi_buf_printf(&f->foreign, "%s: refused: not an interchange from partner %s (%s/%s) to us (%s/%s)\n",
                           f->name, f->p->id, f->p->isa_qualifier, f->p->isa_id,
                           f->c->cfg->vendor_isa_qualifier, f->c->cfg->vendor_isa_id);
        edi_buf_printf(&f->foreign, "interchange %s from %s/%s to %s/%s: %s [%s, TA105 %s]\n",
                       w->ichg->control, w->ichg->sender_qual, w->ichg->sender,
                       w->ichg->receiver_qual, w->ichg->receiver, fd->msg, fd->code, fd->ta1_code);
        for (i = 0; i < f->nmaps; i++)
            if (f->maps[i].ichg != w->ichg->offset)
                f->maps[k++] = f->maps[i];
        f->nmaps = k;
    }
    if (w->tx == NULL) {
        /* envelope and stream findings go to the log */
        gw_log(f->c, "warn", "%s %s: %s [%s]", f->p->id, f->name, fd->msg, fd->code);
        return;
    }
    edi_buf_printf(&f->findings, "segment %u: %s [%s]\n", fd->seg_pos, fd->msg, fd->code);
}

/* The set's text, for quarantine: its segments with the delimiters it came with. */
static void set_text(struct edi_buf *b, const struct edi_tx *tx)
{
    uint32_t i, k;

    for (i = 0; i < tx->nseg; i++) {
        for (k = 0; k <= tx->seg[i].n; k++) {
            if (k)
                edi_buf_putc(b, (char)tx->d.elem);
            edi_buf_putstr(b, tx->seg[i].el[k]);
        }
        edi_buf_putc(b, (char)tx->d.seg);
        edi_buf_putc(b, '\n');
    }
}

/* A rejected set is quarantined when its file's work is done, just before
 * the commit (keep_sets): a file whose work fails, or is run again set by
 * set after a bulk transaction was lost (process_raw), keeps nothing twice. */
static void quarantine_set(struct file_run *f, const struct edi_tx *tx, const char *reason)
{
    struct kept_set *k;
    char base[600];

    if (f->nkept == f->capkept) {
        f->capkept = f->capkept ? f->capkept * 2 : 8;
        f->kept = edi_xrealloc(f->kept, f->capkept * sizeof(*f->kept));
    }
    k = &f->kept[f->nkept++];
    snprintf(base, sizeof(base), "%.500s.%s-%s.edi", f->name, tx->set_id, tx->control);
    k->base = edi_xstrdup(base);
    k->reason = edi_xstrdup(reason);
    edi_buf_init(&k->text, 0);
    set_text(&k->text, tx);
}

static void keep_sets(struct file_run *f)
{
    size_t i;

    for (i = 0; i < f->nkept; i++) {
        struct kept_set *k = &f->kept[i];

        if (f->tt != NULL)
            f->tt->keep(f->t, k->base, k->text.p, k->text.n, k->reason);
        else
            gw_transport_keep_local(f->c, f->p, k->base, k->text.p, k->text.n, k->reason);
        f->st->quarantined++;
    }
}

static void kept_free(struct file_run *f)
{
    size_t i;

    for (i = 0; i < f->nkept; i++) {
        free(f->kept[i].base);
        free(f->kept[i].reason);
        edi_buf_dispose(&f->kept[i].text);
    }
    free(f->kept);
}

static const char *ref_of(const struct edi_tx *tx)
{
    static char ref[32];
    uint32_t i;

    ref[0] = '\0';
    for (i = 0; i < tx->nseg; i++) {
        struct edi_str id = tx->seg[i].el[0];

        if ((edi_str_eq(id, "BEG") || edi_str_eq(id, "BAK") || edi_str_eq(id, "BSN")) &&
            tx->seg[i].n >= 3) {
            edi_str_copy(ref, sizeof(ref), tx->seg[i].el[edi_str_eq(id, "BSN") ? 2 : 3]);
            break;
        }
    }
    return ref[0] ? ref : NULL;
}

static int on_set(void *ctx, const struct edi_tx *tx, const struct edi_findings *val,
                  const struct edi_where *w, char status)
{
    struct file_run *f = ctx;
    size_t i;
    int64_t doc;
    const char *state = status == 'A' ? "accepted" : "rejected";

    (void)val;
    f->index++;
    f->st->sets++;
    if (f->rc < 0)
        return 0;
    if (w->ichg && w->ichg->foreign) {
        /* not recorded: a stranger's control number must not make the
         * partner's own interchange a duplicate; the file is quarantined */
        f->rejected++;
        f->st->rejected++;
        edi_buf_reset(&f->findings);
        return 0;
    }
    if (w->ichg && strcmp(w->ichg->control, f->ichg_control) != 0) {
        snprintf(f->ichg_control, sizeof(f->ichg_control), "%s", w->ichg->control);
        f->ichg_dup = 0;
        for (i = 0; i < f->ndups; i++)
            if (strcmp(f->dups[i], w->ichg->control) == 0)
                f->ichg_dup = 1;
        if (!f->ichg_dup &&
            (f->rc = gw_store_add_interchange(&f->ichg_id, f->c->store, f->raw_id, f->p->id, "in",
                                              w->ichg->control, w->ichg->sender,
                                              w->ichg->receiver, "received", f->c->now, f->err)) < 0)
            return 0;
    }
    if (f->ichg_dup) {
        edi_buf_reset(&f->findings);
        return 0;
    }
    f->rc = gw_store_add_document(&doc, f->c->store, f->ichg_id, f->p->id, "in", tx->set_id,
                                  w->group ? w->group->control : NULL, tx->control, ref_of(tx),
                                  state, f->findings.n ? edi_buf_cstr(&f->findings) : NULL,
                                  f->c->now, f->err);
    if (status == 'A') {
        f->accepted++;
        f->st->accepted++;
        /* a partner's 997/999/864 about what we sent */
        if (f->rc == 0)
            f->rc = gw_readback_set(f->c, f->p->id, doc, tx, f->err);
        if (strcmp(tx->set_id, "850") == 0) {
            if (f->nmaps == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 8;
                f->maps = edi_xrealloc(f->maps, f->cap * sizeof(*f->maps));
            }
            f->maps[f->nmaps].index = f->index;
            f->maps[f->nmaps].doc_id = doc;
            f->maps[f->nmaps].ichg = w->ichg ? w->ichg->offset : 0;
            f->nmaps++;
        }
    } else {
        f->rejected++;
        f->st->rejected++;
        quarantine_set(f, tx, f->findings.n ? edi_buf_cstr(&f->findings) : "rejected\n");
        gw_log(f->c, "warn", "%s %s: set %s %s rejected: %s", f->p->id, f->name, tx->set_id,
               tx->control, f->findings.n ? edi_buf_cstr(&f->findings) : "");
    }
    edi_buf_reset(&f->findings);
    return 0;
}

/* Interchange control numbers in the file that the store has seen. */
static int find_duplicates(struct file_run *f, const char *data, size_t n)
{
    struct edi_tok t;
    struct edi_seg s;
    int rc, total = 0;

    edi_tok_init(&t, NULL);
    edi_tok_borrow(&t, data, n);
    while ((rc = edi_tok_next(&s, &t, NULL)) != EDI_DONE) {
        char control[16];
        int seen = 0;

        if (rc < 0 || !edi_str_eq(s.el[0], "ISA") || s.n < 13)
            continue;
        total++;
        edi_str_copy(control, sizeof(control), edi_str_trim(s.el[13]));
        if ((rc = gw_store_interchange_seen(&seen, f->c->store, f->p->id, "in", control, f->err)) < 0) {
            edi_tok_dispose(&t);
            return rc;
        }
        if (seen) {
            f->dups = edi_xrealloc(f->dups, (f->ndups + 1) * sizeof(*f->dups));
            f->dups[f->ndups++] = edi_xstrdup(control);
        }
    }
    edi_tok_dispose(&t);
    return total;
}

/* ---- orders ------------------------------------------------------------------------------ */



/* Seconds on the monotonic clock, and this thread's CPU seconds: the
 * stage split of WHARF_STAGES (gw_stats). */
static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A thread's CPU clock is a system call, not the vDSO: read once per PO
 * (no workers) or per batch only when WHARF_STAGES=1 asks for the split
 * (decided on the flow's thread before any worker reads it); else 0. */
static int stages_timed = -1;

static int timed(void)
{
    if (stages_timed < 0) {
        const char *v = getenv("WHARF_STAGES");

        stages_timed = v != NULL && strcmp(v, "1") == 0;
    }
    return stages_timed;
}

static double thread_cpu_s(void)
{
    struct timespec ts;

    if (stages_timed <= 0)
        return 0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A copy of v, NULL when it is absent or empty. */
static char *text_or_null(const char *v)
{
    return v && *v ? edi_xstrdup(v) : NULL;
}

/* A sales order from a canonical <order> into o (zeroed, the caller's, freed
 * with gw_order_free whatever this returns); NULL fields when absent. The
 * order as read goes to *read (the caller's, gw_corder_free), for the ERP
 * CSV rows, which would read it again. */
static int order_from(struct gw_order *o, struct gw_corder **read, const struct gw_cdoc *doc,
                      const char *partner, struct edi_err *err)
{
    struct gw_corder *co = NULL;
    size_t i;
    int rc;

    o->partner = edi_xstrdup(partner);
    if ((rc = gw_cdoc_order(&co, doc, err)) < 0)
        return rc;
    o->program = text_or_null(co->program);
    o->po_number = text_or_null(co->po_number);
    if (o->program == NULL || o->po_number == NULL) {
        gw_corder_free(co);
        return edi_fail(err, EDI_ESYNTAX, "the canonical order has no program or PO number");
    }
    o->canonical = gw_cdoc_text(doc, NULL);
    o->nlines = co->nlines;
    o->lines = edi_xcalloc(o->nlines + 1, sizeof(*o->lines));
    for (i = 0; i < co->nlines; i++) {
        const struct gw_corder_line *l = &co->lines[i];
        struct gw_order_line *ol = &o->lines[i];
        const char *q = l->nids ? gw_cid_attr(&l->ids[0], "qualifier") : NULL;
        const char *v = l->nids ? l->ids[0].value : NULL;
        size_t len = (q ? strlen(q) : 0) + (v ? strlen(v) : 0) + 2;

        ol->line_no = *l->line_no ? l->no : (int)i + 1;
        /* whole: a cut product id could be another product's */
        ol->product_id = edi_xmalloc(len);
        snprintf(ol->product_id, len, "%s:%s", q ? q : "", v ? v : "");
        ol->description = text_or_null(l->description);
        ol->quantity = text_or_null(l->ordered.text);
        ol->unit = text_or_null(l->ordered.unit);
        ol->unit_cost = text_or_null(l->unit_cost);
        /* SPEC: RULES.md — a changed RP line with quantity 0 is cancelled */
        ol->state = edi_xstrdup(ol->quantity && strspn(ol->quantity, "0.") == strlen(ol->quantity)
                                    ? "cancelled"
                                    : "open");
    }
    *read = co;
    return 0;
}

/* The map's part of one accepted 850 (or SP-API order): what the store
 * part (order_store) needs, made without the store, the log or anything
 * of the file's but its partner's configuration (read only), so that a
 * map worker (mappool.h) can make it while the flow stores earlier sets. */
struct order_map {
    const struct gw_partner *p;
    const char *map;       /* the order-in map's name, for a worker's engine */
    time_t now;
    /* a worker's job: the set as parsed (the flow's thread's copy), its
     * EDI-XML made, mapped and freed by the worker: on one thread, since a
     * document made on one thread and read, then freed, on another cost
     * more than its map; what a thread allocates, it frees */
    struct edi_tx_copy *tx;
    enum edi_text_in text;
    int64_t doc_id;
    int rc;                /* 0, EDI_ESYNTAX: the map refused it (fds), else failed (err) */
    struct edi_findings fds;
    struct edi_err err;
    struct gw_cdoc *out;   /* the canonical order */
    struct gw_order *o;    /* read from it */
    const struct gw_config *cfg;   /* a worker's job: the ERP JSON made ahead too */
    struct gw_erp_pre erp;
};

static void order_map(struct order_map *om, struct map_engine *e, const struct map_info *m,
                      const struct gw_cdoc *in)
{
    struct map_run_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.partner = om->p->id;
    opts.params = om->p->params;
    opts.nparams = om->p->nparams;
    opts.now = om->now;
    edi_findings_init(&om->fds, 50);
    om->rc = gw_cdoc_map(&om->out, e, m, in, &opts, &om->fds, &om->err);
    if (om->rc < 0)
        return;
    om->o = edi_xcalloc(1, sizeof(*om->o));
    om->rc = order_from(om->o, &om->erp.co, om->out, om->p->id, &om->err);
}

/* A worker's job: the map as the worker's engine knows it (m, found once
 * a batch: the look-up asks the file system for the partner's own copy;
 * NULL: not found, found_rc and found_err say why). */
static void order_map_job(struct order_map *om, struct map_engine *e, const struct map_info *m, int found_rc,
                          const struct edi_err *found_err)
{
    struct gw_cdoc *in = NULL;

    edi_err_clear(&om->err);
    /* the copy is the flow's thread's to free (store_oldest); the document
     * made from it lives only here */
    if ((om->rc = gw_x12_set_doc(&in, om->tx, map_engine_guides(e), om->text, &om->err)) < 0) {
        edi_findings_init(&om->fds, 50);
        return;
    }
    if (m == NULL) {
        om->rc = found_rc;
        om->err = *found_err;
        edi_findings_init(&om->fds, 50);
        gw_cdoc_free(in);
        return;
    }
    order_map(om, e, m, in);
    /* the ERP JSON and CSV rows too, for the state a new order gets (what
     * order_store gives it); an order that gets another state has them
     * made again there, from the order's text */
    if (om->rc == 0)
        gw_erp_pre_make(&om->erp, e, om->cfg, om->now, om->o,
                        om->p->ack_mode == GW_ACK_MANUAL ? GW_ORDER_PENDING : GW_ORDER_APPROVED, om->out);
    gw_cdoc_free(in);
    /* the trees are freed now, while they are in this core's cache, not
     * when the slot comes round again: the flow needs only the text */
    gw_cdoc_free(om->out);
    om->out = NULL;
    gw_corder_free(om->erp.co);
    om->erp.co = NULL;
}

/* What the map made of a set (the findings, the canonical order, the
 * order read from it, the ERP records made ahead): freed by the thread
 * that made it, the map worker's (batch_job), or this one's when the set
 * was mapped here. */
static void order_map_dispose_out(struct order_map *om)
{
    edi_findings_dispose(&om->fds);
    gw_cdoc_free(om->out);
    om->out = NULL;
    gw_order_free(om->o);
    om->o = NULL;
    gw_erp_pre_dispose(&om->erp);
    om->rc = 0;
    edi_err_clear(&om->err);
}

static void order_map_dispose(struct order_map *om)
{
    order_map_dispose_out(om);
    gw_x12_set_copy_free(om->tx);
    memset(om, 0, sizeof(*om));
}

/* Orders stored between two gw_store_writeback calls: about 4 MB of the
 * store's log. */
#define GW_WRITEBACK_ORDERS 256

/* The store's part of one accepted 850, on the flow's thread in the
 * file's order: the refused PO stays a rejected document, the canonical
 * order becomes or updates a sales order. om keeps what it holds (its
 * maker frees it). */
static int order_store(struct file_run *f, const struct map_info *m, struct order_map *om)
{
    struct gw_cdoc *out = om->out;
    struct gw_order *o = om->o, *old = NULL;
    int64_t doc_id = om->doc_id;
    int created, rc = om->rc;

    if (rc == EDI_ESYNTAX && o == NULL) {
        /* the map refused the PO: it stays a rejected document */
        struct edi_buf why;
        size_t k;

        edi_buf_init(&why, 0);
        for (k = 0; k < om->fds.n; k++)
            edi_buf_printf(&why, "%s [%s]\n", om->fds.v[k].msg, om->fds.v[k].code);
        rc = gw_store_set_document_state(f->c->store, doc_id, "rejected",
                                         edi_buf_cstr(&why), f->c->now, f->err);
        gw_log(f->c, "warn", "%s %s: the PO was refused by %s: %s", f->p->id, f->name,
               m->name, edi_buf_cstr(&why));
        edi_buf_dispose(&why);
        return rc;
    }
    if (rc < 0 ||
        ((rc = gw_store_get_order(&old, f->c->store, o->partner, o->program, o->po_number,
                                  f->err)) < 0 && rc != EDI_ENOTFOUND)) {
        if (om->rc < 0)
            *f->err = om->err;
        return rc;
    }
    if (old && f->spapi && old->canonical && o->canonical && strcmp(old->canonical, o->canonical) == 0) {
        /* SPEC: issue 14 — the same SP-API order pulled again (an
         * overlapping window, the back-fill, a state Amazon changed) is
         * not a second order and not a change */
        rc = gw_store_set_document_state(f->c->store, doc_id, "duplicate", "the same order was received before",
                                         f->c->now, f->err);
        f->st->duplicates++;
    } else if (old && f->spapi && strcmp(o->program, "DF") == 0) {
        /* a DF order is never changed by Amazon: what differs is kept on
         * the document, the order stays as it was */
        char why[300];

        snprintf(why, sizeof(why), "order %s pulled again with other contents (%s): the first is kept",
                 o->po_number, f->name);
        rc = gw_store_set_document_state(f->c->store, doc_id, "duplicate", why, f->c->now, f->err);
        gw_log(f->c, "warn", "%s: %s", f->p->id, why);
    } else if (old && strcmp(o->program, "DF") == 0) {
        /* SPEC: RULES.md — a repeated DF Ship ID is rejected (ack code 04),
         * never a second sales order */
        char why[300];

        snprintf(why, sizeof(why), "duplicate Ship ID %s received again in %s: ack code 04",
                 o->po_number, f->name);
        rc = gw_store_set_document_state(f->c->store, doc_id, "duplicate-ship-id",
                                         why, f->c->now, f->err);
        if (rc == 0)
            rc = gw_store_set_order_state(f->c->store, old->id, old->state, why, f->c->now,
                                          f->err);
        f->st->duplicate_ship_ids++;
        gw_log(f->c, "warn", "%s: %s", f->p->id, why);
        /* SPEC: RULES.md 855 DF — a repeated Ship ID is answered with code 04 */
        if (rc == 0) {
            struct gw_decision d;
            struct edi_findings v;

            memset(&d, 0, sizeof(d));
            d.actor = "auto";
            d.df_code = "04";
            d.reject_all = 1;
            d.reason = "duplicate-ship-id";
            d.duplicate_of = o->canonical;
            edi_findings_init(&v, 20);
            rc = gw_ack_decide(f->c, old, &d, &v, f->err);
            if (rc == EDI_ESYNTAX) {
                gw_log(f->c, "warn", "%s %s: no 04 acknowledgment: %s", f->p->id, o->po_number,
                       v.n ? v.v[0].msg : "");
                rc = 0;
            }
            edi_findings_dispose(&v);
        }
    } else {
        char why[300];

        free(o->state);
        if (old) {
            size_t k, open = 0;

            for (k = 0; k < o->nlines; k++)
                open += strcmp(o->lines[k].state, "cancelled") != 0;
            o->state = edi_xstrdup(open ? old->state : GW_ORDER_CANCELLED);
            snprintf(why, sizeof(why), "PO changed by %s", f->name);
        } else {
            o->state = edi_xstrdup(f->p->ack_mode == GW_ACK_MANUAL ? GW_ORDER_PENDING
                                                                  : GW_ORDER_APPROVED);
            snprintf(why, sizeof(why), "received in %s", f->name);
        }
        rc = gw_store_upsert_order(&o->id, &created, f->c->store, o, why, f->c->now, f->err);
        if (rc == 0) {
            if (created)
                f->st->orders_created++;
            else
                f->st->orders_updated++;
            gw_log(f->c, "info", "%s: order %s %s (%s)", f->p->id, o->po_number,
                   created ? "created" : "updated", o->state);
            rc = gw_erp_order_pre(f->c, o, out, &om->erp, f->err);
        }
        /* an auto-acknowledging partner's new order is approved; the ack
         * run finds it in the store and decides it (ack.c: auto_decide) */
    }
    gw_order_free(old);
    /* SPEC: issue 18 — what the file's transaction has written so far
     * started on its way to disk, so that its commit syncs little */
    if (rc == 0 && ++f->stored % GW_WRITEBACK_ORDERS == 0)
        gw_store_writeback(f->c->store);
    return rc;
}

/* One accepted 850 (its EDI-XML document) or SP-API order, mapped and
 * stored here. */
static int order_one(struct file_run *f, const struct map_info *m, const struct gw_cdoc *in, int64_t doc_id)
{
    struct order_map om;
    int rc;

    double t0 = thread_cpu_s(), t1;

    memset(&om, 0, sizeof(om));
    om.p = f->p;
    om.now = f->c->now;
    om.doc_id = doc_id;
    order_map(&om, f->c->maps, m, in);
    t1 = now_s();
    f->st->t_map_cpu += thread_cpu_s() - t0;
    rc = order_store(f, m, &om);
    f->st->t_store += now_s() - t1;
    order_map_dispose(&om);
    return rc;
}

/* SPEC: issue 18 — the 850s of a file are mapped by the map workers
 * (<inbound workers>) while this thread stores them: set i is handed to
 * the pool, and when GW_MAP_WINDOW sets are out, the oldest is waited for
 * and stored first; at the file's end the rest, in order. The window does
 * not depend on the number of workers, so the store, the log and the ERP
 * records get the same calls in the same order as with none (workers 0:
 * each set mapped and stored before the next is read). Memory: the file
 * and at most GW_MAP_WINDOW sets' documents and orders.
 *
 * Sets go to the workers GW_MAP_BATCH at a time, batch b to worker b:
 * each hand-over wakes a worker and may put this thread to sleep until a
 * batch is done, and a block freed by another thread than its maker costs
 * more than mapping a small PO's worth of it (one set a job, its results
 * freed here: one worker took 87 % more CPU than none for 10,000 POs). So
 * a set's slot is freed by the worker that maps the next set of that slot,
 * GW_MAP_BATCHES batches later: the same worker when GW_MAP_BATCHES is a
 * multiple of the number of workers (1, 2, 4, 8), another one otherwise
 * (slower, the same result). What this thread gives a set (the set's
 * copy) it frees itself. A window of 32 and batches of 4 took 6 % less CPU
 * than 64 and 8 (results freed sooner are still in the cache) for the same
 * wall time. */
#define GW_MAP_BATCH 4
#define GW_MAP_BATCHES (GW_MAP_WINDOW / GW_MAP_BATCH)

struct stream;

struct batch {
    struct gw_map_job job;
    struct stream *s;
    size_t first, n;       /* sets first .. first + n - 1 */
    double cpu;            /* the worker's CPU seconds on it */
};

struct stream {
    struct file_run *f;
    const struct map_info *m;
    const char *map;
    size_t index, next;
    int rc;
    struct gw_map_pool *pool;              /* NULL: each set mapped here */
    struct order_map win[GW_MAP_WINDOW];   /* set k in win[k % GW_MAP_WINDOW] */
    struct batch batches[GW_MAP_BATCHES];  /* set k in batch k / GW_MAP_BATCH */
    size_t sent, submitted, stored;
};

/* A worker's job: the batch's sets, in order, each slot's last results
 * freed first (this worker made them). */
static void batch_job(struct gw_map_job *j, struct map_engine *e)
{
    struct batch *b = (struct batch *)j;
    const struct order_map *first = &b->s->win[b->first % GW_MAP_WINDOW];
    double t0 = thread_cpu_s();
    const struct map_info *m = NULL;
    struct edi_err err;
    size_t k;
    int rc;

    edi_err_clear(&err);
    rc = map_find(&m, e, first->map, first->p->id, &err);
    for (k = b->first; k < b->first + b->n; k++) {
        struct order_map *om = &b->s->win[k % GW_MAP_WINDOW];

        order_map_dispose_out(om);
        order_map_job(om, e, rc < 0 ? NULL : m, rc, &err);
    }
    b->cpu = thread_cpu_s() - t0;
}

/* The sets sent and not handed over yet go to the workers as one batch
 * (full ones while the file is read, the last one at its end, so batch
 * k / GW_MAP_BATCH holds set k). */
static void submit_batch(struct stream *s)
{
    size_t no = s->submitted / GW_MAP_BATCH;
    struct batch *b;

    if (s->submitted == s->sent)
        return;
    b = &s->batches[no % GW_MAP_BATCHES];
    b->job.run = batch_job;
    b->s = s;
    b->first = s->submitted;
    b->n = s->sent - s->submitted;
    gw_map_pool_submit(s->pool, (unsigned)(no % GW_MAP_BATCHES), &b->job);
    s->submitted = s->sent;
}

/* The oldest set out: waited for, then stored unless the file failed; its
 * set's copy (this thread's) freed. */
static void store_oldest(struct stream *s)
{
    struct order_map *om = &s->win[s->stored % GW_MAP_WINDOW];
    struct batch *b = &s->batches[(s->stored / GW_MAP_BATCH) % GW_MAP_BATCHES];
    double t0;

    if (s->stored >= s->submitted)
        submit_batch(s);
    gw_map_pool_wait(s->pool, &b->job);
    if (s->stored == b->first)
        s->f->st->t_map_cpu += b->cpu;
    t0 = now_s();
    if (s->rc == 0)
        s->rc = order_store(s->f, s->m, om);
    s->f->st->t_store += now_s() - t0;
    gw_x12_set_copy_free(om->tx);
    om->tx = NULL;
    s->stored++;
}

/* With no workers, each set's document as it is made: the 850s to map are
 * mapped and stored here, every other document is freed at once. */
static int map_doc(void *ctx, struct gw_cdoc *doc, const struct edi_tx *tx)
{
    struct stream *s = ctx;
    struct file_run *f = s->f;

    s->index++;
    if (s->rc == 0 && s->next < f->nmaps && f->maps[s->next].index == s->index) {
        s->rc = order_one(f, s->m, doc, f->maps[s->next].doc_id);
        s->next++;
    }
    return s->rc < 0 ? s->rc : 0;
}

/* With workers, each set as parsed: the 850s to map go to a worker, which
 * makes their documents; every other set is dropped at once. */
static int map_copy(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx)
{
    struct stream *s = ctx;
    struct file_run *f = s->f;

    s->index++;
    if (s->rc == 0 && s->next < f->nmaps && f->maps[s->next].index == s->index) {
        struct order_map *om;

        if (s->sent - s->stored == GW_MAP_WINDOW)
            store_oldest(s);
        if (s->rc == 0) {
            /* the input only: the slot's last results are the worker's
             * to free (batch_job) */
            om = &s->win[s->sent % GW_MAP_WINDOW];
            om->p = f->p;
            om->map = s->map;
            om->cfg = f->c->cfg;
            om->now = f->c->now;
            om->doc_id = f->maps[s->next].doc_id;
            om->tx = c;
            om->text = (enum edi_text_in)f->p->text_in;
            c = NULL;
            s->sent++;
            if (s->sent - s->submitted == GW_MAP_BATCH)
                submit_batch(s);
        }
        s->next++;
    }
    gw_x12_set_copy_free(c);
    return s->rc < 0 ? s->rc : 0;
}

static void pool_free(void *pool)
{
    gw_map_pool_free(pool);
}

/* The context's map workers, started the first time: NULL when the
 * configuration says none (workers="0") or they cannot start (logged;
 * the sets are then mapped on this thread, with the same results).
 * WHARF_TEST_WORKERS=N replaces <inbound workers> (tests run whole
 * scripts with a number of workers). */
static struct gw_map_pool *map_pool(struct gw_ctx *c)
{
    const char *force = getenv("WHARF_TEST_WORKERS");
    int n = force && *force ? atoi(force) : c->cfg->inbound_workers;
    struct gw_map_pool *pool = NULL;
    struct edi_err e;

    if (n > 64)
        n = 64;
    if (c->map_pool || c->map_pool_free || n == 0)
        return c->map_pool;   /* started, tried once and failed, or none */
    edi_err_clear(&e);
    if (gw_map_pool_new(&pool, n < 0 ? gw_map_workers_default() : (unsigned)n, c->maps, &e) < 0) {
        gw_log(c, "warn", "inbound map workers: %s; mapping on one thread", e.msg);
        c->map_pool_free = pool_free;
        return NULL;
    }
    c->map_pool = pool;
    c->map_pool_free = pool_free;
    return pool;
}

static int make_orders(struct file_run *f, const char *data, size_t n)
{
    const struct gw_map_ref *ref = gw_partner_map(f->p, "order-in");
    struct stream *s;
    struct edi_err perr;
    size_t k;
    int rc;

    if (f->nmaps == 0)
        return 0;
    if (ref == NULL) {
        gw_log(f->c, "warn", "%s: no order-in map configured; %zu accepted 850s are kept as documents only",
               f->p->id, f->nmaps);
        return 0;
    }
    s = edi_xcalloc(1, sizeof(*s));
    s->f = f;
    s->map = ref->name;
    if ((rc = map_find(&s->m, f->c->maps, ref->name, f->p->id, f->err)) < 0) {
        free(s);
        return rc;
    }
    s->pool = map_pool(f->c);
    timed();
    edi_err_clear(&perr);
    if (s->pool)
        rc = gw_x12_set_copies(data, n, (enum edi_text_in)f->p->text_in, map_copy, s, &perr);
    else
        rc = gw_x12_sets(data, n, f->c->guides, (enum edi_text_in)f->p->text_in, map_doc, s, &perr);
    /* the sets still out, in order: a failure among them came before
     * whatever stopped the reading */
    if (s->pool)
        submit_batch(s);
    while (s->stored < s->sent)
        store_oldest(s);
    /* the last results of each slot: freed here, across threads, at most
     * GW_MAP_WINDOW sets' worth a file */
    for (k = 0; s->pool && k < GW_MAP_WINDOW; k++)
        order_map_dispose(&s->win[k]);
    if (s->rc == 0 && rc < 0)
        *f->err = perr;
    rc = s->rc < 0 ? s->rc : rc;
    free(s);
    return rc;
}

/* SPEC: issue 14 — an SP-API order (one Order object, as the transport
 * landed it) goes through the partner's order-in map into the same order
 * book as an 850: no functional acknowledgment (the API has none), one
 * document per order. Ref: the PO number from the message's name
 * ("rp-order-PO.json"). */
static int order_json(struct file_run *f, const struct gw_raw *raw, const char **verdict, char **reason)
{
    const struct gw_map_ref *ref = gw_partner_map(f->p, "order-in");
    const struct map_info *m;
    struct gw_cdoc *in = NULL;
    struct edi_err je;
    char po[80] = "";
    const char *dash = raw->name ? strstr(raw->name, "-order-") : NULL;
    int64_t doc;
    int rc;

    if (dash)
        snprintf(po, sizeof(po), "%.*s", (int)strcspn(dash + 7, "."), dash + 7);
    if (ref == NULL)
        return edi_fail(f->err, EDI_ECONFIG, "partner %s has no order-in map for its SP-API orders", f->p->id);
    if ((rc = map_find(&m, f->c->maps, ref->name, f->p->id, f->err)) < 0)
        return rc;
    edi_err_clear(&je);
    if (gw_cdoc_json(&in, (const char *)raw->bytes, raw->n, &je) < 0) {
        struct edi_buf why;

        edi_buf_init(&why, 0);
        edi_buf_printf(&why, "%s: not an SP-API order: %s\n", f->name, je.msg);
        *verdict = GW_VERDICT_QUARANTINED;
        *reason = edi_xstrdup(edi_buf_cstr(&why));
        edi_buf_dispose(&why);
        return 0;
    }
    rc = gw_store_add_document(&doc, f->c->store, 0, f->p->id, "in", "order", NULL, NULL, po[0] ? po : NULL,
                               "accepted", NULL, f->c->now, f->err);
    if (rc == 0)
        rc = order_one(f, m, in, doc);
    gw_cdoc_free(in);
    *verdict = GW_VERDICT_ARCHIVED;
    return rc;
}

/* 1 when a message is JSON (an SP-API partner's): its first byte that is
 * not white space is '{'. */
static int is_json(const struct gw_raw *raw)
{
    size_t i = 0;

    while (i < raw->n && (raw->bytes[i] == ' ' || raw->bytes[i] == '\n' || raw->bytes[i] == '\r' ||
                          raw->bytes[i] == '\t'))
        i++;
    return i < raw->n && raw->bytes[i] == '{';
}

/* ---- acknowledgments ---------------------------------------------------------------------- */

static const char *ack_kind(const struct edi_buf *b)
{
    if (b->n == 0)
        return NULL;
    if (memmem(b->p, b->n, "ST*999", 6) || memmem(b->p, b->n, "ST|999", 6))
        return "999";
    if (memmem(b->p, b->n, "ST*997", 6) || memmem(b->p, b->n, "ST|997", 6))
        return "997";
    return "TA1";
}

/* ---- one message -------------------------------------------------------------------------------- */

/* Processes the received message raw_id in one transaction and settles
 * it: *verdict and *reason (the caller frees it) say what became of it,
 * for its transport. A message another process settled meanwhile is not
 * processed again: its verdict is read back. On failure nothing of it
 * counts and it stays received. */
static int process_once(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                        const struct gw_transport_type *tt, struct gw_transport *t, int64_t raw_id,
                        int bulk, const char **verdict, char **reason, struct edi_err *err)
{
    struct gw_stats before = *st;
    struct gw_raw *raw = NULL;
    struct file_run f;
    struct edi_check_opts o;
    struct edi_check_stats cs;
    struct edi_ack ack;
    struct edi_ack_opts ao;
    const char *name;
    size_t i;
    double t0;
    int rc, total;

    *verdict = NULL;
    *reason = NULL;
    memset(&f, 0, sizeof(f));
    gw_erp_log_begin(c);   /* the file's sales orders for erp/out/, staged at its commit */
    edi_buf_init(&f.findings, 1u << 20);
    edi_buf_init(&f.foreign, 1u << 16);
    if ((rc = (bulk ? gw_store_begin_bulk : gw_store_begin)(c->store, err)) < 0)
        goto fail_nostore;
    if ((rc = gw_store_get_raw(&raw, c->store, raw_id, err)) < 0)
        goto fail;
    name = raw->name ? raw->name : "(unnamed)";
    if (strcmp(raw->state, "received") != 0) {
        /* another process settled it: its verdict stands */
        gw_store_rollback(c->store);
        *verdict = raw->verdict && strcmp(raw->verdict, GW_VERDICT_QUARANTINED) == 0 ? GW_VERDICT_QUARANTINED
                   : raw->verdict && strcmp(raw->verdict, GW_VERDICT_DUPLICATE) == 0 ? GW_VERDICT_DUPLICATE
                                                                                      : GW_VERDICT_ARCHIVED;
        *reason = raw->reason ? edi_xstrdup(raw->reason) : NULL;
        rc = 0;
        goto out;
    }
    st->files++;
    f.c = c;
    f.p = p;
    f.tt = tt;
    f.t = t;
    f.st = st;
    f.name = name;
    f.err = err;
    f.raw_id = raw_id;
    if (strcmp(p->transport, "sp-api") == 0 && is_json(raw) && raw->name &&
        strncmp(raw->name, "fin-invoice-", 12) == 0) {
        /* Amazon's word on one of our invoices (the Finances API) */
        if ((rc = gw_invoice_amazon(c, p, raw->bytes, raw->n, reason, err)) < 0)
            goto fail;
        *verdict = *reason ? GW_VERDICT_QUARANTINED : GW_VERDICT_ARCHIVED;
        if ((rc = gw_store_raw_settle(c->store, raw_id, *verdict, *reason, err)) < 0 ||
            (rc = gw_store_commit(c->store, err)) < 0)
            goto fail;
        if (*reason) {
            st->quarantined++;
            gw_log(c, "warn", "%s %s: quarantined: %s", p->id, name, *reason);
        }
        goto out;
    }
    if (strcmp(p->transport, "sp-api") == 0 && is_json(raw)) {
        f.spapi = 1;
        if ((rc = order_json(&f, raw, verdict, reason)) < 0 ||
            (rc = gw_store_raw_settle(c->store, raw_id, *verdict, *reason, err)) < 0 ||
            (rc = gw_erp_log_commit(c, err)) < 0)
            goto fail;
        if (*reason) {
            st->quarantined++;
            gw_log(c, "warn", "%s %s: quarantined: %s", p->id, name, *reason);
        }
        goto out;
    }
    if ((total = find_duplicates(&f, raw->bytes, raw->n)) < 0) {
        rc = total;
        goto fail;
    }
    if (total > 0 && f.ndups == (size_t)total) {
        gw_log(c, "warn", "%s %s: interchange %s was received before: not processed again", p->id,
               name, f.dups[0]);
        st->duplicates++;
        *verdict = GW_VERDICT_DUPLICATE;
        if ((rc = gw_store_raw_settle(c->store, raw_id, *verdict, NULL, err)) < 0 ||
            (rc = gw_store_commit(c->store, err)) < 0)
            goto fail;
        goto out;
    }
    /* validate, acknowledge, record */
    memset(&ao, 0, sizeof(ao));
    ao.now = c->now;
    ao.ctl.next = store_ctl;
    ao.ctl.ctx = &f;
    ao.type = p->functional_ack && strcmp(p->functional_ack, "999") == 0 ? EDI_ACK_999 : EDI_ACK_AUTO;
    ao.ta1_always = p->ta1;
    /* acks go from us to the partner as configured, whatever the inbound
     * ISA says (a stranger's or an unreadable one) */
    ao.us = (struct edi_party){c->cfg->vendor_isa_qualifier, c->cfg->vendor_isa_id, NULL};
    ao.them = (struct edi_party){p->isa_qualifier, p->isa_id, NULL};
    edi_ack_init(&ack, &ao);
    memset(&o, 0, sizeof(o));
    o.guides = c->guides;
    o.guide_for = guide_for;
    o.ack = p->functional_ack && strcmp(p->functional_ack, "none") == 0 ? NULL : &ack;
    o.report = on_finding;
    o.text = p->text_in;
    o.set = on_set;
    o.ctx = &f;
    /* only the partner's interchanges to us are processed (the GS ids
     * only when group-id is configured) */
    o.from = (struct edi_party){p->isa_qualifier, p->isa_id, p->group_id};
    o.to = (struct edi_party){c->cfg->vendor_isa_qualifier, c->cfg->vendor_isa_id,
                              c->cfg->vendor_group_id};
    t0 = now_s();
    rc = edi_check_mem(&cs, raw->bytes, raw->n, &o, err);
    if (rc == 0 && f.rc < 0)
        rc = f.rc;
    if (rc == 0 && ack.rc < 0) {
        if (ack.err.msg[0])
            rc = edi_fail(err, ack.rc, "acknowledgment: %s", ack.err.msg);
        else
            rc = edi_fail(err, ack.rc, "control numbers: %s", err->msg);
    }
    if (rc == 0 && ack.out.n) {
        char oname[256];
        int64_t id;
        const char *kind = ack_kind(&ack.out);

        rc = edi_fmt(oname, sizeof(oname), err, "%s-%s-%lld.edi", p->id, kind, (long long)raw_id);
        if (rc == 0)
            rc = gw_store_outbox_add(&id, c->store, p->id, kind, oname, ack.out.p, ack.out.n, c->now, err);
        if (rc == 0)
            st->acks_queued++;
    }
    edi_ack_dispose(&ack);
    if (rc < 0)
        goto fail;
    st->t_check += now_s() - t0;
    t0 = now_s();
    if ((rc = make_orders(&f, raw->bytes, raw->n)) < 0)
        goto fail;
    st->t_orders += now_s() - t0;
    if (f.foreign.n) {
        *verdict = GW_VERDICT_QUARANTINED;
        *reason = edi_xstrndup(f.foreign.p, f.foreign.n);
    } else if (cs.sets == 0 && cs.findings) {
        struct edi_buf why;

        edi_buf_init(&why, 0);
        edi_buf_printf(&why, "%s: no transaction set could be read (see the log)\n", name);
        *verdict = GW_VERDICT_QUARANTINED;
        *reason = edi_xstrdup(edi_buf_cstr(&why));
        edi_buf_dispose(&why);
    } else {
        *verdict = GW_VERDICT_ARCHIVED;
    }
    keep_sets(&f);
    if ((rc = gw_store_raw_settle(c->store, raw_id, *verdict, *reason, err)) < 0)
        goto fail;
    /* a failed commit (a full disk, a locked store) rolls back: the message
     * stays received and nothing of it counts */
    t0 = now_s();
    if ((rc = gw_erp_log_commit(c, err)) < 0)
        goto fail;
    st->t_commit += now_s() - t0;
    if (f.foreign.n) {
        st->quarantined++;
        gw_log(c, "warn", "%s %s: quarantined: an interchange not from the partner to us", p->id, name);
    } else if (*reason) {
        st->quarantined++;
        gw_log(c, "warn", "%s %s: quarantined: not X12", p->id, name);
    } else {
        gw_log(c, "info", "%s %s: %u sets, %u accepted, %u rejected", p->id, name,
               f.accepted + f.rejected, f.accepted, f.rejected);
    }
    goto out;
fail:
    gw_store_rollback(c->store);
fail_nostore:
    /* what was counted for this message was not committed */
    *st = before;
    *verdict = NULL;
    free(*reason);
    *reason = NULL;
    if (bulk && gw_store_bulk_lost(c->store))
        goto out;   /* process_raw runs it again, call by call */
    st->errors++;
    gw_log(c, "error", "%s %s: %s (the file stays in inbound/)", p->id,
           raw && raw->name ? raw->name : "a message", err->msg);
out:
    gw_erp_log_end(c);
    for (i = 0; i < f.ndups; i++)
        free(f.dups[i]);
    free(f.dups);
    free(f.maps);
    kept_free(&f);
    edi_buf_dispose(&f.findings);
    edi_buf_dispose(&f.foreign);
    gw_raw_free(raw);
    return rc;
}

/* SPEC: issue 18 — a file is one store transaction without a savepoint per
 * call (gw_store_begin_bulk): tens of thousands of calls for a large file.
 * When a call failed there and the work went on past it (so the failure
 * was not the file's end), the transaction is lost: it is rolled back and
 * the file run again with a savepoint around each call, which is today's
 * unit exactly: the same store contents, findings and quarantine.
 * WHARF_TEST_SAVEPOINTS=1 takes that path at once (tests diff the two). */
static int process_raw(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                       const struct gw_transport_type *tt, struct gw_transport *t, int64_t raw_id,
                       const char **verdict, char **reason, struct edi_err *err)
{
    const char *force = getenv("WHARF_TEST_SAVEPOINTS");
    int bulk = !(force && strcmp(force, "1") == 0);
    int rc = process_once(st, c, p, tt, t, raw_id, bulk, verdict, reason, err);

    if (rc < 0 && bulk && gw_store_bulk_lost(c->store)) {
        edi_err_clear(err);
        rc = process_once(st, c, p, tt, t, raw_id, 0, verdict, reason, err);
    }
    return rc;
}

/* What the partner's transport received is landed, then every received
 * message of the partner processed, oldest first (those an interrupted
 * pass left too); a message that fails stays received and the next one is
 * tried. err is the first failure's. */
int gw_poll_partner(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                    struct edi_err *err)
{
    const struct gw_transport_type *tt;
    struct gw_transport *t = NULL;
    int64_t *ids = NULL;
    size_t n = 0, i;
    struct edi_err e;
    int rc;

    if (p->inbound == NULL)
        return 0;
    if ((rc = gw_transport_open(&tt, &t, c, p, err)) < 0)
        return rc;
    edi_err_clear(&e);
    if ((rc = tt->poll(t, st, &e)) < 0)
        *err = e;
    edi_err_clear(&e);
    if (gw_store_raws_received(&ids, &n, c->store, p->id, &e) < 0) {
        if (rc == 0)
            *err = e;
        rc = e.rc;
    }
    for (i = 0; i < n && !(c->stop && *c->stop); i++) {
        const char *verdict;
        char *reason;

        edi_err_clear(&e);
        if (process_raw(st, c, p, tt, t, ids[i], &verdict, &reason, &e) < 0) {
            if (rc == 0)
                *err = e;
            rc = e.rc;
            continue;
        }
        tt->settle(t, ids[i], verdict, reason);
        free(reason);
    }
    free(ids);
    tt->close(t);
    return rc;
}

int gw_process_message(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p, int64_t raw_id,
                       const char **verdict, char **reason, struct edi_err *err)
{
    int rc;

    if ((rc = process_raw(st, c, p, NULL, NULL, raw_id, verdict, reason, err)) == 0)
        gw_transport_settle_local(c, p, raw_id, *verdict, *reason);
    return rc;
}

int gw_poll_inbound(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err)
{
    size_t k;
    int rc = 0;

    for (k = 0; k < c->cfg->npartners && !(c->stop && *c->stop); k++) {
        struct edi_err e;

        edi_err_clear(&e);
        if (gw_poll_partner(st, c, &c->cfg->partners[k], &e) < 0 && rc == 0) {
            *err = e;
            rc = e.rc;
        }
    }
    return rc;
}
