/* test_synth.c — the synthetic data generator: the set it writes loads back through the real
 * loader with exactly the requested counts, titles survive CSV quoting, output is a function of
 * the seed, the rating formula and rounding hold, activity and popularity are skewed, and an
 * existing directory is never clobbered by accident. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/dataset.h"
#include "movierec/synth.h"

struct fixture {
    char tmp[PATH_MAX]; /* scratch directory */
    char out[PATH_MAX]; /* TMP/set: where data sets are written */
    struct mr_catalog catalog;
};

/* Titles that need quoting, or that a parser might mangle. */
static const char *const odd_titles[] = {
    "American President, The (1995)",
    "\"Great Performances\" Cats (1998)",
    "City of Lost Children, The (Cit\xc3\xa9 des enfants perdus, La) (1995)",
    "Cosmos",
};

/* A catalog of n movies, ids 10, 20, ...; the first ones carry odd titles and links. */
static void make_catalog(struct mr_catalog *c, int n)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < n; i++) {
        char title[128];
        int n_odd = (int)(sizeof odd_titles / sizeof odd_titles[0]);
        if (i < n_odd)
            snprintf(title, sizeof title, "%s", odd_titles[i]);
        else
            snprintf(title, sizeof title, "Movie %d (%d)", i, 1950 + i % 70);
        uint32_t genres = i % 7 == 3 ? 0 : (1u << (i % 19)) | (1u << ((i * 7) % 19));
        assert_int_equal(mr_catalog_add(c, 10 * (i + 1), title, genres), MR_OK);
    }
    mr_catalog_finish(c, NULL, NULL, "test");
    c->movies[0].imdb_id = 114709;
    c->movies[0].tmdb_id = 862;
    c->movies[1].imdb_id = 112346;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->tmp, sizeof f->tmp, "/tmp/test_synth.XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    snprintf(f->out, sizeof f->out, "%.*s/set", PATH_MAX - 8, f->tmp);
    make_catalog(&f->catalog, 300);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", PATH_MAX - 1, f->tmp);
    int rc = system(cmd);
    mr_catalog_free(&f->catalog);
    free(f);
    return rc == 0 ? 0 : -1;
}

static struct mr_synth_opts opts(int32_t users, int64_t ratings, uint64_t seed)
{
    struct mr_synth_opts o;
    mr_synth_defaults(&o);
    o.n_users = users;
    o.n_ratings = ratings;
    o.seed = seed;
    return o;
}

/* Loads dir with the real loader, failing the test on any error or skipped line. */
static void load(const char *dir, struct mr_dataset *ds)
{
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_dataset_load(dir, NULL, ds, &err);
    if (rc != MR_OK)
        fail_msg("loading %s: %s", dir, err.msg);
    assert_int_equal(ds->layout, MR_LAYOUT_CSV);
    assert_int_equal(ds->stats.lines_skipped, 0);
}

/* The whole content of a file (NUL-terminated, size in *len). */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static int cmp_desc(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x < y) - (x > y);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_counts_and_round_trip(void **state)
{
    struct fixture *f = *state;
    struct mr_synth_opts o = opts(40, 3000, 1);
    struct mr_synth_stats st;
    struct mr_error err;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, &st, &err), MR_OK);
    assert_int_equal(st.n_users, 40);
    assert_int_equal(st.n_ratings, 3000);
    assert_true(st.min_user_ratings >= 20);

    struct mr_dataset ds;
    load(f->out, &ds);
    /* Exactly the requested counts: a repeated (user, movie) pair would have been merged. */
    assert_int_equal(ds.ratings.n_users, 40);
    assert_int_equal(ds.ratings.n_ratings, 3000);
    assert_int_equal(ds.ratings.user_ids[0], 1);
    assert_int_equal(ds.ratings.user_ids[39], 40);
    int32_t least = INT32_MAX, most = 0;
    for (int32_t u = 0; u < ds.ratings.n_users; u++) {
        int32_t n = (int32_t)(ds.ratings.user_ptr[u + 1] - ds.ratings.user_ptr[u]);
        least = n < least ? n : least;
        most = n > most ? n : most;
    }
    assert_int_equal(least, st.min_user_ratings);
    assert_int_equal(most, st.max_user_ratings);
    for (int64_t k = 0; k < ds.ratings.n_ratings; k++)
        assert_true(ds.ratings.user_vals[k] >= 1 && ds.ratings.user_vals[k] <= 10);

    /* The catalog comes back as it went in: titles with commas and quotes, genres, links. */
    assert_int_equal(ds.catalog.n_movies, f->catalog.n_movies);
    for (int32_t i = 0; i < f->catalog.n_movies; i++) {
        assert_int_equal(ds.catalog.movies[i].id, f->catalog.movies[i].id);
        assert_string_equal(ds.catalog.movies[i].title, f->catalog.movies[i].title);
        uint32_t g = f->catalog.movies[i].genres;
        assert_int_equal(ds.catalog.movies[i].genres, g ? g : 1u << MR_GENRE_NONE);
    }
    assert_int_equal(ds.catalog.movies[0].imdb_id, 114709);
    assert_int_equal(ds.catalog.movies[0].tmdb_id, 862);
    assert_int_equal(ds.catalog.movies[1].imdb_id, 112346);
    assert_int_equal(ds.catalog.movies[1].tmdb_id, 0);
    mr_dataset_free(&ds);

    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%.*s.tmp", PATH_MAX - 8, f->out);
    assert_false(exists(tmp)); /* renamed into place */
}

