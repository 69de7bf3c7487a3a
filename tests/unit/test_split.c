/* test_split.c — the splits of EVAL_PROTOCOL.md: the generator, spec parsing, the holdout
 * checksums of the protocol's table on ml-latest-small, kfold partitions, users:F, and the
 * ml100k folds of a hand-made fixture in the ml-100k layout (Latin-1 u.item, u1..u5 base/test),
 * whole and with a damaged fold file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/dataset.h"
#include "movierec/eval.h"

#define SMALL_DIR "data/ml-latest-small"
#define FOLDS_DIR "tests/fixtures/ml-100k-folds"

/* ml-latest-small, loaded once for the tests that need real data. */
static struct mr_dataset small;

static int load_small(void **state)
{
    (void)state;
    struct mr_error err;
    mr_error_clear(&err);
    if (mr_dataset_load(SMALL_DIR, NULL, &small, &err) != MR_OK) {
        char buf[1200];
        mr_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "cannot load %s: %s\n", SMALL_DIR, buf);
        return -1;
    }
    return 0;
}

static int free_small(void **state)
{
    (void)state;
    mr_dataset_free(&small);
    return 0;
}

/* ---- Generator and specs ------------------------------------------------------------------- */

/* The published SplitMix64 outputs for seed 1234567 (reference implementation by S. Vigna). */
static void test_splitmix_vector(void **state)
{
    (void)state;
    struct mr_splitmix g;
    mr_splitmix_seed(&g, 1234567);
    assert_true(mr_splitmix_next(&g) == 6457827717110365317ull);
    assert_true(mr_splitmix_next(&g) == 3203168211198807973ull);
    assert_true(mr_splitmix_next(&g) == 9817491932198370423ull);
    assert_true(mr_splitmix_next(&g) == 4593380528125082431ull);
    assert_true(mr_splitmix_next(&g) == 16408922859458223821ull);
}

static void assert_parses(const char *text, enum mr_split_kind kind, int k, double fraction,
                          const char *canonical)
{
    struct mr_split_spec spec;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_split_parse(text, &spec, &err), MR_OK);
    assert_int_equal(spec.kind, kind);
    assert_int_equal(spec.k, k);
    assert_float_equal(spec.fraction, fraction, 1e-15);
    char buf[64];
    assert_string_equal(mr_split_format(&spec, buf, sizeof buf), canonical);
}

static void test_parse_ok(void **state)
{
    (void)state;
    assert_parses("ml100k", MR_SPLIT_ML100K, 5, 0.0, "ml100k");
    assert_parses("kfold:5", MR_SPLIT_KFOLD, 5, 0.0, "kfold:5");
    assert_parses("kfold:10", MR_SPLIT_KFOLD, 10, 0.0, "kfold:10");
    assert_parses("kfold", MR_SPLIT_KFOLD, 5, 0.0, "kfold:5");
    assert_parses("holdout:0.2", MR_SPLIT_HOLDOUT, 1, 0.2, "holdout:0.2");
    assert_parses("holdout", MR_SPLIT_HOLDOUT, 1, 0.2, "holdout:0.2");
    assert_parses("holdout:0.25", MR_SPLIT_HOLDOUT, 1, 0.25, "holdout:0.25");
    assert_parses("users:0.1", MR_SPLIT_USERS, 1, 0.1, "users:0.1");
    assert_parses("users", MR_SPLIT_USERS, 1, 0.1, "users:0.1");

    struct mr_split_spec spec;
    assert_int_equal(mr_split_parse("ml100k", &spec, NULL), MR_OK);
    assert_int_equal(mr_split_n_folds(&spec), 5);
    assert_int_equal(mr_split_parse("kfold:7", &spec, NULL), MR_OK);
    assert_int_equal(mr_split_n_folds(&spec), 7);
    assert_int_equal(mr_split_parse("users:0.3", &spec, NULL), MR_OK);
    assert_int_equal(mr_split_n_folds(&spec), 1);
}

static void assert_rejected(const char *text, const char *needle)
{
    struct mr_split_spec spec;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_split_parse(text, &spec, &err), MR_EUSAGE);
    assert_int_equal(err.status, MR_EUSAGE);
    if (!strstr(err.msg, needle))
        fail_msg("message for '%s' is \"%s\", expected it to contain \"%s\"", text ? text : "",
                 err.msg, needle);
}

