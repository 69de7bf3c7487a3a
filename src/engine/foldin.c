/* foldin.c — a user's ridge regression kept as normal equations (see foldin.h). */
#include <stdlib.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/linalg.h"
#include "foldin.h"

int mr_foldin_init(struct mr_foldin *f, int dim, double lambda)
{
    memset(f, 0, sizeof *f);
    f->dim = dim;
    f->lambda = lambda;
    size_t d = (size_t)dim;
    f->gram = calloc(d * d, sizeof *f->gram);
    f->rhs = calloc(d, sizeof *f->rhs);
    f->sol = calloc(d, sizeof *f->sol);
    f->work = calloc(2 * d * d, sizeof *f->work);
    if (!f->gram || !f->rhs || !f->sol || !f->work) {
        mr_foldin_free(f);
        return MR_ENOMEM;
    }
    return MR_OK;
}

void mr_foldin_free(struct mr_foldin *f)
{
    free(f->gram);
    free(f->rhs);
    free(f->sol);
    free(f->work);
    memset(f, 0, sizeof *f);
}

void mr_foldin_add(struct mr_foldin *f, const float *x, double t)
{
    mr_syr(1.0, x, f->gram, f->dim);
    for (int a = 0; a < f->dim; a++)
        f->rhs[a] += t * x[a];
    f->n++;
}

void mr_foldin_remove(struct mr_foldin *f, const float *x, double t)
{
    if (f->n <= 1) {
        /* The sums are now empty: drop the rounding left by adding and subtracting. */
        size_t d = (size_t)f->dim;
        memset(f->gram, 0, d * d * sizeof *f->gram);
        memset(f->rhs, 0, d * sizeof *f->rhs);
        f->n = 0;
        return;
    }
    mr_syr(-1.0, x, f->gram, f->dim);
    for (int a = 0; a < f->dim; a++)
        f->rhs[a] -= t * x[a];
    f->n--;
}

void mr_foldin_retarget(struct mr_foldin *f, const float *x, double dt)
{
    for (int a = 0; a < f->dim; a++)
        f->rhs[a] += dt * x[a];
}

/* Writes gram + lambda·n·I into reg. */
static void regularised(const struct mr_foldin *f, double *reg)
{
    size_t d = (size_t)f->dim;
    memcpy(reg, f->gram, d * d * sizeof *reg);
    for (size_t a = 0; a < d; a++)
        reg[a * d + a] += f->lambda * f->n;
}

/* out = (gram + lambda·n·I)⁻¹ v, using work (2 dim² doubles).  Returns 0, or -1 (out zeroed)
 * with no ratings or when not positive definite. */
static int solve_regularised(const struct mr_foldin *f, const double *v, double *out, double *work)
{
    size_t d = (size_t)f->dim;
    if (f->n == 0) {
        memset(out, 0, d * sizeof *out);
        return -1;
    }
    regularised(f, work);
    return mr_cholesky_solve(work, v, out, f->dim, work + d * d);
}

int mr_foldin_solve(struct mr_foldin *f)
{
    if (f->n == 0) {
        memset(f->sol, 0, (size_t)f->dim * sizeof *f->sol);
        return 0;
    }
    return solve_regularised(f, f->rhs, f->sol, f->work);
}

/* Dot product of two double rows, in four independent partial sums. */
static double dot_rows(const double *a, const double *b, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t p = 0;
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

/* Copies feature row r of X into out as doubles. */
static void row_to_double(const float *X, size_t d, int32_t r, double *out)
{
    const float *x = X + (size_t)r * d;
    for (size_t a = 0; a < d; a++)
        out[a] = x[a];
}

/* The primal form: (Σ x xᵀ + reg I) sol = Σ t x, a dim x dim system.  The Gram matrix is
 * accumulated four ratings at a time (one pass over A per four rank-one terms). */
static int ridge_primal(const float *X, size_t d, const int32_t *rows, const double *t, int64_t n,
                        double reg, double *sol, double *work)
{
    double *A = work, *L = work + d * d, *b = work + 2 * d * d, *xs = b + d;
    /* Disjoint parts of work. */
    double *restrict x0 = xs, *restrict x1 = xs + d, *restrict x2 = xs + 2 * d,
                     *restrict x3 = xs + 3 * d;
    memset(A, 0, d * d * sizeof *A);
    memset(b, 0, d * sizeof *b);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        row_to_double(X, d, rows[j], x0);
        row_to_double(X, d, rows[j + 1], x1);
        row_to_double(X, d, rows[j + 2], x2);
        row_to_double(X, d, rows[j + 3], x3);
        /* Lower triangle only: all the solver reads; mirrored below. */
        for (size_t a = 0; a < d; a++) {
            double y0 = x0[a], y1 = x1[a], y2 = x2[a], y3 = x3[a];
            double *restrict Aa = A + a * d;
            for (size_t c = 0; c <= a; c++)
                Aa[c] += (y0 * x0[c] + y1 * x1[c]) + (y2 * x2[c] + y3 * x3[c]);
            b[a] += (t[j] * y0 + t[j + 1] * y1) + (t[j + 2] * y2 + t[j + 3] * y3);
        }
    }
    for (; j < n; j++) {
        row_to_double(X, d, rows[j], x0);
        for (size_t a = 0; a < d; a++) {
            double y0 = x0[a];
            double *Aa = A + a * d;
            for (size_t c = 0; c <= a; c++)
                Aa[c] += y0 * x0[c];
            b[a] += t[j] * y0;
        }
    }
    for (size_t a = 0; a < d; a++) {
        A[a * d + a] += reg;
        for (size_t c = 0; c < a; c++)
            A[c * d + a] = A[a * d + c]; /* keep A symmetric as the solver's contract says */
    }
    return mr_cholesky_solve(A, b, sol, (int)d, L);
}

/* The dual form for fewer ratings than unknowns: sol = Σ alpha_j x_j with
 * (K + reg I) alpha = t, K_jl = x_j · x_l, an n x n system; the same solution since
 * (XᵀX + reg I)⁻¹ Xᵀ = Xᵀ (X Xᵀ + reg I)⁻¹ for reg > 0. */
static int ridge_dual(const float *X, size_t d, const int32_t *rows, const double *t, size_t n,
                      double reg, double *sol, double *work)
{
    double *K = work, *L = work + n * n, *alpha = L + n * n, *xs = alpha + n;
    for (size_t j = 0; j < n; j++)
        row_to_double(X, d, rows[j], xs + j * d);
    for (size_t j = 0; j < n; j++) {
        for (size_t l = 0; l <= j; l++) {
            double v = dot_rows(xs + j * d, xs + l * d, d);
            K[j * n + l] = v;
            K[l * n + j] = v;
        }
        K[j * n + j] += reg;
    }
    int rc = mr_cholesky_solve(K, t, alpha, (int)n, L);
    memset(sol, 0, d * sizeof *sol);
    if (rc != 0)
        return rc;
    for (size_t j = 0; j < n; j++)
        for (size_t a = 0; a < d; a++)
            sol[a] += alpha[j] * xs[j * d + a];
    return 0;
}

int mr_ridge_solve(const float *X, int dim, const int32_t *rows, const double *t, int64_t n,
                   double lambda, double *sol, double *work)
{
    size_t d = (size_t)dim;
    if (n == 0) {
        memset(sol, 0, d * sizeof *sol);
        return 0;
    }
    double reg = lambda * (double)n;
    if (reg > 0 && n < dim)
        return ridge_dual(X, d, rows, t, (size_t)n, reg, sol, work);
    return ridge_primal(X, d, rows, t, n, reg, sol, work);
}
