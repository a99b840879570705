/*
 * brightpearl.c — the Brightpearl connector (erp.h), over its REST API.
 *
 * Pushes (outbox kind erp:ID, see erp.h):
 *   order:P:PO     a sales order, through brightpearl/order-to-sales-order;
 *                  the customer is one contact per partner (made once);
 *                  Brightpearl has no idempotency key, so the order is
 *                  looked for by its externalRef (P:PO) before every
 *                  create: a retry after a lost answer finds the first one.
 *                  A PO that changes updates the order (PUT with If-Match:
 *                  its version; a 412 reads it again), keeping the status
 *                  the vendor set in Brightpearl.
 *   invoice:P:N    checked against the Brightpearl order of its PO: the
 *                  totals (and the invoice number, once Brightpearl has
 *                  one) must agree, else the message is held saying how
 *                  they differ.
 *   shipment:P:ID  the goods-out notes are Brightpearl's own: recorded.
 * Pulls (reconciling polls, by updatedOn with an overlap, each item once):
 *   decisions      orders whose status changed, through
 *                  brightpearl/order-to-decision (code list bp-decision);
 *   packing lists  shipped goods-out notes, through
 *                  brightpearl/goods-out-to-packlist (bp-warehouse);
 *   stock          product availability, through
 *                  brightpearl/availability-to-stock.
 *
 * SPEC: research/erp-as2.md 1.3/1.4 — {"response": ...} or {"errors":
 * [...]}; 200 requests a rolling minute, over it a 503 with
 * brightpearl-next-throttle-period (ms): a short wait is slept, a long
 * one is "later" for the whole connector; requests-remaining 0 waits out
 * the period before the next request.
 */
#include "gateway/erp/api.h"
#include "gateway/docs/cdoc.h"
#include "mappings/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SLEEP_MS 5000
#define OVERLAP_SECONDS 300

/* One pulled item's bookkeeping, for done(). */
struct pulled {
    char name[96];
    char seen_key[64], seen_value[32];
    const char *since_key;
    time_t since;              /* its updatedOn */
};

struct gw_erp {
    struct gw_api a;
    int oauth;
    char base[2048];           /* ENDPOINT/public-api/ACCOUNT/ */
    char token_url[2048];
    struct gw_api_oauth o;
    long wait_ms;              /* the period to wait out before the next request */
    /* the app reference and the staff token (or the OAuth dev reference),
     * read from the vault once, for every request the connector makes */
    struct gw_secret *app_ref, *token;
    struct pulled *pulled;
    size_t npulled;
};

static const char *const SECRET_APP_REF = "brightpearl-app-ref";
static const char *const SECRET_STAFF = "brightpearl-staff-token";
static const char *const SECRET_DEV_REF = "brightpearl-dev-ref";

static int bp_open(struct gw_erp **out, struct gw_ctx *c, const struct gw_erp_conf *conf, struct edi_err *err)
{
    struct gw_erp *e = edi_xcalloc(1, sizeof(*e));
    int rc;

    *out = NULL;
    if ((rc = gw_api_open(&e->a, c, conf, "Brightpearl", "https://euw1.brightpearlconnect.com", err)) < 0) {
        free(e);
        return rc;
    }
    snprintf(e->base, sizeof(e->base), "%s/public-api/%s/", e->a.endpoint, conf->account);
    if (conf->token_endpoint)
        snprintf(e->token_url, sizeof(e->token_url), "%s", conf->token_endpoint);
    else
        snprintf(e->token_url, sizeof(e->token_url), "%s/oauth/token", e->a.endpoint);
    e->o.url = e->token_url;
    e->o.client_id = SECRET_APP_REF;
    e->o.client_secret = "brightpearl-client-secret";
    e->o.refresh = "brightpearl-refresh-token";
    e->o.access = "brightpearl-access-token";
    e->o.extra_name = "account_code";
    e->o.extra_value = conf->account;
    /* auth="staff"/"oauth", else whichever the vault holds: a staff token
     * there is kept for the requests */
    e->oauth = conf->auth && strcmp(conf->auth, "oauth") == 0;
    if (!e->oauth && gw_vault_get(e->a.vault, conf->id, SECRET_STAFF, &e->token, err) < 0)
        e->oauth = conf->auth == NULL;
    *out = e;
    return 0;
}

static void bp_close(struct gw_erp *e)
{
    gw_secret_free(e->app_ref);
    gw_secret_free(e->token);
    gw_api_close(&e->a);
    free(e->pulled);
    free(e);
}

static void bp_abandoned(struct gw_erp *e, const struct gw_outbox_item *it, long pid)
{
    (void)e;
    (void)it;
    (void)pid;   /* nothing half done here: a lost create is found by its externalRef */
}

/* Brightpearl's errors[] in one line. */
static void errors_text(struct edi_buf *b, json_t *j, long status)
{
    json_t *errs = json_object_get(j, "errors"), *x;
    size_t i;

    json_array_foreach(errs, i, x) {
        const char *code = json_string_value(json_object_get(x, "code"));
        const char *msg = json_string_value(json_object_get(x, "message"));

        edi_buf_printf(b, "%s%s%s%.300s", i ? "; " : "", code ? code : "", code ? ": " : "", msg ? msg : "");
    }
    if (b->n == 0)
        edi_buf_printf(b, "HTTP %ld", status);
}

/* A request that did not succeed, as an error of the right kind: 5xx and
 * throttling later, credentials an operator's, the rest Brightpearl's
 * refusal of this document (held). */
