/*
 * sqlite.c — the store's SQLite driver (driver.h), the only file in wharf
 * that includes sqlite3.h: the connection (WAL, foreign keys, durable
 * commits), the schema's migrations and every statement in SQLite's
 * dialect, prepared once per connection and kept, and SQLite's codes
 * turned into ours.
 *
 * What is not here: when a transaction opens and what a statement means
 * (store.c, the facade); the contract is store.h.
 */
#include "gateway/store/driver.h"
#include "gateway/store/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a call waits for another connection's write transaction before
 * it gives up with EDI_EAGAIN, unless set (gw_store_set_busy_timeout). */
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

    /* 9: the secrets vault (gateway/secret/vault.c): each value sealed
     * (XChaCha20-Poly1305) under a key derived from the master key of
     * key_version, with its nonce; never a plaintext. A rotation re-seals
     * every row in one transaction, so the rows' versions say which key
     * opens them. */
    "CREATE TABLE secrets ("
    "  partner TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  key_version INTEGER NOT NULL,"
    "  nonce BLOB NOT NULL,"
    "  sealed BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  PRIMARY KEY (partner, name)) WITHOUT ROWID;",

    /* 10: what a partner said about a message sent, for transports that
     * answer later (an SP-API transactionId, an AS2 MDN): the receipt, and
     * its status (pending, accepted, rejected, unknown) with the partner's
     * words. Cursors: where a transport's pulls got to (an SP-API
     * changedAfter). Rate waits: a partner's "not before" for an operation
     * (a 429's), so another process or the next timer run keeps it. */
    "ALTER TABLE outbox ADD COLUMN receipt TEXT;"
    "ALTER TABLE outbox ADD COLUMN status TEXT;"
    "ALTER TABLE outbox ADD COLUMN status_detail TEXT;"
    "ALTER TABLE outbox ADD COLUMN status_checked INTEGER;"
    "ALTER TABLE outbox ADD COLUMN status_checks INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX outbox_status ON outbox (status) WHERE status = 'pending';"
    "CREATE TABLE cursors ("
    "  partner TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  PRIMARY KEY (partner, name));"
    "CREATE TABLE rate_waits ("
    "  partner TEXT NOT NULL,"
    "  operation TEXT NOT NULL,"
    "  until INTEGER NOT NULL,"
    "  PRIMARY KEY (partner, operation));",

    /* 11: what Amazon's Finances API says of an invoice we sent (the
     * SP-API's invoice transactions stay Processing): its status word
     * (PAID, PARTIALLY_PAID, REJECTED ...) and the summary in plain words,
     * a first line of amounts and a line per variance; the pair is what
     * tells a change from the same news read again. */
    "ALTER TABLE invoices ADD COLUMN amazon_status TEXT;"
    "ALTER TABLE invoices ADD COLUMN amazon_detail TEXT;",

    /* 12: AS2 messages (transport/as2.c), both directions. out: the
     * Message-ID given to an outbox message at its first send and kept
     * for every resend, the MIC its receipt must echo, and what the MDN
     * said (sent, accepted, rejected). in: each Message-ID a partner sent
     * (duplicates are answered again, never processed twice), the MIC we
     * answered with and the raw row it landed as (processed, or refused
     * with why). */
    "CREATE TABLE as2_messages ("
    "  id INTEGER PRIMARY KEY,"
    "  partner TEXT NOT NULL,"
    "  direction TEXT NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  outbox_id INTEGER,"
    "  raw_id INTEGER,"
    "  mic TEXT,"
    "  status TEXT NOT NULL,"
    "  detail TEXT,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  UNIQUE (direction, partner, message_id));"
    "CREATE INDEX as2_outbox ON as2_messages (outbox_id) WHERE outbox_id IS NOT NULL;",
    /* 13: the HTTP API's users (gateway/api/): an argon2id password hash
     * (crypto_pwhash_str), never a password; API tokens and sessions kept
     * as digests of the random values the client holds (a copy of the
     * store gives no one a way in); a session's CSRF token and expiry.
     * Orders paged newest first by (state, id) and (partner, id). */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL,"
    "  pwhash TEXT,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL,"
    "  digest TEXT NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX api_tokens_user ON api_tokens (user_id);"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL,"
    "  digest TEXT NOT NULL UNIQUE,"
    "  csrf TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE INDEX orders_state_id ON orders (state, id);"
    "CREATE INDEX orders_partner_id ON orders (partner, id);",
    /* 14: reprocessing a quarantined inbound file (issue 17): the file is
     * landed again as a new raw row that names the row it reprocesses. Its
     * bytes are the same, so the SHA-256 index that finds a partner's file
     * received twice counts the first landing only; one reprocess a row
     * (unique), so two at once cannot both run. The quarantined files are
     * paged newest first. */
    "ALTER TABLE raw ADD COLUMN reprocess_of INTEGER REFERENCES raw (id);"
    "DROP INDEX raw_sha256;"
    "CREATE UNIQUE INDEX raw_sha256 ON raw (partner, direction, sha256) WHERE reprocess_of IS NULL;"
    "CREATE UNIQUE INDEX raw_reprocess ON raw (reprocess_of) WHERE reprocess_of IS NOT NULL;"
    "CREATE INDEX raw_quarantined ON raw (partner, id) WHERE verdict = 'quarantined';"
    "CREATE INDEX interchanges_raw ON interchanges (raw_id);"
    /* what a page of 100,000 documents reads without a scan (make bench,
     * tests/bench/api.sh): the documents about one (a rejected one's
     * reasons, read for each shown) and /metrics' counts of documents by
     * kind, direction and state and of orders by partner and state
     * (covering indexes: no table read, no sort) */
    "CREATE INDEX documents_about ON documents (about) WHERE about IS NOT NULL;"
    "CREATE INDEX documents_kind_direction_state ON documents (kind, direction, state);"
    "CREATE INDEX orders_partner_state ON orders (partner, state);",
    /* 15: the console's documents per day (GET /api/v1/today) range over
     * created */
    "CREATE INDEX IF NOT EXISTS documents_created ON documents (created);",
    /* 16: each run's acknowledgment deadlines read the open orders created
     * before a time (issue 18: not every open order of the store) */
    "CREATE INDEX IF NOT EXISTS orders_state_created ON orders (state, created);",
};


