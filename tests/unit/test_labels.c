/*
 * test_labels.c — carton labels (gateway/labels.c): the canonical sample
 * shipments rendered as text and as ZPL against golden files in
 * tests/unit/labels/ (NAME.txt, NAME.zpl; GOLDEN_UPDATE=1 rewrites them
 * for review); values with ZPL command characters stay data; carton n of
 * m; cartons without an SSCC or id, bad SSCCs and documents that are not a
 * shipment are refused, leaving the output as it was.
 */
#include "testutil.h"
#include "gateway/docs/labels.h"

/* ---- helpers ------------------------------------------------------------------------- */

/* A shipment as text: labels read it with gw_cshipment_read. */
struct tdoc {
    char *xml;
    size_t n;
};

static struct tdoc *parse(const char *xml, size_t n)
{
    struct tdoc *d = calloc(1, sizeof(*d));
    struct gw_cdoc *wf = NULL;
    struct edi_err err;

    /* well-formed, whatever its root */
    edi_err_clear(&err);
    assert_int_equal(gw_cdoc_parse(&wf, xml, n, "shipment", &err), 0);
    gw_cdoc_free(wf);
    d->xml = malloc(n + 1);
    memcpy(d->xml, xml, n);
    d->xml[n] = '\0';
    d->n = n;
    return d;
}

static void tdoc_free(struct tdoc *d)
{
    if (d)
        free(d->xml);
    free(d);
}

/* Reads d as a shipment and renders its labels: the reader's refusal or
 * gw_labels_render's result. */
static int labels(struct edi_buf *out, const struct tdoc *d, const struct gw_label_opts *o, struct edi_err *err)
{
    struct gw_cshipment *sh = NULL;
    int rc;

    if ((rc = gw_cshipment_read(&sh, d->xml, d->n, err)) < 0)
        return rc;
    rc = gw_labels_render(out, sh, o, err);
    gw_cshipment_free(sh);
    return rc;
}

static struct tdoc *read_sample(const char *name)
{
    char rel[128];
    size_t n;
    char *p;
    struct tdoc *d;

    snprintf(rel, sizeof(rel), "canonical/%s.xml", name);
    p = tu_read(rel, &n);
    d = parse(p, n);
    free(p);
    return d;
}

/* Renders d into out (initialised here); returns the code, err filled. */
static int render(struct edi_buf *out, struct tdoc *d, int zpl, const char *ship_to_name,
                  struct edi_err *err)
{
    struct gw_label_opts o = {zpl, ship_to_name};

    edi_buf_init(out, 0);
    edi_err_clear(err);
    return labels(out, d, &o, err);
}

/* A small shipment: ship-from named from_name, the given <carton>s. */
static struct tdoc *mini(const char *from_name, const char *cartons)
{
    struct edi_buf b;
    struct tdoc *d;

    edi_buf_init(&b, 0);
    edi_buf_printf(&b,
                   "<shipment xmlns='urn:wharf:canonical:1'><program>RP</program>"
                   "<shipment-id>S1</shipment-id><purpose>original</purpose>"
                   "<asn-date>2025-01-01</asn-date>"
                   "<ship-from><name>%s</name></ship-from>"
                   "<ship-to><id qualifier='92'>ABE2</id></ship-to><orders/>%s%s%s</shipment>",
                   from_name, cartons ? "<cartons>" : "", cartons ? cartons : "",
                   cartons ? "</cartons>" : "");
    d = parse(b.p, b.n);
    edi_buf_dispose(&b);
    return d;
}

#define CARTON(id, sscc)                                                                      \
    "<carton>" id sscc "<item><po-number>PO1</po-number><line-no>1</line-no>"                 \
    "<id qualifier='upc'>012345678905</id><quantity unit='EA'>1</quantity></item></carton>"

/* How many times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
        n++;
    return n;
}

/* ---- golden files --------------------------------------------------------------------- */

struct gcase {
    const char *sample;        /* tests/canonical/NAME.xml */
    const char *ship_to_name;  /* gw_label_opts.ship_to_name */
};

static const struct gcase goldens[] = {
    {"shipment-rp", NULL},
    {"shipment-rp-pallets", "AMAZON.COM SERVICES LLC"},
    {"shipment-df", NULL},
};

/* 0 when got equals the golden file (or it was rewritten); else prints the
 * first line that differs. */
