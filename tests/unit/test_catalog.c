/* test_catalog.c — adding, sorting, finding movies; duplicates; tags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "movierec/catalog.h"

struct reports {
    int n;
    long lines[8];
    char what[8][128];
};

static void collect(void *ctx, const char *file, long line, const char *what)
{
    struct reports *r = ctx;
    assert_string_equal(file, "movies.test");
    if (r->n < 8) {
        r->lines[r->n] = line;
        snprintf(r->what[r->n], sizeof r->what[r->n], "%s", what);
    }
    r->n++;
}

static void test_add_finish_find(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    const int32_t ids[] = {50, 3, 2571, 1, 7};
    for (int i = 0; i < 5; i++) {
        char title[32];
        snprintf(title, sizeof title, "Movie %d (19%02d)", (int)ids[i], 90 + i);
        assert_int_equal(mr_catalog_add(&c, ids[i], title, 1u << MR_GENRE_DRAMA), MR_OK);
    }
    mr_catalog_finish(&c, NULL, NULL, "movies.test");
    assert_int_equal(c.n_movies, 5);
    for (int32_t i = 1; i < c.n_movies; i++)
        assert_true(c.movies[i - 1].id < c.movies[i].id);
    for (int i = 0; i < 5; i++) {
        int32_t item = mr_catalog_find(&c, ids[i]);
        assert_true(item >= 0);
        assert_int_equal(c.movies[item].id, ids[i]);
        assert_int_equal(c.movies[item].year, 1990 + i);
    }
    assert_int_equal(mr_catalog_find(&c, 0), -1);
    assert_int_equal(mr_catalog_find(&c, 2), -1);
    assert_int_equal(mr_catalog_find(&c, 9999), -1);
    assert_int_equal(mr_catalog_find(&c, 1), 0);
    assert_int_equal(mr_catalog_find(&c, 2571), 4);
    mr_catalog_free(&c);
    assert_null(c.movies);
    assert_int_equal(c.n_movies, 0);
}

static void test_display_and_copy(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    char title[] = "Matrix, The (1999)";
    assert_int_equal(mr_catalog_add(&c, 2571, title, 1u << MR_GENRE_SCI_FI), MR_OK);
    title[0] = 'X'; /* the catalog keeps its own copy */
    mr_catalog_finish(&c, NULL, NULL, NULL);
    assert_string_equal(c.movies[0].title, "Matrix, The (1999)");
    assert_string_equal(c.movies[0].display, "The Matrix (1999)");
    assert_int_equal(c.movies[0].year, 1999);
    assert_int_equal(c.movies[0].genres, 1u << MR_GENRE_SCI_FI);
    assert_int_equal(c.movies[0].imdb_id, 0);
    assert_int_equal(c.movies[0].n_tags, 0);
    assert_int_equal(mr_catalog_add(&c, 5, NULL, 0), MR_EDATA);
    mr_catalog_free(&c);
}

static void test_duplicates_keep_first(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    assert_int_equal(mr_catalog_add(&c, 10, "First ten", 0), MR_OK);
    assert_int_equal(mr_catalog_add(&c, 4, "Four", 0), MR_OK);
    assert_int_equal(mr_catalog_add(&c, 10, "Second ten", 0), MR_OK);
    assert_int_equal(mr_catalog_add(&c, 10, "Third ten", 0), MR_OK);
    struct reports r = {0};
    mr_catalog_finish(&c, collect, &r, "movies.test");
    assert_int_equal(c.n_movies, 2);
    assert_int_equal(r.n, 2);
    assert_non_null(strstr(r.what[0], "duplicate movieId 10"));
    assert_string_equal(c.movies[mr_catalog_find(&c, 10)].title, "First ten");
    assert_string_equal(c.movies[mr_catalog_find(&c, 4)].title, "Four");
    mr_catalog_free(&c);
}

static void test_tags_count_and_order(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    assert_int_equal(mr_catalog_add(&c, 1, "Toy Story (1995)", 0), MR_OK);
    assert_int_equal(mr_catalog_add(&c, 2, "Jumanji (1995)", 0), MR_OK);
    mr_catalog_finish(&c, NULL, NULL, NULL);
    const char *applied[] = {"pixar", "fun", "Pixar", "PIXAR", "fun", "toys"};
    for (int i = 0; i < 6; i++)
        assert_int_equal(mr_catalog_add_tag(&c, 0, applied[i]), MR_OK);
    /* enough distinct tags to grow the array several times */
    for (int i = 0; i < 40; i++) {
        char tag[16];
        snprintf(tag, sizeof tag, "tag%02d", i);
        assert_int_equal(mr_catalog_add_tag(&c, 1, tag), MR_OK);
    }
    assert_int_equal(mr_catalog_add_tag(&c, 1, "tag39"), MR_OK);
    assert_int_equal(mr_catalog_add_tag(&c, 2, "x"), MR_EUSAGE);
    assert_int_equal(mr_catalog_add_tag(&c, -1, "x"), MR_EUSAGE);
    mr_catalog_finish_tags(&c);

    const struct mr_movie *toy = &c.movies[0];
    assert_int_equal(toy->n_tags, 3);
    assert_string_equal(toy->tags[0].text, "pixar"); /* as first seen */
    assert_int_equal(toy->tags[0].count, 3);
    assert_string_equal(toy->tags[1].text, "fun");
    assert_int_equal(toy->tags[1].count, 2);
    assert_string_equal(toy->tags[2].text, "toys");
    assert_int_equal(toy->tags[2].count, 1);

    const struct mr_movie *jum = &c.movies[1];
    assert_int_equal(jum->n_tags, 40);
    assert_string_equal(jum->tags[0].text, "tag39");
    assert_int_equal(jum->tags[0].count, 2);
    for (int32_t t = 1; t < jum->n_tags; t++)
        assert_true(jum->tags[t - 1].count >= jum->tags[t].count);
    mr_catalog_free(&c);
}

static void test_empty_catalog(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    mr_catalog_finish(&c, NULL, NULL, NULL);
    mr_catalog_finish_tags(&c);
    assert_int_equal(mr_catalog_find(&c, 1), -1);
    mr_catalog_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_finish_find),       cmocka_unit_test(test_display_and_copy),
        cmocka_unit_test(test_duplicates_keep_first), cmocka_unit_test(test_tags_count_and_order),
        cmocka_unit_test(test_empty_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
