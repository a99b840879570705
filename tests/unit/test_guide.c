/*
 * test_guide.c — validation against the real guides under WHARF_SCHEMAS:
 * segment structure (missing, unknown, not in the set, order, max use,
 * loop repeats), elements (missing, length, codes, dates, times, numbers,
 * characters, repetitions), syntax rules, composites, partner restrictions
 * and <require>, the HL hierarchy; "no cascade"; and every guide file loads.
 *
 * Each case is a valid set with one change; the interchange around it is
 * built here. Envelopes are test_x12_parse.c; acknowledgments test_ack.c.
 */
#define TU_GUIDES
#include "testutil.h"
#include "edi/check.h"
#include "edi/guide.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>


/* ---- building interchanges ------------------------------------------------------ */

/* s with the first `from` replaced by `to`; NULL when from is not in s. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = from && from[0] ? strstr(s, from) : s;
    struct edi_buf b;

    if (at == NULL)
        return NULL;
    edi_buf_init(&b, 0);
    edi_buf_put(&b, s, (size_t)(at - s));
    edi_buf_puts(&b, to ? to : "");
    edi_buf_puts(&b, at + (from ? strlen(from) : 0));
    return (char *)edi_buf_cstr(&b);
}

/* ---- collecting findings --------------------------------------------------------- */

struct keep {
    struct edi_finding f[64];
    size_t n;
    char codes[1024];
};

static void on_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    struct keep *k = ctx;
    size_t len = strlen(k->codes);

    if (k->n < 64)
        k->f[k->n] = *f;
    k->n++;
    snprintf(k->codes + len, sizeof(k->codes) - len, "%s%s", len ? " " : "", f->code);
}

