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

double mr_dot_d(const double *a, const double *b, int n)
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

/* c - a * b: one fused instruction where the target has one, else a multiply and a subtract
 * (fma would be a slow call). */
#ifdef FP_FAST_FMA
#define MULSUB(a, b, c) fma(-(a), b, c)
#else
#define MULSUB(a, b, c) ((c) - (a) * (b))
#endif

/* Factors A = Uᵀ U into the upper triangle of U (k x k, row-major; only A's upper triangle is
 * read, the rest of U is not written).  Right-looking and blocked by four pivots: the four
 * pivot rows are factored among themselves, then their outer products are taken from every
 * row below in one pass, one contiguous multiply-add per element (no reductions, so the
 * inner loop vectorises).  Returns 0, or -1 when a pivot is not positive (or not finite). */
static int cholesky_factor(const double *A, double *U, int k)
{
    size_t n = (size_t)k;
    for (size_t i = 0; i < n; i++)
        memcpy(U + i * n + i, A + i * n + i, (n - i) * sizeof *U);
    for (size_t j0 = 0; j0 < n; j0 += 4) {
        size_t j1 = j0 + 4 < n ? j0 + 4 : n;
        for (size_t j = j0; j < j1; j++) {
            double *restrict Uj = U + j * n;
            double d = Uj[j];
            if (!(d > 0) || !isfinite(d))
                return -1;
            double ujj = sqrt(d), inv = 1.0 / ujj;
            Uj[j] = ujj;
            for (size_t c = j + 1; c < n; c++)
                Uj[c] *= inv;
            for (size_t i = j + 1; i < j1; i++) {
                double *restrict Ui = U + i * n;
                double f = Uj[i];
                for (size_t c = i; c < n; c++)
                    Ui[c] -= f * Uj[c];
            }
        }
        if (j1 - j0 < 4)
            continue; /* the last rows: nothing below them */
        const double *restrict P0 = U + j0 * n, *restrict P1 = P0 + n, *restrict P2 = P1 + n,
                               *restrict P3 = P2 + n;
        for (size_t i = j1; i < n; i++) {
            double *restrict Ui = U + i * n;
            double f0 = P0[i], f1 = P1[i], f2 = P2[i], f3 = P3[i];
            for (size_t c = i; c < n; c++)
                Ui[c] = MULSUB(f3, P3[c],
                               MULSUB(f2, P2[c], MULSUB(f1, P1[c], MULSUB(f0, P0[c], Ui[c]))));
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
    const double *U = work;
    size_t n = (size_t)k;
    /* Forward: Uᵀ y = b (y kept in x), column by column of Uᵀ, i.e. row by row of U. */
    memmove(x, b, n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        const double *Ui = U + i * n;
        double yi = x[i] / Ui[i];
        x[i] = yi;
        for (size_t c = i + 1; c < n; c++)
            x[c] -= yi * Ui[c];
    }
    /* Backward: U x = y. */
    for (size_t i = n; i-- > 0;) {
        const double *Ui = U + i * n;
        x[i] = (x[i] - mr_dot_d(Ui + i + 1, x + i + 1, (int)(n - i - 1))) / Ui[i];
    }
    return 0;
}
