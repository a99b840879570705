/*
 * envelope.h — the one X12 envelope writer: an interchange (ISA ... IEA)
 * around its groups (GS ... GE) around transaction sets the caller wrote
 * (ST ... SE). Every interchange wharf sends is written here: 997/999/TA1
 * (ack.c), the queued 855/856/810 (gateway/flow/outbound.c) and the check
 * envelope a map's output is validated in (mappings/map.c).
 *
 * What is not here: the sets themselves (the segment writer in x12.h, the
 * acknowledgments in ack.c, EDI-XML in exml.c), where control numbers come
 * from (the caller: a store, a counter), and which ids and version an
 * interchange carries (the caller's policy).
 */
#ifndef WHARF_ENVELOPE_H
#define WHARF_ENVELOPE_H

#include "edi/x12.h"

#include <time.h>

/* One side of an interchange, without the ISA's space padding; NULL
 * members are not known (not checked, not used). */
struct edi_party {
    const char *qual;            /* ISA05 / ISA07 */
    const char *id;              /* ISA06 / ISA08 */
    const char *gs;              /* GS02 / GS03 */
};

/* The interchange header and what every segment of it is written with. */
struct edi_env {
    struct edi_party from, to;   /* ISA05/06 and GS02; ISA07/08 and GS03 (gs NULL: id) */
    const char *version;         /* ISA12: 00401, 00501 (NULL: 00401) */
    struct edi_delims d;         /* rep is written in ISA11 from 00402 on */
    const char *suffix;          /* after each terminator ("\n"; NULL: none); never
                                  * after a terminator that is itself a line end */
    time_t now;                  /* ISA09/ISA10, GS04/GS05 (UTC) */
    char usage;                  /* ISA15: P, T or I (0: P) */
    int ack_requested;           /* ISA14: 1 asks for a TA1 */
    uint64_t control;            /* ISA13, IEA02; 0: from ctl ('I') */
    struct edi_ctlsrc ctl;       /* numbers not given here or in a group */
    struct edi_str ta1;          /* interchange-level segments before the
                                  * groups (a TA1), terminators included */
};

/* One functional group: its header and its sets. */
struct edi_env_group {
    const char *func_id;         /* GS01: PR, SH, IN, FA */
    const char *sender;          /* GS02 (NULL: from.gs, else from.id) */
    const char *receiver;        /* GS03 (NULL: to.gs, else to.id) */
    const char *version;         /* GS08: 004010, 005010X231A1 */
    uint64_t control;            /* GS06, GE02; 0: from ctl ('G') */
    const struct edi_str *sets;  /* each one ST ... SE, terminators included,
                                  * written with the interchange's delimiters */
    size_t nsets;
};

/* LIMIT: ISA13 and GS06 have nine digits at most. */
#define EDI_ENV_CONTROL_MAX 999999999ULL

/* Appends one interchange to out: the ISA with every field at its fixed
 * width, then e->ta1, then each group (GS, its sets as given, GE with
 * their count), then the IEA. Control numbers not given are taken from
 * e->ctl, the ISA's first, then each group's in order.
 *
 * Nothing is cut to fit: a value longer than its field (ISA06 over 15
 * characters), one holding a delimiter or a control byte, a usage other
 * than P/T/I or a control number over nine digits is EDI_ECONFIG (the ids
 * and version come from configuration) or EDI_ELIMIT (control numbers),
 * with the field and the value in err; a set that does not begin with ST
 * is EDI_ERR; a control-number source that fails gives its code. out's
 * maximum reached is EDI_ELIMIT. On any error out is as it was. */
int edi_envelope_write(struct edi_buf *out, const struct edi_env *e,
                       const struct edi_env_group *groups, size_t ngroups,
                       struct edi_err *err);

#endif
