/*
 * check.c — drives parse, validation and acknowledgment over one stream
 * (see check.h). Guide choice: --guide, else the base guide for GS08 and
 * ST01. A set whose guide does not exist is rejected with AK5 code 1.
 */
#include "edi/check.h"

#include <stdio.h>
#include <string.h>

struct run {
    const struct edi_check_opts *o;
    struct edi_check_stats *st;
    struct edi_findings val;
    struct edi_where where;
    struct edi_err *err;
    struct edi_x12_parser *p;
    struct edi_ichg *ichg;       /* the current one, to refuse from a GS */
    int fatal;
    struct edi_err why;          /* fatal's reason: the parser writes its own over *err */
    /* the last guide found, by name or by GS08 and ST01: sets of a file
     * mostly share one, and the registry keeps it as long as it lives */
    const struct edi_guide *last;
    char last_id[128], last_version[13], last_set[4];
};

/* Guide gid (NULL: the base guide for the set's GS08 and ST01), from the
 * last lookup when it asks for the same. */
static int guide_of(const struct edi_guide **out, struct run *r, const char *gid,
                    const struct edi_tx *tx, struct edi_err *err)
{
    int rc;

    if (r->last && (gid ? r->last_id[0] && strcmp(gid, r->last_id) == 0
                        : !r->last_id[0] && strcmp(tx->group->version, r->last_version) == 0 &&
                              strcmp(tx->set_id, r->last_set) == 0)) {
        *out = r->last;
        return 0;
    }
    r->last = NULL;
    if (gid)
        rc = edi_guides_get(out, r->o->guides, gid, err);
    else
        rc = edi_guides_for(out, r->o->guides, tx->group->version, tx->set_id, err);
    if (rc == 0 && (gid == NULL || strlen(gid) < sizeof(r->last_id))) {
        r->last = *out;
        snprintf(r->last_id, sizeof(r->last_id), "%s", gid ? gid : "");
        memcpy(r->last_version, tx->group->version, sizeof(r->last_version));
        memcpy(r->last_set, tx->set_id, sizeof(r->last_set));
    }
    return rc;
}

static void report_all(struct run *r, const struct edi_findings *f)
{
    size_t i;

    r->st->findings += f->n + f->dropped;
    if (r->o->report == NULL)
        return;
    for (i = 0; i < f->n; i++)
        r->o->report(r->o->ctx, &f->v[i], &r->where);
    if (f->dropped) {
        struct edi_finding more;

        memset(&more, 0, sizeof(more));
        more.code = "too-many-findings";
        more.level = EDI_LV_SET;
        snprintf(more.msg, sizeof(more.msg), "%zu more findings were not kept", f->dropped);
        r->o->report(r->o->ctx, &more, &r->where);
    }
}

/* An interchange that is not from whom it must be, or not to us: a TA1
 * finding naming both ids, and nothing of it is processed. */
static void refuse(struct run *r, struct edi_ichg *ic, const char *code, const char *ta105,
                   const char *seg, uint16_t el, uint64_t offset, const char *found,
                   const char *want)
{
    struct edi_finding *fd = edi_findings_add(&r->p->ichg_f, code, EDI_LV_INTERCHANGE);

    snprintf(fd->ta1_code, sizeof(fd->ta1_code), "%s", ta105);
    snprintf(fd->seg_id, sizeof(fd->seg_id), "%s", seg);
    fd->el_pos = el;
    fd->offset = offset;
    snprintf(fd->value, sizeof(fd->value), "%s", found);
    edi_finding_msg(fd, "%s%02u '%.40s' is not the expected '%.40s'", seg, el, found, want);
    ic->rejected = 1;
    ic->foreign = 1;
}

static int differs(const char *want, const char *found)
{
    return want != NULL && strcmp(want, found) != 0;
}

