/*
 * sftp.c — the SFTP client of sftp.h on one libcurl easy handle (libssh2
 * underneath); its connection cache keeps the SSH session between
 * operations. libcurl's errors become ours here (rc_of), in words that
 * name the host and what to fix.
 *
 * Time limits are ours, not libcurl's (watch): libcurl 7.88 leaks the
 * whole libssh2 session (~90 KB) each time its own CURLOPT_TIMEOUT or
 * CURLOPT_LOW_SPEED_* ends an SFTP operation on a server that stopped
 * answering. After such a timeout it disconnects: it runs its SSH state
 * machine to close the file, the SFTP channel and the session, and gives
 * up after one second ("Disconnect timed out") without reaching
 * libssh2_session_free, because every step waits for the silent server
 * (curl 8.13 frees it regardless). So the progress callback keeps the
 * clock: past a limit it shuts the connection's socket down, then aborts;
 * on a dead socket each step of that shutdown fails at once instead of
 * waiting, and the session is freed. tests/integration/sftp.sh stalls a
 * download behind tests/lib/cutproxy.py and checks with LeakSanitizer.
 *
 * Removing and renaming are libcurl "quote" commands run on a request
 * that transfers nothing (CURLOPT_NOBODY); the upload's rename is a
 * post-quote, run only after the whole file went. Not here: which files
 * to take, when to delete them (transport/sftp.c); the listing's parser
 * (sftp_parse.c).
 */
#include "gateway/net/sftp.h"
#include "gateway/net/netlibs.h"
#include "edi/edi.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* LIMIT: the bytes of one folder listing. */
#define MAX_LISTING (32u << 20)
/* LIMIT: sockets of one handle open at once (libcurl keeps one connection;
 * trying a name's addresses may open a second for a moment). */
#define MAX_SOCKETS 8

struct gw_sftp {
    CURL *curl;
    struct gw_ctx *c;
    char *host, *user, *key_file, *known_hosts;
    char our_key_type[64];     /* ours: gw_sftp_key_type's */
    int port;
    long connect_ms, total_ms, low_speed_s;
    size_t max_file;
    char where[400];       /* user@host:port, for messages and the log */
    char base[400];        /* sftp://host:port */
    /* what the host key check saw (on_host_key) */
    int key_seen;
    enum curl_khmatch key_match;
    char key_type[64], key_fp[64];
    char errbuf[CURL_ERROR_SIZE];
    /* the sockets libcurl opened and has not closed (on_socket, on_close) */
    curl_socket_t fds[MAX_SOCKETS];
    int nfd;
    /* the clock of the operation under way (watch) */
    long long started, last_move;
    curl_off_t moved;
    int connected;
    char cut[160];         /* why watch ended it; "" */
};

/* What the write callback fills. */
struct sink {
    struct edi_buf b;
    int over;
};

