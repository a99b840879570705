/*
 * cdoc.c — canonical documents as typed values (cdoc.h): the readers walk
 * the libxml2 tree by element name in the canonical namespace (no XPath),
 * copy what they keep into one pool, and free the tree.
 */
#include "gateway/docs/cdoc_xml.h"

#include "gateway/docs/canon.h"
#include "mappings/map.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

struct gw_cdoc {
    xmlDocPtr doc;
};

#define EL(e) ((xmlNodePtr)(void *)(e))
#define CEL(n) ((struct gw_cel *)(void *)(n))

/* ---- building on the tree ---- */

/* A child element in the parent's namespace, with text (NULL: none). */
static xmlNodePtr gw_el(xmlNodePtr parent, const char *name, const char *txt)
{
    return xmlNewTextChild(parent, parent->ns, BAD_CAST name, txt ? BAD_CAST txt : NULL);
}

static void gw_el_opt(xmlNodePtr parent, const char *name, const char *txt)
{
    if (txt && *txt)
        gw_el(parent, name, txt);
}

static xmlNodePtr gw_el_attr(xmlNodePtr parent, const char *name, const char *txt, const char *a,
                             const char *value)
{
    xmlNodePtr n = gw_el(parent, name, txt);

    xmlNewProp(n, BAD_CAST a, BAD_CAST value);
    return n;
}

/* A new document whose root is <name xmlns="urn:wharf:canonical:1">. */
static xmlDocPtr gw_canon_new(const char *name)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST name);

    xmlSetNs(root, xmlNewNs(root, BAD_CAST GW_CANON_NS, NULL));
    xmlDocSetRootElement(doc, root);
    return doc;
}

/* ---- walking ---- */

static int is_el(const xmlNode *n, const char *name)
{
    /* the name first: it tells most siblings apart at its first bytes,
     * where the namespace is the same 21 bytes on every element */
    return n && n->type == XML_ELEMENT_NODE && (name == NULL || strcmp((const char *)n->name, name) == 0) &&
           n->ns && n->ns->href && strcmp((const char *)n->ns->href, GW_CANON_NS) == 0;
}

