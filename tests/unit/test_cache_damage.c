/* test_cache_damage.c — model files that must not be trusted and saves that cannot finish:
 * a file for another model, one cut short inside its header, a header that does not parse, a
 * payload shorter or longer than the model reads (each with a correct checksum, so that only
 * the model's own checks catch it), and saves into a path whose temporary name, directory or
 * disk space is not available (no file is left under the model's name). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/cache.h"
#include "movierec/dataset.h"
#include "movierec/serial.h"

#define DATA "tests/fixtures/ml-latest-tiny"

struct fixture {
    char dir[64];
    char path[128]; /* DIR/models/baseline.model */
    struct mr_dataset ds;
    struct mr_model *fitted; /* baseline, fitted and saved to path */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_cache_damage.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/models/baseline.model", f->dir);
    struct mr_error err;
    if (mr_dataset_load(DATA, NULL, &f->ds, &err) != MR_OK)
        return -1;
    f->fitted = mr_model_new("baseline", NULL, &f->ds.catalog, &f->ds.ratings);
    if (!f->fitted || mr_model_fit(f->fitted, &err) != MR_OK)
        return -1;
    /* the models directory does not exist yet: save creates it */
    if (mr_cache_save(f->fitted, f->path, f->ds.fingerprint, &err) != MR_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    mr_model_free(f->fitted);
    mr_dataset_free(&f->ds);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The bytes of path (caller frees). */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long size = ftell(fp);
    assert_true(size > 0);
    rewind(fp);
    unsigned char *buf = malloc((size_t)size + 64);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    *n = (size_t)size;
    return buf;
}

/* Writes body[0..n) followed by its checksum, as a cache file does. */
static void write_with_checksum(const char *path, const unsigned char *body, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    uint64_t sum = mr_checksum(body, n);
    assert_int_equal(fwrite(body, 1, n, fp), n);
    assert_int_equal(fwrite(&sum, sizeof sum, 1, fp), 1);
    assert_int_equal(fclose(fp), 0);
}

/* Loads path into a fresh model called name; returns the status, state and message. */
static int load_as(struct fixture *f, const char *name, const char *path,
                   enum mr_cache_state *state, struct mr_error *err)
{
    struct mr_model *m = mr_model_new(name, NULL, &f->ds.catalog, &f->ds.ratings);
    assert_non_null(m);
    mr_error_clear(err);
    int rc = mr_cache_load(m, path, f->ds.fingerprint, state, err);
    mr_model_free(m); /* also after a failed load */
    return rc;
}

static void test_valid_file_round_trip(void **state)
{
    struct fixture *f = *state;
    struct mr_model *m = mr_model_new("baseline", NULL, &f->ds.catalog, &f->ds.ratings);
    assert_non_null(m);
    struct mr_error err;
    /* state may be NULL */
    assert_int_equal(mr_cache_load(m, f->path, f->ds.fingerprint, NULL, &err), MR_OK);
    void *a = f->fitted->ops->user_new(f->fitted), *b = m->ops->user_new(m);
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, f->ds.catalog.n_movies), MR_OK);
    for (int32_t i = 0; i < f->ds.catalog.n_movies; i++)
        assert_float_equal(f->fitted->ops->predict(f->fitted, a, &u, i),
                           m->ops->predict(m, b, &u, i), 0.0);
    f->fitted->ops->user_free(f->fitted, a);
    m->ops->user_free(m, b);
    mr_user_free(&u);
    mr_model_free(m);

    char buf[128];
    assert_non_null(mr_cache_path("/c", "als", 0x1234abcdULL, buf, sizeof buf));
    assert_string_equal(buf, "/c/als-000000001234abcd.model");
    assert_null(mr_cache_path("/c", "als", 1, buf, 20));
}

