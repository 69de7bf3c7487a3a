/* hybrid.h — the hybrid model's tuning and what it learned.
 *
 * The hybrid ("hybrid" in the model registry) holds one fitted model of each other kind and
 * blends them:
 *   ranking     each component's scores are z-normalised over the catalog and summed with
 *               non-negative weights chosen per bucket of the user's rating count
 *               (0, 1-4, 5-19, 20+);
 *   prediction  a linear blend (intercept + one weight per component with predict());
 *   similar     each component's similarities scaled to [0, 1] by their maximum, summed with
 *               weights, times a support factor n / (n + shrink) of the candidate's count.
 * Every weight is fitted on validation data carved out of the training data, never guessed:
 * mr_hybrid_tune() does it, and fit calls it. */
#ifndef MOVIEREC_HYBRID_H
#define MOVIEREC_HYBRID_H

#include <stdint.h>
#include <stddef.h>
#include "movierec/error.h"
#include "movierec/model.h"
#include "movierec/ratings.h"

#define MR_HYBRID_MAX     8 /* components at most */
#define MR_HYBRID_BUCKETS 4 /* rating-count buckets: 0, 1-4, 5-19, 20+ */

/* Bucket of a user with n ratings: 0 for none, 1 for 1-4, 2 for 5-19, 3 for 20 or more. */
int mr_hybrid_bucket(int32_t n);

/* What tuning measured on its validation split (all NDCG@10; NaN when not measured). */
struct mr_hybrid_report {
    int n_components;
    const char *names[MR_HYBRID_MAX];
    int32_t n_cases[MR_HYBRID_BUCKETS]; /* validation users ranked per bucket */
    double single_ndcg[MR_HYBRID_BUCKETS][MR_HYBRID_MAX];
    double blend_ndcg[MR_HYBRID_BUCKETS];
    double weights[MR_HYBRID_BUCKETS][MR_HYBRID_MAX];
    int64_t n_pairs; /* validation ratings predicted */
    double single_rmse[MR_HYBRID_MAX];
    double blend_rmse;
    double pred_weights[MR_HYBRID_MAX + 1]; /* intercept, then per component */
    int32_t n_sim_cases;
    double sim_single_ndcg[MR_HYBRID_MAX];
    double sim_blend_ndcg;
    double sim_weights[MR_HYBRID_MAX];
    double sim_shrink;
};

/* Fits the hybrid's blend weights on validation data: train (normally hybrid->ratings) is cut
 * per user (users with 5+ ratings lose a seeded 20% to validation; seed = params.seed; above
 * 5M ratings only a seeded sample of users holding about 5M takes part), the components are
 * fitted afresh on the rest, validation users are ranked with profiles of each
 * bucket's size (for 1-4 ratings, profiles of one genre the user favours instead, whose lists
 * count only when 3 of their top 5 are of that genre: the cold-start promise of issue #3; for
 * 5-19 ratings, both random profiles and such profiles of 5-9 films),
 * and the weights that maximise NDCG@10 per bucket are found by coordinate
 * ascent from the best single component; the prediction blend by least squares; the
 * similar() blend by NDCG@10 of "liked one, liked another".  The hybrid's own (fitted)
 * components are not touched; only its weights change.  report may be NULL.
 * Returns MR_OK, MR_EUSAGE (not a fitted hybrid), MR_ENOMEM or a component's fit error. */
int mr_hybrid_tune(struct mr_model *hybrid, const struct mr_ratings *train,
                   struct mr_hybrid_report *report, struct mr_error *err);

/* Copies what the last mr_hybrid_tune() of this hybrid measured and chose into out.  Returns
 * 0, or -1 when the hybrid was loaded from a cache (or not fitted): no report is kept. */
int mr_hybrid_last_report(const struct mr_model *hybrid, struct mr_hybrid_report *out);

/* The components of a fitted hybrid: their number, and the i-th (borrowed). */
int mr_hybrid_n_components(const struct mr_model *hybrid);
const struct mr_model *mr_hybrid_component(const struct mr_model *hybrid, int i);

/* The hybrid's similar() with attribution: writes sims exactly as ops->similar does and, when
 * source is not NULL, for every item the index of the component contributing most to its
 * similarity (-1: none).  scratch holds 2 * n_items floats (n_items when source is NULL; no
 * allocation here).  Returns 0, or -1 when no component has a notion of similarity for item. */
int mr_hybrid_similar_explained(const struct mr_model *hybrid, int32_t item, float *sims,
                                int8_t *source, float *scratch);

#endif
