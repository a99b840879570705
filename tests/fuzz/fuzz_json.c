/*
 * fuzz_json.c — JSON to its W3C XML representation and back: any bytes are
 * refused or converted; what converts writes JSON that converts again to
 * the same text (a fixed point after one round).
 */
#include "fuzz.h"
#include "mappings/map.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlDocPtr x = NULL, y = NULL;
    struct edi_buf a, b;
    struct edi_err err;

    if (map_json_to_xml(&x, (const char *)data, size, &err) < 0)
        return 0;
    edi_buf_init(&a, 1u << 22);
    edi_buf_init(&b, 1u << 22);
    if (map_xml_to_json(&a, x, 0, &err) == 0) {
        if (map_json_to_xml(&y, a.p, a.n, &err) < 0 || map_xml_to_json(&b, y, 0, &err) < 0 ||
            a.n != b.n || memcmp(a.p, b.p, a.n) != 0)
            abort();
    }
    xmlFreeDoc(x);
    xmlFreeDoc(y);
    edi_buf_dispose(&a);
    edi_buf_dispose(&b);
    return 0;
}
