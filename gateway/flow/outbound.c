/*
 * outbound.c — map, envelope, check and queue one outbound X12 document
 * (outbound.h). The interchange is written once (edi/envelope.h), and the
 * guide checks those very bytes before they are queued.
 */
#include "gateway/flow/outbound.h"

#include "edi/envelope.h"
#include "gateway/docs/mapdoc.h"
#include "edi/guide.h"
#include "edi/x12.h"

#include <stdio.h>
#include <string.h>

/* The version the result is written in: its guide's (the map names it on
 * the <transaction>), else the partner's. */
static void version_of(char v[7], struct gw_ctx *c, const struct gw_partner *p, const struct gw_cdoc *out)
{
    char name[256];
    const struct edi_guide *g = NULL;
    struct edi_err e;

    snprintf(v, 7, "%s", p->x12_version ? p->x12_version : "004010");
    if (gw_cdoc_root_attr(name, sizeof(name), out, "guide") &&
        edi_guides_get(&g, c->guides, name, &e) == 0 && g && g->version[0])
        snprintf(v, 7, "%s", g->version);
}

/* The map or the guide said no: EDI_ESYNTAX, with at least one finding. */
static int refused(struct edi_findings *f, const char *map, int rc, const struct edi_err *err)
{
    if (f->n == 0) {
        struct edi_finding *fd = edi_findings_add(f, "map-refused", EDI_LV_SET);

        edi_finding_msg(fd, "%s: %s", map, rc < 0 ? err->msg : "refused");
    }
    return EDI_ESYNTAX;
}

/* SPEC: issue 14 — a partner whose map for the flow writes JSON (an SP-API
 * partner's *-to-spapi map) gets the JSON, checked against the map's
 * model (map_check_output) before it is queued: a body that fails is not
 * sent and the findings say why. No envelope and no control numbers; the
 * document row is matched by the transaction id the send keeps. */
static int queue_json(struct gw_queued *q, struct gw_ctx *c, const struct gw_partner *p,
                      const struct gw_outbound *o, const struct map_info *m, struct gw_cdoc *out,
                      struct edi_findings *f, struct edi_err *err)
{
    struct edi_buf json;
    int rc;

    edi_buf_init(&json, 0);
    if ((rc = gw_cdoc_check_output(c->maps, m, out, f, err)) == EDI_ESYNTAX ||
        (rc == 0 && edi_findings_errors(f))) {
        rc = refused(f, m->name, rc, err);
        goto out;
    }
    if (rc < 0 || (rc = gw_cdoc_render(&json, out, 0, err)) < 0)
        goto out;
    if ((rc = edi_fmt(q->name, sizeof(q->name), err, "%s-%s-%s.json", p->id, o->kind, o->ref)) < 0)
        goto out;
    for (char *s = q->name; *s; s++)
        if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20)
            *s = '_';
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto out;
    if ((rc = gw_store_outbox_add(&q->outbox_id, c->store, p->id, o->kind, q->name, json.p, json.n, c->now,
                                  err)) < 0 ||
        (rc = gw_store_add_document(&q->document_id, c->store, 0, p->id, "outbound", o->kind, NULL, NULL, o->ref,
                                    "queued", NULL, c->now, err)) < 0 ||
        (rc = gw_store_document_outbox(c->store, q->document_id, q->outbox_id, err)) < 0) {
        gw_store_rollback(c->store);
        goto out;
    }
    rc = gw_store_commit(c->store, err);
out:
    if (rc < 0)
        q->outbox_id = q->document_id = 0;
    edi_buf_dispose(&json);
    return rc;
}

int gw_queue_x12(struct gw_queued *q, struct gw_ctx *c, const struct gw_partner *p,
                 const struct gw_outbound *o, const struct gw_cdoc *doc, struct edi_findings *f,
                 struct edi_err *err)
{
    const struct gw_map_ref *ref;
    const struct map_info *m;
    struct gw_cdoc *out = NULL;
    struct map_run_opts opts;
    struct edi_buf set, ichg;
    struct edi_delims dl;
    char ctl[16], gsn[24], isan[16], isav[6];
    int rc, level = 0;

