/*
 * vault.h — the secrets vault: the only user of libsodium. Credentials
 * (LWA refresh tokens and client secrets, ERP tokens, AS2 keys) are sealed
 * here and nowhere else.
 *
 *   - a 32-byte master key in DIR/secrets.key (mode 0600), or in the file
 *     WHARF_MASTER_KEY_FILE names; `wharf init` creates it;
 *   - each secret's key is derived from the master key with crypto_kdf
 *     (context "wharfsec", subkey id from partner and name);
 *   - each value is sealed with XChaCha20-Poly1305 (a fresh random nonce),
 *     the additional data binding partner, name and key version, so a
 *     sealed value moved to another row, partner or key does not open;
 *   - the sealed values live in the store (table secrets);
 *   - plaintext lives only in a struct gw_secret: locked memory
 *     (sodium_malloc: guarded, mlocked, excluded from core dumps where the
 *     system allows) and zeroed when freed.
 *
 * No function here logs or puts a value in an error message.
 *
 * The key file is one line of text, `wharf-key vN HEX` (N the key version,
 * from 1; HEX the 32 bytes as 64 lowercase hex digits) and a newline.
 * Partner ids and secret names are 1 to 128 of A-Z a-z 0-9 . _ - (the
 * partner "erp" is the ERP's, by convention of the callers).
 *
 * Rotation writes the new key to KEY.new (0600, synced), re-seals every
 * row in one store transaction, then renames KEY.new over KEY. Opening the
 * vault finishes what a crash left: KEY.new is renamed over KEY when the
 * rows are at its version, deleted otherwise. A reader whose rows were
 * re-sealed meanwhile loads the new key (from KEY, or KEY.new until the
 * rename). A set in another process while a rotation runs waits for its
 * transaction (the store's write lock) and seals under the newest key the
 * rows show; with no rows at all there is nothing to show it, so rotate
 * while nothing else sets secrets. Test hook: WHARF_TEST_ROTATE_CRASH=key-written, resealed or
 * committed makes gw_vault_rotate stop as a crash would after that step
 * (EDI_ERR; resealed: the transaction is rolled back).
 */
#ifndef WHARF_SECRET_VAULT_H
#define WHARF_SECRET_VAULT_H

#include "gateway/store/store.h"

#include <stddef.h>
#include <time.h>

struct gw_vault;

/* LIMIT: a secret's value, in bytes. */
#define GW_SECRET_MAX (64 * 1024)

/* A secret's plaintext, NUL-terminated (not counted in n). */
struct gw_secret {
    char *p;
    size_t n;
};

struct gw_secret_info {
    char *partner, *name;
    int key_version;
    time_t created, updated;
};

/* The master key's file: $WHARF_MASTER_KEY_FILE, else WORKSPACE/secrets.key
 * (written to path[cap]). */
int gw_vault_key_path(char *path, size_t cap, const char *workspace, struct edi_err *err);
/* Creates a new master key at path (0600, never over an existing file):
 * 0, or 0 with *created 0 when one is there already. */
int gw_vault_create_key(const char *path, int *created, struct edi_err *err);

/* Opens the vault over a store with the master key at path. EDI_ECONFIG
 * when the key file is missing, unreadable, of the wrong size or readable
 * by others (the message says what to do). */
int gw_vault_open(struct gw_vault **out, struct gw_store *s, const char *key_path,
                  struct edi_err *err);
void gw_vault_close(struct gw_vault *v);

/* Seals value (n bytes) as partner's secret name, replacing an old value:
 * EDI_ESYNTAX for an empty value or a bad partner id or name, EDI_ELIMIT
 * over GW_SECRET_MAX. */
int gw_vault_set(struct gw_vault *v, const char *partner, const char *name, const void *value,
                 size_t n, time_t now, struct edi_err *err);
/* Opens partner's secret name: EDI_ENOTFOUND when there is none (the message
 * names the partner and the secret and says how to set it), EDI_ECONFIG
 * when it does not open (wrong key, tampered row). *out is freed with
 * gw_secret_free. */
int gw_vault_get(struct gw_vault *v, const char *partner, const char *name, struct gw_secret **out,
                 struct edi_err *err);
void gw_secret_free(struct gw_secret *s);
/* A new unguessable token: nbytes (1 to 64) from the system's CSPRNG, as
 * lowercase hex (2 * nbytes characters), in locked memory. */
int gw_secret_random(struct gw_secret **out, size_t nbytes, struct edi_err *err);
/* 1 when p[0..n) is the secret's value, compared in constant time
 * (sodium_memcmp); 0 otherwise, and when s is NULL. */
int gw_secret_equal(const struct gw_secret *s, const char *p, size_t n);
/* Reads a value from fd (to its end, or to the first newline when line is
 * 1: a terminal) straight into locked memory, without one trailing
 * newline: EDI_ESYNTAX when that leaves nothing, EDI_ELIMIT over
 * GW_SECRET_MAX, EDI_EIO when fd does not read. */
int gw_secret_read(struct gw_secret **out, int fd, int line, struct edi_err *err);
/* Names and dates, never values; partner NULL for all, ordered by partner
 * then name. */
int gw_vault_list(struct gw_vault *v, const char *partner, struct gw_secret_info **out, size_t *n,
                  struct edi_err *err);
void gw_secret_info_free(struct gw_secret_info *v, size_t n);
/* EDI_ENOTFOUND when there was none. */
int gw_vault_delete(struct gw_vault *v, const char *partner, const char *name, struct edi_err *err);
/* A new master key: every secret re-sealed under it in one store
 * transaction, then the key file replaced; *resealed: how many. A crash at
 * any point leaves every secret readable (with the old key or the new
 * one). EDI_EAGAIN while another rotation holds KEY.new. */
int gw_vault_rotate(size_t *resealed, struct gw_vault *v, time_t now, struct edi_err *err);

#endif
