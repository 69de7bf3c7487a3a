/* rank.h — private: the ranking score of the rating-predicting models (baseline, als, sgd).
 *
 * A predicted rating alone ranks films three people loved above films three hundred liked.
 * The ranking score trusts the item's part of a prediction by its support and adds a little
 * popularity:
 *     score = user_part + item_part · n / (n + MR_RANK_SUPPORT) + MR_RANK_POPULARITY · log(1 + n)
 * with n the item's training rating count.  The constants were chosen on the top-N holdout of
 * ml-latest-small with a seed other than the protocol's (als NDCG@10 0.003 -> 0.175). */
#ifndef MOVIEREC_RANK_H
#define MOVIEREC_RANK_H

#include <math.h>
#include <stdint.h>

#define MR_RANK_SUPPORT    30.0f
#define MR_RANK_POPULARITY 0.5f

/* The ranking score for a prediction user_part + item_part of an item rated n times. */
static inline float mr_rank_score(float user_part, float item_part, int32_t n)
{
    float fn = (float)n;
    return user_part + item_part * (fn / (fn + MR_RANK_SUPPORT)) + MR_RANK_POPULARITY * log1pf(fn);
}

#endif
