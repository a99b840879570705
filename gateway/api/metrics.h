/*
 * metrics.h — what `wharf serve`'s HTTP listener says about the gateway to
 * machines: GET /metrics (Prometheus text exposition format 0.0.4) and
 * GET /healthz (JSON, 200 or 503). The JSON API and the console are api.c.
 *
 * Both read the store through a connection of their own, opened for each
 * request on the listener's thread (server.h: a handler never touches the
 * daemon's gw_ctx or store), and the configuration the daemon runs with,
 * which the daemon swaps at a reload (core/cfgref.h, shared with the
 * API) before it frees the old one.
 *
 * /metrics: documents by kind, direction and state; orders by partner and
 * state; the outbox's unsent, due and failing items and the age of the
 * oldest due one, by partner and kind; acknowledgment deadlines near (within
 * the partner's <ack warn-hours>) or past, by partner (flow/ack.c's
 * gw_ack_deadlines, what `wharf status` shows); each job's last run (its
 * seconds, when it ended, whether it failed); AS2 messages by partner,
 * direction and status; and the HTTP requests every client of the process
 * made, by client (sp-api, erp, as2), target and outcome (net/http.c's
 * counters, which start at 0 with the process, as Prometheus expects).
 *
 * /healthz: "failing" when the store does not answer, when the last run of
 * a job of a configured partner or connector (or a global one, partner
 * "*") failed, or when a configured partner has an unsent outbox item that
 * failed GW_HEALTH_ATTEMPTS attempts or more (its transport or connector
 * is not getting through). 200 {"status":"ok",...} else 503
 * {"status":"failing","failing":[{"part":...,"why":...}]}.
 *
 * /healthz asks for no login: it is for load balancers and systemd.
 * /metrics holds counts and partner ids, no personal data and no secret; it
 * is open on a loopback listener and asks for a user's Bearer token on a
 * public one (gw_metrics_guard), since partner ids and volumes are the
 * business's own.
 */
#ifndef WHARF_API_METRICS_H
#define WHARF_API_METRICS_H

#include "gateway/core/ctx.h"
#include "gateway/net/server.h"

#include <time.h>

/* failed attempts of one outbox item after which /healthz says its partner fails */
#define GW_HEALTH_ATTEMPTS 3

struct gw_metrics;

struct gw_cfg_ref;
/* ref: the daemon's configuration, which the handlers read (core/cfgref.h;
 * none: they answer 503), borrowed; now: the clock (WHARF_NOW in tests);
 * NULL: time(). */
int gw_metrics_new(struct gw_metrics **out, struct gw_cfg_ref *ref, time_t (*now)(void), struct edi_err *err);
void gw_metrics_free(struct gw_metrics *m);
/* on: /metrics answers only a request with "Authorization: Bearer TOKEN"
 * of a user of the workspace (`wharf users token`, any role), 401 else: the
 * listener is public (<http public="true">, or not on loopback). off (the
 * default): open, as on loopback. /healthz stays open. */
void gw_metrics_guard(struct gw_metrics *m, int on);
/* GET /metrics and GET /healthz on a server not started yet. */
void gw_metrics_route(struct gw_metrics *m, struct gw_server *s);

/* The exposition format writer (exposed for its tests). */
/* "# HELP name help\n# TYPE name type\n", help escaped (\\ and \n). */
void gw_prom_family(struct edi_buf *b, const char *name, const char *type, const char *help);
/* "name{l1="v1",...} value\n": labels are name/value pairs ending with a
 * NULL name; a NULL value is "". Values escaped (\\, \", \n; bytes that
 * are not UTF-8 become U+FFFD). */
void gw_prom_sample(struct edi_buf *b, const char *name, const char *const *labels, double v);

#endif
