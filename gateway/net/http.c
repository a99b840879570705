/*
 * http.c — the HTTP client of http.h on one libcurl easy handle per client
 * (its connection cache gives keep-alive). The only file that calls libcurl:
 * its errors become ours here (curl_rc), in words of our own, because
 * libcurl's error buffer can hold the URL and so the query.
 *
 * Not here: what a partner API means by its answers (the transports), the
 * token buckets' sleeping (the caller sleeps what gw_bucket_take says).
 */
#include "gateway/net/http.h"
#include "gateway/net/netlibs.h"
#include "gateway/core/version.h"
#include "edi/edi.h"

#include <curl/curl.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

/* LIMIT: response headers kept, by count and by bytes (libcurl itself caps
 * one header line at 100 KiB). */
#define MAX_HEADERS 200
#define MAX_HEADER_BYTES (256 * 1024)

struct gw_http {
    CURL *curl;
    struct gw_ctx *c;
    long connect_ms, total_ms, low_speed_s;
    size_t max_response;
    char *ca_file;
    char ua[192];
    char client[16], target[64];
};

/* What the callbacks fill during one request. */
struct sink {
    struct gw_http_resp *rs;
    size_t cap, max, header_bytes;
    int over_body, over_headers;
};

/* "host[:port]/path" of the request, for messages and the log: never the
 * query, the user info or the fragment. */
struct target {
    char where[512];
    int https;
};

/* The process's request counts (gw_http_counts). */
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gw_http_count counts[GW_HTTP_COUNTS_MAX];
static size_t ncounts;

static void count(const struct gw_http *h, int rc, long status)
{
    char outcome[8];
    const char *target = h->target;
    size_t i;

    if (rc < 0 || status < 100 || status > 599)
        snprintf(outcome, sizeof(outcome), "error");
    else
        snprintf(outcome, sizeof(outcome), "%ldxx", status / 100);
    pthread_mutex_lock(&counts_lock);
    for (;;) {
        for (i = 0; i < ncounts; i++)
            if (strcmp(counts[i].client, h->client) == 0 && strcmp(counts[i].target, target) == 0 &&
                strcmp(counts[i].outcome, outcome) == 0)
                break;
        if (i < ncounts || ncounts < GW_HTTP_COUNTS_MAX - 16 || strcmp(target, "other") == 0)
            break;
        target = "other";   /* full: the last rows are for "other" */
    }
    if (i == ncounts && ncounts < GW_HTTP_COUNTS_MAX) {
        snprintf(counts[i].client, sizeof(counts[i].client), "%s", h->client);
        snprintf(counts[i].target, sizeof(counts[i].target), "%s", target);
        snprintf(counts[i].outcome, sizeof(counts[i].outcome), "%s", outcome);
        ncounts++;
    }
    if (i < ncounts)
        counts[i].n++;
    pthread_mutex_unlock(&counts_lock);
}