static void test_parse_errors(void **state)
{
    (void)state;
    assert_rejected("foo", "unknown split 'foo': use ml100k, kfold:K, holdout:F, users:F");
    assert_rejected("", "unknown split ''");
    assert_rejected("ml100k:3", "unknown split 'ml100k:3'");
    assert_rejected("kfoldx:3", "unknown split");
    assert_rejected("kfold:1", "kfold:K");
    assert_rejected("kfold:x", "kfold:K");
    assert_rejected("kfold:5x", "kfold:K");
    assert_rejected("kfold:", "kfold:K");
    assert_rejected("holdout:0", "holdout:F");
    assert_rejected("holdout:1", "holdout:F");
    assert_rejected("holdout:-0.2", "holdout:F");
    assert_rejected("holdout:nan", "holdout:F");
    assert_rejected("users:", "users:F");
    assert_rejected("users:1.5", "users:F");
    assert_rejected(NULL, "ml100k, kfold:K");
}

static void test_holdout_n_test(void **state)
{
    (void)state;
    /* F = 0.2: (n + 2) / 5, nothing below 5 ratings. */
    assert_int_equal(mr_holdout_n_test(0, 0.2), 0);
    assert_int_equal(mr_holdout_n_test(4, 0.2), 0);
    assert_int_equal(mr_holdout_n_test(5, 0.2), 1);
    assert_int_equal(mr_holdout_n_test(7, 0.2), 1);
    assert_int_equal(mr_holdout_n_test(8, 0.2), 2);
    assert_int_equal(mr_holdout_n_test(20, 0.2), 4);
    assert_int_equal(mr_holdout_n_test(23, 0.2), 5);
    /* other F: max(1, round(F n)), leaving at least one rating in train */
    assert_int_equal(mr_holdout_n_test(5, 0.1), 1);   /* round(0.5) = 1 */
    assert_int_equal(mr_holdout_n_test(14, 0.1), 1);  /* round(1.4) */
    assert_int_equal(mr_holdout_n_test(16, 0.1), 2);  /* round(1.6) */
    assert_int_equal(mr_holdout_n_test(10, 0.01), 1); /* round(0.1) = 0 -> 1 */
    assert_int_equal(mr_holdout_n_test(10, 0.5), 5);
    assert_int_equal(mr_holdout_n_test(5, 0.95), 4); /* round(4.75) = 5 -> n - 1 */
    assert_int_equal(mr_holdout_n_test(4, 0.5), 0);
}

/* ---- Helpers ------------------------------------------------------------------------------- */

/* Triples sorted by (user id, item), strictly (no pair twice). */
static void assert_sorted(const struct mr_triples *t)
{
    for (int64_t i = 1; i < t->n; i++) {
        int before = t->user_ids[i - 1] < t->user_ids[i] ||
                     (t->user_ids[i - 1] == t->user_ids[i] && t->items[i - 1] < t->items[i]);
        assert_true(before);
    }
}

/* Position of (user_id, item) in r's CSR arrays (items ascending within a user), or -1. */
static int64_t rating_pos(const struct mr_ratings *r, int32_t user_id, int32_t item)
{
    int32_t u = mr_ratings_find_user(r, user_id);
    if (u < 0)
        return -1;
    int64_t lo = r->user_ptr[u], hi = r->user_ptr[u + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r->user_items[mid] < item)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->user_ptr[u + 1] && r->user_items[lo] == item ? lo : -1;
}

/* Counts, per rating of ds, how often it appears in t (hits[pos] += 1), checking the value. */
static void count_triples(const struct mr_ratings *r, const struct mr_triples *t, uint8_t *hits)
{
    for (int64_t i = 0; i < t->n; i++) {
        int64_t p = rating_pos(r, t->user_ids[i], t->items[i]);
        assert_true(p >= 0);
        assert_int_equal(r->user_vals[p], t->vals[i]);
        hits[p]++;
    }
}

/* Counts every rating of the training matrix into hits, like count_triples. */
static void count_train(const struct mr_ratings *r, const struct mr_ratings *train, uint8_t *hits)
{
    assert_int_equal(train->n_items, r->n_items);
    for (int32_t u = 0; u < train->n_users; u++) {
        for (int64_t q = train->user_ptr[u]; q < train->user_ptr[u + 1]; q++) {
            int64_t p = rating_pos(r, train->user_ids[u], train->user_items[q]);
            assert_true(p >= 0);
            assert_int_equal(r->user_vals[p], train->user_vals[q]);
            hits[p]++;
        }
    }
}

