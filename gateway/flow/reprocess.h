/*
 * reprocess.h — a quarantined inbound file run through the inbound flow
 * again after a fix (issue 17): the configuration, guides, code lists and
 * maps as they are now. The CLI's `wharf reprocess ID` and the API's
 * POST .../quarantine/ID/reprocess and .../documents/ID/reprocess.
 *
 * The file is landed again as a new raw row that names the quarantined
 * one (gw_store_reprocess_raw: one reprocess a file, so two at once cannot
 * both run and a second is refused naming the first) and processed at
 * once as a pass would process it (gw_process_message). Duplicate
 * detection is the flow's own: the quarantined file recorded none of the
 * interchanges it was quarantined for, so those are new; an interchange
 * that was accepted meanwhile (from this file's other interchanges, or the
 * partner sending it again) is a duplicate and not processed twice. The
 * acknowledgment the flow queues goes out with the daemon's next flush,
 * as any other.
 */
#ifndef WHARF_FLOW_REPROCESS_H
#define WHARF_FLOW_REPROCESS_H

#include "gateway/core/ctx.h"

#include <jansson.h>

struct gw_reprocessed {
    int64_t id, of;            /* the new raw row; the quarantined one */
    const char *verdict;       /* archived, quarantined or duplicate */
    char *reason;              /* NULL: none */
    int64_t *docs;             /* the documents it recorded, by id */
    size_t ndocs;
};

/* Reprocesses the quarantined inbound file raw_id; actor (who, for the
 * audit log: "cli", "NAME (api)"). EDI_ENOTFOUND: no such inbound file;
 * EDI_ESYNTAX: refused (not quarantined, reprocessed already; err says
 * which); EDI_ECONFIG: its partner is not in wharf.xml any more. When the
 * processing itself fails (a store error), out->id is the landed row,
 * which stays received for the daemon's next pass. */
int gw_reprocess(struct gw_reprocessed *out, struct gw_ctx *c, int64_t raw_id, const char *actor,
                 struct edi_err *err);
void gw_reprocessed_dispose(struct gw_reprocessed *r);

/* What `wharf reprocess --json` and the API answer: {"file", "of",
 * "verdict", "reason" (null: none), "documents": [ID...]}. */
json_t *gw_reprocessed_json(const struct gw_reprocessed *r);
/* A quarantined file as `wharf quarantine list --json` and GET
 * /api/v1/quarantine say it: {"id", "partner", "name", "received",
 * "reason", "size", "documents": [ID...], "reprocessed": null | {"as",
 * "at", "verdict"}}. */
json_t *gw_quarantined_json(struct gw_store *s, const struct gw_quarantined *q);

#endif
