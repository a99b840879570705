/*
 * status.h — what `wharf status --json` and GET /api/v1/status say, built
 * in one place: counts by state, acknowledgment deadlines, the last
 * errors, what partners rejected (readback), held invoices, and the
 * warnings an operator must act on (who may read the workspace, AS2
 * certificates near their end).
 */
#ifndef WHARF_FLOW_STATUS_H
#define WHARF_FLOW_STATUS_H

#include "gateway/core/ctx.h"
#include "gateway/store/store.h"

#include <jansson.h>

/* What partners said about what we sent: the outbound documents they
 * rejected (newest first, at most 10, each with why) and how many 864
 * text messages came. */
struct gw_readback_status {
    struct gw_document *rejected;
    char **why;
    size_t nrejected;
    size_t messages;
};

int gw_readback_status(struct gw_readback_status *r, struct gw_store *s, struct edi_err *err);
void gw_readback_status_dispose(struct gw_readback_status *r);

/* AS2 certificates in use expiring within GW_AS2_EXPIRY_WARN_DAYS (or
 * expired, or unreadable), as lines appended to warn (`wharf status`). */
void gw_as2_cert_warnings(char ***warn, size_t *n, const struct gw_config *cfg, time_t now);

/* The status document of c's workspace (named workspace in it): the
 * caller's, json_decref. Reads only. */
int gw_status_json(json_t **out, struct gw_ctx *c, const char *workspace, struct edi_err *err);

/* An order as JSON: partner, program, po_number, state, created,
 * updated, and its lines when lines is 1. */
json_t *gw_order_json(const struct gw_order *o, int lines);
/* What the order says beyond its lines, as the ERP gets it (the stored
 * canonical order through local/order-to-erp-json): ship-to, ship method,
 * dates, gift and packing slip; NULL when it cannot be made. A DF ship-to
 * is the consumer's personal data (gw_order_details_hide). */
json_t *gw_order_details(struct gw_ctx *c, const struct gw_order *o);
/* Takes the consumer's personal data out of a DF order's details (name,
 * address, phone, gift and slip messages): what a viewer of the API gets.
 * 1 when something was taken. */
int gw_order_details_hide(json_t *details);

/* Why a partner rejected our outbound document d (read back from its 997,
 * 999 or 864), or NULL (not rejected, not ours, or unreadable: err says). */
char *gw_document_why(struct gw_store *s, const struct gw_document *d, struct edi_err *err);
/* A document as JSON (`wharf documents --json`, the API): id, partner,
 * direction, kind, ref, state, group and set control numbers, about, text,
 * findings, why a partner rejected it (read back), created, updated. */
json_t *gw_document_json(struct gw_store *s, const struct gw_document *d);

/* A run of a scheduled job as JSON (`wharf runs list --json`, the API):
 * id, partner, job, due, started, ended (null while running), state,
 * counts and error (null when none). */
json_t *gw_run_json(const struct gw_run *r);

/* What an API ERP's outbox message is: done, held, failing or pending. */
const char *gw_erp_message_state(const struct gw_outbox_row *r);
/* What `wharf erp status --json` and GET /api/v1/erp say: {"erps": [...]},
 * per API ERP of c's wharf.xml (only: that one; NULL: every one) its id,
 * kind, how many messages are done, pending, failing and held, and each
 * message (id, name, partner, state, attempts, the ERP's id once done, the
 * last error while not). *held: the held messages, all ERPs together. */
int gw_erp_status_json(json_t **out, size_t *held, struct gw_ctx *c, const char *only, struct edi_err *err);

/* A shipment as JSON (`wharf shipments list|show --json`, the API):
 * partner, program, shipment_id, version, state, warehouse, ship_to (an
 * FC; null for DF), created; with lines, its lines and its canonical
 * <shipment> (a DF one names the consumer). */
json_t *gw_shipment_json(const struct gw_shipment *s, int lines);
/* An invoice as JSON (`wharf invoices list|show --json`, the API):
 * partner, program, number, state, po_numbers, total, currency, findings,
 * created, updated, and amazon (what the Finances API said, or null). */
json_t *gw_invoice_json(const struct gw_invoice *v);

#endif