static int golden_check(const char *rel, const struct edi_buf *got)
{
    char path[1024];
    const char *upd = getenv("GOLDEN_UPDATE");
    char *want;
    size_t n, i, line = 1;

    snprintf(path, sizeof(path), "%s/%s", WHARF_TESTDATA, rel);
    if (upd && strcmp(upd, "1") == 0) {
        FILE *f = fopen(path, "wb");

        if (f == NULL || fwrite(got->p, 1, got->n, f) != got->n || fclose(f) != 0)
            fail_msg("cannot write %s", path);
        print_message("# rewrote %s\n", rel);
        return 0;
    }
    want = tu_read(rel, &n);
    for (i = 0; i < n && i < got->n && want[i] == got->p[i]; i++)
        line += want[i] == '\n';
    if (i == n && i == got->n) {
        free(want);
        return 0;
    }
    print_message("# %s differs at line %zu (%zu bytes expected, %zu rendered)\n", rel, line, n,
                  got->n);
    free(want);
    return -1;
}

static void test_golden(void **state)
{
    size_t i;
    int mode, bad = 0;

    for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
        struct tdoc *d = read_sample(goldens[i].sample);

        for (mode = 0; mode <= 1; mode++) {
            struct edi_buf out;
            struct edi_err err;
            char rel[128];

            if (render(&out, d, mode, goldens[i].ship_to_name, &err) != 0)
                fail_msg("%s: %s", goldens[i].sample, err.msg);
            snprintf(rel, sizeof(rel), "unit/labels/%s.%s", goldens[i].sample, mode ? "zpl" : "txt");
            bad += golden_check(rel, &out) != 0;
            edi_buf_dispose(&out);
        }
        tdoc_free(d);
    }
    assert_int_equal(bad, 0);
}

/* ---- carton n of m -------------------------------------------------------------------- */

/* The nth (1-based) piece of s between separators sep, copied (without
 * the separator: a text block without its last newline). */
static char *nth(const char *s, const char *sep, int k)
{
    const char *end;

    while (--k > 0) {
        assert_non_null(s = strstr(s, sep));
        s += strlen(sep);
    }
    end = strstr(s, sep);
    return edi_xstrndup(s, end ? (size_t)(end - s) : strlen(s));
}

static void test_carton_n_of_m(void **state)
{
    struct tdoc *d = read_sample("shipment-rp");
    struct edi_buf out;
    struct edi_err err;
    char *two;

    assert_int_equal(render(&out, d, 0, NULL, &err), 0);
    assert_int_equal(count(edi_buf_cstr(&out), "\n\n"), 2);    /* three blocks */
    two = nth(out.p, "\n\n", 2);
    assert_true(strncmp(two, "CARTON 2 OF 3\n", 14) == 0);
    assert_non_null(strstr(two, "SSCC:      (00) 0 0614141000000102 6\n"));
    assert_int_equal(count(out.p, "CARTON 2 OF 3"), 1);
    free(two);
    edi_buf_dispose(&out);

    assert_int_equal(render(&out, d, 1, NULL, &err), 0);
    assert_int_equal(count(edi_buf_cstr(&out), "^XA"), 3);
    assert_int_equal(count(out.p, "^XZ"), 3);
    two = nth(out.p, "^XZ\n", 2);
    assert_non_null(strstr(two, "^FDCARTON 2 OF 3^FS"));
    assert_non_null(strstr(two, "^BCN,264,N,N,N,N^FD>;>800006141410000001026^FS"));
    assert_non_null(strstr(two, "^FD(00) 0 0614141000000102 6^FS"));
    free(two);
    edi_buf_dispose(&out);
    tdoc_free(d);
}

/* ---- ZPL escaping --------------------------------------------------------------------- */

static void test_zpl_escapes(void **state)
{
    /* a name that would end the field, end the label and run ~JA (cancel
     * all) if it went out as it is; the newline would be a line break */
    struct tdoc *d = mini("A^FS^XZ~JA_B&#10;C",
                       CARTON("<carton-id>006141410000001019</carton-id>", ""));
    struct edi_buf out;
    struct edi_err err;

    assert_int_equal(render(&out, d, 1, NULL, &err), 0);
    edi_buf_cstr(&out);
    assert_non_null(strstr(out.p, "^FH_^FDA_5EFS_5EXZ_7EJA_5FB C^FS\n"));
    assert_int_equal(count(out.p, "^XA"), 1);
    assert_int_equal(count(out.p, "^XZ"), 1);
    assert_null(strchr(out.p, '~'));
    edi_buf_dispose(&out);

    /* text prints it as sent, but on one line */
    assert_int_equal(render(&out, d, 0, NULL, &err), 0);
    assert_non_null(strstr(edi_buf_cstr(&out), "Ship from: A^FS^XZ~JA_B C\n"));
    edi_buf_dispose(&out);
    tdoc_free(d);
}

