/* test_session_models.c — the session with each single model instead of the hybrid (small
 * parameters, ml-latest-small): recommendations skip rated films and carry a reason, similar
 * films never include the film itself, predictions stay in the rating range, and a session
 * reopened from the model cache and the profile recommends exactly what it did before. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/session.h"

#define DATA "data/ml-latest-small"
#define TOP  8

static char tmpdir[64];

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_session_models.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Small, quick parameters for algo. */
static struct mr_params small_params(const char *algo)
{
    struct mr_params p;
    mr_params_default(algo, &p);
    p.factors = 8;
    p.epochs = 3;
    p.neighbors = 20;
    p.threads = 1;
    return p;
}

static struct mr_session *open_prepared(const char *algo, const struct mr_params *p,
                                        const char *profile, const char *cache)
{
    struct mr_session_opts o = {
        .data_dir = DATA, .profile_path = profile, .cache_dir = cache, .algo = algo, .params = p};
    struct mr_session *s = NULL;
    struct mr_error err;
    int rc = mr_session_open(&o, &s, &err);
    if (rc != MR_OK)
        fail_msg("%s: open: %s", algo, err.msg);
    rc = mr_session_prepare(s, &err);
    if (rc != MR_OK)
        fail_msg("%s: prepare: %s", algo, err.msg);
    return s;
}

static int32_t item_of(const struct mr_session *s, int32_t movie_id)
{
    int32_t item = mr_catalog_find(&mr_session_dataset(s)->catalog, movie_id);
    assert_true(item >= 0);
    return item;
}

/* One model through the whole session. */
static void check_model(const char *algo)
{
    char profile[128], cache[128];
    snprintf(profile, sizeof profile, "%s/%s.csv", tmpdir, algo);
    snprintf(cache, sizeof cache, "%s/cache-%s", tmpdir, algo);
    struct mr_params p = small_params(algo);
    struct mr_session *s = open_prepared(algo, &p, profile, cache);
    assert_string_equal(mr_session_model(s)->ops->name, algo);
    assert_non_null(mr_session_search(s));
    struct mr_error err;

    /* Toy Story, Toy Story 2 and Star Wars loved; Pulp Fiction disliked */
    int32_t toy = item_of(s, 1), toy2 = item_of(s, 3114), wars = item_of(s, 260),
            pulp = item_of(s, 296);
    assert_int_equal(mr_session_rate(s, toy, 10, &err), MR_OK);
    assert_int_equal(mr_session_rate(s, toy2, 9, &err), MR_OK);
    assert_int_equal(mr_session_rate(s, wars, 10, &err), MR_OK);
    assert_int_equal(mr_session_rate(s, pulp, 2, &err), MR_OK);
    assert_true(mr_session_last_write_ms(s) >= 0);
    /* bad ratings are refused and change nothing */
    assert_int_not_equal(mr_session_rate(s, -1, 5, &err), MR_OK);
    assert_int_not_equal(mr_session_rate(s, toy, 11, &err), MR_OK);
    assert_int_equal(mr_session_user(s)->n, 4);

    struct mr_rec recs[TOP];
    int n = mr_session_recommend(s, TOP, recs);
    assert_int_equal(n, TOP);
    for (int k = 0; k < n; k++) {
        assert_int_equal(mr_session_user(s)->rated[recs[k].item], 0);
        assert_true(recs[k].reason[0] != '\0');
        if (k > 0)
            assert_true(recs[k - 1].score >= recs[k].score);
    }
    /* more than the session keeps ready: computed on demand, the first ones the same */
    enum { MANY = 300 };
    struct mr_rec *many = calloc(MANY, sizeof *many);
    assert_non_null(many);
    assert_int_equal(mr_session_recommend(s, MANY, many), MANY);
    for (int k = 0; k < TOP; k++)
        assert_int_equal(many[k].item, recs[k].item);
    for (int k = 0; k < MANY; k++)
        assert_int_equal(mr_session_user(s)->rated[many[k].item], 0);
    free(many);

    /* similar films: never the film itself, each with a reason, best first */
    struct mr_rec sims[TOP];
    int ns = mr_session_similar(s, toy, TOP, sims);
    assert_true(ns > 0);
    for (int k = 0; k < ns; k++) {
        assert_int_not_equal(sims[k].item, toy);
        assert_true(sims[k].score > 0);
        assert_true(sims[k].reason[0] != '\0');
        if (k > 0)
            assert_true(sims[k - 1].score >= sims[k].score);
    }
    assert_int_equal(mr_session_similar(s, -1, TOP, sims), 0);
    assert_int_equal(mr_session_similar(s, toy, 0, sims), 0);

    /* predictions in range (0 when the model only ranks) */
    double pr = mr_session_predict(s, recs[0].item);
    assert_true(pr == 0.0 || (pr >= 0.5 && pr <= 5.0));

    /* scores: the top recommendation has the highest score among unrated films */
    int32_t n_items = mr_session_dataset(s)->catalog.n_movies;
    float *scores = malloc((size_t)n_items * sizeof *scores);
    assert_non_null(scores);
    assert_int_equal(mr_session_scores(s, scores), 0);
    for (int32_t i = 0; i < n_items; i++)
        if (!mr_session_user(s)->rated[i])
            assert_true(scores[i] <= scores[recs[0].item] + 1e-4f);
    free(scores);

    /* undo the dislike: the user has three ratings again */
    assert_int_equal(mr_session_undo(s, &err), MR_OK);
    assert_int_equal(mr_session_user(s)->rated[pulp], 0);
    int before = mr_session_recommend(s, TOP, recs);
    mr_session_close(s);

    /* reopened: the models come from the cache, the ratings from the profile, and the
     * recommendations are the same films in the same order */
    s = open_prepared(algo, &p, profile, cache);
    assert_int_equal(mr_session_user(s)->n, 3);
    struct mr_rec again[TOP];
    assert_int_equal(mr_session_recommend(s, TOP, again), before);
    for (int k = 0; k < before; k++) {
        assert_int_equal(again[k].item, recs[k].item);
        assert_float_equal(again[k].score, recs[k].score, 1e-4);
        assert_string_equal(again[k].reason, recs[k].reason);
    }
    mr_session_close(s);
}

