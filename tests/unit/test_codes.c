/*
 * test_codes.c — the standard's complete code lists (schemas/x12/codes/),
 * as the real guides under WHARF_SCHEMAS use them: for each list, codes of
 * the standard pass and a code outside it is element-invalid-code (997
 * AK403 7) at the right element; 005010 takes 004010's list less what it
 * dropped plus what it added; partner guides still narrow a base list;
 * every code file loads.
 *
 * The rest of validation is test_guide.c.
 */
#define TU_GUIDES
#include "testutil.h"
#include "edi/check.h"
#include "edi/guide.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>


/* body with its one '@' replaced by code */
static char *fill(const char *body, const char *code)
{
    const char *at = strchr(body, '@');
    struct edi_buf b;

    assert_non_null(at);
    edi_buf_init(&b, 0);
    edi_buf_put(&b, body, (size_t)(at - body));
    edi_buf_puts(&b, code);
    edi_buf_puts(&b, at + 1);
    return (char *)edi_buf_cstr(&b);
}

struct keep {
    struct edi_finding f[16];
    size_t n;
};

static void on_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    struct keep *k = ctx;

    (void)w;
    if (k->n < 16)
        k->f[k->n] = *f;
    k->n++;
}

static int run(struct keep *k, const char *guide_id, const char *gs08, const char *body)
{
    struct edi_check_opts o = {.guides = G, .guide_id = guide_id, .report = on_report, .ctx = k};
    struct edi_check_stats st;
    struct edi_err err;
    char *text = tu_wrap(guide_id + strlen(guide_id) - 3, gs08, body);
    int rc;

    memset(k, 0, sizeof(*k));
    edi_err_clear(&err);
    rc = edi_check_mem(&st, text, strlen(text), &o, &err);
    free(text);
    return rc;
}

/* ---- the table ------------------------------------------------------------------- */

#define B850_HEAD "BEG*00*NE*4Z32PABC**20240315~\n"
#define B850_LINE "PO1*1*24*EA*12.50*PE*UP*012345678905~\n"
#define B850_TAIL "CTT*1~\n"
#define B810_HEAD "BIG*20240319*INV1*20240315*4Z32PABC~\n"
#define B810_TAIL "TDS*30000~\nCTT*1~\n"
#define B856_5_S "BSN*00*ASN1*20240318*1545~\nHL*1**S*1~\n"
#define B856_5_O "HL*2*1*O*0~\nPRF*4Z32PABC~\nCTT*2~\n"

struct row {
    const char *list;       /* what is tested, for messages */
    const char *guide;
    const char *body;       /* '@' is where the code goes */
    const char *seg_id;
    unsigned el_pos, comp_pos;
    const char *good[8];    /* each must pass */
    const char *bad;        /* must be element-invalid-code, AK403 7 */
};

