/*
 * x12.h — X12 syntax: the streaming tokenizer, the envelope parser
 * (ISA/GS/ST ... SE/GE/IEA), findings, and the writer.
 *
 * Guides and guide-driven validation are in guide.h; the envelope writer
 * (ISA/GS ... GE/IEA) in envelope.h; acknowledgments in ack.h; EDI⇄XML in
 * exml.h.
 */
#ifndef WHARF_X12_H
#define WHARF_X12_H

#include "edi/edi.h"

/* ---- Delimiters and segments ------------------------------------------ */

struct edi_delims {
    unsigned char elem;   /* ISA byte 3 */
    unsigned char comp;   /* ISA16 */
    unsigned char rep;    /* ISA11 when ISA12 >= 00402, else 0 */
    unsigned char seg;    /* the byte after ISA16 */
};

/* One segment as the tokenizer saw it. el[0] is the segment id,
 * el[1..n] its elements; slices point into the tokenizer's buffer and stay
 * valid until the next call that feeds or reads the tokenizer. */
struct edi_seg {
    struct edi_str *el;
    size_t n;             /* elements after the id */
    struct edi_str raw;   /* the segment without its terminator */
    uint64_t offset;      /* byte offset in the stream */
    uint64_t index;       /* 1-based segment number in the stream */
};

#define EDI_SEG_ID(s) ((s)->el[0])

/* ---- Findings ---------------------------------------------------------- */

enum edi_level {
    EDI_LV_INTERCHANGE = 1, /* TA1 */
    EDI_LV_GROUP,           /* AK9 / AK905 */
    EDI_LV_SET,             /* AK5 / AK502, IK5 / IK502 */
    EDI_LV_SEGMENT,         /* AK3 / IK3 */
    EDI_LV_ELEMENT,         /* AK4 / IK4 */
};

enum edi_sev { EDI_SEV_ERROR = 0, EDI_SEV_WARNING = 1 };

/* One problem found in the input, with everything a 997/999/TA1 and a
 * person need to locate it. */
struct edi_finding {
    const char *code;        /* symbolic, stable: "se-count", "element-too-long" */
    enum edi_sev severity;
    enum edi_level level;
    char seg_id[4];
    uint32_t seg_pos;        /* position in the transaction set, ST = 1 (AK302) */
    uint16_t el_pos;         /* AK401 / IK401; 0 when not about one element */
    uint16_t comp_pos;       /* AK401-2 / IK402-2 */
    uint16_t rep_pos;        /* IK401-3 (5010 repetition), 0 when none */
    char el_ref[8];          /* data element reference number (AK403 ref) */
    char seg_code[4];        /* AK304 / IK304 code */
    char el_code[4];         /* AK403 / IK403 code */
    char set_code[4];        /* AK502 / IK502 code */
    char group_code[4];      /* AK905 code */
    char ta1_code[4];        /* TA105 note code */
    char loop_id[8];         /* AK303 / IK303 loop identifier, when in a loop */
    char value[40];          /* the bad value, cut to fit */
    uint64_t offset;         /* byte offset in the input */
    uint64_t seg_index;      /* segment number in the input */
    char msg[200];
};

struct edi_findings {
    struct edi_finding *v;
    size_t n;
    size_t cap;
    size_t max;       /* LIMIT: findings kept; more are counted in dropped */
    size_t dropped;
};

void edi_findings_init(struct edi_findings *f, size_t max);
void edi_findings_dispose(struct edi_findings *f);
void edi_findings_reset(struct edi_findings *f);
/* Appends a zeroed finding and returns it (a scratch record when full). */
struct edi_finding *edi_findings_add(struct edi_findings *f, const char *code,
                                     enum edi_level level);
