/*
 * test_ack.c — acknowledgments built by edi_check_mem with an edi_ack: 997
 * for 004010 groups, 999 for 005010 (or when asked for), TA1 for
 * interchange problems, with a fixed clock and control numbers from 1.
 * Every acknowledgment written is itself checked: it must parse and
 * validate against x12/004010/997 or x12/005010/999 with no findings.
 *
 * The findings behind the codes are tested in test_x12_parse.c and
 * test_guide.c; here, how they are laid out.
 */
#define TU_GUIDES
#include "testutil.h"
#include "edi/ack.h"
#include "edi/check.h"

#define NOW_2025 1735689600   /* 2025-01-01T00:00:00Z */


/* ---- helpers ------------------------------------------------------------------------ */

static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = from ? strstr(s, from) : s;
    struct edi_buf b;

    if (at == NULL)
        return NULL;
    edi_buf_init(&b, 0);
    edi_buf_put(&b, s, (size_t)(at - s));
    edi_buf_puts(&b, to ? to : "");
    edi_buf_puts(&b, at + (from ? strlen(from) : 0));
    return (char *)edi_buf_cstr(&b);
}

struct ackopt {
    enum edi_ack_type type;
    int ta1_always;
    const char *guide_id;
};

/* The acknowledgment of in (NUL-terminated, the caller frees it). */
static char *ack_of(const char *in, size_t n, const struct ackopt *ao, struct edi_check_stats *st)
{
    struct edi_ctl_counter cc;
    struct edi_ack_opts opts = {.type = ao ? ao->type : EDI_ACK_AUTO, .now = NOW_2025, .suffix = "\n",
                                .ta1_always = ao ? ao->ta1_always : 0};
    struct edi_ack a;
    struct edi_check_opts o = {.guides = G, .ack = &a, .guide_id = ao ? ao->guide_id : NULL};
    struct edi_check_stats local;
    struct edi_err err;
    char *out;
    int rc;

    edi_ctl_counter_init(&cc, &opts.ctl, 1);
    edi_ack_init(&a, &opts);
    edi_err_clear(&err);
    rc = edi_check_mem(st ? st : &local, in, n, &o, &err);
    out = edi_xstrndup(a.out.p ? a.out.p : "", a.out.n);
    edi_ack_dispose(&a);
    if (rc != 0) {
        free(out);
        fail_msg("edi_check_mem: %d %s", rc, err.msg);
    }
    return out;
}

/* Does a line of text match pattern (one segment, '%' an element of any
 * value)? */
static int line_matches(const char *line, size_t n, const char *pat)
{
    size_t i = 0;

    for (; *pat; pat++) {
        if (*pat == '%') {
            while (i < n && line[i] != '*' && line[i] != '~')
                i++;
            continue;
        }
        if (i >= n || line[i] != *pat)
            return 0;
        i++;
    }
    return i + 1 == n && line[i] == '~';
}

static int count_matching(const char *text, const char *pat)
{
    const char *p = text;
    int k = 0;

    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);

        k += line_matches(p, n, pat);
        p += n + (e != NULL);
    }
    return k;
}

struct vstats {
    uint64_t sets, findings, interchanges;
    char codes[512];
};

static void on_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    struct vstats *v = ctx;
    size_t len = strlen(v->codes);

    snprintf(v->codes + len, sizeof(v->codes) - len, "%s%s(%s)", len ? " " : "", f->code, f->msg);
}

/* An acknowledgment must itself be clean X12: checked against the base
 * guides for its version (997 or 999). */
static void check_ack_text(struct vstats *v, const char *ack, const char *guide_id)
{
    struct edi_check_opts o = {.guides = G, .guide_id = guide_id, .report = on_report, .ctx = v};
    struct edi_check_stats st;
    struct edi_err err;

    memset(v, 0, sizeof(*v));
    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(&st, ack, strlen(ack), &o, &err), 0);
    v->sets = st.sets;
    v->findings = st.findings;
    v->interchanges = st.interchanges;
}

/* ---- the table ------------------------------------------------------------------------- */

