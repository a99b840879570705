/*
 * guide_int.h — the guide registry's insides, shared by guide_load.c (the
 * registry, the cache, the code list files: libc only) and guide_xml.c (the
 * compile from XML: libxml2). Not for use outside those two files.
 *
 * Why two files: a registry made by edi_guides_new_cached() has no XML
 * side. It serves what the guide cache holds and marks itself `missed` for
 * anything else, so a program that links only guide_load.c (the wharf front,
 * cli/front.c) validates without loading libxml2 and the libraries it
 * brings, and leaves every other case to the program that has them.
 */
#ifndef WHARF_GUIDE_INT_H
#define WHARF_GUIDE_INT_H

#include "edi/guide.h"
#include "edi/guide_cache.h"

#include <pthread.h>
#include <stdatomic.h>

struct cached {
    char *id;
    struct edi_guide *g;
};

/* A code list file: registered when a guide that may need it compiles,
 * read the first time a value is checked against it (edi_codefile_get).
 * `read` is set, with release order, once `codes` holds the list (NULL
 * when the element has no file); a failed read leaves it unset, so the
 * next use reads the file again and reports the same error. */
struct edi_codefile {
    struct edi_guides *r;
    char version[7];
    char element[8];
    int must;                    /* a guide names it: no file is an error */
    const struct edi_codes *codes;
    atomic_int read;
};

/* What a compile read, for its cache entry: the guide files checked
 * against guide.xsd, and its code list references in order. */
struct record {
    struct edi_gc_input in[6];
    size_t nin;
    int over;                   /* more files than in[]: not cached */
    struct edi_gc_ref *refs;
    size_t nrefs, cap;
};

/* A code file's content: what the list is made of, however it was read. */
struct codedoc {
    char *v, *el, *b;           /* the root's version=, element=, base= (NULL: absent) */
    int root_ok;                /* the root is <codes> */
    char **code, **drop;        /* their texts, in file order */
    size_t ncode, ndrop, capcode, capdrop;
    char *other;                /* the first child that is neither, and its line */
    int other_line;
};

/* What only XML can do (guide_xml.c). */
struct edi_guides_xml {
    /* guide `id` from its XML file (and its base's), checked against guide.xsd */
    int (*compile)(struct edi_guide **out, struct edi_guides *r, const char *id,
                   struct edi_err *err);
    /* a code file the quick reader does not take, through libxml2 */
    int (*codes)(struct codedoc *d, struct edi_guides *r, const char *rel, struct edi_err *err);
    /* edi_guides_peek on a guide not compiled yet */
    int (*peek)(struct edi_guide_id *out, struct edi_guides *r, const char *id, int depth,
                struct edi_err *err);
    /* frees what compile kept (the schema) */
    void (*dispose)(struct edi_guides *r);
};

struct _xmlSchema;
struct _xmlDoc;

struct edi_guides {
    char *dir;
    const struct edi_guides_xml *xml;   /* NULL: the cache only (edi_guides_new_cached) */
    int missed;                 /* that registry was asked for what the cache does not hold */
    struct _xmlSchema *xsd;     /* read when a guide is first compiled from XML */
    struct _xmlDoc *xsd_doc;
    struct edi_gc_input xsd_in; /* its bytes' size and digest */
    struct edi_gcache *cache;   /* NULL: off */
    struct record *rec;         /* the compile under way, or NULL */
    struct cached *c;
    size_t n, cap;
    struct edi_codefile **cf;
    size_t ncf, capcf;
    pthread_mutex_t lock;       /* cf and pool, for first reads on any thread */
    struct edi_pool pool;       /* the code lists: guides borrow them */
};

/* A registry on schema_dir; xml NULL: from the cache only. */
int edi_gl_open(struct edi_guides **out, const char *schema_dir, const struct edi_guides_xml *xml,
                struct edi_err *err);
/* A guide's reference to a code list (guide_load.c code_ref). */
int edi_gl_code_ref(struct edi_codefile **out, struct edi_guides *r, const char *version,
                    const char *element, int must, struct edi_err *err);
void edi_gl_codedoc_add(char ***v, size_t *n, size_t *cap, char *s);

#endif
