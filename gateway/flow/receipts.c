/*
 * receipts.c — what partners said about the messages they took
 * (inbound.h: gw_check_receipts): a transport that answers later (the
 * SP-API: a transactionId, then Success or Failure) is asked, with
 * back-off, until it has judged; the documents the message carries follow.
 */
#include "gateway/flow/inbound.h"
#include "gateway/transport/transport.h"

#include <stdlib.h>
#include <string.h>

/* Seconds before a receipt is asked again, after checks times. */
static time_t backoff(int checks)
{
    time_t d = (time_t)30 << (checks < 7 ? checks : 7);

    return d > 1800 ? 1800 : d;
}

int gw_check_receipts(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *only,
                      struct edi_err *err)
{
    struct gw_receipt_row *v = NULL;
    size_t n = 0, i;
    const struct gw_partner *open_p = NULL;
    const struct gw_transport_type *tt = NULL;
    struct gw_transport *t = NULL;
    int rc, skip_partner = 0;

    if ((rc = gw_store_receipts(&v, &n, c->store, only ? only->id : NULL, "pending", err)) < 0)
        return rc;
    for (i = 0; i < n && rc == 0 && !(c->stop && *c->stop); i++) {
        const struct gw_partner *p = gw_config_partner(c->cfg, v[i].partner);
        struct gw_said said;
        struct edi_err e;
        int r;

        if (p == NULL || (v[i].checked != 0 && c->now - v[i].checked < backoff(v[i].checks - 1)))
            continue;
        if (p != open_p) {
            if (t)
                tt->close(t);
            t = NULL;
            open_p = p;
            skip_partner = 0;
            edi_err_clear(&e);
            if (gw_transport_open(&tt, &t, c, p, &e) < 0) {
                gw_log(c, "error", "%s: cannot ask about what was sent: %s", p->id, e.msg);
                skip_partner = 1;
            }
        }
        if (skip_partner || tt->status == NULL)
            continue;
        edi_err_clear(&e);
        if ((r = tt->status(t, &v[i], &said, &e)) < 0) {
            gw_log(c, r == EDI_EAGAIN ? "warn" : "error", "%s: %s (%s): not known yet: %s", p->id,
                   v[i].name ? v[i].name : v[i].kind, v[i].receipt, e.msg);
            if (r == EDI_ECONFIG)
                skip_partner = 1;
            /* counted as a check, so the back-off grows */
            rc = gw_store_receipt_status(c->store, v[i].outbox_id, "pending", NULL, c->now, err);
            continue;
        }
        if (strcmp(said.status, "resend") == 0) {
            /* the partner shows it never took: due again now */
            gw_log(c, "warn", "%s: %s (%s): %s", p->id, v[i].name ? v[i].name : v[i].kind, v[i].receipt,
                   said.detail);
            rc = gw_store_outbox_resend(c->store, v[i].outbox_id, said.detail, c->now, err);
            continue;
        }
        rc = gw_store_receipt_status(c->store, v[i].outbox_id, said.status, said.detail[0] ? said.detail : NULL,
                                     c->now, err);
        if (rc == 0 && strcmp(said.status, "pending") != 0) {
            gw_log(c, strcmp(said.status, "accepted") == 0 ? "info" : "warn", "%s: %s (%s) %s%s%s", p->id,
                   v[i].name ? v[i].name : v[i].kind, v[i].receipt, said.status, said.detail[0] ? ": " : "",
                   said.detail);
            if (st && strcmp(said.status, "rejected") == 0)
                st->rejected++;
        }
    }
    if (t)
        tt->close(t);
    gw_receipts_free(v, n);
    return rc;
}
