/*
 * cms.c — AS2's cryptography and MIME (cms.h) over OpenSSL's CMS and zlib:
 * the only file that calls either. OpenSSL's errors become ours here
 * (ossl_fail); its S/MIME reader and writer are not used (research §4.7:
 * its reader returned one byte too many), the MIME is mime.c's.
 *
 * CompressedData (RFC 3274) is written and inflated here with zlib:
 * Debian's OpenSSL is built without zlib, so CMS_compress and
 * CMS_uncompress fail there; OpenSSL still parses the structure (DER or
 * BER) for us.
 *
 * Not here: HTTP, the AS2 headers, the partnership (cms.h says where).
 */
#include "gateway/net/cms.h"
#include "gateway/net/mime.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct gw_cms_cert {
    X509 *x;
};

struct gw_cms_key {
    EVP_PKEY *pkey;
    struct gw_cms_cert cert;
};

/* ---- names ------------------------------------------------------------ */

const char *gw_cms_fail_modifier(enum gw_cms_fail f)
{
    switch (f) {
    case GW_CMS_FAIL_NONE: return "";
    case GW_CMS_FAIL_DECRYPTION: return "decryption-failed";
    case GW_CMS_FAIL_AUTHENTICATION: return "authentication-failed";
    case GW_CMS_FAIL_INTEGRITY: return "integrity-check-failed";
    case GW_CMS_FAIL_DECOMPRESSION: return "decompression-failed";
    case GW_CMS_FAIL_INSUFFICIENT: return "insufficient-message-security";
    case GW_CMS_FAIL_UNEXPECTED: return "unexpected-processing-error";
    case GW_CMS_FAIL_UNKNOWN_PARTNER: return "unknown-trading-relationship";
    }
    return "unexpected-processing-error";
}

const char *gw_cms_md_name(enum gw_cms_md md)
{
    switch (md) {
    case GW_MD_SHA256: return "sha-256";
    case GW_MD_SHA384: return "sha-384";
    case GW_MD_SHA512: return "sha-512";
    case GW_MD_SHA1: return "sha-1";
    case GW_MD_NONE: break;
    }
    return "";
}

enum gw_cms_md gw_cms_md_parse(const char *name)
{
    char t[16];
    size_t i, o = 0;

    /* "sha-256", "sha256", "SHA256", "sha1", "sha-1": drop the hyphen */
    for (i = 0; name != NULL && name[i] != '\0'; i++) {
        if (name[i] == '-')
            continue;
        if (o + 1 >= sizeof(t))
            return GW_MD_NONE;
        t[o++] = (char)tolower((unsigned char)name[i]);
    }
    t[o] = '\0';
    if (strcmp(t, "sha256") == 0)
        return GW_MD_SHA256;
    if (strcmp(t, "sha384") == 0)
        return GW_MD_SHA384;
    if (strcmp(t, "sha512") == 0)
        return GW_MD_SHA512;
    if (strcmp(t, "sha1") == 0)
        return GW_MD_SHA1;
    return GW_MD_NONE;
}

static const struct {
    enum gw_cms_cipher c;
    const char *name;
} ciphers[] = {
    {GW_CIPHER_NONE, "none"},
    {GW_CIPHER_AES128_CBC, "aes128-cbc"},
    {GW_CIPHER_AES192_CBC, "aes192-cbc"},
    {GW_CIPHER_AES256_CBC, "aes256-cbc"},
    {GW_CIPHER_AES128_GCM, "aes128-gcm"},
    {GW_CIPHER_AES256_GCM, "aes256-gcm"},
};

const char *gw_cms_cipher_name(enum gw_cms_cipher c)
{
    size_t k;

    for (k = 0; k < sizeof(ciphers) / sizeof(ciphers[0]); k++)
        if (ciphers[k].c == c)
            return ciphers[k].name;
    return "";
}

int gw_cms_cipher_parse(enum gw_cms_cipher *out, const char *name)
{
    size_t k;

    for (k = 0; k < sizeof(ciphers) / sizeof(ciphers[0]); k++)
        if (strcasecmp(ciphers[k].name, name) == 0) {
            *out = ciphers[k].c;
            return 0;
        }
    return EDI_ESYNTAX;
}

static const EVP_MD *md_of(enum gw_cms_md md)
{
    switch (md) {
    case GW_MD_SHA256: return EVP_sha256();
    case GW_MD_SHA384: return EVP_sha384();
    case GW_MD_SHA512: return EVP_sha512();
    case GW_MD_SHA1: return EVP_sha1();
    case GW_MD_NONE: break;
    }
    return NULL;
}

static enum gw_cms_md md_of_nid(int nid)
{
    switch (nid) {
    case NID_sha256: return GW_MD_SHA256;
    case NID_sha384: return GW_MD_SHA384;
    case NID_sha512: return GW_MD_SHA512;
    case NID_sha1: return GW_MD_SHA1;
    default: return GW_MD_NONE;
    }
}

static const EVP_CIPHER *cipher_of(enum gw_cms_cipher c)
{
    switch (c) {
    case GW_CIPHER_AES128_CBC: return EVP_aes_128_cbc();
    case GW_CIPHER_AES192_CBC: return EVP_aes_192_cbc();
    case GW_CIPHER_AES256_CBC: return EVP_aes_256_cbc();
    case GW_CIPHER_AES128_GCM: return EVP_aes_128_gcm();
    case GW_CIPHER_AES256_GCM: return EVP_aes_256_gcm();
    case GW_CIPHER_NONE: break;
    }
    return NULL;
}

/* OpenSSL's error queue into err (its first reason), then cleared. */
static int ossl_fail(struct edi_err *err, int rc, const char *what)
{
    unsigned long e = ERR_peek_error();
    const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;

    rc = edi_fail(err, rc, "%s: %s", what, why ? why : "OpenSSL gave no reason");
    if (err != NULL)
        err->sys = (int)ERR_GET_REASON(e);
    ERR_clear_error();
    return rc;
}

static BIO *mem_in(const void *p, size_t n)
{
    BIO *b = BIO_new_mem_buf(n > 0 ? p : "", (int)n);

    if (b == NULL)
        abort();   /* allocation failure aborts, as edi_xmalloc does */
    return b;
}

static BIO *mem_out(void)
{
    BIO *b = BIO_new(BIO_s_mem());

    if (b == NULL)
        abort();
    return b;
}

/* Appends what a memory BIO holds to out. */
static void put_bio(struct edi_buf *out, BIO *b)
{
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);

    if (n > 0)
        edi_buf_put(out, p, (size_t)n);
}

/* ---- keys and certificates ---------------------------------------------- */

static X509 *read_x509(const void *data, size_t n)
{
    const unsigned char *q = data;
    X509 *x = NULL;
    BIO *b;

    if (n > INT_MAX)
        return NULL;
    if (n > 0 && q[0] == 0x30)
        return d2i_X509(NULL, &q, (long)n);
    b = mem_in(data, n);
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    return x;
}

int gw_cms_cert_new(struct gw_cms_cert **out, const void *data, size_t n, struct edi_err *err)
{
    X509 *x = read_x509(data, n);

    *out = NULL;
    if (x == NULL)
        return ossl_fail(err, EDI_ECONFIG, "not a certificate (PEM or DER)");
    *out = edi_xcalloc(1, sizeof(**out));
    (*out)->x = x;
    return 0;
}

void gw_cms_cert_free(struct gw_cms_cert *c)
{
    if (c == NULL)
        return;
    X509_free(c->x);
    free(c);
}