void edi_finding_msg(struct edi_finding *fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void edi_finding_value(struct edi_finding *fd, struct edi_str v);
size_t edi_findings_errors(const struct edi_findings *f);

/* ---- Tokenizer ---------------------------------------------------------- */

/* A push tokenizer: feed it bytes in pieces of any size, take segments out.
 * Memory is bounded by the largest segment plus one read, not the input. */
struct edi_tok {
    char *buf;
    size_t len;        /* bytes held */
    size_t pos;        /* next unread byte */
    size_t cap;
    uint64_t base;     /* stream offset of buf[0] */
    uint64_t nseg;     /* segments returned */
    int eof;
    int have_delims;   /* inside an interchange */
    int skipping;      /* recovering after an over-long segment */
    int in_garbage;    /* bad bytes between interchanges, already reported */
    uint64_t isa_term; /* stream offset of the ISA's terminator, while pending */
    int borrowed;      /* buf is the caller's memory (edi_tok_borrow) */
    struct edi_delims d;
    struct edi_str *els;
    size_t els_cap;
    struct edi_limits lim;
    /* the last ISA's shape: 0 when it was exactly 106 bytes */
    int isa_bad;
    char isa_problem[120];
};

void edi_tok_init(struct edi_tok *t, const struct edi_limits *lim);
void edi_tok_dispose(struct edi_tok *t);
/* Copies n bytes in. */
void edi_tok_feed(struct edi_tok *t, const char *p, size_t n);
/* Zero-copy feeding: space for at least `want` bytes, then commit what was
 * written there. */
char *edi_tok_space(struct edi_tok *t, size_t want, size_t *avail);
void edi_tok_commit(struct edi_tok *t, size_t n);
void edi_tok_finish(struct edi_tok *t);
/* The whole input at once, without a copy: p must outlive the tokenizer's
 * use of it. Implies edi_tok_finish. */
void edi_tok_borrow(struct edi_tok *t, const char *p, size_t n);
/* Returns EDI_OK with *seg filled, EDI_EMORE when more input is needed,
 * EDI_DONE at the end, or EDI_ESYNTAX / EDI_ELIMIT with err set; after an
 * error the tokenizer has already skipped past the bad bytes and the next
 * call goes on. */
int edi_tok_next(struct edi_seg *seg, struct edi_tok *t, struct edi_err *err);

/* ---- Envelope parser ------------------------------------------------------ */

struct edi_ichg {
    char sender_qual[3], sender[16], receiver_qual[3], receiver[16];
    char date[7], time[5], version[6], control[10], ack_requested[2], usage[2];
    char auth_qual[3], auth[11], sec_qual[3], sec[11], standards[2];
    struct edi_delims d;
    uint64_t offset;
    uint32_t ngroups;
    int rejected;          /* TA1 R: the groups were not processed */
    int foreign;           /* its ISA or GS ids are not the expected ones
                            * (edi_check_opts.from/to): refused */
};

struct edi_group {
    char func_id[3], sender[16], receiver[16], date[9], time[9];
    char control[10], agency[3], version[13];
    uint32_t nsets;        /* sets seen */
    uint32_t naccepted;    /* sets the handler accepted (for AK9) */
    uint64_t offset;
};

/* One segment of a transaction set, owned by the set's arena. */
struct edi_txseg {
    struct edi_str *el;   /* el[0] = id */
    uint32_t n;
    uint32_t pos;         /* 1-based position in the set */
    uint64_t offset;
    uint64_t index;
};

/* A complete transaction set, ST to SE (or to where it broke off). */
struct edi_tx {
    char set_id[4];
    char control[10];
    char impl[36];            /* ST03 (5010) */
    struct edi_txseg *seg;
    uint32_t nseg;
    uint32_t seg_cap;
    int complete;             /* SE seen */
    uint8_t text;             /* enum edi_text_in: how its values decode (the caller's) */
    struct edi_delims d;
    const struct edi_ichg *ichg;
    const struct edi_group *group;
    struct edi_findings findings;   /* envelope findings of this set */
    /* arena for the segments' bytes */
    char *mem;
    size_t mem_n, mem_cap;
    struct edi_str *els;
    size_t els_n, els_cap;
};

/* The handler sees the stream as events. A callback returns 0 to go on or
 * a negative code to stop the parse with it. `tx` callbacks own nothing:
 * the set is reused after the call returns. */
struct edi_x12_handler {
    void *ctx;
    int (*ichg_begin)(void *ctx, struct edi_ichg *ic);
    int (*group_begin)(void *ctx, struct edi_group *g);
    int (*tx)(void *ctx, struct edi_tx *tx);
    int (*group_end)(void *ctx, struct edi_group *g, const struct edi_findings *env);
    int (*ichg_end)(void *ctx, struct edi_ichg *ic, const struct edi_findings *env);
    /* every segment, as it arrives (parse listings); may be NULL */
    int (*segment)(void *ctx, const struct edi_seg *s, int depth);
};

struct edi_x12_parser {
    struct edi_tok tok;
    struct edi_x12_handler h;
    struct edi_limits lim;
    int state;
    struct edi_ichg ichg;
    struct edi_group group;
    struct edi_tx tx;
    struct edi_findings ichg_f;    /* TA1-level findings */
    struct edi_findings group_f;   /* AK9-level findings */
    struct edi_findings stream_f;  /* outside any interchange: no ISA to answer */
    int tx_overflow;
    uint64_t nichg;
    uint64_t *seen_st;             /* hashes of the current group's ST02s */
    size_t nseen_st, seen_cap;
    int stopped;
};

void edi_x12_parser_init(struct edi_x12_parser *p, const struct edi_limits *lim,
                         const struct edi_x12_handler *h);
void edi_x12_parser_dispose(struct edi_x12_parser *p);
/* Feeds bytes and runs every complete segment through the handler.
 * Returns 0, or the negative code a handler stopped with. */
int edi_x12_parser_feed(struct edi_x12_parser *p, const char *data, size_t n,
                        struct edi_err *err);
/* End of input: closes what is open (reporting what is missing). */
int edi_x12_parser_finish(struct edi_x12_parser *p, struct edi_err *err);
/* The whole input in memory, parsed without copying it. */
int edi_x12_parse_mem(struct edi_x12_parser *p, const char *data, size_t n, struct edi_err *err);
/* Reads a whole file or stdin ("-") through the parser in 256 KiB reads. */
int edi_x12_parse_file(struct edi_x12_parser *p, const char *path, struct edi_err *err);

/* ---- Writer ----------------------------------------------------------- */

/* Writes segments with chosen delimiters into an edi_buf. Trailing empty
 * elements and components are not written. */
struct edi_writer {
    struct edi_buf *out;
    struct edi_delims d;
    const char *suffix;       /* written after each terminator, e.g. "\n" */
    uint32_t nseg;            /* segments since the last ST */
    size_t pending_empty;     /* empty elements not yet written */
    size_t pending_cempty;
    int in_seg, in_comp, nel, ncomp;
};

/* Control numbers come from the caller. kind: 'I' ISA13, 'G' GS06, 'S' ST02. */
struct edi_ctlsrc {
    int (*next)(void *ctx, char kind, uint64_t *out);
    void *ctx;
};

void edi_writer_init(struct edi_writer *w, struct edi_buf *out,
                     const struct edi_delims *d, const char *suffix);
void edi_w_begin(struct edi_writer *w, const char *id);
void edi_w_el(struct edi_writer *w, struct edi_str v);
void edi_w_elc(struct edi_writer *w, const char *v);
/* Starts a composite element; components follow with edi_w_comp. */
void edi_w_el_comp(struct edi_writer *w);
void edi_w_comp(struct edi_writer *w, struct edi_str v);
/* A repetition of the element just written (5010). */
void edi_w_rep(struct edi_writer *w, struct edi_str v);
void edi_w_end(struct edi_writer *w);
/* Writes one parsed segment back as it is (elements, components and
 * repetitions split again with the writer's delimiters). */
void edi_w_seg(struct edi_writer *w, const struct edi_str *el, size_t n,
               const struct edi_delims *in);

/* Default delimiters: * > ^ ~ */
void edi_delims_default(struct edi_delims *d);

#endif
