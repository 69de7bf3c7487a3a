/* model_itemknn.c — item-item collaborative filtering (KNNBaseline-style).
 *
 * fit: baselines b_ui = mu + b_u + b_i by alternating least squares; for every pair of
 * items co-rated by n users, the Pearson correlation of the baseline residuals
 * r - b_ui over those users, shrunk by (n - 1) / (n - 1 + shrink); each item keeps its
 * params.neighbors most similar items (the prediction rows) and, of those, the best
 * RANK_NEIGHBORS (the ranking rows).  Both lists are closed under transposition, so an
 * item's row also names the items that keep it as a neighbour.  A ranking row is a subset of
 * the prediction row, so one matrix holds both: the first core_len[i] entries of row i are
 * its ranking neighbours (the cache file holds every pair once, and loads it in place).
 *
 * A user's state holds, for every item i, sums over the rated items j of the rows of j:
 * the similarity mass m_i = Σ_j s_ji, the weighted residual Σ_j s_ji (r_j - mu - b_j), and
 * on the ranking rows Σ s_ji and Σ s_ji r_j.  A rating change adds or subtracts one row of
 * each (O(row)).  predict(i) = mu + b_u + b_i + Σ_j s_ji (r_j - mu - b_u - b_j) / m_i, with
 * b_u the ridge mean of the user's residuals; the ranking score is Σ_j s_ji (r_j - mean_u +
 * RANK_OFFSET) over the ranking rows: many strongly similar films the user liked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/model.h"
#include "corate_cap.h"
#include "models.h"
#include "reason.h"
#include "sparse_topk.h"

#define ITEMKNN_MAGIC    0x324e4b49u /* "IKN2": one matrix, ranking rows first; aligned */
#define BASELINE_EPOCHS  10
#define BASELINE_REG_USR 15.0
#define BASELINE_REG_ITM 10.0
#define MASS_EPS         1e-9
#define RANK_NEIGHBORS   20  /* neighbours per item behind the ranking score */
#define RANK_OFFSET      1.5 /* ranking weight of a rated film: r - user mean + RANK_OFFSET */

struct itemknn {
    double mu;
    const double *b_item;     /* n_items */
    const int32_t *core_len;  /* n_items: the first core_len[i] entries of row i of nb are
                                 its ranking neighbours: top RANK_NEIGHBORS, symmetric */
    struct mr_sparse_topk nb; /* prediction neighbours: top params.neighbors, symmetric */
    double *owned_b_item;     /* b_item and core_len when fitted; NULL when they are views */
    int32_t *owned_core_len;  /* into the model's backing (a loaded cache file) */
    float *pop;               /* n_items: the popularity tie-break every score starts from */
};

struct itemknn_user {
    double *mass;   /* n_items: Σ s_ji over rated j (prediction rows) */
    double *resid;  /* n_items: Σ s_ji (r_j - mu - b_j) (prediction rows) */
    double *cmass;  /* n_items: Σ s_ji over rated j (ranking rows) */
    double *crmass; /* n_items: Σ s_ji r_j (ranking rows) */
    double res_sum; /* Σ (r_j - mu - b_j) */
    double r_sum;   /* Σ r_j */
    int32_t n;
};

static void itemknn_defaults(struct mr_params *p)
{
    p->neighbors = 200;
    p->shrink = 200;
}

static void itemknn_free_impl(struct itemknn *k)
{
    if (!k)
        return;
    free(k->owned_b_item);
    free(k->owned_core_len);
    free(k->pop);
    mr_sparse_topk_free(&k->nb);
    free(k);
}

/* Fills k->pop, the popularity tie-break: a tiny multiple of each item's rating count that
 * orders the items no rated film points to.  Returns 0, or -1 when out of memory. */
static int fill_pop(struct itemknn *k, const struct mr_ratings *r)
{
    k->pop = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *k->pop);
    if (!k->pop)
        return -1;
    double pop_scale = 1e-6 / (1.0 + (double)r->n_ratings);
    for (int32_t i = 0; i < r->n_items; i++)
        k->pop[i] = (float)(pop_scale * r->item_count[i]);
    return 0;
}

/* Reorders every row of nb so that the columns also in the same row of core come first (each
 * part keeps its order) and writes their number to core_len.  core must be a subset of nb row
 * by row.  Returns MR_OK or MR_ENOMEM. */
