/*
 * cli.h — the wharf program: what its commands share (common.c: exit
 * codes, the clock, the schemas, mappings and workspace folders, options)
 * and the commands main.c's table dispatches to, one file per family.
 */
#ifndef WHARF_CLI_H
#define WHARF_CLI_H

#include "gateway/core/version.h"

#include <time.h>

/* Exit status, the contract scripts rely on (DESIGN.md). */
enum gw_exit {
    GW_EXIT_OK = 0,
    GW_EXIT_REJECTED = 1,   /* the input was rejected: findings printed */
    GW_EXIT_USAGE = 2,      /* usage, configuration or I/O error */
    GW_EXIT_INTERNAL = 70,  /* EX_SOFTWARE */
    GW_EXIT_TEMPFAIL = 75,  /* EX_TEMPFAIL: retry later */
};

/* The clock: WHARF_NOW (e.g. 2025-01-01T00:00:00Z) or the real time. Exits
 * with a usage error when WHARF_NOW is set but unreadable. */
time_t gw_now(void);
/* The schemas folder: WHARF_SCHEMAS, else BIN/../share/wharf/schemas of
 * an installed binary (gw_installed_dir), else the one built in. */
const char *gw_schemas_dir(void);
/* Prints "wharf: " + message to stderr. */
void gw_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The mappings folder: WHARF_MAPPINGS, else BIN/../share/wharf/mappings,
 * else the one built in. */
const char *gw_mappings_dir(void);
/* BIN/../share/wharf/NAME when the running binary has one (installed by
 * `make install`), else NULL. */
const char *gw_installed_dir(const char *name);
/* The folder of the running program (BIN of BIN/wharf) into dir: 0, or -1
 * and errno. */
int gw_exe_dir(char *dir, size_t cap);
/* The web console's static files: WHARF_CONSOLE, else the installed
 * folder, else the checkout's console/. */
const char *gw_console_dir(void);
/* systemd's notifications (cli/notify.c, the sd_notify protocol): sends
 * state ("READY=1", "RELOADING=1", "STOPPING=1") to NOTIFY_SOCKET; 1 sent,
 * 0 no socket to send to, -1 not sent. gw_notify_watchdog sends
 * "WATCHDOG=1" when half of WATCHDOG_USEC has passed since the last one
 * (nothing without WATCHDOG_USEC); call it often. */
int gw_notify(const char *state);
void gw_notify_watchdog(void);
/* The workspace a command works on: opt (the command's -w DIR) when given,
 * else WHARF_WORKSPACE, else the current folder ("."). Borrowed. */
const char *gw_workspace(const char *opt);

/* The gateway commands' options. Every command takes -w DIR, --json,
 * --state S, --partner P, --limit N, --once and one argument; the extras
 * are taken only by the commands that ask for them. */
enum {
    GW_OPT_ZPL = 1,              /* --zpl */
    GW_OPT_FLOOR_DENIAL = 2,     /* --floor-denial PO */
    GW_OPT_KIND = 4,             /* --kind K */
    GW_OPT_ABOUT = 8,            /* --about X */
    GW_OPT_HTTP = 16,            /* --http HOST:PORT */
};

struct gw_cli_opts {
    const char *workspace;       /* resolved by gw_workspace() */
    int json, once, zpl;
    const char *state, *partner, *limit;
    const char *floor_denial, *kind, *about, *http;
    const char *arg;             /* the one argument, NULL when none */
};

/* 0, or the exit status after printing why (an unknown option, an extra
 * argument); argv[0] is the command's name. */
int gw_cli_parse(struct gw_cli_opts *o, int argc, char **argv, const char *cmd, int extras);
/* Order, invoice, shipment, document and run states a listing's --state
 * takes (NULL-terminated). */
extern const char *const gw_order_states[], *const gw_invoice_states[], *const gw_shipment_states[],
    *const gw_document_states[], *const gw_run_states[];
/* 0 when value is NULL (not given) or one of valid; else prints "CMD:
 * OPT 'value' is not one of: a, b, c" and returns GW_EXIT_USAGE. A
 * listing filter that matches nothing because it is misspelled must not
 * look like an empty list. */
int gw_cli_check_choice(const char *cmd, const char *opt, const char *value, const char *const *valid);
/* The exit status of a job's return code: 0; 1 when a document or
 * decision was refused (EDI_ESYNTAX, EDI_ELIMIT, EDI_ENOTFOUND); 2 for an
 * operator to act (EDI_ECONFIG); 75 to retry (EDI_EAGAIN); else 70. */
int gw_cli_exit(int rc);
/* "2025-01-02 15:00" (UTC). */
void gw_cli_when(char *buf, size_t cap, time_t t);

