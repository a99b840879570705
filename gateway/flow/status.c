/*
 * status.c — the status document (status.h), for the CLI and the API.
 */
#include "gateway/flow/status.h"
#include "gateway/docs/cdoc.h"
#include "gateway/erp/erp.h"
#include "gateway/flow/ack.h"
#include "gateway/flow/purge.h"
#include "gateway/flow/readback.h"
#include "gateway/net/cms.h"
#include "gateway/transport/as2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int gw_readback_status(struct gw_readback_status *r, struct gw_store *s, struct edi_err *err)
{
    struct gw_document *v = NULL, *m = NULL;
    size_t n = 0, nm = 0, i, k = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    /* LIMIT: the newest 500 rejected documents are looked at, 10 shown */
    if ((rc = gw_store_documents(&v, &n, s, NULL, NULL, "rejected", 0, 500, err)) < 0 ||
        (rc = gw_store_documents(&m, &nm, s, NULL, "864", NULL, 0, SIZE_MAX, err)) < 0)
        goto out;
    r->messages = nm;
    r->rejected = edi_xcalloc(n ? n : 1, sizeof(*r->rejected));
    r->why = edi_xcalloc(n ? n : 1, sizeof(*r->why));
    for (i = 0; i < n && k < 10 && rc == 0; i++) {
        if (v[i].direction == NULL || strcmp(v[i].direction, "in") == 0)
            continue;
        r->rejected[k] = v[i];
        memset(&v[i], 0, sizeof(v[i]));   /* moved */
        rc = gw_readback_why(&r->why[k], s, &r->rejected[k], err);
        k++;
    }
    r->nrejected = k;
out:
    gw_documents_free(v, n);
    gw_documents_free(m, nm);
    return rc;
}

void gw_readback_status_dispose(struct gw_readback_status *r)
{
    gw_strings_free(r->why, r->nrejected);
    gw_documents_free(r->rejected, r->nrejected);
    memset(r, 0, sizeof(*r));
}

static json_t *readback_json(const struct gw_readback_status *r)
{
    json_t *j = json_object(), *a = json_array();
    size_t i;

    for (i = 0; i < r->nrejected; i++) {
        const struct gw_document *d = &r->rejected[i];
        json_t *e = json_object();

        json_object_set_new(e, "id", json_integer((json_int_t)d->id));
        json_object_set_new(e, "partner", json_string(d->partner ? d->partner : ""));
        json_object_set_new(e, "kind", json_string(d->kind ? d->kind : ""));
        json_object_set_new(e, "ref", d->ref ? json_string(d->ref) : json_null());
        json_object_set_new(e, "group_control", d->group_control ? json_string(d->group_control) : json_null());
        json_object_set_new(e, "set_control", d->set_control ? json_string(d->set_control) : json_null());
        json_object_set_new(e, "updated", json_integer((json_int_t)d->updated));
        json_object_set_new(e, "why", r->why[i] ? json_string(r->why[i]) : json_null());
        json_array_append_new(a, e);
    }
    json_object_set_new(j, "rejected", a);
    json_object_set_new(j, "messages_864", json_integer((json_int_t)r->messages));
    return j;
}

void gw_as2_cert_warnings(char ***warn, size_t *n, const struct gw_config *cfg, time_t now)
{
    size_t i;
    int s, ours;

    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];

        if (strcmp(p->transport, "as2") != 0)
            continue;
        for (ours = 1; ours >= 0; ours--)
            for (s = GW_AS2_CURRENT; s <= GW_AS2_NEXT; s++) {
                char path[4400], *data, line[600];
                size_t len;
                struct gw_cms_cert *c = NULL;
                struct gw_cms_cert_info ci;
                struct edi_err err;
                long days;

                gw_as2_cert_path(path, sizeof(path), cfg, p, ours, (enum gw_as2_slot)s, NULL);
                if (edi_read_file(&data, &len, path, NULL) < 0)
                    continue;
                if (gw_cms_cert_new(&c, data, len, &err) < 0 || gw_cms_cert_info(&ci, c, &err) < 0) {
                    snprintf(line, sizeof(line), "AS2 %s: %s certificate %.400s is unreadable", p->id,
                             ours ? "our" : "the partner's", path);
                } else {
                    days = (long)((ci.not_after - now) / 86400);
                    if (days >= GW_AS2_EXPIRY_WARN_DAYS) {
                        free(data);
                        gw_cms_cert_free(c);
                        continue;
                    }
                    snprintf(line, sizeof(line), "AS2 %s: %s %s certificate (%s) %s %ld day%s: %s", p->id,
                             ours ? "our" : "the partner's", gw_as2_slot_name((enum gw_as2_slot)s), ci.subject,
                             ci.not_after <= now ? "expired" : "expires in", days < 0 ? -days : days,
                             (days == 1 || days == -1) ? "" : "s",
                             ours ? "make the next one (wharf certs new), send it, then wharf certs switch"
                                  : "ask the partner for its next certificate (wharf certs import)");
                }
                free(data);
                gw_cms_cert_free(c);
                *warn = edi_xrealloc(*warn, (*n + 1) * sizeof(**warn));
                (*warn)[(*n)++] = edi_xstrdup(line);
            }
    }
}

