/* mf.c — biased matrix factorisation: everything als and sgd share except fitting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/linalg.h"
#include "foldin.h"
#include "mf.h"
#include "rank.h"
#include "reason.h"

#define MF_MAGIC 0x31464d4du /* "MMF1" little-endian: the layout written by mr_mf_save */

/* explain() names a rated film only when its surprise x similarity reaches this. */
#define MF_EXPLAIN_MIN 0.05

/* A user's state: the fold-in problem and its solution as floats for fast scoring.
 * Updates only touch the sums (O(dim²)); the solve (O(dim³)) waits for the next query, so
 * replaying a long profile costs one solve, not one per rating. */
struct mf_user {
    struct mr_foldin fold;
    float *p;  /* dim: p_u then b_u (so p · (q_i, 1) = p_u · q_i + b_u) */
    int stale; /* the sums changed since fold.sol and p were computed */
};

struct mr_mf *mr_mf_new(int k, int32_t n_items)
{
    if (k < 1 || k > MR_MF_MAX_FACTORS || n_items < 0)
        return NULL;
    struct mr_mf *mf = calloc(1, sizeof *mf);
    if (!mf)
        return NULL;
    mf->k = k;
    mf->dim = k + 1;
    mf->n_items = n_items;
    size_t n = n_items > 0 ? (size_t)n_items : 1;
    mf->items = calloc(n * (size_t)mf->dim, sizeof *mf->items);
    mf->bias = calloc(n, sizeof *mf->bias);
    mf->norm = calloc(n, sizeof *mf->norm);
    if (!mf->items || !mf->bias || !mf->norm) {
        mr_mf_free(mf);
        return NULL;
    }
    for (int32_t i = 0; i < n_items; i++)
        mf->items[(size_t)i * mf->dim + k] = 1.0f;
    return mf;
}

void mr_mf_free(struct mr_mf *mf)
{
    if (!mf)
        return;
    free(mf->items);
    free(mf->bias);
    free(mf->norm);
    free(mf);
}

