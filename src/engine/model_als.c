/* model_als.c — biased matrix factorisation fitted by alternating least squares on explicit
 * ratings with weighted-lambda regularisation (ALS-WR).
 *
 * Each half-step solves, for every user (then every item), the ridge regression of
 * foldin.h: features are the other side's rows (q, 1) or (p, 1), targets r - mu - b_other,
 * regularisation lambda * n_ratings.  The constant column makes the bias come out of the
 * same solve.  The user half-step is exactly the fold-in a live user gets, so a data-set
 * user folded in matches training.  Rows are independent, so the work is split over
 * threads by rows and the result does not depend on the thread count. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "foldin.h"
#include "mf.h"
#include "models.h"

#define ALS_CHUNK   16 /* rows taken by a worker at a time */
#define ALS_INIT_SD 0.1f

/* One half-step: solve every row of `out` from the CSR/CSC slice `ptr/idx/vals`. */
struct als_step {
    int32_t n_rows;
    const int64_t *ptr;
    const int32_t *idx;
    const uint8_t *vals;
    const float *other;      /* the fixed side: rows (x, 1), stride dim */
    const float *other_bias; /* its biases */
    float *out;              /* the side being solved: rows (x, 1), stride dim */
    float *out_bias;
    int dim;
    double mu, lambda;
    int64_t max_degree;
    atomic_int next; /* next row chunk to take */
    atomic_int failed;
};

static void *als_worker(void *arg)
{
    struct als_step *st = arg;
    size_t d = (size_t)st->dim;
    size_t maxdeg = st->max_degree > 0 ? (size_t)st->max_degree : 1;
    double *t = malloc(maxdeg * sizeof *t);
    double *work = malloc((MR_RIDGE_WORK(d) + d) * sizeof *work);
    if (!t || !work) {
        free(t);
        free(work);
        atomic_store(&st->failed, 1);
        return NULL;
    }
    double *sol = work + MR_RIDGE_WORK(d);
    for (;;) {
        int32_t start = atomic_fetch_add(&st->next, ALS_CHUNK);
        if (start >= st->n_rows)
            break;
        int32_t end = start + ALS_CHUNK < st->n_rows ? start + ALS_CHUNK : st->n_rows;
        for (int32_t row = start; row < end; row++) {
            int64_t lo = st->ptr[row], n = st->ptr[row + 1] - lo;
            for (int64_t j = 0; j < n; j++)
                t[j] = st->vals[lo + j] / 2.0 - st->mu - st->other_bias[st->idx[lo + j]];
            if (mr_ridge_solve(st->other, st->dim, st->idx + lo, t, n, st->lambda, sol, work))
                memset(sol, 0, d * sizeof *sol);
            float *x = st->out + (size_t)row * d;
            for (size_t a = 0; a + 1 < d; a++)
                x[a] = (float)sol[a];
            x[d - 1] = 1.0f;
            st->out_bias[row] = (float)sol[d - 1];
        }
    }
    free(t);
    free(work);
    return NULL;
}

/* Runs one half-step on n_threads threads. */
static int als_run(struct als_step *st, int n_threads)
{
    atomic_store(&st->next, 0);
    atomic_store(&st->failed, 0);
    mr_mf_run_threads(als_worker, st, n_threads);
    return atomic_load(&st->failed) ? -1 : 0;
}

static int64_t max_degree(const int64_t *ptr, int32_t n)
{
    int64_t best = 0;
    for (int32_t i = 0; i < n; i++)
        if (ptr[i + 1] - ptr[i] > best)
            best = ptr[i + 1] - ptr[i];
    return best;
}

static void als_defaults(struct mr_params *p)
{
    /* Tuned on a validation split of an 80% training part of ml-latest-small. */
    p->factors = 64;
    p->epochs = 8;
    p->reg = 0.12;
    p->shrink = 20;
}

static int als_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_params *p = &m->params;
    const struct mr_ratings *r = m->ratings;
    if (p->factors < 1 || p->factors > MR_MF_MAX_FACTORS || p->epochs < 1 || !(p->reg > 0) ||
        !isfinite(p->reg) || !(p->shrink >= 0))
        return mr_error_set(err, MR_EUSAGE, NULL, 0,
                            "als: need 1..%d factors, epochs >= 1, reg > 0, shrink >= 0",
                            MR_MF_MAX_FACTORS);
    struct mr_mf *mf = mr_mf_new(p->factors, r->n_items);
    size_t nu = r->n_users > 0 ? (size_t)r->n_users : 1;
    float *users = mf ? malloc(nu * (size_t)mf->dim * sizeof *users) : NULL;
    float *user_bias = calloc(nu, sizeof *user_bias);
    if (!mf || !users || !user_bias) {
        mr_mf_free(mf);
        free(users);
        free(user_bias);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "als: out of memory");
    }
    mf->mu = r->global_mean;
    mf->lambda = p->reg;
    mf->shrink = p->shrink;
    struct mr_splitmix g;
    mr_splitmix_seed(&g, p->seed);
    /* Items nobody rated never enter a solve; mr_mf_install() makes them neutral. */
    mr_mf_random_rows(mf->own_items, r->n_items, mf->dim, ALS_INIT_SD, &g);

    struct als_step user_step = {.n_rows = r->n_users,
                                 .ptr = r->user_ptr,
                                 .idx = r->user_items,
                                 .vals = r->user_vals,
                                 .other = mf->items,
                                 .other_bias = mf->bias,
                                 .out = users,
                                 .out_bias = user_bias,
                                 .dim = mf->dim,
                                 .mu = mf->mu,
                                 .lambda = mf->lambda,
                                 .max_degree = max_degree(r->user_ptr, r->n_users)};
    struct als_step item_step = {.n_rows = r->n_items,
                                 .ptr = r->item_ptr,
                                 .idx = r->item_users,
                                 .vals = r->item_vals,
                                 .other = users,
                                 .other_bias = user_bias,
                                 .out = mf->own_items,
                                 .out_bias = mf->own_bias,
                                 .dim = mf->dim,
                                 .mu = mf->mu,
                                 .lambda = mf->lambda,
                                 .max_degree = max_degree(r->item_ptr, r->n_items)};
    int threads = mr_mf_threads(p->threads, r->n_items / ALS_CHUNK + 1);
    int rc = 0;
    for (int e = 0; e < p->epochs && rc == 0; e++) {
        rc = als_run(&user_step, threads);
        if (rc == 0)
            rc = als_run(&item_step, threads);
        if (m->progress)
            m->progress(m->progress_ctx, "als", (e + 1.0) / p->epochs);
    }
    free(users);
    free(user_bias);
    if (rc != 0) {
        mr_mf_free(mf);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "als: out of memory");
    }
    return mr_mf_install(m, mf, err);
}

const struct mr_model_ops mr_model_als = {
    .name = "als",
    .description = "matrix factorisation by alternating least squares (biased, weighted lambda)",
    .defaults = als_defaults,
    .fit = als_fit,
    MR_MF_SHARED_OPS,
};
