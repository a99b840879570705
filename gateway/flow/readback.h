/*
 * readback.h — what partners say about the documents we sent: their 997
 * and 999 functional acknowledgments, matched to our outbound documents
 * (855, 856, 810) by our group (GS06) and set (ST02) control numbers, and
 * their 864 text messages, kept with the document they refer to.
 *
 * The pipeline (pipeline.c) records every inbound set as a document and
 * calls gw_readback_set for each one it accepted; the state changes and
 * the invoice an 810 carries are the store's (store.c); `wharf documents`
 * and `wharf status` (cli_gw.c) show the result. Validation of the 997,
 * 999 and 864 themselves is the guides' (schemas/x12/...).
 */
#ifndef WHARF_READBACK_H
#define WHARF_READBACK_H

#include "gateway/core/ctx.h"
#include "edi/x12.h"

/* What a 997/999 says about one of our sets (one AK2 loop). */
struct gw_fa_set {
    char set_id[4];        /* AK201 */
    char control[10];      /* AK202 */
    char status;           /* AK501 / IK501: A E R M W X, 0 when missing */
    char *detail;          /* AK3/AK4/AK5 (IK3/IK4/IK5) in plain words, NULL when none */
};

/* One functional acknowledgment, read. */
struct gw_fa {
    char kind[4];          /* 997 or 999 */
    char func_id[3];       /* AK101 */
    char group[10];        /* AK102: our GS06 */
    char group_status;     /* AK901, 0 when missing */
    char *group_detail;    /* AK9 in plain words, NULL when accepted without codes */
    struct gw_fa_set *sets;
    size_t nsets;
};

/* Reads a 997 or 999 set into fa (the caller's; gw_fa_dispose it whatever
 * this returns). EDI_ESYNTAX when it has no AK1 group control number. */
int gw_fa_read(struct gw_fa *fa, const struct edi_tx *tx, struct edi_err *err);
void gw_fa_dispose(struct gw_fa *fa);

/* One reference an 864 carries: a REF (qualifier and value) or MIT01
 * (qualifier "MIT"). */
struct gw_msg_ref {
    char qual[4];
    char value[32];
};

/* An 864 text message, read. */
struct gw_textmsg {
    char *text;            /* MIT02 and each MSG01, one a line */
    struct gw_msg_ref *refs;   /* in the order they are tried (readback.c) */
    size_t nrefs;
};

/* Reads an 864 set into m (the caller's; gw_textmsg_dispose it whatever
 * this returns). */
int gw_textmsg_read(struct gw_textmsg *m, const struct edi_tx *tx, struct edi_err *err);
void gw_textmsg_dispose(struct gw_textmsg *m);

/* An accepted inbound set of partner, recorded as document doc_id: a 997
 * or 999 moves the outbound documents it acknowledges to accepted or
 * rejected (the detail in their history, the invoice of an 810 follows)
 * and points at the first of them; an 864 keeps its text and points at
 * the document it refers to. Other sets: nothing. What matches nothing is
 * logged and kept. Inside the caller's transaction; returns 0 or the
 * store's error. */
int gw_readback_set(struct gw_ctx *c, const char *partner, int64_t doc_id, const struct edi_tx *tx,
                    struct edi_err *err);

/* What the newest 997/999 about d said about it ("rejected: AK3 ..."), or
 * NULL in *out when none did. *out belongs to the caller. */
int gw_readback_why(char **out, struct gw_store *s, const struct gw_document *d,
                    struct edi_err *err);

#endif
