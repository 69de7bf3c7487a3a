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

/* Dot product of two float rows in double precision. */
static double dot_f(const float *a, const float *b, size_t n)
{
    double s0 = 0, s1 = 0;
    size_t p = 0;
    for (; p + 2 <= n; p += 2) {
        s0 += (double)a[p] * b[p];
        s1 += (double)a[p + 1] * b[p + 1];
    }
    if (p < n)
        s0 += (double)a[p] * b[p];
    return s0 + s1;
}

/* The primal form: (Σ x xᵀ + reg I) sol = Σ t x, a dim x dim system. */
static int ridge_primal(const float *X, size_t d, const int32_t *rows, const double *t, int64_t n,
                        double reg, double *sol, double *work)
{
    double *A = work, *L = work + d * d, *b = work + 2 * d * d;
    memset(A, 0, d * d * sizeof *A);
    memset(b, 0, d * sizeof *b);
    for (int64_t j = 0; j < n; j++) {
        const float *x = X + (size_t)rows[j] * d;
        double tj = t[j];
        /* Lower triangle only (all the solver reads); four columns at a time. */
        for (size_t a = 0; a < d; a++) {
            double xa = x[a];
            double *Aa = A + a * d;
            size_t c = 0;
            for (; c + 4 <= a + 1; c += 4) {
                Aa[c] += xa * x[c];
                Aa[c + 1] += xa * x[c + 1];
                Aa[c + 2] += xa * x[c + 2];
                Aa[c + 3] += xa * x[c + 3];
            }
            for (; c <= a; c++)
                Aa[c] += xa * x[c];
            b[a] += tj * xa;
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
    double *K = work, *L = work + n * n, *alpha = work + 2 * n * n;
    for (size_t j = 0; j < n; j++) {
        const float *xj = X + (size_t)rows[j] * d;
        for (size_t l = 0; l <= j; l++) {
            double v = dot_f(xj, X + (size_t)rows[l] * d, d);
            K[j * n + l] = v;
            K[l * n + j] = v;
        }
        K[j * n + j] += reg;
    }
    int rc = mr_cholesky_solve(K, t, alpha, (int)n, L);
    memset(sol, 0, d * sizeof *sol);
    if (rc != 0)
        return rc;
    for (size_t j = 0; j < n; j++) {
        const float *xj = X + (size_t)rows[j] * d;
        for (size_t a = 0; a < d; a++)
            sol[a] += alpha[j] * xj[a];
    }
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
