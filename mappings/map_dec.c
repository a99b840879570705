/*
 * map_dec.c — exact decimal arithmetic for maps (money and quantities are
 * never doubles): a decimal is an integer mantissa (GMP) and a scale, the
 * number of digits after the point. Results keep the natural scale, as SQL
 * decimals do: 10.00 * 3 = 30.00, 12.5 + 0.25 = 12.75.
 *
 * The XPath functions that use these are in map_ext.c.
 */
#include "mappings/map.h"

#include <gmp.h>
#include <string.h>

struct dec {
    mpz_t m;
    unsigned scale;
};

/* LIMIT: 60 digits after the point, 200 in all */
#define MAX_SCALE 60
#define MAX_DIGITS 200

/* A decimal's text: blanks, a sign, digits with at most one point, blanks.
 * The integer digits are s[ib..ie), the fraction's s[fb..fb + scale). */
struct dec_text {
    int neg, nonzero;
    size_t ib, ie, fb, scale;
};

static int dec_scan(struct dec_text *t, const char *s)
{
    size_t i = 0, n = 0;
    int dot = 0;

    memset(t, 0, sizeof(*t));
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
        i++;
    if (s[i] == '-' || s[i] == '+')
        t->neg = s[i++] == '-';
    t->ib = t->ie = i;
    for (; s[i]; i++) {
        char c = s[i];

        if (c >= '0' && c <= '9') {
            if (n++ >= MAX_DIGITS)
                return EDI_ESYNTAX;
            t->nonzero |= c != '0';
            if (dot)
                t->scale++;
            else
                t->ie = i + 1;
        } else if (c == '.' && !dot) {
            dot = 1;
            t->fb = i + 1;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            break;
        } else {
            return EDI_ESYNTAX;
        }
    }
    for (; s[i]; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
            return EDI_ESYNTAX;
    return n == 0 || t->scale > MAX_SCALE ? EDI_ESYNTAX : 0;
}

static int dec_parse(struct dec *d, const char *s)
{
    char digits[MAX_DIGITS + 2];
    struct dec_text t;

    if (dec_scan(&t, s) < 0)
        return EDI_ESYNTAX;
    memcpy(digits, s + t.ib, t.ie - t.ib);
    memcpy(digits + (t.ie - t.ib), s + t.fb, t.scale);
    digits[t.ie - t.ib + t.scale] = '\0';
    d->scale = (unsigned)t.scale;
    mpz_init_set_str(d->m, digits, 10);
    if (t.neg)
        mpz_neg(d->m, d->m);
    return 0;
}

static void rescale(struct dec *d, unsigned scale)
{
    if (scale > d->scale) {
        mpz_t p;

        mpz_init(p);
        mpz_ui_pow_ui(p, 10, scale - d->scale);
        mpz_mul(d->m, d->m, p);
        mpz_clear(p);
        d->scale = scale;
    }
}

static int dec_format(char *out, size_t cap, struct dec *d)
{
    char *digits = mpz_get_str(NULL, 10, d->m);
    const char *p = digits;
    size_t len, need, k = 0;
    int neg = *p == '-';
    void (*freefn)(void *, size_t);

    if (neg)
        p++;
    len = strlen(p);
    need = (size_t)neg + (len > d->scale ? len : d->scale + 1) + (d->scale ? 1 : 0) + 1;
    if (need > cap) {
        mp_get_memory_functions(NULL, NULL, &freefn);
        freefn(digits, strlen(digits) + 1);
        return EDI_ELIMIT;
    }
    if (neg && mpz_sgn(d->m) != 0)
        out[k++] = '-';
    if (len <= d->scale) {
        size_t z;

        out[k++] = '0';
        out[k++] = '.';
        for (z = len; z < d->scale; z++)
            out[k++] = '0';
        memcpy(out + k, p, len);
        k += len;
    } else {
        memcpy(out + k, p, len - d->scale);
        k += len - d->scale;
        if (d->scale) {
            out[k++] = '.';
            memcpy(out + k, p + len - d->scale, d->scale);
            k += d->scale;
        }
    }
    out[k] = '\0';
    mp_get_memory_functions(NULL, NULL, &freefn);
    freefn(digits, strlen(digits) + 1);
    return 0;
}

int map_dec_norm(char *out, size_t cap, const char *s)
{
    struct dec_text t;
    size_t k = 0, ib;

    if (dec_scan(&t, s) < 0)
        return EDI_ESYNTAX;
    /* the integer digits without leading zeros ("0" when none are left),
     * the fraction's digits as they are: what dec_format makes of x + 0 */
    for (ib = t.ib; ib < t.ie && s[ib] == '0'; ib++)
        ;
    if ((size_t)t.neg + (t.ie - ib) + 1 + t.scale + 2 > cap)
        return EDI_ELIMIT;
    if (t.neg && t.nonzero)
        out[k++] = '-';
    if (ib == t.ie)
        out[k++] = '0';
    memcpy(out + k, s + ib, t.ie - ib);
    k += t.ie - ib;
    if (t.scale) {
        out[k++] = '.';
        memcpy(out + k, s + t.fb, t.scale);
        k += t.scale;
    }
    out[k] = '\0';
    return 0;
}

int map_dec_op(char *out, size_t cap, const char *a, char op, const char *b)
{
    struct dec x, y;
    int rc;

    if (dec_parse(&x, a) < 0)
        return EDI_ESYNTAX;
    if (dec_parse(&y, b) < 0) {
        mpz_clear(x.m);
        return EDI_ESYNTAX;
    }
    if (op == '*') {
        mpz_mul(x.m, x.m, y.m);
        x.scale += y.scale;
    } else {
        unsigned s = x.scale > y.scale ? x.scale : y.scale;

        rescale(&x, s);
        rescale(&y, s);
        if (op == '+')
            mpz_add(x.m, x.m, y.m);
        else
            mpz_sub(x.m, x.m, y.m);
    }
    rc = x.scale > 2 * MAX_SCALE ? EDI_ELIMIT : dec_format(out, cap, &x);
    mpz_clear(x.m);
    mpz_clear(y.m);
    return rc;
}

int map_dec_round(char *out, size_t cap, const char *a, int places, const char *mode)
{
    struct dec x;
    int rc;

    if (places < 0 || places > MAX_SCALE || dec_parse(&x, a) < 0)
        return EDI_ESYNTAX;
    if ((unsigned)places < x.scale) {
        mpz_t p, q, r, twice;
        int sign = mpz_sgn(x.m), cmp;

        mpz_inits(p, q, r, twice, NULL);
        mpz_ui_pow_ui(p, 10, x.scale - (unsigned)places);
        mpz_abs(x.m, x.m);
        mpz_tdiv_qr(q, r, x.m, p);
        mpz_mul_ui(twice, r, 2);
        cmp = mpz_cmp(twice, p);
        /* SPEC: half-up rounds ties away from zero; half-even to the even digit */
        if (cmp > 0 || (cmp == 0 && (!(mode && strcmp(mode, "half-even") == 0) || mpz_odd_p(q))))
            mpz_add_ui(q, q, 1);
        mpz_set(x.m, q);
        if (sign < 0)
            mpz_neg(x.m, x.m);
        x.scale = (unsigned)places;
        mpz_clears(p, q, r, twice, NULL);
    } else {
        rescale(&x, (unsigned)places);
    }
    rc = dec_format(out, cap, &x);
    mpz_clear(x.m);
    return rc;
}

int map_dec_cmp(const char *a, const char *b, int *rc)
{
    struct dec x, y;
    int c;

    *rc = 0;
    if (dec_parse(&x, a) < 0) {
        *rc = EDI_ESYNTAX;
        return 0;
    }
    if (dec_parse(&y, b) < 0) {
        mpz_clear(x.m);
        *rc = EDI_ESYNTAX;
        return 0;
    }
    rescale(&x, y.scale);
    rescale(&y, x.scale);
    c = mpz_cmp(x.m, y.m);
    mpz_clear(x.m);
    mpz_clear(y.m);
    return c < 0 ? -1 : c > 0;
}
