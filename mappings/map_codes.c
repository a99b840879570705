/*
 * map_codes.c — code lists and cross-reference tables for maps.
 *
 * A list is an XML file, NAME.xml:
 *   <codelist name="uom">
 *     <entry from="EA" to="each"/>
 *     <entry from="CA" to="case" direction="in"/>
 *   </codelist>
 * Inbound maps (format → canonical) look `from` up and get `to`; outbound
 * maps (canonical → format) look `to` up and get `from`. direction="in" or
 * "out" limits an entry to one way (so several codes may map in to one
 * value while one of them is what goes out).
 *
 * A list has up to four files, looked at in this order, entry by entry
 * (enum map_codes_layer): the local folder's (a workspace: the vendor's own
 * cross-references, which are data and not shipped) for the partner,
 * LOCAL/codelists/partners/P/NAME.xml, then for everyone,
 * LOCAL/codelists/NAME.xml; then the installed ones, the partner's
 * MAPPINGS/partners/P/codelists/NAME.xml and the base
 * MAPPINGS/codelists/NAME.xml. Local files are read under LOCAL one
 * component at a time, never through a symbolic link and only when
 * regular. A list read once stays read until the object is freed (a
 * daemon reads them again when it reloads).
 *
 * Also here: listing the files, and editing a local file (the text of the
 * new file; writing it is the caller's). The XPath function wharf:lookup()
 * that uses the lists is in map_ext.c; the command is cli/map.c.
 */
#include "mappings/map.h"
#include "edi/exml.h"
#include "edi/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* LIMIT: a list or partner name, and a value set through map_codes_edit */
#define NAME_MAX_LEN 100
#define VALUE_MAX_LEN 1024

struct list {
    char *key;     /* "LAYER:partner/name" */
    int exists;
    struct map_code_entry *e;
    size_t n;
};

/* The layers one lookup reads for a list and partner, found once: a map
 * looks the same few lists up for every line. */
struct chain {
    char *key;     /* "partner/name" */
    struct list *l[4];
};

struct map_codes {
    char *dir;     /* the installed mappings folder */
    char *local;   /* the local folder (a workspace), or NULL */
    struct list **l;
    size_t n, cap;
    struct chain *ch;
    size_t nch, chcap;
};

static const char *const dir_names[] = {"in", "out", "both"};

int map_codes_new(struct map_codes **out, const char *mappings_dir)
{
    struct map_codes *c = edi_xcalloc(1, sizeof(*c));

    c->dir = edi_xstrdup(mappings_dir);
    *out = c;
    return 0;
}

static void list_free(struct list *l)
{
    size_t k;

    if (l == NULL)
        return;
    for (k = 0; k < l->n; k++) {
        free((char *)l->e[k].from);
        free((char *)l->e[k].to);
    }
    free(l->e);
    free(l->key);
    free(l);
}

static void forget_chains(struct map_codes *c)
{
    size_t i;

    for (i = 0; i < c->nch; i++)
        free(c->ch[i].key);
    c->nch = 0;
}

static void forget_all(struct map_codes *c)
{
    size_t i;

    forget_chains(c);
    for (i = 0; i < c->n; i++)
        list_free(c->l[i]);
    c->n = 0;
}

void map_codes_free(struct map_codes *c)
{
    if (c == NULL)
        return;
    forget_all(c);
    free(c->ch);
    free(c->l);
    free(c->dir);
    free(c->local);
    free(c);
}

void map_codes_set_local_dir(struct map_codes *c, const char *local_dir)
{
    free(c->local);
    c->local = local_dir && *local_dir ? edi_xstrdup(local_dir) : NULL;
    /* what was read was read under the other folder */
    forget_all(c);
}

const char *map_codes_local_dir(const struct map_codes *c)
{
    return c->local;
}

/* A name that is one path component and no hidden or temporary file: 1 to
 * NAME_MAX_LEN of A-Z a-z 0-9 . _ -, no leading dot, no "..". One pass
 * without strspn or strstr: every wharf:lookup() of every map checks its
 * list and partner names (strspn over a 65-character set was 1.5 % of the
 * inbound flow's instructions). */
