/*
 * quickbooks.c — the QuickBooks Online connector (erp.h), over the
 * Accounting API v3.
 *
 * QuickBooks Online has no sales order. Pushes (outbox kind erp:ID):
 *   invoice:P:N    the invoice wharf sent to Amazon as a QBO Invoice,
 *                  through quickbooks/invoice-to-invoice: the customer is
 *                  one per partner (found by DisplayName, else made), the
 *                  lines on Items by SKU (code list qbo-item);
 *   order:P:PO     an Estimate, through quickbooks/order-to-estimate,
 *                  when the <erp> receives orders;
 *   payment:P:ID   a Payment, through quickbooks/payment-to-payment.
 *
 * SPEC: research/erp-as2.md 2.1 — every write carries requestid, derived
 * from the message and the body it sends, so a retry after a lost answer
 * gets the first answer back and makes nothing twice; a duplicate
 * DocNumber (6140) is looked up and, when it is the same invoice, taken as
 * done; a Fault inside a 200 is an error; 429 is "later"; minorversion is
 * pinned on every call; the refresh token rotates, and the newest is
 * sealed in the vault before the access token is used (api.c).
 */
#include "gateway/erp/api.h"
#include "gateway/core/digest.h"
#include "gateway/docs/cdoc.h"
#include "mappings/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINOR_VERSION "75"

struct gw_erp {
    struct gw_api a;
    char base[2048];           /* ENDPOINT/v3/company/REALM/ */
    char token_url[2048];
    struct gw_api_oauth o;
};

static int qbo_open(struct gw_erp **out, struct gw_ctx *c, const struct gw_erp_conf *conf, struct edi_err *err)
{
    struct gw_erp *e = edi_xcalloc(1, sizeof(*e));
    int rc;

    *out = NULL;
    if ((rc = gw_api_open(&e->a, c, conf, "QuickBooks", "https://quickbooks.api.intuit.com", err)) < 0) {
        free(e);
        return rc;
    }
    snprintf(e->base, sizeof(e->base), "%s/v3/company/%s/", e->a.endpoint, conf->realm);
    snprintf(e->token_url, sizeof(e->token_url), "%s",
             conf->token_endpoint ? conf->token_endpoint : "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer");
    e->o.url = e->token_url;
    e->o.client_id = "qbo-client-id";
    e->o.client_secret = "qbo-client-secret";
    e->o.refresh = "qbo-refresh-token";
    e->o.access = "qbo-access-token";
    e->o.basic = 1;
    *out = e;
    return 0;
}

static void qbo_close(struct gw_erp *e)
{
    gw_api_close(&e->a);
    free(e);
}

static void qbo_abandoned(struct gw_erp *e, const struct gw_outbox_item *it, long pid)
{
    (void)e;
    (void)it;
    (void)pid;   /* requestid makes the retry the same request */
}

/* The Fault of an answer (QBO writes "Fault", and "fault" on a 401), NULL
 * when none. */
static json_t *fault_of(json_t *j)
{
    json_t *f = json_object_get(j, "Fault");

    return f ? f : json_object_get(j, "fault");
}

/* The Fault's errors in one line, and the first error's code. */
static void fault_text(struct edi_buf *b, char *code, size_t cap, json_t *f, long status)
{
    json_t *errs = json_object_get(f, "Error"), *x;
    size_t i;

    if (errs == NULL)
        errs = json_object_get(f, "error");
    code[0] = '\0';
    json_array_foreach(errs, i, x) {
        const char *m = json_string_value(json_object_get(x, "Message"));
        const char *d = json_string_value(json_object_get(x, "Detail"));
        const char *c = json_string_value(json_object_get(x, "code"));

        if (m == NULL)
            m = json_string_value(json_object_get(x, "message"));
        if (d == NULL)
            d = json_string_value(json_object_get(x, "detail"));
        if (i == 0 && c)
            snprintf(code, cap, "%s", c);
        edi_buf_printf(b, "%s%.200s%s%.300s%s%s%s", i ? "; " : "", m ? m : "error", d ? ": " : "", d ? d : "",
                       c ? " (code " : "", c ? c : "", c ? ")" : "");
    }
    if (b->n == 0)
        edi_buf_printf(b, "HTTP %ld", status);
}

