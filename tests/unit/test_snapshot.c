/* test_snapshot.c — the data-set snapshot: the fingerprint taken from file metadata equals the
 * load's, a snapshot read back equals the load from the data files field by field (the real
 * ml-latest-small and each layout), its arrays are used in place and aligned, and a stale,
 * truncated or damaged snapshot is reported and rebuilt, never trusted. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/snapshot.h"
#include "../../src/engine/file_image.h" /* white box: the mapping's bounds */

#define SMALL "data/ml-latest-small"

/* ---- helpers ---- */

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

/* A temporary directory: cache/ and data/ inside it. */
struct tmp {
    char root[64];
    char cache[128];
    char data[128];
};

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "/tmp/mr-snap-XXXXXX");
    if (!mkdtemp(t->root))
        return -1;
    snprintf(t->cache, sizeof t->cache, "%s/cache", t->root);
    snprintf(t->data, sizeof t->data, "%s/data", t->root);
    mkdir(t->data, 0700);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    remove_tree(t->root);
    free(t);
    return 0;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

/* Copies the files of fixture directory from into to. */
static void copy_dir(const char *from, const char *to)
{
    DIR *d = opendir(from);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        copy_file(a, b);
    }
    closedir(d);
}

static int count_snapshots(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".snapshot") != NULL && !strstr(e->d_name, ".tmp");
    closedir(d);
    return n;
}

static unsigned char *read_all(const char *path, long *size)
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

static void write_all(const char *path, const unsigned char *buf, long size)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
}

static void assert_same_strings(const char *a, const char *b)
{
    assert_string_equal(a ? a : "", b ? b : "");
}

/* Every field of two data sets is equal (the directory aside). */
static void assert_same_dataset(const struct mr_dataset *a, const struct mr_dataset *b)
{
    assert_int_equal(a->layout, b->layout);
    assert_true(a->fingerprint == b->fingerprint);
    assert_int_equal(a->stats.lines_read, b->stats.lines_read);
    assert_int_equal(a->stats.lines_skipped, b->stats.lines_skipped);
    const struct mr_catalog *ca = &a->catalog, *cb = &b->catalog;
    assert_int_equal(ca->n_movies, cb->n_movies);
    for (int32_t i = 0; i < ca->n_movies; i++) {
        const struct mr_movie *x = &ca->movies[i], *y = &cb->movies[i];
        assert_int_equal(x->id, y->id);
        assert_same_strings(x->title, y->title);
        assert_same_strings(x->display, y->display);
        assert_int_equal(x->year, y->year);
        assert_int_equal(x->genres, y->genres);
        assert_int_equal(x->imdb_id, y->imdb_id);
        assert_int_equal(x->tmdb_id, y->tmdb_id);
        assert_int_equal(x->n_tags, y->n_tags);
        for (int32_t t = 0; t < x->n_tags; t++) {
            assert_string_equal(x->tags[t].text, y->tags[t].text);
            assert_int_equal(x->tags[t].count, y->tags[t].count);
        }
    }
    const struct mr_ratings *ra = &a->ratings, *rb = &b->ratings;
    assert_int_equal(ra->n_users, rb->n_users);
    assert_int_equal(ra->n_items, rb->n_items);
    assert_int_equal(ra->n_ratings, rb->n_ratings);
    assert_true(ra->global_mean == rb->global_mean);
    size_t nu = (size_t)ra->n_users, ni = (size_t)ra->n_items, nr = (size_t)ra->n_ratings;
    assert_memory_equal(ra->user_ids, rb->user_ids, nu * sizeof(int32_t));
    assert_memory_equal(ra->user_ptr, rb->user_ptr, (nu + 1) * sizeof(int64_t));
    assert_memory_equal(ra->item_ptr, rb->item_ptr, (ni + 1) * sizeof(int64_t));
    assert_memory_equal(ra->item_count, rb->item_count, ni * sizeof(int32_t));
    assert_memory_equal(ra->item_mean, rb->item_mean, ni * sizeof(float));
    if (nr) {
        assert_memory_equal(ra->user_items, rb->user_items, nr * sizeof(int32_t));
        assert_memory_equal(ra->user_vals, rb->user_vals, nr);
        assert_memory_equal(ra->item_users, rb->item_users, nr * sizeof(int32_t));
        assert_memory_equal(ra->item_vals, rb->item_vals, nr);
    }
}

