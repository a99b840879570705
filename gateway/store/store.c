/*
 * store.c — the gateway's store on SQLite (the only file in wharf that
 * includes sqlite3.h): opening with WAL, numbered migrations, transactions
 * that nest, and one function per state change, each atomic.
 *
 * What is not here: what the states mean and when they change (the
 * pipeline), the order XML (mappings/), file names and sending (the
 * transports). The contract is store.h.
 *
 * Conventions inside this file:
 * - every statement is a constant string in SQL[] with bound parameters,
 *   prepared once per connection and kept (statements are reset after each
 *   use, in the function's cleanup);
 * - a function that changes state runs between tx_begin and tx_end: at the
 *   top level that is BEGIN IMMEDIATE ... COMMIT, inside a transaction the
 *   caller opened with gw_store_begin it is a SAVEPOINT, so the call is
 *   still atomic (a failed call leaves the caller's earlier work intact);
 * - functions that only read run in a deferred read transaction, so an
 *   order and its lines come from one snapshot; under WAL they never wait
 *   for a writer;
 * - SQLite codes become ours in db_fail: BUSY/LOCKED → EDI_EAGAIN, disk
 *   and file errors → EDI_EIO, TOOBIG → EDI_ELIMIT, the rest (constraint
 *   violations included) → EDI_ERR; err->sys is the extended code.
 * - Ids (raw_id, interchange_id) of 0 or less are stored as NULL: "no
 *   such row" (an SP-API message has no interchange).
 */
#include "gateway/store/store.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not in store.h yet (proposed there): how long a call waits for another
 * connection's write transaction before it gives up with EDI_EAGAIN. The
 * default is STORE_BUSY_MS; tests shorten it. */

#define STORE_BUSY_MS 5000

/* ---- schema --------------------------------------------------------------- */

/* Numbered migrations: MIGRATIONS[i] takes the schema from version i to
 * i + 1, in its own transaction. Append only: a migration that shipped is
 * never edited, a change is a new entry. */
static const char *const MIGRATIONS[] = {
    /* 1: the first schema. Times are Unix seconds; quantities and money
     * are decimal strings (TEXT), never floating point. */
    "CREATE TABLE raw ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  direction TEXT NOT NULL,"
    "  name TEXT,"
    "  sha256 TEXT NOT NULL,"
    "  bytes BLOB NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  received INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX raw_sha256 ON raw (partner, direction, sha256);"

    "CREATE TABLE interchanges ("
    "  id INTEGER PRIMARY KEY,"
    "  raw_id INTEGER REFERENCES raw (id),"
    "  partner TEXT NOT NULL,"
    "  direction TEXT NOT NULL,"
    "  control TEXT NOT NULL,"
    "  sender TEXT,"
    "  receiver TEXT,"
    "  status TEXT NOT NULL,"
    "  at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX interchanges_control ON interchanges (partner, direction, control);"

    "CREATE TABLE documents ("
    "  id INTEGER PRIMARY KEY,"
    "  interchange_id INTEGER REFERENCES interchanges (id),"
    "  partner TEXT NOT NULL,"
    "  direction TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  group_control TEXT,"
    "  set_control TEXT,"
    "  ref TEXT,"
    "  state TEXT NOT NULL,"
    "  findings TEXT,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE INDEX documents_state ON documents (state);"
    "CREATE INDEX documents_ref ON documents (partner, ref);"
    "CREATE INDEX documents_interchange ON documents (interchange_id);"
    "CREATE TABLE document_events ("
    "  id INTEGER PRIMARY KEY,"
    "  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  detail TEXT);"
    "CREATE INDEX document_events_document ON document_events (document_id);"

    "CREATE TABLE orders ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  program TEXT NOT NULL,"
    "  po_number TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  canonical TEXT,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  UNIQUE (partner, program, po_number));"
    "CREATE INDEX orders_state ON orders (state);"
    "CREATE INDEX orders_created ON orders (created);"
    "CREATE TABLE order_lines ("
    "  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,"
    "  line_no INTEGER NOT NULL,"
    "  product_id TEXT,"
    "  description TEXT,"
    "  quantity TEXT,"
    "  unit TEXT,"
    "  unit_cost TEXT,"
    "  state TEXT NOT NULL,"
    "  PRIMARY KEY (order_id, line_no)) WITHOUT ROWID;"
    "CREATE TABLE order_history ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  what TEXT NOT NULL);"
    "CREATE INDEX order_history_order ON order_history (order_id);"

    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  name TEXT,"
    "  bytes BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_try INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  last_error TEXT);"
    "CREATE INDEX outbox_unsent ON outbox (next_try) WHERE sent_at IS NULL;"

    "CREATE TABLE sequences ("
    "  partner TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  value INTEGER NOT NULL,"
    "  PRIMARY KEY (partner, kind)) WITHOUT ROWID;"

    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  subject TEXT,"
    "  detail TEXT);"
    "CREATE INDEX audit_at ON audit (at);",

    /* 2: acknowledgment decisions, each a canonical order-ack, and when
     * they were queued in the outbox */
    "CREATE TABLE acks ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES orders (id),"
    "  created INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  canonical TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  outbox_id INTEGER REFERENCES outbox (id),"
    "  queued_at INTEGER);"
    "CREATE INDEX acks_order ON acks (order_id);"
    "CREATE INDEX acks_state ON acks (state);",

    /* 3: scheduled runs, one row per partner, job and scheduled minute
     * (due): the unique key is what keeps a minute from running twice */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  job TEXT NOT NULL,"
    "  due INTEGER NOT NULL,"
    "  started INTEGER NOT NULL,"
    "  ended INTEGER,"
    "  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),"
    "  counts TEXT,"
    "  error TEXT,"
    "  UNIQUE (partner, job, due));",

    /* 4: ship notices. A shipment row is one version of a shipment id
     * (BSN02): a replacement adds version + 1 and marks the earlier one
     * replaced. Its lines are what it ships of each order line; the
     * quantities in force are those of shipments not replaced. ssccs keeps
     * every SSCC sent, for the 365-day rule. Outbound documents remember
     * their outbox row, so sending one marks it sent. */
    "ALTER TABLE documents ADD COLUMN outbox_id INTEGER REFERENCES outbox (id);"
    "CREATE INDEX documents_outbox ON documents (outbox_id);"
    "CREATE TABLE shipments ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  program TEXT NOT NULL,"
    "  shipment_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  warehouse TEXT,"
    "  ship_to TEXT,"
    "  canonical TEXT NOT NULL,"
    "  document_id INTEGER REFERENCES documents (id),"
    "  outbox_id INTEGER REFERENCES outbox (id),"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  UNIQUE (partner, shipment_id, version));"
    "CREATE INDEX shipments_state ON shipments (state);"
    "CREATE TABLE shipment_lines ("
    "  shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,"
    "  order_id INTEGER NOT NULL REFERENCES orders (id),"
    "  line_no INTEGER NOT NULL,"
    "  quantity TEXT NOT NULL,"
    "  PRIMARY KEY (shipment_id, order_id, line_no)) WITHOUT ROWID;"
    "CREATE INDEX shipment_lines_order ON shipment_lines (order_id);"
    "CREATE TABLE ssccs ("
    "  sscc TEXT PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  shipment_id TEXT NOT NULL,"
    "  used INTEGER NOT NULL) WITHOUT ROWID;",

    /* 5: invoices, each with the (shipment, order) pairs it bills — a pair
     * is billed once, which is what makes the invoice run idempotent — and
     * the history of its states. Documents may be about another document
     * (a 997/999 or an 864 about what we sent) and carry a text (the 864's
     * message). */
    "CREATE TABLE invoices ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  program TEXT NOT NULL,"
    "  number TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  po_numbers TEXT,"
    "  total TEXT,"
    "  currency TEXT,"
    "  canonical TEXT NOT NULL,"
    "  findings TEXT,"
    "  document_id INTEGER REFERENCES documents (id),"
    "  outbox_id INTEGER REFERENCES outbox (id),"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  UNIQUE (partner, number));"
    "CREATE INDEX invoices_state ON invoices (state);"
    "CREATE INDEX invoices_document ON invoices (document_id);"
    "CREATE TABLE invoice_bills ("
    "  invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,"
    "  shipment_id INTEGER NOT NULL REFERENCES shipments (id),"
    "  order_id INTEGER NOT NULL REFERENCES orders (id),"
    "  PRIMARY KEY (shipment_id, order_id)) WITHOUT ROWID;"
    "CREATE INDEX invoice_bills_invoice ON invoice_bills (invoice_id);"
    "CREATE TABLE invoice_history ("
    "  id INTEGER PRIMARY KEY,"
    "  invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  what TEXT NOT NULL);"
    "CREATE INDEX invoice_history_invoice ON invoice_history (invoice_id);"
    "ALTER TABLE documents ADD COLUMN about INTEGER REFERENCES documents (id);"
    "ALTER TABLE documents ADD COLUMN text TEXT;"
    "CREATE INDEX documents_group ON documents (partner, direction, group_control);",

    /* 6: what each invoice bills of each order line, and from which
     * shipment (its version in force when billed). A replaced ship notice
     * keeps its shipment id: what is left to bill of it is its version in
     * force minus what these rows say was billed of any version, per PO
     * line, so the same goods are never billed twice. Invoices made
     * before this migration billed their (shipment, order) pairs in full:
     * the pairs' shipment lines are what they billed. */
    "CREATE TABLE invoice_lines ("
    "  invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,"
    "  shipment_id INTEGER NOT NULL REFERENCES shipments (id),"
    "  order_id INTEGER NOT NULL REFERENCES orders (id),"
    "  line_no INTEGER NOT NULL,"
    "  quantity TEXT NOT NULL);"
    "CREATE INDEX invoice_lines_order ON invoice_lines (order_id);"
    "CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id);"
    "INSERT INTO invoice_lines (invoice_id, shipment_id, order_id, line_no, quantity)"
    " SELECT b.invoice_id, b.shipment_id, b.order_id, l.line_no, l.quantity FROM invoice_bills b"
    " JOIN shipment_lines l ON l.shipment_id = b.shipment_id AND l.order_id = b.order_id;",

    /* 7: outbox claims. A sender claims a message (claimed_by "PID@HOST",
     * claimed_at) before it delivers it, so two processes never send one
     * message twice; sent or failed clears the claim, and a claim whose
     * owner died, or older than the stale time, is taken over. ERP files
     * go through the outbox too: a later file of the same kind and name
     * supersedes an earlier one still unsent (the index finds it). */
    "ALTER TABLE outbox ADD COLUMN claimed_by TEXT;"
    "ALTER TABLE outbox ADD COLUMN claimed_at INTEGER;"
    "CREATE INDEX outbox_name ON outbox (kind, name);",

    /* 8: received messages. A transport lands a message's bytes as a raw
     * row in state 'received' and nothing else; the inbound flow works
     * from those rows and settles each ('processed') with its verdict
     * (archived, quarantined, duplicate) and the reason, which the
     * transport that holds the message's file reads back. Rows from before
     * were processed when they were kept. */
    "ALTER TABLE raw ADD COLUMN state TEXT NOT NULL DEFAULT 'processed';"
    "ALTER TABLE raw ADD COLUMN verdict TEXT;"
    "ALTER TABLE raw ADD COLUMN reason TEXT;"
    "CREATE INDEX raw_received ON raw (partner, id) WHERE state = 'received';",
};

#define NMIGRATIONS ((int)(sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0])))

/* ---- statements ------------------------------------------------------------ */

enum q {
    Q_BEGIN_IMMEDIATE,
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_HAS_VERSION,
    Q_VERSION,
    Q_VERSION_TABLE,
    Q_VERSION_SET,
    Q_RAW_FIND,
    Q_RAW_INSERT,
    Q_RAW_RECEIVE,
    Q_RAW_RECEIVED,
    Q_RAW_GET,
    Q_RAW_SETTLE,
    Q_ICHG_SEEN,
    Q_ICHG_INSERT,
    Q_DOC_INSERT,
    Q_DOC_STATE,
    Q_DOC_EVENT,
    Q_ORDER_FIND,
    Q_ORDER_INSERT,
    Q_ORDER_UPDATE,
    Q_ORDER_STATE,
    Q_LINES_DELETE,
    Q_LINE_INSERT,
    Q_HISTORY_INSERT,
    Q_ORDER_GET,
    Q_ORDER_LIST,
    Q_LINES_GET,
    Q_HISTORY_GET,
    Q_OUTBOX_INSERT,
    Q_OUTBOX_DUE,
    Q_OUTBOX_SENT,
    Q_OUTBOX_FAILED,
    Q_OUTBOX_CLAIM,
    Q_OUTBOX_SUPERSEDED,
    Q_NEXT_CONTROL,
    Q_AUDIT,
    Q_COUNTS,
    Q_LAST_ERRORS,
    Q_ORDER_BY_ID,
    Q_ACK_INSERT,
    Q_ACKS_GET,
    Q_ACKS_OF_ORDER,
    Q_ACK_QUEUED,
    Q_RUN_INSERT,
    Q_RUN_END,
    Q_RUN_LAST,
    Q_RUNS_LIST,
    Q_DOC_OUTBOX,
    Q_DOCS_SENT,
    Q_DOCS_SENT_EVENT,
    Q_SHIP_INSERT,
    Q_SHIP_LINE_INSERT,
    Q_SHIP_GET,
    Q_SHIP_BY_ID,
    Q_SHIP_LIST,
    Q_SHIP_LINES,
    Q_SHIP_STATE,
    Q_ORDER_SHIPPED,
    Q_SSCC_GET,
    Q_SSCC_PUT,
    Q_INV_INSERT,
    Q_INV_BILL,
    Q_INV_HISTORY,
    Q_INV_UPDATE,
    Q_INV_GET,
    Q_INV_BY_ID,
    Q_INV_LIST,
    Q_INV_HISTORY_GET,
    Q_INV_BILLED,
    Q_INV_DOC_STATE,
    Q_INV_DOC_HISTORY,
    Q_INV_SENT_HISTORY,
    Q_INV_SENT,
    Q_DOC_BY_GROUP,
    Q_DOC_ABOUT,
    Q_DOC_LIST,
    Q_INV_BILLS_GET,
    Q_ORDER_UNBILLED,
    Q_INV_LINE_INSERT,
    Q_INV_LINES_BILLED,
    Q_INV_LAST_BILL,
    Q_INV_BILLED_ELSEWHERE,
    Q_COUNT_
};

#define INV_COLS "SELECT id, partner, program, number, state, po_numbers, total, currency, canonical," \
                 " findings, coalesce(document_id, 0), coalesce(outbox_id, 0), created, updated FROM invoices"
