/*
 * cms.h — the cryptographic and MIME core of AS2 (RFC 4130): OpenSSL's CMS
 * in one module. It builds what wharf sends (a payload entity, compressed,
 * signed, encrypted; an MDN, signed), opens what a partner sends (decrypt,
 * verify, decompress, the MIC the MDN must carry, or the disposition
 * modifier that says what failed), and makes and reads keys and
 * certificates. Not here: HTTP and the AS2 headers (AS2-From, Message-ID,
 * Disposition-Notification-Options: the transport), the partner's
 * configuration and which certificates are current (the caller passes
 * them), where private keys live (the vault: keys come in as PEM bytes,
 * never from a file), MIME parsing itself (mime.h).
 *
 * Choices, each following research §4 (../shared/research/erp-as2.md):
 *   - build order compress → sign → encrypt; on receipt any nesting, to
 *     GW_CMS_MAX_DEPTH layers;
 *   - the payload entity is written with CRLF headers and
 *     "Content-Transfer-Encoding: binary": its body is sent and signed byte
 *     for byte, never line-end converted (an X12 file with "~\n" stays so);
 *     the whole entity we sign is exactly the bytes we send, which is what
 *     makes the MIC match (the #1 interop bug is a CRLF rewritten between
 *     signing and sending);
 *   - the detached signature part is base64, 76 columns, CRLF; the
 *     encrypted body is binary DER (the HTTP body as is); the compressed
 *     entity is binary DER inside its MIME entity;
 *   - micalg is written "sha-256" (RFC 5751; "sha-1", "sha-384",
 *     "sha-512"), and read in any case with or without the hyphen
 *     ("sha256", "SHA1" — Mendelson, IBM Sterling);
 *   - no header is folded: every line we write is short, and unfolding is
 *     where some peers stumble; boundaries are 32 random hex digits,
 *     checked not to occur in the content;
 *   - a signature verifies only against the partner's pinned certificates
 *     (no CA chain: AS2 certificates are self-signed), the embedded ones
 *     ignored; a signer certificate outside its validity at `now` fails;
 *   - an inbound signed part is verified over its exact bytes first, then
 *     with bare LFs made CRLF (peers and files that lost the CR), and the
 *     MIC is computed over the bytes that verified;
 *   - a CMS blob is read as DER, or as base64 when its part says so or it
 *     does not start like DER; BER (indefinite lengths, from Java peers)
 *     is read too.
 *
 * SPEC: RFC 4130 §7.3.1: the MIC. Signed: over the signed entity (headers
 * and body, as verified), with the signature's digest. Encrypted, unsigned:
 * over the decrypted entity, headers included. Neither: over the payload
 * content alone, without headers (after decompression, if compressed).
 * It is "base64(digest), sha-256".
 *
 * Errors: a message we cannot open is not an error of this module but its
 * verdict: gw_cms_open returns EDI_ESYNTAX (EDI_ELIMIT for a size over the
 * limit) with in->fail saying which RFC 4130 disposition modifier the MDN
 * carries, and err->msg the detail for the log (never a key, never the
 * payload).
 */
#ifndef WHARF_NET_CMS_H
#define WHARF_NET_CMS_H

#include "edi/edi.h"

#include <stddef.h>
#include <time.h>

/* LIMIT: layers of encryption, signature and compression on receipt. */
#define GW_CMS_MAX_DEPTH 8
/* LIMIT: a message or MDN body when the caller gives no maximum. */
#define GW_CMS_DEFAULT_MAX (64u * 1024 * 1024)

enum gw_cms_md {
    GW_MD_NONE = 0,           /* not signed */
    GW_MD_SHA256,             /* the default */
    GW_MD_SHA384,
    GW_MD_SHA512,
    GW_MD_SHA1,               /* legacy partners only */
};

enum gw_cms_cipher {
    GW_CIPHER_NONE = 0,       /* not encrypted */
    GW_CIPHER_AES128_CBC,
    GW_CIPHER_AES192_CBC,
    GW_CIPHER_AES256_CBC,     /* the default */
    GW_CIPHER_AES128_GCM,     /* AuthEnvelopedData (RFC 5083/5084): ask the partner first */
    GW_CIPHER_AES256_GCM,
};

/* What went wrong with an inbound message, as its MDN says it
 * (gw_cms_fail_modifier gives the words). */
enum gw_cms_fail {
    GW_CMS_FAIL_NONE = 0,
    GW_CMS_FAIL_DECRYPTION,        /* decryption-failed: not for our key, or damaged */
    GW_CMS_FAIL_AUTHENTICATION,    /* authentication-failed: the signature does not verify
                                      with the partner's certificate (content changed, other signer) */
    GW_CMS_FAIL_INTEGRITY,         /* integrity-check-failed: a signed message whose signature
                                      part is missing or unreadable */
    GW_CMS_FAIL_DECOMPRESSION,     /* decompression-failed */
    GW_CMS_FAIL_INSUFFICIENT,      /* insufficient-message-security: unsigned or unencrypted
                                      when the partnership requires it */
    GW_CMS_FAIL_UNEXPECTED,        /* unexpected-processing-error: malformed MIME, too big, too deep */
    GW_CMS_FAIL_UNKNOWN_PARTNER,   /* unknown-trading-relationship: never from gw_cms_open (the
                                      transport knows the partnerships), for gw_cms_mdn_build */
};

