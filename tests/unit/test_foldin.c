/* test_foldin.c — the ridge solver of foldin.h (dual form below dim ratings, primal form in
 * gathered blocks above) and the incremental normal equations, against the same problem
 * solved plainly in double precision. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/error.h"
#include "movierec/linalg.h"
#include "../../src/engine/foldin.h"

#define N_ROWS 500 /* rows of the feature matrix */

/* A feature matrix of N_ROWS rows (x, 1) of dim floats, uniform in [-1, 1) but for the
 * constant last column, and n targets; rows[j] picks rows with repeats. */
struct problem {
    int dim;
    float *X;
    int32_t *rows;
    double *t;
    int64_t n;
};

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static void problem_make(struct problem *p, int dim, int64_t n, uint64_t seed)
{
    p->dim = dim;
    p->n = n;
    p->X = malloc((size_t)N_ROWS * (size_t)dim * sizeof *p->X);
    p->rows = malloc((size_t)(n + 1) * sizeof *p->rows);
    p->t = malloc((size_t)(n + 1) * sizeof *p->t);
    assert_non_null(p->X);
    assert_non_null(p->rows);
    assert_non_null(p->t);
    uint64_t s = seed;
    for (int i = 0; i < N_ROWS; i++) {
        for (int a = 0; a < dim - 1; a++)
            p->X[i * dim + a] = (float)((double)next(&s) / 4503599627370496.0 - 1.0);
        p->X[i * dim + dim - 1] = 1.0f;
    }
    for (int64_t j = 0; j < n; j++) {
        p->rows[j] = (int32_t)(next(&s) % N_ROWS);
        p->t[j] = (double)(next(&s) % 9) / 2.0 - 2.0;
    }
}

static void problem_free(struct problem *p)
{
    free(p->X);
    free(p->rows);
    free(p->t);
}

/* The textbook solution: (Σ x xᵀ + lambda n I) sol = Σ t x, every sum in double, solved by
 * Gaussian elimination with partial pivoting (another method than the Cholesky under test). */
static void solve_plainly(const struct problem *p, double lambda, double *sol)
{
    int d = p->dim;
    double *A = calloc((size_t)d * (size_t)(d + 1), sizeof *A); /* [A | b] */
    assert_non_null(A);
    for (int64_t j = 0; j < p->n; j++) {
        const float *x = p->X + (size_t)p->rows[j] * d;
        for (int a = 0; a < d; a++) {
            for (int c = 0; c < d; c++)
                A[a * (d + 1) + c] += (double)x[a] * x[c];
            A[a * (d + 1) + d] += p->t[j] * x[a];
        }
    }
    for (int a = 0; a < d; a++)
        A[a * (d + 1) + a] += lambda * (double)p->n;
    for (int c = 0; c < d; c++) {
        int piv = c;
        for (int r = c + 1; r < d; r++)
            if (fabs(A[r * (d + 1) + c]) > fabs(A[piv * (d + 1) + c]))
                piv = r;
        for (int q = 0; q <= d; q++) {
            double tmp = A[c * (d + 1) + q];
            A[c * (d + 1) + q] = A[piv * (d + 1) + q];
            A[piv * (d + 1) + q] = tmp;
        }
        for (int r = c + 1; r < d; r++) {
            double f = A[r * (d + 1) + c] / A[c * (d + 1) + c];
            for (int q = c; q <= d; q++)
                A[r * (d + 1) + q] -= f * A[c * (d + 1) + q];
        }
    }
    for (int c = d - 1; c >= 0; c--) {
        double v = A[c * (d + 1) + d];
        for (int q = c + 1; q < d; q++)
            v -= A[c * (d + 1) + q] * sol[q];
        sol[c] = v / A[c * (d + 1) + c];
    }
    free(A);
}

/* Largest |a - b| over d entries, relative to 1 + the largest |b|. */
static double max_rel_diff(const double *a, const double *b, int d)
{
    double diff = 0, scale = 1;
    for (int i = 0; i < d; i++) {
        diff = fmax(diff, fabs(a[i] - b[i]));
        scale = fmax(scale, 1 + fabs(b[i]));
    }
    return diff / scale;
}

