/* model_graph.c — RP3beta: three-step random walks on the user-item bipartite graph.
 *
 * The graph links users to the films they liked (3.5 stars or more).  A walk from item i goes
 * to a user u who liked i (probability 1/deg(i)), then to an item j that u liked (probability
 * 1/deg(u)).  With both transition probabilities raised to alpha,
 *     W_ij = Σ_u (1/deg(i))^alpha (1/deg(u))^alpha / deg(j)^beta,
 * where dividing by deg(j)^beta takes popularity out of the walk.  Every item keeps its
 * params.neighbors largest W_ij (fit, in parallel over items).
 *
 * A user's state holds, for every item i, Σ_j W_ji and Σ_j r_j W_ji over the rated items j,
 * so a rating change adds or subtracts one row.  The score weighs each rated film by
 * r_j - mean_u + LIKE_OFFSET: films rated well above the user's mean lead the walk. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/model.h"
#include "corate_cap.h"
#include "models.h"
#include "reason.h"
#include "sparse_topk.h"

#define GRAPH_MAGIC 0x32485047u /* "GPH2": W and liked degrees, aligned for use in place */
#define LIKE_OFFSET 1.0         /* tuned on a validation split of ml-latest-small */
#define LIKED_HALF  7           /* the graph's edges: ratings of 3.5 stars and more */

struct graph {
    struct mr_sparse_topk w; /* rows: W_i., top-K */
    const int32_t *liked;    /* n_items: liked ratings per item, deg(i) */
    int32_t *owned_liked;    /* liked when fitted; NULL when it is a view into the backing */
    float *pop;              /* n_items: the popularity tie-break every score starts from */
};

struct graph_user {
    double *mass;  /* n_items: Σ_j W_ji over rated j */
    double *rmass; /* n_items: Σ_j r_j W_ji */
    double r_sum;
    int32_t n;
};

static void graph_defaults(struct mr_params *p)
{
    p->neighbors = 100;
    p->alpha = 0.6; /* alpha and beta tuned on a validation split of ml-latest-small */
    p->beta = 0.4;
}

static void graph_free_impl(struct graph *g)
{
    if (!g)
        return;
    mr_sparse_topk_free(&g->w);
    free(g->owned_liked);
    free(g->pop);
    free(g);
}

struct walk_ctx {
    const struct mr_ratings *r;
    float *user_w;  /* n_users: deg(u)^-alpha */
    float *item_in; /* n_items: deg(j)^-beta */
    float *item_out;
    uint8_t *keep_by_user; /* per CSR entry: takes part (heavy users are sampled) */
    uint8_t *keep_by_item; /* per CSC entry */
};

struct walk_scratch {
    double *acc;
    int32_t *touched;
    uint8_t *seen;
};

static void *walk_scratch_new(void *vctx)
{
    const struct walk_ctx *ctx = vctx;
    size_t n = (size_t)(ctx->r->n_items > 0 ? ctx->r->n_items : 1);
    struct walk_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->acc = calloc(n, sizeof *s->acc);
    s->touched = malloc(n * sizeof *s->touched);
    s->seen = calloc(n, 1);
    if (!s->acc || !s->touched || !s->seen) {
        free(s->acc);
        free(s->touched);
        free(s->seen);
        free(s);
        return NULL;
    }
    return s;
}

static void walk_scratch_free(void *vctx, void *vs)
{
    (void)vctx;
    struct walk_scratch *s = vs;
    free(s->acc);
    free(s->touched);
    free(s->seen);
    free(s);
}

