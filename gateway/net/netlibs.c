/*
 * netlibs.c — libcurl and libmicrohttpd, loaded with dlopen the first time
 * a network command needs them (netlibs.h says why). Each function net/
 * uses is defined here under the library's own name and forwards to the
 * library's, found once with dlsym; the program is not linked with either
 * library.
 *
 * A program that is linked with them too (the unit tests and the bench
 * are, for their stand-in servers and clients) works the same: dlopen then
 * returns the library already loaded, and dlsym on its handle finds the
 * library's own functions, not these.
 *
 * Not here: what the calls do (http.c, sftp.c, server.c).
 */
#define CURL_DISABLE_TYPECHECK  /* the names below are functions, not gcc's checking macros */
#include "gateway/net/netlibs.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sonames of the ABI the headers describe (Debian: libcurl4,
 * libmicrohttpd12). */
#define CURL_SONAME "libcurl.so.4"
#define MHD_SONAME "libmicrohttpd.so.12"

struct sym {
    const char *name;
    void **slot;
};

struct lib {
    const char *soname, *what;
    const struct sym *syms;
    pthread_once_t once;
    char why[300];              /* empty: loaded */
};

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    void (*free)(void *);
    time_t (*getdate)(const char *, const time_t *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    const char *(*url_strerror)(CURLUcode);
} cu;

static const struct sym curl_syms[] = {
    {"curl_global_init", (void **)&cu.global_init},
    {"curl_easy_init", (void **)&cu.easy_init},
    {"curl_easy_cleanup", (void **)&cu.easy_cleanup},
    {"curl_easy_reset", (void **)&cu.easy_reset},
    {"curl_easy_setopt", (void **)&cu.easy_setopt},
    {"curl_easy_getinfo", (void **)&cu.easy_getinfo},
    {"curl_easy_perform", (void **)&cu.easy_perform},
    {"curl_easy_strerror", (void **)&cu.easy_strerror},
    {"curl_free", (void **)&cu.free},
    {"curl_getdate", (void **)&cu.getdate},
    {"curl_slist_append", (void **)&cu.slist_append},
    {"curl_slist_free_all", (void **)&cu.slist_free_all},
    {"curl_url", (void **)&cu.url},
    {"curl_url_cleanup", (void **)&cu.url_cleanup},
    {"curl_url_get", (void **)&cu.url_get},
    {"curl_url_set", (void **)&cu.url_set},
    {"curl_url_strerror", (void **)&cu.url_strerror},
    {NULL, NULL},
};

static struct {
    struct MHD_Daemon *(*start_daemon_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
                                          MHD_AccessHandlerCallback, void *, va_list);
    void (*stop_daemon)(struct MHD_Daemon *);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
    const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *,
                                                           enum MHD_ConnectionInfoType, ...);
    int (*get_connection_values)(struct MHD_Connection *, enum MHD_ValueKind, MHD_KeyValueIterator,
                                 void *);
    const char *(*lookup_connection_value)(struct MHD_Connection *, enum MHD_ValueKind, const char *);
    struct MHD_Response *(*create_response_from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
    enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
    void (*destroy_response)(struct MHD_Response *);
    enum MHD_Result (*is_feature_supported)(enum MHD_FEATURE);
} mh;

static const struct sym mhd_syms[] = {
    {"MHD_start_daemon_va", (void **)&mh.start_daemon_va},
    {"MHD_stop_daemon", (void **)&mh.stop_daemon},
    {"MHD_get_daemon_info", (void **)&mh.get_daemon_info},
    {"MHD_get_connection_info", (void **)&mh.get_connection_info},
    {"MHD_get_connection_values", (void **)&mh.get_connection_values},
    {"MHD_lookup_connection_value", (void **)&mh.lookup_connection_value},
    {"MHD_create_response_from_buffer", (void **)&mh.create_response_from_buffer},
    {"MHD_add_response_header", (void **)&mh.add_response_header},
    {"MHD_queue_response", (void **)&mh.queue_response},
    {"MHD_destroy_response", (void **)&mh.destroy_response},
    {"MHD_is_feature_supported", (void **)&mh.is_feature_supported},
    {NULL, NULL},
};

static struct lib curl_lib = {CURL_SONAME, "libcurl", curl_syms, PTHREAD_ONCE_INIT, ""};
static struct lib mhd_lib = {MHD_SONAME, "libmicrohttpd", mhd_syms, PTHREAD_ONCE_INIT, ""};

/* Never closed: the library's threads and handles live until exit. */
static void load(struct lib *l)
{
    /* RTLD_LOCAL: its names do not join the program's; these are found
     * through the handle */
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    const struct sym *s;

    if (h == NULL) {
        snprintf(l->why, sizeof(l->why), "%s", dlerror());
        return;
    }
    for (s = l->syms; s->name; s++) {
        if ((*s->slot = dlsym(h, s->name)) == NULL) {
            snprintf(l->why, sizeof(l->why), "%s has no %s (too old a version)", l->soname, s->name);
            return;
        }
    }
}

static void load_curl(void)
{
    load(&curl_lib);
}

static void load_mhd(void)
{
    load(&mhd_lib);
}

