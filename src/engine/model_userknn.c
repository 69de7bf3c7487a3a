/* model_userknn.c — user-user collaborative filtering.
 *
 * The similarity of the live user x to a training user v is the cosine of their
 * mean-centred rating vectors (unrated = 0), shrunk by n / (n + shrink) over n common films.
 * The state keeps, for every training user v, exact integer sums over the films both rated
 * (in half stars): Σ x_i r_vi, Σ x_i, Σ r_vi and their count, plus the live user's Σ x and
 * Σ x².  A rating change touches only the users who rated that film (O(count(i))), and the
 * centred dot product follows from those sums, so no rounding builds up.  Scoring computes
 * every similarity in one vectorised float pass (see struct userknn_user; v's mean and
 * inverse norm are fitted), keeps the best with a bounded heap, and starts from a
 * precomputed popularity vector.
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

#define USERKNN_MAGIC 0x334e4b55u /* "UKN3": means and inverse norms, aligned */
#define LIKE_OFFSET   1.5         /* tuned on a validation split of ml-latest-small */
#define SIM_EPS       1e-9
#define POP_SCALE     1e-6 /* the popularity tie-break: POP_SCALE * count / (1 + ratings) */

struct userknn {
    int32_t n_users;
    int32_t n_items;
    const double *mean;    /* n_users: mean stars of v */
    const float *inv_norm; /* n_users: 1 / ||r_v - mean_v|| in stars (0 when the norm is 0) */
    double *owned_mean;    /* mean and inv_norm when fitted; NULL when they are views into */
    float *owned_inv_norm; /* the model's backing (a loaded cache file) */
    float *pop;            /* n_items: the popularity tie-break every score starts from */
};

/* Exact integer sums over the films both the live user and v rated, in half stars; int32
 * holds them (at most 100 per film over at most 2^21 films).  With x the live user's
 * ratings in stars and mean_x their mean, the centred dot product with v is
 *     Σ (x_i - mean_x)(r_vi - mean_v) = part_a[v] + mean_x · part_b[v],
 *     part_a = Σ x_i r_vi - mean_v Σ x_i,   part_b = c · mean_v - Σ r_vi,
 * two parts that do not depend on mean_x: they are recomputed from the exact sums for the
 * users a rating change touches, never accumulated, so no rounding builds up.  Each side is
 * one 16-byte record per training user, so that a change touches two cache lines per user
 * who rated the film and the scoring pass reads 16 bytes per user. */
struct sums {
    int32_t dot;    /* Σ x_i r_vi */
    int32_t sum_x;  /* Σ x_i */
    int32_t sum_r;  /* Σ r_vi */
    int32_t common; /* number of common films c */
};

struct parts {
    float a, b;     /* part_a, part_b above, in stars */
    float c;        /* common, as a float */
    float inv_norm; /* v's inverse norm, copied from the model */
};

struct userknn_user {
    struct sums *sums;   /* n_users */
    struct parts *parts; /* n_users */
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
    free(k->owned_mean);
    free(k->owned_inv_norm);
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
    double *mean_v = k ? malloc(n * sizeof *mean_v) : NULL;
    float *inv_norm = k ? malloc(n * sizeof *inv_norm) : NULL;
    if (k) {
        k->owned_mean = mean_v;
        k->owned_inv_norm = inv_norm;
        k->mean = mean_v;
        k->inv_norm = inv_norm;
    }
    if (!mean_v || !inv_norm) {
        userknn_free_impl(k);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "userknn: out of memory while fitting");
    }
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
        mean_v[v] = mean;
        inv_norm[v] = sq > 0 ? (float)(1.0 / sqrt(sq)) : 0.0f;
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
    free(s->sums);
    free(s->parts);
    free(s->sims);
    free(s);
}

static void *userknn_user_new(const struct mr_model *m)
{
    size_t n = (size_t)(m->ratings->n_users > 0 ? m->ratings->n_users : 1);
    struct userknn_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sums = calloc(n, sizeof *s->sums);
    s->parts = calloc(n, sizeof *s->parts);
    s->sims = malloc(n * sizeof *s->sims);
    if (!s->sums || !s->parts || !s->sims) {
        userknn_user_free(m, s);
        return NULL;
    }
    const struct userknn *k = m->impl;
    for (int32_t v = 0; v < k->n_users; v++)
        s->parts[v].inv_norm = k->inv_norm[v];
    return s;
}

/* Adds (sign +1) or removes (sign -1) the rating x (half stars) of item. */
static void apply_rating(const struct userknn *k, const struct mr_ratings *r,
                         struct userknn_user *s, int32_t item, int x, int sign)
{
    s->x_sum += sign * x;
    s->x_sq += sign * x * x;
    s->n += sign;
    int32_t sx = sign * x;
    for (int64_t p = r->item_ptr[item]; p < r->item_ptr[item + 1]; p++) {
        int32_t v = r->item_users[p];
        int32_t rv = r->item_vals[p];
        struct sums *t = &s->sums[v];
        t->dot += sx * rv;
        t->sum_x += sx;
        t->sum_r += sign * rv;
        t->common += sign;
        /* Half stars: products / 4, single sums / 2. */
        double mv = k->mean[v];
        struct parts *q = &s->parts[v];
        q->a = (float)(0.25 * t->dot - 0.5 * mv * t->sum_x);
        q->b = (float)(t->common * mv - 0.5 * t->sum_r);
        q->c = (float)t->common;
    }
}

static void userknn_user_update(const struct mr_model *m, void *vs, const struct mr_user *u,
                                int32_t item, int old_half, int new_half)
{
    (void)u;
    if (old_half > 0)
        apply_rating(m->impl, m->ratings, vs, item, old_half, -1);
    if (new_half > 0)
        apply_rating(m->impl, m->ratings, vs, item, new_half, +1);
}

/* Writes the live user's similarity to every training user v into sims: the centred dot
 * product over both norms, shrunk by c / (c + shrink) over c common films (0 when nothing is
 * in common; NaN for 0 / 0 with shrink 0).  Plain float arithmetic over arrays, so that it
 * vectorises. */
static void similarities(const struct userknn *k, const struct userknn_user *s, float mean_x,
                         float inv_norm_x, float shrink, float *sims)
{
    const struct parts *q = s->parts;
    for (int32_t v = 0; v < k->n_users; v++)
        sims[v] =
            (q[v].a + mean_x * q[v].b) * (inv_norm_x * q[v].inv_norm) * q[v].c / (q[v].c + shrink);
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
    float shrink = m->params.shrink > 0 ? (float)m->params.shrink : 0.0f;
    similarities(k, s, (float)mean_x, (float)(1.0 / sqrt(var)), shrink, s->sims);
    int n = mr_topn(s->sims, k->n_users, NULL, K, out);
    while (n > 0 && !(out[n - 1].score > SIM_EPS))
        n--; /* best first: the ones not similar enough are at the end */
    return n;
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
    const float *inv_norm = mr_read_view(rd, n, sizeof *inv_norm);
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
