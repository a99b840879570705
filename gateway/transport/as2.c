/*
 * as2.c — the transport kind "as2" (transport.h, as2.h): a partner's AS2
 * endpoint (RFC 4130), over the CMS core (net/cms.h) and the HTTP client
 * (net/http.h); the receiving end runs in `wharf serve` on <as2 listen>.
 *
 *   send     builds the message (compress, sign, encrypt: cms.h), POSTs it
 *            with the AS2 headers and reads the receipt. The Message-ID is
 *            made at the first send of an outbox message and kept in the
 *            store (as2_messages), so every resend carries the same one
 *            and the partner's duplicate detection answers it again. A
 *            message whose positive receipt is recorded is never POSTed
 *            again. Sync MDN: verified with the partner's certificates, its
 *            Original-Message-ID and MIC compared: positive → accepted;
 *            negative → rejected with its disposition; a MIC that differs
 *            → rejected (the partner holds other bytes than we signed: an
 *            operator sends it again, as a new message); a receipt that
 *            does not verify or is about another message → unknown (an
 *            operator looks). Async MDN: the receipt is asked about later
 *            (status()). No answer (refused, reset, timeout, 5xx) →
 *            EDI_EAGAIN: the flush retries with back-off, same Message-ID;
 *            a 4xx → EDI_ECONFIG (retried hourly; the partner's words in
 *            the log).
 *   status   an async receipt recorded by the listener → accepted or
 *            rejected; none after mdn-timeout seconds → resend (the flush
 *            sends it again, same Message-ID); else pending.
 *   poll     nothing: messages arrive at the listener (gw_as2_receive),
 *            which lands them in the store; the inbound flow takes them.
 *   settle   a quarantined message is kept in quarantine/ too.
 *
 * The async receipts we owe partners go through the outbox (kind as2-mdn,
 * the URL as its name), so they are retried with back-off and survive a
 * restart; send() POSTs them as they are.
 */
#include "gateway/transport/as2.h"
#include "gateway/transport/transport.h"

#include "gateway/core/digest.h"
#include "gateway/core/fileio.h"
#include "gateway/net/mime.h"
#include "gateway/secret/vault.h"

#include <ctype.h>
#include <strings.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REPORTING_UA "wharf AS2"

/* ---- names and paths ----------------------------------------------------------------------- */

const char *gw_as2_slot_name(enum gw_as2_slot s)
{
    return s == GW_AS2_NEXT ? "next" : s == GW_AS2_OLD ? "old" : "current";
}

const char *gw_as2_key_secret(enum gw_as2_slot s)
{
    return s == GW_AS2_NEXT ? "as2-key-next" : s == GW_AS2_OLD ? "as2-key-old" : "as2-key";
}

int gw_as2_cert_path(char *out, size_t cap, const struct gw_config *cfg, const struct gw_partner *p, int ours,
                     enum gw_as2_slot s, struct edi_err *err)
{
    const char *suffix = s == GW_AS2_NEXT ? ".next" : s == GW_AS2_OLD ? ".old" : "";
    const char *pc = p->as2.partner_cert;
    size_t n;

    if (ours)
        return edi_fmt(out, cap, err, "%s/certs/%s.ours%s.pem", cfg->workspace, p->id, suffix);
    n = strlen(pc);
    if (n > 4 && strcmp(pc + n - 4, ".pem") == 0)
        return edi_fmt(out, cap, err, "%.*s%s.pem", (int)(n - 4), pc, suffix);
    return edi_fmt(out, cap, err, "%s%s", pc, suffix);
}

void gw_as2_creds_free(struct gw_as2_creds *cr)
{
    size_t i;

    for (i = 0; i < cr->nkeys; i++)
        gw_cms_key_free(cr->keys[i]);
    for (i = 0; i < cr->ncerts; i++)
        gw_cms_cert_free(cr->certs[i]);
    memset(cr, 0, sizeof(*cr));
}

int gw_as2_creds_load(struct gw_as2_creds *cr, struct gw_store *st, const struct gw_config *cfg,
                      const struct gw_partner *p, struct edi_err *err)
{
    struct gw_vault *v = NULL;
    char kpath[4096], path[4400];
    struct edi_err e;
    int s, rc;

    memset(cr, 0, sizeof(*cr));
    if ((rc = gw_vault_key_path(kpath, sizeof(kpath), cfg->workspace, err)) < 0 ||
        (rc = gw_vault_open(&v, st, kpath, err)) < 0)
        return rc;
    for (s = 0; s < GW_AS2_SLOTS; s++) {
        struct gw_secret *sec = NULL;
        const char *c;

        rc = gw_vault_get(v, p->id, gw_as2_key_secret((enum gw_as2_slot)s), &sec, err);
        if (rc == EDI_ENOTFOUND)
            continue;
        if (rc < 0)
            break;
        c = strstr(sec->p, "-----BEGIN CERTIFICATE-----");
        rc = c == NULL ? edi_fail(err, EDI_ECONFIG, "partner %s: the vault's %s holds no certificate", p->id,
                                  gw_as2_key_secret((enum gw_as2_slot)s))
                       : gw_cms_key_new(&cr->keys[cr->nkeys], sec->p, (size_t)(c - sec->p), c,
                                        sec->n - (size_t)(c - sec->p), err);
        gw_secret_free(sec);
        if (rc < 0)
            break;
        if (s == GW_AS2_CURRENT)
            cr->have_current_key = 1;
        cr->nkeys++;
    }
    gw_vault_close(v);
    if (rc < 0 && rc != EDI_ENOTFOUND) {
        gw_as2_creds_free(cr);
        return rc;
    }
    for (s = 0; s < GW_AS2_SLOTS; s++) {
        char *data;
        size_t n;

        if ((rc = gw_as2_cert_path(path, sizeof(path), cfg, p, 0, (enum gw_as2_slot)s, err)) < 0)
            break;
        edi_err_clear(&e);
        if (edi_read_file(&data, &n, path, &e) < 0) {
            if (e.sys == ENOENT) {
                rc = 0;
                continue;
            }
            rc = edi_fail(err, EDI_ECONFIG, "partner %s: %s", p->id, e.msg);
            break;
        }
        rc = gw_cms_cert_new(&cr->certs[cr->ncerts], data, n, err);
        free(data);
        if (rc < 0) {
            rc = edi_fail(err, EDI_ECONFIG, "partner %s: %s is not a certificate", p->id, path);
            break;
        }
        if (s == GW_AS2_CURRENT)
            cr->have_current_cert = 1;
        cr->ncerts++;
    }
    if (rc < 0) {
        gw_as2_creds_free(cr);
        return rc;
    }
    return 0;
}