/* p is inside the snapshot's mapping, on a 64-byte boundary. */
static void assert_in_place(const struct mr_dataset *ds, const void *p)
{
    const struct mr_file_image *img = ds->snapshot;
    const unsigned char *c = p;
    assert_true(c >= img->data && c < img->data + img->size);
    assert_int_equal((uintptr_t)c % 64, 0);
}

/* ---- tests ---- */

/* The fingerprint from metadata alone is the one a load computes, for every layout (the
 * model cache and the snapshot are both keyed by it). */
static void test_fingerprint_matches_load(void **state)
{
    (void)state;
    const char *dirs[] = {SMALL,
                          "tests/fixtures/ml-latest-tiny",
                          "tests/fixtures/ml-1m-tiny",
                          "tests/fixtures/ml-100k-tiny",
                          "tests/fixtures/bad-csv",
                          "tests/fixtures/bad-dat",
                          "tests/fixtures/bad-100k"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct mr_dataset ds;
        struct mr_error err;
        assert_int_equal(mr_dataset_load(dirs[i], NULL, &ds, &err), MR_OK);
        enum mr_layout layout;
        uint64_t fp = 0;
        assert_int_equal(mr_dataset_fingerprint(dirs[i], &layout, &fp, &err), MR_OK);
        if (fp != ds.fingerprint)
            fail_msg("%s: fingerprint %llx, load %llx", dirs[i], (unsigned long long)fp,
                     (unsigned long long)ds.fingerprint);
        assert_int_equal(layout, ds.layout);
        mr_dataset_free(&ds);
    }
    struct mr_error err;
    enum mr_layout layout;
    uint64_t fp;
    assert_int_equal(
        mr_dataset_fingerprint("tests/fixtures/bad-missing-ratings", &layout, &fp, &err), MR_EDATA);
}

/* ml-latest-small: written and read back, every field is the same; the arrays are in place. */
static void test_round_trip_small(void **state)
{
    struct tmp *t = *state;
    struct mr_dataset csv, snap;
    struct mr_error err;
    assert_int_equal(mr_dataset_load(SMALL, NULL, &csv, &err), MR_OK);
    char path[512];
    assert_non_null(mr_snapshot_path(t->cache, csv.fingerprint, path, sizeof path));
    assert_int_equal(mr_snapshot_save(&csv, NULL, path, &err), MR_OK);

    enum mr_cache_state st;
    assert_int_equal(mr_snapshot_load(path, SMALL, csv.fingerprint, &snap, NULL, &st, &err), MR_OK);
    assert_int_equal(st, MR_CACHE_LOADED);
    assert_string_equal(snap.dir, SMALL);
    assert_int_equal(snap.ratings.n_ratings, 100836);
    assert_int_equal(snap.catalog.n_movies, 9742);
    assert_int_equal(snap.ratings.n_users, 610);
    assert_same_dataset(&csv, &snap);

    /* No copies of the big arrays: they point into the mapping, each on a 64-byte boundary. */
    assert_non_null(snap.snapshot);
    assert_int_equal(snap.ratings.borrowed, 1);
    assert_in_place(&snap, snap.ratings.user_items);
    assert_in_place(&snap, snap.ratings.item_users);
    assert_in_place(&snap, snap.ratings.user_ptr);
    assert_in_place(&snap, snap.ratings.item_mean);
    assert_in_place(&snap, snap.ratings.user_vals);
    /* The catalog still works as one: lookups, and it refuses changes. */
    int32_t item = mr_catalog_find(&snap.catalog, 2571);
    assert_true(item >= 0);
    assert_string_equal(snap.catalog.movies[item].display, "The Matrix (1999)");
    assert_int_equal(mr_catalog_add(&snap.catalog, 999999, "X (2000)", 0), MR_EUSAGE);
    assert_int_equal(mr_catalog_add_tag(&snap.catalog, item, "x"), MR_EUSAGE);
    assert_int_equal(mr_ratings_find_user(&snap.ratings, 414),
                     mr_ratings_find_user(&csv.ratings, 414));
    mr_dataset_free(&snap);

    /* Another fingerprint: the same file is stale for it. */
    assert_int_equal(mr_snapshot_load(path, SMALL, csv.fingerprint ^ 1, &snap, NULL, &st, &err),
                     MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_STALE);
    assert_non_null(strstr(err.msg, "other data"));
    assert_null(snap.snapshot);
    mr_dataset_free(&csv);
}

