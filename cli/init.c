/*
 * cli_init.c — `wharf init [DIR]`: a new workspace. Writes DIR/wharf.xml
 * (two sample Amazon partners, commented for an operator to adapt), loads
 * it back through gw_config_load() so what it wrote is known to be valid,
 * then creates the folders the config names (spool folders per partner,
 * the ERP exchange, the log), the store and the secrets vault's master key
 * (DIR/secrets.key, or the file WHARF_MASTER_KEY_FILE names when it is
 * missing; gateway/secret/vault.h).
 *
 * The configuration format is schemas/config.xsd, its loader config.c, the
 * store store.c.
 */
#include "cli/cli.h"
#include "gateway/core/config.h"
#include "gateway/secret/vault.h"
#include "gateway/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The sample configuration. The ids, codes and addresses match the Amazon
 * samples under tests/golden/x12 (ACMEVENDOR, ACME1, ship-from ACMW1 for
 * RP and NJ1 for DF, remit-to ACMEPAY1), so bundled POs flow through it. */
static const char sample_config[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!--\n"
    "  wharf workspace configuration, written by `wharf init`.\n"
    "\n"
    "  Every element is described in the schema this file must follow,\n"
    "  schemas/config.xsd in the wharf sources; `wharf` checks this file against\n"
    "  it whenever it starts and names the line of anything wrong. Element order\n"
    "  matters: keep the order below. Paths are relative to this folder unless\n"
    "  they start with \"/\".\n"
    "\n"
    "  This example is a vendor, ACME WIDGETS INC, that sells to Amazon in both\n"
    "  vendor programs from one warehouse. Replace the ids, codes and addresses\n"
    "  with the ones from your Amazon Vendor Central EDI setup.\n"
    "-->\n"
    "<wharf version=\"1\">\n"
    "\n"
    "  <!-- Who we are. interchange: our own X12 id, the ISA sender of what we\n"
    "       send (ISA05/ISA06) and the receiver of what Amazon sends.\n"
    "       vendor-code: the vendor code Amazon knows us by (selling party). -->\n"
    "  <vendor>\n"
    "    <name>ACME WIDGETS INC</name>\n"
    "    <interchange qualifier=\"ZZ\" id=\"ACMEVENDOR\"/>\n"
    "    <vendor-code>ACME1</vendor-code>\n"
    "  </vendor>\n"
    "\n"
    "  <!-- The warehouses goods leave from, by our own codes (packing lists name\n"
    "       them). Add one <warehouse> per site; each partner maps it to the\n"
    "       ship-from party it assigned (<ship-from> below). -->\n"
    "  <warehouse code=\"NJ1\">\n"
    "    <name>ACME WIDGETS WAREHOUSE</name>\n"
    "    <address>\n"
    "      <street>100 INDUSTRIAL PKWY</street>\n"
    "      <city>EDISON</city>\n"
    "      <state>NJ</state>\n"
    "      <postal-code>08817</postal-code>\n"
    "      <country>US</country>\n"
    "    </address>\n"
    "  </warehouse>\n"
    "\n"
    "  <!-- The ERP link. kind=\"files\": wharf keeps the order book itself and\n"
    "       exchanges files with your ERP: sales orders, shipments and invoices\n"
    "       are written to out/ (JSON and CSV), approvals, packing lists and stock\n"
    "       (stock.csv: sku,warehouse,available) are read from in/. layout:\n"
    "       the sales orders of each inbound file as one change log\n"
    "       (orders-SEQ-PARTNER.jsonl and .csv, applied in name order, the last\n"
    "       record of a PO wins), or per-order: a JSON and a CSV per order. -->\n"
    "  <erp kind=\"files\" formats=\"json csv\" layout=\"per-file\">\n"
    "    <in>erp/in</in>\n"
    "    <out>erp/out</out>\n"
    "  </erp>\n"
    "\n"
    "  <!-- The database (SQLite) and the daemon's log folder. -->\n"
    "  <store path=\"wharf.db\"/>\n"
    "  <log dir=\"log\" level=\"info\"/>\n"
    "\n"
    "  <!-- ==================================================================\n"
    "       Amazon Retail Procurement (RP): Amazon buys stock; lines may be\n"
    "       accepted, backordered or rejected, and POs may change.\n"
    "       ================================================================== -->\n"
    "  <partner id=\"amazon-rp\" program=\"RP\">\n"
    "    <name>Amazon Retail Procurement</name>\n"
    "    <!-- Amazon's RP interchange id (ISA06 of the POs it sends). -->\n"
    "    <interchange qualifier=\"ZZ\" id=\"AMAZON\"/>\n"
    "    <!-- X12 004010; usage=\"T\" marks what we send as test (ISA15) while\n"
    "         Amazon certifies the connection. -->\n"
    "    <x12 version=\"004010\" usage=\"P\"/>\n"
    "    <!-- Files: Amazon's documents arrive in partners/amazon-rp/inbound\n"
    "         (dropped there by your AS2 or SFTP client, or by hand); ours are\n"
    "         written to outbound/; processed files move to archive/, bad ones to\n"
    "         quarantine/ with a .reason file. -->\n"
    "    <transport kind=\"files\" dir=\"partners/amazon-rp\"/>\n"
    "    <!-- The guide each transaction set is checked against: Amazon's own\n"
    "         restrictions of the X12 standard (schemas/partners/amazon-rp). -->\n"
    "    <guide set=\"850\" name=\"partners/amazon-rp/850\"/>\n"
    "    <guide set=\"855\" name=\"partners/amazon-rp/855\"/>\n"
    "    <guide set=\"856\" name=\"partners/amazon-rp/856\"/>\n"
    "    <guide set=\"856\" version=\"005010\" name=\"partners/amazon-rp/856-5010\"/>\n"
    "    <guide set=\"810\" name=\"partners/amazon-rp/810\"/>\n"
    "    <guide set=\"846\" name=\"partners/amazon-rp/846\"/>\n"
    "    <guide set=\"997\" name=\"x12/004010/997\"/>\n"
    "    <guide set=\"864\" name=\"x12/004010/864\"/>\n"
    "    <!-- The maps each flow runs (`wharf map list`). A file\n"
    "         mappings/partners/amazon-rp/NAME.xsl overrides one for this\n"
    "         partner only. -->\n"
    "    <map flow=\"order-in\" name=\"amazon-rp/850-to-order\"/>\n"
    "    <map flow=\"order-ack-out\" name=\"amazon-rp/order-ack-to-855\"/>\n"
    "    <map flow=\"shipment-out\" name=\"amazon-rp/shipment-to-856\"/>\n"
    "    <map flow=\"invoice-out\" name=\"amazon-rp/invoice-to-810\"/>\n"
    "    <!-- Sales orders wait for approval: `wharf orders approve PO` (or a\n"
    "         decision file from the ERP) decides each line. Other modes:\n"
    "         auto-all (accept everything), auto-stock (accept up to stock).\n"
    "         Amazon expects the 855 within 24 hours. A backordered line needs\n"
    "         the date it ships (a ship date in the decision), or\n"
    "         backorder-lead-days=\"N\" here dates it today + N days. -->\n"
    "    <acknowledge mode=\"manual\" warn-hours=\"4\"/>\n"
    "    <!-- When the daemon runs each job (cron: minute hour day month weekday).\n"
    "         poll: look in inbound/; ack-run: send 855s for approved orders;\n"
    "         invoice-run: send 810s for shipped orders. -->\n"
    "    <schedule job=\"poll\" cron=\"* * * * *\"/>\n"
    "    <schedule job=\"ack-run\" cron=\"*/30 * * * *\"/>\n"
    "    <schedule job=\"invoice-run\" cron=\"0 18 * * *\"/>\n"
    "    <!-- Ship-From party mapping: the ship-from code Amazon assigned to our\n"
    "         warehouse NJ1 (N1*SF in the 856 and 810). The name and address\n"
    "         default to the warehouse's. -->\n"
    "    <ship-from warehouse=\"NJ1\" party-id=\"ACMW1\"/>\n"
    "    <!-- SSCC-18 carton ids for cartons that come without one: extension\n"
    "         digit + your GS1 company prefix + a serial + check digit. 0614141\n"
    "         is GS1's example prefix: use your own. -->\n"
    "    <gs1 company-prefix=\"0614141\" extension-digit=\"0\"/>\n"
    "    <!-- Invoices: numbers ACME-INV-1, ACME-INV-2 ...; one invoice per ASN\n"
    "         and PO; paid to the remit-to party Amazon assigned; net 60 days\n"
    "         from the invoice date (ITD*05*3*****60). Add <tax type=\"sales\"\n"
    "         rate=\"6.625\"/>, <charge type=\"freight\" amount=\"25.00\"/> or\n"
    "         <allowance type=\"discount\" percent=\"1\"/> where your agreement has\n"
    "         them. -->\n"
    "    <invoice number-prefix=\"ACME-INV-\" per=\"asn-po\" currency=\"USD\">\n"
    "      <remit-to party-id=\"ACMEPAY1\">\n"
    "        <name>ACME WIDGETS INC</name>\n"
    "        <address>\n"
    "          <street>PO BOX 4410</street>\n"
    "          <city>NEWARK</city>\n"
    "          <state>NJ</state>\n"
    "          <postal-code>07101</postal-code>\n"
    "          <country>US</country>\n"
    "        </address>\n"
    "      </remit-to>\n"
    "      <terms type=\"discount-not-applicable\" basis=\"invoice-date\" net-days=\"60\"/>\n"
    "    </invoice>\n"
    "    <!-- Values for this partner's maps (wharf:param). wharf also passes\n"
    "         vendor-code, x12-version, gs1-company-prefix, sscc-extension and\n"
    "         currency from the settings above. -->\n"
    "    <param name=\"time-zone\" value=\"-05:00\"/>\n"
    "  </partner>\n"
    "\n"
    "  <!-- ==================================================================\n"
    "       Amazon Direct Fulfillment (DF): the vendor drop-ships each order to\n"
    "       the consumer. Fill-or-kill: one acknowledgment status per order.\n"
    "       ================================================================== -->\n"
    "  <partner id=\"amazon-df\" program=\"DF\">\n"
    "    <name>Amazon Direct Fulfillment</name>\n"
    "    <interchange qualifier=\"ZZ\" id=\"AMAZONDS\"/>\n"
    "    <x12 version=\"004010\" usage=\"P\"/>\n"
    "    <transport kind=\"files\" dir=\"partners/amazon-df\"/>\n"
    "    <guide set=\"850\" name=\"partners/amazon-df/850\"/>\n"
    "    <guide set=\"855\" name=\"partners/amazon-df/855\"/>\n"
    "    <guide set=\"856\" name=\"partners/amazon-df/856\"/>\n"
    "    <guide set=\"810\" name=\"partners/amazon-df/810\"/>\n"
    "    <guide set=\"846\" name=\"partners/amazon-df/846\"/>\n"
    "    <guide set=\"997\" name=\"x12/004010/997\"/>\n"
    "    <guide set=\"864\" name=\"x12/004010/864\"/>\n"
    "    <map flow=\"order-in\" name=\"amazon-df/850-to-order\"/>\n"
    "    <map flow=\"order-ack-out\" name=\"amazon-df/order-ack-to-855\"/>\n"
    "    <map flow=\"shipment-out\" name=\"amazon-df/shipment-to-856\"/>\n"
    "    <map flow=\"invoice-out\" name=\"amazon-df/invoice-to-810\"/>\n"
    "    <!-- Orders are approved as they arrive and acknowledged with 00\n"
    "         (shipping 100 percent) by the next ack-run. auto-stock instead\n"
    "         rejects an order with 03 unless stock covers every line. -->\n"
    "    <acknowledge mode=\"auto-all\"/>\n"
    "    <schedule job=\"poll\" cron=\"* * * * *\"/>\n"
    "    <schedule job=\"ack-run\" cron=\"*/15 * * * *\"/>\n"
    "    <schedule job=\"invoice-run\" cron=\"0 19 * * *\"/>\n"
    "    <!-- DF POs name the warehouse in N1*SF*...*92*CODE with the code Amazon\n"
    "         assigned; here Amazon calls warehouse NJ1 \"NJ1\". -->\n"
    "    <ship-from warehouse=\"NJ1\" party-id=\"NJ1\"/>\n"
    "    <gs1 company-prefix=\"0614141\" extension-digit=\"0\"/>\n"
    "    <!-- DF invoices: one per order, net 30 days. -->\n"
    "    <invoice number-prefix=\"ACME-DF-\" currency=\"USD\">\n"
    "      <remit-to party-id=\"ACMEPAY1\">\n"
    "        <name>ACME WIDGETS INC</name>\n"
    "        <address>\n"
    "          <street>PO BOX 4410</street>\n"
    "          <city>NEWARK</city>\n"
    "          <state>NJ</state>\n"
    "          <postal-code>07101</postal-code>\n"
    "          <country>US</country>\n"
    "        </address>\n"
    "      </remit-to>\n"
    "      <terms type=\"discount-not-applicable\" basis=\"invoice-date\" net-days=\"30\"/>\n"
    "    </invoice>\n"
    "    <param name=\"time-zone\" value=\"-05:00\"/>\n"
    "  </partner>\n"
    "\n"
    "</wharf>\n";

/* mkdir -p; *made is set when the last component was created here. */
static int mkdirs(const char *path, int *made)
{
    char buf[4096];
    size_t n = strlen(path), i;

    *made = 0;
    if (n == 0 || n >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0700) == 0) {
            if (i == n)
                *made = 1;
        } else if (errno != EEXIST) {
            return -1;
        } else {
            struct stat st;

            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
                errno = ENOTDIR;
                return -1;
            }
        }
        if (i < n)
            buf[i] = '/';
    }
    return 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* Writes DIR/wharf.xml by temporary file, fsync and link, so it never
 * exists half-written and is never written over: link() fails when another
 * init got there first. */
