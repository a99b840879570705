/*
 * text.h — the character sets of EDI values, both ways.
 *
 * Inbound, an X12 value is bytes: partners send UTF-8, or ISO-8859-1 from
 * older systems (a Latin-1 'JOSÉ MÜLLER' is not valid UTF-8). wharf decodes
 * what can be decoded under the partner's policy and refuses, with a finding
 * naming the element, what cannot: it never keeps a value empty.
 *
 * Outbound, what a partner reads is narrower: Amazon takes the X12 basic and
 * extended character sets, i.e. printable ASCII. A value from wharf.xml or
 * the ERP with other characters is transliterated ('ENTREPÔT MÜLLER' to
 * 'ENTREPOT MULLER') or refused, by the partner's setting.
 *
 * libc only. The XML side (EDI-XML text nodes) is in exml.c.
 */
#ifndef WHARF_TEXT_H
#define WHARF_TEXT_H

#include "edi/edi.h"

#include <stdarg.h>
#include <stdint.h>

/* How inbound values are decoded (a partner's <x12 inbound-charset>). */
enum edi_text_in {
    EDI_TEXT_UTF8_LATIN1 = 0,  /* UTF-8; a value that is not UTF-8 is ISO-8859-1 (default) */
    EDI_TEXT_UTF8,             /* UTF-8 only: anything else is refused */
    EDI_TEXT_LATIN1,           /* ISO-8859-1 always */
};

/* What outbound values may carry (a partner's <x12 outbound-charset>). */
enum edi_text_out {
    EDI_TEXT_RAW = 0,          /* as the map wrote it (tools, map tests) */
    EDI_TEXT_TRANSLITERATE,    /* X12 basic/extended: others transliterated, else refused */
    EDI_TEXT_REFUSE,           /* X12 basic/extended: any other character is refused */
};

/* Parses "utf-8", "utf-8 iso-8859-1", "iso-8859-1" (in) and "transliterate",
 * "refuse" (out); -1 for anything else. */
int edi_text_in_parse(const char *s);
int edi_text_out_parse(const char *s);

/* 1 when v is well-formed UTF-8 (shortest forms, no surrogates). */
int edi_utf8_valid(struct edi_str v);

/* Whether v decodes under mode, and as what. Returns 0 when v is UTF-8 as it
 * is, 1 when it is to be read as ISO-8859-1, -1 when it cannot be decoded:
 * then *bad is the offset of the first offending byte and *why says what it
 * is ("not UTF-8", "a C1 control character"). Control characters below 0x20
 * are the validator's (element-invalid-character) and not looked at here. */
int edi_text_decode_kind(struct edi_str v, enum edi_text_in mode, size_t *bad, const char **why);

/* Appends v, read as ISO-8859-1, to out as UTF-8. */
void edi_latin1_to_utf8(struct edi_buf *out, struct edi_str v);
/* Appends UTF-8 v as ISO-8859-1 bytes; EDI_ESYNTAX when v has a character
 * above U+00FF or is not UTF-8. The inverse of edi_latin1_to_utf8. */
int edi_utf8_to_latin1(struct edi_buf *out, struct edi_str v);

/* Appends UTF-8 v to out in the X12 basic/extended character set (printable
 * ASCII). mode EDI_TEXT_TRANSLITERATE spells letters with marks without
 * them ('É' 'E', 'ß' 'ss', '’' '\''); EDI_TEXT_REFUSE takes ASCII only.
 * Returns 0, or EDI_ESYNTAX with *bad_cp the first character that cannot be
 * carried (0 when v is not UTF-8). Nothing is appended on failure. */
int edi_text_to_x12(struct edi_buf *out, struct edi_str v, enum edi_text_out mode, uint32_t *bad_cp);

/* Appends s to out as one line a terminal or a log reader cannot be fooled
 * by: control characters (C0, DEL, C1) and bytes that are not UTF-8 are
 * written as \n, \r, \t, \e or \xNN, and a backslash as \\. What comes
 * from outside (file names, EDI values, HTTP input) goes to logs and
 * messages through this, so no value can forge a line. */
void edi_escape_line(struct edi_buf *out, const char *s, size_t n);
/* Formats fmt (at most 2 KiB) and appends it escaped as edi_escape_line
 * does, without the message's own trailing newlines, then one '\n': a
 * log or error line whose arguments come from outside. */
void edi_escape_vline(struct edi_buf *out, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
