/*
 * test_prefix.c — every prefix (0..n bytes) of every sample under
 * tests/golden/x12/ and bad/ runs through the whole check (envelopes,
 * validation, an acknowledgment) without a crash, a leak or undefined
 * behaviour (ASan and UBSan watch), and the acknowledgment written for it
 * is itself clean X12. A cut anywhere is what a dropped connection leaves.
 *
 * The samples are small (< 2 KB), so this stays fast.
 */
#include "testutil.h"
#include "edi/ack.h"
#include "edi/check.h"

#include <dirent.h>

static struct edi_guides *G;

static int setup(void **state)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (edi_guides_new(&G, WHARF_SCHEMAS, &err) < 0) {
        fprintf(stderr, "# %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    edi_guides_free(G);
    G = NULL;
    return 0;
}

static void on_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    char *last = ctx;

    snprintf(last, 256, "%s: %s", f->code, f->msg);
}

/* Checks p[0..n) with an acknowledgment; then checks the acknowledgment.
 * Returns 0, or -1 with why filled in. */
static int one(const char *p, size_t n, const char *guide_id, char *why, size_t whycap)
{
    struct edi_ctl_counter cc;
    struct edi_ack_opts ao = {.now = 1735689600, .suffix = "\n"};
    struct edi_ack a;
    struct edi_check_opts o = {.guides = G, .guide_id = guide_id};
    struct edi_check_opts o2 = {.guides = G};
    struct edi_check_stats st, st2;
    struct edi_err err;
    char last[256] = "";
    int rc, rc2 = 0, a_empty;

    edi_ctl_counter_init(&cc, &ao.ctl, 1);
    edi_ack_init(&a, &ao);
    o.ack = &a;
    edi_err_clear(&err);
    rc = edi_check_mem(&st, p, n, &o, &err);
    if (rc == 0) {
        o2.report = on_report;
        o2.ctx = last;
        edi_err_clear(&err);
        rc2 = edi_check_mem(&st2, a.out.p ? a.out.p : "", a.out.n, &o2, &err);
    }
    a_empty = a.out.n == 0;
    edi_ack_dispose(&a);
    if (rc != 0) {
        snprintf(why, whycap, "check: rc %d %s", rc, err.msg);
        return -1;
    }
    /* a functional acknowledgment (GS01 FA) is never acknowledged: a well-
     * formed 997/999 gets nothing back */
    if (a_empty && memmem(p, n, "GS*FA*", 6) != NULL)
        rc2 = 0, st2.findings = 0, st2.interchanges = 1;
    if (rc2 != 0 || st2.findings != 0 || (n > 0 && st2.interchanges == 0)) {
        snprintf(why, whycap, "the ack: rc %d, %llu interchanges, %llu findings, last %s", rc2,
                 (unsigned long long)st2.interchanges, (unsigned long long)st2.findings, last);
        return -1;
    }
    if (st.bytes != n) {
        snprintf(why, whycap, "stats say %llu bytes", (unsigned long long)st.bytes);
        return -1;
    }
    return 0;
}

/* The partner guide a sample's name implies (amazon-rp-850 → partners/amazon-rp/850). */
static const char *partner_of(const char *name, char *buf, size_t cap)
{
    char set[16];

    if (strncmp(name, "amazon-", 7) != 0 || strlen(name) < 17)
        return NULL;
    snprintf(set, sizeof(set), "%.3s", name + 10);
    if (strstr(name, "-5010"))
        snprintf(set, sizeof(set), "%.3s-5010", name + 10);
    snprintf(buf, cap, "partners/%.9s/%s", name, set);
    return buf;
}

static void prefixes_of_dir(const char *rel, int with_partner, int *files, int *runs, int *bad)
{
    char dir[1024];
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof(dir), "%s/%s", WHARF_TESTDATA, rel);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name), n, k;
        char path[1536], why[400], pg[64];
        const char *guide = NULL;
        char *p;
        struct edi_err err;
        int fails = 0;

        if (len < 5 || (strcmp(e->d_name + len - 4, ".edi") != 0 && strcmp(e->d_name + len - 4, ".bin") != 0))
            continue;
        if (with_partner && (guide = partner_of(e->d_name, pg, sizeof(pg))) == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        edi_err_clear(&err);
        assert_int_equal(edi_read_file(&p, &n, path, &err), 0);
        (*files)++;
        for (k = 0; k <= n; k++) {
            (*runs)++;
            if (one(p, k, guide, why, sizeof(why)) != 0) {
                if (fails++ < 3)
                    print_message("# %s/%s, first %zu of %zu bytes%s%s: %s\n", rel, e->d_name, k, n,
                                  guide ? ", guide " : "", guide ? guide : "", why);
                (*bad)++;
            }
        }
        free(p);
    }
    closedir(d);
}

static void test_prefixes(void **state)
{
    int files = 0, runs = 0, bad = 0;

    prefixes_of_dir("golden/x12", 0, &files, &runs, &bad);
    prefixes_of_dir("golden/x12/bad", 0, &files, &runs, &bad);
    print_message("# %d files, %d prefixes\n", files, runs);
    assert_true(files >= 30);
    assert_int_equal(bad, 0);
}

/* The same cuts against the Amazon partner guides. */
static void test_prefixes_partner(void **state)
{
    int files = 0, runs = 0, bad = 0;

    prefixes_of_dir("golden/x12", 1, &files, &runs, &bad);
    print_message("# %d files, %d prefixes\n", files, runs);
    assert_true(files >= 10);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_prefixes_partner),
    };

    return cmocka_run_group_tests_name("prefix", tests, setup, teardown);
}
