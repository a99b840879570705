/*
 * guide_cache.c — compiled guides and code lists on disk (guide_cache.h).
 *
 * Why a cache on disk and not guides compiled into the binary at build
 * time: it serves every guides folder (WHARF_SCHEMAS copies, partner guides
 * an operator edits), not only the stock one; it needs no generator in the
 * build; and what it reads is checked the same way whatever wrote it. The
 * price is a reader of untrusted bytes: every count, index and length below
 * is checked against what is left, the whole entry carries a digest, and
 * tests/fuzz/fuzz_gcache.c runs the decoder on any bytes.
 *
 * An entry file: "wharfgc\1", its full key (the salt; the schemas folder;
 * guide or code list name), its inputs (path under the schemas folder,
 * size, digest), the payload, and a digest of all of that. The file's name
 * is the digest of the key. Numbers are little endian. Entries are written
 * to a temporary name and renamed, so a reader sees an old entry or a new
 * one, whole; a folder that is not the user's alone (group or other may
 * write it) is not used.
 *
 * The salt is a digest of edi/'s sources and libxml2's version, which the
 * Makefile writes into build/gen/edi_salt.h: every program built from the
 * same edi/ shares the entries (the wharf front and its core, the sanitizer
 * build and the release build), and a change to the compiler or to this
 * format makes new ones.
 */
#include "edi/guide_cache.h"
/* EDI_GC_SALT, made by the Makefile */
#include "edi_salt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* LIMIT: an entry or an input file larger than this is a miss. */
#define GC_MAX_FILE ((size_t)16 << 20)

static const char magic[8] = {'w', 'h', 'a', 'r', 'f', 'g', 'c', 1};

/* ---- digest ------------------------------------------------------------------ */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

/* Two lanes, each a bijection of its state for a given word: two inputs of
 * one length that differ in one word always differ at the end. */
void edi_digest_of(struct edi_digest *d, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t a = 0x9e3779b97f4a7c15ULL ^ n, b = 0xc2b2ae3d27d4eb4fULL + n, w;
    size_t i;

    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        a = (a ^ w) * 0xff51afd7ed558ccdULL;
        a ^= a >> 31;
        b = (b + w) * 0xc4ceb9fe1a85ec53ULL;
        b ^= b >> 29;
    }
    if (i < n) {
        w = 0;
        memcpy(&w, s + i, n - i);
        a = (a ^ w) * 0xff51afd7ed558ccdULL;
        a ^= a >> 31;
        b = (b + w) * 0xc4ceb9fe1a85ec53ULL;
        b ^= b >> 29;
    }
    d->h[0] = mix(a);
    d->h[1] = mix(b ^ d->h[0]);
}

/* ---- bytes out ---------------------------------------------------------------- */

static void put_u(struct edi_buf *b, uint64_t v, int w)
{
    unsigned char x[8];
    int i;

    for (i = 0; i < w; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    edi_buf_put(b, x, (size_t)w);
}

/* NULL is length 0xFFFFFFFF */
static void put_s(struct edi_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    put_u(b, s ? n : 0xFFFFFFFFu, 4);
    if (s)
        edi_buf_put(b, s, n);
}

/* ---- bytes in: every read checked ------------------------------------------------ */

struct rd {
    const unsigned char *p, *e;
    int bad;
    struct edi_pool *pl;
};

static uint64_t get_u(struct rd *r, int w)
{
    uint64_t v = 0;
    int i;

    if (r->bad || r->e - r->p < w) {
        r->bad = 1;
        return 0;
    }
    for (i = 0; i < w; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += w;
    return v;
}

static void get_fixed(struct rd *r, char *dst, size_t n)
{
    if (r->bad || (size_t)(r->e - r->p) < n) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p, n);
    dst[n - 1] = '\0';
    r->p += n;
}

static const char *get_s(struct rd *r)
{
    uint64_t n = get_u(r, 4);
    const char *s;

    if (r->bad || n == 0xFFFFFFFFu)
        return NULL;
    if (n > (uint64_t)(r->e - r->p)) {
        r->bad = 1;
        return NULL;
    }
    s = edi_pool_strndup(r->pl, (const char *)r->p, (size_t)n);
    r->p += n;
    return s;
}

/* a count of items each at least `least` bytes long, that fits what is left */
static uint64_t get_count(struct rd *r, int w, size_t least)
{
    uint64_t n = get_u(r, w);

    if (!r->bad && n > (uint64_t)(r->e - r->p) / least)
        r->bad = 1;
    return r->bad ? 0 : n;
}

/* ---- a guide's bytes --------------------------------------------------------------- */

struct wctx {
    struct edi_buf *b;
    const struct edi_codes **codes;   /* the code lists, numbered */
    size_t ncodes, cap;
    const struct edi_gc_ref *refs;
    size_t nrefs;
    const struct edi_guide *g;
};

static void collect_codes(struct wctx *w, const struct edi_codes *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < w->ncodes; i++)
        if (w->codes[i] == c)
            return;
    if (w->ncodes == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->codes = edi_xrealloc(w->codes, w->cap * sizeof(*w->codes));
    }
    w->codes[w->ncodes++] = c;
}