struct acase {
    const char *name;
    const char *file;            /* under tests/golden/x12/; NULL: text */
    const char *text;
    const char *from, *to;       /* a change to the file ... */
    const char *from2, *to2;     /* ... and a second one */
    struct ackopt opt;
    const char *ack_guide;       /* to check the ack against; NULL: by its GS08 and ST01 */
    const char *want[8];         /* segments (without '~') that must be there, '%' any value */
    const char *not[4];          /* ... that must not be */
    int ack_sets;                /* 997/999 sets expected in the output */
};

#define AUTO {EDI_ACK_AUTO, 0, NULL}

static const struct acase cases[] = {
    {"valid 850", "amazon-rp-850.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK1*PO*4721", "AK2*850*0001", "AK5*A", "AK9*A*1*1*1", "ST*997*0001",
      "GS*FA*ACMEVENDOR*AMAZON*20250101*0000*1*X*004010"},
     {"TA1%", "AK3%", "AK4%"}, 1},
    {"bad date", "bad/bad-date.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK2*850*0001", "AK3*BEG*2**8", "AK4*5*373*8*20241310", "AK5*R*5", "AK9*R*1*1*0"}, {"TA1%"}, 1},
    {"missing mandatory segment", "bad/missing-mandatory.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK3*BEG*2**3", "AK5*R*5", "AK9*R*1*1*0"}, {"AK4%"}, 1},
    {"unknown segment", "bad/unknown-segment.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK3*ZZZ*9*%*1", "AK5*R*5"}, {"AK4%"}, 1},
    {"out of order", "bad/wrong-order.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK3*REF*4**7", "AK5*R*5"}, {"AK4%"}, 1},
    {"non-numeric, in a loop", "bad/non-numeric.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK3*PO1*10*%*8", "AK4*2*330*6*12A", "AK5*R*5"}, {NULL}, 1},
    {"too long", "bad/too-long.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK3*BEG*2**8", "AK4*3*324*5*4Z32PABC4Z32PABC4Z32PAB", "AK5*R*5"}, {NULL}, 1},
    {"SE01 mismatch", "bad/se01-count.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK5*R*4", "AK9*R*1*1*0"}, {"AK3%"}, 1},
    {"SE02 mismatch", "bad/se02-mismatch.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK5*R*3", "AK9*R*1*1*0"}, {NULL}, 1},
    /* AK901 for a GE01 count problem (E or R) is not asserted: see the report */
    {"GE01 mismatch", "bad/ge01-count.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"AK5*A", "AK9*%*2*1*1*5"}, {"TA1%"}, 1},
    {"GE02 mismatch", "amazon-rp-850.edi", NULL, "GE*1*4721", "GE*1*4722", NULL, NULL, AUTO, NULL,
     {"AK9*%*1*1*1*4"}, {NULL}, 1},
    {"005010 group: 999", "amazon-rp-856-5010.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"ST*999*0001*005010X231A1", "AK1*SH*1203*005010", "AK2*856*0001", "IK5*A", "AK9*A*1*1*1",
      "GS*FA*AMAZON*ACMEVENDOR*20250101*0000*1*X*005010X231A1"},
     {"AK5%", "ST*997%", "TA1%"}, 1},
    {"005010 bad date: IK3/IK4", "amazon-rp-856-5010.edi", NULL, "-02*20240318*1545~", "-02*20241318*1545~",
     NULL, NULL, AUTO, NULL,
     {"IK3*BSN*2**8", "IK4*3*373*8*20241318", "IK5*R*5", "AK9*R*1*1*0"}, {"AK3%", "AK4%"}, 1},
    {"005010 partner guide: SSCC without AI", "bad/sscc-no-ai-5010.edi", NULL, NULL, NULL, NULL, NULL,
     {EDI_ACK_AUTO, 0, "partners/amazon-rp/856-5010"}, NULL,
     {"IK3*MAN*25*%*8", "IK4*2*87*4*006141410000001057", "IK5*R*5"}, {NULL}, 1},
    {"999 asked for on a 004010 group", "bad/bad-date.edi", NULL, NULL, NULL, NULL, NULL,
     {EDI_ACK_999, 0, NULL}, NULL,
     {"ST*999*0001*005010X231A1", "AK1*PO*4721*004010", "IK3*BEG*2**8", "IK4*5*373*8*20241310", "IK5*R*5"},
     {"ST*997%", "AK5%", "AK3%"}, 1},
    /* there is no x12/005010/997 guide: the ack is checked against 004010's */
    {"997 asked for on a 005010 group", "amazon-rp-856-5010.edi", NULL, NULL, NULL, NULL, NULL,
     {EDI_ACK_997, 0, NULL}, "x12/004010/997",
     {"ST*997*0001", "AK1*SH*1203", "AK5*A"}, {"ST*999%", "IK5%"}, 1},
    {"IEA02 mismatch: TA1 001 and the 997", "bad/iea02-mismatch.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"TA1*000004721*240315*0712*E*001", "AK5*A", "AK9*A*1*1*1"}, {NULL}, 1},
    {"IEA01 mismatch: TA1 021", "amazon-rp-850.edi", NULL, "IEA*1*", "IEA*2*", NULL, NULL, AUTO, NULL,
     {"TA1*000004721*240315*0712*E*021"}, {NULL}, 1},
    {"malformed ISA: TA1 R, no 997", "bad/isa-short.edi", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"TA1*000004721*240315*0712*R*006", "IEA*0*000000001"}, {"ST%", "GS%", "AK5%"}, 0},
    {"bad ISA date: TA1 R 014", "amazon-rp-850.edi", NULL, "*240315*0712*U", "*241315*0712*U", NULL, NULL,
     AUTO, NULL, {"TA1*000004721*241315*0712*R*014"}, {"ST%"}, 0},
    {"empty input: TA1 023", NULL, "", NULL, NULL, NULL, NULL, AUTO, NULL,
     {"TA1*000000000*250101*0000*R*023",
      "ISA*00*          *00*          *ZZ*UNKNOWN        *ZZ*UNKNOWN        *250101*0000*U*00401*000000001*0*P*>"},
     {"ST%"}, 0},
    {"garbage: TA1 022", "bad/garbage.bin", NULL, NULL, NULL, NULL, NULL, AUTO, NULL,
     {"TA1*000000000*250101*0000*R*022"}, {"ST%"}, 0},
    {"truncated: TA1 023 and a 997 rejecting the set", "bad/truncated.edi", NULL, NULL, NULL, NULL, NULL,
     AUTO, NULL, {"TA1*000004721*240315*0712*E*023", "AK5*R*2", "AK9*R*1*1*0*3"}, {NULL}, 1},
    {"only a TA1 asked for", "amazon-rp-850.edi", NULL, NULL, NULL, NULL, NULL, {EDI_ACK_TA1, 0, NULL}, NULL,
     {"TA1*000004721*240315*0712*A*000"}, {"ST%", "GS%"}, 0},
    {"TA1 always", "amazon-rp-850.edi", NULL, NULL, NULL, NULL, NULL, {EDI_ACK_AUTO, 1, NULL}, NULL,
     {"TA1*000004721*240315*0712*A*000", "AK5*A"}, {NULL}, 1},
    {"TA1 requested in ISA14", "amazon-rp-850.edi", NULL, "*000004721*0*P*", "*000004721*1*P*", NULL, NULL,
     AUTO, NULL, {"TA1*000004721*240315*0712*A*000", "AK5*A"}, {NULL}, 1},
    {"test interchange answered as test", "amazon-rp-850.edi", NULL, "*000004721*0*P*", "*000004721*0*T*",
     NULL, NULL, AUTO, NULL,
     {"ISA*00*%*00*%*ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000000001*0*T*>"}, {NULL}, 1},
    {"two groups: two 997s in one interchange", "amazon-rp-850-multi.edi", NULL, NULL, NULL, NULL, NULL,
     AUTO, NULL,
     {"AK1*PO*4730", "AK1*PO*4731", "AK9*A*2*2*2", "AK9*A*1*1*1", "IEA*2*000000001", "ST*997*0001",
      "ST*997*0002"}, {"TA1%"}, 2},
    {"a set with no guide: AK5 code 1", "amazon-rp-850.edi", NULL, "ST*850*0001~", "ST*830*0001~", NULL, NULL,
     AUTO, NULL, {"AK2*830*0001", "AK5*R*1", "AK9*R*1*1*0"}, {NULL}, 1},
    {"duplicate ST02: AK5 23", "amazon-rp-850-multi.edi", NULL, "ST*850*0002~", "ST*850*0001~",
     "SE*11*0002~", "SE*11*0001~", AUTO, NULL, {"AK5*R*23", "AK9*P*2*2*1"}, {NULL}, 2},
};

