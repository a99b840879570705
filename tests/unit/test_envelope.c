/*
 * test_envelope.c — the envelope writer (edi/envelope.h): interchanges
 * written whole from a table of parties, delimiters, versions, control
 * numbers and groups, compared byte for byte and read back by the envelope
 * parser without a finding; the ISA's fixed widths; and values that do not
 * fit, which are errors that leave the output as it was.
 */
#include "testutil.h"
#include "edi/check.h"
#include "edi/envelope.h"

#define NOW_2025 1735689600   /* 2025-01-01T00:00:00Z */
#define NOW_2024 1710486720   /* 2024-03-15T07:12:00Z */
/* a slice of a literal */
#define S(lit) {lit, sizeof(lit) - 1}

static const struct edi_str set855[] = {S("ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n")};
static const struct edi_str set855b[] = {
    S("ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n"),
    S("ST*855*0002~\nBAK*00*AC*PO2*20250101~\nSE*3*0002~\n"),
};
static const struct edi_str set856[] = {S("ST*856*0007*005010~\nBSN*00*S1*20250101*0000~\nSE*3*0007~\n")};
static const struct edi_str set_pipes[] = {S("ST|855|0001'BAK|00|AC|PO1|20240315'SE|3|0001'")};
static const struct edi_str set_nl[] = {S("ST*997*0001\nAK1*PR*1\nAK9*A*1*1*1\nSE*4*0001\n")};

/* ---- table: interchanges written whole ------------------------------------------ */

struct ecase {
    const char *name;
    struct edi_env e;
    int custom_delims;                 /* e.d as given, else * > ^ ~ */
    struct edi_env_group g[2];
    size_t ng;
    const char *want;
};