static uint32_t codes_ix(const struct wctx *w, const struct edi_codes *c)
{
    size_t i;

    for (i = 0; c && i < w->ncodes; i++)
        if (w->codes[i] == c)
            return (uint32_t)(i + 1);
    return 0;
}

static uint32_t ref_ix(const struct wctx *w, const struct edi_codefile *f)
{
    size_t i;

    for (i = 0; f && i < w->nrefs; i++)
        if (w->refs[i].f == f)
            return (uint32_t)(i + 1);
    return 0;
}

static void collect_el(struct wctx *w, const struct edi_gel *e)
{
    uint16_t i;

    collect_codes(w, e->codes);
    collect_codes(w, e->pcodes);
    for (i = 0; i < e->ncomp; i++)
        collect_el(w, &e->comp[i]);
}

static void collect_node(struct wctx *w, const struct edi_gnode *n)
{
    uint32_t k;

    for (k = 0; k < n->nreq; k++)
        collect_codes(w, n->req[k].values);
    for (k = 0; k < n->nkid; k++)
        collect_node(w, &n->kid[k]);
}

static void put_rules(struct wctx *w, const struct edi_grule *r, uint16_t n)
{
    uint16_t i;
    int k;

    put_u(w->b, n, 2);
    for (i = 0; i < n; i++) {
        put_u(w->b, (unsigned char)r[i].kind, 1);
        put_u(w->b, r[i].n, 1);
        for (k = 0; k < 12; k++)
            put_u(w->b, r[i].pos[k], 2);
        put_u(w->b, r[i].mask, 8);
    }
}

#define GEL_LEAST 46

static void put_el(struct wctx *w, const struct edi_gel *e)
{
    uint16_t i;

    put_u(w->b, e->pos, 2);
    edi_buf_put(w->b, e->ref, sizeof(e->ref));
    put_s(w->b, e->name);
    put_u(w->b, (unsigned char)e->type, 1);
    put_u(w->b, e->ndec, 1);
    put_u(w->b, e->min, 4);
    put_u(w->b, e->max, 4);
    put_u(w->b, (unsigned char)e->usage, 1);
    put_u(w->b, e->repeat, 2);
    put_u(w->b, e->charset, 1);
    put_u(w->b, codes_ix(w, e->codes), 4);
    put_u(w->b, ref_ix(w, e->file), 4);
    put_u(w->b, codes_ix(w, e->pcodes), 4);
    put_u(w->b, e->ncomp, 2);
    for (i = 0; i < e->ncomp; i++)
        put_el(w, &e->comp[i]);
    put_rules(w, e->rules, e->nrules);
}

static void put_node(struct wctx *w, const struct edi_gnode *n)
{
    uint32_t k;

    put_u(w->b, (unsigned)n->loop, 1);
    edi_buf_put(w->b, n->id, sizeof(n->id));
    put_u(w->b, n->seg ? (uint64_t)(n->seg - w->g->segs) + 1 : 0, 4);
    put_u(w->b, (unsigned char)n->usage, 1);
    put_u(w->b, n->max, 4);
    put_s(w->b, n->note);
    put_u(w->b, n->nreq, 2);
    for (k = 0; k < n->nreq; k++) {
        put_u(w->b, n->req[k].pos, 2);
        put_u(w->b, codes_ix(w, n->req[k].values), 4);
        put_s(w->b, n->req[k].note);
        put_u(w->b, n->req[k].index, 4);
    }
    put_u(w->b, n->nkid, 4);
    for (k = 0; k < n->nkid; k++)
        put_node(w, &n->kid[k]);
}

