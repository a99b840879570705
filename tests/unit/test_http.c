/*
 * test_http.c — the HTTP client against real servers on loopback, started
 * here: libmicrohttpd over TLS (a CA and two server certificates made with
 * the openssl command at run time: one for 127.0.0.1 and localhost, one for
 * another name) and over plain http, and raw sockets for what a well-behaved
 * server never does (a body shorter than its Content-Length, no answer).
 * Round trips, status passthrough, certificate checks, http:// refused to a
 * remote host before any connection, the size limit, the retryable
 * failures, keep-alive, the log line (no query, header value or body);
 * then the pure helpers: query encoding, Retry-After, token buckets.
 */
#include "testutil.h"
#include "gateway/core/version.h"
#include "gateway/net/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

/* One libmicrohttpd server on 127.0.0.1, port chosen by the kernel. */
struct srv {
    struct MHD_Daemon *d;
    unsigned port;
    int connections;   /* connections accepted so far (keep-alive test) */
};

struct fx {
    char dir[64], ca[128];
    struct srv tls, wrong, plain;
};

static struct fx F;

/* What the server collects of one request's body. */
struct upload {
    struct edi_buf body;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body,
                             const char *hname, const char *hvalue)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/plain");
    MHD_add_response_header(r, "X-Amzn-RequestId", "REQ-7f3a");
    MHD_add_response_header(r, "X-Mixed-Case", "Kept As Sent");
    if (hname)
        MHD_add_response_header(r, hname, hvalue);
    ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A chunked body (no Content-Length) of *cls bytes of 'y'. */
static ssize_t chunks(void *cls, uint64_t pos, char *buf, size_t max)
{
    size_t left = *(size_t *)cls - (size_t)pos;

    if (left == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (left > max)
        left = max;
    memset(buf, 'y', left);
    return (ssize_t)left;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *ndata, void **req)
{
    struct upload *up = *req;
    if (up == NULL) {
        up = calloc(1, sizeof(*up));
        edi_buf_init(&up->body, 0);
        *req = up;
        return MHD_YES;
    }
    if (*ndata) {
        edi_buf_put(&up->body, data, *ndata);
        *ndata = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/echo") == 0) {
        struct edi_buf out;
        enum MHD_Result ok;
        const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        const char *xt = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Test");
        const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
        const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q");

        edi_buf_init(&out, 0);
        edi_buf_printf(&out, "%s|%s|ct=%s|x-test=%s|q=%s|ua=%s", method, edi_buf_cstr(&up->body),
                       ct ? ct : "-", xt ? xt : "-", q ? q : "-", ua ? ua : "-");
        ok = reply(conn, 200, edi_buf_cstr(&out), NULL, NULL);
        edi_buf_dispose(&out);
        return ok;
    }
    if (strncmp(url, "/status/", 8) == 0)
        return reply(conn, (unsigned)atoi(url + 8), "status", NULL, NULL);
    if (strcmp(url, "/throttled") == 0)
        return reply(conn, 429, "slow down", "Retry-After", "7");
    if (strncmp(url, "/big/", 5) == 0 || strncmp(url, "/chunked/", 9) == 0) {
        size_t n = (size_t)atol(strchr(url + 1, '/') + 1);
        struct MHD_Response *r;
        enum MHD_Result ok;
        char *body;

        if (url[1] == 'b') {
            body = malloc(n + 1);
            memset(body, 'x', n);
            r = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
        } else {
            size_t *left = malloc(sizeof(*left));

            *left = n;
            r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, chunks, left, free);
        }
        ok = MHD_queue_response(conn, 200, r);
        MHD_destroy_response(r);
        return ok;
    }
    return reply(conn, 404, "no such path", NULL, NULL);
}

static void completed(void *cls, struct MHD_Connection *conn, void **req,
                      enum MHD_RequestTerminationCode why)
{
    struct upload *up = *req;

    if (up) {
        edi_buf_dispose(&up->body);
        free(up);
        *req = NULL;
    }
}

static void connected(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    struct srv *s = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        __atomic_add_fetch(&s->connections, 1, __ATOMIC_SEQ_CST);
}

static char *slurp(const char *path)
{
    char *p = NULL;
    size_t n;
    struct edi_err err;

    if (edi_read_file(&p, &n, path, &err) < 0)
        fail_msg("%s", err.msg);
    return p;
}

