/*
 * erp.h — the ERP connector interface, and the ERP file exchange, its
 * first connector.
 *
 * A connector is a table of functions (struct gw_erp_type), the way curl
 * keeps a connection filter or libgit2 a transport: open; push one
 * document the ERP is to have (idempotently: the same message pushed
 * twice is one document in the ERP); pull what the ERP has for us
 * (decisions on orders, packing lists, stock) from its cursor; done, which
 * moves the cursor past an item, applied or refused; close. The flows
 * never see where an ERP keeps things: Brightpearl, QuickBooks and a
 * NetSuite-style ERP are later connectors beside files.c.
 *
 * What the ERP is sent is rendered here too, in the transaction of the
 * change it reports (gw_erp_write, gw_erp_order): JSON through a local map,
 * CSV, queued in the outbox so it leaves with the change or not at all;
 * the flush (flow/flush.c) pushes it.
 */
#ifndef WHARF_ERP_H
#define WHARF_ERP_H

#include "gateway/core/ctx.h"
#include "gateway/docs/cdoc.h"

/* ---- the connector interface ------------------------------------------ */

/* What a pull asks for. */
enum gw_erp_pull {
    GW_ERP_DECISIONS,       /* approvals and rejections of orders (JSON or CSV) */
    GW_ERP_PACKING_LISTS,   /* what was packed, carton by carton (CSV or JSON) */
    GW_ERP_STOCK,           /* available stock by SKU and warehouse (CSV) */
};

/* One thing the ERP has for us. */
struct gw_erp_item {
    char *name;            /* the ERP's name for it (files: the file name) */
    char *data;            /* its bytes, with a '\0' behind them */
    size_t n;
};

struct gw_erp;             /* an open connector */

struct gw_erp_type {
    const char *name;      /* wharf.xml's <erp kind> ("files") */
    /* conf: the <erp> of an API ERP; NULL for the file exchange */
    int (*open)(struct gw_erp **e, struct gw_ctx *c, const struct gw_erp_conf *conf, struct edi_err *err);
    /* One outbox message for the ERP; pushing it again changes nothing
     * there. The ERP's id for it goes to id. EDI_EAGAIN: retry later;
     * EDI_ECONFIG: an operator must act (credentials, a folder gone). */
    int (*push)(struct gw_erp *e, const struct gw_outbox_item *it, char *id, size_t cap,
                struct edi_err *err);
    /* A sender (process pid of this host) died pushing it: what it left
     * half done goes, before the message is pushed again. */
    void (*abandoned)(struct gw_erp *e, const struct gw_outbox_item *it, long pid);
    /* What the ERP has for us of kind, oldest first, from the cursor;
     * *items is the caller's (gw_erp_items_free). */
    int (*pull)(struct gw_erp *e, enum gw_erp_pull kind, struct gw_erp_item **items, size_t *n,
                struct edi_err *err);
    /* A pulled item was applied (why NULL) or refused (why says what was
     * wrong, naming the rule and the line): the cursor moves past it. Not
     * called for stock, which is read whole each time. */
    int (*done)(struct gw_erp *e, const struct gw_erp_item *it, const char *why, struct edi_err *err);
    void (*close)(struct gw_erp *e);
    /* `wharf erp check`: one cheap call, what works in plain words in
     * report (a line each). NULL for the file exchange. */
    int (*check)(struct gw_erp *e, struct edi_buf *report, struct edi_err *err);
    /* `wharf erp connect` (OAuth authorization code): the URL a person
     * opens, then the code the ERP redirected to (and the company it names,
     * QuickBooks' realmId) exchanged for tokens kept in the vault. NULL
     * for the file exchange. */
    int (*authorize)(struct gw_erp *e, const char *redirect_uri, const char *state, struct edi_buf *url,
                     struct edi_err *err);
    int (*connect)(struct gw_erp *e, const char *code, const char *redirect_uri, const char *realm,
                   struct edi_err *err);
    /* `wharf erp webhooks` (hooks.h): subscribes the events that should
     * wake this connector's pulls (by its <erp provides>) to url, the
     * receiver's address with its token, once each: a subscription of
     * ours already there for url is kept, one of ours for another URL (an
     * old token or address) replaced; remove: every one of ours goes. A
     * subscription is ours when its URL has /webhooks/erp/ID/. One line a
     * subscription in report: "ACTION EVENT ERP-ID" (ACTION kept,
     * subscribed, removed). url never reaches a log or an error. NULL when
     * wharf takes no webhooks from this ERP. */
    int (*webhooks)(struct gw_erp *e, const char *url, int remove, struct edi_buf *report, struct edi_err *err);
};

/* The connector of a kind ("files", "brightpearl", "quickbooks"), NULL
 * when wharf has none of that kind. */
const struct gw_erp_type *gw_erp_kind(const char *kind);
/* Opens the connector that provides what a pull asks for: the API ERP
 * whose <erp provides> says so, else the file exchange. The pair every
 * caller needs. */
