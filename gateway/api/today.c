/*
 * today.c — GET /api/v1/today (api.h): the console's first page in one
 * call. The deadlines are the ack flow's (flow/ack.h, what `wharf status`
 * shows), the counts and errors the store's (the queries `wharf status`
 * and /metrics use, and per-day ones over documents_created); who asks
 * and how answers are written are api.c's (internal.h).
 */
#include "gateway/api/internal.h"
#include "gateway/flow/ack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* LIMIT: deadlines listed, errors listed, days of counts and latencies */
#define TODAY_DEADLINES 50
#define TODAY_ERRORS 10
#define TODAY_DAYS 14

/* An error's text as u may see it. SPEC: issue 17 — a DF partner's
 * errors may quote a consumer's name or address: a viewer gets only each
 * line's position and rule (gw_api_hides, gw_api_redact). */
static json_t *error_text_for(const struct gw_user *u, const struct gw_config *cfg, const char *partner,
                              const char *text)
{
    json_t *j;
    char *hidden;

    if (!gw_api_hides(u, cfg, partner))
        return json_string(text);
    hidden = gw_api_redact(text);
    j = json_string(hidden);
    free(hidden);
    return j;
}

static void day_of(char out[11], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The nearest-rank percentile pct of v[0..n), sorted, n > 0. */
static int64_t percentile(const struct gw_latency *v, size_t n, unsigned pct)
{
    size_t rank = (n * pct + 99) / 100;

    return v[rank ? rank - 1 : 0].seconds;
}

static json_t *deadlines_json(struct gw_ctx *c, struct edi_err *err, int *rc)
{
    struct gw_deadline *dl = NULL;
    json_t *arr = json_array();
    size_t nd = 0, i;

    if ((*rc = gw_ack_open_deadlines(&dl, &nd, c, err)) < 0)
        return arr;
    for (i = 0; i < nd && i < TODAY_DEADLINES; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "partner", dl[i].partner, "po",
                                             dl[i].po_number, "state", dl[i].state, "due", (json_int_t)dl[i].due,
                                             "left_s", (json_int_t)(dl[i].due - c->now), "at_risk",
                                             dl[i].at_risk));
    gw_deadlines_free(dl, nd);
    return arr;
}

static json_t *orders_json(struct gw_ctx *c, struct edi_err *err, int *rc)
{
    static const char *const states[] = {GW_ORDER_PENDING, GW_ORDER_APPROVED, GW_ORDER_ACKNOWLEDGED,
                                         GW_ORDER_PARTIALLY_SHIPPED, GW_ORDER_SHIPPED, GW_ORDER_INVOICED,
                                         GW_ORDER_CLOSED, GW_ORDER_CANCELLED, GW_ORDER_REJECTED};
    struct gw_count *counts = NULL;
    json_t *j = json_object();
    size_t n = 0, i;

    /* every state, so a chart has its zeros */
    for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        json_object_set_new(j, states[i], json_integer(0));
    if ((*rc = gw_store_counts(&counts, &n, c->store, c->now, err)) < 0)
        return j;
    for (i = 0; i < n; i++)
        if (strncmp(counts[i].what, "orders:", 7) == 0)
            json_object_set_new(j, counts[i].what + 7, json_integer((json_int_t)counts[i].n));
    gw_counts_free(counts, n);
    return j;
}

static json_t *errors_json(struct gw_ctx *c, const struct gw_user *u, struct edi_err *err, int *rc)
{
    struct gw_error_row *v = NULL;
    json_t *arr = json_array();
    size_t n = 0, i;

    if ((*rc = gw_store_last_error_rows(&v, &n, c->store, TODAY_ERRORS, err)) < 0)
        return arr;
    for (i = 0; i < n; i++) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        edi_buf_puts(&b, v[i].subject ? v[i].subject : "?");
        if (v[i].detail && *v[i].detail)
            edi_buf_printf(&b, ": %s", v[i].detail);
        json_array_append_new(arr, json_pack("{s:I, s:o, s:o}", "at", (json_int_t)v[i].at, "partner",
                                             v[i].partner ? json_string(v[i].partner) : json_null(), "what",
                                             error_text_for(u, c->cfg, v[i].partner, edi_buf_cstr(&b))));
        edi_buf_dispose(&b);
    }
    gw_error_rows_free(v, n);
    return arr;
}