static void test_cases(void **state)
{
    size_t i, k;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct acase *c = &cases[i];
        char *in, *changed, *ack;
        size_t n = 0;
        struct vstats v;
        int ok = 1;

        if (c->file) {
            char rel[128];

            snprintf(rel, sizeof(rel), "golden/x12/%s", c->file);
            in = tu_read(rel, &n);
        } else {
            in = edi_xstrdup(c->text);
            n = strlen(in);
        }
        if (c->from) {
            changed = replace(in, c->from, c->to);
            free(in);
            if (changed == NULL) {
                print_message("# %s: '%s' is not in %s\n", c->name, c->from, c->file);
                bad++;
                continue;
            }
            in = changed;
            n = strlen(in);
        }
        if (c->from2) {
            changed = replace(in, c->from2, c->to2);
            free(in);
            assert_non_null(changed);
            in = changed;
            n = strlen(in);
        }
        ack = ack_of(in, n, &c->opt, NULL);
        free(in);
        for (k = 0; k < 8 && c->want[k]; k++)
            if (count_matching(ack, c->want[k]) == 0) {
                print_message("# %s: no %s~\n", c->name, c->want[k]);
                ok = 0;
            }
        for (k = 0; k < 4 && c->not[k]; k++)
            if (count_matching(ack, c->not[k]) != 0) {
                print_message("# %s: has %s~\n", c->name, c->not[k]);
                ok = 0;
            }
        check_ack_text(&v, ack, c->ack_guide);
        if (v.findings != 0 || v.sets != (uint64_t)c->ack_sets || v.interchanges == 0) {
            print_message("# %s: the ack has %llu interchanges, %llu sets (want %d), findings: %s\n",
                          c->name, (unsigned long long)v.interchanges, (unsigned long long)v.sets,
                          c->ack_sets, v.codes);
            ok = 0;
        }
        if (!ok) {
            print_message("# the ack:\n%s", ack);
            bad++;
        }
        free(ack);
    }
    assert_int_equal(bad, 0);
}