static int write_config(const char *dir, const char *path, const char *text)
{
    char tmp[4096];
    size_t off = 0, n = strlen(text);
    int fd, e;

    if (edi_fmt(tmp, sizeof(tmp), NULL, "%s/.wharf.xml.%ld.tmp", dir, (long)getpid()) < 0) {
        gw_errorf("init: the folder name is too long");
        return -1;
    }
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
        gw_errorf("init: cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        off += (size_t)w;
    }
    if (off < n || fsync(fd) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        gw_errorf("init: cannot write %s: %s", tmp, strerror(e));
        return -1;
    }
    close(fd);
    if (link(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        if (e == EEXIST)
            gw_errorf("init: %s exists: %s is a workspace already; nothing was changed", path, dir);
        else
            gw_errorf("init: cannot create %s: %s", path, strerror(e));
        return -1;
    }
    unlink(tmp);
    fsync_dir(dir);
    return 0;
}

/* `wharf init --sp-api`: the same workspace, with both Amazon partners on
 * the Selling Partner API instead of X12 files: their transport and the
 * maps of each flow. */
static const char *const spapi_swaps[][2] = {
    {"    <transport kind=\"files\" dir=\"partners/amazon-rp\"/>\n",
     "    <!-- The SP-API: purchase orders are pulled, acknowledgments, ship\n"
     "         confirmations and invoices submitted and their transaction status\n"
     "         read back. The LWA credentials go in the vault:\n"
     "           wharf secrets set amazon-rp lwa-client-id   (and lwa-client-secret,\n"
     "           lwa-refresh-token), each value on standard input. -->\n"
     "    <transport kind=\"sp-api\" region=\"na\" marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\"\n"
     "               dir=\"partners/amazon-rp\"/>\n"},
    {"    <transport kind=\"files\" dir=\"partners/amazon-df\"/>\n",
     "    <!-- DF orders are pulled per ship-from party (<ship-from> below). -->\n"
     "    <transport kind=\"sp-api\" region=\"na\" marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\"\n"
     "               dir=\"partners/amazon-df\"/>\n"},
    {"name=\"amazon-rp/850-to-order\"", "name=\"amazon-rp/spapi-orders-to-order\""},
    {"name=\"amazon-rp/order-ack-to-855\"", "name=\"amazon-rp/order-ack-to-spapi\""},
    {"name=\"amazon-rp/shipment-to-856\"", "name=\"amazon-rp/shipment-to-spapi\""},
    {"name=\"amazon-rp/invoice-to-810\"", "name=\"amazon-rp/invoice-to-spapi\""},
    {"name=\"amazon-df/850-to-order\"", "name=\"amazon-df/spapi-orders-to-order\""},
    {"name=\"amazon-df/order-ack-to-855\"", "name=\"amazon-df/order-ack-to-spapi\""},
    {"name=\"amazon-df/shipment-to-856\"", "name=\"amazon-df/shipment-to-spapi\""},
    {"name=\"amazon-df/invoice-to-810\"", "name=\"amazon-df/invoice-to-spapi\""},
};

/* The sample with each swap made once (every one must be found). */
static char *spapi_config(void)
{
    struct edi_buf b;
    const char *text = sample_config;
    size_t i;

    for (i = 0; i < sizeof(spapi_swaps) / sizeof(spapi_swaps[0]); i++) {
        const char *at = strstr(text, spapi_swaps[i][0]);

        if (at == NULL)
            return NULL;
        edi_buf_init(&b, 0);
        edi_buf_put(&b, text, (size_t)(at - text));
        edi_buf_puts(&b, spapi_swaps[i][1]);
        edi_buf_puts(&b, at + strlen(spapi_swaps[i][0]));
        if (text != sample_config)
            free((char *)text);
        text = edi_xstrdup(edi_buf_cstr(&b));
        edi_buf_dispose(&b);
    }
    return (char *)text;
}

static int make_folder(const char *path)
{
    int made;

    if (mkdirs(path, &made) != 0) {
        gw_errorf("init: cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int store_exit(int rc)
{
    return rc == EDI_EAGAIN ? GW_EXIT_TEMPFAIL : rc == EDI_ERR ? GW_EXIT_INTERNAL : GW_EXIT_USAGE;
}

int gw_cmd_init(int argc, char **argv)
{
    const char *dir = NULL;
    char path[4096], key[4096];
    struct gw_config *cfg = NULL;
    struct gw_store *store = NULL;
    struct edi_err err;
    struct stat st;
    size_t i, k;
    int made, rc, key_made = 0, status = GW_EXIT_OK, spapi = 0;
    char *text = NULL;

    for (i = 1; i < (size_t)argc; i++) {
        const char *s = argv[i];

        if (strcmp(s, "-w") == 0 && i + 1 < (size_t)argc && dir == NULL)
            dir = argv[++i];
        else if (strcmp(s, "--sp-api") == 0)
            spapi = 1;
        else if (s[0] == '-' && s[1]) {
            gw_errorf("init: unknown option '%s'; see `wharf help init`", s);
            return GW_EXIT_USAGE;
        } else if (dir == NULL)
            dir = s;
        else {
            gw_errorf("init: one DIR ('%s' is extra); see `wharf help init`", s);
            return GW_EXIT_USAGE;
        }
    }
    dir = gw_workspace(dir);
    if (strlen(dir) > 3000) {
        gw_errorf("init: the folder name is too long");
        return GW_EXIT_USAGE;
    }
    if (edi_fmt(path, sizeof(path), NULL, "%s/wharf.xml", dir) < 0) {
        gw_errorf("init: the folder name is too long");
        return GW_EXIT_USAGE;
    }
    if (lstat(path, &st) == 0) {
        gw_errorf("init: %s exists: %s is a workspace already; nothing was changed", path, dir);
        return GW_EXIT_USAGE;
    }
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        gw_errorf("init: %s exists and is not a folder", dir);
        return GW_EXIT_USAGE;
    }
    if (mkdirs(dir, &made) != 0) {
        gw_errorf("init: cannot create %s: %s", dir, strerror(errno));
        return GW_EXIT_USAGE;
    }
    /* the workspace holds personal data: a folder made here is 0700; one
     * that existed is the operator's, so it is named, not changed (`wharf
     * status` warns too) */
    if (!made && stat(dir, &st) == 0 && (st.st_mode & 077))
        gw_errorf("init: warning: %s is open to others (mode %04o): chmod 700 %s", dir,
                  (unsigned)(st.st_mode & 07777), dir);
    if (spapi && (text = spapi_config()) == NULL) {
        gw_errorf("init: the SP-API sample could not be made (a bug: the sample changed)");
        return GW_EXIT_INTERNAL;
    }
    rc = write_config(dir, path, text ? text : sample_config);
    free(text);
    if (rc != 0)
        return GW_EXIT_USAGE;

    /* what was written must load: the sample is the first user of the schema */
    edi_err_clear(&err);
    if ((rc = gw_config_load(&cfg, dir, gw_schemas_dir(), gw_mappings_dir(), &err)) < 0) {
        gw_errorf("init: the new configuration does not load: %s", err.msg);
        status = GW_EXIT_USAGE;
        goto undo;
    }
    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];
        const char *sub[4] = {p->inbound, p->outbound, p->archive, p->quarantine};

        for (k = 0; k < 4; k++)
            if (make_folder(sub[k]) != 0) {
                status = GW_EXIT_USAGE;
                goto undo;
            }
    }
    if (make_folder(cfg->erp_in) != 0 || make_folder(cfg->erp_out) != 0 ||
        make_folder(cfg->log_dir) != 0) {
        status = GW_EXIT_USAGE;
        goto undo;
    }
    if ((rc = gw_store_open(&store, cfg->store_path, &err)) < 0) {
        gw_errorf("init: cannot create the store %s: %s", cfg->store_path, err.msg);
        status = store_exit(rc);
        goto undo;
    }
    gw_store_close(store);
    /* SQLite gives its -wal and -shm files the database's mode */
    if (chmod(cfg->store_path, 0600) != 0) {
        gw_errorf("init: cannot make %s private (chmod 600): %s", cfg->store_path, strerror(errno));
        status = GW_EXIT_USAGE;
        goto undo;
    }
    /* the vault's master key: never over one that is there (an operator's
     * WHARF_MASTER_KEY_FILE shared by workspaces, or a key kept from before) */
    if ((rc = gw_vault_key_path(key, sizeof(key), dir, &err)) < 0 ||
        (rc = gw_vault_create_key(key, &key_made, &err)) < 0) {
        gw_errorf("init: cannot create the master key of the secrets: %s", err.msg);
        status = GW_EXIT_USAGE;
        goto undo;
    }

    printf("Created a wharf workspace in %s:\n", dir);
    printf("  %-44s configuration, %zu partner%s:", cfg->path, cfg->npartners,
           cfg->npartners == 1 ? "" : "s");
    for (i = 0; i < cfg->npartners; i++)
        printf(" %s", cfg->partners[i].id);
    printf("\n  %-44s the store (SQLite)\n", cfg->store_path);
    for (i = 0; i < cfg->npartners; i++)
        printf("  %s/{inbound,outbound,archive,quarantine}\n", cfg->partners[i].spool_dir);
    printf("  %-44s files from the ERP (approvals, packing lists, stock)\n", cfg->erp_in);
    printf("  %-44s files for the ERP (sales orders, shipments, invoices)\n", cfg->erp_out);
    printf("  %-44s the daemon's log\n", cfg->log_dir);
    printf("  %-44s %s\n", key,
           key_made ? "the secrets' master key (0600): back it up apart from the store"
                    : "the secrets' master key (there already, kept)");
    /* commands as they can be typed: the program as it was run (a path
     * when it is not on the PATH), the workspace as it was named */
    printf("\nNext steps:\n"
           "  1. Edit %s: your interchange id, vendor code, warehouses, the ship-from\n"
           "     and remit-to party ids Amazon assigned, your GS1 prefix (every setting is\n"
           "     commented; `%s help init` says where the format is documented).\n",
           cfg->path, gw_cli_prog);
    if (spapi)
        printf("  2. Put each partner's three Login with Amazon values in the vault, from\n"
               "     standard input (never on the command line):\n"
               "       %s secrets set amazon-rp lwa-client-id -w %s\n"
               "       %s secrets set amazon-rp lwa-client-secret -w %s\n"
               "       %s secrets set amazon-rp lwa-refresh-token -w %s\n"
               "     and the same for amazon-df.\n"
               "  3. Run `%s run --once -w %s`: it pulls the POs; `%s orders list -w %s`\n"
               "     shows them.\n",
               gw_cli_prog, dir, gw_cli_prog, dir, gw_cli_prog, dir, gw_cli_prog, dir, gw_cli_prog, dir);
    else if (cfg->npartners > 0)
        printf("  2. Drop an 850 into %s and run `%s run --once -w %s`.\n"
               "  3. See the sales order with `%s orders list -w %s`; the 997 is in %s.\n",
               cfg->partners[0].inbound, gw_cli_prog, dir, gw_cli_prog, dir, cfg->partners[0].outbound);
    gw_config_free(cfg);
    return GW_EXIT_OK;

undo:
    /* without wharf.xml the folder is not a workspace, and init can run again */
    gw_config_free(cfg);
    unlink(path);
    return status;
}