/* Starts s on 127.0.0.1; over TLS with dir/<name>.key and .pem when name. */
static int srv_start(struct srv *s, const char *name)
{
    struct sockaddr_in sa;
    char path[256];
    char *key = NULL, *cert = NULL;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (name) {
        snprintf(path, sizeof(path), "%s/%s.key", F.dir, name);
        key = slurp(path);
        snprintf(path, sizeof(path), "%s/%s.pem", F.dir, name);
        cert = slurp(path);
        s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, handle, s,
                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                                MHD_OPTION_NOTIFY_CONNECTION, connected, s, MHD_OPTION_END);
    } else {
        s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, s,
                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                                MHD_OPTION_NOTIFY_CONNECTION, connected, s, MHD_OPTION_END);
    }
    free(key);   /* libmicrohttpd parsed them when it started */
    free(cert);
    if (s->d == NULL) {
        fprintf(stderr, "# libmicrohttpd did not start (%s)\n", name ? name : "plain");
        return -1;
    }
    s->port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    return 0;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) {
        fprintf(stderr, "# failed: %s\n", cmd);
        return -1;
    }
    return 0;
}

/* A throwaway CA and two server certificates it signs: "good" for
 * 127.0.0.1 and localhost, "wrong" for another name only. */
static int make_certs(const char *d)
{
    static const char *const certs[][2] = {
        {"good", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
        {"wrong", "subjectAltName=DNS:wrong.example"},
    };
    size_t i;

    if (sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
           "-keyout ca.key -out ca.pem -days 2 -subj /CN=wharf-test-ca "
           "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
           ">/dev/null 2>&1", d) < 0)
        return -1;
    for (i = 0; i < 2; i++) {
        char ext[128];

        snprintf(ext, sizeof(ext), "%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
                 certs[i][1]);
        tu_put(d, certs[i][0], ext);
        if (sh("cd '%s' && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
               "-keyout %s.key -out %s.csr -subj /CN=%s >/dev/null 2>&1 && "
               "openssl x509 -req -in %s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
               "-extfile %s -out %s.pem >/dev/null 2>&1",
               d, certs[i][0], certs[i][0], certs[i][0], certs[i][0], certs[i][0], certs[i][0]) < 0)
            return -1;
    }
    return 0;
}