static int cmp_words(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_words(char *s, size_t cap)
{
    char *w[64], copy[1024], *save = NULL, *t;
    size_t n = 0, i, len = 0;

    snprintf(copy, sizeof(copy), "%s", s);
    for (t = strtok_r(copy, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    qsort(w, n, sizeof(w[0]), cmp_words);
    s[0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? " " : "", w[i]);
}

/* Checks text against guide_id; 0, or the edi_check_mem code. */
static int run(struct keep *k, const char *guide_id, const char *text)
{
    struct edi_check_opts o = {.guides = G, .guide_id = guide_id, .report = on_report, .ctx = k};
    struct edi_check_stats st;
    struct edi_err err;

    memset(k, 0, sizeof(*k));
    edi_err_clear(&err);
    return edi_check_mem(&st, text, strlen(text), &o, &err);
}

/* ---- valid sets, one per guide under test ----------------------------------------------- */

#define B850 \
    "BEG*00*NE*4Z32PABC**20240315~\n" \
    "PO1*1*24*EA*12.50*PE*UP*012345678905~\n" \
    "CTT*1~\n"

#define B855 \
    "BAK*00*AC*4Z32PABC*20240315~\n" \
    "PO1*1*24*EA*12.50*PE*UP*012345678905~\n" \
    "ACK*IA*24*EA*068*20240318~\n" \
    "CTT*1*24~\n"

#define DF850 \
    "BEG*00*DS*TVd4wGZnR**20240316~\n" \
    "REF*OQ*114-2948816-3841829~\n" \
    "TD5**ZZ*UPS_GR_RES~\n" \
    "N1*ST*JANE DOE~\n" \
    "N3*123 ANY STREET~\n" \
    "N4*SEATTLE*WA*98109*US~\n" \
    "N1*SF**92*NJ1~\n" \
    "PO1*1*1*EA*24.99*PE*BP*B07DFVDRAB*SK*ACME-1001~\n" \
    "CTT*1*1~\n"

/* S -> O -> P -> I, what partners/amazon-rp/856 asks of each level */
#define RP856 \
    "BSN*00*ASN1*20240318*1530*0001~\n" \
    "HL*1**S*1~\n" \
    "TD1*CTN25*1****G*61.4*LB~\n" \
    "TD5**2*ODFL*M~\n" \
    "REF*BM*BOL1~\n" \
    "DTM*011*20240318~\n" \
    "N1*SF*ACME*92*ACMW1~\n" \
    "N3*100 INDUSTRIAL PKWY~\n" \
    "N4*EDISON*NJ*08817*US~\n" \
    "N1*ST**92*ABE2~\n" \
    "HL*2*1*O*1~\n" \
    "PRF*4Z32PABC~\n" \
    "HL*3*2*P*1~\n" \
    "MAN*GM*00006141410000001019~\n" \
    "HL*4*3*I*0~\n" \
    "LIN*1*UP*012345678905~\n" \
    "SN1*1*12*EA~\n" \
    "CTT*4~\n"

#define B856_5010 \
    "BSN*00*ASN1*20240318*1545~\n" \
    "HL*1**S*1~\n" \
    "REF*BM*BOL1~\n" \
    "HL*2*1*O*0~\n" \
    "PRF*4Z32PABC~\n" \
    "CTT*2~\n"

#define S26(x) x x x x x x x x x x x x x x x x x x x x x x x x x x

/* ---- the table -------------------------------------------------------------------- */

struct at {
    const char *seg_id;
    unsigned seg_pos, el_pos, comp_pos;
    const char *seg_code;   /* AK304 */
    const char *el_code;    /* AK403; NULL: not asserted */
};

struct gcase {
    const char *name;
    const char *guide;
    const char *body;
    const char *from, *to;  /* the change: from NULL, the body as it is */
    const char *want;       /* finding codes, any order */
    struct at at;           /* of the only finding; seg_id NULL: not asserted */
};

#define NOAT {NULL, 0, 0, 0, NULL, NULL}
#define G850 "x12/004010/850"
#define G855 "x12/004010/855"
#define G856 "x12/004010/856"
#define G856_5 "x12/005010/856"
#define DF "partners/amazon-df/850"
#define RP "partners/amazon-rp/856"
#define RP855 "partners/amazon-rp/855"

static const struct gcase cases[] = {
    /* valid */
    {"850 valid", G850, B850, NULL, NULL, "", NOAT},
    {"855 valid", G855, B855, NULL, NULL, "", NOAT},
    {"856 valid against the base guide", G856, RP856, NULL, NULL, "", NOAT},
    {"856 valid against amazon-rp", RP, RP856, NULL, NULL, "", NOAT},
    {"850 valid against amazon-df", DF, DF850, NULL, NULL, "", NOAT},
    {"856 005010 valid", G856_5, B856_5010, NULL, NULL, "", NOAT},

    /* structure */
    {"mandatory segment missing", G850, B850, "BEG*00*NE*4Z32PABC**20240315~\n", "",
     "segment-missing", {"BEG", 2, 0, 0, "3", NULL}},
    {"mandatory loop missing", G850, B850, "PO1*1*24*EA*12.50*PE*UP*012345678905~\n", "",
     "segment-missing", {"PO1", 3, 0, 0, "3", NULL}},
    {"unknown segment", G850, B850, "PO1*", "ZZZ*1~\nPO1*", "segment-unknown", {"ZZZ", 3, 0, 0, "1", NULL}},
    {"segment not in the set", G850, B850, "PO1*", "BSN*00*X1*20240315*1200~\nPO1*",
     "segment-not-in-set", {"BSN", 3, 0, 0, "6", NULL}},
    {"segment out of order", G850, B850, "PO1*", "FOB*CC~\nREF*CR*ACME1~\nPO1*",
     "segment-out-of-order", {"REF", 4, 0, 0, "7", NULL}},
    {"segment over max use", G850, B850, "PO1*", "PER*BD~\nPER*BD~\nPER*BD~\nPER*BD~\nPO1*",
     "segment-over-max", {"PER", 6, 0, 0, "5", NULL}},
    {"segment at max use", G850, B850, "PO1*", "PER*BD~\nPER*BD~\nPER*BD~\nPO1*", "", NOAT},
    {"loop over max", G850, B850, "PO1*", S26("SAC*A*F050~\n") "PO1*",
     "loop-over-max", {"SAC", 28, 0, 0, "4", NULL}},
    {"856 HL loop repeats freely", G856, RP856, NULL, NULL, "", NOAT},
    /* the walk's loop index and last mandatory element are made after a
     * partner's restrictions: what it makes mandatory is missed */
    {"855 valid against amazon-rp", RP855, B855, NULL, NULL, "", NOAT},
    {"partner-mandatory loop segment missing", RP855, B855, "ACK*IA*24*EA*068*20240318~\n", "",
     "segment-missing", {"ACK", 4, 0, 0, "3", NULL}},
    {"partner-mandatory element past the values", RP855, B855, "EA*12.50*PE*UP*012345678905~", "EA*12.50~",
     "element-missing", {"PO1", 3, 6, 0, "8", "1"}},

    /* elements */
    {"element missing", G850, B850, "NE*4Z32PABC*", "NE**", "element-missing", {"BEG", 2, 3, 0, "8", "1"}},
    {"element too long", G850, B850, "4Z32PABC", "4Z32PABC4Z32PABC4Z32PAB",
     "element-too-long", {"BEG", 2, 3, 0, "8", "5"}},
    {"element at max length", G850, B850, "4Z32PABC", "4Z32PABC4Z32PABC4Z32PA", "", NOAT},
    {"element too short", G850, B850, "BEG*00*", "BEG*0*", "element-too-short", {"BEG", 2, 1, 0, "8", "4"}},
    {"invalid code", G850, B850, "*NE*", "*XX*", "element-invalid-code", {"BEG", 2, 2, 0, "8", "7"}},
    {"invalid date: month 13", G850, B850, "20240315", "20241310",
     "element-invalid-date", {"BEG", 2, 5, 0, "8", "8"}},
    {"invalid date: Feb 29 on a non-leap year", G850, B850, "20240315", "20230229",
     "element-invalid-date", {"BEG", 2, 5, 0, "8", "8"}},
    {"Feb 29 on a leap year", G850, B850, "20240315", "20240229", "", NOAT},
    {"invalid date: Feb 29 2100", G850, B850, "20240315", "21000229", "element-invalid-date", NOAT},
    {"Feb 29 2000", G850, B850, "20240315", "20000229", "", NOAT},
    {"invalid date: April 31", G850, B850, "20240315", "20240431", "element-invalid-date", NOAT},
    {"invalid date: day 0", G850, B850, "20240315", "20240300", "element-invalid-date", NOAT},
    {"invalid date: not digits", G850, B850, "20240315", "2024031A", "element-invalid-date", NOAT},
    {"invalid time: hour 24", G850, B850, "PO1*", "DTM*064*20240320*2400~\nPO1*",
     "element-invalid-time", {"DTM", 3, 3, 0, "8", "9"}},
    {"invalid time: minute 60", G850, B850, "PO1*", "DTM*064*20240320*1260~\nPO1*",
     "element-invalid-time", {"DTM", 3, 3, 0, "8", "9"}},
    {"invalid time: second 60", G850, B850, "PO1*", "DTM*064*20240320*123060~\nPO1*",
     "element-invalid-time", {"DTM", 3, 3, 0, "8", "9"}},
    {"valid time HHMMSSDD", G850, B850, "PO1*", "DTM*064*20240320*23595999~\nPO1*", "", NOAT},
    {"non-numeric decimal", G850, B850, "PO1*1*24*", "PO1*1*12A*",
     "element-not-numeric", {"PO1", 3, 2, 0, "8", "6"}},
    {"non-numeric two dots", G850, B850, "12.50", "12.5.0", "element-not-numeric", {"PO1", 3, 4, 0, "8", "6"}},
    {"non-numeric integer with a dot", G850, B850, "CTT*1~", "CTT*1.5~",
     "element-not-numeric", {"CTT", 4, 1, 0, "8", "6"}},
    {"negative decimal", G850, B850, "12.50", "-12.50", "", NOAT},
    {"invalid character", G850, B850, "4Z32PABC", "4Z32\001ABC",
     "element-invalid-character", {"BEG", 2, 3, 0, "8", "6"}},
    {"component separator in a simple element", G850, B850, "4Z32PABC", "4Z32>ABC",
     "element-invalid-character", {"BEG", 2, 3, 0, "8", "6"}},
    {"too many elements", G850, B850, "CTT*1~", "CTT*1*******X~",
     "element-too-many", {"CTT", 4, 8, 0, "8", "3"}},
    {"trailing empty elements are fine", G850, B850, "CTT*1~", "CTT*1*******~", "", NOAT},
    {"005010: too many repetitions", G856_5, B856_5010, "REF*BM*BOL1", "REF*BM*BOL1^BOL2",
     "element-too-many-repeats", {"REF", 4, 2, 0, "8", "12"}},

    /* syntax rules */
    {"paired (P)", G850, B850, "PE*UP*012345678905", "PE*UP", "rule-required", {"PO1", 3, 7, 0, "8", "2"}},
    {"required (R)", G850, B850, "PO1*", "DTM*064~\nPO1*", "rule-required", {"DTM", 3, 2, 0, "8", "2"}},
    {"exclusion (E)", G850, B850, "PO1*", "TD3*TL*********ABCD~\nPO1*",
     "rule-exclusion", {"TD3", 3, 10, 0, "8", "10"}},
    {"conditional (C)", G850, B850, "PO1*1*24*", "PO1*1**", "rule-required", {"PO1", 3, 2, 0, "8", "2"}},
    {"list conditional (L)", G850, B850, "PO1*", "CUR*BY*USD********007*20240315~\nPO1*", "", NOAT},
    {"list conditional (L) broken", G850, B850, "PO1*", "CUR*BY*USD********007~\nPO1*",
     "rule-required", {"CUR", 3, 11, 0, "8", "2"}},

    /* composites */
    {"composite valid", G850, B850, "PO1*", "REF*CR*ACME1**ZZ>1>AB>2~\nPO1*", "", NOAT},
    {"composite: mandatory component missing", G850, B850, "PO1*", "REF*CR*ACME1**ZZ~\nPO1*",
     "element-missing", {"REF", 3, 4, 2, "8", "1"}},
    {"composite: component too short", G850, B850, "PO1*", "REF*CR*ACME1**Z>1~\nPO1*",
     "element-too-short", {"REF", 3, 4, 1, "8", "4"}},
    {"composite: paired components", G850, B850, "PO1*", "REF*CR*ACME1**ZZ>1>AB~\nPO1*",
     "rule-required", {"REF", 3, 4, 4, "8", "2"}},
    {"composite: too many components", G850, B850, "PO1*", "REF*CR*ACME1**ZZ>1>AB>2>CD>3>EF~\nPO1*",
     "element-too-many-components", {"REF", 3, 4, 7, "8", "3"}},
    {"composite: empty leading component", G850, B850, "PO1*", "REF*CR*ACME1**>1~\nPO1*",
     "element-missing", {"REF", 3, 4, 1, "8", "1"}},

    /* partner guides */
    {"amazon-df: BEG02 NE not allowed", DF, DF850, "BEG*00*DS*", "BEG*00*NE*",
     "element-code-not-allowed", {"BEG", 2, 2, 0, "8", "7"}},
    {"amazon-df: N1*SF required", DF, DF850, "N1*SF**92*NJ1~\n", "",
     "qualified-segment-missing", {"N1", 0, 0, 0, "3", NULL}},
    {"amazon-df: REF*OQ required", DF, DF850, "REF*OQ*", "REF*CR*", "qualified-segment-missing", NOAT},
    /* issue 11: what Amazon may send is never a reason to reject */
    {"amazon-df: no TD5 in the header", DF, DF850, "TD5**ZZ*UPS_GR_RES~\n", "", "", NOAT},
    {"amazon-df: TD5 in the N1*ST loop after N4", DF, DF850,
     "TD5**ZZ*UPS_GR_RES~\nN1*ST*JANE DOE~\nN3*123 ANY STREET~\nN4*SEATTLE*WA*98109*US~\n",
     "N1*ST*JANE DOE~\nN2*C/O FRONT DESK~\nN3*123 ANY STREET~\nN4*SEATTLE*WA*98109*US*CC*UNITED STATES~\n"
     "TD5**92*UPS_GR_RES****ZZ*RES~\n", "", NOAT},
    {"amazon-df: N1*LW with PER, notes, MSG after CTP", DF, DF850, "PO1*1*1*EA*24.99*PE*BP*B07DFVDRAB*SK*ACME-1001~\n",
     "N1*LW*SAM GIVER~\nPER*ZZ****TE*5035550100~\n"
     "PO1*1*1*EA*24.99*PE*BP*B07DFVDRAB*SK*ACME-1001~\nCTP**PUR*39.99~\nMSG*Kettle~\nMSG*Happy birthday~\n", "", NOAT},
    {"amazon-df: PO1 qualifiers TP, BL, ZZ after the product ids", DF, DF850, "*SK*ACME-1001~",
     "*SK*ACME-1001*TP*Kitchen*BL*1*ZZ*Amazon.com, LLC~", "", NOAT},
    {"amazon-df: BEG02 SS split shipment", DF, DF850, "BEG*00*DS*", "BEG*00*SS*", "", NOAT},
    {"amazon-df: BEG03 missing", DF, DF850, "TVd4wGZnR", "", "element-missing", {"BEG", 2, 3, 0, "8", "1"}},
    {"amazon-df: ship-from without qualifier 92", DF, DF850, "N1*SF**92*NJ1", "N1*SF**ZZ*NJ1",
     "element-code-not-allowed", {"N1", 8, 3, 0, "8", "7"}},
    {"850: SCH line schedule", G850, B850, "CTT*", "SCH*12*EA***002*20240322~\nSCH*12*EA***002*20240329~\nCTT*",
     "", NOAT},
    {"amazon-df: Ship ID letters and digits only", DF, DF850, "TVd4wGZnR", "TVd4-GZnR",
     "element-pattern", {"BEG", 2, 3, 0, "8", "6"}},
    {"amazon-df: PO103 made mandatory", DF, DF850, "PO1*1*1*EA*", "PO1*1*1**",
     "element-missing", {"PO1", 9, 3, 0, "8", "1"}},
    {"amazon-rp: SSCC without its AI", RP, RP856, "MAN*GM*00006141410000001019", "MAN*GM*006141410000001019",
     "element-too-short", {"MAN", 15, 2, 0, "8", "4"}},
    {"amazon-rp: SSCC not digits", RP, RP856, "MAN*GM*00006141410000001019", "MAN*GM*0000614141000000101X",
     "element-pattern", {"MAN", 15, 2, 0, "8", "6"}},
    {"amazon-rp: short SSCC is fine for the base guide", G856, RP856, "MAN*GM*00006141410000001019",
     "MAN*GM*006141410000001019", "", NOAT},
    {"amazon-rp: BSN05 not allowed", RP, RP856, "*1530*0001~", "*1530*0002~", "element-code-not-allowed", NOAT},

    /* HL hierarchy */
    {"hl-sequence", RP, RP856, "HL*4*3*I*0", "HL*5*3*I*0", "hl-sequence", {"HL", 16, 1, 0, "8", NULL}},
    {"hl-parent-unknown", RP, RP856, "HL*4*3*I*0", "HL*4*9*I*0",
     "hl-parent-unknown", {"HL", 16, 2, 0, "8", NULL}},
    {"hl-level-unknown", RP, RP856, "HL*4*3*I*0", "HL*4*3*T*0",
     "hl-level-unknown", {"HL", 16, 3, 0, "8", NULL}},
    {"hl-parent-level: I under O", RP, RP856, "HL*4*3*I*0", "HL*4*2*I*0",
     "hl-parent-level", {"HL", 16, 3, 0, "8", NULL}},
    {"hl-level-segment-missing", RP, RP856, "PRF*4Z32PABC~\n", "",
     "hl-level-segment-missing", {"PRF", 12, 0, 0, "3", NULL}},
    {"hl: the base guide takes a tare level", G856, RP856, "HL*3*2*P*1~\n",
     "HL*3*2*T*1~\nHL*4*3*P*1~\n", "hl-sequence", NOAT},
};

static void test_cases(void **state)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct gcase *c = &cases[i];
        char *body = replace(c->body, c->from, c->to), *text, got[1024], want[1024];
        struct keep k;
        int rc;

        if (body == NULL) {
            print_message("# %s: '%s' is not in the body\n", c->name, c->from);
            bad++;
            continue;
        }
        /* every guide id ends in its set id */
        text = tu_wrap(c->guide + strlen(c->guide) - 3, strstr(c->guide, "005010") ? "005010" : "004010",
                    body);
        rc = run(&k, c->guide, text);
        free(body);
        free(text);
        snprintf(got, sizeof(got), "%s", k.codes);
        snprintf(want, sizeof(want), "%s", c->want);
        sort_words(got, sizeof(got));
        sort_words(want, sizeof(want));
        if (rc != 0 || strcmp(got, want) != 0) {
            print_message("# %s: got '%s' (rc %d), want '%s'\n", c->name, k.codes, rc, c->want);
            for (size_t j = 0; j < k.n && j < 64; j++)
                print_message("#   %s\n", k.f[j].msg);
            bad++;
            continue;
        }
        if (c->at.seg_id) {
            const struct edi_finding *f = &k.f[0];
            const struct at *a = &c->at;

            if (strcmp(f->seg_id, a->seg_id) != 0 || (a->seg_pos && f->seg_pos != a->seg_pos) ||
                f->el_pos != a->el_pos || f->comp_pos != a->comp_pos ||
                strcmp(f->seg_code, a->seg_code) != 0 ||
                (a->el_code && strcmp(f->el_code, a->el_code) != 0)) {
                print_message("# %s: got %s at %u el %u comp %u codes %s/%s, want %s at %u el %u comp %u "
                              "codes %s/%s (%s)\n",
                              c->name, f->seg_id, f->seg_pos, f->el_pos, f->comp_pos, f->seg_code,
                              f->el_code, a->seg_id, a->seg_pos, a->el_pos, a->comp_pos, a->seg_code,
                              a->el_code ? a->el_code : "-", f->msg);
                bad++;
            }
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- no cascade ------------------------------------------------------------------------- */

/* The body of a golden sample's only set (ST and SE left out). */
static char *sample_body(const char *rel)
{
    size_t n;
    char *in = tu_read(rel, &n), *st = strstr(in, "\nST*"), *se = strstr(in, "\nSE*"), *b;

    assert_non_null(st);
    assert_non_null(se);
    st = strchr(st + 1, '\n') + 1;
    b = edi_xstrndup(st, (size_t)(se + 1 - st));
    free(in);
    return b;
}

struct stray {
    const char *sample, *guide, *set, *before, *insert, *code;
};

static void test_no_cascade(void **state)
{
    static const struct stray cases2[] = {
        {"golden/x12/amazon-rp-850.edi", "partners/amazon-rp/850", "850",
         "PO1*2*", "ZZZ*1*2~\n", "segment-unknown"},
        {"golden/x12/amazon-rp-850.edi", "partners/amazon-rp/850", "850",
         "PO1*2*", "BSN*00*X1*20240315*1200~\n", "segment-not-in-set"},
        {"golden/x12/amazon-rp-850.edi", "partners/amazon-rp/850", "850",
         "DTM*064", "ZZZ*1*2~\n", "segment-unknown"},
        {"golden/x12/amazon-rp-856.edi", "partners/amazon-rp/856", "856",
         "MAN*GM*00006141410000001026", "ZZZ*1~\n", "segment-unknown"},
        {"golden/x12/amazon-rp-856.edi", "partners/amazon-rp/856", "856",
         "HL*5*2*P*1", "ZZZ*1~\n", "segment-unknown"},
        {"golden/x12/amazon-rp-855.edi", "partners/amazon-rp/855", "855",
         "ACK*IB*", "ZZZ*1~\n", "segment-unknown"},
    };
    size_t i;
    int bad = 0;

    for (i = 0; i < sizeof(cases2) / sizeof(cases2[0]); i++) {
        const struct stray *c = &cases2[i];
        char *body = sample_body(c->sample), *ins, *changed, *text;
        struct keep k;

        /* the sample itself is clean */
        text = tu_wrap(c->set, "004010", body);
        run(&k, c->guide, text);
        free(text);
        if (k.n != 0) {
            print_message("# %s: clean sample gave '%s'\n", c->sample, k.codes);
            bad++;
        }
        ins = edi_xmalloc(strlen(c->insert) + strlen(c->before) + 1);
        snprintf(ins, strlen(c->insert) + strlen(c->before) + 1, "%s%s", c->insert, c->before);
        changed = replace(body, c->before, ins);
        assert_non_null(changed);
        text = tu_wrap(c->set, "004010", changed);
        run(&k, c->guide, text);
        if (k.n != 1 || strcmp(k.codes, c->code) != 0) {
            print_message("# %s with %s before %s: got '%s', want exactly '%s'\n", c->sample,
                          c->insert, c->before, k.codes, c->code);
            bad++;
        }
        free(text);
        free(changed);
        free(ins);
        free(body);
    }
    assert_int_equal(bad, 0);
}

/* ---- detail of messages and positions --------------------------------------------------- */

static void test_finding_fields(void **state)
{
    char *body = replace(B850, "4Z32PABC", "4Z32PABC4Z32PABC4Z32PAB"), *text;
    struct keep k;
    const struct edi_finding *f;

    text = tu_wrap("850", "004010", body);
    free(body);
    assert_int_equal(run(&k, G850, text), 0);
    free(text);
    assert_int_equal(k.n, 1);
    f = &k.f[0];
    assert_int_equal(f->level, EDI_LV_ELEMENT);
    assert_int_equal(f->severity, EDI_SEV_ERROR);
    assert_string_equal(f->el_ref, "324");
    assert_string_equal(f->value, "4Z32PABC4Z32PABC4Z32PAB");
    assert_int_equal(f->seg_index, 4);   /* ISA GS ST BEG */
    assert_non_null(strstr(f->msg, "BEG03"));
    assert_non_null(strstr(f->msg, "at most 22"));

    /* a segment in a loop names its loop (AK303) */
    body = replace(B850, "PO1*1*24*", "PO1*1*12A*");
    text = tu_wrap("850", "004010", body);
    free(body);
    run(&k, G850, text);
    free(text);
    assert_int_equal(k.n, 1);
    assert_string_equal(k.f[0].loop_id, "PO1");
}

/* max_findings keeps the first findings of a set; the rest are counted and
 * reported as one "too-many-findings". */
static void test_findings_limit(void **state)
{
    struct edi_buf b;
    struct edi_limits lim;
    struct edi_check_opts o = {.guides = G, .guide_id = G850, .lim = &lim, .report = on_report};
    struct edi_check_stats st;
    struct edi_err err;
    struct keep k;
    char *text;
    int i;

    edi_buf_init(&b, 0);
    edi_buf_puts(&b, "BEG*00*NE*4Z32PABC**20240315~\n");
    for (i = 0; i < 10; i++)
        edi_buf_puts(&b, "PO1*1*1X*EA*12.50*PE*UP*012345678905~\n");
    edi_buf_puts(&b, "CTT*10~\n");
    text = tu_wrap("850", "004010", edi_buf_cstr(&b));
    edi_buf_dispose(&b);
    edi_limits_default(&lim);
    lim.max_findings = 3;
    memset(&k, 0, sizeof(k));
    o.ctx = &k;
    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(&st, text, strlen(text), &o, &err), 0);
    free(text);
    assert_string_equal(k.codes, "element-not-numeric element-not-numeric element-not-numeric too-many-findings");
    assert_non_null(strstr(k.f[3].msg, "7 more"));
    assert_int_equal(st.findings, 10);
    assert_int_equal(st.rejected, 1);
}

/* A set whose guide does not exist; a guide for another set. */
static void test_guide_choice(void **state)
{
    char *text = tu_wrap("850", "004010", B850);
    struct edi_check_opts o = {.guides = G, .report = on_report};
    struct edi_check_stats st;
    struct edi_err err;
    struct keep k;
    int rc;

    /* by GS08 and ST01 */
    memset(&k, 0, sizeof(k));
    o.ctx = &k;
    edi_err_clear(&err);
    assert_int_equal(edi_check_mem(&st, text, strlen(text), &o, &err), 0);
    assert_string_equal(k.codes, "");
    assert_int_equal(st.accepted, 1);

    /* --guide for another set */
    rc = run(&k, "x12/004010/855", text);
    assert_int_equal(rc, 0);
    assert_string_equal(k.codes, "set-guide-mismatch");
    free(text);

    /* no guide for 004010 830 */
    text = tu_wrap("830", "004010", "BFR*00**1*DL*A*20240315*20240415*20240315~\n");
    memset(&k, 0, sizeof(k));
    assert_int_equal(edi_check_mem(&st, text, strlen(text), &o, &err), 0);
    assert_string_equal(k.codes, "set-unsupported");
    assert_string_equal(k.f[0].set_code, "1");
    assert_int_equal(st.rejected, 1);

    /* a --guide that does not exist is the operator's problem */
    edi_err_clear(&err);
    o.guide_id = "x12/004010/nope";
    rc = edi_check_mem(&st, text, strlen(text), &o, &err);
    free(text);
    assert_true(rc < 0);
    assert_true(err.msg[0] != '\0');
}

/* ---- the registry ----------------------------------------------------------------------------- */

/* A guide name so long that the path to its file, cut to fit, would be the
 * 850 guide's: refused, not read as the 850 guide. */
static void test_get_long_name(void **state)
{
    const struct edi_guide *g = NULL;
    struct edi_err err;
    const char *tail = "x12/004010/850.xml";
    size_t dir = strlen(WHARF_SCHEMAS), want = 4095, pad, i;
    char *id;

    (void)state;
    /* WHARF_SCHEMAS "/" pad tail is exactly the 4,095 characters that fit */
    pad = want - dir - 1 - strlen(tail);
    id = malloc(pad + strlen(tail) + 16);
    for (i = 0; i < pad; i++)
        id[i] = (i % 2 == 0 && i + 1 < pad) ? '.' : '/';
    strcpy(id + pad, tail);
    strcat(id, "-not-this");
    edi_err_clear(&err);
    assert_true(edi_guides_get(&g, G, id, &err) < 0);
    assert_null(g);
    assert_non_null(strstr(err.msg, "too long"));
    free(id);
}

static void test_get_errors(void **state)
{
    const struct edi_guide *g, *again;
    struct edi_err err;
    struct edi_guides *r;

    edi_err_clear(&err);
    assert_int_equal(edi_guides_get(&g, G, "x12/004010/999", &err), EDI_ENOTFOUND);
    assert_null(g);
    assert_non_null(strstr(err.msg, "x12/004010/999"));
    assert_int_equal(edi_guides_get(&g, G, "../schemas/x12/004010/850", &err), EDI_ENOTFOUND);
    assert_int_equal(edi_guides_get(&g, G, "/etc/passwd", &err), EDI_ENOTFOUND);
    {
        struct edi_guide_id gid;

        edi_err_clear(&err);
        assert_int_equal(edi_guides_peek(&gid, G, "x12/004010/999", &err), EDI_ENOTFOUND);
        assert_non_null(strstr(err.msg, "no guide x12/004010/999"));
        assert_int_equal(edi_guides_peek(&gid, G, "../schemas/x12/004010/850", &err), EDI_ENOTFOUND);
        assert_int_equal(edi_guides_peek(&gid, G, "/etc/passwd", &err), EDI_ENOTFOUND);
    }

    /* cached: the same pointer twice */
    edi_err_clear(&err);
    assert_int_equal(edi_guides_get(&g, G, "partners/amazon-rp/850", &err), 0);
    assert_int_equal(edi_guides_get(&again, G, "partners/amazon-rp/850", &err), 0);
    assert_ptr_equal(g, again);
    assert_string_equal(g->base, "x12/004010/850");
    assert_string_equal(g->set, "850");
    assert_string_equal(g->version, "004010");
    assert_int_equal(edi_guides_for(&again, G, "004010", "850", &err), 0);
    assert_string_equal(again->id, "x12/004010/850");
    edi_err_clear(&err);
    assert_int_equal(edi_guides_for(&again, G, "005010X231A1", "999", &err), 0);
    assert_int_equal(again->v5010, 1);

    /* a folder without guide.xsd */
    edi_err_clear(&err);
    assert_int_equal(edi_guides_new(&r, WHARF_TESTDATA, &err), EDI_ECONFIG);
    assert_null(r);
    edi_guides_free(NULL);
}

/* An err that still holds an earlier failure does not make the next
 * load fail: err is output only. */
static void test_get_after_an_error(void **state)
{
    struct edi_guides *r;
    const struct edi_guide *g;
    struct edi_err err;
    int rc;

    edi_err_clear(&err);
    assert_int_equal(edi_guides_new(&r, WHARF_SCHEMAS, &err), 0);
    assert_int_equal(edi_guides_get(&g, r, "x12/004010/nope", &err), EDI_ENOTFOUND);
    rc = edi_guides_get(&g, r, "x12/004010/997", &err);
    edi_guides_free(r);
    if (rc != 0)
        fail_msg("x12/004010/997 after a failed get: rc %d, %s", rc, err.msg);
}

/* err may be NULL, as everywhere in edi/. Run in a child process, so a
 * crash is this test failing rather than the end of the run. */
static void test_get_without_err(void **state)
{
    pid_t pid;
    int status = 0;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct edi_guides *r;
        const struct edi_guide *g;
        int rc, rc2;

        if (edi_guides_new(&r, WHARF_SCHEMAS, NULL) != 0)
            _exit(2);
        rc = edi_guides_get(&g, r, "x12/004010/997", NULL);
        rc2 = edi_guides_get(&g, r, "x12/004010/nope", NULL);
        edi_guides_free(r);
        _exit(rc == 0 && rc2 == EDI_ENOTFOUND ? 0 : 3);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("edi_guides_get with err NULL: %s %d", WIFEXITED(status) ? "exit" : "killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* Every guide file under schemas/x12/<version>/ (but the segment
 * dictionaries) and schemas/partners/<partner>/ compiles. */
static void test_every_guide_loads(void **state)
{
    static const char *tops[] = {"x12", "partners"};
    struct edi_guides *fresh;   /* nothing compiled: edi_guides_peek reads the files */
    struct edi_guide_id gid;
    size_t t;
    int n = 0, bad = 0;

    assert_int_equal(edi_guides_new(&fresh, WHARF_SCHEMAS, NULL), 0);
    for (t = 0; t < 2; t++) {
        char path[1024];
        DIR *d;
        struct dirent *e;

        snprintf(path, sizeof(path), "%s/%s", WHARF_SCHEMAS, tops[t]);
        d = opendir(path);
        assert_non_null(d);
        while ((e = readdir(d)) != NULL) {
            char sub[1536];
            DIR *d2;
            struct dirent *f;

            if (e->d_name[0] == '.')
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            if ((d2 = opendir(sub)) == NULL)
                continue;
            while ((f = readdir(d2)) != NULL) {
                size_t len = strlen(f->d_name);
                char id[512];
                const struct edi_guide *g;
                struct edi_err err;

                if (len < 5 || strcmp(f->d_name + len - 4, ".xml") != 0 ||
                    strcmp(f->d_name, "segments.xml") == 0)
                    continue;
                snprintf(id, sizeof(id), "%s/%s/%.*s", tops[t], e->d_name, (int)(len - 4), f->d_name);
                edi_err_clear(&err);
                n++;
                if (edi_guides_get(&g, G, id, &err) < 0) {
                    print_message("# %s: %s\n", id, err.msg);
                    bad++;
                    continue;
                }
                if (strlen(g->set) != 3 || g->root.nkid < 2 || strcmp(g->id, id) != 0) {
                    print_message("# %s: set '%s', %u nodes, id %s\n", id, g->set, g->root.nkid, g->id);
                    bad++;
                }
                /* what the configuration reads without compiling agrees */
                if (edi_guides_peek(&gid, fresh, id, &err) < 0 || strcmp(gid.set, g->set) != 0 ||
                    strcmp(gid.version, g->version) != 0) {
                    print_message("# %s: peeked set '%s' version '%s', compiled '%s' '%s'\n", id,
                                  gid.set, gid.version, g->set, g->version);
                    bad++;
                }
            }
            closedir(d2);
        }
        closedir(d);
    }
    edi_guides_free(fresh);
    assert_int_equal(bad, 0);
    assert_true(n >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_no_cascade),
        cmocka_unit_test(test_finding_fields),
        cmocka_unit_test(test_findings_limit),
        cmocka_unit_test(test_guide_choice),
        cmocka_unit_test(test_get_errors),
        cmocka_unit_test(test_get_long_name),
        cmocka_unit_test(test_every_guide_loads),
        cmocka_unit_test(test_get_after_an_error),
        cmocka_unit_test(test_get_without_err),
    };

    return cmocka_run_group_tests_name("guide", tests, tu_guides_setup, tu_guides_teardown);
}