int gw_cms_key_new(struct gw_cms_key **out, const char *key_pem, size_t nkey, const char *cert_pem,
                   size_t ncert, struct edi_err *err)
{
    EVP_PKEY *pk = NULL;
    X509 *x = NULL;
    BIO *b;

    *out = NULL;
    if (nkey > INT_MAX)
        return edi_fail(err, EDI_ECONFIG, "private key too long");
    b = mem_in(key_pem, nkey);
    /* no passphrase callback: an encrypted PEM fails rather than prompts */
    pk = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
    BIO_free(b);
    if (pk == NULL)
        return ossl_fail(err, EDI_ECONFIG, "the private key does not read as unencrypted PEM");
    if ((x = read_x509(cert_pem, ncert)) == NULL) {
        EVP_PKEY_free(pk);
        return ossl_fail(err, EDI_ECONFIG, "our certificate does not read (PEM or DER)");
    }
    if (X509_check_private_key(x, pk) != 1) {
        EVP_PKEY_free(pk);
        X509_free(x);
        return ossl_fail(err, EDI_ECONFIG, "the private key is not the certificate's");
    }
    *out = edi_xcalloc(1, sizeof(**out));
    (*out)->pkey = pk;
    (*out)->cert.x = x;
    return 0;
}

void gw_cms_key_free(struct gw_cms_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    X509_free(k->cert.x);
    free(k);
}

const struct gw_cms_cert *gw_cms_key_cert(const struct gw_cms_key *k)
{
    return &k->cert;
}

static int time_of(time_t *out, const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    *out = timegm(&tm);
    return 0;
}

static void name_line(char *buf, size_t cap, const X509_NAME *nm)
{
    BIO *b = mem_out();
    char *p = NULL;
    long n;

    X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    n = BIO_get_mem_data(b, &p);
    if (n < 0)
        n = 0;
    if ((size_t)n >= cap)
        n = (long)cap - 1;
    memcpy(buf, p ? p : "", (size_t)n);
    buf[n] = '\0';
    BIO_free(b);
}

int gw_cms_cert_info(struct gw_cms_cert_info *out, const struct gw_cms_cert *c, struct edi_err *err)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;
    BIGNUM *bn;
    char *s;
    EVP_PKEY *pk;

    memset(out, 0, sizeof(*out));
    name_line(out->subject, sizeof(out->subject), X509_get_subject_name(c->x));
    name_line(out->issuer, sizeof(out->issuer), X509_get_issuer_name(c->x));
    if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c->x), NULL)) != NULL &&
        (s = BN_bn2hex(bn)) != NULL) {
        snprintf(out->serial, sizeof(out->serial), "%s", s);
        OPENSSL_free(s);
    }
    BN_free(bn);
    if (time_of(&out->not_before, X509_get0_notBefore(c->x)) < 0 ||
        time_of(&out->not_after, X509_get0_notAfter(c->x)) < 0)
        return ossl_fail(err, EDI_ECONFIG, "the certificate's validity dates do not read");
    if (X509_digest(c->x, EVP_sha256(), md, &len) != 1 || len != 32)
        return ossl_fail(err, EDI_ERR, "SHA-256 of the certificate");
    for (i = 0; i < len; i++) {
        out->sha256[3 * i] = hex[md[i] >> 4];
        out->sha256[3 * i + 1] = hex[md[i] & 15];
        out->sha256[3 * i + 2] = i + 1 < len ? ':' : '\0';
    }
    if ((pk = X509_get0_pubkey(c->x)) != NULL)
        out->key_bits = EVP_PKEY_get_bits(pk);
    return 0;
}

int gw_cms_cert_pem(struct edi_buf *out, const struct gw_cms_cert *c, struct edi_err *err)
{
    BIO *b = mem_out();
    int rc = 0;

    if (PEM_write_bio_X509(b, c->x) != 1)
        rc = ossl_fail(err, EDI_ERR, "writing the certificate as PEM");
    else
        put_bio(out, b);
    BIO_free(b);
    return rc;
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *e;
    int ok;

    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    if ((e = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
        return -1;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok == 1 ? 0 : -1;
}

int gw_cms_keygen(struct edi_buf *key_pem, struct edi_buf *cert_pem, const char *common_name, int bits,
                  int days, time_t now, struct edi_err *err)
{
    EVP_PKEY *pk = NULL;
    X509 *x = NULL;
    BIGNUM *serial = NULL;
    BIO *kb = NULL, *cb = NULL;
    X509_NAME *nm;
    int rc = 0;

    if (bits != 2048 && bits != 3072 && bits != 4096)
        return edi_fail(err, EDI_ECONFIG, "RSA keys are 2048, 3072 or 4096 bits, not %d", bits);
    if (days < 1 || days > 36500)
        return edi_fail(err, EDI_ECONFIG, "a certificate is valid 1 to 36500 days, not %d", days);
    if (common_name == NULL || !gw_mime_value_ok(common_name, 64))
        return edi_fail(err, EDI_ECONFIG, "the certificate's name must be 1 to 64 printable ASCII characters");
    if ((pk = EVP_RSA_gen((unsigned)bits)) == NULL) {
        rc = ossl_fail(err, EDI_ERR, "RSA key generation");
        goto out;
    }
    x = X509_new();
    serial = BN_new();
    if (x == NULL || serial == NULL)
        abort();
    nm = X509_get_subject_name(x);
    /* a positive 127-bit serial: random, as CA/B asks, never negative */
    if (X509_set_version(x, 2) != 1 || BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
        X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL ||
        X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &now) == NULL || X509_set_pubkey(x, pk) != 1 ||
        X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)common_name, -1, -1, 0) != 1 ||
        X509_set_issuer_name(x, nm) != 1 ||
        /* CA:TRUE on a self-signed certificate: peers that check a chain
         * (openssl cms -verify -CAfile) take it as its own anchor */
        add_ext(x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
        add_ext(x, NID_key_usage, "digitalSignature,keyEncipherment,keyCertSign") < 0 ||
        add_ext(x, NID_subject_key_identifier, "hash") < 0 || X509_sign(x, pk, EVP_sha256()) <= 0) {
        rc = ossl_fail(err, EDI_ERR, "making the certificate");
        goto out;
    }
    kb = mem_out();
    cb = mem_out();
    if (PEM_write_bio_PrivateKey(kb, pk, NULL, NULL, 0, NULL, NULL) != 1 || PEM_write_bio_X509(cb, x) != 1) {
        rc = ossl_fail(err, EDI_ERR, "writing the key and certificate as PEM");
        goto out;
    }
    put_bio(key_pem, kb);
    put_bio(cert_pem, cb);
out:
    if (kb != NULL) {
        char *p = NULL;
        long n = BIO_get_mem_data(kb, &p);

        if (n > 0)
            OPENSSL_cleanse(p, (size_t)n);
    }
    BIO_free(kb);
    BIO_free(cb);
    BN_free(serial);
    X509_free(x);
    EVP_PKEY_free(pk);
    return rc;
}

/* ---- building ------------------------------------------------------------ */

void gw_cms_msg_init(struct gw_cms_msg *m)
{
    memset(m, 0, sizeof(*m));
    edi_buf_init(&m->body, 0);
}

void gw_cms_msg_dispose(struct gw_cms_msg *m)
{
    edi_buf_dispose(&m->body);
    memset(m->mic, 0, sizeof(m->mic));
}

/* "base64(digest(p[0 .. n))), sha-256" into mic[128]. */
static int mic_of(char mic[128], const void *p, size_t n, enum gw_cms_md md, struct edi_err *err)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    struct edi_buf b;

    mic[0] = '\0';
    if (EVP_Digest(n > 0 ? p : "", n, d, &len, md_of(md), NULL) != 1)
        return ossl_fail(err, EDI_ERR, "digest for the MIC");
    edi_buf_init(&b, 0);
    gw_b64_encode(&b, d, len, 0);
    snprintf(mic, 128, "%s, %s", edi_buf_cstr(&b), gw_cms_md_name(md));
    edi_buf_dispose(&b);
    return 0;
}

