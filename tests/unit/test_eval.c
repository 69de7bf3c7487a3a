/* test_eval.c — the evaluation runner: per-fold metrics on a hand-made fold with a model whose
 * answers are known, thread-independence, error messages, and real runs on ml-latest-small. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/dataset.h"
#include "movierec/eval.h"
#include "movierec/model.h"

#define EPS       1e-12
#define SMALL_DIR "data/ml-latest-small"
#define FOLDS_DIR "tests/fixtures/ml-100k-folds"

/* ---- A model with known answers ------------------------------------------------------------
 * score: -item, so the ranking is ascending item index among the candidates.
 * predict: the number of ratings replayed into the user's state, in stars; this shows which
 * ratings the runner folded in for the user. */

static void *count_user_new(const struct mr_model *m)
{
    (void)m;
    return calloc(1, sizeof(int));
}

static void count_user_free(const struct mr_model *m, void *state)
{
    (void)m;
    free(state);
}

static void count_user_update(const struct mr_model *m, void *state, const struct mr_user *u,
                              int32_t item, int old_half, int new_half)
{
    (void)m;
    (void)u;
    (void)item;
    *(int *)state += (old_half == 0 && new_half != 0) - (old_half != 0 && new_half == 0);
}

static void index_score(const struct mr_model *m, const void *state, const struct mr_user *u,
                        float *scores)
{
    (void)state;
    (void)u;
    for (int32_t i = 0; i < m->ratings->n_items; i++)
        scores[i] = -(float)i;
}

static double count_predict(const struct mr_model *m, const void *state, const struct mr_user *u,
                            int32_t item)
{
    (void)m;
    (void)u;
    (void)item;
    return *(const int *)state;
}

static const struct mr_model_ops count_ops = {
    .name = "count",
    .user_new = count_user_new,
    .user_free = count_user_free,
    .user_update = count_user_update,
    .score = index_score,
    .predict = count_predict,
};

/* ---- The hand-made fold ---------------------------------------------------------------------
 * 14 items.  Train: user 1 rated items 0, 1; user 2 item 2; user 3 item 5; user 4 items 3..12.
 * So C = items 0..12 (item 13 has no training rating).  User 7 is a folded-in user: known
 * items 4, 6, 8, 12 (foldin), no training row.
 * Test (half stars): user 1: item 3 (10), 12 (9), 13 (8); user 2: item 0 (7);
 *                    user 3: item 0 (8); user 7: item 9 (8).
 * Evaluated users are 1, 2, 3, 7. */

#define N_ITEMS 14

static void hand_fold(struct mr_fold *f)
{
    memset(f, 0, sizeof *f);
    struct mr_ratings_builder b = {0};
    assert_int_equal(mr_ratings_builder_add(&b, 1, 0, 6), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 1, 1, 8), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 2, 2, 4), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 3, 5, 10), MR_OK);
    for (int32_t i = 3; i <= 12; i++)
        assert_int_equal(mr_ratings_builder_add(&b, 4, i, 7), MR_OK);
    assert_int_equal(mr_ratings_build(&b, N_ITEMS, &f->train), MR_OK);

    static const int32_t test_users[] = {1, 1, 1, 2, 3, 7};
    static const int32_t test_items[] = {3, 12, 13, 0, 0, 9};
    static const uint8_t test_vals[] = {10, 9, 8, 7, 8, 8};
    f->test.n = 6;
    f->test.user_ids = malloc(sizeof test_users);
    f->test.items = malloc(sizeof test_items);
    f->test.vals = malloc(sizeof test_vals);
    assert_non_null(f->test.vals);
    memcpy(f->test.user_ids, test_users, sizeof test_users);
    memcpy(f->test.items, test_items, sizeof test_items);
    memcpy(f->test.vals, test_vals, sizeof test_vals);

    static const int32_t foldin_items[] = {4, 6, 8, 12};
    f->foldin.n = 4;
    f->foldin.user_ids = malloc(4 * sizeof(int32_t));
    f->foldin.items = malloc(sizeof foldin_items);
    f->foldin.vals = malloc(4);
    assert_non_null(f->foldin.vals);
    for (int i = 0; i < 4; i++) {
        f->foldin.user_ids[i] = 7;
        f->foldin.items[i] = foldin_items[i];
        f->foldin.vals[i] = 6;
    }

    static const int32_t users[] = {1, 2, 3, 7};
    f->n_users = 4;
    f->user_ids = malloc(sizeof users);
    assert_non_null(f->user_ids);
    memcpy(f->user_ids, users, sizeof users);
}