static int safe_name(const char *s)
{
    size_t n;

    if (s == NULL || s[0] == '.' || s[0] == '\0')
        return 0;
    for (n = 0; s[n]; n++) {
        unsigned char ch = (unsigned char)s[n];

        if (n == NAME_MAX_LEN)
            return 0;
        if (ch == '.') {
            if (s[n + 1] == '.')
                return 0;
        } else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                     ch == '-' || ch == '_')) {
            return 0;
        }
    }
    return 1;
}

int map_codes_check_name(const char *what, const char *s, struct edi_err *err)
{
    if (safe_name(s))
        return 0;
    return edi_fail(err, EDI_ESYNTAX,
                    "%s '%s' is not a name: 1 to %d of A-Z a-z 0-9 . _ -, not starting with a dot, "
                    "no '..'",
                    what, s ? s : "", NAME_MAX_LEN);
}

int map_codes_check_value(const char *what, const char *s, struct edi_err *err)
{
    size_t n = s ? strlen(s) : 0, i;

    if (n == 0)
        return edi_fail(err, EDI_ESYNTAX, "%s is empty", what);
    if (n > VALUE_MAX_LEN)
        return edi_fail(err, EDI_ESYNTAX, "%s is %zu bytes long; at most %d are taken", what, n,
                        VALUE_MAX_LEN);
    if (!edi_utf8_valid(edi_str_c(s)))
        return edi_fail(err, EDI_ESYNTAX, "%s '%s' is not UTF-8", what, s);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        /* C0, DEL and C1 (U+0080..U+009F, C2 80..C2 9F in UTF-8): a value
         * is one line a person reads, and nothing a terminal acts on */
        if (ch < 0x20 || ch == 0x7f || (ch == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] < 0xa0))
            return edi_fail(err, EDI_ESYNTAX,
                            "%s '%s' holds a control character (byte %zu): values are one line of "
                            "printable text",
                            what, s, i + 1);
    }
    return 0;
}

/* ---- where a layer's file is -------------------------------------------------- */

/* The folder a layer's files are under and the file's path below it. */
static int where(const char **base, char *rel, size_t cap, const struct map_codes *c,
                 enum map_codes_layer layer, const char *partner, const char *list,
                 struct edi_err *err)
{
    int local = layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_LOCAL;
    int own = layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_PARTNER;

    if (map_codes_check_name("code-list name", list, err) < 0 ||
        (own && map_codes_check_name("partner", partner, err) < 0))
        return EDI_ESYNTAX;
    if (local && c->local == NULL)
        return edi_fail(err, EDI_ENOTFOUND, "no workspace: its code lists are WORKSPACE/codelists/");
    *base = local ? c->local : c->dir;
    switch (layer) {
    case MAP_CODES_LOCAL_PARTNER:
        return edi_fmt(rel, cap, err, "codelists/partners/%s/%s.xml", partner, list);
    case MAP_CODES_LOCAL:
        return edi_fmt(rel, cap, err, "codelists/%s.xml", list);
    case MAP_CODES_PARTNER:
        return edi_fmt(rel, cap, err, "partners/%s/codelists/%s.xml", partner, list);
    case MAP_CODES_BASE:
        return edi_fmt(rel, cap, err, "codelists/%s.xml", list);
    }
    return edi_fail(err, EDI_ERR, "no code-list layer %d", (int)layer);
}

int map_codes_path(char *out, size_t cap, const struct map_codes *c, enum map_codes_layer layer,
                   const char *partner, const char *list, struct edi_err *err)
{
    const char *base;
    char rel[512];
    int rc;

    if ((rc = where(&base, rel, sizeof(rel), c, layer, partner, list, err)) < 0)
        return rc;
    return edi_fmt(out, cap, err, "%s/%s", base, rel);
}

/* ---- reading a local file ------------------------------------------------------- */