#define NMIGRATIONS ((int)(sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0])))

/* ---- statements ------------------------------------------------------------ */

#define INV_COLS "SELECT id, partner, program, number, state, po_numbers, total, currency, canonical," \
                 " findings, coalesce(document_id, 0), coalesce(outbox_id, 0), created, updated, amazon_status," \
                 " amazon_detail FROM invoices"
#define DOC_COLS "SELECT id, partner, direction, kind, group_control, set_control, ref, state, findings," \
                 " coalesce(about, 0), text, created, updated FROM documents"
#define SHIP_COLS "SELECT id, partner, program, shipment_id, version, state, warehouse, ship_to," \
                  " canonical, coalesce(document_id, 0), coalesce(outbox_id, 0), created FROM shipments"
#define ORDER_COLS "SELECT id, partner, program, po_number, state, canonical, created, updated FROM orders"
/* ORDER_COLS without the canonical document (NULL in its place) */
#define ORDER_HEAD_COLS "SELECT id, partner, program, po_number, state, NULL, created, updated FROM orders"

/* Transaction control: one name for every savepoint level, since RELEASE
 * and ROLLBACK TO act on the innermost savepoint of that name. */
enum tq { T_BEGIN_IMMEDIATE, T_BEGIN, T_COMMIT, T_ROLLBACK, T_SAVEPOINT, T_RELEASE, T_ROLLBACK_TO, T_COUNT_ };

