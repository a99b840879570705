/*
 * guide.h — compiled X12 guides and guide-driven validation.
 *
 * A guide is loaded from XML (schemas/guide.xsd) by guide_xml.c, which owns
 * libxml2, for the registry of guide_load.c; guide.c validates transaction
 * sets against the compiled form with libc only. The structure walk is
 * shared by validation and by EDI⇄XML (exml.c), which needs the loops.
 */
#ifndef WHARF_GUIDE_H
#define WHARF_GUIDE_H

#include "edi/x12.h"

/* A sorted list of codes. */
struct edi_codes {
    size_t n;
    const char **v;        /* sorted, for messages */
    uint64_t *keys;        /* sorted packed codes, when every code fits 7 bytes */
    uint64_t *hash;        /* the keys again, open addressing (longer lists) */
    unsigned hbits;        /* the table has 1 << hbits slots */
};

/* A data element's code list file (x12/codes/VERSION/ELEMENT.xml), read
 * the first time a value is checked against it, then kept by the registry
 * and shared by every guide it compiled (guide_load.c). */
struct edi_codefile;

/* A segment id packed with its length: ids compare as integers. 0 for an
 * id that is empty or longer than 3. */
static inline uint32_t edi_seg_key(struct edi_str id)
{
    if (id.n == 0 || id.n > 3)
        return 0;
    return ((uint32_t)(unsigned char)id.p[0] << 24) |
           ((uint32_t)(id.n > 1 ? (unsigned char)id.p[1] : 0) << 16) |
           ((uint32_t)(id.n > 2 ? (unsigned char)id.p[2] : 0) << 8) | (uint32_t)id.n;
}

enum edi_charset { EDI_CS_ANY = 0, EDI_CS_DIGITS, EDI_CS_ALNUM, EDI_CS_UPPER };

struct edi_grule {
    char kind;            /* P R E C L */
    uint8_t n;
    uint16_t pos[12];
    uint64_t mask;        /* bit p for each pos p, when all are distinct and < 64; else 0 */
};

/* An element, or a component of a composite. */
struct edi_gel {
    uint16_t pos;
    char ref[8];
    const char *name;
    char type;             /* A(N) I(D) N R D(T) T(M) B; 'C' composite */
    uint8_t ndec;          /* Nn: implied decimals */
    uint32_t min, max;
    char usage;            /* M O C N */
    uint16_t repeat;       /* 5010 repetitions allowed, >= 1 */
    uint8_t charset;       /* enum edi_charset (partner) */
    const struct edi_codes *codes;    /* the standard's list, or NULL */
    struct edi_codefile *file;        /* or its file, read on first use */
    const struct edi_codes *pcodes;   /* a partner's subset, or NULL */
    struct edi_gel *comp;             /* composite: its components */
    uint16_t ncomp;
    struct edi_grule *rules;          /* composite syntax rules */
    uint16_t nrules;
};

/* A partner restriction that applies only when another element of the
 * segment has a value (when="1=GM"). */
struct edi_gcond {
    uint16_t when_pos;
    const char *when_val;
    uint16_t pos, comp;
    char usage;             /* 0: unchanged */
    uint32_t min, max;      /* 0: unchanged */
    uint8_t charset;
    const struct edi_codes *codes;
    const char *note;
};

struct edi_gseg {
    char id[4];
    uint32_t key;          /* edi_seg_key(id) */
    const char *name;
    struct edi_gel *el;
    uint16_t nel;
    struct edi_grule *rules;
    uint16_t nrules;
    struct edi_gcond *conds;
    uint16_t nconds;
    uint16_t last_m;       /* the last mandatory element's position, 0: none */
};

/* <require>: some occurrence of the node has element pos in values. */
struct edi_greq {
    uint16_t pos;
    const struct edi_codes *values;
    const char *note;
    uint32_t index;         /* slot in the walk's bookkeeping */
};

/* A loop's first kid for a segment id. */
struct edi_gfirst {
    uint32_t key;                  /* edi_seg_key */
    uint32_t kid;
};

struct edi_gnode {
    int loop;
    char id[8];                    /* loop id, or segment id */
    const struct edi_gseg *seg;    /* the segment (a loop's: its first) */
    char usage;                    /* M O C N */
    uint32_t max;                  /* 0: unbounded */
    const char *note;              /* why a partner changed it */
    struct edi_gnode *kid;
    uint32_t nkid;
    struct edi_gnode *parent;
    struct edi_greq *req;
    uint16_t nreq;
    /* a loop's index for the walk, made once the guide is final */
    uint32_t *next_m;              /* [nkid + 1]: first mandatory kid at or after k */
    uint32_t *next_same;           /* [nkid]: next kid after k with kid k's segment */
    struct edi_gfirst *first;      /* sorted by key */
    uint32_t nfirst;
};

