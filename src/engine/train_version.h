/* train_version.h — private: the version of each model's training code.
 *
 * A cached model is found again only when its data, its parameters and these numbers are
 * those it was written with: cache.c folds every number of this table into every model's
 * parameter fingerprint (the hybrid fits the other models as its components), so a file
 * written by older training code is stale and the model is retrained at the next start.
 *
 * BUMP A MODEL'S NUMBER in the same commit as any change that makes its fit give other
 * results for the same data and parameters: the training code (model_NAME.c, mf.c, foldin.c,
 * sparse_topk.c), the hybrid's blend tuning (hybrid_tune.c: grids, cases, rules), defaults or
 * constants that are not in struct mr_params.  A change of the file layout bumps
 * MR_CACHE_FORMAT (cache.h) instead; a release bumps neither (its version is folded in too).
 *
 * History: hybrid 2 = the 1-4 bucket tuned on focused profiles (session 2); hybrid 3 = the
 * 5-19 bucket tuned on focused profiles too, content scored in log space with a stronger tilt
 * inside the hybrid; content 2 = log-space scores (same order); hybrid 4 = als and sgd score
 * through int8 factors (mf_scan.h), which the blend tuning sees; hybrid 5 = those int8
 * values rounded half away from zero (were half to even). */
#ifndef MOVIEREC_TRAIN_VERSION_H
#define MOVIEREC_TRAIN_VERSION_H

#include <stdint.h>
#include "movierec/model.h"

struct mr_train_version {
    const char *model; /* ops->name */
    uint32_t version;
};

/* The current numbers, one per registered model, ended by {NULL, 0}. */
extern const struct mr_train_version mr_train_versions[];

/* mr_cache_params_fingerprint() as computed with the training versions in versions (ended by
 * {NULL, 0}): lets a test make the fingerprint of a file written by other training code. */
uint64_t mr_cache_params_fingerprint_with(const char *name, const struct mr_params *p,
                                          const struct mr_train_version *versions);

#endif
