/*
 * test_exml.c — EDI⇄XML: every golden sample goes to XML and back to the
 * same segments; loops from the guides show in the XML; values XML cannot
 * carry travel as hex=; broken or wrong XML is a syntax error with a
 * message, never a crash. The per-set trees the maps read are the
 * documents the text writer and parser made, node for node.
 */
#define TU_GUIDES
#include "testutil.h"
#include "edi/exml.h"
#include "tests/fuzz/xmlsame.h"

#include <dirent.h>
#include <unistd.h>


/* ---- helpers ------------------------------------------------------------------------- */

/* The XML for an X12 file (NUL-terminated; the caller frees it), or NULL
 * with *rc set. */
static char *to_xml(const char *path, const char *guide_id, int *rc, struct edi_err *err)
{
    FILE *f = tmpfile();
    long len;
    char *xml;

    assert_non_null(f);
    edi_err_clear(err);
    *rc = edi_x12_to_xml(f, path, G, guide_id, EDI_TEXT_UTF8_LATIN1, err);
    fflush(f);
    len = ftell(f);
    rewind(f);
    xml = edi_xmalloc((size_t)(len > 0 ? len : 0) + 1);
    xml[fread(xml, 1, (size_t)(len > 0 ? len : 0), f)] = '\0';
    fclose(f);
    return xml;
}

/* s without \r and \n, in place; returns its new length. */
static size_t strip_newlines(char *s, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n')
            s[k++] = s[i];
    s[k] = '\0';
    return k;
}

/* X12 text → file → XML → X12; 0 when the segments came back the same.
 * *xml_out (optional) gets the XML. */
static int round_trip(const char *path, char **xml_out, char *why, size_t whycap)
{
    char *in, *xml;
    size_t n;
    struct edi_err err;
    struct edi_buf back;
    int rc, same;

    edi_err_clear(&err);
    if (edi_read_file(&in, &n, path, &err) < 0) {
        snprintf(why, whycap, "%s", err.msg);
        return -1;
    }
    xml = to_xml(path, NULL, &rc, &err);
    if (rc != 0) {
        snprintf(why, whycap, "to-xml: %d %s", rc, err.msg);
        free(in);
        free(xml);
        return -1;
    }
    edi_buf_init(&back, 0);
    edi_err_clear(&err);
    rc = edi_xml_to_x12_mem(&back, xml, strlen(xml), &err);
    if (rc != 0) {
        snprintf(why, whycap, "from-xml: %d %s", rc, err.msg);
        same = 0;
    } else {
        size_t a = strip_newlines(in, n), b;

        edi_buf_cstr(&back);
        b = strip_newlines(back.p, back.n);
        same = a == b && memcmp(in, back.p, a) == 0;
        if (!same) {
            size_t i = 0;

            while (i < a && i < b && in[i] == back.p[i])
                i++;
            snprintf(why, whycap, "differs at byte %zu: '%.40s' came back as '%.40s'", i, in + i,
                     back.p + i);
        }
    }
    edi_buf_dispose(&back);
    free(in);
    if (xml_out)
        *xml_out = xml;
    else
        free(xml);
    return same ? 0 : -1;
}

/* Writes text to a temporary file; returns its path (static buffer). */
static const char *temp_x12(const char *text, size_t n)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/wharf-test-exml-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* ---- round trips --------------------------------------------------------------------------- */

static int round_trip_dir(const char *rel, const char *const *skip)
{
    char dir[1024];
    DIR *d;
    struct dirent *e;
    int bad = 0, n = 0;

    snprintf(dir, sizeof(dir), "%s/%s", WHARF_TESTDATA, rel);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name), k;
        char path[1536], why[200];
        int skipped = 0;

        if (len < 5 || strcmp(e->d_name + len - 4, ".edi") != 0)
            continue;
        for (k = 0; skip && skip[k]; k++)
            skipped |= strcmp(skip[k], e->d_name) == 0;
        if (skipped)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        n++;
        if (round_trip(path, NULL, why, sizeof(why)) != 0) {
            print_message("# %s/%s: %s\n", rel, e->d_name, why);
            bad++;
        }
    }
    closedir(d);
    assert_true(n > 0);
    return bad;
}

static void test_golden_round_trip(void **state)
{
    assert_int_equal(round_trip_dir("golden/x12", NULL), 0);
}

/* The bad samples too, but for those that lose bytes on purpose (a
 * segment cut off, nothing, not X12). */