static const struct ecase cases[] = {
    {"004010: one group, one set",
     {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL}, .version = "00401",
      .suffix = "\n", .now = NOW_2025, .control = 4721},
     0, {{.func_id = "PR", .version = "004010", .control = 12, .sets = set855, .nsets = 1}}, 1,
     "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000004721*0*P*>~\n"
     "GS*PR*ACMEVENDOR*AMAZON*20250101*0000*12*X*004010~\n"
     "ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n"
     "GE*1*12~\n"
     "IEA*1*000004721~\n"},
    {"005010: ISA11 is the repetition separator",
     {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL}, .version = "00501",
      .suffix = "\n", .now = NOW_2025, .control = 1},
     0, {{.func_id = "SH", .version = "005010", .control = 1, .sets = set856, .nsets = 1}}, 1,
     "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*^*00501*000000001*0*P*>~\n"
     "GS*SH*ACMEVENDOR*AMAZON*20250101*0000*1*X*005010~\n"
     "ST*856*0007*005010~\nBSN*00*S1*20250101*0000~\nSE*3*0007~\n"
     "GE*1*1~\n"
     "IEA*1*000000001~\n"},
    {"other delimiters, no suffix, 00501",
     {.from = {"01", "123456789", NULL}, .to = {"08", "9876543210", NULL}, .version = "00501",
      .d = {'|', ':', '!', '\''}, .now = NOW_2024, .control = 999999999},
     1, {{.func_id = "PR", .version = "005010", .control = 999999999, .sets = set_pipes, .nsets = 1}}, 1,
     "ISA|00|          |00|          |01|123456789      |08|9876543210     |240315|0712|!|00501|999999999|0|P|:'"
     "GS|PR|123456789|9876543210|20240315|0712|999999999|X|005010'"
     "ST|855|0001'BAK|00|AC|PO1|20240315'SE|3|0001'"
     "GE|1|999999999'"
     "IEA|1|999999999'"},
    {"00401 with a repetition separator: ISA11 is still U",
     {.from = {"ZZ", "A", NULL}, .to = {"ZZ", "B", NULL}, .version = "00401",
      .d = {'|', ':', '!', '\''}, .now = NOW_2024, .control = 7},
     1, {{.func_id = "PR", .version = "004010", .control = 7, .sets = set_pipes, .nsets = 1}}, 1,
     "ISA|00|          |00|          |ZZ|A              |ZZ|B              |240315|0712|U|00401|000000007|0|P|:'"
     "GS|PR|A|B|20240315|0712|7|X|004010'"
     "ST|855|0001'BAK|00|AC|PO1|20240315'SE|3|0001'"
     "GE|1|7'"
     "IEA|1|000000007'"},
    {"group ids: the parties' GS ids over their ISA ids",
     {.from = {"ZZ", "ACMEVENDOR", "ACMEGS"}, .to = {"ZZ", "AMAZON", "AMAZONGS"}, .version = "00401",
      .suffix = "\n", .now = NOW_2025, .control = 2},
     0, {{.func_id = "PR", .version = "004010", .control = 3, .sets = set855, .nsets = 1}}, 1,
     "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000000002*0*P*>~\n"
     "GS*PR*ACMEGS*AMAZONGS*20250101*0000*3*X*004010~\n"
     "ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n"
     "GE*1*3~\n"
     "IEA*1*000000002~\n"},
    {"two groups with their own ids, two sets in the first",
     {.from = {"ZZ", "ACMEVENDOR", "ACMEGS"}, .to = {"ZZ", "AMAZON", NULL}, .version = "00401",
      .suffix = "\n", .now = NOW_2025, .control = 5},
     0,
     {{.func_id = "PR", .version = "004010", .control = 8, .sets = set855b, .nsets = 2},
      {.func_id = "FA", .sender = "US2", .receiver = "THEM2", .version = "004010", .control = 9,
       .sets = set855, .nsets = 1}},
     2,
     "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000000005*0*P*>~\n"
     "GS*PR*ACMEGS*AMAZON*20250101*0000*8*X*004010~\n"
     "ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n"
     "ST*855*0002~\nBAK*00*AC*PO2*20250101~\nSE*3*0002~\n"
     "GE*2*8~\n"
     "GS*FA*US2*THEM2*20250101*0000*9*X*004010~\n"
     "ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n"
     "GE*1*9~\n"
     "IEA*2*000000005~\n"},
    {"test usage, a TA1 requested, short qualifier padded",
     {.from = {"1", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL}, .version = "00401",
      .suffix = "\n", .now = NOW_2024, .usage = 'T', .ack_requested = 1, .control = 10},
     0, {{.func_id = "PR", .version = "004010", .control = 10, .sets = set855, .nsets = 1}}, 1,
     "ISA*00*          *00*          *1 *ACMEVENDOR     *ZZ*AMAZON         *240315*0712*U*00401*000000010*1*T*>~\n"
     "GS*PR*ACMEVENDOR*AMAZON*20240315*0712*10*X*004010~\n"
     "ST*855*0001~\nBAK*00*AC*PO1*20250101~\nSE*3*0001~\n"
     "GE*1*10~\n"
     "IEA*1*000000010~\n"},
    {"no groups: a TA1 alone",
     {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL}, .version = "00401",
      .suffix = "\n", .now = NOW_2024, .control = 3,
      .ta1 = S("TA1*000000001*240315*0712*A*000~\n")},
     0, {{0}}, 0,
     "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *240315*0712*U*00401*000000003*0*P*>~\n"
     "TA1*000000001*240315*0712*A*000~\n"
     "IEA*0*000000003~\n"},
    {"a line-end terminator gets no suffix",
     {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL}, .version = "00401",
      .d = {'*', '>', '^', '\n'}, .suffix = "\n", .now = NOW_2025, .control = 4},
     1, {{.func_id = "FA", .version = "004010", .control = 4, .sets = set_nl, .nsets = 1}}, 1,
     "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000000004*0*P*>\n"
     "GS*FA*ACMEVENDOR*AMAZON*20250101*0000*4*X*004010\n"
     "ST*997*0001\nAK1*PR*1\nAK9*A*1*1*1\nSE*4*0001\n"
     "GE*1*4\n"
     "IEA*1*000000004\n"},
};

