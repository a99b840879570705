/*
 * spapi.c — the transport kind "sp-api": Amazon's Selling Partner API for
 * vendors (transport.h). What it does, with the rules from
 * ../shared/amazon/RULES.md ("SP-API") and Amazon's models:
 *
 *   poll     RP: getPurchaseOrders in windows of at most 7 days, by
 *            createdAfter and by changedAfter, from a cursor kept in the
 *            store (each window starts overlap-minutes before the last
 *            ended), following nextToken; once a day a back-fill over
 *            backfill-days. DF: getOrders per ship-from party, with a
 *            Restricted Data Token. Each order lands in the store as one
 *            message (its JSON) for the inbound flow; the same order pulled
 *            twice is one message (the dedupe digest leaves out the state
 *            fields Amazon changes as it goes).
 *   send     an outbox message (the JSON the partner's *-to-spapi map made)
 *            to its operation: acknowledgements, shipment confirmations,
 *            invoices. 202 gives a transactionId, kept as the receipt; 400
 *            is Amazon refusing the request (rejected, with its words, not
 *            retried); 401 refreshes the access token once; 429, 5xx and
 *            timeouts are "later", with the wait a 429 imposed kept in the
 *            store. An RP acknowledgement sent before is first looked up
 *            (getPurchaseOrdersStatus), so a lost response is never a
 *            second acknowledgement.
 *            Then invoice statuses (the Finances Invoices API): the headers
 *            modified since a cursor; for each of this partner's invoices
 *            Amazon's status, amounts and (when not paid in full) the lines
 *            with a variance land as one message, which flow/invoice.c
 *            records on the invoice.
 *   status   getTransaction / getTransactionStatus: Success accepted,
 *            Failure rejected with Amazon's errors, Processing pending, and
 *            unknown once it has been Processing longer than
 *            processing-minutes (never resent).
 *
 * Credentials come from the vault (lwa-client-id, lwa-client-secret,
 * lwa-refresh-token of the partner); the access token and RDT live in this
 * connection only and are wiped when it closes. No credential, token or
 * body is logged.
 */
#include "gateway/transport/transport.h"

#include "gateway/core/digest.h"
#include "gateway/net/http.h"
#include "gateway/secret/vault.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* SPEC: research/amazon-vc.md 2.7 — token buckets: 10/s burst 10 for most
 * vendor operations, getTransaction 10/20, createRestrictedDataToken 1/10.
 * x-amzn-RateLimit-Limit lowers a rate to what Amazon applies. */
enum op {
    OP_RP_ORDERS,
    OP_RP_PO_STATUS,
    OP_RP_ACK,
    OP_RP_SHIP,
    OP_RP_INVOICE,
    OP_RP_TX,
    OP_DF_ORDERS,
    OP_DF_ACK,
    OP_DF_SHIP,
    OP_DF_INVOICE,
    OP_DF_TX,
    OP_RDT,
    OP_FIN_HEADERS,
    OP_FIN_INVOICE,
    OP_COUNT
};

static const struct {
    const char *name;      /* the model's operationId (DF ones marked) */
    const char *method, *path;
    double rate, burst;
} OPS[OP_COUNT] = {
    [OP_RP_ORDERS] = {"getPurchaseOrders", "GET", "/vendor/orders/v1/purchaseOrders", 10, 10},
    [OP_RP_PO_STATUS] = {"getPurchaseOrdersStatus", "GET", "/vendor/orders/v1/purchaseOrdersStatus", 10, 10},
    [OP_RP_ACK] = {"submitAcknowledgement", "POST", "/vendor/orders/v1/acknowledgements", 10, 10},
    [OP_RP_SHIP] = {"SubmitShipmentConfirmations", "POST", "/vendor/shipping/v1/shipmentConfirmations", 10, 10},
    [OP_RP_INVOICE] = {"submitInvoices", "POST", "/vendor/payments/v1/invoices", 10, 10},
    [OP_RP_TX] = {"getTransaction", "GET", "/vendor/transactions/v1/transactions/", 10, 20},
    [OP_DF_ORDERS] = {"df.getOrders", "GET", "/vendor/directFulfillment/orders/2021-12-28/purchaseOrders", 10, 10},
    [OP_DF_ACK] = {"df.submitAcknowledgement", "POST", "/vendor/directFulfillment/orders/2021-12-28/acknowledgements",
                   10, 10},
    [OP_DF_SHIP] = {"df.submitShipmentConfirmations", "POST",
                    "/vendor/directFulfillment/shipping/2021-12-28/shipmentConfirmations", 10, 10},
    [OP_DF_INVOICE] = {"df.submitInvoice", "POST", "/vendor/directFulfillment/payments/v1/invoices", 10, 10},
    [OP_DF_TX] = {"df.getTransactionStatus", "GET",
                  "/vendor/directFulfillment/transactions/2021-12-28/transactions/", 10, 10},
    [OP_RDT] = {"createRestrictedDataToken", "POST", "/tokens/2021-03-01/restrictedDataToken", 1, 10},
    /* SPEC: research/amazon-vc.md 2.6 — the Finances Invoices model gives
     * no rate: 1/s, burst 1, until x-amzn-RateLimit-Limit says otherwise
     * (it only lowers a rate) */
    [OP_FIN_HEADERS] = {"getInvoiceHeaders", "GET", "/finances/invoices/2026-06-25/invoices", 1, 1},
    [OP_FIN_INVOICE] = {"getInvoice", "GET", "/finances/invoices/2026-06-25/invoices/", 1, 1},
};

/* SPEC: RULES.md SP-API — date windows of at most 7 days, at most 6 months
 * back. A minute short of 7 days keeps clear of the edge. */
#define WINDOW (7 * 86400 - 60)
#define OLDEST (180 * 86400 - 3600)
/* A wait this short is slept through; a longer one is "later". */
#define MAX_SLEEP 2.0
/* LIMIT: pages one window may take (100 orders each). */
#define MAX_PAGES 1000
/* SPEC: research 2.6 — getInvoiceHeaders looks at most 90 days back (its
 * issue dates default to the last 90 days): the first read of invoice
 * statuses asks for everything modified in them. */
#define FIN_FIRST (90 * 86400)
/* LIMIT: pages of line items one invoice may take (600 lines each). */
#define MAX_LINE_PAGES 100

struct gw_transport {
    struct gw_ctx *c;
    const struct gw_partner *p;
    struct gw_http *http;
    struct gw_vault *vault;
    char token[2048];      /* the LWA access token, "" none */
    time_t token_until;
    char rdt[2048];        /* the DF orders RDT, "" none */
    time_t rdt_until;
    time_t opened;         /* time() when opened: c->now is the pass's start, fixed */
    struct gw_bucket bucket[OP_COUNT];
    int bucket_set[OP_COUNT];
    unsigned landed, seen;
    unsigned fin_landed, fin_seen;   /* invoice statuses: ours read, news landed */
};

/* The pass's clock (c->now, WHARF_NOW in tests) moved on by the real time
 * since the connection opened: waits of seconds are measured on it. */
static time_t now_of(const struct gw_transport *t)
{
    time_t d = time(NULL) - t->opened;

    return t->c->now + (d > 0 ? d : 0);
}

