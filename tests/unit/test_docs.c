/*
 * test_docs.c — canonical documents as typed values (gateway/docs/cdoc.c)
 * and exact decimals (gateway/docs/dec.c): the maps' golden canonical
 * orders and the canonical samples (shaped like Amazon's documents) read
 * into the structs, missing required elements refused by name, unknown
 * elements ignored; decimals parsed and formatted back to the same string,
 * summed and multiplied at their natural scale, rounded as invoices round,
 * and overflow caught by the sticky flag.
 */
#include "testutil.h"
#include "gateway/docs/cdoc.h"
#include "gateway/docs/dec.h"

#include <unistd.h>

#define MAPS "../mappings/"

static char *slurp(const char *rel, size_t *n)
{
    return tu_read(rel, n);
}

/* ---- orders ------------------------------------------------------------------------- */

static const struct {
    const char *file;
    const char *program, *po, *date, *ship_to, *ship_from, *method, *customer;
    size_t nlines;
    const char *line1_qty, *line1_unit, *line1_cost, *line1_id0, *line1_id0_qualifier;
} orders[] = {
    {MAPS "amazon-rp/850-to-order.tests/amazon-layout.expected.xml", "RP", "6H2KQ7RT", "2025-01-10", "ABE2",
     NULL, NULL, NULL, 2, "24", "EA", "12.50", "012345678905", "upc"},
    {MAPS "amazon-df/850-to-order.tests/dropship.expected.xml", "DF", "TVd4wGZnR", "2024-03-16", NULL, "NJ1",
     "UPS_GR_RES", "114-2948816-3841829", 2, "1", "EA", "24.99", "B07DFVDRAB", "asin"},
    {"canonical/order-rp.xml", "RP", NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL},
    {"canonical/order-df.xml", "DF", NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL},
};

static void str_eq(const char *got, const char *want, const char *what)
{
    if (want == NULL)
        return;
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", what, got ? got : "(null)", want);
}

static void test_orders(void **state)
{
    size_t i, k;

    for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
        struct gw_corder *o = NULL;
        struct edi_err err;
        size_t n;
        char *xml = slurp(orders[i].file, &n);

        edi_err_clear(&err);
        if (gw_corder_read(&o, xml, n, &err) != 0)
            fail_msg("%s: %s", orders[i].file, err.msg);
        str_eq(o->program, orders[i].program, "program");
        str_eq(o->po_number, orders[i].po, "po-number");
        str_eq(o->order_date, orders[i].date, "order-date");
        str_eq(o->ship_to.id, orders[i].ship_to, "ship-to");
        str_eq(o->ship_from.id, orders[i].ship_from, "ship-from");
        str_eq(o->ship_method, orders[i].method, "ship-method");
        str_eq(o->customer_order_number, orders[i].customer, "customer-order-number");
        assert_non_null(o->po_number);
        assert_true(o->nlines > 0);
        if (orders[i].nlines)
            assert_int_equal(o->nlines, orders[i].nlines);
        if (orders[i].line1_qty) {
            const struct gw_corder_line *l = gw_corder_line_no(o, 1);
            char buf[GW_DEC_STRLEN];

            assert_non_null(l);
            assert_ptr_equal(l, gw_corder_line_text(o, "1"));
            str_eq(l->ordered.text, orders[i].line1_qty, "ordered-quantity");
            str_eq(l->ordered.unit, orders[i].line1_unit, "unit");
            str_eq(l->unit_cost, orders[i].line1_cost, "unit-cost");
            /* the value formats back to the document's own string */
            str_eq(gw_dec_str(buf, sizeof(buf), l->cost), orders[i].line1_cost, "cost value");
            str_eq(gw_dec_str(buf, sizeof(buf), l->ordered.v), orders[i].line1_qty, "quantity value");
            assert_true(l->nids > 0);
            str_eq(l->ids[0].value, orders[i].line1_id0, "id");
            str_eq(gw_cid_attr(&l->ids[0], "qualifier"), orders[i].line1_id0_qualifier, "id qualifier");
        }
        for (k = 0; k < o->nlines; k++) {
            assert_non_null(o->lines[k].line_no);
            assert_true(gw_dec_ok(o->lines[k].ordered.v));
        }
        assert_null(gw_corder_line_no(o, 9999));
        gw_corder_free(o);
        free(xml);
    }
}

