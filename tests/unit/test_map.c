/*
 * test_map.c — the map engine's own pieces: exact decimals, JSON ⇄ XML,
 * code lists (direction, partner override), the extension functions through
 * a real stylesheet, the security policy, and error reporting with file
 * and line.
 */
#include "testutil.h"
#include "mappings/map.h"

#include <libxml/parser.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- decimals --------------------------------------------------------------- */

static void test_decimal_ops(void **state)
{
    static const struct {
        const char *a;
        char op;
        const char *b, *want;
    } cases[] = {
        {"12.50", '+', "1.25", "13.75"},
        {"0.1", '+', "0.2", "0.3"},
        {"10.00", '*', "3", "30.00"},
        {"12.5", '*', "24", "300.0"},
        {"-3", '-', "4.5", "-7.5"},
        {"1", '-', "1.00", "0.00"},
        {"99999999999999999999.99", '+', "0.01", "100000000000000000000.00"},
        {"0.001", '*', "0.001", "0.000001"},
        {"+7", '+', "0", "7"},
        {" 2.5 ", '*', "2", "5.0"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[128];

        assert_int_equal(map_dec_op(out, sizeof(out), cases[i].a, cases[i].op, cases[i].b), 0);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("%s %c %s = %s, want %s", cases[i].a, cases[i].op, cases[i].b, out,
                     cases[i].want);
    }
}

/* wharf:dec's string path against the big-number path it replaces: the
 * same text and the same errors for every input */
static void test_decimal_norm(void **state)
{
    static const char *in[] = {
        "0", "00", "007", "7.", ".5", "0.50", "-0", "-0.00", "+0.10", "-12.340", "  42 ", "\t-1\n",
        "12.50", "100", "1000000000000000000000000000000.000000001", "-.5", "+.", ".", "", " ", "-",
        "1.2.3", "1e5", "12,50", "1 2", "0x10", "--1", "+-1", "5 .", "abc", "9.99 x",
        /* 61 digits after the point (over the limit), and 60 (at it) */
        "0.1234567890123456789012345678901234567890123456789012345678901",
        "0.123456789012345678901234567890123456789012345678901234567890",
    };
    char big[260];
    size_t i;

    (void)state;
    for (i = 0; i <= sizeof(in) / sizeof(in[0]); i++) {
        const char *a = in[i < sizeof(in) / sizeof(in[0]) ? i : 0];
        char want[512], got[512];
        int rw, rg;

        if (i == sizeof(in) / sizeof(in[0])) {
            /* 201 digits: over MAX_DIGITS */
            memset(big, '1', 201);
            big[201] = '\0';
            a = big;
        }
        rw = map_dec_op(want, sizeof(want), a, '+', "0");
        rg = map_dec_norm(got, sizeof(got), a);
        if (rw != rg || (rw == 0 && strcmp(want, got) != 0))
            fail_msg("dec('%s'): norm gives %d '%s', the sum %d '%s'", a, rg, rg == 0 ? got : "", rw,
                     rw == 0 ? want : "");
    }
    assert_int_equal(map_dec_norm(big, 4, "12345"), EDI_ELIMIT);
}

static void test_decimal_errors(void **state)
{
    static const char *bad[] = {"", "abc", "1.2.3", "1e5", "--1", "12,50", "1 2", ".", "0x10"};
    size_t i;
    char out[64];
    int rc;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (map_dec_op(out, sizeof(out), bad[i], '+', "1") != EDI_ESYNTAX)
            fail_msg("'%s' was taken as a decimal", bad[i]);
        map_dec_cmp(bad[i], "1", &rc);
        assert_int_equal(rc, EDI_ESYNTAX);
    }
    /* a result that does not fit the caller's buffer */
    assert_int_equal(map_dec_op(out, 4, "12345", '+', "1"), EDI_ELIMIT);
}

