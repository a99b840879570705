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
#include "gateway/flow/invoice.h"

#include "gateway/docs/canon.h"
#include "mappings/map.h"
#include "gateway/flow/outbound.h"

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LIMIT: parts (bills) per invoice */
#define MAX_PARTS 256

struct part {
    struct gw_shipment *sh;
    xmlDocPtr sdoc;                  /* its canonical shipment */
    struct gw_order *o;
    xmlDocPtr odoc;                  /* the canonical order */
    xmlXPathContextPtr ox;
    xmlDocPtr ackdoc;                /* the order's last queued acknowledgment, read once */
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
    char shipped[64], billed[64], due[64];
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
            xmlFreeDoc(iv->v[i].sdoc);
        }
        if (iv->v[i].own_o) {
            xmlFreeDoc(iv->v[i].ackdoc);
            if (iv->v[i].ox)
                xmlXPathFreeContext(iv->v[i].ox);
            gw_order_free(iv->v[i].o);
            xmlFreeDoc(iv->v[i].odoc);
        }
    }
    iv->n = 0;
    free(iv->dues);
    iv->dues = NULL;
    iv->ndues = 0;
    iv->dues_read = 0;
}

static xmlDocPtr read_xml(const char *text, const char *name)
{
    return text ? xmlReadMemory(text, (int)strlen(text), name, NULL, XML_PARSE_NONET) : NULL;
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
        pt->sdoc = read_xml(sh->canonical, "shipment.xml");
    else
        for (i = 0; i < iv->n; i++)
            if (iv->v[i].sh == sh)
                pt->sdoc = iv->v[i].sdoc;
    for (i = 0; i < iv->n; i++)
        if (iv->v[i].o->id == order_id) {
            pt->o = iv->v[i].o;
            pt->odoc = iv->v[i].odoc;
            pt->ox = iv->v[i].ox;
        }
    if (pt->o == NULL) {
        if ((rc = gw_store_get_order_by_id(&pt->o, c->store, order_id, err)) == EDI_ENOTFOUND)
            return edi_fail(err, EDI_ENOTFOUND, "shipment %s names order %lld, which is gone",
                            sh->shipment_id, (long long)order_id);
        if (rc < 0)
            return rc;
        pt->own_o = 1;
        pt->odoc = read_xml(pt->o->canonical, "order.xml");
        if (pt->odoc == NULL) {
            iv->n++;
            return edi_fail(err, EDI_ERR, "order %s: its canonical document does not read", pt->o->po_number);
        }
        pt->ox = gw_xp_new(pt->odoc);
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
            gw_dec_acc(d->shipped, sizeof(d->shipped), '+', in_force->lines[k].quantity);
        }
        if ((rc = gw_store_billed_lines(&b, &nb, c->store, pt->sh->partner, pt->sh->shipment_id, pt->o->id,
                                        iv->except, err)) == 0)
            for (k = 0; k < nb; k++) {
                struct due *d = due_at(iv, pt, b[k].line_no);

                if (in_force && d->row == 0) {
                    d->row = in_force->id;
                    d->version = in_force->version;
                }
                gw_dec_acc(d->billed, sizeof(d->billed), '+', b[k].quantity);
                if (!strstr(d->by, b[k].number) && strlen(d->by) + strlen(b[k].number) + 2 < sizeof(d->by)) {
                    if (d->by[0])
                        strcat(d->by, " ");
                    strcat(d->by, b[k].number);
                }
            }
        gw_billed_lines_free(b, nb);
        gw_shipment_free(f);
    }
    for (i = 0; i < iv->ndues; i++) {
        struct due *d = &iv->dues[i];

        snprintf(d->due, sizeof(d->due), "%s", d->shipped[0] ? d->shipped : "0");
        gw_dec_acc(d->due, sizeof(d->due), '-', d->billed);
    }
    iv->dues_read = rc == 0;
    return rc;
}

/* What is left to bill of an order line, over the invoice's shipments
 * (what a replacement took back is not netted against other shipments:
 * it holds the invoice instead). */
static void due_of(char *q, size_t cap, const struct inv *iv, int64_t order_id, int line_no)
{
    size_t i;

    q[0] = '\0';
    for (i = 0; i < iv->ndues; i++)
        if (iv->dues[i].order_id == order_id && iv->dues[i].line_no == line_no &&
            gw_dec_cmp(iv->dues[i].due, "0") > 0)
            gw_dec_acc(q, cap, '+', iv->dues[i].due);
}