static int put_core_first(struct mr_sparse_topk *nb, const struct mr_sparse_topk *core,
                          int32_t *core_len)
{
    int32_t n = nb->n_rows;
    int64_t longest = 1;
    for (int32_t i = 0; i < n; i++)
        if (mr_sparse_topk_row_len(nb, i) > longest)
            longest = mr_sparse_topk_row_len(nb, i);
    uint8_t *in_core = calloc((size_t)(nb->n_cols > 0 ? nb->n_cols : 1), 1);
    struct mr_scored *rest = malloc((size_t)longest * sizeof *rest);
    if (!in_core || !rest) {
        free(in_core);
        free(rest);
        return MR_ENOMEM;
    }
    for (int32_t i = 0; i < n; i++) {
        for (int64_t p = core->ptr[i]; p < core->ptr[i + 1]; p++)
            in_core[core->col[p]] = 1;
        int64_t w = nb->ptr[i], n_rest = 0;
        for (int64_t p = nb->ptr[i]; p < nb->ptr[i + 1]; p++) {
            if (in_core[nb->col[p]]) {
                nb->col[w] = nb->col[p];
                nb->val[w++] = nb->val[p];
            } else {
                rest[n_rest++] = (struct mr_scored){nb->col[p], nb->val[p]};
            }
        }
        core_len[i] = (int32_t)(w - nb->ptr[i]);
        for (int64_t t = 0; t < n_rest; t++, w++) {
            nb->col[w] = rest[t].item;
            nb->val[w] = rest[t].score;
        }
        for (int64_t p = core->ptr[i]; p < core->ptr[i + 1]; p++)
            in_core[core->col[p]] = 0;
    }
    free(in_core);
    free(rest);
    return MR_OK;
}

/* Alternating least squares for the biases (Koren's baseline predictors): users first, then
 * items, each a ridge mean of the residuals.  b_user and b_item are zeroed first. */
static void fit_baselines(const struct mr_ratings *r, double mu, double *b_user, double *b_item)
{
    memset(b_user, 0, (size_t)r->n_users * sizeof *b_user);
    memset(b_item, 0, (size_t)r->n_items * sizeof *b_item);
    for (int e = 0; e < BASELINE_EPOCHS; e++) {
        for (int32_t u = 0; u < r->n_users; u++) {
            double s = 0;
            for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++)
                s += r->user_vals[p] * 0.5 - mu - b_item[r->user_items[p]];
            b_user[u] = s / (BASELINE_REG_USR + (double)(r->user_ptr[u + 1] - r->user_ptr[u]));
        }
        for (int32_t i = 0; i < r->n_items; i++) {
            double s = 0;
            for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++)
                s += r->item_vals[p] * 0.5 - mu - b_user[r->item_users[p]];
            b_item[i] = s / (BASELINE_REG_ITM + (double)(r->item_ptr[i + 1] - r->item_ptr[i]));
        }
    }
}

/* What the similarity rows are computed from: residuals in CSR and CSC order, with the
 * ratings a heavy user is sampled down to marked as skipped (NaN). */
struct sim_ctx {
    const struct mr_ratings *r;
    float *res_by_user; /* per CSR entry */
    float *res_by_item; /* per CSC entry */
    double shrink;
};

struct sim_scratch {
    int32_t *count;
    double *sxy, *sxx, *syy;
    int32_t *touched;
};

static void *sim_scratch_new(void *vctx)
{
    const struct sim_ctx *ctx = vctx;
    size_t n = (size_t)(ctx->r->n_items > 0 ? ctx->r->n_items : 1);
    struct sim_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->count = calloc(n, sizeof *s->count);
    s->sxy = calloc(n, sizeof *s->sxy);
    s->sxx = calloc(n, sizeof *s->sxx);
    s->syy = calloc(n, sizeof *s->syy);
    s->touched = malloc(n * sizeof *s->touched);
    if (!s->count || !s->sxy || !s->sxx || !s->syy || !s->touched) {
        free(s->count);
        free(s->sxy);
        free(s->sxx);
        free(s->syy);
        free(s->touched);
        free(s);
        return NULL;
    }
    return s;
}

static void sim_scratch_free(void *vctx, void *vs)
{
    (void)vctx;
    struct sim_scratch *s = vs;
    free(s->count);
    free(s->sxy);
    free(s->sxx);
    free(s->syy);
    free(s->touched);
    free(s);
}

