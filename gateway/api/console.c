/*
 * console.c — the web console's static files (console.h): the name rules,
 * the redirects and the file answer. What the console shows comes from the
 * API (api.c); the files themselves are in console/ of the checkout.
 */
#include "gateway/api/console.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
};

const char *gw_console_type(const char *name)
{
    const char *seg = name, *p, *dot;
    size_t i, n = strlen(name);

    if (n == 0 || n > 200)
        return NULL;
    for (p = name; *p; p++) {
        /* SPEC: issue 17 — never a path outside the folder: no '%' (an
         * encoded '.', '/' or NUL), no "..", no hidden file, no '\' */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '_' || *p == '-' || *p == '/'))
            return NULL;
        if (p == seg && (*p == '.' || *p == '/'))
            return NULL;   /* a segment that is empty or starts with a dot */
        if (*p == '/')
            seg = p + 1;
    }
    if (*seg == '\0' || (dot = strrchr(seg, '.')) == NULL)
        return NULL;
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static void redirect(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    (void)arg;
    (void)rq;
    rs->status = 302;
    rs->headers[rs->nheaders++] = (struct gw_http_header){"Location", GW_CONSOLE_PREFIX};
}

/* The bytes of name under dir into rs: 0, or an HTTP status with the
 * message in msg. */
static int read_under(struct gw_server_resp *rs, const char *dir, const char *name, char *msg, size_t cap)
{
    char root[PATH_MAX], path[PATH_MAX], real[PATH_MAX], buf[65536];
    struct stat st;
    size_t rl;
    ssize_t k;
    int fd, rc = 0;

    if (realpath(dir, root) == NULL) {
        snprintf(msg, cap, "the console's files are not installed (no folder %s)", dir);
        return 404;
    }
    rl = strlen(root);
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, name) >= sizeof(path) ||
        realpath(path, real) == NULL) {
        snprintf(msg, cap, "no console file %s", name);
        return 404;
    }
    /* a symbolic link may stay inside the folder, never lead out of it */
    if (strncmp(real, root, rl) != 0 || real[rl] != '/') {
        snprintf(msg, cap, "console file %s: not in the console folder", name);
        return 403;
    }
    if ((fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        snprintf(msg, cap, "console file %s: %s", name, strerror(errno));
        return errno == ENOENT ? 404 : 403;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > GW_CONSOLE_FILE_MAX) {
        snprintf(msg, cap, "console file %s: not a file of at most %u bytes", name, GW_CONSOLE_FILE_MAX);
        close(fd);
        return 404;
    }
    while ((k = read(fd, buf, sizeof(buf))) > 0 && rs->body.n + (size_t)k <= GW_CONSOLE_FILE_MAX)
        edi_buf_put(&rs->body, buf, (size_t)k);
    if (k != 0) {
        snprintf(msg, cap, "console file %s: could not be read", name);
        rc = 500;
    }
    close(fd);
    return rc;
}

static void serve_file(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    const char *dir = arg, *name = rq->rest[0] ? rq->rest : "index.html", *type;
    char msg[PATH_MAX + 100];
    int st;

    if (dir == NULL || dir[0] == '\0') {
        gw_server_error(rs, 404, "the console's files are not installed");
        return;
    }
    if ((type = gw_console_type(name)) == NULL) {
        gw_server_error(rs, 400, "not a console file name: letters, digits, '.', '_', '-' and '/', no '..', "
                                 "no percent-encoding, a known extension");
        return;
    }
    if ((st = read_under(rs, dir, name, msg, sizeof(msg))) != 0) {
        gw_server_error(rs, st, msg);
        return;
    }
    rs->status = 200;
    rs->content_type = type;
    rs->headers[rs->nheaders++] = (struct gw_http_header){"Cache-Control", "no-cache"};
    rs->headers[rs->nheaders++] = (struct gw_http_header){"Content-Security-Policy", GW_CONSOLE_CSP};
    rs->headers[rs->nheaders++] = (struct gw_http_header){"Referrer-Policy", "same-origin"};
}

void gw_console_route(struct gw_server *s, const char *dir)
{
    gw_server_route(s, "GET", "/", 0, redirect, NULL);
    gw_server_route(s, "GET", "/console", 0, redirect, NULL);
    gw_server_route(s, "GET", GW_CONSOLE_PREFIX, 0, serve_file, (void *)dir);
}