/* Opens DIR/REL, each component of REL without following a symbolic link:
 * a folder (want_dir) or a regular file. EDI_ENOTFOUND (no message) when a
 * component does not exist; EDI_ECONFIG when one is a link or not what it
 * must be. */
static int open_nofollow(int *out, const char *dir, const char *rel, int want_dir,
                         struct edi_err *err)
{
    const char *p = rel;
    int dfd, fd, e;

    *out = -1;
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return EDI_ENOTFOUND;
        return edi_fail(err, EDI_ECONFIG, "cannot open %s: %s", dir, strerror(errno));
    }
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        int last = slash == NULL, at = (int)(p - rel + (ptrdiff_t)len);
        char comp[NAME_MAX_LEN + 8];
        struct stat st;

        if (len >= sizeof(comp)) {
            close(dfd);
            return edi_fail(err, EDI_ECONFIG, "%s/%.*s: a name too long", dir, at, rel);
        }
        memcpy(comp, p, len);
        comp[len] = '\0';
        /* SPEC: issue 12 — a link in the workspace could make wharf read any
         * file as a list: never follow one (O_NONBLOCK: a FIFO does not hang
         * the open) */
        fd = openat(dfd, comp,
                    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last && !want_dir ? O_NONBLOCK : O_DIRECTORY));
        e = errno;
        /* a link opened as a folder is ENOTDIR, not ELOOP: ask what it is */
        if (fd < 0 && e == ENOTDIR && fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode))
            e = ELOOP;
        close(dfd);
        if (fd < 0) {
            if (e == ENOENT)
                return EDI_ENOTFOUND;
            if (e == ELOOP)
                return edi_fail(err, EDI_ECONFIG,
                                "%s/%.*s is a symbolic link: wharf reads a workspace's code lists "
                                "from regular files and folders only",
                                dir, at, rel);
            if (e == ENOTDIR)
                return edi_fail(err, EDI_ECONFIG, "%s/%.*s is not a folder", dir, at, rel);
            return edi_fail(err, EDI_ECONFIG, "cannot open %s/%.*s: %s", dir, at, rel, strerror(e));
        }
        if (last) {
            if (!want_dir && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
                close(fd);
                return edi_fail(err, EDI_ECONFIG,
                                "%s/%s is not a regular file: wharf reads a workspace's code lists "
                                "from regular files only",
                                dir, rel);
            }
            *out = fd;
            return 0;
        }
        dfd = fd;
        p = slash + 1;
    }
}