struct edi_glevel {
    char code[4];
    const char *name;
    const struct edi_codes *parents;  /* empty: a root level */
    const struct edi_codes *require;  /* segment ids each HL of this level needs */
};

struct edi_guide {
    const char *id;
    const char *base;          /* partner guides: the base guide's id */
    const char *name;
    char version[7];           /* 004010 */
    char set[4];
    char group[3];
    int v5010;                 /* 999 codes (IK3/IK4) instead of 997's */
    struct edi_gseg *segs;     /* sorted by id */
    size_t nsegs;
    struct edi_gnode root;     /* a pseudo-loop holding the structure */
    struct edi_glevel *levels;
    size_t nlevels;
    uint32_t nreq;
    struct edi_pool pool;
};

const struct edi_gseg *edi_guide_seg(const struct edi_guide *g, struct edi_str id);
int edi_codes_has(const struct edi_codes *c, struct edi_str v);
void edi_codes_sort(struct edi_codes *c, struct edi_pool *pl);

/* What the structure walk tells its listener. */
struct edi_walk_cb {
    void *ctx;
    void (*enter)(void *ctx, const struct edi_gnode *loop);
    void (*leave)(void *ctx, const struct edi_gnode *loop);
    /* node is NULL for a segment that has no place in the structure */
    void (*segment)(void *ctx, const struct edi_txseg *s, const struct edi_gnode *node);
};

/* Validates a transaction set against a guide: appends to out every
 * finding with its position and X12 codes. Returns 0 (findings are output,
 * not errors), or the error of a code list file that the set needed and
 * that could not be read (EDI_ECONFIG, EDI_ENOTFOUND: the guide's error,
 * the same message as edi_guides_codes gives; the set's findings are then
 * incomplete). cb may be NULL; out NULL walks the structure only (for cb),
 * without element checks. */
int edi_validate(struct edi_findings *out, const struct edi_guide *g, const struct edi_tx *tx,
                 const struct edi_walk_cb *cb, struct edi_err *err);
/* The list of a code list file, read on its first use (thread-safe); NULL
 * when the element has no file. */
int edi_codefile_get(const struct edi_codes **out, struct edi_codefile *f, struct edi_err *err);

/* ---- Guide registry (guide_load.c) ------------------------------------ */

struct edi_guides;

/* schema_dir: the folder holding guide.xsd, x12/ and partners/. */
int edi_guides_new(struct edi_guides **out, const char *schema_dir, struct edi_err *err);
/* The same, serving only what the guide cache holds (fresh) and code list
 * files the quick reader takes: libc only, for a program that does not link
 * guide_xml.c. Anything else fails, and edi_guides_missed() says so: the
 * results of that registry are then not the full program's, and the work is
 * to be done again by a registry of edi_guides_new(). */
int edi_guides_new_cached(struct edi_guides **out, const char *schema_dir, struct edi_err *err);
int edi_guides_missed(const struct edi_guides *r);
void edi_guides_free(struct edi_guides *r);
/* By name, e.g. "x12/004010/850" or "partners/amazon-rp/850". The guide is
 * compiled once and cached; the pointer is borrowed from the registry. */
int edi_guides_get(const struct edi_guide **out, struct edi_guides *r, const char *id,
                   struct edi_err *err);
/* What a guide is for, without compiling it (edi_guides_peek). */
struct edi_guide_id {
    char set[4];               /* 850 */
    char version[7];           /* 004010 */
};
/* Guide `id`'s set and version (its base guide's), from the roots of its
 * file and its base's: what a configuration checks when it loads, at a
 * fraction of a compile. The guide's other errors are found when it is
 * first used (edi_guides_get). */
int edi_guides_peek(struct edi_guide_id *out, struct edi_guides *r, const char *id,
                    struct edi_err *err);
/* The base guide for a GS08 version and ST01 set id. */
int edi_guides_for(const struct edi_guide **out, struct edi_guides *r, const char *gs08,
                   const char *set, struct edi_err *err);
const char *edi_guides_dir(const struct edi_guides *r);
/* The standard's code list of data element `element` ("355") in `version`
 * ("004010"), from x12/codes/VERSION/ELEMENT.xml: read once, borrowed from
 * the registry. EDI_ENOTFOUND when there is no list for the element,
 * EDI_ECONFIG when its file is broken. */
int edi_guides_codes(const struct edi_codes **out, struct edi_guides *r, const char *version,
                     const char *element, struct edi_err *err);

#endif
