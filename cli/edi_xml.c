/*
 * edi_xml.c — `wharf edi to-xml|from-xml` (X12 to EDI-XML and back, edi/exml.c)
 * and the guide registry of the full program: the part of the edi commands
 * that needs libxml2, which the wharf front (front.c) does not link.
 */
#include "edi/exml.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_edi_guides(struct edi_guides **out, const char *schema_dir, struct edi_err *err)
{
    return edi_guides_new(out, schema_dir, err);
}

/* ---- to-xml / from-xml ---------------------------------------------------------------- */

int gw_edi_to_xml(int argc, char **argv)
{
    struct gw_edi_args a;
    struct edi_guides *guides = NULL;
    struct edi_err err;
    int rc;

    if ((rc = gw_edi_args(&a, argc, argv, "to-xml", 1, 0, 0)) != 0)
        return rc;
    if ((rc = gw_edi_open_guides(&guides)) != 0)
        return rc;
    edi_err_clear(&err);
    rc = edi_x12_to_xml(stdout, a.file, guides, a.guide, EDI_TEXT_UTF8_LATIN1, &err);
    if (rc < 0) {
        gw_errorf("%s", err.msg);
        return gw_edi_exit_for(rc);
    }
    return GW_EXIT_OK;
}

int gw_edi_from_xml(int argc, char **argv)
{
    struct gw_edi_args a;
    struct edi_buf out;
    struct edi_err err;
    int rc;

    if ((rc = gw_edi_args(&a, argc, argv, "from-xml", 0, 0, 0)) != 0)
        return rc;
    edi_buf_init(&out, 0);
    edi_err_clear(&err);
    rc = edi_xml_to_x12(&out, a.file, &err);
    if (rc < 0) {
        edi_buf_dispose(&out);
        gw_errorf("%s: %s", a.file, err.msg);
        return rc == EDI_ESYNTAX ? GW_EXIT_REJECTED : gw_edi_exit_for(rc);
    }
    fwrite(out.p, 1, out.n, stdout);
    edi_buf_dispose(&out);
    return GW_EXIT_OK;
}
