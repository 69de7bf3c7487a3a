/* test_cache.c — the model file: round trip, truncation, flipped bytes, stale versions,
 * fingerprints and parameters, and load-or-fit.  A small model defined here (per-item mean
 * ratings) stands in for the real ones, so that these tests depend on no other model; it
 * keeps its loaded array in place (mr_read_view), as the real ones may. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/cache.h"
#include "movierec/ratings.h"
#include "movierec/serial.h"
#include "../../src/engine/train_version.h" /* white box: the training versions */

/* ---- The stand-in model ---- */

struct toy {
    uint32_t n;
    float *means;      /* owned when fitted */
    const float *view; /* when loaded: inside the model's backing */
    int from_cache;
};

static void toy_destroy(struct mr_model *m)
{
    struct toy *t = m->impl;
    if (t)
        free(t->means);
    free(t);
    m->impl = NULL;
}

static int toy_fit(struct mr_model *m, struct mr_error *err)
{
    struct toy *t = calloc(1, sizeof *t);
    if (!t)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    t->n = (uint32_t)m->ratings->n_items;
    t->means = calloc(t->n, sizeof *t->means);
    for (uint32_t i = 0; i < t->n; i++)
        t->means[i] = m->ratings->item_mean[i] + (float)m->params.shrink;
    t->view = t->means;
    m->impl = t;
    return MR_OK;
}

static int toy_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct toy *t = m->impl;
    mr_write_u32(w, t->n);
    mr_write_align(w, 64);
    return mr_write(w, t->view, t->n * sizeof *t->view);
}

static int toy_load(struct mr_model *m, struct mr_reader *r, struct mr_error *err)
{
    struct toy *t = calloc(1, sizeof *t);
    if (!t)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    m->impl = t;
    t->from_cache = 1;
    if (mr_read_count(r, (uint32_t)m->ratings->n_items, &t->n) != 0 ||
        t->n != (uint32_t)m->ratings->n_items)
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "wrong item count");
    mr_read_align(r, 64);
    t->view = mr_read_view(r, t->n, sizeof *t->view);
    if (!t->view)
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "short item means");
    return MR_OK;
}

static const struct mr_model_ops toy_ops = {
    .name = "toy",
    .description = "per-item mean (test stand-in)",
    .fit = toy_fit,
    .save = toy_save,
    .load = toy_load,
    .destroy = toy_destroy,
};

/* ---- Fixture: a small rating matrix, a temporary cache directory ---- */

struct fixture {
    struct mr_ratings r;
    char dir[64];
    char path[256];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mr_ratings_builder b = {0};
    unsigned seed = 3;
    for (int u = 1; u <= 40; u++)
        for (int k = 0; k < 15; k++) {
            seed = seed * 1103515245u + 12345u;
            int item = (int)((seed >> 8) % 300);
            mr_ratings_builder_add(&b, u, item, (uint8_t)(1 + (seed >> 20) % 10));
        }
    if (mr_ratings_build(&b, 300, &f->r) != MR_OK)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/mr-cache-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    mr_cache_path(f->dir, "toy", 0xabcdef0123456789ULL, f->path, sizeof f->path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    mr_ratings_free(&f->r);
    free(f);
    return 0;
}

static struct mr_model *toy_new(struct fixture *f, double shrink)
{
    struct mr_model *m = calloc(1, sizeof *m);
    m->ops = &toy_ops;
    m->params.shrink = shrink;
    m->params.seed = 42;
    m->ratings = &f->r;
    return m;
}

/* Frees the model the library's way: the model, then the file it points into. */
static void toy_free(struct mr_model *m)
{
    mr_model_free(m);
}

/* Fits a toy model and writes it to f->path; returns the file's size. */
static long write_toy(struct fixture *f)
{
    struct mr_model *m = toy_new(f, 0.25);
    struct mr_error err;
    assert_int_equal(mr_model_fit(m, &err), MR_OK);
    assert_int_equal(mr_cache_save(m, f->path, 0xabcdef0123456789ULL, &err), MR_OK);
    toy_free(m);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    return (long)st.st_size;
}

static unsigned char *read_file(const char *path, long *size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *size = ftell(fp);
    rewind(fp);
    unsigned char *buf = malloc((size_t)*size + 1);
    assert_int_equal(fread(buf, 1, (size_t)*size, fp), (size_t)*size);
    fclose(fp);
    return buf;
}

static void write_bytes(const char *path, const unsigned char *buf, long size)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
}