/* Shrunk Pearson-baseline similarity of item i with every co-rated item. */
static int32_t sim_row(void *vctx, void *vs, int32_t i, struct mr_scored *cand)
{
    const struct sim_ctx *ctx = vctx;
    const struct mr_ratings *r = ctx->r;
    struct sim_scratch *s = vs;
    int32_t n_touched = 0;
    for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++) {
        float di = ctx->res_by_item[p];
        if (isnan(di))
            continue;
        int32_t u = r->item_users[p];
        for (int64_t q = r->user_ptr[u]; q < r->user_ptr[u + 1]; q++) {
            float dj = ctx->res_by_user[q];
            if (isnan(dj))
                continue;
            int32_t j = r->user_items[q];
            if (s->count[j]++ == 0)
                s->touched[n_touched++] = j;
            s->sxy[j] += (double)di * dj;
            s->sxx[j] += (double)di * di;
            s->syy[j] += (double)dj * dj;
        }
    }
    int32_t n = 0;
    for (int32_t t = 0; t < n_touched; t++) {
        int32_t j = s->touched[t];
        double den = sqrt(s->sxx[j] * s->syy[j]);
        if (j != i && s->count[j] > 1 && den > 0) {
            double c = s->count[j] - 1;
            double sim = s->sxy[j] / den * c / (c + ctx->shrink);
            if (sim > 0)
                cand[n++] = (struct mr_scored){j, (float)sim};
        }
        s->count[j] = 0;
        s->sxy[j] = s->sxx[j] = s->syy[j] = 0;
    }
    return n;
}

static int itemknn_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_ratings *r = m->ratings;
    struct itemknn *k = calloc(1, sizeof *k);
    double *b_user = malloc((size_t)(r->n_users > 0 ? r->n_users : 1) * sizeof *b_user);
    size_t nr = (size_t)(r->n_ratings > 0 ? r->n_ratings : 1);
    struct sim_ctx ctx = {.r = r, .shrink = m->params.shrink > 0 ? m->params.shrink : 0};
    ctx.res_by_user = malloc(nr * sizeof *ctx.res_by_user);
    ctx.res_by_item = malloc(nr * sizeof *ctx.res_by_item);
    struct mr_sparse_topk top = {0}, best = {0}, core = {0};
    int rc = MR_ENOMEM;
    if (!k || !b_user || !ctx.res_by_user || !ctx.res_by_item)
        goto out;
    size_t ni = (size_t)(r->n_items > 0 ? r->n_items : 1);
    k->owned_b_item = malloc(ni * sizeof *k->owned_b_item);
    k->owned_core_len = malloc(ni * sizeof *k->owned_core_len);
    if (!k->owned_b_item || !k->owned_core_len || fill_pop(k, r) != 0)
        goto out;
    k->b_item = k->owned_b_item;
    k->core_len = k->owned_core_len;
    k->mu = r->n_ratings > 0 ? r->global_mean : 3.0;
    fit_baselines(r, k->mu, b_user, k->owned_b_item);

    for (int32_t u = 0; u < r->n_users; u++) {
        int64_t n_u = r->user_ptr[u + 1] - r->user_ptr[u];
        for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++) {
            int32_t i = r->user_items[p];
            double d = r->user_vals[p] * 0.5 - k->mu - b_user[u] - k->b_item[i];
            ctx.res_by_user[p] = mr_corate_keep(u, i, n_u) ? (float)d : NAN;
        }
    }
    for (int32_t i = 0; i < r->n_items; i++)
        for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++) {
            int32_t u = r->item_users[p];
            int64_t n_u = r->user_ptr[u + 1] - r->user_ptr[u];
            double d = r->item_vals[p] * 0.5 - k->mu - b_user[u] - k->b_item[i];
            ctx.res_by_item[p] = mr_corate_keep(u, i, n_u) ? (float)d : NAN;
        }

    struct mr_sparse_topk_job job = {
        .n_rows = r->n_items,
        .n_cols = r->n_items,
        .k = m->params.neighbors > 0 ? m->params.neighbors : 200,
        .threads = m->params.threads,
        .ctx = &ctx,
        .scratch_new = sim_scratch_new,
        .scratch_free = sim_scratch_free,
        .row = sim_row,
        .progress = m->progress,
        .progress_ctx = m->progress_ctx,
        .stage = "itemknn: item similarities",
    };
    if (mr_sparse_topk_build(&job, &top) != MR_OK)
        goto out;
    if (mr_sparse_topk_symmetrize(&top, &k->nb) != MR_OK ||
        mr_sparse_topk_truncate(&top, RANK_NEIGHBORS, &best) != MR_OK ||
        mr_sparse_topk_symmetrize(&best, &core) != MR_OK ||
        put_core_first(&k->nb, &core, k->owned_core_len) != MR_OK)
        goto out;
    rc = MR_OK;