/* The RP layout's header parties and line 2's case unit. */
static void test_order_details(void **state)
{
    struct gw_corder *o = NULL;
    struct edi_err err;
    size_t n;
    char *xml = slurp(MAPS "amazon-rp/850-to-order.tests/amazon-layout.expected.xml", &n);
    const struct gw_corder_line *l;

    edi_err_clear(&err);
    assert_int_equal(gw_corder_read(&o, xml, n, &err), 0);
    assert_true(o->bill_to.present);
    assert_true(o->bill_to.has_address);
    str_eq(o->bill_to.name, "Amazon.com Services LLC", "bill-to name");
    assert_int_equal(o->bill_to.address.nlines, 1);
    str_eq(o->bill_to.address.postal_code, "98108", "postal-code");
    str_eq(o->selling_party.id_qualifier, "92", "qualifier");
    assert_false(o->ship_from.present);
    str_eq(o->purpose_code, "00", "purpose code");
    l = gw_corder_line_no(o, 2);
    assert_non_null(l);
    str_eq(l->ordered.unit, "CA", "unit");
    str_eq(l->ordered.unit_size, "6", "unit-size");
    assert_int_equal(l->nids, 3);
    assert_int_equal(l->ids[2].nattrs, 2);
    str_eq(l->ids[2].attrs[1].name, "code", "attr order");
    str_eq(l->ids[2].attrs[1].value, "VP", "attr value");
    gw_corder_free(o);
    free(xml);
}

/* ---- strictness ---------------------------------------------------------------------- */

#define ORD(header, lines) "<order xmlns='urn:wharf:canonical:1'><header>" header "</header><lines>" lines "</lines></order>"

/* What the ERP's CSV and the acknowledgments read besides: DF flags and
 * messages, the ship-to's contact lines, a line's description; read from
 * a gw_cdoc, the elements to copy point into it and copy as they are. */
