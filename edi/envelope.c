/*
 * envelope.c — the one X12 envelope writer (envelope.h): ISA, the groups'
 * GS and GE around the caller's sets, IEA. Every value is checked before a
 * byte is written, so a refused interchange leaves nothing behind and
 * takes no control number.
 *
 * The sets (ST ... SE) are written by their owners: ack.c, exml.c.
 */
#include "edi/envelope.h"

#include <stdio.h>
#include <string.h>

/* What a value may not hold: the delimiters in force (the repetition
 * separator only from 00402 on, where ISA11 declares it) and control bytes. */
static int check_value(const struct edi_env *e, int rep_in_use, const char *field, const char *v,
                       size_t max, struct edi_err *err)
{
    size_t i, n = v ? strlen(v) : 0;

    if (n > max)
        return edi_fail(err, EDI_ECONFIG, "%s '%.60s' is %zu characters, at most %zu fit", field, v,
                        n, max);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x20 || c == 0x7f || c == e->d.elem || c == e->d.comp || c == e->d.seg ||
            (rep_in_use && c == e->d.rep))
            return edi_fail(err, EDI_ECONFIG,
                            "%s '%.60s' holds byte 0x%02x, a delimiter or control byte",
                            field, v, c);
    }
    return 0;
}

static int required(const char *field, const char *v, struct edi_err *err)
{
    if (v == NULL || v[0] == '\0')
        return edi_fail(err, EDI_ERR, "%s is missing", field);
    return 0;
}

/* A control number given, or the next one from the source; either must
 * fit its nine digits. */
static int control(uint64_t *out, const struct edi_env *e, uint64_t given, char kind,
                   const char *field, struct edi_err *err)
{
    int rc;

    *out = given;
    if (given == 0) {
        if (e->ctl.next == NULL)
            return edi_fail(err, EDI_ERR, "%s: no control number given and no source", field);
        if ((rc = e->ctl.next(e->ctl.ctx, kind, out)) < 0)
            return edi_fail(err, rc, "%s: the control-number source failed", field);
    }
    /* LIMIT: EDI_ENV_CONTROL_MAX; a wider number would not fit, and cutting
     * it would repeat an earlier one */
    if (*out == 0 || *out > EDI_ENV_CONTROL_MAX)
        return edi_fail(err, EDI_ELIMIT, "%s %llu is not 1 to 9 digits", field,
                        (unsigned long long)*out);
    return 0;
}

/* One ISA field at its fixed width, padded with spaces (checked to fit). */
static void fixed(struct edi_buf *out, const struct edi_env *e, const char *v, size_t width)
{
    size_t n = v ? strlen(v) : 0;

    edi_buf_putc(out, (char)e->d.elem);
    edi_buf_put(out, v, n);
    for (; n < width; n++)
        edi_buf_putc(out, ' ');
}

static int check_group(const struct edi_env *e, const struct edi_env_group *g, int rep_in_use,
                       struct edi_err *err)
{
    const char *sender = g->sender ? g->sender : e->from.gs ? e->from.gs : e->from.id;
    const char *receiver = g->receiver ? g->receiver : e->to.gs ? e->to.gs : e->to.id;
    size_t i;
    int rc;

    /* SPEC: X12 GS01 ID 2/2, GS02/GS03 AN 2/15, GS08 AN 1/12 */
    if ((rc = required("GS01", g->func_id, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "GS01", g->func_id, 2, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "GS02", sender, 15, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "GS03", receiver, 15, err)) < 0 ||
        (rc = required("GS08", g->version, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "GS08", g->version, 12, err)) < 0)
        return rc;
    for (i = 0; i < g->nsets; i++) {
        struct edi_str s = g->sets[i];

        if (s.n < 3 || s.p[0] != 'S' || s.p[1] != 'T' || (unsigned char)s.p[2] != e->d.elem)
            return edi_fail(err, EDI_ERR, "GS %s: set %zu does not begin with ST%c", g->func_id,
                            i + 1, (char)e->d.elem);
    }
    return 0;
}

int edi_envelope_write(struct edi_buf *out, const struct edi_env *e,
                       const struct edi_env_group *groups, size_t ngroups,
                       struct edi_err *err)
{
    const char *version = e->version ? e->version : "00401";
    const char *suffix = e->suffix ? e->suffix : "";
    char usage[2] = {e->usage ? e->usage : 'P', '\0'};
    char isa13[16], num[24], date6[8], date8[16], time4[8];
    char rep[2] = {(char)(e->d.rep ? e->d.rep : 'U'), '\0'}, comp[2] = {(char)e->d.comp, '\0'};
    size_t start = out->n, i, k;
    uint64_t isactl;
    struct edi_writer w;
    struct tm tm;
    int rep_in_use, rc;

