/*
 * dec.c — exact decimals on int64 units (dec.h). Overflow is caught with
 * the compiler's checked arithmetic and turns into a sticky flag.
 */
#include "gateway/docs/dec.h"

#include <string.h>

static const int64_t pow10_tab[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

static struct gw_dec bad(int flag)
{
    return (struct gw_dec){0, 0, flag};
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct gw_dec gw_dec_parsen(const char *s, size_t n, int empty_ok)
{
    struct gw_dec d = {0, 0, 0};
    size_t i = 0;
    int neg = 0, dot = 0, any = 0;

    if (s == NULL)
        n = 0;
    while (i < n && blank(s[i]))
        i++;
    if (i == n)
        return empty_ok ? d : bad(GW_DEC_ESYNTAX);
    if (s[i] == '-' || s[i] == '+')
        neg = s[i++] == '-';
    for (; i < n && !blank(s[i]); i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            any = 1;
            if (dot && d.scale == GW_DEC_MAX_SCALE)
                d.err |= GW_DEC_ERANGE;
            else if (__builtin_mul_overflow(d.units, 10, &d.units) ||
                     __builtin_add_overflow(d.units, s[i] - '0', &d.units))
                d.err |= GW_DEC_ERANGE;
            else if (dot)
                d.scale++;
        } else if (s[i] == '.' && !dot) {
            dot = 1;
        } else {
            return bad(GW_DEC_ESYNTAX);
        }
    }
    while (i < n && blank(s[i]))
        i++;
    if (i < n || !any)
        return bad(GW_DEC_ESYNTAX);
    if (d.err)
        return bad(d.err);
    if (neg)
        d.units = -d.units;
    return d;
}

struct gw_dec gw_dec_parse(const char *s, int empty_ok)
{
    return gw_dec_parsen(s, s ? strlen(s) : 0, empty_ok);
}

struct gw_dec gw_dec_int(int64_t v)
{
    return (struct gw_dec){v, 0, 0};
}

/* a at scale (>= its own), or flagged */
static struct gw_dec rescale(struct gw_dec a, int scale)
{
    if (a.err || scale <= a.scale)
        return a;
    if (scale > GW_DEC_MAX_SCALE || __builtin_mul_overflow(a.units, pow10_tab[scale - a.scale], &a.units))
        return bad(a.err | GW_DEC_ERANGE);
    a.scale = scale;
    return a;
}

static struct gw_dec addsub(struct gw_dec a, struct gw_dec b, int sub)
{
    int s = a.scale > b.scale ? a.scale : b.scale;
    struct gw_dec r;

    if (a.err | b.err)
        return bad(a.err | b.err);
    a = rescale(a, s);
    b = rescale(b, s);
    if (a.err | b.err)
        return bad(a.err | b.err);
    r.scale = s;
    r.err = 0;
    if (sub ? __builtin_sub_overflow(a.units, b.units, &r.units) : __builtin_add_overflow(a.units, b.units, &r.units))
        return bad(GW_DEC_ERANGE);
    return r;
}

struct gw_dec gw_dec_add(struct gw_dec a, struct gw_dec b)
{
    return addsub(a, b, 0);
}

struct gw_dec gw_dec_sub(struct gw_dec a, struct gw_dec b)
{
    return addsub(a, b, 1);
}

struct gw_dec gw_dec_mul(struct gw_dec a, struct gw_dec b)
{
    struct gw_dec r = {0, a.scale + b.scale, 0};

    if (a.err | b.err)
        return bad(a.err | b.err);
    if (r.scale > GW_DEC_MAX_SCALE || __builtin_mul_overflow(a.units, b.units, &r.units))
        return bad(GW_DEC_ERANGE);
    return r;
}

struct gw_dec gw_dec_neg(struct gw_dec a)
{
    if (a.err)
        return a;
    if (a.units == INT64_MIN)
        return bad(GW_DEC_ERANGE);
    a.units = -a.units;
    return a;
}

struct gw_dec gw_dec_round(struct gw_dec a, int places, int half_even)
{
    int64_t p, q, r, mag;

    if (a.err)
        return a;
    if (places < 0 || places > GW_DEC_MAX_SCALE)
        return bad(GW_DEC_ERANGE);
    if (places >= a.scale)
        return rescale(a, places);
    p = pow10_tab[a.scale - places];
    /* on the magnitude, so ties go away from zero on both sides */
    mag = a.units < 0 ? -(a.units / p) : a.units / p;
    r = a.units % p;
    if (r < 0)
        r = -r;
    q = mag;
    /* SPEC: half-up rounds ties away from zero; half-even to the even digit
     * (r and p - r are both below 10^18: no overflow comparing them) */
    if (r > p - r || (r == p - r && (!half_even || (q & 1))))
        q++;
    a.units = a.units < 0 ? -q : q;
    a.scale = places;
    return a;
}

int gw_dec_cmp(struct gw_dec a, struct gw_dec b)
{
    __extension__ __int128 x = a.units, y = b.units;
    int s;

    if (a.err | b.err)
        return 0;
    /* at the common scale in 128 bits: 10^18 * 2^63 fits */
    for (s = a.scale; s < b.scale; s++)
        x *= 10;
    for (s = b.scale; s < a.scale; s++)
        y *= 10;
    return x < y ? -1 : x > y;
}

int gw_dec_sign(struct gw_dec a)
{
    return a.err ? 0 : (a.units > 0) - (a.units < 0);
}

int gw_dec_is_zero(struct gw_dec a)
{
    return !a.err && a.units == 0;
}

int gw_dec_ok(struct gw_dec a)
{
    return a.err == 0;
}

const char *gw_dec_str(char *buf, size_t cap, struct gw_dec a)
{
    char digits[24];
    size_t len = 0, need, k = 0;
    uint64_t m;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    if (a.err)
        return buf;
    m = a.units < 0 ? (uint64_t)0 - (uint64_t)a.units : (uint64_t)a.units;
    do {
        digits[len++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    need = (a.units < 0) + (len > (size_t)a.scale ? len : (size_t)a.scale + 1) + (a.scale ? 1 : 0) + 1;
    if (need > cap)
        return buf;
    if (a.units < 0)
        buf[k++] = '-';
    while (len <= (size_t)a.scale)
        digits[len++] = '0';
    while (len > 0) {
        if (len == (size_t)a.scale)
            buf[k++] = '.';
        buf[k++] = digits[--len];
    }
    buf[k] = '\0';
    return buf;
}
