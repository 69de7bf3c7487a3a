/* test_similar_reason.c — "films like this one" from the data itself (similar.c): co-likes,
 * the co-rating similarity, the reason line of a similar pair, and the star and title pieces of
 * explain() lines (reason.c).  Every expected value is worked out by hand from the tiny data
 * set below. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "movierec/catalog.h"
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "../../src/engine/reason.h"
#include "../../src/engine/similar.h"

/* Movie ids 1..6 are added in order, so item index = id - 1. */
enum { MATRIX, DARK_CITY, AMELIE, SOLO, HEAT, QUIET, N_ITEMS };

#define G(x) (1u << MR_GENRE_##x)

struct world {
    struct mr_catalog c;
    struct mr_ratings r;
};

/* Ratings in half stars (8 = 4 stars = "liked"):
 *            MATRIX DARK_CITY AMELIE SOLO HEAT QUIET
 *   user 1     10       8       4     -    -    -
 *   user 2      9       9      10     -    -    -
 *   user 3      8       6       8     -    -    -
 *   user 4      -      10       -     2    -    -
 * HEAT and QUIET have no ratings. */
static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    struct mr_catalog *c = &w.c;
    if (mr_catalog_add(c, 1, "Matrix, The (1999)",
                       G(ACTION) | G(MYSTERY) | G(SCI_FI) | G(THRILLER)) ||
        mr_catalog_add(c, 2, "Dark City (1998)",
                       G(SCI_FI) | G(THRILLER) | G(ACTION) | G(MYSTERY)) ||
        mr_catalog_add(c, 3, "Amelie (2001)", G(COMEDY) | G(ROMANCE)) ||
        mr_catalog_add(c, 4, "Solo (2000)", G(ACTION)) ||
        mr_catalog_add(c, 5, "Heat (1995)", G(NONE)) ||
        mr_catalog_add(c, 6, "Quiet (2003)", G(NONE)))
        return -1;
    mr_catalog_finish(c, NULL, NULL, "movies.csv");
    /* tags: MATRIX and DARK_CITY share three tags (in different case); only two are listed */
    const char *matrix_tags[] = {"cyberpunk", "cyberpunk", "philosophy", "noir", "bullet time"};
    for (size_t i = 0; i < sizeof matrix_tags / sizeof *matrix_tags; i++)
        if (mr_catalog_add_tag(c, MATRIX, matrix_tags[i]))
            return -1;
    const char *dark_tags[] = {"Noir", "CYBERPUNK", "Philosophy"};
    for (size_t i = 0; i < sizeof dark_tags / sizeof *dark_tags; i++)
        if (mr_catalog_add_tag(c, DARK_CITY, dark_tags[i]))
            return -1;
    if (mr_catalog_add_tag(c, HEAT, "heist") || mr_catalog_add_tag(c, QUIET, "Heist"))
        return -1;
    mr_catalog_finish_tags(c);

    struct mr_ratings_builder b = {0};
    const int rows[][3] = {
        {1, MATRIX, 10},   {1, DARK_CITY, 8},  {1, AMELIE, 4}, {2, MATRIX, 9},
        {2, DARK_CITY, 9}, {2, AMELIE, 10},    {3, MATRIX, 8}, {3, DARK_CITY, 6},
        {3, AMELIE, 8},    {4, DARK_CITY, 10}, {4, SOLO, 2},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        if (mr_ratings_builder_add(&b, rows[i][0], rows[i][1], (uint8_t)rows[i][2]))
            return -1;
    if (mr_ratings_build(&b, c->n_movies, &w.r) != MR_OK)
        return -1;
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    mr_ratings_free(&w->r);
    mr_catalog_free(&w->c);
    return 0;
}

static void test_colike_count(void **state)
{
    struct world *w = *state;
    /* users 1 and 2 liked both; user 3 gave DARK_CITY only 3 stars */
    assert_int_equal(mr_colike_count(&w->r, MATRIX, DARK_CITY), 2);
    assert_int_equal(mr_colike_count(&w->r, DARK_CITY, MATRIX), 2);
    /* users 2 and 3; user 1 gave AMELIE 2 stars */
    assert_int_equal(mr_colike_count(&w->r, MATRIX, AMELIE), 2);
    assert_int_equal(mr_colike_count(&w->r, DARK_CITY, AMELIE), 1);
    /* user 4 rated DARK_CITY and SOLO, but SOLO only 1 star */
    assert_int_equal(mr_colike_count(&w->r, DARK_CITY, SOLO), 0);
    assert_int_equal(mr_colike_count(&w->r, MATRIX, HEAT), 0);
    /* out of range on either side */
    assert_int_equal(mr_colike_count(&w->r, -1, MATRIX), 0);
    assert_int_equal(mr_colike_count(&w->r, MATRIX, -3), 0);
    assert_int_equal(mr_colike_count(&w->r, N_ITEMS, MATRIX), 0);
    assert_int_equal(mr_colike_count(&w->r, MATRIX, N_ITEMS), 0);
}

