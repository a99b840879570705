/*
 * inbound.h — the inbound flow: every message a partner's transport landed
 * in the store (state "received") is validated against the partner's
 * guides, answered with a 997/999/TA1 queued in the outbox, recorded as
 * interchanges and documents, and each accepted 850 turned into a sales
 * order through the partner's map (and exported to the ERP); then the
 * message is settled (archived, quarantined, duplicate) and its transport
 * told, which keeps or puts away the partner's copy.
 *
 * Transports are gateway/transport/ (transport.h), the ERP connector
 * gateway/erp/; the daemon and the commands that drive this are cli/.
 */
#ifndef WHARF_FLOW_INBOUND_H
#define WHARF_FLOW_INBOUND_H

#include "gateway/core/ctx.h"

/* One pass over every partner. */
int gw_poll_inbound(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err);
/* One pass over one partner (its scheduled poll): its transport lands
 * what it received, then every received message of the partner is
 * processed. A message that fails stays received (and its file in
 * inbound/) for the next pass; the first failure is returned after the
 * others were tried. */
int gw_poll_partner(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                    struct edi_err *err);

/* One received message of partner p (raw row raw_id) processed now, as a
 * pass would, without its transport (a reprocess, reprocess.h): what it
 * quarantines is kept in the partner's local quarantine/ folder. *verdict
 * (static) and *reason (the caller frees it) as the pass settles them. On
 * failure the message stays received, for the next pass. */
int gw_process_message(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p, int64_t raw_id,
                       const char **verdict, char **reason, struct edi_err *err);

/* Delivers every due outbox message: EDI through its partner's transport,
 * ERP files (kinds GW_OUTBOX_ERP_*) through the ERP connector. Each
 * message is claimed in the store first and marked sent after, so any
 * number of processes flushing one workspace deliver it once (flush.c).
 * Store errors are returned; a delivery that fails is retried later. */
int gw_flush_outbox(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err);
/* The same for one partner's messages (only NULL: every partner's). */
int gw_flush_outbox_of(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *only,
                       struct edi_err *err);

/* Asks each partner whose transport answers later (the SP-API's
 * transaction status) about the messages it took and has not judged yet;
 * the documents follow what it says (accepted, rejected with its words,
 * unknown). A receipt is asked again with back-off: at once, then after
 * 30 s, 1, 2, 4 ... minutes, at most every 30 minutes. Only partner's
 * when only is not NULL. */
int gw_check_receipts(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *only,
                      struct edi_err *err);

#endif
