/* test_tune_grids.c — the tuning grids of the models with several knobs (tune.c): als, sgd
 * (rating splits), itemknn, userknn, graph (top-N).  On the first 120 users of ml-latest-small,
 * each model's choice names exactly its grid's knobs and is the parameters it names, and it is
 * the best of the grid searched here independently (the defaults first, ties keeping the earlier
 * setting, as tune.c promises), with the same validation figure and the same number of settings
 * fitted.  A knob set in the wrong field, described from another field, or a grid point skipped
 * gives another choice, figure or count. */
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

#define DATA    "data/ml-latest-small"
#define N_USERS 120
#define SEED    5

struct fixture {
    struct mr_dataset ds;
    struct mr_ratings train; /* the ratings of the first N_USERS users */
};

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mr_error err;
    if (!f || mr_dataset_load(DATA, NULL, &f->ds, &err) != MR_OK) {
        fprintf(stderr, "setup: %s\n", f ? err.msg : "out of memory");
        free(f);
        return -1;
    }
    const struct mr_ratings *r = &f->ds.ratings;
    struct mr_ratings_builder b = {0};
    for (int32_t u = 0; u < r->n_users && u < N_USERS; u++)
        for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++)
            if (mr_ratings_builder_add(&b, r->user_ids[u], r->user_items[p], r->user_vals[p]) !=
                MR_OK)
                return -1;
    if (mr_ratings_build(&b, r->n_items, &f->train) != MR_OK)
        return -1;
    mr_ratings_builder_free(&b);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    mr_ratings_free(&f->train);
    mr_dataset_free(&f->ds);
    free(f);
    return 0;
}

/* Sets the field of p that knob names to v; fails the test on an unknown knob. */
static void set_knob(struct mr_params *p, const char *knob, double v)
{
    if (strcmp(knob, "factors") == 0)
        p->factors = (int)v;
    else if (strcmp(knob, "reg") == 0)
        p->reg = v;
    else if (strcmp(knob, "lr") == 0)
        p->lr = v;
    else if (strcmp(knob, "neighbors") == 0)
        p->neighbors = (int)v;
    else if (strcmp(knob, "shrink") == 0)
        p->shrink = v;
    else if (strcmp(knob, "alpha") == 0)
        p->alpha = v;
    else if (strcmp(knob, "beta") == 0)
        p->beta = v;
    else
        fail_msg("unknown knob '%s'", knob);
}

/* The value of the field of p that knob names. */
static double get_knob(const struct mr_params *p, const char *knob)
{
    if (strcmp(knob, "factors") == 0)
        return p->factors;
    if (strcmp(knob, "reg") == 0)
        return p->reg;
    if (strcmp(knob, "lr") == 0)
        return p->lr;
    if (strcmp(knob, "neighbors") == 0)
        return p->neighbors;
    if (strcmp(knob, "shrink") == 0)
        return p->shrink;
    if (strcmp(knob, "alpha") == 0)
        return p->alpha;
    if (strcmp(knob, "beta") == 0)
        return p->beta;
    fail_msg("unknown knob '%s'", knob);
    return NAN;
}

/* Fits algo with p on v's training part and returns its validation figure. */
static double measure(const struct fixture *f, const struct mr_fold *v, const char *algo,
                      const struct mr_params *p, enum mr_eval_kind kind)
{
    struct mr_error err;
    struct mr_model *m = mr_model_new(algo, p, &f->ds.catalog, &v->train);
    assert_non_null(m);
    assert_int_equal(mr_model_fit(m, &err), MR_OK);
    struct mr_eval_result r;
    mr_eval_result_clear(&r);
    if (kind == MR_EVAL_RATING)
        assert_int_equal(mr_eval_fold_rating(m, v, 1, &r, &err), MR_OK);
    else
        assert_int_equal(mr_eval_fold_topn(m, v, 1, &r, &err), MR_OK);
    mr_model_free(m);
    return kind == MR_EVAL_RATING ? r.rmse : r.ndcg10;
}

/* One axis of a grid: a knob and its values (those of tune.c, which its comment promises
 * bracket the model's defaults). */
struct axis {
    const char *knob;
    int n;
    double v[4];
};

/* Tunes algo and checks its choice against the grid axes[0..n_axes) (first axis varying
 * fastest, as tune.c walks it). */
