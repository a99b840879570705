/*
 * invoice.h — invoices: the invoice run that bills every shipment not yet
 * billed, invoices the ERP submits, the three-way match that holds an
 * invoice before anything leaves, and the 810 through the partner's
 * invoice-out map.
 *
 * SPEC: RULES.md "810 invoice" — paid only when the invoice matches the
 * PO price and the shipped quantity; a mismatch becomes a deduction.
 */
#ifndef WHARF_INVOICE_H
#define WHARF_INVOICE_H

#include "gateway/core/ctx.h"

struct gw_invoice_summary {
    unsigned queued;       /* 810s queued */
    unsigned held;         /* new invoices held by the three-way match */
    unsigned released;     /* held invoices that now match and were queued */
    unsigned waiting;      /* RP per-PO: orders not shipped in full yet */
    unsigned covered;      /* replaced ship notices with nothing new to bill */
};

/*
 * The invoice run for one partner (NULL: every partner with <invoice>):
 * held invoices are matched again (and queued when they now match); then
 * the shipments in force whose goods are not billed yet are invoiced — RP
 * one invoice per ASN and PO (per="asn-po"), per ASN (per="asn") or per
 * PO once the order shipped in full (per="po"); DF one per order. Each
 * invoice is numbered from the partner's sequence (prefix + 6 digits),
 * built from the PO prices, the shipped quantities and the partner's
 * terms, remit-to, taxes, charges and allowances, matched, and queued or
 * held — one store transaction per invoice, so a crash between invoices
 * leaves each either whole or absent, and the next run bills only what is
 * left. The ERP file exchange gets each invoice as JSON and CSV.
 *
 * The same goods are never billed twice: an invoice bills, per PO line,
 * what the version in force of each shipment id ships minus what earlier
 * invoices billed of any of its versions. A replaced ship notice (same
 * shipment id) that ships what was billed adds nothing: no invoice, the
 * invoice of the earlier version covers it (sum->covered). One that takes
 * back goods already invoiced holds the next invoice of its PO with a
 * replaced-after-billing finding naming the line, the invoice and how
 * much was billed too many; nothing is billed again.
 */
int gw_invoice_run(struct gw_invoice_summary *sum, struct gw_ctx *c, const struct gw_partner *only,
                   struct edi_err *err);

/*
 * An invoice the ERP made: a canonical <invoice> (XML). Its lines name the
 * POs (po-number) and its references the shipment ids it bills (all of
 * the PO's shipments in force when none are named). Matched like a run's
 * invoice; held or queued. EDI_ESYNTAX when it cannot be read or names no
 * known PO or shipment (findings say why); *number gets its number.
 */
int gw_invoice_submit(char number[64], struct gw_ctx *c, const char *data, size_t n,
                      struct edi_findings *why, struct edi_err *err);

/* Marks an invoice paid (a remittance arrived): from sent, accepted,
 * in-progress or partially-paid. */
int gw_invoice_paid(struct gw_ctx *c, const char *number, const char *why, struct edi_err *err);

/* ---- what Amazon's Finances API says of an invoice ---- */

/* The invoice state Amazon's invoiceStatus means (PAID paid, REJECTED
 * rejected, PARTIALLY_PAID partially-paid, DEDUCTED deducted,
 * PARTIALLY_DEDUCTED partially-deducted, IN_PROGRESS in-progress); NULL for
 * a word wharf does not know. */
const char *gw_invoice_amazon_state(const char *status);

/* The summary of an invoice status message (the SP-API transport's
 * "fin-invoice-NUMBER.json": invoiceStatus, currency, invoiceAmount,
 * amountPaid, lines with variances) in plain words, into out: a first line
 * ("Amazon paid 120.00 of 130.00 USD"), then one line per line with a
 * variance ("line 2 (B07DFYF5AB): PQV SHORTAGES_IN_TRANSIT, quantity
 * variance 1"), each ending in '\n'. EDI_ESYNTAX when it is not such a
 * message (err says why). */
int gw_invoice_amazon_detail(struct edi_buf *out, const char *json, size_t n, struct edi_err *err);

/* Records an invoice status message for partner p inside the caller's
 * transaction: the invoice's state, Amazon's status and summary, a history
 * row, and erp/out/PARTNER-invoice-status-NUMBER.json, only when it is news
 * (the same word again writes nothing). *reason (the caller's to free) is
 * set when the message cannot be read: quarantine it. */
int gw_invoice_amazon(struct gw_ctx *c, const struct gw_partner *p, const char *json, size_t n, char **reason,
                      struct edi_err *err);

#endif