static void make_fold(const struct mr_dataset *ds, const char *text, uint64_t seed, int index,
                      struct mr_fold *f)
{
    struct mr_split_spec spec;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_split_parse(text, &spec, &err), MR_OK);
    int rc = mr_split_fold(ds, &spec, seed, index, f, &err);
    if (rc != MR_OK)
        fail_msg("split %s fold %d: %s", text, index, err.msg);
}

static int triples_equal(const struct mr_triples *a, const struct mr_triples *b)
{
    if (a->n != b->n)
        return 0;
    if (a->n == 0)
        return 1;
    return memcmp(a->user_ids, b->user_ids, (size_t)a->n * sizeof *a->user_ids) == 0 &&
           memcmp(a->items, b->items, (size_t)a->n * sizeof *a->items) == 0 &&
           memcmp(a->vals, b->vals, (size_t)a->n) == 0;
}

/* ---- holdout ------------------------------------------------------------------------------- */

/* The protocol's own check of the split: the table row for ml-latest-small. */
static void test_holdout_checksums(void **state)
{
    (void)state;
    struct mr_fold f;
    make_fold(&small, "holdout:0.2", 42, 0, &f);
    assert_int_equal(f.train.n_ratings, 80672);
    assert_int_equal(f.test.n, 20164);
    assert_sorted(&f.test);
    assert_int_equal(f.foldin.n, 0);

    int64_t sum_user_movie = 0, sum_movie = 0, evaluated = 0;
    for (int64_t i = 0; i < f.test.n; i++) {
        int64_t movie_id = small.catalog.movies[f.test.items[i]].id;
        sum_user_movie += (int64_t)f.test.user_ids[i] * movie_id;
        sum_movie += movie_id;
        int relevant = f.test.vals[i] >= 8;
        int first_relevant_of_user = relevant;
        for (int64_t j = i - 1; j >= 0 && f.test.user_ids[j] == f.test.user_ids[i]; j--)
            if (f.test.vals[j] >= 8)
                first_relevant_of_user = 0;
        evaluated += first_relevant_of_user;
    }
    assert_true(sum_user_movie == 128626280830LL);
    assert_true(sum_movie == 393306400LL);
    assert_int_equal(evaluated, 601);

    /* Every user is listed for ranking, and train + test is exactly the data set. */
    assert_int_equal(f.n_users, small.ratings.n_users);
    assert_int_equal(f.train.n_users, small.ratings.n_users);
    uint8_t *hits = calloc((size_t)small.ratings.n_ratings, 1);
    assert_non_null(hits);
    count_triples(&small.ratings, &f.test, hits);
    count_train(&small.ratings, &f.train, hits);
    for (int64_t p = 0; p < small.ratings.n_ratings; p++)
        assert_int_equal(hits[p], 1);
    free(hits);
    mr_fold_free(&f);
}

static void test_holdout_seeded(void **state)
{
    (void)state;
    struct mr_fold a, b, c;
    make_fold(&small, "holdout:0.2", 42, 0, &a);
    make_fold(&small, "holdout:0.2", 42, 0, &b);
    make_fold(&small, "holdout:0.2", 43, 0, &c);
    assert_true(triples_equal(&a.test, &b.test));
    assert_int_equal(c.test.n, a.test.n);          /* same per-user counts ... */
    assert_false(triples_equal(&a.test, &c.test)); /* ... different movies */
    mr_fold_free(&a);
    mr_fold_free(&b);
    mr_fold_free(&c);
}

/* A tiny in-memory data set over movies 10, 20, ..., 100 (item i has id 10 (i + 1)). */
static void tiny_dataset(struct mr_dataset *ds, int with_user2)
{
    memset(ds, 0, sizeof *ds);
    for (int id = 10; id <= 100; id += 10)
        assert_int_equal(mr_catalog_add(&ds->catalog, id, "A Movie (2000)", 0), MR_OK);
    mr_catalog_finish(&ds->catalog, NULL, NULL, NULL);
    struct mr_ratings_builder b = {0};
    for (int32_t i = 0; i < 8; i++) /* user 1: 8 ratings */
        assert_int_equal(mr_ratings_builder_add(&b, 1, i, (uint8_t)(i + 2)), MR_OK);
    if (with_user2) /* user 2: 4 ratings, below the holdout's minimum of 5 */
        for (int32_t i = 0; i < 4; i++)
            assert_int_equal(mr_ratings_builder_add(&b, 2, i + 3, 6), MR_OK);
    for (int32_t i = 2; i < 9; i++) /* user 3: 7 ratings */
        assert_int_equal(mr_ratings_builder_add(&b, 3, i, (uint8_t)(11 - i)), MR_OK);
    assert_int_equal(mr_ratings_build(&b, ds->catalog.n_movies, &ds->ratings), MR_OK);
}