/* Each layout (tags, links, Latin-1 titles converted, ...) survives the round trip. */
static void test_round_trip_layouts(void **state)
{
    struct tmp *t = *state;
    const char *dirs[] = {"tests/fixtures/ml-latest-tiny", "tests/fixtures/ml-1m-tiny",
                          "tests/fixtures/ml-100k-tiny", "tests/fixtures/bad-csv"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct mr_dataset csv, snap;
        struct mr_error err;
        assert_int_equal(mr_dataset_load(dirs[i], NULL, &csv, &err), MR_OK);
        char path[512];
        mr_snapshot_path(t->cache, csv.fingerprint, path, sizeof path);
        assert_int_equal(mr_snapshot_save(&csv, NULL, path, &err), MR_OK);
        assert_int_equal(mr_snapshot_load(path, dirs[i], csv.fingerprint, &snap, NULL, NULL, &err),
                         MR_OK);
        assert_same_dataset(&csv, &snap);
        mr_dataset_free(&snap);
        mr_dataset_free(&csv);
    }
}

/* Every report as "FILE:LINE: what\n", in order. */
struct report_log {
    int n;
    char text[16384];
};

static void log_report(void *ctx, const char *file, long line, const char *what)
{
    struct report_log *l = ctx;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s:%ld: %s\n", file, line, what);
    l->n++;
}

/* mr_dataset_open: the first open reads the files (bad lines reported) and writes the
 * snapshot; the second reads the snapshot and passes the same reports again, in the same
 * order, with the same stats. */
static void test_open_uses_snapshot(void **state)
{
    struct tmp *t = *state;
    copy_dir("tests/fixtures/bad-csv", t->data);
    struct report_log first_log = {0}, second_log = {0};
    struct mr_load_opts opts = {.report = log_report, .report_ctx = &first_log};
    struct mr_dataset first, second;
    struct mr_error err;
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &first, NULL, &err), MR_OK);
    assert_null(first.snapshot);
    int bad = first_log.n;
    assert_true(bad > 0);
    assert_int_equal(first.stats.lines_skipped, bad);
    assert_int_equal(count_snapshots(t->cache), 1);

    opts.report_ctx = &second_log;
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &second, NULL, &err), MR_OK);
    assert_non_null(second.snapshot);
    assert_int_equal(second_log.n, bad);
    assert_string_equal(second_log.text, first_log.text);
    assert_int_equal(second.stats.lines_skipped, first.stats.lines_skipped);
    assert_int_equal(second.stats.lines_read, first.stats.lines_read);
    assert_same_dataset(&first, &second);
    mr_dataset_free(&second);

    /* The same files under another spelling of the directory: named under that spelling. */
    char other[160];
    snprintf(other, sizeof other, "%s/./data", t->root);
    struct report_log other_log = {0};
    opts.report_ctx = &other_log;
    assert_int_equal(mr_dataset_open(other, t->cache, &opts, &second, NULL, &err), MR_OK);
    assert_non_null(second.snapshot);
    assert_int_equal(other_log.n, bad);
    char want[200];
    snprintf(want, sizeof want, "%s/ratings.csv:", other);
    assert_non_null(strstr(other_log.text, want));
    mr_dataset_free(&second);

    /* No cache directory: a plain load. */
    memset(&second_log, 0, sizeof second_log);
    opts.report_ctx = &second_log;
    assert_int_equal(mr_dataset_open(t->data, NULL, &opts, &second, NULL, &err), MR_OK);
    assert_null(second.snapshot);
    assert_string_equal(second_log.text, first_log.text);
    mr_dataset_free(&second);
    mr_dataset_free(&first);
}

