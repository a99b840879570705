/*
 * test_map_model.c — JSON checked against the SP-API models: every static
 * sandbox request body of every operation in Amazon's model files is a test
 * vector (2xx: valid, 4xx: invalid), then table-driven invalid documents
 * against the real models and against a small model written here for the
 * keywords Amazon's files do not use (additionalProperties, minimum, ...),
 * then the check as map_check_output() runs it.
 */
#include "testutil.h"
#include "mappings/map.h"

#include <dirent.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WHARF_MODELS
#define WHARF_MODELS "../shared/amazon/sp-api-models"
#endif

static char tmpdir[256];

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_file(const char *dir, const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

/* ---- the sandbox vectors ---------------------------------------------------------- */

/* Sandbox requests of 2xx responses that break Amazon's own model, and
 * exactly how: the test fails when one of them changes, so that a fixed
 * example is noticed and dropped from here. */
static const struct known {
    const char *file, *op, *code;
    size_t index;
    const char *findings[3];
    int seen;
} known_init[] = {
    /* statusLocationAddress is an Address, which requires name and
     * addressLine1; the example gives only city, postal code, region and
     * country */
    {"vendorDirectFulfillmentShippingV1.json", "submitShipmentStatusUpdates", "202", 0,
     {"$.shipmentStatusUpdates[0].statusUpdateDetails.statusLocationAddress.addressLine1: required "
      "property missing (model vendorDirectFulfillmentShippingV1.json#/definitions/Address)",
      "$.shipmentStatusUpdates[0].statusUpdateDetails.statusLocationAddress.name: required property "
      "missing (model vendorDirectFulfillmentShippingV1.json#/definitions/Address)"},
     0},
};

struct tally {
    unsigned valid, invalid, skipped;
    struct known known[sizeof(known_init) / sizeof(known_init[0])];
};

static const struct known *known_for(struct tally *t, const char *file, const char *op,
                                     const char *code, size_t index)
{
    size_t i;

    for (i = 0; i < sizeof(t->known) / sizeof(t->known[0]); i++) {
        struct known *k = &t->known[i];

        if (strcmp(k->file, file) == 0 && strcmp(k->op, op) == 0 && strcmp(k->code, code) == 0 &&
            k->index == index) {
            k->seen = 1;
            return k;
        }
    }
    return NULL;
}

static void print_findings(const struct edi_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        print_message("#   %s [%s]\n", f->v[i].msg, f->v[i].code);
}

static void check_vector(struct tally *t, const char *file, const char *op, const char *ref,
                         const char *code, size_t index, json_t *body)
{
    char model[512], *text = json_dumps(body, JSON_ENCODE_ANY | JSON_COMPACT);
    struct edi_findings f;
    struct edi_err err;
    const struct known *k = NULL;
    size_t i, nk = 0;
    int rc;

    assert_non_null(text);
    snprintf(model, sizeof(model), "%s%s", file, ref);
    edi_findings_init(&f, 100);
    edi_err_clear(&err);
    rc = map_model_check(&f, WHARF_MODELS, model, text, strlen(text), &err);
    if (rc != 0)
        fail_msg("%s %s %s #%zu: %s", file, op, code, index, err.msg);
    if (code[0] == '2') {
        k = known_for(t, file, op, code, index);
        while (k && nk < 3 && k->findings[nk])
            nk++;
        if (f.n != nk) {
            print_message("# %s %s %s #%zu: %zu findings, expected %zu\n", file, op, code, index,
                          f.n, nk);
            print_findings(&f);
            fail();
        }
        for (i = 0; i < nk; i++)
            assert_string_equal(f.v[i].msg, k->findings[i]);
        t->valid++;
    } else {
        /* the examples of rejected requests must be rejected */
        if (f.n == 0)
            fail_msg("%s %s %s #%zu: an example of a bad request passes the model", file, op, code,
                     index);
        t->invalid++;
    }
    edi_findings_dispose(&f);
    free(text);
}

static void walk_operation(struct tally *t, const char *file, json_t *op, json_t *path_params)
{
    const char *op_id = json_string_value(json_object_get(op, "operationId"));
    const char *ref = NULL, *code;
    json_t *p, *resp, *lists[2] = {path_params, json_object_get(op, "parameters")};
    size_t i, k;

    for (k = 0; k < 2; k++) {
        json_array_foreach(lists[k], i, p) {
            if (json_is_string(json_object_get(p, "in")) &&
                strcmp(json_string_value(json_object_get(p, "in")), "body") == 0)
                ref = json_string_value(json_object_get(json_object_get(p, "schema"), "$ref"));
        }
    }
    json_object_foreach(json_object_get(op, "responses"), code, resp) {
        json_t *cases = json_object_get(json_object_get(resp, "x-amzn-api-sandbox"), "static"), *c;

        json_array_foreach(cases, i, c) {
            json_t *body = json_object_get(
                json_object_get(json_object_get(json_object_get(c, "request"), "parameters"), "body"),
                "value");

            if (body == NULL)
                continue;   /* no body, or "body": {} (any body) */
            if (ref == NULL || strncmp(ref, "#/definitions/", 14) != 0) {
                print_message("# %s %s: body schema is not a #/definitions/ $ref, skipped\n", file,
                              op_id ? op_id : "?");
                t->skipped++;
                continue;
            }
            check_vector(t, file, op_id ? op_id : "?", ref, code, i, body);
        }
    }
}

static void test_sandbox_requests(void **state)
{
    struct tally t;
    struct dirent **names;
    int n, i;
    size_t k;

    memset(&t, 0, sizeof(t));
    memcpy(t.known, known_init, sizeof(known_init));
    n = scandir(WHARF_MODELS, &names, NULL, alphasort);
    if (n < 0)
        fail_msg("cannot list %s", WHARF_MODELS);
    for (i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        char path[1024];
        json_error_t je;
        json_t *model, *item, *op;
        const char *url, *method;

        if (len > 5 && strcmp(name + len - 5, ".json") == 0) {
            snprintf(path, sizeof(path), "%s/%s", WHARF_MODELS, name);
            model = json_load_file(path, 0, &je);
            if (model == NULL)
                fail_msg("%s: %s", path, je.text);
            json_object_foreach(json_object_get(model, "paths"), url, item) {
                json_object_foreach(item, method, op) {
                    if (json_is_object(op))   /* not the path's "parameters" */
                        walk_operation(&t, name, op, json_object_get(item, "parameters"));
                }
            }
            json_decref(model);
        }
        free(names[i]);
    }
    free(names);
    print_message("# sandbox requests: %u valid, %u invalid, %u skipped\n", t.valid, t.invalid,
                  t.skipped);
    /* the walk must have found the vectors: 11 and 6 in the 2025 models */
    assert_true(t.valid >= 10);
    assert_true(t.invalid >= 5);
    for (k = 0; k < sizeof(t.known) / sizeof(t.known[0]); k++)
        if (!t.known[k].seen)
            fail_msg("known bad example %s %s is gone: drop it from the test", t.known[k].file,
                     t.known[k].op);
}

/* ---- table-driven cases -------------------------------------------------------- */

/* vendorOrders submitAcknowledgement, the sandbox body with parts swapped */
#define ACK(date, ordered, netcost, itemack)                                                   \
    "{\"acknowledgements\":[{\"purchaseOrderNumber\":\"TestOrder202\",\"sellingParty\":"        \
    "{\"partyId\":\"API01\"},\"acknowledgementDate\":" date ",\"items\":[{"                      \
    "\"vendorProductIdentifier\":\"028877454078\",\"orderedQuantity\":" ordered ",\"netCost\":" \
    netcost ",\"itemAcknowledgements\":[" itemack "]}]}]}"
#define DATE "\"2021-03-12T17:35:26.308Z\""
#define QTY "{\"amount\":10}"
#define COST "{\"amount\":\"10.2\"}"
#define IACK "{\"acknowledgementCode\":\"Accepted\",\"acknowledgedQuantity\":{\"amount\":10}}"
#define ORDERS "vendorOrders.json#/definitions/SubmitAcknowledgementRequest"
#define AT "$.acknowledgements[0]"
#define IT AT ".items[0]"
#define M_ACK " (model vendorOrders.json#/definitions/OrderAcknowledgement)"
#define M_IACK " (model vendorOrders.json#/definitions/OrderItemAcknowledgement)"
#define M_QTY " (model vendorOrders.json#/definitions/ItemQuantity)"

#define DFS "vendorDirectFulfillmentShippingV1.json#/definitions/"
#define M_DFS(d) " (model vendorDirectFulfillmentShippingV1.json#/definitions/" d ")"

/* A model for what Amazon's files do not use, written to a temporary folder. */
static const char test_model[] =
    "{\"swagger\":\"2.0\",\"definitions\":{"
    "\"Strict\":{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"id\"],"
    " \"properties\":{"
    "  \"id\":{\"type\":\"string\",\"minLength\":2,\"pattern\":\"^[A-Z]+$\"},"
    "  \"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
    "  \"big\":{\"type\":\"integer\",\"format\":\"int32\"},"
    "  \"ratio\":{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum\":true,"
    "             \"maximum\":1,\"exclusiveMaximum\":true},"
    "  \"tags\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":2,\"items\":{\"type\":\"string\"}},"
    "  \"odd\":{\"type\":\"string\",\"pattern\":\"(unclosed\"},"
    "  \"flag\":{\"type\":\"boolean\"},"
    "  \"maybe\":{\"type\":[\"string\",\"null\"]},"
    "  \"kind\":{\"type\":\"integer\",\"enum\":[1,2]}}},"
    "\"Both\":{\"allOf\":[{\"$ref\":\"#/definitions/HasA\"},{\"$ref\":\"#/definitions/HasB\"}]},"
    "\"HasA\":{\"type\":\"object\",\"required\":[\"a\"]},"
    "\"HasB\":{\"type\":\"object\",\"required\":[\"b\"]},"
    "\"Open\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},"
    " \"additionalProperties\":{\"type\":\"integer\"}},"
    "\"Node\":{\"type\":\"object\",\"properties\":{\"child\":{\"$ref\":\"#/definitions/Node\"},"
    " \"v\":{\"type\":\"integer\"}}},"
    "\"LoopA\":{\"$ref\":\"#/definitions/LoopB\"},"
    "\"LoopB\":{\"$ref\":\"#/definitions/LoopA\"},"
    "\"Outside\":{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"other.json#/definitions/X\"}}},"
    "\"Dangling\":{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/definitions/Nope\"}}}"
    "}}";

#define M_T(d) " (model test.json#/definitions/" d ")"

struct mcase {
    const char *name;
    int tmp;                 /* the model is in tmpdir, not the Amazon folder */
    const char *ref;
    const char *json;
    int rc;
    const char *findings[3]; /* exactly these, in order */
};

static const struct mcase cases[] = {
    {"valid ack", 0, ORDERS, ACK(DATE, QTY, COST, IACK), 0, {NULL}},
    {"missing required", 0, ORDERS, ACK(DATE, QTY, COST, "{\"acknowledgedQuantity\":{\"amount\":10}}"),
     0, {IT ".itemAcknowledgements[0].acknowledgementCode: required property missing" M_IACK}},
    {"missing required, top", 0, ORDERS,
     "{\"acknowledgements\":[{\"purchaseOrderNumber\":\"X\",\"acknowledgementDate\":" DATE
     ",\"items\":[]}]}",
     0, {AT ".sellingParty: required property missing" M_ACK}},
    {"wrong type string for integer", 0, ORDERS, ACK(DATE, "{\"amount\":\"10\"}", COST, IACK), 0,
     {IT ".orderedQuantity.amount: expected integer, found string \"10\"" M_QTY}},
    {"wrong type 10.0 for integer", 0, ORDERS, ACK(DATE, "{\"amount\":10.0}", COST, IACK), 0,
     {IT ".orderedQuantity.amount: expected integer, found number 10.0" M_QTY}},
    {"wrong type object for array", 0, ORDERS,
     "{\"acknowledgements\":{\"purchaseOrderNumber\":\"X\"}}", 0,
     {"$.acknowledgements: expected array, found object"
      " (model vendorOrders.json#/definitions/SubmitAcknowledgementRequest)"}},
    {"null for string", 0, ORDERS, ACK("null", QTY, COST, IACK), 0,
     {AT ".acknowledgementDate: expected string, found null" M_ACK}},
    {"enum", 0, ORDERS,
     ACK(DATE, QTY, COST, "{\"acknowledgementCode\":\"Accept\",\"acknowledgedQuantity\":{\"amount\":10}}"),
     0, {IT ".itemAcknowledgements[0].acknowledgementCode: \"Accept\" is not one of Accepted, "
         "Backordered, Rejected" M_IACK}},
    {"enum in a $ref'd definition", 0, ORDERS,
     ACK(DATE, "{\"amount\":10,\"unitOfMeasure\":\"EACH\"}", COST, IACK), 0,
     {IT ".orderedQuantity.unitOfMeasure: \"EACH\" is not one of Cases, Eaches" M_QTY}},
    {"string too long", 0, ORDERS,
     ACK(DATE, QTY, "{\"currencyCode\":\"USDX\",\"amount\":\"10.2\"}", IACK), 0,
     {IT ".netCost.currencyCode: \"USDX\" has length 4, more than maxLength 3"
         " (model vendorOrders.json#/definitions/Money)"}},
    {"length counts characters, not bytes", 0, ORDERS,
     ACK(DATE, QTY, "{\"currencyCode\":\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\",\"amount\":\"1\"}", IACK),
     0, {NULL}},
    {"date-time with a space", 0, ORDERS, ACK("\"2021-03-12 17:35:26Z\"", QTY, COST, IACK), 0,
     {AT ".acknowledgementDate: \"2021-03-12 17:35:26Z\" is not a date-time (RFC 3339, as "
         "2025-01-31T14:05:00Z)" M_ACK}},
    {"date-time without offset", 0, ORDERS, ACK("\"2021-03-12T17:35:26\"", QTY, COST, IACK), 0,
     {AT ".acknowledgementDate: \"2021-03-12T17:35:26\" is not a date-time (RFC 3339, as "
         "2025-01-31T14:05:00Z)" M_ACK}},
    {"date-time Feb 29 of a common year", 0, ORDERS, ACK("\"2021-02-29T00:00:00Z\"", QTY, COST, IACK),
     0, {AT ".acknowledgementDate: \"2021-02-29T00:00:00Z\" is not a date-time (RFC 3339, as "
         "2025-01-31T14:05:00Z)" M_ACK}},
    {"date-time date only", 0, ORDERS, ACK("\"2021-03-12\"", QTY, COST, IACK), 0,
     {AT ".acknowledgementDate: \"2021-03-12\" is not a date-time (RFC 3339, as "
         "2025-01-31T14:05:00Z)" M_ACK}},
    {"date-time leap day, leap second, offset", 0, ORDERS,
     ACK("\"2024-02-29T23:59:60.5+05:30\"", QTY, COST, IACK), 0, {NULL}},
    {"pattern", 0, DFS "SubmitShipmentStatusUpdatesRequest",
     "{\"shipmentStatusUpdates\":[{\"purchaseOrderNumber\":\"DX-0005\",\"sellingParty\":"
     "{\"partyId\":\"V\"},\"shipFromParty\":{\"partyId\":\"W\"},\"statusUpdateDetails\":"
     "{\"trackingNumber\":\"T\",\"statusCode\":\"D1\",\"reasonCode\":\"NS\",\"statusDateTime\":" DATE
     ",\"statusLocationAddress\":{\"name\":\"N\",\"addressLine1\":\"A\",\"countryCode\":\"DE\"}}}]}",
     0, {"$.shipmentStatusUpdates[0].purchaseOrderNumber: \"DX-0005\" does not match pattern "
         "^[a-zA-Z0-9]+$" M_DFS("ShipmentStatusUpdate")}},
    {"minItems", 0, DFS "SubmitShipmentStatusUpdatesRequest", "{\"shipmentStatusUpdates\":[]}", 0,
     {"$.shipmentStatusUpdates: 0 items, fewer than minItems 1" M_DFS("SubmitShipmentStatusUpdatesRequest")}},

    {"strict valid; a pattern that does not compile is skipped", 1, "test.json#/definitions/Strict",
     "{\"id\":\"AB\",\"count\":10,\"big\":-2147483648,\"ratio\":0.5,\"tags\":[\"x\"],\"odd\":\"x\","
     "\"flag\":true,\"maybe\":null,\"kind\":2}",
     0, {NULL}},
    {"additional property", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"extra\":1}", 0,
     {"$.extra: property not allowed" M_T("Strict")}},
    {"additional property, odd name", 1, "test.json#/definitions/Strict",
     "{\"id\":\"AB\",\"a 'b'\":1}", 0, {"$['a \\'b\\'']: property not allowed" M_T("Strict")}},
    {"additionalProperties schema", 1, "test.json#/definitions/Open", "{\"n\":1,\"m\":\"x\"}", 0,
     {"$.m: expected integer, found string \"x\"" M_T("Open")}},
    {"minLength and pattern", 1, "test.json#/definitions/Strict", "{\"id\":\"a\"}", 0,
     {"$.id: \"a\" has length 1, less than minLength 2" M_T("Strict"),
      "$.id: \"a\" does not match pattern ^[A-Z]+$" M_T("Strict")}},
    {"maximum", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"count\":11}", 0,
     {"$.count: 11 is more than maximum 10" M_T("Strict")}},
    {"minimum", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"count\":0}", 0,
     {"$.count: 0 is less than minimum 1" M_T("Strict")}},
    {"exclusive minimum", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"ratio\":0}", 0,
     {"$.ratio: 0 is not more than exclusive minimum 0" M_T("Strict")}},
    {"exclusive maximum", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"ratio\":1.0}", 0,
     {"$.ratio: 1.0 is not less than exclusive maximum 1" M_T("Strict")}},
    {"int32", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"big\":2147483648}", 0,
     {"$.big: 2147483648 is out of range for int32" M_T("Strict")}},
    {"maxItems", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"tags\":[\"a\",\"b\",\"c\"]}",
     0, {"$.tags: 3 items, more than maxItems 2" M_T("Strict")}},
    {"items", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"tags\":[\"a\",1]}", 0,
     {"$.tags[1]: expected string, found integer 1" M_T("Strict")}},
    {"boolean", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"flag\":\"true\"}", 0,
     {"$.flag: expected boolean, found string \"true\"" M_T("Strict")}},
    {"type list", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"maybe\":1}", 0,
     {"$.maybe: expected string or null, found integer 1" M_T("Strict")}},
    {"integer enum", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"kind\":3}", 0,
     {"$.kind: 3 is not one of 1, 2" M_T("Strict")}},
    {"allOf", 1, "test.json#/definitions/Both", "{}", 0,
     {"$.a: required property missing" M_T("HasA"), "$.b: required property missing" M_T("HasB")}},
    {"recursive definition", 1, "test.json#/definitions/Node",
     "{\"child\":{\"child\":{\"child\":{\"v\":\"x\"}}}}", 0,
     {"$.child.child.child.v: expected integer, found string \"x\"" M_T("Node")}},
    {"a non-object document", 1, "test.json#/definitions/Node", "[1]", 0,
     {"$: expected object, found array" M_T("Node")}},

    {"$ref cycle", 1, "test.json#/definitions/LoopA", "{}", EDI_ECONFIG, {NULL}},
    {"$ref to another file", 1, "test.json#/definitions/Outside", "{\"x\":{}}", EDI_ECONFIG, {NULL}},
    {"$ref to no definition", 1, "test.json#/definitions/Dangling", "{\"x\":1}", EDI_ECONFIG, {NULL}},
    {"no such definition", 1, "test.json#/definitions/Nope", "{}", EDI_ECONFIG, {NULL}},
    {"no such file", 1, "nope.json#/definitions/A", "{}", EDI_ECONFIG, {NULL}},
    {"broken model file", 1, "broken.json#/definitions/A", "{}", EDI_ECONFIG, {NULL}},
    {"reference without a fragment", 1, "test.json", "{}", EDI_ECONFIG, {NULL}},
    {"reference to the file", 1, "test.json#/definitions/", "{}", EDI_ECONFIG, {NULL}},
    {"reference outside definitions", 1, "test.json#/paths/x", "{}", EDI_ECONFIG, {NULL}},
    {"reference outside the folder", 1, "../test.json#/definitions/Strict", "{}", EDI_ECONFIG, {NULL}},
    {"not JSON", 1, "test.json#/definitions/Strict", "{\"id\":", EDI_ESYNTAX, {NULL}},
    {"duplicate key", 1, "test.json#/definitions/Strict", "{\"id\":\"AB\",\"id\":\"CD\"}", EDI_ESYNTAX,
     {NULL}},
};

static void test_cases(void **state)
{
    size_t i, k;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct mcase *c = &cases[i];
        struct edi_findings f;
        struct edi_err err;
        size_t nk = 0;
        int rc;

        edi_findings_init(&f, 100);
        edi_err_clear(&err);
        rc = map_model_check(&f, c->tmp ? tmpdir : WHARF_MODELS, c->ref, c->json, strlen(c->json),
                             &err);
        while (nk < 3 && c->findings[nk])
            nk++;
        if (rc != c->rc || f.n != nk) {
            print_message("# %s: rc %d (%s), %zu findings; expected rc %d, %zu findings\n", c->name,
                          rc, err.msg, f.n, c->rc, nk);
            print_findings(&f);
            fail();
        }
        for (k = 0; k < nk; k++) {
            if (strcmp(f.v[k].msg, c->findings[k]) != 0)
                fail_msg("%s:\n got      %s\n expected %s", c->name, f.v[k].msg, c->findings[k]);
            assert_string_equal(f.v[k].code, "output-model");
            assert_int_equal(f.v[k].severity, EDI_SEV_ERROR);
        }
        edi_findings_dispose(&f);
    }
}