int gw_erp_open(const struct gw_erp_type **type, struct gw_erp **e, struct gw_ctx *c, enum gw_erp_pull kind,
                struct edi_err *err);
/* Opens a connector by its outbox kind: "erp-json"/"erp-csv" the file
 * exchange, "erp:ID" the API ERP of that id. EDI_ECONFIG when wharf.xml has
 * no such ERP (any more). */
int gw_erp_open_outbox(const struct gw_erp_type **type, struct gw_erp **e, struct gw_ctx *c,
                       const char *okind, struct edi_err *err);
void gw_erp_items_free(struct gw_erp_item *v, size_t n);

/* The file exchange: erp/out/ for what the ERP is sent, erp/in/ for what it
 * has for us (applied files move to erp/in/done/, refused ones to
 * erp/in/refused/ with a .reason). Never through a link. */
extern const struct gw_erp_type gw_erp_files;
/* Brightpearl (brightpearl.c) and QuickBooks Online (quickbooks.c). */
extern const struct gw_erp_type gw_erp_brightpearl;
extern const struct gw_erp_type gw_erp_quickbooks;

/* ---- what the ERP is sent ---------------------------------------------- */

/* Outbox kinds of the ERP file exchange. */
#define GW_OUTBOX_ERP_JSON "erp-json"
#define GW_OUTBOX_ERP_CSV "erp-csv"
/* An API ERP's messages are kind "erp:ID", named "KIND:PARTNER:ID"
 * (order:amazon-rp:4A1B2C3D), holding the canonical document: its map
 * runs when it is pushed, so a cross-reference added later applies on
 * `wharf erp retry`. */
#define GW_OUTBOX_ERP_API "erp:"

/* The ERP JSON of a canonical document of cdoc.h through a local map, with
 * partner and state as its parameters. EDI_ENOTFOUND when the map is not
 * registered; a map's refusal is EDI_ESYNTAX with its first finding. */
int gw_erp_json(struct edi_buf *out, struct gw_ctx *c, const char *map, const char *partner,
                const char *state, const struct gw_cdoc *doc, struct edi_err *err);
/* The name of an ERP export: PARTNER-KIND-ID.EXT, or PARTNER-ID.EXT for an
 * order (kind NULL); slashes and backslashes in it become '_', and so does
 * a leading dot (nothing leaves the folder or hides there). EDI_ELIMIT
 * when it does not fit whole. Purge finds the files by it. */
int gw_erp_name(char *out, size_t cap, const char *partner, const char *kind, const char *id,
                const char *ext, struct edi_err *err);
/* One document for the ERP, inside the transaction of the change it
 * reports: PARTNER-KIND-ID.json through map (when JSON is wanted) and
 * PARTNER-KIND-ID.csv from csv (when CSV is wanted; csv may be NULL)
 * queued in the outbox. A map that fails is logged (the document stands);
 * a store error is returned: roll the change back. */
int gw_erp_write(struct gw_ctx *c, const char *partner, const char *kind, const char *id,
                 const char *state, const char *map, const struct gw_cdoc *doc, const struct edi_buf *csv,
                 struct edi_err *err);
/* A JSON document wharf made itself (no map), for the ERP: PARTNER-KIND-ID.json
 * queued in the outbox inside the caller's transaction, when erp/out/
 * wants JSON. A store error is returned: roll the change back. */
int gw_erp_write_json(struct gw_ctx *c, const char *partner, const char *kind, const char *id,
                      const char *json, size_t n, struct edi_err *err);
/* A sales order for the ERP: JSON through local/order-to-erp-json and CSV
 * (one row a line of o, with what the warehouse needs to ship it, read
 * from canonical, the order's canonical document), the same way. */
int gw_erp_order(struct gw_ctx *c, const struct gw_order *o, const struct gw_cdoc *canonical,
                 struct edi_err *err);

/* SPEC: issue 18 — the JSON and CSV rows of gw_erp_order made ahead, by an
 * inbound map worker with its own engine, for the state the order will
 * likely get: used when the order gets that state, else made again at the
 * store. */
struct gw_erp_pre {
    const char *state;     /* NULL: nothing made ahead */
    int rc;                /* the JSON's */
    struct edi_buf json;
    struct edi_err err;    /* when rc < 0 */
    int csv_rc;            /* the CSV rows' (no header) */
    struct edi_buf csv;
    struct edi_err csv_err;
    /* the order as read from its canonical document, when the caller has
     * read it already (the CSV rows need it); NULL: read again. Freed by
     * gw_erp_pre_dispose. */
    struct gw_corder *co;
};
/* Makes pre (zeroed but for co, the caller's; gw_erp_pre_dispose) when
 * the configuration writes JSON or CSV to erp/out/; reads only cfg, e, o
 * (made by order_from: no state yet) and canonical. */
void gw_erp_pre_make(struct gw_erp_pre *pre, struct map_engine *e, const struct gw_config *cfg, time_t now,
                     const struct gw_order *o, const char *state, const struct gw_cdoc *canonical);