/* Row i of W: the walk's arrival weights from item i, divided by the popularity penalty. */
static int32_t walk_row(void *vctx, void *vs, int32_t i, struct mr_scored *cand)
{
    const struct walk_ctx *ctx = vctx;
    const struct mr_ratings *r = ctx->r;
    struct walk_scratch *s = vs;
    int32_t n_touched = 0;
    for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++) {
        if (!ctx->keep_by_item[p])
            continue;
        int32_t u = r->item_users[p];
        double wu = ctx->user_w[u];
        for (int64_t q = r->user_ptr[u]; q < r->user_ptr[u + 1]; q++) {
            if (!ctx->keep_by_user[q])
                continue;
            int32_t j = r->user_items[q];
            if (!s->seen[j]) {
                s->seen[j] = 1;
                s->touched[n_touched++] = j;
            }
            s->acc[j] += wu;
        }
    }
    int32_t n = 0;
    for (int32_t t = 0; t < n_touched; t++) {
        int32_t j = s->touched[t];
        double v = ctx->item_out[i] * s->acc[j] * ctx->item_in[j];
        if (j != i && v > 0)
            cand[n++] = (struct mr_scored){j, (float)v};
        s->acc[j] = 0;
        s->seen[j] = 0;
    }
    return n;
}

/* Number of users who liked item i (the item's degree in the graph). */
static int64_t liked_degree(const struct mr_ratings *r, int32_t i)
{
    int64_t n = 0;
    for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++)
        n += r->item_vals[p] >= LIKED_HALF;
    return n;
}

/* Fills g->liked with every item's liked degree, so that similar() need not count them
 * (an item's column can hold 100,000 ratings).  Returns 0, or -1 when out of memory. */
static int count_liked(struct graph *g, const struct mr_ratings *r)
{
    g->owned_liked = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *g->owned_liked);
    if (!g->owned_liked)
        return -1;
    for (int32_t i = 0; i < r->n_items; i++) {
        int32_t n = 0; /* 32 bits and no branch: the loop vectorises */
        for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++)
            n += r->item_vals[p] >= LIKED_HALF;
        g->owned_liked[i] = n;
    }
    g->liked = g->owned_liked;
    return 0;
}

/* Fills g->pop, the popularity tie-break: a tiny multiple of each item's rating count that
 * orders the items no walk reaches.  Returns 0, or -1 when out of memory. */
static int fill_pop(struct graph *g, const struct mr_ratings *r)
{
    g->pop = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *g->pop);
    if (!g->pop)
        return -1;
    double pop_scale = 1e-9 / (1.0 + (double)r->n_ratings);
    for (int32_t i = 0; i < r->n_items; i++)
        g->pop[i] = (float)(pop_scale * r->item_count[i]);
    return 0;
}

static int graph_fit(struct mr_model *m, struct mr_error *err)
{
    const struct mr_ratings *r = m->ratings;
    struct graph *g = calloc(1, sizeof *g);
    size_t nr = (size_t)(r->n_ratings > 0 ? r->n_ratings : 1);
    struct walk_ctx ctx = {.r = r};
    ctx.user_w = malloc((size_t)(r->n_users > 0 ? r->n_users : 1) * sizeof *ctx.user_w);
    ctx.item_in = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *ctx.item_in);
    ctx.item_out = malloc((size_t)(r->n_items > 0 ? r->n_items : 1) * sizeof *ctx.item_out);
    ctx.keep_by_user = malloc(nr);
    ctx.keep_by_item = malloc(nr);
    int rc = MR_ENOMEM;
    if (!g || !ctx.user_w || !ctx.item_in || !ctx.item_out || !ctx.keep_by_user ||
        !ctx.keep_by_item)
        goto out;
    double alpha = m->params.alpha, beta = m->params.beta;
    /* Degrees count liked edges only: the walk moves along them. */
    for (int32_t u = 0; u < r->n_users; u++) {
        int64_t n_u = r->user_ptr[u + 1] - r->user_ptr[u], liked = 0;
        for (int64_t p = r->user_ptr[u]; p < r->user_ptr[u + 1]; p++) {
            int keep = r->user_vals[p] >= LIKED_HALF && mr_corate_keep(u, r->user_items[p], n_u);
            ctx.keep_by_user[p] = (uint8_t)keep;
            liked += r->user_vals[p] >= LIKED_HALF;
        }
        ctx.user_w[u] = liked > 0 ? (float)pow((double)liked, -alpha) : 0.0f;
    }
    for (int32_t i = 0; i < r->n_items; i++) {
        int64_t liked = liked_degree(r, i);
        for (int64_t p = r->item_ptr[i]; p < r->item_ptr[i + 1]; p++) {
            int32_t u = r->item_users[p];
            int64_t n_u = r->user_ptr[u + 1] - r->user_ptr[u];
            ctx.keep_by_item[p] =
                (uint8_t)(r->item_vals[p] >= LIKED_HALF && mr_corate_keep(u, i, n_u));
        }
        ctx.item_out[i] = liked > 0 ? (float)pow((double)liked, -alpha) : 0.0f;
        ctx.item_in[i] = liked > 0 ? (float)pow((double)liked, -beta) : 0.0f;
    }
    struct mr_sparse_topk_job job = {
        .n_rows = r->n_items,
        .n_cols = r->n_items,
        .k = m->params.neighbors > 0 ? m->params.neighbors : 100,
        .threads = m->params.threads,
        .ctx = &ctx,
        .scratch_new = walk_scratch_new,
        .scratch_free = walk_scratch_free,
        .row = walk_row,
        .progress = m->progress,
        .progress_ctx = m->progress_ctx,
        .stage = "graph: random walks",
    };
    if (mr_sparse_topk_build(&job, &g->w) != MR_OK || count_liked(g, r) != 0 || fill_pop(g, r) != 0)
        goto out;
    rc = MR_OK;
