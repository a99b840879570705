/*
 * guide_cache.h — compiled guides and code lists kept on disk between
 * processes (guide_cache.c), so a short command does not read, schema-check
 * and compile the guide XML on every start. Used by guide_load.c only (and
 * the cache reader's fuzz target).
 *
 * An entry is valid only for the exact bytes of every file that went into
 * it (their size and 128-bit digest are in the entry and checked on every
 * read), this build of wharf (the executable's GNU build id) and this
 * libxml2; anything else, and any entry that is truncated, corrupt or
 * unreadable, is a miss: the caller compiles from XML, as without a cache,
 * and writes the entry again.
 */
#ifndef WHARF_GUIDE_CACHE_H
#define WHARF_GUIDE_CACHE_H

#include "edi/guide.h"

/* A 128-bit digest of bytes: not cryptographic (the cache folder is the
 * user's own, 0700), but any edit of a file changes it. */
struct edi_digest {
    uint64_t h[2];
};

void edi_digest_of(struct edi_digest *d, const void *p, size_t n);

/* A file an entry was made from, relative to the schemas folder. */
struct edi_gc_input {
    char rel[128];
    uint64_t size;
    struct edi_digest d;
};

struct edi_gcache;

/* The cache for schema_dir, or NULL (no error) when it is off:
 * WHARF_GUIDE_CACHE=0, no folder to put it in, or a folder that is not the
 * user's alone. */
struct edi_gcache *edi_gcache_open(const char *schema_dir);
void edi_gcache_free(struct edi_gcache *c);

/* Entry `key`'s payload (malloc'd, *out) when the entry exists, is whole,
 * and every input file still has its size and digest; else -1. */
int edi_gcache_load(struct edi_gcache *c, const char *key, char **out, size_t *n);
/* Writes entry `key` (temp file, rename); failures are ignored. */
void edi_gcache_store(struct edi_gcache *c, const char *key, const struct edi_gc_input *in,
                      size_t nin, const void *payload, size_t n);

/* A guide's reference to a code list file, in the order the compile made
 * them: the load makes them again, in the same order (guide_load.c's
 * code_ref), so a file that is gone now fails as the compile would. */
struct edi_gc_ref {
    char version[7];
    char element[8];
    int must;
    struct edi_codefile *f;
};

typedef int (*edi_gc_resolve)(void *ctx, struct edi_gc_ref *ref, struct edi_err *err);

/* A compiled guide into bytes; refs: every code list file it names. */
void edi_gcache_put_guide(struct edi_buf *out, const struct edi_guide *g,
                          const struct edi_gc_ref *refs, size_t nrefs);
/* Those bytes back into a guide (*out, malloc'd, its pool holds the rest),
 * every count, index and length checked; resolve is called for each ref
 * first. 1 for bytes that are not a guide (err untouched); a resolve error
 * is returned as it is. */
int edi_gcache_get_guide(struct edi_guide **out, const char *p, size_t n, edi_gc_resolve resolve,
                         void *ctx, struct edi_err *err);
void edi_gcache_guide_free(struct edi_guide *g);
/* The walk's index of every loop (guide.c: locate, missing), made once a
 * guide's usage is final, by a compile and by a load alike. */
void edi_gcache_index_loops(struct edi_pool *pl, struct edi_gnode *n);

/* A code list (sorted, as edi_codes_sort leaves it) into bytes and back;
 * the list read back is sorted and indexed again in pool. */
void edi_gcache_put_codes(struct edi_buf *out, const struct edi_codes *c);
int edi_gcache_get_codes(const struct edi_codes **out, const char *p, size_t n,
                         struct edi_pool *pool);

#endif
