/* test_metrics.c — rating errors and top-N metrics on tiny cases worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include "movierec/eval.h"

#define EPS 1e-12

static void test_clip(void **state)
{
    (void)state;
    assert_float_equal(mr_clip_stars(6.2), 5.0, EPS);
    assert_float_equal(mr_clip_stars(0.1), 0.5, EPS);
    assert_float_equal(mr_clip_stars(-3.0), 0.5, EPS);
    assert_float_equal(mr_clip_stars(3.3), 3.3, EPS);
    assert_float_equal(mr_clip_stars(0.5), 0.5, EPS);
    assert_float_equal(mr_clip_stars(5.0), 5.0, EPS);
    assert_true(isnan(mr_clip_stars(NAN)));
}

/* truth 4, 2, 5, 1 against predictions 3.5, 2.0, 5.8 (clipped to 5), -1 (clipped to 0.5):
 * errors 0.5, 0, 0, 0.5 -> SSE 0.5, SAE 1.0 over 4 pairs. */
static void test_rmse_mae(void **state)
{
    (void)state;
    struct mr_rating_acc acc = {0};
    assert_true(isnan(mr_rating_acc_rmse(&acc)));
    assert_true(isnan(mr_rating_acc_mae(&acc)));
    mr_rating_acc_add(&acc, 4.0, 3.5);
    mr_rating_acc_add(&acc, 2.0, 2.0);
    mr_rating_acc_add(&acc, 5.0, 5.8);
    mr_rating_acc_add(&acc, 1.0, -1.0);
    assert_int_equal(acc.n, 4);
    assert_float_equal(mr_rating_acc_rmse(&acc), sqrt(0.5 / 4.0), EPS);
    assert_float_equal(mr_rating_acc_mae(&acc), 1.0 / 4.0, EPS);

    /* Merging two halves gives the same as adding everything to one. */
    struct mr_rating_acc a = {0}, b = {0};
    mr_rating_acc_add(&a, 4.0, 3.5);
    mr_rating_acc_add(&a, 2.0, 2.0);
    mr_rating_acc_add(&b, 5.0, 5.8);
    mr_rating_acc_add(&b, 1.0, -1.0);
    mr_rating_acc_merge(&a, &b);
    assert_int_equal(a.n, 4);
    assert_float_equal(mr_rating_acc_rmse(&a), mr_rating_acc_rmse(&acc), EPS);
    assert_float_equal(mr_rating_acc_mae(&a), mr_rating_acc_mae(&acc), EPS);
}

/* Relevant {3, 5, 11}; 11 is not in the list at all (a movie outside the catalog C still
 * counts in |R|).  Hits: item 3 at rank 2, item 5 at rank 9. */
static void test_topn_two_hits(void **state)
{
    (void)state;
    const int32_t top[10] = {7, 3, 9, 1, 4, 8, 2, 6, 5, 0};
    const int32_t rel[3] = {3, 5, 11};
    struct mr_topn_metrics m;
    assert_int_equal(mr_topn_user_metrics(top, 10, rel, 3, &m), 0);
    assert_float_equal(m.p5, 1.0 / 5.0, EPS);
    assert_float_equal(m.p10, 2.0 / 10.0, EPS);
    assert_float_equal(m.r10, 2.0 / 3.0, EPS);
    double dcg = 1.0 / log2(3.0) + 1.0 / log2(10.0);
    double idcg = 1.0 / log2(2.0) + 1.0 / log2(3.0) + 1.0 / log2(4.0);
    assert_float_equal(m.ndcg10, dcg / idcg, EPS);
    assert_float_equal(m.ndcg10, 0.437349, 1e-6); /* 0.931960 / 2.130930 */
    assert_float_equal(m.hr10, 1.0, EPS);
}