static void check_grid(const struct fixture *f, const char *algo, enum mr_eval_kind kind,
                       const struct axis *axes, int n_axes)
{
    struct mr_tune_result res;
    struct mr_error err;
    mr_error_clear(&err);
    assert_int_equal(mr_tune_params(&f->ds.catalog, &f->train, algo, kind, SEED, 1, &res, &err),
                     MR_OK);
    printf("# %s: %s, validation %s %.4f, %d settings tried\n", algo, res.chosen, res.metric_name,
           res.metric, res.n_tried);
    assert_string_equal(res.algo, algo);
    assert_string_equal(res.metric_name, kind == MR_EVAL_RATING ? "rmse" : "ndcg@10");
    assert_true(isfinite(res.metric));

    /* "knob=value knob=value": the knobs of the grid, in order, each the chosen parameter */
    char chosen[512];
    snprintf(chosen, sizeof chosen, "%s", res.chosen);
    char *save = NULL, *item = strtok_r(chosen, " ", &save);
    for (int a = 0; a < n_axes; a++) {
        assert_non_null(item);
        char *eq = strchr(item, '=');
        assert_non_null(eq);
        *eq = '\0';
        assert_string_equal(item, axes[a].knob);
        double v = strtod(eq + 1, NULL);
        assert_true(fabs(get_knob(&res.params, axes[a].knob) - v) <= 1e-9 * fabs(v));
        item = strtok_r(NULL, " ", &save);
    }
    assert_null(item);

    /* the grid searched here: the defaults first, then every other setting */
    struct mr_fold v;
    assert_int_equal(mr_tune_carve(&f->train, kind, SEED, &v, &err), MR_OK);
    struct mr_params defaults, best;
    mr_params_default(algo, &defaults);
    best = defaults;
    double best_v = measure(f, &v, algo, &defaults, kind);
    int tried = 1, total = 1;
    for (int a = 0; a < n_axes; a++)
        total *= axes[a].n;
    for (int i = 0; i < total; i++) {
        struct mr_params p = defaults;
        int rest = i, same = 1;
        for (int a = 0; a < n_axes; a++) {
            set_knob(&p, axes[a].knob, axes[a].v[rest % axes[a].n]);
            same = same && get_knob(&p, axes[a].knob) == get_knob(&defaults, axes[a].knob);
            rest /= axes[a].n;
        }
        if (same)
            continue;
        double val = measure(f, &v, algo, &p, kind);
        tried++;
        if (kind == MR_EVAL_RATING ? val < best_v - 1e-12 : val > best_v + 1e-12) {
            best_v = val;
            best = p;
        }
    }
    mr_fold_free(&v);
    printf("# %s: best of the grid by hand %.6f\n", algo, best_v);
    assert_int_equal(res.n_tried, tried);
    assert_true(fabs(res.metric - best_v) < 1e-9);
    for (int a = 0; a < n_axes; a++)
        assert_true(get_knob(&res.params, axes[a].knob) == get_knob(&best, axes[a].knob));
}

static void test_als_grid(void **state)
{
    static const struct axis axes[] = {{"factors", 2, {32, 64}}, {"reg", 3, {0.06, 0.12, 0.25}}};
    check_grid(*state, "als", MR_EVAL_RATING, axes, 2);
}

static void test_sgd_grid(void **state)
{
    static const struct axis axes[] = {
        {"factors", 2, {50, 100}}, {"reg", 2, {0.05, 0.1}}, {"lr", 2, {0.01, 0.015}}};
    check_grid(*state, "sgd", MR_EVAL_RATING, axes, 3);
}

static void test_itemknn_grid(void **state)
{
    static const struct axis axes[] = {{"neighbors", 3, {50, 200, 400}}, {"shrink", 2, {50, 200}}};
    check_grid(*state, "itemknn", MR_EVAL_TOPN, axes, 2);
}

static void test_userknn_grid(void **state)
{
    static const struct axis axes[] = {{"neighbors", 3, {20, 50, 100}}, {"shrink", 2, {5, 20}}};
    check_grid(*state, "userknn", MR_EVAL_TOPN, axes, 2);
}

static void test_graph_grid(void **state)
{
    static const struct axis axes[] = {{"alpha", 3, {0.4, 0.6, 0.8}}, {"beta", 3, {0.2, 0.4, 0.6}}};
    check_grid(*state, "graph", MR_EVAL_TOPN, axes, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_als_grid),     cmocka_unit_test(test_sgd_grid),
        cmocka_unit_test(test_itemknn_grid), cmocka_unit_test(test_userknn_grid),
        cmocka_unit_test(test_graph_grid),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
