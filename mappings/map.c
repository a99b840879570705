/*
 * map.c — the map engine (see map.h): the registry of named maps and
 * partner overrides, compiling and caching stylesheets under a security
 * policy (no writing files, no network, reading only under mappings/),
 * running a map with its parameters, and turning XSLT errors into findings
 * and errors with the map's file and line. Also reading a map's input and
 * rendering its output (X12, JSON or XML), and checking outputs against
 * the canonical XSDs, the X12 guides and the SP-API models.
 */
#include "mappings/map_int.h"

#include "edi/check.h"
#include "edi/envelope.h"
#include "edi/exml.h"

#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxslt/documents.h>
#include <libxslt/variables.h>
#include <libxslt/xsltutils.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Where Amazon's SP-API models are when WHARF_MODELS is not set: the
 * Makefile passes the checkout's shared/amazon/sp-api-models. */
#ifndef WHARF_MODELS
#define WHARF_MODELS ""
#endif

static const char *models_default = WHARF_MODELS;

void map_set_models_dir(const char *dir)
{
    models_default = dir && *dir ? dir : WHARF_MODELS;
}

/* ---- error capture ------------------------------------------------------------ */

/* libxml2 and libxslt report through printf-style callbacks, one message
 * in several calls: collect them. Engines run on several threads at once
 * (the HTTP API's handlers beside the daemon's flows): what is collected
 * is the thread's own. libxslt's generic error function is one for the
 * process (set once, in engine_once); libxml2's is per thread. */
static __thread struct edi_buf *capture;

static void on_generic(void *ctx, const char *fmt, ...)
{
    va_list ap;
    char tmp[1024];

    va_start(ap, fmt);
    if (capture == NULL) {
        /* not in a compile or run of this thread: where libxslt would say it */
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        return;
    }
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (capture->n < 4000)
        edi_buf_puts(capture, tmp);
}

static void capture_begin(struct edi_buf *b)
{
    edi_buf_init(b, 8192);
    capture = b;
    xmlSetGenericErrorFunc(NULL, on_generic);
}

static void capture_end(void)
{
    capture = NULL;
    xmlSetGenericErrorFunc(NULL, NULL);
}

/* The captured text on one line, trimmed. */
static const char *captured(struct edi_buf *b)
{
    size_t i;

    edi_buf_cstr(b);
    for (i = 0; i < b->n; i++)
        if (b->p[i] == '\n')
            b->p[i] = ' ';
    while (b->n && b->p[b->n - 1] == ' ')
        b->p[--b->n] = '\0';
    return b->p ? b->p : "";
}

/* ---- security ------------------------------------------------------------------------- */

/* The engine whose folder a stylesheet may read under: the one compiling
 * or running on this thread (compile and map_run set it). */
static __thread struct map_engine *policy_engine;