static void test_decimal_round_and_cmp(void **state)
{
    static const struct {
        const char *a;
        int places;
        const char *mode, *want;
    } cases[] = {
        {"2.345", 2, NULL, "2.35"},      {"2.345", 2, "half-even", "2.34"},
        {"2.355", 2, "half-even", "2.36"}, {"-2.5", 0, NULL, "-3"},
        {"-2.5", 0, "half-even", "-2"},  {"1.005", 2, NULL, "1.01"},
        {"7", 2, NULL, "7.00"},          {"0.004", 2, NULL, "0.00"},
        {"-0.004", 2, NULL, "0.00"},     {"9.995", 2, NULL, "10.00"},
    };
    size_t i;
    int rc;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[64];

        assert_int_equal(map_dec_round(out, sizeof(out), cases[i].a, cases[i].places, cases[i].mode), 0);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("round(%s, %d, %s) = %s, want %s", cases[i].a, cases[i].places,
                     cases[i].mode ? cases[i].mode : "half-up", out, cases[i].want);
    }
    assert_int_equal(map_dec_cmp("1.10", "1.1", &rc), 0);
    assert_int_equal(map_dec_cmp("-1", "0.5", &rc), -1);
    assert_int_equal(map_dec_cmp("10", "9.999", &rc), 1);
    assert_int_equal(rc, 0);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void test_json_round_trip(void **state)
{
    static const char *docs[] = {
        "{\"a\": 1, \"b\": [1.5, 0.1, \"x\", true, false, null], \"c\": {\"d\": 12345678901234}}",
        "[]",
        "\"just a string\"",
        "{\"amount\": \"10.00\", \"weird key \\u00e9\": -0.25, \"nested\": [[[]]]}",
    };
    size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        xmlDocPtr x, y;
        struct edi_buf a, b;
        struct edi_err err;
        xmlChar *mem;
        int len;

        assert_int_equal(map_json_to_xml(&x, docs[i], strlen(docs[i]), &err), 0);
        edi_buf_init(&a, 0);
        edi_buf_init(&b, 0);
        assert_int_equal(map_xml_to_json(&a, x, 0, &err), 0);
        /* the text we wrote reads back to the same XML */
        assert_int_equal(map_json_to_xml(&y, a.p, a.n, &err), 0);
        assert_int_equal(map_xml_to_json(&b, y, 0, &err), 0);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.p, b.p, a.n);
        xmlDocDumpMemory(x, &mem, &len);
        assert_non_null(strstr((const char *)mem, "http://www.w3.org/2005/xpath-functions"));
        xmlFree(mem);
        edi_buf_dispose(&a);
        edi_buf_dispose(&b);
        xmlFreeDoc(x);
        xmlFreeDoc(y);
    }
}

static void test_json_numbers_exact(void **state)
{
    static const char in[] = "[0.1, 12.50, 1e2, 9007199254740993, -0, 3.14159]";
    xmlDocPtr x;
    struct edi_buf out;
    struct edi_err err;

    assert_int_equal(map_json_to_xml(&x, in, sizeof(in) - 1, &err), 0);
    edi_buf_init(&out, 0);
    assert_int_equal(map_xml_to_json(&out, x, 0, &err), 0);
    edi_buf_cstr(&out);
    /* integers stay exact (beyond 2^53 too); decimals keep their value */
    assert_non_null(strstr(out.p, "9007199254740993"));
    assert_non_null(strstr(out.p, "0.1,"));
    assert_non_null(strstr(out.p, "12.5,"));
    assert_non_null(strstr(out.p, "3.14159"));
    edi_buf_dispose(&out);
    xmlFreeDoc(x);
}

static void test_json_errors(void **state)
{
    static const char *bad[] = {"{", "{\"a\": 1, \"a\": 2}", "[1,]", "nul", ""};
    static const char *badxml[] = {
        "<map xmlns='http://www.w3.org/2005/xpath-functions'><string>no key</string></map>",
        "<map xmlns='http://www.w3.org/2005/xpath-functions'><number key='n'>12abc</number></map>",
        "<map xmlns='http://www.w3.org/2005/xpath-functions'><boolean key='b'>yes</boolean></map>",
        "<map xmlns='http://www.w3.org/2005/xpath-functions'><string key='a'/><string key='a'/></map>",
        "<other/>",
    };
    size_t i;
    struct edi_err err;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xmlDocPtr x = NULL;

        if (map_json_to_xml(&x, bad[i], strlen(bad[i]), &err) != EDI_ESYNTAX)
            fail_msg("'%s' was accepted as JSON", bad[i]);
        assert_null(x);
    }
    for (i = 0; i < sizeof(badxml) / sizeof(badxml[0]); i++) {
        xmlDocPtr x = xmlReadMemory(badxml[i], (int)strlen(badxml[i]), "t.xml", NULL, 0);
        struct edi_buf out;

        edi_buf_init(&out, 0);
        if (map_xml_to_json(&out, x, 0, &err) != EDI_ESYNTAX)
            fail_msg("'%s' was written as JSON", badxml[i]);
        edi_buf_dispose(&out);
        xmlFreeDoc(x);
    }
}