/* An answer that is not a success, as an error of the right kind; code
 * gets the QBO error code. */
static int qbo_fail(struct gw_erp *e, long status, json_t *j, const char *what, char *code, size_t cap,
                    struct edi_err *err)
{
    json_t *f = fault_of(j);
    const char *type = json_string_value(json_object_get(f, "type"));
    struct edi_buf b;
    int rc;

    edi_buf_init(&b, 4096);
    fault_text(&b, code, cap, f, status);
    /* the Fault's type says it when the status does not (a Fault in a 200) */
    rc = type && (strcmp(type, "SystemFault") == 0 || strcmp(type, "SERVICE") == 0) ? EDI_EAGAIN
         : type && (strcmp(type, "AuthenticationFault") == 0 || strcmp(type, "AuthorizationFault") == 0 ||
                    strcmp(type, "AUTHENTICATION") == 0)
             ? EDI_ECONFIG
             : gw_api_rc_of(status);
    switch (rc) {
    case EDI_EAGAIN:
        edi_fail(err, rc, "QuickBooks (%s) could not %s now: %s", e->a.conf->id, what, edi_buf_cstr(&b));
        break;
    case EDI_ECONFIG:
        edi_fail(err, rc, "QuickBooks (%s) refused the credentials to %s: %s", e->a.conf->id, what, edi_buf_cstr(&b));
        break;
    default:
        edi_fail(err, rc, "QuickBooks refused to %s: %s", what, edi_buf_cstr(&b));
    }
    edi_buf_dispose(&b);
    return rc;
}

/* One request to PATH (under the company) with minorversion, and
 * requestid when given. A refused token is refreshed once. */
static int qbo_call(struct gw_erp *e, const char *method, const char *path, const char *query_name,
                    const char *query_value, const char *requestid, const char *body, long *status, json_t **out,
                    struct edi_err *err)
{
    struct edi_buf url, bearer;
    int rc = 0, tries;

    *out = NULL;
    *status = 0;
    edi_buf_init(&url, 0);
    edi_buf_printf(&url, "%s%s", e->base, path);
    if (query_name)
        gw_http_query(&url, query_name, query_value);
    gw_http_query(&url, "minorversion", e->a.conf->minor_version ? e->a.conf->minor_version : MINOR_VERSION);
    if (requestid)
        gw_http_query(&url, "requestid", requestid);
    for (tries = 0; tries < 2; tries++) {
        struct gw_http_header h[2];
        struct gw_http_resp rs;
        const char *tid;

        if ((rc = gw_api_token(&e->a, &e->o, err)) < 0)
            break;
        edi_buf_init(&bearer, 0);
        edi_buf_printf(&bearer, "Bearer %s", e->a.token);
        h[0] = (struct gw_http_header){"authorization", edi_buf_cstr(&bearer)};
        h[1] = (struct gw_http_header){"accept", "application/json"};
        json_decref(*out);
        rc = gw_api_call(&e->a, method, edi_buf_cstr(&url), h, 2, body, body ? strlen(body) : 0, &rs, out, err);
        explicit_bzero(bearer.p, bearer.cap);
        edi_buf_dispose(&bearer);
        if (rc < 0) {
            gw_http_resp_free(&rs);
            break;
        }
        *status = rs.status;
        tid = gw_http_header(&rs, "intuit_tid");
        if (rs.status >= 400 && tid)
            gw_log(e->a.c, "warn", "%s: QuickBooks answered %ld to %s %s (intuit_tid %.64s)", e->a.conf->id,
                   rs.status, method, path, tid);
        gw_http_resp_free(&rs);
        if (*status == 401 && tries == 0) {
            gw_api_token_drop(&e->a, &e->o);
            continue;
        }
        break;
    }
    edi_buf_dispose(&url);
    return rc;
}

/* A query; *rows the entity's array (the caller's), empty when none. */
static int qbo_query(json_t **rows, struct gw_erp *e, const char *entity, const char *field, const char *value,
                     struct edi_err *err)
{
    struct edi_buf q;
    json_t *j = NULL;
    char code[32];
    long status;
    size_t i;
    int rc;

