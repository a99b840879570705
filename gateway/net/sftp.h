/*
 * sftp.h — wharf's SFTP client, on libcurl's SFTP (libssh2): list a
 * folder, download a file whole, upload under a temporary name then
 * rename, remove and rename. The transport (transport/sftp.c) decides what
 * to take and when to delete; this is only the wire, with its rules in one
 * place:
 *
 *   - key authentication only, from a private key FILE the caller wrote
 *     (libssh2 reads keys from files); no password, no agent;
 *   - the server's host key is always checked against a known_hosts file
 *     (OpenSSH's format): an unknown key or a changed one refuses the
 *     connection, and the message names the host, the key type and its
 *     SHA256 fingerprint (as `ssh-keygen -l` prints it);
 *   - timeouts: connect, whole transfer, low speed;
 *   - one easy handle keeps its SSH session between operations;
 *   - one log line per operation (what, where, how long), never a key.
 *
 * Remote paths: "/download" is from the server's root, "download" (no
 * leading slash) from the login folder.
 *
 * The listing parser and the key type reader (sftp_parse.c) use no
 * library, so the fuzz targets link them alone.
 */
#ifndef WHARF_NET_SFTP_H
#define WHARF_NET_SFTP_H

#include "gateway/core/ctx.h"

#include <stddef.h>
#include <stdint.h>

struct gw_sftp;

struct gw_sftp_opts {
    const char *host;          /* a name or an address (IPv6 without brackets) */
    int port;                  /* 0: 22 */
    const char *user;
    const char *key_file;      /* the private key, OpenSSH or PEM, no passphrase */
    const char *known_hosts;   /* OpenSSH known_hosts; required */
    const char *key_type;      /* gw_sftp_key_type's, for the message when it is refused; NULL: "" */
    long connect_timeout_ms;   /* 0: 15 s */
    long timeout_ms;           /* one operation; 0: 300 s */
    long low_speed_seconds;    /* slower than 1 byte/s for this long fails; 0: 30 s */
    size_t max_file;           /* bytes a download may have; 0: 64 MiB */
};

/* One entry of a folder listing. */
struct gw_sftp_entry {
    char *name;                /* never "", ".", "..", never a '/' or a control character */
    char type;                 /* '-' a regular file, 'd' a folder, 'l' a link, '?' other */
    uint64_t size;
};

/* A client for one server. EDI_ECONFIG when host, user, key_file or
 * known_hosts is missing or a file cannot be read (the message says
 * which). Nothing is sent before the first operation. */
int gw_sftp_new(struct gw_sftp **out, struct gw_ctx *c, const struct gw_sftp_opts *o, struct edi_err *err);
void gw_sftp_free(struct gw_sftp *s);

/* What every operation returns: 0 done; EDI_EAGAIN the server could not
 * be reached or the connection broke (retry later); EDI_ECONFIG an
 * operator must act (the host key is unknown or changed, the key was
 * refused, the folder does not exist or is not ours to read); EDI_ENOTFOUND
 * the file is not there (get, remove, rename); EDI_ELIMIT a file over
 * max_file. err names the host and what to fix, never a key. */

/* The entries of folder dir (without "." and ".."), in the server's order.
 * *out is freed with gw_sftp_entries_free. */
int gw_sftp_list(struct gw_sftp_entry **out, size_t *n, struct gw_sftp *s, const char *dir,
                 struct edi_err *err);
void gw_sftp_entries_free(struct gw_sftp_entry *v, size_t n);
/* The whole file dir/name into *data (NUL-terminated, not counted; the
 * caller's to free) and its modification time (0 when the server gave
 * none). A transfer cut short is EDI_EAGAIN and returns nothing: a
 * download is restarted whole, never resumed into a partial file. */
int gw_sftp_get(char **data, size_t *n, time_t *mtime, struct gw_sftp *s, const char *dir, const char *name,
                struct edi_err *err);
/* bytes to dir/NAME: written to dir/.NAME.part (created or truncated: what
 * a crash left there is overwritten), then renamed to dir/NAME, replacing
 * a NAME there (the same message sent before its sending was recorded).
 * The partner never sees a part of NAME. */
int gw_sftp_put(struct gw_sftp *s, const char *dir, const char *name, const void *bytes, size_t n,
                struct edi_err *err);
/* The temporary name gw_sftp_put uploads NAME under: ".NAME.part". */
int gw_sftp_part_name(char *out, size_t cap, const char *name);
/* Removes dir/name. */
int gw_sftp_remove(struct gw_sftp *s, const char *dir, const char *name, struct edi_err *err);
/* Renames dir/name to to_dir/to_name (a NAME there is not replaced: the
 * server refuses, EDI_EAGAIN). */
int gw_sftp_rename(struct gw_sftp *s, const char *dir, const char *name, const char *to_dir, const char *to_name,
                   struct edi_err *err);

/* The SHA256 fingerprint of a raw SSH public key blob, as OpenSSH prints
 * it: "SHA256:" and the base64 of the digest without padding; the blob's
 * type name to type[tcap] ("" when unreadable). */
void gw_sftp_fingerprint(char *out, size_t cap, char *type, size_t tcap, const unsigned char *blob, size_t n);

/* ---- sftp_parse.c: no library ------------------------------------------ */

/* LIMIT: entries one listing may have. */
#define GW_SFTP_MAX_ENTRIES 100000

/* A folder listing as libcurl gives it (one `ls -l` line per entry, the
 * server's "longname": TYPE+MODE LINKS OWNER GROUP SIZE MONTH DAY
 * TIME-OR-YEAR NAME, a link's " -> TARGET" after it). Lines that are not
 * such an entry, ".", "..", and names holding a '/' or a control
 * character are skipped and counted in *skipped (may be NULL). EDI_ELIMIT
 * over GW_SFTP_MAX_ENTRIES. */
int gw_sftp_parse_listing(struct gw_sftp_entry **out, size_t *n, size_t *skipped, const char *text, size_t len,
                          struct edi_err *err);
/* The algorithm of a private key (OpenSSH "BEGIN OPENSSH PRIVATE KEY" or
 * PEM "BEGIN RSA/EC/PRIVATE KEY"): "ssh-ed25519", "ssh-rsa",
 * "ecdsa-sha2-nistp256" ...; "" when the text is none of these (written
 * to out[cap]); 1 when the key is protected by a passphrase, else 0. */
int gw_sftp_key_type(char *out, size_t cap, const char *key, size_t n);

#endif
