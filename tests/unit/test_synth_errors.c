/* test_synth_errors.c — `movierec gen` when it cannot or must not write: options out of range,
 * a target that is a file, a path too long, a parent that cannot be created, a write that fails
 * part way (the file-size limit stands in for a full disk) leaving neither the data set nor its
 * temporary directory behind; and two successes off the common path: a relative target
 * directory, and a ratings file larger than the 8 MiB output buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/synth.h"

struct fixture {
    char tmp[64];      /* scratch directory */
    char out[128];     /* TMP/set */
    char out_tmp[160]; /* TMP/set.tmp */
    struct mr_catalog c;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->tmp, sizeof f->tmp, "/tmp/test_synth_errors.XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    snprintf(f->out, sizeof f->out, "%s/set", f->tmp);
    snprintf(f->out_tmp, sizeof f->out_tmp, "%s.tmp", f->out);
    for (int i = 0; i < 300; i++) {
        char title[64];
        snprintf(title, sizeof title, "Movie number %d, The (%d)", i, 1950 + i % 70);
        if (mr_catalog_add(&f->c, i + 1, title, 1u << (i % 19)) != MR_OK)
            return -1;
    }
    mr_catalog_finish(&f->c, NULL, NULL, "test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->tmp);
    int rc = system(cmd);
    mr_catalog_free(&f->c);
    free(f);
    return rc == 0 ? 0 : -1;
}

static struct mr_synth_opts opts(int32_t users, int64_t ratings)
{
    struct mr_synth_opts o;
    mr_synth_defaults(&o);
    o.n_users = users;
    o.n_ratings = ratings;
    o.seed = 3;
    return o;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Expects mr_synth_write to refuse o with MR_EUSAGE and msg, writing nothing. */
static void refused(struct fixture *f, const struct mr_catalog *c, const struct mr_synth_opts *o,
                    const char *msg)
{
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_synth_write(c, o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    if (!strstr(err.msg, msg))
        fail_msg("got \"%s\", expected \"%s\"", err.msg, msg);
    assert_false(exists(f->out));
    assert_false(exists(f->out_tmp));
}

static void test_options_out_of_range(void **state)
{
    struct fixture *f = *state;
    struct mr_catalog empty = {0};
    struct mr_synth_opts o = opts(5, 100);
    refused(f, &empty, &o, "the catalog has no movies");
    o.factors = 0;
    refused(f, &f->c, &o, "factors must be 1..64");
    o.factors = 65;
    refused(f, &f->c, &o, "factors must be 1..64");
    o = opts(5, 100);
    o.first_timestamp = 2000;
    o.last_timestamp = 1000;
    refused(f, &f->c, &o, "bad timestamp range");
    o.first_timestamp = -1;
    o.last_timestamp = 1000;
    refused(f, &f->c, &o, "bad timestamp range");
    o = opts(5, 100);
    o.min_per_user = 0;
    refused(f, &f->c, &o, "the minimum per user must be at least 1");
    o = opts(5, 4);
    refused(f, &f->c, &o, "4 ratings cannot give each of 5 users one rating");
    o = opts(2, 601);
    refused(f, &f->c, &o, "601 ratings exceed 2 users x 300 movies");
}

static void test_bad_targets(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    struct mr_synth_opts o = opts(5, 100);

    /* the target is a regular file: left alone, even with replace */
    FILE *fp = fopen(f->out, "w");
    assert_non_null(fp);
    fputs("mine\n", fp);
    fclose(fp);
    o.replace = 1;
    assert_int_equal(mr_synth_write(&f->c, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    assert_string_equal(err.file, f->out);
    assert_string_equal(err.msg, "exists and is not a directory");
    struct stat st;
    assert_int_equal(stat(f->out, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 5);

    assert_int_equal(unlink(f->out), 0);

    /* a parent directory that cannot be created (a dangling link is in the way) */
    char link[160], deep[256];
    snprintf(link, sizeof link, "%s/gone", f->tmp);
    assert_int_equal(symlink("no-such-dir", link), 0);
    snprintf(deep, sizeof deep, "%s/sub/set", link);
    assert_int_equal(mr_synth_write(&f->c, &o, deep, NULL, NULL, NULL, &err), MR_EIO);
    snprintf(deep, sizeof deep, "%s/sub", link);
    assert_string_equal(err.file, deep);
    assert_non_null(strstr(err.msg, "cannot create"));

    /* a path too long for DIR.tmp */
    size_t n = PATH_MAX - 10;
    char *longdir = malloc(n + 1);
    assert_non_null(longdir);
    memset(longdir, 'x', n);
    memcpy(longdir, "/tmp/", 5);
    longdir[n] = '\0';
    assert_int_equal(mr_synth_write(&f->c, &o, longdir, NULL, NULL, NULL, &err), MR_EUSAGE);
    assert_string_equal(err.msg, "path too long");
    free(longdir);
}

/* A file standing where a parent directory of the target should be: the write is refused as
 * for any other parent that cannot be made (MR_EIO, "cannot create"), not with a message about
 * a DIR.tmp "left over from an earlier run" that does not exist; nothing is written. */
static void test_parent_is_a_file(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    struct mr_synth_opts o = opts(5, 100);
    FILE *fp = fopen(f->out, "w");
    assert_non_null(fp);
    fclose(fp);
    char deep[256];
    snprintf(deep, sizeof deep, "%s/sub/set", f->out);
    int rc = mr_synth_write(&f->c, &o, deep, NULL, NULL, NULL, &err);
    assert_null(strstr(err.msg, "left over"));
    assert_int_equal(rc, MR_EIO);
    assert_non_null(strstr(err.msg, "cannot create"));
    struct stat st;
    assert_int_equal(stat(f->out, &st), 0);
    assert_true(S_ISREG(st.st_mode)); /* the file is left as it was */
    assert_int_equal(st.st_size, 0);
}

/* Runs mr_synth_write with the file-size limit set to limit bytes (SIGXFSZ ignored, so a
 * write past it fails with EFBIG as on a full disk).  Returns its status. */
static int write_with_size_limit(struct fixture *f, rlim_t limit, const struct mr_synth_opts *o,
                                 struct mr_error *err)
{
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < limit)
        skip();
    small = saved;
    small.rlim_cur = limit;
    void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = mr_synth_write(&f->c, o, f->out, NULL, NULL, NULL, err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old);
    return rc;
}

static void test_write_fails_part_way(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    char path[256];

    /* movies.csv (about 12 KB) cannot be written in full */
    struct mr_synth_opts o = opts(50, 5000);
    assert_int_equal(write_with_size_limit(f, 4096, &o, &err), MR_EIO);
    snprintf(path, sizeof path, "%s/movies.csv", f->out_tmp);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "write failed"));
    assert_false(exists(f->out));
    assert_false(exists(f->out_tmp)); /* cleaned up */

    /* the catalog files fit, ratings.csv (about 100 KB) does not */
    assert_int_equal(write_with_size_limit(f, 40000, &o, &err), MR_EIO);
    snprintf(path, sizeof path, "%s/ratings.csv", f->out_tmp);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "write failed"));
    assert_false(exists(f->out));
    assert_false(exists(f->out_tmp));

