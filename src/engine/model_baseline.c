/* model_baseline.c — global mean plus regularised user and item biases:
 *     r̂(u, i) = mu + b_u + b_i
 * fitted by alternating closed-form updates (items, then users, for params.epochs passes):
 *     b_i = Σ_u (r - mu - b_u) / (reg_item + n_i)      b_u = Σ_i (r - mu - b_i) / (reg_user + n_u)
 * with reg_user = params.reg and reg_item = params.shrink.  A live user's bias is the same
 * closed form over their ratings, kept as a running sum and count.  predict is the rating
 * above; score ranks by rank.h's score of it, whose item part is computed once at fit and
 * saved (score is then one add per item). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models.h"
#include "rank.h"

#define BASELINE_MAGIC 0x32534c42u /* "BLS2": biases and ranking parts, aligned */

struct baseline {
    int32_t n_items;
    double mu;
    double reg_user;
    double reg_item;
    const float *bias;      /* n_items: b_i */
    const float *item_rank; /* n_items: the item's part of the ranking score (rank.h) */
    float *owned;           /* 2 * n_items: bias and item_rank when fitted, else NULL (views
                               into the model's backing) */
};

struct baseline_user {
    double sum; /* Σ (r - mu - b_i) over the user's ratings */
    int32_t n;
    double bias; /* b_u = sum / (reg_user + n) */
};

static void baseline_defaults(struct mr_params *p)
{
    /* Tuned on a validation split of an 80% training part of ml-latest-small (flat around
     * reg 2..5, shrink 2..3). */
    p->epochs = 10;
    p->reg = 3;
    p->shrink = 3;
}

static void baseline_free(struct baseline *b)
{
    if (!b)
        return;
    free(b->owned);
    free(b);
}

/* The item's constant part of the ranking score: mr_rank_score(0, b_i, n_i). */
static void fill_item_rank(const float *bias, const struct mr_ratings *r, float *item_rank)
{
    for (int32_t i = 0; i < r->n_items; i++)
        item_rank[i] = mr_rank_score(0.0f, bias[i], r->item_count[i]);
}

/* One pass of closed-form updates of the biases of one side (rows of ptr/idx/vals) given
 * the other side's biases. */
static void update_side(int32_t n_rows, const int64_t *ptr, const int32_t *idx, const uint8_t *vals,
                        const double *other, double mu, double reg, double *out)
{
    for (int32_t row = 0; row < n_rows; row++) {
        double s = 0;
        for (int64_t p = ptr[row]; p < ptr[row + 1]; p++)
            s += vals[p] / 2.0 - mu - other[idx[p]];
        out[row] = s / (reg + (double)(ptr[row + 1] - ptr[row]));
    }
}

static int baseline_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_params *p = &m->params;
    const struct mr_ratings *r = m->ratings;
    if (p->epochs < 1 || !(p->reg > 0) || !(p->shrink > 0) || !isfinite(p->reg) ||
        !isfinite(p->shrink))
        return mr_error_set(err, MR_EUSAGE, NULL, 0,
                            "baseline: need epochs >= 1, reg > 0 and shrink > 0");
    size_t n = r->n_items > 0 ? (size_t)r->n_items : 1;
    struct baseline *b = calloc(1, sizeof *b);
    float *owned = b ? malloc(2 * n * sizeof *owned) : NULL;
    if (b) {
        b->owned = owned;
        b->n_items = r->n_items;
    }
    double *bu = calloc(r->n_users > 0 ? (size_t)r->n_users : 1, sizeof *bu);
    double *bi = calloc(r->n_items > 0 ? (size_t)r->n_items : 1, sizeof *bi);
    if (!b || !owned || !bu || !bi) {
        baseline_free(b);
        free(bu);
        free(bi);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "baseline: out of memory");
    }
    b->mu = r->global_mean;
    b->reg_user = p->reg;
    b->reg_item = p->shrink;
    for (int e = 0; e < p->epochs; e++) {
        update_side(r->n_items, r->item_ptr, r->item_users, r->item_vals, bu, b->mu, b->reg_item,
                    bi);
        update_side(r->n_users, r->user_ptr, r->user_items, r->user_vals, bi, b->mu, b->reg_user,
                    bu);
        if (m->progress)
            m->progress(m->progress_ctx, "baseline", (e + 1.0) / p->epochs);
    }
    for (int32_t i = 0; i < r->n_items; i++)
        owned[i] = (float)bi[i];
    fill_item_rank(owned, r, owned + n);
    b->bias = owned;
    b->item_rank = owned + n;
    free(bu);
    free(bi);
    baseline_free(m->impl);
    m->impl = b;
    return MR_OK;
}

static void *baseline_user_new(const struct mr_model *m)
{
    (void)m;
    return calloc(1, sizeof(struct baseline_user));
}

static void baseline_user_free(const struct mr_model *m, void *state)
{
    (void)m;
    free(state);
}