static const char *const TX_SQL[T_COUNT_] = {
    [T_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [T_BEGIN] = "BEGIN",
    [T_COMMIT] = "COMMIT",
    [T_ROLLBACK] = "ROLLBACK",
    [T_SAVEPOINT] = "SAVEPOINT gw",
    [T_RELEASE] = "RELEASE gw",
    [T_ROLLBACK_TO] = "ROLLBACK TO gw",
};

static const char *const SQL[Q_COUNT_] = {
    [Q_CURSOR_GET] = "SELECT value FROM cursors WHERE partner = ?1 AND name = ?2",
    /* ---- users of the HTTP API */
    [Q_USER_INSERT] = "INSERT INTO users (name, role, pwhash, created, updated) VALUES (?1, ?2, ?3, ?4, ?4)",
    [Q_USER_GET] = "SELECT id, name, role, pwhash, created, updated FROM users WHERE name = ?1",
    [Q_USER_LIST] = "SELECT id, name, role, NULL, created, updated FROM users ORDER BY name",
    [Q_USER_PASSWD] = "UPDATE users SET pwhash = ?2, updated = ?3 WHERE id = ?1",
    [Q_USER_DELETE] = "DELETE FROM users WHERE id = ?1",
    [Q_USER_TOKENS_DELETE] = "DELETE FROM api_tokens WHERE user_id = ?1",
    [Q_USER_SESSIONS_DELETE] = "DELETE FROM sessions WHERE user_id = ?1",
    [Q_TOKEN_INSERT] = "INSERT INTO api_tokens (user_id, digest, created) VALUES (?1, ?2, ?3)",
    [Q_USER_BY_TOKEN] = "SELECT u.id, u.name, u.role, NULL, u.created, u.updated, NULL, 0 FROM api_tokens t"
                        " JOIN users u ON u.id = t.user_id WHERE t.digest = ?1",
    [Q_SESSION_INSERT] = "INSERT INTO sessions (user_id, digest, csrf, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_USER_BY_SESSION] = "SELECT u.id, u.name, u.role, NULL, u.created, u.updated, s.csrf, s.expires FROM sessions s"
                          " JOIN users u ON u.id = s.user_id WHERE s.digest = ?1 AND s.expires > ?2",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE digest = ?1 OR expires <= ?2",
    /* a page of orders, newest first, after the row id ?4 (0: the first page) */
    [Q_ORDER_PAGE] = ORDER_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2)"
                     " AND (?3 IS NULL OR instr(po_number, ?3) > 0) AND (?4 = 0 OR id < ?4)"
                     " ORDER BY id DESC LIMIT ?5",
    /* a page of documents, newest first, after the row id ?4, created at ?5 or later */
    [Q_DOC_PAGE] = DOC_COLS " WHERE (?1 IS NULL OR partner = ?1) AND (?2 IS NULL OR kind = ?2)"
                   " AND (?3 IS NULL OR state = ?3) AND (?4 = 0 OR id < ?4) AND created >= ?5"
                   " ORDER BY id DESC LIMIT ?6",
    [Q_DOC_GET] = DOC_COLS " WHERE id = ?1",
    /* the bytes a document came in (its interchange's raw file) or went out in (its outbox message) */
    [Q_DOC_RAW] = "SELECT coalesce(r.bytes, o.bytes) FROM documents d"
                  " LEFT JOIN interchanges i ON i.id = d.interchange_id LEFT JOIN raw r ON r.id = i.raw_id"
                  " LEFT JOIN outbox o ON o.id = d.outbox_id WHERE d.id = ?1",
    [Q_CURSOR_SET] = "INSERT INTO cursors (partner, name, value, updated) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (partner, name) DO UPDATE SET value = excluded.value, updated = excluded.updated",
    [Q_WAIT_GET] = "SELECT until FROM rate_waits WHERE partner = ?1 AND operation = ?2",
    [Q_WAIT_SET] = "INSERT INTO rate_waits (partner, operation, until) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT (partner, operation) DO UPDATE SET until = max(until, excluded.until)",
    /* An ERP's message: done, with the ERP's id for what it made (the
     * receipt, never asked again: status done) */
    [Q_OUTBOX_ERP_DONE] = "UPDATE outbox SET receipt = ?2, status = 'done', status_detail = ?3, status_checked = ?4"
                          " WHERE id = ?1",
    /* held: the message cannot go until a person acts (a cross-reference
     * missing, the ERP refused it as such); wharf erp retry takes it back */
    [Q_OUTBOX_HOLD] = "UPDATE outbox SET attempts = attempts + 1, next_try = 253402300799, last_error = ?3,"
                      " status = 'held', status_detail = ?3, status_checked = ?2, claimed_by = NULL,"
                      " claimed_at = NULL WHERE id = ?1 AND sent_at IS NULL",
    [Q_OUTBOX_RETRY] = "UPDATE outbox SET next_try = ?2, status = NULL, status_detail = NULL"
                       " WHERE id = ?1 AND sent_at IS NULL",
    [Q_OUTBOX_LIST] = "SELECT id, partner, kind, name, attempts, created, next_try, coalesce(sent_at, 0),"
                      " last_error, status, status_detail, receipt FROM outbox"
                      " WHERE substr(kind, 1, length(?1)) = ?1 ORDER BY id",
    [Q_OUTBOX_RECEIPT] = "UPDATE outbox SET receipt = ?2, status = ?3, status_checked = ?4 WHERE id = ?1",
    [Q_RECEIPTS] = "SELECT id, partner, kind, name, receipt, coalesce(sent_at, 0), coalesce(status_checked, 0),"
                   " status_checks, status, status_detail FROM outbox"
                   " WHERE receipt IS NOT NULL AND (?1 IS NULL OR partner = ?1) AND (?2 IS NULL OR status = ?2)"
                   " ORDER BY id",
    [Q_OUTBOX_STATUS] = "UPDATE outbox SET status = ?2, status_detail = ?3, status_checked = ?4,"
                        " status_checks = status_checks + 1 WHERE id = ?1",
    [Q_OUTBOX_RESEND] = "UPDATE outbox SET sent_at = NULL, receipt = NULL, status = NULL, status_detail = ?3,"
                        " status_checked = ?2, next_try = ?2, attempts = attempts + 1, claimed_by = NULL,"
                        " claimed_at = NULL WHERE id = ?1 AND sent_at IS NOT NULL",
    [Q_DOCS_OF_OUTBOX] = "SELECT id FROM documents WHERE outbox_id = ?1 ORDER BY id",
    [Q_HAS_VERSION] = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    [Q_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [Q_VERSION_TABLE] = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)",
    [Q_VERSION_SET] = "INSERT INTO schema_version (version) VALUES (?1)",
    [Q_RAW_FIND] = "SELECT id FROM raw WHERE partner = ?1 AND direction = ?2 AND sha256 = ?3 AND reprocess_of IS NULL",
    /* a quarantined file landed again: its bytes, partner and name, state received */
    [Q_RAW_REPROCESS] = "INSERT INTO raw (partner, direction, name, sha256, bytes, size, received, state, reprocess_of)"
                        " SELECT partner, direction, name, sha256, bytes, size, ?2, 'received', id FROM raw WHERE id = ?1",
    /* the row that reprocessed ?1: its id, when, its state and verdict */
    [Q_RAW_AGAIN] = "SELECT id, received, state, verdict FROM raw WHERE reprocess_of = ?1",
    /* a page of quarantined inbound files, newest first, each with its reprocess */
    [Q_QUARANTINE_PAGE] = "SELECT r.id, r.partner, r.name, r.received, r.reason, r.size, coalesce(n.id, 0),"
                          " coalesce(n.received, 0), coalesce(n.verdict, n.state), coalesce(r.reprocess_of, 0)"
                          " FROM raw r LEFT JOIN raw n ON n.reprocess_of = r.id"
                          " WHERE r.verdict = 'quarantined' AND r.direction = 'in' AND (?1 IS NULL OR r.partner = ?1)"
                          " AND (?2 = 0 OR r.id < ?2) ORDER BY r.id DESC LIMIT ?3",
    /* the documents of the interchanges a raw file held */
    [Q_DOC_RAW_ID] = "SELECT coalesce(i.raw_id, 0), r.verdict FROM documents d"
                     " JOIN interchanges i ON i.id = d.interchange_id LEFT JOIN raw r ON r.id = i.raw_id"
                     " WHERE d.id = ?1",
    [Q_RAW_DOCS] = "SELECT d.id FROM interchanges i JOIN documents d ON d.interchange_id = i.id"
                   " WHERE i.raw_id = ?1 ORDER BY d.id",
    [Q_RAW_INSERT] = "INSERT INTO raw (partner, direction, name, sha256, bytes, size, received)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_RAW_RECEIVE] = "INSERT INTO raw (partner, direction, name, sha256, bytes, size, received, state)"
                      " VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6, 'received')",
    [Q_RAW_RECEIVED] = "SELECT id FROM raw WHERE state = 'received' AND (?1 IS NULL OR partner = ?1)"
                       " AND direction = 'in' ORDER BY id",
    [Q_RAW_GET] = "SELECT id, partner, name, bytes, size, received, state, verdict, reason, direction,"
                  " coalesce(reprocess_of, 0) FROM raw WHERE id = ?1",
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
    /* the same with a state: "?1 IS NULL OR" hides the state from the
     * planner, which then scanned every order (orders_created) for the few
     * in one state, as the ack run asks after every file */
    [Q_ORDER_LIST_IN] = ORDER_COLS " WHERE state = ?1 AND (?2 IS NULL OR partner = ?2)"
                        " ORDER BY created DESC, id DESC",
    /* the heads below, of the orders created before ?3 */
    [Q_ORDER_HEADS_BEFORE] = ORDER_HEAD_COLS " WHERE state = ?1 AND (?2 IS NULL OR partner = ?2) AND created < ?3"
                             " ORDER BY created DESC, id DESC",
    [Q_ORDER_HEADS] = ORDER_HEAD_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2)"
                      " ORDER BY created DESC, id DESC",
    [Q_ORDER_HEADS_IN] = ORDER_HEAD_COLS " WHERE state = ?1 AND (?2 IS NULL OR partner = ?2)"
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
    [Q_RUNS_PAGE] = "SELECT id, partner, job, due, started, coalesce(ended, 0), state, counts, error"
                    " FROM runs WHERE (?1 IS NULL OR state = ?1) AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3",
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
    [Q_SHIP_PAGE] = SHIP_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2)"
                    " AND (?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4",
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
    [Q_INV_PAGE] = INV_COLS " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR partner = ?2)"
                   " AND (?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4",
    [Q_INV_HISTORY_GET] = "SELECT at, state, what FROM invoice_history WHERE invoice_id = ?1 ORDER BY at, id",
    [Q_INV_BILLED] = "SELECT invoice_id FROM invoice_bills WHERE shipment_id = ?1 AND order_id = ?2",
    /* a document's new state reaches the invoice it carries: the history
     * first (it names the invoices about to change), then the state */
    [Q_INV_DOC_HISTORY] = "INSERT INTO invoice_history (invoice_id, at, state, what)"
                          " SELECT id, ?3, ?2, ?4 FROM invoices WHERE document_id = ?1"
                          " AND state IN ('queued', 'sent', 'accepted', 'rejected') AND state <> ?2"
                          " AND amazon_status IS NULL",
    /* once Amazon's Finances API has spoken of an invoice, its word
     * stands: a transaction status read later does not move it */
    [Q_INV_DOC_STATE] = "UPDATE invoices SET state = ?2, updated = ?3 WHERE document_id = ?1"
                        " AND state IN ('queued', 'sent', 'accepted', 'rejected') AND state <> ?2"
                        " AND amazon_status IS NULL",
    /* Amazon's word on an invoice, only when it is news */
    [Q_INV_AMAZON] = "UPDATE invoices SET amazon_status = ?2, amazon_detail = ?3, state = ?4, updated = ?5"
                     " WHERE id = ?1 AND (amazon_status IS NOT ?2 OR amazon_detail IS NOT ?3)",
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
    /* the same with ?4 a document: it and those about it (by documents_about) */
    [Q_DOC_LIST_ABOUT] = DOC_COLS " WHERE (about = ?4 OR id = ?4) AND (?1 IS NULL OR partner = ?1)"
                         " AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR state = ?3) ORDER BY id DESC LIMIT ?5",
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
    /* What /metrics shows (gateway/api/metrics.c), one kind of row each:
     * what, three labels (NULL: none), two numbers. Each part reads an
     * index or a small table: documents by documents_state, the outbox's
     * unsent rows by outbox_unsent, the last run of each job by the
     * runs' UNIQUE (partner, job, due). */
    [Q_METRICS] = "SELECT what, a, b, c, v1, v2 FROM ("
                  " SELECT 1 AS k, 'documents' AS what, kind AS a, direction AS b, state AS c,"
                  "  count(*) AS v1, 0 AS v2 FROM documents GROUP BY kind, direction, state"
                  " UNION ALL"
                  " SELECT 2, 'orders', partner, state, NULL, count(*), 0 FROM orders GROUP BY partner, state"
                  " UNION ALL"
                  /* v1 unsent, v2 due now; c: the age of the oldest due one (seconds, as text) */
                  " SELECT 3, 'outbox', partner, kind,"
                  "  CAST(coalesce(?1 - min(CASE WHEN next_try <= ?1 THEN created END), -1) AS TEXT),"
                  "  count(*), sum(next_try <= ?1) FROM outbox WHERE sent_at IS NULL GROUP BY partner, kind"
                  " UNION ALL"
                  " SELECT 4, 'outbox-failing', partner, kind, NULL, count(*), max(attempts) FROM outbox"
                  "  WHERE sent_at IS NULL AND attempts > 0 GROUP BY partner, kind"
                  " UNION ALL"
                  /* the last run of each job: v1 its seconds (so far, while running), v2 when it ended */
                  " SELECT 5, 'run', r.partner, r.job, r.state, coalesce(r.ended, ?1) - r.started,"
                  "  coalesce(r.ended, 0) FROM runs r"
                  "  JOIN (SELECT max(id) AS id FROM runs GROUP BY partner, job) l ON l.id = r.id"
                  " UNION ALL"
                  " SELECT 6, 'as2', partner, direction, status, count(*), 0 FROM as2_messages"
                  "  GROUP BY partner, direction, status"
                  ") ORDER BY k, a, b, c",
    /* documents per UTC day since ?1 (documents_created) */
    [Q_DAY_COUNTS] = "SELECT date(created, 'unixepoch') AS day, sum(direction = 'in'), sum(direction <> 'in'),"
                     " sum(state = 'rejected') FROM documents WHERE created >= ?1 GROUP BY day ORDER BY day",
    /* each order's first acknowledgment sent (the outbox row of its first
     * ack to go) since ?1: the UTC day it went and the seconds from the
     * order's arrival, by day and seconds */
    [Q_ACK_LATENCIES] = "SELECT date(x.sent, 'unixepoch'), x.sent - o.created FROM"
                        " (SELECT a.order_id AS order_id, min(b.sent_at) AS sent FROM acks a"
                        "  JOIN outbox b ON b.id = a.outbox_id WHERE b.sent_at IS NOT NULL GROUP BY a.order_id) x"
                        " JOIN orders o ON o.id = x.order_id WHERE x.sent >= ?1 ORDER BY 1, 2",
    /* what waits to be sent (AS2 receipts owed apart, as in the counts)
     * and the age of the oldest at ?1 */
    [Q_OUTBOX_DEPTH] = "SELECT count(*), coalesce(?1 - min(created), 0) FROM outbox WHERE sent_at IS NULL"
                       " AND kind <> '" GW_OUTBOX_AS2_MDN "'",
    [Q_COUNTS] = "SELECT what, n FROM ("
                 " SELECT 1 AS k, 'orders:' || state AS what, count(*) AS n FROM orders GROUP BY state"
                 " UNION ALL"
                 " SELECT 2, 'documents:' || state, count(*) FROM documents GROUP BY state"
                 " UNION ALL"
                 " SELECT 2, 'invoices:' || state, count(*) FROM invoices GROUP BY state"
                 " UNION ALL"
                 " SELECT 3, 'outbox:due', count(*) FROM outbox WHERE sent_at IS NULL AND next_try <= ?1"
                 "  AND kind <> '" GW_OUTBOX_AS2_MDN "'"
                 " UNION ALL"
                 " SELECT 4, 'outbox:failed', count(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0"
                 "  AND kind <> '" GW_OUTBOX_AS2_MDN "'"
                 /* AS2 receipts we owe: there only when there are some */
                 " UNION ALL"
                 " SELECT 5, 'as2:receipts-owed', n FROM (SELECT count(*) AS n FROM outbox"
                 "  WHERE sent_at IS NULL AND kind = '" GW_OUTBOX_AS2_MDN "') WHERE n > 0"
                 " UNION ALL"
                 " SELECT 6, 'as2:receipts-failed', n FROM (SELECT count(*) AS n FROM outbox"
                 "  WHERE sent_at IS NULL AND attempts > 0 AND kind = '" GW_OUTBOX_AS2_MDN "') WHERE n > 0"
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
                      "  CASE WHEN o.kind = '" GW_OUTBOX_AS2_MDN "' THEN 'AS2 receipt owed, to ' || o.name"
                      "   ELSE 'outbox ' || o.kind || ' ' || coalesce(o.name, '#' || o.id) END || ' attempt '"
                      "  || o.attempts || ' failed' || CASE WHEN o.sent_at IS NULL THEN '' ELSE ' (since sent)' END,"
                      "  o.last_error"
                      " FROM outbox o WHERE o.last_error IS NOT NULL"
                      " UNION ALL"
                      " SELECT coalesce(r.ended, r.started), 2, r.id, r.partner, r.job || ' run failed',"
                      "  coalesce(r.error, '')"
                      " FROM runs r WHERE r.state = 'failed'"
                      ") ORDER BY at DESC, src, id DESC LIMIT ?1",
    /* ---- purge: run rarely (a purge a day), so prepared per call (ONCE) */
    /* closed: shipped and invoiced, closed, cancelled, or rejected with
     * its 855 queued (a pending decision still needs the order) */
    [Q_PURGE_ORDERS] = ORDER_COLS
        " WHERE upper(program) = 'DF' AND state IN ('invoiced', 'closed', 'cancelled', 'rejected')"
        " AND updated < ?1"
        " AND NOT EXISTS (SELECT 1 FROM acks a WHERE a.order_id = orders.id AND a.state = 'pending')"
        " ORDER BY id",
    /* the raw files that hold one of the order's 850s ... */
    [Q_PURGE_RAWS] = "SELECT DISTINCT r.id, r.name, r.bytes FROM raw r"
        " JOIN interchanges i ON i.raw_id = r.id"
        " JOIN documents d ON d.interchange_id = i.id"
        " JOIN orders o ON o.partner = d.partner AND o.po_number = d.ref"
        " WHERE o.id = ?1 AND d.direction = 'in' AND d.kind = '850' ORDER BY r.id",
    /* ... and every order each of them holds */
    [Q_PURGE_RAW_ORDERS] = "SELECT DISTINCT o.id FROM interchanges i"
        " JOIN documents d ON d.interchange_id = i.id"
        " JOIN orders o ON o.partner = d.partner AND o.po_number = d.ref"
        " WHERE i.raw_id = ?1 AND d.direction = 'in' AND d.kind = '850' ORDER BY o.id",
    [Q_PURGE_SHIPMENTS] = "SELECT id, partner, program, shipment_id, canonical FROM shipments"
        " WHERE id IN (SELECT shipment_id FROM shipment_lines WHERE order_id = ?1) ORDER BY id",
    [Q_PURGE_ORDER] = "UPDATE orders SET canonical = ?2 WHERE id = ?1",
    /* the sha256 stays: the same file sent again is still a duplicate */
    [Q_PURGE_RAW] = "UPDATE raw SET bytes = X'' WHERE id = ?1",
    [Q_PURGE_SHIPMENT] = "UPDATE shipments SET canonical = ?2 WHERE id = ?1",
    [Q_PURGE_ERP] = "UPDATE outbox SET bytes = X'' WHERE partner = ?1 AND "
        "(kind IN ('erp-json', 'erp-csv') OR kind LIKE 'erp:%') AND sent_at IS NOT NULL AND instr(name, ?2) > 0",
    /* what is purged is overwritten with zeros, not left in free pages (a
     * connection setting: it stays on, which costs little) */
    [Q_SECURE_DELETE] = "PRAGMA secure_delete = ON",
    /* ---- secrets: a replaced value keeps its created time */
    [Q_SECRET_PUT] = "INSERT INTO secrets (partner, name, key_version, nonce, sealed, created, updated)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (partner, name) DO UPDATE SET"
                     " key_version = excluded.key_version, nonce = excluded.nonce,"
                     " sealed = excluded.sealed, updated = excluded.updated",
    [Q_SECRET_GET] = "SELECT partner, name, key_version, nonce, sealed, created, updated FROM secrets"
                     " WHERE partner = ?1 AND name = ?2",
    /* ?2 1: names and dates only (a listing), the sealed bytes left out */
    [Q_SECRET_LIST] = "SELECT partner, name, key_version, CASE WHEN ?2 THEN NULL ELSE nonce END,"
                      " CASE WHEN ?2 THEN NULL ELSE sealed END, created, updated FROM secrets"
                      " WHERE ?1 IS NULL OR partner = ?1 ORDER BY partner, name",
    [Q_SECRET_DELETE] = "DELETE FROM secrets WHERE partner = ?1 AND name = ?2",
    [Q_SECRET_VERSIONS] = "SELECT coalesce(min(key_version), 0), coalesce(max(key_version), 0), count(*)"
                          " FROM secrets",
    /* ---- AS2 messages */