size_t gw_http_counts(struct gw_http_count *out, size_t cap)
{
    size_t n;

    pthread_mutex_lock(&counts_lock);
    n = ncounts;
    memcpy(out, counts, (n < cap ? n : cap) * sizeof(*out));
    pthread_mutex_unlock(&counts_lock);
    return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_start(void)
{
    /* once a process, never cleaned up: libcurl may be in use until exit */
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int gw_http_new(struct gw_http **out, struct gw_ctx *c, const struct gw_http_opts *o,
                struct edi_err *err)
{
    static const struct gw_http_opts none;
    struct gw_http *h;
    struct utsname un;

    *out = NULL;
    if (o == NULL)
        o = &none;
    if (gw_net_load_curl(err) < 0)
        return EDI_ECONFIG;
    pthread_once(&curl_once, curl_start);
    if (curl_init_rc != CURLE_OK)
        return edi_fail(err, EDI_ERR, "libcurl did not start: %s", curl_easy_strerror(curl_init_rc));
    if (o->ca_file && access(o->ca_file, R_OK) != 0)
        return edi_fail(err, EDI_ECONFIG, "CA file %s cannot be read: %m", o->ca_file);
    h = edi_xcalloc(1, sizeof(*h));
    h->c = c;
    h->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    h->total_ms = o->timeout_ms > 0 ? o->timeout_ms : 60000;
    h->low_speed_s = o->low_speed_seconds > 0 ? o->low_speed_seconds : 30;
    h->max_response = o->max_response > 0 ? o->max_response : (size_t)16 << 20;
    h->ca_file = o->ca_file ? edi_xstrdup(o->ca_file) : NULL;
    snprintf(h->client, sizeof(h->client), "%s", o->client ? o->client : "other");
    snprintf(h->target, sizeof(h->target), "%s", o->target ? o->target : "");
    /* SPEC: SP-API "Include a User-Agent header in all requests":
     * AppName/Version (Language=LanguageName/Version; Platform=OS/Arch) */
    if (uname(&un) == 0)
        snprintf(h->ua, sizeof(h->ua), "wharf/%s (Language=C; Platform=%s/%s)", WHARF_VERSION,
                 un.sysname, un.machine);
    else
        snprintf(h->ua, sizeof(h->ua), "wharf/%s (Language=C)", WHARF_VERSION);
    if ((h->curl = curl_easy_init()) == NULL) {
        gw_http_free(h);
        return edi_fail(err, EDI_ERR, "libcurl did not start a handle");
    }
    *out = h;
    return 0;
}

void gw_http_free(struct gw_http *h)
{
    if (h == NULL)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    free(h->ca_file);
    free(h);
}

void gw_http_resp_free(struct gw_http_resp *rs)
{
    size_t i;

    if (rs == NULL)
        return;
    for (i = 0; i < rs->nheaders; i++) {
        free((char *)rs->headers[i].name);
        free((char *)rs->headers[i].value);
    }
    free(rs->headers);
    free(rs->body);
    memset(rs, 0, sizeof(*rs));
}

const char *gw_http_header(const struct gw_http_resp *rs, const char *name)
{
    size_t i;

    for (i = 0; i < rs->nheaders; i++)
        if (strcasecmp(rs->headers[i].name, name) == 0)
            return rs->headers[i].value;
    return NULL;
}

long gw_http_retry_after(const struct gw_http_resp *rs, time_t now)
{
    const char *v = gw_http_header(rs, "retry-after");
    const char *p;
    long n = 0;
    time_t when;

    if (v == NULL || *v == '\0')
        return -1;
    /* SPEC: RFC 9110 10.2.3 — Retry-After = HTTP-date / delay-seconds */
    for (p = v; *p >= '0' && *p <= '9'; p++)
        n = n > (LONG_MAX - 9) / 10 ? LONG_MAX : n * 10 + (*p - '0');
    if (*p == '\0')
        return n;
    if ((when = curl_getdate(v, NULL)) == -1)
        return -1;
    return when > now ? (long)(when - now) : 0;
}

/* SPEC: RFC 3986 2.3 — unreserved characters stay, everything else is %XX,
 * upper-case hex (what SigV4's canonical query expects) */
void gw_http_escape(struct edi_buf *b, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s;

    for (s = (const unsigned char *)(value ? value : ""); *s; s++) {
        if (isalnum(*s) || *s == '-' || *s == '.' || *s == '_' || *s == '~') {
            edi_buf_putc(b, (char)*s);
        } else {
            char e[3] = {'%', hex[*s >> 4], hex[*s & 15]};

            edi_buf_put(b, e, 3);
        }
    }
}

void gw_http_query(struct edi_buf *b, const char *name, const char *value)
{

    if (b->n > 0) {
        char last = b->p[b->n - 1];
        int url = memmem(b->p, b->n, "://", 3) != NULL;

        if (url && memchr(b->p, '?', b->n) == NULL)
            edi_buf_putc(b, '?');
        else if (last != '?' && last != '&')
            edi_buf_putc(b, '&');
    }
    gw_http_escape(b, name);
    edi_buf_putc(b, '=');
    gw_http_escape(b, value);
}

void gw_bucket_init(struct gw_bucket *b, double rate, double burst, double now)
{
    if (burst < 1)
        burst = 1;
    b->rate = rate;
    b->burst = burst;
    b->burst_max = burst;
    b->tokens = burst;
    b->last = now;
}

double gw_bucket_take(struct gw_bucket *b, double now)
{
    if (now > b->last) {
        b->tokens += (now - b->last) * b->rate;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last = now;   /* a clock that goes back refills nothing */
    }
    if (b->tokens >= 1) {
        b->tokens -= 1;
        return 0;
    }
    if (!(b->rate > 0))
        return 1;        /* no refill at all: ask again in a second */
    return (1 - b->tokens) / b->rate;
}

void gw_bucket_set_rate(struct gw_bucket *b, double rate)
{
    double burst;

    if (!(rate > 0) || !isfinite(rate) || rate == b->rate)
        return;
    /* the burst in proportion to the rate, as the API's tables pair them,
     * never over the burst the caller started with */
    burst = b->rate > 0 ? b->burst * rate / b->rate : b->burst_max;
    if (burst > b->burst_max)
        burst = b->burst_max;
    if (burst < 1)
        burst = 1;
    b->rate = rate;
    b->burst = burst;
    if (b->tokens > burst)
        b->tokens = burst;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    struct gw_http_resp *rs = s->rs;

    n *= size;
    /* LIMIT: max_response (MAXFILESIZE stops a declared length before this) */
    if (n > s->max - rs->nbody) {
        s->over_body = 1;
        return 0;
    }
    if (rs->nbody + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;

        while (cap < rs->nbody + n + 1)
            cap *= 2;
        if (cap > s->max + 1)
            cap = s->max + 1;
        rs->body = edi_xrealloc(rs->body, cap);
        s->cap = cap;
    }
    memcpy(rs->body + rs->nbody, p, n);
    rs->nbody += n;
    rs->body[rs->nbody] = '\0';
    return n;
}

static void drop_headers(struct gw_http_resp *rs)
{
    size_t i;

    for (i = 0; i < rs->nheaders; i++) {
        free((char *)rs->headers[i].name);
        free((char *)rs->headers[i].value);
    }
    free(rs->headers);
    rs->headers = NULL;
    rs->nheaders = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    struct gw_http_resp *rs = s->rs;
    size_t len = n * size, k, v;
    const char *colon;
    char *name;

    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* a new status line: what came before was an interim (1xx) answer */
        drop_headers(rs);
        s->header_bytes = 0;
        return len;
    }
    while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    /* the blank line, an obsolete folded line, or no colon: nothing to keep */
    if (len == 0 || p[0] == ' ' || p[0] == '\t' || (colon = memchr(p, ':', len)) == NULL)
        return n * size;
    if (rs->nheaders >= MAX_HEADERS || s->header_bytes + len > MAX_HEADER_BYTES) {
        s->over_headers = 1;
        return 0;
    }
    s->header_bytes += len;
    k = (size_t)(colon - p);
    name = edi_xstrndup(p, k);
    for (v = 0; v < k; v++)
        name[v] = (char)tolower((unsigned char)name[v]);
    v = k + 1;
    while (v < len && (p[v] == ' ' || p[v] == '\t'))
        v++;
    while (len > v && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    rs->headers = edi_xrealloc(rs->headers, (rs->nheaders + 1) * sizeof(*rs->headers));
    rs->headers[rs->nheaders].name = name;
    rs->headers[rs->nheaders].value = edi_xstrndup(p + v, len - v);
    rs->nheaders++;
    return n * size;
}

/* 1 when host (as curl_url gives it: IPv6 in brackets) is a loopback
 * address or "localhost", which libcurl resolves to loopback itself. */
static int loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    char inner[64];
    size_t n = strlen(host);

    if (strcasecmp(host, "localhost") == 0)
        return 1;
    if (n > 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(inner)) {
        memcpy(inner, host + 1, n - 2);
        inner[n - 2] = '\0';
        return inet_pton(AF_INET6, inner, &a6) == 1 && memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
    }
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* Parses rq->url into *u (which libcurl then uses as it is, so what was
 * checked is what is fetched) and says where it goes in t. */
static int parse_url(CURLU **u, struct target *t, const char *method, const char *url,
                     struct edi_err *err)
{
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    CURLUcode uc;
    int rc = 0;

    snprintf(t->where, sizeof(t->where), "(no URL)");
    if ((*u = curl_url()) == NULL)
        abort();   /* allocation failure, as edi_xmalloc */
    /* no scheme guessing: "api.example.com/x" is an error, not http:// */
    if (url == NULL || (uc = curl_url_set(*u, CURLUPART_URL, url, 0)) != CURLUE_OK)
        return edi_fail(err, EDI_ECONFIG, "%s: malformed URL (%s)", method,
                        url ? curl_url_strerror(uc) : "none given");
    if (curl_url_get(*u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(*u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(*u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        rc = edi_fail(err, EDI_ECONFIG, "%s: malformed URL (no scheme, host or path)", method);
        goto out;
    }
    if (curl_url_get(*u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        port = NULL;   /* the scheme's own */
    snprintf(t->where, sizeof(t->where), "%s%s%s%s", host, port ? ":" : "", port ? port : "", path);
    t->https = strcmp(scheme, "https") == 0;
    if (!t->https && strcmp(scheme, "http") != 0) {
        rc = edi_fail(err, EDI_ECONFIG, "%s %s: scheme %s is neither https nor http", method, t->where,
                      scheme);
        goto out;
    }
    if (!t->https && !loopback(host))
        rc = edi_fail(err, EDI_ECONFIG, "%s %s: plain http:// is refused to a host that is not "
                                        "loopback: use https://", method, t->where);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    return rc;
}

/* 1 when s is an HTTP token (RFC 9110 5.6.2): a method or a header name. */
static int token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && strchr("!#$%&'*+-.^_`|~", *s) == NULL)
            return 0;
    return 1;
}

static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value)
{
    struct curl_slist *n;
    struct edi_buf line;

    edi_buf_init(&line, 0);
    /* "Name;" is libcurl's way to send a header with an empty value;
     * "Name:" removes a header of its own */
    if (value == NULL)
        edi_buf_printf(&line, "%s:", name);
    else if (*value == '\0')
        edi_buf_printf(&line, "%s;", name);
    else
        edi_buf_printf(&line, "%s: %s", name, value);
    if ((n = curl_slist_append(l, edi_buf_cstr(&line))) == NULL)
        abort();
    edi_buf_dispose(&line);
    return n;
}

/* The request's headers, or EDI_ERR for one that would split the request
 * (a name that is not a token, a CR or LF in a value): a caller's bug. */
static int build_headers(struct curl_slist **out, const struct gw_http_req *rq, struct edi_err *err)
{
    struct curl_slist *l = NULL;
    size_t i;

    *out = NULL;
    for (i = 0; i < rq->nheaders; i++) {
        const struct gw_http_header *hd = &rq->headers[i];

        if (hd->name == NULL || !token(hd->name)) {
            curl_slist_free_all(l);
            return edi_fail(err, EDI_ERR, "request header %zu: the name is not an HTTP token", i + 1);
        }
        if (hd->value == NULL || strpbrk(hd->value, "\r\n") != NULL) {
            curl_slist_free_all(l);
            return edi_fail(err, EDI_ERR, "request header %s: no value, or a line break in it", hd->name);
        }
        l = add_header(l, hd->name, hd->value);
    }
    if (rq->content_type)
        l = add_header(l, "Content-Type", rq->content_type);
    else if (rq->body)
        l = add_header(l, "Content-Type", "application/json");
    else
        l = add_header(l, "Content-Type", NULL);   /* not libcurl's form type on a bare POST */
    /* no "Expect: 100-continue" round trip: API bodies are small */
    l = add_header(l, "Expect", NULL);
    *out = l;
    return 0;
}

/* What a failed transfer means for the caller. */
static int curl_rc(CURLcode cc, const struct sink *s)
{
    switch (cc) {
    case CURLE_OK:
        return 0;
    case CURLE_WRITE_ERROR:
        return s->over_body || s->over_headers ? EDI_ELIMIT : EDI_ERR;
    case CURLE_FILESIZE_EXCEEDED:
        return EDI_ELIMIT;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    /* the certificate or our TLS set-up: retrying changes nothing */
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
        return EDI_ECONFIG;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
    case CURLE_FAILED_INIT:
        return EDI_ERR;
    default:
        /* refused, reset, timed out, stalled, cut short (PARTIAL_FILE: a
         * body shorter than its Content-Length), nothing back, a name that
         * does not resolve now, a TLS handshake broken off (SSL_CONNECT_ERROR
         * is also a reset mid-handshake): the peer may answer later */
        return EDI_EAGAIN;
    }
}

/* The options of one request on a handle just reset; 0, or the first
 * option libcurl refused. */
static CURLcode set_options(struct gw_http *h, const struct gw_http_req *rq, CURLU *u,
                            struct curl_slist *headers, struct sink *s)
{
    CURL *e = h->curl;
    CURLcode cc = CURLE_OK;

#define SET(opt, val) \
    do { \
        if (cc == CURLE_OK) \
            cc = curl_easy_setopt(e, opt, val); \
    } while (0)
    SET(CURLOPT_CURLU, u);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);      /* a redirect is the caller's to read */
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    /* the bundle file is replaced, the system's CA folder (libcurl's
     * CAPATH, /etc/ssl/certs on Debian) stays: the system's CAs as well */
    if (h->ca_file)
        SET(CURLOPT_CAINFO, h->ca_file);
    SET(CURLOPT_NOSIGNAL, 1L);            /* threads; no SIGALRM for DNS timeouts */
    SET(CURLOPT_CONNECTTIMEOUT_MS, h->connect_ms);
    SET(CURLOPT_TIMEOUT_MS, h->total_ms);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, h->low_speed_s);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_response);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, s);
    SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);   /* a proxy's answer is not the response */
    SET(CURLOPT_USERAGENT, h->ua);
    SET(CURLOPT_HTTPHEADER, headers);
    if (strcmp(rq->method, "GET") == 0) {
        SET(CURLOPT_HTTPGET, 1L);
    } else if (strcmp(rq->method, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(rq->method, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, rq->method);
        /* never sent twice: libcurl sends a request again, unasked, when
         * a kept-alive connection dies before any answer came; for a
         * request that changes something that could be a second
         * acknowledgement (the peer may have taken the first and lost
         * only its answer). On a connection of its own it is sent once,
         * and a lost answer is the caller's to reconcile. */
        SET(CURLOPT_FRESH_CONNECT, 1L);
        /* a DELETE without a body sends none; POST, PUT and PATCH send
         * Content-Length: 0 at least */
        if (rq->body || strcmp(rq->method, "DELETE") != 0) {
            SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->nbody : 0));
            SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        }
    }
