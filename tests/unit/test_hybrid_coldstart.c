/* test_hybrid_coldstart.c — issue #3's cold-start promise on ml-latest-small: after 3 to 5
 * ratings of one kind of film, the hybrid's top 5 visibly follows them.  For five kinds (kids'
 * animation, horror, romance, war, science fiction) a new user rates 3, 4 and then 5 well-known
 * films of that kind five stars, and we count how many of the top 5 carry the kind's defining
 * genre (not merely any genre of the rated films: Drama or Comedy would match almost anything).
 *
 * The films are chosen by hand as typical of their kind; the thresholds (what is asserted is
 * above test_top5_follows_the_first_ratings) are the "visibly" made concrete.  The
 * hybrid's weights are fitted on the data (mr_hybrid_tune), not set here, so this test fails
 * when tuning favours popular components for small profiles, as the first session's tuning did.
 * The 0-rating list (diversified by the session) is test_session's test_cold_start_spans_genres. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/dataset.h"
#include "movierec/hybrid.h"
#include "movierec/topn.h"
#include "movierec/user.h"

#define DATA "data/ml-latest-small"
#define TOP  5

struct fixture {
    struct mr_dataset ds;
    struct mr_model *hybrid;
};

struct kind {
    const char *name;
    uint32_t genres; /* a film is of the kind when it has any of these */
    int32_t ids[5];  /* MovieLens ids, rated in this order */
};

