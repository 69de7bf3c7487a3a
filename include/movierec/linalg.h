/* linalg.h — the small dense linear algebra the models need: vectors of k floats and
 * k x k symmetric systems, solved exactly by Cholesky in double precision. */
#ifndef MOVIEREC_LINALG_H
#define MOVIEREC_LINALG_H

#include <stddef.h>

/* Sum of a[i] * b[i]. */
float mr_dot(const float *a, const float *b, int k);

/* y += alpha * x. */
void mr_axpy(float alpha, const float *x, float *y, int k);

/* A += alpha * x xᵀ for the k x k row-major symmetric matrix A (both triangles). */
void mr_syr(double alpha, const float *x, double *A, int k);

/* Solves A x = b for symmetric positive definite A (k x k, row-major) by Cholesky.
 * A and b are not modified; work must hold k*k doubles.  Returns 0, or -1 when A is not
 * positive definite (x is then zeroed). */
int mr_cholesky_solve(const double *A, const double *b, double *x, int k, double *work);

#endif
