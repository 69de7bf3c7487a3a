/* onboard.c — films to ask a new user about, and a first list that is not all one genre
 * (see onboard.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "onboard.h"

static uint32_t genres_of(const struct mr_catalog *c, int32_t item)
{
    return c && item >= 0 && item < c->n_movies ? c->movies[item].genres : 0;
}

static int popcount32(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

float *mr_onboard_informativeness(const struct mr_ratings *r)
{
    int32_t n = r->n_items;
    float *info = calloc((size_t)(n > 0 ? n : 1), sizeof *info);
    if (!info || n == 0)
        return info;
    /* The pool: the MR_ONBOARD_POOL most-rated items (by a count threshold). */
    struct mr_scored *top = malloc(MR_ONBOARD_POOL * sizeof *top);
    float *counts = malloc((size_t)n * sizeof *counts);
    if (!top || !counts) {
        free(top);
        free(counts);
        free(info);
        return NULL;
    }
    for (int32_t i = 0; i < n; i++)
        counts[i] = r->item_count[i] > 0 ? (float)r->item_count[i] : -INFINITY;
    int got = mr_topn(counts, n, NULL, MR_ONBOARD_POOL, top);
    for (int k = 0; k < got; k++) {
        int32_t item = top[k].item;
        int64_t hist[5] = {0};
        for (int64_t p = r->item_ptr[item]; p < r->item_ptr[item + 1]; p++)
            hist[(r->item_vals[p] - 1) / 2]++; /* stars rounded up: 0.5-1 .. 4.5-5 */
        double total = (double)r->item_count[item], entropy = 0;
        for (int b = 0; b < 5; b++)
            if (hist[b] > 0) {
                double q = (double)hist[b] / total;
                entropy -= q * log2(q);
            }
        info[item] = (float)(log1p(total) * entropy);
    }
    free(top);
    free(counts);
    return info;
}

int mr_onboard_pick(const struct mr_catalog *c, const float *info, int32_t n_items,
                    const uint8_t *skip, const int32_t *context, int n_context, int n, int32_t *out)
{
    int covered[MR_GENRE_COUNT] = {0};
    for (int k = 0; k < n_context; k++) {
        uint32_t g = genres_of(c, context[k]);
        for (int b = 0; b < MR_GENRE_COUNT; b++)
            covered[b] += (g >> b) & 1;
    }
    int got = 0;
    while (got < n) {
        int32_t best = -1;
        double best_v = 0;
        for (int32_t i = 0; i < n_items; i++) {
            if (info[i] <= 0 || (skip && skip[i]))
                continue;
            int taken = 0;
            for (int k = 0; k < got && !taken; k++)
                taken = out[k] == i;
            if (taken)
                continue;
            uint32_t g = genres_of(c, i);
            int ng = popcount32(g), seen = 0;
            for (int b = 0; b < MR_GENRE_COUNT; b++)
                seen += ((g >> b) & 1) ? covered[b] : 0;
            double v = info[i] / (1.0 + (ng ? (double)seen / ng : 0));
            if (v > best_v) {
                best_v = v;
                best = i;
            }
        }
        if (best < 0)
            break;
        out[got++] = best;
        uint32_t g = genres_of(c, best);
        for (int b = 0; b < MR_GENRE_COUNT; b++)
            covered[b] += (g >> b) & 1;
    }
    return got;
}

/* Jaccard overlap of two genre sets (0 when both are empty). */
static double genre_overlap(uint32_t a, uint32_t b)
{
    int u = popcount32(a | b);
    return u ? (double)popcount32(a & b) / u : 0;
}

int mr_diversify(const float *scores, int32_t n_items, const uint8_t *exclude,
                 const struct mr_catalog *c, int n, int pool, struct mr_scored *work,
                 struct mr_scored *out)
{
    int nc = mr_topn(scores, n_items, exclude, pool, work);
    int got = 0;
    while (got < n && got < nc) {
        int best = -1;
        double best_v = 0;
        for (int k = 0; k < nc; k++) {
            if (work[k].item < 0)
                continue;
            uint32_t g = genres_of(c, work[k].item);
            double overlap = 0;
            for (int j = 0; j < got; j++) {
                double o = genre_overlap(g, genres_of(c, out[j].item));
                overlap = o > overlap ? o : overlap;
            }
            double v = 1.0 - (double)k / pool - overlap;
            if (best < 0 || v > best_v) {
                best = k;
                best_v = v;
            }
        }
        out[got++] = work[best];
        work[best].item = -1;
    }
    return got;
}