static void on_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    size_t *n = ctx;

    (*n)++;
    print_message("# finding %s: %s\n", f->code, f->msg);
}

/* The envelope parser reads what was written without a finding: control
 * numbers and counts agree, the ISA is well-formed. */
static size_t findings_of(const char *p, size_t n)
{
    size_t nf = 0;
    struct edi_check_opts o = {.envelope_only = 1, .report = on_report, .ctx = &nf};
    struct edi_check_stats st;
    struct edi_err err;

    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(&st, p, n, &o, &err), 0);
    return nf;
}

static void test_table(void **state)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct ecase *c = &cases[i];
        struct edi_env e = c->e;
        struct edi_buf b;
        struct edi_err err;
        int rc;

        if (!c->custom_delims)
            edi_delims_default(&e.d);
        edi_buf_init(&b, 0);
        edi_err_clear(&err);
        rc = edi_envelope_write(&b, &e, c->g, c->ng, &err);
        if (rc != 0) {
            print_message("# %s: rc %d: %s\n", c->name, rc, err.msg);
            bad++;
        } else if (strcmp(edi_buf_cstr(&b), c->want) != 0) {
            print_message("# %s:\n# got  %s\n# want %s\n", c->name, edi_buf_cstr(&b), c->want);
            bad++;
        } else if (b.p[105] != (char)e.d.seg) {
            print_message("# %s: the ISA is not 106 bytes\n", c->name);
            bad++;
        } else if (findings_of(b.p, b.n) != 0) {
            print_message("# %s: the envelope parser has findings\n", c->name);
            bad++;
        }
        edi_buf_dispose(&b);
    }
    assert_int_equal(bad, 0);
}

/* ---- the ISA: 106 bytes, the tokenizer agrees --------------------------------------- */

static void test_isa_106(void **state)
{
    struct edi_env e = {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                        .version = "00401", .now = NOW_2025, .control = 4721};
    struct edi_buf b;
    struct edi_tok t;
    struct edi_seg s;
    struct edi_err err;

    edi_delims_default(&e.d);
    edi_buf_init(&b, 0);
    assert_int_equal(edi_envelope_write(&b, &e, NULL, 0, &err), 0);
    assert_true(b.n > 106);
    assert_memory_equal(b.p,
                        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         "
                        "*250101*0000*U*00401*000004721*0*P*>~", 106);
    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, b.p, b.n);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(t.isa_bad, 0);
    assert_int_equal(s.n, 16);
    edi_tok_dispose(&t);
    edi_buf_dispose(&b);

    /* missing ids are padded; an empty one is still 15 wide */
    e.from.id = NULL;
    e.to.id = "";
    edi_buf_init(&b, 0);
    assert_int_equal(edi_envelope_write(&b, &e, NULL, 0, &err), 0);
    assert_memory_equal(b.p,
                        "ISA*00*          *00*          *ZZ*               *ZZ*               "
                        "*250101*0000*U*00401*000004721*0*P*>~", 106);
    edi_buf_dispose(&b);
}

/* ---- control numbers from a source ----------------------------------------------------- */

static int failing(void *ctx, char kind, uint64_t *out)
{
    *out = 0;
    return EDI_EAGAIN;
}

