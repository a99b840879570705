/*
 * test_readback.c — status read-back (gateway/readback.c): 997 and 999
 * sets read into plain words (table-driven), 864 text and references, and
 * what they do to our outbound documents in a real store: accepted,
 * rejected with the detail, the AK9 verdict for sets without an AK2, a
 * partially accepted group, a functional id or set id that does not fit,
 * a status code X12 does not have, a group we never sent, the same acknowledgment read twice, and an 864
 * finding the document it refers to.
 *
 * The pipeline around it (files, guides, the CLI) is
 * tests/integration/readback.sh.
 */
#include "testutil.h"
#include "gateway/flow/readback.h"

#include <unistd.h>

#define T0 1735689600   /* 2025-01-01T00:00:00Z */
#define PARTNER "amazon-rp"

/* ---- sets from text -------------------------------------------------------------- */

struct each {
    void (*fn)(const struct edi_tx *tx, void *arg);
    void *arg;
    int called;
};

static int on_tx(void *ctx, struct edi_tx *tx)
{
    struct each *e = ctx;

    e->called++;
    e->fn(tx, e->arg);
    return 0;
}

/* An interchange from AMAZON with one set (kind 997, 999 or 864) of body
 * segments (each ending in ~), handed to fn. */
static void with_set(const char *kind, const char *body, void (*fn)(const struct edi_tx *, void *),
                     void *arg)
{
    int v5 = strcmp(kind, "999") == 0;
    struct edi_x12_handler h;
    struct edi_x12_parser p;
    struct each e = {fn, arg, 0};
    struct edi_err err;
    char x12[8192];

    snprintf(x12, sizeof(x12),
             "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     *250102*0100*%s*%s*000000001*0*P*>~\n"
             "GS*%s*AMAZON*ACMEVENDOR*20250102*0100*1*X*%s~\n"
             "ST*%s*0101%s~\n%sSE*9*0101~\nGE*1*1~\nIEA*1*000000001~\n",
             v5 ? "^" : "U", v5 ? "00501" : "00401", strcmp(kind, "864") == 0 ? "TX" : "FA",
             v5 ? "005010X231A1" : "004010", kind, v5 ? "*005010X231A1" : "", body);
    memset(&h, 0, sizeof(h));
    h.ctx = &e;
    h.tx = on_tx;
    edi_err_clear(&err);
    edi_x12_parser_init(&p, NULL, &h);
    assert_int_equal(edi_x12_parse_mem(&p, x12, strlen(x12), &err), 0);
    edi_x12_parser_dispose(&p);
    assert_int_equal(e.called, 1);
}

/* ---- reading 997 and 999 ------------------------------------------------------------ */

struct fa_case {
    const char *name, *kind, *body;
    int rc;
    const char *func, *group;
    char group_status;
    const char *group_detail;
    size_t nsets;
    /* the first set */
    const char *set_id, *control;
    char status;
    const char *detail;
};