static void test_order_extras(void **state)
{
    static const char xml[] = ORD(
        "<program>DF</program><po-number>P1</po-number><required-ship-date>2025-01-02</required-ship-date>"
        "<is-gift>true</is-gift><packing-slip-required>false</packing-slip-required>"
        "<gift><message>Happy day</message></gift><message-to-customer>Thanks</message-to-customer>"
        "<ship-to><name>A\nB</name><attention>C</attention><extra-address-line>X4</extra-address-line>"
        "<contact><phone>555-2</phone></contact><address><line>L1</line><phone>555-1</phone></address></ship-to>"
        "<selling-party><id qualifier='92' other='z'>V1</id><tax-id>T</tax-id></selling-party>",
        "<line><line-no>1</line-no><id qualifier='asin'>B1</id><ordered-quantity unit='EA' x='1'>2</ordered-quantity>"
        "<description>Widget</description><backorder-allowed>false</backorder-allowed><gift><message/></gift></line>"
        "<line><line-no>2</line-no><ordered-quantity>1</ordered-quantity></line>");
    struct gw_cdoc *d = NULL, *b;
    struct gw_corder *o = NULL;
    struct edi_err err;
    struct gw_cel *r;
    char *text;

    edi_err_clear(&err);
    assert_int_equal(gw_cdoc_parse(&d, xml, sizeof(xml) - 1, "order", &err), 0);
    assert_int_equal(gw_cdoc_order(&o, d, &err), 0);
    str_eq(o->required_ship_date, "2025-01-02", "required-ship-date");
    str_eq(o->is_gift, "true", "is-gift");
    str_eq(o->packing_slip_required, "false", "packing-slip-required");
    str_eq(o->gift_message, "Happy day", "gift message");
    str_eq(o->message_to_customer, "Thanks", "message-to-customer");
    str_eq(o->ship_to.attention, "C", "attention");
    str_eq(o->ship_to.extra_address_line, "X4", "extra-address-line");
    /* the contact comes first in the document: its phone */
    str_eq(o->ship_to.phone, "555-2", "phone");
    str_eq(o->lines[0].description, "Widget", "description");
    str_eq(o->lines[0].backorder_allowed, "false", "backorder-allowed");
    str_eq(o->lines[0].gift_message, "", "an empty gift message is there");
    assert_null(o->lines[1].gift_message);
    assert_null(o->lines[1].description);
    assert_non_null(o->selling_party.el);
    assert_null(o->ship_from.el);
    assert_non_null(o->lines[0].el);

    b = gw_cdoc_new("order-ack");
    r = gw_cdoc_root(b);
    gw_cel_copy(r, o->selling_party.el);
    gw_cel_copy(r, o->ship_from.el);
    assert_int_equal(gw_cel_copy_kids(r, o->lines[0].el, "ordered-quantity", 0), 1);
    assert_int_equal(gw_cel_copy_kids(r, o->lines[1].el, "id", 1), 0);
    text = gw_cdoc_text(b, NULL);
    assert_non_null(strstr(text, "<selling-party xmlns=\"urn:wharf:canonical:1\">\n    <id qualifier=\"92\" other=\"z\">V1</id>\n"
                                 "    <tax-id>T</tax-id>\n  </selling-party>"));
    assert_non_null(strstr(text, "<ordered-quantity xmlns=\"urn:wharf:canonical:1\" unit=\"EA\" x=\"1\">2</ordered-quantity>"));
    free(text);
    gw_cdoc_free(b);
    gw_corder_free(o);
    gw_cdoc_free(d);

    /* read from bytes: nothing points into a tree that is gone */
    assert_int_equal(gw_corder_read(&o, xml, sizeof(xml) - 1, &err), 0);
    assert_null(o->selling_party.el);
    assert_null(o->lines[0].el);
    gw_corder_free(o);
}

static const struct {
    const char *name;
    int kind;            /* 0 order, 1 ack, 2 shipment, 3 invoice */
    const char *xml;
    int rc;
    const char *msg;     /* part of the message; NULL: read */
} strict[] = {
    {"minimal order", 0, ORD("<po-number>P1</po-number>", "<line><line-no>1</line-no><ordered-quantity>2</ordered-quantity></line>"), 0, NULL},
    {"unknown elements are ignored", 0,
     ORD("<po-number>P1</po-number><future-thing a='1'><x/></future-thing>",
         "<line><shiny/><line-no>1</line-no><ordered-quantity>2</ordered-quantity></line>"), 0, NULL},
    {"no po-number", 0, ORD("<program>RP</program>", ""), EDI_ESYNTAX, "<header> has no <po-number>"},
    {"no header", 0, "<order xmlns='urn:wharf:canonical:1'/>", EDI_ESYNTAX, "order: no <header>"},
    {"line without line-no", 0, ORD("<po-number>P1</po-number>", "<line><ordered-quantity>2</ordered-quantity></line>"),
     EDI_ESYNTAX, "order P1: line 1 has no <line-no>"},
    {"line without quantity", 0,
     ORD("<po-number>P1</po-number>", "<line><line-no>1</line-no><ordered-quantity>1</ordered-quantity></line>"
                                      "<line><line-no>2</line-no></line>"),
     EDI_ESYNTAX, "order P1: line 2 has no <ordered-quantity>"},
    {"order outside the namespace", 0, "<order><header><po-number>P1</po-number></header></order>", EDI_ESYNTAX,
     "root element {}order is not {urn:wharf:canonical:1}order"},
    {"a shipment is not an order", 0, "<shipment xmlns='urn:wharf:canonical:1'/>", EDI_ESYNTAX,
     "root element {urn:wharf:canonical:1}shipment is not {urn:wharf:canonical:1}order"},
    {"not XML", 0, "<order", EDI_ESYNTAX, "does not parse"},
    {"ack status without quantity", 1,
     "<order-ack xmlns='urn:wharf:canonical:1'><po-number>P1</po-number><lines><line><line-no>3</line-no>"
     "<item-status><status>accepted</status></item-status></line></lines></order-ack>",
     EDI_ESYNTAX, "order-ack P1: line 3 item-status 1 has no <quantity>"},
    {"invoice line without quantity", 3,
     "<invoice xmlns='urn:wharf:canonical:1'><invoice-number>I1</invoice-number><lines><line>"
     "<line-no>1</line-no><po-number>P1</po-number></line></lines></invoice>",
     EDI_ESYNTAX, "invoice I1: line 1 has no <invoiced-quantity>"},
    {"invoice without number", 3, "<invoice xmlns='urn:wharf:canonical:1'/>", EDI_ESYNTAX, "no <invoice-number>"},
    {"empty shipment", 2, "<shipment xmlns='urn:wharf:canonical:1'/>", 0, NULL},
};

