/*
 * util.c — the shared plumbing of edi.h: errors, allocation wrappers, the
 * bounded output buffer, slices and checked converters. No format
 * knowledge lives here.
 */
#include "edi/edi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>

int edi_fail(struct edi_err *err, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

int edi_fmt(char *buf, size_t cap, struct edi_err *err, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    if (cap == 0)
        return edi_fail(err, EDI_ELIMIT, "no room to format into");
    va_start(ap, fmt);
    n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < cap)
        return 0;
    /* LIMIT: the buffer's size; the start of what did not fit names it */
    rc = edi_fail(err, EDI_ELIMIT, "too long (%d bytes, at most %zu): %.80s...", n, cap - 1,
                  n < 0 ? "" : buf);
    buf[0] = '\0';
    return rc;
}

int edi_iso_date_ok(const char *s, size_t n)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned v[3] = {0, 0, 0};
    size_t i, k = 0;
    int leap;

    if (s == NULL || n != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            k++;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v[k] = v[k] * 10 + (unsigned)(s[i] - '0');
    }
    if (v[0] == 0 || v[1] < 1 || v[1] > 12 || v[2] < 1)
        return 0;
    leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
    return v[2] <= mdays[v[1] - 1] + (unsigned)(v[1] == 2 && leap);
}

void edi_err_clear(struct edi_err *err)
{
    if (err != NULL)
        memset(err, 0, sizeof(*err));
}

const char *edi_rc_name(int rc)
{
    switch (rc) {
    case EDI_DONE: return "done";
    case EDI_OK: return "ok";
    case EDI_ERR: return "internal error";
    case EDI_ESYNTAX: return "syntax error";
    case EDI_ELIMIT: return "limit exceeded";
    case EDI_ENOTFOUND: return "not found";
    case EDI_EAGAIN: return "temporary failure";
    case EDI_ECONFIG: return "configuration error";
    case EDI_EMORE: return "more input needed";
    case EDI_EIO: return "I/O error";
    default: return "unknown error";
    }
}

void edi_limits_default(struct edi_limits *lim)
{
    lim->max_segment = 1u << 20;
    lim->max_elements = 4096;
    lim->max_tx_bytes = 32u << 20;
    lim->max_tx_segments = 1000000;
    lim->max_findings = 1000;
}

static void oom(void)
{
    fputs("wharf: out of memory\n", stderr);
    abort();
}

void *edi_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom();
    return p;
}

void *edi_xcalloc(size_t nmemb, size_t n)
{
    void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);

    if (p == NULL)
        oom();
    return p;
}

void *edi_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom();
    return q;
}

char *edi_xstrdup(const char *s)
{
    return edi_xstrndup(s, strlen(s));
}

