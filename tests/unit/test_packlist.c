/*
 * test_packlist.c — packing lists (gateway/packlist.c): CSV with RFC 4180
 * quoting, CRLF, blank lines and columns in any order; JSON as an array of
 * rows and as a shipment whose cartons and items override its keys; a
 * table of bad inputs, each with the message and the line (or row) it must
 * be reported at; SSCC check digits; every problem reported, not the
 * first; the row limit; disposing after anything.
 */
#include "testutil.h"
#include "gateway/docs/packlist.h"

/* The required columns, in the header's order. */
#define H "po_number,line_no,quantity,carton_id,warehouse,ship_date\n"
#define R "PO1,1,5,C1,NJ1,2025-03-01"

struct fx {
    struct gw_packlist pl;
    struct edi_findings f;
    struct edi_err err;
};

static int parse(struct fx *x, const char *name, const char *text, size_t n)
{
    edi_findings_init(&x->f, 100);
    edi_err_clear(&x->err);
    return gw_packlist_parse(&x->pl, name, text, n, &x->f, &x->err);
}

static void done(struct fx *x)
{
    gw_packlist_dispose(&x->pl);
    edi_findings_dispose(&x->f);
}

/* Parses what must be good, failing with the findings when it is not. */
static void parse_ok(struct fx *x, const char *name, const char *text)
{
    size_t i;

    if (parse(x, name, text, strlen(text)) != 0) {
        for (i = 0; i < x->f.n; i++)
            fprintf(stderr, "# %s\n", x->f.v[i].msg);
        fail_msg("%s", x->err.msg);
    }
    assert_int_equal(x->f.n, 0);
}

static void dump(const struct fx *x)
{
    size_t i;

    for (i = 0; i < x->f.n; i++)
        fprintf(stderr, "#   [%llu] %s\n", (unsigned long long)x->f.v[i].seg_index, x->f.v[i].msg);
}

/* ---- good CSV ----------------------------------------------------------------- */

static void test_csv_good(void **state)
{
    struct fx x;
    const struct gw_pack_row *r;

    parse_ok(&x, "pack.csv",
             /* shuffled, with optional columns; CRLF; a blank line */
             "carton_id,po_number,line_no,quantity,warehouse,ship_date,sscc,lot,weight_kg\r\n"
             "C1,4Z32PABC,1,012,NJ1,2025-03-01,006141410000001040,\"LOT, A\",12.5\r\n"
             "\r\n"
             "  C1 ,4Z32PABC,2,3,NJ1,2024-02-29T14:30:00Z,,,\r\n"
             "\"C2\",\"4Z32PABC\",\"01\",\"1\",NJ1,2025-03-01T14:30-05:00,"
             "00006141410000001040,\"say \"\"hi\"\"\",0.5\r\n");
    assert_int_equal(x.pl.nrows, 3);
    assert_int_equal(x.pl.json, 0);

    r = &x.pl.rows[0];
    assert_int_equal(r->src, 2);
    assert_string_equal(r->po_number, "4Z32PABC");
    assert_int_equal(r->line_no, 1);
    assert_string_equal(r->quantity, "12");   /* canonical */
    assert_string_equal(r->carton_id, "C1");
    assert_string_equal(r->warehouse, "NJ1");
    assert_string_equal(r->ship_date, "2025-03-01");
    assert_string_equal(r->sscc, "006141410000001040");
    assert_string_equal(r->lot, "LOT, A");
    assert_string_equal(r->weight_kg, "12.5");
    assert_null(r->tracking_number);
    assert_null(r->expiry);

    r = &x.pl.rows[1];
    assert_int_equal(r->src, 4);   /* the blank line counts */
    assert_string_equal(r->carton_id, "C1");
    assert_string_equal(r->ship_date, "2024-02-29T14:30:00Z");
    assert_null(r->sscc);   /* empty optional: NULL */
    assert_null(r->lot);
    assert_null(r->weight_kg);

    r = &x.pl.rows[2];
    assert_int_equal(r->src, 5);
    assert_string_equal(r->carton_id, "C2");
    assert_int_equal(r->line_no, 1);
    assert_string_equal(r->ship_date, "2025-03-01T14:30-05:00");
    assert_string_equal(r->sscc, "006141410000001040");   /* the AI 00 dropped */
    assert_string_equal(r->lot, "say \"hi\"");
    done(&x);
}

