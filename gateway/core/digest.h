/*
 * digest.h — SHA-256 of bytes as hex (OpenSSL's EVP), for what the
 * gateway keeps once: raw inbound and outbound files are known by their
 * digest (gw_store_put_raw, gw_store_receive_raw take it from here). The
 * only user of OpenSSL's digests in gateway/core/.
 */
#ifndef WHARF_DIGEST_H
#define WHARF_DIGEST_H

#include "edi/edi.h"

#include <stddef.h>

/* hex gets the SHA-256 of p[0 .. n) as 64 lowercase hex digits and a
 * '\0' (p may be NULL when n is 0). EDI_ERR when OpenSSL fails (err->sys
 * is its reason code); hex is "" then. */
int gw_sha256_hex(char hex[65], const void *p, size_t n, struct edi_err *err);

#endif
