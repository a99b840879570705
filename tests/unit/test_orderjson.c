/*
 * test_orderjson.c — the C twin of the stock order→ERP JSON map
 * (gateway/docs/orderjson.h) against the map itself, run through the real
 * engine and rendered as the gateway renders it: byte for byte the same on
 * every canonical order the project holds (the map's golden inputs, the
 * expected outputs of the 850 and SP-API order maps, tests/canonical, the
 * canonical-document fuzz corpus), with both states and several partners;
 * on edge-case orders written here (absent parts, empty text, escapes,
 * control characters, non-ASCII, repeated elements, many lines); and on
 * orders mutated at random (a seeded loop). Where the map fails, the twin
 * declines. The gateway's ERP JSON (gw_erp_json) uses the twin only while
 * the file that runs is the stock one: a changed copy of the map runs as
 * XSLT, a byte-identical copy elsewhere still counts as stock.
 */
#include "testutil.h"
#include "gateway/core/ctx.h"
#include "gateway/docs/cdoc_xml.h"
#include "gateway/docs/orderjson.h"
#include "gateway/erp/erp.h"
#include "mappings/map.h"

#include <glob.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sys/stat.h>
#include <unistd.h>

static struct map_engine *engine;

static int setup(void **state)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (map_engine_new(&engine, WHARF_MAPPINGS, WHARF_SCHEMAS, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    map_engine_free(engine);
    return 0;
}

/* The map as erp_json runs it: 0 and the rendered JSON, or the run's or
 * render's error code. */
static int by_map(struct edi_buf *out, struct map_engine *e, xmlDocPtr doc, const char *partner,
                  const char *state)
{
    const struct map_info *m;
    struct map_param params[2] = {{"partner", partner}, {"state", state}};
    struct map_run_opts o;
    struct edi_findings fds;
    struct edi_err err;
    xmlDocPtr res = NULL;
    int rc;

    edi_err_clear(&err);
    assert_int_equal(map_find(&m, e, GW_ORDER_ERP_JSON_MAP, NULL, &err), 0);
    memset(&o, 0, sizeof(o));
    o.partner = partner;
    o.params = params;
    o.nparams = 2;
    edi_findings_init(&fds, 20);
    rc = map_run(&res, e, m, doc, &o, &fds, &err);
    if (rc == 0)
        rc = map_render(out, res, 0, &err);
    xmlFreeDoc(res);
    edi_findings_dispose(&fds);
    return rc;
}

/* The twin: 1 written, 0 declined (and nothing written). */
static int by_twin(struct edi_buf *out, xmlDocPtr doc, const char *partner, const char *state)
{
    /* a gw_cdoc owns its tree: the twin reads a copy */
    struct gw_cdoc *d = gw_cdoc_wrap(xmlCopyDoc(doc, 1));
    size_t n0 = out->n;
    int r = gw_order_erp_json(out, d, partner, state);

    if (!r)
        assert_int_equal(out->n, n0);
    gw_cdoc_free(d);
    return r;
}

static void show_diff(const char *what, const struct edi_buf *a, const struct edi_buf *b)
{
    size_t i = 0;

    while (i < a->n && i < b->n && a->p[i] == b->p[i])
        i++;
    fprintf(stderr, "%s: differ at byte %zu\n--- map ---\n%.*s\n--- twin ---\n%.*s\n", what, i, (int)a->n,
            a->p ? a->p : "", (int)b->n, b->p ? b->p : "");
}

/* Both on doc: when the twin writes, the map gives the same bytes; when
 * the map fails, the twin declines. 1 when the twin wrote. */
static int same(const char *what, xmlDocPtr doc, const char *partner, const char *state)
{
    struct edi_buf a, b;
    int rc, r;

    edi_buf_init(&a, 0);
    edi_buf_init(&b, 0);
    rc = by_map(&a, engine, doc, partner, state);
    r = by_twin(&b, doc, partner, state);
    if (r && (rc != 0 || a.n != b.n || memcmp(a.p, b.p, a.n) != 0)) {
        if (rc != 0)
            fprintf(stderr, "%s: the map failed (%d), the twin wrote\n", what, rc);
        else
            show_diff(what, &a, &b);
        fail_msg("%s (partner '%s', state '%s'): the twin is not the map", what, partner ? partner : "(null)",
                 state ? state : "(null)");
    }
    edi_buf_dispose(&a);
    edi_buf_dispose(&b);
    return r;
}

static xmlDocPtr parse(const char *xml, size_t n)
{
    return xmlReadMemory(xml, (int)n, "order.xml", NULL, XML_PARSE_NONET);
}

static int is_order(xmlDocPtr doc)
{
    xmlNodePtr r = doc ? xmlDocGetRootElement(doc) : NULL;

    return r && r->ns && strcmp((const char *)r->ns->href, "urn:wharf:canonical:1") == 0 &&
           strcmp((const char *)r->name, "order") == 0;
}

static const char *const partners[] = {"amazon-rp", "amazon-df", "", "acme \"q\"\\ é"};
static const char *const states[] = {"pending-approval", "approved", "rejected", ""};

/* Every canonical order in the project's test files. */
static void test_every_order_file(void **state)
{
    static const char *const patterns[] = {
        WHARF_MAPPINGS "/*/*.tests/*.xml",
        WHARF_TESTDATA "/canonical/*.xml",
        WHARF_TESTDATA "/fuzz/corpus/fuzz_cdoc/*",
    };
    size_t i, k, p, s, orders = 0, written = 0, golden = 0;

    for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        glob_t g;

        if (glob(patterns[i], 0, NULL, &g) != 0)
            continue;
        for (k = 0; k < g.gl_pathc; k++) {
            const char *path = g.gl_pathv[k];
            xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

            if (!is_order(doc)) {
                xmlFreeDoc(doc);
                continue;
            }
            orders++;
            for (p = 0; p < sizeof(partners) / sizeof(partners[0]); p++)
                for (s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
                    int r = same(path, doc, partners[p], states[s]);

                    written += r;
                    /* the project's own orders never need the map */
                    if (strstr(path, "/fuzz/") == NULL) {
                        if (!r)
                            fail_msg("%s: the twin declined a real order", path);
                        golden++;
                    }
                }
            xmlFreeDoc(doc);
        }
        globfree(&g);
    }
    /* the map's golden inputs, the 850 and SP-API outputs, tests/canonical */
    assert_true(orders >= 40);
    assert_true(golden >= 12 * 35);
    assert_true(written >= golden);
}

