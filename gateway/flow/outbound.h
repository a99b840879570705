/*
 * outbound.h — one business document out to a partner over X12: the
 * canonical document through the partner's map for its flow, the result
 * checked against the map's guide, enveloped (ISA/GS/ST with control
 * numbers from the store) and queued in the outbox, with a document row
 * whose group and set control numbers let the partner's 997/999 find it.
 *
 * Used by the acknowledgment run (855), ship confirmations (856) and
 * invoices (810). Always inside the caller's transaction: the control
 * numbers, the outbox row and the caller's own state change commit or
 * roll back together.
 */
#ifndef WHARF_OUTBOUND_H
#define WHARF_OUTBOUND_H

#include "gateway/core/ctx.h"
#include "gateway/docs/cdoc.h"

struct gw_outbound {
    const char *kind;          /* 855, 856, 810: the outbox kind and file name */
    const char *func_id;       /* GS01: PR, SH, IN */
    const char *flow;          /* the partner's map flow: order-ack-out ... */
    const char *ref;           /* what it is about: a PO, a shipment id, an invoice number */
};

/* What was queued. */
struct gw_queued {
    int64_t outbox_id, document_id;
    uint64_t isa, gs, st;
    char version[7];           /* GS08: 004010, 005010 */
    char name[256];            /* the file name in outbound/ */
};

/* Maps, checks, envelopes and queues doc, a canonical document of cdoc.h
 * (built, or read from the store), as o says, for partner p. The map's or
 * the guide's refusal is EDI_ESYNTAX with the findings in f (nothing
 * queued, no control number taken); EDI_ENOTFOUND when the partner has no
 * map for the flow. */
int gw_queue_x12(struct gw_queued *q, struct gw_ctx *c, const struct gw_partner *p,
                 const struct gw_outbound *o, const struct gw_cdoc *doc, struct edi_findings *f,
                 struct edi_err *err);

#endif