void edi_gcache_put_guide(struct edi_buf *out, const struct edi_guide *g,
                          const struct edi_gc_ref *refs, size_t nrefs)
{
    struct wctx w;
    size_t i, j;
    uint16_t k;

    memset(&w, 0, sizeof(w));
    w.b = out;
    w.refs = refs;
    w.nrefs = nrefs;
    w.g = g;
    for (i = 0; i < g->nsegs; i++) {
        for (k = 0; k < g->segs[i].nel; k++)
            collect_el(&w, &g->segs[i].el[k]);
        for (k = 0; k < g->segs[i].nconds; k++)
            collect_codes(&w, g->segs[i].conds[k].codes);
    }
    collect_node(&w, &g->root);
    for (i = 0; i < g->nlevels; i++) {
        collect_codes(&w, g->levels[i].parents);
        collect_codes(&w, g->levels[i].require);
    }
    put_s(out, g->id);
    put_s(out, g->base);
    put_s(out, g->name);
    edi_buf_put(out, g->version, sizeof(g->version));
    edi_buf_put(out, g->set, sizeof(g->set));
    edi_buf_put(out, g->group, sizeof(g->group));
    put_u(out, (unsigned)g->v5010, 1);
    put_u(out, g->nreq, 4);
    put_u(out, w.ncodes, 4);
    for (i = 0; i < w.ncodes; i++) {
        put_u(out, w.codes[i]->n, 4);
        for (j = 0; j < w.codes[i]->n; j++)
            put_s(out, w.codes[i]->v[j]);
    }
    put_u(out, nrefs, 4);
    for (i = 0; i < nrefs; i++) {
        edi_buf_put(out, refs[i].version, sizeof(refs[i].version));
        edi_buf_put(out, refs[i].element, sizeof(refs[i].element));
        put_u(out, (unsigned)refs[i].must, 1);
    }
    put_u(out, g->nsegs, 4);
    for (i = 0; i < g->nsegs; i++) {
        const struct edi_gseg *s = &g->segs[i];

        edi_buf_put(out, s->id, sizeof(s->id));
        put_s(out, s->name);
        put_u(out, s->nel, 2);
        for (k = 0; k < s->nel; k++)
            put_el(&w, &s->el[k]);
        put_rules(&w, s->rules, s->nrules);
        put_u(out, s->nconds, 2);
        for (k = 0; k < s->nconds; k++) {
            const struct edi_gcond *c = &s->conds[k];

            put_u(out, c->when_pos, 2);
            put_s(out, c->when_val);
            put_u(out, c->pos, 2);
            put_u(out, c->comp, 2);
            put_u(out, (unsigned char)c->usage, 1);
            put_u(out, c->min, 4);
            put_u(out, c->max, 4);
            put_u(out, c->charset, 1);
            put_u(out, codes_ix(&w, c->codes), 4);
            put_s(out, c->note);
        }
        put_u(out, s->last_m, 2);
    }
    put_node(&w, &g->root);
    put_u(out, g->nlevels, 4);
    for (i = 0; i < g->nlevels; i++) {
        edi_buf_put(out, g->levels[i].code, sizeof(g->levels[i].code));
        put_s(out, g->levels[i].name);
        put_u(out, codes_ix(&w, g->levels[i].parents), 4);
        put_u(out, codes_ix(&w, g->levels[i].require), 4);
    }
    free(w.codes);
}

struct gctx {
    struct rd r;
    struct edi_guide *g;
    const struct edi_codes **codes;
    uint32_t ncodes;
    struct edi_codefile **files;
    uint32_t nfiles;
};

static const struct edi_codes *get_codes_ix(struct gctx *c)
{
    uint64_t i = get_u(&c->r, 4);

    if (i > c->ncodes)
        c->r.bad = 1;
    return c->r.bad || i == 0 ? NULL : c->codes[i - 1];
}

static void get_rules(struct gctx *c, struct edi_grule **out, uint16_t *nout)
{
    uint64_t n = get_count(&c->r, 2, 34), i;
    int k;

    *nout = (uint16_t)n;
    *out = n ? edi_pool_alloc(&c->g->pool, n * sizeof(**out)) : NULL;
    for (i = 0; i < n && !c->r.bad; i++) {
        (*out)[i].kind = (char)get_u(&c->r, 1);
        (*out)[i].n = (uint8_t)get_u(&c->r, 1);
        for (k = 0; k < 12; k++)
            (*out)[i].pos[k] = (uint16_t)get_u(&c->r, 2);
        (*out)[i].mask = get_u(&c->r, 8);
        if ((*out)[i].n > 12)
            c->r.bad = 1;
    }
}

