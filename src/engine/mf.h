/* mf.h — private: the biased matrix-factorisation model shared by als and sgd.
 *
 *     r̂(u, i) = mu + b_u + b_i + p_u · q_i
 *
 * model_als.c and model_sgd.c only fit the item side (q_i, b_i).  Everything else is here and
 * identical for both: a user's (p_u, b_u) is always the fold-in of foldin.h over the item
 * features x_i = (q_i, 1) with targets r - mu - b_i and weighted lambda mf->lambda, kept
 * current one rating at a time; prediction, scores, explanations, similarity and the cache. */
#ifndef MOVIEREC_MF_H
#define MOVIEREC_MF_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/eval.h"
#include "movierec/model.h"
#include "mf_scan.h"

/* Largest number of factors accepted from parameters or a cache file. */
#define MR_MF_MAX_FACTORS 1024

struct mr_mf {
    int k;              /* factors */
    int dim;            /* k + 1: the row stride of items */
    int32_t n_items;    /* catalog size */
    double mu;          /* global mean of the training ratings */
    double lambda;      /* fold-in regularisation per rating */
    double shrink;      /* similar(): cosine * n / (n + shrink), n the smaller rating count */
    const float *items; /* n_items x dim: (q_i, 1); q_i = 0 for items nobody rated */
    const float *bias;  /* n_items: b_i */
    /* items and bias as the fit writes them, or NULL when they are views into a loaded cache
     * file (then owned by the model's backing, not by mf). */
    float *own_items, *own_bias;
    /* Derived per item by mr_mf_finish() (not saved), so that a query computes nothing twice:
     * the ranking score is base + (b_i + p_u · q_i) rank_weight[i] + rank_pop[i] (rank.h);
     * similar() is (q_i · q_j) inv_norm[i] inv_norm[j] min(support[i], support[j]), with
     * inv_norm 0 for an item without factors or ratings (no similarity). */
    float *rank_weight, *rank_pop, *inv_norm, *support;
    /* The factors q_i as int8 (mf_scan.h), also derived by mr_mf_finish(): score() and
     * similar() scan the catalog through it; predict() and explain() use the float rows. */
    struct mr_scan scan;
};

/* A model with k factors over n_items items, its arrays owned: q = 0, b = 0, the constant
 * column set.  Returns NULL when out of memory. */
struct mr_mf *mr_mf_new(int k, int32_t n_items);

/* Frees mf (NULL is fine). */
void mr_mf_free(struct mr_mf *mf);

/* Fills the first dim - 1 entries of each of n rows of X (stride dim) with N(0, sd²) draws
 * from g and sets the last entry to 1. */
void mr_mf_random_rows(float *X, int64_t n, int dim, float sd, struct mr_splitmix *g);

/* Computes the derived arrays after the item side is fitted or loaded; count is the training
 * ratings per item.  Returns 0, or -1 when out of memory. */
int mr_mf_finish(struct mr_mf *mf, const int32_t *count);

/* Largest number of threads a fit uses. */
#define MR_MF_MAX_THREADS 64

/* Threads for a fit: requested, or the number of online cores when requested is 0; at least
 * 1, at most MR_MF_MAX_THREADS and at most useful. */
int mr_mf_threads(int requested, int64_t useful);

/* Runs work(arg) on n_threads threads at once, the caller's thread being one of them, and
 * returns when all have finished.  A thread that cannot be started is simply not started
 * (work must share itself out, e.g. through an atomic counter, so that fewer threads give the
 * same result, only later). */
void mr_mf_run_threads(void *(*work)(void *), void *arg, int n_threads);

/* The end of a fit: zeroes the factors and bias of items nobody rated (they only saw their
 * start), computes the derived arrays and installs mf as m->impl (replacing what was there).
 * Returns MR_OK, or MR_ENOMEM (mf freed, m unchanged) with err set. */
int mr_mf_install(struct mr_model *m, struct mr_mf *mf, struct mr_error *err);

/* The shared model operations; m->impl is a struct mr_mf.  predict is the rating above;
 * score ranks: rank.h's score of the
 * prediction.  A user state solves lazily on its first query after an update, so one
 * state must not be queried from two threads at once. */
void *mr_mf_user_new(const struct mr_model *m);
void mr_mf_user_free(const struct mr_model *m, void *state);
void mr_mf_user_update(const struct mr_model *m, void *state, const struct mr_user *u, int32_t item,
                       int old_half, int new_half);
void mr_mf_score(const struct mr_model *m, const void *state, const struct mr_user *u,
                 float *scores);
double mr_mf_predict(const struct mr_model *m, const void *state, const struct mr_user *u,
                     int32_t item);
int mr_mf_explain(const struct mr_model *m, const void *state, const struct mr_user *u,
                  int32_t item, char *buf, size_t len);
int mr_mf_similar(const struct mr_model *m, int32_t item, float *sims);
int mr_mf_save(const struct mr_model *m, struct mr_writer *w);
int mr_mf_load(struct mr_model *m, struct mr_reader *r, struct mr_error *err);
void mr_mf_destroy(struct mr_model *m);

/* The operations als and sgd share: every entry of their ops tables after fit. */
#define MR_MF_SHARED_OPS                                                                           \
    .user_new = mr_mf_user_new, .user_free = mr_mf_user_free, .user_update = mr_mf_user_update,    \
    .score = mr_mf_score, .predict = mr_mf_predict, .explain = mr_mf_explain,                      \
    .similar = mr_mf_similar, .save = mr_mf_save, .load = mr_mf_load, .destroy = mr_mf_destroy

/* The user's current solution kept by user_update: dim doubles, p_u then b_u. */
const double *mr_mf_user_solution(const void *state);

/* The same solution computed from scratch from all of u's ratings (for checking the
 * incremental one).  sol holds dim doubles.  Returns 0, or -1 when out of memory. */
int mr_mf_solve_user(const struct mr_model *m, const struct mr_user *u, double *sol);

#endif
