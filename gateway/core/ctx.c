/*
 * ctx.c — what one run of the gateway works with (ctx.h): opening the
 * workspace (maps and guides, configuration, store) and the log.
 */
#include "gateway/core/ctx.h"
#include "edi/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void gw_log(struct gw_ctx *c, const char *level, const char *fmt, ...)
{
    char when[32];
    struct tm tm;
    va_list ap;
    struct edi_buf line;
    FILE *f = c->log ? c->log : stderr;

    gmtime_r(&c->now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    edi_buf_init(&line, 0);
    edi_buf_printf(&line, "%s %-5s ", when, level);
    /* SPEC: issue 12 — values from outside (file names, EDI values) are in
     * the message: escaped, so none can forge a line or reach a terminal raw */
    va_start(ap, fmt);
    edi_escape_vline(&line, fmt, ap);
    va_end(ap);
    /* one write per line, so lines of two processes never interleave */
    fwrite(line.p, 1, line.n, f);
    fflush(f);
    edi_buf_dispose(&line);
}

int gw_ctx_open(struct gw_ctx *c, const char *workspace, const char *schemas_dir,
                const char *mappings_dir, struct edi_err *err)
{
    int rc;

    if ((rc = map_engine_new(&c->maps, mappings_dir, schemas_dir, err)) < 0)
        return rc;
    /* the vendor's own cross-references (WORKSPACE/codelists/) come before
     * the installed lists */
    map_engine_set_workspace(c->maps, workspace && *workspace ? workspace : ".");
    /* one guide registry for validation and maps: each guide compiles once */
    c->guides = map_engine_guides(c->maps);
    if ((rc = gw_config_load_with(&c->cfg, workspace, schemas_dir, c->guides, c->maps, err)) < 0)
        goto fail;
    if ((rc = gw_store_open(&c->store, c->cfg->store_path, err)) < 0)
        goto fail;
    return 0;
fail:
    gw_ctx_close(c);
    return rc;
}

void gw_ctx_close(struct gw_ctx *c)
{
    gw_store_close(c->store);
    gw_config_free(c->cfg);
    map_engine_free(c->maps);   /* and the guides it owns */
    c->store = NULL;
    c->cfg = NULL;
    c->maps = NULL;
    c->guides = NULL;
}