#undef SET
    return cc;
}

static void request_id(struct gw_http_resp *rs)
{
    static const char *const names[] = {"x-amzn-requestid", "x-request-id", "x-amz-request-id"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = gw_http_header(rs, names[i]);

        if (v && *v) {
            snprintf(rs->request_id, sizeof(rs->request_id), "%s", v);
            return;
        }
    }
}

int gw_http_do(struct gw_http *h, const struct gw_http_req *rq, struct gw_http_resp *rs,
               struct edi_err *err)
{
    struct target t;
    struct sink s;
    struct edi_err local;
    struct curl_slist *headers = NULL;
    CURLU *u = NULL;
    CURLcode cc;
    const char *method = rq->method ? rq->method : "(no method)";
    double secs = 0;
    int rc;

    if (err == NULL)
        err = &local;   /* the log line needs the message */
    memset(rs, 0, sizeof(*rs));
    memset(&s, 0, sizeof(s));
    s.rs = rs;
    s.max = h->max_response;
    if ((rc = parse_url(&u, &t, method, rq->url, err)) < 0)
        goto out;
    if (rq->method == NULL || !token(rq->method) || (strcmp(method, "GET") == 0 && rq->body)) {
        rc = edi_fail(err, EDI_ERR, "%s %s: not a method this client sends", method, t.where);
        goto out;
    }
    if ((rc = build_headers(&headers, rq, err)) < 0)
        goto out;
    curl_easy_reset(h->curl);   /* keeps the connection cache: keep-alive */
    if ((cc = set_options(h, rq, u, headers, &s)) != CURLE_OK) {
        rc = edi_fail(err, EDI_ERR, "%s %s: libcurl refused an option: %s", method, t.where,
                      curl_easy_strerror(cc));
        goto out;
    }
    cc = curl_easy_perform(h->curl);
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &rs->status);
    curl_easy_getinfo(h->curl, CURLINFO_TOTAL_TIME, &secs);
    rs->seconds = secs;
    request_id(rs);
    if ((rc = curl_rc(cc, &s)) < 0) {
        if (s.over_body || cc == CURLE_FILESIZE_EXCEEDED)
            edi_fail(err, rc, "%s %s: the response body is over %zu bytes", method, t.where,
                     h->max_response);
        else if (s.over_headers)
            edi_fail(err, rc, "%s %s: the response has over %d headers or %d bytes of them", method,
                     t.where, MAX_HEADERS, MAX_HEADER_BYTES);
        else if (rc == EDI_ECONFIG)
            edi_fail(err, rc, "%s %s: TLS: %s (the certificate, its name or its CA)", method,
                     t.where, curl_easy_strerror(cc));
        else
            /* curl_easy_strerror is a fixed text per code: it never holds
             * the URL, a header or a body, unlike the error buffer */
            edi_fail(err, rc, "%s %s: %s", method, t.where, curl_easy_strerror(cc));
        err->sys = (int)cc;
        /* no partial body: what is there is not what the peer meant */
        free(rs->body);
        rs->body = NULL;
        rs->nbody = 0;
        goto out;
    }
    if (rs->body == NULL)
        rs->body = edi_xcalloc(1, 1);
out:
    /* the handle must not keep a pointer to what is freed here */
    if (u && h->curl)
        curl_easy_setopt(h->curl, CURLOPT_CURLU, (CURLU *)NULL);
    curl_url_cleanup(u);
    curl_slist_free_all(headers);
    count(h, rc, rs->status);
    if (h->c && h->c->log) {
        if (rc == 0)
            gw_log(h->c, "info", "http %s %s %ld %.3fs request-id %s", method, t.where, rs->status,
                   rs->seconds, rs->request_id[0] ? rs->request_id : "-");
        else
            gw_log(h->c, "warn", "http %s (%.3fs, request-id %s)", err->msg, rs->seconds,
                   rs->request_id[0] ? rs->request_id : "-");
    }
    return rc;
}
