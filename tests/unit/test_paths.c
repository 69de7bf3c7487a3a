/* test_paths.c — where movierec looks for its files: the order of precedence between the
 * command line, MOVIEREC_* and XDG_* variables and the defaults under $HOME, the search for
 * the data `make data` fetched next to the executable, profile names, and mr_mkdirs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/paths.h"

static const char *const env_vars[] = {"HOME",          "MOVIEREC_DATA",  "MOVIEREC_HOME",
                                       "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"};
#define N_VARS (sizeof env_vars / sizeof env_vars[0])

struct fixture {
    char *saved[N_VARS]; /* the environment before the test, restored after it */
    char tmp[PATH_MAX];  /* a scratch directory, removed after the test */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    for (size_t i = 0; i < N_VARS; i++) {
        const char *v = getenv(env_vars[i]);
        f->saved[i] = v ? strdup(v) : NULL;
        unsetenv(env_vars[i]);
    }
    snprintf(f->tmp, sizeof f->tmp, "/tmp/test_paths.XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    setenv("HOME", "/home/alice", 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < N_VARS; i++) {
        if (f->saved[i])
            setenv(env_vars[i], f->saved[i], 1);
        else
            unsetenv(env_vars[i]);
        free(f->saved[i]);
    }
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->tmp);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* snprintf into a PATH_MAX buffer, failing the test when the result does not fit. */
static void fmt(char *buf, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void fmt(char *buf, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, PATH_MAX, format, ap);
    va_end(ap);
    assert_true(n >= 0 && n < PATH_MAX);
}