/* ---- engine, with a mappings folder of its own ------------------------------------- */

static char dir[] = "/tmp/wharf-test-map-XXXXXX";

static int setup(void **state)
{
    char path[512];

    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/codelists", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/partners", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/partners/acme", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/partners/acme/codelists", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/t", dir);
    mkdir(path, 0755);
    tu_put(dir, "registry.xml",
        "<registry>"
        "<map name='t/in' file='t/fns.xsl' in='xml' out='xml' direction='in'/>"
        "<map name='t/out' file='t/fns.xsl' in='xml' out='xml' direction='out'/>"
        "<map name='t/evil' file='t/evil.xsl' in='xml' out='xml'/>"
        "<map name='t/stop' file='t/stop.xsl' in='xml' out='xml'/>"
        "<map name='t/broken' file='t/broken.xsl' in='xml' out='xml'/>"
        "<map name='t/wide' file='t/wide.xsl' in='xml' out='xml'/>"
        "<map name='t/pairs' file='t/pairs.xsl' in='xml' out='xml'/>"
        "</registry>");
    tu_put(dir, "codelists/uom.xml",
        "<codelist name='uom'><entry from='EA' to='each'/><entry from='CS' to='case' direction='in'/>"
        "<entry from='CA' to='case'/></codelist>");
    tu_put(dir, "partners/acme/codelists/uom.xml", "<codelist name='uom'><entry from='EA' to='piece'/></codelist>");
    tu_put(dir, "t/fns.xsl",
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform' "
        "xmlns:wharf='urn:wharf:map'><xsl:template match='/'><r>"
        "<a><xsl:value-of select=\"wharf:lookup('uom', /in/code)\"/></a>"
        "<b><xsl:value-of select=\"wharf:lookup('uom', 'ZZ', 'dflt')\"/></b>"
        "<c><xsl:value-of select=\"wharf:param('p', 'none')\"/></c>"
        "<d><xsl:value-of select=\"wharf:counter('n')\"/>,<xsl:value-of select=\"wharf:counter('n')\"/></d>"
        "<e><xsl:value-of select=\"wharf:format-date('20240229', 'CCYYMMDD', 'YYYY-MM-DD')\"/></e>"
        "<f><xsl:value-of select=\"wharf:sscc('0', '0614141', '1019')\"/></f>"
        "<g><xsl:value-of select=\"wharf:sum(/in/v)\"/></g>"
        "<h><xsl:value-of select=\"wharf:implied('307.64', 2)\"/>|<xsl:value-of select=\"wharf:from-implied('30764', 2)\"/></h>"
        "<i><xsl:value-of select=\"wharf:now('YYMMDD HHMI')\"/></i>"
        "</r></xsl:template></xsl:stylesheet>");
    /* wharf:pairs beside the union of paths it stands for */
    tu_put(dir, "t/pairs.xsl",
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform' "
        "xmlns:wharf='urn:wharf:map'><xsl:template match='/'><r>"
        "<xsl:for-each select='/in/PO1'><t><xsl:for-each select='wharf:pairs(., 6, 24)'>"
        "<xsl:value-of select='name()'/>,</xsl:for-each>|<xsl:for-each select='"
        "PO106[following-sibling::*[1]/self::PO107] | PO108[following-sibling::*[1]/self::PO109] | "
        "PO110[following-sibling::*[1]/self::PO111] | PO112[following-sibling::*[1]/self::PO113] | "
        "PO114[following-sibling::*[1]/self::PO115] | PO116[following-sibling::*[1]/self::PO117] | "
        "PO118[following-sibling::*[1]/self::PO119] | PO120[following-sibling::*[1]/self::PO121] | "
        "PO122[following-sibling::*[1]/self::PO123] | PO124[following-sibling::*[1]/self::PO125]'>"
        "<xsl:value-of select='name()'/>,</xsl:for-each></t></xsl:for-each>"
        "<u><xsl:value-of select='count(wharf:pairs(/in/none, 6, 24))'/>,"
        "<xsl:value-of select='count(wharf:pairs(/in/PO1[1], 7, 24))'/>,"
        "<xsl:value-of select='count(wharf:pairs(/in/PO1[1], 8, 6))'/>,"
        "<xsl:value-of select='count(wharf:pairs(/in/PO1[1]/PO101/text(), 6, 24))'/></u>"
        "</r></xsl:template></xsl:stylesheet>");
    tu_put(dir, "t/evil.xsl",
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform' "
        "xmlns:exsl='http://exslt.org/common' extension-element-prefixes='exsl'>"
        "<xsl:template match='/'><exsl:document href='/tmp/wharf-evil-written'><x/></exsl:document>"
        "<r><xsl:copy-of select=\"document('/etc/passwd')\"/></r></xsl:template></xsl:stylesheet>");
    tu_put(dir, "t/stop.xsl",
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
        "<xsl:template match='/'>\n<xsl:message terminate='yes'>PO has no lines</xsl:message>\n"
        "</xsl:template></xsl:stylesheet>");
    /* 2^40 calls: no depth limit stops it, only the step limit */
    tu_put(dir, "t/wide.xsl",
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
        "<xsl:template match='/'><r><xsl:call-template name='f'><xsl:with-param name='n' select='40'/>"
        "</xsl:call-template></r></xsl:template>\n"
        "<xsl:template name='f'><xsl:param name='n'/><xsl:if test='$n &gt; 0'>"
        "<xsl:call-template name='f'><xsl:with-param name='n' select='$n - 1'/></xsl:call-template>"
        "<xsl:call-template name='f'><xsl:with-param name='n' select='$n - 1'/></xsl:call-template>"
        "</xsl:if></xsl:template></xsl:stylesheet>");
    tu_put(dir, "t/broken.xsl",
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
        "<xsl:template match='/'>\n<xsl:value-of select='(('/>\n</xsl:template></xsl:stylesheet>");
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static xmlDocPtr input(const char *xml)
{
    return xmlReadMemory(xml, (int)strlen(xml), "in.xml", NULL, 0);
}

static char *run(const char *name, const char *partner, const char *in, int *rc,
                 struct edi_findings *f)
{
    struct map_engine *e;
    const struct map_info *m;
    struct map_run_opts o;
    struct edi_err err;
    struct map_param p = {"p", "ACME1"};
    xmlDocPtr doc = input(in), out = NULL;
    struct edi_buf b;
    char *text = NULL;

    assert_int_equal(map_engine_new(&e, dir, WHARF_SCHEMAS, &err), 0);
    assert_int_equal(map_find(&m, e, name, partner, &err), 0);
    memset(&o, 0, sizeof(o));
    o.partner = partner;
    o.params = &p;
    o.nparams = strcmp(name, "t/in") == 0;
    o.now = 1735689600;
    *rc = map_run(&out, e, m, doc, &o, f, &err);
    if (*rc == EDI_ECONFIG)
        text = edi_xstrdup(err.msg);
    if (out) {
        edi_buf_init(&b, 0);
        map_render(&b, out, 1, &err);
        text = edi_xstrdup(edi_buf_cstr(&b));
        edi_buf_dispose(&b);
        xmlFreeDoc(out);
    }
    xmlFreeDoc(doc);
    map_engine_free(e);
    return text;
}

static void test_functions(void **state)
{
    struct edi_findings f;
    int rc;
    char *out;

    edi_findings_init(&f, 10);
    out = run("t/in", NULL, "<in><code>CS</code><v>1.10</v><v>2.2</v></in>", &rc, &f);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "<a>case</a>"));
    assert_non_null(strstr(out, "<b>dflt</b>"));
    assert_non_null(strstr(out, "<c>ACME1</c>"));
    assert_non_null(strstr(out, "<d>1,2</d>"));
    assert_non_null(strstr(out, "<e>2024-02-29</e>"));
    assert_non_null(strstr(out, "<f>006141410000010196</f>"));
    assert_non_null(strstr(out, "<g>3.30</g>"));
    assert_non_null(strstr(out, "<h>30764|307.64</h>"));
    assert_non_null(strstr(out, "<i>250101 0000</i>"));
    free(out);
    /* outbound reads to -> from, skipping in-only entries */
    out = run("t/out", NULL, "<in><code>case</code></in>", &rc, &f);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "<a>CA</a>"));
    free(out);
    /* a partner's list overrides the base entry by entry */
    out = run("t/in", "acme", "<in><code>EA</code></in>", &rc, &f);
    assert_non_null(strstr(out, "<a>piece</a>"));
    free(out);
    out = run("t/in", "acme", "<in><code>CA</code></in>", &rc, &f);
    assert_non_null(strstr(out, "<a>case</a>"));
    free(out);
    edi_findings_dispose(&f);
}

