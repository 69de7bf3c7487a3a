/* test_hybrid.c — the hybrid model on the ml-latest-small holdout split (holdout:0.2, seed 42):
 * fitted weights, the cache round trip, explanations, and the product target: NDCG@10 of at
 * least 0.25 and above every single model it blends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/cache.h"
#include "movierec/dataset.h"
#include "movierec/eval.h"
#include "movierec/hybrid.h"

#define DATA "data/ml-latest-small"

struct fixture {
    struct mr_dataset ds;
    struct mr_fold fold;
    struct mr_model *hybrid;
};

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mr_error err;
    struct mr_split_spec spec;
    if (mr_dataset_load(DATA, NULL, &f->ds, &err) != MR_OK ||
        mr_split_parse("holdout:0.2", &spec, &err) != MR_OK ||
        mr_split_fold(&f->ds, &spec, 42, 0, &f->fold, &err) != MR_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    f->hybrid = mr_model_new("hybrid", NULL, &f->ds.catalog, &f->fold.train);
    if (!f->hybrid || mr_model_fit(f->hybrid, &err) != MR_OK) {
        fprintf(stderr, "fit: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    mr_model_free(f->hybrid);
    mr_fold_free(&f->fold);
    mr_dataset_free(&f->ds);
    free(f);
    return 0;
}

static void test_buckets(void **state)
{
    (void)state;
    assert_int_equal(mr_hybrid_bucket(0), 0);
    assert_int_equal(mr_hybrid_bucket(1), 1);
    assert_int_equal(mr_hybrid_bucket(4), 1);
    assert_int_equal(mr_hybrid_bucket(5), 2);
    assert_int_equal(mr_hybrid_bucket(19), 2);
    assert_int_equal(mr_hybrid_bucket(20), 3);
    assert_int_equal(mr_hybrid_bucket(5000), 3);
}

/* The tuner's own measurements: the weights it keeps are at least as good on validation as
 * the best single component (it starts there and only accepts improvements), they are
 * proper, and tuning does not depend on the thread count. */
static void test_tuning_report(void **state)
{
    struct fixture *f = *state;
    struct mr_hybrid_report rep, rep2;
    struct mr_error err;
    f->hybrid->params.threads = 1;
    assert_int_equal(mr_hybrid_tune(f->hybrid, &f->fold.train, &rep, &err), MR_OK);
    f->hybrid->params.threads = 2;
    assert_int_equal(mr_hybrid_tune(f->hybrid, &f->fold.train, &rep2, &err), MR_OK);
    assert_int_equal(rep.n_components, mr_hybrid_n_components(f->hybrid));
    assert_true(rep.n_components >= 2);
    for (int b = 0; b < MR_HYBRID_BUCKETS; b++) {
        assert_true(rep.n_cases[b] > 100);
        double sum = 0, best_single = 0;
        for (int c = 0; c < rep.n_components; c++) {
            assert_true(rep.weights[b][c] >= 0);
            sum += rep.weights[b][c];
            if (rep.single_ndcg[b][c] > best_single)
                best_single = rep.single_ndcg[b][c];
            assert_true(rep.weights[b][c] == rep2.weights[b][c]);
        }
        assert_true(fabs(sum - 1) < 1e-9);
        assert_true(rep.blend_ndcg[b] >= best_single - 1e-12);
        assert_true(rep.blend_ndcg[b] == rep2.blend_ndcg[b]);
    }
    /* More known ratings, better lists: the personal buckets beat the empty profile. */
    assert_true(rep.blend_ndcg[3] > rep.blend_ndcg[0]);
    /* The least-squares rating blend is no worse than its best input on the same data. */
    double best_rmse = INFINITY;
    for (int c = 0; c < rep.n_components; c++)
        if (!isnan(rep.single_rmse[c]) && rep.single_rmse[c] < best_rmse)
            best_rmse = rep.single_rmse[c];
    assert_true(rep.n_pairs > 1000);
    assert_true(rep.blend_rmse <= best_rmse + 1e-3);
    double best_sim = 0;
    for (int c = 0; c < rep.n_components; c++)
        if (!isnan(rep.sim_single_ndcg[c]) && rep.sim_single_ndcg[c] > best_sim)
            best_sim = rep.sim_single_ndcg[c];
    assert_true(rep.n_sim_cases > 100);
    assert_true(rep.sim_blend_ndcg >= best_sim - 1e-12);
}

/* The product target on the holdout protocol. */
static void test_holdout_beats_every_component(void **state)
{
    struct fixture *f = *state;
    struct mr_eval_result hyb, one;
    struct mr_error err;
    mr_eval_result_clear(&hyb);
    assert_int_equal(mr_eval_fold_topn(f->hybrid, &f->fold, 2, &hyb, &err), MR_OK);
    assert_int_equal(hyb.n_users, 601);
    assert_true(hyb.ndcg10 >= 0.25);
    for (int c = 0; c < mr_hybrid_n_components(f->hybrid); c++) {
        const struct mr_model *cm = mr_hybrid_component(f->hybrid, c);
        mr_eval_result_clear(&one);
        assert_int_equal(mr_eval_fold_topn(cm, &f->fold, 2, &one, &err), MR_OK);
        printf("# %-9s NDCG@10 %.4f (hybrid %.4f)\n", cm->ops->name, one.ndcg10, hyb.ndcg10);
        assert_true(hyb.ndcg10 > one.ndcg10);
    }
}