static int group_setup(void **state)
{
    /* loopback never through a proxy the environment may name */
    setenv("no_proxy", "127.0.0.1,localhost,::1", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost,::1", 1);
    snprintf(F.dir, sizeof(F.dir), "/tmp/wharf-http-XXXXXX");
    if (mkdtemp(F.dir) == NULL)
        return -1;
    snprintf(F.ca, sizeof(F.ca), "%s/ca.pem", F.dir);
    if (make_certs(F.dir) < 0)
        return -1;
    if (srv_start(&F.tls, "good") < 0 || srv_start(&F.wrong, "wrong") < 0 || srv_start(&F.plain, NULL) < 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    struct srv *all[] = {&F.tls, &F.wrong, &F.plain};
    size_t i;

    for (i = 0; i < 3; i++)
        if (all[i]->d)
            MHD_stop_daemon(all[i]->d);
    if (F.dir[0])
        sh("rm -rf '%s'", F.dir);
    return 0;
}

/* url: "https://127.0.0.1:%u" + path on the server chosen. */
static void url_of(char *url, size_t cap, const char *scheme, const char *host, unsigned port,
                   const char *path)
{
    snprintf(url, cap, "%s://%s:%u%s", scheme, host, port, path);
}

static struct gw_http *client(struct gw_ctx *c, const char *ca, long timeout_ms, size_t max)
{
    struct gw_http_opts o = {0};
    struct gw_http *h = NULL;
    struct edi_err err;

    o.ca_file = ca;
    o.timeout_ms = timeout_ms;
    o.connect_timeout_ms = timeout_ms;
    o.max_response = max;
    edi_err_clear(&err);
    if (gw_http_new(&h, c, &o, &err) < 0)
        fail_msg("%s", err.msg);
    return h;
}

struct rtcase {
    const char *name;
    int tls;
    const char *method, *path, *body, *content_type;
    const char *want;   /* the echo, after METHOD| */
};

static const struct rtcase rtcases[] = {
    {"GET with a query", 1, "GET", "/echo?q=a%20b%26c", NULL, NULL, "|ct=-|x-test=on|q=a b&c|ua="},
    {"POST JSON (the default content type)", 1, "POST", "/echo", "{\"a\":1}", NULL,
     "{\"a\":1}|ct=application/json|x-test=on|q=-|ua="},
    {"POST a form", 1, "POST", "/echo", "a=1&b=2", "application/x-www-form-urlencoded",
     "a=1&b=2|ct=application/x-www-form-urlencoded|x-test=on|q=-|ua="},
    {"POST without a body: no form content type", 1, "POST", "/echo", NULL, NULL,
     "|ct=-|x-test=on|q=-|ua="},
    {"PUT", 1, "PUT", "/echo", "[1,2]", NULL, "[1,2]|ct=application/json|x-test=on|q=-|ua="},
    {"PATCH", 1, "PATCH", "/echo", "{}", "application/merge-patch+json",
     "{}|ct=application/merge-patch+json|x-test=on|q=-|ua="},
    {"DELETE", 1, "DELETE", "/echo", NULL, NULL, "|ct=-|x-test=on|q=-|ua="},
    {"plain http to 127.0.0.1", 0, "POST", "/echo?q=1", "x", "text/plain",
     "x|ct=text/plain|x-test=on|q=1|ua="},
};

static void test_round_trip(void **state)
{
    char ua[160], url[256], want[512];
    struct gw_http *h = client(NULL, F.ca, 0, 0);
    struct gw_http_header hd[] = {{"X-Test", "on"}};
    size_t i;

    snprintf(ua, sizeof(ua), "wharf/%s (Language=C; Platform=", WHARF_VERSION);
    for (i = 0; i < sizeof(rtcases) / sizeof(rtcases[0]); i++) {
        const struct rtcase *t = &rtcases[i];
        struct gw_http_req rq = {0};
        struct gw_http_resp rs;
        struct edi_err err;
        int rc;

        if (t->tls)
            url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, t->path);
        else
            url_of(url, sizeof(url), "http", "127.0.0.1", F.plain.port, t->path);
        rq.method = t->method;
        rq.url = url;
        rq.headers = hd;
        rq.nheaders = 1;
        rq.body = t->body;
        rq.nbody = t->body ? strlen(t->body) : 0;
        rq.content_type = t->content_type;
        edi_err_clear(&err);
        if ((rc = gw_http_do(h, &rq, &rs, &err)) != 0)
            fail_msg("%s: rc %d (%s)", t->name, rc, err.msg);
        snprintf(want, sizeof(want), "%s|%s%s", t->method, t->want, ua);
        if (rs.status != 200 || strncmp(rs.body, want, strlen(want)) != 0)
            fail_msg("%s: %ld '%s', want 200 '%s...'", t->name, rs.status, rs.body, want);
        if (rs.nbody != strlen(rs.body))
            fail_msg("%s: nbody %zu for '%s'", t->name, rs.nbody, rs.body);
        assert_string_equal(rs.request_id, "REQ-7f3a");
        /* names lowercased, values as sent; lookups ignore case */
        assert_string_equal(gw_http_header(&rs, "X-MIXED-CASE"), "Kept As Sent");
        assert_string_equal(gw_http_header(&rs, "content-type"), "text/plain");
        assert_null(gw_http_header(&rs, "x-absent"));
        for (size_t k = 0; k < rs.nheaders; k++)
            for (const char *p = rs.headers[k].name; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    fail_msg("%s: header name %s not lowercased", t->name, rs.headers[k].name);
        gw_http_resp_free(&rs);
    }
    gw_http_free(h);
}

struct stcase {
    const char *path;
    long status, retry_after;
};

static const struct stcase stcases[] = {
    {"/status/202", 202, -1},
    {"/throttled", 429, 7},
    {"/status/500", 500, -1},
    {"/status/503", 503, -1},
    {"/no/such/thing", 404, -1},
};

/* Any status is an answer: rc 0, the caller reads it. */
static void test_status_passthrough(void **state)
{
    char url[256];
    struct gw_http *h = client(NULL, F.ca, 0, 0);
    size_t i;

    for (i = 0; i < sizeof(stcases) / sizeof(stcases[0]); i++) {
        struct gw_http_req rq = {.method = "GET", .url = url};
        struct gw_http_resp rs;
        struct edi_err err;
        int rc;

        url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, stcases[i].path);
        edi_err_clear(&err);
        if ((rc = gw_http_do(h, &rq, &rs, &err)) != 0)
            fail_msg("%s: rc %d (%s)", stcases[i].path, rc, err.msg);
        if (rs.status != stcases[i].status || gw_http_retry_after(&rs, 0) != stcases[i].retry_after)
            fail_msg("%s: %ld retry-after %ld, want %ld %ld", stcases[i].path, rs.status,
                     gw_http_retry_after(&rs, 0), stcases[i].status, stcases[i].retry_after);
        gw_http_resp_free(&rs);
    }
    gw_http_free(h);
}

static unsigned closed_port(int *fd);

/* The process-wide counts /metrics shows: by client, target and outcome,
 * a refused connection counted as "error". */
static uint64_t count_of(const char *client, const char *target, const char *outcome)
{
    struct gw_http_count v[GW_HTTP_COUNTS_MAX];
    size_t n = gw_http_counts(v, GW_HTTP_COUNTS_MAX), i;

    for (i = 0; i < n && i < GW_HTTP_COUNTS_MAX; i++)
        if (strcmp(v[i].client, client) == 0 && strcmp(v[i].target, target) == 0 &&
            strcmp(v[i].outcome, outcome) == 0)
            return v[i].n;
    return 0;
}

static void test_counts(void **state)
{
    struct gw_http_opts o = {.ca_file = F.ca, .client = "sp-api", .target = "amazon-rp",
                             .connect_timeout_ms = 60000, .timeout_ms = 60000};
    struct gw_http *h = NULL;
    struct edi_err err;
    char url[256];
    size_t i;
    int fd;
    unsigned port;

    (void)state;
    edi_err_clear(&err);
    assert_int_equal(gw_http_new(&h, NULL, &o, &err), 0);
    for (i = 0; i < sizeof(stcases) / sizeof(stcases[0]); i++) {
        struct gw_http_req rq = {.method = "GET", .url = url};
        struct gw_http_resp rs;

        url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, stcases[i].path);
        assert_int_equal(gw_http_do(h, &rq, &rs, &err), 0);
        gw_http_resp_free(&rs);
    }
    port = closed_port(&fd);
    {
        struct gw_http_req rq = {.method = "GET", .url = url};
        struct gw_http_resp rs;

        snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", port);
        assert_int_equal(gw_http_do(h, &rq, &rs, &err), EDI_EAGAIN);
        gw_http_resp_free(&rs);
    }
    close(fd);
    gw_http_free(h);
    assert_int_equal(count_of("sp-api", "amazon-rp", "2xx"), 1);
    assert_int_equal(count_of("sp-api", "amazon-rp", "4xx"), 2);
    assert_int_equal(count_of("sp-api", "amazon-rp", "5xx"), 2);
    assert_int_equal(count_of("sp-api", "amazon-rp", "error"), 1);
    assert_int_equal(count_of("sp-api", "amazon-rp", "3xx"), 0);
}