static int under(const char *dir, const char *path)
{
    char real[PATH_MAX], rdir[PATH_MAX];
    size_t n;

    if (realpath(path, real) == NULL || realpath(dir, rdir) == NULL)
        return 0;
    n = strlen(rdir);
    return strncmp(real, rdir, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int check_read(xsltSecurityPrefsPtr sec, xsltTransformContextPtr t, const char *value)
{
    const char *path = value;

    if (strncmp(path, "file://", 7) == 0)
        path += 7;
    if (strstr(value, "://") && strncmp(value, "file://", 7) != 0)
        return 0;
    return policy_engine && under(policy_engine->dir, path);
}

/* SPEC: DESIGN.md "XML is parsed with network access, DTDs and external
 * entities off, stylesheets included" — a map and every document libxslt
 * loads for it (xsl:import, xsl:include, document()) are read by the one
 * policy of edi_xml_guard: a DOCTYPE is refused before any entity in it is
 * declared, so a partner override map cannot read a file through an
 * external entity. libxslt's own loader would substitute entities. */
static xmlDocPtr read_guarded(const char *uri, xmlDictPtr dict, int options, int *doctype)
{
    xmlParserCtxtPtr pc;
    xmlDocPtr doc;
    int opts;

    *doctype = 0;
    if ((pc = xmlNewParserCtxt()) == NULL)
        return NULL;
    if (dict) {
        if (pc->dict)
            xmlDictFree(pc->dict);
        pc->dict = dict;
        xmlDictReference(dict);
    }
    opts = edi_xml_guard(pc, options | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    doc = xmlCtxtReadFile(pc, uri, NULL, opts);
    if (edi_xml_guard_tripped(pc) || (doc && !pc->wellFormed)) {
        *doctype = edi_xml_guard_tripped(pc);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(pc);
    return doc;
}

static xmlDocPtr policy_loader(const xmlChar *uri, xmlDictPtr dict, int options, void *ctxt,
                               xsltLoadType type)
{
    int doctype;
    xmlDocPtr doc;

    doc = read_guarded((const char *)uri, dict, options, &doctype);
    if (doctype && type == XSLT_LOAD_DOCUMENT && ctxt) {
        /* document(): the map needs what it reads; stop rather than go on
         * with an empty node-set */
        xsltTransformContextPtr t = ctxt;
        struct map_run *r = t->_private;
        const char *base = strrchr((const char *)uri, '/');

        if (r && r->messages) {
            if (r->message_at[0] == '\0' && t->inst)
                map_where(r->message_at, sizeof(r->message_at), r->e, t->inst);
            edi_buf_printf(r->messages, "document('%s'): a DOCTYPE is not allowed in a document "
                                        "a map reads (no DTDs, no entities)",
                           base ? base + 1 : (const char *)uri);
        }
        t->state = XSLT_STATE_STOPPED;
    } else if (doctype) {
        xsltGenericError(xsltGenericErrorContext,
                         "%s: a DOCTYPE is not allowed in a map or a document it reads\n",
                         (const char *)uri);
    }
    return doc;
}

/* ---- engine ----------------------------------------------------------------------------- */

static enum map_format format_of(const char *s)
{
    if (s && strcmp(s, "x12") == 0)
        return MAP_X12;
    if (s && strcmp(s, "json") == 0)
        return MAP_JSON;
    return MAP_XML;
}

static char *pattr(struct edi_pool *pl, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    char *r;

    if (v == NULL)
        return NULL;
    r = edi_pool_strdup(pl, (const char *)v);
    xmlFree(v);
    return r;
}

static int load_registry(struct map_engine *e, struct edi_err *err)
{
    char path[4096];
    xmlDocPtr doc;
    xmlNodePtr root, n;
    size_t k = 0;

    if (edi_fmt(path, sizeof(path), err, "%s/registry.xml", e->dir) < 0)
        return EDI_ECONFIG;
    if (edi_xml_read_file(&doc, path, err) < 0) {
        if (err)
            err->rc = EDI_ECONFIG;
        return EDI_ECONFIG;
    }
    root = xmlDocGetRootElement(doc);
    for (n = root ? root->children : NULL; n; n = n->next)
        k += n->type == XML_ELEMENT_NODE;
    e->maps = edi_pool_alloc(&e->pool, (k + 1) * sizeof(*e->maps));
    for (n = root ? root->children : NULL; n; n = n->next) {
        struct map_info *m;
        char *file, full[4096];
        xmlChar *in, *out;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, "map") != 0) {
            edi_fail(err, EDI_ECONFIG, "%s:%ld: expected <map>, found <%s>", path, xmlGetLineNo(n),
                     (const char *)n->name);
            xmlFreeDoc(doc);
            return EDI_ECONFIG;
        }
        m = &e->maps[e->nmaps];
        m->name = pattr(&e->pool, n, "name");
        file = pattr(&e->pool, n, "file");
        if (m->name == NULL || file == NULL) {
            edi_fail(err, EDI_ECONFIG, "%s:%ld: a <map> needs name= and file=", path, xmlGetLineNo(n));
            xmlFreeDoc(doc);
            return EDI_ECONFIG;
        }
        if (edi_fmt(full, sizeof(full), err, "%s/%s", e->dir, file) < 0) {
            xmlFreeDoc(doc);
            return EDI_ECONFIG;
        }
        m->file = edi_pool_strdup(&e->pool, full);
        in = xmlGetProp(n, BAD_CAST "in");
        out = xmlGetProp(n, BAD_CAST "out");
        m->in = format_of((const char *)in);
        m->out = format_of((const char *)out);
        xmlFree(in);
        xmlFree(out);
        m->direction = pattr(&e->pool, n, "direction");
        if (m->direction == NULL)
            m->direction = m->in == MAP_XML ? "out" : "in";
        m->schema = pattr(&e->pool, n, "schema");
        m->guide = pattr(&e->pool, n, "guide");
        m->model = pattr(&e->pool, n, "model");
        m->doc = pattr(&e->pool, n, "doc");
        e->nmaps++;
    }
    xmlFreeDoc(doc);
    return 0;
}

/* What libxslt holds for the whole process, set up once and never freed:
 * an engine freed on one thread must not take the policy away from
 * another thread's engine. */
static xsltSecurityPrefsPtr security;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void engine_once(void)
{
    exsltRegisterAll();
    map_register_functions();
    /* SPEC: DESIGN.md — stylesheets may not write files or reach the network */
    security = xsltNewSecurityPrefs();
    xsltSetSecurityPrefs(security, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid);
    xsltSetSecurityPrefs(security, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid);
    xsltSetSecurityPrefs(security, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid);
    xsltSetSecurityPrefs(security, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid);
    xsltSetSecurityPrefs(security, XSLT_SECPREF_READ_FILE, check_read);
    xsltSetDefaultSecurityPrefs(security);
    xsltSetLoaderFunc(policy_loader);
    xsltSetGenericErrorFunc(NULL, on_generic);
}

int map_engine_new(struct map_engine **out, const char *mappings_dir, const char *schemas_dir,
                   struct edi_err *err)
{
    struct map_engine *e = edi_xcalloc(1, sizeof(*e));
    const char *models = getenv("WHARF_MODELS");
    int rc;

    *out = NULL;
    edi_pool_init(&e->pool);
    e->dir = edi_xstrdup(mappings_dir);
    e->schemas = edi_xstrdup(schemas_dir);
    e->models = edi_xstrdup(models && *models ? models : models_default);
    pthread_once(&once, engine_once);
    e->sec = security;
    policy_engine = e;
    map_codes_new(&e->codes, mappings_dir);
    if ((rc = load_registry(e, err)) < 0 ||
        (rc = edi_guides_new(&e->guides, schemas_dir, err)) < 0) {
        map_engine_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

int map_engine_new_like(struct map_engine **out, const struct map_engine *e, struct edi_err *err)
{
    int rc = map_engine_new(out, e->dir, e->schemas, err);

    if (rc < 0)
        return rc;
    free((*out)->models);
    (*out)->models = edi_xstrdup(e->models);
    (*out)->op_limit = e->op_limit;
    map_codes_set_local_dir((*out)->codes, map_codes_local_dir(e->codes));
    return 0;
}

void map_engine_set_workspace(struct map_engine *e, const char *workspace)
{
    map_codes_set_local_dir(e->codes, workspace);
}

void map_engine_limit(struct map_engine *e, unsigned long xpath_ops)
{
    e->op_limit = xpath_ops;
}

void map_engine_free(struct map_engine *e)
{
    size_t i;

    if (e == NULL)
        return;
    for (i = 0; i < e->ncache; i++) {
        xsltFreeStylesheet(e->cache[i].ss);
        free(e->cache[i].file);
    }
    free(e->cache);
    for (i = 0; i < e->nxsd; i++) {
        xmlSchemaFree(e->xsd[i].s);
        free(e->xsd[i].name);
    }
    free(e->xsd);
    for (i = 0; i < e->nsame; i++)
        free(e->same[i].file);
    free(e->same);
    map_model_cache_free();
    map_codes_free(e->codes);
    edi_guides_free(e->guides);
    if (policy_engine == e)
        policy_engine = NULL;
    edi_pool_dispose(&e->pool);
    free(e->dir);
    free(e->schemas);
    free(e->models);
    free(e);
}

const char *map_engine_dir(const struct map_engine *e)
{
    return e->dir;
}

struct edi_guides *map_engine_guides(struct map_engine *e)
{
    return e->guides;
}

size_t map_list(const struct map_info **out, size_t max, struct map_engine *e)
{
    size_t i;

    for (i = 0; i < e->nmaps && i < max; i++)
        out[i] = &e->maps[i];
    return e->nmaps;
}

int map_find(const struct map_info **out, struct map_engine *e, const char *name_or_file,
             const char *partner, struct edi_err *err)
{
    struct stat st;
    size_t i;
    struct map_info *m;

    *out = NULL;
    for (i = 0; i < e->nmaps; i++) {
        char over[4096];

        if (strcmp(e->maps[i].name, name_or_file) != 0)
            continue;
        if (partner && *partner) {
            if (strstr(partner, "..") || strchr(partner, '/'))
                return edi_fail(err, EDI_ENOTFOUND, "'%s' is not a partner name", partner);
            /* a cut path could be another partner's or map's file */
            if (edi_fmt(over, sizeof(over), err, "%s/partners/%s/%s.xsl", e->dir, partner,
                        e->maps[i].name) < 0)
                return EDI_ENOTFOUND;
            if (stat(over, &st) == 0) {
                m = edi_pool_alloc(&e->pool, sizeof(*m));
                *m = e->maps[i];
                m->base_file = m->file;
                m->file = edi_pool_strdup(&e->pool, over);
                *out = m;
                return 0;
            }
        }
        *out = &e->maps[i];
        return 0;
    }
    if (stat(name_or_file, &st) == 0 && S_ISREG(st.st_mode)) {
        char real[PATH_MAX];

        m = edi_pool_alloc(&e->pool, sizeof(*m));
        m->name = edi_pool_strdup(&e->pool, name_or_file);
        m->file = edi_pool_strdup(&e->pool, realpath(name_or_file, real) ? real : name_or_file);
        m->direction = "in";
        *out = m;
        return 0;
    }
    return edi_fail(err, EDI_ENOTFOUND, "no map '%s' in %s/registry.xml, and no such file",
                    name_or_file, e->dir);
}

/* Read once per engine and file, like the stylesheet compile() caches:
 * an engine runs what it compiled first, so it answers for that. */
int map_file_is(struct map_engine *e, const struct map_info *m, const void *text, size_t n)
{
    struct same_file *s;
    char *buf;
    size_t i, got;
    FILE *f;

    for (i = 0; i < e->nsame; i++)
        if (e->same[i].text == text && e->same[i].n == n && strcmp(e->same[i].file, m->file) == 0)
            return e->same[i].same;
    e->same = edi_xrealloc(e->same, (e->nsame + 1) * sizeof(*e->same));
    s = &e->same[e->nsame++];
    s->file = edi_xstrdup(m->file);
    s->text = text;
    s->n = n;
    s->same = 0;
    if ((f = fopen(m->file, "rb")) == NULL)
        return 0;
    /* one byte more than text: a longer file is another file */
    buf = edi_xmalloc(n + 1);
    got = fread(buf, 1, n + 1, f);
    s->same = !ferror(f) && got == n && memcmp(buf, text, n) == 0;
    free(buf);
    fclose(f);
    return s->same;
}

/* ---- compiling ------------------------------------------------------------------------------ */

static int compile(xsltStylesheetPtr *out, struct map_engine *e, const char *file,
                   struct edi_err *err)
{
    struct edi_buf msg;
    xmlDocPtr doc;
    xsltStylesheetPtr ss;
    size_t i;
    int doctype = 0;

    *out = NULL;
    policy_engine = e;
    for (i = 0; i < e->ncache; i++) {
        if (strcmp(e->cache[i].file, file) == 0) {
            *out = e->cache[i].ss;
            return 0;
        }
    }
    capture_begin(&msg);
    doc = read_guarded(file, NULL, XSLT_PARSE_OPTIONS, &doctype);
    ss = doc ? xsltParseStylesheetDoc(doc) : NULL;
    capture_end();
    if (ss == NULL || ss->errors) {
        int rc = edi_fail(err, EDI_ECONFIG, "%s: the map does not compile: %s", file,
                          doctype ? "a DOCTYPE is not allowed in a map (no DTDs, no entities)"
                          : msg.n ? captured(&msg) : "not well-formed XML");

        if (ss)
            xsltFreeStylesheet(ss);
        else
            xmlFreeDoc(doc);
        edi_buf_dispose(&msg);
        return rc;
    }
    edi_buf_dispose(&msg);
    if (e->ncache == e->cache_cap) {
        e->cache_cap = e->cache_cap ? e->cache_cap * 2 : 16;
        e->cache = edi_xrealloc(e->cache, e->cache_cap * sizeof(*e->cache));
    }
    e->cache[e->ncache].file = edi_xstrdup(file);
    e->cache[e->ncache].ss = ss;
    e->ncache++;
    *out = ss;
    return 0;
}

/* xsl:message text comes here (the transform context's error function),
 * while the message instruction is still the current one. */
static void on_message(void *ctx, const char *fmt, ...)
{
    struct map_run *r = ctx;
    va_list ap;
    char tmp[1024];

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (r->message_at[0] == '\0' && r->t && r->t->inst)
        map_where(r->message_at, sizeof(r->message_at), r->e, r->t->inst);
    if (r->messages && r->messages->n < 4000)
        edi_buf_puts(r->messages, tmp);
}

/* ---- running ---------------------------------------------------------------------------------- */

int map_run(xmlDocPtr *out, struct map_engine *e, const struct map_info *m, xmlDocPtr in,
            const struct map_run_opts *o, struct edi_findings *findings, struct edi_err *err)
{
    xsltStylesheetPtr ss;
    xsltTransformContextPtr t;
    struct map_run run;
    struct map_run_opts dflt;
    struct edi_buf msg;
    const char **params = NULL;
    xmlDocPtr res;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = compile(&ss, e, m->file, err)) < 0)
        return rc;
    policy_engine = e;
    if (o == NULL) {
        memset(&dflt, 0, sizeof(dflt));
        o = &dflt;
    }
    memset(&run, 0, sizeof(run));
    run.e = e;
    run.m = m;
    run.o = o;
    run.findings = findings;
    t = xsltNewTransformContext(ss, in);
    if (t == NULL)
        return edi_fail(err, EDI_ERR, "cannot start map %s", m->name);
    t->_private = &run;
    run.t = t;
    run.messages = &msg;
    xsltSetCtxtSecurityPrefs(e->sec, t);
    if (e->op_limit && t->xpathCtxt) {
        t->xpathCtxt->opLimit = e->op_limit;
        t->xpathCtxt->opCount = 0;
    }
    params = edi_xcalloc(2 * o->nparams + 1, sizeof(*params));
    for (i = 0; i < o->nparams; i++) {
        params[2 * i] = o->params[i].name;
        params[2 * i + 1] = o->params[i].value;
    }
    capture_begin(&msg);
    xsltSetTransformErrorFunc(t, &run, on_message);
    xsltQuoteUserParams(t, params);
    res = xsltApplyStylesheetUser(ss, in, NULL, NULL, o->profile, t);
    capture_end();
    free(params);
    if (e->op_limit && t->xpathCtxt && t->xpathCtxt->opCount >= e->op_limit) {
        /* libxml2 refused the step past the limit (and set the count to
         * it); what libxslt made of that refusal is not the reason */
        rc = edi_fail(err, EDI_ELIMIT, "map %s stopped: more than %lu XPath steps in one run (the limit here)",
                      m->name, e->op_limit);
        xmlFreeDoc(res);
        xsltFreeTransformContext(t);
        edi_buf_dispose(&msg);
        return rc;
    }
    if (t->state == XSLT_STATE_STOPPED) {
        /* xsl:message terminate="yes": the map refused its input */
        if (findings) {
            struct edi_finding *fd = edi_findings_add(findings, "map-terminated", EDI_LV_SET);

            edi_finding_msg(fd, "%s%s%s", run.message_at, run.message_at[0] ? ": " : "",
                            captured(&msg));
        }
        run.failed = 1;
    } else if (res == NULL) {
        rc = edi_fail(err, EDI_ECONFIG, "map %s failed: %s", m->file,
                      msg.n ? captured(&msg) : "no result");
        xsltFreeTransformContext(t);
        edi_buf_dispose(&msg);
        return rc;
    }
    xsltFreeTransformContext(t);
    edi_buf_dispose(&msg);
    if (run.failed) {
        xmlFreeDoc(res);
        return EDI_ESYNTAX;
    }
    *out = res;
    return 0;
}

/* ---- input and output --------------------------------------------------------------------- */

struct collect {
    xmlDocPtr *docs;
    size_t n, cap;
};

static int collect_doc(void *ctx, xmlDocPtr doc, const struct edi_tx *tx)
{
    struct collect *c = ctx;

    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->docs = edi_xrealloc(c->docs, c->cap * sizeof(*c->docs));
    }
    c->docs[c->n++] = doc;
    return 0;
}

int map_read_input(xmlDocPtr **docs, size_t *ndocs, struct map_engine *e, const char *data,
                   size_t n, struct edi_err *err)
{
    size_t i = 0;
    struct collect c = {0};
    int rc;

    *docs = NULL;
    *ndocs = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (n - i >= 3 && memcmp(data + i, "ISA", 3) == 0) {
        rc = edi_x12_to_xml_docs(data, n, e->guides, NULL, EDI_TEXT_UTF8_LATIN1, collect_doc, &c, err);
        if (rc == 0 && c.n == 0)
            rc = edi_fail(err, EDI_ESYNTAX, "the X12 input holds no transaction set");
    } else if (i < n && (data[i] == '{' || data[i] == '[')) {
        xmlDocPtr d;

        if ((rc = map_json_to_xml(&d, data, n, err)) == 0)
            collect_doc(&c, d, NULL);
    } else {
        xmlDocPtr d;

        if ((rc = edi_xml_read(&d, data, n, NULL, err)) == 0) {
            rc = collect_doc(&c, d, NULL);
        } else if (rc == EDI_ESYNTAX && err && strstr(err->msg, "DOCTYPE") == NULL) {
            char why[sizeof(err->msg)];

            snprintf(why, sizeof(why), "%s", err->msg);
            edi_fail(err, rc, "the input is neither X12, JSON nor XML: %.250s", why);
        }
    }
    if (rc < 0) {
        for (i = 0; i < c.n; i++)
            xmlFreeDoc(c.docs[i]);
        free(c.docs);
        return rc;
    }
    *docs = c.docs;
    *ndocs = c.n;
    return 0;
}

int map_run_bytes(struct map_engine *e, const struct map_info *m, const char *data, size_t n,
                  const struct map_run_opts *o, int as_xml, struct edi_findings *findings,
                  void (*cb)(void *ctx, const struct map_outcome *r), void *ctx, struct edi_err *err)
{
    xmlDocPtr *docs = NULL;
    size_t ndocs = 0, i;
    int rc;

    if ((rc = map_read_input(&docs, &ndocs, e, data, n, err)) < 0)
        return rc;
    for (i = 0; i < ndocs; i++) {
        struct map_outcome r = {.index = i, .step = MAP_STEP_RUN, .findings = findings, .err = err};
        xmlDocPtr out = NULL;
        struct edi_buf text;

        edi_findings_reset(findings);
        r.rc = map_run(&out, e, m, docs[i], o, findings, err);
        if (r.rc < 0) {
            cb(ctx, &r);
            if (r.rc != EDI_ESYNTAX) {
                rc = r.rc;
                break;
            }
            continue;
        }
        edi_buf_init(&text, 0);
        r.step = MAP_STEP_RENDER;
        if ((r.rc = map_render(&text, out, as_xml, err)) == 0) {
            r.step = MAP_STEP_CHECK;
            r.text = &text;
            r.rc = map_check_output(e, m, out, findings, err);
        }
        cb(ctx, &r);
        edi_buf_dispose(&text);
        xmlFreeDoc(out);
    }
    for (i = 0; i < ndocs; i++)
        xmlFreeDoc(docs[i]);
    free(docs);
    return rc;
}

enum map_format map_doc_format(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);

    if (root == NULL)
        return MAP_XML;
    if (root->ns && root->ns->href && strcmp((const char *)root->ns->href, MAP_JSON_NS) == 0)
        return MAP_JSON;
    if (root->ns == NULL &&
        (strcmp((const char *)root->name, "transaction") == 0 ||
         strcmp((const char *)root->name, "x12") == 0))
        return MAP_X12;
    return MAP_XML;
}