/* Loads f->path into a fresh toy model; returns the state found. */
static enum mr_cache_state try_load(struct fixture *f, uint64_t fp, double shrink, int *rc,
                                    struct mr_error *err)
{
    struct mr_model *m = toy_new(f, shrink);
    enum mr_cache_state st;
    *rc = mr_cache_load(m, f->path, fp, &st, err);
    toy_free(m);
    return st;
}

/* ---- Tests ---- */

static void test_path(void **state)
{
    (void)state;
    char buf[128];
    assert_non_null(mr_cache_path("/c", "als", 0x1fULL, buf, sizeof buf));
    assert_string_equal(buf, "/c/als-000000000000001f.model");
    assert_null(mr_cache_path("/c", "als", 1, buf, 10));
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct mr_model *fitted = toy_new(f, 0.25);
    struct mr_error err;
    assert_int_equal(mr_model_fit(fitted, &err), MR_OK);
    assert_int_equal(mr_cache_save(fitted, f->path, 0xabcdef0123456789ULL, &err), MR_OK);

    struct mr_model *m = toy_new(f, 0.25);
    enum mr_cache_state st;
    assert_int_equal(mr_cache_load(m, f->path, 0xabcdef0123456789ULL, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_LOADED);
    const struct toy *a = fitted->impl, *b = m->impl;
    assert_int_equal(b->from_cache, 1);
    assert_int_equal(b->n, 300);
    /* In place: aligned as written, inside the mapped file that the model now owns. */
    assert_non_null(m->backing);
    assert_null(b->means);
    assert_int_equal((uintptr_t)b->view % 64, 0);
    assert_memory_equal(a->means, b->view, 300 * sizeof(float));
    /* Unloading drops the model and then its file; the model can be loaded again. */
    mr_model_unload(m);
    assert_null(m->impl);
    assert_null(m->backing);
    assert_int_equal(mr_cache_load(m, f->path, 0xabcdef0123456789ULL, &st, &err), MR_OK);
    assert_memory_equal(a->means, ((const struct toy *)m->impl)->view, 300 * sizeof(float));
    toy_free(m);
    toy_free(fitted);

    /* No file: missing, not an error worth a report. */
    unlink(f->path);
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err), MR_CACHE_MISSING);
    assert_int_equal(rc, MR_ENOTFOUND);
}

static void test_truncated_everywhere(void **state)
{
    struct fixture *f = *state;
    long size = write_toy(f);
    long n;
    unsigned char *orig = read_file(f->path, &n);
    for (int k = 0; k < 16; k++) {
        long cut = size * k / 16;
        write_bytes(f->path, orig, cut);
        struct mr_error err;
        int rc;
        enum mr_cache_state st = try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err);
        assert_int_equal(st, MR_CACHE_CORRUPT);
        assert_int_equal(rc, MR_ECORRUPT);
        assert_non_null(strstr(err.msg, "corrupt"));
    }
    /* One byte short of whole: the checksum no longer matches. */
    write_bytes(f->path, orig, size - 1);
    struct mr_error err;
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err), MR_CACHE_CORRUPT);
    free(orig);
}

static void test_flipped_byte(void **state)
{
    struct fixture *f = *state;
    long size = write_toy(f);
    long n;
    unsigned char *orig = read_file(f->path, &n);
    /* Flip one bit at many places: in the name, the fingerprints, the payload, the checksum. */
    for (long pos = 20; pos < size; pos += 37) {
        orig[pos] ^= 0x10;
        write_bytes(f->path, orig, size);
        orig[pos] ^= 0x10;
        struct mr_error err;
        int rc;
        enum mr_cache_state st = try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err);
        assert_int_equal(st, MR_CACHE_CORRUPT);
        assert_string_equal(err.msg, "cache is corrupt: checksum mismatch");
    }
    /* The magic itself. */
    orig[0] = 'X';
    write_bytes(f->path, orig, size);
    struct mr_error err;
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err), MR_CACHE_CORRUPT);
    assert_non_null(strstr(err.msg, "not a movierec"));
    free(orig);
}

