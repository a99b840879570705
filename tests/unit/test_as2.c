/*
 * test_as2.c — the AS2 transport's pure pieces (transport/as2.h): the
 * Message-ID we make, AS2 names as header values and back, the receipt
 * options we ask and read, and telling a receipt from a message.
 */
#include "gateway/transport/as2.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

static void test_message_id(void **state)
{
    char id[300];

    (void)state;
    assert_int_equal(gw_as2_message_id(id, sizeof(id), 42, "0123456789abcdef0123456789abcdef", "edi.acme.example"), 0);
    assert_string_equal(id, "<wharf-42-0123456789abcdef0123456789abcdef@edi.acme.example>");
    /* a host with characters a Message-ID must not carry */
    gw_as2_message_id(id, sizeof(id), 1, "ab", "bad host>\r\n<x");
    assert_string_equal(id, "<wharf-1-ab@badhostx>");
    gw_as2_message_id(id, sizeof(id), 1, "ab", "");
    assert_string_equal(id, "<wharf-1-ab@localhost>");
    assert_true(strlen(id) <= 255);
}

static void test_names(void **state)
{
    char v[300], back[300];

    (void)state;
    gw_as2_name_value(v, sizeof(v), "AMAZON");
    assert_string_equal(v, "AMAZON");
    gw_as2_name_value(v, sizeof(v), "ACME \"EU\" AS2");
    assert_string_equal(v, "\"ACME \\\"EU\\\" AS2\"");
    gw_as2_name_read(back, sizeof(back), v);
    assert_string_equal(back, "ACME \"EU\" AS2");
    gw_as2_name_read(back, sizeof(back), "  SIAS2PRD ");
    assert_string_equal(back, "SIAS2PRD");
}

static void test_receipt_options(void **state)
{
    char dno[200];
    int asked;

    (void)state;
    gw_as2_dno(dno, sizeof(dno), GW_MD_SHA256);
    assert_string_equal(dno, "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, "
                             "sha-256");
    assert_int_equal(gw_as2_dno_micalg(dno, &asked), GW_MD_SHA256);
    assert_int_equal(asked, 1);
    /* IBM Sterling's spelling (research §4.4): no spaces, sha1 */
    assert_int_equal(gw_as2_dno_micalg("signed-receipt-protocol=optional,pkcs7-signature;"
                                       "signed-receipt-micalg=optional,sha1", &asked), GW_MD_SHA1);
    /* the first one we support, in the sender's order */
    assert_int_equal(gw_as2_dno_micalg("signed-receipt-protocol=required, pkcs7-signature; "
                                       "signed-receipt-micalg=required, md5, sha-512, sha-256", &asked), GW_MD_SHA512);
    assert_int_equal(gw_as2_dno_micalg(NULL, &asked), GW_MD_NONE);
    assert_int_equal(asked, 0);
    assert_int_equal(gw_as2_dno_micalg("signed-receipt-micalg=optional, md5", &asked), GW_MD_NONE);
}

static void test_is_mdn(void **state)
{
    static const char signed_report[] =
        "--B1\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=\"B2\"\r\n\r\n"
        "--B2\r\nContent-Type: text/plain\r\n\r\nok\r\n--B2--\r\n"
        "--B1\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--B1--\r\n";
    static const char signed_msg[] =
        "--B1\r\nContent-Type: application/edi-x12\r\n\r\nISA*~\r\n"
        "--B1\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--B1--\r\n";

    (void)state;
    assert_true(gw_as2_is_mdn("multipart/report; report-type=disposition-notification; boundary=x", "", 0));
    assert_true(gw_as2_is_mdn("multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; "
                              "boundary=\"B1\"", signed_report, strlen(signed_report)));
    assert_false(gw_as2_is_mdn("multipart/signed; boundary=\"B1\"", signed_msg, strlen(signed_msg)));
    assert_false(gw_as2_is_mdn("application/pkcs7-mime; smime-type=enveloped-data", "x", 1));
    assert_false(gw_as2_is_mdn(NULL, "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_id),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_receipt_options),
        cmocka_unit_test(test_is_mdn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
