/*
 * cdoc.h — the canonical documents (urn:wharf:canonical:1) as typed C
 * values: readers for the order, the order acknowledgment, the shipment
 * and the invoice, and struct gw_cdoc, a canonical document being built or
 * handed to a map. This module (cdoc.c) is the one place that reads
 * canonical XML with libxml2; nothing in this header needs libxml2.
 *
 * Readers are strict about what they need and lenient about the rest: a
 * missing required element is EDI_ESYNTAX naming the element and the
 * document ("order 4Z32PABH: line 2 has no <ordered-quantity>"); elements
 * they do not know are ignored. Text is the element's text exactly as the
 * document carries it; NULL when the element is absent. Amounts are read
 * both as text (what goes out again) and as struct gw_dec (what is summed).
 * Everything a reader returns belongs to the reader's pool and goes with
 * its _free.
 *
 * Not here: the XSDs (schemas/canonical/), exact decimals (dec.h), the
 * libxml2 tree under a gw_cdoc (cdoc_xml.h), documents through the map
 * engine and X12 (mapdoc.h).
 */
#ifndef WHARF_CDOC_H
#define WHARF_CDOC_H

#include "edi/edi.h"
#include "gateway/docs/dec.h"

#include <stddef.h>

/* ---- shared parts ---- */

struct gw_cel;                     /* an element of a document (below) */

struct gw_cattr {
    const char *name, *value;
};

/* An element kept as it came, with its attributes in document order: an
 * item's <id qualifier="asin" code="BP">, copied to shipments and invoices. */
struct gw_cid {
    const char *value;
    const struct gw_cattr *attrs;
    size_t nattrs;
};

/* The value of attribute name, NULL when absent. */
const char *gw_cid_attr(const struct gw_cid *id, const char *name);

struct gw_caddress {
    const char *line[3];           /* LIMIT: the schema's three lines */
    size_t nlines;
    const char *city, *state, *postal_code, *country;
};

struct gw_cparty {
    int present;                   /* the element is there */
    const char *id;                /* the first <id> */
    const char *id_qualifier;
    const char *warehouse_code;
    const char *name;
    const char *attention;
    const char *extra_address_line;  /* the first */
    const char *phone;             /* the first of address/phone and contact/phone */
    int has_address;
    struct gw_caddress address;
    const struct gw_cel *el;       /* the element, read from a gw_cdoc (gw_cdoc_order); else NULL */
};

/* A quantity: its text, its value and its unit attributes. */
struct gw_cqty {
    const char *text;              /* NULL: absent */
    struct gw_dec v;
    const char *unit, *unit_size;
};

/* ---- order (schemas/canonical/order.xsd) ---- */

struct gw_corder_line {
    const char *line_no;           /* required */
    int no;                        /* as a number (0 when it is not one) */
    struct gw_cid *ids;
    size_t nids;
    struct gw_cqty ordered;        /* required */
    const char *unit_cost;         /* text, NULL when none */
    struct gw_dec cost;
    const char *cost_basis;
    const char *description, *backorder_allowed;
    const char *gift_message;      /* gift/message ("" when empty, NULL when none) */
    const struct gw_cel *el;       /* the <line>, read from a gw_cdoc; else NULL */
};

struct gw_corder {
    const char *program, *purpose, *purpose_code, *type, *type_code;
    const char *po_number;         /* required */
    const char *order_date, *currency, *customer_order_number;
    const char *ship_method;       /* header/carrier/ship-method */
    const char *required_ship_date, *is_gift, *packing_slip_required, *message_to_customer;
    const char *gift_message;      /* header/gift/message ("" when empty, NULL when none) */
    struct gw_cparty selling_party, ship_to, ship_from, bill_to;
    struct gw_corder_line *lines;
    size_t nlines;
    struct edi_pool pool;
};

/* Reads the canonical order xml[0..n). EDI_ESYNTAX when it is not one or
 * misses a required element. */