static void test_pop(void **state)
{
    (void)state;
    check_model("pop");
}

static void test_baseline(void **state)
{
    (void)state;
    check_model("baseline");
}

static void test_userknn(void **state)
{
    (void)state;
    check_model("userknn");
}

static void test_itemknn(void **state)
{
    (void)state;
    check_model("itemknn");
}

static void test_als(void **state)
{
    (void)state;
    check_model("als");
}

static void test_sgd(void **state)
{
    (void)state;
    check_model("sgd");
}

static void test_content(void **state)
{
    (void)state;
    check_model("content");
}

static void test_graph(void **state)
{
    (void)state;
    check_model("graph");
}

static void test_open_errors(void **state)
{
    (void)state;
    struct mr_session *s = NULL;
    struct mr_error err;
    struct mr_session_opts o = {0};
    assert_int_equal(mr_session_open(&o, &s, &err), MR_EUSAGE);
    assert_non_null(strstr(err.msg, "no data directory"));
    /* before prepare there is no model and no scores */
    o.data_dir = DATA;
    o.algo = "pop";
    assert_int_equal(mr_session_open(&o, &s, &err), MR_OK);
    assert_null(mr_session_model(s));
    float one;
    assert_int_equal(mr_session_scores(s, &one), -1);
    mr_session_close(s);
    mr_session_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors), cmocka_unit_test(test_pop),
        cmocka_unit_test(test_baseline),    cmocka_unit_test(test_userknn),
        cmocka_unit_test(test_itemknn),     cmocka_unit_test(test_als),
        cmocka_unit_test(test_sgd),         cmocka_unit_test(test_content),
        cmocka_unit_test(test_graph),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
