/*
 * test_config.c — the workspace configuration (gateway/config.c): a valid
 * wharf.xml loads and its lookups answer; every kind of mistake is
 * reported with file and line (schema errors, identity constraints, guides
 * and maps that do not exist or do not fit, cron ranges); cron parsing and
 * matching.
 */
#include "testutil.h"
#include "gateway/core/config.h"

#include <sys/stat.h>
#include <unistd.h>

#ifndef WHARF_MAPPINGS
#define WHARF_MAPPINGS "mappings"
#endif

static char dir[] = "/tmp/wharf-test-config-XXXXXX";
static struct edi_guides *guides;
static struct map_engine *maps;

/* A valid configuration; the error cases each change one piece of it. */
static const char base[] =
    "<?xml version=\"1.0\"?>\n"
    "<wharf version=\"1\">\n"
    "  <vendor>\n"
    "    <name>ACME WIDGETS INC</name>\n"
    "    <interchange qualifier=\"ZZ\" id=\"ACMEVENDOR\"/>\n"
    "    <vendor-code>ACME1</vendor-code>\n"
    "  </vendor>\n"
    "  <warehouse code=\"NJ1\">\n"
    "    <name>ACME WIDGETS WAREHOUSE</name>\n"
    "    <address><street>100 INDUSTRIAL PKWY</street><city>EDISON</city><state>NJ</state>\n"
    "      <postal-code>08817</postal-code><country>US</country></address>\n"
    "  </warehouse>\n"
    "  <warehouse code=\"CA2\">\n"
    "    <name>ACME WEST</name>\n"
    "    <address><street>1 PORT RD</street><street>BLDG 2</street><city>OAKLAND</city>\n"
    "      <state>CA</state><postal-code>94607</postal-code><country>US</country></address>\n"
    "  </warehouse>\n"
    "  <erp kind=\"files\"/>\n"
    "  <partner id=\"amazon-rp\" program=\"RP\">\n"
    "    <name>Amazon Retail Procurement</name>\n"
    "    <interchange qualifier=\"ZZ\" id=\"AMAZON\"/>\n"
    "    <x12 version=\"004010\"/>\n"
    "    <transport kind=\"files\"/>\n"
    "    <guide set=\"850\" name=\"partners/amazon-rp/850\"/>\n"
    "    <guide set=\"856\" name=\"partners/amazon-rp/856\"/>\n"
    "    <guide set=\"856\" version=\"005010\" name=\"partners/amazon-rp/856-5010\"/>\n"
    "    <map flow=\"order-in\" name=\"amazon-rp/850-to-order\"/>\n"
    "    <map flow=\"order-ack-out\" name=\"amazon-rp/order-ack-to-855\"/>\n"
    "    <acknowledge mode=\"manual\"/>\n"
    "    <schedule job=\"ack-run\" cron=\"*/30 * * * *\"/>\n"
    "    <schedule job=\"invoice-run\" cron=\"0 18 * * 1-5\"/>\n"
    "    <ship-from warehouse=\"NJ1\" party-id=\"ACMW1\"/>\n"
    "    <ship-from warehouse=\"CA2\" party-id=\"ACMW2\">\n"
    "      <name>ACME WEST DOCK</name>\n"
    "    </ship-from>\n"
    "    <gs1 company-prefix=\"0614141\" extension-digit=\"3\"/>\n"
    "    <invoice number-prefix=\"ACME-INV-\" per=\"po\">\n"
    "      <remit-to party-id=\"ACMEPAY1\">\n"
    "        <name>ACME WIDGETS INC</name>\n"
    "        <address><street>PO BOX 4410</street><city>NEWARK</city><state>NJ</state>\n"
    "          <postal-code>07101</postal-code><country>US</country></address>\n"
    "      </remit-to>\n"
    "      <terms type=\"basic-discount-offered\" net-days=\"60\" discount-percent=\"2\" discount-days=\"10\"/>\n"
    "      <tax type=\"sales\" rate=\"6.625\"/>\n"
    "      <charge type=\"freight\" amount=\"25.00\" description=\"Freight\"/>\n"
    "      <allowance type=\"discount\" percent=\"1.5\"/>\n"
    "    </invoice>\n"
    "    <param name=\"time-zone\" value=\"-05:00\"/>\n"
    "    <param name=\"x12-version\" value=\"005010\"/>\n"
    "  </partner>\n"
    "  <partner id=\"amazon-df\" program=\"DF\">\n"
    "    <name>Amazon Direct Fulfillment</name>\n"
    "    <interchange qualifier=\"ZZ\" id=\"AMAZONDS\"/>\n"
    "    <x12 version=\"004010\" usage=\"T\"/>\n"
    "    <transport kind=\"files\" dir=\"/srv/edi/df\"/>\n"
    "    <guide set=\"850\" name=\"partners/amazon-df/850\"/>\n"
    "    <map flow=\"order-in\" name=\"amazon-df/850-to-order\"/>\n"
    "    <acknowledge mode=\"auto-all\"/>\n"
    "    <schedule job=\"ack-run\" cron=\"*/15 * * * *\"/>\n"
    "    <ship-from warehouse=\"NJ1\" party-id=\"NJ1\"/>\n"
    "  </partner>\n"
    "</wharf>\n";

