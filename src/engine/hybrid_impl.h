/* hybrid_impl.h — private: the hybrid model's fitted state, shared by model_hybrid.c (the
 * model operations) and hybrid_tune.c (fitting the weights). */
#ifndef MOVIEREC_HYBRID_IMPL_H
#define MOVIEREC_HYBRID_IMPL_H

#include <stdint.h>
#include "movierec/hybrid.h"
#include "movierec/model.h"

struct hybrid {
    int n;                                          /* components */
    struct mr_model *comp[MR_HYBRID_MAX];           /* fitted, owned */
    float rank_w[MR_HYBRID_BUCKETS][MR_HYBRID_MAX]; /* ranking blend, >= 0, per bucket */
    double pred_w[MR_HYBRID_MAX + 1];               /* intercept, then per component */
    float sim_w[MR_HYBRID_MAX];                     /* similar() blend, >= 0 */
    double sim_shrink;                              /* similar(): support n / (n + shrink) */
    float *support; /* n_items: that support factor per item (owned; see mr_hybrid_set_support) */
    int has_report; /* report is from this process's tuning */
    struct mr_hybrid_report report;
};

/* Names of the models the hybrid uses when they exist, in this order. */
extern const char *const mr_hybrid_component_names[];

/* z-normalises one component's scores over the catalog: *mean and *inv_sd (0 when the scores
 * are constant) such that z = (s - mean) * inv_sd.  Non-finite scores are left out. */
void mr_hybrid_zstats(const float *s, int32_t n, float *mean, float *inv_sd);

/* z of one score; a non-finite score counts as 3 standard deviations below the mean. */
static inline float mr_hybrid_z(float s, float mean, float inv_sd)
{
    return s == s && s > -3.0e38f && s < 3.0e38f ? (s - mean) * inv_sd : -3.0f;
}

/* Scales one component's similarities to [0, 1] by their maximum over the items other than
 * item (non-finite and negative values become 0).  Returns 0, or -1 when none is positive. */
int mr_hybrid_sim_scale(float *sims, int32_t n, int32_t item);

/* Recomputes h->support from sim_shrink and the item counts of r.  Returns 0, or -1 when out
 * of memory (support is then NULL and similar() computes the factor itself). */
int mr_hybrid_set_support(struct hybrid *h, const struct mr_ratings *r);

/* Creates the hybrid's components (each with its own default parameters, the hybrid's
 * thread count) over catalog c and ratings r, unfitted.  Returns the count, or -1 when out of
 * memory (nothing left allocated). */
int mr_hybrid_new_components(const struct mr_model *hybrid, const struct mr_ratings *r,
                             struct mr_model **out);

#endif