/* The XML of DIR/REL (open_nofollow's rules); EDI_ENOTFOUND when absent. */
static int read_local(xmlDocPtr *out, const char *dir, const char *rel, struct edi_err *err)
{
    char path[4600], *data = NULL;
    size_t n = 0, cap = 0;
    int fd, rc;

    *out = NULL;
    if ((rc = open_nofollow(&fd, dir, rel, 0, err)) < 0)
        return rc;
    for (;;) {
        ssize_t got;

        if (n == cap) {
            cap = cap ? cap * 2 : 8192;
            data = edi_xrealloc(data, cap + 1);
        }
        got = read(fd, data + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = edi_fail(err, EDI_ECONFIG, "cannot read %s/%s: %s", dir, rel, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        /* LIMIT: EDI_XML_MAX, which edi_xml_read refuses with its words */
        if (n > EDI_XML_MAX)
            break;
    }
    close(fd);
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        if ((rc = edi_xml_read(out, data, n, path, err)) < 0)
            rc = err ? (err->rc = EDI_ECONFIG) : EDI_ECONFIG;
    }
    free(data);
    return rc;
}

/* ---- one file's entries ---------------------------------------------------------- */

static const char *dir_name(const xmlChar *d)
{
    size_t i;

    if (d == NULL)
        return "both";
    for (i = 0; i < sizeof(dir_names) / sizeof(dir_names[0]); i++)
        if (strcmp((const char *)d, dir_names[i]) == 0)
            return dir_names[i];
    return NULL;
}

/* The entries of a <codelist> document, checked, into l. */
static int entries_of(struct list *l, xmlDocPtr doc, const char *path, struct edi_err *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), n;
    size_t k = 0;

    if (root == NULL || strcmp((const char *)root->name, "codelist") != 0)
        return edi_fail(err, EDI_ECONFIG, "%s: the root element must be <codelist>", path);
    for (n = root->children; n; n = n->next)
        k += n->type == XML_ELEMENT_NODE;
    l->e = edi_xcalloc(k + 1, sizeof(*l->e));
    for (n = root->children; n; n = n->next) {
        xmlChar *from, *to, *dir;
        const char *d;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        from = xmlGetProp(n, BAD_CAST "from");
        to = xmlGetProp(n, BAD_CAST "to");
        dir = xmlGetProp(n, BAD_CAST "direction");
        d = dir_name(dir);
        xmlFree(dir);
        if (strcmp((const char *)n->name, "entry") != 0 || from == NULL || to == NULL || d == NULL) {
            xmlFree(from);
            xmlFree(to);
            return edi_fail(err, EDI_ECONFIG,
                            "%s:%ld: expected <entry from=\"...\" to=\"...\" [direction=\"in|out|both\"]/>",
                            path, xmlGetLineNo(n));
        }
        l->e[l->n].from = edi_xstrdup((const char *)from);
        l->e[l->n].to = edi_xstrdup((const char *)to);
        l->e[l->n].direction = d;
        l->n++;
        xmlFree(from);
        xmlFree(to);
    }
    l->exists = 1;
    return 0;
}

/* A layer's file into l; l->exists 0 when there is none. */
static int load(struct list *l, const struct map_codes *c, enum map_codes_layer layer,
                const char *partner, const char *list, struct edi_err *err)
{
    const char *base;
    char rel[512], path[4600];
    xmlDocPtr doc = NULL;
    struct stat st;
    int rc;

    if ((rc = where(&base, rel, sizeof(rel), c, layer, partner, list, err)) < 0)
        return rc;
    if ((rc = edi_fmt(path, sizeof(path), err, "%s/%s", base, rel)) < 0)
        return rc;
    if (layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_LOCAL) {
        if ((rc = read_local(&doc, base, rel, err)) == EDI_ENOTFOUND)
            return 0;
    } else {
        /* the installed folder is wharf's own, as the maps beside it */
        if (stat(path, &st) != 0)
            return 0;
        /* the read policy of every XML input: no DOCTYPE, no entities */
        if ((rc = edi_xml_read_file(&doc, path, err)) < 0)
            rc = err ? (err->rc = EDI_ECONFIG) : EDI_ECONFIG;
    }
    if (rc == 0)
        rc = entries_of(l, doc, path, err);
    xmlFreeDoc(doc);
    return rc;
}

/* The list of a layer, read once; borrowed (the pointer stays valid until
 * the list is forgotten). NULL and *rc on failure (not kept: the next
 * lookup tries again and says why again). */
static struct list *get(struct map_codes *c, enum map_codes_layer layer, const char *partner,
                        const char *name, struct edi_err *err, int *rc)
{
    char key[512];
    size_t i;
    struct list *l;

    /* a cut key would be another partner's or list's */
    if ((*rc = edi_fmt(key, sizeof(key), err, "%d:%s/%s", (int)layer, partner ? partner : "", name)) < 0)
        return NULL;
    for (i = 0; i < c->n; i++)
        if (strcmp(c->l[i]->key, key) == 0)
            return c->l[i];
    l = edi_xcalloc(1, sizeof(*l));
    if ((*rc = load(l, c, layer, partner, name, err)) < 0) {
        list_free(l);
        return NULL;
    }
    l->key = edi_xstrdup(key);
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->l = edi_xrealloc(c->l, c->cap * sizeof(*c->l));
    }
    c->l[c->n++] = l;
    return l;
}

