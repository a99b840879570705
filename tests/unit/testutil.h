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

#include <cmocka.h>

#include "edi.h"

#ifndef WHARF_TESTDATA
#define WHARF_TESTDATA "tests"
#endif
#ifndef WHARF_SCHEMAS
#define WHARF_SCHEMAS "schemas"
#endif

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

#ifdef TU_GUIDES
#include "guide.h"

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