int map_render(struct edi_buf *out, xmlDocPtr doc, int as_xml, struct edi_err *err)
{
    xmlChar *mem = NULL;
    int len = 0;

    if (!as_xml && map_doc_format(doc) == MAP_X12)
        return edi_xml_doc_to_x12(out, doc, NULL, NULL, err);
    if (!as_xml && map_doc_format(doc) == MAP_JSON)
        return map_xml_to_json(out, doc, 1, err);
    xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
    if (mem == NULL)
        return edi_fail(err, EDI_ERR, "cannot serialize the result");
    edi_buf_put(out, mem, (size_t)len);
    xmlFree(mem);
    return 0;
}

/* ---- output checks ------------------------------------------------------------------------------ */

static int schema_of(xmlSchemaPtr *out, struct map_engine *e, const char *name, struct edi_err *err)
{
    char path[4096];
    struct edi_buf msg;
    xmlSchemaParserCtxtPtr pc;
    xmlSchemaPtr s;
    size_t i;

    for (i = 0; i < e->nxsd; i++) {
        if (strcmp(e->xsd[i].name, name) == 0) {
            *out = e->xsd[i].s;
            return 0;
        }
    }
    if (edi_fmt(path, sizeof(path), err, "%s/%s", e->schemas, name) < 0)
        return EDI_ECONFIG;
    capture_begin(&msg);
    pc = xmlSchemaNewParserCtxt(path);
    s = pc ? xmlSchemaParse(pc) : NULL;
    xmlSchemaFreeParserCtxt(pc);
    capture_end();
    if (s == NULL) {
        int rc = edi_fail(err, EDI_ECONFIG, "%s: cannot read the schema: %s", path, captured(&msg));

        edi_buf_dispose(&msg);
        return rc;
    }
    edi_buf_dispose(&msg);
    if (e->nxsd == e->xsd_cap) {
        e->xsd_cap = e->xsd_cap ? e->xsd_cap * 2 : 8;
        e->xsd = edi_xrealloc(e->xsd, e->xsd_cap * sizeof(*e->xsd));
    }
    e->xsd[e->nxsd].name = edi_xstrdup(name);
    e->xsd[e->nxsd].s = s;
    e->nxsd++;
    *out = s;
    return 0;
}

