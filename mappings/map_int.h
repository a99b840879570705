/*
 * map_int.h — what the map engine's files share and nobody else sees.
 */
#ifndef WHARF_MAP_INT_H
#define WHARF_MAP_INT_H

#include "mappings/map.h"
#include "edi/guide.h"

#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/security.h>
#include <libxml/xmlschemas.h>

struct compiled {
    char *file;
    xsltStylesheetPtr ss;
};

/* map_file_is: whether file holds exactly the bytes at text */
struct same_file {
    char *file;
    const void *text;
    size_t n;
    int same;
};

struct schema {
    char *name;
    xmlSchemaPtr s;
};

struct map_engine {
    char *dir;
    char *schemas;
    char *models;                  /* SP-API model files: WHARF_MODELS */
    struct map_info *maps;         /* the registry */
    size_t nmaps;
    struct compiled *cache;
    size_t ncache, cache_cap;
    struct schema *xsd;
    size_t nxsd, xsd_cap;
    struct map_codes *codes;
    struct edi_guides *guides;
    xsltSecurityPrefsPtr sec;
    unsigned long op_limit;        /* XPath steps in one run; 0: none */
    struct same_file *same;        /* map_file_is's answers, per file */
    size_t nsame;
    struct edi_pool pool;
};

/* One run of one map: what the extension functions reach through the
 * transform context's _private. */
struct map_run {
    struct map_engine *e;
    const struct map_info *m;
    const struct map_run_opts *o;
    struct edi_findings *findings;
    int failed;
    xsltTransformContextPtr t;
    struct edi_buf *messages;      /* xsl:message text */
    char message_at[600];          /* where the first xsl:message stands */
    struct {
        char name[72];
        uint64_t value;
    } counters[32];
    size_t ncounters;
};

/* The wharf: functions, for every transform of the process: once, from
 * map.c's engine_once. */
void map_register_functions(void);
void map_where(char *buf, size_t cap, const struct map_engine *e, xmlNodePtr inst);
extern const char *const map_function_names[];
int map_gs1_check_digit(const char *digits);
/* Drops the SP-API models map_model_check() read and cached; the next
 * check reads them again. map_engine_free() calls it. */
void map_model_cache_free(void);

#endif
