/* mf.c — biased matrix factorisation: everything als and sgd share except fitting. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/linalg.h"
#include "foldin.h"
#include "mf.h"
#include "rank.h"
#include "reason.h"

#define MF_MAGIC 0x32464d4du /* "MMF2" little-endian: the layout written by mr_mf_save */
#define MF_ALIGN 64          /* the factor matrix and biases start on a cache line */

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

/* A model of k factors over n_items items with no arrays yet, or NULL when out of memory. */
static struct mr_mf *mf_alloc(int k, int32_t n_items)
{
    struct mr_mf *mf = calloc(1, sizeof *mf);
    if (!mf)
        return NULL;
    mf->k = k;
    mf->dim = k + 1;
    mf->n_items = n_items;
    return mf;
}

struct mr_mf *mr_mf_new(int k, int32_t n_items)
{
    if (k < 1 || k > MR_MF_MAX_FACTORS || n_items < 0)
        return NULL;
    struct mr_mf *mf = mf_alloc(k, n_items);
    if (!mf)
        return NULL;
    size_t n = n_items > 0 ? (size_t)n_items : 1;
    mf->own_items = calloc(n * (size_t)mf->dim, sizeof *mf->own_items);
    mf->own_bias = calloc(n, sizeof *mf->own_bias);
    if (!mf->own_items || !mf->own_bias) {
        mr_mf_free(mf);
        return NULL;
    }
    for (int32_t i = 0; i < n_items; i++)
        mf->own_items[(size_t)i * mf->dim + k] = 1.0f;
    mf->items = mf->own_items;
    mf->bias = mf->own_bias;
    return mf;
}