static int on_ichg_begin(void *ctx, struct edi_ichg *ic)
{
    struct run *r = ctx;
    const struct edi_party *from = &r->o->from, *to = &r->o->to;

    /* SPEC: X12.5 TA105 005-008: the sender is the partner, the receiver
     * is us (ic's ids are already trimmed of their padding) */
    if (differs(from->qual, ic->sender_qual))
        refuse(r, ic, "unexpected-sender-qualifier", "005", "ISA", 5, ic->offset, ic->sender_qual,
               from->qual);
    if (differs(from->id, ic->sender))
        refuse(r, ic, "unexpected-sender", "006", "ISA", 6, ic->offset, ic->sender, from->id);
    if (differs(to->qual, ic->receiver_qual))
        refuse(r, ic, "unexpected-receiver-qualifier", "007", "ISA", 7, ic->offset,
               ic->receiver_qual, to->qual);
    if (differs(to->id, ic->receiver))
        refuse(r, ic, "unexpected-receiver", "008", "ISA", 8, ic->offset, ic->receiver, to->id);
    r->ichg = ic;
    r->st->interchanges++;
    r->where.ichg = ic;
    r->where.group = NULL;
    r->where.tx = NULL;
    if (r->o->ack)
        edi_ack_ichg_begin(r->o->ack, ic);
    return 0;
}

static int on_group_begin(void *ctx, struct edi_group *g)
{
    struct run *r = ctx;

    r->st->groups++;
    r->where.group = g;
    /* SPEC: X12.5 TA105 024 (invalid interchange content, e.g. a GS): a
     * group from or to someone else refuses its whole interchange */
    if (r->ichg && differs(r->o->from.gs, g->sender))
        refuse(r, r->ichg, "unexpected-group-sender", "024", "GS", 2, g->offset, g->sender,
               r->o->from.gs);
    if (r->ichg && differs(r->o->to.gs, g->receiver))
        refuse(r, r->ichg, "unexpected-group-receiver", "024", "GS", 3, g->offset, g->receiver,
               r->o->to.gs);
    if (r->o->ack)
        edi_ack_group_begin(r->o->ack, g);
    return 0;
}

static int on_tx(void *ctx, struct edi_tx *tx)
{
    struct run *r = ctx;
    const struct edi_guide *g = NULL;
    struct edi_err gerr;
    int found = 1, rc;
    char status = 'A';

    r->st->sets++;
    r->where.tx = tx;
    tx->text = (uint8_t)r->o->text;
    r->where.guide = NULL;
    edi_findings_reset(&r->val);
    if (!r->o->envelope_only && !(tx->ichg && tx->ichg->rejected)) {
        edi_err_clear(&gerr);
        const char *gid = r->o->guide_id;

        if (gid == NULL && r->o->guide_for)
            gid = r->o->guide_for(r->o->ctx, tx->group, tx);
        rc = guide_of(&g, r, gid, tx, &gerr);
        if (rc == EDI_ENOTFOUND && r->o->guide_id == NULL) {
            struct edi_finding *fd = edi_findings_add(&r->val, "set-unsupported", EDI_LV_SET);

            strcpy(fd->set_code, "1");
            strcpy(fd->seg_id, "ST");
            fd->seg_pos = 1;
            fd->el_pos = 1;
            fd->offset = tx->nseg ? tx->seg[0].offset : 0;
            fd->seg_index = tx->nseg ? tx->seg[0].index : 0;
            edi_finding_msg(fd, "no guide for transaction set %s version %.6s (%s)", tx->set_id,
                            tx->group->version, gerr.msg);
            found = 0;
        } else if (rc < 0) {
            /* a broken guide or a wrong --guide is the operator's to fix */
            r->why = gerr;
            r->fatal = rc;
            return rc;
        } else {
            r->where.guide = g;
            if (r->o->guide_id && strcmp(g->set, tx->set_id) != 0) {
                struct edi_finding *fd = edi_findings_add(&r->val, "set-guide-mismatch", EDI_LV_SET);

                strcpy(fd->set_code, "6");
                strcpy(fd->seg_id, "ST");
                fd->seg_pos = 1;
                fd->el_pos = 1;
                edi_finding_msg(fd, "transaction set %s does not match guide %s (set %s)",
                                tx->set_id, g->id, g->set);
                found = 0;
            } else {
                /* a code list the set needs that cannot be read is a
                 * broken guide, as when it compiles */
                if ((rc = edi_validate(&r->val, g, tx, NULL, &gerr)) < 0) {
                    r->why = gerr;
                    r->fatal = rc;
                    return rc;
                }
            }
        }
    }
    report_all(r, &tx->findings);
    report_all(r, &r->val);
    if (edi_findings_errors(&tx->findings) || edi_findings_errors(&r->val) || !found ||
        (tx->ichg && tx->ichg->rejected))
        status = 'R';
    if (r->o->ack && !(tx->ichg && tx->ichg->rejected))
        status = edi_ack_tx(r->o->ack, tx, &r->val, found);
    if (status == 'A')
        r->st->accepted++;
    else
        r->st->rejected++;
    if (r->o->set && (rc = r->o->set(r->o->ctx, tx, &r->val, &r->where, status)) < 0)
        return rc;
    r->where.tx = NULL;
    return 0;
}

