/* model_content.h — private: what the content model offers beyond struct mr_model_ops. */
#ifndef MOVIEREC_MODEL_CONTENT_H
#define MOVIEREC_MODEL_CONTENT_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/model.h"

/* For a fitted content model m: writes into buf the names of up to three features that films
 * item and other share, in feature order (genres, then decade, then tags in quotes), e.g.
 * "Horror, Thriller, \"zombies\"".  Returns how many were named (0, buf = "", when none or
 * an index is out of range). */
int mr_content_shared(const struct mr_model *m, int32_t item, int32_t other, char *buf, size_t len);

#endif