#define AS2_COLS "SELECT id, partner, direction, message_id, coalesce(outbox_id, 0), coalesce(raw_id, 0), mic," \
                 " status, detail, created, updated FROM as2_messages"
    [Q_AS2_PUT] = "INSERT INTO as2_messages (partner, direction, message_id, outbox_id, raw_id, mic, status, detail,"
                  " created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
                  " ON CONFLICT (direction, partner, message_id) DO NOTHING",
    [Q_AS2_GET] = AS2_COLS " WHERE direction = ?1 AND partner = ?2 AND message_id = ?3",
    [Q_AS2_OF_OUTBOX] = AS2_COLS " WHERE direction = 'out' AND outbox_id = ?1 ORDER BY id LIMIT 1",
    [Q_AS2_UPDATE] = "UPDATE as2_messages SET mic = coalesce(?4, mic), status = ?5, detail = ?6, updated = ?7,"
                     " raw_id = coalesce(?8, raw_id) WHERE direction = ?1 AND partner = ?2 AND message_id = ?3",

};

/* Statements prepared per use and finalized when done, not kept. */
static const unsigned char ONCE[Q_COUNT_] = {
    [Q_PURGE_ORDERS] = 1, [Q_PURGE_RAWS] = 1, [Q_PURGE_RAW_ORDERS] = 1, [Q_PURGE_SHIPMENTS] = 1,
    [Q_PURGE_ORDER] = 1, [Q_PURGE_RAW] = 1, [Q_PURGE_SHIPMENT] = 1, [Q_PURGE_ERP] = 1,
    [Q_SECURE_DELETE] = 1,
};

