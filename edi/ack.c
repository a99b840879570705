/*
 * ack.c — builds 997 / 999 / TA1 from findings (see ack.h). The codes in
 * the findings were chosen where the problem was found (x12_parse.c,
 * guide.c); this file only lays them out as the standard orders them.
 */
#include "edi/ack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ctl_next(void *ctx, char kind, uint64_t *out)
{
    struct edi_ctl_counter *c = ctx;
    int i = kind == 'I' ? 0 : kind == 'G' ? 1 : 2;

    *out = c->next[i]++;
    return 0;
}

void edi_ctl_counter_init(struct edi_ctl_counter *c, struct edi_ctlsrc *src, uint64_t start)
{
    c->next[0] = c->next[1] = c->next[2] = start ? start : 1;
    src->next = ctl_next;
    src->ctx = c;
}

void edi_ack_init(struct edi_ack *a, const struct edi_ack_opts *o)
{
    struct tm tm;

    memset(a, 0, sizeof(*a));
    a->o = *o;
    if (a->o.suffix == NULL)
        a->o.suffix = "\n";
    edi_buf_init(&a->out, 0);
    edi_buf_init(&a->groups, 0);
    edi_buf_init(&a->sets, 0);
    gmtime_r(&a->o.now, &tm);
    snprintf(a->date6, sizeof(a->date6), "%02u%02u%02u", (unsigned)tm.tm_year % 100u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
    strftime(a->time4, sizeof(a->time4), "%H%M", &tm);
    edi_delims_default(&a->d);
}

void edi_ack_dispose(struct edi_ack *a)
{
    edi_buf_dispose(&a->out);
    edi_buf_dispose(&a->groups);
    edi_buf_dispose(&a->sets);
    free(a->gv);
}

static uint64_t next_ctl(struct edi_ack *a, char kind)
{
    uint64_t v = 0;

    if (a->o.ctl.next && a->o.ctl.next(a->o.ctl.ctx, kind, &v) < 0)
        a->rc = EDI_EAGAIN;
    return v;
}

static void w_on(struct edi_ack *a, struct edi_buf *b)
{
    /* a line end after a terminator that is itself a line end would make
     * empty segments */
    edi_writer_init(&a->w, b, &a->d, a->d.seg == '\n' || a->d.seg == '\r' ? "" : a->o.suffix);
}

void edi_ack_ichg_begin(struct edi_ack *a, const struct edi_ichg *ic)
{
    edi_buf_reset(&a->groups);
    a->ngroups_out = 0;
    a->d = ic->d;
    if (a->d.rep == 0)
        a->d.rep = '^';
}

void edi_ack_group_begin(struct edi_ack *a, const struct edi_group *g)
{
    edi_buf_reset(&a->sets);
    a->nsetseg = 0;
    a->nsets = a->naccepted = 0;
    a->v5010 = a->o.type == EDI_ACK_999 ||
               (a->o.type != EDI_ACK_997 && strncmp(g->version, "005", 3) >= 0);
}

static void el_pos(struct edi_ack *a, char *buf, size_t cap, const struct edi_finding *f)
{
    char comp = (char)a->d.comp;

    /* SPEC: AK401 / IK401 is the composite C030: element>component>repetition */
    if (f->rep_pos)
        snprintf(buf, cap, "%u%c%u%c%u", f->el_pos, comp, f->comp_pos, comp, f->rep_pos);
    else if (f->comp_pos)
        snprintf(buf, cap, "%u%c%u", f->el_pos, comp, f->comp_pos);
    else
        snprintf(buf, cap, "%u", f->el_pos);
}

/* The bad value, cleaned of our delimiters so it cannot break the ack. */
static void safe_value(struct edi_ack *a, char *dst, size_t cap, const char *v)
{
    size_t i, n = 0;

    for (i = 0; v[i] && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x20 || c >= 0x7f || c == a->d.elem || c == a->d.comp || c == a->d.rep ||
            c == a->d.seg)
            continue;
        dst[n++] = (char)c;
    }
    dst[n] = '\0';
}

