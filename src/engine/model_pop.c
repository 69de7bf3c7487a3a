/* model_pop.c — popularity: the same list for everybody, good and popular first.
 *
 * Per item: its rating count n and the shrunk ("Bayesian") mean
 *     mean_i = (Σ r + prior · C) / (n + prior)
 * with C the global mean and prior = params.shrink, so a film rated 5 by two people does not
 * beat one rated 4.3 by three hundred.  predict = the shrunk mean; score favours films that
 * are both good and widely seen: (mean_i - POP_FLOOR) · log(1 + n).  The user's own ratings
 * change nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/topn.h"
#include "models.h"
#include "pop.h"

#define POP_MAGIC 0x32504f50u /* "POP2": arrays aligned for use in place */

/* Ratings below this many stars count as no quality in the score. */
#define POP_FLOOR 2.0
/* Genre repetition discount of mr_pop_diverse(): score · DECAY^(times the genres were picked). */
#define POP_DIVERSE_DECAY 0.6
/* mr_pop_diverse() considers this many candidates per requested item. */
#define POP_DIVERSE_POOL 20

struct pop {
    int32_t n_items;
    double prior;
    const float *mean;  /* n_items: shrunk mean */
    const float *score; /* n_items: the ranking score */
    float *owned;       /* 2 * n_items: mean and score when fitted; NULL when they are views
                           into the model's backing (a loaded cache file) */
};

static void pop_defaults(struct mr_params *p)
{
    p->shrink = 10;
}

static void pop_free(struct pop *pp)
{
    if (!pp)
        return;
    free(pp->owned);
    free(pp);
}

static int pop_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_ratings *r = m->ratings;
    double prior = m->params.shrink;
    if (!(prior >= 0) || !isfinite(prior))
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "pop: need shrink >= 0");
    size_t cap = r->n_items > 0 ? (size_t)r->n_items : 1;
    struct pop *pp = calloc(1, sizeof *pp);
    float *owned = pp ? malloc(2 * cap * sizeof *owned) : NULL;
    if (!owned) {
        free(pp);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "pop: out of memory");
    }
    pp->n_items = r->n_items;
    pp->prior = prior;
    pp->owned = owned;
    pp->mean = owned;
    pp->score = owned + cap;
    for (int32_t i = 0; i < r->n_items; i++) {
        double n = r->item_count[i];
        double mean = n + prior > 0 ? (r->item_mean[i] * n + prior * r->global_mean) / (n + prior)
                                    : r->global_mean;
        owned[i] = (float)mean;
        owned[cap + i] = (float)((mean - POP_FLOOR) * log1p(n));
    }
    pop_free(m->impl);
    m->impl = pp;
    if (m->progress)
        m->progress(m->progress_ctx, "pop", 1.0);
    return MR_OK;
}

/* The user's state carries nothing: popularity is the same for everybody. */
static void *pop_user_new(const struct mr_model *m)
{
    (void)m;
    return calloc(1, 1);
}

static void pop_user_free(const struct mr_model *m, void *state)
{
    (void)m;
    free(state);
}

static void pop_user_update(const struct mr_model *m, void *state, const struct mr_user *u,
                            int32_t item, int old_half, int new_half)
{
    (void)m, (void)state, (void)u, (void)item, (void)old_half, (void)new_half;
}

static void pop_score(const struct mr_model *m, const void *state, const struct mr_user *u,
                      float *scores)
{
    (void)state, (void)u;
    const struct pop *pp = m->impl;
    memcpy(scores, pp->score, (size_t)pp->n_items * sizeof *scores);
}

static double pop_predict(const struct mr_model *m, const void *state, const struct mr_user *u,
                          int32_t item)
{
    (void)state, (void)u;
    const struct pop *pp = m->impl;
    return item >= 0 && item < pp->n_items ? pp->mean[item] : m->ratings->global_mean;
}

static int pop_explain(const struct mr_model *m, const void *state, const struct mr_user *u,
                       int32_t item, char *buf, size_t len)
{
    (void)state, (void)u;
    const struct pop *pp = m->impl;
    if (len)
        buf[0] = '\0';
    if (!len || item < 0 || item >= pp->n_items || m->ratings->item_count[item] == 0)
        return 0;
    int n = (int)m->ratings->item_count[item];
    snprintf(buf, len, "popular: %d rating%s, mean %.1f", n, n == 1 ? "" : "s",
             m->ratings->item_mean[item]);
    return 1;
}

