/* tune.c — choosing a model's hyper-parameters on validation data carved out of a training
 * part only (`movierec eval --tune`, `movierec train --tune`; see eval.h).
 *
 * The validation fold is made from the training ratings alone, by the rule of the split kind:
 * top-N kinds hold out a seeded 20% of each user's ratings (the holdout rule), rating kinds a
 * seeded 1/TUNE_RATING_FOLDS of the ratings.  Each setting of the model's small grid is fitted
 * on the rest and measured on the validation part (NDCG@10 or RMSE); the best wins, ties going
 * to the earlier setting (the defaults come first). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/eval.h"
#include "movierec/hybrid.h"

#define TUNE_RATING_FOLDS 5 /* rating kinds: 1 in 5 training ratings validates */
#define TUNE_HOLDOUT      0.2

/* One grid: up to three parameters, each with its candidate values. */
enum knob { K_FACTORS, K_REG, K_LR, K_NEIGHBORS, K_SHRINK, K_ALPHA, K_BETA };

struct axis {
    enum knob knob;
    int n;
    double v[4];
};

struct grid {
    const char *algo;
    int n_axes;
    struct axis axes[3];
};

/* Small on purpose: `eval --split holdout:0.2 --algo all --tune` runs in minutes on
 * ml-latest-small.  Each grid brackets the model's defaults. */
static const struct grid grids[] = {
    {"pop", 1, {{K_SHRINK, 4, {0, 3, 10, 30}}}},
    {"baseline", 2, {{K_REG, 3, {1, 3, 10}}, {K_SHRINK, 2, {1, 3}}}},
    {"als", 2, {{K_FACTORS, 2, {32, 64}}, {K_REG, 3, {0.06, 0.12, 0.25}}}},
    {"sgd", 3, {{K_FACTORS, 2, {50, 100}}, {K_REG, 2, {0.05, 0.1}}, {K_LR, 2, {0.01, 0.015}}}},
    {"itemknn", 2, {{K_NEIGHBORS, 3, {50, 200, 400}}, {K_SHRINK, 2, {50, 200}}}},
    {"userknn", 2, {{K_NEIGHBORS, 3, {20, 50, 100}}, {K_SHRINK, 2, {5, 20}}}},
    {"graph", 2, {{K_ALPHA, 3, {0.4, 0.6, 0.8}}, {K_BETA, 3, {0.2, 0.4, 0.6}}}},
};

static const char *knob_name(enum knob k)
{
    static const char *const names[] = {"factors", "reg",   "lr",  "neighbors",
                                        "shrink",  "alpha", "beta"};
    return names[k];
}

static void knob_set(struct mr_params *p, enum knob k, double v)
{
    switch (k) {
    case K_FACTORS:
        p->factors = (int)v;
        break;
    case K_REG:
        p->reg = v;
        break;
    case K_LR:
        p->lr = v;
        break;
    case K_NEIGHBORS:
        p->neighbors = (int)v;
        break;
    case K_SHRINK:
        p->shrink = v;
        break;
    case K_ALPHA:
        p->alpha = v;
        break;
    case K_BETA:
        p->beta = v;
        break;
    }
}

static double knob_get(const struct mr_params *p, enum knob k)
{
    switch (k) {
    case K_FACTORS:
        return p->factors;
    case K_REG:
        return p->reg;
    case K_LR:
        return p->lr;
    case K_NEIGHBORS:
        return p->neighbors;
    case K_SHRINK:
        return p->shrink;
    case K_ALPHA:
        return p->alpha;
    case K_BETA:
        return p->beta;
    }
    return 0;
}

static const struct grid *grid_of(const char *algo)
{
    for (size_t i = 0; i < sizeof grids / sizeof *grids; i++)
        if (strcmp(grids[i].algo, algo) == 0)
            return &grids[i];
    return NULL;
}

/* ---- The validation fold -------------------------------------------------------------------- */

static int triples_alloc(struct mr_triples *t, int64_t n)
{
    size_t m = (size_t)(n > 0 ? n : 1);
    t->n = 0;
    t->user_ids = malloc(m * sizeof *t->user_ids);
    t->items = malloc(m * sizeof *t->items);
    t->vals = malloc(m);
    return t->user_ids && t->items && t->vals ? 0 : -1;
}

