/* test_tune.c — hyper-parameter tuning (tune.c) on ml-latest-small: the validation fold is cut
 * from the training part alone, tuning never looks at test ratings (a split whose test ratings
 * are poisoned gives the same choices), and the choice is the grid's best on validation. */
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

#define DATA "data/ml-latest-small"

struct fixture {
    struct mr_dataset ds;
    struct mr_fold fold; /* holdout:0.2, seed 42 */
};

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mr_error err;
    struct mr_split_spec spec;
    if (!f || mr_dataset_load(DATA, NULL, &f->ds, &err) != MR_OK ||
        mr_split_parse("holdout:0.2", &spec, &err) != MR_OK ||
        mr_split_fold(&f->ds, &spec, 42, 0, &f->fold, &err) != MR_OK) {
        fprintf(stderr, "setup: %s\n", f ? err.msg : "out of memory");
        return -1;
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    mr_fold_free(&f->fold);
    mr_dataset_free(&f->ds);
    free(f);
    return 0;
}

/* The validation fold partitions the training part: every held-out triple is a training
 * rating, none is a test rating, the sizes add up, and each user with 5+ training ratings
 * gives exactly the holdout rule's share. */
static void test_carve_partitions_the_training_part(void **state)
{
    struct fixture *f = *state;
    const struct mr_ratings *tr = &f->fold.train;
    struct mr_fold v;
    struct mr_error err;
    assert_int_equal(mr_tune_carve(tr, MR_EVAL_TOPN, 7, &v, &err), MR_OK);
    assert_int_equal(v.train.n_ratings + v.test.n, tr->n_ratings);
    assert_int_equal(v.n_users, tr->n_users);
    int64_t at = 0;
    for (int32_t u = 0; u < tr->n_users; u++) {
        int32_t n = (int32_t)(tr->user_ptr[u + 1] - tr->user_ptr[u]), held = 0;
        for (; at < v.test.n && v.test.user_ids[at] == tr->user_ids[u]; at++, held++) {
            int half = mr_ratings_get(tr, u, v.test.items[at]);
            assert_int_equal(half, v.test.vals[at]);
            int32_t vu = mr_ratings_find_user(&v.train, tr->user_ids[u]);
            assert_true(vu < 0 || mr_ratings_get(&v.train, vu, v.test.items[at]) == 0);
        }
        assert_int_equal(held, mr_holdout_n_test(n, 0.2));
    }
    assert_int_equal(at, v.test.n);
    /* No test rating of the outer split is in the validation fold. */
    for (int64_t p = 0, q = 0; p < f->fold.test.n; p++) {
        while (q < v.test.n && (v.test.user_ids[q] < f->fold.test.user_ids[p] ||
                                (v.test.user_ids[q] == f->fold.test.user_ids[p] &&
                                 v.test.items[q] < f->fold.test.items[p])))
            q++;
        assert_false(q < v.test.n && v.test.user_ids[q] == f->fold.test.user_ids[p] &&
                     v.test.items[q] == f->fold.test.items[p]);
    }
    mr_fold_free(&v);

    /* Rating kinds: a fifth of the ratings. */
    assert_int_equal(mr_tune_carve(tr, MR_EVAL_RATING, 7, &v, &err), MR_OK);
    assert_int_equal(v.test.n, tr->n_ratings / 5);
    assert_int_equal(v.train.n_ratings + v.test.n, tr->n_ratings);
    mr_fold_free(&v);
}

/* pop's grid of shrinks (tune.c): the choice is the best of them on the validation fold,
 * measured here independently. */
static void test_choice_is_the_grid_best_on_validation(void **state)
{
    struct fixture *f = *state;
    struct mr_tune_result res;
    struct mr_error err;
    assert_int_equal(
        mr_tune_params(&f->ds.catalog, &f->fold.train, "pop", MR_EVAL_TOPN, 7, 2, &res, &err),
        MR_OK);
    assert_string_equal(res.algo, "pop");
    assert_string_equal(res.metric_name, "ndcg@10");
    assert_true(res.n_tried >= 4);
    struct mr_fold v;
    assert_int_equal(mr_tune_carve(&f->fold.train, MR_EVAL_TOPN, 7, &v, &err), MR_OK);
    static const double grid[] = {0, 3, 10, 30};
    double best = -1, best_shrink = -1, worst = 2;
    for (size_t i = 0; i < sizeof grid / sizeof *grid; i++) {
        struct mr_params p;
        mr_params_default("pop", &p);
        p.shrink = grid[i];
        struct mr_model *m = mr_model_new("pop", &p, &f->ds.catalog, &v.train);
        assert_non_null(m);
        assert_int_equal(mr_model_fit(m, &err), MR_OK);
        struct mr_eval_result r;
        mr_eval_result_clear(&r);
        assert_int_equal(mr_eval_fold_topn(m, &v, 2, &r, &err), MR_OK);
        printf("# pop shrink %g: validation NDCG@10 %.4f\n", grid[i], r.ndcg10);
        if (r.ndcg10 > best) {
            best = r.ndcg10;
            best_shrink = grid[i];
        }
        worst = r.ndcg10 < worst ? r.ndcg10 : worst;
        mr_model_free(m);
    }
    mr_fold_free(&v);
    assert_true(best > worst); /* the grid matters, so the choice says something */
    assert_true(fabs(res.metric - best) < 1e-12);
    assert_true(res.params.shrink == best_shrink);
    char want[64];
    snprintf(want, sizeof want, "shrink=%g", best_shrink);
    assert_string_equal(res.chosen, want);
}