struct tlscase {
    const char *name;
    int wrong;            /* the server whose certificate names another host */
    const char *host;
    int trust;            /* give the test CA */
    int rc;
};

static const struct tlscase tlscases[] = {
    {"our CA, 127.0.0.1", 0, "127.0.0.1", 1, 0},
    {"our CA, localhost", 0, "localhost", 1, 0},
    {"system CAs only: self-made CA not trusted", 0, "127.0.0.1", 0, EDI_ECONFIG},
    {"certificate for another name", 1, "127.0.0.1", 1, EDI_ECONFIG},
    {"certificate for another name, by name", 1, "localhost", 1, EDI_ECONFIG},
};

static void test_tls(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(tlscases) / sizeof(tlscases[0]); i++) {
        const struct tlscase *t = &tlscases[i];
        struct gw_http *h = client(NULL, t->trust ? F.ca : NULL, 10000, 0);
        char url[256];
        struct gw_http_req rq = {.method = "GET", .url = url};
        struct gw_http_resp rs;
        struct edi_err err;
        int rc;

        url_of(url, sizeof(url), "https", t->host, t->wrong ? F.wrong.port : F.tls.port, "/status/200");
        edi_err_clear(&err);
        rc = gw_http_do(h, &rq, &rs, &err);
        if (rc != t->rc)
            fail_msg("%s: rc %d (%s), want %d", t->name, rc, err.msg, t->rc);
        if (rc == 0 && rs.status != 200)
            fail_msg("%s: status %ld", t->name, rs.status);
        if (rc < 0 && (rs.body != NULL || strstr(err.msg, "GET ") != err.msg))
            fail_msg("%s: a body after a failure, or '%s' does not start with the method", t->name,
                     err.msg);
        gw_http_resp_free(&rs);
        gw_http_free(h);
    }
}

/* A CA file that is not there: the operator's to fix, at once. */
static void test_ca_file_missing(void **state)
{
    struct gw_http_opts o = {.ca_file = "/nonexistent/ca.pem"};
    struct gw_http *h = (struct gw_http *)1;
    struct edi_err err;

    edi_err_clear(&err);
    assert_int_equal(gw_http_new(&h, NULL, &o, &err), EDI_ECONFIG);
    assert_null(h);
}

struct refcase {
    const char *name, *url;
    int rc;
};

/* Refused before any connection: with a 60 s connect timeout, a connection
 * attempt to 192.0.2.1 (TEST-NET-1, nothing answers) would end EDI_EAGAIN,
 * not EDI_ECONFIG. %u is a port nothing listens on. */