static void tiny_free(struct mr_dataset *ds)
{
    mr_ratings_free(&ds->ratings);
    mr_catalog_free(&ds->catalog);
}

/* A user with fewer than 5 ratings keeps them all in train and draws nothing from the stream:
 * users 1 and 3 are cut the same whether user 2 is there or not. */
static void test_holdout_small_user_draws_nothing(void **state)
{
    (void)state;
    struct mr_dataset with, without;
    tiny_dataset(&with, 1);
    tiny_dataset(&without, 0);
    struct mr_fold a, b;
    make_fold(&with, "holdout:0.2", 7, 0, &a);
    make_fold(&without, "holdout:0.2", 7, 0, &b);
    assert_true(triples_equal(&a.test, &b.test));
    /* 8 ratings -> (8 + 2) / 5 = 2 held out; 7 ratings -> 1. */
    assert_int_equal(a.test.n, 3);
    assert_int_equal(a.test.user_ids[0], 1);
    assert_int_equal(a.test.user_ids[1], 1);
    assert_int_equal(a.test.user_ids[2], 3);
    int32_t u2 = mr_ratings_find_user(&a.train, 2);
    assert_true(u2 >= 0);
    assert_int_equal(a.train.user_ptr[u2 + 1] - a.train.user_ptr[u2], 4);
    assert_int_equal(a.train.n_ratings, 8 + 4 + 7 - 3);
    assert_int_equal(a.n_users, 3);
    mr_fold_free(&a);
    mr_fold_free(&b);
    tiny_free(&with);
    tiny_free(&without);
}

/* ---- kfold --------------------------------------------------------------------------------- */

static void test_kfold_partition(void **state)
{
    (void)state;
    const int k = 5;
    int64_t n = small.ratings.n_ratings;
    uint8_t *in_test = calloc((size_t)n, 1);
    uint8_t *in_train = calloc((size_t)n, 1);
    assert_non_null(in_test);
    assert_non_null(in_train);
    int64_t total_test = 0;
    for (int i = 0; i < k; i++) {
        struct mr_fold f;
        make_fold(&small, "kfold:5", 42, i, &f);
        /* near-equal: n / k rounded down or up */
        assert_true(f.test.n == n / k || f.test.n == n / k + 1);
        assert_int_equal(f.train.n_ratings + f.test.n, n);
        assert_sorted(&f.test);
        total_test += f.test.n;

        memset(in_train, 0, (size_t)n);
        count_train(&small.ratings, &f.train, in_train);
        count_triples(&small.ratings, &f.test, in_test);
        /* within the fold, train and this fold's test are complementary */
        for (int64_t i2 = 0; i2 < f.test.n; i2++) {
            int64_t p = rating_pos(&small.ratings, f.test.user_ids[i2], f.test.items[i2]);
            assert_int_equal(in_train[p], 0);
        }
        /* the evaluated users are exactly the distinct users of the test part */
        int32_t distinct = 0;
        for (int64_t i2 = 0; i2 < f.test.n; i2++)
            distinct += i2 == 0 || f.test.user_ids[i2] != f.test.user_ids[i2 - 1];
        assert_int_equal(f.n_users, distinct);
        mr_fold_free(&f);
    }
    /* over the k folds every rating is tested exactly once */
    assert_int_equal(total_test, n);
    for (int64_t p = 0; p < n; p++)
        assert_int_equal(in_test[p], 1);
    free(in_test);
    free(in_train);
}

static void test_kfold_deterministic(void **state)
{
    (void)state;
    struct mr_fold a, b, c;
    make_fold(&small, "kfold:5", 42, 2, &a);
    make_fold(&small, "kfold:5", 42, 2, &b);
    make_fold(&small, "kfold:5", 0, 2, &c);
    assert_true(triples_equal(&a.test, &b.test));
    assert_false(triples_equal(&a.test, &c.test));
    mr_fold_free(&a);
    mr_fold_free(&b);
    mr_fold_free(&c);
}

