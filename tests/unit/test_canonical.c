/*
 * test_canonical.c — the canonical vocabulary: every XSD under
 * schemas/canonical/ compiles, and every sample under tests/canonical/
 * validates against the schema of its root element.
 */
#include "testutil.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

static int quiet;

static void no_errors(void *ctx, const xmlError *e)
{
    if (!quiet && e && e->message)
        print_message("    %s:%d: %s", e->file ? e->file : "?", e->line, e->message);
}

static xmlSchemaPtr load(const char *name)
{
    char path[1024];
    xmlSchemaParserCtxtPtr pc;
    xmlSchemaPtr s;

    snprintf(path, sizeof(path), "%s/canonical/%s", WHARF_SCHEMAS, name);
    pc = xmlSchemaNewParserCtxt(path);
    xmlSchemaSetParserStructuredErrors(pc, (xmlStructuredErrorFunc)no_errors, NULL);
    s = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    return s;
}

static void test_schemas_compile(void **state)
{
    static const char *docs[] = {"order.xsd", "order-ack.xsd", "shipment.xsd", "invoice.xsd",
                                 "inventory.xsd", "payment.xsd", "transaction-status.xsd",
                                 "canonical.xsd"};
    size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        xmlSchemaPtr s = load(docs[i]);

        if (s == NULL)
            fail_msg("schemas/canonical/%s does not compile", docs[i]);
        xmlSchemaFree(s);
    }
}

static void test_samples_validate(void **state)
{
    char dir[1024];
    DIR *d;
    struct dirent *e;
    int n = 0, bad = 0;

    snprintf(dir, sizeof(dir), "%s/canonical", WHARF_TESTDATA);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[1400], xsd[300];
        xmlDocPtr doc;
        xmlSchemaPtr s;
        xmlSchemaValidCtxtPtr v;

        if (strstr(e->d_name, ".xml") == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
        assert_non_null(doc);
        snprintf(xsd, sizeof(xsd), "%s.xsd", (const char *)xmlDocGetRootElement(doc)->name);
        s = load(xsd);
        assert_non_null(s);
        v = xmlSchemaNewValidCtxt(s);
        xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)no_errors, NULL);
        if (xmlSchemaValidateDoc(v, doc) != 0) {
            print_message("  %s does not validate against %s\n", e->d_name, xsd);
            bad++;
        }
        xmlSchemaFreeValidCtxt(v);
        xmlSchemaFree(s);
        xmlFreeDoc(doc);
        n++;
    }
    closedir(d);
    assert_true(n >= 12);
    assert_int_equal(bad, 0);
}

static void test_rejects_unknown_elements(void **state)
{
    static const char bad[] =
        "<order xmlns='urn:wharf:canonical:1'><nonsense/></order>";
    xmlDocPtr doc = xmlReadMemory(bad, sizeof(bad) - 1, "bad.xml", NULL, 0);
    xmlSchemaPtr s = load("order.xsd");
    xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(s);

    quiet = 1;
    xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)no_errors, NULL);
    assert_int_not_equal(xmlSchemaValidateDoc(v, doc), 0);
    quiet = 0;
    xmlSchemaFreeValidCtxt(v);
    xmlSchemaFree(s);
    xmlFreeDoc(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemas_compile),
        cmocka_unit_test(test_samples_validate),
        cmocka_unit_test(test_rejects_unknown_elements),
    };

    return cmocka_run_group_tests_name("canonical", tests, NULL, NULL);
}