    *rows = NULL;
    edi_buf_init(&q, 0);
    edi_buf_printf(&q, "SELECT * FROM %s WHERE %s = '", entity, field);
    for (i = 0; value[i]; i++) {
        if (value[i] == '\'' || value[i] == '\\')
            edi_buf_putc(&q, '\\');
        edi_buf_putc(&q, value[i]);
    }
    edi_buf_puts(&q, "'");
    rc = qbo_call(e, "GET", "query", "query", edi_buf_cstr(&q), NULL, NULL, &status, &j, err);
    edi_buf_dispose(&q);
    if (rc < 0)
        return rc;
    if (status != 200 || fault_of(j)) {
        rc = qbo_fail(e, status, j, "look something up", code, sizeof(code), err);
        json_decref(j);
        return rc;
    }
    *rows = json_incref(json_object_get(json_object_get(j, "QueryResponse"), entity));
    if (*rows == NULL)
        *rows = json_array();
    json_decref(j);
    return 0;
}

/* requestid: the connector, the message and the body it sends; at most 50
 * characters. */
static void request_id(char *out, size_t cap, struct gw_erp *e, const char *name, const char *body)
{
    struct edi_buf b;
    char hex[65];
    struct edi_err e2;

    edi_buf_init(&b, 0);
    edi_buf_printf(&b, "%s\n%s\n%s", e->a.conf->id, name, body);
    if (gw_sha256_hex(hex, b.p, b.n, &e2) < 0)
        hex[0] = '\0';
    edi_buf_dispose(&b);
    snprintf(out, cap, "wharf-%.40s", hex);
}

/* A create: POST entity with requestid; the new Id in id. A Fault in a
 * 200 is an error like any other. */
static int qbo_create(char *id, size_t cap, char *code, size_t ccap, struct gw_erp *e, const char *entity,
                      const char *path, const char *name, const char *body, const char *what, struct edi_err *err)
{
    char rid[64];
    json_t *j = NULL, *x;
    long status;
    int rc;

    code[0] = '\0';
    request_id(rid, sizeof(rid), e, name, body);
    if ((rc = qbo_call(e, "POST", path, NULL, NULL, rid, body, &status, &j, err)) < 0)
        return rc;
    if (status != 200 || fault_of(j)) {
        rc = qbo_fail(e, status == 200 ? 400 : status, j, what, code, ccap, err);
        json_decref(j);
        return rc;
    }
    x = json_object_get(json_object_get(j, entity), "Id");
    if (!json_is_string(x)) {
        json_decref(j);
        return edi_fail(err, EDI_EAGAIN, "QuickBooks' answer to %s has no Id", what);
    }
    snprintf(id, cap, "%s", json_string_value(x));
    json_decref(j);
    return 0;
}

/* The partner's customer: remembered, else found by DisplayName, else made. */
static int qbo_customer(char *out, size_t cap, struct gw_erp *e, const char *partner, struct edi_err *err)
{
    const struct gw_partner *p = gw_config_partner(e->a.c->cfg, partner);
    char key[128], name[256], code[32];
    json_t *rows = NULL, *body;
    char *text, *colon;
    int rc;

    snprintf(key, sizeof(key), "customer:%s", partner);
    if ((rc = gw_api_ref_copy(out, cap, &e->a, key, err)) != 0)
        return rc < 0 ? rc : 0;
    /* SPEC: 2.1 — DisplayName is unique and has no ':' */
    snprintf(name, sizeof(name), "%s", gw_api_param(&e->a, "customer-name", p && p->name ? p->name : partner));
    while ((colon = strchr(name, ':')) != NULL)
        *colon = ' ';
    if ((rc = qbo_query(&rows, e, "Customer", "DisplayName", name, err)) < 0)
        return rc;
    if (json_array_size(rows) > 0 && json_is_string(json_object_get(json_array_get(rows, 0), "Id"))) {
        snprintf(out, cap, "%s", json_string_value(json_object_get(json_array_get(rows, 0), "Id")));
    } else {
        body = json_pack("{s:s, s:s}", "DisplayName", name, "CompanyName", name);
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        rc = qbo_create(out, cap, code, sizeof(code), e, "Customer", "customer", key, text, "make the customer", err);
        free(text);
    }
    json_decref(rows);
    if (rc < 0)
        return rc;
    return gw_api_ref_set(&e->a, key, out, err);
}

