/* ratings.h — the rating matrix, by user (CSR) and by movie (CSC).
 *
 * Ratings are half stars stored in a byte: value = stars * 2, so 1..10 for
 * 0.5..5.0.  Users get dense indices 0..n_users-1 in ascending MovieLens userId;
 * items are catalog item indices (every movie of the catalog, rated or not). */
#ifndef MOVIEREC_RATINGS_H
#define MOVIEREC_RATINGS_H

#include <stdint.h>
#include <stddef.h>

struct mr_ratings {
    int32_t n_users;
    int32_t n_items; /* = catalog size */
    int64_t n_ratings;
    int32_t *user_ids; /* dense user index -> MovieLens userId (ascending) */

    int64_t *user_ptr;   /* n_users + 1: user u's ratings are [user_ptr[u], user_ptr[u+1]) */
    int32_t *user_items; /* item index, ascending within a user */
    uint8_t *user_vals;  /* half stars */

    int64_t *item_ptr;   /* n_items + 1 */
    int32_t *item_users; /* user index, ascending within an item */
    uint8_t *item_vals;

    int32_t *item_count; /* ratings per item, O(1) */
    float *item_mean;    /* mean stars per item, 0 when unrated */
    double global_mean;  /* mean stars over all ratings */
    /* 1: the arrays live in a snapshot's read-only mapping (snapshot.h), owned by the data
     * set: never write to them; mr_ratings_free only forgets them. */
    int borrowed;
};

/* Collects (user, item, value) triples before the matrix is built. */
struct mr_ratings_builder {
    int32_t *user_ids; /* MovieLens userIds as read */
    int32_t *items;
    uint8_t *vals;
    int64_t n;
    int64_t cap;
};

/* Converts stars (0.5..5.0, half steps) to half stars 1..10; returns 0 when not a valid rating. */
int mr_stars_to_half(double stars);

/* Appends one rating.  Returns MR_OK or MR_ENOMEM. */
int mr_ratings_builder_add(struct mr_ratings_builder *b, int32_t user_id, int32_t item,
                           uint8_t half_stars);

/* Builds out from the builder (which is freed and zeroed).  A (user, item) pair seen twice
 * keeps the last value.  Returns MR_OK or MR_ENOMEM (out is then zeroed). */
int mr_ratings_build(struct mr_ratings_builder *b, int32_t n_items, struct mr_ratings *out);

/* Frees the builder's arrays and zeroes it. */
void mr_ratings_builder_free(struct mr_ratings_builder *b);

/* Dense index of MovieLens userId, or -1.  O(log n). */
int32_t mr_ratings_find_user(const struct mr_ratings *r, int32_t user_id);

/* Half-star rating of user index u for item, or 0 when not rated.  O(log d). */
int mr_ratings_get(const struct mr_ratings *r, int32_t u, int32_t item);

/* Frees everything and zeroes r. */
void mr_ratings_free(struct mr_ratings *r);

#endif
