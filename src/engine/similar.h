/* similar.h — private: "films like this one" beyond what a model offers: a co-rating
 * similarity for models without similar(), and the reason line of a similar pair, from the
 * data itself (co-likes, shared genres and tags). */
#ifndef MOVIEREC_SIMILAR_H
#define MOVIEREC_SIMILAR_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/catalog.h"
#include "movierec/ratings.h"

/* Users who rated both a and b 4 stars or more.  O(count_a + count_b). */
int32_t mr_colike_count(const struct mr_ratings *r, int32_t a, int32_t b);

/* How often the people who liked (4+ stars) item also liked each other film, normalised like
 * a cosine: sims[j] = co / sqrt(count_item * count_j) with co the people who liked both and
 * count the films' rating counts; only co >= 2 counts (one shared fan is chance).  sims must hold
 * r->n_items floats; work must hold r->n_items int32 and be zero (it is zero again on return).
 * Returns 0, or -1 when nobody liked item (sims all 0). */
int mr_corating_similar(const struct mr_ratings *r, int32_t item, float *sims, int32_t *work);

/* Writes why other is like item: "N people who liked ITEM also liked it" when content is 0
 * and such people exist, else the shared genres and tags ("also Horror, Thriller; tagged
 * zombies").  Returns buf. */
char *mr_similar_reason(const struct mr_catalog *c, const struct mr_ratings *r, int32_t item,
                        int32_t other, int content, char *buf, size_t len);

#endif