static double mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void iso(char out[32], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* 2026-12-06T08:00:00Z (fractions and offsets as Amazon writes them). */
static int parse_iso(time_t *out, const char *s)
{
    struct tm tm;
    const char *e;

    memset(&tm, 0, sizeof(tm));
    if (s == NULL || (e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
        return -1;
    *out = timegm(&tm);
    return 0;
}

/* ---- errors in Amazon's words --------------------------------------------------------------- */

/* "code: message (details); ..." from an {errors:[...]} array (or NULL). */
static void errors_text(char *out, size_t cap, json_t *errors)
{
    size_t i, n = 0;
    json_t *e;

    out[0] = '\0';
    json_array_foreach(errors, i, e) {
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *det = json_string_value(json_object_get(e, "details"));

        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s: %s%s%s%s", i ? "; " : "",
                              code ? code : "error", msg ? msg : "", det && *det ? " (" : "",
                              det && *det ? det : "", det && *det ? ")" : "");
        if (n >= cap)
            break;
    }
    if (n >= cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
}

/* What a response body says went wrong, for a message. */
static void body_errors(char *out, size_t cap, const struct gw_http_resp *rs)
{
    json_t *j = rs->body ? json_loadb(rs->body, rs->nbody, 0, NULL) : NULL;
    json_t *errs = j ? json_object_get(j, "errors") : NULL;

    if (errs == NULL && j != NULL) {
        /* LWA: {"error": "invalid_grant", "error_description": "..."} */
        const char *e = json_string_value(json_object_get(j, "error"));
        const char *d = json_string_value(json_object_get(j, "error_description"));

        snprintf(out, cap, "%s%s%s", e ? e : "", d ? ": " : "", d ? d : "");
    } else if (errs != NULL) {
        errors_text(out, cap, errs);
    } else {
        out[0] = '\0';
    }
    if (out[0] == '\0')
        snprintf(out, cap, "HTTP %ld with no error body", rs->status);
    json_decref(j);
}

/* ---- LWA and the RDT -------------------------------------------------------------------------- */

static int secret_of(struct gw_transport *t, const char *name, struct gw_secret **s, struct edi_err *err)
{
    int rc = gw_vault_get(t->vault, t->p->id, name, s, err);

    if (rc == EDI_ENOTFOUND)
        return edi_fail(err, EDI_ECONFIG,
                        "partner %s: no %s in the vault: `wharf secrets set %s %s` (the value on standard "
                        "input)",
                        t->p->id, name, t->p->id, name);
    return rc;
}

/* The access tokens this process holds, by partner, so a pass that opens
 * a partner's transport several times (poll, flush, receipts) asks LWA
 * once an hour, not once an opening. Wiped at exit by the kernel only: a
 * token is worth an hour, and is never written anywhere. */
#define TOKEN_CACHE 16
static struct {
    char partner[64];
    char token[2048];
    time_t until;
} token_cache[TOKEN_CACHE];

static void cache_get(struct gw_transport *t)
{
    size_t i;

    for (i = 0; i < TOKEN_CACHE; i++)
        if (strcmp(token_cache[i].partner, t->p->id) == 0 && token_cache[i].until > t->c->now + 60) {
            memcpy(t->token, token_cache[i].token, sizeof(t->token));
            t->token_until = token_cache[i].until;
            return;
        }
}

static void cache_put(struct gw_transport *t)
{
    size_t i, k = 0;

    for (i = 0; i < TOKEN_CACHE; i++) {
        if (strcmp(token_cache[i].partner, t->p->id) == 0 || token_cache[i].partner[0] == '\0') {
            k = i;
            break;
        }
        if (token_cache[i].until < token_cache[k].until)
            k = i;
    }
    if (strlen(t->p->id) >= sizeof(token_cache[k].partner))
        return;
    snprintf(token_cache[k].partner, sizeof(token_cache[k].partner), "%s", t->p->id);
    memcpy(token_cache[k].token, t->token, sizeof(t->token));
    token_cache[k].until = t->token_until;
}

static void cache_drop(struct gw_transport *t)
{
    size_t i;

    for (i = 0; i < TOKEN_CACHE; i++)
        if (strcmp(token_cache[i].partner, t->p->id) == 0) {
            explicit_bzero(&token_cache[i], sizeof(token_cache[i]));
        }
}

/* SPEC: RULES.md SP-API — the refresh token is exchanged at the LWA
 * endpoint (form-encoded) for an access token of 3600 s; it is kept until
 * 60 s before it expires (the margin). */
static int access_token(struct gw_transport *t, struct edi_err *err)
{
    struct gw_secret *id = NULL, *secret = NULL, *refresh = NULL;
    struct edi_buf form;
    struct gw_http_req rq;
    struct gw_http_resp rs;
    struct gw_http_header h[1] = {{"accept", "application/json"}};
    json_t *j = NULL;
    const char *tok;
    json_int_t ttl;
    int rc;

    if (!t->token[0])
        cache_get(t);
    if (t->token[0] && t->c->now < t->token_until - 60)
        return 0;
    if ((rc = secret_of(t, "lwa-client-id", &id, err)) < 0 ||
        (rc = secret_of(t, "lwa-client-secret", &secret, err)) < 0 ||
        (rc = secret_of(t, "lwa-refresh-token", &refresh, err)) < 0) {
        gw_secret_free(id);
        gw_secret_free(secret);
        return rc;
    }
    edi_buf_init(&form, 0);
    gw_http_query(&form, "grant_type", "refresh_token");
    gw_http_query(&form, "refresh_token", refresh->p);
    gw_http_query(&form, "client_id", id->p);
    gw_http_query(&form, "client_secret", secret->p);
    gw_secret_free(id);
    gw_secret_free(secret);
    gw_secret_free(refresh);
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.url = t->p->spapi.token_endpoint;
    rq.headers = h;
    rq.nheaders = 1;
    rq.body = form.p;
    rq.nbody = form.n;
    rq.content_type = "application/x-www-form-urlencoded;charset=UTF-8";
    rc = gw_http_do(t->http, &rq, &rs, err);
    explicit_bzero(form.p, form.cap);
    edi_buf_dispose(&form);
    if (rc < 0) {
        gw_http_resp_free(&rs);   /* what arrived before it failed */
        return rc;
    }
    if (rs.status != 200) {
        char why[400];

        body_errors(why, sizeof(why), &rs);
        rc = rs.status == 400 || rs.status == 401
                 ? edi_fail(err, EDI_ECONFIG,
                            "partner %s: Login with Amazon refused the credentials (%s): check "
                            "lwa-client-id, lwa-client-secret and lwa-refresh-token in the vault",
                            t->p->id, why)
                 : edi_fail(err, EDI_EAGAIN, "partner %s: Login with Amazon answered %ld (%s)", t->p->id,
                            rs.status, why);
        gw_http_resp_free(&rs);
        return rc;
    }
    j = json_loadb(rs.body, rs.nbody, 0, NULL);
    explicit_bzero(rs.body, rs.nbody);
    gw_http_resp_free(&rs);
    tok = json_string_value(json_object_get(j, "access_token"));
    ttl = json_integer_value(json_object_get(j, "expires_in"));
    if (tok == NULL || strlen(tok) >= sizeof(t->token)) {
        json_decref(j);
        return edi_fail(err, EDI_EAGAIN, "partner %s: Login with Amazon's answer has no access token",
                        t->p->id);
    }
    snprintf(t->token, sizeof(t->token), "%s", tok);
    t->token_until = t->c->now + (ttl > 0 && ttl < 86400 ? (time_t)ttl : 3600);
    cache_put(t);
    /* the copy jansson holds */
    explicit_bzero((char *)tok, strlen(tok));
    json_decref(j);
    return 0;
}

static int call(json_t **out, long *status, struct gw_transport *t, enum op op, const char *tail,
                const char *query, const void *body, size_t n, int rdt, time_t *retry_at, char *why,
                size_t whycap, struct edi_err *err);

/* SPEC: RULES.md SP-API — DF getOrders/getOrder return personal data and
 * need a Restricted Data Token. */
static int restricted_token(struct gw_transport *t, struct edi_err *err)
{
    static const char body[] = "{\"restrictedResources\":[{\"method\":\"GET\",\"path\":"
                               "\"/vendor/directFulfillment/orders/2021-12-28/purchaseOrders\"}]}";
    json_t *j = NULL;
    const char *tok;
    json_int_t ttl;
    long status;
    time_t later = 0;
    char why[400];
    int rc;

    if (t->rdt[0] && t->c->now < t->rdt_until - 60)
        return 0;
    if ((rc = call(&j, &status, t, OP_RDT, NULL, NULL, body, sizeof(body) - 1, 0, &later, why, sizeof(why),
                   err)) < 0)
        return rc;
    if (status != 200) {
        json_decref(j);
        return edi_fail(err, status == 403 ? EDI_ECONFIG : EDI_EAGAIN,
                        "partner %s: no Restricted Data Token for DF orders (%s)", t->p->id, why);
    }
    tok = json_string_value(json_object_get(j, "restrictedDataToken"));
    ttl = json_integer_value(json_object_get(j, "expiresIn"));
    if (tok == NULL || strlen(tok) >= sizeof(t->rdt)) {
        json_decref(j);
        return edi_fail(err, EDI_EAGAIN, "partner %s: the RDT answer has no token", t->p->id);
    }
    snprintf(t->rdt, sizeof(t->rdt), "%s", tok);
    t->rdt_until = t->c->now + (ttl > 0 && ttl < 86400 ? (time_t)ttl : 3600);
    explicit_bzero((char *)tok, strlen(tok));
    json_decref(j);
    return 0;
}

/* ---- one call ----------------------------------------------------------------------------------- */

/* The operation's token: the store's "not before" first (a 429 another
 * process or an earlier run saw), then this process's bucket. A short wait
 * is slept; a long one is EDI_EAGAIN with *retry_at. */
static int take_token(struct gw_transport *t, enum op op, time_t *retry_at, struct edi_err *err)
{
    time_t until = 0;
    double w;
    int rc;

    if ((rc = gw_store_rate_wait_get(&until, t->c->store, t->p->id, OPS[op].name, err)) < 0)
        return rc;
    if (until > now_of(t) && until - now_of(t) <= (time_t)MAX_SLEEP)
        sleep((unsigned)(until - now_of(t)));   /* a short wait is waited out */
    if (until > now_of(t)) {
        *retry_at = until;
        return edi_fail(err, EDI_EAGAIN, "%s: Amazon asked to wait until %lld (a 429)", OPS[op].name,
                        (long long)until);
    }
    if (!t->bucket_set[op]) {
        gw_bucket_init(&t->bucket[op], OPS[op].rate, OPS[op].burst - 1, mono_now());
        t->bucket_set[op] = 1;
    }
    while ((w = gw_bucket_take(&t->bucket[op], mono_now())) > 0) {
        if (w > MAX_SLEEP) {
            *retry_at = now_of(t) + (time_t)ceil(w);
            return edi_fail(err, EDI_EAGAIN, "%s: over its rate limit for %.1f s", OPS[op].name, w);
        }
        usleep((useconds_t)(w * 1e6) + 1000);
    }
    return 0;
}

/* One request to an operation: *out the JSON answer (may be NULL), *status
 * the HTTP status. 0 for an answer the caller reads (2xx, 400, 404 ...);
 * EDI_EAGAIN for later (no answer, 429, 5xx), with *retry_at when Amazon
 * said; EDI_ECONFIG for an operator's problem (403, credentials). why gets
 * Amazon's words for a status that is not 2xx. A 401 (an access token
 * that expired early) refreshes the token and tries once more. */
static int call(json_t **out, long *status, struct gw_transport *t, enum op op, const char *tail,
                const char *query, const void *body, size_t n, int rdt, time_t *retry_at, char *why,
                size_t whycap, struct edi_err *err)
{
    struct edi_buf url;
    struct gw_http_req rq;
    struct gw_http_resp rs;
    struct gw_http_header h[3];
    char date[32], stamp[32];
    int attempt, rc = 0;

    *out = NULL;
    *status = 0;
    why[0] = '\0';
    edi_buf_init(&url, 0);
    edi_buf_puts(&url, t->p->spapi.endpoint);
    edi_buf_puts(&url, OPS[op].path);
    if (tail)
        edi_buf_puts(&url, tail);
    if (query && *query) {
        edi_buf_putc(&url, '?');
        edi_buf_puts(&url, query);
    }
    for (attempt = 0; attempt < 2; attempt++) {
        const char *tok;

        if ((rc = take_token(t, op, retry_at, err)) < 0)
            break;
        if (rdt) {
            if ((rc = access_token(t, err)) < 0 || (rc = restricted_token(t, err)) < 0)
                break;
            tok = t->rdt;
        } else {
            if ((rc = access_token(t, err)) < 0)
                break;
            tok = t->token;
        }
        {
            struct tm tm;
            time_t now = time(NULL);

            gmtime_r(&now, &tm);
            strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
        }
        snprintf(date, sizeof(date), "%s", stamp);
        h[0] = (struct gw_http_header){"x-amz-access-token", tok};
        h[1] = (struct gw_http_header){"x-amz-date", date};
        h[2] = (struct gw_http_header){"accept", "application/json"};
        memset(&rq, 0, sizeof(rq));
        rq.method = OPS[op].method;
        rq.url = edi_buf_cstr(&url);
        rq.headers = h;
        rq.nheaders = 3;
        rq.body = body;
        rq.nbody = n;
        rq.content_type = body ? "application/json" : NULL;
        if ((rc = gw_http_do(t->http, &rq, &rs, err)) < 0) {
            gw_http_resp_free(&rs);   /* what arrived before it failed */
            break;
        }
        {
            const char *lim = gw_http_header(&rs, "x-amzn-ratelimit-limit");
            double r = lim ? strtod(lim, NULL) : 0;

            if (r > 0 && r < OPS[op].rate + 1e-9 && t->bucket_set[op])
                gw_bucket_set_rate(&t->bucket[op], r);
        }
        *status = rs.status;
        if (rs.status == 401 && attempt == 0) {
            /* SPEC: issue 14 — refresh once on a 401 */
            gw_log(t->c, "info", "%s: %s: the access token was refused (401): refreshing it", t->p->id,
                   OPS[op].name);
            explicit_bzero(t->token, sizeof(t->token));
            explicit_bzero(t->rdt, sizeof(t->rdt));
            cache_drop(t);
            gw_http_resp_free(&rs);
            continue;
        }
        if (rs.status >= 200 && rs.status < 300) {
            *out = rs.nbody ? json_loadb(rs.body, rs.nbody, 0, NULL) : NULL;
            if (rs.nbody && *out == NULL)
                rc = edi_fail(err, EDI_EAGAIN, "%s: the answer is not JSON (cut short?)", OPS[op].name);
        } else if (rs.status == 429) {
            long ra = gw_http_retry_after(&rs, now_of(t));
            time_t until = now_of(t) + (ra > 0 ? ra : 1 + (long)(OPS[op].burst / OPS[op].rate));
            struct edi_err se;

            edi_err_clear(&se);
            if (gw_store_rate_wait_set(t->c->store, t->p->id, OPS[op].name, until, &se) < 0)
                gw_log(t->c, "warn", "%s: the 429's wait was not kept: %s", t->p->id, se.msg);
            t->bucket[op].tokens = 0;
            *retry_at = until;
            rc = edi_fail(err, EDI_EAGAIN, "%s: Amazon's rate limit (429): waiting until %lld", OPS[op].name,
                          (long long)until);
        } else if (rs.status >= 500 || rs.status == 408) {
            body_errors(why, whycap, &rs);
            rc = edi_fail(err, EDI_EAGAIN, "%s: Amazon answered %ld: %s", OPS[op].name, rs.status, why);
        } else if (rs.status == 401 || rs.status == 403) {
            body_errors(why, whycap, &rs);
            rc = edi_fail(err, EDI_ECONFIG, "%s: Amazon refused access (%ld): %s (is the app authorised for "
                          "this selling partner and role?)",
                          OPS[op].name, rs.status, why);
        } else {
            body_errors(why, whycap, &rs);
            *out = rs.nbody ? json_loadb(rs.body, rs.nbody, 0, NULL) : NULL;
        }
        gw_http_resp_free(&rs);
        break;
    }
    edi_buf_dispose(&url);
    return rc;
}

/* ---- poll ------------------------------------------------------------------------------------- */

/* Lands one order: its JSON as Amazon sent it; the digest that finds it
 * again leaves out the fields Amazon changes on its own (the PO's state,
 * the DF order's status), so the same order pulled again is the same
 * message, and a real change (a date, a line, a quantity) is a new one. */
static int land(struct gw_transport *t, const char *prog, json_t *order, struct edi_err *err)
{
    const char *po = json_string_value(json_object_get(order, "purchaseOrderNumber"));
    json_t *copy;
    char *bytes, *norm, name[128], sha[65];
    int64_t id;
    int dup, pending, rc;

    if (po == NULL || *po == '\0' || strlen(po) > 64 || strpbrk(po, "/\\.") != NULL) {
        gw_log(t->c, "warn", "%s: an order without a usable purchaseOrderNumber was skipped", t->p->id);
        return 0;
    }
    bytes = json_dumps(order, JSON_COMPACT);
    copy = json_deep_copy(order);
    json_object_del(copy, "purchaseOrderState");
    json_object_del(json_object_get(copy, "orderDetails"), "purchaseOrderStateChangedDate");
    json_object_del(json_object_get(copy, "orderDetails"), "orderStatus");
    norm = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    if (bytes == NULL || norm == NULL) {
        free(bytes);
        free(norm);
        return edi_fail(err, EDI_ERR, "%s: order %s could not be written as JSON", t->p->id, po);
    }
    snprintf(name, sizeof(name), "%s-order-%s.json", prog, po);
    rc = gw_sha256_hex(sha, norm, strlen(norm), err);
    if (rc == 0)
        rc = gw_store_receive_raw(&id, &dup, &pending, t->c->store, t->p->id, name, sha, bytes, strlen(bytes),
                                  t->c->now, err);
    free(bytes);
    free(norm);
    t->seen++;
    if (rc == 0 && !dup) {
        t->landed++;
        gw_log(t->c, "info", "%s: received %s order %s", t->p->id, prog, po);
    }
    return rc;
}

/* One query over one window, every page. */
static int pull_window(struct gw_transport *t, enum op op, const char *after_name, const char *before_name,
                       time_t from, time_t to, const char *ship_from, struct edi_err *err)
{
    char a[32], b[32], why[400];
    char *next = NULL;
    int pages = 0, rc = 0;

    iso(a, from);
    iso(b, to);
    do {
        struct edi_buf q;
        json_t *j = NULL, *body, *orders, *o;
        long status;
        time_t later = 0;
        size_t i;
        const char *nt;

        edi_buf_init(&q, 0);
        gw_http_query(&q, "limit", "100");
        gw_http_query(&q, after_name, a);
        gw_http_query(&q, before_name, b);
        gw_http_query(&q, "sortOrder", "ASC");
        if (ship_from)
            gw_http_query(&q, "shipFromPartyId", ship_from);
        if (op == OP_RP_ORDERS)
            gw_http_query(&q, "orderingVendorCode", t->p->spapi.selling_party);
        if (next)
            gw_http_query(&q, "nextToken", next);
        free(next);
        next = NULL;
        rc = call(&j, &status, t, op, NULL, edi_buf_cstr(&q), NULL, 0, op == OP_DF_ORDERS, &later, why,
                  sizeof(why), err);
        edi_buf_dispose(&q);
        if (rc < 0)
            break;
        if (status != 200) {
            json_decref(j);
            rc = edi_fail(err, status == 400 ? EDI_ECONFIG : EDI_EAGAIN, "%s %s..%s: Amazon answered %ld: %s",
                          OPS[op].name, a, b, status, why);
            break;
        }
        /* v1: {payload: {orders, pagination}}; 2021-12-28: {orders, pagination} */
        body = json_object_get(j, "payload");
        if (body == NULL)
            body = j;
        orders = json_object_get(body, "orders");
        json_array_foreach(orders, i, o) {
            if ((rc = land(t, op == OP_RP_ORDERS ? "rp" : "df", o, err)) < 0)
                break;
        }
        nt = json_string_value(json_object_get(json_object_get(body, "pagination"), "nextToken"));
        if (rc == 0 && nt && *nt)
            next = edi_xstrdup(nt);
        json_decref(j);
    } while (rc == 0 && next && ++pages < MAX_PAGES);
    free(next);
    return rc;
}

/* One window [from, to): RP by creation and by change, DF by creation for
 * one ship-from party. */
static int pull_range(struct gw_transport *t, enum op op, time_t from, time_t to, const char *ship_from,
                      struct edi_err *err)
{
    int rc;

    if (op != OP_RP_ORDERS)
        return pull_window(t, op, "createdAfter", "createdBefore", from, to, ship_from, err);
    if ((rc = pull_window(t, op, "createdAfter", "createdBefore", from, to, NULL, err)) < 0)
        return rc;
    return pull_window(t, op, "changedAfter", "changedBefore", from, to, NULL, err);
}

/* Windows of at most 7 days from the cursor (or first-days back) to now;
 * the cursor moves past each window pulled whole. */
static int pull_since(struct gw_transport *t, enum op op, const char *cursor, const char *ship_from,
                      struct edi_err *err)
{
    const struct gw_spapi *sp = &t->p->spapi;
    char *v = NULL, mark[32];
    time_t from, oldest = t->c->now - OLDEST;
    int rc;

    if ((rc = gw_store_cursor_get(&v, t->c->store, t->p->id, cursor, err)) < 0)
        return rc;
    if (v == NULL || parse_iso(&from, v) < 0)
        from = t->c->now - (time_t)sp->first_days * 86400;
    else
        from -= (time_t)sp->overlap_minutes * 60;
    free(v);
    if (from < oldest)
        from = oldest;
    while (from < t->c->now && rc == 0 && !(t->c->stop && *t->c->stop)) {
        time_t to = from + WINDOW < t->c->now ? from + WINDOW : t->c->now;

        rc = pull_range(t, op, from, to, ship_from, err);
        if (rc == 0) {
            iso(mark, to);
            rc = gw_store_cursor_set(t->c->store, t->p->id, cursor, mark, t->c->now, err);
        }
        from = to;
    }
    return rc;
}

/* The daily back-fill: the last backfill-days again, once a UTC day. */
static int backfill(struct gw_transport *t, enum op op, const char *cursor, const char *ship_from,
                    struct edi_err *err)
{
    char *v = NULL, day[16];
    struct tm tm;
    time_t from;
    int rc;

    gmtime_r(&t->c->now, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    if ((rc = gw_store_cursor_get(&v, t->c->store, t->p->id, cursor, err)) < 0)
        return rc;
    if (v != NULL && strcmp(v, day) == 0) {
        free(v);
        return 0;
    }
    if (v == NULL) {
        /* the first pull covers these days already */
        free(v);
        return gw_store_cursor_set(t->c->store, t->p->id, cursor, day, t->c->now, err);
    }
    free(v);
    for (from = t->c->now - (time_t)t->p->spapi.backfill_days * 86400; from < t->c->now && rc == 0;
         from += WINDOW)
        rc = pull_range(t, op, from, from + WINDOW < t->c->now ? from + WINDOW : t->c->now, ship_from, err);
    return rc < 0 ? rc : gw_store_cursor_set(t->c->store, t->p->id, cursor, day, t->c->now, err);
}

static int is_df(const struct gw_partner *p)
{
    return p->program && strcmp(p->program, "DF") == 0;
}

/* ---- invoice statuses (the Finances Invoices API) ------------------------------------------------ */

int gw_spapi_decimal(char *out, size_t cap, double v, int min_scale)
{
    int scale, n;

    if (!isfinite(v) || cap == 0)
        return -1;
    if (v == 0)
        v = 0;   /* no "-0.00" */
    /* the shortest scale that reads back as the same double is what
     * Amazon wrote (a BigDecimal of at most 15 significant digits) */
    for (scale = min_scale < 0 ? 0 : min_scale; scale <= 10; scale++) {
        n = snprintf(out, cap, "%.*f", scale, v);
        if (n < 0 || (size_t)n >= cap)
            return -1;
        if (strtod(out, NULL) == v)
            return 0;
    }
    return 0;
}

/* A Currency's amount as a decimal string ("" when there is none). */
static void amount_of(char out[48], json_t *currency)
{
    json_t *a = json_object_get(currency, "currencyAmount");

    out[0] = '\0';
    if (json_is_number(a) && gw_spapi_decimal(out, 48, json_number_value(a), 2) < 0)
        out[0] = '\0';
}

/* The breakdown of type name in a list of Breakdowns, NULL when none. */
static json_t *breakdown(json_t *list, const char *name)
{
    size_t i;
    json_t *b;

    json_array_foreach(list, i, b) {
        const char *ty = json_string_value(json_object_get(b, "breakdownType"));

        if (ty && strcmp(ty, name) == 0)
            return b;
    }
    return NULL;
}

static void set_amount(json_t *o, const char *key, json_t *currency)
{
    char a[48];

    amount_of(a, currency);
    if (a[0])
        json_object_set_new(o, key, json_string(a));
}

/* What wharf keeps of one invoice line Amazon matched with a variance
 * (NULL when the line has none): its place, item, the variances and what
 * was paid, amounts as decimal strings. */
static json_t *variance_line(json_t *item, size_t pos)
{
    json_t *ctx = json_object_get(item, "lineItemContext");
    json_t *mc = json_object_get(ctx, "matchingContext"), *reasons = json_object_get(mc, "varianceReasons");
    json_t *ids = json_object_get(ctx, "itemIdentifiers"), *id, *out, *vs, *r;
    json_int_t qv = json_integer_value(json_object_get(mc, "quantityVariance"));
    char pv[48];
    size_t i;

    amount_of(pv, json_object_get(mc, "priceVariance"));
    if (mc == NULL || (json_array_size(reasons) == 0 && qv == 0 && (pv[0] == '\0' || strtod(pv, NULL) == 0)))
        return NULL;
    out = json_object();
    json_object_set_new(out, "line", json_integer((json_int_t)pos + 1));
    if (json_is_string(json_object_get(item, "lineItemId")))
        json_object_set(out, "lineItemId", json_object_get(item, "lineItemId"));
    json_array_foreach(ids, i, id) {
        const char *v = json_string_value(json_object_get(id, "itemIdentifierValue"));

        if (v) {
            json_object_set_new(out, "item", json_string(v));
            break;
        }
    }
    if (json_is_integer(json_object_get(item, "quantity")))
        json_object_set(out, "quantity", json_object_get(item, "quantity"));
    if (qv != 0)
        json_object_set_new(out, "quantityVariance", json_integer(qv));
    if (pv[0] && strtod(pv, NULL) != 0)
        json_object_set_new(out, "priceVariance", json_string(pv));
    if (json_is_integer(json_object_get(mc, "paidQuantity")))
        json_object_set(out, "paidQuantity", json_object_get(mc, "paidQuantity"));
    set_amount(out, "paidAmount", json_object_get(mc, "paidAmount"));
    vs = json_array();
    json_array_foreach(reasons, i, r) {
        json_t *v = json_object(), *d = json_object_get(r, "defectTypes");

        if (json_is_string(json_object_get(r, "varianceType")))
            json_object_set(v, "type", json_object_get(r, "varianceType"));
        json_object_set_new(v, "defects", json_is_array(d) ? json_deep_copy(d) : json_array());
        json_array_append_new(vs, v);
    }
    json_object_set_new(out, "variances", vs);
    return out;
}

/* SPEC: research 2.6 — the line items (matchingContext, varianceReasons)
 * of one invoice, every page (nextTokenForLineItems), into lines. */
static int invoice_lines(struct gw_transport *t, const char *identifier, json_t *lines, struct edi_err *err)
{
    struct edi_buf tail;
    char *next = NULL;
    size_t pos = 0;
    int pages = 0, rc = 0;

    edi_buf_init(&tail, 0);
    gw_http_escape(&tail, identifier);   /* one path segment */
    do {
        struct edi_buf q;
        json_t *j = NULL, *item;
        long status;
        time_t later = 0;
        char why[400];
        const char *nt;
        size_t i;

        edi_buf_init(&q, 0);
        gw_http_query(&q, "marketplaceId", t->p->spapi.marketplace);
        if (next)
            gw_http_query(&q, "nextTokenForLineItems", next);
        free(next);
        next = NULL;
        rc = call(&j, &status, t, OP_FIN_INVOICE, edi_buf_cstr(&tail), edi_buf_cstr(&q), NULL, 0, 0, &later, why,
                  sizeof(why), err);
        edi_buf_dispose(&q);
        if (rc < 0)
            break;
        if (status != 200) {
            json_decref(j);
            rc = edi_fail(err, status == 400 ? EDI_ECONFIG : EDI_EAGAIN, "%s %s: Amazon answered %ld: %s",
                          OPS[OP_FIN_INVOICE].name, identifier, status, why);
            break;
        }
        json_array_foreach(json_object_get(j, "invoiceItems"), i, item) {
            json_t *l = variance_line(item, pos++);

            if (l)
                json_array_append_new(lines, l);
        }
        nt = json_string_value(json_object_get(j, "nextTokenForLineItems"));
        if (nt && *nt)
            next = edi_xstrdup(nt);
        json_decref(j);
    } while (next && ++pages < MAX_LINE_PAGES);
    free(next);
    edi_buf_dispose(&tail);
    return rc;
}

/* The statuses whose lines say why an invoice was not paid in full. */
static int wants_lines(const char *status)
{
    static const char *const WANT[] = {"PARTIALLY_PAID", "PARTIALLY_DEDUCTED", "DEDUCTED", "REJECTED", NULL};
    size_t i;

    for (i = 0; WANT[i]; i++)
        if (strcmp(status, WANT[i]) == 0)
            return 1;
    return 0;
}

/* One invoice header: when its number is one of this partner's invoices,
 * Amazon's word on it lands as a message "fin-invoice-NUMBER.json" (the
 * flow, flow/invoice.c, records it): status, amounts as decimal strings,
 * and the lines with a variance. The same word read again is the same
 * message (lastUpdatedDate is part of it: a status that comes back after
 * another is news again). */
static int invoice_status(struct gw_transport *t, json_t *h, struct edi_err *err)
{
    const char *number = json_string_value(json_object_get(h, "invoiceNumber"));
    const char *ident = json_string_value(json_object_get(h, "invoiceIdentifier"));
    const char *status = json_string_value(json_object_get(h, "invoiceStatus"));
    struct gw_invoice *v = NULL;
    json_t *m, *lines, *amt = json_object_get(h, "invoiceAmount");
    char name[128], sha[65], *bytes;
    int64_t id;
    int dup, pending, rc;

    if (number == NULL || status == NULL || strlen(number) > 64 || strpbrk(number, "/\\") != NULL)
        return 0;
    rc = gw_store_get_invoice(&v, t->c->store, t->p->id, number, 0, err);
    if (rc == EDI_ENOTFOUND)
        return 0;   /* not one of ours (or another partner's) */
    if (rc < 0)
        return rc;
    if (strcmp(v->state, GW_INV_HELD) == 0) {
        gw_log(t->c, "warn", "%s: Amazon has an invoice %s (%s) that wharf holds: not recorded", t->p->id, number,
               status);
        gw_invoice_free(v);
        return 0;
    }
    gw_invoice_free(v);
    t->fin_seen++;
    m = json_object();
    lines = json_array();
    json_object_set_new(m, "invoiceNumber", json_string(number));
    if (ident)
        json_object_set_new(m, "invoiceIdentifier", json_string(ident));
    json_object_set_new(m, "invoiceStatus", json_string(status));
    if (json_is_string(json_object_get(h, "lastUpdatedDate")))
        json_object_set(m, "lastUpdatedDate", json_object_get(h, "lastUpdatedDate"));
    if (json_is_string(json_object_get(amt, "currencyCode")))
        json_object_set(m, "currency", json_object_get(amt, "currencyCode"));
    set_amount(m, "invoiceAmount", amt);
    set_amount(m, "amountPaid",
               json_object_get(breakdown(json_object_get(h, "invoiceSettlementBreakdowns"), "AmountPaid"),
                               "breakdownAmount"));
    rc = ident && wants_lines(status) ? invoice_lines(t, ident, lines, err) : 0;
    json_object_set_new(m, "lines", lines);
    bytes = rc == 0 ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(m);
    if (rc < 0)
        return rc;
    if (bytes == NULL)
        return edi_fail(err, EDI_ERR, "%s: invoice %s's status could not be written as JSON", t->p->id, number);
    snprintf(name, sizeof(name), "fin-invoice-%s.json", number);
    rc = gw_sha256_hex(sha, bytes, strlen(bytes), err);
    if (rc == 0)
        rc = gw_store_receive_raw(&id, &dup, &pending, t->c->store, t->p->id, name, sha, bytes, strlen(bytes),
                                  t->c->now, err);
    free(bytes);
    if (rc == 0 && !dup) {
        t->fin_landed++;
        gw_log(t->c, "info", "%s: Amazon's Finances API: invoice %s is %s", t->p->id, number, status);
    }
    return rc;
}

/* SPEC: research 2.6 — getInvoiceHeaders by invoicesModifiedAfter, from
 * the cursor "fin-invoices" (overlap-minutes before the last read began;
 * the first time the last 90 days), following nextToken; the cursor moves
 * once every page was read. */
static int pull_finances(struct gw_transport *t, struct edi_err *err)
{
    char *v = NULL, *next = NULL, after[32], mark[32];
    time_t from, began = t->c->now;
    int pages = 0, rc;

    if ((rc = gw_store_cursor_get(&v, t->c->store, t->p->id, "fin-invoices", err)) < 0)
        return rc;
    if (v == NULL || parse_iso(&from, v) < 0)
        from = t->c->now - FIN_FIRST;
    else
        from -= (time_t)t->p->spapi.overlap_minutes * 60;
    free(v);
    if (from < t->c->now - FIN_FIRST)
        from = t->c->now - FIN_FIRST;
    iso(after, from);
    do {
        struct edi_buf q;
        json_t *j = NULL, *h;
        long status;
        time_t later = 0;
        char why[400];
        const char *nt;
        size_t i;

        edi_buf_init(&q, 0);
        gw_http_query(&q, "marketplaceId", t->p->spapi.marketplace);
        gw_http_query(&q, "invoicesModifiedAfter", after);
        if (next)
            gw_http_query(&q, "nextToken", next);
        free(next);
        next = NULL;
        rc = call(&j, &status, t, OP_FIN_HEADERS, NULL, edi_buf_cstr(&q), NULL, 0, 0, &later, why, sizeof(why),
                  err);
        edi_buf_dispose(&q);
        if (rc < 0)
            break;
        if (status != 200) {
            json_decref(j);
            rc = edi_fail(err, status == 400 ? EDI_ECONFIG : EDI_EAGAIN, "%s since %s: Amazon answered %ld: %s",
                          OPS[OP_FIN_HEADERS].name, after, status, why);
            break;
        }
        /* an empty page may still have a nextToken (the model says so) */
        json_array_foreach(json_object_get(j, "invoices"), i, h) {
            if ((rc = invoice_status(t, h, err)) < 0)
                break;
        }
        nt = json_string_value(json_object_get(j, "nextToken"));
        if (rc == 0 && nt && *nt)
            next = edi_xstrdup(nt);
        json_decref(j);
    } while (rc == 0 && next && ++pages < MAX_PAGES && !(t->c->stop && *t->c->stop));
    if (rc == 0 && next == NULL) {
        iso(mark, began);
        rc = gw_store_cursor_set(t->c->store, t->p->id, "fin-invoices", mark, t->c->now, err);
    }
    free(next);
    return rc;
}

static int spapi_poll(struct gw_transport *t, struct gw_stats *st, struct edi_err *err)
{
    int rc = 0;
    size_t i;

    t->landed = t->seen = 0;
    if (!is_df(t->p)) {
        rc = pull_since(t, OP_RP_ORDERS, "rp-orders", NULL, err);
        if (rc == 0)
            rc = backfill(t, OP_RP_ORDERS, "rp-backfill", NULL, err);
    } else {
        if (t->p->nship_from == 0)
            return edi_fail(err, EDI_ECONFIG,
                            "partner %s: DF orders are pulled per ship-from party: add <ship-from> to wharf.xml",
                            t->p->id);
        for (i = 0; i < t->p->nship_from && rc == 0; i++) {
            char cur[96];

            snprintf(cur, sizeof(cur), "df-orders-%s", t->p->ship_from[i].party_id);
            rc = pull_since(t, OP_DF_ORDERS, cur, t->p->ship_from[i].party_id, err);
            snprintf(cur, sizeof(cur), "df-backfill-%s", t->p->ship_from[i].party_id);
            if (rc == 0)
                rc = backfill(t, OP_DF_ORDERS, cur, t->p->ship_from[i].party_id, err);
        }
    }
    {
        /* invoice statuses are read even when the orders failed (another
         * operation); the first failure is the one returned */
        struct edi_err fe;
        int frc;

        edi_err_clear(&fe);
        t->fin_landed = t->fin_seen = 0;
        if ((frc = pull_finances(t, &fe)) < 0 && rc == 0) {
            *err = fe;
            rc = frc;
        } else if (frc < 0) {
            gw_log(t->c, "warn", "%s: invoice statuses not read: %s", t->p->id, fe.msg);
        }
    }
    if (st)
        st->files += t->landed + t->fin_landed;
    if (t->seen)
        gw_log(t->c, "info", "%s: pulled %u orders from the SP-API, %u new", t->p->id, t->seen, t->landed);
    if (t->fin_seen)
        gw_log(t->c, "info", "%s: read %u of our invoices' statuses from the Finances API, %u new", t->p->id,
               t->fin_seen, t->fin_landed);
    return rc;
}

/* Nothing to put away: the message is Amazon's, kept in the store. */
static void spapi_settle(struct gw_transport *t, int64_t raw_id, const char *verdict, const char *reason)
{
    if (verdict && strcmp(verdict, GW_VERDICT_QUARANTINED) == 0)
        gw_log(t->c, "warn", "%s: SP-API message %lld quarantined: %s", t->p->id, (long long)raw_id,
               reason ? reason : "");
}

static void spapi_keep(struct gw_transport *t, const char *name, const void *bytes, size_t n, const char *why)
{
    (void)bytes;
    (void)n;
    gw_log(t->c, "warn", "%s: %s refused: %s", t->p->id, name, why);
}

/* ---- send ------------------------------------------------------------------------------------- */

static enum op op_of(const struct gw_partner *p, const char *kind)
{
    int df = is_df(p);

    if (strcmp(kind, "855") == 0)
        return df ? OP_DF_ACK : OP_RP_ACK;
    if (strcmp(kind, "856") == 0)
        return df ? OP_DF_SHIP : OP_RP_SHIP;
    if (strcmp(kind, "810") == 0)
        return df ? OP_DF_INVOICE : OP_RP_INVOICE;
    return OP_COUNT;
}

/* SPEC: RULES.md SP-API — "RP acks took only when getPurchaseOrdersStatus
 * says so". *yes 1 when the PO has items confirmed (not UNCONFIRMED):
 * asked before an RP acknowledgement is sent again, and of one stuck
 * Processing. */
static int po_confirmed(int *yes, struct gw_transport *t, const char *po, time_t *retry_at,
                        struct edi_err *err)
{
    struct edi_buf q;
    json_t *j = NULL, *o, *item;
    long status;
    char why[400];
    size_t k, m;
    int rc;

    *yes = 0;
    edi_buf_init(&q, 0);
    gw_http_query(&q, "purchaseOrderNumber", po);
    rc = call(&j, &status, t, OP_RP_PO_STATUS, NULL, edi_buf_cstr(&q), NULL, 0, 0, retry_at, why, sizeof(why), err);
    edi_buf_dispose(&q);
    if (rc < 0)
        return rc;
    json_array_foreach(json_object_get(json_object_get(j, "payload"), "ordersStatus"), k, o) {
        json_array_foreach(json_object_get(o, "itemStatus"), m, item) {
            const char *cs = json_string_value(
                json_object_get(json_object_get(item, "acknowledgementStatus"), "confirmationStatus"));

            if (cs && strcmp(cs, "UNCONFIRMED") != 0)
                *yes = 1;
        }
    }
    json_decref(j);
    return 0;
}

/* *took 1 when every PO an acknowledgement message names is confirmed. */
static int rp_ack_took(int *took, struct gw_transport *t, const struct gw_outbox_item *it, time_t *retry_at,
                       struct edi_err *err)
{
    json_t *ack = json_loadb((const char *)it->bytes, it->n, 0, NULL), *a;
    size_t i;
    int rc = 0, yes = 1, any = 0;

    json_array_foreach(json_object_get(ack, "acknowledgements"), i, a) {
        const char *po = json_string_value(json_object_get(a, "purchaseOrderNumber"));

        if (po == NULL)
            continue;
        any = 1;
        if ((rc = po_confirmed(&yes, t, po, retry_at, err)) < 0 || !yes)
            break;
    }
    json_decref(ack);
    *took = rc == 0 && any && yes;
    return rc;
}

static int spapi_send(struct gw_transport *t, const struct gw_outbox_item *it, struct gw_receipt *r,
                      struct edi_err *err)
{
    enum op op = op_of(t->p, it->kind);
    json_t *j = NULL, *body;
    long status;
    const char *tx;
    char why[480];
    int rc;

    if (op == OP_COUNT)
        return edi_fail(err, EDI_ECONFIG, "partner %s: the SP-API has no operation for a %s", t->p->id, it->kind);
    if (op == OP_RP_ACK && it->attempts > 0) {
        int took;

        if ((rc = rp_ack_took(&took, t, it, &r->retry_at, err)) < 0)
            return rc;
        if (took) {
            snprintf(r->status, sizeof(r->status), "accepted");
            snprintf(r->detail, sizeof(r->detail),
                     "an earlier attempt took (getPurchaseOrdersStatus shows the items confirmed): not sent again");
            gw_log(t->c, "info", "%s: %s: %s", t->p->id, it->name, r->detail);
            return 0;
        }
    }
    rc = call(&j, &status, t, op, NULL, NULL, it->bytes, it->n, 0, &r->retry_at, why, sizeof(why), err);
    if (rc < 0)
        return rc;
    if (status == 202 || status == 200) {
        body = json_object_get(j, "payload");
        tx = json_string_value(json_object_get(body ? body : j, "transactionId"));
        if (tx == NULL || *tx == '\0' || strlen(tx) >= sizeof(r->id)) {
            json_decref(j);
            /* it was taken; without a transaction id there is nothing to ask */
            snprintf(r->status, sizeof(r->status), "unknown");
            snprintf(r->detail, sizeof(r->detail), "Amazon took it (%ld) without a transactionId", status);
            return 0;
        }
        snprintf(r->id, sizeof(r->id), "%s", tx);
        r->ask = 1;
        json_decref(j);
        gw_log(t->c, "info", "%s: %s: %s took it, transaction %s", t->p->id, it->name, OPS[op].name, r->id);
        return 0;
    }
    json_decref(j);
    /* 400, 404, 413, 415: Amazon refused the request itself */
    snprintf(r->status, sizeof(r->status), "rejected");
    snprintf(r->detail, sizeof(r->detail), "%s answered %ld: %s", OPS[op].name, status, why);
    return 0;
}

static void spapi_abandoned(struct gw_transport *t, const struct gw_outbox_item *it, long pid)
{
    /* nothing half written: a request either reached Amazon or did not
     * (an RP acknowledgement is looked up before it is sent again) */
    (void)t;
    (void)it;
    (void)pid;
}

/* ---- status ---------------------------------------------------------------------------------- */

/* 1 when the PO of an RP acknowledgement receipt (its name:
 * PARTNER-855-PO.json) has its items confirmed at Amazon, 0 when not or
 * when the name says no PO, < 0 an error. */
static int rp_ack_took_po(struct gw_transport *t, const struct gw_receipt_row *r, time_t *retry_at,
                          struct edi_err *err)
{
    char po[80];
    size_t pl = strlen(t->p->id);
    const char *n = r->name;
    int took = 0, rc;

    if (n == NULL || strncmp(n, t->p->id, pl) != 0 || strncmp(n + pl, "-855-", 5) != 0)
        return 0;
    snprintf(po, sizeof(po), "%.*s", (int)strcspn(n + pl + 5, "."), n + pl + 5);
    if (po[0] == '\0')
        return 0;
    if ((rc = po_confirmed(&took, t, po, retry_at, err)) < 0)
        return rc;
    return took;
}

static int spapi_status(struct gw_transport *t, const struct gw_receipt_row *r, struct gw_said *out,
                        struct edi_err *err)
{
    int took;
    enum op op = is_df(t->p) ? OP_DF_TX : OP_RP_TX;
    struct edi_buf tail;
    json_t *j = NULL, *ts;
    long status;
    time_t later = 0;
    const char *s;
    char why[400];
    int rc;

    memset(out, 0, sizeof(*out));
    edi_buf_init(&tail, 0);
    gw_http_escape(&tail, r->receipt);   /* one path segment */
    rc = call(&j, &status, t, op, edi_buf_cstr(&tail), NULL, NULL, 0, 0, &later, why, sizeof(why), err);
    edi_buf_dispose(&tail);
    if (rc < 0)
        return rc;
    if (status == 404) {
        json_decref(j);
        snprintf(out->status, sizeof(out->status), "unknown");
        snprintf(out->detail, sizeof(out->detail), "Amazon does not know transaction %s: %s", r->receipt, why);
        return 0;
    }
    if (status != 200) {
        json_decref(j);
        return edi_fail(err, EDI_EAGAIN, "%s %s: Amazon answered %ld: %s", OPS[op].name, r->receipt, status, why);
    }
    ts = json_object_get(json_object_get(j, "payload"), "transactionStatus");
    if (ts == NULL)
        ts = json_object_get(j, "transactionStatus");
    s = json_string_value(json_object_get(ts, "status"));
    if (s && strcmp(s, "Success") == 0) {
        snprintf(out->status, sizeof(out->status), "accepted");
    } else if (s && strcmp(s, "Failure") == 0) {
        snprintf(out->status, sizeof(out->status), "rejected");
        json_t *errs = json_object_get(ts, "errors");

        /* v1: an array; DF 2021-12-28: an ErrorList object {errors: [...]} */
        if (json_is_object(errs))
            errs = json_object_get(errs, "errors");
        errors_text(out->detail, sizeof(out->detail), errs);
        if (out->detail[0] == '\0')
            snprintf(out->detail, sizeof(out->detail), "Failure, with no error given");
    } else if (op == OP_RP_TX && strcmp(r->kind, "855") == 0 &&
               t->c->now - r->sent_at > (time_t)t->p->spapi.processing_minutes * 60) {
        /* SPEC: issue 14, RULES.md SP-API — a stuck RP acknowledgement is
         * reconciled through getPurchaseOrdersStatus: it took when the
         * items show confirmed; when they do not, it never took, and it
         * goes again (the send looks once more before it does) */
        json_decref(j);
        if ((took = rp_ack_took_po(t, r, &later, err)) < 0)
            return took;
        snprintf(out->status, sizeof(out->status), "%s", took ? "accepted" : "resend");
        snprintf(out->detail, sizeof(out->detail),
                 took ? "Processing past %d minutes, but getPurchaseOrdersStatus shows the items confirmed"
                      : "Processing past %d minutes and getPurchaseOrdersStatus shows the items unconfirmed: "
                        "it never took; sent again",
                 t->p->spapi.processing_minutes);
        return 0;
    } else if (strcmp(r->kind, "810") != 0 &&
               t->c->now - r->sent_at > (time_t)t->p->spapi.processing_minutes * 60) {
        /* SPEC: RULES.md SP-API — still Processing for long is unknown:
         * reconcile, never resend blindly */
        snprintf(out->status, sizeof(out->status), "unknown");
        snprintf(out->detail, sizeof(out->detail),
                 "still Processing %d minutes after it was sent: not sent again; check it in Vendor Central",
                 (int)((t->c->now - r->sent_at) / 60));
    } else {
        /* SPEC: research 2.5 — invoice transactions always read Processing;
         * an invoice's fate is the Finances API's to tell */
        snprintf(out->status, sizeof(out->status), "pending");
    }
    json_decref(j);
    return 0;
}

/* ---- open and close ---------------------------------------------------------------------------- */

static int spapi_open(struct gw_transport **out, struct gw_ctx *c, const struct gw_partner *p,
                      struct edi_err *err)
{
    struct gw_transport *t = edi_xcalloc(1, sizeof(*t));
    struct gw_http_opts o;
    char key[4096];
    int rc;

    *out = NULL;
    t->c = c;
    t->p = p;
    t->opened = time(NULL);
    memset(&o, 0, sizeof(o));
    o.ca_file = p->spapi.ca_file;
    o.client = "sp-api";
    o.target = p->id;
    if ((rc = gw_vault_key_path(key, sizeof(key), c->cfg->workspace, err)) < 0 ||
        (rc = gw_vault_open(&t->vault, c->store, key, err)) < 0 || (rc = gw_http_new(&t->http, c, &o, err)) < 0) {
        if (t->vault)
            gw_vault_close(t->vault);
        free(t);
        return rc;
    }
    *out = t;
    return 0;
}

static void spapi_close(struct gw_transport *t)
{
    if (t == NULL)
        return;
    gw_http_free(t->http);
    gw_vault_close(t->vault);
    explicit_bzero(t->token, sizeof(t->token));
    explicit_bzero(t->rdt, sizeof(t->rdt));
    free(t);
}

const struct gw_transport_type gw_transport_spapi = {
    .name = "sp-api",
    .open = spapi_open,
    .poll = spapi_poll,
    .settle = spapi_settle,
    .keep = spapi_keep,
    .send = spapi_send,
    .abandoned = spapi_abandoned,
    .status = spapi_status,
    .close = spapi_close,
};