static void write_segment_notes(struct edi_ack *a, const struct edi_findings *f)
{
    uint32_t last_pos = 0;
    char last_id[4] = "";
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++) {
        const struct edi_finding *fd = &f->v[i];
        char pos[16], buf[24], val[40];

        if (fd->level != EDI_LV_SEGMENT && fd->level != EDI_LV_ELEMENT)
            continue;
        if (fd->level == EDI_LV_SEGMENT || fd->seg_pos != last_pos ||
            strcmp(fd->seg_id, last_id) != 0) {
            edi_w_begin(&a->w, a->v5010 ? "IK3" : "AK3");
            edi_w_elc(&a->w, fd->seg_id);
            snprintf(pos, sizeof(pos), "%u", fd->seg_pos);
            edi_w_elc(&a->w, pos);
            edi_w_elc(&a->w, fd->loop_id);
            edi_w_elc(&a->w, fd->level == EDI_LV_SEGMENT ? fd->seg_code : "8");
            edi_w_end(&a->w);
            last_pos = fd->seg_pos;
            snprintf(last_id, sizeof(last_id), "%s", fd->seg_id);
            if (fd->level == EDI_LV_SEGMENT) {
                last_pos = 0;   /* the next element note opens its own AK3 */
                continue;
            }
        }
        edi_w_begin(&a->w, a->v5010 ? "IK4" : "AK4");
        el_pos(a, buf, sizeof(buf), fd);
        edi_w_elc(&a->w, buf);
        edi_w_elc(&a->w, fd->el_ref);
        edi_w_elc(&a->w, fd->el_code);
        safe_value(a, val, sizeof(val), fd->value);
        edi_w_elc(&a->w, val);
        edi_w_end(&a->w);
    }
}

char edi_ack_tx(struct edi_ack *a, const struct edi_tx *tx, const struct edi_findings *val,
                int guide_found)
{
    const char *codes[5];
    size_t ncodes = 0, i;
    int errors = 0;
    char st = 'A';

    a->nsets++;
    for (i = 0; i < tx->findings.n; i++) {
        const struct edi_finding *fd = &tx->findings.v[i];

        if (fd->severity == EDI_SEV_ERROR)
            errors++;
        if (fd->set_code[0] && ncodes < 5) {
            size_t k;

            for (k = 0; k < ncodes && strcmp(codes[k], fd->set_code) != 0; k++)
                ;
            if (k == ncodes)
                codes[ncodes++] = fd->set_code;
        }
    }
    if (!guide_found && ncodes < 5) {
        codes[ncodes++] = "1";
        errors++;
    }
    if (val && edi_findings_errors(val)) {
        int segment_errors = val->dropped > 0;

        errors++;
        for (i = 0; i < val->n; i++) {
            const struct edi_finding *fd = &val->v[i];

            if (fd->severity != EDI_SEV_ERROR)
                continue;
            if (fd->level == EDI_LV_SEGMENT || fd->level == EDI_LV_ELEMENT)
                segment_errors = 1;
            else if (fd->set_code[0] && ncodes < 5) {
                size_t k;

                for (k = 0; k < ncodes && strcmp(codes[k], fd->set_code) != 0; k++)
                    ;
                if (k == ncodes)
                    codes[ncodes++] = fd->set_code;
            }
        }
        if (segment_errors && ncodes < 5)
            codes[ncodes++] = "5";
    }
    if (errors)
        st = 'R';
    else
        a->naccepted++;
    w_on(a, &a->sets);
    edi_w_begin(&a->w, "AK2");
    edi_w_elc(&a->w, tx->set_id);
    edi_w_elc(&a->w, tx->control);
    if (a->v5010)
        edi_w_elc(&a->w, tx->impl);
    edi_w_end(&a->w);
    write_segment_notes(a, &tx->findings);
    write_segment_notes(a, val);
    edi_w_begin(&a->w, a->v5010 ? "IK5" : "AK5");
    edi_w_elc(&a->w, (char[]){st, 0});
    for (i = 0; i < ncodes; i++)
        edi_w_elc(&a->w, codes[i]);
    edi_w_end(&a->w);
    a->nsetseg += a->w.nseg;
    return st;
}

/* An inbound envelope value made safe to echo: our delimiters and control
 * bytes become '?', so an odd inbound ISA cannot break the ack. */
static const char *echo(struct edi_ack *a, char *buf, size_t cap, const char *v)
{
    size_t i;

    for (i = 0; v[i] && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)v[i];

        buf[i] = (c < 0x20 || c == 0x7f || c == a->d.elem || c == a->d.comp || c == a->d.rep ||
                  c == a->d.seg)
                     ? '?'
                     : (char)c;
    }
    buf[i] = '\0';
    return buf;
}

