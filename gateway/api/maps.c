/*
 * maps.c — the map workbench of the HTTP API (api.h): the registered maps
 * with their golden cases and the code lists they read, and a map run on
 * a case or on the caller's input, with the diff against the case's
 * expected output. The engine, the cases and the diff are mappings/'s
 * (what `wharf map run|test|list` use); who asks and how answers are
 * written are api.c's (internal.h).
 *
 * Read-only: a run writes nothing (no store, spool or outbox); the maps
 * run under the engine's policy (no file written, no network, reads only
 * under mappings/). A map or case is found by its name in the registry
 * or the case folder's listing: no path from the request is ever opened.
 */
#include "gateway/api/internal.h"
#include "edi/text.h"
#include "mappings/map.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* LIMIT: a run's input, decoded (the body itself is capped by the server) */
#define MAP_INPUT_MAX (1024 * 1024)
/* LIMIT: the lines of a diff answered */
#define MAP_DIFF_LINES 2000
/* LIMIT: params of a run */
#define MAP_PARAMS_MAX 32

/* One workbench run at a time: a run holds a core, and the pool threads
 * serve the rest of the API meanwhile. */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const format_names[] = {"xml", "x12", "json"};

/* Who asks, over a store connection of this request's: NULL with rs answered. */
static struct gw_user *asker(const struct gw_api *a, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_store *s = NULL;
    struct gw_user *u;

    if (gw_api_store_open(&s, a, rs) < 0)
        return NULL;
    u = gw_api_who(a, s, rq, rs);
    gw_store_close(s);
    return u;
}

static int engine_open(struct map_engine **e, const struct gw_api *a, struct gw_server_resp *rs)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (map_engine_new(e, gw_api_mappings(a), gw_api_schemas(a), &err) < 0) {
        gw_server_error(rs, 503, err.msg);
        return -1;
    }
    map_engine_set_workspace(*e, gw_api_workspace(a));
    map_engine_limit(*e, GW_API_MAP_STEPS);
    return 0;
}

/* Bytes as a JSON string: UTF-8 as it is, else read as Latin-1 (what X12
 * input may be, and what the engine reads it as). */
static json_t *text_json(const char *p, size_t n)
{
    struct edi_str v = {p ? p : "", p ? n : 0};
    struct edi_buf b;
    json_t *j;

    if (edi_utf8_valid(v) && (j = json_stringn(v.p, v.n)) != NULL)
        return j;
    edi_buf_init(&b, 0);
    edi_latin1_to_utf8(&b, v);
    j = json_stringn(b.p ? b.p : "", b.n);
    edi_buf_dispose(&b);
    return j ? j : json_string("");
}

static json_t *samples_json(const struct map_info *m)
{
    struct map_sample *v = NULL;
    json_t *arr = json_array();
    size_t n = 0, i;

    if (map_samples(&v, &n, m, NULL) == 0)
        for (i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s, s:b}", "name", v[i].name, "expected",
                                                 v[i].expected != NULL));
    map_samples_free(v, n);
    return arr;
}

/* GET maps: what `wharf map list` says, with each map's cases. */
static void on_maps(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    const struct map_info *maps[256];
    struct map_engine *e = NULL;
    struct gw_user *u;
    json_t *arr;
    size_t n, i;

    if ((u = asker(a, rq, rs)) == NULL)
        return;
    if (engine_open(&e, a, rs) == 0) {
        arr = json_array();
        n = map_list(maps, 256, e);
        for (i = 0; i < n && i < 256; i++) {
            json_t *j = json_pack("{s:s, s:s, s:s}", "name", maps[i]->name, "from", format_names[maps[i]->in],
                                  "to", format_names[maps[i]->out]);

            if (maps[i]->doc)
                json_object_set_new(j, "description", json_string(maps[i]->doc));
            json_object_set_new(j, "samples", samples_json(maps[i]));
            json_array_append_new(arr, j);
        }
        gw_api_reply(rs, 200, json_pack("{s:o}", "maps", arr));
    }
    map_engine_free(e);
    gw_users_free(u, 1);
}

/* The registered map rest names ("GROUP/NAME", each segment
 * percent-decoded) and what follows it: NULL with rs answered 404. */
