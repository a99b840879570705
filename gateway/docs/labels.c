/*
 * labels.c — carton labels (see labels.h): reads the canonical <shipment>
 * with XPath and writes, per carton in document order, a text block or one
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

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS "urn:wharf:canonical:1"

/* A party as printed: id, name, three address lines, city line. */
#define BLOCK_MAX 6

struct block {
    char *line[BLOCK_MAX];
    int n;
};

/* What the shipment gives every label. */
struct ship {
    xmlXPathContextPtr x;
    char *id;
    char *carrier;          /* shipment level: SCAC, else ship-method */
    struct block from, to;
};

/* What one carton's label carries. */
struct label {
    size_t no, of;
    int pallet;             /* a pallet (005010 T level), not a carton */
    size_t ncartons;        /* a pallet's cartons */
    xmlNodePtr carton;      /* the <carton> or <pallet> */
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

/* The string value of expr at node at, without leading and trailing
 * whitespace; NULL when empty. The caller frees. expr is a constant of
 * this file, so a failed evaluation can only be memory: it reads as
 * absent. */
static char *xp(xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathNodeEval(at, BAD_CAST expr, x);
    xmlChar *s;
    const char *p;
    size_t i = 0, n;
    char *r = NULL;

    if (o == NULL)
        return NULL;
    s = xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    if (s == NULL)
        return NULL;
    p = (const char *)s;
    n = strlen(p);
    while (n > 0 && is_ws(p[n - 1]))
        n--;
    while (i < n && is_ws(p[i]))
        i++;
    if (i < n)
        r = edi_xstrndup(p + i, n - i);
    xmlFree(s);
    return r;
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
static char *city_line(xmlXPathContextPtr x, xmlNodePtr party)
{
    static const char *const expr[] = {
        "string(c:address/c:city)", "string(c:address/c:state)",
        "string(c:address/c:postal-code)", "string(c:address/c:country)",
    };
    struct edi_buf b;
    char *r = NULL;
    size_t i;

    edi_buf_init(&b, 0);
    for (i = 0; i < sizeof(expr) / sizeof(expr[0]); i++) {
        char *v = xp(x, party, expr[i]);

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

static void address_lines(struct block *bl, xmlXPathContextPtr x, xmlNodePtr party)
{
    /* LIMIT: the schema allows three address lines; those are printed */
    block_add(bl, xp(x, party, "string(c:address/c:line[1])"));
    block_add(bl, xp(x, party, "string(c:address/c:line[2])"));
    block_add(bl, xp(x, party, "string(c:address/c:line[3])"));
    block_add(bl, city_line(x, party));
}

static xmlNodePtr first_node(xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathNodeEval(at, BAD_CAST expr, x);
    xmlNodePtr n = NULL;

    if (o && xmlXPathNodeSetGetLength(o->nodesetval) > 0)
        n = xmlXPathNodeSetItem(o->nodesetval, 0);
    xmlXPathFreeObject(o);
    return n;
}

/* Ship-from: its name (else its id, else its warehouse code) and address. */
static void read_from(struct block *bl, xmlXPathContextPtr x, xmlNodePtr root)
{
    xmlNodePtr p = first_node(x, root, "c:ship-from");
    char *name;

    if (p == NULL)
        return;
    if ((name = xp(x, p, "string(c:name)")) == NULL && (name = xp(x, p, "string(c:id[1])")) == NULL)
        name = xp(x, p, "string(c:warehouse-code)");
    block_add(bl, name);
    address_lines(bl, x, p);
}

/* Ship-to: its id, then its name and address when the shipment has them;
 * without a name, the caller's (an RP ship-to is only an FC code). */
static void read_to(struct block *bl, xmlXPathContextPtr x, xmlNodePtr root, const char *name)
{
    xmlNodePtr p = first_node(x, root, "c:ship-to");
    char *v = NULL;

    if (p) {
        block_add(bl, xp(x, p, "string(c:id[1])"));
        v = xp(x, p, "string(c:name)");
    }
    if (v == NULL && name && *name)
        v = edi_xstrdup(name);
    block_add(bl, v);
    if (p)
        address_lines(bl, x, p);
}

static char *read_carrier(xmlXPathContextPtr x, xmlNodePtr at)
{
    char *v = xp(x, at, "string(c:carrier/c:scac)");

    return v ? v : xp(x, at, "string(c:carrier/c:ship-method)");
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

/* Reads the carton's label fields; EDI_ESYNTAX (naming the carton) when it
 * has no SSCC and no carton-id, or an SSCC that is not one. */
static int read_carton(struct label *l, const struct ship *s, struct edi_err *err)
{
    xmlXPathContextPtr x = s->x;
    xmlXPathObjectPtr items;
    char **seen = NULL;
    size_t nseen = 0;
    struct edi_buf pos;
    char *v;
    const char *from = "identifier";
    int i, n;

    const char *what = l->pallet ? "pallet" : "carton";

    l->package = xp(x, l->carton, l->pallet ? "string(c:pallet-id)" : "string(c:carton-id)");
    l->sscc = xp(x, l->carton, "string(c:identifier[@type='sscc'][1])");
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
    l->tracking = xp(x, l->carton, "string(c:tracking-number)");
    l->carrier = read_carrier(x, l->carton);
    if (l->carrier == NULL && s->carrier)
        l->carrier = edi_xstrdup(s->carrier);

    /* the carton's POs, each once: up to 5 on an RP carton, so the
     * linear search stays short */
    edi_buf_init(&pos, 0);
    if (l->pallet) {
        /* a pallet's POs are its cartons' (carton-ref), in their order */
        xmlXPathObjectPtr refs = xmlXPathNodeEval(l->carton, BAD_CAST "c:carton-ref", x);
        xmlNodeSetPtr all = xmlXPathNodeSetCreate(NULL);
        int r, nr = refs ? xmlXPathNodeSetGetLength(refs->nodesetval) : 0;

        l->ncartons = (size_t)nr;
        for (r = 0; r < nr; r++) {
            xmlNodePtr ref = xmlXPathNodeSetItem(refs->nodesetval, r);
            xmlXPathObjectPtr cs = xmlXPathNodeEval(ref, BAD_CAST "../../../c:cartons/c:carton/c:item/c:po-number", x);
            char *id = xp(x, ref, "string(.)");
            int k, nc = cs ? xmlXPathNodeSetGetLength(cs->nodesetval) : 0;

            for (k = 0; id && k < nc; k++) {
                xmlNodePtr po = xmlXPathNodeSetItem(cs->nodesetval, k);
                char *cid = xp(x, po, "string(../../c:carton-id)");

                if (cid && strcmp(cid, id) == 0)
                    xmlXPathNodeSetAdd(all, po);
                free(cid);
            }
            free(id);
            xmlXPathFreeObject(cs);
        }
        xmlXPathFreeObject(refs);
        items = xmlXPathWrapNodeSet(all);
    } else {
        items = xmlXPathNodeEval(l->carton, BAD_CAST "c:item/c:po-number", x);
    }
    n = items ? xmlXPathNodeSetGetLength(items->nodesetval) : 0;
    for (i = 0; i < n; i++) {
        size_t k;

        if ((v = xp(x, xmlXPathNodeSetItem(items->nodesetval, i), "string(.)")) == NULL)
            continue;
        for (k = 0; k < nseen && strcmp(seen[k], v) != 0; k++)
            ;
        if (k < nseen) {
            free(v);
            continue;
        }
        if (pos.n > 0)
            edi_buf_puts(&pos, ", ");
        edi_buf_puts(&pos, v);
        seen = edi_xrealloc(seen, (nseen + 1) * sizeof(*seen));
        seen[nseen++] = v;
    }
    xmlXPathFreeObject(items);
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
static void text_items(struct edi_buf *b, xmlXPathContextPtr x, xmlNodePtr carton)
{
    xmlXPathObjectPtr items = xmlXPathNodeEval(carton, BAD_CAST "c:item", x);
    int i, n = items ? xmlXPathNodeSetGetLength(items->nodesetval) : 0;

    for (i = 0; i < n; i++) {
        static const char *const expr[] = {
            "string(c:po-number)", "string(c:line-no)", "string(c:quantity)",
            "string(c:quantity/@unit)",
        };
        static const char *const head[] = {"PO ", " line ", "  qty ", " "};
        xmlNodePtr it = xmlXPathNodeSetItem(items->nodesetval, i);
        xmlXPathObjectPtr ids;
        size_t k;
        int j, nid;

        edi_buf_printf(b, "%-11s", i == 0 ? "Items:" : "");
        for (k = 0; k < sizeof(expr) / sizeof(expr[0]); k++) {
            char *v = xp(x, it, expr[k]);

            if (v) {
                edi_buf_puts(b, head[k]);
                text_put(b, v);
                free(v);
            }
        }
        ids = xmlXPathNodeEval(it, BAD_CAST "c:id", x);
        nid = ids ? xmlXPathNodeSetGetLength(ids->nodesetval) : 0;
        for (j = 0; j < nid; j++) {
            xmlNodePtr id = xmlXPathNodeSetItem(ids->nodesetval, j);
            char *q = xp(x, id, "string(@qualifier)");
            char *v = xp(x, id, "string(.)");

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
        xmlXPathFreeObject(ids);
        edi_buf_putc(b, '\n');
    }
    xmlXPathFreeObject(items);
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
        text_items(b, s->x, l->carton);
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

static int check_root(xmlNodePtr root, struct edi_err *err)
{
    if (root == NULL)
        return edi_fail(err, EDI_ESYNTAX, "the document has no root element");
    if (root->ns == NULL || strcmp((const char *)root->ns->href, NS) != 0 ||
        strcmp((const char *)root->name, "shipment") != 0)
        return edi_fail(err, EDI_ESYNTAX, "root element {%.80s}%.60s is not {" NS "}shipment",
                        root->ns ? (const char *)root->ns->href : "", (const char *)root->name);
    return 0;
}

int gw_labels_render(struct edi_buf *out, xmlDocPtr shipment, const struct gw_label_opts *o,
                     struct edi_err *err)
{
    static const struct gw_label_opts defaults = {0, NULL};
    struct ship s;
    xmlXPathObjectPtr cartons = NULL;
    xmlNodePtr root = shipment ? xmlDocGetRootElement(shipment) : NULL;
    size_t start = out->n;
    int rc, i, n;

    memset(&s, 0, sizeof(s));
    if (o == NULL)
        o = &defaults;
    if ((rc = check_root(root, err)) < 0)
        return rc;
    if ((s.x = xmlXPathNewContext(shipment)) == NULL ||
        xmlXPathRegisterNs(s.x, BAD_CAST "c", BAD_CAST NS) != 0) {
        rc = edi_fail(err, EDI_ERR, "cannot set up XPath on the shipment");
        goto out;
    }
    s.id = xp(s.x, root, "string(c:shipment-id)");
    s.carrier = read_carrier(s.x, root);
    read_from(&s.from, s.x, root);
    read_to(&s.to, s.x, root, o->ship_to_name);

    if ((cartons = xmlXPathNodeEval(root, BAD_CAST "c:cartons/c:carton", s.x)) == NULL) {
        rc = edi_fail(err, EDI_ERR, "XPath c:cartons/c:carton failed");
        goto out;
    }
    n = xmlXPathNodeSetGetLength(cartons->nodesetval);
    for (i = 0; i < n; i++) {
        struct label l;

        memset(&l, 0, sizeof(l));
        l.no = (size_t)i + 1;
        l.of = (size_t)n;
        l.carton = xmlXPathNodeSetItem(cartons->nodesetval, i);
        if ((rc = read_carton(&l, &s, err)) < 0) {
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
    {
        xmlXPathObjectPtr pallets = xmlXPathNodeEval(root, BAD_CAST "c:pallets/c:pallet", s.x);
        int np = pallets ? xmlXPathNodeSetGetLength(pallets->nodesetval) : 0;

        for (i = 0; i < np; i++) {
            struct label l;

            memset(&l, 0, sizeof(l));
            l.no = (size_t)i + 1;
            l.of = (size_t)np;
            l.pallet = 1;
            l.carton = xmlXPathNodeSetItem(pallets->nodesetval, i);
            if ((rc = read_carton(&l, &s, err)) < 0) {
                label_dispose(&l);
                xmlXPathFreeObject(pallets);
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
        xmlXPathFreeObject(pallets);
    }
    if (out->err)
        rc = edi_fail(err, out->err, "the labels of %d cartons do not fit in %zu bytes", n, out->max);
out:
    if (rc < 0 && out->n > start)
        out->n = start;     /* all the labels or none */
    xmlXPathFreeObject(cartons);
    xmlXPathFreeContext(s.x);
    free(s.id);
    free(s.carrier);
    block_dispose(&s.from);
    block_dispose(&s.to);
    return rc;
}