/* ---- connection and cursors -------------------------------------------------- */

struct cursor {
    struct gw_cursor base;      /* first: the facade's view */
    struct gw_conn *c;
    sqlite3_stmt *st;
    enum gw_q q;
};

struct ckpt;

struct gw_conn {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *tx[T_COUNT_];
    struct cursor cur[Q_COUNT_];
    struct ckpt *ck;      /* the background checkpointer, once a commit needed it */
    int page_size;        /* the database's, in bytes */
    int wal_tried, wal_fd;   /* the log, read only, for sq_writeback (-1: none) */
    int64_t steps;        /* VM steps of the statements done so far (sq_steps) */
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
static int db_fail(sqlite3 *db, int code, const char *op, struct edi_err *err)
{
    const char *m = sqlite3_errstr(code);
    int rc;

    if (db != NULL && sqlite3_extended_errcode(db) == code)
        m = sqlite3_errmsg(db);
    rc = edi_fail(err, rc_of(code), "store: %s: %s", op, m);
    if (err != NULL)
        err->sys = code;
    return rc;
}

/* ---- statements ----------------------------------------------------------------- */

/* A transaction statement: prepared once, run to its end. */
static int tx_run(struct gw_conn *c, enum tq t, const char *op, struct edi_err *err)
{
    int k;

    if (c->tx[t] == NULL) {
        k = sqlite3_prepare_v3(c->db, TX_SQL[t], -1, SQLITE_PREPARE_PERSISTENT, &c->tx[t], NULL);
        if (k != SQLITE_OK)
            return db_fail(c->db, k, op, err);
    }
    k = sqlite3_step(c->tx[t]);
    sqlite3_reset(c->tx[t]);
    return k == SQLITE_DONE || k == SQLITE_ROW ? 0 : db_fail(c->db, k, op, err);
}

/* Values are SQLITE_STATIC: the facade keeps its inputs until the
 * statement is done. The first failure sticks and is reported once. */
static int bind_all(sqlite3_stmt *st, const struct gw_param *in, size_t nin)
{
    int bc = SQLITE_OK;
    size_t k;

    for (k = 0; k < nin && bc == SQLITE_OK; k++) {
        const struct gw_param *p = &in[k];
        int i = (int)k + 1;

        switch (p->type) {
        case GW_T_TEXT:
            bc = p->text != NULL ? sqlite3_bind_text(st, i, p->text, -1, SQLITE_STATIC)
                                 : sqlite3_bind_null(st, i);
            break;
        case GW_T_INT:
            bc = sqlite3_bind_int64(st, i, (sqlite3_int64)p->i);
            break;
        case GW_T_ID:           /* 0 or less: no such row */
            bc = p->i > 0 ? sqlite3_bind_int64(st, i, (sqlite3_int64)p->i) : sqlite3_bind_null(st, i);
            break;
        case GW_T_BLOB:         /* a NULL pointer would bind SQL NULL: empty bytes are an empty blob */
            bc = sqlite3_bind_blob64(st, i, p->n > 0 ? p->blob : "", (sqlite3_uint64)p->n, SQLITE_STATIC);
            break;
        default:
            bc = SQLITE_MISUSE;
        }
    }
    return bc;
}

static int sq_exec(struct gw_cursor **out, struct gw_conn *c, enum gw_q q, const struct gw_param *in,
                   size_t nin, const char *op, struct edi_err *err)
{
    struct cursor *cur;
    int k;

    *out = NULL;
    if ((unsigned)q >= Q_COUNT_ || SQL[q] == NULL)
        return edi_fail(err, EDI_ERR, "store: %s: no statement %d in the SQLite driver", op, (int)q);
    cur = &c->cur[q];
    if (cur->st == NULL) {
        k = sqlite3_prepare_v3(c->db, SQL[q], -1, ONCE[q] ? 0 : SQLITE_PREPARE_PERSISTENT, &cur->st,
                               NULL);
        if (k != SQLITE_OK)
            return db_fail(c->db, k, op, err);
    } else {
        sqlite3_reset(cur->st);
        sqlite3_clear_bindings(cur->st);
    }
    if ((k = bind_all(cur->st, in, nin)) != SQLITE_OK) {
        int rc = db_fail(c->db, k, op, err);

        sqlite3_clear_bindings(cur->st);
        return rc;
    }
    *out = &cur->base;
    return 0;
}

static int sq_next(struct gw_cursor *g, const char *op, struct edi_err *err)
{
    struct cursor *cur = (struct cursor *)g;
    int k = sqlite3_step(cur->st);

    if (k == SQLITE_ROW)
        return 1;
    if (k == SQLITE_DONE)
        return 0;
    return db_fail(cur->c->db, k, op, err);
}

static void sq_done(struct gw_cursor *g)
{
    struct cursor *cur = (struct cursor *)g;

    if (cur == NULL || cur->st == NULL)
        return;
    cur->c->steps += sqlite3_stmt_status(cur->st, SQLITE_STMTSTATUS_VM_STEP, 1);
    if (ONCE[cur->q]) {
        sqlite3_finalize(cur->st);
        cur->st = NULL;
        return;
    }
    sqlite3_reset(cur->st);
    sqlite3_clear_bindings(cur->st);
}

static int64_t sq_col_int(struct gw_cursor *g, int i)
{
    return sqlite3_column_int64(((struct cursor *)g)->st, i);
}

static const char *sq_col_text(struct gw_cursor *g, int i)
{
    return (const char *)sqlite3_column_text(((struct cursor *)g)->st, i);
}

static const void *sq_col_blob(struct gw_cursor *g, int i, size_t *n)
{
    sqlite3_stmt *st = ((struct cursor *)g)->st;
    const void *b = sqlite3_column_blob(st, i);

    *n = (size_t)sqlite3_column_bytes(st, i);
    return b;
}

static int64_t sq_last_id(struct gw_conn *c)
{
    return sqlite3_last_insert_rowid(c->db);
}

static int64_t sq_steps(struct gw_conn *c)
{
    return c->steps;
}

static int64_t sq_changes(struct gw_conn *c)
{
    return sqlite3_changes(c->db);
}

/* ---- transactions ---------------------------------------------------------------- */

/* BEGIN IMMEDIATE (writes: the write lock is taken now) or BEGIN (reads;
 * under WAL they never wait for a writer), or a SAVEPOINT inside. */
static int sq_begin(struct gw_conn *c, int outer, int write, const char *op, struct edi_err *err)
{
    return tx_run(c, !outer ? T_SAVEPOINT : write ? T_BEGIN_IMMEDIATE : T_BEGIN, op, err);
}

static int sq_commit(struct gw_conn *c, int outer, const char *op, struct edi_err *err)
{
    return tx_run(c, outer ? T_COMMIT : T_RELEASE, op, err);
}

static void sq_rollback(struct gw_conn *c, int outer)
{
    if (outer) {
        tx_run(c, T_ROLLBACK, "rollback", NULL);
    } else {
        tx_run(c, T_ROLLBACK_TO, "rollback", NULL);
        tx_run(c, T_RELEASE, "rollback", NULL);
    }
}

static int sq_in_tx(struct gw_conn *c)
{
    return !sqlite3_get_autocommit(c->db);
}

/* Constant DDL, no values: sqlite3_exec runs the whole script. */
static int sq_migrate(struct gw_conn *c, int v, const char *op, struct edi_err *err)
{
    int k;

    if (v < 0 || v >= NMIGRATIONS)
        return edi_fail(err, EDI_ERR, "store: %s: no migration %d", op, v + 1);
    if ((k = sqlite3_exec(c->db, MIGRATIONS[v], NULL, NULL, NULL)) != SQLITE_OK)
        return db_fail(c->db, k, op, err);
    return 0;
}

/* ---- open and close ----------------------------------------------------------------- */

/* WAL: readers (`wharf status`, the CLI) never wait for the daemon, and
 * the daemon never waits for them. */
static int use_wal(struct gw_conn *c, struct edi_err *err)
{
    static const char op[] = "set journal_mode=WAL";
    sqlite3_stmt *st = NULL;
    const char *mode;
    int k, rc = 0;

    if ((k = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL)) != SQLITE_OK)
        return db_fail(c->db, k, op, err);
    if ((k = sqlite3_step(st)) != SQLITE_ROW) {
        rc = db_fail(c->db, k, op, err);
        goto out;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(c->path, ":memory:") != 0))
        rc = edi_fail(err, EDI_ECONFIG,
                      "store: %s: cannot use WAL mode (journal mode stays %s): "
                      "put the workspace on a local file system",
                      c->path, mode ? mode : "unknown");
