/*
 * test_server.c — wharf's HTTP server (net/server.c) against wharf's own
 * client (net/http.c) on loopback: plain and TLS (a throwaway CA and a
 * certificate for 127.0.0.1 made with the openssl command at run time),
 * routes by method and prefix, what a handler sees (the path as sent, the
 * rest after the prefix, the query, headers, body, peer), 404 and 405 as
 * JSON, the body limit (413), the log line (no query, no body, no header
 * value, a hidden rest, an unrouted path cut), the port the kernel picks,
 * a taken port, bad options; then the listen address parser.
 */
#include "testutil.h"
#include "gateway/net/http.h"
#include "gateway/net/server.h"

#include <unistd.h>

#define MAX_BODY 1024

struct fx {
    char dir[64], ca[128], cert[128], key[128];
    struct gw_server *plain, *tls;
    FILE *log;
};

static struct fx F;

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

/* METHOD|path|rest|query|body|peer|x-test as text/plain. */
static void echo(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    const char *xt = "-";
    size_t i;

    for (i = 0; i < rq->nheaders; i++)
        if (strcasecmp(rq->headers[i].name, "X-Test") == 0)
            xt = rq->headers[i].value;
    rs->status = arg ? 201 : 200;
    rs->content_type = "text/plain";
    rs->headers[rs->nheaders++] = (struct gw_http_header){"X-Echo", "yes"};
    edi_buf_printf(&rs->body, "%s|%s|%s|%s|%.*s|%s|%s", rq->method, rq->path, rq->rest, rq->query, (int)rq->nbody,
                   rq->body, rq->peer, xt);
}

static void hidden(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    rs->hide_rest = 1;
    gw_server_error(rs, 404, "not found");
}

/* A handler's own Cache-Control (the console's files: no-cache). */
static void cached(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    rs->content_type = "text/plain";
    rs->headers[rs->nheaders++] = (struct gw_http_header){"Cache-Control", "no-cache"};
    edi_buf_puts(&rs->body, "cached");
}

static void routes(struct gw_server *s)
{
    gw_server_route(s, "GET", "/", 0, echo, (void *)1);   /* the root only */
    gw_server_route(s, "GET", "/cached", 0, cached, NULL);
    gw_server_route(s, "GET", "/echo/", 0, echo, NULL);
    gw_server_route(s, "POST", "/echo/", 0, echo, NULL);
    gw_server_route(s, "GET", "/healthz", 0, echo, (void *)1);
    gw_server_route(s, "POST", "/secret/", 1, hidden, NULL);
    gw_server_route(s, "POST", "/echo/deeper/", 0, echo, (void *)1);   /* no GET here: 405 */
}

static struct gw_server *start(const char *listen, int tls, FILE *log)
{
    struct gw_server_opts o = {0};
    struct gw_server *s = NULL;
    struct edi_err err;

    o.listen = listen;
    o.tls_cert = tls ? F.cert : NULL;
    o.tls_key = tls ? F.key : NULL;
    o.max_body = MAX_BODY;
    o.threads = 2;
    o.log = log;
    edi_err_clear(&err);
    if (gw_server_new(&s, &o, &err) < 0)
        fail_msg("%s", err.msg);
    routes(s);
    if (gw_server_start(s, &err) < 0)
        fail_msg("%s", err.msg);
    return s;
}

