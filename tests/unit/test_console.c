/*
 * test_console.c — the console's file names (api/console.c): what is
 * served and with which Content-Type, and every way out of the folder
 * refused by name (tests/integration/console.sh asks a running wharf, with
 * a symbolic link out of the folder too).
 */
#include "testutil.h"
#include "gateway/api/console.h"

static void names_and_types(void **state)
{
    static const struct {
        const char *name, *type;
    } cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"app.css", "text/css; charset=utf-8"},
        {"img/logo-2.svg", "image/svg+xml"},
        {"shots/today.png", "image/png"},
        {"favicon.ico", "image/x-icon"},
        {"fonts/a_b.woff2", "font/woff2"},
        /* refused: climbing out, encoded, hidden, unknown types, odd bytes */
        {"", NULL},
        {"../wharf.xml", NULL},
        {"a/../../b.js", NULL},
        {"..", NULL},
        {"%2e%2e/Makefile", NULL},
        {"a%2Fb.js", NULL},
        {"app.js%00.png", NULL},
        {".git/config", NULL},
        {"a/.hidden.js", NULL},
        {"/etc/passwd.js", NULL},
        {"a//b.js", NULL},
        {"a/", NULL},
        {"README.md", NULL},
        {"wharf.db", NULL},
        {"app", NULL},
        {"app.JS", NULL},
        {"a\\b.js", NULL},
        {"a b.js", NULL},
        {"app.js?x=1", NULL},
        {"a:b.js", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = gw_console_type(cases[i].name);

        if (cases[i].type == NULL && got != NULL)
            fail_msg("'%s' is served as %s, want refused", cases[i].name, got);
        if (cases[i].type != NULL && (got == NULL || strcmp(got, cases[i].type) != 0))
            fail_msg("'%s' is %s, want %s", cases[i].name, got ? got : "refused", cases[i].type);
    }
}

static void long_names_refused(void **state)
{
    char name[300];

    (void)state;
    memset(name, 'a', sizeof(name));
    memcpy(name + sizeof(name) - 4, ".js", 4);
    assert_null(gw_console_type(name));
    assert_non_null(gw_console_type(name + sizeof(name) - 100));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_types),
        cmocka_unit_test(long_names_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
