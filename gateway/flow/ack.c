/*
 * ackrun.c — acknowledgment decisions, Amazon's rules, and the
 * acknowledgment run (see ackrun.h). A decision is built as a canonical
 * <order-ack> from the order's own canonical document, so product ids and
 * unit costs are exactly what the PO sent; the rules then check the
 * quantities and what was sent before.
 */
#include "gateway/flow/ack.h"
#include "gateway/flow/outbound.h"
#include "gateway/erp/erp.h"
#include "gateway/core/fileio.h"

#include "gateway/docs/cdoc.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void violation(struct edi_findings *v, const char *rule, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void violation(struct edi_findings *v, const char *rule, int line, const char *fmt, ...)
{
    struct edi_finding *fd = edi_findings_add(v, rule, EDI_LV_SET);
    char msg[180];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line > 0)
        edi_finding_msg(fd, "line %d: %s", line, msg);
    else
        edi_finding_msg(fd, "%s", msg);
}

static const char *dec_or_zero(const char *v)
{
    return v && *v ? v : "0";
}

static int is_zero(const char *v)
{
    int rc;

    return map_dec_cmp(dec_or_zero(v), "0", &rc) == 0 && rc == 0;
}

/* A line number: 1 to 6 digits, else 0 (no line has it: the decision
 * naming it is refused as an unknown line). */
static int line_no_of(const char *s)
{
    int n = 0;
    size_t i;

    for (i = 0; s && s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 6)
            return 0;
        n = n * 10 + (s[i] - '0');
    }
    return n;
}

static const struct gw_line_decision *line_decision(const struct gw_decision *d, int line_no)
{
    size_t i;

    for (i = 0; i < d->nlines; i++)
        if (d->lines[i].line_no == line_no)
            return &d->lines[i];
    return NULL;
}

static void status(struct gw_cel *line, const char *word, const char *code, const char *qty, const char *unit,
                   const char *reason, const char *ship_date)
{
    struct gw_cel *st = gw_cel_add(line, "item-status", NULL);

    gw_cel_attr(st, "status", word, "code", code);
    gw_cel_attr(st, "quantity", qty, "unit", unit && *unit ? unit : "EA");
    if (ship_date && *ship_date && strcmp(word, "rejected") != 0)
        gw_cel_add(st, "scheduled-ship-date", ship_date);
    if (reason && *reason && strcmp(word, "rejected") == 0)
        gw_cel_add(st, "reason", reason);
}

/* SPEC: vendorOrders.json OrderItemAcknowledgement.rejectionReason — a
 * rejection reason in wharf's words (temporarily-unavailable, ...) or
 * Amazon's (TemporarilyUnavailable, ...): letters compared without case,
 * so TEMPORARILY_UNAVAILABLE is one too. Returns wharf's word, or NULL
 * when r is none of them. */
static const char *reason_word(const char *r)
{
    static const char *const words[][2] = {
        {"temporarily-unavailable", "TemporarilyUnavailable"},
        {"invalid-product-identifier", "InvalidProductIdentifier"},
        {"obsolete-product", "ObsoleteProduct"},
        {"duplicate-ship-id", "DuplicateShipId"},   /* DF's code 04, wharf's own */
    };
    size_t i;

    for (i = 0; r && i < sizeof(words) / sizeof(words[0]); i++) {
        const char *a = r, *b = words[i][1];

        for (;; a++) {
            while (*a == '-' || *a == '_' || *a == ' ')
                a++;
            if ((*a | 0x20) != (*b | 0x20) || *a == '\0')
                break;
            b++;
        }
        if (*a == '\0' && *b == '\0')
            return words[i][0];
    }
    return NULL;
}

const char *gw_ack_reason(const char *r)
{
    return reason_word(r);
}

/* 1 when d is a calendar date YYYY-MM-DD. */
static int is_date(const char *d)
{
    return d != NULL && edi_iso_date_ok(d, strlen(d));
}

/* SPEC: amazon-vc.md §1.3 — Direct Fulfillment's order status codes
 * (BAK/ACK01); 00 accepts, the others reject the whole order. */
static int is_df_code(const char *code)
{
    static const char *const codes[] = {"00", "02", "03", "04", "05", "06", "07", "08",
                                        "09", "10", "11", "12", "13", "20", "21", "22",
                                        "50", "51", "53", "54", "55", "56", "71"};
    size_t i;

    for (i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(code, codes[i]) == 0)
            return 1;
    return 0;
}

#define DF_CODES "00 02 03 04 05 06 07 08 09 10 11 12 13 20 21 22 50 51 53 54 55 56 71"

/* LIMIT: a quantity is at most 15 characters (X12 ACK02, R 1/15). 1 when q
 * is a decimal of 0 or more (digits, then a point and digits), with no
 * point when whole (eaches). */
static int is_quantity(const char *q, int whole)
{
    size_t i = 0, n = q ? strlen(q) : 0, digits = 0;

    if (n == 0 || n > 15)
        return 0;
    for (; i < n && q[i] >= '0' && q[i] <= '9'; i++)
        digits++;
    if (digits == 0)
        return 0;
    if (i < n && q[i] == '.' && !whole) {
        for (i++, digits = 0; i < n && q[i] >= '0' && q[i] <= '9'; i++)
            digits++;
        if (digits == 0)
            return 0;
    }
    return i == n;
}

/* Each quantity the decision gives a line is a number of the PO's unit:
 * 0 or more, whole for eaches (EA). */
static void check_quantities(struct edi_findings *v, const struct gw_line_decision *ld, const char *unit)
{
    const char *names[] = {"accept", "backorder", "reject"};
    const char *vals[] = {ld->accept, ld->backorder, ld->reject};
    int whole = unit == NULL || *unit == '\0' || strcmp(unit, "EA") == 0, k;

    for (k = 0; k < 3; k++)
        if (vals[k] && !is_quantity(vals[k], whole))
            violation(v, "ack-quantity", ld->line_no,
                      "%s '%s' is not a quantity: %s of %s, 0 or more (at most 15 characters)", names[k],
                      vals[k], whole ? "a whole number" : "a decimal number", whole ? "EA" : unit);
}