/* The batch count agrees with the pair count on every pair of the tiny set, out-of-range
 * films included (0), and with no film at all. */
static void test_colike_counts_tiny(void **state)
{
    struct world *w = *state;
    int32_t others[N_ITEMS + 2], counts[N_ITEMS + 2];
    for (int i = 0; i < N_ITEMS + 2; i++)
        others[i] = i - 1; /* -1 .. N_ITEMS */
    for (int32_t item = -1; item <= N_ITEMS; item++) {
        memset(counts, 0xff, sizeof counts);
        assert_int_equal(mr_colike_counts(&w->r, item, others, N_ITEMS + 2, counts), 0);
        for (int k = 0; k < N_ITEMS + 2; k++)
            assert_int_equal(counts[k], mr_colike_count(&w->r, item, others[k]));
    }
    assert_int_equal(mr_colike_counts(&w->r, MATRIX, others, 0, counts), 0);
    /* the hand-worked figures of test_colike_count */
    int32_t pair[2] = {DARK_CITY, AMELIE};
    assert_int_equal(mr_colike_counts(&w->r, MATRIX, pair, 2, counts), 0);
    assert_int_equal(counts[0], 2);
    assert_int_equal(counts[1], 2);
}

/* splitmix64, for the random ratings below. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* 1,000 users (user ids across many 64-bit words of the fan map, with gaps) rating 40 films
 * at random: the batch count equals the merge count for every pair. */
static void test_colike_counts_random(void **state)
{
    (void)state;
    enum { USERS = 1000, FILMS = 40 };
    struct mr_ratings_builder b = {0};
    uint64_t seed = 5;
    for (int u = 0; u < USERS; u++)
        for (int i = 0; i < FILMS; i++)
            if (next_rand(&seed) % 3 == 0)
                assert_int_equal(
                    mr_ratings_builder_add(&b, 7 + 3 * u, i, (uint8_t)(1 + next_rand(&seed) % 10)),
                    0);
    struct mr_ratings r;
    assert_int_equal(mr_ratings_build(&b, FILMS, &r), MR_OK);
    int32_t others[FILMS], counts[FILMS];
    for (int i = 0; i < FILMS; i++)
        others[i] = FILMS - 1 - i;
    int64_t total = 0;
    for (int32_t item = 0; item < FILMS; item++) {
        assert_int_equal(mr_colike_counts(&r, item, others, FILMS, counts), 0);
        for (int k = 0; k < FILMS; k++) {
            assert_int_equal(counts[k], mr_colike_count(&r, item, others[k]));
            total += counts[k];
        }
    }
    assert_true(total > 1000); /* the pairs do share fans */
    mr_ratings_free(&r);
}

/* The batch reason lines are the pair lines, for every film of the tiny set as the query and
 * every other as a result, with and without the content flag. */
static void test_reasons_batch(void **state)
{
    struct world *w = *state;
    struct mr_rec recs[2 * N_ITEMS];
    uint8_t content[2 * N_ITEMS];
    for (int32_t item = 0; item < N_ITEMS; item++) {
        for (int k = 0; k < 2 * N_ITEMS; k++) {
            recs[k].item = k % N_ITEMS;
            content[k] = (uint8_t)(k / N_ITEMS);
            strcpy(recs[k].reason, "stale");
        }
        mr_similar_reasons(&w->c, &w->r, item, content, 2 * N_ITEMS, recs);
        for (int k = 0; k < 2 * N_ITEMS; k++) {
            char buf[sizeof recs[k].reason];
            mr_similar_reason(&w->c, &w->r, item, recs[k].item, content[k], buf, sizeof buf);
            assert_string_equal(recs[k].reason, buf);
        }
    }
    /* co-likes and content as the hand-worked lines say */
    recs[0].item = DARK_CITY;
    recs[1].item = AMELIE;
    content[0] = content[1] = 0;
    mr_similar_reasons(&w->c, &w->r, MATRIX, content, 2, recs);
    assert_string_equal(recs[0].reason, "2 people who liked The Matrix (1999) also liked it");
    assert_string_equal(recs[1].reason, "2 people who liked The Matrix (1999) also liked it");
}

