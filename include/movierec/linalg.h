/* linalg.h — the small dense linear algebra the models need: vectors of k floats and
 * k x k symmetric systems, solved exactly by Cholesky in double precision. */
#ifndef MOVIEREC_LINALG_H
#define MOVIEREC_LINALG_H

#include <stddef.h>

/* Sum of a[i] * b[i]. */
float mr_dot(const float *a, const float *b, int k);

/* Sum of a[i] * b[i] for i < k in MR_DOT_LANES independent partial sums: a fixed order (the
 * same result on every target) that vectorises into one or two registers without
 * reassociating.  Inline, for the inner loops of scoring and training. */
#define MR_DOT_LANES 8
static inline float mr_dot_lanes(const float *restrict a, const float *restrict b, int k)
{
    float acc[MR_DOT_LANES] = {0};
    int i = 0;
    for (; i + MR_DOT_LANES <= k; i += MR_DOT_LANES)
        for (int l = 0; l < MR_DOT_LANES; l++)
            acc[l] += a[i + l] * b[i + l];
    for (int l = 0; i < k; i++, l++)
        acc[l] += a[i] * b[i];
    /* Halves folded onto each other: a short tree, not a chain of MR_DOT_LANES adds. */
    for (int w = MR_DOT_LANES / 2; w > 0; w /= 2)
        for (int l = 0; l < w; l++)
            acc[l] += acc[l + w];
    return acc[0];
}

/* Sum of a[i] * b[i] in double precision (four partial sums: a fixed function of n). */
double mr_dot_d(const double *a, const double *b, int n);

/* y += alpha * x. */
void mr_axpy(float alpha, const float *x, float *y, int k);

/* A += alpha * x xᵀ for the k x k row-major symmetric matrix A (both triangles). */
void mr_syr(double alpha, const float *x, double *A, int k);

/* Solves A x = b for symmetric positive definite A (k x k, row-major) by Cholesky; only the
 * upper triangle of A is read.  A and b are not modified (x may be b); work must hold k*k
 * doubles.  Returns 0, or -1 when A is not
 * positive definite (x is then zeroed). */
int mr_cholesky_solve(const double *A, const double *b, double *x, int k, double *work);

#endif
