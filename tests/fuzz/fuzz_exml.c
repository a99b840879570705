/*
 * fuzz_exml.c — X12 to the per-set EDI-XML documents on any bytes, both
 * ways: the trees edi_x12_to_xml_docs builds must be the documents the text
 * writer and parser make of the same walk (edi_x12_to_xml_docs_text), node
 * for node and serialised, with the same result and message; the text mode
 * is chosen by the last byte. The documents made later from the sets'
 * copies (edi_x12_tx_copies, edi_tx_copy_doc: the map workers' path) must
 * be those trees too.
 */
#include "edi/exml.h"
#include "fuzz.h"
#include "xmlsame.h"

#include <stdlib.h>
#include <string.h>

static struct edi_guides *guides;

static void quiet(void *ctx, const char *msg, ...)
{
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum edi_text_in modes[] = {EDI_TEXT_UTF8_LATIN1, EDI_TEXT_UTF8, EDI_TEXT_LATIN1};
    enum edi_text_in mode = modes[size ? data[size - 1] % 3 : 0];
    struct xs_docs a = {0}, b = {0};
    struct edi_err ea, eb;
    char why[400];
    int ra, rb;
    size_t i;

    if (guides == NULL) {
        struct edi_err err;

        if (edi_guides_new(&guides, WHARF_SCHEMAS_DIR, &err) < 0)
            abort();
        xmlSetGenericErrorFunc(NULL, quiet);
    }
    edi_err_clear(&ea);
    edi_err_clear(&eb);
    ra = edi_x12_to_xml_docs((const char *)data, size, guides, NULL, mode, xs_keep, &a, &ea);
    rb = edi_x12_to_xml_docs_text((const char *)data, size, guides, NULL, mode, xs_keep, &b, &eb);
    if (ra != rb || a.n != b.n || strcmp(ea.msg, eb.msg) != 0) {
        fprintf(stderr, "fuzz_exml: rc %d/%d, %zu/%zu sets, '%s'/'%s'\n", ra, rb, a.n, b.n, ea.msg, eb.msg);
        abort();
    }
    for (i = 0; i < a.n; i++) {
        if (xml_docs_same(a.d[i], b.d[i], why, sizeof(why)) < 0) {
            fprintf(stderr, "fuzz_exml: set %zu: %s\n", i + 1, why);
            abort();
        }
    }
    {
        struct xs_copies k = {0};

        edi_err_clear(&eb);
        edi_x12_tx_copies((const char *)data, size, mode, xs_keep_copy, &k, &eb);
        if (k.n < a.n) {
            fprintf(stderr, "fuzz_exml: %zu copies for %zu documents\n", k.n, a.n);
            abort();
        }
        for (i = 0; i < k.n; i++) {
            xmlDocPtr d = NULL;

            edi_err_clear(&eb);
            if (edi_tx_copy_doc(&d, k.c[i], guides, NULL, mode, &eb) == 0 && i < a.n &&
                (d == NULL || xml_docs_same(a.d[i], d, why, sizeof(why)) < 0)) {
                fprintf(stderr, "fuzz_exml: set %zu from its copy: %s\n", i + 1, d ? why : "no document");
                abort();
            }
            xmlFreeDoc(d);
            edi_tx_copy_free(k.c[i]);
        }
    }
    xs_free(&a);
    xs_free(&b);
    return 0;
}
