/* test_linalg.c — dot, axpy, syr and the Cholesky solver against systems worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "movierec/linalg.h"

/* cmocka's assert_float_equal compares in single precision; this compares doubles. */
#define assert_close(a, b, tol)                                                                    \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            fail_msg("%s = %.15g, expected %.15g (within %g)", #a, a_, b_, (double)(tol));         \
    } while (0)

static void test_dot_and_axpy(void **state)
{
    (void)state;
    /* 7 elements: exercises the unrolled part and the tail. */
    const float a[7] = {1, 2, 3, 4, 5, 6, 7};
    const float b[7] = {7, 6, 5, 4, 3, 2, 1};
    /* 7 + 12 + 15 + 16 + 15 + 12 + 7 = 84 */
    assert_close(mr_dot(a, b, 7), 84.0f, 1e-6);
    assert_close(mr_dot(a, b, 0), 0.0f, 0);
    assert_close(mr_dot(a, b, 3), 7.0f + 12.0f + 15.0f, 1e-6);

    float y[3] = {1, 1, 1};
    mr_axpy(2.0f, a, y, 3);
    assert_close(y[0], 3.0f, 0);
    assert_close(y[1], 5.0f, 0);
    assert_close(y[2], 7.0f, 0);
}

static void test_syr_fills_both_triangles(void **state)
{
    (void)state;
    const float x[3] = {1, 2, -3};
    double A[9] = {0};
    A[4] = 1.0; /* existing content is added to */
    mr_syr(2.0, x, A, 3);
    const double want[9] = {2, 4, -6, 4, 9, -12, -6, -12, 18};
    for (int i = 0; i < 9; i++)
        assert_close(A[i], want[i], 1e-12);
    mr_syr(-2.0, x, A, 3); /* a rank-one downdate undoes it */
    for (int i = 0; i < 9; i++)
        assert_close(A[i], i == 4 ? 1.0 : 0.0, 1e-12);
}

static void test_cholesky_known_system(void **state)
{
    (void)state;
    /* A is symmetric positive definite (leading minors 4, 16, 124).  With x = (1, -1, 2):
     * A x = (4 - 2 + 0, 2 - 5 + 6, 0 - 3 + 20) = (2, 3, 17). */
    const double A[9] = {4, 2, 0, 2, 5, 3, 0, 3, 10};
    const double b[3] = {2, 3, 17};
    double Acopy[9], bcopy[3], x[3], work[9];
    memcpy(Acopy, A, sizeof A);
    memcpy(bcopy, b, sizeof b);
    assert_int_equal(mr_cholesky_solve(A, b, x, 3, work), 0);
    assert_close(x[0], 1.0, 1e-12);
    assert_close(x[1], -1.0, 1e-12);
    assert_close(x[2], 2.0, 1e-12);
    assert_memory_equal(A, Acopy, sizeof A); /* inputs untouched */
    assert_memory_equal(b, bcopy, sizeof b);
}

/* Solves A x = b for a random SPD A of size k (A = MᵀM + 0.1 I) and a known x. */
static void check_random_spd(int k)
{
    enum { KMAX = 65 };
    static double M[KMAX * KMAX], A[KMAX * KMAX], b[KMAX], x[KMAX], want[KMAX], work[KMAX * KMAX];
    uint64_t s = 12345 + (uint64_t)k;
    for (int i = 0; i < k * k; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        M[i] = (double)(s >> 11) / 9007199254740992.0 - 0.5;
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double v = i == j ? 0.1 : 0.0;
            for (int p = 0; p < k; p++)
                v += M[p * k + i] * M[p * k + j];
            A[i * k + j] = v;
        }
    for (int i = 0; i < k; i++)
        want[i] = (double)(i % 7) - 3.0;
    for (int i = 0; i < k; i++) {
        b[i] = 0;
        for (int j = 0; j < k; j++)
            b[i] += A[i * k + j] * want[j];
    }
    assert_int_equal(mr_cholesky_solve(A, b, x, k, work), 0);
    for (int i = 0; i < k; i++)
        assert_close(x[i], want[i], 1e-7);
    /* x may be b itself. */
    memcpy(x, b, (size_t)k * sizeof *x);
    assert_int_equal(mr_cholesky_solve(A, x, x, k, work), 0);
    for (int i = 0; i < k; i++)
        assert_close(x[i], want[i], 1e-7);
}

static void test_cholesky_random_spd(void **state)
{
    (void)state;
    /* Sizes around the solver's blocks of four pivots: whole blocks, tails of 1 to 3. */
    const int sizes[] = {1, 2, 3, 4, 5, 7, 40, 65};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        check_random_spd(sizes[i]);
}

/* mr_dot_lanes and mr_dot_d against sums worked out exactly (small integers: no rounding),
 * for lengths around the lane count: a tail only, whole lanes, whole lanes and a tail. */
static void test_dot_lanes_and_double(void **state)
{
    (void)state;
    float a[40], b[40];
    double ad[40], bd[40];
    for (int i = 0; i < 40; i++) {
        a[i] = (float)(i + 1);
        b[i] = (float)(i % 3 - 1);
        ad[i] = a[i];
        bd[i] = b[i];
    }
    const int lengths[] = {0, 1, 7, 8, 9, 16, 17, 33, 40};
    for (size_t t = 0; t < sizeof lengths / sizeof *lengths; t++) {
        int n = lengths[t];
        double want = 0;
        for (int i = 0; i < n; i++)
            want += (double)(i + 1) * (i % 3 - 1);
        assert_close(mr_dot_lanes(a, b, n), want, 0);
        assert_close(mr_dot_d(ad, bd, n), want, 0);
    }
}

static void test_cholesky_not_positive_definite(void **state)
{
    (void)state;
    /* Eigenvalues 3 and -1: indefinite. */
    const double A[4] = {1, 2, 2, 1};
    const double b[2] = {1, 1};
    double x[2] = {7, 7}, work[4];
    assert_int_equal(mr_cholesky_solve(A, b, x, 2, work), -1);
    assert_close(x[0], 0.0, 0);
    assert_close(x[1], 0.0, 0);

    /* Singular (all zero) and NaN matrices are refused too. */
    const double Z[4] = {0, 0, 0, 0};
    x[0] = x[1] = 7;
    assert_int_equal(mr_cholesky_solve(Z, b, x, 2, work), -1);
    assert_close(x[0], 0.0, 0);
    const double N[4] = {NAN, 0, 0, 1};
    assert_int_equal(mr_cholesky_solve(N, b, x, 2, work), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_and_axpy),
        cmocka_unit_test(test_dot_lanes_and_double),
        cmocka_unit_test(test_syr_fills_both_triangles),
        cmocka_unit_test(test_cholesky_known_system),
        cmocka_unit_test(test_cholesky_random_spd),
        cmocka_unit_test(test_cholesky_not_positive_definite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