/* LF, a byte order mark, every optional column, no newline at the end. */
static void test_csv_all_columns(void **state)
{
    struct fx x;
    const struct gw_pack_row *r;

    parse_ok(&x, "pack.csv",
             "\xef\xbb\xbfpo_number,line_no,quantity,carton_id,warehouse,ship_date,sscc,"
             "tracking_number,carrier_scac,weight_kg,length_cm,width_cm,height_cm,pallet_id,bol,"
             "pro,shipment_id,lot,expiry\n"
             "PO9,7,100,CTN-9,CA2,2000-02-29T23:59+14:00,106141411234567897,1Z999,UPSN,3,40.0,"
             "30,20.25,PAL1,BOL77,PRO5,SH-1,L-1,2027-12-31");
    assert_int_equal(x.pl.nrows, 1);
    r = &x.pl.rows[0];
    assert_int_equal(r->src, 2);
    assert_int_equal(r->line_no, 7);
    assert_string_equal(r->quantity, "100");
    assert_string_equal(r->sscc, "106141411234567897");
    assert_string_equal(r->tracking_number, "1Z999");
    assert_string_equal(r->carrier_scac, "UPSN");
    assert_string_equal(r->weight_kg, "3");
    assert_string_equal(r->length_cm, "40.0");
    assert_string_equal(r->width_cm, "30");
    assert_string_equal(r->height_cm, "20.25");
    assert_string_equal(r->pallet_id, "PAL1");
    assert_string_equal(r->bol, "BOL77");
    assert_string_equal(r->pro, "PRO5");
    assert_string_equal(r->shipment_id, "SH-1");
    assert_string_equal(r->lot, "L-1");
    assert_string_equal(r->expiry, "2027-12-31");
    done(&x);
}

/* ---- good JSON ---------------------------------------------------------------- */

static void test_json_rows(void **state)
{
    struct fx x;

    parse_ok(&x, "pack.json",
             "  [{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":\"012\",\"carton_id\":\"C1\","
             "\"warehouse\":\"NJ1\",\"ship_date\":\"2025-03-01\",\"weight_kg\":12.5,\"lot\":null},\n"
             "   {\"po_number\":12345,\"line_no\":\"2\",\"quantity\":2.0,\"carton_id\":\"C1\","
             "\"warehouse\":\"NJ1\",\"ship_date\":\"2025-03-01T08:00:00+01:00\",\"width_cm\":0.1}]");
    assert_int_equal(x.pl.json, 1);
    assert_int_equal(x.pl.nrows, 2);
    assert_int_equal(x.pl.rows[0].src, 1);
    assert_string_equal(x.pl.rows[0].quantity, "12");
    assert_string_equal(x.pl.rows[0].weight_kg, "12.5");
    assert_null(x.pl.rows[0].lot);
    assert_int_equal(x.pl.rows[1].src, 2);
    assert_string_equal(x.pl.rows[1].po_number, "12345");   /* a number as text */
    assert_int_equal(x.pl.rows[1].line_no, 2);
    assert_string_equal(x.pl.rows[1].quantity, "2");        /* a whole real */
    assert_string_equal(x.pl.rows[1].width_cm, "0.1");      /* shortest text */
    done(&x);
}