static void test_topn_perfect_and_none(void **state)
{
    (void)state;
    const int32_t top[10] = {4, 0, 1, 2, 3, 5, 6, 7, 8, 9};
    const int32_t rel_first[1] = {4};
    struct mr_topn_metrics m;
    assert_int_equal(mr_topn_user_metrics(top, 10, rel_first, 1, &m), 0);
    assert_float_equal(m.ndcg10, 1.0, EPS);
    assert_float_equal(m.p5, 0.2, EPS);
    assert_float_equal(m.p10, 0.1, EPS);
    assert_float_equal(m.r10, 1.0, EPS);
    assert_float_equal(m.hr10, 1.0, EPS);

    const int32_t rel_none[2] = {10, 20};
    assert_int_equal(mr_topn_user_metrics(top, 10, rel_none, 2, &m), 0);
    assert_float_equal(m.p5, 0.0, EPS);
    assert_float_equal(m.p10, 0.0, EPS);
    assert_float_equal(m.r10, 0.0, EPS);
    assert_float_equal(m.ndcg10, 0.0, EPS);
    assert_float_equal(m.hr10, 0.0, EPS);
}

/* |R| = 12 > 10 and every list entry relevant: IDCG is capped at 10 ranks, so NDCG is 1,
 * while R@10 = 10/12. */
static void test_topn_many_relevant(void **state)
{
    (void)state;
    const int32_t top[10] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    const int32_t rel[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    struct mr_topn_metrics m;
    assert_int_equal(mr_topn_user_metrics(top, 10, rel, 12, &m), 0);
    assert_float_equal(m.ndcg10, 1.0, EPS);
    assert_float_equal(m.p5, 1.0, EPS);
    assert_float_equal(m.p10, 1.0, EPS);
    assert_float_equal(m.r10, 10.0 / 12.0, EPS);
}

/* A list shorter than 10 (few candidates) still divides P@10 by 10; a hit at rank 3 of 3. */
static void test_topn_short_list(void **state)
{
    (void)state;
    const int32_t top[3] = {2, 0, 1};
    const int32_t rel[2] = {1, 6};
    struct mr_topn_metrics m;
    assert_int_equal(mr_topn_user_metrics(top, 3, rel, 2, &m), 0);
    assert_float_equal(m.p5, 1.0 / 5.0, EPS);
    assert_float_equal(m.p10, 1.0 / 10.0, EPS);
    assert_float_equal(m.r10, 1.0 / 2.0, EPS);
    assert_float_equal(m.ndcg10, (1.0 / log2(4.0)) / (1.0 + 1.0 / log2(3.0)), EPS);
    assert_float_equal(m.hr10, 1.0, EPS);
}

static void test_topn_no_relevant(void **state)
{
    (void)state;
    const int32_t top[2] = {1, 2};
    struct mr_topn_metrics m = {.p5 = 9.0};
    assert_int_equal(mr_topn_user_metrics(top, 2, NULL, 0, &m), -1);
    assert_float_equal(m.p5, 0.0, EPS);
}

/* Lists {1, 2, 5} and {2, 1, 7}: distinct items 1, 2, 5, 7 over a catalog C of 8. */
static void test_coverage(void **state)
{
    (void)state;
    const int32_t lists[6] = {1, 2, 5, 2, 1, 7};
    double cov = -1.0;
    assert_int_equal(mr_coverage(lists, 6, 10, 8, &cov), MR_OK);
    assert_float_equal(cov, 4.0 / 8.0, EPS);
    assert_int_equal(mr_coverage(lists, 0, 10, 8, &cov), MR_OK);
    assert_float_equal(cov, 0.0, EPS);
    assert_int_equal(mr_coverage(lists, 6, 10, 0, &cov), MR_OK);
    assert_true(isnan(cov));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_rmse_mae),
        cmocka_unit_test(test_topn_two_hits),
        cmocka_unit_test(test_topn_perfect_and_none),
        cmocka_unit_test(test_topn_many_relevant),
        cmocka_unit_test(test_topn_short_list),
        cmocka_unit_test(test_topn_no_relevant),
        cmocka_unit_test(test_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