static const struct refcase refcases[] = {
    {"http to a remote address", "http://192.0.2.1/orders?token=SECRET", EDI_ECONFIG},
    {"http to a remote name", "http://sellingpartnerapi-na.amazon.com/x", EDI_ECONFIG},
    {"http to an IPv4-mapped remote", "http://[::ffff:192.0.2.1]/", EDI_ECONFIG},
    {"ftp", "ftp://127.0.0.1/x", EDI_ECONFIG},
    {"file", "file:///etc/passwd", EDI_ECONFIG},
    {"no scheme", "127.0.0.1/x", EDI_ECONFIG},
    {"not a URL", "http://", EDI_ECONFIG},
    {"a space in the host", "https://exa mple.com/", EDI_ECONFIG},
    /* loopback is allowed: these get as far as a refused connection */
    {"http to 127.0.0.1, nothing listening", "http://127.0.0.1:%u/x", EDI_EAGAIN},
    {"http to 127.0.0.2, nothing listening", "http://127.0.0.2:%u/x", EDI_EAGAIN},
    {"http to localhost, nothing listening", "http://localhost:%u/x", EDI_EAGAIN},
    {"http to ::1, nothing listening", "http://[::1]:%u/x", EDI_EAGAIN},
    {"http to 127.0.0.1 spelled 127.1 (curl_url writes it out)", "http://127.1:%u/x", EDI_EAGAIN},
    {"https to 127.0.0.1, nothing listening", "https://127.0.0.1:%u/x?token=SECRET", EDI_EAGAIN},
};

/* A port on 127.0.0.1 that refuses connections while fd stays open: bound,
 * never listening. */
static unsigned closed_port(int *fd)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t n = sizeof(sa);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(*fd >= 0);
    assert_int_equal(bind(*fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&sa, &n), 0);
    return ntohs(sa.sin_port);
}

static void test_refused(void **state)
{
    int fd;
    unsigned port = closed_port(&fd);
    struct gw_http_opts o = {.connect_timeout_ms = 60000, .timeout_ms = 60000};
    struct gw_http *h;
    size_t i;
    struct edi_err err;

    assert_int_equal(gw_http_new(&h, NULL, &o, &err), 0);
    for (i = 0; i < sizeof(refcases) / sizeof(refcases[0]); i++) {
        const struct refcase *t = &refcases[i];
        char url[256];
        struct gw_http_req rq = {.method = "POST", .url = url, .body = "BODY", .nbody = 4};
        struct gw_http_resp rs;
        int rc;

        snprintf(url, sizeof(url), t->url, port);
        edi_err_clear(&err);
        rc = gw_http_do(h, &rq, &rs, &err);
        if (rc != t->rc)
            fail_msg("%s: rc %d (%s), want %d", t->name, rc, err.msg, t->rc);
        if (strstr(err.msg, "SECRET") || strstr(err.msg, "BODY"))
            fail_msg("%s: the error shows the query or the body: %s", t->name, err.msg);
        if (rs.status != 0)
            fail_msg("%s: a status %ld with no server", t->name, rs.status);
        gw_http_resp_free(&rs);
    }
    gw_http_free(h);
    close(fd);
}

/* Raw servers for what libmicrohttpd never does. */
enum rawmode { RAW_SHORT, RAW_SILENT };

struct raw {
    int fd;
    unsigned port;
    enum rawmode mode;
    pthread_t th;
};

static void *raw_serve(void *arg)
{
    struct raw *r = arg;
    struct timeval tv = {.tv_sec = 20};
    char buf[4096];
    size_t n = 0;
    ssize_t k;
    int c = accept(r->fd, NULL, NULL);

    if (c < 0)
        return NULL;
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));   /* a guard, not a timing */
    if (r->mode == RAW_SHORT) {
        static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                                  "Content-Type: text/plain\r\n\r\nonly this much";

        /* the request's head, then an answer 86 bytes short, then close */
        while (n < sizeof(buf) - 1 && (k = recv(c, buf + n, sizeof(buf) - 1 - n, 0)) > 0) {
            n += (size_t)k;
            buf[n] = '\0';
            if (strstr(buf, "\r\n\r\n"))
                break;
        }
        if (send(c, ans, sizeof(ans) - 1, MSG_NOSIGNAL) < 0)
            perror("send");
    } else {
        /* read everything, answer nothing, until the client gives up */
        while (recv(c, buf, sizeof(buf), 0) > 0)
            ;
    }
    close(c);
    return NULL;
}

static void raw_start(struct raw *r, enum rawmode mode)
{
    r->port = closed_port(&r->fd);
    r->mode = mode;
    assert_int_equal(listen(r->fd, 4), 0);
    assert_int_equal(pthread_create(&r->th, NULL, raw_serve, r), 0);
}

static void raw_stop(struct raw *r)
{
    pthread_join(r->th, NULL);
    close(r->fd);
}

struct rawcase {
    const char *name;
    enum rawmode mode;
    long timeout_ms;
};