/* The quantity text of the first item status word of a line numbered
 * line_no (as a number, as XPath compares them) in an earlier decision,
 * into out ("" when none). */
static void earlier_qty(char *out, size_t cap, const struct gw_cack *a, int line_no, const char *word)
{
    size_t i, k;

    out[0] = '\0';
    for (i = 0; a && i < a->nlines; i++) {
        const struct gw_cack_line *al = &a->lines[i];

        /* a line-no that is no number is no line's (0 only for "0") */
        if (al->no != line_no ||
            (line_no == 0 && (strspn(al->line_no, " \t\r\n0") != strlen(al->line_no) || !strchr(al->line_no, '0'))))
            continue;
        for (k = 0; k < al->nstatuses; k++)
            if (strcmp(al->statuses[k].status, word) == 0) {
                snprintf(out, cap, "%s", al->statuses[k].quantity.text ? al->statuses[k].quantity.text : "");
                return;
            }
    }
}

/* Quantities per status of a line in an earlier decision ("" when none). */
static void earlier(const struct gw_cack *a, int line_no, char *acc, char *bo, char *rej, size_t cap)
{
    earlier_qty(acc, cap, a, line_no, "accepted");
    earlier_qty(bo, cap, a, line_no, "backordered");
    earlier_qty(rej, cap, a, line_no, "rejected");
}

/* What one line of the order gets, worked out before the document is
 * built (its <ack-type> comes before the lines and says what they got). */
struct line_out {
    const struct gw_corder_line *l;
    const char *acc, *bo, *rej, *reason, *ship, *bo_ship;
};

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

int gw_ack_decide(struct gw_ctx *c, const struct gw_order *o, const struct gw_decision *d,
                  struct edi_findings *v, struct edi_err *err)
{
    const struct gw_partner *p = gw_config_partner(c->cfg, o->partner);
    int df = strcmp(o->program, "DF") == 0;
    struct gw_cdoc *order = NULL, *ack = NULL;
    struct gw_corder *co = NULL;
    struct gw_cel *root, *lines, *t;
    struct gw_ack *prev = NULL;
    struct gw_cack **prevs = NULL;
    struct line_out *outs = NULL;
    size_t nprev = 0, i, j;
    int all_full = 1, all_rejected = 1, rc = 0;
    char date[32], lead_date[16] = "";
    struct tm tm;

