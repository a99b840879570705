/*
 * test_transport.c — the two seams on typed inputs, against a real store
 * and real folders in a temporary directory: the spool-folder transport
 * (poll lands complete regular files as received messages and holds them;
 * temporary names, dot files and growing interchanges are left; a link is
 * quarantined unread; settle archives or quarantines with the reason;
 * close puts back what was not settled; keep never replaces a kept copy;
 * send writes outbound/ privately; status) and the ERP file exchange
 * (pull tells decisions, packing lists and stock apart; done moves an item
 * to done/ or refused/ with its reason, never over a kept file; push).
 */
#include "testutil.h"
#include "gateway/erp/erp.h"
#include "gateway/transport/transport.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1735689600   /* 2025-01-01T00:00:00Z */

static const char EDI[] = "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
                          "*250101*0000*U*00401*000000001*0*P*>~GS*PO*AMAZON*ACMEVENDOR*20250101*0000*1*X*004010~"
                          "ST*850*0001~BEG*00*SA*PO1**20250101~SE*3*0001~GE*1*1~IEA*1*000000001~\n";

struct fx {
    char dir[64], path[4][128];   /* inbound, archive, quarantine, outbound */
    char erp_in[128], erp_out[128], db[128];
    struct gw_partner p;
    struct gw_config cfg;
    struct gw_ctx c;
    FILE *log;
};

