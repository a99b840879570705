/*
 * vault.c — the secrets vault (vault.h), the only file in wharf that uses
 * libsodium: the master key file (read, created, rotated), per-secret keys
 * (crypto_kdf), sealing and opening (XChaCha20-Poly1305), plaintext in
 * sodium's guarded, locked memory.
 *
 * What is not here: the SQL (gateway/store/: table secrets, migration 9),
 * the commands (cli/secrets.c), who may have which secret (the callers).
 * Nothing here logs, and no message carries a value or a key.
 */
#include "gateway/secret/vault.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_BYTES crypto_kdf_KEYBYTES               /* 32 */
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KDF_CONTEXT "wharfsec"                      /* crypto_kdf_CONTEXTBYTES: 8 */
#define KEY_MAGIC "wharf-key v"
/* LIMIT: a partner id or a secret name */
#define ID_MAX 128
/* LIMIT: a key version (the file is text; a version never grows past this) */
#define VERSION_MAX 999999999
/* "wharf-key v999999999 " + 64 hex + "\n" fits */
#define KEY_FILE_MAX 128

_Static_assert(KEY_BYTES == 32, "a master key is 32 bytes");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32, "a secret's key is 32 bytes");

/* A master key, in sodium_malloc'd memory. */
struct key {
    int version;            /* 0: none loaded */
    unsigned char k[KEY_BYTES];
};

struct gw_vault {
    struct gw_store *s;
    char *path;             /* the key file */
    char *new_path;         /* path + ".new": a rotation's new key */
    struct key *cur;        /* the key file's */
    struct key *next;       /* KEY.new's, while a rotation in another process has not renamed it */
};

/* ---- small helpers ------------------------------------------------------------ */

static int sodium_ready(struct edi_err *err)
{
    static int ready;

    if (!ready) {
        if (sodium_init() < 0)
            return edi_fail(err, EDI_ERR, "vault: libsodium does not initialize");
        ready = 1;
    }
    return 0;
}

static struct key *key_new(void)
{
    struct key *k = sodium_malloc(sizeof(*k));

    if (k == NULL)
        abort();            /* out of memory (or of lockable memory): the wrappers' policy */
    k->version = 0;
    return k;
}

static void key_free(struct key *k)
{
    if (k == NULL)
        return;
    sodium_memzero(k, sizeof(*k));
    sodium_free(k);
}

