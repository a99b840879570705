/*
 * fuzz_xml.c — EDI-XML to X12 on any bytes: malformed XML, wrong names and
 * hex values give errors, never crashes.
 */
#include "edi/exml.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct edi_buf out;
    struct edi_err err;

    edi_buf_init(&out, 1u << 20);
    edi_xml_to_x12_mem(&out, (const char *)data, size, &err);
    edi_buf_dispose(&out);
    return 0;
}
