/*
 * cli.c — the wharf entry point: dispatch to subcommands, `wharf help`, and
 * the small services every command uses (clock, schemas folder, errors).
 * The subcommands live in cli_*.c.
 */
#include "cli.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef WHARF_SCHEMAS
#define WHARF_SCHEMAS "/usr/share/wharf/schemas"
#endif
#define WHARF_VERSION "0.1.0"

void gw_errorf(const char *fmt, ...)
{
    va_list ap;
    struct edi_buf line;

    edi_buf_init(&line, 0);
    edi_buf_puts(&line, "wharf: ");
    /* one line, whatever the message carries from outside */
    va_start(ap, fmt);
    edi_escape_vline(&line, fmt, ap);
    va_end(ap);
    fwrite(line.p, 1, line.n, stderr);
    edi_buf_dispose(&line);
}

time_t gw_now(void)
{
    const char *v = getenv("WHARF_NOW");
    struct tm tm;
    char *end;

    if (v == NULL || *v == '\0')
        return time(NULL);
    memset(&tm, 0, sizeof(tm));
    end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || (*end != '\0' && strcmp(end, "Z") != 0)) {
        gw_errorf("WHARF_NOW '%s' is not a UTC time like 2025-01-01T00:00:00Z", v);
        exit(GW_EXIT_USAGE);
    }
    return timegm(&tm);
}

const char *gw_schemas_dir(void)
{
    const char *v = getenv("WHARF_SCHEMAS");

    return v && *v ? v : WHARF_SCHEMAS;
}

const char *gw_workspace(const char *opt)
{
    const char *v;

    if (opt && *opt)
        return opt;
    v = getenv("WHARF_WORKSPACE");
    return v && *v ? v : ".";
}

struct topic {
    const char *name;
    const char *text;
};

