/*
 * labels.c — carton labels (see labels.h): from the canonical <shipment>
 * as cdoc.c reads it, per carton in document order, a text block or one
 * ZPL II label.
 *
 * Not here: allocating SSCCs and reading packing lists (packlist.c,
 * ship.c), the 856 itself (mappings/), pallet labels, and sending the ZPL
 * to a printer (the caller's business).
 *
 * Choices, made once here:
 * - The SSCC is the carton's <identifier type="sscc">, else its carton-id
 *   when that is 18 digits. Either way it must be 18 digits with a right
 *   GS1 check digit: a label is what the FC scans against the 856, and a
 *   wrong SSCC on a box is worse than no label (EDI_ESYNTAX). A carton with
 *   no SSCC (DF packages) gets its package id and tracking number printed
 *   instead of a barcode.
 * - Human-readable SSCC: "(00) E PPPPPPPPPPPPPPPP C": the AI, the extension
 *   digit, the 16 digits of company prefix and serial reference as one
 *   group, and the check digit: "(00) 0 0614141000000101 9". GS1 splits
 *   prefix from serial, but the prefix's length (6 to 12 digits) is not in
 *   the ASN, and a wrong split would be a wrong label; this grouping is
 *   right for every prefix length.
 * - Text: one block per carton, rows "Label:" padded to 11 columns,
 *   absent rows left out; blocks separated by one blank line. Control
 *   characters in values print as spaces, so a value cannot break the
 *   layout.
 * - ZPL: 4 x 6 in at 203 dpi (812 x 1218 dots), UTF-8 (^CI28), font 0.
 *   Every field holding a value from the document is written under ^FH
 *   with '^', '~' and '_' as _5E, _7E, _5F: a value can never start a
 *   command. Values are cut to what fits the field (LIMIT below), at a
 *   UTF-8 character boundary.
 */
#include "gateway/docs/labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A party as printed: id, name, three address lines, city line. */
#define BLOCK_MAX 6

struct block {
    char *line[BLOCK_MAX];
    int n;
};

/* What the shipment gives every label. */
struct ship {
    char *id;
    char *carrier;          /* shipment level: SCAC, else ship-method */
    struct block from, to;
};

/* What one carton's label carries. */
struct label {
    size_t no, of;
    int pallet;             /* a pallet (005010 T level), not a carton */
    size_t ncartons;        /* a pallet's cartons */
    const struct gw_ccarton *carton;   /* the <carton>, or */
    const struct gw_cpallet *pal;      /* the <pallet> */
    char *sscc;             /* 18 digits, check digit verified; NULL: none */
    char *package;          /* carton-id, NULL when absent */
    char *tracking;
    char *carrier;          /* carton's own, else the shipment's */
    char *pos;              /* PO numbers, distinct, in order, ", "-joined */
};

/* ---- reading ---------------------------------------------------------------------------- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* v without leading and trailing whitespace; NULL when that is empty or
 * v is NULL. The caller frees. */
static char *tv(const char *v)
{
    size_t i = 0, n;

    if (v == NULL)
        return NULL;
    n = strlen(v);
    while (n > 0 && is_ws(v[n - 1]))
        n--;
    while (i < n && is_ws(v[i]))
        i++;
    return i < n ? edi_xstrndup(v + i, n - i) : NULL;
}

static void block_add(struct block *bl, char *s)
{
    if (s == NULL)
        return;
    if (bl->n == BLOCK_MAX) {
        free(s);
        return;
    }
    bl->line[bl->n++] = s;
}

static void block_dispose(struct block *bl)
{
    int i;

    for (i = 0; i < bl->n; i++)
        free(bl->line[i]);
    bl->n = 0;
}

/* "CITY, ST POSTAL COUNTRY", whatever of it the address has; NULL when
 * none. */
static char *city_line(const struct gw_caddress *a)
{
    const char *const parts[] = {a->city, a->state, a->postal_code, a->country};
    struct edi_buf b;
    char *r = NULL;
    size_t i;

    edi_buf_init(&b, 0);
    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        char *v = tv(parts[i]);

        if (v == NULL)
            continue;
        if (b.n > 0)
            edi_buf_puts(&b, i == 1 ? ", " : " ");
        edi_buf_puts(&b, v);
        free(v);
    }
    if (b.n > 0)
        r = edi_xstrdup(edi_buf_cstr(&b));
    edi_buf_dispose(&b);
    return r;
}