/* A boundary that does not occur in content. */
static void boundary_for(char b[48], const struct edi_buf *content)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    int k;

    do {
        if (RAND_bytes(r, sizeof(r)) != 1)
            abort();   /* no randomness: nothing sane to do */
        memcpy(b, "wharf-", 6);
        for (k = 0; k < 16; k++) {
            b[6 + 2 * k] = hex[r[k] >> 4];
            b[7 + 2 * k] = hex[r[k] & 15];
        }
        b[38] = '\0';
    } while (content->n >= 38 && memmem(content->p, content->n, b, 38) != NULL);
}

/* entity = "Content-Type: ...\r\n" "[more headers]" "\r\n" body. */
static void entity(struct edi_buf *out, const char *ct, const char *more, const void *body, size_t n)
{
    edi_buf_printf(out, "Content-Type: %s\r\n%s\r\n", ct, more ? more : "");
    edi_buf_put(out, body, n);
}

/* The detached CMS signature (DER) of content. */
static int sign_der(struct edi_buf *der, const struct edi_buf *content, const struct gw_cms_key *k,
                    enum gw_cms_md md, struct edi_err *err)
{
    unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
    CMS_ContentInfo *cms;
    BIO *in = NULL, *out = NULL;
    int rc = 0;

    if (content->n > INT_MAX)
        return edi_fail(err, EDI_ELIMIT, "too large to sign");
    if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL)
        return ossl_fail(err, EDI_ERR, "CMS_sign");
    in = mem_in(content->p, content->n);
    out = mem_out();
    if (CMS_add1_signer(cms, k->cert.x, k->pkey, md_of(md), flags) == NULL ||
        CMS_final(cms, in, NULL, flags) != 1 || i2d_CMS_bio(out, cms) != 1)
        rc = ossl_fail(err, EDI_ERR, "signing");
    else
        put_bio(der, out);
    BIO_free(in);
    BIO_free(out);
    CMS_ContentInfo_free(cms);
    return rc;
}

/* SPEC: RFC 1847 §2.1, RFC 5751 §3.5.3: multipart/signed around the entity
 * (which becomes part 1 byte for byte), the signature as part 2. */
static int sign_entity(struct edi_buf *out, const struct edi_buf *in, const struct gw_cms_key *k,
                       enum gw_cms_md md, struct edi_err *err)
{
    struct edi_buf der;
    char b[48];
    int rc;

    edi_buf_init(&der, 0);
    if ((rc = sign_der(&der, in, k, md, err)) < 0)
        goto out;
    boundary_for(b, in);
    edi_buf_printf(out,
                   "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
                   "micalg=%s; boundary=\"%s\"\r\n\r\n--%s\r\n",
                   gw_cms_md_name(md), b, b);
    edi_buf_put(out, in->p, in->n);
    edi_buf_printf(out,
                   "\r\n--%s\r\n"
                   "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                   "Content-Transfer-Encoding: base64\r\n"
                   "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n",
                   b);
    gw_b64_encode(out, der.p, der.n, 1);
    edi_buf_printf(out, "\r\n--%s--\r\n", b);
out:
    edi_buf_dispose(&der);
    return rc;
}

static int encrypt_entity(struct edi_buf *out, const struct edi_buf *in, const struct gw_cms_cert *to,
                          enum gw_cms_cipher c, struct edi_err *err)
{
    STACK_OF(X509) *rcpt = sk_X509_new_null();
    CMS_ContentInfo *cms = NULL;
    BIO *bin, *bout;
    int rc = 0, gcm = c == GW_CIPHER_AES128_GCM || c == GW_CIPHER_AES256_GCM;

    if (rcpt == NULL || sk_X509_push(rcpt, to->x) <= 0)
        abort();
    if (in->n > INT_MAX) {
        sk_X509_free(rcpt);
        return edi_fail(err, EDI_ELIMIT, "too large to encrypt");
    }
    bin = mem_in(in->p, in->n);
    bout = mem_out();
    if ((cms = CMS_encrypt(rcpt, bin, cipher_of(c), CMS_BINARY)) == NULL || i2d_CMS_bio(bout, cms) != 1) {
        rc = ossl_fail(err, EDI_ERR, "encrypting");
    } else {
        /* SPEC: RFC 8551 §3.2.2: authEnveloped-data for AES-GCM */
        edi_buf_printf(out,
                       "Content-Type: application/pkcs7-mime; smime-type=%s; name=smime.p7m\r\n"
                       "Content-Transfer-Encoding: binary\r\n"
                       "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n",
                       gcm ? "authEnveloped-data" : "enveloped-data");
        put_bio(out, bout);
    }
    BIO_free(bin);
    BIO_free(bout);
    CMS_ContentInfo_free(cms);
    sk_X509_free(rcpt);
    return rc;
}

/* DER: tag, definite length, then the content of inner. */
static void der_wrap(struct edi_buf *out, unsigned char tag, const void *inner, size_t n)
{
    unsigned char h[10];
    size_t k = 0, len = n;
    int bytes = 0;

    h[k++] = tag;
    if (n < 128) {
        h[k++] = (unsigned char)n;
    } else {
        while (len > 0) {
            bytes++;
            len >>= 8;
        }
        h[k++] = (unsigned char)(0x80 | bytes);
        while (bytes-- > 0)
            h[k++] = (unsigned char)(n >> (8 * bytes));
    }
    edi_buf_put(out, h, k);
    edi_buf_put(out, inner, n);
}

/* SPEC: RFC 3274 §2, RFC 5402: CompressedData, zlib (RFC 1950), the
 * algorithm's parameters absent, the content id-data. */
static int compress_entity(struct edi_buf *out, const struct edi_buf *in, struct edi_err *err)
{
    static const unsigned char ct_compressed[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                                  0x01, 0x09, 0x10, 0x01, 0x09};
    static const unsigned char alg_zlib[] = {0x30, 0x0d, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                             0x0d, 0x01, 0x09, 0x10, 0x03, 0x08};
    static const unsigned char ct_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const unsigned char version0[] = {0x02, 0x01, 0x00};
    struct edi_buf z, a, b;
    uLongf zn;
    int rc = 0;

    if (in->n > (size_t)UINT_MAX / 2)
        return edi_fail(err, EDI_ELIMIT, "too large to compress");
    zn = compressBound((uLong)in->n);
    edi_buf_init(&z, 0);
    edi_buf_init(&a, 0);
    edi_buf_init(&b, 0);
    z.p = edi_xmalloc(zn);
    z.cap = zn;
    if (compress2((Bytef *)z.p, &zn, (const Bytef *)in->p, (uLong)in->n, Z_DEFAULT_COMPRESSION) != Z_OK) {
        rc = edi_fail(err, EDI_ERR, "zlib compression failed");
        goto out;
    }
    z.n = zn;
    /* eContent [0] EXPLICIT OCTET STRING, inside EncapsulatedContentInfo */
    der_wrap(&a, 0x04, z.p, z.n);
    der_wrap(&b, 0xa0, a.p, a.n);
    edi_buf_reset(&a);
    edi_buf_put(&a, ct_data, sizeof(ct_data));
    edi_buf_put(&a, b.p, b.n);
    edi_buf_reset(&b);
    der_wrap(&b, 0x30, a.p, a.n);
    /* CompressedData ::= SEQUENCE { version, compressionAlgorithm, encapContentInfo } */
    edi_buf_reset(&a);
    edi_buf_put(&a, version0, sizeof(version0));
    edi_buf_put(&a, alg_zlib, sizeof(alg_zlib));
    edi_buf_put(&a, b.p, b.n);
    edi_buf_reset(&b);
    der_wrap(&b, 0x30, a.p, a.n);
    /* ContentInfo ::= SEQUENCE { id-ct-compressedData, [0] EXPLICIT CompressedData } */
    edi_buf_reset(&a);
    der_wrap(&a, 0xa0, b.p, b.n);
    edi_buf_reset(&b);
    edi_buf_put(&b, ct_compressed, sizeof(ct_compressed));
    edi_buf_put(&b, a.p, a.n);
    edi_buf_reset(&a);
    der_wrap(&a, 0x30, b.p, b.n);
    edi_buf_puts(out, "Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\n"
                      "Content-Transfer-Encoding: binary\r\n"
                      "Content-Disposition: attachment; filename=smime.p7z\r\n\r\n");
    edi_buf_put(out, a.p, a.n);
out:
    edi_buf_dispose(&z);
    edi_buf_dispose(&a);
    edi_buf_dispose(&b);
    return rc;
}

