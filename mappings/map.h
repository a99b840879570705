/*
 * map.h — the map engine: XSLT 1.0 maps (libxslt + EXSLT) between formats
 * (EDI-XML, SP-API JSON as W3C XML, ERP formats) and wharf's canonical
 * documents, run one transaction set at a time.
 *
 * map.c: the registry (names to files, partner overrides), compiling and
 * caching, the security policy, running and error capture.
 * map_ext.c: the urn:wharf:map extension functions.
 * map_codes.c: code lists and cross-reference tables.
 * map_json.c: JSON ⇄ the W3C XML representation of JSON (jansson).
 * map_model.c: JSON checked against Amazon's SP-API models (Swagger 2.0).
 * map_test.c: golden tests of maps.
 * Maps themselves live beside this file, under mappings/<group>/.
 */
#ifndef WHARF_MAP_H
#define WHARF_MAP_H

#include "edi/edi.h"
#include "edi/x12.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <time.h>

#define MAP_NS "urn:wharf:map"
#define MAP_JSON_NS "http://www.w3.org/2005/xpath-functions"

/* What a map reads and writes. */
enum map_format {
    MAP_XML = 0,   /* XML: canonical documents, ERP XML */
    MAP_X12,       /* EDI-XML of one transaction set (x12 text outside) */
    MAP_JSON,      /* the W3C XML representation of JSON (JSON outside) */
};

/* One map as the registry knows it. */
struct map_info {
    const char *name;          /* amazon-rp/850-to-order */
    const char *file;          /* absolute path of the stylesheet that runs */
    const char *base_file;     /* the base map, when file is a partner override */
    enum map_format in, out;
    const char *direction;     /* "in" or "out": which code-list entries apply */
    const char *schema;        /* output check: canonical XSD under schemas/ */
    const char *guide;         /* output check: X12 guide name */
    const char *model;         /* output check: SP-API model file#definition */
    const char *doc;           /* one line on what it does */
};

struct map_engine;

/* Where the SP-API models are when WHARF_MODELS is not set, instead of
 * the folder built in (an installed wharf's share/wharf/sp-api-models).
 * dir is borrowed for the life of the program; NULL restores the default. */
void map_set_models_dir(const char *dir);

/* mappings_dir: the folder holding registry.xml, codelists/, the maps and
 * partners/; schemas_dir: wharf's schemas (canonical XSDs, guides). */
int map_engine_new(struct map_engine **out, const char *mappings_dir, const char *schemas_dir,
                   struct edi_err *err);
void map_engine_free(struct map_engine *e);
/* A new engine like e: the same folders, workspace code lists, models and
 * limit, its own caches (an engine is used by one thread at a time; the
 * inbound flow's map workers each own one). */
int map_engine_new_like(struct map_engine **out, const struct map_engine *e, struct edi_err *err);
const char *map_engine_dir(const struct map_engine *e);
/* The X12 guide registry the engine reads and checks with (borrowed): one
 * per process is enough, so callers that need guides use this one. */
struct edi_guides *map_engine_guides(struct map_engine *e);

/* The workspace whose code lists (WORKSPACE/codelists/: the local layers
 * of enum map_codes_layer) come before the installed ones in every lookup;
 * NULL: none. */
void map_engine_set_workspace(struct map_engine *e, const char *workspace);

/* At most xpath_ops XPath steps in one run of a map (libxml2's operation
 * count), so a map that recurses without end in width (a template calling
 * itself twice) stops with an error instead of holding its thread; 0: no
 * limit (the gateway's own runs). The workbench of the HTTP API sets one. */
void map_engine_limit(struct map_engine *e, unsigned long xpath_ops);

/* A map by registered name (with the partner's override when one exists)
 * or by file path. The info is borrowed from the engine. */
int map_find(const struct map_info **out, struct map_engine *e, const char *name_or_file,
             const char *partner, struct edi_err *err);
/* 1 when the stylesheet file m runs holds exactly text[0..n), byte for
 * byte; 0 when it differs or does not read. Read once per engine, file
 * and text (the answer is kept, as the compiled stylesheet is): for a
 * caller that has a faster twin of one stock map and must know that this
 * map is still that map (gateway/docs/orderjson.c). */
