/*
 * http.h — wharf's HTTP client: the only user of libcurl. Every partner
 * API (the SP-API, LWA, Brightpearl, QuickBooks, AS2 later) goes through
 * here, so the rules live in one place:
 *
 *   - TLS peer and host verification are always on; plain http:// is
 *     refused except to a loopback address (127.0.0.0/8, ::1, localhost),
 *     which the tests' local servers use;
 *   - timeouts: connect, total, and low speed (a peer that stalls);
 *   - proxies from the environment (https_proxy, no_proxy: libcurl's rules);
 *   - a response larger than max_response is refused, not buffered;
 *   - the User-Agent is "wharf/VERSION (Language=C; Platform=OS/ARCH)",
 *     the form Amazon asks of SP-API callers;
 *   - one log line per request: method, host and path (never the query,
 *     never a header value, never a body), status, seconds and the
 *     partner's request id (x-amzn-RequestId and friends).
 *
 * A client keeps one connection alive between requests to the same host,
 * for GET and HEAD; any other method gets a connection of its own, so
 * that libcurl never sends it twice on its own (it retries a request whose
 * kept-alive connection died before an answer, and the peer may have taken
 * the first): a lost answer is EDI_EAGAIN, for the caller to reconcile.
 * It is not thread-safe: one per thread.
 */
#ifndef WHARF_NET_HTTP_H
#define WHARF_NET_HTTP_H

#include "gateway/core/ctx.h"

#include <stddef.h>
#include <stdint.h>

struct gw_http;

struct gw_http_opts {
    long connect_timeout_ms;   /* 0: 10 s */
    long timeout_ms;           /* the whole request; 0: 60 s */
    long low_speed_seconds;    /* slower than 1 byte/s for this long fails; 0: 30 s */
    size_t max_response;       /* bytes of body; 0: 16 MiB */
    const char *ca_file;       /* trust this CA file as well as the system's (tests); NULL: system */
    const char *client;        /* what the requests are counted under (gw_http_counts): "sp-api",
                                * "erp", "as2"; NULL: "other" */
    const char *target;        /* and whose: the partner or connector id; NULL: "" */
};

struct gw_http_header {
    const char *name, *value;
};

struct gw_http_req {
    const char *method;        /* GET, POST, PUT, DELETE */
    const char *url;           /* with its query, already escaped (gw_http_query) */
    const struct gw_http_header *headers;
    size_t nheaders;
    const void *body;          /* NULL: none */
    size_t nbody;
    const char *content_type;  /* NULL: none, or application/json when body is set */
};

struct gw_http_resp {
    long status;               /* 200, 202, 429 ... */
    char *body;                /* NUL-terminated (not counted in nbody), owned */
    size_t nbody;
    struct gw_http_header *headers;   /* every response header, names lowercased, owned */
    size_t nheaders;
    char request_id[128];      /* x-amzn-RequestId (or x-request-id): "" when none */
    double seconds;            /* the whole exchange */
};

int gw_http_new(struct gw_http **out, struct gw_ctx *c, const struct gw_http_opts *o,
                struct edi_err *err);
void gw_http_free(struct gw_http *h);

/* One request. 0 when the peer answered (any status: the caller reads it);
 * EDI_EAGAIN when it did not (refused, reset, timed out, a body cut short):
 * retry later; EDI_ECONFIG for what an operator must fix (a certificate
 * that does not verify, http:// to a remote host, a malformed URL);
 * EDI_ELIMIT for a body over max_response. err never holds a body or a
 * header value. rs is cleared first and freed by gw_http_resp_free; after
 * a failure it holds what arrived of the status and headers, never a body.
 * With c's log set, one line per request (warn when it failed). */
int gw_http_do(struct gw_http *h, const struct gw_http_req *rq, struct gw_http_resp *rs,
               struct edi_err *err);
void gw_http_resp_free(struct gw_http_resp *rs);
/* A response header's value (name case-insensitive), NULL when absent. */
const char *gw_http_header(const struct gw_http_resp *rs, const char *name);
/* Retry-After in seconds (delta or HTTP date against now), -1 when absent. */
long gw_http_retry_after(const struct gw_http_resp *rs, time_t now);

/* Every request any client of this process made, counted by client,
 * target and outcome ("2xx" ... "5xx" by the status, "error" when the peer
 * did not answer or the request was refused before it left), for
 * /metrics. Counts start at 0 when the process starts. Thread-safe. */
struct gw_http_count {
    char client[16], target[64], outcome[8];
    uint64_t n;
};

/* LIMIT: the distinct (client, target, outcome) kept; past it, the target
 * is counted as "other" */
#define GW_HTTP_COUNTS_MAX 128

/* Copies the counts (at most cap) into out; how many there are. */
size_t gw_http_counts(struct gw_http_count *out, size_t cap);

/* Appends name=value to a URL or a form body, percent-encoded (RFC 3986
 * unreserved characters kept), with '?' or '&' (url) or '&' (form) first as
 * needed. */
void gw_http_query(struct edi_buf *b, const char *name, const char *value);
/* Appends value percent-encoded the same way: one path segment (an id in a
 * URL's path) or one query value. */
void gw_http_escape(struct edi_buf *b, const char *value);

/* A token bucket: rate tokens a second, at most burst. */
struct gw_bucket {
    double rate, burst, tokens, last;
    double burst_max;          /* the burst it was made with: set_rate's ceiling */
};
/* Starts full (burst tokens; a burst under 1 is 1). */
void gw_bucket_init(struct gw_bucket *b, double rate, double burst, double now);
/* Takes a token when one is there (returns 0) or returns the seconds to
 * wait until one is (nothing taken; 1 when the rate is 0). A clock that
 * goes back refills nothing. */
double gw_bucket_take(struct gw_bucket *b, double now);
/* The rate the server says it applies (x-amzn-RateLimit-Limit); burst
 * shrinks with it, never grows past its first value. The burst moves in
 * proportion to the rate, at least 1, at most burst_max; tokens are cut to
 * the new burst. A rate that is not a positive number is ignored. */
void gw_bucket_set_rate(struct gw_bucket *b, double rate);

#endif
