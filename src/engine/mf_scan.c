/* mf_scan.c — the int8 scanning copy of a factor matrix (see mf_scan.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "mf_scan.h"
/* On x86-64 the AVX2 and AVX-512 paths are compiled whatever the build's flags (a function
 * attribute each) and chosen at run time by what the CPU has, so the default -O2 build scans
 * as fast as a -march=native one. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCAN_X86 1
#include <immintrin.h>
#define SCAN_AVX2   __attribute__((target("avx2")))
#define SCAN_AVX512 __attribute__((target("avx512f")))
#endif

#define SCAN_ALIGN 64 /* blocks start on a cache line */

int mr_scan_build(struct mr_scan *s, const float *X, int stride, int k, int32_t n)
{
    memset(s, 0, sizeof *s);
    if (k < 1 || n < 0)
        return -1;
    size_t n_blocks = ((size_t)n + MR_SCAN_LANES - 1) / MR_SCAN_LANES;
    /* aligned_alloc wants a whole number of alignments. */
    size_t bytes = n_blocks * (size_t)k * MR_SCAN_LANES;
    bytes = bytes > 0 ? (bytes + SCAN_ALIGN - 1) / SCAN_ALIGN * SCAN_ALIGN : SCAN_ALIGN;
    s->blocks = aligned_alloc(SCAN_ALIGN, bytes);
    s->scale = malloc((size_t)(n > 0 ? n : 1) * sizeof *s->scale);
    if (!s->blocks || !s->scale) {
        mr_scan_free(s);
        return -1;
    }
    /* The lanes past the last item stay 0: they are computed and never written out. */
    memset(s->blocks, 0, bytes);
    s->k = k;
    s->n = n;
    int8_t *row = malloc((size_t)k);
    if (!row) {
        mr_scan_free(s);
        return -1;
    }
    for (int32_t i = 0; i < n; i++) {
        const float *x = X + (size_t)i * (size_t)stride;
        /* The largest |x_a| in MR_SCAN_LANES running maxima (a loop that vectorises). */
        float lane[MR_SCAN_LANES] = {0};
        int a = 0;
        for (; a + MR_SCAN_LANES <= k; a += MR_SCAN_LANES)
            for (int l = 0; l < MR_SCAN_LANES; l++)
                lane[l] = fabsf(x[a + l]) > lane[l] ? fabsf(x[a + l]) : lane[l];
        for (int l = 0; a < k; a++, l++)
            lane[l] = fabsf(x[a]) > lane[l] ? fabsf(x[a]) : lane[l];
        float max = 0;
        for (int l = 0; l < MR_SCAN_LANES; l++)
            max = lane[l] > max ? lane[l] : max;
        s->scale[i] = max / 127.0f;
        float inv = max > 0 ? 127.0f / max : 0.0f;
        if (!(inv < INFINITY)) /* max so small that 127 / max overflows: every value is 0 */
            inv = 0.0f;
        /* Rounded half away from zero (no library call), kept within +-127. */
        for (a = 0; a < k; a++) {
            float y = x[a] * inv;
            int v = (int)(y + (y >= 0 ? 0.5f : -0.5f));
            row[a] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
        int8_t *q =
            s->blocks + (size_t)(i / MR_SCAN_LANES) * (size_t)k * MR_SCAN_LANES + i % MR_SCAN_LANES;
        for (a = 0; a < k; a++)
            q[(size_t)a * MR_SCAN_LANES] = row[a];
    }
    free(row);
    return 0;
}

void mr_scan_free(struct mr_scan *s)
{
    free(s->blocks);
    free(s->scale);
    memset(s, 0, sizeof *s);
}

/* The blocks of items [first, n) one at a time, in plain C: for each lane, a sum over the
 * factors in order (multiply, then add), then times the item's scale. */
static void dot_blocks(const struct mr_scan *s, const float *p, int32_t first, float *out)
{
    int k = s->k;
    for (; first < s->n; first += MR_SCAN_LANES) {
        const int8_t *q = s->blocks + (size_t)first * (size_t)k;
        float acc[MR_SCAN_LANES] = {0};
        for (int a = 0; a < k; a++) {
            float pa = p[a];
            const int8_t *qa = q + (size_t)a * MR_SCAN_LANES;
            for (int l = 0; l < MR_SCAN_LANES; l++)
                acc[l] += pa * (float)qa[l];
        }
        int32_t lanes = s->n - first < MR_SCAN_LANES ? s->n - first : MR_SCAN_LANES;
        for (int l = 0; l < lanes; l++)
            out[first + l] = acc[l] * s->scale[first + l];
    }
}

#ifdef SCAN_X86
/* 8 int8 values from q, as floats. */
static inline SCAN_AVX2 __m256 load8(const int8_t *q)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)q)));
}