struct vctx {
    struct edi_findings *f;
    const char *code, *where;       /* "output-schema", "output line" */
};

static void on_schema_error(void *ctx, const xmlError *x)
{
    struct vctx *v = ctx;
    struct edi_finding *fd;
    char msg[200];
    size_t n;

    if (x == NULL || v->f == NULL)
        return;
    snprintf(msg, sizeof(msg), "%s", x->message ? x->message : "invalid");
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    fd = edi_findings_add(v->f, v->code, EDI_LV_SET);
    edi_finding_msg(fd, "%s %d: %s", v->where, x->line, msg);
}

static void report_x12(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    struct edi_findings *out = ctx;
    struct edi_finding *fd = edi_findings_add(out, f->code, f->level);
    char keep[sizeof(fd->msg)];

    snprintf(keep, sizeof(keep), "%s", f->msg);
    *fd = *f;
    edi_finding_msg(fd, "%s %s: %s", w->guide ? "guide" : "envelope",
                    w->guide ? w->guide->id : "", keep);
}

static int check_schema(struct map_engine *e, const char *schema, xmlDocPtr doc, struct vctx *vc,
                        struct edi_err *err)
{
    xmlSchemaPtr s;
    xmlSchemaValidCtxtPtr v;
    int rc;

    if ((rc = schema_of(&s, e, schema, err)) < 0)
        return rc;
    v = xmlSchemaNewValidCtxt(s);
    xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)on_schema_error, vc);
    xmlSchemaValidateDoc(v, doc);
    xmlSchemaFreeValidCtxt(v);
    return 0;
}

