/*
 * server.c — the HTTP(S) server of server.h on libmicrohttpd (MHD). The
 * only file that calls MHD: its callbacks become one handler call per
 * request here, and its failures messages of our own.
 *
 * A request's life in MHD: uri_start (the raw URI, before MHD decodes it:
 * its return value is the request's state), then the access callback,
 * once for the headers, once per chunk of body, once more at the end,
 * when the route's handler runs and its answer is queued; done frees the
 * state and writes the log line.
 *
 * Not here: what a route means (the webhook receiver is erp/hooks.c), who
 * may listen where (config.c's <http> rules).
 */
#include "gateway/net/server.h"
#include "gateway/net/netlibs.h"
#include "edi/edi.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* LIMIT: what an oversize body may still send before the connection is
 * closed instead of answered (it is read and dropped until then). */
#define DRAIN_MAX ((size_t)4 << 20)
/* LIMIT: routes on one server (the API, the console, metrics, webhooks: 23
 * today, and the endpoints of issue 17 still coming) */
#define MAX_ROUTES 64
#define MAX_REQ_HEADERS 100

struct route {
    char method[12];
    char prefix[128];
    int hide_rest;
    gw_server_fn fn;
    void *arg;
};

struct gw_server {
    struct MHD_Daemon *d;
    struct gw_listen at;
    char *cert, *key;          /* PEM, read in new; the key zeroed once TLS started */
    size_t max_body;
    unsigned threads, max_conn, timeout;
    FILE *log;
    struct route routes[MAX_ROUTES];
    size_t nroutes;
    unsigned port;
};

/* One request's state, from uri_start to done. */
struct req {
    struct gw_server *s;
    char *uri;                 /* as sent: path and query */
    struct edi_buf body;
    size_t seen;               /* body bytes received, kept or not */
    int over;                  /* the body is over max_body: dropped, 413 at the end */
    int started;               /* the first call (headers) came */
    int answered;
    int status;
    char method[16];
    char logged[160];          /* the path as the log shows it */
    struct timespec t0;
};

/* ---- setting up ------------------------------------------------------------------------------ */

static int read_pem(char **out, const char *path, const char *what, struct edi_err *err)
{
    FILE *f = fopen(path, "rb");
    struct edi_buf b;
    char chunk[4096];
    size_t n;

    *out = NULL;
    if (f == NULL)
        return edi_fail(err, EDI_ECONFIG, "HTTP listener: the TLS %s %s cannot be read: %s", what, path,
                        strerror(errno));
    edi_buf_init(&b, 0);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.n < (1u << 20))
        edi_buf_put(&b, chunk, n);
    fclose(f);
    explicit_bzero(chunk, sizeof(chunk));
    if (b.n == 0 || b.n >= (1u << 20) || strstr(edi_buf_cstr(&b), "-----BEGIN ") == NULL) {
        if (b.p)
            explicit_bzero(b.p, b.cap);
        edi_buf_dispose(&b);
        return edi_fail(err, EDI_ECONFIG, "HTTP listener: the TLS %s %s is not PEM", what, path);
    }
    *out = edi_xstrdup(edi_buf_cstr(&b));
    explicit_bzero(b.p, b.cap);
    edi_buf_dispose(&b);
    return 0;
}

static void free_key(struct gw_server *s)
{
    if (s->key) {
        explicit_bzero(s->key, strlen(s->key));
        free(s->key);
        s->key = NULL;
    }
}

int gw_server_new(struct gw_server **out, const struct gw_server_opts *o, struct edi_err *err)
{
    struct gw_server *s;
    int rc;

    *out = NULL;
    if ((rc = gw_net_load_mhd(err)) < 0)
        return rc;
    s = edi_xcalloc(1, sizeof(*s));
    if ((rc = gw_listen_parse(&s->at, o->listen, err)) < 0) {
        free(s);
        return edi_fail(err, EDI_ECONFIG, "HTTP listener: %s", err->msg);
    }
    if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
        free(s);
        return edi_fail(err, EDI_ECONFIG, "HTTP listener: a TLS certificate needs its key, and a key its certificate");
    }
    if (o->tls_cert && ((rc = read_pem(&s->cert, o->tls_cert, "certificate", err)) < 0 ||
                        (rc = read_pem(&s->key, o->tls_key, "key", err)) < 0)) {
        gw_server_free(s);
        return rc;
    }
    s->max_body = o->max_body ? o->max_body : (size_t)1 << 20;
    s->threads = o->threads ? o->threads : 4;
    s->max_conn = o->max_connections ? o->max_connections : 64;
    s->timeout = o->timeout_seconds ? o->timeout_seconds : 30;
    s->log = o->log;
    *out = s;
    return 0;
}

