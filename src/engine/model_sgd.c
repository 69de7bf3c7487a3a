/* model_sgd.c — biased matrix factorisation fitted by stochastic gradient descent (Funk SVD,
 * what Surprise calls SVD): for each rating in a shuffled order,
 *     e = r - (mu + b_u + b_i + p_u · q_i)
 *     b_u += lr (e - reg b_u)          b_i += lr (e - reg b_i)
 *     p_u += lr (e q_i - reg p_u)      q_i += lr (e p_u - reg q_i)
 * Only the item side is kept.  Per rating the objective is e² + reg (|p_u|² + b_u² + ...), so
 * summed over a user's n ratings the user's part is the weighted-lambda ridge problem with
 * lambda = reg: users are folded in with exactly that (mf.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/linalg.h"
#include "mf.h"
#include "models.h"

#define SGD_INIT_SD 0.1f

static void sgd_defaults(struct mr_params *p)
{
    /* Tuned on a validation split of an 80% training part of ml-latest-small. */
    p->factors = 100;
    p->epochs = 30;
    p->lr = 0.015;
    p->reg = 0.1;
    p->shrink = 20;
}

/* Shuffles order[0..n) with Fisher-Yates from g. */
static void shuffle(uint32_t *order, int64_t n, struct mr_splitmix *g)
{
    for (int64_t k = n - 1; k > 0; k--) {
        int64_t j = (int64_t)(mr_splitmix_next(g) % (uint64_t)(k + 1));
        uint32_t t = order[k];
        order[k] = order[j];
        order[j] = t;
    }
}

/* One pass over the ratings in order. */
static void sgd_epoch(struct mr_mf *mf, const struct mr_ratings *r, const int32_t *rating_user,
                      const uint32_t *order, float *users, float *user_bias, float lr, float reg)
{
    int k = mf->k;
    float mu = (float)mf->mu;
    for (int64_t n = 0; n < r->n_ratings; n++) {
        uint32_t pos = order[n];
        int32_t u = rating_user[pos], i = r->user_items[pos];
        float *pu = users + (size_t)u * mf->dim;
        float *qi = mf->items + (size_t)i * mf->dim;
        float e = r->user_vals[pos] * 0.5f - (mu + user_bias[u] + mf->bias[i] + mr_dot(pu, qi, k));
        user_bias[u] += lr * (e - reg * user_bias[u]);
        mf->bias[i] += lr * (e - reg * mf->bias[i]);
        for (int a = 0; a < k; a++) {
            float pa = pu[a], qa = qi[a];
            pu[a] += lr * (e * qa - reg * pa);
            qi[a] += lr * (e * pa - reg * qa);
        }
    }
}

static int sgd_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_params *p = &m->params;
    const struct mr_ratings *r = m->ratings;
    if (p->factors < 1 || p->factors > MR_MF_MAX_FACTORS || p->epochs < 1 || !(p->lr > 0) ||
        !(p->lr < 1) || !(p->reg > 0) || !isfinite(p->reg) || !(p->shrink >= 0))
        return mr_error_set(err, MR_EUSAGE, NULL, 0,
                            "sgd: need 1..%d factors, epochs >= 1, 0 < lr < 1, reg > 0, "
                            "shrink >= 0",
                            MR_MF_MAX_FACTORS);
    if (r->n_ratings > (int64_t)UINT32_MAX)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "sgd: too many ratings (%lld)",
                            (long long)r->n_ratings);
    struct mr_mf *mf = mr_mf_new(p->factors, r->n_items);
    size_t nu = r->n_users > 0 ? (size_t)r->n_users : 1;
    size_t nr = r->n_ratings > 0 ? (size_t)r->n_ratings : 1;
    float *users = mf ? malloc(nu * (size_t)mf->dim * sizeof *users) : NULL;
    float *user_bias = calloc(nu, sizeof *user_bias);
    int32_t *rating_user = malloc(nr * sizeof *rating_user);
    uint32_t *order = malloc(nr * sizeof *order);
    if (!mf || !users || !user_bias || !rating_user || !order) {
        mr_mf_free(mf);
        free(users);
        free(user_bias);
        free(rating_user);
        free(order);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "sgd: out of memory");
    }
    mf->mu = r->global_mean;
    mf->lambda = p->reg;
    mf->shrink = p->shrink;
    for (int32_t u = 0; u < r->n_users; u++)
        for (int64_t pos = r->user_ptr[u]; pos < r->user_ptr[u + 1]; pos++)
            rating_user[pos] = u;
    for (int64_t n = 0; n < r->n_ratings; n++)
        order[n] = (uint32_t)n;

    struct mr_splitmix g;
    mr_splitmix_seed(&g, p->seed);
    /* Users first, then items, from one stream: a fixed function of the seed.  User rows use
     * the items' stride; their constant last column is not used. */
    mr_mf_random_rows(users, r->n_users, mf->dim, SGD_INIT_SD, &g);
    mr_mf_random_rows(mf->items, r->n_items, mf->dim, SGD_INIT_SD, &g);

    for (int e = 0; e < p->epochs; e++) {
        shuffle(order, r->n_ratings, &g);
        sgd_epoch(mf, r, rating_user, order, users, user_bias, (float)p->lr, (float)p->reg);
        if (m->progress)
            m->progress(m->progress_ctx, "sgd", (e + 1.0) / p->epochs);
    }
    /* Items nobody rated only ever saw their random start: make them neutral. */
    for (int32_t i = 0; i < r->n_items; i++)
        if (r->item_count[i] == 0) {
            memset(mf->items + (size_t)i * mf->dim, 0, (size_t)mf->k * sizeof *mf->items);
            mf->bias[i] = 0;
        }
    free(users);
    free(user_bias);
    free(rating_user);
    free(order);
    mr_mf_finish(mf);
    mr_mf_free(m->impl);
    m->impl = mf;
    return MR_OK;
}

const struct mr_model_ops mr_model_sgd = {
    .name = "sgd",
    .description = "matrix factorisation by stochastic gradient descent (biased, Funk SVD)",
    .defaults = sgd_defaults,
    .fit = sgd_fit,
    .user_new = mr_mf_user_new,
    .user_free = mr_mf_user_free,
    .user_update = mr_mf_user_update,
    .score = mr_mf_score,
    .predict = mr_mf_predict,
    .explain = mr_mf_explain,
    .similar = mr_mf_similar,
    .save = mr_mf_save,
    .load = mr_mf_load,
    .destroy = mr_mf_destroy,
};