/* What the read callback sends. */
struct source {
    const char *p;
    size_t n, off;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_start(void)
{
    /* once a process, never cleaned up (http.c's is the same call: libcurl
     * counts them) */
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int gw_sftp_new(struct gw_sftp **out, struct gw_ctx *c, const struct gw_sftp_opts *o, struct edi_err *err)
{
    struct gw_sftp *s;
    int port = o->port > 0 ? o->port : 22;

    *out = NULL;
    if (o->host == NULL || *o->host == '\0' || o->user == NULL || *o->user == '\0')
        return edi_fail(err, EDI_ECONFIG, "sftp: no host or user");
    if (strpbrk(o->host, "/@[]?#% \t\r\n") != NULL)
        return edi_fail(err, EDI_ECONFIG, "sftp: host '%.100s' is not a host name or address", o->host);
    if (o->known_hosts == NULL || access(o->known_hosts, R_OK) != 0)
        return edi_fail(err, EDI_ECONFIG, "sftp %s: the known-hosts file %s cannot be read: put the server's "
                        "host key line there (ssh-keyscan -p %d %s, its fingerprint checked with the partner)",
                        o->host, o->known_hosts ? o->known_hosts : "(none given)", port, o->host);
    if (o->key_file == NULL || access(o->key_file, R_OK) != 0)
        return edi_fail(err, EDI_ECONFIG, "sftp %s: the private key file cannot be read", o->host);
    if (gw_net_load_curl(err) < 0)
        return EDI_ECONFIG;
    pthread_once(&curl_once, curl_start);
    if (curl_init_rc != CURLE_OK)
        return edi_fail(err, EDI_ERR, "libcurl did not start: %s", curl_easy_strerror(curl_init_rc));
    s = edi_xcalloc(1, sizeof(*s));
    s->c = c;
    s->host = edi_xstrdup(o->host);
    s->user = edi_xstrdup(o->user);
    s->key_file = edi_xstrdup(o->key_file);
    s->known_hosts = edi_xstrdup(o->known_hosts);
    snprintf(s->our_key_type, sizeof(s->our_key_type), "%s", o->key_type ? o->key_type : "");
    s->port = port;
    s->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 15000;
    s->total_ms = o->timeout_ms > 0 ? o->timeout_ms : 300000;
    s->low_speed_s = o->low_speed_seconds > 0 ? o->low_speed_seconds : 30;
    s->max_file = o->max_file > 0 ? o->max_file : (size_t)64 << 20;
    /* an IPv6 address goes in brackets in a URL */
    snprintf(s->base, sizeof(s->base), strchr(o->host, ':') ? "sftp://[%.300s]:%d" : "sftp://%.300s:%d", o->host,
             port);
    snprintf(s->where, sizeof(s->where), "%.80s@%.260s:%d", o->user, o->host, port);
    s->nfd = 0;
    if ((s->curl = curl_easy_init()) == NULL) {
        gw_sftp_free(s);
        return edi_fail(err, EDI_ERR, "libcurl did not start a handle");
    }
    *out = s;
    return 0;
}

void gw_sftp_free(struct gw_sftp *s)
{
    if (s == NULL)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    free(s->host);
    free(s->user);
    free(s->key_file);
    free(s->known_hosts);
    free(s);
}

/* ---- host keys ----------------------------------------------------------------------------- */

void gw_sftp_fingerprint(char *out, size_t cap, char *type, size_t tcap, const unsigned char *blob, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    int len;
    uint32_t tl;

    if (tcap > 0)
        type[0] = '\0';
    if (cap > 0)
        out[0] = '\0';
    /* SPEC: RFC 4253 6.6 — a public key blob starts with its type as an
     * SSH string */
    if (n >= 4) {
        tl = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 | blob[3];
        if (tl > 0 && tl <= n - 4 && tl < tcap) {
            memcpy(type, blob + 4, tl);
            type[tl] = '\0';
        }
    }
    if (EVP_Digest(blob, n, md, &mdlen, EVP_sha256(), NULL) != 1)
        return;
    len = EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    /* as OpenSSH prints it: no '=' padding */
    while (len > 0 && b64[len - 1] == '=')
        b64[--len] = '\0';
    snprintf(out, cap, "SHA256:%s", b64);
}

/* libcurl's known-hosts verdict, seen here: only a key known_hosts has for
 * this host passes; an unknown or a changed key is refused (never added
 * to the file: an operator checks it with the partner first). */
static int on_host_key(CURL *easy, const struct curl_khkey *known, const struct curl_khkey *found,
                       enum curl_khmatch match, void *arg)
{
    struct gw_sftp *s = arg;

    (void)easy;
    (void)known;
    s->key_seen = 1;
    s->key_match = match;
    s->key_type[0] = s->key_fp[0] = '\0';
    if (found && found->key && found->len > 0)
        gw_sftp_fingerprint(s->key_fp, sizeof(s->key_fp), s->key_type, sizeof(s->key_type),
                            (const unsigned char *)found->key, found->len);
    return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

/* ---- time limits (see the top) ---------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_socket(void *arg, curl_socket_t fd, curlsocktype purpose)
{
    struct gw_sftp *s = arg;

    (void)purpose;
    if (s->nfd < MAX_SOCKETS)
        s->fds[s->nfd++] = fd;
    return CURL_SOCKOPT_OK;
}

/* libcurl keeps this callback with the connection: it runs for a socket
 * opened under an earlier operation too. */
static int on_close(void *arg, curl_socket_t fd)
{
    struct gw_sftp *s = arg;
    int i;

    for (i = 0; i < s->nfd; i++)
        if (s->fds[i] == fd) {
            s->fds[i] = s->fds[--s->nfd];
            break;
        }
    return close(fd);
}

/* The progress callback, at least once a second while an operation runs:
 * no connection within connect_ms, the operation over total_ms, or no
 * byte moved for low_speed_s end it. The sockets are shut down (not
 * closed: libcurl closes them) before libcurl hears of it. */
static int watch(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    struct gw_sftp *s = arg;
    long long now = now_ms();
    curl_off_t app = 0;
    int i;

    (void)dltotal;
    (void)ultotal;
    if (!s->connected && curl_easy_getinfo(s->curl, CURLINFO_APPCONNECT_TIME_T, &app) == CURLE_OK && app > 0) {
        s->connected = 1;
        s->last_move = now;
    }
    if (dlnow + ulnow != s->moved) {
        s->moved = dlnow + ulnow;
        s->last_move = now;
    }
    if (!s->connected && now - s->started > s->connect_ms)
        snprintf(s->cut, sizeof(s->cut), "no SSH connection within %lds", s->connect_ms / 1000);
    else if (now - s->started > s->total_ms)
        snprintf(s->cut, sizeof(s->cut), "timed out after %lds", s->total_ms / 1000);
    else if (now - s->last_move > s->low_speed_s * 1000)
        snprintf(s->cut, sizeof(s->cut), "nothing moved for %lds", s->low_speed_s);
    else
        return 0;
    for (i = 0; i < s->nfd; i++)
        shutdown(s->fds[i], SHUT_RDWR);
    return 1;
}

/* ---- requests ------------------------------------------------------------------------------ */

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    struct sink *k = arg;

    n *= size;
    edi_buf_put(&k->b, p, n);
    if (k->b.err) {
        k->over = 1;
        return 0;
    }
    return n;
}

static size_t on_read(char *p, size_t size, size_t n, void *arg)
{
    struct source *r = arg;
    size_t left = r->n - r->off;

    n *= size;
    if (n > left)
        n = left;
    memcpy(p, r->p + r->off, n);
    r->off += n;
    return n;
}

/* The URL of dir/name (name NULL: the folder, with its '/'), every byte
 * but unreserved ones and '/' escaped. A path without a leading '/' is
 * from the login folder: libcurl's "/~/". */
static void url_of(struct edi_buf *u, const struct gw_sftp *s, const char *dir, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *parts[2] = {dir, name};
    int i;

    edi_buf_puts(u, s->base);
    if (dir[0] != '/')
        edi_buf_puts(u, "/~/");
    for (i = 0; i < 2; i++) {
        const unsigned char *p;

        if (i == 1 && name == NULL)
            break;
        if (i == 1 && (u->n == 0 || u->p[u->n - 1] != '/'))
            edi_buf_putc(u, '/');
        for (p = (const unsigned char *)parts[i]; *p; p++) {
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                strchr("-._~/", *p)) {
                edi_buf_putc(u, (char)*p);
            } else {
                char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};

                edi_buf_put(u, e, 3);
            }
        }
    }
    if (name == NULL && (u->n == 0 || u->p[u->n - 1] != '/'))
        edi_buf_putc(u, '/');
}