static void test_bad_fold_index(void **state)
{
    (void)state;
    struct mr_split_spec spec;
    struct mr_error err;
    struct mr_fold f;
    mr_error_clear(&err);
    assert_int_equal(mr_split_parse("kfold:3", &spec, &err), MR_OK);
    assert_int_equal(mr_split_fold(&small, &spec, 1, 3, &f, &err), MR_EUSAGE);
    assert_int_equal(mr_split_fold(&small, &spec, 1, -1, &f, &err), MR_EUSAGE);
    assert_null(f.user_ids);
}

/* ---- users:F ------------------------------------------------------------------------------- */

static void test_users_split(void **state)
{
    (void)state;
    struct mr_fold f;
    make_fold(&small, "users:0.1", 42, 0, &f);
    /* round(0.1 * 610) = 61 users removed from training entirely */
    assert_int_equal(f.n_users, 61);
    assert_int_equal(f.train.n_users, small.ratings.n_users - 61);
    assert_sorted(&f.test);
    assert_sorted(&f.foldin);

    int64_t removed_ratings = 0;
    for (int32_t i = 0; i < f.n_users; i++) {
        int32_t uid = f.user_ids[i];
        if (i > 0)
            assert_true(f.user_ids[i - 1] < uid);
        assert_int_equal(mr_ratings_find_user(&f.train, uid), -1);
        int32_t u = mr_ratings_find_user(&small.ratings, uid);
        assert_true(u >= 0);
        int32_t n = (int32_t)(small.ratings.user_ptr[u + 1] - small.ratings.user_ptr[u]);
        removed_ratings += n;
        int32_t n_test = 0, n_foldin = 0;
        for (int64_t p = 0; p < f.test.n; p++)
            n_test += f.test.user_ids[p] == uid;
        for (int64_t p = 0; p < f.foldin.n; p++)
            n_foldin += f.foldin.user_ids[p] == uid;
        assert_int_equal(n_test, mr_holdout_n_test(n, 0.2));
        assert_int_equal(n_foldin, n - n_test);
    }
    assert_int_equal(f.train.n_ratings, small.ratings.n_ratings - removed_ratings);
    assert_int_equal(f.test.n + f.foldin.n, removed_ratings);

    /* train, test and foldin together are the data set, each rating once */
    uint8_t *hits = calloc((size_t)small.ratings.n_ratings, 1);
    assert_non_null(hits);
    count_train(&small.ratings, &f.train, hits);
    count_triples(&small.ratings, &f.test, hits);
    count_triples(&small.ratings, &f.foldin, hits);
    for (int64_t p = 0; p < small.ratings.n_ratings; p++)
        assert_int_equal(hits[p], 1);
    free(hits);

    /* deterministic for the seed; another seed removes other users */
    struct mr_fold g, h;
    make_fold(&small, "users:0.1", 42, 0, &g);
    make_fold(&small, "users:0.1", 9, 0, &h);
    assert_true(triples_equal(&f.test, &g.test));
    assert_true(triples_equal(&f.foldin, &g.foldin));
    assert_int_equal(h.n_users, 61);
    assert_false(memcmp(f.user_ids, h.user_ids, 61 * sizeof *f.user_ids) == 0);
    mr_fold_free(&f);
    mr_fold_free(&g);
    mr_fold_free(&h);

    make_fold(&small, "users:0.25", 42, 0, &f);
    assert_int_equal(f.n_users, 153); /* round(152.5) */
    mr_fold_free(&f);
}

