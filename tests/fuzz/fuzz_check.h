/* fuzz_check.h — properties every loaded data set must have, whatever the input was. */
#ifndef MOVIEREC_FUZZ_CHECK_H
#define MOVIEREC_FUZZ_CHECK_H

#include "movierec/catalog.h"
#include "movierec/dataset.h"
#include "movierec/ratings.h"
#include "fuzz_util.h"

/* The catalog is sorted by id without duplicates; every movie has a title and display title
 * (valid UTF-8, as the loaders promise), a sane year and genre bits; tags have text. */
static inline void fuzz_check_catalog(const struct mr_catalog *c)
{
    FUZZ_CHECK(c->n_movies >= 0 && c->n_movies <= c->cap);
    for (int32_t i = 0; i < c->n_movies; i++) {
        const struct mr_movie *m = &c->movies[i];
        FUZZ_CHECK(m->id > 0);
        FUZZ_CHECK(i == 0 || c->movies[i - 1].id < m->id);
        FUZZ_CHECK(m->title && m->display);
        FUZZ_CHECK(m->year >= 0 && m->year <= 9999);
        FUZZ_CHECK((m->genres >> MR_GENRE_COUNT) == 0);
        FUZZ_CHECK(mr_catalog_find(c, m->id) == i);
        for (int32_t t = 0; t < m->n_tags; t++) {
            FUZZ_CHECK(m->tags[t].text && m->tags[t].count > 0);
            FUZZ_CHECK(t == 0 || m->tags[t - 1].count >= m->tags[t].count);
        }
    }
}

/* The matrix agrees with itself: CSR and CSC hold the same ratings, sorted, in range. */
static inline void fuzz_check_ratings(const struct mr_ratings *r, int32_t n_items)
{
    FUZZ_CHECK(r->n_items == n_items);
    FUZZ_CHECK(r->n_users >= 0 && r->n_ratings >= 0);
    if (r->n_ratings == 0 && r->n_users == 0)
        return;
    FUZZ_CHECK(r->user_ptr[0] == 0 && r->user_ptr[r->n_users] == r->n_ratings);
    FUZZ_CHECK(r->item_ptr[0] == 0 && r->item_ptr[r->n_items] == r->n_ratings);
    int64_t count = 0;
    for (int32_t u = 0; u < r->n_users; u++) {
        FUZZ_CHECK(r->user_ids[u] > 0 && (u == 0 || r->user_ids[u - 1] < r->user_ids[u]));
        FUZZ_CHECK(r->user_ptr[u] <= r->user_ptr[u + 1]);
        for (int64_t k = r->user_ptr[u]; k < r->user_ptr[u + 1]; k++) {
            FUZZ_CHECK(r->user_items[k] >= 0 && r->user_items[k] < n_items);
            FUZZ_CHECK(k == r->user_ptr[u] || r->user_items[k - 1] < r->user_items[k]);
            FUZZ_CHECK(r->user_vals[k] >= 1 && r->user_vals[k] <= 10);
            FUZZ_CHECK(mr_ratings_get(r, u, r->user_items[k]) == r->user_vals[k]);
        }
    }
    for (int32_t i = 0; i < n_items; i++) {
        FUZZ_CHECK(r->item_count[i] == r->item_ptr[i + 1] - r->item_ptr[i]);
        count += r->item_count[i];
        for (int64_t k = r->item_ptr[i]; k < r->item_ptr[i + 1]; k++) {
            FUZZ_CHECK(r->item_users[k] >= 0 && r->item_users[k] < r->n_users);
            FUZZ_CHECK(mr_ratings_get(r, r->item_users[k], i) == r->item_vals[k]);
        }
    }
    FUZZ_CHECK(count == r->n_ratings);
}

/* Loads the data set in dir and checks it; a failed load must say why. */
static inline void fuzz_load_and_check(const char *dir)
{
    long reports = 0;
    struct mr_load_opts opts = {.report = fuzz_count_report, .report_ctx = &reports};
    struct mr_dataset ds;
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_dataset_load(dir, &opts, &ds, &err);
    if (rc != MR_OK) {
        FUZZ_CHECK(err.status == rc && err.msg[0]);
        return;
    }
    FUZZ_CHECK(ds.stats.lines_skipped <= ds.stats.lines_read);
    FUZZ_CHECK(reports == ds.stats.lines_skipped);
    fuzz_check_catalog(&ds.catalog);
    fuzz_check_ratings(&ds.ratings, ds.catalog.n_movies);
    mr_dataset_free(&ds);
}

#endif