static const struct map_info *map_at(struct map_engine *e, const char *rest, const char **tail,
                                     struct gw_server_resp *rs)
{
    const struct map_info *maps[256];
    char name[300], seg[120];
    size_t n, i, k = 0;
    const char *p = rest;
    int segs;

    /* the name's two segments, decoded: a '/' decoded inside one is refused */
    name[0] = '\0';
    for (segs = 0; segs < 2 && *p; segs++) {
        size_t len = strcspn(p, "/");

        if (gw_api_segment(p, len, seg, sizeof(seg)) != 1 || seg[0] == '\0' ||
            k + strlen(seg) + 2 > sizeof(name))
            break;
        k += (size_t)snprintf(name + k, sizeof(name) - k, "%s%s", segs ? "/" : "", seg);
        p += len;
        if (segs == 0 && *p == '/')
            p++;
    }
    n = map_list(maps, 256, e);
    for (i = 0; i < n && i < 256; i++)
        if (strcmp(maps[i]->name, name) == 0) {
            *tail = *p == '/' ? p + 1 : p;
            return maps[i];
        }
    {
        struct edi_buf m;

        edi_buf_init(&m, 0);
        edi_buf_puts(&m, "no map '");
        edi_escape_line(&m, name, strlen(name));
        edi_buf_puts(&m, "' in the registry: GET " GW_API_PREFIX "maps lists them");
        gw_server_error(rs, 404, edi_buf_cstr(&m));
        edi_buf_dispose(&m);
    }
    return NULL;
}

/* The case of m named name (from the folder's listing): index into v, or
 * -1 with rs answered 404. */
static long sample_at(const struct map_sample *v, size_t n, const struct map_info *m, const char *name,
                      struct gw_server_resp *rs)
{
    struct edi_buf b;
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return (long)i;
    edi_buf_init(&b, 0);
    edi_buf_printf(&b, "map %s has no sample '", m->name);
    edi_escape_line(&b, name, strlen(name));
    edi_buf_puts(&b, "' (its samples: ");
    for (i = 0; i < n; i++)
        edi_buf_printf(&b, "%s%s", i ? ", " : "", v[i].name);
    edi_buf_puts(&b, n ? ")" : "none)");
    gw_server_error(rs, 404, edi_buf_cstr(&b));
    edi_buf_dispose(&b);
    return -1;
}

static json_t *file_json(const char *path)
{
    char *data = NULL;
    size_t n = 0;
    json_t *j;

    if (path == NULL || edi_read_file(&data, &n, path, NULL) < 0)
        return json_null();
    j = text_json(data, n);
    free(data);
    return j;
}

/* The code lists m quotes, with their entries (the installed list's, else
 * the workspace's own). */
static json_t *lists_json(struct map_engine *e, const struct map_info *m)
{
    struct map_codes *c = map_engine_codes(e);
    json_t *arr = json_array();
    char **names = NULL;
    size_t n = 0, i;

    if (map_lists_used(&names, &n, e, m, NULL) < 0)
        return arr;
    for (i = 0; i < n; i++) {
        const struct map_code_entry *v;
        size_t k = 0, local = 0;
        json_t *j;

        if (map_codes_entries(&v, &k, c, MAP_CODES_BASE, NULL, names[i], NULL) < 0)
            k = 0;
        if (map_codes_entries(&v, &local, c, MAP_CODES_LOCAL, NULL, names[i], NULL) < 0)
            local = 0;
        j = json_pack("{s:s, s:I}", "name", names[i], "entries", (json_int_t)k);
        if (local)
            json_object_set_new(j, "workspace_entries", json_integer((json_int_t)local));
        json_array_append_new(arr, j);
        free(names[i]);
    }
    free(names);
    return arr;
}