/* Edge cases, as XML (what the text of an in-memory tree can hold beyond
 * XML's characters is in test_control_and_bad_text). */
#define O_ "<order xmlns=\"urn:wharf:canonical:1\">"
#define H_(x) "<header>" x "</header>"
static const struct {
    const char *name, *xml;
    int written;                   /* 1: the twin writes; 0: the map decides */
} edges[] = {
    {"bare order", O_ "</order>", 1},
    {"empty header, empty lines", O_ "<header/><lines/></order>", 1},
    {"empty texts", O_ H_("<program/><po-number/><order-date/><currency/><customer-order-number/>"
                          "<ship-to><id/><name/><address><line/></address></ship-to><carrier><ship-method/><scac/></carrier>"
                          "<ship-window/><delivery-window><start/></delivery-window><required-ship-date/>"
                          "<packing-slip-required/><is-gift/><gift><message/></gift><message-to-customer/>")
     "<lines><line><line-no>1</line-no><id/><description/><ordered-quantity/><unit-cost/>"
     "<price type=\"retail\"/></line></lines></order>", 1},
    {"DF without slip or gift", O_ H_("<program>DF</program><po-number>P1</po-number>") "</order>", 1},
    {"RP with slip and gift false", O_ H_("<program>RP</program><packing-slip-required>false</packing-slip-required>"
                                          "<is-gift>false</is-gift>") "</order>", 1},
    {"gift from a line message", O_ H_("<program>DF</program>")
     "<lines><line><line-no>1</line-no><gift><message>for you</message></gift></line></lines></order>", 1},
    {"gift from the header message", O_ H_("<program>RP</program><is-gift>no</is-gift><gift><message>x</message></gift>") "</order>", 1},
    {"escapes", O_ H_("<program>R\"P\\</program><po-number>a/b\tc\r\nd</po-number>"
                      "<customer-order-number>&lt;&amp;&gt; '</customer-order-number>") "</order>", 1},
    {"non-ASCII", O_ H_("<po-number>Zoë ß 中文 😀 \x7f \xc2\x80 \xe2\x80\xa8</po-number>"
                        "<ship-to><name>Jürgen Müller\nc/o Ämt</name><address><line>Straße 1</line></address></ship-to>") "</order>", 1},
    {"name on two lines, three", O_ H_("<ship-to><name>A\nB\nC</name></ship-to>") "</order>", 1},
    {"name starting with a newline", O_ H_("<ship-to><name>\nB</name></ship-to>") "</order>", 1},
    {"full address", O_ H_("<ship-to><id qualifier=\"92\">ABE2</id><id>X</id><name>N</name><attention>Att</attention>"
                           "<extra-address-line>E0</extra-address-line>"
                           "<contact><phone>555-1</phone></contact>"
                           "<address><line>L1</line><line>L2</line><country>US</country><city>C</city>"
                           "<county>Cy</county><district>D</district><state>S</state><postal-code>P</postal-code>"
                           "<phone>555-2</phone></address><extra-address-line>E1</extra-address-line>"
                           "<country-name>United States</country-name></ship-to>") "</order>", 1},
    {"address without lines", O_ H_("<ship-to><address><city>C</city></address><extra-address-line>E</extra-address-line></ship-to>") "</order>", 1},
    {"ship-to with only an id", O_ H_("<ship-to><id>ABE2</id></ship-to><ship-to><name>second</name><id>Z</id></ship-to>") "</order>", 1},
    {"windows and dates in document order", O_ H_("<promised-delivery-date>2024-02-02</promised-delivery-date>"
                                                  "<delivery-window><end>E</end><start>S</start></delivery-window>"
                                                  "<required-ship-date>2024-01-01</required-ship-date>"
                                                  "<ship-window><start>a</start><end>b</end></ship-window>") "</order>", 1},
    {"carriers", O_ H_("<carrier><scac>UPSN</scac></carrier><carrier><ship-method>M</ship-method></carrier>") "</order>", 1},
    {"line ids", O_ "<lines><line><line-no>007</line-no><id qualifier=\"asin\">A</id><id qualifier=\"sku\">S</id>"
     "<id qualifier=\"asin\">A2</id><id>noq</id><id qualifier=\"sku\">S2</id><id qualifier=\"\">eq</id></line></lines></order>", 0},
    {"line ids, one without a qualifier", O_ "<lines><line><line-no> 12 </line-no><id qualifier=\"asin\">A</id>"
     "<id>noq</id><id qualifier=\"asin\">A2</id></line></lines></order>", 1},
    {"line parts", O_ "<lines><line><line-no>1.5e3</line-no><description>D</description>"
     "<ordered-quantity>2</ordered-quantity><ordered-quantity unit=\"CA\">3</ordered-quantity>"
     "<unit-cost>1.10</unit-cost><unit-cost>9</unit-cost><price type=\"list\">5</price><price>6</price>"
     "<price type=\"retail\">7.00</price><price type=\"retail\">8</price><backorder-allowed>1</backorder-allowed>"
     "<gift><message>g1</message></gift></line>"
     "<line><line-no>-0</line-no><backorder-allowed>false</backorder-allowed></line></lines></order>", 1},
    {"two line lists", O_ "<lines><line><line-no>1</line-no></line></lines><lines><line><line-no>2</line-no></line></lines></order>", 1},
    {"other namespaces and comments", O_ H_("<x:program xmlns:x=\"urn:x\">DF</x:program><program>R<!-- c -->P<![CDATA[<&>]]></program>"
                                            "<?pi x?><po-number x:a=\"1\" xmlns:x=\"urn:x\">P</po-number>") "</order>", 1},
    /* what the map fails on, or renders another way: the twin declines */
    {"line number not a number", O_ "<lines><line><line-no>1a</line-no></line></lines></order>", 0},
    {"line number absent", O_ "<lines><line/></lines></order>", 0},
    {"line number padded with zeros before a point", O_ "<lines><line><line-no>01.5</line-no></line></lines></order>", 0},
    {"backorder neither true nor false", O_ "<lines><line><line-no>1</line-no><backorder-allowed>yes</backorder-allowed></line></lines></order>", 0},
    {"two customer order numbers", O_ H_("<customer-order-number>a</customer-order-number><customer-order-number>b</customer-order-number>") "</order>", 0},
    {"two ship windows", O_ H_("<ship-window/><ship-window/>") "</order>", 0},
    {"two descriptions", O_ "<lines><line><line-no>1</line-no><description>a</description><description>b</description></line></lines></order>", 0},
    {"two cities", O_ H_("<ship-to><address><city>a</city></address><address><city>b</city></address></ship-to>") "</order>", 0},
    {"two headers", O_ H_("<program>RP</program>") H_("<program>DF</program>") "</order>", 0},
    {"another root", "<invoice xmlns=\"urn:wharf:canonical:1\"/>", 0},
    {"no namespace", "<order><header><program>RP</program></header></order>", 0},
};

