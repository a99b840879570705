/*
 * fuzz_roundtrip.c — parse → write → parse is the identity: for input the
 * tokenizer reads without an error, every segment written back with the
 * same delimiters tokenizes into the same segments (trailing empty elements
 * aside). Input with errors must only not crash: what follows a broken ISA
 * depends on bytes the writer does not reproduce.
 */
#include "fuzz.h"
#include "edi/x12.h"

#include <stdlib.h>
#include <string.h>

static size_t trimmed(const struct edi_seg *s)
{
    size_t n = s->n;

    while (n > 0 && s->el[n].n == 0)
        n--;
    return n;
}

/* A segment of nothing but separators writes as an empty one, which the
 * tokenizer skips: it has no content to keep. */
static int empty(const struct edi_seg *s)
{
    return s->el[0].n == 0 && trimmed(s) == 0;
}

/* The next segment with content, or the end. */
static int next(struct edi_seg *s, struct edi_tok *t)
{
    int rc;

    while ((rc = edi_tok_next(s, t, NULL)) == EDI_OK && empty(s))
        ;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct edi_tok a, b;
    struct edi_seg sa, sb;
    struct edi_buf out;
    struct edi_writer w;
    struct edi_limits lim;
    int ra, rb, errors = 0;

    edi_limits_default(&lim);
    lim.max_segment = 4096;
    edi_buf_init(&out, 0);
    edi_tok_init(&a, &lim);
    edi_tok_feed(&a, (const char *)data, size);
    edi_tok_finish(&a);
    /* first pass: write every segment back */
    while ((ra = edi_tok_next(&sa, &a, NULL)) != EDI_DONE) {
        if (ra < 0) {
            errors++;
            continue;
        }
        edi_writer_init(&w, &out, &a.d, "\n");
        edi_w_seg(&w, sa.el, trimmed(&sa), NULL);
        /* with a newline terminator, CRs before it are line-end noise that
         * the tokenizer drops: a segment written back ending in CR (once its
         * trailing empty elements are gone) does not read back the same */
        if (a.d.seg == '\n' && out.n >= 3 && out.p[out.n - 3] == '\r')
            errors++;
    }
    edi_tok_dispose(&a);
    if (errors) {
        edi_buf_dispose(&out);
        return 0;
    }
    /* second pass: both streams give the same segments */
    edi_tok_init(&a, &lim);
    edi_tok_feed(&a, (const char *)data, size);
    edi_tok_finish(&a);
    edi_tok_init(&b, &lim);
    edi_tok_feed(&b, out.p ? out.p : "", out.n);
    edi_tok_finish(&b);
    for (;;) {
        size_t i, n;

        ra = next(&sa, &a);
        rb = next(&sb, &b);
        if (ra != rb)
            abort();
        if (ra == EDI_DONE)
            break;
        n = trimmed(&sa);
        if (n != trimmed(&sb))
            abort();
        for (i = 0; i <= n; i++)
            if (!edi_str_eqs(sa.el[i], sb.el[i]))
                abort();
    }
    edi_tok_dispose(&a);
    edi_tok_dispose(&b);
    edi_buf_dispose(&out);
    return 0;
}