/* "decryption-failed" ...; "" for GW_CMS_FAIL_NONE. */
const char *gw_cms_fail_modifier(enum gw_cms_fail f);
/* "sha-256" ... ("" for none), and back: any spelling peers use ("sha256",
 * "SHA-256", "sha1"); GW_MD_NONE when unknown. */
const char *gw_cms_md_name(enum gw_cms_md md);
enum gw_cms_md gw_cms_md_parse(const char *name);
/* "aes256-cbc" ... (the config's words, as in the example), and back. */
const char *gw_cms_cipher_name(enum gw_cms_cipher c);
int gw_cms_cipher_parse(enum gw_cms_cipher *out, const char *name);

/* Our side: a private key and its certificate. Partner side: a
 * certificate. Both immutable once made, so one may be shared by threads. */
struct gw_cms_key;
struct gw_cms_cert;

/* key_pem: a PEM private key (PKCS#8 or traditional, unencrypted: the vault
 * already protects it); cert_pem: its certificate, PEM. EDI_ECONFIG when
 * either does not read or the key is not the certificate's. The key bytes
 * are not kept beyond OpenSSL's own key object, and never appear in err. */
int gw_cms_key_new(struct gw_cms_key **out, const char *key_pem, size_t nkey, const char *cert_pem,
                   size_t ncert, struct edi_err *err);
void gw_cms_key_free(struct gw_cms_key *k);
/* A certificate, PEM or DER. EDI_ECONFIG when it does not read. */
int gw_cms_cert_new(struct gw_cms_cert **out, const void *data, size_t n, struct edi_err *err);
void gw_cms_cert_free(struct gw_cms_cert *c);
/* The certificate of our key (borrowed). */
const struct gw_cms_cert *gw_cms_key_cert(const struct gw_cms_key *k);

struct gw_cms_cert_info {
    char subject[256];        /* RFC 2253, "CN=ACME AS2" */
    char issuer[256];
    char serial[80];          /* hex */
    time_t not_before, not_after;
    char sha256[96];          /* "AB:CD:..." as `openssl x509 -fingerprint -sha256` prints it */
    int key_bits;             /* 2048 ... */
};
int gw_cms_cert_info(struct gw_cms_cert_info *out, const struct gw_cms_cert *c, struct edi_err *err);
/* The certificate as PEM, appended to out. */
int gw_cms_cert_pem(struct edi_buf *out, const struct gw_cms_cert *c, struct edi_err *err);

/* A new RSA key (bits: 2048 or 3072 or 4096) and a self-signed certificate
 * for it: subject CN=common_name (printable ASCII, 1-64), valid from now
 * for days, SHA-256, key usage digitalSignature + keyEncipherment, a random
 * 128-bit serial. Both appended to the buffers as PEM (the key unencrypted
 * PKCS#8: the caller seals it into the vault at once). */
int gw_cms_keygen(struct edi_buf *key_pem, struct edi_buf *cert_pem, const char *common_name, int bits,
                  int days, time_t now, struct edi_err *err);

/* An AS2 message body or MDN body, ready to send. */
struct gw_cms_msg {
    struct edi_buf body;      /* the HTTP body, owned */
    char content_type[256];   /* its Content-Type header value */
    char mic[128];            /* "base64, sha-256": what the receipt must echo ("" for an MDN) */
};
void gw_cms_msg_init(struct gw_cms_msg *m);
void gw_cms_msg_dispose(struct gw_cms_msg *m);

struct gw_cms_build_opts {
    const char *content_type; /* the payload's: "application/edi-x12", "application/edifact",
                                 "application/octet-stream" ...; NULL: application/octet-stream */
    const char *filename;     /* Content-Disposition filename; NULL: none */
    int compress;             /* 1: CompressedData (zlib) before signing */
    enum gw_cms_md sign;      /* GW_MD_NONE: unsigned */
    const struct gw_cms_key *signer;       /* ours, when sign */
    enum gw_cms_cipher encrypt;            /* GW_CIPHER_NONE: not encrypted */
    const struct gw_cms_cert *recipient;   /* the partner's, when encrypt */
    enum gw_cms_md mic_md;    /* MIC digest when unsigned; GW_MD_NONE: SHA-256 */
    size_t max_body;          /* refuse a body larger than this (EDI_ELIMIT); 0: GW_CMS_DEFAULT_MAX */
};

/* Builds the body of an AS2 POST from payload[0 .. n). m is initialised
 * here and the caller disposes of it, whatever the result. EDI_ECONFIG for
 * options that do not fit (signing without a key, a filename with a quote,
 * a content type with a line break), EDI_ELIMIT over max_body, EDI_ERR
 * when OpenSSL fails. */