static void test_json_shipment(void **state)
{
    struct fx x;
    const struct gw_pack_row *r;

    parse_ok(&x, "pack.json",
             "{\"shipment_id\":\"SH1\",\"warehouse\":\"NJ1\",\"ship_date\":\"2025-03-01\","
             " \"carrier_scac\":\"UPSN\",\"bol\":\"BOL1\",\"pro\":\"PRO1\",\n"
             " \"cartons\":[\n"
             "  {\"carton_id\":\"C1\",\"sscc\":\"006141410000001040\",\"weight_kg\":\"3.2\",\n"
             "   \"items\":[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":5,\"lot\":\"L1\","
             "\"expiry\":\"2026-02-28\"},\n"
             "            {\"po_number\":\"PO2\",\"line_no\":3,\"quantity\":\"007\",\"warehouse\":\"CA2\"}]},\n"
             "  {\"carton_id\":\"C2\",\"ship_date\":\"2025-03-02\",\"sscc\":\"00106141411234567897\","
             "\"items\":[{\"po_number\":\"PO1\",\"line_no\":2,\"quantity\":1}]}]}\n");
    assert_int_equal(x.pl.json, 1);
    assert_int_equal(x.pl.nrows, 3);

    r = &x.pl.rows[0];
    assert_int_equal(r->src, 1);
    assert_string_equal(r->shipment_id, "SH1");
    assert_string_equal(r->warehouse, "NJ1");
    assert_string_equal(r->carrier_scac, "UPSN");
    assert_string_equal(r->bol, "BOL1");
    assert_string_equal(r->pro, "PRO1");
    assert_string_equal(r->carton_id, "C1");
    assert_string_equal(r->sscc, "006141410000001040");
    assert_string_equal(r->weight_kg, "3.2");
    assert_string_equal(r->lot, "L1");
    assert_string_equal(r->expiry, "2026-02-28");

    r = &x.pl.rows[1];
    assert_string_equal(r->warehouse, "CA2");   /* the item overrides */
    assert_string_equal(r->quantity, "7");
    assert_string_equal(r->carton_id, "C1");
    assert_null(r->lot);                         /* not carried from the sibling */

    r = &x.pl.rows[2];
    assert_int_equal(r->src, 3);
    assert_string_equal(r->carton_id, "C2");
    assert_string_equal(r->ship_date, "2025-03-02");   /* the carton overrides */
    assert_string_equal(r->warehouse, "NJ1");
    assert_string_equal(r->sscc, "106141411234567897");
    assert_null(r->weight_kg);                   /* C1's, not C2's */
    done(&x);
}

/* ---- bad inputs, each with its message and place ------------------------------ */