/* ---- headers --------------------------------------------------------------------------------- */

int gw_as2_message_id(char *out, size_t cap, int64_t outbox_id, const char *random_hex, const char *host)
{
    char h[128];
    size_t k = 0;

    for (; host && *host && k < sizeof(h) - 1; host++)
        if (isalnum((unsigned char)*host) || *host == '.' || *host == '-')
            h[k++] = *host;
    h[k] = '\0';
    if (k == 0)
        snprintf(h, sizeof(h), "localhost");
    return edi_fmt(out, cap, NULL, "<wharf-%lld-%s@%s>", (long long)outbox_id, random_hex, h) < 0 ? -1 : 0;
}

void gw_as2_name_value(char *out, size_t cap, const char *name)
{
    size_t k = 0;
    const char *q;

    if (strpbrk(name, " \"\\") == NULL) {
        snprintf(out, cap, "%s", name);
        return;
    }
    if (cap < 3) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[k++] = '"';
    for (q = name; *q && k + 3 < cap; q++) {
        if (*q == '"' || *q == '\\')
            out[k++] = '\\';
        out[k++] = *q;
    }
    out[k++] = '"';
    out[k] = '\0';
}

void gw_as2_name_read(char *out, size_t cap, const char *value)
{
    size_t k = 0, n;
    const char *q;

    if (cap == 0)
        return;
    while (*value == ' ' || *value == '\t')
        value++;
    n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        for (q = value + 1; q < value + n - 1 && k + 1 < cap; q++) {
            if (*q == '\\' && q + 1 < value + n - 1)
                q++;
            out[k++] = *q;
        }
        out[k] = '\0';
        return;
    }
    snprintf(out, cap, "%.*s", (int)n, value);
}

void gw_as2_dno(char *out, size_t cap, enum gw_cms_md md)
{
    snprintf(out, cap, "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, %s",
             gw_cms_md_name(md));
}

enum gw_cms_md gw_as2_dno_micalg(const char *dno, int *signed_asked)
{
    char low[1024];
    const char *m;
    size_t i;

    *signed_asked = 0;
    if (dno == NULL)
        return GW_MD_NONE;
    for (i = 0; dno[i] && i < sizeof(low) - 1; i++)
        low[i] = (char)tolower((unsigned char)dno[i]);
    low[i] = '\0';
    if (strstr(low, "pkcs7-signature") != NULL)
        *signed_asked = 1;
    if ((m = strstr(low, "signed-receipt-micalg")) == NULL)
        return GW_MD_NONE;
    m += strlen("signed-receipt-micalg");
    m += strspn(m, " \t=");
    /* "optional, sha-256, sha1" or "required,sha-256": the importance first */
    for (;;) {
        char tok[32];
        size_t n;
        enum gw_cms_md md;

        m += strspn(m, " \t,");
        n = strcspn(m, " \t,;");
        if (n == 0)
            return GW_MD_NONE;
        snprintf(tok, sizeof(tok), "%.*s", (int)(n < sizeof(tok) ? n : sizeof(tok) - 1), m);
        if (strcmp(tok, "optional") != 0 && strcmp(tok, "required") != 0 &&
            (md = gw_cms_md_parse(tok)) != GW_MD_NONE)
            return md;
        m += n;
        if (*m == ';' || *m == '\0')
            return GW_MD_NONE;
    }
}

int gw_as2_is_mdn(const char *content_type, const char *body, size_t n)
{
    struct gw_mime_ct ct;
    struct gw_mime_entity e;
    struct edi_str parts[4];
    size_t np = 0;
    struct edi_err err;
    const char *b;
    char inner[256];
    struct gw_mime_ct ict;

    if (content_type == NULL || gw_mime_ct_parse(&ct, content_type, &err) < 0)
        return 0;
    if (strcmp(ct.type, "multipart/report") == 0)
        return 1;
    if (strcmp(ct.type, "multipart/signed") != 0 || (b = gw_mime_ct_param(&ct, "boundary")) == NULL)
        return 0;
    if (gw_mime_multipart(parts, 4, &np, (struct edi_str){body, n}, b, &err) < 0 || np < 1)
        return 0;
    if (gw_mime_entity_parse(&e, parts[0].p, parts[0].n, &err) < 0 ||
        gw_mime_get(inner, sizeof(inner), &e, "Content-Type") < 0 || gw_mime_ct_parse(&ict, inner, &err) < 0)
        return 0;
    return strcmp(ict.type, "multipart/report") == 0;
}

