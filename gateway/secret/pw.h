/*
 * pw.h — what the HTTP API's users log in with: passwords hashed with
 * argon2id (libsodium's crypto_pwhash_str, its salt and costs in the
 * string), and the random values a client holds (API tokens, session ids)
 * kept in the store only as digests (BLAKE2b, crypto_generichash), so a
 * copy of the store lets no one in. libsodium is this room's: the store
 * and the API call these.
 */
#ifndef WHARF_SECRET_PW_H
#define WHARF_SECRET_PW_H

#include "edi/edi.h"

#include <stddef.h>

/* LIMIT: a password's length in bytes (argon2 takes more; a line read
 * from standard input is capped well before) */
#define GW_PW_MIN 10
#define GW_PW_MAX 1024
/* an argon2id hash string (crypto_pwhash_STRBYTES) with room */
#define GW_PWHASH_MAX 128
/* a digest as hex, with its NUL */
#define GW_DIGEST_HEX 65
/* a random token as hex (32 bytes), with its NUL */
#define GW_TOKEN_HEX 65

/* 0 when p[0..n) may be a password: GW_PW_MIN to GW_PW_MAX bytes, no
 * control characters (a line feed read with it is the caller's to cut);
 * else EDI_ESYNTAX with the rule broken. */
int gw_pw_check(const char *p, size_t n, struct edi_err *err);
/* The argon2id hash string of p[0..n) into out (GW_PWHASH_MAX bytes):
 * EDI_ERR when libsodium cannot (memory). */
int gw_pw_hash(char *out, const char *p, size_t n, struct edi_err *err);
/* 1 when p[0..n) is the password of hash (constant time in what matters:
 * libsodium's verify), 0 otherwise, a malformed hash included. */
int gw_pw_verify(const char *hash, const char *p, size_t n);
/* A new random token (32 bytes from the CSPRNG) as hex. */
void gw_pw_token(char out[GW_TOKEN_HEX]);
/* The digest of a token, as hex: what the store keeps. */
void gw_pw_digest(char out[GW_DIGEST_HEX], const char *p, size_t n);
/* 1 when a and b (NUL-terminated) are equal, in time depending only on
 * their lengths. */
int gw_pw_equal(const char *a, const char *b);

#endif