static void get_el(struct gctx *c, struct edi_gel *e, int depth)
{
    uint64_t i, n;

    e->pos = (uint16_t)get_u(&c->r, 2);
    get_fixed(&c->r, e->ref, sizeof(e->ref));
    e->name = get_s(&c->r);
    e->type = (char)get_u(&c->r, 1);
    e->ndec = (uint8_t)get_u(&c->r, 1);
    e->min = (uint32_t)get_u(&c->r, 4);
    e->max = (uint32_t)get_u(&c->r, 4);
    e->usage = (char)get_u(&c->r, 1);
    e->repeat = (uint16_t)get_u(&c->r, 2);
    e->charset = (uint8_t)get_u(&c->r, 1);
    e->codes = get_codes_ix(c);
    i = get_u(&c->r, 4);
    if (i > c->nfiles)
        c->r.bad = 1;
    e->file = c->r.bad || i == 0 ? NULL : c->files[i - 1];
    e->pcodes = get_codes_ix(c);
    n = get_count(&c->r, 2, GEL_LEAST);
    /* a component is never a composite */
    if (n && depth > 0)
        c->r.bad = 1;
    e->ncomp = (uint16_t)n;
    e->comp = n ? edi_pool_alloc(&c->g->pool, n * sizeof(*e->comp)) : NULL;
    for (i = 0; i < n && !c->r.bad; i++) {
        get_el(c, &e->comp[i], depth + 1);
        if (e->comp[i].pos != i + 1)
            c->r.bad = 1;
    }
    get_rules(c, &e->rules, &e->nrules);
}

#define NODE_LEAST 26

static void get_node(struct gctx *c, struct edi_gnode *n, struct edi_gnode *parent, int depth)
{
    uint64_t k, nreq, nkid, s;

    if (depth > 64) {
        c->r.bad = 1;
        return;
    }
    n->parent = parent;
    n->loop = get_u(&c->r, 1) != 0;
    get_fixed(&c->r, n->id, sizeof(n->id));
    s = get_u(&c->r, 4);
    if (s > c->g->nsegs)
        c->r.bad = 1;
    n->seg = c->r.bad || s == 0 ? NULL : &c->g->segs[s - 1];
    n->usage = (char)get_u(&c->r, 1);
    n->max = (uint32_t)get_u(&c->r, 4);
    n->note = get_s(&c->r);
    nreq = get_count(&c->r, 2, 14);
    n->nreq = (uint16_t)nreq;
    n->req = nreq ? edi_pool_alloc(&c->g->pool, nreq * sizeof(*n->req)) : NULL;
    for (k = 0; k < nreq && !c->r.bad; k++) {
        n->req[k].pos = (uint16_t)get_u(&c->r, 2);
        n->req[k].values = get_codes_ix(c);
        n->req[k].note = get_s(&c->r);
        n->req[k].index = (uint32_t)get_u(&c->r, 4);
        if (n->req[k].index >= c->g->nreq)
            c->r.bad = 1;
    }
    nkid = get_count(&c->r, 4, NODE_LEAST);
    /* as node_of leaves them: a loop starts with a segment, a segment is one */
    if (c->r.bad || (!n->loop && (nkid || n->seg == NULL)) || (n->loop && nkid == 0)) {
        c->r.bad = 1;
        return;
    }
    n->nkid = (uint32_t)nkid;
    n->kid = n->loop ? edi_pool_alloc(&c->g->pool, nkid * sizeof(*n->kid)) : NULL;
    for (k = 0; k < nkid && !c->r.bad; k++)
        get_node(c, &n->kid[k], n, depth + 1);
    if (!c->r.bad && n->loop && n->kid[0].loop)
        c->r.bad = 1;
}

/* The walk's index of every loop, as guide_load.c's index_loops makes it. */
static int first_cmp(const void *a, const void *b)
{
    const struct edi_gfirst *x = a, *y = b;

    return x->key < y->key ? -1 : x->key > y->key ? 1 : x->kid < y->kid ? -1 : x->kid > y->kid;
}