/* ---- limits and the missing folder ------------------------------------------------ */

static char *nested(int depth, const char *inner)
{
    struct edi_buf b;
    int i;

    edi_buf_init(&b, 0);
    for (i = 0; i < depth; i++)
        edi_buf_puts(&b, "{\"child\":");
    edi_buf_puts(&b, inner);
    for (i = 0; i < depth; i++)
        edi_buf_putc(&b, '}');
    edi_buf_cstr(&b);
    return b.p;
}

static void test_limits(void **state)
{
    struct edi_findings f;
    struct edi_err err;
    char *json;
    int rc;

    edi_findings_init(&f, 100);
    /* deep: the path loses its beginning, the message keeps its end */
    json = nested(40, "{\"v\":true}");
    rc = map_model_check(&f, tmpdir, "test.json#/definitions/Node", json, strlen(json), &err);
    assert_int_equal(rc, 0);
    assert_int_equal(f.n, 1);
    assert_memory_equal(f.v[0].msg, "...", 3);
    assert_non_null(strstr(f.v[0].msg, ".child.v: expected integer, found boolean" M_T("Node")));
    assert_string_equal(f.v[0].value, "true");
    free(json);
    /* LIMIT: too deep */
    edi_findings_reset(&f);
    json = nested(80, "{}");
    rc = map_model_check(&f, tmpdir, "test.json#/definitions/Node", json, strlen(json), &err);
    assert_int_equal(rc, EDI_ELIMIT);
    free(json);
    /* findings may be dropped */
    rc = map_model_check(NULL, tmpdir, "test.json#/definitions/Both", "{}", 2, &err);
    assert_int_equal(rc, 0);
    edi_findings_dispose(&f);
}