int map_check_schema(struct map_engine *e, const char *schema, xmlDocPtr doc,
                     struct edi_findings *findings, struct edi_err *err)
{
    struct vctx vc = {findings, "schema", "line"};

    return check_schema(e, schema, doc, &vc, err);
}

/* An X12 set written into an envelope of its own, just to check it: the
 * same bytes every run. */
static int check_envelope(struct edi_buf *ichg, const struct edi_guide *g, xmlDocPtr doc,
                          struct edi_err *err)
{
    struct edi_buf set;
    xmlDocPtr copy = xmlCopyDoc(doc, 1);   /* serializing fills ST02 and SE01 */
    int rc;

    edi_buf_init(&set, 0);
    rc = edi_xml_doc_to_x12(&set, copy, NULL, NULL, err);
    xmlFreeDoc(copy);
    if (rc == 0) {
        struct edi_str one = {set.p, set.n};
        struct edi_env env = {
            .from = {"ZZ", "WHARF", NULL},
            .to = {"ZZ", "CHECK", NULL},
            .version = strcmp(g->version, "005010") >= 0 ? "00501" : "00401",
            .suffix = "\n",
            .now = 1735689600,   /* 2025-01-01T00:00:00Z */
            .usage = 'T',
            .control = 1,
        };
        struct edi_env_group grp = {.func_id = g->group, .version = g->version, .control = 1,
                                    .sets = &one, .nsets = 1};

        edi_delims_default(&env.d);
        rc = edi_envelope_write(ichg, &env, &grp, 1, err);
    }
    edi_buf_dispose(&set);
    return rc;
}

