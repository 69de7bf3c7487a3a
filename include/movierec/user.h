/* user.h — one person's ratings held in memory: the input of every model's
 * incremental update.  Also used for data-set users (built from their CSR row). */
#ifndef MOVIEREC_USER_H
#define MOVIEREC_USER_H

#include <stdint.h>
#include "movierec/ratings.h"

struct mr_user {
    int32_t n_items; /* catalog size */
    int32_t n;       /* number of rated items */
    int32_t cap;
    int32_t *items; /* rated item indices, in the order they were first rated */
    uint8_t *vals;  /* half stars, parallel to items */
    uint8_t *rated; /* n_items entries: half stars, 0 when unrated (O(1) lookup, exclusion set) */
};

/* Initialises an empty user over a catalog of n_items.  Returns MR_OK or MR_ENOMEM. */
int mr_user_init(struct mr_user *u, int32_t n_items);

/* Sets item's rating to half (1..10), or removes it when half is 0.  *old_half (may be NULL)
 * receives the previous value (0 = unrated).  Returns MR_OK, MR_EUSAGE (bad item or value)
 * or MR_ENOMEM. */
int mr_user_set(struct mr_user *u, int32_t item, int half, int *old_half);

/* Replaces u's ratings with those of data-set user index uidx in r. */
int mr_user_load_row(struct mr_user *u, const struct mr_ratings *r, int32_t uidx);

/* Frees u's arrays and zeroes it. */
void mr_user_free(struct mr_user *u);

#endif
