/* model_userknn.c — user-user collaborative filtering.
 *
 * The similarity of the live user x to a training user v is the cosine of their
 * mean-centred rating vectors (unrated = 0), shrunk by n / (n + shrink) over n common films.
 * The state keeps, for every training user v, exact integer sums over the films both rated
 * (in half stars): Σ x_i r_vi, Σ x_i, Σ r_vi and their count, plus the live user's Σ x and
 * Σ x².  A rating change touches only the users who rated that film (O(count(i))), and the
 * centred dot product follows from those sums, so no rounding builds up.  Scoring computes
 * every similarity in one branch-free pass over those sums (v's mean and inverse norm are
 * fitted), keeps the best with a bounded heap, and starts from a precomputed popularity
 * vector.
 *
 * score: the params.neighbors most similar users (similarity > 0) vote for the films they
 * rated, each vote weighted by the similarity and by how much v liked the film
 * (r_vi - mean_v + LIKE_OFFSET).  predict: mean_x + Σ s (r_vi - mean_v) / Σ s over the
 * neighbours who rated the film. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/model.h"
#include "movierec/topn.h"
#include "models.h"
#include "reason.h"

#define USERKNN_MAGIC 0x324e4b55u /* "UKN2": means and inverse norms, aligned */
#define LIKE_OFFSET   1.5         /* tuned on a validation split of ml-latest-small */
#define SIM_EPS       1e-9
#define POP_SCALE     1e-6 /* the popularity tie-break: POP_SCALE * count / (1 + ratings) */

struct userknn {
    int32_t n_users;
    int32_t n_items;
    const double *mean;     /* n_users: mean stars of v */
    const double *inv_norm; /* n_users: 1 / ||r_v - mean_v|| in stars (0 when the norm is 0) */
    double *owned;          /* 2 * n_users: mean and inv_norm when fitted; NULL when they are
                               views into the model's backing (a loaded cache file) */
    float *pop;             /* n_items: the popularity tie-break every score starts from */
};

/* Exact integer sums over the films both the live user and v rated, in half stars; int32
 * holds them (at most 100 per film over at most 2^21 films). */
struct userknn_user {
    int32_t *dot;    /* n_users: Σ x_i r_vi */
    int32_t *sum_x;  /* n_users: Σ x_i */
    int32_t *sum_r;  /* n_users: Σ r_vi */
    int32_t *common; /* n_users: number of common films */
    int64_t x_sum, x_sq;
    int32_t n;
    float *sims; /* n_users: scratch of find_neighbours (one thread per state at a time) */
};

static void userknn_defaults(struct mr_params *p)
{
    p->neighbors = 50;
    p->shrink = 20;
}

static void userknn_free_impl(struct userknn *k)
{
    if (!k)
        return;
    free(k->owned);
    free(k->pop);
    free(k);
}

/* A model over r with no arrays but the popularity tie-break; NULL when out of memory. */
static struct userknn *userknn_new(const struct mr_ratings *r)
{
    struct userknn *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->n_users = r->n_users;
    k->n_items = r->n_items;
    k->pop = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *k->pop);
    if (!k->pop) {
        free(k);
        return NULL;
    }
    double pop_scale = POP_SCALE / (1.0 + (double)r->n_ratings);
    for (int32_t i = 0; i < r->n_items; i++)
        k->pop[i] = (float)(pop_scale * r->item_count[i]);
    return k;
}

static int userknn_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_ratings *r = m->ratings;
    struct userknn *k = userknn_new(r);
    size_t n = (size_t)(r->n_users > 0 ? r->n_users : 1);
    double *owned = k ? malloc(2 * n * sizeof *owned) : NULL;
    if (!owned) {
        userknn_free_impl(k);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "userknn: out of memory while fitting");
    }
    k->owned = owned;
    k->mean = owned;
    k->inv_norm = owned + n;
    for (int32_t v = 0; v < r->n_users; v++) {
        int64_t b = r->user_ptr[v], e = r->user_ptr[v + 1];
        double s = 0, sq = 0;
        for (int64_t p = b; p < e; p++)
            s += r->user_vals[p] * 0.5;
        double mean = e > b ? s / (double)(e - b) : 0.0;
        for (int64_t p = b; p < e; p++) {
            double d = r->user_vals[p] * 0.5 - mean;
            sq += d * d;
        }
        owned[v] = mean;
        owned[n + v] = sq > 0 ? 1.0 / sqrt(sq) : 0.0;
        if (m->progress && (v % 1024 == 0 || v == r->n_users - 1))
            m->progress(m->progress_ctx, "userknn: user norms", (double)(v + 1) / r->n_users);
    }
    userknn_free_impl(m->impl);
    m->impl = k;
    return MR_OK;
}

