/* test_model_registry.c — the calls every model shares (model.c), one person's ratings in
 * memory (user.c) and error values (error.c): the registry and its defaults, replaying a user's
 * ratings into a model state, unloading a model and releasing its backing exactly once, the
 * edits of struct mr_user, and how an error is formatted. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/model.h"
#include "movierec/ratings.h"
#include "movierec/user.h"

/* ---- the registry ---- */

static void test_registry_order_and_lookup(void **state)
{
    (void)state;
    static const char *const names[] = {"pop", "baseline", "userknn", "itemknn", "als",
                                        "sgd", "content",  "graph",   "hybrid"};
    const struct mr_model_ops *const *all = mr_model_ops_all();
    size_t n = 0;
    while (all[n])
        n++;
    assert_int_equal(n, sizeof names / sizeof *names);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(all[i]->name, names[i]);
        assert_ptr_equal(mr_model_ops_find(names[i]), all[i]);
        assert_non_null(all[i]->description);
        /* every model can be created unfitted, and freed */
        struct mr_model *m = mr_model_new(names[i], NULL, NULL, NULL);
        assert_non_null(m);
        assert_ptr_equal(m->ops, all[i]);
        assert_null(m->impl);
        mr_model_free(m);
    }
    assert_null(mr_model_ops_find("svd"));
    assert_null(mr_model_ops_find(""));
    assert_null(mr_model_ops_find("POP")); /* names are exact */
    assert_null(mr_model_new("svd", NULL, NULL, NULL));
    mr_model_free(NULL); /* fine */
}

static void test_params_defaults(void **state)
{
    (void)state;
    struct mr_params p;
    memset(&p, 0xAB, sizeof p);
    /* an unknown name gets the generic defaults, every field set */
    mr_params_default("no-such-model", &p);
    assert_int_equal(p.factors, 64);
    assert_int_equal(p.epochs, 15);
    assert_float_equal(p.reg, 0.05, 1e-12);
    assert_float_equal(p.lr, 0.005, 1e-12);
    assert_int_equal(p.neighbors, 50);
    assert_float_equal(p.shrink, 100, 1e-12);
    assert_float_equal(p.alpha, 1.0, 1e-12);
    assert_float_equal(p.beta, 0.5, 1e-12);
    assert_int_equal(p.threads, 0);
    assert_int_equal(p.seed, 42);

    /* params NULL = the model's own defaults; given params are copied as they are */
    struct mr_params als;
    mr_params_default("als", &als);
    struct mr_model *m = mr_model_new("als", NULL, NULL, NULL);
    assert_non_null(m);
    assert_memory_equal(&m->params, &als, sizeof als);
    mr_model_free(m);
    als.factors = 3;
    als.seed = 7;
    m = mr_model_new("als", &als, NULL, NULL);
    assert_non_null(m);
    assert_int_equal(m->params.factors, 3);
    assert_int_equal(m->params.seed, 7);
    mr_model_free(m);
}

/* ---- a fitted model: replaying a user, unloading ---- */

