/*
 * ship.c — packing lists to ship notices (ship.h): grouping rows into
 * shipments, Amazon's 856 rules, SSCC assignment, the canonical shipment,
 * queueing through outbound.c, order states, the ERP export and labels.
 *
 * Order of work, so a refusal never leaves anything behind:
 *   1. read the packing list (packlist.c) — format problems;
 *   2. find each row's order, group rows into shipments and cartons;
 *   3. check every rule on every shipment, collecting every finding;
 *   4. one store transaction: SSCCs, shipment ids, canonical documents,
 *      the 856s, shipments, order states and the ERP files (queued in
 *      the outbox, written by the flush); any failure rolls all back.
 */
#include "gateway/erp/erp.h"
#include "gateway/flow/ship.h"

#include "gateway/docs/canon.h"
#include "gateway/docs/cdoc.h"
#include "gateway/docs/labels.h"
#include "mappings/map.h"
#include "gateway/flow/outbound.h"
#include "gateway/docs/packlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DAY 86400

/* LIMIT: shipments and cartons per packing list, POs per carton (RULES.md:
 * up to 5 POs share a carton) */
#define MAX_SHIPMENTS 64
#define MAX_CARTON_POS 5

/* ---- orders the packing list names ------------------------------------------------------------ */

struct oline {
    int line_no;
    char ordered[64];
    struct gw_dec allowed, before, now;
    int has_now;                     /* this shipment ships some of it */
    char unit[8];
    int cancelled;
    const struct gw_corder_line *cl; /* the order's <line> */
};

struct ord {
    char po[64];
    struct gw_order *o;
    const struct gw_partner *p;
    struct gw_corder *doc;           /* the canonical order */
    struct oline *lines;
    size_t nlines;
    int acked;                       /* an acknowledgment was queued */
    char ship_to[64];                /* the FC the PO ships to (RP), "" when none */
};

static void ord_dispose(struct ord *d)
{
    gw_order_free(d->o);
    gw_corder_free(d->doc);
    free(d->lines);
}

static struct oline *oline_of(struct ord *d, int line_no)
{
    size_t i;

    for (i = 0; i < d->nlines; i++)
        if (d->lines[i].line_no == line_no)
            return &d->lines[i];
    return NULL;
}

/* What an RP order's last queued acknowledgment let ship of each line:
 * accepted plus backordered. */
static int allowed_from_ack(struct ord *d, struct gw_ctx *c, struct edi_err *err)
{
    struct gw_ack *v = NULL;
    struct gw_cack *ack = NULL;
    struct edi_err e2;
    size_t n = 0, i;
    int rc;

    if ((rc = gw_store_acks(&v, &n, c->store, d->o->id, "queued", err)) < 0)
        return rc;
    if (n == 0) {
        gw_acks_free(v, n);
        return 0;
    }
    d->acked = 1;
    edi_err_clear(&e2);
    rc = gw_cack_read(&ack, v[n - 1].canonical, strlen(v[n - 1].canonical), &e2);
    gw_acks_free(v, n);
    if (rc < 0)
        return edi_fail(err, EDI_ERR, "order %s: its acknowledgment does not read (%s)", d->po, e2.msg);
    for (i = 0; i < d->nlines; i++) {
        static const char *const kept[] = {"accepted", "backordered"};
        int k;

        d->lines[i].allowed = GW_DEC_ZERO;
        for (k = 0; k < 2; k++) {
            const struct gw_cqty *q = gw_cack_quantity(ack, d->lines[i].line_no, kept[k]);

            if (q)
                d->lines[i].allowed = gw_dec_add(d->lines[i].allowed, q->v);
        }
    }
    gw_cack_free(ack);
    return 0;
}

/* Finds po among the Amazon partners' orders and reads what the rules need. */
static int ord_load(struct ord *d, struct gw_ctx *c, const char *po, unsigned row,
                    struct edi_findings *v, const char *name, struct edi_err *err)
{
    struct gw_shipment_line *sh = NULL;
    size_t i, nsh = 0, found = 0;
    int rc;

    memset(d, 0, sizeof(*d));
    snprintf(d->po, sizeof(d->po), "%s", po);
    for (i = 0; i < c->cfg->npartners; i++) {
        const struct gw_partner *p = &c->cfg->partners[i];
        struct gw_order *o = NULL;

        if (p->program == NULL)
            continue;
        if ((rc = gw_store_get_order(&o, c->store, p->id, p->program, po, err)) == EDI_ENOTFOUND)
            continue;
        if (rc < 0)
            return rc;
        if (found++ == 0) {
            d->o = o;
            d->p = p;
        } else {
            gw_finding(v, "po-ambiguous", row, "%s:%u: PO %s: orders of both %s and %s have this number",
                      name, row, po, d->p->id, p->id);
            gw_order_free(o);
        }
    }
    if (d->o == NULL) {
        gw_finding(v, "po-unknown", row, "%s:%u: PO %s: no such order", name, row, po);
        return 0;
    }
    {
        struct edi_err e2;

        edi_err_clear(&e2);
        if (gw_corder_read(&d->doc, d->o->canonical ? d->o->canonical : "",
                           d->o->canonical ? strlen(d->o->canonical) : 0, &e2) < 0)
            return edi_fail(err, EDI_ERR, "order %s: its canonical document does not read (%s)", po, e2.msg);
    }
    snprintf(d->ship_to, sizeof(d->ship_to), "%s", d->doc->ship_to.id ? d->doc->ship_to.id : "");
    d->lines = edi_xcalloc(d->o->nlines ? d->o->nlines : 1, sizeof(*d->lines));
    for (i = 0; i < d->o->nlines; i++) {
        struct oline *l = &d->lines[d->nlines++];

        l->line_no = d->o->lines[i].line_no;
        snprintf(l->ordered, sizeof(l->ordered), "%s", d->o->lines[i].quantity ? d->o->lines[i].quantity : "0");
        snprintf(l->unit, sizeof(l->unit), "%s", d->o->lines[i].unit && *d->o->lines[i].unit ? d->o->lines[i].unit : "EA");
        l->cancelled = d->o->lines[i].state && strcmp(d->o->lines[i].state, "cancelled") == 0;
        l->cl = gw_corder_line_no(d->doc, l->line_no);
        /* DF is fill-or-kill: an accepted order ships every line in full */
        l->allowed = l->cancelled ? GW_DEC_ZERO : gw_dec_parse(l->ordered, 1);
    }
    if (strcmp(d->o->program, "RP") == 0 && (rc = allowed_from_ack(d, c, err)) < 0)
        return rc;
    if (strcmp(d->o->program, "DF") == 0)
        d->acked = strcmp(d->o->state, GW_ORDER_PENDING) != 0 &&
                   strcmp(d->o->state, GW_ORDER_APPROVED) != 0;
    /* what the shipments in force shipped before */
    if ((rc = gw_store_order_shipped(&sh, &nsh, c->store, d->o->id, 0, err)) < 0)
        return rc;
    for (i = 0; i < nsh; i++) {
        struct oline *l = oline_of(d, sh[i].line_no);

        if (l)
            l->before = gw_dec_add(l->before, gw_dec_parse(sh[i].quantity, 1));
    }
    gw_shipment_lines_free(sh, nsh);
    return 0;
}