static void test_bad_round_trip(void **state)
{
    static const char *skip[] = {"truncated.edi", "empty.edi", NULL};

    assert_int_equal(round_trip_dir("golden/x12/bad", skip), 0);
}

/* Composites (with an empty component), repetitions, a stray segment
 * between GS and ST, and other delimiters. */
static void test_round_trip_shapes(void **state)
{
    static const char *texts[] = {
        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *240318*1550*^*00501*"
        "000001203*0*P*>~GS*SH*ACMEVENDOR*AMAZON*20240318*1550*1203*X*005010~ST*856*0001~"
        "BSN*00*ASN1*20240318*1545~HL*1**S*1~REF*BM*A^B^C~REF*CR*X**ZZ>>AB>2~REF*CR*Y**ZZ>1^YY>2~"
        "CTT*1~SE*7*0001~GE*1*1203~IEA*1*000001203~",
        "ISA|00|          |00|          |ZZ|ACMEVENDOR     |ZZ|AMAZON         |240318|1550|U|00401|"
        "000001203|0|P|:'GS|PO|AMAZON|ACMEVENDOR|20240315|0712|4721|X|004010'REF|CR|STRAY'"
        "ST|850|0001'BEG|00|NE|4Z32PABC||20240315'REF|CR|X||ZZ:1'PO1|1|24|EA|12.50|PE|UP|012345678905'"
        "CTT|1'SE|6|0001'GE|1|4721'IEA|1|000001203'",
        /* composites whose first components are empty */
        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *240318*1550*U*00401*"
        "000001203*0*P*>~GS*XX*A*B*20240315*0712*1*X*004010~ST*812*0001~REF*CR*X**>1~REF*CR*X**>>3~"
        "SE*4*0001~GE*1*1~IEA*1*000001203~",
        /* a set with no guide (flat) */
        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *240318*1550*U*00401*"
        "000001203*0*P*>~GS*XX*A*B*20240315*0712*1*X*004010~ST*812*0001~BCD*20240315*1~SE*3*0001~"
        "GE*1*1~IEA*1*000001203~",
    };
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *path = temp_x12(texts[i], strlen(texts[i]));
        char why[200];
        int rc = round_trip(path, NULL, why, sizeof(why));

        unlink(path);
        if (rc != 0) {
            print_message("# shape %zu: %s\n", i, why);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- what the XML looks like ----------------------------------------------------------------- */

static void test_loops_and_attributes(void **state)
{
    char path[1024], why[200], *xml = NULL;

    snprintf(path, sizeof(path), "%s/golden/x12/amazon-rp-850.edi", WHARF_TESTDATA);
    assert_int_equal(round_trip(path, &xml, why, sizeof(why)), 0);
    assert_non_null(strstr(xml, "<x12>"));
    assert_non_null(strstr(xml, "<interchange element=\"*\" component=\"&gt;\" segment=\"~\""));
    assert_non_null(strstr(xml, "<transaction set=\"850\" control=\"0001\" guide=\"x12/004010/850\">"));
    assert_non_null(strstr(xml, "<loop id=\"PO1\">"));
    assert_non_null(strstr(xml, "<loop id=\"N1\">"));
    assert_non_null(strstr(xml, "<BEG03>4Z32PABC</BEG03>"));
    assert_null(strstr(xml, "<BEG04>"));   /* empty elements are left out */
    assert_non_null(strstr(xml, "<ISA06>AMAZON         </ISA06>"));
    free(xml);

    snprintf(path, sizeof(path), "%s/golden/x12/amazon-rp-856.edi", WHARF_TESTDATA);
    assert_int_equal(round_trip(path, &xml, why, sizeof(why)), 0);
    assert_non_null(strstr(xml, "<loop id=\"HL\">"));
    free(xml);
}

/* With a partner guide named, its loops; a guide for another set: flat. */
static void test_guide_named(void **state)
{
    char path[1024], *xml;
    struct edi_err err;
    int rc;

    snprintf(path, sizeof(path), "%s/golden/x12/amazon-rp-850.edi", WHARF_TESTDATA);
    xml = to_xml(path, "partners/amazon-rp/850", &rc, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(xml, "guide=\"partners/amazon-rp/850\""));
    assert_non_null(strstr(xml, "<loop id=\"PO1\">"));
    free(xml);

    xml = to_xml(path, "x12/004010/856", &rc, &err);
    assert_int_equal(rc, 0);
    assert_null(strstr(xml, "<loop"));
    assert_non_null(strstr(xml, "<PO1>"));
    free(xml);

    xml = to_xml(path, "x12/004010/nope", &rc, &err);
    free(xml);
    assert_true(rc < 0);

    xml = to_xml("/nonexistent/file.edi", NULL, &rc, &err);
    free(xml);
    assert_int_equal(rc, EDI_EIO);
    assert_true(err.msg[0] != '\0');
}

/* A control character and a byte no character set reads (a C1 control) go
 * out as hex=; a value that is not UTF-8 is read as ISO-8859-1 and written
 * decoded with charset=; a surrogate (not a character) goes out as hex=; all
 * come back as they were. */
static void test_hex_values(void **state)
{
    static const char text[] =
        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *240318*1550*U*00401*"
        "000001203*0*P*>~GS*PO*A*B*20240315*0712*1*X*004010~ST*850*0001~BEG*00*NE*4Z32\x01" "ABC**20240315~"
        "REF*CR*caf\xe9~REF*CR*caf\xc3\xa9~REF*CR*caf\x85~REF*CR*\xed\xa0\x80~PO1*1*24*EA*12.50*PE*UP*012345678905~CTT*1~SE*8*0001~GE*1*1~"
        "IEA*1*000001203~";
    const char *path = temp_x12(text, sizeof(text) - 1);
    char why[200], *xml = NULL;
    int rc = round_trip(path, &xml, why, sizeof(why));

    unlink(path);
    if (rc != 0) {
        free(xml);
        fail_msg("%s", why);
    }
    assert_non_null(strstr(xml, "<BEG03 hex=\"345a333201414243\"/>"));
    assert_non_null(strstr(xml, "<REF02 charset=\"iso-8859-1\">caf\xc3\xa9</REF02>"));
    assert_non_null(strstr(xml, "<REF02 hex=\"63616685\"/>"));
    assert_non_null(strstr(xml, "<REF02>caf\xc3\xa9</REF02>"));   /* UTF-8 stays text */
    /* a UTF-16 surrogate encoded as UTF-8 is not a character XML may hold */
    assert_non_null(strstr(xml, "<REF02 hex=\"eda080\"/>"));
    free(xml);
}

/* Hand-written XML: what from-xml makes of it. */
static void test_from_xml_written(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<x12><interchange element=\"|\" component=\":\" repetition=\"!\" segment=\"'\">"
        "<REF><REF01>BM</REF01><REF02>A</REF02><REF02>B</REF02><REF04><REF04-01>ZZ</REF04-01>"
        "<REF04-03>AB</REF04-03></REF04></REF>"
        "<N1><N101>ST</N101><N103>92</N103><N104 hex=\"41420a43\"/></N1>"
        "<segment><id>zz</id><element>1</element><element></element><element>3</element></segment>"
        "</interchange></x12>";
    struct edi_buf out;
    struct edi_err err;

    edi_buf_init(&out, 0);
    edi_err_clear(&err);
    assert_int_equal(edi_xml_to_x12_mem(&out, xml, sizeof(xml) - 1, &err), 0);
    assert_string_equal(edi_buf_cstr(&out), "REF|BM|A!B||ZZ::AB'\nN1|ST||92|AB\nC'\nzz|1||3'\n");
    edi_buf_dispose(&out);
}

/* ---- broken input -------------------------------------------------------------------------------- */

struct bad {
    const char *name, *xml, *msg;   /* msg: a piece of the error message */
};

static void test_from_xml_errors(void **state)
{
    static const struct bad cases[] = {
        {"empty", "", ""},
        {"not XML", "ISA*00*~", "not well-formed"},
        {"binary", "\x01\x02\xff\xfe", "not well-formed"},
        {"unclosed", "<x12><interchange><REF><REF01>CR</REF01>", "not well-formed"},
        {"mismatched tags", "<x12><interchange></x12></interchange>", "not well-formed"},
        {"wrong root", "<edi><interchange/></edi>", "<x12>"},
        {"element of another segment", "<x12><interchange><REF><N101>ST</N101></REF></interchange></x12>",
         "<N101> is not an element of segment REF"},
        {"element without a position", "<x12><interchange><REF><REF>1</REF></REF></interchange></x12>",
         "not an element"},
        {"element name with junk", "<x12><interchange><REF><REF01x>1</REF01x></REF></interchange></x12>",
         "not an element"},
        {"position too large", "<x12><interchange><REF><REF1000>1</REF1000></REF></interchange></x12>",
         "not an element"},
        {"component as an element", "<x12><interchange><REF><REF04-01>1</REF04-01></REF></interchange></x12>",
         "not an element"},
        {"elements out of order",
         "<x12><interchange><REF><REF02>A</REF02><REF01>BM</REF01></REF></interchange></x12>",
         "comes after"},
        {"component of another element",
         "<x12><interchange><REF><REF04><REF03-01>A</REF03-01></REF04></REF></interchange></x12>",
         "is not a component"},
        {"components out of order",
         "<x12><interchange><REF><REF04><REF04-02>A</REF04-02><REF04-01>B</REF04-01></REF04></REF>"
         "</interchange></x12>", "is not a component"},
        {"component 0", "<x12><interchange><REF><REF04><REF04-00>A</REF04-00></REF04></REF></interchange></x12>",
         "is not a component"},
        {"bad hex", "<x12><interchange><REF><REF01 hex=\"zz\"/></REF></interchange></x12>", "hex"},
    };
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_buf out;
        struct edi_err err;
        int rc;

        edi_buf_init(&out, 0);
        edi_err_clear(&err);
        rc = edi_xml_to_x12_mem(&out, cases[i].xml, strlen(cases[i].xml), &err);
        if (rc != EDI_ESYNTAX || err.msg[0] == '\0' || strstr(err.msg, cases[i].msg) == NULL) {
            print_message("# %s: rc %d, '%s' (want a syntax error saying '%s')\n", cases[i].name, rc,
                          err.msg, cases[i].msg);
            bad++;
        }
        edi_buf_dispose(&out);
    }
    assert_int_equal(bad, 0);
}

/* A value holding a delimiter of its interchange cannot be written as X12
 * (there is no escape): it must be refused, not turned into extra
 * elements or segments. */
static void test_from_xml_delimiter_in_value(void **state)
{
    static const struct bad cases[] = {
        {"element separator", "<x12><interchange><REF><REF01>CR</REF01><REF02>A*B</REF02></REF>"
                              "</interchange></x12>", ""},
        {"segment terminator", "<x12><interchange><REF><REF01>CR</REF01><REF02>A~IEA*1*1</REF02></REF>"
                               "</interchange></x12>", ""},
        {"component separator", "<x12><interchange><REF><REF01>CR</REF01><REF02>A&gt;B</REF02></REF>"
                                "</interchange></x12>", ""},
        {"repetition separator", "<x12><interchange><REF><REF01>CR</REF01><REF02>A^B</REF02></REF>"
                                 "</interchange></x12>", ""},
        {"terminator in hex", "<x12><interchange><REF><REF01>CR</REF01><REF02 hex=\"417e42\"/></REF>"
                              "</interchange></x12>", ""},
        {"other delimiters", "<x12><interchange element=\"|\" segment=\"'\"><REF><REF01>CR</REF01>"
                             "<REF02>it's</REF02></REF></interchange></x12>", ""},
    };
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_buf out;
        struct edi_err err;
        int rc;

        edi_buf_init(&out, 0);
        edi_err_clear(&err);
        rc = edi_xml_to_x12_mem(&out, cases[i].xml, strlen(cases[i].xml), &err);
        if (rc != EDI_ESYNTAX || err.msg[0] == '\0') {
            print_message("# %s: rc %d, wrote '%s' (want a syntax error)\n", cases[i].name, rc,
                          edi_buf_cstr(&out));
            bad++;
        }
        edi_buf_dispose(&out);
    }
    assert_int_equal(bad, 0);
}