static void userknn_user_free(const struct mr_model *m, void *vs)
{
    (void)m;
    struct userknn_user *s = vs;
    if (!s)
        return;
    free(s->dot);
    free(s->sum_x);
    free(s->sum_r);
    free(s->common);
    free(s->sims);
    free(s);
}

static void *userknn_user_new(const struct mr_model *m)
{
    size_t n = (size_t)(m->ratings->n_users > 0 ? m->ratings->n_users : 1);
    struct userknn_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dot = calloc(n, sizeof *s->dot);
    s->sum_x = calloc(n, sizeof *s->sum_x);
    s->sum_r = calloc(n, sizeof *s->sum_r);
    s->common = calloc(n, sizeof *s->common);
    s->sims = malloc(n * sizeof *s->sims);
    if (!s->dot || !s->sum_x || !s->sum_r || !s->common || !s->sims) {
        userknn_user_free(m, s);
        return NULL;
    }
    return s;
}

/* Adds (sign +1) or removes (sign -1) the rating x (half stars) of item. */
static void apply_rating(const struct mr_ratings *r, struct userknn_user *s, int32_t item, int x,
                         int sign)
{
    s->x_sum += sign * x;
    s->x_sq += sign * x * x;
    s->n += sign;
    int32_t sx = sign * x;
    for (int64_t p = r->item_ptr[item]; p < r->item_ptr[item + 1]; p++) {
        int32_t v = r->item_users[p];
        int32_t rv = r->item_vals[p];
        s->dot[v] += sx * rv;
        s->sum_x[v] += sx;
        s->sum_r[v] += sign * rv;
        s->common[v] += sign;
    }
}

static void userknn_user_update(const struct mr_model *m, void *vs, const struct mr_user *u,
                                int32_t item, int old_half, int new_half)
{
    (void)u;
    if (old_half > 0)
        apply_rating(m->ratings, vs, item, old_half, -1);
    if (new_half > 0)
        apply_rating(m->ratings, vs, item, new_half, +1);
}

/* Writes the live user's similarity to every training user v into sims: the centred dot
 * product from the sums (in half stars: products / 4, single sums / 2) over both norms,
 * shrunk by c / (c + shrink) over c common films; -INFINITY when it is not above SIM_EPS
 * (nothing in common, a constant rater; 0 / 0 with shrink 0 is NaN, also dropped).
 * Branch-free so that it vectorises. */
static void similarities(const struct userknn *k, const struct userknn_user *s, double mean_x,
                         double inv_norm_x, double shrink, float *sims)
{
    const double *mean = k->mean, *inv_norm = k->inv_norm;
    const int32_t *dot = s->dot, *sum_x = s->sum_x, *sum_r = s->sum_r, *common = s->common;
    double half_mean_x = 0.5 * mean_x;
    for (int32_t v = 0; v < k->n_users; v++) {
        double c = common[v], mv = mean[v];
        double num = 0.25 * dot[v] - 0.5 * mv * sum_x[v] - half_mean_x * sum_r[v] + c * mean_x * mv;
        double sim = num * inv_norm_x * inv_norm[v] * (c / (c + shrink));
        sims[v] = sim > SIM_EPS ? (float)sim : -INFINITY;
    }
}

/* Picks the live user's neighbours: up to K users with similarity > SIM_EPS, best first. */
static int find_neighbours(const struct mr_model *m, const struct userknn_user *s,
                           struct mr_scored *out)
{
    const struct userknn *k = m->impl;
    int K = m->params.neighbors > 0 ? m->params.neighbors : 50;
    if (s->n == 0)
        return 0;
    double mean_x = (double)s->x_sum * 0.5 / s->n;
    double var = (double)s->x_sq * 0.25 - s->n * mean_x * mean_x;
    if (!(var > 0))
        return 0; /* a constant rater has no centred direction */
    double shrink = m->params.shrink > 0 ? m->params.shrink : 0;
    similarities(k, s, mean_x, 1.0 / sqrt(var), shrink, s->sims);
    return mr_topn(s->sims, k->n_users, NULL, K, out);
}

static void userknn_score(const struct mr_model *m, const void *vs, const struct mr_user *u,
                          float *scores)
{
    (void)u;
    const struct userknn *k = m->impl;
    const struct mr_ratings *r = m->ratings;
    const struct userknn_user *s = vs;
    memcpy(scores, k->pop, (size_t)k->n_items * sizeof *scores);
    int K = m->params.neighbors > 0 ? m->params.neighbors : 50;
    struct mr_scored *nb = malloc((size_t)K * sizeof *nb);
    if (!nb)
        return;
    int n = find_neighbours(m, s, nb);
    for (int t = 0; t < n; t++) {
        int32_t v = nb[t].item;
        double sim = nb[t].score;
        double offset = LIKE_OFFSET - k->mean[v];
        for (int64_t p = r->user_ptr[v]; p < r->user_ptr[v + 1]; p++)
            scores[r->user_items[p]] += (float)(sim * (r->user_vals[p] * 0.5 + offset));
    }
    free(nb);
}

