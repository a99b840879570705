/*
 * test_erp_api.c — what the API ERP connectors share (gateway/erp/api.h),
 * table-driven where it is pure: what an ERP's HTTP status means for a
 * message, base64, a message's name split, a connector's <param>s; and over
 * a real store in a temp folder: the endpoint gw_api_open makes (the ERP's
 * own when none, trailing '/' cut, one too long refused before anything is
 * opened), and what a connector remembers (the ref helpers).
 */
#include "testutil.h"
#include "gateway/core/config.h"
#include "gateway/erp/api.h"
#include "gateway/store/store.h"

#define T0 1735689600   /* 2025-01-01T00:00:00Z */

#define OK(call)                                                                              \
    do {                                                                                      \
        struct edi_err err_;                                                                  \
        edi_err_clear(&err_);                                                                 \
        if ((call) != 0)                                                                      \
            fail_msg("%s: %s", #call, err_.msg);                                              \
    } while (0)
#define E (&err_)

/* ---- pure ---------------------------------------------------------------------------------- */

static void test_rc_of(void **state)
{
    static const struct {
        long status;
        int want;
    } cases[] = {
        {500, EDI_EAGAIN}, {502, EDI_EAGAIN}, {503, EDI_EAGAIN}, {504, EDI_EAGAIN}, {599, EDI_EAGAIN},
        {429, EDI_EAGAIN}, {408, EDI_EAGAIN},                  /* later */
        {401, EDI_ECONFIG}, {403, EDI_ECONFIG},                /* the credentials: an operator's */
        {400, EDI_ESYNTAX}, {404, EDI_ESYNTAX}, {409, EDI_ESYNTAX}, {412, EDI_ESYNTAX},
        {422, EDI_ESYNTAX}, {499, EDI_ESYNTAX},                /* this document refused: held */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (gw_api_rc_of(cases[i].status) != cases[i].want)
            fail_msg("status %ld: %d, want %d", cases[i].status, gw_api_rc_of(cases[i].status), cases[i].want);
}

static void test_base64(void **state)
{
    /* RFC 4648 section 10, and bytes that are not text */
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        {"", 0, ""},
        {"f", 1, "Zg=="},
        {"fo", 2, "Zm8="},
        {"foo", 3, "Zm9v"},
        {"foob", 4, "Zm9vYg=="},
        {"fooba", 5, "Zm9vYmE="},
        {"foobar", 6, "Zm9vYmFy"},
        {"\0\xff\xfe", 3, "AP/+"},
        {"client:secret", 13, "Y2xpZW50OnNlY3JldA=="},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        edi_buf_puts(&b, "Basic ");   /* appended to what is there */
        gw_api_base64(&b, cases[i].in, cases[i].n);
        if (strncmp(edi_buf_cstr(&b), "Basic ", 6) != 0 || strcmp(edi_buf_cstr(&b) + 6, cases[i].want) != 0)
            fail_msg("base64 of case %zu: '%s', want 'Basic %s'", i, edi_buf_cstr(&b), cases[i].want);
        edi_buf_dispose(&b);
    }
    /* a long input has no line breaks */
    {
        char in[300];
        struct edi_buf b;

        memset(in, 'x', sizeof(in));
        edi_buf_init(&b, 0);
        gw_api_base64(&b, in, sizeof(in));
        assert_int_equal(b.n, 400);
        assert_null(memchr(b.p, '\n', b.n));
        edi_buf_dispose(&b);
    }
}

static void test_name(void **state)
{
    static const struct {
        const char *name;
        const char *kind, *partner, *id;   /* NULL kind: refused */
    } cases[] = {
        {"order:amazon-rp:4Z32PABC", "order", "amazon-rp", "4Z32PABC"},
        {"invoice:amazon-df:ACME-DF-000001", "invoice", "amazon-df", "ACME-DF-000001"},
        {"shipment:p:A:B", "shipment", "p", "A:B"},   /* the id keeps its own colons */
        {"order::X", "order", "", "X"},
        {"order:p:", "order", "p", ""},
        {"order", NULL, NULL, NULL},
        {"order:amazon-rp", NULL, NULL, NULL},
        {"", NULL, NULL, NULL},
        {NULL, NULL, NULL, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *kind = NULL, *partner = NULL, *id = NULL;
        struct edi_err err;
        char *copy = NULL;
        int rc;

        edi_err_clear(&err);
        rc = gw_api_name(&copy, &kind, &partner, &id, cases[i].name, &err);
        assert_non_null(copy);   /* the caller's to free, either way */
        if (cases[i].kind == NULL) {
            assert_int_equal(rc, EDI_ESYNTAX);
            assert_non_null(strstr(err.msg, "is not KIND:PARTNER:ID"));
            assert_non_null(strstr(err.msg, cases[i].name ? cases[i].name : "''"));
        } else {
            if (rc != 0)
                fail_msg("'%s': %s", cases[i].name, err.msg);
            assert_string_equal(kind, cases[i].kind);
            assert_string_equal(partner, cases[i].partner);
            assert_string_equal(id, cases[i].id);
        }
        free(copy);
    }
}

static void test_param(void **state)
{
    struct map_param params[] = {{"warehouse-id", "2"}, {"channel-id", "1"}, {"warehouse-id", "9"}, {"empty", ""}};
    struct gw_erp_conf conf;
    struct gw_api a;
    static const struct {
        const char *name, *dflt, *want;
    } cases[] = {
        {"warehouse-id", "7", "2"},   /* the first of two */
        {"channel-id", NULL, "1"},
        {"empty", "x", ""},           /* set empty is set */
        {"price-list-id", "1", "1"},  /* not there: the default */
        {"price-list-id", NULL, NULL},
        {"Warehouse-Id", "d", "d"},   /* names are exact */
    };
    size_t i;

    (void)state;
    memset(&conf, 0, sizeof(conf));
    memset(&a, 0, sizeof(a));
    conf.id = "bp";
    conf.params = params;
    conf.nparams = sizeof(params) / sizeof(params[0]);
    a.conf = &conf;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = gw_api_param(&a, cases[i].name, cases[i].dflt);

        if (cases[i].want == NULL ? got != NULL : got == NULL || strcmp(got, cases[i].want) != 0)
            fail_msg("param %s: '%s', want '%s'", cases[i].name, got ? got : "(null)",
                     cases[i].want ? cases[i].want : "(null)");
    }
    conf.nparams = 0;
    assert_string_equal(gw_api_param(&a, "warehouse-id", "none"), "none");
}

/* ---- over a store ---------------------------------------------------------------------------- */

struct fx {
    char dir[64];
    struct gw_config cfg;
    struct gw_ctx c;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    char path[128];
    struct edi_err err;
    int created = 0;

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/wharf-api-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    unsetenv("WHARF_MASTER_KEY_FILE");
    f->cfg.workspace = f->dir;
    f->c.cfg = &f->cfg;
    f->c.now = T0;
    edi_err_clear(&err);
    snprintf(path, sizeof(path), "%s/secrets.key", f->dir);
    if (gw_vault_create_key(path, &created, &err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/wharf.db", f->dir);
    if (gw_store_open(&f->c.store, path, &err) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    gw_store_close(f->c.store);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void test_endpoint(void **state)
{
    struct fx *f = *state;
    static char long_one[2000];
    static const struct {
        const char *endpoint, *want;   /* NULL want: refused */
    } cases[] = {
        {NULL, "https://erp.example"},                         /* the ERP's own */
        {"https://127.0.0.1:8443", "https://127.0.0.1:8443"},
        {"https://127.0.0.1:8443/", "https://127.0.0.1:8443"},
        {"https://127.0.0.1:8443/base///", "https://127.0.0.1:8443/base"},
        {"/", ""},
        {long_one, NULL},
    };
    size_t i;

    memset(long_one, 'a', sizeof(long_one) - 1);
    memcpy(long_one, "https://", 8);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_erp_conf conf;
        struct gw_api a;
        struct edi_err err;
        int rc;

        memset(&conf, 0, sizeof(conf));
        conf.id = "bp";
        conf.endpoint = cases[i].endpoint;
        edi_err_clear(&err);
        rc = gw_api_open(&a, &f->c, &conf, "Brightpearl", "https://erp.example", &err);
        if (cases[i].want == NULL) {
            assert_int_equal(rc, EDI_ECONFIG);
            assert_string_equal(err.msg, "<erp id=\"bp\">: the endpoint is too long");
            assert_null(a.http);
            assert_null(a.vault);   /* nothing opened */
            continue;
        }
        if (rc != 0)
            fail_msg("endpoint %zu: %s", i, err.msg);
        assert_string_equal(a.endpoint, cases[i].want);
        assert_string_equal(a.who, "Brightpearl");
        assert_non_null(a.http);
        assert_non_null(a.vault);
        gw_api_close(&a);
        assert_null(a.http);
        assert_null(a.vault);
    }
}

static void test_secret_missing_says_how(void **state)
{
    struct fx *f = *state;
    struct gw_erp_conf conf;
    struct gw_secret *s = NULL;
    struct gw_api a;

    memset(&conf, 0, sizeof(conf));
    conf.id = "qbo";
    OK(gw_api_open(&a, &f->c, &conf, "QuickBooks", "https://erp.example", E));
    {
        struct edi_err err;

        edi_err_clear(&err);
        assert_int_equal(gw_api_secret(&a, "qbo-refresh-token", &s, &err), EDI_ECONFIG);
        assert_null(s);
        assert_string_equal(err.msg, "ERP qbo (QuickBooks): no qbo-refresh-token in the vault: `wharf secrets set "
                                     "qbo qbo-refresh-token` (the value on standard input), or `wharf erp connect qbo`");
    }
    OK(gw_vault_set(a.vault, "qbo", "qbo-refresh-token", "r1", 2, T0, E));
    OK(gw_api_secret(&a, "qbo-refresh-token", &s, E));
    assert_string_equal(s->p, "r1");
    gw_secret_free(s);
    gw_api_close(&a);
}

static void test_refs(void **state)
{
    struct fx *f = *state;
    struct gw_erp_conf bp, qbo;
    struct gw_api a, b;
    char out[8], *v = NULL;

    memset(&bp, 0, sizeof(bp));
    memset(&qbo, 0, sizeof(qbo));
    bp.id = "bp";
    qbo.id = "qbo";
    OK(gw_api_open(&a, &f->c, &bp, "Brightpearl", "https://erp.example", E));
    OK(gw_api_open(&b, &f->c, &qbo, "QuickBooks", "https://erp.example", E));
    /* none yet: NULL, and copy says 0 and leaves out alone */
    OK(gw_api_ref_get(&v, &a, "order:amazon-rp:4Z32PABC", E));
    assert_null(v);
    strcpy(out, "keep");
    OK(gw_api_ref_copy(out, sizeof(out), &a, "order:amazon-rp:4Z32PABC", E));
    assert_string_equal(out, "keep");
    /* set, read back; another connector's are its own */
    OK(gw_api_ref_set(&a, "order:amazon-rp:4Z32PABC", "5001", E));
    OK(gw_api_ref_set(&b, "order:amazon-rp:4Z32PABC", "130", E));
    {
        struct edi_err err;

        edi_err_clear(&err);
        assert_int_equal(gw_api_ref_copy(out, sizeof(out), &a, "order:amazon-rp:4Z32PABC", &err), 1);
        assert_string_equal(out, "5001");
        assert_int_equal(gw_api_ref_copy(out, sizeof(out), &b, "order:amazon-rp:4Z32PABC", &err), 1);
        assert_string_equal(out, "130");
        /* set again: replaced; a value longer than out is cut, not overrun */
        OK(gw_api_ref_set(&a, "order:amazon-rp:4Z32PABC", "123456789012", E));
        assert_int_equal(gw_api_ref_copy(out, sizeof(out), &a, "order:amazon-rp:4Z32PABC", &err), 1);
        assert_string_equal(out, "1234567");
    }
    OK(gw_api_ref_get(&v, &a, "order:amazon-rp:4Z32PABC", E));
    assert_string_equal(v, "123456789012");
    free(v);
    gw_api_close(&a);
    gw_api_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rc_of),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_param),
        cmocka_unit_test_setup_teardown(test_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_missing_says_how, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refs, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
