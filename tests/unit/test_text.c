/*
 * test_text.c — character sets of EDI values (edi/text.c): how inbound
 * values decode under each policy (UTF-8, Latin-1 fallback, Latin-1), the
 * Latin-1 round trip, and outbound transliteration into the X12 basic and
 * extended set, or its refusal. Inputs are byte strings; "\xc9" is Latin-1
 * É, "\xc3\x89" UTF-8 É.
 */
#include "testutil.h"
#include "edi/text.h"

/* ---- inbound: decode kind ------------------------------------------------------------ */

struct dcase {
    const char *name;
    const char *in;
    enum edi_text_in mode;
    int want;          /* 0 as UTF-8, 1 as Latin-1, -1 refused */
    size_t bad;        /* offset of the offending byte when refused */
};

static const struct dcase dcases[] = {
    {"ASCII, fallback", "JANE DOE", EDI_TEXT_UTF8_LATIN1, 0, 0},
    {"ASCII, strict", "JANE DOE", EDI_TEXT_UTF8, 0, 0},
    {"ASCII, latin-1", "JANE DOE", EDI_TEXT_LATIN1, 0, 0},
    {"UTF-8 É, fallback", "JOS\xc3\x89", EDI_TEXT_UTF8_LATIN1, 0, 0},
    {"UTF-8 É, strict", "JOS\xc3\x89", EDI_TEXT_UTF8, 0, 0},
    {"UTF-8 bytes read as Latin-1 when told", "JOS\xc3\xa9", EDI_TEXT_LATIN1, 1, 0},
    {"Latin-1 mode: 0x89 is a C1 control", "JOS\xc3\x89", EDI_TEXT_LATIN1, -1, 4},
    {"Latin-1 É, fallback", "JOS\xc9 M\xdcLLER", EDI_TEXT_UTF8_LATIN1, 1, 0},
    {"Latin-1 É, latin-1", "JOS\xc9", EDI_TEXT_LATIN1, 1, 0},
    {"Latin-1 É, strict: refused", "JOS\xc9 M\xdcLLER", EDI_TEXT_UTF8, -1, 3},
    {"C1 control in Latin-1: refused", "JOS\x85", EDI_TEXT_UTF8_LATIN1, -1, 3},
    {"C1 control as UTF-8 (U+0085): refused", "JOS\xc2\x85", EDI_TEXT_UTF8_LATIN1, -1, 3},
    {"overlong UTF-8 falls back to Latin-1", "A\xc0\xaf", EDI_TEXT_UTF8_LATIN1, 1, 0},
    {"UTF-8 surrogate is not UTF-8", "A\xed\xa0\x80", EDI_TEXT_UTF8, -1, 1},
    {"truncated UTF-8, strict", "A\xc3", EDI_TEXT_UTF8, -1, 1},
    {"4-byte UTF-8", "\xf0\x9f\x93\xa6 BOX", EDI_TEXT_UTF8, 0, 0},
    {"NBSP in Latin-1 is text", "A\xa0" "B", EDI_TEXT_UTF8_LATIN1, 1, 0},
};

static void test_decode_kind(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
        const struct dcase *c = &dcases[i];
        size_t bad = 999;
        const char *why = NULL;
        int got = edi_text_decode_kind(edi_str_c(c->in), c->mode, &bad, &why);

        if (got != c->want)
            fail_msg("%s: got %d, want %d", c->name, got, c->want);
        if (got < 0) {
            if (bad != c->bad)
                fail_msg("%s: offending byte at %zu, want %zu", c->name, bad, c->bad);
            assert_non_null(why);
        }
    }
}

static void test_latin1_round_trip(void **state)
{
    struct edi_buf u, l;
    unsigned b;
    char all[256];

    (void)state;
    /* every byte a Latin-1 value can hold comes back as itself */
    for (b = 1; b < 256; b++)
        all[b - 1] = (char)b;
    edi_buf_init(&u, 0);
    edi_buf_init(&l, 0);
    edi_latin1_to_utf8(&u, (struct edi_str){all, 255});
    assert_true(edi_utf8_valid((struct edi_str){u.p, u.n}));
    assert_int_equal(edi_utf8_to_latin1(&l, (struct edi_str){u.p, u.n}), 0);
    assert_int_equal(l.n, 255);
    assert_memory_equal(l.p, all, 255);
    edi_buf_reset(&u);
    edi_latin1_to_utf8(&u, edi_str_c("JOS\xc9"));
    assert_string_equal(edi_buf_cstr(&u), "JOS\xc3\x89");
    /* a character above U+00FF has no Latin-1 byte: refused, nothing added */
    edi_buf_reset(&l);
    assert_int_equal(edi_utf8_to_latin1(&l, edi_str_c("A\xe2\x82\xac")), EDI_ESYNTAX);
    assert_int_equal(l.n, 0);
    edi_buf_dispose(&u);
    edi_buf_dispose(&l);
}

