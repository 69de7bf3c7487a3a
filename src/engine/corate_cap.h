/* corate_cap.h — private: bounds the work of co-rating counts (itemknn, graph).
 *
 * Counting, for every item, the items co-rated with it costs the sum over users of
 * (ratings of the user)^2.  A few heavy users dominate that sum on large data sets, so a user
 * with more than MR_CORATE_CAP ratings contributes through a deterministic pseudo-random
 * sample of about MR_CORATE_CAP of them.  The sample depends only on (user, item), so the pair
 * counts stay symmetric.  On ml-latest-small (largest user: 2,698 ratings) few users are
 * sampled; on ml-25m it bounds the fit to roughly n_users * CAP^2 steps. */
#ifndef MOVIEREC_CORATE_CAP_H
#define MOVIEREC_CORATE_CAP_H

#include <stdint.h>

#define MR_CORATE_CAP 2000

/* 1 when user u (with n_u ratings) takes part with item i in co-rating counts. */
static inline int mr_corate_keep(int32_t u, int32_t i, int64_t n_u)
{
    if (n_u <= MR_CORATE_CAP)
        return 1;
    uint64_t z = ((uint64_t)(uint32_t)u << 32 | (uint32_t)i) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (z % (uint64_t)n_u) < MR_CORATE_CAP;
}

#endif