/* ---- shipments and cartons ------------------------------------------------------------------------ */

struct carton {
    const char *id;
    const char *sscc;                /* given, or assigned (buf) */
    char buf[19];
    const char *tracking, *pallet;
    const char *weight, *length, *width, *height;
    unsigned row;                    /* its first row */
    const char *pos[MAX_CARTON_POS + 1];
    size_t npos;
};

struct pallet {
    const char *id;
    const char *sscc;
    char buf[19];
    size_t ncartons;
};

struct shp {
    const struct gw_partner *p;
    const char *program;
    const char *given_id;            /* from the packing list, else NULL */
    char id[64];
    const char *warehouse, *ship_to, *ship_date;
    const struct gw_ship_from *sf;
    size_t *rows;
    size_t nrows;
    struct carton *cartons;
    size_t ncartons;
    struct pallet *pallets;
    size_t npallets;
    struct gw_shipment *replaces;    /* the version in force it replaces */
    int version;
    const char *scac, *bol, *pro;
    char purpose_code[3];
};

struct job {
    struct gw_ctx *c;
    const char *name;
    struct gw_packlist pl;
    size_t *row_ord;                 /* per row: its index in ords */
    struct ord *ords;
    size_t nords;
    struct shp shps[MAX_SHIPMENTS];
    size_t nshps;
    struct edi_findings *v;
};

