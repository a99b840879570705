/*
 * cli.h — what the wharf subcommands share: exit codes, the clock, where
 * the schemas are, and the command table entries.
 */
#ifndef WHARF_CLI_H
#define WHARF_CLI_H

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
/* The schemas folder: WHARF_SCHEMAS, else the one built in. */
const char *gw_schemas_dir(void);
/* Prints "wharf: " + message to stderr. */
void gw_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The mappings folder: WHARF_MAPPINGS, else the one built in. */
const char *gw_mappings_dir(void);
/* The workspace a command works on: opt (the command's -w DIR) when given,
 * else WHARF_WORKSPACE, else the current folder ("."). Borrowed. */
const char *gw_workspace(const char *opt);

int gw_cmd_edi(int argc, char **argv);
int gw_cmd_map(int argc, char **argv);
/* run, serve, status, orders (cli_gw.c); -1 when cmd is none of them */
int gw_cmd_gateway(const char *cmd, int argc, char **argv);
int gw_cmd_init(int argc, char **argv);
struct gw_ctx;
/* Opens a workspace for a command: 0, or the exit status after printing
 * why (not a workspace, a bad wharf.xml, a busy store). */
int gw_cli_ctx_open(struct gw_ctx *c, const char *workspace);
/* ship, labels, shipments (cli_ship.c); -1 when cmd is none of them */
int gw_cmd_ship(const char *cmd, int argc, char **argv);
/* invoice, invoices (cli_invoice.c); -1 when cmd is neither */
int gw_cmd_invoice(const char *cmd, int argc, char **argv);
/* Help for a command path ("edi", "edi validate"), or the overview. */
int gw_help(const char *topic);

#endif