/* The first child element name of n, NULL. */
static xmlNodePtr kid(const xmlNode *n, const char *name)
{
    xmlNodePtr c;

    for (c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

/* The next sibling element name after c, NULL. */
static xmlNodePtr next_el(const xmlNode *c, const char *name)
{
    for (c = c ? c->next : NULL; c; c = c->next)
        if (is_el(c, name))
            return (xmlNodePtr)c;
    return NULL;
}

static size_t count(const xmlNode *n, const char *name)
{
    size_t k = 0;
    xmlNodePtr c;

    for (c = kid(n, name); c; c = next_el(c, name))
        k++;
    return k;
}

/* n's text in the pool, NULL when n is NULL. */
static const char *text(struct edi_pool *pl, const xmlNode *n)
{
    xmlChar *t;
    char *r;

    if (n == NULL)
        return NULL;
    t = xmlNodeGetContent(n);
    r = edi_pool_strdup(pl, t ? (const char *)t : "");
    xmlFree(t);
    return r;
}

static const char *kid_text(struct edi_pool *pl, const xmlNode *n, const char *name)
{
    return text(pl, kid(n, name));
}

static const char *attr(struct edi_pool *pl, const xmlNode *n, const char *name)
{
    xmlChar *t;
    char *r;

    if (n == NULL || (t = xmlGetNoNsProp(n, BAD_CAST name)) == NULL)
        return NULL;
    r = edi_pool_strdup(pl, (const char *)t);
    xmlFree(t);
    return r;
}

static int line_number(const char *s)
{
    long v = 0;

    if (s == NULL)
        return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((v = v * 10 + (*s - '0')) > 1000000000L)
            return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return *s ? 0 : (int)v;
}

static void read_qty(struct gw_cqty *q, struct edi_pool *pl, const xmlNode *n)
{
    q->text = text(pl, n);
    q->v = gw_dec_parse(q->text, 1);
    q->unit = attr(pl, n, "unit");
    q->unit_size = attr(pl, n, "unit-size");
}

static void read_ids(struct gw_cid **out, size_t *nout, struct edi_pool *pl, const xmlNode *n)
{
    size_t k = 0, na;
    xmlNodePtr c;
    xmlAttrPtr a;

    *nout = count(n, "id");
    *out = edi_pool_alloc(pl, (*nout ? *nout : 1) * sizeof(**out));
    for (c = kid(n, "id"); c; c = next_el(c, "id"), k++) {
        struct gw_cid *id = &(*out)[k];
        struct gw_cattr *v;

        id->value = text(pl, c);
        for (na = 0, a = c->properties; a; a = a->next)
            na++;
        id->attrs = v = edi_pool_alloc(pl, (na ? na : 1) * sizeof(*v));
        for (a = c->properties; a; a = a->next) {
            xmlChar *t = xmlNodeGetContent((xmlNodePtr)a);

            v[id->nattrs].name = edi_pool_strdup(pl, (const char *)a->name);
            v[id->nattrs++].value = edi_pool_strdup(pl, t ? (const char *)t : "");
            xmlFree(t);
        }
    }
}

const char *gw_cid_attr(const struct gw_cid *id, const char *name)
{
    size_t i;

    for (i = 0; id && i < id->nattrs; i++)
        if (strcmp(id->attrs[i].name, name) == 0)
            return id->attrs[i].value;
    return NULL;
}

static void read_party(struct gw_cparty *p, struct edi_pool *pl, const xmlNode *n)
{
    xmlNodePtr id, ad, l;

    memset(p, 0, sizeof(*p));
    if (n == NULL)
        return;
    p->present = 1;
    id = kid(n, "id");
    p->id = text(pl, id);
    p->id_qualifier = attr(pl, id, "qualifier");
    p->warehouse_code = kid_text(pl, n, "warehouse-code");
    p->name = kid_text(pl, n, "name");
    p->attention = kid_text(pl, n, "attention");
    p->extra_address_line = kid_text(pl, n, "extra-address-line");
    /* the first phone in document order of address/phone and contact/phone */
    for (l = n->children; l && p->phone == NULL; l = l->next)
        if (is_el(l, "address") || is_el(l, "contact"))
            p->phone = kid_text(pl, l, "phone");
    if ((ad = kid(n, "address")) != NULL) {
        p->has_address = 1;
        for (l = kid(ad, "line"); l && p->address.nlines < 3; l = next_el(l, "line"))
            p->address.line[p->address.nlines++] = text(pl, l);
        p->address.city = kid_text(pl, ad, "city");
        p->address.state = kid_text(pl, ad, "state");
        p->address.postal_code = kid_text(pl, ad, "postal-code");
        p->address.country = kid_text(pl, ad, "country");
    }
}

/* The document's root when it is <name> in the canonical namespace. */
static int root_of(xmlNodePtr *root, xmlDocPtr doc, const char *name, struct edi_err *err)
{
    xmlNodePtr r = doc ? xmlDocGetRootElement(doc) : NULL;

    *root = r;
    if (r == NULL)
        return edi_fail(err, EDI_ESYNTAX, "the document has no root element");
    if (!is_el(r, name))
        return edi_fail(err, EDI_ESYNTAX, "root element {%.80s}%.60s is not {" GW_CANON_NS "}%s",
                        r->ns && r->ns->href ? (const char *)r->ns->href : "", (const char *)r->name, name);
    return 0;
}

#define CDOC_PARSE (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static xmlDocPtr parse(const char *xml, size_t n)
{
    if (xml == NULL || n > 0x7fffffff)
        return NULL;
    /* a document that does not read is our error to report: libxml2
     * prints nothing (a daemon's stderr is its log) */
    return xmlReadMemory(xml, (int)n, "canonical.xml", NULL, CDOC_PARSE);
}

static int missing(struct edi_err *err, const char *doc, const char *id, const char *where, const char *what)
{
    return edi_fail(err, EDI_ESYNTAX, "%s %s: %s has no <%s>", doc, id ? id : "?", where, what);
}

/* ---- order ---- */

/* keep: the element handles point into doc (gw_cdoc_order) */
static int order_from(struct gw_corder *o, xmlDocPtr doc, int keep, struct edi_err *err)
{
    xmlNodePtr root, h, c, l;
    struct edi_pool *pl = &o->pool;
    size_t k = 0;

    if (root_of(&root, doc, "order", err) < 0)
        return EDI_ESYNTAX;
    if ((h = kid(root, "header")) == NULL)
        return edi_fail(err, EDI_ESYNTAX, "order: no <header>");
    o->po_number = kid_text(pl, h, "po-number");
    if (o->po_number == NULL)
        return edi_fail(err, EDI_ESYNTAX, "order: <header> has no <po-number>");
    o->program = kid_text(pl, h, "program");
    o->purpose = kid_text(pl, h, "purpose");
    o->purpose_code = attr(pl, kid(h, "purpose"), "code");
    o->type = kid_text(pl, h, "type");
    o->type_code = attr(pl, kid(h, "type"), "code");
    o->order_date = kid_text(pl, h, "order-date");
    o->currency = kid_text(pl, h, "currency");
    o->customer_order_number = kid_text(pl, h, "customer-order-number");
    o->ship_method = kid_text(pl, kid(h, "carrier"), "ship-method");
    o->required_ship_date = kid_text(pl, h, "required-ship-date");
    o->is_gift = kid_text(pl, h, "is-gift");
    o->packing_slip_required = kid_text(pl, h, "packing-slip-required");
    o->message_to_customer = kid_text(pl, h, "message-to-customer");
    o->gift_message = kid_text(pl, kid(h, "gift"), "message");
    read_party(&o->selling_party, pl, kid(h, "selling-party"));
    read_party(&o->ship_to, pl, kid(h, "ship-to"));
    read_party(&o->ship_from, pl, kid(h, "ship-from"));
    read_party(&o->bill_to, pl, kid(h, "bill-to"));
    if (keep) {
        o->selling_party.el = CEL(kid(h, "selling-party"));
        o->ship_to.el = CEL(kid(h, "ship-to"));
        o->ship_from.el = CEL(kid(h, "ship-from"));
        o->bill_to.el = CEL(kid(h, "bill-to"));
    }
    c = kid(root, "lines");
    o->nlines = count(c, "line");
    o->lines = edi_pool_alloc(pl, (o->nlines ? o->nlines : 1) * sizeof(*o->lines));
    for (l = kid(c, "line"); l; l = next_el(l, "line"), k++) {
        struct gw_corder_line *ol = &o->lines[k];
        xmlNodePtr q = kid(l, "ordered-quantity"), uc = kid(l, "unit-cost");
        char where[40];

        snprintf(where, sizeof(where), "line %zu", k + 1);
        if ((ol->line_no = kid_text(pl, l, "line-no")) == NULL)
            return missing(err, "order", o->po_number, where, "line-no");
        ol->no = line_number(ol->line_no);
        if (q == NULL)
            return missing(err, "order", o->po_number, where, "ordered-quantity");
        read_qty(&ol->ordered, pl, q);
        read_ids(&ol->ids, &ol->nids, pl, l);
        ol->unit_cost = text(pl, uc);
        ol->cost = gw_dec_parse(ol->unit_cost, 1);
        ol->cost_basis = attr(pl, uc, "basis");
        ol->description = kid_text(pl, l, "description");
        ol->backorder_allowed = kid_text(pl, l, "backorder-allowed");
        ol->gift_message = kid_text(pl, kid(l, "gift"), "message");
        ol->el = keep ? CEL(l) : NULL;
    }
    return 0;
}

int gw_corder_read(struct gw_corder **out, const char *xml, size_t n, struct edi_err *err)
{
    struct gw_corder *o = edi_xcalloc(1, sizeof(*o));
    xmlDocPtr doc = parse(xml, n);
    int rc;

    *out = NULL;
    edi_pool_init(&o->pool);
    if (doc == NULL)
        rc = edi_fail(err, EDI_ESYNTAX, "order: the canonical document does not parse");
    else
        rc = order_from(o, doc, 0, err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        gw_corder_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

void gw_corder_free(struct gw_corder *o)
{
    if (o == NULL)
        return;
    edi_pool_dispose(&o->pool);
    free(o);
}

const struct gw_corder_line *gw_corder_line_no(const struct gw_corder *o, int no)
{
    size_t i;

    for (i = 0; o && i < o->nlines; i++)
        if (o->lines[i].no == no && o->lines[i].no != 0)
            return &o->lines[i];
    return NULL;
}

const struct gw_corder_line *gw_corder_line_text(const struct gw_corder *o, const char *no)
{
    size_t i;

    for (i = 0; o && no && i < o->nlines; i++)
        if (strcmp(o->lines[i].line_no, no) == 0)
            return &o->lines[i];
    return NULL;
}

/* ---- order acknowledgment ---- */

static int ack_from(struct gw_cack *a, xmlDocPtr doc, struct edi_err *err)
{
    xmlNodePtr root, l, s;
    struct edi_pool *pl = &a->pool;
    size_t k = 0;

    if (root_of(&root, doc, "order-ack", err) < 0)
        return EDI_ESYNTAX;
    a->program = kid_text(pl, root, "program");
    a->po_number = kid_text(pl, root, "po-number");
    a->ack_date = kid_text(pl, root, "ack-date");
    a->nlines = count(kid(root, "lines"), "line");
    a->lines = edi_pool_alloc(pl, (a->nlines ? a->nlines : 1) * sizeof(*a->lines));
    for (l = kid(kid(root, "lines"), "line"); l; l = next_el(l, "line"), k++) {
        struct gw_cack_line *al = &a->lines[k];
        size_t m = 0;
        char where[40];

        snprintf(where, sizeof(where), "line %zu", k + 1);
        if ((al->line_no = kid_text(pl, l, "line-no")) == NULL)
            return missing(err, "order-ack", a->po_number, where, "line-no");
        al->no = line_number(al->line_no);
        al->unit_cost = kid_text(pl, l, "unit-cost");
        al->cost = gw_dec_parse(al->unit_cost, 1);
        al->nstatuses = count(l, "item-status");
        al->statuses = edi_pool_alloc(pl, (al->nstatuses ? al->nstatuses : 1) * sizeof(*al->statuses));
        for (s = kid(l, "item-status"); s; s = next_el(s, "item-status"), m++) {
            struct gw_cack_status *st = &al->statuses[m];

            snprintf(where, sizeof(where), "line %s item-status %zu", al->line_no, m + 1);
            if ((st->status = kid_text(pl, s, "status")) == NULL)
                return missing(err, "order-ack", a->po_number, where, "status");
            if (kid(s, "quantity") == NULL)
                return missing(err, "order-ack", a->po_number, where, "quantity");
            read_qty(&st->quantity, pl, kid(s, "quantity"));
            st->scheduled_ship_date = kid_text(pl, s, "scheduled-ship-date");
        }
    }
    return 0;
}

int gw_cack_read(struct gw_cack **out, const char *xml, size_t n, struct edi_err *err)
{
    struct gw_cack *a = edi_xcalloc(1, sizeof(*a));
    xmlDocPtr doc = parse(xml, n);
    int rc;

    *out = NULL;
    edi_pool_init(&a->pool);
    if (doc == NULL)
        rc = edi_fail(err, EDI_ESYNTAX, "order-ack: the canonical document does not parse");
    else
        rc = ack_from(a, doc, err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        gw_cack_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void gw_cack_free(struct gw_cack *a)
{
    if (a == NULL)
        return;
    edi_pool_dispose(&a->pool);
    free(a);
}

const struct gw_cqty *gw_cack_quantity(const struct gw_cack *a, int no, const char *status)
{
    size_t i, k;

    for (i = 0; a && i < a->nlines; i++) {
        if (a->lines[i].no != no || no == 0)
            continue;
        for (k = 0; k < a->lines[i].nstatuses; k++)
            if (strcmp(a->lines[i].statuses[k].status, status) == 0)
                return &a->lines[i].statuses[k].quantity;
    }
    return NULL;
}

const char *gw_cack_cost(const struct gw_cack *a, const char *no)
{
    size_t i;

    for (i = 0; a && no && i < a->nlines; i++)
        if (strcmp(a->lines[i].line_no, no) == 0 && a->lines[i].unit_cost)
            return a->lines[i].unit_cost;
    return NULL;
}

/* ---- shipment ---- */

static const char *sscc_of(struct edi_pool *pl, const xmlNode *n)
{
    xmlNodePtr c;

    for (c = kid(n, "identifier"); c; c = next_el(c, "identifier")) {
        xmlChar *t = xmlGetNoNsProp(c, BAD_CAST "type");
        int hit = t && strcmp((const char *)t, "sscc") == 0;

        xmlFree(t);
        if (hit)
            return text(pl, c);
    }
    return NULL;
}

static int shipment_from(struct gw_cshipment *s, xmlDocPtr doc, struct edi_err *err)
{
    xmlNodePtr root, c, it, r;
    struct edi_pool *pl = &s->pool;
    size_t k = 0;

    if (root_of(&root, doc, "shipment", err) < 0)
        return EDI_ESYNTAX;
    s->program = kid_text(pl, root, "program");
    s->shipment_id = kid_text(pl, root, "shipment-id");
    s->purpose = kid_text(pl, root, "purpose");
    s->purpose_code = attr(pl, kid(root, "purpose"), "code");
    s->asn_date = kid_text(pl, root, "asn-date");
    s->shipped_date = kid_text(pl, root, "shipped-date");
    read_party(&s->ship_from, pl, kid(root, "ship-from"));
    read_party(&s->ship_to, pl, kid(root, "ship-to"));
    s->scac = kid_text(pl, kid(root, "carrier"), "scac");
    s->ship_method = kid_text(pl, kid(root, "carrier"), "ship-method");
    s->ncartons = count(kid(root, "cartons"), "carton");
    s->cartons = edi_pool_alloc(pl, (s->ncartons ? s->ncartons : 1) * sizeof(*s->cartons));
    for (c = kid(kid(root, "cartons"), "carton"); c; c = next_el(c, "carton"), k++) {
        struct gw_ccarton *ct = &s->cartons[k];
        size_t m = 0;

        ct->carton_id = kid_text(pl, c, "carton-id");
        ct->sscc = sscc_of(pl, c);
        ct->sequence_number = kid_text(pl, c, "sequence-number");
        ct->tracking_number = kid_text(pl, c, "tracking-number");
        ct->scac = kid_text(pl, kid(c, "carrier"), "scac");
        ct->ship_method = kid_text(pl, kid(c, "carrier"), "ship-method");
        ct->shipped_date = kid_text(pl, c, "shipped-date");
        ct->weight = kid_text(pl, c, "weight");
        ct->nitems = count(c, "item");
        ct->items = edi_pool_alloc(pl, (ct->nitems ? ct->nitems : 1) * sizeof(*ct->items));
        for (it = kid(c, "item"); it; it = next_el(it, "item"), m++) {
            struct gw_cship_item *x = &ct->items[m];

            x->po_number = kid_text(pl, it, "po-number");
            x->line_no = kid_text(pl, it, "line-no");
            read_ids(&x->ids, &x->nids, pl, it);
            if (kid(it, "quantity"))
                read_qty(&x->quantity, pl, kid(it, "quantity"));
            x->lot = kid_text(pl, it, "lot");
            x->expiry_date = kid_text(pl, it, "expiry-date");
        }
    }
    k = 0;
    s->npallets = count(kid(root, "pallets"), "pallet");
    s->pallets = edi_pool_alloc(pl, (s->npallets ? s->npallets : 1) * sizeof(*s->pallets));
    for (c = kid(kid(root, "pallets"), "pallet"); c; c = next_el(c, "pallet"), k++) {
        struct gw_cpallet *p = &s->pallets[k];
        size_t m = 0;

        p->pallet_id = kid_text(pl, c, "pallet-id");
        p->sscc = sscc_of(pl, c);
        p->tracking_number = kid_text(pl, c, "tracking-number");
        p->scac = kid_text(pl, kid(c, "carrier"), "scac");
        p->ship_method = kid_text(pl, kid(c, "carrier"), "ship-method");
        p->nrefs = count(c, "carton-ref");
        p->carton_refs = edi_pool_alloc(pl, (p->nrefs ? p->nrefs : 1) * sizeof(*p->carton_refs));
        for (r = kid(c, "carton-ref"); r; r = next_el(r, "carton-ref"))
            p->carton_refs[m++] = text(pl, r);
    }
    return 0;
}

static int read_shipment(struct gw_cshipment **out, xmlDocPtr doc, struct edi_err *err)
{
    struct gw_cshipment *s = edi_xcalloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    edi_pool_init(&s->pool);
    if (doc == NULL)
        rc = edi_fail(err, EDI_ESYNTAX, "shipment: the canonical document does not parse");
    else
        rc = shipment_from(s, doc, err);
    if (rc < 0) {
        gw_cshipment_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int gw_cshipment_read(struct gw_cshipment **out, const char *xml, size_t n, struct edi_err *err)
{
    xmlDocPtr doc = parse(xml, n);
    int rc = read_shipment(out, doc, err);

    xmlFreeDoc(doc);
    return rc;
}

void gw_cshipment_free(struct gw_cshipment *s)
{
    if (s == NULL)
        return;
    edi_pool_dispose(&s->pool);
    free(s);
}

/* ---- invoice ---- */

static void read_amounts(struct gw_camount **out, size_t *n, struct edi_pool *pl, const xmlNode *list,
                         const char *item)
{
    xmlNodePtr c;
    size_t k = 0;

    *n = count(list, item);
    *out = edi_pool_alloc(pl, (*n ? *n : 1) * sizeof(**out));
    for (c = kid(list, item); c; c = next_el(c, item), k++) {
        (*out)[k].type = kid_text(pl, c, "type");
        (*out)[k].amount = kid_text(pl, c, "amount");
        (*out)[k].v = gw_dec_parse((*out)[k].amount, 1);
    }
}

static const char **read_texts(size_t *n, struct edi_pool *pl, const xmlNode *list, const char *item)
{
    const char **v;
    xmlNodePtr c;
    size_t k = 0;

    *n = count(list, item);
    v = edi_pool_alloc(pl, (*n ? *n : 1) * sizeof(*v));
    for (c = kid(list, item); c; c = next_el(c, item))
        v[k++] = text(pl, c);
    return v;
}

static int invoice_from(struct gw_cinvoice *v, xmlDocPtr doc, struct edi_err *err)
{
    xmlNodePtr root, l, t;
    struct edi_pool *pl = &v->pool;
    size_t k = 0;

    if (root_of(&root, doc, "invoice", err) < 0)
        return EDI_ESYNTAX;
    v->program = kid_text(pl, root, "program");
    v->type = kid_text(pl, root, "type");
    v->invoice_number = kid_text(pl, root, "invoice-number");
    if (v->invoice_number == NULL)
        return edi_fail(err, EDI_ESYNTAX, "invoice: no <invoice-number>");
    v->invoice_date = kid_text(pl, root, "invoice-date");
    v->currency = kid_text(pl, root, "currency");
    v->po_numbers = read_texts(&v->npo_numbers, pl, kid(root, "references"), "po-number");
    v->shipment_ids = read_texts(&v->nshipment_ids, pl, kid(root, "references"), "shipment-id");
    read_amounts(&v->charges, &v->ncharges, pl, kid(root, "charges"), "charge");
    read_amounts(&v->allowances, &v->nallowances, pl, kid(root, "allowances"), "allowance");
    read_amounts(&v->taxes, &v->ntaxes, pl, kid(root, "taxes"), "tax");
    t = kid(root, "totals");
    v->line_total = kid_text(pl, t, "line-total");
    v->charges_total = kid_text(pl, t, "charges-total");
    v->allowances_total = kid_text(pl, t, "allowances-total");
    v->tax_total = kid_text(pl, t, "tax-total");
    v->invoice_total = kid_text(pl, t, "invoice-total");
    v->nlines = count(kid(root, "lines"), "line");
    v->lines = edi_pool_alloc(pl, (v->nlines ? v->nlines : 1) * sizeof(*v->lines));
    for (l = kid(kid(root, "lines"), "line"); l; l = next_el(l, "line"), k++) {
        struct gw_cinvoice_line *il = &v->lines[k];
        char where[40];

        snprintf(where, sizeof(where), "line %zu", k + 1);
        if ((il->po_number = kid_text(pl, l, "po-number")) == NULL)
            return missing(err, "invoice", v->invoice_number, where, "po-number");
        if ((il->line_no = kid_text(pl, l, "line-no")) == NULL)
            return missing(err, "invoice", v->invoice_number, where, "line-no");
        il->no = line_number(il->line_no);
        if (kid(l, "invoiced-quantity") == NULL)
            return missing(err, "invoice", v->invoice_number, where, "invoiced-quantity");
        read_qty(&il->quantity, pl, kid(l, "invoiced-quantity"));
        il->unit_price = kid_text(pl, l, "unit-price");
        il->price = gw_dec_parse(il->unit_price, 1);
        il->line_amount = kid_text(pl, l, "line-amount");
        il->amount = gw_dec_parse(il->line_amount, 1);
        read_amounts(&il->charges, &il->ncharges, pl, kid(l, "charges"), "charge");
        read_amounts(&il->allowances, &il->nallowances, pl, kid(l, "allowances"), "allowance");
        read_amounts(&il->taxes, &il->ntaxes, pl, kid(l, "taxes"), "tax");
        il->has_taxes = kid(l, "taxes") != NULL;
    }
    return 0;
}

static int read_invoice(struct gw_cinvoice **out, xmlDocPtr doc, struct edi_err *err)
{
    struct gw_cinvoice *v = edi_xcalloc(1, sizeof(*v));
    int rc;

    *out = NULL;
    edi_pool_init(&v->pool);
    if (doc == NULL)
        rc = edi_fail(err, EDI_ESYNTAX, "invoice: the canonical document does not parse");
    else
        rc = invoice_from(v, doc, err);
    if (rc < 0) {
        gw_cinvoice_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

int gw_cinvoice_read(struct gw_cinvoice **out, const char *xml, size_t n, struct edi_err *err)
{
    xmlDocPtr doc = parse(xml, n);
    int rc = read_invoice(out, doc, err);

    xmlFreeDoc(doc);
    return rc;
}

void gw_cinvoice_free(struct gw_cinvoice *v)
{
    if (v == NULL)
        return;
    edi_pool_dispose(&v->pool);
    free(v);
}

/* ---- documents being built ---- */

struct gw_cdoc *gw_cdoc_new(const char *root)
{
    struct gw_cdoc *d = edi_xcalloc(1, sizeof(*d));

    d->doc = gw_canon_new(root);
    return d;
}

int gw_cdoc_parse(struct gw_cdoc **out, const char *xml, size_t n, const char *what, struct edi_err *err)
{
    xmlDocPtr doc = parse(xml, n);

    *out = NULL;
    if (doc == NULL)
        return edi_fail(err, EDI_ESYNTAX, "%s: the canonical document does not parse", what);
    *out = edi_xcalloc(1, sizeof(**out));
    (*out)->doc = doc;
    return 0;
}

void gw_cdoc_free(struct gw_cdoc *d)
{
    if (d == NULL)
        return;
    xmlFreeDoc(d->doc);
    free(d);
}

struct gw_cdoc *gw_cdoc_take(struct gw_cdoc *d)
{
    struct gw_cdoc *t = gw_cdoc_wrap(d->doc);

    d->doc = NULL;
    return t;
}

struct gw_cdoc *gw_cdoc_wrap(xmlDocPtr doc)
{
    struct gw_cdoc *d;

    if (doc == NULL)
        return NULL;
    d = edi_xcalloc(1, sizeof(*d));
    d->doc = doc;
    return d;
}

xmlDocPtr gw_cdoc_xml(const struct gw_cdoc *d)
{
    return d ? d->doc : NULL;
}

struct gw_cel *gw_cdoc_root(struct gw_cdoc *d)
{
    return CEL(xmlDocGetRootElement(d->doc));
}

/* ---- the document as text ---------------------------------------------------------- */

/* SPEC: issue 18 — the text of a document is what libxml2 2.9's
 * xmlDocDumpFormatMemoryEnc(doc, .., "UTF-8", 1) writes (xmlsave.c), made
 * here in one pass for the documents the flows build and map, at a fifth of
 * its cost (it was 5 % of the CPU of a bulk run): the declaration; each
 * element indented by 2 spaces a level (30 levels at most), on its own line,
 * unless an element has a text child, in which case nothing inside it is
 * indented or broken; <e/> when it has no child; text escaped as &lt; &gt;
 * &amp; &#13;; attribute values as those and &quot; &#10; &#9;. Anything
 * else (a comment, a processing instruction, CDATA, an entity reference,
 * text that must not be escaped, a quote in a namespace name, a DTD, more
 * than one top node, very deep trees) goes to libxml2 itself, and
 * tests/unit/test_cdoc_text.c holds the two to the same bytes on random trees. */
#define TEXT_INDENT_MAX 30
#define TEXT_DEPTH_MAX 256

#define TPUTS(b, lit) edi_buf_put((b), (lit), sizeof(lit) - 1)

static void text_indent(struct edi_buf *b, int level)
{
    static const char sp[2 * TEXT_INDENT_MAX] = "                                                            ";

    edi_buf_put(b, sp, 2 * (size_t)(level > TEXT_INDENT_MAX ? TEXT_INDENT_MAX : level));
}

static void text_qname(struct edi_buf *b, const xmlNs *ns, const xmlChar *name)
{
    if (ns && ns->prefix) {
        edi_buf_puts(b, (const char *)ns->prefix);
        TPUTS(b, ":");
    }
    edi_buf_puts(b, (const char *)name);
}

/* s escaped as element content (attr 0) or as an attribute value (attr 1) */
static void text_escaped(struct edi_buf *b, const xmlChar *s, int attr)
{
    const xmlChar *run = s;

    for (; *s; s++) {
        const char *e;

        switch (*s) {
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '&': e = "&amp;"; break;
        case '\r': e = "&#13;"; break;
        case '"': e = attr ? "&quot;" : NULL; break;
        case '\n': e = attr ? "&#10;" : NULL; break;
        case '\t': e = attr ? "&#9;" : NULL; break;
        default: e = NULL; break;
        }
        if (e == NULL)
            continue;
        edi_buf_put(b, run, (size_t)(s - run));
        edi_buf_puts(b, e);
        run = s + 1;
    }
    edi_buf_put(b, run, (size_t)(s - run));
}

/* Element el at level (its depth) with formatting on or off; -1: a node
 * this writer leaves to libxml2. */
static int text_element(struct edi_buf *b, const xmlNode *el, int level, int format)
{
    const xmlNs *ns;
    const xmlAttr *a;
    const xmlNode *c;
    int inner = format;

    if (level >= TEXT_DEPTH_MAX)
        return -1;
    if (format)
        text_indent(b, level);
    TPUTS(b, "<");
    text_qname(b, el->ns, el->name);
    for (ns = el->nsDef; ns; ns = ns->next) {
        if (ns->type != XML_LOCAL_NAMESPACE || ns->href == NULL ||
            (ns->prefix && strcmp((const char *)ns->prefix, "xml") == 0))
            continue;
        if (strchr((const char *)ns->href, '"'))
            return -1;
        if (ns->prefix) {
            TPUTS(b, " xmlns:");
            edi_buf_puts(b, (const char *)ns->prefix);
        } else {
            TPUTS(b, " xmlns");
        }
        TPUTS(b, "=\"");
        edi_buf_puts(b, (const char *)ns->href);
        TPUTS(b, "\"");
    }
    for (a = el->properties; a; a = a->next) {
        TPUTS(b, " ");
        text_qname(b, a->ns, a->name);
        TPUTS(b, "=\"");
        for (c = a->children; c; c = c->next) {
            if (c->type != XML_TEXT_NODE)
                return -1;
            if (c->content)
                text_escaped(b, c->content, 1);
        }
        TPUTS(b, "\"");
    }
    if (el->children == NULL) {
        TPUTS(b, "/>");
        return 0;
    }
    for (c = el->children; c && inner; c = c->next)
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE ||
            c->type == XML_ENTITY_REF_NODE)
            inner = 0;
    if (inner)
        TPUTS(b, ">\n");
    else
        TPUTS(b, ">");
    for (c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (text_element(b, c, level + 1, inner) < 0)
                return -1;
        } else if (c->type == XML_TEXT_NODE && c->name != xmlStringTextNoenc) {
            if (c->content)
                text_escaped(b, c->content, 0);
        } else {
            return -1;
        }
        if (inner)
            TPUTS(b, "\n");
    }
    if (inner)
        text_indent(b, level);
    TPUTS(b, "</");
    text_qname(b, el->ns, el->name);
    TPUTS(b, ">");
    return 0;
}

int gw_cdoc_text_plain(struct edi_buf *b, const xmlDoc *doc)
{
    const xmlNode *root = doc->children;

    if (doc->type != XML_DOCUMENT_NODE || root == NULL || root->next != NULL ||
        root->type != XML_ELEMENT_NODE || doc->standalone == 0 || doc->standalone == 1 ||
        (doc->version && strcmp((const char *)doc->version, "1.0") != 0))
        return -1;
    edi_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (text_element(b, root, 0, 1) < 0)
        return -1;
    edi_buf_putc(b, '\n');
    return b->err ? -1 : 0;
}

char *gw_cdoc_text(const struct gw_cdoc *d, size_t *n)
{
    xmlChar *t = NULL;
    int len = 0;
    char *r;
    struct edi_buf b;

    edi_buf_init(&b, 0);
    if (gw_cdoc_text_plain(&b, d->doc) == 0) {
        edi_buf_putc(&b, '\0');
        if (n)
            *n = b.n - 1;
        return b.p;     /* the caller's, free()d */
    }
    edi_buf_dispose(&b);
    xmlDocDumpFormatMemoryEnc(d->doc, &t, &len, "UTF-8", 1);
    r = edi_xmalloc((size_t)len + 1);
    memcpy(r, t ? (const char *)t : "", (size_t)len);
    r[len] = '\0';
    xmlFree(t);
    if (n)
        *n = (size_t)len;
    return r;
}

int gw_cdoc_order(struct gw_corder **out, const struct gw_cdoc *d, struct edi_err *err)
{
    struct gw_corder *o = edi_xcalloc(1, sizeof(*o));
    int rc;

    *out = NULL;
    edi_pool_init(&o->pool);
    if ((rc = order_from(o, d ? d->doc : NULL, 1, err)) < 0) {
        gw_corder_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

int gw_cdoc_invoice(struct gw_cinvoice **out, const struct gw_cdoc *d, struct edi_err *err)
{
    return read_invoice(out, d->doc, err);
}

int gw_cdoc_shipment(struct gw_cshipment **out, const struct gw_cdoc *d, struct edi_err *err)
{
    return read_shipment(out, d->doc, err);
}

struct gw_cel *gw_cel_add(struct gw_cel *parent, const char *name, const char *txt)
{
    return CEL(gw_el(EL(parent), name, txt));
}

void gw_cel_opt(struct gw_cel *parent, const char *name, const char *txt)
{
    gw_el_opt(EL(parent), name, txt);
}

struct gw_cel *gw_cel_attr(struct gw_cel *parent, const char *name, const char *txt, const char *a,
                           const char *value)
{
    return CEL(gw_el_attr(EL(parent), name, txt, a, value));
}

void gw_cel_set(struct gw_cel *e, const char *a, const char *value)
{
    xmlNewProp(EL(e), BAD_CAST a, BAD_CAST value);
}

/* A child that declares the canonical namespace again on itself: what
 * copying an element from another document always wrote (xmlDocCopyNode
 * into a detached node), kept so stored documents stay byte for byte what
 * they were. */
static struct gw_cel *add_copy(struct gw_cel *parent, const char *name, const char *txt)
{
    xmlNodePtr p = EL(parent), n = xmlNewDocNode(p->doc, NULL, BAD_CAST name, NULL);

    xmlSetNs(n, xmlNewNs(n, BAD_CAST GW_CANON_NS, NULL));
    if (txt)
        xmlNodeAddContent(n, BAD_CAST txt);
    xmlAddChild(p, n);
    return CEL(n);
}

void gw_cel_id(struct gw_cel *parent, const struct gw_cid *id)
{
    struct gw_cel *e = add_copy(parent, "id", id->value);
    size_t i;

    for (i = 0; i < id->nattrs; i++)
        gw_cel_set(e, id->attrs[i].name, id->attrs[i].value);
}

void gw_cel_party(struct gw_cel *parent, const char *name, const struct gw_cparty *p)
{
    struct gw_cel *e, *ad;
    size_t i;

    if (!p->present)
        return;
    e = add_copy(parent, name, NULL);
    if (p->id) {
        struct gw_cel *id = gw_cel_add(e, "id", p->id);

        if (p->id_qualifier)
            gw_cel_set(id, "qualifier", p->id_qualifier);
    }
    if (p->warehouse_code)
        gw_cel_add(e, "warehouse-code", p->warehouse_code);
    if (p->name)
        gw_cel_add(e, "name", p->name);
    if (!p->has_address)
        return;
    ad = gw_cel_add(e, "address", NULL);
    for (i = 0; i < p->address.nlines; i++)
        gw_cel_add(ad, "line", p->address.line[i]);
    if (p->address.city)
        gw_cel_add(ad, "city", p->address.city);
    if (p->address.state)
        gw_cel_add(ad, "state", p->address.state);
    if (p->address.postal_code)
        gw_cel_add(ad, "postal-code", p->address.postal_code);
    if (p->address.country)
        gw_cel_add(ad, "country", p->address.country);
}

/* xmlCopyNode with no document: a namespace declared above the copy is
 * declared again on it; then added where it goes. What the flows always
 * did, so stored documents stay byte for byte what they were. */
void gw_cel_copy(struct gw_cel *parent, const struct gw_cel *from)
{
    if (from)
        xmlAddChild(EL(parent), xmlCopyNode(EL(from), 1));
}

size_t gw_cel_copy_kids(struct gw_cel *parent, const struct gw_cel *from, const char *name, int all)
{
    xmlNodePtr c;
    size_t k = 0;

    for (c = from ? EL(from)->children : NULL; c && (all || k == 0); c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) {
            xmlAddChild(EL(parent), xmlCopyNode(c, 1));
            k++;
        }
    return k;
}

int gw_cel_has_children(const struct gw_cel *e)
{
    return EL(e)->children != NULL;
}

int gw_cdoc_check_schema(struct map_engine *e, const char *schema, const struct gw_cdoc *d,
                         struct edi_findings *f, struct edi_err *err)
{
    return map_check_schema(e, schema, d->doc, f, err);
}

int gw_cdoc_is(const struct gw_cdoc *d, const char *name)
{
    return d && is_el(xmlDocGetRootElement(d->doc), name);
}

/* ---- scrubbing personal data ---- */

static unsigned scrub_node(xmlNodePtr n, const char *const *names)
{
    unsigned removed = 0;
    xmlNodePtr c, next;
    size_t k;

    for (c = n->children; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        for (k = 0; names[k]; k++)
            if (xmlStrcmp(c->name, BAD_CAST names[k]) == 0)
                break;
        if (names[k]) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
            removed++;
        } else {
            removed += scrub_node(c, names);
        }
    }
    return removed;
}

unsigned gw_cdoc_scrub(char **out, const char *xml, const char *const *names)
{
    xmlDocPtr doc;
    xmlChar *t = NULL;
    int len = 0;
    unsigned removed;

    *out = NULL;
    if (xml == NULL || *xml == '\0')
        return 0;
    doc = xmlReadMemory(xml, (int)strlen(xml), "canonical.xml", NULL, CDOC_PARSE);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        xmlFreeDoc(doc);
        return 0;
    }
    removed = scrub_node(xmlDocGetRootElement(doc), names);
    if (removed) {
        xmlDocDumpMemoryEnc(doc, &t, &len, "UTF-8");
        *out = edi_xstrdup(t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlFreeDoc(doc);
    return removed;
}