static void baseline_user_update(const struct mr_model *m, void *state, const struct mr_user *u,
                                 int32_t item, int old_half, int new_half)
{
    (void)u;
    const struct baseline *b = m->impl;
    struct baseline_user *s = state;
    if (item < 0 || item >= b->n_items || old_half == new_half)
        return;
    double offset = b->mu + b->bias[item];
    if (old_half) {
        s->sum -= old_half / 2.0 - offset;
        s->n--;
    }
    if (new_half) {
        s->sum += new_half / 2.0 - offset;
        s->n++;
    }
    if (s->n == 0)
        s->sum = 0; /* drop the rounding of adding and subtracting */
    s->bias = s->sum / (b->reg_user + s->n);
}

static double baseline_predict(const struct mr_model *m, const void *state, const struct mr_user *u,
                               int32_t item)
{
    (void)u;
    const struct baseline *b = m->impl;
    const struct baseline_user *s = state;
    double bi = item >= 0 && item < b->n_items ? b->bias[item] : 0;
    return b->mu + s->bias + bi;
}

static void baseline_score(const struct mr_model *m, const void *state, const struct mr_user *u,
                           float *scores)
{
    (void)u;
    const struct baseline *b = m->impl;
    const struct baseline_user *s = state;
    float base = (float)(b->mu + s->bias);
    const float *item_rank = b->item_rank;
    for (int32_t i = 0; i < b->n_items; i++)
        scores[i] = base + item_rank[i];
}

static int baseline_explain(const struct mr_model *m, const void *state, const struct mr_user *u,
                            int32_t item, char *buf, size_t len)
{
    (void)state;
    (void)u;
    const struct baseline *b = m->impl;
    if (len)
        buf[0] = '\0';
    if (!len || item < 0 || item >= b->n_items || m->ratings->item_count[item] == 0)
        return 0;
    snprintf(buf, len, "rated %+.2f against the average film by %d viewers", b->bias[item],
             (int)m->ratings->item_count[item]);
    return 1;
}

static int baseline_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct baseline *b = m->impl;
    if (!b)
        return -1;
    mr_write_u32(w, BASELINE_MAGIC);
    mr_write_u32(w, (uint32_t)b->n_items);
    mr_write_f64(w, b->mu);
    mr_write_f64(w, b->reg_user);
    mr_write_f64(w, b->reg_item);
    mr_write_align(w, 16);
    mr_write(w, b->bias, (size_t)b->n_items * sizeof *b->bias);
    mr_write(w, b->item_rank, (size_t)b->n_items * sizeof *b->item_rank);
    return w->failed ? -1 : 0;
}

static int baseline_load(struct mr_model *m, struct mr_reader *r, struct mr_error *err)
{
    uint32_t magic = 0, n_items = 0;
    double mu = 0, reg_user = 0, reg_item = 0;
    mr_read_u32(r, &magic);
    mr_read_count(r, INT32_MAX, &n_items);
    mr_read_f64(r, &mu);
    mr_read_f64(r, &reg_user);
    mr_read_f64(r, &reg_item);
    if (r->failed || magic != BASELINE_MAGIC || (int32_t)n_items != m->ratings->n_items ||
        !isfinite(mu) || !(reg_user > 0) || !isfinite(reg_user) || !(reg_item > 0) ||
        !isfinite(reg_item))
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "baseline: bad or truncated model header");
    /* The arrays stay in the cache file's mapping (m->backing). */
    mr_read_align(r, 16);
    const float *bias = mr_read_view(r, n_items, sizeof *bias);
    const float *item_rank = mr_read_view(r, n_items, sizeof *item_rank);
    int ok = !r->failed;
    for (uint32_t i = 0; ok && i < n_items; i++)
        ok = isfinite(bias[i]) && isfinite(item_rank[i]);
    if (!ok) {
        r->failed = 1;
        return mr_error_set(err, MR_ECORRUPT, NULL, 0, "baseline: bad or truncated model data");
    }
    struct baseline *b = calloc(1, sizeof *b);
    if (!b)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "baseline: out of memory");
    b->n_items = (int32_t)n_items;
    b->mu = mu;
    b->reg_user = reg_user;
    b->reg_item = reg_item;
    b->bias = bias;
    b->item_rank = item_rank;
    baseline_free(m->impl);
    m->impl = b;
    return MR_OK;
}

static void baseline_destroy(struct mr_model *m)
{
    baseline_free(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_baseline = {
    .name = "baseline",
    .description = "global mean plus regularised user and item biases",
    .defaults = baseline_defaults,
    .fit = baseline_fit,
    .user_new = baseline_user_new,
    .user_free = baseline_user_free,
    .user_update = baseline_user_update,
    .score = baseline_score,
    .predict = baseline_predict,
    .explain = baseline_explain,
    .similar = NULL,
    .save = baseline_save,
    .load = baseline_load,
    .destroy = baseline_destroy,
};
