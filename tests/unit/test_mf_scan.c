/* test_mf_scan.c — the int8 scanning copy of a factor matrix (mf_scan.c): what is stored, the
 * dot products against a plain reference in the same order (bit for bit, whichever code path
 * the build takes), the error bound of the int8 values, and sizes around the blocks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/engine/mf_scan.h"

/* splitmix64 mapped to [-1, 1). */
static float next_value(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / 4503599627370496.0 - 1.0);
}

/* The stored value of factor a of item i. */
static int stored(const struct mr_scan *s, int32_t i, int a)
{
    return s->blocks[(size_t)(i / MR_SCAN_LANES) * (size_t)s->k * MR_SCAN_LANES +
                     (size_t)a * MR_SCAN_LANES + (size_t)(i % MR_SCAN_LANES)];
}

/* out[i] as mr_scan_dot() promises it: a float sum over the factors in order (multiply, then
 * add), times the scale. */
static float reference_dot(const struct mr_scan *s, const float *p, int32_t i)
{
    float acc = 0;
    for (int a = 0; a < s->k; a++) {
        float term = p[a] * (float)stored(s, i, a);
        acc += term;
    }
    return acc * s->scale[i];
}

/* n rows of k random factors (row stride k + 1, the extra column 1 as in mf.c), some rows
 * all zero and some scaled far up or down. */
static float *random_rows(int32_t n, int k, uint64_t seed)
{
    float *X = malloc((size_t)(n > 0 ? n : 1) * (size_t)(k + 1) * sizeof *X);
    assert_non_null(X);
    for (int32_t i = 0; i < n; i++) {
        float mul = i % 7 == 3 ? 0.0f : i % 11 == 5 ? 1e-3f : i % 13 == 6 ? 50.0f : 1.0f;
        for (int a = 0; a < k; a++)
            X[(size_t)i * (size_t)(k + 1) + (size_t)a] = mul * next_value(&seed);
        X[(size_t)i * (size_t)(k + 1) + (size_t)k] = 1.0f;
    }
    return X;
}

/* Every size around the blocks: stored values within half a step of x / scale, the largest
 * |value| of a row at 127, dot products equal to the reference bit for bit and within the
 * int8 error of the exact float products. */
static void test_scan_sizes(void **state)
{
    (void)state;
    const int32_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 100, 1000};
    const int ks[] = {1, 2, 7, 64, 100};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            int32_t n = sizes[si];
            int k = ks[ki];
            float *X = random_rows(n, k, 1 + si * 10 + ki);
            float *p = random_rows(1, k, 99);
            float *out = malloc((size_t)(n > 0 ? n : 1) * sizeof *out);
            struct mr_scan s;
            assert_int_equal(mr_scan_build(&s, X, k + 1, k, n), 0);
            assert_int_equal(s.k, k);
            assert_int_equal(s.n, n);
            mr_scan_dot(&s, p, out);
            for (int32_t i = 0; i < n; i++) {
                const float *x = X + (size_t)i * (size_t)(k + 1);
                float max = 0;
                int top = 0;
                double exact = 0, bound = 0;
                for (int a = 0; a < k; a++) {
                    max = fabsf(x[a]) > max ? fabsf(x[a]) : max;
                    int q = stored(&s, i, a);
                    top = abs(q) > top ? abs(q) : top;
                    if (s.scale[i] > 0)
                        assert_true(fabs((double)x[a] / s.scale[i] - q) <= 0.5 + 1e-3);
                    exact += (double)p[a] * x[a];
                    bound += fabs(p[a]) * 0.5 * s.scale[i];
                }
                assert_true(s.scale[i] == max / 127.0f);
                assert_int_equal(top, max > 0 ? 127 : 0);
                float want = reference_dot(&s, p, i);
                if (memcmp(&out[i], &want, sizeof want) != 0)
                    fail_msg("n %d k %d item %d: %.9g, reference %.9g", (int)n, k, (int)i, out[i],
                             want);
                assert_true(fabs(out[i] - exact) <= bound + 1e-5 * (1 + fabs(exact)));
            }
            mr_scan_free(&s);
            assert_null(s.blocks);
            mr_scan_free(&s); /* twice is fine */
            free(out);
            free(p);
            free(X);
        }
}

/* A row of one value: stored as +-127 exactly, so the dot product is exact. */
static void test_scan_exact_rows(void **state)
{
    (void)state;
    enum { N = 40, K = 9 };
    float X[N * K], p[K], out[N];
    for (int32_t i = 0; i < N; i++)
        for (int a = 0; a < K; a++)
            X[i * K + a] = (float)((i + 1) * (a % 2 ? -1 : 1)) * 0.25f;
    for (int a = 0; a < K; a++)
        p[a] = (float)(a + 1);
    struct mr_scan s;
    assert_int_equal(mr_scan_build(&s, X, K, K, N), 0);
    mr_scan_dot(&s, p, out);
    /* Σ p_a (-1)^a = 1 - 2 + 3 - ... + 9 = 5, times (i + 1) / 4 */
    for (int32_t i = 0; i < N; i++)
        assert_true(fabsf(out[i] - 5.0f * (float)(i + 1) * 0.25f) <= 1e-5f * (float)(i + 1));
    mr_scan_free(&s);
}

/* Bad sizes are refused, leaving an empty copy that frees safely. */
static void test_scan_refuses(void **state)
{
    (void)state;
    float x[4] = {1, 2, 3, 4};
    struct mr_scan s;
    assert_int_equal(mr_scan_build(&s, x, 4, 0, 1), -1);
    assert_null(s.blocks);
    assert_int_equal(mr_scan_build(&s, x, 4, 4, -1), -1);
    mr_scan_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_sizes),
        cmocka_unit_test(test_scan_exact_rows),
        cmocka_unit_test(test_scan_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
