/*
 * invoice.c — the invoice run, ERP invoices, the three-way match and the
 * 810 (invoice.h).
 *
 * An invoice is built from "parts": an order's goods in one shipment (a
 * bill). The canonical invoice takes the quantities from the shipments in
 * force, the prices from the PO, and terms, remit-to, taxes, charges and
 * allowances from the partner's <invoice>. The match then compares the
 * invoice with the PO, the last acknowledgment and the shipments, in exact
 * decimals, and checks its own arithmetic; any mismatch holds it.
 */
#include "gateway/erp/erp.h"
#include "gateway/flow/invoice.h"

#include "gateway/docs/canon.h"
#include "gateway/docs/cdoc.h"
#include "gateway/flow/outbound.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LIMIT: parts (bills) per invoice */
#define MAX_PARTS 256

struct part {
    struct gw_shipment *sh;
    struct gw_cshipment *sdoc;       /* its canonical shipment */
    struct gw_order *o;
    struct gw_corder *odoc;          /* the canonical order */
    struct gw_cack *ackdoc;          /* the order's last queued acknowledgment, read once */
    int ack_read;
    int own_sh, own_o;               /* this part frees them */
};

/* What is left to bill of one order line from one shipment id: its
 * version in force ships `shipped`, invoices billed `billed` of it before
 * (any version), so `due` = shipped - billed. Negative when a replacement
 * took back goods already invoiced. */
struct due {
    int64_t order_id;
    const char *po;                  /* borrowed from the part's order */
    const char *shipment_id;         /* borrowed from the part's shipment */
    int64_t row;                     /* the version in force (0: none) */
    int version;
    int line_no;
    struct gw_dec shipped, billed, due;
    char by[160];                    /* the invoices that billed it, space-separated */
};

struct inv {
    const struct gw_partner *p;
    struct part v[MAX_PARTS];
    size_t n;
    int64_t except;                  /* the invoice being matched again (0: a new one) */
    struct due *dues;
    size_t ndues;
    int dues_read;
};

static void inv_dispose(struct inv *iv)
{
    size_t i;

    for (i = 0; i < iv->n; i++) {
        if (iv->v[i].own_sh) {
            gw_shipment_free(iv->v[i].sh);
            gw_cshipment_free(iv->v[i].sdoc);
        }
        if (iv->v[i].own_o) {
            gw_cack_free(iv->v[i].ackdoc);
            gw_order_free(iv->v[i].o);
            gw_corder_free(iv->v[i].odoc);
        }
    }
    iv->n = 0;
    free(iv->dues);
    iv->dues = NULL;
    iv->ndues = 0;
    iv->dues_read = 0;
}

/* The canonical shipment of sh, NULL when it does not read (the invoice
 * then has no ship-from of its own, as before). */
static struct gw_cshipment *read_shipment(const struct gw_shipment *sh)
{
    struct gw_cshipment *d = NULL;
    struct edi_err e;

    edi_err_clear(&e);
    if (sh->canonical)
        gw_cshipment_read(&d, sh->canonical, strlen(sh->canonical), &e);
    return d;
}

/* Adds a part, sharing the shipment and the order with an earlier part
 * when it has them. */
static int part_add(struct inv *iv, struct gw_ctx *c, struct gw_shipment *sh, int own_sh,
                    int64_t order_id, struct edi_err *err)
{
    struct part *pt;
    size_t i;
    int rc;

    if (iv->n == MAX_PARTS)
        return edi_fail(err, EDI_ELIMIT, "more than %d shipments and orders in one invoice", MAX_PARTS);
    pt = &iv->v[iv->n];
    memset(pt, 0, sizeof(*pt));
    pt->sh = sh;
    pt->own_sh = own_sh;
    if (own_sh)
        pt->sdoc = read_shipment(sh);
    else
        for (i = 0; i < iv->n; i++)
            if (iv->v[i].sh == sh)
                pt->sdoc = iv->v[i].sdoc;
    for (i = 0; i < iv->n; i++)
        if (iv->v[i].o->id == order_id) {
            pt->o = iv->v[i].o;
            pt->odoc = iv->v[i].odoc;
        }
    if (pt->o == NULL) {
        if ((rc = gw_store_get_order_by_id(&pt->o, c->store, order_id, err)) == EDI_ENOTFOUND)
            return edi_fail(err, EDI_ENOTFOUND, "shipment %s names order %lld, which is gone",
                            sh->shipment_id, (long long)order_id);
        if (rc < 0)
            return rc;
        struct edi_err e2;

        pt->own_o = 1;
        edi_err_clear(&e2);
        if (gw_corder_read(&pt->odoc, pt->o->canonical ? pt->o->canonical : "",
                           pt->o->canonical ? strlen(pt->o->canonical) : 0, &e2) < 0) {
            iv->n++;
            return edi_fail(err, EDI_ERR, "order %s: its canonical document does not read (%s)", pt->o->po_number,
                            e2.msg);
        }
    }
    iv->n++;
    return 0;
}

static struct due *due_at(struct inv *iv, const struct part *pt, int line_no)
{
    size_t i;

    for (i = 0; i < iv->ndues; i++)
        if (iv->dues[i].order_id == pt->o->id && iv->dues[i].line_no == line_no &&
            strcmp(iv->dues[i].shipment_id, pt->sh->shipment_id) == 0)
            return &iv->dues[i];
    iv->dues = edi_xrealloc(iv->dues, (iv->ndues + 1) * sizeof(*iv->dues));
    memset(&iv->dues[iv->ndues], 0, sizeof(iv->dues[0]));
    iv->dues[iv->ndues].order_id = pt->o->id;
    iv->dues[iv->ndues].po = pt->o->po_number;
    iv->dues[iv->ndues].shipment_id = pt->sh->shipment_id;
    iv->dues[iv->ndues].line_no = line_no;
    return &iv->dues[iv->ndues++];
}

/*
 * What is left to bill, per shipment id and PO line: the version in force
 * of each part's shipment id minus what other invoices billed of any of
 * its versions. Read once per invoice; a part of a replaced version counts
 * as its shipment id's version in force, and two parts of one shipment id
 * and order count once.
 *
 * SPEC: RULES.md 810 — RP invoices are three-way matched with the ASN in
 * force: a replaced ASN (BSN01 05, same BSN02) bills only what it adds.
 */
static int load_dues(struct gw_ctx *c, struct inv *iv, struct edi_err *err)
{
    size_t i, k;
    int rc = 0;

    if (iv->dues_read)
        return 0;
    for (i = 0; i < iv->n && rc == 0; i++) {
        const struct part *pt = &iv->v[i];
        struct gw_shipment *f = NULL;
        const struct gw_shipment *in_force = NULL;
        struct gw_billed_line *b = NULL;
        size_t nb = 0;

        for (k = 0; k < i; k++)
            if (iv->v[k].o->id == pt->o->id && strcmp(iv->v[k].sh->shipment_id, pt->sh->shipment_id) == 0)
                break;
        if (k < i)
            continue;
        if (strcmp(pt->sh->state, "replaced") != 0)
            in_force = pt->sh;
        else if ((rc = gw_store_get_shipment(&f, c->store, pt->sh->partner, pt->sh->shipment_id, 0, err)) < 0 &&
                 rc != EDI_ENOTFOUND)
            break;
        else if (f && strcmp(f->state, "replaced") != 0)
            in_force = f;
        for (k = 0; in_force && k < in_force->nlines; k++) {
            struct due *d;

            if (in_force->lines[k].order_id != pt->o->id)
                continue;
            d = due_at(iv, pt, in_force->lines[k].line_no);
            d->row = in_force->id;
            d->version = in_force->version;
            d->shipped = gw_dec_add(d->shipped, gw_dec_parse(in_force->lines[k].quantity, 1));
        }
        if ((rc = gw_store_billed_lines(&b, &nb, c->store, pt->sh->partner, pt->sh->shipment_id, pt->o->id,
                                        iv->except, err)) == 0)
            for (k = 0; k < nb; k++) {
                struct due *d = due_at(iv, pt, b[k].line_no);

                if (in_force && d->row == 0) {
                    d->row = in_force->id;
                    d->version = in_force->version;
                }
                d->billed = gw_dec_add(d->billed, gw_dec_parse(b[k].quantity, 1));
                if (!strstr(d->by, b[k].number) && strlen(d->by) + strlen(b[k].number) + 2 < sizeof(d->by)) {
                    if (d->by[0])
                        strcat(d->by, " ");
                    strcat(d->by, b[k].number);
                }
            }
        gw_billed_lines_free(b, nb);
        gw_shipment_free(f);
    }
    for (i = 0; i < iv->ndues && rc == 0; i++) {
        struct due *d = &iv->dues[i];

        /* the one check of every sum above */
        d->due = gw_dec_sub(d->shipped, d->billed);
        if (!gw_dec_ok(d->due))
            rc = edi_fail(err, EDI_ERR, "PO %s line %d: shipped or billed quantities of shipment %s are not decimals of at most 18 digits",
                          d->po, d->line_no, d->shipment_id);
    }
    iv->dues_read = rc == 0;
    return rc;
}