/* Many components and repetitions in one element come back whole. */
static void test_round_trip_many_parts(void **state)
{
    struct edi_buf t;
    const char *path;
    char why[200];
    int i, rc;

    edi_buf_init(&t, 0);
    edi_buf_puts(&t, "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *240318*1550*^*"
                     "00501*000001203*0*P*>~GS*XX*A*B*20240315*0712*1*X*005010~ST*812*0001~REF*CR*");
    for (i = 0; i < 70; i++)
        edi_buf_printf(&t, "%sc%d", i ? ">" : "", i);
    edi_buf_puts(&t, "~REF*BM*");
    for (i = 0; i < 70; i++)
        edi_buf_printf(&t, "%sr%d", i ? "^" : "", i);
    edi_buf_puts(&t, "~SE*4*0001~GE*1*1~IEA*1*000001203~");
    path = temp_x12(t.p, t.n);
    edi_buf_dispose(&t);
    rc = round_trip(path, NULL, why, sizeof(why));
    unlink(path);
    if (rc != 0)
        fail_msg("%s", why);
}

/* An external entity is not fetched (no file contents in the output). */
static void test_from_xml_no_external_entities(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE x12 [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
        "<x12><interchange><REF><REF01>&e;</REF01><REF02>X</REF02></REF></interchange></x12>";
    struct edi_buf out;
    struct edi_err err;
    int rc;

    edi_buf_init(&out, 0);
    edi_err_clear(&err);
    rc = edi_xml_to_x12_mem(&out, xml, sizeof(xml) - 1, &err);
    if (rc == 0)
        assert_null(strstr(edi_buf_cstr(&out), "root:"));
    edi_buf_dispose(&out);
}

/* A from-xml file that does not exist. */
static void test_from_xml_file_missing(void **state)
{
    struct edi_buf out;
    struct edi_err err;

    edi_buf_init(&out, 0);
    edi_err_clear(&err);
    assert_true(edi_xml_to_x12(&out, "/nonexistent/file.xml", &err) < 0);
    assert_true(err.msg[0] != '\0');
    edi_buf_dispose(&out);
}


/* ---- per-set trees against the text writer and parser ------------------------------ */


/* The documents made from the sets' copies once the whole stream is read
 * (so nothing of the parser's is left to lean on) are the trees a made
 * during the parse: 0, or -1 with why. */
static int copies_same(const char *data, size_t n, enum edi_text_in mode, const struct xs_docs *a,
                       char *why, size_t cap)
{
    struct xs_copies k = {0};
    struct edi_err err;
    size_t i;
    int bad = 0;

    edi_err_clear(&err);
    edi_x12_tx_copies(data, n, mode, xs_keep_copy, &k, &err);
    if (k.n < a->n) {
        snprintf(why, cap, "%zu copies for %zu documents", k.n, a->n);
        bad = 1;
    }
    for (i = 0; i < a->n && i < k.n && !bad; i++) {
        xmlDocPtr d = NULL;
        char w[300];

        edi_err_clear(&err);
        if (edi_tx_copy_doc(&d, k.c[i], G, NULL, mode, &err) < 0 || d == NULL) {
            snprintf(why, cap, "set %zu: its copy made no document: %.200s", i + 1, err.msg);
            bad = 1;
        } else if (xml_docs_same(a->d[i], d, w, sizeof(w)) < 0) {
            snprintf(why, cap, "set %zu, from its copy: %.200s", i + 1, w);
            bad = 1;
        }
        xmlFreeDoc(d);
    }
    for (i = 0; i < k.n; i++)
        edi_tx_copy_free(k.c[i]);
    return bad ? -1 : 0;
}

/* The trees of data[0..n) and the reference documents are the same (in each
 * text mode), and so are the documents made later from the sets' copies;
 * 0, or -1 with why. first (optional) gets the first tree. */
static int trees_same(const char *data, size_t n, char *why, size_t cap, xmlDocPtr *first)
{
    static const enum edi_text_in modes[] = {EDI_TEXT_UTF8_LATIN1, EDI_TEXT_UTF8, EDI_TEXT_LATIN1};
    size_t m, i;
    int bad = 0;

    if (first)
        *first = NULL;
    for (m = 0; m < 3 && !bad; m++) {
        struct xs_docs a = {0}, b = {0};
        struct edi_err ea, eb;
        int ra, rb;

        edi_err_clear(&ea);
        edi_err_clear(&eb);
        ra = edi_x12_to_xml_docs(data, n, G, NULL, modes[m], xs_keep, &a, &ea);
        rb = edi_x12_to_xml_docs_text(data, n, G, NULL, modes[m], xs_keep, &b, &eb);
        if (ra != rb || a.n != b.n || strcmp(ea.msg, eb.msg) != 0) {
            snprintf(why, cap, "mode %zu: rc %d/%d, %zu/%zu sets, '%s'/'%s'", m, ra, rb, a.n, b.n,
                     ea.msg, eb.msg);
            bad = 1;
        }
        for (i = 0; i < a.n && i < b.n && !bad; i++) {
            char w[300];

            if (xml_docs_same(a.d[i], b.d[i], w, sizeof(w)) < 0) {
                snprintf(why, cap, "mode %zu, set %zu: %s", m, i + 1, w);
                bad = 1;
            }
        }
        if (!bad) {
            char w[300];

            if (copies_same(data, n, modes[m], &a, w, sizeof(w)) < 0) {
                snprintf(why, cap, "mode %zu: %.250s", m, w);
                bad = 1;
            }
        }
        if (m == 0 && first && a.n) {
            *first = a.d[0];
            a.d[0] = xmlNewDoc(BAD_CAST "1.0");
        }
        xs_free(&a);
        xs_free(&b);
    }
    return bad ? -1 : 0;
}

/* Every .edi file of tests/<rel> (or of the repository's <rel> when it
 * starts with "../"); returns how many differ, *count how many were read. */
static int trees_dir(const char *rel, int *count)
{
    char dir[1024];
    DIR *d;
    struct dirent *e;
    int bad = 0;

    snprintf(dir, sizeof(dir), "%s/%s", WHARF_TESTDATA, rel);
    if ((d = opendir(dir)) == NULL)
        fail_msg("cannot open %s", dir);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name), n;
        char path[1536], why[400], *data;
        struct edi_err err;

        if (len < 5 || strcmp(e->d_name + len - 4, ".edi") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        edi_err_clear(&err);
        assert_int_equal(edi_read_file(&data, &n, path, &err), 0);
        (*count)++;
        if (trees_same(data, n, why, sizeof(why), NULL) < 0) {
            print_message("# %s/%s: %s\n", rel, e->d_name, why);
            bad++;
        }
        free(data);
    }
    closedir(d);
    return bad;
}