static void index_loops(struct edi_pool *pl, struct edi_gnode *n)
{
    uint32_t k, j, u;

    if (!n->loop)
        return;
    n->next_m = edi_pool_alloc(pl, (n->nkid + 1) * sizeof(*n->next_m));
    n->next_same = edi_pool_alloc(pl, (n->nkid ? n->nkid : 1) * sizeof(*n->next_same));
    n->first = edi_pool_alloc(pl, (n->nkid ? n->nkid : 1) * sizeof(*n->first));
    n->next_m[n->nkid] = n->nkid;
    for (k = n->nkid; k-- > 0;)
        n->next_m[k] = n->kid[k].usage == 'M' ? k : n->next_m[k + 1];
    for (k = 0; k < n->nkid; k++) {
        n->next_same[k] = n->nkid;
        for (j = k + 1; j < n->nkid; j++)
            if (n->kid[j].seg && n->kid[k].seg && n->kid[j].seg->key == n->kid[k].seg->key) {
                n->next_same[k] = j;
                break;
            }
        n->first[k].key = n->kid[k].seg ? n->kid[k].seg->key : 0;
        n->first[k].kid = k;
    }
    qsort(n->first, n->nkid, sizeof(*n->first), first_cmp);
    for (k = u = 0; k < n->nkid; k++)
        if (n->first[k].key && (u == 0 || n->first[u - 1].key != n->first[k].key))
            n->first[u++] = n->first[k];
    n->nfirst = u;
    for (k = 0; k < n->nkid; k++)
        index_loops(pl, &n->kid[k]);
}

void edi_gcache_index_loops(struct edi_pool *pl, struct edi_gnode *n)
{
    index_loops(pl, n);
}

static int seg_id_is(const struct edi_gnode *n, const char *id)
{
    return !n->loop && n->seg && strcmp(n->seg->id, id) == 0;
}