/* What is left to bill of an order line, over the invoice's shipments
 * (what a replacement took back is not netted against other shipments:
 * it holds the invoice instead); *any is 0 when no shipment has some. */
static struct gw_dec due_of(int *any, const struct inv *iv, int64_t order_id, int line_no)
{
    struct gw_dec q = GW_DEC_ZERO;
    size_t i;

    *any = 0;
    for (i = 0; i < iv->ndues; i++)
        if (iv->dues[i].order_id == order_id && iv->dues[i].line_no == line_no &&
            gw_dec_sign(iv->dues[i].due) > 0) {
            q = gw_dec_add(q, iv->dues[i].due);
            *any = 1;
        }
    return q;
}

/* 1 when some shipment of the invoice has a positive or negative due. */
static int dues_any(const struct inv *iv)
{
    size_t i;

    for (i = 0; i < iv->ndues; i++)
        if (gw_dec_sign(iv->dues[i].due) != 0)
            return 1;
    return 0;
}

static const struct part *part_of_po(const struct inv *iv, const char *po)
{
    size_t i;

    for (i = 0; i < iv->n; i++)
        if (strcmp(iv->v[i].o->po_number, po) == 0)
            return &iv->v[i];
    return NULL;
}

/* ---- building ------------------------------------------------------------------------------- */

static void party_address(struct gw_cel *party, const struct gw_address *a)
{
    struct gw_cel *ad;

    if (a == NULL || (a->street1 == NULL && a->city == NULL))
        return;
    ad = gw_cel_add(party, "address", NULL);
    gw_cel_opt(ad, "line", a->street1);
    gw_cel_opt(ad, "line", a->street2);
    gw_cel_opt(ad, "city", a->city);
    gw_cel_opt(ad, "state", a->state);
    gw_cel_opt(ad, "postal-code", a->postal_code);
    gw_cel_opt(ad, "country", a->country);
}

static void charges(struct gw_cel *root, const char *elem, const char *item,
                    const struct gw_invoice_amount *v, size_t n, struct gw_dec line_total, struct gw_dec *sum)
{
    struct gw_cel *list = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        char amount[GW_DEC_STRLEN];
        struct gw_dec a;
        struct gw_cel *ch;

        if (v[i].amount)
            a = gw_dec_parse(v[i].amount, 1);
        else /* a percent of the line total, to the cent */
            a = gw_dec_mul(gw_dec_mul(line_total, gw_dec_parse(v[i].percent, 1)), gw_dec_parse("0.01", 0));
        a = gw_dec_round(a, 2, 0);
        if (gw_dec_is_zero(a))
            continue;
        if (list == NULL)
            list = gw_cel_add(root, elem, NULL);
        ch = gw_cel_add(list, item, NULL);
        gw_cel_add(ch, "type", v[i].type);
        gw_cel_opt(ch, "description", v[i].description);
        gw_cel_add(ch, "amount", gw_dec_str(amount, sizeof(amount), a));
        gw_cel_opt(ch, "percent", v[i].percent);
        *sum = gw_dec_add(*sum, a);
    }
}

static void today(char *buf, size_t cap, time_t now)
{
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%d", &tm);
}

/* The canonical invoice of the parts; EDI_ERR when an amount does not fit
 * the decimals (checked once, at the end). */
