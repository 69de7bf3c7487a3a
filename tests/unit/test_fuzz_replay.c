/* test_fuzz_replay.c — every fuzz target of tests/fuzz, built into the normal test binary
 * (no libFuzzer), replays its seed corpus (tests/fuzz/corpus/TARGET) and the crashing inputs
 * found so far (tests/fuzz/regressions/TARGET).  Each target checks the engine's properties
 * itself and aborts when one breaks, so a fixed bug that comes back fails here, and under the
 * sanitizer build a memory error does too.
 *
 *   test_fuzz_replay                 all targets, as a cmocka suite
 *   test_fuzz_replay TARGET FILE...  one target on the given inputs (for a fresh crash)
 *   test_fuzz_replay --make-seeds    writes the seeds of fuzz_snapshot and fuzz_model_cache
 *                                    (real files of the fixtures, minus what the target adds)
 *
 * The seeds of those two targets are real cache files: every one must be taken (loaded, not
 * refused as corrupt), or the target no longer reaches the loads and the seeds must be made
 * again (a format change). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NO_MAIN
#include "../fuzz/fuzz_100k.c"
#include "../fuzz/fuzz_csv.c"
#include "../fuzz/fuzz_csv_ratings.c"
#include "../fuzz/fuzz_dat.c"
#include "../fuzz/fuzz_import.c"
#include "../fuzz/fuzz_profile.c"
#include "../fuzz/fuzz_search.c"
#include "../fuzz/fuzz_snapshot.c"
#include "../fuzz/fuzz_model_cache.c"

struct replay_target {
    const char *name;
    int (*run)(const uint8_t *data, size_t size);
    long *taken; /* counts the inputs the target's load accepted, or NULL */
};

static const struct replay_target replay_targets[] = {
    {"fuzz_100k", fuzz_100k, NULL},
    {"fuzz_csv", fuzz_csv, NULL},
    {"fuzz_csv_ratings", fuzz_csv_ratings, NULL},
    {"fuzz_dat", fuzz_dat, NULL},
    {"fuzz_import", fuzz_import, NULL},
    {"fuzz_profile", fuzz_profile, NULL},
    {"fuzz_search", fuzz_search, NULL},
    {"fuzz_snapshot", fuzz_snapshot, &fuzz_snapshot_taken},
    {"fuzz_model_cache", fuzz_model_cache, &fuzz_model_cache_loaded},
};

/* Reads a whole file into a new buffer (caller frees); NULL when it cannot. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *size = n;
    return buf;
}

/* Runs target on one file.  Returns 1 when it ran, 0 when the file could not be read. */
static int replay_file(const struct replay_target *t, const char *path)
{
    size_t size;
    uint8_t *data = read_file(path, &size);
    if (!data)
        return 0;
    t->run(data, size);
    free(data);
    return 1;
}

/* Runs target on every file of dir (a missing directory holds nothing).  Returns the count. */
static int replay_dir(const struct replay_target *t, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        n += replay_file(t, path);
    }
    closedir(d);
    return n;
}

static void test_replay(void **state)
{
    const struct replay_target *t = *state;
    char dir[256];
    snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", t->name);
    long taken = t->taken ? *t->taken : 0;
    int seeds = replay_dir(t, dir);
    if (t->taken) /* every seed is a sound file: the load takes it */
        assert_int_equal(*t->taken - taken, seeds);
    snprintf(dir, sizeof dir, "tests/fuzz/regressions/%s", t->name);
    int regressions = replay_dir(t, dir);
    print_message("%s: %d seeds, %d regressions replayed\n", t->name, seeds, regressions);
    assert_true(seeds > 0); /* every target has a seed corpus */
}

/* Frees what the targets keep between inputs. */
static int free_targets(void **state)
{
    (void)state;
    mr_catalog_free(&ratings_catalog);
    mr_catalog_free(&import_catalog);
    mr_search_free(search_index);
    search_index = NULL;
    mr_catalog_free(&search_catalog);
    mr_dataset_free(&model_cache_ds);
    model_cache_n_ops = 0;
    return 0;
}

