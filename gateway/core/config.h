/*
 * config.h — the workspace configuration, DIR/wharf.xml: loading it
 * (checked against schemas/config.xsd, then cross-checked against the
 * guides and the map registry), looking partners up, and the cron
 * schedules it carries.
 *
 * The format is documented in schemas/config.xsd; `wharf init` writes an
 * example (cli_init.c). Resolving which workspace a command works on (-w,
 * WHARF_WORKSPACE, the current folder) is gw_workspace() in cli.h.
 *
 * Everything in a struct gw_config lives as long as the config: strings
 * and arrays are borrowed by callers and freed by gw_config_free(). A
 * config is read-only after loading; SIGHUP reloads a new one.
 */
#ifndef WHARF_CONFIG_H
#define WHARF_CONFIG_H

#include "edi/edi.h"
#include "edi/guide.h"
#include "edi/text.h"
#include "mappings/map.h"

#include <stdint.h>
#include <time.h>

/* A cron schedule, five fields as bit sets. */
struct gw_cron {
    uint64_t minute;       /* bits 0-59 */
    uint32_t hour;         /* bits 0-23 */
    uint32_t mday;         /* bits 1-31 */
    uint16_t month;        /* bits 1-12 */
    uint8_t wday;          /* bits 0-6, Sunday 0 (7 is folded into 0) */
    int mday_any, wday_any; /* the field was "*" (cron's day-matching rule) */
};

/* Parses "*\/30 * * * *": 0, or EDI_ESYNTAX with a message naming the field
 * and the bad value. Fields: *, N, A-B, any of those /STEP, comma lists. */
int gw_cron_parse(struct gw_cron *out, const char *text, struct edi_err *err);
/* 1 when the schedule fires in the minute tm is in (the caller picks the
 * time zone). As in cron, when both day fields are restricted, either
 * matching is enough. */
int gw_cron_match(const struct gw_cron *c, const struct tm *tm);

struct gw_address {
    const char *street1, *street2;   /* street2 may be NULL */
    const char *city;
    const char *state;               /* may be NULL outside US/CA */
    const char *postal_code;
    const char *country;
};

struct gw_warehouse {
    const char *code;                /* the vendor's code: NJ1 */
    const char *name;
    struct gw_address address;
    int line;                        /* in wharf.xml, for messages */
};

/* Ship-From party mapping: a vendor warehouse as this partner knows it. */
struct gw_ship_from {
    const char *warehouse;           /* the vendor's code */
    const char *party_id;            /* the partner's code for it: N1*SF*..*92*ID */
    const char *name;                /* the ship-from's, else the warehouse's */
    struct gw_address address;       /* likewise */
    const struct gw_warehouse *wh;   /* the declared warehouse */
    int line;
};

struct gw_guide_ref {
    const char *set;                 /* 850 */
    const char *version;             /* 004010: @version, else the partner's */
    const char *name;                /* partners/amazon-rp/850 */
};

struct gw_map_ref {
    const char *flow;                /* order-in, order-ack-out ... */
    const char *name;                /* amazon-rp/850-to-order */
};

struct gw_schedule {
    const char *job;                 /* poll, ack-run, invoice-run, inventory-run */
    const char *text;                /* as written */
    struct gw_cron cron;
    int line;
};

enum gw_ack_mode {
    GW_ACK_MANUAL = 0,               /* orders wait for approval */
    GW_ACK_AUTO_ALL,                 /* approved on arrival, everything accepted */
    GW_ACK_AUTO_STOCK,               /* approved on arrival, up to available stock */
};

/* A charge or an allowance added to each invoice: amount or percent (of
 * the line total), exactly one of them non-NULL. Decimal strings. */
struct gw_invoice_amount {
    const char *type;                /* freight, handling ... / discount ... */
    const char *amount;
    const char *percent;
    const char *description;         /* may be NULL */
};

struct gw_tax_rate {
    const char *type;                /* sales, vat ... */
    const char *rate;                /* percent, decimal string */
};

struct gw_invoice_cfg {
    int present;                     /* 0: the partner has no <invoice> */
    const char *number_prefix;       /* may be "" */
    const char *per;                 /* asn-po or po (RP) */
    const char *currency;            /* USD */
    const char *remit_party_id;
    const char *remit_name;
    struct gw_address remit_address;
    const char *terms_type;          /* discount-not-applicable ... */
    const char *terms_basis;         /* invoice-date ... */
    int net_days;
    const char *discount_percent;    /* NULL when no discount */
    int discount_days;               /* -1 when not given */
    const char *terms_description;   /* may be NULL */
    struct gw_tax_rate *taxes;
    size_t ntaxes;
    struct gw_invoice_amount *charges, *allowances;
    size_t ncharges, nallowances;
};