/* GET maps/NAME and maps/NAME/samples/SAMPLE. */
static void on_map(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct map_engine *e = NULL;
    struct map_sample *v = NULL;
    const struct map_info *m;
    const char *tail = "";
    struct gw_user *u;
    size_t n = 0;
    char sname[200];

    if ((u = asker(a, rq, rs)) == NULL)
        return;
    if (engine_open(&e, a, rs) < 0 || (m = map_at(e, rq->rest, &tail, rs)) == NULL)
        goto out;
    map_samples(&v, &n, m, NULL);
    if (*tail == '\0') {
        char *src = NULL;
        size_t ns = 0;
        json_t *j = json_pack("{s:s, s:s, s:s}", "name", m->name, "from", format_names[m->in], "to",
                              format_names[m->out]);

        if (m->doc)
            json_object_set_new(j, "description", json_string(m->doc));
        if (edi_read_file(&src, &ns, m->file, NULL) == 0)
            json_object_set_new(j, "source", text_json(src, ns));
        else
            json_object_set_new(j, "source", json_null());
        free(src);
        json_object_set_new(j, "code_lists", lists_json(e, m));
        json_object_set_new(j, "samples", samples_json(m));
        gw_api_reply(rs, 200, j);
    } else if (strcmp(tail, "run") == 0) {
        gw_server_error(rs, 405, "a run is a POST: " GW_API_PREFIX "maps/NAME/run");
    } else if (strncmp(tail, "samples/", 8) != 0 || strchr(tail + 8, '/') != NULL ||
               gw_api_segment(tail + 8, strlen(tail + 8), sname, sizeof(sname)) != 1) {
        gw_server_error(rs, 404, "not a map's page: " GW_API_PREFIX "maps/NAME[/samples/SAMPLE]");
    } else {
        long i = sample_at(v, n, m, sname, rs);

        if (i >= 0)
            gw_api_reply(rs, 200, json_pack("{s:s, s:o, s:o}", "name", v[i].name, "input", file_json(v[i].input),
                                            "expected", file_json(v[i].expected)));
    }
out:
    map_samples_free(v, n);
    map_engine_free(e);
    gw_users_free(u, 1);
}

/* The input line a message names ("line 3", "line 3 column 5"), else the
 * line of the byte offset err carries; 0 when neither. */
static long line_of(const char *msg, const struct edi_err *err, const char *input, size_t n)
{
    const char *p;
    size_t i;
    long line;

    for (p = msg; p && (p = strstr(p, "line ")) != NULL; p += 5)
        if (p[5] >= '1' && p[5] <= '9' && (p == msg || p[-1] == ' ' || p[-1] == '(')) {
            char *end;

            line = strtol(p + 5, &end, 10);
            if (line > 0 && line < 100000000)
                return line;
        }
    if (err == NULL || err->offset == 0 || input == NULL || err->offset > n)
        return 0;
    for (line = 1, i = 0; i < (size_t)err->offset; i++)
        line += input[i] == '\n';
    return line;
}

static void add_error(json_t *errors, const char *msg, long line, const char *code, const char *severity)
{
    json_t *j = json_pack("{s:s}", "message", msg);

    if (line > 0)
        json_object_set_new(j, "line", json_integer(line));
    if (code)
        json_object_set_new(j, "code", json_string(code));
    json_object_set_new(j, "severity", json_string(severity ? severity : "error"));
    json_array_append_new(errors, j);
}

static void add_findings(json_t *errors, const struct edi_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        add_error(errors, f->v[i].msg, 0, f->v[i].code, f->v[i].severity == EDI_SEV_ERROR ? "error" : "warning");
}

/* A run on the caller's input, as `wharf map run` does it: each document's
 * text one after the other; what is wrong in errors. */
struct run_acc {
    struct edi_buf out;
    json_t *errors;
    const char *map;
    int ok;
};

static void hear(void *ctx, const struct map_outcome *r)
{
    struct run_acc *acc = ctx;
    char msg[400];

    switch (r->step) {
    case MAP_STEP_RUN:
        if (r->rc == EDI_ESYNTAX)
            add_findings(acc->errors, r->findings);
        else
            add_error(acc->errors, r->err->msg, 0, NULL, "error");
        acc->ok = 0;
        break;
    case MAP_STEP_RENDER:
        snprintf(msg, sizeof(msg), "%s: the output cannot be written: %s", acc->map, r->err->msg);
        add_error(acc->errors, msg, 0, NULL, "error");
        acc->ok = 0;
        break;
    case MAP_STEP_CHECK:
        edi_buf_put(&acc->out, r->text->p ? r->text->p : "", r->text->n);
        if (r->rc < 0) {
            add_error(acc->errors, r->err->msg, 0, NULL, "error");
            acc->ok = 0;
        } else {
            add_findings(acc->errors, r->findings);
            if (edi_findings_errors(r->findings))
                acc->ok = 0;
        }
        break;
    }
}