/* sent: the interchange as it will be sent (NULL: the doc in a check envelope). */
static int check_output(struct map_engine *e, const struct map_info *m, xmlDocPtr doc,
                        const struct edi_str *sent, struct edi_findings *findings,
                        struct edi_err *err)
{
    int rc = 0;

    if (m->schema) {
        struct vctx vc = {findings, "output-schema", "output line"};

        if ((rc = check_schema(e, m->schema, doc, &vc, err)) < 0)
            return rc;
    }
    /* a map that writes one of several versions names its guide on the
     * <transaction> it writes (guide="partners/amazon-rp/856-5010") */
    xmlChar *own = NULL;
    const char *guide = m->guide;

    if (map_doc_format(doc) == MAP_X12 && xmlDocGetRootElement(doc) &&
        (own = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "guide")) != NULL)
        guide = (const char *)own;
    if (guide && map_doc_format(doc) == MAP_X12) {
        const struct edi_guide *g;
        struct edi_buf ichg;
        struct edi_check_opts o;
        struct edi_check_stats st;
        struct edi_str data = sent ? *sent : EDI_STR_NULL;

        edi_buf_init(&ichg, 0);
        if ((rc = edi_guides_get(&g, e->guides, guide, err)) == 0 && sent == NULL &&
            (rc = check_envelope(&ichg, g, doc, err)) == 0)
            data = (struct edi_str){ichg.p, ichg.n};
        if (rc == 0) {
            memset(&o, 0, sizeof(o));
            o.guides = e->guides;
            o.guide_id = guide;
            o.report = report_x12;
            o.ctx = findings;
            rc = edi_check_mem(&st, data.p ? data.p : "", data.n, &o, err);
        }
        edi_buf_dispose(&ichg);
    }
    xmlFree(own);
    if (rc < 0)
        return rc;
    if (m->model && map_doc_format(doc) == MAP_JSON) {
        struct edi_buf json;

        edi_buf_init(&json, 0);
        if ((rc = map_xml_to_json(&json, doc, 0, err)) == 0)
            rc = map_model_check(findings, e->models, m->model, json.p, json.n, err);
        edi_buf_dispose(&json);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int map_check_output(struct map_engine *e, const struct map_info *m, xmlDocPtr doc,
                     struct edi_findings *findings, struct edi_err *err)
{
    return check_output(e, m, doc, NULL, findings, err);
}

int map_check_sent(struct map_engine *e, const struct map_info *m, xmlDocPtr doc,
                   struct edi_str ichg, struct edi_findings *findings, struct edi_err *err)
{
    return check_output(e, m, doc, &ichg, findings, err);
}

/* ---- lint -------------------------------------------------------------------------------------------- */

static int known_function(const char *name, size_t n)
{
    size_t i;

    for (i = 0; map_function_names[i]; i++)
        if (strlen(map_function_names[i]) == n && strncmp(map_function_names[i], name, n) == 0)
            return 1;
    return 0;
}

static int money_word(const char *s, size_t n)
{
    static const char *words[] = {"amount", "price", "cost", "total", "tax", "charge", "allowance",
                                  "Amount", "Price", "Cost", "Total", "Tax"};
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t k = strlen(words[i]);
        const char *p = s;

        while ((p = strstr(p, words[i])) != NULL && p + k <= s + n)
            return 1;
    }
    return 0;
}