static void put(const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/wharf.xml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* base with the first `from` replaced by `to`; *line is the line `at`
 * (default: `to`) starts on in the result. */
static char *edit(const char *from, const char *to, const char *at, int *line)
{
    const char *p = strstr(base, from), *q;
    size_t n = sizeof(base) + strlen(to);
    char *r = malloc(n);

    if (p == NULL)
        fail_msg("'%s' is not in the base configuration", from);
    snprintf(r, n, "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
    q = strstr(r, at ? at : to);
    if (q == NULL)
        fail_msg("'%s' is not in the edited configuration", at ? at : to);
    *line = 1;
    for (p = r; p < q; p++)
        *line += *p == '\n';
    return r;
}

static int load(struct gw_config **cfg, struct edi_err *err)
{
    edi_err_clear(err);
    return gw_config_load_with(cfg, dir, WHARF_SCHEMAS, guides, maps, err);
}

static int setup(void **state)
{
    struct edi_err err;

    if (mkdtemp(dir) == NULL)
        return -1;
    edi_err_clear(&err);
    if (edi_guides_new(&guides, WHARF_SCHEMAS, &err) < 0 ||
        map_engine_new(&maps, WHARF_MAPPINGS, WHARF_SCHEMAS, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/wharf.xml", dir);
    unlink(path);
    rmdir(dir);
    map_engine_free(maps);
    edi_guides_free(guides);
    return 0;
}

/* ---- a valid configuration --------------------------------------------------- */

static void test_valid_config_loads(void **state)
{
    struct gw_config *cfg;
    const struct gw_partner *rp, *df;
    struct edi_err err;
    char want[512];

    put(base);
    if (load(&cfg, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg->vendor_name, "ACME WIDGETS INC");
    assert_string_equal(cfg->vendor_isa_qualifier, "ZZ");
    assert_string_equal(cfg->vendor_isa_id, "ACMEVENDOR");
    assert_string_equal(cfg->vendor_gs_id, "ACMEVENDOR");
    assert_string_equal(cfg->vendor_code, "ACME1");
    assert_int_equal(cfg->nwarehouses, 2);
    assert_int_equal(cfg->npartners, 2);
    /* defaults: ERP folders, store, log, formats */
    snprintf(want, sizeof(want), "%s/erp/in", dir);
    assert_string_equal(cfg->erp_in, want);
    snprintf(want, sizeof(want), "%s/wharf.db", dir);
    assert_string_equal(cfg->store_path, want);
    snprintf(want, sizeof(want), "%s/log", dir);
    assert_string_equal(cfg->log_dir, want);
    assert_string_equal(cfg->log_level, "info");
    assert_int_equal(cfg->log_json, 0);   /* <log format> is text */
    assert_true(cfg->erp_json && cfg->erp_csv);

    rp = &cfg->partners[0];
    assert_string_equal(rp->id, "amazon-rp");
    assert_string_equal(rp->program, "RP");
    assert_string_equal(rp->vendor_code, "ACME1");
    assert_int_equal(rp->usage, 'P');
    assert_string_equal(rp->functional_ack, "997");
    assert_int_equal(rp->ta1, 0);
    assert_string_equal(rp->transport, "files");
    snprintf(want, sizeof(want), "%s/partners/amazon-rp/quarantine", dir);
    assert_string_equal(rp->quarantine, want);
    assert_int_equal(rp->ack_mode, GW_ACK_MANUAL);
    assert_int_equal(rp->ack_warn_hours, 4);
    assert_string_equal(rp->gs1_prefix, "0614141");
    assert_int_equal(rp->sscc_extension, '3');
    assert_true(rp->invoice.present);
    assert_string_equal(rp->invoice.number_prefix, "ACME-INV-");
    assert_string_equal(rp->invoice.per, "po");
    assert_string_equal(rp->invoice.currency, "USD");
    assert_string_equal(rp->invoice.remit_party_id, "ACMEPAY1");
    assert_string_equal(rp->invoice.remit_address.city, "NEWARK");
    assert_string_equal(rp->invoice.terms_basis, "invoice-date");
    assert_int_equal(rp->invoice.net_days, 60);
    assert_string_equal(rp->invoice.discount_percent, "2");
    assert_int_equal(rp->invoice.discount_days, 10);
    assert_int_equal(rp->invoice.ntaxes, 1);
    assert_string_equal(rp->invoice.taxes[0].rate, "6.625");
    assert_int_equal(rp->invoice.ncharges, 1);
    assert_string_equal(rp->invoice.charges[0].amount, "25.00");
    assert_null(rp->invoice.charges[0].percent);
    assert_int_equal(rp->invoice.nallowances, 1);
    assert_string_equal(rp->invoice.allowances[0].percent, "1.5");

    df = &cfg->partners[1];
    assert_string_equal(df->program, "DF");
    assert_int_equal(df->usage, 'T');
    assert_int_equal(df->ack_mode, GW_ACK_AUTO_ALL);
    assert_string_equal(df->inbound, "/srv/edi/df/inbound");
    assert_null(df->gs1_prefix);
    assert_false(df->invoice.present);
    assert_null(gw_partner_schedule(df, "invoice-run"));
    gw_config_free(cfg);
}

static void test_lookups(void **state)
{
    struct gw_config *cfg;
    const struct gw_partner *rp, *df;
    const struct gw_ship_from *sf;
    const struct gw_guide_ref *g;
    const struct gw_schedule *s;
    struct edi_err err;

    put(base);
    if (load(&cfg, &err) < 0)
        fail_msg("%s", err.msg);
    rp = gw_config_partner(cfg, "amazon-rp");
    df = gw_config_partner(cfg, "amazon-df");
    assert_non_null(rp);
    assert_non_null(df);
    assert_null(gw_config_partner(cfg, "amazon"));

    /* routing an inbound ISA: qualifier and id, padding or not */
    assert_ptr_equal(gw_config_partner_by_interchange(cfg, "ZZ", "AMAZON"), rp);
    assert_ptr_equal(gw_config_partner_by_interchange(cfg, "ZZ", "AMAZON         "), rp);
    assert_ptr_equal(gw_config_partner_by_interchange(cfg, "ZZ", "AMAZONDS       "), df);
    assert_null(gw_config_partner_by_interchange(cfg, "01", "AMAZON"));
    assert_null(gw_config_partner_by_interchange(cfg, "ZZ", "AMAZO"));
    assert_null(gw_config_partner_by_interchange(cfg, "ZZ", "ACMEVENDOR"));

    /* Ship-From party mapping: defaults from the warehouse, or its own */
    sf = gw_config_ship_from(rp, "NJ1");
    assert_non_null(sf);
    assert_string_equal(sf->party_id, "ACMW1");
    assert_string_equal(sf->name, "ACME WIDGETS WAREHOUSE");
    assert_string_equal(sf->address.street1, "100 INDUSTRIAL PKWY");
    assert_string_equal(sf->address.postal_code, "08817");
    assert_ptr_equal(sf->wh, gw_config_warehouse(cfg, "NJ1"));
    sf = gw_config_ship_from(rp, "CA2");
    assert_string_equal(sf->name, "ACME WEST DOCK");
    assert_string_equal(sf->address.street2, "BLDG 2");
    assert_null(gw_config_ship_from(df, "CA2"));
    assert_null(gw_config_ship_from(rp, "TX9"));
    assert_ptr_equal(gw_config_ship_from_party(df, "NJ1"), gw_config_ship_from(df, "NJ1"));
    assert_null(gw_config_ship_from_party(df, "ACMW1"));

    /* guides by set and version */
    g = gw_partner_guide(rp, "856", NULL);
    assert_string_equal(g->name, "partners/amazon-rp/856");
    g = gw_partner_guide(rp, "856", "005010");
    assert_string_equal(g->name, "partners/amazon-rp/856-5010");
    assert_null(gw_partner_guide(rp, "810", NULL));

    assert_string_equal(gw_partner_map(rp, "order-in")->name, "amazon-rp/850-to-order");
    assert_null(gw_partner_map(df, "invoice-out"));
    s = gw_partner_schedule(rp, "ack-run");
    assert_string_equal(s->text, "*/30 * * * *");
    assert_true(s->cron.minute == ((1ull << 0) | (1ull << 30)));

    /* map parameters: the partner's own, then what the config knows */
    assert_string_equal(gw_partner_param(rp, "time-zone"), "-05:00");
    assert_string_equal(gw_partner_param(rp, "x12-version"), "005010");   /* <param> wins */
    assert_string_equal(gw_partner_param(rp, "vendor-code"), "ACME1");
    assert_string_equal(gw_partner_param(rp, "gs1-company-prefix"), "0614141");
    assert_string_equal(gw_partner_param(rp, "sscc-extension"), "3");
    assert_string_equal(gw_partner_param(rp, "currency"), "USD");
    assert_string_equal(gw_partner_param(df, "x12-version"), "004010");
    assert_null(gw_partner_param(df, "gs1-company-prefix"));
    assert_null(gw_partner_param(df, "nothing"));
    assert_string_equal(gw_ack_mode_name(df->ack_mode), "auto-all");
    gw_config_free(cfg);
}

/* The same through gw_config_load, which opens its own registries; and a
 * workspace given as "." names the file wharf.xml. */
static void test_load_opens_registries_and_names_file(void **state)
{
    struct gw_config *cfg = NULL;
    struct edi_err err;
    char cwd[1024];
    int line;
    char *text = edit("cron=\"*/15 * * * *\"", "cron=\"*/15 * *\"", NULL, &line);
    char want[64];

    put(base);
    edi_err_clear(&err);
    if (gw_config_load(&cfg, dir, WHARF_SCHEMAS, WHARF_MAPPINGS, &err) < 0)
        fail_msg("%s", err.msg);
    gw_config_free(cfg);

    put(text);
    free(text);
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    edi_err_clear(&err);
    assert_int_equal(gw_config_load(&cfg, ".", WHARF_SCHEMAS, WHARF_MAPPINGS, &err), EDI_ECONFIG);
    assert_int_equal(chdir(cwd), 0);
    assert_null(cfg);
    snprintf(want, sizeof(want), "wharf.xml:%d: ", line);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("got '%s', want it to start with '%s'", err.msg, want);
}

static void test_not_a_workspace(void **state)
{
    struct gw_config *cfg;
    struct edi_err err;
    char path[512];

    snprintf(path, sizeof(path), "%s/wharf.xml", dir);
    unlink(path);
    assert_int_equal(load(&cfg, &err), EDI_ENOTFOUND);
    assert_non_null(strstr(err.msg, "wharf init"));
    edi_err_clear(&err);
    assert_int_equal(gw_config_load_with(&cfg, dir, "/nonexistent", guides, maps, &err),
                     EDI_ECONFIG);
    assert_non_null(strstr(err.msg, "WHARF_SCHEMAS"));
}

/* ---- mistakes, each with its line ------------------------------------------------ */

static void test_errors_name_the_line(void **state)
{
    static const struct {
        const char *what, *from, *to, *at, *want;
    } cases[] = {
        {"unknown element", "    <acknowledge mode=\"manual\"/>\n",
         "    <acknowledge mode=\"manual\"/>\n    <frobnicate/>\n", "<frobnicate/>",
         "Element 'frobnicate': This element is not expected"},
        {"element out of order", "    <x12 version=\"004010\"/>\n    <transport kind=\"files\"/>\n",
         "    <transport kind=\"files\"/>\n    <x12 version=\"004010\"/>\n", "<transport", "Expected is one of ( vendor-code, x12 )"},
        {"missing required element", "    <acknowledge mode=\"auto-all\"/>\n", "", "<schedule job=\"ack-run\" cron=\"*/15",
         "Expected is one of ( map, acknowledge )"},
        {"unknown attribute", "<erp kind=\"files\"/>", "<erp kind=\"files\" colour=\"red\"/>", NULL,
         "attribute 'colour' is not allowed"},
        {"bad enumeration", "mode=\"manual\"", "mode=\"sometimes\"", NULL,
         "'sometimes' is not an element of the set"},
        {"bad cron: three fields", "cron=\"*/30 * * * *\"", "cron=\"*/30 * *\"", NULL,
         "<schedule cron=\"*/30 * *\">: not a cron schedule: five fields"},
        {"bad cron: a word", "cron=\"0 18 * * 1-5\"", "cron=\"daily\"", NULL, "not a cron schedule"},
        {"bad cron: minute out of range", "cron=\"0 18 * * 1-5\"", "cron=\"61 18 * * 1-5\"", NULL,
         "<schedule job=\"invoice-run\">: minute field '61': 61 is out of range 0-59"},
        {"bad cron: backwards range", "cron=\"0 18 * * 1-5\"", "cron=\"0 18 * * 5-1\"", NULL,
         "range 5-1 runs backwards"},
        {"bad cron: month 13", "cron=\"0 18 * * 1-5\"", "cron=\"0 18 1 13 *\"", NULL,
         "month field '13': 13 is out of range 1-12"},
        {"duplicate partner", "<partner id=\"amazon-df\"", "<partner id=\"amazon-rp\"",
         "<partner id=\"amazon-rp\" program=\"DF\"",
         "<partner>: partner id amazon-rp is used twice"},
        {"two partners, one interchange id", "id=\"AMAZONDS\"", "id=\"AMAZON\"",
         "<interchange qualifier=\"ZZ\" id=\"AMAZON\"/>\n    <x12 version=\"004010\" usage",
         "interchange id ZZ/AMAZON is used by two partners"},
        {"partner with the vendor's interchange id", "id=\"AMAZONDS\"", "id=\"ACMEVENDOR\"",
         "id=\"ACMEVENDOR\"/>\n    <x12 version=\"004010\" usage",
         "partner amazon-df has the vendor's own interchange id ZZ/ACMEVENDOR"},
        {"duplicate warehouse", "<warehouse code=\"CA2\">", "<warehouse code=\"NJ1\">", "<warehouse code=\"NJ1\">\n    <name>ACME WEST",
         "warehouse NJ1 is declared twice"},
        {"ship-from for an undeclared warehouse", "<ship-from warehouse=\"NJ1\" party-id=\"NJ1\"/>",
         "<ship-from warehouse=\"TX9\" party-id=\"NJ1\"/>", NULL,
         "ship-from names warehouse TX9, which is not declared"},
        {"two ship-froms for one warehouse", "<ship-from warehouse=\"CA2\" party-id=\"ACMW2\">",
         "<ship-from warehouse=\"NJ1\" party-id=\"ACMW2\">", NULL,
         "two ship-from parties for warehouse NJ1"},
        {"unknown guide", "name=\"partners/amazon-rp/850\"", "name=\"partners/amazon-rp/851\"", NULL,
         "<guide set=\"850\">: no guide partners/amazon-rp/851"},
        {"guide for another set", "<guide set=\"850\" name=\"partners/amazon-df/850\"/>",
         "<guide set=\"855\" name=\"partners/amazon-df/850\"/>", NULL,
         "guide partners/amazon-df/850 is for set 850"},
        {"guide for another version", "<guide set=\"856\" version=\"005010\"",
         "<guide set=\"856\" version=\"004010\"", NULL, "a second guide for set 856 in X12 004010"},
        {"5010 guide without version", "<guide set=\"856\" version=\"005010\" name=\"partners/amazon-rp/856-5010\"/>",
         "<guide set=\"857\" name=\"partners/amazon-rp/856-5010\"/>", NULL, "is for set 856"},
        {"guide name leaving the schemas", "name=\"partners/amazon-df/850\"", "name=\"x/../../etc/passwd\"", NULL,
         "may not leave the schemas folder"},
        {"unknown map", "name=\"amazon-df/850-to-order\"", "name=\"nobody/850-to-order\"", NULL,
         "<map flow=\"order-in\">: no map nobody/850-to-order"},
        {"map for the wrong direction", "<map flow=\"order-in\" name=\"amazon-rp/850-to-order\"/>",
         "<map flow=\"order-in\" name=\"amazon-rp/order-ack-to-855\"/>", NULL,
         "map amazon-rp/order-ack-to-855 reads XML and writes X12; an inbound flow"},
        {"two maps for one flow", "<map flow=\"order-ack-out\"", "<map flow=\"order-in\"",
         "<map flow=\"order-in\" name=\"amazon-rp/order-ack-to-855\"",
         "two maps for flow order-in"},
        {"interchange qualifier of one character", "qualifier=\"ZZ\" id=\"AMAZONDS\"", "qualifier=\"Z\" id=\"AMAZONDS\"", NULL,
         "<interchange qualifier=\"Z\">: not an interchange id qualifier"},
        {"interchange id over 15 characters", "id=\"AMAZONDS\"", "id=\"AMAZONDIRECTFULFIL\"", NULL,
         "not an interchange id: 1 to 15"},
        {"partner id with capitals", "<partner id=\"amazon-df\"", "<partner id=\"Amazon DF\"", NULL,
         "<partner id=\"Amazon DF\">: not a partner id"},
        {"charge with amount and percent", "amount=\"25.00\"", "amount=\"25.00\" percent=\"2\"", "<charge",
         "<charge type=\"freight\">: give exactly one of amount"},
        {"money with three decimals", "amount=\"25.00\"", "amount=\"25.001\"", "<charge",
         "not an amount"},
        {"discount without days", " discount-days=\"10\"", "", "<terms",
         "a discount needs both discount-percent and discount-days"},
        {"US address without a state", "<city>OAKLAND</city>\n      <state>CA</state>",
         "<city>OAKLAND</city>\n      ", "<address><street>1 PORT RD", "a US address needs a <state>"},
        {"duplicate parameter", "<param name=\"x12-version\"", "<param name=\"time-zone\"", "<param name=\"time-zone\" value=\"005010\"",
         "parameter time-zone is set twice"},
        {"not well-formed", "    </ship-from>\n", "    </shipfrom>\n", NULL, "mismatch"},
        /* <erp> of an API ERP */
        {"brightpearl without an id", "<erp kind=\"files\"/>", "<erp kind=\"brightpearl\" account=\"acme\"/>", NULL,
         "an id is needed"},
        {"brightpearl without an account", "<erp kind=\"files\"/>", "<erp kind=\"brightpearl\" id=\"bp\"/>", NULL,
         "the Brightpearl account code is needed"},
        {"quickbooks without a realm", "<erp kind=\"files\"/>", "<erp kind=\"quickbooks\" id=\"qbo\"/>", NULL,
         "the QuickBooks company id is needed"},
        {"quickbooks providing stock", "<erp kind=\"files\"/>",
         "<erp kind=\"quickbooks\" id=\"qbo\" realm=\"1\" provides=\"stock\"/>", NULL, "provides no decisions"},
        {"quickbooks receiving shipments", "<erp kind=\"files\"/>",
         "<erp kind=\"quickbooks\" id=\"qbo\" realm=\"1\" receives=\"invoices shipments\"/>", NULL,
         "keeps no shipments"},
        {"two ERPs deciding", "<erp kind=\"files\"/>",
         "<erp kind=\"brightpearl\" id=\"a\" account=\"x\" provides=\"decisions\"/>\n"
         "  <erp kind=\"brightpearl\" id=\"b\" account=\"y\" provides=\"stock decisions\"/>",
         "<erp kind=\"brightpearl\" id=\"b\"", "another ERP already provides"},
        {"two ERPs, one id", "<erp kind=\"files\"/>",
         "<erp kind=\"brightpearl\" id=\"a\" account=\"x\"/>\n  <erp kind=\"quickbooks\" id=\"a\" realm=\"1\"/>",
         "<erp kind=\"quickbooks\"", "two ERPs with the same id"},
        {"an ERP receiving what wharf has not", "<erp kind=\"files\"/>",
         "<erp kind=\"quickbooks\" id=\"q\" realm=\"1\" receives=\"invoices refunds\"/>", NULL,
         "'refunds' is not an element of the set"},
        {"<http> with a port out of range", "<erp kind=\"files\"/>",
         "<erp kind=\"files\"/>\n  <http listen=\"127.0.0.1:70000\"/>", "<http", "the port is not a number"},
        {"<http> on a host name", "<erp kind=\"files\"/>", "<erp kind=\"files\"/>\n  <http listen=\"example.com:80\"/>",
         "<http", "example.com is not an IPv4 address"},
        {"<http> on a public address without public=\"true\"", "<erp kind=\"files\"/>",
         "<erp kind=\"files\"/>\n  <http listen=\"0.0.0.0:8443\"/>", "<http", "not a loopback address"},
        {"<http> with a certificate and no key", "<erp kind=\"files\"/>",
         "<erp kind=\"files\"/>\n  <http listen=\"127.0.0.1:8443\" tls-cert=\"wharf.xml\"/>", "<http",
         "tls-cert and tls-key go together"},
        {"<http> with a key that cannot be read", "<erp kind=\"files\"/>",
         "<erp kind=\"files\"/>\n  <http listen=\"[::1]:8443\" tls-cert=\"wharf.xml\" tls-key=\"no-such.key\"/>",
         "<http", "no-such.key cannot be read"},
        {"wrong format version", "<wharf version=\"1\">", "<wharf version=\"2\">", NULL, "'2' is not an element of the set"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_config *cfg = NULL;
        struct edi_err err;
        char want[512];
        int line, rc;
        char *text = edit(cases[i].from, cases[i].to, cases[i].at, &line);

        put(text);
        free(text);
        rc = load(&cfg, &err);
        if (rc != EDI_ECONFIG) {
            gw_config_free(cfg);
            fail_msg("%s: rc %d, want EDI_ECONFIG", cases[i].what, rc);
        }
        assert_null(cfg);
        snprintf(want, sizeof(want), "%s/wharf.xml:%d: ", dir, line);
        if (strncmp(err.msg, want, strlen(want)) != 0)
            fail_msg("%s: got '%s', want it to start with '%s'", cases[i].what, err.msg, want);
        if (strstr(err.msg, cases[i].want) == NULL)
            fail_msg("%s: got '%s', want '%s' in it", cases[i].what, err.msg, cases[i].want);
    }
}

/* <http>: a loopback listener, and a public one when told so. */
static void test_http_listener(void **state)
{
    struct gw_config *cfg = NULL;
    struct edi_err err;
    int line;
    char *text = edit("<erp kind=\"files\"/>", "<erp kind=\"files\"/>\n  <http listen=\"localhost:0\"/>", NULL, &line);

    put(text);
    free(text);
    assert_int_equal(load(&cfg, &err), 0);
    assert_string_equal(cfg->http.listen, "localhost:0");
    assert_null(cfg->http.tls_cert);
    assert_int_equal(cfg->http.public_, 0);
    gw_config_free(cfg);
    text = edit("<erp kind=\"files\"/>",
                "<erp kind=\"files\"/>\n  <http listen=\"0.0.0.0:8443\" tls-cert=\"wharf.xml\" tls-key=\"wharf.xml\" "
                "public=\"true\"/>", NULL, &line);
    put(text);
    free(text);
    assert_int_equal(load(&cfg, &err), 0);
    assert_int_equal(cfg->http.public_, 1);
    assert_non_null(strstr(cfg->http.tls_key, "/wharf.xml"));   /* joined with the workspace */
    gw_config_free(cfg);
    text = edit("<erp kind=\"files\"/>", "<erp kind=\"files\"/>", NULL, &line);
    put(text);
    free(text);
    assert_int_equal(load(&cfg, &err), 0);
    assert_null(cfg->http.listen);   /* no <http>: nothing listens */
    gw_config_free(cfg);
}

/* <log format="json">, and a format that is not one refused at its line. */
static void test_log_format(void **state)
{
    struct gw_config *cfg = NULL;
    struct edi_err err;
    int line;
    char *text = edit("<erp kind=\"files\"/>", "<erp kind=\"files\"/>\n  <log format=\"json\"/>", NULL, &line);

    (void)state;
    put(text);
    free(text);
    if (load(&cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cfg->log_json, 1);
    assert_string_equal(cfg->log_level, "info");
    gw_config_free(cfg);
    text = edit("<erp kind=\"files\"/>", "<erp kind=\"files\"/>\n  <log format=\"yaml\"/>", "<log", &line);
    put(text);
    free(text);
    assert_int_equal(load(&cfg, &err), EDI_ECONFIG);
    if (strstr(err.msg, "yaml") == NULL)
        fail_msg("the refusal does not name the value: %s", err.msg);
    gw_config_free(cfg);
}

/* <erp layout>: per-file when it says so; per-order when it says so or
 * says nothing (an existing wharf.xml keeps its files); anything else is
 * refused, naming the value. */
static void test_erp_layout(void **state)
{
    static const struct {
        const char *erp;
        int per_file;
    } CASES[] = {
        {"<erp kind=\"files\" layout=\"per-file\"/>", 1},
        {"<erp kind=\"files\" layout=\"per-order\"/>", 0},
        {"<erp kind=\"files\" formats=\"csv\"/>", 0},
    };
    struct gw_config *cfg = NULL;
    struct edi_err err;
    size_t i;
    int line;
    char *text;

    (void)state;
    for (i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        text = edit("<erp kind=\"files\"/>", CASES[i].erp, NULL, &line);
        put(text);
        free(text);
        if (load(&cfg, &err) != 0)
            fail_msg("%s: %s", CASES[i].erp, err.msg);
        assert_int_equal(cfg->erp_per_file, CASES[i].per_file);
        gw_config_free(cfg);
        cfg = NULL;
    }
    text = edit("<erp kind=\"files\"/>", "<erp kind=\"files\" layout=\"per-day\"/>", "<erp", &line);
    put(text);
    free(text);
    assert_int_equal(load(&cfg, &err), EDI_ECONFIG);
    if (strstr(err.msg, "per-day") == NULL)
        fail_msg("the refusal does not name the value: %s", err.msg);
    gw_config_free(cfg);
}

/* <erp kind="brightpearl"> and <erp kind="quickbooks"> beside the file
 * exchange: what each receives and provides, its parameters. */
static void test_api_erps(void **state)
{
    struct gw_config *cfg = NULL;
    const struct gw_erp_conf *bp, *qbo;
    struct edi_err err;
    int line;
    char *text = edit("<erp kind=\"files\"/>",
                      "<erp kind=\"files\"/>\n"
                      "  <erp kind=\"brightpearl\" id=\"bp\" account=\"acme\" endpoint=\"https://euw1.brightpearlconnect.com\"\n"
                      "       receives=\"orders shipments invoices\" provides=\"decisions stock packing-lists\">\n"
                      "    <param name=\"warehouse-id\" value=\"2\"/>\n"
                      "  </erp>\n"
                      "  <erp kind=\"quickbooks\" id=\"qbo\" realm=\"9130350000000000\" receives=\"invoices payments\"/>",
                      NULL, &line);

    (void)state;
    put(text);
    free(text);
    if (load(&cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cfg->nerps, 2);
    assert_non_null(cfg->erp_out);   /* the file exchange stays */
    bp = gw_config_erp(cfg, "bp");
    qbo = gw_config_erp(cfg, "qbo");
    assert_non_null(bp);
    assert_non_null(qbo);
    assert_null(gw_config_erp(cfg, "files"));
    assert_string_equal(bp->kind, "brightpearl");
    assert_string_equal(bp->account, "acme");
    assert_int_equal(bp->receives, GW_ERP_ORDERS | GW_ERP_SHIPMENTS | GW_ERP_INVOICES);
    assert_int_equal(bp->provides, GW_ERP_GIVES_DECISIONS | GW_ERP_GIVES_STOCK | GW_ERP_GIVES_PACKING_LISTS);
    assert_int_equal(bp->nparams, 1);
    assert_string_equal(bp->params[0].value, "2");
    assert_string_equal(qbo->realm, "9130350000000000");
    assert_int_equal(qbo->receives, GW_ERP_INVOICES | GW_ERP_PAYMENTS);
    assert_int_equal(qbo->provides, 0);
    gw_config_free(cfg);

    /* API ERPs alone: no file exchange */
    text = edit("<erp kind=\"files\"/>", "<erp kind=\"quickbooks\" id=\"qbo\" realm=\"1\" receives=\"invoices\"/>",
                NULL, &line);
    put(text);
    free(text);
    if (load(&cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_null(cfg->erp_out);
    assert_null(cfg->erp_in);
    gw_config_free(cfg);
}

/* <transport kind="sp-api">: the region's hosts, the sandbox's, the
 * overrides, the defaults of the pull settings, and what is required. */
static void test_spapi_transport(void **state)
{
    static const struct {
        const char *what, *attrs;
        const char *endpoint, *token;   /* NULL: the load fails */
        int first, overlap, backfill, processing;
        const char *error;
    } cases[] = {
        {"north america", "region=\"na\" marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\"",
         "https://sellingpartnerapi-na.amazon.com", "https://api.amazon.com/auth/o2/token", 7, 10, 14, 240, NULL},
        {"europe, sandbox", "region=\"eu\" marketplace=\"A1PA6795UKMFR9\" selling-party=\"ACME1\" sandbox=\"true\"",
         "https://sandbox.sellingpartnerapi-eu.amazon.com", "https://api.amazon.com/auth/o2/token", 7, 10, 14, 240, NULL},
        {"a local stand-in, settings",
         "region=\"fe\" marketplace=\"A1VC38T7YXB528\" selling-party=\"ACME1\" endpoint=\"http://127.0.0.1:8080\" "
         "token-endpoint=\"http://127.0.0.1:8080/auth/o2/token\" first-days=\"30\" overlap-minutes=\"0\" "
         "backfill-days=\"3\" processing-minutes=\"5\"",
         "http://127.0.0.1:8080", "http://127.0.0.1:8080/auth/o2/token", 30, 0, 3, 5, NULL},
        {"no region", "marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\"", NULL, NULL, 0, 0, 0, 0,
         "region, marketplace and selling-party are required"},
        {"unknown region", "region=\"mars\" marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\"", NULL, NULL, 0,
         0, 0, 0, "'mars' is not an element of the set"},
        {"not a URL", "region=\"na\" marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\" endpoint=\"ftp://x\"",
         NULL, NULL, 0, 0, 0, 0, "endpoint"},
        {"more than six months back", "region=\"na\" marketplace=\"ATVPDKIKX0DER\" selling-party=\"ACME1\" first-days=\"200\"",
         NULL, NULL, 0, 0, 0, 0, "first-days"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_config *cfg = NULL;
        struct edi_err err;
        char to[600];
        int line, rc;
        char *text;
        const struct gw_partner *p;

        snprintf(to, sizeof(to), "<transport kind=\"sp-api\" %s/>", cases[i].attrs);
        text = edit("<transport kind=\"files\" dir=\"/srv/edi/df\"/>", to, NULL, &line);
        put(text);
        free(text);
        rc = load(&cfg, &err);
        if (cases[i].endpoint == NULL) {
            if (rc != EDI_ECONFIG || strstr(err.msg, cases[i].error) == NULL)
                fail_msg("%s: rc %d '%s', want EDI_ECONFIG with '%s'", cases[i].what, rc, err.msg, cases[i].error);
            gw_config_free(cfg);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].what, err.msg);
        p = gw_config_partner(cfg, "amazon-df");
        assert_string_equal(p->transport, "sp-api");
        assert_string_equal(p->spapi.endpoint, cases[i].endpoint);
        assert_string_equal(p->spapi.token_endpoint, cases[i].token);
        assert_int_equal(p->spapi.first_days, cases[i].first);
        assert_int_equal(p->spapi.overlap_minutes, cases[i].overlap);
        assert_int_equal(p->spapi.backfill_days, cases[i].backfill);
        assert_int_equal(p->spapi.processing_minutes, cases[i].processing);
        assert_string_equal(p->spapi.selling_party, "ACME1");
        /* the spool folders stay: quarantine/ keeps what did not map */
        assert_non_null(p->quarantine);
        gw_config_free(cfg);
    }
}

/* <transport kind="sftp">: the server, the folders, the known_hosts file
 * joined with the workspace, timeout (1 to 86400 s, default 300); each required attribute missing is named,
 * with the file and the line of the <transport>. */
static void test_sftp_transport(void **state)
{
    static const struct {
        const char *what, *attrs;
        const char *error;   /* NULL: loads */
    } cases[] = {
        {"all of it", "host=\"sftp.example.com\" port=\"2222\" user=\"acme\" inbound=\"/download\" "
         "outbound=\"/upload\" archive=\"/download/done\" known-hosts=\"certs/known_hosts\" timeout=\"60\"", NULL},
        {"the least", "host=\"::1\" user=\"acme\" inbound=\"download\" outbound=\"upload\" "
         "known-hosts=\"/etc/ssh/ssh_known_hosts\"", NULL},
        {"no host, no known-hosts", "user=\"acme\" inbound=\"/d\" outbound=\"/u\"",
         "host, known-hosts missing (host, user, inbound, outbound and known-hosts are required)"},
        {"no user", "host=\"h\" inbound=\"/d\" outbound=\"/u\" known-hosts=\"k\"", "user missing"},
        {"no folders", "host=\"h\" user=\"acme\" known-hosts=\"k\"", "inbound, outbound missing"},
        {"archive is inbound", "host=\"h\" user=\"acme\" inbound=\"/d\" outbound=\"/u\" archive=\"/d\" "
         "known-hosts=\"k\"", "archive is the inbound folder"},
        {"a double slash", "host=\"h\" user=\"acme\" inbound=\"/d//x\" outbound=\"/u\" known-hosts=\"k\"",
         "'//'"},
        {"port 0", "host=\"h\" port=\"0\" user=\"acme\" inbound=\"/d\" outbound=\"/u\" known-hosts=\"k\"",
         "port"},
        {"timeout 0", "host=\"h\" user=\"acme\" inbound=\"/d\" outbound=\"/u\" known-hosts=\"k\" timeout=\"0\"",
         "timeout"},
        {"timeout over a day", "host=\"h\" user=\"acme\" inbound=\"/d\" outbound=\"/u\" known-hosts=\"k\" "
         "timeout=\"86401\"", "timeout"},
        {"a host with a slash", "host=\"h/x\" user=\"acme\" inbound=\"/d\" outbound=\"/u\" known-hosts=\"k\"",
         "host"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_config *cfg = NULL;
        struct edi_err err;
        char to[600], at[64];
        int line, rc;
        char *text;
        const struct gw_partner *p;

        snprintf(to, sizeof(to), "<transport kind=\"sftp\" %s/>", cases[i].attrs);
        text = edit("<transport kind=\"files\" dir=\"/srv/edi/df\"/>", to, "<transport kind=\"sftp\"", &line);
        put(text);
        free(text);
        rc = load(&cfg, &err);
        if (cases[i].error) {
            snprintf(at, sizeof(at), "wharf.xml:%d: ", line);
            if (rc != EDI_ECONFIG || strstr(err.msg, cases[i].error) == NULL)
                fail_msg("%s: rc %d '%s', want EDI_ECONFIG with '%s'", cases[i].what, rc, err.msg, cases[i].error);
            if (strstr(cases[i].error, "missing") && strstr(err.msg, at) == NULL)
                fail_msg("%s: '%s' does not name line %d", cases[i].what, err.msg, line);
            gw_config_free(cfg);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].what, err.msg);
        p = gw_config_partner(cfg, "amazon-df");
        assert_string_equal(p->transport, "sftp");
        assert_string_equal(p->sftp.user, "acme");
        if (i == 0) {
            assert_string_equal(p->sftp.host, "sftp.example.com");
            assert_int_equal(p->sftp.port, 2222);
            assert_string_equal(p->sftp.inbound, "/download");
            assert_string_equal(p->sftp.outbound, "/upload");
            assert_string_equal(p->sftp.archive, "/download/done");
            /* joined with the workspace */
            assert_non_null(strstr(p->sftp.known_hosts, "/certs/known_hosts"));
            assert_true(p->sftp.known_hosts[0] == '/');
            assert_int_equal(p->sftp.timeout, 60);
        } else {
            assert_int_equal(p->sftp.port, 22);
            assert_int_equal(p->sftp.timeout, 300);
            assert_null(p->sftp.archive);
            assert_string_equal(p->sftp.known_hosts, "/etc/ssh/ssh_known_hosts");
        }
        gw_config_free(cfg);
    }
}

/* <transport kind="as2">: the contract attributes and their defaults;
 * each refusal with the file and the line of the <transport>. */
static void test_as2_transport(void **state)
{
    static const struct {
        const char *what, *attrs;
        const char *error;   /* NULL: loads */
    } cases[] = {
        {"the issue's example", "url=\"https://as2.example.com/as2\" as2-id=\"AMAZON\" our-as2-id=\"ACMEVENDOR\" "
         "sign=\"sha256\" encrypt=\"aes256-cbc\" compress=\"false\" mdn=\"sync\" mdn-sign=\"sha256\" "
         "partner-cert=\"certs/amazon.pem\"", NULL},
        {"the least", "url=\"http://127.0.0.1:4080/as2\" as2-id=\"A B\" our-as2-id=\"ME\" partner-cert=\"/c.pem\"",
         NULL},
        {"nothing", "", "url, as2-id, our-as2-id, partner-cert missing"},
        {"no partner-cert", "url=\"https://h/as2\" as2-id=\"A\" our-as2-id=\"B\"", "partner-cert missing"},
        {"plain http to a remote host", "url=\"http://as2.example.com/as2\" as2-id=\"A\" our-as2-id=\"B\" "
         "partner-cert=\"c.pem\"", "plain http:// only to a loopback address"},
        {"async without a receipt address", "url=\"https://h/as2\" as2-id=\"A\" our-as2-id=\"B\" mdn=\"async\" "
         "partner-cert=\"c.pem\"", "no address for the receipt"},
        {"an unknown cipher", "url=\"https://h/as2\" as2-id=\"A\" our-as2-id=\"B\" encrypt=\"des\" "
         "partner-cert=\"c.pem\"", "encrypt"},
        {"a timeout too short", "url=\"https://h/as2\" as2-id=\"A\" our-as2-id=\"B\" mdn-timeout=\"2\" "
         "partner-cert=\"c.pem\"", "mdn-timeout 2 is under 5 seconds"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_config *cfg = NULL;
        struct edi_err err;
        char to[700], at[64];
        int line, rc;
        char *text;
        const struct gw_partner *p;

        snprintf(to, sizeof(to), "<transport kind=\"as2\" %s/>", cases[i].attrs);
        text = edit("<transport kind=\"files\" dir=\"/srv/edi/df\"/>", to, "<transport kind=\"as2\"", &line);
        put(text);
        free(text);
        rc = load(&cfg, &err);
        if (cases[i].error) {
            snprintf(at, sizeof(at), "wharf.xml:%d", line);
            if (rc != EDI_ECONFIG || strstr(err.msg, cases[i].error) == NULL || strstr(err.msg, at) == NULL)
                fail_msg("%s: rc %d '%s', want EDI_ECONFIG at line %d with '%s'", cases[i].what, rc, err.msg, line,
                         cases[i].error);
            gw_config_free(cfg);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].what, err.msg);
        p = gw_config_partner(cfg, "amazon-df");
        assert_string_equal(p->transport, "as2");
        assert_string_equal(p->as2.sign, "sha256");
        assert_string_equal(p->as2.encrypt, "aes256-cbc");
        assert_string_equal(p->as2.mdn, "sync");
        assert_string_equal(p->as2.mdn_sign, "sha256");
        assert_int_equal(p->as2.compress, 0);
        assert_int_equal(p->as2.mdn_timeout, 600);
        /* Amazon's rule by default: signed and encrypted */
        assert_int_equal(p->as2.require_signed, 1);
        assert_int_equal(p->as2.require_encrypted, 1);
        assert_string_equal(p->as2.content_type, "application/edi-x12");
        if (i == 0) {
            assert_string_equal(p->as2.as2_id, "AMAZON");
            assert_string_equal(p->as2.our_as2_id, "ACMEVENDOR");
            assert_non_null(strstr(p->as2.partner_cert, "/certs/amazon.pem"));
            assert_true(p->as2.partner_cert[0] == '/');
        } else {
            assert_string_equal(p->as2.as2_id, "A B");
            assert_string_equal(p->as2.partner_cert, "/c.pem");
        }
        assert_null(cfg->as2.listen);
        gw_config_free(cfg);
    }
}

/* <as2 listen path>: one, before the partners; a remote address only with
 * public="true"; an async partner's receipt address defaults from it. */
static void test_as2_listener(void **state)
{
    static const struct {
        const char *what, *el, *mdn;
        const char *error;
    } cases[] = {
        {"loopback", "<as2 listen=\"127.0.0.1:4080\" path=\"/as2\"/>", "async", NULL},
        {"remote without public", "<as2 listen=\"0.0.0.0:4080\"/>", "sync", "not a loopback address"},
        {"remote with public", "<as2 listen=\"0.0.0.0:4080\" public=\"true\" url=\"https://as2.acme.example/as2\"/>",
         "async", NULL},
        {"not HOST:PORT", "<as2 listen=\"4080\"/>", "sync", "<as2 listen>"},
        {"half TLS", "<as2 listen=\"127.0.0.1:4080\" tls-cert=\"c.pem\"/>", "sync", "go together"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_config *cfg = NULL;
        struct edi_err err;
        char to[700], t2[900], at[64];
        int line, line2, rc;
        char *text, *text2;

        snprintf(to, sizeof(to), "<transport kind=\"as2\" url=\"https://h/as2\" as2-id=\"A\" our-as2-id=\"B\" "
                 "mdn=\"%s\" partner-cert=\"c.pem\"/>", cases[i].mdn);
        text = edit("<transport kind=\"files\" dir=\"/srv/edi/df\"/>", to, "<transport kind=\"as2\"", &line);
        {
            char *pp = strstr(text, "<partner id=\"amazon-rp\"");
            size_t k = (size_t)(pp - text);

            snprintf(t2, sizeof(t2), "%s\n  ", cases[i].el);
            text2 = malloc(strlen(text) + strlen(t2) + 1);
            memcpy(text2, text, k);
            strcpy(text2 + k, t2);
            strcat(text2, pp);
            line2 = 1;
            for (size_t j = 0; j < k; j++)
                line2 += text[j] == '\n';
        }
        free(text);
        put(text2);
        free(text2);
        rc = load(&cfg, &err);
        if (cases[i].error) {
            snprintf(at, sizeof(at), "wharf.xml:%d", line2);
            if (rc != EDI_ECONFIG || strstr(err.msg, cases[i].error) == NULL || strstr(err.msg, at) == NULL)
                fail_msg("%s: rc %d '%s', want line %d and '%s'", cases[i].what, rc, err.msg, line2,
                         cases[i].error);
            gw_config_free(cfg);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].what, err.msg);
        if (i == 0) {
            assert_string_equal(cfg->as2.path, "/as2");
            assert_string_equal(gw_config_partner(cfg, "amazon-df")->as2.mdn_url, "http://127.0.0.1:4080/as2");
        } else {
            assert_string_equal(gw_config_partner(cfg, "amazon-df")->as2.mdn_url, "https://as2.acme.example/as2");
        }
        gw_config_free(cfg);
    }
}

/* No DTD: external entities are neither fetched nor expanded. */
static void test_no_doctype(void **state)
{
    struct gw_config *cfg = NULL;
    struct edi_err err;
    char want[512];
    int line;
    char *text = edit("<wharf version=\"1\">\n",
                      "<!DOCTYPE wharf [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                      "<wharf version=\"1\">\n",
                      "<!DOCTYPE", &line);
    char *name = strstr(text, "<name>ACME WIDGETS INC</name>");

    /* the entity, used where the schema wants a name */
    assert_non_null(name);
    memcpy(name, "<name>&x;</name>             ", 29);
    put(text);
    free(text);
    assert_int_equal(load(&cfg, &err), EDI_ECONFIG);
    assert_null(cfg);
    snprintf(want, sizeof(want), "%s/wharf.xml:%d: <!DOCTYPE> is not allowed", dir, line);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("got '%s', want '%s...'", err.msg, want);
}

/* ---- cron ---------------------------------------------------------------------- */

static void test_cron(void **state)
{
    static const struct {
        const char *cron, *when;   /* when: "YYYY-MM-DD HH:MM" (2025-01-06 is a Monday) */
        int match;
    } cases[] = {
        {"* * * * *", "2025-01-06 00:00", 1},
        {"*/30 * * * *", "2025-01-06 10:30", 1},
        {"*/30 * * * *", "2025-01-06 10:31", 0},
        {"0 18 * * 1-5", "2025-01-06 18:00", 1},
        {"0 18 * * 1-5", "2025-01-05 18:00", 0},          /* Sunday */
        {"0 18 * * 1-5", "2025-01-06 18:01", 0},
        {"15 6,14 * * *", "2025-01-06 14:15", 1},
        {"15 6,14 * * *", "2025-01-06 13:15", 0},
        {"0 0 * * 7", "2025-01-05 00:00", 1},             /* 7 is Sunday too */
        {"0 0 * * 0", "2025-01-05 00:00", 1},
        {"0 0 1 * 1", "2025-01-01 00:00", 1},             /* day of month or weekday */
        {"0 0 1 * 1", "2025-01-06 00:00", 1},
        {"0 0 1 * 1", "2025-01-07 00:00", 0},
        {"0 0 1 * *", "2025-01-06 00:00", 0},
        {"0 0 * 2 *", "2025-02-10 00:00", 1},
        {"0 0 * 2 *", "2025-03-10 00:00", 0},
        {"5/20 * * * *", "2025-01-06 00:45", 1},          /* 5, 25, 45 */
        {"5/20 * * * *", "2025-01-06 00:40", 0},
        {"10-20/5 * * * *", "2025-01-06 00:15", 1},
        {"10-20/5 * * * *", "2025-01-06 00:25", 0},
        {"  0   18 * *   1-5 ", "2025-01-06 18:00", 1},   /* blanks as the schema folds them */
    };
    static const char *const bad[] = {
        "", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *",
        "* * * 0 *", "* * * * 8", "*/0 * * * *", "a * * * *", "1- * * * *", "1,,2 * * * *",
        "5-1 * * * *", "1000 * * * *",
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_cron c;
        struct edi_err err;
        struct tm tm;

        edi_err_clear(&err);
        if (gw_cron_parse(&c, cases[i].cron, &err) < 0)
            fail_msg("'%s': %s", cases[i].cron, err.msg);
        memset(&tm, 0, sizeof(tm));
        assert_non_null(strptime(cases[i].when, "%Y-%m-%d %H:%M", &tm));
        timegm(&tm);    /* fills tm_wday */
        if (gw_cron_match(&c, &tm) != cases[i].match)
            fail_msg("'%s' at %s: %d, want %d", cases[i].cron, cases[i].when, !cases[i].match,
                     cases[i].match);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gw_cron c;
        struct edi_err err;

        edi_err_clear(&err);
        if (gw_cron_parse(&c, bad[i], &err) != EDI_ESYNTAX)
            fail_msg("'%s' was taken as a schedule", bad[i]);
        assert_true(err.msg[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_config_loads),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_load_opens_registries_and_names_file),
        cmocka_unit_test(test_not_a_workspace),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_api_erps),
        cmocka_unit_test(test_http_listener),
        cmocka_unit_test(test_log_format),
        cmocka_unit_test(test_erp_layout),
        cmocka_unit_test(test_no_doctype),
        cmocka_unit_test(test_cron),
        cmocka_unit_test(test_spapi_transport),
        cmocka_unit_test(test_sftp_transport),
        cmocka_unit_test(test_as2_transport),
        cmocka_unit_test(test_as2_listener),
    };

    return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