int mr_pop_diverse(const struct mr_model *m, const uint8_t *exclude, int n, int32_t *out)
{
    const struct pop *pp = m->impl;
    if (n <= 0)
        return 0;
    int pool = n * POP_DIVERSE_POOL;
    struct mr_scored *cand = malloc((size_t)pool * sizeof *cand);
    if (!cand)
        return -1;
    int nc = mr_topn(pp->score, pp->n_items, exclude, pool, cand);
    int picked[MR_GENRE_COUNT] = {0};
    int got = 0;
    while (got < n && got < nc) {
        int best = -1;
        double best_adj = 0;
        for (int c = 0; c < nc; c++) {
            if (cand[c].item < 0)
                continue; /* already taken */
            uint32_t genres = m->catalog && cand[c].item < m->catalog->n_movies
                                  ? m->catalog->movies[cand[c].item].genres
                                  : 0;
            int seen = 0, count = 0;
            for (int g = 0; g < MR_GENRE_COUNT; g++)
                if (genres & (1u << g)) {
                    seen += picked[g];
                    count++;
                }
            double adj = cand[c].score * pow(POP_DIVERSE_DECAY, count ? (double)seen / count : 0);
            if (best < 0 || adj > best_adj) {
                best = c;
                best_adj = adj;
            }
        }
        int32_t item = cand[best].item;
        out[got++] = item;
        cand[best].item = -1;
        if (m->catalog && item < m->catalog->n_movies)
            for (int g = 0; g < MR_GENRE_COUNT; g++)
                if (m->catalog->movies[item].genres & (1u << g))
                    picked[g]++;
    }
    free(cand);
    return got;
}

static int pop_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct pop *pp = m->impl;
    if (!pp)
        return -1;
    mr_write_u32(w, POP_MAGIC);
    mr_write_u32(w, (uint32_t)pp->n_items);
    mr_write_f64(w, pp->prior);
    mr_write_align(w, 16);
    mr_write(w, pp->mean, (size_t)pp->n_items * sizeof *pp->mean);
    mr_write(w, pp->score, (size_t)pp->n_items * sizeof *pp->score);
    return w->failed ? -1 : 0;
}

static int pop_load(struct mr_model *m, struct mr_reader *r, struct mr_error *err)
{
    uint32_t magic = 0, n_items = 0;
    double prior = 0;
    mr_read_u32(r, &magic);
    mr_read_count(r, INT32_MAX, &n_items);
    mr_read_f64(r, &prior);
    if (r->failed || magic != POP_MAGIC || (int32_t)n_items != m->ratings->n_items ||
        !(prior >= 0) || !isfinite(prior))
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "pop: bad or truncated model header");
    /* The arrays stay in the cache file's mapping (m->backing). */
    mr_read_align(r, 16);
    const float *mean = mr_read_view(r, n_items, sizeof *mean);
    const float *score = mr_read_view(r, n_items, sizeof *score);
    int ok = !r->failed;
    for (uint32_t i = 0; ok && i < n_items; i++)
        ok = isfinite(mean[i]) && isfinite(score[i]);
    if (!ok) {
        r->failed = 1;
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "pop: bad or truncated model data");
    }
    struct pop *pp = calloc(1, sizeof *pp);
    if (!pp)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "pop: out of memory");
    pp->n_items = (int32_t)n_items;
    pp->prior = prior;
    pp->mean = mean;
    pp->score = score;
    pop_free(m->impl);
    m->impl = pp;
    return MR_OK;
}

static void pop_destroy(struct mr_model *m)
{
    pop_free(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_pop = {
    .name = "pop",
    .description = "popularity: rating count and shrunk mean rating, the same for everybody",
    .defaults = pop_defaults,
    .fit = pop_fit,
    .user_new = pop_user_new,
    .user_free = pop_user_free,
    .user_update = pop_user_update,
    .score = pop_score,
    .predict = pop_predict,
    .explain = pop_explain,
    .similar = NULL,
    .save = pop_save,
    .load = pop_load,
    .destroy = pop_destroy,
};