static void lint_node(xmlNodePtr n, const char *prefix, const char *file,
                      struct edi_findings *findings)
{
    xmlAttrPtr a;

    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (a = n->properties; a; a = a->next) {
            xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
            const char *s = (const char *)v, *p;
            size_t plen = strlen(prefix);

            if (v == NULL)
                continue;
            /* wharf:name( calls must name a function that exists */
            for (p = s; plen && (p = strstr(p, prefix)) != NULL; p += plen) {
                const char *name = p + plen;
                size_t k = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-");

                if ((p == s || !(p[-1] >= 'a' && p[-1] <= 'z')) && name[k] == '(' &&
                    !known_function(name, k)) {
                    struct edi_finding *fd = edi_findings_add(findings, "lint-unknown-function",
                                                              EDI_LV_SET);

                    edi_finding_msg(fd, "%s:%ld: %.*s%.*s() is not a wharf function", file,
                                    xmlGetLineNo(n), (int)plen, prefix, (int)k, name);
                }
            }
            /* XPath numbers are doubles: money must not go through them */
            if ((strstr(s, "sum(") || strstr(s, " + ") || strstr(s, " * ") || strstr(s, " - ") ||
                 strstr(s, " div ") || strstr(s, "format-number(")) &&
                money_word(s, strlen(s)) && !strstr(s, prefix[0] ? prefix : "wharf:")) {
                struct edi_finding *fd = edi_findings_add(findings, "lint-float-money", EDI_LV_SET);

                fd->severity = EDI_SEV_WARNING;
                edi_finding_msg(fd, "%s:%ld: '%s' computes money with XPath numbers (doubles); use wharf:add/sub/mul/sum/round",
                                file, xmlGetLineNo(n), s);
            }
            xmlFree(v);
        }
        lint_node(n->children, prefix, file, findings);
    }
}