static int build(struct gw_cdoc **out, struct gw_ctx *c, struct inv *iv, const char *number, struct edi_err *err)
{
    const struct gw_partner *p = iv->p;
    const struct gw_invoice_cfg *ic = &p->invoice;
    int df = p->program && strcmp(p->program, "DF") == 0;
    struct gw_cdoc *doc = gw_cdoc_new("invoice");
    struct gw_cel *root = gw_cdoc_root(doc), *refs, *n, *lines;
    char buf[128], t1[GW_DEC_STRLEN];
    struct gw_dec line_total = GW_DEC_ZERO, charges_total = GW_DEC_ZERO, allow_total = GW_DEC_ZERO;
    struct gw_dec tax_total = GW_DEC_ZERO, taxsum[16], check = GW_DEC_ZERO;
    int has_lines = 0, has_tax[16];
    size_t i, k, t;

    *out = NULL;
    for (t = 0; t < 16; t++) {
        taxsum[t] = GW_DEC_ZERO;
        has_tax[t] = 0;
    }
    gw_cel_add(root, "program", p->program ? p->program : "RP");
    gw_cel_add(root, "type", "invoice");
    gw_cel_add(root, "invoice-number", number);
    today(buf, sizeof(buf), c->now);
    gw_cel_add(root, "invoice-date", buf);
    gw_cel_add(root, "currency", ic->currency ? ic->currency : "USD");
    /* references: the POs, the PO date when there is one PO, the shipments */
    refs = gw_cel_add(root, "references", NULL);
    for (i = 0; i < iv->n; i++) {
        for (k = 0; k < i && iv->v[k].o != iv->v[i].o; k++)
            ;
        if (k == i)
            gw_cel_add(refs, "po-number", iv->v[i].o->po_number);
    }
    if (iv->n > 0) {
        int one_po = 1;

        for (i = 1; i < iv->n; i++)
            one_po &= iv->v[i].o == iv->v[0].o;
        if (one_po && iv->v[0].odoc->order_date && *iv->v[0].odoc->order_date)
            gw_cel_add(refs, "po-date", iv->v[0].odoc->order_date);
    }
    for (i = 0; i < iv->n; i++) {
        for (k = 0; k < i && iv->v[k].sh != iv->v[i].sh; k++)
            ;
        if (k == i)
            gw_cel_add(refs, "shipment-id", iv->v[i].sh->shipment_id);
    }
    if (df && iv->n > 0 && iv->v[0].odoc->customer_order_number && *iv->v[0].odoc->customer_order_number)
        gw_cel_add(refs, "customer-order-number", iv->v[0].odoc->customer_order_number);
    if (df && iv->n > 0) {
        /* VO: the sales order in wharf's order book */
        snprintf(buf, sizeof(buf), "SO%06lld", (long long)iv->v[0].o->id);
        gw_cel_add(refs, "vendor-order-number", buf);
    }
    /* remit-to, ship-from (the first shipment's), shipped date */
    n = gw_cel_add(root, "remit-to", NULL);
    if (ic->remit_party_id)
        gw_cel_attr(n, "id", ic->remit_party_id, "qualifier", "92");
    gw_cel_opt(n, "name", ic->remit_name);
    party_address(n, &ic->remit_address);
    if (iv->n > 0 && iv->v[0].sdoc) {
        const struct gw_cshipment *sd = iv->v[0].sdoc;

        gw_cel_party(root, "ship-from", &sd->ship_from);
        if (sd->shipped_date && *sd->shipped_date) {
            snprintf(buf, sizeof(buf), "%.10s", sd->shipped_date);
            gw_cel_add(root, "shipped-date", buf);
        }
    }
    /* terms */
    if (ic->terms_type || ic->net_days > 0) {
        char num[24];

        n = gw_cel_add(root, "terms", NULL);
        gw_cel_opt(n, "type", ic->terms_type);
        gw_cel_opt(n, "basis-date", ic->terms_basis);
        gw_cel_opt(n, "discount-percent", ic->discount_percent);
        if (ic->discount_days >= 0 && ic->discount_percent) {
            snprintf(num, sizeof(num), "%d", ic->discount_days);
            gw_cel_add(n, "discount-days", num);
        }
        snprintf(num, sizeof(num), "%d", ic->net_days);
        gw_cel_add(n, "net-days", num);
        gw_cel_opt(n, "description", ic->terms_description);
    }
    /* lines: every order line the parts shipped, at the PO's price */
    lines = gw_cel_add(root, "lines", NULL);
    for (i = 0; i < iv->n; i++) {
        const struct part *pt = &iv->v[i];
        size_t j, m;

        for (k = 0; k < i && iv->v[k].o != pt->o; k++)
            ;
        if (k < i)
            continue;   /* this order's lines are out already */
        for (j = 0; j < pt->odoc->nlines; j++) {
            const struct gw_corder_line *ol = &pt->odoc->lines[j];
            const char *price = ol->unit_cost && *ol->unit_cost ? ol->unit_cost : "0";
            const char *unit = ol->ordered.unit && *ol->ordered.unit ? ol->ordered.unit : "EA";
            struct gw_cel *il;
            struct gw_dec qty, amount;
            char q[GW_DEC_STRLEN], a[GW_DEC_STRLEN], cust[80];
            int any;

            qty = due_of(&any, iv, pt->o->id, (int)strtol(ol->line_no, NULL, 10));
            if (!any || gw_dec_is_zero(qty))
                continue;
            has_lines = 1;
            il = gw_cel_add(lines, "line", NULL);
            gw_cel_add(il, "line-no", ol->line_no);
            gw_cel_add(il, "po-number", pt->o->po_number);
            if (df) {
                snprintf(cust, sizeof(cust), "SO%06lld", (long long)pt->o->id);
                gw_cel_add(il, "vendor-order-number", cust);
            }
            if (df && pt->odoc->customer_order_number && *pt->odoc->customer_order_number)
                gw_cel_add(il, "customer-order-number", pt->odoc->customer_order_number);
            for (m = 0; m < ol->nids; m++)
                gw_cel_id(il, &ol->ids[m]);
            gw_cel_attr(il, "invoiced-quantity", gw_dec_str(q, sizeof(q), qty), "unit", unit);
            gw_cel_attr(il, "unit-price", price, "basis", "PE");
            /* SPEC: RULES.md 810, vendorInvoices.json netCost/Money (Decimal
             * strings) — the unit cost goes out exactly as the PO sent it
             * (up to 4 decimals, never rounded: it must equal the PO and
             * acknowledged cost); the line is extended quantity x cost in
             * exact decimals and rounded half-up to the cent once, per
             * line. Taxes are taken of that rounded line amount and
             * rounded per line too, because Amazon requires the header tax
             * to be the sum of the line taxes; every total is a sum of
             * rounded amounts and is never rounded again. */
            amount = gw_dec_round(gw_dec_mul(qty, gw_dec_parse(price, 1)), 2, 0);
            check = gw_dec_add(check, amount);
            gw_cel_add(il, "line-amount", gw_dec_str(a, sizeof(a), amount));
            line_total = gw_dec_add(line_total, amount);
            /* taxes per line */
            if (ic->ntaxes > 0) {
                struct gw_cel *txs = gw_cel_add(il, "taxes", NULL);

                for (t = 0; t < ic->ntaxes && t < 16; t++) {
                    struct gw_dec tax = gw_dec_round(gw_dec_mul(gw_dec_mul(amount, gw_dec_parse(ic->taxes[t].rate, 1)),
                                                                gw_dec_parse("0.01", 0)), 2, 0);
                    struct gw_cel *tx = gw_cel_add(txs, "tax", NULL);

                    gw_cel_add(tx, "type", ic->taxes[t].type);
                    gw_cel_add(tx, "rate", ic->taxes[t].rate);
                    gw_cel_add(tx, "amount", gw_dec_str(t1, sizeof(t1), tax));
                    taxsum[t] = gw_dec_add(taxsum[t], tax);
                    has_tax[t] = 1;
                }
            }
        }
    }
    if (!has_lines)
        line_total = gw_dec_parse("0.00", 0);
    /* no goods, no charges: an invoice held for goods a replacement took
     * back bills nothing of its own */
    if (gw_cel_has_children(lines)) {
        charges(root, "charges", "charge", ic->charges, ic->ncharges, line_total, &charges_total);
        charges(root, "allowances", "allowance", ic->allowances, ic->nallowances, line_total, &allow_total);
    }
    if (ic->ntaxes > 0) {
        struct gw_cel *txs = gw_cel_add(root, "taxes", NULL);

        for (t = 0; t < ic->ntaxes && t < 16; t++) {
            struct gw_cel *tx = gw_cel_add(txs, "tax", NULL);

            gw_cel_add(tx, "type", ic->taxes[t].type);
            gw_cel_add(tx, "rate", ic->taxes[t].rate);
            gw_cel_add(tx, "amount", has_tax[t] ? gw_dec_str(t1, sizeof(t1), taxsum[t]) : "0.00");
            tax_total = gw_dec_add(tax_total, taxsum[t]);
        }
    }
    n = gw_cel_add(root, "totals", NULL);
    {
        struct gw_dec total;
        char a[GW_DEC_STRLEN];

        line_total = gw_dec_round(line_total, 2, 0);
        charges_total = gw_dec_round(charges_total, 2, 0);
        allow_total = gw_dec_round(allow_total, 2, 0);
        tax_total = gw_dec_round(tax_total, 2, 0);
        total = gw_dec_round(gw_dec_add(gw_dec_sub(gw_dec_add(line_total, charges_total), allow_total), tax_total), 2, 0);
        check = gw_dec_add(check, total);
        gw_cel_add(n, "line-total", gw_dec_str(a, sizeof(a), line_total));
        gw_cel_add(n, "charges-total", gw_dec_str(a, sizeof(a), charges_total));
        gw_cel_add(n, "allowances-total", gw_dec_str(a, sizeof(a), allow_total));
        gw_cel_add(n, "tax-total", gw_dec_str(a, sizeof(a), tax_total));
        gw_cel_add(n, "invoice-total", gw_dec_str(a, sizeof(a), total));
    }
    /* every amount above ends in total or check: one look at their flags */
    if (!gw_dec_ok(check)) {
        gw_cdoc_free(doc);
        return edi_fail(err, EDI_ERR, "invoice %s: an amount is not a decimal of at most 18 digits", number);
    }
    *out = doc;
    return 0;
}

/* ---- the three-way match --------------------------------------------------------------------- */

/* The unit cost of a line in the order's last queued acknowledgment, NULL
 * when there is none (or it carries no cost). The acknowledgment is read
 * once per order (kept in the part that owns the order). */
static int ack_cost(const char **out, struct gw_ctx *c, const struct inv *iv, const struct gw_order *o,
                    const char *line_no, struct edi_err *err)
{
    struct part *owner = NULL;
    size_t i;
    int rc;

    *out = NULL;
    for (i = 0; i < iv->n && owner == NULL; i++)
        if (iv->v[i].o == o && iv->v[i].own_o)
            owner = (struct part *)&iv->v[i];
    if (owner == NULL)
        return 0;
    if (!owner->ack_read) {
        struct gw_ack *v = NULL;
        size_t n = 0;
        struct edi_err e2;

        if ((rc = gw_store_acks(&v, &n, c->store, o->id, "queued", err)) < 0)
            return rc;
        edi_err_clear(&e2);
        /* one that does not read counts as none, as it always did */
        if (n > 0 && v[n - 1].canonical)
            gw_cack_read(&owner->ackdoc, v[n - 1].canonical, strlen(v[n - 1].canonical), &e2);
        owner->ack_read = 1;
        gw_acks_free(v, n);
    }
    *out = gw_cack_cost(owner->ackdoc, line_no);
    return 0;
}

static const char *or0(const char *v)
{
    return v && *v ? v : "0";
}

/* The sum of amounts, as text. */
static const char *sum_str(char *buf, size_t cap, struct gw_dec v)
{
    return gw_dec_str(buf, cap, v);
}

/* Compares the invoice with the POs, acknowledgments and shipments of its
 * parts, and checks its arithmetic. Each mismatch is a finding naming the
 * PO, the line and both values. */
static int match(struct edi_findings *f, struct gw_ctx *c, const struct gw_cinvoice *inv, struct inv *iv,
                 struct edi_err *err)
{
    struct gw_dec line_total = GW_DEC_ZERO;
    char s1[GW_DEC_STRLEN], s2[GW_DEC_STRLEN], s3[GW_DEC_STRLEN];
    size_t i, j;
    int rc = 0;

