/* topn.h — picking the best N items from a score vector. */
#ifndef MOVIEREC_TOPN_H
#define MOVIEREC_TOPN_H

#include <stdint.h>

struct mr_scored {
    int32_t item;
    float score;
};

/* Writes the n highest-scoring items to out, best first, using a bounded heap (O(items log n)).
 * Ties go to the lower item index.  Items with exclude[item] != 0 (exclude may be NULL) and
 * items whose score is NaN or -INFINITY are skipped.  Returns how many were written (<= n). */
int mr_topn(const float *scores, int32_t n_items, const uint8_t *exclude, int n,
            struct mr_scored *out);

#endif