/* The outermost entity's Content-Type goes to the HTTP header, its body
 * is the HTTP body. */
static int to_http(struct gw_cms_msg *m, const struct edi_buf *ent, size_t max, struct edi_err *err)
{
    struct gw_mime_entity e;
    int rc;

    if ((rc = gw_mime_entity_parse(&e, ent->p, ent->n, err)) < 0)
        return edi_fail(err, EDI_ERR, "our own entity does not parse");
    if (gw_mime_get(m->content_type, sizeof(m->content_type), &e, "content-type") < 0)
        return edi_fail(err, EDI_ERR, "our own entity has no Content-Type");
    if (e.body.n > max)
        return edi_fail(err, EDI_ELIMIT, "the message is %zu bytes, over the limit of %zu", e.body.n, max);
    edi_buf_put(&m->body, e.body.p, e.body.n);
    return 0;
}

int gw_cms_build(struct gw_cms_msg *m, const void *payload, size_t n, const struct gw_cms_build_opts *o,
                 struct edi_err *err)
{
    const char *ct = o->content_type ? o->content_type : "application/octet-stream";
    size_t max = o->max_body ? o->max_body : GW_CMS_DEFAULT_MAX;
    struct edi_buf cur, next;
    char more[400];
    int rc = 0;

    gw_cms_msg_init(m);
    if (!gw_mime_value_ok(ct, 200) || strchr(ct, '/') == NULL)
        return edi_fail(err, EDI_ECONFIG, "content type \"%.60s\" is not type/subtype in printable ASCII", ct);
    if (o->filename != NULL && (!gw_mime_value_ok(o->filename, 200) || strpbrk(o->filename, "\"\\/") != NULL))
        return edi_fail(err, EDI_ECONFIG, "filename must be 1-200 printable ASCII characters without \" \\ /");
    if (o->sign != GW_MD_NONE && (o->signer == NULL || md_of(o->sign) == NULL))
        return edi_fail(err, EDI_ECONFIG, "signing needs our key and a digest");
    if (o->encrypt != GW_CIPHER_NONE && (o->recipient == NULL || cipher_of(o->encrypt) == NULL))
        return edi_fail(err, EDI_ECONFIG, "encrypting needs the partner's certificate and a cipher");
    if (n > max)
        return edi_fail(err, EDI_ELIMIT, "the payload is %zu bytes, over the limit of %zu", n, max);
    edi_buf_init(&cur, 0);
    edi_buf_init(&next, 0);
    more[0] = '\0';
    if (o->filename != NULL)
        snprintf(more, sizeof(more), "Content-Disposition: attachment; filename=\"%s\"\r\n", o->filename);
    /* SPEC: RFC 4130 §5.2: binary, no transfer encoding over HTTP */
    strcat(more, "Content-Transfer-Encoding: binary\r\n");
    entity(&cur, ct, more, payload, n);
    if (o->compress) {
        if ((rc = compress_entity(&next, &cur, err)) < 0)
            goto out;
        edi_buf_dispose(&cur);
        cur = next;
        edi_buf_init(&next, 0);
    }
    if (o->sign != GW_MD_NONE) {
        /* SPEC: RFC 4130 §7.3.1: the MIC is over the entity we sign */
        if ((rc = mic_of(m->mic, cur.p, cur.n, o->sign, err)) < 0 ||
            (rc = sign_entity(&next, &cur, o->signer, o->sign, err)) < 0)
            goto out;
        edi_buf_dispose(&cur);
        cur = next;
        edi_buf_init(&next, 0);
    } else if (o->encrypt != GW_CIPHER_NONE) {
        /* encrypted, unsigned: over the entity we encrypt, headers included */
        if ((rc = mic_of(m->mic, cur.p, cur.n, o->mic_md ? o->mic_md : GW_MD_SHA256, err)) < 0)
            goto out;
    } else if ((rc = mic_of(m->mic, payload, n, o->mic_md ? o->mic_md : GW_MD_SHA256, err)) < 0) {
        goto out;   /* neither: over the content alone */
    }
    if (o->encrypt != GW_CIPHER_NONE) {
        if ((rc = encrypt_entity(&next, &cur, o->recipient, o->encrypt, err)) < 0)
            goto out;
        edi_buf_dispose(&cur);
        cur = next;
        edi_buf_init(&next, 0);
    }
    rc = to_http(m, &cur, max, err);
out:
    edi_buf_dispose(&cur);
    edi_buf_dispose(&next);
    if (rc < 0) {
        edi_buf_reset(&m->body);
        m->mic[0] = '\0';
        m->content_type[0] = '\0';
    }
    return rc;
}

/* ---- opening ------------------------------------------------------------- */

/* What unwrapping one message keeps: the buffers decrypted, inflated or
 * canonicalised layers live in, so that slices into them stay valid.
 * LIMIT: each holds at most max bytes, and all of them together at most
 * GW_CMS_KEEP_FACTOR times max (nested compression cannot multiply it). */
#define GW_CMS_KEEP_FACTOR 4

struct opener {
    const struct gw_cms_open_opts *o;
    size_t max;
    struct edi_buf keep[4 * (GW_CMS_MAX_DEPTH + 1) + 4];
    size_t nkeep;
    int signer;
    enum gw_cms_md sig_md;
};

static struct edi_buf *keep_new(struct opener *op)
{
    size_t k, used = 0, room;
    struct edi_buf *b;

    if (op->nkeep == sizeof(op->keep) / sizeof(op->keep[0]))
        abort();   /* bounded by GW_CMS_MAX_DEPTH: a bug if reached */
    for (k = 0; k < op->nkeep; k++)
        used += op->keep[k].n;
    room = used < GW_CMS_KEEP_FACTOR * op->max ? GW_CMS_KEEP_FACTOR * op->max - used : 1;
    b = &op->keep[op->nkeep++];
    edi_buf_init(b, room < op->max ? room : op->max);
    return b;
}

static int refuse(enum gw_cms_fail *fail, enum gw_cms_fail why, struct edi_err *err, int rc, const char *fmt,
                  const char *detail)
{
    *fail = why;
    return edi_fail(err, rc, fmt, detail);
}

/* The bytes of a CMS blob in a body part: base64 when its transfer
 * encoding says so or it does not start like DER, otherwise as is. */
static int blob_of(struct edi_str *out, struct opener *op, struct edi_str body, const char *cte,
                   struct edi_err *err)
{
    struct edi_buf *b;
    size_t i = 0;

    while (i < body.n && (body.p[i] == '\r' || body.p[i] == '\n' || body.p[i] == ' '))
        i++;
    if ((cte == NULL || strcasecmp(cte, "base64") != 0) && body.n > 0 && (unsigned char)body.p[0] == 0x30) {
        *out = body;
        return 0;
    }
    b = keep_new(op);
    if (gw_b64_decode(b, body.p + i, body.n - i, err) < 0)
        return EDI_ESYNTAX;
    *out = (struct edi_str){b->p, b->n};
    return 0;
}