static void hand_model(struct mr_model *m, const struct mr_fold *f, const struct mr_model_ops *ops)
{
    memset(m, 0, sizeof *m);
    m->ops = ops;
    m->ratings = &f->train;
}

/* Top-10 lists (candidates = C minus known items, ascending index):
 *   user 1 (knows 0, 1):        2 3 4 5 6 7 8 9 10 11   R = {3, 12, 13}: hit at rank 2
 *   user 2 (knows 2):           0 1 3 4 5 6 7 8 9 10    R = {} (3.5 stars): not evaluated
 *   user 3 (knows 5):           0 1 2 3 4 6 7 8 9 10    R = {0}: hit at rank 1
 *   user 7 (knows 4 6 8 12):    0 1 2 3 5 7 9 10 11     R = {9}: hit at rank 7 (9 candidates)
 * Union = items 0..11 = 12 of |C| = 13. */
static void test_topn_hand_fold(void **state)
{
    (void)state;
    struct mr_fold f;
    hand_fold(&f);
    struct mr_model m;
    hand_model(&m, &f, &count_ops);
    struct mr_eval_result r;
    mr_eval_result_clear(&r);
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_eval_fold_topn(&m, &f, 1, &r, &err), MR_OK);

    double ndcg1 = (1.0 / log2(3.0)) / (1.0 + 1.0 / log2(3.0) + 1.0 / log2(4.0));
    double ndcg7 = 1.0 / log2(8.0);
    assert_int_equal(r.n_users, 3);
    assert_float_equal(r.p5, (0.2 + 0.2 + 0.0) / 3.0, EPS);
    assert_float_equal(r.p10, 0.1, EPS);
    assert_float_equal(r.r10, (1.0 / 3.0 + 1.0 + 1.0) / 3.0, EPS);
    assert_float_equal(r.ndcg10, (ndcg1 + 1.0 + ndcg7) / 3.0, EPS);
    assert_float_equal(r.hr10, 1.0, EPS);
    assert_float_equal(r.cov10, 12.0 / 13.0, EPS);
    assert_true(r.rank_s >= 0.0);
    assert_true(isnan(r.rmse)); /* not asked for */

    /* Any number of threads gives the very same figures. */
    for (int threads = 2; threads <= 5; threads++) {
        struct mr_eval_result t;
        mr_eval_result_clear(&t);
        assert_int_equal(mr_eval_fold_topn(&m, &f, threads, &t, &err), MR_OK);
        assert_true(t.p5 == r.p5 && t.p10 == r.p10 && t.r10 == r.r10);
        assert_true(t.ndcg10 == r.ndcg10 && t.hr10 == r.hr10 && t.cov10 == r.cov10);
        assert_int_equal(t.n_users, r.n_users);
    }
    mr_fold_free(&f);
}

/* Predictions = number of known ratings: user 1 -> 2, user 2 -> 1, user 3 -> 1, user 7 -> 4
 * (its foldin ratings, not a training row).  Truths 5, 4.5, 4 | 3.5 | 4 | 4 stars:
 * errors 3, 2.5, 2, 2.5, 3, 0 -> SSE 34.5, SAE 13 over 6 pairs.  Item 13 (no training rating)
 * is predicted and counted like any other. */
