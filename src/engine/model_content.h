/* model_content.h — private: what the content model offers beyond struct mr_model_ops. */
#ifndef MOVIEREC_MODEL_CONTENT_H
#define MOVIEREC_MODEL_CONTENT_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/model.h"

/* How far the match with the user's profile tilts popularity (params.alpha): the score is
 * ln(ratings + 1) + alpha * cosine.  Alone, the tilt that ranks best on a validation split of
 * ml-latest-small (a stronger one loses to plain popularity there).  Inside the hybrid, which
 * has popularity components of its own and uses content for taste, a stronger one: with 1.5,
 * content's top 5 for five horror films, or five war films, held 2 of the kind (the most
 * popular films took the rest); with 3.0, 5 (test_hybrid_coldstart). */
#define MR_CONTENT_TILT        1.5
#define MR_CONTENT_HYBRID_TILT 3.0

/* For a fitted content model m: writes into buf the names of up to three features that films
 * item and other share, in feature order (genres, then decade, then tags in quotes), e.g.
 * "Horror, Thriller, \"zombies\"".  Returns how many were named (0, buf = "", when none or
 * an index is out of range). */
int mr_content_shared(const struct mr_model *m, int32_t item, int32_t other, char *buf, size_t len);

#endif