static const struct row rows[] = {
    /* 004010 */
    {"355 unit of measure", "x12/004010/850", B850_HEAD "PO1*1*24*@*12.50*PE*UP*012345678905~\n" B850_TAIL,
     "PO1", 3, 0, {"EA", "CA", "PK", "DZ", "LB", "4E", "HD", "4H"}, "Q9"},
    {"235 product id qualifier", "x12/004010/850",
     B850_HEAD "PO1*1*24*EA*12.50*PE*@*012345678905~\n" B850_TAIL, "PO1", 6, 0,
     {"UP", "VX", "VN", "BP", "EN", "TP", "BL", "ZZ"}, "Q1"},
    {"235 in an 810's IT106", "x12/004010/810", B810_HEAD "IT1*1*24*EA*12.50**@*ACME-SPEC-1~\n" B810_TAIL,
     "IT1", 6, 0, {"VX", "UP", "VN", "BP", "IN", "GK", "SM"}, "XX"},
    {"128 reference qualifier", "x12/004010/850", B850_HEAD "REF*@*ACME1~\n" B850_LINE B850_TAIL, "REF", 1, 0,
     {"CR", "IA", "VR", "OQ", "PD", "BM", "6W", "ZY"}, "QQQ"},
    {"128 in a composite (REF04-01)", "x12/004010/850",
     B850_HEAD "REF*CR*ACME1**@>ACME2~\n" B850_LINE B850_TAIL, "REF", 4, 1, {"CR", "OQ", "VR"}, "Q0"},
    {"98 entity identifier", "x12/004010/850", B850_HEAD "N1*@*ACME~\n" B850_LINE B850_TAIL, "N1", 1, 0,
     {"ST", "SF", "BT", "LW", "VN", "RE", "001", "0A"}, "Q0"},
    {"66 id code qualifier", "x12/004010/850", B850_HEAD "N1*ST*ACME*@*ABE2~\n" B850_LINE B850_TAIL, "N1", 3,
     0, {"92", "1", "9", "UL", "ZZ", "15"}, "QQ"},
    {"374 date qualifier", "x12/004010/850", B850_HEAD "DTM*@*20240320~\n" B850_LINE B850_TAIL, "DTM", 1, 0,
     {"002", "010", "064", "063", "037", "038", "241", "999"}, "XXX"},
    {"366 contact function", "x12/004010/850", B850_HEAD "PER*@~\n" B850_LINE B850_TAIL, "PER", 1, 0,
     {"BD", "IC", "OC", "DC"}, "QQ"},
    {"365 communication qualifier", "x12/004010/850", B850_HEAD "PER*IC*JOE*@*5551212~\n" B850_LINE B850_TAIL,
     "PER", 3, 0, {"TE", "EM", "FX"}, "QQ"},
    {"353 purpose", "x12/004010/850", "BEG*@*NE*4Z32PABC**20240315~\n" B850_LINE B850_TAIL, "BEG", 1, 0,
     {"00", "01", "05", "06", "07", "77"}, "99"},
    {"92 PO type", "x12/004010/850", "BEG*00*@*4Z32PABC**20240315~\n" B850_LINE B850_TAIL, "BEG", 2, 0,
     {"NE", "SA", "DS", "RO", "RL", "KC", "BH"}, "QQ"},
    {"673 quantity qualifier", "x12/004010/850", B850_HEAD B850_LINE "QTY*@*5~\n" B850_TAIL, "QTY", 1, 0,
     {"01", "02", "38", "17", "99"}, "ZY"},
    {"91 transportation method", "x12/004010/850", B850_HEAD "TD5**2*ODFL*@~\n" B850_LINE B850_TAIL, "TD5", 4,
     0, {"M", "A", "U", "H", "LT"}, "QQ"},
    {"40 equipment description", "x12/004010/850", B850_HEAD "TD3*@~\n" B850_LINE B850_TAIL, "TD3", 1, 0,
     {"TL", "CN", "TV"}, "QQ"},
    {"1300 allowance or charge", "x12/004010/850", B850_HEAD "SAC*A*@~\n" B850_LINE B850_TAIL, "SAC", 2, 0,
     {"F050", "C310", "D240", "ZZZZ"}, "QQQQ"},
    {"336 terms type", "x12/004010/850", B850_HEAD "ITD*@~\n" B850_LINE B850_TAIL, "ITD", 1, 0,
     {"01", "05", "14"}, "99"},
    {"88 marks qualifier", "x12/004010/856",
     "BSN*00*ASN1*20240318*1530~\nHL*1**S*1~\nHL*2*1*O*1~\nPRF*4Z32PABC~\nHL*3*2*P*0~\n"
     "MAN*@*00006141410000001019~\nCTT*3~\n",
     "MAN", 1, 0, {"GM", "CP", "AA", "ZZ"}, "QQ"},

    /* 005010: 004010's list less the codes it dropped, plus those it added */
    {"005010 128 (dropped 6W)", "x12/005010/856", B856_5_S "REF*@*BOL1~\n" B856_5_O, "REF", 1, 0,
     {"BM", "CN", "01A", "ZY"}, "6W"},
    {"005010 355 (added 1T, dropped 4H)", "x12/005010/856", B856_5_S "TD1*CTN25*1****G*61.4*@~\n" B856_5_O,
     "TD1", 8, 0, {"LB", "KG", "1T", "H3"}, "4H"},
    {"005010 374 (dropped 929, added 747)", "x12/005010/856", B856_5_S "DTM*@*20240318~\n" B856_5_O, "DTM",
     1, 0, {"011", "017", "747", "999"}, "929"},
    {"005010 353", "x12/005010/856", "BSN*@*ASN1*20240318*1545~\nHL*1**S*1~\n" B856_5_O, "BSN", 1, 0,
     {"00", "05", "77"}, "99"},
};

