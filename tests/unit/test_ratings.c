/* test_ratings.c — building the rating matrix from triples: ids, order, duplicates, stats. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "../../src/engine/loaders.h" /* white box: appending one builder to another */

static void test_stars_to_half(void **state)
{
    (void)state;
    assert_int_equal(mr_stars_to_half(0.5), 1);
    assert_int_equal(mr_stars_to_half(3.5), 7);
    assert_int_equal(mr_stars_to_half(5.0), 10);
    assert_int_equal(mr_stars_to_half(0.0), 0);
    assert_int_equal(mr_stars_to_half(5.5), 0);
    assert_int_equal(mr_stars_to_half(3.3), 0);
    assert_int_equal(mr_stars_to_half(-1.0), 0);
    assert_int_equal(mr_stars_to_half(NAN), 0);
}

/* Every CSR entry has its CSC twin and the other way round, both sorted. */
static void assert_layouts_agree(const struct mr_ratings *r)
{
    assert_int_equal(r->user_ptr[r->n_users], r->n_ratings);
    assert_int_equal(r->item_ptr[r->n_items], r->n_ratings);
    for (int32_t u = 0; u < r->n_users; u++) {
        for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++) {
            if (p > r->user_ptr[u])
                assert_true(r->user_items[p - 1] < r->user_items[p]);
            int32_t item = r->user_items[p];
            int found = 0;
            for (int64_t q = r->item_ptr[item]; q < r->item_ptr[item + 1]; q++) {
                if (q > r->item_ptr[item])
                    assert_true(r->item_users[q - 1] < r->item_users[q]);
                if (r->item_users[q] == u) {
                    assert_int_equal(r->item_vals[q], r->user_vals[p]);
                    found++;
                }
            }
            assert_int_equal(found, 1);
        }
    }
}

static void test_build_small(void **state)
{
    (void)state;
    struct mr_ratings_builder b = {0};
    /* userIds out of order and sparse; items 0..3 of a 5-movie catalog */
    assert_int_equal(mr_ratings_builder_add(&b, 42, 2, 8), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 7, 0, 10), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 42, 0, 6), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 7, 3, 1), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 1000, 2, 5), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 42, 2, 4), MR_OK); /* duplicate: 4 wins */
    assert_int_equal(mr_ratings_builder_add(&b, 7, 3, 9), MR_OK);  /* duplicate: 9 wins */
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, 5, &r), MR_OK);
    assert_null(b.user_ids); /* the builder was consumed */
    assert_int_equal(b.n, 0);

    assert_int_equal(r.n_users, 3);
    assert_int_equal(r.n_items, 5);
    assert_int_equal(r.n_ratings, 5);
    assert_int_equal(r.user_ids[0], 7);
    assert_int_equal(r.user_ids[1], 42);
    assert_int_equal(r.user_ids[2], 1000);
    assert_int_equal(mr_ratings_find_user(&r, 7), 0);
    assert_int_equal(mr_ratings_find_user(&r, 42), 1);
    assert_int_equal(mr_ratings_find_user(&r, 1000), 2);
    assert_int_equal(mr_ratings_find_user(&r, 8), -1);
    assert_int_equal(mr_ratings_find_user(&r, 0), -1);

    assert_int_equal(mr_ratings_get(&r, 0, 0), 10);
    assert_int_equal(mr_ratings_get(&r, 0, 3), 9);
    assert_int_equal(mr_ratings_get(&r, 1, 2), 4);
    assert_int_equal(mr_ratings_get(&r, 1, 0), 6);
    assert_int_equal(mr_ratings_get(&r, 2, 2), 5);
    assert_int_equal(mr_ratings_get(&r, 2, 0), 0);
    assert_int_equal(mr_ratings_get(&r, 1, 4), 0);
    assert_int_equal(mr_ratings_get(&r, 3, 0), 0);

    /* item 0: 10 and 6 -> 4.0 stars; item 2: 4 and 5 -> 2.25; item 3: 9 -> 4.5 */
    assert_int_equal(r.item_count[0], 2);
    assert_int_equal(r.item_count[1], 0);
    assert_int_equal(r.item_count[2], 2);
    assert_int_equal(r.item_count[3], 1);
    assert_int_equal(r.item_count[4], 0);
    assert_float_equal(r.item_mean[0], 4.0, 1e-6);
    assert_float_equal(r.item_mean[1], 0.0, 1e-6);
    assert_float_equal(r.item_mean[2], 2.25, 1e-6);
    assert_float_equal(r.item_mean[3], 4.5, 1e-6);
    assert_float_equal(r.global_mean, (10 + 6 + 4 + 5 + 9) / 10.0, 1e-9);
    assert_layouts_agree(&r);
    mr_ratings_free(&r);
    assert_null(r.user_ptr);
}