int map_file_is(struct map_engine *e, const struct map_info *m, const void *text, size_t n);
/* Every registered map, in registry order. */
size_t map_list(const struct map_info **out, size_t max, struct map_engine *e);

struct map_param {
    const char *name;
    const char *value;
};

/* Per-run inputs. */
struct map_run_opts {
    const char *partner;                 /* code lists and wharf:param() scope */
    const struct map_param *params;      /* wharf:param(name), and xsl:param */
    size_t nparams;
    time_t now;                          /* wharf:now() */
    /* wharf:sequence(name): numbers from the caller (the store, later);
     * NULL: counters from 1 in this run */
    int (*sequence)(void *ctx, const char *name, uint64_t *out);
    void *seq_ctx;
    /* not NULL: libxslt's profile of the run (each template's calls and
     * time) is written here (`wharf map run --profile`) */
    FILE *profile;
};

/* Runs a map on one document. *out gets the result document (the caller's).
 * Problems of the input (strict code-list misses, xsl:message
 * terminate="yes") go to findings with the map file and line and give
 * EDI_ESYNTAX; a map that does not compile gives EDI_ECONFIG with its file
 * and line in err. */
int map_run(xmlDocPtr *out, struct map_engine *e, const struct map_info *m, xmlDocPtr in,
            const struct map_run_opts *o, struct edi_findings *findings, struct edi_err *err);

/* Compiles a map and lints it: warnings (XPath number arithmetic on money,
 * unknown wharf: functions) go to findings. */
int map_check(struct map_engine *e, const struct map_info *m, struct edi_findings *findings,
              struct edi_err *err);

/* A map's input from a file's bytes, by what they hold: X12 (one EDI-XML
 * document per transaction set), JSON (its W3C XML representation) or XML.
 * *docs and each document are the caller's. */
int map_read_input(xmlDocPtr **docs, size_t *ndocs, struct map_engine *e, const char *data,
                   size_t n, struct edi_err *err);
/* What a result document is: EDI-XML (<transaction> or <x12>), JSON (the
 * W3C representation) or other XML. */
enum map_format map_doc_format(xmlDocPtr doc);
/* A result as text: X12 (ST..SE), JSON, or XML (also when as_xml). X12
 * rendering fills SE01 and ST02 in doc. */
int map_render(struct edi_buf *out, xmlDocPtr doc, int as_xml, struct edi_err *err);
/* Checks a document against an XSD under the schemas folder
 * ("canonical/invoice.xsd"); each violation is a finding "schema"
 * ("line 6: ..."). EDI_ECONFIG when the schema does not read. */
int map_check_schema(struct map_engine *e, const char *schema, xmlDocPtr doc,
                     struct edi_findings *findings, struct edi_err *err);
/* Checks a result against what the registry names for the map: its
 * canonical XSD (schema=), its X12 guide (guide=, or the one the
 * <transaction> names) and, for JSON, its SP-API model (model=, see
 * map_model_check). Problems go to findings. X12 is checked as a copy of
 * doc written into an envelope of its own (WHARF to CHECK, control 1). */
int map_check_output(struct map_engine *e, const struct map_info *m, xmlDocPtr doc,
                     struct edi_findings *findings, struct edi_err *err);
/* The same check for X12 the caller has already written and enveloped: the
 * guide checks ichg, the exact interchange that will be sent (doc, as it
 * was serialized, still gives the guide's name and the schema check). */
int map_check_sent(struct map_engine *e, const struct map_info *m, xmlDocPtr doc,
                   struct edi_str ichg, struct edi_findings *findings, struct edi_err *err);

/* ---- a map on a file's bytes (`wharf map run`) ---------------------------- */

/* How far map_run_bytes took one input document. */
enum map_step {
    MAP_STEP_RUN,      /* map_run failed: EDI_ESYNTAX, the findings say why; else err */
    MAP_STEP_RENDER,   /* map_render failed (err) */
    MAP_STEP_CHECK,    /* rendered; map_check_output gave rc (findings, err) */
};

