/*
 * transport.c — the transport kinds wharf has (transport.h), by name.
 */
#include "gateway/transport/transport.h"

#include <string.h>

static const struct gw_transport_type *const kinds[] = {
    &gw_transport_spool,
    &gw_transport_spapi,
    &gw_transport_sftp,
    &gw_transport_as2,
};

const struct gw_transport_type *gw_transport_kind(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i]->name, name ? name : "files") == 0)
            return kinds[i];
    return NULL;
}

int gw_transport_open(const struct gw_transport_type **type, struct gw_transport **t, struct gw_ctx *c,
                      const struct gw_partner *p, struct edi_err *err)
{
    *t = NULL;
    if ((*type = gw_transport_kind(p->transport)) == NULL)
        return edi_fail(err, EDI_ECONFIG, "partner %s: no transport of kind '%s'", p->id, p->transport);
    return (*type)->open(t, c, p, err);
}