/* A data-set user's state, scores and explanation. */
static void test_explain_names_a_component_reason(void **state)
{
    struct fixture *f = *state;
    const struct mr_model *m = f->hybrid;
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, f->fold.train.n_items), MR_OK);
    assert_int_equal(mr_user_load_row(&u, &f->fold.train, 0), MR_OK);
    void *st = mr_model_user_from(m, &u);
    assert_non_null(st);
    int32_t n = f->fold.train.n_items;
    float *scores = malloc((size_t)n * sizeof *scores);
    m->ops->score(m, st, &u, scores);
    int32_t best = -1;
    for (int32_t i = 0; i < n; i++)
        if (!u.rated[i] && (best < 0 || scores[i] > scores[best]))
            best = i;
    char why[192], alt[192];
    assert_int_equal(m->ops->explain(m, st, &u, best, why, sizeof why), 1);
    assert_true(why[0] != '\0');
    /* The line is one of the components' own explanations of that film. */
    int matched = 0;
    for (int c = 0; c < mr_hybrid_n_components(m) && !matched; c++) {
        const struct mr_model *cm = mr_hybrid_component(m, c);
        if (!cm->ops->explain)
            continue;
        void *cs = mr_model_user_from(cm, &u);
        if (cm->ops->explain(cm, cs, &u, best, alt, sizeof alt))
            matched = strcmp(alt, why) == 0;
        cm->ops->user_free(cm, cs);
    }
    assert_true(matched);
    m->ops->user_free(m, st);
    free(scores);
    mr_user_free(&u);
}

/* Saved and loaded through the cache, the hybrid scores and predicts exactly the same. */
static void test_cache_round_trip(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/mr-hybrid-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    mr_cache_path(dir, "hybrid", 77, path, sizeof path);
    struct mr_error err;
    assert_int_equal(mr_cache_save(f->hybrid, path, 77, &err), MR_OK);
    struct mr_model *m = mr_model_new("hybrid", NULL, &f->ds.catalog, &f->fold.train);
    enum mr_cache_state cs;
    int rc = mr_cache_load(m, path, 77, &cs, &err);
    if (rc != MR_OK)
        fprintf(stderr, "load: %s\n", err.msg);
    assert_int_equal(rc, MR_OK);
    unlink(path);
    rmdir(dir);

    struct mr_user u;
    assert_int_equal(mr_user_init(&u, f->fold.train.n_items), MR_OK);
    assert_int_equal(mr_user_load_row(&u, &f->fold.train, 5), MR_OK);
    int32_t n = f->fold.train.n_items;
    float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    void *sa = mr_model_user_from(f->hybrid, &u), *sb = mr_model_user_from(m, &u);
    f->hybrid->ops->score(f->hybrid, sa, &u, a);
    m->ops->score(m, sb, &u, b);
    assert_memory_equal(a, b, (size_t)n * sizeof *a);
    for (int32_t i = 0; i < n; i += 97)
        assert_true(f->hybrid->ops->predict(f->hybrid, sa, &u, i) == m->ops->predict(m, sb, &u, i));
    int32_t toy = mr_catalog_find(&f->ds.catalog, 1);
    assert_int_equal(f->hybrid->ops->similar(f->hybrid, toy, a), 0);
    assert_int_equal(m->ops->similar(m, toy, b), 0);
    assert_memory_equal(a, b, (size_t)n * sizeof *a);
    f->hybrid->ops->user_free(f->hybrid, sa);
    m->ops->user_free(m, sb);
    mr_model_free(m);
    free(a);
    free(b);
    mr_user_free(&u);
}

/* The score of a user changes with a rating and comes back when it is taken back. */
static void test_update_and_take_back(void **state)
{
    struct fixture *f = *state;
    const struct mr_model *m = f->hybrid;
    int32_t n = f->fold.train.n_items;
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, n), MR_OK);
    assert_int_equal(mr_user_load_row(&u, &f->fold.train, 10), MR_OK);
    void *st = mr_model_user_from(m, &u);
    float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    m->ops->score(m, st, &u, a);
    int32_t item = mr_catalog_find(&f->ds.catalog, 2571);
    int old = u.rated[item], now = old == 10 ? 1 : 10;
    mr_user_set(&u, item, now, NULL);
    m->ops->user_update(m, st, &u, item, old, now);
    m->ops->score(m, st, &u, b);
    int changed = 0;
    for (int32_t i = 0; i < n; i++)
        changed += a[i] != b[i];
    assert_true(changed > 0);
    mr_user_set(&u, item, old, NULL);
    m->ops->user_update(m, st, &u, item, now, old);
    m->ops->score(m, st, &u, b);
    for (int32_t i = 0; i < n; i++)
        assert_true(fabsf(a[i] - b[i]) <= 1e-3f * (1 + fabsf(a[i])));
    m->ops->user_free(m, st);
    free(a);
    free(b);
    mr_user_free(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_holdout_beats_every_component),
        cmocka_unit_test(test_explain_names_a_component_reason),
        cmocka_unit_test(test_cache_round_trip),
        cmocka_unit_test(test_update_and_take_back),
        cmocka_unit_test(test_tuning_report),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