/* The run's body: {"sample"} and/or {"input", "partner"?, "params"?}. 0, or
 * -1 with rs answered. */
struct run_req {
    json_t *body;
    const char *sample, *input, *partner;
    size_t ninput;
    struct map_param params[MAP_PARAMS_MAX];
    size_t nparams;
};

static int run_req_of(struct run_req *r, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    json_error_t je;
    json_t *v, *ps;
    const char *k;
    char msg[400];
    struct edi_err err;

    memset(r, 0, sizeof(*r));
    if ((r->body = json_loadb(rq->body ? rq->body : "", rq->nbody, 0, &je)) == NULL || !json_is_object(r->body)) {
        snprintf(msg, sizeof(msg), "the run is not a JSON object (line %d column %d: %s): send {\"sample\": "
                                   "\"NAME\"} or {\"input\": \"...\"}",
                 je.line, je.column, r->body ? "not an object" : je.text);
        gw_server_error(rs, 400, msg);
        return -1;
    }
    v = json_object_get(r->body, "sample");
    if (v && !json_is_string(v)) {
        gw_server_error(rs, 400, "\"sample\" is a sample's name (a string)");
        return -1;
    }
    r->sample = json_string_value(v);
    v = json_object_get(r->body, "input");
    if (v && !json_is_string(v)) {
        gw_server_error(rs, 400, "\"input\" is the document's text (a string)");
        return -1;
    }
    r->input = json_string_value(v);
    r->ninput = v ? json_string_length(v) : 0;
    if (r->sample == NULL && r->input == NULL) {
        gw_server_error(rs, 400, "a run needs \"sample\" (a sample's name) or \"input\" (a document's text)");
        return -1;
    }
    if (r->input && r->ninput > MAP_INPUT_MAX) {
        snprintf(msg, sizeof(msg), "the input is %zu bytes: a run takes at most %d", r->ninput, MAP_INPUT_MAX);
        gw_server_error(rs, 413, msg);
        return -1;
    }
    v = json_object_get(r->body, "partner");
    edi_err_clear(&err);
    if (v && (!json_is_string(v) || map_codes_check_name("partner", json_string_value(v), &err) < 0)) {
        gw_server_error(rs, 400, json_is_string(v) ? err.msg : "\"partner\" is a partner's name (a string)");
        return -1;
    }
    r->partner = json_string_value(v);
    ps = json_object_get(r->body, "params");
    if (ps && !json_is_object(ps)) {
        gw_server_error(rs, 400, "\"params\" is an object of names to strings");
        return -1;
    }
    json_object_foreach(ps, k, v) {
        if (!json_is_string(v) || r->nparams == MAP_PARAMS_MAX || k[0] == '\0') {
            snprintf(msg, sizeof(msg), "\"params\": at most %d, each a name to a string", MAP_PARAMS_MAX);
            gw_server_error(rs, 400, msg);
            return -1;
        }
        r->params[r->nparams].name = k;
        r->params[r->nparams].value = json_string_value(v);
        r->nparams++;
    }
    if (r->sample && (r->partner || r->nparams)) {
        gw_server_error(rs, 400, "a sample runs with its own partner and params: send \"partner\" and \"params\" "
                                 "with \"input\" alone");
        return -1;
    }
    return 0;
}

static long long ms_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* POST maps/NAME/run: the map on a sample (as `wharf map test` runs it,
 * compared with its expected output), on the caller's input with a
 * sample's settings and expected output ({"sample", "input"}: an edited
 * sample), or on the caller's input alone (as `wharf map run` does). */
