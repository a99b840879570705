/*
 * purge.h — personal data: who may read the workspace (permission
 * warnings for `wharf status`) and how long DF consumers' names and
 * addresses are kept (`wharf purge`, <retention personal-data-days>).
 * The store side is gw_store_purge_* in store.h.
 */
#ifndef WHARF_PURGE_H
#define WHARF_PURGE_H

#include "gateway/core/config.h"
#include "gateway/core/ctx.h"

#include <stdio.h>
#include <time.h>

/* One line per workspace path (the workspace, the store and its -wal and
 * -shm, spool, ERP and log folders) that group or others may use: "PATH is
 * mode 0644, open to others: chmod 600 PATH". Paths that do not exist are
 * skipped. *out belongs to the caller (gw_strings_free). */
void gw_perm_warnings(char ***out, size_t *n, const struct gw_config *cfg);

struct gw_purge_stats {
    unsigned orders;        /* orders with personal data removed */
    unsigned raws;          /* inbound files emptied in the store */
    unsigned files;         /* files deleted from archive/, quarantine/, erp/out/; change logs rewritten */
};

/*
 * Removes the personal data of the DF orders closed before `before` (see
 * gw_store_purge_orders): ship-to, other parties, gift messages and the
 * message to the customer from the stored order and its ship notices; the
 * inbound files of their 850s from the store when every order they hold
 * is purged too, and their copies in archive/ and quarantine/ (with their
 * .reason); the order's ERP files (PARTNER-PO.json/.csv) and its ship
 * notices' (PARTNER-shipment-ID.*). Lines, quantities, prices, dates,
 * invoices and ship notices stay. Each order purged is printed to out (may
 * be NULL) and recorded in its history and the audit. dry_run: prints what
 * would go and changes nothing. Files go first, the store last, so an
 * interrupted purge finds the rest next time.
 */
int gw_purge(struct gw_purge_stats *st, struct gw_ctx *c, time_t before, int dry_run, FILE *out,
             struct edi_err *err);

/* The automatic purge, once a UTC day, when <retention personal-data-days>
 * is set: recorded as the run of job "purge" (partner "*"). 0 when it ran
 * or was not due. */
int gw_purge_due(struct gw_ctx *c, struct edi_err *err);

#endif
