/*
 * test_api.c — the HTTP API's pure pieces (gateway/api/api.h): the login
 * rate limiter, the Cookie header, form and query fields, path segments;
 * and the password rules and digests of gateway/secret/pw.h.
 */
#include "testutil.h"
#include "gateway/api/api.h"
#include "gateway/secret/pw.h"

static void rate_limits_failures_per_key_for_a_minute(void **state)
{
    static struct gw_rate r;
    int i;

    (void)state;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < 5; i++) {
        assert_int_equal(gw_rate_check(&r, "name:olga", 5, 1000 + i), 0);
        gw_rate_fail(&r, "name:olga", 1000 + i);
    }
    /* the sixth in the minute that began at 1000 waits until 1060 */
    assert_int_equal(gw_rate_check(&r, "name:olga", 5, 1010), 50);
    assert_int_equal(gw_rate_check(&r, "name:vic", 5, 1010), 0);
    /* a higher limit for the same key is not reached */
    assert_int_equal(gw_rate_check(&r, "name:olga", 6, 1010), 0);
    /* a new minute */
    assert_int_equal(gw_rate_check(&r, "name:olga", 5, 1060), 0);
    gw_rate_fail(&r, "name:olga", 1060);
    assert_int_equal(gw_rate_check(&r, "name:olga", 1, 1061), 59);
}

static void rate_reuses_the_oldest_slot_when_full(void **state)
{
    static struct gw_rate r;
    char key[32];
    int i;

    (void)state;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < GW_RATE_SLOTS + 1; i++) {
        snprintf(key, sizeof(key), "peer:%d", i);
        gw_rate_fail(&r, key, 2000 + i);
    }
    /* peer:0 (the oldest) gave its slot to the last one */
    assert_int_equal(gw_rate_check(&r, "peer:0", 1, 2070), 0);
    snprintf(key, sizeof(key), "peer:%d", GW_RATE_SLOTS);
    assert_int_equal(gw_rate_check(&r, key, 1, 2070), 2000 + GW_RATE_SLOTS + 60 - 2070);
}

static void cookie_header(void **state)
{
    char v[16];

    (void)state;
    assert_int_equal(gw_api_cookie("a=1; wharf_session=abc; b=2", "wharf_session", v, sizeof(v)), 1);
    assert_string_equal(v, "abc");
    assert_int_equal(gw_api_cookie("wharf_session=x", "wharf_session", v, sizeof(v)), 1);
    assert_string_equal(v, "x");
    /* a name that only begins like it is another cookie */
    assert_int_equal(gw_api_cookie("wharf_session2=zz;xwharf_session=yy", "wharf_session", v, sizeof(v)), 0);
    assert_int_equal(gw_api_cookie("", "wharf_session", v, sizeof(v)), 0);
    assert_int_equal(gw_api_cookie("wharf_session=0123456789abcdefXYZ", "wharf_session", v, sizeof(v)), -1);
    assert_int_equal(gw_api_cookie("wharf_session=", "wharf_session", v, sizeof(v)), 0);
}

static void form_and_query_fields(void **state)
{
    char v[16];

    (void)state;
    assert_int_equal(gw_api_form("name=olga&password=a+b%21", "password", v, sizeof(v)), 1);
    assert_string_equal(v, "a b!");
    assert_int_equal(gw_api_form("xname=1&name=2", "name", v, sizeof(v)), 1);
    assert_string_equal(v, "2");
    assert_int_equal(gw_api_form("state=&q=1", "state", v, sizeof(v)), 1);
    assert_string_equal(v, "");
    assert_int_equal(gw_api_form("q=1", "state", v, sizeof(v)), 0);
    assert_int_equal(gw_api_form("q=%4", "q", v, sizeof(v)), -1);           /* cut escape */
    assert_int_equal(gw_api_form("q=%zz", "q", v, sizeof(v)), -1);          /* no hex */
    assert_int_equal(gw_api_form("q=a%0Ab", "q", v, sizeof(v)), -1);        /* a line feed */
    assert_int_equal(gw_api_form("q=a%00b", "q", v, sizeof(v)), -1);        /* a NUL */
    assert_int_equal(gw_api_form("q=0123456789abcdef", "q", v, sizeof(v)), -1);
}