/* <transport kind="sp-api">: Amazon's Selling Partner API (transport/spapi.c). */
struct gw_spapi {
    const char *region;              /* na, eu, fe */
    const char *marketplace;         /* ATVPDKIKX0DER */
    const char *selling_party;       /* the vendor's party id: ACME1 */
    int sandbox;                     /* the sandbox hosts */
    const char *endpoint;            /* @endpoint, else the region's host */
    const char *token_endpoint;      /* @token-endpoint, else Amazon's LWA */
    const char *ca_file;             /* @ca-file (joined), NULL: the system's CAs */
    int overlap_minutes;             /* each pull window starts this much before the last ended */
    int backfill_days;               /* the daily back-fill looks this far back */
    int processing_minutes;          /* a transaction Processing longer is "unknown" */
    int first_days;                  /* the first pull looks this far back */
};

/* <transport kind="sftp">: the partner's SFTP server (transport/sftp.c).
 * The folders are the server's: "/download" from its root, "download"
 * from the login folder. */
struct gw_sftp_conf {
    const char *host;
    int port;                        /* 22 */
    const char *user;
    const char *inbound;             /* what the partner leaves for us */
    const char *outbound;            /* where we leave what we send */
    const char *archive;             /* a downloaded file moves here; NULL: it is deleted */
    const char *known_hosts;         /* the host keys trusted (joined with the workspace) */
    int timeout;                     /* seconds one operation may take (300); nothing moving for
                                        min(30, this) seconds fails it too */
};

/* <transport kind="as2">: a partner's AS2 endpoint (transport/as2.c).
 * Algorithm words as written (the schema allows only those cms.h reads:
 * sha256 ... none, aes256-cbc ... none). */
struct gw_as2_conf {
    const char *url;                 /* where we POST: https://, or http:// to loopback */
    const char *as2_id;              /* the partner's AS2 name (AS2-To of what we send) */
    const char *our_as2_id;          /* ours (AS2-From) */
    const char *sign;                /* sha256 (default), sha384, sha512, sha1, none */
    const char *encrypt;             /* aes256-cbc (default) ... none */
    int compress;                    /* zlib before signing */
    const char *mdn;                 /* sync (default), async, none */
    const char *mdn_sign;            /* the receipt's micalg we ask: sha256 (default) ... none: unsigned */
    const char *mdn_url;             /* async: where the partner POSTs the receipt */
    int mdn_timeout;                 /* seconds: the sync wait, and the async one before a resend */
    const char *partner_cert;        /* the partner's certificate (joined); .next beside it: the coming one */
    int require_signed;              /* inbound-security: what a message we accept must be */
    int require_encrypted;
    const char *content_type;        /* of what we send: application/edi-x12 */
    const char *ca_file;             /* a CA for the partner's TLS beside the system's (joined), NULL */
};

/* <as2>: where partners' AS2 messages and receipts arrive (wharf serve). */
struct gw_as2_listen {
    const char *listen;              /* HOST:PORT; NULL: no <as2>, nothing listens for AS2 */
    const char *path;                /* /as2 */
    const char *url;                 /* what partners POST to (behind a proxy); NULL: from listen */
    const char *tls_cert, *tls_key;  /* joined; NULL: plain HTTP */
    int public_;                     /* public="true": a non-loopback listen address is allowed */
    long max_bytes;                  /* LIMIT: a request body */
    int line;
};