static double userknn_predict(const struct mr_model *m, const void *vs, const struct mr_user *u,
                              int32_t item)
{
    (void)u;
    const struct userknn *k = m->impl;
    const struct userknn_user *s = vs;
    double mean_x = s->n > 0 ? (double)s->x_sum * 0.5 / s->n : m->ratings->global_mean;
    int K = m->params.neighbors > 0 ? m->params.neighbors : 50;
    struct mr_scored *nb = malloc((size_t)K * sizeof *nb);
    if (!nb)
        return mean_x;
    int n = find_neighbours(m, s, nb);
    double num = 0, den = 0;
    for (int t = 0; t < n; t++) {
        int32_t v = nb[t].item;
        int rv = mr_ratings_get(m->ratings, v, item);
        if (rv > 0) {
            num += nb[t].score * (rv * 0.5 - k->mean[v]);
            den += nb[t].score;
        }
    }
    free(nb);
    return den > SIM_EPS ? mean_x + num / den : mean_x;
}

static int userknn_explain(const struct mr_model *m, const void *vs, const struct mr_user *u,
                           int32_t item, char *buf, size_t len)
{
    (void)u;
    const struct userknn_user *s = vs;
    if (len)
        buf[0] = '\0';
    int K = m->params.neighbors > 0 ? m->params.neighbors : 50;
    struct mr_scored *nb = malloc((size_t)K * sizeof *nb);
    if (!nb)
        return 0;
    int n = find_neighbours(m, s, nb);
    int raters = 0, sum = 0;
    for (int t = 0; t < n; t++) {
        int rv = mr_ratings_get(m->ratings, nb[t].item, item);
        if (rv > 0) {
            raters++;
            sum += rv;
        }
    }
    free(nb);
    if (!raters || !len)
        return 0;
    char stars[32];
    int mean_half = (2 * sum + raters) / (2 * raters); /* rounded mean, half stars */
    snprintf(buf, len, "top rated by people like you: %s from %d of your %d nearest",
             mr_reason_stars(mean_half, stars, sizeof stars), raters, n);
    return 1;
}

static int userknn_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct userknn *k = m->impl;
    mr_write_u32(w, USERKNN_MAGIC);
    mr_write_u32(w, (uint32_t)k->n_users);
    mr_write_align(w, 16);
    mr_write(w, k->mean, (size_t)k->n_users * sizeof *k->mean);
    mr_write(w, k->inv_norm, (size_t)k->n_users * sizeof *k->inv_norm);
    return w->failed ? -1 : 0;
}

/* The arrays stay in the cache file's mapping (m->backing): no copy. */
static int userknn_load(struct mr_model *m, struct mr_reader *rd, struct mr_error *err)
{
    int32_t n_users = m->ratings->n_users;
    uint32_t magic, n;
    if (mr_read_u32(rd, &magic) || magic != USERKNN_MAGIC ||
        mr_read_count(rd, (uint32_t)n_users, &n) || n != (uint32_t)n_users || mr_read_align(rd, 16))
        goto fail;
    const double *mean = mr_read_view(rd, n, sizeof *mean);
    const double *inv_norm = mr_read_view(rd, n, sizeof *inv_norm);
    if (!mean || !inv_norm)
        goto fail;
    for (uint32_t v = 0; v < n; v++)
        if (!isfinite(mean[v]) || !isfinite(inv_norm[v]) || inv_norm[v] < 0)
            goto fail;
    struct userknn *k = userknn_new(m->ratings);
    if (!k)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "userknn: out of memory");
    k->mean = mean;
    k->inv_norm = inv_norm;
    userknn_free_impl(m->impl);
    m->impl = k;
    return MR_OK;
fail:
    rd->failed = 1;
    return mr_error_set(err, MR_ECORRUPT, NULL, 0,
                        "userknn: the model data is corrupt or truncated");
}

static void userknn_destroy(struct mr_model *m)
{
    userknn_free_impl(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_userknn = {
    .name = "userknn",
    .description = "user-user neighbours (shrunk cosine of mean-centred ratings)",
    .defaults = userknn_defaults,
    .fit = userknn_fit,
    .user_new = userknn_user_new,
    .user_free = userknn_user_free,
    .user_update = userknn_user_update,
    .score = userknn_score,
    .predict = userknn_predict,
    .explain = userknn_explain,
    .similar = NULL,
    .save = userknn_save,
    .load = userknn_load,
    .destroy = userknn_destroy,
};