static int setup(void **state)
{
    static const char *const names[] = {"inbound", "archive", "quarantine", "outbound"};
    struct fx *f = calloc(1, sizeof(*f));
    struct edi_err err;
    size_t i;

    snprintf(f->dir, sizeof(f->dir), "/tmp/wharf-transport-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    for (i = 0; i < 4; i++) {
        snprintf(f->path[i], sizeof(f->path[i]), "%s/%s", f->dir, names[i]);
        mkdir(f->path[i], 0700);
    }
    snprintf(f->erp_in, sizeof(f->erp_in), "%s/erp-in", f->dir);
    snprintf(f->erp_out, sizeof(f->erp_out), "%s/erp-out", f->dir);
    mkdir(f->erp_in, 0700);
    snprintf(f->db, sizeof(f->db), "%s/wharf.db", f->dir);
    f->p.id = "amazon-rp";
    f->p.transport = "files";
    f->p.inbound = f->path[0];
    f->p.archive = f->path[1];
    f->p.quarantine = f->path[2];
    f->p.outbound = f->path[3];
    f->p.incomplete_seconds = 900;
    f->cfg.erp_in = f->erp_in;
    f->cfg.erp_out = f->erp_out;
    f->c.cfg = &f->cfg;
    f->c.now = T0;
    f->log = tmpfile();
    f->c.log = f->log;
    edi_err_clear(&err);
    if (gw_store_open(&f->c.store, f->db, &err) < 0)
        fail_msg("%s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    gw_store_close(f->c.store);
    fclose(f->log);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* How many entries of dir (not . and ..) start with prefix (NULL: any). */
static int count(const char *dir, const char *prefix, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.' || (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0))
            continue;
        if (suffix && (len < strlen(suffix) || strcmp(e->d_name + len - strlen(suffix), suffix) != 0))
            continue;
        n++;
    }
    closedir(d);
    return n;
}

static int64_t *received(struct fx *f, size_t *n)
{
    int64_t *ids = NULL;
    struct edi_err err;

    if (gw_store_raws_received(&ids, n, f->c.store, "amazon-rp", &err) < 0)
        fail_msg("%s", err.msg);
    return ids;
}

static void open_spool(struct fx *f, const struct gw_transport_type **tt, struct gw_transport **t)
{
    struct edi_err err;

    if (gw_transport_open(tt, t, &f->c, &f->p, &err) < 0)
        fail_msg("%s", err.msg);
    assert_ptr_equal(*tt, &gw_transport_spool);
}

/* ---- the spool transport --------------------------------------------------------------- */

/* What a poll takes and what it leaves, file by file. */
static void test_spool_poll_what(void **state)
{
    static const struct {
        const char *name, *text;
        int landed;      /* a received message */
        int left;        /* still in inbound/ after close */
        int quarantined; /* a file in quarantine/ */
    } cases[] = {
        {"complete.edi", EDI, 1, 0, 0},
        {"growing.edi", "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
                        "*250101*0000*U*00401*000000002*0*P*>~GS*PO*AMAZON*ACMEVENDOR*20250101*0000*2*X*004010~",
         0, 1, 0},
        {"empty.edi", "", 0, 1, 0},
        {"writing.edi.part", EDI, 0, 1, 0},
        {"~$lock.edi", EDI, 0, 1, 0},
    };
    struct fx *f = *state;
    const struct gw_transport_type *tt;
    struct gw_transport *t;
    struct gw_stats st;
    struct edi_err err;
    int64_t *ids;
    size_t i, n;
    char link[256];
    int landed = 0;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tu_put(f->path[0], cases[i].name, cases[i].text);
    tu_put(f->dir, "secret", "not for a partner");
    snprintf(link, sizeof(link), "%s/link.edi", f->path[0]);
    assert_int_equal(symlink("../secret", link), 0);
    memset(&st, 0, sizeof(st));
    open_spool(f, &tt, &t);
    assert_int_equal(tt->poll(t, &st, &err), 0);
    ids = received(f, &n);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        landed += cases[i].landed;
    assert_int_equal(n, (size_t)landed);
    /* held while unsettled: not in inbound/, not archived */
    assert_int_equal(count(f->path[0], "complete", NULL), 0);
    assert_int_equal(count(f->path[1], NULL, NULL), 0);
    /* the link: quarantined unread, with its reason */
    assert_int_equal(st.quarantined, 1);
    assert_int_equal(count(f->path[2], NULL, "link.edi"), 1);
    assert_int_equal(count(f->path[2], NULL, "link.edi.reason"), 1);
    tt->close(t);
    /* close put the unsettled one back; the others never left */
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(count(f->path[0], cases[i].name, NULL), 1);
    free(ids);
}

/* settle: archived under a time-stamped name, quarantined with the reason
 * beside it, duplicates marked so. */
static void test_spool_settle(void **state)
{
    static const struct {
        const char *verdict, *reason;
        int dir;             /* archive 1, quarantine 2 */
        const char *suffix;
    } cases[] = {
        {GW_VERDICT_ARCHIVED, NULL, 1, "-m0.edi"},
        {GW_VERDICT_DUPLICATE, NULL, 1, "-m1.edi.duplicate"},
        {GW_VERDICT_QUARANTINED, "not from the partner\n", 2, "-m2.edi"},
    };
    struct fx *f = *state;
    const struct gw_transport_type *tt;
    struct gw_transport *t;
    struct gw_stats st;
    struct edi_err err;
    int64_t *ids;
    size_t i, n;

    for (i = 0; i < 3; i++) {
        char name[16], text[sizeof(EDI) + 8];

        snprintf(name, sizeof(name), "m%zu.edi", i);
        snprintf(text, sizeof(text), "%s%zu", EDI, i);   /* other bytes, each its own message */
        tu_put(f->path[0], name, text);
    }
    memset(&st, 0, sizeof(st));
    open_spool(f, &tt, &t);
    assert_int_equal(tt->poll(t, &st, &err), 0);
    ids = received(f, &n);
    assert_int_equal(n, 3);
    for (i = 0; i < 3; i++)
        tt->settle(t, ids[i], cases[i].verdict, cases[i].reason);
    tt->close(t);
    for (i = 0; i < 3; i++)
        assert_int_equal(count(f->path[cases[i].dir], "20250101T000000", cases[i].suffix), 1);
    assert_int_equal(count(f->path[2], NULL, ".reason"), 1);
    assert_int_equal(count(f->path[0], NULL, NULL), 0);
    free(ids);
}

/* The same bytes again: processed before, archived as a duplicate at once;
 * still waiting, held with the waiting message (no second row). */
static void test_spool_same_bytes(void **state)
{
    struct fx *f = *state;
    const struct gw_transport_type *tt;
    struct gw_transport *t;
    struct gw_stats st;
    struct edi_err err;
    int64_t *ids;
    size_t n;

    tu_put(f->path[0], "first.edi", EDI);
    memset(&st, 0, sizeof(st));
    open_spool(f, &tt, &t);
    assert_int_equal(tt->poll(t, &st, &err), 0);
    tt->close(t);   /* not settled: back in inbound/, the message waits */
    assert_int_equal(count(f->path[0], "first.edi", NULL), 1);
    open_spool(f, &tt, &t);
    assert_int_equal(tt->poll(t, &st, &err), 0);
    ids = received(f, &n);
    assert_int_equal(n, 1);   /* held with the waiting message */
    assert_int_equal(st.duplicates, 0);
    assert_int_equal(gw_store_raw_settle(f->c.store, ids[0], GW_VERDICT_ARCHIVED, NULL, &err), 0);
    tt->settle(t, ids[0], GW_VERDICT_ARCHIVED, NULL);
    tt->close(t);
    free(ids);
    tu_put(f->path[0], "again.edi", EDI);
    open_spool(f, &tt, &t);
    assert_int_equal(tt->poll(t, &st, &err), 0);
    tt->close(t);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(count(f->path[1], NULL, "again.edi.duplicate"), 1);
    ids = received(f, &n);
    assert_int_equal(n, 0);
    free(ids);
}

/* keep: a refused part under a unique name, its reason beside it. */
static void test_spool_keep(void **state)
{
    struct fx *f = *state;
    const struct gw_transport_type *tt;
    struct gw_transport *t;

    open_spool(f, &tt, &t);
    tt->keep(t, "po.edi.850-0001.edi", "ST*850*0001~", 12, "segment 2: bad\n");
    tt->keep(t, "po.edi.850-0001.edi", "ST*850*0001~", 12, "segment 3: worse\n");
    tt->close(t);
    assert_int_equal(count(f->path[2], "po.edi.850-0001.edi", ".reason"), 2);
    assert_int_equal(count(f->path[2], "po.edi.850-0001.edi", NULL), 4);
}

/* send: outbound/NAME, the owner's only; a name that leaves the folder is
 * an operator's problem; status follows the file. */
static void test_spool_send(void **state)
{
    struct fx *f = *state;
    const struct gw_transport_type *tt;
    struct gw_transport *t;
    struct gw_outbox_item it;
    struct gw_receipt r;
    struct edi_err err;
    struct stat sb;
    struct gw_receipt_row row;
    struct gw_said said;
    char path[256];

    memset(&it, 0, sizeof(it));
    memset(&r, 0, sizeof(r));
    it.partner = "amazon-rp";
    it.kind = "855";
    it.name = "amazon-rp-855-1.edi";
    it.bytes = (unsigned char *)"ISA~";
    it.n = 4;
    open_spool(f, &tt, &t);
    assert_int_equal(tt->send(t, &it, &r, &err), 0);
    assert_string_equal(r.id, "amazon-rp-855-1.edi");
    snprintf(path, sizeof(path), "%s/amazon-rp-855-1.edi", f->path[3]);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 4);
    memset(&row, 0, sizeof(row));
    row.receipt = r.id;
    assert_int_equal(r.ask, 0);   /* a file written is delivered: no receipt to keep */
    assert_int_equal(tt->status(t, &row, &said, &err), 0);
    assert_string_equal(said.status, "waiting");
    unlink(path);
    assert_int_equal(tt->status(t, &row, &said, &err), 0);
    assert_string_equal(said.status, "picked-up");
    it.name = "../escape.edi";
    assert_int_equal(tt->send(t, &it, &r, &err), EDI_ECONFIG);
    tt->close(t);
    assert_int_equal(count(f->dir, "escape", NULL), 0);
}

