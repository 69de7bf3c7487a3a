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
        int j = 0;
        for (; j + 4 <= k; j += 4) {
            row[j] += ax * x[j];
            row[j + 1] += ax * x[j + 1];
            row[j + 2] += ax * x[j + 2];
            row[j + 3] += ax * x[j + 3];
        }
        for (; j < k; j++)
            row[j] += ax * x[j];
    }
}

/* Sum of a[p] * b[p] for p < n, in four independent partial sums. */
static double dot_d(const double *a, const double *b, int n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 4 <= n; p += 4) {
        s0 += a[p] * b[p];
        s1 += a[p + 1] * b[p + 1];
        s2 += a[p + 2] * b[p + 2];
        s3 += a[p + 3] * b[p + 3];
    }
    for (; p < n; p++)
        s0 += a[p] * b[p];
    return (s0 + s1) + (s2 + s3);
}

/* Factors A = L Lᵀ into the lower triangle of L (k x k, row-major; only A's lower triangle is
 * read).  Returns 0, or -1 when a pivot is not positive (or not finite). */
static int cholesky_factor(const double *A, double *L, int k)
{
    for (int j = 0; j < k; j++) {
        const double *Lj = L + (size_t)j * k;
        double d = A[(size_t)j * k + j] - dot_d(Lj, Lj, j);
        if (!(d > 0) || !isfinite(d))
            return -1;
        double ljj = sqrt(d);
        L[(size_t)j * k + j] = ljj;
        for (int i = j + 1; i < k; i++) {
            double *Li = L + (size_t)i * k;
            Li[j] = (A[(size_t)i * k + j] - dot_d(Li, Lj, j)) / ljj;
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
        const double *Li = L + (size_t)i * k;
        x[i] = (b[i] - dot_d(Li, x, i)) / Li[i];
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
