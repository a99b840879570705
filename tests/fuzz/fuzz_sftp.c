/*
 * fuzz_sftp.c — SFTP folder listings and private keys (gateway/net/
 * sftp_parse.c): any bytes are read or skipped, never past their end;
 * every entry read has a name a path may hold (not empty, "." or "..", no
 * '/', no control character); the entries written back as OpenSSH long
 * names read again as the same entries.
 */
#include "fuzz.h"
#include "gateway/net/sftp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gw_sftp_entry *v = NULL, *w = NULL;
    size_t n = 0, m = 0, i;
    struct edi_buf b;
    struct edi_err err;
    char type[64];

    gw_sftp_key_type(type, sizeof(type), (const char *)data, size);
    if (gw_sftp_parse_listing(&v, &n, NULL, (const char *)data, size, &err) < 0)
        return 0;
    edi_buf_init(&b, 0);
    for (i = 0; i < n; i++) {
        const char *s = v[i].name;

        if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strchr(s, '/'))
            abort();
        for (; *s; s++)
            if ((unsigned char)*s < 0x20 || *s == 0x7f)
                abort();
        edi_buf_printf(&b, "%c---------    1 u g %llu Jan  1 00:00 %s\n", v[i].type == '?' ? 's' : v[i].type,
                       (unsigned long long)v[i].size, v[i].name);
    }
    if (gw_sftp_parse_listing(&w, &m, NULL, b.p ? b.p : "", b.n, &err) < 0 || m != n)
        abort();
    for (i = 0; i < n; i++)
        /* a link's " -> " ends its name: a name holding one reads shorter */
        if (v[i].type != 'l' && (strcmp(v[i].name, w[i].name) != 0 || v[i].size != w[i].size ||
                                 v[i].type != w[i].type))
            abort();
    gw_sftp_entries_free(v, n);
    gw_sftp_entries_free(w, m);
    edi_buf_dispose(&b);
    return 0;
}
