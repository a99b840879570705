/*
 * server.h — wharf's HTTP(S) server: the only user of libmicrohttpd. What
 * listens for the world (Brightpearl's webhooks today; AS2 receipt and the
 * operator's console and API next) is a route on one of these, so the rules
 * live in one place:
 *
 *   - it listens on "HOST:PORT" (gw_listen_parse: an IP address or
 *     localhost; port 0 lets the kernel pick, gw_server_port says which);
 *     whether a non-loopback address is allowed at all is the caller's
 *     rule (wharf.xml's <http public="true">), not this module's;
 *   - TLS (1.2 and up) from a certificate and key PEM file pair;
 *   - a request body over max_body is answered 413 and never buffered
 *     whole; headers are capped by libmicrohttpd's connection memory;
 *   - routes by method and path prefix; an unknown path is a 404 and a
 *     known path with another method a 405 (with Allow), both as JSON
 *     {"error": "..."};
 *   - one log line per request: method, path (never the query; a route may
 *     hide what follows its prefix, a path that matches no route is cut
 *     after two segments, so a token in a mistyped URL stays out of the
 *     log), status, seconds, the peer's address; never a body, never a
 *     header value.
 *
 * Threads: libmicrohttpd's internal thread pool (opts.threads, default 4),
 * each thread polling its share of the connections; a handler runs on one
 * of them, concurrently with other handlers and with the caller's own
 * thread. A handler must therefore be quick (it holds its pool thread) and
 * touch only what is safe from another thread: never the daemon's gw_ctx
 * or store (a handler that needs the store opens its own connection).
 * Routes are added before gw_server_start and never after.
 */
#ifndef WHARF_NET_SERVER_H
#define WHARF_NET_SERVER_H

#include "gateway/core/ctx.h"
#include "gateway/net/http.h"

#include <stddef.h>
#include <stdio.h>

struct gw_server;

struct gw_server_opts {
    const char *listen;        /* "127.0.0.1:8080", "[::1]:0", "localhost:8080" */
    const char *tls_cert;      /* PEM files, both or neither; NULL: plain HTTP */
    const char *tls_key;
    size_t max_body;           /* LIMIT: request body bytes; 0: 1 MiB */
    unsigned threads;          /* the thread pool; 0: 4 */
    unsigned max_connections;  /* 0: 64 */
    unsigned timeout_seconds;  /* an idle connection is closed; 0: 30 */
    FILE *log;                 /* one line per request; NULL: none */
};

/* One request, as a handler sees it (everything borrowed for the call). */
struct gw_server_req {
    const char *method;        /* GET, POST ... */
    const char *path;          /* as sent, percent-encoding kept ("/a%2Fb"): a
                                * handler decodes each segment itself */
    const char *rest;          /* the path after the route's prefix */
    const char *query;         /* as sent, without the '?'; "" when none */
    const struct gw_http_header *headers;   /* names as sent */
    size_t nheaders;
    const char *body;          /* NUL-terminated (not counted in nbody) */
    size_t nbody;
    const char *peer;          /* "127.0.0.1", "::1" */
};

/* What a handler answers: status 200 and no body unless it says more. */
struct gw_server_resp {
    int status;
    const char *content_type;  /* NULL: application/json when there is a body */
    struct gw_http_header headers[8];   /* extra headers, values without CR/LF; a
                                         * Cache-Control replaces the default no-store */
    size_t nheaders;
    struct edi_buf body;       /* freed by the server */
    int hide_rest;             /* the log shows the prefix and "…", not the rest */
};

typedef void (*gw_server_fn)(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs);

/* Checks the options and reads the TLS files; nothing listens yet.
 * EDI_ECONFIG with the address or the file in the message. */
int gw_server_new(struct gw_server **out, const struct gw_server_opts *o, struct edi_err *err);
/* A route: method (GET, POST ...) on paths under prefix (ending in '/':
 * every path that starts with it; else, and for "/", that path exactly). The longest
 * matching prefix wins. hide_rest: the log never shows what follows the
 * prefix (a token in the path). Before gw_server_start only. */
void gw_server_route(struct gw_server *s, const char *method, const char *prefix, int hide_rest,
                     gw_server_fn fn, void *arg);
/* Starts listening: EDI_ECONFIG when the address cannot be bound (taken,
 * not ours) or TLS does not start, with the address in the message. */
int gw_server_start(struct gw_server *s, struct edi_err *err);
/* The port it listens on (the kernel's pick for port 0); 0 before start. */
unsigned gw_server_port(const struct gw_server *s);
/* Stops listening, waits for the handlers running, frees. NULL is a no-op. */
void gw_server_free(struct gw_server *s);

/* A JSON error body {"error": msg} with status, for handlers. */
void gw_server_error(struct gw_server_resp *rs, int status, const char *msg);

#endif
