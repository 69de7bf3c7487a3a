/* model_sgd.c — biased matrix factorisation fitted by stochastic gradient descent (Funk SVD,
 * what Surprise calls SVD): for each rating in a shuffled order,
 *     e = r - (mu + b_u + b_i + p_u · q_i)
 *     b_u += lr (e - reg b_u)          b_i += lr (e - reg b_i)
 *     p_u += lr (e q_i - reg p_u)      q_i += lr (e p_u - reg q_i)
 * Only the item side is kept.  Per rating the objective is e² + reg (|p_u|² + b_u² + ...), so
 * summed over a user's n ratings the user's part is the weighted-lambda ridge problem with
 * lambda = reg: users are folded in with exactly that (mf.h).
 *
 * In parallel without races or timing effects (stratified SGD): users and items are dealt
 * into SGD_BLOCKS blocks each, which cuts the ratings into SGD_BLOCKS² cells.  An epoch is
 * SGD_BLOCKS strata in a shuffled order; stratum s holds the cells (b, (b + s) mod
 * SGD_BLOCKS), which share no user and no item, so threads take them in any order and the
 * result is the same.  Each cell is shuffled from its own seed (seed, epoch, cell).  The
 * block count is a constant, not the thread count: the result depends on the seed only. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/linalg.h"
#include "mf.h"
#include "models.h"

#define SGD_INIT_SD 0.1f
#define SGD_BLOCKS  16 /* user blocks = item blocks; SGD_BLOCKS² cells */
#define SGD_CELLS   (SGD_BLOCKS * SGD_BLOCKS)
#define SGD_AHEAD   4 /* ratings ahead whose rows are fetched early */

/* One rating as a cell holds it: user index, and item index << 4 | half stars. */
struct sgd_rating {
    uint32_t user;
    uint32_t item_half;
};

/* A fit in progress: what the workers of one stratum share. */
struct sgd_run {
    const int64_t *cell_ptr;  /* SGD_CELLS + 1: cell c is order[cell_ptr[c] .. cell_ptr[c+1]) */
    struct sgd_rating *order; /* the ratings grouped by cell, each shuffled in place per epoch */
    float *users, *user_bias, *items, *item_bias;
    int k, dim;
    float mu, lr, reg;
    uint64_t epoch_seed; /* this epoch's: cell c is shuffled from epoch_seed and c */
    int stratum;
    atomic_int next; /* next block of the stratum to take */
};

static void sgd_defaults(struct mr_params *p)
{
    /* Tuned on a validation split of an 80% training part of ml-latest-small. */
    p->factors = 100;
    p->epochs = 30;
    p->lr = 0.015;
    p->reg = 0.1;
    p->shrink = 20;
}

/* Shuffles x[0..n) with Fisher-Yates from g. */
static void shuffle(struct sgd_rating *x, int64_t n, struct mr_splitmix *g)
{
    for (int64_t k = n - 1; k > 0; k--) {
        int64_t j = (int64_t)(mr_splitmix_next(g) % (uint64_t)(k + 1));
        struct sgd_rating t = x[k];
        x[k] = x[j];
        x[j] = t;
    }
}

/* Hints that the row at x will be written soon (nothing on compilers without the hint). */
static void prefetch_row(const float *x, int dim)
{
#if defined(__GNUC__)
    for (int a = 0; a < dim; a += 16)
        __builtin_prefetch(x + a, 1);
#else
    (void)x;
    (void)dim;
#endif
}

/* One SGD pass over the n ratings of x, in order. */
static void sgd_cell(const struct sgd_run *run, const struct sgd_rating *x, int64_t n)
{
    int k = run->k;
    size_t dim = (size_t)run->dim;
    float mu = run->mu, lr = run->lr, reg = run->reg;
    for (int64_t j = 0; j < n; j++) {
        if (j + SGD_AHEAD < n) {
            prefetch_row(run->users + x[j + SGD_AHEAD].user * dim, k);
            prefetch_row(run->items + (x[j + SGD_AHEAD].item_half >> 4) * dim, k);
        }
        uint32_t u = x[j].user, i = x[j].item_half >> 4;
        float *restrict pu = run->users + u * dim;
        float *restrict qi = run->items + i * dim;
        float e = (float)(x[j].item_half & 15) * 0.5f -
                  (mu + run->user_bias[u] + run->item_bias[i] + mr_dot_lanes(pu, qi, k));
        run->user_bias[u] += lr * (e - reg * run->user_bias[u]);
        run->item_bias[i] += lr * (e - reg * run->item_bias[i]);
        for (int a = 0; a < k; a++) {
            float pa = pu[a], qa = qi[a];
            pu[a] += lr * (e * qa - reg * pa);
            qi[a] += lr * (e * pa - reg * qa);
        }
    }
}

/* A worker: takes the stratum's cells one at a time, shuffles each from its own seed and
 * runs it.  Cells of one stratum share no user and no item. */
