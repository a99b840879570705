/*
 * test_x12_write.c — the X12 writer: empty elements (trailing dropped, inner
 * kept), composites with empty components, repetitions, re-delimiting
 * parsed segments, the bounded buffer; and parse → write reproducing the
 * golden samples byte for byte. The ISA is the envelope writer's
 * (test_envelope.c).
 */
#include "testutil.h"
#include "edi/x12.h"

/* ---- table: segments built element by element ------------------------------------ */

/* One step of building a segment: 'e' element, 'c' start a composite,
 * 'k' component, 'r' repetition; the value follows the letter. */
struct wcase {
    const char *name;
    const char *steps[12];
    const char *want;
};

static const struct wcase cases[] = {
    {"plain", {"eCR", "eACME1"}, "REF*CR*ACME1~"},
    {"no elements", {NULL}, "REF~"},
    {"trailing empty elements dropped", {"eCR", "eACME1", "e", "e", "e"}, "REF*CR*ACME1~"},
    {"only empty elements", {"e", "e"}, "REF~"},
    {"empty elements in the middle kept", {"eST", "e", "e92", "eABE2"}, "REF*ST**92*ABE2~"},
    {"leading empty element kept", {"e", "e2", "eODFL"}, "REF**2*ODFL~"},
    {"composite", {"eCR", "e", "e", "c", "kZZ", "k1"}, "REF*CR***ZZ>1~"},
    {"composite, empty inner component", {"eCR", "c", "kZZ", "k", "kAB", "k2"}, "REF*CR*ZZ>>AB>2~"},
    {"composite, empty first component", {"eCR", "c", "k", "k1"}, "REF*CR*>1~"},
    {"composite, trailing empty components dropped", {"eCR", "c", "kZZ", "k1", "k", "k"}, "REF*CR*ZZ>1~"},
    {"composite, all empty, then an element", {"eCR", "c", "k", "k", "eX"}, "REF*CR**X~"},
    {"composite, all empty, at the end", {"eCR", "c", "k", "k"}, "REF*CR~"},
    {"element after a composite", {"c", "kA", "kB", "eC"}, "REF*A>B*C~"},
    {"two composites", {"c", "kA", "k", "kB", "c", "k", "kC"}, "REF*A>>B*>C~"},
    {"repetition", {"eBM", "eA", "rB", "rC"}, "REF*BM*A^B^C~"},
    {"repetition, then an element", {"eBM", "eA", "rB", "eX"}, "REF*BM*A^B*X~"},
    {"repetition of an empty element", {"eBM", "e", "rB"}, "REF*BM*^B~"},
};

static void build(struct edi_buf *b, const char *const *steps)
{
    struct edi_writer w;
    size_t i;

    edi_writer_init(&w, b, NULL, NULL);
    edi_w_begin(&w, "REF");
    for (i = 0; i < 12 && steps[i]; i++) {
        struct edi_str v = edi_str_c(steps[i] + 1);

        switch (steps[i][0]) {
        case 'e': edi_w_el(&w, v); break;
        case 'c': edi_w_el_comp(&w); break;
        case 'k': edi_w_comp(&w, v); break;
        case 'r': edi_w_rep(&w, v); break;
        }
    }
    edi_w_end(&w);
}

static void test_elements(void **state)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        build(&b, cases[i].steps);
        if (strcmp(edi_buf_cstr(&b), cases[i].want) != 0) {
            print_message("# %s: got '%s', want '%s'\n", cases[i].name, b.p, cases[i].want);
            bad++;
        }
        edi_buf_dispose(&b);
    }
    assert_int_equal(bad, 0);
}

static void test_delimiters_and_suffix(void **state)
{
    struct edi_delims d = {'|', ':', '!', '\''};
    struct edi_buf b;
    struct edi_writer w;

    edi_buf_init(&b, 0);
    edi_writer_init(&w, &b, &d, "\r\n");
    edi_w_begin(&w, "REF");
    edi_w_elc(&w, "CR");
    edi_w_elc(&w, "");
    edi_w_el_comp(&w);
    edi_w_comp(&w, edi_str_c("A"));
    edi_w_comp(&w, edi_str_c("B"));
    edi_w_elc(&w, "X");
    edi_w_rep(&w, edi_str_c("Y"));
    edi_w_end(&w);
    edi_w_begin(&w, "SE");
    edi_w_elc(&w, "2");
    edi_w_end(&w);
    assert_string_equal(edi_buf_cstr(&b), "REF|CR||A:B|X!Y'\r\nSE|2'\r\n");
    assert_int_equal(w.nseg, 2);
    edi_buf_dispose(&b);
}

/* ---- edi_w_seg ------------------------------------------------------------------------- */

/* Tokenizes in and writes every segment back with delimiters d. */
static void rewrite(struct edi_buf *out, const char *in, size_t n, const struct edi_delims *d,
                    const char *suffix, int *nseg)
{
    struct edi_tok t;
    struct edi_seg s;
    struct edi_writer w;
    int rc;

    *nseg = 0;
    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, in, n);
    edi_tok_finish(&t);
    edi_writer_init(&w, out, d, suffix);
    while ((rc = edi_tok_next(&s, &t, NULL)) != EDI_DONE) {
        if (rc != EDI_OK)
            break;
        if (d == NULL)
            w.d = t.d;   /* keep the input's own delimiters */
        edi_w_seg(&w, s.el, s.n, &t.d);
        (*nseg)++;
    }
    edi_tok_dispose(&t);
}

