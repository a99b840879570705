/*
 * reprocess.c — a quarantined inbound file processed again (reprocess.h).
 */
#include "gateway/flow/reprocess.h"
#include "gateway/flow/inbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_reprocess(struct gw_reprocessed *out, struct gw_ctx *c, int64_t raw_id, const char *actor,
                 struct edi_err *err)
{
    const struct gw_partner *p;
    struct gw_raw *raw = NULL;
    struct gw_stats st;
    struct edi_err e;
    char subject[64];
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&st, 0, sizeof(st));
    out->of = raw_id;
    if ((rc = gw_store_get_raw(&raw, c->store, raw_id, err)) < 0) {
        if (rc == EDI_ENOTFOUND)
            rc = edi_fail(err, EDI_ENOTFOUND, "no inbound file #%lld", (long long)raw_id);
        return rc;
    }
    /* the partner as wharf.xml says it now: its ids, guides and maps */
    if ((p = gw_config_partner(c->cfg, raw->partner)) == NULL) {
        rc = edi_fail(err, EDI_ECONFIG, "file #%lld is partner %s's, which wharf.xml has no more",
                      (long long)raw_id, raw->partner);
        gw_raw_free(raw);
        return rc;
    }
    gw_raw_free(raw);
    if ((rc = gw_store_reprocess_raw(&out->id, c->store, raw_id, c->now, err)) < 0)
        return rc;
    gw_log(c, "info", "%s: file #%lld reprocessed as #%lld by %s", p->id, (long long)raw_id,
           (long long)out->id, actor);
    if ((rc = gw_process_message(&st, c, p, out->id, &out->verdict, &out->reason, err)) < 0) {
        char msg[sizeof(err->msg)];

        snprintf(msg, sizeof(msg), "%s", err->msg);
        return edi_fail(err, rc, "file #%lld landed again as #%lld, which the next pass processes: %s",
                        (long long)raw_id, (long long)out->id, msg);
    }
    snprintf(subject, sizeof(subject), "#%lld as #%lld", (long long)raw_id, (long long)out->id);
    edi_err_clear(&e);
    gw_store_audit(c->store, actor, "reprocess", subject, out->verdict, c->now, &e);
    return gw_store_raw_documents(&out->docs, &out->ndocs, c->store, out->id, err);
}

void gw_reprocessed_dispose(struct gw_reprocessed *r)
{
    free(r->reason);
    free(r->docs);
    memset(r, 0, sizeof(*r));
}

static json_t *ids_json(const int64_t *v, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(arr, json_integer((json_int_t)v[i]));
    return arr;
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *gw_reprocessed_json(const struct gw_reprocessed *r)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:o}", "file", (json_int_t)r->id, "of", (json_int_t)r->of, "verdict",
                     r->verdict ? r->verdict : "received", "reason", text_or_null(r->reason), "documents",
                     ids_json(r->docs, r->ndocs));
}

json_t *gw_quarantined_json(struct gw_store *s, const struct gw_quarantined *q)
{
    int64_t *docs = NULL;
    size_t n = 0;
    struct edi_err e;
    json_t *j;

    edi_err_clear(&e);
    gw_store_raw_documents(&docs, &n, s, q->id, &e);
    j = json_pack("{s:I, s:s, s:o, s:I, s:o, s:I, s:o}", "id", (json_int_t)q->id, "partner", q->partner, "name",
                  text_or_null(q->name), "received", (json_int_t)q->received, "reason", text_or_null(q->reason),
                  "size", (json_int_t)q->size, "documents", ids_json(docs, n));
    free(docs);
    json_object_set_new(j, "reprocessed",
                        q->again ? json_pack("{s:I, s:I, s:s}", "as", (json_int_t)q->again, "at",
                                             (json_int_t)q->again_at, "verdict",
                                             q->again_verdict ? q->again_verdict : "received")
                                 : json_null());
    return j;
}
