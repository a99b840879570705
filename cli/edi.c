/*
 * edi.c — `wharf edi parse|validate|ack|to-xml|from-xml`: the X12
 * engine from the command line (to-xml and from-xml in edi_xml.c: this
 * file is also the wharf front's, which links no libxml2). The work is
 * done in edi/; this file reads arguments, prints findings (text or JSON
 * through jansson) and maps results to exit codes.
 */
#include "edi/check.h"
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options before or after FILE; returns 0 or a usage exit code. */
int gw_edi_args(struct gw_edi_args *a, int argc, char **argv, const char *cmd, int allow_guide,
                int allow_type, int allow_json)
{
    int i;

    memset(a, 0, sizeof(*a));
    for (i = 1; i < argc; i++) {
        const char *s = argv[i];

        if (allow_json && strcmp(s, "--json") == 0)
            a->json = 1;
        else if (allow_guide && strcmp(s, "--guide") == 0 && i + 1 < argc)
            a->guide = argv[++i];
        else if (allow_guide && strncmp(s, "--guide=", 8) == 0)
            a->guide = s + 8;
        else if (allow_type && strcmp(s, "--type") == 0 && i + 1 < argc)
            a->type = argv[++i];
        else if (allow_type && strncmp(s, "--type=", 7) == 0)
            a->type = s + 7;
        else if (s[0] == '-' && s[1] != '\0') {
            gw_errorf("edi %s: unknown option '%s'; see `wharf help edi %s`", cmd, s, cmd);
            return GW_EXIT_USAGE;
        } else if (a->file == NULL)
            a->file = s;
        else {
            gw_errorf("edi %s: one FILE only ('%s' is extra)", cmd, s);
            return GW_EXIT_USAGE;
        }
    }
    if (a->file == NULL) {
        gw_errorf("edi %s: FILE is missing; see `wharf help edi %s`", cmd, cmd);
        return GW_EXIT_USAGE;
    }
    return 0;
}

/* The guides, compiled once for every FILE of the command (gw_cmd_edi frees
 * them): a compile costs more than checking a file. */
static struct edi_guides *shared_guides;

int gw_edi_open_guides(struct edi_guides **g)
{
    struct edi_err err;

    if (shared_guides == NULL) {
        edi_err_clear(&err);
        if (gw_edi_guides(&shared_guides, gw_schemas_dir(), &err) < 0) {
            gw_errorf("%s", err.msg);
            return GW_EXIT_USAGE;
        }
    }
    *g = shared_guides;
    return 0;
}

int gw_edi_exit_for(int rc)
{
    switch (rc) {
    case EDI_EAGAIN:
        return GW_EXIT_TEMPFAIL;
    case EDI_ERR:
        return GW_EXIT_INTERNAL;
    default:
        return GW_EXIT_USAGE;
    }
}

/* ---- parse ------------------------------------------------------------------------ */

/* The listing: envelope segments as they come, each transaction set when
 * it is complete, walked with its guide so that loops show as a tree.
 * Trailers (GE, IEA) wait for their group or interchange to close, so a set
 * cut off by a trailer still lists before it. */
struct parse_ctx {
    const char *file;
    struct edi_guides *guides;
    size_t nfindings;
    int depth;                  /* loop depth inside the set */
    struct edi_delims d;
    struct edi_buf ge, iea;     /* pending trailer lines */
};

static void print_line(uint64_t index, uint64_t offset, const char *pos, int indent,
                       const char *text, size_t n)
{
    printf("%7llu %9llu %6s  %*s%.*s\n", (unsigned long long)index, (unsigned long long)offset,
           pos, indent * 2, "", (int)n, text);
}

static int print_envelope(void *ctx, const struct edi_seg *s, int depth)
{
    struct parse_ctx *pc = ctx;
    struct edi_str id = s->el[0];
    struct edi_buf *pending = NULL;

    if (edi_str_eq(id, "GE"))
        pending = &pc->ge;
    else if (edi_str_eq(id, "IEA"))
        pending = &pc->iea;
    if (pending) {
        edi_buf_reset(pending);
        edi_buf_printf(pending, "%7llu %9llu %6s  %*s%.*s\n", (unsigned long long)s->index,
                       (unsigned long long)s->offset, "-", pending == &pc->ge ? 2 : 0, "",
                       (int)s->raw.n, s->raw.p);
        return 0;
    }
    if (depth == 3 || (depth == 2 && edi_str_eq(id, "ST")))
        return 0;   /* printed with its set */
    print_line(s->index, s->offset, "-",
               edi_str_eq(id, "ISA") ? 0 : edi_str_eq(id, "GS") ? 1 : depth, s->raw.p, s->raw.n);
    return 0;
}