struct map_outcome {
    size_t index;                          /* the input document, from 0 */
    enum map_step step;
    int rc;                                /* that step's return */
    const struct edi_buf *text;            /* MAP_STEP_CHECK: the result as text */
    const struct edi_findings *findings;   /* the run's, then the check's */
    const struct edi_err *err;
};

/* A map on a file's bytes, for callers that hold no trees: each document
 * of data (map_read_input) run through m (map_run, findings reset for
 * each), rendered (map_render, XML when as_xml) and checked
 * (map_check_output); cb hears of each document once, where it stopped or
 * after the check. A run that fails other than EDI_ESYNTAX stops the rest
 * and is returned (after cb); so is a failure of map_read_input (before
 * any cb). */
int map_run_bytes(struct map_engine *e, const struct map_info *m, const char *data, size_t n,
                  const struct map_run_opts *o, int as_xml, struct edi_findings *findings,
                  void (*cb)(void *ctx, const struct map_outcome *r), void *ctx, struct edi_err *err);

/* ---- JSON (map_json.c) ---------------------------------------------------- */

/* JSON text to its W3C XML representation (fn:map, fn:array, fn:string,
 * fn:number, fn:boolean, fn:null with key=). Numbers keep their text. */
int map_json_to_xml(xmlDocPtr *out, const char *json, size_t n, struct edi_err *err);
/* The W3C XML representation back to JSON text (2-space indent when
 * pretty). */
int map_xml_to_json(struct edi_buf *out, xmlDocPtr doc, int pretty, struct edi_err *err);
/* 1 when s[0..n) is a JSON number, by its grammar
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and under 400 bytes: what
 * map_xml_to_json writes as a number (<number>), as its text. */
int map_json_number_text(const char *s, size_t n);

/* ---- SP-API models (map_model.c) ----------------------------------------------- */

/* Checks JSON text against a definition of an SP-API model: model_ref is
 * "FILE#/definitions/NAME", FILE a Swagger 2.0 file in models_dir (read once
 * and cached until the engine is freed). Each violation is a finding
 * "output-model" with the value's path: "$.acknowledgements[0].items[1]
 * .acknowledgedQuantity.amount: required property missing (model
 * vendorOrders.json#/definitions/ItemQuantity)"; out may be NULL. When
 * models_dir does not exist, one warning finding "output-model-unavailable"
 * and 0. EDI_ECONFIG: a bad model_ref, a missing or broken model file or
 * definition, a $ref the checker cannot follow; EDI_ESYNTAX: json is not
 * JSON; EDI_ELIMIT: json nested too deep. */
int map_model_check(struct edi_findings *out, const char *models_dir, const char *model_ref,
                    const char *json, size_t n, struct edi_err *err);

/* ---- code lists (map_codes.c) ------------------------------------------- */

struct map_codes;

/* The files of a list, in the order a lookup looks at them, entry by
 * entry: the local folder's (a workspace's own cross-references) for the
 * partner, then for everyone, then the installed partner's, then the
 * installed base. */
enum map_codes_layer {
    MAP_CODES_LOCAL_PARTNER = 0,   /* LOCAL/codelists/partners/P/NAME.xml */
    MAP_CODES_LOCAL = 1,           /* LOCAL/codelists/NAME.xml */
    MAP_CODES_PARTNER = 2,         /* MAPPINGS/partners/P/codelists/NAME.xml */
    MAP_CODES_BASE = 3,            /* MAPPINGS/codelists/NAME.xml */
};

/* One entry of a list file, as the file has it. */
struct map_code_entry {
    const char *from, *to;
    const char *direction;         /* "in", "out" or "both" */
};

int map_codes_new(struct map_codes **out, const char *mappings_dir);
void map_codes_free(struct map_codes *c);
/* Adds (or, NULL, removes) the local layers: the code lists under
 * local_dir/codelists/ (a workspace), read one path component at a time,
 * never through a symbolic link and only from regular files. Forgets the
 * lists read so far. */
