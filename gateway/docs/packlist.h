/*
 * packlist.h — packing lists from the ERP or the warehouse: what went into
 * which carton, read from CSV (one row per item per carton) or JSON (a
 * shipment-shaped document, or an array of rows), into one flat list of
 * rows the ship module (ship.c) groups into ship notices.
 *
 * Only the format is checked here (columns, numbers, dates, SSCC check
 * digits); whether the rows fit the orders is ship.c's business. Depends
 * on edi/ (findings, pools), libcsv and jansson only, so the fuzz target
 * links it alone.
 *
 * CSV: a header line naming the columns, in any order (unknown columns are
 * an error, so a typo is not silently dropped). Required:
 *   po_number,line_no,quantity,carton_id,warehouse,ship_date
 * optional:
 *   sscc,tracking_number,carrier_scac,weight_kg,length_cm,width_cm,
 *   height_cm,pallet_id,bol,pro,shipment_id,lot,expiry
 * RFC 4180 quoting (libcsv); blank lines are skipped; CRLF or LF.
 *
 * JSON: either an array of objects keyed by the CSV column names, or one
 * object (a shipment) whose header keys apply to every carton:
 *   {"shipment_id", "warehouse", "ship_date", "carrier_scac", "bol", "pro",
 *    "cartons": [{"carton_id", "sscc", "tracking_number", "pallet_id",
 *                 "weight_kg", "length_cm", "width_cm", "height_cm",
 *                 "items": [{"po_number", "line_no", "quantity", "lot",
 *                            "expiry"}]}]}
 * A key given on a carton or an item overrides the header's. Numbers may
 * be JSON numbers or strings (a real counts as a whole number only when
 * it is one: 2.0); null is as if the key were not there. Unknown keys are
 * an error, as unknown columns are.
 *
 * Both: a UTF-8 byte order mark is skipped; values are trimmed of spaces
 * and tabs, and one with a control character (a quoted newline) is an
 * error.
 */
#ifndef WHARF_PACKLIST_H
#define WHARF_PACKLIST_H

#include "edi/edi.h"
#include "edi/x12.h"

/* One item of one PO line in one carton. Strings live in the list's pool;
 * optional ones are NULL when absent or empty. */
struct gw_pack_row {
    unsigned src;                  /* CSV: the line number (header = 1);
                                      JSON: the row's 1-based number */
    const char *po_number;
    int line_no;                   /* > 0 */
    const char *quantity;          /* a positive integer, as text: "12" */
    const char *carton_id;
    const char *warehouse;
    const char *ship_date;         /* YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS]
                                      with an optional Z or +HH:MM */
    const char *sscc;              /* 18 digits, check digit verified; a
                                      20-digit "00"-prefixed AI form is
                                      stored as its 18 digits */
    const char *tracking_number, *carrier_scac;
    const char *weight_kg, *length_cm, *width_cm, *height_cm; /* decimals > 0 */
    const char *pallet_id, *bol, *pro, *shipment_id, *lot;
    const char *expiry;            /* YYYY-MM-DD */
};

struct gw_packlist {
    struct gw_pack_row *rows;
    size_t nrows;
    int json;                      /* 1: it was JSON */
    struct edi_pool pool;
};

/* LIMIT: rows per packing list (EDI_ELIMIT beyond); fields are cut at
 * 256 bytes (a finding). */
#define GW_PACKLIST_MAX_ROWS 100000

/*
 * Reads a packing list: JSON when the first non-blank byte is '{' or '[',
 * else CSV. name is the file name used in messages ("pack.csv").
 * Every problem is a finding (code "packlist", seg_index = the row's src,
 * msg "pack.csv:3: quantity 'x' is not a positive whole number", or for
 * JSON "pack.json: row 4 (cartons[1].items[0]): ..."; a CSV header line
 * or JSON that does not parse at its line, a shipment or carton key at
 * the first row it applies to, the whole file at 0), all of them
 * reported, and the call returns EDI_ESYNTAX when there was any (the list
 * is refused whole: a shipment never goes out with rows missing).
 * Findings already in problems are not counted. EDI_ELIMIT over
 * GW_PACKLIST_MAX_ROWS. On 0, *out holds every row; on an error, none.
 * gw_packlist_dispose() is needed after any return (init is done here).
 */
int gw_packlist_parse(struct gw_packlist *out, const char *name, const char *data, size_t n,
                      struct edi_findings *problems, struct edi_err *err);
void gw_packlist_dispose(struct gw_packlist *pl);

/* 1 when the 18 digits are an SSCC with a right GS1 check digit. */
int gw_sscc_valid(const char *digits18);

#endif