int edi_gcache_get_guide(struct edi_guide **out, const char *p, size_t n, edi_gc_resolve resolve,
                         void *ctx, struct edi_err *err)
{
    struct gctx c;
    struct edi_guide *g = edi_xcalloc(1, sizeof(*g));
    uint64_t i, j, m;
    int rc = 1;

    *out = NULL;
    memset(&c, 0, sizeof(c));
    edi_pool_init(&g->pool);
    c.g = g;
    c.r.p = (const unsigned char *)p;
    c.r.e = c.r.p + n;
    c.r.pl = &g->pool;
    g->id = get_s(&c.r);
    g->base = get_s(&c.r);
    g->name = get_s(&c.r);
    get_fixed(&c.r, g->version, sizeof(g->version));
    get_fixed(&c.r, g->set, sizeof(g->set));
    get_fixed(&c.r, g->group, sizeof(g->group));
    g->v5010 = get_u(&c.r, 1) != 0;
    g->nreq = (uint32_t)get_u(&c.r, 4);
    c.ncodes = (uint32_t)get_count(&c.r, 4, 4);
    c.codes = edi_xcalloc(c.ncodes ? c.ncodes : 1, sizeof(*c.codes));
    for (i = 0; i < c.ncodes && !c.r.bad; i++) {
        struct edi_codes *cs = edi_pool_alloc(&g->pool, sizeof(*cs));

        m = get_count(&c.r, 4, 4);
        cs->n = (size_t)m;
        cs->v = m ? edi_pool_alloc(&g->pool, m * sizeof(*cs->v)) : NULL;
        for (j = 0; j < m && !c.r.bad; j++)
            if ((cs->v[j] = get_s(&c.r)) == NULL)
                c.r.bad = 1;
        if (c.r.bad)
            break;
        edi_codes_sort(cs, &g->pool);
        c.codes[i] = cs;
    }
    c.nfiles = (uint32_t)get_count(&c.r, 4, 16);
    c.files = edi_xcalloc(c.nfiles ? c.nfiles : 1, sizeof(*c.files));
    for (i = 0; i < c.nfiles && !c.r.bad; i++) {
        struct edi_gc_ref ref;

        memset(&ref, 0, sizeof(ref));
        get_fixed(&c.r, ref.version, sizeof(ref.version));
        get_fixed(&c.r, ref.element, sizeof(ref.element));
        ref.must = get_u(&c.r, 1) != 0;
        if (c.r.bad)
            break;
        if ((rc = resolve(ctx, &ref, err)) < 0)
            goto out;
        rc = 1;
        c.files[i] = ref.f;
    }
    m = get_count(&c.r, 4, 4 + 4 + 2);
    g->nsegs = (size_t)m;
    g->segs = edi_pool_alloc(&g->pool, (m ? m : 1) * sizeof(*g->segs));
    for (i = 0; i < m && !c.r.bad; i++) {
        struct edi_gseg *s = &g->segs[i];
        uint64_t k, nel, nc;

        get_fixed(&c.r, s->id, sizeof(s->id));
        s->key = edi_seg_key(edi_str_c(s->id));
        s->name = get_s(&c.r);
        nel = get_count(&c.r, 2, GEL_LEAST);
        s->nel = (uint16_t)nel;
        s->el = edi_pool_alloc(&g->pool, (nel ? nel : 1) * sizeof(*s->el));
        for (k = 0; k < nel && !c.r.bad; k++) {
            get_el(&c, &s->el[k], 0);
            if (s->el[k].pos != k + 1)
                c.r.bad = 1;
        }
        get_rules(&c, &s->rules, &s->nrules);
        nc = get_count(&c.r, 2, 28);
        s->nconds = (uint16_t)nc;
        s->conds = nc ? edi_pool_alloc(&g->pool, nc * sizeof(*s->conds)) : NULL;
        for (k = 0; k < nc && !c.r.bad; k++) {
            struct edi_gcond *cd = &s->conds[k];

            cd->when_pos = (uint16_t)get_u(&c.r, 2);
            cd->when_val = get_s(&c.r);
            cd->pos = (uint16_t)get_u(&c.r, 2);
            cd->comp = (uint16_t)get_u(&c.r, 2);
            cd->usage = (char)get_u(&c.r, 1);
            cd->min = (uint32_t)get_u(&c.r, 4);
            cd->max = (uint32_t)get_u(&c.r, 4);
            cd->charset = (uint8_t)get_u(&c.r, 1);
            cd->codes = get_codes_ix(&c);
            cd->note = get_s(&c.r);
            /* restrict_element's: an element (or component) of the segment */
            if (!c.r.bad && (cd->pos < 1 || cd->pos > s->nel ||
                             cd->comp > s->el[cd->pos - 1].ncomp))
                c.r.bad = 1;
        }
        s->last_m = (uint16_t)get_u(&c.r, 2);
        if (s->last_m > s->nel)
            c.r.bad = 1;
    }
    for (i = 1; i < m && !c.r.bad; i++)
        if (strcmp(g->segs[i - 1].id, g->segs[i].id) >= 0)
            c.r.bad = 1;
    if (!c.r.bad)
        get_node(&c, &g->root, NULL, 0);
    /* compile_base's: the structure starts with ST and ends with SE */
    if (!c.r.bad && (!g->root.loop || g->root.nkid < 2 || !seg_id_is(&g->root.kid[0], "ST") ||
                     !seg_id_is(&g->root.kid[g->root.nkid - 1], "SE")))
        c.r.bad = 1;
    m = get_count(&c.r, 4, 4 + 4 + 8);
    g->nlevels = (size_t)m;
    g->levels = edi_pool_alloc(&g->pool, (m ? m : 1) * sizeof(*g->levels));
    for (i = 0; i < m && !c.r.bad; i++) {
        get_fixed(&c.r, g->levels[i].code, sizeof(g->levels[i].code));
        g->levels[i].name = get_s(&c.r);
        g->levels[i].parents = get_codes_ix(&c);
        g->levels[i].require = get_codes_ix(&c);
        if (g->levels[i].parents == NULL)
            c.r.bad = 1;
    }
    if (c.r.bad || c.r.p != c.r.e)
        goto out;
    index_loops(&g->pool, &g->root);
    *out = g;
    g = NULL;
    rc = 0;
out:
    free(c.codes);
    free(c.files);
    edi_gcache_guide_free(g);
    return rc;
}

void edi_gcache_guide_free(struct edi_guide *g)
{
    if (g == NULL)
        return;
    edi_pool_dispose(&g->pool);
    free(g);
}

void edi_gcache_put_codes(struct edi_buf *out, const struct edi_codes *c)
{
    size_t i;

    put_u(out, c->n, 4);
    for (i = 0; i < c->n; i++)
        put_s(out, c->v[i]);
}

int edi_gcache_get_codes(const struct edi_codes **out, const char *p, size_t n,
                         struct edi_pool *pool)
{
    struct edi_pool tmp;
    struct rd r = {(const unsigned char *)p, (const unsigned char *)p + n, 0, &tmp};
    struct edi_codes *cs;
    const char **v;
    uint64_t m, i;