static void test_corating_similar(void **state)
{
    struct world *w = *state;
    float sims[N_ITEMS];
    int32_t work[N_ITEMS] = {0};

    /* MATRIX is liked by users 1, 2, 3 (count 3).  Their likes: u1 {MATRIX, DARK_CITY},
     * u2 {MATRIX, DARK_CITY, AMELIE}, u3 {MATRIX, AMELIE}: DARK_CITY 2 fans of 4 ratings,
     * AMELIE 2 fans of 3 ratings. */
    assert_int_equal(mr_corating_similar(&w->r, MATRIX, sims, work), 0);
    assert_float_equal(sims[DARK_CITY], 2.0 / sqrt(3.0 * 4.0), 1e-6);
    assert_float_equal(sims[AMELIE], 2.0 / sqrt(3.0 * 3.0), 1e-6);
    assert_float_equal(sims[MATRIX], 0.0, 0.0); /* never itself */
    assert_float_equal(sims[SOLO], 0.0, 0.0);
    assert_float_equal(sims[HEAT], 0.0, 0.0);
    for (int i = 0; i < N_ITEMS; i++)
        assert_int_equal(work[i], 0); /* handed back zeroed */

    /* DARK_CITY is liked by users 1, 2, 4: MATRIX has 2 shared fans, AMELIE only one (user 2),
     * which is chance and does not count. */
    assert_int_equal(mr_corating_similar(&w->r, DARK_CITY, sims, work), 0);
    assert_float_equal(sims[MATRIX], 2.0 / sqrt(4.0 * 3.0), 1e-6);
    assert_float_equal(sims[AMELIE], 0.0, 0.0);
    assert_float_equal(sims[SOLO], 0.0, 0.0);

    /* nobody liked SOLO; nobody rated HEAT; an index out of range */
    for (int i = 0; i < N_ITEMS; i++)
        sims[i] = 7.0f;
    assert_int_equal(mr_corating_similar(&w->r, SOLO, sims, work), -1);
    for (int i = 0; i < N_ITEMS; i++)
        assert_float_equal(sims[i], 0.0, 0.0);
    assert_int_equal(mr_corating_similar(&w->r, HEAT, sims, work), -1);
    sims[AMELIE] = 7.0f;
    assert_int_equal(mr_corating_similar(&w->r, N_ITEMS, sims, work), -1);
    assert_float_equal(sims[AMELIE], 0.0, 0.0); /* zeroed even then */
    assert_int_equal(mr_corating_similar(&w->r, -1, sims, work), -1);
    for (int i = 0; i < N_ITEMS; i++)
        assert_int_equal(work[i], 0);
}

static void test_reason_from_content(void **state)
{
    struct world *w = *state;
    char buf[200];
    /* four shared genres, at most three listed in genre order (Thriller is left out), then at
     * most two shared tags as item spells them, most applied first (cyberpunk twice), ties
     * alphabetical (bullet time is not shared, noir before philosophy) */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, MATRIX, DARK_CITY, 1, buf, sizeof buf),
                        "also Action, Mystery, Sci-Fi; tagged cyberpunk, noir");
    /* the same pair seen from DARK_CITY: its own tags, all applied once, alphabetical */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, DARK_CITY, MATRIX, 1, buf, sizeof buf),
                        "also Action, Mystery, Sci-Fi; tagged CYBERPUNK, Noir");
    /* one genre only */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, MATRIX, SOLO, 1, buf, sizeof buf),
                        "also Action");
    /* a tag but no genre ("(no genres listed)" is never a shared genre) */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, HEAT, QUIET, 1, buf, sizeof buf),
                        "tagged heist");
    assert_string_equal(mr_similar_reason(&w->c, &w->r, QUIET, HEAT, 1, buf, sizeof buf),
                        "tagged Heist");
}

static void test_reason_from_colikes(void **state)
{
    struct world *w = *state;
    char buf[200];
    /* content 0: the co-likes come first, with the display title of item */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, MATRIX, DARK_CITY, 0, buf, sizeof buf),
                        "2 people who liked The Matrix (1999) also liked it");
    assert_string_equal(mr_similar_reason(&w->c, &w->r, DARK_CITY, AMELIE, 0, buf, sizeof buf),
                        "1 person who liked Dark City (1998) also liked it");
    /* content 1 but nothing shared in content: the co-likes still explain it */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, MATRIX, AMELIE, 1, buf, sizeof buf),
                        "2 people who liked The Matrix (1999) also liked it");
    /* content 0 and no co-likes: the shared content after all */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, DARK_CITY, SOLO, 0, buf, sizeof buf),
                        "also Action");
    /* nothing at all in common */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, AMELIE, HEAT, 0, buf, sizeof buf),
                        "liked by people with similar taste");
    assert_string_equal(mr_similar_reason(&w->c, &w->r, AMELIE, HEAT, 1, buf, sizeof buf),
                        "liked by people with similar taste");
}

