/*
 * ack.h — functional and interchange acknowledgments: 997 for 004010
 * groups, 999 for 005010 groups, TA1 for interchange-level problems, built
 * from the envelope and validation findings.
 *
 * The acknowledger follows the same events as the parser's handler; the
 * caller drives it (see edi/check.c). Output goes to a buffer, one
 * interchange per inbound interchange (and a TA1 interchange when due).
 */
#ifndef WHARF_ACK_H
#define WHARF_ACK_H

#include "edi/envelope.h"
#include "edi/guide.h"

#include <time.h>

enum edi_ack_type {
    EDI_ACK_AUTO = 0,   /* 997 or 999 by the group's version, TA1 when due */
    EDI_ACK_997,
    EDI_ACK_999,
    EDI_ACK_TA1,        /* only interchange acknowledgments */
};

struct edi_ack_opts {
    enum edi_ack_type type;
    time_t now;                  /* injectable clock (WHARF_NOW) */
    struct edi_ctlsrc ctl;       /* control numbers for ISA13, GS06, ST02 */
    const char *suffix;          /* after each segment terminator, e.g. "\n" */
    int ta1_always;              /* a TA1 even when nothing is wrong */
    /* who acknowledges and to whom (the gateway's: us and the partner, as
     * configured); when set they address every ack, even one to an
     * interchange whose own ids are unreadable or not ours. Unset: the
     * inbound ISA's ids, swapped, and UNKNOWN where there are none. */
    struct edi_party us, them;
};

/* One ack group waiting for its interchange: the GS values, and where its
 * set (ST ... SE) is in edi_ack.groups. */
struct edi_ack_group {
    char sender[16], receiver[16], version[13];
    uint64_t control;
    size_t off, n;
};

struct edi_ack {
    struct edi_ack_opts o;
    struct edi_buf out;          /* what to send: whole interchanges */
    struct edi_buf groups;       /* the current interchange's ack sets */
    struct edi_ack_group *gv;    /* and their groups, ngroups_out of them */
    size_t gcap;
    struct edi_buf sets;         /* the current group's AK2..AK5 blocks */
    struct edi_writer w;
    struct edi_delims d;
    char date6[7], time4[5];       /* TA102, TA103 when the inbound ones are unusable */
    int v5010;                   /* the current group gets a 999 */
    uint32_t ngroups_out;
    uint32_t nsets, naccepted;
    uint32_t nsetseg;            /* segments in sets, for SE01 */
    int rc;                      /* sticky: a control-number source failed
                                  * (EDI_EAGAIN), or the envelope writer (err) */
    struct edi_err err;          /* the envelope writer's message, when it failed */
};

void edi_ack_init(struct edi_ack *a, const struct edi_ack_opts *o);
void edi_ack_dispose(struct edi_ack *a);

void edi_ack_ichg_begin(struct edi_ack *a, const struct edi_ichg *ic);
void edi_ack_group_begin(struct edi_ack *a, const struct edi_group *g);
/* One set: its envelope findings are in tx->findings, its validation
 * findings in val (may be NULL). guide_found: 0 when no guide exists for
 * the set (AK5 code 1). Returns 'A' or 'R'. */
char edi_ack_tx(struct edi_ack *a, const struct edi_tx *tx, const struct edi_findings *val,
                int guide_found);
void edi_ack_group_end(struct edi_ack *a, const struct edi_group *g,
                       const struct edi_findings *env);
void edi_ack_ichg_end(struct edi_ack *a, const struct edi_ichg *ic,
                      const struct edi_findings *env);
/* Input with no usable ISA at all (empty, garbage): a TA1 to o.them, or to
 * an unknown sender when there is none (nobody to address it to but the
 * transport). */
void edi_ack_stream(struct edi_ack *a, const struct edi_findings *env);

/* A counter that starts at 1 for each kind: the default control-number
 * source for command-line use (the gateway's comes from its store). */
struct edi_ctl_counter {
    uint64_t next[3];
};
void edi_ctl_counter_init(struct edi_ctl_counter *c, struct edi_ctlsrc *src, uint64_t start);

#endif
