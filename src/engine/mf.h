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

/* Largest number of factors accepted from parameters or a cache file. */
#define MR_MF_MAX_FACTORS 1024

struct mr_mf {
    int k;           /* factors */
    int dim;         /* k + 1: the row stride of items */
    int32_t n_items; /* catalog size */
    double mu;       /* global mean of the training ratings */
    double lambda;   /* fold-in regularisation per rating */
    double shrink;   /* similar(): cosine * n / (n + shrink), n the smaller rating count */
    float *items;    /* n_items x dim: (q_i, 1); q_i = 0 for items nobody rated */
    float *bias;     /* n_items: b_i */
    float *norm;     /* n_items: |q_i| (derived, not saved) */
};

/* A model with k factors over n_items items: q = 0, b = 0, the constant column set.
 * Returns NULL when out of memory. */
struct mr_mf *mr_mf_new(int k, int32_t n_items);

/* Frees mf (NULL is fine). */
void mr_mf_free(struct mr_mf *mf);

/* Fills the first dim - 1 entries of each of n rows of X (stride dim) with N(0, sd²) draws
 * from g and sets the last entry to 1. */
void mr_mf_random_rows(float *X, int64_t n, int dim, float sd, struct mr_splitmix *g);

/* Computes the derived arrays (norms) after the item side is fitted or loaded. */
void mr_mf_finish(struct mr_mf *mf);

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

/* The user's current solution kept by user_update: dim doubles, p_u then b_u. */
const double *mr_mf_user_solution(const void *state);

/* The same solution computed from scratch from all of u's ratings (for checking the
 * incremental one).  sol holds dim doubles.  Returns 0, or -1 when out of memory. */
int mr_mf_solve_user(const struct mr_model *m, const struct mr_user *u, double *sol);

#endif