/* ---- whole documents ---------------------------------------------------------------------- */

static void test_exact_997(void **state)
{
    size_t n;
    char *in = tu_read("golden/x12/amazon-rp-850.edi", &n), *ack = ack_of(in, n, NULL, NULL);

    free(in);
    assert_string_equal(ack,
        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000000001*0*P*>~\n"
        "GS*FA*ACMEVENDOR*AMAZON*20250101*0000*1*X*004010~\n"
        "ST*997*0001~\n"
        "AK1*PO*4721~\n"
        "AK2*850*0001~\n"
        "AK5*A~\n"
        "AK9*A*1*1*1~\n"
        "SE*6*0001~\n"
        "GE*1*1~\n"
        "IEA*1*000000001~\n");
    free(ack);
}

static void test_exact_999_reject(void **state)
{
    size_t n;
    char *in = tu_read("golden/x12/bad/bad-date.edi", &n);
    struct ackopt o = {EDI_ACK_999, 0, NULL};
    char *ack = ack_of(in, n, &o, NULL);

    free(in);
    assert_string_equal(ack,
        "ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*U*00401*000000001*0*P*>~\n"
        "GS*FA*ACMEVENDOR*AMAZON*20250101*0000*1*X*005010X231A1~\n"
        "ST*999*0001*005010X231A1~\n"
        "AK1*PO*4721*004010~\n"
        "AK2*850*0001~\n"
        "IK3*BEG*2**8~\n"
        "IK4*5*373*8*20241310~\n"
        "IK5*R*5~\n"
        "AK9*R*1*1*0~\n"
        "SE*8*0001~\n"
        "GE*1*1~\n"
        "IEA*1*000000001~\n");
    free(ack);
}

/* Control numbers keep counting over interchanges; each IEA02 matches its
 * ISA13 (the check of the ack text would say otherwise). */