/* The golden samples (good and bad), every map test's X12 input and the
 * integration expectations: trees and parsed text are the same documents. */
static void test_trees_as_parsed(void **state)
{
    static const char *dirs[] = {
        "golden/x12", "golden/x12/bad", "integration/ship/expected", "integration/invoice/expected",
        "../mappings/amazon-rp/850-to-order.tests", "../mappings/amazon-df/850-to-order.tests",
        "../mappings/amazon-rp/order-ack-to-855.tests", "../mappings/amazon-df/order-ack-to-855.tests",
        "../mappings/amazon-rp/shipment-to-856.tests", "../mappings/amazon-rp/shipment-to-856-5010.tests",
        "../mappings/amazon-df/shipment-to-856.tests", "../mappings/amazon-rp/invoice-to-810.tests",
        "../mappings/amazon-df/invoice-to-810.tests",
    };
    size_t i;
    int bad = 0, count = 0;

    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        bad += trees_dir(dirs[i], &count);
    assert_true(count >= 60);
    assert_int_equal(bad, 0);
}

/* The 850 sample with its delimiters replaced (element, component,
 * segment) and, when extra is given, N1*ST* followed by that value. The
 * caller frees it; *n its length. */
static char *variant(const char *e, const char *c, const char *sg, const char *extra, size_t *n)
{
    size_t len, i;
    char *in = tu_read("golden/x12/amazon-rp-850.edi", &len);
    struct edi_buf b;
    char ie = in[3], ic = in[104], is = in[105];

    edi_buf_init(&b, 0);
    for (i = 0; i < len; i++) {
        if (in[i] == ie) {
            edi_buf_puts(&b, e);
            if (extra && i >= 5 && memcmp(in + i - 2, "N1", 2) == 0 && i + 3 < len &&
                memcmp(in + i + 1, "ST", 2) == 0 && in[i + 3] == ie) {
                edi_buf_puts(&b, "ST");
                edi_buf_puts(&b, e);
                edi_buf_puts(&b, extra);
                i += 2;
            }
        } else if (in[i] == ic) {
            edi_buf_puts(&b, c);
        } else if (in[i] == is) {
            edi_buf_puts(&b, sg);
        } else {
            edi_buf_putc(&b, in[i]);
        }
    }
    free(in);
    *n = b.n;
    return b.p;
}