/* dot_blocks() two blocks at a time with AVX2 (compilers do not vectorise the int8 -> float
 * widening of the plain loop well): the same operations in the same order, so the same
 * results; returns the first item left for dot_blocks(). */
static SCAN_AVX2 int32_t dot_blocks_avx2(const struct mr_scan *s, const float *p, float *out)
{
    int k = s->k;
    int32_t first = 0;
    for (; first + 2 * MR_SCAN_LANES <= s->n; first += 2 * MR_SCAN_LANES) {
        const int8_t *q = s->blocks + (size_t)first * (size_t)k;
        const int8_t *r = q + (size_t)k * MR_SCAN_LANES;
        __m256 q0 = _mm256_setzero_ps(), q1 = q0, r0 = q0, r1 = q0;
        for (int a = 0; a < k; a++) {
            __m256 pa = _mm256_broadcast_ss(p + a);
            size_t at = (size_t)a * MR_SCAN_LANES;
            q0 = _mm256_add_ps(q0, _mm256_mul_ps(pa, load8(q + at)));
            q1 = _mm256_add_ps(q1, _mm256_mul_ps(pa, load8(q + at + 8)));
            r0 = _mm256_add_ps(r0, _mm256_mul_ps(pa, load8(r + at)));
            r1 = _mm256_add_ps(r1, _mm256_mul_ps(pa, load8(r + at + 8)));
        }
        const float *sc = s->scale + first;
        _mm256_storeu_ps(out + first, _mm256_mul_ps(q0, _mm256_loadu_ps(sc)));
        _mm256_storeu_ps(out + first + 8, _mm256_mul_ps(q1, _mm256_loadu_ps(sc + 8)));
        _mm256_storeu_ps(out + first + 16, _mm256_mul_ps(r0, _mm256_loadu_ps(sc + 16)));
        _mm256_storeu_ps(out + first + 24, _mm256_mul_ps(r1, _mm256_loadu_ps(sc + 24)));
    }
    return first;
}
#endif

#ifdef SCAN_X86
/* 16 int8 values from q, as floats. */
static inline SCAN_AVX512 __m512 load16(const int8_t *q)
{
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)q)));
}

/* dot_blocks() four blocks at a time with AVX-512 (one register per block): the same
 * operations in the same order; returns the first item left for dot_blocks(). */
static SCAN_AVX512 int32_t dot_blocks_avx512(const struct mr_scan *s, const float *p, float *out)
{
    int k = s->k;
    size_t stride = (size_t)k * MR_SCAN_LANES; /* bytes from one block to the next */
    int32_t first = 0;
    for (; first + 4 * MR_SCAN_LANES <= s->n; first += 4 * MR_SCAN_LANES) {
        const int8_t *q = s->blocks + (size_t)first * (size_t)k;
        __m512 b0 = _mm512_setzero_ps(), b1 = b0, b2 = b0, b3 = b0;
        for (int a = 0; a < k; a++) {
            __m512 pa = _mm512_set1_ps(p[a]);
            const int8_t *qa = q + (size_t)a * MR_SCAN_LANES;
            b0 = _mm512_add_ps(b0, _mm512_mul_ps(pa, load16(qa)));
            b1 = _mm512_add_ps(b1, _mm512_mul_ps(pa, load16(qa + stride)));
            b2 = _mm512_add_ps(b2, _mm512_mul_ps(pa, load16(qa + 2 * stride)));
            b3 = _mm512_add_ps(b3, _mm512_mul_ps(pa, load16(qa + 3 * stride)));
        }
        const float *sc = s->scale + first;
        _mm512_storeu_ps(out + first, _mm512_mul_ps(b0, _mm512_loadu_ps(sc)));
        _mm512_storeu_ps(out + first + 16, _mm512_mul_ps(b1, _mm512_loadu_ps(sc + 16)));
        _mm512_storeu_ps(out + first + 32, _mm512_mul_ps(b2, _mm512_loadu_ps(sc + 32)));
        _mm512_storeu_ps(out + first + 48, _mm512_mul_ps(b3, _mm512_loadu_ps(sc + 48)));
    }
    return first;
}
#endif

void mr_scan_dot(const struct mr_scan *s, const float *p, float *out)
{
    int32_t first = 0;
#ifdef SCAN_X86
    if (__builtin_cpu_supports("avx512f"))
        first = dot_blocks_avx512(s, p, out);
    else if (__builtin_cpu_supports("avx2"))
        first = dot_blocks_avx2(s, p, out);
#endif
    dot_blocks(s, p, first, out);
}
