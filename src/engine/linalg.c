/* linalg.c — dot products, axpy, symmetric rank-one updates and a Cholesky solver for the
 * small k x k systems of the factor models.  Plain loops: k is at most a few hundred. */
#include <math.h>
#include <string.h>
#include "movierec/linalg.h"

float mr_dot(const float *a, const float *b, int k)
{
    /* Four partial sums keep the adds independent (and the result a fixed function of k). */
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 4 <= k; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < k; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

void mr_axpy(float alpha, const float *x, float *y, int k)
{
    for (int i = 0; i < k; i++)
        y[i] += alpha * x[i];
}

void mr_syr(double alpha, const float *x, double *A, int k)
{
    for (int i = 0; i < k; i++) {
        double ax = alpha * x[i];
        double *row = A + (size_t)i * k;
        for (int j = 0; j < k; j++)
            row[j] += ax * x[j];
    }
}

/* Factors A = L Lᵀ into the lower triangle of L (k x k, row-major).  Returns 0, or -1 when a
 * pivot is not positive (or not finite). */
static int cholesky_factor(const double *A, double *L, int k)
{
    for (int j = 0; j < k; j++) {
        const double *Lj = L + (size_t)j * k;
        double d = A[(size_t)j * k + j];
        for (int p = 0; p < j; p++)
            d -= Lj[p] * Lj[p];
        if (!(d > 0) || !isfinite(d))
            return -1;
        double ljj = sqrt(d);
        L[(size_t)j * k + j] = ljj;
        for (int i = j + 1; i < k; i++) {
            double *Li = L + (size_t)i * k;
            double s = A[(size_t)i * k + j];
            for (int p = 0; p < j; p++)
                s -= Li[p] * Lj[p];
            Li[j] = s / ljj;
        }
    }
    return 0;
}

int mr_cholesky_solve(const double *A, const double *b, double *x, int k, double *work)
{
    if (k <= 0)
        return 0;
    if (cholesky_factor(A, work, k) != 0) {
        memset(x, 0, (size_t)k * sizeof *x);
        return -1;
    }
    const double *L = work;
    /* Forward: L y = b (y kept in x). */
    for (int i = 0; i < k; i++) {
        double s = b[i];
        const double *Li = L + (size_t)i * k;
        for (int p = 0; p < i; p++)
            s -= Li[p] * x[p];
        x[i] = s / Li[i];
    }
    /* Backward: Lᵀ x = y. */
    for (int i = k - 1; i >= 0; i--) {
        double s = x[i];
        for (int p = i + 1; p < k; p++)
            s -= L[(size_t)p * k + i] * x[p];
        x[i] = s / L[(size_t)i * k + i];
    }
    return 0;
}
