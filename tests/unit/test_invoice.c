/*
 * test_invoice.c — the pure parts of flow/invoice.c: Amazon's invoice
 * status words (the Finances API) and the summary in plain words made
 * from the SP-API transport's invoice status message. The invoice run and
 * the three-way match are tested end to end (tests/integration/invoice.sh,
 * spapi-finances.sh).
 */
#include "testutil.h"
#include "gateway/flow/invoice.h"

static void test_amazon_state(void **state)
{
    static const struct {
        const char *status, *want;
    } CASES[] = {
        {"IN_PROGRESS", "in-progress"},
        {"REJECTED", "rejected"},
        {"PARTIALLY_PAID", "partially-paid"},
        {"PAID", "paid"},
        {"PARTIALLY_DEDUCTED", "partially-deducted"},
        {"DEDUCTED", "deducted"},
        {"paid", NULL},   /* Amazon's words are upper case */
        {"SETTLED", NULL},
        {"", NULL},
        {NULL, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const char *got = gw_invoice_amazon_state(CASES[i].status);

        if (CASES[i].want == NULL)
            assert_null(got);
        else
            assert_string_equal(got, CASES[i].want);
    }
}

static void test_amazon_detail(void **state)
{
    static const struct {
        const char *json, *want;
    } CASES[] = {
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"PAID\",\"currency\":\"USD\",\"invoiceAmount\":\"130.00\","
         "\"amountPaid\":\"130.00\",\"lines\":[]}",
         "Amazon paid 130.00 of 130.00 USD\n"},
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"PAID\",\"currency\":\"USD\",\"invoiceAmount\":\"130.00\"}",
         "Amazon paid the invoice (130.00 USD)\n"},
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"REJECTED\",\"currency\":\"EUR\",\"invoiceAmount\":\"5.00\"}",
         "Amazon rejected the invoice (5.00 EUR)\n"},
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"IN_PROGRESS\"}", "Amazon is processing the invoice\n"},
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"SETTLED\",\"invoiceAmount\":\"1.00\"}",
         "Amazon says SETTLED (1.00)\n"},
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"PARTIALLY_PAID\",\"currency\":\"USD\","
         "\"invoiceAmount\":\"130.00\",\"amountPaid\":\"120.00\",\"lines\":[{\"line\":2,\"item\":\"B07DFYF5AB\","
         "\"quantity\":2,\"paidQuantity\":1,\"quantityVariance\":1,\"variances\":[{\"type\":\"PQV\","
         "\"defects\":[\"SHORTAGES_IN_TRANSIT\"]}]},{\"line\":3,\"lineItemId\":\"LI-3\",\"priceVariance\":\"-0.50\","
         "\"variances\":[{\"type\":\"PPV\",\"defects\":[\"DEALBUY\",\"ROUNDING_ISSUES\"]}]}]}",
         "Amazon paid 120.00 of 130.00 USD\n"
         "line 2 (B07DFYF5AB): PQV SHORTAGES_IN_TRANSIT, quantity variance 1, paid 1 of 2\n"
         "line 3 (LI-3): PPV DEALBUY ROUNDING_ISSUES, price variance -0.50\n"},
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"DEDUCTED\",\"currency\":\"USD\",\"invoiceAmount\":\"10.00\","
         "\"amountPaid\":\"8.00\"}",
         "Amazon deducted the invoice: paid 8.00 of 10.00 USD\n"},
        /* a value on one line, whatever Amazon sent */
        {"{\"invoiceNumber\":\"I1\",\"invoiceStatus\":\"REJECTED\",\"lines\":[{\"line\":1,\"item\":\"A\\nB\"}]}",
         "Amazon rejected the invoice\nline 1 (A B)\n"},
    };
    struct edi_buf b;
    struct edi_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        edi_buf_init(&b, 0);
        edi_err_clear(&err);
        assert_int_equal(gw_invoice_amazon_detail(&b, CASES[i].json, strlen(CASES[i].json), &err), 0);
        assert_string_equal(edi_buf_cstr(&b), CASES[i].want);
        edi_buf_dispose(&b);
    }
    /* not a status message */
    edi_buf_init(&b, 0);
    assert_int_equal(gw_invoice_amazon_detail(&b, "{\"invoiceNumber\":\"I1\"}", 22, &err), EDI_ESYNTAX);
    assert_int_equal(gw_invoice_amazon_detail(&b, "[1", 2, &err), EDI_ESYNTAX);
    edi_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amazon_state),
        cmocka_unit_test(test_amazon_detail),
    };

    return cmocka_run_group_tests_name("invoice", tests, NULL, NULL);
}