static int bp_fail(struct gw_erp *e, long status, json_t *j, const char *what, struct edi_err *err)
{
    struct edi_buf b;
    int rc;

    edi_buf_init(&b, 4096);
    errors_text(&b, j, status);
    switch (rc = gw_api_rc_of(status)) {
    case EDI_EAGAIN:
        edi_fail(err, rc, "Brightpearl (%s) could not %s: %s", e->a.conf->id, what, edi_buf_cstr(&b));
        break;
    case EDI_ECONFIG:
        edi_fail(err, rc, "Brightpearl (%s) refused the credentials to %s: %s", e->a.conf->id, what, edi_buf_cstr(&b));
        break;
    default:
        edi_fail(err, rc, "Brightpearl refused to %s: %s", what, edi_buf_cstr(&b));
    }
    edi_buf_dispose(&b);
    return rc;
}

static void sleep_ms(long ms)
{
    if (ms > 0)
        usleep((useconds_t)(ms > MAX_SLEEP_MS ? MAX_SLEEP_MS : ms) * 1000);
}

/* One request to PATH (under the account's base). *out the answer's JSON
 * (the caller's), *status its status. A throttled request is tried again
 * after the period when that is short; an OAuth token refused once is
 * refreshed. */
/* The secrets every request carries, read once. */
static int bp_secrets(struct gw_erp *e, struct edi_err *err)
{
    int rc;

    if (e->app_ref == NULL && (rc = gw_api_secret(&e->a, SECRET_APP_REF, &e->app_ref, err)) < 0)
        return rc;
    if (e->token == NULL && (rc = gw_api_secret(&e->a, e->oauth ? SECRET_DEV_REF : SECRET_STAFF, &e->token, err)) < 0)
        return rc;
    return 0;
}

static int bp_call(struct gw_erp *e, const char *method, const char *path, const char *body, const char *if_match,
                   long *status, json_t **out, struct edi_err *err)
{
    struct edi_buf url, bearer;
    int rc = 0, tries;

    *out = NULL;
    *status = 0;
    if ((rc = bp_secrets(e, err)) < 0)
        return rc;
    edi_buf_init(&url, 0);
    edi_buf_printf(&url, "%s%s", e->base, path);
    for (tries = 0; tries < 4; tries++) {
        struct gw_http_header h[5];
        struct gw_http_resp rs;
        const char *v;
        size_t nh = 0;

        sleep_ms(e->wait_ms);
        e->wait_ms = 0;
        if (e->oauth && (rc = gw_api_token(&e->a, &e->o, err)) < 0)
            break;
        edi_buf_init(&bearer, 0);
        h[nh++] = (struct gw_http_header){"brightpearl-app-ref", e->app_ref->p};
        if (e->oauth) {
            edi_buf_printf(&bearer, "Bearer %s", e->a.token);
            h[nh++] = (struct gw_http_header){"authorization", edi_buf_cstr(&bearer)};
            h[nh++] = (struct gw_http_header){"brightpearl-dev-ref", e->token->p};
        } else {
            h[nh++] = (struct gw_http_header){"brightpearl-staff-token", e->token->p};
        }
        h[nh++] = (struct gw_http_header){"accept", "application/json"};
        if (if_match)
            h[nh++] = (struct gw_http_header){"if-match", if_match};
        json_decref(*out);
        rc = gw_api_call(&e->a, method, edi_buf_cstr(&url), h, nh, body, body ? strlen(body) : 0, &rs, out, err);
        if (bearer.p)
            explicit_bzero(bearer.p, bearer.cap);
        edi_buf_dispose(&bearer);
        if (rc < 0) {
            gw_http_resp_free(&rs);
            break;
        }
        *status = rs.status;
        /* the period to wait out: now when throttled, before the next
         * request when none are left */
        v = gw_http_header(&rs, "brightpearl-next-throttle-period");
        if (rs.status == 503 || rs.status == 429 ||
            ((gw_http_header(&rs, "brightpearl-requests-remaining") != NULL &&
              atol(gw_http_header(&rs, "brightpearl-requests-remaining")) <= 0)))
            e->wait_ms = v ? atol(v) : 1000;
        gw_http_resp_free(&rs);
        if ((*status == 503 || *status == 429) && e->wait_ms <= MAX_SLEEP_MS && tries < 3)
            continue;
        if (*status == 401 && e->oauth && tries == 0) {
            gw_api_token_drop(&e->a, &e->o);
            continue;
        }
        break;
    }
    edi_buf_dispose(&url);
    return rc;
}

static const char *str_of(json_t *v, char *tmp, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(tmp, cap, "%lld", (long long)json_integer_value(v));
        return tmp;
    }
    return "";
}

/* One page of a Brightpearl search (path has its query) from result first:
 * its rows appended to rows as objects keyed by column name (the answer's
 * rows are positional, named by metaData.columns); *next the first result
 * of the next page, 0 when this was the last. An empty search may be a 404
 * (SPEC: 1.3). */
static int bp_search_page(json_t *rows, long *next, struct gw_erp *e, const char *path, long first,
                          struct edi_err *err)
{
    struct edi_buf url;
    json_t *j = NULL, *r, *meta, *cols, *res, *row;
    long status, last;
    size_t i, k;
    int rc;

    *next = 0;
    edi_buf_init(&url, 0);
    edi_buf_printf(&url, "%s&firstResult=%ld&pageSize=200", path, first);
    rc = bp_call(e, "GET", edi_buf_cstr(&url), NULL, NULL, &status, &j, err);
    edi_buf_dispose(&url);
    if (rc < 0 || status == 404) {
        json_decref(j);
        return rc;
    }
    if (status != 200) {
        rc = bp_fail(e, status, j, "search", err);
        json_decref(j);
        return rc;
    }
    r = json_object_get(j, "response");
    meta = json_object_get(r, "metaData");
    cols = json_object_get(meta, "columns");
    res = json_object_get(r, "results");
    json_array_foreach(res, i, row) {
        json_t *o = json_object(), *col;

        json_array_foreach(cols, k, col) {
            const char *name = json_string_value(json_object_get(col, "name"));

            if (name)
                json_object_set(o, name, json_array_get(row, k));
        }
        json_array_append_new(rows, o);
    }
    last = (long)json_integer_value(json_object_get(meta, "lastResult"));
    if (json_array_size(res) > 0 && last >= first && last < (long)json_integer_value(json_object_get(meta, "resultsAvailable")))
        *next = last + 1;
    json_decref(j);
    return 0;
}

