/*
 * labels.h — carton and pallet labels from a ship notice: per carton, then
 * per pallet, what the GS1-128 shipping label carries (the SSCC in
 * human-readable form, ship-from, ship-to, PO numbers, carton or pallet n of
 * m, a pallet's carton count), as plain text for a person or as ZPL II for
 * a thermal printer (4 x 6 in at 203 dpi).
 *
 * The input is the canonical <shipment> (schemas/canonical/shipment.xsd)
 * exactly as it was mapped to the 856, so a label always matches the ASN.
 */
#ifndef WHARF_LABELS_H
#define WHARF_LABELS_H

#include "edi/edi.h"
#include "gateway/docs/cdoc.h"

/* Where the ship-to's address comes from when the shipment carries only
 * its code (RP: a fulfilment centre): NULL fields print nothing. */
struct gw_label_opts {
    int zpl;                      /* 1: ZPL II, 0: text */
    const char *ship_to_name;     /* may be NULL */
};

/* Appends the labels of every carton, then every pallet, of shipment (in
 * document order, as gw_cshipment_read read it) to out: all of them, or
 * nothing and EDI_ESYNTAX (message naming the carton) when a carton has no
 * SSCC and no carton-id or an SSCC that is not one. */
int gw_labels_render(struct edi_buf *out, const struct gw_cshipment *shipment, const struct gw_label_opts *o,
                     struct edi_err *err);

#endif