/* ---- outbound: transliteration ---------------------------------------------------- */

struct tcase {
    const char *name;
    const char *in;
    enum edi_text_out mode;
    const char *want;  /* NULL: refused */
    uint32_t bad_cp;
};

static const struct tcase tcases[] = {
    {"ASCII unchanged", "ACME WIDGETS INC", EDI_TEXT_TRANSLITERATE, "ACME WIDGETS INC", 0},
    {"French", "ENTREP\xc3\x94T M\xc3\x9cLLER", EDI_TEXT_TRANSLITERATE, "ENTREPOT MULLER", 0},
    {"German sharp s in capitals", "STRA\xc3\x9f" "E", EDI_TEXT_TRANSLITERATE, "STRASSE", 0},
    {"German sharp s in lower case", "Stra\xc3\x9f" "e", EDI_TEXT_TRANSLITERATE, "Strasse", 0},
    {"Danish", "\xc3\x86R\xc3\x98 K\xc3\xb8" "benhavn \xc3\xa5", EDI_TEXT_TRANSLITERATE, "AERO Kobenhavn a", 0},
    {"Polish", "\xc5\x81\xc3\xb3" "d\xc5\xba", EDI_TEXT_TRANSLITERATE, "Lodz", 0},
    {"Czech", "\xc5\xbd" "LU\xc5\xa4OU\xc4\x8cK\xc3\x9d", EDI_TEXT_TRANSLITERATE, "ZLUTOUCKY", 0},
    {"Hungarian double acute", "Gy\xc5\x91r", EDI_TEXT_TRANSLITERATE, "Gyor", 0},
    {"Romanian comma below", "\xc8\x98" "ir \xc8\x9b", EDI_TEXT_TRANSLITERATE, "Sir t", 0},
    {"ligature OE", "\xc5\x92UVRE", EDI_TEXT_TRANSLITERATE, "OEUVRE", 0},
    {"Icelandic thorn", "\xc3\x9eOR", EDI_TEXT_TRANSLITERATE, "THOR", 0},
    {"curly quotes and dashes", "D\xe2\x80\x99IXELLES \xe2\x80\x93 \xe2\x80\x9cN\xe2\x80\x9d",
     EDI_TEXT_TRANSLITERATE, "D'IXELLES - \"N\"", 0},
    {"no-break space", "12\xc2\xa0RUE", EDI_TEXT_TRANSLITERATE, "12 RUE", 0},
    {"decomposed E + acute", "E\xcc\x81" "COLE", EDI_TEXT_TRANSLITERATE, "ECOLE", 0},
    {"euro sign", "5 \xe2\x82\xac", EDI_TEXT_TRANSLITERATE, "5 EUR", 0},
    {"CJK has no spelling", "\xe6\x9d\xb1\xe4\xba\xac", EDI_TEXT_TRANSLITERATE, NULL, 0x6771},
    {"Cyrillic has no spelling here", "\xd0\x9c", EDI_TEXT_TRANSLITERATE, NULL, 0x41c},
    {"refuse: ASCII passes", "ACME", EDI_TEXT_REFUSE, "ACME", 0},
    {"refuse: any other letter refused", "ENTREP\xc3\x94T", EDI_TEXT_REFUSE, NULL, 0xd4},
    {"not UTF-8 is refused", "JOS\xc9", EDI_TEXT_TRANSLITERATE, NULL, 0},
};

static void test_transliterate(void **state)
{
    size_t i;
    struct edi_buf b;

    (void)state;
    edi_buf_init(&b, 0);
    for (i = 0; i < sizeof(tcases) / sizeof(tcases[0]); i++) {
        const struct tcase *c = &tcases[i];
        uint32_t bad = 12345;
        int rc;

        edi_buf_reset(&b);
        edi_buf_puts(&b, "<");
        rc = edi_text_to_x12(&b, edi_str_c(c->in), c->mode, &bad);
        if (c->want == NULL) {
            if (rc != EDI_ESYNTAX)
                fail_msg("%s: not refused (got '%s')", c->name, edi_buf_cstr(&b));
            if (bad != c->bad_cp)
                fail_msg("%s: refused U+%04X, want U+%04X", c->name, (unsigned)bad, (unsigned)c->bad_cp);
            /* nothing appended on failure */
            assert_string_equal(edi_buf_cstr(&b), "<");
            continue;
        }
        if (rc != 0)
            fail_msg("%s: refused U+%04X", c->name, (unsigned)bad);
        if (strcmp(edi_buf_cstr(&b) + 1, c->want) != 0)
            fail_msg("%s: got '%s', want '%s'", c->name, edi_buf_cstr(&b) + 1, c->want);
    }
    edi_buf_dispose(&b);
}

