/*
 * canon.c — findings and CSV fields for the flows (canon.h).
 */
#include "gateway/docs/canon.h"

#include "edi/edi.h"
#include "edi/x12.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void gw_csv_field(struct edi_buf *b, const char *v, int last)
{
    v = v ? v : "";
    if (strpbrk(v, ",\"\n\r")) {
        edi_buf_putc(b, '"');
        for (; *v; v++) {
            if (*v == '"')
                edi_buf_putc(b, '"');
            edi_buf_putc(b, *v);
        }
        edi_buf_putc(b, '"');
    } else {
        edi_buf_puts(b, v);
    }
    edi_buf_putc(b, last ? '\n' : ',');
}

void gw_finding(struct edi_findings *f, const char *code, unsigned row, const char *fmt, ...)
{
    struct edi_finding *fd = edi_findings_add(f, code, EDI_LV_SET);
    char msg[sizeof(fd->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fd->seg_index = row;
    edi_finding_msg(fd, "%s", msg);
}
