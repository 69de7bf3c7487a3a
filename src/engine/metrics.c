/* metrics.c — rating errors and top-N metrics of EVAL_PROTOCOL.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/eval.h"

double mr_clip_stars(double stars)
{
    if (stars < 0.5)
        return 0.5;
    if (stars > 5.0)
        return 5.0;
    return stars; /* NaN falls through both comparisons and stays NaN */
}

void mr_rating_acc_add(struct mr_rating_acc *acc, double truth, double predicted)
{
    double e = truth - mr_clip_stars(predicted);
    acc->sse += e * e;
    acc->sae += fabs(e);
    acc->n++;
}

void mr_rating_acc_merge(struct mr_rating_acc *acc, const struct mr_rating_acc *b)
{
    acc->sse += b->sse;
    acc->sae += b->sae;
    acc->n += b->n;
}

double mr_rating_acc_rmse(const struct mr_rating_acc *acc)
{
    return acc->n ? sqrt(acc->sse / (double)acc->n) : NAN;
}

double mr_rating_acc_mae(const struct mr_rating_acc *acc)
{
    return acc->n ? acc->sae / (double)acc->n : NAN;
}

/* 1 when item is in the ascending array set[0..n), else 0. */
static int sorted_contains(const int32_t *set, int32_t n, int32_t item)
{
    int32_t lo = 0, hi = n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (set[mid] < item)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && set[lo] == item;
}

int mr_topn_user_metrics(const int32_t *top, int n_top, const int32_t *relevant, int32_t n_relevant,
                         struct mr_topn_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (n_relevant <= 0)
        return -1;
    if (n_top > MR_EVAL_CUTOFF)
        n_top = MR_EVAL_CUTOFF;
    int hits5 = 0, hits10 = 0;
    double dcg = 0.0;
    for (int r = 0; r < n_top; r++) {
        if (!sorted_contains(relevant, n_relevant, top[r]))
            continue;
        if (r < 5)
            hits5++;
        hits10++;
        dcg += 1.0 / log2((double)r + 2.0); /* rank r+1 is discounted by log2(rank + 1) */
    }
    double idcg = 0.0;
    int ideal = n_relevant < MR_EVAL_CUTOFF ? (int)n_relevant : MR_EVAL_CUTOFF;
    for (int r = 0; r < ideal; r++)
        idcg += 1.0 / log2((double)r + 2.0);
    out->p5 = hits5 / 5.0;
    out->p10 = hits10 / 10.0;
    out->r10 = (double)hits10 / (double)n_relevant;
    out->ndcg10 = dcg / idcg;
    out->hr10 = hits10 > 0 ? 1.0 : 0.0;
    return 0;
}

int mr_coverage(const int32_t *items, int64_t n, int32_t n_items, int32_t n_catalog, double *out)
{
    uint8_t *seen = calloc(n_items > 0 ? (size_t)n_items : 1, 1);
    if (!seen)
        return MR_ENOMEM;
    int64_t distinct = 0;
    for (int64_t i = 0; i < n; i++) {
        if (items[i] < 0 || items[i] >= n_items || seen[items[i]])
            continue;
        seen[items[i]] = 1;
        distinct++;
    }
    free(seen);
    *out = n_catalog > 0 ? (double)distinct / (double)n_catalog : NAN;
    return MR_OK;
}