int map_check(struct map_engine *e, const struct map_info *m, struct edi_findings *findings,
              struct edi_err *err)
{
    xsltStylesheetPtr ss;
    xmlNodePtr root;
    xmlNsPtr ns;
    char prefix[64] = "";
    int rc;

    if ((rc = compile(&ss, e, m->file, err)) < 0)
        return rc;
    root = xmlDocGetRootElement(ss->doc);
    for (ns = root ? root->nsDef : NULL; ns; ns = ns->next)
        if (ns->href && strcmp((const char *)ns->href, MAP_NS) == 0 && ns->prefix)
            snprintf(prefix, sizeof(prefix), "%s:", (const char *)ns->prefix);
    if (root)
        lint_node(root, prefix, m->file, findings);
    return 0;
}

/* ---- the code lists a map reads ---------------------------------------------------------------- */

struct map_codes *map_engine_codes(struct map_engine *e)
{
    return e->codes;
}

/* 1 when text quotes name ('name' or "name"), or is name itself (an
 * xsl:variable's content). */
static int quotes(const char *text, const char *name)
{
    size_t n = strlen(name);
    const char *p;

    for (p = text; (p = strstr(p, name)) != NULL; p++)
        if (p > text && (p[-1] == '\'' || p[-1] == '"') && p[n] == p[-1])
            return 1;
    while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
        text++;
    return strncmp(text, name, n) == 0 && strspn(text + n, " \n\t\r") == strlen(text + n);
}

static void lists_in_node(xmlNodePtr n, char **names, int *used, size_t nnames)
{
    xmlAttrPtr a;
    size_t i;

    for (; n; n = n->next) {
        xmlChar *v = NULL;

        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            v = xmlNodeGetContent(n);
            for (i = 0; v && i < nnames; i++)
                used[i] |= quotes((const char *)v, names[i]);
            xmlFree(v);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (a = n->properties; a; a = a->next) {
            v = xmlNodeGetContent((xmlNodePtr)a);
            for (i = 0; v && i < nnames; i++)
                used[i] |= quotes((const char *)v, names[i]);
            xmlFree(v);
        }
        lists_in_node(n->children, names, used, nnames);
    }
}

/* The stylesheet, what it includes and what it imports, all the way down. */
static void lists_in_sheet(xsltStylesheetPtr ss, char **names, int *used, size_t nnames, int depth)
{
    xsltDocumentPtr inc;

    /* LIMIT: imports nest at most 16 deep here (libxslt refuses loops) */
    for (; ss && depth < 16; ss = ss->next) {
        if (ss->doc)
            lists_in_node(xmlDocGetRootElement(ss->doc), names, used, nnames);
        for (inc = ss->docList; inc; inc = inc->next)
            if (inc->doc)
                lists_in_node(xmlDocGetRootElement(inc->doc), names, used, nnames);
        lists_in_sheet(ss->imports, names, used, nnames, depth + 1);
    }
}

int map_lists_used(char ***out, size_t *n, struct map_engine *e, const struct map_info *m, struct edi_err *err)
{
    struct map_code_file *files = NULL;
    xsltStylesheetPtr ss;
    char **names = NULL, **v;
    int *used;
    size_t nf = 0, nn = 0, i, k = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = compile(&ss, e, m->file, err)) < 0)
        return rc;
    if ((rc = map_codes_files(&files, &nf, e->codes, err)) < 0)
        return rc;
    /* each list once (the files are sorted by list) */
    names = edi_xcalloc(nf + 1, sizeof(*names));
    for (i = 0; i < nf; i++)
        if (nn == 0 || strcmp(names[nn - 1], files[i].list) != 0)
            names[nn++] = files[i].list;
    used = edi_xcalloc(nn + 1, sizeof(*used));
    /* the compiled sheet's own document: the first in the chain (not its next) */
    if (ss->doc)
        lists_in_node(xmlDocGetRootElement(ss->doc), names, used, nn);
    {
        xsltDocumentPtr inc;

        for (inc = ss->docList; inc; inc = inc->next)
            if (inc->doc)
                lists_in_node(xmlDocGetRootElement(inc->doc), names, used, nn);
    }
    lists_in_sheet(ss->imports, names, used, nn, 1);
    v = edi_xcalloc(nn + 1, sizeof(*v));
    for (i = 0; i < nn; i++)
        if (used[i])
            v[k++] = edi_xstrdup(names[i]);
    free(used);
    free(names);
    map_code_files_free(files, nf);
    *out = v;
    *n = k;
    return 0;
}
