/* pop.h — private: what the popularity model offers beyond struct mr_model_ops. */
#ifndef MOVIEREC_POP_H
#define MOVIEREC_POP_H

#include <stdint.h>
#include "movierec/model.h"

/* Writes up to n good-and-popular items for a person with no ratings into out, spread over
 * genres: walking down the popularity score, an item whose genres were already picked is
 * discounted by how often they were (so the first picks are not all dramas).  Items with
 * exclude[item] != 0 (exclude may be NULL) are skipped.  m must be a fitted "pop" model.
 * Returns how many were written, or -1 when out of memory. */
int mr_pop_diverse(const struct mr_model *m, const uint8_t *exclude, int n, int32_t *out);

#endif