static void test_strict(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(strict) / sizeof(strict[0]); i++) {
        struct edi_err err;
        size_t n = strlen(strict[i].xml);
        int rc;

        edi_err_clear(&err);
        switch (strict[i].kind) {
        case 0: {
            struct gw_corder *o = (struct gw_corder *)1;

            rc = gw_corder_read(&o, strict[i].xml, n, &err);
            assert_true(rc == 0 ? o != NULL : o == NULL);
            gw_corder_free(o);
            break;
        }
        case 1: {
            struct gw_cack *a = NULL;

            rc = gw_cack_read(&a, strict[i].xml, n, &err);
            gw_cack_free(a);
            break;
        }
        case 2: {
            struct gw_cshipment *s = NULL;

            rc = gw_cshipment_read(&s, strict[i].xml, n, &err);
            gw_cshipment_free(s);
            break;
        }
        default: {
            struct gw_cinvoice *v = NULL;

            rc = gw_cinvoice_read(&v, strict[i].xml, n, &err);
            gw_cinvoice_free(v);
            break;
        }
        }
        if (rc != strict[i].rc || (strict[i].msg && strstr(err.msg, strict[i].msg) == NULL))
            fail_msg("%s: rc %d (%s), want %d with \"%s\"", strict[i].name, rc, err.msg, strict[i].rc,
                     strict[i].msg ? strict[i].msg : "");
    }
}

/* A document that does not parse is wharf's error to report, in wharf's
 * words: libxml2 prints nothing to stderr (a daemon's stderr is its log). */
static void test_parse_error_quiet(void **state)
{
    static const char bad[] = "<order xmlns=\"urn:wharf:canonical:1\"><header></order>";
    struct gw_corder *o = NULL;
    struct edi_err err;
    char *scrubbed = NULL, buf[256];
    const char *const names[] = {"ship-to", NULL};
    FILE *cap = tmpfile();
    int saved, rc;
    size_t n;

    assert_non_null(cap);
    fflush(stderr);
    saved = dup(2);
    assert_true(saved >= 0 && dup2(fileno(cap), 2) == 2);
    edi_err_clear(&err);
    rc = gw_corder_read(&o, bad, strlen(bad), &err);
    gw_cdoc_scrub(&scrubbed, bad, names);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, EDI_ESYNTAX);
    assert_null(o);
    free(scrubbed);
    rewind(cap);
    n = fread(buf, 1, sizeof(buf) - 1, cap);
    buf[n] = '\0';
    fclose(cap);
    if (n != 0)
        fail_msg("libxml2 wrote to stderr: %s", buf);
}

/* ---- acknowledgments, shipments, invoices ------------------------------------------------ */