static const struct kind kinds[] = {
    {"kids' animation",
     (1u << MR_GENRE_ANIMATION) | (1u << MR_GENRE_CHILDREN),
     {1, 588, 364, 6377, 4886}}, /* Toy Story, Aladdin, Lion King, Finding Nemo, Monsters Inc. */
    {"horror", 1u << MR_GENRE_HORROR, {1258, 1219, 1997, 1407, 6502}}, /* Shining, Psycho, ... */
    {"romance", 1u << MR_GENRE_ROMANCE, {597, 1307, 539, 1721, 2424}}, /* Pretty Woman, ... */
    {"war", 1u << MR_GENRE_WAR, {2028, 1208, 1222, 1090, 527}},     /* Saving Private Ryan, ... */
    {"sci-fi", 1u << MR_GENRE_SCI_FI, {260, 541, 1240, 2571, 924}}, /* Star Wars, Blade Runner */
};

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct mr_error err;
    if (!f || mr_dataset_load(DATA, NULL, &f->ds, &err) != MR_OK) {
        fprintf(stderr, "setup: %s\n", f ? err.msg : "out of memory");
        return -1;
    }
    f->hybrid = mr_model_new("hybrid", NULL, &f->ds.catalog, &f->ds.ratings);
    if (!f->hybrid || mr_model_fit(f->hybrid, &err) != MR_OK) {
        fprintf(stderr, "fit: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    mr_model_free(f->hybrid);
    mr_dataset_free(&f->ds);
    free(f);
    return 0;
}

/* The top TOP of model m for the user who rated ids[0..n) five stars; returns the count of
 * them having any of the genres `want` and fills top[]. */
static int top_of_kind(const struct fixture *f, const struct mr_model *m, const int32_t *ids, int n,
                       uint32_t want, struct mr_scored *top)
{
    int32_t n_items = f->ds.ratings.n_items;
    struct mr_user u;
    assert_int_equal(mr_user_init(&u, n_items), MR_OK);
    uint8_t *exclude = calloc((size_t)n_items, 1);
    float *scores = malloc((size_t)n_items * sizeof *scores);
    assert_non_null(exclude);
    assert_non_null(scores);
    for (int k = 0; k < n; k++) {
        int32_t item = mr_catalog_find(&f->ds.catalog, ids[k]);
        assert_true(item >= 0);
        assert_int_equal(mr_user_set(&u, item, 10, NULL), MR_OK);
        exclude[item] = 1;
    }
    void *st = mr_model_user_from(m, &u);
    assert_non_null(st);
    m->ops->score(m, st, &u, scores);
    int got = mr_topn(scores, n_items, exclude, TOP, top);
    assert_int_equal(got, TOP);
    int of_kind = 0;
    for (int k = 0; k < got; k++)
        of_kind += (f->ds.catalog.movies[top[k].item].genres & want) != 0;
    m->ops->user_free(m, st);
    free(scores);
    free(exclude);
    mr_user_free(&u);
    return of_kind;
}

/* 3 and 4 ratings of one kind (the 1-4 bucket, whose weights are tuned on profiles of one
 * genre): for each count at least 4 of the 5 kinds get 3 or more films of the kind in the top
 * 5, and over the 10 lists at least 0.6 of the films are of the kind.  (The first session's
 * weights: 2 kinds of 5 for each count, 0.46 of the films.)  With 5 ratings (the 5-19 bucket,
 * tuned on random and on focused profiles) the same holds: at least 4 kinds visible and at
 * least 0.7 of the 5 lists' films of the kind.  (Tuned on random profiles only, the list forgot
 * the profile at the fifth rating: 2 kinds visible, 10 films of 25; the 4-rating lists then
 * had 18.) */
static void test_top5_follows_the_first_ratings(void **state)
{
    struct fixture *f = *state;
    int of_kind = 0, lists = 0, of_kind_5 = 0;
    for (int n = 3; n <= 5; n++) {
        int visible = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            struct mr_scored top[TOP];
            int share = top_of_kind(f, f->hybrid, kinds[k].ids, n, kinds[k].genres, top);
            printf("# %-16s %d ratings: %d of %d of the kind:", kinds[k].name, n, share, TOP);
            for (int r = 0; r < TOP; r++)
                printf(" %d", f->ds.catalog.movies[top[r].item].id);
            printf("\n");
            visible += share >= 3;
            if (n < 5) {
                of_kind += share;
                lists++;
            } else {
                assert_true(share >= 1);
                of_kind_5 += share;
            }
        }
        printf("# %d ratings: %d of 5 kinds visible\n", n, visible);
        assert_true(visible >= 4);
    }
    int n_kinds = (int)(sizeof kinds / sizeof *kinds);
    printf("# 5 ratings: %.2f of the films of the kind\n", (double)of_kind_5 / (n_kinds * TOP));
    assert_true(of_kind_5 * 10 >= 7 * n_kinds * TOP);
    printf("# 3-4 ratings: %.2f of the films of the kind\n", (double)of_kind / (lists * TOP));
    assert_true(of_kind * 10 >= 6 * lists * TOP);
    /* For the record: the blend weights chosen per bucket. */
    struct mr_hybrid_report rep;
    if (mr_hybrid_last_report(f->hybrid, &rep) == 0)
        for (int b = 0; b < MR_HYBRID_BUCKETS; b++) {
            printf("# bucket %d (%d cases, NDCG %.3f):", b, (int)rep.n_cases[b], rep.blend_ndcg[b]);
            for (int c = 0; c < rep.n_components; c++)
                printf(" %s %.2f", rep.names[c], rep.weights[b][c]);
            printf("\n");
        }
    /* For the record: what each component alone gives with 5 ratings. */
    for (int c = 0; c < mr_hybrid_n_components(f->hybrid); c++) {
        const struct mr_model *cm = mr_hybrid_component(f->hybrid, c);
        printf("# %-9s", cm->ops->name);
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            struct mr_scored top[TOP];
            printf(" %d", top_of_kind(f, cm, kinds[k].ids, 5, kinds[k].genres, top));
            if (getenv("COLD_DEBUG"))
                for (int r = 0; r < TOP; r++)
                    printf(",%d", f->ds.catalog.movies[top[r].item].id);
        }
        printf("\n");
    }
}

/* Each kind's profile moves the list away from what the other kinds' profiles get: the kids'
 * list holds no horror film and the horror list no children's film. */
static void test_kinds_do_not_mix(void **state)
{
    struct fixture *f = *state;
    struct mr_scored top[TOP];
    assert_int_equal(top_of_kind(f, f->hybrid, kinds[0].ids, 5, kinds[1].genres, top), 0);
    assert_int_equal(top_of_kind(f, f->hybrid, kinds[1].ids, 5, 1u << MR_GENRE_CHILDREN, top), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top5_follows_the_first_ratings),
        cmocka_unit_test(test_kinds_do_not_mix),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