static const struct fa_case FA_CASES[] = {
    {"accepted", "997", "AK1*PR*2~AK2*855*0002~AK5*A~AK9*A*1*1*1~", 0, "PR", "2", 'A', NULL, 1,
     "855", "0002", 'A', NULL},
    {"rejected with AK3/AK4", "997",
     "AK1*PR*2~AK2*855*0002~AK3*N1*12*N1*8~AK4*4*67*7*XX~AK5*R*5~AK9*R*1*1*0~", 0, "PR", "2", 'R',
     "AK9 R: rejected", 1, "855", "0002", 'R',
     "AK3 N1 at segment 12 (loop N1): 8 segment has data element errors; AK4 element 4 (ref 67): "
     "7 invalid code value 'XX'; AK5 R: rejected, 5 one or more segments in error"},
    {"AK3 without loop or code, AK4 in a composite, unknown codes", "997",
     "AK1*IN*000017~AK2*810*0001~AK3*IT1*7~AK4*3>2**99~AK5*R*5*77~AK9*R*1*1*0~", 0, "IN", "000017",
     'R', "AK9 R: rejected", 1, "810", "0001", 'R',
     "AK3 IT1 at segment 7; AK4 element 3 component 2: 99; AK5 R: rejected, 5 one or more segments "
     "in error, 77"},
    {"accepted with errors", "997", "AK1*SH*3~AK2*856*0003~AK3*TD5*4**2~AK5*E~AK9*E*1*1*1~", 0,
     "SH", "3", 'E', "AK9 E: accepted but errors were noted", 1, "856", "0003", 'E',
     "AK3 TD5 at segment 4: 2 unexpected segment; AK5 E: accepted but errors were noted"},
    {"AK9 alone, with group codes", "997", "AK1*PR*9~AK9*R*1*1*0*5*4~", 0, "PR", "9", 'R',
     "AK9 R: rejected, 5 number of included transaction sets does not match actual count, 4 group "
     "control number in the functional group header and trailer do not agree",
     0, NULL, NULL, 0, NULL},
    {"two sets", "997", "AK1*PR*4~AK2*855*0004~AK5*A~AK2*855*0005~AK5*R*1~AK9*P*2*2*1~", 0, "PR",
     "4", 'P', "AK9 P: partially accepted, at least one transaction set was rejected", 2, "855",
     "0004", 'A', NULL},
    {"999 with IK3/IK4 and a repetition", "999",
     "AK1*PR*5*004010~AK2*855*0005~IK3*PO1*5**8~CTX*PO1*5~IK4*2>>1*330*I12*1X2~IK5*R*I5~AK9*R*1*1*0~",
     0, "PR", "5", 'R', "AK9 R: rejected", 1, "855", "0005", 'R',
     "IK3 PO1 at segment 5: 8 segment has data element errors; IK4 element 2 repetition 1 (ref "
     "330): I12 implementation pattern match failure '1X2'; IK5 R: rejected, I5 implementation "
     "one or more segments in error"},
    {"no AK1", "997", "AK2*855*0002~AK5*A~AK9*A*1*1*1~", EDI_ESYNTAX, "", "", 'A', NULL, 1, "855",
     "0002", 'A', NULL},
};

static void check_fa(const struct edi_tx *tx, void *arg)
{
    const struct fa_case *k = arg;
    struct gw_fa fa;
    struct edi_err err;
    int rc;

    edi_err_clear(&err);
    rc = gw_fa_read(&fa, tx, &err);
    if (rc != k->rc)
        fail_msg("%s: rc %d, want %d (%s)", k->name, rc, k->rc, err.msg);
    assert_string_equal(fa.kind, k->kind);
    assert_string_equal(fa.func_id, k->func);
    assert_string_equal(fa.group, k->group);
    assert_int_equal(fa.group_status, k->group_status);
    if (k->group_detail)
        assert_string_equal(fa.group_detail ? fa.group_detail : "(none)", k->group_detail);
    else
        assert_null(fa.group_detail);
    assert_int_equal(fa.nsets, k->nsets);
    if (k->nsets) {
        assert_string_equal(fa.sets[0].set_id, k->set_id);
        assert_string_equal(fa.sets[0].control, k->control);
        assert_int_equal(fa.sets[0].status, k->status);
        if (k->detail)
            assert_string_equal(fa.sets[0].detail ? fa.sets[0].detail : "(none)", k->detail);
        else
            assert_null(fa.sets[0].detail);
    }
    gw_fa_dispose(&fa);
}

static void test_fa_read(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(FA_CASES) / sizeof(FA_CASES[0]); i++)
        with_set(FA_CASES[i].kind, FA_CASES[i].body, check_fa, (void *)&FA_CASES[i]);
}

/* ---- reading 864 --------------------------------------------------------------------- */