void gw_erp_pre_dispose(struct gw_erp_pre *pre);
/* gw_erp_order with the JSON and CSV made ahead (pre may be NULL; then
 * canonical may not be). canonical NULL: read again from o->canonical
 * when what was made ahead is not for o->state, or an API ERP receives
 * orders. */
int gw_erp_order_pre(struct gw_ctx *c, const struct gw_order *o, const struct gw_cdoc *canonical,
                     const struct gw_erp_pre *pre, struct edi_err *err);

/* ---- the change log of an inbound file (<erp layout="per-file">) ------ */

/* SPEC: issue 18 — with layout="per-file" the sales orders an inbound
 * file creates or changes reach erp/out/ as one change log: a JSON Lines
 * file (each order's JSON, as the map made it, on one line) and a CSV (one
 * header, each order's rows), orders-SEQ-PARTNER.jsonl and .csv, SEQ a
 * twelve-digit number the store gives in commit order, so name order is
 * commit order and an importer applies them in name order, the last
 * record of a PO winning. The files are written under a temporary name
 * (gw_temp_path: ".NAME.wharf-PID.tmp") and synced before the store
 * commits; the same transaction queues an outbox message of kind
 * GW_OUTBOX_ERP_LOG per file, named NAME, its bytes the temporary name
 * (which staged file belongs to which commit); after the commit they are
 * renamed in sequence order and the messages marked sent. A crash between
 * the two is finished by gw_erp_recover; a staged file whose transaction
 * never committed is removed by it. API ERPs are sent per order either way. */
#define GW_OUTBOX_ERP_LOG "erp-log"
/* The test hook: WHARF_TEST_ERP_CRASH=staged kills the process (SIGKILL)
 * once the change log is staged, before the commit; =committed after the
 * commit, before the rename. */

struct gw_erp_log;
/* A new (empty) change log for the inbound file c is about to process, in
 * c->erp_log, when erp/out/ wants one (layout="per-file"); a log already
 * there (a rolled-back attempt) is dropped first (gw_erp_log_end). */
void gw_erp_log_begin(struct gw_ctx *c);
/* One order's record: its JSON (compacted to one line: white space
 * outside strings goes, nothing else changes) and its CSV rows (no
 * header). EDI_ESYNTAX when json is not one JSON object. */
int gw_erp_log_add(struct gw_erp_log *l, const char *partner, const char *json, size_t n, const char *rows,
                   size_t m, struct edi_err *err);
/* Inside the inbound file's transaction: once the log holds a piece
 * (1 MB), it is written to its staged files (made the first time, with
 * the log's sequence number) and started on its way to disk; memory holds
 * a piece, not the log. Nothing otherwise. */
int gw_erp_log_flush(struct gw_ctx *c, struct edi_err *err);
/* Inside the inbound file's transaction, before its commit: the rest of
 * the log written, its files synced, their outbox messages queued.
 * Nothing when the log is empty or absent. */
int gw_erp_log_stage(struct gw_ctx *c, struct edi_err *err);
/* gw_erp_log_stage, gw_store_commit, then the rename (gw_erp_publish): the
 * commit of an inbound file's transaction. */
int gw_erp_log_commit(struct gw_ctx *c, struct edi_err *err);
/* Frees c->erp_log. Staged files of a transaction that was never
 * committed are removed; after a commit that failed they are left to
 * gw_erp_recover, which asks the store. */
void gw_erp_log_end(struct gw_ctx *c);
/* Every committed change log not yet renamed, in sequence order, under
 * the store's write lock: renamed (or found renamed), the folder synced,
 * its message sent. Stops at the first it cannot rename, so a later log
 * never appears before an earlier one. */
int gw_erp_publish(struct gw_ctx *c, struct edi_err *err);
/* On start (the outbox flush): gw_erp_publish, then every staged change
 * log in erp/out/ whose process is gone and that no unsent message names
 * (its transaction never committed) is removed. */
int gw_erp_recover(struct gw_ctx *c, struct edi_err *err);
/* The personal data purge: every change log in erp/out/ that has a record
 * of PO po of partner is rewritten without them (temporary file, fsync,
 * rename; an emptied log stays, so the numbers keep no gap), each printed
 * to out ("  rewrote PATH" or, dry_run, "  would rewrite PATH"). Returns
 * how many logs were (or would be) rewritten. */
unsigned gw_erp_log_drop(const struct gw_config *cfg, const char *partner, const char *po, int dry_run, FILE *out);
/* orders-SEQ-PARTNER.EXT, SEQ twelve digits ('/' and '\\' in partner become '_'). */
int gw_erp_log_name(char *out, size_t cap, uint64_t seq, const char *partner, const char *ext,
                    struct edi_err *err);
/* json with the white space outside its strings removed, appended to out;
 * EDI_ESYNTAX (nothing appended) unless it is one object, whole. */
int gw_erp_json_line(struct edi_buf *out, const char *json, size_t n, struct edi_err *err);

#endif