#define DOC_COLS "SELECT id, partner, direction, kind, group_control, set_control, ref, state, findings," \
                 " coalesce(about, 0), text, created, updated FROM documents"
#define SHIP_COLS "SELECT id, partner, program, shipment_id, version, state, warehouse, ship_to," \
                  " canonical, coalesce(document_id, 0), coalesce(outbox_id, 0), created FROM shipments"
#define ORDER_COLS "SELECT id, partner, program, po_number, state, canonical, created, updated FROM orders"

static const char *const SQL[Q_COUNT_] = {
    [Q_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [Q_BEGIN] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    /* One name for every level: RELEASE and ROLLBACK TO act on the
     * innermost savepoint of that name. */
    [Q_SAVEPOINT] = "SAVEPOINT gw",
    [Q_RELEASE] = "RELEASE gw",
    [Q_ROLLBACK_TO] = "ROLLBACK TO gw",
    [Q_HAS_VERSION] = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    [Q_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [Q_VERSION_TABLE] = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)",
    [Q_VERSION_SET] = "INSERT INTO schema_version (version) VALUES (?1)",
    [Q_RAW_FIND] = "SELECT id FROM raw WHERE partner = ?1 AND direction = ?2 AND sha256 = ?3",
    [Q_RAW_INSERT] = "INSERT INTO raw (partner, direction, name, sha256, bytes, size, received)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_RAW_RECEIVE] = "INSERT INTO raw (partner, direction, name, sha256, bytes, size, received, state)"
                      " VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6, 'received')",
    [Q_RAW_RECEIVED] = "SELECT id FROM raw WHERE state = 'received' AND (?1 IS NULL OR partner = ?1)"
                       " AND direction = 'in' ORDER BY id",
    [Q_RAW_GET] = "SELECT id, partner, name, bytes, size, received, state, verdict, reason FROM raw WHERE id = ?1",
    [Q_RAW_SETTLE] = "UPDATE raw SET state = 'processed', verdict = ?2, reason = ?3 WHERE id = ?1",
    [Q_ICHG_SEEN] = "SELECT 1 FROM interchanges WHERE partner = ?1 AND direction = ?2 AND control = ?3",
    [Q_ICHG_INSERT] = "INSERT INTO interchanges (raw_id, partner, direction, control, sender, receiver,"
                      " status, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_DOC_INSERT] = "INSERT INTO documents (interchange_id, partner, direction, kind, group_control,"
                     " set_control, ref, state, findings, created, updated)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    [Q_DOC_STATE] = "UPDATE documents SET state = ?2, updated = ?3 WHERE id = ?1",
    [Q_DOC_EVENT] = "INSERT INTO document_events (document_id, at, state, detail) VALUES (?1, ?2, ?3, ?4)",
    [Q_ORDER_FIND] = "SELECT id, created FROM orders WHERE partner = ?1 AND program = ?2 AND po_number = ?3",
    [Q_ORDER_INSERT] = "INSERT INTO orders (partner, program, po_number, state, canonical, created, updated)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    [Q_ORDER_UPDATE] = "UPDATE orders SET state = ?2, canonical = ?3, updated = ?4 WHERE id = ?1",
    [Q_ORDER_STATE] = "UPDATE orders SET state = ?2, updated = ?3 WHERE id = ?1",
    [Q_LINES_DELETE] = "DELETE FROM order_lines WHERE order_id = ?1",
    [Q_LINE_INSERT] = "INSERT INTO order_lines (order_id, line_no, product_id, description, quantity,"
                      " unit, unit_cost, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_HISTORY_INSERT] = "INSERT INTO order_history (order_id, at, state, what) VALUES (?1, ?2, ?3, ?4)",
    [Q_ORDER_GET] = ORDER_COLS " WHERE partner = ?1 AND program = ?2 AND po_number = ?3",
    [Q_ORDER_LIST] = ORDER_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2)"
                     " ORDER BY created DESC, id DESC",
    [Q_LINES_GET] = "SELECT line_no, product_id, description, quantity, unit, unit_cost, state"
                    " FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    [Q_HISTORY_GET] = "SELECT at, state, what FROM order_history WHERE order_id = ?1 ORDER BY at, id",
    [Q_OUTBOX_INSERT] = "INSERT INTO outbox (partner, kind, name, bytes, created, attempts, next_try)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, 0, ?5)",
    [Q_OUTBOX_DUE] = "SELECT id, partner, kind, name, bytes, attempts, next_try, claimed_by,"
                     " coalesce(claimed_at, 0) FROM outbox"
                     " WHERE sent_at IS NULL AND next_try <= ?1 AND id > ?3 AND (?4 IS NULL OR partner = ?4)"
                     " ORDER BY id LIMIT ?2",
    /* Sent twice (a retry after a lost reply) keeps the first time. The
     * claim is over either way. */
    [Q_OUTBOX_SENT] = "UPDATE outbox SET sent_at = coalesce(sent_at, ?2), claimed_by = NULL, claimed_at = NULL"
                      " WHERE id = ?1",
    [Q_OUTBOX_FAILED] = "UPDATE outbox SET attempts = attempts + 1, next_try = ?2, last_error = ?3,"
                        " claimed_by = NULL, claimed_at = NULL WHERE id = ?1",
    /* One statement decides: of two senders, the one whose UPDATE comes
     * second finds the row claimed (or sent) and changes nothing. */
    [Q_OUTBOX_CLAIM] = "UPDATE outbox SET claimed_by = ?2, claimed_at = ?3"
                       " WHERE id = ?1 AND sent_at IS NULL AND next_try <= ?3"
                       " AND (claimed_by IS NULL OR claimed_by = ?2 OR claimed_at <= ?4 OR claimed_by = ?5)",
    [Q_OUTBOX_SUPERSEDED] = "SELECT EXISTS (SELECT 1 FROM outbox o JOIN outbox l ON l.kind = o.kind"
                            " AND l.name = o.name AND l.id > o.id WHERE o.id = ?1)",
    /* One statement: the read and the increment cannot be split by another
     * writer, and inside the caller's transaction a rollback takes the
     * number back, so numbers have no gaps and are never reused. */
    [Q_NEXT_CONTROL] = "INSERT INTO sequences (partner, kind, value) VALUES (?1, ?2, 1)"
                       " ON CONFLICT (partner, kind) DO UPDATE SET value = value + 1 RETURNING value",
    [Q_AUDIT] = "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_ORDER_BY_ID] = ORDER_COLS " WHERE id = ?1",
    [Q_ACK_INSERT] = "INSERT INTO acks (order_id, created, actor, canonical, state) "
                     "VALUES (?1, ?2, ?3, ?4, 'pending')",
    [Q_ACKS_GET] = "SELECT id, order_id, created, actor, canonical, state, coalesce(queued_at, 0) "
                   "FROM acks WHERE ?1 = 0 AND (?2 IS NULL OR state = ?2) ORDER BY id",
    /* one order's: by the acks_order index (an OR on ?1 would scan) */
    [Q_ACKS_OF_ORDER] = "SELECT id, order_id, created, actor, canonical, state, coalesce(queued_at, 0) "
                        "FROM acks WHERE order_id = ?1 AND (?2 IS NULL OR state = ?2) ORDER BY id",
    [Q_ACK_QUEUED] = "UPDATE acks SET state = 'queued', outbox_id = ?2, queued_at = ?3 "
                     "WHERE id = ?1 AND state = 'pending'",
    /* A minute that has a row already inserts nothing: changes() is 0. */
    [Q_RUN_INSERT] = "INSERT INTO runs (partner, job, due, started, state)"
                     " VALUES (?1, ?2, ?3, ?4, 'running') ON CONFLICT (partner, job, due) DO NOTHING",
    [Q_RUN_END] = "UPDATE runs SET state = ?2, counts = ?3, error = ?4, ended = ?5 WHERE id = ?1",
    [Q_RUN_LAST] = "SELECT coalesce(max(due), 0) FROM runs WHERE partner = ?1 AND job = ?2",
    [Q_RUNS_LIST] = "SELECT id, partner, job, due, started, coalesce(ended, 0), state, counts, error"
                    " FROM runs ORDER BY id DESC LIMIT ?1",
    [Q_DOC_OUTBOX] = "UPDATE documents SET outbox_id = ?2 WHERE id = ?1",
    /* the event first (it names the documents still queued), then the state */
    [Q_DOCS_SENT_EVENT] = "INSERT INTO document_events (document_id, at, state, detail)"
                          " SELECT id, ?2, 'sent', NULL FROM documents WHERE outbox_id = ?1 AND state = 'queued'",
    [Q_DOCS_SENT] = "UPDATE documents SET state = 'sent', updated = ?2 WHERE outbox_id = ?1 AND state = 'queued'",
    [Q_SHIP_INSERT] = "INSERT INTO shipments (partner, program, shipment_id, version, state, warehouse,"
                      " ship_to, canonical, document_id, outbox_id, created, updated)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    [Q_SHIP_LINE_INSERT] = "INSERT INTO shipment_lines (shipment_id, order_id, line_no, quantity)"
                           " VALUES (?1, ?2, ?3, ?4)",
    [Q_SHIP_GET] = SHIP_COLS " WHERE (?1 IS NULL OR partner = ?1) AND shipment_id = ?2"
                   " ORDER BY state = 'replaced', version DESC, id DESC LIMIT 1",
    [Q_SHIP_BY_ID] = SHIP_COLS " WHERE id = ?1",
    [Q_SHIP_LIST] = SHIP_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2)"
                    " ORDER BY id",
    [Q_SHIP_LINES] = "SELECT order_id, line_no, quantity FROM shipment_lines WHERE shipment_id = ?1"
                     " ORDER BY order_id, line_no",
    [Q_SHIP_STATE] = "UPDATE shipments SET state = ?2, updated = ?3 WHERE id = ?1",
    [Q_ORDER_SHIPPED] = "SELECT l.order_id, l.line_no, l.quantity FROM shipment_lines l"
                        " JOIN shipments s ON s.id = l.shipment_id"
                        " WHERE l.order_id = ?1 AND s.state <> 'replaced' AND s.id <> ?2"
                        " ORDER BY l.line_no, s.id",
    [Q_SSCC_GET] = "SELECT shipment_id, used FROM ssccs WHERE sscc = ?1",
    [Q_SSCC_PUT] = "INSERT INTO ssccs (sscc, partner, shipment_id, used) VALUES (?1, ?2, ?3, ?4)"
                   " ON CONFLICT (sscc) DO UPDATE SET partner = ?2, shipment_id = ?3, used = ?4",
    [Q_INV_INSERT] = "INSERT INTO invoices (partner, program, number, state, po_numbers, total, currency,"
                     " canonical, findings, document_id, outbox_id, created, updated)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
    [Q_INV_BILL] = "INSERT INTO invoice_bills (invoice_id, shipment_id, order_id) VALUES (?1, ?2, ?3)",
    [Q_INV_HISTORY] = "INSERT INTO invoice_history (invoice_id, at, state, what) VALUES (?1, ?2, ?3, ?4)",
    [Q_INV_UPDATE] = "UPDATE invoices SET state = ?2, canonical = ?3, findings = ?4, total = ?5,"
                     " document_id = ?6, outbox_id = ?7, updated = ?8 WHERE id = ?1",
    [Q_INV_GET] = INV_COLS " WHERE (?1 IS NULL OR partner = ?1) AND number = ?2 ORDER BY id DESC LIMIT 1",
    [Q_INV_BY_ID] = INV_COLS " WHERE id = ?1",
    [Q_INV_LIST] = INV_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2) ORDER BY id",
    [Q_INV_HISTORY_GET] = "SELECT at, state, what FROM invoice_history WHERE invoice_id = ?1 ORDER BY at, id",
    [Q_INV_BILLED] = "SELECT invoice_id FROM invoice_bills WHERE shipment_id = ?1 AND order_id = ?2",
    /* a document's new state reaches the invoice it carries: the history
     * first (it names the invoices about to change), then the state */
    [Q_INV_DOC_HISTORY] = "INSERT INTO invoice_history (invoice_id, at, state, what)"
                          " SELECT id, ?3, ?2, ?4 FROM invoices WHERE document_id = ?1"
                          " AND state IN ('queued', 'sent', 'accepted', 'rejected') AND state <> ?2",
    [Q_INV_DOC_STATE] = "UPDATE invoices SET state = ?2, updated = ?3 WHERE document_id = ?1"
                        " AND state IN ('queued', 'sent', 'accepted', 'rejected') AND state <> ?2",
    [Q_INV_SENT_HISTORY] = "INSERT INTO invoice_history (invoice_id, at, state, what)"
                           " SELECT id, ?2, 'sent', 'the 810 left the outbox' FROM invoices"
                           " WHERE outbox_id = ?1 AND state = 'queued'",
    [Q_INV_SENT] = "UPDATE invoices SET state = 'sent', updated = ?2 WHERE outbox_id = ?1 AND state = 'queued'",
    [Q_DOC_BY_GROUP] = DOC_COLS " WHERE partner = ?1 AND direction = 'outbound' AND group_control = ?2"
                       " AND (?3 IS NULL OR set_control = ?3) ORDER BY id",
    [Q_DOC_ABOUT] = "UPDATE documents SET about = ?2, text = coalesce(?3, text) WHERE id = ?1",
    [Q_DOC_LIST] = DOC_COLS " WHERE (?1 IS NULL OR partner = ?1) AND (?2 IS NULL OR kind = ?2)"
                   " AND (?3 IS NULL OR state = ?3) AND (?4 = 0 OR about = ?4 OR id = ?4)"
                   " ORDER BY id DESC LIMIT ?5",
    [Q_ORDER_UNBILLED] = "SELECT count(DISTINCT s.id) FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id"
                         " WHERE l.order_id = ?1 AND s.state = 'queued' AND NOT EXISTS (SELECT 1 FROM"
                         " invoice_bills b WHERE b.shipment_id = s.id AND b.order_id = ?1)",
    [Q_INV_BILLS_GET] = "SELECT shipment_id, order_id FROM invoice_bills WHERE invoice_id = ?1"
                        " ORDER BY shipment_id, order_id",
    [Q_INV_LINE_INSERT] = "INSERT INTO invoice_lines (invoice_id, shipment_id, order_id, line_no, quantity)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)",
    /* what invoices other than ?4 billed of an order from any version of a shipment id */
    [Q_INV_LINES_BILLED] = "SELECT l.invoice_id, i.number, l.line_no, l.quantity FROM invoice_lines l"
                           " JOIN invoices i ON i.id = l.invoice_id JOIN shipments s ON s.id = l.shipment_id"
                           " WHERE s.partner = ?1 AND s.shipment_id = ?2 AND l.order_id = ?3"
                           " AND l.invoice_id <> ?4 ORDER BY l.line_no, l.invoice_id",
    [Q_INV_LAST_BILL] = "SELECT b.invoice_id FROM invoice_bills b JOIN shipments s ON s.id = b.shipment_id"
                        " WHERE s.partner = ?1 AND s.shipment_id = ?2 AND b.order_id = ?3"
                        " ORDER BY b.invoice_id DESC LIMIT 1",
    /* orders billed from another version (row <> ?3) of a shipment id */
    [Q_INV_BILLED_ELSEWHERE] = "SELECT DISTINCT b.order_id FROM invoice_bills b JOIN shipments s ON s.id = b.shipment_id"
                               " WHERE s.partner = ?1 AND s.shipment_id = ?2 AND s.id <> ?3 ORDER BY b.order_id",
    [Q_COUNTS] = "SELECT what, n FROM ("
                 " SELECT 1 AS k, 'orders:' || state AS what, count(*) AS n FROM orders GROUP BY state"
                 " UNION ALL"
                 " SELECT 2, 'documents:' || state, count(*) FROM documents GROUP BY state"
                 " UNION ALL"
                 " SELECT 2, 'invoices:' || state, count(*) FROM invoices GROUP BY state"
                 " UNION ALL"
                 " SELECT 3, 'outbox:due', count(*) FROM outbox WHERE sent_at IS NULL AND next_try <= ?1"
                 " UNION ALL"
                 " SELECT 4, 'outbox:failed', count(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0"
                 ") ORDER BY k, what",
    /* Rejected documents (the detail of the rejection, else the findings),
     * outbox failures and failed runs. An outbox failure has no time of its own (the
     * contract's outbox_failed takes none): its next try stands in. */
    [Q_LAST_ERRORS] = "SELECT at, partner, subject, detail FROM ("
                      " SELECT d.updated AS at, 0 AS src, d.id AS id, d.partner AS partner,"
                      "  d.kind || ' ' || coalesce(d.ref, d.set_control, '#' || d.id) || ' rejected' AS subject,"
                      "  coalesce((SELECT e.detail FROM document_events e WHERE e.document_id = d.id"
                      "            AND e.state = d.state AND e.detail IS NOT NULL ORDER BY e.id DESC LIMIT 1),"
                      "           d.findings, '') AS detail"
                      " FROM documents d WHERE d.state = 'rejected'"
                      " UNION ALL"
                      " SELECT o.next_try, 1, o.id, o.partner,"
                      "  'outbox ' || o.kind || ' ' || coalesce(o.name, '#' || o.id) || ' attempt '"
                      "  || o.attempts || ' failed' || CASE WHEN o.sent_at IS NULL THEN '' ELSE ' (since sent)' END,"
                      "  o.last_error"
                      " FROM outbox o WHERE o.last_error IS NOT NULL"
                      " UNION ALL"
                      " SELECT coalesce(r.ended, r.started), 2, r.id, r.partner, r.job || ' run failed',"
                      "  coalesce(r.error, '')"
                      " FROM runs r WHERE r.state = 'failed'"
                      ") ORDER BY at DESC, src, id DESC LIMIT ?1",
};