#define MSG864(refs)                                                                          \
    "BMG*00*Invoice problem~DTM*097*20250102~N1*ST*Amazon~" refs                             \
    "MIT*M-77*Invoice rejected~MSG*Line 2: unit cost differs from the PO.~MSG*Please resend.~"

static void check_864(const struct edi_tx *tx, void *arg)
{
    struct gw_textmsg m;
    struct edi_err err;

    (void)arg;
    assert_int_equal(gw_textmsg_read(&m, tx, &err), 0);
    assert_string_equal(m.text, "Invoice rejected\nLine 2: unit cost differs from the PO.\nPlease resend.");
    /* tried in order: IV, SI, BM, PO, MIT01, others as they came */
    assert_int_equal(m.nrefs, 5);
    assert_string_equal(m.refs[0].qual, "IV");
    assert_string_equal(m.refs[0].value, "INV-9");
    assert_string_equal(m.refs[1].qual, "PO");
    assert_string_equal(m.refs[2].qual, "MIT");
    assert_string_equal(m.refs[2].value, "M-77");
    assert_string_equal(m.refs[3].qual, "ZZ");
    assert_string_equal(m.refs[4].qual, "CR");
    gw_textmsg_dispose(&m);
}

static void test_864_read(void **state)
{
    with_set("864", MSG864("REF*ZZ*other~REF*PO*PO-1~REF*CR*ACME1~REF*IV*INV-9~"), check_864, NULL);
}

/* ---- against a store --------------------------------------------------------------- */

struct fx {
    char dir[64], path[128];
    struct gw_ctx c;
    FILE *log;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct edi_err err;

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/wharf-readback-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/wharf.db", f->dir);
    edi_err_clear(&err);
    if (gw_store_open(&f->c.store, f->path, &err) < 0 || (f->log = tmpfile()) == NULL) {
        fprintf(stderr, "# %s\n", err.msg);
        return -1;
    }
    f->c.now = T0;
    f->c.log = f->log;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    size_t i;

    gw_store_close(f->c.store);
    fclose(f->log);
    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t add_doc(struct fx *f, const char *dir, const char *kind, const char *gs, const char *st,
                       const char *ref)
{
    struct edi_err err;
    int64_t id = 0;

    edi_err_clear(&err);
    if (gw_store_add_document(&id, f->c.store, 0, PARTNER, dir, kind, gs, st, ref,
                              strcmp(dir, "in") == 0 ? "accepted" : "sent", NULL, f->c.now, &err) < 0)
        fail_msg("%s", err.msg);
    return id;
}

/* The document row (the caller frees it with gw_documents_free(d, 1)). */
static struct gw_document *doc(struct fx *f, int64_t id)
{
    struct gw_document *v = NULL, *d = NULL;
    struct edi_err err;
    size_t n = 0, i;

    if (gw_store_documents(&v, &n, f->c.store, NULL, NULL, NULL, id, 100, &err) < 0)
        fail_msg("%s", err.msg);
    for (i = 0; i < n; i++)
        if (v[i].id == id) {
            d = edi_xmalloc(sizeof(*d));
            *d = v[i];
            memset(&v[i], 0, sizeof(v[i]));
        }
    gw_documents_free(v, n);
    if (d == NULL)
        fail_msg("no document %lld", (long long)id);
    return d;
}

static void assert_state(struct fx *f, int64_t id, const char *state)
{
    struct gw_document *d = doc(f, id);

    assert_string_equal(d->state, state);
    gw_documents_free(d, 1);
}

struct apply {
    struct fx *f;
    int64_t self;
};

static void apply_tx(const struct edi_tx *tx, void *arg)
{
    struct apply *a = arg;
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_readback_set(&a->f->c, PARTNER, a->self, tx, &err) != 0)
        fail_msg("%s", err.msg);
}

/* Reads a partner's set (recorded as an inbound document first); returns its id. */
static int64_t receive(struct fx *f, const char *kind, const char *body)
{
    struct apply a = {f, add_doc(f, "in", kind, "1", "0101", NULL)};

    with_set(kind, body, apply_tx, &a);
    return a.self;
}