/* wharf:pairs(seg, first, last): qualifiers with their value right after
 * them, as the union of paths says, on the shapes EDI-XML takes */
static void test_pairs(void **state)
{
    static const struct {
        const char *po1;        /* the children of one PO1 */
        const char *want;       /* the qualifiers wharf:pairs returns */
    } cases[] = {
        {"<PO101>1</PO101><PO106>UP</PO106><PO107>0123</PO107><PO108>VN</PO108><PO109>X</PO109>",
         "PO106,PO108,"},
        {"<PO106>UP</PO106><PO108>VN</PO108><PO109>X</PO109>", "PO108,"},          /* PO107 left out */
        {"<PO124>BP</PO124>", ""},                                                  /* no value after it */
        {"<PO120>BP</PO120><PO121>B0</PO121><PO124>BP</PO124><PO125>B1</PO125>", "PO120,PO124,"},
        {"<PO106>UP</PO106> <!-- c --> <PO107>1</PO107>", "PO106,"},              /* text, comments between */
        {"<PO107>x</PO107><PO108>y</PO108>", ""},                                  /* a value is no qualifier */
        {"<PO102>2</PO102><PO103>EA</PO103><PO104>1</PO104><PO105>PE</PO105>", ""}, /* before first */
        {"<PO1061>x</PO1061><PO107>y</PO107><PO106>UP</PO106><PO4>z</PO4><PO107>1</PO107>", ""},
        {"<PO106>UP</PO106><PO107>1</PO107><PO106>VN</PO106><PO107>2</PO107>", "PO106,PO106,"},
        {"", ""},
    };
    struct edi_buf in;
    struct edi_findings f;
    char *out, want[128];
    size_t i;
    int rc;

    (void)state;
    edi_buf_init(&in, 0);
    edi_buf_puts(&in, "<in>");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        edi_buf_printf(&in, "<PO1>%s</PO1>", cases[i].po1);
    edi_buf_puts(&in, "</in>");
    edi_findings_init(&f, 10);
    out = run("t/pairs", NULL, edi_buf_cstr(&in), &rc, &f);
    assert_int_equal(rc, 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(want, sizeof(want), "<t>%s|%s</t>", cases[i].want, cases[i].want);
        if (strstr(out, want) == NULL)
            fail_msg("case %zu: want %s in %s", i, want, out);
    }
    /* no segment, first past last, a text node: nothing; an odd first pairs PO107 with PO108 */
    assert_non_null(strstr(out, "<u>0,1,0,0</u>"));
    free(out);
    edi_buf_dispose(&in);
    edi_findings_dispose(&f);
}