/* 1 when some shipment of the invoice has a positive or negative due. */
static int dues_any(const struct inv *iv)
{
    size_t i;

    for (i = 0; i < iv->ndues; i++)
        if (gw_dec_cmp(iv->dues[i].due, "0") != 0)
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

static void party_address(xmlNodePtr party, const struct gw_address *a)
{
    xmlNodePtr ad;

    if (a == NULL || (a->street1 == NULL && a->city == NULL))
        return;
    ad = gw_el(party, "address", NULL);
    gw_el_opt(ad, "line", a->street1);
    gw_el_opt(ad, "line", a->street2);
    gw_el_opt(ad, "city", a->city);
    gw_el_opt(ad, "state", a->state);
    gw_el_opt(ad, "postal-code", a->postal_code);
    gw_el_opt(ad, "country", a->country);
}

static void charges(xmlNodePtr root, const char *elem, const char *item,
                    const struct gw_invoice_amount *v, size_t n, const char *line_total, char *sum,
                    size_t cap)
{
    xmlNodePtr list = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        char amount[64];
        xmlNodePtr ch;

        if (v[i].amount) {
            snprintf(amount, sizeof(amount), "%s", v[i].amount);
        } else {
            /* a percent of the line total, to the cent */
            snprintf(amount, sizeof(amount), "%s", line_total);
            gw_dec_acc(amount, sizeof(amount), '*', v[i].percent);
            gw_dec_acc(amount, sizeof(amount), '*', "0.01");
        }
        gw_dec_round(amount, sizeof(amount), 2);
        if (gw_dec_cmp(amount, "0") == 0)
            continue;
        if (list == NULL)
            list = gw_el(root, elem, NULL);
        ch = gw_el(list, item, NULL);
        gw_el(ch, "type", v[i].type);
        gw_el_opt(ch, "description", v[i].description);
        gw_el(ch, "amount", amount);
        gw_el_opt(ch, "percent", v[i].percent);
        gw_dec_acc(sum, cap, '+', amount);
    }
}

static void today(char *buf, size_t cap, time_t now)
{
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%d", &tm);
}