void edi_ack_group_end(struct edi_ack *a, const struct edi_group *g,
                       const struct edi_findings *env)
{
    const char *codes[5];
    size_t ncodes = 0, i;
    uint64_t gsctl, stctl, declared = a->nsets;
    char num[24], st;
    struct edi_buf *b = &a->groups;
    struct edi_ack_group *h;
    uint32_t nseg_before;

    if (a->o.type == EDI_ACK_TA1)
        return;
    /* X12: a functional acknowledgment (GS01 FA: 997, 999) is never
     * acknowledged itself; its problems go to the log and the TA1 */
    if (strcmp(g->func_id, "FA") == 0) {
        edi_buf_reset(&a->sets);
        a->nsetseg = 0;
        return;
    }
    for (i = 0; env && i < env->n && ncodes < 5; i++) {
        size_t k;

        if (!env->v[i].group_code[0])
            continue;
        for (k = 0; k < ncodes && strcmp(codes[k], env->v[i].group_code) != 0; k++)
            ;
        if (k == ncodes)
            codes[ncodes++] = env->v[i].group_code;
    }
    for (i = 0; env && i < env->n; i++)
        if (strcmp(env->v[i].code, "ge-count") == 0)
            edi_str_to_u64(&declared, edi_str_c(env->v[i].value));
    if (a->naccepted == a->nsets && a->nsets > 0)
        st = ncodes ? 'E' : 'A';
    else if (a->naccepted > 0)
        st = 'P';
    else
        st = 'R';
    gsctl = next_ctl(a, 'G');
    stctl = next_ctl(a, 'S');
    if (a->ngroups_out == a->gcap) {
        a->gcap = a->gcap ? a->gcap * 2 : 4;
        a->gv = edi_xrealloc(a->gv, a->gcap * sizeof(*a->gv));
    }
    h = &a->gv[a->ngroups_out];
    memset(h, 0, sizeof(*h));
    /* the ack goes back the way the group came: its GS03 is our GS02 */
    echo(a, h->sender, sizeof(h->sender), g->receiver);
    echo(a, h->receiver, sizeof(h->receiver), g->sender);
    /* our own GS08 is always a real version, whatever the inbound one was */
    if (a->v5010)
        snprintf(h->version, sizeof(h->version), "005010X231A1");
    else if (strlen(g->version) >= 6 && strspn(g->version, "0123456789") >= 6)
        snprintf(h->version, sizeof(h->version), "%s", g->version);
    else
        snprintf(h->version, sizeof(h->version), "004010");
    h->control = gsctl;
    h->off = b->n;
    w_on(a, b);
    nseg_before = a->w.nseg;
    edi_w_begin(&a->w, "ST");
    edi_w_elc(&a->w, a->v5010 ? "999" : "997");
    snprintf(num, sizeof(num), "%04llu", (unsigned long long)stctl);
    edi_w_elc(&a->w, num);
    if (a->v5010)
        edi_w_elc(&a->w, "005010X231A1");
    edi_w_end(&a->w);
    edi_w_begin(&a->w, "AK1");
    edi_w_elc(&a->w, g->func_id);
    edi_w_elc(&a->w, g->control);
    if (a->v5010)
        edi_w_elc(&a->w, g->version);
    edi_w_end(&a->w);
    /* the set blocks were written by their own writer, which counted them */
    edi_buf_put(b, a->sets.p, a->sets.n);
    a->w.nseg += a->nsetseg;
    a->nsetseg = 0;
    edi_w_begin(&a->w, "AK9");
    edi_w_elc(&a->w, (char[]){st, 0});
    snprintf(num, sizeof(num), "%llu", (unsigned long long)declared);
    edi_w_elc(&a->w, num);
    snprintf(num, sizeof(num), "%u", a->nsets);
    edi_w_elc(&a->w, num);
    snprintf(num, sizeof(num), "%u", a->naccepted);
    edi_w_elc(&a->w, num);
    for (i = 0; i < ncodes; i++)
        edi_w_elc(&a->w, codes[i]);
    edi_w_end(&a->w);
    edi_w_begin(&a->w, "SE");
    snprintf(num, sizeof(num), "%u", a->w.nseg - nseg_before + 1);
    edi_w_elc(&a->w, num);
    snprintf(num, sizeof(num), "%04llu", (unsigned long long)stctl);
    edi_w_elc(&a->w, num);
    edi_w_end(&a->w);
    h->n = b->n - h->off;
    a->ngroups_out++;
    edi_buf_reset(&a->sets);
}

static int digits(const char *v, size_t n)
{
    return strlen(v) == n && strspn(v, "0123456789") == n;
}

/* An ISA id of the ack: the configured one when there is one (an
 * interchange not addressed to us, or unreadable, is still answered from
 * us to the partner), else the inbound one echoed, else the fallback. */
static const char *party(struct edi_ack *a, char *buf, size_t cap, const char *configured,
                         const char *inbound, const char *fallback)
{
    if (configured && configured[0])
        return echo(a, buf, cap, configured);
    return inbound ? echo(a, buf, cap, inbound) : fallback;
}

/* A failure of the envelope writer: kept, the first one wins. */
static void failed(struct edi_ack *a, int rc, const struct edi_err *e)
{
    if (a->rc == 0) {
        a->rc = rc;
        a->err = *e;
    }
}

/* The interchange around an ack, from us to the partner. */
struct ack_env {
    char sq[8], sid[64], rq[8], rid[64];
    struct edi_env e;
};