/* What a model may know about a user: foldin first, else the training row, else nothing. */
static void test_fold_load_user(void **state)
{
    (void)state;
    struct mr_dataset ds;
    tiny_dataset(&ds, 1);
    struct mr_fold f;
    make_fold(&ds, "users:0.5", 3, 0, &f); /* round(1.5) = 2 of the 3 users removed */
    assert_int_equal(f.n_users, 2);
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, ds.catalog.n_movies), MR_OK);
    for (int32_t i = 0; i < f.n_users; i++) {
        assert_int_equal(mr_fold_load_user(&f, f.user_ids[i], &u), MR_OK);
        int32_t expect = 0;
        for (int64_t p = 0; p < f.foldin.n; p++) {
            if (f.foldin.user_ids[p] != f.user_ids[i])
                continue;
            assert_int_equal(u.rated[f.foldin.items[p]], f.foldin.vals[p]);
            expect++;
        }
        assert_true(expect > 0);
        assert_int_equal(u.n, expect);
    }
    /* the one user left in train: their training row */
    assert_int_equal(f.train.n_users, 1);
    int32_t kept = f.train.user_ids[0];
    assert_int_equal(mr_fold_load_user(&f, kept, &u), MR_OK);
    assert_int_equal(u.n, f.train.user_ptr[1]);
    for (int64_t p = 0; p < f.train.user_ptr[1]; p++)
        assert_int_equal(u.rated[f.train.user_items[p]], f.train.user_vals[p]);
    /* unknown user: nothing, and the previous user's ratings are gone */
    assert_int_equal(mr_fold_load_user(&f, 999, &u), MR_OK);
    assert_int_equal(u.n, 0);
    for (int32_t i = 0; i < u.n_items; i++)
        assert_int_equal(u.rated[i], 0);
    mr_user_free(&u);
    mr_fold_free(&f);
    tiny_free(&ds);
}

/* ---- ml100k -------------------------------------------------------------------------------- */

static void test_ml100k_fixture(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_dataset_load(FOLDS_DIR, NULL, &ds, &err), MR_OK);
    assert_int_equal(ds.ratings.n_ratings, 20);
    assert_int_equal(ds.catalog.n_movies, 8);
    /* u.item is Latin-1, as in ml-100k: 0xE9 arrives as U+00E9 (C3 A9) */
    int32_t three = mr_catalog_find(&ds.catalog, 3);
    assert_true(three >= 0);
    assert_string_equal(ds.catalog.movies[three].title, "Mis\xC3\xA9rables, Les (1995)");

    struct mr_split_spec spec;
    assert_int_equal(mr_split_parse("ml100k", &spec, &err), MR_OK);
    uint8_t hits[20] = {0};
    for (int i = 0; i < mr_split_n_folds(&spec); i++) {
        struct mr_fold f;
        make_fold(&ds, "ml100k", 0, i, &f);
        assert_int_equal(f.train.n_ratings, 16);
        assert_int_equal(f.test.n, 4);
        assert_sorted(&f.test);
        count_triples(&ds.ratings, &f.test, hits);
        uint8_t in_train[20] = {0};
        count_train(&ds.ratings, &f.train, in_train);
        for (int64_t j = 0; j < f.test.n; j++)
            assert_int_equal(in_train[rating_pos(&ds.ratings, f.test.user_ids[j], f.test.items[j])],
                             0);
        if (i == 2) {
            /* u3.test: (1, 3, 4), (2, 6, 5), (4, 1, 3), (5, 6, 3); movie 6 has no train rating */
            int32_t six = mr_catalog_find(&ds.catalog, 6);
            assert_true(six >= 0);
            assert_int_equal(f.train.item_ptr[six + 1] - f.train.item_ptr[six], 0);
            assert_int_equal(f.test.user_ids[1], 2);
            assert_int_equal(f.test.items[1], six);
            assert_int_equal(f.test.vals[1], 10);
            assert_int_equal(f.n_users, 4);
        }
        mr_fold_free(&f);
    }
    for (int p = 0; p < 20; p++)
        assert_int_equal(hits[p], 1);
    mr_dataset_free(&ds);
}

static void test_ml100k_missing(void **state)
{
    (void)state;
    struct mr_split_spec spec;
    struct mr_error err;
    struct mr_fold f;
    mr_error_clear(&err);
    assert_int_equal(mr_split_parse("ml100k", &spec, &err), MR_OK);
    assert_int_equal(mr_split_fold(&small, &spec, 0, 0, &f, &err), MR_EDATA);
    assert_non_null(strstr(err.file, "u1.base"));
    assert_non_null(strstr(err.msg, "ml100k"));
}

/* A copy of the folds fixture in a fresh directory, for damaging one file. */
struct folds_copy {
    char dir[64];
};

static const char *const fold_files[] = {"u.data",  "u.item",  "u1.base", "u1.test",
                                         "u2.base", "u2.test", "u3.base", "u3.test",
                                         "u4.base", "u4.test", "u5.base", "u5.test"};
