/*
 * digest.c — SHA-256 as hex through OpenSSL's EVP (digest.h). Nothing
 * else: what a digest is used for is the caller's (the store keeps raw
 * bytes by it).
 */
#include "gateway/core/digest.h"

#include <openssl/err.h>
#include <openssl/evp.h>

int gw_sha256_hex(char hex[65], const void *p, size_t n, struct edi_err *err)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;

    hex[0] = '\0';
    if (EVP_Digest(n > 0 ? p : "", n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        unsigned long e = ERR_get_error();
        const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;
        int rc = edi_fail(err, EDI_ERR, "SHA-256 failed: %s", why ? why : "unknown");

        if (err != NULL)
            err->sys = (int)ERR_GET_REASON(e);
        ERR_clear_error();
        return rc;
    }
    for (i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    return 0;
}