struct gw_partner {
    const char *id;                  /* amazon-rp */
    const char *program;             /* "RP", "DF", or NULL (not Amazon) */
    const char *name;
    const char *isa_qualifier;       /* ZZ */
    const char *isa_id;              /* AMAZON (no padding) */
    const char *gs_id;               /* GS02/GS03: group-id, else isa_id */
    const char *group_id;            /* group-id as configured, else NULL: an
                                      * inbound GS02 is checked only then */
    const char *vendor_code;         /* the partner's, else the vendor's */
    const char *x12_version;         /* 004010 */
    char usage;                      /* ISA15: 'P' or 'T' */
    const char *functional_ack;      /* 997, 999 or none */
    int ta1;                         /* ISA14 of what we send */
    int text_in;                     /* enum edi_text_in: <x12 inbound-charset> */
    int text_out;                    /* enum edi_text_out: <x12 outbound-charset> */
    /* transport (kind "files"): absolute or workspace-relative folders,
     * already joined with the workspace */
    const char *transport;           /* "files", "sp-api" or "sftp" */
    struct gw_spapi spapi;           /* kind "sp-api" */
    struct gw_sftp_conf sftp;        /* kind "sftp" */
    struct gw_as2_conf as2;          /* kind "as2" */
    const char *spool_dir, *inbound, *outbound, *archive, *quarantine;
    int settle_seconds;              /* a file younger than this is left alone */
    int incomplete_seconds;          /* an interchange without IEA waits this long */
    struct gw_guide_ref *guides;
    size_t nguides;
    struct gw_map_ref *maps;
    size_t nmaps;
    enum gw_ack_mode ack_mode;
    int ack_warn_hours;
    int backorder_lead_days;         /* RP: a backorder without a date ships this many days on (0: none) */
    struct gw_schedule *schedules;
    size_t nschedules;
    struct gw_ship_from *ship_from;
    size_t nship_from;
    const char *gs1_prefix;          /* NULL: cartons must come with SSCCs */
    char sscc_extension;             /* '0'..'9' */
    struct gw_invoice_cfg invoice;
    /* What this partner's maps get (map_run_opts.params): the <param>s,
     * then, unless a <param> set them, vendor-code, x12-version,
     * gs1-company-prefix, sscc-extension and currency from the config. */
    struct map_param *params;
    size_t nparams;
    int line;
};

/* What an ERP connector receives (<erp receives>) and provides (<erp
 * provides>), as bits. */
enum {
    GW_ERP_ORDERS = 1, GW_ERP_SHIPMENTS = 2, GW_ERP_INVOICES = 4, GW_ERP_PAYMENTS = 8,
};
enum {
    GW_ERP_GIVES_DECISIONS = 1, GW_ERP_GIVES_STOCK = 2, GW_ERP_GIVES_PACKING_LISTS = 4,
};

/* An ERP wharf talks to over its API (<erp kind="brightpearl" id="bp">). */
struct gw_erp_conf {
    const char *id;                  /* bp: outbox kind erp:bp, its secrets' owner */
    const char *kind;                /* brightpearl, quickbooks */
    const char *endpoint;            /* @endpoint, else the ERP's own host */
    const char *token_endpoint;      /* OAuth token endpoint, else the ERP's */
    const char *account;             /* Brightpearl account code */
    const char *realm;               /* QuickBooks company (realm) id */
    const char *auth;                /* brightpearl: "staff" or "oauth"; NULL: by the secrets there */
    const char *ca_file;             /* @ca-file (joined), NULL: the system's CAs */
    const char *minor_version;       /* quickbooks: @minor-version, NULL: wharf's pinned one */
    unsigned receives;               /* GW_ERP_ORDERS ... */
    unsigned provides;               /* GW_ERP_GIVES_... */
    struct map_param *params;        /* its <param>s: the maps' defaults */
    size_t nparams;
    int line;
};

/* Where a listener listens: "HOST:PORT" (gw_listen_parse). */
struct gw_listen {
    char host[48];                   /* an IP address, as inet_pton reads it */
    int v6;                          /* host is IPv6 */
    unsigned port;                   /* 0: the kernel picks */
    int loopback;                    /* 127.0.0.0/8 or ::1 */
};

/* "HOST:PORT": HOST an IPv4 address, an IPv6 one in brackets ([::1]) or
 * localhost (127.0.0.1; no other name: a listener binds an address, not
 * what a name resolves to today); PORT 0 to 65535. 0, or EDI_ESYNTAX with
 * what is wrong. */
int gw_listen_parse(struct gw_listen *out, const char *text, struct edi_err *err);

/* <http>: wharf serve's HTTP listener (gateway/net/server.h). */
struct gw_http_conf {
    const char *listen;              /* NULL: no <http>, nothing listens */
    const char *tls_cert, *tls_key;  /* joined with the workspace; NULL: plain HTTP */
    int public_;                     /* public="true": a non-loopback address is allowed */
    int line;
};

