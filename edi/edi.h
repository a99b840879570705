/*
 * edi.h — what every part of the EDI core shares: return codes, the error
 * record, input slices, limits, the bounded output buffer and the
 * allocation wrappers.
 *
 * Nothing here knows X12 or EDIFACT; that lives in x12.h (tokenizer,
 * envelopes, writer), guide.h (guides and validation) and ack.h
 * (997/999/TA1). edi/ uses libc only, except exml.c and guide_load.c,
 * which own libxml2.
 */
#ifndef WHARF_EDI_H
#define WHARF_EDI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum edi_rc {
    EDI_DONE = 1,       /* streaming: clean end of input */
    EDI_OK = 0,
    EDI_ERR = -1,       /* a bug: fail this job, log it */
    EDI_ESYNTAX = -2,   /* not well-formed: reject the document */
    EDI_ELIMIT = -3,    /* a configured limit was hit: reject */
    EDI_ENOTFOUND = -4, /* partner, map or guide missing */
    EDI_EAGAIN = -5,    /* transient: retry with backoff */
    EDI_ECONFIG = -6,   /* an operator must act: credentials, config */
    EDI_EMORE = -7,     /* streaming parser: feed more input */
    EDI_EIO = -8,       /* reading or writing a file failed */
};

/* A slice of input: never NUL-terminated, borrowed from its owner. */
struct edi_str {
    const char *p;
    size_t n;
};

#define EDI_STR_NULL ((struct edi_str){NULL, 0})

struct edi_err {
    int rc;             /* enum edi_rc */
    int sys;            /* errno, or the underlying library's code */
    uint64_t offset;    /* byte offset in the input, when it applies */
    uint64_t segment;   /* 1-based segment number in the input, or 0 */
    char msg[320];
};

/* Sets err (if not NULL) and returns rc, so callers can write
 * `return edi_fail(err, EDI_ESYNTAX, "...")`. */
int edi_fail(struct edi_err *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Formats into buf[cap] like snprintf, but a result that does not fit is an
 * error, not a shorter string: EDI_ELIMIT, err set (if not NULL) and buf
 * emptied, so a cut path or id can never name another file or thing. Use it
 * wherever the result is a path or an identifier; message text may be cut. */
int edi_fmt(char *buf, size_t cap, struct edi_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void edi_err_clear(struct edi_err *err);
/* 1 when s (n bytes) is YYYY-MM-DD naming a day that exists (proleptic
 * Gregorian, year 0001 on): packing lists, decisions, purge dates. */
int edi_iso_date_ok(const char *s, size_t n);
const char *edi_rc_name(int rc);

/* LIMIT: every size that comes from input is checked against these. */
struct edi_limits {
    size_t max_segment;      /* bytes in one segment */
    size_t max_elements;     /* elements (plus components) in one segment */
    size_t max_tx_bytes;     /* bytes in one transaction set, ST to SE */
    size_t max_tx_segments;  /* segments in one transaction set */
    size_t max_findings;     /* findings kept per transaction set */
};

void edi_limits_default(struct edi_limits *lim);

/* Allocation failure aborts: input-driven sizes are bounded by edi_limits
 * before they reach these. */
void *edi_xmalloc(size_t n);
void *edi_xcalloc(size_t nmemb, size_t n);
void *edi_xrealloc(void *p, size_t n);
char *edi_xstrdup(const char *s);
char *edi_xstrndup(const char *s, size_t n);

/* An output buffer with a hard maximum and a sticky error: writers append
 * without checking, and look at `err` once at the end. */
struct edi_buf {
    char *p;
    size_t n;
    size_t cap;
    size_t max;   /* 0: no maximum */
    int err;      /* 0, or EDI_ELIMIT once the maximum was hit */
};

void edi_buf_init(struct edi_buf *b, size_t max);
void edi_buf_dispose(struct edi_buf *b);
void edi_buf_reset(struct edi_buf *b);
/* edi_buf_put's way when the bytes do not fit as they are (it grows b, or
 * sets b->err at its maximum). */
void edi_buf_grow_put(struct edi_buf *b, const void *p, size_t n);
/* n bytes: inline when they fit, the common case of the writers that
 * append a few bytes at a time (the canonical text, JSON, CSV). */
static inline void edi_buf_put(struct edi_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->err == 0 && n < b->cap - b->n && (b->max == 0 || b->n + n <= b->max)) {
        __builtin_memcpy(b->p + b->n, p, n);
        b->n += n;
    } else {
        edi_buf_grow_put(b, p, n);
    }
}
static inline void edi_buf_puts(struct edi_buf *b, const char *s)
{
    edi_buf_put(b, s, __builtin_strlen(s));
}
/* One byte: inline when it fits, the common case on every writer's path
 * (a call through edi_buf_put per byte was 3 % of the inbound flow). */
static inline void edi_buf_putc(struct edi_buf *b, char c)
{
    if (b->err == 0 && b->n + 2 <= b->cap && (b->max == 0 || b->n + 1 <= b->max))
        b->p[b->n++] = c;
    else
        edi_buf_put(b, &c, 1);
}
void edi_buf_putstr(struct edi_buf *b, struct edi_str s);
void edi_buf_printf(struct edi_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminates without counting the NUL; returns b->p. */
const char *edi_buf_cstr(struct edi_buf *b);

/* Slice helpers. edi_str_eq is inline: literals' lengths fold at compile
 * time, and it sits on every hot path. */
#include <string.h>
static inline int edi_str_eq(struct edi_str s, const char *lit)
{
    size_t n = __builtin_strlen(lit);

    return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}
int edi_str_eqs(struct edi_str a, struct edi_str b);
struct edi_str edi_str_c(const char *s);
struct edi_str edi_str_trim(struct edi_str s);
/* Copies at most cap-1 bytes and NUL-terminates; returns dst. */
char *edi_str_copy(char *dst, size_t cap, struct edi_str s);
/* Checked converters: 0 on success, EDI_ESYNTAX when s is not all digits
 * or overflows. */
int edi_str_to_u64(uint64_t *out, struct edi_str s);

/* A bump allocator: objects that live and die together (a compiled guide,
 * a parsed document) come from one pool and are freed at once. */
struct edi_pool {
    struct edi_pool_chunk *head;
};

void edi_pool_init(struct edi_pool *pl);
void edi_pool_dispose(struct edi_pool *pl);
void *edi_pool_alloc(struct edi_pool *pl, size_t n);     /* zeroed */
char *edi_pool_strdup(struct edi_pool *pl, const char *s);
char *edi_pool_strndup(struct edi_pool *pl, const char *s, size_t n);

/* Reads a whole file (or stdin for "-") into a NUL-terminated buffer. */
int edi_read_file(char **out, size_t *outlen, const char *path, struct edi_err *err);
/* The same for files found in a folder: never through a symbolic link
 * (O_NOFOLLOW), and only a regular file (EDI_ESYNTAX otherwise). */
int edi_read_regular(char **out, size_t *outlen, const char *path, struct edi_err *err);

#endif