    /* SPEC: X12 00401 ISA11 is the standards identifier U; from 00402 on
     * the repetition separator */
    rep_in_use = strcmp(version, "00402") >= 0 && e->d.rep != 0;
    if (!rep_in_use)
        rep[0] = 'U';
    /* a line end after a terminator that is itself a line end would make
     * empty segments */
    if (e->d.seg == '\n' || e->d.seg == '\r')
        suffix = "";
    /* SPEC: X12 ISA05/07 ID 2/2, ISA06/08 AN 15/15, ISA12 ID 5/5 */
    if ((rc = check_value(e, rep_in_use, "ISA05", e->from.qual, 2, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "ISA06", e->from.id, 15, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "ISA07", e->to.qual, 2, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "ISA08", e->to.id, 15, err)) < 0 ||
        (rc = check_value(e, rep_in_use, "ISA12", version, 5, err)) < 0)
        return rc;
    if (strlen(version) != 5 || strspn(version, "0123456789") != 5)
        return edi_fail(err, EDI_ECONFIG, "ISA12 '%s' is not a 5-digit version", version);
    if (strchr("PTI", usage[0]) == NULL)
        return edi_fail(err, EDI_ECONFIG, "ISA15 '%c' must be P, T or I", usage[0]);
    for (i = 0; i < ngroups; i++)
        if ((rc = check_group(e, &groups[i], rep_in_use, err)) < 0)
            return rc;
    if ((rc = control(&isactl, e, e->control, 'I', "ISA13", err)) < 0)
        return rc;
    snprintf(isa13, sizeof(isa13), "%09llu", (unsigned long long)isactl);
    gmtime_r(&e->now, &tm);
    snprintf(date6, sizeof(date6), "%02u%02u%02u", (unsigned)tm.tm_year % 100u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
    strftime(date8, sizeof(date8), "%Y%m%d", &tm);
    strftime(time4, sizeof(time4), "%H%M", &tm);

    /* SPEC: X12 ISA: 16 fixed-width elements, 106 bytes with its terminator */
    edi_buf_puts(out, "ISA");
    fixed(out, e, "00", 2);
    fixed(out, e, "", 10);
    fixed(out, e, "00", 2);
    fixed(out, e, "", 10);
    fixed(out, e, e->from.qual, 2);
    fixed(out, e, e->from.id, 15);
    fixed(out, e, e->to.qual, 2);
    fixed(out, e, e->to.id, 15);
    fixed(out, e, date6, 6);
    fixed(out, e, time4, 4);
    fixed(out, e, rep, 1);
    fixed(out, e, version, 5);
    fixed(out, e, isa13, 9);
    fixed(out, e, e->ack_requested ? "1" : "0", 1);
    fixed(out, e, usage, 1);
    fixed(out, e, comp, 1);
    edi_buf_putc(out, (char)e->d.seg);
    edi_buf_puts(out, suffix);
    edi_buf_putstr(out, e->ta1);

    edi_writer_init(&w, out, &e->d, suffix);
    for (i = 0; i < ngroups; i++) {
        const struct edi_env_group *g = &groups[i];
        uint64_t gsctl;

        if ((rc = control(&gsctl, e, g->control, 'G', "GS06", err)) < 0)
            goto out;
        snprintf(num, sizeof(num), "%llu", (unsigned long long)gsctl);
        edi_w_begin(&w, "GS");
        edi_w_elc(&w, g->func_id);
        edi_w_elc(&w, g->sender ? g->sender : e->from.gs ? e->from.gs : e->from.id);
        edi_w_elc(&w, g->receiver ? g->receiver : e->to.gs ? e->to.gs : e->to.id);
        edi_w_elc(&w, date8);
        edi_w_elc(&w, time4);
        edi_w_elc(&w, num);
        edi_w_elc(&w, "X");
        edi_w_elc(&w, g->version);
        edi_w_end(&w);
        for (k = 0; k < g->nsets; k++)
            edi_buf_putstr(out, g->sets[k]);
        edi_w_begin(&w, "GE");
        {
            char count[24];

            snprintf(count, sizeof(count), "%zu", g->nsets);
            edi_w_elc(&w, count);
        }
        edi_w_elc(&w, num);
        edi_w_end(&w);
    }
    edi_w_begin(&w, "IEA");
    snprintf(num, sizeof(num), "%zu", ngroups);
    edi_w_elc(&w, num);
    edi_w_elc(&w, isa13);
    edi_w_end(&w);
    if (out->err)
        rc = edi_fail(err, EDI_ELIMIT,
                      "interchange %s: the output is over its maximum of %zu bytes", isa13,
                      out->max);
out:
    if (rc < 0)
        out->n = start;
    return rc;
}