static CMS_ContentInfo *cms_read(struct edi_str der)
{
    const unsigned char *q = (const unsigned char *)der.p;

    if (der.n == 0 || der.n > LONG_MAX)
        return NULL;
    return d2i_CMS_ContentInfo(NULL, &q, (long)der.n);
}

/* Verifies a detached signature over content with the pinned
 * certificates. 0 when it verified; op->signer, op->sig_md set. */
static int verify(struct opener *op, CMS_ContentInfo *cms, struct edi_str content, BIO *opaque_out,
                  struct edi_err *err)
{
    const struct gw_cms_open_opts *o = op->o;
    STACK_OF(X509) *pin = sk_X509_new_null(), *signers = NULL;
    X509_STORE *st = X509_STORE_new();
    BIO *dc = content.p ? mem_in(content.p, content.n) : NULL;
    int rc = EDI_ESYNTAX;
    size_t k;

    if (pin == NULL || st == NULL)
        abort();
    for (k = 0; k < o->ncerts; k++)
        if (o->certs[k] != NULL && sk_X509_push(pin, o->certs[k]->x) <= 0)
            abort();
    /* the pinned certificates only (NOINTERN), no chain (self-signed) */
    if (CMS_verify(cms, pin, st, dc, opaque_out, CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
        ossl_fail(err, EDI_ESYNTAX, "the signature does not verify with the partner's certificate");
        goto out;
    }
    signers = CMS_get0_signers(cms);
    op->signer = -1;
    for (k = 0; signers != NULL && sk_X509_num(signers) > 0 && k < o->ncerts; k++)
        if (o->certs[k] != NULL && X509_cmp(sk_X509_value(signers, 0), o->certs[k]->x) == 0) {
            op->signer = (int)k;
            break;
        }
    if (op->signer < 0) {
        edi_fail(err, EDI_ESYNTAX, "the signer is none of the partner's certificates");
        goto out;
    }
    if (o->now != 0) {
        X509 *x = o->certs[op->signer]->x;
        time_t now = o->now;

        if (X509_cmp_time(X509_get0_notBefore(x), &now) > 0 || X509_cmp_time(X509_get0_notAfter(x), &now) < 0) {
            edi_fail(err, EDI_ESYNTAX, "the partner's certificate that signed is outside its validity dates");
            goto out;
        }
    }
    rc = 0;
out:
    sk_X509_free(signers);
    sk_X509_free(pin);
    X509_STORE_free(st);
    BIO_free(dc);
    ERR_clear_error();
    return rc;
}

/* The signature's digest, from its first SignerInfo. */
static enum gw_cms_md sig_md_of(CMS_ContentInfo *cms)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    X509_ALGOR *dig = NULL;
    const ASN1_OBJECT *obj = NULL;

    if (sis == NULL || sk_CMS_SignerInfo_num(sis) < 1)
        return GW_MD_NONE;
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, &dig, NULL);
    if (dig == NULL)
        return GW_MD_NONE;
    X509_ALGOR_get0(&obj, NULL, NULL, dig);
    return md_of_nid(OBJ_obj2nid(obj));
}

/* p with every bare LF made CRLF, into b: the whole of it, or (headers_only)
 * up to the blank line that ends the headers. 0 when nothing changed. */
static int crlf(struct edi_buf *b, struct edi_str p, int headers_only)
{
    size_t i, changed = 0, stop = p.n;

    if (headers_only) {
        for (i = 0; i < p.n; i++)
            if (p.p[i] == '\n' && (i + 1 < p.n && (p.p[i + 1] == '\n' ||
                                                    (p.p[i + 1] == '\r' && i + 2 < p.n && p.p[i + 2] == '\n')))) {
                stop = i + 1;
                break;
            }
        if (stop < p.n && p.p[stop] == '\n')
            stop++;   /* the blank line itself */
    }
    for (i = 0; i < stop; i++) {
        if (p.p[i] == '\n' && (i == 0 || p.p[i - 1] != '\r')) {
            edi_buf_putc(b, '\r');
            changed++;
        }
        edi_buf_putc(b, p.p[i]);
    }
    edi_buf_put(b, p.p + stop, p.n - stop);
    return changed > 0;
}

/* multipart/signed: verifies part 2 over part 1; *inner is part 1 as it
 * verified. */
static int open_signed(struct edi_str *inner, struct opener *op, struct gw_cms_in *in, struct edi_str body,
                       const struct gw_mime_ct *ct, struct edi_err *err)
{
    struct edi_str parts[GW_MIME_MAX_PARTS], der;
    struct gw_mime_entity sig;
    const char *bnd = gw_mime_ct_param(ct, "boundary");
    char cte[64];
    size_t np = 0;
    CMS_ContentInfo *cms = NULL;
    int rc, tries, first;

    if (bnd == NULL)
        return refuse(&in->fail, GW_CMS_FAIL_INTEGRITY, err, EDI_ESYNTAX, "multipart/signed without a boundary%s", "");
    if (gw_mime_multipart(parts, GW_MIME_MAX_PARTS, &np, body, bnd, err) < 0) {
        in->fail = GW_CMS_FAIL_INTEGRITY;
        return EDI_ESYNTAX;
    }
    if (np != 2)
        return refuse(&in->fail, GW_CMS_FAIL_INTEGRITY, err, EDI_ESYNTAX, "multipart/signed has %s parts, not 2",
                      np < 2 ? "fewer" : "more");
    if (gw_mime_entity_parse(&sig, parts[1].p, parts[1].n, err) < 0) {
        in->fail = GW_CMS_FAIL_INTEGRITY;
        return EDI_ESYNTAX;
    }
    if (gw_mime_get(cte, sizeof(cte), &sig, "content-transfer-encoding") < 0)
        cte[0] = '\0';
    if (blob_of(&der, op, sig.body, cte, err) < 0 || (cms = cms_read(der)) == NULL ||
        OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        ERR_clear_error();
        return refuse(&in->fail, GW_CMS_FAIL_INTEGRITY, err, EDI_ESYNTAX,
                      "the signature part is not a CMS SignedData%s", "");
    }
    first = !in->was_signed;
    in->was_signed = 1;
    in->sig_md = sig_md_of(cms);
    if (in->sig_md == GW_MD_NONE) {
        CMS_ContentInfo_free(cms);
        return refuse(&in->fail, GW_CMS_FAIL_AUTHENTICATION, err, EDI_ESYNTAX,
                      "the signature's digest is not SHA-1 or SHA-2%s", "");
    }
    /* the MIC over what arrived, so that even a negative MDN carries it;
     * the outermost signature's, over an encryption's outside it */
    if (first && (rc = mic_of(in->mic, parts[0].p, parts[0].n, in->sig_md, err)) < 0) {
        CMS_ContentInfo_free(cms);
        return rc;
    }
    /* exact bytes; then every bare LF as CRLF; then the headers' only */
    *inner = parts[0];
    rc = verify(op, cms, *inner, NULL, err);
    for (tries = 0; rc < 0 && tries < 2; tries++) {
        struct edi_buf *b = keep_new(op);

        if (!crlf(b, parts[0], tries == 1))
            continue;
        if (verify(op, cms, (struct edi_str){b->p, b->n}, NULL, NULL) == 0) {
            *inner = (struct edi_str){b->p, b->n};
            rc = 0;
        }
    }
    CMS_ContentInfo_free(cms);
    if (rc < 0) {
        in->fail = GW_CMS_FAIL_AUTHENTICATION;
        return EDI_ESYNTAX;
    }
    in->signer = op->signer;
    if (first && inner->p != parts[0].p)
        mic_of(in->mic, inner->p, inner->n, in->sig_md, NULL);
    return 0;
}

