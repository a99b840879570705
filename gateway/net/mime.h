/*
 * mime.h — the small MIME reader and writer helpers AS2 needs (RFC 2045,
 * 2046, 1847), with exact-byte part extraction: a signed part is verified
 * over the very bytes that arrived, so nothing here rewrites what it reads.
 * libc only; the CMS layers on top (signing, encryption, compression, MDNs)
 * are in cms.h, the HTTP around it in http.h and the server.
 *
 * Reading is lenient in the ways real AS2 peers need (research §4.4): header
 * names and MIME types in any case, lines ending in CRLF or a bare LF, folded
 * headers, quoted or bare parameter values, a boundary line with trailing
 * white space. It is strict in what could hide an attack: every count and
 * length is bounded (LIMIT below), a multipart without its closing delimiter
 * is refused (a cut request), and nothing is sized from a declared length.
 */
#ifndef WHARF_NET_MIME_H
#define WHARF_NET_MIME_H

#include "edi/edi.h"

#include <stddef.h>

/* LIMIT: headers in one entity, bytes of one unfolded header value,
 * parameters of one Content-Type, parts of one multipart. */
#define GW_MIME_MAX_HEADERS 64
#define GW_MIME_MAX_VALUE 4096
#define GW_MIME_MAX_PARAMS 16
#define GW_MIME_MAX_PARTS 16

struct gw_mime_hdr {
    struct edi_str name;      /* as written */
    struct edi_str value;     /* raw, folding included: gw_mime_get unfolds */
};

/* One entity: headers, then a blank line, then the body. Slices borrow the
 * input. */
struct gw_mime_entity {
    struct gw_mime_hdr h[GW_MIME_MAX_HEADERS];
    size_t nh;
    struct edi_str head;      /* the header block with its blank line */
    struct edi_str body;
};

struct gw_mime_param {
    char name[40];            /* lowercased */
    char value[512];          /* unquoted, unescaped */
};

/* A Content-Type (or Content-Disposition) value. */
struct gw_mime_ct {
    char type[128];           /* "multipart/signed", lowercased ("attachment" for a disposition) */
    struct gw_mime_param p[GW_MIME_MAX_PARAMS];
    size_t np;
};

/* Splits p[0 .. n) into headers and body. EDI_ESYNTAX (err->offset: where)
 * for a header line without a colon, no blank line after the headers, or
 * too many headers; an input that starts with a blank line has no headers. */
int gw_mime_entity_parse(struct gw_mime_entity *e, const char *p, size_t n, struct edi_err *err);

/* The unfolded, trimmed value of the first header called name (any case)
 * into buf[cap]: its length, or -1 when there is none or it does not fit. */
int gw_mime_get(char *buf, size_t cap, const struct gw_mime_entity *e, const char *name);

/* Parses "type/subtype; a=b; c="d"" (or "attachment; filename=x").
 * EDI_ESYNTAX when it is not one, or has too many or too long parameters. */
int gw_mime_ct_parse(struct gw_mime_ct *ct, const char *value, struct edi_err *err);
/* The value of parameter name (lowercase) or NULL: borrowed from ct. */
const char *gw_mime_ct_param(const struct gw_mime_ct *ct, const char *name);

/* SPEC: RFC 2046 §5.1.1. The body parts of a multipart body delimited by
 * boundary: each part runs from after its delimiter line to before the line
 * break that precedes the next delimiter (that CRLF, or bare LF, belongs to
 * the delimiter). EDI_ESYNTAX when there is no first delimiter, no closing
 * one, or more than max parts. */
int gw_mime_multipart(struct edi_str *parts, size_t max, size_t *nparts, struct edi_str body,
                      const char *boundary, struct edi_err *err);

/* Base64 (RFC 2045 §6.8) into out, with CRLF every 76 characters when
 * wrap is set. */
void gw_b64_encode(struct edi_buf *out, const void *p, size_t n, int wrap);
/* Decodes base64, white space and line breaks ignored. EDI_ESYNTAX (offset
 * of the bad byte) for anything else, or bad padding. */
int gw_b64_decode(struct edi_buf *out, const char *p, size_t n, struct edi_err *err);

/* 1 when s is fit for a header value we write: printable ASCII and spaces,
 * 1 to max bytes, no CR, LF or other control (header injection). */
int gw_mime_value_ok(const char *s, size_t max);

#endif
