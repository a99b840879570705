/*
 * fuzz_cms.c — AS2 bodies and MDNs (gateway/net/cms.h, mime.h) from any
 * bytes. The input is a Content-Type line, then the body. It is opened as
 * a message and as an MDN (no keys and no certificates: encrypted and
 * signed layers are parsed by OpenSSL and refused, compressed and MIME
 * layers are opened all the way), and read by the MIME primitives. A
 * message that opens is rebuilt compressed and must open again to the same
 * payload and type; a failure always names its disposition modifier.
 */
#include "fuzz.h"
#include "gateway/net/cms.h"
#include "gateway/net/mime.h"

#include <stdlib.h>
#include <string.h>

static void primitives(const char *body, size_t n)
{
    struct gw_mime_entity e;
    struct edi_buf b;
    size_t k;

    edi_buf_init(&b, 1u << 20);
    gw_b64_decode(&b, body, n, NULL);
    edi_buf_dispose(&b);
    if (gw_mime_entity_parse(&e, body, n, NULL) < 0)
        return;
    if (e.head.p + e.head.n != e.body.p || e.body.p + e.body.n != body + n)
        abort();
    for (k = 0; k < e.nh; k++) {
        char name[64], v[GW_MIME_MAX_VALUE];
        struct gw_mime_ct ct;
        struct edi_str parts[GW_MIME_MAX_PARTS];
        size_t np = 0, j;

        if (e.h[k].name.n >= sizeof(name))
            continue;
        memcpy(name, e.h[k].name.p, e.h[k].name.n);
        name[e.h[k].name.n] = '\0';
        if (gw_mime_get(v, sizeof(v), &e, name) < 0 || gw_mime_ct_parse(&ct, v, NULL) < 0 ||
            gw_mime_ct_param(&ct, "boundary") == NULL)
            continue;
        if (gw_mime_multipart(parts, GW_MIME_MAX_PARTS, &np, e.body, gw_mime_ct_param(&ct, "boundary"), NULL) < 0)
            continue;
        for (j = 0; j < np; j++)
            if (parts[j].p < e.body.p || parts[j].p + parts[j].n > e.body.p + e.body.n)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size), *body;
    struct gw_cms_open_opts oo;
    struct gw_cms_in in;
    struct gw_cms_mdn md;
    char ct[1024];
    size_t n;
    int rc;

    if (nl == NULL || (size_t)(nl - (const char *)data) >= sizeof(ct))
        return 0;
    memcpy(ct, data, (size_t)(nl - (const char *)data));
    ct[nl - (const char *)data] = '\0';
    body = nl + 1;
    n = size - (size_t)(body - (const char *)data);
    memset(&oo, 0, sizeof(oo));
    oo.max_body = 1u << 20;
    rc = gw_cms_open(&in, ct, body, n, &oo, NULL);
    if ((rc == 0) != (in.fail == GW_CMS_FAIL_NONE) || (rc < 0 && in.payload != NULL))
        abort();
    if (rc == 0) {
        struct gw_cms_build_opts bo;
        struct gw_cms_msg m;
        struct gw_cms_in again;

        if (in.payload == NULL || in.payload[in.npayload] != '\0' || in.mic[0] == '\0')
            abort();
        memset(&bo, 0, sizeof(bo));
        bo.content_type = in.content_type;
        bo.compress = 1;
        if (gw_cms_build(&m, in.payload, in.npayload, &bo, NULL) == 0) {
            if (gw_cms_open(&again, m.content_type, m.body.p, m.body.n, &oo, NULL) != 0 ||
                again.npayload != in.npayload || memcmp(again.payload, in.payload, in.npayload) != 0 ||
                strcmp(again.content_type, in.content_type) != 0 || strcmp(again.mic, m.mic) != 0)
                abort();
            gw_cms_in_dispose(&again);
        }
        gw_cms_msg_dispose(&m);
    }
    gw_cms_in_dispose(&in);
    rc = gw_cms_mdn_open(&md, ct, body, n, &oo, NULL);
    if ((rc == 0) != (md.fail == GW_CMS_FAIL_NONE) || (rc == 0 && md.disposition[0] == '\0'))
        abort();
    primitives(body, n);
    return 0;
}