out:
    sqlite3_finalize(st);
    return rc;
}

static int page_size_of(struct gw_conn *c, struct edi_err *err)
{
    sqlite3_stmt *st = NULL;
    int k;

    if ((k = sqlite3_prepare_v2(c->db, "PRAGMA page_size", -1, &st, NULL)) != SQLITE_OK)
        return db_fail(c->db, k, "read page_size", err);
    k = sqlite3_step(st);
    c->page_size = k == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (k != SQLITE_ROW)
        return db_fail(c->db, k, "read page_size", err);
    return 0;
}

/* ---- checkpoints in the background ------------------------------------------- */

/* SPEC: issue 18 — when a commit leaves the write-ahead log at CKPT_BYTES
 * or more (SQLite's own automatic threshold, 1,000 pages, of 4 KB), the
 * log is copied into the database by a thread with a connection of its
 * own, in PASSIVE mode: it never waits for this connection's readers or
 * writers, and it does not hold the commit up. SQLite's automatic
 * checkpoint did that copy inside the commit, on the flow's thread: 60 MB
 * after a 10,000-PO file, a sixth of the run, while the acknowledgment run
 * and the outbox waited. Closing the store waits for the thread; the
 * checkpoint is crash-safe (a kill leaves the log, which the next open
 * reads). A thread that cannot start leaves the checkpoint to the
 * committing thread, as before. */