static void job_dispose(struct job *j)
{
    size_t i;

    for (i = 0; i < j->nords; i++)
        ord_dispose(&j->ords[i]);
    free(j->ords);
    free(j->row_ord);
    for (i = 0; i < j->nshps; i++) {
        free(j->shps[i].rows);
        free(j->shps[i].cartons);
        free(j->shps[i].pallets);
        gw_shipment_free(j->shps[i].replaces);
    }
    gw_packlist_dispose(&j->pl);
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static const char *ship_to_of(const struct ord *d)
{
    return d->ship_to[0] ? d->ship_to : NULL;
}

/* Rows into shipments: RP by shipment_id when given, else by warehouse,
 * ship-to and ship day; DF one per PO. */
static struct shp *shipment_for(struct job *j, size_t r)
{
    const struct gw_pack_row *row = &j->pl.rows[r];
    struct ord *d = &j->ords[j->row_ord[r]];
    int df = strcmp(d->o->program, "DF") == 0;
    char to[64];
    size_t i;

    snprintf(to, sizeof(to), "%s", df ? "" : d->ship_to);
    for (i = 0; i < j->nshps; i++) {
        struct shp *s = &j->shps[i];

        if (s->p != d->p)
            continue;
        if (row->shipment_id ? same(s->given_id, row->shipment_id)
                             : (s->given_id == NULL &&
                                (df ? strcmp(s->id, row->po_number) == 0
                                    : same(s->warehouse, row->warehouse) &&
                                          strcmp(s->ship_to ? s->ship_to : "", to) == 0 &&
                                          strncmp(s->ship_date, row->ship_date, 10) == 0)))
            return s;
    }
    if (j->nshps == MAX_SHIPMENTS)
        return NULL;
    {
        struct shp *s = &j->shps[j->nshps++];

        memset(s, 0, sizeof(*s));
        s->p = d->p;
        s->program = d->o->program;
        s->given_id = row->shipment_id;
        if (s->given_id)
            snprintf(s->id, sizeof(s->id), "%s", s->given_id);
        else if (df)
            snprintf(s->id, sizeof(s->id), "%s", row->po_number);
        s->warehouse = row->warehouse;
        s->ship_to = df || !to[0] ? NULL : edi_pool_strdup(&j->pl.pool, to);
        s->ship_date = row->ship_date;
        s->version = 1;
        snprintf(s->purpose_code, sizeof(s->purpose_code), "00");
        return s;
    }
}

static struct carton *carton_of(struct shp *s, const struct gw_pack_row *row)
{
    size_t i;

    for (i = 0; i < s->ncartons; i++)
        if (strcmp(s->cartons[i].id, row->carton_id) == 0)
            return &s->cartons[i];
    s->cartons = edi_xrealloc(s->cartons, (s->ncartons + 1) * sizeof(*s->cartons));
    memset(&s->cartons[s->ncartons], 0, sizeof(*s->cartons));
    s->cartons[s->ncartons].id = row->carton_id;
    s->cartons[s->ncartons].row = row->src;
    return &s->cartons[s->ncartons++];
}

/* A carton's fields must agree across its rows: the first row that gives
 * one sets it. */
static void carton_field(struct job *j, const char **have, const char *now, const char *what,
                         const struct carton *k, unsigned row)
{
    if (now == NULL)
        return;
    if (*have == NULL)
        *have = now;
    else if (strcmp(*have, now) != 0)
        gw_finding(j->v, "carton-conflict", row, "%s:%u: carton %s: %s %s differs from %s on line %u",
                  j->name, row, k->id, what, now, *have, k->row);
}

static void shipment_field(struct job *j, const char **have, const char *now, const char *what,
                           const struct shp *s, unsigned row)
{
    if (now == NULL)
        return;
    if (*have == NULL)
        *have = now;
    else if (strcmp(*have, now) != 0)
        gw_finding(j->v, "shipment-conflict", row, "%s:%u: shipment %s: %s %s differs from %s",
                  j->name, row, s->id[0] ? s->id : "(new)", what, now, *have);
}

static int group(struct job *j)
{
    size_t r, i, k;

    for (r = 0; r < j->pl.nrows; r++) {
        const struct gw_pack_row *row = &j->pl.rows[r];
        const char *key;
        struct shp *s;
        struct carton *ct;

        if (j->row_ord[r] == (size_t)-1)
            continue;
        /* LIMIT: a shipment id is the ASN's BSN02 and its key in the store:
         * cut, two shipments would be one */
        key = row->shipment_id ? row->shipment_id : row->po_number;
        if (key && strlen(key) >= sizeof(s->id)) {
            gw_finding(j->v, "shipment-id-too-long", row->src, "%s:%u: shipment id longer than %zu characters",
                       j->name, row->src, sizeof(s->id) - 1);
            return 0;
        }
        if ((s = shipment_for(j, r)) == NULL) {
            gw_finding(j->v, "too-many-shipments", row->src, "%s:%u: more than %d shipments in one packing list",
                      j->name, row->src, MAX_SHIPMENTS);
            return 0;
        }
        s->rows = edi_xrealloc(s->rows, (s->nrows + 1) * sizeof(*s->rows));
        s->rows[s->nrows++] = r;
        /* SPEC: RULES.md 856 — one ASN per ship-to FC; one ship-from per ASN */
        if (!same(s->warehouse, row->warehouse))
            gw_finding(j->v, "one-ship-from", row->src,
                      "%s:%u: shipment %s: warehouse %s differs from %s (one ship-from per ship notice)",
                      j->name, row->src, s->id, row->warehouse, s->warehouse);
        if (strcmp(s->program, "RP") == 0) {
            const char *to = ship_to_of(&j->ords[j->row_ord[r]]);

            if (!same(s->ship_to, to))
                gw_finding(j->v, "one-ship-to", row->src,
                          "%s:%u: shipment %s: PO %s ships to %s, the others to %s (one ASN per fulfilment centre)",
                          j->name, row->src, s->id, row->po_number, to ? to : "(none)",
                          s->ship_to ? s->ship_to : "(none)");
        }
        shipment_field(j, &s->scac, row->carrier_scac, "carrier", s, row->src);
        shipment_field(j, &s->bol, row->bol, "bill of lading", s, row->src);
        shipment_field(j, &s->pro, row->pro, "PRO number", s, row->src);
        ct = carton_of(s, row);
        carton_field(j, &ct->sscc, row->sscc, "SSCC", ct, row->src);
        carton_field(j, &ct->tracking, row->tracking_number, "tracking number", ct, row->src);
        carton_field(j, &ct->pallet, row->pallet_id, "pallet", ct, row->src);
        carton_field(j, &ct->weight, row->weight_kg, "weight", ct, row->src);
        carton_field(j, &ct->length, row->length_cm, "length", ct, row->src);
        carton_field(j, &ct->width, row->width_cm, "width", ct, row->src);
        carton_field(j, &ct->height, row->height_cm, "height", ct, row->src);
        for (k = 0; k < ct->npos && strcmp(ct->pos[k], row->po_number) != 0; k++)
            ;
        if (k == ct->npos) {
            if (ct->npos == MAX_CARTON_POS)
                gw_finding(j->v, "carton-pos", row->src, "%s:%u: carton %s: more than %d POs in one carton",
                          j->name, row->src, ct->id, MAX_CARTON_POS);
            else
                ct->pos[ct->npos++] = row->po_number;
        }
    }
    /* a carton id in two shipments, pallets */
    for (i = 0; i < j->nshps; i++) {
        struct shp *s = &j->shps[i];

        for (k = 0; k < s->ncartons; k++) {
            size_t i2, k2, p;

            for (i2 = i + 1; i2 < j->nshps; i2++)
                for (k2 = 0; k2 < j->shps[i2].ncartons; k2++)
                    if (strcmp(s->cartons[k].id, j->shps[i2].cartons[k2].id) == 0)
                        gw_finding(j->v, "carton-two-shipments", s->cartons[k].row,
                                  "%s:%u: carton %s is in two shipments", j->name, s->cartons[k].row,
                                  s->cartons[k].id);
            if (s->cartons[k].pallet == NULL)
                continue;
            for (p = 0; p < s->npallets && strcmp(s->pallets[p].id, s->cartons[k].pallet) != 0; p++)
                ;
            if (p == s->npallets) {
                s->pallets = edi_xrealloc(s->pallets, (s->npallets + 1) * sizeof(*s->pallets));
                memset(&s->pallets[p], 0, sizeof(*s->pallets));
                s->pallets[p].id = s->cartons[k].pallet;
                /* a pallet id that is an SSCC is its SSCC */
                if (strlen(s->pallets[p].id) == 18 && gw_sscc_valid(s->pallets[p].id))
                    s->pallets[p].sscc = s->pallets[p].id;
                s->npallets++;
            }
            s->pallets[p].ncartons++;
        }
    }
    return 0;
}

/* ---- rules ------------------------------------------------------------------------------------- */

static int check_shipment(struct job *j, struct shp *s, struct edi_err *err)
{
    struct gw_ctx *c = j->c;
    int df = strcmp(s->program, "DF") == 0;
    unsigned row0 = j->pl.rows[s->rows[0]].src;
    size_t i, k;
    int rc;

    /* SPEC: RULES.md Identifiers — the warehouse ⇄ ship-from party table */
    if ((s->sf = gw_config_ship_from(s->p, s->warehouse)) == NULL)
        gw_finding(j->v, "warehouse-unmapped", row0,
                  "%s:%u: warehouse %s has no ship-from party for partner %s (add <ship-from warehouse=\"%s\" party-id=...> to wharf.xml)",
                  j->name, row0, s->warehouse, s->p->id, s->warehouse);
    /* SPEC: RULES.md 856 RP — the S level carries the carrier (TD5) and the
     * bill of lading (REF*BM); Amazon's guide requires both */
    if (!df && s->scac == NULL)
        gw_finding(j->v, "carrier-missing", row0, "%s:%u: shipment %s: no carrier_scac (TD5 is required for %s)",
                  j->name, row0, s->id[0] ? s->id : "(new)", s->p->id);
    if (!df && s->bol == NULL)
        gw_finding(j->v, "bol-missing", row0, "%s:%u: shipment %s: no bol (the bill of lading, REF*BM, is required for %s)",
                  j->name, row0, s->id[0] ? s->id : "(new)", s->p->id);
    /* the shipment id: new, or a replacement of the version in force */
    if (s->id[0]) {
        if ((rc = gw_store_get_shipment(&s->replaces, c->store, s->p->id, s->id, 0, err)) == EDI_ENOTFOUND)
            rc = 0;         /* a new shipment id */
        else if (rc < 0)
            return rc;
        if (s->replaces && strcmp(s->replaces->state, "replaced") == 0) {
            gw_shipment_free(s->replaces);
            s->replaces = NULL;
        }
    }
    if (s->replaces) {
        time_t age = c->now - s->replaces->created;

        s->version = s->replaces->version + 1;
        if (df) {
            gw_finding(j->v, "df-already-confirmed", row0,
                      "%s:%u: PO %s: a ship confirmation was already sent on %.10s; DF confirmations are final",
                      j->name, row0, s->id, ctime(&s->replaces->created));
        } else if (age > 365 * (time_t)DAY) {
            /* an id older than a year may be used again: a new shipment */
            gw_shipment_free(s->replaces);
            s->replaces = NULL;
        } else if (age > 7 * (time_t)DAY) {
            gw_finding(j->v, "shipment-id-reused", row0,
                      "%s:%u: shipment id %s was sent %ld days ago: a replacement is allowed within 7 days, and an id is not reused within 365 days",
                      j->name, row0, s->id, (long)(age / DAY));
        } else {
            snprintf(s->purpose_code, sizeof(s->purpose_code), "05");
        }
    }
    if (s->replaces) {
        /* the replaced version's quantities are not "before" any more */
        for (i = 0; i < s->replaces->nlines; i++) {
            const struct gw_shipment_line *l = &s->replaces->lines[i];

            for (k = 0; k < j->nords; k++) {
                struct oline *ol;

                if (j->ords[k].o == NULL || j->ords[k].o->id != l->order_id ||
                    (ol = oline_of(&j->ords[k], l->line_no)) == NULL)
                    continue;
                ol->before = gw_dec_sub(ol->before, gw_dec_parse(l->quantity, 1));
            }
        }
    }
    /* per row: the order, the line, the quantity */
    for (i = 0; i < s->nrows; i++) {
        const struct gw_pack_row *row = &j->pl.rows[s->rows[i]];
        struct ord *d = &j->ords[j->row_ord[s->rows[i]]];
        struct oline *l = oline_of(d, row->line_no);

        if (!d->acked || strcmp(d->o->state, GW_ORDER_REJECTED) == 0 ||
            strcmp(d->o->state, GW_ORDER_CANCELLED) == 0) {
            gw_finding(j->v, "not-acknowledged", row->src,
                      "%s:%u: PO %s is %s: only an acknowledged PO ships (send its 855 first)", j->name,
                      row->src, row->po_number, d->o->state);
            continue;
        }
        if (l == NULL || l->cl == NULL) {
            gw_finding(j->v, "line-unknown", row->src, "%s:%u: PO %s has no line %d", j->name, row->src,
                      row->po_number, row->line_no);
            continue;
        }
        l->now = gw_dec_add(l->now, gw_dec_parse(row->quantity, 1));
        l->has_now = 1;
    }
    /* per order line of this shipment: the totals */
    for (i = 0; i < j->nords; i++) {
        struct ord *d = &j->ords[i];
        int in_shipment = 0;

        for (k = 0; k < s->nrows && !in_shipment; k++)
            in_shipment = j->row_ord[s->rows[k]] == i;
        if (!in_shipment || d->o == NULL || !d->acked)
            continue;
        for (k = 0; k < d->nlines; k++) {
            struct oline *l = &d->lines[k];
            struct gw_dec total;
            char a[GW_DEC_STRLEN], b[GW_DEC_STRLEN], t[GW_DEC_STRLEN], now[GW_DEC_STRLEN];

            /* one check for every sum of this line: a quantity that is not
             * a decimal or does not fit is refused, never read as 0 */
            total = gw_dec_add(l->before, l->now);
            if (!gw_dec_ok(total) || !gw_dec_ok(l->allowed)) {
                gw_finding(j->v, "quantity-range", row0,
                           "%s: PO %s line %d: a quantity is not a decimal of at most 18 digits", j->name, d->po,
                           l->line_no);
                continue;
            }
            gw_dec_str(a, sizeof(a), l->allowed);
            gw_dec_str(now, sizeof(now), l->now);
            if (df) {
                /* SPEC: RULES.md 856 DF — every line ships in full */
                if (gw_dec_cmp(l->now, l->allowed) != 0)
                    gw_finding(j->v, "df-partial", row0,
                              "%s: PO %s line %d: ships %s of %s; DF ships every line in full in one confirmation (or a floor denial)",
                              j->name, d->po, l->line_no, now, a);
                continue;
            }
            if (l->has_now && gw_dec_cmp(total, l->allowed) > 0)
                gw_finding(j->v, "over-shipment", row0,
                          "%s: PO %s line %d: %s shipped in all (%s before, %s now) is more than the %s acknowledged",
                          j->name, d->po, l->line_no, gw_dec_str(t, sizeof(t), total),
                          gw_dec_str(b, sizeof(b), l->before), now, a);
            if (s->replaces) {
                struct gw_dec was = GW_DEC_ZERO;
                size_t m;

                for (m = 0; m < s->replaces->nlines; m++)
                    if (s->replaces->lines[m].order_id == d->o->id && s->replaces->lines[m].line_no == l->line_no)
                        was = gw_dec_add(was, gw_dec_parse(s->replaces->lines[m].quantity, 1));
                if (l->has_now && gw_dec_cmp(l->now, was) > 0)
                    gw_finding(j->v, "replacement-increase", row0,
                              "%s: PO %s line %d: the replacement ships %s, more than the %s of shipment %s it replaces (a replacement only reduces)",
                              j->name, d->po, l->line_no, now, gw_dec_str(b, sizeof(b), was), s->id);
            }
        }
        /* the next shipment of the same order counts this one as before */
        for (k = 0; k < d->nlines; k++) {
            d->lines[k].before = gw_dec_add(d->lines[k].before, d->lines[k].now);
            d->lines[k].now = GW_DEC_ZERO;
            d->lines[k].has_now = 0;
        }
        if (df && s->sf && s->sf->party_id) {
            const char *sf = d->doc->ship_from.id ? d->doc->ship_from.id : "";

            /* SPEC: RULES.md 850 DF — N1*SF names the warehouse */
            if (sf[0] && strcmp(sf, s->sf->party_id) != 0)
                gw_finding(j->v, "df-ship-from", row0,
                          "%s: PO %s names ship-from %s, but warehouse %s is %s for %s",
                          j->name, d->po, sf, s->warehouse, s->sf->party_id, s->p->id);
        }
    }
    /* cartons */
    for (k = 0; k < s->ncartons; k++) {
        struct carton *ct = &s->cartons[k];
        size_t m;

        if (df) {
            if (ct->tracking == NULL)
                gw_finding(j->v, "df-tracking", ct->row, "%s:%u: package %s has no tracking number",
                          j->name, ct->row, ct->id);
            for (m = 0; m < k && ct->tracking; m++)
                if (s->cartons[m].tracking && strcmp(s->cartons[m].tracking, ct->tracking) == 0)
                    gw_finding(j->v, "df-tracking-unique", ct->row,
                              "%s:%u: packages %s and %s share tracking number %s (one per package)",
                              j->name, ct->row, s->cartons[m].id, ct->id, ct->tracking);
            continue;
        }
        if (ct->sscc == NULL && s->p->gs1_prefix == NULL)
            gw_finding(j->v, "sscc-missing", ct->row,
                      "%s:%u: carton %s has no SSCC and partner %s has no GS1 company prefix to make one",
                      j->name, ct->row, ct->id, s->p->id);
        for (m = 0; m < k && ct->sscc; m++)
            if (s->cartons[m].sscc && strcmp(s->cartons[m].sscc, ct->sscc) == 0)
                gw_finding(j->v, "sscc-duplicate", ct->row, "%s:%u: cartons %s and %s have the same SSCC %s",
                          j->name, ct->row, s->cartons[m].id, ct->id, ct->sscc);
        if (ct->sscc) {
            char *clash = NULL;

            /* SPEC: RULES.md 856 — an SSCC is never reused within 365 days */
            if ((rc = gw_store_sscc_clash(&clash, c->store, ct->sscc, s->id[0] ? s->id : "", c->now, err)) < 0)
                return rc;
            if (clash)
                gw_finding(j->v, "sscc-reused", ct->row,
                          "%s:%u: carton %s: SSCC %s went out with shipment %s within the last 365 days",
                          j->name, ct->row, ct->id, ct->sscc, clash);
            free(clash);
        }
    }
    if (!df)
        for (k = 0; k < s->npallets; k++)
            if (s->pallets[k].sscc == NULL && s->p->gs1_prefix == NULL)
                gw_finding(j->v, "sscc-missing", row0,
                          "%s:%u: pallet %s is not an SSCC and partner %s has no GS1 company prefix to make one",
                          j->name, row0, s->pallets[k].id, s->p->id);
    return 0;
}

/* ---- building ----------------------------------------------------------------------------------- */

/* The next SSCC of a GS1 company prefix: extension digit, prefix, serial
 * from the store (one sequence per prefix, shared by the partners using
 * it), check digit; one used within 365 days is skipped. In the caller's
 * transaction. */
static int assign_sscc(char out[19], struct job *j, const struct shp *s, struct edi_err *err)
{
    const char *prefix = s->p->gs1_prefix;
    size_t plen = strlen(prefix), digits = 17 - 1 - plen, i;
    char key[64];
    int tries, rc;

    snprintf(key, sizeof(key), "gs1:%s", prefix);
    for (tries = 0; tries < 1000; tries++) {
        uint64_t serial, mod = 1;
        char *clash = NULL;
        int sum = 0;

        for (i = 0; i < digits; i++)
            mod *= 10;
        if ((rc = gw_store_next_control(&serial, j->c->store, key, 'C', err)) < 0)
            return rc;
        snprintf(out, 19, "%c%s%0*llu", s->p->sscc_extension ? s->p->sscc_extension : '0', prefix,
                 (int)digits, (unsigned long long)(serial % mod));
        /* GS1 mod 10: weights 3 and 1 from the right of the 17 digits */
        for (i = 0; i < 17; i++)
            sum += (out[i] - '0') * ((17 - i) % 2 ? 3 : 1);
        out[17] = (char)('0' + (10 - sum % 10) % 10);
        out[18] = '\0';
        if ((rc = gw_store_sscc_use(&clash, j->c->store, out, s->p->id, s->id, j->c->now, err)) < 0)
            return rc;
        if (clash == NULL)
            return 0;
        free(clash);
    }
    return edi_fail(err, EDI_ELIMIT, "GS1 prefix %s: no free SSCC serial found", prefix);
}

static void address(struct gw_cel *party, const struct gw_address *a)
{
    struct gw_cel *ad;

    if (a->street1 == NULL && a->city == NULL)
        return;
    ad = gw_cel_add(party, "address", NULL);
    gw_cel_opt(ad, "line", a->street1);
    gw_cel_opt(ad, "line", a->street2);
    gw_cel_opt(ad, "city", a->city);
    gw_cel_opt(ad, "state", a->state);
    gw_cel_opt(ad, "postal-code", a->postal_code);
    gw_cel_opt(ad, "country", a->country);
}

static void iso_now(char *buf, size_t cap, time_t now)
{
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The ids of an order line, as the PO sent them. */
static void copy_ids(struct gw_cel *to, const struct oline *l)
{
    size_t k;

    for (k = 0; l->cl && k < l->cl->nids; k++)
        gw_cel_id(to, &l->cl->ids[k]);
}

static struct gw_cdoc *build(struct job *j, struct shp *s, const char *purpose)
{
    int df = strcmp(s->program, "DF") == 0, floor_denial = purpose && strcmp(purpose, "floor-denial") == 0;
    struct gw_cdoc *doc = gw_cdoc_new("shipment");
    struct gw_cel *root = gw_cdoc_root(doc), *n, *orders, *cartons;
    char now[32], weight[GW_DEC_STRLEN];
    struct gw_dec wsum = GW_DEC_ZERO;
    size_t i, k, m;
    int all_weights = s->ncartons > 0;

    gw_cel_add(root, "program", s->program);
    gw_cel_add(root, "shipment-id", s->id);
    if (floor_denial)
        gw_cel_add(root, "purpose", "floor-denial");
    else
        gw_cel_attr(root, "purpose", s->replaces ? "replace" : "original", "code", s->purpose_code);
    iso_now(now, sizeof(now), j->c->now);
    gw_cel_add(root, "asn-date", now);
    if (s->ship_date)
        gw_cel_add(root, "shipped-date", s->ship_date);
    if (s->p->vendor_code)
        gw_cel_attr(gw_cel_add(root, "selling-party", NULL), "id", s->p->vendor_code, "qualifier", "92");
    n = gw_cel_add(root, "ship-from", NULL);
    if (s->sf) {
        gw_cel_attr(n, "id", s->sf->party_id, "qualifier", "92");
        gw_cel_opt(n, "warehouse-code", s->sf->warehouse);
        gw_cel_opt(n, "name", s->sf->name);
        address(n, &s->sf->address);
    }
    if (!df && s->ship_to)
        gw_cel_attr(gw_cel_add(root, "ship-to", NULL), "id", s->ship_to, "qualifier", "92");
    if (s->scac)
        gw_cel_add(gw_cel_add(root, "carrier", NULL), "scac", s->scac);
    gw_cel_opt(root, "bill-of-lading", s->bol);
    gw_cel_opt(root, "pro-number", s->pro);
    if (!floor_denial) {
        char cnt[24];

        for (k = 0; k < s->ncartons; k++)
            if (s->cartons[k].weight)
                wsum = gw_dec_add(wsum, gw_dec_parse(s->cartons[k].weight, 1));
            else
                all_weights = 0;
        n = gw_cel_add(root, "totals", NULL);
        if (all_weights)
            gw_cel_attr(n, "gross-weight", gw_dec_str(weight, sizeof(weight), wsum), "unit", "KG");
        snprintf(cnt, sizeof(cnt), "%zu", s->ncartons);
        gw_cel_add(n, "carton-count", cnt);
        if (s->npallets) {
            snprintf(cnt, sizeof(cnt), "%zu", s->npallets);
            gw_cel_add(n, "pallet-count", cnt);
        }
    }
    /* orders: each PO of the shipment with what it ships of each line */
    orders = gw_cel_add(root, "orders", NULL);
    for (i = 0; i < j->nords; i++) {
        struct ord *d = &j->ords[i];
        struct gw_cel *on = NULL;

        for (k = 0; k < d->nlines; k++) {
            struct oline *l = &d->lines[k];
            struct gw_dec sum = GW_DEC_ZERO;
            char q[GW_DEC_STRLEN] = "";
            int any = 0;

            for (m = 0; m < s->nrows; m++) {
                const struct gw_pack_row *row = &j->pl.rows[s->rows[m]];

                if (j->row_ord[s->rows[m]] == i && row->line_no == l->line_no) {
                    sum = gw_dec_add(sum, gw_dec_parse(row->quantity, 1));
                    any = 1;
                }
            }
            if (any)
                gw_dec_str(q, sizeof(q), sum);
            if (!q[0] && !(floor_denial && j->row_ord == NULL && !l->cancelled))
                continue;
            if (on == NULL) {
                on = gw_cel_add(orders, "order", NULL);
                gw_cel_add(on, "po-number", d->po);
                if (d->doc->order_date && *d->doc->order_date)
                    gw_cel_add(on, "po-date", d->doc->order_date);
            }
            n = gw_cel_add(on, "line", NULL);
            {
                char no[16];

                snprintf(no, sizeof(no), "%d", l->line_no);
                gw_cel_add(n, "line-no", no);
            }
            copy_ids(n, l);
            gw_cel_attr(n, "shipped-quantity", q[0] ? q : "0", "unit", l->unit);
            /* SPEC: Amazon's DF 856 SN105/SN106 carry the ordered quantity
             * on every item, shipped or floor-denied (research 1.4) */
            if (df || floor_denial)
                gw_cel_attr(n, "ordered-quantity", l->ordered, "unit", l->unit);
        }
    }
    if (floor_denial)
        return doc;
    if (s->npallets) {
        struct gw_cel *pals = gw_cel_add(root, "pallets", NULL);

        for (k = 0; k < s->npallets; k++) {
            char cnt[24];

            n = gw_cel_add(pals, "pallet", NULL);
            gw_cel_add(n, "pallet-id", s->pallets[k].id);
            gw_cel_attr(n, "identifier", s->pallets[k].sscc, "type", "sscc");
            snprintf(cnt, sizeof(cnt), "%zu", s->pallets[k].ncartons);
            gw_cel_add(n, "carton-count", cnt);
            for (m = 0; m < s->ncartons; m++)
                if (s->cartons[m].pallet && strcmp(s->cartons[m].pallet, s->pallets[k].id) == 0)
                    gw_cel_add(n, "carton-ref", s->cartons[m].id);
        }
    }
    cartons = gw_cel_add(root, "cartons", NULL);
    for (k = 0; k < s->ncartons; k++) {
        struct carton *ct = &s->cartons[k];
        char seq[24];

        n = gw_cel_add(cartons, "carton", NULL);
        gw_cel_add(n, "carton-id", ct->id);
        if (ct->sscc)
            gw_cel_attr(n, "identifier", ct->sscc, "type", "sscc");
        snprintf(seq, sizeof(seq), df ? "%zu" : "%03zu", k + 1);
        gw_cel_add(n, "sequence-number", seq);
        gw_cel_opt(n, "tracking-number", ct->tracking);
        if (df) {
            struct ord *d = &j->ords[j->row_ord[s->rows[0]]];

            if (d->doc->ship_method && *d->doc->ship_method)
                gw_cel_add(gw_cel_add(n, "carrier", NULL), "ship-method", d->doc->ship_method);
            gw_cel_opt(n, "shipped-date", s->ship_date);
        }
        if (ct->weight)
            gw_cel_attr(n, "weight", ct->weight, "unit", "KG");
        if (ct->length && ct->width && ct->height) {
            struct gw_cel *dm = gw_cel_add(n, "dimensions", NULL);

            gw_cel_set(dm, "unit", "CM");
            gw_cel_add(dm, "length", ct->length);
            gw_cel_add(dm, "width", ct->width);
            gw_cel_add(dm, "height", ct->height);
        }
        for (m = 0; m < s->nrows; m++) {
            const struct gw_pack_row *row = &j->pl.rows[s->rows[m]];
            struct ord *d = &j->ords[j->row_ord[s->rows[m]]];
            struct oline *l = oline_of(d, row->line_no);
            struct gw_cel *it;
            char no[16];

            if (strcmp(row->carton_id, ct->id) != 0 || l == NULL)
                continue;
            it = gw_cel_add(n, "item", NULL);
            gw_cel_add(it, "po-number", row->po_number);
            snprintf(no, sizeof(no), "%d", row->line_no);
            gw_cel_add(it, "line-no", no);
            copy_ids(it, l);
            gw_cel_attr(it, "quantity", row->quantity, "unit", l->unit);
            gw_cel_opt(it, "lot", row->lot);
            gw_cel_opt(it, "expiry-date", row->expiry);
        }
    }
    return doc;
}

/* ---- queueing ---------------------------------------------------------------------------------- */

/* v, "" when NULL, cut to cap - 1 bytes */
static const char *cut(char *buf, size_t cap, const char *v)
{
    snprintf(buf, cap, "%s", v ? v : "");
    return buf;
}


/* The ERP file exchange: the shipment as JSON (local/shipment-to-erp-json)
 * and as CSV, one row per carton item, queued in the outbox inside the
 * shipment's transaction (gw_erp_write): a crash loses both or neither. */
static int export_shipment(struct gw_ctx *c, const struct gw_partner *p, const char *id,
                           const struct gw_cdoc *doc, struct edi_err *err)
{
    struct gw_cshipment *sh = NULL;
    struct edi_buf csv;
    char sscc[32], carton[64], track[80], po[64], line[16], qty[48], unit[8];
    size_t k, m;
    int rc;

    edi_buf_init(&csv, 0);
    if (c->cfg->erp_csv) {
        if ((rc = gw_cdoc_shipment(&sh, doc, err)) < 0) {
            edi_buf_dispose(&csv);
            return rc;
        }
        edi_buf_puts(&csv, "partner,shipment_id,carton_id,sscc,tracking_number,po_number,line_no,quantity,unit\n");
        for (k = 0; k < sh->ncartons; k++)
            for (m = 0; m < sh->cartons[k].nitems; m++) {
                const struct gw_ccarton *ct = &sh->cartons[k];
                const struct gw_cship_item *it = &ct->items[m];

                /* the columns keep the widths they always had */
                gw_csv_field(&csv, p->id, 0);
                gw_csv_field(&csv, id, 0);
                gw_csv_field(&csv, cut(carton, sizeof(carton), ct->carton_id), 0);
                gw_csv_field(&csv, cut(sscc, sizeof(sscc), ct->sscc), 0);
                gw_csv_field(&csv, cut(track, sizeof(track), ct->tracking_number), 0);
                gw_csv_field(&csv, cut(po, sizeof(po), it->po_number), 0);
                gw_csv_field(&csv, cut(line, sizeof(line), it->line_no), 0);
                gw_csv_field(&csv, cut(qty, sizeof(qty), it->quantity.text), 0);
                gw_csv_field(&csv, cut(unit, sizeof(unit), it->quantity.unit), 1);
            }
        gw_cshipment_free(sh);
    }
    rc = gw_erp_write(c, p->id, "shipment", id, "queued", "local/shipment-to-erp-json", doc, &csv, err);
    edi_buf_dispose(&csv);
    return rc;
}

/* An order's state after its shipments: shipped when every line that can
 * ship has shipped in full, else partially shipped. */
static int order_state_after(struct gw_ctx *c, struct ord *d, const char *shipment_id,
                             struct edi_err *err)
{
    struct gw_shipment_line *sh = NULL;
    size_t n = 0, i, k;
    int full = 1, rc;
    char why[160];

    if ((rc = gw_store_order_shipped(&sh, &n, c->store, d->o->id, 0, err)) < 0)
        return rc;
    for (k = 0; k < d->nlines; k++) {
        struct gw_dec total = GW_DEC_ZERO;

        for (i = 0; i < n; i++)
            if (sh[i].line_no == d->lines[k].line_no)
                total = gw_dec_add(total, gw_dec_parse(sh[i].quantity, 1));
        if (gw_dec_cmp(total, d->lines[k].allowed) < 0)
            full = 0;
    }
    gw_shipment_lines_free(sh, n);
    snprintf(why, sizeof(why), "ship notice %s queued", shipment_id);
    return gw_store_set_order_state(c->store, d->o->id, full ? GW_ORDER_SHIPPED : GW_ORDER_PARTIALLY_SHIPPED,
                                    why, c->now, err);
}

/* Everything of one shipment inside the transaction. */
static int queue_shipment(struct job *j, struct shp *s, const char *purpose, struct gw_cdoc **docp,
                          struct edi_err *err)
{
    struct gw_ctx *c = j->c;
    struct gw_outbound ob;
    struct gw_queued q;
    struct gw_shipment sh;
    struct edi_findings f;
    char *text = NULL;
    int64_t id;
    int rc;
    size_t i, k, m;

    *docp = NULL;
    if (s->id[0] == '\0') {
        uint64_t seq;
        struct tm tm;
        char day[16];

        if ((rc = gw_store_next_control(&seq, c->store, s->p->id, 'A', err)) < 0)
            return rc;
        gmtime_r(&c->now, &tm);
        strftime(day, sizeof(day), "%Y%m%d", &tm);
        snprintf(s->id, sizeof(s->id), "%s-%s-%04llu", s->p->vendor_code ? s->p->vendor_code : "ASN", day,
                 (unsigned long long)seq);
    }
    /* SSCCs: given ones are checked against the last 365 days, missing
     * ones made */
    for (k = 0; strcmp(s->program, "RP") == 0 && k < s->ncartons + s->npallets; k++) {
        const char **sscc = k < s->ncartons ? &s->cartons[k].sscc : &s->pallets[k - s->ncartons].sscc;
        char *buf = k < s->ncartons ? s->cartons[k].buf : s->pallets[k - s->ncartons].buf;
        const char *what = k < s->ncartons ? s->cartons[k].id : s->pallets[k - s->ncartons].id;

        if (*sscc == NULL) {
            if ((rc = assign_sscc(buf, j, s, err)) < 0)
                return rc;
            *sscc = buf;
        } else {
            char *clash = NULL;

            if ((rc = gw_store_sscc_use(&clash, c->store, *sscc, s->p->id, s->id, c->now, err)) < 0)
                return rc;
            if (clash) {
                gw_finding(j->v, "sscc-reused", k < s->ncartons ? s->cartons[k].row : 0,
                          "%s: %s %s: SSCC %s went out with shipment %s within the last 365 days",
                          j->name, k < s->ncartons ? "carton" : "pallet", what, *sscc, clash);
                free(clash);
            }
        }
    }
    if (edi_findings_errors(j->v))
        return EDI_ESYNTAX;
    *docp = build(j, s, purpose);
    edi_findings_init(&f, 50);
    ob = (struct gw_outbound){"856", "SH", "shipment-out", s->id};
    rc = gw_queue_x12(&q, c, s->p, &ob, *docp, &f, err);
    if (rc == EDI_ESYNTAX) {
        for (i = 0; i < f.n; i++)
            if (f.v[i].severity == EDI_SEV_ERROR)
                gw_finding(j->v, f.v[i].code, 0, "shipment %s: the 856 was refused: %s", s->id, f.v[i].msg);
    }
    edi_findings_dispose(&f);
    if (rc < 0)
        return rc;
    /* the shipment, its lines */
    memset(&sh, 0, sizeof(sh));
    sh.partner = (char *)s->p->id;
    sh.program = (char *)s->program;
    sh.shipment_id = s->id;
    sh.version = s->version;
    sh.state = (char *)(purpose && strcmp(purpose, "floor-denial") == 0 ? "floor-denial" : "queued");
    sh.warehouse = (char *)s->warehouse;
    sh.ship_to = (char *)s->ship_to;
    text = gw_cdoc_text(*docp, NULL);
    sh.canonical = text;
    sh.document_id = q.document_id;
    sh.outbox_id = q.outbox_id;
    sh.lines = edi_xcalloc(s->nrows + 1, sizeof(*sh.lines));
    for (i = 0; i < s->nrows; i++) {
        const struct gw_pack_row *row = &j->pl.rows[s->rows[i]];
        struct ord *d = &j->ords[j->row_ord[s->rows[i]]];

        for (m = 0; m < sh.nlines; m++)
            if (sh.lines[m].order_id == d->o->id && sh.lines[m].line_no == row->line_no)
                break;
        if (m == sh.nlines) {
            sh.lines[m].order_id = d->o->id;
            sh.lines[m].line_no = row->line_no;
            sh.lines[m].quantity = edi_xstrdup("0");
            sh.nlines++;
        }
        {
            char sum[GW_DEC_STRLEN];

            gw_dec_str(sum, sizeof(sum),
                       gw_dec_add(gw_dec_parse(sh.lines[m].quantity, 1), gw_dec_parse(row->quantity, 1)));
            free(sh.lines[m].quantity);
            sh.lines[m].quantity = edi_xstrdup(sum);
        }
    }
    rc = gw_store_add_shipment(&id, c->store, &sh, c->now, err);
    free(text);
    gw_shipment_lines_free(sh.lines, sh.nlines);
    if (rc < 0)
        return rc;
    if (s->replaces && (rc = gw_store_set_shipment_state(c->store, s->replaces->id, "replaced", c->now, err)) < 0)
        return rc;
    gw_log(c, "info", "%s: ship notice %s%s queued (%s)", s->p->id, s->id,
           s->replaces ? " (replacement)" : "", q.name);
    return 0;
}

/* ---- the packing list ------------------------------------------------------------------------------ */

static int run_job(struct gw_ship_summary *sum, struct job *j, struct edi_err *err)
{
    struct gw_ctx *c = j->c;
    struct gw_cdoc *docs[MAX_SHIPMENTS] = {0};
    size_t i, k;
    int rc = 0;

    /* orders */
    j->row_ord = edi_xcalloc(j->pl.nrows + 1, sizeof(*j->row_ord));
    j->ords = edi_xcalloc(j->pl.nrows + 1, sizeof(*j->ords));
    for (i = 0; i < j->pl.nrows; i++) {
        const struct gw_pack_row *row = &j->pl.rows[i];

        for (k = 0; k < j->nords && strcmp(j->ords[k].po, row->po_number) != 0; k++)
            ;
        if (k == j->nords) {
            if ((rc = ord_load(&j->ords[k], c, row->po_number, row->src, j->v, j->name, err)) < 0)
                return rc;
            j->nords++;
        }
        j->row_ord[i] = j->ords[k].o ? k : (size_t)-1;
    }
    /* rows of unknown POs are left out of the groups: the other rows are
     * still checked, so one refusal names every problem */
    group(j);
    for (i = 0; i < j->nshps; i++)
        if ((rc = check_shipment(j, &j->shps[i], err)) < 0)
            return rc;
    if (edi_findings_errors(j->v))
        return EDI_ESYNTAX;
    /* all or nothing */
    if ((rc = gw_store_begin(c->store, err)) < 0)
        return rc;
    for (i = 0; i < j->nshps && rc == 0; i++)
        rc = queue_shipment(j, &j->shps[i], NULL, &docs[i], err);
    for (i = 0; i < j->nords && rc == 0; i++)
        if (j->ords[i].o)
            rc = order_state_after(c, &j->ords[i], j->nshps == 1 ? j->shps[0].id : "(packing list)", err);
    for (i = 0; i < j->nshps && rc == 0; i++)
        rc = export_shipment(c, j->shps[i].p, j->shps[i].id, docs[i], err);
    if (rc == 0 && (rc = gw_store_audit(c->store, "wharf", "ship", j->name, NULL, c->now, err)) == 0)
        rc = gw_store_commit(c->store, err);
    else
        gw_store_rollback(c->store);
    if (rc == 0)
        for (i = 0; i < j->nshps; i++) {
            if (sum && sum->n < sizeof(sum->ids) / sizeof(sum->ids[0]))
                snprintf(sum->ids[sum->n++], sizeof(sum->ids[0]), "%s", j->shps[i].id);
        }
    for (i = 0; i < j->nshps; i++)
        gw_cdoc_free(docs[i]);
    return rc;
}

int gw_ship_packlist(struct gw_ship_summary *sum, struct gw_ctx *c, const char *name,
                     const char *data, size_t n, struct edi_findings *why, struct edi_err *err)
{
    struct job j;
    int rc;

    if (sum)
        memset(sum, 0, sizeof(*sum));
    memset(&j, 0, sizeof(j));
    j.c = c;
    j.name = name;
    j.v = why;
    rc = gw_packlist_parse(&j.pl, name, data, n, why, err);
    if (rc == 0)
        rc = run_job(sum, &j, err);
    if (rc == EDI_ESYNTAX && err && !err->msg[0])
        edi_fail(err, EDI_ESYNTAX, "%s: refused (%zu problems)", name, edi_findings_errors(why));
    job_dispose(&j);
    return rc;
}

int gw_ship_floor_denial(struct gw_ship_summary *sum, struct gw_ctx *c, const char *po_number,
                         struct edi_findings *why, struct edi_err *err)
{
    struct job j;
    struct shp *s;
    struct gw_cdoc *doc = NULL;
    int rc;

    if (sum)
        memset(sum, 0, sizeof(*sum));
    memset(&j, 0, sizeof(j));
    j.c = c;
    j.name = "floor denial";
    j.v = why;
    edi_pool_init(&j.pl.pool);
    j.ords = edi_xcalloc(1, sizeof(*j.ords));
    if ((rc = ord_load(&j.ords[0], c, po_number, 0, why, "floor denial", err)) < 0)
        goto out;
    j.nords = 1;
    if (edi_findings_errors(why)) {
        rc = EDI_ESYNTAX;
        goto out;
    }
    if (strcmp(j.ords[0].o->program, "DF") != 0) {
        gw_finding(why, "floor-denial-df", 0, "PO %s is a %s order: a floor denial is Direct Fulfillment only",
                  po_number, j.ords[0].o->program);
        rc = EDI_ESYNTAX;
        goto out;
    }
    if (strcmp(j.ords[0].o->state, GW_ORDER_SHIPPED) == 0 || strcmp(j.ords[0].o->state, GW_ORDER_CANCELLED) == 0 ||
        strcmp(j.ords[0].o->state, GW_ORDER_PARTIALLY_SHIPPED) == 0) {
        gw_finding(why, "floor-denial-state", 0, "PO %s is %s: nothing left to deny", po_number, j.ords[0].o->state);
        rc = EDI_ESYNTAX;
        goto out;
    }
    s = &j.shps[j.nshps++];
    memset(s, 0, sizeof(*s));
    s->p = j.ords[0].p;
    s->program = "DF";
    snprintf(s->id, sizeof(s->id), "%s", po_number);
    s->version = 1;
    snprintf(s->purpose_code, sizeof(s->purpose_code), "00");
    {
        char sf[64];

        /* the ship-from the PO named */
        snprintf(sf, sizeof(sf), "%s", j.ords[0].doc->ship_from.id ? j.ords[0].doc->ship_from.id : "");
        if (sf[0])
            s->sf = gw_config_ship_from_party(s->p, sf);
        if (s->sf == NULL) {
            static struct gw_ship_from bare;

            bare.party_id = sf[0] ? edi_pool_strdup(&j.pl.pool, sf) : NULL;
            s->sf = bare.party_id ? &bare : NULL;
        }
    }
    if ((rc = gw_store_get_shipment(&s->replaces, c->store, s->p->id, s->id, 0, err)) == EDI_ENOTFOUND)
        rc = 0;             /* not confirmed yet */
    else if (rc < 0)
        goto out;
    if (s->replaces) {
        gw_finding(why, "df-already-confirmed", 0, "PO %s: a ship confirmation was already sent", po_number);
        rc = EDI_ESYNTAX;
        goto out;
    }
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto out;
    rc = queue_shipment(&j, s, "floor-denial", &doc, err);
    if (rc == 0)
        rc = gw_store_set_order_state(c->store, j.ords[0].o->id, GW_ORDER_CANCELLED,
                                      "floor denial queued (BSN06 72, BSN07 REJ)", c->now, err);
    if (rc == 0)
        rc = export_shipment(c, s->p, s->id, doc, err);
    if (rc == 0 && (rc = gw_store_audit(c->store, "wharf", "floor-denial", po_number, NULL, c->now, err)) == 0)
        rc = gw_store_commit(c->store, err);
    else
        gw_store_rollback(c->store);
    if (rc == 0) {
        if (sum)
            snprintf(sum->ids[sum->n++], sizeof(sum->ids[0]), "%s", s->id);
    }
out:
    gw_cdoc_free(doc);
    job_dispose(&j);
    return rc;
}

/* ---- packing lists in erp/in ---------------------------------------------------------------------- */

int gw_erp_packing_lists(unsigned *shipped, struct gw_ctx *c, struct edi_err *err)
{
    const struct gw_erp_type *et;
    struct gw_erp *e = NULL;
    struct gw_erp_item *v = NULL;
    size_t n = 0, i;
    int rc = 0;

    *shipped = 0;
    if (gw_erp_open(&et, &e, c, GW_ERP_PACKING_LISTS, err) < 0 || et->pull(e, GW_ERP_PACKING_LISTS, &v, &n, err) < 0) {
        if (e)
            et->close(e);
        return 0;   /* nothing to read yet */
    }
    for (i = 0; i < n && rc == 0; i++) {
        const char *name = v[i].name;
        struct edi_err e2;
        struct edi_findings why;
        struct gw_ship_summary sum;
        int r;

        edi_findings_init(&why, 200);
        edi_err_clear(&e2);
        r = gw_ship_packlist(&sum, c, name, v[i].data, v[i].n, &why, &e2);
        if (r < 0 && r != EDI_ESYNTAX) {
            gw_log(c, "error", "packing list %s: %s (left in place)", name, e2.msg);
            edi_findings_dispose(&why);
            if (r != EDI_EAGAIN) {
                rc = r;
                *err = e2;
            }
            continue;
        }
        if (r == 0) {
            et->done(e, &v[i], NULL, &e2);
            *shipped += (unsigned)sum.n;
            gw_log(c, "info", "packing list %s: %zu ship notice(s) queued", name, sum.n);
        } else {
            struct edi_buf b;
            size_t k;

            edi_buf_init(&b, 1u << 20);
            for (k = 0; k < why.n; k++) {
                edi_buf_puts(&b, why.v[k].code);
                edi_buf_puts(&b, ": ");
                edi_buf_puts(&b, why.v[k].msg);
                edi_buf_putc(&b, '\n');
            }
            et->done(e, &v[i], edi_buf_cstr(&b), &e2);
            gw_log(c, "warn", "packing list %s refused: %s", name, why.n ? why.v[0].msg : "refused");
            edi_buf_dispose(&b);
        }
        edi_findings_dispose(&why);
    }
    gw_erp_items_free(v, n);
    et->close(e);
    return rc;
}

/* ---- labels --------------------------------------------------------------------------------------- */

int gw_ship_labels(struct edi_buf *out, struct gw_ctx *c, const char *shipment_id, int zpl,
                   struct edi_err *err)
{
    struct gw_shipment *sh = NULL;
    struct gw_cshipment *doc = NULL;
    struct gw_label_opts o = {zpl, NULL};
    struct edi_err e2;
    int rc;

    if ((rc = gw_store_get_shipment(&sh, c->store, NULL, shipment_id, 0, err)) == EDI_ENOTFOUND)
        return edi_fail(err, EDI_ENOTFOUND, "no shipment %s", shipment_id);
    if (rc < 0)
        return rc;
    edi_err_clear(&e2);
    if (gw_cshipment_read(&doc, sh->canonical, strlen(sh->canonical), &e2) < 0)
        rc = edi_fail(err, EDI_ERR, "shipment %s: its canonical document does not read (%s)", shipment_id, e2.msg);
    else
        rc = gw_labels_render(out, doc, &o, err);
    gw_cshipment_free(doc);
    gw_shipment_free(sh);
    return rc;
}