static void test_edge_cases(void **state)
{
    size_t i, p, s;

    for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        xmlDocPtr doc = parse(edges[i].xml, strlen(edges[i].xml));

        if (doc == NULL)
            fail_msg("%s: not XML", edges[i].name);
        for (p = 0; p < sizeof(partners) / sizeof(partners[0]); p++)
            for (s = 0; s < sizeof(states) / sizeof(states[0]); s++)
                if (same(edges[i].name, doc, partners[p], states[s]) != edges[i].written)
                    fail_msg("%s: the twin %s", edges[i].name, edges[i].written ? "declined" : "wrote");
        xmlFreeDoc(doc);
    }
}

/* "many lines": 500 lines, each with every part */
static void test_many_lines(void **state)
{
    struct edi_buf x;
    xmlDocPtr doc;
    int i;

    edi_buf_init(&x, 0);
    edi_buf_puts(&x, O_ H_("<program>RP</program><po-number>BIG</po-number>") "<lines>");
    for (i = 1; i <= 500; i++)
        edi_buf_printf(&x, "<line><line-no>%d</line-no><id qualifier=\"asin\">B%08d</id><id qualifier=\"upc\">%012d</id>"
                           "<ordered-quantity unit=\"EA\">%d</ordered-quantity><unit-cost>%d.%02d</unit-cost>"
                           "<price type=\"retail\">%d.99</price></line>", i, i, i * 7, i % 13 + 1, i, i % 100, i);
    edi_buf_puts(&x, "</lines></order>");
    doc = parse(x.p, x.n);
    assert_non_null(doc);
    assert_int_equal(same("500 lines", doc, "amazon-rp", "approved"), 1);
    xmlFreeDoc(doc);
    edi_buf_dispose(&x);
}