/* dir/name as a quote command's argument: in double quotes, '"' and '\'
 * escaped (libcurl's rule). */
static void quoted(struct edi_buf *q, const char *dir, const char *name)
{
    const char *parts[2] = {dir, name};
    int i;

    edi_buf_putc(q, '"');
    for (i = 0; i < 2; i++) {
        const char *p;

        if (i == 1 && q->n > 1 && q->p[q->n - 1] != '/')
            edi_buf_putc(q, '/');
        for (p = parts[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                edi_buf_putc(q, '\\');
            edi_buf_putc(q, *p);
        }
    }
    edi_buf_putc(q, '"');
}

static struct curl_slist *append(struct curl_slist *l, struct edi_buf *cmd)
{
    struct curl_slist *n = curl_slist_append(l, edi_buf_cstr(cmd));

    if (n == NULL)
        abort();   /* allocation failure, as edi_xmalloc */
    edi_buf_reset(cmd);
    return n;
}

/* 1 when a name may be part of a path as it is: no '/', no control
 * character, not "." or "..". */
static int plain_name(const char *name)
{
    const unsigned char *p;

    if (name == NULL || *name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/')
            return 0;
    return 1;
}

/* The options every operation shares, on a handle just reset. */
static CURLcode set_common(struct gw_sftp *s, const char *url)
{
    CURL *e = s->curl;
    CURLcode cc = CURLE_OK;

#define SET(opt, val) \
    do { \
        if (cc == CURLE_OK) \
            cc = curl_easy_setopt(e, opt, val); \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, "sftp");
    SET(CURLOPT_USERNAME, s->user);
    SET(CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
    SET(CURLOPT_SSH_PRIVATE_KEYFILE, s->key_file);
    /* "": libssh2 derives the public key from the private one */
    SET(CURLOPT_SSH_PUBLIC_KEYFILE, "");
    SET(CURLOPT_SSH_KNOWNHOSTS, s->known_hosts);
    SET(CURLOPT_SSH_KEYFUNCTION, on_host_key);
    SET(CURLOPT_SSH_KEYDATA, s);
    SET(CURLOPT_NOSIGNAL, 1L);
    /* the limits are watch's; libcurl's connect timeout only backs it up
     * (no CURLOPT_TIMEOUT, no CURLOPT_LOW_SPEED_*: see the top) */
    SET(CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms + 10000);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, watch);
    SET(CURLOPT_XFERINFODATA, s);
    SET(CURLOPT_SOCKOPTFUNCTION, on_socket);
    SET(CURLOPT_SOCKOPTDATA, s);
    SET(CURLOPT_CLOSESOCKETFUNCTION, on_close);
    SET(CURLOPT_CLOSESOCKETDATA, s);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    /* a folder that is not there is the operator's, never made here */
    SET(CURLOPT_FTP_CREATE_MISSING_DIRS, (long)CURLFTP_CREATE_DIR_NONE);
#undef SET
    s->errbuf[0] = '\0';
    s->key_seen = 0;
    s->cut[0] = '\0';
    s->started = s->last_move = now_ms();
    s->moved = 0;
    /* a connection kept from the last operation is made already */
    s->connected = s->nfd > 0;
    return cc;
}

/* What a failed operation means for the caller, and its message: what,
 * where, what to do. */
static int fail(struct gw_sftp *s, CURLcode cc, const char *op, const char *path, const struct sink *k,
                struct edi_err *err)
{
    int rc;

    switch (cc) {
    case CURLE_PEER_FAILED_VERIFICATION:
        if (s->key_seen && s->key_match == CURLKHMATCH_MISMATCH)
            rc = edi_fail(err, EDI_ECONFIG, "sftp %s: the host key (%s %s) does not match the known-hosts file "
                          "%s: refused; if the partner changed its key, check the new fingerprint with them "
                          "and replace the host's line there", s->where, s->key_type[0] ? s->key_type : "?",
                          s->key_fp, s->known_hosts);
        else
            rc = edi_fail(err, EDI_ECONFIG, "sftp %s: the host key (%s %s) is not in the known-hosts file %s: "
                          "refused; add the host's line (ssh-keyscan -p %d %s) once its fingerprint is checked "
                          "with the partner", s->where, s->key_type[0] ? s->key_type : "?", s->key_fp,
                          s->known_hosts, s->port, s->host);
        break;
    case CURLE_LOGIN_DENIED:
        /* libssh2 1.10 signs with an RSA key as ssh-rsa (SHA-1), which
         * OpenSSH 8.8 and later refuse unless told otherwise */
        rc = edi_fail(err, EDI_ECONFIG, "sftp %s: the key was refused (or could not be read): check the "
                      "sftp-private-key in the vault and that the server has its public key for user %s%s",
                      s->where, s->user, strcmp(s->our_key_type, "ssh-rsa") == 0 ?
                      "; an RSA key signs with ssh-rsa (SHA-1), which newer servers refuse: use ed25519" : "");
        break;
    case CURLE_REMOTE_FILE_NOT_FOUND:
        rc = edi_fail(err, EDI_ENOTFOUND, "sftp %s: %s %s: no such file or folder", s->where, op, path);
        break;
    case CURLE_REMOTE_ACCESS_DENIED:
        rc = edi_fail(err, EDI_ECONFIG, "sftp %s: %s %s: permission denied: the server does not let user %s "
                      "do that", s->where, op, path, s->user);
        break;
    case CURLE_QUOTE_ERROR:
        /* the server's status in libcurl's words ("rm command failed: No
         * such file or directory"): no key, no secret in it */
        rc = strstr(s->errbuf, "No such file") ? EDI_ENOTFOUND : EDI_EAGAIN;
        edi_fail(err, rc, "sftp %s: %s %s: %.120s", s->where, op, path, s->errbuf[0] ? s->errbuf : "refused");
        break;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (k && k->over) {
            rc = edi_fail(err, EDI_ELIMIT, "sftp %s: %s %s: over %zu bytes", s->where, op, path,
                          k->b.max);
            break;
        }
        /* fall through */
    default:
        if (s->cut[0]) {
            rc = edi_fail(err, EDI_EAGAIN, "sftp %s: %s %s: %s (tried again later)", s->where, op, path, s->cut);
            break;
        }
        if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
            rc = edi_fail(err, EDI_ECONFIG, "sftp: this libcurl has no SFTP");
            break;
        }
        if (cc == CURLE_OUT_OF_MEMORY || cc == CURLE_BAD_FUNCTION_ARGUMENT || cc == CURLE_UNKNOWN_OPTION ||
            cc == CURLE_FAILED_INIT) {
            rc = edi_fail(err, EDI_ERR, "sftp %s: %s %s: %s", s->where, op, path, curl_easy_strerror(cc));
            break;
        }
        /* refused, reset, timed out, cut short, the session broke: the
         * server may be back later */
        rc = edi_fail(err, EDI_EAGAIN, "sftp %s: %s %s: %s%s%.100s (tried again later)", s->where, op, path,
                      curl_easy_strerror(cc), s->errbuf[0] ? ": " : "", s->errbuf);
        break;
    }
    err->sys = (int)cc;
    return rc;
}

/* Runs the request set up on the handle; logs it. */
static int perform(struct gw_sftp *s, const char *op, const char *path, const struct sink *k, struct edi_err *err)
{
    CURLcode cc = curl_easy_perform(s->curl);
    double secs = 0;
    int rc = 0;

    curl_easy_getinfo(s->curl, CURLINFO_TOTAL_TIME, &secs);
    if (cc != CURLE_OK)
        rc = fail(s, cc, op, path, k, err);
    if (s->c && s->c->log) {
        if (rc == 0)
            gw_log(s->c, "info", "sftp %s %s %s %.3fs", op, s->where, path, secs);
        else
            gw_log(s->c, "warn", "%s (%.3fs)", err->msg, secs);
    }
    return rc;
}

int gw_sftp_list(struct gw_sftp_entry **out, size_t *n, struct gw_sftp *s, const char *dir, struct edi_err *err)
{
    struct edi_buf u;
    struct sink k;
    CURLcode cc;
    size_t skipped = 0;
    int rc;

    *out = NULL;
    *n = 0;
    edi_buf_init(&u, 0);
    memset(&k, 0, sizeof(k));
    edi_buf_init(&k.b, MAX_LISTING);
    url_of(&u, s, dir, NULL);
    curl_easy_reset(s->curl);
    if ((cc = set_common(s, edi_buf_cstr(&u))) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_data)) == CURLE_OK)
        cc = curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &k);
    if (cc != CURLE_OK)
        rc = fail(s, cc, "list", dir, NULL, err);
    else
        rc = perform(s, "list", dir, &k, err);
    if (rc == EDI_ENOTFOUND)
        rc = edi_fail(err, EDI_ECONFIG, "sftp %s: folder %s is not there: check the transport's folders in "
                      "wharf.xml", s->where, dir);
    if (rc == 0 && (rc = gw_sftp_parse_listing(out, n, &skipped, k.b.p ? k.b.p : "", k.b.n, err)) == 0 &&
        skipped > 2 && s->c)
        /* "." and ".." are two of them */
        gw_log(s->c, "warn", "sftp %s: %zu lines of the listing of %s are not entries wharf reads", s->where,
               skipped - 2, dir);
    edi_buf_dispose(&u);
    edi_buf_dispose(&k.b);
    return rc;
}