    if ((rc = load_dues(c, iv, err)) < 0)
        return rc;
    /* goods a replacement took back after they were invoiced: never
     * billed again, and never silently netted; the invoice waits */
    for (i = 0; i < iv->ndues; i++) {
        const struct due *d = &iv->dues[i];

        if (gw_dec_sign(d->due) >= 0)
            continue;
        gw_finding(f, "replaced-after-billing", 0,
                   "PO %s line %d: shipment %s (now version %d) ships %s, but invoice %s billed %s: %s billed too many "
                   "(a credit for Amazon)",
                   d->po, d->line_no, d->shipment_id, d->version, gw_dec_str(s1, sizeof(s1), d->shipped),
                   d->by[0] ? d->by : "?", gw_dec_str(s2, sizeof(s2), d->billed),
                   gw_dec_str(s3, sizeof(s3), gw_dec_neg(d->due)));
    }
    for (j = 0; j < inv->nlines && rc == 0; j++) {
        const struct gw_cinvoice_line *il = &inv->lines[j];
        const char *po = il->po_number, *no = il->line_no, *qty = il->quantity.text;
        const char *price = il->unit_price ? il->unit_price : "", *amount = il->line_amount ? il->line_amount : "";
        const char *po_cost, *ack;
        const struct gw_corder_line *ol;
        const struct part *pt;
        struct gw_dec shipped, expect;
        int any;

        line_total = gw_dec_add(line_total, gw_dec_parse(amount, 1));
        if ((pt = part_of_po(iv, po)) == NULL) {
            gw_finding(f, "po-not-shipped", 0, "PO %s line %s: no shipment of this PO is billed by the invoice", po, no);
            continue;
        }
        if ((ol = gw_corder_line_text(pt->odoc, no)) == NULL) {
            gw_finding(f, "line-unknown", 0, "PO %s has no line %s", po, no);
            continue;
        }
        /* SPEC: RULES.md 810 — unit cost = acknowledged cost = PO cost */
        po_cost = ol->unit_cost ? ol->unit_cost : "";
        if ((rc = ack_cost(&ack, c, iv, pt->o, no, err)) < 0)
            break;
        if (gw_dec_cmp(il->price, ol->cost) != 0)
            gw_finding(f, "cost-mismatch", 0, "PO %s line %s: invoiced unit cost %s, the PO's is %s", po, no, price,
                    po_cost);
        else if (ack && *ack && gw_dec_cmp(gw_dec_parse(ack, 1), ol->cost) != 0)
            gw_finding(f, "cost-mismatch", 0, "PO %s line %s: unit cost %s on the PO, %s acknowledged", po, no,
                    po_cost, ack);
        /* invoiced quantity = shipped in force - billed before */
        shipped = due_of(&any, iv, pt->o->id, (int)strtol(no, NULL, 10));
        if (gw_dec_cmp(il->quantity.v, shipped) != 0) {
            struct gw_dec before = GW_DEC_ZERO;
            size_t m;

            for (m = 0; m < iv->ndues; m++)
                if (iv->dues[m].order_id == pt->o->id && iv->dues[m].line_no == (int)strtol(no, NULL, 10))
                    before = gw_dec_add(before, iv->dues[m].billed);
            if (gw_dec_is_zero(before))
                gw_finding(f, "quantity-mismatch", 0, "PO %s line %s: invoiced quantity %s, shipped %s", po, no,
                           qty, gw_dec_str(s1, sizeof(s1), shipped));
            else
                gw_finding(f, "quantity-mismatch", 0,
                           "PO %s line %s: invoiced quantity %s, but %s is left to bill (%s billed before)", po, no,
                           qty, gw_dec_str(s1, sizeof(s1), shipped), gw_dec_str(s2, sizeof(s2), before));
        }
        expect = gw_dec_round(gw_dec_mul(il->quantity.v, il->price), 2, 0);
        if (gw_dec_cmp(expect, il->amount) != 0)
            gw_finding(f, "line-amount", 0, "PO %s line %s: line amount %s, but %s x %s = %s", po, no, amount, qty,
                    price, gw_dec_str(s1, sizeof(s1), expect));
    }
    /* every line left to bill is invoiced */
    for (i = 0; i < iv->ndues && rc == 0; i++) {
        const struct due *d = &iv->dues[i];
        char no[16];

        if (gw_dec_sign(d->due) <= 0)
            continue;
        snprintf(no, sizeof(no), "%d", d->line_no);
        /* by number: an SP-API DF line is "00001" (itemSequenceNumber) */
        for (j = 0; j < inv->nlines; j++)
            if (strcmp(inv->lines[j].po_number, d->po) == 0 && strtol(inv->lines[j].line_no, NULL, 10) == d->line_no)
                break;
        if (j == inv->nlines)
            gw_finding(f, "quantity-mismatch", 0, "PO %s line %d: shipped %s in %s, not invoiced", d->po, d->line_no,
                       gw_dec_str(s1, sizeof(s1), d->due), d->shipment_id);
    }
    /* the arithmetic, in exact decimals */
    {
        const char *v = inv->line_total ? inv->line_total : "";
        const char *charges_total = inv->charges_total ? inv->charges_total : "";
        const char *allow_total = inv->allowances_total ? inv->allowances_total : "";
        const char *tax_total = inv->tax_total ? inv->tax_total : "";
        struct gw_dec w, total;
        int has_line_taxes = 0;

        if (gw_dec_cmp(gw_dec_parse(v, 1), line_total) != 0)
            gw_finding(f, "total-mismatch", 0, "line total %s, but the lines add up to %s", v,
                       sum_str(s1, sizeof(s1), line_total));
        w = GW_DEC_ZERO;
        for (i = 0; i < inv->ncharges; i++)
            w = gw_dec_add(w, gw_dec_parse(inv->charges[i].amount, 1));
        for (j = 0; j < inv->nlines; j++)
            for (i = 0; i < inv->lines[j].ncharges; i++)
                w = gw_dec_add(w, gw_dec_parse(inv->lines[j].charges[i].amount, 1));
        if (gw_dec_cmp(gw_dec_parse(charges_total, 1), w) != 0)
            gw_finding(f, "total-mismatch", 0, "charges total %s, but the charges add up to %s", or0(charges_total),
                       sum_str(s1, sizeof(s1), w));
        w = GW_DEC_ZERO;
        for (i = 0; i < inv->nallowances; i++)
            w = gw_dec_add(w, gw_dec_parse(inv->allowances[i].amount, 1));
        for (j = 0; j < inv->nlines; j++)
            for (i = 0; i < inv->lines[j].nallowances; i++)
                w = gw_dec_add(w, gw_dec_parse(inv->lines[j].allowances[i].amount, 1));
        if (gw_dec_cmp(gw_dec_parse(allow_total, 1), w) != 0)
            gw_finding(f, "total-mismatch", 0, "allowances total %s, but the allowances add up to %s", or0(allow_total),
                       sum_str(s1, sizeof(s1), w));
        w = GW_DEC_ZERO;
        for (i = 0; i < inv->ntaxes; i++)
            w = gw_dec_add(w, gw_dec_parse(inv->taxes[i].amount, 1));
        if (gw_dec_cmp(gw_dec_parse(tax_total, 1), w) != 0)
            gw_finding(f, "tax-mismatch", 0, "tax total %s, but the header taxes add up to %s", or0(tax_total),
                       sum_str(s1, sizeof(s1), w));
        /* SPEC: RULES.md 810 — header tax = the sum of the line taxes, per type */
        for (j = 0; j < inv->nlines; j++)
            has_line_taxes |= inv->lines[j].has_taxes;
        for (i = 0; i < inv->ntaxes; i++) {
            const char *type = inv->taxes[i].type ? inv->taxes[i].type : "";
            const char *amount = inv->taxes[i].amount ? inv->taxes[i].amount : "";
            struct gw_dec lines_tax = GW_DEC_ZERO;
            size_t m;

            for (j = 0; j < inv->nlines; j++)
                for (m = 0; m < inv->lines[j].ntaxes; m++)
                    if (strcmp(inv->lines[j].taxes[m].type ? inv->lines[j].taxes[m].type : "", type) == 0)
                        lines_tax = gw_dec_add(lines_tax, gw_dec_parse(inv->lines[j].taxes[m].amount, 1));
            if (has_line_taxes && gw_dec_cmp(gw_dec_parse(amount, 1), lines_tax) != 0)
                gw_finding(f, "tax-mismatch", 0, "header %s tax %s, but the line taxes add up to %s", type, amount,
                        sum_str(s1, sizeof(s1), lines_tax));
        }
        total = gw_dec_add(gw_dec_sub(gw_dec_add(line_total, gw_dec_parse(charges_total, 1)),
                                      gw_dec_parse(allow_total, 1)),
                           gw_dec_parse(tax_total, 1));
        v = inv->invoice_total ? inv->invoice_total : "";
        if (gw_dec_cmp(gw_dec_parse(v, 1), total) != 0)
            gw_finding(f, "total-mismatch", 0,
                    "invoice total %s, but lines %s + charges %s - allowances %s + tax %s = %s", v,
                    sum_str(s1, sizeof(s1), line_total), or0(charges_total), or0(allow_total), or0(tax_total),
                    sum_str(s2, sizeof(s2), total));
        /* SPEC: RULES.md 810 — no zero totals */
        if (gw_dec_cmp(gw_dec_parse(v, 1), GW_DEC_ZERO) <= 0)
            gw_finding(f, "zero-total", 0, "invoice total %s: Amazon refuses an invoice of zero", or0(v));
    }
    return rc;
}

/* ---- keeping and queueing ----------------------------------------------------------------------- */

/* v, "" when NULL, cut to cap - 1 bytes */
static const char *cut(char *buf, size_t cap, const char *v)
{
    snprintf(buf, cap, "%s", v ? v : "");
    return buf;
}


/* The ERP file exchange: JSON (local/invoice-to-erp-json) and CSV, one
 * row per line, queued in the outbox inside the invoice's transaction
 * (gw_erp_write): a crash loses both or neither. */
