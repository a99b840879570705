/*
 * testutil.h — what the cmocka unit tests share: paths to the test data and
 * schemas, and reading a test file. Each test_*.c is one module's tests,
 * table-driven where the cases are data.
 */
#ifndef WHARF_TESTUTIL_H
#define WHARF_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "edi/edi.h"

#ifndef WHARF_TESTDATA
#define WHARF_TESTDATA "tests"
#endif
#ifndef WHARF_SCHEMAS
#define WHARF_SCHEMAS "schemas"
#endif

/* How many file descriptors this process has open (0 to 1023): a test
 * compares it before and after, to catch one left open. */
static inline int tu_open_fds(void)
{
    char path[64];
    int fd, n = 0;

    for (fd = 0; fd < 1024; fd++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n += access(path, F_OK) == 0;
    }
    return n;
}

/* Reads tests/<rel> whole; fails the test when it cannot. */
static inline char *tu_read(const char *rel, size_t *n)
{
    char path[1024];
    char *p = NULL;
    struct edi_err err;

    snprintf(path, sizeof(path), "%s/%s", WHARF_TESTDATA, rel);
    edi_err_clear(&err);
    if (edi_read_file(&p, n, path, &err) < 0)
        fail_msg("%s", err.msg);
    return p;
}

/* Writes text to dir/rel (a crafted guide, map or code list); fails the
 * test when it cannot. */
static inline void tu_put(const char *dir, const char *rel, const char *text)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#ifdef TU_GUIDES
#include "edi/guide.h"

/* The interchange around one set: ST, the body (segments ending in '~'),
 * SE with the right count. gs08: "004010" or "005010". The caller frees it. */
static inline char *tu_wrap(const char *set, const char *gs08, const char *body)
{
    struct edi_buf b;
    size_t nseg = 2;
    const char *p;
    int v5 = strncmp(gs08, "005", 3) == 0;

    for (p = body; *p; p++)
        nseg += *p == '~';
    edi_buf_init(&b, 0);
    edi_buf_printf(&b, "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
                       "*240315*0712*%s*%s*000000001*0*P*>~\n",
                   v5 ? "^" : "U", v5 ? "00501" : "00401");
    edi_buf_printf(&b, "GS*XX*AMAZON*ACMEVENDOR*20240315*0712*1*X*%s~\n", gs08);
    edi_buf_printf(&b, "ST*%s*0001~\n", set);
    edi_buf_puts(&b, body);
    edi_buf_printf(&b, "SE*%zu*0001~\nGE*1*1~\nIEA*1*000000001~\n", nseg);
    return (char *)edi_buf_cstr(&b);
}

/* The guide registry a test group shares, with its cmocka setup and
 * teardown (define TU_GUIDES before including this file). */
static struct edi_guides *G;

static inline int tu_guides_setup(void **state)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (edi_guides_new(&G, WHARF_SCHEMAS, &err) < 0) {
        fprintf(stderr, "# %s\n", err.msg);
        return -1;
    }
    return 0;
}

static inline int tu_guides_teardown(void **state)
{
    edi_guides_free(G);
    G = NULL;
    return 0;
}
#endif

#endif
