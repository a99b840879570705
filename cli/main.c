/*
 * main.c — the wharf program: the command table and main(). Everything
 * else is the gateway's library (edi/, mappings/, gateway/) and the
 * commands in this folder (cli.h).
 */
#include "cli/cli.h"
#include "gateway/core/ctx.h"
#include "mappings/map.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* One row a command: its name on the command line and the function that
 * reads the rest (argv[0] is the command's name). */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"edi", gw_cmd_edi},
    {"map", gw_cmd_map},
    {"init", gw_cmd_init},
    {"run", gw_cmd_run},
    {"serve", gw_cmd_serve},
    {"status", gw_cmd_status},
    {"orders", gw_cmd_orders},
    {"ack", gw_cmd_ack},
    {"runs", gw_cmd_runs},
    {"documents", gw_cmd_documents},
    {"ship", gw_cmd_ship},
    {"labels", gw_cmd_labels},
    {"shipments", gw_cmd_shipments},
    {"invoice", gw_cmd_invoice},
    {"invoices", gw_cmd_invoices},
    {"purge", gw_cmd_purge},
    {"secrets", gw_cmd_secrets},
    {"certs", gw_cmd_certs},
    {"erp", gw_cmd_erp},
    {"users", gw_cmd_users},
    {"reprocess", gw_cmd_reprocess},
    {"quarantine", gw_cmd_quarantine},
};

const char *gw_cli_prog = "wharf";

int main(int argc, char **argv)
{
    size_t k;

    if (argc > 0 && argv[0] && argv[0][0] != '\0')
        gw_cli_prog = argv[0];

    /* The workspace holds consumers' names and addresses (the store keeps
     * every inbound file): whatever wharf creates is the owner's only,
     * folders 0700 and files 0600, whatever umask it was started with. */
    umask(077);
    /* an installed wharf has Amazon's SP-API models beside its maps */
    map_set_models_dir(gw_installed_dir("sp-api-models"));
    if (argc < 2) {
        gw_help(NULL);
        return GW_EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        char topic[128] = "";
        int i;

        for (i = 2; i < argc && i < 4; i++) {
            if (i > 2)
                strncat(topic, " ", sizeof(topic) - strlen(topic) - 1);
            strncat(topic, argv[i], sizeof(topic) - strlen(topic) - 1);
        }
        return gw_help(topic);
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        puts("wharf " WHARF_VERSION);
        return GW_EXIT_OK;
    }
    if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "serve") == 0)
        gw_alloc_bulk(argv);
    for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(argv[1], commands[k].name) == 0)
            return commands[k].run(argc - 1, argv + 1);
    gw_errorf("unknown command '%s'; try `wharf help`", argv[1]);
    return GW_EXIT_USAGE;
}
