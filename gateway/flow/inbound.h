/*
 * pipeline.h — the gateway's inbound pipeline and file transport: claim a
 * file from a partner's inbound/ folder, keep its bytes, validate it
 * against the partner's guides, queue the 997/999/TA1, turn each accepted
 * 850 into a sales order (through the partner's map), export new and
 * changed orders to the ERP file exchange, and archive or quarantine the
 * file. The outbox is flushed to each partner's outbound/ folder.
 *
 * The store is store.c, the configuration config.c; the daemon and the
 * commands that drive this are cli_gw.c.
 */
#ifndef WHARF_PIPELINE_H
#define WHARF_PIPELINE_H

#include "gateway/core/config.h"
#include "gateway/store/store.h"

#include <libxml/tree.h>
#include <stdio.h>

/* What one run of the gateway works with. */
struct gw_ctx {
    struct gw_config *cfg;
    struct gw_store *store;
    struct edi_guides *guides;   /* borrowed from maps (map_engine_guides) */
    struct map_engine *maps;
    time_t now;
    FILE *log;               /* one line per event */
    volatile int *stop;      /* set by SIGTERM: finish the current file, then stop */
};

struct gw_stats {
    unsigned files, duplicates, quarantined;
    unsigned sets, accepted, rejected;
    unsigned orders_created, orders_updated, duplicate_ship_ids;
    unsigned acks_queued, shipments_queued, invoices_queued, invoices_held, sent, send_failures;
    unsigned errors;
};

/* Opens everything a workspace needs (config, store, guides, maps). */
int gw_ctx_open(struct gw_ctx *c, const char *workspace, const char *schemas_dir,
                const char *mappings_dir, struct edi_err *err);
void gw_ctx_close(struct gw_ctx *c);

/* One pass over every partner's inbound folder. */
int gw_poll_inbound(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err);
/* One pass over one partner's inbound folder (its scheduled poll). A file
 * that fails stays there for the next pass; the first failure is returned
 * after the other files were tried. */
int gw_poll_partner(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                    struct edi_err *err);
/* Processes one file of a partner (the path is claimed by renaming first). */
int gw_process_file(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                    const char *path, struct edi_err *err);
/* 1 when a file name says the file is still being written (".name",
 * "name.tmp", ".part", ".filepart", "~" ...): such files are not taken. */
int gw_temp_name(const char *name);
/* Delivers every due outbox message: EDI to its partner's outbound
 * folder, ERP files (kinds GW_OUTBOX_ERP_*) to the ERP folder. Each message
 * is claimed in the store first, written under a temporary name, synced,
 * renamed and marked sent, so any number of processes flushing one
 * workspace deliver it once, and a crash leaves no half file (see
 * deliver in pipeline.c). Store errors are returned; a delivery that fails
 * is retried later. */
int gw_flush_outbox(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err);
/* The same for one partner's messages (only NULL: every partner's). */
int gw_flush_outbox_of(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *only,
                       struct edi_err *err);

/* Outbox kinds of the ERP file exchange. */
#define GW_OUTBOX_ERP_JSON "erp-json"
#define GW_OUTBOX_ERP_CSV "erp-csv"

/* The ERP JSON of a canonical document through a local map, with partner
 * and state as its parameters. EDI_ENOTFOUND when the map is not
 * registered; a map's refusal is EDI_ESYNTAX with its first finding. */
int gw_erp_json(struct edi_buf *out, struct gw_ctx *c, const char *map, const char *partner,
                const char *state, xmlDocPtr doc, struct edi_err *err);
/* The file name of an ERP export in erp/out: PARTNER-KIND-ID.EXT, or
 * PARTNER-ID.EXT for an order (kind NULL); slashes and backslashes in it become '_',
 * and so does a leading dot (nothing leaves the folder or hides there).
 * EDI_ELIMIT when it does not fit whole. Purge finds the files by it. */
int gw_erp_name(char *out, size_t cap, const char *partner, const char *kind, const char *id,
                const char *ext, struct edi_err *err);
/* The ERP file exchange for one document, inside the transaction of the
 * change it reports: queues ERP_OUT/PARTNER-KIND-ID.json through map (when
 * JSON is wanted) and PARTNER-KIND-ID.csv from csv (when CSV is wanted;
 * csv may be NULL) in the outbox, so they leave with the change or not at
 * all; the flush writes them. A map that fails is logged (the document
 * stands); a store error is returned: roll the change back. */
int gw_erp_write(struct gw_ctx *c, const char *partner, const char *kind, const char *id,
                 const char *state, const char *map, xmlDocPtr doc, const struct edi_buf *csv,
                 struct edi_err *err);

/* Writes a file by temporary name, fsync and rename. */
int gw_write_file(const char *path, const void *p, size_t n, struct edi_err *err);

void gw_log(struct gw_ctx *c, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
