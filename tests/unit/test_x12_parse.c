/*
 * test_x12_parse.c — the envelope parser: ISA/GS/ST ... SE/GE/IEA checks,
 * each problem as a finding with its TA1 / AK9 / AK5 code, the same
 * findings whether the input arrives whole or a byte at a time, counts over
 * several groups and interchanges, and the transaction-set size limit.
 *
 * Guide validation is test_guide.c; acknowledgments test_ack.c.
 */
#include "testutil.h"
#include "edi/check.h"
#include "edi/x12.h"

/* ---- building interchanges ------------------------------------------------ */

#define ISA_F(date, time, ver, ctl, sender) \
    "ISA*00*          *00*          *ZZ*" sender "*ZZ*ACMEVENDOR     *" date "*" time "*U*" ver \
    "*" ctl "*0*P*>~\n"
#define ISA(ctl) ISA_F("240315", "0712", "00401", ctl, "AMAZON         ")
#define GS(ctl) "GS*PO*AMAZON*ACMEVENDOR*20240315*0712*" ctl "*X*004010~\n"
#define SET(ctl, se01, se02) \
    "ST*850*" ctl "~\nBEG*00*NE*4Z32PABC**20240315~\nPO1*1*24*EA*12.50*PE*UP*012345678905~\n" \
    "CTT*1~\nSE*" se01 "*" se02 "~\n"
#define SET_OK(ctl) SET(ctl, "5", ctl)
#define GE(n, ctl) "GE*" n "*" ctl "~\n"
#define IEA(n, ctl) "IEA*" n "*" ctl "~\n"
#define ONE(set, ge, iea) ISA("000004721") GS("4721") set ge iea
#define GOOD ONE(SET_OK("0001"), GE("1", "4721"), IEA("1", "000004721"))

/* ---- collecting findings ---------------------------------------------------- */

/* Findings as "code:xcode" words (xcode: whichever of the TA1, AK9 and AK5
 * codes the finding carries), in the order they were made. */
struct got {
    char s[4096];
    size_t n;
    int where;   /* add each finding's byte offset and segment number */
};

static void got_add(struct got *g, const struct edi_finding *f)
{
    size_t len = strlen(g->s);

    snprintf(g->s + len, sizeof(g->s) - len, "%s%s:%s%s%s", len ? " " : "", f->code, f->set_code,
             f->group_code, f->ta1_code);
    len = strlen(g->s);
    if (g->where)
        snprintf(g->s + len, sizeof(g->s) - len, "@%llu/%llu/%u", (unsigned long long)f->offset,
                 (unsigned long long)f->seg_index, f->seg_pos);
    g->n++;
}

static void got_all(struct got *g, const struct edi_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        got_add(g, &f->v[i]);
}

static int h_tx(void *ctx, struct edi_tx *tx)
{
    got_all(ctx, &tx->findings);
    return 0;
}

static int h_group_end(void *ctx, struct edi_group *g, const struct edi_findings *env)
{
    got_all(ctx, env);
    return 0;
}

static int h_ichg_end(void *ctx, struct edi_ichg *ic, const struct edi_findings *env)
{
    got_all(ctx, env);
    return 0;
}

/* Runs the parser over in, fed in pieces of `piece` bytes (0: whole). */
static void parse(struct got *g, const char *in, size_t n, size_t piece,
                  const struct edi_limits *lim, int where)
{
    struct edi_x12_handler h = {
        .ctx = g, .tx = h_tx, .group_end = h_group_end, .ichg_end = h_ichg_end,
    };
    struct edi_x12_parser p;
    struct edi_err err;
    size_t off;

    memset(g, 0, sizeof(*g));
    g->where = where;
    edi_err_clear(&err);
    edi_x12_parser_init(&p, lim, &h);
    if (piece == 0)
        piece = n ? n : 1;
    for (off = 0; off < n; off += piece)
        assert_int_equal(edi_x12_parser_feed(&p, in + off, n - off < piece ? n - off : piece, &err), 0);
    assert_int_equal(edi_x12_parser_finish(&p, &err), 0);
    got_all(g, &p.stream_f);
    edi_x12_parser_dispose(&p);
}

