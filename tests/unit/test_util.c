/*
 * test_util.c — the checked formatter edi_fmt: a result that fits is the
 * snprintf result; one that does not is EDI_ELIMIT with an empty buffer, so
 * a cut path can never name another file.
 */
#include "testutil.h"

struct fcase {
    const char *name;
    size_t cap;
    const char *a, *b;   /* formatted as "%s/%s.xml" */
    int rc;
    const char *want;
};

static const struct fcase cases[] = {
    {"fits", 32, "schemas", "x12/004010/850", 0, "schemas/x12/004010/850.xml"},
    {"fits exactly (the NUL included)", 27, "schemas", "x12/004010/850", 0, "schemas/x12/004010/850.xml"},
    {"one byte short: an error, not schemas/x12/004010/850.xm", 26, "schemas", "x12/004010/850",
     EDI_ELIMIT, ""},
    {"the cut falls on another file's name", 27, "schemas", "x12/004010/850.xml-not-this", EDI_ELIMIT, ""},
    {"empty result", 1, "", "", EDI_ELIMIT, ""},
};

static void test_cases(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct fcase *c = &cases[i];
        char buf[64];
        struct edi_err err;

        memset(buf, 'x', sizeof(buf));
        edi_err_clear(&err);
        if (edi_fmt(buf, c->cap, &err, "%s/%s.xml", c->a, c->b) != c->rc)
            fail_msg("%s: rc %d, want %d", c->name, err.rc, c->rc);
        if (strcmp(buf, c->want) != 0)
            fail_msg("%s: '%s', want '%s'", c->name, buf, c->want);
        if (c->rc && (err.rc != c->rc || strstr(err.msg, "too long") == NULL))
            fail_msg("%s: err %d '%s'", c->name, err.rc, err.msg);
    }
}

static void test_null_err(void **state)
{
    char buf[4];

    (void)state;
    assert_int_equal(edi_fmt(buf, sizeof(buf), NULL, "%d", 12345), EDI_ELIMIT);
    assert_string_equal(buf, "");
    assert_int_equal(edi_fmt(buf, sizeof(buf), NULL, "%d", 123), 0);
    assert_string_equal(buf, "123");
    assert_int_equal(edi_fmt(buf, 0, NULL, "%d", 1), EDI_ELIMIT);
}

/* The one YYYY-MM-DD check packing lists, decisions and purge share. */
static void test_iso_date(void **state)
{
    static const struct {
        const char *s;
        int ok;
    } dates[] = {
        {"2025-01-31", 1}, {"2024-02-29", 1}, {"2000-02-29", 1}, {"0001-01-01", 1},
        {"2025-02-29", 0}, {"1900-02-29", 0}, {"2025-02-30", 0}, {"2025-04-31", 0},
        {"2025-13-01", 0}, {"2025-00-10", 0}, {"2025-01-00", 0}, {"0000-01-01", 0},
        {"2025-1-31", 0},  {"2025/01/31", 0}, {"20250131", 0},   {"2025-01-3x", 0},
        {"2025-01-311", 0}, {"", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
        if (edi_iso_date_ok(dates[i].s, strlen(dates[i].s)) != dates[i].ok)
            fail_msg("'%s': want %d", dates[i].s, dates[i].ok);
    assert_int_equal(edi_iso_date_ok(NULL, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_null_err),
        cmocka_unit_test(test_iso_date),
    };

    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