void gw_server_route(struct gw_server *s, const char *method, const char *prefix, int hide_rest,
                     gw_server_fn fn, void *arg)
{
    struct route *r;

    if (s->nroutes == MAX_ROUTES || s->d != NULL)
        abort();   /* a caller's bug: routes are fixed before start */
    r = &s->routes[s->nroutes++];
    snprintf(r->method, sizeof(r->method), "%s", method);
    snprintf(r->prefix, sizeof(r->prefix), "%s", prefix);
    r->hide_rest = hide_rest;
    r->fn = fn;
    r->arg = arg;
}

unsigned gw_server_port(const struct gw_server *s)
{
    return s ? s->port : 0;
}

void gw_server_error(struct gw_server_resp *rs, int status, const char *msg)
{
    rs->status = status;
    rs->content_type = "application/json";
    edi_buf_reset(&rs->body);
    edi_buf_puts(&rs->body, "{\"error\":\"");
    for (; *msg; msg++) {
        if (*msg == '"' || *msg == '\\')
            edi_buf_putc(&rs->body, '\\');
        if ((unsigned char)*msg >= 0x20)
            edi_buf_putc(&rs->body, *msg);
    }
    edi_buf_puts(&rs->body, "\"}\n");
}

/* ---- one request ----------------------------------------------------------------------------- */

static void *uri_start(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct req *r = edi_xcalloc(1, sizeof(*r));

    (void)conn;
    r->s = cls;
    r->uri = edi_xstrdup(uri ? uri : "/");
    edi_buf_init(&r->body, 0);
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    return r;
}

/* The path as the log shows it: the route's prefix and "…" when it hides
 * the rest; for no route, the first two segments and "…". */
static void log_path(struct req *r, const char *path, size_t n, const struct route *rt)
{
    size_t keep = n, seg = 0, i;

    if (rt && rt->hide_rest && n > strlen(rt->prefix)) {
        snprintf(r->logged, sizeof(r->logged), "%s…", rt->prefix);
        return;
    }
    if (rt == NULL)
        for (i = 0; i < n; i++)
            if (path[i] == '/' && ++seg == 3) {
                keep = i + 1;
                break;
            }
    snprintf(r->logged, sizeof(r->logged), "%.*s%s", (int)(keep > 100 ? 100 : keep), path,
             keep < n || keep > 100 ? "…" : "");
}

/* The route of path n bytes long: the longest prefix that matches, with
 * this method when one has it; *any the longest matching prefix of any
 * method (a 405 when only another method has it). */
static const struct route *find(const struct gw_server *s, const char *method, const char *path, size_t n,
                                const struct route **any)
{
    const struct route *best = NULL;
    size_t i, bl = 0, al = 0;

    *any = NULL;
    for (i = 0; i < s->nroutes; i++) {
        const struct route *rt = &s->routes[i];
        size_t pl = strlen(rt->prefix);
        /* "/" is the root only: a route of every path would hide the 404s */
        int match = rt->prefix[pl - 1] == '/' && pl > 1 ? n >= pl && memcmp(path, rt->prefix, pl) == 0
                                                        : n == pl && memcmp(path, rt->prefix, pl) == 0;

        if (!match)
            continue;
        if (pl > al || *any == NULL) {
            *any = rt;
            al = pl;
        }
        if (strcmp(rt->method, method) == 0 && (best == NULL || pl > bl)) {
            best = rt;
            bl = pl;
        }
    }
    /* a longer prefix of another method hides a shorter one of this */
    return best && bl == al ? best : NULL;
}

struct hdrs {
    struct gw_http_header v[MAX_REQ_HEADERS];
    size_t n;
};

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct hdrs *h = cls;

    (void)kind;
    if (h->n == MAX_REQ_HEADERS)
        return MHD_NO;
    h->v[h->n].name = key;
    h->v[h->n].value = value ? value : "";
    h->n++;
    return MHD_YES;
}

static void peer_of(char *out, size_t cap, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, cap, "-");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)cap);
}

static int header_ok(const char *s)
{
    return s && *s && strpbrk(s, "\r\n") == NULL;
}

static enum MHD_Result queue(struct req *r, struct MHD_Connection *conn, struct gw_server_resp *rs)
{
    struct MHD_Response *m;
    enum MHD_Result ok;
    size_t i;
    int own_cache = 0;