/* Every row of a search, all pages. */
static int bp_search_all(json_t **rows, struct gw_erp *e, const char *path, struct edi_err *err)
{
    long first = 1;
    int rc;

    *rows = json_array();
    while ((rc = bp_search_page(*rows, &first, e, path, first, err)) == 0 && first > 0)
        ;
    if (rc < 0) {
        json_decref(*rows);
        *rows = NULL;
    }
    return rc;
}

/* Column col of the first row of a search on service/resource-search
 * where filter is value, "" when nothing matched. */
static int bp_find(char *out, size_t cap, struct gw_erp *e, const char *search, const char *filter,
                   const char *value, const char *col, struct edi_err *err)
{
    json_t *rows = json_array();
    struct edi_buf path;
    char tmp[32];
    long next;
    int rc;

    edi_buf_init(&path, 0);
    edi_buf_printf(&path, "%s?", search);
    gw_http_query(&path, filter, value);
    rc = bp_search_page(rows, &next, e, edi_buf_cstr(&path), 1, err);
    snprintf(out, cap, "%s", rc == 0 ? str_of(json_object_get(json_array_get(rows, 0), col), tmp, sizeof(tmp)) : "");
    edi_buf_dispose(&path);
    json_decref(rows);
    return rc;
}

/* The id a create answered ({"response": 123}). */
static int created_id(char *out, size_t cap, json_t *j)
{
    json_t *r = json_object_get(j, "response");

    if (json_is_integer(r))
        snprintf(out, cap, "%lld", (long long)json_integer_value(r));
    else if (json_is_string(r))
        snprintf(out, cap, "%s", json_string_value(r));
    else
        return -1;
    return 0;
}

/* POST path body, the new id in out. */
static int bp_create(char *out, size_t cap, struct gw_erp *e, const char *path, const char *body, const char *what,
                     struct edi_err *err)
{
    json_t *j = NULL;
    long status;
    int rc;

    if ((rc = bp_call(e, "POST", path, body, NULL, &status, &j, err)) < 0)
        return rc;
    if (status != 200 && status != 201)
        rc = bp_fail(e, status, j, what, err);
    else if (created_id(out, cap, j) < 0)
        rc = edi_fail(err, EDI_EAGAIN, "Brightpearl's answer to %s has no id", what);
    json_decref(j);
    return rc;
}

/* ---- pushes ------------------------------------------------------------------------------------------ */

/* The partner's customer contact: remembered, else found by its company
 * name, else made (an address, then the contact). */
static int bp_contact(char *out, size_t cap, struct gw_erp *e, const char *partner, struct edi_err *err)
{
    const struct gw_partner *p = gw_config_partner(e->a.c->cfg, partner);
    const char *name = p && p->name ? p->name : partner;
    char key[128], addr[64];
    json_t *body;
    char *text;
    int rc;

    snprintf(key, sizeof(key), "contact:%s", partner);
    if ((rc = gw_api_ref_copy(out, cap, &e->a, key, err)) != 0)
        return rc < 0 ? rc : 0;
    if ((rc = bp_find(out, cap, e, "contact-service/contact-search", "companyName", name, "contactId", err)) < 0)
        return rc;
    if (out[0] == '\0') {
        body = json_pack("{s:s, s:s, s:s}", "addressLine1", name, "postalCode", "",
                         "countryIsoCode", gw_api_param(&e->a, "contact-country", "USA"));
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        rc = bp_create(addr, sizeof(addr), e, "contact-service/postal-address", text, "make the customer's address",
                       err);
        free(text);
        if (rc < 0)
            return rc;
        body = json_pack("{s:{s:s}, s:{s:I, s:I, s:I}, s:{s:b}}", "organisation", "name", name, "postAddressIds",
                         "DEF", (json_int_t)atoll(addr), "BIL", (json_int_t)atoll(addr), "DEL",
                         (json_int_t)atoll(addr), "relationshipToAccount", "isCustomer", 1);
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        rc = bp_create(out, cap, e, "contact-service/contact", text, "make the customer contact", err);
        free(text);
        if (rc < 0)
            return rc;
        gw_log(e->a.c, "info", "%s: Brightpearl contact %s made for %s", e->a.conf->id, out, partner);
    }
    return gw_api_ref_set(&e->a, key, out, err);
}

/* The Brightpearl order of P:PO: remembered, else by its externalRef. */
static int bp_order_id(char *out, size_t cap, struct gw_erp *e, const char *partner, const char *po,
                       struct edi_err *err)
{
    char key[600];
    int rc;

    snprintf(key, sizeof(key), "order:%s:%s", partner, po);
    if ((rc = gw_api_ref_copy(out, cap, &e->a, key, err)) != 0)
        return rc < 0 ? rc : 0;
    /* "order:" off the key: PARTNER:PO, the externalRef */
    if ((rc = bp_find(out, cap, e, "order-service/order-search", "externalRef", key + 6, "orderId", err)) == 0 &&
        out[0])
        rc = gw_api_ref_set(&e->a, key, out, err);
    return rc;
}

/* GET order-service/order/ID: the order object (the caller's). */
static int bp_get_order(json_t **order, struct gw_erp *e, const char *id, struct edi_err *err)
{
    char path[128];
    json_t *j = NULL;
    long status;
    int rc;

    *order = NULL;
    snprintf(path, sizeof(path), "order-service/order/%s", id);
    if ((rc = bp_call(e, "GET", path, NULL, NULL, &status, &j, err)) < 0)
        return rc;
    if (status != 200) {
        rc = bp_fail(e, status, j, "read an order", err);
        json_decref(j);
        return rc;
    }
    *order = json_incref(json_array_get(json_object_get(j, "response"), 0));
    json_decref(j);
    if (*order == NULL)
        return edi_fail(err, EDI_ESYNTAX, "Brightpearl has no order %s any more", id);
    return 0;
}