static void test_control_source(void **state)
{
    struct edi_ctl_counter cnt;
    struct edi_env e = {.from = {"ZZ", "A", NULL}, .to = {"ZZ", "B", NULL}, .now = NOW_2025};
    struct edi_env_group g[2] = {
        {.func_id = "PR", .version = "004010", .sets = set855, .nsets = 1},
        {.func_id = "PR", .version = "004010", .control = 77, .sets = set855, .nsets = 1},
    };
    struct edi_buf b;
    struct edi_err err;

    edi_delims_default(&e.d);
    edi_ctl_counter_init(&cnt, &e.ctl, 41);
    edi_buf_init(&b, 0);
    /* the ISA's from the source, the first group's too, the second's given */
    assert_int_equal(edi_envelope_write(&b, &e, g, 2, &err), 0);
    assert_non_null(strstr(edi_buf_cstr(&b), "*U*00401*000000041*0*P*>~"));
    assert_non_null(strstr(b.p, "*0000*41*X*004010~ST*855"));
    assert_non_null(strstr(b.p, "*0000*77*X*004010~"));
    assert_non_null(strstr(b.p, "GE*1*41~"));
    assert_non_null(strstr(b.p, "GE*1*77~IEA*2*000000041~"));
    assert_int_equal(findings_of(b.p, b.n), 0);
    edi_buf_dispose(&b);

    /* a source that fails: its code, nothing written */
    e.ctl.next = failing;
    edi_buf_init(&b, 0);
    edi_buf_puts(&b, "before");
    assert_int_equal(edi_envelope_write(&b, &e, g, 2, &err), EDI_EAGAIN);
    assert_string_equal(edi_buf_cstr(&b), "before");
    edi_buf_dispose(&b);

    /* no number and no source */
    e.ctl.next = NULL;
    edi_buf_init(&b, 0);
    assert_int_equal(edi_envelope_write(&b, &e, NULL, 0, &err), EDI_ERR);
    assert_int_equal(b.n, 0);
    edi_buf_dispose(&b);
}

/* ---- what does not fit is an error, never cut ------------------------------------------ */

struct badcase {
    const char *name;
    struct edi_env e;
    struct edi_env_group g;
    int rc;
    const char *msg;   /* in err.msg */
};

#define E0 .from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL}, .now = NOW_2025, .control = 1
#define G0 .func_id = "PR", .version = "004010", .control = 1, .sets = set855, .nsets = 1

