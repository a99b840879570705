/*
 * fuzz_text.c — character sets of EDI values (edi/text.c) on any bytes:
 * every policy decides without reading past the value; what decodes as
 * ISO-8859-1 comes back byte for byte; what transliterates is ASCII (controls
 * are the validator's to name), and a refusal appends nothing.
 */
#include "fuzz.h"
#include "edi/text.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct edi_str v = {(const char *)data, size};
    struct edi_buf u, l, x;
    int mode;

    edi_buf_init(&u, 0);
    edi_buf_init(&l, 0);
    edi_buf_init(&x, 0);
    for (mode = EDI_TEXT_UTF8_LATIN1; mode <= EDI_TEXT_LATIN1; mode++) {
        size_t bad = 0;
        const char *why = NULL;
        int k = edi_text_decode_kind(v, (enum edi_text_in)mode, &bad, &why);

        if (k < 0 && (bad >= size || why == NULL))
            abort();
        if (k == 0 && mode != EDI_TEXT_LATIN1 && !edi_utf8_valid(v))
            abort();
        if (k == 1) {
            edi_buf_reset(&u);
            edi_buf_reset(&l);
            edi_latin1_to_utf8(&u, v);
            if (!edi_utf8_valid((struct edi_str){u.p, u.n}) ||
                edi_utf8_to_latin1(&l, (struct edi_str){u.p, u.n}) < 0 || l.n != size ||
                (size && memcmp(l.p, data, size) != 0))
                abort();
        }
    }
    for (mode = EDI_TEXT_TRANSLITERATE; mode <= EDI_TEXT_REFUSE; mode++) {
        uint32_t cp;
        size_t i;

        edi_buf_reset(&x);
        if (edi_text_to_x12(&x, v, (enum edi_text_out)mode, &cp) < 0) {
            if (x.n != 0)
                abort();
            continue;
        }
        for (i = 0; i < x.n; i++)
            if ((unsigned char)x.p[i] >= 0x80)
                abort();
    }
    edi_buf_dispose(&u);
    edi_buf_dispose(&l);
    edi_buf_dispose(&x);
    return 0;
}