static void test_build_empty(void **state)
{
    (void)state;
    struct mr_ratings_builder b = {0};
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, 3, &r), MR_OK);
    assert_int_equal(r.n_users, 0);
    assert_int_equal(r.n_ratings, 0);
    assert_int_equal(r.n_items, 3);
    assert_int_equal(r.item_ptr[3], 0);
    assert_int_equal(r.item_count[2], 0);
    assert_float_equal(r.global_mean, 0.0, 0);
    assert_int_equal(mr_ratings_find_user(&r, 1), -1);
    mr_ratings_free(&r);
}

static void test_build_sparse_ids(void **state)
{
    (void)state;
    /* ids too large for a direct table, and a negative one, go through the hash map */
    struct mr_ratings_builder b = {0};
    const int32_t ids[] = {2000000000, -5, 123456789, 2000000000, 17};
    for (int i = 0; i < 5; i++)
        assert_int_equal(mr_ratings_builder_add(&b, ids[i], i % 2, (uint8_t)(i + 1)), MR_OK);
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, 2, &r), MR_OK);
    assert_int_equal(r.n_users, 4);
    assert_int_equal(r.user_ids[0], -5);
    assert_int_equal(r.user_ids[1], 17);
    assert_int_equal(r.user_ids[2], 123456789);
    assert_int_equal(r.user_ids[3], 2000000000);
    int32_t big = mr_ratings_find_user(&r, 2000000000);
    assert_int_equal(big, 3);
    assert_int_equal(mr_ratings_get(&r, big, 0), 1); /* i = 0 */
    assert_int_equal(mr_ratings_get(&r, big, 1), 4); /* i = 3 */
    assert_layouts_agree(&r);
    mr_ratings_free(&r);
}

/* A random matrix with many duplicates, checked against a dense reference. */
static void test_build_random_against_dense(void **state)
{
    (void)state;
    enum { USERS = 60, ITEMS = 45, N = 5000 };
    static uint8_t dense[USERS][ITEMS];
    memset(dense, 0, sizeof dense);
    struct mr_ratings_builder b = {0};
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        int u = (int)((seed >> 8) % USERS);
        seed = seed * 1103515245u + 12345u;
        int item = (int)((seed >> 8) % ITEMS);
        uint8_t v = (uint8_t)(1 + (seed >> 20) % 10);
        dense[u][item] = v;
        /* userIds 10, 13, 16, ...: gaps between ids */
        assert_int_equal(mr_ratings_builder_add(&b, 10 + 3 * u, item, v), MR_OK);
    }
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, ITEMS, &r), MR_OK);
    int64_t expect_n = 0, expect_sum = 0;
    int users_seen = 0;
    for (int u = 0; u < USERS; u++) {
        int any = 0;
        for (int i = 0; i < ITEMS; i++) {
            if (dense[u][i]) {
                any = 1;
                expect_n++;
                expect_sum += dense[u][i];
            }
        }
        users_seen += any;
        int32_t idx = mr_ratings_find_user(&r, 10 + 3 * u);
        if (!any) {
            assert_int_equal(idx, -1);
            continue;
        }
        for (int i = 0; i < ITEMS; i++)
            assert_int_equal(mr_ratings_get(&r, idx, i), dense[u][i]);
    }
    assert_int_equal(r.n_users, users_seen);
    assert_int_equal(r.n_ratings, expect_n);
    assert_float_equal(r.global_mean, (double)expect_sum / (2.0 * (double)expect_n), 1e-9);
    for (int i = 0; i < ITEMS; i++) {
        int count = 0, sum = 0;
        for (int u = 0; u < USERS; u++)
            if (dense[u][i]) {
                count++;
                sum += dense[u][i];
            }
        assert_int_equal(r.item_count[i], count);
        assert_float_equal(r.item_mean[i], count ? sum / (2.0 * count) : 0.0, 1e-5);
    }
    assert_layouts_agree(&r);
    mr_ratings_free(&r);
}