out:
    free(ctx.user_w);
    free(ctx.item_in);
    free(ctx.item_out);
    free(ctx.keep_by_user);
    free(ctx.keep_by_item);
    if (rc != MR_OK) {
        graph_free_impl(g);
        return mr_error_set(err, rc, NULL, 0, "graph: out of memory while fitting");
    }
    graph_free_impl(m->impl);
    m->impl = g;
    return MR_OK;
}

static void graph_user_free(const struct mr_model *m, void *vs)
{
    (void)m;
    struct graph_user *s = vs;
    if (!s)
        return;
    free(s->mass);
    free(s->rmass);
    free(s);
}

static void *graph_user_new(const struct mr_model *m)
{
    size_t n = (size_t)(m->ratings->n_items > 0 ? m->ratings->n_items : 1);
    struct graph_user *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mass = calloc(n, sizeof *s->mass);
    s->rmass = calloc(n, sizeof *s->rmass);
    if (!s->mass || !s->rmass) {
        graph_user_free(m, s);
        return NULL;
    }
    return s;
}

static void apply_rating(const struct graph *g, struct graph_user *s, int32_t j, int half,
                         double sign)
{
    double rj = half * 0.5;
    s->r_sum += sign * rj;
    s->n += sign > 0 ? 1 : -1;
    for (int64_t p = g->w.ptr[j]; p < g->w.ptr[j + 1]; p++) {
        double w = sign * g->w.val[p];
        s->mass[g->w.col[p]] += w;
        s->rmass[g->w.col[p]] += w * rj;
    }
}

static void graph_user_update(const struct mr_model *m, void *vs, const struct mr_user *u,
                              int32_t item, int old_half, int new_half)
{
    (void)u;
    const struct graph *g = m->impl;
    if (old_half > 0)
        apply_rating(g, vs, item, old_half, -1.0);
    if (new_half > 0)
        apply_rating(g, vs, item, new_half, +1.0);
}

/* Σ_j (r_j - mean_u + LIKE_OFFSET) W_ji, plus a tiny popularity term for items no walk
 * reaches. */
static void graph_score(const struct mr_model *m, const void *vs, const struct mr_user *u,
                        float *scores)
{
    (void)u;
    const struct graph *g = m->impl;
    const struct graph_user *s = vs;
    double mean = s->n > 0 ? s->r_sum / s->n : 0.0;
    double shift = mean - LIKE_OFFSET;
    const double *rmass = s->rmass, *mass = s->mass;
    const float *pop = g->pop;
    for (int32_t i = 0; i < g->w.n_rows; i++)
        scores[i] = (float)(rmass[i] - shift * mass[i] + pop[i]);
}

