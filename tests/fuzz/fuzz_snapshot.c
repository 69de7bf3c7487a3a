/* fuzz_snapshot.c — the data snapshot (snapshot.h) read back from any bytes past its fixed
 * prefix.  The input is the snapshot from its header's layout field to just before the
 * checksum, run-length coded (snapshot_decode: the search index's 65,537-entry trigram table
 * is mostly repeats, 256 KB of a 260 KB snapshot of a tiny data set).  The target puts in
 * front the magic, format, byte order, build fingerprint and data fingerprint of a real
 * snapshot of tests/fixtures/ml-latest-tiny and appends the right checksum, so that every input
 * gets past the checksum to the structure checks and the search index load.  A refused
 * snapshot must say why; a taken one must hold a sound data set (catalog sorted and in range,
 * ratings consistent and in range, search hits real items), and is then opened again as a
 * start-up does (mr_dataset_open), which replays its kept bad-line reports.  The seeds
 * (tests/fuzz/corpus/fuzz_snapshot) are real snapshots of the fixtures, written by
 * `test_fuzz_replay --make-seeds`. */
#include "movierec/search.h"
#include "movierec/serial.h"
#include "movierec/snapshot.h"
#include "fuzz_check.h"
#include "fuzz_targets.h"

#define SNAPSHOT_DATA   "tests/fixtures/ml-latest-tiny"
#define SNAPSHOT_PREFIX 32 /* magic, format, byte order, build and data fingerprints */

/* The fixed prefix of a real snapshot of SNAPSHOT_DATA, and the path the cache reads. */
static unsigned char snapshot_prefix[SNAPSHOT_PREFIX];
static char snapshot_cache[256];
static char snapshot_path[512];

/* How many inputs were taken from the snapshot (not refused): the replay test checks that the
 * seeds are. */
static long fuzz_snapshot_taken;

/* What the load reported: replayed bad lines, and whether the snapshot was refused. */
struct snapshot_reports {
    long lines;
    int refused;
};

static void snapshot_report(void *ctx, const char *file, long line, const char *what)
{
    struct snapshot_reports *k = ctx;
    FUZZ_CHECK(file != NULL && what != NULL && line >= 0);
    if (line == 0 && strcmp(file, snapshot_path) == 0)
        k->refused = 1;
    else
        k->lines++;
}

#define SNAPSHOT_MAX (1u << 20) /* longest decoded input */

/* Decodes the run-length code of an input into out (SNAPSHOT_MAX bytes); returns the length.
 * A control byte c < 0x80 is followed by c + 1 bytes taken as they are; c >= 0x80 by a u16 n
 * (little-endian): the last 4 bytes written (zeros at the start) are repeated
 * ((c & 0x7f) << 16 | n) + 1 times.  A cut chunk gives what is there; output beyond
 * SNAPSHOT_MAX is dropped. */
static size_t snapshot_decode(const uint8_t *in, size_t size, unsigned char *out)
{
    size_t n = 0, i = 0;
    while (i < size && n < SNAPSHOT_MAX) {
        unsigned c = in[i++];
        if (c < 0x80) {
            size_t len = c + 1;
            if (len > size - i)
                len = size - i;
            if (len > SNAPSHOT_MAX - n)
                len = SNAPSHOT_MAX - n;
            memcpy(out + n, in + i, len);
            n += len;
            i += len;
            continue;
        }
        if (size - i < 2)
            break;
        size_t words = (((size_t)(c & 0x7f) << 16) | in[i] | (size_t)in[i + 1] << 8) + 1;
        i += 2;
        unsigned char last[4] = {0, 0, 0, 0};
        if (n >= 4)
            memcpy(last, out + n - 4, 4);
        for (size_t w = 0; w < words && n + 4 <= SNAPSHOT_MAX; w++, n += 4)
            memcpy(out + n, last, 4);
    }
    return n;
}

/* Reads the whole file at path into a new buffer (caller frees); NULL when it cannot. */
static unsigned char *snapshot_slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap = cap ? cap * 2 : 4096);
            if (!bigger) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *size = n;
    return buf;
}

/* Opens the data set in dir through the cache directory cache (writing its snapshot when there
 * is none) and returns the snapshot's path in path. */