static void test_ack(void **state)
{
    struct gw_cack *a = NULL;
    struct edi_err err;
    size_t n;
    char *xml = slurp("canonical/order-ack-rp.xml", &n);
    const struct gw_cqty *q;

    edi_err_clear(&err);
    assert_int_equal(gw_cack_read(&a, xml, n, &err), 0);
    q = gw_cack_quantity(a, 2, "accepted");
    assert_non_null(q);
    str_eq(q->text, "8", "line 2 accepted");
    q = gw_cack_quantity(a, 2, "backordered");
    assert_non_null(q);
    str_eq(q->text, "4", "line 2 backordered");
    str_eq(q->unit, "EA", "unit");
    assert_null(gw_cack_quantity(a, 1, "backordered"));
    assert_non_null(gw_cack_quantity(a, 3, "rejected"));
    gw_cack_free(a);
    free(xml);
}

static void test_shipments(void **state)
{
    static const struct {
        const char *file;
        size_t ncartons, npallets, items0;
        const char *id, *sscc0, *track0, *method0, *qty0;
    } cases[] = {
        {"canonical/shipment-rp.xml", 3, 0, 1, NULL, "006141410000001019", NULL, NULL, "12"},
        {"canonical/shipment-df.xml", 2, 0, 1, NULL, NULL, "1Z6A34Y60369738804", "UPS_GR_RES", "1"},
        {"canonical/shipment-rp-pallets.xml", 3, 0, 0, NULL, NULL, NULL, NULL, NULL},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_cshipment *s = NULL;
        struct edi_err err;
        size_t n;
        char *xml = slurp(cases[i].file, &n);

        edi_err_clear(&err);
        if (gw_cshipment_read(&s, xml, n, &err) != 0)
            fail_msg("%s: %s", cases[i].file, err.msg);
        assert_non_null(s->shipment_id);
        assert_int_equal(s->ncartons, cases[i].ncartons);
        if (cases[i].items0) {
            assert_int_equal(s->cartons[0].nitems, cases[i].items0);
            str_eq(s->cartons[0].items[0].quantity.text, cases[i].qty0, "quantity");
            assert_non_null(s->cartons[0].items[0].po_number);
        }
        str_eq(s->cartons[0].sscc, cases[i].sscc0, "sscc");
        str_eq(s->cartons[0].tracking_number, cases[i].track0, "tracking");
        str_eq(s->cartons[0].ship_method, cases[i].method0, "carton ship-method");
        assert_true(s->ship_from.present);
        if (strstr(cases[i].file, "pallets")) {
            assert_true(s->npallets > 0);
            assert_non_null(s->pallets[0].sscc);
            assert_true(s->pallets[0].nrefs > 0);
        }
        gw_cshipment_free(s);
        free(xml);
    }
}

static void test_invoice(void **state)
{
    struct gw_cinvoice *v = NULL;
    struct edi_err err;
    size_t n, i;
    char *xml = slurp("canonical/invoice-rp.xml", &n);
    struct gw_dec sum = GW_DEC_ZERO;
    char buf[GW_DEC_STRLEN];

    edi_err_clear(&err);
    assert_int_equal(gw_cinvoice_read(&v, xml, n, &err), 0);
    str_eq(v->invoice_number, "ACME-INV-240319-001", "number");
    assert_int_equal(v->npo_numbers, 1);
    str_eq(v->po_numbers[0], "4Z32PABC", "po");
    assert_int_equal(v->nshipment_ids, 1);
    assert_int_equal(v->nlines, 2);
    /* the sample's arithmetic, in exact decimals: 24 x 12.50 + 8 x 8.75 */
    for (i = 0; i < v->nlines; i++) {
        struct gw_dec a = gw_dec_round(gw_dec_mul(v->lines[i].quantity.v, v->lines[i].price), 2, 0);

        assert_int_equal(gw_dec_cmp(a, v->lines[i].amount), 0);
        sum = gw_dec_add(sum, a);
    }
    assert_true(gw_dec_ok(sum));
    str_eq(gw_dec_str(buf, sizeof(buf), sum), "370.00", "line total");
    str_eq(v->invoice_total, "370.00", "invoice total");
    gw_cinvoice_free(v);
    free(xml);
}