    if (p == NULL)
        return edi_fail(err, EDI_ECONFIG, "partner %s of order %s is not in wharf.xml", o->partner,
                        o->po_number);
    {
        const char *src = d->duplicate_of ? d->duplicate_of : o->canonical;
        struct edi_err e;

        if (src == NULL || gw_cdoc_parse(&order, src, strlen(src), "order", &e) < 0)
            return edi_fail(err, EDI_ERR, "order %s has no canonical document", o->po_number);
        if (gw_cdoc_order(&co, order, &e) < 0) {
            gw_cdoc_free(order);
            return edi_fail(err, EDI_ERR, "order %s: %s", o->po_number, e.msg);
        }
    }
    if (!d->duplicate_of && (rc = gw_store_acks(&prev, &nprev, c->store, o->id, "queued", err)) < 0)
        goto out;
    /* each earlier decision read once, not once a line */
    prevs = edi_xcalloc(nprev + 1, sizeof(*prevs));
    for (i = 0; i < nprev; i++) {
        struct edi_err e;

        if (prev[i].canonical == NULL ||
            gw_cack_read(&prevs[i], prev[i].canonical, strlen(prev[i].canonical), &e) < 0)
            prevs[i] = NULL;   /* says nothing about the lines */
    }
    gmtime_r(&c->now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (p->backorder_lead_days > 0) {
        time_t tl = c->now + (time_t)p->backorder_lead_days * 86400;
        struct tm lt;

        gmtime_r(&tl, &lt);
        strftime(lead_date, sizeof(lead_date), "%Y-%m-%d", &lt);
    }
    /* everything the decision says is checked now, so that what is kept
     * can be sent: codes and words Amazon knows, dates that exist */
    if (d->df_code && !is_df_code(d->df_code))
        violation(v, "ack-df-code", 0, "code '%s' is not a Direct Fulfillment status code: " DF_CODES,
                  d->df_code);
    else if (d->df_code && !df)
        violation(v, "ack-df-code", 0,
                  "code %s is for Direct Fulfillment orders; %s is %s: reject its lines with a reason",
                  d->df_code, o->po_number, o->program);
    else if (d->df_code && d->reject_all && strcmp(d->df_code, "00") == 0)
        violation(v, "ack-df-code", 0, "code 00 accepts the order: a rejection needs a rejection code (02, 03 ...)");
    if (d->reason && reason_word(d->reason) == NULL)
        violation(v, "ack-reason", 0,
                  "'%s' is not a rejection reason: TemporarilyUnavailable, InvalidProductIdentifier or ObsoleteProduct "
                  "(or temporarily-unavailable, invalid-product-identifier, obsolete-product)",
                  d->reason);
    if (d->ship_date && *d->ship_date && !is_date(d->ship_date))
        violation(v, "ack-ship-date", 0, "ship date '%s' is not a date YYYY-MM-DD", d->ship_date);
    outs = edi_xcalloc(co->nlines + 1, sizeof(*outs));
    for (j = 0; j < co->nlines; j++) {
        const struct gw_corder_line *l = &co->lines[j];
        struct line_out *lo = &outs[j];
        const char *ordered = or_empty(l->ordered.text), *unit = l->ordered.unit;
        const char *backok = or_empty(l->backorder_allowed);
        const struct gw_line_decision *ld;
        const char *acc, *bo, *rej, *reason, *ship, *bo_ship;
        char sum[128], tmp[128];
        int line_no, cmp, crc;

        line_no = line_no_of(l->line_no);
        ld = line_decision(d, line_no);
        if (ld)
            check_quantities(v, ld, unit);
        /* what this line gets: the decision, or everything accepted */
        if (d->reject_all || (d->df_code && strcmp(d->df_code, "00") != 0)) {
            acc = "0", bo = "0", rej = ordered;
        } else if (ld) {
            acc = dec_or_zero(ld->accept), bo = dec_or_zero(ld->backorder), rej = dec_or_zero(ld->reject);
            if (ld->accept == NULL && ld->backorder == NULL && ld->reject == NULL)
                acc = ordered;
        } else {
            acc = ordered, bo = "0", rej = "0";
        }
        reason = ld && ld->reason ? ld->reason : d->reason ? d->reason : "temporarily-unavailable";
        /* SPEC: RULES.md 855 — Amazon's rejection reasons, in its words or wharf's */
        if (reason_word(reason))
            reason = reason_word(reason);
        else if (reason != d->reason && ((ld && ld->reason) || (!is_zero(rej) && !df)))
            violation(v, "ack-reason", line_no,
                      "'%s' is not a rejection reason: TemporarilyUnavailable, InvalidProductIdentifier or ObsoleteProduct "
                      "(or temporarily-unavailable, invalid-product-identifier, obsolete-product)",
                      reason);
        ship = ld && ld->ship_date ? ld->ship_date : d->ship_date;
        if (ship && *ship && !is_date(ship) && ship != d->ship_date)
            violation(v, "ack-ship-date", line_no, "ship date '%s' is not a date YYYY-MM-DD", ship);
        /* SPEC: vendorOrders.json scheduledShipDate, RULES.md 855 — Amazon
         * needs the date a backordered line will ship: the decision's,
         * else today plus the partner's backorder-lead-days */
        bo_ship = ship && *ship ? ship : lead_date[0] ? lead_date : NULL;
        if (!df && !is_zero(bo)) {
            if (bo_ship == NULL)
                violation(v, "ack-backorder-date", line_no,
                          "%s backordered without a scheduled ship date: Amazon needs one; give --ship-date YYYY-MM-DD "
                          "(ERP: ship_date), or set backorder-lead-days on %s's <acknowledge> in wharf.xml",
                          bo, o->partner);
            else if (is_date(bo_ship) && strncmp(bo_ship, date, 10) < 0)
                violation(v, "ack-backorder-date", line_no, "backordered to ship on %s, before today (%.10s)",
                          bo_ship, date);
        }
        /* SPEC: RULES.md 855 — accepted + backordered + rejected = ordered, never above */
        if (map_dec_op(tmp, sizeof(tmp), acc, '+', bo) < 0 ||
            map_dec_op(sum, sizeof(sum), tmp, '+', rej) < 0) {
            violation(v, "ack-quantity", line_no, "the quantities are not decimal numbers");
        } else if ((cmp = map_dec_cmp(sum, ordered, &crc)) != 0) {
            violation(v, "ack-sum", line_no,
                      "accepted %s + backordered %s + rejected %s = %s, but %s were ordered: every unit must be accepted, backordered or rejected, never more",
                      acc, bo, rej, sum, ordered);
        }
        if (!is_zero(bo) && strcmp(backok, "false") == 0)
            violation(v, "ack-backorder-not-allowed", line_no,
                      "the PO does not allow this line to be backordered");
        /* SPEC: RULES.md — DF is fill-or-kill: one status for the whole order */
        if (df && !is_zero(bo))
            violation(v, "ack-df-fill-or-kill", line_no, "Direct Fulfillment has no backorders: accept the whole order or reject it");
        if (df && !is_zero(acc) && !is_zero(rej))
            violation(v, "ack-df-fill-or-kill", line_no, "Direct Fulfillment acknowledges the whole order with one status: no partial lines");
        /* SPEC: RULES.md — an RP line once rejected never becomes accepted or backordered */
        for (i = 0; !df && i < nprev; i++) {
            char pa[64], pb[64], pr[64];

            earlier(prevs[i], line_no, pa, pb, pr, sizeof(pa));
            if (pr[0] && !is_zero(pr) && (!is_zero(acc) || !is_zero(bo)))
                violation(v, "ack-rejected-line", line_no,
                          "rejected in an earlier acknowledgment: a rejected line can never become accepted or backordered");
            /* SPEC: RULES.md — updates within 48 hours of the first
             * acknowledgment; after that only dates may differ from the last */
            if (i + 1 == nprev && c->now - prev[0].queued_at > 48 * 3600 &&
                ((pa[0] && map_dec_cmp(pa, acc, &crc) != 0) || (pb[0] && map_dec_cmp(pb, bo, &crc) != 0) ||
                 (pr[0] && map_dec_cmp(pr, rej, &crc) != 0)))
                violation(v, "ack-update-too-late", line_no,
                          "the first acknowledgment went out more than 48 hours ago: only dates may change now");
        }
        if (!is_zero(bo) || !is_zero(rej))
            all_full = 0;
        if (!is_zero(acc) || !is_zero(bo))
            all_rejected = 0;
        /* the line is sent as the PO sent it: ids, quantity and cost */
        if (l->unit_cost == NULL)
            violation(v, "ack-unit-cost", line_no, "the PO line has no unit cost; Amazon requires it on every acknowledged line");
        *lo = (struct line_out){l, acc, bo, rej, reason, ship, bo_ship};
    }
    for (i = 0; i < d->nlines; i++) {
        int found = 0;

        for (j = 0; j < co->nlines; j++)
            found |= line_no_of(co->lines[j].line_no) == d->lines[i].line_no;
        if (!found)
            violation(v, "ack-unknown-line", d->lines[i].line_no, "the PO has no such line");
    }
    if (co->nlines == 0)
        violation(v, "ack-no-lines", 0, "the order has no lines to acknowledge");
    if (df && co->ship_from.el == NULL)
        violation(v, "ack-df-ship-from", 0, "the DF order names no ship-from warehouse (N1*SF)");
    if (edi_findings_errors(v)) {
        rc = EDI_ESYNTAX;
        goto out;
    }
    /* the acknowledgment: the PO's header, what the lines got, the lines */
    ack = gw_cdoc_new("order-ack");
    root = gw_cdoc_root(ack);
    gw_cel_add(root, "program", or_empty(co->program));
    gw_cel_add(root, "po-number", or_empty(co->po_number));
    if (co->order_date && *co->order_date)
        gw_cel_add(root, "po-date", co->order_date);
    gw_cel_add(root, "ack-date", date);
    gw_cel_attr(root, "ack-type", all_full ? "accepted-no-change" : all_rejected ? "rejected" : "accepted-with-changes",
                "code", all_full ? "AD" : all_rejected ? "RD" : "AC");
    if (df) {
        /* the vendor's order number: the sales order in wharf's order book,
         * as the DF invoice names it (810 IT1 VO); SP-API DF requires it */
        char so[32];

        snprintf(so, sizeof(so), "SO%06lld", (long long)o->id);
        gw_cel_add(root, "vendor-order-number", so);
    }
    gw_cel_copy(root, co->selling_party.el);
    if (df) {
        gw_cel_copy(root, co->ship_from.el);
        t = gw_cel_add(root, "order-status", NULL);
        gw_cel_add(t, "code", d->df_code ? d->df_code : all_rejected ? "03" : "00");
    }
    lines = gw_cel_add(root, "lines", NULL);
    for (j = 0; j < co->nlines; j++) {
        const struct line_out *lo = &outs[j];
        struct gw_cel *al = gw_cel_add(lines, "line", NULL);

        gw_cel_add(al, "line-no", lo->l->line_no);
        gw_cel_copy_kids(al, lo->l->el, "id", 1);
        gw_cel_copy_kids(al, lo->l->el, "ordered-quantity", 0);
        gw_cel_copy_kids(al, lo->l->el, "unit-cost", 0);
        if (!is_zero(lo->acc))
            status(al, "accepted", "IA", lo->acc, lo->l->ordered.unit, NULL, lo->ship);
        if (!is_zero(lo->bo))
            status(al, "backordered", "IB", lo->bo, lo->l->ordered.unit, NULL, lo->bo_ship);
        if (!is_zero(lo->rej))
            status(al, "rejected", "IR", lo->rej, lo->l->ordered.unit, lo->reason, NULL);
    }
    {
        char *mem = gw_cdoc_text(ack, NULL);
        int64_t id;
        char why[200];

        if ((rc = gw_store_begin(c->store, err)) < 0) {
            free(mem);
            goto out;
        }
        rc = gw_store_add_ack(&id, c->store, o->id, d->actor ? d->actor : "operator", mem, c->now, err);
        free(mem);
        snprintf(why, sizeof(why), "%s by %s: %s", all_rejected ? "rejected" : "approved",
                 d->actor ? d->actor : "operator",
                 all_full ? "every line accepted in full" : all_rejected ? "every line rejected"
                                                          : "accepted with changes");
        if (d->duplicate_of)
            snprintf(why, sizeof(why), "duplicate Ship ID: an 855 with code %s is pending",
                     d->df_code ? d->df_code : "04");
        if (rc == 0)
            rc = gw_store_set_order_state(c->store, o->id,
                                          d->duplicate_of ? o->state
                                          : all_rejected  ? GW_ORDER_REJECTED
                                                          : GW_ORDER_APPROVED,
                                          why, c->now, err);
        if (rc == 0)
            rc = gw_store_commit(c->store, err);
        else
            gw_store_rollback(c->store);
    }
out:
    for (i = 0; prevs && i < nprev; i++)
        gw_cack_free(prevs[i]);
    free(prevs);
    free(outs);
    gw_acks_free(prev, nprev);
    gw_cdoc_free(ack);
    gw_corder_free(co);
    gw_cdoc_free(order);
    return rc;
}

/* ---- automatic decisions ------------------------------------------------------------------- */

struct stock {
    char sku[64];
    char available[64];
};

/* The ERP's stock (sku,warehouse,available; a header line is skipped);
 * the same SKU in several warehouses adds up. None when the ERP has none. */
static size_t read_stock(struct stock **out, struct gw_ctx *c)
{
    const struct gw_erp_type *et;
    struct gw_erp *e;
    struct gw_erp_item *items = NULL;
    struct stock *v = NULL;
    struct edi_err err;
    size_t nitems = 0, n = 0, i, k;

    *out = NULL;
    if (gw_erp_open(&et, &e, c, GW_ERP_STOCK, &err) < 0)
        return 0;
    if (et->pull(e, GW_ERP_STOCK, &items, &nitems, &err) < 0)
        nitems = 0;
    for (k = 0; k < nitems; k++) {
        char *save = NULL, *line;

        for (line = strtok_r(items[k].data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *f = NULL;
            char *sku = strtok_r(line, ",\r", &f), *wh = sku ? strtok_r(NULL, ",\r", &f) : NULL;
            char *avail = wh ? strtok_r(NULL, ",\r", &f) : NULL, sum[64];
            int rc;

            if (avail == NULL || map_dec_cmp(avail, "0", &rc) < -1 || rc < 0)
                continue;   /* the header, or a line that is not a row */
            for (i = 0; i < n && strcmp(v[i].sku, sku) != 0; i++)
                ;
            if (i == n) {
                v = edi_xrealloc(v, (n + 1) * sizeof(*v));
                snprintf(v[n].sku, sizeof(v[n].sku), "%s", sku);
                snprintf(v[n].available, sizeof(v[n].available), "0");
                n++;
            }
            if (map_dec_op(sum, sizeof(sum), v[i].available, '+', avail) == 0)
                snprintf(v[i].available, sizeof(v[i].available), "%s", sum);
        }
    }
    gw_erp_items_free(items, nitems);
    et->close(e);
    *out = v;
    return n;
}

/* The stock of a line: any of its product ids may be the SKU. */
static const char *stock_of(const struct stock *v, size_t n, const struct gw_corder_line *line)
{
    size_t i, k;

    for (k = 0; k < line->nids; k++)
        for (i = 0; i < n; i++)
            if (strcmp(v[i].sku, line->ids[k].value) == 0)
                return v[i].available;
    return NULL;
}

/* The decision an auto-acknowledging partner gets: everything accepted
 * (auto-all), or up to the stock (read by the caller once a run) for
 * auto-stock: the rest backordered where the line allows it, else rejected
 * TemporarilyUnavailable; DF accepts (00) only when every line ships in
 * full, else 03 (out of stock) or 02 (a SKU not in the stock file). Keeps
 * it like gw_ack_decide. */
static int ack_auto(struct gw_ctx *c, const struct gw_order *o, const struct stock *stock, size_t nstock,
                    struct edi_findings *violations, struct edi_err *err)
{
    const struct gw_partner *p = gw_config_partner(c->cfg, o->partner);
    struct gw_decision d;
    struct gw_line_decision lines[512];
    char qty[512][3][64];
    struct gw_corder *co = NULL;
    struct edi_err e;
    size_t j;
    int df = strcmp(o->program, "DF") == 0, rc;

    memset(&d, 0, sizeof(d));
    d.actor = "auto";
    d.df_code = df ? "00" : NULL;
    if (p == NULL || p->ack_mode != GW_ACK_AUTO_STOCK)
        return gw_ack_decide(c, o, &d, violations, err);
    if (o->canonical == NULL || gw_corder_read(&co, o->canonical, strlen(o->canonical), &e) < 0)
        return edi_fail(err, EDI_ERR, "order %s has no canonical document", o->po_number);
    d.lines = lines;
    for (j = 0; j < co->nlines && d.nlines < 512; j++) {
        const struct gw_corder_line *l = &co->lines[j];
        struct gw_line_decision *ld;
        const char *ordered = l->ordered.text ? l->ordered.text : "";
        const char *backok = l->backorder_allowed ? l->backorder_allowed : "";
        const char *avail;
        int crc;

        ld = &lines[d.nlines];
        memset(ld, 0, sizeof(*ld));
        ld->line_no = line_no_of(l->line_no);
        avail = stock_of(stock, nstock, l);
        if (avail == NULL) {
            /* not in the stock file: not a product we know */
            if (df)
                d.df_code = "02";
            snprintf(qty[d.nlines][2], sizeof(qty[0][2]), "%s", ordered);
            ld->reject = qty[d.nlines][2];
            ld->reason = "invalid-product-identifier";
        } else if (map_dec_cmp(avail, ordered, &crc) >= 0) {
            ld->accept = ordered;
            snprintf(qty[d.nlines][0], sizeof(qty[0][0]), "%s", ordered);
            ld->accept = qty[d.nlines][0];
        } else {
            char rest[64];

            if (df && strcmp(d.df_code, "00") == 0)
                d.df_code = "03";
            snprintf(qty[d.nlines][0], sizeof(qty[0][0]), "%s", map_dec_cmp(avail, "0", &crc) > 0 ? avail : "0");
            map_dec_op(rest, sizeof(rest), ordered, '-', qty[d.nlines][0]);
            snprintf(qty[d.nlines][1], sizeof(qty[0][1]), "%s", rest);
            ld->accept = qty[d.nlines][0];
            /* SPEC: RULES.md — a line may be backordered only where the PO allows it */
            if (!df && strcmp(backok, "false") != 0)
                ld->backorder = qty[d.nlines][1];
            else {
                ld->reject = qty[d.nlines][1];
                ld->reason = "temporarily-unavailable";
            }
        }
        d.nlines++;
    }
    if (df && strcmp(d.df_code, "00") != 0) {
        /* fill-or-kill: the whole order is rejected with one code */
        d.nlines = 0;
        d.reject_all = 1;
    }
    gw_corder_free(co);
    rc = gw_ack_decide(c, o, &d, violations, err);
    return rc;
}

/* ---- the acknowledgment run ------------------------------------------------------------------ */

/* One decision: map, check, envelope, queue. In the caller's transaction.
 * *skipped: 1 another partner's, 2 not sent (why says why: the job fails). */
static int queue_one(struct gw_ctx *c, const struct gw_ack *a, const struct gw_partner *only, int *skipped,
                     char *why, size_t cap, struct edi_err *err)
{
    struct gw_order *o = NULL;
    const struct gw_partner *p;
    struct gw_outbound ob;
    struct gw_queued q;
    struct gw_cdoc *in = NULL;
    struct edi_findings f;
    int rc;

    *skipped = 0;
    edi_findings_init(&f, 50);
    if ((rc = gw_store_get_order_by_id(&o, c->store, a->order_id, err)) == EDI_ENOTFOUND)
        rc = 0;             /* no order: logged below, left pending */
    else if (rc < 0)
        goto out;
    if (o != NULL && only != NULL && strcmp(o->partner, only->id) != 0) {
        *skipped = 1;   /* another partner's: its own run sends it */
        goto out;
    }
    if (o == NULL || (p = gw_config_partner(c->cfg, o->partner)) == NULL ||
        gw_partner_map(p, "order-ack-out") == NULL) {
        gw_log(c, "error", "acknowledgment %lld: no partner or order-ack-out map; left pending",
               (long long)a->id);
        snprintf(why, cap, "acknowledgment %lld%s%s: no partner or order-ack-out map", (long long)a->id,
                 o ? " of " : "", o ? o->po_number : "");
        *skipped = 2;
        goto out;
    }
    if ((rc = gw_cdoc_parse(&in, a->canonical, a->canonical ? strlen(a->canonical) : 0, "order-ack", err)) < 0)
        goto out;
    ob = (struct gw_outbound){"855", "PR", "order-ack-out", o->po_number};
    rc = gw_queue_x12(&q, c, p, &ob, in, &f, err);
    if (rc == EDI_ESYNTAX) {
        gw_log(c, "error", "%s %s: the 855 was not queued: %s", p->id, o->po_number,
               f.n ? f.v[0].msg : "refused by the map");
        snprintf(why, cap, "%s %s: the 855 was not queued: %s", p->id, o->po_number,
                 f.n ? f.v[0].msg : "refused by the map");
        *skipped = 2;
        rc = 0;
        goto out;
    }
    if (rc < 0 || (rc = gw_store_ack_queued(c->store, a->id, q.outbox_id, c->now, err)) < 0)
        goto out;
    {
        char what[200];

        snprintf(what, sizeof(what), "855 queued (interchange %09llu)", (unsigned long long)q.isa);
        rc = gw_store_set_order_state(c->store, o->id, strcmp(o->state, GW_ORDER_REJECTED) == 0
                                                            ? GW_ORDER_REJECTED
                                                            : GW_ORDER_ACKNOWLEDGED,
                                      what, c->now, err);
    }
    gw_log(c, "info", "%s %s: 855 queued (%s)", p->id, o->po_number, q.name);
out:
    edi_findings_dispose(&f);
    gw_cdoc_free(in);
    gw_order_free(o);
    return rc;
}

/* ---- decisions from the ERP (erp/in) ----------------------------------------------------- */

/* One decision for one PO, from a JSON object or CSV rows. */
struct erp_decision {
    char *po, *partner, *action, *reason, *code, *ship_date;
    struct gw_line_decision lines[256];
    size_t nlines;
    char *owned[1024];     /* strings to free */
    size_t nowned;
};

static const char *keep(struct erp_decision *e, const char *v)
{
    char *p;

    if (v == NULL || e->nowned == 1024)
        return NULL;
    p = edi_xstrdup(v);
    e->owned[e->nowned++] = p;
    return p;
}

static void erp_dispose(struct erp_decision *e)
{
    size_t i;

    for (i = 0; i < e->nowned; i++)
        free(e->owned[i]);
    memset(e, 0, sizeof(*e));
}

/* A JSON value as text: strings as they are, integers written exactly,
 * anything else (5.5, true, [..]) as JSON so the checks refuse it by name
 * instead of taking it for a value not given; NULL for none or null. */
static const char *jtext(struct erp_decision *e, json_t *v)
{
    char buf[64], *dump;
    const char *r;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return keep(e, json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return keep(e, buf);
    }
    dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    r = keep(e, dump ? dump : "?");
    free(dump);
    return r;
}

/* Applies one decision; a refusal is written to why. */
static int apply(struct gw_ctx *c, struct erp_decision *e, struct edi_buf *why, struct edi_err *err)
{
    struct gw_order **v = NULL, *o = NULL;
    size_t n = 0, i, found = 0;
    struct gw_decision d;
    struct edi_findings f;
    int rc;

    if (e->po == NULL || e->action == NULL ||
        (strcmp(e->action, "approve") != 0 && strcmp(e->action, "reject") != 0)) {
        edi_buf_puts(why, "a decision needs po_number and action (approve or reject)\n");
        return EDI_ESYNTAX;
    }
    if ((rc = gw_store_list_orders(&v, &n, c->store, NULL, e->partner, err)) < 0)
        return rc;
    for (i = 0; i < n; i++)
        if (strcmp(v[i]->po_number, e->po) == 0)
            found++, o = v[i];
    if (found != 1) {
        edi_buf_printf(why, found ? "PO %s is on several partners' orders: add partner\n"
                                  : "no order %s\n", e->po);
        gw_orders_free(v, n);
        return EDI_ESYNTAX;
    }
    memset(&d, 0, sizeof(d));
    d.lines = e->lines;
    d.nlines = e->nlines;
    d.reject_all = strcmp(e->action, "reject") == 0;
    d.reason = e->reason;
    d.df_code = e->code ? e->code : d.reject_all && strcmp(o->program, "DF") == 0 ? "03" : NULL;
    d.ship_date = e->ship_date;
    d.actor = "erp";
    edi_findings_init(&f, 100);
    rc = gw_ack_decide(c, o, &d, &f, err);
    for (i = 0; i < f.n; i++)
        edi_buf_printf(why, "%s %s: %s [rule %s]\n", o->partner, e->po, f.v[i].msg, f.v[i].code);
    edi_findings_dispose(&f);
    gw_orders_free(v, n);
    return rc;
}

static void erp_line(struct erp_decision *e, json_t *l)
{
    struct gw_line_decision *ld;

    if (e->nlines == 256 || !json_is_object(l))
        return;
    ld = &e->lines[e->nlines++];
    memset(ld, 0, sizeof(*ld));
    ld->line_no = (int)json_integer_value(json_object_get(l, "line_no"));
    ld->accept = jtext(e, json_object_get(l, "accept"));
    ld->backorder = jtext(e, json_object_get(l, "backorder"));
    ld->reject = jtext(e, json_object_get(l, "reject"));
    ld->reason = jtext(e, json_object_get(l, "reason"));
    ld->ship_date = jtext(e, json_object_get(l, "ship_date"));
}

static int apply_json(struct gw_ctx *c, const char *data, size_t n, struct edi_buf *why,
                      unsigned *applied, struct edi_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(data, n, 0, &je), *one;
    size_t i, count;
    int rc = 0, bad = 0;

    if (root == NULL) {
        edi_buf_printf(why, "JSON line %d column %d: %s\n", je.line, je.column, je.text);
        return EDI_ESYNTAX;
    }
    count = json_is_array(root) ? json_array_size(root) : 1;
    for (i = 0; i < count && rc >= 0; i++) {
        struct erp_decision e;
        json_t *lines;
        size_t k;

        one = json_is_array(root) ? json_array_get(root, i) : root;
        memset(&e, 0, sizeof(e));
        e.po = (char *)jtext(&e, json_object_get(one, "po_number"));
        e.partner = (char *)jtext(&e, json_object_get(one, "partner"));
        e.action = (char *)jtext(&e, json_object_get(one, "action"));
        e.reason = (char *)jtext(&e, json_object_get(one, "reason"));
        e.code = (char *)jtext(&e, json_object_get(one, "code"));
        e.ship_date = (char *)jtext(&e, json_object_get(one, "ship_date"));
        lines = json_object_get(one, "lines");
        for (k = 0; json_is_array(lines) && k < json_array_size(lines); k++)
            erp_line(&e, json_array_get(lines, k));
        rc = apply(c, &e, why, err);
        if (rc == EDI_ESYNTAX) {
            bad = 1;
            rc = 0;
        } else if (rc == 0) {
            (*applied)++;
        }
        erp_dispose(&e);
    }
    json_decref(root);
    return rc < 0 ? rc : bad ? EDI_ESYNTAX : 0;
}

/* CSV: po_number,line_no,accept,backorder,reject,reason,ship_date — one row
 * per line; rows of one PO make one decision (approve). */
static int apply_csv(struct gw_ctx *c, char *data, struct edi_buf *why, unsigned *applied,
                     struct edi_err *err)
{
    struct erp_decision e;
    char *line, *save = NULL;
    int rc = 0, bad = 0, first = 1;

    memset(&e, 0, sizeof(e));
    for (line = strtok_r(data, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        char *f[8] = {0}, *p = line;
        int k;

        if (line && first) {
            first = 0;
            continue;   /* the header */
        }
        for (k = 0; line && k < 8 && p; k++) {
            f[k] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
        }
        for (k = 0; k < 8; k++)
            if (f[k] && f[k][0] && f[k][strlen(f[k]) - 1] == '\r')
                f[k][strlen(f[k]) - 1] = '\0';
        if (e.po && (line == NULL || (f[0] && strcmp(f[0], e.po) != 0))) {
            rc = apply(c, &e, why, err);
            if (rc == EDI_ESYNTAX)
                bad = 1, rc = 0;
            else if (rc == 0)
                (*applied)++;
            erp_dispose(&e);
            if (rc < 0)
                break;
        }
        if (line == NULL)
            break;
        if (f[0] == NULL || f[0][0] == '\0')
            continue;
        if (e.po == NULL) {
            e.po = (char *)keep(&e, f[0]);
            e.action = (char *)keep(&e, "approve");
        }
        if (e.nlines < 256 && f[1]) {
            struct gw_line_decision *ld = &e.lines[e.nlines++];

            memset(ld, 0, sizeof(*ld));
            ld->line_no = line_no_of(f[1]);
            ld->accept = f[2] && *f[2] ? keep(&e, f[2]) : NULL;
            ld->backorder = f[3] && *f[3] ? keep(&e, f[3]) : NULL;
            ld->reject = f[4] && *f[4] ? keep(&e, f[4]) : NULL;
            ld->reason = f[5] && *f[5] ? keep(&e, f[5]) : NULL;
            ld->ship_date = f[6] && *f[6] ? keep(&e, f[6]) : NULL;
        }
    }
    erp_dispose(&e);
    return rc < 0 ? rc : bad ? EDI_ESYNTAX : 0;
}

int gw_erp_decisions(unsigned *applied, struct gw_ctx *c, struct edi_err *err)
{
    const struct gw_erp_type *et;
    struct gw_erp *e;
    struct gw_erp_item *v = NULL;
    size_t n = 0, i;
    int rc;

    *applied = 0;
    if ((rc = gw_erp_open(&et, &e, c, GW_ERP_DECISIONS, err)) < 0)
        return rc;
    if ((rc = et->pull(e, GW_ERP_DECISIONS, &v, &n, err)) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        struct edi_buf why;
        int r;

        edi_buf_init(&why, 1u << 16);
        r = strstr(v[i].name, ".json") ? apply_json(c, v[i].data, v[i].n, &why, applied, err)
                                       : apply_csv(c, v[i].data, &why, applied, err);
        if (r < 0 && r != EDI_ESYNTAX) {
            rc = r;
            edi_buf_dispose(&why);
            break;
        }
        et->done(e, &v[i], r == EDI_ESYNTAX ? edi_buf_cstr(&why) : NULL, err);
        if (r == EDI_ESYNTAX)
            gw_log(c, "warn", "ERP decision %s refused: %s", v[i].name, edi_buf_cstr(&why));
        else
            gw_log(c, "info", "ERP decisions applied from %s", v[i].name);
        edi_buf_dispose(&why);
    }
out:
    gw_erp_items_free(v, n);
    et->close(e);
    return rc;
}

int gw_ack_run(unsigned *queued, struct gw_ctx *c, struct edi_err *err)
{
    return gw_ack_run_partner(queued, c, NULL, err);
}

/* SPEC: issue 13 — an auto-acknowledging partner's new order is pending
 * work this run finds in the store: an approved order with no decision
 * yet is decided here (everything accepted, or up to the stock the ERP
 * has now). One that cannot be decided automatically goes back to
 * pending-approval with the reason, for a person to decide. */
static int auto_decide(struct gw_ctx *c, const struct gw_partner *only, struct edi_err *err)
{
    struct stock *stock = NULL;
    size_t k, nstock = 0;
    int rc = 0, stock_read = 0;

    for (k = 0; k < c->cfg->npartners && rc == 0; k++) {
        const struct gw_partner *p = &c->cfg->partners[k];
        struct gw_order **v = NULL;
        size_t n = 0, i;

        if ((only && only != p) || p->ack_mode == GW_ACK_MANUAL)
            continue;
        if ((rc = gw_store_list_orders(&v, &n, c->store, GW_ORDER_APPROVED, p->id, err)) < 0)
            break;
        for (i = 0; i < n && rc == 0; i++) {
            struct gw_ack *a = NULL;
            size_t na = 0;
            struct edi_findings viol;
            int r;

            if ((rc = gw_store_acks(&a, &na, c->store, v[i]->id, NULL, err)) < 0)
                break;
            gw_acks_free(a, na);
            if (na > 0)
                continue;   /* decided before */
            if (p->ack_mode == GW_ACK_AUTO_STOCK && !stock_read) {
                /* the ERP's stock, once a run: no order takes from another's */
                nstock = read_stock(&stock, c);
                stock_read = 1;
            }
            if ((rc = gw_store_begin(c->store, err)) < 0)
                break;
            edi_findings_init(&viol, 20);
            r = ack_auto(c, v[i], stock, nstock, &viol, err);
            if (r == EDI_ESYNTAX) {
                char why[400];

                snprintf(why, sizeof(why), "cannot be acknowledged automatically: %s",
                         viol.n ? viol.v[0].msg : "refused");
                gw_log(c, "warn", "%s %s: %s", p->id, v[i]->po_number, why);
                r = gw_store_set_order_state(c->store, v[i]->id, GW_ORDER_PENDING, why, c->now, err);
            }
            edi_findings_dispose(&viol);
            if (r < 0) {
                gw_store_rollback(c->store);
                rc = r;
                break;
            }
            rc = gw_store_commit(c->store, err);
        }
        gw_orders_free(v, n);
    }
    free(stock);
    return rc;
}

int gw_ack_run_partner(unsigned *queued, struct gw_ctx *c, const struct gw_partner *only, struct edi_err *err)
{
    struct gw_ack *v = NULL;
    size_t n = 0, i;
    int rc;
    unsigned refused = 0;
    char first[300] = "";

    *queued = 0;
    {
        unsigned applied;

        /* decisions the ERP dropped in erp/in are applied first */
        if ((rc = gw_erp_decisions(&applied, c, err)) < 0)
            return rc;
    }
    if ((rc = auto_decide(c, only, err)) < 0)
        return rc;
    if ((rc = gw_store_acks(&v, &n, c->store, 0, "pending", err)) < 0)
        return rc;
    for (i = 0; i < n && !(c->stop && *c->stop); i++) {
        int skipped;
        char why[300];

        why[0] = '\0';
        if ((rc = gw_store_begin(c->store, err)) < 0)
            break;
        if ((rc = queue_one(c, &v[i], only, &skipped, why, sizeof(why), err)) < 0) {
            gw_store_rollback(c->store);
            break;
        }
        if ((rc = gw_store_commit(c->store, err)) < 0)
            break;
        *queued += !skipped;
        if (skipped == 2 && refused++ == 0)
            snprintf(first, sizeof(first), "%s", why);
    }
    gw_acks_free(v, n);
    /* a decision that cannot be sent fails the run, after the others went:
     * the run record, `wharf status` and the exit code say so */
    if (rc == 0 && refused > 0)
        rc = edi_fail(err, EDI_ESYNTAX, "%u acknowledgment%s not sent, left pending: %s",
                      refused, refused == 1 ? "" : "s", first);
    if (rc == 0 || rc == EDI_ESYNTAX) {
        struct gw_deadline *dl = NULL;
        struct edi_err e2;
        size_t nd = 0;

        /* orders whose 24-hour deadline is near or passed: a warning each run */
        if (gw_ack_deadlines(&dl, &nd, c, &e2) == 0)
            for (i = 0; i < nd; i++)
                if (only == NULL || strcmp(dl[i].partner, only->id) == 0)
                    gw_log(c, "warn", "%s %s (%s): acknowledgment %s %ld h %02ld min", dl[i].partner,
                           dl[i].po_number, dl[i].state, dl[i].minutes_left < 0 ? "overdue by" : "due in",
                           labs(dl[i].minutes_left) / 60, labs(dl[i].minutes_left) % 60);
        gw_deadlines_free(dl, nd);
    }
    return rc;
}

/* ---- deadlines --------------------------------------------------------------------------------- */

static int by_due(const void *a, const void *b)
{
    const struct gw_deadline *x = a, *y = b;

    return x->due < y->due ? -1 : x->due > y->due;
}

static int deadlines(struct gw_deadline **out, size_t *n, struct gw_ctx *c, int all, struct edi_err *err)
{
    static const char *const open_states[] = {GW_ORDER_PENDING, GW_ORDER_APPROVED};
    struct gw_deadline *v = NULL;
    size_t k = 0, s, i;
    int rc = 0, max_warn = 4;

    *out = NULL;
    *n = 0;
    /* at risk: created before now - 24 h + the partner's warning hours;
     * without all, only the orders created before the latest such time
     * are read (after a file of 10,000 new POs, none), then each is held
     * to its own partner's hours */
    for (i = 0; i < c->cfg->npartners; i++)
        if (c->cfg->partners[i].ack_warn_hours > max_warn)
            max_warn = c->cfg->partners[i].ack_warn_hours;
    for (s = 0; s < 2 && rc == 0; s++) {
        struct gw_order **orders = NULL;
        size_t no = 0;

        rc = all ? gw_store_list_order_heads(&orders, &no, c->store, open_states[s], NULL, err)
                 : gw_store_list_order_heads_before(&orders, &no, c->store, open_states[s], NULL,
                                                    c->now - 24 * 3600 + (time_t)max_warn * 3600 + 1, err);
        if (rc < 0)
            break;
        for (i = 0; i < no; i++) {
            const struct gw_partner *p = gw_config_partner(c->cfg, orders[i]->partner);
            int warn = p && p->ack_warn_hours > 0 ? p->ack_warn_hours : 4;
            time_t due = orders[i]->created + 24 * 3600;
            int at_risk = due - c->now < (time_t)warn * 3600;

            if (!at_risk && !all)
                continue;
            v = edi_xrealloc(v, (k + 1) * sizeof(*v));
            v[k].partner = edi_xstrdup(orders[i]->partner);
            v[k].po_number = edi_xstrdup(orders[i]->po_number);
            v[k].state = edi_xstrdup(orders[i]->state);
            v[k].due = due;
            v[k].minutes_left = (long)((due - c->now) / 60);
            v[k].at_risk = at_risk;
            k++;
        }
        gw_orders_free(orders, no);
    }
    if (rc < 0) {
        gw_deadlines_free(v, k);
        return rc;
    }
    if (k > 1)
        qsort(v, k, sizeof(*v), by_due);
    *out = v;
    *n = k;
    return 0;
}

int gw_ack_deadlines(struct gw_deadline **out, size_t *n, struct gw_ctx *c, struct edi_err *err)
{
    return deadlines(out, n, c, 0, err);
}

int gw_ack_open_deadlines(struct gw_deadline **out, size_t *n, struct gw_ctx *c, struct edi_err *err)
{
    return deadlines(out, n, c, 1, err);
}

void gw_deadlines_free(struct gw_deadline *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].partner);
        free(v[i].po_number);
        free(v[i].state);
    }
    free(v);
}
