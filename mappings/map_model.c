/*
 * map_model.c — checking a JSON document against a definition of one of
 * Amazon's SP-API models (the Swagger 2.0 files of amazon-sp-api-models),
 * so that what a map writes for SP-API is what the API takes.
 *
 * The checker knows the part of JSON Schema (draft 4, as Swagger 2.0 uses
 * it) that the models use: type, properties, required, additionalProperties,
 * items, $ref to #/definitions/ in the same file, allOf, enum,
 * minLength/maxLength, pattern, format date-time (and int32/int64 ranges),
 * minimum/maximum, minItems/maxItems. Other keywords are ignored. Each
 * violation is a finding "output-model" with the JSON path of the value and
 * the definition it broke.
 *
 * Model files are read once and kept until map_model_cache_free(), which
 * map_engine_free() calls. Not here: JSON ⇄ XML (map_json.c); which model a
 * map names and when outputs are checked (registry.xml, map.c).
 */
#include "mappings/map_int.h"

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* LIMIT: nesting depth of a checked document (as map_json.c) */
#define MAX_DEPTH 64
/* LIMIT: $ref and allOf hops without moving into the document: more is a
 * cycle in the model */
#define MAX_HOPS 32
/* Paths longer than this lose their beginning in messages. */
#define PATH_SHOWN 110

#define DEFS "#/definitions/"

/* ---- the model cache --------------------------------------------------------- */

struct model {
    char *path;      /* models_dir/file */
    json_t *root;
};

/* per thread: an engine freed on one thread frees only that thread's */
static __thread struct {
    struct model *v;
    size_t n, cap;
} cache;

void map_model_cache_free(void)
{
    size_t i;

    for (i = 0; i < cache.n; i++) {
        free(cache.v[i].path);
        json_decref(cache.v[i].root);
    }
    free(cache.v);
    memset(&cache, 0, sizeof(cache));
}

/* The parsed model file, borrowed from the cache. */
static int model_load(json_t **out, const char *dir, const char *file, struct edi_err *err)
{
    char path[4096];
    json_error_t je;
    json_t *root;
    size_t i;

    *out = NULL;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
        return edi_fail(err, EDI_ECONFIG, "model path too long: %s/%s", dir, file);
    for (i = 0; i < cache.n; i++) {
        if (strcmp(cache.v[i].path, path) == 0) {
            *out = cache.v[i].root;
            return 0;
        }
    }
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL)
        return edi_fail(err, EDI_ECONFIG, "%s:%d: cannot read the SP-API model: %s", path,
                        je.line, je.text);
    if (!json_is_object(json_object_get(root, "definitions"))) {
        json_decref(root);
        return edi_fail(err, EDI_ECONFIG, "%s: not a Swagger model (no definitions)", path);
    }
    if (cache.n == cache.cap) {
        cache.cap = cache.cap ? cache.cap * 2 : 8;
        cache.v = edi_xrealloc(cache.v, cache.cap * sizeof(*cache.v));
    }
    cache.v[cache.n].path = edi_xstrdup(path);
    cache.v[cache.n].root = root;
    cache.n++;
    *out = root;
    return 0;
}

/* ---- one check ----------------------------------------------------------------- */

struct walk {
    struct edi_findings *out;
    json_t *defs;            /* the model's definitions */
    const char *file;        /* the model file's name, for messages */
    const char *def;         /* the definition being checked against */
    struct edi_buf path;     /* where in the document: $.a[0].b */
    struct edi_err *err;
};

static const char *type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

/* A scalar as the message shows it: strings quoted and cut. */
static void show(char *buf, size_t cap, const json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = strlen(s), k = n > 40 ? 40 : n;

        while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;   /* not inside a UTF-8 sequence */
        snprintf(buf, cap, "\"%.*s%s\"", (int)k, s, k < n ? "..." : "");
    } else if (json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        int prec;

        if (x > -1e15 && x < 1e15 && x == (double)(long long)x) {
            snprintf(buf, cap, "%.0f.0", x);   /* 10.0 is a number, not the integer 10 */
            return;
        }
        for (prec = 1; prec <= 17; prec++) {   /* the shortest text that reads back */
            snprintf(buf, cap, "%.*g", prec, x);
            if (strtod(buf, NULL) == x)
                break;
        }
    } else if (json_is_boolean(v)) {
        snprintf(buf, cap, "%s", json_is_true(v) ? "true" : "false");
    } else {
        snprintf(buf, cap, "%s", type_of(v));
    }
}