/* A catalog-only open uses a valid snapshot (the full load's data and reports); without one
 * it reads the catalog files and writes no snapshot. */
static void test_catalog_only_open(void **state)
{
    struct tmp *t = *state;
    copy_dir("tests/fixtures/ml-latest-tiny", t->data);
    struct mr_load_opts opts = {.skip_ratings = 1};
    struct mr_dataset ds, full;
    struct mr_error err;
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &ds, NULL, &err), MR_OK);
    assert_null(ds.snapshot);
    assert_int_equal(ds.ratings.n_ratings, 0);
    assert_int_equal(count_snapshots(t->cache), 0);
    mr_dataset_free(&ds);

    assert_int_equal(mr_dataset_open(t->data, t->cache, NULL, &full, NULL, &err), MR_OK);
    assert_int_equal(count_snapshots(t->cache), 1);
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &ds, NULL, &err), MR_OK);
    assert_non_null(ds.snapshot);
    assert_same_dataset(&full, &ds);
    mr_dataset_free(&ds);
    mr_dataset_free(&full);
}

/* More bad lines than a snapshot keeps: the first MR_SNAPSHOT_REPORTS are passed again, the
 * count of skipped lines is the whole. */
static void test_reports_kept_up_to_limit(void **state)
{
    struct tmp *t = *state;
    copy_dir("tests/fixtures/ml-latest-tiny", t->data);
    char path[256];
    snprintf(path, sizeof path, "%s/ratings.csv", t->data);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    for (int i = 0; i < MR_SNAPSHOT_REPORTS + 50; i++)
        fprintf(f, "1,x%d,4.0,1\n", i);
    fclose(f);
    struct report_log *a = calloc(2, sizeof *a);
    assert_non_null(a);
    struct mr_load_opts opts = {.report = log_report, .report_ctx = &a[0]};
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &ds, NULL, &err), MR_OK);
    assert_int_equal(a[0].n, MR_SNAPSHOT_REPORTS + 50);
    mr_dataset_free(&ds);
    opts.report_ctx = &a[1];
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &ds, NULL, &err), MR_OK);
    assert_non_null(ds.snapshot);
    assert_int_equal(a[1].n, MR_SNAPSHOT_REPORTS);
    assert_int_equal(ds.stats.lines_skipped, MR_SNAPSHOT_REPORTS + 50);
    assert_memory_equal(a[1].text, a[0].text, strlen(a[1].text)); /* the first ones */
    mr_dataset_free(&ds);
    free(a);
}

/* A changed data file (another modification time) makes a new snapshot; the old one of that
 * directory is removed. */
static void test_stale_after_touch(void **state)
{
    struct tmp *t = *state;
    copy_dir("tests/fixtures/ml-latest-tiny", t->data);
    struct mr_dataset a, b;
    struct mr_error err;
    assert_int_equal(mr_dataset_open(t->data, t->cache, NULL, &a, NULL, &err), MR_OK);
    assert_null(a.snapshot);
    mr_dataset_free(&a);
    assert_int_equal(mr_dataset_open(t->data, t->cache, NULL, &a, NULL, &err), MR_OK);
    assert_non_null(a.snapshot);

    /* Touch ratings.csv: a second later than it was, same content. */
    char ratings[256];
    snprintf(ratings, sizeof ratings, "%s/ratings.csv", t->data);
    struct stat st;
    assert_int_equal(stat(ratings, &st), 0);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    times[1].tv_sec += 1;
    assert_int_equal(utimensat(AT_FDCWD, ratings, times, 0), 0);

    assert_int_equal(mr_dataset_open(t->data, t->cache, NULL, &b, NULL, &err), MR_OK);
    assert_null(b.snapshot); /* read from the files */
    assert_true(b.fingerprint != a.fingerprint);
    assert_int_equal(count_snapshots(t->cache), 1); /* the old one is gone */
    mr_dataset_free(&b);
    assert_int_equal(mr_dataset_open(t->data, t->cache, NULL, &b, NULL, &err), MR_OK);
    assert_non_null(b.snapshot);
    mr_dataset_free(&b);
    mr_dataset_free(&a);
}