static void test_lists(void **state)
{
    size_t i, j;
    int bad = 0;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        const char *gs08 = strstr(r->guide, "005010") ? "005010" : "004010";
        struct keep k;
        char *body;
        int rc;

        for (j = 0; j < 8 && r->good[j]; j++) {
            body = fill(r->body, r->good[j]);
            rc = run(&k, r->guide, gs08, body);
            free(body);
            if (rc != 0 || k.n != 0) {
                print_message("# %s: '%s' should pass (rc %d): %s\n", r->list, r->good[j], rc,
                              k.n ? k.f[0].msg : "");
                bad++;
            }
        }
        body = fill(r->body, r->bad);
        rc = run(&k, r->guide, gs08, body);
        free(body);
        if (rc != 0 || k.n != 1 || strcmp(k.f[0].code, "element-invalid-code") != 0 ||
            strcmp(k.f[0].seg_id, r->seg_id) != 0 || k.f[0].el_pos != r->el_pos ||
            k.f[0].comp_pos != r->comp_pos || strcmp(k.f[0].el_code, "7") != 0) {
            print_message("# %s: '%s' should be one element-invalid-code at %s%02u-%u, AK403 7; got %zu "
                          "finding(s)%s%s\n",
                          r->list, r->bad, r->seg_id, r->el_pos, r->comp_pos, k.n, k.n ? ": " : "",
                          k.n ? k.f[0].msg : "");
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* A partner guide still narrows the complete list: Amazon DF's 850 allows
 * only DS in BEG02, and NE, a standard code, is not allowed by it. */
static void test_partner_narrows(void **state)
{
    struct keep k;

    (void)state;
    assert_int_equal(run(&k, "partners/amazon-df/850", "004010",
                         "BEG*00*NE*TVd4wGZnR**20240316~\nREF*OQ*114-2948816-3841829~\n"
                         "TD5**ZZ*UPS_GR_RES~\nN1*ST*JANE DOE~\nN3*123 ANY STREET~\n"
                         "N4*SEATTLE*WA*98109*US~\nN1*SF**92*NJ1~\n"
                         "PO1*1*1*EA*24.99*PE*BP*B07DFVDRAB*SK*ACME-1001~\nCTT*1*1~\n"),
                     0);
    assert_int_equal(k.n, 1);
    assert_string_equal(k.f[0].code, "element-code-not-allowed");
    assert_string_equal(k.f[0].seg_id, "BEG");
    assert_int_equal(k.f[0].el_pos, 2);
}

/* Every file under x12/codes/VERSION/ loads as the list of the element it
 * is named for; a 005010 file with base= resolves against 004010. */
static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list of dir/x12/codes/VERSION/EL.xml as libxml2 reads it (base=:
 * the base's less the drops plus the codes), sorted, into *out; the
 * independent reading that the registry's quick reader must agree with. */
static size_t xml_list(char ***out, const char *dir, const char *version, const char *el)
{
    char path[4096];
    xmlDocPtr doc;
    xmlNodePtr root, c;
    xmlChar *base;
    char **v = NULL;
    size_t n = 0, i, k;

    snprintf(path, sizeof(path), "%s/x12/codes/%s/%s.xml", dir, version, el);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    base = xmlGetProp(root, BAD_CAST "base");
    if (base)
        n = xml_list(&v, dir, (const char *)base, el);
    xmlFree(base);
    v = realloc(v, (n + 20000) * sizeof(*v));
    for (c = root->children; c; c = c->next) {
        char *t;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        t = (char *)xmlNodeGetContent(c);
        if (strcmp((const char *)c->name, "code") == 0) {
            v[n++] = strdup(t);
        } else if (strcmp((const char *)c->name, "drop") == 0) {
            for (i = k = 0; i < n; i++)
                if (strcmp(v[i], t) == 0)
                    free(v[i]);
                else
                    v[k++] = v[i];
            n = k;
        }
        xmlFree(t);
    }
    xmlFreeDoc(doc);
    qsort(v, n, sizeof(*v), str_cmp);
    *out = v;
    return n;
}

/* The registry's list of version/el (in G, or a registry on dir) equals
 * libxml2's reading of its file. */
static void same_as_xml(const struct edi_codes *c, const char *dir, const char *version, const char *el)
{
    char **want;
    size_t n = xml_list(&want, dir, version, el), i;

    if (n != c->n)
        fail_msg("%s/%s: %zu codes, libxml2 reads %zu", version, el, c->n, n);
    for (i = 0; i < n; i++) {
        if (strcmp(c->v[i], want[i]) != 0)
            fail_msg("%s/%s: code %zu is '%s', libxml2 reads '%s'", version, el, i, c->v[i], want[i]);
        free(want[i]);
    }
    free(want);
}

/* Every code file loads, with the codes libxml2 reads in it. */
static void test_every_file_loads(void **state)
{
    static const char *versions[] = {"004010", "005010"};
    size_t v, n = 0;

    (void)state;
    for (v = 0; v < 2; v++) {
        char path[4096];
        DIR *d;
        struct dirent *de;

        snprintf(path, sizeof(path), "%s/x12/codes/%s", WHARF_SCHEMAS, versions[v]);
        d = opendir(path);
        assert_non_null(d);
        while ((de = readdir(d)) != NULL) {
            const struct edi_codes *c;
            struct edi_err err;
            char el[16];
            size_t len = strlen(de->d_name);

            if (de->d_name[0] == '.')
                continue;
            assert_true(len > 4 && len - 4 < sizeof(el) && strcmp(de->d_name + len - 4, ".xml") == 0);
            snprintf(el, sizeof(el), "%.*s", (int)(len - 4), de->d_name);
            edi_err_clear(&err);
            if (edi_guides_codes(&c, G, versions[v], el, &err) < 0)
                fail_msg("%s/%s: %s", versions[v], el, err.msg);
            assert_true(c->n > 0);
            same_as_xml(c, WHARF_SCHEMAS, versions[v], el);
            n++;
        }
        closedir(d);
    }
    assert_true(n > 200);
}

/* Typed look-ups on the lists themselves, and what is not a list. */
static void test_lookups(void **state)
{
    static const struct {
        const char *version, *element, *code;
        int has;
    } cases[] = {
        {"004010", "355", "EA", 1},   {"004010", "355", "4H", 1},   {"005010", "355", "4H", 0},
        {"005010", "355", "1T", 1},   {"004010", "355", "1T", 0},   {"004010", "355", "ea", 0},
        {"004010", "355", "EA ", 0},  {"004010", "355", "", 0},     {"004010", "235", "VX", 1},
        {"004010", "128", "OQ", 1},   {"004010", "128", "01A", 0},  {"005010", "128", "01A", 1},
        {"004010", "98", "ST", 1},    {"004010", "98", "RE", 1},    {"005010", "98", "RE", 0},
        {"004010", "1300", "F050", 1}, {"004010", "1300", "F05", 0}, {"004010", "66", "92", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct edi_codes *c;
        struct edi_err err;

        edi_err_clear(&err);
        assert_int_equal(edi_guides_codes(&c, G, cases[i].version, cases[i].element, &err), 0);
        if (edi_codes_has(c, edi_str_c(cases[i].code)) != cases[i].has)
            fail_msg("%s %s '%s': want %d", cases[i].version, cases[i].element, cases[i].code,
                     cases[i].has);
    }
    {
        const struct edi_codes *c = (const void *)1;
        struct edi_err err;

        edi_err_clear(&err);
        /* 100 (currency) is an external list: no file, no list */
        assert_int_equal(edi_guides_codes(&c, G, "004010", "100", &err), EDI_ENOTFOUND);
        assert_null(c);
        /* a name that could leave the folder is refused */
        assert_int_equal(edi_guides_codes(&c, G, "004010", "../x", &err), EDI_ECONFIG);
    }
}

/* ---- broken code files ------------------------------------------------------------ */

/* A schemas folder of crafted code files: each fault is a configuration
 * error naming the file, and a 005010 delta applies its drops and adds. */
static void test_broken_files(void **state)
{
    static const struct {
        const char *version, *element;
        int rc;
        const char *in_msg;
    } cases[] = {
        {"004010", "355", EDI_ECONFIG, "355.xml"},  /* names another element */
        {"004010", "235", EDI_ECONFIG, "<foo>"},    /* an unknown child */
        {"004010", "66", EDI_ECONFIG, "66.xml"},    /* not well-formed */
        {"004010", "673", EDI_ECONFIG, "empty"},    /* no codes */
        {"005010", "128", EDI_ENOTFOUND, "004010"}, /* its base has no file */
        {"005010", "98", EDI_ECONFIG, "earlier"},   /* base= not an earlier version */
        {"004010", "100", EDI_ENOTFOUND, "100"},    /* no file at all */
    };
    char dir[] = "/tmp/wharf-codes-XXXXXX", xsd[4096], cwd[4096], cmd[4200];
    struct edi_guides *r;
    const struct edi_codes *c;
    struct edi_err err;
    size_t i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    snprintf(xsd, sizeof(xsd), "%s%s/guide.xsd", WHARF_SCHEMAS[0] == '/' ? "" : cwd,
             WHARF_SCHEMAS[0] == '/' ? WHARF_SCHEMAS : "/" WHARF_SCHEMAS);
    snprintf(cmd, sizeof(cmd), "%s/guide.xsd", dir);
    assert_int_equal(symlink(xsd, cmd), 0);
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/x12/codes/004010' '%s/x12/codes/005010'", dir, dir);
    assert_int_equal(system(cmd), 0);
    tu_put(dir, "x12/codes/004010/355.xml", "<codes element=\"356\" version=\"004010\"><code>EA</code></codes>");
    tu_put(dir, "x12/codes/004010/235.xml", "<codes element=\"235\" version=\"004010\"><foo/></codes>");
    tu_put(dir, "x12/codes/004010/66.xml", "<codes element=\"66\" version=\"004010\"><code>92</codes>");
    tu_put(dir, "x12/codes/004010/673.xml", "<codes element=\"673\" version=\"004010\"></codes>");
    tu_put(dir, "x12/codes/005010/128.xml",
        "<codes element=\"128\" version=\"005010\" base=\"004010\"><code>01A</code></codes>");
    tu_put(dir, "x12/codes/005010/98.xml",
        "<codes element=\"98\" version=\"005010\" base=\"005010\"><code>ST</code></codes>");
    tu_put(dir, "x12/codes/004010/92.xml",
        "<codes element=\"92\" version=\"004010\"><code name=\"New Order\">NE</code>"
        "<code>SA</code><code>XX</code></codes>");
    tu_put(dir, "x12/codes/005010/92.xml",
        "<codes element=\"92\" version=\"005010\" base=\"004010\"><drop>XX</drop><code>KC</code></codes>");

    edi_err_clear(&err);
    assert_int_equal(edi_guides_new(&r, dir, &err), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;

        edi_err_clear(&err);
        rc = edi_guides_codes(&c, r, cases[i].version, cases[i].element, &err);
        if (rc != cases[i].rc || strstr(err.msg, cases[i].in_msg) == NULL)
            fail_msg("%s/%s: rc %d (want %d): %s", cases[i].version, cases[i].element, rc, cases[i].rc,
                     err.msg);
        assert_null(c);
    }
    edi_err_clear(&err);
    assert_int_equal(edi_guides_codes(&c, r, "005010", "92", &err), 0);
    assert_int_equal(c->n, 3);
    assert_true(edi_codes_has(c, edi_str_c("NE")));
    assert_true(edi_codes_has(c, edi_str_c("KC")));
    assert_false(edi_codes_has(c, edi_str_c("XX")));
    /* read once: the same list again */
    {
        const struct edi_codes *again;

        assert_int_equal(edi_guides_codes(&again, r, "005010", "92", &err), 0);
        assert_ptr_equal(c, again);
    }
    edi_guides_free(r);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}


/* ---- code lists read on first use ------------------------------------------------ */

/* A schemas folder of the real 850 guide and code lists, with REF01's list
 * (128) broken and, in a second run, e355 (a list the dictionary names)
 * missing. A set that never checks a value against the broken list passes;
 * the first one that does fails with the error a read of that file gives,
 * again on every use until the file is fixed; a missing named list is
 * still the guide's error when it compiles. */
static void test_lists_read_on_first_use(void **state)
{
    static const char *no_ref = "BEG*00*NE*4Z32PABC**20240315~\n" B850_LINE B850_TAIL;
    static const char *with_ref = "BEG*00*NE*4Z32PABC**20240315~\nREF*CR*ACME1~\n" B850_LINE B850_TAIL;
    char dir[] = "/tmp/wharf-lazy-XXXXXX", cwd[1024], real[2048], cmd[16384];
    const struct edi_codes *c;
    const struct edi_guide *g;
    struct edi_guides *r;
    struct edi_err err, want;
    struct keep k;
    struct edi_guides *saved = G;
    char *text;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    snprintf(real, sizeof(real), "%s%s", WHARF_SCHEMAS[0] == '/' ? "" : cwd,
             WHARF_SCHEMAS[0] == '/' ? WHARF_SCHEMAS : "/" WHARF_SCHEMAS);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/x12/004010' '%s/x12/codes/004010' && ln -s '%s/guide.xsd' '%s/' && "
             "ln -s '%s/x12/004010/segments.xml' '%s/x12/004010/850.xml' '%s/x12/004010/' && "
             "ln -s '%s'/x12/codes/004010/*.xml '%s/x12/codes/004010/' && rm '%s/x12/codes/004010/128.xml'",
             dir, dir, real, dir, real, real, dir, real, dir, dir);
    assert_int_equal(system(cmd), 0);
    tu_put(dir, "x12/codes/004010/128.xml", "<codes element=\"128\" version=\"004010\"><code>CR</codes>");

    /* what reading the broken file says */
    edi_err_clear(&want);
    assert_int_equal(edi_guides_new(&r, dir, &want), 0);
    assert_int_equal(edi_guides_codes(&c, r, "004010", "128", &want), EDI_ECONFIG);
    assert_non_null(strstr(want.msg, "128.xml"));
    edi_guides_free(r);

    edi_err_clear(&err);
    assert_int_equal(edi_guides_new(&r, dir, &err), 0);
    G = r;
    assert_int_equal(edi_guides_get(&g, r, "x12/004010/850", &err), 0);
    assert_int_equal(run(&k, "x12/004010/850", "004010", no_ref), 0);
    assert_int_equal(k.n, 0);
    for (int i = 0; i < 2; i++) {
        struct edi_check_opts o = {.guides = r, .guide_id = "x12/004010/850", .report = on_report, .ctx = &k};
        struct edi_check_stats st;

        text = tu_wrap("850", "004010", with_ref);
        edi_err_clear(&err);
        assert_int_equal(edi_check_mem(&st, text, strlen(text), &o, &err), EDI_ECONFIG);
        assert_string_equal(err.msg, want.msg);
        free(text);
    }
    /* fixed: read now */
    tu_put(dir, "x12/codes/004010/128.xml", "<codes element=\"128\" version=\"004010\"><code>CR</code></codes>");
    assert_int_equal(run(&k, "x12/004010/850", "004010", with_ref), 0);
    assert_int_equal(k.n, 0);
    assert_int_equal(run(&k, "x12/004010/850", "004010",
                         "BEG*00*NE*4Z32PABC**20240315~\nREF*ZZ*ACME1~\n" B850_LINE B850_TAIL), 0);
    assert_int_equal(k.n, 1);
    assert_string_equal(k.f[0].code, "element-invalid-code");
    edi_guides_free(r);

    /* a list the dictionary names by element="355", without its file */
    snprintf(cmd, sizeof(cmd), "rm '%s/x12/codes/004010/355.xml'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(edi_guides_new(&r, dir, &err), 0);
    edi_err_clear(&err);
    assert_int_equal(edi_guides_get(&g, r, "x12/004010/850", &err), EDI_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no code list for element 355 in 004010 (looked for"));
    edi_guides_free(r);
    G = saved;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}


/* ---- the quick reader ------------------------------------------------------------- */

/* Code files in forms the quick reader takes and in forms it leaves to
 * libxml2 (entities, CDATA, comments inside a code, a DOCTYPE, CR LF,
 * Latin-1 bytes, odd declarations, duplicate attributes): each list is
 * what libxml2 reads, or the error it gives. */
static void test_quick_reader(void **state)
{
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"<codes element=\"1\" version=\"004010\"><code>A</code><code>B</code></codes>", 1},
        {"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<codes version='004010' element='1'>\n"
         "  <code name=\"x &amp; y &quot;z&quot; \xe2\x80\x99\">A1</code>\n  <code/>\n<!---->\n"
         "  <code   name = 'q>r' >B </code >\n</codes >\n<!-- end -->\n", 1},
        {"<codes element=\"1\" version=\"004010\"><code>A&amp;B</code><code>&#67;</code></codes>", 1},
        {"<codes element=\"1\" version=\"004010\"><code><![CDATA[X<Y]]></code></codes>", 1},
        {"<codes element=\"1\" version=\"004010\"><code>A<!-- no -->B</code></codes>", 1},
        {"<codes element=\"1\" version=\"004010\">\r\n<code>A\r\nB</code></codes>", 1},
        {"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><codes element=\"1\" version=\"004010\">"
         "<code name=\"\xe9\">E</code></codes>", 1},
        {"<?xml version='1.0'?><codes element=\"1\" version=\"004010\"><code>V</code></codes>", 1},
        {"<codes element=\"1\" version=\"004010\" element=\"1\"><code>A</code></codes>", 0},
        {"<codes element=\"1\" version=\"004010\"><code>A</code></codes>junk", 0},
        {"<codes element=\"1\" version=\"004010\"><code>A</code><!-- a -- b --></codes>", 0},
        {"<codes element=\"1\" version=\"004010\"><code>A</code><code>]]></code></codes>", 0},
        {"<codes element=\"1\" version=\"004010\"><code>\xff</code></codes>", 0},
        {"<codes element=\"1\" version=\"004010\"><code name=\"&nope;\">A</code></codes>", 0},
        {"<codes element=\"1\" version=\"004010\"><code>A</drop></codes>", 0},
    };
    char dir[] = "/tmp/wharf-quick-XXXXXX", cmd[8400], cwd[2048], xsd[4096];
    size_t i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    snprintf(xsd, sizeof(xsd), "%s%s/guide.xsd", WHARF_SCHEMAS[0] == '/' ? "" : cwd,
             WHARF_SCHEMAS[0] == '/' ? WHARF_SCHEMAS : "/" WHARF_SCHEMAS);
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/x12/codes/004010' && ln -s '%s' '%s/'", dir, xsd, dir);
    assert_int_equal(system(cmd), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_guides *r;
        const struct edi_codes *c;
        struct edi_err err;
        int rc;

        tu_put(dir, "x12/codes/004010/1.xml", cases[i].text);
        edi_err_clear(&err);
        assert_int_equal(edi_guides_new(&r, dir, &err), 0);
        rc = edi_guides_codes(&c, r, "004010", "1", &err);
        if (cases[i].ok) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, err.msg);
            same_as_xml(c, dir, "004010", "1");
        } else {
            /* not well-formed: libxml2's message, with the file and line */
            if (rc != EDI_ECONFIG || strstr(err.msg, "1.xml:") == NULL)
                fail_msg("case %zu: rc %d: %s", i, rc, err.msg);
        }
        edi_guides_free(r);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- the lookup table -------------------------------------------------------------- */

/* edi_codes_has against a plain scan, for lists small (binary search),
 * large (the table), with long codes (strings) and with an empty code,
 * over codes, their prefixes, extensions and near misses. */
static void test_lookup_table(void **state)
{
    static const char *const shapes[] = {"A", "AB", "ABC", "A1", "0", "00", "000", "ZZZZZZZ",
                                         "ZZZZZZ", "1234567", "12345678", "9"};
    char probe[64][12];
    size_t sizes[] = {3, 7, 8, 9, 40, 300};
    size_t np = 0, i, j, t;

    (void)state;
    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        snprintf(probe[np++], sizeof(probe[0]), "%s", shapes[i]);
        snprintf(probe[np++], sizeof(probe[0]), "%sX", shapes[i]);
        snprintf(probe[np++], sizeof(probe[0]), "%.*s", (int)strlen(shapes[i]) - 1, shapes[i]);
    }
    for (t = 0; t < sizeof(sizes) / sizeof(sizes[0]) * 3; t++) {
        struct edi_pool pl;
        struct edi_codes c = {0, NULL, NULL, NULL, 0};
        size_t n = sizes[t % 6], k = 0;

        edi_pool_init(&pl);
        c.v = edi_pool_alloc(&pl, (n + 16) * sizeof(*c.v));
        for (i = 0; i < n; i++) {
            char code[16];

            /* t/6 == 1: one code longer than 7 (no keys); 2: an empty code */
            if (i == 0 && t / 6 == 1)
                snprintf(code, sizeof(code), "LONGCODE9");
            else if (i == 0 && t / 6 == 2)
                code[0] = '\0';
            else if (i < sizeof(shapes) / sizeof(shapes[0]) && i % 2)
                snprintf(code, sizeof(code), "%s", shapes[i]);
            else
                snprintf(code, sizeof(code), "%zu%c", i * 7919 % 100000, (char)('A' + i % 26));
            c.v[k++] = edi_pool_strdup(&pl, code);
        }
        c.n = k;
        edi_codes_sort(&c, &pl);
        if (t / 6 == 0 && n >= 8)
            assert_non_null(c.hash);
        if (t / 6 != 0 || n < 8)
            assert_null(c.hash);
        for (i = 0; i < c.n + np; i++) {
            const char *q = i < c.n ? c.v[i] : probe[i - c.n];
            int want = 0;

            for (j = 0; j < c.n && !want; j++)
                want = strcmp(c.v[j], q) == 0;
            if (edi_codes_has(&c, edi_str_c(q)) != want)
                fail_msg("list %zu (%zu codes): '%s' should%s be found", t, c.n, q, want ? "" : " not");
        }
        edi_pool_dispose(&pl);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_partner_narrows),
        cmocka_unit_test(test_every_file_loads),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_lists_read_on_first_use),
        cmocka_unit_test(test_lookup_table),
        cmocka_unit_test(test_quick_reader),
    };

    return cmocka_run_group_tests(tests, tu_guides_setup, tu_guides_teardown);
}
