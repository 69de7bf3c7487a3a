/* similar.h — private: "films like this one" beyond what a model offers: a co-rating
 * similarity for models without similar(), and the reason line of a similar pair, from the
 * data itself (co-likes, shared genres and tags). */
#ifndef MOVIEREC_SIMILAR_H
#define MOVIEREC_SIMILAR_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/catalog.h"
#include "movierec/ratings.h"
#include "movierec/session.h"

/* Users who rated both a and b 4 stars or more.  O(count_a + count_b). */
int32_t mr_colike_count(const struct mr_ratings *r, int32_t a, int32_t b);

/* counts[k] = mr_colike_count(r, item, others[k]) for k < n, from one bit map of the users who
 * liked item: O(count_item + Σ count_others) where n merges would be n times count_item
 * plus that (at 25M ratings a popular film has 100k raters).  Returns 0, or -1 when the map
 * cannot be allocated (the counts are then made pair by pair; still right). */
int mr_colike_counts(const struct mr_ratings *r, int32_t item, const int32_t *others, int n,
                     int32_t *counts);

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

/* mr_similar_reason() for n films at once: recs[k].reason for the film recs[k].item, with
 * content[k] as its content flag; the co-likes of all of them are counted by one
 * mr_colike_counts().  The same lines as n calls of mr_similar_reason(). */
void mr_similar_reasons(const struct mr_catalog *c, const struct mr_ratings *r, int32_t item,
                        const uint8_t *content, int n, struct mr_rec *recs);

#endif