static void test_same_seed_same_bytes(void **state)
{
    struct fixture *f = *state;
    struct mr_synth_opts o = opts(30, 2000, 42);
    char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
    snprintf(a, sizeof a, "%.*s/a", PATH_MAX - 16, f->tmp);
    snprintf(b, sizeof b, "%.*s/b", PATH_MAX - 16, f->tmp);
    snprintf(c, sizeof c, "%.*s/c", PATH_MAX - 16, f->tmp);
    assert_int_equal(mr_synth_write(&f->catalog, &o, a, NULL, NULL, NULL, NULL), MR_OK);
    assert_int_equal(mr_synth_write(&f->catalog, &o, b, NULL, NULL, NULL, NULL), MR_OK);
    o.seed = 43;
    assert_int_equal(mr_synth_write(&f->catalog, &o, c, NULL, NULL, NULL, NULL), MR_OK);

    char pa[PATH_MAX], pb[PATH_MAX], pc[PATH_MAX];
    snprintf(pa, sizeof pa, "%.*s/ratings.csv", PATH_MAX - 16, a);
    snprintf(pb, sizeof pb, "%.*s/ratings.csv", PATH_MAX - 16, b);
    snprintf(pc, sizeof pc, "%.*s/ratings.csv", PATH_MAX - 16, c);
    size_t na, nb, nc;
    char *ra = slurp(pa, &na), *rb = slurp(pb, &nb), *rc = slurp(pc, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(ra, rb, na);
    assert_true(na != nc || memcmp(ra, rc, na) != 0);
    assert_memory_equal(ra, "userId,movieId,rating,timestamp\n", 32);
    free(ra);
    free(rb);
    free(rc);
}

/* With every random term switched off a rating is mu rounded: to the half star, or to the
 * whole star for whole-star raters; clipped to 0.5..5. */
static void test_rating_formula_and_rounding(void **state)
{
    struct fixture *f = *state;
    static const struct {
        double mean, whole_share;
        int half;
    } cases[] = {
        {3.7, 0.0, 7},  /* 3.7 -> 3.5 */
        {3.8, 0.0, 8},  /* 3.8 -> 4.0 */
        {3.7, 1.0, 8},  /* whole stars: 4 */
        {3.4, 1.0, 6},  /* whole stars: 3 */
        {9.0, 0.0, 10}, /* clipped to 5 */
        {-2.0, 0.0, 1}, /* clipped to 0.5 */
        {0.2, 1.0, 2},  /* whole stars never go below 1 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct mr_synth_opts o = opts(5, 200, 3);
        o.mean = cases[c].mean;
        o.whole_star_share = cases[c].whole_share;
        o.factor_sd = o.user_bias_sd = o.item_bias_sd = o.popularity_bias = o.noise_sd = 0;
        o.replace = 1;
        assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, NULL), MR_OK);
        struct mr_dataset ds;
        load(f->out, &ds);
        assert_int_equal(ds.ratings.n_ratings, 200);
        for (int64_t k = 0; k < ds.ratings.n_ratings; k++)
            assert_int_equal(ds.ratings.user_vals[k], cases[c].half);
        mr_dataset_free(&ds);
    }
}

/* Item effects are real: item means from two disjoint halves of the users agree. */
static void test_item_effects_replicate(void **state)
{
    struct fixture *f = *state;
    struct mr_synth_opts o = opts(400, 40000, 5);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, NULL), MR_OK);
    struct mr_dataset ds;
    load(f->out, &ds);
    const struct mr_ratings *r = &ds.ratings;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    int n = 0;
    for (int32_t i = 0; i < r->n_items; i++) {
        double sum[2] = {0, 0};
        int cnt[2] = {0, 0};
        for (int64_t k = r->item_ptr[i]; k < r->item_ptr[i + 1]; k++) {
            int half = r->item_users[k] % 2;
            sum[half] += r->item_vals[k];
            cnt[half]++;
        }
        if (cnt[0] < 15 || cnt[1] < 15)
            continue;
        double x = sum[0] / cnt[0], y = sum[1] / cnt[1];
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        n++;
    }
    assert_true(n >= 30);
    double cov = sxy / n - (sx / n) * (sy / n);
    double corr = cov / sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
    assert_true(corr > 0.5);
    mr_dataset_free(&ds);
}

/* MovieLens-like skew: a few films get most ratings and some users rate far more than most. */
static void test_skew(void **state)
{
    struct fixture *f = *state;
    struct mr_catalog big;
    make_catalog(&big, 3000);
    struct mr_synth_opts o = opts(500, 25000, 9);
    assert_int_equal(mr_synth_write(&big, &o, f->out, NULL, NULL, NULL, NULL), MR_OK);
    mr_catalog_free(&big);
    struct mr_dataset ds;
    load(f->out, &ds);
    const struct mr_ratings *r = &ds.ratings;

    /* The share of the 10% most rated films; a uniform draw would give about 10%. */
    int32_t *counts = malloc((size_t)r->n_items * sizeof *counts);
    assert_non_null(counts);
    memcpy(counts, r->item_count, (size_t)r->n_items * sizeof *counts);
    qsort(counts, (size_t)r->n_items, sizeof *counts, cmp_desc);
    int64_t top = 0;
    for (int32_t k = 0; k < r->n_items / 10; k++)
        top += counts[k];
    free(counts);
    assert_true((double)top / (double)r->n_ratings > 0.4);

    /* Users: at least 20 each, the median below the mean (50), a long tail above it. */
    int32_t per_user[500];
    int32_t most = 0;
    for (int32_t u = 0; u < r->n_users; u++) {
        per_user[u] = (int32_t)(r->user_ptr[u + 1] - r->user_ptr[u]);
        assert_true(per_user[u] >= 20);
        most = per_user[u] > most ? per_user[u] : most;
    }
    qsort(per_user, 500, sizeof per_user[0], cmp_desc);
    assert_true(per_user[250] < 45);
    assert_true(most > 200);
    mr_dataset_free(&ds);
}

/* A user may rate (almost) every film: the draw without replacement must still finish. */
static void test_heavy_users(void **state)
{
    struct fixture *f = *state;
    int32_t n = f->catalog.n_movies;
    struct mr_synth_opts o = opts(3, 3 * (int64_t)n - 1, 11);
    struct mr_synth_stats st;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, &st, NULL), MR_OK);
    assert_int_equal(st.max_user_ratings, n);
    assert_int_equal(st.min_user_ratings, n - 1);
    struct mr_dataset ds;
    load(f->out, &ds);
    assert_int_equal(ds.ratings.n_ratings, 3 * (int64_t)n - 1);
    mr_dataset_free(&ds);

    /* Fewer ratings than 20 per user: spread evenly instead. */
    o = opts(10, 55, 11);
    o.replace = 1;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, &st, NULL), MR_OK);
    assert_int_equal(st.min_user_ratings, 5);
    assert_int_equal(st.n_ratings, 55);
}