/* A document of entity numbered docnum: mapped, created once. A duplicate
 * number is the same document when its total is total (then its Id is
 * taken), else held saying so. */
static int qbo_push_doc(struct gw_erp *e, const struct gw_outbox_item *it, const char *partner, const char *map,
                        const char *entity, const char *path, const char *docnum, const char *total, char *id,
                        size_t cap, struct edi_err *err)
{
    struct map_param extra[1];
    struct edi_buf body;
    char customer[64], code[32], what[96];
    int rc;

    if ((rc = qbo_customer(customer, sizeof(customer), e, partner, err)) < 0)
        return rc;
    extra[0] = (struct map_param){"customer-id", customer};
    edi_buf_init(&body, 0);
    if ((rc = gw_api_map(&body, &e->a, map, partner, extra, 1, (const char *)it->bytes, it->n, 0, err)) < 0)
        goto out;
    snprintf(what, sizeof(what), "make %s %s", entity, docnum);
    rc = qbo_create(id, cap, code, sizeof(code), e, entity, path, it->name, edi_buf_cstr(&body), what, err);
    if (rc == EDI_ESYNTAX && (strcmp(code, "6140") == 0 || strcmp(code, "6210") == 0)) {
        /* SPEC: 2.1 — Duplicate Document Number: made before (by an
         * earlier body of this message, or by a person) */
        json_t *rows = NULL, *x;
        const char *amt, *said;
        char tmp[64], why[sizeof(err->msg)];
        struct edi_err e2;
        int r2;

        /* QuickBooks' own words, past "QuickBooks refused to make ...: " */
        said = strstr(err->msg, ": ");
        snprintf(why, sizeof(why), "%s", said ? said + 2 : err->msg);
        if ((rc = qbo_query(&rows, e, entity, "DocNumber", docnum, &e2)) < 0) {
            *err = e2;
            goto out;
        }
        x = json_array_get(rows, 0);
        amt = json_is_number(json_object_get(x, "TotalAmt")) ? tmp : NULL;
        if (amt)
            snprintf(tmp, sizeof(tmp), "%.2f", json_number_value(json_object_get(x, "TotalAmt")));
        if (x && json_is_string(json_object_get(x, "Id")) &&
            (total == NULL || (amt && map_dec_cmp(amt, total, &r2) == 0 && r2 == 0))) {
            snprintf(id, cap, "%s", json_string_value(json_object_get(x, "Id")));
            gw_log(e->a.c, "info", "%s: %s %s was already in QuickBooks (Id %s)", e->a.conf->id, entity, docnum, id);
            rc = 0;
        } else {
            rc = edi_fail(err, EDI_ESYNTAX, "QuickBooks already has %s %s%s%s, and this one totals %s; it said: %.200s",
                          entity, docnum, amt ? " totalling " : "", amt ? amt : "", total ? total : "?", why);
        }
        json_decref(rows);
    }
out:
    edi_buf_dispose(&body);
    return rc;
}

