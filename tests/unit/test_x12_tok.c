/*
 * test_x12_tok.c — the streaming tokenizer: delimiters from the ISA, every
 * terminator style, feeding in pieces, resynchronising after garbage, limits.
 */
#include "testutil.h"
#include "edi/x12.h"

#define ISA4(sep, comp, term) \
    "ISA" sep "00" sep "          " sep "00" sep "          " sep "ZZ" sep "AMAZON         " sep \
    "ZZ" sep "ACMEVENDOR     " sep "240315" sep "0712" sep "U" sep "00401" sep "000004721" sep \
    "0" sep "P" sep comp term

/* Collects segment ids, joined by spaces, and counts errors. */
static void tokenize(const char *in, size_t n, size_t piece, char *ids, size_t cap, int *errors)
{
    struct edi_tok t;
    struct edi_seg s;
    size_t off = 0;
    int rc;

    edi_tok_init(&t, NULL);
    ids[0] = '\0';
    *errors = 0;
    for (;;) {
        rc = edi_tok_next(&s, &t, NULL);
        if (rc == EDI_OK) {
            char id[8];

            if (ids[0])
                strncat(ids, " ", cap - strlen(ids) - 1);
            strncat(ids, edi_str_copy(id, sizeof(id), s.el[0]), cap - strlen(ids) - 1);
            continue;
        }
        if (rc == EDI_DONE)
            break;
        if (rc == EDI_EMORE) {
            size_t k = n - off < piece ? n - off : piece;

            if (k == 0)
                edi_tok_finish(&t);
            else
                edi_tok_feed(&t, in + off, k);
            off += k;
            continue;
        }
        (*errors)++;
    }
    edi_tok_dispose(&t);
}

struct tcase {
    const char *name;
    const char *in;
    const char *ids;
    int errors;
};

static const struct tcase cases[] = {
    {"tilde", ISA4("*", ">", "~") "GS*PO~ST*850*0001~SE*2*0001~GE*1*1~IEA*1*000004721~",
     "ISA GS ST SE GE IEA", 0},
    {"tilde newline", ISA4("*", ">", "~") "\nGS*PO~\nST*850*0001~\nSE*2*0001~\nIEA*1*1~\n",
     "ISA GS ST SE IEA", 0},
    {"tilde crlf", ISA4("*", ">", "~") "\r\nGS*PO~\r\nST*850*0001~\r\nIEA*1*1~\r\n",
     "ISA GS ST IEA", 0},
    {"bare newline", ISA4("*", ">", "\n") "GS*PO\nST*850*0001\nIEA*1*1\n", "ISA GS ST IEA", 0},
    {"crlf as newline terminator", ISA4("*", ">", "\n") "GS*PO\r\nST*850*0001\r\nIEA*1*1\r\n",
     "ISA GS ST IEA", 0},
    {"other delimiters", ISA4("|", "^", "'") "GS|PO'ST|850|0001'IEA|1|1'", "ISA GS ST IEA", 0},
    {"two interchanges, two styles",
     ISA4("*", ">", "~") "GS*PO~IEA*1*1~" ISA4("|", "^", "'") "GS|PO'IEA|1|1'",
     "ISA GS IEA ISA GS IEA", 0},
    {"leading white space and BOM", "\xef\xbb\xbf\n  " ISA4("*", ">", "~") "IEA*0*1~", "ISA IEA", 0},
    {"garbage before", "hello world" ISA4("*", ">", "~") "IEA*0*1~", "ISA IEA", 1},
    {"garbage between", ISA4("*", ">", "~") "IEA*0*1~\x01\x02\x03junk" ISA4("*", ">", "~") "IEA*0*1~",
     "ISA IEA ISA IEA", 1},
    {"truncated segment", ISA4("*", ">", "~") "GS*PO~ST*85", "ISA GS", 1},
    {"empty", "", "", 0},
    {"short ISA still found", "ISA*00*x*00*x*ZZ*A*ZZ*B*240315*0712*U*00401*000000001*0*P*>~IEA*0*1~",
     "ISA IEA", 0},
};

static void test_cases_whole_and_in_pieces(void **state)
{
    static const size_t pieces[] = {1, 2, 3, 7, 64, 100000};
    size_t i, k;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
            char ids[256];
            int errors;

            tokenize(cases[i].in, strlen(cases[i].in), pieces[k], ids, sizeof(ids), &errors);
            if (strcmp(ids, cases[i].ids) != 0 || errors != cases[i].errors)
                fail_msg("%s (pieces of %zu): got '%s' with %d errors, want '%s' with %d",
                         cases[i].name, pieces[k], ids, errors, cases[i].ids, cases[i].errors);
        }
    }
}

static void test_delimiters(void **state)
{
    static const char in5[] = "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
                              "*240315*0712*^*00501*000004721*0*P*:~IEA*0*000004721~";
    static const char in4[] = ISA4("*", ">", "~") "IEA*0*1~";
    struct edi_tok t;
    struct edi_seg s;

    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, in5, sizeof(in5) - 1);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(t.d.elem, '*');
    assert_int_equal(t.d.comp, ':');
    assert_int_equal(t.d.rep, '^');
    assert_int_equal(t.d.seg, '~');
    assert_int_equal(s.n, 16);
    assert_int_equal(t.isa_bad, 0);
    edi_tok_dispose(&t);

    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, in4, sizeof(in4) - 1);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(t.d.rep, 0);   /* 00401: ISA11 is the standards id U */
    edi_tok_dispose(&t);
}