static int bp_push_order(struct gw_erp *e, const struct gw_outbox_item *it, const char *partner, const char *po,
                         char *id, size_t cap, struct edi_err *err)
{
    struct gw_ctx *c = e->a.c;
    const struct gw_partner *p = gw_config_partner(c->cfg, partner);
    struct gw_order *o = NULL;
    struct map_param extra[2];
    struct edi_buf body;
    struct edi_err e2;
    char contact[64], key[600];
    int rc, tries;

    if ((rc = bp_contact(contact, sizeof(contact), e, partner, err)) < 0)
        return rc;
    /* the order's state now: an order approved since it was queued goes as
     * approved */
    if (p == NULL || p->program == NULL || gw_store_get_order(&o, c->store, partner, p->program, po, &e2) < 0)
        o = NULL;
    extra[0] = (struct map_param){"state", o ? o->state : "pending-approval"};
    extra[1] = (struct map_param){"customer-id", contact};
    edi_buf_init(&body, 0);
    rc = gw_api_map(&body, &e->a, "brightpearl/order-to-sales-order", partner, extra, 2, (const char *)it->bytes, it->n, 0, err);
    gw_order_free(o);
    if (rc < 0)
        goto out;
    if ((rc = bp_order_id(id, cap, e, partner, po, err)) < 0)
        goto out;
    if (id[0] == '\0') {
        /* a lost answer is EDI_EAGAIN: the next try finds the order by its
         * externalRef before it makes one */
        if ((rc = bp_create(id, cap, e, "order-service/sales-order", edi_buf_cstr(&body), "make the sales order",
                            err)) < 0)
            goto out;
        snprintf(key, sizeof(key), "order:%s:%s", partner, po);
        rc = gw_api_ref_set(&e->a, key, id, err);
        goto out;
    }
    /* SPEC: 1.5 — PUT replaces the order; If-Match its version, 412 when
     * someone changed it since: read it again */
    for (tries = 0; tries < 3; tries++) {
        json_t *order = NULL, *put = NULL, *ans = NULL, *st;
        char path[128], version[32];
        char *text;
        long status;

        if ((rc = bp_get_order(&order, e, id, err)) < 0)
            goto out;
        put = json_loadb(body.p, body.n, 0, NULL);
        st = json_object_get(json_object_get(order, "orderStatus"), "orderStatusId");
        if (put && st)
            json_object_set(put, "statusId", st);   /* the status is the vendor's, set in Brightpearl */
        snprintf(version, sizeof(version), "%lld", (long long)json_integer_value(json_object_get(order, "version")));
        text = put ? json_dumps(put, JSON_COMPACT) : NULL;
        json_decref(put);
        json_decref(order);
        if (text == NULL) {
            rc = edi_fail(err, EDI_ESYNTAX, "the map's sales order is not JSON");
            goto out;
        }
        snprintf(path, sizeof(path), "order-service/sales-order/%s", id);
        rc = bp_call(e, "PUT", path, text, version, &status, &ans, err);
        free(text);
        if (rc == 0 && status == 412) {
            json_decref(ans);
            continue;
        }
        if (rc == 0 && status != 200)
            rc = bp_fail(e, status, ans, "update the sales order", err);
        json_decref(ans);
        goto out;
    }
    rc = edi_fail(err, EDI_EAGAIN, "Brightpearl order %s kept changing while wharf updated it", id);
out:
    edi_buf_dispose(&body);
    return rc;
}

/* The invoice and its Brightpearl order agree: the same total, and the
 * same number once Brightpearl has given the order an invoice reference. */
static int bp_push_invoice(struct gw_erp *e, const struct gw_outbox_item *it, const char *partner, const char *number,
                           char *id, size_t cap, struct edi_err *err)
{
    struct gw_cdoc *doc = NULL;
    struct gw_cinvoice *inv = NULL;
    json_t *order = NULL, *ref;
    const char *total, *inv_total;
    int rc;

    if ((rc = gw_cdoc_parse(&doc, (const char *)it->bytes, it->n, "the canonical invoice", err)) < 0 ||
        (rc = gw_cdoc_invoice(&inv, doc, err)) < 0)
        goto out;
    if (inv->npo_numbers == 0) {
        rc = edi_fail(err, EDI_ESYNTAX, "invoice %s names no PO", number);
        goto out;
    }
    if ((rc = bp_order_id(id, cap, e, partner, inv->po_numbers[0], err)) < 0)
        goto out;
    if (id[0] == '\0') {
        rc = edi_fail(err, EDI_ESYNTAX, "Brightpearl has no order %s:%s for invoice %s", partner, inv->po_numbers[0],
                      number);
        goto out;
    }
    if ((rc = bp_get_order(&order, e, id, err)) < 0)
        goto out;
    total = json_string_value(json_object_get(json_object_get(order, "totalValue"), "total"));
    inv_total = inv->invoice_total ? inv->invoice_total : "0";
    if (total == NULL || map_dec_cmp(total, inv_total, &rc) != 0 || rc < 0) {
        rc = edi_fail(err, EDI_ESYNTAX, "invoice %s totals %s, its Brightpearl order %s %s", number, inv_total, id,
                      total ? total : "nothing");
        goto out;
    }
    ref = json_object_get(json_array_get(json_object_get(order, "invoices"), 0), "invoiceReference");
    if (json_string_value(ref) && *json_string_value(ref) && strcmp(json_string_value(ref), number) != 0) {
        rc = edi_fail(err, EDI_ESYNTAX, "invoice %s: its Brightpearl order %s was invoiced as %s", number, id,
                      json_string_value(ref));
        goto out;
    }
    rc = 0;
out:
    json_decref(order);
    gw_cinvoice_free(inv);
    gw_cdoc_free(doc);
    return rc;
}