static void report(struct walk *w, const json_t *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct walk *w, const json_t *v, const char *fmt, ...)
{
    struct edi_finding *fd = edi_findings_add(w->out, "output-model", EDI_LV_SET);
    const char *p = edi_buf_cstr(&w->path);
    char why[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (w->path.n > PATH_SHOWN)
        p += w->path.n - PATH_SHOWN;
    while (((unsigned char)*p & 0xC0) == 0x80)
        p++;   /* not inside a UTF-8 sequence of a key */
    edi_finding_msg(fd, "%s%s: %s (model %s#/definitions/%s)", p == w->path.p ? "" : "...", p,
                    why, w->file, w->def);
    if (json_is_string(v)) {
        edi_finding_value(fd, edi_str_c(json_string_value(v)));
    } else if (v && (json_is_number(v) || json_is_boolean(v))) {
        char tmp[64];

        show(tmp, sizeof(tmp), v);
        edi_finding_value(fd, edi_str_c(tmp));
    }
}

static void path_key(struct edi_buf *b, const char *k)
{
    size_t i;
    int plain = (k[0] < '0' || k[0] > '9') && k[0] != '\0';

    for (i = 0; plain && k[i]; i++)
        plain = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
                (k[i] >= '0' && k[i] <= '9') || k[i] == '_';
    if (plain) {
        edi_buf_printf(b, ".%s", k);
        return;
    }
    edi_buf_puts(b, "['");
    for (i = 0; k[i]; i++) {
        if (k[i] == '\'' || k[i] == '\\')
            edi_buf_putc(b, '\\');
        edi_buf_putc(b, k[i]);
    }
    edi_buf_puts(b, "']");
}

/* ---- formats -------------------------------------------------------------------- */

static int digits(const char **s, int n, int *out)
{
    int v = 0;

    for (; n > 0; n--, (*s)++) {
        if (**s < '0' || **s > '9')
            return -1;
        v = v * 10 + (**s - '0');
    }
    *out = v;
    return 0;
}

static int days_in(int month, int year)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : days[month - 1];
}

/* SPEC: Swagger 2.0 "Data Types": format date-time is "As defined by
 * date-time - RFC3339": RFC 3339 §5.6 full-date "T" full-time, with
 * seconds and an offset (Z or +hh:mm), the profile of ISO 8601 Amazon
 * documents as "ISO-8601 date/time format". */
static int is_date_time(const char *s)
{
    int y, mo, d, h, mi, sec, oh, om;

    if (digits(&s, 4, &y) < 0 || *s++ != '-' || digits(&s, 2, &mo) < 0 || *s++ != '-' ||
        digits(&s, 2, &d) < 0)
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in(mo, y))
        return 0;
    if (*s != 'T' && *s != 't')
        return 0;
    s++;
    if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &mi) < 0 || *s++ != ':' ||
        digits(&s, 2, &sec) < 0)
        return 0;
    if (h > 23 || mi > 59 || sec > 60)   /* 60: a leap second */
        return 0;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'Z' || *s == 'z')
        return s[1] == '\0';
    if (*s != '+' && *s != '-')
        return 0;
    s++;
    if (digits(&s, 2, &oh) < 0 || *s++ != ':' || digits(&s, 2, &om) < 0)
        return 0;
    return *s == '\0' && oh <= 23 && om <= 59;
}

/* Characters, as JSON Schema counts string lengths: code points. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- keywords ------------------------------------------------------------------- */

static int check(struct walk *w, json_t *s, json_t *v, int depth, int hops);