static void test_isa_not_106(void **state)
{
    static const char in[] = "ISA*00*          *00*          *ZZ*AMAZON*ZZ*ACMEVENDOR     "
                             "*240315*0712*U*00401*000004721*0*P*>~IEA*0*000004721~";
    struct edi_tok t;
    struct edi_seg s;

    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, in, sizeof(in) - 1);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(t.isa_bad, 6);
    assert_non_null(strstr(t.isa_problem, "ISA06 is 6 characters, must be 15"));
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_true(edi_str_eq(s.el[0], "IEA"));
    edi_tok_dispose(&t);
}

static void test_segment_limit(void **state)
{
    struct edi_limits lim;
    struct edi_tok t;
    struct edi_seg s;
    struct edi_err err;
    char big[300];
    static const char head[] = ISA4("*", ">", "~");

    edi_limits_default(&lim);
    lim.max_segment = 200;
    memset(big, 'A', sizeof(big));
    edi_tok_init(&t, &lim);
    edi_tok_feed(&t, head, sizeof(head) - 1);
    edi_tok_feed(&t, "REF*", 4);
    edi_tok_feed(&t, big, sizeof(big));
    edi_tok_feed(&t, "~IEA*0*1~", 9);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, &err), EDI_OK);
    assert_int_equal(edi_tok_next(&s, &t, &err), EDI_ELIMIT);
    assert_non_null(strstr(err.msg, "longer than 200 bytes"));
    assert_int_equal(edi_tok_next(&s, &t, &err), EDI_OK);
    assert_true(edi_str_eq(s.el[0], "IEA"));
    edi_tok_dispose(&t);
}

/* The element limit holds exactly, whatever the array's growth: 4,096 data
 * elements pass a 4,096 limit, 4,097 and 6,000 do not (6,000 once passed,
 * when the limit was checked only as the array doubled). */
static void test_element_limit(void **state)
{
    static const struct {
        size_t elements;
        int want;
    } lcases[] = {{4095, EDI_OK}, {4096, EDI_OK}, {4097, EDI_ELIMIT}, {6000, EDI_ELIMIT}, {9000, EDI_ELIMIT}};
    static const char head[] = ISA4("*", ">", "~");
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
        struct edi_limits lim;
        struct edi_tok t;
        struct edi_seg s;
        struct edi_err err;
        struct edi_buf b;

        edi_limits_default(&lim);
        lim.max_elements = 4096;
        lim.max_segment = 1u << 20;
        edi_buf_init(&b, 0);
        edi_buf_puts(&b, "REF");
        for (k = 0; k < lcases[i].elements; k++)
            edi_buf_puts(&b, "*A");
        edi_buf_puts(&b, "~IEA*0*1~");
        edi_tok_init(&t, &lim);
        edi_tok_feed(&t, head, sizeof(head) - 1);
        edi_tok_feed(&t, b.p, b.n);
        edi_tok_finish(&t);
        assert_int_equal(edi_tok_next(&s, &t, &err), EDI_OK);
        if (edi_tok_next(&s, &t, &err) != lcases[i].want)
            fail_msg("%zu elements: want %d", lcases[i].elements, lcases[i].want);
        if (lcases[i].want == EDI_OK)
            assert_int_equal(s.n, lcases[i].elements);
        else
            assert_non_null(strstr(err.msg, "more than 4096 elements"));
        /* the next segment is still read */
        assert_int_equal(edi_tok_next(&s, &t, &err), EDI_OK);
        assert_true(edi_str_eq(s.el[0], "IEA"));
        edi_tok_dispose(&t);
        edi_buf_dispose(&b);
    }
}

/* A fresh tokenizer fed nothing: its space is a real buffer, never an
 * offset from NULL (UBSan flagged the seed corpus at edi_tok_space). */
static void test_empty_feed(void **state)
{
    struct edi_tok t;
    struct edi_seg s;
    size_t avail = 0;

    (void)state;
    edi_tok_init(&t, NULL);
    assert_non_null(edi_tok_space(&t, 0, &avail));
    edi_tok_feed(&t, "", 0);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_DONE);
    edi_tok_dispose(&t);
}

static void test_offsets_and_index(void **state)
{
    static const char in[] = ISA4("*", ">", "~") "\nGS*PO*A~\nIEA*1*1~\n";
    struct edi_tok t;
    struct edi_seg s;

    edi_tok_init(&t, NULL);
    edi_tok_feed(&t, in, sizeof(in) - 1);
    edi_tok_finish(&t);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(s.offset, 0);
    assert_int_equal(s.index, 1);
    assert_int_equal(edi_tok_next(&s, &t, NULL), EDI_OK);
    assert_int_equal(s.offset, 107);
    assert_int_equal(s.index, 2);
    assert_int_equal(s.n, 2);
    assert_true(edi_str_eq(s.el[2], "A"));
    edi_tok_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_whole_and_in_pieces),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_isa_not_106),
        cmocka_unit_test(test_segment_limit),
        cmocka_unit_test(test_element_limit),
        cmocka_unit_test(test_empty_feed),
        cmocka_unit_test(test_offsets_and_index),
    };

    return cmocka_run_group_tests_name("x12_tok", tests, NULL, NULL);
}