/* ---- the builder --------------------------------------------------------------------------- */

static void test_build(void **state)
{
    struct gw_cdoc *d = gw_cdoc_new("shipment");
    struct gw_cel *r = gw_cdoc_root(d), *c;
    struct gw_cshipment *s = NULL;
    struct gw_cattr at[2] = {{"qualifier", "asin"}, {"code", "BP"}};
    struct gw_cid id = {"B07DFVDRAB", at, 2};
    struct edi_err err;
    char *text;
    size_t n;

    gw_cel_add(r, "shipment-id", "S1");
    gw_cel_opt(r, "bill-of-lading", "");
    c = gw_cel_add(gw_cel_add(r, "cartons", NULL), "carton", NULL);
    gw_cel_add(c, "carton-id", "C1");
    gw_cel_attr(c, "identifier", "006141410000001019", "type", "sscc");
    c = gw_cel_add(c, "item", NULL);
    gw_cel_id(c, &id);
    gw_cel_attr(c, "quantity", "3", "unit", "EA");
    text = gw_cdoc_text(d, &n);
    assert_int_equal(strlen(text), n);
    assert_non_null(strstr(text, "<shipment xmlns=\"urn:wharf:canonical:1\">\n  <shipment-id>S1</shipment-id>\n"));
    assert_null(strstr(text, "bill-of-lading"));
    /* a copied id declares the namespace again, as xmlDocCopyNode did */
    assert_non_null(strstr(text, "<id xmlns=\"urn:wharf:canonical:1\" qualifier=\"asin\" code=\"BP\">B07DFVDRAB</id>"));
    edi_err_clear(&err);
    assert_int_equal(gw_cdoc_shipment(&s, d, &err), 0);
    str_eq(s->cartons[0].sscc, "006141410000001019", "sscc");
    str_eq(s->cartons[0].items[0].quantity.text, "3", "quantity");
    gw_cshipment_free(s);
    free(text);
    gw_cdoc_free(d);
}

static void test_scrub(void **state)
{
    static const char *const names[] = {"ship-to", "gift", NULL};
    char *out = NULL;

    assert_int_equal(gw_cdoc_scrub(&out, "<o xmlns='urn:wharf:canonical:1'><h><ship-to><name>J</name></ship-to>"
                                         "<gift/><po>1</po></h></o>", names), 2);
    assert_non_null(out);
    assert_null(strstr(out, "ship-to"));
    assert_non_null(strstr(out, "<po>1</po>"));
    free(out);
    assert_int_equal(gw_cdoc_scrub(&out, "<o><po>1</po></o>", names), 0);
    assert_null(out);
    assert_int_equal(gw_cdoc_scrub(&out, "<o", names), 0);
    assert_null(out);
}

/* ---- decimals ------------------------------------------------------------------------------ */