static void path_segments(void **state)
{
    char v[32];

    (void)state;
    assert_int_equal(gw_api_segment("amazon-rp", 9, v, sizeof(v)), 1);
    assert_string_equal(v, "amazon-rp");
    assert_int_equal(gw_api_segment("PO%20A+1", 8, v, sizeof(v)), 1);
    assert_string_equal(v, "PO A+1");   /* '+' is itself in a path */
    assert_int_equal(gw_api_segment("..%2Fetc", 8, v, sizeof(v)), -1);
    assert_int_equal(gw_api_segment("..%2fetc", 8, v, sizeof(v)), -1);
}

static void password_rules(void **state)
{
    struct edi_err err;

    (void)state;
    edi_err_clear(&err);
    assert_int_equal(gw_pw_check("", 0, &err), EDI_ESYNTAX);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(gw_pw_check("123456789", 9, &err), EDI_ESYNTAX);
    assert_non_null(strstr(err.msg, "too short: 9 characters, at least 10"));
    assert_int_equal(gw_pw_check("1234567890", 10, &err), 0);
    assert_int_equal(gw_pw_check("12345\t67890", 11, &err), EDI_ESYNTAX);
    assert_non_null(strstr(err.msg, "position 6"));
}

static void hashes_verify_and_digests_differ(void **state)
{
    char h[GW_PWHASH_MAX], t1[GW_TOKEN_HEX], t2[GW_TOKEN_HEX], d[GW_DIGEST_HEX];
    struct edi_err err;

    (void)state;
    edi_err_clear(&err);
    assert_int_equal(gw_pw_hash(h, "correct horse", 13, &err), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_int_equal(gw_pw_verify(h, "correct horse", 13), 1);
    assert_int_equal(gw_pw_verify(h, "correct hors", 12), 0);
    assert_int_equal(gw_pw_verify("not a hash", "x", 1), 0);
    gw_pw_token(t1);
    gw_pw_token(t2);
    assert_int_equal(strlen(t1), 64);
    assert_string_not_equal(t1, t2);
    gw_pw_digest(d, t1, strlen(t1));
    assert_int_equal(strlen(d), 64);
    assert_string_not_equal(d, t1);
    assert_int_equal(gw_pw_equal(t1, t1), 1);
    assert_int_equal(gw_pw_equal(t1, t2), 0);
    assert_int_equal(gw_pw_equal("ab", "abc"), 0);
}

/* SPEC: issue 17 — what a viewer sees of a DF partner's texts: each
 * line's position and rule, nothing of what it quotes. */
static void redact_keeps_position_and_rule_only(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"segment 8: N301 '123 ANY STREET' is 72 characters, at most 55 allowed [element-too-long]\n",
         "segment 8: [hidden: operators only] [element-too-long]\n"},
        /* two lines; a quarantine reason's TA105 tag */
        {"po.edi: refused: not from 'JANE DOE'\ninterchange 1 from ZZ/X: ISA06 'X' [unexpected-sender, TA105 006]",
         "[hidden: operators only]\n[hidden: operators only] [unexpected-sender, TA105 006]"},
        /* what only looks like a rule or a position keeps nothing */
        {"name [JANE DOE]", "[hidden: operators only]"},
        {"the street is [123 main st]", "[hidden: operators only]"},
        {"segment 8:JANE [a, TA105 0x6]", "[hidden: operators only]"},
        {"segment : JANE DOE", "[hidden: operators only]"},
        {"JANE DOE [code]x", "[hidden: operators only]"},
        {"", ""},
        {"\n\n", "\n\n"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = gw_api_redact(cases[i].in);

        assert_string_equal(r, cases[i].out);
        free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rate_limits_failures_per_key_for_a_minute),
        cmocka_unit_test(rate_reuses_the_oldest_slot_when_full),
        cmocka_unit_test(cookie_header),
        cmocka_unit_test(form_and_query_fields),
        cmocka_unit_test(path_segments),
        cmocka_unit_test(redact_keeps_position_and_rule_only),
        cmocka_unit_test(password_rules),
        cmocka_unit_test(hashes_verify_and_digests_differ),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
