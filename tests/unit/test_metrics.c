/*
 * test_metrics.c — the machine-facing formats of issue 17: the Prometheus
 * text exposition writer (api/metrics.c: HELP and TYPE lines, label values
 * and help texts escaped, numbers) and the JSON log line (core/ctx.c:
 * gw_json_str's escaping, the line's fields, and how gw_log splits a
 * message into partner, document and event). The scrape itself runs
 * against a real daemon in tests/integration/metrics.sh.
 */
#include "testutil.h"
#include "gateway/api/metrics.h"
#include "gateway/core/ctx.h"

#include <jansson.h>

/* ---- exposition format ------------------------------------------------------------------ */

struct pcase {
    const char *name;
    const char *const *labels;
    double v;
    const char *want;
};

#define LB(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct pcase pcases[] = {
    {"no labels", NULL, 1, "m 1\n"},
    {"one label", LB("partner", "amazon-rp"), 3, "m{partner=\"amazon-rp\"} 3\n"},
    {"two labels, in order", LB("a", "x", "b", "y"), 0, "m{a=\"x\",b=\"y\"} 0\n"},
    {"quote, backslash and newline escaped", LB("k", "a\"b\\c\nd"), 2, "m{k=\"a\\\"b\\\\c\\nd\"} 2\n"},
    {"a NULL value is empty", LB("k", NULL), 5, "m{k=\"\"} 5\n"},
    {"UTF-8 kept", LB("k", "M\xc3\xbcller"), 1, "m{k=\"M\xc3\xbcller\"} 1\n"},
    {"bytes that are not UTF-8 become U+FFFD", LB("k", "a\xff" "b\xc3"), 1,
     "m{k=\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"} 1\n"},
    {"an overlong form is not UTF-8", LB("k", "\xc0\xaf"), 1, "m{k=\"\xef\xbf\xbd\xef\xbf\xbd\"} 1\n"},
    {"a large count stays an integer", NULL, 1234567890123.0, "m 1234567890123\n"},
    {"a fraction", NULL, 0.25, "m 0.25\n"},
    {"negative", NULL, -3, "m -3\n"},
};

static void test_prom_sample(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        gw_prom_sample(&b, "m", pcases[i].labels, pcases[i].v);
        if (strcmp(edi_buf_cstr(&b), pcases[i].want) != 0)
            fail_msg("%s: got [%s] want [%s]", pcases[i].name, edi_buf_cstr(&b), pcases[i].want);
        edi_buf_dispose(&b);
    }
}

static void test_prom_family(void **state)
{
    struct edi_buf b;

    (void)state;
    edi_buf_init(&b, 0);
    gw_prom_family(&b, "wharf_x", "gauge", "What \"x\" is,\nwith a \\ in it.");
    /* SPEC: exposition format 0.0.4 — HELP escapes \\ and \n (not quotes) */
    assert_string_equal(edi_buf_cstr(&b), "# HELP wharf_x What \"x\" is,\\nwith a \\\\ in it.\n"
                                          "# TYPE wharf_x gauge\n");
    edi_buf_dispose(&b);
}

/* ---- JSON strings ------------------------------------------------------------------------ */

struct jcase {
    const char *name;
    const char *in;
    size_t n;          /* 0: strlen(in) */
    const char *want;  /* the JSON text */
    const char *decoded;   /* what a JSON parser reads back (NULL: in) */
};