void mr_mf_free(struct mr_mf *mf)
{
    if (!mf)
        return;
    free(mf->own_items);
    free(mf->own_bias);
    free(mf->rank_weight); /* one block holds all four derived arrays */
    mr_scan_free(&mf->scan);
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

int mr_mf_finish(struct mr_mf *mf, const int32_t *count)
{
    size_t n = mf->n_items > 0 ? (size_t)mf->n_items : 1;
    float *derived = malloc(4 * n * sizeof *derived);
    if (!derived)
        return -1;
    free(mf->rank_weight);
    mf->rank_weight = derived;
    mf->rank_pop = derived + n;
    mf->inv_norm = derived + 2 * n;
    mf->support = derived + 3 * n;
    for (int32_t i = 0; i < mf->n_items; i++) {
        const float *q = mf->items + (size_t)i * mf->dim;
        float fn = (float)count[i];
        /* The two terms of mr_rank_score() that depend on the item alone. */
        mf->rank_weight[i] = fn / (fn + MR_RANK_SUPPORT);
        mf->rank_pop[i] = MR_RANK_POPULARITY * log1pf(fn);
        float norm = sqrtf(mr_dot_lanes(q, q, mf->k));
        mf->inv_norm[i] = norm > 0 && count[i] > 0 ? 1.0f / norm : 0.0f;
        mf->support[i] = (float)(count[i] / (count[i] + mf->shrink));
    }
    mr_scan_free(&mf->scan);
    return mr_scan_build(&mf->scan, mf->items, mf->dim, mf->k, mf->n_items);
}

int mr_mf_threads(int requested, int64_t useful)
{
    long n = requested > 0 ? requested : sysconf(_SC_NPROCESSORS_ONLN);
    if (n > MR_MF_MAX_THREADS)
        n = MR_MF_MAX_THREADS;
    if (n > useful)
        n = (long)useful;
    return n < 1 ? 1 : (int)n;
}

void mr_mf_run_threads(void *(*work)(void *), void *arg, int n_threads)
{
    pthread_t tid[MR_MF_MAX_THREADS];
    int started = 0;
    for (int i = 1; i < n_threads && i < MR_MF_MAX_THREADS; i++) {
        if (pthread_create(&tid[started], NULL, work, arg) != 0)
            break;
        started++;
    }
    work(arg);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

int mr_mf_install(struct mr_model *m, struct mr_mf *mf, struct mr_error *err)
{
    const int32_t *count = m->ratings->item_count;
    for (int32_t i = 0; i < mf->n_items; i++)
        if (count[i] == 0) {
            memset(mf->own_items + (size_t)i * mf->dim, 0, (size_t)mf->k * sizeof *mf->own_items);
            mf->own_bias[i] = 0;
        }
    if (mr_mf_finish(mf, count) != 0) {
        mr_mf_free(mf);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "%s: out of memory", m->ops->name);
    }
    mr_mf_free(m->impl);
    m->impl = mf;
    return MR_OK;
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
    const float *restrict bias = mf->bias;
    const float *restrict weight = mf->rank_weight, *restrict pop = mf->rank_pop;
    float base = (float)mf->mu + s->p[mf->k]; /* mu + b_u */
    mr_scan_dot(&mf->scan, s->p, scores);     /* p_u · q_i */
    for (int32_t i = 0; i < mf->n_items; i++)
        scores[i] = base + (bias[i] + scores[i]) * weight[i] + pop[i];
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
 * rating count n as cosine * n / (n + shrink) (n / (n + shrink) grows with n, so that is the
 * smaller of the two items' support); 0 when either has no factors or no ratings. */
static float item_similarity(const struct mr_mf *mf, int32_t i, int32_t j)
{
    float si = mf->support[i], sj = mf->support[j];
    return mr_dot_lanes(mf->items + (size_t)i * mf->dim, mf->items + (size_t)j * mf->dim, mf->k) *
           mf->inv_norm[i] * mf->inv_norm[j] * (si < sj ? si : sj);
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
        double c = surprise * item_similarity(mf, it, item);
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
    const float *restrict inv_norm = mf->inv_norm, *restrict support = mf->support;
    float qi = inv_norm[item], si = support[item];
    /* q_item · q_j, the query's row exact and the others as scanned. */
    mr_scan_dot(&mf->scan, mf->items + (size_t)item * mf->dim, sims);
    for (int32_t j = 0; j < mf->n_items; j++) {
        float sj = support[j] < si ? support[j] : si;
        float sim = sims[j] * (qi * inv_norm[j]) * sj;
        sims[j] = qi > 0 && inv_norm[j] > 0 ? sim : -INFINITY;
    }
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
    mr_write_align(w, MF_ALIGN);
    mr_write(w, mf->items, n * (size_t)mf->dim * sizeof *mf->items);
    mr_write_align(w, MF_ALIGN);
    mr_write(w, mf->bias, n * sizeof *mf->bias);
    return w->failed ? -1 : 0;
}

/* 1 when the n x dim rows are finite and end in the constant 1, and the n biases finite. */
static int valid_rows(const float *items, const float *bias, size_t n, int dim)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const float *x = items + i * (size_t)dim;
        /* x - x is 0 for a finite x and NaN otherwise: one test per row, no branch per value. */
        float zero = bias[i] - bias[i];
        for (int a = 0; a < dim; a++)
            zero += x[a] - x[a];
        ok &= zero == 0 && x[dim - 1] == 1.0f;
    }
    return ok;
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
    size_t dim = (size_t)k + 1;
    mr_read_align(r, MF_ALIGN);
    const float *items = r->failed || n_items > SIZE_MAX / sizeof(float) / dim
                             ? NULL
                             : mr_read_view(r, (size_t)n_items * dim, sizeof *items);
    mr_read_align(r, MF_ALIGN);
    const float *bias = r->failed ? NULL : mr_read_view(r, n_items, sizeof *bias);
    if (!items || !bias || !valid_rows(items, bias, n_items, (int)dim))
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "%s: bad or truncated model data", name);
    /* items and bias are views: the model's backing (the cache file) owns them. */
    struct mr_mf *mf = mf_alloc((int)k, (int32_t)n_items);
    if (mf) {
        mf->items = items;
        mf->bias = bias;
        mf->mu = mu;
        mf->lambda = lambda;
        mf->shrink = shrink;
    }
    if (!mf || mr_mf_finish(mf, m->ratings->item_count) != 0) {
        mr_mf_free(mf);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "%s: out of memory", name);
    }
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