static int group_setup(void **state)
{
    setenv("no_proxy", "127.0.0.1,localhost,::1", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost,::1", 1);
    snprintf(F.dir, sizeof(F.dir), "/tmp/wharf-server-XXXXXX");
    if (mkdtemp(F.dir) == NULL)
        return -1;
    snprintf(F.ca, sizeof(F.ca), "%s/ca.pem", F.dir);
    snprintf(F.cert, sizeof(F.cert), "%s/srv.pem", F.dir);
    snprintf(F.key, sizeof(F.key), "%s/srv.key", F.dir);
    tu_put(F.dir, "ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                         "extendedKeyUsage=serverAuth\n");
    if (sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
           "-keyout ca.key -out ca.pem -days 2 -subj /CN=wharf-test-ca "
           "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign >/dev/null 2>&1 && "
           "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr "
           "-subj /CN=127.0.0.1 >/dev/null 2>&1 && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
           "-CAcreateserial -days 2 -extfile ext -out srv.pem >/dev/null 2>&1", F.dir) < 0)
        return -1;
    if ((F.log = tmpfile()) == NULL)
        return -1;
    F.plain = start("127.0.0.1:0", 0, F.log);
    F.tls = start("localhost:0", 1, F.log);
    return 0;
}

static int group_teardown(void **state)
{
    gw_server_free(F.plain);
    gw_server_free(F.tls);
    if (F.log)
        fclose(F.log);
    if (F.dir[0])
        sh("rm -rf '%s'", F.dir);
    return 0;
}

/* One request with wharf's client; the response's status, body in rs. */
static int call(struct gw_http_resp *rs, int tls, const char *method, const char *path, const char *body, size_t n,
                const char *ca)
{
    struct gw_http_opts o = {0};
    struct gw_http *h = NULL;
    struct gw_http_header hd[] = {{"X-Test", "header-value-7"}};
    struct gw_http_req rq = {0};
    struct edi_err err;
    char url[256];
    int rc;

    o.ca_file = ca;
    o.timeout_ms = 10000;
    edi_err_clear(&err);
    if (gw_http_new(&h, NULL, &o, &err) < 0)
        fail_msg("%s", err.msg);
    snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s", tls ? "https" : "http",
             gw_server_port(tls ? F.tls : F.plain), path);
    rq.method = method;
    rq.url = url;
    rq.headers = hd;
    rq.nheaders = 1;
    rq.body = body;
    rq.nbody = n;
    rq.content_type = body ? "text/plain" : NULL;
    rc = gw_http_do(h, &rq, rs, &err);
    gw_http_free(h);
    return rc;
}

struct rcase {
    const char *name;
    int tls;
    const char *method, *path, *body;
    long status;
    const char *want;       /* the body, or a part of it */
    const char *header;     /* a response header that must be there, "name: value" */
};

static const struct rcase rcases[] = {
    {"GET under a prefix, the path as sent", 0, "GET", "/echo/a%2Fb?x=1&y=%20", NULL, 200,
     "GET|/echo/a%2Fb|a%2Fb|x=1&y=%20||127.0.0.1|header-value-7", "x-echo: yes"},
    {"POST with a body, over TLS", 1, "POST", "/echo/p", "hello", 200, "POST|/echo/p|p||hello|127.0.0.1|", NULL},
    {"the longest prefix wins", 0, "POST", "/echo/deeper/x", "b", 201, "POST|/echo/deeper/x|x||b|", NULL},
    {"an exact route", 1, "GET", "/healthz", NULL, 201, "GET|/healthz|||", NULL},
    {"an exact route is no prefix", 0, "GET", "/healthz/more", NULL, 404, "{\"error\":\"not found\"}", NULL},
    {"the prefix without its slash", 0, "GET", "/echo", NULL, 404, "{\"error\":\"not found\"}", NULL},
    {"the root is a route of its own", 0, "GET", "/", NULL, 201, "GET|/||", NULL},
    {"a route of / is no prefix of every path", 0, "GET", "/nothing/else", NULL, 404, "not found", NULL},
    {"no-store unless the handler says", 0, "GET", "/healthz", NULL, 201, "GET", "cache-control: no-store"},
    {"a handler's own Cache-Control replaces it", 0, "GET", "/cached", NULL, 200, "cached",
     "cache-control: no-cache"},
    {"an unknown path: 404 JSON", 1, "GET", "/nothing", NULL, 404, "{\"error\":\"not found\"}",
     "content-type: application/json"},
    {"another method: 405 with Allow", 0, "PUT", "/echo/x", "z", 405, "{\"error\":\"method not allowed\"}",
     "allow: GET, POST"},
    {"a longer prefix of another method: 405", 0, "GET", "/echo/deeper/x", NULL, 405, "method not allowed",
     "allow: POST"},
    {"a body at the limit", 0, "POST", "/echo/max", "@max", 200, "POST|/echo/max|max|", NULL},
    {"a body one byte over: 413", 0, "POST", "/echo/over", "@over", 413, "{\"error\":\"the request body is too large\"}",
     NULL},
    {"a body far over, over TLS: 413", 1, "POST", "/echo/over", "@far", 413, "too large", NULL},
};