static void test_strict_lookup_is_a_finding(void **state)
{
    struct edi_findings f;
    int rc;
    char *out;

    edi_findings_init(&f, 10);
    out = run("t/in", NULL, "<in><code>XX</code></in>", &rc, &f);
    assert_int_equal(rc, EDI_ESYNTAX);
    assert_null(out);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].code, "map-code-unmapped");
    /* the map file and the line of the instruction */
    assert_non_null(strstr(f.v[0].msg, "t/fns.xsl:1: 'XX' is not in code list 'uom'"));
    edi_findings_dispose(&f);
}

static void test_terminate_and_compile_errors(void **state)
{
    struct edi_findings f;
    int rc;
    char *out;

    edi_findings_init(&f, 10);
    out = run("t/stop", NULL, "<in/>", &rc, &f);
    assert_int_equal(rc, EDI_ESYNTAX);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].code, "map-terminated");
    assert_non_null(strstr(f.v[0].msg, "stop.xsl:3"));
    assert_non_null(strstr(f.v[0].msg, "PO has no lines"));
    free(out);
    edi_findings_reset(&f);
    out = run("t/broken", NULL, "<in/>", &rc, &f);
    assert_int_equal(rc, EDI_ECONFIG);
    assert_non_null(out);
    assert_non_null(strstr(out, "broken.xsl"));
    assert_non_null(strstr(out, "does not compile"));
    free(out);
    edi_findings_dispose(&f);
}