static int bp_push(struct gw_erp *e, const struct gw_outbox_item *it, char *id, size_t cap, struct edi_err *err)
{
    const char *kind, *partner, *doc;
    char *copy;
    int rc;

    id[0] = '\0';
    if ((rc = gw_api_name(&copy, &kind, &partner, &doc, it->name, err)) < 0) {
        free(copy);
        return rc;
    }
    if (strcmp(kind, "order") == 0) {
        rc = bp_push_order(e, it, partner, doc, id, cap, err);
    } else if (strcmp(kind, "invoice") == 0) {
        rc = bp_push_invoice(e, it, partner, doc, id, cap, err);
    } else if (strcmp(kind, "shipment") == 0) {
        /* the goods-out notes are Brightpearl's: the shipment came from one */
        snprintf(id, cap, "%s", doc);
        rc = 0;
    } else {
        rc = edi_fail(err, EDI_ESYNTAX, "Brightpearl takes no %s from wharf", kind);
    }
    free(copy);
    return rc;
}

/* ---- pulls --------------------------------------------------------------------------------------------- */

/* A Brightpearl time (2026-07-01T10:00:00.000+01:00, or with a Z) as
 * seconds since the epoch, 0 when it is none. */
static time_t when_of(const char *v)
{
    struct tm tm;
    const char *p;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    if (v == NULL || (p = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
        return 0;
    t = timegm(&tm);
    if (*p == '.')
        p += 1 + strspn(p + 1, "0123456789");
    if ((*p == '+' || *p == '-') && strlen(p) >= 6 && p[3] == ':')
        t -= (*p == '-' ? -1 : 1) * ((p[1] - '0') * 36000 + (p[2] - '0') * 3600 + (p[4] - '0') * 600 + (p[5] - '0') * 60);
    return t;
}

/* Where a pull got to (the updatedOn it has read up to, kept as UTC),
 * moved on only: by the pull past what it passed over, by done() past
 * what was applied. A first pull looks back a day. */
static time_t since_get(struct gw_erp *e, const char *key)
{
    struct edi_err e2;
    char *v = NULL;
    time_t t = 0;

    if (gw_api_ref_get(&v, &e->a, key, &e2) == 0 && v)
        t = when_of(v);
    free(v);
    return t;
}

static void since_move(struct gw_erp *e, const char *key, time_t to)
{
    struct edi_err e2;
    struct tm tm;
    char v[40];

    if (to <= since_get(e, key))
        return;
    gmtime_r(&to, &tm);
    strftime(v, sizeof(v), "%Y-%m-%dT%H:%M:%SZ", &tm);
    gw_api_ref_set(&e->a, key, v, &e2);
}

static void add_item(struct gw_erp *e, struct gw_erp_item **items, size_t *n, const char *name, char *data,
                     const char *seen_key, const char *seen_value, const char *since_key, time_t since)
{
    struct pulled *p;

    *items = edi_xrealloc(*items, (*n + 1) * sizeof(**items));
    (*items)[*n].name = edi_xstrdup(name);
    (*items)[*n].data = data;
    (*items)[*n].n = strlen(data);
    (*n)++;
    e->pulled = edi_xrealloc(e->pulled, (e->npulled + 1) * sizeof(*e->pulled));
    p = &e->pulled[e->npulled++];
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->seen_key, sizeof(p->seen_key), "%s", seen_key);
    snprintf(p->seen_value, sizeof(p->seen_value), "%s", seen_value);
    p->since_key = since_key;
    p->since = since;
}

/* externalRef P:PO of one of our partners: partner in out. */
static int ours(char *partner, size_t cap, struct gw_erp *e, const char *ext)
{
    const char *colon = ext ? strchr(ext, ':') : NULL;

    if (colon == NULL || (size_t)(colon - ext) >= cap)
        return 0;
    snprintf(partner, cap, "%.*s", (int)(colon - ext), ext);
    return gw_config_partner(e->a.c->cfg, partner) != NULL;
}

/* What a pull made of one row of its search. */
enum row_said {
    ROW_PASSED,    /* nothing to apply, now or later: the pull moves past it */
    ROW_ITEM,      /* an item, for done() */
    ROW_AGAIN,     /* read again next time (a map refused it) */
};

/* A reconciling poll: the rows updated since where it got to (less an
 * overlap), oldest first, each turned into an item or passed over; the
 * place it got to moves past the rows passed over before the first that is
 * not. */
struct poll {
    const char *since_key, *search;
    int (*row)(struct gw_erp *e, json_t *row, time_t upd, struct gw_erp_item **items, size_t *n,
               struct edi_err *err);   /* enum row_said, or < 0 */
};

static int poll(struct gw_erp *e, const struct poll *k, struct gw_erp_item **items, size_t *n, struct edi_err *err)
{
    time_t since = since_get(e, k->since_key), passed = 0;
    json_t *rows = NULL, *row;
    char path[160], from[40];
    struct tm tm;
    size_t i;
    int rc = 0, r, waiting = 0;

    since = (since ? since : e->a.c->now - 86400) - OVERLAP_SECONDS;
    gmtime_r(&since, &tm);
    strftime(from, sizeof(from), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(path, sizeof(path), "%s?updatedOn=%s/&sort=updatedOn%%7CASC", k->search, from);
    if ((rc = bp_search_all(&rows, e, path, err)) < 0)
        return rc;
    json_array_foreach(rows, i, row) {
        time_t upd = when_of(json_string_value(json_object_get(row, "updatedOn")));

        if ((r = k->row(e, row, upd, items, n, err)) < 0) {
            rc = r;
            break;
        }
        if (r != ROW_PASSED)
            waiting = 1;
        else if (!waiting && upd > passed)
            passed = upd;
    }
    json_decref(rows);
    since_move(e, k->since_key, passed);
    return rc;
}

/* *seen: the row's seen mark is value (it was read before). */
static int seen_as(int *seen, struct gw_erp *e, const char *key, const char *value, struct edi_err *err)
{
    char *v = NULL;
    int rc = gw_api_ref_get(&v, &e->a, key, err);

    *seen = rc == 0 && v && (value == NULL || strcmp(v, value) == 0);
    free(v);
    return rc;
}

/* The decision map's answer holds a decision (not an empty array). */
static int decides(struct edi_buf *out)
{
    json_t *v = json_loadb(out->p ? out->p : "", out->n, 0, NULL);
    int yes = v != NULL && (!json_is_array(v) || json_array_size(v) > 0);

    json_decref(v);
    return yes;
}

/* An order whose status changed: a decision when bp-decision lists the
 * status. */
static int decision_row(struct gw_erp *e, json_t *row, time_t upd, struct gw_erp_item **items, size_t *n,
                        struct edi_err *err)
{
    char id[32], st[32], tmp[32], partner[64], seen_key[64], name[96];
    struct edi_buf out;
    json_t *order = NULL;
    struct edi_err e2;
    char *data;
    int rc, seen;

    snprintf(id, sizeof(id), "%s", str_of(json_object_get(row, "orderId"), tmp, sizeof(tmp)));
    snprintf(st, sizeof(st), "%s", str_of(json_object_get(row, "orderStatusId"), tmp, sizeof(tmp)));
    if (!ours(partner, sizeof(partner), e, json_string_value(json_object_get(row, "externalRef"))))
        return ROW_PASSED;
    snprintf(seen_key, sizeof(seen_key), "seen:order-%s", id);
    if ((rc = seen_as(&seen, e, seen_key, st, err)) < 0)
        return rc;
    if (seen)
        return ROW_PASSED;   /* this status was read before */
    if ((rc = bp_get_order(&order, e, id, err)) < 0)
        return rc;
    data = json_dumps(order, JSON_COMPACT);
    json_decref(order);
    edi_buf_init(&out, 0);
    edi_err_clear(&e2);
    rc = ROW_PASSED;
    if (gw_api_map(&out, &e->a, "brightpearl/order-to-decision", partner, NULL, 0, data, strlen(data), 1, &e2) < 0) {
        gw_log(e->a.c, "warn", "%s: Brightpearl order %s: %s", e->a.conf->id, id, e2.msg);
        rc = ROW_AGAIN;
    } else if (decides(&out)) {
        snprintf(name, sizeof(name), "brightpearl-order-%s-status-%s.json", id, st);
        add_item(e, items, n, name, edi_xstrdup(edi_buf_cstr(&out)), seen_key, st, "since:decisions", upd);
        rc = ROW_ITEM;
    } else if (gw_api_ref_set(&e->a, seen_key, st, &e2) < 0) {
        rc = ROW_AGAIN;      /* a status that decides nothing: read, and passed over */
    }
    free(data);
    edi_buf_dispose(&out);
    return rc;
}

/* A shipped goods-out note of one of our orders: a packing list. */
static int packing_row(struct gw_erp *e, json_t *row, time_t upd, struct gw_erp_item **items, size_t *n,
                       struct edi_err *err)
{
    char gon[32], oid[32], tmp[32], partner[64], seen_key[64], name[96], path[160];
    json_t *j = NULL, *note, *order = NULL, *in;
    struct edi_buf out;
    struct edi_err e2;
    char *data;
    long status;
    int rc, seen;

    if (!json_is_true(json_object_get(row, "shipped")))
        return ROW_PASSED;   /* shipping it changes it: it comes back then */
    snprintf(gon, sizeof(gon), "%s", str_of(json_object_get(row, "goodsOutNoteId"), tmp, sizeof(tmp)));
    snprintf(oid, sizeof(oid), "%s", str_of(json_object_get(row, "orderId"), tmp, sizeof(tmp)));
    snprintf(seen_key, sizeof(seen_key), "seen:goods-out-%s", gon);
    if ((rc = seen_as(&seen, e, seen_key, NULL, err)) < 0)
        return rc;
    if (seen)
        return ROW_PASSED;
    if ((rc = bp_get_order(&order, e, oid, err)) < 0)
        return rc;
    if (!ours(partner, sizeof(partner), e, json_string_value(json_object_get(order, "externalRef")))) {
        json_decref(order);
        return ROW_PASSED;
    }
    snprintf(path, sizeof(path), "warehouse-service/order/%s/goods-note/goods-out/%s", oid, gon);
    if ((rc = bp_call(e, "GET", path, NULL, NULL, &status, &j, err)) == 0 && status != 200)
        rc = bp_fail(e, status, j, "read a goods-out note", err);
    note = rc == 0 ? json_object_get(json_object_get(j, "response"), gon) : NULL;
    if (note == NULL) {
        json_decref(j);
        json_decref(order);
        return rc < 0 ? rc : ROW_PASSED;
    }
    json_object_set_new(note, "id", json_integer(atoll(gon)));
    in = json_pack("{s:O, s:O}", "note", note, "order", order);
    data = json_dumps(in, JSON_COMPACT);
    json_decref(in);
    json_decref(j);
    json_decref(order);
    edi_buf_init(&out, 0);
    edi_err_clear(&e2);
    if (gw_api_map(&out, &e->a, "brightpearl/goods-out-to-packlist", partner, NULL, 0, data, strlen(data), 1, &e2) <
        0) {
        /* refused: read again, so it goes once the cross-reference is there */
        gw_log(e->a.c, "warn", "%s: goods-out note %s: %s", e->a.conf->id, gon, e2.msg);
        rc = ROW_AGAIN;
    } else {
        snprintf(name, sizeof(name), "brightpearl-goods-out-%s.json", gon);
        add_item(e, items, n, name, edi_xstrdup(edi_buf_cstr(&out)), seen_key, "1", "since:packing-lists", upd);
        rc = ROW_ITEM;
    }
    free(data);
    edi_buf_dispose(&out);
    return rc;
}

static const struct poll POLL_DECISIONS = {"since:decisions", "order-service/order-search", decision_row};
static const struct poll POLL_PACKING = {"since:packing-lists", "warehouse-service/goods-note/goods-out-search",
                                         packing_row};

/* Stock: every product's availability (50 ids a request), as the CSV the
 * acknowledgment run reads (sku,warehouse,available). */
static int pull_stock(struct gw_erp *e, struct gw_erp_item **items, size_t *n, struct edi_err *err)
{
    json_t *rows = NULL;
    struct edi_buf csv;
    size_t at = 0;
    int rc;

    if ((rc = bp_search_all(&rows, e, "product-service/product-search?columns=productId", err)) < 0)
        return rc;
    edi_buf_init(&csv, 0);
    edi_buf_puts(&csv, "sku,warehouse,available\n");
    while (rc == 0 && at < json_array_size(rows)) {
        struct edi_buf path, out;
        json_t *j = NULL, *v, *x;
        char tmp[32], *data;
        struct edi_err e2;
        long status;
        size_t k;

        edi_buf_init(&path, 0);
        edi_buf_puts(&path, "warehouse-service/product-availability/");
        for (k = 0; k < 50 && at < json_array_size(rows); k++, at++)
            edi_buf_printf(&path, "%s%s", k ? "," : "",
                           str_of(json_object_get(json_array_get(rows, at), "productId"), tmp, sizeof(tmp)));
        rc = bp_call(e, "GET", edi_buf_cstr(&path), NULL, NULL, &status, &j, err);
        edi_buf_dispose(&path);
        if (rc == 0 && status != 200)
            rc = bp_fail(e, status, j, "read product availability", err);
        if (rc < 0) {
            json_decref(j);
            break;
        }
        data = json_dumps(json_object_get(j, "response"), JSON_COMPACT);
        json_decref(j);
        edi_buf_init(&out, 0);
        edi_err_clear(&e2);
        if (data && gw_api_map(&out, &e->a, "brightpearl/availability-to-stock", "", NULL, 0, data, strlen(data), 1,
                               &e2) == 0) {
            v = json_loadb(out.p, out.n, 0, NULL);
            json_array_foreach(v, k, x) {
                const char *sku = json_string_value(json_object_get(x, "sku"));
                const char *wh = json_string_value(json_object_get(x, "warehouse"));
                const char *avail = str_of(json_object_get(x, "available"), tmp, sizeof(tmp));

                if (sku && *sku && strchr(sku, ',') == NULL && strchr(sku, '\n') == NULL)
                    edi_buf_printf(&csv, "%s,%s,%s\n", sku, wh && !strpbrk(wh, ",\n") ? wh : "", avail);
            }
            json_decref(v);
        } else if (data) {
            gw_log(e->a.c, "warn", "%s: stock: %s", e->a.conf->id, e2.msg);
        }
        free(data);
        edi_buf_dispose(&out);
    }
    json_decref(rows);
    if (rc == 0) {
        *items = edi_xcalloc(1, sizeof(**items));
        (*items)[0].name = edi_xstrdup("brightpearl-stock.csv");
        (*items)[0].data = edi_xstrdup(edi_buf_cstr(&csv));
        (*items)[0].n = strlen((*items)[0].data);
        *n = 1;
    }
    edi_buf_dispose(&csv);
    return rc;
}

static int bp_pull(struct gw_erp *e, enum gw_erp_pull kind, struct gw_erp_item **items, size_t *n,
                   struct edi_err *err)
{
    int rc;

    *items = NULL;
    *n = 0;
    e->npulled = 0;
    rc = kind == GW_ERP_DECISIONS ? poll(e, &POLL_DECISIONS, items, n, err)
         : kind == GW_ERP_STOCK   ? pull_stock(e, items, n, err)
                                  : poll(e, &POLL_PACKING, items, n, err);
    if (rc < 0) {
        /* what was read before it failed is kept: the next pull has it
         * again (nothing was marked seen) */
        if (*n)
            return 0;
        gw_erp_items_free(*items, *n);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

static int bp_done(struct gw_erp *e, const struct gw_erp_item *it, const char *why, struct edi_err *err)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < e->npulled; i++) {
        struct pulled *p = &e->pulled[i];

        if (strcmp(p->name, it->name) != 0)
            continue;
        if (why)
            gw_log(e->a.c, "warn", "%s: %s refused: %s", e->a.conf->id, it->name, why);
        if ((rc = gw_api_ref_set(&e->a, p->seen_key, p->seen_value, err)) == 0)
            since_move(e, p->since_key, p->since);
        break;
    }
    return rc;
}

/* ---- webhooks ------------------------------------------------------------------------------------------ */

/* SPEC: research/erp-as2.md 1 "Webhooks" — the events whose changes the
 * pulls read: an order's status (a decision), a goods-out note shipped (a
 * packing list). Stock is read whole at each acknowledgment run: no event. */
static const struct {
    unsigned provides;
    const char *event;
} EVENTS[] = {
    {GW_ERP_GIVES_DECISIONS, "order.modified.order-status"},
    {GW_ERP_GIVES_PACKING_LISTS, "goods-out-note.modified.shipped"},
};

static int bp_unsubscribe(struct gw_erp *e, json_t *w, struct edi_buf *report, struct edi_err *err)
{
    char path[96], tmp[32];
    json_t *j = NULL;
    long status;
    int rc;

    snprintf(path, sizeof(path), "integration-service/webhook/%s", str_of(json_object_get(w, "id"), tmp, sizeof(tmp)));
    if ((rc = bp_call(e, "DELETE", path, NULL, NULL, &status, &j, err)) == 0 && status != 200 && status != 204 &&
        status != 404)
        rc = bp_fail(e, status, j, "remove a webhook", err);
    json_decref(j);
    if (rc == 0)
        edi_buf_printf(report, "removed %s %s\n", json_string_value(json_object_get(w, "subscribeTo")),
                       str_of(json_object_get(w, "id"), tmp, sizeof(tmp)));
    return rc;
}

static int bp_webhooks(struct gw_erp *e, const char *url, int remove, struct edi_buf *report, struct edi_err *err)
{
    json_t *j = NULL, *list, *w;
    char mark[128], tmp[32];
    unsigned have = 0;
    long status;
    size_t i, k;
    int rc;

    snprintf(mark, sizeof(mark), "/webhooks/erp/%s/", e->a.conf->id);
    if ((rc = bp_call(e, "GET", "integration-service/webhook", NULL, NULL, &status, &j, err)) < 0)
        return rc;
    if (status != 200 && status != 404) {
        rc = bp_fail(e, status, j, "list the webhooks", err);
        json_decref(j);
        return rc;
    }
    list = json_object_get(j, "response");
    json_array_foreach(list, i, w) {
        const char *uri = json_string_value(json_object_get(w, "uriTemplate"));
        const char *ev = json_string_value(json_object_get(w, "subscribeTo"));
        int wanted = 0;

        if (uri == NULL || ev == NULL || strstr(uri, mark) == NULL)
            continue;   /* not ours */
        for (k = 0; !remove && k < sizeof(EVENTS) / sizeof(EVENTS[0]); k++)
            if ((e->a.conf->provides & EVENTS[k].provides) && strcmp(ev, EVENTS[k].event) == 0 &&
                strcmp(uri, url) == 0 && !(have & (1u << k))) {
                wanted = 1;
                have |= 1u << k;
            }
        if (wanted)
            edi_buf_printf(report, "kept %s %s\n", ev, str_of(json_object_get(w, "id"), tmp, sizeof(tmp)));
        else if ((rc = bp_unsubscribe(e, w, report, err)) < 0)
            break;   /* a second of the same, another token or address, or remove */
    }
    for (k = 0; rc == 0 && !remove && k < sizeof(EVENTS) / sizeof(EVENTS[0]); k++) {
        json_t *body;
        char *text, id[32];

        if (!(e->a.conf->provides & EVENTS[k].provides) || (have & (1u << k)))
            continue;
        /* SPEC: 1 "Webhooks" — ids only in the body; at-least-once
         * delivery; id sets accepted (the receiver reads nothing but the
         * wake from it) */
        body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i}", "subscribeTo", EVENTS[k].event, "httpMethod", "POST",
                         "uriTemplate", url, "bodyTemplate",
                         "{\"account\":\"${account-code}\",\"resourceType\":\"${resource-type}\",\"id\":\"${resource-id}\","
                         "\"event\":\"${lifecycle-event}.${resource-specifier}\",\"raisedOn\":\"${raised-on}\"}",
                         "contentType", "application/json", "idSetAccepted", 1, "qualityOfService", 1);
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        rc = bp_create(id, sizeof(id), e, "integration-service/webhook", text, "subscribe a webhook", err);
        explicit_bzero(text, strlen(text));
        free(text);
        if (rc == 0)
            edi_buf_printf(report, "subscribed %s %s\n", EVENTS[k].event, id);
    }
    json_decref(j);
    return rc;
}