/* SPEC: RFC 3274: inflate eContent, never past the limit (zlib bombs). */
static int inflate_to(struct edi_buf *out, const ASN1_OCTET_STRING *z, size_t max, struct edi_err *err)
{
    unsigned char chunk[16384];
    z_stream s;
    int zr;

    memset(&s, 0, sizeof(s));
    if (inflateInit(&s) != Z_OK)
        return edi_fail(err, EDI_ERR, "zlib init");
    s.next_in = (Bytef *)ASN1_STRING_get0_data(z);
    s.avail_in = (uInt)ASN1_STRING_length(z);
    do {
        s.next_out = chunk;
        s.avail_out = sizeof(chunk);
        zr = inflate(&s, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            inflateEnd(&s);
            return edi_fail(err, EDI_ESYNTAX, "the compressed data does not inflate (zlib %d)", zr);
        }
        if (out->n + (sizeof(chunk) - s.avail_out) > max) {
            inflateEnd(&s);
            return edi_fail(err, EDI_ELIMIT, "the compressed data inflates past %zu bytes", max);
        }
        edi_buf_put(out, chunk, sizeof(chunk) - s.avail_out);
        if (zr == Z_OK && s.avail_in == 0 && s.avail_out != 0) {
            inflateEnd(&s);
            return edi_fail(err, EDI_ESYNTAX, "the compressed data is cut short");
        }
    } while (zr != Z_STREAM_END);
    inflateEnd(&s);
    return 0;
}

/* application/pkcs7-mime: decrypts, inflates, or opens an opaque
 * signature; *inner is the entity inside. */
static int open_pkcs7(struct edi_str *inner, struct opener *op, struct gw_cms_in *in, struct edi_str body,
                      const struct gw_mime_ct *ct, const char *cte, struct edi_err *err)
{
    const struct gw_cms_open_opts *o = op->o;
    struct edi_str der;
    CMS_ContentInfo *cms = NULL;
    struct edi_buf *b;
    int rc = EDI_ESYNTAX, type;
    size_t k;

    if (blob_of(&der, op, body, cte, err) < 0 || (cms = cms_read(der)) == NULL) {
        /* damaged or cut: what it claims to be says what failed */
        const char *st = gw_mime_ct_param(ct, "smime-type");
        enum gw_cms_fail f = GW_CMS_FAIL_UNEXPECTED;

        if (st != NULL && (strcasecmp(st, "enveloped-data") == 0 || strcasecmp(st, "authEnveloped-data") == 0))
            f = GW_CMS_FAIL_DECRYPTION;
        else if (st != NULL && strcasecmp(st, "compressed-data") == 0)
            f = GW_CMS_FAIL_DECOMPRESSION;
        else if (st != NULL && strcasecmp(st, "signed-data") == 0)
            f = GW_CMS_FAIL_INTEGRITY;
        ERR_clear_error();
        return refuse(&in->fail, f, err, EDI_ESYNTAX, "the application/pkcs7-mime body is not CMS (%s)",
                      st ? st : "no smime-type");
    }
    type = OBJ_obj2nid(CMS_get0_type(cms));
    b = keep_new(op);
    if (type == NID_pkcs7_enveloped || type == NID_id_smime_ct_authEnvelopedData) {
        in->was_encrypted = 1;
        for (k = 0; k < o->nkeys && rc < 0; k++) {
            BIO *out = mem_out();

            if (o->keys[k] != NULL &&
                CMS_decrypt(cms, o->keys[k]->pkey, o->keys[k]->cert.x, NULL, out, CMS_BINARY) == 1) {
                put_bio(b, out);
                rc = 0;
            }
            BIO_free(out);
            ERR_clear_error();
        }
        if (rc < 0)
            rc = refuse(&in->fail, GW_CMS_FAIL_DECRYPTION, err, EDI_ESYNTAX, "%s",
                        o->nkeys ? "the message does not decrypt with our key (or keys)"
                                 : "the message is encrypted and no key of ours was given");
        else if (b->err)
            rc = refuse(&in->fail, GW_CMS_FAIL_UNEXPECTED, err, EDI_ELIMIT, "decrypted message over the limit%s", "");
        else if (!in->was_signed && in->mic[0] == '\0')
            /* encrypted: the MIC over the decrypted entity, unless a signature inside says otherwise */
            rc = mic_of(in->mic, b->p, b->n, o->mic_md ? o->mic_md : GW_MD_SHA256, err);
    } else if (type == NID_id_smime_ct_compressedData) {
        ASN1_OCTET_STRING **z = CMS_get0_content(cms);

        in->was_compressed = 1;
        if (z == NULL || *z == NULL)
            rc = refuse(&in->fail, GW_CMS_FAIL_DECOMPRESSION, err, EDI_ESYNTAX, "CompressedData without content%s", "");
        else if ((rc = inflate_to(b, *z, b->max, err)) < 0)
            in->fail = rc == EDI_ELIMIT ? GW_CMS_FAIL_UNEXPECTED : GW_CMS_FAIL_DECOMPRESSION;
    } else if (type == NID_pkcs7_signed) {
        /* an opaque signature (smime-type=signed-data): the content inside */
        BIO *out = mem_out();

        int first = !in->was_signed;

        in->was_signed = 1;
        in->sig_md = sig_md_of(cms);
        if (in->sig_md == GW_MD_NONE || verify(op, cms, EDI_STR_NULL, out, err) < 0) {
            in->fail = GW_CMS_FAIL_AUTHENTICATION;
        } else {
            put_bio(b, out);
            in->signer = op->signer;
            rc = first ? mic_of(in->mic, b->p, b->n, in->sig_md, err) : 0;
        }
        BIO_free(out);
    } else {
        rc = refuse(&in->fail, GW_CMS_FAIL_UNEXPECTED, err, EDI_ESYNTAX, "CMS content type %s not expected in AS2",
                    OBJ_nid2sn(type));
    }
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    *inner = (struct edi_str){b->p, b->n};
    return rc;
}

/* The body of an entity decoded per its transfer encoding, into b. */
static int decode_body(struct edi_str *out, struct opener *op, struct edi_str body, const char *cte,
                       struct edi_err *err)
{
    if (cte[0] == '\0' || strcasecmp(cte, "binary") == 0 || strcasecmp(cte, "8bit") == 0 ||
        strcasecmp(cte, "7bit") == 0) {
        *out = body;
        return 0;
    }
    if (strcasecmp(cte, "base64") == 0) {
        struct edi_buf *b = keep_new(op);

        if (gw_b64_decode(b, body.p, body.n, err) < 0)
            return EDI_ESYNTAX;
        *out = (struct edi_str){b->p, b->n};
        return 0;
    }
    return edi_fail(err, EDI_ESYNTAX, "Content-Transfer-Encoding \"%.40s\" is not supported", cte);
}

void gw_cms_in_dispose(struct gw_cms_in *in)
{
    free(in->payload);
    in->payload = NULL;
    in->npayload = 0;
}

/* Unwraps layer after layer down to the payload. For an MDN (report set),
 * stops there instead: *report is its body, report_ct its Content-Type. */