int gw_status_json(json_t **out, struct gw_ctx *c, const char *workspace, struct edi_err *err)
{
    struct gw_count *counts = NULL;
    char **errs = NULL, **warn = NULL;
    size_t n = 0, ne = 0, nd = 0, nheld = 0, nwarn = 0, i;
    struct gw_deadline *dl = NULL;
    struct gw_readback_status rb;
    struct gw_invoice **held = NULL;
    json_t *root = NULL;
    int rc;

    *out = NULL;
    /* the workspace holds consumers' personal data: say who else may read it */
    gw_perm_warnings(&warn, &nwarn, c->cfg);
    gw_as2_cert_warnings(&warn, &nwarn, c->cfg, c->now);
    memset(&rb, 0, sizeof(rb));
    if ((rc = gw_store_counts(&counts, &n, c->store, c->now, err)) < 0 ||
        (rc = gw_store_last_errors(&errs, &ne, c->store, 10, err)) < 0 ||
        (rc = gw_ack_deadlines(&dl, &nd, c, err)) < 0 || (rc = gw_readback_status(&rb, c->store, err)) < 0 ||
        (rc = gw_store_list_invoices(&held, &nheld, c->store, GW_INV_HELD, NULL, err)) < 0)
        goto out;
    root = json_object();
    json_t *cj = json_object(), *ej = json_array(), *dj = json_array();

    for (i = 0; i < nd; i++) {
        json_t *d = json_object();

        json_object_set_new(d, "partner", json_string(dl[i].partner));
        json_object_set_new(d, "po_number", json_string(dl[i].po_number));
        json_object_set_new(d, "state", json_string(dl[i].state));
        json_object_set_new(d, "due", json_integer((json_int_t)dl[i].due));
        json_object_set_new(d, "minutes_left", json_integer(dl[i].minutes_left));
        json_array_append_new(dj, d);
    }
    json_object_set_new(root, "deadlines", dj);
    {
        json_t *wj = json_array();

        for (i = 0; i < nwarn; i++)
            json_array_append_new(wj, json_string(warn[i]));
        json_object_set_new(root, "warnings", wj);
    }

    for (i = 0; i < n; i++)
        json_object_set_new(cj, counts[i].what, json_integer(counts[i].n));
    for (i = 0; i < ne; i++)
        json_array_append_new(ej, json_string(errs[i]));
    json_object_set_new(root, "workspace", json_string(workspace));
    json_object_set_new(root, "store_version", json_integer(gw_store_version(c->store)));
    json_object_set_new(root, "counts", cj);
    json_object_set_new(root, "last_errors", ej);
    json_object_set_new(root, "readback", readback_json(&rb));
    {
        json_t *hj = json_array();

        for (i = 0; i < nheld; i++)
            json_array_append_new(hj, json_pack("{s:s, s:s, s:s?, s:s?}", "partner", held[i]->partner,
                                                "number", held[i]->number, "po_numbers",
                                                held[i]->po_numbers, "findings", held[i]->findings));
        json_object_set_new(root, "held_invoices", hj);
    }
    *out = root;
out:
    gw_strings_free(warn, nwarn);
    gw_counts_free(counts, n);
    gw_strings_free(errs, ne);
    gw_deadlines_free(dl, nd);
    gw_invoices_free(held, nheld);
    gw_readback_status_dispose(&rb);
    return rc;
}

json_t *gw_order_json(const struct gw_order *o, int lines)
{
    json_t *j = json_object();
    size_t i;

    json_object_set_new(j, "partner", json_string(o->partner));
    json_object_set_new(j, "program", json_string(o->program));
    json_object_set_new(j, "po_number", json_string(o->po_number));
    json_object_set_new(j, "state", json_string(o->state));
    json_object_set_new(j, "created", json_integer((json_int_t)o->created));
    json_object_set_new(j, "updated", json_integer((json_int_t)o->updated));
    if (lines) {
        json_t *a = json_array();

        for (i = 0; i < o->nlines; i++) {
            const struct gw_order_line *l = &o->lines[i];
            json_t *lj = json_object();

            json_object_set_new(lj, "line_no", json_integer(l->line_no));
            json_object_set_new(lj, "product_id", json_string(l->product_id ? l->product_id : ""));
            json_object_set_new(lj, "quantity", json_string(l->quantity ? l->quantity : ""));
            json_object_set_new(lj, "unit", json_string(l->unit ? l->unit : ""));
            json_object_set_new(lj, "unit_cost", json_string(l->unit_cost ? l->unit_cost : ""));
            json_object_set_new(lj, "state", json_string(l->state ? l->state : ""));
            json_array_append_new(a, lj);
        }
        json_object_set_new(j, "lines", a);
    }
    return j;
}

