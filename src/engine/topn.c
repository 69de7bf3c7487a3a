/* topn.c — the n best items of a score vector through a bounded min-heap. */
#include <math.h>
#include "movierec/topn.h"

/* Scores looked at together before any is compared one by one (see mr_topn). */
#define TOPN_BLOCK 32

/* 1 when a ranks below b: a lower score, or the same score and a higher item index. */
static int ranks_below(const struct mr_scored *a, const struct mr_scored *b)
{
    if (a->score != b->score)
        return a->score < b->score;
    return a->item > b->item;
}

/* Restores the heap property (the worst entry at the root) below position i. */
static void sift_down(struct mr_scored *h, int size, int i)
{
    for (;;) {
        int worst = i;
        int l = 2 * i + 1, r = l + 1;
        if (l < size && ranks_below(&h[l], &h[worst]))
            worst = l;
        if (r < size && ranks_below(&h[r], &h[worst]))
            worst = r;
        if (worst == i)
            return;
        struct mr_scored t = h[i];
        h[i] = h[worst];
        h[worst] = t;
        i = worst;
    }
}

static void sift_up(struct mr_scored *h, int i)
{
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!ranks_below(&h[i], &h[parent]))
            return;
        struct mr_scored t = h[i];
        h[i] = h[parent];
        h[parent] = t;
        i = parent;
    }
}

int mr_topn(const float *scores, int32_t n_items, const uint8_t *exclude, int n,
            struct mr_scored *out)
{
    if (n <= 0)
        return 0;
    int size = 0;
    int32_t i = 0;
    /* Filling: every admissible item enters until the heap holds n. */
    for (; i < n_items && size < n; i++) {
        float s = scores[i];
        if ((exclude && exclude[i]) || isnan(s) || s == -INFINITY)
            continue;
        out[size] = (struct mr_scored){i, s};
        sift_up(out, size);
        size++;
    }
    /* Full: an item enters only when it beats the worst kept.  Items come in increasing
     * index, so an equal score ranks below the root and a plain '>' is the whole test (it is
     * also false for NaN); most items fail it, so the exclusion set is read only after. */
    float worst = size > 0 ? out[0].score : 0.0f;
    while (i < n_items) {
        /* A block none of whose scores beats the worst kept is skipped after one vectorised
         * pass of comparisons (NaN > worst is false: NaN never enters). */
        int32_t end = n_items - i >= TOPN_BLOCK ? i + TOPN_BLOCK : n_items;
        if (end - i == TOPN_BLOCK) {
            int any = 0;
            for (int j = 0; j < TOPN_BLOCK; j++)
                any |= scores[i + j] > worst;
            if (!any) {
                i = end;
                continue;
            }
        }
        for (; i < end; i++) {
            float s = scores[i];
            if (!(s > worst) || (exclude && exclude[i]))
                continue;
            out[0] = (struct mr_scored){i, s};
            sift_down(out, size, 0);
            worst = out[0].score;
        }
    }
    /* Heap sort: move the worst to the end repeatedly, leaving the best first. */
    for (int end = size - 1; end > 0; end--) {
        struct mr_scored t = out[0];
        out[0] = out[end];
        out[end] = t;
        sift_down(out, end, 0);
    }
    return size;
}