static void test_rating_hand_fold(void **state)
{
    (void)state;
    struct mr_fold f;
    hand_fold(&f);
    struct mr_model m;
    hand_model(&m, &f, &count_ops);
    struct mr_error err;
    mr_error_clear(&err);
    for (int threads = 1; threads <= 3; threads++) {
        struct mr_eval_result r;
        mr_eval_result_clear(&r);
        assert_int_equal(mr_eval_fold_rating(&m, &f, threads, &r, &err), MR_OK);
        assert_int_equal(r.n_predictions, 6);
        assert_float_equal(r.rmse, sqrt(34.5 / 6.0), EPS);
        assert_float_equal(r.mae, 13.0 / 6.0, EPS);
        assert_true(r.test_s >= 0.0);
        assert_true(isnan(r.ndcg10));
    }

    /* A ranking-only model (no predict) reports NaN, not zero. */
    struct mr_model_ops no_predict = count_ops;
    no_predict.predict = NULL;
    hand_model(&m, &f, &no_predict);
    struct mr_eval_result r;
    mr_eval_result_clear(&r);
    assert_int_equal(mr_eval_fold_rating(&m, &f, 2, &r, &err), MR_OK);
    assert_true(isnan(r.rmse));
    assert_true(isnan(r.mae));
    assert_int_equal(r.n_predictions, 0);
    mr_fold_free(&f);
}

static void test_run_errors(void **state)
{
    (void)state;
    struct mr_dataset ds;
    memset(&ds, 0, sizeof ds);
    struct mr_eval_result r;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_eval_run(&ds, "foo", 42, "pop", NULL, &r, &err), MR_EUSAGE);
    assert_string_equal(err.msg, "unknown split 'foo': use ml100k, kfold:K, holdout:F, users:F");
    assert_true(isnan(r.ndcg10) && isnan(r.rmse));

    mr_error_clear(&err);
    assert_int_equal(mr_eval_run(&ds, "holdout:0.2", 42, "nosuch", NULL, &r, &err), MR_EUSAGE);
    assert_non_null(strstr(err.msg, "unknown model 'nosuch'"));
}

/* ---- Real runs ----------------------------------------------------------------------------- */

static struct mr_dataset small;