/* What the order says beyond its lines, as the ERP gets it (the stored
 * canonical order through local/order-to-erp-json): ship-to, ship method,
 * dates, gift and packing slip. NULL when it cannot be made. A DF ship-to is
 * the consumer's personal data: shown to the operator, never logged. */
json_t *gw_order_details(struct gw_ctx *c, const struct gw_order *o)
{
    struct gw_cdoc *doc = NULL;
    struct edi_buf b;
    struct edi_err err;
    json_t *j = NULL;

    if (o->canonical == NULL)
        return NULL;
    edi_err_clear(&err);
    if (gw_cdoc_parse(&doc, o->canonical, strlen(o->canonical), "order", &err) < 0)
        return NULL;
    edi_buf_init(&b, 0);
    if (gw_erp_json(&b, c, "local/order-to-erp-json", o->partner, o->state, doc, &err) == 0)
        j = json_loadb(b.p, b.n, 0, NULL);
    edi_buf_dispose(&b);
    gw_cdoc_free(doc);
    return j;
}

int gw_order_details_hide(json_t *d)
{
    static const char *const personal[] = {"ship_to_address", "gift_message", "message_to_customer", NULL};
    json_t *v;
    size_t i, k;
    int taken = 0;

    if (!json_is_object(d))
        return 0;
    for (i = 0; personal[i]; i++)
        if (json_object_del(d, personal[i]) == 0)
            taken = 1;
    json_array_foreach(json_object_get(d, "lines"), k, v)
        if (json_object_del(v, "gift_message") == 0)
            taken = 1;
    return taken;
}

char *gw_document_why(struct gw_store *s, const struct gw_document *d, struct edi_err *err)
{
    char *why = NULL;

    if (d->state == NULL || strcmp(d->state, "rejected") != 0 || d->direction == NULL ||
        strcmp(d->direction, "in") == 0)
        return NULL;
    if (gw_readback_why(&why, s, d, err) < 0) {
        free(why);
        return NULL;
    }
    return why;
}

json_t *gw_document_json(struct gw_store *s, const struct gw_document *d)
{
    json_t *j = json_object();
    struct edi_err err;
    char *why;

    edi_err_clear(&err);
    why = gw_document_why(s, d, &err);   /* when it cannot be read, the rest is still shown */

    json_object_set_new(j, "id", json_integer((json_int_t)d->id));
    json_object_set_new(j, "partner", json_string(d->partner ? d->partner : ""));
    json_object_set_new(j, "direction", json_string(d->direction ? d->direction : ""));
    json_object_set_new(j, "kind", json_string(d->kind ? d->kind : ""));
    json_object_set_new(j, "ref", d->ref ? json_string(d->ref) : json_null());
    json_object_set_new(j, "state", json_string(d->state ? d->state : ""));
    json_object_set_new(j, "group_control", d->group_control ? json_string(d->group_control) : json_null());
    json_object_set_new(j, "set_control", d->set_control ? json_string(d->set_control) : json_null());
    json_object_set_new(j, "about", d->about ? json_integer((json_int_t)d->about) : json_null());
    json_object_set_new(j, "text", d->text ? json_string(d->text) : json_null());
    json_object_set_new(j, "findings", d->findings ? json_string(d->findings) : json_null());
    json_object_set_new(j, "why", why ? json_string(why) : json_null());
    json_object_set_new(j, "created", json_integer((json_int_t)d->created));
    json_object_set_new(j, "updated", json_integer((json_int_t)d->updated));
    free(why);
    return j;
}

json_t *gw_run_json(const struct gw_run *r)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer((json_int_t)r->id));
    json_object_set_new(j, "partner", json_string(r->partner ? r->partner : ""));
    json_object_set_new(j, "job", json_string(r->job ? r->job : ""));
    json_object_set_new(j, "due", json_integer((json_int_t)r->due));
    json_object_set_new(j, "started", json_integer((json_int_t)r->started));
    json_object_set_new(j, "ended", r->ended ? json_integer((json_int_t)r->ended) : json_null());
    json_object_set_new(j, "state", json_string(r->state ? r->state : ""));
    json_object_set_new(j, "counts", r->counts ? json_string(r->counts) : json_null());
    json_object_set_new(j, "error", r->error ? json_string(r->error) : json_null());
    return j;
}

