/*
 * fuzz_tok.c — the tokenizer and envelope parser on any bytes, fed in
 * pieces whose size comes from the input itself, so resumption at every
 * boundary is exercised. Whole and pieced feeding must agree.
 */
#include "fuzz.h"
#include "edi/x12.h"

#include <stdlib.h>
#include <string.h>

struct counts {
    unsigned long segs, sets, findings;
};

static int on_seg(void *ctx, const struct edi_seg *s, int depth)
{
    ((struct counts *)ctx)->segs++;
    return 0;
}

static int on_tx(void *ctx, struct edi_tx *tx)
{
    struct counts *c = ctx;

    c->sets++;
    c->findings += tx->findings.n;
    return 0;
}

static void run(struct counts *c, const uint8_t *data, size_t size, size_t piece)
{
    struct edi_x12_handler h = {.ctx = c, .tx = on_tx, .segment = on_seg};
    struct edi_x12_parser p;
    struct edi_limits lim;
    size_t off;

    edi_limits_default(&lim);
    lim.max_segment = 4096;
    lim.max_tx_segments = 200;
    memset(c, 0, sizeof(*c));
    edi_x12_parser_init(&p, &lim, &h);
    for (off = 0; off < size; off += piece)
        edi_x12_parser_feed(&p, (const char *)data + off, size - off < piece ? size - off : piece, NULL);
    edi_x12_parser_finish(&p, NULL);
    edi_x12_parser_dispose(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct counts whole, pieces;
    size_t piece = size ? (size_t)(data[0] % 13) + 1 : 1;

    run(&whole, data, size, size ? size : 1);
    run(&pieces, data, size, piece);
    if (whole.segs != pieces.segs || whole.sets != pieces.sets || whole.findings != pieces.findings)
        abort();
    return 0;
}