static void test_transport_unknown_kind(void **state)
{
    struct fx *f = *state;
    const struct gw_transport_type *tt;
    struct gw_transport *t;
    struct edi_err err;

    f->p.transport = "carrier-pigeon";
    assert_int_equal(gw_transport_open(&tt, &t, &f->c, &f->p, &err), EDI_ECONFIG);
    assert_non_null(strstr(err.msg, "carrier-pigeon"));
    assert_null(gw_transport_kind("carrier-pigeon"));
    assert_ptr_equal(gw_transport_kind("files"), &gw_transport_spool);
}

/* ---- the ERP file exchange ------------------------------------------------------------- */

static void test_erp_pull_kinds(void **state)
{
    static const struct {
        const char *name, *text;
        enum gw_erp_pull kind;   /* the one kind it is pulled as */
    } cases[] = {
        {"a-decision.json", "{\"po_number\": \"PO1\", \"action\": \"approve\"}", GW_ERP_DECISIONS},
        {"b-decisions.csv", "po_number,line_no,accept,backorder,reject,reason,ship_date\nPO1,1,2,,,,\n",
         GW_ERP_DECISIONS},
        {"c-pack.csv", "po_number,line_no,quantity,carton_id\nPO1,1,2,C1\n", GW_ERP_PACKING_LISTS},
        {"d-pack.json", "{\"cartons\": []}", GW_ERP_PACKING_LISTS},
        {"stock.csv", "sku,warehouse,available\nA,W1,5\n", GW_ERP_STOCK},
    };
    struct fx *f = *state;
    const struct gw_erp_type *et;
    struct gw_erp *e;
    struct gw_erp_item *v;
    struct edi_err err;
    size_t i, n, k;
    int kind;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tu_put(f->erp_in, cases[i].name, cases[i].text);
    tu_put(f->erp_in, ".hidden.json", "{\"action\": \"approve\"}");
    tu_put(f->erp_in, "notes.txt", "action");
    assert_int_equal(gw_erp_open(&et, &e, &f->c, GW_ERP_DECISIONS, &err), 0);
    assert_ptr_equal(et, &gw_erp_files);
    for (kind = GW_ERP_DECISIONS; kind <= GW_ERP_STOCK; kind++) {
        size_t want = 0, j = 0;

        assert_int_equal(et->pull(e, (enum gw_erp_pull)kind, &v, &n, &err), 0);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            if ((int)cases[i].kind == kind) {
                want++;
                /* in name order, with their bytes */
                assert_true(j < n);
                assert_string_equal(v[j].name, cases[i].name);
                assert_int_equal(v[j].n, strlen(cases[i].text));
                assert_string_equal(v[j].data, cases[i].text);
                j++;
            }
        assert_int_equal(n, want);
        for (k = 0; k < n; k++)
            assert_true(v[k].name[0] != '.');
        gw_erp_items_free(v, n);
    }
    et->close(e);
}