static void print_txseg(struct parse_ctx *pc, const struct edi_txseg *s, int indent)
{
    struct edi_buf b;
    char pos[16];
    uint32_t i;

    edi_buf_init(&b, 0);
    for (i = 0; i <= s->n; i++) {
        if (i)
            edi_buf_putc(&b, (char)pc->d.elem);
        edi_buf_putstr(&b, s->el[i]);
    }
    snprintf(pos, sizeof(pos), "%u", s->pos);
    print_line(s->index, s->offset, pos, indent, b.p ? b.p : "", b.n);
    edi_buf_dispose(&b);
}

static void pw_enter(void *ctx, const struct edi_gnode *loop)
{
    struct parse_ctx *pc = ctx;

    printf("%7s %9s %6s  %*sloop %s\n", "", "", "", (3 + pc->depth) * 2, "", loop->id);
    pc->depth++;
}

static void pw_leave(void *ctx, const struct edi_gnode *loop)
{
    ((struct parse_ctx *)ctx)->depth--;
}

static void pw_segment(void *ctx, const struct edi_txseg *s, const struct edi_gnode *node)
{
    struct parse_ctx *pc = ctx;
    int set_level = edi_str_eq(s->el[0], "ST") || edi_str_eq(s->el[0], "SE");

    print_txseg(pc, s, set_level ? 2 : 3 + pc->depth);
}

static void print_env_findings(struct parse_ctx *pc, const struct edi_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        fprintf(stderr, "%s: byte %llu: %s [%s]\n", pc->file, (unsigned long long)f->v[i].offset,
                f->v[i].msg, f->v[i].code);
    pc->nfindings += f->n;
}

static int pe_tx(void *ctx, struct edi_tx *tx)
{
    struct parse_ctx *pc = ctx;
    const struct edi_guide *g = NULL;
    struct edi_err err;
    uint32_t i;

    pc->d = tx->d;
    pc->depth = 0;
    if (pc->guides &&
        edi_guides_for(&g, pc->guides, tx->group->version, tx->set_id, &err) == 0) {
        struct edi_walk_cb cb = {pc, pw_enter, pw_leave, pw_segment};

        edi_validate(NULL, g, tx, &cb, NULL);
    } else {
        for (i = 0; i < tx->nseg; i++)
            print_txseg(pc, &tx->seg[i], i == 0 || (tx->complete && i + 1 == tx->nseg) ? 2 : 3);
    }
    print_env_findings(pc, &tx->findings);
    return 0;
}

/* A pending GE or IEA line; none (a file cut before its GE) is nothing to
 * write, and its buffer was never allocated: fwrite must not see NULL. */
static void flush(struct edi_buf *b)
{
    if (b->n)
        fwrite(b->p, 1, b->n, stdout);
    edi_buf_reset(b);
}

static int pe_group_end(void *ctx, struct edi_group *g, const struct edi_findings *env)
{
    struct parse_ctx *pc = ctx;

    flush(&pc->ge);
    print_env_findings(pc, env);
    return 0;
}

static int pe_ichg_end(void *ctx, struct edi_ichg *ic, const struct edi_findings *env)
{
    struct parse_ctx *pc = ctx;

    flush(&pc->iea);
    print_env_findings(pc, env);
    return 0;
}