static int qbo_push(struct gw_erp *e, const struct gw_outbox_item *it, char *id, size_t cap, struct edi_err *err)
{
    const char *kind, *partner, *doc;
    struct gw_cdoc *cd = NULL;
    char *copy;
    int rc;

    id[0] = '\0';
    if ((rc = gw_api_name(&copy, &kind, &partner, &doc, it->name, err)) < 0) {
        free(copy);
        return rc;
    }
    if (strcmp(kind, "invoice") == 0) {
        struct gw_cinvoice *inv = NULL;

        if ((rc = gw_cdoc_parse(&cd, (const char *)it->bytes, it->n, "the canonical invoice", err)) == 0 &&
            (rc = gw_cdoc_invoice(&inv, cd, err)) == 0)
            rc = qbo_push_doc(e, it, partner, "quickbooks/invoice-to-invoice", "Invoice", "invoice", doc,
                              inv->invoice_total, id, cap, err);
        gw_cinvoice_free(inv);
    } else if (strcmp(kind, "order") == 0) {
        rc = qbo_push_doc(e, it, partner, "quickbooks/order-to-estimate", "Estimate", "estimate", doc, NULL, id, cap,
                          err);
    } else if (strcmp(kind, "payment") == 0) {
        rc = qbo_push_doc(e, it, partner, "quickbooks/payment-to-payment", "Payment", "payment", doc, NULL, id, cap,
                          err);
    } else {
        rc = edi_fail(err, EDI_ESYNTAX, "QuickBooks Online takes no %s from wharf", kind);
    }
    gw_cdoc_free(cd);
    free(copy);
    return rc;
}

static int qbo_pull(struct gw_erp *e, enum gw_erp_pull kind, struct gw_erp_item **items, size_t *n,
                    struct edi_err *err)
{
    (void)e;
    (void)kind;
    (void)err;
    *items = NULL;
    *n = 0;
    return 0;   /* QuickBooks provides nothing wharf reads (config.c refuses provides=) */
}

static int qbo_done(struct gw_erp *e, const struct gw_erp_item *it, const char *why, struct edi_err *err)
{
    (void)e;
    (void)it;
    (void)why;
    (void)err;
    return 0;
}

static int qbo_check(struct gw_erp *e, struct edi_buf *report, struct edi_err *err)
{
    char path[128], code[32];
    json_t *j = NULL, *ci;
    long status;
    int rc;

    edi_buf_printf(report, "QuickBooks Online company %s at %s (minorversion %s)\n", e->a.conf->realm, e->base,
                   e->a.conf->minor_version ? e->a.conf->minor_version : MINOR_VERSION);
    snprintf(path, sizeof(path), "companyinfo/%s", e->a.conf->realm);
    if ((rc = qbo_call(e, "GET", path, NULL, NULL, NULL, NULL, &status, &j, err)) < 0)
        return rc;
    if (status != 200 || fault_of(j)) {
        rc = qbo_fail(e, status, j, "read the company", code, sizeof(code), err);
        json_decref(j);
        return rc;
    }
    ci = json_object_get(j, "CompanyInfo");
    edi_buf_printf(report, "credentials: accepted (the access token was refreshed and the newest refresh token kept)\n"
                           "company: %s\n",
                   json_string_value(json_object_get(ci, "CompanyName")) ? json_string_value(json_object_get(ci, "CompanyName"))
                                                                         : "(no name)");
    json_decref(j);
    return 0;
}

/* SPEC: 2.1 — Intuit's authorize endpoint, scope accounting. */
static int qbo_authorize(struct gw_erp *e, const char *redirect_uri, const char *state, struct edi_buf *url,
                         struct edi_err *err)
{
    edi_buf_puts(url, gw_api_param(&e->a, "authorize-url", "https://appcenter.intuit.com/connect/oauth2"));
    return gw_api_authorize_url(&e->a, url, e->o.client_id, "com.intuit.quickbooks.accounting", redirect_uri,
                                state, err);
}

static int qbo_connect(struct gw_erp *e, const char *code, const char *redirect_uri, const char *realm,
                       struct edi_err *err)
{
    if (realm && *realm && strcmp(realm, e->a.conf->realm) != 0)
        return edi_fail(err, EDI_ECONFIG,
                        "the company chosen in QuickBooks (realmId %s) is not the one in wharf.xml (realm=\"%s\"): "
                        "change realm= or choose that company",
                        realm, e->a.conf->realm);
    return gw_api_token_from_code(&e->a, &e->o, code, redirect_uri, err);
}

const struct gw_erp_type gw_erp_quickbooks = {
    .name = "quickbooks",
    .open = qbo_open,
    .push = qbo_push,
    .abandoned = qbo_abandoned,
    .pull = qbo_pull,
    .done = qbo_done,
    .close = qbo_close,
    .check = qbo_check,
    .authorize = qbo_authorize,
    .connect = qbo_connect,
};