/* done: applied to done/, refused to refused/ with the reason; a second
 * item of the same name never replaces the first one's kept copy. */
static void test_erp_done(void **state)
{
    struct fx *f = *state;
    const struct gw_erp_type *et;
    struct gw_erp *e;
    struct gw_erp_item *v;
    struct edi_err err;
    char sub[160];
    size_t n;
    int round;

    assert_int_equal(gw_erp_open(&et, &e, &f->c, GW_ERP_DECISIONS, &err), 0);
    for (round = 0; round < 2; round++) {
        tu_put(f->erp_in, "d.json", "{\"action\": \"approve\"}");
        tu_put(f->erp_in, "r.json", "{\"action\": \"reject\"}");
        assert_int_equal(et->pull(e, GW_ERP_DECISIONS, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(et->done(e, &v[0], NULL, &err), 0);
        assert_int_equal(et->done(e, &v[1], "line 1: no such PO\n", &err), 0);
        gw_erp_items_free(v, n);
    }
    et->close(e);
    snprintf(sub, sizeof(sub), "%s/done", f->erp_in);
    assert_int_equal(count(sub, "d.json", NULL), 2);
    snprintf(sub, sizeof(sub), "%s/refused", f->erp_in);
    assert_int_equal(count(sub, "r.json", NULL), 4);
    assert_int_equal(count(sub, "r.json", ".reason"), 2);
    assert_int_equal(count(f->erp_in, NULL, ".json"), 0);
}

/* push: erp/out/NAME privately; a later message of the same name
 * supersedes an earlier unsent one, which is then not written. */
static void test_erp_push(void **state)
{
    struct fx *f = *state;
    const struct gw_erp_type *et;
    struct gw_erp *e;
    struct gw_outbox_item it;
    struct edi_err err;
    char id[64], path[256], *got;
    size_t n;
    int64_t first, second;

    assert_int_equal(gw_store_outbox_add(&first, f->c.store, "amazon-rp", GW_OUTBOX_ERP_JSON,
                                         "amazon-rp-PO1.json", "{\"v\":1}", 7, T0, &err), 0);
    assert_int_equal(gw_store_outbox_add(&second, f->c.store, "amazon-rp", GW_OUTBOX_ERP_JSON,
                                         "amazon-rp-PO1.json", "{\"v\":2}", 7, T0, &err), 0);
    assert_int_equal(gw_erp_open(&et, &e, &f->c, GW_ERP_DECISIONS, &err), 0);
    memset(&it, 0, sizeof(it));
    it.id = second;
    it.partner = "amazon-rp";
    it.kind = GW_OUTBOX_ERP_JSON;
    it.name = "amazon-rp-PO1.json";
    it.bytes = (unsigned char *)"{\"v\":2}";
    it.n = 7;
    assert_int_equal(et->push(e, &it, id, sizeof(id), &err), 0);
    assert_string_equal(id, "amazon-rp-PO1.json");
    it.id = first;   /* the older one, late: not written over the newer */
    it.bytes = (unsigned char *)"{\"v\":1}";
    assert_int_equal(et->push(e, &it, id, sizeof(id), &err), 0);
    et->close(e);
    snprintf(path, sizeof(path), "%s/amazon-rp-PO1.json", f->erp_out);
    assert_int_equal(edi_read_file(&got, &n, path, &err), 0);
    assert_string_equal(got, "{\"v\":2}");
    free(got);
}

/* Amazon's amounts (JSON numbers) as the decimals it wrote. */
static void test_spapi_decimal(void **state)
{
    static const struct {
        double v;
        int min_scale;
        const char *want;
    } CASES[] = {
        {120, 2, "120.00"},     {549.94, 2, "549.94"}, {8.375, 2, "8.375"}, {0.1, 2, "0.10"},
        {-10.5, 2, "-10.50"},   {-0.0, 2, "0.00"},     {12.5, 0, "12.5"},   {1e9, 2, "1000000000.00"},
        {0.07, 2, "0.07"},      {19.99, 2, "19.99"},
    };
    char out[48];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        assert_int_equal(gw_spapi_decimal(out, sizeof(out), CASES[i].v, CASES[i].min_scale), 0);
        assert_string_equal(out, CASES[i].want);
    }
    assert_int_equal(gw_spapi_decimal(out, sizeof(out), 1.0 / 0.0, 2), -1);
    assert_int_equal(gw_spapi_decimal(out, 4, 12345.5, 2), -1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_spool_poll_what),
        T(test_spool_settle),
        T(test_spool_same_bytes),
        T(test_spool_keep),
        T(test_spool_send),
        T(test_transport_unknown_kind),
        T(test_erp_pull_kinds),
        T(test_erp_done),
        T(test_erp_push),
        cmocka_unit_test(test_spapi_decimal),
    };
#undef T

    return cmocka_run_group_tests_name("transport", tests, NULL, NULL);
}