#define CKPT_BYTES (1000 * 4096)

struct ckpt {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int pending, stop;
    char *path;
};

static void *ckpt_main(void *arg)
{
    struct ckpt *k = arg;
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(k->path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, STORE_BUSY_MS);
        /* a connection learns of the write-ahead log at its first read;
         * before it, a checkpoint does nothing */
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    }
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->pending && !k->stop)
            pthread_cond_wait(&k->cv, &k->mu);
        if (!k->pending)
            break;
        k->pending = 0;
        pthread_mutex_unlock(&k->mu);
        /* BUSY (a writer mid-commit) leaves the rest to the next pass */
        if (db != NULL)
            sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    sqlite3_close(db);
    return NULL;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct gw_conn *c = arg;
    struct ckpt *k = c->ck;

    if ((long long)pages * c->page_size < CKPT_BYTES)
        return SQLITE_OK;
    if (k == NULL) {
        k = edi_xcalloc(1, sizeof(*k));
        k->path = edi_xstrdup(c->path);
        pthread_mutex_init(&k->mu, NULL);
        pthread_cond_init(&k->cv, NULL);
        if (pthread_create(&k->th, NULL, ckpt_main, k) != 0) {
            pthread_cond_destroy(&k->cv);
            pthread_mutex_destroy(&k->mu);
            free(k->path);
            free(k);
            sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            return SQLITE_OK;
        }
        c->ck = k;
    }
    pthread_mutex_lock(&k->mu);
    k->pending = 1;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    return SQLITE_OK;
}

