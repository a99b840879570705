/*
 * test_sftp.c — what the SFTP client reads without a server
 * (gateway/net/sftp_parse.c): folder listings as libcurl prints them
 * (OpenSSH's long names, names with blanks, links, lines that are not
 * entries) and the algorithm and passphrase of private keys in the
 * formats `wharf secrets set PARTNER sftp-private-key` takes. The wire
 * itself is tests/integration/sftp.sh's, against OpenSSH's sshd.
 */
#include "testutil.h"
#include "gateway/net/sftp.h"

static const struct {
    const char *line;
    const char *name;      /* NULL: not an entry */
    char type;
    uint64_t size;
} LINES[] = {
    {"-rw-r--r--    1 amazon   amazon       1234 Jan  1 00:00 po1.edi", "po1.edi", '-', 1234},
    {"-rw-r--r--    1 amazon   amazon          0 Dec 31  2024 empty.edi", "empty.edi", '-', 0},
    {"-rw-r--r--    1 1001     1001   18446744073 Mar 10 12:34 big.edi", "big.edi", '-', 18446744073ULL},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00 two words.edi", "two words.edi", '-', 12},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00  lead.edi", " lead.edi", '-', 12},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00 crlf.edi\r", "crlf.edi", '-', 12},
    {"drwxr-xr-x    2 a        b          4096 Jan  1 00:00 archive", "archive", 'd', 4096},
    {"lrwxrwxrwx    1 a        b             9 Jan  1 00:00 link.edi -> /etc/passwd", "link.edi", 'l', 9},
    {"srwxrwxrwx    1 a        b             0 Jan  1 00:00 sock", "sock", '?', 0},
    {"-rw-r--r--+   1 a        b            12 1月  1 00:00 acl.edi", "acl.edi", '-', 12},
    {"drwxr-xr-x    2 a        b          4096 Jan  1 00:00 .", NULL, 0, 0},
    {"drwxr-xr-x    2 a        b          4096 Jan  1 00:00 ..", NULL, 0, 0},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00 ../up.edi", NULL, 0, 0},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00 a/b.edi", NULL, 0, 0},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00 tab\there.edi", NULL, 0, 0},
    {"-rw-r--r--    1 a        b          12x4 Jan  1 00:00 size.edi", NULL, 0, 0},
    {"-rw-r--r--    1 a        b   99999999999999999999 Jan  1 00:00 huge.edi", NULL, 0, 0},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00", NULL, 0, 0},
    {"-rw-r--r--    1 a        b            12 Jan  1 00:00 ", NULL, 0, 0},
    {"po1.edi", NULL, 0, 0},
    {"total 12", NULL, 0, 0},
    {"xrw-r--r--    1 a        b            12 Jan  1 00:00 x.edi", NULL, 0, 0},
};

static void test_listing_lines(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(LINES) / sizeof(LINES[0]); i++) {
        struct gw_sftp_entry *v = NULL;
        size_t n = 0, skipped = 0;
        struct edi_err err;

        edi_err_clear(&err);
        assert_int_equal(gw_sftp_parse_listing(&v, &n, &skipped, LINES[i].line, strlen(LINES[i].line), &err), 0);
        if (LINES[i].name == NULL) {
            if (n != 0)
                fail_msg("line %zu (%s) read as entry '%s'", i, LINES[i].line, v[0].name);
            assert_int_equal(skipped, 1);
        } else {
            if (n != 1)
                fail_msg("line %zu (%s) not read", i, LINES[i].line);
            assert_string_equal(v[0].name, LINES[i].name);
            assert_int_equal(v[0].type, LINES[i].type);
            assert_true(v[0].size == LINES[i].size);
        }
        gw_sftp_entries_free(v, n);
    }
}

/* A whole listing as libcurl gives it: entries in order, blank and
 * unknown lines counted, no line end needed on the last. */
