/*
 * ack.h — acknowledgments: decisions on sales orders (by hand, from the
 * ERP, or by the ack run for auto-acknowledging partners), Amazon's
 * acknowledgment rules
 * checked before anything is queued, and the acknowledgment run that maps
 * each pending decision to an 855, envelopes it with control numbers from
 * the store and queues it in the outbox.
 *
 * Decisions are canonical <order-ack> documents kept in the store (acks
 * table); the maps are the amazon-rp and amazon-df order-ack-to-855 maps.
 */
#ifndef WHARF_ACKRUN_H
#define WHARF_ACKRUN_H

#include "gateway/core/ctx.h"

/* One line's decision; quantities are decimal strings, NULL for none. */
struct gw_line_decision {
    int line_no;
    const char *accept, *backorder, *reject;
    const char *reason;        /* temporarily-unavailable, invalid-product-identifier, obsolete-product
                                * (or Amazon's TemporarilyUnavailable, ...) */
    const char *ship_date;     /* YYYY-MM-DD; RP: required when backordering, unless the
                                * partner has backorder-lead-days */
};

struct gw_decision {
    const struct gw_line_decision *lines;   /* lines not named are accepted in full */
    size_t nlines;
    int reject_all;
    const char *reason;        /* RP: every line's rejection reason */
    const char *df_code;       /* DF: the order status code (00 accept; 02, 03 ... reject) */
    const char *ship_date;     /* default scheduled ship date */
    const char *actor;         /* who decided */
    /* DF: a repeated Ship ID answered with code 04 from this PO's own
     * canonical order; the existing order's state is left as it is */
    const char *duplicate_of;  /* the repeated PO's canonical <order>, or NULL */
};

/* A rejection reason in wharf's words or Amazon's (TemporarilyUnavailable,
 * InvalidProductIdentifier, ObsoleteProduct; letters compared without
 * case): wharf's word (temporarily-unavailable, ...), NULL when r is
 * none. The returned string is static. */
const char *gw_ack_reason(const char *r);

/* Checks a decision on order o against Amazon's rules and the decisions
 * already sent, and keeps it as a pending acknowledgment; the order becomes
 * approved (or rejected when every line is). Each broken rule is a finding
 * naming the rule and the line, and nothing is kept (EDI_ESYNTAX). */
int gw_ack_decide(struct gw_ctx *c, const struct gw_order *o, const struct gw_decision *d,
                  struct edi_findings *violations, struct edi_err *err);

/* Decisions the ERP dropped in erp/in/: JSON (an object or an array of
 * them: {"po_number", "partner"?, "action": "approve"|"reject", "reason"?,
 * "code"?, "ship_date"?, "lines"?: [{"line_no", "accept", "backorder",
 * "reject", "reason", "ship_date"}]}) or CSV (header
 * po_number,line_no,accept,backorder,reject,reason,ship_date; the rows of a
 * PO approve it). Applied files move to erp/in/done/, refused ones to
 * erp/in/refused/ with a .reason naming the rule and the line. */
int gw_erp_decisions(unsigned *applied, struct gw_ctx *c, struct edi_err *err);

/* The acknowledgment run: decisions in erp/in/ are applied first, then an
 * auto-acknowledging partner's approved orders without a decision are
 * decided (everything accepted, or for auto-stock up to the ERP's stock,
 * read once a run; one the rules refuse goes back to pending-approval with
 * the reason); then every pending decision is mapped, checked against the
 * partner's guide, enveloped and queued, and its order acknowledged.
 * Idempotent. *queued counts what was queued. */
int gw_ack_run(unsigned *queued, struct gw_ctx *c, struct edi_err *err);
/* The same for one partner (only; NULL: every partner): a partner's
 * scheduled ack-run queues and counts that partner's acknowledgments only
 * (the ERP's decisions are applied whoever they are for). */
int gw_ack_run_partner(unsigned *queued, struct gw_ctx *c, const struct gw_partner *only, struct edi_err *err);

/* An order whose acknowledgment is due soon or overdue. */
struct gw_deadline {
    char *partner, *po_number, *state;
    time_t due;            /* received + 24 hours */
    long minutes_left;     /* negative: overdue */
    int at_risk;           /* due within the partner's warn-hours, or overdue */
};

/* SPEC: RULES.md 855 — acknowledged within 24 hours. Orders not yet
 * acknowledged whose deadline is less than the partner's warn-hours (4)
 * away, or passed; the most urgent first. */
int gw_ack_deadlines(struct gw_deadline **out, size_t *n, struct gw_ctx *c, struct edi_err *err);
/* Every order not yet acknowledged (pending or approved) with its
 * deadline, at risk or not; the most urgent first (the console's Today). */
int gw_ack_open_deadlines(struct gw_deadline **out, size_t *n, struct gw_ctx *c, struct edi_err *err);
void gw_deadlines_free(struct gw_deadline *v, size_t n);

#endif