struct gw_store {
    sqlite3 *db;
    char *path;
    int version;
    int depth;      /* open levels: 0 none, 1 BEGIN, more: SAVEPOINTs */
    int doomed;     /* SQLite rolled the caller's transaction back: its rc */
    sqlite3_stmt *st[Q_COUNT_];
};

/* ---- errors ------------------------------------------------------------------ */

static int rc_of(int code)
{
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EDI_EAGAIN;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CORRUPT:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
        return EDI_EIO;
    case SQLITE_NOTADB:
        return EDI_ECONFIG;     /* the path names something else: fix the config */
    case SQLITE_TOOBIG:
        return EDI_ELIMIT;
    default:
        return EDI_ERR;
    }
}

/* Turns SQLite's code (extended) into ours, naming the operation. Call it
 * before anything else touches the connection: the message is the last
 * call's. */
static int db_fail(struct gw_store *s, int code, const char *op, struct edi_err *err)
{
    const char *m = sqlite3_errstr(code);
    int rc;

    if (s != NULL && s->db != NULL && sqlite3_extended_errcode(s->db) == code)
        m = sqlite3_errmsg(s->db);
    rc = edi_fail(err, rc_of(code), "store: %s: %s", op, m);
    if (err != NULL)
        err->sys = code;
    return rc;
}

/* ---- statements and binding ------------------------------------------------ */

static int prep(sqlite3_stmt **out, struct gw_store *s, enum q q, const char *op,
                struct edi_err *err)
{
    int c;

    *out = NULL;
    if (s->st[q] == NULL) {
        c = sqlite3_prepare_v3(s->db, SQL[q], -1, SQLITE_PREPARE_PERSISTENT, &s->st[q], NULL);
        if (c != SQLITE_OK)
            return db_fail(s, c, op, err);
    } else {
        sqlite3_reset(s->st[q]);
        sqlite3_clear_bindings(s->st[q]);
    }
    *out = s->st[q];
    return 0;
}

/* Puts a statement back for its next use (NULL: nothing). */
static void finish(sqlite3_stmt *st)
{
    if (st != NULL) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* 1: a row, 0: done, < 0: an error. */
static int step(sqlite3_stmt *st, struct gw_store *s, const char *op, struct edi_err *err)
{
    int c = sqlite3_step(st);

    if (c == SQLITE_ROW)
        return 1;
    if (c == SQLITE_DONE)
        return 0;
    return db_fail(s, c, op, err);
}

/* Binders with a sticky SQLite code, checked once by bound(). Values are
 * SQLITE_STATIC: every statement is stepped before its inputs go away. */
static void bind_text(int *bc, sqlite3_stmt *st, int i, const char *v)
{
    if (*bc == SQLITE_OK)
        *bc = v != NULL ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static void bind_i64(int *bc, sqlite3_stmt *st, int i, int64_t v)
{
    if (*bc == SQLITE_OK)
        *bc = sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* An id of 0 or less is "none". */
static void bind_id(int *bc, sqlite3_stmt *st, int i, int64_t v)
{
    if (*bc == SQLITE_OK)
        *bc = v > 0 ? sqlite3_bind_int64(st, i, (sqlite3_int64)v) : sqlite3_bind_null(st, i);
}

static void bind_blob(int *bc, sqlite3_stmt *st, int i, const void *p, size_t n)
{
    /* a NULL pointer would bind SQL NULL: empty bytes are an empty blob */
    if (*bc == SQLITE_OK)
        *bc = sqlite3_bind_blob64(st, i, n > 0 ? p : "", (sqlite3_uint64)n, SQLITE_STATIC);
}

static int bound(struct gw_store *s, int bc, const char *op, struct edi_err *err)
{
    return bc == SQLITE_OK ? 0 : db_fail(s, bc, op, err);
}

/* A copy of a text column, NULL for SQL NULL. */
static char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t != NULL ? edi_xstrdup((const char *)t) : NULL;
}

/* Runs a cached statement with two integer parameters and no rows. */
static int exec_ii(struct gw_store *s, enum q q, int64_t a, int64_t b, const char *op,
                   struct edi_err *err)
{
    sqlite3_stmt *st;
    int rc, bc = SQLITE_OK;

    if ((rc = prep(&st, s, q, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, a);
    bind_i64(&bc, st, 2, b);
    if ((rc = bound(s, bc, op, err)) == 0)
        rc = step(st, s, op, err);
    finish(st);
    return rc < 0 ? rc : 0;
}

/* Runs a cached statement without parameters or rows (BEGIN, COMMIT ...). */
static int run(struct gw_store *s, enum q q, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = prep(&st, s, q, op, err)) < 0)
        return rc;
    rc = step(st, s, op, err);
    finish(st);
    return rc < 0 ? rc : 0;
}

/* ---- transactions -------------------------------------------------------------- */

enum { TX_READ, TX_WRITE };

/* Opens one level: BEGIN IMMEDIATE (writes: the write lock is taken now,
 * so a busy store fails here, before any work, with EDI_EAGAIN) or BEGIN
 * (reads), or a SAVEPOINT inside an open transaction. */
static int tx_begin(struct gw_store *s, int mode, const char *op, struct edi_err *err)
{
    int rc;

    if (s->doomed)
        return edi_fail(err, s->doomed,
                        "store: %s: the open transaction was lost to an earlier error; roll it back",
                        op);
    if ((rc = run(s, s->depth > 0 ? Q_SAVEPOINT : mode == TX_WRITE ? Q_BEGIN_IMMEDIATE : Q_BEGIN, op,
                  err)) < 0)
        return rc;
    s->depth++;
    return 0;
}

/* Undoes the innermost level. When SQLite has already rolled the whole
 * transaction back (it may, on I/O errors and a full disk), a caller's
 * outer transaction is gone too: remember that, so its later calls and
 * its commit fail instead of running outside any transaction. */
static void tx_undo(struct gw_store *s, int rc)
{
    if (s->depth <= 0)
        return;
    if (sqlite3_get_autocommit(s->db)) {
        if (s->depth > 1 && !s->doomed)
            s->doomed = rc < 0 ? rc : EDI_ERR;
    } else if (s->depth == 1) {
        run(s, Q_ROLLBACK, "rollback", NULL);
    } else {
        run(s, Q_ROLLBACK_TO, "rollback", NULL);
        run(s, Q_RELEASE, "rollback", NULL);
    }
    s->depth--;
}

/* Closes the innermost level: commits (or releases the savepoint) when rc
 * is 0, else undoes it. Returns rc, or the commit's error. */
static int tx_end(struct gw_store *s, int rc, const char *op, struct edi_err *err)
{
    if (s->depth <= 0)
        return rc;
    if (rc >= 0) {
        int c = run(s, s->depth == 1 ? Q_COMMIT : Q_RELEASE, op, err);

        if (c == 0) {
            s->depth--;
            return rc;
        }
        rc = c;
    }
    tx_undo(s, rc);
    return rc;
}

int gw_store_begin(struct gw_store *s, struct edi_err *err)
{
    return tx_begin(s, TX_WRITE, "begin", err);
}

/* On failure the transaction is rolled back: redo the whole unit. */
int gw_store_commit(struct gw_store *s, struct edi_err *err)
{
    int rc;

    if (s->depth <= 0)
        return edi_fail(err, EDI_ERR, "store: commit: no transaction open");
    if (s->doomed) {
        rc = edi_fail(err, s->doomed, "store: commit: the transaction was lost to an earlier error");
        gw_store_rollback(s);
        return rc;
    }
    return tx_end(s, 0, "commit", err);
}

void gw_store_rollback(struct gw_store *s)
{
    if (s == NULL || s->depth <= 0)
        return;
    if (s->doomed) {
        /* nothing left to undo at any level */
        if (!sqlite3_get_autocommit(s->db))
            run(s, Q_ROLLBACK, "rollback", NULL);
        s->depth = 0;
        s->doomed = 0;
        return;
    }
    tx_undo(s, EDI_ERR);
}

/* ---- open, migrate, close ------------------------------------------------- */

/* The schema version on disk (0: an empty store). */
static int read_version(int *out, struct gw_store *s, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = prep(&st, s, Q_HAS_VERSION, "read schema version", err)) < 0 ||
        (rc = step(st, s, "read schema version", err)) < 0)
        goto out;
    if (rc == 0 || sqlite3_column_int64(st, 0) == 0) {
        rc = 0;
        goto out;
    }
    finish(st);
    if ((rc = prep(&st, s, Q_VERSION, "read schema version", err)) < 0 ||
        (rc = step(st, s, "read schema version", err)) < 0)
        goto out;
    *out = rc == 1 ? sqlite3_column_int(st, 0) : 0;
    rc = 0;
out:
    finish(st);
    return rc;
}

static int too_new(const struct gw_store *s, int v, struct edi_err *err)
{
    return edi_fail(err, EDI_ECONFIG,
                    "store: %s has schema version %d, newer than this wharf knows (%d): "
                    "run a newer wharf",
                    s->path, v, NMIGRATIONS);
}

/* Applies the migrations the store lacks, each in its own transaction.
 * The version is read without a lock first, so an up-to-date store opens
 * while another process writes; under the write lock it is read again, in
 * case another process migrated in between. */
static int migrate(struct gw_store *s, struct edi_err *err)
{
    char op[64];
    int rc, v, cur;

    if ((rc = read_version(&v, s, err)) < 0)
        return rc;
    if (v > NMIGRATIONS)
        return too_new(s, v, err);
    for (; v < NMIGRATIONS; v++) {
        sqlite3_stmt *st = NULL;
        int bc = SQLITE_OK;

        snprintf(op, sizeof(op), "migrate to schema version %d", v + 1);
        if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
            return rc;
        if ((rc = run(s, Q_VERSION_TABLE, op, err)) < 0 || (rc = read_version(&cur, s, err)) < 0)
            goto next;
        if (cur > NMIGRATIONS) {
            rc = too_new(s, cur, err);
            goto next;
        }
        if (cur > v) {              /* another process migrated meanwhile */
            v = cur - 1;
            goto next;
        }
        /* constant DDL, no values: sqlite3_exec runs the whole script */
        if ((bc = sqlite3_exec(s->db, MIGRATIONS[v], NULL, NULL, NULL)) != SQLITE_OK) {
            rc = db_fail(s, bc, op, err);
            goto next;
        }
        if ((rc = prep(&st, s, Q_VERSION_SET, op, err)) < 0)
            goto next;
        bind_i64(&bc, st, 1, v + 1);
        if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
            goto next;
        rc = 0;
next:
        finish(st);
        if ((rc = tx_end(s, rc, op, err)) < 0)
            return rc;
    }
    s->version = NMIGRATIONS;
    return 0;
}

/* WAL: readers (`wharf status`, the CLI) never wait for the daemon, and
 * the daemon never waits for them. */
static int use_wal(struct gw_store *s, struct edi_err *err)
{
    static const char op[] = "set journal_mode=WAL";
    sqlite3_stmt *st = NULL;
    const char *mode;
    int c, rc = 0;

    if ((c = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL)) != SQLITE_OK)
        return db_fail(s, c, op, err);
    if ((c = sqlite3_step(st)) != SQLITE_ROW) {
        rc = db_fail(s, c, op, err);
        goto out;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(s->path, ":memory:") != 0))
        rc = edi_fail(err, EDI_ECONFIG,
                      "store: %s: cannot use WAL mode (journal mode stays %s): "
                      "put the workspace on a local file system",
                      s->path, mode ? mode : "unknown");
