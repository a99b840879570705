/*
 * guide_load.c — the guide registry: guides by name, each compiled once and
 * kept, from the guide cache (guide_cache.c) when its entry is there and
 * every file it was made from is unchanged, else from XML (guide_xml.c,
 * which owns libxml2 for the guides). And the code list files, read by a
 * quick reader of their plain form (libc only) or, for any other form,
 * through libxml2.
 *
 * A registry made by edi_guides_new_cached() has no XML side: what the cache
 * and the quick reader cannot serve fails, and the registry remembers it
 * (edi_guides_missed), so its program can hand the work to one that has
 * libxml2 (guide_int.h says why).
 *
 * Code lists are data files, x12/codes/VERSION/ELEMENT.xml (one per data
 * element, described in schemas/README.md), read once per registry and
 * shared by every guide it compiles. An ID element takes, in this order:
 * the <codelist> its list= names, its own <code>s, or its element's file.
 */
#include "edi/guide_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What a registry without XML cannot do: remembered, and the reason. */
static int miss(struct edi_guides *r, struct edi_err *err, const char *what, const char *name)
{
    r->missed = 1;
    return edi_fail(err, EDI_ECONFIG, "%s %s: not in the guide cache (this program reads no XML)",
                    what, name);
}

static int code_file(const struct edi_codes **out, struct edi_guides *r, const char *version,
                     const char *element, int must, struct edi_err *err);

/* ---- element code lists (x12/codes/VERSION/ELEMENT.xml) --------------------------- */

static int name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
            return 0;
    return 1;
}

void edi_gl_codedoc_add(char ***v, size_t *n, size_t *cap, char *s)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *v = edi_xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[(*n)++] = s;
}

static void codedoc_dispose(struct codedoc *d)
{
    size_t i;

    for (i = 0; i < d->ncode; i++)
        free(d->code[i]);
    for (i = 0; i < d->ndrop; i++)
        free(d->drop[i]);
    free(d->code);
    free(d->drop);
    free(d->v);
    free(d->el);
    free(d->b);
    free(d->other);
}

/* ---- the quick reader: code files in their plain form, without libxml2 ---------- */

static int qspace(char c)
{
    return c == ' ' || c == '\n' || c == '\t';
}

static int qstarts(const char *s, const char *e, const char *lit)
{
    size_t n = strlen(lit);

    return (size_t)(e - s) >= n && memcmp(s, lit, n) == 0;
}

/* Whitespace and comments; 0 when a comment is not well-formed. */
static int qmisc(const char **sp, const char *e)
{
    const char *s = *sp;

    for (;;) {
        while (s < e && qspace(*s))
            s++;
        if (!qstarts(s, e, "<!--"))
            break;
        {
            const char *body = s + 4, *end = memmem(body, (size_t)(e - body), "--", 2);

            /* the first "--" must end the comment, and not after a '-' */
            if (end == NULL || end + 2 >= e || end[2] != '>' || (end > body && end[-1] == '-'))
                return 0;
            s = end + 3;
        }
    }
    *sp = s;
    return 1;
}

/* A start tag's name and attributes, up to '>' (*empty: "/>"). Only the
 * root's version=, element= and base= are kept, when they hold no
 * entity; every attribute is checked as XML would. 0: not plain. */
static int qtag(const char **sp, const char *e, char *name, size_t cap, int *empty,
                struct codedoc *keep)
{
    const char *s = *sp;
    char seen[8][32];           /* the attribute names so far: no repeat */
    size_t nseen = 0, n = 0, i;