static const struct jcase jcases[] = {
    {"plain", "amazon-rp po.edi: 1 sets", 0, "\"amazon-rp po.edi: 1 sets\"", NULL},
    {"quote and backslash", "a\"b\\c", 0, "\"a\\\"b\\\\c\"", NULL},
    {"newline, return, tab", "a\nb\rc\td", 0, "\"a\\nb\\rc\\td\"", NULL},
    {"other C0 controls and DEL", "\x01\x1b\x7f", 0, "\"\\u0001\\u001b\\u007f\"", NULL},
    {"a NUL inside", "a\0b", 3, "\"a\\u0000b\"", NULL},
    {"UTF-8 kept", "Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6", 0, "\"Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6\"", NULL},
    {"C1 controls escaped", "\xc2\x85", 0, "\"\\u0085\"", NULL},
    {"a lone continuation byte", "a\x80z", 0, "\"a\\ufffdz\"", "a\xef\xbf\xbdz"},
    {"Latin-1 bytes", "JOS\xc9", 0, "\"JOS\\ufffd\"", "JOS\xef\xbf\xbd"},
    {"a cut sequence at the end", "x\xe2\x82", 0, "\"x\\ufffd\\ufffd\"", "x\xef\xbf\xbd\xef\xbf\xbd"},
    {"a surrogate encoded", "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"past U+10FFFF", "\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
};

static void test_json_str(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(jcases) / sizeof(jcases[0]); i++) {
        const struct jcase *c = &jcases[i];
        size_t n = c->n ? c->n : strlen(c->in);
        struct edi_buf b;
        json_error_t je;
        json_t *v;

        edi_buf_init(&b, 0);
        gw_json_str(&b, c->in, n);
        if (strcmp(edi_buf_cstr(&b), c->want) != 0)
            fail_msg("%s: got [%s] want [%s]", c->name, edi_buf_cstr(&b), c->want);
        /* and a JSON parser reads it back as one string */
        v = json_loadb(b.p, b.n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (v == NULL || !json_is_string(v))
            fail_msg("%s: not a JSON string: %s", c->name, je.text);
        if (c->decoded ? strcmp(json_string_value(v), c->decoded) != 0
                       : (json_string_length(v) != n || memcmp(json_string_value(v), c->in, n) != 0))
            fail_msg("%s: read back differs", c->name);
        json_decref(v);
        edi_buf_dispose(&b);
    }
}

static void test_json_line(void **state)
{
    struct edi_buf b;

    (void)state;
    edi_buf_init(&b, 0);
    gw_log_json_line(&b, 1735689600, "warn", "amazon-rp", "po \"1\".edi", "quarantined:\nnot X12");
    assert_string_equal(edi_buf_cstr(&b), "{\"time\":\"2025-01-01T00:00:00Z\",\"level\":\"warn\",\"partner\":"
                                          "\"amazon-rp\",\"document\":\"po \\\"1\\\".edi\",\"event\":"
                                          "\"quarantined:\\nnot X12\"}\n");
    edi_buf_reset(&b);
    gw_log_json_line(&b, 0, "info", NULL, NULL, "stopping");
    assert_string_equal(edi_buf_cstr(&b), "{\"time\":\"1970-01-01T00:00:00Z\",\"level\":\"info\",\"partner\":null,"
                                          "\"document\":null,\"event\":\"stopping\"}\n");
    edi_buf_dispose(&b);
}

/* ---- gw_log in json mode: how a message is split ---------------------------------------- */

struct scase {
    const char *msg;
    const char *partner, *document, *event;   /* NULL: JSON null */
};

static const struct scase scases[] = {
    {"amazon-rp po.edi: quarantined: not X12", "amazon-rp", "po.edi", "quarantined: not X12"},
    {"amazon-rp: woken by an arrival", "amazon-rp", NULL, "woken by an arrival"},
    {"amazon-rp invoice 42 held: no price", "amazon-rp", NULL, "invoice 42 held: no price"},
    {"erp bp: woken: 1 decision applied", "bp", NULL, "woken: 1 decision applied"},
    {"erp nope: woken", NULL, NULL, "erp nope: woken"},
    {"not-a-partner x.edi: whatever", NULL, NULL, "not-a-partner x.edi: whatever"},
    {"outbox: the store: busy", NULL, NULL, "outbox: the store: busy"},
    {"amazon-rp 4Z32 (pending-approval): acknowledgment due", "amazon-rp", NULL,
     "4Z32 (pending-approval): acknowledgment due"},
};

static void test_log_split(void **state)
{
    struct gw_partner p[1];
    struct gw_erp_conf e[1];
    struct gw_config cfg;
    struct gw_ctx c;
    size_t i;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    memset(p, 0, sizeof(p));
    memset(e, 0, sizeof(e));
    p[0].id = "amazon-rp";
    e[0].id = "bp";
    cfg.partners = p;
    cfg.npartners = 1;
    cfg.erps = e;
    cfg.nerps = 1;
    cfg.log_json = 1;
    memset(&c, 0, sizeof(c));
    c.cfg = &cfg;
    c.now = 1735689600;
    for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
        const struct scase *s = &scases[i];
        char *out = NULL;
        size_t n = 0;
        json_error_t je;
        json_t *v;

        c.log = open_memstream(&out, &n);
        gw_log(&c, "info", "%s", s->msg);
        fclose(c.log);
        if (n == 0 || out[n - 1] != '\n' || memchr(out, '\n', n) != out + n - 1)
            fail_msg("%s: not one line: [%s]", s->msg, out);
        if ((v = json_loads(out, 0, &je)) == NULL)
            fail_msg("%s: not JSON: %s", s->msg, je.text);
        assert_string_equal(json_string_value(json_object_get(v, "time")), "2025-01-01T00:00:00Z");
        assert_string_equal(json_string_value(json_object_get(v, "level")), "info");
#define FIELD(k, want) \
    do { \
        json_t *f_ = json_object_get(v, k); \
        if ((want) == NULL ? !json_is_null(f_) : !json_is_string(f_) || strcmp(json_string_value(f_), (want)) != 0) \
            fail_msg("%s: %s is [%s], want [%s]", s->msg, k, json_is_string(f_) ? json_string_value(f_) : "null", \
                     (want) ? (want) : "null"); \
    } while (0)
        FIELD("partner", s->partner);
        FIELD("document", s->document);
        FIELD("event", s->event);
        json_decref(v);
        free(out);
    }
}

/* Without a configuration (the listener's threads) the process-wide switch decides. */
static void test_log_switch(void **state)
{
    struct gw_ctx c;
    char *out = NULL;
    size_t n = 0;

    (void)state;
    memset(&c, 0, sizeof(c));
    c.log = open_memstream(&out, &n);
    gw_log(&c, "info", "text %s", "line");
    gw_log_set_json(1);
    gw_log(&c, "info", "json %s", "line\x01");
    gw_log_set_json(0);
    fclose(c.log);
    assert_non_null(strstr(out, "1970-01-01T00:00:00Z info  text line\n"));
    assert_non_null(strstr(out, "{\"time\":\"1970-01-01T00:00:00Z\",\"level\":\"info\",\"partner\":null,"
                                "\"document\":null,\"event\":\"json line\\u0001\"}\n"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prom_sample),
        cmocka_unit_test(test_prom_family),
        cmocka_unit_test(test_json_str),
        cmocka_unit_test(test_json_line),
        cmocka_unit_test(test_log_split),
        cmocka_unit_test(test_log_switch),
    };

    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