static int export_invoice(struct gw_ctx *c, const struct gw_partner *p, const char *number,
                          const char *state, const struct gw_cdoc *doc, struct edi_err *err)
{
    struct gw_cinvoice *inv = NULL;
    struct edi_buf csv;
    char total[64], po[64], no[16], qty[64], price[64], amount[64];
    size_t k;
    int rc;

    edi_buf_init(&csv, 0);
    if (c->cfg->erp_csv) {
        if ((rc = gw_cdoc_invoice(&inv, doc, err)) < 0) {
            edi_buf_dispose(&csv);
            return rc;
        }
        edi_buf_puts(&csv, "partner,invoice_number,state,invoice_total,po_number,line_no,quantity,unit_price,line_amount\n");
        /* the columns keep the widths they always had */
        cut(total, sizeof(total), inv->invoice_total);
        for (k = 0; k < inv->nlines; k++) {
            const struct gw_cinvoice_line *l = &inv->lines[k];

            gw_csv_field(&csv, p->id, 0);
            gw_csv_field(&csv, number, 0);
            gw_csv_field(&csv, state, 0);
            gw_csv_field(&csv, total, 0);
            gw_csv_field(&csv, cut(po, sizeof(po), l->po_number), 0);
            gw_csv_field(&csv, cut(no, sizeof(no), l->line_no), 0);
            gw_csv_field(&csv, cut(qty, sizeof(qty), l->quantity.text), 0);
            gw_csv_field(&csv, cut(price, sizeof(price), l->unit_price), 0);
            gw_csv_field(&csv, cut(amount, sizeof(amount), l->line_amount), 1);
        }
        gw_cinvoice_free(inv);
    }
    rc = gw_erp_write(c, p->id, "invoice", number, state, "local/invoice-to-erp-json", doc, &csv, err);
    edi_buf_dispose(&csv);
    return rc;
}

/* The findings as text, one per line. */
static char *findings_text(const struct edi_findings *f)
{
    struct edi_buf b;
    size_t i;
    char *s;

    edi_buf_init(&b, 0);
    for (i = 0; i < f->n; i++) {
        if (f->v[i].severity != EDI_SEV_ERROR)
            continue;
        edi_buf_puts(&b, f->v[i].code);
        edi_buf_puts(&b, ": ");
        edi_buf_puts(&b, f->v[i].msg);
        edi_buf_putc(&b, '\n');
    }
    s = edi_xstrdup(b.n ? edi_buf_cstr(&b) : "");
    edi_buf_dispose(&b);
    return s;
}

/* Orders whose shipments in force are all billed, and that shipped in
 * full, become invoiced. */
static int orders_invoiced(struct gw_ctx *c, const struct inv *iv, struct edi_err *err)
{
    size_t i, k;
    int rc = 0;

    for (i = 0; i < iv->n && rc == 0; i++) {
        int64_t left = 0;

        for (k = 0; k < i && iv->v[k].o != iv->v[i].o; k++)
            ;
        if (k < i || strcmp(iv->v[i].o->state, GW_ORDER_SHIPPED) != 0)
            continue;
        if ((rc = gw_store_order_unbilled(&left, c->store, iv->v[i].o->id, err)) == 0 && left == 0)
            rc = gw_store_set_order_state(c->store, iv->v[i].o->id, GW_ORDER_INVOICED, "every shipment invoiced",
                                          c->now, err);
    }
    return rc;
}

/* Records what a new invoice bills of each line: what was left to bill. */
static int bill_lines(struct gw_ctx *c, const struct inv *iv, int64_t invoice_id, struct edi_err *err)
{
    struct gw_billed_line *v = edi_xcalloc(iv->ndues + 1, sizeof(*v));
    size_t i, k = 0;
    int rc;

    for (i = 0; i < iv->ndues; i++) {
        if (gw_dec_sign(iv->dues[i].due) <= 0 || iv->dues[i].row == 0)
            continue;
        v[k].shipment_row = iv->dues[i].row;
        v[k].order_id = iv->dues[i].order_id;
        v[k].line_no = iv->dues[i].line_no;
        v[k].quantity = edi_xmalloc(GW_DEC_STRLEN);
        gw_dec_str(v[k].quantity, GW_DEC_STRLEN, iv->dues[i].due);
        k++;
    }
    rc = gw_store_add_invoice_lines(c->store, invoice_id, v, k, err);
    while (k > 0)
        free(v[--k].quantity);
    free(v);
    return rc;
}

static void po_list(char *buf, size_t cap, const struct inv *iv)
{
    size_t i, k;

    buf[0] = '\0';
    for (i = 0; i < iv->n; i++) {
        for (k = 0; k < i && iv->v[k].o != iv->v[i].o; k++)
            ;
        if (k == i && strlen(buf) + strlen(iv->v[i].o->po_number) + 2 < cap) {
            if (buf[0])
                strcat(buf, " ");
            strcat(buf, iv->v[i].o->po_number);
        }
    }
}

/*
 * Matches doc, and queues it when it matches (else holds it), in the
 * caller's transaction. existing: the held invoice being matched again
 * (NULL: a new invoice, stored with the bills of iv). *state gets held or
 * queued.
 */
static int settle(const char **state, struct gw_ctx *c, struct inv *iv, const struct gw_cdoc *doc,
                  const char *number, struct gw_invoice *existing, const char *why, struct edi_err *err)
{
    const struct gw_partner *p = iv->p;
    struct edi_findings f;
    struct gw_invoice v;
    struct gw_queued q;
    struct gw_cinvoice *inv = NULL;
    char *text = NULL;
    char total[64], pos[512];
    int rc;

    *state = GW_INV_HELD;
    edi_findings_init(&f, 100);
    memset(&q, 0, sizeof(q));
    if ((rc = gw_cdoc_invoice(&inv, doc, err)) < 0 || (rc = match(&f, c, inv, iv, err)) < 0)
        goto out;
    if (edi_findings_errors(&f) == 0) {
        struct gw_outbound ob = {"810", "IN", "invoice-out", number};

        rc = gw_queue_x12(&q, c, p, &ob, doc, &f, err);
        if (rc == 0)
            *state = GW_INV_QUEUED;
        else if (rc != EDI_ESYNTAX)
            goto out;
        rc = 0;
    }
    text = gw_cdoc_text(doc, NULL);
    cut(total, sizeof(total), inv->invoice_total);
    po_list(pos, sizeof(pos), iv);
    memset(&v, 0, sizeof(v));
    v.partner = (char *)p->id;
    v.program = (char *)(p->program ? p->program : "RP");
    v.number = (char *)number;
    v.state = (char *)*state;
    v.po_numbers = pos;
    v.total = total;
    v.currency = (char *)(p->invoice.currency ? p->invoice.currency : "USD");
    v.canonical = text;
    v.findings = strcmp(*state, GW_INV_HELD) == 0 ? findings_text(&f) : NULL;
    v.document_id = q.document_id;
    v.outbox_id = q.outbox_id;
    if (existing) {
        char w[300];

        v.id = existing->id;
        snprintf(w, sizeof(w), "%s", strcmp(*state, GW_INV_HELD) == 0 ? "matched again: still held" : "matched again: now matches; 810 queued");
        if (strcmp(*state, GW_INV_HELD) != 0 || strcmp(v.findings ? v.findings : "", existing->findings ? existing->findings : "") != 0)
            rc = gw_store_update_invoice(c->store, &v, w, c->now, err);
    } else {
        struct gw_bill bills[MAX_PARTS];
        int64_t id;
        size_t i;
        char w[300];

        for (i = 0; i < iv->n; i++) {
            bills[i].shipment_row = iv->v[i].sh->id;
            bills[i].order_id = iv->v[i].o->id;
        }
        if (strcmp(*state, GW_INV_HELD) == 0)
            snprintf(w, sizeof(w), "%s; held: %s: %s%s", why, f.n ? f.v[0].code : "?", f.n ? f.v[0].msg : "",
                     f.n > 1 ? " (and more: see the findings)" : "");
        else
            snprintf(w, sizeof(w), "%s; 810 queued", why);
        rc = gw_store_add_invoice(&id, c->store, &v, bills, iv->n, w, c->now, err);
        if (rc == 0)
            rc = bill_lines(c, iv, id, err);
    }
    if (rc == 0 && strcmp(*state, GW_INV_QUEUED) == 0)
        rc = orders_invoiced(c, iv, err);
    if (rc == 0 && strcmp(*state, GW_INV_HELD) == 0)
        gw_log(c, "warn", "%s invoice %s held: %s", p->id, number, f.n ? f.v[0].msg : "");
    else if (rc == 0)
        gw_log(c, "info", "%s invoice %s (%s, %s) queued (%s)", p->id, number, pos, total, q.name);
    free(v.findings);
out:
    free(text);
    gw_cinvoice_free(inv);
    edi_findings_dispose(&f);
    return rc;
}