/* Cache files found damaged by the fuzzers, each of which a load once took: they must be
 * refused now (a bug coming back in the hybrid's load would only allocate, not crash). */
static void test_damaged_cache_files_refused(void **state)
{
    (void)state;
    static const struct {
        struct replay_target target;
        const char *file;
    } damaged[] = {
        {{"fuzz_snapshot", fuzz_snapshot, &fuzz_snapshot_taken},
         "tests/fuzz/regressions/fuzz_snapshot/item-user-out-of-range"},
        {{"fuzz_snapshot", fuzz_snapshot, &fuzz_snapshot_taken},
         "tests/fuzz/regressions/fuzz_snapshot/search-word-empty-range"},
        {{"fuzz_model_cache", fuzz_model_cache, &fuzz_model_cache_loaded},
         "tests/fuzz/regressions/fuzz_model_cache/hybrid-component-neighbors-huge"},
    };
    for (size_t i = 0; i < sizeof damaged / sizeof *damaged; i++) {
        const struct replay_target *t = &damaged[i].target;
        long before = *t->taken;
        assert_true(replay_file(t, damaged[i].file));
        if (*t->taken != before)
            fail_msg("%s: %s was taken", t->name, damaged[i].file);
    }
}

/* Writes the seeds of fuzz_snapshot (a snapshot of each fixture below) and fuzz_model_cache
 * (every model fitted on ml-latest-tiny).  Returns 0, or 1 when one could not be written. */
static int make_seeds(void)
{
    static const char *const fixtures[] = {"ml-latest-tiny", "ml-100k-tiny", "ml-1m-tiny",
                                           "bad-csv"};
    char path[512];
    int failed = 0;
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        char dir[256];
        snprintf(dir, sizeof dir, "tests/fixtures/%s", fixtures[i]);
        snprintf(path, sizeof path, "tests/fuzz/corpus/fuzz_snapshot/%s", fixtures[i]);
        if (fuzz_snapshot_make_seed(dir, path) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            failed = 1;
        }
    }
    model_cache_init();
    for (int k = 0; k < model_cache_n_ops; k++) {
        snprintf(path, sizeof path, "tests/fuzz/corpus/fuzz_model_cache/%s",
                 mr_model_ops_all()[k]->name);
        if (fuzz_model_cache_make_seed(k, path) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            failed = 1;
        }
    }
    free_targets(NULL);
    return failed;
}

int main(int argc, char **argv)
{
    size_t n_targets = sizeof replay_targets / sizeof *replay_targets;
    if (argc == 2 && strcmp(argv[1], "--make-seeds") == 0)
        return make_seeds();
    if (argc >= 2) {
        for (size_t i = 0; i < n_targets; i++) {
            if (strcmp(argv[1], replay_targets[i].name) != 0)
                continue;
            for (int a = 2; a < argc; a++)
                if (!replay_file(&replay_targets[i], argv[a]))
                    fprintf(stderr, "cannot read %s\n", argv[a]);
            free_targets(NULL);
            return 0;
        }
        fprintf(stderr, "usage: %s [TARGET FILE...]\n", argv[0]);
        return 2;
    }
    struct CMUnitTest tests[sizeof replay_targets / sizeof *replay_targets + 1];
    for (size_t i = 0; i < n_targets; i++) {
        tests[i] = (struct CMUnitTest){replay_targets[i].name, test_replay, NULL, NULL,
                                       (void *)&replay_targets[i]};
    }
    tests[n_targets] = (struct CMUnitTest)cmocka_unit_test(test_damaged_cache_files_refused);
    return _cmocka_run_group_tests("fuzz_replay", tests, n_targets + 1, NULL, free_targets);
}