out:
    sqlite3_finalize(st);
    return rc;
}

int gw_store_open(struct gw_store **out, const char *path, struct edi_err *err)
{
    struct gw_store *s = NULL;
    char op[256];
    int rc, c;

    *out = NULL;
    if (path == NULL || *path == '\0')
        return edi_fail(err, EDI_ERR, "store: open: no path");
    snprintf(op, sizeof(op), "open %s", path);
    s = edi_xcalloc(1, sizeof(*s));
    s->path = edi_xstrdup(path);
    c = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (s->db == NULL)
        abort();                    /* out of memory: the wrappers' policy */
    sqlite3_extended_result_codes(s->db, 1);
    if (c != SQLITE_OK) {
        rc = db_fail(s, c, op, err);
        goto out;
    }
    sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
    /* synchronous=FULL, not NORMAL: under WAL, NORMAL may lose the last
     * commits on power loss (the database stays consistent, but not
     * durable). A control number or outbox row that was committed, then
     * used to write a file the partner receives, must not come back after
     * a reboot, or a number is reused and a message sent twice. FULL costs
     * one fsync of the WAL per commit: batch a file's work in one
     * gw_store_begin/commit. */
    if ((c = sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = db_fail(s, c, op, err);
        goto out;
    }
    if ((rc = use_wal(s, err)) < 0)
        goto out;
    if ((c = sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = db_fail(s, c, op, err);
        goto out;
    }
    if ((rc = migrate(s, err)) < 0)
        goto out;
    *out = s;
    s = NULL;
out:
    gw_store_close(s);
    return rc;
}

void gw_store_close(struct gw_store *s)
{
    int i;

    if (s == NULL)
        return;
    /* a transaction still open is dropped, as a crash would drop it */
    if (s->db != NULL && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    for (i = 0; i < Q_COUNT_; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int gw_store_version(const struct gw_store *s)
{
    return s->version;
}

void gw_store_set_busy_timeout(struct gw_store *s, int ms)
{
    sqlite3_busy_timeout(s->db, ms);
}

/* ---- raw bytes ---------------------------------------------------------------- */

static int sha256_hex(char hex[65], const void *p, size_t n, struct edi_err *err)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;

    if (EVP_Digest(n > 0 ? p : "", n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        unsigned long e = ERR_get_error();
        const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;
        int rc = edi_fail(err, EDI_ERR, "store: put raw: SHA-256 failed: %s", why ? why : "unknown");

        if (err != NULL)
            err->sys = (int)ERR_GET_REASON(e);
        ERR_clear_error();
        return rc;
    }
    for (i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    return 0;
}

int gw_store_put_raw(int64_t *id, int *dup, char sha256[65], struct gw_store *s,
                     const char *partner, const char *direction, const char *name,
                     const void *bytes, size_t n, time_t now, struct edi_err *err)
{
    static const char op[] = "put raw";
    sqlite3_stmt *find = NULL, *ins = NULL;
    int rc, bc = SQLITE_OK;

    *id = 0;
    *dup = 0;
    sha256[0] = '\0';
    if (bytes == NULL && n > 0)
        return edi_fail(err, EDI_ERR, "store: put raw: no bytes");
    if ((rc = sha256_hex(sha256, bytes, n, err)) < 0)
        return rc;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&find, s, Q_RAW_FIND, op, err)) < 0)
        goto out;
    bind_text(&bc, find, 1, partner);
    bind_text(&bc, find, 2, direction);
    bind_text(&bc, find, 3, sha256);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(find, s, op, err)) < 0)
        goto out;
    if (rc == 1) {
        *id = sqlite3_column_int64(find, 0);
        *dup = 1;
        rc = 0;
        goto out;
    }
    if ((rc = prep(&ins, s, Q_RAW_INSERT, op, err)) < 0)
        goto out;
    bind_text(&bc, ins, 1, partner);
    bind_text(&bc, ins, 2, direction);
    bind_text(&bc, ins, 3, name);
    bind_text(&bc, ins, 4, sha256);
    bind_blob(&bc, ins, 5, bytes, n);
    bind_i64(&bc, ins, 6, (int64_t)n);
    bind_i64(&bc, ins, 7, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(ins, s, op, err)) < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = 0;
out:
    finish(find);
    finish(ins);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        *id = 0;
        *dup = 0;
    }
    return rc;
}

int gw_store_receive_raw(int64_t *id, int *dup, int *pending, struct gw_store *s, const char *partner,
                         const char *name, const void *bytes, size_t n, time_t now, struct edi_err *err)
{
    static const char op[] = "receive raw";
    sqlite3_stmt *find = NULL, *ins = NULL, *get = NULL;
    char sha256[65];
    int rc, bc = SQLITE_OK;

    *id = 0;
    *dup = 0;
    *pending = 0;
    if (bytes == NULL && n > 0)
        return edi_fail(err, EDI_ERR, "store: receive raw: no bytes");
    if ((rc = sha256_hex(sha256, bytes, n, err)) < 0)
        return rc;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&find, s, Q_RAW_FIND, op, err)) < 0)
        goto out;
    bind_text(&bc, find, 1, partner);
    bind_text(&bc, find, 2, "in");
    bind_text(&bc, find, 3, sha256);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(find, s, op, err)) < 0)
        goto out;
    if (rc == 1) {
        *id = sqlite3_column_int64(find, 0);
        *dup = 1;
        finish(find);
        find = NULL;
        if ((rc = prep(&get, s, Q_RAW_GET, op, err)) < 0)
            goto out;
        bind_i64(&bc, get, 1, *id);
        if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(get, s, op, err)) < 0)
            goto out;
        *pending = rc == 1 && strcmp((const char *)sqlite3_column_text(get, 6), "received") == 0;
        rc = 0;
        goto out;
    }
    if ((rc = prep(&ins, s, Q_RAW_RECEIVE, op, err)) < 0)
        goto out;
    bind_text(&bc, ins, 1, partner);
    bind_text(&bc, ins, 2, name);
    bind_text(&bc, ins, 3, sha256);
    bind_blob(&bc, ins, 4, bytes, n);
    bind_i64(&bc, ins, 5, (int64_t)n);
    bind_i64(&bc, ins, 6, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(ins, s, op, err)) < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(s->db);
    *pending = 1;
    rc = 0;
out:
    finish(find);
    finish(ins);
    finish(get);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        *id = 0;
        *dup = 0;
        *pending = 0;
    }
    return rc;
}

int gw_store_raws_received(int64_t **ids, size_t *n, struct gw_store *s, const char *partner,
                           struct edi_err *err)
{
    static const char op[] = "received raws";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;
    size_t cap = 0;

    *ids = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_RAW_RECEIVED, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, partner);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *ids = edi_xrealloc(*ids, cap * sizeof(**ids));
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int gw_store_get_raw(struct gw_raw **out, struct gw_store *s, int64_t id, struct edi_err *err)
{
    static const char op[] = "get raw";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_RAW_GET, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    if (rc == 0) {
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no raw message #%lld", op, (long long)id);
        goto out;
    }
    {
        struct gw_raw *r = edi_xcalloc(1, sizeof(*r));
        const void *b = sqlite3_column_blob(st, 3);
        int len = sqlite3_column_bytes(st, 3);

        r->id = sqlite3_column_int64(st, 0);
        r->partner = col_str(st, 1);
        r->name = col_str(st, 2);
        r->n = (size_t)len;
        r->bytes = edi_xmalloc(r->n + 1);
        if (len > 0)
            memcpy(r->bytes, b, r->n);
        r->bytes[r->n] = '\0';
        r->received = (time_t)sqlite3_column_int64(st, 5);
        r->state = col_str(st, 6);
        r->verdict = col_str(st, 7);
        r->reason = col_str(st, 8);
        *out = r;
    }
    rc = 0;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        gw_raw_free(*out);
        *out = NULL;
    }
    return rc;
}

void gw_raw_free(struct gw_raw *r)
{
    if (r == NULL)
        return;
    free(r->partner);
    free(r->name);
    free(r->bytes);
    free(r->state);
    free(r->verdict);
    free(r->reason);
    free(r);
}

int gw_store_raw_settle(struct gw_store *s, int64_t id, const char *verdict, const char *reason,
                        struct edi_err *err)
{
    static const char op[] = "settle raw";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_RAW_SETTLE, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    bind_text(&bc, st, 2, verdict);
    bind_text(&bc, st, 3, reason);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = sqlite3_changes(s->db) ? 0 : edi_fail(err, EDI_ENOTFOUND, "store: %s: no raw message #%lld", op,
                                                (long long)id);
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

/* ---- interchanges and documents ----------------------------------------------- */

int gw_store_interchange_seen(int *seen, struct gw_store *s, const char *partner,
                              const char *direction, const char *control, struct edi_err *err)
{
    static const char op[] = "interchange seen";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *seen = 0;
    if ((rc = prep(&st, s, Q_ICHG_SEEN, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, direction);
    bind_text(&bc, st, 3, control);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    *seen = rc;
    rc = 0;
out:
    finish(st);
    return rc;
}

/* The same (partner, direction, control) twice is a constraint violation:
 * EDI_ERR (ask gw_store_interchange_seen first). */
int gw_store_add_interchange(int64_t *id, struct gw_store *s, int64_t raw_id,
                             const char *partner, const char *direction, const char *control,
                             const char *sender, const char *receiver, const char *status,
                             time_t now, struct edi_err *err)
{
    char op[128];
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *id = 0;
    snprintf(op, sizeof(op), "add interchange %s %s %s", partner ? partner : "?",
             direction ? direction : "?", control ? control : "?");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_ICHG_INSERT, op, err)) < 0)
        goto out;
    bind_id(&bc, st, 1, raw_id);
    bind_text(&bc, st, 2, partner);
    bind_text(&bc, st, 3, direction);
    bind_text(&bc, st, 4, control);
    bind_text(&bc, st, 5, sender);
    bind_text(&bc, st, 6, receiver);
    bind_text(&bc, st, 7, status);
    bind_i64(&bc, st, 8, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = 0;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

static int doc_event(struct gw_store *s, int64_t id, time_t now, const char *state,
                     const char *detail, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = prep(&st, s, Q_DOC_EVENT, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, id);
    bind_i64(&bc, st, 2, now);
    bind_text(&bc, st, 3, state);
    bind_text(&bc, st, 4, detail);
    if ((rc = bound(s, bc, op, err)) >= 0 && (rc = step(st, s, op, err)) >= 0)
        rc = 0;
    finish(st);
    return rc;
}

/* interchange_id 0: none (an SP-API message). The first event repeats the
 * initial state. */
int gw_store_add_document(int64_t *id, struct gw_store *s, int64_t interchange_id,
                          const char *partner, const char *direction, const char *kind,
                          const char *group_control, const char *set_control, const char *ref,
                          const char *state, const char *findings, time_t now,
                          struct edi_err *err)
{
    static const char op[] = "add document";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_DOC_INSERT, op, err)) < 0)
        goto out;
    bind_id(&bc, st, 1, interchange_id);
    bind_text(&bc, st, 2, partner);
    bind_text(&bc, st, 3, direction);
    bind_text(&bc, st, 4, kind);
    bind_text(&bc, st, 5, group_control);
    bind_text(&bc, st, 6, set_control);
    bind_text(&bc, st, 7, ref);
    bind_text(&bc, st, 8, state);
    bind_text(&bc, st, 9, findings);
    bind_i64(&bc, st, 10, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = doc_event(s, *id, now, state, NULL, op, err);
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

/* UPDATE ... SET state = ?2, updated = ?3 WHERE id = ?1 (q), inside the
 * caller's transaction; EDI_ENOTFOUND when no row has that id. */
static int set_state(struct gw_store *s, enum q q, int64_t id, const char *state, time_t now,
                     const char *what, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = prep(&st, s, q, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, id);
    bind_text(&bc, st, 2, state);
    bind_i64(&bc, st, 3, now);
    if ((rc = bound(s, bc, op, err)) == 0 && (rc = step(st, s, op, err)) >= 0)
        rc = sqlite3_changes(s->db) ? 0 : edi_fail(err, EDI_ENOTFOUND, "store: %s: no such %s", op, what);
    finish(st);
    return rc;
}

static int inv_follow(struct gw_store *s, enum q q, int64_t doc, const char *state, time_t now,
                      const char *detail, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    char what[300];
    int rc, bc = SQLITE_OK;

    snprintf(what, sizeof(what), "the 810 is %s%s%s", state, detail ? ": " : "", detail ? detail : "");
    if ((rc = prep(&st, s, q, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, doc);
    bind_text(&bc, st, 2, state);
    bind_i64(&bc, st, 3, now);
    if (q == Q_INV_DOC_HISTORY)
        bind_text(&bc, st, 4, what);
    if ((rc = bound(s, bc, op, err)) == 0)
        rc = step(st, s, op, err);
    finish(st);
    return rc < 0 ? rc : 0;
}

/* EDI_ENOTFOUND when there is no document id. */
int gw_store_set_document_state(struct gw_store *s, int64_t id, const char *state,
                                const char *detail, time_t now, struct edi_err *err)
{
    char op[64];
    int rc;

    snprintf(op, sizeof(op), "set document %lld state", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = set_state(s, Q_DOC_STATE, id, state, now, "document", op, err)) == 0)
        rc = doc_event(s, id, now, state, detail, op, err);
    /* an invoice follows the 810 that carries it (sent, accepted, rejected) */
    if (rc == 0)
        rc = inv_follow(s, Q_INV_DOC_HISTORY, id, state, now, detail, op, err);
    if (rc == 0)
        rc = inv_follow(s, Q_INV_DOC_STATE, id, state, now, NULL, op, err);
    return tx_end(s, rc, op, err);
}

/* ---- sales orders ----------------------------------------------------------- */

void gw_order_free(struct gw_order *o)
{
    size_t i;

    if (o == NULL)
        return;
    for (i = 0; i < o->nlines; i++) {
        struct gw_order_line *l = &o->lines[i];

        free(l->product_id);
        free(l->description);
        free(l->quantity);
        free(l->unit);
        free(l->unit_cost);
        free(l->state);
    }
    free(o->lines);
    free(o->partner);
    free(o->program);
    free(o->po_number);
    free(o->state);
    free(o->canonical);
    free(o);
}

void gw_orders_free(struct gw_order **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        gw_order_free(v[i]);
    free(v);
}

static int history_add(struct gw_store *s, int64_t order_id, time_t now, const char *state,
                       const char *what, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = prep(&st, s, Q_HISTORY_INSERT, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, order_id);
    bind_i64(&bc, st, 2, now);
    bind_text(&bc, st, 3, state);
    bind_text(&bc, st, 4, what);
    if ((rc = bound(s, bc, op, err)) >= 0 && (rc = step(st, s, op, err)) >= 0)
        rc = 0;
    finish(st);
    return rc;
}

static int lines_put(struct gw_store *s, int64_t order_id, const struct gw_order *o, const char *op,
                     struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    size_t i;

    for (i = 0; i < o->nlines && rc == 0; i++) {
        const struct gw_order_line *l = &o->lines[i];
        int bc = SQLITE_OK;

        if ((rc = prep(&st, s, Q_LINE_INSERT, op, err)) < 0)
            break;
        bind_i64(&bc, st, 1, order_id);
        bind_i64(&bc, st, 2, l->line_no);
        bind_text(&bc, st, 3, l->product_id);
        bind_text(&bc, st, 4, l->description);
        bind_text(&bc, st, 5, l->quantity);
        bind_text(&bc, st, 6, l->unit);
        bind_text(&bc, st, 7, l->unit_cost);
        bind_text(&bc, st, 8, l->state ? l->state : "open");
        if ((rc = bound(s, bc, op, err)) >= 0 && (rc = step(st, s, op, err)) >= 0)
            rc = 0;
    }
    finish(st);
    return rc;
}

/* "created" or "updated", with ": why" when there is a why. */
static char *what_of(const char *verb, const char *why)
{
    size_t a = strlen(verb), b = why ? strlen(why) : 0;
    char *w = edi_xmalloc(a + b + 3);

    memcpy(w, verb, a);
    if (why != NULL) {
        memcpy(w + a, ": ", 2);
        memcpy(w + a + 2, why, b);
        a += b + 2;
    }
    w[a] = '\0';
    return w;
}

/* o->state must be set (an update sets it too). A line without a state is
 * "open". Two lines with one line_no: EDI_ERR. */
int gw_store_upsert_order(struct gw_store *s, struct gw_order *o, int *created, const char *why,
                          time_t now, struct edi_err *err)
{
    char op[128];
    sqlite3_stmt *find = NULL, *st = NULL;
    char *what = NULL;
    int64_t id = 0, made = now;
    int rc, bc = SQLITE_OK, fresh = 0;

    *created = 0;
    snprintf(op, sizeof(op), "upsert order %s %s %s", o->partner ? o->partner : "?",
             o->program ? o->program : "?", o->po_number ? o->po_number : "?");
    if (o->state == NULL)
        return edi_fail(err, EDI_ERR, "store: %s: no state", op);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&find, s, Q_ORDER_FIND, op, err)) < 0)
        goto out;
    bind_text(&bc, find, 1, o->partner);
    bind_text(&bc, find, 2, o->program);
    bind_text(&bc, find, 3, o->po_number);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(find, s, op, err)) < 0)
        goto out;
    fresh = rc == 0;
    if (!fresh) {
        id = sqlite3_column_int64(find, 0);
        made = sqlite3_column_int64(find, 1);
    }
    finish(find);
    find = NULL;

    if (fresh) {
        if ((rc = prep(&st, s, Q_ORDER_INSERT, op, err)) < 0)
            goto out;
        bind_text(&bc, st, 1, o->partner);
        bind_text(&bc, st, 2, o->program);
        bind_text(&bc, st, 3, o->po_number);
        bind_text(&bc, st, 4, o->state);
        bind_text(&bc, st, 5, o->canonical);
        bind_i64(&bc, st, 6, now);
    } else {
        if ((rc = prep(&st, s, Q_ORDER_UPDATE, op, err)) < 0)
            goto out;
        bind_i64(&bc, st, 1, id);
        bind_text(&bc, st, 2, o->state);
        bind_text(&bc, st, 3, o->canonical);
        bind_i64(&bc, st, 4, now);
    }
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    finish(st);
    st = NULL;
    if (fresh) {
        id = sqlite3_last_insert_rowid(s->db);
    } else {
        if ((rc = prep(&st, s, Q_LINES_DELETE, op, err)) < 0)
            goto out;
        bind_i64(&bc, st, 1, id);
        if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
            goto out;
    }
    if ((rc = lines_put(s, id, o, op, err)) < 0)
        goto out;
    what = what_of(fresh ? "created" : "updated", why);
    if ((rc = history_add(s, id, now, o->state, what, op, err)) < 0)
        goto out;
    rc = 0;