static void test_requests(void **state)
{
    static char big[64 * MAX_BODY];
    size_t i;

    memset(big, 'b', sizeof(big));
    for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
        const struct rcase *t = &rcases[i];
        struct gw_http_resp rs;
        const char *body = t->body;
        size_t n = body ? strlen(body) : 0;
        int rc;

        if (body && strcmp(body, "@max") == 0)
            body = big, n = MAX_BODY;
        else if (body && strcmp(body, "@over") == 0)
            body = big, n = MAX_BODY + 1;
        else if (body && strcmp(body, "@far") == 0)
            body = big, n = sizeof(big);
        rc = call(&rs, t->tls, t->method, t->path, body, n, F.ca);
        if (rc != 0)
            fail_msg("%s: the request failed (%d)", t->name, rc);
        if (rs.status != t->status)
            fail_msg("%s: status %ld, want %ld (%s)", t->name, rs.status, t->status, rs.body);
        if (strstr(rs.body, t->want) == NULL)
            fail_msg("%s: body '%s' lacks '%s'", t->name, rs.body, t->want);
        if (t->header) {
            char name[64];
            const char *v;

            snprintf(name, sizeof(name), "%.*s", (int)strcspn(t->header, ":"), t->header);
            v = gw_http_header(&rs, name);
            if (v == NULL || strcmp(v, t->header + strlen(name) + 2) != 0)
                fail_msg("%s: header %s is '%s'", t->name, name, v ? v : "(none)");
        }
        gw_http_resp_free(&rs);
    }
}

static void test_tls_needs_the_ca(void **state)
{
    struct gw_http_resp rs;

    assert_int_equal(call(&rs, 1, "GET", "/healthz", NULL, 0, NULL), EDI_ECONFIG);
    gw_http_resp_free(&rs);
}

/* The log: one line a request, method, path, status, seconds, peer; never
 * the query, a body or a header value; a hidden rest and an unrouted path cut. */
static void test_log_line(void **state)
{
    struct gw_server *s;
    struct gw_http_resp rs;
    FILE *log = tmpfile();
    char text[8192];
    size_t n;
    unsigned port;

    assert_non_null(log);
    s = start("127.0.0.1:0", 0, log);
    port = gw_server_port(s);
    {
        struct gw_server *keep = F.plain;

        F.plain = s;
        assert_int_equal(call(&rs, 0, "POST", "/echo/p?token=QUERYSECRET", "BODYSECRET", 10, NULL), 0);
        gw_http_resp_free(&rs);
        assert_int_equal(call(&rs, 0, "POST", "/secret/PATHSECRET", "x", 1, NULL), 0);
        gw_http_resp_free(&rs);
        assert_int_equal(call(&rs, 0, "GET", "/a/b/PATHSECRET2/d", NULL, 0, NULL), 0);
        gw_http_resp_free(&rs);
        F.plain = keep;
    }
    gw_server_free(s);   /* waits for the last line */
    rewind(log);
    n = fread(text, 1, sizeof(text) - 1, log);
    text[n] = '\0';
    fclose(log);
    assert_true(port > 0);
    if (strstr(text, "http-in POST /echo/p 200 ") == NULL || strstr(text, "from 127.0.0.1") == NULL)
        fail_msg("no line for the echo: %s", text);
    if (strstr(text, "http-in POST /secret/… 404 ") == NULL)
        fail_msg("the hidden route: %s", text);
    if (strstr(text, "http-in GET /a/b/… 404 ") == NULL)
        fail_msg("the unrouted path: %s", text);
    if (strstr(text, "SECRET") || strstr(text, "header-value-7"))
        fail_msg("the log shows a query, a body, a path it should hide or a header value: %s", text);
}