out:
    mr_sparse_topk_free(&top);
    mr_sparse_topk_free(&best);
    mr_sparse_topk_free(&core);
    free(b_user);
    free(ctx.res_by_user);
    free(ctx.res_by_item);
    if (rc != MR_OK) {
        itemknn_free_impl(k);
        return mr_error_set(err, rc, NULL, 0, "itemknn: out of memory while fitting");
    }
    itemknn_free_impl(m->impl);
    m->impl = k;
    return MR_OK;
}

static void itemknn_user_free(const struct mr_model *m, void *vs)
{
    (void)m;
    struct itemknn_user *s = vs;
    if (!s)
        return;
    free(s->mass);
    free(s->resid);
    free(s->cmass);
    free(s->crmass);
    free(s);
}

static void *itemknn_user_new(const struct mr_model *m)
{
    size_t n = (size_t)(m->ratings->n_items > 0 ? m->ratings->n_items : 1);
    struct itemknn_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mass = calloc(n, sizeof *s->mass);
    s->resid = calloc(n, sizeof *s->resid);
    s->cmass = calloc(n, sizeof *s->cmass);
    s->crmass = calloc(n, sizeof *s->crmass);
    if (!s->mass || !s->resid || !s->cmass || !s->crmass) {
        itemknn_user_free(m, s);
        return NULL;
    }
    return s;
}

/* Adds (sign +1) or removes (sign -1) the rating half of item j. */
static void apply_rating(const struct itemknn *k, struct itemknn_user *s, int32_t j, int half,
                         double sign)
{
    double rj = half * 0.5;
    double d = rj - k->mu - k->b_item[j];
    s->res_sum += sign * d;
    s->r_sum += sign * rj;
    s->n += sign > 0 ? 1 : -1;
    int64_t b = k->nb.ptr[j], core_end = b + k->core_len[j];
    for (int64_t p = b; p < core_end; p++) {
        int32_t i = k->nb.col[p];
        double w = sign * k->nb.val[p];
        s->mass[i] += w;
        s->resid[i] += w * d;
        s->cmass[i] += w;
        s->crmass[i] += w * rj;
    }
    for (int64_t p = core_end; p < k->nb.ptr[j + 1]; p++) {
        int32_t i = k->nb.col[p];
        double w = sign * k->nb.val[p];
        s->mass[i] += w;
        s->resid[i] += w * d;
    }
}

static void itemknn_user_update(const struct mr_model *m, void *vs, const struct mr_user *u,
                                int32_t item, int old_half, int new_half)
{
    (void)u;
    const struct itemknn *k = m->impl;
    struct itemknn_user *s = vs;
    if (old_half > 0)
        apply_rating(k, s, item, old_half, -1.0);
    if (new_half > 0)
        apply_rating(k, s, item, new_half, +1.0);
}

/* The user's bias given the item biases (one ALS step over the user's own ratings). */
static double user_bias(const struct itemknn_user *s)
{
    return s->n > 0 ? s->res_sum / (BASELINE_REG_USR + s->n) : 0.0;
}

static double itemknn_predict(const struct mr_model *m, const void *vs, const struct mr_user *u,
                              int32_t item)
{
    (void)u;
    const struct itemknn *k = m->impl;
    const struct itemknn_user *s = vs;
    double bu = user_bias(s);
    double base = k->mu + bu + k->b_item[item];
    if (s->mass[item] > MASS_EPS)
        base += (s->resid[item] - bu * s->mass[item]) / s->mass[item];
    return base;
}

/* Ranking score (see the top of the file), plus a tiny popularity term that orders the items
 * no rated film points to. */
static void itemknn_score(const struct mr_model *m, const void *vs, const struct mr_user *u,
                          float *scores)
{
    (void)u;
    const struct itemknn *k = m->impl;
    const struct itemknn_user *s = vs;
    double mean = s->n > 0 ? s->r_sum / s->n : 0.0;
    double shift = mean - RANK_OFFSET;
    const double *crmass = s->crmass, *cmass = s->cmass;
    const float *pop = k->pop;
    for (int32_t i = 0; i < k->nb.n_rows; i++)
        scores[i] = (float)(crmass[i] - shift * cmass[i] + pop[i]);
}