int gw_corder_read(struct gw_corder **out, const char *xml, size_t n, struct edi_err *err);
void gw_corder_free(struct gw_corder *o);
/* The first line numbered no (numeric comparison), NULL when none. */
const struct gw_corder_line *gw_corder_line_no(const struct gw_corder *o, int no);
/* The first line whose <line-no> text is no, NULL when none. */
const struct gw_corder_line *gw_corder_line_text(const struct gw_corder *o, const char *no);

/* ---- order acknowledgment (order-ack.xsd) ---- */

struct gw_cack_status {
    const char *status;            /* required: accepted, backordered, rejected ... */
    struct gw_cqty quantity;       /* required */
    const char *scheduled_ship_date;
};

struct gw_cack_line {
    const char *line_no;           /* required */
    int no;
    const char *unit_cost;
    struct gw_dec cost;
    struct gw_cack_status *statuses;
    size_t nstatuses;
};

struct gw_cack {
    const char *program, *po_number, *ack_date;
    struct gw_cack_line *lines;
    size_t nlines;
    struct edi_pool pool;
};

int gw_cack_read(struct gw_cack **out, const char *xml, size_t n, struct edi_err *err);
void gw_cack_free(struct gw_cack *a);
/* The quantity of the first item status `status` of the lines numbered no
 * (numeric), NULL when none. */
const struct gw_cqty *gw_cack_quantity(const struct gw_cack *a, int no, const char *status);
/* The unit cost text of the first line whose <line-no> is no, NULL. */
const char *gw_cack_cost(const struct gw_cack *a, const char *no);

/* ---- shipment (shipment.xsd) ---- */

struct gw_cship_item {
    const char *po_number, *line_no;
    struct gw_cid *ids;
    size_t nids;
    struct gw_cqty quantity;
    const char *lot, *expiry_date;
};

struct gw_ccarton {
    const char *carton_id;
    const char *sscc;              /* the first <identifier type="sscc"> */
    const char *sequence_number, *tracking_number;
    const char *scac, *ship_method;  /* the carton's <carrier> */
    const char *shipped_date;
    const char *weight;
    struct gw_cship_item *items;
    size_t nitems;
};

struct gw_cpallet {
    const char *pallet_id, *sscc;
    const char *tracking_number, *scac, *ship_method;
    const char **carton_refs;
    size_t nrefs;
};

struct gw_cshipment {
    const char *program, *shipment_id, *purpose, *purpose_code, *asn_date, *shipped_date;
    struct gw_cparty ship_from, ship_to;
    const char *scac, *ship_method;  /* the shipment's <carrier> */
    struct gw_ccarton *cartons;
    size_t ncartons;
    struct gw_cpallet *pallets;
    size_t npallets;
    struct edi_pool pool;
};

int gw_cshipment_read(struct gw_cshipment **out, const char *xml, size_t n, struct edi_err *err);
void gw_cshipment_free(struct gw_cshipment *s);

/* ---- invoice (invoice.xsd) ---- */

struct gw_camount {                /* a charge, an allowance or a tax */
    const char *type;
    const char *amount;            /* text */
    struct gw_dec v;
};

struct gw_cinvoice_line {
    const char *po_number;         /* required */
    const char *line_no;           /* required */
    int no;
    struct gw_cqty quantity;       /* invoiced-quantity, required */
    const char *unit_price;
    struct gw_dec price;
    const char *line_amount;
    struct gw_dec amount;
    struct gw_camount *charges, *allowances, *taxes;
    size_t ncharges, nallowances, ntaxes;
    int has_taxes;                 /* a <taxes> element, even empty */
};

struct gw_cinvoice {
    const char *program, *type, *invoice_number, *invoice_date, *currency;
    const char **po_numbers, **shipment_ids;   /* references */
    size_t npo_numbers, nshipment_ids;
    struct gw_cinvoice_line *lines;
    size_t nlines;
    struct gw_camount *charges, *allowances, *taxes;
    size_t ncharges, nallowances, ntaxes;
    /* totals: text, NULL when absent */
    const char *line_total, *charges_total, *allowances_total, *tax_total, *invoice_total;
    struct edi_pool pool;
};

int gw_cinvoice_read(struct gw_cinvoice **out, const char *xml, size_t n, struct edi_err *err);
void gw_cinvoice_free(struct gw_cinvoice *v);