    m = MHD_create_response_from_buffer(rs->body.n, rs->body.p ? rs->body.p : (void *)"",
                                        MHD_RESPMEM_MUST_COPY);
    if (m == NULL)
        return MHD_NO;
    if (rs->body.n)
        MHD_add_response_header(m, "Content-Type",
                                header_ok(rs->content_type) ? rs->content_type : "application/json");
    MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
    for (i = 0; i < rs->nheaders && i < 8; i++) {
        if (header_ok(rs->headers[i].name) && header_ok(rs->headers[i].value))
            MHD_add_response_header(m, rs->headers[i].name, rs->headers[i].value);
        if (strcasecmp(rs->headers[i].name, "Cache-Control") == 0)
            own_cache = 1;
    }
    /* what a handler does not say otherwise (the console's files: no-cache) */
    if (!own_cache)
        MHD_add_response_header(m, "Cache-Control", "no-store");
    r->status = rs->status;
    r->answered = 1;
    ok = MHD_queue_response(conn, (unsigned)rs->status, m);
    MHD_destroy_response(m);
    return ok;
}

static enum MHD_Result dispatch(struct req *r, struct MHD_Connection *conn, const char *method)
{
    struct gw_server *s = r->s;
    const struct route *rt, *any;
    struct gw_server_resp rs;
    struct gw_server_req rq;
    struct hdrs h;
    char peer[INET6_ADDRSTRLEN + 1];
    const char *q = strchr(r->uri, '?');
    size_t n = q ? (size_t)(q - r->uri) : strlen(r->uri);
    enum MHD_Result ok;
    char *path = edi_xstrndup(r->uri, n);

    memset(&rs, 0, sizeof(rs));
    rs.status = 200;
    edi_buf_init(&rs.body, 0);
    rt = find(s, method, path, n, &any);
    log_path(r, path, n, rt ? rt : any);
    if (r->over) {
        gw_server_error(&rs, 413, "the request body is too large");
        rs.headers[rs.nheaders++] = (struct gw_http_header){"Connection", "close"};
    } else if (rt == NULL && any == NULL) {
        gw_server_error(&rs, 404, "not found");
    } else if (rt == NULL) {
        char allow[128] = "";
        size_t i;

        for (i = 0; i < s->nroutes; i++)
            if (strcmp(s->routes[i].prefix, any->prefix) == 0 && strlen(allow) + 14 < sizeof(allow))
                snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s", allow[0] ? ", " : "",
                         s->routes[i].method);
        gw_server_error(&rs, 405, "method not allowed");
        rs.headers[rs.nheaders++] = (struct gw_http_header){"Allow", allow};
        ok = queue(r, conn, &rs);   /* allow[] lives until here */
        goto out;
    } else {
        memset(&h, 0, sizeof(h));
        MHD_get_connection_values(conn, MHD_HEADER_KIND, each_header, &h);
        peer_of(peer, sizeof(peer), conn);
        rq.method = method;
        rq.path = path;
        rq.rest = path + strlen(rt->prefix);
        rq.query = q ? q + 1 : "";
        rq.headers = h.v;
        rq.nheaders = h.n;
        rq.body = edi_buf_cstr(&r->body);
        rq.nbody = r->body.n;
        rq.peer = peer;
        rt->fn(rt->arg, &rq, &rs);
        if (rs.hide_rest)
            snprintf(r->logged, sizeof(r->logged), "%s…", rt->prefix);
        if (rs.status < 100 || rs.status > 599)
            gw_server_error(&rs, 500, "internal error");
    }
    ok = queue(r, conn, &rs);
