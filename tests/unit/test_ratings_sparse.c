/* test_ratings_sparse.c — the rating matrix with many sparse or negative user ids (the hash
 * map with collisions and a grown table, instead of the direct table) and with invalid triples
 * that a caller bug could add (dropped, never stored), checked against what was added. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/ratings.h"

enum { USERS = 3000, ITEMS = 7 };

/* userId of the k-th user: spread over the whole int32 range, negative ones included, so that
 * they can only be mapped through the hash table. */
static int32_t sparse_id(int k)
{
    return (int32_t)((uint32_t)k * 2246822519u) ^ (int32_t)0x5bd1e995;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void test_many_sparse_users(void **state)
{
    (void)state;
    struct mr_ratings_builder b = {0};
    /* each user rates items k % 7 and (k + 3) % 7, in descending user order (not sorted) */
    for (int k = USERS - 1; k >= 0; k--) {
        assert_int_equal(mr_ratings_builder_add(&b, sparse_id(k), k % ITEMS, 1 + k % 10), MR_OK);
        assert_int_equal(
            mr_ratings_builder_add(&b, sparse_id(k), (k + 3) % ITEMS, 1 + (k + 5) % 10), MR_OK);
    }
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, ITEMS, &r), MR_OK);
    assert_null(b.user_ids); /* the builder is consumed */
    assert_int_equal(r.n_users, USERS);
    assert_int_equal(r.n_ratings, 2 * USERS);

    /* user ids ascending: exactly the sorted distinct ids */
    int32_t *sorted = malloc(USERS * sizeof *sorted);
    assert_non_null(sorted);
    for (int k = 0; k < USERS; k++)
        sorted[k] = sparse_id(k);
    qsort(sorted, USERS, sizeof *sorted, cmp_i32);
    for (int k = 1; k < USERS; k++)
        assert_true(sorted[k - 1] < sorted[k]); /* the ids are distinct */
    assert_memory_equal(r.user_ids, sorted, USERS * sizeof *sorted);
    assert_true(r.user_ids[0] < 0);
    free(sorted);

    /* every rating is found where it was put */
    for (int k = 0; k < USERS; k++) {
        int32_t u = mr_ratings_find_user(&r, sparse_id(k));
        assert_true(u >= 0);
        assert_int_equal(r.user_ids[u], sparse_id(k));
        assert_int_equal(mr_ratings_get(&r, u, k % ITEMS), 1 + k % 10);
        assert_int_equal(mr_ratings_get(&r, u, (k + 3) % ITEMS), 1 + (k + 5) % 10);
        assert_int_equal(r.user_ptr[u + 1] - r.user_ptr[u], 2);
    }
    /* by item: each item's column has the users who rated it, ascending */
    int64_t total = 0;
    for (int32_t i = 0; i < ITEMS; i++) {
        for (int64_t p = r.item_ptr[i] + 1; p < r.item_ptr[i + 1]; p++)
            assert_true(r.item_users[p - 1] < r.item_users[p]);
        assert_int_equal(r.item_count[i], r.item_ptr[i + 1] - r.item_ptr[i]);
        total += r.item_count[i];
    }
    assert_int_equal(total, 2 * USERS);
    assert_int_equal(mr_ratings_find_user(&r, 12345), -1);
    mr_ratings_free(&r);
}

static void test_invalid_triples_dropped(void **state)
{
    (void)state;
    struct mr_ratings_builder b = {0};
    /* userIds 1..3; item out of range, negative, half stars 0 and 11 */
    assert_int_equal(mr_ratings_builder_add(&b, 1, 0, 8), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 1, 3, 8), MR_OK);  /* item 3 of 3: out */
    assert_int_equal(mr_ratings_builder_add(&b, 2, -1, 6), MR_OK); /* negative item */
    assert_int_equal(mr_ratings_builder_add(&b, 2, 1, 0), MR_OK);  /* 0 half stars */
    assert_int_equal(mr_ratings_builder_add(&b, 2, 2, 11), MR_OK); /* 5.5 stars */
    assert_int_equal(mr_ratings_builder_add(&b, 3, 2, 10), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 3, 1, 1), MR_OK);
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, 3, &r), MR_OK);
    assert_int_equal(r.n_ratings, 3);
    /* user 2 has nothing valid left, so it is not a user at all */
    assert_int_equal(r.n_users, 2);
    assert_int_equal(mr_ratings_find_user(&r, 2), -1);
    int32_t u3 = mr_ratings_find_user(&r, 3);
    assert_int_equal(u3, 1);
    assert_int_equal(mr_ratings_get(&r, u3, 1), 1);
    assert_int_equal(mr_ratings_get(&r, u3, 2), 10);
    assert_int_equal(r.item_count[0], 1);
    assert_int_equal(r.item_count[1], 1);
    assert_int_equal(r.item_count[2], 1);
    /* means from the valid ratings only: (4 + 0.5 + 5) / 3 stars */
    assert_float_equal(r.global_mean, 9.5 / 3.0, 1e-9);
    assert_float_equal(r.item_mean[2], 5.0, 1e-6);
    /* lookups out of range answer 0 */
    assert_int_equal(mr_ratings_get(&r, -1, 0), 0);
    assert_int_equal(mr_ratings_get(&r, 2, 0), 0);
    assert_int_equal(mr_ratings_get(&r, 0, 2), 0);
    mr_ratings_free(&r);

    /* only invalid triples: an empty matrix over the catalog */
    assert_int_equal(mr_ratings_builder_add(&b, 5, 9, 4), MR_OK);
    assert_int_equal(mr_ratings_build(&b, 4, &r), MR_OK);
    assert_int_equal(r.n_users, 0);
    assert_int_equal(r.n_items, 4);
    assert_int_equal(r.n_ratings, 0);
    assert_int_equal(r.item_ptr[4], 0);
    assert_float_equal(r.global_mean, 0.0, 0.0);
    mr_ratings_free(&r);

    /* a negative catalog size is taken as empty: everything is out of range */
    assert_int_equal(mr_ratings_builder_add(&b, 5, 0, 4), MR_OK);
    assert_int_equal(mr_ratings_build(&b, -3, &r), MR_OK);
    assert_int_equal(r.n_items, 0);
    assert_int_equal(r.n_ratings, 0);
    mr_ratings_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_sparse_users),
        cmocka_unit_test(test_invalid_triples_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