/* per_day and ack_latency: the TODAY_DAYS UTC days up to today, each
 * there even when nothing happened. */
static int days_json(json_t **per_day, json_t **latency, struct gw_ctx *c, struct edi_err *err)
{
    char days[TODAY_DAYS][11];
    time_t since = c->now - c->now % 86400 - (TODAY_DAYS - 1) * 86400;
    struct gw_day_count *dc = NULL;
    struct gw_latency *lv = NULL;
    size_t ndc = 0, nl = 0, d, k = 0, l = 0;
    int rc;

    *per_day = json_array();
    *latency = json_array();
    if ((rc = gw_store_day_counts(&dc, &ndc, c->store, since, err)) < 0 ||
        (rc = gw_store_ack_latencies(&lv, &nl, c->store, since, err)) < 0)
        goto out;
    for (d = 0; d < TODAY_DAYS; d++) {
        json_t *lj;
        size_t first;

        day_of(days[d], since + (time_t)d * 86400);
        while (k < ndc && strcmp(dc[k].day, days[d]) < 0)
            k++;
        if (k < ndc && strcmp(dc[k].day, days[d]) == 0)
            json_array_append_new(*per_day, json_pack("{s:s, s:I, s:I, s:I}", "day", days[d], "inbound",
                                                      (json_int_t)dc[k].inbound, "outbound",
                                                      (json_int_t)dc[k].outbound, "rejected",
                                                      (json_int_t)dc[k].rejected));
        else
            json_array_append_new(*per_day, json_pack("{s:s, s:i, s:i, s:i}", "day", days[d], "inbound", 0,
                                                      "outbound", 0, "rejected", 0));
        /* the latencies come by day, then seconds */
        while (l < nl && strcmp(lv[l].day, days[d]) < 0)
            l++;
        for (first = l; l < nl && strcmp(lv[l].day, days[d]) == 0;)
            l++;
        lj = json_pack("{s:s, s:I}", "day", days[d], "n", (json_int_t)(l - first));
        json_object_set_new(lj, "median_s", l > first ? json_integer(percentile(lv + first, l - first, 50))
                                                      : json_null());
        json_object_set_new(lj, "p90_s", l > first ? json_integer(percentile(lv + first, l - first, 90))
                                                   : json_null());
        json_array_append_new(*latency, lj);
    }
out:
    free(dc);
    free(lv);
    return rc;
}

void gw_api_on_today(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct gw_ctx c;
    struct edi_err err;
    json_t *j, *per_day = NULL, *latency = NULL;
    int64_t depth = 0, oldest = 0;
    int rc = 0;

    if (gw_api_store_open(&s, a, rs) < 0)
        return;
    u = gw_api_who(a, s, rq, rs);
    gw_store_close(s);
    if (u == NULL || gw_api_ctx_open(&c, a, rs) < 0) {
        gw_users_free(u, 1);
        return;
    }
    edi_err_clear(&err);
    j = json_pack("{s:I}", "now", (json_int_t)c.now);
    json_object_set_new(j, "deadlines", deadlines_json(&c, &err, &rc));
    if (rc == 0)
        json_object_set_new(j, "orders_by_state", orders_json(&c, &err, &rc));
    if (rc == 0 && (rc = gw_store_outbox_depth(&depth, &oldest, c.store, c.now, &err)) == 0)
        json_object_set_new(j, "outbox", json_pack("{s:I, s:I}", "depth", (json_int_t)depth, "oldest_s",
                                                   (json_int_t)oldest));
    if (rc == 0)
        json_object_set_new(j, "errors", errors_json(&c, u, &err, &rc));
    if (rc == 0 && (rc = days_json(&per_day, &latency, &c, &err)) == 0) {
        json_object_set_new(j, "per_day", per_day);
        json_object_set_new(j, "ack_latency", latency);
        per_day = latency = NULL;
    }
    if (rc < 0) {
        json_decref(j);
        gw_server_error(rs, 503, err.msg);
    } else
        gw_api_reply(rs, 200, j);
    json_decref(per_day);
    json_decref(latency);
    gw_ctx_close(&c);
    gw_users_free(u, 1);
}
