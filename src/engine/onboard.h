/* onboard.h — private: what to show a person the engine knows nothing about yet.
 *
 * Two questions, one concern (a new user's first minute):
 *   which films to ask about   known (many ratings), divisive (the ratings disagree, so the
 *                              answer says something), spread over the genres;
 *   what to recommend at once  good and popular films, not five of one kind. */
#ifndef MOVIEREC_ONBOARD_H
#define MOVIEREC_ONBOARD_H

#include <stdint.h>
#include "movierec/catalog.h"
#include "movierec/ratings.h"
#include "movierec/topn.h"

/* Films considered for onboarding: this many of the most-rated (fewer when the catalog is
 * smaller), so that a person is likely to know them at any data-set size. */
#define MR_ONBOARD_POOL 300

/* Per item, how much a person's rating of it tells (0 for films outside the pool):
 * log(1 + count) times the entropy (bits) of its star histogram.  Returns a new array of
 * r->n_items floats (caller frees), or NULL when out of memory. */
float *mr_onboard_informativeness(const struct mr_ratings *r);

/* Picks up to n films to ask about, greedily: each pick maximises informativeness divided by
 * 1 + the mean number of times its genres were already covered (by the films in context[0..
 * n_context): those shown or rated before, and by earlier picks).  Items with skip[item] set
 * or informativeness 0 are never picked.  Returns the count written to out. */
int mr_onboard_pick(const struct mr_catalog *c, const float *info, int32_t n_items,
                    const uint8_t *skip, const int32_t *context, int n_context, int n,
                    int32_t *out);

/* The best n of scores (skipping exclude[item] != 0), diversified by genre: among the top
 * pool candidates, each pick maximises (1 - rank / pool) minus the largest genre overlap
 * (Jaccard) with an earlier pick.  out[k].score keeps the model score.  work holds pool
 * entries.  Returns the count. */
int mr_diversify(const float *scores, int32_t n_items, const uint8_t *exclude,
                 const struct mr_catalog *c, int n, int pool, struct mr_scored *work,
                 struct mr_scored *out);

#endif
