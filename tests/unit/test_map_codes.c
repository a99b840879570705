/*
 * test_map_codes.c — code lists (map_codes.c) on folders of their own: the
 * four layers a lookup looks at, entry by entry and by direction (the
 * workspace's partner file, the workspace's, the installed partner's, the
 * installed base); workspace files read only when regular and never
 * through a link; listing the files; editing a workspace file (set,
 * replace, delete, refusals) with its comments and one entry a line kept.
 *
 * Lookups through a stylesheet (wharf:lookup, strict and default modes)
 * are test_map.c's.
 */
#include "testutil.h"
#include "mappings/map.h"

#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/wharf-test-codes-XXXXXX";
static char inst[600], ws[600];

static void mk(const char *base, const char *rel)
{
    char path[1200];

    snprintf(path, sizeof(path), "%s/%s", base, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(root) == NULL)
        return -1;
    snprintf(inst, sizeof(inst), "%s/mappings", root);
    snprintf(ws, sizeof(ws), "%s/ws", root);
    mkdir(inst, 0755);
    mkdir(ws, 0755);
    mk(inst, "codelists");
    mk(inst, "partners");
    mk(inst, "partners/acme");
    mk(inst, "partners/acme/codelists");
    mk(ws, "codelists");
    mk(ws, "codelists/partners");
    mk(ws, "codelists/partners/acme");
    /* each layer maps EA its own way; the other codes show which layer
     * answers when the ones above have no entry */
    tu_put(inst, "codelists/uom.xml",
           "<codelist name='uom'><entry from='EA' to='base-each'/><entry from='CA' to='base-case'/>"
           "<entry from='PK' to='base-pack'/><entry from='LB' to='base-pound'/>"
           "<entry from='CS' to='base-case' direction='in'/></codelist>");
    tu_put(inst, "partners/acme/codelists/uom.xml",
           "<codelist name='uom'><entry from='EA' to='partner-each'/><entry from='PK' to='partner-pack'/>"
           "</codelist>");
    tu_put(ws, "codelists/uom.xml",
           "<codelist name='uom'><entry from='EA' to='ws-each'/><entry from='CA' to='ws-case'/>"
           "<entry from='BX' to='ws-box' direction='in'/><entry from='BOX' to='ws-box' direction='out'/>"
           "</codelist>");
    tu_put(ws, "codelists/partners/acme/uom.xml",
           "<codelist name='uom'><entry from='EA' to='wsp-each'/></codelist>");
    /* a list that is the workspace's only */
    tu_put(ws, "codelists/bp-product.xml",
           "<codelist name='bp-product'><entry from='SKU-1' to='1001'/></codelist>");
    return 0;
}