static int cmd_parse(int argc, char **argv)
{
    struct gw_edi_args a;
    struct edi_x12_parser p;
    struct parse_ctx pc;
    struct edi_err err;
    int rc;

    if ((rc = gw_edi_args(&a, argc, argv, "parse", 0, 0, 0)) != 0)
        return rc;
    memset(&pc, 0, sizeof(pc));
    pc.file = a.file;
    edi_buf_init(&pc.ge, 0);
    edi_buf_init(&pc.iea, 0);
    /* without guides the listing is flat: still useful */
    if (shared_guides == NULL && gw_edi_guides(&shared_guides, gw_schemas_dir(), NULL) < 0)
        shared_guides = NULL;
    pc.guides = shared_guides;
    {
        struct edi_x12_handler h = {
            .ctx = &pc,
            .tx = pe_tx,
            .group_end = pe_group_end,
            .ichg_end = pe_ichg_end,
            .segment = print_envelope,
        };

        edi_x12_parser_init(&p, NULL, &h);
    }
    edi_err_clear(&err);
    printf("%7s %9s %6s  %s\n", "segment", "byte", "in-set", "content");
    rc = edi_x12_parse_file(&p, a.file, &err);
    if (rc == 0)
        print_env_findings(&pc, &p.stream_f);
    edi_x12_parser_dispose(&p);
    edi_buf_dispose(&pc.ge);
    edi_buf_dispose(&pc.iea);
    if (rc < 0) {
        gw_errorf("%s", err.msg);
        return gw_edi_exit_for(rc);
    }
    return pc.nfindings ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* ---- validate --------------------------------------------------------------------- */

struct val_ctx {
    const char *file;
    json_t *findings;      /* --json */
};

static const char *level_name(enum edi_level l)
{
    switch (l) {
    case EDI_LV_INTERCHANGE: return "interchange";
    case EDI_LV_GROUP: return "group";
    case EDI_LV_SET: return "set";
    case EDI_LV_SEGMENT: return "segment";
    case EDI_LV_ELEMENT: return "element";
    }
    return "?";
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

static void report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
    struct val_ctx *vc = ctx;
    int v5010 = w->group && strncmp(w->group->version, "005", 3) >= 0;

    if (vc->findings) {
        json_t *o = json_object();

        json_object_set_new(o, "code", json_string(f->code));
        json_object_set_new(o, "severity",
                            json_string(f->severity == EDI_SEV_ERROR ? "error" : "warning"));
        json_object_set_new(o, "level", json_string(level_name(f->level)));
        set_str(o, "segment_id", f->seg_id);
        if (f->seg_pos)
            json_object_set_new(o, "segment_position", json_integer(f->seg_pos));
        if (f->el_pos)
            json_object_set_new(o, "element_position", json_integer(f->el_pos));
        if (f->comp_pos)
            json_object_set_new(o, "component_position", json_integer(f->comp_pos));
        if (f->rep_pos)
            json_object_set_new(o, "repetition_position", json_integer(f->rep_pos));
        set_str(o, "element_reference", f->el_ref);
        set_str(o, "loop_id", f->loop_id);
        set_str(o, "x12_segment_error", f->level == EDI_LV_ELEMENT ? "8" : f->seg_code);
        set_str(o, "x12_element_error", f->el_code);
        set_str(o, "x12_set_error", f->set_code);
        set_str(o, "x12_group_error", f->group_code);
        set_str(o, "ta1_error", f->ta1_code);
        set_str(o, "value", f->value);
        json_object_set_new(o, "byte_offset", json_integer((json_int_t)f->offset));
        if (f->seg_index)
            json_object_set_new(o, "segment_number", json_integer((json_int_t)f->seg_index));
        if (w->ichg)
            set_str(o, "interchange_control", w->ichg->control);
        if (w->group)
            set_str(o, "group_control", w->group->control);
        if (w->tx) {
            set_str(o, "set_id", w->tx->set_id);
            set_str(o, "set_control", w->tx->control);
        }
        if (w->guide)
            set_str(o, "guide", w->guide->id);
        json_object_set_new(o, "message", json_string(f->msg));
        json_array_append_new(vc->findings, o);
        return;
    }
    printf("%s:", vc->file);
    if (w->tx)
        printf(" set %s %s", w->tx->set_id, w->tx->control);
    else if (w->group)
        printf(" group %s", w->group->control);
    else if (w->ichg)
        printf(" interchange %s", w->ichg->control);
    if (f->seg_pos)
        printf(" segment %u", f->seg_pos);
    if (f->seg_index)
        printf(" (file segment %llu, byte %llu)", (unsigned long long)f->seg_index,
               (unsigned long long)f->offset);
    else
        printf(" (byte %llu)", (unsigned long long)f->offset);
    printf(": %s [%s", f->msg, f->code);
    if (f->level == EDI_LV_ELEMENT)
        printf(" %s304=8 %s403=%s", v5010 ? "IK" : "AK", v5010 ? "IK" : "AK", f->el_code);
    else if (f->level == EDI_LV_SEGMENT)
        printf(" %s304=%s", v5010 ? "IK" : "AK", f->seg_code);
    else if (f->set_code[0])
        printf(" %s502=%s", v5010 ? "IK" : "AK", f->set_code);
    else if (f->group_code[0])
        printf(" AK905=%s", f->group_code);
    else if (f->ta1_code[0])
        printf(" TA105=%s", f->ta1_code);
    printf("]\n");
}

static int cmd_validate(int argc, char **argv)
{
    struct gw_edi_args a;
    struct edi_guides *guides = NULL;
    struct edi_check_stats st;
    struct edi_check_opts o;
    struct val_ctx vc;
    struct edi_err err;
    int rc;

    if ((rc = gw_edi_args(&a, argc, argv, "validate", 1, 0, 1)) != 0)
        return rc;
    if ((rc = gw_edi_open_guides(&guides)) != 0)
        return rc;
    if (a.guide) {
        const struct edi_guide *g;

        edi_err_clear(&err);
        if (edi_guides_get(&g, guides, a.guide, &err) < 0) {
            gw_errorf("--guide %s: %s", a.guide, err.msg);
            return GW_EXIT_USAGE;
        }
    }
    memset(&vc, 0, sizeof(vc));
    vc.file = a.file;
    if (a.json)
        vc.findings = json_array();
    memset(&o, 0, sizeof(o));
    o.guides = guides;
    o.guide_id = a.guide;
    o.report = report;
    o.ctx = &vc;
    edi_err_clear(&err);
    rc = edi_check_file(&st, a.file, &o, &err);
    if (rc < 0) {
        json_decref(vc.findings);
        gw_errorf("%s", err.msg);
        return gw_edi_exit_for(rc);
    }
    if (a.json) {
        json_t *root = json_object();

        json_object_set_new(root, "valid", json_boolean(st.findings == 0));
        json_object_set_new(root, "interchanges", json_integer((json_int_t)st.interchanges));
        json_object_set_new(root, "groups", json_integer((json_int_t)st.groups));
        json_object_set_new(root, "sets", json_integer((json_int_t)st.sets));
        json_object_set_new(root, "accepted", json_integer((json_int_t)st.accepted));
        json_object_set_new(root, "rejected", json_integer((json_int_t)st.rejected));
        json_object_set_new(root, "findings", vc.findings);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(root);
    } else {
        printf("%s: %llu interchange%s, %llu group%s, %llu set%s: %llu accepted, %llu rejected, %llu finding%s\n",
               a.file, (unsigned long long)st.interchanges, st.interchanges == 1 ? "" : "s",
               (unsigned long long)st.groups, st.groups == 1 ? "" : "s",
               (unsigned long long)st.sets, st.sets == 1 ? "" : "s",
               (unsigned long long)st.accepted, (unsigned long long)st.rejected,
               (unsigned long long)st.findings, st.findings == 1 ? "" : "s");
    }
    return st.findings ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* ---- ack ------------------------------------------------------------------------------ */

static int cmd_ack(int argc, char **argv)
{
    struct gw_edi_args a;
    struct edi_guides *guides = NULL;
    struct edi_check_stats st;
    struct edi_check_opts o;
    struct edi_ack ack;
    struct edi_ack_opts ao;
    struct edi_ctl_counter ctr;
    struct edi_err err;
    const char *start = getenv("WHARF_CONTROL_START");
    uint64_t first = 1;
    int rc;

    if ((rc = gw_edi_args(&a, argc, argv, "ack", 1, 1, 0)) != 0)
        return rc;
    memset(&ao, 0, sizeof(ao));
    if (a.type == NULL)
        ao.type = EDI_ACK_AUTO;
    else if (strcmp(a.type, "997") == 0)
        ao.type = EDI_ACK_997;
    else if (strcmp(a.type, "999") == 0)
        ao.type = EDI_ACK_999;
    else if (strcmp(a.type, "TA1") == 0 || strcmp(a.type, "ta1") == 0)
        ao.type = EDI_ACK_TA1;
    else {
        gw_errorf("edi ack: --type must be 997, 999 or TA1, not '%s'", a.type);
        return GW_EXIT_USAGE;
    }
    if (start && (edi_str_to_u64(&first, edi_str_c(start)) < 0 || first == 0)) {
        gw_errorf("WHARF_CONTROL_START '%s' must be a positive number", start);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_edi_open_guides(&guides)) != 0)
        return rc;
    ao.now = gw_now();
    edi_ctl_counter_init(&ctr, &ao.ctl, first);
    edi_ack_init(&ack, &ao);
    memset(&o, 0, sizeof(o));
    o.guides = guides;
    o.guide_id = a.guide;
    o.ack = &ack;
    edi_err_clear(&err);
    rc = edi_check_file(&st, a.file, &o, &err);
    if (rc < 0) {
        edi_ack_dispose(&ack);
        gw_errorf("%s", err.msg);
        return gw_edi_exit_for(rc);
    }
    if (ack.out.n > 0)
        fwrite(ack.out.p, 1, ack.out.n, stdout);
    else
        fprintf(stderr, "wharf: edi ack: nothing to acknowledge (a 997 or 999 is never acknowledged)\n");
    edi_ack_dispose(&ack);
    return st.findings ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

/* How bad an exit status is, to keep the worst of several files'. */
static int severity(int code)
{
    switch (code) {
    case GW_EXIT_OK:
        return 0;
    case GW_EXIT_REJECTED:
        return 1;
    case GW_EXIT_TEMPFAIL:
        return 2;
    case GW_EXIT_USAGE:
        return 3;
    default:
        return 4;
    }
}

/* parse, validate and ack take several FILEs: each is checked as if it were
 * given alone, with the same options, in order, and the guides are compiled
 * once for all; the exit status is the worst of theirs (an unreadable file
 * does not stop the others). --json takes one FILE (one document). */
int gw_edi_arg_width(int argc, char **argv, int i)
{
    if ((strcmp(argv[i], "--guide") == 0 || strcmp(argv[i], "--type") == 0) && i + 1 < argc)
        return 2;
    return argv[i][0] == '-' && argv[i][1] != '\0' ? 1 : 0;
}

static int each_file(int (*fn)(int, char **), int argc, char **argv)
{
    char **one = calloc((size_t)argc + 1, sizeof(*one));
    int i, w, n = 1, nfiles = 0, worst = GW_EXIT_OK, json = 0;

    if (one == NULL) {
        gw_errorf("out of memory");
        return GW_EXIT_INTERNAL;
    }
    one[0] = argv[0];
    for (i = 1; i < argc; i += w ? w : 1) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        if ((w = gw_edi_arg_width(argc, argv, i)) == 0) {
            nfiles++;
        } else {
            memcpy(&one[n], &argv[i], (size_t)w * sizeof(*one));
            n += w;
        }
    }
    if (nfiles < 2) {
        free(one);
        return fn(argc, argv);
    }
    if (json) {
        free(one);
        gw_errorf("edi %s: --json takes one FILE (%d given): run it once per file", argv[0], nfiles);
        return GW_EXIT_USAGE;
    }
    for (i = 1; i < argc; i += w ? w : 1) {
        int rc;

        if ((w = gw_edi_arg_width(argc, argv, i)) != 0)
            continue;
        one[n] = argv[i];
        /* a listing says whose it is; acknowledgments and the summaries of
         * validate name their file or are EDI streams themselves */
        if (fn == cmd_parse)
            printf("==> %s <==\n", argv[i]);
        fflush(stdout);
        rc = fn(n + 1, one);
        if (severity(rc) > severity(worst))
            worst = rc;
    }
    free(one);
    return worst;
}

int gw_cmd_edi(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
        int several;            /* takes several FILEs */
    } cmds[] = {
        {"parse", cmd_parse, 1},    {"validate", cmd_validate, 1}, {"ack", cmd_ack, 1},
        {"to-xml", gw_edi_to_xml, 0},  {"from-xml", gw_edi_from_xml, 0},
    };
    size_t i;
    int rc;

    if (argc < 2) {
        gw_help("edi");
        return GW_EXIT_USAGE;
    }
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(argv[1], cmds[i].name) == 0) {
            rc = cmds[i].several ? each_file(cmds[i].fn, argc - 1, argv + 1)
                                 : cmds[i].fn(argc - 1, argv + 1);
            /* the front's registry lacked something: its output is not the
             * core's (cli/front.c runs the core instead) */
            if (edi_guides_missed(shared_guides))
                rc = GW_EXIT_CORE;
            edi_guides_free(shared_guides);
            shared_guides = NULL;
            return rc;
        }
    gw_errorf("unknown command 'edi %s'; try `wharf help edi`", argv[1]);
    return GW_EXIT_USAGE;
}