/* 4 users x 5 items; user 4 loves what the others like. */
static void small_ratings(struct mr_ratings *r)
{
    struct mr_ratings_builder b = {0};
    const int rows[][3] = {{1, 0, 10}, {1, 1, 8}, {1, 2, 2}, {2, 0, 9}, {2, 1, 7},
                           {2, 3, 4},  {3, 0, 8}, {3, 2, 3}, {3, 4, 6}, {4, 1, 10}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        assert_int_equal(mr_ratings_builder_add(&b, rows[i][0], rows[i][1], (uint8_t)rows[i][2]),
                         MR_OK);
    assert_int_equal(mr_ratings_build(&b, 5, r), MR_OK);
}

static int released;
static void count_release(void *backing)
{
    assert_ptr_equal(backing, &released);
    released++;
}

static void test_user_from_and_unload(void **state)
{
    (void)state;
    struct mr_ratings r;
    small_ratings(&r);
    struct mr_error err;
    struct mr_model *m = mr_model_new("baseline", NULL, NULL, &r);
    assert_non_null(m);
    assert_int_equal(mr_model_fit(m, &err), MR_OK);
    assert_non_null(m->impl);

    /* a person who rated items 0 (5 stars) and 2 (1 star), and changed item 2 to 1.5 */
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, 5), MR_OK);
    assert_int_equal(mr_user_set(&u, 0, 10, NULL), MR_OK);
    assert_int_equal(mr_user_set(&u, 2, 2, NULL), MR_OK);
    assert_int_equal(mr_user_set(&u, 2, 3, NULL), MR_OK);

    /* the same state through live updates, one rating at a time */
    void *live = m->ops->user_new(m);
    struct mr_user grow;
    assert_int_equal(mr_user_init(&grow, 5), MR_OK);
    int old;
    assert_int_equal(mr_user_set(&grow, 0, 10, &old), MR_OK);
    m->ops->user_update(m, live, &grow, 0, old, 10);
    assert_int_equal(mr_user_set(&grow, 2, 2, &old), MR_OK);
    m->ops->user_update(m, live, &grow, 2, old, 2);
    assert_int_equal(mr_user_set(&grow, 2, 3, &old), MR_OK);
    assert_int_equal(old, 2);
    m->ops->user_update(m, live, &grow, 2, old, 3);

    void *replayed = mr_model_user_from(m, &u);
    assert_non_null(replayed);
    void *empty = m->ops->user_new(m);
    int differs = 0;
    for (int32_t item = 0; item < 5; item++) {
        double a = m->ops->predict(m, replayed, &u, item);
        double b = m->ops->predict(m, live, &grow, item);
        assert_float_equal(a, b, 1e-9);
        differs |= a != m->ops->predict(m, empty, &grow, item);
    }
    assert_true(differs); /* the ratings did change the user's state */
    m->ops->user_free(m, replayed);
    m->ops->user_free(m, live);
    m->ops->user_free(m, empty);
    mr_user_free(&grow);

    /* unload: impl gone, the backing released once, and the model can be fitted again */
    released = 0;
    m->backing = &released;
    m->backing_release = count_release;
    mr_model_unload(m);
    assert_int_equal(released, 1);
    assert_null(m->impl);
    assert_null(m->backing);
    assert_null(m->backing_release);
    mr_model_unload(m); /* twice is harmless */
    assert_int_equal(released, 1);
    assert_int_equal(mr_model_fit(m, &err), MR_OK);
    void *again = mr_model_user_from(m, &u);
    assert_non_null(again);
    m->ops->user_free(m, again);
    m->backing = &released;
    m->backing_release = count_release;
    mr_model_free(m); /* releases too */
    assert_int_equal(released, 2);

    mr_user_free(&u);
    mr_ratings_free(&r);
}

/* ---- struct mr_user ---- */