out:
    finish(find);
    finish(st);
    free(what);
    if ((rc = tx_end(s, rc, op, err)) == 0) {
        o->id = id;
        o->created = (time_t)made;
        o->updated = now;
        *created = fresh;
    }
    return rc;
}

/* The order in the current row of st (ORDER_COLS), without its lines. */
static struct gw_order *order_of_row(sqlite3_stmt *st)
{
    struct gw_order *o = edi_xcalloc(1, sizeof(*o));

    o->id = sqlite3_column_int64(st, 0);
    o->partner = col_str(st, 1);
    o->program = col_str(st, 2);
    o->po_number = col_str(st, 3);
    o->state = col_str(st, 4);
    o->canonical = col_str(st, 5);
    o->created = (time_t)sqlite3_column_int64(st, 6);
    o->updated = (time_t)sqlite3_column_int64(st, 7);
    return o;
}

static int lines_get(struct gw_order *o, struct gw_store *s, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, bc = SQLITE_OK;

    if ((rc = prep(&st, s, Q_LINES_GET, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, o->id);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        struct gw_order_line *l;

        if (o->nlines == cap) {
            cap = cap ? 2 * cap : 8;
            o->lines = edi_xrealloc(o->lines, cap * sizeof(*o->lines));
        }
        l = &o->lines[o->nlines++];
        l->line_no = sqlite3_column_int(st, 0);
        l->product_id = col_str(st, 1);
        l->description = col_str(st, 2);
        l->quantity = col_str(st, 3);
        l->unit = col_str(st, 4);
        l->unit_cost = col_str(st, 5);
        l->state = col_str(st, 6);
    }
out:
    finish(st);
    return rc < 0 ? rc : 0;
}

/* The order a prepared and bound statement finds, with its lines; NULL in
 * *out when there is none. Inside the caller's read transaction. */
static int order_found(struct gw_order **out, struct gw_store *s, sqlite3_stmt *st, int bc,
                       const char *op, struct edi_err *err)
{
    struct gw_order *o;
    int rc;

    *out = NULL;
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) <= 0)
        return rc;
    o = order_of_row(st);
    finish(st);
    if ((rc = lines_get(o, s, op, err)) < 0) {
        gw_order_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

int gw_store_get_order(struct gw_order **out, struct gw_store *s, const char *partner,
                       const char *program, const char *po_number, struct edi_err *err)
{
    static const char op[] = "get order";
    sqlite3_stmt *st = NULL;
    struct gw_order *o = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_ORDER_GET, op, err)) == 0) {
        bind_text(&bc, st, 1, partner);
        bind_text(&bc, st, 2, program);
        bind_text(&bc, st, 3, po_number);
        rc = order_found(&o, s, st, bc, op, err);
        if (o == NULL)
            finish(st);
    }
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0) {
        *out = o;
        o = NULL;
    }
    gw_order_free(o);
    return rc;
}

/* EDI_ENOTFOUND when there is no order id. why: the history's text
 * (default "state changed"). */
int gw_store_set_order_state(struct gw_store *s, int64_t id, const char *state,
                             const char *why, time_t now, struct edi_err *err)
{
    char op[64];
    int rc;

    snprintf(op, sizeof(op), "set order %lld state", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = set_state(s, Q_ORDER_STATE, id, state, now, "order", op, err)) == 0)
        rc = history_add(s, id, now, state, why ? why : "state changed", op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_list_orders(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                         const char *partner, struct edi_err *err)
{
    static const char op[] = "list orders";
    sqlite3_stmt *st = NULL;
    struct gw_order **v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_ORDER_LIST, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, state);
    bind_text(&bc, st, 2, partner);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        if (k == cap) {
            cap = cap ? 2 * cap : 16;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k] = order_of_row(st);
        if ((rc = lines_get(v[k++], s, op, err)) < 0)
            break;
    }
out:
    finish(st);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0) {
        *out = v;
        *n = k;
        v = NULL;
    }
    gw_orders_free(v, k);
    return rc;
}

/* Oldest first. */
/* The history rows (at, state, what) a statement with one id selects:
 * an order's or an invoice's. */
static int history_rows(struct gw_history **out, size_t *n, struct gw_store *s, enum q q, int64_t id,
                        const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    struct gw_history *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, q, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, id);
    if ((rc = bound(s, bc, op, err)) == 0)
        while ((rc = step(st, s, op, err)) == 1) {
            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            v[k].at = (time_t)sqlite3_column_int64(st, 0);
            v[k].state = col_str(st, 1);
            v[k].what = col_str(st, 2);
            k++;
        }
    finish(st);
    if (rc < 0) {
        gw_history_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_order_history(struct gw_history **out, size_t *n, struct gw_store *s, int64_t order_id,
                           struct edi_err *err)
{
    return history_rows(out, n, s, Q_HISTORY_GET, order_id, "order history", err);
}

void gw_history_free(struct gw_history *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].state);
        free(v[i].what);
    }
    free(v);
}

/* ---- outbox ---------------------------------------------------------------------- */

/* Due at once: next_try is now. */
int gw_store_outbox_add(int64_t *id, struct gw_store *s, const char *partner, const char *kind,
                        const char *name, const void *bytes, size_t n, time_t now,
                        struct edi_err *err)
{
    static const char op[] = "outbox add";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *id = 0;
    if (bytes == NULL && n > 0)
        return edi_fail(err, EDI_ERR, "store: outbox add: no bytes");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_OUTBOX_INSERT, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, kind);
    bind_text(&bc, st, 3, name);
    bind_blob(&bc, st, 4, bytes, n);
    bind_i64(&bc, st, 5, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = 0;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

/* Oldest first is the order they were added in (ids), whatever their
 * retries: a partner gets messages in the order they were made. max 0:
 * nothing. */
int gw_store_outbox_due(struct gw_outbox_item **out, size_t *n, struct gw_store *s, time_t now,
                        size_t max, struct edi_err *err)
{
    return gw_store_outbox_due_after(out, n, s, now, 0, NULL, max, err);
}

int gw_store_outbox_due_after(struct gw_outbox_item **out, size_t *n, struct gw_store *s, time_t now,
                              int64_t after, const char *partner, size_t max, struct edi_err *err)
{
    static const char op[] = "outbox due";
    sqlite3_stmt *st = NULL;
    struct gw_outbox_item *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_OUTBOX_DUE, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, now);
    bind_i64(&bc, st, 2, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
    bind_i64(&bc, st, 3, after);
    bind_text(&bc, st, 4, partner);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        struct gw_outbox_item *it;
        const void *b;

        if (k == cap) {
            cap = cap ? 2 * cap : 8;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        it = &v[k++];
        it->id = sqlite3_column_int64(st, 0);
        it->partner = col_str(st, 1);
        it->kind = col_str(st, 2);
        it->name = col_str(st, 3);
        b = sqlite3_column_blob(st, 4);
        it->n = (size_t)sqlite3_column_bytes(st, 4);
        it->bytes = edi_xmalloc(it->n + 1);
        if (it->n > 0)
            memcpy(it->bytes, b, it->n);
        it->bytes[it->n] = '\0';    /* handy for text; not counted in n */
        it->attempts = sqlite3_column_int(st, 5);
        it->next_try = (time_t)sqlite3_column_int64(st, 6);
        it->claimed_by = col_str(st, 7);
        it->claimed_at = (time_t)sqlite3_column_int64(st, 8);
    }
out:
    finish(st);
    if (rc < 0) {
        gw_outbox_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

static int outbox_update(struct gw_store *s, enum q q, int64_t id, int64_t t, const char *error,
                         const char *verb, struct edi_err *err)
{
    char op[64];
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    snprintf(op, sizeof(op), "outbox %s %lld", verb, (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, q, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    bind_i64(&bc, st, 2, t);
    if (q == Q_OUTBOX_FAILED)
        bind_text(&bc, st, 3, error ? error : "unknown error");
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = sqlite3_changes(s->db) == 0 ? edi_fail(err, EDI_ENOTFOUND, "store: %s: no such message", op) : 0;
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

/* EDI_ENOTFOUND when there is no message id; sent twice keeps the first
 * time. */
int gw_store_outbox_sent(struct gw_store *s, int64_t id, time_t now, struct edi_err *err)
{
    static const char op[] = "outbox sent: documents";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = outbox_update(s, Q_OUTBOX_SENT, id, now, NULL, "sent", err);
    /* the documents this message carries are sent now */
    if (rc == 0)
        rc = exec_ii(s, Q_DOCS_SENT_EVENT, id, now, op, err);
    if (rc == 0)
        rc = exec_ii(s, Q_DOCS_SENT, id, now, op, err);
    if (rc == 0)
        rc = exec_ii(s, Q_INV_SENT_HISTORY, id, now, op, err);
    if (rc == 0)
        rc = exec_ii(s, Q_INV_SENT, id, now, op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_failed(struct gw_store *s, int64_t id, time_t retry_at, const char *error,
                           struct edi_err *err)
{
    return outbox_update(s, Q_OUTBOX_FAILED, id, retry_at, error, "failed", err);
}

/* A short BEGIN IMMEDIATE of its own at the top level: the claim is
 * visible to every other process as soon as this returns. */
int gw_store_outbox_claim(int *got, struct gw_store *s, int64_t id, const char *owner, time_t now,
                          time_t stale_before, const char *dead, struct edi_err *err)
{
    char op[64];
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *got = 0;
    if (owner == NULL || *owner == '\0')
        return edi_fail(err, EDI_ERR, "store: outbox claim: no owner");
    snprintf(op, sizeof(op), "outbox claim %lld", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_OUTBOX_CLAIM, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    bind_text(&bc, st, 2, owner);
    bind_i64(&bc, st, 3, now);
    bind_i64(&bc, st, 4, stale_before);
    bind_text(&bc, st, 5, dead);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = 0;
    *got = sqlite3_changes(s->db) == 1;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *got = 0;
    return rc;
}

int gw_store_outbox_superseded(int *yes, struct gw_store *s, int64_t id, struct edi_err *err)
{
    static const char op[] = "outbox superseded";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *yes = 0;
    if ((rc = prep(&st, s, Q_OUTBOX_SUPERSEDED, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, id);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    *yes = rc == 1 && sqlite3_column_int(st, 0) != 0;
    rc = 0;
out:
    finish(st);
    return rc;
}

void gw_outbox_free(struct gw_outbox_item *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].kind);
        free(v[i].name);
        free(v[i].bytes);
        free(v[i].claimed_by);
    }
    free(v);
}

/* ---- control numbers ---------------------------------------------------------- */

int gw_store_next_control(uint64_t *out, struct gw_store *s, const char *partner, char kind,
                          struct edi_err *err)
{
    char op[96], k[2] = {kind, '\0'};
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;
    int64_t v = 0;

    *out = 0;
    snprintf(op, sizeof(op), "next control number %s %c", partner ? partner : "?",
             kind ? kind : '?');
    if (kind == '\0')
        return edi_fail(err, EDI_ERR, "store: %s: no kind", op);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_NEXT_CONTROL, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, k);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    if (rc == 0 || (v = sqlite3_column_int64(st, 0)) <= 0) {
        rc = edi_fail(err, EDI_ERR, "store: %s: no number returned", op);
        goto out;
    }
    /* step to the end so the statement is complete before the commit */
    if ((rc = step(st, s, op, err)) < 0)
        goto out;
    rc = 0;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) == 0)
        *out = (uint64_t)v;
    return rc;
}

/* ---- audit and counts ------------------------------------------------------- */

int gw_store_audit(struct gw_store *s, const char *actor, const char *action, const char *subject,
                   const char *detail, time_t now, struct edi_err *err)
{
    static const char op[] = "audit";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_AUDIT, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, now);
    bind_text(&bc, st, 2, actor);
    bind_text(&bc, st, 3, action);
    bind_text(&bc, st, 4, subject);
    bind_text(&bc, st, 5, detail);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = 0;
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

/* Orders and documents: one entry per state present ("orders:approved"),
 * by state name; then "outbox:due" (unsent, next_try <= now) and
 * "outbox:failed" (unsent, at least one failed attempt), always there. */
int gw_store_counts(struct gw_count **out, size_t *n, struct gw_store *s, time_t now,
                    struct edi_err *err)
{
    static const char op[] = "counts";
    sqlite3_stmt *st = NULL;
    struct gw_count *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_COUNTS, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, now);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        if (k == cap) {
            cap = cap ? 2 * cap : 16;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k].what = col_str(st, 0);
        v[k].n = sqlite3_column_int64(st, 1);
        k++;
    }
out:
    finish(st);
    if (rc < 0) {
        gw_counts_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_counts_free(struct gw_count *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i].what);
    free(v);
}

/* Each line: "2025-01-01T00:00:00Z amazon-rp 850 PO123 rejected: <detail>"
 * or "... amazon-rp outbox 997 name attempt 2 failed: <error>". */
int gw_store_last_errors(char ***out, size_t *n, struct gw_store *s, size_t max,
                         struct edi_err *err)
{
    static const char op[] = "last errors";
    sqlite3_stmt *st = NULL;
    char **v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_LAST_ERRORS, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        time_t at = (time_t)sqlite3_column_int64(st, 0);
        const char *partner = (const char *)sqlite3_column_text(st, 1);
        const char *subject = (const char *)sqlite3_column_text(st, 2);
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        char when[32] = "?";
        struct edi_buf b;
        struct tm tm;

        if (gmtime_r(&at, &tm) != NULL)
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        edi_buf_init(&b, 0);
        edi_buf_printf(&b, "%s %s %s", when, partner ? partner : "?", subject ? subject : "?");
        if (detail != NULL && *detail != '\0')
            edi_buf_printf(&b, ": %s", detail);
        if (k == cap) {
            cap = cap ? 2 * cap : 8;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k++] = edi_xstrdup(edi_buf_cstr(&b));
        edi_buf_dispose(&b);
    }
out:
    finish(st);
    if (rc < 0) {
        gw_strings_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_strings_free(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- acknowledgment decisions ------------------------------------------------ */

int gw_store_get_order_by_id(struct gw_order **out, struct gw_store *s, int64_t id,
                             struct edi_err *err)
{
    static const char op[] = "get order by id";
    sqlite3_stmt *st = NULL;
    struct gw_order *o = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_ORDER_BY_ID, op, err)) == 0) {
        bind_i64(&bc, st, 1, id);
        rc = order_found(&o, s, st, bc, op, err);
        if (o == NULL)
            finish(st);
    }
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0) {
        *out = o;
        o = NULL;
    }
    gw_order_free(o);
    return rc;
}

int gw_store_add_ack(int64_t *id, struct gw_store *s, int64_t order_id, const char *actor,
                     const char *canonical, time_t now, struct edi_err *err)
{
    static const char op[] = "add acknowledgment";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_ACK_INSERT, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, order_id);
    bind_i64(&bc, st, 2, now);
    bind_text(&bc, st, 3, actor);
    bind_text(&bc, st, 4, canonical);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = 0;
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

int gw_store_acks(struct gw_ack **out, size_t *n, struct gw_store *s, int64_t order_id,
                  const char *state, struct edi_err *err)
{
    static const char op[] = "list acknowledgments";
    sqlite3_stmt *st = NULL;
    struct gw_ack *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, order_id > 0 ? Q_ACKS_OF_ORDER : Q_ACKS_GET, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, order_id);
    bind_text(&bc, st, 2, state);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) > 0) {
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k].id = sqlite3_column_int64(st, 0);
        v[k].order_id = sqlite3_column_int64(st, 1);
        v[k].created = (time_t)sqlite3_column_int64(st, 2);
        v[k].actor = col_str(st, 3);
        v[k].canonical = col_str(st, 4);
        v[k].state = col_str(st, 5);
        v[k].queued_at = (time_t)sqlite3_column_int64(st, 6);
        k++;
    }