static const struct topic topics[] = {
    {"", "wharf " WHARF_VERSION " — an EDI and Amazon Vendor Central gateway\n"
         "\n"
         "usage: wharf COMMAND [ARGS]\n"
         "\n"
         "X12 documents:\n"
         "  edi parse FILE                      the segment tree with positions\n"
         "  edi validate [--json] [--guide G] FILE\n"
         "                                      check envelopes and every set against its guide\n"
         "  edi ack [--type 997|999|TA1] FILE   the acknowledgment FILE deserves, on stdout\n"
         "  edi to-xml FILE                     EDI to EDI-XML (segments, elements, loops)\n"
         "  edi from-xml FILE                   EDI-XML back to EDI\n"
         "\n"
         "Maps (XSLT, between formats and canonical documents):\n"
         "  map run NAME|FILE INPUT [--partner P] [--param k=v]... [--xml]\n"
         "                                      run one map; X12, JSON or XML in\n"
         "  map test [DIR] [--update]           golden tests of maps, with diffs\n"
         "  map check NAME|FILE...              compile and lint maps\n"
         "  map list                            the registered maps\n"
         "\n"
         "The gateway (-w DIR: the workspace; default WHARF_WORKSPACE or .):\n"
         "  init [DIR]                          create a workspace: wharf.xml, store, spool folders\n"
         "  run --once [-w DIR]                 one pass: inbound, acks, orders, outbox, due jobs\n"
         "  serve [-w DIR]                      the daemon (SIGTERM stops, SIGHUP reloads)\n"
         "  runs list [-w DIR] [--json]         the runs of scheduled jobs, newest first\n"
         "  status [-w DIR] [--json]            counts, outbox backlog, rejections, last errors\n"
         "  documents [--kind K] [--state S] [--about ID|REF] [--json]\n"
         "                                      documents newest first; what partners said (997, 864)\n"
         "  orders list [--json] [--state S] [--partner P]\n"
         "  orders show PO [--json]             an order with its lines and history\n"
         "  orders approve PO [--line N --accept Q --backorder Q --reject Q ...]\n"
         "  orders reject PO [--reason R | --code NN]\n"
         "  ack run [-w DIR]                    queue the 855s of decided orders\n"
         "  ship FILE [-w DIR]                  a packing list (CSV or JSON) to 856 ship notices\n"
         "  ship --floor-denial PO              DF: the PO cannot ship (BSN06 72, BSN07 REJ)\n"
         "  labels SHIPMENT_ID [--zpl]          carton labels (SSCC, ship-from, ship-to, n of m)\n"
         "  shipments list|show [ID] [--json]   ship notices and their versions\n"
         "  invoice run [--partner P]           invoice what shipped and is not billed yet (810s)\n"
         "  invoice submit FILE                 an invoice the ERP made (canonical XML), matched\n"
         "  invoices list [--state S] [--json]  invoices: held, queued, sent, accepted, rejected, paid\n"
         "  invoices show|paid NUMBER           one invoice with its history; mark it paid\n"
         "  purge --before DATE [--dry-run]     remove consumers' personal data from closed DF orders\n"
         "\n"
         "  help [COMMAND]                      this text, or a command's\n"
         "  help charset                        character sets in and out (Latin-1, transliteration)\n"
         "\n"
         "FILE may be - for standard input. Exit status: 0 done, 1 input rejected\n"
         "(findings printed), 2 usage, configuration or I/O error, 70 internal error.\n"
         "Environment: WHARF_SCHEMAS (guides folder), WHARF_MAPPINGS (maps folder),\n"
         "WHARF_WORKSPACE (the workspace when -w DIR is not given; default: the\n"
         "current folder), WHARF_NOW (clock, for repeatable output),\n"
         "WHARF_CONTROL_START (first control number of acks).\n"},
    {"init", "usage: wharf init [DIR]\n"
             "\n"
             "Creates a workspace in DIR (default: WHARF_WORKSPACE, else the current\n"
             "folder; DIR may exist and hold other files): DIR/wharf.xml, the store\n"
             "DIR/wharf.db, per partner DIR/partners/ID/{inbound,outbound,archive,quarantine},\n"
             "DIR/erp/{in,out} and DIR/log. The configuration has two sample Amazon\n"
             "partners, amazon-rp (ZZ/AMAZON, orders wait for approval) and amazon-df\n"
             "(ZZ/AMAZONDS, acknowledged automatically), for a vendor ZZ/ACMEVENDOR with\n"
             "vendor code ACME1 and one warehouse NJ1; edit it to match your Amazon\n"
             "setup. Its format is schemas/config.xsd (every element documented); wharf\n"
             "checks the file against it on every start and names file and line of any\n"
             "problem. Refuses (exit 2) when DIR/wharf.xml exists.\n"
             "Commands that work on a workspace take -w DIR.\n"},
    {"charset", "Character sets (a partner's <x12> in wharf.xml)\n"
                "\n"
                "inbound-charset=\"utf-8 iso-8859-1\" (default): values are UTF-8, and a value\n"
                "that is not UTF-8 is read as ISO-8859-1, so a Latin-1 name is kept. \"utf-8\":\n"
                "anything else is refused; \"iso-8859-1\": always Latin-1. A value that cannot\n"
                "be decoded (a C1 control byte, or Latin-1 under utf-8) rejects its set with\n"
                "a finding naming the element (997 AK4 code 6); it is never kept empty.\n"
                "`wharf edi to-xml` writes such a value decoded, marked charset=\"iso-8859-1\",\n"
                "and `from-xml` gives back the same bytes.\n"
                "\n"
                "outbound-charset=\"transliterate\" (default): what is sent carries the X12\n"
                "basic and extended character set only (printable ASCII), as Amazon\n"
                "requires: other letters are spelled without their marks (ENTREPÔT MÜLLER\n"
                "goes out as ENTREPOT MULLER, STRAßE as STRASSE); a character with no ASCII\n"
                "spelling refuses the document with a finding naming the element, and\n"
                "nothing is queued. \"refuse\": ASCII only; the wharf.xml values the\n"
                "partner's documents carry are checked at load, naming the line. What goes\n"
                "to the ERP stays UTF-8.\n"},
    {"run", "usage: wharf run --once [-w DIR]\n"
            "\n"
            "One pass of the gateway, then exit (for cron or systemd timers): every\n"
            "partner's inbound/ folder is read (each file claimed by rename, kept in the\n"
            "store, validated against the partner's guides, acknowledged with a 997/999\n"
            "queued in the outbox, each accepted 850 mapped into a sales order), files\n"
            "go to archive/ or quarantine/ (with a .reason), the outbox is written to\n"
            "outbound/, and new or changed orders to erp/out/ as JSON and CSV. The\n"
            "acknowledgment run follows, then the packing lists in erp/in/ are shipped\n"
            "(`wharf help ship`). Every scheduled job that is due (see `wharf\n"
            "help serve`) runs too and is recorded (`wharf runs list`), so a timer that\n"
            "calls run --once every few minutes keeps the schedules.\n"
            "Exit 0 done, 2 configuration error, 75 a temporary failure (retry).\n"},
    {"serve", "usage: wharf serve [-w DIR]\n"
              "\n"
              "The daemon: each minute it runs every partner job that is due by its\n"
              "<schedule job=\"..\" cron=\"..\"/> in wharf.xml (poll: the inbound folder;\n"
              "ack-run: the acknowledgment run; invoice-run: the partner's invoice run;\n"
              "inventory-run: not built yet), packing lists dropped in erp/in/, then\n"
              "writes the outbox, logging what happens to stderr. Cron minutes\n"
              "are UTC. A job runs once per due minute, never twice and never two at\n"
              "once; minutes missed while the daemon was down run once, at start (the\n"
              "latest of them); a job that never ran looks back one day. Each run is\n"
              "recorded: `wharf runs list`. A job without a schedule runs only by hand.\n"
              "WHARF_POLL_SECONDS=N: also every N seconds a pass like `wharf run --once`\n"
              "(every inbound folder and the ack run, due or not).\n"
              "SIGTERM finishes the current file and exits; SIGHUP reloads wharf.xml (a\n"
              "config that does not load is refused and the running one stays).\n"},
    {"runs", "usage: wharf runs list [-w DIR] [--json] [--limit N] [--state S]\n"
             "\n"
             "The runs of scheduled jobs (by `wharf serve` or `wharf run --once`), newest\n"
             "first, at most N (default 100, 0: all): when each started and ended, the\n"
             "partner, the job, the cron minute it was due for (UTC), its state\n"
             "(running, done, failed), what it did (files=1 sets=1 ... / acks=1 sent=1)\n"
             "and its error. --json: an array of {id, partner, job, due, started, ended,\n"
             "state, counts, error}, times in Unix seconds (ended null while running).\n"
             "--state S shows the runs in that state only. A job run by hand (`wharf ack\n"
             "run`) that fails is recorded too, as partner * (every partner).\n"
             "An unknown --state (or --kind, in the other listings) exits 2 naming\n"
             "the valid values.\n"},
    {"status", "usage: wharf status [-w DIR] [--json]\n"
               "\n"
               "Counts of orders, documents and invoices by state, the outbox backlog, the\n"
               "invoices the three-way match holds (with the first reason), the documents\n"
               "we sent that partners rejected (with what their 997 or 999 said), how\n"
               "many 864 text messages came, and the last errors (rejected documents,\n"
               "outbox failures, failed runs). --json adds\n"
               "\"held_invoices\": [...] and \"readback\": {\"rejected\": [...],\n"
               "\"messages_864\": N}.\n"
               "Warns (\"warnings\": [...] in --json) about the workspace, wharf.xml, the\n"
               "store and the spool, ERP and log folders when group or others have any\n"
               "permission bit: they hold consumers' personal data (`wharf help purge`).\n"},
    {"purge", "usage: wharf purge --before DATE [-w DIR] [--dry-run]\n"
              "\n"
              "Removes the personal data of DF orders that are closed (invoiced, closed,\n"
              "cancelled, or rejected with the 855 queued) and were last changed before\n"
              "DATE (YYYY-MM-DD, UTC): the consumer's ship-to (name, address, phone),\n"
              "the order's other parties and gift messages leave the stored order, the\n"
              "ship-to its ship notices; the inbound file of its 850 is emptied in the\n"
              "store (its checksum stays) unless it holds an order that stays; its copies\n"
              "in archive/ and quarantine/ (with their .reason) and the order's and its\n"
              "ship notices' erp/out/ files are deleted. PO number, lines, quantities,\n"
              "prices, dates, ship notices and invoices stay. Each order purged is\n"
              "printed and recorded in its history and the audit. --dry-run: print what\n"
              "would go, change nothing.\n"
              "\n"
              "Retention: <retention personal-data-days=\"N\"/> in wharf.xml makes `wharf\n"
              "serve` and `wharf run --once` purge what closed more than N days ago, once\n"
              "a UTC day at the end of a pass (`wharf runs list`: job purge).\n"
              "Exit 0 done, 2 usage or store error, 75 the store is busy.\n"},
    {"documents", "usage: wharf documents [-w DIR] [--json] [--kind K] [--state S] [--partner P]\n"
                  "                       [--limit N] [--about ID|REF]\n"
                  "\n"
                  "The documents in the store, newest first (at most N, default 100, 0: all):\n"
                  "id, when, partner, direction (in, outbound), kind (850, 855, 856, 810, 997,\n"
                  "999, 864 ...), ref (PO, shipment id, invoice number), state, our or the\n"
                  "partner's group and set control numbers (GS06/ST02), and the document it\n"
                  "is about. Under an 864: its text; under a 997/999: what it said about each\n"
                  "of our sets; under a document a partner rejected: why.\n"
                  "\n"
                  "A partner's 997 or 999 moves the 855, 856 or 810 it acknowledges (matched\n"
                  "by AK102 = our GS06 and AK202 = our ST02) to accepted or rejected; an 864\n"
                  "is kept with the document its REF (IV, SI, BM, PO) or MIT01 names.\n"
                  "\n"
                  "--about REF: each document with that ref (e.g. an invoice number or PO),\n"
                  "with every document about it; --about ID (or #ID): that document. Exit 1\n"
                  "when there is none. --json: an array of {id, partner, direction, kind,\n"
                  "ref, state, group_control, set_control, about, text, findings, why,\n"
                  "created, updated} (with --about, each with \"about_it\": [...]).\n"},
    {"ship", "usage: wharf ship FILE [-w DIR]\n"
             "       wharf ship --floor-denial PO [-w DIR]\n"
             "\n"
             "Ships a packing list: CSV, one row per item per carton, header naming the\n"
             "columns (required po_number,line_no,quantity,carton_id,warehouse,ship_date;\n"
             "optional sscc,tracking_number,carrier_scac,weight_kg,length_cm,width_cm,\n"
             "height_cm,pallet_id,bol,pro,shipment_id,lot,expiry), or JSON (an array of\n"
             "such rows, or a shipment {\"shipment_id\", \"warehouse\", ..., \"cartons\":\n"
             "[{\"carton_id\", ..., \"items\": [{\"po_number\", \"line_no\", \"quantity\"}]}]}).\n"
             "The same files dropped in DIR/erp/in/ ship on the next pass (to done/ or\n"
             "refused/ with a .reason).\n"
             "\n"
             "Rows make one ship notice per shipment_id, else per partner, warehouse,\n"
             "fulfilment centre and ship day (RP, id VENDOR-YYYYMMDD-NNNN) or per PO (DF,\n"
             "the Ship ID). Cartons without an SSCC get one: extension digit + the\n"
             "partner's GS1 prefix + a serial from the store + check digit. The\n"
             "warehouse's ship-from party comes from the partner's <ship-from>.\n"
             "\n"
             "Checked first, all or nothing: the warehouse is mapped; RP: the PO was\n"
             "acknowledged, no line ships more than accepted + backordered (earlier ASNs\n"
             "counted), one fulfilment centre per ASN, carrier and bill of lading given,\n"
             "at most 5 POs per carton, no SSCC used within 365 days, a shipment id\n"
             "sent again replaces its ASN (BSN01 05) only within 7 days and only with\n"
             "less; DF: every line in full in one confirmation, the PO's ship-from, a\n"
             "tracking number per package, none shared. Each refusal names the rule,\n"
             "the PO and the line; exit 1 and nothing is queued. Otherwise each 856 is\n"
             "mapped, checked against the partner's guide and queued, the orders move to\n"
             "partially-shipped or shipped, and erp/out/ gets the shipment (JSON, CSV).\n"
             "\n"
             "--floor-denial PO: a DF order that cannot ship at all; it becomes\n"
             "cancelled.\n"},
    {"labels", "usage: wharf labels SHIPMENT_ID [--zpl] [-w DIR]\n"
               "\n"
               "The carton labels of a ship notice, then its pallet labels, from the\n"
               "document the 856 was made from: SSCC (human-readable, (00) ...), ship-from,\n"
               "ship-to, PO numbers, carton (pallet) n of m, carrier, items (a pallet's\n"
               "carton count). --zpl: ZPL II for a 203 dpi 4x6 in thermal printer, one\n"
               "^XA..^XZ label each with the GS1-128 barcode of the SSCC. DF packages\n"
               "print their package id and tracking number. Exit 1 when there is no such\n"
               "shipment.\n"},
    {"shipments", "usage: wharf shipments list [-w DIR] [--json] [--state S] [--partner P]\n"
                  "       wharf shipments show SHIPMENT_ID [-w DIR] [--json]\n"
                  "\n"
                  "Ship notices, oldest first: partner, shipment id, version (a replacement\n"
                  "is the next version), state (queued, replaced, floor-denial), warehouse,\n"
                  "ship-to. show: the version in force with its canonical document.\n"},
    {"invoice", "usage: wharf invoice run [-w DIR] [--partner P]\n"
                "       wharf invoice submit FILE [-w DIR]\n"
                "\n"
                "run: held invoices are matched again (and queued when they now match);\n"
                "then every shipment in force whose goods no invoice bills yet is\n"
                "invoiced: RP one invoice per ASN and PO (<invoice per=\"asn-po\">), per ASN\n"
                "(per=\"asn\") or per PO once it shipped in full (per=\"po\"); DF one per\n"
                "order. Numbers are the partner's number-prefix + 6 digits from a sequence\n"
                "in the store, never reused. Quantities come from the shipments, prices from\n"
                "the PO, terms, remit-to, taxes, charges and allowances from the partner's\n"
                "<invoice>. The partner's invoice-run schedule runs it in the daemon.\n"
                "Running it again bills nothing twice.\n"
                "\n"
                "Replaced ship notices (`wharf ship` again with the same shipment_id): each\n"
                "PO line is billed what the version in force ships minus what was billed\n"
                "before, so the same goods are never billed twice. A replacement that ships\n"
                "what was billed makes no invoice; one that takes back goods already\n"
                "invoiced holds the next invoice of its PO (replaced-after-billing: the\n"
                "line, the invoice, how much too much) and bills nothing again: settle the\n"
                "difference with Amazon.\n"
                "\n"
                "The three-way match, in exact decimals, before anything leaves: unit cost =\n"
                "acknowledged cost = PO cost; invoiced = shipped quantity not billed yet;\n"
                "line amount = quantity x price; header tax = the line taxes; total = lines\n"
                "+ charges - allowances + tax; no zero total. The unit cost goes out as the\n"
                "PO sent it (up to 4 decimals); each line amount and each line tax is\n"
                "rounded half-up to the cent, per line; totals add the rounded amounts.\n"
                "A mismatch holds the invoice with a\n"
                "finding naming the PO, the line and both values (`wharf invoices list\n"
                "--state held`); otherwise the 810 is mapped, checked against the guide and\n"
                "queued, and erp/out/ gets the invoice (JSON, CSV).\n"
                "\n"
                "submit FILE: an invoice the ERP made, as a canonical <invoice>\n"
                "(schemas/canonical/invoice.xsd); it bills the shipments its references\n"
                "name, else every unbilled shipment of its POs, and is matched the same\n"
                "way. Refused (exit 1, nothing kept): goods billed already, a number used\n"
                "before, an unknown PO.\n"},
    {"invoices", "usage: wharf invoices list [-w DIR] [--json] [--state S] [--partner P]\n"
                 "       wharf invoices show NUMBER [-w DIR] [--json]\n"
                 "       wharf invoices paid NUMBER [-w DIR]\n"
                 "\n"
                 "list: number, POs, total, state (held, queued, sent, accepted, rejected,\n"
                 "paid) and, for held ones, why. show: one invoice with every state change.\n"
                 "An invoice follows its 810: sent when it leaves the outbox, accepted or\n"
                 "rejected by the partner's 997. paid: a remittance arrived (from sent or\n"
                 "accepted).\n"},
    {"orders", "usage: wharf orders list [-w DIR] [--json] [--state S] [--partner P]\n"
               "       wharf orders show PO [-w DIR] [--json] [--partner P]\n"
               "       wharf orders approve PO [--line N --accept Q --backorder Q --reject Q\n"
               "                                --reason R --ship-date D]... [--ship-date D]\n"
               "       wharf orders reject PO [--reason R | --code NN]\n"
               "\n"
               "list: the sales orders in the store (newest first); show: one with its lines\n"
               "and history, and what the ERP got to ship it (ship-to, ship method, dates,\n"
               "gift messages, packing slip; --json: \"details\"). A DF ship-to is the\n"
               "consumer's personal data. States: pending-approval, approved, acknowledged,\n"
               "partially-shipped, shipped, invoiced, closed, cancelled, rejected (another\n"
               "--state exits 2).\n"
               "\n"
               "approve: decide the acknowledgment. Lines not named are accepted in full; a\n"
               "named line splits its ordered quantity into accepted, backordered and\n"
               "rejected, each 0 or more in the PO's unit (a whole number for EA) (reasons:\n"
               "TemporarilyUnavailable, InvalidProductIdentifier, ObsoleteProduct, or\n"
               "temporarily-unavailable, invalid-product-identifier, obsolete-product). An RP\n"
               "backorder needs the date it will ship (--ship-date YYYY-MM-DD, on the line or\n"
               "for the order), else the partner's <acknowledge backorder-lead-days=\"N\"> gives\n"
               "today + N; with neither the decision is refused. reject: every line rejected\n"
               "(RP, --reason) or the whole order (DF, --code NN, default 03 out of stock;\n"
               "Amazon's codes 02 03 04 05 06 07 08 09 10 11 12 13 20 21 22 50 51 53 54 55 56\n"
               "71; no code on RP). Everything is checked when the decision is made:\n"
               "quantities, codes, reason words, real calendar dates, and Amazon's rules:\n"
               "every unit accepted, backordered or rejected and never more; no backorder\n"
               "where the PO forbids it; DF one status for the whole order; a rejected RP line\n"
               "never accepted later; after 48 hours only dates change. A decision that breaks\n"
               "one exits 1 naming the rule and the line, and nothing is kept. `wharf ack run`\n"
               "(or the next pass) queues the 855.\n"},
    {"ack", "usage: wharf ack run [-w DIR]\n"
            "\n"
            "The acknowledgment run: every decided, not yet acknowledged order is mapped\n"
            "to an 855 (the partner's order-ack-out map), checked against the partner's\n"
            "guide, enveloped with control numbers from the store and queued; the order\n"
            "becomes acknowledged and the outbox is sent. A second run sends nothing new.\n"
            "A decision the map or guide refuses stays pending and fails the run after\n"
            "the others went: exit 1, a failed run in `wharf runs list` and `wharf\n"
            "status`. Exit 75: try again (store busy); 70: a bug.\n"},
    {"map", "usage: wharf map run|test|check|list ...\n"
            "Run `wharf help map run` (or test, check) for one.\n"},
    {"map run", "usage: wharf map run NAME|FILE INPUT [--partner P] [--param k=v]... [--xml]\n"
                "\n"
                "Runs one map on INPUT (- for stdin): X12 (each transaction set in turn, as\n"
                "EDI-XML), JSON (as its W3C XML representation) or XML. NAME is a registered\n"
                "map (`wharf map list`), e.g. amazon-rp/850-to-order; with --partner P a\n"
                "partner override mappings/partners/P/NAME.xsl runs when it exists, and P's\n"
                "code lists apply. --param sets wharf:param() and xsl:param values.\n"
                "The output is written as X12, JSON or XML by what the map produced (--xml:\n"
                "always the XML) and checked against the map's schema or guide.\n"
                "Exit 0 done, 1 the map refused the input or the output has findings\n"
                "(on stderr, with map file and line), 2 usage or configuration error.\n"},
    {"map test", "usage: wharf map test [DIR] [--update]\n"
                 "\n"
                 "Runs every golden test under DIR (default: the mappings folder): beside\n"
                 "each map NAME.xsl, NAME.tests/CASE.input.EXT against CASE.expected.EXT\n"
                 "(.edi, .json, .xml; .txt for the findings of a refused input), with\n"
                 "optional CASE.params (name=value lines, partner=P). Prints a unified diff\n"
                 "for each mismatch and ends with \"N passed, N failed\"; exit 1 on any\n"
                 "failure. --update rewrites the expectations for review.\n"},
    {"map check", "usage: wharf map check NAME|FILE...\n"
                  "\n"
                  "Compiles each map and lints it: calls to wharf: functions that do not\n"
                  "exist, and money computed with XPath numbers (doubles) instead of\n"
                  "wharf:add/sub/mul/sum/round. Exit 1 when a map does not compile.\n"},
    {"edi", "usage: wharf edi parse|validate|ack|to-xml|from-xml ...\n"
            "Run `wharf help edi validate` (or parse, ack, to-xml, from-xml) for one.\n"},
    {"edi parse", "usage: wharf edi parse FILE\n"
                  "\n"
                  "Prints every segment, one a line: its number in the file, its byte offset,\n"
                  "its position in its transaction set, and the segment indented by envelope\n"
                  "level. Envelope problems go to stderr; exit 1 when there are any.\n"},
    {"edi validate", "usage: wharf edi validate [--json] [--guide G] FILE\n"
                     "\n"
                     "Checks envelopes (ISA/IEA, GS/GE, ST/SE control numbers and counts) and\n"
                     "every transaction set against a guide: segment order, usage, max use, loops,\n"
                     "element types, lengths, codes, dates, syntax rules, HL hierarchy.\n"
                     "\n"
                     "  --guide G   a guide by its path under the schemas folder without .xml:\n"
                     "              x12/004010/850 (base) or partners/amazon-rp/850. Without it,\n"
                     "              the base guide is chosen from GS08 and ST01.\n"
                     "  --json      {\"valid\":bool,\"findings\":[{\"code\",\"severity\",\"segment_id\",\n"
                     "              \"segment_position\",\"element_position\",\"component_position\",\n"
                     "              \"x12_segment_error\",\"x12_element_error\",\"message\",...}]}\n"
                     "\n"
                     "Exit 0 valid, 1 findings, 2 usage or I/O error.\n"},
    {"edi ack", "usage: wharf edi ack [--type 997|999|TA1] FILE\n"
                "\n"
                "Prints the acknowledgment FILE deserves: a 997 for 004010 groups, a 999 for\n"
                "005010 groups (AK2/IK3/IK4/IK5 with positions and codes), and a TA1 when the\n"
                "interchange itself is wrong (or ISA14 asks for one). --type forces 997 or 999\n"
                "for every group, or TA1 only. Exit 0 when everything was accepted, 1 when\n"
                "anything was rejected (the ack says what), 2 on usage or I/O errors.\n"},
    {"edi to-xml", "usage: wharf edi to-xml FILE\n"
                   "\n"
                   "Writes EDI-XML: <x12> with one <interchange>, <group>, <transaction> each,\n"
                   "one element per segment and element named by id (<BEG><BEG03>), components\n"
                   "as <REF04-01>, loops as <loop id=\"N1\">. `wharf edi from-xml` turns it back\n"
                   "into the same segments.\n"},
    {"edi from-xml", "usage: wharf edi from-xml FILE\n"
                     "\n"
                     "Writes the EDI for an EDI-XML document (see `wharf help edi to-xml`),\n"
                     "with the delimiters recorded in it.\n"},
};

int gw_help(const char *topic)
{
    size_t i;

    for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
        if (strcmp(topics[i].name, topic ? topic : "") == 0) {
            fputs(topics[i].text, stdout);
            return GW_EXIT_OK;
        }
    }
    gw_errorf("no help for '%s'; try `wharf help`", topic);
    return GW_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* The workspace holds consumers' names and addresses (the store keeps
     * every inbound file): whatever wharf creates is the owner's only,
     * folders 0700 and files 0600, whatever umask it was started with. */
    umask(077);
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
    if (strcmp(argv[1], "edi") == 0)
        return gw_cmd_edi(argc - 1, argv + 1);
    if (strcmp(argv[1], "map") == 0)
        return gw_cmd_map(argc - 1, argv + 1);
    {
        int rc = gw_cmd_gateway(argv[1], argc - 1, argv + 1);

        if (rc != -1)
            return rc;
    }
    if (strcmp(argv[1], "init") == 0)
        return gw_cmd_init(argc - 1, argv + 1);
    gw_errorf("unknown command '%s'; try `wharf help`", argv[1]);
    return GW_EXIT_USAGE;
}