static const struct rawcase rawcases[] = {
    {"body shorter than its Content-Length, then closed", RAW_SHORT, 10000},
    {"accepted, never answered (1 s timeout)", RAW_SILENT, 1000},
};

static void test_no_answer_is_retryable(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(rawcases) / sizeof(rawcases[0]); i++) {
        struct raw r;
        struct gw_http *h = client(NULL, NULL, rawcases[i].timeout_ms, 0);
        char url[256];
        struct gw_http_req rq = {.method = "GET", .url = url};
        struct gw_http_resp rs;
        struct edi_err err;
        int rc;

        raw_start(&r, rawcases[i].mode);
        url_of(url, sizeof(url), "http", "127.0.0.1", r.port, "/x");
        edi_err_clear(&err);
        rc = gw_http_do(h, &rq, &rs, &err);
        gw_http_free(h);   /* closes the connection: the silent server's recv ends */
        raw_stop(&r);
        if (rc != EDI_EAGAIN)
            fail_msg("%s: rc %d (%s), want EDI_EAGAIN", rawcases[i].name, rc, err.msg);
        if (rs.body != NULL)
            fail_msg("%s: a partial body was kept", rawcases[i].name);
        gw_http_resp_free(&rs);
    }
}

struct limcase {
    const char *name, *path;
    size_t max;
    int rc;
};

static const struct limcase limcases[] = {
    {"declared length over the limit", "/big/5000", 4096, EDI_ELIMIT},
    {"chunked body over the limit", "/chunked/5000", 4096, EDI_ELIMIT},
    {"declared length at the limit", "/big/4096", 4096, 0},
    {"chunked body at the limit", "/chunked/4096", 4096, 0},
    {"one byte over, chunked", "/chunked/4097", 4096, EDI_ELIMIT},
};

static void test_max_response(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(limcases) / sizeof(limcases[0]); i++) {
        const struct limcase *t = &limcases[i];
        struct gw_http *h = client(NULL, F.ca, 0, t->max);
        char url[256];
        struct gw_http_req rq = {.method = "GET", .url = url};
        struct gw_http_resp rs;
        struct edi_err err;
        int rc;

        url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, t->path);
        edi_err_clear(&err);
        rc = gw_http_do(h, &rq, &rs, &err);
        if (rc != t->rc)
            fail_msg("%s: rc %d (%s), want %d", t->name, rc, err.msg, t->rc);
        if (rc == 0 && rs.nbody != t->max)
            fail_msg("%s: %zu bytes", t->name, rs.nbody);
        gw_http_resp_free(&rs);
        gw_http_free(h);
    }
}

/* Requests on one client share one connection. */
/* GETs share one kept-alive connection; every POST gets one of its own, so
 * libcurl never sends it a second time on its own when a kept connection
 * dies before the answer (the peer may have taken the first). */
static void test_keep_alive(void **state)
{
    static const struct {
        const char *method;
        int connections;       /* for 5 requests */
    } cases[] = {
        {"GET", 1},
        {"POST", 5},
    };
    char url[256];
    size_t k;
    int i;

    url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, "/echo");
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_http *h = client(NULL, F.ca, 0, 0);
        int before = __atomic_load_n(&F.tls.connections, __ATOMIC_SEQ_CST);
        int post = strcmp(cases[k].method, "POST") == 0;

        for (i = 0; i < 5; i++) {
            struct gw_http_req rq = {.method = cases[k].method, .url = url, .body = post ? "{}" : NULL,
                                     .nbody = post ? 2 : 0};
            struct gw_http_resp rs;
            struct edi_err err;

            if (gw_http_do(h, &rq, &rs, &err) != 0 || rs.status != 200)
                fail_msg("%s %d: %s", cases[k].method, i, err.msg);
            gw_http_resp_free(&rs);
        }
        gw_http_free(h);
        if (__atomic_load_n(&F.tls.connections, __ATOMIC_SEQ_CST) - before != cases[k].connections)
            fail_msg("%s: %d connections, want %d", cases[k].method,
                     __atomic_load_n(&F.tls.connections, __ATOMIC_SEQ_CST) - before, cases[k].connections);
    }
}

/* One line per request: method, host, path, status, seconds, request id;
 * never the query, a header value or the body. */