/* The canonical invoice of the parts. */
static xmlDocPtr build(struct gw_ctx *c, struct inv *iv, const char *number)
{
    const struct gw_partner *p = iv->p;
    const struct gw_invoice_cfg *ic = &p->invoice;
    int df = p->program && strcmp(p->program, "DF") == 0;
    xmlDocPtr doc = gw_canon_new("invoice");
    xmlNodePtr root = xmlDocGetRootElement(doc), refs, n, lines;
    xmlXPathContextPtr sx = NULL;
    char buf[128], line_total[64] = "", charges_total[64] = "", allow_total[64] = "", tax_total[64] = "";
    char taxsum[16][64];
    size_t i, k, t;

    memset(taxsum, 0, sizeof(taxsum));
    gw_el(root, "program", p->program ? p->program : "RP");
    gw_el(root, "type", "invoice");
    gw_el(root, "invoice-number", number);
    today(buf, sizeof(buf), c->now);
    gw_el(root, "invoice-date", buf);
    gw_el(root, "currency", ic->currency ? ic->currency : "USD");
    /* references: the POs, the PO date when there is one PO, the shipments */
    refs = gw_el(root, "references", NULL);
    for (i = 0; i < iv->n; i++) {
        for (k = 0; k < i && iv->v[k].o != iv->v[i].o; k++)
            ;
        if (k == i)
            gw_el(refs, "po-number", iv->v[i].o->po_number);
    }
    if (iv->n > 0) {
        int one_po = 1;

        for (i = 1; i < iv->n; i++)
            one_po &= iv->v[i].o == iv->v[0].o;
        if (one_po && *gw_xp_text(buf, sizeof(buf), iv->v[0].ox, xmlDocGetRootElement(iv->v[0].odoc),
                                  "c:header/c:order-date"))
            gw_el(refs, "po-date", buf);
    }
    for (i = 0; i < iv->n; i++) {
        for (k = 0; k < i && iv->v[k].sh != iv->v[i].sh; k++)
            ;
        if (k == i)
            gw_el(refs, "shipment-id", iv->v[i].sh->shipment_id);
    }
    if (df && iv->n > 0 &&
        *gw_xp_text(buf, sizeof(buf), iv->v[0].ox, xmlDocGetRootElement(iv->v[0].odoc),
                    "c:header/c:customer-order-number"))
        gw_el(refs, "customer-order-number", buf);
    if (df && iv->n > 0) {
        /* VO: the sales order in wharf's order book */
        snprintf(buf, sizeof(buf), "SO%06lld", (long long)iv->v[0].o->id);
        gw_el(refs, "vendor-order-number", buf);
    }
    /* remit-to, ship-from (the first shipment's), shipped date */
    n = gw_el(root, "remit-to", NULL);
    if (ic->remit_party_id)
        gw_el_attr(n, "id", ic->remit_party_id, "qualifier", "92");
    gw_el_opt(n, "name", ic->remit_name);
    party_address(n, &ic->remit_address);
    if (iv->n > 0 && iv->v[0].sdoc) {
        xmlNodePtr sf;

        sx = gw_xp_new(iv->v[0].sdoc);
        if ((sf = gw_xp_first(sx, xmlDocGetRootElement(iv->v[0].sdoc), "c:ship-from")) != NULL)
            xmlAddChild(root, xmlDocCopyNode(sf, doc, 1));
        if (*gw_xp_text(buf, sizeof(buf), sx, xmlDocGetRootElement(iv->v[0].sdoc), "c:shipped-date")) {
            buf[10] = '\0';
            gw_el(root, "shipped-date", buf);
        }
    }
    /* terms */
    if (ic->terms_type || ic->net_days > 0) {
        char num[24];

        n = gw_el(root, "terms", NULL);
        gw_el_opt(n, "type", ic->terms_type);
        gw_el_opt(n, "basis-date", ic->terms_basis);
        gw_el_opt(n, "discount-percent", ic->discount_percent);
        if (ic->discount_days >= 0 && ic->discount_percent) {
            snprintf(num, sizeof(num), "%d", ic->discount_days);
            gw_el(n, "discount-days", num);
        }
        snprintf(num, sizeof(num), "%d", ic->net_days);
        gw_el(n, "net-days", num);
        gw_el_opt(n, "description", ic->terms_description);
    }
    /* lines: every order line the parts shipped, at the PO's price */
    lines = gw_el(root, "lines", NULL);
    for (i = 0; i < iv->n; i++) {
        const struct part *pt = &iv->v[i];
        xmlXPathObjectPtr ls;
        int j;

        for (k = 0; k < i && iv->v[k].o != pt->o; k++)
            ;
        if (k < i)
            continue;   /* this order's lines are out already */
        pt->ox->node = xmlDocGetRootElement(pt->odoc);
        ls = xmlXPathEvalExpression(BAD_CAST "c:lines/c:line", pt->ox);
        for (j = 0; ls && ls->nodesetval && j < ls->nodesetval->nodeNr; j++) {
            xmlNodePtr ol = ls->nodesetval->nodeTab[j], il, kid;
            char no[16], qty[64], price[64], unit[16], amount[64], cust[80];

            gw_xp_text(no, sizeof(no), pt->ox, ol, "c:line-no");
            due_of(qty, sizeof(qty), iv, pt->o->id, (int)strtol(no, NULL, 10));
            if (!qty[0] || gw_dec_cmp(qty, "0") == 0)
                continue;
            gw_xp_text(price, sizeof(price), pt->ox, ol, "c:unit-cost");
            gw_xp_text(unit, sizeof(unit), pt->ox, ol, "c:ordered-quantity/@unit");
            il = gw_el(lines, "line", NULL);
            gw_el(il, "line-no", no);
            gw_el(il, "po-number", pt->o->po_number);
            if (df) {
                snprintf(cust, sizeof(cust), "SO%06lld", (long long)pt->o->id);
                gw_el(il, "vendor-order-number", cust);
            }
            if (df && *gw_xp_text(cust, sizeof(cust), pt->ox, xmlDocGetRootElement(pt->odoc),
                                  "c:header/c:customer-order-number"))
                gw_el(il, "customer-order-number", cust);
            for (kid = ol->children; kid; kid = kid->next)
                if (kid->type == XML_ELEMENT_NODE && strcmp((const char *)kid->name, "id") == 0)
                    xmlAddChild(il, xmlDocCopyNode(kid, doc, 1));
            gw_el_attr(il, "invoiced-quantity", qty, "unit", unit[0] ? unit : "EA");
            gw_el_attr(il, "unit-price", price[0] ? price : "0", "basis", "PE");
            /* SPEC: RULES.md 810, vendorInvoices.json netCost/Money (Decimal
             * strings) — the unit cost goes out exactly as the PO sent it
             * (up to 4 decimals, never rounded: it must equal the PO and
             * acknowledged cost); the line is extended quantity x cost in
             * exact decimals and rounded half-up to the cent once, per
             * line. Taxes are taken of that rounded line amount and
             * rounded per line too, because Amazon requires the header tax
             * to be the sum of the line taxes; every total is a sum of
             * rounded amounts and is never rounded again. */
            snprintf(amount, sizeof(amount), "%s", qty);
            gw_dec_acc(amount, sizeof(amount), '*', price[0] ? price : "0");
            gw_dec_round(amount, sizeof(amount), 2);
            gw_el(il, "line-amount", amount);
            gw_dec_acc(line_total, sizeof(line_total), '+', amount);
            /* taxes per line */
            if (ic->ntaxes > 0) {
                xmlNodePtr txs = gw_el(il, "taxes", NULL);

                for (t = 0; t < ic->ntaxes && t < 16; t++) {
                    char tax[64];
                    xmlNodePtr tx = gw_el(txs, "tax", NULL);

                    snprintf(tax, sizeof(tax), "%s", amount);
                    gw_dec_acc(tax, sizeof(tax), '*', ic->taxes[t].rate);
                    gw_dec_acc(tax, sizeof(tax), '*', "0.01");
                    gw_dec_round(tax, sizeof(tax), 2);
                    gw_el(tx, "type", ic->taxes[t].type);
                    gw_el(tx, "rate", ic->taxes[t].rate);
                    gw_el(tx, "amount", tax);
                    gw_dec_acc(taxsum[t], sizeof(taxsum[t]), '+', tax);
                }
            }
        }
        xmlXPathFreeObject(ls);
    }
    if (!line_total[0])
        snprintf(line_total, sizeof(line_total), "0.00");
    /* no goods, no charges: an invoice held for goods a replacement took
     * back bills nothing of its own */
    if (lines->children) {
        charges(root, "charges", "charge", ic->charges, ic->ncharges, line_total, charges_total,
                sizeof(charges_total));
        charges(root, "allowances", "allowance", ic->allowances, ic->nallowances, line_total, allow_total,
                sizeof(allow_total));
    }
    if (ic->ntaxes > 0) {
        xmlNodePtr txs = gw_el(root, "taxes", NULL);

        for (t = 0; t < ic->ntaxes && t < 16; t++) {
            xmlNodePtr tx = gw_el(txs, "tax", NULL);

            gw_el(tx, "type", ic->taxes[t].type);
            gw_el(tx, "rate", ic->taxes[t].rate);
            gw_el(tx, "amount", taxsum[t][0] ? taxsum[t] : "0.00");
            gw_dec_acc(tax_total, sizeof(tax_total), '+', taxsum[t]);
        }
    }
    n = gw_el(root, "totals", NULL);
    {
        char total[64];

        gw_dec_round(line_total, sizeof(line_total), 2);
        gw_dec_round(charges_total, sizeof(charges_total), 2);
        gw_dec_round(allow_total, sizeof(allow_total), 2);
        gw_dec_round(tax_total, sizeof(tax_total), 2);
        snprintf(total, sizeof(total), "%s", line_total);
        gw_dec_acc(total, sizeof(total), '+', charges_total);
        gw_dec_acc(total, sizeof(total), '-', allow_total);
        gw_dec_acc(total, sizeof(total), '+', tax_total);
        gw_dec_round(total, sizeof(total), 2);
        gw_el(n, "line-total", line_total);
        gw_el(n, "charges-total", charges_total);
        gw_el(n, "allowances-total", allow_total);
        gw_el(n, "tax-total", tax_total);
        gw_el(n, "invoice-total", total);
    }
    if (sx)
        xmlXPathFreeContext(sx);
    return doc;
}

