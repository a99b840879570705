/*
 * test_cdoc_text.c — gw_cdoc_text (gateway/docs/cdoc.c) writes a document
 * as libxml2's xmlDocDumpFormatMemoryEnc(.., "UTF-8", 1) does, byte for
 * byte: on every canonical document of the maps' tests, as mapped and as
 * parsed back; on random trees (nesting past the 30 indented levels,
 * mixed content, empty elements and empty text, attributes and text full of
 * what is escaped, UTF-8, prefixed names and namespaces); and, through
 * libxml2 itself, on what its own writer leaves aside (comments, processing
 * instructions, CDATA, a DTD). The writer must also take the common trees
 * itself, or it would save nothing: that is counted.
 */
#include "testutil.h"
#include "gateway/docs/cdoc_xml.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* libxml2's text of doc and ours, equal; 1 when ours was the plain writer's */
static int same_text(xmlDocPtr doc, const char *what)
{
    xmlChar *want = NULL;
    int nwant = 0, plain;
    struct gw_cdoc *d = gw_cdoc_wrap(doc);
    struct edi_buf b;
    size_t n;
    char *got;

    xmlDocDumpFormatMemoryEnc(doc, &want, &nwant, "UTF-8", 1);
    got = gw_cdoc_text(d, &n);
    if (n != (size_t)nwant || memcmp(got, want, n) != 0)
        fail_msg("%s: gw_cdoc_text differs from libxml2:\n--- libxml2\n%s\n--- gw_cdoc_text\n%s", what,
                 (const char *)want, got);
    edi_buf_init(&b, 0);
    plain = gw_cdoc_text_plain(&b, doc) == 0;
    edi_buf_dispose(&b);
    free(got);
    xmlFree(want);
    gw_cdoc_free(d);
    return plain;
}

/* ---- the maps' canonical documents -------------------------------------------------- */

static void test_map_outputs(void **state)
{
    static const char *const dirs[] = {
        "../mappings/amazon-rp/850-to-order.tests", "../mappings/amazon-df/850-to-order.tests",
        "../mappings/amazon-rp/spapi-orders-to-order.tests",
    };
    size_t i, files = 0, docs = 0, plain = 0;

    (void)state;
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char at[1024];
        DIR *dir;
        struct dirent *e;

        snprintf(at, sizeof(at), "%s/%s", WHARF_TESTDATA, dirs[i]);
        if ((dir = opendir(at)) == NULL)
            fail_msg("%s: cannot read the folder", at);
        while ((e = readdir(dir)) != NULL) {
            char path[512], *data, *at0, *next;
            size_t n, k = strlen(e->d_name);
            int opts;

            if (k < 13 || strcmp(e->d_name + k - 13, ".expected.xml") != 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
            data = tu_read(path, &n);
            /* a file of several sets holds one document after another */
            for (at0 = data; at0 < data + n; at0 = next) {
                next = strstr(at0 + 1, "<?xml ");
                if (next == NULL)
                    next = data + n;
                /* as written (blank text between elements: nothing indented)
                 * and as a mapped document is (no blank text) */
                for (opts = 0; opts < 2; opts++) {
                    xmlDocPtr doc = xmlReadMemory(at0, (int)(next - at0), path, NULL,
                                                  XML_PARSE_NONET | (opts ? XML_PARSE_NOBLANKS : 0));

                    assert_non_null(doc);
                    plain += (size_t)same_text(doc, path);
                }
                docs++;
            }
            free(data);
            files++;
        }
        closedir(dir);
    }
    assert_true(files >= 10);
    assert_int_equal(plain, 2 * docs);
}

/* ---- random trees ------------------------------------------------------------------- */

static unsigned long seed = 20261207;

static unsigned pick(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

static void random_text(char *buf, size_t cap)
{
    static const char *const bits[] = {"a", "PO", "&", "<", ">", "\"", "'", "\n", "\r", "\t", " ",
                                       "\xc3\xa9", "\xe4\xb8\xad", "]]>", "x y", "&amp;", "12.50", ""};
    unsigned k, n = pick(5);

    buf[0] = '\0';
    for (k = 0; k < n; k++)
        strncat(buf, bits[pick(sizeof(bits) / sizeof(bits[0]))], cap - strlen(buf) - 1);
}

static void random_tree(xmlNodePtr parent, xmlNsPtr prefixed, int depth)
{
    static const char *const names[] = {"order", "line", "id", "po-number", "x", "ship-to"};
    unsigned k, kids = depth > 36 ? 0 : pick(depth < 4 ? 6 : depth > 28 ? 2 : 4);
    char text[256];

    for (k = 0; k < kids; k++) {
        unsigned kind = pick(20);

        if (kind < 14) {
            xmlNodePtr el = xmlNewChild(parent, pick(10) == 0 ? prefixed : NULL,
                                        BAD_CAST names[pick(sizeof(names) / sizeof(names[0]))], NULL);
            unsigned a, na = pick(4);

            for (a = 0; a < na; a++) {
                char an[16];

                snprintf(an, sizeof(an), "a%u", a);
                random_text(text, sizeof(text));
                if (pick(8) == 0)
                    xmlNewNsProp(el, prefixed, BAD_CAST an, BAD_CAST text);
                else
                    xmlNewProp(el, BAD_CAST an, BAD_CAST text);
            }
            random_tree(el, prefixed, depth + 1);
        } else if (kind < 19) {
            random_text(text, sizeof(text));
            xmlAddChild(parent, xmlNewText(BAD_CAST text));
        } else {
            xmlAddChild(parent, xmlNewText(BAD_CAST ""));
        }
    }
}

static void test_random_trees(void **state)
{
    int i, plain = 0;

    (void)state;
    for (i = 0; i < 3000; i++) {
        xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
        xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "order", NULL);
        xmlNsPtr ns, prefixed;
        char what[64];

        xmlDocSetRootElement(doc, root);
        ns = xmlNewNs(root, BAD_CAST "urn:wharf:canonical:1", NULL);
        xmlSetNs(root, ns);
        prefixed = xmlNewNs(root, BAD_CAST "urn:x", BAD_CAST "p");
        if (i % 3 == 0) {
            /* a chain past the 30 indented levels, with a branch at the end */
            xmlNodePtr el = root;
            int k;

            for (k = 0; k < 33 + (int)pick(5); k++)
                el = xmlNewChild(el, NULL, BAD_CAST "deep", NULL);
            random_tree(el, prefixed, 33);
        } else {
            random_tree(root, prefixed, 0);
        }
        snprintf(what, sizeof(what), "random tree %d", i);
        plain += same_text(doc, what);
    }
    assert_int_equal(plain, 3000);
}

/* ---- what libxml2 writes itself ------------------------------------------------------ */

static void test_left_to_libxml2(void **state)
{
    static const char *const docs[] = {
        "<a><!-- c --><b/></a>",
        "<a><?pi x?><b/></a>",
        "<a><![CDATA[<x>]]></a>",
        "<!DOCTYPE a [<!ELEMENT a ANY>]><a><b/></a>",
        "<!-- before --><a/>",
        "<?xml version=\"1.0\" standalone=\"yes\"?><a><b/></a>",
        "<a xmlns:q='urn:&quot;x'><b/></a>",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        xmlDocPtr doc = xmlReadMemory(docs[i], (int)strlen(docs[i]), "t.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

        assert_non_null(doc);
        assert_int_equal(same_text(doc, docs[i]), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_outputs),
        cmocka_unit_test(test_random_trees),
        cmocka_unit_test(test_left_to_libxml2),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
