/* test_topn.c — the bounded-heap top-N: order, ties, exclusions, NaN and short inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include "movierec/topn.h"

static void test_best_first(void **state)
{
    (void)state;
    const float s[6] = {0.5f, 3.0f, -1.0f, 2.0f, 10.0f, 1.0f};
    struct mr_scored out[3];
    assert_int_equal(mr_topn(s, 6, NULL, 3, out), 3);
    assert_int_equal(out[0].item, 4);
    assert_int_equal(out[1].item, 1);
    assert_int_equal(out[2].item, 3);
    assert_float_equal(out[0].score, 10.0f, 0);
}

static void test_ties_go_to_lower_item(void **state)
{
    (void)state;
    /* Items 5, 2 and 7 tie for first, then 1 and 6 tie.  The heap sees 7 after 2 and 5. */
    const float s[8] = {0, 1, 2, 0, 0, 2, 1, 2};
    struct mr_scored out[4];
    assert_int_equal(mr_topn(s, 8, NULL, 4, out), 4);
    assert_int_equal(out[0].item, 2);
    assert_int_equal(out[1].item, 5);
    assert_int_equal(out[2].item, 7);
    assert_int_equal(out[3].item, 1); /* 1 beats 6 at the same score */
}

static void test_exclusions_nan_and_minus_infinity(void **state)
{
    (void)state;
    const float s[6] = {NAN, 5.0f, -INFINITY, 4.0f, INFINITY, 1.0f};
    const uint8_t excl[6] = {0, 1, 0, 0, 0, 0};
    struct mr_scored out[6];
    int n = mr_topn(s, 6, excl, 6, out);
    assert_int_equal(n, 3); /* 0 (NaN), 1 (excluded), 2 (-inf) are skipped */
    assert_int_equal(out[0].item, 4);
    assert_int_equal(out[1].item, 3);
    assert_int_equal(out[2].item, 5);
}

static void test_n_larger_than_items_and_zero(void **state)
{
    (void)state;
    const float s[3] = {1, 3, 2};
    struct mr_scored out[10];
    assert_int_equal(mr_topn(s, 3, NULL, 10, out), 3);
    assert_int_equal(out[0].item, 1);
    assert_int_equal(out[1].item, 2);
    assert_int_equal(out[2].item, 0);
    assert_int_equal(mr_topn(s, 3, NULL, 0, out), 0);
    assert_int_equal(mr_topn(s, 0, NULL, 5, out), 0);
}

static int cmp_desc(const void *a, const void *b)
{
    const struct mr_scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* Against a full sort of a random vector with many ties. */
static void test_matches_full_sort(void **state)
{
    (void)state;
    enum { N = 5000, TOP = 37 };
    static float s[N];
    static uint8_t excl[N];
    static struct mr_scored all[N], out[TOP];
    srand(7);
    int valid = 0;
    for (int i = 0; i < N; i++) {
        s[i] = (float)(rand() % 50); /* about 100 items per value */
        excl[i] = rand() % 5 == 0;
        if (!excl[i])
            all[valid++] = (struct mr_scored){i, s[i]};
    }
    qsort(all, (size_t)valid, sizeof *all, cmp_desc);
    assert_int_equal(mr_topn(s, N, excl, TOP, out), TOP);
    for (int i = 0; i < TOP; i++) {
        assert_int_equal(out[i].item, all[i].item);
        assert_float_equal(out[i].score, all[i].score, 0);
    }
}

/* Long vectors are scanned in blocks that are skipped when their maximum cannot enter: NaN
 * at a block's start must not hide the rest of the block, and ascending, descending and
 * NaN-laden vectors must give what a full sort gives. */
static void test_blocks_nan_and_order(void **state)
{
    (void)state;
    enum { N = 1000 };
    static float s[N];
    static struct mr_scored all[N], out[N];
    srand(11);
    for (int pattern = 0; pattern < 4; pattern++) {
        for (int i = 0; i < N; i++) {
            if (pattern == 0)
                s[i] = (float)i; /* ascending: every block has a winner */
            else if (pattern == 1)
                s[i] = (float)(N - i); /* descending: every block after the first is skipped */
            else
                s[i] = (float)(rand() % 300);
            if (pattern >= 2 && i % 32 == 0)
                s[i] = NAN; /* a block's first score */
            if (pattern == 3 && rand() % 4 == 0)
                s[i] = rand() % 2 ? NAN : -INFINITY;
        }
        if (pattern >= 2)
            s[N - 9] = 1000.0f; /* the best, right after a block's NaN start in pattern 3 */
        int valid = 0;
        for (int i = 0; i < N; i++)
            if (!isnan(s[i]) && s[i] != -INFINITY)
                all[valid++] = (struct mr_scored){i, s[i]};
        qsort(all, (size_t)valid, sizeof *all, cmp_desc);
        const int tops[] = {1, 7, 64};
        for (int t = 0; t < 3; t++) {
            int n = mr_topn(s, N, NULL, tops[t], out);
            assert_int_equal(n, tops[t] < valid ? tops[t] : valid);
            for (int i = 0; i < n; i++) {
                assert_int_equal(out[i].item, all[i].item);
                assert_float_equal(out[i].score, all[i].score, 0);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_first),
        cmocka_unit_test(test_ties_go_to_lower_item),
        cmocka_unit_test(test_exclusions_nan_and_minus_infinity),
        cmocka_unit_test(test_n_larger_than_items_and_zero),
        cmocka_unit_test(test_matches_full_sort),
        cmocka_unit_test(test_blocks_nan_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
