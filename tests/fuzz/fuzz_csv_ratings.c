/* fuzz_csv_ratings.c — ratings.csv read twice: in one piece and split over two threads at the
 * middle (mr_csv_read_split with a tiny threshold), with the normal or a tiny record cap.  Both
 * must give the same ratings in the same order, the same counts and the same reports at the same
 * lines, or the same error. */
#include "../../src/engine/loaders.h"
#include "fuzz_check.h"
#include "fuzz_targets.h"

#define RATINGS_MAX_REPORTS 256

struct ratings_reports {
    long n;
    long line[RATINGS_MAX_REPORTS];
    char what[RATINGS_MAX_REPORTS][96];
};

static void ratings_collect(void *ctx, const char *file, long line, const char *what)
{
    (void)file;
    struct ratings_reports *r = ctx;
    if (r->n < RATINGS_MAX_REPORTS) {
        r->line[r->n] = line;
        snprintf(r->what[r->n], sizeof r->what[r->n], "%s", what);
    }
    r->n++;
}

struct ratings_run {
    struct mr_ratings_builder b;
    struct ratings_reports reports;
    struct mr_load_stats stats;
    struct mr_error err;
    int rc;
};

static void ratings_read(const char *path, const struct mr_catalog *c, int64_t split_min,
                         int64_t max_record, struct ratings_run *run)
{
    memset(run, 0, sizeof *run);
    struct mr_load_opts opts = {.report = ratings_collect, .report_ctx = &run->reports};
    struct mr_load ld;
    mr_load_init(&ld, &opts, &run->stats, &run->err);
    ld.split_min_bytes = split_min;
    ld.max_record_bytes = max_record;
    run->rc = mr_load_csv_ratings(&ld, path, c, &run->b);
}

static struct mr_catalog ratings_catalog;

/* Movies 1..5 and 100000. */
static const struct mr_catalog *ratings_get_catalog(void)
{
    if (ratings_catalog.n_movies == 0) {
        static const int32_t ids[] = {1, 2, 3, 4, 5, 100000};
        for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
            if (mr_catalog_add(&ratings_catalog, ids[i], "Film (2000)", 0) != MR_OK)
                abort();
        mr_catalog_finish(&ratings_catalog, NULL, NULL, NULL);
    }
    return &ratings_catalog;
}

int fuzz_csv_ratings(const uint8_t *data, size_t size)
{
    const struct mr_catalog *c = ratings_get_catalog();
    char path[512];
    fuzz_write("ratings", "ratings.csv", data, size, path, sizeof path);
    static struct ratings_run whole, halves;
    /* Inputs whose first byte is odd also exercise the cut of a runaway quoted record, with a
     * cap small enough for the fuzzer's input sizes. */
    int64_t max_record = size > 0 && (data[0] & 1) ? 96 : MR_MAX_LINE;
    ratings_read(path, c, INT64_MAX, max_record, &whole);
    ratings_read(path, c, 1, max_record, &halves);
    FUZZ_CHECK(whole.rc == halves.rc);
    if (whole.rc != MR_OK) {
        FUZZ_CHECK(whole.err.line == halves.err.line);
        FUZZ_CHECK(strcmp(whole.err.msg, halves.err.msg) == 0);
    } else {
        FUZZ_CHECK(whole.b.n == halves.b.n);
        for (int64_t i = 0; i < whole.b.n; i++) {
            FUZZ_CHECK(whole.b.user_ids[i] == halves.b.user_ids[i]);
            FUZZ_CHECK(whole.b.items[i] == halves.b.items[i]);
            FUZZ_CHECK(whole.b.vals[i] == halves.b.vals[i]);
            FUZZ_CHECK(whole.b.vals[i] >= 1 && whole.b.vals[i] <= 10);
            FUZZ_CHECK(whole.b.items[i] >= 0 && whole.b.items[i] < c->n_movies);
        }
        FUZZ_CHECK(whole.stats.lines_read == halves.stats.lines_read);
        FUZZ_CHECK(whole.stats.lines_skipped == halves.stats.lines_skipped);
        FUZZ_CHECK(whole.reports.n == halves.reports.n);
        for (long i = 0; i < whole.reports.n && i < RATINGS_MAX_REPORTS; i++) {
            FUZZ_CHECK(whole.reports.line[i] == halves.reports.line[i]);
            FUZZ_CHECK(strcmp(whole.reports.what[i], halves.reports.what[i]) == 0);
        }
        struct mr_ratings r;
        if (mr_ratings_build(&whole.b, c->n_movies, &r) == MR_OK) {
            fuzz_check_ratings(&r, c->n_movies);
            mr_ratings_free(&r);
        }
    }
    mr_ratings_builder_free(&whole.b);
    mr_ratings_builder_free(&halves.b);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_csv_ratings(data, size);
}
#endif