/* Text an in-memory tree can hold (an 850's element copied by the map)
 * and XML cannot: control characters, bytes that are not UTF-8. */
static void test_control_and_bad_text(void **state)
{
    static const struct {
        const char *text;
        int written;
    } cases[] = {
        {"a\x01" "b", 1},
        {"\x1f\x1b\x0b\x0e\x7f", 1},
        /* bytes 1..7 all used: map_json.c's number marker goes past them */
        {"\x01\x02\x03\x04\x05\x06\x07", 0},
        {"\x01\x02\x03\x04\x05\x06", 1},
        {"\xff", 0},
        {"\xc0\x80", 0},
        {"\xed\xa0\x80", 0},
        {"\xf4\x90\x80\x80", 0},
        {"\xe2\x82", 0},
    };
    static const char *const where[] = {"po-number", "line-no-sibling", "qualifier"};
    size_t i, k;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        for (k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
            static const char xml[] = O_ H_("<po-number>P</po-number>")
                "<lines><line><line-no>3</line-no><id qualifier=\"q\">I</id><description>D</description></line></lines></order>";
            xmlDocPtr doc = parse(xml, sizeof(xml) - 1);
            xmlNodePtr root = xmlDocGetRootElement(doc), line = root->children->next->children;
            char what[64];

            if (k == 0)
                xmlNodeSetContent(root->children->children, BAD_CAST cases[i].text);
            else if (k == 1)
                xmlNodeSetContent(line->children->next->next, BAD_CAST cases[i].text);
            else
                xmlSetProp(line->children->next, BAD_CAST "qualifier", BAD_CAST cases[i].text);
            snprintf(what, sizeof(what), "text case %zu in %s", i, where[k]);
            if (same(what, doc, "amazon-rp", "approved") != cases[i].written)
                fail_msg("%s: the twin %s", what, cases[i].written ? "declined" : "wrote");
            xmlFreeDoc(doc);
        }
    /* the partner parameter is text too */
    {
        static const char xml[] = O_ "<lines><line><line-no>1</line-no></line></lines></order>";
        xmlDocPtr doc = parse(xml, sizeof(xml) - 1);

        assert_int_equal(same("partner with controls", doc, "p\x02\x03\x1f", "s\x01"), 1);
        assert_int_equal(same("partner not UTF-8", doc, "p\xfe", "pending"), 0);
        xmlFreeDoc(doc);
    }
}

/* ---- orders changed at random ---- */

static unsigned long rnd_state;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rnd_state >> 33) % n);
}