    if (s >= e || *s != '<')
        return 0;
    for (s++; s < e && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')); s++)
        if (n + 1 < cap)
            name[n++] = *s;
        else
            return 0;
    name[n] = '\0';
    if (n == 0)
        return 0;
    for (;;) {
        const char *an, *v, *ve;
        size_t aln;
        int ws = 0;
        char q;

        while (s < e && qspace(*s))
            s++, ws = 1;
        if (s < e && *s == '>') {
            *empty = 0;
            break;
        }
        if (qstarts(s, e, "/>")) {
            *empty = 1;
            s++;
            break;
        }
        if (!ws || s >= e || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
            return 0;
        for (an = s; s < e && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                               (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.');
             s++)
            ;
        aln = (size_t)(s - an);
        if (nseen == 8 || aln >= sizeof(seen[0]))
            return 0;
        for (i = 0; i < nseen; i++)
            if (strlen(seen[i]) == aln && memcmp(seen[i], an, aln) == 0)
                return 0;
        memcpy(seen[nseen], an, aln);
        seen[nseen++][aln] = '\0';
        while (s < e && qspace(*s))
            s++;
        if (s >= e || *s != '=')
            return 0;
        for (s++; s < e && qspace(*s); s++)
            ;
        if (s >= e || (*s != '"' && *s != '\''))
            return 0;
        q = *s++;
        v = s;
        ve = memchr(s, q, (size_t)(e - s));
        if (ve == NULL || memchr(v, '<', (size_t)(ve - v)) || memchr(v, '\n', (size_t)(ve - v)) ||
            memchr(v, '\t', (size_t)(ve - v)))
            return 0;
        for (s = v; s < ve; s++)
            if (*s == '&' && !qstarts(s, ve, "&amp;") && !qstarts(s, ve, "&lt;") &&
                !qstarts(s, ve, "&gt;") && !qstarts(s, ve, "&quot;") && !qstarts(s, ve, "&apos;"))
                return 0;
        if (keep) {
            char **slot = aln == 7 && memcmp(an, "version", 7) == 0   ? &keep->v
                          : aln == 7 && memcmp(an, "element", 7) == 0 ? &keep->el
                          : aln == 4 && memcmp(an, "base", 4) == 0    ? &keep->b
                                                                      : NULL;

            if (slot && memchr(v, '&', (size_t)(ve - v)))
                return 0;
            if (slot)
                *slot = edi_xstrndup(v, (size_t)(ve - v));
        }
        s = ve + 1;
    }
    *sp = s + 1;
    return 1;
}

/* The length of the UTF-8 sequence at p that is an XML character (not a
 * surrogate, U+FFFE or U+FFFF, at most U+10FFFF, shortest form); 0: none. */
static size_t qutf8(const unsigned char *p, const unsigned char *e)
{
    size_t n, i;
    uint32_t c;

    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, c = p[0] & 0x1f;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, c = p[0] & 0x0f;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, c = p[0] & 0x07;
    else
        return 0;
    if ((size_t)(e - p) < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
        return 0;
    return n;
}

/* Reads the plain form of a code file: UTF-8 (tab, newline and printable
 * characters), an optional <?xml version="1.0" encoding="UTF-8"?>,
 * comments, one <codes> holding only <code> and <drop> elements of plain
 * text (no entity, no markup). 1 when the file is that; 0 for anything
 * else, which libxml2 reads as before, with its own messages. */
static int quick_codes(struct codedoc *d, const char *p, size_t n)
{
    static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    const char *s = p, *e = p + n;
    char name[16];
    int empty;
    size_t i;

    for (i = 0; i < n; i++) {
        size_t k;

        if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\t')
            continue;
        if ((k = qutf8((const unsigned char *)p + i, (const unsigned char *)e)) == 0)
            return 0;
        i += k - 1;
    }
    if (qstarts(s, e, "<?")) {
        if (!qstarts(s, e, decl))
            return 0;
        s += sizeof(decl) - 1;
    }
    if (!qmisc(&s, e) || !qtag(&s, e, name, sizeof(name), &empty, d) || empty ||
        strcmp(name, "codes") != 0)
        return 0;
    d->root_ok = 1;
    for (;;) {
        const char *t, *te;
        char *text;

        if (!qmisc(&s, e))
            return 0;
        if (qstarts(s, e, "</")) {
            for (s += 2, t = s; s < e && *s >= 'a' && *s <= 'z'; s++)
                ;
            if ((size_t)(s - t) != 5 || memcmp(t, "codes", 5) != 0)
                return 0;
            while (s < e && qspace(*s))
                s++;
            if (s >= e || *s != '>')
                return 0;
            s++;
            break;
        }
        if (!qtag(&s, e, name, sizeof(name), &empty, NULL) ||
            (strcmp(name, "code") != 0 && strcmp(name, "drop") != 0))
            return 0;
        if (empty) {
            t = te = s;
        } else {
            size_t nl = strlen(name);

            t = s;
            te = memchr(s, '<', (size_t)(e - s));
            if (te == NULL || memchr(t, '&', (size_t)(te - t)) || memmem(t, (size_t)(te - t), "]]>", 3) ||
                !qstarts(te, e, "</") || (size_t)(e - te) < 2 + nl || memcmp(te + 2, name, nl) != 0)
                return 0;
            for (s = te + 2 + nl; s < e && qspace(*s); s++)
                ;
            if (s >= e || *s != '>')
                return 0;
            s++;
        }
        text = edi_xstrndup(t, (size_t)(te - t));
        if (name[0] == 'c')
            edi_gl_codedoc_add(&d->code, &d->ncode, &d->capcode, text);
        else
            edi_gl_codedoc_add(&d->drop, &d->ndrop, &d->capdrop, text);
    }
    return qmisc(&s, e) && s == e;
}

/* Reads one code file into r->pool: its <code>s, or, with base=, the base
 * version's list less its <drop>s plus its <code>s. Most files are read by
 * quick_codes; the rest, and every one it does not take, by libxml2. */
static int read_code_file(const struct edi_codes **out, struct edi_guides *r, const char *path,
                          const char *rel, const char *version, const char *element,
                          struct edi_err *err)
{
    struct codedoc d;
    const struct edi_codes *base = NULL;
    struct edi_codes *cs, drops = {0, NULL, NULL, NULL, 0};
    char *data = NULL;
    size_t n, i;
    int rc;

    char key[128], *cached;
    size_t ncached;
    int quick = 0;

    *out = NULL;
    memset(&d, 0, sizeof(d));
    /* a list read before from these very bytes (only lists without base=
     * are kept: their file is all they are made of) */
    if (r->cache && edi_fmt(key, sizeof(key), NULL, "codes %s", rel) == 0 &&
        edi_gcache_load(r->cache, key, &cached, &ncached) == 0) {
        rc = edi_gcache_get_codes(out, cached, ncached, &r->pool);
        free(cached);
        if (rc == 0)
            return 0;
    }
    if (edi_read_file(&data, &n, path, NULL) == 0 && quick_codes(&d, data, n))
        quick = 1;
    else {
        codedoc_dispose(&d);
        memset(&d, 0, sizeof(d));
        if ((rc = r->xml ? r->xml->codes(&d, r, rel, err) : miss(r, err, "code list", rel)) < 0)
            goto out;
    }
    if (!d.root_ok || d.v == NULL || d.el == NULL || strcmp(d.v, version) != 0 ||
        strcmp(d.el, element) != 0) {
        rc = edi_fail(err, EDI_ECONFIG, "%s: must be <codes element=\"%s\" version=\"%s\">", path,
                      element, version);
        goto out;
    }
    if (d.b) {
        if (strcmp(d.b, version) >= 0 || !name_ok(d.b, 6)) {
            rc = edi_fail(err, EDI_ECONFIG, "%s: base=\"%s\" must be an earlier version", path, d.b);
            goto out;
        }
        if ((rc = code_file(&base, r, d.b, element, 1, err)) < 0)
            goto out;
    }
    if (d.other) {
        rc = edi_fail(err, EDI_ECONFIG, "%s:%d: <%s> in a code list: only <code> and <drop>", path,
                      d.other_line, d.other);
        goto out;
    }
    if (d.ndrop) {
        drops.v = (const char **)d.drop;
        drops.n = d.ndrop;
        edi_codes_sort(&drops, &r->pool);
    }
    cs = edi_pool_alloc(&r->pool, sizeof(*cs));
    cs->v = edi_pool_alloc(&r->pool, ((base ? base->n : 0) + d.ncode + 1) * sizeof(*cs->v));
    for (i = 0; base && i < base->n; i++)
        if (!d.ndrop || !edi_codes_has(&drops, edi_str_c(base->v[i])))
            cs->v[cs->n++] = base->v[i];
    for (i = 0; i < d.ncode; i++)
        cs->v[cs->n++] = edi_pool_strdup(&r->pool, d.code[i]);
    if (cs->n == 0) {
        rc = edi_fail(err, EDI_ECONFIG, "%s: an empty code list", path);
        goto out;
    }
    edi_codes_sort(cs, &r->pool);
    *out = cs;
    rc = 0;
    if (r->cache && quick && d.b == NULL) {
        struct edi_gc_input in;
        struct edi_buf b;

        memset(&in, 0, sizeof(in));
        if (edi_fmt(in.rel, sizeof(in.rel), NULL, "%s.xml", rel) == 0 &&
            edi_fmt(key, sizeof(key), NULL, "codes %s", rel) == 0) {
            in.size = n;
            edi_digest_of(&in.d, data, n);
            edi_buf_init(&b, 0);
            edi_gcache_put_codes(&b, cs);
            edi_gcache_store(r->cache, key, &in, 1, b.p, b.n);
            edi_buf_dispose(&b);
        }
    }
out:
    codedoc_dispose(&d);
    free(data);
    return rc;
}

/* The registry's entry for element's code list in version, made (not read)
 * when new. The registry's lock is held. */
static int codefile_of(struct edi_codefile **out, struct edi_guides *r, const char *version,
                       const char *element, struct edi_err *err)
{
    struct edi_codefile *f;
    size_t i;

    *out = NULL;
    if (!name_ok(element, 7) || !name_ok(version, 6))
        return edi_fail(err, EDI_ECONFIG, "code list %s/%s: not an element reference", version,
                        element);
    /* a linear search: a few hundred lists, looked up only while guides compile */
    for (i = 0; i < r->ncf; i++) {
        if (strcmp(r->cf[i]->element, element) == 0 && strcmp(r->cf[i]->version, version) == 0) {
            *out = r->cf[i];
            return 0;
        }
    }
    if (r->ncf == r->capcf) {
        r->capcf = r->capcf ? r->capcf * 2 : 64;
        r->cf = edi_xrealloc(r->cf, r->capcf * sizeof(*r->cf));
    }
    f = edi_pool_alloc(&r->pool, sizeof(*f));
    f->r = r;
    snprintf(f->version, sizeof(f->version), "%s", version);
    snprintf(f->element, sizeof(f->element), "%s", element);
    atomic_init(&f->read, 0);
    r->cf[r->ncf++] = f;
    *out = f;
    return 0;
}

static int codefile_path(char *rel, size_t nrel, char *path, size_t npath,
                         const struct edi_codefile *f, struct edi_err *err)
{
    if (edi_fmt(rel, nrel, err, "x12/codes/%s/%s", f->version, f->element) < 0 ||
        edi_fmt(path, npath, err, "%s/%s.xml", f->r->dir, rel) < 0)
        return EDI_ECONFIG;
    return 0;
}

/* f's list, read from its file the first time (NULL, and 0, when there is
 * no file unless must is set). A failed read is not kept: the next call
 * reads again. The registry's lock is held. */
static int codefile_read(const struct edi_codes **out, struct edi_codefile *f, int must,
                         struct edi_err *err)
{
    char rel[64], path[4096];
    const struct edi_codes *codes = NULL;
    struct stat st;
    int rc;

    *out = NULL;
    if (atomic_load_explicit(&f->read, memory_order_acquire)) {
        *out = f->codes;
        if (*out == NULL && must)
            return edi_fail(err, EDI_ENOTFOUND, "no code list for element %s in %s", f->element,
                            f->version);
        return 0;
    }
    if ((rc = codefile_path(rel, sizeof(rel), path, sizeof(path), f, err)) < 0)
        return rc;
    /* a base= list is read (and kept) first, inside this call */
    if (stat(path, &st) == 0 &&
        (rc = read_code_file(&codes, f->r, path, rel, f->version, f->element, err)) < 0)
        return rc;
    f->codes = codes;
    atomic_store_explicit(&f->read, 1, memory_order_release);
    *out = codes;
    if (codes == NULL && must)
        return edi_fail(err, EDI_ENOTFOUND, "no code list for element %s in %s (looked for %s)",
                        f->element, f->version, path);
    return 0;
}

/* The code list of data element `element` in `version`, read once and
 * kept in the registry (NULL, and 0, when there is no file for it unless
 * must is set). The list is borrowed from the registry. The registry's
 * lock is held. */
static int code_file(const struct edi_codes **out, struct edi_guides *r, const char *version,
                     const char *element, int must, struct edi_err *err)
{
    struct edi_codefile *f;
    int rc;

    *out = NULL;
    if ((rc = codefile_of(&f, r, version, element, err)) < 0)
        return rc;
    return codefile_read(out, f, must, err);
}

/* A guide's reference to a code list, for edi_codefile_get at its first
 * use. must: the guide names the list, so a missing file is the guide's
 * error now, with the message of a read; a file that is there but broken
 * is reported when the list is first needed. */
int edi_gl_code_ref(struct edi_codefile **out, struct edi_guides *r, const char *version,
                    const char *element, int must, struct edi_err *err)
{
    struct edi_codefile *f;
    const struct edi_codes *codes;
    int rc;

    pthread_mutex_lock(&r->lock);
    *out = NULL;
    if ((rc = codefile_of(&f, r, version, element, err)) == 0 && must) {
        char rel[64], path[4096];
        struct stat st;

        f->must = 1;
        if (atomic_load_explicit(&f->read, memory_order_acquire)
                ? f->codes == NULL
                : (rc = codefile_path(rel, sizeof(rel), path, sizeof(path), f, err)) == 0 &&
                      stat(path, &st) != 0)
            rc = codefile_read(&codes, f, 1, err);
    }
    pthread_mutex_unlock(&r->lock);
    if (rc == 0)
        *out = f;
    if (rc == 0 && r->rec) {
        struct record *rec = r->rec;
        size_t i;

        /* a second call for the same list and must does what the first did */
        for (i = 0; i < rec->nrefs && !(rec->refs[i].f == f && rec->refs[i].must >= must); i++)
            ;
        if (i == rec->nrefs) {
            if (rec->nrefs == rec->cap) {
                rec->cap = rec->cap ? rec->cap * 2 : 64;
                rec->refs = edi_xrealloc(rec->refs, rec->cap * sizeof(*rec->refs));
            }
            memset(&rec->refs[rec->nrefs], 0, sizeof(rec->refs[0]));
            snprintf(rec->refs[rec->nrefs].version, sizeof(rec->refs[0].version), "%s", version);
            snprintf(rec->refs[rec->nrefs].element, sizeof(rec->refs[0].element), "%s", element);
            rec->refs[rec->nrefs].must = must;
            rec->refs[rec->nrefs].f = f;
            rec->nrefs++;
        }
    }
    return rc;
}

/* A cached guide's code list reference, made again as its compile made it. */
static int resolve_ref(void *ctx, struct edi_gc_ref *ref, struct edi_err *err)
{
    return edi_gl_code_ref(&ref->f, ctx, ref->version, ref->element, ref->must, err);
}

int edi_codefile_get(const struct edi_codes **out, struct edi_codefile *f, struct edi_err *err)
{
    int rc;

    if (atomic_load_explicit(&f->read, memory_order_acquire) && (f->codes || !f->must)) {
        *out = f->codes;
        return 0;
    }
    pthread_mutex_lock(&f->r->lock);
    rc = codefile_read(out, f, f->must, err);
    pthread_mutex_unlock(&f->r->lock);
    return rc;
}

/* A guide from the cache when its entry is there and every file it was
 * made from is unchanged, else compiled from XML and its entry written.
 * Either way the same guide: the entry holds the compile's result, and the
 * code list references are made again in the compile's order, so a list
 * that is gone now is the same error. */
static int compile(struct edi_guide **out, struct edi_guides *r, const char *id, struct edi_err *err)
{
    struct record rec;
    char key[600], *p;
    size_t n;
    int rc;

    *out = NULL;
    if (r->cache == NULL || edi_fmt(key, sizeof(key), NULL, "guide %s", id) < 0)
        return r->xml ? r->xml->compile(out, r, id, err) : miss(r, err, "guide", id);
    if (edi_gcache_load(r->cache, key, &p, &n) == 0) {
        rc = edi_gcache_get_guide(out, p, n, resolve_ref, r, err);
        free(p);
        if (rc <= 0)
            return rc;
    }
    if (r->xml == NULL)
        return miss(r, err, "guide", id);
    memset(&rec, 0, sizeof(rec));
    r->rec = &rec;
    rc = r->xml->compile(out, r, id, err);
    r->rec = NULL;
    if (rc == 0 && !rec.over && r->xsd) {
        struct edi_buf b;

        rec.in[rec.nin++] = r->xsd_in;
        edi_buf_init(&b, 0);
        edi_gcache_put_guide(&b, *out, rec.refs, rec.nrefs);
        edi_gcache_store(r->cache, key, rec.in, rec.nin, b.p, b.n);
        edi_buf_dispose(&b);
    }
    free(rec.refs);
    return rc;
}

/* ---- registry ------------------------------------------------------------------------ */

int edi_gl_open(struct edi_guides **out, const char *schema_dir, const struct edi_guides_xml *xml,
                struct edi_err *err)
{
    struct edi_guides *r;
    char path[4096];
    struct stat st;

    *out = NULL;
    if (edi_fmt(path, sizeof(path), err, "%s/guide.xsd", schema_dir) < 0)
        return EDI_ECONFIG;
    if (stat(path, &st) != 0)
        return edi_fail(err, EDI_ECONFIG, "no guide schema at %s: set WHARF_SCHEMAS to the schemas folder",
                        path);
    r = edi_xcalloc(1, sizeof(*r));
    r->dir = edi_xstrdup(schema_dir);
    r->xml = xml;
    edi_pool_init(&r->pool);
    pthread_mutex_init(&r->lock, NULL);
    /* guide.xsd is parsed when a guide is first compiled from XML: a
     * command whose guides all come from the cache never needs it */
    r->cache = edi_gcache_open(schema_dir);
    *out = r;
    return 0;
}

int edi_guides_new_cached(struct edi_guides **out, const char *schema_dir, struct edi_err *err)
{
    return edi_gl_open(out, schema_dir, NULL, err);
}

int edi_guides_missed(const struct edi_guides *r)
{
    return r && r->missed;
}

void edi_guides_free(struct edi_guides *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n; i++) {
        free(r->c[i].id);
        edi_pool_dispose(&r->c[i].g->pool);
        free(r->c[i].g);
    }
    free(r->c);
    free(r->cf);
    pthread_mutex_destroy(&r->lock);
    edi_pool_dispose(&r->pool);
    if (r->xml)
        r->xml->dispose(r);
    edi_gcache_free(r->cache);
    free(r->dir);
    free(r);
}

const char *edi_guides_dir(const struct edi_guides *r)
{
    return r->dir;
}

int edi_guides_codes(const struct edi_codes **out, struct edi_guides *r, const char *version,
                     const char *element, struct edi_err *err)
{
    int rc;

    pthread_mutex_lock(&r->lock);
    rc = code_file(out, r, version, element, 1, err);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int edi_guides_get(const struct edi_guide **out, struct edi_guides *r, const char *id,
                   struct edi_err *err)
{
    struct edi_guide *g;
    size_t i;
    int rc;

    *out = NULL;
    if (strstr(id, "..") || id[0] == '/')
        return edi_fail(err, EDI_ENOTFOUND, "guide name %s may not leave the schemas folder", id);
    for (i = 0; i < r->n; i++) {
        if (strcmp(r->c[i].id, id) == 0) {
            *out = r->c[i].g;
            return 0;
        }
    }
    if ((rc = compile(&g, r, id, err)) < 0)
        return rc;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->c = edi_xrealloc(r->c, r->cap * sizeof(*r->c));
    }
    r->c[r->n].id = edi_xstrdup(id);
    r->c[r->n].g = g;
    r->n++;
    *out = g;
    return 0;
}

int edi_guides_peek(struct edi_guide_id *out, struct edi_guides *r, const char *id,
                    struct edi_err *err)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < r->n; i++)
        if (strcmp(r->c[i].id, id) == 0) {
            snprintf(out->set, sizeof(out->set), "%s", r->c[i].g->set);
            snprintf(out->version, sizeof(out->version), "%s", r->c[i].g->version);
            return 0;
        }
    return r->xml ? r->xml->peek(out, r, id, 0, err) : miss(r, err, "guide", id);
}

int edi_guides_for(const struct edi_guide **out, struct edi_guides *r, const char *gs08,
                   const char *set, struct edi_err *err)
{
    char id[64];

    if (edi_fmt(id, sizeof(id), err, "x12/%.6s/%s", gs08, set) < 0)
        return EDI_ENOTFOUND;
    return edi_guides_get(out, r, id, err);
}