static void on_run(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct map_engine *e = NULL;
    struct map_sample *v = NULL;
    const struct map_info *m;
    const char *tail = "";
    struct gw_user *u;
    struct run_req r;
    struct edi_findings f;
    struct edi_err err;
    struct timespec t0;
    size_t n = 0;
    json_t *j, *expected = json_null(), *diff = json_null(), *same = json_null();
    struct run_acc acc;
    int rc;

    memset(&r, 0, sizeof(r));
    edi_buf_init(&acc.out, 0);
    acc.errors = NULL;
    if ((u = asker(a, rq, rs)) == NULL)
        goto out;
    if (engine_open(&e, a, rs) < 0 || (m = map_at(e, rq->rest, &tail, rs)) == NULL)
        goto out;
    if (strcmp(tail, "run") != 0) {
        gw_server_error(rs, 404, "a map takes POST " GW_API_PREFIX "maps/NAME/run");
        goto out;
    }
    /* SPEC: issue 17 — viewers may run maps too: a run writes nothing */
    if (run_req_of(&r, rq, rs) < 0)
        goto out;
    map_samples(&v, &n, m, NULL);
    {
        long i = r.sample ? sample_at(v, n, m, r.sample, rs) : -1;

        if (r.sample && i < 0)
            goto out;
        acc.errors = json_array();
        acc.ok = 1;
        acc.map = m->name;
        edi_findings_init(&f, 200);
        edi_err_clear(&err);
        pthread_mutex_lock(&run_lock);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (i >= 0) {
            const char *ext = "xml";

            rc = map_sample_run(&acc.out, &ext, e, m, &v[i], r.input, r.ninput, &f, &err);
            if (rc < 0) {
                add_error(acc.errors, err.msg, line_of(err.msg, &err, r.input, r.ninput), NULL, "error");
                acc.ok = 0;
            } else {
                add_findings(acc.errors, &f);
                if (strcmp(ext, "txt") == 0 || edi_findings_errors(&f))
                    acc.ok = 0;
            }
        } else {
            struct map_run_opts o;

            memset(&o, 0, sizeof(o));
            o.partner = r.partner;
            o.params = r.params;
            o.nparams = r.nparams;
            o.now = time(NULL);
            if (r.partner && m->base_file == NULL) {
                const struct map_info *pm;

                if (map_find(&pm, e, m->name, r.partner, NULL) == 0)
                    m = pm;
            }
            rc = map_run_bytes(e, m, r.input, r.ninput, &o, 0, &f, hear, &acc, &err);
            if (rc < 0 && json_array_size(acc.errors) == 0) {
                /* the input did not read: where */
                add_error(acc.errors, err.msg, line_of(err.msg, &err, r.input, r.ninput), NULL, "error");
            }
            if (rc < 0)
                acc.ok = 0;
        }
        j = json_pack("{s:b, s:o}", "ok", acc.ok, "output", text_json(acc.out.p, acc.out.n));
        json_object_set_new(j, "ms", json_integer(ms_since(&t0)));
        pthread_mutex_unlock(&run_lock);
        if (i >= 0 && v[i].expected) {
            char *want = NULL;
            size_t wn = 0;

            if (edi_read_file(&want, &wn, v[i].expected, NULL) == 0) {
                struct edi_buf d;
                int differs;

                edi_buf_init(&d, 0);
                differs = map_diff(&d, want, wn, acc.out.p, acc.out.n, "expected", "actual", MAP_DIFF_LINES);
                json_decref(expected);
                json_decref(same);
                expected = text_json(want, wn);
                same = json_boolean(!differs);
                if (differs) {
                    json_decref(diff);
                    diff = text_json(d.p, d.n);
                }
                edi_buf_dispose(&d);
            }
            free(want);
        }
        json_object_set_new(j, "expected", expected);
        json_object_set_new(j, "diff", diff);
        json_object_set_new(j, "same", same);
        expected = diff = same = NULL;
        json_object_set_new(j, "errors", acc.errors);
        acc.errors = NULL;
        json_object_set_new(j, "map", json_string(m->name));
        if (i >= 0)
            json_object_set_new(j, "sample", json_string(v[i].name));
        edi_findings_dispose(&f);
        gw_api_reply(rs, 200, j);
    }
out:
    json_decref(expected);
    json_decref(diff);
    json_decref(same);
    json_decref(acc.errors);
    edi_buf_dispose(&acc.out);
    json_decref(r.body);
    map_samples_free(v, n);
    map_engine_free(e);
    gw_users_free(u, 1);
}

void gw_api_maps_route(struct gw_api *a, struct gw_server *s)
{
    gw_server_route(s, "GET", GW_API_PREFIX "maps", 0, on_maps, a);
    gw_server_route(s, "GET", GW_API_PREFIX "maps/", 0, on_map, a);
    gw_server_route(s, "POST", GW_API_PREFIX "maps/", 0, on_run, a);
    gw_server_route(s, "GET", GW_API_PREFIX "today", 0, gw_api_on_today, a);
}