static size_t elements(xmlNodePtr n, xmlNodePtr *v, size_t cap, size_t k)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (k < cap)
            v[k] = n;
        k = elements(n->children, v, cap, k + 1);
    }
    return k;
}

static void mutate(xmlDocPtr doc)
{
    static const char *const texts[] = {"", "DF", "RP", "true", "false", "0", "1", " 42 ", "0007", "x\ny",
                                        "\"\\/", "é中😀", "a\x01" "b", "retail", "asin", "sku", "1e5", "-1"};
    static const char *const names[] = {"program", "is-gift", "packing-slip-required", "gift", "message",
                                        "ship-to", "address", "line", "name", "id", "price", "backorder-allowed",
                                        "ship-window", "extra-address-line", "contact", "phone", "lines"};
    xmlNodePtr v[512], n;
    size_t count = elements(xmlDocGetRootElement(doc), v, 512, 0), i;
    unsigned steps = 1 + rnd(4);

    if (count > 512)
        count = 512;
    while (steps-- && count > 1) {
        n = v[1 + rnd((unsigned)count - 1)];
        switch (rnd(6)) {
        case 0: /* drop it */
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            count = elements(xmlDocGetRootElement(doc), v, 512, 0);
            count = count > 512 ? 512 : count;
            break;
        case 1: /* repeat it */
            xmlAddNextSibling(n, xmlCopyNode(n, 1));
            count = elements(xmlDocGetRootElement(doc), v, 512, 0);
            count = count > 512 ? 512 : count;
            break;
        case 2: /* new text */
            xmlNodeSetContent(n, BAD_CAST texts[rnd(sizeof(texts) / sizeof(texts[0]))]);
            count = elements(xmlDocGetRootElement(doc), v, 512, 0);
            count = count > 512 ? 512 : count;
            break;
        case 3: /* a new canonical child */
            xmlNewTextChild(n, n->ns, BAD_CAST names[rnd(sizeof(names) / sizeof(names[0]))],
                            BAD_CAST texts[rnd(sizeof(texts) / sizeof(texts[0]))]);
            count = elements(xmlDocGetRootElement(doc), v, 512, 0);
            count = count > 512 ? 512 : count;
            break;
        case 4: /* an attribute */
            xmlSetProp(n, BAD_CAST(rnd(2) ? "qualifier" : rnd(2) ? "type" : "unit"),
                       BAD_CAST texts[rnd(sizeof(texts) / sizeof(texts[0]))]);
            break;
        default: /* moved to another parent */
            i = rnd((unsigned)count);
            if (v[i] != n && !xmlStrEqual(v[i]->name, n->name)) {
                xmlNodePtr p;

                for (p = v[i]; p && p != n; p = p->parent)
                    ;
                if (p == NULL) {
                    xmlUnlinkNode(n);
                    xmlAddChild(v[i], n);
                }
            }
            count = elements(xmlDocGetRootElement(doc), v, 512, 0);
            count = count > 512 ? 512 : count;
        }
    }
}

static void test_random_orders(void **state)
{
    static const char *const seeds[] = {
        WHARF_MAPPINGS "/local/order-to-erp-json.tests/df.input.xml",
        WHARF_MAPPINGS "/local/order-to-erp-json.tests/rp.input.xml",
        WHARF_MAPPINGS "/local/order-to-erp-json.tests/df-amazon.input.xml",
    };
    size_t i, round, written = 0, total = 0;

    rnd_state = 18;
    for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        xmlDocPtr base = xmlReadFile(seeds[i], NULL, XML_PARSE_NONET);

        assert_non_null(base);
        for (round = 0; round < 200; round++) {
            xmlDocPtr doc = xmlCopyDoc(base, 1);
            char what[160];

            mutate(doc);
            snprintf(what, sizeof(what), "%s, random order %zu", seeds[i], round);
            written += same(what, doc, rnd(2) ? "amazon-df" : "amazon-rp", rnd(2) ? "pending-approval" : "approved");
            total++;
            xmlFreeDoc(doc);
        }
        xmlFreeDoc(base);
    }
    /* most changed orders are still ones the twin writes */
    assert_true(written * 2 > total);
}

/* ---- which path the gateway takes ---- */

static int copy_tree(const char *to)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s' '%s'", to, WHARF_MAPPINGS, to);
    return system(cmd);
}

