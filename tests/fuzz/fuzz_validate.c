/*
 * fuzz_validate.c — the whole inbound check on any bytes: envelopes, guide
 * validation (base guides, and the Amazon RP guide chosen by the first
 * byte), and the acknowledgment, whose own envelopes must be sound.
 */
#include "edi/check.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static struct edi_guides *guides;

static void no_report(void *ctx, const struct edi_finding *f, const struct edi_where *w)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *forced[] = {NULL, NULL, "partners/amazon-rp/850", "partners/amazon-df/850",
                                   "partners/amazon-rp/856"};
    struct edi_check_opts o;
    struct edi_check_stats st, st2;
    struct edi_ack ack, ack2;
    struct edi_ack_opts ao;
    struct edi_ctl_counter ctr;
    struct edi_limits lim;
    struct edi_err err;

    if (guides == NULL && edi_guides_new(&guides, WHARF_SCHEMAS_DIR, &err) < 0)
        abort();
    edi_limits_default(&lim);
    lim.max_tx_segments = 500;
    memset(&ao, 0, sizeof(ao));
    ao.now = 1735689600;
    edi_ctl_counter_init(&ctr, &ao.ctl, 1);
    edi_ack_init(&ack, &ao);
    memset(&o, 0, sizeof(o));
    o.guides = guides;
    o.guide_id = forced[size ? data[size - 1] % 5 : 0];
    o.ack = &ack;
    o.lim = &lim;
    o.report = no_report;
    if (edi_check_mem(&st, (const char *)data, size, &o, &err) < 0)
        abort();
    /* what we send back must itself be a sound interchange */
    if (ack.out.n) {
        edi_ack_init(&ack2, &ao);
        memset(&o, 0, sizeof(o));
        o.envelope_only = 1;
        o.guides = guides;
        if (edi_check_mem(&st2, ack.out.p, ack.out.n, &o, &err) < 0 || st2.findings != 0)
            abort();
        edi_ack_dispose(&ack2);
    }
    edi_ack_dispose(&ack);
    return 0;
}