static void *sgd_worker(void *arg)
{
    struct sgd_run *run = arg;
    for (;;) {
        int b = atomic_fetch_add(&run->next, 1);
        if (b >= SGD_BLOCKS)
            break;
        int cell = b * SGD_BLOCKS + (b + run->stratum) % SGD_BLOCKS;
        int64_t lo = run->cell_ptr[cell], n = run->cell_ptr[cell + 1] - lo;
        struct mr_splitmix g;
        mr_splitmix_seed(&g, run->epoch_seed ^ ((uint64_t)cell * 0x9e3779b97f4a7c15ULL));
        shuffle(run->order + lo, n, &g);
        sgd_cell(run, run->order + lo, n);
    }
    return NULL;
}

/* The cell of user u and item i. */
static int cell_of(uint32_t u, uint32_t i)
{
    return (int)(u % SGD_BLOCKS) * SGD_BLOCKS + (int)(i % SGD_BLOCKS);
}

/* Deals the ratings of r into cells: fills ratings (n_ratings entries, grouped by cell, each
 * cell in CSR order) and cell_ptr. */
static void deal_cells(const struct mr_ratings *r, struct sgd_rating *ratings, int64_t *cell_ptr)
{
    int64_t fill[SGD_CELLS] = {0};
    for (int32_t u = 0; u < r->n_users; u++)
        for (int64_t pos = r->user_ptr[u]; pos < r->user_ptr[u + 1]; pos++)
            fill[cell_of((uint32_t)u, (uint32_t)r->user_items[pos])]++;
    cell_ptr[0] = 0;
    for (int c = 0; c < SGD_CELLS; c++) {
        cell_ptr[c + 1] = cell_ptr[c] + fill[c];
        fill[c] = cell_ptr[c];
    }
    for (int32_t u = 0; u < r->n_users; u++)
        for (int64_t pos = r->user_ptr[u]; pos < r->user_ptr[u + 1]; pos++) {
            uint32_t i = (uint32_t)r->user_items[pos];
            ratings[fill[cell_of((uint32_t)u, i)]++] =
                (struct sgd_rating){(uint32_t)u, i << 4 | r->user_vals[pos]};
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
    if (r->n_items >= (1 << 28))
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "sgd: too many items (%d)", (int)r->n_items);
    struct mr_mf *mf = mr_mf_new(p->factors, r->n_items);
    size_t nu = r->n_users > 0 ? (size_t)r->n_users : 1;
    size_t nr = r->n_ratings > 0 ? (size_t)r->n_ratings : 1;
    float *users = mf ? malloc(nu * (size_t)mf->dim * sizeof *users) : NULL;
    float *user_bias = calloc(nu, sizeof *user_bias);
    struct sgd_rating *order = malloc(nr * sizeof *order);
    int64_t cell_ptr[SGD_CELLS + 1];
    if (!mf || !users || !user_bias || !order) {
        mr_mf_free(mf);
        free(users);
        free(user_bias);
        free(order);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "sgd: out of memory");
    }
    mf->mu = r->global_mean;
    mf->lambda = p->reg;
    mf->shrink = p->shrink;
    deal_cells(r, order, cell_ptr);

    struct mr_splitmix g;
    mr_splitmix_seed(&g, p->seed);
    /* Users first, then items, from one stream: a fixed function of the seed.  User rows use
     * the items' stride; their constant last column is not used. */
    mr_mf_random_rows(users, r->n_users, mf->dim, SGD_INIT_SD, &g);
    mr_mf_random_rows(mf->own_items, r->n_items, mf->dim, SGD_INIT_SD, &g);

    struct sgd_run run = {.cell_ptr = cell_ptr,
                          .order = order,
                          .users = users,
                          .user_bias = user_bias,
                          .items = mf->own_items,
                          .item_bias = mf->own_bias,
                          .k = mf->k,
                          .dim = mf->dim,
                          .mu = (float)mf->mu,
                          .lr = (float)p->lr,
                          .reg = (float)p->reg};
    int threads = mr_mf_threads(p->threads, r->n_ratings > 0 ? SGD_BLOCKS : 1);
    for (int e = 0; e < p->epochs; e++) {
        int strata[SGD_BLOCKS];
        for (int s = 0; s < SGD_BLOCKS; s++)
            strata[s] = s;
        for (int s = SGD_BLOCKS - 1; s > 0; s--) {
            int j = (int)(mr_splitmix_next(&g) % (uint64_t)(s + 1)), t = strata[s];
            strata[s] = strata[j];
            strata[j] = t;
        }
        run.epoch_seed = mr_splitmix_next(&g);
        for (int s = 0; s < SGD_BLOCKS; s++) {
            run.stratum = strata[s];
            atomic_store(&run.next, 0);
            mr_mf_run_threads(sgd_worker, &run, threads);
        }
        if (m->progress)
            m->progress(m->progress_ctx, "sgd", (e + 1.0) / p->epochs);
    }
    free(users);
    free(user_bias);
    free(order);
    /* Items nobody rated only ever saw their random start: mr_mf_install() makes them
     * neutral. */
    return mr_mf_install(m, mf, err);
}

const struct mr_model_ops mr_model_sgd = {
    .name = "sgd",
    .description = "matrix factorisation by stochastic gradient descent (biased, Funk SVD)",
    .defaults = sgd_defaults,
    .fit = sgd_fit,
    MR_MF_SHARED_OPS,
};