static int load_small(void **state)
{
    (void)state;
    struct mr_error err;
    mr_error_clear(&err);
    if (mr_dataset_load(SMALL_DIR, NULL, &small, &err) != MR_OK) {
        fprintf(stderr, "cannot load %s: %s\n", SMALL_DIR, err.msg);
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

static void run_ok(const struct mr_dataset *ds, const char *split, const char *algo,
                   const struct mr_eval_opts *opts, struct mr_eval_result *r)
{
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_eval_run_opts(ds, split, 42, algo, NULL, opts, r, &err);
    if (rc != MR_OK)
        fail_msg("eval %s on %s: %s", algo, split, err.msg);
}

/* Popularity on the protocol's holdout: the split's own counts, and NDCG@10 in a sane range
 * around the protocol's popularity figure (0.1547; our pop scores differently). */
static void test_pop_holdout(void **state)
{
    (void)state;
    struct mr_eval_result r;
    run_ok(&small, "holdout:0.2", "pop", NULL, &r);
    print_message("pop holdout:0.2: NDCG@10 %.4f P@10 %.4f HR@10 %.4f R@10 %.4f cov@10 %.4f "
                  "fit %.3fs rank %.3fs\n",
                  r.ndcg10, r.p10, r.hr10, r.r10, r.cov10, r.fit_s, r.rank_s);
    assert_int_equal(r.kind, MR_EVAL_TOPN);
    assert_int_equal(r.n_folds, 1);
    assert_int_equal(r.n_train, 80672);
    assert_int_equal(r.n_test, 20164);
    assert_int_equal(r.n_users, 601);
    assert_true(r.ndcg10 > 0.10 && r.ndcg10 < 0.25);
    assert_true(r.p10 > 0.05 && r.p10 < 0.25);
    assert_true(r.hr10 > r.p10 && r.hr10 <= 1.0);
    assert_true(r.p5 >= 0.0 && r.r10 > 0.0 && r.r10 <= 1.0);
    assert_true(r.cov10 > 0.0 && r.cov10 < 0.5); /* a popularity list is nearly the same for all */
    assert_true(isnan(r.rmse));

    /* One thread or three: the same figures. */
    struct mr_eval_opts one = {.threads = 1}, three = {.threads = 3};
    struct mr_eval_result a, b;
    run_ok(&small, "holdout:0.2", "pop", &one, &a);
    run_ok(&small, "holdout:0.2", "pop", &three, &b);
    assert_true(a.ndcg10 == r.ndcg10 && b.ndcg10 == r.ndcg10);
    assert_true(a.cov10 == r.cov10 && b.cov10 == r.cov10);
    assert_true(a.r10 == r.r10 && b.r10 == r.r10);
}

/* Strong generalisation: the 61 removed users are folded in and scored. */
static void test_pop_users(void **state)
{
    (void)state;
    struct mr_eval_result r;
    run_ok(&small, "users:0.1", "pop", NULL, &r);
    print_message("pop users:0.1: NDCG@10 %.4f P@10 %.4f HR@10 %.4f (%lld users)\n", r.ndcg10,
                  r.p10, r.hr10, (long long)r.n_users);
    assert_int_equal(r.kind, MR_EVAL_TOPN);
    assert_true(r.n_users > 40 && r.n_users <= 61);
    assert_true(r.ndcg10 > 0.0 && r.ndcg10 < 0.5);
    assert_true(r.n_train + r.n_test < small.ratings.n_ratings); /* foldin is neither */
}

/* Rating prediction over five folds: every rating predicted once, a sane RMSE. */
static void test_baseline_kfold(void **state)
{
    (void)state;
    struct mr_eval_result r;
    run_ok(&small, "kfold:5", "baseline", NULL, &r);
    print_message("baseline kfold:5: RMSE %.4f MAE %.4f fit %.3fs test %.3fs\n", r.rmse, r.mae,
                  r.fit_s, r.test_s);
    assert_int_equal(r.kind, MR_EVAL_RATING);
    assert_int_equal(r.n_folds, 5);
    assert_int_equal(r.n_predictions, small.ratings.n_ratings);
    assert_int_equal(r.n_test, small.ratings.n_ratings);
    assert_int_equal(r.n_train, 4 * small.ratings.n_ratings);
    assert_true(r.rmse > 0.80 && r.rmse < 0.95);
    assert_true(r.mae > 0.55 && r.mae < r.rmse);
    assert_true(isnan(r.ndcg10));

    /* The top-N metrics can be asked for on any split. */
    struct mr_eval_opts topn = {.kind = MR_EVAL_TOPN};
    run_ok(&small, "kfold:2", "pop", &topn, &r);
    assert_int_equal(r.kind, MR_EVAL_TOPN);
    assert_int_equal(r.n_folds, 2);
    assert_true(r.ndcg10 > 0.0 && r.ndcg10 < 1.0);
}

static void count_progress(void *ctx, const char *stage, double fraction)
{
    int *calls = ctx;
    assert_non_null(stage);
    assert_true(fraction >= 0.0 && fraction <= 1.0);
    (*calls)++;
}

/* The five canonical folds of the hand-made ml-100k fixture: 4 predictions each. */
static void test_ml100k_fixture(void **state)
{
    (void)state;
    struct mr_dataset ds;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_dataset_load(FOLDS_DIR, NULL, &ds, &err), MR_OK);
    int calls = 0;
    struct mr_eval_opts opts = {.progress = count_progress, .progress_ctx = &calls};
    struct mr_eval_result r;
    run_ok(&ds, "ml100k", "baseline", &opts, &r);
    assert_int_equal(r.n_folds, 5);
    assert_int_equal(r.n_predictions, 20);
    assert_int_equal(r.n_train, 80);
    assert_true(isfinite(r.rmse) && r.rmse > 0.0 && r.rmse <= 4.5);
    assert_true(calls >= 5);
    mr_dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest hand[] = {
        cmocka_unit_test(test_topn_hand_fold),
        cmocka_unit_test(test_rating_hand_fold),
        cmocka_unit_test(test_run_errors),
        cmocka_unit_test(test_ml100k_fixture),
    };
    const struct CMUnitTest real[] = {
        cmocka_unit_test(test_pop_holdout),
        cmocka_unit_test(test_pop_users),
        cmocka_unit_test(test_baseline_kfold),
    };
    int failed = cmocka_run_group_tests_name("eval (hand-made)", hand, NULL, NULL);
    failed += cmocka_run_group_tests_name("eval (ml-latest-small)", real, load_small, free_small);
    return failed;
}