out:
    finish(st);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0) {
        *out = v;
        *n = k;
        v = NULL;
        k = 0;
    }
    gw_acks_free(v, k);
    return rc;
}

int gw_store_ack_queued(struct gw_store *s, int64_t id, int64_t outbox_id, time_t now,
                        struct edi_err *err)
{
    static const char op[] = "acknowledgment queued";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_ACK_QUEUED, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    bind_i64(&bc, st, 2, outbox_id);
    bind_i64(&bc, st, 3, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = sqlite3_changes(s->db) ? 0 : edi_fail(err, EDI_ENOTFOUND, "store: %s: no pending acknowledgment %lld", op, (long long)id);
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

void gw_acks_free(struct gw_ack *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].actor);
        free(v[i].canonical);
        free(v[i].state);
    }
    free(v);
}

/* ---- scheduled runs ------------------------------------------------------------ */

/* One statement under the write lock: two processes meeting on the same
 * minute insert one row between them, and the other is told *already. */
int gw_store_run_start(int64_t *id, int *already, struct gw_store *s, const char *partner,
                       const char *job, time_t due, time_t now, struct edi_err *err)
{
    char op[128];
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *id = 0;
    *already = 0;
    snprintf(op, sizeof(op), "start run %s %s", partner ? partner : "?", job ? job : "?");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_RUN_INSERT, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, job);
    bind_i64(&bc, st, 3, due);
    bind_i64(&bc, st, 4, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    if (sqlite3_changes(s->db) == 0)
        *already = 1;
    else
        *id = sqlite3_last_insert_rowid(s->db);
    rc = 0;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        *id = 0;
        *already = 0;
    }
    return rc;
}

/* A state other than running, done or failed breaks the table's CHECK:
 * EDI_ERR. EDI_ENOTFOUND when there is no run id. */
int gw_store_run_end(struct gw_store *s, int64_t id, const char *state, const char *counts,
                     const char *error, time_t now, struct edi_err *err)
{
    char op[64];
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    snprintf(op, sizeof(op), "end run %lld", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_RUN_END, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    bind_text(&bc, st, 2, state);
    bind_text(&bc, st, 3, counts);
    bind_text(&bc, st, 4, error);
    bind_i64(&bc, st, 5, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = sqlite3_changes(s->db) ? 0 : edi_fail(err, EDI_ENOTFOUND, "store: %s: no such run", op);
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

/* Whatever its state: a run that failed has had its minute. */
int gw_store_last_run(time_t *due, struct gw_store *s, const char *partner, const char *job,
                      struct edi_err *err)
{
    static const char op[] = "last run";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *due = 0;
    if ((rc = prep(&st, s, Q_RUN_LAST, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, job);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    if (rc == 1)
        *due = (time_t)sqlite3_column_int64(st, 0);
    rc = 0;
out:
    finish(st);
    return rc;
}

/* Newest first is the order they were started in (ids), whatever the
 * clock said. max 0: nothing. */
int gw_store_runs(struct gw_run **out, size_t *n, struct gw_store *s, size_t max,
                  struct edi_err *err)
{
    static const char op[] = "list runs";
    sqlite3_stmt *st = NULL;
    struct gw_run *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_RUNS_LIST, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        if (k == cap) {
            cap = cap ? 2 * cap : 16;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k].id = sqlite3_column_int64(st, 0);
        v[k].partner = col_str(st, 1);
        v[k].job = col_str(st, 2);
        v[k].due = (time_t)sqlite3_column_int64(st, 3);
        v[k].started = (time_t)sqlite3_column_int64(st, 4);
        v[k].ended = (time_t)sqlite3_column_int64(st, 5);
        v[k].state = col_str(st, 6);
        v[k].counts = col_str(st, 7);
        v[k].error = col_str(st, 8);
        k++;
    }
out:
    finish(st);
    if (rc < 0) {
        gw_runs_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_runs_free(struct gw_run *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].job);
        free(v[i].state);
        free(v[i].counts);
        free(v[i].error);
    }
    free(v);
}

/* ---- outbound documents ------------------------------------------------------- */

int gw_store_document_outbox(struct gw_store *s, int64_t document_id, int64_t outbox_id,
                             struct edi_err *err)
{
    static const char op[] = "document outbox";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = exec_ii(s, Q_DOC_OUTBOX, document_id, outbox_id, op, err);
    return tx_end(s, rc, op, err);
}

/* ---- shipments ------------------------------------------------------------------ */

void gw_shipment_free(struct gw_shipment *sh)
{
    if (sh == NULL)
        return;
    free(sh->partner);
    free(sh->program);
    free(sh->shipment_id);
    free(sh->state);
    free(sh->warehouse);
    free(sh->ship_to);
    free(sh->canonical);
    gw_shipment_lines_free(sh->lines, sh->nlines);
    free(sh);
}

void gw_shipment_lines_free(struct gw_shipment_line *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        free(v[i].quantity);
    free(v);
}

int gw_store_add_shipment(struct gw_store *s, struct gw_shipment *sh, time_t now,
                          struct edi_err *err)
{
    static const char op[] = "add shipment";
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc, bc = SQLITE_OK;

    sh->id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_SHIP_INSERT, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, sh->partner);
    bind_text(&bc, st, 2, sh->program);
    bind_text(&bc, st, 3, sh->shipment_id);
    bind_i64(&bc, st, 4, sh->version);
    bind_text(&bc, st, 5, sh->state);
    bind_text(&bc, st, 6, sh->warehouse);
    bind_text(&bc, st, 7, sh->ship_to);
    bind_text(&bc, st, 8, sh->canonical);
    bind_id(&bc, st, 9, sh->document_id);
    bind_id(&bc, st, 10, sh->outbox_id);
    bind_i64(&bc, st, 11, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    finish(st);
    sh->id = sqlite3_last_insert_rowid(s->db);
    sh->created = now;
    for (i = 0; i < sh->nlines && rc >= 0; i++) {
        bc = SQLITE_OK;
        if ((rc = prep(&st, s, Q_SHIP_LINE_INSERT, op, err)) < 0)
            break;
        bind_i64(&bc, st, 1, sh->id);
        bind_i64(&bc, st, 2, sh->lines[i].order_id);
        bind_i64(&bc, st, 3, sh->lines[i].line_no);
        bind_text(&bc, st, 4, sh->lines[i].quantity);
        if ((rc = bound(s, bc, op, err)) == 0)
            rc = step(st, s, op, err);
        finish(st);
    }
    st = NULL;
    rc = rc < 0 ? rc : 0;
out:
    finish(st);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        sh->id = 0;
    return rc;
}

static int ship_lines_get(struct gw_shipment_line **out, size_t *n, struct gw_store *s, enum q q,
                          int64_t a, int64_t b, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    struct gw_shipment_line *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, q, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, a);
    if (q == Q_ORDER_SHIPPED)
        bind_i64(&bc, st, 2, b);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        if (k == cap) {
            cap = cap ? 2 * cap : 8;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k].order_id = sqlite3_column_int64(st, 0);
        v[k].line_no = sqlite3_column_int(st, 1);
        v[k].quantity = col_str(st, 2);
        k++;
    }
out:
    finish(st);
    if (rc < 0) {
        gw_shipment_lines_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

static struct gw_shipment *shipment_of_row(sqlite3_stmt *st)
{
    struct gw_shipment *sh = edi_xcalloc(1, sizeof(*sh));

    sh->id = sqlite3_column_int64(st, 0);
    sh->partner = col_str(st, 1);
    sh->program = col_str(st, 2);
    sh->shipment_id = col_str(st, 3);
    sh->version = sqlite3_column_int(st, 4);
    sh->state = col_str(st, 5);
    sh->warehouse = col_str(st, 6);
    sh->ship_to = col_str(st, 7);
    sh->canonical = col_str(st, 8);
    sh->document_id = sqlite3_column_int64(st, 9);
    sh->outbox_id = sqlite3_column_int64(st, 10);
    sh->created = (time_t)sqlite3_column_int64(st, 11);
    return sh;
}

/* Shipments a bound statement finds, each with its lines. */
static int shipments_found(struct gw_shipment ***out, size_t *n, struct gw_store *s,
                           sqlite3_stmt *st, int bc, const char *op, struct edi_err *err)
{
    struct gw_shipment **v = NULL;
    size_t k = 0, cap = 0, i;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = bound(s, bc, op, err)) < 0) {
        finish(st);
        return rc;
    }
    while ((rc = step(st, s, op, err)) == 1) {
        if (k == cap) {
            cap = cap ? 2 * cap : 8;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[k++] = shipment_of_row(st);
    }
    finish(st);
    for (i = 0; i < k && rc >= 0; i++)
        rc = ship_lines_get(&v[i]->lines, &v[i]->nlines, s, Q_SHIP_LINES, v[i]->id, 0, op, err);
    if (rc < 0) {
        gw_shipments_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_get_shipment(struct gw_shipment **out, struct gw_store *s, const char *partner,
                          const char *shipment_id, int64_t id, struct edi_err *err)
{
    static const char op[] = "get shipment";
    sqlite3_stmt *st = NULL;
    struct gw_shipment **v = NULL;
    size_t n = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, id > 0 ? Q_SHIP_BY_ID : Q_SHIP_GET, op, err)) == 0) {
        if (id > 0) {
            bind_i64(&bc, st, 1, id);
        } else {
            bind_text(&bc, st, 1, partner);
            bind_text(&bc, st, 2, shipment_id);
        }
        rc = shipments_found(&v, &n, s, st, bc, op, err);
    }
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0 && n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gw_shipments_free(v, n);
    return rc;
}

int gw_store_list_shipments(struct gw_shipment ***out, size_t *n, struct gw_store *s,
                            const char *state, const char *partner, struct edi_err *err)
{
    static const char op[] = "list shipments";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_SHIP_LIST, op, err)) == 0) {
        bind_text(&bc, st, 1, state);
        bind_text(&bc, st, 2, partner);
        rc = shipments_found(out, n, s, st, bc, op, err);
    }
    return tx_end(s, rc < 0 ? rc : 0, op, err);
}

