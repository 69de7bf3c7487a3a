/* test_fuzz_replay.c — every fuzz target of tests/fuzz, built into the normal test binary
 * (no libFuzzer), replays its seed corpus (tests/fuzz/corpus/TARGET) and the crashing inputs
 * found so far (tests/fuzz/regressions/TARGET).  Each target checks the engine's properties
 * itself and aborts when one breaks, so a fixed bug that comes back fails here, and under the
 * sanitizer build a memory error does too.
 *
 *   test_fuzz_replay                 all targets, as a cmocka suite
 *   test_fuzz_replay TARGET FILE...  one target on the given inputs (for a fresh crash) */
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

struct replay_target {
    const char *name;
    int (*run)(const uint8_t *data, size_t size);
};

static const struct replay_target replay_targets[] = {
    {"fuzz_100k", fuzz_100k},
    {"fuzz_csv", fuzz_csv},
    {"fuzz_csv_ratings", fuzz_csv_ratings},
    {"fuzz_dat", fuzz_dat},
    {"fuzz_import", fuzz_import},
    {"fuzz_profile", fuzz_profile},
    {"fuzz_search", fuzz_search},
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
    int seeds = replay_dir(t, dir);
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
    return 0;
}

int main(int argc, char **argv)
{
    size_t n_targets = sizeof replay_targets / sizeof *replay_targets;
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
    struct CMUnitTest tests[sizeof replay_targets / sizeof *replay_targets];
    for (size_t i = 0; i < n_targets; i++) {
        tests[i] = (struct CMUnitTest){replay_targets[i].name, test_replay, NULL, NULL,
                                       (void *)&replay_targets[i]};
    }
    return _cmocka_run_group_tests("fuzz_replay", tests, n_targets, NULL, free_targets);
}