/* Odd delimiters, Latin-1 and UTF-8 names, characters XML escapes or
 * cannot carry: the same documents both ways, and what XML cannot carry
 * travels as hex (the parsed text lost the rest of the set there). */
static void test_trees_odd_values(void **state)
{
    static const struct {
        const char *e, *c, *s, *extra, *expect;
    } cases[] = {
        {"\x1d", "\x1f", "\x1c", NULL, "element-hex=\"1d\" component-hex=\"1f\" segment-hex=\"1c\""},
        {"\x07", ">", "~", NULL, "element-hex=\"07\" component=\"&gt;\" segment=\"~\""},
        {"\xa7", ">", "~", NULL, "element-hex=\"a7\""},
        {"*", ">", "\n", NULL, "segment=\"&#10;\""},
        {"\"", "<", "&", NULL, "element=\"&quot;\" component=\"&lt;\" segment=\"&amp;\""},
        {"*", ">", "~", "M\xfcller Stra\xdf" "e", "<N102 charset=\"iso-8859-1\">M\xc3\xbcller Stra\xc3\x9f" "e</N102>"},
        {"*", ">", "~", "M\xc3\xbcller", "<N102>M\xc3\xbcller</N102>"},
        {"*", ">", "~", "X\xef\xbf\xbeY", "<N102 hex=\"58efbfbe59\"/>"},
        {"*", ">", "~", "X\xef\xbf\xbf", "<N102 hex=\"58efbfbf\"/>"},
        {"*", ">", "~", "X\xc2\x85Y", "<N102>X\xc2\x85Y</N102>"},
        {"*", ">", "~", "X\x85Y", "<N102 hex=\"588559\"/>"},
        {"*", ">", "~", "X\x01Y", "<N102 hex=\"580159\"/>"},
        {"*", ":", "~", "A&B<C>\"'D", "<N102>A&amp;B&lt;C&gt;\"'D</N102>"},
        {"*", ">", "~", "A\tB", "<N102 hex=\"410942\"/>"},
    };
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        char *data = variant(cases[i].e, cases[i].c, cases[i].s, cases[i].extra, &n);
        char why[400];
        xmlDocPtr first = NULL;
        xmlChar *text = NULL;
        int len = 0;

        if (trees_same(data, n, why, sizeof(why), &first) < 0) {
            print_message("# case %zu: %s\n", i, why);
            bad++;
        }
        assert_non_null(first);
        xmlDocDumpMemory(first, &text, &len);
        /* the whole 850 is there: the tree was not cut at the odd byte */
        if (strstr((const char *)text, cases[i].expect) == NULL || strstr((const char *)text, "<CTT>") == NULL) {
            print_message("# case %zu: no %s in\n%s\n", i, cases[i].expect, (const char *)text);
            bad++;
        }
        xmlFree(text);
        xmlFreeDoc(first);
        /* and to-xml | from-xml gives back the same segments */
        {
            const char *path = temp_x12(data, n);
            int rc = round_trip(path, NULL, why, sizeof(why));

            unlink(path);
            if (rc != 0) {
                print_message("# case %zu round trip: %s\n", i, why);
                bad++;
            }
        }
        free(data);
    }
    /* read as Latin-1 (inbound-charset="iso-8859-1"), EF BF BE are letters */
    {
        size_t n;
        char *data = variant("*", ">", "~", "X\xef\xbf\xbeY", &n);
        struct xs_docs k = {0};
        struct edi_err err;
        xmlChar *text = NULL;
        int len = 0;

        edi_err_clear(&err);
        assert_int_equal(edi_x12_to_xml_docs(data, n, G, NULL, EDI_TEXT_LATIN1, xs_keep, &k, &err), 0);
        assert_int_equal(k.n, 1);
        xmlDocDumpMemory(k.d[0], &text, &len);
        assert_non_null(strstr((const char *)text, "<N102 charset=\"iso-8859-1\">X\xc3\xaf\xc2\xbf\xc2\xbeY</N102>"));
        xmlFree(text);
        xs_free(&k);
        free(data);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_round_trip),
        cmocka_unit_test(test_bad_round_trip),
        cmocka_unit_test(test_round_trip_shapes),
        cmocka_unit_test(test_loops_and_attributes),
        cmocka_unit_test(test_guide_named),
        cmocka_unit_test(test_hex_values),
        cmocka_unit_test(test_from_xml_written),
        cmocka_unit_test(test_from_xml_errors),
        cmocka_unit_test(test_from_xml_delimiter_in_value),
        cmocka_unit_test(test_round_trip_many_parts),
        cmocka_unit_test(test_from_xml_no_external_entities),
        cmocka_unit_test(test_from_xml_file_missing),
        cmocka_unit_test(test_trees_as_parsed),
        cmocka_unit_test(test_trees_odd_values),
    };

    return cmocka_run_group_tests_name("exml", tests, tu_guides_setup, tu_guides_teardown);
}