/* ---- documents being built or mapped ---- */

/* A canonical document as a tree: built element by element (the order of
 * calls is the order of the elements), serialized once, handed to maps. */
struct gw_cdoc;
struct gw_cel;

/* A new document whose root is <root xmlns="urn:wharf:canonical:1">. */
struct gw_cdoc *gw_cdoc_new(const char *root);
/* xml[0..n) as a document (any root: the caller knows what it expects).
 * EDI_ESYNTAX naming what when it does not parse. */
int gw_cdoc_parse(struct gw_cdoc **out, const char *xml, size_t n, const char *what, struct edi_err *err);
void gw_cdoc_free(struct gw_cdoc *d);
/* d's tree moved into a new document (the caller's), d left empty: a
 * borrowed document kept past the call that lent it. */
struct gw_cdoc *gw_cdoc_take(struct gw_cdoc *d);
struct gw_cel *gw_cdoc_root(struct gw_cdoc *d);
/* The document as indented UTF-8 text; the caller frees it (free()). */
char *gw_cdoc_text(const struct gw_cdoc *d, size_t *n);
/* Reads a document being built or mapped. A gw_corder read from d points
 * into it (gw_cparty.el, gw_corder_line.el, for gw_cel_copy): free it
 * before d. */
int gw_cdoc_order(struct gw_corder **out, const struct gw_cdoc *d, struct edi_err *err);
int gw_cdoc_invoice(struct gw_cinvoice **out, const struct gw_cdoc *d, struct edi_err *err);
int gw_cdoc_shipment(struct gw_cshipment **out, const struct gw_cdoc *d, struct edi_err *err);

/* A child element in the canonical namespace with text (NULL: none),
 * returned borrowed. */
struct gw_cel *gw_cel_add(struct gw_cel *parent, const char *name, const char *text);
/* The same, only when text is not empty. */
void gw_cel_opt(struct gw_cel *parent, const char *name, const char *text);
/* A child with text and one attribute. */
struct gw_cel *gw_cel_attr(struct gw_cel *parent, const char *name, const char *text, const char *attr,
                           const char *value);
/* An attribute on e. */
void gw_cel_set(struct gw_cel *e, const char *attr, const char *value);
/* A copy of a read <id> (its attributes in their order). Copies declare
 * the namespace again on themselves (<id xmlns="urn:wharf:canonical:1"
 * qualifier=...>), as copied elements always did in stored documents. */
void gw_cel_id(struct gw_cel *parent, const struct gw_cid *id);
/* A copy of a read party under the element name (namespace as above). */
void gw_cel_party(struct gw_cel *parent, const char *name, const struct gw_cparty *p);
/* Copies of from's children named name (the first only, unless all), as
 * they are: attributes, text and children (a copied element declares the
 * namespace again, as gw_cel_id). from is an element of another document
 * (gw_cparty.el, gw_corder_line.el); NULL copies nothing. Returns how many
 * were copied. */
size_t gw_cel_copy_kids(struct gw_cel *parent, const struct gw_cel *from, const char *name, int all);
/* A copy of from itself, as gw_cel_copy_kids. */
void gw_cel_copy(struct gw_cel *parent, const struct gw_cel *from);
/* 1 when e has children. */
int gw_cel_has_children(const struct gw_cel *e);

/* map_check_schema (mappings/map.h) on d: the findings of schema (a path
 * under schemas/, "canonical/invoice.xsd") in f. */
struct map_engine;
struct edi_findings;
int gw_cdoc_check_schema(struct map_engine *e, const char *schema, const struct gw_cdoc *d,
                         struct edi_findings *f, struct edi_err *err);
/* 1 when d's root is <name> in the canonical namespace. */
int gw_cdoc_is(const struct gw_cdoc *d, const char *name);

/* *out: xml without the elements named in names (NULL-terminated), at any
 * depth, serialized again; NULL when none was there or xml does not parse
 * (then it stays as it is). Returns how many were removed. */
unsigned gw_cdoc_scrub(char **out, const char *xml, const char *const *names);

#endif