    memset(q, 0, sizeof(*q));
    edi_buf_init(&set, 0);
    edi_buf_init(&ichg, 0);
    if ((ref = gw_partner_map(p, o->flow)) == NULL)
        return edi_fail(err, EDI_ENOTFOUND, "partner %s has no %s map", p->id, o->flow);
    if ((rc = map_find(&m, c->maps, ref->name, p->id, err)) < 0)
        goto out;
    memset(&opts, 0, sizeof(opts));
    opts.partner = p->id;
    opts.params = p->params;
    opts.nparams = p->nparams;
    opts.now = c->now;
    rc = gw_cdoc_map(&out, c->maps, m, doc, &opts, f, err);
    if (rc == 0 && m->out == MAP_JSON) {
        rc = queue_json(q, c, p, o, m, out, f, err);
        goto out;
    }
    /* SPEC: issue 11 §2 — only characters the partner can read leave: put
     * the values in its character set first, so the guide checks what is sent */
    if (rc == 0)
        rc = gw_cdoc_text_x12(out, (enum edi_text_out)p->text_out, f);
    if (rc == EDI_ESYNTAX || (rc == 0 && edi_findings_errors(f))) {
        rc = refused(f, ref->name, rc, err);
        goto out;
    }
    if (rc < 0)
        goto out;
    version_of(q->version, c, p, out);
    /* SPEC: DESIGN.md — control numbers are taken in the transaction that
     * queues. In a level of our own: a refusal below gives them back, so a
     * refused document takes none. */
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto out;
    level = 1;
    if ((rc = gw_store_next_control(&q->isa, c->store, p->id, 'I', err)) < 0 ||
        (rc = gw_store_next_control(&q->gs, c->store, p->id, 'G', err)) < 0 ||
        (rc = gw_store_next_control(&q->st, c->store, p->id, 'S', err)) < 0)
        goto out;
    snprintf(ctl, sizeof(ctl), "%04llu", (unsigned long long)(q->st % 1000000000ULL));
    snprintf(gsn, sizeof(gsn), "%llu", (unsigned long long)q->gs);
    snprintf(isan, sizeof(isan), "%09llu", (unsigned long long)q->isa);
    /* ISA12 is the version's first five digits: 00401, 00501 */
    snprintf(isav, sizeof(isav), "%.5s", q->version);
    edi_delims_default(&dl);
    /* written once: these bytes are what the guide checks and what is queued */
    rc = gw_cdoc_x12(&set, out, &dl, ctl, err);
    if (rc == 0) {
        struct edi_str one = {set.p, set.n};
        struct edi_env env = {
            .from = {c->cfg->vendor_isa_qualifier, c->cfg->vendor_isa_id, c->cfg->vendor_gs_id},
            .to = {p->isa_qualifier, p->isa_id, p->gs_id},
            .version = isav,
            .d = dl,
            .suffix = "\n",
            .now = c->now,
            .usage = p->usage == 'T' ? 'T' : 'P',
            .ack_requested = p->ta1,
            .control = q->isa,
        };
        struct edi_env_group g = {.func_id = o->func_id, .version = q->version,
                                  .control = q->gs, .sets = &one, .nsets = 1};

        rc = edi_envelope_write(&ichg, &env, &g, 1, err);
    }
    if (rc == 0)
        rc = gw_cdoc_check_sent(c->maps, m, out, (struct edi_str){ichg.p, ichg.n}, f, err);
    if (rc == EDI_ESYNTAX || (rc == 0 && edi_findings_errors(f))) {
        rc = refused(f, ref->name, rc, err);
        goto out;
    }
    if (rc < 0)
        goto out;
    /* the name is the file's in outbound/: a cut one could be another
     * message's (two long refs alike in their first 200 characters) */
    if ((rc = edi_fmt(q->name, sizeof(q->name), err, "%s-%s-%s-%s.edi", p->id, o->kind, o->ref,
                      isan)) < 0)
        goto out;
    /* a file name from a PO or shipment id: nothing that leaves the folder */
    for (char *s = q->name; *s; s++)
        if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20)
            *s = '_';
    if ((rc = gw_store_outbox_add(&q->outbox_id, c->store, p->id, o->kind, q->name, ichg.p, ichg.n,
                                  c->now, err)) < 0)
        goto out;
    /* the document row the partner's 997/999 is matched to (GS06, ST02) */
    if ((rc = gw_store_add_document(&q->document_id, c->store, 0, p->id, "outbound", o->kind, gsn,
                                    ctl, o->ref, "queued", NULL, c->now, err)) < 0 ||
        (rc = gw_store_document_outbox(c->store, q->document_id, q->outbox_id, err)) < 0)
        goto out;
    level = 0;
    rc = gw_store_commit(c->store, err);
out:
    if (level)
        gw_store_rollback(c->store);
    if (rc < 0) {
        q->isa = q->gs = q->st = 0;   /* given back, or never taken */
        q->outbox_id = q->document_id = 0;
    }
    edi_buf_dispose(&set);
    edi_buf_dispose(&ichg);
    gw_cdoc_free(out);
    return rc;
}
