/* foldin.c — a user's ridge regression kept as normal equations (see foldin.h). */
#include <math.h>
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

/* a * b + c: one fused instruction where the target has one (which also frees the registers
 * gram_chunk's accumulators need), else a multiply and an add (fmaf would be a slow call). */
#ifdef FP_FAST_FMAF
#define MULADD(a, b, c) fmaf(a, b, c)
#else
#define MULADD(a, b, c) ((a) * (b) + (c))
#endif

/* Rows are gathered from all over the feature matrix: asking for the row PREFETCH_AHEAD
 * places ahead hides most of the memory latency. */
#define PREFETCH_AHEAD 8

/* Hints that the d floats at x will be read soon (nothing on compilers without the hint). */
static void prefetch_row(const float *x, size_t d)
{
#if defined(__GNUC__)
    for (size_t a = 0; a < d; a += 16)
        __builtin_prefetch(x + a);
    __builtin_prefetch(x + d - 1);
#else
    (void)x;
    (void)d;
#endif
}

/* Columns of a gathered row: the first d - 1 features, padded with zeros to whole tiles. */
static size_t gram_stride(size_t d)
{
    return (d - 1 + MR_RIDGE_TILE - 1) / MR_RIDGE_TILE * MR_RIDGE_TILE;
}

/* Adds Σ_j g_j g_jᵀ over the rows of G (rows x kp floats) to the lower triangle of the first
 * kk rows and columns of A (row stride d).  Each 4 x MR_RIDGE_TILE block of the product is
 * summed in registers over all the rows (in single precision: a chunk is short) and then
 * added to A once, so the inner loop is all multiply-adds on contiguous floats. */
static void gram_chunk(const float *G, size_t rows, size_t kp, size_t kk, double *A, size_t d)
{
    for (size_t a0 = 0; a0 < kk; a0 += 4) {
        for (size_t c0 = 0; c0 <= a0 + 3 && c0 < kp; c0 += MR_RIDGE_TILE) {
            float acc[4][MR_RIDGE_TILE] = {{0}};
            for (size_t j = 0; j < rows; j++) {
                const float *g = G + j * kp;
                const float *gc = g + c0;
                float s0 = g[a0], s1 = g[a0 + 1], s2 = g[a0 + 2], s3 = g[a0 + 3];
                for (int l = 0; l < MR_RIDGE_TILE; l++) {
                    acc[0][l] = MULADD(s0, gc[l], acc[0][l]);
                    acc[1][l] = MULADD(s1, gc[l], acc[1][l]);
                    acc[2][l] = MULADD(s2, gc[l], acc[2][l]);
                    acc[3][l] = MULADD(s3, gc[l], acc[3][l]);
                }
            }
            for (size_t r = 0; r < 4 && a0 + r < kk; r++)
                for (size_t l = 0; l < MR_RIDGE_TILE && c0 + l <= a0 + r; l++)
                    A[(a0 + r) * d + c0 + l] += acc[r][l];
        }
    }
}

/* The primal form: (Σ x xᵀ + reg I) sol = Σ t x, a dim x dim system.  Rows are gathered
 * MR_RIDGE_CHUNK at a time into a contiguous float block for gram_chunk; the last feature's
 * row of the Gram matrix and the right-hand side are summed in double during the gather. */
static int ridge_primal(const float *X, size_t d, const int32_t *rows, const double *t, int64_t n,
                        double reg, double *sol, double *work)
{
    size_t kk = d - 1, kp = gram_stride(d);
    double *A = work, *U = work + d * d, *b = work + 2 * d * d;
    float *G = (float *)(b + d);
    double *last = A + kk * d; /* the last feature's row */
    memset(A, 0, d * d * sizeof *A);
    memset(b, 0, d * sizeof *b);
    for (int64_t j0 = 0; j0 < n; j0 += MR_RIDGE_CHUNK) {
        size_t m = n - j0 < MR_RIDGE_CHUNK ? (size_t)(n - j0) : MR_RIDGE_CHUNK;
        for (size_t j = 0; j < m; j++) {
            if (j0 + (int64_t)j + PREFETCH_AHEAD < n)
                prefetch_row(X + (size_t)rows[j0 + j + PREFETCH_AHEAD] * d, d);
            const float *x = X + (size_t)rows[j0 + j] * d;
            float *g = G + j * kp;
            memcpy(g, x, kk * sizeof *g);
            memset(g + kk, 0, (kp - kk) * sizeof *g);
            double tj = t[j0 + j], xl = x[kk];
            for (size_t a = 0; a < d; a++) {
                b[a] += tj * x[a];
                last[a] += xl * x[a];
            }
        }
        gram_chunk(G, m, kp, kk, A, d);
    }
    for (size_t a = 0; a < d; a++) {
        A[a * d + a] += reg;
        for (size_t c = 0; c < a; c++)
            A[c * d + a] = A[a * d + c]; /* keep A symmetric as the solver's contract says */
    }
    return mr_cholesky_solve(A, b, sol, (int)d, U);
}

/* The dual form for fewer ratings than unknowns: sol = Σ alpha_j x_j with
 * (K + reg I) alpha = t, K_jl = x_j · x_l, an n x n system; the same solution since
 * (XᵀX + reg I)⁻¹ Xᵀ = Xᵀ (X Xᵀ + reg I)⁻¹ for reg > 0.  The rows are gathered transposed
 * (feature by feature, n padded to whole tiles), so that K is gram_chunk's sum over the
 * features. */
static int ridge_dual(const float *X, size_t d, const int32_t *rows, const double *t, size_t n,
                      double reg, double *sol, double *work)
{
    size_t np = (n + MR_RIDGE_TILE - 1) / MR_RIDGE_TILE * MR_RIDGE_TILE;
    double *K = work, *L = work + n * n, *alpha = L + n * n;
    float *Gt = (float *)(alpha + n);
    memset(Gt, 0, d * np * sizeof *Gt);
    for (size_t j = 0; j < n; j++) {
        if (j + PREFETCH_AHEAD < n)
            prefetch_row(X + (size_t)rows[j + PREFETCH_AHEAD] * d, d);
        const float *x = X + (size_t)rows[j] * d;
        for (size_t a = 0; a < d; a++)
            Gt[a * np + j] = x[a];
    }
    memset(K, 0, n * n * sizeof *K);
    gram_chunk(Gt, d, np, n, K, n);
    for (size_t j = 0; j < n; j++) {
        K[j * n + j] += reg;
        for (size_t l = 0; l < j; l++)
            K[l * n + j] = K[j * n + l];
    }
    int rc = mr_cholesky_solve(K, t, alpha, (int)n, L);
    memset(sol, 0, d * sizeof *sol);
    if (rc != 0)
        return rc;
    for (size_t a = 0; a < d; a++) {
        const float *g = Gt + a * np;
        double v = 0;
        for (size_t j = 0; j < n; j++)
            v += alpha[j] * g[j];
        sol[a] = v;
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