/* Drops a layer's list read before (its file changed). */
static void forget(struct map_codes *c, enum map_codes_layer layer, const char *partner, const char *name)
{
    char key[512];
    size_t i;

    if (snprintf(key, sizeof(key), "%d:%s/%s", (int)layer, partner ? partner : "", name) >= (int)sizeof(key))
        return;
    forget_chains(c);
    for (i = 0; i < c->n; i++)
        if (strcmp(c->l[i]->key, key) == 0) {
            list_free(c->l[i]);
            c->l[i] = c->l[--c->n];
            return;
        }
}

int map_codes_entries(const struct map_code_entry **out, size_t *n, struct map_codes *c,
                      enum map_codes_layer layer, const char *partner, const char *list,
                      struct edi_err *err)
{
    struct list *l;
    char path[4600];
    int rc;

    *out = NULL;
    *n = 0;
    if ((l = get(c, layer, partner, list, err, &rc)) == NULL)
        return rc;
    if (!l->exists) {
        if (map_codes_path(path, sizeof(path), c, layer, partner, list, err) == 0)
            edi_fail(err, EDI_ENOTFOUND, "no %s", path);
        return EDI_ENOTFOUND;
    }
    *out = l->e;
    *n = l->n;
    return 0;
}

/* ---- lookups --------------------------------------------------------------------- */

static const char *find(const struct list *l, const char *direction, const char *value)
{
    int out = direction && strcmp(direction, "out") == 0;
    size_t i;

    for (i = 0; l && i < l->n; i++) {
        const struct map_code_entry *en = &l->e[i];

        if (en->direction[0] == (out ? 'i' : 'o'))
            continue;
        if (strcmp(out ? en->to : en->from, value) == 0)
            return out ? en->from : en->to;
    }
    return NULL;
}

const char *map_codes_lookup(struct map_codes *c, const char *list, const char *partner,
                             const char *direction, const char *value, int *rc,
                             struct edi_err *err)
{
    struct list *l[4] = {NULL, NULL, NULL, NULL};
    int layer, any = 0;
    const char *v;
    char key[300];
    size_t i;

    *rc = 0;
    if (!safe_name(list) || (partner && !safe_name(partner))) {
        *rc = EDI_ENOTFOUND;
        edi_fail(err, EDI_ENOTFOUND, "'%s' is not a code-list name", list ? list : "");
        return NULL;
    }
    /* names are at most NAME_MAX_LEN (safe_name): the key is never cut */
    {
        size_t pn = partner ? strlen(partner) : 0, ln = strlen(list);

        if (pn)
            memcpy(key, partner, pn);
        key[pn] = '/';
        memcpy(key + pn + 1, list, ln + 1);
    }
    for (i = 0; i < c->nch; i++)
        if (strcmp(c->ch[i].key, key) == 0)
            goto found;
    /* every layer's file is read (and a broken one said) before any answer,
     * so a broken workspace list never hides behind an installed entry */
    for (layer = MAP_CODES_LOCAL_PARTNER; layer <= MAP_CODES_BASE; layer++) {
        int local = layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_LOCAL;
        int own = layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_PARTNER;

        if ((local && c->local == NULL) || (own && partner == NULL))
            continue;
        if ((l[layer] = get(c, (enum map_codes_layer)layer, own ? partner : NULL, list, err, rc)) == NULL)
            return NULL;
        any |= l[layer]->exists;
    }
    if (!any) {
        *rc = EDI_ENOTFOUND;
        if (c->local)
            edi_fail(err, EDI_ENOTFOUND,
                     "no code list '%s' (looked for %s/codelists/%s.xml and %s/codelists/%s.xml)", list,
                     c->local, list, c->dir, list);
        else
            edi_fail(err, EDI_ENOTFOUND, "no code list '%s' (looked for %s/codelists/%s.xml)", list,
                     c->dir, list);
        return NULL;
    }
    if (c->nch == c->chcap) {
        c->chcap = c->chcap ? c->chcap * 2 : 16;
        c->ch = edi_xrealloc(c->ch, c->chcap * sizeof(*c->ch));
    }
    c->ch[c->nch].key = edi_xstrdup(key);
    memcpy(c->ch[c->nch].l, l, sizeof(l));
    i = c->nch++;
found:
    for (layer = MAP_CODES_LOCAL_PARTNER; layer <= MAP_CODES_BASE; layer++)
        if ((v = find(c->ch[i].l[layer], direction, value)) != NULL)
            return v;
    return NULL;
}

