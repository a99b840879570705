/*
 * check.h — the whole inbound check of an X12 stream in one call: envelope
 * parse, guide selection, validation of every set, acknowledgments, and a
 * report of each finding with where it is.
 *
 * The gateway's pipeline and the `wharf edi` commands both drive it.
 */
#ifndef WHARF_CHECK_H
#define WHARF_CHECK_H

#include "edi/ack.h"

/* Where a finding belongs: the interchange, group and set around it (any of
 * them NULL outside). */
struct edi_where {
    const struct edi_ichg *ichg;
    const struct edi_group *group;
    const struct edi_tx *tx;
    const struct edi_guide *guide;
};

struct edi_check_opts {
    struct edi_guides *guides;
    const char *guide_id;        /* --guide: every set against this guide */
    /* or a guide per set (a partner's): a name, or NULL for the base guide */
    const char *(*guide_for)(void *ctx, const struct edi_group *g, const struct edi_tx *tx);
    int envelope_only;           /* tokenize + envelopes, no guides (bench) */
    struct edi_ack *ack;         /* NULL: no acknowledgment */
    const struct edi_limits *lim;
    int text;                    /* enum edi_text_in: how values decode (a partner's) */
    /* each finding, as it is made; may be NULL */
    void (*report)(void *ctx, const struct edi_finding *f, const struct edi_where *w);
    /* each validated set with its findings; may be NULL */
    int (*set)(void *ctx, const struct edi_tx *tx, const struct edi_findings *val,
               const struct edi_where *w, char status);
    void *ctx;
    /* The ids an interchange must carry (the gateway's: from the partner,
     * to us); NULL members are not checked. An interchange with others is
     * refused: a finding with its TA105 note code (005-008 for the ISA,
     * 024 for a GS), ic->rejected and ic->foreign set, so every set is
     * rejected and no functional ack is made for its groups. The
     * comparison ignores the ISA's space padding. */
    struct edi_party from, to;
};

struct edi_check_stats {
    uint64_t bytes, interchanges, groups, sets, accepted, rejected, findings;
};

/* Checks a file ("-" for stdin). Returns 0 when the input was read (findings
 * are in the stats and went to report), EDI_EIO when it could not be read,
 * EDI_ECONFIG when a guide is broken or missing for --guide. */
int edi_check_file(struct edi_check_stats *st, const char *path, const struct edi_check_opts *o,
                   struct edi_err *err);
/* The same over a buffer. */
int edi_check_mem(struct edi_check_stats *st, const char *p, size_t n,
                  const struct edi_check_opts *o, struct edi_err *err);

#endif
