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
 *   GET  /api/v1/maps      the registered maps and their golden samples (maps.c)
 *   GET  /api/v1/maps/GROUP/NAME[/samples/SAMPLE]  a map's source and code
 *                          lists; a sample's input and expected output
 *   POST /api/v1/maps/GROUP/NAME/run  {"sample"} and/or {"input"}: the map
 *                          as `wharf map test` (a sample) or `map run` runs
 *                          it, with the diff against the sample's expected
 *                          output; read-only, so viewers too
 *   GET  /api/v1/today     deadlines, orders by state, outbox, last errors,
 *                          documents per day and ack latency (today.c)
 *   GET  /api/v1/quarantine?partner=&limit=&after=  quarantined inbound
 *                          files, newest first, each with its reprocess (if any)
 *   GET  /api/v1/quarantine/ID/raw   its bytes; a DF partner's: operators only
 *   POST /api/v1/quarantine/ID/reprocess   `wharf reprocess ID` (operators;
 *   POST /api/v1/documents/ID/reprocess    the document's file): 409 when not
 *                          quarantined or reprocessed already (flow/reprocess.h)
 *   POST /api/v1/erp/messages/ID/retry     `wharf erp retry '#ID'` (operators):
 *                          409 when the message is not held or failing
 *
 * Also the web console's static files (console.h), without login.
 *
 * Who: every endpoint but login needs a session cookie or
 * "Authorization: Bearer TOKEN" (`wharf users token`). A POST with a session
 * cookie needs X-CSRF-Token equal to its session's (a token needs none: no
 * browser sends it by itself). Sessions and tokens live in the workspace's
 * store as digests, so a cookie of another workspace is unknown here.
 * Viewers read; operators also decide, reprocess and retry, and only they
 * see a DF consumer's name, address and messages: a DF partner's (or an
 * unknown partner's) findings, quarantine reasons and ERP errors reach a
 * viewer through gw_api_redact (each line's position and rule only).
 *
 * Threads: each request opens its own store connection (and, where the
 * flows are needed, its own gw_ctx), never the daemon's; it reads the
 * daemon's configuration under its read lock (gw_api_config); the login
 * rate limiter is the other state shared between requests, under its lock.
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
/* LIMIT: XPath steps in one workbench run of a map (map_engine_limit): an
 * Amazon 850 sample takes about 10,000, a 1 MiB input of POs about 5
 * million; a map that recurses in width stops here with an error instead
 * of holding the workbench, which runs one map at a time */
#define GW_API_MAP_STEPS 20000000UL
/* LIMIT: orders, documents, runs, shipments or invoices in one page (limit=) */
#define GW_API_PAGE_MAX 500

struct gw_api;

/* An API over workspace (its store at store_path; schemas and maps from
 * those folders, for the flows). The strings are copied. */
int gw_api_new(struct gw_api **out, const char *workspace, const char *store_path, const char *schemas_dir,
               const char *mappings_dir, struct edi_err *err);
void gw_api_free(struct gw_api *a);
struct gw_cfg_ref;
/* The daemon's configuration (core/cfgref.h, borrowed), which requests
 * read instead of loading wharf.xml each (the flows' gw_ctx, of status,
 * decisions, ERP status and reprocess, still opens the workspace). */
void gw_api_config(struct gw_api *a, struct gw_cfg_ref *ref);
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
/* SPEC: issue 17 — text about a DF partner's document (findings, a
 * quarantine reason, an ERP's error) as a viewer sees it: each line keeps
 * only its position ("segment N: " at its start) and its rule ("[code]" or
 * "[code, TA105 NNN]" at its end, the code lowercase letters, digits and
 * '-'), everything between becomes GW_API_HIDDEN. Findings and reasons quote
 * element values (a consumer's name in N102, an address in N301) and an
 * ERP's words may too: a rule keeping known-safe parts only cannot leak
 * what a rule finding quotes would miss. The caller frees the result. */
#define GW_API_HIDDEN "[hidden: operators only]"
char *gw_api_redact(const char *text);
/* A path segment percent-decoded into out: the same as gw_api_form's
 * (no '+' rule); a decoded '/' or control character is -1. */
int gw_api_segment(const char *p, size_t n, char *out, size_t cap);

#endif