int gw_sftp_get(char **data, size_t *n, time_t *mtime, struct gw_sftp *s, const char *dir, const char *name,
                struct edi_err *err)
{
    struct edi_buf u;
    struct sink k;
    curl_off_t len = -1, ft = -1;
    CURLcode cc;
    char path[600];
    int rc;

    *data = NULL;
    *n = 0;
    *mtime = 0;
    if (!plain_name(name))
        return edi_fail(err, EDI_ERR, "sftp: not a file name: %.100s", name ? name : "(none)");
    snprintf(path, sizeof(path), "%.300s/%.290s", dir, name);
    edi_buf_init(&u, 0);
    memset(&k, 0, sizeof(k));
    edi_buf_init(&k.b, s->max_file);
    url_of(&u, s, dir, name);
    curl_easy_reset(s->curl);
    if ((cc = set_common(s, edi_buf_cstr(&u))) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_data)) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &k)) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max_file)) == CURLE_OK)
        cc = curl_easy_setopt(s->curl, CURLOPT_FILETIME, 1L);
    if (cc != CURLE_OK)
        rc = fail(s, cc, "get", path, NULL, err);
    else
        rc = perform(s, "get", path, &k, err);
    if (rc == 0) {
        curl_easy_getinfo(s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
        curl_easy_getinfo(s->curl, CURLINFO_FILETIME_T, &ft);
        /* the size the server gave before the transfer, and what came: a
         * file cut short is never returned as if whole */
        if (len >= 0 && (uint64_t)len != (uint64_t)k.b.n)
            rc = edi_fail(err, EDI_EAGAIN, "sftp %s: get %s: %zu of %lld bytes came (tried again later)",
                          s->where, path, k.b.n, (long long)len);
    }
    if (rc == 0) {
        edi_buf_cstr(&k.b);
        *data = k.b.p ? k.b.p : edi_xcalloc(1, 1);
        *n = k.b.n;
        *mtime = ft > 0 ? (time_t)ft : 0;
        k.b.p = NULL;
    }
    edi_buf_dispose(&u);
    edi_buf_dispose(&k.b);
    return rc;
}