/* Parse then format gives the same string back; bad strings are flagged. */
static void test_dec_round_trip(void **state)
{
    static const struct {
        const char *in, *out;
        int err;
    } cases[] = {
        {"0", "0", 0}, {"12.50", "12.50", 0}, {"479.88", "479.88", 0}, {"-3.25", "-3.25", 0},
        {"0.0001", "0.0001", 0}, {"24", "24", 0}, {"1000000", "1000000", 0},
        {" 7 ", "7", 0}, {"+5", "5", 0}, {".5", "0.5", 0}, {"5.", "5", 0}, {"-0.00", "0.00", 0},
        {"007", "7", 0}, {"999999999999999999", "999999999999999999", 0},
        {"9223372036854775807", "9223372036854775807", 0},
        {"9223372036854775808", "", GW_DEC_ERANGE}, {"0.0000000000000000001", "", GW_DEC_ERANGE},
        {"abc", "", GW_DEC_ESYNTAX}, {"1.2.3", "", GW_DEC_ESYNTAX}, {"-", "", GW_DEC_ESYNTAX},
        {"1 2", "", GW_DEC_ESYNTAX}, {"1e3", "", GW_DEC_ESYNTAX}, {"", "", GW_DEC_ESYNTAX},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_dec d = gw_dec_parse(cases[i].in, 0);
        char buf[GW_DEC_STRLEN];

        if (d.err != cases[i].err || strcmp(gw_dec_str(buf, sizeof(buf), d), cases[i].out) != 0)
            fail_msg("'%s': got '%s' err %d, want '%s' err %d", cases[i].in, buf, d.err, cases[i].out,
                     cases[i].err);
    }
    /* empty reads as 0 when the caller says so */
    assert_true(gw_dec_is_zero(gw_dec_parse("", 1)));
    assert_true(gw_dec_is_zero(gw_dec_parse(NULL, 1)));
    assert_int_equal(gw_dec_parse(NULL, 0).err, GW_DEC_ESYNTAX);
    assert_int_equal(gw_dec_parsen("12.5xyz", 4, 0).units, 125);
}

