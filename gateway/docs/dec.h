/*
 * dec.h — exact decimals for money and quantities in the gateway: a 64-bit
 * count of units and a scale (digits after the point), never a double. A
 * value keeps its natural scale as SQL decimals and map_dec.c do (12.5 +
 * 0.25 = 12.75, 10.00 * 3 = 30.00), so formatting what was parsed gives
 * back the document's own string ("12.50" stays "12.50").
 *
 * Errors are sticky: a value that did not parse, overflowed or lost digits
 * carries GW_DEC_E*, every operation on it keeps the flag, and the caller
 * checks once at the end of a chain. Not here: the arbitrary-precision
 * decimals of the maps (mappings/map_dec.c).
 */
#ifndef WHARF_DEC_H
#define WHARF_DEC_H

#include <stddef.h>
#include <stdint.h>

/* LIMIT: 18 significant digits, 18 after the point (int64 units) */
#define GW_DEC_MAX_SCALE 18

enum gw_dec_flag {
    GW_DEC_OK = 0,
    GW_DEC_ESYNTAX = 1,     /* a string that is not a decimal */
    GW_DEC_ERANGE = 2,      /* more digits than int64 units hold */
};

struct gw_dec {
    int64_t units;          /* the value times 10^scale */
    int scale;
    int err;                /* GW_DEC_* flags, sticky */
};

#define GW_DEC_ZERO ((struct gw_dec){0, 0, 0})

/* s as a decimal: optional blanks, an optional sign, digits with at most
 * one point (".5" and "5." read), optional blanks; anything else sets
 * GW_DEC_ESYNTAX. NULL and "" read as 0 when empty_ok, else as an error. */
struct gw_dec gw_dec_parse(const char *s, int empty_ok);
/* The same on s[0..n). */
struct gw_dec gw_dec_parsen(const char *s, size_t n, int empty_ok);
/* An integer. */
struct gw_dec gw_dec_int(int64_t v);

/* a + b, a - b (scale: the larger), a * b (scale: the sum), exact or
 * flagged GW_DEC_ERANGE. */
struct gw_dec gw_dec_add(struct gw_dec a, struct gw_dec b);
struct gw_dec gw_dec_sub(struct gw_dec a, struct gw_dec b);
struct gw_dec gw_dec_mul(struct gw_dec a, struct gw_dec b);
struct gw_dec gw_dec_neg(struct gw_dec a);
/* a to exactly places decimals: half-up (ties away from zero, what
 * invoices use) when half_even is 0, else to the even digit; zeros added
 * when a has fewer. */
struct gw_dec gw_dec_round(struct gw_dec a, int places, int half_even);

/* -1, 0, 1 by value (1.50 = 1.5); 0 when either carries an error. */
int gw_dec_cmp(struct gw_dec a, struct gw_dec b);
int gw_dec_sign(struct gw_dec a);
int gw_dec_is_zero(struct gw_dec a);
/* 1 when the value is good (no flag). */
int gw_dec_ok(struct gw_dec a);

/* The value at its scale into buf ("-1.50", "0.05", "3"; never "-0"):
 * returns buf, or "" (with buf[0] = '\0') when a carries an error or buf
 * is too small. 48 bytes always suffice. */
#define GW_DEC_STRLEN 48
const char *gw_dec_str(char *buf, size_t cap, struct gw_dec a);

#endif
