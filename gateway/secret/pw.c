/*
 * pw.c — password hashes and token digests (pw.h), on libsodium.
 */
#include "gateway/secret/pw.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int gw_pw_check(const char *p, size_t n, struct edi_err *err)
{
    size_t i;

    if (n == 0)
        return edi_fail(err, EDI_ESYNTAX, "the password is empty");
    if (n < GW_PW_MIN)
        return edi_fail(err, EDI_ESYNTAX, "the password is too short: %zu characters, at least %d", n, GW_PW_MIN);
    if (n > GW_PW_MAX)
        return edi_fail(err, EDI_ESYNTAX, "the password is too long: more than %d bytes", GW_PW_MAX);
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            return edi_fail(err, EDI_ESYNTAX, "the password has a control character at position %zu", i + 1);
    return 0;
}

int gw_pw_hash(char *out, const char *p, size_t n, struct edi_err *err)
{
    char h[crypto_pwhash_STRBYTES];

    _Static_assert(crypto_pwhash_STRBYTES <= GW_PWHASH_MAX, "GW_PWHASH_MAX");
    if (sodium_init() < 0)
        return edi_fail(err, EDI_ERR, "libsodium does not start");
    /* SPEC: issue 17 — argon2id; the interactive costs (64 MiB, about
     * 0.1 s): a login is answered at once, and a stolen hash still costs
     * that much per guess */
    if (crypto_pwhash_str_alg(h, p, n, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return edi_fail(err, EDI_ERR, "the password could not be hashed (out of memory)");
    memcpy(out, h, sizeof(h));
    return 0;
}

int gw_pw_verify(const char *hash, const char *p, size_t n)
{
    if (hash == NULL || sodium_init() < 0)
        return 0;
    if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return 0;
    return crypto_pwhash_str_verify(hash, p, n) == 0;
}

void gw_pw_token(char out[GW_TOKEN_HEX])
{
    unsigned char b[32];

    if (sodium_init() < 0)
        abort();   /* no randomness: nothing may be handed out */
    randombytes_buf(b, sizeof(b));
    sodium_bin2hex(out, GW_TOKEN_HEX, b, sizeof(b));
    sodium_memzero(b, sizeof(b));
}

void gw_pw_digest(char out[GW_DIGEST_HEX], const char *p, size_t n)
{
    unsigned char d[32];

    if (sodium_init() < 0)
        abort();
    crypto_generichash(d, sizeof(d), (const unsigned char *)p, n, NULL, 0);
    sodium_bin2hex(out, GW_DIGEST_HEX, d, sizeof(d));
}

int gw_pw_equal(const char *a, const char *b)
{
    size_t n = strlen(a);

    if (n != strlen(b))
        return 0;
    return n == 0 || sodium_memcmp(a, b, n) == 0;
}
