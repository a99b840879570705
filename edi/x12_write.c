/*
 * x12_write.c — the X12 writer: segments with chosen delimiters into a
 * bounded buffer, trailing empty elements dropped.
 *
 * Which segments to write (997/999/TA1, 855 ...) is decided elsewhere
 * (ack.c, exml.c, the maps); the envelope (ISA/GS ... GE/IEA) is written
 * by envelope.c; control numbers come from the caller.
 */
#include "edi/x12.h"

#include <string.h>

void edi_delims_default(struct edi_delims *d)
{
    d->elem = '*';
    d->comp = '>';
    d->rep = '^';
    d->seg = '~';
}

void edi_writer_init(struct edi_writer *w, struct edi_buf *out,
                     const struct edi_delims *d, const char *suffix)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    if (d)
        w->d = *d;
    else
        edi_delims_default(&w->d);
    w->suffix = suffix ? suffix : "";
}

void edi_w_begin(struct edi_writer *w, const char *id)
{
    edi_buf_puts(w->out, id);
    w->in_seg = 1;
    w->in_comp = 0;
    w->pending_empty = 0;
    w->nel = 0;
}

static void flush_empty(struct edi_writer *w)
{
    for (; w->pending_empty; w->pending_empty--)
        edi_buf_putc(w->out, (char)w->d.elem);
}

void edi_w_el(struct edi_writer *w, struct edi_str v)
{
    w->in_comp = 0;
    w->nel++;
    if (v.n == 0) {
        w->pending_empty++;
        return;
    }
    flush_empty(w);
    edi_buf_putc(w->out, (char)w->d.elem);
    edi_buf_putstr(w->out, v);
}

void edi_w_elc(struct edi_writer *w, const char *v)
{
    edi_w_el(w, edi_str_c(v));
}

void edi_w_el_comp(struct edi_writer *w)
{
    w->nel++;
    w->pending_empty++;
    w->in_comp = 1;
    w->ncomp = 0;
    w->pending_cempty = 0;
}

void edi_w_comp(struct edi_writer *w, struct edi_str v)
{
    size_t k = (size_t)++w->ncomp;

    if (v.n == 0)
        return;
    if (w->pending_cempty == 0) {
        /* the composite's first non-empty component opens the element */
        flush_empty(w);
    }
    for (size_t i = w->pending_cempty ? w->pending_cempty : 1; i < k; i++)
        edi_buf_putc(w->out, (char)w->d.comp);
    w->pending_cempty = k;
    edi_buf_putstr(w->out, v);
}

void edi_w_rep(struct edi_writer *w, struct edi_str v)
{
    flush_empty(w);   /* the element may have been empty: its separator is still pending */
    edi_buf_putc(w->out, (char)w->d.rep);
    edi_buf_putstr(w->out, v);
}

void edi_w_end(struct edi_writer *w)
{
    edi_buf_putc(w->out, (char)w->d.seg);
    edi_buf_puts(w->out, w->suffix);
    w->in_seg = 0;
    w->pending_empty = 0;
    w->nseg++;
}

/* Copies a value, turning the input's component and repetition separators
 * into the writer's. */
static void put_mapped(struct edi_writer *w, struct edi_str v, const struct edi_delims *in)
{
    size_t i, from = 0;

    for (i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        char out;

        if (c == in->comp)
            out = (char)w->d.comp;
        else if (in->rep && c == in->rep)
            out = (char)w->d.rep;
        else
            continue;
        edi_buf_put(w->out, v.p + from, i - from);
        edi_buf_putc(w->out, out);
        from = i + 1;
    }
    edi_buf_put(w->out, v.p + from, v.n - from);
}

void edi_w_seg(struct edi_writer *w, const struct edi_str *el, size_t n,
               const struct edi_delims *in)
{
    size_t i;

    while (n > 0 && el[n].n == 0)
        n--;
    edi_buf_putstr(w->out, el[0]);
    for (i = 1; i <= n; i++) {
        edi_buf_putc(w->out, (char)w->d.elem);
        if (in)
            put_mapped(w, el[i], in);
        else
            edi_buf_putstr(w->out, el[i]);
    }
    edi_buf_putc(w->out, (char)w->d.seg);
    edi_buf_puts(w->out, w->suffix);
    w->nseg++;
}