static int graph_explain(const struct mr_model *m, const void *vs, const struct mr_user *u,
                         int32_t item, char *buf, size_t len)
{
    const struct graph *g = m->impl;
    const struct graph_user *s = vs;
    if (len)
        buf[0] = '\0';
    double mean = s->n > 0 ? s->r_sum / s->n : 0.0;
    int32_t best = -1;
    double best_w = 0;
    for (int32_t t = 0; t < u->n; t++) {
        int32_t j = u->items[t];
        double like = u->vals[t] * 0.5 - mean + LIKE_OFFSET;
        double w = like * mr_sparse_topk_get(&g->w, j, item);
        if (j != item && w > best_w) {
            best_w = w;
            best = j;
        }
    }
    if (best < 0 || !len)
        return 0;
    char tbuf[32];
    snprintf(buf, len, "people who liked %s also liked this",
             mr_reason_title(m->catalog, best, tbuf, sizeof tbuf));
    return 1;
}

/* The geometric mean of the walks i -> j and j -> i: W_ji = W_ij (deg(i) / deg(j))^(alpha -
 * beta) follows from the formula, so sqrt(W_ij W_ji) reweighs row i by
 * (deg(i) / deg(j))^((alpha - beta) / 2).  Unlike W_ij alone, it does not lean towards the
 * most popular films, which suits "films like this one". */
static int graph_similar(const struct mr_model *m, int32_t item, float *sims)
{
    const struct graph *g = m->impl;
    const struct mr_ratings *r = m->ratings;
    memset(sims, 0, (size_t)r->n_items * sizeof *sims);
    if (item < 0 || item >= g->w.n_rows)
        return -1;
    double half = (m->params.alpha - m->params.beta) / 2;
    double deg_item = (double)g->liked[item];
    for (int64_t p = g->w.ptr[item]; p < g->w.ptr[item + 1]; p++) {
        int32_t j = g->w.col[p];
        int64_t deg_j = g->liked[j];
        double ratio = deg_j > 0 ? deg_item / (double)deg_j : 1.0;
        sims[j] = (float)(g->w.val[p] * pow(ratio, half));
    }
    return 0;
}

static int graph_save(const struct mr_model *m, struct mr_writer *w)
{
    const struct graph *g = m->impl;
    mr_write_u32(w, GRAPH_MAGIC);
    mr_write_u32(w, (uint32_t)g->w.n_rows);
    mr_write_align(w, 16);
    mr_write(w, g->liked, (size_t)g->w.n_rows * sizeof *g->liked);
    return mr_sparse_topk_save(&g->w, w);
}

/* The arrays stay in the cache file's mapping (m->backing): no copy. */
static int graph_load(struct mr_model *m, struct mr_reader *rd, struct mr_error *err)
{
    int32_t n_items = m->ratings->n_items;
    struct graph *g = calloc(1, sizeof *g);
    if (!g || fill_pop(g, m->ratings) != 0) {
        graph_free_impl(g);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "graph: out of memory");
    }
    uint32_t magic, n;
    if (mr_read_u32(rd, &magic) || magic != GRAPH_MAGIC ||
        mr_read_count(rd, (uint32_t)n_items, &n) || n != (uint32_t)n_items ||
        mr_read_align(rd, 16) || !(g->liked = mr_read_view(rd, n, sizeof *g->liked)) ||
        mr_sparse_topk_load(rd, n_items, n_items, &g->w) != MR_OK)
        goto fail;
    for (uint32_t i = 0; i < n; i++)
        if (g->liked[i] < 0)
            goto fail;
    graph_free_impl(m->impl);
    m->impl = g;
    return MR_OK;
fail:
    rd->failed = 1;
    graph_free_impl(g);
    return mr_error_set(err, MR_ECORRUPT, NULL, 0, "graph: the model data is corrupt or truncated");
}

static void graph_destroy(struct mr_model *m)
{
    graph_free_impl(m->impl);
    m->impl = NULL;
}

const struct mr_model_ops mr_model_graph = {
    .name = "graph",
    .description = "random walks on the user-film graph (RP3beta)",
    .defaults = graph_defaults,
    .fit = graph_fit,
    .user_new = graph_user_new,
    .user_free = graph_user_free,
    .user_update = graph_user_update,
    .score = graph_score,
    .predict = NULL,
    .explain = graph_explain,
    .similar = graph_similar,
    .save = graph_save,
    .load = graph_load,
    .destroy = graph_destroy,
};