static int open_any(struct gw_cms_in *in, struct opener *op, const char *content_type, const void *body,
                    size_t n, struct edi_str *report, char report_ct[GW_MIME_MAX_VALUE], struct edi_err *err)
{
    const struct gw_cms_open_opts *o = op->o;
    struct edi_str cur = {body, n};
    struct gw_mime_ct ct;
    struct gw_mime_entity e;
    char ctv[GW_MIME_MAX_VALUE], cte[64] = "";
    int depth, rc;

    if (n > op->max)
        return refuse(&in->fail, GW_CMS_FAIL_UNEXPECTED, err, EDI_ELIMIT, "the body is over the limit%s", "");
    snprintf(ctv, sizeof(ctv), "%s", content_type ? content_type : "");
    for (depth = 0;; depth++) {
        struct edi_str inner;

        if (depth > GW_CMS_MAX_DEPTH) {
            in->fail = GW_CMS_FAIL_UNEXPECTED;
            return edi_fail(err, EDI_ESYNTAX, "more than %d layers of signatures, encryption and compression",
                            GW_CMS_MAX_DEPTH);
        }
        if (gw_mime_ct_parse(&ct, ctv, err) < 0) {
            in->fail = GW_CMS_FAIL_UNEXPECTED;
            return EDI_ESYNTAX;
        }
        if (strcmp(ct.type, "multipart/signed") == 0) {
            if ((rc = open_signed(&inner, op, in, cur, &ct, err)) < 0)
                return rc;
        } else if (strcmp(ct.type, "application/pkcs7-mime") == 0 ||
                   strcmp(ct.type, "application/x-pkcs7-mime") == 0) {
            if ((rc = open_pkcs7(&inner, op, in, cur, &ct, cte, err)) < 0)
                return rc;
        } else {
            break;
        }
        /* the layer inside is a MIME entity: its headers say what it is */
        if (gw_mime_entity_parse(&e, inner.p, inner.n, err) < 0)
            return refuse(&in->fail, GW_CMS_FAIL_UNEXPECTED, err, EDI_ESYNTAX, "inside a %s: not MIME", ct.type);
        if (gw_mime_get(ctv, sizeof(ctv), &e, "content-type") < 0)
            snprintf(ctv, sizeof(ctv), "text/plain");   /* SPEC: RFC 2045 §5.2: the default */
        if (gw_mime_get(cte, sizeof(cte), &e, "content-transfer-encoding") < 0)
            cte[0] = '\0';
        cur = e.body;
        if (report == NULL) {
            char cd[GW_MIME_MAX_VALUE];
            struct gw_mime_ct d;

            in->filename[0] = '\0';
            if (gw_mime_get(cd, sizeof(cd), &e, "content-disposition") >= 0 && gw_mime_ct_parse(&d, cd, NULL) == 0 &&
                gw_mime_ct_param(&d, "filename") != NULL)
                snprintf(in->filename, sizeof(in->filename), "%s", gw_mime_ct_param(&d, "filename"));
        }
    }
    /* SPEC: RFC 4130 §7.3.1 and research §4.3: the partnership's required security */
    if (o->require_encrypted && !in->was_encrypted)
        return refuse(&in->fail, GW_CMS_FAIL_INSUFFICIENT, err, EDI_ESYNTAX,
                      "the message is not encrypted and the partnership requires it%s", "");
    if (o->require_signed && !in->was_signed)
        return refuse(&in->fail, GW_CMS_FAIL_INSUFFICIENT, err, EDI_ESYNTAX,
                      "the message is not signed and the partnership requires it%s", "");
    snprintf(in->content_type, sizeof(in->content_type), "%s", ct.type);
    if (decode_body(&cur, op, cur, cte, err) < 0) {
        in->fail = GW_CMS_FAIL_UNEXPECTED;
        return EDI_ESYNTAX;
    }
    if (report != NULL) {
        *report = cur;
        memcpy(report_ct, ctv, sizeof(ctv));
        return 0;
    }
    if (in->mic[0] == '\0' && (rc = mic_of(in->mic, cur.p, cur.n, o->mic_md ? o->mic_md : GW_MD_SHA256, err)) < 0)
        return rc;
    in->payload = edi_xmalloc(cur.n + 1);
    memcpy(in->payload, cur.p, cur.n);
    in->payload[cur.n] = '\0';
    in->npayload = cur.n;
    return 0;
}

static void opener_init(struct opener *op, const struct gw_cms_open_opts *o)
{
    memset(op, 0, sizeof(*op));
    op->o = o;
    op->max = o->max_body ? o->max_body : GW_CMS_DEFAULT_MAX;
    op->signer = -1;
}

static void opener_dispose(struct opener *op)
{
    size_t k;

    for (k = 0; k < op->nkeep; k++)
        edi_buf_dispose(&op->keep[k]);
}

int gw_cms_open(struct gw_cms_in *in, const char *content_type, const void *body, size_t n,
                const struct gw_cms_open_opts *o, struct edi_err *err)
{
    struct opener op;
    int rc;

    memset(in, 0, sizeof(*in));
    in->signer = -1;
    opener_init(&op, o);
    rc = open_any(in, &op, content_type, body, n, NULL, NULL, err);
    opener_dispose(&op);
    if (rc < 0) {
        if (in->fail == GW_CMS_FAIL_NONE)
            in->fail = GW_CMS_FAIL_UNEXPECTED;
        gw_cms_in_dispose(in);
    }
    return rc;
}

/* ---- MDNs ---------------------------------------------------------------- */

int gw_cms_mdn_build(struct gw_cms_msg *m, const struct gw_cms_mdn_opts *o, struct edi_err *err)
{
    const char *fields[] = {o->reporting_ua, o->original_recipient, o->final_recipient, o->original_message_id,
                            o->mic, o->warning};
    size_t max = o->max_body ? o->max_body : GW_CMS_DEFAULT_MAX, k;
    struct edi_buf rep, ent, text;
    char b[48], disp[300];
    int rc = 0;

    gw_cms_msg_init(m);
    for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
        if (fields[k] != NULL && !gw_mime_value_ok(fields[k], 255))
            return edi_fail(err, EDI_ECONFIG, "MDN field %zu is empty, too long or has a control character", k + 1);
    if (o->reporting_ua == NULL || o->final_recipient == NULL || o->original_message_id == NULL)
        return edi_fail(err, EDI_ECONFIG, "an MDN needs Reporting-UA, Final-Recipient and Original-Message-ID");
    if (o->sign != GW_MD_NONE && (o->signer == NULL || md_of(o->sign) == NULL))
        return edi_fail(err, EDI_ECONFIG, "signing the MDN needs our key and a digest");
    /* SPEC: RFC 4130 §7.4.3, RFC 8098 §3.2.6 */
    if (o->fail != GW_CMS_FAIL_NONE)
        snprintf(disp, sizeof(disp), "automatic-action/MDN-sent-automatically; processed/error: %s",
                 gw_cms_fail_modifier(o->fail));
    else if (o->warning != NULL)
        snprintf(disp, sizeof(disp), "automatic-action/MDN-sent-automatically; processed/warning: %s", o->warning);
    else
        snprintf(disp, sizeof(disp), "automatic-action/MDN-sent-automatically; processed");
    edi_buf_init(&rep, 0);
    edi_buf_init(&ent, 0);
    edi_buf_init(&text, 0);
    if (o->text != NULL) {
        /* the human part, us-ascii: line ends made CRLF, anything else unprintable '?' */
        const char *t;

        for (t = o->text; *t != '\0'; t++) {
            if (*t == '\n' && (t == o->text || t[-1] != '\r'))
                edi_buf_putc(&text, '\r');
            edi_buf_putc(&text, (*t >= 32 && *t < 127) || *t == '\r' || *t == '\n' || *t == '\t' ? *t : '?');
        }
    } else {
        edi_buf_printf(&text, "The AS2 message %s was received. Its disposition: %s.", o->original_message_id,
                       o->fail != GW_CMS_FAIL_NONE ? gw_cms_fail_modifier(o->fail) : "processed");
    }
    edi_buf_printf(&rep, "Reporting-UA: %s\r\n", o->reporting_ua);
    if (o->original_recipient != NULL)
        edi_buf_printf(&rep, "Original-Recipient: rfc822; %s\r\n", o->original_recipient);
    edi_buf_printf(&rep, "Final-Recipient: rfc822; %s\r\nOriginal-Message-ID: %s\r\n", o->final_recipient,
                   o->original_message_id);
    if (o->mic != NULL)
        edi_buf_printf(&rep, "Received-Content-MIC: %s\r\n", o->mic);
    edi_buf_printf(&rep, "Disposition: %s\r\n", disp);
    edi_buf_put(&text, rep.p, rep.n);   /* boundary_for looks at both parts */
    boundary_for(b, &text);
    text.n -= rep.n;
    edi_buf_printf(&ent,
                   "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"%s\"\r\n\r\n"
                   "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n",
                   b, b);
    edi_buf_put(&ent, text.p, text.n);
    edi_buf_printf(&ent,
                   "\r\n--%s\r\nContent-Type: message/disposition-notification\r\n"
                   "Content-Transfer-Encoding: 7bit\r\n\r\n",
                   b);
    edi_buf_put(&ent, rep.p, rep.n);
    edi_buf_printf(&ent, "\r\n--%s--\r\n", b);
    if (o->sign != GW_MD_NONE) {
        edi_buf_reset(&rep);
        if ((rc = sign_entity(&rep, &ent, o->signer, o->sign, err)) < 0)
            goto out;
        rc = to_http(m, &rep, max, err);
    } else {
        rc = to_http(m, &ent, max, err);
    }
out:
    edi_buf_dispose(&rep);
    edi_buf_dispose(&ent);
    edi_buf_dispose(&text);
    m->mic[0] = '\0';
    return rc;
}

