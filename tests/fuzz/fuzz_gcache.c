/*
 * fuzz_gcache.c — the guide cache's decoder (edi/guide_cache.c) on any
 * bytes: a guide, or (first byte odd) a code list. Whatever it accepts must
 * encode and decode again to the same bytes. The corpus holds real entries'
 * payloads (the stock 850s, 856, 997) and cuts of them.
 */
#include "edi/guide_cache.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static struct edi_codefile *dummy[4096];

static int resolve(void *ctx, struct edi_gc_ref *ref, struct edi_err *err)
{
    size_t *n = ctx;

    (void)err;
    /* distinct pointers, never dereferenced */
    ref->f = (struct edi_codefile *)&dummy[(*n)++ % 4096];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct edi_guide *g, *g2;
    struct edi_buf a, b;
    struct edi_gc_ref *refs;
    size_t nres = 0, nres2 = 0, nrefs, i;

    if (size == 0)
        return 0;
    if (data[0] & 1) {
        const struct edi_codes *c, *c2;
        struct edi_pool pl;

        edi_pool_init(&pl);
        if (edi_gcache_get_codes(&c, (const char *)data + 1, size - 1, &pl) == 0) {
            edi_buf_init(&a, 0);
            edi_gcache_put_codes(&a, c);
            if (edi_gcache_get_codes(&c2, a.p, a.n, &pl) != 0 || c2->n != c->n)
                abort();
            for (i = 0; i < c->n; i++)
                if (strcmp(c->v[i], c2->v[i]) != 0)
                    abort();
            edi_buf_dispose(&a);
        }
        edi_pool_dispose(&pl);
        return 0;
    }
    if (edi_gcache_get_guide(&g, (const char *)data + 1, size - 1, resolve, &nres, NULL) != 0)
        return 0;
    /* the refs again: dummy[0..nres) in the order resolved */
    refs = calloc(nres ? nres : 1, sizeof(*refs));
    for (i = 0; i < nres; i++)
        refs[i].f = (struct edi_codefile *)&dummy[i % 4096];
    nrefs = nres;
    edi_buf_init(&a, 0);
    edi_gcache_put_guide(&a, g, refs, nrefs);
    if (edi_gcache_get_guide(&g2, a.p, a.n, resolve, &nres2, NULL) != 0)
        abort();
    edi_buf_init(&b, 0);
    edi_gcache_put_guide(&b, g2, refs, nrefs);
    if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0)
        abort();
    edi_buf_dispose(&a);
    edi_buf_dispose(&b);
    free(refs);
    edi_gcache_guide_free(g);
    edi_gcache_guide_free(g2);
    return 0;
}