static void test_impossible_requests(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    struct mr_synth_opts o = opts(2, 2 * (int64_t)f->catalog.n_movies + 1, 1);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    o = opts(10, 9, 1);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    o = opts(0, 10, 1);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    assert_false(exists(f->out));
}

static void test_existing_directories(void **state)
{
    struct fixture *f = *state;
    struct mr_error err;
    struct mr_synth_opts o = opts(5, 200, 1);
    char path[PATH_MAX];

    /* Someone's directory with other files: never replaced, even with replace set. */
    assert_int_equal(mkdir(f->out, 0755), 0);
    snprintf(path, sizeof path, "%.*s/notes.txt", PATH_MAX - 16, f->out);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    o.replace = 1;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    assert_true(exists(path));
    unlink(path);

    /* An empty directory is fine; a data set needs replace; DIR.old does not linger. */
    o.replace = 0;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_OK);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    o.replace = 1;
    o.n_ratings = 300;
    struct mr_synth_stats st;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, &st, &err), MR_OK);
    struct mr_dataset ds;
    load(f->out, &ds);
    assert_int_equal(ds.ratings.n_ratings, 300);
    mr_dataset_free(&ds);
    snprintf(path, sizeof path, "%.*s.old", PATH_MAX - 16, f->out);
    assert_false(exists(path));

    /* A DIR.tmp left by an interrupted run is cleared; one with foreign files is refused. */
    snprintf(path, sizeof path, "%.*s.tmp", PATH_MAX - 16, f->out);
    assert_int_equal(mkdir(path, 0755), 0);
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%.*s/ratings.csv", PATH_MAX - 32, path);
    fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("half a fi", fp);
    fclose(fp);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_OK);
    assert_false(exists(path));
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(file, sizeof file, "%.*s/keep.me", PATH_MAX - 32, path);
    fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, NULL, NULL, NULL, &err), MR_EUSAGE);
    assert_true(exists(file));
}

static void progress_count(void *ctx, const char *stage, double fraction)
{
    int *calls = ctx;
    assert_string_equal(stage, "ratings");
    assert_true(fraction > 0 && fraction <= 1.0);
    (*calls)++;
}

static void test_progress_reported(void **state)
{
    struct fixture *f = *state;
    struct mr_synth_opts o = opts(200, 8000, 2);
    int calls = 0;
    assert_int_equal(mr_synth_write(&f->catalog, &o, f->out, progress_count, &calls, NULL, NULL),
                     MR_OK);
    assert_true(calls >= 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_and_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_seed_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rating_formula_and_rounding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_effects_replicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heavy_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_impossible_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_directories, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
