/*
 * test_cms.c — AS2's cryptography and MIME (gateway/net/cms.h, mime.h):
 * round trips over every combination of signature, encryption,
 * compression and algorithm; tampered, misaddressed, unsigned, expired,
 * cut, oversized and over-nested messages, each with the disposition
 * modifier its MDN must carry; MDNs built, read and verified, with the
 * quirks of real peers; MIC values; the MIME reader's edges.
 *
 * Interop with `openssl cms` as the independent peer (research §4.7) is
 * here too (test_openssl_*), through files in a temp folder: what wharf
 * builds is decrypted and verified by openssl, what openssl builds is
 * opened by wharf, and the MICs agree with `openssl dgst`. CompressedData
 * has no openssl peer on Debian (no zlib in its OpenSSL): python3's zlib
 * and a DER walker of a few lines stand in.
 */
#include "testutil.h"
#include "gateway/net/cms.h"
#include "gateway/net/mime.h"

#include <sys/stat.h>
#include <unistd.h>

#define T0 1767225600   /* 2026-01-01T00:00:00Z */

/* Our side (A), the partner (B), a stranger (C), and an old key of A's
 * that expired (X). */
struct party {
    struct edi_buf key_pem, cert_pem;
    struct gw_cms_key *key;
    const struct gw_cms_cert *cert;
};

static struct party A, B, C, X;
static char dir[64];

