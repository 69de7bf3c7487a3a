/* foldin.h — private: one user's ridge regression over fixed item features, kept as normal
 * equations so that a rating can be added, changed or removed in O(dim²) and re-solved
 * exactly.  Shared by the factor models (als, sgd) and their training.
 *
 * For ratings j with feature rows x_j (dim floats) and targets t_j, the solution is
 *     sol = (Σ x_j x_jᵀ + lambda·n·I)⁻¹ Σ t_j x_j
 * with n the number of ratings (the weighted-lambda regularisation of ALS-WR); no ratings
 * gives sol = 0. */
#ifndef MOVIEREC_FOLDIN_H
#define MOVIEREC_FOLDIN_H

#include <stddef.h>
#include <stdint.h>

struct mr_foldin {
    int dim;       /* unknowns */
    int32_t n;     /* ratings held */
    double lambda; /* regularisation per rating */
    double *gram;  /* dim x dim: Σ x xᵀ, unregularised */
    double *rhs;   /* dim: Σ t x */
    double *sol;   /* dim: the solution for the ratings held */
    double *work;  /* 2 dim²: the regularised matrix and its factor */
};

/* Initialises an empty problem.  Returns MR_OK or MR_ENOMEM (f is then freed). */
int mr_foldin_init(struct mr_foldin *f, int dim, double lambda);

/* Frees f's arrays and zeroes it. */
void mr_foldin_free(struct mr_foldin *f);

/* Adds (remove: takes back) one rating with features x and target t.  Does not re-solve.
 * Removing the last rating resets the sums to exact zeros. */
void mr_foldin_add(struct mr_foldin *f, const float *x, double t);
void mr_foldin_remove(struct mr_foldin *f, const float *x, double t);

/* A held rating's target changed by dt (same features).  Does not re-solve. */
void mr_foldin_retarget(struct mr_foldin *f, const float *x, double dt);

/* Re-solves sol for the ratings held.  Returns 0, or -1 when the system is not positive
 * definite (only possible with lambda = 0; sol is then zero). */
int mr_foldin_solve(struct mr_foldin *f);

/* mr_ridge_solve() sums the Gram matrix over blocks of MR_RIDGE_CHUNK rows gathered as floats
 * padded to whole tiles of MR_RIDGE_TILE columns. */
#define MR_RIDGE_CHUNK 128
#define MR_RIDGE_TILE  16

/* Doubles of scratch mr_ridge_solve() needs for dim unknowns: the dual form's
 * 3 dim² + dim, or the primal form's 2 dim² + dim plus a gathered block of floats. */
#define MR_RIDGE_WORK(dim)                                                                         \
    (3 * (size_t)(dim) * (size_t)(dim) + 5 * (size_t)(dim) +                                       \
     MR_RIDGE_CHUNK * ((size_t)(dim) + MR_RIDGE_TILE) / 2 + 1)

/* The same problem solved from scratch: rows[j] indexes the feature matrix X (row stride
 * dim), t[j] is the target, for j < n.  work holds MR_RIDGE_WORK(dim) doubles.  Returns 0 (sol zero
 * when n = 0), or -1 when not positive definite (sol zeroed). */
int mr_ridge_solve(const float *X, int dim, const int32_t *rows, const double *t, int64_t n,
                   double lambda, double *sol, double *work);

#endif