/* Arithmetic at the natural scale, the way map_dec.c and SQL decimals do. */
static void test_dec_ops(void **state)
{
    static const struct {
        const char *a;
        char op;
        const char *b, *want;
    } cases[] = {
        {"12.5", '+', "0.25", "12.75"}, {"10.00", '*', "3", "30.00"}, {"1.50", '-', "2", "-0.50"},
        {"0", '+', "3", "3"}, {"24", '*', "12.50", "300.00"}, {"8", '*', "8.75", "70.00"},
        {"300.00", '+', "70.00", "370.00"}, {"0.1", '*', "0.01", "0.001"}, {"-2", '*', "-3.5", "7.0"},
        {"5", '-', "5.000", "0.000"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_dec a = gw_dec_parse(cases[i].a, 0), b = gw_dec_parse(cases[i].b, 0), r;
        char buf[GW_DEC_STRLEN];

        r = cases[i].op == '+' ? gw_dec_add(a, b) : cases[i].op == '-' ? gw_dec_sub(a, b) : gw_dec_mul(a, b);
        if (strcmp(gw_dec_str(buf, sizeof(buf), r), cases[i].want) != 0)
            fail_msg("%s %c %s = '%s', want '%s'", cases[i].a, cases[i].op, cases[i].b, buf, cases[i].want);
    }
    assert_int_equal(gw_dec_cmp(gw_dec_parse("1.50", 0), gw_dec_parse("1.5", 0)), 0);
    assert_int_equal(gw_dec_cmp(gw_dec_parse("-1", 0), gw_dec_parse("0.001", 0)), -1);
    assert_int_equal(gw_dec_cmp(gw_dec_parse("922337203685477580.7", 0), gw_dec_parse("0.000000000000000001", 0)), 1);
    assert_int_equal(gw_dec_sign(gw_dec_parse("-0.01", 0)), -1);
}

/* Overflow anywhere in a chain is seen once at its end. */
static void test_dec_sticky(void **state)
{
    struct gw_dec big = gw_dec_parse("9000000000000000000", 0), r;
    char buf[GW_DEC_STRLEN];

    assert_true(gw_dec_ok(big));
    r = gw_dec_add(big, big);
    assert_int_equal(r.err, GW_DEC_ERANGE);
    r = gw_dec_sub(gw_dec_add(r, gw_dec_int(1)), gw_dec_int(5));
    assert_int_equal(r.err, GW_DEC_ERANGE);
    assert_string_equal(gw_dec_str(buf, sizeof(buf), r), "");
    assert_int_equal(gw_dec_mul(gw_dec_parse("10000000000", 0), gw_dec_parse("10000000000", 0)).err, GW_DEC_ERANGE);
    /* a scale past the limit */
    assert_int_equal(gw_dec_mul(gw_dec_parse("0.0000000001", 0), gw_dec_parse("0.0000000001", 0)).err, GW_DEC_ERANGE);
    /* rescaling for an add overflows too */
    assert_int_equal(gw_dec_add(big, gw_dec_parse("0.5", 0)).err, GW_DEC_ERANGE);
    /* a bad string poisons the chain; comparisons with it are 0 */
    r = gw_dec_add(gw_dec_int(1), gw_dec_parse("x", 0));
    assert_int_equal(r.err, GW_DEC_ESYNTAX);
    assert_int_equal(gw_dec_cmp(r, gw_dec_int(7)), 0);
    assert_int_equal(gw_dec_neg(gw_dec_parse("-9223372036854775808", 0)).err, GW_DEC_ERANGE | 0);
}

/* Invoices round half-up (ties away from zero) to the cent, once per
 * line; half-even is there for those who ask. */
static void test_dec_rounding(void **state)
{
    static const struct {
        const char *in;
        int places, even;
        const char *want;
    } cases[] = {
        {"2.345", 2, 0, "2.35"}, {"2.344", 2, 0, "2.34"}, {"-2.345", 2, 0, "-2.35"}, {"2.355", 2, 1, "2.36"},
        {"2.345", 2, 1, "2.34"}, {"-2.345", 2, 1, "-2.34"}, {"5", 2, 0, "5.00"}, {"0.005", 2, 0, "0.01"},
        {"-0.004", 2, 0, "0.00"}, {"12.4999", 0, 0, "12"}, {"12.5", 0, 0, "13"}, {"1.10", 2, 0, "1.10"},
        /* 3 x 19.99 at 8.875% tax: 59.97 x 8.875 x 0.01 = 5.3223375 -> 5.32 */
        {"5.3223375", 2, 0, "5.32"}, {"0.125", 2, 0, "0.13"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[GW_DEC_STRLEN];
        struct gw_dec r = gw_dec_round(gw_dec_parse(cases[i].in, 0), cases[i].places, cases[i].even);

        if (strcmp(gw_dec_str(buf, sizeof(buf), r), cases[i].want) != 0)
            fail_msg("round(%s, %d%s) = '%s', want '%s'", cases[i].in, cases[i].places,
                     cases[i].even ? ", half-even" : "", buf, cases[i].want);
    }
    assert_int_equal(gw_dec_round(gw_dec_parse("1", 0), 19, 0).err, GW_DEC_ERANGE);
    {
        /* the tax chain of an invoice line, checked once */
        struct gw_dec line = gw_dec_round(gw_dec_mul(gw_dec_int(3), gw_dec_parse("19.99", 0)), 2, 0);
        struct gw_dec tax = gw_dec_round(gw_dec_mul(gw_dec_mul(line, gw_dec_parse("8.875", 0)), gw_dec_parse("0.01", 0)), 2, 0);
        char buf[GW_DEC_STRLEN];

        assert_true(gw_dec_ok(tax));
        assert_string_equal(gw_dec_str(buf, sizeof(buf), tax), "5.32");
    }
}

static void test_dec_format_cap(void **state)
{
    char small[4];

    assert_string_equal(gw_dec_str(small, sizeof(small), gw_dec_parse("12.50", 0)), "");
    assert_string_equal(gw_dec_str(small, sizeof(small), gw_dec_parse("1.5", 0)), "1.5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders),         cmocka_unit_test(test_order_details),
        cmocka_unit_test(test_order_extras),
        cmocka_unit_test(test_strict),         cmocka_unit_test(test_ack),
        cmocka_unit_test(test_shipments),      cmocka_unit_test(test_invoice),
        cmocka_unit_test(test_build),          cmocka_unit_test(test_scrub),
        cmocka_unit_test(test_dec_round_trip), cmocka_unit_test(test_dec_ops),
        cmocka_unit_test(test_dec_sticky),     cmocka_unit_test(test_dec_rounding),
        cmocka_unit_test(test_dec_format_cap), cmocka_unit_test(test_parse_error_quiet),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