/* map_run_bytes: `wharf map run` without trees. Each input document is
 * heard of once, where it stopped: rendered and checked, refused with its
 * findings, or the run that failed and stopped the rest; an input that
 * does not read is returned before any. */
struct heard {
    unsigned n, checked, refused, failed;
    char text[256];
};

static void hear(void *ctx, const struct map_outcome *r)
{
    struct heard *h = ctx;

    h->n++;
    if (r->step == MAP_STEP_CHECK && r->rc == 0) {
        h->checked++;
        snprintf(h->text, sizeof(h->text), "%.*s", (int)r->text->n, r->text->p);
    } else if (r->step == MAP_STEP_RUN && r->rc == EDI_ESYNTAX) {
        h->refused++;
        assert_true(r->findings->n > 0);
    } else if (r->step == MAP_STEP_RUN) {
        h->failed++;
    }
}

static void test_run_bytes(void **state)
{
    static const char in[] = "<in><code>EA</code><v>1</v></in>";
    struct map_engine *e;
    const struct map_info *m;
    struct map_run_opts o;
    struct edi_findings f;
    struct edi_err err;
    struct heard h;

    assert_int_equal(map_engine_new(&e, dir, WHARF_SCHEMAS, &err), 0);
    memset(&o, 0, sizeof(o));
    o.now = 1735689600;
    edi_findings_init(&f, 10);

    assert_int_equal(map_find(&m, e, "t/in", NULL, &err), 0);
    memset(&h, 0, sizeof(h));
    assert_int_equal(map_run_bytes(e, m, in, sizeof(in) - 1, &o, 1, &f, hear, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.checked, 1);
    assert_non_null(strstr(h.text, "<a>each</a>"));

    assert_int_equal(map_find(&m, e, "t/stop", NULL, &err), 0);
    memset(&h, 0, sizeof(h));
    assert_int_equal(map_run_bytes(e, m, in, sizeof(in) - 1, &o, 0, &f, hear, &h, &err), 0);
    assert_int_equal(h.refused, 1);

    assert_int_equal(map_find(&m, e, "t/broken", NULL, &err), 0);
    memset(&h, 0, sizeof(h));
    assert_int_equal(map_run_bytes(e, m, in, sizeof(in) - 1, &o, 0, &f, hear, &h, &err), EDI_ECONFIG);
    assert_int_equal(h.failed, 1);

    memset(&h, 0, sizeof(h));
    assert_true(map_run_bytes(e, m, "<in>", 4, &o, 0, &f, hear, &h, &err) < 0);
    assert_int_equal(h.n, 0);

    edi_findings_dispose(&f);
    map_engine_free(e);
}

/* map_engine_limit: a map that recurses in width stops at the step
 * limit with its name in the error; a map within it runs, again and again
 * (each run counts from zero). */
static void test_step_limit(void **state)
{
    struct map_engine *e;
    const struct map_info *wide, *stop;
    struct map_run_opts o;
    struct edi_findings f;
    struct edi_err err;
    xmlDocPtr doc = input("<in/>"), out = NULL;
    int i;

    (void)state;
    assert_int_equal(map_engine_new(&e, dir, WHARF_SCHEMAS, &err), 0);
    map_engine_limit(e, 100000);
    assert_int_equal(map_find(&wide, e, "t/wide", NULL, &err), 0);
    assert_int_equal(map_find(&stop, e, "t/stop", NULL, &err), 0);
    memset(&o, 0, sizeof(o));
    edi_findings_init(&f, 10);
    for (i = 0; i < 2; i++) {
        edi_err_clear(&err);
        assert_int_equal(map_run(&out, e, wide, doc, &o, &f, &err), EDI_ELIMIT);
        assert_null(out);
        assert_non_null(strstr(err.msg, "map t/wide stopped: more than 100000 XPath steps"));
        /* a map well within the limit still answers as it does without one */
        edi_findings_reset(&f);
        assert_int_equal(map_run(&out, e, stop, doc, &o, &f, &err), EDI_ESYNTAX);
        assert_int_equal(f.n, 1);
        assert_string_equal(f.v[0].code, "map-terminated");
        edi_findings_reset(&f);
    }
    edi_findings_dispose(&f);
    xmlFreeDoc(doc);
    map_engine_free(e);
}

static void test_security(void **state)
{
    struct edi_findings f;
    struct stat st;
    int rc;
    char *out;

    unlink("/tmp/wharf-evil-written");
    edi_findings_init(&f, 10);
    out = run("t/evil", NULL, "<in/>", &rc, &f);
    /* nothing written, nothing read outside mappings/ */
    assert_int_not_equal(stat("/tmp/wharf-evil-written", &st), 0);
    assert_true(out == NULL || strstr(out, "root:") == NULL);
    free(out);
    edi_findings_dispose(&f);
}

/* ---- the unified diff, golden cases and the lists a map reads ------------------- */

static void test_diff(void **state)
{
    static const struct {
        const char *a, *b;
        size_t max;
        int differs;
        const char *want;
    } cases[] = {
        {"a\nb\n", "a\nb\n", 0, 0, ""},
        {"", "", 0, 0, ""},
        {"a\nb\nc\n", "a\nB\nc\n", 0, 1, "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
        /* two changes 7 lines apart: two hunks; 6 apart: one */
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "x\n2\n3\n4\n5\n6\n7\n8\ny\n", 0, 1,
         "--- expected\n+++ actual\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -6,4 +6,4 @@\n 6\n 7\n 8\n-9\n+y\n"},
        {"1\n2\n3\n4\n5\n6\n7\n8\n", "x\n2\n3\n4\n5\n6\n7\ny\n", 0, 1,
         "--- expected\n+++ actual\n@@ -1,8 +1,8 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+y\n"},
        /* an empty side starts at the line before */
        {"", "a\n", 0, 1, "--- expected\n+++ actual\n@@ -0,0 +1 @@\n+a\n"},
        {"a\nb\n", "a\n", 0, 1, "--- expected\n+++ actual\n@@ -1,2 +1 @@\n a\n-b\n"},
        {"a\n", "a", 0, 1, "--- expected\n+++ actual\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"},
        /* cut */
        {"a\nb\nc\n", "x\ny\nz\n", 4, 1, "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n-a\n... (the diff is cut at 4 lines)\n"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        assert_int_equal(map_diff(&b, cases[i].a, strlen(cases[i].a), cases[i].b, strlen(cases[i].b), "expected",
                                  "actual", cases[i].max),
                         cases[i].differs);
        if (strcmp(edi_buf_cstr(&b), cases[i].want) != 0)
            fail_msg("case %zu: got\n%s\nwant\n%s", i, b.p, cases[i].want);
        edi_buf_dispose(&b);
    }
}

static void test_samples_and_lists(void **state)
{
    struct map_engine *e;
    const struct map_info *m;
    struct map_sample *v = NULL;
    struct edi_err err;
    struct edi_buf out;
    char **lists = NULL, *want = NULL;
    const char *ext;
    size_t n = 0, nl = 0, wn, i;
    int uom = 0;

    (void)state;
    assert_int_equal(map_engine_new(&e, WHARF_MAPPINGS, WHARF_SCHEMAS, &err), 0);
    assert_int_equal(map_find(&m, e, "amazon-rp/850-to-order", NULL, &err), 0);
    assert_int_equal(map_samples(&v, &n, m, &err), 0);
    assert_true(n >= 3);
    for (i = 1; i < n; i++)
        assert_true(strcmp(v[i - 1].name, v[i].name) < 0);
    for (i = 0; i < n && strcmp(v[i].name, "original") != 0; i++)
        ;
    assert_true(i < n);
    assert_non_null(v[i].expected);
    /* the case as `wharf map test` runs it: its expected file, byte for byte */
    edi_buf_init(&out, 0);
    assert_int_equal(map_sample_run(&out, &ext, e, m, &v[i], NULL, 0, NULL, &err), 0);
    assert_string_equal(ext, "xml");
    assert_int_equal(edi_read_file(&want, &wn, v[i].expected, &err), 0);
    assert_int_equal(wn, out.n);
    assert_memory_equal(want, out.p, wn);
    free(want);
    edi_buf_dispose(&out);
    /* the same PO written with GS, US and FS as its element, component and
     * segment delimiters (legal X12 the EDI-XML tree carries as
     * element-hex=...) is the same order: the form parsed back from text
     * used to stop at the delimiter, and the map refused "<x12/>" */
    {
        char *in = NULL, e0, c0, s0;
        size_t inn, k;

        assert_int_equal(edi_read_file(&in, &inn, v[i].input, &err), 0);
        assert_true(inn > 106 && memcmp(in, "ISA", 3) == 0);
        e0 = in[3];
        c0 = in[104];
        s0 = in[105];
        for (k = 0; k < inn; k++)
            in[k] = in[k] == e0 ? '\x1d' : in[k] == c0 ? '\x1f' : in[k] == s0 ? '\x1c' : in[k];
        edi_buf_init(&out, 0);
        assert_int_equal(map_sample_run(&out, &ext, e, m, &v[i], in, inn, NULL, &err), 0);
        assert_string_equal(ext, "xml");
        assert_int_equal(edi_read_file(&want, &wn, v[i].expected, &err), 0);
        assert_int_equal(wn, out.n);
        assert_memory_equal(want, out.p, wn);
        free(want);
        free(in);
        edi_buf_dispose(&out);
    }
    /* a refusal is text: the findings */
    for (i = 0; i < n && strcmp(v[i].name, "unknown-unit") != 0; i++)
        ;
    assert_true(i < n);
    edi_buf_init(&out, 0);
    assert_int_equal(map_sample_run(&out, &ext, e, m, &v[i], NULL, 0, NULL, &err), 0);
    assert_string_equal(ext, "txt");
    assert_non_null(strstr(edi_buf_cstr(&out), "error: "));
    edi_buf_dispose(&out);
    /* input that is none of X12, JSON, XML: an error, not a refusal */
    edi_buf_init(&out, 0);
    assert_true(map_sample_run(&out, &ext, e, m, &v[0], "ISA*00*broken", 13, NULL, &err) < 0);
    edi_buf_dispose(&out);
    map_samples_free(v, n);

    assert_int_equal(map_lists_used(&lists, &nl, e, m, &err), 0);
    for (i = 0; i < nl; i++) {
        uom += strcmp(lists[i], "po-purpose") == 0 || strcmp(lists[i], "x12-unit") == 0;
        assert_true(i == 0 || strcmp(lists[i - 1], lists[i]) < 0);
        assert_null(strstr(lists[i], "qbo-"));
    }
    for (i = 0; i < nl; i++)
        free(lists[i]);
    free(lists);
    assert_int_equal(uom, 2);
    /* a map without tests folder: none */
    map_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_ops),
        cmocka_unit_test(test_decimal_norm),
        cmocka_unit_test(test_decimal_errors),
        cmocka_unit_test(test_decimal_round_and_cmp),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_numbers_exact),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_strict_lookup_is_a_finding),
        cmocka_unit_test(test_terminate_and_compile_errors),
        cmocka_unit_test(test_run_bytes),
        cmocka_unit_test(test_step_limit),
        cmocka_unit_test(test_security),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_samples_and_lists),
    };

    return cmocka_run_group_tests_name("map", tests, setup, teardown);
}