/* A value longer than its field is cut at a character, not inside one. */
static void test_zpl_cut_utf8(void **state)
{
    static const char e[] = "\xc3\xa9";    /* é */
    char name[100], want[100];
    struct tdoc *d;
    struct edi_buf out;
    struct edi_err err;
    int i;

    name[0] = want[0] = '\0';
    for (i = 0; i < 30; i++)
        strcat(name, e);
    strcpy(want, "^FD");
    for (i = 0; i < 26; i++)
        strcat(want, e);
    strcat(want, "^FS");
    d = mini(name, CARTON("<carton-id>006141410000001019</carton-id>", ""));
    assert_int_equal(render(&out, d, 1, NULL, &err), 0);
    assert_non_null(strstr(edi_buf_cstr(&out), want));
    edi_buf_dispose(&out);
    tdoc_free(d);
}

/* ---- what a carton label carries ------------------------------------------------------ */

static void test_ship_to_name(void **state)
{
    static const char own[] =
        "<shipment xmlns='urn:wharf:canonical:1'><shipment-id>S</shipment-id>"
        "<ship-to><id qualifier='92'>ABE2</id><name>FC ABE2</name>"
        "<address><line>705 BOULDER DR</line><city>BREINIGSVILLE</city><state>PA</state>"
        "<postal-code>18031</postal-code><country>US</country></address></ship-to>"
        "<cartons>" CARTON("<carton-id>X1</carton-id>", "") "</cartons></shipment>";
    struct tdoc *d = read_sample("shipment-rp");
    struct tdoc *named = parse(own, sizeof(own) - 1);
    struct edi_buf out;
    struct edi_err err;

    /* an FC code only: the caller's name under it */
    assert_int_equal(render(&out, d, 0, "AMAZON ABE2", &err), 0);
    assert_non_null(strstr(edi_buf_cstr(&out), "Ship to:   ABE2\n           AMAZON ABE2\nCarrier:"));
    edi_buf_dispose(&out);

    /* the shipment's own name and address win */
    assert_int_equal(render(&out, named, 0, "AMAZON ABE2", &err), 0);
    assert_non_null(strstr(edi_buf_cstr(&out), "Ship to:   ABE2\n           FC ABE2\n"
                                               "           705 BOULDER DR\n"
                                               "           BREINIGSVILLE, PA 18031 US\n"));
    assert_null(strstr(out.p, "AMAZON ABE2"));
    edi_buf_dispose(&out);
    tdoc_free(named);
    tdoc_free(d);
}

/* A carton with several items lists each PO once, in order; an 18-digit
 * carton-id is the SSCC; another id is a package id, with no barcode. */
static void test_pos_and_ids(void **state)
{
    struct tdoc *d = mini("ACME",
                       "<carton><carton-id>006141410000001019</carton-id>"
                       "<item><po-number>PO2</po-number><line-no>1</line-no><id qualifier='upc'>1</id>"
                       "<quantity unit='EA'>1</quantity></item>"
                       "<item><po-number>PO1</po-number><line-no>1</line-no><id qualifier='upc'>2</id>"
                       "<quantity unit='EA'>1</quantity></item>"
                       "<item><po-number>PO2</po-number><line-no>2</line-no><id qualifier='upc'>3</id>"
                       "<quantity unit='EA'>2</quantity></item></carton>" CARTON(
                           "<carton-id>PKG-7</carton-id><tracking-number>1Z9</tracking-number>", ""));
    struct edi_buf out;
    struct edi_err err;
    char *one, *two;

    assert_int_equal(render(&out, d, 0, NULL, &err), 0);
    one = nth(edi_buf_cstr(&out), "\n\n", 1);
    two = nth(out.p, "\n\n", 2);
    assert_non_null(strstr(one, "CARTON 1 OF 2\nSSCC:      (00) 0 0614141000000101 9\n"));
    assert_non_null(strstr(one, "PO:        PO2, PO1\n"));
    assert_non_null(strstr(one, "           PO PO2 line 2  qty 2 EA  upc 3"));
    assert_non_null(strstr(two, "CARTON 2 OF 2\nPackage:   PKG-7\nTracking:  1Z9\n"));
    free(one);
    free(two);
    edi_buf_dispose(&out);

    assert_int_equal(render(&out, d, 1, NULL, &err), 0);
    two = nth(edi_buf_cstr(&out), "^XZ\n", 2);
    assert_null(strstr(two, "^BC"));
    assert_non_null(strstr(two, "^FDPACKAGE ID^FS"));
    assert_non_null(strstr(two, "^FH_^FDPKG-7^FS"));
    assert_non_null(strstr(two, "^FH_^FD1Z9^FS"));
    free(two);
    edi_buf_dispose(&out);
    tdoc_free(d);
}