char *edi_xstrndup(const char *s, size_t n)
{
    char *p = edi_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void edi_buf_init(struct edi_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void edi_buf_dispose(struct edi_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void edi_buf_reset(struct edi_buf *b)
{
    b->n = 0;
    b->err = 0;
}

static int buf_grow(struct edi_buf *b, size_t extra)
{
    size_t need, cap;

    if (b->err)
        return -1;
    if (extra > SIZE_MAX - b->n - 1 || (b->max && b->n + extra > b->max)) {
        b->err = EDI_ELIMIT;
        return -1;
    }
    need = b->n + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->p = edi_xrealloc(b->p, cap);
    b->cap = cap;
    return 0;
}

void edi_buf_grow_put(struct edi_buf *b, const void *p, size_t n)
{
    if (n == 0 || buf_grow(b, n) < 0)
        return;
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

void edi_buf_putstr(struct edi_buf *b, struct edi_str s)
{
    edi_buf_put(b, s.p, s.n);
}

void edi_buf_printf(struct edi_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_grow(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

const char *edi_buf_cstr(struct edi_buf *b)
{
    if (b->p == NULL || b->n + 1 > b->cap) {
        b->p = edi_xrealloc(b->p, b->n + 1);
        b->cap = b->n + 1;
    }
    b->p[b->n] = '\0';
    return b->p;
}

int edi_str_eqs(struct edi_str a, struct edi_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

struct edi_str edi_str_c(const char *s)
{
    return (struct edi_str){s, s ? strlen(s) : 0};
}

struct edi_str edi_str_trim(struct edi_str s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

char *edi_str_copy(char *dst, size_t cap, struct edi_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;

    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
    return dst;
}

int edi_str_to_u64(uint64_t *out, struct edi_str s)
{
    uint64_t v = 0;
    size_t i;

    if (s.n == 0)
        return EDI_ESYNTAX;
    for (i = 0; i < s.n; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';

        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return EDI_ESYNTAX;
        v = v * 10 + d;
    }
    *out = v;
    return EDI_OK;
}

/* Reads fd to its end into a NUL-terminated buffer (*out is the caller's). */
static int read_fd(char **out, size_t *outlen, int fd, const char *path, struct edi_err *err)
{
    char *p = NULL;
    size_t n = 0, cap = 0;
    ssize_t got;

    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 131072;
            p = edi_xrealloc(p, cap);
        }
        got = read(fd, p + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;

            free(p);
            return edi_fail(err, EDI_EIO, "cannot read %s: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    p[n] = '\0';
    *out = p;
    *outlen = n;
    return EDI_OK;
}

/* Opens path (flags added to O_RDONLY | O_CLOEXEC), or fails naming it. */
static int open_read(int *fd, const char *path, int flags, struct edi_err *err)
{
    int rc, link;

    if ((*fd = open(path, O_RDONLY | O_CLOEXEC | flags)) >= 0)
        return EDI_OK;
    link = errno == ELOOP && (flags & O_NOFOLLOW);
    rc = edi_fail(err, link ? EDI_ESYNTAX : EDI_EIO, "cannot open %s: %s", path,
                  link ? "it is a symbolic link; wharf reads regular files only" : strerror(errno));
    if (err)
        err->sys = errno;
    return rc;
}

int edi_read_file(char **out, size_t *outlen, const char *path, struct edi_err *err)
{
    int fd, rc;

    *out = NULL;
    *outlen = 0;
    if (strcmp(path, "-") == 0)
        return read_fd(out, outlen, STDIN_FILENO, "standard input", err);
    if ((rc = open_read(&fd, path, 0, err)) < 0)
        return rc;
    rc = read_fd(out, outlen, fd, path, err);
    close(fd);
    return rc;
}

struct edi_pool_chunk {
    struct edi_pool_chunk *next;
    size_t n, cap;
    _Alignas(16) char data[];
};

void edi_pool_init(struct edi_pool *pl)
{
    pl->head = NULL;
}

void edi_pool_dispose(struct edi_pool *pl)
{
    struct edi_pool_chunk *c = pl->head, *next;

    for (; c; c = next) {
        next = c->next;
        free(c);
    }
    pl->head = NULL;
}

void *edi_pool_alloc(struct edi_pool *pl, size_t n)
{
    struct edi_pool_chunk *c = pl->head;
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (c == NULL || c->cap - c->n < n) {
        size_t cap = n > 32768 ? n : 32768;

        c = edi_xmalloc(sizeof(*c) + cap);
        c->cap = cap;
        c->n = 0;
        c->next = pl->head;
        pl->head = c;
    }
    p = c->data + c->n;
    c->n += n;
    memset(p, 0, n);
    return p;
}

char *edi_pool_strndup(struct edi_pool *pl, const char *s, size_t n)
{
    char *p = edi_pool_alloc(pl, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *edi_pool_strdup(struct edi_pool *pl, const char *s)
{
    return s ? edi_pool_strndup(pl, s, strlen(s)) : NULL;
}

int edi_read_regular(char **out, size_t *outlen, const char *path, struct edi_err *err)
{
    struct stat sb;
    int fd, rc;

    *out = NULL;
    *outlen = 0;
    /* SPEC: issue 12 — a link in a folder wharf reads could copy any file
     * into the store: never follow one, and take nothing but regular files
     * (O_NONBLOCK: a FIFO dropped there does not hang the open) */
    if ((rc = open_read(&fd, path, O_NOFOLLOW | O_NONBLOCK, err)) < 0)
        return rc;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = edi_fail(err, EDI_ESYNTAX, "%s is not a regular file; wharf reads regular files only",
                      path);
    else
        rc = read_fd(out, outlen, fd, path, err);
    close(fd);
    return rc;
}