static void test_no_models(void **state)
{
    struct edi_findings f;
    struct edi_err err;
    int rc;

    edi_findings_init(&f, 100);
    rc = map_model_check(&f, "/nonexistent/sp-api-models", ORDERS, "{}", 2, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.v[0].severity, EDI_SEV_WARNING);
    assert_string_equal(f.v[0].code, "output-model-unavailable");
    assert_non_null(strstr(f.v[0].msg, "/nonexistent/sp-api-models"));
    assert_int_equal(edi_findings_errors(&f), 0);
    edi_findings_dispose(&f);
}

/* ---- through map_check_output ------------------------------------------------------ */

static void check_output(const char *json, const char *models_env, const char *ref,
                         size_t nfindings, const char *code)
{
    struct map_engine *e;
    struct map_info m;
    struct edi_findings f;
    struct edi_err err;
    xmlDocPtr doc;

    if (models_env)
        setenv("WHARF_MODELS", models_env, 1);
    else
        unsetenv("WHARF_MODELS");
    edi_err_clear(&err);
    if (map_engine_new(&e, tmpdir, WHARF_SCHEMAS, &err) < 0)
        fail_msg("%s", err.msg);
    memset(&m, 0, sizeof(m));
    m.name = "test";
    m.file = "test.xsl";
    m.in = MAP_XML;
    m.out = MAP_JSON;
    m.model = ref;
    assert_int_equal(map_json_to_xml(&doc, json, strlen(json), &err), 0);
    edi_findings_init(&f, 100);
    assert_int_equal(map_check_output(e, &m, doc, &f, &err), 0);
    if (f.n != nfindings) {
        print_findings(&f);
        fail_msg("%zu findings, expected %zu", f.n, nfindings);
    }
    if (code)
        assert_string_equal(f.v[0].code, code);
    xmlFreeDoc(doc);
    /* not JSON: the model does not apply */
    edi_findings_reset(&f);
    doc = xmlReadMemory("<ack/>", 6, "x.xml", NULL, 0);
    assert_int_equal(map_check_output(e, &m, doc, &f, &err), 0);
    assert_int_equal(f.n, 0);
    xmlFreeDoc(doc);
    edi_findings_dispose(&f);
    map_engine_free(e);
    unsetenv("WHARF_MODELS");
}

