/* test_search_limits.c — title search and the catalog at their limits: titles longer than the
 * index's first buffers and a word too long to alias its joined parts, completion past the
 * popularity walk (thousands of matches that are all unpopular), arguments that fold to
 * nothing, and genre lists cut to a small buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/catalog.h"
#include "movierec/search.h"

/* ---- long titles ---- */

static void test_long_titles(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    /* a 665-byte title whose last word before the year is "quasar"; a hyphenated word of
     * 2 x 150 letters (its joined form would not fit the alias buffer); a short one */
    char title[800], word_a[151], word_b[151];
    memset(word_a, 'k', 150);
    word_a[150] = '\0';
    memset(word_b, 'm', 150);
    word_b[150] = '\0';
    size_t n = 0;
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(title + n, sizeof title - n, "Long%02d ", i);
    n += (size_t)snprintf(title + n, sizeof title - n, "%s-%s quasar (2001)", word_a, word_b);
    assert_true(n > 600);
    assert_int_equal(mr_catalog_add(&c, 1, title, 0), MR_OK);
    assert_int_equal(mr_catalog_add(&c, 2, "Spider-Man (2002)", 0), MR_OK);
    assert_int_equal(mr_catalog_add(&c, 3, "Quiet Earth, The (1985)", 0), MR_OK);
    mr_catalog_finish(&c, NULL, NULL, "test");
    assert_int_equal(c.movies[0].year, 2001);

    struct mr_search_index *ix = mr_search_build(&c, NULL);
    assert_non_null(ix);
    struct mr_search_hit hits[4];
    /* words at the start, the end and in the middle of the long title are indexed */
    assert_true(mr_search(ix, "quasar", hits, 4) >= 1);
    assert_int_equal(hits[0].item, 0);
    assert_true(mr_search(ix, "long00 long49", hits, 4) >= 1);
    assert_int_equal(hits[0].item, 0);
    /* each part of the long hyphenated word is a word */
    assert_true(mr_search(ix, word_b, hits, 4) >= 1);
    assert_int_equal(hits[0].item, 0);
    /* a short hyphenated word is also found joined */
    assert_true(mr_search(ix, "spiderman", hits, 4) >= 1);
    assert_int_equal(hits[0].item, 1);

    /* completion of the long title by a long prefix */
    int32_t items[4];
    assert_int_equal(mr_search_complete(ix, "long00 long01 long02 long03", items, 4), 1);
    assert_int_equal(items[0], 0);
    /* bad arguments */
    assert_int_equal(mr_search_complete(NULL, "q", items, 4), 0);
    assert_int_equal(mr_search_complete(ix, NULL, items, 4), 0);
    assert_int_equal(mr_search_complete(ix, "q", items, 0), 0);

    /* arguments that fold to nothing resolve to nothing */
    int32_t item = -1;
    int n_cand = -1;
    struct mr_search_hit cand[4];
    assert_int_equal(mr_resolve_movie(ix, &c, "", &item, cand, 4, &n_cand), MR_RESOLVE_NONE);
    assert_int_equal(mr_resolve_movie(ix, &c, "  !?  ", &item, cand, 4, &n_cand), MR_RESOLVE_NONE);
    assert_int_equal(item, -1);
    /* the long title's own words resolve to it */
    assert_int_equal(mr_resolve_movie(ix, &c, "quasar", &item, cand, 4, &n_cand), MR_RESOLVED);
    assert_int_equal(item, 0);
    /* a movieId that is not in the catalog */
    assert_int_equal(mr_resolve_movie(ix, &c, "77", &item, cand, 4, &n_cand), MR_RESOLVE_NONE);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* ---- completion with thousands of unpopular matches ---- */

enum { N_EACH = 4500, MAX = 10 };

static void test_complete_unpopular_matches(void **state)
{
    (void)state;
    /* 4500 popular "Zeta N" and 4500 unpopular "Alpha N": the walk down the popularity order
     * meets only Zetas for as many steps as there are Alphas, and ranking takes over. */
    struct mr_catalog c = {0};
    static int32_t pop[2 * N_EACH];
    for (int i = 0; i < 2 * N_EACH; i++) {
        char title[32];
        int alpha = i % 2;
        snprintf(title, sizeof title, "%s %d (2000)", alpha ? "Alpha" : "Zeta", i / 2);
        assert_int_equal(mr_catalog_add(&c, i + 1, title, 0), MR_OK);
        pop[i] = alpha ? (i / 2) % 40 : 1000 + i % 7;
    }
    mr_catalog_finish(&c, NULL, NULL, "test");
    struct mr_search_index *ix = mr_search_build(&c, pop);
    assert_non_null(ix);

    int32_t items[MAX];
    assert_int_equal(mr_search_complete(ix, "alp", items, MAX), MAX);
    /* all Alphas with the highest popularity (39: Alpha 39, 79, 119, ...), alphabetically */
    const char *want[MAX] = {"Alpha 1039 (2000)", "Alpha 1079 (2000)", "Alpha 1119 (2000)",
                             "Alpha 1159 (2000)", "Alpha 119 (2000)",  "Alpha 1199 (2000)",
                             "Alpha 1239 (2000)", "Alpha 1279 (2000)", "Alpha 1319 (2000)",
                             "Alpha 1359 (2000)"};
    for (int k = 0; k < MAX; k++) {
        assert_int_equal(pop[items[k]], 39);
        assert_string_equal(c.movies[items[k]].display, want[k]);
    }
    /* the popular side is found by the walk itself */
    assert_int_equal(mr_search_complete(ix, "zeta", items, MAX), MAX);
    for (int k = 0; k < MAX; k++)
        assert_int_equal(pop[items[k]], 1006);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* ---- the catalog ---- */

static void test_genres_and_bad_movies(void **state)
{
    (void)state;
    char buf[64];
    uint32_t g = (1u << MR_GENRE_ACTION) | (1u << MR_GENRE_CRIME) | (1u << MR_GENRE_SCI_FI);
    assert_string_equal(mr_genres_format(g, buf, sizeof buf), "Action|Crime|Sci-Fi");
    /* a genre that does not fit whole is left out, with the ones after it */
    assert_string_equal(mr_genres_format(g, buf, 13), "Action|Crime");
    assert_string_equal(mr_genres_format(g, buf, 12), "Action");
    assert_string_equal(mr_genres_format(g, buf, 6), "");
    assert_string_equal(mr_genres_format(0, buf, sizeof buf), "");
    strcpy(buf, "keep");
    assert_ptr_equal(mr_genres_format(g, buf, 0), buf);
    assert_string_equal(buf, "keep");
    assert_null(mr_genre_name(-1));
    assert_null(mr_genre_name(MR_GENRE_COUNT));
    assert_int_equal(mr_genre_parse("sci-fi"), MR_GENRE_SCI_FI);
    assert_int_equal(mr_genre_parse("Children's"), MR_GENRE_CHILDREN);
    assert_int_equal(mr_genre_parse("Noir"), -1);

    /* a movie without a title or with a negative id is refused and not added */
    struct mr_catalog c = {0};
    assert_int_equal(mr_catalog_add(&c, 1, NULL, 0), MR_EDATA);
    assert_int_equal(mr_catalog_add(&c, -4, "Negative (2000)", 0), MR_EDATA);
    assert_int_equal(c.n_movies, 0);
    assert_int_equal(mr_catalog_add(&c, 0, "Zero (2000)", 0), MR_OK);
    /* tags on an item out of range, or a NULL tag */
    assert_int_equal(mr_catalog_add_tag(&c, 1, "x"), MR_EUSAGE);
    assert_int_equal(mr_catalog_add_tag(&c, -1, "x"), MR_EUSAGE);
    assert_int_equal(mr_catalog_add_tag(&c, 0, NULL), MR_EUSAGE);
    assert_int_equal(c.movies[0].n_tags, 0);
    /* many tags grow the tag array past its first capacity */
    for (int i = 0; i < 40; i++) {
        char tag[16];
        snprintf(tag, sizeof tag, "tag%02d", i);
        assert_int_equal(mr_catalog_add_tag(&c, 0, tag), MR_OK);
        if (i % 3 == 0)
            assert_int_equal(mr_catalog_add_tag(&c, 0, tag), MR_OK);
    }
    mr_catalog_finish_tags(&c);
    assert_int_equal(c.movies[0].n_tags, 40);
    assert_string_equal(c.movies[0].tags[0].text, "tag00");
    assert_int_equal(c.movies[0].tags[0].count, 2);
    assert_string_equal(c.movies[0].tags[13].text, "tag39"); /* the last one applied twice */
    assert_string_equal(c.movies[0].tags[14].text, "tag01"); /* then the singles */
    assert_int_equal(c.movies[0].tags[14].count, 1);
    mr_catalog_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_titles),
        cmocka_unit_test(test_complete_unpopular_matches),
        cmocka_unit_test(test_genres_and_bad_movies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