static void test_seg_redelimits(void **state)
{
    static const char in[] =
        "ISA|00|          |00|          |ZZ|AMAZON         |ZZ|ACMEVENDOR     |240318|1550|!|00501|"
        "000001203|0|P|:'"
        "GS|SH|ACMEVENDOR|AMAZON|20240318|1550|1203|X|005010'"
        "REF|BM|A:B!C:D|||'"
        "N1|ST||92|ABE2'"
        "IEA|1|000001203'";
    struct edi_delims d;
    struct edi_buf out;
    struct edi_tok t;
    struct edi_seg s;
    int n;

    edi_delims_default(&d);
    edi_buf_init(&out, 0);
    rewrite(&out, in, sizeof(in) - 1, &d, "\n", &n);
    assert_int_equal(n, 5);
    assert_string_equal(edi_buf_cstr(&out) + 107,
                        "GS*SH*ACMEVENDOR*AMAZON*20240318*1550*1203*X*005010~\n"
                        "REF*BM*A>B^C>D~\n"
                        "N1*ST**92*ABE2~\n"
                        "IEA*1*000001203~\n");
    /* the ISA is 106 bytes again and declares the delimiters the output uses */
    assert_int_equal(out.p[105], '~');
    assert_int_equal(out.p[106], '\n');
    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, out.p, out.n);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(t.isa_bad, 0);
    assert_int_equal(t.d.elem, '*');
    assert_int_equal(t.d.seg, '~');
    if (t.d.comp != '>' || t.d.rep != '^') {
        char c = (char)t.d.comp, r = (char)t.d.rep;

        edi_tok_dispose(&t);
        edi_buf_dispose(&out);
        fail_msg("the rewritten ISA declares component '%c' and repetition '%c', the segments use '>' and '^'",
                 c, r);
    }
    edi_tok_dispose(&t);
    edi_buf_dispose(&out);
}

/* Without input delimiters, values are written as they are. */
static void test_seg_as_is(void **state)
{
    struct edi_str el[] = {edi_str_c("REF"), edi_str_c("BM"), edi_str_c("A:B"), EDI_STR_NULL,
                           EDI_STR_NULL};
    struct edi_buf b;
    struct edi_writer w;

    edi_buf_init(&b, 0);
    edi_writer_init(&w, &b, NULL, NULL);
    edi_w_seg(&w, el, 4, NULL);
    assert_string_equal(edi_buf_cstr(&b), "REF*BM*A:B~");
    edi_buf_reset(&b);
    edi_w_seg(&w, el, 0, NULL);
    assert_string_equal(edi_buf_cstr(&b), "REF~");
    assert_int_equal(w.nseg, 2);
    edi_buf_dispose(&b);
}

/* parse → write with the input's delimiters is the identity on every
 * golden sample (they end each segment with "~\n"). */
static void test_golden_identity(void **state)
{
    static const char *files[] = {
        "amazon-df-810.edi", "amazon-df-846.edi", "amazon-df-850.edi", "amazon-df-855.edi",
        "amazon-df-856.edi", "amazon-rp-810.edi", "amazon-rp-846.edi", "amazon-rp-850-multi.edi",
        "amazon-rp-850.edi", "amazon-rp-855.edi", "amazon-rp-856-5010.edi", "amazon-rp-856.edi",
        "ack-997.edi", "ack-997-reject.edi", "ack-999.edi", "ack-999-accept.edi",
    };
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char rel[128];
        size_t n;
        char *in;
        struct edi_buf out;
        int nseg;

        snprintf(rel, sizeof(rel), "golden/x12/%s", files[i]);
        in = tu_read(rel, &n);
        edi_buf_init(&out, 0);
        rewrite(&out, in, n, NULL, "\n", &nseg);
        if (out.n != n || memcmp(out.p, in, n) != 0) {
            print_message("# %s: %zu bytes in, %zu out\n", files[i], n, out.n);
            bad++;
        }
        edi_buf_dispose(&out);
        free(in);
    }
    assert_int_equal(bad, 0);
}

/* ---- the bounded buffer ------------------------------------------------------------------- */

static void test_buffer_limit(void **state)
{
    struct edi_buf b;
    struct edi_writer w;
    int i;

    edi_buf_init(&b, 32);
    edi_writer_init(&w, &b, NULL, "\n");
    for (i = 0; i < 10; i++) {
        edi_w_begin(&w, "MSG");
        edi_w_elc(&w, "a message longer than the limit");
        edi_w_end(&w);
    }
    assert_int_equal(b.err, EDI_ELIMIT);
    assert_true(b.n <= 32);
    edi_buf_reset(&b);
    assert_int_equal(b.n, 0);
    edi_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elements),
        cmocka_unit_test(test_delimiters_and_suffix),
        cmocka_unit_test(test_seg_redelimits),
        cmocka_unit_test(test_seg_as_is),
        cmocka_unit_test(test_golden_identity),
        cmocka_unit_test(test_buffer_limit),
    };

    return cmocka_run_group_tests_name("x12_write", tests, NULL, NULL);
}