static void snapshot_write_real(const char *dir, const char *cache, char *path, size_t len)
{
    struct mr_dataset ds;
    struct mr_error err;
    struct mr_search_index *ix = NULL;
    long reports = 0;
    struct mr_load_opts opts = {.report = fuzz_count_report, .report_ctx = &reports};
    mr_error_clear(&err);
    FUZZ_CHECK(mr_dataset_open(dir, cache, &opts, &ds, &ix, &err) == MR_OK);
    FUZZ_CHECK(mr_snapshot_path(cache, ds.fingerprint, path, len) != NULL);
    mr_search_free(ix);
    mr_dataset_free(&ds);
}

/* Sets up the prefix and paths on first use. */
static void snapshot_init(void)
{
    if (snapshot_path[0])
        return;
    fuzz_subdir("snapshot", snapshot_cache, sizeof snapshot_cache);
    snapshot_write_real(SNAPSHOT_DATA, snapshot_cache, snapshot_path, sizeof snapshot_path);
    size_t size = 0;
    unsigned char *real = snapshot_slurp(snapshot_path, &size);
    FUZZ_CHECK(real && size > SNAPSHOT_PREFIX);
    memcpy(snapshot_prefix, real, SNAPSHOT_PREFIX);
    free(real);
}

#ifdef FUZZ_NO_MAIN /* the seeds are written by test_fuzz_replay */
/* The run-length code of p[0..n) (as snapshot_decode reads it) written to f; 0 or -1. */
static int snapshot_encode(const unsigned char *p, size_t n, FILE *f)
{
    size_t i = 0, lit = 0; /* p[i - lit .. i) waits to be written as literals */
    int ok = 1;
    while (i <= n) {
        size_t words = 0;
        if (i >= 4 && i < n)
            while (i + 4 * (words + 1) <= n && words < ((size_t)0x80 << 16) &&
                   memcmp(p + i + 4 * words, p + i - 4, 4) == 0)
                words++;
        if (words < 3 && i < n && lit < 0x80) {
            i++;
            lit++;
            continue;
        }
        if (lit) {
            ok = ok && fputc((int)(lit - 1), f) != EOF && fwrite(p + i - lit, 1, lit, f) == lit;
            lit = 0;
        }
        if (i == n)
            break;
        if (words >= 3) {
            size_t k = words - 1;
            ok = ok && fputc((int)(0x80 | (k >> 16)), f) != EOF &&
                 fputc((int)(k & 0xff), f) != EOF && fputc((int)((k >> 8) & 0xff), f) != EOF;
            i += 4 * words;
        }
    }
    return ok ? 0 : -1;
}

/* Writes the snapshot of the fixture in dir minus its prefix and checksum to out (a seed). */
static int fuzz_snapshot_make_seed(const char *dir, const char *out)
{
    char cache[256], path[512];
    fuzz_subdir("snapshot-seed", cache, sizeof cache);
    snapshot_write_real(dir, cache, path, sizeof path);
    size_t size = 0;
    unsigned char *real = snapshot_slurp(path, &size);
    unlink(path);
    if (!real || size < SNAPSHOT_PREFIX + 8) {
        free(real);
        return -1;
    }
    FILE *f = fopen(out, "wb");
    int ok = f && snapshot_encode(real + SNAPSHOT_PREFIX, size - SNAPSHOT_PREFIX - 8, f) == 0;
    if (f && fclose(f) != 0)
        ok = 0;
    /* The code must give the file back. */
    size_t coded = 0;
    unsigned char *code = ok ? snapshot_slurp(out, &coded) : NULL;
    unsigned char *back = malloc(SNAPSHOT_MAX);
    ok = code && back && snapshot_decode(code, coded, back) == size - SNAPSHOT_PREFIX - 8 &&
         memcmp(back, real + SNAPSHOT_PREFIX, size - SNAPSHOT_PREFIX - 8) == 0;
    free(code);
    free(back);
    free(real);
    return ok ? 0 : -1;
}
#endif