/* The checkpointer finishes what it was asked, closes its connection and
 * ends. */
static void ckpt_stop(struct gw_conn *c)
{
    struct ckpt *k = c->ck;

    if (k == NULL)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = 1;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->th, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    free(k->path);
    free(k);
    c->ck = NULL;
}

static void sq_close(struct gw_conn *c)
{
    int i;

    if (c == NULL)
        return;
    ckpt_stop(c);
    if (c->wal_tried && c->wal_fd >= 0)
        close(c->wal_fd);
    /* a transaction still open is dropped, as a crash would drop it */
    if (c->db != NULL && !sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    for (i = 0; i < Q_COUNT_; i++)
        sqlite3_finalize(c->cur[i].st);
    for (i = 0; i < T_COUNT_; i++)
        sqlite3_finalize(c->tx[i]);
    sqlite3_close(c->db);
    free(c->path);
    free(c);
}

static int sq_open(struct gw_conn **out, const char *path, struct edi_err *err)
{
    struct gw_conn *c;
    char op[256];
    int rc = 0, k, i;

    *out = NULL;
    snprintf(op, sizeof(op), "open %s", path);
    c = edi_xcalloc(1, sizeof(*c));
    c->path = edi_xstrdup(path);
    for (i = 0; i < Q_COUNT_; i++) {
        c->cur[i].base.drv = &gw_sqlite_driver;
        c->cur[i].c = c;
        c->cur[i].q = (enum gw_q)i;
    }
    k = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (c->db == NULL)
        abort();                    /* out of memory: the wrappers' policy */
    sqlite3_extended_result_codes(c->db, 1);
    if (k != SQLITE_OK) {
        rc = db_fail(c->db, k, op, err);
        goto out;
    }
    sqlite3_busy_timeout(c->db, STORE_BUSY_MS);
    /* synchronous=FULL, not NORMAL: under WAL, NORMAL may lose the last
     * commits on power loss (the database stays consistent, but not
     * durable). A control number or outbox row that was committed, then
     * used to write a file the partner receives, must not come back after
     * a reboot, or a number is reused and a message sent twice. FULL costs
     * one fsync of the WAL per commit: batch a file's work in one
     * gw_store_begin/commit. */
    if ((k = sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = db_fail(c->db, k, op, err);
        goto out;
    }
    /* SPEC: issue 18 — a new database gets 16 KB pages (an existing one
     * keeps its own): an order row (its canonical XML) is about 3 KB, and
     * 4 KB pages held one each, a quarter empty. 10,000 POs: 60 -> 53 MB,
     * and a commit, its checkpoint and the outbox's small commits that
     * follow write a quarter as many pages: 0.2 s less on the flow's
     * thread. Set before WAL mode, which writes the first page. */
    if ((k = sqlite3_exec(c->db, "PRAGMA page_size = 16384", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = db_fail(c->db, k, op, err);
        goto out;
    }
    if ((rc = use_wal(c, err)) < 0)
        goto out;
    if ((rc = page_size_of(c, err)) < 0)
        goto out;
    /* SPEC: issue 18 — an inbound file is one transaction, whose pages
     * leave the cache for the log (SQLite's "spill") once it is full,
     * and which sq_writeback starts on their way to disk while the file
     * is mapped; what the cache holds is written at the commit, and
     * synced there with whatever the disk has not taken yet. 8 MB: 10,000
     * POs (53 MB) commit in 80 ms, not 130 ms with 32 MB (which held a
     * 2,000-PO file whole), and peak RSS is 24 MB lower. The default 2 MB
     * spilled index pages that were changed again. */
    if ((k = sqlite3_exec(c->db, "PRAGMA cache_size = -8192", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = db_fail(c->db, k, op, err);
        goto out;
    }
    if ((k = sqlite3_exec(c->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = db_fail(c->db, k, op, err);
        goto out;
    }
    /* in place of SQLite's automatic checkpoint (wal_hook) */
    sqlite3_wal_hook(c->db, wal_hook, c);
    *out = c;
    c = NULL;
out:
    sq_close(c);
    return rc;
}

/* The log's pages that SQLite has written stay in the kernel's cache
 * until the commit's fdatasync writes them all (the kernel starts on its
 * own only at a tenth of memory, or after 30 s): a 10,000-PO file's 53 MB
 * were 80 ms of the commit. Started here now and then, they are on disk
 * by then. A descriptor of our own on the log (SQLite's is not reachable):
 * the log file is not replaced while a connection is open. */
static void sq_writeback(struct gw_conn *c)
{
    char wal[4200];

    if (!c->wal_tried) {
        c->wal_tried = 1;
        c->wal_fd = -1;
        if (snprintf(wal, sizeof(wal), "%s-wal", c->path) < (int)sizeof(wal))
            c->wal_fd = open(wal, O_RDONLY | O_CLOEXEC);
    }
    if (c->wal_fd >= 0)
        sync_file_range(c->wal_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

static void sq_busy_timeout(struct gw_conn *c, int ms)
{
    sqlite3_busy_timeout(c->db, ms);
}

/* The write-ahead log still holds the pages as they were before the
 * purge: copy it into the database and empty it. A reader that holds an
 * old snapshot makes this BUSY: the next purge tries again. */
static int sq_checkpoint(struct gw_conn *c, const char *op, struct edi_err *err)
{
    int k = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

    if (k != SQLITE_OK && (k & 0xff) != SQLITE_BUSY)
        return db_fail(c->db, k, op, err);
    return 0;
}

const struct gw_store_driver gw_sqlite_driver = {
    .name = "sqlite",
    .nmigrations = NMIGRATIONS,
    .open = sq_open,
    .close = sq_close,
    .busy_timeout = sq_busy_timeout,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_tx = sq_in_tx,
    .migrate = sq_migrate,
    .exec = sq_exec,
    .next = sq_next,
    .done = sq_done,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .last_id = sq_last_id,
    .changes = sq_changes,
    .steps = sq_steps,
    .checkpoint = sq_checkpoint,
    .writeback = sq_writeback,
};