    *out = NULL;
    m = get_count(&r, 4, 4);
    /* read_code_file makes no empty list */
    if (r.bad || m == 0)
        return -1;
    /* checked whole before anything goes into the registry's pool */
    edi_pool_init(&tmp);
    v = edi_xcalloc(m, sizeof(*v));
    for (i = 0; i < m && !r.bad; i++)
        if ((v[i] = get_s(&r)) == NULL)
            r.bad = 1;
    if (r.bad || r.p != r.e) {
        free(v);
        edi_pool_dispose(&tmp);
        return -1;
    }
    cs = edi_pool_alloc(pool, sizeof(*cs));
    cs->v = edi_pool_alloc(pool, m * sizeof(*cs->v));
    for (i = 0; i < m; i++)
        cs->v[i] = edi_pool_strdup(pool, v[i]);
    cs->n = (size_t)m;
    free(v);
    edi_pool_dispose(&tmp);
    edi_codes_sort(cs, pool);
    *out = cs;
    return 0;
}

/* ---- the folder and its entries ------------------------------------------------------ */

struct edi_gcache {
    char *dir;          /* the cache folder */
    char *schemas;      /* the schemas folder, as given */
};

/* dir and the folders above it that are missing, 0700 */
static int make_dir(char *dir)
{
    char *s;

    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -1;
    s = strrchr(dir, '/');
    if (s == NULL || s == dir)
        return -1;
    *s = '\0';
    if (make_dir(dir) < 0) {
        *s = '/';
        return -1;
    }
    *s = '/';
    return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

struct edi_gcache *edi_gcache_open(const char *schema_dir)
{
    const char *v = getenv("WHARF_GUIDE_CACHE"), *home;
    struct edi_gcache *c;
    struct edi_buf b;
    struct stat st;

    if (v && strcmp(v, "0") == 0)
        return NULL;
    edi_buf_init(&b, 8192);
    if (v && *v)
        edi_buf_puts(&b, v);
    else if ((home = getenv("XDG_CACHE_HOME")) != NULL && home[0] == '/')
        edi_buf_printf(&b, "%s/wharf/guides", home);
    else if ((home = getenv("HOME")) != NULL && home[0] == '/')
        edi_buf_printf(&b, "%s/.cache/wharf/guides", home);
    else {
        edi_buf_dispose(&b);
        return NULL;
    }
    /* only a folder of ours that nobody else may write into */
    if (b.err || make_dir((char *)edi_buf_cstr(&b)) < 0 || lstat(edi_buf_cstr(&b), &st) != 0 ||
        !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
        edi_buf_dispose(&b);
        return NULL;
    }
    c = edi_xcalloc(1, sizeof(*c));
    c->dir = edi_xstrdup(edi_buf_cstr(&b));
    c->schemas = edi_xstrdup(schema_dir);
    edi_buf_dispose(&b);
    return c;
}

void edi_gcache_free(struct edi_gcache *c)
{
    if (c == NULL)
        return;
    free(c->dir);
    free(c->schemas);
    free(c);
}

/* the entry's full key, and the path of its file */
static void entry_of(struct edi_gcache *c, const char *key, struct edi_buf *full, char *path,
                     size_t npath)
{
    struct edi_digest d;

    edi_buf_init(full, 0);
    edi_buf_puts(full, EDI_GC_SALT);
    edi_buf_putc(full, '\n');
    edi_buf_puts(full, c->schemas);
    edi_buf_putc(full, '\n');
    edi_buf_puts(full, key);
    edi_digest_of(&d, full->p, full->n);
    snprintf(path, npath, "%s/%016llx%016llx", c->dir, (unsigned long long)d.h[0],
             (unsigned long long)d.h[1]);
}

/* A whole regular file of at most GC_MAX_FILE bytes; never blocks on a
 * FIFO or a device. */
static int read_small(char **out, size_t *n, const char *path, int nofollow)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    struct stat st;
    size_t got = 0;
    char *p;

    *out = NULL;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > GC_MAX_FILE) {
        close(fd);
        return -1;
    }
    p = edi_xmalloc((size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t k = read(fd, p + got, (size_t)st.st_size - got);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        free(p);
        return -1;
    }
    p[got] = '\0';
    *out = p;
    *n = got;
    return 0;
}