static void address_lines(struct block *bl, const struct gw_cparty *p)
{
    size_t i;

    /* LIMIT: the schema allows three address lines; those are printed */
    for (i = 0; i < p->address.nlines; i++)
        block_add(bl, tv(p->address.line[i]));
    block_add(bl, city_line(&p->address));
}

/* Ship-from: its name (else its id, else its warehouse code) and address. */
static void read_from(struct block *bl, const struct gw_cshipment *sh)
{
    const struct gw_cparty *p = &sh->ship_from;
    char *name;

    if (!p->present)
        return;
    if ((name = tv(p->name)) == NULL && (name = tv(p->id)) == NULL)
        name = tv(p->warehouse_code);
    block_add(bl, name);
    address_lines(bl, p);
}

/* Ship-to: its id, then its name and address when the shipment has them;
 * without a name, the caller's (an RP ship-to is only an FC code). */
static void read_to(struct block *bl, const struct gw_cshipment *sh, const char *name)
{
    const struct gw_cparty *p = &sh->ship_to;
    char *v = NULL;

    if (p->present) {
        block_add(bl, tv(p->id));
        v = tv(p->name);
    }
    if (v == NULL && name && *name)
        v = edi_xstrdup(name);
    block_add(bl, v);
    if (p->present)
        address_lines(bl, p);
}

static char *read_carrier(const char *scac, const char *ship_method)
{
    char *v = tv(scac);

    return v ? v : tv(ship_method);
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[n] == '\0';
}

/* SPEC: GS1 General Specifications 7.9.1: mod-10 check digit, weights
 * 3 and 1 from the right over the first 17 digits. */
