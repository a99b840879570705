/*
 * map_diff.c — a line-based unified diff (map.h's map_diff), what `wharf
 * map test` prints under a failed case and what the HTTP API's map
 * workbench answers: the longest common subsequence of the lines, with
 * three lines of context around each change, in the form `diff -u` and
 * `patch` read. Nothing here knows about maps or files.
 */
#include "mappings/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* LIMIT: the cells of the LCS table (after the common head and tail are
 * taken off); past it the middle is shown as removed, then added */
#define DIFF_CELLS (2u * 1024 * 1024)
#define DIFF_CONTEXT 3

struct line {
    const char *p;
    size_t n;          /* with its '\n', when it has one */
};

static size_t split(struct line **out, const char *s, size_t n)
{
    struct line *v = NULL;
    size_t k = 0, cap = 0, i = 0;

    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (s + i)) + 1 : n - i;

        if (k == cap) {
            cap = cap ? cap * 2 : 64;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k].p = s + i;
        v[k].n = len;
        k++;
        i += len;
    }
    *out = v;
    return k;
}

static int same(const struct line *a, const struct line *b)
{
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

struct op {
    char kind;         /* ' ', '-', '+' */
    size_t a, b;       /* the line of a (' ', '-') and of b (' ', '+'), from 0 */
};

/* The edit script from a to b: the common head and tail, the LCS of the
 * middle when the table fits, else the middle removed then added. */
static size_t script(struct op **out, const struct line *a, size_t na, const struct line *b, size_t nb)
{
    size_t head = 0, tail = 0, ma, mb, i, j, k = 0;
    struct op *v = edi_xcalloc(na + nb + 1, sizeof(*v));
    uint32_t *t = NULL;

    while (head < na && head < nb && same(&a[head], &b[head]))
        head++;
    while (tail < na - head && tail < nb - head && same(&a[na - 1 - tail], &b[nb - 1 - tail]))
        tail++;
    ma = na - head - tail;
    mb = nb - head - tail;
    for (i = 0; i < head; i++)
        v[k++] = (struct op){' ', i, i};
    if (ma && mb && (ma + 1) <= DIFF_CELLS / (mb + 1))
        t = edi_xcalloc((ma + 1) * (mb + 1), sizeof(*t));
    if (t) {
        /* t[i][j]: the LCS of the middles from line i of a and j of b on */
#define T(x, y) t[(x) * (mb + 1) + (y)]
        for (i = ma; i-- > 0;)
            for (j = mb; j-- > 0;)
                T(i, j) = same(&a[head + i], &b[head + j]) ? T(i + 1, j + 1) + 1
                          : T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
        for (i = 0, j = 0; i < ma || j < mb;) {
            if (i < ma && j < mb && same(&a[head + i], &b[head + j])) {
                v[k++] = (struct op){' ', head + i, head + j};
                i++, j++;
            } else if (j == mb || (i < ma && T(i + 1, j) >= T(i, j + 1))) {
                v[k++] = (struct op){'-', head + i, head + j};
                i++;
            } else {
                v[k++] = (struct op){'+', head + i, head + j};
                j++;
            }
        }
#undef T
        free(t);
    } else {
        for (i = 0; i < ma; i++)
            v[k++] = (struct op){'-', head + i, head};
        for (j = 0; j < mb; j++)
            v[k++] = (struct op){'+', head + ma, head + j};
    }
    for (i = 0; i < tail; i++)
        v[k++] = (struct op){' ', head + ma + i, head + mb + i};
    *out = v;
    return k;
}

/* "-START[,LEN]" as diff -u writes it: an empty side starts at the line before. */
static void range(struct edi_buf *out, char sign, size_t start, size_t len)
{
    if (len == 1)
        edi_buf_printf(out, "%c%zu", sign, start + 1);
    else
        edi_buf_printf(out, "%c%zu,%zu", sign, len ? start + 1 : start, len);
}

int map_diff(struct edi_buf *out, const char *a, size_t na, const char *b, size_t nb, const char *label_a,
             const char *label_b, size_t max_lines)
{
    struct line *la = NULL, *lb = NULL;
    struct op *ops = NULL;
    size_t ka, kb, n, i, lines = 0;
    int differs = 0, cut = 0;

    ka = split(&la, a ? a : "", a ? na : 0);
    kb = split(&lb, b ? b : "", b ? nb : 0);
    n = script(&ops, la, ka, lb, kb);
    for (i = 0; i < n && !differs; i++)
        differs = ops[i].kind != ' ';
    if (differs)
        edi_buf_printf(out, "--- %s\n+++ %s\n", label_a, label_b);
    lines = 2;
    for (i = 0; i < n && !cut;) {
        size_t first, last, k, sa = 0, sb = 0, ca = 0, cb = 0;

        if (ops[i].kind == ' ') {
            i++;
            continue;
        }
        /* a hunk: from 3 lines before this change to 3 after the last
         * change that is no more than 6 unchanged lines from the one before */
        first = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
        last = i;
        for (k = i; k < n; k++) {
            if (ops[k].kind != ' ')
                last = k;
            else if (k - last > 2 * DIFF_CONTEXT)
                break;
        }
        last = last + DIFF_CONTEXT < n ? last + DIFF_CONTEXT : n - 1;
        for (k = first; k <= last; k++) {
            if (ops[k].kind != '+')
                ca++;
            if (ops[k].kind != '-')
                cb++;
        }
        sa = ops[first].a;
        sb = ops[first].b;
        if (max_lines && lines >= max_lines) {
            edi_buf_printf(out, "... (the diff is cut at %zu lines)\n", max_lines);
            break;
        }
        edi_buf_puts(out, "@@ ");
        range(out, '-', sa, ca);
        edi_buf_puts(out, " ");
        range(out, '+', sb, cb);
        edi_buf_puts(out, " @@\n");
        lines++;
        for (k = first; k <= last; k++) {
            const struct line *l = ops[k].kind == '+' ? &lb[ops[k].b] : &la[ops[k].a];

            if (max_lines && lines >= max_lines) {
                edi_buf_printf(out, "... (the diff is cut at %zu lines)\n", max_lines);
                cut = 1;
                break;
            }
            edi_buf_put(out, &ops[k].kind, 1);
            edi_buf_put(out, l->p, l->n);
            if (l->n == 0 || l->p[l->n - 1] != '\n')
                edi_buf_puts(out, "\n\\ No newline at end of file\n");
            lines++;
        }
        i = last + 1;
    }
    free(ops);
    free(la);
    free(lb);
    return differs;
}