static void test_log_line(void **state)
{
    char *text = NULL, url[256], want[128];
    size_t ntext = 0;
    struct gw_ctx c;
    struct gw_http *h;
    struct gw_http_header hd[] = {{"x-amz-access-token", "Atza|TOKENSECRET"}};
    struct gw_http_req rq = {.method = "POST", .url = url, .headers = hd, .nheaders = 1,
                             .body = "{\"b\":\"BODYSECRET\"}", .nbody = 18};
    struct gw_http_resp rs;
    struct edi_err err;
    int fd;
    unsigned port = closed_port(&fd);

    memset(&c, 0, sizeof(c));
    c.log = open_memstream(&text, &ntext);
    assert_non_null(c.log);
    h = client(&c, F.ca, 0, 0);
    url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, "/echo?q=QUERYSECRET");
    assert_int_equal(gw_http_do(h, &rq, &rs, &err), 0);
    assert_non_null(strstr(rs.body, "BODYSECRET"));   /* it was sent */
    gw_http_resp_free(&rs);
    url_of(url, sizeof(url), "https", "127.0.0.1", port, "/orders?q=QUERYSECRET");
    assert_int_equal(gw_http_do(h, &rq, &rs, &err), EDI_EAGAIN);
    gw_http_resp_free(&rs);
    gw_http_free(h);
    close(fd);
    fclose(c.log);

    snprintf(want, sizeof(want), "info  http POST 127.0.0.1:%u/echo 200 ", F.tls.port);
    if (strstr(text, want) == NULL || strstr(text, "s request-id REQ-7f3a\n") == NULL)
        fail_msg("no '%s... request-id REQ-7f3a' line in:\n%s", want, text);
    snprintf(want, sizeof(want), "warn  http POST 127.0.0.1:%u/orders: ", port);
    if (strstr(text, want) == NULL)
        fail_msg("no '%s' line in:\n%s", want, text);
    if (strstr(text, "SECRET") != NULL)
        fail_msg("the log shows the query, a header value or the body:\n%s", text);
    {
        size_t lines = 0;

        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        assert_int_equal(lines, 2);
    }
    free(text);
}

/* Requests that would split into another request: the caller's bug. */
static void test_bad_requests(void **state)
{
    static const struct gw_http_header bad[][1] = {
        {{"X-Ok", "a\r\nX-Injected: 1"}},
        {{"X Bad", "v"}},
        {{"", "v"}},
    };
    struct gw_http *h = client(NULL, F.ca, 0, 0);
    char url[256];
    size_t i;

    url_of(url, sizeof(url), "https", "127.0.0.1", F.tls.port, "/echo");
    for (i = 0; i < 3; i++) {
        struct gw_http_req rq = {.method = "GET", .url = url, .headers = bad[i], .nheaders = 1};
        struct gw_http_resp rs;
        struct edi_err err;

        assert_int_equal(gw_http_do(h, &rq, &rs, &err), EDI_ERR);
        gw_http_resp_free(&rs);
    }
    {
        struct gw_http_req rq = {.method = "GE T", .url = url};
        struct gw_http_resp rs;
        struct edi_err err;

        assert_int_equal(gw_http_do(h, &rq, &rs, &err), EDI_ERR);
        gw_http_resp_free(&rs);
    }
    gw_http_free(h);
}

struct qcase {
    const char *start, *name, *value, *want;
};

static const struct qcase qcases[] = {
    {"https://h/p", "a", "b", "https://h/p?a=b"},
    {"https://h/p?x=1", "a", "b", "https://h/p?x=1&a=b"},
    {"https://h/p?", "a", "b", "https://h/p?a=b"},
    {"https://h/p?x=1&", "a", "b", "https://h/p?x=1&a=b"},
    {"", "a", "b", "a=b"},
    {"grant_type=refresh_token", "client_id", "amzn1.app", "grant_type=refresh_token&client_id=amzn1.app"},
    {"https://h/p", "MarketplaceIds", "ATVPDKIKX0DER,A2EUQ1WTGCTBG2",
     "https://h/p?MarketplaceIds=ATVPDKIKX0DER%2CA2EUQ1WTGCTBG2"},
    {"", "unreserved", "AZaz09-._~", "unreserved=AZaz09-._~"},
    {"", "reserved", ":/?#[]@!$&'()*+,;=", "reserved=%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
    {"", "space and percent", "a b%c", "space%20and%20percent=a%20b%25c"},
    {"", "utf8", "\xc3\xa9", "utf8=%C3%A9"},
    {"", "refresh_token", "Atzr|IwEB", "refresh_token=Atzr%7CIwEB"},
    {"", "empty", "", "empty="},
    {"", "null", NULL, "null="},
    {"x=1", "created_after", "2025-01-01T00:00:00Z", "x=1&created_after=2025-01-01T00%3A00%3A00Z"},
};

static void test_query(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(qcases) / sizeof(qcases[0]); i++) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        edi_buf_puts(&b, qcases[i].start);
        gw_http_query(&b, qcases[i].name, qcases[i].value);
        if (strcmp(edi_buf_cstr(&b), qcases[i].want) != 0)
            fail_msg("%s + %s: '%s', want '%s'", qcases[i].start, qcases[i].name, edi_buf_cstr(&b),
                     qcases[i].want);
        edi_buf_dispose(&b);
    }
}