/* One new invoice of the parts, in its own transaction. */
static int invoice_one(struct gw_invoice_summary *sum, struct gw_ctx *c, struct inv *iv,
                       struct edi_err *err)
{
    const struct gw_partner *p = iv->p;
    struct gw_cdoc *doc = NULL;
    const char *state = NULL;
    uint64_t seq;
    char number[64];
    int rc;

    if ((rc = gw_store_begin(c->store, err)) < 0)
        return rc;
    if ((rc = load_dues(c, iv, err)) < 0)
        goto out;
    if (!dues_any(iv)) {
        /* a replacement that neither adds nor takes back goods: the
         * invoice that billed its earlier version covers it */
        size_t i;

        for (i = 0; i < iv->n && rc == 0; i++) {
            int64_t by = 0;
            char why[200];

            if ((rc = gw_store_last_bill(&by, c->store, p->id, iv->v[i].sh->shipment_id, iv->v[i].o->id, err)) < 0 ||
                by == 0)
                continue;
            snprintf(why, sizeof(why), "shipment %s version %d (a replacement) bills nothing new of PO %s: covered here",
                     iv->v[i].sh->shipment_id, iv->v[i].sh->version, iv->v[i].o->po_number);
            rc = gw_store_add_bill(c->store, by, iv->v[i].sh->id, iv->v[i].o->id, why, c->now, err);
            if (rc == 0)
                gw_log(c, "info", "%s: %s", p->id, why);
        }
        if (rc == 0 && (rc = gw_store_commit(c->store, err)) == 0)
            sum->covered++;
        goto out;
    }
    if ((rc = gw_store_next_control(&seq, c->store, p->id, 'V', err)) < 0)
        goto out;
    snprintf(number, sizeof(number), "%s%06llu", p->invoice.number_prefix ? p->invoice.number_prefix : "",
             (unsigned long long)seq);
    if ((rc = build(&doc, c, iv, number, err)) < 0)
        goto out;
    if ((rc = settle(&state, c, iv, doc, number, NULL, "invoice run", err)) < 0 ||
        (rc = export_invoice(c, p, number, state, doc, err)) < 0)
        goto out;
    rc = gw_store_commit(c->store, err);
out:
    if (rc < 0)
        gw_store_rollback(c->store);
    else if (state) {
        if (strcmp(state, GW_INV_HELD) == 0)
            sum->held++;
        else
            sum->queued++;
    }
    gw_cdoc_free(doc);
    return rc;
}

/* Held invoices of a partner, matched again. */
static int recheck(struct gw_invoice_summary *sum, struct gw_ctx *c, const struct gw_partner *p,
                   struct edi_err *err)
{
    struct gw_invoice **v = NULL;
    size_t n = 0, i, k;
    int rc;

    if ((rc = gw_store_list_invoices(&v, &n, c->store, GW_INV_HELD, p->id, err)) < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++) {
        struct gw_bill *b = NULL;
        size_t nb = 0;
        struct inv iv;
        struct gw_cdoc *doc = NULL;
        struct edi_err e2;
        const char *state = NULL;

        memset(&iv, 0, sizeof(iv));
        iv.p = p;
        iv.except = v[i]->id;
        if ((rc = gw_store_invoice_bills(&b, &nb, c->store, v[i]->id, err)) < 0)
            break;
        for (k = 0; k < nb && rc == 0; k++) {
            struct gw_shipment *sh = NULL;
            size_t m;
            int own = 1;

            for (m = 0; m < iv.n; m++)
                if (iv.v[m].sh->id == b[k].shipment_row) {
                    sh = iv.v[m].sh;
                    own = 0;
                }
            if (sh == NULL && (rc = gw_store_get_shipment(&sh, c->store, NULL, NULL, b[k].shipment_row, err)) ==
                              EDI_ENOTFOUND)
                rc = 0;     /* gone: nothing of it to bill */
            if (rc < 0)
                break;
            if (sh && (rc = part_add(&iv, c, sh, own, b[k].order_id, err)) < 0)
                break;
        }
        free(b);
        edi_err_clear(&e2);
        /* one that does not read stays held, as it always did */
        if (rc == 0 && v[i]->canonical &&
            gw_cdoc_parse(&doc, v[i]->canonical, strlen(v[i]->canonical), "invoice", &e2) == 0 &&
            (rc = gw_store_begin(c->store, err)) == 0) {
            if ((rc = settle(&state, c, &iv, doc, v[i]->number, v[i], NULL, err)) == 0 &&
                strcmp(state, GW_INV_QUEUED) == 0)
                rc = export_invoice(c, p, v[i]->number, state, doc, err);
            if (rc == 0)
                rc = gw_store_commit(c->store, err);
            else
                gw_store_rollback(c->store);
            if (rc == 0 && strcmp(state, GW_INV_QUEUED) == 0)
                sum->released++;
        }
        gw_cdoc_free(doc);
        inv_dispose(&iv);
    }
    gw_invoices_free(v, n);
    return rc;
}

static int invoice_partner(struct gw_invoice_summary *sum, struct gw_ctx *c, const struct gw_partner *p,
                           struct edi_err *err)
{
    struct gw_shipment **sh = NULL;
    struct gw_cshipment **sdocs = NULL;
    size_t nsh = 0, i, k;
    int df = p->program && strcmp(p->program, "DF") == 0, rc;
    const char *per = df ? "order" : p->invoice.per ? p->invoice.per : "asn-po";
    struct inv iv;
    /* candidates: (shipment index, order id) not billed yet */
    struct cand {
        size_t sh;
        int64_t order_id;
        int done;
    } *cv = NULL;
    size_t nc = 0;

    if ((rc = recheck(sum, c, p, err)) < 0)
        return rc;
    if ((rc = gw_store_list_shipments(&sh, &nsh, c->store, "queued", p->id, err)) < 0)
        return rc;
    sdocs = edi_xcalloc(nsh + 1, sizeof(*sdocs));
    for (i = 0; i < nsh && rc == 0; i++)
        for (k = 0; k < sh[i]->nlines && rc == 0; k++) {
            int64_t billed = 0;
            size_t m;

            for (m = 0; m < nc && !(cv[m].sh == i && cv[m].order_id == sh[i]->lines[k].order_id); m++)
                ;
            if (m < nc)
                continue;
            if ((rc = gw_store_billed(&billed, c->store, sh[i]->id, sh[i]->lines[k].order_id, err)) < 0 || billed)
                continue;
            cv = edi_xrealloc(cv, (nc + 1) * sizeof(*cv));
            cv[nc].sh = i;
            cv[nc].order_id = sh[i]->lines[k].order_id;
            cv[nc].done = 0;
            nc++;
        }
    /* a replacement may drop a PO an earlier version billed: that PO's
     * goods were taken back, so it is a candidate too */
    for (i = 0; i < nsh && rc == 0; i++) {
        int64_t *ords = NULL;
        size_t no = 0;

        if (sh[i]->version <= 1 ||
            (rc = gw_store_billed_elsewhere(&ords, &no, c->store, p->id, sh[i]->shipment_id, sh[i]->id, err)) < 0)
            continue;
        for (k = 0; k < no && rc == 0; k++) {
            int64_t billed = 0;
            size_t m;

            for (m = 0; m < nc && !(cv[m].sh == i && cv[m].order_id == ords[k]); m++)
                ;
            if (m < nc || (rc = gw_store_billed(&billed, c->store, sh[i]->id, ords[k], err)) < 0 || billed)
                continue;
            cv = edi_xrealloc(cv, (nc + 1) * sizeof(*cv));
            cv[nc].sh = i;
            cv[nc].order_id = ords[k];
            cv[nc].done = 0;
            nc++;
        }
        free(ords);
    }
    /* group the candidates into invoices */
    for (i = 0; i < nc && rc == 0 && !(c->stop && *c->stop); i++) {
        if (cv[i].done)
            continue;
        memset(&iv, 0, sizeof(iv));
        iv.p = p;
        for (k = i; k < nc && rc == 0; k++) {
            int same = strcmp(per, "asn") == 0 ? cv[k].sh == cv[i].sh
                       : strcmp(per, "po") == 0 || strcmp(per, "order") == 0 ? cv[k].order_id == cv[i].order_id
                                                                             : k == i;
            if (cv[k].done || !same)
                continue;
            cv[k].done = 1;
            rc = part_add(&iv, c, sh[cv[k].sh], 0, cv[k].order_id, err);
        }
        if (rc == 0 && strcmp(per, "po") == 0 && iv.n > 0 && strcmp(iv.v[0].o->state, GW_ORDER_SHIPPED) != 0) {
            /* per PO: once the order shipped in full */
            sum->waiting++;
        } else if (rc == 0 && iv.n > 0) {
            /* each shipment's canonical document is read once per run */
            for (k = 0; k < iv.n; k++) {
                size_t m;

                for (m = 0; m < nsh && sh[m] != iv.v[k].sh; m++)
                    ;
                if (m < nsh && sdocs[m] == NULL)
                    sdocs[m] = read_shipment(sh[m]);
                iv.v[k].sdoc = m < nsh ? sdocs[m] : NULL;
            }
            rc = invoice_one(sum, c, &iv, err);
        }
        inv_dispose(&iv);
    }
    free(cv);
    for (i = 0; i < nsh; i++)
        gw_cshipment_free(sdocs[i]);
    free(sdocs);
    gw_shipments_free(sh, nsh);
    return rc;
}