static int itemknn_explain(const struct mr_model *m, const void *vs, const struct mr_user *u,
                           int32_t item, char *buf, size_t len)
{
    (void)vs;
    const struct itemknn *k = m->impl;
    if (len)
        buf[0] = '\0';
    int32_t best = -1;
    double best_w = 0;
    int best_half = 0;
    double mean = 0;
    for (int32_t t = 0; t < u->n; t++)
        mean += u->vals[t];
    mean = u->n ? mean / u->n : 0;
    for (int32_t t = 0; t < u->n; t++) {
        int32_t j = u->items[t];
        if (j == item)
            continue;
        double sim = mr_sparse_topk_get(&k->nb, j, item);
        /* Prefer films the user liked: weight by the rating above their mean (plus one). */
        double w = sim * (u->vals[t] - mean + 2.0);
        if (sim > 0 && w > best_w) {
            best_w = w;
            best = j;
            best_half = u->vals[t];
        }
    }
    if (best < 0 || !len)
        return 0;
    char stars[32], tbuf[32];
    snprintf(buf, len, "because you rated %s %s",
             mr_reason_title(m->catalog, best, tbuf, sizeof tbuf),
             mr_reason_stars(best_half, stars, sizeof stars));
    return 1;
}

static int itemknn_similar(const struct mr_model *m, int32_t item, float *sims)
{
    const struct itemknn *k = m->impl;
    memset(sims, 0, (size_t)m->ratings->n_items * sizeof *sims);
    if (item < 0 || item >= k->nb.n_rows)
        return -1;
    for (int64_t p = k->nb.ptr[item]; p < k->nb.ptr[item + 1]; p++)
        sims[k->nb.col[p]] = k->nb.val[p];
    return 0;
}

static int itemknn_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct itemknn *k = m->impl;
    size_t n = (size_t)k->nb.n_rows;
    mr_write_u32(w, ITEMKNN_MAGIC);
    mr_write_f64(w, k->mu);
    mr_write_u32(w, (uint32_t)n);
    mr_write_align(w, 16);
    mr_write(w, k->b_item, n * sizeof *k->b_item);
    mr_write(w, k->core_len, n * sizeof *k->core_len);
    return mr_sparse_topk_save(&k->nb, w);
}

/* The arrays stay in the cache file's mapping (m->backing): no copy. */
static int itemknn_load(struct mr_model *m, struct mr_reader *rd, struct mr_error *err)
{
    int32_t n_items = m->ratings->n_items;
    struct itemknn *k = calloc(1, sizeof *k);
    if (!k || fill_pop(k, m->ratings) != 0) {
        itemknn_free_impl(k);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "itemknn: out of memory");
    }
    uint32_t magic, n;
    if (mr_read_u32(rd, &magic) || magic != ITEMKNN_MAGIC || mr_read_f64(rd, &k->mu) ||
        !isfinite(k->mu) || mr_read_count(rd, (uint32_t)n_items, &n) || n != (uint32_t)n_items ||
        mr_read_align(rd, 16))
        goto fail;
    k->b_item = mr_read_view(rd, n, sizeof *k->b_item);
    k->core_len = mr_read_view(rd, n, sizeof *k->core_len);
    if (!k->b_item || !k->core_len)
        goto fail;
    for (uint32_t i = 0; i < n; i++)
        if (!isfinite(k->b_item[i]))
            goto fail;
    if (mr_sparse_topk_load(rd, n_items, n_items, &k->nb) != MR_OK)
        goto fail;
    for (int32_t i = 0; i < n_items; i++)
        if (k->core_len[i] < 0 || k->core_len[i] > mr_sparse_topk_row_len(&k->nb, i))
            goto fail;
    itemknn_free_impl(m->impl);
    m->impl = k;
    return MR_OK;
fail:
    rd->failed = 1;
    itemknn_free_impl(k);
    return mr_error_set(err, MR_ECORRUPT, NULL, 0,
                        "itemknn: the model data is corrupt or truncated");
}

static void itemknn_destroy(struct mr_model *m)
{
    itemknn_free_impl(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_itemknn = {
    .name = "itemknn",
    .description = "item-item neighbours (shrunk Pearson-baseline similarity, KNNBaseline)",
    .defaults = itemknn_defaults,
    .fit = itemknn_fit,
    .user_new = itemknn_user_new,
    .user_free = itemknn_user_free,
    .user_update = itemknn_user_update,
    .score = itemknn_score,
    .predict = itemknn_predict,
    .explain = itemknn_explain,
    .similar = itemknn_similar,
    .save = itemknn_save,
    .load = itemknn_load,
    .destroy = itemknn_destroy,
};
