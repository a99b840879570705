/*
 * canon.h — small helpers the flows share around canonical documents
 * (urn:wharf:canonical:1): the namespace, findings, CSV fields. The
 * documents themselves, read and built, are cdoc.h; exact decimals are
 * dec.h.
 */
#ifndef WHARF_CANON_H
#define WHARF_CANON_H

#include <stddef.h>

#define GW_CANON_NS "urn:wharf:canonical:1"

/* A finding about the document being checked (level set): code, the row
 * or line of the input it is about (seg_index, 0: none) and a message. */
struct edi_findings;
void gw_finding(struct edi_findings *f, const char *code, unsigned row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One CSV field (RFC 4180: quoted when it holds a comma, quote or line
 * break), then ',' or, for the last of a row, '\n'. */
struct edi_buf;
void gw_csv_field(struct edi_buf *b, const char *v, int last);

#endif