static void test_wrong_version(void **state)
{
    struct fixture *f = *state;
    long size = write_toy(f);
    long n;
    unsigned char *buf = read_file(f->path, &n);
    uint32_t v = MR_CACHE_FORMAT + 1;
    memcpy(buf + 8, &v, sizeof v); /* the format version follows the magic */
    write_bytes(f->path, buf, size);
    struct mr_error err;
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err), MR_CACHE_STALE);
    assert_int_equal(rc, MR_ECORRUPT);
    assert_non_null(strstr(err.msg, "stale"));
    free(buf);
}

static void test_wrong_fingerprint_or_params(void **state)
{
    struct fixture *f = *state;
    write_toy(f);
    struct mr_error err;
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL ^ 1, 0.25, &rc, &err), MR_CACHE_STALE);
    assert_non_null(strstr(err.msg, "other data"));
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.5, &rc, &err), MR_CACHE_STALE);
    assert_non_null(strstr(err.msg, "other parameters"));
    /* The thread count does not change a model: same fingerprint. */
    struct mr_params a = {.factors = 8, .threads = 1, .seed = 1};
    struct mr_params b = a;
    b.threads = 4;
    assert_true(mr_cache_params_fingerprint("x", &a) == mr_cache_params_fingerprint("x", &b));
    b.factors = 9;
    assert_true(mr_cache_params_fingerprint("x", &a) != mr_cache_params_fingerprint("x", &b));
    assert_true(mr_cache_params_fingerprint("x", &a) != mr_cache_params_fingerprint("y", &a));
}

/* The training versions of every registered model are in the key: a table lacking one fails
 * here, and a file written by other training code (the hybrid's number one lower, as before
 * its last bump) is stale and retrained by load-or-fit. */
static void test_training_version_in_key(void **state)
{
    struct fixture *f = *state;
    const struct mr_model_ops *const *all = mr_model_ops_all();
    int n_versions = 0;
    while (mr_train_versions[n_versions].model)
        n_versions++;
    for (int i = 0; all[i]; i++) {
        int found = 0;
        for (int k = 0; k < n_versions; k++)
            found |= strcmp(mr_train_versions[k].model, all[i]->name) == 0;
        if (!found)
            fail_msg("model %s has no number in train_version.h", all[i]->name);
    }

    struct mr_train_version *older = calloc((size_t)n_versions + 1, sizeof *older);
    assert_non_null(older);
    memcpy(older, mr_train_versions, (size_t)n_versions * sizeof *older);
    for (int k = 0; k < n_versions; k++)
        if (strcmp(older[k].model, "hybrid") == 0)
            older[k].version--;
    struct mr_params p;
    mr_params_default("hybrid", &p);
    assert_true(mr_cache_params_fingerprint_with("hybrid", &p, older) !=
                mr_cache_params_fingerprint("hybrid", &p));
    assert_true(mr_cache_params_fingerprint_with("hybrid", &p, mr_train_versions) ==
                mr_cache_params_fingerprint("hybrid", &p));

    /* A toy file whose key was made by the older code: its parameter fingerprint replaced (it
     * follows the magic, format, byte order, name and data fingerprint), checksum redone. */
    long size = write_toy(f);
    long n;
    unsigned char *buf = read_file(f->path, &n);
    struct mr_model *m = toy_new(f, 0.25);
    uint64_t old_fp = mr_cache_params_fingerprint_with("toy", &m->params, older);
    toy_free(m);
    size_t at = 8 + 4 + 4 + 4 + strlen("toy") + 8;
    memcpy(buf + at, &old_fp, sizeof old_fp);
    uint64_t sum = mr_checksum(buf, (size_t)size - sizeof sum);
    memcpy(buf + size - (long)sizeof sum, &sum, sizeof sum);
    write_bytes(f->path, buf, size);
    free(buf);
    free(older);

    struct mr_error err;
    enum mr_cache_state st;
    m = toy_new(f, 0.25);
    assert_int_equal(mr_cache_fit_or_load(&m, f->dir, 0xabcdef0123456789ULL, NULL, NULL, &st, &err),
                     MR_OK);
    assert_int_equal(st, MR_CACHE_STALE);
    assert_int_equal(((struct toy *)m->impl)->from_cache, 0); /* retrained */
    toy_free(m);
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.25, &rc, &err), MR_CACHE_LOADED);
}