/* The log so far, and empty it. */
static void log_text(struct fx *f, char *buf, size_t cap)
{
    size_t n;

    fflush(f->log);
    rewind(f->log);
    n = fread(buf, 1, cap - 1, f->log);
    buf[n] = '\0';
    if (ftruncate(fileno(f->log), 0) != 0)
        fail_msg("ftruncate");
    rewind(f->log);
}

static void test_fa_accept_reject(void **state)
{
    struct fx *f = *state;
    int64_t a = add_doc(f, "outbound", "855", "2", "0002", "PO-A");
    int64_t b = add_doc(f, "outbound", "855", "3", "0003", "PO-B");
    int64_t ack;
    struct gw_document *d;
    struct edi_err err;
    char *why = NULL, log[4096];

    receive(f, "997", "AK1*PR*2~AK2*855*0002~AK5*A~AK9*A*1*1*1~");
    assert_state(f, a, "accepted");
    assert_state(f, b, "sent");
    ack = receive(f, "997", "AK1*PR*000003~AK2*855*3~AK3*N1*12*N1*8~AK4*4*67*7*XX~AK5*R*5~AK9*R*1*1*0~");
    assert_state(f, b, "rejected");
    d = doc(f, ack);
    assert_int_equal(d->about, b);
    assert_string_equal(d->text, "855 PO-B GS 3 ST 0003 rejected: AK3 N1 at segment 12 (loop N1): 8 "
                                 "segment has data element errors; AK4 element 4 (ref 67): 7 invalid "
                                 "code value 'XX'; AK5 R: rejected, 5 one or more segments in error");
    gw_documents_free(d, 1);
    d = doc(f, b);
    assert_int_equal(gw_readback_why(&why, f->c.store, d, &err), 0);
    assert_non_null(why);
    assert_true(strncmp(why, "rejected: AK3 N1 at segment 12", 30) == 0);
    free(why);
    gw_documents_free(d, 1);
    log_text(f, log, sizeof(log));
    assert_non_null(strstr(log, "warn  amazon-rp: 855 PO-B rejected by the partner's 997 0101: AK3 N1"));
}

static void test_fa_twice(void **state)
{
    struct fx *f = *state;
    int64_t a = add_doc(f, "outbound", "855", "2", "0002", "PO-A");
    struct gw_document *d;
    char log[4096];

    f->c.now = T0 + 60;
    receive(f, "997", "AK1*PR*2~AK2*855*0002~AK5*A~AK9*A*1*1*1~");
    f->c.now = T0 + 120;
    receive(f, "997", "AK1*PR*2~AK2*855*0002~AK5*A~AK9*A*1*1*1~");
    d = doc(f, a);
    assert_string_equal(d->state, "accepted");
    assert_int_equal(d->updated, T0 + 60);   /* the second read changed nothing */
    gw_documents_free(d, 1);
    log_text(f, log, sizeof(log));
    assert_non_null(strstr(log, "accepted by the partner's 997 0101 (again)"));
}

static void test_fa_group_verdict(void **state)
{
    struct fx *f = *state;
    int64_t a = add_doc(f, "outbound", "855", "7", "0001", "PO-A");
    int64_t b = add_doc(f, "outbound", "855", "7", "0002", "PO-B");
    int64_t c = add_doc(f, "outbound", "855", "8", "0003", "PO-C");
    int64_t d = add_doc(f, "outbound", "855", "8", "0004", "PO-D");
    struct gw_document *x;

    /* no AK2: the AK9 verdict is every set's */
    receive(f, "997", "AK1*PR*7~AK9*A*2*2*2~");
    assert_state(f, a, "accepted");
    assert_state(f, b, "accepted");
    /* P names one set: the other is left as it is */
    receive(f, "997", "AK1*PR*8~AK2*855*0003~AK5*R*5~AK9*P*2*2*1~");
    assert_state(f, c, "rejected");
    assert_state(f, d, "sent");
    /* R without AK2 rejects the rest, with the group codes */
    f->c.now = T0 + 60;
    receive(f, "997", "AK1*PR*8~AK2*855*0003~AK5*R*5~AK9*R*2*2*0*5~");
    assert_state(f, d, "rejected");
    x = doc(f, c);
    assert_int_equal(x->updated, T0);   /* already rejected */
    gw_documents_free(x, 1);
}