void map_codes_set_local_dir(struct map_codes *c, const char *local_dir);
/* The local folder (borrowed), or NULL. */
const char *map_codes_local_dir(const struct map_codes *c);
/* Looks value up in list for partner (NULL: no partner layers) and
 * direction ("in", "out"), through the layers in order. Returns the mapped
 * value, or NULL when unmapped: borrowed, the very string of the entry
 * that answered as map_codes_entries gives it (so a caller can tell which
 * entry a lookup reaches).
 * EDI_ENOTFOUND in *rc when no layer has the list, EDI_ECONFIG when a
 * layer's file is broken, a symbolic link or not a regular file (err says
 * which); the files of every layer are read before any answer. */
const char *map_codes_lookup(struct map_codes *c, const char *list, const char *partner,
                             const char *direction, const char *value, int *rc,
                             struct edi_err *err);
/* The path of a layer's file of list (partner for the partner layers).
 * EDI_ESYNTAX: a name map_codes_check_name refuses; EDI_ENOTFOUND: a local
 * layer and no local folder. */
int map_codes_path(char *out, size_t cap, const struct map_codes *c, enum map_codes_layer layer,
                   const char *partner, const char *list, struct edi_err *err);
/* The entries of a layer's file of list, in file order (borrowed from c,
 * until the file is edited through c or c is freed). EDI_ENOTFOUND when
 * the layer has no such file; else map_codes_lookup's codes. */
int map_codes_entries(const struct map_code_entry **out, size_t *n, struct map_codes *c,
                      enum map_codes_layer layer, const char *partner, const char *list,
                      struct edi_err *err);

/* A list file that exists in a layer. */
struct map_code_file {
    char *list;
    char *partner;                 /* the partner layers' partner, else NULL */
    enum map_codes_layer layer;
};

/* Every list file of every layer (names a lookup can reach only), sorted
 * by list, then base before partners, then layer. *out is the caller's
 * (map_code_files_free). EDI_ECONFIG when a local folder is a link or
 * cannot be read. */
int map_codes_files(struct map_code_file **out, size_t *n, struct map_codes *c,
                    struct edi_err *err);
void map_code_files_free(struct map_code_file *v, size_t n);

/* 0 when s can name a list or a partner: 1 to 100 of A-Z a-z 0-9 . _ -,
 * not starting with a dot, no "..". Else EDI_ESYNTAX, err naming it as
 * what ("code-list name"). */
int map_codes_check_name(const char *what, const char *s, struct edi_err *err);
/* 0 when s can be an entry's value: 1 to 1024 bytes of UTF-8 with no
 * control character (C0, DEL, C1). Else EDI_ESYNTAX. */
int map_codes_check_value(const char *what, const char *s, struct edi_err *err);

/* A change to the local file of a list. */
struct map_codes_change {
    const char *list;
    const char *partner;           /* the partner's file; NULL: everyone's */
    const char *from;
    const char *to;                /* the new value; NULL: delete */
    /* set: the entry replaced has the same from and this direction ("in",
     * "out"; NULL: "both"); delete: only entries of it (NULL: every entry
     * with from) */
    const char *direction;
    const char *header;            /* a new file's leading comment, or NULL */
};

struct map_codes_edited {
    size_t matched;                /* entries replaced (set) or deleted */
    size_t left;                   /* entries in the file after */
    char *was;                     /* set: the first replaced entry's to (the caller's), or NULL */
};

/* Applies ch to the local file of its list, keeping the file's other
 * entries, comments and layout (a new entry goes on a line of its own
 * after the last one), and appends the file's new text to text: nothing
 * when no entry is left (the caller removes the file). Writing the file is
 * the caller's, then nothing read of that file through c is stale.
 * EDI_ESYNTAX: a name, value or direction refused; EDI_ENOTFOUND: delete
 * found no such entry in the local file; EDI_ECONFIG: no local folder, or
 * its file is broken, a link or not regular (a person repairs it). */
int map_codes_edit(struct edi_buf *text, struct map_codes_edited *res, struct map_codes *c,
                   const struct map_codes_change *ch, struct edi_err *err);

/* ---- decimals (map_ext.c) ------------------------------------------------ */

/* Exact decimal arithmetic on strings ("12.50", "-3", "0.125"): results are
 * decimal strings in out. op: '+', '-', '*'. Returns 0 or EDI_ESYNTAX when
 * an operand is not a decimal. */