static int teardown(void **state)
{
    char cmd[700];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static struct map_codes *codes(int with_ws)
{
    struct map_codes *c;

    assert_int_equal(map_codes_new(&c, inst), 0);
    if (with_ws)
        map_codes_set_local_dir(c, ws);
    return c;
}

/* ---- precedence ------------------------------------------------------------------ */

static void test_precedence(void **state)
{
    static const struct {
        int ws;                    /* with the workspace's layers */
        const char *partner, *dir, *value;
        const char *want;          /* NULL: unmapped */
    } cases[] = {
        /* workspace partner > workspace > installed partner > installed base */
        {1, "acme", "in", "EA", "wsp-each"},
        {1, NULL, "in", "EA", "ws-each"},
        {0, "acme", "in", "EA", "partner-each"},
        {0, NULL, "in", "EA", "base-each"},
        /* entry by entry: a layer without the code passes to the next */
        {1, "acme", "in", "CA", "ws-case"},
        {1, "acme", "in", "PK", "partner-pack"},
        {1, "acme", "in", "LB", "base-pound"},
        {1, NULL, "in", "PK", "base-pack"},
        {1, "other", "in", "EA", "ws-each"},
        /* outbound reads to -> from, each layer in turn */
        {1, "acme", "out", "wsp-each", "EA"},
        {1, NULL, "out", "ws-case", "CA"},
        {1, NULL, "out", "base-case", "CA"},
        {1, "acme", "out", "partner-pack", "PK"},
        /* direction-limited entries of the workspace */
        {1, NULL, "in", "BX", "ws-box"},
        {1, NULL, "out", "ws-box", "BOX"},
        {1, NULL, "in", "BOX", NULL},
        {1, NULL, "out", "ws-each", "EA"},
        /* the workspace's own list, and nothing from it without it */
        {1, NULL, "in", "SKU-1", "1001"},
        {1, "acme", "out", "1001", "SKU-1"},
        {1, NULL, "in", "SKU-2", NULL},
        {0, NULL, "in", "BX", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct map_codes *c = codes(cases[i].ws);
        const char *list = strncmp(cases[i].value, "SKU", 3) == 0 || strcmp(cases[i].value, "1001") == 0
                               ? "bp-product"
                               : "uom";
        struct edi_err err;
        const char *got;
        int rc;

        edi_err_clear(&err);
        got = map_codes_lookup(c, list, cases[i].partner, cases[i].dir, cases[i].value, &rc, &err);
        if (rc != 0)
            fail_msg("case %zu: %s %s: rc %d (%s)", i, list, cases[i].value, rc, err.msg);
        if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
            fail_msg("case %zu: %s %s %s for %s: got %s, want %s", i, list, cases[i].dir, cases[i].value,
                     cases[i].partner ? cases[i].partner : "-", got ? got : "(unmapped)",
                     cases[i].want ? cases[i].want : "(unmapped)");
        map_codes_free(c);
    }
}

/* The answer is the entry's own string: `wharf map codes LIST` tells an
 * entry a lookup reaches from one an earlier layer overrides by it. */
static void test_answer_is_the_entry(void **state)
{
    struct map_codes *c = codes(1);
    const struct map_code_entry *ws_e, *base_e;
    struct edi_err err;
    size_t n, k;
    int rc;

    (void)state;
    assert_int_equal(map_codes_entries(&ws_e, &n, c, MAP_CODES_LOCAL, NULL, "uom", &err), 0);
    assert_int_equal(map_codes_entries(&base_e, &k, c, MAP_CODES_BASE, NULL, "uom", &err), 0);
    assert_ptr_equal(map_codes_lookup(c, "uom", "acme", "in", "CA", &rc, &err), ws_e[1].to);
    assert_ptr_equal(map_codes_lookup(c, "uom", NULL, "in", "LB", &rc, &err), base_e[3].to);
    assert_ptr_equal(map_codes_lookup(c, "uom", "acme", "out", "base-case", &rc, &err), base_e[1].from);
    map_codes_free(c);
}

static void test_missing_list(void **state)
{
    struct map_codes *c = codes(1);
    struct edi_err err;
    int rc;

    (void)state;
    edi_err_clear(&err);
    assert_null(map_codes_lookup(c, "nothing", NULL, "in", "x", &rc, &err));
    assert_int_equal(rc, EDI_ENOTFOUND);
    /* both places are named */
    assert_non_null(strstr(err.msg, "ws/codelists/nothing.xml"));
    assert_non_null(strstr(err.msg, "mappings/codelists/nothing.xml"));
    assert_null(map_codes_lookup(c, "../uom", NULL, "in", "EA", &rc, &err));
    assert_int_equal(rc, EDI_ENOTFOUND);
    map_codes_free(c);
}

/* ---- files the workspace may not hold -------------------------------------------- */

static void test_links_and_odd_files(void **state)
{
    static const struct {
        const char *what;
        const char *setup;         /* shell, in the workspace */
        const char *list, *partner;
        const char *msg;
    } cases[] = {
        {"a linked list file", "ln -s ../../mappings/codelists/uom.xml codelists/linked.xml", "linked", NULL,
         "is a symbolic link"},
        {"a link to a missing file", "ln -s /nonexistent codelists/dangling.xml", "dangling", NULL,
         "is a symbolic link"},
        {"a linked partner folder", "ln -s ../../../mappings/partners/acme/codelists codelists/partners/evil",
         "uom", "evil", "is a symbolic link"},
        {"a folder for a file", "mkdir codelists/dir.xml", "dir", NULL, "not a regular file"},
        {"a FIFO", "mkfifo codelists/fifo.xml", "fifo", NULL, "not a regular file"},
        {"a broken file", "printf '<codelist><entry from=\"A\"/></codelist>' > codelists/broken.xml",
         "broken", NULL, "broken.xml:1: expected <entry"},
        {"a DOCTYPE", "printf '<!DOCTYPE x [<!ENTITY e \"v\">]><codelist/>' > codelists/dtd.xml", "dtd",
         NULL, "DOCTYPE is not allowed"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct map_codes *c = codes(1);
        const struct map_code_entry *e;
        char cmd[1400];
        struct edi_err err;
        size_t n;
        int rc;

        snprintf(cmd, sizeof(cmd), "cd '%s' && %s", ws, cases[i].setup);
        assert_int_equal(system(cmd), 0);
        edi_err_clear(&err);
        /* an installed entry does not hide the broken workspace file */
        assert_null(map_codes_lookup(c, cases[i].list, cases[i].partner, "in", "EA", &rc, &err));
        if (rc != EDI_ECONFIG || strstr(err.msg, cases[i].msg) == NULL)
            fail_msg("%s: rc %d, '%s', want '%s'", cases[i].what, rc, err.msg, cases[i].msg);
        edi_err_clear(&err);
        rc = map_codes_entries(&e, &n, c, cases[i].partner ? MAP_CODES_LOCAL_PARTNER : MAP_CODES_LOCAL,
                               cases[i].partner, cases[i].list, &err);
        assert_int_equal(rc, EDI_ECONFIG);
        map_codes_free(c);
    }
    {
        char cmd[1400];

        snprintf(cmd, sizeof(cmd),
                 "cd '%s/codelists' && rm -rf linked.xml dangling.xml partners/evil dir.xml fifo.xml broken.xml dtd.xml",
                 ws);
        assert_int_equal(system(cmd), 0);
    }
}

/* ---- listing ---------------------------------------------------------------------- */

static void test_files(void **state)
{
    static const struct {
        const char *list, *partner;
        enum map_codes_layer layer;
        size_t n;
    } want[] = {
        {"bp-product", NULL, MAP_CODES_LOCAL, 1},
        {"uom", NULL, MAP_CODES_LOCAL, 4},
        {"uom", NULL, MAP_CODES_BASE, 5},
        {"uom", "acme", MAP_CODES_LOCAL_PARTNER, 1},
        {"uom", "acme", MAP_CODES_PARTNER, 2},
    };
    struct map_codes *c = codes(1);
    struct map_code_file *v;
    struct edi_err err;
    size_t n, i;

    (void)state;
    /* not lists: a hidden or temporary file, another extension */
    tu_put(ws, "codelists/.uom.xml.tmp", "<codelist/>");
    tu_put(ws, "codelists/notes.txt", "x");
    edi_err_clear(&err);
    assert_int_equal(map_codes_files(&v, &n, c, &err), 0);
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (i = 0; i < n; i++) {
        const struct map_code_entry *e;
        size_t k;

        assert_string_equal(v[i].list, want[i].list);
        if ((v[i].partner == NULL) != (want[i].partner == NULL) ||
            (v[i].partner && strcmp(v[i].partner, want[i].partner) != 0) || v[i].layer != want[i].layer)
            fail_msg("file %zu: %s %s layer %d", i, v[i].list, v[i].partner ? v[i].partner : "-",
                     (int)v[i].layer);
        assert_int_equal(map_codes_entries(&e, &k, c, v[i].layer, v[i].partner, v[i].list, &err), 0);
        assert_int_equal(k, want[i].n);
    }
    map_code_files_free(v, n);
    map_codes_free(c);
    /* without a workspace, the installed ones only */
    c = codes(0);
    assert_int_equal(map_codes_files(&v, &n, c, &err), 0);
    assert_int_equal(n, 2);
    map_code_files_free(v, n);
    map_codes_free(c);
}

/* ---- editing ------------------------------------------------------------------------ */

/* One change; the new text written to the file as the CLI would (or the
 * file removed when nothing is left). Returns rc. */
static int change(struct map_codes *c, struct map_codes_edited *res, const char *list, const char *partner,
                  const char *from, const char *to, const char *dir)
{
    struct map_codes_change ch = {list, partner, from, to, dir, " test list "};
    struct edi_buf text;
    struct edi_err err;
    char path[1200];
    int rc;

    edi_buf_init(&text, 0);
    edi_err_clear(&err);
    rc = map_codes_edit(&text, res, c, &ch, &err);
    if (rc == 0) {
        assert_int_equal(map_codes_path(path, sizeof(path), c, partner ? MAP_CODES_LOCAL_PARTNER : MAP_CODES_LOCAL,
                                        partner, list, &err),
                         0);
        if (text.n) {
            FILE *f = fopen(path, "w");

            assert_non_null(f);
            fwrite(text.p, 1, text.n, f);
            fclose(f);
        } else
            assert_int_equal(unlink(path), 0);
    }
    edi_buf_dispose(&text);
    return rc;
}

static char *slurp(const char *rel)
{
    char path[1200], *p;
    size_t n;
    struct edi_err err;

    snprintf(path, sizeof(path), "%s/%s", ws, rel);
    assert_int_equal(edi_read_file(&p, &n, path, &err), 0);
    return p;
}

static void test_edit(void **state)
{
    struct map_codes *c = codes(1);
    struct map_codes_edited res;
    const char *v;
    struct edi_err err;
    char *text;
    int rc;

    (void)state;
    /* a new file: its header, the root named, one entry a line */
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-1", "17", NULL), 0);
    assert_int_equal(res.matched, 0);
    assert_int_equal(res.left, 1);
    text = slurp("codelists/qb-item.xml");
    assert_non_null(strstr(text, "<!-- test list -->"));
    assert_non_null(strstr(text, "<codelist name=\"qb-item\">\n  <entry from=\"SKU-1\" to=\"17\"/>\n</codelist>"));
    free(text);
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-2 & <co>", "18\"x", "in"), 0);
    text = slurp("codelists/qb-item.xml");
    assert_non_null(strstr(text, "  <entry from=\"SKU-1\" to=\"17\"/>\n"
                                 "  <entry from=\"SKU-2 &amp; &lt;co&gt;\" to=\"18&quot;x\" direction=\"in\"/>\n"
                                 "</codelist>"));
    free(text);
    /* the engine reads what was written */
    v = map_codes_lookup(c, "qb-item", NULL, "in", "SKU-2 & <co>", &rc, &err);
    assert_non_null(v);
    assert_string_equal(v, "18\"x");
    /* replacing: the same from and direction; another direction is another entry */
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-1", "19", NULL), 0);
    assert_int_equal(res.matched, 1);
    assert_string_equal(res.was, "17");
    free(res.was);
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-1", "20", "out"), 0);
    assert_int_equal(res.matched, 0);
    assert_int_equal(res.left, 3);
    assert_string_equal(map_codes_lookup(c, "qb-item", NULL, "in", "SKU-1", &rc, &err), "19");
    /* delete with a direction takes that entry only; without, every one */
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-1", NULL, "out"), 0);
    assert_int_equal(res.matched, 1);
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-1", NULL, "out"), EDI_ENOTFOUND);
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-1", NULL, NULL), 0);
    assert_int_equal(res.left, 1);
    /* the last entry gone, the file goes */
    assert_int_equal(change(c, &res, "qb-item", NULL, "SKU-2 & <co>", NULL, NULL), 0);
    assert_int_equal(res.left, 0);
    assert_null(map_codes_lookup(c, "qb-item", NULL, "in", "SKU-1", &rc, &err));
    assert_int_equal(rc, EDI_ENOTFOUND);

    /* a partner's file, in its own folder */
    assert_int_equal(change(c, &res, "uom", "acme", "CA", "wsp-case", NULL), 0);
    assert_string_equal(map_codes_lookup(c, "uom", "acme", "in", "CA", &rc, &err), "wsp-case");
    assert_string_equal(map_codes_lookup(c, "uom", NULL, "in", "CA", &rc, &err), "ws-case");
    assert_int_equal(change(c, &res, "uom", "acme", "CA", NULL, NULL), 0);

    /* a person's comments and layout are kept */
    tu_put(ws, "codelists/kept.xml",
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- mine -->\n<codelist name=\"kept\">\n"
           "  <!-- warehouses -->\n  <entry from=\"NJ1\" to=\"3\"/>\n  <entry from=\"CA1\" to=\"4\"/>\n</codelist>\n");
    assert_int_equal(change(c, &res, "kept", NULL, "TX1", "5", NULL), 0);
    assert_int_equal(change(c, &res, "kept", NULL, "NJ1", NULL, NULL), 0);
    text = slurp("codelists/kept.xml");
    assert_string_equal(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- mine -->\n<codelist name=\"kept\">\n"
                              "  <!-- warehouses -->\n  <entry from=\"CA1\" to=\"4\"/>\n"
                              "  <entry from=\"TX1\" to=\"5\"/>\n</codelist>\n");
    free(text);
    map_codes_free(c);
}

static void test_edit_refused(void **state)
{
    static const struct {
        const char *what, *list, *partner, *from, *to, *dir;
        int rc;
        const char *msg;
    } cases[] = {
        {"a list name with a slash", "a/b", NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"a list name going up", "..", NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"a hidden list name", ".uom", NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"a list name with two dots inside", "a..b", NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"a list name with a plus", "a+b", NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"a list name of 101 characters",
         "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789k",
         NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"an empty list name", "", NULL, "x", "y", NULL, EDI_ESYNTAX, "is not a name"},
        {"a partner with a space", "uom", "a b", "x", "y", NULL, EDI_ESYNTAX, "partner 'a b'"},
        {"a newline in a value", "uom", NULL, "x", "y\nz", NULL, EDI_ESYNTAX, "control character"},
        {"a tab in FROM", "uom", NULL, "\tx", "y", NULL, EDI_ESYNTAX, "control character"},
        {"a C1 control", "uom", NULL, "x\xc2\x85", "y", NULL, EDI_ESYNTAX, "control character"},
        {"not UTF-8", "uom", NULL, "x\xff", "y", NULL, EDI_ESYNTAX, "not UTF-8"},
        {"an empty value", "uom", NULL, "x", "", NULL, EDI_ESYNTAX, "TO is empty"},
        {"a direction that is none", "uom", NULL, "x", "y", "sideways", EDI_ESYNTAX, "not in, out or both"},
        {"deleting what the workspace does not have", "uom", NULL, "PK", NULL, NULL, EDI_ENOTFOUND,
         "'PK' is not in the workspace's code list 'uom'"},
        {"deleting from a list the workspace does not have", "x12-unit", NULL, "EA", NULL, NULL,
         EDI_ENOTFOUND, "no "},
    };
    struct map_codes *c = codes(1), *bare = codes(0);
    struct map_codes_edited res;
    struct edi_err err;
    size_t i;
    char *before = slurp("codelists/uom.xml"), *after;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct map_codes_change ch = {cases[i].list, cases[i].partner, cases[i].from, cases[i].to, cases[i].dir,
                                      NULL};
        struct edi_buf text;
        int rc;

        edi_buf_init(&text, 0);
        edi_err_clear(&err);
        rc = map_codes_edit(&text, &res, c, &ch, &err);
        if (rc != cases[i].rc || strstr(err.msg, cases[i].msg) == NULL)
            fail_msg("%s: rc %d '%s', want %d '%s'", cases[i].what, rc, err.msg, cases[i].rc, cases[i].msg);
        assert_int_equal(text.n, 0);
        assert_null(res.was);
        edi_buf_dispose(&text);
    }
    after = slurp("codelists/uom.xml");
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* no workspace, nothing to edit */
    {
        struct map_codes_change ch = {"uom", NULL, "x", "y", NULL, NULL};
        struct edi_buf text;

        edi_buf_init(&text, 0);
        assert_int_equal(map_codes_edit(&text, &res, bare, &ch, &err), EDI_ECONFIG);
        edi_buf_dispose(&text);
    }
    /* a linked file is neither read nor replaced */
    {
        struct map_codes_change ch = {"linked", NULL, "x", "y", NULL, NULL};
        struct edi_buf text;
        char cmd[800];

        snprintf(cmd, sizeof(cmd), "ln -s ../../mappings/codelists/uom.xml '%s/codelists/linked.xml'", ws);
        assert_int_equal(system(cmd), 0);
        edi_buf_init(&text, 0);
        edi_err_clear(&err);
        assert_int_equal(map_codes_edit(&text, &res, c, &ch, &err), EDI_ECONFIG);
        assert_non_null(strstr(err.msg, "symbolic link"));
        edi_buf_dispose(&text);
        snprintf(cmd, sizeof(cmd), "%s/codelists/linked.xml", ws);
        unlink(cmd);
    }
    map_codes_free(c);
    map_codes_free(bare);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_answer_is_the_entry),
        cmocka_unit_test(test_missing_list),
        cmocka_unit_test(test_links_and_odd_files),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_edit),
        cmocka_unit_test(test_edit_refused),
    };

    return cmocka_run_group_tests_name("map_codes", tests, setup, teardown);
}