/* Choices heard through mr_eval_opts.tuned. */
struct heard {
    char chosen[4][512];
    double metric[4];
    int n;
};

static void hear(void *ctx, int fold, const struct mr_tune_result *c)
{
    struct heard *h = ctx;
    (void)fold;
    if (h->n < 4) {
        snprintf(h->chosen[h->n], sizeof h->chosen[h->n], "%s", c->chosen);
        h->metric[h->n++] = c->metric;
    }
}

/* A copy of ds whose ratings in the holdout test part of fold are replaced by their mirror
 * image on the star scale (5 <-> 0.5, 4 <-> 1.5, ...).  The holdout split depends only on who
 * rated what, so the poisoned data set splits into the same training part and a test part that
 * says the opposite. */
static void poison(const struct mr_dataset *ds, const struct mr_fold *fold, struct mr_dataset *out)
{
    const struct mr_ratings *r = &ds->ratings;
    struct mr_ratings_builder b = {0};
    int64_t q = 0;
    for (int32_t u = 0; u < r->n_users; u++)
        for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++) {
            int half = r->user_vals[p];
            while (q < fold->test.n && (fold->test.user_ids[q] < r->user_ids[u] ||
                                        (fold->test.user_ids[q] == r->user_ids[u] &&
                                         fold->test.items[q] < r->user_items[p])))
                q++;
            if (q < fold->test.n && fold->test.user_ids[q] == r->user_ids[u] &&
                fold->test.items[q] == r->user_items[p])
                half = 11 - half;
            assert_int_equal(
                mr_ratings_builder_add(&b, r->user_ids[u], r->user_items[p], (uint8_t)half), MR_OK);
        }
    *out = *ds;
    memset(&out->ratings, 0, sizeof out->ratings);
    assert_int_equal(mr_ratings_build(&b, r->n_items, &out->ratings), MR_OK);
}

/* eval --tune on holdout:0.2 for pop and itemknn: the same choices with the true and with the
 * poisoned test ratings, while the test figures differ (the poison is real). */
static void test_poisoned_test_part_gives_the_same_choice(void **state)
{
    struct fixture *f = *state;
    struct mr_dataset bad;
    poison(&f->ds, &f->fold, &bad);
    const char *algos[] = {"pop", "itemknn"};
    for (int a = 0; a < 2; a++) {
        struct heard h1 = {0}, h2 = {0};
        struct mr_eval_opts o1 = {.tune = 1, .tuned = hear, .tuned_ctx = &h1};
        struct mr_eval_opts o2 = {.tune = 1, .tuned = hear, .tuned_ctx = &h2};
        struct mr_eval_result r1, r2;
        struct mr_error err;
        assert_int_equal(
            mr_eval_run_opts(&f->ds, "holdout:0.2", 42, algos[a], NULL, &o1, &r1, &err), MR_OK);
        assert_int_equal(mr_eval_run_opts(&bad, "holdout:0.2", 42, algos[a], NULL, &o2, &r2, &err),
                         MR_OK);
        printf("# %s: chose %s (validation %.4f); test NDCG@10 %.4f, poisoned %.4f\n", algos[a],
               h1.chosen[0], h1.metric[0], r1.ndcg10, r2.ndcg10);
        assert_int_equal(h1.n, 1);
        assert_int_equal(h2.n, 1);
        assert_string_equal(h1.chosen[0], h2.chosen[0]);
        assert_true(h1.metric[0] == h2.metric[0]);
        assert_true(r1.n_train == r2.n_train);
        assert_true(fabs(r1.ndcg10 - r2.ndcg10) > 0.01);
    }
    mr_ratings_free(&bad.ratings);
}

/* Models without a grid keep their defaults and say so. */
static void test_untunable_models_keep_defaults(void **state)
{
    struct fixture *f = *state;
    struct mr_tune_result res;
    struct mr_error err;
    assert_int_equal(
        mr_tune_params(&f->ds.catalog, &f->fold.train, "content", MR_EVAL_TOPN, 7, 2, &res, &err),
        MR_OK);
    assert_non_null(strstr(res.chosen, "defaults"));
    assert_true(isnan(res.metric));
    assert_int_equal(
        mr_tune_params(&f->ds.catalog, &f->fold.train, "graph", MR_EVAL_RATING, 7, 2, &res, &err),
        MR_OK);
    assert_non_null(strstr(res.chosen, "no rating predictions"));
    assert_int_equal(
        mr_tune_params(&f->ds.catalog, &f->fold.train, "nosuch", MR_EVAL_TOPN, 7, 2, &res, &err),
        MR_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_carve_partitions_the_training_part),
        cmocka_unit_test(test_choice_is_the_grid_best_on_validation),
        cmocka_unit_test(test_poisoned_test_part_gives_the_same_choice),
        cmocka_unit_test(test_untunable_models_keep_defaults),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