static void env_of(struct ack_env *x, struct edi_ack *a, const struct edi_ichg *ic, uint64_t ctl)
{
    memset(x, 0, sizeof(*x));
    x->e.from.qual = party(a, x->sq, sizeof(x->sq), a->o.us.qual,
                           ic ? ic->receiver_qual : NULL, "ZZ");
    x->e.from.id = party(a, x->sid, sizeof(x->sid), a->o.us.id,
                         ic ? ic->receiver : NULL, "UNKNOWN");
    x->e.to.qual = party(a, x->rq, sizeof(x->rq), a->o.them.qual,
                         ic ? ic->sender_qual : NULL, "ZZ");
    x->e.to.id = party(a, x->rid, sizeof(x->rid), a->o.them.id,
                       ic ? ic->sender : NULL, "UNKNOWN");
    /* echo the inbound version only when it is one we read */
    x->e.version = ic && digits(ic->version, 5) && strcmp(ic->version, "00200") >= 0 &&
                           strcmp(ic->version, "00801") <= 0
                       ? ic->version
                       : "00401";
    x->e.d = a->d;
    x->e.suffix = a->o.suffix;
    x->e.now = a->o.now;
    x->e.usage = ic && ic->usage[0] == 'T' ? 'T' : 'P';
    x->e.control = ctl;
}

static void ta1(struct edi_ack *a, const struct edi_ichg *ic, const struct edi_findings *env,
                int rejected)
{
    const char *code = "000";
    char st = 'A';
    size_t i;
    uint64_t ctl = next_ctl(a, 'I');
    struct ack_env x;
    struct edi_buf seg;
    struct edi_err e;
    int rc;

    for (i = 0; env && i < env->n; i++) {
        if (env->v[i].ta1_code[0]) {
            code = env->v[i].ta1_code;
            st = rejected ? 'R' : 'E';
            break;
        }
    }
    edi_buf_init(&seg, 0);
    w_on(a, &seg);
    edi_w_begin(&a->w, "TA1");
    /* SPEC: TA101-TA103 echo ISA13, ISA09, ISA10; where those are not what
     * they must be, the note code says so and our values stand in */
    edi_w_elc(&a->w, ic && digits(ic->control, 9) ? ic->control : "000000000");
    edi_w_elc(&a->w, ic && digits(ic->date, 6) ? ic->date : a->date6);
    edi_w_elc(&a->w, ic && digits(ic->time, 4) ? ic->time : a->time4);
    edi_w_elc(&a->w, (char[]){st, 0});
    edi_w_elc(&a->w, code);
    edi_w_end(&a->w);
    env_of(&x, a, ic, ctl);
    x.e.ta1 = (struct edi_str){seg.p, seg.n};
    edi_err_clear(&e);
    if ((rc = edi_envelope_write(&a->out, &x.e, NULL, 0, &e)) < 0)
        failed(a, rc, &e);
    edi_buf_dispose(&seg);
}

/* The interchange of the ack groups made for one inbound interchange. */
static void groups_out(struct edi_ack *a, const struct edi_ichg *ic)
{
    uint64_t ctl = next_ctl(a, 'I');
    struct edi_env_group *gv = edi_xcalloc(a->ngroups_out, sizeof(*gv));
    struct edi_str *sets = edi_xcalloc(a->ngroups_out, sizeof(*sets));
    struct ack_env x;
    struct edi_err e;
    uint32_t i;
    int rc;

    for (i = 0; i < a->ngroups_out; i++) {
        const struct edi_ack_group *h = &a->gv[i];

        sets[i] = (struct edi_str){a->groups.p + h->off, h->n};
        gv[i] = (struct edi_env_group){.func_id = "FA", .sender = h->sender,
                                       .receiver = h->receiver, .version = h->version,
                                       .control = h->control, .sets = &sets[i], .nsets = 1};
    }
    env_of(&x, a, ic, ctl);
    edi_err_clear(&e);
    if ((rc = edi_envelope_write(&a->out, &x.e, gv, a->ngroups_out, &e)) < 0)
        failed(a, rc, &e);
    free(gv);
    free(sets);
}

void edi_ack_ichg_end(struct edi_ack *a, const struct edi_ichg *ic,
                      const struct edi_findings *env)
{
    int due = (env && env->n > 0) || a->o.ta1_always || a->o.type == EDI_ACK_TA1 ||
              strcmp(ic->ack_requested, "1") == 0;

    if (due)
        ta1(a, ic, env, ic->rejected);
    if (!ic->rejected && a->ngroups_out > 0 && a->o.type != EDI_ACK_TA1)
        groups_out(a, ic);
    edi_buf_reset(&a->groups);
    a->ngroups_out = 0;
}

void edi_ack_stream(struct edi_ack *a, const struct edi_findings *env)
{
    if (env && env->n > 0) {
        edi_delims_default(&a->d);
        ta1(a, NULL, env, 1);
    }
}