int mr_tune_carve(const struct mr_ratings *train, enum mr_eval_kind kind, uint64_t seed,
                  struct mr_fold *out, struct mr_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t n = train->n_ratings;
    uint8_t *held = calloc((size_t)(n > 0 ? n : 1), 1);
    int32_t *order = NULL;
    struct mr_ratings_builder b = {0};
    int rc = MR_ENOMEM;
    if (!held)
        goto fail;
    struct mr_splitmix g;
    mr_splitmix_seed(&g, seed);
    if (kind == MR_EVAL_RATING) {
        /* A seeded 1/K of the ratings: Fisher-Yates over the CSR order, the first n/K held. */
        int64_t *perm = malloc((size_t)(n > 0 ? n : 1) * sizeof *perm);
        if (!perm)
            goto fail;
        for (int64_t i = 0; i < n; i++)
            perm[i] = i;
        for (int64_t k = n - 1; k >= 1; k--) {
            int64_t j = (int64_t)(mr_splitmix_next(&g) % (uint64_t)(k + 1));
            int64_t t = perm[k];
            perm[k] = perm[j];
            perm[j] = t;
        }
        for (int64_t i = 0; i < n / TUNE_RATING_FOLDS; i++)
            held[perm[i]] = 1;
        free(perm);
    } else {
        /* The holdout rule per user (users in ascending id, one stream). */
        int32_t max_row = 1;
        for (int32_t u = 0; u < train->n_users; u++)
            if (train->user_ptr[u + 1] - train->user_ptr[u] > max_row)
                max_row = (int32_t)(train->user_ptr[u + 1] - train->user_ptr[u]);
        order = malloc((size_t)max_row * sizeof *order);
        if (!order)
            goto fail;
        for (int32_t u = 0; u < train->n_users; u++) {
            int64_t lo = train->user_ptr[u];
            int32_t cnt = (int32_t)(train->user_ptr[u + 1] - lo);
            int32_t n_test = mr_holdout_n_test(cnt, TUNE_HOLDOUT);
            if (n_test <= 0)
                continue;
            for (int32_t k = 0; k < cnt; k++)
                order[k] = k;
            for (int32_t k = cnt - 1; k >= 1; k--) {
                int32_t j = (int32_t)(mr_splitmix_next(&g) % (uint64_t)(k + 1));
                int32_t t = order[k];
                order[k] = order[j];
                order[j] = t;
            }
            for (int32_t k = 0; k < n_test; k++)
                held[lo + order[k]] = 1;
        }
    }
    int64_t n_held = 0;
    for (int64_t i = 0; i < n; i++)
        n_held += held[i];
    if (triples_alloc(&out->test, n_held) != 0)
        goto fail;
    int32_t n_listed = 0;
    out->user_ids = malloc((size_t)(train->n_users > 0 ? train->n_users : 1) * sizeof(int32_t));
    if (!out->user_ids)
        goto fail;
    /* CSR order is user id ascending, then item ascending: the triples come out sorted. */
    for (int32_t u = 0; u < train->n_users; u++) {
        int any = 0;
        for (int64_t p = train->user_ptr[u]; p < train->user_ptr[u + 1]; p++) {
            if (held[p]) {
                int64_t at = out->test.n++;
                out->test.user_ids[at] = train->user_ids[u];
                out->test.items[at] = train->user_items[p];
                out->test.vals[at] = train->user_vals[p];
                any = 1;
            } else if (mr_ratings_builder_add(&b, train->user_ids[u], train->user_items[p],
                                              train->user_vals[p]) != MR_OK) {
                goto fail;
            }
        }
        /* Holdout lists every user; rating kinds the users with a validation rating. */
        if (any || kind != MR_EVAL_RATING)
            out->user_ids[n_listed++] = train->user_ids[u];
    }
    out->n_users = n_listed;
    if (mr_ratings_build(&b, train->n_items, &out->train) != MR_OK)
        goto fail;
    free(held);
    free(order);
    return MR_OK;
fail:
    mr_ratings_builder_free(&b);
    free(held);
    free(order);
    mr_fold_free(out);
    return mr_error_set(err, rc, NULL, 0, "tuning: out of memory");
}

/* ---- The search ----------------------------------------------------------------------------- */

/* Fits algo with p on v->train and measures it on v; *metric gets the validation figure. */
static int measure(const struct mr_catalog *c, const struct mr_fold *v, const char *algo,
                   const struct mr_params *p, enum mr_eval_kind kind, int threads, double *metric,
                   struct mr_error *err)
{
    struct mr_model *m = mr_model_new(algo, p, c, &v->train);
    if (!m)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "tuning: out of memory");
    int rc = mr_model_fit(m, err);
    struct mr_eval_result r;
    mr_eval_result_clear(&r);
    if (rc == MR_OK)
        rc = kind == MR_EVAL_RATING ? mr_eval_fold_rating(m, v, threads, &r, err)
                                    : mr_eval_fold_topn(m, v, threads, &r, err);
    *metric = kind == MR_EVAL_RATING ? r.rmse : r.ndcg10;
    mr_model_free(m);
    return rc;
}