static void test_user_edits(void **state)
{
    (void)state;
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, 200), MR_OK);
    int old = -1;
    /* bad item or value: refused, nothing changes */
    assert_int_equal(mr_user_set(&u, -1, 5, &old), MR_EUSAGE);
    assert_int_equal(mr_user_set(&u, 200, 5, &old), MR_EUSAGE);
    assert_int_equal(mr_user_set(&u, 3, 11, &old), MR_EUSAGE);
    assert_int_equal(mr_user_set(&u, 3, -1, &old), MR_EUSAGE);
    assert_int_equal(old, -1);
    assert_int_equal(u.n, 0);

    /* removing what was never rated is a no-op that reports 0 */
    assert_int_equal(mr_user_set(&u, 3, 0, &old), MR_OK);
    assert_int_equal(old, 0);
    assert_int_equal(u.n, 0);

    /* 150 ratings: the arrays grow past their first capacity, in first-rated order */
    for (int32_t i = 0; i < 150; i++)
        assert_int_equal(mr_user_set(&u, 199 - i, 1 + i % 10, NULL), MR_OK);
    assert_int_equal(u.n, 150);
    assert_true(u.cap >= 150);
    assert_int_equal(u.items[0], 199);
    assert_int_equal(u.items[149], 50);
    assert_int_equal(u.rated[199], 1);

    /* the same value again: nothing moves */
    assert_int_equal(mr_user_set(&u, 190, 10, &old), MR_OK);
    assert_int_equal(old, 10);
    assert_int_equal(u.n, 150);
    /* a change keeps the position */
    assert_int_equal(mr_user_set(&u, 190, 4, &old), MR_OK);
    assert_int_equal(old, 10);
    assert_int_equal(u.items[9], 190);
    assert_int_equal(u.vals[9], 4);
    assert_int_equal(u.rated[190], 4);
    /* a removal closes the gap, order kept */
    assert_int_equal(mr_user_set(&u, 190, 0, &old), MR_OK);
    assert_int_equal(old, 4);
    assert_int_equal(u.n, 149);
    assert_int_equal(u.items[9], 189);
    assert_int_equal(u.vals[9], 1 + 10 % 10);
    assert_int_equal(u.rated[190], 0);
    /* the last one too */
    assert_int_equal(mr_user_set(&u, 50, 0, NULL), MR_OK);
    assert_int_equal(u.n, 148);
    assert_int_equal(u.items[147], 51);

    /* load a data-set row over it: the old ratings are gone */
    struct mr_ratings r;
    struct mr_ratings_builder b = {0};
    assert_int_equal(mr_ratings_builder_add(&b, 7, 4, 6), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 7, 2, 9), MR_OK);
    assert_int_equal(mr_ratings_builder_add(&b, 8, 1, 1), MR_OK);
    assert_int_equal(mr_ratings_build(&b, 200, &r), MR_OK);
    assert_int_equal(mr_user_load_row(&u, &r, 0), MR_OK);
    assert_int_equal(u.n, 2);
    assert_int_equal(u.items[0], 2); /* in the row's (item) order */
    assert_int_equal(u.vals[0], 9);
    assert_int_equal(u.items[1], 4);
    assert_int_equal(u.rated[199], 0);
    assert_int_equal(u.rated[1], 0);
    int nonzero = 0;
    for (int32_t i = 0; i < 200; i++)
        nonzero += u.rated[i] != 0;
    assert_int_equal(nonzero, 2);
    mr_ratings_free(&r);

    mr_user_free(&u);
    assert_null(u.items);
    assert_null(u.rated);
    assert_int_equal(u.n, 0);

    /* an empty catalog still gives a usable (empty) user */
    assert_int_equal(mr_user_init(&u, 0), MR_OK);
    assert_int_equal(mr_user_set(&u, 0, 5, NULL), MR_EUSAGE);
    mr_user_free(&u);
}

/* ---- struct mr_error ---- */

static void test_error_values(void **state)
{
    (void)state;
    struct mr_error err;
    char buf[128];
    /* no err: only the status comes back */
    assert_int_equal(mr_error_set(NULL, MR_EIO, "f", 1, "x %d", 1), MR_EIO);

    assert_int_equal(mr_error_set(&err, MR_EDATA, "ratings.csv", 12, "rating '%s' outside", "7"),
                     MR_EDATA);
    assert_int_equal(err.status, MR_EDATA);
    mr_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "ratings.csv:12: rating '7' outside");

    mr_error_set(&err, MR_EIO, "/tmp/x", 0, "cannot write");
    mr_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "/tmp/x: cannot write");

    mr_error_set(&err, MR_EUSAGE, NULL, 5, "no file");
    assert_string_equal(err.file, "");
    mr_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "no file"); /* a line without a file is not shown */

    /* cut to the buffer; len 0 writes nothing */
    mr_error_set(&err, MR_EDATA, "movies.csv", 3, "empty title");
    mr_error_format(&err, buf, 8);
    assert_string_equal(buf, "movies.");
    strcpy(buf, "keep");
    mr_error_format(&err, buf, 0);
    assert_string_equal(buf, "keep");

    /* an over-long message is cut, never overflows */
    char longmsg[2000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    mr_error_set(&err, MR_EDATA, NULL, 0, "%s", longmsg);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);

    mr_error_clear(&err);
    assert_int_equal(err.status, MR_OK);
    assert_string_equal(err.file, "");
    assert_string_equal(err.msg, "");
    assert_int_equal(err.line, 0);
    mr_error_clear(NULL); /* fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_order_and_lookup),
        cmocka_unit_test(test_params_defaults),
        cmocka_unit_test(test_user_from_and_unload),
        cmocka_unit_test(test_user_edits),
        cmocka_unit_test(test_error_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
