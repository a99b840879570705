/*
 * text.c — inbound decoding and outbound transliteration of EDI values
 * (text.h). The transliteration covers the Latin-1 Supplement and Latin
 * Extended-A blocks (Western, Central and Northern European names and
 * addresses), the Romanian comma letters, combining marks (decomposed
 * input), and the punctuation word processors put in addresses (curly
 * quotes, dashes, no-break spaces). Anything else is refused, not guessed.
 */
#include "edi/text.h"

#include <stdio.h>
#include <string.h>

int edi_text_in_parse(const char *s)
{
    if (s == NULL || strcmp(s, "utf-8 iso-8859-1") == 0)
        return EDI_TEXT_UTF8_LATIN1;
    if (strcmp(s, "utf-8") == 0)
        return EDI_TEXT_UTF8;
    if (strcmp(s, "iso-8859-1") == 0)
        return EDI_TEXT_LATIN1;
    return -1;
}

int edi_text_out_parse(const char *s)
{
    if (s == NULL || strcmp(s, "transliterate") == 0)
        return EDI_TEXT_TRANSLITERATE;
    if (strcmp(s, "refuse") == 0)
        return EDI_TEXT_REFUSE;
    return -1;
}

/* One UTF-8 character at p (n bytes left): its length, or 0 when p does not
 * start a well-formed one. *cp gets the code point. */
static size_t utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
    uint32_t c = p[0];
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, c &= 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, c &= 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, c &= 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int edi_utf8_valid(struct edi_str v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t i = 0, k;
    uint32_t cp;

    while (i < v.n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        if ((k = utf8_char(p + i, v.n - i, &cp)) == 0)
            return 0;
        i += k;
    }
    return 1;
}

int edi_text_decode_kind(struct edi_str v, enum edi_text_in mode, size_t *bad, const char **why)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t i = 0, k;
    uint32_t cp;
    int utf8 = mode != EDI_TEXT_LATIN1;

    /* the common case: ASCII */
    while (i < v.n && p[i] < 0x80)
        i++;
    if (i == v.n)
        return 0;
    if (utf8) {
        size_t j = i;

        while (j < v.n) {
            if (p[j] < 0x80) {
                j++;
                continue;
            }
            if ((k = utf8_char(p + j, v.n - j, &cp)) == 0)
                break;
            if (cp < 0xa0) {
                /* SPEC: ISO/IEC 6429 — U+0080..U+009F are C1 controls, not text */
                *bad = j;
                *why = "a C1 control character";
                return -1;
            }
            j += k;
        }
        if (j == v.n)
            return 0;
        if (mode == EDI_TEXT_UTF8) {
            *bad = j;
            *why = "not UTF-8 (the partner's inbound-charset is utf-8)";
            return -1;
        }
    }
    /* ISO-8859-1: every byte is a character, but 0x80..0x9F are controls */
    for (; i < v.n; i++)
        if (p[i] >= 0x80 && p[i] < 0xa0) {
            *bad = i;
            *why = "a C1 control character in ISO-8859-1";
            return -1;
        }
    return 1;
}

void edi_latin1_to_utf8(struct edi_buf *out, struct edi_str v)
{
    size_t i;

    for (i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];

        if (c < 0x80) {
            edi_buf_putc(out, (char)c);
        } else {
            edi_buf_putc(out, (char)(0xc0 | (c >> 6)));
            edi_buf_putc(out, (char)(0x80 | (c & 0x3f)));
        }
    }
}

int edi_utf8_to_latin1(struct edi_buf *out, struct edi_str v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t i = 0, k, mark = out->n;
    uint32_t cp;

    while (i < v.n) {
        if ((k = utf8_char(p + i, v.n - i, &cp)) == 0 || cp > 0xff) {
            out->n = mark;
            return EDI_ESYNTAX;
        }
        edi_buf_putc(out, (char)cp);
        i += k;
    }
    return 0;
}

/* ---- transliteration ------------------------------------------------------- */

/* U+00C0..U+00FF and U+0100..U+017F: the letter without its marks; '#'
 * where it takes two letters (multi[] below). */
static const char latin1_letters[] = "AAAAAA#CEEEEIIII"   /* C0 */
                                     "DNOOOOOxOUUUUY##"   /* D0: × is x, ß Þ two */
                                     "aaaaaa#ceeeeiiii"   /* E0 */
                                     "dnooooo/ouuuuy#y";  /* F0: ÷ is / */
static const char ext_a_letters[] = "AaAaAaCcCcCcCcDd"    /* 0100 */
                                    "DdEeEeEeEeEeGgGg"    /* 0110 */
                                    "GgGgHhHhIiIiIiIi"    /* 0120 */
                                    "Ii##JjKkkLlLlLlL"    /* 0130: Ĳ ĳ two */
                                    "lLlNnNnNnnNnOoOo"    /* 0140 */
                                    "Oo##RrRrRrSsSsSs"    /* 0150: Œ œ two */
                                    "SsTtTtTtUuUuUuUu"    /* 0160 */
                                    "UuUuWwYyYZzZzZzs";   /* 0170 */

struct translit {
    uint32_t cp;
    const char *to;
};