static void test_bad_inputs(void **state)
{
    static char long_lot[400];
    static const struct {
        const char *what, *name, *text, *want;
        unsigned at;   /* the finding's seg_index */
    } cases[] = {
        /* CSV values */
        {"quantity a word", "pack.csv", H "PO1,1,x,C1,NJ1,2025-03-01\n",
         "pack.csv:2: quantity 'x' is not a positive whole number", 2},
        {"quantity zero", "pack.csv", H "PO1,1,000,C1,NJ1,2025-03-01\n",
         "pack.csv:2: quantity '000' is not a positive whole number", 2},
        {"quantity negative", "pack.csv", H "PO1,1,-3,C1,NJ1,2025-03-01\n",
         "quantity '-3' is not a positive whole number", 2},
        {"quantity decimal", "pack.csv", H "PO1,1,1.5,C1,NJ1,2025-03-01\n",
         "quantity '1.5' is not a positive whole number", 2},
        {"quantity plus sign", "pack.csv", H "PO1,1,+4,C1,NJ1,2025-03-01\n",
         "quantity '+4' is not a positive whole number", 2},
        {"quantity 16 digits", "pack.csv", H "PO1,1,1000000000000000,C1,NJ1,2025-03-01\n",
         "quantity '1000000000000000' is too large (at most 15 digits)", 2},
        {"line_no zero", "pack.csv", H "PO1,0,1,C1,NJ1,2025-03-01\n",
         "pack.csv:2: line_no '0' is not a positive whole number", 2},
        {"line_no over int", "pack.csv", H "PO1,2147483648,1,C1,NJ1,2025-03-01\n",
         "line_no '2147483648' is too large (at most 2147483647)", 2},
        {"line_no 30 digits", "pack.csv", H "PO1,123456789012345678901234567890,1,C1,NJ1,2025-03-01\n",
         "line_no '123456789012345678901234567890' is too large", 2},
        {"line_no with letters", "pack.csv", H "PO1,1a,1,C1,NJ1,2025-03-01\n",
         "line_no '1a' is not a positive whole number", 2},
        {"not a leap year", "pack.csv", H "PO1,1,1,C1,NJ1,2025-02-29\n",
         "pack.csv:2: ship_date '2025-02-29' is not a date", 2},
        {"1900 is not a leap year", "pack.csv", H "PO1,1,1,C1,NJ1,1900-02-29\n",
         "ship_date '1900-02-29' is not a date", 2},
        {"month 13", "pack.csv", H "PO1,1,1,C1,NJ1,2025-13-01\n", "ship_date '2025-13-01' is not a date", 2},
        {"April 31", "pack.csv", H "PO1,1,1,C1,NJ1,2025-04-31\n", "ship_date '2025-04-31' is not a date", 2},
        {"day 00", "pack.csv", H "PO1,1,1,C1,NJ1,2025-04-00\n", "ship_date '2025-04-00' is not a date", 2},
        {"year 0000", "pack.csv", H "PO1,1,1,C1,NJ1,0000-01-01\n", "ship_date '0000-01-01' is not a date", 2},
        {"two-digit year", "pack.csv", H "PO1,1,1,C1,NJ1,25-03-01\n", "ship_date '25-03-01' is not a date", 2},
        {"US date", "pack.csv", H "PO1,1,1,C1,NJ1,03/01/2025\n", "ship_date '03/01/2025' is not a date", 2},
        {"hour 24", "pack.csv", H "PO1,1,1,C1,NJ1,2025-03-01T24:00\n",
         "ship_date '2025-03-01T24:00' is not a date", 2},
        {"second 60", "pack.csv", H "PO1,1,1,C1,NJ1,2025-03-01T12:00:60\n",
         "ship_date '2025-03-01T12:00:60' is not a date", 2},
        {"short offset", "pack.csv", H "PO1,1,1,C1,NJ1,2025-03-01T12:00+5:00\n",
         "ship_date '2025-03-01T12:00+5:00' is not a date", 2},
        {"zone without time", "pack.csv", H "PO1,1,1,C1,NJ1,2025-03-01Z\n",
         "ship_date '2025-03-01Z' is not a date", 2},
        {"space for T", "pack.csv", H "PO1,1,1,C1,NJ1,2025-03-01 12:00\n",
         "ship_date '2025-03-01 12:00' is not a date", 2},
        {"text after zone", "pack.csv", H "PO1,1,1,C1,NJ1,2025-03-01T12:00Zx\n",
         "ship_date '2025-03-01T12:00Zx' is not a date", 2},
        {"expiry with a time", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,expiry\n" R ",2025-03-01T10:00\n",
         "pack.csv:2: expiry '2025-03-01T10:00' is not a date (YYYY-MM-DD)", 2},
        {"weight two dots", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,weight_kg\n" R ",1.2.3\n",
         "pack.csv:2: weight_kg '1.2.3' is not a positive decimal number", 2},
        {"weight zero", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,weight_kg\n" R ",0.00\n",
         "weight_kg '0.00' is not a positive decimal number", 2},
        {"weight negative", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,length_cm\n" R ",-1\n",
         "length_cm '-1' is not a positive decimal number", 2},
        {"weight leading dot", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,width_cm\n" R ",.5\n",
         "width_cm '.5' is not a positive decimal number", 2},
        {"weight trailing dot", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,height_cm\n" R ",5.\n",
         "height_cm '5.' is not a positive decimal number", 2},
        {"weight exponent", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,weight_kg\n" R ",1e3\n",
         "weight_kg '1e3' is not a positive decimal number", 2},
        {"sscc check digit", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,sscc\n" R ",006141410000001041\n",
         "pack.csv:2: sscc '006141410000001041' has a wrong check digit (it should be 0)", 2},
        {"sscc 17 digits", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,sscc\n" R ",00614141000000104\n",
         "sscc '00614141000000104' is not an SSCC (18 digits, or 20 beginning with the AI 00)", 2},
        {"sscc 20 digits, not AI 00", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,sscc\n" R ",01006141410000001040\n",
         "sscc '01006141410000001040' is not an SSCC", 2},
        {"sscc AI 00, wrong check digit", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,sscc\n" R ",00006141410000001049\n",
         "sscc '00006141410000001049' has a wrong check digit (it should be 0)", 2},
        {"sscc with letters", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,sscc\n" R ",00614141000000104X\n",
         "is not an SSCC", 2},
        {"required empty", "pack.csv", H "PO1,1,1,,NJ1,2025-03-01\n", "pack.csv:2: carton_id is empty", 2},
        {"required blank", "pack.csv", H "PO1,1,1,C1,\"  \",2025-03-01\n", "pack.csv:2: warehouse is empty", 2},
        {"control character", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,lot\n" R ",\"a\x01" "b\"\n",
         "pack.csv:2: lot 'a?b' contains a control character", 2},
        {"too long", "pack.csv", NULL, "pack.csv:2: lot 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
         "is longer than 256 bytes", 2},
        /* CSV shape */
        {"required column missing", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse\nPO1,1,1,C1,NJ1\n",
         "pack.csv:1: required column 'ship_date' is missing", 1},
        {"unknown column", "pack.csv", "po_number,line_no,quantity,carton_id,warehouse,ship_date,colour\n" R
         ",red\n", "pack.csv:1: unknown column 'colour'", 1},
        {"typo in a column", "pack.csv", "po_number,line_no,quantiy,carton_id,warehouse,ship_date\n" R "\n",
         "pack.csv:1: unknown column 'quantiy'", 1},
        {"column twice", "pack.csv", "po_number,line_no,quantity,carton_id,warehouse,ship_date,lot,lot\n" R
         ",a,b\n", "pack.csv:1: column 'lot' appears twice", 1},
        {"column without a name", "pack.csv", "po_number,line_no,quantity,carton_id,warehouse,ship_date,\n" R
         ",\n", "pack.csv:1: column 7 of the header has no name", 1},
        {"header after blank lines", "pack.csv", "\n\npo_number,line_no\n",
         "pack.csv:3: required column 'quantity' is missing", 3},
        {"too few fields", "pack.csv", H "PO1,1,1,C1,NJ1\n", "pack.csv:2: 5 fields, the header has 6", 2},
        {"too many fields", "pack.csv", H R ",x\n", "pack.csv:2: 7 fields, the header has 6", 2},
        {"line after blank lines", "pack.csv", H "\n \r\n\t\n" "PO1,1,x,C1,NJ1,2025-03-01\n",
         "pack.csv:5: quantity 'x'", 5},
        {"line after a quoted newline", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,lot\n"
         "PO1,1,1,C1,NJ1,2025-03-01,\"L\r\nX\"\r\nPO1,2,x,C1,NJ1,2025-03-01,\r\n",
         "pack.csv:4: quantity 'x'", 4},
        {"quoted newline is a control character", "pack.csv",
         "po_number,line_no,quantity,carton_id,warehouse,ship_date,lot\n"
         "PO1,1,1,C1,NJ1,2025-03-01,\"L\nX\"\n", "pack.csv:2: lot 'L?X' contains a control character", 2},
        {"lone CR line ends", "pack.csv", "po_number,line_no,quantity,carton_id,warehouse,ship_date\r"
         R "\rPO1,2,0,C1,NJ1,2025-03-01\r", "pack.csv:3: quantity '0'", 3},
        {"quote inside a field", "pack.csv", H "PO1,1,1,C\"1,NJ1,2025-03-01\n",
         "pack.csv:2: malformed quoting", 2},
        {"text after a closing quote", "pack.csv", H "PO1,1,1,\"C1\"x,NJ1,2025-03-01\n",
         "pack.csv:2: malformed quoting", 2},
        {"goes on after bad quoting", "pack.csv", H "PO1,1,1,C\"1,NJ1,2025-03-01\nPO1,2,x,C1,NJ1,2025-03-01\n",
         "pack.csv:3: quantity 'x'", 3},
        {"quote never closed", "pack.csv", H R "\nPO1,2,1,\"C1,NJ1,2025-03-01\nPO1,3,1,C1,NJ1,2025-03-01\n",
         "pack.csv:3: a quoted field is not closed", 3},
        {"header only", "pack.csv", H, "pack.csv: no rows", 0},
        {"header only, blank lines", "pack.csv", H "\r\n\r\n", "pack.csv: no rows", 0},
        {"empty", "pack.csv", "", "pack.csv: empty: no header line", 0},
        {"only blank lines", "pack.csv", "\n \r\n", "pack.csv: empty: no header line", 0},
        {"garbage", "pack.bin", "\x01\x02garbage\xff\xfe", "pack.bin:1: unknown column '??garbage", 1},
        {"garbage misses columns", "pack.bin", "\x01\x02garbage\xff\xfe",
         "pack.bin:1: required column 'po_number' is missing", 1},
        {"an X12 file", "x.edi", "ISA*00*          *00*~GS*SH~",
         "x.edi:1: unknown column 'ISA*00*          *00*~GS*SH~'", 1},
        /* JSON */
        {"not JSON", "pack.json", "[{\"po_number\": }]", "pack.json:1: not valid JSON (column", 1},
        {"not JSON, line 3", "pack.json", "[\n{},\n{,}]", "pack.json:3: not valid JSON", 3},
        {"trailing garbage", "pack.json", "[] x", "pack.json:1: not valid JSON", 1},
        {"duplicate key", "pack.json", "[{\"lot\":\"a\",\"lot\":\"b\"}]", "duplicate object key", 1},
        {"empty array", "pack.json", "[]", "pack.json: no rows", 0},
        {"row not an object", "pack.json", "[1]", "pack.json: row 1 ([0]): not an object", 1},
        {"unknown key", "pack.json",
         "[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\",\"colour\":\"red\"}]",
         "pack.json: row 1 ([0]): unknown key 'colour'", 1},
        {"missing key", "pack.json",
         "[{},{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\"}]",
         "pack.json: row 2 ([1]): ship_date is missing", 2},
        {"null required key", "pack.json",
         "[{\"po_number\":null,\"line_no\":1,\"quantity\":1,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\"}]", "pack.json: row 1 ([0]): po_number is missing", 1},
        {"fractional quantity", "pack.json",
         "[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":2.5,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\"}]", "pack.json: row 1 ([0]): quantity '2.5' is not a positive whole number", 1},
        {"huge real quantity", "pack.json",
         "[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1e20,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\"}]", "quantity '1e+20' is not a positive whole number", 1},
        {"negative line_no", "pack.json",
         "[{\"po_number\":\"PO1\",\"line_no\":-1,\"quantity\":1,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\"}]", "line_no '-1' is not a positive whole number", 1},
        {"boolean quantity", "pack.json",
         "[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":true,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\"}]", "pack.json: row 1 ([0]): quantity must be a string or a number", 1},
        {"object lot", "pack.json",
         "[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\",\"lot\":{}}]", "lot must be a string or a number", 1},
        {"escaped newline", "pack.json",
         "[{\"po_number\":\"PO\\n1\",\"line_no\":1,\"quantity\":1,\"carton_id\":\"C1\",\"warehouse\":\"NJ1\","
         "\"ship_date\":\"2025-03-01\"}]", "po_number 'PO?1' contains a control character", 1},
        {"shipment: bad header date", "pack.json",
         "{\"ship_date\":\"2025-02-30\",\"warehouse\":\"NJ1\",\"cartons\":[{\"carton_id\":\"C1\","
         "\"items\":[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1}]}]}",
         "pack.json: shipment: ship_date '2025-02-30' is not a date", 1},
        {"shipment: bad carton sscc", "pack.json",
         "{\"ship_date\":\"2025-03-01\",\"warehouse\":\"NJ1\",\"cartons\":["
         "{\"carton_id\":\"C1\",\"items\":[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1},"
         "{\"po_number\":\"PO1\",\"line_no\":2,\"quantity\":1}]},"
         "{\"carton_id\":\"C2\",\"sscc\":\"006141410000001041\","
         "\"items\":[{\"po_number\":\"PO1\",\"line_no\":3,\"quantity\":1}]}]}",
         "pack.json: cartons[1]: sscc '006141410000001041' has a wrong check digit", 3},
        {"shipment: bad item", "pack.json",
         "{\"ship_date\":\"2025-03-01\",\"warehouse\":\"NJ1\",\"cartons\":[{\"carton_id\":\"C1\","
         "\"items\":[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1},"
         "{\"po_number\":\"PO1\",\"line_no\":2,\"quantity\":\"x\"}]}]}",
         "pack.json: row 2 (cartons[0].items[1]): quantity 'x' is not a positive whole number", 2},
        {"shipment: item misses a key", "pack.json",
         "{\"warehouse\":\"NJ1\",\"cartons\":[{\"carton_id\":\"C1\","
         "\"items\":[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1}]}]}",
         "pack.json: row 1 (cartons[0].items[0]): ship_date is missing", 1},
        {"shipment: unknown carton key", "pack.json",
         "{\"ship_date\":\"2025-03-01\",\"warehouse\":\"NJ1\",\"cartons\":[{\"carton_id\":\"C1\","
         "\"cartons\":[],\"items\":[{\"po_number\":\"PO1\",\"line_no\":1,\"quantity\":1}]}]}",
         "pack.json: cartons[0]: unknown key 'cartons'", 1},
        {"shipment: items at the top", "pack.json",
         "{\"ship_date\":\"2025-03-01\",\"items\":[]}", "pack.json: shipment: unknown key 'items'", 1},
        {"shipment: no cartons", "pack.json", "{\"ship_date\":\"2025-03-01\"}",
         "pack.json: shipment: cartons is missing", 1},
        {"shipment: cartons not an array", "pack.json", "{\"cartons\":{}}",
         "pack.json: shipment: cartons is not an array", 1},
        {"shipment: empty cartons", "pack.json", "{\"cartons\":[]}", "pack.json: no rows", 0},
        {"shipment: carton not an object", "pack.json", "{\"cartons\":[[]]}",
         "pack.json: cartons[0]: not an object", 1},
        {"shipment: items not an array", "pack.json", "{\"cartons\":[{\"items\":7}]}",
         "pack.json: cartons[0]: items is not an array", 1},
        {"shipment: no items", "pack.json", "{\"cartons\":[{\"carton_id\":\"C1\",\"items\":[]}]}",
         "pack.json: cartons[0]: no items", 1},
        {"shipment: item not an object", "pack.json", "{\"cartons\":[{\"items\":[\"x\"]}]}",
         "pack.json: row 1 (cartons[0].items[0]): not an object", 1},
    };
    size_t i, k;

    memset(long_lot, 'x', 300);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fx x;
        char buf[1024];
        const char *text = cases[i].text;
        const struct edi_finding *hit = NULL;
        int rc;

        if (text == NULL) {   /* the long field */
            snprintf(buf, sizeof(buf), "po_number,line_no,quantity,carton_id,warehouse,ship_date,lot\n"
                     R ",\"%s\"\n", long_lot);
            text = buf;
        }
        rc = parse(&x, cases[i].name, text, strlen(text));
        for (k = 0; k < x.f.n && hit == NULL; k++)
            if (strstr(x.f.v[k].msg, cases[i].want))
                hit = &x.f.v[k];
        if (rc != EDI_ESYNTAX || hit == NULL || hit->seg_index != cases[i].at ||
            strcmp(hit->code, "packlist") != 0 || x.pl.nrows != 0) {
            fprintf(stderr, "# %s: rc %d, want \"%s\" at %u; got:\n", cases[i].what, rc,
                    cases[i].want, cases[i].at);
            dump(&x);
            fail_msg("case '%s'", cases[i].what);
        }
        assert_int_equal(x.err.rc, EDI_ESYNTAX);
        assert_non_null(strstr(x.err.msg, cases[i].name));
        done(&x);
    }
}