static void test_fa_does_not_fit(void **state)
{
    struct fx *f = *state;
    int64_t a = add_doc(f, "outbound", "855", "2", "0002", "PO-A");
    int64_t ack;
    struct gw_document *d;
    char log[4096];

    receive(f, "997", "AK1*IN*2~AK2*855*0002~AK5*R~AK9*R*1*1*0~");
    assert_state(f, a, "sent");
    receive(f, "997", "AK1*PR*2~AK2*810*0002~AK5*R~AK9*R*1*1*0~");
    assert_state(f, a, "sent");
    log_text(f, log, sizeof(log));
    assert_non_null(strstr(log, "AK1 says IN group 2, but our group 2 was PR (855): not applied"));
    assert_non_null(strstr(log, "AK2 names 810 0002 in group 2, but we sent a 855 there"));
    /* a status code X12 does not have: matched, left as it is */
    receive(f, "997", "AK1*PR*2~AK2*855*0002~AK5*Q~AK9*A*1*1*1~");
    assert_state(f, a, "sent");
    log_text(f, log, sizeof(log));
    assert_non_null(strstr(log, "unknown status 'Q' for 855 PO-A: left sent"));
    assert_null(strstr(log, "matches nothing"));
    /* a group we never sent: kept, pointing at nothing, warned about */
    ack = receive(f, "997", "AK1*PR*42~AK2*855*0042~AK5*A~AK9*A*1*1*1~");
    d = doc(f, ack);
    assert_int_equal(d->about, 0);
    assert_string_equal(d->text, "855 - GS 42 ST 0042: nothing we sent matches\ngroup 42: nothing we sent matches");
    gw_documents_free(d, 1);
    log_text(f, log, sizeof(log));
    assert_non_null(strstr(log, "warn  amazon-rp: 997 0101 acknowledges group 42 (PR), which matches nothing we sent: kept"));
}

static void test_864_about(void **state)
{
    struct fx *f = *state;
    int64_t po850 = add_doc(f, "in", "850", "4721", "0001", "PO-1");
    int64_t po855 = add_doc(f, "outbound", "855", "2", "0002", "PO-1");
    int64_t inv = add_doc(f, "outbound", "810", "3", "0003", "INV-9");
    int64_t m;
    struct gw_document *d;

    (void)po850;
    /* the invoice number names one document: it wins over the PO */
    m = receive(f, "864", MSG864("REF*PO*PO-1~REF*IV*INV-9~"));
    d = doc(f, m);
    assert_int_equal(d->about, inv);
    assert_string_equal(d->text, "Invoice rejected\nLine 2: unit cost differs from the PO.\nPlease resend.");
    gw_documents_free(d, 1);
    /* a PO: what we sent (the 855) before what we received (the 850) */
    m = receive(f, "864", MSG864("REF*PO*PO-1~"));
    d = doc(f, m);
    assert_int_equal(d->about, po855);
    gw_documents_free(d, 1);
    /* nothing known: kept with its text */
    m = receive(f, "864", MSG864("REF*IV*NOPE~"));
    d = doc(f, m);
    assert_int_equal(d->about, 0);
    assert_non_null(d->text);
    gw_documents_free(d, 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fa_read),
        cmocka_unit_test(test_864_read),
        T(test_fa_accept_reject),
        T(test_fa_twice),
        T(test_fa_group_verdict),
        T(test_fa_does_not_fit),
        T(test_864_about),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