/* ---- the three-way match --------------------------------------------------------------------- */

/* The unit cost of a line in the order's last queued acknowledgment, ""
 * when there is none (or it carries no cost). The acknowledgment is read
 * once per order (kept in the part that owns the order). */
static int ack_cost(char *out, size_t cap, struct gw_ctx *c, const struct inv *iv, const struct gw_order *o,
                    const char *line_no, struct edi_err *err)
{
    struct part *owner = NULL;
    char expr[160];
    size_t i;
    int rc;

    out[0] = '\0';
    for (i = 0; i < iv->n && owner == NULL; i++)
        if (iv->v[i].o == o && iv->v[i].own_o)
            owner = (struct part *)&iv->v[i];
    if (owner == NULL)
        return 0;
    if (!owner->ack_read) {
        struct gw_ack *v = NULL;
        size_t n = 0;

        if ((rc = gw_store_acks(&v, &n, c->store, o->id, "queued", err)) < 0)
            return rc;
        owner->ackdoc = n > 0 ? read_xml(v[n - 1].canonical, "ack.xml") : NULL;
        owner->ack_read = 1;
        gw_acks_free(v, n);
    }
    if (owner->ackdoc) {
        xmlXPathContextPtr x = gw_xp_new(owner->ackdoc);

        snprintf(expr, sizeof(expr), "c:lines/c:line[c:line-no = '%s']/c:unit-cost", line_no);
        gw_xp_text(out, cap, x, xmlDocGetRootElement(owner->ackdoc), expr);
        xmlXPathFreeContext(x);
    }
    return 0;
}

/* Sum of the amounts expr selects from at. */
static void sum_of(char *acc, size_t cap, xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o;
    int i;

    acc[0] = '\0';
    x->node = at;
    o = xmlXPathEvalExpression(BAD_CAST expr, x);
    for (i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[i]);

        gw_dec_acc(acc, cap, '+', t ? (const char *)t : "0");
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
    if (!acc[0])
        snprintf(acc, cap, "0");
}

/* Compares the invoice with the POs, acknowledgments and shipments of its
 * parts, and checks its arithmetic. Each mismatch is a finding naming the
 * PO, the line and both values. */