static int bp_check(struct gw_erp *e, struct edi_buf *report, struct edi_err *err)
{
    json_t *j = NULL, *w, *x;
    long status;
    size_t i;
    int rc;

    edi_buf_printf(report, "Brightpearl account %s at %s (%s)\n", e->a.conf->account, e->base,
                   e->oauth ? "OAuth" : "private app staff token");
    if ((rc = bp_call(e, "GET", "warehouse-service/warehouse", NULL, NULL, &status, &j, err)) < 0)
        return rc;
    if (status != 200) {
        rc = bp_fail(e, status, j, "list the warehouses", err);
        json_decref(j);
        return rc;
    }
    w = json_object_get(j, "response");
    edi_buf_printf(report, "credentials: accepted\nwarehouses: %zu\n", json_array_size(w));
    json_array_foreach(w, i, x) {
        char tmp[32];

        edi_buf_printf(report, "  %s %s\n", str_of(json_object_get(x, "id"), tmp, sizeof(tmp)),
                       json_string_value(json_object_get(x, "name")) ? json_string_value(json_object_get(x, "name"))
                                                                     : "");
    }
    json_decref(j);
    return 0;
}

/* SPEC: 1.2 — the browser goes to oauth.brightpearl.com/authorize/ACCOUNT
 * with the app reference as client_id. */
static int bp_authorize(struct gw_erp *e, const char *redirect_uri, const char *state, struct edi_buf *url,
                        struct edi_err *err)
{
    edi_buf_printf(url, "%s/%s", gw_api_param(&e->a, "authorize-url", "https://oauth.brightpearl.com/authorize"),
                   e->a.conf->account);
    return gw_api_authorize_url(&e->a, url, SECRET_APP_REF, NULL, redirect_uri, state, err);
}

static int bp_connect(struct gw_erp *e, const char *code, const char *redirect_uri, const char *realm,
                      struct edi_err *err)
{
    (void)realm;
    return gw_api_token_from_code(&e->a, &e->o, code, redirect_uri, err);
}

const struct gw_erp_type gw_erp_brightpearl = {
    .authorize = bp_authorize,
    .connect = bp_connect,
    .name = "brightpearl",
    .open = bp_open,
    .push = bp_push,
    .abandoned = bp_abandoned,
    .pull = bp_pull,
    .done = bp_done,
    .close = bp_close,
    .check = bp_check,
    .webhooks = bp_webhooks,
};