/* Appends " key=value" for each axis of gr at p into buf. */
static void describe(const struct grid *gr, const struct mr_params *p, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int a = 0; a < gr->n_axes && at < len; a++) {
        int w = snprintf(buf + at, len - at, "%s%s=%g", at ? " " : "", knob_name(gr->axes[a].knob),
                         knob_get(p, gr->axes[a].knob));
        at += w > 0 ? (size_t)w : 0;
    }
}

/* The hybrid: its weights are tuned inside its fit; the result says what they are. */
static void describe_hybrid(const struct mr_model *h, struct mr_tune_result *out)
{
    struct mr_hybrid_report rep;
    size_t at = 0, len = sizeof out->chosen;
    out->chosen[0] = '\0';
    if (mr_hybrid_last_report(h, &rep) != 0)
        return;
    for (int b = 0; b < MR_HYBRID_BUCKETS && at < len; b++) {
        int w = snprintf(out->chosen + at, len - at, "%sbucket%d=", b ? " " : "", b);
        at += w > 0 ? (size_t)w : 0;
        int first = 1;
        for (int c = 0; c < rep.n_components && at < len; c++) {
            if (!(rep.weights[b][c] > 0))
                continue;
            w = snprintf(out->chosen + at, len - at, "%s%s:%.2f", first ? "" : ",", rep.names[c],
                         rep.weights[b][c]);
            at += w > 0 ? (size_t)w : 0;
            first = 0;
        }
    }
    out->metric = rep.blend_ndcg[MR_HYBRID_BUCKETS - 1];
}

int mr_tune_params(const struct mr_catalog *c, const struct mr_ratings *train, const char *algo,
                   enum mr_eval_kind kind, uint64_t seed, int threads, struct mr_tune_result *out,
                   struct mr_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->algo, sizeof out->algo, "%s", algo ? algo : "");
    if (!algo || !mr_model_ops_find(algo))
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "unknown model '%s'", algo ? algo : "");
    mr_params_default(algo, &out->params);
    out->metric = NAN;
    out->lower_is_better = kind == MR_EVAL_RATING;
    out->metric_name = kind == MR_EVAL_RATING ? "rmse" : "ndcg@10";
    const struct grid *gr = grid_of(algo);
    const struct mr_model_ops *ops = mr_model_ops_find(algo);
    if (!gr || (kind == MR_EVAL_RATING && !ops->predict)) {
        snprintf(out->chosen, sizeof out->chosen, "%s",
                 !gr ? "defaults (nothing to tune)" : "defaults (no rating predictions)");
        return MR_OK;
    }
    struct mr_fold v;
    int rc = mr_tune_carve(train, kind, seed, &v, err);
    if (rc != MR_OK)
        return rc;
    int total = 1, idx[3] = {0, 0, 0};
    for (int a = 0; a < gr->n_axes; a++)
        total *= gr->axes[a].n;
    /* The defaults first, so that a tie keeps them. */
    struct mr_params best = out->params;
    double best_v = NAN;
    rc = measure(c, &v, algo, &best, kind, threads, &best_v, err);
    out->n_tried = 1;
    for (int i = 0; rc == MR_OK && i < total; i++) {
        struct mr_params p = out->params;
        int rest = i;
        for (int a = 0; a < gr->n_axes; a++) {
            idx[a] = rest % gr->axes[a].n;
            rest /= gr->axes[a].n;
            knob_set(&p, gr->axes[a].knob, gr->axes[a].v[idx[a]]);
        }
        int same = 1;
        for (int a = 0; a < gr->n_axes; a++)
            same =
                same && knob_get(&p, gr->axes[a].knob) == knob_get(&out->params, gr->axes[a].knob);
        if (same)
            continue; /* the defaults, measured already */
        double val;
        rc = measure(c, &v, algo, &p, kind, threads, &val, err);
        out->n_tried++;
        int better = out->lower_is_better ? val < best_v - 1e-12 : val > best_v + 1e-12;
        if (rc == MR_OK && !isnan(val) && (isnan(best_v) || better)) {
            best_v = val;
            best = p;
        }
    }
    mr_fold_free(&v);
    if (rc != MR_OK)
        return rc;
    out->params = best;
    out->metric = best_v;
    describe(gr, &best, out->chosen, sizeof out->chosen);
    return MR_OK;
}

void mr_tune_describe_fitted(const struct mr_model *m, struct mr_tune_result *out)
{
    if (m && m->ops == mr_model_ops_find("hybrid")) {
        out->metric_name = "ndcg@10";
        out->lower_is_better = 0;
        describe_hybrid(m, out);
    }
}