int map_dec_op(char *out, size_t cap, const char *a, char op, const char *b);
/* a + 0 without big numbers (wharf:dec(), on every quantity and price of
 * every order): the same result and errors as map_dec_op(out, cap, a, '+',
 * "0"). */
int map_dec_norm(char *out, size_t cap, const char *a);
/* Rounds to places decimals, half away from zero (mode "half-up") or half
 * to even ("half-even"). */
int map_dec_round(char *out, size_t cap, const char *a, int places, const char *mode);
/* -1, 0, 1; EDI_ESYNTAX (as *rc) when not decimals. */
int map_dec_cmp(const char *a, const char *b, int *rc);

/* ---- golden tests (map_test.c) ------------------------------------------- */

struct map_test_stats {
    unsigned passed, failed;
};

/* One golden case of a map (its NAME.tests/ folder beside the map file):
 * the case's name and the paths of its files, from the folder's listing
 * (never from a caller's string). expected and params are NULL when the
 * case has none. */
struct map_sample {
    char *name;                /* CASE */
    char *input;               /* .../CASE.input.EXT */
    char *expected;            /* .../CASE.expected.EXT, or NULL */
    char *params;              /* .../CASE.params, or NULL */
    char *partner;             /* a case under partners/P/: P (partner= of params wins) */
};

/* The cases of m (the folder of its base map when m is a partner's
 * override), sorted by name; none when it has no folder. *out is the
 * caller's (map_samples_free). EDI_ELIMIT when a path is too long. */
int map_samples(struct map_sample **out, size_t *n, const struct map_info *m, struct edi_err *err);
void map_samples_free(struct map_sample *v, size_t n);

/* Runs a case as `wharf map test` does (the clock at 2025-01-01T00:00:00Z,
 * the case's params and partner= from its .params): every document of
 * the input rendered into actual, then the findings as "error: MSG [CODE]"
 * lines; *ext is what its expected file's extension must be ("edi",
 * "json", "xml", or "txt" when the map refused the input). input: these
 * bytes instead of the case's own input file (NULL: the file). m: the map
 * the case belongs to; a partner= of the case picks the partner's
 * override. findings: also gets the run's findings (the caller's,
 * initialised; NULL: none kept). Returns map_read_input's or map_run's
 * failure other than a refusal (EDI_ESYNTAX is a refusal, in actual). */
int map_sample_run(struct edi_buf *actual, const char **ext, struct map_engine *e, const struct map_info *m,
                   const struct map_sample *c, const char *input, size_t ninput, struct edi_findings *findings,
                   struct edi_err *err);

/* A unified diff (as `diff -u` writes it, three lines of context) from a
 * to b, labelled label_a and label_b, appended to out: 1 when they differ,
 * 0 (nothing appended) when they are the same. max_lines: the output is
 * cut after that many lines with a line saying so (0: no cut). LIMIT:
 * past 2 Mi cells of the LCS table, the lines between the common head and
 * tail are shown as all removed then all added. */
int map_diff(struct edi_buf *out, const char *a, size_t na, const char *b, size_t nb, const char *label_a,
             const char *label_b, size_t max_lines);

/* The code lists a map can look up: the names of list files (map_codes_files)
 * quoted in the map or the stylesheets it imports or includes (a
 * wharf:lookup('uom', ...) or a variable holding 'uom'), in name order.
 * *out is the caller's (each string and the array). EDI_ECONFIG: the map
 * does not compile. */
int map_lists_used(char ***out, size_t *n, struct map_engine *e, const struct map_info *m, struct edi_err *err);
/* The engine's code lists (borrowed). */
struct map_codes *map_engine_codes(struct map_engine *e);

/* Runs every test case under dir (default: the mappings folder): for each
 * map folder <map>.tests/ beside a map, NAME.input.EXT against
 * NAME.expected.EXT. Prints a line per case and a unified diff for each
 * mismatch to out. update: rewrite the expectations instead. */
int map_test_dir(struct map_test_stats *st, struct map_engine *e, const char *dir, int update,
                 FILE *out, struct edi_err *err);

#endif