struct gw_ctx;
/* Records a command's job (ack-run, invoice-run, ship) that failed as a
 * failed run for every partner ("*"), so `wharf runs list` and `wharf
 * status` show it; says so when even that fails. */
void gw_cli_record_failure(struct gw_ctx *c, const char *job, const char *counts, const char *why);
/* Opens a workspace for a command: 0, or the exit status after printing
 * why (not a workspace, a bad wharf.xml, a busy store). */
int gw_cli_ctx_open(struct gw_ctx *c, const char *workspace);
struct gw_config;
struct gw_store;
/* The workspace's configuration and store only, for the commands that keep
 * no context (secrets, certs): an error is printed; returns the exit code
 * (0, GW_EXIT_USAGE, GW_EXIT_TEMPFAIL). */
int gw_cli_open_ws(struct gw_config **cfg, struct gw_store **s, const char *ws);
/* Help for a command path ("edi", "edi validate"), or the overview
 * (help.c). */
int gw_help(const char *topic);
/* The program as the user ran it (argv[0]: "build/wharf" from a checkout,
 * "wharf" from the PATH), so commands printed back to them work as typed;
 * "wharf" when argv[0] is empty. Set by main(). */
extern const char *gw_cli_prog;

/* ---- edi.c and edi_xml.c: the edi commands, shared with the wharf front
 * (front.c), which links edi.c but not edi_xml.c and defines the three
 * functions of edi_xml.c its own way. */
struct edi_guides;
struct edi_err;
/* An edi command's options: [--json] [--guide G] [--type T] FILE. */
struct gw_edi_args {
    int json;
    const char *guide;
    const char *type;
    const char *file;
};
/* Reads them (options before or after FILE); 0 or a usage exit code. */
int gw_edi_args(struct gw_edi_args *a, int argc, char **argv, const char *cmd, int allow_guide,
                int allow_type, int allow_json);
/* How many of argv[i..] the option at argv[i] takes (2 for --guide G and
 * --type T, 1 for a flag), or 0 when argv[i] is a FILE ("-" is one). */
int gw_edi_arg_width(int argc, char **argv, int i);
/* The guides, once for every FILE of the command. */
int gw_edi_open_guides(struct edi_guides **g);
/* The exit status for an edi error code. */
int gw_edi_exit_for(int rc);
/* The registry the edi commands use: the full program's edi_guides_new,
 * the front's edi_guides_new_cached. */
int gw_edi_guides(struct edi_guides **out, const char *schema_dir, struct edi_err *err);
int gw_edi_to_xml(int argc, char **argv);
int gw_edi_from_xml(int argc, char **argv);
/* gw_cmd_edi's status when the front's registry lacked what the command
 * needed (edi_guides_missed): never an exit status, never seen by a user */
#define GW_EXIT_CORE (-1)

/* The commands (argv[0] is the command's name; the return is the exit
 * status): edi.c, map.c, init.c ... */
int gw_cmd_edi(int argc, char **argv);        /* edi.c: edi parse|validate|ack|to-xml|from-xml */
int gw_cmd_map(int argc, char **argv);        /* map.c: map run|test|check|list */
int gw_cmd_init(int argc, char **argv);       /* init.c */
int gw_cmd_run(int argc, char **argv);        /* gateway.c: run --once */
int gw_cmd_serve(int argc, char **argv);      /* gateway.c: the daemon */
int gw_cmd_status(int argc, char **argv);     /* gateway.c */
int gw_cmd_orders(int argc, char **argv);     /* gateway.c: orders list|show|approve|reject */
int gw_cmd_ack(int argc, char **argv);        /* gateway.c: ack run|deadlines */
int gw_cmd_runs(int argc, char **argv);       /* gateway.c: runs list */
int gw_cmd_documents(int argc, char **argv);  /* gateway.c */
int gw_cmd_ship(int argc, char **argv);       /* ship.c */
int gw_cmd_labels(int argc, char **argv);     /* ship.c */
int gw_cmd_shipments(int argc, char **argv);  /* ship.c */
int gw_cmd_invoice(int argc, char **argv);    /* invoice.c: invoice run */
int gw_cmd_invoices(int argc, char **argv);   /* invoice.c */
int gw_cmd_purge(int argc, char **argv);      /* purge.c */
int gw_cmd_secrets(int argc, char **argv);    /* secrets.c: secrets set|list|rotate|delete */
int gw_cmd_users(int argc, char **argv);      /* users.c: users add|passwd|remove|list|token */
struct gw_config;
int gw_cmd_certs(int argc, char **argv);      /* certs.c: certs new|export|import|switch|list */
int gw_cmd_erp(int argc, char **argv);        /* erp.c: erp status|retry|check|connect */
int gw_cmd_reprocess(int argc, char **argv);  /* reprocess.c */
int gw_cmd_quarantine(int argc, char **argv); /* reprocess.c: quarantine list */

#endif