/* One field of the notification: its value after "type;" (the
 * "rfc822; " of Final-Recipient), or as is. */
static void field(char *out, size_t cap, const struct gw_mime_entity *e, const char *name, int after_semicolon)
{
    char v[GW_MIME_MAX_VALUE];
    const char *s = v;
    size_t n;

    out[0] = '\0';
    if (gw_mime_get(v, sizeof(v), e, name) < 0)
        return;
    if (after_semicolon && strchr(v, ';') != NULL)
        for (s = strchr(v, ';') + 1; *s == ' ' || *s == '\t'; s++)
            ;
    /* longer than the field holds: cut (a Message-ID is at most 255) */
    n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

int gw_cms_mdn_open(struct gw_cms_mdn *md, const char *content_type, const void *body, size_t n,
                    const struct gw_cms_open_opts *o, struct edi_err *err)
{
    struct gw_cms_open_opts oo = *o;
    struct gw_cms_in in;
    struct opener op;
    struct edi_str rep, parts[GW_MIME_MAX_PARTS];
    struct gw_mime_ct ct;
    struct gw_mime_entity e;
    char ctv[GW_MIME_MAX_VALUE], *semi;
    size_t np = 0, k;
    int rc = EDI_ESYNTAX;

    memset(md, 0, sizeof(*md));
    memset(&in, 0, sizeof(in));
    md->signer = -1;
    in.signer = -1;
    /* an MDN is never encrypted in AS2, and its own content needs no MIC */
    oo.require_encrypted = 0;
    opener_init(&op, &oo);
    if ((rc = open_any(&in, &op, content_type, body, n, &rep, ctv, err)) < 0)
        goto out;
    md->was_signed = in.was_signed;
    md->signer = in.signer;
    rc = EDI_ESYNTAX;
    in.fail = GW_CMS_FAIL_UNEXPECTED;
    if (strcmp(in.content_type, "multipart/report") != 0) {
        edi_fail(err, EDI_ESYNTAX, "an MDN is multipart/report, not %.60s", in.content_type);
        goto out;
    }
    if (gw_mime_ct_parse(&ct, ctv, err) < 0 || gw_mime_ct_param(&ct, "boundary") == NULL ||
        gw_mime_multipart(parts, GW_MIME_MAX_PARTS, &np, rep, gw_mime_ct_param(&ct, "boundary"), err) < 0)
        goto out;
    for (k = 0; k < np; k++) {
        struct gw_mime_entity pe;
        struct gw_mime_ct pct;
        struct edi_buf *fb;
        char v[GW_MIME_MAX_VALUE];

        if (gw_mime_entity_parse(&pe, parts[k].p, parts[k].n, NULL) < 0 ||
            gw_mime_get(v, sizeof(v), &pe, "content-type") < 0 || gw_mime_ct_parse(&pct, v, NULL) < 0 ||
            strcmp(pct.type, "message/disposition-notification") != 0)
            continue;
        if (gw_mime_get(v, sizeof(v), &pe, "content-transfer-encoding") < 0)
            v[0] = '\0';
        if (decode_body(&rep, &op, pe.body, v, err) < 0)
            goto out;
        /* the fields are header lines; the part need not end in a blank line */
        fb = keep_new(&op);
        edi_buf_put(fb, rep.p, rep.n);
        edi_buf_puts(fb, "\r\n\r\n");
        if (gw_mime_entity_parse(&e, fb->p, fb->n, err) < 0)
            goto out;
        field(md->disposition, sizeof(md->disposition), &e, "disposition", 0);
        field(md->original_message_id, sizeof(md->original_message_id), &e, "original-message-id", 0);
        field(md->final_recipient, sizeof(md->final_recipient), &e, "final-recipient", 1);
        field(md->reporting_ua, sizeof(md->reporting_ua), &e, "reporting-ua", 0);
        field(md->mic, sizeof(md->mic), &e, "received-content-mic", 0);
        break;
    }
    if (md->disposition[0] == '\0') {
        edi_fail(err, EDI_ESYNTAX, "the MDN has no message/disposition-notification part with a Disposition");
        goto out;
    }
    /* "automatic-action/MDN-sent-automatically; processed[/error: x]" */
    if ((semi = strchr(md->disposition, ';')) != NULL) {
        const char *t = semi + 1, *slash;
        size_t tn;

        while (*t == ' ' || *t == '\t')
            t++;
        slash = strchr(t, '/');
        tn = slash ? (size_t)(slash - t) : strlen(t);
        while (tn > 0 && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
            tn--;
        if (slash != NULL) {
            for (slash++; *slash == ' '; slash++)
                ;
            snprintf(md->modifier, sizeof(md->modifier), "%s", slash);
        }
        md->processed = tn == 9 && strncasecmp(t, "processed", 9) == 0 &&
                        (md->modifier[0] == '\0' || strncasecmp(md->modifier, "warning", 7) == 0);
    }
    in.fail = GW_CMS_FAIL_NONE;
    rc = 0;
out:
    md->fail = rc < 0 ? (in.fail != GW_CMS_FAIL_NONE ? in.fail : GW_CMS_FAIL_UNEXPECTED) : GW_CMS_FAIL_NONE;
    opener_dispose(&op);
    gw_cms_in_dispose(&in);
    return rc;
}

/* "digest , alg" split, trimmed. */
static int mic_split(char *d, size_t cap, enum gw_cms_md *md, const char *s)
{
    const char *comma = s ? strrchr(s, ',') : NULL, *a;
    size_t i = 0;

    if (comma == NULL)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    while (s + i < comma && i + 1 < cap && s[i] != ' ' && s[i] != '\t') {
        d[i] = s[i];
        i++;
    }
    d[i] = '\0';
    for (a = comma + 1; *a == ' ' || *a == '\t'; a++)
        ;
    {
        char alg[32];
        size_t k = 0;

        while (a[k] != '\0' && a[k] != ' ' && a[k] != '\t' && k + 1 < sizeof(alg)) {
            alg[k] = a[k];
            k++;
        }
        alg[k] = '\0';
        *md = gw_cms_md_parse(alg);
    }
    return i > 0 && *md != GW_MD_NONE ? 0 : -1;
}

int gw_cms_mic_eq(const char *a, const char *b)
{
    char da[128], db[128];
    enum gw_cms_md ma, mb;

    if (mic_split(da, sizeof(da), &ma, a) < 0 || mic_split(db, sizeof(db), &mb, b) < 0)
        return 0;
    return ma == mb && strcmp(da, db) == 0;
}