static int cmp_words(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the words of s in place (the order findings are made in is not
 * what the tables are about). */
static void sort_words(char *s, size_t cap)
{
    char *w[64], copy[4096], *save = NULL, *t;
    size_t n = 0, i, len = 0;

    snprintf(copy, sizeof(copy), "%s", s);
    for (t = strtok_r(copy, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    qsort(w, n, sizeof(w[0]), cmp_words);
    s[0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? " " : "", w[i]);
}

/* ---- the table -------------------------------------------------------------------- */

struct pcase {
    const char *name;
    const char *in;
    const char *want;   /* "code:xcode" words, any order; "code:?" when the code is not asserted */
};

static const struct pcase cases[] = {
    {"valid", GOOD, ""},
    {"se-count", ONE(SET("0001", "4", "0001"), GE("1", "4721"), IEA("1", "000004721")), "se-count:4"},
    {"se-count not a number", ONE(SET("0001", "x", "0001"), GE("1", "4721"), IEA("1", "000004721")),
     "se-count:4"},
    {"se-control", ONE(SET("0001", "5", "0002"), GE("1", "4721"), IEA("1", "000004721")), "se-control:3"},
    {"se-missing", ONE("ST*850*0001~\nBEG*00*NE*4Z32PABC**20240315~\n", GE("1", "4721"), IEA("1", "000004721")),
     "se-missing:2"},
    {"st-control too short", ONE(SET("01", "5", "01"), GE("1", "4721"), IEA("1", "000004721")),
     "st-control:7"},
    {"st-control-duplicate", ONE(SET_OK("0001") SET_OK("0001"), GE("2", "4721"), IEA("1", "000004721")),
     "st-control-duplicate:23"},
    {"ge-count", ONE(SET_OK("0001"), GE("2", "4721"), IEA("1", "000004721")), "ge-count:5"},
    {"ge-control", ONE(SET_OK("0001"), GE("1", "4722"), IEA("1", "000004721")), "ge-control:4"},
    {"ge-missing", ONE(SET_OK("0001"), "", IEA("1", "000004721")), "ge-missing:3"},
    {"gs-control", ISA("000004721") "GS*PO*AMAZON*ACMEVENDOR*20240315*0712*47X1*X*004010~\n" SET_OK("0001")
     GE("1", "47X1") IEA("1", "000004721"), "gs-control:6"},
    {"gs-version", ISA("000004721") "GS*PO*AMAZON*ACMEVENDOR*20240315*0712*4721*X*4010~\n" SET_OK("0001")
     GE("1", "4721") IEA("1", "000004721"), "gs-version:2"},
    {"iea-count", ONE(SET_OK("0001"), GE("1", "4721"), IEA("2", "000004721")), "iea-count:021"},
    {"iea-control", ONE(SET_OK("0001"), GE("1", "4721"), IEA("1", "000004722")), "iea-control:001"},
    {"iea-missing", ONE(SET_OK("0001"), GE("1", "4721"), ""), "iea-missing:023"},
    {"all three trailers missing", ONE(SET_OK("0001"), "", ""), "ge-missing:3 iea-missing:023"},
    {"isa-malformed (ISA06 not padded)",
     ISA_F("240315", "0712", "00401", "000004721", "AMAZON") GS("4721") SET_OK("0001") GE("1", "4721")
     IEA("1", "000004721"), "isa-malformed:006"},
    {"isa-date", ISA_F("241315", "0712", "00401", "000004721", "AMAZON         ") GS("4721") SET_OK("0001")
     GE("1", "4721") IEA("1", "000004721"), "isa-date:014"},
    {"isa-time", ISA_F("240315", "2460", "00401", "000004721", "AMAZON         ") GS("4721") SET_OK("0001")
     GE("1", "4721") IEA("1", "000004721"), "isa-time:015"},
    {"isa-version", ISA_F("240315", "0712", "00100", "000004721", "AMAZON         ") GS("4721")
     SET_OK("0001") GE("1", "4721") IEA("1", "000004721"), "isa-version:017"},
    {"isa-control", ISA_F("240315", "0712", "00401", "00000472X", "AMAZON         ") GS("4721")
     SET_OK("0001") GE("1", "4721") IEA("1", "00000472X"), "isa-control:018"},
    {"outside-group", ISA("000004721") "REF*CR*ACME1~\n" GS("4721") SET_OK("0001") GE("1", "4721")
     IEA("1", "000004721"), "outside-group:024"},
    /* SPEC: X12 has no AK905 code for a segment between GS and ST: only the
     * finding is asserted (see the report). */
    {"outside-set", ISA("000004721") GS("4721") "REF*CR*ACME1~\n" SET_OK("0001") GE("1", "4721")
     IEA("1", "000004721"), "outside-set:?"},
    /* the AK502 code of a broken segment inside a set is not asserted (see the report) */
    {"truncated inside a segment", ONE("ST*850*0001~\nBEG*00*NE*4Z32PABC**20240315~\nPO1*1*24*EA", "", ""),
     "ge-missing:3 iea-missing:023 se-missing:2 syntax:?"},
    {"empty", "", "empty:023"},
    {"only white space", " \r\n\n", "empty:023"},
    {"not-x12", "hello, world\n", "not-x12:022"},
    {"not-x12 after an interchange", GOOD "trailing junk~\n", "not-x12:022"},
    {"same ST02 in two groups is fine",
     ISA("000004721") GS("4721") SET_OK("0001") GE("1", "4721") GS("4722") SET_OK("0001") GE("1", "4722")
     IEA("2", "000004721"), ""},
    {"a group without GE, then the next group",
     ISA("000004721") GS("4721") SET_OK("0001") GS("4722") SET_OK("0001") GE("1", "4722")
     IEA("2", "000004721"), "ge-missing:3"},
    {"an interchange without IEA, then the next one", ONE(SET_OK("0001"), GE("1", "4721"), "") GOOD,
     "iea-missing:023"},
    {"a set without SE, then the next set",
     ONE("ST*850*0001~\nBEG*00*NE*4Z32PABC**20240315~\n" SET_OK("0002"), GE("2", "4721"), IEA("1", "000004721")),
     "se-missing:2"},
    {"an empty group", ISA("000004721") GS("4721") GE("0", "4721") IEA("1", "000004721"), ""},
    {"an empty interchange", ISA("000004721") IEA("0", "000004721"), ""},
    {"two interchanges, one bad",
     GOOD ISA("000004722") GS("4722") SET_OK("0001") GE("1", "4722") IEA("1", "000004723"),
     "iea-control:001"},
};

/* Compares got (sorted) with want, where "code:?" matches any code. */
static int matches(const char *got, const char *want)
{
    char g[4096], w[4096], *gs = NULL, *ws = NULL, *a, *b;

    snprintf(g, sizeof(g), "%s", got);
    snprintf(w, sizeof(w), "%s", want);
    sort_words(g, sizeof(g));
    sort_words(w, sizeof(w));
    a = strtok_r(g, " ", &gs);
    b = strtok_r(w, " ", &ws);
    for (; a && b; a = strtok_r(NULL, " ", &gs), b = strtok_r(NULL, " ", &ws)) {
        size_t k = strlen(b);

        if (k >= 2 && strcmp(b + k - 2, ":?") == 0) {
            if (strncmp(a, b, k - 1) != 0)
                return 0;
        } else if (strcmp(a, b) != 0) {
            return 0;
        }
    }
    return a == NULL && b == NULL;
}

static void want_findings(const char *got, const char *want)
{
    if (!matches(got, want))
        fail_msg("got '%s', want '%s'", got, want);
}

static void test_table_whole(void **state)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct got g;

        parse(&g, cases[i].in, strlen(cases[i].in), 0, NULL, 0);
        if (!matches(g.s, cases[i].want)) {
            print_message("# %s: got '%s', want '%s'\n", cases[i].name, g.s, cases[i].want);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* The same input a byte at a time (and in a few odd sizes) gives the same
 * findings in the same order, at the same places. */
static void test_table_in_pieces(void **state)
{
    static const size_t pieces[] = {1, 2, 7, 105, 106, 107};
    size_t i, k;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct got whole, part;

        parse(&whole, cases[i].in, strlen(cases[i].in), 0, NULL, 1);
        for (k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
            parse(&part, cases[i].in, strlen(cases[i].in), pieces[k], NULL, 1);
            if (strcmp(whole.s, part.s) != 0) {
                print_message("# %s in pieces of %zu: got '%s', whole gave '%s'\n", cases[i].name,
                              pieces[k], part.s, whole.s);
                bad++;
            }
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- through edi_check_mem ---------------------------------------------------------- */

static void on_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    got_add(ctx, f);
}

static void check(struct got *g, struct edi_check_stats *st, const char *in, size_t n,
                  const struct edi_limits *lim)
{
    struct edi_check_opts o = {.envelope_only = 1, .lim = lim, .report = on_report, .ctx = g};
    struct edi_err err;

    memset(g, 0, sizeof(*g));
    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(st, in, n, &o, &err), 0);
}

static void test_table_through_check(void **state)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct got g;
        struct edi_check_stats st;

        check(&g, &st, cases[i].in, strlen(cases[i].in), NULL);
        if (!matches(g.s, cases[i].want)) {
            print_message("# %s: got '%s', want '%s'\n", cases[i].name, g.s, cases[i].want);
            bad++;
        }
        if (st.findings != g.n) {
            print_message("# %s: stats say %llu findings, %zu reported\n", cases[i].name,
                          (unsigned long long)st.findings, g.n);
            bad++;
        }
        if (st.bytes != strlen(cases[i].in)) {
            print_message("# %s: stats say %llu bytes\n", cases[i].name, (unsigned long long)st.bytes);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- findings carry their positions ------------------------------------------------ */

/* Keeps a copy of every finding reported. */
struct keep {
    struct edi_finding f[32];
    size_t n;
};

static void on_keep(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    struct keep *k = ctx;

    if (k->n < 32)
        k->f[k->n++] = *f;
}

static const struct edi_finding *find(const struct keep *k, const char *code)
{
    size_t i;

    for (i = 0; i < k->n; i++)
        if (strcmp(k->f[i].code, code) == 0)
            return &k->f[i];
    return NULL;
}

static void test_finding_details(void **state)
{
    static const char in[] = ONE(SET("0001", "4", "0002"), GE("3", "4722"), IEA("1", "000004722"));
    struct keep k = {0};
    struct edi_check_opts o = {.envelope_only = 1, .report = on_keep, .ctx = &k};
    struct edi_check_stats st;
    struct edi_err err;
    const struct edi_finding *f;

    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(&st, in, sizeof(in) - 1, &o, &err), 0);
    assert_int_equal(k.n, 5);

    assert_non_null(f = find(&k, "se-count"));
    assert_int_equal(f->level, EDI_LV_SET);
    assert_string_equal(f->seg_id, "SE");
    assert_int_equal(f->seg_pos, 5);
    assert_int_equal(f->el_pos, 1);
    assert_string_equal(f->value, "4");
    assert_int_equal(f->seg_index, 7);
    assert_non_null(strstr(f->msg, "SE01 says 4 segments"));

    assert_non_null(f = find(&k, "se-control"));
    assert_int_equal(f->el_pos, 2);
    assert_string_equal(f->value, "0002");

    assert_non_null(f = find(&k, "ge-count"));
    assert_int_equal(f->level, EDI_LV_GROUP);
    assert_string_equal(f->seg_id, "GE");
    assert_string_equal(f->value, "3");

    assert_non_null(f = find(&k, "ge-control"));
    assert_non_null(strstr(f->msg, "GE02 4722 does not match GS06 4721"));

    assert_non_null(f = find(&k, "iea-control"));
    assert_int_equal(f->level, EDI_LV_INTERCHANGE);
    assert_string_equal(f->seg_id, "IEA");
    assert_int_equal(f->el_pos, 2);
    assert_non_null(strstr(f->msg, "IEA02 000004722 does not match ISA13 000004721"));

    assert_int_equal(st.sets, 1);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.accepted, 0);
}

/* The handler sees the envelope fields. */
struct env_seen {
    struct edi_ichg ic;
    struct edi_group g;
    char sets[64];
};

static int e_ichg_begin(void *ctx, struct edi_ichg *ic)
{
    ((struct env_seen *)ctx)->ic = *ic;
    return 0;
}

static int e_group_begin(void *ctx, struct edi_group *g)
{
    ((struct env_seen *)ctx)->g = *g;
    return 0;
}

static int e_tx(void *ctx, struct edi_tx *tx)
{
    struct env_seen *e = ctx;
    size_t len = strlen(e->sets);

    snprintf(e->sets + len, sizeof(e->sets) - len, "%s%s/%s/%u/%d", len ? " " : "", tx->set_id,
             tx->control, tx->nseg, tx->complete);
    return 0;
}

static void test_envelope_fields(void **state)
{
    static const char in[] = GOOD;
    struct env_seen e;
    struct edi_x12_handler h = {.ctx = &e, .ichg_begin = e_ichg_begin, .group_begin = e_group_begin,
                                .tx = e_tx};
    struct edi_x12_parser p;

    memset(&e, 0, sizeof(e));
    edi_x12_parser_init(&p, NULL, &h);
    assert_int_equal(edi_x12_parser_feed(&p, in, sizeof(in) - 1, NULL), 0);
    assert_int_equal(edi_x12_parser_finish(&p, NULL), 0);
    edi_x12_parser_dispose(&p);
    assert_string_equal(e.ic.sender, "AMAZON");
    assert_string_equal(e.ic.receiver, "ACMEVENDOR");
    assert_string_equal(e.ic.control, "000004721");
    assert_string_equal(e.ic.version, "00401");
    assert_string_equal(e.ic.usage, "P");
    assert_int_equal(e.ic.d.elem, '*');
    assert_int_equal(e.ic.d.comp, '>');
    assert_int_equal(e.ic.d.seg, '~');
    assert_string_equal(e.g.func_id, "PO");
    assert_string_equal(e.g.control, "4721");
    assert_string_equal(e.g.version, "004010");
    assert_string_equal(e.sets, "850/0001/5/1");
}

/* A handler that returns an error stops the parse with it. */
static int stop_tx(void *ctx, struct edi_tx *tx)
{
    (*(int *)ctx)++;
    return EDI_EAGAIN;
}

static void test_handler_stops(void **state)
{
    static const char in[] = ONE(SET_OK("0001") SET_OK("0002"), GE("2", "4721"), IEA("1", "000004721"));
    int calls = 0;
    struct edi_x12_handler h = {.ctx = &calls, .tx = stop_tx};
    struct edi_x12_parser p;
    struct edi_err err;

    edi_err_clear(&err);
    edi_x12_parser_init(&p, NULL, &h);
    assert_int_equal(edi_x12_parser_feed(&p, in, sizeof(in) - 1, &err), EDI_EAGAIN);
    assert_int_equal(err.rc, EDI_EAGAIN);
    assert_int_equal(edi_x12_parser_feed(&p, "x", 1, &err), EDI_ERR);
    assert_int_equal(edi_x12_parser_finish(&p, &err), EDI_ERR);
    edi_x12_parser_dispose(&p);
    assert_int_equal(calls, 1);
}

/* ---- counting -------------------------------------------------------------------- */

static void test_counts(void **state)
{
    /* interchange 1: groups 4721 (2 sets) and 4722 (1 set); interchange 2:
     * one group of 3 sets; interchange 3: an empty group */
    static const char in[] =
        ISA("000004721") GS("4721") SET_OK("0001") SET_OK("0002") GE("2", "4721")
        GS("4722") SET_OK("0001") GE("1", "4722") IEA("2", "000004721")
        ISA("000004722") GS("4723") SET_OK("0001") SET_OK("0002") SET_OK("0003") GE("3", "4723")
        IEA("1", "000004722")
        ISA("000004723") GS("4724") GE("0", "4724") IEA("1", "000004723");
    struct got g;
    struct edi_check_stats st;

    check(&g, &st, in, sizeof(in) - 1, NULL);
    assert_string_equal(g.s, "");
    assert_int_equal(st.interchanges, 3);
    assert_int_equal(st.groups, 4);
    assert_int_equal(st.sets, 6);
    assert_int_equal(st.accepted, 6);
    assert_int_equal(st.rejected, 0);
    assert_int_equal(st.findings, 0);
    assert_int_equal(st.bytes, sizeof(in) - 1);

    /* the same file, the first GE and IEA counts off by one */
    {
        static const char bad[] =
            ISA("000004721") GS("4721") SET_OK("0001") SET_OK("0002") GE("1", "4721")
            GS("4722") SET_OK("0001") GE("1", "4722") IEA("1", "000004721");

        check(&g, &st, bad, sizeof(bad) - 1, NULL);
        want_findings(g.s, "ge-count:5 iea-count:021");
        assert_int_equal(st.groups, 2);
        assert_int_equal(st.sets, 3);
        assert_int_equal(st.findings, 2);
    }
}

static void test_counts_golden_multi(void **state)
{
    size_t n;
    char *in = tu_read("golden/x12/amazon-rp-850-multi.edi", &n);
    struct got g;
    struct edi_check_stats st;

    check(&g, &st, in, n, NULL);
    assert_string_equal(g.s, "");
    assert_int_equal(st.interchanges, 1);
    assert_int_equal(st.groups, 2);
    assert_int_equal(st.sets, 3);
    free(in);
}

/* ---- limits ----------------------------------------------------------------------- */

struct big {
    uint32_t nseg;
    int complete;
    size_t seg_cap, mem_cap;
};

static int big_tx(void *ctx, struct edi_tx *tx)
{
    struct big *b = ctx;

    b->nseg = tx->nseg;
    b->complete = tx->complete;
    b->seg_cap = tx->seg_cap;
    b->mem_cap = tx->mem_cap;
    return 0;
}

/* A set of 1 + 20000 + 1 segments against max_tx_segments = 100: one
 * finding, and neither the set nor the tokenizer grows with the input. */
static void test_set_too_large(void **state)
{
    static const char head[] = ISA("000004721") GS("4721") "ST*850*0001~\n";
    static const char line[] = "PO1*1*24*EA*12.50*PE*UP*012345678905~\n";
    static const char tail[] = "SE*20002*0001~\n" GE("1", "4721") IEA("1", "000004721");
    struct edi_limits lim;
    struct big b = {0};
    struct got g;
    struct edi_x12_handler h = {.ctx = &b, .tx = big_tx};
    struct edi_x12_parser p;
    struct edi_check_stats st;
    struct edi_buf in;
    size_t i, off, tok_cap;

    edi_limits_default(&lim);
    lim.max_tx_segments = 100;
    edi_buf_init(&in, 0);
    edi_buf_puts(&in, head);
    for (i = 0; i < 20000; i++)
        edi_buf_puts(&in, line);
    edi_buf_puts(&in, tail);

    check(&g, &st, in.p, in.n, &lim);

    edi_x12_parser_init(&p, &lim, &h);
    for (off = 0; off < in.n; off += 4096)
        edi_x12_parser_feed(&p, in.p + off, in.n - off < 4096 ? in.n - off : 4096, NULL);
    edi_x12_parser_finish(&p, NULL);
    tok_cap = p.tok.cap;
    edi_x12_parser_dispose(&p);
    edi_buf_dispose(&in);

    want_findings(g.s, "set-too-large:5");
    assert_int_equal(st.sets, 1);
    assert_int_equal(st.rejected, 1);
    assert_true(tok_cap <= 64 * 1024);
    assert_int_equal(b.nseg, 100);
    assert_true(b.seg_cap <= 128);
    assert_true(b.mem_cap <= 64 * 1024);
}

/* max_tx_bytes is the other half of the same limit. */
static void test_set_too_many_bytes(void **state)
{
    static const char in[] = GOOD;
    struct edi_limits lim;
    struct got g;
    struct edi_check_stats st;

    edi_limits_default(&lim);
    lim.max_tx_bytes = 40;
    check(&g, &st, in, sizeof(in) - 1, &lim);
    want_findings(g.s, "set-too-large:5");
}

/* max_findings caps what is kept; the rest is counted. */
static void test_findings_limit(void **state)
{
    struct edi_findings f;
    size_t i;

    edi_findings_init(&f, 3);
    for (i = 0; i < 10; i++)
        edi_findings_add(&f, "x", EDI_LV_SET);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.dropped, 7);
    assert_int_equal(edi_findings_errors(&f), 10);
    edi_findings_reset(&f);
    assert_int_equal(f.n, 0);
    assert_int_equal(edi_findings_errors(&f), 0);
    edi_findings_dispose(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_whole),
        cmocka_unit_test(test_table_in_pieces),
        cmocka_unit_test(test_table_through_check),
        cmocka_unit_test(test_finding_details),
        cmocka_unit_test(test_envelope_fields),
        cmocka_unit_test(test_handler_stops),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_counts_golden_multi),
        cmocka_unit_test(test_set_too_large),
        cmocka_unit_test(test_set_too_many_bytes),
        cmocka_unit_test(test_findings_limit),
    };

    return cmocka_run_group_tests_name("x12_parse", tests, NULL, NULL);
}