/* Searches ix over ds for a few queries; every hit must be a real item. */
static void snapshot_check_search(const struct mr_search_index *ix, const struct mr_dataset *ds)
{
    static const char *const queries[] = {"toy", "the", "a", "19", "heat", "st", "", "x"};
    int32_t n = ds->catalog.n_movies;
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        struct mr_search_hit hits[8];
        int nh = mr_search(ix, queries[q], hits, 8);
        FUZZ_CHECK(nh >= 0 && nh <= 8);
        for (int i = 0; i < nh; i++)
            FUZZ_CHECK(hits[i].item >= 0 && hits[i].item < n);
        int32_t items[8];
        int ni = mr_search_complete(ix, queries[q], items, 8);
        FUZZ_CHECK(ni >= 0 && ni <= 8);
        for (int i = 0; i < ni; i++)
            FUZZ_CHECK(items[i] >= 0 && items[i] < n);
        int32_t item = -1;
        int nc = 0;
        if (mr_resolve_movie(ix, &ds->catalog, queries[q], &item, hits, 8, &nc) == MR_RESOLVED)
            FUZZ_CHECK(item >= 0 && item < n);
        for (int i = 0; i < nc; i++)
            FUZZ_CHECK(hits[i].item >= 0 && hits[i].item < n);
    }
    /* Every title is found by itself. */
    for (int32_t i = 0; i < n; i++) {
        struct mr_search_hit hits[8];
        int nh = mr_search(ix, ds->catalog.movies[i].title, hits, 8);
        FUZZ_CHECK(nh >= 0 && nh <= 8);
        for (int h = 0; h < nh; h++)
            FUZZ_CHECK(hits[h].item >= 0 && hits[h].item < n);
    }
}

int fuzz_snapshot(const uint8_t *data, size_t size)
{
    snapshot_init();
    unsigned char *file = malloc(SNAPSHOT_PREFIX + SNAPSHOT_MAX + sizeof(uint64_t));
    FUZZ_CHECK(file != NULL);
    memcpy(file, snapshot_prefix, SNAPSHOT_PREFIX);
    size_t n = SNAPSHOT_PREFIX + snapshot_decode(data, size, file + SNAPSHOT_PREFIX);
    uint64_t sum = mr_checksum(file, n);
    memcpy(file + n, &sum, sizeof sum);
    char path[512];
    const char *slash = strrchr(snapshot_path, '/');
    fuzz_write("snapshot", slash + 1, file, n + sizeof sum, path, sizeof path);
    free(file);

    /* First the snapshot alone: a refusal must say why and leave nothing behind. */
    uint64_t fp;
    memcpy(&fp, snapshot_prefix + SNAPSHOT_PREFIX - sizeof fp, sizeof fp);
    struct mr_dataset ds;
    struct mr_search_index *ix = NULL;
    enum mr_cache_state state = MR_CACHE_MISSING;
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_snapshot_load(path, SNAPSHOT_DATA, fp, &ds, &ix, &state, &err);
    if (rc != MR_OK) {
        FUZZ_CHECK(rc == MR_ECORRUPT || rc == MR_ENOMEM);
        FUZZ_CHECK(state == MR_CACHE_CORRUPT || state == MR_CACHE_STALE);
        FUZZ_CHECK(err.msg[0] && ix == NULL && ds.snapshot == NULL);
        return 0;
    }
    FUZZ_CHECK(state == MR_CACHE_LOADED);
    fuzz_check_catalog(&ds.catalog);
    fuzz_check_ratings(&ds.ratings, ds.catalog.n_movies);
    if (ix)
        snapshot_check_search(ix, &ds);
    mr_search_free(ix);
    mr_dataset_free(&ds);

    /* Then through the cache, as a start-up: the kept reports are replayed, and the index
     * built when the snapshot has none. */
    struct snapshot_reports reports = {0};
    struct mr_load_opts opts = {.report = snapshot_report, .report_ctx = &reports};
    ix = NULL;
    rc = mr_dataset_open(SNAPSHOT_DATA, snapshot_cache, &opts, &ds, &ix, &err);
    FUZZ_CHECK(rc == MR_OK && ix != NULL && !reports.refused);
    fuzz_snapshot_taken++;
    fuzz_check_catalog(&ds.catalog);
    fuzz_check_ratings(&ds.ratings, ds.catalog.n_movies);
    snapshot_check_search(ix, &ds);
    mr_search_free(ix);
    mr_dataset_free(&ds);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_snapshot(data, size);
}
#endif