static void test_check_output(void **state)
{
    /* the Makefile's models */
    check_output(ACK(DATE, QTY, COST, IACK), NULL, ORDERS, 0, NULL);
    check_output(ACK("\"yesterday\"", "{\"amount\":\"10\"}", COST, IACK), NULL, ORDERS, 2,
                 "output-model");
    /* WHARF_MODELS */
    check_output(ACK(DATE, QTY, COST, IACK), "/nonexistent/sp-api-models", ORDERS, 1,
                 "output-model-unavailable");
    check_output("{}", tmpdir, "test.json#/definitions/Both", 2, "output-model");
}

/* ---- setup ---------------------------------------------------------------------------- */

static int setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/wharf-model-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    write_file(tmpdir, "test.json", test_model);
    write_file(tmpdir, "broken.json", "{\"definitions\": {");
    write_file(tmpdir, "registry.xml", "<maps/>\n");
    return 0;
}

static int teardown(void **state)
{
    rm_file(tmpdir, "test.json");
    rm_file(tmpdir, "broken.json");
    rm_file(tmpdir, "registry.xml");
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_requests),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_no_models),
        cmocka_unit_test(test_check_output),
    };
    int rc = cmocka_run_group_tests_name("map_model", tests, setup, teardown);

    return rc;
}