/* gw_erp_json of the golden RP order through engine e */
static void erp_json_via(struct edi_buf *out, struct map_engine *e)
{
    struct gw_ctx c;
    struct gw_cdoc *d;
    struct edi_err err;
    size_t n;
    char *xml = tu_read("../mappings/local/order-to-erp-json.tests/rp.input.xml", &n);

    memset(&c, 0, sizeof(c));
    c.maps = e;
    edi_err_clear(&err);
    assert_int_equal(gw_cdoc_parse(&d, xml, n, "rp", &err), 0);
    assert_int_equal(gw_erp_json(out, &c, GW_ORDER_ERP_JSON_MAP, "amazon-rp", "pending-approval", d, &err), 0);
    gw_cdoc_free(d);
    free(xml);
}

static void test_stock_or_override(void **state)
{
    char dir[64], file[128];
    const struct map_info *m;
    struct map_engine *copy, *edited;
    struct edi_buf stock, same_copy, changed;
    struct edi_err err;
    size_t n;
    char *xsl;
    FILE *f;

    size_t sn;
    const unsigned char *sb = gw_order_erp_json_stock(&sn);

    /* the stock map as built is the one the twin was written for */
    if (sb == NULL)
        fail_msg("mappings/local/order-to-erp-json.xsl changed: check gateway/docs/orderjson.c against it "
                 "(this test), then move STOCK_SHA256 there to the file's sha256sum");
    /* the installed map is that stock map */
    edi_err_clear(&err);
    assert_int_equal(map_find(&m, engine, GW_ORDER_ERP_JSON_MAP, NULL, &err), 0);
    assert_int_equal(map_file_is(engine, m, sb, sn), 1);
    assert_int_equal(map_file_is(engine, m, sb, sn - 1), 0);

    snprintf(dir, sizeof(dir), "/tmp/wharf-orderjson-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/m", dir);
    assert_int_equal(copy_tree(file), 0);
    /* a byte-identical copy elsewhere (WHARF_MAPPINGS) is still the stock map */
    assert_int_equal(map_engine_new(&copy, file, WHARF_SCHEMAS, &err), 0);
    assert_int_equal(map_find(&m, copy, GW_ORDER_ERP_JSON_MAP, NULL, &err), 0);
    assert_int_equal(map_file_is(copy, m, sb, sn), 1);
    /* the same map edited (one key renamed): the gateway runs the XSLT */
    snprintf(file, sizeof(file), "%s/m/local/order-to-erp-json.xsl", dir);
    xsl = tu_read("../mappings/local/order-to-erp-json.xsl", &n);
    {
        char *k = strstr(xsl, "key=\"po_number\"");

        assert_non_null(k);
        memcpy(k, "key=\"po_numbeR\"", 15);
    }
    f = fopen(file, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(xsl, 1, n, f), n);
    fclose(f);
    free(xsl);
    snprintf(file, sizeof(file), "%s/m", dir);
    assert_int_equal(map_engine_new(&edited, file, WHARF_SCHEMAS, &err), 0);
    assert_int_equal(map_find(&m, edited, GW_ORDER_ERP_JSON_MAP, NULL, &err), 0);
    assert_int_equal(map_file_is(edited, m, sb, sn), 0);

    edi_buf_init(&stock, 0);
    edi_buf_init(&same_copy, 0);
    edi_buf_init(&changed, 0);
    erp_json_via(&stock, engine);
    erp_json_via(&same_copy, copy);
    erp_json_via(&changed, edited);
    {
        size_t m2;
        char *want = tu_read("../mappings/local/order-to-erp-json.tests/rp.expected.json", &m2);

        assert_int_equal(stock.n, m2);
        assert_memory_equal(stock.p, want, m2);
        free(want);
    }
    assert_int_equal(same_copy.n, stock.n);
    assert_memory_equal(same_copy.p, stock.p, stock.n);
    assert_non_null(strstr(edi_buf_cstr(&changed), "\"po_numbeR\": "));
    assert_null(strstr(edi_buf_cstr(&changed), "\"po_number\": "));

    edi_buf_dispose(&stock);
    edi_buf_dispose(&same_copy);
    edi_buf_dispose(&changed);
    map_engine_free(copy);
    map_engine_free(edited);
    snprintf(file, sizeof(file), "rm -rf '%s'", dir);
    assert_int_equal(system(file), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_order_file),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_control_and_bad_text),
        cmocka_unit_test(test_random_orders),
        cmocka_unit_test(test_stock_or_override),
    };

    return cmocka_run_group_tests_name("orderjson", tests, setup, teardown);
}