struct reports {
    int n;
    char last[800];
};

static void collect(void *ctx, const char *file, long line, const char *what)
{
    (void)line;
    struct reports *r = ctx;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s: %s", file, what);
}

static void test_fit_or_load(void **state)
{
    struct fixture *f = *state;
    struct reports rep = {0};
    struct mr_error err;
    enum mr_cache_state st;

    /* First start: nothing cached, fitted and saved, nothing to report. */
    struct mr_model *m = toy_new(f, 0.25);
    assert_int_equal(
        mr_cache_fit_or_load(&m, f->dir, 0xabcdef0123456789ULL, collect, &rep, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_MISSING);
    assert_int_equal(((struct toy *)m->impl)->from_cache, 0);
    assert_int_equal(rep.n, 0);
    toy_free(m);

    /* Second start: loaded. */
    m = toy_new(f, 0.25);
    assert_int_equal(
        mr_cache_fit_or_load(&m, f->dir, 0xabcdef0123456789ULL, collect, &rep, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_LOADED);
    assert_int_equal(((struct toy *)m->impl)->from_cache, 1);
    toy_free(m);

    /* Damaged: reported, retrained (never trusted), and rewritten whole. */
    long size;
    unsigned char *buf = read_file(f->path, &size);
    write_bytes(f->path, buf, size / 2);
    m = toy_new(f, 0.25);
    assert_int_equal(
        mr_cache_fit_or_load(&m, f->dir, 0xabcdef0123456789ULL, collect, &rep, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_int_equal(((struct toy *)m->impl)->from_cache, 0);
    assert_int_equal(rep.n, 1);
    assert_non_null(strstr(rep.last, "cache is corrupt"));
    assert_non_null(strstr(rep.last, "retraining"));
    assert_non_null(strstr(rep.last, f->path));
    toy_free(m);
    long size2;
    unsigned char *again = read_file(f->path, &size2);
    assert_int_equal(size2, size);
    assert_memory_equal(again, buf, (size_t)size);
    free(again);
    free(buf);

    /* Other parameters: stale, retrained, replaced. */
    m = toy_new(f, 0.75);
    assert_int_equal(
        mr_cache_fit_or_load(&m, f->dir, 0xabcdef0123456789ULL, collect, &rep, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_STALE);
    assert_int_equal(rep.n, 2);
    assert_non_null(strstr(rep.last, "stale"));
    toy_free(m);
    int rc;
    assert_int_equal(try_load(f, 0xabcdef0123456789ULL, 0.75, &rc, &err), MR_CACHE_LOADED);

    /* No temporary files are left behind. */
    DIR *d = opendir(f->dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        files += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 1);
}

static void test_unwritable_cache_dir(void **state)
{
    struct fixture *f = *state;
    struct reports rep = {0};
    struct mr_error err;
    struct mr_model *m = toy_new(f, 0.25);
    /* The model is still fitted and usable; the failure to save is only reported. */
    assert_int_equal(mr_cache_fit_or_load(&m, "/proc/movierec-nope", 1, collect, &rep, NULL, &err),
                     MR_OK);
    assert_non_null(m->impl);
    assert_int_equal(rep.n, 1);
    assert_non_null(strstr(rep.last, "cannot save"));
    toy_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_fingerprint_or_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_training_version_in_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fit_or_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_cache_dir, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