/* A standard normal draw (Box-Muller, one output per pair of uniforms). */
static double gauss(struct mr_splitmix *g)
{
    double u1 = ((double)(mr_splitmix_next(g) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (double)(mr_splitmix_next(g) >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void mr_mf_random_rows(float *X, int64_t n, int dim, float sd, struct mr_splitmix *g)
{
    for (int64_t i = 0; i < n; i++) {
        float *x = X + (size_t)i * dim;
        for (int a = 0; a < dim - 1; a++)
            x[a] = (float)(sd * gauss(g));
        x[dim - 1] = 1.0f;
    }
}

void mr_mf_finish(struct mr_mf *mf)
{
    for (int32_t i = 0; i < mf->n_items; i++) {
        const float *q = mf->items + (size_t)i * mf->dim;
        mf->norm[i] = sqrtf(mr_dot(q, q, mf->k));
    }
}

static const struct mr_mf *model_mf(const struct mr_model *m)
{
    return m->impl;
}

void *mr_mf_user_new(const struct mr_model *m)
{
    const struct mr_mf *mf = model_mf(m);
    if (!mf)
        return NULL;
    struct mf_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = calloc((size_t)mf->dim, sizeof *s->p);
    if (!s->p || mr_foldin_init(&s->fold, mf->dim, mf->lambda) != 0) {
        free(s->p);
        free(s);
        return NULL;
    }
    return s;
}

void mr_mf_user_free(const struct mr_model *m, void *state)
{
    (void)m;
    struct mf_user *s = state;
    if (!s)
        return;
    mr_foldin_free(&s->fold);
    free(s->p);
    free(s);
}

/* Target of a rating of item in half stars: what the user's part must explain. */
static double target(const struct mr_mf *mf, int32_t item, int half)
{
    return half / 2.0 - mf->mu - mf->bias[item];
}

void mr_mf_user_update(const struct mr_model *m, void *state, const struct mr_user *u, int32_t item,
                       int old_half, int new_half)
{
    (void)u;
    const struct mr_mf *mf = model_mf(m);
    struct mf_user *s = state;
    if (!mf || !s || item < 0 || item >= mf->n_items || old_half == new_half)
        return;
    const float *x = mf->items + (size_t)item * mf->dim;
    if (old_half == 0)
        mr_foldin_add(&s->fold, x, target(mf, item, new_half));
    else if (new_half == 0)
        mr_foldin_remove(&s->fold, x, target(mf, item, old_half));
    else
        mr_foldin_retarget(&s->fold, x, (new_half - old_half) / 2.0);
    s->stale = 1;
}

/* The state with its solution current.  Queries take the state as const: its ratings do not
 * change, but the solution is a cache refreshed here on first use after an update (so one
 * state must not be queried from two threads at once). */
static const struct mf_user *current(const void *state)
{
    struct mf_user *s = (struct mf_user *)state;
    if (s->stale) {
        mr_foldin_solve(&s->fold);
        for (int a = 0; a < s->fold.dim; a++)
            s->p[a] = (float)s->fold.sol[a];
        s->stale = 0;
    }
    return s;
}

void mr_mf_score(const struct mr_model *m, const void *state, const struct mr_user *u,
                 float *scores)
{
    (void)u;
    const struct mr_mf *mf = model_mf(m);
    const struct mf_user *s = current(state);
    const int32_t *count = m->ratings->item_count;
    float base = (float)mf->mu + s->p[mf->k]; /* mu + b_u */
    for (int32_t i = 0; i < mf->n_items; i++)
        scores[i] = mr_rank_score(
            base, mf->bias[i] + mr_dot(s->p, mf->items + (size_t)i * mf->dim, mf->k), count[i]);
}

double mr_mf_predict(const struct mr_model *m, const void *state, const struct mr_user *u,
                     int32_t item)
{
    (void)u;
    const struct mr_mf *mf = model_mf(m);
    const struct mf_user *s = current(state);
    if (item < 0 || item >= mf->n_items)
        return mf->mu;
    const float *x = mf->items + (size_t)item * mf->dim;
    double v = mf->mu + mf->bias[item];
    for (int a = 0; a < mf->dim; a++)
        v += s->fold.sol[a] * x[a];
    return v;
}

/* Similarity of items i and j: the cosine of their factor vectors, shrunk by the smaller
 * rating count n as cosine * n / (n + shrink); 0 when either has no factors. */
static double item_similarity(const struct mr_mf *mf, const int32_t *count, int32_t i, int32_t j)
{
    float ni = mf->norm[i], nj = mf->norm[j];
    if (ni <= 0 || nj <= 0 || count[i] <= 0 || count[j] <= 0)
        return 0;
    double support = count[j] < count[i] ? count[j] : count[i];
    double cosine =
        mr_dot(mf->items + (size_t)i * mf->dim, mf->items + (size_t)j * mf->dim, mf->k) /
        ((double)ni * nj);
    return cosine * support / (support + mf->shrink);
}

/* The rated item that speaks most for item, or -1: the largest of (how much more the user
 * liked j than the baseline mu + b_u + b_j expected) x (similarity of j to item), over the
 * items the user liked more than expected.  *gain receives that product. */
static int32_t strongest_rated(const struct mr_model *m, const struct mf_user *s,
                               const struct mr_user *u, int32_t item, double *gain)
{
    const struct mr_mf *mf = model_mf(m);
    double user_bias = s->fold.sol[mf->k];
    int32_t best = -1;
    double best_gain = 0;
    for (int32_t j = 0; j < u->n; j++) {
        int32_t it = u->items[j];
        if (it == item || it < 0 || it >= mf->n_items)
            continue;
        double surprise = target(mf, it, u->vals[j]) - user_bias;
        if (surprise <= 0)
            continue;
        double c = surprise * item_similarity(mf, m->ratings->item_count, it, item);
        if (c > best_gain) {
            best_gain = c;
            best = it;
        }
    }
    *gain = best_gain;
    return best;
}

int mr_mf_explain(const struct mr_model *m, const void *state, const struct mr_user *u,
                  int32_t item, char *buf, size_t len)
{
    const struct mr_mf *mf = model_mf(m);
    const struct mf_user *s = state ? current(state) : NULL;
    if (len)
        buf[0] = '\0';
    if (!mf || !s || !len || item < 0 || item >= mf->n_items)
        return 0;
    double gain = 0;
    int32_t best = u && s->fold.n > 0 ? strongest_rated(m, s, u, item, &gain) : -1;
    if (best >= 0 && gain >= MF_EXPLAIN_MIN) {
        char stars[32], tbuf[32];
        snprintf(buf, len, "because you rated %s %s",
                 mr_reason_title(m->catalog, best, tbuf, sizeof tbuf),
                 mr_reason_stars(u->rated[best], stars, sizeof stars));
        return 1;
    }
    const struct mr_ratings *r = m->ratings;
    if (r && mf->bias[item] > 0.1f && r->item_count[item] > 0) {
        snprintf(buf, len, "rated above average by others: %.1f from %d ratings",
                 r->item_mean[item], (int)r->item_count[item]);
        return 1;
    }
    return 0;
}

int mr_mf_similar(const struct mr_model *m, int32_t item, float *sims)
{
    const struct mr_mf *mf = model_mf(m);
    if (!mf || item < 0 || item >= mf->n_items)
        return -1;
    const int32_t *count = m->ratings->item_count;
    for (int32_t j = 0; j < mf->n_items; j++)
        sims[j] = mf->norm[j] > 0 && count[j] > 0 && mf->norm[item] > 0 && count[item] > 0
                      ? (float)item_similarity(mf, count, item, j)
                      : -INFINITY;
    return 0;
}

int mr_mf_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct mr_mf *mf = model_mf(m);
    if (!mf)
        return -1;
    size_t n = (size_t)mf->n_items;
    mr_write_u32(w, MF_MAGIC);
    mr_write_u32(w, (uint32_t)mf->k);
    mr_write_u32(w, (uint32_t)mf->n_items);
    mr_write_f64(w, mf->mu);
    mr_write_f64(w, mf->lambda);
    mr_write_f64(w, mf->shrink);
    mr_write(w, mf->items, n * (size_t)mf->dim * sizeof *mf->items);
    mr_write(w, mf->bias, n * sizeof *mf->bias);
    return w->failed ? -1 : 0;
}

/* 1 when every one of the n floats is finite. */
static int all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

int mr_mf_load(struct mr_model *m, struct mr_reader *r, struct mr_error *err)
{
    const char *name = m->ops->name;
    uint32_t magic = 0, k = 0, n_items = 0;
    double mu = 0, lambda = 0, shrink = 0;
    mr_read_u32(r, &magic);
    mr_read_count(r, MR_MF_MAX_FACTORS, &k);
    mr_read_count(r, INT32_MAX, &n_items);
    mr_read_f64(r, &mu);
    mr_read_f64(r, &lambda);
    mr_read_f64(r, &shrink);
    if (r->failed || magic != MF_MAGIC || k < 1)
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "%s: bad or truncated model header", name);
    if ((int32_t)n_items != m->ratings->n_items ||
        (m->catalog && (int32_t)n_items != m->catalog->n_movies))
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "%s: model has %u items, the data set %d",
                            name, n_items, (int)m->ratings->n_items);
    if (!isfinite(mu) || !(lambda >= 0) || !isfinite(lambda) || !(shrink >= 0) || !isfinite(shrink))
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "%s: bad model constants", name);
    struct mr_mf *mf = mr_mf_new((int)k, (int32_t)n_items);
    if (!mf)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "%s: out of memory", name);
    mf->mu = mu;
    mf->lambda = lambda;
    mf->shrink = shrink;
    size_t rows = (size_t)n_items * mf->dim;
    int ok = mr_read(r, mf->items, rows * sizeof *mf->items) == 0 &&
             mr_read(r, mf->bias, n_items * sizeof *mf->bias) == 0 && all_finite(mf->items, rows) &&
             all_finite(mf->bias, n_items);
    for (uint32_t i = 0; ok && i < n_items; i++)
        ok = mf->items[(size_t)i * mf->dim + mf->k] == 1.0f;
    if (!ok) {
        mr_mf_free(mf);
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "%s: bad or truncated model data", name);
    }
    mr_mf_finish(mf);
    mr_mf_free(m->impl);
    m->impl = mf;
    return MR_OK;
}

void mr_mf_destroy(struct mr_model *m)
{
    mr_mf_free(m->impl);
    m->impl = NULL;
}

const double *mr_mf_user_solution(const void *state)
{
    return current(state)->fold.sol;
}

int mr_mf_solve_user(const struct mr_model *m, const struct mr_user *u, double *sol)
{
    const struct mr_mf *mf = model_mf(m);
    size_t d = (size_t)mf->dim;
    size_t n = u->n > 0 ? (size_t)u->n : 1;
    double *t = malloc(n * sizeof *t);
    double *work = malloc(MR_RIDGE_WORK(d) * sizeof *work);
    if (!t || !work) {
        free(t);
        free(work);
        return -1;
    }
    for (int32_t j = 0; j < u->n; j++)
        t[j] = target(mf, u->items[j], u->vals[j]);
    mr_ridge_solve(mf->items, mf->dim, u->items, t, u->n, mf->lambda, sol, work);
    free(t);
    free(work);
    return 0;
}