    /* an earlier data set survives a failed replacement */
    o.replace = 1;
    assert_int_equal(mr_synth_write(&f->c, &o, f->out, NULL, NULL, NULL, &err), MR_OK);
    snprintf(path, sizeof path, "%s/ratings.csv", f->out);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    o.seed = 4;
    assert_int_equal(write_with_size_limit(f, 40000, &o, &err), MR_EIO);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    assert_int_equal(after.st_ino, before.st_ino);
    assert_false(exists(f->out_tmp));
}

/* Number of '\n' in the file at path. */
static long count_lines(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    long lines = 0;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        for (size_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
    fclose(fp);
    return lines;
}

static void test_relative_and_large(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));

    /* a target without any '/': relative to the working directory */
    assert_int_equal(chdir(f->tmp), 0);
    struct mr_synth_opts o = opts(20, 1000);
    struct mr_synth_stats st;
    int rc = mr_synth_write(&f->c, &o, "rel", NULL, NULL, &st, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, MR_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/rel/ratings.csv", f->tmp);
    assert_int_equal(count_lines(path), 1 + 1000);
    snprintf(path, sizeof path, "%s/rel.tmp", f->tmp);
    assert_false(exists(path));

    /* 600,000 ratings: about 12 MB, more than one output buffer */
    o = opts(2000, 600000);
    assert_int_equal(mr_synth_write(&f->c, &o, f->out, NULL, NULL, &st, &err), MR_OK);
    assert_int_equal(st.n_ratings, 600000);
    assert_int_equal(st.n_users, 2000);
    snprintf(path, sizeof path, "%s/ratings.csv", f->out);
    struct stat s;
    assert_int_equal(stat(path, &s), 0);
    assert_true(s.st_size > (8 << 20));
    assert_int_equal(st.bytes, s.st_size);
    assert_int_equal(count_lines(path), 1 + 600000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_options_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parent_is_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fails_part_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_and_large, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