static const struct badcase bad[] = {
    {"ISA06 over 15", {.from = {"ZZ", "A-SENDER-ID-LONGER-THAN-15", NULL}, .to = {"ZZ", "AMAZON", NULL},
                       .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "ISA06 'A-SENDER-ID-LONGER-THAN-15' is 26 characters, at most 15 fit"},
    {"ISA08 over 15", {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON-RETAIL-XX", NULL},
                       .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "ISA08 'AMAZON-RETAIL-XX' is 16 characters"},
    {"ISA05 over 2", {.from = {"ZZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                      .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "ISA05 'ZZZ'"},
    {"ISA12 not 5 digits", {E0, .version = "004010"}, {G0}, EDI_ECONFIG, "ISA12 '004010'"},
    {"ISA12 not digits", {E0, .version = "0040X"}, {G0}, EDI_ECONFIG, "ISA12 '0040X'"},
    {"ISA15 not P, T or I", {E0, .usage = 'X'}, {G0}, EDI_ECONFIG, "ISA15 'X'"},
    {"ISA13 over 9 digits", {.from = {"ZZ", "ACMEVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                             .now = NOW_2025, .control = 1000000000ULL}, {G0}, EDI_ELIMIT, "ISA13 1000000000"},
    {"GS06 over 9 digits", {E0}, {.func_id = "PR", .version = "004010", .control = 1234567890123ULL,
                                  .sets = set855, .nsets = 1},
     EDI_ELIMIT, "GS06 1234567890123"},
    {"GS02 over 15", {.from = {"ZZ", "ACMEVENDOR", "A-GROUP-ID-OF-20-CHR"}, .to = {"ZZ", "AMAZON", NULL},
                      .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "GS02 'A-GROUP-ID-OF-20-CHR'"},
    {"GS03 over 15", {E0}, {.func_id = "PR", .receiver = "0123456789ABCDEF", .version = "004010",
                            .control = 1, .sets = set855, .nsets = 1},
     EDI_ECONFIG, "GS03"},
    {"GS08 over 12", {E0}, {.func_id = "PR", .version = "005010X231A1X", .control = 1,
                            .sets = set855, .nsets = 1},
     EDI_ECONFIG, "GS08"},
    {"GS01 over 2", {E0}, {.func_id = "PRX", .version = "004010", .control = 1, .sets = set855, .nsets = 1},
     EDI_ECONFIG, "GS01 'PRX'"},
    {"GS01 missing", {E0}, {.version = "004010", .control = 1, .sets = set855, .nsets = 1},
     EDI_ERR, "GS01 is missing"},
    {"an id holding the element separator", {.from = {"ZZ", "ACME*VENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                                             .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "ISA06 'ACME*VENDOR' holds byte 0x2a"},
    {"an id holding the segment terminator", {E0}, {.func_id = "PR", .sender = "AC~ME", .version = "004010",
                                                    .control = 1, .sets = set855, .nsets = 1},
     EDI_ECONFIG, "GS02 'AC~ME' holds byte 0x7e"},
    {"an id holding a control byte", {.from = {"ZZ", "ACME\nVENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                                      .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "holds byte 0x0a"},
    {"the repetition separator in 00501", {.from = {"ZZ", "ACME^VENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                                           .version = "00501", .now = NOW_2025, .control = 1},
     {G0}, EDI_ECONFIG, "holds byte 0x5e"},
    {"a set that is not ST", {E0}, {.func_id = "PR", .version = "004010", .control = 1,
                                    .sets = set_pipes, .nsets = 1},
     EDI_ERR, "set 1 does not begin with ST*"},
};

static void test_refused(void **state)
{
    size_t i;
    int nbad = 0;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct edi_env e = bad[i].e;
        struct edi_buf b;
        struct edi_err err;
        int rc;

        edi_delims_default(&e.d);
        edi_buf_init(&b, 0);
        edi_buf_puts(&b, "before");
        edi_err_clear(&err);
        rc = edi_envelope_write(&b, &e, &bad[i].g, 1, &err);
        if (rc != bad[i].rc || strstr(err.msg, bad[i].msg) == NULL) {
            print_message("# %s: rc %d (want %d): '%s' (want '%s')\n", bad[i].name, rc, bad[i].rc,
                          err.msg, bad[i].msg);
            nbad++;
        } else if (strcmp(edi_buf_cstr(&b), "before") != 0) {
            print_message("# %s: the output changed: %s\n", bad[i].name, b.p);
            nbad++;
        }
        edi_buf_dispose(&b);
    }
    assert_int_equal(nbad, 0);
}

/* The repetition separator is no delimiter in 00401 (ISA11 is U there). */
static void test_rep_free_in_00401(void **state)
{
    struct edi_env e = {.from = {"ZZ", "ACME^VENDOR", NULL}, .to = {"ZZ", "AMAZON", NULL},
                        .version = "00401", .now = NOW_2025, .control = 1};
    struct edi_env_group g = {G0};
    struct edi_buf b;
    struct edi_err err;

    edi_delims_default(&e.d);
    edi_buf_init(&b, 0);
    assert_int_equal(edi_envelope_write(&b, &e, &g, 1, &err), 0);
    assert_non_null(strstr(edi_buf_cstr(&b), "*ZZ*ACME^VENDOR    *"));
    edi_buf_dispose(&b);
}

/* The output's maximum: EDI_ELIMIT, and the bytes written so far taken back. */
static void test_buffer_limit(void **state)
{
    struct edi_env e = {E0};
    struct edi_env_group g = {G0};
    struct edi_buf b;
    struct edi_err err;

    edi_delims_default(&e.d);
    edi_buf_init(&b, 150);
    assert_int_equal(edi_envelope_write(&b, &e, &g, 1, &err), EDI_ELIMIT);
    assert_int_equal(b.n, 0);
    edi_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_isa_106),
        cmocka_unit_test(test_control_source),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_rep_free_in_00401),
        cmocka_unit_test(test_buffer_limit),
    };

    return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