/* 32 hex digits from the system's random source. */
static int random_hex(char out[33])
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t i;

    if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    for (i = 0; i < sizeof(b); i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

static void http_date(char *out, size_t cap, time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static enum gw_cms_md md_word(const char *w)
{
    return w == NULL || strcmp(w, "none") == 0 ? GW_MD_NONE : gw_cms_md_parse(w);
}

/* ---- the transport --------------------------------------------------------------------------- */

struct gw_transport {
    struct gw_ctx *c;
    const struct gw_partner *p;
    struct gw_http *http;
    struct gw_as2_creds cr;
    int loaded;
};

static int as2_open(struct gw_transport **out, struct gw_ctx *c, const struct gw_partner *p, struct edi_err *err)
{
    struct gw_transport *t = edi_xcalloc(1, sizeof(*t));

    t->c = c;
    t->p = p;
    *out = t;
    return 0;
}

static void as2_close(struct gw_transport *t)
{
    if (t == NULL)
        return;
    gw_http_free(t->http);
    gw_as2_creds_free(&t->cr);
    free(t);
}

/* The HTTP client and the credentials, at the first send. */
static int ready(struct gw_transport *t, struct edi_err *err)
{
    const struct gw_as2_conf *a = &t->p->as2;
    int rc;

    if (!t->loaded) {
        if ((rc = gw_as2_creds_load(&t->cr, t->c->store, t->c->cfg, t->p, err)) < 0)
            return rc;
        t->loaded = 1;
    }
    if (t->http == NULL) {
        struct gw_http_opts o;

        memset(&o, 0, sizeof(o));
        o.timeout_ms = (long)a->mdn_timeout * 1000;
        o.ca_file = a->ca_file;
        o.max_response = 4u << 20;
        o.client = "as2";
        o.target = t->p->id;
        if ((rc = gw_http_new(&t->http, t->c, &o, err)) < 0)
            return rc;
    }
    return 0;
}

static void poll_log_status(struct gw_transport *t, const char *what, long status)
{
    gw_log(t->c, "warn", "%s: AS2 %s: HTTP %ld from %s", t->p->id, what, status, t->p->as2.url);
}

/* POSTs body with the AS2 headers (hv: extra name/value pairs). */
static int post(struct gw_transport *t, const char *url, const char *content_type, const void *body, size_t n,
                const char *message_id, const struct gw_http_header *extra, size_t nextra,
                struct gw_http_resp *rs, struct edi_err *err)
{
    const struct gw_as2_conf *a = &t->p->as2;
    struct gw_http_header h[16];
    struct gw_http_req rq;
    char from[300], to[300], date[64];
    size_t k = 0, i;

    gw_as2_name_value(from, sizeof(from), a->our_as2_id);
    gw_as2_name_value(to, sizeof(to), a->as2_id);
    http_date(date, sizeof(date), t->c->now);
    h[k++] = (struct gw_http_header){"AS2-Version", "1.2"};
    h[k++] = (struct gw_http_header){"AS2-From", from};
    h[k++] = (struct gw_http_header){"AS2-To", to};
    h[k++] = (struct gw_http_header){"Message-ID", message_id};
    h[k++] = (struct gw_http_header){"Date", date};
    h[k++] = (struct gw_http_header){"MIME-Version", "1.0"};
    h[k++] = (struct gw_http_header){"User-Agent", REPORTING_UA};
    for (i = 0; i < nextra && k < 16; i++)
        h[k++] = extra[i];
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.url = url;
    rq.headers = h;
    rq.nheaders = k;
    rq.body = body;
    rq.nbody = n;
    rq.content_type = content_type;
    return gw_http_do(t->http, &rq, rs, err);
}

/* An async MDN we owe the partner: bytes are "Content-Type: ...\r\n\r\n" and
 * the MDN's body; the name is the URL. */
static int send_mdn(struct gw_transport *t, const struct gw_outbox_item *it, struct gw_receipt *r,
                    struct edi_err *err)
{
    struct gw_mime_entity e;
    struct gw_http_resp rs;
    char ct[256], hex[33], mid[300];
    int rc;

    if (gw_mime_entity_parse(&e, (const char *)it->bytes, it->n, err) < 0 ||
        gw_mime_get(ct, sizeof(ct), &e, "Content-Type") < 0)
        return edi_fail(err, EDI_ECONFIG, "the receipt in the outbox is damaged");
    if ((rc = ready(t, err)) < 0)
        return rc;
    if (random_hex(hex) < 0)
        return edi_fail(err, EDI_EIO, "no random bytes: %s", strerror(errno));
    gw_as2_message_id(mid, sizeof(mid), it->id, hex, t->p->as2.our_as2_id);
    if ((rc = post(t, it->name, ct, e.body.p, e.body.n, mid, NULL, 0, &rs, err)) < 0)
        return rc;
    if (rs.status >= 200 && rs.status < 300) {
        gw_http_resp_free(&rs);
        snprintf(r->id, sizeof(r->id), "%.255s", mid);
        return 0;
    }
    poll_log_status(t, "receipt", rs.status);
    rc = edi_fail(err, rs.status >= 500 || rs.status == 429 ? EDI_EAGAIN : EDI_ECONFIG,
                  "the receipt was refused: HTTP %ld", rs.status);
    gw_http_resp_free(&rs);
    return rc;
}

/* A sync receipt: what it says of message mid, in r. */
static void read_sync_mdn(struct gw_transport *t, const struct gw_http_resp *rs, const char *mid, const char *mic,
                          struct gw_receipt *r)
{
    const struct gw_as2_conf *a = &t->p->as2;
    const char *ct = gw_http_header(rs, "content-type");
    struct gw_cms_open_opts o;
    struct gw_cms_mdn md;
    struct edi_err e;
    char got[300], want[300];

    memset(&o, 0, sizeof(o));
    o.certs = (const struct gw_cms_cert *const *)t->cr.certs;
    o.ncerts = t->cr.ncerts;
    o.require_signed = md_word(a->mdn_sign) != GW_MD_NONE;
    o.now = t->c->now;
    edi_err_clear(&e);
    if (gw_cms_mdn_open(&md, ct ? ct : "", rs->body, rs->nbody, &o, &e) < 0) {
        snprintf(r->status, sizeof(r->status), "unknown");
        snprintf(r->detail, sizeof(r->detail), "the receipt does not verify (%s): %.300s",
                 gw_cms_fail_modifier(md.fail), e.msg);
        return;
    }
    gw_as2_name_read(got, sizeof(got), md.original_message_id);
    gw_as2_name_read(want, sizeof(want), mid);
    /* Message-IDs with or without <> (research §4.4) */
    {
        const char *g = got, *w = want;
        size_t gn = strlen(g), wn = strlen(w);

        if (gn >= 2 && g[0] == '<' && g[gn - 1] == '>') {
            g++;
            gn -= 2;
        }
        if (wn >= 2 && w[0] == '<' && w[wn - 1] == '>') {
            w++;
            wn -= 2;
        }
        if (gn != wn || strncmp(g, w, gn) != 0) {
            snprintf(r->status, sizeof(r->status), "unknown");
            snprintf(r->detail, sizeof(r->detail), "the receipt is about another message (%.200s)",
                     md.original_message_id);
            return;
        }
    }
    if (!md.processed) {
        snprintf(r->status, sizeof(r->status), "rejected");
        snprintf(r->detail, sizeof(r->detail), "AS2 receipt: %.400s", md.disposition);
        return;
    }
    if (!gw_cms_mic_eq(md.mic, mic)) {
        snprintf(r->status, sizeof(r->status), "rejected");
        snprintf(r->detail, sizeof(r->detail), "AS2 receipt: the MIC differs (the partner's %.100s, ours %.100s): "
                 "the partner holds other bytes than were signed", md.mic[0] ? md.mic : "none", mic);
        return;
    }
    snprintf(r->status, sizeof(r->status), "accepted");
    snprintf(r->detail, sizeof(r->detail), "AS2 receipt: %.400s", md.disposition);
}

static int as2_send(struct gw_transport *t, const struct gw_outbox_item *it, struct gw_receipt *r,
                    struct edi_err *err)
{
    const struct gw_as2_conf *a = &t->p->as2;
    struct gw_as2_msg *m = NULL;
    struct gw_cms_build_opts bo;
    struct gw_cms_msg msg;
    struct gw_http_resp rs;
    struct gw_http_header extra[4];
    char mid[300], dno[200], subject[300], hex[33], host[256];
    enum gw_cms_md sign = md_word(a->sign), mdn_md = md_word(a->mdn_sign);
    enum gw_cms_cipher cipher = GW_CIPHER_NONE;
    int rc, async = strcmp(a->mdn, "async") == 0, none = strcmp(a->mdn, "none") == 0;
    size_t ne = 0;

    memset(r, 0, sizeof(*r));
    if (strcmp(it->kind, GW_AS2_MDN_KIND) == 0)
        return send_mdn(t, it, r, err);
    if (strcmp(a->encrypt, "none") != 0 && gw_cms_cipher_parse(&cipher, a->encrypt) < 0)
        return edi_fail(err, EDI_ECONFIG, "partner %s: encrypt=\"%s\" is not known", t->p->id, a->encrypt);
    if ((rc = ready(t, err)) < 0)
        return rc;
    if (sign != GW_MD_NONE && !t->cr.have_current_key)
        return edi_fail(err, EDI_ECONFIG, "partner %s: no AS2 key of ours to sign with: `wharf certs new %s`",
                        t->p->id, t->p->id);
    if (!t->cr.have_current_cert && (cipher != GW_CIPHER_NONE || (mdn_md != GW_MD_NONE && !none)))
        return edi_fail(err, EDI_ECONFIG, "partner %s: no certificate of the partner's: `wharf certs import %s "
                        "FILE`", t->p->id, t->p->id);

    /* the Message-ID: this outbox message's since its first send */
    rc = gw_store_as2_of_outbox(&m, t->c->store, it->id, err);
    if (rc == EDI_ENOTFOUND) {
        struct gw_as2_msg nm;
        int existed;

        if (random_hex(hex) < 0)
            return edi_fail(err, EDI_EIO, "no random bytes: %s", strerror(errno));
        if (gethostname(host, sizeof(host)) != 0)
            host[0] = '\0';
        host[sizeof(host) - 1] = '\0';
        gw_as2_message_id(mid, sizeof(mid), it->id, hex, host);
        memset(&nm, 0, sizeof(nm));
        nm.partner = (char *)t->p->id;
        nm.direction = "out";
        nm.message_id = mid;
        nm.outbox_id = it->id;
        nm.status = "sending";
        if ((rc = gw_store_as2_put(&existed, t->c->store, &nm, t->c->now, err)) < 0)
            return rc;
    } else if (rc < 0) {
        return rc;
    } else {
        snprintf(mid, sizeof(mid), "%s", m->message_id);
        /* a positive receipt is on record (a crash before the outbox knew):
         * never POSTed again */
        if (strcmp(m->status, "accepted") == 0 || strcmp(m->status, "rejected") == 0) {
            snprintf(r->id, sizeof(r->id), "%.255s", mid);
            snprintf(r->status, sizeof(r->status), "%s", m->status);
            snprintf(r->detail, sizeof(r->detail), "%s", m->detail ? m->detail : "");
            gw_as2_msg_free(m);
            return 0;
        }
        gw_as2_msg_free(m);
    }

    memset(&bo, 0, sizeof(bo));
    bo.content_type = a->content_type;
    bo.filename = it->name;
    bo.compress = a->compress;
    bo.sign = sign;
    bo.signer = t->cr.have_current_key ? t->cr.keys[0] : NULL;
    bo.encrypt = cipher;
    bo.recipient = t->cr.have_current_cert ? t->cr.certs[0] : NULL;
    bo.mic_md = mdn_md;
    if ((rc = gw_cms_build(&msg, it->bytes, it->n, &bo, err)) < 0) {
        gw_cms_msg_dispose(&msg);
        return rc == EDI_ELIMIT ? EDI_ECONFIG : rc;
    }
    snprintf(subject, sizeof(subject), "EDI %s %s", it->kind, it->name ? it->name : "");
    for (char *q = subject; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = ' ';
    extra[ne++] = (struct gw_http_header){"Subject", subject};
    if (!none) {
        extra[ne++] = (struct gw_http_header){"Disposition-Notification-To",
                                              async ? a->mdn_url : a->our_as2_id};
        if (mdn_md != GW_MD_NONE) {
            gw_as2_dno(dno, sizeof(dno), mdn_md);
            extra[ne++] = (struct gw_http_header){"Disposition-Notification-Options", dno};
        }
        if (async)
            extra[ne++] = (struct gw_http_header){"Receipt-Delivery-Option", a->mdn_url};
    }
    if ((rc = gw_store_as2_update(t->c->store, "out", t->p->id, mid, msg.mic, "sending", NULL, 0, t->c->now, err)) <
        0) {
        gw_cms_msg_dispose(&msg);
        return rc;
    }
    rc = post(t, a->url, msg.content_type, msg.body.p, msg.body.n, mid, extra, ne, &rs, err);
    if (rc < 0) {
        gw_cms_msg_dispose(&msg);
        return rc;   /* no answer: the flush retries, same Message-ID */
    }
    snprintf(r->id, sizeof(r->id), "%.255s", mid);
    if (rs.status < 200 || rs.status >= 300) {
        poll_log_status(t, "message", rs.status);
        rc = edi_fail(err, rs.status >= 500 || rs.status == 429 || rs.status == 408 ? EDI_EAGAIN : EDI_ECONFIG,
                      "%s refused the AS2 message: HTTP %ld", a->url, rs.status);
        gw_http_resp_free(&rs);
        gw_cms_msg_dispose(&msg);
        return rc;
    }
    if (none) {
        rc = gw_store_as2_update(t->c->store, "out", t->p->id, mid, NULL, "accepted", "no receipt asked", 0,
                                 t->c->now, err);
    } else if (async) {
        r->ask = 1;
        rc = gw_store_as2_update(t->c->store, "out", t->p->id, mid, NULL, "sent", NULL, 0, t->c->now, err);
    } else {
        read_sync_mdn(t, &rs, mid, msg.mic, r);
        rc = gw_store_as2_update(t->c->store, "out", t->p->id, mid, NULL, r->status, r->detail, 0, t->c->now,
                                 err);
    }
    gw_http_resp_free(&rs);
    gw_cms_msg_dispose(&msg);
    return rc;
}

static int as2_status(struct gw_transport *t, const struct gw_receipt_row *rr, struct gw_said *out,
                      struct edi_err *err)
{
    struct gw_as2_msg *m = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gw_store_as2_get(&m, t->c->store, "out", t->p->id, rr->receipt, err)) < 0)
        return rc;
    if (strcmp(m->status, "accepted") == 0 || strcmp(m->status, "rejected") == 0 ||
        strcmp(m->status, "unknown") == 0) {
        snprintf(out->status, sizeof(out->status), "%s", m->status);
        snprintf(out->detail, sizeof(out->detail), "%s", m->detail ? m->detail : "");
    } else if (t->c->now - m->updated >= t->p->as2.mdn_timeout) {
        snprintf(out->status, sizeof(out->status), "resend");
        snprintf(out->detail, sizeof(out->detail), "no AS2 receipt within %d s: sent again with the same "
                 "Message-ID", t->p->as2.mdn_timeout);
    } else {
        snprintf(out->status, sizeof(out->status), "pending");
    }
    gw_as2_msg_free(m);
    return 0;
}

static int as2_poll(struct gw_transport *t, struct gw_stats *st, struct edi_err *err)
{
    (void)t;
    (void)st;
    (void)err;
    return 0;
}

static void as2_settle(struct gw_transport *t, int64_t raw_id, const char *verdict, const char *reason)
{
    gw_transport_settle_local(t->c, t->p, raw_id, verdict, reason);
}

static void as2_keep(struct gw_transport *t, const char *name, const void *bytes, size_t n, const char *why)
{
    gw_transport_keep_local(t->c, t->p, name, bytes, n, why);
}

/* Nothing is left half done by a dead sender: the Message-ID is in the
 * store, and the next send POSTs again with it. */
static void as2_abandoned(struct gw_transport *t, const struct gw_outbox_item *it, long pid)
{
    (void)t;
    (void)it;
    (void)pid;
}

const struct gw_transport_type gw_transport_as2 = {
    .name = "as2",
    .open = as2_open,
    .poll = as2_poll,
    .settle = as2_settle,
    .keep = as2_keep,
    .send = as2_send,
    .abandoned = as2_abandoned,
    .status = as2_status,
    .close = as2_close,
};

/* ---- the receiving end ----------------------------------------------------------------------- */

static const char *hget(const struct gw_http_header *h, size_t nh, const char *name)
{
    size_t i;

    for (i = 0; i < nh; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

static void reply_text(struct gw_as2_reply *out, int status, const char *msg)
{
    out->status = status;
    snprintf(out->content_type, sizeof(out->content_type), "text/plain");
    edi_buf_reset(&out->body);
    edi_buf_printf(&out->body, "%s\n", msg);
}

static void reply_header(struct gw_as2_reply *out, const char *name, const char *value)
{
    size_t k = out->nheaders;

    if (k >= sizeof(out->headers) / sizeof(out->headers[0]) || !gw_mime_value_ok(value, sizeof(out->hvals[0]) - 1))
        return;
    snprintf(out->hvals[k], sizeof(out->hvals[k]), "%s", value);
    out->headers[k].name = name;
    out->headers[k].value = out->hvals[k];
    out->nheaders++;
}

/* A file-name-safe form of a Message-ID or a name: letters, digits, '.',
 * '-', '_' and '@' kept, the rest '_'; never starting with '.'. */
static void safe_name(char *out, size_t cap, const char *prefix, const char *s, const char *suffix)
{
    size_t k, lim;

    snprintf(out, cap, "%s", prefix);
    k = strlen(out);
    lim = cap > strlen(suffix) + 1 ? cap - strlen(suffix) - 1 : 0;
    for (; s && *s && k < lim && k < 120; s++) {
        char ch = *s;

        if (ch == '<' || ch == '>')
            continue;
        int keep = isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '@' || (ch == '.' && k > 0);

        out[k++] = keep ? ch : '_';
    }
    out[k] = '\0';
    snprintf(out + k, cap - k, "%s", suffix);
}

/* 1 when a partner's Receipt-Delivery-Option is a URL we POST to: https://,
 * or http:// to loopback (as for our own url). */
static int delivery_ok(const char *u)
{
    const char *h;

    if (u == NULL || !gw_mime_value_ok(u, 1000))
        return 0;
    if (strncasecmp(u, "https://", 8) == 0)
        return 1;
    if (strncasecmp(u, "http://", 7) != 0)
        return 0;
    h = u + 7;
    return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost", 9) == 0 || strncmp(h, "[::1]", 5) == 0;
}

/* Bare form of a Message-ID: without its angle brackets. */
static void bare_id(char *out, size_t cap, const char *id)
{
    size_t n;

    gw_as2_name_read(out, cap, id ? id : "");
    n = strlen(out);
    if (n >= 2 && out[0] == '<' && out[n - 1] == '>') {
        memmove(out, out + 1, n - 2);
        out[n - 2] = '\0';
    }
}

/* An async receipt of a message we sent: recorded for status(). */
static void take_mdn(struct gw_ctx *c, const struct gw_partner *p, const struct gw_as2_creds *cr, const char *ct,
                     const char *body, size_t n, struct gw_as2_reply *out)
{
    struct gw_cms_open_opts o;
    struct gw_cms_mdn md;
    struct gw_as2_msg *m = NULL;
    struct edi_err e;
    char id[300], detail[600];
    const char *status;
    int rc;

    memset(&o, 0, sizeof(o));
    o.certs = (const struct gw_cms_cert *const *)cr->certs;
    o.ncerts = cr->ncerts;
    o.require_signed = md_word(p->as2.mdn_sign) != GW_MD_NONE;
    o.now = c->now;
    edi_err_clear(&e);
    if (gw_cms_mdn_open(&md, ct, body, n, &o, &e) < 0) {
        gw_log(c, "error", "as2: %s: a receipt that does not verify (%s): %s", p->id, gw_cms_fail_modifier(md.fail),
               e.msg);
        reply_text(out, 400, "the receipt does not verify with the certificates we hold for you");
        return;
    }
    /* as sent ("<...>"), then the other form (research §4.4) */
    bare_id(id, sizeof(id), md.original_message_id);
    {
        char with[320];

        snprintf(with, sizeof(with), "<%s>", id);
        rc = gw_store_as2_get(&m, c->store, "out", p->id, with, &e);
        if (rc == EDI_ENOTFOUND)
            rc = gw_store_as2_get(&m, c->store, "out", p->id, id, &e);
    }
    if (rc < 0) {
        gw_log(c, rc == EDI_ENOTFOUND ? "warn" : "error", "as2: %s: a receipt for %s: %s", p->id,
               md.original_message_id, rc == EDI_ENOTFOUND ? "we sent no such message" : e.msg);
        if (rc == EDI_ENOTFOUND)
            reply_text(out, 200, "no such message: receipt ignored");
        else
            reply_text(out, 503, "try again later");
        return;
    }
    if (!md.processed) {
        status = "rejected";
        snprintf(detail, sizeof(detail), "AS2 receipt: %.400s", md.disposition);
    } else if (!gw_cms_mic_eq(md.mic, m->mic)) {
        status = "rejected";
        snprintf(detail, sizeof(detail), "AS2 receipt: the MIC differs (the partner's %.100s, ours %.100s): the "
                 "partner holds other bytes than were signed", md.mic[0] ? md.mic : "none", m->mic ? m->mic : "none");
    } else {
        status = "accepted";
        snprintf(detail, sizeof(detail), "AS2 receipt: %.400s", md.disposition);
    }
    if (strcmp(m->status, "accepted") != 0 && strcmp(m->status, "rejected") != 0) {
        edi_err_clear(&e);
        /* the outbox's receipt (and the documents it carries) follow at
         * once, without waiting for status() */
        if (gw_store_as2_update(c->store, "out", p->id, m->message_id, NULL, status, detail, 0, c->now, &e) < 0 ||
            (m->outbox_id > 0 && gw_store_receipt_status(c->store, m->outbox_id, status, detail, c->now, &e) < 0)) {
            gw_log(c, "error", "as2: %s: the receipt for %s was not recorded: %s", p->id, m->message_id, e.msg);
            reply_text(out, 503, "try again later");
            gw_as2_msg_free(m);
            return;
        }
    }
    gw_log(c, strcmp(status, "accepted") == 0 ? "info" : "warn", "as2: %s: receipt for %s: %s (%s)", p->id,
           m->message_id, status, md.disposition);
    reply_text(out, 200, "receipt recorded");
    gw_as2_msg_free(m);
}

/* The answer to a message: an MDN, in the reply (sync) or through the
 * outbox to the partner's Receipt-Delivery-Option (async). */
static void answer(struct gw_ctx *c, const struct gw_partner *p, const struct gw_as2_creds *cr, const char *from,
                   const char *to, const char *mid, const char *dno, const char *rdo, const char *mic,
                   enum gw_cms_fail fail, const char *warning, const char *text, struct gw_as2_reply *out)
{
    struct gw_cms_mdn_opts mo;
    struct gw_cms_msg m;
    struct edi_err e;
    char hex[33], mdn_id[300], fromv[300], tov[300];
    int signed_asked = 0;
    enum gw_cms_md md = gw_as2_dno_micalg(dno, &signed_asked);

    memset(&mo, 0, sizeof(mo));
    mo.reporting_ua = REPORTING_UA;
    mo.original_recipient = to;
    mo.final_recipient = to;
    mo.original_message_id = mid;
    mo.mic = mic && mic[0] ? mic : NULL;
    mo.fail = fail;
    mo.warning = warning;
    mo.text = text;
    /* SPEC: bis "Signed Receipt Considerations": signed when asked, failures too */
    if (signed_asked && cr != NULL && cr->have_current_key) {
        mo.sign = md != GW_MD_NONE ? md : GW_MD_SHA256;
        mo.signer = cr->keys[0];
    }
    edi_err_clear(&e);
    if (gw_cms_mdn_build(&m, &mo, &e) < 0) {
        gw_cms_msg_dispose(&m);
        /* a Message-ID with a control character: no receipt can carry it */
        gw_log(c, "error", "as2: %s: no receipt built: %s", p ? p->id : from, e.msg);
        reply_text(out, 400, "no receipt can be built for this request (a header holds a control character)");
        return;
    }
    if (p != NULL && rdo != NULL && delivery_ok(rdo)) {
        struct edi_buf b;
        int64_t oid;

        edi_buf_init(&b, 0);
        edi_buf_printf(&b, "Content-Type: %s\r\n\r\n", m.content_type);
        edi_buf_put(&b, m.body.p, m.body.n);
        edi_err_clear(&e);
        if (gw_store_outbox_add(&oid, c->store, p->id, GW_AS2_MDN_KIND, rdo, b.p, b.n, c->now, &e) < 0) {
            gw_log(c, "error", "as2: %s: the receipt for %s was not queued: %s", p->id, mid, e.msg);
            reply_text(out, 503, "try again later");
        } else {
            reply_text(out, 200, "received; the receipt follows asynchronously");
        }
        edi_buf_dispose(&b);
        gw_cms_msg_dispose(&m);
        return;
    }
    out->status = 200;
    snprintf(out->content_type, sizeof(out->content_type), "%s", m.content_type);
    edi_buf_reset(&out->body);
    edi_buf_put(&out->body, m.body.p, m.body.n);
    gw_as2_name_value(fromv, sizeof(fromv), to);
    gw_as2_name_value(tov, sizeof(tov), from);
    reply_header(out, "AS2-Version", "1.2");
    reply_header(out, "AS2-From", fromv);
    reply_header(out, "AS2-To", tov);
    if (random_hex(hex) == 0 && gw_as2_message_id(mdn_id, sizeof(mdn_id), 0, hex, to) == 0)
        reply_header(out, "Message-ID", mdn_id);
    reply_header(out, "MIME-Version", "1.0");
    gw_cms_msg_dispose(&m);
}

/* A request we cannot tie to a partnership, kept for the operator. */
static void keep_unknown(struct gw_ctx *c, const char *mid, const char *body, size_t n, const char *why)
{
    char dir[4200], path[4400], rpath[4500], name[200];
    struct edi_err e;

    snprintf(dir, sizeof(dir), "%s/as2-refused", c->cfg->workspace);
    mkdir(dir, 0700);
    safe_name(name, sizeof(name), "as2-", mid, ".msg");
    if (gw_write_unique(path, sizeof(path), dir, name, body, n, &e) == 0) {
        snprintf(rpath, sizeof(rpath), "%s.reason", path);
        if (gw_write_file(rpath, why, strlen(why), &e) < 0)
            gw_log(c, "error", "as2: %s: %s", name, e.msg);
    } else {
        gw_log(c, "error", "as2: %s: %s", name, e.msg);
    }
}

void gw_as2_receive(const struct gw_as2_rx *rx, const struct gw_http_header *h, size_t nh, const char *body,
                    size_t n, struct gw_as2_reply *out)
{
    const struct gw_config *cfg = rx->cfg;
    const char *fromh = hget(h, nh, "AS2-From"), *toh = hget(h, nh, "AS2-To");
    const char *mid = hget(h, nh, "Message-ID"), *ct = hget(h, nh, "Content-Type");
    const char *dno = hget(h, nh, "Disposition-Notification-Options");
    const char *dnt = hget(h, nh, "Disposition-Notification-To");
    const char *rdo = hget(h, nh, "Receipt-Delivery-Option");
    const struct gw_partner *p = NULL;
    struct gw_as2_creds cr;
    struct gw_cms_open_opts o;
    struct gw_cms_in in;
    struct gw_as2_msg *seen = NULL;
    struct gw_ctx c;
    struct edi_err e;
    char from[300], to[300], why[800];
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    edi_buf_init(&out->body, 0);
    out->status = 200;
    memset(&c, 0, sizeof(c));
    memset(&cr, 0, sizeof(cr));
    c.cfg = (struct gw_config *)cfg;
    c.log = rx->log;
    c.now = rx->now ? rx->now() : time(NULL);
    if (fromh == NULL || toh == NULL || ct == NULL) {
        reply_text(out, 400, "not an AS2 request: AS2-From, AS2-To and Content-Type are required");
        return;
    }
    gw_as2_name_read(from, sizeof(from), fromh);
    gw_as2_name_read(to, sizeof(to), toh);
    for (i = 0; i < cfg->npartners && p == NULL; i++)
        if (strcmp(cfg->partners[i].transport, "as2") == 0 && strcmp(cfg->partners[i].as2.as2_id, from) == 0 &&
            strcmp(cfg->partners[i].as2.our_as2_id, to) == 0)
            p = &cfg->partners[i];
    /* no Message-ID: nothing to tie a receipt to (an MDN has its own) */
    if (p == NULL) {
        snprintf(why, sizeof(why), "AS2 request from '%.100s' to '%.100s' (Message-ID %.200s): no partnership "
                 "in wharf.xml has as2-id=\"%.100s\" and our-as2-id=\"%.100s\"\n", from, to, mid ? mid : "none",
                 from, to);
        keep_unknown(&c, mid, body, n, why);
        gw_log(&c, "warn", "as2: a request from '%s' to '%s': no such partnership: refused and kept in "
               "as2-refused/", from, to);
        if (mid == NULL || dnt == NULL || gw_as2_is_mdn(ct, body, n))
            reply_text(out, 403, "no such AS2 partnership");
        else
            answer(&c, NULL, NULL, from, to, mid, dno, NULL, NULL, GW_CMS_FAIL_UNKNOWN_PARTNER, NULL, NULL, out);
        return;
    }
    edi_err_clear(&e);
    if ((rc = gw_store_open(&c.store, cfg->store_path, &e)) < 0) {
        gw_log(&c, "error", "as2: %s: the store: %s", p->id, e.msg);
        reply_text(out, 503, "try again later");
        return;
    }
    if ((rc = gw_as2_creds_load(&cr, c.store, cfg, p, &e)) < 0) {
        gw_log(&c, "error", "as2: %s: %s", p->id, e.msg);
        reply_text(out, 503, "try again later");
        gw_store_close(c.store);
        return;
    }
    if (gw_as2_is_mdn(ct, body, n)) {
        take_mdn(&c, p, &cr, ct, body, n, out);
        goto done;
    }
    if (mid == NULL || *mid == '\0') {
        reply_text(out, 400, "an AS2 message needs a Message-ID");
        goto done;
    }
    /* SPEC: research §4.3 — a duplicate is answered again, never processed twice */
    rc = gw_store_as2_get(&seen, c.store, "in", p->id, mid, &e);
    if (rc == 0 && strcmp(seen->status, "processed") == 0) {
        gw_log(&c, "warn", "as2: %s: message %s again: answered as a duplicate, not processed again", p->id, mid);
        answer(&c, p, &cr, from, to, mid, dno, dnt ? rdo : NULL, seen->mic, GW_CMS_FAIL_NONE, "duplicate-document",
               NULL, out);
        goto done;
    }
    if (rc < 0 && rc != EDI_ENOTFOUND) {
        gw_log(&c, "error", "as2: %s: the store: %s", p->id, e.msg);
        reply_text(out, 503, "try again later");
        goto done;
    }
    memset(&o, 0, sizeof(o));
    o.keys = (const struct gw_cms_key *const *)cr.keys;
    o.nkeys = cr.nkeys;
    o.certs = (const struct gw_cms_cert *const *)cr.certs;
    o.ncerts = cr.ncerts;
    o.require_signed = p->as2.require_signed;
    o.require_encrypted = p->as2.require_encrypted;
    {
        int asked;

        o.mic_md = gw_as2_dno_micalg(dno, &asked);
    }
    o.now = c.now;
    o.max_body = (size_t)cfg->as2.max_bytes;
    edi_err_clear(&e);
    rc = gw_cms_open(&in, ct, body, n, &o, &e);
    if (rc < 0) {
        struct gw_as2_msg m;
        char name[200];
        int existed;

        snprintf(why, sizeof(why), "AS2 message %.200s from %.100s refused: %s: %.400s\n", mid, from,
                 gw_cms_fail_modifier(in.fail), e.msg);
        safe_name(name, sizeof(name), "as2-", mid, ".msg");
        gw_transport_keep_local(&c, p, name, body, n, why);
        gw_log(&c, "warn", "as2: %s: message %s refused (%s): %s; the request is kept in quarantine/", p->id, mid,
               gw_cms_fail_modifier(in.fail), e.msg);
        memset(&m, 0, sizeof(m));
        m.partner = (char *)p->id;
        m.direction = "in";
        m.message_id = (char *)mid;
        m.mic = in.mic;
        m.status = "refused";
        m.detail = (char *)gw_cms_fail_modifier(in.fail);
        edi_err_clear(&e);
        if (gw_store_as2_put(&existed, c.store, &m, c.now, &e) == 0 && existed)
            gw_store_as2_update(c.store, "in", p->id, mid, in.mic, "refused", m.detail, 0, c.now, &e);
        answer(&c, p, &cr, from, to, mid, dno, dnt ? rdo : NULL, in.mic, in.fail, NULL, NULL, out);
        gw_cms_in_dispose(&in);
        goto done;
    }
    {
        struct gw_as2_msg m;
        char sha[65], name[300];
        int64_t raw = 0;
        int dup = 0, pending = 0, existed = 0;

        if (in.filename[0] && in.filename[0] != '.' && strchr(in.filename, '/') == NULL &&
            gw_mime_value_ok(in.filename, 200))
            snprintf(name, sizeof(name), "%s", in.filename);
        else
            safe_name(name, sizeof(name), "as2-", mid, ".edi");
        edi_err_clear(&e);
        if ((rc = gw_sha256_hex(sha, in.payload, in.npayload, &e)) == 0)
            rc = gw_store_receive_raw(&raw, &dup, &pending, c.store, p->id, name, sha, in.payload, in.npayload,
                                      c.now, &e);
        if (rc == 0) {
            memset(&m, 0, sizeof(m));
            m.partner = (char *)p->id;
            m.direction = "in";
            m.message_id = (char *)mid;
            m.raw_id = raw;
            m.mic = in.mic;
            m.status = "processed";
            if ((rc = gw_store_as2_put(&existed, c.store, &m, c.now, &e)) == 0 && existed)
                rc = gw_store_as2_update(c.store, "in", p->id, mid, in.mic, "processed", NULL, raw, c.now, &e);
        }
        if (rc < 0) {
            /* nothing to answer yet: the partner sends it again */
            gw_log(&c, "error", "as2: %s: message %s not stored: %s", p->id, mid, e.msg);
            reply_text(out, 503, "try again later");
            gw_cms_in_dispose(&in);
            goto done;
        }
        gw_log(&c, "info", "as2: %s: message %s received: %s, %zu bytes%s%s%s (raw #%lld%s)", p->id, mid, name,
               in.npayload, in.was_signed ? ", signed" : "", in.was_encrypted ? ", encrypted" : "",
               in.was_compressed ? ", compressed" : "", (long long)raw, dup ? ", the same bytes as before" : "");
        /* stored and committed: the inbound pass may take it while the receipt goes */
        if (rx->arrived != NULL)
            rx->arrived(rx->arrived_arg, p->id);
        answer(&c, p, &cr, from, to, mid, dno, dnt ? rdo : NULL, in.mic, GW_CMS_FAIL_NONE, NULL, NULL, out);
        gw_cms_in_dispose(&in);
    }
done:
    gw_as2_msg_free(seen);
    gw_as2_creds_free(&cr);
    gw_store_close(c.store);
}