static int loaded(struct lib *l, void (*once)(void), struct edi_err *err)
{
    pthread_once(&l->once, once);
    if (l->why[0] == '\0')
        return 0;
    return edi_fail(err, EDI_ECONFIG, "%s cannot be loaded (%s): install it (Debian: %s)", l->what, l->why,
                    l == &curl_lib ? "libcurl4" : "libmicrohttpd12");
}

int gw_net_load_curl(struct edi_err *err)
{
    return loaded(&curl_lib, load_curl, err);
}

int gw_net_load_mhd(struct edi_err *err)
{
    return loaded(&mhd_lib, load_mhd, err);
}

/* A call that came before its library was loaded: net/ loads first, so
 * this is a path that forgot to; there is no caller to give an error to. */
static void need(struct lib *l, void (*once)(void))
{
    struct edi_err err;

    if (loaded(l, once, &err) < 0) {
        fprintf(stderr, "wharf: %s\n", err.msg);
        abort();
    }
}

#define CURL_NEED() need(&curl_lib, load_curl)
#define MHD_NEED() need(&mhd_lib, load_mhd)

/* ---- libcurl ---------------------------------------------------------------------------------- */

CURLcode curl_global_init(long flags)
{
    CURL_NEED();
    return cu.global_init(flags);
}

CURL *curl_easy_init(void)
{
    CURL_NEED();
    return cu.easy_init();
}

void curl_easy_cleanup(CURL *h)
{
    CURL_NEED();
    cu.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
    CURL_NEED();
    cu.easy_reset(h);
}

/* One value after the option, of the type its number range says
 * (curl.h: CURLOPTTYPE_*), passed on as that type. */
CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
    va_list ap;
    CURLcode rc;

    CURL_NEED();
    va_start(ap, o);
    if (o < CURLOPTTYPE_OBJECTPOINT)
        rc = cu.easy_setopt(h, o, va_arg(ap, long));
    else if (o >= CURLOPTTYPE_OFF_T && o < CURLOPTTYPE_BLOB)
        rc = cu.easy_setopt(h, o, va_arg(ap, curl_off_t));
    else
        rc = cu.easy_setopt(h, o, va_arg(ap, void *));  /* objects, callbacks, blobs */
    va_end(ap);
    return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
    va_list ap;
    void *p;

    CURL_NEED();
    va_start(ap, i);
    p = va_arg(ap, void *);
    va_end(ap);
    return cu.easy_getinfo(h, i, p);
}

CURLcode curl_easy_perform(CURL *h)
{
    CURL_NEED();
    return cu.easy_perform(h);
}

const char *curl_easy_strerror(CURLcode cc)
{
    CURL_NEED();
    return cu.easy_strerror(cc);
}

void curl_free(void *p)
{
    CURL_NEED();
    cu.free(p);
}

time_t curl_getdate(const char *p, const time_t *unused)
{
    CURL_NEED();
    return cu.getdate(p, unused);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
    CURL_NEED();
    return cu.slist_append(l, s);
}

void curl_slist_free_all(struct curl_slist *l)
{
    CURL_NEED();
    cu.slist_free_all(l);
}

CURLU *curl_url(void)
{
    CURL_NEED();
    return cu.url();
}

void curl_url_cleanup(CURLU *u)
{
    CURL_NEED();
    cu.url_cleanup(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
    CURL_NEED();
    return cu.url_get(u, what, part, flags);
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
    CURL_NEED();
    return cu.url_set(u, what, part, flags);
}

const char *curl_url_strerror(CURLUcode uc)
{
    CURL_NEED();
    return cu.url_strerror(uc);
}

/* ---- libmicrohttpd ---------------------------------------------------------------------------- */

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    struct MHD_Daemon *d;
    va_list ap;

    MHD_NEED();
    va_start(ap, dh_cls);
    d = mh.start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

void MHD_stop_daemon(struct MHD_Daemon *d)
{
    MHD_NEED();
    mh.stop_daemon(d);
}

/* net/ asks only for kinds that take no further argument (the port, the
 * client's address) */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType t, ...)
{
    MHD_NEED();
    return mh.get_daemon_info(d, t);
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *c,
                                                        enum MHD_ConnectionInfoType t, ...)
{
    MHD_NEED();
    return mh.get_connection_info(c, t);
}

int MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind k, MHD_KeyValueIterator it,
                              void *cls)
{
    MHD_NEED();
    return mh.get_connection_values(c, k, it, cls);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind k, const char *key)
{
    MHD_NEED();
    return mh.lookup_connection_value(c, k, key);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t n, void *p, enum MHD_ResponseMemoryMode m)
{
    MHD_NEED();
    return mh.create_response_from_buffer(n, p, m);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *r, const char *h, const char *v)
{
    MHD_NEED();
    return mh.add_response_header(r, h, v);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r)
{
    MHD_NEED();
    return mh.queue_response(c, status, r);
}

void MHD_destroy_response(struct MHD_Response *r)
{
    MHD_NEED();
    mh.destroy_response(r);
}

enum MHD_Result MHD_is_feature_supported(enum MHD_FEATURE f)
{
    MHD_NEED();
    return mh.is_feature_supported(f);
}