static void test_reason_edges(void **state)
{
    struct world *w = *state;
    char buf[64];

    /* no catalog: no content, and the title falls back to the item number */
    assert_string_equal(mr_similar_reason(NULL, &w->r, MATRIX, DARK_CITY, 1, buf, sizeof buf),
                        "2 people who liked movie #0 also liked it");
    assert_string_equal(mr_similar_reason(NULL, &w->r, AMELIE, HEAT, 1, buf, sizeof buf),
                        "liked by people with similar taste");
    /* an index out of the catalog has no content either */
    assert_string_equal(mr_similar_reason(&w->c, &w->r, MATRIX, -1, 1, buf, sizeof buf),
                        "liked by people with similar taste");

    /* a short buffer: the text is cut, always terminated */
    char small[10];
    memset(small, 'x', sizeof small);
    mr_similar_reason(&w->c, &w->r, MATRIX, DARK_CITY, 1, small, sizeof small);
    assert_string_equal(small, "also Acti");
    char tiny[6];
    mr_similar_reason(&w->c, &w->r, MATRIX, DARK_CITY, 1, tiny, sizeof tiny);
    assert_string_equal(tiny, "also ");
    mr_similar_reason(&w->c, &w->r, MATRIX, DARK_CITY, 0, tiny, sizeof tiny);
    assert_string_equal(tiny, "2 peo");

    /* len 0: buf untouched */
    char keep[4] = "abc";
    assert_ptr_equal(mr_similar_reason(&w->c, &w->r, MATRIX, DARK_CITY, 1, keep, 0), keep);
    assert_string_equal(keep, "abc");
}

static void test_reason_stars(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(mr_reason_stars(9, buf, sizeof buf),
                        "\u2605\u2605\u2605\u2605\u00bd"); /* 4.5 stars */
    assert_string_equal(mr_reason_stars(3, buf, sizeof buf), "\u2605\u00bd\u2606\u2606\u2606");
    assert_string_equal(mr_reason_stars(10, buf, sizeof buf), "\u2605\u2605\u2605\u2605\u2605");
    /* out of range values are clamped to 0..10 */
    assert_string_equal(mr_reason_stars(-4, buf, sizeof buf), "\u2606\u2606\u2606\u2606\u2606");
    assert_string_equal(mr_reason_stars(0, buf, sizeof buf), "\u2606\u2606\u2606\u2606\u2606");
    assert_string_equal(mr_reason_stars(25, buf, sizeof buf), "\u2605\u2605\u2605\u2605\u2605");
    /* a buffer too short for five positions keeps only whole characters (3 bytes each) */
    char seven[7];
    assert_string_equal(mr_reason_stars(10, seven, sizeof seven), "\u2605\u2605");
    char two[2];
    assert_string_equal(mr_reason_stars(10, two, sizeof two), "");
    char keep[4] = "abc";
    assert_ptr_equal(mr_reason_stars(10, keep, 0), keep);
    assert_string_equal(keep, "abc");
}

static void test_reason_title(void **state)
{
    struct world *w = *state;
    char buf[32];
    assert_string_equal(mr_reason_title(&w->c, MATRIX, buf, sizeof buf), "The Matrix (1999)");
    assert_string_equal(mr_reason_title(&w->c, N_ITEMS, buf, sizeof buf), "movie #6");
    assert_string_equal(mr_reason_title(&w->c, -2, buf, sizeof buf), "movie #-2");
    assert_string_equal(mr_reason_title(NULL, 3, buf, sizeof buf), "movie #3");

    /* a movie without a display form uses its title; one with neither, its number */
    struct mr_movie movies[2];
    memset(movies, 0, sizeof movies);
    movies[0].id = 10;
    movies[0].title = "Raw title";
    movies[1].id = 11;
    struct mr_catalog bare = {.movies = movies, .n_movies = 2, .cap = 2};
    assert_string_equal(mr_reason_title(&bare, 0, buf, sizeof buf), "Raw title");
    assert_string_equal(mr_reason_title(&bare, 1, buf, sizeof buf), "movie #1");
    /* len 0: nothing written, buf returned */
    char keep[4] = "abc";
    assert_ptr_equal(mr_reason_title(NULL, 1, keep, 0), keep);
    assert_string_equal(keep, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colike_count),         cmocka_unit_test(test_colike_counts_tiny),
        cmocka_unit_test(test_colike_counts_random), cmocka_unit_test(test_reasons_batch),
        cmocka_unit_test(test_corating_similar),     cmocka_unit_test(test_reason_from_content),
        cmocka_unit_test(test_reason_from_colikes),  cmocka_unit_test(test_reason_edges),
        cmocka_unit_test(test_reason_stars),         cmocka_unit_test(test_reason_title),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