/* Opens with a damaged snapshot: reported as corrupt, the files read, the snapshot rewritten
 * (the next open uses it), and the result is the files' data. */
static void open_with_damage(struct tmp *t, const struct mr_dataset *want, const char *path,
                             const char *expect)
{
    struct reports rep = {0};
    struct mr_load_opts opts = {.report = collect, .report_ctx = &rep};
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &ds, NULL, &err), MR_OK);
    assert_null(ds.snapshot);
    if (rep.n != 1 || !strstr(rep.last, expect) || !strstr(rep.last, "reading the data files"))
        fail_msg("got %d reports, last \"%s\", expected \"%s\"", rep.n, rep.last, expect);
    assert_non_null(strstr(rep.last, path));
    assert_same_dataset(want, &ds);
    mr_dataset_free(&ds);
    assert_int_equal(mr_dataset_open(t->data, t->cache, &opts, &ds, NULL, &err), MR_OK);
    assert_non_null(ds.snapshot);
    assert_int_equal(rep.n, 1);
    assert_same_dataset(want, &ds);
    mr_dataset_free(&ds);
}

static void test_truncated_or_flipped(void **state)
{
    struct tmp *t = *state;
    copy_dir("tests/fixtures/ml-latest-tiny", t->data);
    struct mr_dataset want;
    struct mr_error err;
    assert_int_equal(mr_dataset_open(t->data, t->cache, NULL, &want, NULL, &err), MR_OK);
    char path[512];
    mr_snapshot_path(t->cache, want.fingerprint, path, sizeof path);
    long size;
    unsigned char *orig = read_all(path, &size);

    /* Truncated at many places, the header included. */
    for (int k = 0; k < 8; k++) {
        long cut = size * k / 8;
        write_all(path, orig, cut);
        open_with_damage(t, &want, path, "snapshot is corrupt");
    }
    /* One bit flipped at many places: the checksum catches each. */
    for (long pos = 20; pos < size; pos += size / 13) {
        unsigned char *bad = read_all(path, &size);
        bad[pos] ^= 0x04;
        write_all(path, bad, size);
        free(bad);
        open_with_damage(t, &want, path, "checksum mismatch");
    }
    /* Another format version: stale. */
    unsigned char *bad = read_all(path, &size);
    uint32_t v = MR_SNAPSHOT_FORMAT + 1;
    memcpy(bad + 8, &v, sizeof v);
    write_all(path, bad, size);
    free(bad);
    open_with_damage(t, &want, path, "snapshot is stale");
    /* Not a snapshot at all. */
    write_all(path, (const unsigned char *)"hello, world\n", 13);
    open_with_damage(t, &want, path, "not a movierec snapshot");
    free(orig);
    mr_dataset_free(&want);
}

/* A valid checksum over a structure that lies (as a buggy writer could produce) is still
 * refused: the structure is checked too.  Made by patching a field and re-sealing the file
 * with a correct checksum. */
static void test_bad_structure_refused(void **state)
{
    struct tmp *t = *state;
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_load("tests/fixtures/ml-latest-tiny", NULL, &ds, &err), MR_OK);
    char path[512];
    mr_snapshot_path(t->cache, ds.fingerprint, path, sizeof path);
    assert_int_equal(mr_snapshot_save(&ds, NULL, path, &err), MR_OK);
    long size;
    unsigned char *buf = read_all(path, &size);
    /* n_ratings sits after magic, format, byte order, two fingerprints and three u32. */
    size_t at = 8 + 4 + 4 + 8 + 8 + 4 + 4 + 4;
    uint64_t n;
    memcpy(&n, buf + at, 8);
    assert_int_equal(n, (uint64_t)ds.ratings.n_ratings);
    n += 1;
    memcpy(buf + at, &n, 8);
    uint64_t sum = mr_checksum(buf, (size_t)size - 8);
    memcpy(buf + size - 8, &sum, 8);
    write_all(path, buf, size);
    struct mr_dataset snap;
    enum mr_cache_state st;
    assert_int_equal(mr_snapshot_load(path, "x", ds.fingerprint, &snap, NULL, &st, &err),
                     MR_ECORRUPT);
    assert_int_equal(st, MR_CACHE_CORRUPT);
    assert_non_null(strstr(err.msg, "snapshot is corrupt"));
    assert_null(snap.snapshot);
    free(buf);
    mr_dataset_free(&ds);
}

