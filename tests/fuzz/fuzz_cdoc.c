/*
 * fuzz_cdoc.c — the canonical document readers (gateway/docs/cdoc.c) and
 * exact decimals (dec.c) from any bytes: every reader refuses with a
 * message or returns a struct whose required fields are there; every
 * decimal that reads formats to a string that reads again to the same
 * value and scale (parse -> format -> parse is the identity).
 */
#include "fuzz.h"
#include "gateway/docs/cdoc.h"
#include "gateway/docs/dec.h"

#include <stdlib.h>
#include <string.h>

static void dec_roundtrip(struct gw_dec d)
{
    char buf[GW_DEC_STRLEN];
    struct gw_dec again;

    if (!gw_dec_ok(d))
        return;
    gw_dec_str(buf, sizeof(buf), d);
    again = gw_dec_parse(buf, 0);
    if (!gw_dec_ok(again) || again.units != d.units || again.scale != d.scale)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    struct edi_err err;
    struct gw_corder *o = NULL;
    struct gw_cack *a = NULL;
    struct gw_cshipment *s = NULL;
    struct gw_cinvoice *v = NULL;
    size_t i, k;

    /* the bytes themselves as a decimal */
    dec_roundtrip(gw_dec_parsen(xml, size, 0));
    dec_roundtrip(gw_dec_round(gw_dec_parsen(xml, size, 0), 2, 0));

    edi_err_clear(&err);
    if (gw_corder_read(&o, xml, size, &err) == 0) {
        if (o->po_number == NULL)
            abort();
        for (i = 0; i < o->nlines; i++) {
            if (o->lines[i].line_no == NULL || o->lines[i].ordered.text == NULL)
                abort();
            dec_roundtrip(o->lines[i].ordered.v);
            dec_roundtrip(gw_dec_mul(o->lines[i].ordered.v, o->lines[i].cost));
        }
    } else if (o != NULL || err.msg[0] == '\0') {
        abort();
    }
    gw_corder_free(o);

    edi_err_clear(&err);
    if (gw_cack_read(&a, xml, size, &err) == 0) {
        for (i = 0; i < a->nlines; i++)
            for (k = 0; k < a->lines[i].nstatuses; k++)
                if (a->lines[i].statuses[k].status == NULL || a->lines[i].statuses[k].quantity.text == NULL)
                    abort();
    } else if (a != NULL || err.msg[0] == '\0') {
        abort();
    }
    gw_cack_free(a);

    edi_err_clear(&err);
    if (gw_cshipment_read(&s, xml, size, &err) == 0) {
        for (i = 0; i < s->ncartons; i++)
            for (k = 0; k < s->cartons[i].nitems; k++)
                dec_roundtrip(s->cartons[i].items[k].quantity.v);
    } else if (s != NULL || err.msg[0] == '\0') {
        abort();
    }
    gw_cshipment_free(s);

    edi_err_clear(&err);
    if (gw_cinvoice_read(&v, xml, size, &err) == 0) {
        if (v->invoice_number == NULL)
            abort();
        for (i = 0; i < v->nlines; i++) {
            if (v->lines[i].po_number == NULL || v->lines[i].line_no == NULL || v->lines[i].quantity.text == NULL)
                abort();
            dec_roundtrip(gw_dec_round(gw_dec_mul(v->lines[i].quantity.v, v->lines[i].price), 2, 0));
        }
    } else if (v != NULL || err.msg[0] == '\0') {
        abort();
    }
    gw_cinvoice_free(v);
    return 0;
}