int gw_invoice_run(struct gw_invoice_summary *sum, struct gw_ctx *c, const struct gw_partner *only,
                   struct edi_err *err)
{
    size_t i;
    int rc = 0;

    memset(sum, 0, sizeof(*sum));
    for (i = 0; i < c->cfg->npartners && rc == 0; i++) {
        const struct gw_partner *p = &c->cfg->partners[i];

        if ((only && p != only) || !p->invoice.present || gw_partner_map(p, "invoice-out") == NULL)
            continue;
        rc = invoice_partner(sum, c, p, err);
    }
    return rc;
}

/* ---- invoices the ERP made ----------------------------------------------------------------------- */

int gw_invoice_submit(char number[64], struct gw_ctx *c, const char *data, size_t n,
                      struct edi_findings *why, struct edi_err *err)
{
    struct gw_cdoc *doc = NULL;
    struct gw_cinvoice *inv = NULL;
    struct inv iv;
    struct gw_invoice *dup = NULL;
    const char *state = NULL;
    struct edi_err e2;
    char buf[128];
    size_t i, j;
    int rc = 0;

    number[0] = '\0';
    memset(&iv, 0, sizeof(iv));
    edi_err_clear(&e2);
    if (gw_cdoc_parse(&doc, data, n, "invoice", &e2) < 0 || !gw_cdoc_is(doc, "invoice")) {
        gw_finding(why, "not-an-invoice", 0, "the file is not a canonical <invoice> (%s)", GW_CANON_NS);
        rc = EDI_ESYNTAX;
        goto out;
    }
    /* the canonical invoice's own rules first: every problem with its line */
    if ((rc = gw_cdoc_check_schema(c->maps, "canonical/invoice.xsd", doc, why, err)) < 0)
        goto out;
    if (edi_findings_errors(why)) {
        rc = EDI_ESYNTAX;
        goto out;
    }
    if (gw_cdoc_invoice(&inv, doc, &e2) < 0) {
        gw_finding(why, "not-an-invoice", 0, "%s", e2.msg);
        rc = EDI_ESYNTAX;
        goto out;
    }
    cut(number, 64, inv->invoice_number);
    /* the POs of the lines, and their partner */
    for (j = 0; j < inv->nlines && rc == 0; j++) {
        const char *po = inv->lines[j].po_number;
        struct gw_order *o = NULL;
        const struct gw_partner *p = NULL;
        struct gw_shipment **sh = NULL;
        size_t nsh = 0, k, m, found = 0;

        for (i = 0; i < iv.n && strcmp(iv.v[i].o->po_number, po) != 0; i++)
            ;
        if (i < iv.n)
            continue;
        for (i = 0; i < c->cfg->npartners && o == NULL && rc == 0; i++)
            if (c->cfg->partners[i].program &&
                (rc = gw_store_get_order(&o, c->store, c->cfg->partners[i].id, c->cfg->partners[i].program,
                                         po, err)) == 0)
                p = &c->cfg->partners[i];
            else if (rc == EDI_ENOTFOUND)
                rc = 0;
        if (o == NULL) {
            if (rc == 0)
                gw_finding(why, "po-unknown", 0, "PO %s: no such order", po);
            continue;
        }
        if (iv.p && iv.p != p)
            gw_finding(why, "two-partners", 0, "PO %s is %s's, the others %s's: one invoice per partner",
                    po, p->id, iv.p->id);
        iv.p = p;
        /* its shipments in force: those the references name, else all */
        if ((rc = gw_store_list_shipments(&sh, &nsh, c->store, "queued", p->id, err)) == 0)
            for (k = 0; k < nsh && rc == 0; k++) {
                int64_t billed = 0;
                size_t r;

                for (m = 0; m < sh[k]->nlines && sh[k]->lines[m].order_id != o->id; m++)
                    ;
                if (m == sh[k]->nlines)
                    continue;
                for (r = 0; r < inv->nshipment_ids && strcmp(inv->shipment_ids[r], sh[k]->shipment_id) != 0; r++)
                    ;
                if (inv->nshipment_ids > 0 && r == inv->nshipment_ids)
                    continue;
                if ((rc = gw_store_billed(&billed, c->store, sh[k]->id, o->id, err)) < 0)
                    break;
                if (billed) {
                    gw_finding(why, "already-billed", 0, "PO %s: shipment %s is billed already", o->po_number,
                            sh[k]->shipment_id);
                    continue;
                }
                if ((rc = part_add(&iv, c, sh[k], 1, o->id, err)) < 0)
                    break;
                sh[k] = NULL;   /* the part owns it now */
                found++;
            }
        if (rc == 0 && found == 0)
            gw_finding(why, "po-not-shipped", 0, "PO %s: no shipment to bill", o->po_number);
        for (k = 0; k < nsh; k++)
            gw_shipment_free(sh[k]);
        free(sh);
        gw_order_free(o);
    }
    if (rc == 0 && iv.p && number[0] && (rc = gw_store_get_invoice(&dup, c->store, iv.p->id, number, 0, err)) == EDI_ENOTFOUND)
        rc = 0;
    else if (rc == 0 && dup)
        gw_finding(why, "number-reused", 0, "invoice number %s was used before (%s, %s): no number twice", number,
                dup->po_numbers ? dup->po_numbers : "", dup->state);
    if (rc == 0 && !number[0])
        gw_finding(why, "number-missing", 0, "the invoice has no invoice-number");
    if (rc == 0 && iv.p == NULL && edi_findings_errors(why) == 0)
        gw_finding(why, "no-lines", 0, "the invoice has no lines");
    if (rc < 0)
        goto out;
    if (edi_findings_errors(why)) {
        rc = EDI_ESYNTAX;
        goto out;
    }
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto out;
    snprintf(buf, sizeof(buf), "submitted by the ERP");
    if ((rc = settle(&state, c, &iv, doc, number, NULL, buf, err)) == 0)
        rc = export_invoice(c, iv.p, number, state, doc, err);
    if (rc == 0)
        rc = gw_store_commit(c->store, err);
    else
        gw_store_rollback(c->store);
out:
    gw_invoice_free(dup);
    gw_cinvoice_free(inv);
    inv_dispose(&iv);
    gw_cdoc_free(doc);
    return rc;
}

int gw_invoice_paid(struct gw_ctx *c, const char *number, const char *why, struct edi_err *err)
{
    struct gw_invoice *v = NULL;
    int rc;

    if ((rc = gw_store_get_invoice(&v, c->store, NULL, number, 0, err)) == EDI_ENOTFOUND)
        return edi_fail(err, EDI_ENOTFOUND, "no invoice %s", number);
    if (rc < 0)
        return rc;
    if (strcmp(v->state, GW_INV_SENT) != 0 && strcmp(v->state, GW_INV_ACCEPTED) != 0 &&
        strcmp(v->state, GW_INV_IN_PROGRESS) != 0 && strcmp(v->state, GW_INV_PARTIALLY_PAID) != 0)
        rc = edi_fail(err, EDI_ESYNTAX,
                      "invoice %s is %s: only a sent, accepted, in-progress or partially-paid invoice is paid",
                      number, v->state);
    else {
        free(v->state);
        v->state = edi_xstrdup(GW_INV_PAID);
        rc = gw_store_update_invoice(c->store, v, why ? why : "paid", c->now, err);
    }
    gw_invoice_free(v);
    return rc;
}

/* ---- what Amazon's Finances API says of an invoice ---------------------------------------------- */

/* SPEC: research/amazon-vc.md 2.6 — InvoiceHeader.invoiceStatus. */
static const struct {
    const char *status, *state, *words;
} AMAZON_STATUS[] = {
    {"IN_PROGRESS", GW_INV_IN_PROGRESS, "Amazon is processing the invoice"},
    {"REJECTED", GW_INV_REJECTED, "Amazon rejected the invoice"},
    {"PARTIALLY_PAID", GW_INV_PARTIALLY_PAID, "Amazon paid part of the invoice"},
    {"PAID", GW_INV_PAID, "Amazon paid the invoice"},
    {"PARTIALLY_DEDUCTED", GW_INV_PARTIALLY_DEDUCTED, "Amazon deducted part of the invoice"},
    {"DEDUCTED", GW_INV_DEDUCTED, "Amazon deducted the invoice"},
};