static void test_port_taken(void **state)
{
    struct gw_server_opts o = {0};
    struct gw_server *s = NULL;
    struct edi_err err;
    char listen[32];

    snprintf(listen, sizeof(listen), "127.0.0.1:%u", gw_server_port(F.plain));
    o.listen = listen;
    edi_err_clear(&err);
    assert_int_equal(gw_server_new(&s, &o, &err), 0);
    assert_int_equal(gw_server_start(s, &err), EDI_ECONFIG);
    assert_non_null(strstr(err.msg, listen));
    gw_server_free(s);
}

static void test_bad_options(void **state)
{
    static const struct {
        const char *listen, *cert, *key, *want;
    } cases[] = {
        {"127.0.0.1", NULL, NULL, "HOST:PORT"},
        {"127.0.0.1:0", "@cert", NULL, "needs its key"},
        {"127.0.0.1:0", "/nonexistent/cert.pem", "/nonexistent/key.pem", "/nonexistent/cert.pem cannot be read"},
        {"127.0.0.1:0", "@ext", "@key", "is not PEM"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_server_opts o = {0};
        struct gw_server *s = NULL;
        struct edi_err err;
        char ext[160];

        snprintf(ext, sizeof(ext), "%s/ext", F.dir);
        o.listen = cases[i].listen;
        o.tls_cert = cases[i].cert && strcmp(cases[i].cert, "@cert") == 0 ? F.cert
                     : cases[i].cert && strcmp(cases[i].cert, "@ext") == 0 ? ext
                                                                           : cases[i].cert;
        o.tls_key = cases[i].key && strcmp(cases[i].key, "@key") == 0 ? F.key : cases[i].key;
        edi_err_clear(&err);
        assert_int_equal(gw_server_new(&s, &o, &err), EDI_ECONFIG);
        assert_null(s);
        if (strstr(err.msg, cases[i].want) == NULL)
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
    }
}

static void test_listen_parse(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *host;
        unsigned port;
        int v6, loopback;
    } cases[] = {
        {"127.0.0.1:8080", 0, "127.0.0.1", 8080, 0, 1},
        {"127.1.2.3:0", 0, "127.1.2.3", 0, 0, 1},
        {"localhost:443", 0, "127.0.0.1", 443, 0, 1},
        {"[::1]:65535", 0, "::1", 65535, 1, 1},
        {"0.0.0.0:8443", 0, "0.0.0.0", 8443, 0, 0},
        {"[::]:80", 0, "::", 80, 1, 0},
        {"192.0.2.7:80", 0, "192.0.2.7", 80, 0, 0},
        {"127.0.0.1:65536", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"127.0.0.1:99999999999999999999", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"127.0.0.1:", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"127.0.0.1:8o", EDI_ESYNTAX, NULL, 0, 0, 0},
        {":8080", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"example.com:80", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"::1:80", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"[127.0.0.1]:80", EDI_ESYNTAX, NULL, 0, 0, 0},
        {"", EDI_ESYNTAX, NULL, 0, 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_listen l;
        struct edi_err err;
        int rc;

        edi_err_clear(&err);
        rc = gw_listen_parse(&l, cases[i].text, &err);
        if (rc != cases[i].rc)
            fail_msg("'%s': %d (%s), want %d", cases[i].text, rc, err.msg, cases[i].rc);
        if (rc == 0 && (strcmp(l.host, cases[i].host) != 0 || l.port != cases[i].port || l.v6 != cases[i].v6 ||
                        l.loopback != cases[i].loopback))
            fail_msg("'%s': %s %u v6=%d loopback=%d", cases[i].text, l.host, l.port, l.v6, l.loopback);
        if (rc < 0 && strstr(err.msg, cases[i].text[0] ? cases[i].text : "no address") == NULL)
            fail_msg("'%s': the message does not name it: %s", cases[i].text, err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_tls_needs_the_ca),
        cmocka_unit_test(test_log_line),
        cmocka_unit_test(test_port_taken),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_listen_parse),
    };

    return cmocka_run_group_tests_name("server", tests, group_setup, group_teardown);
}