static int gs1_check_digit(const char *d17)
{
    int sum = 0, i;

    for (i = 0; i < 17; i++)
        sum += (d17[i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (10 - sum % 10) % 10;
}

/* Adds po to the ", "-joined list pos unless seen holds it. */
static void po_add(struct edi_buf *pos, char ***seen, size_t *nseen, const char *po)
{
    char *v = tv(po);
    size_t k;

    if (v == NULL)
        return;
    for (k = 0; k < *nseen && strcmp((*seen)[k], v) != 0; k++)
        ;
    if (k < *nseen) {
        free(v);
        return;
    }
    if (pos->n > 0)
        edi_buf_puts(pos, ", ");
    edi_buf_puts(pos, v);
    *seen = edi_xrealloc(*seen, (*nseen + 1) * sizeof(**seen));
    (*seen)[(*nseen)++] = v;
}

/* Reads the carton's label fields; EDI_ESYNTAX (naming the carton) when it
 * has no SSCC and no carton-id, or an SSCC that is not one. */
static int read_carton(struct label *l, const struct gw_cshipment *sh, const struct ship *s,
                       struct edi_err *err)
{
    char **seen = NULL;
    size_t nseen = 0, i, k;
    struct edi_buf pos;
    const char *from = "identifier";

    const char *what = l->pallet ? "pallet" : "carton";

    l->package = tv(l->pallet ? l->pal->pallet_id : l->carton->carton_id);
    l->sscc = tv(l->pallet ? l->pal->sscc : l->carton->sscc);
    if (l->sscc == NULL && l->package && all_digits(l->package, 18)) {
        l->sscc = edi_xstrdup(l->package);
        from = "carton-id";
    }
    if (l->sscc == NULL && l->package == NULL)
        return edi_fail(err, EDI_ESYNTAX, "%s %zu of %zu has no SSCC and no %s-id", what, l->no,
                        l->of, what);
    if (l->sscc) {
        if (!all_digits(l->sscc, 18))
            return edi_fail(err, EDI_ESYNTAX, "%s %zu of %zu: SSCC '%.40s' is not 18 digits",
                            what, l->no, l->of, l->sscc);
        if (gs1_check_digit(l->sscc) != l->sscc[17] - '0')
            return edi_fail(err, EDI_ESYNTAX,
                            "%s %zu of %zu: SSCC %s (%s) has check digit %c, not %d", what, l->no,
                            l->of, l->sscc, from, l->sscc[17], gs1_check_digit(l->sscc));
    }
    l->tracking = tv(l->pallet ? l->pal->tracking_number : l->carton->tracking_number);
    l->carrier = l->pallet ? read_carrier(l->pal->scac, l->pal->ship_method)
                           : read_carrier(l->carton->scac, l->carton->ship_method);
    if (l->carrier == NULL && s->carrier)
        l->carrier = edi_xstrdup(s->carrier);

    /* the carton's POs, each once: up to 5 on an RP carton, so the
     * linear search stays short */
    edi_buf_init(&pos, 0);
    if (l->pallet) {
        /* a pallet's POs are its cartons' (carton-ref), in their order */
        size_t r;

        l->ncartons = l->pal->nrefs;
        for (r = 0; r < l->pal->nrefs; r++) {
            char *id = tv(l->pal->carton_refs[r]);

            for (k = 0; id && k < sh->ncartons; k++) {
                char *cid = tv(sh->cartons[k].carton_id);

                for (i = 0; cid && strcmp(cid, id) == 0 && i < sh->cartons[k].nitems; i++)
                    po_add(&pos, &seen, &nseen, sh->cartons[k].items[i].po_number);
                free(cid);
            }
            free(id);
        }
    } else {
        for (i = 0; i < l->carton->nitems; i++)
            po_add(&pos, &seen, &nseen, l->carton->items[i].po_number);
    }
    if (pos.n > 0)
        l->pos = edi_xstrdup(edi_buf_cstr(&pos));
    edi_buf_dispose(&pos);
    while (nseen > 0)
        free(seen[--nseen]);
    free(seen);
    return 0;
}

static void label_dispose(struct label *l)
{
    free(l->sscc);
    free(l->package);
    free(l->tracking);
    free(l->carrier);
    free(l->pos);
}

/* "(00) 0 0614141000000101 9" from 18 checked digits. */
static void sscc_readable(char out[32], const char *d)
{
    snprintf(out, 32, "(00) %c %.16s %c", d[0], d + 1, d[17]);
}

/* ---- text ------------------------------------------------------------------------------- */

/* A value with control characters as spaces. */
static void text_put(struct edi_buf *b, const char *v)
{
    for (; *v; v++)
        edi_buf_putc(b, (unsigned char)*v < 0x20 || *v == 0x7f ? ' ' : *v);
}

static void text_row(struct edi_buf *b, const char *label, const char *v)
{
    if (v == NULL)
        return;
    edi_buf_printf(b, "%-11s", label);
    text_put(b, v);
    edi_buf_putc(b, '\n');
}

static void text_block(struct edi_buf *b, const char *label, const struct block *bl)
{
    int i;

    for (i = 0; i < bl->n; i++)
        text_row(b, i == 0 ? label : "", bl->line[i]);
}

/* One row per item: "PO 4Z32PABC line 1  qty 12 EA  upc 012345678905". */
static void text_items(struct edi_buf *b, const struct gw_ccarton *carton)
{
    size_t i, k, j;

    for (i = 0; i < carton->nitems; i++) {
        static const char *const head[] = {"PO ", " line ", "  qty ", " "};
        const struct gw_cship_item *it = &carton->items[i];
        const char *const vals[] = {it->po_number, it->line_no, it->quantity.text, it->quantity.unit};

        edi_buf_printf(b, "%-11s", i == 0 ? "Items:" : "");
        for (k = 0; k < sizeof(head) / sizeof(head[0]); k++) {
            char *v = tv(vals[k]);

            if (v) {
                edi_buf_puts(b, head[k]);
                text_put(b, v);
                free(v);
            }
        }
        for (j = 0; j < it->nids; j++) {
            char *q = tv(gw_cid_attr(&it->ids[j], "qualifier"));
            char *v = tv(it->ids[j].value);

            if (v) {
                edi_buf_puts(b, "  ");
                if (q) {
                    text_put(b, q);
                    edi_buf_putc(b, ' ');
                }
                text_put(b, v);
            }
            free(q);
            free(v);
        }
        edi_buf_putc(b, '\n');
    }
}

static void text_label(struct edi_buf *b, const struct ship *s, const struct label *l)
{
    char hr[32];

    edi_buf_printf(b, "%s %zu OF %zu\n", l->pallet ? "PALLET" : "CARTON", l->no, l->of);
    if (l->sscc) {
        sscc_readable(hr, l->sscc);
        text_row(b, "SSCC:", hr);
    } else {
        text_row(b, "Package:", l->package);
    }
    text_row(b, "Tracking:", l->tracking);
    text_row(b, "Shipment:", s->id);
    text_row(b, "PO:", l->pos);
    text_block(b, "Ship from:", &s->from);
    text_block(b, "Ship to:", &s->to);
    text_row(b, "Carrier:", l->carrier);
    if (l->pallet)
        edi_buf_printf(b, "%-11s%zu\n", "Cartons:", l->ncartons);
    else
        text_items(b, l->carton);
}

/* ---- ZPL II ----------------------------------------------------------------------------- */

/* Label size and fields, in dots at 203 dpi (8 dots/mm). Font 0 is
 * condensed: a character is about 0.6 of the font width wide, which gives
 * the LIMITs below: how many characters of a value a field prints. */
#define Z_WIDTH 812         /* 4 in */
#define Z_LENGTH 1218       /* 6 in */
#define Z_BLOCK_CHARS 26    /* LIMIT: half width, font 28/22 */
#define Z_ROW_CHARS 44      /* LIMIT: full width after "SHIPMENT: ", font 30/26 */
#define Z_PO_BIG_CHARS 28   /* one or two POs in font 44/40 */
#define Z_PO_CHARS 58       /* LIMIT: up to five in font 28/22 */
#define Z_ID_CHARS 30       /* LIMIT: package id and tracking, font 50/44 */

/* A value inside ^FH_ field data: cut to max characters (UTF-8 continuation
 * bytes do not count), control characters as spaces, and the three bytes
 * that are not data in ZPL as hex escapes.
 * SPEC: ZPL II ^FH: "_" followed by two hex digits is that byte; '^' and
 * '~' are command prefixes even inside ^FD, '_' is ^FH's own indicator. */
static void zpl_put(struct edi_buf *b, const char *v, size_t max)
{
    size_t chars = 0;
    unsigned char c;

    for (; (c = (unsigned char)*v) != '\0'; v++) {
        if ((c & 0xc0) != 0x80 && chars++ == max)
            break;
        if (c == '^')
            edi_buf_puts(b, "_5E");
        else if (c == '~')
            edi_buf_puts(b, "_7E");
        else if (c == '_')
            edi_buf_puts(b, "_5F");
        else
            edi_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
}

/* A text field: fixed caption (never from the document) then the value. */
static void zpl_field(struct edi_buf *b, int x, int y, int h, int w, const char *caption,
                      const char *v, size_t max)
{
    if (v == NULL)
        return;
    edi_buf_printf(b, "^FO%d,%d^A0N,%d,%d^FH_^FD%s", x, y, h, w, caption);
    zpl_put(b, v, max);
    edi_buf_puts(b, "^FS\n");
}

static void zpl_block(struct edi_buf *b, int x, const char *caption, const struct block *bl)
{
    int i;

    edi_buf_printf(b, "^FO%d,20^A0N,24,22^FD%s^FS\n", x, caption);
    for (i = 0; i < bl->n; i++)
        zpl_field(b, x, 52 + 32 * i, 28, 22, "", bl->line[i], Z_BLOCK_CHARS);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void zpl_label(struct edi_buf *b, const struct ship *s, const struct label *l)
{
    edi_buf_printf(b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", Z_WIDTH, Z_LENGTH);

    /* top: ship-from left, ship-to right */
    zpl_block(b, 20, "SHIP FROM", &s->from);
    edi_buf_puts(b, "^FO406,10^GB3,280,3^FS\n");
    zpl_block(b, 426, "SHIP TO", &s->to);
    edi_buf_puts(b, "^FO10,300^GB792,3,3^FS\n");

    /* shipment and carrier */
    zpl_field(b, 20, 318, 30, 26, "SHIPMENT: ", s->id, Z_ROW_CHARS);
    zpl_field(b, 20, 356, 30, 26, "CARRIER: ", l->carrier, Z_ROW_CHARS);
    if (l->sscc)
        zpl_field(b, 20, 394, 30, 26, "TRACKING: ", l->tracking, Z_ROW_CHARS);
    edi_buf_puts(b, "^FO10,440^GB792,3,3^FS\n");

    /* PO and carton n of m */
    if (l->pos && utf8_chars(l->pos) <= Z_PO_BIG_CHARS)
        zpl_field(b, 20, 460, 44, 40, "PO: ", l->pos, Z_PO_BIG_CHARS);
    else
        zpl_field(b, 20, 470, 28, 22, "PO: ", l->pos, Z_PO_CHARS);
    edi_buf_printf(b, "^FO20,520^A0N,56,50^FD%s %zu OF %zu^FS\n", l->pallet ? "PALLET" : "CARTON", l->no, l->of);
    if (l->pallet)
        edi_buf_printf(b, "^FO500,530^A0N,40,36^FD%zu CARTONS^FS\n", l->ncartons);
    edi_buf_puts(b, "^FO10,600^GB792,3,3^FS\n");

    if (l->sscc) {
        char hr[32];

        /* SPEC: GS1 General Specifications 5.4.4 (GS1 logistic label): SSCC
         * as GS1-128 with X-dimension at least 0.495 mm and bars at least
         * 32 mm high: ^BY4 (4 dots = 0.50 mm) and 264 dots (33 mm);
         * 156 modules (start, FNC1, ten digit pairs, check, stop) make
         * 624 dots, centred with 94 dots (over 10 X) of quiet zone.
         * SPEC: ZPL II ^BC mode N with ">;" (start in subset C) and ">8"
         * (FNC1) then "00" and the 18 digits: the bars carry exactly the
         * ASN's digits. Mode D would do the same from "(00)..." but
         * recomputes the check digit itself and needs firmware x.11+. The
         * interpretation line is off (f = N): the text under it is ours. */
        edi_buf_puts(b, "^FO20,620^A0N,24,22^FDSSCC^FS\n");
        edi_buf_printf(b, "^FO94,660^BY4^BCN,264,N,N,N,N^FD>;>800%s^FS\n", l->sscc);
        sscc_readable(hr, l->sscc);
        edi_buf_printf(b, "^FO0,944^A0N,44,36^FB%d,1,0,C^FD%s^FS\n", Z_WIDTH, hr);
    } else {
        /* DF: no SSCC; the package id and the carrier's tracking number */
        edi_buf_puts(b, "^FO20,620^A0N,24,22^FDPACKAGE ID^FS\n");
        zpl_field(b, 20, 652, 50, 44, "", l->package, Z_ID_CHARS);
        if (l->tracking) {
            edi_buf_puts(b, "^FO20,730^A0N,24,22^FDTRACKING^FS\n");
            zpl_field(b, 20, 762, 50, 44, "", l->tracking, Z_ID_CHARS);
        }
    }
    edi_buf_puts(b, "^XZ\n");
}

/* ---- the contract ----------------------------------------------------------------------- */

int gw_labels_render(struct edi_buf *out, const struct gw_cshipment *sh, const struct gw_label_opts *o,
                     struct edi_err *err)
{
    static const struct gw_label_opts defaults = {0, NULL};
    struct ship s;
    size_t start = out->n, i, n = sh->ncartons, np = sh->npallets;
    int rc = 0;

    memset(&s, 0, sizeof(s));
    if (o == NULL)
        o = &defaults;
    s.id = tv(sh->shipment_id);
    s.carrier = read_carrier(sh->scac, sh->ship_method);
    read_from(&s.from, sh);
    read_to(&s.to, sh, o->ship_to_name);

    for (i = 0; i < n; i++) {
        struct label l;

        memset(&l, 0, sizeof(l));
        l.no = i + 1;
        l.of = n;
        l.carton = &sh->cartons[i];
        if ((rc = read_carton(&l, sh, &s, err)) < 0) {
            label_dispose(&l);
            goto out;
        }
        if (o->zpl) {
            zpl_label(out, &s, &l);
        } else {
            if (i > 0)
                edi_buf_putc(out, '\n');
            text_label(out, &s, &l);
        }
        label_dispose(&l);
    }
    /* then each pallet's own label (RP 005010: the T level's SSCC) */
    for (i = 0; i < np; i++) {
        struct label l;

        memset(&l, 0, sizeof(l));
        l.no = i + 1;
        l.of = np;
        l.pallet = 1;
        l.pal = &sh->pallets[i];
        if ((rc = read_carton(&l, sh, &s, err)) < 0) {
            label_dispose(&l);
            goto out;
        }
        if (o->zpl) {
            zpl_label(out, &s, &l);
        } else {
            if (n > 0 || i > 0)
                edi_buf_putc(out, '\n');
            text_label(out, &s, &l);
        }
        label_dispose(&l);
    }
    if (out->err)
        rc = edi_fail(err, out->err, "the labels of %zu cartons do not fit in %zu bytes", n, out->max);
out:
    if (rc < 0 && out->n > start)
        out->n = start;     /* all the labels or none */
    free(s.id);
    free(s.carrier);
    block_dispose(&s.from);
    block_dispose(&s.to);
    return rc;
}