/* mr_ridge_solve and the incremental mr_foldin agree with the plain solution. */
static void check_problem(int dim, int64_t n, double lambda)
{
    struct problem p;
    problem_make(&p, dim, n, 7 + (uint64_t)(dim * 1000 + n));
    double *want = calloc((size_t)dim, sizeof *want), *sol = malloc((size_t)dim * sizeof *sol);
    double *work = malloc(MR_RIDGE_WORK(dim) * sizeof *work);
    assert_non_null(want);
    assert_non_null(sol);
    assert_non_null(work);
    if (n > 0)
        solve_plainly(&p, lambda, want);

    memset(sol, 0xff, (size_t)dim * sizeof *sol); /* NaN: every entry must be written */
    assert_int_equal(mr_ridge_solve(p.X, dim, p.rows, p.t, n, lambda, sol, work), 0);
    double diff = max_rel_diff(sol, want, dim);
    if (!(diff < 1e-5))
        fail_msg("dim %d, %lld ratings: ridge solve differs by %g", dim, (long long)n, diff);

    struct mr_foldin f;
    assert_int_equal(mr_foldin_init(&f, dim, lambda), MR_OK);
    for (int64_t j = 0; j < n; j++)
        mr_foldin_add(&f, p.X + (size_t)p.rows[j] * dim, p.t[j]);
    assert_int_equal(mr_foldin_solve(&f), 0);
    diff = max_rel_diff(f.sol, want, dim);
    if (!(diff < 1e-8))
        fail_msg("dim %d, %lld ratings: fold-in differs by %g", dim, (long long)n, diff);
    mr_foldin_free(&f);
    free(want);
    free(sol);
    free(work);
    problem_free(&p);
}

static void test_ridge_dual_and_primal(void **state)
{
    (void)state;
    /* dim 21: 20 features padded to two tiles of 16 in the primal form; dim 65 fills four
     * tiles exactly.  Below dim ratings the dual form, from dim the primal; past
     * MR_RIDGE_CHUNK ratings the primal form sums several gathered blocks. */
    const int dims[] = {2, 21, 65};
    const int64_t counts[] = {0, 1, 5, 20, 21, 64, 65, 200, MR_RIDGE_CHUNK, 3 * MR_RIDGE_CHUNK + 7};
    for (size_t a = 0; a < sizeof dims / sizeof *dims; a++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
            check_problem(dims[a], counts[c], 0.1);
}

static void test_ridge_no_ratings_is_zero(void **state)
{
    (void)state;
    float X[3] = {1, 2, 1};
    double sol[3] = {5, 5, 5}, work[MR_RIDGE_WORK(3)];
    assert_int_equal(mr_ridge_solve(X, 3, NULL, NULL, 0, 0.1, sol, work), 0);
    for (int a = 0; a < 3; a++)
        assert_true(sol[a] == 0.0);
}

/* Without regularisation, ratings of a row whose features are all zero (but the constant)
 * leave the system singular, exactly: refused, with the solution zeroed, not NaNs. */
static void test_ridge_singular_refused(void **state)
{
    (void)state;
    enum { D = 21 };
    float X[D] = {0};
    X[D - 1] = 1;
    int32_t rows[30] = {0};
    double t[30], sol[D], work[MR_RIDGE_WORK(D)];
    for (int j = 0; j < 30; j++)
        t[j] = 1;
    /* 30 ratings: the primal form; 5: the dual form (whose K is singular too, all ones). */
    const int counts[] = {30, 5};
    for (int c = 0; c < 2; c++) {
        for (int a = 0; a < D; a++)
            sol[a] = NAN;
        assert_int_equal(mr_ridge_solve(X, D, rows, t, counts[c], 0.0, sol, work), -1);
        for (int a = 0; a < D; a++)
            assert_true(sol[a] == 0.0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ridge_dual_and_primal),
        cmocka_unit_test(test_ridge_no_ratings_is_zero),
        cmocka_unit_test(test_ridge_singular_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