const char *gw_erp_message_state(const struct gw_outbox_row *r)
{
    if (r->sent_at)
        return "done";
    if (r->status && strcmp(r->status, "held") == 0)
        return "held";
    if (r->attempts > 0 && r->last_error)
        return "failing";
    return "pending";
}

int gw_erp_status_json(json_t **out, size_t *held, struct gw_ctx *c, const char *only, struct edi_err *err)
{
    static const char *const names[4] = {"done", "pending", "failing", "held"};
    json_t *all = json_array();
    size_t i, k, s;
    int rc;

    *out = NULL;
    *held = 0;
    for (i = 0; i < c->cfg->nerps; i++) {
        const struct gw_erp_conf *ec = &c->cfg->erps[i];
        struct gw_outbox_row *v = NULL;
        char prefix[96];
        size_t n = 0, counts[4] = {0};
        json_t *one, *msgs = json_array();

        if (only && strcmp(only, ec->id) != 0)
            continue;
        snprintf(prefix, sizeof(prefix), "%s%s", GW_OUTBOX_ERP_API, ec->id);
        if ((rc = gw_store_outbox_list(&v, &n, c->store, prefix, err)) < 0) {
            json_decref(msgs);
            json_decref(all);
            return rc;
        }
        for (k = 0; k < n; k++) {
            const char *st = gw_erp_message_state(&v[k]);

            for (s = 0; s < 4; s++)
                counts[s] += strcmp(st, names[s]) == 0;
            json_array_append_new(
                msgs, json_pack("{s:I, s:s, s:s, s:s, s:i, s:s?, s:s?}", "message", (json_int_t)v[k].id, "name",
                                v[k].name ? v[k].name : "", "partner", v[k].partner, "state", st, "attempts",
                                v[k].attempts, "erp_id", v[k].sent_at ? v[k].receipt : NULL, "error",
                                v[k].sent_at ? NULL : v[k].last_error));
        }
        *held += counts[3];
        one = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "id", ec->id, "kind", ec->kind, "done",
                        (json_int_t)counts[0], "pending", (json_int_t)counts[1], "failing", (json_int_t)counts[2],
                        "held", (json_int_t)counts[3], "messages", msgs);
        json_array_append_new(all, one);
        gw_outbox_rows_free(v, n);
    }
    *out = json_pack("{s:o}", "erps", all);
    return 0;
}

json_t *gw_shipment_json(const struct gw_shipment *s, int lines)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s?, s:s?, s:I}", "partner", s->partner,
                          "program", s->program, "shipment_id", s->shipment_id, "version", s->version,
                          "state", s->state, "warehouse", s->warehouse, "ship_to", s->ship_to,
                          "created", (json_int_t)s->created);
    size_t i;

    if (lines) {
        json_t *a = json_array();

        for (i = 0; i < s->nlines; i++)
            json_array_append_new(a, json_pack("{s:I, s:i, s:s}", "order_id",
                                               (json_int_t)s->lines[i].order_id, "line_no",
                                               s->lines[i].line_no, "quantity", s->lines[i].quantity));
        json_object_set_new(o, "lines", a);
        json_object_set_new(o, "canonical", json_string(s->canonical));
    }
    return o;
}

/* Amazon's word (the Finances API) as {status, summary, variances}: the
 * summary is the detail's first line, each variance line one string. */
static json_t *amazon_json(const struct gw_invoice *v)
{
    json_t *a = json_array();
    const char *d = v->amazon_detail ? v->amazon_detail : "", *nl = strchr(d, '\n'), *s;
    json_t *o = json_pack("{s:s, s:s%}", "status", v->amazon_status, "summary", d,
                          nl ? (size_t)(nl - d) : strlen(d));

    for (s = nl ? nl + 1 : ""; *s; s = nl + 1) {
        if ((nl = strchr(s, '\n')) == NULL) {
            json_array_append_new(a, json_string(s));
            break;
        }
        json_array_append_new(a, json_stringn(s, (size_t)(nl - s)));
    }
    json_object_set_new(o, "variances", a);
    return o;
}

json_t *gw_invoice_json(const struct gw_invoice *v)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:I}", "partner", v->partner,
                          "program", v->program, "number", v->number, "state", v->state, "po_numbers",
                          v->po_numbers, "total", v->total, "currency", v->currency, "findings", v->findings,
                          "created", (json_int_t)v->created, "updated", (json_int_t)v->updated);

    /* "amazon": what Amazon's Finances API said, null until it has */
    json_object_set_new(j, "amazon", v->amazon_status ? amazon_json(v) : json_null());
    return j;
}