void gw_shipments_free(struct gw_shipment **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        gw_shipment_free(v[i]);
    free(v);
}

int gw_store_set_shipment_state(struct gw_store *s, int64_t id, const char *state, time_t now,
                                struct edi_err *err)
{
    char op[64];
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    snprintf(op, sizeof(op), "set shipment %lld state", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_SHIP_STATE, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, id);
    bind_text(&bc, st, 2, state);
    bind_i64(&bc, st, 3, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    rc = sqlite3_changes(s->db) ? 0 : edi_fail(err, EDI_ENOTFOUND, "store: %s: no such shipment", op);
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

int gw_store_order_shipped(struct gw_shipment_line **out, size_t *n, struct gw_store *s,
                           int64_t order_id, int64_t except, struct edi_err *err)
{
    static const char op[] = "order shipped";
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    rc = ship_lines_get(out, n, s, Q_ORDER_SHIPPED, order_id, except, op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        gw_shipment_lines_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int sscc_use(char **clash, struct gw_store *s, const char *sscc, const char *partner,
                    const char *shipment_id, time_t now, int record, struct edi_err *err);

int gw_store_sscc_use(char **clash, struct gw_store *s, const char *sscc, const char *partner,
                      const char *shipment_id, time_t now, struct edi_err *err)
{
    return sscc_use(clash, s, sscc, partner, shipment_id, now, 1, err);
}

int gw_store_sscc_clash(char **clash, struct gw_store *s, const char *sscc,
                        const char *shipment_id, time_t now, struct edi_err *err)
{
    return sscc_use(clash, s, sscc, NULL, shipment_id, now, 0, err);
}

static int sscc_use(char **clash, struct gw_store *s, const char *sscc, const char *partner,
                    const char *shipment_id, time_t now, int record, struct edi_err *err)
{
    const char *op = record ? "use SSCC" : "check SSCC";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *clash = NULL;
    if ((rc = tx_begin(s, record ? TX_WRITE : TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_SSCC_GET, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, sscc);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    /* SPEC: RULES.md 856 — an SSCC is never reused within 365 days; the
     * same shipment id (a replacement) sends the same cartons again */
    if (rc == 1 && sqlite3_column_int64(st, 1) > (int64_t)now - 365 * 86400 &&
        strcmp((const char *)sqlite3_column_text(st, 0), shipment_id) != 0) {
        *clash = col_str(st, 0);
        rc = 0;
        goto out;
    }
    finish(st);
    if (!record) {
        st = NULL;
        rc = 0;
        goto out;
    }
    bc = SQLITE_OK;
    if ((rc = prep(&st, s, Q_SSCC_PUT, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, sscc);
    bind_text(&bc, st, 2, partner);
    bind_text(&bc, st, 3, shipment_id);
    bind_i64(&bc, st, 4, now);
    if ((rc = bound(s, bc, op, err)) == 0)
        rc = step(st, s, op, err);
    rc = rc < 0 ? rc : 0;
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

/* ---- invoices ------------------------------------------------------------------------ */

void gw_invoice_free(struct gw_invoice *v)
{
    if (v == NULL)
        return;
    free(v->partner);
    free(v->program);
    free(v->number);
    free(v->state);
    free(v->po_numbers);
    free(v->total);
    free(v->currency);
    free(v->canonical);
    free(v->findings);
    free(v);
}

void gw_invoices_free(struct gw_invoice **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        gw_invoice_free(v[i]);
    free(v);
}

static int inv_history(struct gw_store *s, int64_t id, time_t now, const char *state,
                       const char *what, const char *op, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = prep(&st, s, Q_INV_HISTORY, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, id);
    bind_i64(&bc, st, 2, now);
    bind_text(&bc, st, 3, state);
    bind_text(&bc, st, 4, what ? what : "state changed");
    if ((rc = bound(s, bc, op, err)) == 0)
        rc = step(st, s, op, err);
    finish(st);
    return rc < 0 ? rc : 0;
}

int gw_store_add_invoice(struct gw_store *s, struct gw_invoice *v, const struct gw_bill *bills,
                         size_t nbills, const char *why, time_t now, struct edi_err *err)
{
    static const char op[] = "add invoice";
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc, bc = SQLITE_OK;

    v->id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_INV_INSERT, op, err)) < 0)
        goto out;
    bind_text(&bc, st, 1, v->partner);
    bind_text(&bc, st, 2, v->program);
    bind_text(&bc, st, 3, v->number);
    bind_text(&bc, st, 4, v->state);
    bind_text(&bc, st, 5, v->po_numbers);
    bind_text(&bc, st, 6, v->total);
    bind_text(&bc, st, 7, v->currency);
    bind_text(&bc, st, 8, v->canonical);
    bind_text(&bc, st, 9, v->findings);
    bind_id(&bc, st, 10, v->document_id);
    bind_id(&bc, st, 11, v->outbox_id);
    bind_i64(&bc, st, 12, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    finish(st);
    st = NULL;
    v->id = sqlite3_last_insert_rowid(s->db);
    v->created = v->updated = now;
    for (i = 0; i < nbills && rc >= 0; i++) {
        sqlite3_stmt *b = NULL;

        bc = SQLITE_OK;
        if ((rc = prep(&b, s, Q_INV_BILL, op, err)) < 0)
            break;
        bind_i64(&bc, b, 1, v->id);
        bind_i64(&bc, b, 2, bills[i].shipment_row);
        bind_i64(&bc, b, 3, bills[i].order_id);
        if ((rc = bound(s, bc, op, err)) == 0)
            rc = step(b, s, op, err);
        finish(b);
    }
    if (rc >= 0)
        rc = inv_history(s, v->id, now, v->state, why, op, err);
out:
    finish(st);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) < 0)
        v->id = 0;
    return rc;
}

int gw_store_update_invoice(struct gw_store *s, const struct gw_invoice *v, const char *why,
                            time_t now, struct edi_err *err)
{
    static const char op[] = "update invoice";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_INV_UPDATE, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, v->id);
    bind_text(&bc, st, 2, v->state);
    bind_text(&bc, st, 3, v->canonical);
    bind_text(&bc, st, 4, v->findings);
    bind_text(&bc, st, 5, v->total);
    bind_id(&bc, st, 6, v->document_id);
    bind_id(&bc, st, 7, v->outbox_id);
    bind_i64(&bc, st, 8, now);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(st, s, op, err)) < 0)
        goto out;
    finish(st);
    st = NULL;
    rc = sqlite3_changes(s->db) ? inv_history(s, v->id, now, v->state, why, op, err)
                                : edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice %lld", op, (long long)v->id);
out:
    finish(st);
    return tx_end(s, rc, op, err);
}

static struct gw_invoice *invoice_of_row(sqlite3_stmt *st)
{
    struct gw_invoice *v = edi_xcalloc(1, sizeof(*v));

    v->id = sqlite3_column_int64(st, 0);
    v->partner = col_str(st, 1);
    v->program = col_str(st, 2);
    v->number = col_str(st, 3);
    v->state = col_str(st, 4);
    v->po_numbers = col_str(st, 5);
    v->total = col_str(st, 6);
    v->currency = col_str(st, 7);
    v->canonical = col_str(st, 8);
    v->findings = col_str(st, 9);
    v->document_id = sqlite3_column_int64(st, 10);
    v->outbox_id = sqlite3_column_int64(st, 11);
    v->created = (time_t)sqlite3_column_int64(st, 12);
    v->updated = (time_t)sqlite3_column_int64(st, 13);
    return v;
}

static int invoices_found(struct gw_invoice ***out, size_t *n, struct gw_store *s, sqlite3_stmt *st,
                          int bc, const char *op, struct edi_err *err)
{
    struct gw_invoice **v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = bound(s, bc, op, err)) == 0)
        while ((rc = step(st, s, op, err)) == 1) {
            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            v[k++] = invoice_of_row(st);
        }
    finish(st);
    if (rc < 0) {
        gw_invoices_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_get_invoice(struct gw_invoice **out, struct gw_store *s, const char *partner,
                         const char *number, int64_t id, struct edi_err *err)
{
    static const char op[] = "get invoice";
    sqlite3_stmt *st = NULL;
    struct gw_invoice **v = NULL;
    size_t n = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, id > 0 ? Q_INV_BY_ID : Q_INV_GET, op, err)) == 0) {
        if (id > 0) {
            bind_i64(&bc, st, 1, id);
        } else {
            bind_text(&bc, st, 1, partner);
            bind_text(&bc, st, 2, number);
        }
        rc = invoices_found(&v, &n, s, st, bc, op, err);
    }
    if ((rc = tx_end(s, rc, op, err)) == 0 && n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gw_invoices_free(v, n);
    return rc;
}

int gw_store_list_invoices(struct gw_invoice ***out, size_t *n, struct gw_store *s,
                           const char *state, const char *partner, struct edi_err *err)
{
    static const char op[] = "list invoices";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_INV_LIST, op, err)) == 0) {
        bind_text(&bc, st, 1, state);
        bind_text(&bc, st, 2, partner);
        rc = invoices_found(out, n, s, st, bc, op, err);
    }
    return tx_end(s, rc, op, err);
}

int gw_store_invoice_history(struct gw_history **out, size_t *n, struct gw_store *s,
                             int64_t invoice_id, struct edi_err *err)
{
    return history_rows(out, n, s, Q_INV_HISTORY_GET, invoice_id, "invoice history", err);
}

int gw_store_billed(int64_t *invoice_id, struct gw_store *s, int64_t shipment_row,
                    int64_t order_id, struct edi_err *err)
{
    static const char op[] = "billed";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *invoice_id = 0;
    if ((rc = prep(&st, s, Q_INV_BILLED, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, shipment_row);
    bind_i64(&bc, st, 2, order_id);
    if ((rc = bound(s, bc, op, err)) == 0 && (rc = step(st, s, op, err)) == 1)
        *invoice_id = sqlite3_column_int64(st, 0);
    finish(st);
    return rc < 0 ? rc : 0;
}

/* ---- documents ------------------------------------------------------------------------ */

void gw_documents_free(struct gw_document *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].partner);
        free(v[i].direction);
        free(v[i].kind);
        free(v[i].group_control);
        free(v[i].set_control);
        free(v[i].ref);
        free(v[i].state);
        free(v[i].findings);
        free(v[i].text);
    }
    free(v);
}

static int documents_found(struct gw_document **out, size_t *n, struct gw_store *s,
                           sqlite3_stmt *st, int bc, const char *op, struct edi_err *err)
{
    struct gw_document *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = bound(s, bc, op, err)) == 0)
        while ((rc = step(st, s, op, err)) == 1) {
            struct gw_document *d;

            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            d = &v[k++];
            d->id = sqlite3_column_int64(st, 0);
            d->partner = col_str(st, 1);
            d->direction = col_str(st, 2);
            d->kind = col_str(st, 3);
            d->group_control = col_str(st, 4);
            d->set_control = col_str(st, 5);
            d->ref = col_str(st, 6);
            d->state = col_str(st, 7);
            d->findings = col_str(st, 8);
            d->about = sqlite3_column_int64(st, 9);
            d->text = col_str(st, 10);
            d->created = (time_t)sqlite3_column_int64(st, 11);
            d->updated = (time_t)sqlite3_column_int64(st, 12);
        }
    finish(st);
    if (rc < 0) {
        gw_documents_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_outbound_by_group(struct gw_document **out, size_t *n, struct gw_store *s,
                               const char *partner, const char *group_control,
                               const char *set_control, struct edi_err *err)
{
    static const char op[] = "outbound documents by group";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_DOC_BY_GROUP, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, group_control);
    bind_text(&bc, st, 3, set_control);
    return documents_found(out, n, s, st, bc, op, err);
}

int gw_store_documents(struct gw_document **out, size_t *n, struct gw_store *s, const char *partner,
                       const char *kind, const char *state, int64_t about, size_t max,
                       struct edi_err *err)
{
    static const char op[] = "list documents";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_DOC_LIST, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, kind);
    bind_text(&bc, st, 3, state);
    bind_i64(&bc, st, 4, about);
    bind_i64(&bc, st, 5, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
    return documents_found(out, n, s, st, bc, op, err);
}

int gw_store_document_about(struct gw_store *s, int64_t id, int64_t about, const char *text,
                            struct edi_err *err)
{
    static const char op[] = "document about";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = prep(&st, s, Q_DOC_ABOUT, op, err)) == 0) {
        bind_i64(&bc, st, 1, id);
        bind_id(&bc, st, 2, about);
        bind_text(&bc, st, 3, text);
        if ((rc = bound(s, bc, op, err)) == 0)
            rc = step(st, s, op, err);
        finish(st);
    }
    return tx_end(s, rc < 0 ? rc : 0, op, err);
}

int gw_store_invoice_bills(struct gw_bill **out, size_t *n, struct gw_store *s, int64_t invoice_id,
                           struct edi_err *err)
{
    static const char op[] = "invoice bills";
    sqlite3_stmt *st = NULL;
    struct gw_bill *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_INV_BILLS_GET, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, invoice_id);
    if ((rc = bound(s, bc, op, err)) == 0)
        while ((rc = step(st, s, op, err)) == 1) {
            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            v[k].shipment_row = sqlite3_column_int64(st, 0);
            v[k].order_id = sqlite3_column_int64(st, 1);
            k++;
        }
    finish(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_order_unbilled(int64_t *n, struct gw_store *s, int64_t order_id, struct edi_err *err)
{
    static const char op[] = "order unbilled";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *n = 0;
    if ((rc = prep(&st, s, Q_ORDER_UNBILLED, op, err)) < 0)
        return rc;
    bind_i64(&bc, st, 1, order_id);
    if ((rc = bound(s, bc, op, err)) == 0 && (rc = step(st, s, op, err)) == 1)
        *n = sqlite3_column_int64(st, 0);
    finish(st);
    return rc < 0 ? rc : 0;
}

void gw_billed_lines_free(struct gw_billed_line *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].number);
        free(v[i].quantity);
    }
    free(v);
}