static void test_file_for_another_model(void **state)
{
    struct fixture *f = *state;
    enum mr_cache_state st;
    struct mr_error err;
    assert_int_equal(load_as(f, "pop", f->path, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_STALE);
    assert_string_equal(err.msg, "cache is stale: made for another model");
    /* other data: another fingerprint */
    struct mr_model *m = mr_model_new("baseline", NULL, &f->ds.catalog, &f->ds.ratings);
    assert_int_equal(mr_cache_load(m, f->path, f->ds.fingerprint ^ 1, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_STALE);
    assert_string_equal(err.msg, "cache is stale: made for other data");
    mr_model_free(m);
}

static void test_damaged_headers(void **state)
{
    struct fixture *f = *state;
    enum mr_cache_state st;
    struct mr_error err;
    char path[160];
    snprintf(path, sizeof path, "%s/damaged.model", f->dir);
    size_t n;
    unsigned char *good = slurp(f->path, &n);

    /* magic, format and byte order, then nothing: too short for even a checksum */
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(good, 1, 16, fp), 16);
    fclose(fp);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_string_equal(err.msg, "cache is corrupt: truncated");
    assert_string_equal(err.file, path);

    /* a model name length beyond any name, under a correct checksum */
    unsigned char bad[24];
    memcpy(bad, good, 16);
    uint32_t huge = 0xFFFFFFFFu;
    memcpy(bad + 16, &huge, 4);
    write_with_checksum(path, bad, 20);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_string_equal(err.msg, "cache is corrupt: bad header");

    /* not a cache file at all */
    write_with_checksum(path, (const unsigned char *)"hello, this is text", 19);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_non_null(strstr(err.msg, "not a movierec model file"));

    /* a directory where the file should be */
    assert_int_equal(load_as(f, "baseline", f->dir, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);

    /* no file */
    snprintf(path, sizeof path, "%s/none.model", f->dir);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_ENOTFOUND);
    assert_int_equal(st, MR_CACHE_MISSING);
    free(good);
}

static void test_payload_short_or_long(void **state)
{
    struct fixture *f = *state;
    enum mr_cache_state st;
    struct mr_error err;
    char path[160];
    snprintf(path, sizeof path, "%s/payload.model", f->dir);
    size_t n;
    unsigned char *good = slurp(f->path, &n);
    size_t body = n - 8;

    /* the last 8 payload bytes cut, the checksum made right again: the model runs short */
    write_with_checksum(path, good, body - 8);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_int_equal(strncmp(err.msg, "cache is corrupt: ", 18), 0);

    /* 8 bytes more than the model reads */
    memset(good + body, 0x5a, 8);
    write_with_checksum(path, good, body + 8);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_string_equal(err.msg, "cache is corrupt: the model data is invalid");

    /* the unchanged body under its checksum loads (the test's own writer is right) */
    write_with_checksum(path, good, body);
    assert_int_equal(load_as(f, "baseline", path, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_LOADED);
    free(good);
}

static void test_save_failures(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    char path[160], tmp[200];

    /* the temporary name is taken by a directory */
    snprintf(path, sizeof path, "%s/blocked.model", f->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_equal(mkdir(tmp, 0700), 0);
    assert_int_equal(mr_cache_save(f->fitted, path, f->ds.fingerprint, &err), MR_EIO);
    assert_string_equal(err.file, tmp);
    assert_non_null(strstr(err.msg, "cannot create"));
    assert_false(exists(path));
    assert_int_equal(rmdir(tmp), 0);

    /* the directory cannot be created: a file is in the way */
    snprintf(path, sizeof path, "%s/models/baseline.model/sub/x.model", f->dir);
    assert_int_equal(mr_cache_save(f->fitted, path, f->ds.fingerprint, &err), MR_EIO);
    assert_non_null(strstr(err.msg, "cannot create the cache directory"));

    /* the disk fills up: no file under the name, no temporary file */
    snprintf(path, sizeof path, "%s/full.model", f->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 64)
        skip();
    small = saved;
    small.rlim_cur = 64;
    void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = mr_cache_save(f->fitted, path, f->ds.fingerprint, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old);
    assert_int_equal(rc, MR_EIO);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "cannot write the cache"));
    assert_false(exists(path));
    assert_false(exists(tmp));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_file_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_for_another_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payload_short_or_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