static int type_is(const char *t, const json_t *v)
{
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    /* SPEC: JSON Schema draft 4 §3.5: an integer is a number without a
     * fraction or exponent part: 10.0 is not one */
    if (strcmp(t, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    return 1;   /* a type this checker does not know: not ours to refuse */
}

/* 1 when v has the schema's type (a name or a list of names). */
static int type_ok(const json_t *type, const json_t *v)
{
    size_t i;
    json_t *t;

    if (json_is_string(type))
        return type_is(json_string_value(type), v);
    if (!json_is_array(type))
        return 1;
    json_array_foreach(type, i, t) {
        if (json_is_string(t) && type_is(json_string_value(t), v))
            return 1;
    }
    return json_array_size(type) == 0;
}

static int resolve(json_t **out, const char **name, struct walk *w, const json_t *ref)
{
    const char *r = json_string_value(ref);

    *out = NULL;
    *name = NULL;
    if (r == NULL || strncmp(r, DEFS, strlen(DEFS)) != 0 || strchr(r + strlen(DEFS), '/'))
        return edi_fail(w->err, EDI_ECONFIG,
                        "%s: $ref '%s' in definition %s is not #/definitions/NAME in the same file",
                        w->file, r ? r : "(not a string)", w->def);
    *name = r + strlen(DEFS);
    if ((*out = json_object_get(w->defs, *name)) == NULL)
        return edi_fail(w->err, EDI_ECONFIG, "%s: $ref '%s' in definition %s: no such definition",
                        w->file, r, w->def);
    return 0;
}

static void check_enum(struct walk *w, const json_t *en, const json_t *v)
{
    char list[120] = "", one[64], shown[64];
    size_t i, n = 0;
    json_t *e;

    json_array_foreach(en, i, e) {
        if (json_equal(e, (json_t *)v))
            return;
    }
    json_array_foreach(en, i, e) {
        show(one, sizeof(one), e);
        if (json_is_string(e))
            snprintf(one, sizeof(one), "%s", json_string_value(e));
        if (n + strlen(one) + 2 >= sizeof(list) - 4) {
            snprintf(list + n, sizeof(list) - n, ", ...");
            break;
        }
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", one);
    }
    show(shown, sizeof(shown), v);
    report(w, v, "%s is not one of %s", shown, list);
}

static void check_string(struct walk *w, json_t *s, const json_t *v)
{
    const char *str = json_string_value(v), *fmt = json_string_value(json_object_get(s, "format"));
    json_t *k;
    char shown[64];
    size_t len = utf8_len(str);

    show(shown, sizeof(shown), v);
    if ((k = json_object_get(s, "maxLength")) && json_is_integer(k) &&
        (json_int_t)len > json_integer_value(k))
        report(w, v, "%s has length %zu, more than maxLength %" JSON_INTEGER_FORMAT, shown, len,
               json_integer_value(k));
    if ((k = json_object_get(s, "minLength")) && json_is_integer(k) &&
        (json_int_t)len < json_integer_value(k))
        report(w, v, "%s has length %zu, less than minLength %" JSON_INTEGER_FORMAT, shown, len,
               json_integer_value(k));
    if ((k = json_object_get(s, "pattern")) && json_is_string(k)) {
        regex_t re;

        /* JSON Schema patterns are ECMA 262; the models' ones are also
         * POSIX EREs. One that is not is skipped rather than guessed at. */
        if (regcomp(&re, json_string_value(k), REG_EXTENDED | REG_NOSUB) == 0) {
            if (regexec(&re, str, 0, NULL, 0) != 0)
                report(w, v, "%s does not match pattern %s", shown, json_string_value(k));
            regfree(&re);
        }
    }
    if (fmt && strcmp(fmt, "date-time") == 0 && !is_date_time(str))
        report(w, v, "%s is not a date-time (RFC 3339, as 2025-01-31T14:05:00Z)", shown);
}

static void check_number(struct walk *w, json_t *s, const json_t *v)
{
    const char *fmt = json_string_value(json_object_get(s, "format"));
    double x = json_number_value(v);
    json_t *k;
    char shown[64], lim[64];

    show(shown, sizeof(shown), v);
    if ((k = json_object_get(s, "minimum")) && json_is_number(k)) {
        int excl = json_is_true(json_object_get(s, "exclusiveMinimum"));

        show(lim, sizeof(lim), k);
        if (excl ? x <= json_number_value(k) : x < json_number_value(k))
            report(w, v, excl ? "%s is not more than exclusive minimum %s"
                              : "%s is less than minimum %s", shown, lim);
    }
    if ((k = json_object_get(s, "maximum")) && json_is_number(k)) {
        int excl = json_is_true(json_object_get(s, "exclusiveMaximum"));

        show(lim, sizeof(lim), k);
        if (excl ? x >= json_number_value(k) : x > json_number_value(k))
            report(w, v, excl ? "%s is not less than exclusive maximum %s"
                              : "%s is more than maximum %s", shown, lim);
    }
    /* SPEC: Swagger 2.0 "Data Types": int32 signed 32 bits, int64 signed 64 */
    if (fmt && strcmp(fmt, "int32") == 0 && json_is_integer(v) &&
        (json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX))
        report(w, v, "%s is out of range for int32", shown);
}

static int check_object(struct walk *w, json_t *s, json_t *v, int depth)
{
    json_t *props = json_object_get(s, "properties");
    json_t *extra = json_object_get(s, "additionalProperties");
    json_t *req = json_object_get(s, "required"), *k, *sub;
    const char *key;
    size_t i, keep = w->path.n;
    int rc;

    json_array_foreach(req, i, k) {
        if (json_is_string(k) && json_object_get(v, json_string_value(k)) == NULL) {
            path_key(&w->path, json_string_value(k));
            report(w, NULL, "required property missing");
            w->path.n = keep;
        }
    }
    json_object_foreach(v, key, sub) {
        json_t *ps = json_object_get(props, key);

        path_key(&w->path, key);
        if (ps)
            rc = check(w, ps, sub, depth + 1, 0);
        else if (json_is_object(extra))
            rc = check(w, extra, sub, depth + 1, 0);
        else
            rc = 0;
        if (ps == NULL && json_is_false(extra))
            report(w, NULL, "property not allowed");
        w->path.n = keep;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int check_array(struct walk *w, json_t *s, json_t *v, int depth)
{
    json_t *items = json_object_get(s, "items"), *k, *sub;
    size_t i, n = json_array_size(v), keep = w->path.n;
    int rc;

    if ((k = json_object_get(s, "minItems")) && json_is_integer(k) &&
        (json_int_t)n < json_integer_value(k))
        report(w, NULL, "%zu items, fewer than minItems %" JSON_INTEGER_FORMAT, n,
               json_integer_value(k));
    if ((k = json_object_get(s, "maxItems")) && json_is_integer(k) &&
        (json_int_t)n > json_integer_value(k))
        report(w, NULL, "%zu items, more than maxItems %" JSON_INTEGER_FORMAT, n,
               json_integer_value(k));
    if (!json_is_object(items))
        return 0;
    json_array_foreach(v, i, sub) {
        edi_buf_printf(&w->path, "[%zu]", i);
        rc = check(w, items, sub, depth + 1, 0);
        w->path.n = keep;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Checks v against schema s: findings for what v breaks, an error (with
 * err set) only when the model itself cannot be followed. */
static int check(struct walk *w, json_t *s, json_t *v, int depth, int hops)
{
    const char *keep = w->def;
    json_t *k, *sub;
    size_t i;
    int rc;

    if (depth > MAX_DEPTH)
        return edi_fail(w->err, EDI_ELIMIT, "JSON nested deeper than %d levels at %s", MAX_DEPTH,
                        edi_buf_cstr(&w->path));
    if (hops > MAX_HOPS)
        return edi_fail(w->err, EDI_ECONFIG, "%s: $ref/allOf cycle through definition %s",
                        w->file, w->def);
    if (!json_is_object(s))
        return 0;
    /* SPEC: Swagger 2.0 Reference Object, JSON Schema draft 4 §7: an
     * object with $ref is replaced by its target; its siblings
     * (description, example) do not apply */
    if ((k = json_object_get(s, "$ref")) != NULL) {
        const char *name = NULL;
        json_t *target;

        if ((rc = resolve(&target, &name, w, k)) < 0)
            return rc;
        w->def = name;
        rc = check(w, target, v, depth, hops + 1);
        w->def = keep;
        return rc;
    }
    json_array_foreach(json_object_get(s, "allOf"), i, sub) {
        if ((rc = check(w, sub, v, depth, hops + 1)) < 0)
            return rc;
    }
    if ((k = json_object_get(s, "type")) && !type_ok(k, v)) {
        char shown[64] = "", want[64] = "";
        size_t n = 0;

        if (json_is_string(v) || json_is_number(v))
            show(shown, sizeof(shown), v);
        if (json_is_string(k))
            snprintf(want, sizeof(want), "%s", json_string_value(k));
        json_array_foreach(k, i, sub) {
            if (json_is_string(sub) && n < sizeof(want))
                n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s", i ? " or " : "",
                                      json_string_value(sub));
        }
        report(w, v, "expected %s, found %s%s%s", want, type_of(v), shown[0] ? " " : "", shown);
        return 0;   /* the other keywords would only repeat it */
    }
    if ((k = json_object_get(s, "enum")) && json_is_array(k))
        check_enum(w, k, v);
    if (json_is_object(v))
        return check_object(w, s, v, depth);
    if (json_is_array(v))
        return check_array(w, s, v, depth);
    if (json_is_string(v))
        check_string(w, s, v);
    else if (json_is_number(v))
        check_number(w, s, v);
    return 0;
}

/* ---- entry ------------------------------------------------------------------------ */

int map_model_check(struct edi_findings *out, const char *models_dir, const char *model_ref,
                    const char *json, size_t n, struct edi_err *err)
{
    struct walk w;
    struct edi_findings none;
    struct stat st;
    json_error_t je;
    json_t *root, *doc = NULL, *target;
    const char *hash = strchr(model_ref, '#');
    char file[256];
    int rc;

    memset(&w, 0, sizeof(w));
    edi_findings_init(&none, 1);
    edi_buf_init(&w.path, 0);
    if (hash == NULL || hash == model_ref || (size_t)(hash - model_ref) >= sizeof(file) ||
        strncmp(hash + 1, &DEFS[1], strlen(DEFS) - 1) != 0 || hash[strlen(DEFS)] == '\0' ||
        strchr(hash + strlen(DEFS), '/') || memchr(model_ref, '/', (size_t)(hash - model_ref)) ||
        model_ref[0] == '.') {
        rc = edi_fail(err, EDI_ECONFIG, "model reference '%s' is not FILE#/definitions/NAME",
                      model_ref);
        goto out;
    }
    snprintf(file, sizeof(file), "%.*s", (int)(hash - model_ref), model_ref);
    w.out = out ? out : &none;
    w.file = file;
    w.def = hash + strlen(DEFS);
    w.err = err;
    if (models_dir == NULL || stat(models_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        /* no models on this machine: say so, but do not refuse the output */
        struct edi_finding *fd = edi_findings_add(w.out, "output-model-unavailable", EDI_LV_SET);

        fd->severity = EDI_SEV_WARNING;
        edi_finding_msg(fd, "SP-API models not available (no folder '%s'; set WHARF_MODELS): "
                            "output not checked against %s",
                        models_dir ? models_dir : "", model_ref);
        rc = 0;
        goto out;
    }
    if ((rc = model_load(&root, models_dir, file, err)) < 0)
        goto out;
    w.defs = json_object_get(root, "definitions");
    if ((target = json_object_get(w.defs, w.def)) == NULL) {
        rc = edi_fail(err, EDI_ECONFIG, "%s/%s: no definition %s", models_dir, file, w.def);
        goto out;
    }
    doc = json_loadb(json, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) {
        rc = edi_fail(err, EDI_ESYNTAX, "JSON line %d column %d: %s", je.line, je.column, je.text);
        goto out;
    }
    edi_buf_puts(&w.path, "$");
    rc = check(&w, target, doc, 0, 0);
out:
    json_decref(doc);
    edi_buf_dispose(&w.path);
    edi_findings_dispose(&none);
    return rc;
}
