/*
 * api.h — the HTTP API under /api/v1/ (issue 17), routes on the listener of
 * <http> (or `wharf serve --http`), beside the ERP webhooks. JSON in and
 * out; errors are {"error": "..."} in the CLI's words, with 400 (bad
 * input), 401 (who are you), 403 (not for your role), 404, 409 (a decision
 * the rules refuse), 429 (too many logins; Retry-After).
 *
 *   POST /api/v1/login     {"name", "password"} (JSON or a form): a session
 *                          cookie (HttpOnly, SameSite=Strict, Path=/,
 *                          Secure under TLS) and its CSRF token
 *   POST /api/v1/logout    ends the session
 *   GET  /api/v1/session   {"name", "role", "csrf"}: who the session is and
 *                          its CSRF token (null for a Bearer token), for a
 *                          console page loaded again
 *   GET  /api/v1/status    what `wharf status --json` says
 *   GET  /api/v1/orders?state=&partner=&q=&limit=&after=   a page, newest first
 *   GET  /api/v1/orders/PARTNER/PO          one order: lines, details, history
 *   POST /api/v1/orders/PARTNER/PO/approve  a decision, as `wharf orders
 *   POST /api/v1/orders/PARTNER/PO/reject   approve|reject` takes it (operators)
 *   GET  /api/v1/documents?state=&type=&partner=&since=&limit=&after=
 *   GET  /api/v1/documents?about=ID  what was said about document ID (997s,
 *                          864s, MDNs): one page, newest first
 *   GET  /api/v1/documents/ID[/findings|/raw]  by row id only: no path is
 *                          resolved; a DF partner's raw files: operators only
 *   GET  /api/v1/runs?state=&limit=&after=  the scheduled jobs' runs, newest
 *                          first, as `wharf runs list --json`
 *   GET  /api/v1/erp[/ID]  what `wharf erp status [ID] --json` says
 *   GET  /api/v1/shipments?state=&partner=&limit=&after=  and
 *   GET  /api/v1/invoices?state=&partner=&limit=&after=  pages, newest first,
 *                          as `wharf shipments|invoices list --json` with row ids
 *   GET  /api/v1/shipments/ID, /api/v1/invoices/ID   by row id, as `show
 *                          --json`; a DF one's canonical document: operators only
 *
 * Also the web console's static files (console.h), without login.
 *
 * Who: every endpoint but login needs a session cookie or
 * "Authorization: Bearer TOKEN" (`wharf users token`). A POST with a session
 * cookie needs X-CSRF-Token equal to its session's (a token needs none: no
 * browser sends it by itself). Sessions and tokens live in the workspace's
 * store as digests, so a cookie of another workspace is unknown here.
 * Viewers read; operators also decide, and only they see a DF consumer's
 * name, address and messages.
 *
 * Threads: each request opens its own store connection (and, where the
 * flows are needed, its own gw_ctx), never the daemon's; the login rate
 * limiter is the only state shared between requests, under its lock.
 */
#ifndef WHARF_API_API_H
#define WHARF_API_API_H

#include "gateway/net/server.h"

#include <stddef.h>
#include <time.h>

#define GW_API_PREFIX "/api/v1/"
#define GW_API_COOKIE "wharf_session"
/* LIMIT: a session's life, in seconds */
#define GW_API_SESSION_SECONDS (12 * 3600)
/* LIMIT: failed logins a minute, per name and per peer address */
#define GW_API_LOGIN_PER_NAME 5
#define GW_API_LOGIN_PER_PEER 20
/* LIMIT: orders, documents, runs, shipments or invoices in one page (limit=) */
#define GW_API_PAGE_MAX 500

struct gw_api;

/* An API over workspace (its store at store_path; schemas and maps from
 * those folders, for the flows). The strings are copied. */
int gw_api_new(struct gw_api **out, const char *workspace, const char *store_path, const char *schemas_dir,
               const char *mappings_dir, struct edi_err *err);
void gw_api_free(struct gw_api *a);
/* The web console's folder (copied; NULL: none), served under /console/
 * by gw_api_route. */
void gw_api_console(struct gw_api *a, const char *dir);
/* Puts the API's routes (and the console's) on a server not started yet;
 * tls: cookies are Secure. The API outlives the server. */
void gw_api_route(struct gw_api *a, struct gw_server *s, int tls);

/* ---- pure pieces, for the tests ---- */

/* A fixed-window counter of failures per key (a name, a peer address). */
#define GW_RATE_SLOTS 64
struct gw_rate {
    struct {
        char key[72];
        time_t start;
        unsigned n;
    } slot[GW_RATE_SLOTS];
};
/* 0 when key may try now; else the seconds until it may (its failures in
 * the current minute reached max). */
unsigned gw_rate_check(const struct gw_rate *r, const char *key, unsigned max, time_t now);
/* Counts a failure of key (the oldest slot is reused when all are taken). */
void gw_rate_fail(struct gw_rate *r, const char *key, time_t now);

/* The value of cookie name in a Cookie header into out (cap bytes): 1,
 * 0 when it is not there or empty, -1 when it is longer than cap - 1. */
int gw_api_cookie(const char *header, const char *name, char *out, size_t cap);
/* Field key of an application/x-www-form-urlencoded string (a query or
 * a form body), decoded ('+' a space, %XX) into out: 1, 0 when absent,
 * -1 when too long or badly encoded or decoding to a control character. */
int gw_api_form(const char *s, const char *key, char *out, size_t cap);
/* A path segment percent-decoded into out: the same as gw_api_form's
 * (no '+' rule); a decoded '/' or control character is -1. */
int gw_api_segment(const char *p, size_t n, char *out, size_t cap);

#endif