int gw_cms_build(struct gw_cms_msg *m, const void *payload, size_t n, const struct gw_cms_build_opts *o,
                 struct edi_err *err);

struct gw_cms_open_opts {
    const struct gw_cms_key *const *keys;     /* ours, tried in order to decrypt (rotation) */
    size_t nkeys;
    const struct gw_cms_cert *const *certs;   /* the partner's, any may have signed (rotation) */
    size_t ncerts;
    int require_signed;       /* unsigned: insufficient-message-security */
    int require_encrypted;    /* unencrypted: insufficient-message-security */
    enum gw_cms_md mic_md;    /* MIC digest when unsigned (the first of signed-receipt-micalg
                                 we support); GW_MD_NONE: SHA-256 */
    time_t now;               /* the signer's certificate must be valid then; 0: not checked */
    size_t max_body;          /* bytes of the body and of any decrypted or inflated layer,
                                 and all layers together at most 4 times it (memory);
                                 0: GW_CMS_DEFAULT_MAX */
};

struct gw_cms_in {
    enum gw_cms_fail fail;    /* GW_CMS_FAIL_NONE when opened */
    int was_signed, was_encrypted, was_compressed;
    enum gw_cms_md sig_md;    /* the signature's digest */
    char mic[128];            /* "base64, sha-256", "" when it could not be computed */
    int signer;               /* index in certs of the certificate that verified, or -1 */
    char *payload;            /* the payload, CTE decoded; owned, NUL-terminated (not counted) */
    size_t npayload;
    char content_type[128];   /* the payload's, "application/edi-x12" */
    char filename[256];       /* its Content-Disposition filename, "" when none */
};
void gw_cms_in_dispose(struct gw_cms_in *in);

/* Opens an AS2 body given its HTTP Content-Type. 0 and in filled when it
 * opened; EDI_ESYNTAX with in->fail set (and in->mic when it could be
 * computed, for the negative MDN) when it did not, EDI_ELIMIT (fail:
 * unexpected-processing-error) over max_body; EDI_ERR only for a bug. in is
 * initialised here; dispose of it whatever the result. */
int gw_cms_open(struct gw_cms_in *in, const char *content_type, const void *body, size_t n,
                const struct gw_cms_open_opts *o, struct edi_err *err);

/* An MDN (RFC 8098 with RFC 4130 §7.4): multipart/report with a text part
 * and a message/disposition-notification part, signed when sign is set. */
struct gw_cms_mdn_opts {
    const char *reporting_ua;          /* "wharf/1.0" */
    const char *original_recipient;    /* the AS2-To of the message (ours); NULL: no field */
    const char *final_recipient;       /* the same: SPEC: bis: MUST equal the original AS2-To */
    const char *original_message_id;   /* exactly as received, "<...>" or bare */
    const char *mic;                   /* "base64, sha-256"; NULL: no Received-Content-MIC */
    enum gw_cms_fail fail;             /* NONE: processed */
    const char *warning;               /* "duplicate-document" for processed/warning; NULL */
    const char *text;                  /* the human-readable part; NULL: a default from the rest */
    enum gw_cms_md sign;               /* GW_MD_NONE: unsigned */
    const struct gw_cms_key *signer;
    size_t max_body;                   /* 0: GW_CMS_DEFAULT_MAX */
};
/* EDI_ECONFIG for a field with a line break or control character (an
 * attacker's Message-ID must not add header lines to our receipt). */
int gw_cms_mdn_build(struct gw_cms_msg *m, const struct gw_cms_mdn_opts *o, struct edi_err *err);

struct gw_cms_mdn {
    enum gw_cms_fail fail;    /* why it could not be read or verified; NONE when it was */
    int was_signed;
    int signer;               /* index in certs, or -1 */
    int processed;            /* 1: "processed" without an error or failure modifier */
    char disposition[512];    /* the Disposition value as received */
    char modifier[256];       /* after "processed/": "error: authentication-failed", "warning: ..." */
    char original_message_id[256];
    char final_recipient[256];
    char reporting_ua[256];
    char mic[128];            /* Received-Content-MIC as received, "" when none */
};

/* Reads (and verifies, when signed) an MDN given its Content-Type. 0 when
 * it was read, md filled; EDI_ESYNTAX with md->fail set when it was not
 * (authentication-failed for a bad signature; insufficient-message-security
 * when require_signed and it was not). md is cleared first. */
int gw_cms_mdn_open(struct gw_cms_mdn *md, const char *content_type, const void *body, size_t n,
                    const struct gw_cms_open_opts *o, struct edi_err *err);

/* 1 when two MICs are the same digest with the same algorithm, however
 * spelled ("x, sha-256" = "x,SHA256"); 0 otherwise (and for "" or NULL). */
int gw_cms_mic_eq(const char *a, const char *b);

#endif
