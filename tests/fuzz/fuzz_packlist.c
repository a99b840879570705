/*
 * fuzz_packlist.c — packing lists (gateway/packlist.c) from any bytes:
 * refused with findings, or read into rows that keep the header's
 * promises (required fields there, line_no > 0, quantity canonical, SSCC
 * NULL or valid). A list that reads is written back as CSV, every field
 * quoted, and must read again to the same rows.
 */
#include "fuzz.h"
#include "gateway/docs/packlist.h"

#include <stdlib.h>
#include <string.h>

#define NFIELDS 19

/* The header's columns, in gw_pack_row order but line_no, which is an int. */
static const char *const names[NFIELDS] = {
    "po_number", "line_no", "quantity", "carton_id", "warehouse", "ship_date", "sscc",
    "tracking_number", "carrier_scac", "weight_kg", "length_cm", "width_cm", "height_cm",
    "pallet_id", "bol", "pro", "shipment_id", "lot", "expiry",
};

static void fields(const char *f[NFIELDS], const struct gw_pack_row *r)
{
    const char *v[NFIELDS] = {
        r->po_number, NULL, r->quantity, r->carton_id, r->warehouse, r->ship_date, r->sscc,
        r->tracking_number, r->carrier_scac, r->weight_kg, r->length_cm, r->width_cm,
        r->height_cm, r->pallet_id, r->bol, r->pro, r->shipment_id, r->lot, r->expiry,
    };

    memcpy(f, v, sizeof(v));
}

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void check_row(const struct gw_pack_row *r)
{
    const char *q = r->quantity;

    if (!r->po_number || !r->quantity || !r->carton_id || !r->warehouse || !r->ship_date)
        abort();
    if (!*r->po_number || !*r->carton_id || !*r->warehouse || r->line_no <= 0 || r->src == 0)
        abort();
    if (q[0] < '1' || q[0] > '9' || strspn(q, "0123456789") != strlen(q) || strlen(q) > 15)
        abort();
    if (strlen(r->ship_date) < 10 || (r->expiry && strlen(r->expiry) != 10))
        abort();
    if (r->sscc && !gw_sscc_valid(r->sscc))
        abort();
}

static void put_field(struct edi_buf *b, const char *s)
{
    edi_buf_putc(b, '"');
    for (; s && *s; s++) {
        if (*s == '"')
            edi_buf_putc(b, '"');
        edi_buf_putc(b, *s);
    }
    edi_buf_putc(b, '"');
}

static void write_csv(struct edi_buf *b, const struct gw_packlist *pl)
{
    const char *f[NFIELDS];
    size_t i, k;

    for (k = 0; k < NFIELDS; k++) {
        edi_buf_puts(b, k ? "," : "");
        edi_buf_puts(b, names[k]);
    }
    edi_buf_puts(b, "\r\n");
    for (i = 0; i < pl->nrows; i++) {
        fields(f, &pl->rows[i]);
        for (k = 0; k < NFIELDS; k++) {
            edi_buf_puts(b, k ? "," : "");
            if (k == 1)
                edi_buf_printf(b, "%d", pl->rows[i].line_no);
            else
                put_field(b, f[k]);
        }
        edi_buf_puts(b, "\r\n");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gw_packlist pl, again;
    struct edi_findings f;
    struct edi_err err;
    struct edi_buf b;
    size_t i, k;
    int rc;

    edi_findings_init(&f, 64);
    edi_err_clear(&err);
    rc = gw_packlist_parse(&pl, "fuzz", (const char *)data, size, &f, &err);
    for (i = 0; i < f.n; i++)
        if (strcmp(f.v[i].code, "packlist") != 0 || strncmp(f.v[i].msg, "fuzz", 4) != 0)
            abort();
    if (rc == 0) {
        if (f.n || f.dropped || pl.nrows == 0 || pl.nrows > GW_PACKLIST_MAX_ROWS)
            abort();
        for (i = 0; i < pl.nrows; i++)
            check_row(&pl.rows[i]);

        edi_buf_init(&b, 0);
        write_csv(&b, &pl);
        if (gw_packlist_parse(&again, "again", b.p, b.n, &f, &err) != 0 || again.nrows != pl.nrows)
            abort();
        for (i = 0; i < pl.nrows; i++) {
            const char *x[NFIELDS], *y[NFIELDS];

            fields(x, &pl.rows[i]);
            fields(y, &again.rows[i]);
            if (pl.rows[i].line_no != again.rows[i].line_no)
                abort();
            for (k = 0; k < NFIELDS; k++)
                if (!same(x[k], y[k]))
                    abort();
        }
        gw_packlist_dispose(&again);
        edi_buf_dispose(&b);
    } else if (rc == EDI_ESYNTAX) {
        if (f.n == 0 || pl.nrows != 0 || pl.rows != NULL)
            abort();
    } else if (rc != EDI_ELIMIT) {
        abort();
    }
    gw_packlist_dispose(&pl);
    gw_packlist_dispose(&pl);
    edi_findings_dispose(&f);
    return 0;
}