int gw_sftp_part_name(char *out, size_t cap, const char *name)
{
    return edi_fmt(out, cap, NULL, ".%s.part", name);
}

int gw_sftp_put(struct gw_sftp *s, const char *dir, const char *name, const void *bytes, size_t n,
                struct edi_err *err)
{
    struct edi_buf u, cmd;
    struct curl_slist *post = NULL;
    struct source src;
    char part[300], path[600];
    CURLcode cc;
    int rc;

    if (!plain_name(name) || gw_sftp_part_name(part, sizeof(part), name) < 0)
        return edi_fail(err, EDI_ERR, "sftp: not a file name: %.100s", name ? name : "(none)");
    snprintf(path, sizeof(path), "%.300s/%.290s", dir, name);
    edi_buf_init(&u, 0);
    edi_buf_init(&cmd, 0);
    url_of(&u, s, dir, part);
    /* after the whole file went: what a NAME there is (the same message,
     * sent before its sending was recorded) goes, then the rename; the
     * '*' lets the first fail when there is none */
    edi_buf_puts(&cmd, "*rm ");
    quoted(&cmd, dir, name);
    post = append(post, &cmd);
    edi_buf_puts(&cmd, "rename ");
    quoted(&cmd, dir, part);
    edi_buf_putc(&cmd, ' ');
    quoted(&cmd, dir, name);
    post = append(post, &cmd);
    memset(&src, 0, sizeof(src));
    src.p = bytes;
    src.n = n;
    curl_easy_reset(s->curl);
    if ((cc = set_common(s, edi_buf_cstr(&u))) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L)) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, on_read)) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_READDATA, &src)) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)n)) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_NEW_FILE_PERMS, 0640L)) == CURLE_OK)
        cc = curl_easy_setopt(s->curl, CURLOPT_POSTQUOTE, post);
    if (cc != CURLE_OK)
        rc = fail(s, cc, "put", path, NULL, err);
    else
        rc = perform(s, "put", path, NULL, err);
    /* "no such file" here is the folder (or the part, gone meanwhile) */
    if (rc == EDI_ENOTFOUND)
        rc = edi_fail(err, EDI_ECONFIG, "sftp %s: put %s: folder %s is not there: check the transport's "
                      "folders in wharf.xml", s->where, path, dir);
    curl_easy_setopt(s->curl, CURLOPT_POSTQUOTE, (struct curl_slist *)NULL);
    curl_slist_free_all(post);
    edi_buf_dispose(&u);
    edi_buf_dispose(&cmd);
    return rc;
}