out:
    edi_buf_dispose(&rs.body);
    free(path);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    struct req *r = *state;

    (void)cls;
    (void)url;
    (void)version;
    if (r == NULL)
        return MHD_NO;   /* uri_start always gives one */
    snprintf(r->method, sizeof(r->method), "%s", method);
    if (!r->started) {
        /* the first call, before any body: a declared length far over the
         * limit is answered now, unread; one a little over is read and
         * dropped, so the client, still sending, reads the 413 */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long n = cl && strlen(cl) < 20 ? strtoull(cl, NULL, 10) : 0;

        r->started = 1;
        if (cl && strlen(cl) >= 20)
            n = ~0ULL;
        if (n > r->s->max_body) {
            r->over = 1;
            if (n > r->s->max_body + DRAIN_MAX)
                return dispatch(r, conn, method);
        }
        if (n > 0 || MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
            return MHD_YES;   /* the body follows */
        return dispatch(r, conn, method);
    }
    if (*upload_size > 0) {
        r->seen += *upload_size;
        if (!r->over && r->body.n + *upload_size > r->s->max_body) {
            r->over = 1;
            edi_buf_dispose(&r->body);
            edi_buf_init(&r->body, 0);
        }
        if (r->over && r->seen > r->s->max_body + DRAIN_MAX)
            return MHD_NO;   /* it keeps sending: closed, not answered */
        if (!r->over)
            edi_buf_put(&r->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->answered)
        return MHD_YES;
    return dispatch(r, conn, method);
}

static void done(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
    struct req *r = *state;
    struct timespec t1;
    struct gw_ctx lc;
    char peer[INET6_ADDRSTRLEN + 1];
    double secs;

    (void)cls;
    if (r == NULL)
        return;
    *state = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
    if (r->s->log) {
        peer_of(peer, sizeof(peer), conn);
        memset(&lc, 0, sizeof(lc));
        lc.now = time(NULL);   /* the wall clock: a request happens now, WHARF_NOW or not */
        lc.log = r->s->log;
        if (r->logged[0] == '\0') {
            const char *q = strchr(r->uri, '?');

            log_path(r, r->uri, q ? (size_t)(q - r->uri) : strlen(r->uri), NULL);
        }
        if (r->answered)
            gw_log(&lc, r->status >= 500 ? "warn" : "info", "http-in %s %s %d %.3fs from %s",
                   r->method[0] ? r->method : "-", r->logged, r->status, secs, peer);
        else
            gw_log(&lc, "warn", "http-in %s %s: closed without an answer (%s, %.3fs) from %s",
                   r->method[0] ? r->method : "-", r->logged,
                   why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timed out"
                   : r->over                                     ? "its body went on past the limit"
                                                                 : "the peer left or broke the protocol",
                   secs, peer);
    }
    edi_buf_dispose(&r->body);
    free(r->uri);
    free(r);
}

/* ---- starting and stopping --------------------------------------------------------------------- */

int gw_server_start(struct gw_server *s, struct edi_err *err)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    const struct sockaddr *sa;
    const union MHD_DaemonInfo *di;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;

    memset(&a4, 0, sizeof(a4));
    memset(&a6, 0, sizeof(a6));
    if (s->at.v6) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)s->at.port);
        inet_pton(AF_INET6, s->at.host, &a6.sin6_addr);
        sa = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)s->at.port);
        inet_pton(AF_INET, s->at.host, &a4.sin_addr);
        sa = (const struct sockaddr *)&a4;
    }
    if (s->cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return edi_fail(err, EDI_ECONFIG, "HTTP listener %s:%u: this libmicrohttpd has no TLS", s->at.host,
                            s->at.port);
        flags |= MHD_USE_TLS;
        /* SPEC: TLS 1.2 and up, as the client (http.c) asks of its peers */
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
                                MHD_OPTION_THREAD_POOL_SIZE, s->threads, MHD_OPTION_CONNECTION_LIMIT,
                                s->max_conn, MHD_OPTION_CONNECTION_TIMEOUT, s->timeout,
                                MHD_OPTION_URI_LOG_CALLBACK, uri_start, s, MHD_OPTION_NOTIFY_COMPLETED, done, s,
                                MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
                                MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
                                MHD_OPTION_END);
        free_key(s);
    } else {
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
                                MHD_OPTION_THREAD_POOL_SIZE, s->threads, MHD_OPTION_CONNECTION_LIMIT,
                                s->max_conn, MHD_OPTION_CONNECTION_TIMEOUT, s->timeout,
                                MHD_OPTION_URI_LOG_CALLBACK, uri_start, s, MHD_OPTION_NOTIFY_COMPLETED, done, s,
                                MHD_OPTION_END);
    }
    if (s->d == NULL)
        return edi_fail(err, EDI_ECONFIG, "HTTP listener %s%s%s:%u did not start: the address is taken, not this "
                        "host's, or %s", s->at.v6 ? "[" : "", s->at.host, s->at.v6 ? "]" : "", s->at.port,
                        s->cert ? "the TLS certificate and key do not go together" : "the port is not ours to use");
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->at.port;
    return 0;
}

void gw_server_free(struct gw_server *s)
{
    if (s == NULL)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);
    free_key(s);
    free(s->cert);
    free(s);
}