/* 1..ID_MAX of A-Z a-z 0-9 . _ - */
static int id_ok(const char *s)
{
    size_t i;

    if (s == NULL || *s == '\0')
        return 0;
    for (i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i >= ID_MAX)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int ids_ok(const char *partner, const char *name, struct edi_err *err)
{
    if (!id_ok(partner))
        return edi_fail(err, EDI_ESYNTAX,
                        "vault: partner id '%s' is not 1 to %d of A-Z a-z 0-9 . _ -", partner ? partner : "",
                        ID_MAX);
    if (!id_ok(name))
        return edi_fail(err, EDI_ESYNTAX,
                        "vault: secret name '%s' is not 1 to %d of A-Z a-z 0-9 . _ -", name ? name : "",
                        ID_MAX);
    return 0;
}

/* The folder of path, synced, so a rename or a new file in it survives a
 * crash. */
static int sync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n;
    int fd, rc;

    if (slash == NULL) {
        memcpy(dir, ".", 2);
    } else {
        n = slash == path ? 1 : (size_t)(slash - path);
        if (n >= sizeof(dir))
            return -1;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* ---- the key file ------------------------------------------------------------------ */

/* Reads a key file already open (fd), named path in messages: regular,
 * not open to group or others, `wharf-key vN HEX\n`. */
static int key_read_fd(struct key *out, int fd, const char *path, struct edi_err *err)
{
    char buf[KEY_FILE_MAX + 1];
    struct stat st;
    size_t got = 0, i;
    ssize_t r;
    long version = 0;
    const char *p, *hex_end;
    int rc = 0;

    out->version = 0;
    if (fstat(fd, &st) != 0)
        return edi_fail(err, EDI_ECONFIG, "vault: cannot read the master key %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return edi_fail(err, EDI_ECONFIG, "vault: the master key %s is not a regular file", path);
    if (st.st_mode & 077)
        return edi_fail(err, EDI_ECONFIG,
                        "vault: the master key %s is readable by others (mode %04o): chmod 600 %s, "
                        "and rotate it (`wharf secrets rotate`) if others may have read it",
                        path, (unsigned)(st.st_mode & 07777), path);
    while (got < sizeof(buf)) {
        r = read(fd, buf + got, sizeof(buf) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = edi_fail(err, EDI_ECONFIG, "vault: cannot read the master key %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    /* wharf-key vN HEX\n */
    p = buf;
    if (got > KEY_FILE_MAX || got < sizeof(KEY_MAGIC) - 1 || memcmp(p, KEY_MAGIC, sizeof(KEY_MAGIC) - 1) != 0)
        goto bad;
    p += sizeof(KEY_MAGIC) - 1;
    for (i = 0; p < buf + got && *p >= '0' && *p <= '9' && i < 9; i++, p++)
        version = version * 10 + (*p - '0');
    if (i == 0 || version < 1 || p >= buf + got || *p != ' ')
        goto bad;
    p++;
    if ((size_t)(buf + got - p) < 2 * KEY_BYTES)
        goto bad;
    if (sodium_hex2bin(out->k, KEY_BYTES, p, 2 * KEY_BYTES, NULL, &i, &hex_end) != 0 || i != KEY_BYTES ||
        hex_end != p + 2 * KEY_BYTES)
        goto bad;
    p = hex_end;
    if (p < buf + got && *p == '\n')
        p++;
    if (p != buf + got)
        goto bad;
    out->version = (int)version;
    goto out;
bad:
    sodium_memzero(out->k, sizeof(out->k));
    rc = edi_fail(err, EDI_ECONFIG,
                  "vault: %s is not a wharf master key (one line: wharf-key vN and 64 hex digits)", path);
out:
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

static int key_read(struct key *out, const char *path, struct edi_err *err)
{
    int fd, rc;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return edi_fail(err, EDI_ECONFIG,
                            "vault: no master key at %s: `wharf init` creates one "
                            "(WHARF_MASTER_KEY_FILE names another file)",
                            path);
        if (errno == ELOOP)
            return edi_fail(err, EDI_ECONFIG, "vault: the master key %s is a symbolic link; name the file itself",
                            path);
        return edi_fail(err, EDI_ECONFIG, "vault: cannot open the master key %s: %s", path, strerror(errno));
    }
    rc = key_read_fd(out, fd, path, err);
    close(fd);
    return rc;
}

/* Writes k to a new file at path (0600, never over anything, not through
 * a link), synced with its folder. *fd_out, when not NULL, gets the file
 * open and locked (flock, taken before anything is written, so an opening
 * vault never takes it for a rotation's leftover), else it is closed.
 * EDI_EAGAIN with EEXIST in err->sys when a file is there. */
static int key_write(int *fd_out, const char *path, const struct key *k, struct edi_err *err)
{
    char line[KEY_FILE_MAX];
    char hex[2 * KEY_BYTES + 1];
    size_t n, off = 0;
    ssize_t w;
    int fd, rc = 0;

    if (fd_out != NULL)
        *fd_out = -1;
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        rc = edi_fail(err, errno == EEXIST ? EDI_EAGAIN : EDI_ECONFIG, "vault: cannot create the master key %s: %s",
                      path, strerror(errno));
        if (err != NULL)
            err->sys = errno;
        return rc;
    }
    if (fd_out != NULL && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);      /* another process holds it already: not ours to remove */
        return edi_fail(err, EDI_EAGAIN, "vault: %s is held by another process; try again", path);
    }
    sodium_bin2hex(hex, sizeof(hex), k->k, KEY_BYTES);
    n = (size_t)snprintf(line, sizeof(line), KEY_MAGIC "%d %s\n", k->version, hex);
    sodium_memzero(hex, sizeof(hex));
    if (fchmod(fd, 0600) != 0)
        goto fail;
    while (off < n) {
        w = write(fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    sodium_memzero(line, sizeof(line));
    sync_dir_of(path);
    if (fd_out != NULL)
        *fd_out = fd;
    else
        close(fd);
    return 0;
fail:
    rc = edi_fail(err, EDI_EIO, "vault: cannot write the master key %s: %s", path, strerror(errno));
    if (err != NULL)
        err->sys = errno;
    sodium_memzero(line, sizeof(line));
    close(fd);
    unlink(path);
    return rc;
}

int gw_vault_key_path(char *path, size_t cap, const char *workspace, struct edi_err *err)
{
    const char *v = getenv("WHARF_MASTER_KEY_FILE");

    if (v != NULL && *v != '\0')
        return edi_fmt(path, cap, err, "%s", v);
    return edi_fmt(path, cap, err, "%s/secrets.key", workspace);
}

int gw_vault_create_key(const char *path, int *created, struct edi_err *err)
{
    struct key *k;
    int rc;

    *created = 0;
    if ((rc = sodium_ready(err)) < 0)
        return rc;
    k = key_new();
    k->version = 1;
    randombytes_buf(k->k, KEY_BYTES);
    rc = key_write(NULL, path, k, err);
    key_free(k);
    if (rc == EDI_EAGAIN && err != NULL && err->sys == EEXIST) {
        edi_err_clear(err);
        return 0;
    }
    if (rc == 0)
        *created = 1;
    return rc;
}

/* ---- sealing -------------------------------------------------------------------------- */

/* The secret's key: crypto_kdf from the master key, the subkey id the first
 * 8 bytes (little-endian) of BLAKE2b-128 of partner NUL name. */
static void derive(unsigned char sub[KEY_BYTES], const struct key *k, const char *partner, const char *name)
{
    unsigned char in[2 * ID_MAX + 2], h[crypto_generichash_BYTES_MIN];
    size_t np = strlen(partner), nn = strlen(name), i;
    uint64_t id = 0;

    memcpy(in, partner, np);
    in[np] = '\0';
    memcpy(in + np + 1, name, nn);
    crypto_generichash(h, sizeof(h), in, np + 1 + nn, NULL, 0);
    for (i = 0; i < 8; i++)
        id |= (uint64_t)h[i] << (8 * i);
    crypto_kdf_derive_from_key(sub, KEY_BYTES, id, KDF_CONTEXT, k->k);
}

/* The additional data: partner NUL name NUL key version (decimal). */
static size_t ad_of(unsigned char *ad, size_t cap, const char *partner, const char *name, int version)
{
    int n = snprintf((char *)ad, cap, "%s%c%s%c%d", partner, '\0', name, '\0', version);

    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Seals p (n bytes) for partner/name under k into row (its nonce and
 * sealed bytes, malloc'd: ciphertext only). */
static void seal(struct gw_sealed *row, const struct key *k, const char *partner, const char *name,
                 const unsigned char *p, size_t n)
{
    unsigned char sub[KEY_BYTES], ad[2 * ID_MAX + 16];
    size_t nad = ad_of(ad, sizeof(ad), partner, name, k->version);
    unsigned long long clen = 0;

    row->key_version = k->version;
    row->nnonce = NONCE_BYTES;
    row->nonce = edi_xmalloc(NONCE_BYTES);
    randombytes_buf(row->nonce, NONCE_BYTES);
    row->sealed = edi_xmalloc(n + TAG_BYTES);
    derive(sub, k, partner, name);
    crypto_aead_xchacha20poly1305_ietf_encrypt(row->sealed, &clen, p, n, ad, nad, NULL, row->nonce, sub);
    sodium_memzero(sub, sizeof(sub));
    row->nsealed = (size_t)clen;
}

/* Opens row under k into sodium memory: *out, or EDI_ECONFIG. */
static int unseal(struct gw_secret **out, const struct key *k, const struct gw_sealed *row, const char *key_path,
                  struct edi_err *err)
{
    unsigned char sub[KEY_BYTES], ad[2 * ID_MAX + 16];
    size_t nad, n;
    unsigned long long plen = 0;
    struct gw_secret *sec;
    char *p;
    int ok;

    *out = NULL;
    if (row->nonce == NULL || row->nnonce != NONCE_BYTES || row->sealed == NULL || row->nsealed < TAG_BYTES ||
        !id_ok(row->partner) || !id_ok(row->name))
        goto bad;
    n = row->nsealed - TAG_BYTES;
    nad = ad_of(ad, sizeof(ad), row->partner, row->name, row->key_version);
    if ((p = sodium_malloc(n + 1)) == NULL)
        abort();
    derive(sub, k, row->partner, row->name);
    ok = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)p, &plen, NULL, row->sealed, row->nsealed,
                                                    ad, nad, row->nonce, sub) == 0;
    sodium_memzero(sub, sizeof(sub));
    if (!ok) {
        sodium_memzero(p, n + 1);
        sodium_free(p);
        goto bad;
    }
    p[plen] = '\0';
    sec = edi_xmalloc(sizeof(*sec));
    sec->p = p;
    sec->n = (size_t)plen;
    *out = sec;
    return 0;
bad:
    return edi_fail(err, EDI_ECONFIG,
                    "vault: secret %s of %s does not open with the master key %s (version %d): "
                    "the wrong key, or the stored value was changed; set it again",
                    row->name ? row->name : "?", row->partner ? row->partner : "?", key_path, k->version);
}

void gw_secret_free(struct gw_secret *s)
{
    if (s == NULL)
        return;
    if (s->p != NULL) {
        sodium_memzero(s->p, s->n + 1);
        sodium_free(s->p);
    }
    free(s);
}

int gw_secret_random(struct gw_secret **out, size_t nbytes, struct edi_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char rnd[64];
    struct gw_secret *sec;
    char *p;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = sodium_ready(err)) < 0)
        return rc;
    if (nbytes == 0 || nbytes > sizeof(rnd))
        return edi_fail(err, EDI_ERR, "vault: a random token of %zu bytes", nbytes);
    if ((p = sodium_malloc(2 * nbytes + 1)) == NULL)
        abort();
    randombytes_buf(rnd, nbytes);
    for (i = 0; i < nbytes; i++) {
        p[2 * i] = hex[rnd[i] >> 4];
        p[2 * i + 1] = hex[rnd[i] & 15];
    }
    p[2 * nbytes] = '\0';
    sodium_memzero(rnd, sizeof(rnd));
    sec = edi_xmalloc(sizeof(*sec));
    sec->p = p;
    sec->n = 2 * nbytes;
    *out = sec;
    return 0;
}

int gw_secret_equal(const struct gw_secret *s, const char *p, size_t n)
{
    static const char zeros[256];
    volatile int sink;
    int same;

    /* the length is no secret (a token's is fixed); the bytes are compared
     * in constant time, and a token of the wrong length still costs a
     * comparison */
    if (s == NULL || s->n == 0 || s->n > sizeof(zeros)) {
        sink = sodium_memcmp(zeros, zeros, sizeof(zeros));
        (void)sink;
        return 0;
    }
    if (n != s->n) {
        sink = sodium_memcmp(s->p, s->p, s->n);
        (void)sink;
        return 0;
    }
    same = sodium_memcmp(s->p, p, n) == 0;
    return same;
}

int gw_secret_read(struct gw_secret **out, int fd, int line, struct edi_err *err)
{
    const size_t cap = GW_SECRET_MAX + 2;   /* room to see one byte too many after a newline */
    struct gw_secret *sec;
    size_t n = 0;
    ssize_t r;
    char *p;
    int rc;

    *out = NULL;
    if ((rc = sodium_ready(err)) < 0)
        return rc;
    if ((p = sodium_malloc(cap + 1)) == NULL)
        abort();
    while (n < cap) {
        r = read(fd, p + n, line ? 1 : cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = edi_fail(err, EDI_EIO, "vault: cannot read the value: %s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (line && p[n - 1] == '\n')
            break;
    }
    if (n > 0 && p[n - 1] == '\n')
        n--;
    if (n > GW_SECRET_MAX) {
        rc = edi_fail(err, EDI_ELIMIT, "vault: the value is over %d bytes", GW_SECRET_MAX);
        goto fail;
    }
    if (n == 0) {
        rc = edi_fail(err, EDI_ESYNTAX, "vault: the value is empty");
        goto fail;
    }
    p[n] = '\0';
    sec = edi_xmalloc(sizeof(*sec));
    sec->p = p;
    sec->n = n;
    *out = sec;
    return 0;
fail:
    sodium_memzero(p, cap + 1);
    sodium_free(p);
    return rc;
}

/* The key of version: the one loaded, else the key file read again, else
 * KEY.new (a rotation in another process, committed, not renamed yet).
 * EDI_ECONFIG when none has it. */
static int key_for(const struct key **out, struct gw_vault *v, int version, const char *what,
                   struct edi_err *err)
{
    struct edi_err e2;

    *out = NULL;
    if (v->cur->version == version) {
        *out = v->cur;
        return 0;
    }
    if (v->next->version == version) {
        *out = v->next;
        return 0;
    }
    edi_err_clear(&e2);
    if (version > v->cur->version) {
        struct key *k = key_new();

        if (key_read(k, v->path, &e2) == 0 && k->version == version) {
            key_free(v->cur);
            v->cur = k;
            *out = k;
            return 0;
        }
        if (key_read(k, v->new_path, &e2) == 0 && k->version == version) {
            key_free(v->next);
            v->next = k;
            *out = k;
            return 0;
        }
        key_free(k);
    }
    return edi_fail(err, EDI_ECONFIG,
                    "vault: %s is sealed with master key version %d, and %s is version %d: "
                    "it does not open (was the key file replaced?); set it again",
                    what, version, v->path, v->cur->version);
}

/* ---- finishing a rotation ----------------------------------------------------------------- */

/* KEY.new left by a rotation that stopped: when the rows are at its
 * version the transaction committed, so the rename is finished; else the
 * rows are still the old key's and it goes. One that another process
 * holds (a rotation running) is left alone. */
static int finish_rotation(struct gw_vault *v, struct edi_err *err)
{
    struct key *k = NULL;
    struct stat a, b;
    struct edi_err e2;
    int64_t n;
    int fd, lo, hi, rc = 0;

    if ((fd = open(v->new_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return errno == ENOENT ? 0
                               : edi_fail(err, EDI_ECONFIG, "vault: cannot open %s: %s", v->new_path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        goto out;               /* a rotation is running: it finishes its own */
    /* the file is still the one at the path (not renamed or replaced meanwhile) */
    if (fstat(fd, &a) != 0 || stat(v->new_path, &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
        goto out;
    k = key_new();
    edi_err_clear(&e2);
    if ((rc = gw_store_secret_versions(&lo, &hi, &n, v->s, err)) < 0)
        goto out;
    if (key_read_fd(k, fd, v->new_path, &e2) == 0 && n > 0 && hi == k->version) {
        if (rename(v->new_path, v->path) != 0) {
            rc = edi_fail(err, EDI_EIO, "vault: cannot finish the rotation (rename %s to %s): %s", v->new_path,
                          v->path, strerror(errno));
            goto out;
        }
    } else if (unlink(v->new_path) != 0 && errno != ENOENT) {
        rc = edi_fail(err, EDI_EIO, "vault: cannot remove the unused key %s: %s", v->new_path, strerror(errno));
        goto out;
    }
    sync_dir_of(v->path);
out:
    key_free(k);
    close(fd);
    return rc;
}

/* ---- the vault ------------------------------------------------------------------------------ */

int gw_vault_open(struct gw_vault **out, struct gw_store *s, const char *key_path, struct edi_err *err)
{
    struct gw_vault *v;
    size_t n = strlen(key_path);
    int rc;

    *out = NULL;
    if ((rc = sodium_ready(err)) < 0)
        return rc;
    v = edi_xcalloc(1, sizeof(*v));
    v->s = s;
    v->path = edi_xstrdup(key_path);
    v->new_path = edi_xmalloc(n + sizeof(".new"));
    memcpy(v->new_path, key_path, n);
    memcpy(v->new_path + n, ".new", sizeof(".new"));
    v->cur = key_new();
    v->next = key_new();
    if ((rc = finish_rotation(v, err)) < 0 || (rc = key_read(v->cur, v->path, err)) < 0) {
        gw_vault_close(v);
        return rc;
    }
    *out = v;
    return 0;
}

void gw_vault_close(struct gw_vault *v)
{
    if (v == NULL)
        return;
    key_free(v->cur);
    key_free(v->next);
    free(v->path);
    free(v->new_path);
    free(v);
}

int gw_vault_set(struct gw_vault *v, const char *partner, const char *name, const void *value, size_t n,
                 time_t now, struct edi_err *err)
{
    struct gw_sealed row;
    const struct key *k;
    char what[300];
    int64_t count;
    int lo, hi, rc;

    if ((rc = ids_ok(partner, name, err)) < 0)
        return rc;
    if (n == 0)
        return edi_fail(err, EDI_ESYNTAX, "vault: the value of secret %s of %s is empty", name, partner);
    if (n > GW_SECRET_MAX)
        return edi_fail(err, EDI_ELIMIT, "vault: the value of secret %s of %s is %zu bytes, over %d", name, partner,
                        n, GW_SECRET_MAX);
    memset(&row, 0, sizeof(row));
    row.partner = (char *)partner;
    row.name = (char *)name;
    /* under the store's write lock: when a rotation in another process
     * moved the rows to a newer key, seal with that one */
    if ((rc = gw_store_begin(v->s, err)) < 0)
        return rc;
    if ((rc = gw_store_secret_versions(&lo, &hi, &count, v->s, err)) < 0)
        goto out;
    snprintf(what, sizeof(what), "the vault (secrets at version %d)", hi);
    if ((rc = key_for(&k, v, hi > v->cur->version ? hi : v->cur->version, what, err)) < 0)
        goto out;
    seal(&row, k, partner, name, value, n);
    if ((rc = gw_store_secret_put(v->s, &row, now, err)) < 0)
        goto out;
    rc = gw_store_commit(v->s, err);
out:
    if (rc < 0)
        gw_store_rollback(v->s);
    free(row.nonce);
    free(row.sealed);
    return rc;
}

int gw_vault_get(struct gw_vault *v, const char *partner, const char *name, struct gw_secret **out,
                 struct edi_err *err)
{
    struct gw_sealed *row = NULL;
    const struct key *k;
    char what[300];
    int rc;

    *out = NULL;
    if ((rc = ids_ok(partner, name, err)) < 0)
        return rc;
    if ((rc = gw_store_secret_get(&row, v->s, partner, name, err)) < 0) {
        if (rc == EDI_ENOTFOUND)
            edi_fail(err, rc, "vault: no secret %s of %s: set it with `wharf secrets set %s %s` (value on stdin)",
                     name, partner, partner, name);
        return rc;
    }
    snprintf(what, sizeof(what), "secret %s of %s", name, partner);
    if ((rc = key_for(&k, v, row->key_version, what, err)) == 0)
        rc = unseal(out, k, row, v->path, err);
    gw_sealed_free(row, 1);
    return rc;
}

int gw_vault_list(struct gw_vault *v, const char *partner, struct gw_secret_info **out, size_t *n,
                  struct edi_err *err)
{
    struct gw_sealed *rows = NULL;
    struct gw_secret_info *info;
    size_t nrows = 0, i;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = gw_store_secrets(&rows, &nrows, v->s, partner, 1, err)) < 0)
        return rc;
    info = edi_xcalloc(nrows ? nrows : 1, sizeof(*info));
    for (i = 0; i < nrows; i++) {
        info[i].partner = rows[i].partner;
        info[i].name = rows[i].name;
        rows[i].partner = rows[i].name = NULL;
        info[i].key_version = rows[i].key_version;
        info[i].created = rows[i].created;
        info[i].updated = rows[i].updated;
    }
    gw_sealed_free(rows, nrows);
    *out = info;
    *n = nrows;
    return 0;
}

void gw_secret_info_free(struct gw_secret_info *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].name);
    }
    free(v);
}

int gw_vault_delete(struct gw_vault *v, const char *partner, const char *name, struct edi_err *err)
{
    int rc;

    if ((rc = ids_ok(partner, name, err)) < 0)
        return rc;
    rc = gw_store_secret_delete(v->s, partner, name, err);
    if (rc == EDI_ENOTFOUND)
        edi_fail(err, rc, "vault: no secret %s of %s", name, partner);
    return rc;
}

/* ---- rotation ------------------------------------------------------------------------------------ */

/* The test hook (vault.h): 1 when the rotation is to stop after step. */
static int crash_after(const char *step)
{
    const char *v = getenv("WHARF_TEST_ROTATE_CRASH");

    return v != NULL && strcmp(v, step) == 0;
}

static int crashed(const char *step, struct edi_err *err)
{
    return edi_fail(err, EDI_ERR, "vault: rotation stopped after step %s (WHARF_TEST_ROTATE_CRASH)", step);
}

int gw_vault_rotate(size_t *resealed, struct gw_vault *v, time_t now, struct edi_err *err)
{
    struct key *nk = key_new();
    struct gw_sealed *rows = NULL;
    size_t nrows = 0, i;
    int fd = -1, rc, in_tx = 0;

    *resealed = 0;
    if (v->cur->version >= VERSION_MAX) {
        rc = edi_fail(err, EDI_ELIMIT, "vault: the master key is at version %d already", v->cur->version);
        goto out;
    }
    /* 1: the new key, beside the old one, held (flock) while we work */
    nk->version = v->cur->version + 1;
    randombytes_buf(nk->k, KEY_BYTES);
    if ((rc = key_write(&fd, v->new_path, nk, err)) < 0) {
        if (rc == EDI_EAGAIN && err != NULL && err->sys == EEXIST)
            edi_fail(err, rc, "vault: %s exists: another rotation is running; try again when it is done",
                     v->new_path);
        goto out;
    }
    if (crash_after("key-written")) {
        rc = crashed("key-written", err);
        close(fd);
        fd = -1;
        goto out;
    }
    /* 2: every row re-sealed in one transaction */
    if ((rc = gw_store_begin(v->s, err)) < 0)
        goto undo;
    in_tx = 1;
    if ((rc = gw_store_secrets(&rows, &nrows, v->s, NULL, 0, err)) < 0)
        goto undo;
    for (i = 0; i < nrows; i++) {
        struct gw_secret *sec = NULL;
        struct gw_sealed row;
        const struct key *k;
        char what[300];

        snprintf(what, sizeof(what), "secret %s of %s", rows[i].name, rows[i].partner);
        if ((rc = key_for(&k, v, rows[i].key_version, what, err)) < 0 ||
            (rc = unseal(&sec, k, &rows[i], v->path, err)) < 0)
            goto undo;
        memset(&row, 0, sizeof(row));
        row.partner = rows[i].partner;
        row.name = rows[i].name;
        seal(&row, nk, rows[i].partner, rows[i].name, (const unsigned char *)sec->p, sec->n);
        gw_secret_free(sec);
        /* the row keeps its updated time: the value did not change */
        rc = gw_store_secret_put(v->s, &row, rows[i].updated, err);
        free(row.nonce);
        free(row.sealed);
        if (rc < 0)
            goto undo;
    }
    if (crash_after("resealed")) {
        rc = crashed("resealed", err);
        gw_store_rollback(v->s);
        close(fd);
        fd = -1;
        goto out;
    }
    if ((rc = gw_store_commit(v->s, err)) < 0)
        goto undo;
    in_tx = 0;
    if (crash_after("committed")) {
        rc = crashed("committed", err);
        close(fd);
        fd = -1;
        goto out;
    }
    /* 3: the new key replaces the old one */
    if (rename(v->new_path, v->path) != 0) {
        /* the rows are at the new version: the next open renames it */
        rc = edi_fail(err, EDI_EIO, "vault: re-sealed, but cannot rename %s to %s: %s; the next wharf secrets "
                      "command finishes it", v->new_path, v->path, strerror(errno));
        close(fd);
        fd = -1;
        goto out;
    }
    sync_dir_of(v->path);
    close(fd);
    fd = -1;
    key_free(v->cur);
    v->cur = nk;
    nk = NULL;
    *resealed = nrows;
    goto out;
undo:
    if (in_tx)
        gw_store_rollback(v->s);
    unlink(v->new_path);
    sync_dir_of(v->new_path);
    close(fd);
    fd = -1;
out:
    gw_sealed_free(rows, nrows);
    key_free(nk);
    return rc;
}