/* ---- every list's files ------------------------------------------------------------ */

static void add_file(struct map_code_file **v, size_t *n, size_t *cap, const char *file,
                     const char *partner, enum map_codes_layer layer)
{
    size_t len = strlen(file);
    char stem[NAME_MAX_LEN + 8];

    if (len <= 4 || strcmp(file + len - 4, ".xml") != 0 || len - 4 >= sizeof(stem))
        return;
    memcpy(stem, file, len - 4);
    stem[len - 4] = '\0';
    /* what no lookup can name is not a list (and .NAME.xml.tmp is a write
     * under way) */
    if (!safe_name(stem))
        return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *v = edi_xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[*n].list = edi_xstrdup(stem);
    (*v)[*n].partner = partner ? edi_xstrdup(partner) : NULL;
    (*v)[*n].layer = layer;
    (*n)++;
}

/* The names in a folder, in no order; dirfd is taken (closed). NULL when
 * it cannot be read. */
static DIR *open_dir(const char *path, int dirfd)
{
    if (dirfd >= 0)
        return fdopendir(dirfd);
    return opendir(path);
}

/* A folder's *.xml files as lists of layer (partner NULL), or its
 * sub-folders' (sub: "codelists" under each, or "" for the folder itself)
 * for the partner layers. Local folders are opened without following
 * links. */
static int scan(struct map_code_file **v, size_t *n, size_t *cap, const struct map_codes *c,
                enum map_codes_layer layer, struct edi_err *err)
{
    int local = layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_LOCAL;
    int own = layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_PARTNER;
    const char *base = local ? c->local : c->dir;
    const char *rel = own ? (local ? "codelists/partners" : "partners") : "codelists";
    char path[4600];
    struct dirent *de;
    DIR *d;
    int fd = -1, rc;

    if (base == NULL)
        return 0;
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    if (local && (rc = open_nofollow(&fd, base, rel, 1, err)) < 0)
        return rc == EDI_ENOTFOUND ? 0 : rc;
    if ((d = open_dir(path, fd)) == NULL) {
        if (fd >= 0)
            close(fd);
        if (errno == ENOENT)
            return 0;
        return edi_fail(err, EDI_ECONFIG, "cannot read %s: %s", path, strerror(errno));
    }
    rc = 0;
    while ((de = readdir(d)) != NULL) {
        char sub[600];
        DIR *pd;
        struct dirent *pe;
        int pfd = -1;

        if (!own) {
            add_file(v, n, cap, de->d_name, NULL, layer);
            continue;
        }
        if (!safe_name(de->d_name))
            continue;
        snprintf(sub, sizeof(sub), local ? "%s/%s" : "%s/%s/codelists", rel, de->d_name);
        if (local && (rc = open_nofollow(&pfd, base, sub, 1, err)) < 0) {
            if (rc == EDI_ENOTFOUND) {
                rc = 0;
                continue;
            }
            break;
        }
        snprintf(path, sizeof(path), "%s/%s", base, sub);
        if ((pd = open_dir(path, pfd)) == NULL) {
            if (pfd >= 0)
                close(pfd);
            if (errno == ENOENT || errno == ENOTDIR)
                continue;
            rc = edi_fail(err, EDI_ECONFIG, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        while ((pe = readdir(pd)) != NULL)
            add_file(v, n, cap, pe->d_name, de->d_name, layer);
        closedir(pd);
    }
    closedir(d);
    return rc;
}

static int file_cmp(const void *a, const void *b)
{
    const struct map_code_file *x = a, *y = b;
    int k = strcmp(x->list, y->list);

    if (k == 0 && (x->partner == NULL) != (y->partner == NULL))
        k = x->partner == NULL ? -1 : 1;
    if (k == 0 && x->partner)
        k = strcmp(x->partner, y->partner);
    if (k == 0)
        k = (int)x->layer - (int)y->layer;
    return k;
}

int map_codes_files(struct map_code_file **out, size_t *n, struct map_codes *c, struct edi_err *err)
{
    struct map_code_file *v = NULL;
    size_t cap = 0;
    int layer, rc = 0;

    *out = NULL;
    *n = 0;
    for (layer = MAP_CODES_LOCAL_PARTNER; layer <= MAP_CODES_BASE && rc == 0; layer++)
        rc = scan(&v, n, &cap, c, (enum map_codes_layer)layer, err);
    if (rc < 0) {
        map_code_files_free(v, *n);
        *n = 0;
        return rc;
    }
    if (*n)
        qsort(v, *n, sizeof(*v), file_cmp);
    *out = v;
    return 0;
}

void map_code_files_free(struct map_code_file *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].list);
        free(v[i].partner);
    }
    free(v);
}