/* No cartons (a DF floor denial): no labels, no error. */
static void test_no_cartons(void **state)
{
    struct tdoc *d = mini("ACME", NULL);
    struct edi_buf out;
    struct edi_err err;

    assert_int_equal(render(&out, d, 1, NULL, &err), 0);
    assert_int_equal(out.n, 0);
    edi_buf_dispose(&out);
    tdoc_free(d);
}

/* ---- refusals ------------------------------------------------------------------------- */

struct rcase {
    const char *name;
    const char *xml;       /* whole document; NULL: mini() with cartons */
    const char *cartons;
    int rc;
    const char *msg;       /* in err.msg */
};

static const struct rcase refusals[] = {
    {"carton without SSCC or id", NULL,
     CARTON("<carton-id>006141410000001019</carton-id>", "") CARTON("", ""), EDI_ESYNTAX,
     "carton 2 of 2 has no SSCC and no carton-id"},
    {"carton with only other identifiers", NULL,
     CARTON("", "<identifier type='gtin'>00012345678905</identifier>"), EDI_ESYNTAX,
     "carton 1 of 1 has no SSCC and no carton-id"},
    {"SSCC with a wrong check digit", NULL,
     CARTON("<carton-id>C1</carton-id>", "<identifier type='sscc'>006141410000001018</identifier>"),
     EDI_ESYNTAX, "carton 1 of 1: SSCC 006141410000001018 (identifier) has check digit 8, not 9"},
    {"18-digit carton-id with a wrong check digit", NULL,
     CARTON("<carton-id>006141410000001010</carton-id>", ""), EDI_ESYNTAX,
     "SSCC 006141410000001010 (carton-id) has check digit 0, not 9"},
    {"SSCC not 18 digits", NULL,
     CARTON("<carton-id>C1</carton-id>", "<identifier type='sscc'>0061414100000010</identifier>"),
     EDI_ESYNTAX, "carton 1 of 1: SSCC '0061414100000010' is not 18 digits"},
    {"root is an order", "<order xmlns='urn:wharf:canonical:1'><header/></order>", NULL, EDI_ESYNTAX,
     "root element {urn:wharf:canonical:1}order is not {urn:wharf:canonical:1}shipment"},
    {"shipment outside the namespace", "<shipment><cartons/></shipment>", NULL, EDI_ESYNTAX,
     "root element {}shipment is not {urn:wharf:canonical:1}shipment"},
    {"shipment in another namespace", "<shipment xmlns='urn:other'/>", NULL, EDI_ESYNTAX,
     "root element {urn:other}shipment is not"},
};

static void test_refusals(void **state)
{
    size_t i;
    int zpl;

    for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const struct rcase *c = &refusals[i];
        struct tdoc *d = c->xml ? parse(c->xml, strlen(c->xml)) : mini("ACME", c->cartons);

        for (zpl = 0; zpl <= 1; zpl++) {
            struct gw_label_opts o = {zpl, NULL};
            struct edi_buf out;
            struct edi_err err;
            int rc;

            /* what the buffer held before stays, and nothing is added */
            edi_buf_init(&out, 0);
            edi_buf_puts(&out, "before\n");
            edi_err_clear(&err);
            rc = labels(&out, d, &o, &err);
            if (rc != c->rc || strstr(err.msg, c->msg) == NULL)
                fail_msg("%s: rc %d (%s), want %d with \"%s\"", c->name, rc, err.msg, c->rc, c->msg);
            assert_int_equal(out.n, 7);
            assert_true(memcmp(out.p, "before\n", 7) == 0);
            edi_buf_dispose(&out);
        }
        tdoc_free(d);
    }
}

/* The buffer's maximum: EDI_ELIMIT, and no half label. */
static void test_buffer_limit(void **state)
{
    struct tdoc *d = read_sample("shipment-rp");
    struct gw_label_opts o = {1, NULL};
    struct edi_buf out;
    struct edi_err err;

    edi_buf_init(&out, 1500);
    edi_err_clear(&err);
    assert_int_equal(labels(&out, d, &o, &err), EDI_ELIMIT);
    assert_int_equal(out.n, 0);
    assert_non_null(strstr(err.msg, "do not fit"));
    edi_buf_dispose(&out);
    tdoc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_carton_n_of_m),
        cmocka_unit_test(test_zpl_escapes),
        cmocka_unit_test(test_zpl_cut_utf8),
        cmocka_unit_test(test_ship_to_name),
        cmocka_unit_test(test_pos_and_ids),
        cmocka_unit_test(test_no_cartons),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_buffer_limit),
    };

    return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