#define NSTATUS (sizeof(AMAZON_STATUS) / sizeof(AMAZON_STATUS[0]))

const char *gw_invoice_amazon_state(const char *status)
{
    size_t i;

    for (i = 0; status && i < NSTATUS; i++)
        if (strcmp(status, AMAZON_STATUS[i].status) == 0)
            return AMAZON_STATUS[i].state;
    return NULL;
}

/* A value from Amazon on one line of text: control characters become
 * spaces, so a history row stays one line. */
static void put_clean(struct edi_buf *b, const char *s)
{
    for (; s && *s; s++)
        edi_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s && *s ? s : NULL;
}

int gw_invoice_amazon_detail(struct edi_buf *out, const char *json, size_t n, struct edi_err *err)
{
    json_t *m = json_loadb(json, n, 0, NULL), *l, *v, *d;
    const char *status = str_of(m, "invoiceStatus"), *amount = str_of(m, "invoiceAmount");
    const char *paid = str_of(m, "amountPaid"), *cur = str_of(m, "currency"), *words = NULL;
    size_t i, k, x;
    int paying;

    if (!json_is_object(m) || status == NULL || str_of(m, "invoiceNumber") == NULL) {
        json_decref(m);
        return edi_fail(err, EDI_ESYNTAX, "not an invoice status message (invoiceNumber and invoiceStatus)");
    }
    for (i = 0; i < NSTATUS; i++)
        if (strcmp(status, AMAZON_STATUS[i].status) == 0)
            words = AMAZON_STATUS[i].words;
    paying = strcmp(status, "PAID") == 0 || strcmp(status, "PARTIALLY_PAID") == 0;
    if (paying && paid && amount) {
        edi_buf_puts(out, "Amazon paid ");
        put_clean(out, paid);
        edi_buf_puts(out, " of ");
        put_clean(out, amount);
    } else {
        if (words) {
            edi_buf_puts(out, words);
        } else {
            edi_buf_puts(out, "Amazon says ");
            put_clean(out, status);
        }
        if (paid && amount) {
            edi_buf_puts(out, ": paid ");
            put_clean(out, paid);
            edi_buf_puts(out, " of ");
        } else if (amount) {
            edi_buf_puts(out, " (");
        }
        put_clean(out, amount);
    }
    if (amount && cur) {
        edi_buf_putc(out, ' ');
        put_clean(out, cur);
    }
    if (amount && !paid && !(paying && paid))
        edi_buf_putc(out, ')');
    edi_buf_putc(out, '\n');
    json_array_foreach(json_object_get(m, "lines"), i, l) {
        const char *item = str_of(l, "item") ? str_of(l, "item") : str_of(l, "lineItemId");
        json_int_t qv = json_integer_value(json_object_get(l, "quantityVariance"));
        const char *sep = ": ";

        edi_buf_printf(out, "line %lld", (long long)json_integer_value(json_object_get(l, "line")));
        if (item) {
            edi_buf_puts(out, " (");
            put_clean(out, item);
            edi_buf_putc(out, ')');
        }
        json_array_foreach(json_object_get(l, "variances"), k, v) {
            edi_buf_puts(out, sep);
            put_clean(out, str_of(v, "type") ? str_of(v, "type") : "variance");
            json_array_foreach(json_object_get(v, "defects"), x, d) {
                edi_buf_putc(out, ' ');
                put_clean(out, json_string_value(d));
            }
            sep = ", ";
        }
        if (qv != 0) {
            edi_buf_printf(out, "%squantity variance %lld", sep, (long long)qv);
            sep = ", ";
        }
        if (str_of(l, "priceVariance")) {
            edi_buf_printf(out, "%sprice variance ", sep);
            put_clean(out, str_of(l, "priceVariance"));
            sep = ", ";
        }
        if (json_is_integer(json_object_get(l, "paidQuantity")) && json_is_integer(json_object_get(l, "quantity")))
            edi_buf_printf(out, "%spaid %lld of %lld", sep,
                           (long long)json_integer_value(json_object_get(l, "paidQuantity")),
                           (long long)json_integer_value(json_object_get(l, "quantity")));
        edi_buf_putc(out, '\n');
    }
    json_decref(m);
    return 0;
}

/* erp/out/PARTNER-invoice-status-NUMBER.json: the invoice's state and
 * Amazon's word, amounts as decimal strings. */
static int export_status(struct gw_ctx *c, const struct gw_partner *p, const struct gw_invoice *v, json_t *m,
                         const char *state, const char *detail, struct edi_err *err)
{
    json_t *o = json_object(), *vs = json_array();
    const char *nl = strchr(detail, '\n'), *s;
    char *text;
    int rc;

    json_object_set_new(o, "partner", json_string(p->id));
    json_object_set_new(o, "invoice", json_string(v->number));
    json_object_set_new(o, "state", json_string(state));
    json_object_set(o, "amazonStatus", json_object_get(m, "invoiceStatus"));
    if (str_of(m, "currency"))
        json_object_set(o, "currency", json_object_get(m, "currency"));
    if (str_of(m, "invoiceAmount"))
        json_object_set(o, "invoiceAmount", json_object_get(m, "invoiceAmount"));
    if (str_of(m, "amountPaid"))
        json_object_set(o, "amountPaid", json_object_get(m, "amountPaid"));
    if (v->total)
        json_object_set_new(o, "invoiceTotal", json_string(v->total));
    json_object_set_new(o, "summary", json_stringn(detail, nl ? (size_t)(nl - detail) : strlen(detail)));
    for (s = nl ? nl + 1 : ""; *s; s = nl + 1) {
        if ((nl = strchr(s, '\n')) == NULL) {
            json_array_append_new(vs, json_string(s));
            break;
        }
        json_array_append_new(vs, json_stringn(s, (size_t)(nl - s)));
    }
    json_object_set_new(o, "variances", vs);
    json_object_set(o, "lines", json_object_get(m, "lines") ? json_object_get(m, "lines") : json_array());
    if (str_of(m, "lastUpdatedDate"))
        json_object_set(o, "lastUpdatedDate", json_object_get(m, "lastUpdatedDate"));
    text = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    if (text == NULL)
        return edi_fail(err, EDI_ERR, "invoice %s: its status could not be written as JSON", v->number);
    rc = gw_erp_write_json(c, p->id, "invoice-status", v->number, text, strlen(text), err);
    free(text);
    return rc;
}

int gw_invoice_amazon(struct gw_ctx *c, const struct gw_partner *p, const char *json, size_t n, char **reason,
                      struct edi_err *err)
{
    struct gw_invoice *v = NULL;
    struct edi_buf detail;
    struct edi_err je;
    json_t *m = NULL;
    const char *number, *status, *state;
    int changed = 0, rc;

    *reason = NULL;
    edi_buf_init(&detail, 0);
    edi_err_clear(&je);
    if (gw_invoice_amazon_detail(&detail, json, n, &je) < 0) {
        *reason = edi_xstrdup(je.msg);
        edi_buf_dispose(&detail);
        return 0;
    }
    m = json_loadb(json, n, 0, NULL);
    number = str_of(m, "invoiceNumber");
    status = str_of(m, "invoiceStatus");
    if ((rc = gw_store_get_invoice(&v, c->store, p->id, number, 0, err)) == EDI_ENOTFOUND) {
        gw_log(c, "warn", "%s: Amazon's word on invoice %s, which wharf does not have: not recorded", p->id, number);
        rc = 0;
        goto out;
    }
    if (rc < 0)
        goto out;
    if (strcmp(v->state, GW_INV_HELD) == 0) {
        gw_log(c, "warn", "%s: Amazon has an invoice %s (%s) that wharf holds: not recorded", p->id, number, status);
        goto out;
    }
    if ((state = gw_invoice_amazon_state(status)) == NULL) {
        /* a word Amazon added: kept and shown, the state stays */
        gw_log(c, "warn", "%s: invoice %s: Amazon's status %s is new to wharf: the invoice stays %s", p->id, number,
               status, v->state);
        state = v->state;
    }
    rc = gw_store_invoice_amazon(&changed, c->store, v->id, status, edi_buf_cstr(&detail), state, c->now, err);
    if (rc == 0 && changed)
        rc = export_status(c, p, v, m, state, edi_buf_cstr(&detail), err);
    if (rc == 0 && changed)
        gw_log(c, "info", "%s: invoice %s is %s: %.*s", p->id, number, state,
               (int)strcspn(edi_buf_cstr(&detail), "\n"), edi_buf_cstr(&detail));
out:
    gw_invoice_free(v);
    json_decref(m);
    edi_buf_dispose(&detail);
    return rc;
}