/* ---- editing a local file ------------------------------------------------------------ */

/* The whitespace before an entry, so the file keeps one entry a line. */
static int blank_text(xmlNodePtr n)
{
    const xmlChar *s;

    if (n == NULL || n->type != XML_TEXT_NODE)
        return 0;
    for (s = n->content; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

/* A new file: the header comment and an empty <codelist>. */
static int new_doc(xmlDocPtr *out, const struct map_codes_change *ch, struct edi_err *err)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root;
    size_t n = ch->header ? strlen(ch->header) : 0;

    /* XML: a comment holds no "--" and does not end in '-' */
    if (ch->header && (strstr(ch->header, "--") || (n && ch->header[n - 1] == '-'))) {
        xmlFreeDoc(doc);
        return edi_fail(err, EDI_ERR, "a code list's header may not hold '--' or end in '-'");
    }
    if (ch->header)
        xmlAddChild((xmlNodePtr)doc, xmlNewDocComment(doc, BAD_CAST ch->header));
    root = xmlNewDocNode(doc, NULL, BAD_CAST "codelist", NULL);
    xmlNewProp(root, BAD_CAST "name", BAD_CAST ch->list);
    xmlAddChild((xmlNodePtr)doc, root);
    *out = doc;
    return 0;
}

static int same_dir(xmlNodePtr n, const char *want)
{
    xmlChar *d = xmlGetProp(n, BAD_CAST "direction");
    const char *have = dir_name(d);

    xmlFree(d);
    return have && strcmp(have, want) == 0;
}

int map_codes_edit(struct edi_buf *text, struct map_codes_edited *res, struct map_codes *c,
                   const struct map_codes_change *ch, struct edi_err *err)
{
    enum map_codes_layer layer = ch->partner ? MAP_CODES_LOCAL_PARTNER : MAP_CODES_LOCAL;
    const char *base, *want = ch->direction ? ch->direction : (ch->to ? "both" : NULL);
    char rel[512], path[4600];
    xmlDocPtr doc = NULL;
    xmlNodePtr root, n, next, last = NULL;
    struct list check;
    int rc;

    memset(res, 0, sizeof(*res));
    if (c->local == NULL)
        return edi_fail(err, EDI_ECONFIG, "no workspace: its code lists are WORKSPACE/codelists/");
    if ((rc = where(&base, rel, sizeof(rel), c, layer, ch->partner, ch->list, err)) < 0 ||
        (rc = edi_fmt(path, sizeof(path), err, "%s/%s", base, rel)) < 0)
        return rc;
    if ((rc = map_codes_check_value("FROM", ch->from, err)) < 0 ||
        (ch->to && (rc = map_codes_check_value("TO", ch->to, err)) < 0))
        return rc;
    if (want && dir_name(BAD_CAST want) == NULL)
        return edi_fail(err, EDI_ESYNTAX, "direction '%s' is not in, out or both", want);
    rc = read_local(&doc, base, rel, err);
    if (rc == EDI_ENOTFOUND) {
        if (ch->to == NULL)
            return edi_fail(err, EDI_ENOTFOUND, "'%s' is not in the workspace's code list '%s' (no %s)",
                            ch->from, ch->list, path);
        if ((rc = new_doc(&doc, ch, err)) < 0)
            return rc;
    } else if (rc < 0) {
        return rc;
    } else {
        /* a file the engine would refuse is not edited further: it is
         * a person's to repair */
        memset(&check, 0, sizeof(check));
        rc = entries_of(&check, doc, path, err);
        while (check.n) {
            check.n--;
            free((char *)check.e[check.n].from);
            free((char *)check.e[check.n].to);
        }
        free(check.e);
        if (rc < 0)
            goto out;
    }
    root = xmlDocGetRootElement(doc);
    for (n = root->children; n; n = next) {
        xmlChar *from;
        int hit;

        next = n->next;
        if (n->type != XML_ELEMENT_NODE)
            continue;
        from = xmlGetProp(n, BAD_CAST "from");
        hit = from && strcmp((const char *)from, ch->from) == 0 && (want == NULL || same_dir(n, want));
        xmlFree(from);
        if (!hit) {
            last = n;
            res->left++;
            continue;
        }
        res->matched++;
        if (ch->to) {
            if (res->was == NULL) {
                xmlChar *to = xmlGetProp(n, BAD_CAST "to");

                res->was = edi_xstrdup((const char *)to);
                xmlFree(to);
            }
            xmlSetProp(n, BAD_CAST "to", BAD_CAST ch->to);
            last = n;
            res->left++;
        } else {
            if (blank_text(n->prev)) {
                xmlNodePtr ws = n->prev;

                xmlUnlinkNode(ws);
                xmlFreeNode(ws);
            }
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
    if (ch->to == NULL && res->matched == 0) {
        rc = edi_fail(err, EDI_ENOTFOUND, "'%s'%s%s is not in the workspace's code list '%s' (%s)", ch->from,
                      want ? " direction " : "", want ? want : "", ch->list, path);
        goto out;
    }
    if (ch->to && res->matched == 0) {
        xmlNodePtr en = xmlNewDocNode(doc, NULL, BAD_CAST "entry", NULL);

        xmlNewProp(en, BAD_CAST "from", BAD_CAST ch->from);
        xmlNewProp(en, BAD_CAST "to", BAD_CAST ch->to);
        if (strcmp(want, "both") != 0)
            xmlNewProp(en, BAD_CAST "direction", BAD_CAST want);
        /* one entry a line, after the last one; the element goes in before
         * its indentation, as libxml2 merges adjacent text nodes */
        if (last) {
            xmlAddNextSibling(last, en);
            xmlAddPrevSibling(en, xmlNewDocText(doc, BAD_CAST "\n  "));
        } else if (blank_text(root->last)) {
            xmlAddPrevSibling(root->last, en);
            xmlAddPrevSibling(en, xmlNewDocText(doc, BAD_CAST "\n  "));
        } else {
            xmlAddChild(root, xmlNewDocText(doc, BAD_CAST "\n  "));
            xmlAddChild(root, en);
            xmlAddChild(root, xmlNewDocText(doc, BAD_CAST "\n"));
        }
        res->left++;
    }
    if (res->left) {
        xmlChar *mem = NULL;
        int len = 0;

        xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
        if (mem == NULL) {
            rc = edi_fail(err, EDI_ERR, "%s: the new list cannot be written out", path);
            goto out;
        }
        edi_buf_put(text, mem, (size_t)len);
        xmlFree(mem);
    }
    /* the file is about to change under what was read */
    forget(c, layer, ch->partner, ch->list);
    rc = 0;
out:
    if (rc < 0) {
        free(res->was);
        res->was = NULL;
    }
    xmlFreeDoc(doc);
    return rc;
}