enum { N_FOLD_FILES = sizeof fold_files / sizeof fold_files[0] };

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void folds_copy_make(struct folds_copy *c)
{
    snprintf(c->dir, sizeof c->dir, "/tmp/mr-test-split-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    for (int i = 0; i < N_FOLD_FILES; i++) {
        char from[256], to[256];
        snprintf(from, sizeof from, "%s/%s", FOLDS_DIR, fold_files[i]);
        snprintf(to, sizeof to, "%s/%s", c->dir, fold_files[i]);
        copy_file(from, to);
    }
}

/* Replaces line `line` (1-based) of the copy's file `name` with text (a line of its own). */
static void folds_copy_replace_line(struct folds_copy *c, const char *name, int line,
                                    const char *text)
{
    char path[256], lines[64][128];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    int n = 0;
    while (n < 64 && fgets(lines[n], sizeof lines[n], f))
        n++;
    fclose(f);
    assert_true(line >= 1 && line <= n);
    f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < n; i++) {
        if (i == line - 1)
            fprintf(f, "%s\n", text);
        else
            fputs(lines[i], f);
    }
    assert_int_equal(fclose(f), 0);
}

static void folds_copy_remove(struct folds_copy *c)
{
    for (int i = 0; i < N_FOLD_FILES; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", c->dir, fold_files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(c->dir), 0);
}

/* Builds fold `index` of the ml100k split over the data set in dir; returns its status. */
static int ml100k_fold_status(const char *dir, int index, struct mr_error *err)
{
    struct mr_dataset ds;
    mr_error_clear(err);
    assert_int_equal(mr_dataset_load(dir, NULL, &ds, err), MR_OK);
    struct mr_split_spec spec;
    assert_int_equal(mr_split_parse("ml100k", &spec, err), MR_OK);
    struct mr_fold f;
    int rc = mr_split_fold(&ds, &spec, 0, index, &f, err);
    if (rc == MR_OK) {
        assert_int_equal(f.test.n, 4);
        mr_fold_free(&f);
    } else {
        assert_null(f.test.user_ids); /* freed and zeroed on failure */
        assert_int_equal(f.train.n_ratings, 0);
    }
    mr_dataset_free(&ds);
    return rc;
}

/* A malformed line in a fold file refuses that fold, naming the file and the line; the other
 * folds still build. */
static void test_ml100k_bad_fold_line(void **state)
{
    (void)state;
    struct folds_copy c;
    folds_copy_make(&c);
    struct mr_error err;
    assert_int_equal(ml100k_fold_status(c.dir, 2, &err), MR_OK); /* the copy is whole */

    folds_copy_replace_line(&c, "u3.test", 2, "2\t6\t9\t881250949");
    assert_int_equal(ml100k_fold_status(c.dir, 2, &err), MR_EDATA);
    char want[128];
    snprintf(want, sizeof want, "%s/u3.test", c.dir);
    assert_string_equal(err.file, want);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "rating"));
    assert_non_null(strstr(err.msg, "1 bad line in this fold file"));
    assert_int_equal(ml100k_fold_status(c.dir, 0, &err), MR_OK);

    /* a base file whose item is not in u.item: the first of two bad lines is named */
    folds_copy_replace_line(&c, "u2.base", 5, "1\t99\t4\t881250949");
    folds_copy_replace_line(&c, "u2.base", 9, "1\tx\t4\t881250949");
    assert_int_equal(ml100k_fold_status(c.dir, 1, &err), MR_EDATA);
    snprintf(want, sizeof want, "%s/u2.base", c.dir);
    assert_string_equal(err.file, want);
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.msg, "99"));
    assert_non_null(strstr(err.msg, "2 bad lines"));
    folds_copy_remove(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix_vector),
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_holdout_n_test),
        cmocka_unit_test(test_holdout_checksums),
        cmocka_unit_test(test_holdout_seeded),
        cmocka_unit_test(test_holdout_small_user_draws_nothing),
        cmocka_unit_test(test_kfold_partition),
        cmocka_unit_test(test_kfold_deterministic),
        cmocka_unit_test(test_bad_fold_index),
        cmocka_unit_test(test_users_split),
        cmocka_unit_test(test_fold_load_user),
        cmocka_unit_test(test_ml100k_fixture),
        cmocka_unit_test(test_ml100k_missing),
        cmocka_unit_test(test_ml100k_bad_fold_line),
    };
    return cmocka_run_group_tests(tests, load_small, free_small);
}
