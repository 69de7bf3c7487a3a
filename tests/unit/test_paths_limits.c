/* test_paths_limits.c — where paths.c gives up: a home found through the password database
 * when $HOME is unset, XDG variables and executable directories too long for PATH_MAX, buffers
 * one byte too small, and mr_path_data() itself (the command line, then the environment). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/paths.h"

static const char *const env_vars[] = {"HOME",          "MOVIEREC_DATA",  "MOVIEREC_HOME",
                                       "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"};
#define N_VARS (sizeof env_vars / sizeof env_vars[0])

/* The environment before each test, restored after it. */
static int setup(void **state)
{
    char **saved = calloc(N_VARS, sizeof *saved);
    if (!saved)
        return -1;
    for (size_t i = 0; i < N_VARS; i++) {
        const char *v = getenv(env_vars[i]);
        saved[i] = v ? strdup(v) : NULL;
        unsetenv(env_vars[i]);
    }
    setenv("HOME", "/home/alice", 1);
    *state = saved;
    return 0;
}

static int teardown(void **state)
{
    char **saved = *state;
    for (size_t i = 0; i < N_VARS; i++) {
        if (saved[i])
            setenv(env_vars[i], saved[i], 1);
        else
            unsetenv(env_vars[i]);
        free(saved[i]);
    }
    free(saved);
    return 0;
}

/* "/" followed by n - 1 'd' characters: an absolute path of n bytes. */
static char *long_path(size_t n)
{
    char *p = malloc(n + 1);
    assert_non_null(p);
    memset(p, 'd', n);
    p[0] = '/';
    p[n] = '\0';
    return p;
}

static void test_home_from_password_database(void **state)
{
    (void)state;
    struct passwd *pw = getpwuid(getuid());
    if (!pw || !pw->pw_dir || !pw->pw_dir[0])
        skip();
    char expect[PATH_MAX], buf[PATH_MAX];
    snprintf(expect, sizeof expect, "%s/.local/share/movierec", pw->pw_dir);
    unsetenv("HOME");
    assert_string_equal(mr_path_home(buf, sizeof buf), expect);
    /* an empty $HOME counts as unset */
    setenv("HOME", "", 1);
    assert_string_equal(mr_path_home(buf, sizeof buf), expect);
    snprintf(expect, sizeof expect, "%s/.cache/movierec", pw->pw_dir);
    assert_string_equal(mr_path_cache(buf, sizeof buf), expect);
}

static void test_xdg_values_too_long(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    char *huge = long_path(PATH_MAX + 10);
    setenv("XDG_DATA_HOME", huge, 1);
    setenv("XDG_CACHE_HOME", huge, 1);
    setenv("XDG_STATE_HOME", huge, 1);
    /* every path built on them does not fit: NULL, not a cut path */
    assert_null(mr_path_home(buf, sizeof buf));
    assert_null(mr_path_profile("bob", buf, sizeof buf));
    assert_null(mr_path_cache(buf, sizeof buf));
    assert_null(mr_path_state(buf, sizeof buf));
    assert_null(mr_path_data_search(NULL, NULL, buf, sizeof buf));
    /* what does not depend on them still works */
    setenv("MOVIEREC_HOME", "/opt/mr", 1);
    assert_string_equal(mr_path_profile("bob", buf, sizeof buf), "/opt/mr/profiles/bob.csv");
    setenv("MOVIEREC_DATA", "/srv/data", 1);
    assert_string_equal(mr_path_data_search(NULL, NULL, buf, sizeof buf), "/srv/data");
    free(huge);
}

static void test_profile_buffer_edges(void **state)
{
    (void)state;
    char buf[64];
    setenv("MOVIEREC_HOME", "/opt/mr", 1);
    /* "/opt/mr/profiles/bob" is 20 bytes: with 20 it does not fit before ".csv" either */
    assert_null(mr_path_profile("bob", buf, 20));
    assert_null(mr_path_profile("bob", buf, 21)); /* fits, but ".csv" does not */
    assert_string_equal(mr_path_profile("bob", buf, 25), "/opt/mr/profiles/bob.csv");
    assert_null(mr_path_profile("no/slash", buf, sizeof buf));
}

static void test_executable_directory_too_long(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    setenv("XDG_DATA_HOME", "/xdg", 1);
    /* "/data/ml-latest-small" cannot even be appended: the candidate is skipped */
    char *exe = long_path(PATH_MAX - 5);
    assert_string_equal(mr_path_data_search(NULL, exe, buf, sizeof buf),
                        "/xdg/movierec/ml-latest-small");
    free(exe);
    /* the candidate fits but "/movies.csv" after it does not: not a data set */
    exe = long_path(PATH_MAX - 30);
    assert_string_equal(mr_path_data_search(NULL, exe, buf, sizeof buf),
                        "/xdg/movierec/ml-latest-small");
    free(exe);
    /* an empty executable directory is skipped like NULL */
    assert_string_equal(mr_path_data_search(NULL, "", buf, sizeof buf),
                        "/xdg/movierec/ml-latest-small");
}

static void test_data_path(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    /* mr_path_data: the command line first, then $MOVIEREC_DATA */
    setenv("MOVIEREC_DATA", "/srv/data", 1);
    assert_string_equal(mr_path_data("/cli/dir", buf, sizeof buf), "/cli/dir");
    assert_string_equal(mr_path_data(NULL, buf, sizeof buf), "/srv/data");
    assert_string_equal(mr_path_data("", buf, sizeof buf), "/srv/data");
    assert_null(mr_path_data("/cli/dir", buf, 8));
}

static void test_mkdirs_name_too_long(void **state)
{
    (void)state;
    char *huge = long_path(PATH_MAX + 1);
    errno = 0;
    assert_int_equal(mr_mkdirs(huge), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    free(huge);
    errno = 0;
    assert_int_equal(mr_mkdirs(""), -1);
    assert_int_equal(errno, ENOENT);
    /* "/" alone exists and is a directory */
    assert_int_equal(mr_mkdirs("/"), 0);
    assert_int_equal(mr_mkdirs("///"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_home_from_password_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xdg_values_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_buffer_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_executable_directory_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs_name_too_long, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