struct gw_config {
    const char *workspace;           /* as given */
    const char *path;                /* WORKSPACE/wharf.xml */
    const char *vendor_name;
    const char *vendor_isa_qualifier, *vendor_isa_id, *vendor_gs_id;
    const char *vendor_group_id;     /* as configured, else NULL (GS03 checked only then) */
    const char *vendor_code;
    struct gw_warehouse *warehouses;
    size_t nwarehouses;
    const char *erp_kind;            /* "files" */
    const char *erp_in, *erp_out;    /* joined with the workspace */
    int erp_json, erp_csv;           /* which files go to erp_out */
    /* <erp layout>: sales orders from inbound files as one change log
     * per inbound file (per-file: ORDERS-SEQ-PARTNER.jsonl and .csv) or a
     * JSON and a CSV per order (per-order, what a wharf.xml without the
     * attribute means) */
    int erp_per_file;
    struct gw_map_ref *erp_maps;
    size_t nerp_maps;
    struct map_param *erp_params;
    size_t nerp_params;
    struct gw_erp_conf *erps;        /* the ERPs reached over their APIs */
    size_t nerps;
    const char *store_path;          /* joined with the workspace */
    int inbound_workers;             /* <inbound workers>: map threads; 0 inline; -1 default */
    const char *log_dir;             /* joined with the workspace */
    const char *log_level;           /* debug, info, warn, error */
    int log_json;                    /* <log format="json">: one JSON object a line */
    int retention_days;              /* <retention personal-data-days>: 0 none (purge.c) */
    struct gw_as2_listen as2;        /* <as2> */
    struct gw_http_conf http;        /* <http> */
    struct gw_partner *partners;
    size_t npartners;
    struct edi_pool pool;            /* everything above */
};

/*
 * Reads WORKSPACE/wharf.xml, checks it against SCHEMAS_DIR/config.xsd and
 * cross-checks it: guides exist under SCHEMAS_DIR and fit their set and
 * version, maps are registered under MAPPINGS_DIR and fit their flow, cron
 * fields are in range, charges have an amount or a percent.
 * *out belongs to the caller (gw_config_free).
 * Errors: EDI_ECONFIG with "PATH:LINE: message" (PATH is
 * WORKSPACE/wharf.xml, or wharf.xml when WORKSPACE is "."); EDI_ENOTFOUND
 * when there is no wharf.xml (not a workspace); EDI_EIO when it cannot be
 * read.
 */
int gw_config_load(struct gw_config **out, const char *workspace, const char *schemas_dir,
                   const char *mappings_dir, struct edi_err *err);
/* The same, checking names against registries the caller already has open
 * (the daemon keeps them for the pipeline); guides and maps are borrowed. */
int gw_config_load_with(struct gw_config **out, const char *workspace, const char *schemas_dir,
                        struct edi_guides *guides, struct map_engine *maps, struct edi_err *err);
void gw_config_free(struct gw_config *cfg);

/* Lookups: borrowed pointers, NULL when there is none. */
const struct gw_partner *gw_config_partner(const struct gw_config *cfg, const char *id);
/* The partner an inbound interchange comes from, by ISA05/ISA06 (id may
 * carry the ISA's trailing padding). */
const struct gw_partner *gw_config_partner_by_interchange(const struct gw_config *cfg,
                                                          const char *qualifier, const char *id);
/* The API ERP of that id, NULL when none. */
const struct gw_erp_conf *gw_config_erp(const struct gw_config *cfg, const char *id);
const struct gw_warehouse *gw_config_warehouse(const struct gw_config *cfg, const char *code);
/* Ship-from of a vendor warehouse for this partner (a packing list's
 * warehouse), or by the partner's party id (DF: the N1*SF of a PO). */
const struct gw_ship_from *gw_config_ship_from(const struct gw_partner *p, const char *warehouse);
const struct gw_ship_from *gw_config_ship_from_party(const struct gw_partner *p,
                                                     const char *party_id);
/* The guide for a set: the one for version when given (NULL: the
 * partner's version). */
const struct gw_guide_ref *gw_partner_guide(const struct gw_partner *p, const char *set,
                                            const char *version);
const struct gw_map_ref *gw_partner_map(const struct gw_partner *p, const char *flow);
const struct gw_schedule *gw_partner_schedule(const struct gw_partner *p, const char *job);
const char *gw_partner_param(const struct gw_partner *p, const char *name);
const char *gw_ack_mode_name(enum gw_ack_mode m);

#endif