static void test_control_numbers(void **state)
{
    size_t n;
    char *one = tu_read("golden/x12/amazon-rp-850.edi", &n), *in, *ack;
    struct vstats v;

    in = edi_xmalloc(2 * n + 1);
    memcpy(in, one, n);
    memcpy(in + n, one, n);
    in[2 * n] = '\0';
    free(one);
    ack = ack_of(in, 2 * n, NULL, NULL);
    free(in);
    assert_int_equal(count_matching(ack, "IEA*1*000000001"), 1);
    assert_int_equal(count_matching(ack, "IEA*1*000000002"), 1);
    assert_int_equal(count_matching(ack, "GE*1*1"), 1);
    assert_int_equal(count_matching(ack, "GE*1*2"), 1);
    assert_int_equal(count_matching(ack, "ST*997*0002"), 1);
    check_ack_text(&v, ack, NULL);
    assert_int_equal(v.findings, 0);
    assert_int_equal(v.interchanges, 2);
    free(ack);
}

/* Many findings in one set: AK3/AK4 pairs in order, one AK3 per segment,
 * AK4s after their AK3; the result still validates as a 997. */
static void test_many_notes(void **state)
{
    size_t n;
    char *in = tu_read("golden/x12/amazon-rp-850.edi", &n), *a, *b, *ack;
    struct vstats v;

    a = replace(in, "BEG*00*NE*4Z32PABC**20240315", "BEG*0*XX*4Z32PABC**20241315");
    free(in);
    b = replace(a, "PO1*2*12*EA*8.75", "PO1*2*1X*EA*8.7.5");
    free(a);
    ack = ack_of(b, strlen(b), NULL, NULL);
    free(b);
    assert_int_equal(count_matching(ack, "AK3*BEG*2**8"), 1);
    assert_int_equal(count_matching(ack, "AK3*PO1*10*%*8"), 1);
    assert_int_equal(count_matching(ack, "AK4*1*353*4*0"), 1);
    assert_int_equal(count_matching(ack, "AK4*2*92*7*XX"), 1);
    assert_int_equal(count_matching(ack, "AK4*5*373*8*20241315"), 1);
    assert_int_equal(count_matching(ack, "AK4*2*330*6*1X"), 1);
    assert_int_equal(count_matching(ack, "AK4*4*212*6*8.7.5"), 1);
    assert_non_null(strstr(ack, "AK3*BEG*2**8~\nAK4*1*"));
    check_ack_text(&v, ack, NULL);
    if (v.findings)
        fail_msg("the ack does not validate: %s\n%s", v.codes, ack);
    free(ack);
}

/* A bad value holding our delimiters cannot break the ack. */
static void test_value_with_delimiters(void **state)
{
    size_t n;
    char *in = tu_read("golden/x12/amazon-rp-850.edi", &n), *a, *ack;
    struct vstats v;

    /* '>' is the component separator: an invalid character in BEG03 */
    a = replace(in, "4Z32PABC", "4Z3>PABC");
    free(in);
    ack = ack_of(a, strlen(a), NULL, NULL);
    free(a);
    assert_int_equal(count_matching(ack, "AK4*3*324*6*4Z3PABC"), 1);
    check_ack_text(&v, ack, NULL);
    if (v.findings)
        fail_msg("the ack does not validate: %s\n%s", v.codes, ack);
    free(ack);
}

/* The control-number source may fail: the ack says so (rc), no crash. */
static int failing_next(void *ctx, char kind, uint64_t *out)
{
    *out = 0;
    return EDI_EAGAIN;
}

static void test_ctl_source_fails(void **state)
{
    size_t n;
    char *in = tu_read("golden/x12/amazon-rp-850.edi", &n);
    struct edi_ack_opts opts = {.now = NOW_2025, .ctl = {failing_next, NULL}};
    struct edi_ack a;
    struct edi_check_opts o = {.guides = G, .ack = &a};
    struct edi_check_stats st;
    struct edi_err err;

    edi_ack_init(&a, &opts);
    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(&st, in, n, &o, &err), 0);
    free(in);
    assert_int_equal(a.rc, EDI_EAGAIN);
    edi_ack_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_exact_997),
        cmocka_unit_test(test_exact_999_reject),
        cmocka_unit_test(test_control_numbers),
        cmocka_unit_test(test_many_notes),
        cmocka_unit_test(test_value_with_delimiters),
        cmocka_unit_test(test_ctl_source_fails),
    };

    return cmocka_run_group_tests_name("ack", tests, tu_guides_setup, tu_guides_teardown);
}