/* One quote command on a request that transfers nothing. */
static int command(struct gw_sftp *s, const char *op, const char *path, const char *dir, struct curl_slist *cmds,
                   struct edi_err *err)
{
    struct edi_buf u;
    CURLcode cc;
    int rc;

    edi_buf_init(&u, 0);
    url_of(&u, s, dir, NULL);
    curl_easy_reset(s->curl);
    if ((cc = set_common(s, edi_buf_cstr(&u))) == CURLE_OK &&
        (cc = curl_easy_setopt(s->curl, CURLOPT_NOBODY, 1L)) == CURLE_OK)
        cc = curl_easy_setopt(s->curl, CURLOPT_QUOTE, cmds);
    if (cc != CURLE_OK)
        rc = fail(s, cc, op, path, NULL, err);
    else
        rc = perform(s, op, path, NULL, err);
    curl_easy_setopt(s->curl, CURLOPT_QUOTE, (struct curl_slist *)NULL);
    edi_buf_dispose(&u);
    return rc;
}

int gw_sftp_remove(struct gw_sftp *s, const char *dir, const char *name, struct edi_err *err)
{
    struct edi_buf cmd;
    struct curl_slist *l = NULL;
    char path[600];
    int rc;

    if (!plain_name(name))
        return edi_fail(err, EDI_ERR, "sftp: not a file name: %.100s", name ? name : "(none)");
    snprintf(path, sizeof(path), "%.300s/%.290s", dir, name);
    edi_buf_init(&cmd, 0);
    edi_buf_puts(&cmd, "rm ");
    quoted(&cmd, dir, name);
    l = append(l, &cmd);
    rc = command(s, "rm", path, dir, l, err);
    curl_slist_free_all(l);
    edi_buf_dispose(&cmd);
    return rc;
}

int gw_sftp_rename(struct gw_sftp *s, const char *dir, const char *name, const char *to_dir, const char *to_name,
                   struct edi_err *err)
{
    struct edi_buf cmd;
    struct curl_slist *l = NULL;
    char path[600];
    int rc;

    if (!plain_name(name) || !plain_name(to_name))
        return edi_fail(err, EDI_ERR, "sftp: not a file name: %.100s", plain_name(name) ? to_name : name);
    snprintf(path, sizeof(path), "%.300s/%.290s", dir, name);
    edi_buf_init(&cmd, 0);
    edi_buf_puts(&cmd, "rename ");
    quoted(&cmd, dir, name);
    edi_buf_putc(&cmd, ' ');
    quoted(&cmd, to_dir, to_name);
    l = append(l, &cmd);
    rc = command(s, "rename", path, dir, l, err);
    curl_slist_free_all(l);
    edi_buf_dispose(&cmd);
    return rc;
}