static void test_listing_whole(void **state)
{
    static const char text[] =
        "drwxr-xr-x    2 a        b          4096 Jan  1 00:00 .\n"
        "drwxr-xr-x    4 a        b          4096 Jan  1 00:00 ..\n"
        "-rw-r--r--    1 a        b           253 Jan  1 00:00 b.edi\n"
        "\n"
        "garbage\n"
        "-rw-r--r--    1 a        b           300 Jan  1 00:00 a.edi";
    struct gw_sftp_entry *v = NULL;
    size_t n = 0, skipped = 0;
    struct edi_err err;

    (void)state;
    assert_int_equal(gw_sftp_parse_listing(&v, &n, &skipped, text, strlen(text), &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "b.edi");
    assert_string_equal(v[1].name, "a.edi");
    assert_true(v[1].size == 300);
    assert_int_equal(skipped, 3);
    gw_sftp_entries_free(v, n);
    /* an empty listing */
    assert_int_equal(gw_sftp_parse_listing(&v, &n, NULL, "", 0, &err), 0);
    assert_int_equal(n, 0);
    gw_sftp_entries_free(v, n);
}

/* OpenSSH-format keys as ssh-keygen writes them (these are throwaway
 * test keys, made for this file, used nowhere). */
static const char ED25519[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACCm+bCrpHhz2Qs/u/H3xer0+b0gBa6kJcC5/bnbh0AQQQAAAIix0Wa1sdFm\n"
    "tQAAAAtzc2gtZWQyNTUxOQAAACCm+bCrpHhz2Qs/u/H3xer0+b0gBa6kJcC5/bnbh0AQQQ\n"
    "AAAEBwtOfLD6mnyhhNQgguFewfTDT3SsyleYa4GafOBgNWTqb5sKukeHPZCz+78ffF6vT5\n"
    "vSAFrqQlwLn9uduHQBBBAAAABHRlc3QB\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char ED25519_LOCKED[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBbJ4i9/X\n"
    "xPnxVP1RNklpSnAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIIR21rpI090b5kD2\n"
    "OkU7gsQy4G50f9JWNsq5Ssxp22DRAAAAkHw3yDzZAulYK2w0bOVXl2gMj69ysnJAYfn4pH\n"
    "ILOnCrv8mFhZQLyY4yCSuj/FntSkEtLAh1cznP9nyWQ9QhybYwms4jMpa8cvHDWZboheoH\n"
    "IVlirGyg7UA+T0IE9jSkNJLFd3vfQ0rX2qiF982CobIy2PFrlXNQTR3wSyJpx7RVrilZGI\n"
    "sO/6HHeDsM3oxYoA==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

static void test_key_type(void **state)
{
    char t[64];

    (void)state;
    assert_int_equal(gw_sftp_key_type(t, sizeof(t), ED25519, strlen(ED25519)), 0);
    assert_string_equal(t, "ssh-ed25519");
    assert_int_equal(gw_sftp_key_type(t, sizeof(t), ED25519_LOCKED, strlen(ED25519_LOCKED)), 1);
    assert_string_equal(t, "ssh-ed25519");
    assert_int_equal(gw_sftp_key_type(t, sizeof(t), "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", 36), 0);
    assert_string_equal(t, "ssh-rsa");
    assert_int_equal(gw_sftp_key_type(t, sizeof(t),
                                      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIE\n", 60), 1);
    assert_int_equal(gw_sftp_key_type(t, sizeof(t), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38), 1);
    assert_int_equal(gw_sftp_key_type(t, sizeof(t), "not a key", 9), 0);
    assert_string_equal(t, "");
    /* cut anywhere: no crash, no type read past the end */
    for (size_t k = 0; k < sizeof(ED25519) - 1; k++)
        gw_sftp_key_type(t, sizeof(t), ED25519, k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listing_lines),
        cmocka_unit_test(test_listing_whole),
        cmocka_unit_test(test_key_type),
    };

    return cmocka_run_group_tests_name("sftp", tests, NULL, NULL);
}