/* Sorted by code point. */
static const struct translit others[] = {
    {0x00a0, " "},   {0x00a1, "!"},   {0x00a2, "c"},   {0x00a3, "GBP"}, {0x00a5, "JPY"},
    {0x00a6, "|"},   {0x00a9, "(C)"}, {0x00aa, "a"},   {0x00ab, "\""},  {0x00ad, "-"},
    {0x00ae, "(R)"}, {0x00b1, "+/-"}, {0x00b2, "2"},   {0x00b3, "3"},   {0x00b4, "'"},
    {0x00b5, "u"},   {0x00b7, "."},   {0x00b8, ","},   {0x00b9, "1"},   {0x00ba, "o"},
    {0x00bb, "\""},  {0x00bc, "1/4"}, {0x00bd, "1/2"}, {0x00be, "3/4"}, {0x00bf, "?"},
    {0x00c6, "AE"},  {0x00de, "TH"},  {0x00df, "ss"},  {0x00e6, "ae"},  {0x00fe, "th"},
    {0x0132, "IJ"},  {0x0133, "ij"},  {0x0152, "OE"},  {0x0153, "oe"},
    {0x0218, "S"},   {0x0219, "s"},   {0x021a, "T"},   {0x021b, "t"},
    {0x2002, " "},   {0x2003, " "},   {0x2004, " "},   {0x2005, " "},   {0x2006, " "},
    {0x2007, " "},   {0x2008, " "},   {0x2009, " "},   {0x200a, " "},   {0x200b, ""},
    {0x2010, "-"},   {0x2011, "-"},   {0x2012, "-"},   {0x2013, "-"},   {0x2014, "-"},
    {0x2015, "-"},   {0x2018, "'"},   {0x2019, "'"},   {0x201a, "'"},   {0x201b, "'"},
    {0x201c, "\""},  {0x201d, "\""},  {0x201e, "\""},  {0x201f, "\""},  {0x2026, "..."},
    {0x202f, " "},   {0x2032, "'"},   {0x2033, "\""},  {0x20ac, "EUR"}, {0x2122, "TM"},
};

/* The ASCII spelling of cp, or NULL. */
static const char *translit_of(uint32_t cp, char one[2])
{
    size_t lo = 0, hi = sizeof(others) / sizeof(others[0]);

    one[1] = '\0';
    if (cp >= 0xc0 && cp <= 0xff && latin1_letters[cp - 0xc0] != '#') {
        one[0] = latin1_letters[cp - 0xc0];
        return one;
    }
    if (cp >= 0x100 && cp <= 0x17f && ext_a_letters[cp - 0x100] != '#') {
        one[0] = ext_a_letters[cp - 0x100];
        return one;
    }
    /* combining diacritical marks: decomposed input ("E" + U+0301) */
    if (cp >= 0x300 && cp <= 0x36f)
        return "";
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (others[mid].cp == cp)
            return others[mid].to;
        if (others[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int edi_text_to_x12(struct edi_buf *out, struct edi_str v, enum edi_text_out mode, uint32_t *bad_cp)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t i = 0, k, mark = out->n;
    uint32_t cp;
    char one[2];
    const char *to;

    *bad_cp = 0;
    while (i < v.n) {
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            edi_buf_putc(out, (char)p[i++]);
            continue;
        }
        if (p[i] < 0x80) {
            /* a control character: the validator names it; keep it */
            edi_buf_putc(out, (char)p[i++]);
            continue;
        }
        if ((k = utf8_char(p + i, v.n - i, &cp)) == 0)
            goto refuse;
        if (mode != EDI_TEXT_TRANSLITERATE || (to = translit_of(cp, one)) == NULL) {
            *bad_cp = cp;
            goto refuse;
        }
        /* ß in a word in capitals is SS: STRASSE, not STRAssE */
        if (cp == 0xdf && out->n > mark && out->p[out->n - 1] >= 'A' && out->p[out->n - 1] <= 'Z')
            to = "SS";
        edi_buf_puts(out, to);
        i += k;
    }
    return 0;
refuse:
    out->n = mark;
    return EDI_ESYNTAX;
}

void edi_escape_line(struct edi_buf *out, const char *s, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;
    uint32_t cp;

    while (i < n) {
        unsigned char c = p[i];

        if (c >= 0x20 && c < 0x7f && c != '\\') {
            size_t j = i + 1;

            while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '\\')
                j++;
            edi_buf_put(out, s + i, j - i);
            i = j;
            continue;
        }
        if (c >= 0x80 && (k = utf8_char(p + i, n - i, &cp)) != 0 && cp >= 0xa0) {
            edi_buf_put(out, s + i, k);
            i += k;
            continue;
        }
        edi_buf_putc(out, '\\');
        switch (c) {
        case '\\': edi_buf_putc(out, '\\'); break;
        case '\n': edi_buf_putc(out, 'n'); break;
        case '\r': edi_buf_putc(out, 'r'); break;
        case '\t': edi_buf_putc(out, 't'); break;
        case 0x1b: edi_buf_putc(out, 'e'); break;
        default:
            edi_buf_putc(out, 'x');
            edi_buf_putc(out, hx[c >> 4]);
            edi_buf_putc(out, hx[c & 15]);
        }
        i++;
    }
}

void edi_escape_vline(struct edi_buf *out, const char *fmt, va_list ap)
{
    char msg[2048];
    int len = vsnprintf(msg, sizeof(msg), fmt, ap);

    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof(msg))
        len = (int)sizeof(msg) - 1;
    while (len > 0 && msg[len - 1] == '\n')
        len--;   /* a message's own line end is the line's */
    edi_escape_line(out, msg, (size_t)len);
    edi_buf_putc(out, '\n');
}