/* ---- the rest ------------------------------------------------------------------- */

static void test_sscc(void **state)
{
    static const struct {
        const char *digits;
        int valid;
    } cases[] = {
        {"006141410000001040", 1},
        {"006141410000001041", 0},
        {"006141410000001049", 0},
        {"106141411234567897", 1},   /* GS1's own example */
        {"106141411234567890", 0},
        {"000000000000000000", 1},
        {"00614141000000104", 0},    /* 17 */
        {"0061414100000010400", 0},  /* 19 */
        {"00006141410000001040", 0}, /* the AI form is packlist's to strip */
        {"00614141000000104a", 0},
        {"", 0},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (gw_sscc_valid(cases[i].digits) != cases[i].valid)
            fail_msg("gw_sscc_valid(%s) != %d", cases[i].digits, cases[i].valid);
    assert_int_equal(gw_sscc_valid(NULL), 0);
}

/* Every problem is reported, not the first; a full findings list still
 * refuses the file; findings already in the list are not ours. */
static void test_all_problems(void **state)
{
    static const char text[] = H "PO1,0,1,C1,NJ1,2025-03-01\n"
                                 "PO1,2,x,C1,NJ1,2025-02-30\n"
                                 R "\n"
                                 "PO1,4,1,,NJ1,2025-03-01\n";
    struct fx x;
    struct edi_finding *old;

    assert_int_equal(parse(&x, "pack.csv", text, strlen(text)), EDI_ESYNTAX);
    assert_int_equal(x.f.n, 4);
    assert_string_equal(x.f.v[0].msg, "pack.csv:2: line_no '0' is not a positive whole number");
    assert_string_equal(x.f.v[0].value, "0");
    assert_int_equal(x.f.v[1].seg_index, 3);
    assert_int_equal(x.f.v[2].seg_index, 3);
    assert_string_equal(x.f.v[3].msg, "pack.csv:5: carton_id is empty");
    assert_string_equal(x.err.msg, "pack.csv: 4 problems in the packing list");
    assert_int_equal(x.pl.nrows, 0);
    assert_null(x.pl.rows);
    done(&x);

    /* room for one finding: the others are dropped, the file still refused */
    edi_findings_init(&x.f, 1);
    assert_int_equal(gw_packlist_parse(&x.pl, "pack.csv", text, strlen(text), &x.f, NULL), EDI_ESYNTAX);
    assert_int_equal(x.f.n, 1);
    assert_int_equal(x.f.dropped, 3);
    done(&x);

    /* someone else's finding in the list does not refuse a good file */
    edi_findings_init(&x.f, 10);
    old = edi_findings_add(&x.f, "other", EDI_LV_SET);
    edi_finding_msg(old, "not ours");
    assert_int_equal(gw_packlist_parse(&x.pl, "pack.csv", H R "\n", strlen(H R "\n"), &x.f, NULL), 0);
    assert_int_equal(x.pl.nrows, 1);
    assert_int_equal(x.f.n, 1);
    done(&x);
}

static void test_row_limit(void **state)
{
    static const char row[] = "PO1,1,1,C1,NJ1,2025-03-01\n";
    size_t n = strlen(H) + (size_t)(GW_PACKLIST_MAX_ROWS + 1) * strlen(row), i;
    char *text = malloc(n + 1), *p = text;
    struct fx x;

    memcpy(p, H, strlen(H)), p += strlen(H);
    for (i = 0; i < GW_PACKLIST_MAX_ROWS; i++)
        memcpy(p, row, strlen(row)), p += strlen(row);
    /* exactly the limit: fine */
    assert_int_equal(parse(&x, "big.csv", text, (size_t)(p - text)), 0);
    assert_int_equal(x.pl.nrows, GW_PACKLIST_MAX_ROWS);
    assert_int_equal(x.pl.rows[GW_PACKLIST_MAX_ROWS - 1].src, GW_PACKLIST_MAX_ROWS + 1);
    done(&x);
    /* one more */
    memcpy(p, row, strlen(row)), p += strlen(row);
    assert_int_equal(parse(&x, "big.csv", text, (size_t)(p - text)), EDI_ELIMIT);
    assert_string_equal(x.err.msg, "big.csv: more than 100000 rows");
    assert_int_equal(x.pl.nrows, 0);
    done(&x);
    free(text);
}

static void test_dispose(void **state)
{
    struct gw_packlist z;
    struct fx x;

    memset(&z, 0, sizeof(z));
    gw_packlist_dispose(&z);
    gw_packlist_dispose(&z);
    gw_packlist_dispose(NULL);

    /* after success, after failure, twice; NULL data and NULL findings */
    parse_ok(&x, "pack.csv", H R "\n");
    gw_packlist_dispose(&x.pl);
    done(&x);
    assert_int_equal(parse(&x, "pack.json", "{", 1), EDI_ESYNTAX);
    done(&x);
    done(&x);
    assert_int_equal(gw_packlist_parse(&z, NULL, NULL, 0, NULL, NULL), EDI_ESYNTAX);
    gw_packlist_dispose(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_good),
        cmocka_unit_test(test_csv_all_columns),
        cmocka_unit_test(test_json_rows),
        cmocka_unit_test(test_json_shipment),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_sscc),
        cmocka_unit_test(test_all_problems),
        cmocka_unit_test(test_row_limit),
        cmocka_unit_test(test_dispose),
    };

    return cmocka_run_group_tests_name("packlist", tests, NULL, NULL);
}