static int on_group_end(void *ctx, struct edi_group *g, const struct edi_findings *env)
{
    struct run *r = ctx;

    report_all(r, env);
    if (r->o->ack && !r->where.ichg->rejected)
        edi_ack_group_end(r->o->ack, g, env);
    r->where.group = NULL;
    return 0;
}

static int on_ichg_end(void *ctx, struct edi_ichg *ic, const struct edi_findings *env)
{
    struct run *r = ctx;

    report_all(r, env);
    if (r->o->ack)
        edi_ack_ichg_end(r->o->ack, ic, env);
    r->where.ichg = NULL;
    r->ichg = NULL;
    return 0;
}

static void setup(struct run *r, struct edi_x12_parser *p, struct edi_check_stats *st,
                  const struct edi_check_opts *o, struct edi_err *err)
{
    struct edi_x12_handler h = {
        .ctx = r,
        .ichg_begin = on_ichg_begin,
        .group_begin = on_group_begin,
        .tx = on_tx,
        .group_end = on_group_end,
        .ichg_end = on_ichg_end,
    };

    memset(r, 0, sizeof(*r));
    memset(st, 0, sizeof(*st));
    r->o = o;
    r->st = st;
    r->err = err;
    r->p = p;
    edi_findings_init(&r->val, o->lim ? o->lim->max_findings : 1000);
    edi_x12_parser_init(p, o->lim, &h);
}

static int finish(struct run *r, struct edi_x12_parser *p, int rc)
{
    r->st->bytes = p->tok.base + p->tok.len;
    if (rc == 0 || rc == EDI_ESYNTAX) {
        r->where = (struct edi_where){0};
        report_all(r, &p->stream_f);
        if (r->o->ack)
            edi_ack_stream(r->o->ack, &p->stream_f);
        r->st->rejected += p->stream_f.n > 0 && r->st->sets == 0;
        rc = 0;
    }
    if (r->fatal) {
        rc = r->fatal;
        if (r->err)
            *r->err = r->why;
    }
    edi_findings_dispose(&r->val);
    edi_x12_parser_dispose(p);
    return rc;
}

int edi_check_file(struct edi_check_stats *st, const char *path, const struct edi_check_opts *o,
                   struct edi_err *err)
{
    struct run r;
    struct edi_x12_parser p;

    setup(&r, &p, st, o, err);
    return finish(&r, &p, edi_x12_parse_file(&p, path, err));
}

int edi_check_mem(struct edi_check_stats *st, const char *data, size_t n,
                  const struct edi_check_opts *o, struct edi_err *err)
{
    struct run r;
    struct edi_x12_parser p;
    int rc;

    setup(&r, &p, st, o, err);
    rc = edi_x12_parse_mem(&p, data, n, err);
    return finish(&r, &p, rc);
}
