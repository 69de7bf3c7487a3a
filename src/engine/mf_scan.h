/* mf_scan.h — private: a reduced-precision copy of a factor matrix for scanning the whole
 * catalog (ranking every item for a user, every item's similarity to one).
 *
 * Such a scan is bound by memory bandwidth: at 62k items x 100 factors the float rows are
 * 25 MB, read in full on every call.  The copy keeps each item's factors as int8 with one
 * float scale per item (x_ia ≈ scale_i q_ia, |q_ia| <= 127: a quarter of the bytes, the
 * relative error of each value at most 1/254 of the item's largest one), laid out in blocks
 * of MR_SCAN_LANES items stored factor-major, so that one pass computes MR_SCAN_LANES dot
 * products side by side in vector registers with no horizontal sums.  Exact float rows stay
 * where they were for everything else (predictions, fold-in, explanations). */
#ifndef MOVIEREC_MF_SCAN_H
#define MOVIEREC_MF_SCAN_H

#include <stdint.h>

#define MR_SCAN_LANES 16 /* items per block */

struct mr_scan {
    int k;          /* factors per item */
    int32_t n;      /* items */
    int8_t *blocks; /* ceil(n / MR_SCAN_LANES) blocks of k x MR_SCAN_LANES values */
    float *scale;   /* n: the item's largest |x_ia| / 127 (0 for an all-zero row) */
};

/* Builds the copy of n rows of k factors from X (row stride `stride` floats, finite values).
 * Returns 0, or -1 when out of memory (s is then empty; mr_scan_free is still safe). */
int mr_scan_build(struct mr_scan *s, const float *X, int stride, int k, int32_t n);

/* Frees the copy and empties s (an empty or zeroed s is fine). */
void mr_scan_free(struct mr_scan *s);

/* out[i] = scale_i Σ_a p[a] q_ia, the dot product of p (k floats) with item i's row as
 * stored, for every item i < n.  A fixed order of operations: the same p gives the same out. */
void mr_scan_dot(const struct mr_scan *s, const float *p, float *out);

#endif