/* A query over the buffer's maximum: the buffer's sticky error. */
static void test_query_limit(void **state)
{
    struct edi_buf b;

    edi_buf_init(&b, 16);
    gw_http_query(&b, "name", "a value much too long for sixteen bytes");
    assert_int_equal(b.err, EDI_ELIMIT);
    edi_buf_dispose(&b);
}

struct racase {
    const char *value;   /* NULL: no header */
    long want;
};

/* now: Sun, 06 Nov 1994 08:49:37 GMT */
#define RA_NOW 784111777
static const struct racase racases[] = {
    {NULL, -1},
    {"", -1},
    {"0", 0},
    {"120", 120},
    {"99999999999999999999999", LONG_MAX},
    {"Sun, 06 Nov 1994 08:50:37 GMT", 60},
    {"Sun, 06 Nov 1994 08:49:37 GMT", 0},
    {"Sun, 06 Nov 1994 08:00:00 GMT", 0},   /* in the past: now */
    {"Sunday, 06-Nov-94 08:51:37 GMT", 120},
    {"Sun Nov  6 08:52:37 1994", 180},
    {"soon", -1},
    {"-5", -1},
};

static void test_retry_after(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(racases) / sizeof(racases[0]); i++) {
        struct gw_http_header hd[] = {{"retry-after", racases[i].value}};
        struct gw_http_resp rs = {.headers = hd, .nheaders = racases[i].value ? 1 : 0};
        long got = gw_http_retry_after(&rs, RA_NOW);

        if (got != racases[i].want)
            fail_msg("'%s': %ld, want %ld", racases[i].value ? racases[i].value : "(none)", got,
                     racases[i].want);
    }
}

/* One step of a bucket's life: at time t, take (want the wait) or set the rate. */
struct bstep {
    double t;
    char op;          /* 't' take, 'r' set rate */
    double arg;       /* the rate for 'r' */
    double want;      /* the wait for 't'; the burst after 'r' */
};

struct bcase {
    const char *name;
    double rate, burst;
    struct bstep steps[8];
    size_t nsteps;
};

static const struct bcase bcases[] = {
    {"a burst, then the rate", 2, 3,
     {{0, 't', 0, 0}, {0, 't', 0, 0}, {0, 't', 0, 0}, {0, 't', 0, 0.5}, {0.5, 't', 0, 0},
      {0.5, 't', 0, 0.5}}, 6},
    {"refill stops at the burst", 1, 2,
     {{0, 't', 0, 0}, {0, 't', 0, 0}, {100, 't', 0, 0}, {100, 't', 0, 0}, {100, 't', 0, 1}}, 5},
    {"a clock going back refills nothing", 1, 1,
     {{10, 't', 0, 0}, {5, 't', 0, 1}, {10.5, 't', 0, 0.5}}, 3},
    {"rate halves: burst halves", 10, 20,
     {{0, 'r', 5, 10}, {0, 't', 0, 0}}, 2},
    {"rate back up: burst never past its first value", 10, 20,
     {{0, 'r', 5, 10}, {0, 'r', 40, 20}}, 2},
    {"a rate of 0 or less is ignored", 10, 20,
     {{0, 'r', 0, 20}, {0, 'r', -1, 20}}, 2},
    {"a tiny rate keeps a burst of 1", 1, 5,
     {{0, 'r', 0.01, 1}, {0, 't', 0, 0}, {0, 't', 0, 100}}, 3},
    {"SP-API getOrders: 0.0167/s, burst 20", 0.0167, 20,
     {{0, 'r', 0.0167, 20}}, 1},
};

static void test_bucket(void **state)
{
    size_t i, k;

    for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
        const struct bcase *c = &bcases[i];
        struct gw_bucket b;
        double start = c->steps[0].t;

        gw_bucket_init(&b, c->rate, c->burst, start);
        for (k = 0; k < c->nsteps; k++) {
            const struct bstep *s = &c->steps[k];
            double got;

            if (s->op == 't') {
                got = gw_bucket_take(&b, s->t);
            } else {
                gw_bucket_set_rate(&b, s->arg);
                got = b.burst;
            }
            if (got < s->want - 1e-9 || got > s->want + 1e-9)
                fail_msg("%s, step %zu: %g, want %g", c->name, k + 1, got, s->want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_status_passthrough),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_ca_file_missing),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_no_answer_is_retryable),
        cmocka_unit_test(test_max_response),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_log_line),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_query_limit),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_bucket),
    };

    return cmocka_run_group_tests_name("http", tests, group_setup, group_teardown);
}
