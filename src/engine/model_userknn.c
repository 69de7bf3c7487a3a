/* model_userknn.c — user-user collaborative filtering.
 *
 * The similarity of the live user x to a training user v is the cosine of their
 * mean-centred rating vectors (unrated = 0), shrunk by n / (n + shrink) over n common films.
 * The state keeps, for every training user v, exact integer sums over the films both rated
 * (in half stars): Σ x_i r_vi, Σ x_i, Σ r_vi and their count, plus the live user's Σ x and
 * Σ x².  A rating change touches only the users who rated that film (O(count(i))), and the
 * centred dot product follows from those sums, so no rounding builds up.
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

#define USERKNN_MAGIC 0x314e4b55u /* "UKN1" */
#define LIKE_OFFSET   1.5         /* tuned on a validation split of ml-latest-small */
#define SIM_EPS       1e-9

struct userknn {
    int32_t n_users;
    double *mean; /* n_users: mean stars of v */
    double *norm; /* n_users: ||r_v - mean_v|| in stars */
};

struct userknn_user {
    int64_t *dot;    /* n_users: Σ x_i r_vi over common films (half stars squared) */
    int64_t *sum_x;  /* n_users: Σ x_i over common films */
    int64_t *sum_r;  /* n_users: Σ r_vi over common films */
    int32_t *common; /* n_users: number of common films */
    int64_t x_sum, x_sq;
    int32_t n;
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
    free(k->mean);
    free(k->norm);
    free(k);
}

static int userknn_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_ratings *r = m->ratings;
    struct userknn *k = calloc(1, sizeof *k);
    size_t n = (size_t)(r->n_users > 0 ? r->n_users : 1);
    if (k) {
        k->mean = malloc(n * sizeof *k->mean);
        k->norm = malloc(n * sizeof *k->norm);
    }
    if (!k || !k->mean || !k->norm) {
        userknn_free_impl(k);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "userknn: out of memory while fitting");
    }
    k->n_users = r->n_users;
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
        k->mean[v] = mean;
        k->norm[v] = sqrt(sq);
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
    if (!s->dot || !s->sum_x || !s->sum_r || !s->common) {
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
    for (int64_t p = r->item_ptr[item]; p < r->item_ptr[item + 1]; p++) {
        int32_t v = r->item_users[p];
        int rv = r->item_vals[p];
        s->dot[v] += sign * x * rv;
        s->sum_x[v] += sign * x;
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

/* Similarity of the live user to training user v (0 when nothing in common). */
static double similarity(const struct userknn *k, const struct userknn_user *s, double mean_x,
                         double norm_x, double shrink, int32_t v)
{
    int32_t c = s->common[v];
    if (c == 0 || norm_x <= 0 || k->norm[v] <= 0)
        return 0.0;
    /* Sums are in half stars: divide products by 4, single sums by 2. */
    double mv = k->mean[v];
    double num =
        s->dot[v] * 0.25 - mv * s->sum_x[v] * 0.5 - mean_x * s->sum_r[v] * 0.5 + c * mean_x * mv;
    return num / (norm_x * k->norm[v]) * c / (c + shrink);
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
    double norm_x = var > 0 ? sqrt(var) : 0.0;
    float *sims = malloc((size_t)(k->n_users > 0 ? k->n_users : 1) * sizeof *sims);
    if (!sims)
        return 0;
    for (int32_t v = 0; v < k->n_users; v++) {
        double sim = similarity(k, s, mean_x, norm_x, m->params.shrink, v);
        sims[v] = sim > SIM_EPS ? (float)sim : -INFINITY;
    }
    int n = mr_topn(sims, k->n_users, NULL, K, out);
    free(sims);
    return n;
}

static void userknn_score(const struct mr_model *m, const void *vs, const struct mr_user *u,
                          float *scores)
{
    (void)u;
    const struct userknn *k = m->impl;
    const struct mr_ratings *r = m->ratings;
    const struct userknn_user *s = vs;
    double pop_scale = 1e-6 / (1.0 + (double)r->n_ratings);
    for (int32_t i = 0; i < r->n_items; i++)
        scores[i] = (float)(pop_scale * r->item_count[i]);
    int K = m->params.neighbors > 0 ? m->params.neighbors : 50;
    struct mr_scored *nb = malloc((size_t)K * sizeof *nb);
    if (!nb)
        return;
    int n = find_neighbours(m, s, nb);
    for (int t = 0; t < n; t++) {
        int32_t v = nb[t].item;
        double sim = nb[t].score;
        for (int64_t p = r->user_ptr[v]; p < r->user_ptr[v + 1]; p++) {
            double like = r->user_vals[p] * 0.5 - k->mean[v] + LIKE_OFFSET;
            scores[r->user_items[p]] += (float)(sim * like);
        }
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
    mr_write(w, k->mean, (size_t)k->n_users * sizeof *k->mean);
    mr_write(w, k->norm, (size_t)k->n_users * sizeof *k->norm);
    return w->failed ? -1 : 0;
}

static int userknn_load(struct mr_model *m, struct mr_reader *rd, struct mr_error *err)
{
    int32_t n_users = m->ratings->n_users;
    struct userknn *k = calloc(1, sizeof *k);
    if (!k)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "userknn: out of memory");
    uint32_t magic, n;
    if (mr_read_u32(rd, &magic) || magic != USERKNN_MAGIC ||
        mr_read_count(rd, (uint32_t)n_users, &n) || n != (uint32_t)n_users)
        goto fail;
    k->n_users = n_users;
    k->mean = mr_read_array(rd, n, sizeof *k->mean);
    k->norm = mr_read_array(rd, n, sizeof *k->norm);
    if (!k->mean || !k->norm)
        goto fail;
    for (uint32_t v = 0; v < n; v++)
        if (!isfinite(k->mean[v]) || !isfinite(k->norm[v]) || k->norm[v] < 0)
            goto fail;
    userknn_free_impl(m->impl);
    m->impl = k;
    return MR_OK;
fail:
    rd->failed = 1;
    userknn_free_impl(k);
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