/* a path under the schemas folder, as compiles record them */
static int rel_ok(const char *s)
{
    const char *p;

    if (s[0] == '\0' || s[0] == '/' || strstr(s, "..") || strstr(s, "//"))
        return 0;
    for (p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '/' || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

int edi_gcache_load(struct edi_gcache *c, const char *key, char **out, size_t *n)
{
    struct edi_buf full;
    char path[4096], *data = NULL, *in = NULL;
    size_t len, inlen;
    struct edi_digest d, want;
    struct edi_pool pl;
    struct rd r;
    uint64_t nin, i, klen, plen;
    int rc = -1;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return -1;
    entry_of(c, key, &full, path, sizeof(path));
    edi_pool_init(&pl);
    if (read_small(&data, &len, path, 1) < 0 || len < sizeof(magic) + 16)
        goto out;
    edi_digest_of(&d, data, len - 16);
    r.p = (const unsigned char *)data + len - 16;
    r.e = r.p + 16;
    r.bad = 0;
    r.pl = &pl;
    want.h[0] = get_u(&r, 8);
    want.h[1] = get_u(&r, 8);
    if (d.h[0] != want.h[0] || d.h[1] != want.h[1] || memcmp(data, magic, sizeof(magic)) != 0)
        goto out;
    r.p = (const unsigned char *)data + sizeof(magic);
    r.e = (const unsigned char *)data + len - 16;
    klen = get_u(&r, 4);
    if (r.bad || klen != full.n || (uint64_t)(r.e - r.p) < klen || memcmp(r.p, full.p, full.n) != 0)
        goto out;
    r.p += klen;
    nin = get_count(&r, 4, 2 + 24);
    for (i = 0; i < nin && !r.bad; i++) {
        char rel[128], file[4096];
        uint64_t rl = get_u(&r, 2), size;

        if (r.bad || rl == 0 || rl >= sizeof(rel) || rl > (uint64_t)(r.e - r.p))
            goto out;
        memcpy(rel, r.p, rl);
        rel[rl] = '\0';
        r.p += rl;
        size = get_u(&r, 8);
        want.h[0] = get_u(&r, 8);
        want.h[1] = get_u(&r, 8);
        if (r.bad || strlen(rel) != rl || !rel_ok(rel) ||
            edi_fmt(file, sizeof(file), NULL, "%s/%s", c->schemas, rel) < 0 ||
            read_small(&in, &inlen, file, 0) < 0)
            goto out;
        edi_digest_of(&d, in, inlen);
        free(in);
        in = NULL;
        if (inlen != size || d.h[0] != want.h[0] || d.h[1] != want.h[1])
            goto out;
    }
    plen = get_u(&r, 8);
    if (r.bad || plen != (uint64_t)(r.e - r.p))
        goto out;
    *out = edi_xmalloc(plen ? plen : 1);
    memcpy(*out, r.p, plen);
    *n = (size_t)plen;
    rc = 0;
out:
    free(in);
    free(data);
    edi_pool_dispose(&pl);
    edi_buf_dispose(&full);
    return rc;
}

void edi_gcache_store(struct edi_gcache *c, const char *key, const struct edi_gc_input *in,
                      size_t nin, const void *payload, size_t n)
{
    struct edi_buf full, b;
    struct edi_digest d;
    char path[4096], tmp[4200];
    size_t i, off = 0;
    int fd;

    if (c == NULL)
        return;
    entry_of(c, key, &full, path, sizeof(path));
    edi_buf_init(&b, 0);
    edi_buf_put(&b, magic, sizeof(magic));
    put_u(&b, full.n, 4);
    edi_buf_put(&b, full.p, full.n);
    put_u(&b, nin, 4);
    for (i = 0; i < nin; i++) {
        put_u(&b, strlen(in[i].rel), 2);
        edi_buf_puts(&b, in[i].rel);
        put_u(&b, in[i].size, 8);
        put_u(&b, in[i].d.h[0], 8);
        put_u(&b, in[i].d.h[1], 8);
    }
    put_u(&b, n, 8);
    edi_buf_put(&b, payload, n);
    edi_digest_of(&d, b.p, b.n);
    put_u(&b, d.h[0], 8);
    put_u(&b, d.h[1], 8);
    snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd >= 0) {
        while (off < b.n) {
            ssize_t k = write(fd, b.p + off, b.n - off);

            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            off += (size_t)k;
        }
        if (close(fd) != 0 || off != b.n || rename(tmp, path) != 0)
            unlink(tmp);
    }
    edi_buf_dispose(&b);
    edi_buf_dispose(&full);
}
