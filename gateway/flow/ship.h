/*
 * ship.h — carton-level ship confirmations: a packing list (packlist.h)
 * becomes one ship notice per shipment, checked against the orders and
 * Amazon's rules before anything is queued, with SSCCs assigned from the
 * store, the Ship-From party from the partner's warehouse mapping, the
 * 856 through the partner's shipment-out map and the orders moved to
 * partially shipped or shipped.
 *
 * SPEC: RULES.md "856 ship notice (carton level)".
 */
#ifndef WHARF_SHIP_H
#define WHARF_SHIP_H

#include "gateway/core/ctx.h"

/* What one packing list (or floor denial) queued: the shipment ids, in
 * the order they were queued. */
struct gw_ship_summary {
    char ids[64][64];
    size_t n;
};

/*
 * Ships a packing list: name is the file name for messages, data its
 * bytes (CSV or JSON). Rows are grouped into shipments: by shipment_id
 * when given, else (RP) by warehouse, ship-to FC and ship day, with a
 * shipment id from the store; DF: one confirmation per PO, the shipment
 * id being the PO number (the Ship ID).
 *
 * All or nothing: every shipment of the list is checked first; any broken
 * rule is a finding (code = the rule: "warehouse-unmapped",
 * "not-acknowledged", "over-shipment", "sscc-reused", "df-partial" ...)
 * naming the PO and the line, and the call returns EDI_ESYNTAX with
 * nothing queued. Otherwise, in one store transaction, each shipment is
 * mapped, checked against the partner's guide and queued; the shipment,
 * its SSCCs and the orders' new states are kept; then the ERP file
 * exchange gets each shipment as JSON and CSV.
 */
int gw_ship_packlist(struct gw_ship_summary *sum, struct gw_ctx *c, const char *name,
                     const char *data, size_t n, struct edi_findings *why, struct edi_err *err);

/* DF: a full floor denial of a PO that cannot ship (BSN06 72, BSN07 REJ):
 * every line with shipped quantity 0. The order becomes cancelled. */
int gw_ship_floor_denial(struct gw_ship_summary *sum, struct gw_ctx *c, const char *po_number,
                         struct edi_findings *why, struct edi_err *err);

/* Packing lists the ERP or the warehouse dropped in erp/in/ (CSV whose
 * header starts with po_number,line_no,quantity, or JSON with "cartons" or
 * "carton_id"): shipped ones move to erp/in/done/, refused ones to
 * erp/in/refused/ with a .reason listing every finding. */
int gw_erp_packing_lists(unsigned *shipped, struct gw_ctx *c, struct edi_err *err);

/* The labels of a shipment's cartons (labels.h), as text or ZPL. The
 * version in force of the shipment id, any partner. EDI_ENOTFOUND when
 * there is no such shipment. */
int gw_ship_labels(struct edi_buf *out, struct gw_ctx *c, const char *shipment_id, int zpl,
                   struct edi_err *err);

#endif