/* The title index travels in the snapshot: read back, it answers every query as the index
 * built from the catalog does, and a start from the snapshot gets it without building. */
static void test_search_index_round_trip(void **state)
{
    struct tmp *t = *state;
    struct mr_dataset csv, snap;
    struct mr_search_index *built = NULL, *loaded = NULL;
    struct mr_error err;
    assert_int_equal(mr_dataset_load(SMALL, NULL, &csv, &err), MR_OK);
    built = mr_search_build(&csv.catalog, csv.ratings.item_count);
    assert_non_null(built);
    char path[512];
    mr_snapshot_path(t->cache, csv.fingerprint, path, sizeof path);
    assert_int_equal(mr_snapshot_save(&csv, built, path, &err), MR_OK);
    assert_int_equal(mr_snapshot_load(path, SMALL, csv.fingerprint, &snap, &loaded, NULL, &err),
                     MR_OK);
    assert_non_null(loaded);
    const char *queries[] = {
        "matrix",     "the matrix 1999", "matrx", "star wars", "amelie", "lord of the rings",
        "heat",       "spiderman",       "toy",   "xyzzy",     "2001",   "godfather II",
        "le fabuleux"};
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        struct mr_search_hit a[20], b[20];
        int na = mr_search(built, queries[q], a, 20);
        int nb = mr_search(loaded, queries[q], b, 20);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++) {
            assert_int_equal(a[i].item, b[i].item);
            assert_int_equal(a[i].quality, b[i].quality);
        }
        int32_t ca[20], cb[20];
        int nca = mr_search_complete(built, queries[q], ca, 20);
        assert_int_equal(nca, mr_search_complete(loaded, queries[q], cb, 20));
        assert_memory_equal(ca, cb, (size_t)nca * sizeof *ca);
    }
    int32_t item = -1;
    int n_cand = 0;
    assert_int_equal(mr_resolve_movie(loaded, &snap.catalog, "The Matrix", &item, NULL, 0, &n_cand),
                     MR_RESOLVED);
    assert_int_equal(snap.catalog.movies[item].id, 2571);
    mr_search_free(loaded);
    mr_dataset_free(&snap);

    /* Through mr_dataset_open: built and saved at the first open, read at the second. */
    struct mr_search_index *first = NULL, *second = NULL;
    struct mr_dataset a, b;
    remove_tree(t->cache);
    assert_int_equal(mr_dataset_open(SMALL, t->cache, NULL, &a, &first, &err), MR_OK);
    assert_non_null(first);
    assert_null(a.snapshot);
    assert_int_equal(mr_dataset_open(SMALL, t->cache, NULL, &b, &second, &err), MR_OK);
    assert_non_null(second);
    assert_non_null(b.snapshot);
    struct mr_search_hit ha[10], hb[10];
    int n = mr_search(first, "toy story", ha, 10);
    assert_true(n > 0);
    assert_int_equal(mr_search(second, "toy story", hb, 10), n);
    assert_memory_equal(ha, hb, (size_t)n * sizeof *ha);
    mr_search_free(second);
    mr_dataset_free(&b);
    mr_search_free(first);
    mr_dataset_free(&a);
    mr_search_free(built);
    mr_dataset_free(&csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_matches_load),
        cmocka_unit_test_setup_teardown(test_round_trip_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_layouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_uses_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_only_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_kept_up_to_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_after_touch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_or_flipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_structure_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_index_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