/* Creates the directories of path and an empty file there. */
static void touch(const char *path)
{
    char dir[PATH_MAX];
    fmt(dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(mr_mkdirs(dir), 0);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
}

static void test_data_command_line_beats_environment(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    setenv("MOVIEREC_DATA", "/srv/env-data", 1);
    assert_string_equal(mr_path_data_search("/cli/data", NULL, buf, sizeof buf), "/cli/data");
    assert_string_equal(mr_path_data_search(NULL, NULL, buf, sizeof buf), "/srv/env-data");
    /* An empty --data or MOVIEREC_DATA counts as not given. */
    assert_string_equal(mr_path_data_search("", NULL, buf, sizeof buf), "/srv/env-data");
    setenv("MOVIEREC_DATA", "", 1);
    assert_string_equal(mr_path_data_search(NULL, NULL, buf, sizeof buf),
                        "/home/alice/.local/share/movierec/ml-latest-small");
}

static void test_data_next_to_the_executable(void **state)
{
    struct fixture *f = *state;
    char buf[PATH_MAX], exe_dir[PATH_MAX], file[PATH_MAX], expect[PATH_MAX];
    /* The binary in TMP/build/asan; the data in TMP/data/ml-latest-small, two levels up. */
    fmt(exe_dir, "%s/build/asan", f->tmp);
    assert_int_equal(mr_mkdirs(exe_dir), 0);
    fmt(expect, "%s/data/ml-latest-small", f->tmp);
    assert_int_equal(mr_mkdirs(expect), 0);

    /* A directory without movies.csv is not the data set: fall through to XDG. */
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    assert_string_equal(mr_path_data_search(NULL, exe_dir, buf, sizeof buf),
                        "/xdg/data/movierec/ml-latest-small");

    fmt(file, "%s/movies.csv", expect);
    touch(file);
    assert_string_equal(mr_path_data_search(NULL, exe_dir, buf, sizeof buf), expect);
    assert_null(strstr(buf, "..")); /* resolved, not TMP/build/asan/../../data */

    /* A copy in the executable's own directory is nearer and wins. */
    fmt(file, "%s/data/ml-latest-small/movies.csv", exe_dir);
    touch(file);
    fmt(expect, "%s/data/ml-latest-small", exe_dir);
    assert_string_equal(mr_path_data_search(NULL, exe_dir, buf, sizeof buf), expect);

    /* The environment still beats the executable's neighbourhood. */
    setenv("MOVIEREC_DATA", "/srv/env-data", 1);
    assert_string_equal(mr_path_data_search(NULL, exe_dir, buf, sizeof buf), "/srv/env-data");
}

static const char *argv0; /* this program's argv[0], set by main */

static void test_exe_dir_is_this_test_binary(void **state)
{
    (void)state;
    char dir[PATH_MAX], expect[PATH_MAX];
    assert_non_null(mr_path_exe_dir(dir, sizeof dir));
    assert_non_null(realpath(argv0, expect));
    *strrchr(expect, '/') = '\0';
    assert_string_equal(dir, expect);
    assert_null(mr_path_exe_dir(dir, 3)); /* too small for any real directory */
}

static void test_home_precedence(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    assert_string_equal(mr_path_home(buf, sizeof buf), "/home/alice/.local/share/movierec");
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    assert_string_equal(mr_path_home(buf, sizeof buf), "/xdg/data/movierec");
    setenv("MOVIEREC_HOME", "/opt/mr", 1);
    assert_string_equal(mr_path_home(buf, sizeof buf), "/opt/mr");
}

static void test_relative_xdg_values_are_ignored(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    setenv("XDG_DATA_HOME", "relative/data", 1);
    setenv("XDG_CACHE_HOME", "cache", 1);
    setenv("XDG_STATE_HOME", "", 1);
    assert_string_equal(mr_path_home(buf, sizeof buf), "/home/alice/.local/share/movierec");
    assert_string_equal(mr_path_cache(buf, sizeof buf), "/home/alice/.cache/movierec");
    assert_string_equal(mr_path_state(buf, sizeof buf), "/home/alice/.local/state/movierec");
}

static void test_cache_and_state(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    assert_string_equal(mr_path_cache(buf, sizeof buf), "/home/alice/.cache/movierec");
    assert_string_equal(mr_path_state(buf, sizeof buf), "/home/alice/.local/state/movierec");
    setenv("XDG_CACHE_HOME", "/c", 1);
    setenv("XDG_STATE_HOME", "/s", 1);
    assert_string_equal(mr_path_cache(buf, sizeof buf), "/c/movierec");
    assert_string_equal(mr_path_state(buf, sizeof buf), "/s/movierec");
    /* MOVIEREC_HOME moves the profiles only, not the cache. */
    setenv("MOVIEREC_HOME", "/opt/mr", 1);
    assert_string_equal(mr_path_cache(buf, sizeof buf), "/c/movierec");
}

static void test_profile_path(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    assert_string_equal(mr_path_profile(NULL, buf, sizeof buf),
                        "/home/alice/.local/share/movierec/profiles/default.csv");
    setenv("MOVIEREC_HOME", "/opt/mr", 1);
    assert_string_equal(mr_path_profile("bob", buf, sizeof buf), "/opt/mr/profiles/bob.csv");
    assert_null(mr_path_profile("../etc/passwd", buf, sizeof buf));
    assert_null(mr_path_profile("", buf, sizeof buf));
}

static void test_small_buffer_gives_null(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    setenv("MOVIEREC_HOME", "/opt/mr", 1);
    /* "/opt/mr/profiles/bob.csv" is 24 bytes plus the NUL. */
    assert_null(mr_path_profile("bob", buf, 24));
    assert_non_null(mr_path_profile("bob", buf, 25));
    assert_null(mr_path_home(buf, 7));
    assert_non_null(mr_path_home(buf, 8));
    assert_null(mr_path_data_search("/cli/data", NULL, buf, 9));
    assert_null(mr_path_cache(buf, 10));
}

static void test_profile_names(void **state)
{
    (void)state;
    char name[80];
    assert_true(mr_profile_name_ok("default"));
    assert_true(mr_profile_name_ok("A.b-c_9"));
    assert_true(mr_profile_name_ok("x"));
    assert_false(mr_profile_name_ok(NULL));
    assert_false(mr_profile_name_ok(""));
    assert_false(mr_profile_name_ok(".hidden"));
    assert_false(mr_profile_name_ok(".."));
    assert_false(mr_profile_name_ok("a/b"));
    assert_false(mr_profile_name_ok("with space"));
    assert_false(mr_profile_name_ok("am\xc3\xa9lie")); /* UTF-8 letters are not allowed */
    memset(name, 'n', 64);
    name[64] = '\0';
    assert_true(mr_profile_name_ok(name));
    name[64] = 'n';
    name[65] = '\0';
    assert_false(mr_profile_name_ok(name));
}

static void test_mkdirs(void **state)
{
    struct fixture *f = *state;
    char dir[PATH_MAX], file[PATH_MAX];
    struct stat st;
    fmt(dir, "%s/a/b/c/", f->tmp);
    assert_int_equal(mr_mkdirs(dir), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(mr_mkdirs(dir), 0); /* already there: fine */

    fmt(file, "%s/a/file", f->tmp);
    touch(file);
    fmt(dir, "%s/a/file/sub", f->tmp);
    errno = 0;
    assert_int_equal(mr_mkdirs(dir), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(mr_mkdirs(file), -1); /* the path itself is a file */
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(mr_mkdirs(""), -1);
}

int main(int argc, char **argv)
{
    (void)argc;
    argv0 = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_data_command_line_beats_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_next_to_the_executable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exe_dir_is_this_test_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_xdg_values_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_and_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_buffer_gives_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