static int match(struct edi_findings *f, struct gw_ctx *c, xmlDocPtr doc, struct inv *iv,
                 struct edi_err *err)
{
    xmlXPathContextPtr x = gw_xp_new(doc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlXPathObjectPtr ls;
    char line_total[64] = "", v[64], w[64];
    size_t i;
    int j, rc = 0;

    if ((rc = load_dues(c, iv, err)) < 0) {
        xmlXPathFreeContext(x);
        return rc;
    }
    /* goods a replacement took back after they were invoiced: never
     * billed again, and never silently netted; the invoice waits */
    for (i = 0; i < iv->ndues; i++) {
        const struct due *d = &iv->dues[i];
        char back[64];

        if (gw_dec_cmp(d->due, "0") >= 0)
            continue;
        snprintf(back, sizeof(back), "%s", d->due);
        gw_dec_acc(back, sizeof(back), '*', "-1");
        gw_finding(f, "replaced-after-billing", 0,
                   "PO %s line %d: shipment %s (now version %d) ships %s, but invoice %s billed %s: %s billed too many "
                   "(a credit for Amazon)",
                   d->po, d->line_no, d->shipment_id, d->version, d->shipped[0] ? d->shipped : "0",
                   d->by[0] ? d->by : "?", d->billed, back);
    }
    x->node = root;
    ls = xmlXPathEvalExpression(BAD_CAST "c:lines/c:line", x);
    for (j = 0; ls && ls->nodesetval && j < ls->nodesetval->nodeNr && rc == 0; j++) {
        xmlNodePtr il = ls->nodesetval->nodeTab[j], ol;
        char po[64], no[16], qty[64], price[64], amount[64], expect[64], shipped[64], po_cost[64], ack[64];
        char expr[160];
        const struct part *pt;

        gw_xp_text(po, sizeof(po), x, il, "c:po-number");
        gw_xp_text(no, sizeof(no), x, il, "c:line-no");
        gw_xp_text(qty, sizeof(qty), x, il, "c:invoiced-quantity");
        gw_xp_text(price, sizeof(price), x, il, "c:unit-price");
        gw_xp_text(amount, sizeof(amount), x, il, "c:line-amount");
        gw_dec_acc(line_total, sizeof(line_total), '+', amount);
        if ((pt = part_of_po(iv, po)) == NULL) {
            gw_finding(f, "po-not-shipped", 0, "PO %s line %s: no shipment of this PO is billed by the invoice", po, no);
            continue;
        }
        snprintf(expr, sizeof(expr), "c:lines/c:line[c:line-no = '%s']", no);
        if ((ol = gw_xp_first(pt->ox, xmlDocGetRootElement(pt->odoc), expr)) == NULL) {
            gw_finding(f, "line-unknown", 0, "PO %s has no line %s", po, no);
            continue;
        }
        /* SPEC: RULES.md 810 — unit cost = acknowledged cost = PO cost */
        gw_xp_text(po_cost, sizeof(po_cost), pt->ox, ol, "c:unit-cost");
        if ((rc = ack_cost(ack, sizeof(ack), c, iv, pt->o, no, err)) < 0)
            break;
        if (gw_dec_cmp(price, po_cost) != 0)
            gw_finding(f, "cost-mismatch", 0, "PO %s line %s: invoiced unit cost %s, the PO's is %s", po, no, price,
                    po_cost);
        else if (ack[0] && gw_dec_cmp(ack, po_cost) != 0)
            gw_finding(f, "cost-mismatch", 0, "PO %s line %s: unit cost %s on the PO, %s acknowledged", po, no,
                    po_cost, ack);
        /* invoiced quantity = shipped in force - billed before */
        due_of(shipped, sizeof(shipped), iv, pt->o->id, (int)strtol(no, NULL, 10));
        if (gw_dec_cmp(qty, shipped) != 0) {
            char before[64] = "";
            size_t m;

            for (m = 0; m < iv->ndues; m++)
                if (iv->dues[m].order_id == pt->o->id && iv->dues[m].line_no == (int)strtol(no, NULL, 10))
                    gw_dec_acc(before, sizeof(before), '+', iv->dues[m].billed);
            if (gw_dec_cmp(before, "0") == 0)
                gw_finding(f, "quantity-mismatch", 0, "PO %s line %s: invoiced quantity %s, shipped %s", po, no,
                           qty, shipped[0] ? shipped : "0");
            else
                gw_finding(f, "quantity-mismatch", 0,
                           "PO %s line %s: invoiced quantity %s, but %s is left to bill (%s billed before)", po, no,
                           qty, shipped[0] ? shipped : "0", before);
        }
        snprintf(expect, sizeof(expect), "%s", qty);
        gw_dec_acc(expect, sizeof(expect), '*', price);
        gw_dec_round(expect, sizeof(expect), 2);
        if (gw_dec_cmp(expect, amount) != 0)
            gw_finding(f, "line-amount", 0, "PO %s line %s: line amount %s, but %s x %s = %s", po, no, amount, qty,
                    price, expect);
    }
    xmlXPathFreeObject(ls);
    /* every line left to bill is invoiced */
    for (i = 0; i < iv->ndues && rc == 0; i++) {
        const struct due *d = &iv->dues[i];
        char expr[200];

        if (gw_dec_cmp(d->due, "0") <= 0)
            continue;
        snprintf(expr, sizeof(expr), "c:lines/c:line[c:po-number = '%s' and c:line-no = '%d']", d->po, d->line_no);
        if (gw_xp_first(x, root, expr) == NULL)
            gw_finding(f, "quantity-mismatch", 0, "PO %s line %d: shipped %s in %s, not invoiced", d->po, d->line_no,
                       d->due, d->shipment_id);
    }
    /* the arithmetic, in exact decimals */
    if (!line_total[0])
        snprintf(line_total, sizeof(line_total), "0");
    gw_xp_text(v, sizeof(v), x, root, "c:totals/c:line-total");
    if (gw_dec_cmp(v, line_total) != 0)
        gw_finding(f, "total-mismatch", 0, "line total %s, but the lines add up to %s", v, line_total);
    {
        char charges_total[64], allow_total[64], tax_total[64], total[64], lines_tax[64];
        xmlXPathObjectPtr tx;
        int t;

        sum_of(w, sizeof(w), x, root, "c:charges/c:charge/c:amount | c:lines/c:line/c:charges/c:charge/c:amount");
        gw_xp_text(charges_total, sizeof(charges_total), x, root, "c:totals/c:charges-total");
        if (gw_dec_cmp(charges_total, w) != 0)
            gw_finding(f, "total-mismatch", 0, "charges total %s, but the charges add up to %s", charges_total[0] ? charges_total : "0", w);
        sum_of(w, sizeof(w), x, root,
               "c:allowances/c:allowance/c:amount | c:lines/c:line/c:allowances/c:allowance/c:amount");
        gw_xp_text(allow_total, sizeof(allow_total), x, root, "c:totals/c:allowances-total");
        if (gw_dec_cmp(allow_total, w) != 0)
            gw_finding(f, "total-mismatch", 0, "allowances total %s, but the allowances add up to %s", allow_total[0] ? allow_total : "0", w);
        sum_of(w, sizeof(w), x, root, "c:taxes/c:tax/c:amount");
        gw_xp_text(tax_total, sizeof(tax_total), x, root, "c:totals/c:tax-total");
        if (gw_dec_cmp(tax_total, w) != 0)
            gw_finding(f, "tax-mismatch", 0, "tax total %s, but the header taxes add up to %s", tax_total[0] ? tax_total : "0", w);
        /* SPEC: RULES.md 810 — header tax = the sum of the line taxes, per type */
        x->node = root;
        tx = xmlXPathEvalExpression(BAD_CAST "c:taxes/c:tax", x);
        for (t = 0; tx && tx->nodesetval && t < tx->nodesetval->nodeNr; t++) {
            char type[64], amount[64], expr[200];

            gw_xp_text(type, sizeof(type), x, tx->nodesetval->nodeTab[t], "c:type");
            gw_xp_text(amount, sizeof(amount), x, tx->nodesetval->nodeTab[t], "c:amount");
            snprintf(expr, sizeof(expr), "c:lines/c:line/c:taxes/c:tax[c:type = '%s']/c:amount", type);
            sum_of(lines_tax, sizeof(lines_tax), x, root, expr);
            if (gw_xp_first(x, root, "c:lines/c:line/c:taxes") && gw_dec_cmp(amount, lines_tax) != 0)
                gw_finding(f, "tax-mismatch", 0, "header %s tax %s, but the line taxes add up to %s", type, amount,
                        lines_tax);
        }
        xmlXPathFreeObject(tx);
        snprintf(total, sizeof(total), "%s", line_total);
        gw_dec_acc(total, sizeof(total), '+', charges_total);
        gw_dec_acc(total, sizeof(total), '-', allow_total);
        gw_dec_acc(total, sizeof(total), '+', tax_total);
        gw_xp_text(v, sizeof(v), x, root, "c:totals/c:invoice-total");
        if (gw_dec_cmp(v, total) != 0)
            gw_finding(f, "total-mismatch", 0,
                    "invoice total %s, but lines %s + charges %s - allowances %s + tax %s = %s", v,
                    line_total, charges_total[0] ? charges_total : "0", allow_total[0] ? allow_total : "0",
                    tax_total[0] ? tax_total : "0", total);
        /* SPEC: RULES.md 810 — no zero totals */
        if (gw_dec_cmp(v, "0") <= 0)
            gw_finding(f, "zero-total", 0, "invoice total %s: Amazon refuses an invoice of zero", v[0] ? v : "0");
    }
    xmlXPathFreeContext(x);
    return rc;
}

/* ---- keeping and queueing ----------------------------------------------------------------------- */


/* The ERP file exchange: JSON (local/invoice-to-erp-json) and CSV, one
 * row per line, queued in the outbox inside the invoice's transaction
 * (gw_erp_write): a crash loses both or neither. */
static int export_invoice(struct gw_ctx *c, const struct gw_partner *p, const char *number,
                          const char *state, xmlDocPtr doc, struct edi_err *err)
{
    xmlXPathContextPtr x;
    xmlXPathObjectPtr ls;
    struct edi_buf csv;
    char total[64], po[64], no[16], qty[64], price[64], amount[64];
    int k, rc;

    edi_buf_init(&csv, 0);
    if (c->cfg->erp_csv) {
        x = gw_xp_new(doc);
        edi_buf_puts(&csv, "partner,invoice_number,state,invoice_total,po_number,line_no,quantity,unit_price,line_amount\n");
        gw_xp_text(total, sizeof(total), x, xmlDocGetRootElement(doc), "c:totals/c:invoice-total");
        x->node = xmlDocGetRootElement(doc);
        ls = xmlXPathEvalExpression(BAD_CAST "c:lines/c:line", x);
        for (k = 0; ls && ls->nodesetval && k < ls->nodesetval->nodeNr; k++) {
            xmlNodePtr l = ls->nodesetval->nodeTab[k];

            gw_csv_field(&csv, p->id, 0);
            gw_csv_field(&csv, number, 0);
            gw_csv_field(&csv, state, 0);
            gw_csv_field(&csv, total, 0);
            gw_csv_field(&csv, gw_xp_text(po, sizeof(po), x, l, "c:po-number"), 0);
            gw_csv_field(&csv, gw_xp_text(no, sizeof(no), x, l, "c:line-no"), 0);
            gw_csv_field(&csv, gw_xp_text(qty, sizeof(qty), x, l, "c:invoiced-quantity"), 0);
            gw_csv_field(&csv, gw_xp_text(price, sizeof(price), x, l, "c:unit-price"), 0);
            gw_csv_field(&csv, gw_xp_text(amount, sizeof(amount), x, l, "c:line-amount"), 1);
        }
        xmlXPathFreeObject(ls);
        xmlXPathFreeContext(x);
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
        if (gw_dec_cmp(iv->dues[i].due, "0") <= 0 || iv->dues[i].row == 0)
            continue;
        v[k].shipment_row = iv->dues[i].row;
        v[k].order_id = iv->dues[i].order_id;
        v[k].line_no = iv->dues[i].line_no;
        v[k].quantity = (char *)iv->dues[i].due;
        k++;
    }
    rc = gw_store_add_invoice_lines(c->store, invoice_id, v, k, err);
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
static int settle(const char **state, struct gw_ctx *c, struct inv *iv, xmlDocPtr doc,
                  const char *number, struct gw_invoice *existing, const char *why, struct edi_err *err)
{
    const struct gw_partner *p = iv->p;
    struct edi_findings f;
    struct gw_invoice v;
    struct gw_queued q;
    xmlChar *text = NULL;
    char total[64], pos[512];
    int tlen = 0, rc;

    *state = GW_INV_HELD;
    edi_findings_init(&f, 100);
    memset(&q, 0, sizeof(q));
    if ((rc = match(&f, c, doc, iv, err)) < 0)
        goto out;
    if (edi_findings_errors(&f) == 0) {
        struct gw_outbound ob = {"810", "IN", "invoice-out", number, doc};

        rc = gw_queue_x12(&q, c, p, &ob, &f, err);
        if (rc == 0)
            *state = GW_INV_QUEUED;
        else if (rc != EDI_ESYNTAX)
            goto out;
        rc = 0;
    }
    xmlDocDumpFormatMemoryEnc(doc, &text, &tlen, "UTF-8", 1);
    {
        xmlXPathContextPtr x = gw_xp_new(doc);

        gw_xp_text(total, sizeof(total), x, xmlDocGetRootElement(doc), "c:totals/c:invoice-total");
        xmlXPathFreeContext(x);
    }
    po_list(pos, sizeof(pos), iv);
    memset(&v, 0, sizeof(v));
    v.partner = (char *)p->id;
    v.program = (char *)(p->program ? p->program : "RP");
    v.number = (char *)number;
    v.state = (char *)*state;
    v.po_numbers = pos;
    v.total = total;
    v.currency = (char *)(p->invoice.currency ? p->invoice.currency : "USD");
    v.canonical = (char *)text;
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
    xmlFree(text);
    edi_findings_dispose(&f);
    return rc;
}

/* One new invoice of the parts, in its own transaction. */
static int invoice_one(struct gw_invoice_summary *sum, struct gw_ctx *c, struct inv *iv,
                       struct edi_err *err)
{
    const struct gw_partner *p = iv->p;
    xmlDocPtr doc = NULL;
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
    doc = build(c, iv, number);
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
    xmlFreeDoc(doc);
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
        xmlDocPtr doc = NULL;
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
        if (rc == 0 && (doc = read_xml(v[i]->canonical, "invoice.xml")) != NULL &&
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
        xmlFreeDoc(doc);
        inv_dispose(&iv);
    }
    gw_invoices_free(v, n);
    return rc;
}

static int invoice_partner(struct gw_invoice_summary *sum, struct gw_ctx *c, const struct gw_partner *p,
                           struct edi_err *err)
{
    struct gw_shipment **sh = NULL;
    xmlDocPtr *sdocs = NULL;
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
                    sdocs[m] = read_xml(sh[m]->canonical, "shipment.xml");
                iv.v[k].sdoc = m < nsh ? sdocs[m] : NULL;
            }
            rc = invoice_one(sum, c, &iv, err);
        }
        inv_dispose(&iv);
    }
    free(cv);
    for (i = 0; i < nsh; i++)
        xmlFreeDoc(sdocs[i]);
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
    xmlDocPtr doc = xmlReadMemory(data, (int)n, "invoice.xml", NULL, XML_PARSE_NONET);
    xmlXPathContextPtr x = NULL;
    xmlXPathObjectPtr pos = NULL;
    struct inv iv;
    struct gw_invoice *dup = NULL;
    const char *state = NULL;
    char buf[128];
    size_t i;
    int j, rc = 0;

    number[0] = '\0';
    memset(&iv, 0, sizeof(iv));
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL ||
        strcmp((const char *)xmlDocGetRootElement(doc)->name, "invoice") != 0 ||
        xmlDocGetRootElement(doc)->ns == NULL ||
        strcmp((const char *)xmlDocGetRootElement(doc)->ns->href, GW_CANON_NS) != 0) {
        gw_finding(why, "not-an-invoice", 0, "the file is not a canonical <invoice> (%s)", GW_CANON_NS);
        rc = EDI_ESYNTAX;
        goto out;
    }
    /* the canonical invoice's own rules first: every problem with its line */
    if ((rc = map_check_schema(c->maps, "canonical/invoice.xsd", doc, why, err)) < 0)
        goto out;
    if (edi_findings_errors(why)) {
        rc = EDI_ESYNTAX;
        goto out;
    }
    x = gw_xp_new(doc);
    gw_xp_text(number, 64, x, xmlDocGetRootElement(doc), "c:invoice-number");
    /* the POs of the lines, and their partner */
    x->node = xmlDocGetRootElement(doc);
    pos = xmlXPathEvalExpression(BAD_CAST "c:lines/c:line/c:po-number", x);
    for (j = 0; pos && pos->nodesetval && j < pos->nodesetval->nodeNr && rc == 0; j++) {
        xmlChar *po = xmlNodeGetContent(pos->nodesetval->nodeTab[j]);
        struct gw_order *o = NULL;
        const struct gw_partner *p = NULL;
        struct gw_shipment **sh = NULL;
        size_t nsh = 0, k, m, found = 0;

        for (i = 0; i < iv.n && strcmp(iv.v[i].o->po_number, (const char *)po) != 0; i++)
            ;
        if (i < iv.n) {
            xmlFree(po);
            continue;
        }
        for (i = 0; i < c->cfg->npartners && o == NULL && rc == 0; i++)
            if (c->cfg->partners[i].program &&
                (rc = gw_store_get_order(&o, c->store, c->cfg->partners[i].id, c->cfg->partners[i].program,
                                         (const char *)po, err)) == 0)
                p = &c->cfg->partners[i];
            else if (rc == EDI_ENOTFOUND)
                rc = 0;
        if (o == NULL) {
            if (rc == 0)
                gw_finding(why, "po-unknown", 0, "PO %s: no such order", (const char *)po);
            xmlFree(po);
            continue;
        }
        if (iv.p && iv.p != p)
            gw_finding(why, "two-partners", 0, "PO %s is %s's, the others %s's: one invoice per partner",
                    (const char *)po, p->id, iv.p->id);
        iv.p = p;
        /* its shipments in force: those the references name, else all */
        if ((rc = gw_store_list_shipments(&sh, &nsh, c->store, "queued", p->id, err)) == 0)
            for (k = 0; k < nsh && rc == 0; k++) {
                char expr[160];
                int64_t billed = 0;

                for (m = 0; m < sh[k]->nlines && sh[k]->lines[m].order_id != o->id; m++)
                    ;
                if (m == sh[k]->nlines)
                    continue;
                snprintf(expr, sizeof(expr), "c:references/c:shipment-id[. = '%s']", sh[k]->shipment_id);
                if (gw_xp_first(x, xmlDocGetRootElement(doc), "c:references/c:shipment-id") &&
                    gw_xp_first(x, xmlDocGetRootElement(doc), expr) == NULL)
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
        xmlFree(po);
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
    xmlXPathFreeObject(pos);
    if (x)
        xmlXPathFreeContext(x);
    inv_dispose(&iv);
    xmlFreeDoc(doc);
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
    if (strcmp(v->state, GW_INV_SENT) != 0 && strcmp(v->state, GW_INV_ACCEPTED) != 0)
        rc = edi_fail(err, EDI_ESYNTAX, "invoice %s is %s: only a sent or accepted invoice is paid", number, v->state);
    else {
        free(v->state);
        v->state = edi_xstrdup(GW_INV_PAID);
        rc = gw_store_update_invoice(c->store, v, why ? why : "paid", c->now, err);
    }
    gw_invoice_free(v);
    return rc;
}