#define OK(call)                                                                              \
    do {                                                                                      \
        struct edi_err err_;                                                                  \
        edi_err_clear(&err_);                                                                 \
        if ((call) != 0)                                                                      \
            fail_msg("%s: %s", #call, err_.msg);                                              \
    } while (0)
#define E (&err_)

static void make_party(struct party *p, const char *cn, int days, time_t now)
{
    edi_buf_init(&p->key_pem, 0);
    edi_buf_init(&p->cert_pem, 0);
    OK(gw_cms_keygen(&p->key_pem, &p->cert_pem, cn, 2048, days, now, E));
    OK(gw_cms_key_new(&p->key, p->key_pem.p, p->key_pem.n, p->cert_pem.p, p->cert_pem.n, E));
    p->cert = gw_cms_key_cert(p->key);
}

static void drop_party(struct party *p)
{
    gw_cms_key_free(p->key);
    edi_buf_dispose(&p->key_pem);
    edi_buf_dispose(&p->cert_pem);
}

static void put_file(const char *name, const void *p, size_t n)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static char *get_file(const char *name, size_t *n)
{
    char path[256];
    char *p = NULL;
    struct edi_err err;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    edi_err_clear(&err);
    if (edi_read_file(&p, n, path, &err) < 0)
        fail_msg("%s", err.msg);
    return p;
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/wharf-cms-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    make_party(&A, "ACMEVENDOR AS2", 730, T0);
    make_party(&B, "AMAZON AS2", 730, T0);
    make_party(&C, "STRANGER", 730, T0);
    make_party(&X, "ACMEVENDOR OLD", 1, T0 - 10 * 86400);
    put_file("a.key", A.key_pem.p, A.key_pem.n);
    put_file("a.crt", A.cert_pem.p, A.cert_pem.n);
    put_file("b.key", B.key_pem.p, B.key_pem.n);
    put_file("b.crt", B.cert_pem.p, B.cert_pem.n);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    drop_party(&A);
    drop_party(&B);
    drop_party(&C);
    drop_party(&X);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* An X12 payload with "~\n" line ends and bytes a text-mode signer would
 * change: it must arrive byte for byte. */
static const char X12[] =
    "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     *250101*1200*U*00401*000000001*0*P*>~\n"
    "GS*PO*AMAZON*ACMEVENDOR*20250101*1200*1*X*004010~\n"
    "ST*850*0001~\nBEG*00*SA*4Z32PABC**20250101~\r\nCTT*1~\rSE*4*0001~\n"
    "GE*1*1~\nIEA*1*000000001~\n\n\x01\xff\x80--not-a-boundary\n";

static const struct gw_cms_cert *certs_of(const struct party *p)
{
    return p->cert;
}

/* Opens as B what A sent (B's key, A's certificate). */
static void open_opts_b(struct gw_cms_open_opts *oo, const struct gw_cms_key **keys,
                        const struct gw_cms_cert **certs)
{
    memset(oo, 0, sizeof(*oo));
    keys[0] = B.key;
    certs[0] = certs_of(&A);
    oo->keys = keys;
    oo->nkeys = 1;
    oo->certs = certs;
    oo->ncerts = 1;
    oo->now = T0 + 86400;
}

static void build_opts(struct gw_cms_build_opts *bo, enum gw_cms_md md, enum gw_cms_cipher c, int z)
{
    memset(bo, 0, sizeof(*bo));
    bo->content_type = "application/edi-x12";
    bo->filename = "po-4Z32PABC.edi";
    bo->compress = z;
    bo->sign = md;
    bo->signer = A.key;
    bo->encrypt = c;
    bo->recipient = B.cert;
}

static void test_round_trips(void **state)
{
    static const enum gw_cms_md mds[] = {GW_MD_NONE, GW_MD_SHA256, GW_MD_SHA384, GW_MD_SHA512, GW_MD_SHA1};
    static const enum gw_cms_cipher cs[] = {GW_CIPHER_NONE, GW_CIPHER_AES128_CBC, GW_CIPHER_AES192_CBC,
                                            GW_CIPHER_AES256_CBC, GW_CIPHER_AES128_GCM, GW_CIPHER_AES256_GCM};
    size_t i, j, z, cases = 0;

    for (i = 0; i < sizeof(mds) / sizeof(mds[0]); i++)
        for (j = 0; j < sizeof(cs) / sizeof(cs[0]); j++)
            for (z = 0; z < 2; z++) {
                struct gw_cms_build_opts bo;
                struct gw_cms_open_opts oo;
                const struct gw_cms_key *keys[1];
                const struct gw_cms_cert *certs[1];
                struct gw_cms_msg m;
                struct gw_cms_in in;
                struct edi_err err;
                const char *what;

                build_opts(&bo, mds[i], cs[j], (int)z);
                edi_err_clear(&err);
                if (gw_cms_build(&m, X12, sizeof(X12) - 1, &bo, &err) < 0)
                    fail_msg("build %s %s z=%zu: %s", gw_cms_md_name(mds[i]), gw_cms_cipher_name(cs[j]), z, err.msg);
                open_opts_b(&oo, keys, certs);
                oo.require_signed = mds[i] != GW_MD_NONE;
                oo.require_encrypted = cs[j] != GW_CIPHER_NONE;
                if (gw_cms_open(&in, m.content_type, m.body.p, m.body.n, &oo, &err) < 0)
                    fail_msg("open %s %s z=%zu (%s): %s", gw_cms_md_name(mds[i]), gw_cms_cipher_name(cs[j]), z,
                             m.content_type, err.msg);
                assert_int_equal(in.npayload, sizeof(X12) - 1);
                assert_memory_equal(in.payload, X12, in.npayload);
                assert_string_equal(in.content_type, "application/edi-x12");
                /* a plain message is its payload alone: no entity, no filename */
                assert_string_equal(in.filename, mds[i] || cs[j] || z ? "po-4Z32PABC.edi" : "");
                assert_int_equal(in.was_signed, mds[i] != GW_MD_NONE);
                assert_int_equal(in.was_encrypted, cs[j] != GW_CIPHER_NONE);
                assert_int_equal(in.was_compressed, (int)z);
                assert_int_equal(in.signer, mds[i] != GW_MD_NONE ? 0 : -1);
                /* the receiver's MIC is the sender's, whatever the layers */
                assert_string_equal(in.mic, m.mic);
                assert_non_null(strstr(m.mic, gw_cms_md_name(mds[i] ? mds[i] : GW_MD_SHA256)));
                /* what the HTTP Content-Type says */
                what = cs[j] == GW_CIPHER_AES128_GCM || cs[j] == GW_CIPHER_AES256_GCM
                           ? "application/pkcs7-mime; smime-type=authEnveloped-data"
                       : cs[j] != GW_CIPHER_NONE ? "application/pkcs7-mime; smime-type=enveloped-data"
                       : mds[i] != GW_MD_NONE    ? "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg="
                       : z                        ? "application/pkcs7-mime; smime-type=compressed-data"
                                                  : "application/edi-x12";
                if (strncmp(m.content_type, what, strlen(what)) != 0)
                    fail_msg("Content-Type %s, expected %s...", m.content_type, what);
                gw_cms_in_dispose(&in);
                gw_cms_msg_dispose(&m);
                cases++;
            }
    assert_int_equal(cases, 60);
}

/* Builds A → B with the given layers; m belongs to the caller. */
static void build(struct gw_cms_msg *m, enum gw_cms_md md, enum gw_cms_cipher c, int z, const char *payload,
                  size_t n)
{
    struct gw_cms_build_opts bo;

    build_opts(&bo, md, c, z);
    OK(gw_cms_build(m, payload, n, &bo, E));
}

/* Opens as B with oo; returns the rc, in->fail says why. */
static int open_b(struct gw_cms_in *in, const struct gw_cms_msg *m, const struct gw_cms_open_opts *oo)
{
    struct edi_err err;

    edi_err_clear(&err);
    return gw_cms_open(in, m->content_type, m->body.p, m->body.n, oo, &err);
}

static void expect_fail(const struct gw_cms_msg *m, const struct gw_cms_open_opts *oo, enum gw_cms_fail f,
                        const char *what)
{
    struct gw_cms_in in;
    int rc = open_b(&in, m, oo);

    if (rc == 0 || in.fail != f)
        fail_msg("%s: rc %d, fail %s, expected %s", what, rc, gw_cms_fail_modifier(in.fail),
                 gw_cms_fail_modifier(f));
    assert_null(in.payload);
    gw_cms_in_dispose(&in);
}

static void test_tampered(void **state)
{
    struct gw_cms_open_opts oo;
    const struct gw_cms_key *keys[2];
    const struct gw_cms_cert *certs[2];
    struct gw_cms_msg m;
    struct gw_cms_in in;
    char *at;

    open_opts_b(&oo, keys, certs);
    /* a byte of the signed content changed in transit */
    build(&m, GW_MD_SHA256, GW_CIPHER_NONE, 0, X12, sizeof(X12) - 1);
    at = memmem(m.body.p, m.body.n, "4Z32PABC", 8);
    assert_non_null(at);
    at[0] = '5';
    expect_fail(&m, &oo, GW_CMS_FAIL_AUTHENTICATION, "content changed");
    /* the negative MDN still carries the MIC of what arrived */
    assert_int_not_equal(open_b(&in, &m, &oo), 0);
    assert_true(strlen(in.mic) > 10);
    gw_cms_in_dispose(&in);
    /* a header of the signed entity changed */
    at[0] = '4';
    at = memmem(m.body.p, m.body.n, "po-4Z32PABC", 11);
    at[0] = 'P';
    expect_fail(&m, &oo, GW_CMS_FAIL_AUTHENTICATION, "signed header changed");
    at[0] = 'p';
    assert_int_equal(open_b(&in, &m, &oo), 0);   /* and back: it verifies again */
    gw_cms_in_dispose(&in);
    /* the signature part cut away: the closing delimiter is gone */
    m.body.n -= 40;
    expect_fail(&m, &oo, GW_CMS_FAIL_INTEGRITY, "signature cut short");
    gw_cms_msg_dispose(&m);
    /* signed by someone else */
    {
        struct gw_cms_build_opts bo;

        build_opts(&bo, GW_MD_SHA256, GW_CIPHER_AES256_CBC, 0);
        bo.signer = C.key;
        OK(gw_cms_build(&m, X12, sizeof(X12) - 1, &bo, E));
        expect_fail(&m, &oo, GW_CMS_FAIL_AUTHENTICATION, "stranger's signature");
        /* the stranger's certificate next to A's is a rotation: accepted, index 1 */
        certs[1] = C.cert;
        oo.ncerts = 2;
        assert_int_equal(open_b(&in, &m, &oo), 0);
        assert_int_equal(in.signer, 1);
        gw_cms_in_dispose(&in);
        oo.ncerts = 1;
        gw_cms_msg_dispose(&m);
        /* encrypted to the stranger: not for B's key */
        build_opts(&bo, GW_MD_SHA256, GW_CIPHER_AES256_CBC, 0);
        bo.recipient = C.cert;
        OK(gw_cms_build(&m, X12, sizeof(X12) - 1, &bo, E));
        expect_fail(&m, &oo, GW_CMS_FAIL_DECRYPTION, "wrong recipient");
        /* with the stranger's key among ours (rotation), it opens */
        keys[1] = C.key;
        oo.nkeys = 2;
        assert_int_equal(open_b(&in, &m, &oo), 0);
        gw_cms_in_dispose(&in);
        oo.nkeys = 1;
        /* no key at all */
        oo.nkeys = 0;
        expect_fail(&m, &oo, GW_CMS_FAIL_DECRYPTION, "no key");
        oo.nkeys = 1;
        /* the encrypted body damaged (CBC is malleable: the signature
         * inside may be what notices), or cut */
        m.body.p[m.body.n - 20] ^= 0x55;
        assert_int_not_equal(open_b(&in, &m, &oo), 0);
        assert_true(in.fail == GW_CMS_FAIL_DECRYPTION || in.fail == GW_CMS_FAIL_AUTHENTICATION);
        m.body.p[m.body.n - 20] ^= 0x55;
        m.body.n /= 2;
        expect_fail(&m, &oo, GW_CMS_FAIL_DECRYPTION, "ciphertext cut");
        gw_cms_msg_dispose(&m);
        /* signed with a certificate that expired before now */
        build_opts(&bo, GW_MD_SHA256, GW_CIPHER_NONE, 0);
        bo.signer = X.key;
        OK(gw_cms_build(&m, X12, sizeof(X12) - 1, &bo, E));
        certs[0] = X.cert;
        expect_fail(&m, &oo, GW_CMS_FAIL_AUTHENTICATION, "expired signer");
        oo.now = T0 - 10 * 86400 + 3600;   /* within its validity */
        assert_int_equal(open_b(&in, &m, &oo), 0);
        gw_cms_in_dispose(&in);
        gw_cms_msg_dispose(&m);
    }
}

static void test_insufficient(void **state)
{
    static const struct {
        enum gw_cms_md md;
        enum gw_cms_cipher c;
        int req_sign, req_enc;
        enum gw_cms_fail f;
    } cases[] = {
        {GW_MD_NONE, GW_CIPHER_NONE, 1, 0, GW_CMS_FAIL_INSUFFICIENT},
        {GW_MD_NONE, GW_CIPHER_NONE, 0, 1, GW_CMS_FAIL_INSUFFICIENT},
        {GW_MD_NONE, GW_CIPHER_AES256_CBC, 1, 1, GW_CMS_FAIL_INSUFFICIENT},
        {GW_MD_SHA256, GW_CIPHER_NONE, 1, 1, GW_CMS_FAIL_INSUFFICIENT},
        {GW_MD_SHA256, GW_CIPHER_AES128_CBC, 1, 1, GW_CMS_FAIL_NONE},
        {GW_MD_NONE, GW_CIPHER_NONE, 0, 0, GW_CMS_FAIL_NONE},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_cms_open_opts oo;
        const struct gw_cms_key *keys[1];
        const struct gw_cms_cert *certs[1];
        struct gw_cms_msg m;
        struct gw_cms_in in;
        int rc;

        open_opts_b(&oo, keys, certs);
        oo.require_signed = cases[k].req_sign;
        oo.require_encrypted = cases[k].req_enc;
        build(&m, cases[k].md, cases[k].c, 1, X12, sizeof(X12) - 1);
        rc = open_b(&in, &m, &oo);
        if (in.fail != cases[k].f || (rc == 0) != (cases[k].f == GW_CMS_FAIL_NONE))
            fail_msg("case %zu: rc %d fail %s", k, rc, gw_cms_fail_modifier(in.fail));
        gw_cms_in_dispose(&in);
        gw_cms_msg_dispose(&m);
    }
}

static void test_limits(void **state)
{
    struct gw_cms_open_opts oo;
    const struct gw_cms_key *keys[1];
    const struct gw_cms_cert *certs[1];
    struct gw_cms_build_opts bo;
    struct gw_cms_msg m, m2;
    struct gw_cms_in in;
    struct edi_err err;
    char *big = calloc(1, 4 << 20);
    int k;

    assert_non_null(big);
    open_opts_b(&oo, keys, certs);
    /* a body over the limit, as built and as received */
    build_opts(&bo, GW_MD_SHA256, GW_CIPHER_AES256_CBC, 0);
    bo.max_body = 1000;
    edi_err_clear(&err);
    assert_int_equal(gw_cms_build(&m, big, 2000, &bo, &err), EDI_ELIMIT);
    gw_cms_msg_dispose(&m);
    build(&m, GW_MD_SHA256, GW_CIPHER_AES256_CBC, 0, big, 2000);
    oo.max_body = 1000;
    assert_int_equal(open_b(&in, &m, &oo), EDI_ELIMIT);
    assert_int_equal(in.fail, GW_CMS_FAIL_UNEXPECTED);
    gw_cms_msg_dispose(&m);
    /* 4 MiB of zeros compress to a few KiB: inflating stops at the limit */
    build(&m, GW_MD_NONE, GW_CIPHER_NONE, 1, big, 4 << 20);
    assert_true(m.body.n < 10000);
    oo.max_body = 1 << 20;
    assert_int_equal(open_b(&in, &m, &oo), EDI_ELIMIT);
    assert_int_equal(in.fail, GW_CMS_FAIL_UNEXPECTED);
    oo.max_body = 0;
    assert_int_equal(open_b(&in, &m, &oo), 0);
    assert_int_equal(in.npayload, 4u << 20);
    gw_cms_in_dispose(&in);
    gw_cms_msg_dispose(&m);
    /* a compressed layer of 900 KiB inside each of 5 more: every layer under
     * the 1 MiB limit, all of them together over 4 MiB: refused */
    build(&m, GW_MD_NONE, GW_CIPHER_NONE, 1, big, 900 << 10);
    for (k = 0; k < 5; k++) {
        struct edi_buf pad;

        /* the layer inside padded to 900 KiB with zeros after its DER */
        edi_buf_init(&pad, 0);
        edi_buf_put(&pad, m.body.p, m.body.n);
        edi_buf_put(&pad, big, (900u << 10) - m.body.n);
        build_opts(&bo, GW_MD_NONE, GW_CIPHER_NONE, 1);
        bo.content_type = m.content_type;
        bo.filename = NULL;
        OK(gw_cms_build(&m2, pad.p, pad.n, &bo, E));
        edi_buf_dispose(&pad);
        gw_cms_msg_dispose(&m);
        m = m2;
    }
    oo.max_body = 1 << 20;
    assert_int_equal(open_b(&in, &m, &oo), EDI_ELIMIT);
    assert_int_equal(in.fail, GW_CMS_FAIL_UNEXPECTED);
    oo.max_body = 0;
    gw_cms_msg_dispose(&m);
    /* compressed inside compressed ...: GW_CMS_MAX_DEPTH layers open, one more does not */
    build(&m, GW_MD_NONE, GW_CIPHER_NONE, 1, X12, sizeof(X12) - 1);
    for (k = 1; k <= GW_CMS_MAX_DEPTH + 1; k++) {
        build_opts(&bo, GW_MD_NONE, GW_CIPHER_NONE, 1);
        bo.content_type = m.content_type;
        bo.filename = NULL;
        OK(gw_cms_build(&m2, m.body.p, m.body.n, &bo, E));
        gw_cms_msg_dispose(&m);
        m = m2;
        edi_err_clear(&err);
        if (k < GW_CMS_MAX_DEPTH) {
            assert_int_equal(open_b(&in, &m, &oo), 0);
            assert_memory_equal(in.payload, X12, sizeof(X12) - 1);
        } else {
            assert_int_equal(open_b(&in, &m, &oo), EDI_ESYNTAX);
            assert_int_equal(in.fail, GW_CMS_FAIL_UNEXPECTED);
        }
        gw_cms_in_dispose(&in);
    }
    gw_cms_msg_dispose(&m);
    free(big);
}

/* A build option that cannot be right is a configuration error. */
static void test_bad_options(void **state)
{
    static const struct {
        const char *ct, *filename;
        int sign, enc, nokey;
    } cases[] = {
        {"application/edi-x12\r\nX-Injected: 1", NULL, 0, 0, 0},
        {"edi-x12", NULL, 0, 0, 0},
        {"application/edi-x12", "a\"b.edi", 0, 0, 0},
        {"application/edi-x12", "../etc/passwd", 0, 0, 0},
        {"application/edi-x12", NULL, 1, 0, 1},
        {"application/edi-x12", NULL, 0, 1, 1},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_cms_build_opts bo;
        struct gw_cms_msg m;
        struct edi_err err;

        build_opts(&bo, cases[k].sign ? GW_MD_SHA256 : GW_MD_NONE,
                   cases[k].enc ? GW_CIPHER_AES256_CBC : GW_CIPHER_NONE, 0);
        bo.content_type = cases[k].ct;
        bo.filename = cases[k].filename;
        if (cases[k].nokey) {
            bo.signer = NULL;
            bo.recipient = NULL;
        }
        edi_err_clear(&err);
        if (gw_cms_build(&m, "x", 1, &bo, &err) != EDI_ECONFIG)
            fail_msg("case %zu built", k);
        assert_int_equal(m.body.n, 0);
        gw_cms_msg_dispose(&m);
    }
}

/* Known digests: "abc" under SHA-256 and SHA-1 (FIPS 180 examples). */
static void test_mic_values(void **state)
{
    static const struct {
        const char *a, *b;
        int eq;
    } eqs[] = {
        {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=,sha256", 1},
        {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256", " ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0= , SHA-256 ", 1},
        {"qZk+NkcGgWq6PiVxeFDCbJzQ2J0=, sha1", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=, SHA-1", 1},
        {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-384", 0},
        {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256", "UNGWV48BZ+PBQUDEXA4II7ADYAOWF3QCTBD/YFIAFA0=, sha-256", 0},
        {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, md5", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, md5", 0},
        {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", 0},
        {"", "", 0},
        {NULL, "x, sha-256", 0},
    };
    struct gw_cms_build_opts bo;
    struct gw_cms_msg m;
    size_t k;

    for (k = 0; k < sizeof(eqs) / sizeof(eqs[0]); k++)
        if (gw_cms_mic_eq(eqs[k].a, eqs[k].b) != eqs[k].eq)
            fail_msg("mic_eq case %zu", k);
    /* unsigned, unencrypted: over the content alone */
    build_opts(&bo, GW_MD_NONE, GW_CIPHER_NONE, 0);
    OK(gw_cms_build(&m, "abc", 3, &bo, E));
    assert_string_equal(m.mic, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256");
    assert_int_equal(m.body.n, 3);
    gw_cms_msg_dispose(&m);
    bo.mic_md = GW_MD_SHA1;
    OK(gw_cms_build(&m, "abc", 3, &bo, E));
    assert_string_equal(m.mic, "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=, sha-1");
    gw_cms_msg_dispose(&m);
    /* names both ways, every spelling peers use */
    assert_int_equal(gw_cms_md_parse("SHA256"), GW_MD_SHA256);
    assert_int_equal(gw_cms_md_parse("sha-384"), GW_MD_SHA384);
    assert_int_equal(gw_cms_md_parse("Sha512"), GW_MD_SHA512);
    assert_int_equal(gw_cms_md_parse("sha1"), GW_MD_SHA1);
    assert_int_equal(gw_cms_md_parse("md5"), GW_MD_NONE);
    assert_int_equal(gw_cms_md_parse("sha-256-and-more"), GW_MD_NONE);
    {
        enum gw_cms_cipher c;

        assert_int_equal(gw_cms_cipher_parse(&c, "AES256-CBC"), 0);
        assert_int_equal(c, GW_CIPHER_AES256_CBC);
        assert_int_equal(gw_cms_cipher_parse(&c, "3des"), EDI_ESYNTAX);
    }
}

/* Peers' quirks on receipt (research §4.4). */
static void test_quirks(void **state)
{
    struct gw_cms_open_opts oo;
    const struct gw_cms_key *keys[1];
    const struct gw_cms_cert *certs[1];
    struct gw_cms_msg m;
    struct gw_cms_in in;
    struct edi_str parts[4];
    struct gw_mime_ct ct;
    struct gw_mime_entity sig, p1;
    struct edi_buf der, body;
    struct edi_err err;
    size_t np, i;
    char ctv[300], *at;

    open_opts_b(&oo, keys, certs);
    build(&m, GW_MD_SHA256, GW_CIPHER_NONE, 0, X12, sizeof(X12) - 1);
    /* micalg in upper case and without the hyphen (IBM Sterling, Mendelson) */
    at = strstr(m.content_type, "micalg=sha-256");
    assert_non_null(at);
    snprintf(ctv, sizeof(ctv), "%.*smicalg=SHA256%s", (int)(at - m.content_type), m.content_type,
             at + strlen("micalg=sha-256"));
    assert_int_equal(gw_cms_open(&in, ctv, m.body.p, m.body.n, &oo, &err), 0);
    gw_cms_in_dispose(&in);
    /* the signature as binary DER without a transfer encoding */
    edi_err_clear(&err);
    OK(gw_mime_ct_parse(&ct, m.content_type, E));
    OK(gw_mime_multipart(parts, 4, &np, (struct edi_str){m.body.p, m.body.n}, gw_mime_ct_param(&ct, "boundary"), E));
    assert_int_equal(np, 2);
    OK(gw_mime_entity_parse(&sig, parts[1].p, parts[1].n, E));
    edi_buf_init(&der, 0);
    OK(gw_b64_decode(&der, sig.body.p, sig.body.n, E));
    edi_buf_init(&body, 0);
    edi_buf_printf(&body, "--%s\r\n", gw_mime_ct_param(&ct, "boundary"));
    edi_buf_put(&body, parts[0].p, parts[0].n);
    edi_buf_printf(&body, "\r\n--%s\r\nContent-Type: application/pkcs7-signature\r\n\r\n", gw_mime_ct_param(&ct, "boundary"));
    edi_buf_put(&body, der.p, der.n);
    edi_buf_printf(&body, "\r\n--%s--\r\n", gw_mime_ct_param(&ct, "boundary"));
    OK(gw_cms_open(&in, m.content_type, body.p, body.n, &oo, E));
    assert_string_equal(in.mic, m.mic);
    gw_cms_in_dispose(&in);
    /* the signed part's header lines lost their CRs on the way (its
     * binary body keeps its bare LFs): verified over the headers made
     * CRLF again, and the MIC over what verified */
    OK(gw_mime_entity_parse(&p1, parts[0].p, parts[0].n, E));
    edi_buf_reset(&body);
    edi_buf_printf(&body, "preamble\n--%s\n", gw_mime_ct_param(&ct, "boundary"));
    for (i = 0; i < p1.head.n; i++)
        if (p1.head.p[i] != '\r')
            edi_buf_putc(&body, p1.head.p[i]);
    edi_buf_put(&body, p1.body.p, p1.body.n);
    edi_buf_printf(&body, "\n--%s\nContent-Type: application/pkcs7-signature\n\n", gw_mime_ct_param(&ct, "boundary"));
    gw_b64_encode(&body, der.p, der.n, 0);
    edi_buf_printf(&body, "\n--%s--\n", gw_mime_ct_param(&ct, "boundary"));
    OK(gw_cms_open(&in, m.content_type, body.p, body.n, &oo, E));
    assert_memory_equal(in.payload, X12, sizeof(X12) - 1);
    assert_string_equal(in.mic, m.mic);
    gw_cms_in_dispose(&in);
    edi_buf_dispose(&der);
    edi_buf_dispose(&body);
    gw_cms_msg_dispose(&m);
    /* x-pkcs7-mime, and a base64 body where DER was expected */
    build(&m, GW_MD_NONE, GW_CIPHER_AES128_CBC, 0, X12, sizeof(X12) - 1);
    edi_buf_init(&body, 0);
    gw_b64_encode(&body, m.body.p, m.body.n, 1);
    OK(gw_cms_open(&in, "Application/X-PKCS7-MIME; smime-type=enveloped-data; name=\"smime.p7m\"", body.p, body.n,
                   &oo, E));
    assert_memory_equal(in.payload, X12, sizeof(X12) - 1);
    gw_cms_in_dispose(&in);
    edi_buf_dispose(&body);
    gw_cms_msg_dispose(&m);
}

static void mdn_opts(struct gw_cms_mdn_opts *mo, enum gw_cms_md md, enum gw_cms_fail f)
{
    memset(mo, 0, sizeof(*mo));
    mo->reporting_ua = "wharf/1.0 (AS2)";
    mo->original_recipient = "ACMEVENDOR";
    mo->final_recipient = "ACMEVENDOR";
    mo->original_message_id = "<20260101.1200.42@amazon.example>";
    mo->mic = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256";
    mo->fail = f;
    mo->sign = md;
    mo->signer = A.key;
}

static void test_mdn(void **state)
{
    static const struct {
        enum gw_cms_md md;
        enum gw_cms_fail f;
        const char *warning;
        int processed;
        const char *modifier;
    } cases[] = {
        {GW_MD_SHA256, GW_CMS_FAIL_NONE, NULL, 1, ""},
        {GW_MD_SHA512, GW_CMS_FAIL_AUTHENTICATION, NULL, 0, "error: authentication-failed"},
        {GW_MD_SHA1, GW_CMS_FAIL_DECRYPTION, NULL, 0, "error: decryption-failed"},
        {GW_MD_NONE, GW_CMS_FAIL_INSUFFICIENT, NULL, 0, "error: insufficient-message-security"},
        {GW_MD_NONE, GW_CMS_FAIL_NONE, "duplicate-document", 1, "warning: duplicate-document"},
        {GW_MD_SHA384, GW_CMS_FAIL_UNEXPECTED, NULL, 0, "error: unexpected-processing-error"},
        {GW_MD_SHA256, GW_CMS_FAIL_UNKNOWN_PARTNER, NULL, 0, "error: unknown-trading-relationship"},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_cms_mdn_opts mo;
        struct gw_cms_open_opts oo;
        const struct gw_cms_key *keys[1];
        const struct gw_cms_cert *certs[1];
        struct gw_cms_msg m;
        struct gw_cms_mdn md;
        struct edi_err err;

        mdn_opts(&mo, cases[k].md, cases[k].f);
        mo.warning = cases[k].warning;
        OK(gw_cms_mdn_build(&m, &mo, E));
        open_opts_b(&oo, keys, certs);
        edi_err_clear(&err);
        if (gw_cms_mdn_open(&md, m.content_type, m.body.p, m.body.n, &oo, &err) < 0)
            fail_msg("case %zu: %s", k, err.msg);
        assert_int_equal(md.was_signed, cases[k].md != GW_MD_NONE);
        assert_int_equal(md.processed, cases[k].processed);
        assert_string_equal(md.modifier, cases[k].modifier);
        assert_string_equal(md.original_message_id, "<20260101.1200.42@amazon.example>");
        assert_string_equal(md.final_recipient, "ACMEVENDOR");
        assert_string_equal(md.reporting_ua, "wharf/1.0 (AS2)");
        assert_true(gw_cms_mic_eq(md.mic, mo.mic));
        /* a signed MDN from someone else, or an unsigned one when signing is required */
        certs[0] = C.cert;
        oo.require_signed = 1;
        assert_int_equal(gw_cms_mdn_open(&md, m.content_type, m.body.p, m.body.n, &oo, &err), EDI_ESYNTAX);
        assert_int_equal(md.fail, cases[k].md != GW_MD_NONE ? GW_CMS_FAIL_AUTHENTICATION : GW_CMS_FAIL_INSUFFICIENT);
        gw_cms_msg_dispose(&m);
    }
}

static void test_mdn_refused_fields(void **state)
{
    struct gw_cms_mdn_opts mo;
    struct gw_cms_msg m;
    struct edi_err err;

    mdn_opts(&mo, GW_MD_SHA256, GW_CMS_FAIL_NONE);
    mo.original_message_id = "<x@y>\r\nDisposition: automatic-action/MDN-sent-automatically; processed";
    edi_err_clear(&err);
    assert_int_equal(gw_cms_mdn_build(&m, &mo, &err), EDI_ECONFIG);
    gw_cms_msg_dispose(&m);
    mdn_opts(&mo, GW_MD_SHA256, GW_CMS_FAIL_NONE);
    mo.final_recipient = NULL;
    assert_int_equal(gw_cms_mdn_build(&m, &mo, &err), EDI_ECONFIG);
    gw_cms_msg_dispose(&m);
    /* a text part with a control byte and bare LFs is still us-ascii with CRLF */
    mdn_opts(&mo, GW_MD_NONE, GW_CMS_FAIL_NONE);
    mo.text = "line one\nline \x01two";
    OK(gw_cms_mdn_build(&m, &mo, E));
    assert_non_null(memmem(m.body.p, m.body.n, "line one\r\nline ?two", 19));
    gw_cms_msg_dispose(&m);
}

/* MDNs as other products write them: IBM Sterling (mixed case, no
 * spaces, an AS2 id, a Message-ID without brackets), a bare-LF one. */
static void test_mdn_peers(void **state)
{
    static const struct {
        const char *ct, *body;
        int processed;
        const char *modifier, *id, *mic;
    } cases[] = {
        {"multipart/report; report-type=disposition-notification; boundary=\"_=_b1\"",
         "--_=_b1\r\nContent-Type: text/plain\r\n\r\nReceipt\r\n--_=_b1\r\n"
         "Content-Type: message/disposition-notification\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
         "Reporting-UA: IBM Sterling B2B Integrator\r\nOriginal-Recipient: rfc822; SIAS2PRD\r\n"
         "Final-Recipient: rfc822;SIAS2PRD\r\nOriginal-Message-ID: 1234567@host\r\n"
         "Received-Content-MIC: qZk+NkcGgWq6PiVxeFDCbJzQ2J0=,sha1\r\n"
         "Disposition: Automatic-action/mdn-sent-automatically;processed\r\n--_=_b1--\r\n",
         1, "", "1234567@host", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=, sha-1"},
        {"Multipart/Report; Report-Type=disposition-notification;\r\n\tboundary=b2",
         "--b2\nContent-Type: text/plain\n\nfailed\n--b2\nContent-Type: message/disposition-notification\n\n"
         "Final-Recipient: rfc822; ACME\nOriginal-Message-ID: <m@x>\n"
         "Disposition: automatic-action/MDN-sent-automatically;\n processed/Error: decryption-failed\n--b2--\n",
         0, "Error: decryption-failed", "<m@x>", ""},
        {"multipart/report; boundary=b3",
         "--b3\r\nContent-Type: message/disposition-notification\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         "T3JpZ2luYWwtTWVzc2FnZS1JRDogPGlkPg0KRGlzcG9zaXRpb246IGF1dG9tYXRpYy1hY3Rpb24vTUROLXNlbnQt\r\n"
         "YXV0b21hdGljYWxseTsgZmFpbGVkL2ZhaWx1cmU6IHVuc3VwcG9ydGVkDQo=\r\n--b3--\r\n",
         0, "failure: unsupported", "<id>", ""},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_cms_open_opts oo;
        struct gw_cms_mdn md;
        struct edi_err err;
        char ctv[200];
        size_t i, o = 0;

        memset(&oo, 0, sizeof(oo));
        /* the folded Content-Type as the HTTP layer would unfold it */
        for (i = 0; cases[k].ct[i] != '\0'; i++)
            if (cases[k].ct[i] != '\r' && cases[k].ct[i] != '\n')
                ctv[o++] = cases[k].ct[i] == '\t' ? ' ' : cases[k].ct[i];
        ctv[o] = '\0';
        edi_err_clear(&err);
        if (gw_cms_mdn_open(&md, ctv, cases[k].body, strlen(cases[k].body), &oo, &err) < 0)
            fail_msg("case %zu: %s", k, err.msg);
        assert_int_equal(md.was_signed, 0);
        assert_int_equal(md.processed, cases[k].processed);
        assert_string_equal(md.modifier, cases[k].modifier);
        assert_string_equal(md.original_message_id, cases[k].id);
        if (cases[k].mic[0] != '\0')
            assert_true(gw_cms_mic_eq(md.mic, cases[k].mic));
    }
}

static void test_mime(void **state)
{
    static const struct {
        const char *in, *type, *pname, *pvalue;
        int ok;
    } cts[] = {
        {"multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"a b\"",
         "multipart/signed", "boundary", "a b", 1},
        {"Application/EDI-Consent", "application/edi-consent", NULL, NULL, 1},
        {"multipart/signed;boundary=----=_Part_1_2.3;micalg=sha256;", "multipart/signed", "boundary",
         "----=_Part_1_2.3", 1},
        {"attachment; filename=\"a\\\"b.edi\"", "attachment", "filename", "a\"b.edi", 1},
        {"text/plain; charset=\"us-ascii", NULL, NULL, NULL, 0},
        {"; x=y", NULL, NULL, NULL, 0},
        {"text/plain; =y", NULL, NULL, NULL, 0},
        {"text/plain junk", NULL, NULL, NULL, 0},
    };
    static const struct {
        const char *body;
        size_t nparts;
        const char *first;
        int ok;
    } mps[] = {
        {"pre\r\n--b\r\nA\r\n--b\r\nB\r\n--b--\r\nepilogue", 2, "A", 1},
        {"--b  \nA\n\n--b\nB\n--b-- \n", 2, "A\n", 1},
        {"--b\r\n--b--", 1, "", 1},
        {"--bx\r\nA\r\n--b\r\nB\r\n--b--", 1, "B", 1},
        {"--b\r\nA\r\n--b\r\nB\r\n", 0, NULL, 0},    /* cut: no closing delimiter */
        {"--b--\r\n", 0, NULL, 0},
        {"no delimiter at all", 0, NULL, 0},
    };
    static const struct {
        const char *in, *out;
        int ok;
    } b64s[] = {
        {"YWJj", "abc", 1}, {"YW\r\nJj\r\n", "abc", 1}, {"YWI=", "ab", 1}, {"YQ==", "a", 1},
        {"YQ=", NULL, 0},   {"Y", NULL, 0},             {"YW*j", NULL, 0}, {"YQ==YQ==", NULL, 0},
    };
    size_t k;

    for (k = 0; k < sizeof(cts) / sizeof(cts[0]); k++) {
        struct gw_mime_ct ct;
        int rc = gw_mime_ct_parse(&ct, cts[k].in, NULL);

        if ((rc == 0) != cts[k].ok)
            fail_msg("ct case %zu: rc %d", k, rc);
        if (!cts[k].ok)
            continue;
        assert_string_equal(ct.type, cts[k].type);
        if (cts[k].pname != NULL)
            assert_string_equal(gw_mime_ct_param(&ct, cts[k].pname), cts[k].pvalue);
    }
    for (k = 0; k < sizeof(mps) / sizeof(mps[0]); k++) {
        struct edi_str parts[4];
        size_t np = 0;
        int rc = gw_mime_multipart(parts, 4, &np, edi_str_c(mps[k].body), "b", NULL);

        if ((rc == 0) != mps[k].ok)
            fail_msg("multipart case %zu: rc %d", k, rc);
        if (!mps[k].ok)
            continue;
        assert_int_equal(np, mps[k].nparts);
        assert_int_equal(parts[0].n, strlen(mps[k].first));
        assert_memory_equal(parts[0].p, mps[k].first, parts[0].n);
    }
    for (k = 0; k < sizeof(b64s) / sizeof(b64s[0]); k++) {
        struct edi_buf b;
        int rc;

        edi_buf_init(&b, 0);
        rc = gw_b64_decode(&b, b64s[k].in, strlen(b64s[k].in), NULL);
        if ((rc == 0) != b64s[k].ok)
            fail_msg("base64 case %zu: rc %d", k, rc);
        if (b64s[k].ok) {
            assert_int_equal(b.n, strlen(b64s[k].out));
            assert_memory_equal(b.p, b64s[k].out, b.n);
        }
        edi_buf_dispose(&b);
    }
    /* headers: folded, any case, no blank line, too many */
    {
        struct gw_mime_entity e;
        char v[64];
        struct edi_buf many;
        int i;
#define PARSE(s) gw_mime_entity_parse(&e, s, strlen(s), NULL)

        assert_int_equal(PARSE("Content-Type: a/b;\r\n\tx=y\r\nX: 1\r\n\r\nbody"), 0);
        assert_int_equal(gw_mime_get(v, sizeof(v), &e, "CONTENT-TYPE"), 8);
        assert_string_equal(v, "a/b; x=y");
        assert_int_equal(e.body.n, 4);
        assert_int_equal(gw_mime_get(v, 4, &e, "content-type"), -1);
        assert_int_equal(gw_mime_get(v, sizeof(v), &e, "content-disposition"), -1);
        assert_int_equal(PARSE("X: 1\r\nY: 2\r\n"), EDI_ESYNTAX);
        assert_int_equal(PARSE("no colon\r\n\r\n"), EDI_ESYNTAX);
        assert_int_equal(PARSE("\r\nbody"), 0);
        assert_int_equal(e.nh, 0);
        edi_buf_init(&many, 0);
        for (i = 0; i <= GW_MIME_MAX_HEADERS; i++)
            edi_buf_puts(&many, "X: 1\r\n");
        edi_buf_puts(&many, "\r\n");
        assert_int_equal(gw_mime_entity_parse(&e, many.p, many.n, NULL), EDI_ESYNTAX);
        edi_buf_dispose(&many);
    }
}

static void test_certs(void **state)
{
    struct gw_cms_cert_info ci;
    struct gw_cms_cert *c = NULL;
    struct gw_cms_key *k = NULL;
    struct edi_buf pem, kp, cp;
    struct edi_err err;

    OK(gw_cms_cert_info(&ci, A.cert, E));
    assert_string_equal(ci.subject, "CN=ACMEVENDOR AS2");
    assert_string_equal(ci.issuer, ci.subject);
    assert_int_equal(ci.not_before, T0);
    assert_int_equal(ci.not_after, T0 + 730 * 86400);
    assert_int_equal(strlen(ci.sha256), 95);
    assert_int_equal(ci.key_bits, 2048);
    /* PEM out and in again: the same certificate */
    edi_buf_init(&pem, 0);
    OK(gw_cms_cert_pem(&pem, A.cert, E));
    assert_memory_equal(pem.p, A.cert_pem.p, A.cert_pem.n);
    OK(gw_cms_cert_new(&c, pem.p, pem.n, E));
    {
        struct gw_cms_cert_info c2;

        OK(gw_cms_cert_info(&c2, c, E));
        assert_string_equal(c2.sha256, ci.sha256);
    }
    gw_cms_cert_free(c);
    /* what does not read */
    edi_err_clear(&err);
    assert_int_equal(gw_cms_cert_new(&c, "junk", 4, &err), EDI_ECONFIG);
    assert_null(c);
    assert_int_equal(gw_cms_key_new(&k, A.key_pem.p, A.key_pem.n, B.cert_pem.p, B.cert_pem.n, &err), EDI_ECONFIG);
    assert_null(k);
    assert_int_equal(gw_cms_key_new(&k, "-----BEGIN PRIVATE KEY-----\n", 28, A.cert_pem.p, A.cert_pem.n, &err),
                     EDI_ECONFIG);
    /* the error never holds the key */
    assert_null(strstr(err.msg, "BEGIN"));
    edi_buf_init(&kp, 0);
    edi_buf_init(&cp, 0);
    assert_int_equal(gw_cms_keygen(&kp, &cp, "X", 1024, 365, T0, &err), EDI_ECONFIG);
    assert_int_equal(gw_cms_keygen(&kp, &cp, "bad\nname", 2048, 365, T0, &err), EDI_ECONFIG);
    assert_int_equal(gw_cms_keygen(&kp, &cp, "X", 2048, 0, T0, &err), EDI_ECONFIG);
    assert_int_equal(kp.n + cp.n, 0);
    edi_buf_dispose(&pem);
    edi_buf_dispose(&kp);
    edi_buf_dispose(&cp);
}

/* ---- openssl cms as the independent peer ---------------------------------- */

/* Runs a shell command in the temp folder; its status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    int n;
    va_list ap;

    n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", dir);
    va_start(ap, fmt);
    n += vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
    va_end(ap);
    snprintf(cmd + n, sizeof(cmd) - (size_t)n, " ) 2>>'%s/stderr'", dir);
    return system(cmd);
}

static void sh_ok(const char *cmd)
{
    if (sh("%s", cmd) != 0) {
        size_t n;
        char *e = get_file("stderr", &n);

        fail_msg("%s failed: %.600s", cmd, e);
    }
}

/* The first line of a file (its trimmed output). */
static void first_line(char *out, size_t cap, const char *name)
{
    size_t n;
    char *p = get_file(name, &n);

    snprintf(out, cap, "%.*s", (int)strcspn(p, "\r\n"), p);
    free(p);
}

/* Splits a multipart/signed body into part1 and sig (what the signature
 * part holds, written as the file "sig.b64" or "sig.der") with plain
 * string search: no shared code with the reader under test. */
static void split_signed(const char *ct, const char *body, size_t n)
{
    const char *b = strstr(ct, "boundary=\""), *s, *e;
    char delim[128];
    size_t dn;

    assert_non_null(b);
    b += 10;
    dn = (size_t)snprintf(delim, sizeof(delim), "--%.*s\r\n", (int)strcspn(b, "\""), b);
    s = memmem(body, n, delim, dn);
    assert_non_null(s);
    s += dn;
    e = memmem(s, n - (size_t)(s - body), delim + 0, dn);
    assert_non_null(e);
    put_file("part1", s, (size_t)(e - s) - 2);   /* the CRLF before the delimiter is its own */
    s = e + dn;
    s = strstr(s, "\r\n\r\n") + 4;
    e = memmem(s, n - (size_t)(s - body), delim, dn - 2);
    put_file("sig.b64", s, (size_t)(e - s));
}

static void test_openssl_reads_wharf(void **state)
{
    static const struct {
        enum gw_cms_md md;
        enum gw_cms_cipher c;
        const char *dgst;
    } cases[] = {
        {GW_MD_SHA256, GW_CIPHER_AES256_CBC, "sha256"},
        {GW_MD_SHA512, GW_CIPHER_AES128_CBC, "sha512"},
        {GW_MD_SHA384, GW_CIPHER_AES256_GCM, "sha384"},
        {GW_MD_SHA1, GW_CIPHER_AES192_CBC, "sha1"},
    };
    size_t k, n;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_cms_msg m;
        char *dec, mic[128], cmd[512];
        const char *body;

        build(&m, cases[k].md, cases[k].c, 0, X12, sizeof(X12) - 1);
        put_file("enc.der", m.body.p, m.body.n);
        sh_ok("openssl cms -decrypt -binary -inform DER -in enc.der -recip b.crt -inkey b.key -out dec.mime");
        dec = get_file("dec.mime", &n);
        /* the decrypted entity is multipart/signed: split it, verify detached */
        assert_int_equal(strncmp(dec, "Content-Type: multipart/signed;", 31), 0);
        body = strstr(dec, "\r\n\r\n") + 4;
        split_signed(dec, body, n - (size_t)(body - dec));
        sh_ok("openssl base64 -d -in sig.b64 -out sig.der && "
              "openssl cms -verify -binary -inform DER -in sig.der -content part1 -CAfile a.crt -out content.out");
        free(dec);
        /* what verified is our entity; its body is the payload byte for byte */
        dec = get_file("content.out", &n);
        body = strstr(dec, "\r\n\r\n");
        assert_non_null(body);
        body += 4;
        assert_int_equal(n - (size_t)(body - dec), sizeof(X12) - 1);
        assert_memory_equal(body, X12, sizeof(X12) - 1);
        assert_non_null(strstr(dec, "Content-Type: application/edi-x12\r\n"));
        free(dec);
        /* the MIC is openssl's digest of part 1 */
        snprintf(cmd, sizeof(cmd), "openssl dgst -%s -binary part1 | openssl base64 -A > mic.txt", cases[k].dgst);
        sh_ok(cmd);
        first_line(mic, sizeof(mic), "mic.txt");
        assert_int_equal(strncmp(m.mic, mic, strlen(mic)), 0);
        assert_string_equal(m.mic + strlen(mic), k == 3 ? ", sha-1" : k == 1 ? ", sha-512" : k == 2 ? ", sha-384" : ", sha-256");
        gw_cms_msg_dispose(&m);
    }
}

/* A DER walker in python3: the content of the deepest OCTET STRING,
 * inflated by python's zlib. */
static const char PY_INFLATE[] =
    "import sys, zlib\n"
    "d = open(sys.argv[1], 'rb').read()\n"
    "def tlv(b, i):\n"
    "    t = b[i]; l = b[i + 1]; i += 2\n"
    "    if l & 0x80:\n"
    "        k = l & 0x7f; l = int.from_bytes(b[i:i + k], 'big'); i += k\n"
    "    return t, b[i:i + l], i + l\n"
    "def find(b):\n"
    "    i = 0\n"
    "    while i < len(b):\n"
    "        t, v, i = tlv(b, i)\n"
    "        if t == 0x04: return v\n"
    "        if t & 0x20:\n"
    "            r = find(v)\n"
    "            if r is not None: return r\n"
    "    return None\n"
    "open(sys.argv[2], 'wb').write(zlib.decompress(find(d)))\n";

/* And the other way: CompressedData around a file, DER written by hand. */
static const char PY_DEFLATE[] =
    "import sys, zlib\n"
    "def tlv(t, v):\n"
    "    n = len(v)\n"
    "    if n < 128: h = bytes([n])\n"
    "    else:\n"
    "        b = n.to_bytes((n.bit_length() + 7) // 8, 'big'); h = bytes([0x80 | len(b)]) + b\n"
    "    return bytes([t]) + h + v\n"
    "oid = lambda s: bytes.fromhex(s)\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "eci = tlv(0x30, tlv(0x06, oid('2a864886f70d010701')) + tlv(0xa0, tlv(0x04, zlib.compress(data))))\n"
    "cd = tlv(0x30, tlv(0x02, b'\\x00') + tlv(0x30, tlv(0x06, oid('2a864886f70d0109100308'))) + eci)\n"
    "ci = tlv(0x30, tlv(0x06, oid('2a864886f70d0109100109')) + tlv(0xa0, cd))\n"
    "open(sys.argv[2], 'wb').write(b'Content-Type: application/pkcs7-mime; smime-type=compressed-data; "
    "name=smime.p7z\\r\\nContent-Transfer-Encoding: binary\\r\\n\\r\\n' + ci)\n";

static void test_openssl_compressed(void **state)
{
    struct gw_cms_open_opts oo;
    const struct gw_cms_key *keys[1];
    const struct gw_cms_cert *certs[1];
    struct gw_cms_msg m;
    struct gw_cms_in in;
    char *p, *body, mic[128];
    const char *ent;
    size_t n;

    put_file("inflate.py", PY_INFLATE, sizeof(PY_INFLATE) - 1);
    put_file("deflate.py", PY_DEFLATE, sizeof(PY_DEFLATE) - 1);
    /* wharf compresses, signs, encrypts; openssl and python undo it */
    build(&m, GW_MD_SHA256, GW_CIPHER_AES256_CBC, 1, X12, sizeof(X12) - 1);
    put_file("enc.der", m.body.p, m.body.n);
    sh_ok("openssl cms -decrypt -binary -inform DER -in enc.der -recip b.crt -inkey b.key -out dec.mime");
    p = get_file("dec.mime", &n);
    body = strstr(p, "\r\n\r\n") + 4;
    split_signed(p, body, n - (size_t)(body - p));
    free(p);
    sh_ok("openssl base64 -d -in sig.b64 -out sig.der && "
          "openssl cms -verify -binary -inform DER -in sig.der -content part1 -CAfile a.crt -out /dev/null && "
          "openssl dgst -sha256 -binary part1 | openssl base64 -A > mic.txt");
    first_line(mic, sizeof(mic), "mic.txt");
    assert_int_equal(strncmp(m.mic, mic, strlen(mic)), 0);
    p = get_file("part1", &n);
    assert_non_null(strstr(p, "smime-type=compressed-data"));
    body = strstr(p, "\r\n\r\n") + 4;
    put_file("z.der", body, n - (size_t)(body - p));
    free(p);
    sh_ok("openssl asn1parse -inform DER -in z.der > /dev/null && python3 inflate.py z.der inflated");
    p = get_file("inflated", &n);
    body = strstr(p, "\r\n\r\n") + 4;
    assert_int_equal(n - (size_t)(body - p), sizeof(X12) - 1);
    assert_memory_equal(body, X12, sizeof(X12) - 1);
    free(p);
    gw_cms_msg_dispose(&m);
    /* python compresses, openssl signs (compressed then signed, as IBM
     * Sterling does) and encrypts; wharf opens it */
    ent = "Content-Type: application/edifact\r\n\r\nUNB+UNOA:2+X+Y'\nUNZ+1'\n";
    put_file("entity.mime", ent, strlen(ent));
    sh_ok("python3 deflate.py entity.mime z.mime && "
          "openssl cms -sign -binary -md sha256 -signer a.crt -inkey a.key -in z.mime -outform SMIME -out s.smime && "
          "openssl cms -encrypt -binary -aes-128-cbc -in s.smime -outform DER -out enc.der b.crt && "
          "openssl dgst -sha256 -binary z.mime | openssl base64 -A > mic.txt");
    p = get_file("enc.der", &n);
    open_opts_b(&oo, keys, certs);
    oo.require_signed = oo.require_encrypted = 1;
    OK(gw_cms_open(&in, "application/pkcs7-mime; smime-type=enveloped-data", p, n, &oo, E));
    free(p);
    assert_int_equal(in.was_compressed, 1);
    assert_string_equal(in.content_type, "application/edifact");
    assert_int_equal(in.npayload, 23);
    assert_memory_equal(in.payload, "UNB+UNOA:2+X+Y'\nUNZ+1'\n", 23);
    first_line(mic, sizeof(mic), "mic.txt");
    assert_int_equal(strncmp(in.mic, mic, strlen(mic)), 0);
    gw_cms_in_dispose(&in);
}

/* Splits a file openssl wrote as SMIME into its Content-Type and body. */
static char *smime_split(char *ct, size_t cap, size_t *nbody, const char *name)
{
    size_t n;
    char *p = get_file(name, &n), *h, *body;
    size_t hl;

    /* the first blank line, CRLF (-crlfeol) or LF */
    body = strstr(p, "\n\n");
    h = strstr(p, "\r\n\r\n");
    body = h != NULL && (body == NULL || h < body) ? h + 4 : body + 2;
    h = strstr(p, "Content-Type: ");
    assert_non_null(h);
    h += 14;
    hl = strcspn(h, "\r\n");
    snprintf(ct, cap, "%.*s", (int)hl, h);
    *nbody = n - (size_t)(body - p);
    memmove(p, body, *nbody);
    return p;
}

static void test_openssl_builds(void **state)
{
    static const struct {
        const char *sign, *enc;   /* openssl's words; enc NULL: signed only */
        int crlf;                 /* -crlfeol: the SMIME headers in CRLF */
    } cases[] = {
        {"sha256", "aes-256-cbc", 1},
        {"sha512", "aes-128-cbc", 1},
        {"sha1", "aes-256-gcm", 0},
        {"sha256", NULL, 1},
        {"sha384", NULL, 0},
    };
    size_t k;

    /* the entity as a peer writes it: CRLF headers, a binary body with bare LFs */
    {
        struct edi_buf ent;

        edi_buf_init(&ent, 0);
        edi_buf_puts(&ent, "Content-Type: application/edi-x12\r\n"
                           "Content-Disposition: attachment; filename=\"po.edi\"\r\n\r\n");
        edi_buf_put(&ent, X12, sizeof(X12) - 1);
        put_file("entity.mime", ent.p, ent.n);
        edi_buf_dispose(&ent);
    }
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct gw_cms_open_opts oo;
        const struct gw_cms_key *keys[1];
        const struct gw_cms_cert *certs[1];
        struct gw_cms_in in;
        struct edi_err err;
        char cmd[600], ct[300], mic[128], *p;
        size_t n;

        snprintf(cmd, sizeof(cmd),
                 "openssl cms -sign -binary %s -md %s -signer a.crt -inkey a.key -in entity.mime -outform SMIME "
                 "-out signed.smime && openssl dgst -%s -binary entity.mime | openssl base64 -A > mic.txt",
                 cases[k].crlf ? "-crlfeol" : "", cases[k].sign, cases[k].sign);
        sh_ok(cmd);
        open_opts_b(&oo, keys, certs);
        oo.require_signed = 1;
        if (cases[k].enc != NULL) {
            snprintf(cmd, sizeof(cmd),
                     "openssl cms -encrypt -binary -%s -in signed.smime -outform DER -out enc.der b.crt",
                     cases[k].enc);
            sh_ok(cmd);
            p = get_file("enc.der", &n);
            snprintf(ct, sizeof(ct), "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m");
            oo.require_encrypted = 1;
        } else {
            p = smime_split(ct, sizeof(ct), &n, "signed.smime");
        }
        edi_err_clear(&err);
        if (gw_cms_open(&in, ct, p, n, &oo, &err) < 0)
            fail_msg("case %zu: %s (%s)", k, err.msg, gw_cms_fail_modifier(in.fail));
        free(p);
        assert_int_equal(in.npayload, sizeof(X12) - 1);
        assert_memory_equal(in.payload, X12, sizeof(X12) - 1);
        assert_string_equal(in.filename, "po.edi");
        first_line(mic, sizeof(mic), "mic.txt");
        if (strncmp(in.mic, mic, strlen(mic)) != 0 || strcmp(in.mic + strlen(mic) - 0, "") == 0)
            fail_msg("case %zu: MIC %s, openssl %s", k, in.mic, mic);
        assert_int_equal(gw_cms_md_parse(strchr(in.mic, ',') + 2), gw_cms_md_parse(cases[k].sign));
        gw_cms_in_dispose(&in);
        /* the same with a changed byte: refused */
        if (cases[k].enc == NULL) {
            p = smime_split(ct, sizeof(ct), &n, "signed.smime");
            *(char *)memmem(p, n, "4Z32PABC", 8) = '5';
            assert_int_equal(gw_cms_open(&in, ct, p, n, &oo, &err), EDI_ESYNTAX);
            assert_int_equal(in.fail, GW_CMS_FAIL_AUTHENTICATION);
            free(p);
        }
    }
}

/* MDNs both ways: openssl verifies wharf's signed MDN; wharf verifies an
 * MDN that openssl signed. */
static void test_openssl_mdn(void **state)
{
    static const char report[] =
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"rep\"\r\n\r\n"
        "--rep\r\nContent-Type: text/plain\r\n\r\nThanks.\r\n--rep\r\n"
        "Content-Type: message/disposition-notification\r\n\r\n"
        "Reporting-UA: openssl peer\r\nFinal-Recipient: rfc822; AMAZON\r\n"
        "Original-Message-ID: <abc@acme>\r\nReceived-Content-MIC: ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256\r\n"
        "Disposition: automatic-action/MDN-sent-automatically; processed\r\n--rep--\r\n";
    struct gw_cms_mdn_opts mo;
    struct gw_cms_open_opts oo;
    const struct gw_cms_key *keys[1];
    const struct gw_cms_cert *certs[1];
    struct gw_cms_msg m;
    struct gw_cms_mdn md;
    char ct[300], *p;
    size_t n;

    mdn_opts(&mo, GW_MD_SHA256, GW_CMS_FAIL_AUTHENTICATION);
    OK(gw_cms_mdn_build(&m, &mo, E));
    split_signed(m.content_type, m.body.p, m.body.n);
    sh_ok("openssl base64 -d -in sig.b64 -out sig.der && "
          "openssl cms -verify -binary -inform DER -in sig.der -content part1 -CAfile a.crt -out mdn.out");
    p = get_file("mdn.out", &n);
    assert_non_null(strstr(p, "Disposition: automatic-action/MDN-sent-automatically; processed/error: "
                              "authentication-failed\r\n"));
    assert_non_null(strstr(p, "Original-Message-ID: <20260101.1200.42@amazon.example>\r\n"));
    free(p);
    gw_cms_msg_dispose(&m);
    /* B's MDN, signed by openssl with B's key, read by A */
    put_file("report.mime", report, sizeof(report) - 1);
    sh_ok("openssl cms -sign -binary -md sha256 -signer b.crt -inkey b.key -in report.mime -outform SMIME "
          "-out mdn.smime");
    p = smime_split(ct, sizeof(ct), &n, "mdn.smime");
    memset(&oo, 0, sizeof(oo));
    keys[0] = A.key;
    certs[0] = B.cert;
    oo.keys = keys;
    oo.nkeys = 1;
    oo.certs = certs;
    oo.ncerts = 1;
    oo.require_signed = 1;
    OK(gw_cms_mdn_open(&md, ct, p, n, &oo, E));
    assert_int_equal(md.was_signed, 1);
    assert_int_equal(md.signer, 0);
    assert_int_equal(md.processed, 1);
    assert_string_equal(md.original_message_id, "<abc@acme>");
    assert_string_equal(md.final_recipient, "AMAZON");
    assert_true(gw_cms_mic_eq(md.mic, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256"));
    /* and checked against A's certificate instead: refused */
    certs[0] = A.cert;
    assert_int_equal(gw_cms_mdn_open(&md, ct, p, n, &oo, NULL), EDI_ESYNTAX);
    assert_int_equal(md.fail, GW_CMS_FAIL_AUTHENTICATION);
    free(p);
}

/* Our certificate as openssl reads it: the same fingerprint and end
 * date, its own anchor, and the key its certificate's. */
static void test_openssl_cert(void **state)
{
    struct gw_cms_cert_info ci;
    char line[200], want[200];

    OK(gw_cms_cert_info(&ci, A.cert, E));
    sh_ok("openssl x509 -in a.crt -noout -fingerprint -sha256 > fp.txt && "
          "openssl x509 -in a.crt -noout -enddate > end.txt && "
          "openssl verify -no_check_time -CAfile a.crt a.crt > /dev/null && "
          "openssl pkey -in a.key -pubout > pub1 && openssl x509 -in a.crt -noout -pubkey > pub2 && cmp pub1 pub2");
    first_line(line, sizeof(line), "fp.txt");
    snprintf(want, sizeof(want), "sha256 Fingerprint=%s", ci.sha256);
    assert_string_equal(line, want);
    first_line(line, sizeof(line), "end.txt");
    assert_string_equal(line, "notAfter=Jan  1 00:00:00 2028 GMT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_insufficient),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_mic_values),
        cmocka_unit_test(test_quirks),
        cmocka_unit_test(test_mdn),
        cmocka_unit_test(test_mdn_refused_fields),
        cmocka_unit_test(test_mdn_peers),
        cmocka_unit_test(test_mime),
        cmocka_unit_test(test_certs),
        cmocka_unit_test(test_openssl_reads_wharf),
        cmocka_unit_test(test_openssl_compressed),
        cmocka_unit_test(test_openssl_builds),
        cmocka_unit_test(test_openssl_mdn),
        cmocka_unit_test(test_openssl_cert),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