/* Sorted input (the order of MovieLens files) takes a shortcut; it must give the same
 * matrix as the same triples in another order. */
static void test_build_sorted_matches_unsorted(void **state)
{
    (void)state;
    enum { USERS = 40, ITEMS = 30 };
    struct mr_ratings_builder sorted = {0}, reversed = {0};
    int64_t n = 0;
    for (int u = 0; u < USERS; u++)
        for (int i = (u * 7) % 5; i < ITEMS; i += 1 + (u + i) % 4) {
            assert_int_equal(
                mr_ratings_builder_add(&sorted, 100 + 2 * u, i, (uint8_t)(1 + (u + i) % 10)),
                MR_OK);
            n++;
        }
    for (int64_t k = n - 1; k >= 0; k--)
        assert_int_equal(
            mr_ratings_builder_add(&reversed, sorted.user_ids[k], sorted.items[k], sorted.vals[k]),
            MR_OK);
    struct mr_ratings a, b;
    assert_int_equal(mr_ratings_build(&sorted, ITEMS, &a), MR_OK);
    assert_int_equal(mr_ratings_build(&reversed, ITEMS, &b), MR_OK);
    assert_int_equal(a.n_ratings, n);
    assert_int_equal(b.n_ratings, n);
    assert_int_equal(a.n_users, USERS);
    assert_memory_equal(a.user_ids, b.user_ids, (size_t)USERS * sizeof *a.user_ids);
    assert_memory_equal(a.user_ptr, b.user_ptr, (size_t)(USERS + 1) * sizeof *a.user_ptr);
    assert_memory_equal(a.user_items, b.user_items, (size_t)n * sizeof *a.user_items);
    assert_memory_equal(a.user_vals, b.user_vals, (size_t)n);
    assert_memory_equal(a.item_ptr, b.item_ptr, (size_t)(ITEMS + 1) * sizeof *a.item_ptr);
    assert_memory_equal(a.item_users, b.item_users, (size_t)n * sizeof *a.item_users);
    assert_memory_equal(a.item_vals, b.item_vals, (size_t)n);
    assert_memory_equal(a.item_count, b.item_count, (size_t)ITEMS * sizeof *a.item_count);
    assert_layouts_agree(&a);
    mr_ratings_free(&a);
    mr_ratings_free(&b);
}

/* Appending copies in slices of 2^20 from the end: more than two slices, order kept. */
static void test_builder_append(void **state)
{
    (void)state;
    struct mr_ratings_builder a = {0}, b = {0};
    assert_int_equal(mr_ratings_builder_add(&a, 7, 1, 3), MR_OK);
    const int64_t n = (2 << 20) + 12345;
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(mr_ratings_builder_add(&b, (int32_t)(i / 100), (int32_t)(i % 1000),
                                                (uint8_t)(1 + i % 10)),
                         MR_OK);
    assert_int_equal(mr_ratings_builder_append(&a, &b), MR_OK);
    assert_null(b.items);
    assert_int_equal(b.n, 0);
    assert_int_equal(a.n, n + 1);
    assert_int_equal(a.user_ids[0], 7);
    for (int64_t i = 0; i < n; i++) {
        assert_int_equal(a.user_ids[1 + i], i / 100);
        assert_int_equal(a.items[1 + i], i % 1000);
        assert_int_equal(a.vals[1 + i], 1 + i % 10);
    }
    mr_ratings_builder_free(&a);
}

static void test_builder_free(void **state)
{
    (void)state;
    struct mr_ratings_builder b = {0};
    for (int i = 0; i < 10000; i++)
        assert_int_equal(mr_ratings_builder_add(&b, i, 0, 5), MR_OK);
    assert_int_equal(b.n, 10000);
    assert_true(b.cap >= 10000);
    mr_ratings_builder_free(&b);
    assert_null(b.items);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stars_to_half),
        cmocka_unit_test(test_build_small),
        cmocka_unit_test(test_build_empty),
        cmocka_unit_test(test_build_sparse_ids),
        cmocka_unit_test(test_build_random_against_dense),
        cmocka_unit_test(test_build_sorted_matches_unsorted),
        cmocka_unit_test(test_builder_append),
        cmocka_unit_test(test_builder_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