int gw_store_add_invoice_lines(struct gw_store *s, int64_t invoice_id, const struct gw_billed_line *v,
                               size_t n, struct edi_err *err)
{
    static const char op[] = "add invoice lines";
    size_t i;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    for (i = 0; i < n && rc >= 0; i++) {
        sqlite3_stmt *st = NULL;
        int bc = SQLITE_OK;

        if ((rc = prep(&st, s, Q_INV_LINE_INSERT, op, err)) < 0)
            break;
        bind_i64(&bc, st, 1, invoice_id);
        bind_i64(&bc, st, 2, v[i].shipment_row);
        bind_i64(&bc, st, 3, v[i].order_id);
        bind_i64(&bc, st, 4, v[i].line_no);
        bind_text(&bc, st, 5, v[i].quantity);
        if ((rc = bound(s, bc, op, err)) == 0)
            rc = step(st, s, op, err);
        finish(st);
    }
    return tx_end(s, rc < 0 ? rc : 0, op, err);
}

int gw_store_billed_lines(struct gw_billed_line **out, size_t *n, struct gw_store *s, const char *partner,
                          const char *shipment_id, int64_t order_id, int64_t except_invoice,
                          struct edi_err *err)
{
    static const char op[] = "billed lines";
    sqlite3_stmt *st = NULL;
    struct gw_billed_line *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_INV_LINES_BILLED, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, shipment_id);
    bind_i64(&bc, st, 3, order_id);
    bind_i64(&bc, st, 4, except_invoice);
    if ((rc = bound(s, bc, op, err)) == 0)
        while ((rc = step(st, s, op, err)) == 1) {
            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            memset(&v[k], 0, sizeof(v[k]));
            v[k].invoice_id = sqlite3_column_int64(st, 0);
            v[k].number = edi_xstrdup((const char *)sqlite3_column_text(st, 1));
            v[k].order_id = order_id;
            v[k].line_no = sqlite3_column_int(st, 2);
            v[k].quantity = edi_xstrdup((const char *)sqlite3_column_text(st, 3));
            k++;
        }
    finish(st);
    if (rc < 0) {
        gw_billed_lines_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_last_bill(int64_t *invoice_id, struct gw_store *s, const char *partner, const char *shipment_id,
                       int64_t order_id, struct edi_err *err)
{
    static const char op[] = "last bill";
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    *invoice_id = 0;
    if ((rc = prep(&st, s, Q_INV_LAST_BILL, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, shipment_id);
    bind_i64(&bc, st, 3, order_id);
    if ((rc = bound(s, bc, op, err)) == 0 && (rc = step(st, s, op, err)) == 1)
        *invoice_id = sqlite3_column_int64(st, 0);
    finish(st);
    return rc < 0 ? rc : 0;
}

int gw_store_add_bill(struct gw_store *s, int64_t invoice_id, int64_t shipment_row, int64_t order_id,
                      const char *why, time_t now, struct edi_err *err)
{
    static const char op[] = "add bill";
    struct gw_invoice *v = NULL;
    sqlite3_stmt *st = NULL;
    int rc, bc = SQLITE_OK;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = gw_store_get_invoice(&v, s, NULL, NULL, invoice_id, err)) == 0 && v == NULL)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice %lld", op, (long long)invoice_id);
    if (rc == 0 && (rc = prep(&st, s, Q_INV_BILL, op, err)) == 0) {
        bind_i64(&bc, st, 1, invoice_id);
        bind_i64(&bc, st, 2, shipment_row);
        bind_i64(&bc, st, 3, order_id);
        if ((rc = bound(s, bc, op, err)) == 0)
            rc = step(st, s, op, err);
        finish(st);
    }
    if (rc >= 0)
        rc = inv_history(s, invoice_id, now, v->state, why, op, err);
    gw_invoice_free(v);
    return tx_end(s, rc < 0 ? rc : 0, op, err);
}

int gw_store_billed_elsewhere(int64_t **out, size_t *n, struct gw_store *s, const char *partner,
                              const char *shipment_id, int64_t except_row, struct edi_err *err)
{
    static const char op[] = "billed elsewhere";
    sqlite3_stmt *st = NULL;
    int64_t *v = NULL;
    size_t k = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = prep(&st, s, Q_INV_BILLED_ELSEWHERE, op, err)) < 0)
        return rc;
    bind_text(&bc, st, 1, partner);
    bind_text(&bc, st, 2, shipment_id);
    bind_i64(&bc, st, 3, except_row);
    if ((rc = bound(s, bc, op, err)) == 0)
        while ((rc = step(st, s, op, err)) == 1) {
            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                v = edi_xrealloc(v, cap * sizeof(*v));
            }
            v[k++] = sqlite3_column_int64(st, 0);
        }
    finish(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

/* ---- personal data (purge.c) ------------------------------------------------------ */

/* These statements run rarely (a purge a day): prepared per call, not
 * cached in SQL[]. */
static int adhoc(sqlite3_stmt **out, struct gw_store *s, const char *sql, const char *op,
                 struct edi_err *err)
{
    int c = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);

    if (c != SQLITE_OK) {
        *out = NULL;
        return db_fail(s, c, op, err);
    }
    return 0;
}

int gw_store_purge_orders(struct gw_order ***out, size_t *n, struct gw_store *s, time_t before,
                          struct edi_err *err)
{
    static const char op[] = "purge: closed orders";
    /* closed: shipped and invoiced, closed, cancelled, or rejected with
     * its 855 queued (a pending decision still needs the order) */
    static const char sql[] =
        "SELECT id, partner, program, po_number, state, canonical, created, updated FROM orders"
        " WHERE upper(program) = 'DF' AND state IN ('invoiced', 'closed', 'cancelled', 'rejected')"
        " AND updated < ?1"
        " AND NOT EXISTS (SELECT 1 FROM acks a WHERE a.order_id = orders.id AND a.state = 'pending')"
        " ORDER BY id";
    sqlite3_stmt *st = NULL;
    struct gw_order **v = NULL;
    size_t nv = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = adhoc(&st, s, sql, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, before);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        if (nv == cap) {
            cap = cap ? cap * 2 : 16;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        v[nv++] = order_of_row(st);
    }
out:
    sqlite3_finalize(st);
    rc = tx_end(s, rc, op, err);
    if (rc < 0) {
        gw_orders_free(v, nv);
        return rc;
    }
    *out = v;
    *n = nv;
    return 0;
}

void gw_purge_raws_free(struct gw_purge_raw *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].bytes);
        free(v[i].orders);
    }
    free(v);
}

int gw_store_purge_raws(struct gw_purge_raw **out, size_t *n, struct gw_store *s, int64_t order_id,
                        struct edi_err *err)
{
    static const char op[] = "purge: inbound files";
    /* the raw files that hold one of the order's 850s ... */
    static const char raws[] =
        "SELECT DISTINCT r.id, r.name, r.bytes FROM raw r"
        " JOIN interchanges i ON i.raw_id = r.id"
        " JOIN documents d ON d.interchange_id = i.id"
        " JOIN orders o ON o.partner = d.partner AND o.po_number = d.ref"
        " WHERE o.id = ?1 AND d.direction = 'in' AND d.kind = '850' ORDER BY r.id";
    /* ... and every order each of them holds */
    static const char orders[] =
        "SELECT DISTINCT o.id FROM interchanges i"
        " JOIN documents d ON d.interchange_id = i.id"
        " JOIN orders o ON o.partner = d.partner AND o.po_number = d.ref"
        " WHERE i.raw_id = ?1 AND d.direction = 'in' AND d.kind = '850' ORDER BY o.id";
    sqlite3_stmt *st = NULL, *os = NULL;
    struct gw_purge_raw *v = NULL;
    size_t nv = 0, cap = 0, i;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = adhoc(&st, s, raws, op, err)) < 0 || (rc = adhoc(&os, s, orders, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, order_id);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        const void *b = sqlite3_column_blob(st, 2);
        size_t bn = (size_t)sqlite3_column_bytes(st, 2);

        if (nv == cap) {
            cap = cap ? cap * 2 : 4;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        memset(&v[nv], 0, sizeof(v[nv]));
        v[nv].id = sqlite3_column_int64(st, 0);
        v[nv].name = col_str(st, 1);
        v[nv].n = bn;
        v[nv].bytes = edi_xmalloc(bn + 1);
        if (bn)
            memcpy(v[nv].bytes, b, bn);
        nv++;
    }
    if (rc < 0)
        goto out;
    for (i = 0; i < nv; i++) {
        size_t ocap = 0;

        sqlite3_reset(os);
        bc = sqlite3_bind_int64(os, 1, (sqlite3_int64)v[i].id);
        if ((rc = bound(s, bc, op, err)) < 0)
            goto out;
        while ((rc = step(os, s, op, err)) == 1) {
            if (v[i].norders == ocap) {
                ocap = ocap ? ocap * 2 : 4;
                v[i].orders = edi_xrealloc(v[i].orders, ocap * sizeof(*v[i].orders));
            }
            v[i].orders[v[i].norders++] = sqlite3_column_int64(os, 0);
        }
        if (rc < 0)
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_finalize(os);
    rc = tx_end(s, rc, op, err);
    if (rc < 0) {
        gw_purge_raws_free(v, nv);
        return rc;
    }
    *out = v;
    *n = nv;
    return 0;
}

int gw_store_purge_shipments(struct gw_shipment ***out, size_t *n, struct gw_store *s, int64_t order_id,
                             struct edi_err *err)
{
    static const char op[] = "purge: ship notices";
    static const char sql[] =
        "SELECT id, partner, program, shipment_id, canonical FROM shipments"
        " WHERE id IN (SELECT shipment_id FROM shipment_lines WHERE order_id = ?1) ORDER BY id";
    sqlite3_stmt *st = NULL;
    struct gw_shipment **v = NULL;
    size_t nv = 0, cap = 0;
    int rc, bc = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = adhoc(&st, s, sql, op, err)) < 0)
        goto out;
    bind_i64(&bc, st, 1, order_id);
    if ((rc = bound(s, bc, op, err)) < 0)
        goto out;
    while ((rc = step(st, s, op, err)) == 1) {
        struct gw_shipment *sh = edi_xcalloc(1, sizeof(*sh));

        if (nv == cap) {
            cap = cap ? cap * 2 : 4;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        sh->id = sqlite3_column_int64(st, 0);
        sh->partner = col_str(st, 1);
        sh->program = col_str(st, 2);
        sh->shipment_id = col_str(st, 3);
        sh->canonical = col_str(st, 4);
        v[nv++] = sh;
    }
out:
    sqlite3_finalize(st);
    rc = tx_end(s, rc, op, err);
    if (rc < 0) {
        gw_shipments_free(v, nv);
        return rc;
    }
    *out = v;
    *n = nv;
    return 0;
}

int gw_store_purge_apply(struct gw_store *s, const struct gw_order *o, const int64_t *raw_ids, size_t nraw,
                         const struct gw_shipment *const *sh, size_t nsh, const char *what, time_t now,
                         struct edi_err *err)
{
    static const char op[] = "purge";
    static const char upd_order[] = "UPDATE orders SET canonical = ?2 WHERE id = ?1";
    /* the sha256 stays: the same file sent again is still a duplicate */
    static const char upd_raw[] = "UPDATE raw SET bytes = X'' WHERE id = ?1";
    static const char upd_ship[] = "UPDATE shipments SET canonical = ?2 WHERE id = ?1";
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    char subject[300];
    size_t i;
    int rc, bc = SQLITE_OK;

    /* what is purged is overwritten with zeros, not left in free pages
     * (a connection setting: it stays on, which costs little) */
    if (s->depth == 0)
        sqlite3_exec(s->db, "PRAGMA secure_delete = ON", NULL, NULL, NULL);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = adhoc(&a, s, upd_order, op, err)) < 0 || (rc = adhoc(&b, s, upd_raw, op, err)) < 0 ||
        (rc = adhoc(&c, s, upd_ship, op, err)) < 0)
        goto out;
    bind_i64(&bc, a, 1, o->id);
    bind_text(&bc, a, 2, o->canonical);
    if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(a, s, op, err)) < 0)
        goto out;
    for (i = 0; i < nraw; i++) {
        sqlite3_reset(b);
        bind_i64(&bc, b, 1, raw_ids[i]);
        if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(b, s, op, err)) < 0)
            goto out;
    }
    for (i = 0; i < nsh; i++) {
        sqlite3_reset(c);
        bind_i64(&bc, c, 1, sh[i]->id);
        bind_text(&bc, c, 2, sh[i]->canonical);
        if ((rc = bound(s, bc, op, err)) < 0 || (rc = step(c, s, op, err)) < 0)
            goto out;
    }
    /* the ERP files of the order and its shipments, delivered through the
     * outbox, keep their bytes there too: emptied once delivered */
    {
        static const char upd_erp[] = "UPDATE outbox SET bytes = X'' WHERE partner = ?1 AND "
                                      "kind IN ('erp-json', 'erp-csv') AND sent_at IS NOT NULL AND "
                                      "instr(name, ?2) > 0";
        sqlite3_stmt *d = NULL;

        if ((rc = adhoc(&d, s, upd_erp, op, err)) < 0)
            goto out;
        for (i = 0; i <= nsh && rc == 0; i++) {
            const char *key = i == 0 ? o->po_number : sh[i - 1]->shipment_id;

            if (key == NULL || *key == '\0')
                continue;
            sqlite3_reset(d);
            bind_text(&bc, d, 1, o->partner);
            bind_text(&bc, d, 2, key);
            if ((rc = bound(s, bc, op, err)) == 0)
                rc = step(d, s, op, err);
        }
        sqlite3_finalize(d);
        if (rc < 0)
            goto out;
    }
    if ((rc = history_add(s, o->id, now, o->state, what, op, err)) < 0)
        goto out;
    snprintf(subject, sizeof(subject), "%s %s", o->partner, o->po_number);
    rc = gw_store_audit(s, "wharf", "purge", subject, what, now, err);
out:
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    sqlite3_finalize(c);
    return tx_end(s, rc < 0 ? rc : 0, op, err);
}

int gw_store_purge_checkpoint(struct gw_store *s, struct edi_err *err)
{
    int c;

    /* the write-ahead log still holds the pages as they were before the
     * purge: copy it into the database and empty it. A reader that holds
     * an old snapshot makes this BUSY: the next purge tries again. */
    c = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (c != SQLITE_OK && (c & 0xff) != SQLITE_BUSY)
        return db_fail(s, c, "purge: checkpoint", err);
    return 0;
}