/* Every transliteration is printable ASCII: nothing it writes can be a byte
 * the partner cannot read. */
static void test_transliteration_is_ascii(void **state)
{
    uint32_t cp;
    struct edi_buf in, out;

    (void)state;
    edi_buf_init(&in, 0);
    edi_buf_init(&out, 0);
    for (cp = 0xa0; cp < 0x2200; cp++) {
        uint32_t bad;
        size_t i;

        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        edi_buf_reset(&in);
        edi_buf_reset(&out);
        if (cp < 0x800) {
            edi_buf_putc(&in, (char)(0xc0 | (cp >> 6)));
            edi_buf_putc(&in, (char)(0x80 | (cp & 0x3f)));
        } else {
            edi_buf_putc(&in, (char)(0xe0 | (cp >> 12)));
            edi_buf_putc(&in, (char)(0x80 | ((cp >> 6) & 0x3f)));
            edi_buf_putc(&in, (char)(0x80 | (cp & 0x3f)));
        }
        if (edi_text_to_x12(&out, (struct edi_str){in.p, in.n}, EDI_TEXT_TRANSLITERATE, &bad) < 0)
            continue;
        for (i = 0; i < out.n; i++)
            if (out.p[i] < 0x20 || out.p[i] > 0x7e)
                fail_msg("U+%04X transliterates to byte 0x%02x", (unsigned)cp, (unsigned char)out.p[i]);
    }
    edi_buf_dispose(&in);
    edi_buf_dispose(&out);
}

/* ---- escaping for logs and messages ------------------------------------------------ */

static void test_escape_line(void **state)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        {"plain file.edi", 0, "plain file.edi"},
        {"a\n2025-01-01T00:00:00Z error forged", 0, "a\\n2025-01-01T00:00:00Z error forged"},
        {"cr\rlf", 0, "cr\\rlf"},
        {"tab\there", 0, "tab\\there"},
        {"\x1b[31mred\x1b[0m", 0, "\\e[31mred\\e[0m"},
        {"back\\slash", 0, "back\\\\slash"},
        {"del\x7f", 0, "del\\x7f"},
        {"JOS\xc3\x89 UTF-8 kept", 0, "JOS\xc3\x89 UTF-8 kept"},
        {"JOS\xc9 Latin-1 byte", 0, "JOS\\xc9 Latin-1 byte"},
        {"C1 CSI \xc2\x9b as UTF-8", 0, "C1 CSI \\xc2\\x9b as UTF-8"},
        {"nul\0inside", 10, "nul\\x00inside"},
    };
    struct edi_buf b;
    size_t i;

    (void)state;
    edi_buf_init(&b, 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        edi_buf_reset(&b);
        edi_escape_line(&b, cases[i].in, cases[i].n ? cases[i].n : strlen(cases[i].in));
        if (strcmp(edi_buf_cstr(&b), cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, edi_buf_cstr(&b), cases[i].want);
    }
    edi_buf_dispose(&b);
}

static void test_parse_settings(void **state)
{
    (void)state;
    assert_int_equal(edi_text_in_parse(NULL), EDI_TEXT_UTF8_LATIN1);
    assert_int_equal(edi_text_in_parse("utf-8 iso-8859-1"), EDI_TEXT_UTF8_LATIN1);
    assert_int_equal(edi_text_in_parse("utf-8"), EDI_TEXT_UTF8);
    assert_int_equal(edi_text_in_parse("iso-8859-1"), EDI_TEXT_LATIN1);
    assert_int_equal(edi_text_in_parse("latin1"), -1);
    assert_int_equal(edi_text_out_parse(NULL), EDI_TEXT_TRANSLITERATE);
    assert_int_equal(edi_text_out_parse("refuse"), EDI_TEXT_REFUSE);
    assert_int_equal(edi_text_out_parse("raw"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_kind),
        cmocka_unit_test(test_latin1_round_trip),
        cmocka_unit_test(test_transliterate),
        cmocka_unit_test(test_transliteration_is_ascii),
        cmocka_unit_test(test_escape_line),
        cmocka_unit_test(test_parse_settings),
    };

    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
